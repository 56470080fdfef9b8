/*
 * mamori/store.h — the store: the loaded policy, the register, the records and
 * the audit trail, with one write path.  A store is one SQLite file (WAL), or
 * a schema in a PostgreSQL database named by a URL
 * (postgresql://…?files=PREFIX[&schema=NAME]; docs/store.md, "PostgreSQL"),
 * where several servers and mail gateways on several machines share it.
 *
 * Every change goes through mamori_store_write, which runs the caller's function
 * inside one write transaction (one writer at a time, on every connection);
 * inside it, every change records its audit event with mamori_store_tx_event
 * in the same transaction — no change without its audit record, no record
 * without its change.  The schema is versioned; a newer mamori upgrades an
 * older store, an older mamori refuses a newer one.  Durability: SQLite's
 * synchronous=FULL, PostgreSQL's synchronous_commit=on, so an acknowledged
 * change survives power loss (docs/store.md).
 */
#ifndef MAMORI_STORE_H
#define MAMORI_STORE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "mamori/diag.h"
#include "mamori/error.h"
#include "mamori/policy.h"

/* The schema version this mamori writes. */
#define MAMORI_STORE_SCHEMA 12

struct mamori_store;
struct mamori_store_tx;

/*
 * Creates a new store at path — a file, or a PostgreSQL URL — (refusing an
 * existing file, or a schema that holds a store), loads and validates
 * the policy file (diagnostics go to diags), generates the audit signing key
 * (P + ".key", mode 0600, and P + ".pub", P being the file or the URL's
 * files= prefix: mamori_store_path) and the key that seals secrets at rest
 * (P + ".totp-key", mode 0600), and records the policy load as the
 * first audit event, by actor.  The store file is made mode 0600 whatever the
 * umask (SQLite gives its -wal and -shm the same mode).  Returns 0 and *out,
 * or a MAMORI_E_* code with err filled.
 */
int mamori_store_create(const char *path, const char *policy_path, const char *actor,
    struct mamori_diags *diags, struct mamori_store **out, struct mamori_error *err);

/*
 * Opens an existing store, upgrading its schema when it is older (the upgrade
 * to schema 6 seals the TOTP secrets, creating path + ".totp-key" when it is
 * missing).  A store file (or its -wal, -shm) that other accounts may read, or
 * that its group may write, is refused with MAMORI_E_IO and the chmod to run.
 * When the environment names MAMORI_HEADS_OUT, heads signed through this
 * connection are published there (mamori_store_publish_heads); when
 * MAMORI_HEADS_SYSLOG is 1, they are sent to syslog too (mamori_store_head_sink
 * with mamori_head_syslog); any other value but 0 or empty is MAMORI_E_IO.
 */
int mamori_store_open(const char *path, struct mamori_store **out, struct mamori_error *err);

/*
 * As mamori_store_open, for a connection that one thread alone ever uses (a
 * command-line process): SQLite then takes no mutex on every call, which a
 * bulk import of a million rows notices (about 5 % of its time).  The server,
 * which shares its primary connection between threads, uses mamori_store_open.
 */
int mamori_store_open_private(const char *path, struct mamori_store **out, struct mamori_error *err);

/*
 * Opens one more connection to primary's file for reading only (PRAGMA
 * query_only: every write still goes through primary's write path).  It shares
 * primary's policy (until mamori_store_reader_use_policy), so primary must
 * outlive it.  Meant for one thread each: the
 * server gives every worker thread its own, and WAL lets them read at once while
 * a write is under way.  Returns 0 and *out, or a MAMORI_E_* code with err filled.
 */
int mamori_store_open_reader(const struct mamori_store *primary, struct mamori_store **out,
    struct mamori_error *err);

/*
 * Makes a reader answer under policy p from now on (the primary's policy was
 * replaced).  p is borrowed: it must outlive the reader, as the primary keeps
 * the policies it replaced until it is closed.
 */
void mamori_store_reader_use_policy(struct mamori_store *reader, const struct mamori_policy *p);

/*
 * SQLite's data version of this connection: it changes whenever another
 * connection (of this process or another) has committed a change since the
 * last call.  Cheap; caches of what the store holds compare it to know they are
 * stale.  -1 on error.
 */
int64_t mamori_store_data_version(struct mamori_store *s);

/*
 * Opens a read transaction on s (a reader) and returns the data version as of
 * its snapshot (-1 on error): everything read on s until mamori_store_read_end
 * sees that one snapshot, and costs one read lock instead of one per statement.
 * Writes made meanwhile through another connection are not seen until the end.
 */
int64_t mamori_store_read_begin(struct mamori_store *s);

/* Ends the read transaction of mamori_store_read_begin; nothing when none is open. */
void mamori_store_read_end(struct mamori_store *s);

/*
 * Publishes every head signed through s from now on to dir (an existing
 * directory; mamori_head_publish in audit.h), or nowhere when dir is NULL.
 * Returns 0, MAMORI_E_IO when dir is not a directory, MAMORI_E_NOMEM.
 */
int mamori_store_publish_heads(struct mamori_store *s, const char *dir, struct mamori_error *err);

/*
 * Hands every head signed through s from now on, as one line
 * (mamori_head_format_line), to sink(line, data) — mamori_head_syslog sends it
 * to syslog —, or to nothing when sink is NULL.  Like a head published to a
 * directory, a head reaches the sink only once committed to the store.
 */
void mamori_store_head_sink(struct mamori_store *s, void (*sink)(const char *line, void *data), void *data);

/* Closes the store and sets *s to NULL.  Accepts NULL. */
void mamori_store_close(struct mamori_store **s);

/*
 * The store's policy (owned by the store, valid until the store is closed, also
 * after mamori_store_policy_replace) and the store's file path.
 */
