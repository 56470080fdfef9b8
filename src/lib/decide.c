/*
 * decide.c — the decision point.  Compiles a policy into tables indexed by
 * classification, action, segment and channel, so that deciding is a handful
 * of lookups and copies with no allocation (docs/decide.md).
 */
#include "mamori/decide.h"
#include "mamori/vocab.h"
#include "arena.h"
#include "strmap.h"
#include "suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AXES 3			/* confidentiality, integrity, availability */
#define LEVELS 10		/* levels 1..9; index 0 unused */
#define SEG_MAX 32
#define CHAN_MAX 8
#define ITEMS_PER_RULE 24

static const char *const axis_ids[AXES] = { "confidentiality", "integrity", "availability" };

/* What a restriction means per action: an obligation, or a denial on an
 * unissued terminal.  The vocabulary is mamori's; the wording is the policy's. */
enum effect {
	EFF_NONE = 0,
	EFF_OBLIGE = 1,
	EFF_DENY_UNISSUED = 2,
};

#define A(x) (1u << MAMORI_ACT_##x)
#define WORK (A(READ) | A(WRITE) | A(COPY) | A(PRINT) | A(SEND) | A(TAKE_OUT) | \
	      A(TRANSFER) | A(STORE) | A(PUBLISH))

static const struct {
	const char *id;
	enum effect effect;
	unsigned actions;
} restriction_effects[] = {
	{ "issued-terminal-only", EFF_DENY_UNISSUED, WORK },
	{ "no-excess-copies", EFF_OBLIGE, A(COPY) | A(PRINT) | A(SEND) | A(TRANSFER) },
	{ "restricted-storage", EFF_OBLIGE, A(STORE) },
	{ "encrypt-in-transit", EFF_OBLIGE, A(SEND) | A(TRANSFER) | A(TAKE_OUT) },
	{ "irreversible-disposal", EFF_OBLIGE, A(DISPOSE) },
	{ "trusted-network", EFF_OBLIGE, A(SEND) | A(TRANSFER) },
	{ "external-processing-rules", EFF_OBLIGE, A(TAKE_OUT) },
	{ "locked-media-storage", EFF_OBLIGE, A(STORE) | A(TAKE_OUT) },
	{ "backup", EFF_OBLIGE, A(WRITE) | A(STORE) },
	{ "electronic-signature", EFF_OBLIGE, A(SEND) | A(PUBLISH) },
	{ "timely-recovery", EFF_OBLIGE, A(STORE) },
};

/* Everything that depends only on (c, i, a, action). */
struct level_rule {
	struct mamori_decide_item obligations[ITEMS_PER_RULE];
	unsigned char nobligations;
	struct mamori_decide_item deny_unissued;	/* id NULL: none */
	struct mamori_decide_item deny_publish;		/* id NULL: none */
};

struct role_rule {
	const struct mamori_role *role;
	unsigned actions;	/* own and inherited */
	unsigned manage;	/* bits of mamori_manage_targets, own and inherited */
	int scope;		/* 0 all, 1 department, 2 none */
	const char *deny_text;	/* why an action outside its access is denied */
};

enum { SCOPE_ALL, SCOPE_DEPARTMENT, SCOPE_NONE };

struct seg_rule {
	const struct mamori_segment *seg;
	const struct mamori_requirement *mfa, *no_take_out, *isolated, *separation;
	const struct mamori_requirement *monitoring, *cloud;
};

struct asset_rule {
	const char *id;
	unsigned char levels[AXES];
	short department;	/* index into departments, -1 none */
	short segment;		/* -1 none */
};

struct mamori_decider {
	const struct mamori_policy *p;
	struct mamori_arena arena;
	int nlevels[AXES];		/* levels per axis (0: axis absent) */
	const struct mamori_axis *axes[AXES];
	struct level_rule *rules;	/* [c][i][a][action] */
	struct role_rule *roles;
	size_t nroles;
	struct seg_rule segs[SEG_MAX];
	size_t nsegs;
	const struct mamori_flow *flows[SEG_MAX][SEG_MAX][CHAN_MAX];
	struct mamori_strmap role_map, dept_map, seg_map, chan_map, asset_map;
	struct asset_rule *assets;
	size_t nassets;
	char *asset_ids;
	const char *no_role_clause;	/* 組織体制: acting needs a role */
};

