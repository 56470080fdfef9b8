/*
 * store_sqlite_audit.c — the audit trail in SQLite: the tables audit_event and
 * tree_head (their schema is store.c's migrations), behind store_audit_ops
 * (store_backend.h).  Every statement about the trail is here; audit.c,
 * audit_schedule.c, audit_verify.c and store.c's write path ask through
 * s->backend->audit.
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_sqlite.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The columns of tree_head that head_from_row reads, in its order. */
#define HEAD_COLUMNS "size, root, time, pubkey, signature, seq"

/* The columns event_from_row reads, in its order. */
#define EVENT_COLUMNS "seq, time, actor, action, object_type, object_id, body"

/* A stored hash column: its 32 bytes, or NULL when it holds anything else. */
static const unsigned char *
hash_column(sqlite3_stmt *st, int col)
{
	const void *h = sqlite3_column_blob(st, col);

	return h != NULL && sqlite3_column_bytes(st, col) == MAMORI_HASH_LEN ? h : NULL;
}

/* An event from the columns EVENT_COLUMNS of st. */
static void
event_from_row(sqlite3_stmt *st, struct mamori_event *ev)
{
	*ev = (struct mamori_event){
		.seq = sqlite3_column_int64(st, 0),
		.time = (const char *)sqlite3_column_text(st, 1),
		.actor = (const char *)sqlite3_column_text(st, 2),
		.action = (const char *)sqlite3_column_text(st, 3),
		.object_type = (const char *)sqlite3_column_text(st, 4),
		.object_id = (const char *)sqlite3_column_text(st, 5),
		.body = (const char *)sqlite3_column_text(st, 6),
	};
}

/* h from a row of SELECT HEAD_COLUMNS; a number stored as 0, negative or NULL is 0 (unnumbered). */
static void
head_from_row(struct mamori_store *s, sqlite3_stmt *st, struct mamori_head *h)
{
	const char *t = (const char *)sqlite3_column_text(st, 2);
	const unsigned char *root = hash_column(st, 1);

	memset(h, 0, sizeof(*h));
	snprintf(h->log_id, sizeof(h->log_id), "%s", s->log_id);
	h->size = (uint64_t)sqlite3_column_int64(st, 0);
	if (root != NULL)
		memcpy(h->root, root, 32);
	snprintf(h->time, sizeof(h->time), "%s", t ? t : "");
	if (sqlite3_column_bytes(st, 3) == 32)
		memcpy(h->pubkey, sqlite3_column_blob(st, 3), 32);
	if (sqlite3_column_bytes(st, 4) == 64)
		memcpy(h->signature, sqlite3_column_blob(st, 4), 64);
	h->seq = sqlite3_column_type(st, 5) == SQLITE_INTEGER && sqlite3_column_int64(st, 5) > 0 ?
	    (uint64_t)sqlite3_column_int64(st, 5) : 0;
}


/* ---- size and bounds -------------------------------------------------- */

/*
 * The largest seq, which in an intact log is the number of events, read from
 * the primary key where count(*) would read a whole index.  In a damaged log
 * the leaves below it are not all there, and whoever reads them finds the gap.
 */
static int
sqlite_size(struct mamori_store *s, uint64_t *n, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT coalesce(max(seq), 0) FROM audit_event", err);
	int rc = 0;

	*n = 0;
	if (st == NULL)
		return MAMORI_E_STORE;
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(st, 0);
	else
		rc = store_error(s, err, "cannot count the audit trail's events");
	sqlite3_finalize(st);
	return rc;
}

/*
 * The bound is the file's size over 64 bytes (every event row holds its
 * 32-byte leaf and chain hashes), read from two pragmas instead of count(*):
 * a tenth of a second per million events, before any chunk can start.
 */
