/* policy_check.c — the meaning of a resolved policy: references, cycles, order. */
#include "mamori/tz.h"
#include "mamori/i18n.h"
#include "mamori/vocab.h"
#include "policy_internal.h"
#include "suggest.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *const mamori_policy_includes[] = {
	"definitions", "threats", "measures", "roles", "classification",
	"asset_kinds", "segments", "flows", "bodies", "restrictions", "records", NULL,
};

struct checker {
	const struct mamori_policy *p;
	struct mamori_diags *diags;
};

static void
check_report(struct checker *c, enum mamori_severity sev, const struct mamori_srcpos *pos,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void
policy_report(struct mamori_diags *diags, enum mamori_severity sev, const struct mamori_srcpos *pos,
    const struct mamori_srcpos *fallback, const char *prefix, const char *fmt, va_list ap)
{
	const struct mamori_srcpos *at = pos->file ? pos : fallback;
	char buf[900];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, _(fmt), ap);	/* marked by xgettext's keyword */
	(void)mamori_diags_add(diags, sev, at->file, at->line, at->column, "%s", buf);
}

static void
check_report(struct checker *c, enum mamori_severity sev, const struct mamori_srcpos *pos,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_report(c->diags, sev, pos, &c->p->pos, "", fmt, ap);
	va_end(ap);
}

/* " (did you mean 'x'?)" or "", into buf. */
static const char *
hint(char *buf, size_t n, const char *word, const char *const *cands, size_t ncands)
{
	const char *s = mamori_suggest(word, cands, ncands);

	if (s == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, n, _("; did you mean '%s'?"), s);
	return buf;
}

/* Collects the ids of an array of structs whose `id` member is at offset off. */
#define IDS(arr, n, out, max)                                           \
	do {                                                            \
		for (size_t i_ = 0; i_ < (n) && i_ < (max); i_++)       \
			(out)[i_] = (arr)[i_].id;                       \
	} while (0)

enum { CAND_MAX = 256 };

static void
check_ref(struct checker *c, const char *what, const char *id,
    const struct mamori_srcpos *pos, const char *const *cands, size_t n, const char *where)
{
	char h[128];

	if (id == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		if (cands[i] && strcmp(cands[i], id) == 0)
			return;
	check_report(c, MAMORI_SEV_ERROR, pos, "%s refers to unknown %s '%s'%s", where, what, id,
	    hint(h, sizeof(h), id, cands, n));
}

static void
check_vocab(struct checker *c, const struct mamori_vocab *v, const char *id,
    const struct mamori_srcpos *pos, const char *where)
{
	const char *s;

	if (id == NULL || mamori_vocab_find(v, id) != NULL)
		return;
	s = mamori_vocab_suggest(v, id);
	if (s != NULL)
		check_report(c, MAMORI_SEV_ERROR, pos, "%s: unknown %s id '%s'; did you mean '%s'?",
		    where, v->name, id, s);
	else
		check_report(c, MAMORI_SEV_ERROR, pos, "%s: unknown %s id '%s' (see mamori-policy(5) for the list)",
		    where, v->name, id);
}

static void
check_required_sections(struct checker *c)
{
	const struct mamori_policy *p = c->p;
	const struct {
		const char *key;
		bool present;
	} sections[] = {
		{ "organisation", p->organisation.pos.file != NULL },
		{ "roles", p->nroles > 0 },
		{ "classification", p->classification.naxes > 0 },
		{ "asset_kinds", p->nasset_kinds > 0 },
		{ "segments", p->nsegments > 0 },
		{ "threats", p->nthreats > 0 },
		{ "measures", p->nmeasures > 0 },
	};

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!sections[i].present)
			check_report(c, MAMORI_SEV_ERROR, &p->pos,
			    "policy '%s' has no '%s' (write it, or 'extends' a policy that has it)",
			    p->id ? p->id : "?", sections[i].key);
}

static void
check_organisation(struct checker *c)
{
	const struct mamori_organisation *o = &c->p->organisation;
	const char *bodies[CAND_MAX] = { 0 }, *families[CAND_MAX] = { 0 };
	size_t nb = o->nbodies < CAND_MAX ? o->nbodies : CAND_MAX;
	size_t nf = o->nfamilies < CAND_MAX ? o->nfamilies : CAND_MAX;

	IDS(o->bodies, nb, bodies, CAND_MAX);
	IDS(o->families, nf, families, CAND_MAX);
	if (o->timezone != NULL) {
		struct mamori_tz tz;
		if (!mamori_tz_load(&tz, o->timezone, NULL))
			check_report(c, MAMORI_SEV_ERROR, &o->timezone_pos, "organisation.timezone '%s' is not a time zone "
			    "of the system's tz database (an IANA name such as Asia/Tokyo)", o->timezone);
		mamori_tz_free(&tz);
	}
	for (size_t i = 0; i < o->ndepartments; i++) {
		const struct mamori_department *d = &o->departments[i];
		char where[160];
		snprintf(where, sizeof(where), "department '%s'", d->id ? d->id : "?");
		check_ref(c, "body", d->body, &d->body_pos, bodies, nb, where);
		if (d->family && nf == 0 && strcmp(d->family, "general") == 0)
			continue;
		check_ref(c, "family", d->family, &d->family_pos, families, nf, where);
	}
}

