/*
 * worker.h — what each server thread keeps for itself: its own read connection
 * to the store (WAL lets the threads read at once; writes still take the one
 * write connection under store_lock) and caches of checked credentials.
 * (server-internal)
 *
 * The caches are correct at once, not after a delay: every request first asks
 * its connection for SQLite's data version, which changes whenever anything
 * (another thread, `mamori user disable` in another process) has committed to
 * the store; the caches are emptied then.  A disabled user, a removed or
 * expired token, a changed role thus take effect on the next request.  An entry
 * is also dropped WORKER_CACHE_TTL_S seconds after it was read, as a second line.
 */
#ifndef MAMORI_SERVER_WORKER_H
#define MAMORI_SERVER_WORKER_H

#include <stdint.h>
#include <time.h>

#include "mamori/error.h"
#include "mamori/record.h"
#include "mamori/store.h"
#include "mamori/user.h"

enum {
	WORKER_TOKENS = 64,		/* direct-mapped by the token's hash */
	WORKER_USERS = 64,		/* direct-mapped by the user name */
	WORKER_CACHE_TTL_S = 60,
};

struct worker_token {
	char hash[MAMORI_TOKEN_LEN];	/* SHA-256 of the token, hex; "" = empty */
	char scope[8];
	int64_t expires;		/* the token's own expiry */
	time_t checked;
	struct mamori_user user;
};

struct worker_user {
	struct mamori_user user;	/* user.name "" = empty */
	time_t checked;
};

struct worker {
	struct mamori_store *db;	/* this thread's read-only connection */
	int64_t data_version;
	struct worker_token tokens[WORKER_TOKENS];
	struct worker_user users[WORKER_USERS];
	/* the records' context of the decision point (mamori/record.h): its caches
	 * of the exceptions and registers in force outlive a request, and are
	 * read again after another connection's commit (data_version) */
	struct mamori_record_decide records;
};

/* Opens a worker on a reader connection of store; NULL with err filled if not. */
struct worker *worker_new(const struct mamori_store *store, struct mamori_error *err);

/* Closes the connection and frees the worker; accepts NULL. */
void worker_free(struct worker *w);

/*
 * Starts the request's read transaction on the worker's connection (one
 * snapshot for the credential check and the route's reads) and empties the
 * caches when the store has changed since the last call.
 */
void worker_refresh(struct worker *w);

/* Ends the request's read transaction (worker_refresh); accepts NULL. */
void worker_done(struct worker *w);

/*
 * Checks an API token at now, from the cache or the store: 0 with its enabled
 * user and scope, MAMORI_E_DENIED (unknown, expired, user disabled), or
 * MAMORI_E_STORE when the store cannot answer (PostgreSQL out of reach).
 */
int worker_token_check(struct worker *w, const char *token, time_t now, struct mamori_user *user,
    char scope[8]);

/* The account name as the store holds it now: 0, MAMORI_E_NOTFOUND, or MAMORI_E_STORE (no answer). */
int worker_user_get(struct worker *w, const char *name, time_t now, struct mamori_user *user);

#endif
