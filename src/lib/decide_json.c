/*
 * decide_json.c — the JSON contract of the decision point (docs/decide.md):
 * a request object in, one response line out.  Parsing is strict: an unknown
 * key or a value of the wrong type is an error naming the field, because a
 * misspelt "destination_segment" silently ignored could turn a deny into an allow.
 */
#include "mamori/decide.h"
#include "buf.h"
#include "json_strict.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REQUEST_MAX = 64 * 1024, JSON_DEPTH_MAX = 8 };

static void
put_items(struct buf *o, const char *key, const struct mamori_decide_item *items, size_t n)
{
	buf_add(o, ",\"", 2);
	buf_adds(o, key);
	buf_adds(o, "\":[");
	for (size_t i = 0; i < n; i++) {
		buf_adds(o, i ? ",{\"id\":" : "{\"id\":");
		buf_json_string(o, items[i].id);
		buf_adds(o, ",\"text\":");
		buf_json_string(o, items[i].text);
		buf_adds(o, ",\"clause\":");
		buf_json_string(o, items[i].clause);
		buf_add(o, "}", 1);
	}
	buf_add(o, "]", 1);
}

static void
put_error(struct buf *o, const char *code, const char *field, const char *message, long line)
{
	buf_adds(o, "{\"error\":{\"code\":");
	buf_json_string(o, code);
	buf_adds(o, ",\"field\":");
	buf_json_string(o, field);
	buf_adds(o, ",\"message\":");
	buf_json_string(o, message);
	if (line > 0) {
		char n[32];
		snprintf(n, sizeof(n), ",\"line\":%ld", line);
		buf_adds(o, n);
	}
	buf_adds(o, "}}");
}

static void
put_decision(struct buf *o, const struct mamori_decision *dec, long line)
{
	if (dec->error != NULL) {
		put_error(o, "unknown-id", dec->error_field, dec->error_detail, line);
		return;
	}
	buf_adds(o, dec->allow ? "{\"decision\":\"allow\"" : "{\"decision\":\"deny\"");
	put_items(o, "obligations", dec->obligations, dec->nobligations);
	put_items(o, "reasons", dec->reasons, dec->nreasons);
	buf_add(o, "}", 1);
}

/* ---- request parsing -------------------------------------------------- */

struct parse {
	char field[64];
	char message[320];
};

static bool
fail(struct parse *ps, const char *field, const char *message)
{
	snprintf(ps->field, sizeof(ps->field), "%s", field);
	snprintf(ps->message, sizeof(ps->message), "%s", message);
	return false;
}

/* Every key of obj must be one of keys (NULL-terminated). */
static bool
known_keys(struct parse *ps, const cJSON *obj, const char *prefix, const char *const *keys)
{
	for (const cJSON *it = obj->child; it != NULL; it = it->next) {
		size_t k;
		for (k = 0; keys[k] && strcmp(keys[k], it->string) != 0; k++)
			;
		if (keys[k] == NULL) {
			char f[64], m[200];
			snprintf(f, sizeof(f), "%s%.40s", prefix, it->string);
			snprintf(m, sizeof(m), "unknown key '%.60s'", it->string);
			return fail(ps, f, m);
		}
	}
	return true;
}

static bool
get_string(struct parse *ps, const cJSON *obj, const char *key, const char *field,
    const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
		return fail(ps, field, "must be a non-empty string");
	*out = v->valuestring;
	return true;
}

static bool
get_bool(struct parse *ps, const cJSON *obj, const char *key, const char *field, bool *out,
    bool *given)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = false;
	if (given)
		*given = v != NULL && !cJSON_IsNull(v);
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsBool(v))
		return fail(ps, field, "must be true or false");
	*out = cJSON_IsTrue(v);
	return true;
}

static bool
get_object(struct parse *ps, const cJSON *obj, const char *key, const char *field,
    const cJSON **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsObject(v))
		return fail(ps, field, "must be an object");
	*out = v;
	return true;
}

