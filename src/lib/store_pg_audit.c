/*
 * store_pg_audit.c — the audit trail in PostgreSQL: the tables audit_event
 * and tree_head (store_pg_schema.c), behind store_audit_ops
 * (store_backend.h), with the results of SQLite's (store_sqlite_audit.c).
 *
 * Appends are kept back and written many rows to a statement (one round
 * trip per STORE_PG_BATCH events instead of one each): store_pg.c writes
 * them before any other statement on the connection runs, COMMIT among
 * them, so that whatever reads the trail — in the same transaction or
 * after — sees every event appended, and drops them on ROLLBACK.  Walks
 * over what may be the whole trail read it a page at a time, so that
 * memory stays bounded by a page, not by the trail.
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_meta.h"
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns event_from_row reads, in its order. */
#define EVENT_COLUMNS "seq, time, actor, action, object_type, object_id, body"

/* The columns of tree_head that head_from_row reads, in its order. */
#define HEAD_COLUMNS "size, root, time, pubkey, signature, seq"

enum {
	PAGE = 10000,		/* rows a walk reads a query */
	EVENT_PARAMS = 9,	/* the columns of an appended event */
};

/* ---- rows ------------------------------------------------------------- */

static void
event_from_row(const PGresult *r, int i, struct mamori_event *ev)
{
	*ev = (struct mamori_event){
		.seq = store_pg_int64(r, i, 0),
		.time = store_pg_get(r, i, 1),
		.actor = store_pg_get(r, i, 2),
		.action = store_pg_get(r, i, 3),
		.object_type = store_pg_get(r, i, 4),
		.object_id = store_pg_get(r, i, 5),
		.body = store_pg_get(r, i, 6),
	};
}

/* h from a row of SELECT HEAD_COLUMNS; a number stored as 0, negative or NULL is 0 (unnumbered). */
static void
head_from_row(struct mamori_store *s, const PGresult *r, int i, struct mamori_head *h)
{
	unsigned char sig[64];

	memset(h, 0, sizeof(*h));
	snprintf(h->log_id, sizeof(h->log_id), "%s", s->log_id);
	h->size = (uint64_t)store_pg_int64(r, i, 0);
	store_pg_hash(r, i, 1, h->root);
	snprintf(h->time, sizeof(h->time), "%s", store_pg_get(r, i, 2));
	store_pg_hash(r, i, 3, h->pubkey);
	if (store_pg_blob(r, i, 4, sig, sizeof(sig)) == sizeof(sig))
		memcpy(h->signature, sig, sizeof(sig));
	h->seq = store_pg_int64(r, i, 5) > 0 ? (uint64_t)store_pg_int64(r, i, 5) : 0;
}

/* The one integer of sql's one row (with p), into *v. */
static int
query_int(struct mamori_store *s, const char *sql, const struct store_pg_params *p, int64_t *v,
    struct mamori_error *err)
{
	PGresult *r = NULL;
	int rc = store_pg_run(s, sql, p, &r, err);

	if (rc == 0)
		*v = PQntuples(r) > 0 ? store_pg_int64(r, 0, 0) : 0;
	PQclear(r);
	return rc;
}

/* ---- size and bounds -------------------------------------------------- */

static int
pg_size(struct mamori_store *s, uint64_t *n, struct mamori_error *err)
{
	static const char sql[] = "SELECT coalesce(max(seq), 0) FROM audit_event";
	int64_t v = 0;
	int rc = query_int(s, sql, NULL, &v, err);

	*n = (uint64_t)v;
	return rc;
}

/*
 * The bound is the table's size on disk over 64 bytes, as SQLite's is the
 * file's: every stored event holds its 32-byte leaf and chain hashes.
 */
static int
pg_bounds(struct mamori_store *s, int64_t *last, bool *empty, int64_t *most, struct mamori_error *err)
{
	static const char sql[] = "SELECT (SELECT max(seq) FROM audit_event), "
	    "pg_total_relation_size('audit_event')";
	PGresult *r = NULL;
	int rc = store_pg_run(s, sql, NULL, &r, err);

	if (rc != 0)
		return rc;
	*empty = store_pg_null(r, 0, 0);
	*last = store_pg_int64(r, 0, 0);
	*most = store_pg_int64(r, 0, 1) / 64;
	PQclear(r);
	return 0;
}

/* ---- the write path --------------------------------------------------- */