const struct mamori_policy *mamori_store_policy(const struct mamori_store *s);

/*
 * Loads the store's newest policy when another connection replaced it since
 * this one loaded its own (*changed then true); the one loaded before stays
 * valid until close, as for every replacement.  For a server's SIGHUP.
 */
int mamori_store_policy_reload(struct mamori_store *s, bool *changed, struct mamori_error *err);
const char *mamori_store_path(const struct mamori_store *s);

/*
 * The store as it was named when opened: its file, or its postgresql:// URL
 * (mamori_store_path is then where its keys and files are kept).
 */
const char *mamori_store_location(const struct mamori_store *s);

/*
 * Replaces the store's policy with the policy file in buf (len bytes; name is
 * used in diagnostics and as the base of relative `extends`).  Refuses a policy
 * that does not validate (MAMORI_E_INVALID; every problem in diags with its line
 * and column) and one under which an asset or account of the store would no
 * longer be valid (MAMORI_E_CONFLICT; each in conflicts, with the asset id or
 * user name as its file: "asset A-000003: 所管課 (department): unknown …").
 * Otherwise stores the resolved policy as the newest version with its event
 * "policy.replace" (before and after: id, version, sha256) in one transaction,
 * checked inside it.  The policy held before stays valid until the store is
 * closed, so pointers from mamori_store_policy never dangle.  A change that
 * another connection prepared under the old policy is refused with
 * MAMORI_E_CONFLICT by mamori_store_write (try again).
 */
int mamori_store_policy_replace(struct mamori_store *s, const char *actor, const char *name,
    const char *buf, size_t len, struct mamori_diags *diags, struct mamori_diags *conflicts,
    struct mamori_error *err);

/*
 * As mamori_store_policy_replace, carrying out 見直し review (a record id;
 * NULL: none): the review must be approved and buf its proposal file
 * (mamori_review_check_proposal, checked inside the transaction), and the
 * event policy.replace names it ("review" in after).
 */
int mamori_store_policy_replace_review(struct mamori_store *s, const char *actor, const char *name,
    const char *buf, size_t len, const char *review, struct mamori_diags *diags, struct mamori_diags *conflicts,
    struct mamori_error *err);

/* The store's log id: random, made at creation, named in every signed head. */
const char *mamori_store_log_id(const struct mamori_store *s);

/*
 * Runs fn(tx, arg) in one transaction as actor.  Commits when fn returns 0,
 * rolls everything back otherwise (fn's code is returned, err filled by fn or
 * here).  When another connection replaced the policy since this one loaded it,
 * fn does not run: the new policy is loaded and MAMORI_E_CONFLICT returned (the
 * change was checked against the old one; try again).  After a commit, signs a tree head when the configured number of
 * events or seconds has passed since the last one.
 */
int mamori_store_write(struct mamori_store *s, const char *actor,
    int (*fn)(struct mamori_store_tx *tx, void *arg), void *arg, struct mamori_error *err);

/*
 * Appends the audit event of a change inside the transaction: action
 * ("asset.add"), object type and id, and the body {"before": …, "after": …}
 * (either may be NULL) in canonical JSON.  The one place events are written.
 */
int mamori_store_tx_event(struct mamori_store_tx *tx, const char *action,
    const char *object_type, const char *object_id, const cJSON *before, const cJSON *after);

/*
 * The actor of the events appended from now on in this transaction: a group
 * commit writes the events of several askers, each under its own name.  actor
 * must stay valid until the transaction ends.
 */
void mamori_store_tx_actor(struct mamori_store_tx *tx, const char *actor);

/* The store behind a transaction (for reads inside fn). */
struct mamori_store *mamori_store_tx_store(struct mamori_store_tx *tx);

/* What mamori_store_copy did. */
struct mamori_store_copy_report {
	size_t tables;		/* tables copied */
	int64_t rows;		/* their rows, every table's */
	size_t files;		/* files laid beside the copy: its keys and the records' files */
	uint64_t events;	/* the audit trail's events, the same in both stores */
	size_t heads;		/* its signed heads, the same in both */
	char verified[512];	/* `log verify`'s summary of the copy's trail */
};

/*
 * Copies the store at from into a new store at to, each a file (or
 * sqlite:FILE) or a postgresql:// URL (docs/store.md, "Copying a store
 * between backends"): every table's rows as the source holds them in one
 * snapshot, written in one transaction, numbers and hashes as they were;
 * the keys (.key, .pub, .totp-key) and the records' files (.files/) from the
 * source's prefix (mamori_store_path) to the copy's.  Then the copy is opened
 * and its trail verified as `log verify` does, and its size, last chain hash
 * and signed heads must be the source's.  A destination that exists (a file,
 * a schema that holds a store, keys or files at its prefix) is refused with
 * MAMORI_E_CONFLICT.  A trail that does not verify is MAMORI_E_TAMPERED, err
 * saying whether the source's is damaged too.  A failed copy leaves nothing
 * at to.  progress (may be NULL) is told each table's rows copied every
 * 10,000 rows and once at its end (done).  Returns 0 with *r filled, or a
 * MAMORI_E_* code with err filled.
 */
int mamori_store_copy(const char *from, const char *to,
    void (*progress)(const char *table, int64_t rows, bool done, void *data), void *data,
    struct mamori_store_copy_report *r, struct mamori_error *err);

/* Sets a configuration value (table `config`), as a change with its event. */
int mamori_store_config_set(struct mamori_store *s, const char *actor, const char *key,
    const char *value, struct mamori_error *err);

/* A configuration value as an integer, or def when it is not set. */
int64_t mamori_store_config_int(struct mamori_store *s, const char *key, int64_t def);

#endif
