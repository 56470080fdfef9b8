/*
 * policy_records.c — the meaning of a policy's records: (the kinds of
 * records and their workflows; see mamori/policy.h).  The loader has read
 * their shape already; this checks what refers to what.
 */
#include "mamori/asset.h"
#include "mamori/decide.h"
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
	char prefix[200];
	va_list ap;

	snprintf(prefix, sizeof(prefix), _("records '%s': "), c->k->id ? c->k->id : "?");
	va_start(ap, fmt);
	policy_report(c->diags, sev, pos, &c->k->pos, prefix, fmt, ap);
	va_end(ap);
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

static const struct mamori_record_kind *
kind_by_id(const struct mamori_policy *p, const char *id)
{
	for (size_t i = 0; i < p->nrecords; i++)
		if (p->records[i].id != NULL && strcmp(p->records[i].id, id) == 0)
			return &p->records[i];
	return NULL;
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
		if (f->type && strcmp(f->type, "record") == 0 && (f->of == NULL || kind_by_id(c->p, f->of) == NULL))
			check_report(c, MAMORI_SEV_ERROR, f->of ? &f->of_pos : &f->pos, "%s is of type record: name the kind "
			    "of its records with of (of: course)%s%s", where, f->of ? _("; unknown kind ") : "", f->of ? f->of : "");
		if (f->of != NULL && (f->type == NULL || strcmp(f->type, "record") != 0))
			check_report(c, MAMORI_SEV_ERROR, &f->of_pos, "%s: of is for a field of type record", where);
		if (f->multiple && f->type && strstr("asset account department role threat segment file choice record", f->type) == NULL)
			check_report(c, MAMORI_SEV_ERROR, &f->pos, "%s: multiple is for lists of assets, accounts, 課, roles, "
			    "threats, segments, files or choices, not %s", where, f->type);
	}
}

/* Each name of a state's notify, or of a transition's by: a role of the policy or a relation. */
static void
check_people(struct rcheck *c, const char *const *names, size_t n, const struct mamori_srcpos *pos,
    const char *where, const char *what)
{
	const char *roles[256];
	size_t nroles = 0;

	for (size_t i = 0; i < c->p->nroles && nroles < 256; i++)
		roles[nroles++] = c->p->roles[i].id;
	for (size_t i = 0; i < n; i++) {
		const char *s;
		if (mamori_vocab_find(&mamori_record_relations, names[i]) != NULL ||
		    mamori_policy_find_role(c->p, names[i]) != NULL)
			continue;
		s = mamori_suggest(names[i], roles, nroles);
		if (s == NULL)
			s = mamori_vocab_suggest(&mamori_record_relations, names[i]);
		check_report(c, MAMORI_SEV_ERROR, pos, "%s: %s '%s' is neither a role of the policy nor reporter, "
		    "owner or approver%s%s%s", where, what, names[i], s ? _("; did you mean '") : "", s ? s : "",
		    s ? _("'?") : "");
	}
}

static const struct mamori_record_field *
field(const struct mamori_record_kind *k, const char *id)
{
	for (size_t i = 0; id != NULL && i < k->nfields; i++)
		if (k->fields[i].id && strcmp(k->fields[i].id, id) == 0)
			return &k->fields[i];
	return NULL;
}

static void check_field_ref(struct rcheck *c, const char *id, const char *types, const struct mamori_srcpos *pos,
    const char *where);

/* A state's disposal rule: both fields, the method's choices each a disposal method mamori knows. */
static void
check_disposal(struct rcheck *c, const struct mamori_record_state *s, const char *where)
{
	const struct mamori_record_field *m = field(c->k, s->disposal_method);

	if ((s->disposal_method == NULL) != (s->disposal_level == NULL)) {
		check_report(c, MAMORI_SEV_ERROR, s->disposal_method ? &s->disposal_method_pos : &s->disposal_level_pos,
		    "%s: disposal_method and disposal_level go together", where);
		return;
	}
	check_field_ref(c, s->disposal_method, "choice", &s->disposal_method_pos, where);
	check_field_ref(c, s->disposal_level, "number choice", &s->disposal_level_pos, where);
	for (size_t i = 0; m != NULL && i < m->nchoices; i++)
		if (mamori_disposal_method_find(m->choices[i].id) == NULL)
			check_report(c, MAMORI_SEV_ERROR, &m->choices[i].pos, "%s: disposal method '%s' is not one mamori "
			    "knows (shred, incinerate, physical-destroy, degauss, overwrite, crypto-erase, delete, discard, "
			    "return)", where, m->choices[i].id);
}