static size_t
rule_index(int c, int i, int a, int act)
{
	return ((((size_t)c * LEVELS + (size_t)i) * LEVELS + (size_t)a) * MAMORI_ACT_COUNT) + (size_t)act;
}

const char *
mamori_action_name(enum mamori_action a)
{
	return (size_t)a < mamori_actions.count ? mamori_actions.entries[a].id : NULL;
}

int
mamori_action_parse(const char *name)
{
	for (size_t i = 0; name != NULL && i < mamori_actions.count; i++)
		if (strcmp(mamori_actions.entries[i].id, name) == 0)
			return (int)i;
	return -1;
}

/* ---- compilation ------------------------------------------------------ */

static unsigned
effect_actions(const char *restriction, enum effect *effect)
{
	for (size_t i = 0; i < sizeof(restriction_effects) / sizeof(restriction_effects[0]); i++) {
		if (strcmp(restriction_effects[i].id, restriction) == 0) {
			*effect = restriction_effects[i].effect;
			return restriction_effects[i].actions;
		}
	}
	*effect = EFF_NONE;
	return 0;
}

static void
rule_oblige(struct level_rule *r, const struct mamori_restriction *res)
{
	for (size_t k = 0; k < r->nobligations; k++)
		if (strcmp(r->obligations[k].id, res->id) == 0)
			return;		/* the same 取扱制限 from two axes counts once */
	if (r->nobligations < ITEMS_PER_RULE)
		r->obligations[r->nobligations++] = (struct mamori_decide_item){
			res->id, res->text, res->clause };
}

static void
rule_add_level(struct level_rule *r, const struct mamori_level *lv, int act)
{
	for (size_t k = 0; lv != NULL && k < lv->nrestrictions; k++) {
		const struct mamori_restriction *res = &lv->restrictions[k];
		enum effect e;
		unsigned acts = effect_actions(res->id, &e);

		if (!(acts & (1u << act)))
			continue;
		if (e == EFF_OBLIGE)
			rule_oblige(r, res);
		else if (e == EFF_DENY_UNISSUED && r->deny_unissued.id == NULL)
			r->deny_unissued = (struct mamori_decide_item){ res->id, res->text, res->clause };
	}
}

static void
compile_rule(struct mamori_decider *d, const int lv[AXES], int act)
{
	struct level_rule *r = &d->rules[rule_index(lv[0], lv[1], lv[2], act)];

	for (int ax = 0; ax < AXES; ax++)
		rule_add_level(r, mamori_policy_level(d->axes[ax], lv[ax]), act);
	/* Above the lowest confidentiality level, the criteria say the information
	 * is not premised on publication (直ちに一般公表することを前提としていない). */
	if (act == MAMORI_ACT_PUBLISH && d->axes[0] != NULL && lv[0] > 1) {
		const struct mamori_level *l = mamori_policy_level(d->axes[0], lv[0]);
		if (l != NULL)
			r->deny_publish = (struct mamori_decide_item){ "classified-not-public",
			    l->criteria, l->clause };
	}
}

static int
compile_levels(struct mamori_decider *d)
{
	int lv[AXES];

	for (int ax = 0; ax < AXES; ax++) {
		d->axes[ax] = mamori_policy_axis(d->p, axis_ids[ax]);
		d->nlevels[ax] = d->axes[ax] ? (int)d->axes[ax]->nlevels : 0;
		if (d->nlevels[ax] >= LEVELS)
			return MAMORI_E_INVALID;
	}
	d->rules = mamori_arena_alloc(&d->arena,
	    sizeof(struct level_rule) * LEVELS * LEVELS * LEVELS * MAMORI_ACT_COUNT);
	if (d->rules == NULL)
		return MAMORI_E_NOMEM;
	for (lv[0] = 1; lv[0] <= (d->nlevels[0] ? d->nlevels[0] : 1); lv[0]++)
		for (lv[1] = 1; lv[1] <= (d->nlevels[1] ? d->nlevels[1] : 1); lv[1]++)
			for (lv[2] = 1; lv[2] <= (d->nlevels[2] ? d->nlevels[2] : 1); lv[2]++)
				for (int act = 0; act < MAMORI_ACT_COUNT; act++)
					compile_rule(d, lv, act);
	return 0;
}

