/*
 * mamori/decide.h — the decision point: may this person, on this terminal in this
 * segment, do this action to this asset over this channel?
 *
 * Compile a loaded policy once (mamori_decider_new), then decide many times.
 * After compilation a decider is immutable: mamori_decide may be called from any
 * number of threads at once, and it allocates nothing — the answer points into
 * the decider (obligation and reason texts are the policy's own strings) and
 * lives as long as the decider.  The semantics are in docs/decide.md.
 *
 * Two ways to ask: mamori_decide takes a request of ids (strings) and resolves
 * them on every call; a caller that asks about the same people and assets again
 * and again resolves each once (mamori_decide_prepare: a subject, a resource, a
 * context of indexes) and then calls mamori_decide_prepared, which compares no
 * strings.  Both give the same answers.
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

/* The index of channel name in mamori_channels (mamori/vocab.h), or -1. */
int mamori_decide_channel(const char *name);

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
	bool mfa_given;			/* the request said something about mfa */
	const char *terminal_id;	/* subject.terminal.id: looked up in the register (mamori/record.h) */
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
	const char *approval;		/* context.approval: a record id (mamori/record.h); the decider ignores it */
	const char *service;		/* context.service: a cloud service, an SNS account (mamori/record.h); ignored too */
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
	char error_detail[320];
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

struct mamori_store;

/* mamori_decider_set_assets with every asset of the store's register. */
int mamori_decider_load_assets(struct mamori_decider *d, struct mamori_store *s, struct mamori_error *err);

/*
 * Terminals of the register (the records of a kind whose effect is a
 * terminal, mamori/record.h) as the decision point needs them: a table built
 * once for a decider, then read by many threads.  A request that names a
 * terminal (subject.terminal.id) is judged on the table's segment, issued
 * and mfa instead of the caller's.
 */
struct mamori_decide_terminal {
	const char *id;
	const char *segment;		/* a segment id of the decider's policy, or NULL */
	bool issued;
	bool mfa;
};

struct mamori_terminal_table;

/*
 * Builds a table of n terminals for d (copies what it needs; the first of two
 * with one id wins).  Returns 0 and *out, or MAMORI_E_NOMEM with err filled.
 */
int mamori_terminal_table_new(const struct mamori_decider *d, const struct mamori_decide_terminal *t, size_t n,
    struct mamori_terminal_table **out, struct mamori_error *err);

/* The terminal with this id (its strings point into the table), or NULL. */
const struct mamori_decide_terminal *mamori_terminal_table_find(const struct mamori_terminal_table *t,
    const char *id);

/*
 * Puts the register's terminal id into a prepared subject (its segment index,
 * issued, mfa): a hash lookup, no allocation.  False when the table has no
 * such terminal (the subject is left as it was).
 */
struct mamori_decide_subject;
bool mamori_terminal_table_apply(const struct mamori_terminal_table *t, const char *id,
    struct mamori_decide_subject *subject);

/* Frees the table and sets *t to NULL.  Accepts NULL. */
void mamori_terminal_table_free(struct mamori_terminal_table **t);

/* Frees the decider and sets *d to NULL.  Accepts NULL. */
void mamori_decider_free(struct mamori_decider **d);

/*
 * Index lookups for callers that resolve a name once and fill a resource or a
 * context themselves: the index of a segment or department id of the
 * decider's policy, or -1 when there is none by that id.
 */
int mamori_decider_segment(const struct mamori_decider *d, const char *id);
int mamori_decider_department(const struct mamori_decider *d, const char *id);

/*
 * A prepared request, in three parts that a caller can keep and combine: the
 * subject (one per person and terminal), the resource (one per asset, or per
 * classification) and the context (action, channel, destination).  Indexes
 * belong to the decider that prepared them and mean nothing to another one.
 *
 * The subject is filled only by mamori_decide_prepare: its action masks are
 * what the roles permit, folded by scope, and a caller must not edit them.
 * A resource or context may also be filled by hand: levels from 1 to the
 * axis's number of levels (1 when the policy has no such axis), department
 * and segment indexes from mamori_decider_department / mamori_decider_segment
 * or -1 for none, action an enum mamori_action, channel an index from
 * mamori_decide_channel or -1, destination a segment index or -1.
 */
