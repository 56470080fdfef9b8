/*
 * server.h — `mamori serve`: the server's context and its route table.
 * (server-internal)  The context is the one place with mutable state shared
 * between request threads; every field says what guards it.
 */
#ifndef MAMORI_SERVER_H
#define MAMORI_SERVER_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "access.h"
#include "audit_queue.h"
#include "header_watch.h"
#include "http.h"
#include "lang.h"
#include "ratelimit.h"
#include "session.h"
#include "worker.h"
#include "mamori/store.h"
#include "mamori/decide.h"
#include "mamori/policy.h"

struct server_config {
	const char *listen;		/* "127.0.0.1:8080" */
	const char *policy_path;	/* a policy file (when there is no store) */
	const char *web_dir;		/* static UI */
	const char *quarantine_dir;	/* originals of 無害化 (--quarantine); NULL: none */
	const char *tls_cert, *tls_key;
	unsigned threads;		/* 0: one per CPU */
	size_t body_max;		/* bytes */
	unsigned client_timeout;	/* seconds idle before a connection closes; 0: 30 */
	long rate;			/* requests a second per account (--rate); 0: SERVER_RATE, < 0: no limit */
};

enum {
	SERVER_RATE = 1000,		/* requests (batch lines) a second per account, by default */
	SERVER_RATE_BURST = 20,		/* bursts of 20 seconds' worth */
};

struct server {
	struct server_config cfg;
	struct MHD_Daemon *daemon;
	int listen_fd;			/* the listening socket (server_start), closed by server_stop */
	/* immutable after start: */
	struct mamori_policy *policy;		/* owned, when loaded from a file */
	char *tls_cert_pem, *tls_key_pem;
	/* the policy in force (file or store) and its decider: set before start,
	 * then read only through server_policy_snapshot and replaced only by
	 * server_policy_swap (PUT /api/policy), both under policy_lock.  Deciders
	 * replaced stay in retired until server_stop (requests may still use them);
	 * replaced policies stay with the store until it closes. */
	const struct mamori_policy *view;
	struct mamori_decider *decider;
	pthread_rwlock_t policy_lock;
	struct mamori_decider **retired;
	size_t nretired;
	/* the store, when serving one: accounts, register, trail.  One connection,
	 * so every use holds store_lock (transactions must not interleave). */
	struct mamori_store *store;
	pthread_mutex_t store_lock;
	struct session_table sessions;	/* has its own lock */
	struct rate_table rates;	/* per account (ratelimit.h); has its own lock */
	/* each worker thread's struct worker (its read connection and caches),
	 * made on the thread's first request, freed when the thread ends */
	pthread_key_t worker_key;
	bool have_worker_key;
	struct header_watch *header_watch;	/* the headers' deadline (header_watch.h) */
	struct audit_queue *audit_queue;	/* group commit of logged decisions and refusals
						 * (audit_queue.h), NULL without a store; has its own lock */
	struct lang lang;		/* the languages of answers (lang.h); immutable after start */
};

enum {
	ROUTE_PUBLIC = 1,	/* no login needed */
	ROUTE_MUTATES = 2,	/* changes state: needs the CSRF token of the session */
	ROUTE_STORE = 4,	/* needs a store */
	ROUTE_PER_LINE = 8,	/* costs one unit of the account's rate per body line (a batch) */
};

/*
 * A route: method, path pattern ("/api/assets/{id}"), handler, and what the
 * session's role needs before the handler runs (access.h; checked by the
 * dispatcher, refused with a 403 that is audit-logged).
 */
struct route {
	const char *method;
	const char *pattern;
	void (*handler)(struct request *req, struct response *res);
	unsigned flags;
	enum access_need need;
	const char *summary;
};

extern const struct route server_routes[];
extern const size_t server_nroutes;

/* Handlers, one file per resource. */
void route_health(struct request *req, struct response *res);
void route_stats(struct request *req, struct response *res);
/* Adds "quarantine": {"held", "requested", "released"} counts of the originals
 * to root for roles that may see the quarantine, null otherwise or without a
 * quarantine directory; false on an error (err filled). */