static int
sqlite_bounds(struct mamori_store *s, int64_t *last, bool *empty, int64_t *most, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT (SELECT max(seq) FROM audit_event), "
	    "(SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size())", err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*empty = sqlite3_column_type(st, 0) == SQLITE_NULL;
		*last = sqlite3_column_int64(st, 0);
		*most = sqlite3_column_int64(st, 1) / 64;
	} else {
		rc = store_error(s, err, "cannot read the audit trail");
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- the write path --------------------------------------------------- */

static int
sqlite_last(struct mamori_store *s, int64_t *seq, unsigned char chain[MAMORI_HASH_LEN], struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT seq, chain FROM audit_event ORDER BY seq DESC LIMIT 1", err);

	if (st == NULL)
		return MAMORI_E_STORE;
	*seq = 0;
	memset(chain, 0, MAMORI_HASH_LEN);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == MAMORI_HASH_LEN)
			memcpy(chain, sqlite3_column_blob(st, 1), MAMORI_HASH_LEN);
	}
	sqlite3_finalize(st);
	return 0;
}

/* The insert is prepared once per transaction and kept in tx->audit_append. */
static int
sqlite_append(struct mamori_store_tx *tx, const struct mamori_event *ev, const unsigned char leaf[MAMORI_HASH_LEN],
    const unsigned char chain[MAMORI_HASH_LEN], struct mamori_error *err)
{
	sqlite3_stmt *st = tx->audit_append;
	int rc;

	if (st == NULL)
		tx->audit_append = st = store_prepare(tx->store, "INSERT INTO audit_event (seq, time, actor, "
		    "action, object_type, object_id, body, leaf, chain) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		    "?8, ?9)", err);
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, ev->seq);
	sqlite3_bind_text(st, 2, ev->time, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ev->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ev->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ev->object_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, ev->object_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, ev->body, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, leaf, MAMORI_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, chain, MAMORI_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_error(tx->store, err, "cannot append to the audit trail");
	sqlite3_clear_bindings(st);	/* the bound strings are the caller's, lent for this call */
	return rc;
}

static void
sqlite_append_end(struct mamori_store_tx *tx)
{
	sqlite3_finalize(tx->audit_append);
	tx->audit_append = NULL;
}

/* ---- events ----------------------------------------------------------- */

static int
sqlite_event(struct mamori_store *s, int64_t seq,
    int (*fn)(const struct mamori_event *ev, const unsigned char *leaf, void *ctx), void *ctx,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " EVENT_COLUMNS ", leaf FROM audit_event WHERE seq = ?1", err);
	int rc, step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(st, 1, seq);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct mamori_event ev;

		event_from_row(st, &ev);
		rc = fn(&ev, hash_column(st, 7), ctx);
	} else {
		rc = step == SQLITE_DONE ? MAMORI_E_NOTFOUND : store_error(s, err, "cannot read the audit trail");
	}
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_events(struct mamori_store *s, const struct mamori_event_filter *f,
    int (*fn)(const struct mamori_event *ev, void *ctx), void *ctx, struct mamori_error *err)
{
	static const struct mamori_event_filter none = { 0 };
	sqlite3_stmt *st;
	size_t n = 0;
	int rc = 0;

	if (f == NULL)
		f = &none;
	st = store_prepare(s, "SELECT " EVENT_COLUMNS " FROM audit_event "
	    "WHERE seq >= ?1 AND time >= ?2 AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR action = ?4) "
	    "AND (?5 IS NULL OR object_id = ?5) AND (?6 IS NULL OR time < ?6) ORDER BY seq", err);
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(st, 1, f->since_seq);
	sqlite3_bind_text(st, 2, f->since_time ? f->since_time : "", -1, SQLITE_STATIC);
	if (f->actor)
		sqlite3_bind_text(st, 3, f->actor, -1, SQLITE_STATIC);
	if (f->action)
		sqlite3_bind_text(st, 4, f->action, -1, SQLITE_STATIC);
	if (f->object_id)
		sqlite3_bind_text(st, 5, f->object_id, -1, SQLITE_STATIC);
	if (f->until_time)
		sqlite3_bind_text(st, 6, f->until_time, -1, SQLITE_STATIC);
	while (rc == 0 && (f->limit == 0 || n < f->limit) && sqlite3_step(st) == SQLITE_ROW) {
		struct mamori_event ev;

		event_from_row(st, &ev);
		rc = fn(&ev, ctx);
		n++;
	}
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_events_of(struct mamori_store *s, const char *object_type, const char *object_id,
    int (*fn)(const struct mamori_event *ev, void *ctx), void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " EVENT_COLUMNS " FROM audit_event "
	    "WHERE object_id = ?2 AND object_type = ?1 ORDER BY seq", err);
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, object_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, object_id, -1, SQLITE_STATIC);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct mamori_event ev;

		event_from_row(st, &ev);
		rc = fn(&ev, ctx);
	}
	rc = store_walk_end(s, rc, step, err, "reading the audit trail");
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_times(struct mamori_store *s, uint64_t after, int (*fn)(uint64_t seq, const char *time, void *ctx),
    void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT seq, time FROM audit_event WHERE seq > ?1 ORDER BY seq", err);
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn((uint64_t)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1), ctx);
	rc = store_walk_end(s, rc, step, err, "cannot read the audit trail");
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_schedule_changes(struct mamori_store *s, int (*fn)(uint64_t seq, const char *key, const char *body, void *ctx),
    void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT seq, object_id, body FROM audit_event WHERE object_id IN "
	    "('head.every_events', 'head.every_seconds') AND object_type = 'config' AND action = 'config.set' "
	    "ORDER BY seq", err);
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn((uint64_t)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2), ctx);
	rc = store_walk_end(s, rc, step, err, "cannot read the audit trail");
	sqlite3_finalize(st);
	return rc;
}

