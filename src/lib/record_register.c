/*
 * record_register.c — registers the decision point reads (mamori/record.h):
 * the terminal register (effect: terminal), which says where a terminal
 * stands instead of the caller, and the registers of services (effect:
 * limit) — cloud services, SNS accounts — which hold information only up to
 * their level.  Both are read once per snapshot of the store (PRAGMA
 * data_version) into memory: the terminals into a hash table of the decision
 * point (mamori_terminal_table), the services into a list.
 */
#include "store_internal.h"
#include "mamori/i18n.h"
#include "mamori/record.h"
#include "record_internal.h"
#include "store_ops_record.h"
#include "suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A record of a kind whose effect is a limit. */
struct service {
	const struct mamori_record_kind *k;
	char *key, *id, *state, *segment;
	long level;		/* 0: not given (holds nothing above the lowest level) */
	bool in_force;
};

struct record_registers {
	int64_t version;
	const struct mamori_policy *policy;
	const struct mamori_decider *d;
	const struct mamori_record_kind *terminal_kind;
	struct mamori_terminal_table *terminals;
	struct service *services;
	size_t nservices;
};

void
record_registers_free(struct record_registers *r)
{
	for (size_t i = 0; r != NULL && i < r->nservices; i++) {
		free(r->services[i].key);
		free(r->services[i].id);
		free(r->services[i].state);
		free(r->services[i].segment);
	}
	if (r != NULL) {
		mamori_terminal_table_free(&r->terminals);
		free(r->services);
	}
	free(r);
}

static const char *
field_str(const cJSON *fields, const char *field)
{
	return field ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fields, field)) : NULL;
}

static bool
in_force_state(const struct mamori_record_kind *k, const char *state)
{
	for (size_t i = 0; state != NULL && i < k->effect.nstates; i++)
		if (strcmp(k->effect.states[i], state) == 0)
			return true;
	return false;
}

/* A yes / no choice field's value: true only for yes. */
static bool
yes(const cJSON *fields, const char *field)
{
	const char *v = field_str(fields, field);

	return v != NULL && strcmp(v, "yes") == 0;
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The key a request names a record by: its key field, or else its id. */
static const char *
record_key(const struct mamori_record_kind *k, const char *id, const cJSON *fields)
{
	const char *key = field_str(fields, k->effect.key);

	return k->effect.key == NULL || key == NULL ? id : key;
}

struct terminals {
	struct mamori_decide_terminal *v;
	cJSON **keep;		/* the parsed fields the entries point into */
	size_t n, cap;
};

static bool
add_terminal(struct terminals *t, const struct mamori_record_kind *k, const char *id, cJSON *fields)
{
	const struct mamori_record_effect *e = &k->effect;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct mamori_decide_terminal *v = realloc(t->v, cap * sizeof(*v));
		cJSON **keep = v ? realloc(t->keep, cap * sizeof(*keep)) : NULL;
		if (v != NULL)
			t->v = v;
		if (keep == NULL)
			return false;
		t->keep = keep;
		t->cap = cap;
	}
	t->keep[t->n] = fields;
	t->v[t->n++] = (struct mamori_decide_terminal){ record_key(k, id, fields), field_str(fields, e->segment),
		yes(fields, e->issued), yes(fields, e->mfa) };
	return true;
}

static bool
add_service(struct record_registers *r, const struct mamori_record_kind *k, const char *id, const char *state,
    const cJSON *fields)
{
	const struct mamori_record_effect *e = &k->effect;
	struct service *v = realloc(r->services, (r->nservices + 1) * sizeof(*v)), *sv;
	const char *level = field_str(fields, e->level);
	const cJSON *num = e->level ? cJSON_GetObjectItemCaseSensitive(fields, e->level) : NULL;

	if (v == NULL)
		return false;
	r->services = v;
	sv = &v[r->nservices++];
	*sv = (struct service){ .k = k, .key = strdup(record_key(k, id, fields)), .id = strdup(id),
		.state = strdup(state), .segment = dup_or_null(field_str(fields, e->segment)),
		.in_force = in_force_state(k, state) };
	/* a number field is kept as a number; an imported one may be its text */
	sv->level = cJSON_IsNumber(num) ? (long)num->valuedouble : level ? strtol(level, NULL, 10) : 0;
	return sv->key != NULL && sv->id != NULL && sv->state != NULL;
}

struct read_kind_ctx {
	struct record_registers *r;
	const struct mamori_record_kind *k;
	struct terminals *t;
	bool terminal;
};

/* One record of the kind being read, handed to the table; 1 (stop) when out of memory. */
static int
read_one(const struct store_record_brief *b, void *arg)
{
	struct read_kind_ctx *c = arg;
	cJSON *fields = cJSON_Parse(b->fields);
	bool ok;

	if (fields == NULL)
		return 1;
	if (c->terminal) {
		ok = in_force_state(c->k, b->state) && add_terminal(c->t, c->k, b->id, fields);
		if (!ok) {
			cJSON_Delete(fields);
			ok = !in_force_state(c->k, b->state);
		}
	} else {
		ok = add_service(c->r, c->k, b->id, b->state, fields);
		cJSON_Delete(fields);
	}
	return ok ? 0 : 1;
}