bool quarantine_stats(struct request *req, cJSON *root, struct mamori_error *err);
void route_quarantine_list(struct request *req, struct response *res);
void route_quarantine_get(struct request *req, struct response *res);
void route_quarantine_request(struct request *req, struct response *res);
void route_quarantine_release(struct request *req, struct response *res);
void route_quarantine_original(struct request *req, struct response *res);
void route_record_kinds(struct request *req, struct response *res);
void route_record_list(struct request *req, struct response *res);
void route_record_create(struct request *req, struct response *res);
void route_record_get(struct request *req, struct response *res);
void route_record_move(struct request *req, struct response *res);
void route_record_comment(struct request *req, struct response *res);
void route_record_files(struct request *req, struct response *res);
void route_record_file_add(struct request *req, struct response *res);
void route_record_file_get(struct request *req, struct response *res);
void route_notices(struct request *req, struct response *res);
void route_check_items(struct request *req, struct response *res);
void route_check_progress(struct request *req, struct response *res);
void route_check_sheet(struct request *req, struct response *res);
void route_check_answer(struct request *req, struct response *res);
void route_risks(struct request *req, struct response *res);
void route_review_gather(struct request *req, struct response *res);
void route_policy_show(struct request *req, struct response *res);
void route_policy_render(struct request *req, struct response *res);
void route_policy_validate(struct request *req, struct response *res);
void route_decide(struct request *req, struct response *res);
void route_decide_batch(struct request *req, struct response *res);
void route_login(struct request *req, struct response *res);
void route_logout(struct request *req, struct response *res);
void route_me(struct request *req, struct response *res);
void route_assets_list(struct request *req, struct response *res);
void route_asset_get(struct request *req, struct response *res);
void route_assets_add(struct request *req, struct response *res);
void route_asset_dispose(struct request *req, struct response *res);
void route_log_head(struct request *req, struct response *res);
void route_log_verify(struct request *req, struct response *res);

void route_policy_replace(struct request *req, struct response *res);
void route_asset_edit(struct request *req, struct response *res);
void route_assets_import(struct request *req, struct response *res);
void route_assets_export(struct request *req, struct response *res);
void route_reports_register(struct request *req, struct response *res);
void route_reports_self_check(struct request *req, struct response *res);
void route_reports_audit(struct request *req, struct response *res);
void route_reports_risks(struct request *req, struct response *res);

/* The register's list filters of the query string (those of GET /api/assets);
 * false after a 400 (routes_asset.c). */
struct mamori_asset_filter;
bool server_asset_filter(struct request *req, struct response *res, struct mamori_asset_filter *f);

/* Whether the session's role reads assets of department: a mamori_asset_scope's
 * allows, with the request as its ctx (routes_asset.c). */
bool server_asset_may_read(const char *department, void *ctx);
void route_log_events(struct request *req, struct response *res);
void route_log_proof(struct request *req, struct response *res);
void route_users_list(struct request *req, struct response *res);
void route_users_add(struct request *req, struct response *res);
void route_user_get(struct request *req, struct response *res);
void route_user_disable(struct request *req, struct response *res);
void route_user_email(struct request *req, struct response *res);
void route_user_enable(struct request *req, struct response *res);
void route_user_password(struct request *req, struct response *res);
void route_user_mfa_enroll(struct request *req, struct response *res);
void route_user_mfa_reset(struct request *req, struct response *res);
void route_user_tokens_list(struct request *req, struct response *res);
void route_user_token_create(struct request *req, struct response *res);
void route_user_token_revoke(struct request *req, struct response *res);
void route_user_move(struct request *req, struct response *res);
void route_user_retire(struct request *req, struct response *res);
void route_user_holdings(struct request *req, struct response *res);
void route_training(struct request *req, struct response *res);
void route_training_remind(struct request *req, struct response *res);

/* Records a refused request in the audit trail through the group commit; best
 * effort (a failure is reported on stderr), returns once it is written. */
void server_audit_denied(struct request *req, unsigned status, const char *why);

/*
 * Charges cost units (a request: 1, a batch: its lines) to the account of the
 * request, or to its client address when there is no account, against the
 * per-account rate.  False after a 429 with Retry-After (the first of a run
 * audit-logged as "rate limit").
 */
bool server_rate_take(struct request *req, struct response *res, double cost);