static unsigned
access_actions(const struct mamori_role_access *acc)
{
	unsigned mask = 0;

	for (size_t i = 0; i < acc->nactions; i++) {
		if (strcmp(acc->actions[i], "all") == 0)
			return (1u << MAMORI_ACT_COUNT) - 1;
		int a = mamori_action_parse(acc->actions[i]);
		if (a >= 0)
			mask |= 1u << a;
	}
	return mask;
}

static unsigned
access_manage(const struct mamori_role_access *acc)
{
	unsigned mask = 0;

	for (size_t i = 0; i < acc->nmanage; i++)
		for (size_t k = 0; k < mamori_manage_targets.count; k++)
			if (strcmp(acc->manage[i], mamori_manage_targets.entries[k].id) == 0)
				mask |= 1u << k;
	return mask;
}

static int
compile_roles(struct mamori_decider *d)
{
	const struct mamori_policy *p = d->p;

	d->nroles = p->nroles;
	d->roles = mamori_arena_alloc(&d->arena, sizeof(*d->roles) * (p->nroles + 1));
	if (d->roles == NULL || !mamori_strmap_init(&d->role_map, p->nroles + 1))
		return MAMORI_E_NOMEM;
	for (size_t i = 0; i < p->nroles; i++) {
		const struct mamori_role *r = &p->roles[i];
		struct role_rule *rr = &d->roles[i];

		rr->role = r;
		rr->actions = access_actions(&r->access);
		rr->manage = access_manage(&r->access);
		rr->scope = SCOPE_DEPARTMENT;
		if (r->access.scope && strcmp(r->access.scope, "all") == 0)
			rr->scope = SCOPE_ALL;
		else if (r->access.scope && strcmp(r->access.scope, "none") == 0)
			rr->scope = SCOPE_NONE;
		if (!mamori_strmap_put(&d->role_map, r->id, (int)i))
			return MAMORI_E_NOMEM;
	}
	for (size_t i = 0; i < p->nroles; i++) {
		char text[512];
		snprintf(text, sizeof(text), "役割「%.150s」の権限外の操作（%s）/ "
		    "outside the access of role '%.60s' (%s)", p->roles[i].title,
		    d->roles[i].scope == SCOPE_ALL ? "全所管課" : d->roles[i].scope == SCOPE_NONE ?
		    "権限なし" : "自所属の情報資産のみ", p->roles[i].id,
		    d->roles[i].scope == SCOPE_ALL ? "all departments" :
		    d->roles[i].scope == SCOPE_NONE ? "no access" : "own department's assets only");
		d->roles[i].deny_text = mamori_arena_strdup(&d->arena, text);
		if (d->roles[i].deny_text == NULL)
			return MAMORI_E_NOMEM;
	}
	/* The hierarchy: a role may do what its subordinates may.  Push each
	 * role's own actions up its reports_to chain (bounded: chains are acyclic). */
	for (size_t i = 0; i < p->nroles; i++) {
		unsigned own = access_actions(&p->roles[i].access);
		unsigned manage = access_manage(&p->roles[i].access);
		const struct mamori_role *up = &p->roles[i];
		for (size_t steps = 0; up->reports_to && steps < p->nroles; steps++) {
			int k = mamori_strmap_get(&d->role_map, up->reports_to);
			if (k < 0)
				break;
			d->roles[k].actions |= own;
			d->roles[k].manage |= manage;
			up = &p->roles[k];
		}
	}
	return 0;
}

static const struct mamori_requirement *
requirement(const struct mamori_segment *s, const char *id)
{
	for (size_t i = 0; i < s->nrequirements; i++)
		if (strcmp(s->requirements[i].id, id) == 0)
			return &s->requirements[i];
	return NULL;
}