/* Every record of kind k (limit: any state; terminal: in force), handed to the table. */
static bool
read_kind(struct mamori_store *s, struct record_registers *r, const struct mamori_record_kind *k,
    struct terminals *t)
{
	struct read_kind_ctx c = { .r = r, .k = k, .t = t, .terminal = strcmp(k->effect.type, "terminal") == 0 };
	struct mamori_error err = { 0 };

	return s->backend->record->of_kind(s, k->id, NULL, read_one, &c, &err) == 0;
}

static struct record_registers *
registers_read(struct mamori_record_decide *c, int64_t version)
{
	const struct mamori_policy *p = mamori_store_policy(c->s);
	struct record_registers *r = calloc(1, sizeof(*r));
	struct terminals t = { 0 };
	struct mamori_error err = { 0 };
	bool ok = r != NULL;

	for (size_t i = 0; ok && i < p->nrecords; i++) {
		const struct mamori_record_kind *k = &p->records[i];
		if (k->effect.pos.file == NULL || k->effect.type == NULL ||
		    (strcmp(k->effect.type, "terminal") != 0 && strcmp(k->effect.type, "limit") != 0))
			continue;
		if (strcmp(k->effect.type, "terminal") == 0)
			r->terminal_kind = k;
		ok = read_kind(c->s, r, k, &t);
	}
	ok = ok && mamori_terminal_table_new(c->d, t.v, t.n, &r->terminals, &err) == 0;
	for (size_t i = 0; i < t.n; i++)
		cJSON_Delete(t.keep[i]);
	free(t.v);
	free(t.keep);
	if (!ok) {
		record_registers_free(r);
		return NULL;
	}
	r->version = version;
	r->policy = p;
	r->d = c->d;
	return r;
}

/* The registers as of the store's snapshot now: read again after another connection's commit. */
static struct record_registers *
registers(struct mamori_record_decide *c)
{
	int64_t version = mamori_store_data_version(c->s);
	struct record_registers *r = c->registers;

	if (r == NULL || r->version != version || version < 0 || r->policy != mamori_store_policy(c->s) ||
	    r->d != c->d) {
		record_registers_free(r);
		r = c->registers = registers_read(c, version);
	}
	return r;
}

/* dec as an answer that could not be decided: field names what was wrong. */
static bool
undecided(struct mamori_decision *dec, const char *field, const char *what, const char *detail)
{
	dec->allow = false;
	dec->error = what;
	dec->nobligations = dec->nreasons = 0;
	snprintf(dec->error_field, sizeof(dec->error_field), "%s", field);
	snprintf(dec->error_detail, sizeof(dec->error_detail), "%.300s", detail);
	return false;
}

static void
deny(struct mamori_decision *dec, const char *id, const char *text, const char *clause)
{
	dec->allow = false;
	dec->nobligations = 0;
	if (dec->nreasons < MAMORI_DECIDE_MAX_ITEMS)
		dec->reasons[dec->nreasons++] = (struct mamori_decide_item){ id, text, clause };
}

static const char *
effect_clause(const struct mamori_record_kind *k)
{
	return k->effect.clause ? k->effect.clause : k->clause;
}

/* Appends to out (size n) what the register says against the caller's claim. */
static void
mismatch(char *out, size_t n, const char *what, const char *reg, const char *claim)
{
	size_t used = strlen(out);

	snprintf(out + used, n - used, _("%s%s is %s in the register, not %s"), used ? "; " : "", what, reg, claim);
}

bool
mamori_record_decide_before(void *ctx, struct mamori_decide_request *req, struct mamori_decision *dec)
{
	struct mamori_record_decide *c = ctx;
	const struct mamori_decide_terminal *t;
	struct record_registers *r;
	char *why = c->texts[3];

	c->mismatch = NULL;
	if (req->terminal_id == NULL)
		return true;
	if ((r = registers(c)) == NULL)
		return undecided(dec, "subject.terminal.id", "store", _("the terminal register cannot be read"));
	if (r->terminal_kind == NULL)
		return undecided(dec, "subject.terminal.id", "unknown terminal",
		    _("the policy declares no terminal register (a kind with effect type terminal)"));
	if ((t = mamori_terminal_table_find(r->terminals, req->terminal_id)) == NULL) {
		snprintf(why, sizeof(c->texts[3]), _("unknown terminal '%.80s': not in use in the register (%s)"),
		    req->terminal_id, r->terminal_kind->title);
		return undecided(dec, "subject.terminal.id", "unknown terminal", why);
	}
	snprintf(why, sizeof(c->texts[3]), "%s", "");
	if (req->terminal_segment != NULL && (t->segment == NULL || strcmp(req->terminal_segment, t->segment) != 0))
		mismatch(why, sizeof(c->texts[3]), "segment", t->segment ? t->segment : "-", req->terminal_segment);
	if (req->terminal_issued_given && req->terminal_issued != t->issued)
		mismatch(why, sizeof(c->texts[3]), "issued", t->issued ? "true" : "false",
		    req->terminal_issued ? "true" : "false");
	if (req->mfa_given && req->mfa != t->mfa)
		mismatch(why, sizeof(c->texts[3]), "mfa", t->mfa ? "true" : "false", req->mfa ? "true" : "false");
	if (why[0] != '\0') {
		char claim[512];
		snprintf(claim, sizeof(claim), "%s", why);
		snprintf(why, sizeof(c->texts[3]), _("terminal %.80s: %s"), req->terminal_id, claim);
		c->mismatch = r->terminal_kind;
	}
	/* the register is the source of truth from here on */
	req->terminal_segment = t->segment;
	req->terminal_issued = t->issued;
	req->terminal_issued_given = true;
	req->mfa = t->mfa;
	req->terminal_id = NULL;
	return true;
}