/* A 403 for the session's role ("role 'staff' may not WHAT"), audit-logged as
 * denied.  what is a msgid (an xgettext keyword): translated in the answer,
 * kept in English in the audit trail. */
void server_forbid(struct request *req, struct response *res, const char *what);

/* Fills req->view and req->decider with the policy in force (under policy_lock). */
void server_policy_snapshot(struct server *srv, struct request *req);

/*
 * Makes the store's (just replaced) policy the one in force: compiles its
 * decider with the register's assets and swaps it in.  The caller holds
 * store_lock.  Returns 0, or a MAMORI_E_* code with err filled (the old policy
 * stays in force for the server, though the store holds the new one).
 */
int server_policy_swap(struct server *srv, struct mamori_error *err);

/*
 * The one error shape of validation problems — 422 / 409 / 403 with the
 * library's diagnostics: {"error": {code, message, field: null,
 * "diagnostics": [{"severity", KEY, "column", "message"}, ...]}}; key names
 * the position member ("line" for a policy, "row" for a CSV; "object" or
 * "field" from the diagnostic's file: an asset id or user name, a record's
 * field); NULL for a single object, whose diagnostics carry only severity and
 * message.  message is a msgid (an xgettext keyword) or a message translated
 * already.  (core.c)
 */
void server_error_diags(struct response *res, unsigned status, const char *code, const char *message,
    const struct mamori_diags *d, const char *key);

/* The entries of d as a JSON array, as server_error_diags writes them; for
 * warnings of a success. */
cJSON *server_diags_json(const struct mamori_diags *d, const char *key);

/* An HTTP status and its error code (docs/api.md, "Errors"). */
struct server_status {
	unsigned status;
	const char *code;
};

/*
 * The one mapping of a library status (MAMORI_E_*) to HTTP: USAGE 400
 * invalid, DENIED 403 forbidden, NOTFOUND 404 not-found, CONFLICT 409
 * conflict, INVALID 422 invalid, anything else 500 (TAMPERED: "tampered",
 * else "internal").  A route whose library status means something else there
 * (an id in the path that does not parse is malformed, not invalid) says so
 * by passing the status it means.  (core.c)
 */
struct server_status server_status_of(int rc);

/* Answers rc (not 0) as an HTTP error with err's message; field is named for
 * a 400, 409 or 422 (the part of the request at fault), else null. */
void server_error(struct response *res, int rc, const char *field, const struct mamori_error *err);

/*
 * Answers 200 with the XLSX workbook write makes at a temporary path (under
 * $TMPDIR, else /tmp; removed afterwards), offered for download as
 * disposition (a string literal).  On failure answers 500 with write's message.
 * The register's and the records' exports (core.c).
 */
void server_xlsx_response(struct response *res, const char *disposition,
    int (*write)(const char *path, void *arg, struct mamori_error *err), void *arg);

/* server_xlsx_response for any file a writer makes by name: answered as content_type (a literal). */
void server_file_response(struct response *res, const char *content_type, const char *disposition,
    int (*write)(const char *path, void *arg, struct mamori_error *err), void *arg);

/*
 * The one write path of a route: server_store_begin takes store_lock and
 * returns the store to change through its library calls (each writes its own
 * audit event in its transaction); server_store_end releases the lock and, when
 * rc is not 0, answers it with server_error (field as there).  Returns whether
 * rc was 0.  Nothing may answer or return between the two.  (core.c)
 */
struct mamori_store *server_store_begin(struct request *req);
bool server_store_end(struct request *req, struct response *res, int rc, const struct mamori_error *err,
    const char *field);

/* server_store_end that answers MAMORI_E_INVALID with d's problems (422,
 * server_error_diags with key). */
bool server_store_end_diags(struct request *req, struct response *res, int rc, const struct mamori_error *err,
    const char *field, const struct mamori_diags *d, const char *key);

/*
 * Starts the daemon; returns 0 or prints why not and returns an exit code.
 * Sets the languages of answers up first (lang_open: it changes the
 * environment and the global locale), so call it before any thread starts.
 */
int server_start(struct server *srv);

/* Stops accepting, lets in-flight requests finish (up to a deadline), stops. */
void server_stop(struct server *srv);

#endif
