/*
 * store_ops_meta.h — the store's own operations behind the backend: the
 * connection, the schema's version and migrations, the meta and config
 * tables, the policy table, the read snapshot and the copies of a store
 * (store.c, store_policy.c, backup.c).  SQLite's in store_sqlite_meta.c.
 * (internal)
 *
 * Common rules as in store_backend.h: 0 or a negative MAMORI_E_* code with
 * err filled (err may be NULL); strings handed to a callback are lent for
 * that call only; a callback's non-zero return is returned as is.
 */
#ifndef MAMORI_STORE_OPS_META_H
#define MAMORI_STORE_OPS_META_H

#include <stdbool.h>
#include <stdint.h>

#include "store_backend.h"

/* How a store is opened (store_meta_ops.open). */
enum store_open_mode {
	STORE_OPEN_CREATE,	/* a new store in an empty file the caller made */
	STORE_OPEN_SHARED,	/* an existing store, the connection shared by threads */
	STORE_OPEN_PRIVATE,	/* an existing store, one thread's */
	STORE_OPEN_READER,	/* an existing store, one thread's, that never writes */
};

/* What a copy of a store holds (store_meta_ops.copy). */
struct store_meta_summary {
	char log_id[40];	/* "" when the copy names none */
	int64_t events;		/* the trail's largest seq */
	int schema;		/* its schema version */
};

struct store_meta_ops {
	/* ---- the connection ---- */

	/*
	 * Connects s (s->path set, nothing else yet) to the store at s->path,
	 * with the settings every connection of that mode needs (durable
	 * commits, concurrent readers).  On failure s holds what close frees.
	 */
	int (*open)(struct mamori_store *s, enum store_open_mode mode, struct mamori_error *err);

	/* Frees what open and the other ops kept in s (none of s's own fields). */
	void (*close)(struct mamori_store *s);

	/* ---- the schema ---- */

	/* The schema version of the store (0: a store being made). */
	int (*schema_version)(struct mamori_store *s, int *version, struct mamori_error *err);

	/*
	 * Takes the store from schema `from` to MAMORI_STORE_SCHEMA in one
	 * transaction; nothing changed on failure.
	 */
	int (*migrate)(struct mamori_store *s, int from, struct mamori_error *err);

	/*
	 * Copies s's store, as s sees it, into the file `to`, which exists and
	 * is empty (the copy before a migration).  On failure err's message is
	 * the reason alone, for the caller to put in its own.
	 */
	int (*snapshot)(struct mamori_store *s, const char *to, struct mamori_error *err);

	/*
	 * Copies the store in the file `from` (no open store needed) into the
	 * empty file `to` as one committed state, however much is written
	 * meanwhile, and tells what the copy holds (the backup).
	 */
	int (*copy)(const char *from, const char *to, struct store_meta_summary *sum, struct mamori_error *err);

	/* ---- the write transaction (mamori_store_write) ---- */

	/*
	 * The number of rows changed on s's connection since it opened, all
	 * tables: a transaction's function that changed rows without an event
	 * is caught by the difference.
	 */
	int64_t (*changes)(struct mamori_store *s);

	/* ---- the read snapshot (mamori_store_read_begin) ---- */

	/*
	 * The store's data version as s sees it, an opaque token: it differs
	 * after another connection commits a change (and may differ more often:
	 * the totals kept per version are then only counted again).  -1 on
	 * failure.
	 */
	int64_t (*data_version)(struct mamori_store *s);

	/* Starts a read transaction (a snapshot) and returns its data version, or -1. */
	int64_t (*read_begin)(struct mamori_store *s);

	/* Ends the read transaction, if one is open. */
	void (*read_end)(struct mamori_store *s);

	/* ---- meta and config ---- */

	/* Stores meta key with value (a key stored already is a conflict). */
	int (*meta_put)(struct mamori_store *s, const char *key, const char *value, struct mamori_error *err);

	/* Meta key's value to fn; MAMORI_E_NOTFOUND (fn not called) when it has none. */
	int (*meta_get)(struct mamori_store *s, const char *key, int (*fn)(const char *value, void *ctx), void *ctx,
	    struct mamori_error *err);

	/* Sets config key to value, replacing the value it had. */
	int (*config_set)(struct mamori_store *s, const char *key, const char *value, struct mamori_error *err);

	/* Config key's value to fn; MAMORI_E_NOTFOUND (fn not called) when it has none. */
	int (*config_get)(struct mamori_store *s, const char *key, int (*fn)(const char *value, void *ctx),
	    void *ctx, struct mamori_error *err);

	/* ---- the policy table ---- */

	/*
	 * Stores a policy (its id, SHA-256 in hex, JSON and the time it was
	 * loaded) as the newest, numbered after every one stored; *version
	 * its number.
	 */
	int (*policy_put)(struct mamori_store *s, const char *id, const char *sha256, const char *json,
	    const char *loaded_at, int64_t *version, struct mamori_error *err);

	/* The newest policy's number (0 when there is none). */
	int (*policy_version)(struct mamori_store *s, int64_t *version, struct mamori_error *err);

	/* The newest policy's number and JSON to fn; MAMORI_E_NOTFOUND (fn not called) when none. */
	int (*policy_latest)(struct mamori_store *s, int (*fn)(int64_t version, const char *json, void *ctx),
	    void *ctx, struct mamori_error *err);
};

#endif