/* ---- leaves ----------------------------------------------------------- */

static int
sqlite_leaves(struct mamori_store *s, uint64_t after, uint64_t upto,
    int (*fn)(uint64_t seq, const unsigned char *leaf, void *ctx), void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT seq, leaf FROM audit_event WHERE seq > ?1 AND seq <= ?2 "
	    "ORDER BY seq", err);
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)upto);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn((uint64_t)sqlite3_column_int64(st, 0), hash_column(st, 1), ctx);
	rc = store_walk_end(s, rc, step, err, "cannot read the audit trail");
	sqlite3_finalize(st);
	return rc;
}

struct store_audit_leaves {
	sqlite3_stmt *st;
};

static int
sqlite_leaves_open(struct mamori_store *s, struct store_audit_leaves **out, struct mamori_error *err)
{
	struct store_audit_leaves *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	if ((r->st = store_prepare(s, "SELECT leaf FROM audit_event WHERE seq = ?1", err)) == NULL) {
		free(r);
		return MAMORI_E_STORE;
	}
	*out = r;
	return 0;
}

static int
sqlite_leaf_read(struct store_audit_leaves *r, uint64_t seq, unsigned char out[MAMORI_HASH_LEN])
{
	const unsigned char *leaf;

	sqlite3_reset(r->st);
	sqlite3_bind_int64(r->st, 1, (sqlite3_int64)seq);
	if (sqlite3_step(r->st) != SQLITE_ROW || (leaf = hash_column(r->st, 0)) == NULL)
		return MAMORI_E_TAMPERED;
	memcpy(out, leaf, MAMORI_HASH_LEN);
	return 0;
}

static void
sqlite_leaves_close(struct store_audit_leaves **rp)
{
	if (rp == NULL || *rp == NULL)
		return;
	sqlite3_finalize((*rp)->st);
	free(*rp);
	*rp = NULL;
}

/* ---- signed tree heads ------------------------------------------------ */