/* A field named by id in `where`, of one of the types listed ("date datetime"), or an error. */
static void
check_field_ref(struct rcheck *c, const char *id, const char *types, const struct mamori_srcpos *pos,
    const char *where)
{
	const struct mamori_record_field *f = field(c->k, id);
	const char *ids[256];
	size_t nids = 0;

	if (id == NULL)
		return;
	if (f == NULL) {
		for (size_t i = 0; i < c->k->nfields && nids < 256; i++)
			ids[nids++] = c->k->fields[i].id;
		const char *s = mamori_suggest(id, ids, nids);
		check_report(c, MAMORI_SEV_ERROR, pos, "%s: no field '%s' in this kind%s%s%s", where, id,
		    s ? _("; did you mean '") : "", s ? s : "", s ? _("'?") : "");
		return;
	}
	if (types != NULL && f->type != NULL) {
		size_t n = strlen(f->type);
		const char *t = strstr(types, f->type);
		if (t == NULL || (t != types && t[-1] != ' ') || (t[n] != ' ' && t[n] != '\0'))
			check_report(c, MAMORI_SEV_ERROR, pos, "%s: field '%s' is of type %s; it must be %s", where, id,
			    f->type, types);
	}
}

static const struct mamori_record_state *
state(const struct mamori_record_kind *k, const char *id)
{
	for (size_t i = 0; id != NULL && i < k->nstates; i++)
		if (k->states[i].id != NULL && strcmp(k->states[i].id, id) == 0)	/* a state without id was reported */
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
		for (size_t j = 0; j < s->nrequires; j++)
			check_field_ref(c, s->requires[j], NULL, &s->requires_pos, where);
		check_people(c, s->notify, s->nnotify, &s->notify_pos, where, "notify");
		check_field_ref(c, s->disable_accounts, "account", &s->disable_accounts_pos, where);
		check_disposal(c, s, where);
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
		check_people(c, t->by, t->nby, &t->by_pos, where, "by");
		if (t->nby == 0 && t->automatic == NULL)
			check_report(c, MAMORI_SEV_ERROR, &t->pos, "%s: say who may take it (by: roles or reporter, owner, "
			    "approver) or automatic: the date field after which mamori takes it", where);
		if (t->nby > 0 && t->automatic != NULL)
			check_report(c, MAMORI_SEV_ERROR, &t->automatic_pos, "%s is automatic: it has no by", where);
		check_field_ref(c, t->automatic, "date datetime", &t->automatic_pos, where);
		for (size_t j = 0; j < t->nrequires; j++)
			check_field_ref(c, t->requires[j], NULL, &t->requires_pos, where);
		if (t->nrequires > 0 && t->automatic != NULL)
			check_report(c, MAMORI_SEV_ERROR, &t->requires_pos, "%s is automatic: no one gives it fields to "
			    "require", where);
	}
}

/* A choice field that says yes or no (choices yes and no), or an error. */
static void
check_yes_no(struct rcheck *c, const char *id, const struct mamori_srcpos *pos, const char *where)
{
	const struct mamori_record_field *f = field(c->k, id);
	size_t found = 0;

	if (id == NULL || f == NULL || f->type == NULL || strcmp(f->type, "choice") != 0)
		return;		/* reported by check_field_ref */
	for (size_t i = 0; i < f->nchoices; i++)
		found += f->choices[i].id && (strcmp(f->choices[i].id, "yes") == 0 || strcmp(f->choices[i].id, "no") == 0);
	if (found != 2)
		check_report(c, MAMORI_SEV_ERROR, pos, "%s: field '%s' must have the choices yes and no", where, id);
}

/* The effects that make a kind a register the decision point reads: limit, terminal. */
static void
check_register_effect(struct rcheck *c)
{
	const struct mamori_record_effect *e = &c->k->effect;
	bool limit = strcmp(e->type, "limit") == 0;

	for (size_t i = 0; i < e->nstates; i++)
		if (state(c->k, e->states[i]) == NULL)
			check_report(c, MAMORI_SEV_ERROR, &e->states_pos, "effect: unknown state '%s'", e->states[i]);
	if (e->action != NULL || e->assets || e->from || e->until || e->department || e->accounts || e->action_field ||
	    e->measures)
		check_report(c, MAMORI_SEV_ERROR, &e->pos, "effect: a %s takes key, %s; not the keys of an approval or "
		    "exception", e->type, limit ? "level, actions, segment" : "segment, issued, mfa, account");
	if (limit) {
		if (e->level == NULL || e->nactions == 0)
			check_report(c, MAMORI_SEV_ERROR, &e->pos, "effect: a limit names its level field (level: …) and the "
			    "actions it limits (actions: [store], [publish] …)");
		for (size_t i = 0; i < e->nactions; i++)
			if (mamori_action_parse(e->actions[i]) < 0)
				check_report(c, MAMORI_SEV_ERROR, &e->actions_pos, "effect: unknown action '%s'", e->actions[i]);
		if (e->issued || e->mfa || e->account)
			check_report(c, MAMORI_SEV_ERROR, &e->pos, "effect: issued, mfa and account are a terminal's");
	} else {
		if (e->key == NULL || e->segment == NULL)
			check_report(c, MAMORI_SEV_ERROR, &e->pos, "effect: a terminal names its key field (the id a request "
			    "gives as subject.terminal.id) and its segment field");
		if (e->level || e->nactions)
			check_report(c, MAMORI_SEV_ERROR, &e->pos, "effect: level and actions are a limit's");
	}
	check_field_ref(c, e->key, "text", &e->pos, "effect key");
	check_field_ref(c, e->level, "number", &e->pos, "effect level");
	check_field_ref(c, e->segment, "segment", &e->pos, "effect segment");
	check_field_ref(c, e->issued, "choice", &e->pos, "effect issued");
	check_field_ref(c, e->mfa, "choice", &e->pos, "effect mfa");
	check_field_ref(c, e->account, "account", &e->pos, "effect account");
	check_yes_no(c, e->issued, &e->pos, "effect issued");
	check_yes_no(c, e->mfa, &e->pos, "effect mfa");
	for (const struct mamori_record_kind *o = c->p->records; o < c->k; o++)
		if (o->effect.pos.file != NULL && o->effect.type && strcmp(o->effect.type, "terminal") == 0 && !limit)
			check_report(c, MAMORI_SEV_ERROR, &e->type_pos, "effect: kind '%s' is the terminal register already; "
			    "a policy has one", o->id);
}