struct mamori_decide_subject {
	unsigned short may_any;		/* actions some role permits on any department's assets */
	unsigned short may_own;		/* ... on assets of the subject's department or of none */
	short roles[MAMORI_DECIDE_MAX_ROLES];	/* role indexes, in the request's order */
	unsigned char nroles;
	bool mfa, issued;
	short department;		/* -1: none */
	short terminal;			/* the terminal's segment, -1: none */
};

struct mamori_decide_resource {
	unsigned char levels[3];	/* confidentiality, integrity, availability */
	short department;		/* -1: none */
	short segment;			/* -1: none */
};

struct mamori_decide_context {
	int action;			/* enum mamori_action */
	int channel;			/* index into mamori_channels, -1: none */
	int destination;		/* segment index, -1: none */
};

/*
 * Resolves the ids of req into the parts given (a NULL part is skipped, and so
 * are the request fields it covers): the subject from req's subject fields,
 * the resource from its asset or classification, the context from its action,
 * channel and destination.  Returns true, or false with out's error,
 * error_field and error_detail filled exactly as mamori_decide would for the
 * same request (an unknown id, a level out of range).  Thread-safe; allocates
 * nothing.  A resource prepared from an asset is a copy: it stays valid when
 * the asset table is replaced.
 */
bool mamori_decide_prepare(const struct mamori_decider *d, const struct mamori_decide_request *req,
    struct mamori_decide_subject *subject, struct mamori_decide_resource *resource,
    struct mamori_decide_context *context, struct mamori_decision *out);

/*
 * Decides a prepared request into *out: the same answer mamori_decide gives for
 * the request the parts were prepared from, with no string comparison and no
 * allocation.  Thread-safe.  An index out of the decider's ranges (a part
 * filled by hand, or prepared by another decider) is an error answer naming
 * the field, never a silent allow.
 */
void mamori_decide_prepared(const struct mamori_decider *d, const struct mamori_decide_subject *subject,
    const struct mamori_decide_resource *resource, const struct mamori_decide_context *context,
    struct mamori_decision *out);

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
 * Who asks, when the asker is a logged-in account rather than a gateway that
 * may name anyone (docs/decide.md, "Who the subject is"): the account's name,
 * role id, department id (NULL: none) and whether its login passed MFA; policy
 * resolves titles the request may use (「職員等」 for staff).
 */
struct mamori_decide_asker {
	const struct mamori_policy *policy;
	const char *id;
	const char *role;
	const char *department;
	bool mfa;
};

/*
 * What a JSON answer says, for those who act on it without reading it back
 * (the decision log, HTTP statuses, exit codes): a decision, or a request
 * that could not be decided — refused as the asker's own overreach
 * (FORBIDDEN: "forbidden") or as bad input (INVALID: every other error).
 */
enum mamori_decide_outcome {
	MAMORI_DECIDE_INVALID,
	MAMORI_DECIDE_FORBIDDEN,
	MAMORI_DECIDE_ALLOW,
	MAMORI_DECIDE_DENY,
};

/*
 * mamori_decide_json for a request made by asker: the subject is the asker.
 * Fields of the subject the request leaves out are filled from it (id, roles,
 * department, mfa); a field given with another value — another id, other
 * roles, another department, mfa true without MFA — is refused with
 * {"error": {"code": "forbidden", "field": "subject.…"}}, never decided.  The
 * terminal is taken as the request gives it.  asker NULL: mamori_decide_json.
 */
char *mamori_decide_json_as(const struct mamori_decider *d, const char *json, size_t len, long line,
    const struct mamori_decide_asker *asker, FILE *trace);

/*
 * Something to run after each decision of the JSON front end, before the
 * answer is written: the records engine's approvals and exceptions
 * (mamori_record_decide_hook in mamori/record.h).  after may change *dec; the
 * texts it points the answer at must outlive the call of
 * mamori_decide_json_hooked.
 */