static int
sqlite_head_latest(struct mamori_store *s, struct mamori_head *h, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " HEAD_COLUMNS " FROM tree_head ORDER BY size DESC LIMIT 1", err);
	int rc = 0, step;

	if (st == NULL)
		return MAMORI_E_STORE;
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		head_from_row(s, st, h);
	else
		rc = step == SQLITE_DONE ? MAMORI_E_NOTFOUND : store_error(s, err, "cannot read the tree heads");
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_heads(struct mamori_store *s, int (*fn)(const struct mamori_head *h, void *ctx), void *ctx,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " HEAD_COLUMNS " FROM tree_head ORDER BY size", err);
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct mamori_head h;

		head_from_row(s, st, &h);
		rc = fn(&h, ctx);
	}
	rc = store_walk_end(s, rc, step, err, "cannot read the tree heads");
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_head_numbers(struct mamori_store *s, int (*fn)(uint64_t size, bool numbered, int64_t seq, void *ctx),
    void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT size, seq FROM tree_head ORDER BY size", err);
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn((uint64_t)sqlite3_column_int64(st, 0), sqlite3_column_type(st, 1) == SQLITE_INTEGER,
		    sqlite3_column_int64(st, 1), ctx);
	rc = store_walk_end(s, rc, step, err, "cannot read the tree heads");
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_head_numbered(struct mamori_store *s, uint64_t seq, bool *found, uint64_t *size,
    unsigned char root[MAMORI_HASH_LEN], bool *root_ok, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT size, root FROM tree_head WHERE seq = ?1", err);
	int step;

	*found = *root_ok = false;
	*size = 0;
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *r = hash_column(st, 1);
		*found = true;
		*size = (uint64_t)sqlite3_column_int64(st, 0);
		if ((*root_ok = r != NULL))
			memcpy(root, r, MAMORI_HASH_LEN);
	}
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_error(s, err, "cannot read the tree heads");
}

static int
sqlite_head_at(struct mamori_store *s, uint64_t size, struct mamori_head *h, bool *found, uint64_t *max_seq,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " HEAD_COLUMNS " FROM tree_head WHERE size = ?1", err);
	sqlite3_stmt *mx = store_prepare(s, "SELECT coalesce(max(seq), 0) FROM tree_head", err);
	int step = SQLITE_ERROR;

	*found = false;
	*max_seq = 0;
	if (st == NULL || mx == NULL)
		goto out;
	if ((step = sqlite3_step(mx)) != SQLITE_ROW)
		goto out;
	*max_seq = (uint64_t)sqlite3_column_int64(mx, 0);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		head_from_row(s, st, h);
		*found = true;
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(mx);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_error(s, err, "cannot read the tree heads");
}

static int
sqlite_head_frontier(struct mamori_store *s, struct mamori_head *h, bool *found,
    unsigned char frontier[64 * MAMORI_HASH_LEN], size_t *flen, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " HEAD_COLUMNS ", frontier FROM tree_head "
	    "WHERE frontier IS NOT NULL ORDER BY size DESC LIMIT 1", err);
	int step;

	*found = false;
	*flen = 0;
	if (st == NULL)
		return MAMORI_E_STORE;
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(st, 6);
		head_from_row(s, st, h);
		*found = true;
		*flen = (size_t)sqlite3_column_bytes(st, 6);
		if (b != NULL && *flen <= 64 * MAMORI_HASH_LEN)
			memcpy(frontier, b, *flen);
	}
	sqlite3_finalize(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_error(s, err, "cannot read the tree heads");
}

