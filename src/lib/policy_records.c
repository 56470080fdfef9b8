/*
 * policy_records.c — the meaning of a policy's records: (the kinds of
 * records and their workflows; see mamori/policy.h).  The loader has read
 * their shape already; this checks what refers to what.
 */
#include "mamori/i18n.h"
#include "mamori/vocab.h"
#include "policy_internal.h"
#include "suggest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct rcheck {
	const struct mamori_policy *p;
	struct mamori_diags *diags;
	const struct mamori_record_kind *k;
};

static void
check_report(struct rcheck *c, enum mamori_severity sev, const struct mamori_srcpos *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
check_report(struct rcheck *c, enum mamori_severity sev, const struct mamori_srcpos *pos, const char *fmt, ...)
{
	char buf[700];
	va_list ap;
	const struct mamori_srcpos *at = pos->file ? pos : &c->k->pos;
	int n = snprintf(buf, sizeof(buf), _("records '%s': "), c->k->id ? c->k->id : "?");

	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, _(fmt), ap);	/* marked by xgettext's keyword */
	va_end(ap);
	(void)mamori_diags_add(c->diags, sev, at->file, at->line, at->column, "%s", buf);
}

/* A word of vocabulary v, or an error with its did-you-mean. */
static bool
known_word(struct rcheck *c, const struct mamori_vocab *v, const char *word, const struct mamori_srcpos *pos,
    const char *where)
{
	const char *s;

	if (word == NULL || mamori_vocab_find(v, word) != NULL)
		return true;
	s = mamori_vocab_suggest(v, word);
	check_report(c, MAMORI_SEV_ERROR, pos, "%s: unknown %s '%s'%s%s%s", where, v->name, word,
	    s ? _("; did you mean '") : "", s ? s : "", s ? _("'?") : "");
	return false;
}

/* What the loader lets an extending file leave out must be there once merged. */
static void
check_complete(struct rcheck *c)
{
	const char *missing[4];
	size_t n = 0;

	if (c->k->title == NULL)
		missing[n++] = "title";
	if (c->k->clause == NULL)
		missing[n++] = "clause";
	if (c->k->nfields == 0)
		missing[n++] = "fields";
	if (c->k->nstates == 0)
		missing[n++] = "states";
	for (size_t i = 0; i < n; i++)
		check_report(c, MAMORI_SEV_ERROR, &c->k->pos, "missing required key '%s' (a kind the policy does not "
		    "extend needs title, clause, fields and states)", missing[i]);
}

static void
check_fields(struct rcheck *c)
{
	for (size_t i = 0; i < c->k->nfields; i++) {
		const struct mamori_record_field *f = &c->k->fields[i];
		char where[96];
		bool choice = f->type && strcmp(f->type, "choice") == 0;

		snprintf(where, sizeof(where), "field '%s'", f->id ? f->id : "?");
		if (f->title == NULL || f->type == NULL)
			check_report(c, MAMORI_SEV_ERROR, &f->pos, "%s: missing required key '%s' (a new field needs title and type)",
			    where, f->title == NULL ? "title" : "type");
		known_word(c, &mamori_record_types, f->type, &f->type_pos, where);
		if (choice && f->nchoices == 0)
			check_report(c, MAMORI_SEV_ERROR, &f->pos, "%s is a choice without choices: list them", where);
		if (!choice && f->nchoices > 0)
			check_report(c, MAMORI_SEV_ERROR, &f->pos, "%s has choices but is of type '%s', not choice", where,
			    f->type ? f->type : "?");
	}
}

static const struct mamori_record_state *
state(const struct mamori_record_kind *k, const char *id)
{
	for (size_t i = 0; id != NULL && i < k->nstates; i++)
		if (strcmp(k->states[i].id, id) == 0)
			return &k->states[i];
	return NULL;
}

/* "30m", "4h", "3d": a positive whole number and a unit. */
static bool
valid_deadline(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n < 7 && strchr("mhd", s[n]) != NULL && s[n] != '\0' && s[n + 1] == '\0' &&
	    !(n == 1 && s[0] == '0');
}

