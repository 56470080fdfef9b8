/* store_internal.h — what library modules share about the store. (internal) */
#ifndef MAMORI_STORE_INTERNAL_H
#define MAMORI_STORE_INTERNAL_H

#include <sqlite3.h>
#include <time.h>

#include "mamori/store.h"

struct mamori_store {
	sqlite3 *db;
	char *path;
	char log_id[40];
	struct mamori_policy *policy;
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
	time_t now_sec;			/* store_tx_now: the second now_text holds */
	char now_text[24];
};

/* Runs SQL with no result rows; fills err with SQLite's message on failure. */
int store_exec(struct mamori_store *s, const char *sql, struct mamori_error *err);

/* A prepared statement; NULL with err filled on failure. */
sqlite3_stmt *store_prepare(struct mamori_store *s, const char *sql, struct mamori_error *err);

/* Fills err from the database's last error and returns MAMORI_E_STORE. */
int store_error(struct mamori_store *s, struct mamori_error *err, const char *what);

/* The current time, UTC, RFC 3339 with microseconds, into buf (32 bytes). */
void store_now(char buf[32]);

/* As store_now, with the date and time of day formatted once per second of the transaction. */
void store_tx_now(struct mamori_store_tx *tx, char buf[32]);

/*
 * As mamori_store_tx_event, for a body that is canonical JSON already
 * ({"after":…,"before":…}, written with canon.h): the register writes its
 * bodies directly, without a cJSON tree per event.
 */
int store_tx_event_body(struct mamori_store_tx *tx, const char *action, const char *object_type,
    const char *object_id, const char *body);

#endif