static bool
parse_subject(struct parse *ps, const cJSON *s, struct mamori_decide_request *r)
{
	static const char *const keys[] = { "id", "roles", "department", "mfa", "terminal", NULL };
	static const char *const tkeys[] = { "id", "segment", "issued", NULL };
	const cJSON *roles, *term;
	size_t i = 0;

	if (s == NULL)
		return fail(ps, "subject", "missing: who asks (id, roles, department, mfa, terminal)");
	if (!known_keys(ps, s, "subject.", keys) || !get_string(ps, s, "id", "subject.id", &r->subject_id) ||
	    !get_string(ps, s, "department", "subject.department", &r->department) ||
	    !get_bool(ps, s, "mfa", "subject.mfa", &r->mfa, &r->mfa_given) ||
	    !get_object(ps, s, "terminal", "subject.terminal", &term))
		return false;
	roles = cJSON_GetObjectItemCaseSensitive(s, "roles");
	if (roles != NULL && !cJSON_IsArray(roles))
		return fail(ps, "subject.roles", "must be a list of role ids");
	for (const cJSON *it = roles ? roles->child : NULL; it != NULL; it = it->next, i++) {
		char f[32];
		snprintf(f, sizeof(f), "subject.roles[%zu]", i);
		if (i >= MAMORI_DECIDE_MAX_ROLES)
			return fail(ps, f, "too many roles (at most 8)");
		if (!cJSON_IsString(it))
			return fail(ps, f, "must be a role id");
		r->roles[i] = it->valuestring;
	}
	r->nroles = i;
	if (term != NULL && (!known_keys(ps, term, "subject.terminal.", tkeys) ||
	    !get_string(ps, term, "id", "subject.terminal.id", &r->terminal_id) ||
	    !get_string(ps, term, "segment", "subject.terminal.segment", &r->terminal_segment) ||
	    !get_bool(ps, term, "issued", "subject.terminal.issued", &r->terminal_issued,
	    &r->terminal_issued_given)))
		return false;
	return true;
}

static bool
parse_resource(struct parse *ps, const cJSON *res, struct mamori_decide_request *r)
{
	static const char *const keys[] = { "asset", "classification", "department", "segment", NULL };
	static const char *const ckeys[] = { "confidentiality", "integrity", "availability", NULL };
	const cJSON *cls;

	if (res == NULL)
		return fail(ps, "resource", "missing: {\"asset\": ID} or {\"classification\": {...}}");
	if (!known_keys(ps, res, "resource.", keys) || !get_string(ps, res, "asset", "resource.asset", &r->asset) ||
	    !get_string(ps, res, "department", "resource.department", &r->resource_department) ||
	    !get_string(ps, res, "segment", "resource.segment", &r->resource_segment) ||
	    !get_object(ps, res, "classification", "resource.classification", &cls))
		return false;
	if (r->asset != NULL && (cls || r->resource_department || r->resource_segment))
		return fail(ps, "resource", "give either an asset id or classification/department/segment, not both");
	if (cls == NULL)
		return true;
	if (!known_keys(ps, cls, "resource.classification.", ckeys))
		return false;
	for (int ax = 0; ax < 3; ax++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(cls, ckeys[ax]);
		char f[64];
		snprintf(f, sizeof(f), "resource.classification.%s", ckeys[ax]);
		if (v == NULL)
			continue;
		long level;
		if (!json_strict_int(v, 1, 9, &level))
			return fail(ps, f, "must be a whole level number from 1 to 9 (1, 2, 3 …)");
		r->levels[ax] = (int)level;
	}
	return true;
}

static bool
parse_request(struct parse *ps, const cJSON *root, struct mamori_decide_request *r)
{
	static const char *const keys[] = { "subject", "action", "resource", "context", NULL };
	static const char *const xkeys[] = { "channel", "destination_segment", "approval", "service", NULL };
	const cJSON *subject, *resource, *context;
	const char *action;

	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(root))
		return fail(ps, "", "a request is a JSON object");
	if (!known_keys(ps, root, "", keys) || !get_object(ps, root, "subject", "subject", &subject) ||
	    !get_object(ps, root, "resource", "resource", &resource) ||
	    !get_object(ps, root, "context", "context", &context) ||
	    !get_string(ps, root, "action", "action", &action))
		return false;
	if (action == NULL)
		return fail(ps, "action", "missing: read write copy print send take_out transfer store dispose publish");
	r->action = mamori_action_parse(action);
	if (r->action < 0)
		return fail(ps, "action", "unknown action; one of read write copy print send take_out transfer store dispose publish");
	if (!parse_subject(ps, subject, r) || !parse_resource(ps, resource, r))
		return false;
	if (context != NULL && (!known_keys(ps, context, "context.", xkeys) ||
	    !get_string(ps, context, "channel", "context.channel", &r->channel) ||
	    !get_string(ps, context, "destination_segment", "context.destination_segment",
	    &r->destination_segment) || !get_string(ps, context, "approval", "context.approval", &r->approval) ||
	    !get_string(ps, context, "service", "context.service", &r->service)))
		return false;
	return true;
}

/* Whether role (an id or a title) is the role with id want. */
static bool
same_role(const struct mamori_policy *p, const char *role, const char *want)
{
	const struct mamori_role *r = p ? mamori_policy_find_role(p, role) : NULL;

	return strcmp(role, want) == 0 || (r != NULL && strcmp(r->id, want) == 0);
}

static bool
same_department(const struct mamori_policy *p, const char *dept, const char *want)
{
	const struct mamori_department *d = p ? mamori_policy_find_department(p, dept) : NULL;

	return want != NULL && (strcmp(dept, want) == 0 || (d != NULL && strcmp(d->id, want) == 0));
}

