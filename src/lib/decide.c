/*
 * decide.c — the decision point.  Compiles a policy into tables indexed by
 * classification, action, segment and channel (docs/decide.md).  Deciding a
 * prepared request (ids already turned into indexes) is a few range checks, two
 * table lookups, action bitmasks and copies of precompiled items: no allocation
 * and no string comparison.  mamori_decide resolves the request's ids through
 * hash maps first (mamori_decide_prepare) and then decides the same way.
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
#define LEVELS 10		/* levels 1..9 */
#define SEG_MAX 32
#define CHAN_MAX 8
#define ITEMS_PER_RULE 24
#define FLOW_ITEMS 5		/* a sanitization, monitoring and security-cloud of two segments */

static const char *const axis_ids[AXES] = { "confidentiality", "integrity", "availability" };

/* The decision point's own item ids, one object each: reasons are told apart
 * by pointer before any string is compared. */
static const char ID_MFA[] = "mfa";
static const char ID_NO_TAKE_OUT[] = "no-take-out";
static const char ID_FLOW_DENIED[] = "flow-denied";
static const char ID_NO_ROLE[] = "no-role";
static const char ID_ROLE_NOT_PERMITTED[] = "role-not-permitted";
static const char ID_NOT_PUBLIC[] = "classified-not-public";
static const char ID_MONITORING[] = "monitoring";
static const char ID_CLOUD[] = "security-cloud";

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

/* Everything that depends only on (c, i, a, action); the fields read on every
 * decision come first. */
struct level_rule {
	unsigned char nobligations;
	struct mamori_decide_item deny_unissued;	/* id NULL: none */
	struct mamori_decide_item deny_publish;		/* id NULL: none */
	struct mamori_decide_item obligations[ITEMS_PER_RULE];
};

enum { SCOPE_ALL, SCOPE_DEPARTMENT, SCOPE_NONE };

struct role_rule {
	const struct mamori_role *role;
	unsigned actions;	/* own and inherited */
	unsigned manage;	/* bits of mamori_manage_targets, own and inherited */
	int scope;		/* SCOPE_* */
	struct mamori_decide_item deny;	/* role-not-permitted, citing the role's access clause */
};

struct seg_rule {
	const struct mamori_segment *seg;
	const struct mamori_requirement *mfa, *no_take_out, *isolated, *separation;
	const struct mamori_requirement *monitoring, *cloud;
	struct mamori_decide_item mfa_item, no_take_out_item;	/* id NULL: no such requirement */
};

/* Data crossing from one segment to another over one channel (or none given). */
struct flow_rule {
	const struct mamori_flow *flow;		/* NULL: no such flow (default deny) */
	struct mamori_decide_item deny;		/* flow-denied, citing the separation */
	unsigned char nobligations;
	struct mamori_decide_item obligations[FLOW_ITEMS];	/* unique by id */
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
	int maxlv[AXES];		/* the highest valid level: nlevels, or 1 when absent */
	const struct mamori_axis *axes[AXES];
	struct level_rule *rules;	/* by rule_index */
	struct role_rule *roles;
	size_t nroles;
	struct seg_rule segs[SEG_MAX];
	size_t nsegs;
	size_t ndepts;
	struct flow_rule *flows;	/* by flow_index */
	bool flow_ids_overlap;		/* a flow obligation shares an id with a restriction */
	struct mamori_strmap role_map, dept_map, seg_map, chan_map, asset_map;
	struct asset_rule *assets;
	size_t nassets;
	char *asset_ids;
	struct mamori_decide_item no_role;	/* 組織体制: acting needs a role */
};

static size_t
rule_index(const struct mamori_decider *d, const unsigned char lv[AXES], int act)
{
	return ((((size_t)(lv[0] - 1) * (size_t)d->maxlv[1] + (size_t)(lv[1] - 1)) *
	    (size_t)d->maxlv[2] + (size_t)(lv[2] - 1)) * MAMORI_ACT_COUNT) + (size_t)act;
}

