/* store_internal.h — what library modules share about the store. (internal) */
#ifndef MAMORI_STORE_INTERNAL_H
#define MAMORI_STORE_INTERNAL_H

#include <sqlite3.h>

#include "mamori/store.h"

struct mamori_store {
	sqlite3 *db;
	char *path;
	char log_id[40];
	struct mamori_policy *policy;
	int64_t policy_version;		/* policy.version of the policy loaded */
	/* policies this connection held before a replacement: kept until close, so
	 * that pointers from mamori_store_policy stay valid as documented */
	struct mamori_policy **retired;
	size_t nretired;
};

struct mamori_store_tx {
	struct mamori_store *store;
	const char *actor;
	int64_t last_seq;		/* cached across the events of one transaction */
	unsigned char last_chain[32];
	bool have_last;
	int64_t events;
	sqlite3_stmt *insert_event;	/* prepared once per transaction */
	int64_t next_asset;		/* next asset number, 0 until first needed */
};

/* Runs SQL with no result rows; fills err with SQLite's message on failure. */
int store_exec(struct mamori_store *s, const char *sql, struct mamori_error *err);

/* A prepared statement; NULL with err filled on failure. */
sqlite3_stmt *store_prepare(struct mamori_store *s, const char *sql, struct mamori_error *err);

/* Fills err from the database's last error and returns MAMORI_E_STORE. */
int store_error(struct mamori_store *s, struct mamori_error *err, const char *what);

/*
 * Makes p (owned from now on) the connection's policy, as version; the one it
 * held is retired, not freed.  Returns 0 or MAMORI_E_NOMEM (p is freed then).
 */
int store_set_policy(struct mamori_store *s, struct mamori_policy *p, int64_t version);

/* The newest policy version in the store (0 when there is none). */
int64_t store_policy_version(struct mamori_store *s);

/* The current time, UTC, RFC 3339 with microseconds, into buf (32 bytes). */
void store_now(char buf[32]);

#endif
