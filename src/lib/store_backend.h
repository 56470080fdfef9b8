/*
 * store_backend.h — the storage under the store, behind a struct of operations
 * (docs/store.md, "Backends"). (internal)
 *
 * In the manner of OpenSMTPD's queue_backend: the modules ask the store's
 * backend for what they need by name (s->backend->audit->head_latest), never
 * by SQL, so that another database is new files — a struct store_backend and
 * its ops — instead of edits in every module.  Every domain is behind it:
 * the audit trail's ops are below, each other domain's in its own
 * store_ops_DOMAIN.h.  SQLite's (store_sqlite*.c) is the only backend and
 * every store gets it at open.
 *
 * Common rules of the ops: they return 0 or a negative MAMORI_E_* code with
 * err filled (err may be NULL), except MAMORI_E_NOTFOUND, which an op may
 * return with err untouched: the module names what was not found; strings
 * and hashes handed to a callback are lent for that call only; a callback's
 * non-zero return stops the walk and is returned as is.  A callback may read
 * the store through other ops but not call the op that is walking, and may
 * write only where its op says so.  A write transaction (begin, or
 * mamori_store_write) admits one writer at a time across every connection to
 * the store: the ops that number things (the largest asset number, a kind's
 * next record, the trail's last event) rely on it.  Numbers are read as stored: a damaged store may hold a
 * seq out of order, a hash of the wrong length or a field that is not text,
 * and the ops say so (NULL hash, fields_text false) instead of refusing, so
 * that the audit modules name the damage.
 */
#ifndef MAMORI_STORE_BACKEND_H
#define MAMORI_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit_internal.h"
#include "mamori/audit.h"
#include "mamori/store.h"

struct mamori_store_tx;
struct store_asset_ops;
struct store_user_ops;
struct store_record_ops;
struct store_file_ops;
struct store_tick_ops;
struct store_check_ops;
struct store_mail_ops;
struct store_meta_ops;
struct store_copy_ops;

/* A reader of event ranges for `log verify` (the backend's; see range_open). */
struct store_audit_reader;

/* A reader of single leaves by seq, for the proofs (the backend's). */
struct store_audit_leaves;

/*
 * One event as `log verify` reads it.  Every pointer stays valid until the
 * next call on the same reader, and is never a copy: the verifier lays the
 * fields out for hashing itself.
 */
struct store_audit_row {
	int64_t seq;
	bool fields_text;			/* every one of the six fields is stored as text */
	const char *field[AUDIT_FIELDS];	/* time, actor, action, object_type, object_id, body */
	size_t len[AUDIT_FIELDS];		/* their stored lengths (a NUL inside counts) */
	const unsigned char *leaf, *chain;	/* NULL unless 32 bytes are stored */
};

struct store_audit_ops {
	/* The trail's size: its largest seq (0 when empty), read without counting rows. */
	int (*size)(struct mamori_store *s, uint64_t *n, struct mamori_error *err);

	/*
	 * For `log verify`: the largest seq (*empty when there is no event), and
	 * *most, the most events the storage can hold (a row inserted with a huge
	 * seq cannot make the verifier cut numberless chunks below it).
	 */
	int (*bounds)(struct mamori_store *s, int64_t *last, bool *empty, int64_t *most, struct mamori_error *err);

	/* ---- the write path (store.c), inside a write transaction ---- */

	/* The last event's seq and chain hash (0 and zeros: the trail is empty). */
	int (*last)(struct mamori_store *s, int64_t *seq, unsigned char chain[MAMORI_HASH_LEN],
	    struct mamori_error *err);

	/*
	 * Appends ev with its leaf and chain hash, computed and checked by the
	 * caller.  The backend may keep what makes the next append cheap in
	 * tx's append state until append_end, which mamori_store_write calls once
	 * the transaction's function has returned (committed or not).
	 */
	int (*append)(struct mamori_store_tx *tx, const struct mamori_event *ev, const unsigned char leaf[MAMORI_HASH_LEN],
	    const unsigned char chain[MAMORI_HASH_LEN], struct mamori_error *err);
	void (*append_end)(struct mamori_store_tx *tx);