static int
sqlite_head_put(struct mamori_store *s, const struct mamori_head *h, const unsigned char *frontier, size_t flen,
    struct mamori_error *err)
{
	/* a v1 head of the same size (signed before numbering) gives way to its numbered successor */
	sqlite3_stmt *ins = store_prepare(s, "INSERT OR REPLACE INTO tree_head (size, root, time, pubkey, signature, "
	    "frontier, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);
	int rc;

	if (ins == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_int64(ins, 1, (sqlite3_int64)h->size);
	sqlite3_bind_blob(ins, 2, h->root, 32, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, h->time, -1, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 4, h->pubkey, 32, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 5, h->signature, 64, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 6, frontier, (int)flen, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 7, (sqlite3_int64)h->seq);
	rc = sqlite3_step(ins) == SQLITE_DONE ? 0 : store_error(s, err, "cannot store the tree head");
	sqlite3_finalize(ins);
	return rc;
}

/* ---- readers of their own, for `log verify` --------------------------- */

struct store_audit_reader {
	sqlite3 *db;
	bool own;		/* db is this reader's, closed with it */
	sqlite3_stmt *st;	/* the range, prepared once per reader */
};

static bool
sqlite_readers_share(struct mamori_store *s)
{
	const char *file = sqlite3_db_filename(s->db, "main");

	return file != NULL && file[0] != '\0' && sqlite3_get_autocommit(s->db);
}

static int
sqlite_reader_open(struct mamori_store *s, bool own, struct store_audit_reader **out, struct mamori_error *err)
{
	struct store_audit_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	r->own = own;
	r->db = s->db;
	/* its own connection, used by one thread alone: no SQLite mutexes.  No
	 * memory map: it made verification 20–30 % slower (bench/README.md) */
	if (own && sqlite3_open_v2(sqlite3_db_filename(s->db, "main"), &r->db,
	    SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		int rc = mamori_error_set(err, MAMORI_E_STORE, "%s: %s", "cannot open the store to read",
		    r->db ? sqlite3_errmsg(r->db) : "out of memory");
		sqlite3_close(r->db);
		free(r);
		return rc;
	}
	if (own)
		sqlite3_busy_timeout(r->db, 5000);
	*out = r;
	return 0;
}

static int
sqlite_range_open(struct store_audit_reader *r, int64_t lo, int64_t hi, struct mamori_error *err)
{
	if (r->st == NULL && sqlite3_prepare_v2(r->db, "SELECT " EVENT_COLUMNS ", leaf, chain FROM audit_event "
	    "WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq", -1, &r->st, NULL) != SQLITE_OK)
		return mamori_error_set(err, MAMORI_E_STORE, "%s: %s", "cannot read the audit trail",
		    sqlite3_errmsg(r->db));
	sqlite3_reset(r->st);
	sqlite3_bind_int64(r->st, 1, lo);
	sqlite3_bind_int64(r->st, 2, hi);
	return 0;
}

/*
 * The fields through their values: one API call per column instead of
 * three; the type first, as asking for the text may convert a value and its
 * type.  A field that is not text ends the reading (fields_text false).
 */
static int
sqlite_range_next(struct store_audit_reader *r, struct store_audit_row *row, struct mamori_error *err)
{
	sqlite3_stmt *st = r->st;
	int step = sqlite3_step(st);

	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? 0 : mamori_error_set(err, MAMORI_E_STORE, "%s: %s",
		    "cannot read the audit trail", sqlite3_errmsg(r->db));
	row->seq = sqlite3_column_int64(st, 0);
	row->fields_text = true;
	for (int k = 0; k < AUDIT_FIELDS && row->fields_text; k++) {
		sqlite3_value *v = sqlite3_column_value(st, k + 1);
		row->fields_text = sqlite3_value_type(v) == SQLITE_TEXT &&
		    (row->field[k] = (const char *)sqlite3_value_text(v)) != NULL;
		row->len[k] = row->fields_text ? (size_t)sqlite3_value_bytes(v) : 0;
	}
	row->leaf = hash_column(st, 7);
	row->chain = hash_column(st, 8);
	return 1;
}

static void
sqlite_reader_close(struct store_audit_reader **rp)
{
	struct store_audit_reader *r;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	sqlite3_finalize(r->st);
	if (r->own)
		sqlite3_close(r->db);
	free(r);
	*rp = NULL;
}

const struct store_audit_ops store_sqlite_audit_ops = {
	.size = sqlite_size,
	.bounds = sqlite_bounds,
	.last = sqlite_last,
	.append = sqlite_append,
	.append_end = sqlite_append_end,
	.event = sqlite_event,
	.events = sqlite_events,
	.events_of = sqlite_events_of,
	.times = sqlite_times,
	.schedule_changes = sqlite_schedule_changes,
	.leaves = sqlite_leaves,
	.leaves_open = sqlite_leaves_open,
	.leaf_read = sqlite_leaf_read,
	.leaves_close = sqlite_leaves_close,
	.head_latest = sqlite_head_latest,
	.heads = sqlite_heads,
	.head_numbers = sqlite_head_numbers,
	.head_numbered = sqlite_head_numbered,
	.head_at = sqlite_head_at,
	.head_frontier = sqlite_head_frontier,
	.head_put = sqlite_head_put,
	.readers_share = sqlite_readers_share,
	.reader_open = sqlite_reader_open,
	.range_open = sqlite_range_open,
	.range_next = sqlite_range_next,
	.reader_close = sqlite_reader_close,
};