static int
pg_last(struct mamori_store *s, int64_t *seq, unsigned char chain[MAMORI_HASH_LEN], struct mamori_error *err)
{
	static const char sql[] = "SELECT seq, chain FROM audit_event ORDER BY seq DESC LIMIT 1";
	PGresult *r = NULL;
	int rc = store_pg_run(s, sql, NULL, &r, err);

	*seq = 0;
	memset(chain, 0, MAMORI_HASH_LEN);
	if (rc != 0)
		return rc;
	if (PQntuples(r) > 0) {
		*seq = store_pg_int64(r, 0, 0);
		store_pg_hash(r, 0, 1, chain);
	}
	PQclear(r);
	return 0;
}

/* Events appended and not yet written: copies, since the caller lends its strings. */
struct store_pg_pending {
	size_t n;
	struct {
		char num[24];
		char *text[6];
		unsigned char leaf[MAMORI_HASH_LEN], chain[MAMORI_HASH_LEN];
	} row[STORE_PG_BATCH];
};

static void
pending_clear(struct store_pg_pending *p)
{
	for (size_t i = 0; i < p->n; i++)
		for (int k = 0; k < 6; k++)
			free(p->row[i].text[k]);
	p->n = 0;
}

/*
 * The INSERT of n rows: "INSERT … VALUES ($1, …, $9), ($10, …)", built once
 * per connection for a full batch (kept in pg, prepared once by its address)
 * and per call for the last, shorter one.
 */
static char *
batch_sql(size_t n)
{
	static const char head[] = "INSERT INTO audit_event (seq, time, actor, action, object_type, object_id, "
	    "body, leaf, chain) VALUES ";
	size_t cap = sizeof(head) + n * (EVENT_PARAMS * 8 + 8), len;
	char *sql = malloc(cap);

	if (sql == NULL)
		return NULL;
	len = (size_t)snprintf(sql, cap, "%s", head);
	for (size_t i = 0; i < n; i++) {
		size_t b = i * EVENT_PARAMS;
		len += (size_t)snprintf(sql + len, cap - len, "%s($%zu::bigint", i ? ", " : "", b + 1);
		for (size_t k = 2; k <= EVENT_PARAMS; k++)
			len += (size_t)snprintf(sql + len, cap - len, ", $%zu", b + k);
		len += (size_t)snprintf(sql + len, cap - len, ")");
	}
	return sql;
}

int
store_pg_audit_flush(struct mamori_store *s, struct mamori_error *err)
{
	struct store_pg *pg = s->pg;
	struct store_pg_pending *p = pg->pending;
	const char **val = NULL;
	int *len = NULL, *fmt = NULL, rc;
	char *built = NULL;
	const char *sql;
	PGresult *r;
	size_t n;

	if (p == NULL || p->n == 0)
		return 0;
	n = p->n;
	val = calloc(n * EVENT_PARAMS, sizeof(*val));
	len = calloc(n * EVENT_PARAMS, sizeof(*len));
	fmt = calloc(n * EVENT_PARAMS, sizeof(*fmt));
	if (n == STORE_PG_BATCH && pg->batch_sql == NULL)
		pg->batch_sql = batch_sql(n);
	sql = n == STORE_PG_BATCH ? pg->batch_sql : (built = batch_sql(n));
	if (val == NULL || len == NULL || fmt == NULL || sql == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t b = i * EVENT_PARAMS;
		val[b] = p->row[i].num;
		for (int k = 0; k < 6; k++)
			val[b + 1 + (size_t)k] = p->row[i].text[k];
		val[b + 7] = (const char *)p->row[i].leaf;
		val[b + 8] = (const char *)p->row[i].chain;
		len[b + 7] = len[b + 8] = MAMORI_HASH_LEN;
		fmt[b + 7] = fmt[b + 8] = 1;
	}
	/* taken off the connection first: the statement below must not flush again */
	pg->pending = NULL;
	rc = store_pg_run_raw(s, sql, sql == pg->batch_sql, (int)(n * EVENT_PARAMS), val, len, fmt, &r, err);
	PQclear(r);
	pg->pending = p;
	if (rc != 0 && err != NULL) {
		/* the reason copied first: mamori_error_set clears err before it writes */
		char why[sizeof(err->message)];
		snprintf(why, sizeof(why), "%s", err->message);
		mamori_error_set(err, rc, "cannot append to the audit trail: %s", why);
	}
out:
	pending_clear(p);
	free(val);
	free(len);
	free(fmt);
	free(built);
	return rc;
}

void
store_pg_audit_discard(struct mamori_store *s)
{
	if (s->pg->pending != NULL)
		pending_clear(s->pg->pending);
}