static bool
limits(const struct service *sv, int action)
{
	for (size_t i = 0; i < sv->k->effect.nactions; i++)
		if (mamori_action_parse(sv->k->effect.actions[i]) == action)
			return true;
	return false;
}

static void
unknown_service(struct mamori_record_decide *c, const struct record_registers *r, const char *name,
    struct mamori_decision *dec)
{
	const char *keys[256];
	size_t n = 0;
	const char *hint;

	for (size_t i = 0; i < r->nservices && n < 256; i++)
		keys[n++] = r->services[i].key;
	hint = mamori_suggest(name, keys, n);
	snprintf(c->texts[4], sizeof(c->texts[4]), _("unknown service '%.80s': not in the registers%s%s%s"), name,
	    hint ? _("; did you mean '") : "", hint ? hint : "", hint ? _("'?") : "");
	undecided(dec, "context.service", "unknown service", c->texts[4]);
}

/* The confidentiality level of the request's resource, as the decider reads it. */
static int
resource_confidentiality(const struct mamori_record_decide *c, const struct mamori_decide_request *req)
{
	struct mamori_decide_resource res;
	struct mamori_decision out;

	if (!mamori_decide_prepare(c->d, req, NULL, &res, NULL, &out))
		return 1;
	return res.levels[0];
}

void
record_limits_apply(struct mamori_record_decide *c, const struct mamori_decide_request *req,
    struct mamori_decision *dec)
{
	struct record_registers *r;
	const struct service *sv = NULL;
	bool named = false;

	if (req->service == NULL || dec->error != NULL)
		return;
	if ((r = registers(c)) == NULL) {
		undecided(dec, "context.service", "store", _("the registers of services cannot be read"));
		return;
	}
	for (size_t i = 0; i < r->nservices && sv == NULL; i++)
		if (strcmp(r->services[i].key, req->service) == 0 || strcmp(r->services[i].id, req->service) == 0) {
			named = true;
			if (limits(&r->services[i], req->action))
				sv = &r->services[i];
		}
	if (!named) {
		unknown_service(c, r, req->service, dec);
		return;
	}
	if (sv == NULL)
		return;		/* named, but its register does not limit this action */
	if (!sv->in_force) {
		const struct mamori_record_state *st = record_state_find(sv->k, sv->state);
		snprintf(c->texts[4], sizeof(c->texts[4]), _("%s %s (%s) is not in use: %s"), sv->k->title, sv->key, sv->id,
		    st && st->title ? st->title : sv->state);
		deny(dec, "limit-not-in-force", c->texts[4], effect_clause(sv->k));
		return;
	}
	int level = resource_confidentiality(c, req);
	if (level > (sv->level > 0 ? sv->level : 1)) {
		snprintf(c->texts[4], sizeof(c->texts[4]), req->action == MAMORI_ACT_PUBLISH ?
		    _("%s %s (%s) may publish information up to confidentiality level %ld; this is level %d") :
		    _("%s %s (%s) may hold information up to confidentiality level %ld; this is level %d"),
		    sv->k->title, sv->key, sv->id, sv->level > 0 ? sv->level : 1, level);
		deny(dec, "limit-exceeded", c->texts[4], effect_clause(sv->k));
	}
	if (sv->segment != NULL && req->terminal_segment != NULL && strcmp(sv->segment, req->terminal_segment) != 0) {
		snprintf(c->texts[5], sizeof(c->texts[5]), _("%s %s (%s) is reached from segment %s, not from %s"),
		    sv->k->title, sv->key, sv->id, sv->segment, req->terminal_segment);
		deny(dec, "limit-segment", c->texts[5], effect_clause(sv->k));
	}
}

void
record_mismatch_apply(struct mamori_record_decide *c, struct mamori_decision *dec)
{
	if (c->mismatch != NULL && dec->error == NULL)
		deny(dec, "terminal-mismatch", c->texts[3], effect_clause(c->mismatch));
}
