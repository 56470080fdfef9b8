/* store_internal.h — what library modules share about the store. (internal) */
#ifndef MAMORI_STORE_INTERNAL_H
#define MAMORI_STORE_INTERNAL_H

/*
 * The modules see SQLite's connection and statements as opaque pointers and
 * no SQL helper: every statement is in SQLite's backend, store_sqlite*.c,
 * which alone includes store_sqlite.h (tests/cli/store_layers.sh checks it).
 */
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
struct store_pg;
#include <stdbool.h>
#include <time.h>

#include "mamori/audit.h"
#include "mamori/merkle.h"
#include "mamori/store.h"

enum { STORE_CACHED_MAX = 16, STORE_BUILT_MAX = 16, STORE_TOTALS_MAX = 16 };

struct mamori_store {
	sqlite3 *db;
	struct store_pg *pg;	/* PostgreSQL's connection (store_pg.h), on such a store */
	/* what stores and reads the domains behind it (store_backend.h); set at open */
	const struct store_backend *backend;
	char *location;		/* as the store was named: a file, or a postgresql:// URL */
	char *path;		/* the file, or where a PostgreSQL store keeps its keys and files */
	char log_id[40];
	struct mamori_policy *policy;
	int64_t policy_version;		/* policy.version of the policy loaded */
	/* policies this connection held before a replacement: kept until close, so
	 * that pointers from mamori_store_policy stay valid as documented */
	struct mamori_policy **retired;
	size_t nretired;
	bool policy_borrowed;		/* a reader shares its primary's policy */
	/* statements prepared once per connection, keyed by the address of their
	 * SQL text (a string literal); see store_cached */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cached[STORE_CACHED_MAX];
	/* statements whose SQL is built per call (the list's filters), kept by
	 * their text, the oldest replaced first; see store_built */
	struct {
		char *sql;
		sqlite3_stmt *st;
	} built[STORE_BUILT_MAX];
	size_t built_next;
	/* The Merkle frontier of the first leaves.size events of the committed
	 * trail, when this connection knows it (it signed a head, or committed a
	 * bulk import that computed it): the next head extends it from the
	 * events after it instead of reading the trail since the last stored
	 * frontier.  Only committed events are ever in it, so a rollback leaves
	 * it true. */
	struct mamori_merkle_acc leaves;
	bool leaves_known;
	/* where signed heads are published as they are made (NULL: nowhere) */
	char *heads_out;
	/* and to whom each, as a line (mamori_store_head_sink; NULL: no one) */
	void (*head_sink)(const char *line, void *data);
	void *head_sink_data;
	/* In a reader's read transaction (mamori_store_read_begin), the
	 * data_version of its snapshot: the totals of list filters counted in
	 * an earlier snapshot of the same version are still true (store_sqlite_asset.c).
	 * A reader never writes, so every change moves the version. */
	int64_t snapshot_version;
	bool in_snapshot;
	struct {
		int64_t version, n;
		const struct mamori_policy *policy;	/* names resolve through it */
		char key[1024];			/* the filter's SQL terms and values */
	} totals[STORE_TOTALS_MAX];
	size_t totals_next;		/* the slot to reuse next (oldest first) */
	/* the key that seals TOTP secrets (PATH.totp-key), once read */
	unsigned char secret_key[32];
	bool secret_key_known;
};

/* A clock that formats the date and time of day once per second (store_clock_now). */
struct store_clock {
	time_t sec;
	char text[24];
};

struct mamori_store_tx {
	struct mamori_store *store;
	const char *actor;
	int64_t last_seq;		/* cached across the events of one transaction */
	unsigned char last_chain[32];
	bool have_last;
	int64_t events;
	void *audit_append;		/* the backend's, from the first append to append_end */
	int64_t next_asset;		/* next asset number, 0 until first needed */
	struct store_clock clock;	/* store_tx_now */
	/* the frontier after this transaction's events, when its writer
	 * computed it (store_tx_leaves); installed as store->leaves on commit */
	struct mamori_merkle_acc leaves_after;
	bool leaves_after_known;
};


