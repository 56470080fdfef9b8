/*
 * checklist.c — the 自己点検 / 監査 checklist derived from the policy itself
 * (docs/review.md): one item per actionable element, its id made of the
 * element's ids so that answers survive a policy replacement that keeps the
 * element, then the policy's own review.checklist laid over it.  Also the
 * policy's checks of review.checklist and review.risk (file:line).
 */
#include "arena.h"
#include "mamori/i18n.h"
#include "mamori/review.h"
#include "policy_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mamori_arena_owner {
	struct mamori_arena a;
};

/* A growing list of items while the checklist is built. */
struct build {
	const struct mamori_policy *p;
	struct mamori_arena *a;
	struct mamori_check_item *items;
	size_t n, cap;
	bool oom;
};

static char *
fmt(struct build *b, const char *f, ...) __attribute__((format(printf, 2, 3)));

static char *
fmt(struct build *b, const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0 || (s = mamori_arena_alloc(b->a, (size_t)n + 1)) == NULL) {
		b->oom = true;
		return NULL;
	}
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

static struct mamori_check_item *
add(struct build *b, const char *source, char *id, char *text, const char *clause)
{
	if (b->oom || id == NULL || text == NULL)
		return NULL;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct mamori_check_item *n = realloc(b->items, cap * sizeof(*n));
		if (n == NULL) {
			b->oom = true;
			return NULL;
		}
		b->items = n;
		b->cap = cap;
	}
	struct mamori_check_item *it = &b->items[b->n++];
	*it = (struct mamori_check_item){ .id = id, .source = source, .text = text, .clause = clause };
	return it;
}

/* applies_to from a list of names (copied pointers: they live in the policy or the arena). */
static void
set_applies(struct build *b, struct mamori_check_item *it, const char *const *names, size_t n)
{
	if (it == NULL || n == 0)
		return;
	const char **v = mamori_arena_alloc(b->a, n * sizeof(*v));
	if (v == NULL) {
		b->oom = true;
		return;
	}
	memcpy(v, names, n * sizeof(*v));
	it->applies_to = v;
	it->napplies_to = n;
}

static bool
role_scope(const struct mamori_role *r, const char *scope)
{
	return r->access.scope != NULL && strcmp(r->access.scope, scope) == 0;
}

/* The roles of scope department (who handle a 課's assets), or with manage (who administer). */
static size_t
roles_where(const struct mamori_policy *p, bool manage, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nroles && n < max; i++)
		if (manage ? p->roles[i].access.nmanage > 0 : role_scope(&p->roles[i], "department"))
			out[n++] = p->roles[i].id;
	return n;
}

static void
from_restrictions(struct build *b)
{
	const char *roles[64];
	size_t nroles = roles_where(b->p, false, roles, 64);

	for (size_t i = 0; i < b->p->classification.naxes; i++) {
		const struct mamori_axis *ax = &b->p->classification.axes[i];
		for (size_t j = 0; j < ax->nlevels; j++) {
			const struct mamori_level *lv = &ax->levels[j];
			for (size_t k = 0; k < lv->nrestrictions; k++) {
				const struct mamori_restriction *r = &lv->restrictions[k];
				struct mamori_check_item *it = add(b, "restriction",
				    fmt(b, "restriction.%s.%d.%s", ax->id, lv->level, r->id),
				    fmt(b, "%s%s: %s", lv->title ? lv->title : ax->id, "の情報資産", r->text ? r->text : r->id),
				    r->clause);
				set_applies(b, it, roles, nroles);
			}
		}
	}
}

static void
from_segments(struct build *b)
{
	const char *roles[64];
	size_t nroles = roles_where(b->p, true, roles, 64);

	for (size_t i = 0; i < b->p->nsegments; i++) {
		const struct mamori_segment *sg = &b->p->segments[i];
		for (size_t k = 0; k < sg->nrequirements; k++) {
			const struct mamori_requirement *r = &sg->requirements[k];
			struct mamori_check_item *it = add(b, "segment", fmt(b, "segment.%s.%s", sg->id, r->id),
			    fmt(b, "%s: %s", sg->title, r->text ? r->text : r->id), r->clause);
			set_applies(b, it, roles, nroles);
		}
	}
}

static void
from_roles(struct build *b)
{
	for (size_t i = 0; i < b->p->nroles; i++) {
		const struct mamori_role *r = &b->p->roles[i];
		const char *who[2] = { r->id, r->department };
		for (size_t k = 0; k < r->nduties; k++) {
			struct mamori_check_item *it = add(b, "role", fmt(b, "role.%s.duty.%zu", r->id, k + 1),
			    fmt(b, "%s: %s", r->title, r->duties[k]), r->clause);
			set_applies(b, it, who, r->department ? 2 : 1);
		}
	}
}