struct mamori_decide_hook {
	void (*after)(void *ctx, const struct mamori_decide_request *req, struct mamori_decision *dec);
	void *ctx;
	/* NULL, or run before deciding: may fill req (the terminal of the
	 * register); false with dec's error set ends the request undecided */
	bool (*before)(void *ctx, struct mamori_decide_request *req, struct mamori_decision *dec);
};

/*
 * mamori_decide_json_as with hook run after each decision (hook NULL: none);
 * *outcome (when outcome is not NULL) gets what the answer says, for those
 * who act on it without reading it back (the log, HTTP statuses, exit codes).
 */
char *mamori_decide_json_hooked(const struct mamori_decider *d, const char *json, size_t len, long line,
    const struct mamori_decide_asker *asker, const struct mamori_decide_hook *hook, FILE *trace,
    enum mamori_decide_outcome *outcome);

/*
 * Whether role (an id) may do action to an asset of resource_department (NULL:
 * none) for a subject of subject_department, by the role's `access` and the
 * hierarchy — the same rule as step 2 of mamori_decide.  Unknown roles: false.
 */
bool mamori_decider_role_permits(const struct mamori_decider *d, const char *role, int action,
    const char *subject_department, const char *resource_department);

/*
 * Whose assets role may do action to, by the same rule as
 * mamori_decider_role_permits: every department's, its holder's own
 * department's only, or nobody's (also for an unknown role or action).  A
 * list can then ask the register for exactly the assets the role may see.
 */
enum mamori_reach { MAMORI_REACH_NONE, MAMORI_REACH_DEPARTMENT, MAMORI_REACH_ALL };
enum mamori_reach mamori_decider_role_reach(const struct mamori_decider *d, const char *role, int action);

/*
 * Whether role may administer what ("users" or "policy", the policy's
 * access.manage, inherited up the hierarchy) for a target of target_department
 * (an account's department; NULL: none): a role of scope all anywhere, one of
 * scope department only within the subject's own department.  Unknown: false.
 */
bool mamori_decider_role_manages(const struct mamori_decider *d, const char *role, const char *what,
    const char *subject_department, const char *target_department);

/*
 * Whether other is role itself or reports to it, directly or through the
 * chain: the roles an account manager of role may hand out.  Unknown: false.
 */
bool mamori_decider_role_covers(const struct mamori_decider *d, const char *role, const char *other);

struct mamori_store;

/*
 * Decision logging (the policy's `decision_log`: all, denials (default), none).
 * Whether an answer with outcome should be logged under policy p (the one
 * that decided it): allows only with "all"; denials and undecidable requests
 * with "all" or "denials".
 */
bool mamori_decide_should_log(const struct mamori_policy *p, enum mamori_decide_outcome outcome);

/* One decision to log: who asked, the request as received, the response sent
 * and what it says (mamori_decide_json_as's outcome). */
struct mamori_decide_record {
	const char *actor;
	const char *request;
	const char *response;
	enum mamori_decide_outcome outcome;
};

/*
 * Appends n decisions to the audit trail in one transaction (group commit),
 * each recorded with its own record's actor: an event "decide.allow",
 * "decide.deny" or (a request that could not be decided) "decide.error" by
 * the record's outcome, whose body is {"before": request, "after": response}.
 * Requests that are not JSON are recorded as strings.  Returns 0 or a
 * MAMORI_E_* code with err filled.
 */
int mamori_decide_log_records(struct mamori_store *s, const struct mamori_decide_record *records,
    size_t n, struct mamori_error *err);

struct mamori_store_tx;

/*
 * The events of n decisions appended inside a transaction the caller holds
 * (mamori_store_write), each under its record's actor: for a group commit
 * that also carries other events.  Returns 0 or a MAMORI_E_* code.
 */
int mamori_decide_log_tx(struct mamori_store_tx *tx, const struct mamori_decide_record *records, size_t n);

#endif