	/* ---- events ---- */

	/*
	 * Event seq to fn, with its stored leaf (NULL unless 32 bytes).
	 * MAMORI_E_NOTFOUND when there is no such event (fn not called).
	 */
	int (*event)(struct mamori_store *s, int64_t seq,
	    int (*fn)(const struct mamori_event *ev, const unsigned char *leaf, void *ctx), void *ctx,
	    struct mamori_error *err);

	/* The events f matches, in seq order (mamori_audit_events' contract). */
	int (*events)(struct mamori_store *s, const struct mamori_event_filter *f,
	    int (*fn)(const struct mamori_event *ev, void *ctx), void *ctx, struct mamori_error *err);

	/* The events of one object, in seq order. */
	int (*events_of)(struct mamori_store *s, const char *object_type, const char *object_id,
	    int (*fn)(const struct mamori_event *ev, void *ctx), void *ctx, struct mamori_error *err);

	/* seq and time of every event after seq `after`, in seq order (the head schedule). */
	int (*times)(struct mamori_store *s, uint64_t after,
	    int (*fn)(uint64_t seq, const char *time, void *ctx), void *ctx, struct mamori_error *err);

	/* The config.set events of head.every_events and head.every_seconds, in seq order. */
	int (*schedule_changes)(struct mamori_store *s,
	    int (*fn)(uint64_t seq, const char *key, const char *body, void *ctx), void *ctx,
	    struct mamori_error *err);

	/* ---- leaves ---- */

	/* The stored leaves of seq after+1 .. upto, in seq order (leaf NULL unless 32 bytes). */
	int (*leaves)(struct mamori_store *s, uint64_t after, uint64_t upto,
	    int (*fn)(uint64_t seq, const unsigned char *leaf, void *ctx), void *ctx, struct mamori_error *err);

	/*
	 * Single leaves by seq, in any order (a proof's path): open, read many,
	 * close.  leaf_read returns 0, or MAMORI_E_TAMPERED when event seq or its
	 * 32-byte leaf is not there.
	 */
	int (*leaves_open)(struct mamori_store *s, struct store_audit_leaves **out, struct mamori_error *err);
	int (*leaf_read)(struct store_audit_leaves *r, uint64_t seq, unsigned char out[MAMORI_HASH_LEN]);
	void (*leaves_close)(struct store_audit_leaves **r);

	/* ---- signed tree heads ---- */

	/* The head of the largest size; MAMORI_E_NOTFOUND when none is stored. */
	int (*head_latest)(struct mamori_store *s, struct mamori_head *h, struct mamori_error *err);

	/* Every stored head, in order of size. */
	int (*heads)(struct mamori_store *s, int (*fn)(const struct mamori_head *h, void *ctx), void *ctx,
	    struct mamori_error *err);

	/*
	 * Every stored head's size and number as stored, in order of size:
	 * numbered false for a head signed before numbering (no number stored);
	 * a stored number is handed as is, even 0 or negative.
	 */
	int (*head_numbers)(struct mamori_store *s,
	    int (*fn)(uint64_t size, bool numbered, int64_t seq, void *ctx), void *ctx, struct mamori_error *err);

	/* Numbered head seq: *found, its size and root (*root_ok false unless 32 bytes are stored). */
	int (*head_numbered)(struct mamori_store *s, uint64_t seq, bool *found, uint64_t *size,
	    unsigned char root[MAMORI_HASH_LEN], bool *root_ok, struct mamori_error *err);

	/* The head of this size (*found) and the largest head number (0: none). */
	int (*head_at)(struct mamori_store *s, uint64_t size, struct mamori_head *h, bool *found, uint64_t *max_seq,
	    struct mamori_error *err);

	/*
	 * The largest head stored with a frontier (*found), and that frontier:
	 * *flen its stored length, its bytes copied into frontier when they fit
	 * (64 hashes, the most a frontier has; a longer one is no frontier and
	 * only its length is told).
	 */
	int (*head_frontier)(struct mamori_store *s, struct mamori_head *h, bool *found,
	    unsigned char frontier[64 * MAMORI_HASH_LEN], size_t *flen, struct mamori_error *err);