static void
check_active(struct rcheck *c)
{
	const struct mamori_record_active *a = &c->k->active_accounts;

	if (a->pos.file == NULL)
		return;
	for (size_t i = 0; i < a->nfields; i++)
		check_field_ref(c, a->fields[i], "account", &a->fields_pos, "active_accounts");
	for (size_t i = 0; i < a->nstates; i++)
		if (state(c->k, a->states[i]) == NULL)
			check_report(c, MAMORI_SEV_ERROR, &a->states_pos, "active_accounts: unknown state '%s'", a->states[i]);
	check_people(c, a->notify, a->nnotify, &a->notify_pos, "active_accounts", "notify");
}

static void
check_effect(struct rcheck *c)
{
	const struct mamori_record_effect *e = &c->k->effect;
	const char *where = "effect";
	bool approval;

	/* without its type (reported by the loader) nothing else can be checked */
	if (e->pos.file == NULL || e->type == NULL)
		return;
	if (!known_word(c, &mamori_record_effects, e->type, &e->type_pos, where))
		return;
	if (strcmp(e->type, "limit") == 0 || strcmp(e->type, "terminal") == 0) {
		check_register_effect(c);
		return;
	}
	approval = strcmp(e->type, "approval") == 0;
	if (approval && (e->action == NULL || mamori_action_parse(e->action) < 0))
		check_report(c, MAMORI_SEV_ERROR, e->action ? &e->action_pos : &e->pos, "effect: an approval names the "
		    "action it permits (action: take_out, send, …)%s%s", e->action ? "; unknown action " : "",
		    e->action ? e->action : "");
	if (approval && e->assets == NULL)
		check_report(c, MAMORI_SEV_ERROR, &e->pos, "effect: an approval names the field of its assets (assets: …)");
	if (!approval && e->action != NULL)
		check_report(c, MAMORI_SEV_ERROR, &e->action_pos, "effect: an exception takes its action from a field "
		    "(action_field), not action");
	for (size_t i = 0; i < e->nstates; i++)
		if (state(c->k, e->states[i]) == NULL)
			check_report(c, MAMORI_SEV_ERROR, &e->states_pos, "effect: unknown state '%s'", e->states[i]);
	check_field_ref(c, e->assets, "asset", &e->pos, "effect assets");
	check_field_ref(c, e->from, "date datetime", &e->pos, "effect from");
	check_field_ref(c, e->until, "date datetime", &e->pos, "effect until");
	check_field_ref(c, e->department, "department", &e->pos, "effect department");
	check_field_ref(c, e->accounts, "account", &e->pos, "effect accounts");
	check_field_ref(c, e->action_field, "action", &e->pos, "effect action_field");
	check_field_ref(c, e->measures, "text longtext", &e->pos, "effect measures");
}

static void
check_prefix(struct rcheck *c)
{
	const char *x = c->k->prefix;

	if (x != NULL && (x[0] == '\0' || strlen(x) > 12 || strspn(x, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(x)))
		check_report(c, MAMORI_SEV_ERROR, &c->k->pos, "prefix '%s': 1 to 12 capital letters or digits (INC → "
		    "INC-000001)", x);
	for (size_t i = 0; x != NULL && c->p->records + i < c->k; i++)
		if (c->p->records[i].prefix && strcmp(c->p->records[i].prefix, x) == 0)
			check_report(c, MAMORI_SEV_ERROR, &c->k->pos, "prefix '%s' is also the prefix of kind '%s'", x,
			    c->p->records[i].id);
}

void
policy_check_records(const struct mamori_policy *p, struct mamori_diags *diags)
{
	for (size_t i = 0; i < p->nrecords; i++) {
		struct rcheck c = { .p = p, .diags = diags, .k = &p->records[i] };
		check_complete(&c);
		check_fields(&c);
		check_field_ref(&c, c.k->department_field, "department", &c.k->department_field_pos, "department_field");
		check_states(&c);
		check_transitions(&c);
		check_effect(&c);
		check_active(&c);
		check_prefix(&c);
	}
}