/*
 * Binds the subject of r to the asker: what is missing is filled, what differs
 * is refused (the asker may decide only for itself).  mfa_given: whether the
 * request said anything about mfa.
 */
static bool
bind_subject(struct parse *ps, struct mamori_decide_request *r, bool mfa_given,
    const struct mamori_decide_asker *as)
{
	static const char *const them = "; only a gateway token (scope gateway) may ask for another subject";
	char m[320];

	if (r->subject_id != NULL && strcmp(r->subject_id, as->id) != 0) {
		snprintf(m, sizeof(m), "you are %.64s and may ask only for yourself%s", as->id, them);
		return fail(ps, "subject.id", m);
	}
	for (size_t i = 0; i < r->nroles; i++)
		if (!same_role(as->policy, r->roles[i], as->role)) {
			char f[48];
			snprintf(f, sizeof(f), "subject.roles[%zu]", i);
			snprintf(m, sizeof(m), "your role is %.64s, not %.64s%s", as->role, r->roles[i], them);
			return fail(ps, f, m);
		}
	if (r->department != NULL && !same_department(as->policy, r->department, as->department)) {
		snprintf(m, sizeof(m), "your department is %.64s, not %.64s%s", as->department ? as->department :
		    "(none)", r->department, them);
		return fail(ps, "subject.department", m);
	}
	if (mfa_given && r->mfa != as->mfa)
		return fail(ps, "subject.mfa", as->mfa ? "your login passed MFA: mfa is true" :
		    "your login did not pass MFA (an API token never does): mfa is false");
	r->subject_id = as->id;
	r->roles[0] = as->role;
	r->nroles = 1;
	r->department = as->department;
	r->mfa = as->mfa;
	return true;
}

/* Whether the request's subject says anything about mfa (not null). */
static bool
mfa_given(const cJSON *root)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "subject");
	const cJSON *m = cJSON_IsObject(s) ? cJSON_GetObjectItemCaseSensitive(s, "mfa") : NULL;

	return m != NULL && !cJSON_IsNull(m);
}

char *
mamori_decide_json(const struct mamori_decider *d, const char *json, size_t len, long line,
    FILE *trace)
{
	return mamori_decide_json_as(d, json, len, line, NULL, trace);
}

char *
mamori_decide_json_as(const struct mamori_decider *d, const char *json, size_t len, long line,
    const struct mamori_decide_asker *asker, FILE *trace)
{
	return mamori_decide_json_hooked(d, json, len, line, asker, NULL, trace, NULL);
}

char *
mamori_decide_json_hooked(const struct mamori_decider *d, const char *json, size_t len, long line,
    const struct mamori_decide_asker *asker, const struct mamori_decide_hook *hook, FILE *trace,
    enum mamori_decide_outcome *outcome)
{
	struct buf o = { 0 };
	struct parse ps = { .field = "", .message = "" };
	struct mamori_decide_request req;
	struct mamori_decision dec;
	struct json_strict_error je = { "", "" };
	enum mamori_decide_outcome said = MAMORI_DECIDE_INVALID;
	cJSON *root = NULL;

	if (len > REQUEST_MAX) {
		put_error(&o, "too-large", "", "request larger than 64 KiB", line);
	} else if ((root = json_strict_parse(json, len, JSON_DEPTH_MAX, &je)) == NULL) {
		/* a NUL in a string names its field; the rest is the text as a whole */
		put_error(&o, je.field[0] ? "invalid" : "malformed", je.field, je.message, line);
	} else if (!parse_request(&ps, root, &req)) {
		put_error(&o, "invalid", ps.field, ps.message, line);
	} else if (req.service != NULL && (hook == NULL || hook->before == NULL)) {
		/* a service is read in the registers of a store: never silently ignored */
		put_error(&o, "unknown-id", "context.service", "no registers of services without a store (--db): "
		    "unknown service", line);
	} else if (asker != NULL && !bind_subject(&ps, &req, mfa_given(root), asker)) {
		put_error(&o, "forbidden", ps.field, ps.message, line);
		said = MAMORI_DECIDE_FORBIDDEN;
	} else {
		if (hook == NULL || hook->before == NULL || hook->before(hook->ctx, &req, &dec)) {
			mamori_decide_explain(d, &req, &dec, trace);
			if (hook != NULL)
				hook->after(hook->ctx, &req, &dec);
		}
		put_decision(&o, &dec, line);
		if (dec.error == NULL)
			said = dec.allow ? MAMORI_DECIDE_ALLOW : MAMORI_DECIDE_DENY;
	}
	cJSON_Delete(root);
	if (outcome != NULL)
		*outcome = said;
	return buf_take(&o, NULL);
}