void
store_pg_audit_free(struct store_pg *pg)
{
	if (pg->pending != NULL)
		pending_clear(pg->pending);
	free(pg->pending);
	free(pg->batch_sql);
	pg->pending = NULL;
	pg->batch_sql = NULL;
}

static int
pg_append(struct mamori_store_tx *tx, const struct mamori_event *ev, const unsigned char leaf[MAMORI_HASH_LEN],
    const unsigned char chain[MAMORI_HASH_LEN], struct mamori_error *err)
{
	struct store_pg *pg = tx->store->pg;
	struct store_pg_pending *p = pg->pending;
	const char *text[6] = { ev->time, ev->actor, ev->action, ev->object_type, ev->object_id, ev->body };
	int rc;

	if (p == NULL && (p = pg->pending = calloc(1, sizeof(*p))) == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	if (p->n == STORE_PG_BATCH && (rc = store_pg_audit_flush(tx->store, err)) != 0)
		return rc;
	snprintf(p->row[p->n].num, sizeof(p->row[p->n].num), "%lld", (long long)ev->seq);
	for (int k = 0; k < 6; k++)
		if ((p->row[p->n].text[k] = strdup(text[k] ? text[k] : "")) == NULL) {
			while (k-- > 0)
				free(p->row[p->n].text[k]);
			return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		}
	memcpy(p->row[p->n].leaf, leaf, MAMORI_HASH_LEN);
	memcpy(p->row[p->n].chain, chain, MAMORI_HASH_LEN);
	p->n++;
	return 0;
}

static void
pg_append_end(struct mamori_store_tx *tx)
{
	/* the rows kept back go with the next statement: COMMIT, or dropped by ROLLBACK */
	(void)tx;
}

/* ---- events ----------------------------------------------------------- */

static int
pg_event(struct mamori_store *s, int64_t seq,
    int (*fn)(const struct mamori_event *ev, const unsigned char *leaf, void *ctx), void *ctx,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT " EVENT_COLUMNS ", leaf FROM audit_event WHERE seq = $1";
	struct store_pg_params p = { 0 };
	struct mamori_event ev;
	unsigned char leaf[MAMORI_HASH_LEN];
	PGresult *r = NULL;
	int rc;

	store_pg_int(&p, seq);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) == 0) {
		rc = MAMORI_E_NOTFOUND;
	} else {
		event_from_row(r, 0, &ev);
		rc = fn(&ev, store_pg_hash(r, 0, 7, leaf) ? leaf : NULL, ctx);
	}
	PQclear(r);
	return rc;
}

/*
 * The events f matches, a page at a time: each page starts after the last
 * seq handed out, so a callback that writes nothing changes no page.
 */
static int
pg_events(struct mamori_store *s, const struct mamori_event_filter *f,
    int (*fn)(const struct mamori_event *ev, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT " EVENT_COLUMNS " FROM audit_event "
	    "WHERE seq >= $1 AND time >= $2 AND ($3::text IS NULL OR actor = $3) "
	    "AND ($4::text IS NULL OR action = $4) AND ($5::text IS NULL OR object_id = $5) "
	    "AND ($6::text IS NULL OR time < $6) ORDER BY seq LIMIT $7";
	static const struct mamori_event_filter none = { 0 };
	int64_t from;
	size_t n = 0;
	int rc = 0, rows;

	if (f == NULL)
		f = &none;
	from = f->since_seq;
	do {
		struct store_pg_params p = { 0 };
		size_t want = f->limit && f->limit - n < PAGE ? f->limit - n : PAGE;
		PGresult *r = NULL;

		store_pg_int(&p, from);
		store_pg_text(&p, f->since_time ? f->since_time : "");
		store_pg_text(&p, f->actor);
		store_pg_text(&p, f->action);
		store_pg_text(&p, f->object_id);
		store_pg_text(&p, f->until_time);
		store_pg_int(&p, (int64_t)want);
		if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
			return rc;
		rows = PQntuples(r);
		for (int i = 0; rc == 0 && i < rows; i++) {
			struct mamori_event ev;
			event_from_row(r, i, &ev);
			from = ev.seq + 1;
			rc = fn(&ev, ctx);
			n++;
		}
		PQclear(r);
		if (rows < (int)want)
			break;
	} while (rc == 0 && (f->limit == 0 || n < f->limit));
	return rc;
}

static int
pg_events_of(struct mamori_store *s, const char *object_type, const char *object_id,
    int (*fn)(const struct mamori_event *ev, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT " EVENT_COLUMNS " FROM audit_event "
	    "WHERE object_id = $2 AND object_type = $1 ORDER BY seq";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, object_type);
	store_pg_text(&p, object_id);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		struct mamori_event ev;
		event_from_row(r, i, &ev);
		rc = fn(&ev, ctx);
	}
	PQclear(r);
	return rc;
}