static void
check_roles(struct checker *c)
{
	const struct mamori_policy *p = c->p;
	const char *roles[CAND_MAX] = { 0 }, *depts[CAND_MAX] = { 0 };
	size_t nr = p->nroles < CAND_MAX ? p->nroles : CAND_MAX;
	size_t nd = p->organisation.ndepartments < CAND_MAX ? p->organisation.ndepartments : CAND_MAX;

	IDS(p->roles, nr, roles, CAND_MAX);
	IDS(p->organisation.departments, nd, depts, CAND_MAX);
	for (size_t i = 0; i < p->nroles; i++) {
		const struct mamori_role *r = &p->roles[i];
		char where[160];
		snprintf(where, sizeof(where), "role '%s'", r->id ? r->id : "?");
		check_ref(c, "role", r->reports_to, &r->reports_to_pos, roles, nr, where);
		check_ref(c, "department", r->department, &r->department_pos, depts, nd, where);
		if (r->access.pos.file != NULL) {
			check_vocab(c, &mamori_access_scopes, r->access.scope, &r->access.scope_pos, where);
			for (size_t k = 0; k < r->access.nactions; k++)
				if (strcmp(r->access.actions[k], "all") != 0)
					check_vocab(c, &mamori_actions, r->access.actions[k],
					    &r->access.actions_pos, where);
			for (size_t k = 0; k < r->access.nmanage; k++)
				check_vocab(c, &mamori_manage_targets, r->access.manage[k],
				    &r->access.manage_pos, where);
		}
		if (r->reports_to && r->id && strcmp(r->reports_to, r->id) == 0)
			check_report(c, MAMORI_SEV_ERROR, &r->reports_to_pos,
			    "role '%s' reports to itself", r->id);
	}
	/* Cycles: follow reports_to at most nroles steps from each role. */
	for (size_t i = 0; i < p->nroles; i++) {
		const struct mamori_role *start = &p->roles[i], *r = start;
		size_t steps = 0;
		/* a role reporting to itself is reported above, not as a cycle */
		if (start->id == NULL || (start->reports_to && strcmp(start->reports_to, start->id) == 0))
			continue;
		while (r != NULL && r->reports_to != NULL && steps <= p->nroles) {
			r = mamori_policy_role(p, r->reports_to);
			steps++;
			if (r == start && steps > 1) {
				char chain[700];
				size_t used = (size_t)snprintf(chain, sizeof(chain), "%s", start->id);
				const struct mamori_role *q = start;
				for (size_t k = 0; k < steps && used < sizeof(chain); k++) {
					q = mamori_policy_role(p, q->reports_to);
					used += (size_t)snprintf(chain + used, sizeof(chain) - used,
					    " → %s", q ? q->id : "?");
				}
				check_report(c, MAMORI_SEV_ERROR, &start->reports_to_pos,
				    "'reports_to' makes a cycle: %s; the chain must end at a role "
				    "that reports to no one (e.g. ciso)", chain);
				break;
			}
		}
		/* report each cycle once: only from its first member in file order */
		if (r == start && steps > 1)
			break;
	}
}

/* Whether s is only white space (ASCII or the ideographic space U+3000). */
static bool
blank(const char *s)
{
	static const char ideographic_space[] = "　";

	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		else if (strncmp(s, ideographic_space, sizeof(ideographic_space) - 1) == 0)
			s += sizeof(ideographic_space) - 1;
		else
			return *s == '\0';
	}
}

/*
 * `published` is the wording the document prints in place of the restrictions'
 * texts: a blank bullet would print an empty 「・」, and wording without any
 * restriction behind it promises a 取扱制限 the decision point does not apply.
 */
static void
check_published(struct checker *c, const char *where, const struct mamori_level *l)
{
	if (l->published_pos.file == NULL)
		return;
	if (l->npublished == 0) {
		check_report(c, MAMORI_SEV_WARNING, &l->published_pos,
		    "%s level %d: 'published' is empty, which is the same as leaving it out: "
		    "the table prints the restrictions' texts", where, l->level);
		return;
	}
	for (size_t k = 0; k < l->npublished; k++)
		if (l->published[k] && blank(l->published[k]))
			check_report(c, MAMORI_SEV_ERROR, &l->published_pos,
			    "%s level %d: entry %zu of 'published' is blank; write the wording "
			    "of the bullet as the source prints it", where, l->level, k + 1);
	if (l->nrestrictions == 0)
		check_report(c, MAMORI_SEV_WARNING, &l->published_pos,
		    "%s level %d: 'published' prints 取扱制限 but the level has no "
		    "'restrictions', so the decision point applies none; list the "
		    "restriction ids the wording stands for", where, l->level);
}