	/* Stores h with its frontier; replaces an unnumbered head of the same size. */
	int (*head_put)(struct mamori_store *s, const struct mamori_head *h, const unsigned char *frontier,
	    size_t flen, struct mamori_error *err);

	/* ---- readers of their own, for `log verify`'s threads ---- */

	/*
	 * Whether readers of their own (reader_open with own) see what s sees: a
	 * store in a file, not inside a write transaction of s.
	 */
	bool (*readers_share)(struct mamori_store *s);

	/*
	 * A reader of event ranges: with own, on a read-only connection of its
	 * own, for one thread at a time (no locks); otherwise on s's connection.
	 * It reads one range at a time: range_open(lo, hi), then range_next
	 * until it returns 0 (end) or a MAMORI_E_* code (err filled), each 1
	 * filling row with event seq >= lo and <= hi in seq order.
	 */
	int (*reader_open)(struct mamori_store *s, bool own, struct store_audit_reader **out,
	    struct mamori_error *err);
	int (*range_open)(struct store_audit_reader *r, int64_t lo, int64_t hi, struct mamori_error *err);
	int (*range_next)(struct store_audit_reader *r, struct store_audit_row *row, struct mamori_error *err);
	void (*reader_close)(struct store_audit_reader **r);
};

struct store_backend {
	const char *name;			/* "sqlite" */
	/* a write transaction outside mamori_store_write (a head's signing) */
	int (*begin)(struct mamori_store *s, struct mamori_error *err);
	int (*commit)(struct mamori_store *s, struct mamori_error *err);
	void (*rollback)(struct mamori_store *s);
	const struct store_audit_ops *audit;	/* audit*.c: the trail (above) */
	/*
	 * One struct of operations per domain, each declared in its own
	 * store_ops_DOMAIN.h.
	 */
	const struct store_asset_ops *asset;	/* asset*.c: the register */
	const struct store_user_ops *user;	/* user.c, personnel.c: accounts, tokens, moves */
	const struct store_record_ops *record;	/* record.c, record_list/decide/policy/register.c */
	const struct store_file_ops *file;	/* record_file.c: files attached to records */
	const struct store_tick_ops *tick;	/* record_tick.c, training.c: the scheduled work */
	const struct store_check_ops *check;	/* selfcheck.c, review.c, risk.c */
	const struct store_mail_ops *mail;	/* mail.c, mail_outbox.c */
	const struct store_meta_ops *meta;	/* store.c, store_policy.c, backup.c: schema, meta, config, policy */

	/* store_copy.c: every table's rows out and in (`mamori store copy`) */
	const struct store_copy_ops *copy;
};

/* SQLite's (store_sqlite.c gathers store_sqlite_DOMAIN.c): a store in a file. */
extern const struct store_backend store_backend_sqlite;

/*
 * PostgreSQL's (store_pg.c gathers store_pg_DOMAIN.c): a store named by a
 * postgresql:// URL.  Weak: it is in libmamori_pg, which `mamori` does not
 * link (libpq costs every command 2 ms to load), and its address is NULL there.
 */
extern const struct store_backend store_backend_pg __attribute__((weak));

/*
 * The backend of a store named so: PostgreSQL's for a postgresql:// or
 * postgres:// URL, SQLite's otherwise (a file, or sqlite:FILE); *file the
 * name without "sqlite:".  NULL for a URL when this program has no
 * PostgreSQL backend.
 */
const struct store_backend *store_backend_of(const char *location, const char **file);

/* SQLite's operations of each domain, one store_sqlite_DOMAIN.c each. */
extern const struct store_audit_ops store_sqlite_audit_ops;

/* Each backend's copy ops (store_ops_copy.h): store_sqlite_copy.c's, store_pg_copy.c's. */
extern const struct store_copy_ops store_sqlite_copy_ops, store_pg_copy_ops;

#endif