static void
check_states(struct rcheck *c)
{
	size_t initial = 0, final = 0;

	for (size_t i = 0; i < c->k->nstates; i++) {
		const struct mamori_record_state *s = &c->k->states[i];
		char where[96];
		snprintf(where, sizeof(where), "state '%s'", s->id ? s->id : "?");
		initial += s->initial;
		final += s->final;
		if (s->initial && s->final)
			check_report(c, MAMORI_SEV_ERROR, &s->pos, "%s is both initial and final: a record would never be open", where);
		if (s->deadline && !valid_deadline(s->deadline))
			check_report(c, MAMORI_SEV_ERROR, &s->deadline_pos, "%s: deadline '%s' is not a time like 30m, 4h or 3d",
			    where, s->deadline);
		if (s->final && s->deadline)
			check_report(c, MAMORI_SEV_ERROR, &s->deadline_pos, "%s is final: it has no deadline", where);
		if (s->escalate && !s->deadline)
			check_report(c, MAMORI_SEV_ERROR, &s->escalate_pos, "%s escalates without a deadline to miss", where);
		if (s->escalate && mamori_vocab_find(&mamori_escalations, s->escalate) == NULL &&
		    mamori_policy_find_role(c->p, s->escalate) == NULL)
			check_report(c, MAMORI_SEV_ERROR, &s->escalate_pos, "%s: escalate to '%s': neither reports_to nor a role "
			    "of the policy", where, s->escalate);
	}
	if (c->k->nstates > 0 && initial != 1)
		check_report(c, MAMORI_SEV_ERROR, &c->k->pos, "%zu states are initial: a workflow has exactly one "
		    "(initial: true on the state a new record starts in)", initial);
	if (c->k->nstates > 0 && final == 0)
		check_report(c, MAMORI_SEV_ERROR, &c->k->pos, "no state is final: a record could never be closed "
		    "(final: true on the states where it ends)");
}

/* Each of a transition's `by`: a role of the policy or a relation. */
static void
check_by(struct rcheck *c, const struct mamori_record_transition *t, const char *where)
{
	const char *roles[256];
	size_t nroles = 0;

	for (size_t i = 0; i < c->p->nroles && nroles < 256; i++)
		roles[nroles++] = c->p->roles[i].id;
	for (size_t i = 0; i < t->nby; i++) {
		const char *s;
		if (mamori_vocab_find(&mamori_record_relations, t->by[i]) != NULL ||
		    mamori_policy_find_role(c->p, t->by[i]) != NULL)
			continue;
		s = mamori_suggest(t->by[i], roles, nroles);
		if (s == NULL)
			s = mamori_vocab_suggest(&mamori_record_relations, t->by[i]);
		check_report(c, MAMORI_SEV_ERROR, &t->by_pos, "%s: by '%s' is neither a role of the policy nor reporter, "
		    "owner or approver%s%s%s", where, t->by[i], s ? _("; did you mean '") : "", s ? s : "", s ? _("'?") : "");
	}
}

static void
check_transitions(struct rcheck *c)
{
	const char *ids[256];
	size_t nids = 0;

	for (size_t i = 0; i < c->k->nstates && nids < 256; i++)
		ids[nids++] = c->k->states[i].id;
	for (size_t i = 0; i < c->k->ntransitions; i++) {
		const struct mamori_record_transition *t = &c->k->transitions[i];
		const struct mamori_record_state *from = state(c->k, t->from), *to = state(c->k, t->to);
		char where[96];
		snprintf(where, sizeof(where), "transition '%s'", t->id ? t->id : "?");
		if (t->from && from == NULL) {
			const char *s = mamori_suggest(t->from, ids, nids);
			check_report(c, MAMORI_SEV_ERROR, &t->from_pos, "%s: from unknown state '%s'%s%s%s", where, t->from,
			    s ? _("; did you mean '") : "", s ? s : "", s ? _("'?") : "");
		}
		if (t->to && to == NULL) {
			const char *s = mamori_suggest(t->to, ids, nids);
			check_report(c, MAMORI_SEV_ERROR, &t->to_pos, "%s: to unknown state '%s'%s%s%s", where, t->to,
			    s ? _("; did you mean '") : "", s ? s : "", s ? _("'?") : "");
		}
		if (from != NULL && from->final)
			check_report(c, MAMORI_SEV_ERROR, &t->from_pos, "%s leaves final state '%s'", where, from->id);
		if (to != NULL && to->initial)
			check_report(c, MAMORI_SEV_ERROR, &t->to_pos, "%s returns to initial state '%s'; a workflow starts "
			    "there only once", where, to->id);
		check_by(c, t, where);
	}
}

void
policy_check_records(const struct mamori_policy *p, struct mamori_diags *diags)
{
	for (size_t i = 0; i < p->nrecords; i++) {
		struct rcheck c = { .p = p, .diags = diags, .k = &p->records[i] };
		check_complete(&c);
		check_fields(&c);
		check_states(&c);
		check_transitions(&c);
	}
}