static void
from_measures(struct build *b)
{
	for (size_t i = 0; i < b->p->nmeasures; i++) {
		const struct mamori_measure *m = &b->p->measures[i];
		add(b, "measure", fmt(b, "measure.%s", m->id),
		    fmt(b, "%s: %s", m->title ? m->title : m->id, m->text ? m->text : ""), m->clause);
	}
}

static void
from_records(struct build *b)
{
	for (size_t i = 0; i < b->p->nrecords; i++) {
		const struct mamori_record_kind *k = &b->p->records[i];
		const char *roles[64];
		size_t n = 0;
		for (size_t t = 0; t < k->ntransitions; t++)
			for (size_t j = 0; j < k->transitions[t].nby && n < 64; j++) {
				const char *w = k->transitions[t].by[j];
				bool seen = mamori_policy_role(b->p, w) == NULL;	/* relations are not roles */
				for (size_t x = 0; !seen && x < n; x++)
					seen = strcmp(roles[x], w) == 0;
				if (!seen)
					roles[n++] = w;
			}
		struct mamori_check_item *it = add(b, "record", fmt(b, "record.%s", k->id),
		    fmt(b, "%s: %s", k->title ? k->title : k->id, k->text ? k->text : "記録し、定められた手続に従っている"),
		    k->clause);
		set_applies(b, it, roles, n);
	}
}

static struct mamori_check_item *
find(struct build *b, const char *id)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->items[i].id != NULL && strcmp(b->items[i].id, id) == 0)	/* NULL: dropped already */
			return &b->items[i];
	return NULL;
}

/* review.checklist: reword, drop, add. */
static void
overlay(struct build *b, size_t derived)
{
	for (size_t i = 0; i < b->p->review.nchecklist; i++) {
		const struct mamori_checklist_entry *e = &b->p->review.checklist[i];
		struct mamori_check_item *it = e->id ? find(b, e->id) : NULL;
		if (e->id == NULL || e->drop) {
			if (it != NULL)
				it->id = NULL;	/* swept below */
			continue;
		}
		if (it == NULL) {
			if (e->text == NULL || e->clause == NULL)
				continue;	/* policy check reports it */
			it = add(b, "policy", (char *)e->id, (char *)e->text, e->clause);
		} else {
			if (e->text)
				it->text = e->text;
			if (e->clause)
				it->clause = e->clause;
		}
		if (it != NULL && e->napplies_to > 0)
			set_applies(b, it, e->applies_to, e->napplies_to);
	}
	(void)derived;
	size_t w = 0;
	for (size_t r = 0; r < b->n; r++)
		if (b->items[r].id != NULL)
			b->items[w++] = b->items[r];
	b->n = w;
}

static void
mark_departments(struct build *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct mamori_check_item *it = &b->items[i];
		for (size_t k = 0; k < it->napplies_to && !it->department; k++) {
			const struct mamori_role *r = mamori_policy_role(b->p, it->applies_to[k]);
			it->department = r ? role_scope(r, "department") : mamori_policy_department(b->p, it->applies_to[k]) != NULL;
		}
	}
}