static int
pg_times(struct mamori_store *s, uint64_t after, int (*fn)(uint64_t seq, const char *time, void *ctx),
    void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT seq, time FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT $2";
	int rc = 0, rows;

	do {
		struct store_pg_params p = { 0 };
		PGresult *r = NULL;

		store_pg_int(&p, (int64_t)after);
		store_pg_int(&p, PAGE);
		if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
			return rc;
		rows = PQntuples(r);
		for (int i = 0; rc == 0 && i < rows; i++) {
			after = (uint64_t)store_pg_int64(r, i, 0);
			rc = fn(after, store_pg_get(r, i, 1), ctx);
		}
		PQclear(r);
	} while (rc == 0 && rows == PAGE);
	return rc;
}

static int
pg_schedule_changes(struct mamori_store *s, int (*fn)(uint64_t seq, const char *key, const char *body, void *ctx),
    void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT seq, object_id, body FROM audit_event WHERE object_id IN "
	    "('head.every_events', 'head.every_seconds') AND object_type = 'config' AND action = 'config.set' "
	    "ORDER BY seq";
	PGresult *r = NULL;
	int rc;

	if ((rc = store_pg_run(s, sql, NULL, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn((uint64_t)store_pg_int64(r, i, 0), store_pg_get(r, i, 1), store_pg_get(r, i, 2), ctx);
	PQclear(r);
	return rc;
}

/* ---- leaves ----------------------------------------------------------- */

static int
pg_leaves(struct mamori_store *s, uint64_t after, uint64_t upto,
    int (*fn)(uint64_t seq, const unsigned char *leaf, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT seq, leaf FROM audit_event WHERE seq > $1 AND seq <= $2 "
	    "ORDER BY seq LIMIT $3";
	int rc = 0, rows;

	do {
		struct store_pg_params p = { 0 };
		PGresult *r = NULL;

		store_pg_int(&p, (int64_t)after);
		store_pg_int(&p, (int64_t)upto);
		store_pg_int(&p, PAGE);
		if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
			return rc;
		rows = PQntuples(r);
		for (int i = 0; rc == 0 && i < rows; i++) {
			unsigned char leaf[MAMORI_HASH_LEN];
			after = (uint64_t)store_pg_int64(r, i, 0);
			rc = fn(after, store_pg_hash(r, i, 1, leaf) ? leaf : NULL, ctx);
		}
		PQclear(r);
	} while (rc == 0 && rows == PAGE);
	return rc;
}

struct store_audit_leaves {
	struct mamori_store *s;
};

static int
pg_leaves_open(struct mamori_store *s, struct store_audit_leaves **out, struct mamori_error *err)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	(*out)->s = s;
	return 0;
}

static int
pg_leaf_read(struct store_audit_leaves *lv, uint64_t seq, unsigned char out[MAMORI_HASH_LEN])
{
	static const char sql[] = "SELECT leaf FROM audit_event WHERE seq = $1";
	struct store_pg_params p = { 0 };
	struct mamori_error err;
	PGresult *r = NULL;
	bool ok;

	store_pg_int(&p, (int64_t)seq);
	if (store_pg_run(lv->s, sql, &p, &r, &err) != 0)
		return MAMORI_E_TAMPERED;
	ok = PQntuples(r) == 1 && store_pg_hash(r, 0, 0, out);
	PQclear(r);
	return ok ? 0 : MAMORI_E_TAMPERED;
}

static void
pg_leaves_close(struct store_audit_leaves **lv)
{
	if (lv == NULL)
		return;
	free(*lv);
	*lv = NULL;
}

/* ---- signed tree heads ------------------------------------------------ */

static int
pg_head_latest(struct mamori_store *s, struct mamori_head *h, struct mamori_error *err)
{
	static const char sql[] = "SELECT " HEAD_COLUMNS " FROM tree_head ORDER BY size DESC LIMIT 1";
	PGresult *r = NULL;
	int rc;

	if ((rc = store_pg_run(s, sql, NULL, &r, err)) != 0)
		return rc;
	if (PQntuples(r) == 0)
		rc = MAMORI_E_NOTFOUND;
	else
		head_from_row(s, r, 0, h);
	PQclear(r);
	return rc;
}

static int
pg_heads(struct mamori_store *s, int (*fn)(const struct mamori_head *h, void *ctx), void *ctx,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT " HEAD_COLUMNS " FROM tree_head ORDER BY size";
	PGresult *r = NULL;
	int rc;

	if ((rc = store_pg_run(s, sql, NULL, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		struct mamori_head h;
		head_from_row(s, r, i, &h);
		rc = fn(&h, ctx);
	}
	PQclear(r);
	return rc;
}

static int
pg_head_numbers(struct mamori_store *s, int (*fn)(uint64_t size, bool numbered, int64_t seq, void *ctx),
    void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT size, seq FROM tree_head ORDER BY size";
	PGresult *r = NULL;
	int rc;

	if ((rc = store_pg_run(s, sql, NULL, &r, err)) != 0)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = fn((uint64_t)store_pg_int64(r, i, 0), !store_pg_null(r, i, 1), store_pg_int64(r, i, 1), ctx);
	PQclear(r);
	return rc;
}

static int
pg_head_numbered(struct mamori_store *s, uint64_t seq, bool *found, uint64_t *size,
    unsigned char root[MAMORI_HASH_LEN], bool *root_ok, struct mamori_error *err)
{
	static const char sql[] = "SELECT size, root FROM tree_head WHERE seq = $1";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	*found = *root_ok = false;
	*size = 0;
	store_pg_int(&p, (int64_t)seq);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) > 0) {
		*found = true;
		*size = (uint64_t)store_pg_int64(r, 0, 0);
		*root_ok = store_pg_hash(r, 0, 1, root);
	}
	PQclear(r);
	return 0;
}

static int
pg_head_at(struct mamori_store *s, uint64_t size, struct mamori_head *h, bool *found, uint64_t *max_seq,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT " HEAD_COLUMNS " FROM tree_head WHERE size = $1";
	static const char mx[] = "SELECT coalesce(max(seq), 0) FROM tree_head";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int64_t m = 0;
	int rc;

	*found = false;
	*max_seq = 0;
	if ((rc = query_int(s, mx, NULL, &m, err)) != 0)
		return rc;
	*max_seq = (uint64_t)m;
	store_pg_int(&p, (int64_t)size);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) > 0) {
		head_from_row(s, r, 0, h);
		*found = true;
	}
	PQclear(r);
	return 0;
}

static int
pg_head_frontier(struct mamori_store *s, struct mamori_head *h, bool *found,
    unsigned char frontier[64 * MAMORI_HASH_LEN], size_t *flen, struct mamori_error *err)
{
	static const char sql[] = "SELECT " HEAD_COLUMNS ", frontier FROM tree_head "
	    "WHERE frontier IS NOT NULL ORDER BY size DESC LIMIT 1";
	PGresult *r = NULL;
	int rc;

	*found = false;
	*flen = 0;
	if ((rc = store_pg_run(s, sql, NULL, &r, err)) != 0)
		return rc;
	if (PQntuples(r) > 0) {
		head_from_row(s, r, 0, h);
		*found = true;
		*flen = store_pg_blob(r, 0, 6, frontier, 64 * MAMORI_HASH_LEN);
	}
	PQclear(r);
	return 0;
}

static int
pg_head_put(struct mamori_store *s, const struct mamori_head *h, const unsigned char *frontier, size_t flen,
    struct mamori_error *err)
{
	/* a v1 head of the same size (signed before numbering) gives way to its numbered successor */
	static const char sql[] = "INSERT INTO tree_head (size, root, time, pubkey, signature, frontier, seq) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (size) DO UPDATE SET root = excluded.root, "
	    "time = excluded.time, pubkey = excluded.pubkey, signature = excluded.signature, "
	    "frontier = excluded.frontier, seq = excluded.seq";
	struct store_pg_params p = { 0 };

	store_pg_int(&p, (int64_t)h->size);
	store_pg_bytes(&p, h->root, 32);
	store_pg_text(&p, h->time);
	store_pg_bytes(&p, h->pubkey, 32);
	store_pg_bytes(&p, h->signature, 64);
	if (frontier != NULL)
		store_pg_bytes(&p, frontier, flen);
	else
		store_pg_text(&p, NULL);
	store_pg_int(&p, (int64_t)h->seq);
	return store_pg_run(s, sql, &p, NULL, err);
}

/* ---- readers of their own, for `log verify` --------------------------- */

struct store_audit_reader {
	struct mamori_store own;	/* a connection of its own (own.pg set), or unused */
	struct mamori_store *s;		/* where the ranges are read: &own or the store */
	PGresult *res;			/* the range */
	int next, rows;
	int64_t hi;			/* the range's last seq, for its next page */
	unsigned char leaf[MAMORI_HASH_LEN], chain[MAMORI_HASH_LEN];
};

static bool
pg_readers_share(struct mamori_store *s)
{
	/* another connection sees what is committed now: not what s is
	 * writing, nor the older state s's read snapshot holds (read_begin),
	 * as SQLite's readers share only outside a transaction */
	return !s->pg->in_write && !s->pg->in_read;
}

static int
pg_reader_open(struct mamori_store *s, bool own, struct store_audit_reader **out, struct mamori_error *err)
{
	struct store_audit_reader *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (r == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	r->s = s;
	if (own) {
		/* one thread's: the same URL, read-only */
		r->own.location = s->location;
		r->own.backend = s->backend;
		if ((rc = s->backend->meta->open(&r->own, STORE_OPEN_READER, err)) != 0) {
			s->backend->meta->close(&r->own);
			free(r->own.path);
			free(r);
			return rc;
		}
		r->s = &r->own;
	}
	*out = r;
	return 0;
}

static int
range_page(struct store_audit_reader *r, int64_t lo, struct mamori_error *err)
{
	static const char sql[] = "SELECT " EVENT_COLUMNS ", leaf, chain FROM audit_event "
	    "WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3";
	struct store_pg_params p = { 0 };

	PQclear(r->res);
	r->res = NULL;
	r->next = r->rows = 0;
	store_pg_int(&p, lo);
	store_pg_int(&p, r->hi);
	store_pg_int(&p, PAGE);
	if (store_pg_run(r->s, sql, &p, &r->res, err) != 0)
		return MAMORI_E_STORE;
	r->rows = PQntuples(r->res);
	return 0;
}

static int
pg_range_open(struct store_audit_reader *r, int64_t lo, int64_t hi, struct mamori_error *err)
{
	r->hi = hi;
	return range_page(r, lo, err);
}

static int
pg_range_next(struct store_audit_reader *r, struct store_audit_row *row, struct mamori_error *err)
{
	int i;

	if (r->next == r->rows) {
		/* a full page may have more after it */
		if (r->rows < PAGE || r->res == NULL)
			return 0;
		if (range_page(r, store_pg_int64(r->res, r->rows - 1, 0) + 1, err) != 0)
			return MAMORI_E_STORE;
		if (r->rows == 0)
			return 0;
	}
	i = r->next++;
	row->seq = store_pg_int64(r->res, i, 0);
	row->fields_text = true;
	for (int k = 0; k < AUDIT_FIELDS; k++) {
		row->fields_text = row->fields_text && !store_pg_null(r->res, i, k + 1);
		row->field[k] = store_pg_get(r->res, i, k + 1);
		row->len[k] = (size_t)PQgetlength(r->res, i, k + 1);
	}
	row->leaf = store_pg_hash(r->res, i, 7, r->leaf) ? r->leaf : NULL;
	row->chain = store_pg_hash(r->res, i, 8, r->chain) ? r->chain : NULL;
	return 1;
}

static void
pg_reader_close(struct store_audit_reader **rp)
{
	struct store_audit_reader *r;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	PQclear(r->res);
	if (r->s == &r->own) {
		r->own.backend->meta->close(&r->own);
		free(r->own.path);
	}
	free(r);
	*rp = NULL;
}

const struct store_audit_ops store_pg_audit_ops = {
	.size = pg_size,
	.bounds = pg_bounds,
	.last = pg_last,
	.append = pg_append,
	.append_end = pg_append_end,
	.event = pg_event,
	.events = pg_events,
	.events_of = pg_events_of,
	.times = pg_times,
	.schedule_changes = pg_schedule_changes,
	.leaves = pg_leaves,
	.leaves_open = pg_leaves_open,
	.leaf_read = pg_leaf_read,
	.leaves_close = pg_leaves_close,
	.head_latest = pg_head_latest,
	.heads = pg_heads,
	.head_numbers = pg_head_numbers,
	.head_numbered = pg_head_numbered,
	.head_at = pg_head_at,
	.head_frontier = pg_head_frontier,
	.head_put = pg_head_put,
	.readers_share = pg_readers_share,
	.reader_open = pg_reader_open,
	.range_open = pg_range_open,
	.range_next = pg_range_next,
	.reader_close = pg_reader_close,
};