static void
check_levels(struct checker *c, const struct mamori_axis *a)
{
	char where[160];

	snprintf(where, sizeof(where), "axis '%s'", a->id ? a->id : "?");
	for (size_t i = 0; i < a->nlevels; i++) {
		const struct mamori_level *l = &a->levels[i];
		int expect = (int)(a->nlevels - i);
		if (l->level != 0 && l->level != expect) {
			check_report(c, MAMORI_SEV_ERROR, &l->pos,
			    "%s: levels are out of order: found level %d where level %d belongs; "
			    "list levels highest first, contiguous down to 1 (%zu … 1)",
			    where, l->level, expect, a->nlevels);
			break;
		}
	}
	for (size_t i = 0; i < a->nlevels; i++) {
		const struct mamori_level *l = &a->levels[i];
		check_published(c, where, l);
		for (size_t j = 0; j < l->nrestrictions; j++) {
			const struct mamori_restriction *r = &l->restrictions[j];
			char w[200];
			snprintf(w, sizeof(w), "%s level %d", where, l->level);
			check_vocab(c, &mamori_restrictions, r->id, &r->id_pos, w);
			if (r->hours != 0 && r->id && strcmp(r->id, "timely-recovery") != 0)
				check_report(c, MAMORI_SEV_ERROR, &r->pos,
				    "%s: 'hours' belongs only to restriction 'timely-recovery', not '%s'",
				    w, r->id);
		}
	}
	/* Suspicious: a higher level without a restriction a lower level has. */
	for (size_t i = 0; i + 1 < a->nlevels; i++) {
		const struct mamori_level *hi = &a->levels[i], *lo = &a->levels[i + 1];
		for (size_t j = 0; j < lo->nrestrictions; j++) {
			const char *id = lo->restrictions[j].id;
			bool found = false;
			for (size_t k = 0; id && k < hi->nrestrictions && !found; k++)
				found = hi->restrictions[k].id && strcmp(hi->restrictions[k].id, id) == 0;
			if (id && !found)
				check_report(c, MAMORI_SEV_WARNING, &hi->pos,
				    "%s: level %d lacks restriction '%s' that level %d has; "
				    "restrictions apply per level, so list it at level %d too "
				    "if the higher level is meant to be at least as strict",
				    where, hi->level, id, lo->level, hi->level);
		}
	}
}

/* A mail domain as `mail_domains` takes it: "*", or a lowercase DNS name in
 * A-label form (labels of a-z 0-9 '-', not starting or ending with '-'). */
static bool
mail_domain_ok(const char *d)
{
	size_t label = 0, total = strlen(d);

	if (strcmp(d, "*") == 0)
		return true;
	if (total == 0 || total > 253)
		return false;
	for (const char *c = d;; c++) {
		if (*c == '.' || *c == '\0') {
			if (label == 0 || label > 63 || c[-1] == '-')
				return false;
			if (*c == '\0')
				return true;
			label = 0;
			continue;
		}
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || (*c == '-' && label > 0)))
			return false;
		label++;
	}
}

/* Each mail domain well-formed and claimed by one segment only, so that a
 * recipient's segment (and with it the 無害化 a mail needs) is never ambiguous. */
static void
check_mail_domains(struct checker *c)
{
	const struct mamori_policy *p = c->p;

	for (size_t i = 0; i < p->nsegments; i++) {
		const struct mamori_segment *s = &p->segments[i];
		for (size_t j = 0; j < s->nmail_domains; j++) {
			const char *d = s->mail_domains[j];
			bool dup = false;
			if (!mail_domain_ok(d)) {
				check_report(c, MAMORI_SEV_ERROR, &s->mail_domains_pos,
				    "segment '%s': mail domain '%s' is not a domain name; write it in "
				    "lowercase ASCII (an internationalised name as its xn-- form), "
				    "without '@' or a leading dot, or write \"*\" for every other domain",
				    s->id ? s->id : "?", d);
				continue;
			}
			for (size_t k = 0; k <= i && !dup; k++) {
				const struct mamori_segment *o = &p->segments[k];
				for (size_t m = 0; m < (k == i ? j : o->nmail_domains) && !dup; m++)
					dup = strcmp(o->mail_domains[m], d) == 0;
				if (dup)
					check_report(c, MAMORI_SEV_ERROR, &s->mail_domains_pos,
					    "segment '%s': mail domain '%s' is already in segment '%s'; "
					    "a domain belongs to one segment only", s->id ? s->id : "?", d,
					    o->id ? o->id : "?");
			}
		}
	}
}

