/* store_internal.h — what library modules share about the store. (internal) */
#ifndef MAMORI_STORE_INTERNAL_H
#define MAMORI_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>

#include "mamori/store.h"

enum { STORE_CACHED_MAX = 16 };

struct mamori_store {
	sqlite3 *db;
	char *path;
	char log_id[40];
	struct mamori_policy *policy;
	bool policy_borrowed;		/* a reader shares its primary's policy */
	/* statements prepared once per connection, keyed by the address of their
	 * SQL text (a string literal); see store_cached */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cached[STORE_CACHED_MAX];
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

/*
 * A statement prepared once per connection and kept: sql must be a string
 * literal (it is looked up by address).  The statement comes back reset with
 * no bindings; the caller steps it and must end with store_release (never
 * sqlite3_finalize), so that no read transaction stays open between calls.
 * Falls back to an uncached statement when the cache is full (store_release
 * then finalizes it).  NULL with err filled on failure.
 */
sqlite3_stmt *store_cached(struct mamori_store *s, const char *sql, struct mamori_error *err);

/* Resets (cached) or finalizes (uncached) a statement from store_cached. */
void store_release(struct mamori_store *s, sqlite3_stmt *st);

/* Fills err from the database's last error and returns MAMORI_E_STORE. */
int store_error(struct mamori_store *s, struct mamori_error *err, const char *what);

/* The current time, UTC, RFC 3339 with microseconds, into buf (32 bytes). */
void store_now(char buf[32]);

#endif