static int
compile_segments(struct mamori_decider *d)
{
	const struct mamori_policy *p = d->p;

	if (p->nsegments > SEG_MAX || mamori_channels.count > CHAN_MAX)
		return MAMORI_E_INVALID;
	if (!mamori_strmap_init(&d->seg_map, p->nsegments + 1) ||
	    !mamori_strmap_init(&d->chan_map, mamori_channels.count))
		return MAMORI_E_NOMEM;
	d->nsegs = p->nsegments;
	for (size_t i = 0; i < p->nsegments; i++) {
		const struct mamori_segment *s = &p->segments[i];
		d->segs[i] = (struct seg_rule){ .seg = s,
			.mfa = requirement(s, "mfa"), .no_take_out = requirement(s, "no-take-out"),
			.isolated = requirement(s, "isolated"),
			.separation = requirement(s, "path-separation"),
			.monitoring = requirement(s, "monitoring"),
			.cloud = requirement(s, "security-cloud") };
		if (!mamori_strmap_put(&d->seg_map, s->id, (int)i))
			return MAMORI_E_NOMEM;
	}
	for (size_t i = 0; i < mamori_channels.count; i++)
		if (!mamori_strmap_put(&d->chan_map, mamori_channels.entries[i].id, (int)i))
			return MAMORI_E_NOMEM;
	for (size_t i = 0; i < p->nflows; i++) {
		const struct mamori_flow *f = &p->flows[i];
		int from = mamori_strmap_get(&d->seg_map, f->from);
		int to = mamori_strmap_get(&d->seg_map, f->to);
		int ch = mamori_strmap_get(&d->chan_map, f->channel);
		if (from >= 0 && to >= 0 && ch >= 0)
			d->flows[from][to][ch] = f;
	}
	return 0;
}

static int
compile_departments(struct mamori_decider *d)
{
	const struct mamori_organisation *o = &d->p->organisation;

	if (!mamori_strmap_init(&d->dept_map, o->ndepartments + 1))
		return MAMORI_E_NOMEM;
	for (size_t i = 0; i < o->ndepartments; i++)
		if (!mamori_strmap_put(&d->dept_map, o->departments[i].id, (int)i))
			return MAMORI_E_NOMEM;
	return 0;
}

int
mamori_decider_new(const struct mamori_policy *policy, struct mamori_decider **out,
    struct mamori_error *err)
{
	struct mamori_decider *d = calloc(1, sizeof(*d));
	int rc;