int
mamori_checklist_build(const struct mamori_policy *p, struct mamori_checklist **out, struct mamori_error *err)
{
	struct mamori_checklist *c = calloc(1, sizeof(*c));
	struct mamori_arena_owner *o = calloc(1, sizeof(*o));
	struct build b = { .p = p };

	*out = NULL;
	if (c == NULL || o == NULL) {
		free(c);
		free(o);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	b.a = &o->a;
	from_restrictions(&b);
	from_segments(&b);
	from_roles(&b);
	from_measures(&b);
	from_records(&b);
	overlay(&b, b.n);
	mark_departments(&b);
	c->items = b.items;
	c->n = b.n;
	c->owner = o;
	if (b.oom) {
		mamori_checklist_free(&c);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	*out = c;
	return 0;
}

void
mamori_checklist_free(struct mamori_checklist **c)
{
	if (c == NULL || *c == NULL)
		return;
	if ((*c)->owner != NULL)
		mamori_arena_free(&(*c)->owner->a);
	free((*c)->owner);
	free((*c)->items);
	free(*c);
	*c = NULL;
}

const struct mamori_check_item *
mamori_checklist_find(const struct mamori_checklist *c, const char *id)
{
	for (size_t i = 0; c != NULL && id != NULL && i < c->n; i++)
		if (strcmp(c->items[i].id, id) == 0)
			return &c->items[i];
	return NULL;
}

bool
mamori_checklist_asks(const struct mamori_policy *p, const struct mamori_check_item *item, const char *department)
{
	bool names_some = false;

	(void)p;
	for (size_t k = 0; k < item->napplies_to; k++) {
		if (mamori_policy_department(p, item->applies_to[k]) != NULL) {
			names_some = true;
			if (department != NULL && strcmp(item->applies_to[k], department) == 0)
				return true;
		}
	}
	/* an item that names 課 is theirs alone; else one for a role of scope department is every 課's */
	return !names_some && item->department;
}

cJSON *
mamori_checklist_json(const struct mamori_checklist *c)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a != NULL && i < c->n; i++) {
		const struct mamori_check_item *it = &c->items[i];
		cJSON *o = cJSON_CreateObject(), *to = cJSON_CreateArray();
		if (o == NULL || to == NULL) {
			cJSON_Delete(o);
			cJSON_Delete(to);
			cJSON_Delete(a);
			return NULL;
		}
		cJSON_AddStringToObject(o, "id", it->id);
		cJSON_AddStringToObject(o, "source", it->source);
		cJSON_AddStringToObject(o, "text", it->text);
		if (it->clause)
			cJSON_AddStringToObject(o, "clause", it->clause);
		else
			cJSON_AddNullToObject(o, "clause");
		for (size_t k = 0; k < it->napplies_to; k++)
			cJSON_AddItemToArray(to, cJSON_CreateString(it->applies_to[k]));
		cJSON_AddItemToObject(o, "applies_to", to);
		cJSON_AddBoolToObject(o, "department", it->department);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* ---- the policy's checks of review.checklist and review.risk ---- */

struct ccheck {
	const struct mamori_policy *p;
	struct mamori_diags *diags;
};

static void
check_report(const struct ccheck *c, enum mamori_severity sev, const struct mamori_srcpos *pos, const char *f, ...)
    __attribute__((format(printf, 4, 5)));

static void
check_report(const struct ccheck *c, enum mamori_severity sev, const struct mamori_srcpos *pos, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	policy_report(c->diags, sev, pos, &c->p->pos, "", f, ap);
	va_end(ap);
}

static void
check_checklist(const struct mamori_policy *p, struct mamori_diags *diags)
{
	const struct ccheck c = { .p = p, .diags = diags };
	struct mamori_checklist *derived = NULL;
	struct mamori_policy bare = *p;
	struct mamori_error err = { 0 };

	bare.review.nchecklist = 0;
	if (p->review.nchecklist == 0 || mamori_checklist_build(&bare, &derived, &err) != 0)
		return;
	for (size_t i = 0; i < p->review.nchecklist; i++) {
		const struct mamori_checklist_entry *e = &p->review.checklist[i];
		bool known = mamori_checklist_find(derived, e->id) != NULL;
		if (e->drop && !known)
			check_report(&c, MAMORI_SEV_ERROR, &e->pos, "review.checklist '%s': drop names no item "
			    "the policy derives (mamori check items lists them)", e->id);
		if (!e->drop && !known && (e->text == NULL || e->clause == NULL))
			check_report(&c, MAMORI_SEV_ERROR, &e->pos, "review.checklist '%s': a new item needs "
			    "text and clause", e->id);
		for (size_t k = 0; k < e->napplies_to; k++)
			if (mamori_policy_role(p, e->applies_to[k]) == NULL &&
			    mamori_policy_department(p, e->applies_to[k]) == NULL)
				check_report(&c, MAMORI_SEV_ERROR, &e->pos, "review.checklist '%s': applies_to "
				    "'%s' is neither a role nor a department of the policy", e->id, e->applies_to[k]);
	}
	mamori_checklist_free(&derived);
}

static void
check_scale(const struct mamori_policy *p, struct mamori_diags *diags, const struct mamori_risk_step *v, size_t n,
    const char *name)
{
	const struct ccheck c = { .p = p, .diags = diags };
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t k = 0; k < n; k++)
			found = found || v[k].level == (int)i + 1;
		if (!found)
			check_report(&c, MAMORI_SEV_ERROR, &p->review.risk.pos, "review.risk.%s: the levels must "
			    "run from 1 to %zu without a gap; %zu is missing", name, n, i + 1);
	}
}

void
policy_check_review(const struct mamori_policy *p, struct mamori_diags *diags)
{
	const struct mamori_risk_scales *r = &p->review.risk;
	const struct ccheck c = { .p = p, .diags = diags };

	check_checklist(p, diags);
	if (r->pos.file == NULL)
		return;
	check_scale(p, diags, r->likelihood, r->nlikelihood, "likelihood");
	check_scale(p, diags, r->impact, r->nimpact, "impact");
	if (r->accept > (int)(r->nlikelihood * r->nimpact))
		check_report(&c, MAMORI_SEV_ERROR, &r->pos, "review.risk.accept %d is above the highest score %zu",
		    r->accept, r->nlikelihood * r->nimpact);
}