/* channel is an index into mamori_channels or -1 (none given) */
static size_t
flow_index(const struct mamori_decider *d, int from, int to, int channel)
{
	return ((size_t)from * d->nsegs + (size_t)to) * (CHAN_MAX + 1) + (size_t)(channel + 1);
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

int
mamori_decide_channel(const char *name)
{
	for (size_t i = 0; name != NULL && i < mamori_channels.count; i++)
		if (strcmp(mamori_channels.entries[i].id, name) == 0)
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
compile_rule(struct mamori_decider *d, const unsigned char lv[AXES], int act)
{
	struct level_rule *r = &d->rules[rule_index(d, lv, act)];

	for (int ax = 0; ax < AXES; ax++)
		rule_add_level(r, mamori_policy_level(d->axes[ax], lv[ax]), act);
	/* Above the lowest confidentiality level, the criteria say the information
	 * is not premised on publication (直ちに一般公表することを前提としていない). */
	if (act == MAMORI_ACT_PUBLISH && d->axes[0] != NULL && lv[0] > 1) {
		const struct mamori_level *l = mamori_policy_level(d->axes[0], lv[0]);
		if (l != NULL)
			r->deny_publish = (struct mamori_decide_item){ ID_NOT_PUBLIC,
			    l->criteria, l->clause };
	}
}

static int
compile_levels(struct mamori_decider *d)
{
	unsigned char lv[AXES];

	for (int ax = 0; ax < AXES; ax++) {
		d->axes[ax] = mamori_policy_axis(d->p, axis_ids[ax]);
		d->nlevels[ax] = d->axes[ax] ? (int)d->axes[ax]->nlevels : 0;
		if (d->nlevels[ax] >= LEVELS)
			return MAMORI_E_INVALID;
		d->maxlv[ax] = d->nlevels[ax] ? d->nlevels[ax] : 1;
	}
	d->rules = mamori_arena_alloc(&d->arena, sizeof(struct level_rule) *
	    (size_t)d->maxlv[0] * (size_t)d->maxlv[1] * (size_t)d->maxlv[2] * MAMORI_ACT_COUNT);
	if (d->rules == NULL)
		return MAMORI_E_NOMEM;
	for (lv[0] = 1; lv[0] <= d->maxlv[0]; lv[0]++)
		for (lv[1] = 1; lv[1] <= d->maxlv[1]; lv[1]++)
			for (lv[2] = 1; lv[2] <= d->maxlv[2]; lv[2]++)
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
		struct role_rule *rr = &d->roles[i];
		char text[512];
		snprintf(text, sizeof(text), "役割「%.150s」の権限外の操作（%s）/ "
		    "outside the access of role '%.60s' (%s)", p->roles[i].title,
		    rr->scope == SCOPE_ALL ? "全所管課" : rr->scope == SCOPE_NONE ?
		    "権限なし" : "自所属の情報資産のみ", p->roles[i].id,
		    rr->scope == SCOPE_ALL ? "all departments" :
		    rr->scope == SCOPE_NONE ? "no access" : "own department's assets only");
		/* cite the role's access clause: it says what the role may do */
		rr->deny = (struct mamori_decide_item){ ID_ROLE_NOT_PERMITTED,
			mamori_arena_strdup(&d->arena, text),
			p->roles[i].access.clause ? p->roles[i].access.clause : p->roles[i].clause };
		if (rr->deny.text == NULL)
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

static struct mamori_decide_item
requirement_item(const char *id, const struct mamori_requirement *r)
{
	return r ? (struct mamori_decide_item){ id, r->text, r->clause } :
	    (struct mamori_decide_item){ NULL, NULL, NULL };
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
flow_oblige(struct flow_rule *fr, const char *id, const char *text, const char *clause)
{
	for (size_t k = 0; k < fr->nobligations; k++)
		if (strcmp(fr->obligations[k].id, id) == 0)
			return;
	if (fr->nobligations < FLOW_ITEMS)
		fr->obligations[fr->nobligations++] = (struct mamori_decide_item){ id, text, clause };
}

/* Whether id is also the id of a restriction that obliges: then the two lists
 * an answer joins must be merged by id at decision time. */
static bool
is_restriction_id(const char *id)
{
	enum effect e;

	return effect_actions(id, &e) != 0;
}

/* What crossing from → to over channel ch (-1: none given) means. */
static void
compile_flow(struct mamori_decider *d, int from, int to, int ch, const struct mamori_flow *f)
{
	const struct seg_rule *fs = &d->segs[from], *ts = &d->segs[to];
	struct flow_rule *fr = &d->flows[flow_index(d, from, to, ch)];

	fr->flow = f;
	if (f == NULL) {
		const struct mamori_requirement *why = separation_reason(fs, ts);
		fr->deny = why ? (struct mamori_decide_item){ ID_FLOW_DENIED, why->text, why->clause } :
		    (struct mamori_decide_item){ ID_FLOW_DENIED,
			"許可されていないセグメント間の通信（既定で拒否）/ "
			"flow between segments not allowed by the policy (default deny)", fs->seg->clause };
		return;
	}
	if (strcmp(f->sanitization, "none") != 0) {
		const struct mamori_vocab_entry *v = mamori_vocab_find(&mamori_sanitizations, f->sanitization);
		flow_oblige(fr, f->sanitization, f->text ? f->text : v ? v->title : f->sanitization, f->clause);
	}
	for (int k = 0; k < 2; k++) {
		const struct seg_rule *s = k ? ts : fs;
		if (s->monitoring)
			flow_oblige(fr, ID_MONITORING, s->monitoring->text, s->monitoring->clause);
		if (s->cloud && (ch == 0 || ch == 1))	/* mail, web */
			flow_oblige(fr, ID_CLOUD, s->cloud->text, s->cloud->clause);
	}
	for (size_t k = 0; k < fr->nobligations; k++)
		if (is_restriction_id(fr->obligations[k].id))
			d->flow_ids_overlap = true;
}

static int
compile_segments(struct mamori_decider *d)
{
	const struct mamori_policy *p = d->p;
	const struct mamori_flow *(*table)[SEG_MAX][CHAN_MAX];	/* [from][to][channel] */

	if (p->nsegments > SEG_MAX || mamori_channels.count > CHAN_MAX)
		return MAMORI_E_INVALID;
	table = mamori_arena_alloc(&d->arena, sizeof(*table) * SEG_MAX);
	if (table == NULL || !mamori_strmap_init(&d->seg_map, p->nsegments + 1) ||
	    !mamori_strmap_init(&d->chan_map, mamori_channels.count))
		return MAMORI_E_NOMEM;
	d->nsegs = p->nsegments;
	for (size_t i = 0; i < p->nsegments; i++) {
		const struct mamori_segment *s = &p->segments[i];
		struct seg_rule *sr = &d->segs[i];
		*sr = (struct seg_rule){ .seg = s,
			.mfa = requirement(s, "mfa"), .no_take_out = requirement(s, "no-take-out"),
			.isolated = requirement(s, "isolated"),
			.separation = requirement(s, "path-separation"),
			.monitoring = requirement(s, "monitoring"),
			.cloud = requirement(s, "security-cloud") };
		sr->mfa_item = requirement_item(ID_MFA, sr->mfa);
		sr->no_take_out_item = requirement_item(ID_NO_TAKE_OUT, sr->no_take_out);
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
			table[from][to][ch] = f;
	}
	d->flows = mamori_arena_alloc(&d->arena, sizeof(*d->flows) *
	    (d->nsegs ? d->nsegs * d->nsegs : 1) * (CHAN_MAX + 1));
	if (d->flows == NULL)
		return MAMORI_E_NOMEM;
	for (int from = 0; from < (int)d->nsegs; from++)
		for (int to = 0; to < (int)d->nsegs; to++)
			for (int ch = -1; ch < (int)mamori_channels.count; ch++)
				compile_flow(d, from, to, ch, ch >= 0 ? table[from][to][ch] : NULL);
	return 0;
}

static int
compile_departments(struct mamori_decider *d)
{
	const struct mamori_organisation *o = &d->p->organisation;

	d->ndepts = o->ndepartments;
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
	d->no_role = (struct mamori_decide_item){ ID_NO_ROLE,
		"役割のない者は情報資産を取り扱えない / a subject without a role may not act",
		org ? org->clause : policy->organisation.clause ? policy->organisation.clause : policy->id };
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

int
mamori_decider_segment(const struct mamori_decider *d, const char *id)
{
	return mamori_strmap_get(&d->seg_map, id);
}

int
mamori_decider_department(const struct mamori_decider *d, const char *id)
{
	return mamori_strmap_get(&d->dept_map, id);
}

/* ---- resolving ids: the request's strings to the tables' indexes ------- */

static void
trace(FILE *tr, const char *ja, const char *en, const char *detail)
{
	if (tr != NULL)
		fprintf(tr, "- %s / %s%s%s\n", ja, en, detail ? ": " : "", detail ? detail : "");
}

static void
reset(struct mamori_decision *out)
{
	out->allow = true;
	out->error = NULL;
	out->nobligations = 0;
	out->nreasons = 0;
}

static bool
bad_request(struct mamori_decision *o, FILE *tr, const char *field, const char *what,
    const char *value)
{
	o->allow = false;
	o->error = what;
	snprintf(o->error_field, sizeof(o->error_field), "%s", field);
	snprintf(o->error_detail, sizeof(o->error_detail), "%s '%.100s'", what, value ? value : "");
	trace(tr, "要求の誤り", "bad request", o->error_detail);
	return false;
}

/* Resolves an optional id; false (after filling the error, with a did-you-mean
 * from the map's keys) when it is unknown.  Only the error path does the search. */
static bool
resolve(struct mamori_decision *o, FILE *tr, const struct mamori_strmap *m, const char *id,
    int *out, const char *field, const char *what)
{
	const char *hint;
	size_t used;

	*out = -1;
	if (id == NULL)
		return true;
	*out = mamori_strmap_get(m, id);
	if (*out >= 0)
		return true;
	bad_request(o, tr, field, what, id);
	hint = mamori_suggest(id, m->keys, m->mask + 1);
	used = strlen(o->error_detail);
	if (hint != NULL)
		snprintf(o->error_detail + used, sizeof(o->error_detail) - used,
		    "; did you mean '%.40s'?", hint);
	return false;
}

static bool
prepare_subject(const struct mamori_decider *d, const struct mamori_decide_request *r,
    struct mamori_decide_subject *s, struct mamori_decision *o, FILE *tr)
{
	static const char *const role_fields[MAMORI_DECIDE_MAX_ROLES] = {
		"subject.roles[0]", "subject.roles[1]", "subject.roles[2]", "subject.roles[3]",
		"subject.roles[4]", "subject.roles[5]", "subject.roles[6]", "subject.roles[7]",
	};
	int k, dept, term;

	memset(s, 0, sizeof(*s));
	/* the register's terminal is resolved by the records engine (a hook) and
	 * taken off the request; one still here has no register to be read in */
	if (r->terminal_id != NULL)
		return bad_request(o, tr, "subject.terminal.id", "no terminal register without a store (--db): unknown terminal",
		    r->terminal_id);
	for (size_t i = 0; i < r->nroles && i < MAMORI_DECIDE_MAX_ROLES; i++) {
		if (!resolve(o, tr, &d->role_map, r->roles[i], &k, role_fields[i], "unknown role"))
			return false;
		if (k < 0)
			return bad_request(o, tr, role_fields[i], "unknown role", "");
		const struct role_rule *rr = &d->roles[k];
		/* what the roles permit, folded into two action masks by scope */
		if (rr->scope == SCOPE_ALL)
			s->may_any |= (unsigned short)rr->actions;
		else if (rr->scope == SCOPE_DEPARTMENT)
			s->may_own |= (unsigned short)rr->actions;
		s->roles[s->nroles++] = (short)k;
	}
	if (!resolve(o, tr, &d->dept_map, r->department, &dept, "subject.department", "unknown department") ||
	    !resolve(o, tr, &d->seg_map, r->terminal_segment, &term, "subject.terminal.segment", "unknown segment"))
		return false;
	s->department = (short)dept;
	s->terminal = (short)term;
	s->mfa = r->mfa;
	s->issued = r->terminal_issued;
	return true;
}

static bool
prepare_resource(const struct mamori_decider *d, const struct mamori_decide_request *r,
    struct mamori_decide_resource *res, struct mamori_decision *o, FILE *tr)
{
	static const char *const level_fields[AXES] = {
		"resource.classification.confidentiality", "resource.classification.integrity",
		"resource.classification.availability",
	};
	int dept, seg;

	if (r->asset != NULL) {
		int k = mamori_strmap_get(&d->asset_map, r->asset);
		if (k < 0)
			return bad_request(o, tr, "resource.asset", "unknown asset", r->asset);
		const struct asset_rule *a = &d->assets[k];
		for (int ax = 0; ax < AXES; ax++) {
			if (a->levels[ax] > d->maxlv[ax])
				return bad_request(o, tr, "resource.asset",
				    "asset classified above the policy's levels", r->asset);
			res->levels[ax] = a->levels[ax];
		}
		res->department = a->department;
		res->segment = a->segment;
		return true;
	}
	if (!resolve(o, tr, &d->dept_map, r->resource_department, &dept, "resource.department", "unknown department") ||
	    !resolve(o, tr, &d->seg_map, r->resource_segment, &seg, "resource.segment", "unknown segment"))
		return false;
	for (int ax = 0; ax < AXES; ax++) {
		int lv = r->levels[ax] ? r->levels[ax] : 1;
		if (lv < 1 || lv > d->maxlv[ax]) {
			char v[16];
			snprintf(v, sizeof(v), "%d", r->levels[ax]);
			return bad_request(o, tr, level_fields[ax], "level out of range", v);
		}
		res->levels[ax] = (unsigned char)lv;
	}
	res->department = (short)dept;
	res->segment = (short)seg;
	return true;
}

/* Resolves in the order the fields are reported: action, subject, context, resource. */
static bool
prepare(const struct mamori_decider *d, const struct mamori_decide_request *r,
    struct mamori_decide_subject *s, struct mamori_decide_resource *res,
    struct mamori_decide_context *c, struct mamori_decision *o, FILE *tr)
{
	int chan, dest;

	reset(o);
	if (c != NULL && (r->action < 0 || r->action >= MAMORI_ACT_COUNT))
		return bad_request(o, tr, "action", "unknown action", "");
	if (s != NULL && !prepare_subject(d, r, s, o, tr))
		return false;
	if (c != NULL) {
		if (!resolve(o, tr, &d->chan_map, r->channel, &chan, "context.channel", "unknown channel") ||
		    !resolve(o, tr, &d->seg_map, r->destination_segment, &dest, "context.destination_segment", "unknown segment"))
			return false;
		*c = (struct mamori_decide_context){ r->action, chan, dest };
	}
	return res == NULL || prepare_resource(d, r, res, o, tr);
}

bool
mamori_decide_prepare(const struct mamori_decider *d, const struct mamori_decide_request *req,
    struct mamori_decide_subject *subject, struct mamori_decide_resource *resource,
    struct mamori_decide_context *context, struct mamori_decision *out)
{
	return prepare(d, req, subject, resource, context, out, NULL);
}

/* ---- deciding: indexes only -------------------------------------------- */

/* Adds a reason unless the same one (id and clause) is there; denies. */
static void
deny(struct mamori_decision *o, const struct mamori_decide_item *it, FILE *tr)
{
	o->allow = false;
	for (size_t k = 0; k < o->nreasons; k++)
		if (o->reasons[k].clause == it->clause &&
		    (o->reasons[k].id == it->id || strcmp(o->reasons[k].id, it->id) == 0))
			return;
	if (o->nreasons < MAMORI_DECIDE_MAX_ITEMS)
		o->reasons[o->nreasons++] = *it;
	trace(tr, "拒否", "deny", it->text);
}

/* Adds an obligation unless one with its id is there (the slow, traced path). */
static void
oblige(struct mamori_decision *o, const struct mamori_decide_item *it, FILE *tr)
{
	for (size_t k = 0; k < o->nobligations; k++)
		if (o->obligations[k].id == it->id || strcmp(o->obligations[k].id, it->id) == 0)
			return;
	if (o->nobligations < MAMORI_DECIDE_MAX_ITEMS)
		o->obligations[o->nobligations++] = *it;
	trace(tr, "義務", "obligation", it->text);
}

/* Where data moves, for this action: from the resource's segment (or the
 * terminal's) to the destination; reads pull into the terminal's segment,
 * writes push into the resource's.  NULL: it stays in one segment. */
static const struct flow_rule *
flow_of(const struct mamori_decider *d, int term, int seg, const struct mamori_decide_context *c)
{
	int src = seg >= 0 ? seg : term;

	switch (c->action) {
	case MAMORI_ACT_SEND:
	case MAMORI_ACT_TRANSFER:
	case MAMORI_ACT_COPY:
		if (c->destination >= 0 && src >= 0 && c->destination != src)
			return &d->flows[flow_index(d, src, c->destination, c->channel)];
		if (c->action == MAMORI_ACT_COPY && term >= 0 && seg >= 0 && term != seg)
			return &d->flows[flow_index(d, seg, term, c->channel)];
		return NULL;
	case MAMORI_ACT_READ:
	case MAMORI_ACT_PRINT:
		return term >= 0 && seg >= 0 && term != seg ? &d->flows[flow_index(d, seg, term, c->channel)] : NULL;
	case MAMORI_ACT_WRITE:
	case MAMORI_ACT_STORE:
		return term >= 0 && seg >= 0 && term != seg ? &d->flows[flow_index(d, term, seg, c->channel)] : NULL;
	default:
		return NULL;
	}
}

/* The first role that permits, for the trace. */
static const struct role_rule *
permitting_role(const struct mamori_decider *d, const struct mamori_decide_subject *s,
    const struct mamori_decide_resource *r, unsigned bit)
{
	for (size_t i = 0; i < s->nroles; i++) {
		const struct role_rule *rr = &d->roles[s->roles[i]];
		if ((rr->actions & bit) && (rr->scope == SCOPE_ALL || (rr->scope == SCOPE_DEPARTMENT &&
		    (r->department < 0 || r->department == s->department))))
			return rr;
	}
	return NULL;
}

/*
 * The evaluation (docs/decide.md, steps 2–5) on a validated prepared request.
 * Steps only add reasons; obligations are copied at the end, and only for an
 * allow (a denied action carries none).  With a trace, obligations are added
 * one by one where they arise so that the trace shows them in order.
 */
static void
evaluate(const struct mamori_decider *d, const struct mamori_decide_subject *s,
    const struct mamori_decide_resource *r, const struct mamori_decide_context *c,
    struct mamori_decision *o, FILE *tr)
{
	unsigned bit = 1u << c->action;
	const struct level_rule *rule = &d->rules[rule_index(d, r->levels, c->action)];
	const struct flow_rule *flow;

	/* 2. roles and departments */
	if ((s->may_any & bit) || ((s->may_own & bit) &&
	    (r->department < 0 || r->department == s->department))) {
		if (tr != NULL)
			trace(tr, "権限あり", "permitted by role", permitting_role(d, s, r, bit)->role->title);
	} else {
		deny(o, s->nroles ? &d->roles[s->roles[0]].deny : &d->no_role, tr);
	}
	/* 3. 取扱制限 of the levels */
	if (rule->deny_unissued.id != NULL && !s->issued)
		deny(o, &rule->deny_unissued, tr);
	if (rule->deny_publish.id != NULL)
		deny(o, &rule->deny_publish, tr);
	for (size_t k = 0; tr != NULL && k < rule->nobligations; k++)
		oblige(o, &rule->obligations[k], tr);
	/* 4. requirements of the terminal's segment and the resource's */
	if (s->terminal >= 0) {
		const struct seg_rule *sr = &d->segs[s->terminal];
		if (sr->mfa_item.id != NULL && !s->mfa)
			deny(o, &sr->mfa_item, tr);
		if (sr->no_take_out_item.id != NULL && c->action == MAMORI_ACT_TAKE_OUT)
			deny(o, &sr->no_take_out_item, tr);
	}
	if (r->segment >= 0 && r->segment != s->terminal) {
		const struct seg_rule *sr = &d->segs[r->segment];
		if (sr->mfa_item.id != NULL && !s->mfa)
			deny(o, &sr->mfa_item, tr);
		if (sr->no_take_out_item.id != NULL && c->action == MAMORI_ACT_TAKE_OUT)
			deny(o, &sr->no_take_out_item, tr);
	}
	/* 5. flows between segments */
	flow = flow_of(d, s->terminal, r->segment, c);
	if (flow != NULL && flow->flow == NULL) {
		trace(tr, "セグメント間の通信", "cross-segment flow", c->channel >= 0 ?
		    "no allowed flow for this channel (default deny)" : "no channel given (default deny)");
		deny(o, &flow->deny, tr);
		flow = NULL;
	} else if (flow != NULL && tr != NULL) {
		trace(tr, "許可された通信", "allowed flow", flow->flow->clause);
		for (size_t k = 0; k < flow->nobligations; k++)
			oblige(o, &flow->obligations[k], tr);
	}
	if (!o->allow) {
		o->nobligations = 0;
		return;
	}
	if (tr != NULL)
		return;
	memcpy(o->obligations, rule->obligations, rule->nobligations * sizeof(rule->obligations[0]));
	o->nobligations = rule->nobligations;
	if (flow == NULL)
		return;
	if (d->flow_ids_overlap) {
		for (size_t k = 0; k < flow->nobligations; k++)
			oblige(o, &flow->obligations[k], NULL);
		return;
	}
	memcpy(o->obligations + o->nobligations, flow->obligations,
	    flow->nobligations * sizeof(flow->obligations[0]));
	o->nobligations += flow->nobligations;
}

/* Indexes out of the decider's ranges (a subject of another decider, a
 * hand-filled resource or context): the field, or NULL when all are in range. */
static const char *
out_of_range(const struct mamori_decider *d, const struct mamori_decide_subject *s,
    const struct mamori_decide_resource *r, const struct mamori_decide_context *c)
{
	if ((unsigned)c->action >= MAMORI_ACT_COUNT)
		return "action";
	if ((unsigned)(c->channel + 1) > mamori_channels.count)
		return "context.channel";
	if ((unsigned)(c->destination + 1) > d->nsegs)
		return "context.destination_segment";
	if (s->nroles > MAMORI_DECIDE_MAX_ROLES)
		return "subject.roles";
	for (size_t i = 0; i < s->nroles; i++)
		if ((unsigned short)s->roles[i] >= d->nroles)
			return "subject.roles";
	if ((unsigned)(s->department + 1) > d->ndepts)
		return "subject.department";
	if ((unsigned)(s->terminal + 1) > d->nsegs)
		return "subject.terminal.segment";
	if ((unsigned)(r->levels[0] - 1) >= (unsigned)d->maxlv[0])
		return "resource.classification.confidentiality";
	if ((unsigned)(r->levels[1] - 1) >= (unsigned)d->maxlv[1])
		return "resource.classification.integrity";
	if ((unsigned)(r->levels[2] - 1) >= (unsigned)d->maxlv[2])
		return "resource.classification.availability";
	if ((unsigned)(r->department + 1) > d->ndepts)
		return "resource.department";
	if ((unsigned)(r->segment + 1) > d->nsegs)
		return "resource.segment";
	return NULL;
}

void
mamori_decide_prepared(const struct mamori_decider *d, const struct mamori_decide_subject *subject,
    const struct mamori_decide_resource *resource, const struct mamori_decide_context *context,
    struct mamori_decision *out)
{
	const char *field = out_of_range(d, subject, resource, context);

	reset(out);
	if (field != NULL) {
		bad_request(out, NULL, field, "index out of range", "");
		return;
	}
	evaluate(d, subject, resource, context, out, NULL);
}

void
mamori_decide_explain(const struct mamori_decider *d, const struct mamori_decide_request *req,
    struct mamori_decision *out, FILE *tr)
{
	struct mamori_decide_subject s;
	struct mamori_decide_resource r;
	struct mamori_decide_context c;

	if (!prepare(d, req, &s, &r, &c, out, tr))
		return;
	if (tr != NULL)
		fprintf(tr, "- 要求 / request: %s, 機密性%d 完全性%d 可用性%d\n",
		    mamori_action_name((enum mamori_action)req->action), r.levels[0], r.levels[1], r.levels[2]);
	evaluate(d, &s, &r, &c, out, tr);
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
	enum mamori_reach reach = mamori_decider_role_reach(d, role, action);

	return reach == MAMORI_REACH_ALL || (reach == MAMORI_REACH_DEPARTMENT && (resource_department == NULL ||
	    (subject_department != NULL && strcmp(subject_department, resource_department) == 0)));
}

enum mamori_reach
mamori_decider_role_reach(const struct mamori_decider *d, const char *role, int action)
{
	int k = mamori_strmap_get(&d->role_map, role);
	const struct role_rule *rr;

	if (k < 0 || action < 0 || action >= MAMORI_ACT_COUNT)
		return MAMORI_REACH_NONE;
	rr = &d->roles[k];
	if (!(rr->actions & (1u << action)) || rr->scope == SCOPE_NONE)
		return MAMORI_REACH_NONE;
	return rr->scope == SCOPE_ALL ? MAMORI_REACH_ALL : MAMORI_REACH_DEPARTMENT;
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