	*out = NULL;
	if (d == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	d->p = policy;
	/* a subject without a role is outside the 組織体制 the policy sets up */
	const struct mamori_measure *org = mamori_policy_measure(policy, "organisation");
	d->no_role_clause = org ? org->clause : policy->organisation.clause ? policy->organisation.clause : policy->id;
	if ((rc = compile_levels(d)) != 0 || (rc = compile_roles(d)) != 0 ||
	    (rc = compile_segments(d)) != 0 || (rc = compile_departments(d)) != 0) {
		mamori_decider_free(&d);
		return mamori_error_set(err, rc, rc == MAMORI_E_NOMEM ? "out of memory" :
		    "the policy is too large for the decision tables (at most 9 levels per axis, "
		    "%d segments)", SEG_MAX);
	}
	*out = d;
	return 0;
}

int
mamori_decider_set_assets(struct mamori_decider *d, const struct mamori_decide_asset *assets,
    size_t n, struct mamori_error *err)
{
	size_t bytes = 0;
	char *ids, *at;
	struct asset_rule *rules;
	struct mamori_strmap map;

	for (size_t i = 0; i < n; i++)
		bytes += strlen(assets[i].id) + 1;
	ids = malloc(bytes ? bytes : 1);
	rules = calloc(n ? n : 1, sizeof(*rules));
	if (ids == NULL || rules == NULL || !mamori_strmap_init(&map, n + 1)) {
		free(ids);
		free(rules);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	at = ids;
	for (size_t i = 0; i < n; i++) {
		const struct mamori_decide_asset *a = &assets[i];
		size_t len = strlen(a->id) + 1;
		memcpy(at, a->id, len);
		rules[i].id = at;
		at += len;
		for (int ax = 0; ax < AXES; ax++)
			rules[i].levels[ax] = (unsigned char)(a->levels[ax] > 0 && a->levels[ax] < LEVELS ?
			    a->levels[ax] : 1);
		rules[i].department = (short)mamori_strmap_get(&d->dept_map, a->department);
		rules[i].segment = (short)mamori_strmap_get(&d->seg_map, a->segment);
		mamori_strmap_put(&map, rules[i].id, (int)i);
	}
	mamori_strmap_free(&d->asset_map);
	free(d->assets);
	free(d->asset_ids);
	d->asset_map = map;
	d->assets = rules;
	d->nassets = n;
	d->asset_ids = ids;
	return 0;
}

void
mamori_decider_free(struct mamori_decider **dp)
{
	struct mamori_decider *d;

	if (dp == NULL || *dp == NULL)
		return;
	d = *dp;
	mamori_strmap_free(&d->role_map);
	mamori_strmap_free(&d->dept_map);
	mamori_strmap_free(&d->seg_map);
	mamori_strmap_free(&d->chan_map);
	mamori_strmap_free(&d->asset_map);
	free(d->assets);
	free(d->asset_ids);
	mamori_arena_free(&d->arena);
	free(d);
	*dp = NULL;
}

/* ---- deciding --------------------------------------------------------- */

/* The state of one evaluation; lives on the caller's stack. */
struct eval {
	const struct mamori_decider *d;
	const struct mamori_decide_request *req;
	struct mamori_decision *out;
	FILE *trace;
	int levels[AXES];
	int dept;		/* resource department, -1 none */
	int seg;		/* resource segment, -1 none */
	int term;		/* terminal segment, -1 none */
	int dest;		/* destination segment, -1 none */
	int chan;		/* channel, -1 none */
	int subject_dept;
	int roles[MAMORI_DECIDE_MAX_ROLES];	/* resolved role indexes */
};

static void
trace(struct eval *e, const char *ja, const char *en, const char *detail)
{
	if (e->trace != NULL)
		fprintf(e->trace, "- %s / %s%s%s\n", ja, en, detail ? ": " : "", detail ? detail : "");
}

static void
deny(struct eval *e, const char *id, const char *text, const char *clause)
{
	struct mamori_decision *o = e->out;

	o->allow = false;
	for (size_t k = 0; k < o->nreasons; k++)
		if (strcmp(o->reasons[k].id, id) == 0 && o->reasons[k].clause == clause)
			return;
	if (o->nreasons < MAMORI_DECIDE_MAX_ITEMS)
		o->reasons[o->nreasons++] = (struct mamori_decide_item){ id, text, clause };
	trace(e, "拒否", "deny", text);
}

static void
oblige(struct eval *e, const char *id, const char *text, const char *clause)
{
	struct mamori_decision *o = e->out;

	for (size_t k = 0; k < o->nobligations; k++)
		if (strcmp(o->obligations[k].id, id) == 0)
			return;
	if (o->nobligations < MAMORI_DECIDE_MAX_ITEMS)
		o->obligations[o->nobligations++] = (struct mamori_decide_item){ id, text, clause };
	trace(e, "義務", "obligation", text);
}

static bool
bad_request(struct eval *e, const char *field, const char *what, const char *value)
{
	struct mamori_decision *o = e->out;

	o->allow = false;
	o->error = what;
	snprintf(o->error_field, sizeof(o->error_field), "%s", field);
	snprintf(o->error_detail, sizeof(o->error_detail), "%s '%.100s'", what, value ? value : "");
	trace(e, "要求の誤り", "bad request", o->error_detail);
	return false;
}

/* Resolves an optional id; false (after filling the error, with a did-you-mean
 * from the map's keys) when it is unknown.  Only the error path does the search. */
static bool
resolve(struct eval *e, const struct mamori_strmap *m, const char *id, int *out,
    const char *field, const char *what)
{
	const char *hint;
	size_t used;

	*out = -1;
	if (id == NULL)
		return true;
	*out = mamori_strmap_get(m, id);
	if (*out >= 0)
		return true;
	bad_request(e, field, what, id);
	hint = mamori_suggest(id, m->keys, m->mask + 1);
	used = strlen(e->out->error_detail);
	if (hint != NULL)
		snprintf(e->out->error_detail + used, sizeof(e->out->error_detail) - used,
		    "; did you mean '%.40s'?", hint);
	return false;
}

static bool
resolve_request(struct eval *e)
{
	const struct mamori_decider *d = e->d;
	const struct mamori_decide_request *r = e->req;
	static const char *const role_fields[MAMORI_DECIDE_MAX_ROLES] = {
		"subject.roles[0]", "subject.roles[1]", "subject.roles[2]", "subject.roles[3]",
		"subject.roles[4]", "subject.roles[5]", "subject.roles[6]", "subject.roles[7]",
	};
	int unused;

	if (r->action < 0 || r->action >= MAMORI_ACT_COUNT)
		return bad_request(e, "action", "unknown action", "");
	for (size_t i = 0; i < r->nroles && i < MAMORI_DECIDE_MAX_ROLES; i++)
		if (!resolve(e, &d->role_map, r->roles[i], &e->roles[i], role_fields[i], "unknown role"))
			return false;
	(void)unused;
	if (!resolve(e, &d->dept_map, r->department, &e->subject_dept, "subject.department", "unknown department") ||
	    !resolve(e, &d->seg_map, r->terminal_segment, &e->term, "subject.terminal.segment", "unknown segment") ||
	    !resolve(e, &d->chan_map, r->channel, &e->chan, "context.channel", "unknown channel") ||
	    !resolve(e, &d->seg_map, r->destination_segment, &e->dest, "context.destination_segment", "unknown segment"))
		return false;
	if (r->asset != NULL) {
		int k = mamori_strmap_get(&d->asset_map, r->asset);
		if (k < 0)
			return bad_request(e, "resource.asset", "unknown asset", r->asset);
		const struct asset_rule *a = &d->assets[k];
		for (int ax = 0; ax < AXES; ax++)
			e->levels[ax] = a->levels[ax];
		e->dept = a->department;
		e->seg = a->segment;
		return true;
	}
	if (!resolve(e, &d->dept_map, r->resource_department, &e->dept, "resource.department", "unknown department") ||
	    !resolve(e, &d->seg_map, r->resource_segment, &e->seg, "resource.segment", "unknown segment"))
		return false;
	static const char *const level_fields[AXES] = {
		"resource.classification.confidentiality", "resource.classification.integrity",
		"resource.classification.availability",
	};
	for (int ax = 0; ax < AXES; ax++) {
		int lv = r->levels[ax] ? r->levels[ax] : 1;
		int max = d->nlevels[ax] ? d->nlevels[ax] : 1;
		if (lv < 1 || lv > max) {
			char v[16];
			snprintf(v, sizeof(v), "%d", r->levels[ax]);
			return bad_request(e, level_fields[ax], "level out of range", v);
		}
		e->levels[ax] = lv;
	}
	return true;
}

/* Roles and departments: may this subject act on this department's asset? */
static void
check_access(struct eval *e)
{
	const struct mamori_decider *d = e->d;
	const struct mamori_decide_request *r = e->req;
	unsigned bit = 1u << r->action;
	const struct role_rule *first = NULL;

	for (size_t i = 0; i < r->nroles && i < MAMORI_DECIDE_MAX_ROLES; i++) {
		const struct role_rule *rr = &d->roles[e->roles[i]];
		if (first == NULL)
			first = rr;
		if (!(rr->actions & bit) || rr->scope == SCOPE_NONE)
			continue;
		if (rr->scope == SCOPE_ALL || e->dept < 0 || e->dept == e->subject_dept) {
			trace(e, "権限あり", "permitted by role", rr->role->title);
			return;
		}
	}
	if (first == NULL) {
		deny(e, "no-role", "役割のない者は情報資産を取り扱えない / a subject without a role may not act",
		    d->no_role_clause);
		return;
	}
	/* Cite the first role: its access clause says what it may do. */
	deny(e, "role-not-permitted", first->deny_text,
	    first->role->access.clause ? first->role->access.clause : first->role->clause);
}

static void
check_classification(struct eval *e)
{
	const struct mamori_decide_request *r = e->req;
	const struct level_rule *rule =
	    &e->d->rules[rule_index(e->levels[0], e->levels[1], e->levels[2], r->action)];

	if (rule->deny_unissued.id != NULL && !r->terminal_issued)
		deny(e, rule->deny_unissued.id, rule->deny_unissued.text, rule->deny_unissued.clause);
	if (rule->deny_publish.id != NULL)
		deny(e, rule->deny_publish.id, rule->deny_publish.text, rule->deny_publish.clause);
	/* the rule's obligations are unique already (compile time) and come first */
	if (e->trace == NULL && e->out->nobligations == 0) {
		memcpy(e->out->obligations, rule->obligations, rule->nobligations * sizeof(rule->obligations[0]));
		e->out->nobligations = rule->nobligations;
		return;
	}
	for (size_t k = 0; k < rule->nobligations; k++)
		oblige(e, rule->obligations[k].id, rule->obligations[k].text, rule->obligations[k].clause);
}

static void
check_segment_requirements(struct eval *e)
{
	const struct mamori_decide_request *r = e->req;
	const int where[2] = { e->term, e->seg };

	for (int k = 0; k < 2; k++) {
		if (where[k] < 0 || (k == 1 && where[1] == where[0]))
			continue;
		const struct seg_rule *s = &e->d->segs[where[k]];
		if (s->mfa != NULL && !r->mfa)
			deny(e, "mfa", s->mfa->text, s->mfa->clause);
		if (s->no_take_out != NULL && r->action == MAMORI_ACT_TAKE_OUT)
			deny(e, "no-take-out", s->no_take_out->text, s->no_take_out->clause);
	}
}

/* The requirement that explains why a flow out of or into a segment is denied. */
static const struct mamori_requirement *
separation_reason(const struct seg_rule *from, const struct seg_rule *to)
{
	if (from->isolated)
		return from->isolated;
	if (to->isolated)
		return to->isolated;
	if (from->separation)
		return from->separation;
	return to->separation;
}

static void
check_flow(struct eval *e, int from, int to)
{
	const struct mamori_decider *d = e->d;
	const struct seg_rule *fs = &d->segs[from], *ts = &d->segs[to];
	const struct mamori_flow *f = e->chan >= 0 ? d->flows[from][to][e->chan] : NULL;

	if (f == NULL) {
		const struct mamori_requirement *why = separation_reason(fs, ts);
		trace(e, "セグメント間の通信", "cross-segment flow", e->chan >= 0 ?
		    "no allowed flow for this channel (default deny)" : "no channel given (default deny)");
		if (why != NULL)
			deny(e, "flow-denied", why->text, why->clause);
		else
			deny(e, "flow-denied", "許可されていないセグメント間の通信（既定で拒否）/ "
			    "flow between segments not allowed by the policy (default deny)",
			    fs->seg->clause);
		return;
	}
	trace(e, "許可された通信", "allowed flow", f->clause);
	if (strcmp(f->sanitization, "none") != 0) {
		const struct mamori_vocab_entry *v = mamori_vocab_find(&mamori_sanitizations, f->sanitization);
		oblige(e, f->sanitization, f->text ? f->text : v ? v->title : f->sanitization, f->clause);
	}
	for (int k = 0; k < 2; k++) {
		const struct seg_rule *s = k ? ts : fs;
		if (s->monitoring)
			oblige(e, "monitoring", s->monitoring->text, s->monitoring->clause);
		if (s->cloud && (e->chan == 0 || e->chan == 1))	/* mail, web */
			oblige(e, "security-cloud", s->cloud->text, s->cloud->clause);
	}
}

/* Where data moves, for this action: from the resource's segment (or the
 * terminal's) to the destination; reads pull into the terminal's segment,
 * writes push into the resource's. */
static void
check_segments(struct eval *e)
{
	const struct mamori_decide_request *r = e->req;
	int src = e->seg >= 0 ? e->seg : e->term;

	switch (r->action) {
	case MAMORI_ACT_SEND:
	case MAMORI_ACT_TRANSFER:
	case MAMORI_ACT_COPY:
		if (e->dest >= 0 && src >= 0 && e->dest != src)
			check_flow(e, src, e->dest);
		else if (r->action == MAMORI_ACT_COPY && e->term >= 0 && e->seg >= 0 && e->term != e->seg)
			check_flow(e, e->seg, e->term);
		break;
	case MAMORI_ACT_READ:
	case MAMORI_ACT_PRINT:
		if (e->term >= 0 && e->seg >= 0 && e->term != e->seg)
			check_flow(e, e->seg, e->term);
		break;
	case MAMORI_ACT_WRITE:
	case MAMORI_ACT_STORE:
		if (e->term >= 0 && e->seg >= 0 && e->term != e->seg)
			check_flow(e, e->term, e->seg);
		break;
	default:
		break;
	}
}

void
mamori_decide_explain(const struct mamori_decider *d, const struct mamori_decide_request *req,
    struct mamori_decision *out, FILE *tr)
{
	struct eval e = { .d = d, .req = req, .out = out, .trace = tr };

	out->allow = true;
	out->error = NULL;
	out->nobligations = 0;
	out->nreasons = 0;
	if (!resolve_request(&e))
		return;
	if (tr != NULL)
		fprintf(tr, "- 要求 / request: %s, 機密性%d 完全性%d 可用性%d\n",
		    mamori_action_name((enum mamori_action)req->action), e.levels[0], e.levels[1], e.levels[2]);
	check_access(&e);
	check_classification(&e);
	check_segment_requirements(&e);
	check_segments(&e);
	if (!out->allow)
		out->nobligations = 0;	/* a denied action carries no obligations */
	if (tr != NULL)
		fprintf(tr, "- 結論 / decision: %s\n", out->allow ? "許可 allow" : "拒否 deny");
}

void
mamori_decide(const struct mamori_decider *d, const struct mamori_decide_request *req,
    struct mamori_decision *out)
{
	mamori_decide_explain(d, req, out, NULL);
}

bool
mamori_decider_role_permits(const struct mamori_decider *d, const char *role, int action,
    const char *subject_department, const char *resource_department)
{
	int k = mamori_strmap_get(&d->role_map, role);
	const struct role_rule *rr;

	if (k < 0 || action < 0 || action >= MAMORI_ACT_COUNT)
		return false;
	rr = &d->roles[k];
	if (!(rr->actions & (1u << action)) || rr->scope == SCOPE_NONE)
		return false;
	return rr->scope == SCOPE_ALL || resource_department == NULL ||
	    (subject_department != NULL && strcmp(subject_department, resource_department) == 0);
}

bool
mamori_decider_role_manages(const struct mamori_decider *d, const char *role, const char *what,
    const char *subject_department, const char *target_department)
{
	int k = mamori_strmap_get(&d->role_map, role);
	const struct role_rule *rr;
	unsigned bit = 0;

	for (size_t i = 0; i < mamori_manage_targets.count; i++)
		if (strcmp(what, mamori_manage_targets.entries[i].id) == 0)
			bit = 1u << i;
	if (k < 0 || bit == 0)
		return false;
	rr = &d->roles[k];
	if (!(rr->manage & bit) || rr->scope == SCOPE_NONE)
		return false;
	/* a department-scoped manager manages its own department only, and
	 * nothing outside every department (a target without one) */
	return rr->scope == SCOPE_ALL || (subject_department != NULL && target_department != NULL &&
	    strcmp(subject_department, target_department) == 0);
}

bool
mamori_decider_role_covers(const struct mamori_decider *d, const char *role, const char *other)
{
	const struct mamori_policy *p = d->p;
	int k = mamori_strmap_get(&d->role_map, other);

	if (k < 0 || mamori_strmap_get(&d->role_map, role) < 0)
		return false;
	/* walk up from other; reports_to chains are acyclic and at most nroles long */
	for (size_t steps = 0; k >= 0 && steps <= p->nroles; steps++) {
		const struct mamori_role *r = &p->roles[k];
		if (strcmp(r->id, role) == 0)
			return true;
		k = r->reports_to ? mamori_strmap_get(&d->role_map, r->reports_to) : -1;
	}
	return false;
}