static void
check_segments(struct checker *c)
{
	const struct mamori_policy *p = c->p;
	const char *segs[CAND_MAX] = { 0 }, *families[CAND_MAX] = { 0 };
	size_t ns = p->nsegments < CAND_MAX ? p->nsegments : CAND_MAX;
	size_t nf = p->organisation.nfamilies < CAND_MAX ? p->organisation.nfamilies : CAND_MAX;

	IDS(p->segments, ns, segs, CAND_MAX);
	IDS(p->organisation.families, nf, families, CAND_MAX);
	for (size_t i = 0; i < p->nsegments; i++) {
		const struct mamori_segment *s = &p->segments[i];
		char where[160];
		snprintf(where, sizeof(where), "segment '%s'", s->id ? s->id : "?");
		if (!(s->family && nf == 0 && strcmp(s->family, "general") == 0))
			check_ref(c, "family", s->family, &s->family_pos, families, nf, where);
		for (size_t j = 0; j < s->nrequirements; j++)
			check_vocab(c, &mamori_requirements, s->requirements[j].id,
			    &s->requirements[j].id_pos, where);
	}
	for (size_t i = 0; i < p->nflows; i++) {
		const struct mamori_flow *f = &p->flows[i];
		const struct mamori_segment *from, *to;
		char where[200];

		snprintf(where, sizeof(where), "flow %s → %s", f->from ? f->from : "?",
		    f->to ? f->to : "?");
		check_ref(c, "segment", f->from, &f->from_pos, segs, ns, where);
		check_ref(c, "segment", f->to, &f->to_pos, segs, ns, where);
		check_vocab(c, &mamori_channels, f->channel, &f->channel_pos, where);
		check_vocab(c, &mamori_sanitizations, f->sanitization, &f->sanitization_pos, where);
		if (f->from && f->to && strcmp(f->from, f->to) == 0)
			check_report(c, MAMORI_SEV_ERROR, &f->to_pos,
			    "%s: a flow joins two different segments; within one segment nothing needs allowing",
			    where);
		from = f->from ? mamori_policy_segment(p, f->from) : NULL;
		to = f->to ? mamori_policy_segment(p, f->to) : NULL;
		if (from && mamori_segment_requires(from, "isolated"))
			check_report(c, MAMORI_SEV_WARNING, &f->pos,
			    "%s: segment '%s' is 'isolated' (他の領域との通信をできないように), "
			    "yet this flow leaves it", where, f->from);
		if (to && mamori_segment_requires(to, "isolated"))
			check_report(c, MAMORI_SEV_WARNING, &f->pos,
			    "%s: segment '%s' is 'isolated', yet this flow enters it", where, f->to);
		if (from && to && f->sanitization && strcmp(f->sanitization, "none") == 0 &&
		    (mamori_segment_requires(from, "path-separation") ||
		    mamori_segment_requires(to, "path-separation")))
			check_report(c, MAMORI_SEV_WARNING, &f->sanitization_pos,
			    "%s: crosses a separated path (通信経路の分割) without 無害化; "
			    "the guideline allows only 無害化通信 here", where);
	}
}

static void
check_sections(struct checker *c, const struct mamori_section *s, size_t n, int depth)
{
	for (size_t i = 0; i < n && depth < 32; i++) {
		const struct mamori_section *sec = &s[i];
		if (sec->include) {
			size_t k;
			for (k = 0; mamori_policy_includes[k]; k++)
				if (strcmp(mamori_policy_includes[k], sec->include) == 0)
					break;
			if (mamori_policy_includes[k] == NULL) {
				char h[128];
				check_report(c, MAMORI_SEV_ERROR, &sec->include_pos,
				    "section '%s': cannot include '%s'; it must be one of definitions, "
				    "threats, measures, roles, classification, asset_kinds, segments, "
				    "flows, bodies, restrictions%s", sec->title ? sec->title : "", sec->include,
				    hint(h, sizeof(h), sec->include, mamori_policy_includes, k));
			}
		}
		check_sections(c, sec->sections, sec->nsections, depth + 1);
	}
}

void
mamori_policy_validate(const struct mamori_policy *p, struct mamori_diags *diags)
{
	struct checker c = { .p = p, .diags = diags };

	check_required_sections(&c);
	check_vocab(&c, &mamori_decision_logs, p->decision_log, &p->decision_log_pos, "decision_log");
	check_organisation(&c);
	check_roles(&c);
	for (size_t i = 0; i < p->classification.naxes; i++)
		check_levels(&c, &p->classification.axes[i]);
	check_segments(&c);
	check_mail_domains(&c);
	policy_check_network(p, diags);
	check_sections(&c, p->document.sections, p->document.nsections, 0);
	policy_check_records(p, diags);
	policy_check_review(p, diags);
}