/*
 * Makes p (owned from now on) the connection's policy, as version; the one it
 * held is retired, not freed.  Returns 0 or MAMORI_E_NOMEM (p is freed then).
 */
int store_set_policy(struct mamori_store *s, struct mamori_policy *p, int64_t version);

/* The newest policy version in the store (0 when there is none). */
int64_t store_policy_version(struct mamori_store *s);

/* The current time, UTC, RFC 3339 with microseconds, into buf (32 bytes). */
void store_now(char buf[32]);

/* As store_now, with the date and time of day formatted once per second of the clock. */
void store_clock_now(struct store_clock *c, char buf[32]);

/* store_clock_now with the transaction's clock. */
void store_tx_now(struct mamori_store_tx *tx, char buf[32]);

/* The seq and chain hash of the transaction's last event (0 and zeros: none yet). */
int store_tx_last(struct mamori_store_tx *tx, int64_t *seq, unsigned char chain[32]);

/*
 * Appends an event whose leaf and chain hash the caller computed already
 * (mamori_event_leaf, mamori_event_chain) from the transaction's last event —
 * a bulk import hashes on a second thread while this one inserts.  ev->seq
 * must follow the last event's; ev's strings are lent for the call.
 */
int store_tx_event_hashed(struct mamori_store_tx *tx, const struct mamori_event *ev,
    const unsigned char leaf[32], const unsigned char chain[32]);

/*
 * Tells the transaction the trail's Merkle frontier after its last event, as
 * its writer computed it (the store's leaves, known before the transaction
 * appended anything, with every appended leaf pushed): on commit it becomes
 * the store's, and the head signed next needs no read of the new events.
 * acc->size must be the seq of the last event appended; otherwise it is ignored.
 */
void store_tx_leaves(struct mamori_store_tx *tx, const struct mamori_merkle_acc *acc);

/*
 * As mamori_store_tx_event, for a body that is canonical JSON already
 * ({"after":…,"before":…}, written with canon.h): the register writes its
 * bodies directly, without a cJSON tree per event.
 */
int store_tx_event_body(struct mamori_store_tx *tx, const char *action, const char *object_type,
    const char *object_id, const char *body);

/*
 * A module's check of what it keeps in the store under policy p, the policy
 * about to replace the store's (store_policy.c lists the checkers): each
 * record that would be invalid under p adds its problems to conflicts, with
 * the record's id as the diagnostic's file.  Runs inside the replacing write
 * transaction.  Returns 0 (problems or not) or a MAMORI_E_* code with err filled.
 */
struct store_policy_checker {
	const char *what;	/* "assets": what the module keeps */
	int (*check)(struct mamori_store *s, const struct mamori_policy *p, struct mamori_diags *conflicts,
	    struct mamori_error *err);
};

/* The register's checker (asset.c), the accounts' (user.c) and the records' (record_policy.c). */
int asset_policy_check(struct mamori_store *s, const struct mamori_policy *p, struct mamori_diags *conflicts,
    struct mamori_error *err);
int user_policy_check(struct mamori_store *s, const struct mamori_policy *p, struct mamori_diags *conflicts,
    struct mamori_error *err);
int record_policy_check(struct mamori_store *s, const struct mamori_policy *p, struct mamori_diags *conflicts,
    struct mamori_error *err);

/*
 * The key that seals secrets at rest (TOTP), from PATH.totp-key: read once per
 * connection; created (mode 0600, O_EXCL) when create is true and the file is
 * missing.  A key file that group or others may read is refused like the
 * signing key.  Returns 0 or MAMORI_E_IO with err naming the file and the fix.
 */
int store_secret_key(struct mamori_store *s, bool create, unsigned char key[32], struct mamori_error *err);

#endif
