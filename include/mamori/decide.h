/*
 * mamori/decide.h — the decision point: may this person, on this terminal in this
 * segment, do this action to this asset over this channel?
 *
 * Compile a loaded policy once (mamori_decider_new), then decide many times.
 * After compilation a decider is immutable: mamori_decide may be called from any
 * number of threads at once, and it allocates nothing — the answer points into
 * the decider (obligation and reason texts are the policy's own strings) and
 * lives as long as the decider.  The semantics are in docs/decide.md.
 */
#ifndef MAMORI_DECIDE_H
#define MAMORI_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "mamori/error.h"
#include "mamori/policy.h"

enum mamori_action {
	MAMORI_ACT_READ,
	MAMORI_ACT_WRITE,
	MAMORI_ACT_COPY,
	MAMORI_ACT_PRINT,
	MAMORI_ACT_SEND,
	MAMORI_ACT_TAKE_OUT,
	MAMORI_ACT_TRANSFER,
	MAMORI_ACT_STORE,
	MAMORI_ACT_DISPOSE,
	MAMORI_ACT_PUBLISH,
	MAMORI_ACT_RELEASE,	/* approving the release of a quarantined original (mamori/quarantine.h) */
	MAMORI_ACT_COUNT
};

/* "read" … "release"; NULL for an out-of-range value. */
const char *mamori_action_name(enum mamori_action a);

/* The action with this name, or -1. */
int mamori_action_parse(const char *name);

#define MAMORI_DECIDE_MAX_ROLES 8
#define MAMORI_DECIDE_MAX_ITEMS 32

/*
 * A request.  Strings are borrowed for the duration of the call.  NULL means
 * "not given"; levels of 0 mean "not given" (the lowest level is assumed).
 * When asset is set, the asset's classification, department and segment are
 * used and the other resource fields must be left empty.
 */
struct mamori_decide_request {
	const char *subject_id;
	const char *roles[MAMORI_DECIDE_MAX_ROLES];
	size_t nroles;
	const char *department;
	bool mfa;
	const char *terminal_segment;
	bool terminal_issued;
	bool terminal_issued_given;
	int action;			/* enum mamori_action */
	const char *asset;
	int levels[3];			/* confidentiality, integrity, availability */
	const char *resource_department;
	const char *resource_segment;
	const char *channel;
	const char *destination_segment;
};

/* One obligation or reason: a stable id, the policy's wording and its clause. */
struct mamori_decide_item {
	const char *id;
	const char *text;
	const char *clause;
};

/*
 * The answer.  When error is set the request itself was bad (an unknown id, a
 * level out of range): error_field names the field ("subject.roles[1]") and
 * nothing else is meaningful — an unknown id is never a silent allow.
 */
struct mamori_decision {
	bool allow;
	const char *error;
	char error_field[48];
	char error_detail[160];
	struct mamori_decide_item obligations[MAMORI_DECIDE_MAX_ITEMS];
	size_t nobligations;
	struct mamori_decide_item reasons[MAMORI_DECIDE_MAX_ITEMS];
	size_t nreasons;
};

/* An asset as the decision point needs it (the register supplies these). */
struct mamori_decide_asset {
	const char *id;
	int levels[3];
	const char *department;
	const char *segment;
};

struct mamori_decider;

/*
 * Compiles policy into decision tables.  The decider keeps a pointer to the
 * policy, which must outlive it.  Returns 0 and *out, or MAMORI_E_NOMEM /
 * MAMORI_E_INVALID (with err filled) when the policy cannot be compiled.
 */
int mamori_decider_new(const struct mamori_policy *policy, struct mamori_decider **out,
    struct mamori_error *err);

/*
 * Loads the asset table used for requests that name an asset ({"asset": ID}).
 * Copies what it needs; replaces any earlier table.  Not thread-safe against
 * concurrent mamori_decide calls: load assets before deciding.
 */
int mamori_decider_set_assets(struct mamori_decider *d, const struct mamori_decide_asset *assets,
    size_t n, struct mamori_error *err);

/* Frees the decider and sets *d to NULL.  Accepts NULL. */
void mamori_decider_free(struct mamori_decider **d);

/* Decides req into *out (which the caller owns; no allocation happens). */
void mamori_decide(const struct mamori_decider *d, const struct mamori_decide_request *req,
    struct mamori_decision *out);

/*
 * Like mamori_decide, and also writes the evaluation trace for a person, in
 * Japanese and English, to trace (one step per line).
 */
void mamori_decide_explain(const struct mamori_decider *d, const struct mamori_decide_request *req,
    struct mamori_decision *out, FILE *trace);

/*
 * The JSON front end: parses one request (the contract of docs/decide.md) and
 * writes one response (one line, no newline) into a malloc'd string the caller
 * frees.  On a malformed request the response is {"error": {"code", "field",
 * "message"}} naming the field, plus "line" when line > 0 (batch input).
 * Returns NULL only when memory runs out.  When trace is not NULL the
 * evaluation trace is written there.
 */
char *mamori_decide_json(const struct mamori_decider *d, const char *json, size_t len,
    long line, FILE *trace);

/*
 * Whether role (an id) may do action to an asset of resource_department (NULL:
 * none) for a subject of subject_department, by the role's `access` and the
 * hierarchy — the same rule as step 2 of mamori_decide.  Unknown roles: false.
 */
bool mamori_decider_role_permits(const struct mamori_decider *d, const char *role, int action,
    const char *subject_department, const char *resource_department);

struct mamori_store;

/*
 * Decision logging (the policy's `decision_log`: all, denials (default), none).
 * Whether a response should be logged under the store's policy: allows only
 * with "all"; denials and undecidable requests with "all" or "denials".
 */
bool mamori_decide_should_log(const struct mamori_store *s, const char *response);

/*
 * Appends n decisions to the audit trail in one transaction (group commit):
 * each is an event "decide.allow" / "decide.deny" / "decide.error" whose body is
 * {"before": request, "after": response}.  Requests that are not JSON are
 * recorded as strings.  Returns 0 or a MAMORI_E_* code with err filled.
 */
int mamori_decide_log(struct mamori_store *s, const char *actor, const char *const *requests,
    const char *const *responses, size_t n, struct mamori_error *err);

#endif
