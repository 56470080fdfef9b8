/*
 * audit_verify.c — `mamori log verify`: recomputes every leaf, the hash chain
 * and the Merkle tree of the audit trail and checks every signed head against
 * them (docs/audit.md).
 *
 * The trail is cut into chunks of 2^k events starting at multiples of 2^k.
 * Such a chunk is a perfect subtree of the RFC 9162 tree, and an event's chain
 * hash depends only on its leaf and the stored chain hash of the event before
 * it (which that event's own check has tied to everything earlier).  So chunks
 * are checked independently, by worker threads on read-only connections of
 * their own, and the calling thread folds the chunk roots in order and reports
 * the first failure in sequence order — the same answer a single pass gives,
 * in a fraction of the time on a machine with more than one core.  Within a
 * chunk, events are read a batch at a time and their leaves hashed side by
 * side (hashbatch.h), then checked one by one in order.
 */
#include "audit_internal.h"
#include "store_backend.h"
#include "store_internal.h"

#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hashbatch.h"
#include "mamori/merkle.h"

#define CHUNK_BITS 14	/* 2^16 left a core idle for the last chunk: 2.5 % slower */
#define MAX_THREADS 4
#define MAX_LEVELS 64

enum {
	/* events whose leaves are computed side by side: past 64 no faster here */
	BATCH = AUDIT_BATCH_MAX,
	BATCH_BYTES = 1 << 22,		/* ...or fewer, when their encodings reach this */
};

struct check_head {
	struct mamori_head h;
	const char *origin;	/* "stored" or "given" */
};

/* A chunk's tree so far: its perfect subtrees, as in mamori_merkle_acc. */
struct partial {
	uint64_t size;
	unsigned char stack[MAX_LEVELS][MAMORI_HASH_LEN];
};

/* The partial tree of a chunk where a head's size falls inside the chunk. */
struct mark {
	uint64_t size;		/* the head's size */
	struct partial part;
};

struct chunk {
	int64_t lo, hi;		/* sequence numbers lo..hi */
	struct partial part;	/* the chunk's tree (complete when intact) */
	struct mark *marks;
	size_t nmarks;
	uint64_t bytes;
	int64_t bad_seq;	/* first bad event, 0 when intact */
	const char *bad_fmt;	/* its message, with %lld for bad_seq */
	int store_rc;		/* a read error: MAMORI_E_STORE with store_msg */
	char store_msg[200];
	bool done;
};

/* One event of a batch: what is stored and what is computed from it. */
struct batch_event {
	int64_t seq;
	bool as_written;	/* every field text and the leaf hash 32 bytes */
	bool chain_read;	/* the chain hash 32 bytes */
	size_t at, len;		/* its leaf's input in batch.enc */
	unsigned char leaf_stored[MAMORI_HASH_LEN], chain_stored[MAMORI_HASH_LEN];
	unsigned char leaf[MAMORI_HASH_LEN];
};

/* A thread's working space: messages must stay put until their hashes are
 * written, so each batch's inputs live here until hashbatch_finish. */
struct batch {
	struct hashbatch *hb;
	unsigned char *enc;
	size_t enc_len, enc_cap;
	size_t n;
	struct batch_event ev[BATCH];
};

struct verify {
	struct mamori_store *s;
	const struct store_audit_ops *ops;
	const struct check_head *heads;
	size_t nheads;
	struct chunk *chunks;
	size_t nchunks;
	int bits;
	size_t batch;		/* events per batch, <= BATCH */
	atomic_size_t next;	/* the next chunk a worker takes */
	atomic_size_t first_bad; /* no use checking chunks after a bad one */
};

/* ---- heads ------------------------------------------------------------ */

static int
tampered(struct mamori_error *err, int64_t seq, const char *fmt, const char *detail)
{
	mamori_error_set(err, MAMORI_E_TAMPERED, fmt, (long long)seq, detail ? detail : "");
	if (err)
		err->line = (int)(seq > 0 && seq < 2147483647 ? seq : 0);
	return MAMORI_E_TAMPERED;
}

static int
by_size(const void *a, const void *b)
{
	uint64_t x = ((const struct check_head *)a)->h.size, y = ((const struct check_head *)b)->h.size;

	return x < y ? -1 : x > y;
}

/* The heads read so far, with room kept for the given ones. */
struct head_list {
	struct check_head *v;
	size_t n, cap, ngiven;
	struct mamori_error *err;
};

static int
add_stored(const struct mamori_head *h, void *ctx)
{
	struct head_list *l = ctx;

	if (l->n + l->ngiven == l->cap) {
		struct check_head *nv = realloc(l->v, (l->cap *= 2) * sizeof(*nv));
		if (nv == NULL)
			return mamori_error_set(l->err, MAMORI_E_NOMEM, "out of memory");
		l->v = nv;
	}
	l->v[l->n].h = *h;
	l->v[l->n++].origin = "stored";
	return 0;
}

/* Stored and given heads together, sorted by size. */
static int
load_heads(struct mamori_store *s, const struct mamori_head *given, size_t ngiven,
    struct check_head **out, size_t *n, struct mamori_error *err)
{
	struct head_list l = { NULL, 0, ngiven + 16, ngiven, err };
	struct check_head *heads;
	size_t k = 0;
	int rc;

	if ((l.v = malloc(l.cap * sizeof(*l.v))) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = s->backend->audit->heads(s, add_stored, &l, err)) != 0)
		goto out;
	for (size_t i = 0; i < ngiven; i++) {
		l.v[l.n].h = given[i];
		l.v[l.n++].origin = "given";
	}
	qsort(l.v, l.n, sizeof(*l.v), by_size);
	k = l.n;
out:
	heads = l.v;
	if (rc != 0) {
		free(heads);
		heads = NULL;
		k = 0;
	}
	*out = heads;
	*n = k;
	return rc;
}

/* Every head must be of this log and signed by pk. */
static int
check_signatures(struct mamori_store *s, const struct check_head *heads, size_t n, const unsigned char pk[32],
    struct mamori_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(heads[i].h.log_id, s->log_id) != 0)
			return tampered(err, (int64_t)heads[i].h.size, "%lld: a %s tree head of this size belongs "
			    "to another log", heads[i].origin);
		if (!mamori_head_verify(&heads[i].h, pk))
			return tampered(err, (int64_t)heads[i].h.size, "%lld: the signature of a %s tree head of "
			    "this size does not verify with the public key", heads[i].origin);
	}
	return 0;
}

/* The index of the first head with size >= size. */
static size_t
first_head_from(const struct check_head *heads, size_t n, uint64_t size)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (heads[mid].h.size < size)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- one chunk -------------------------------------------------------- */

static void
partial_push(struct partial *p, const unsigned char leaf[MAMORI_HASH_LEN])
{
	unsigned char h[MAMORI_HASH_LEN];
	uint64_t size = p->size;
	int level = 0;

	memcpy(h, leaf, MAMORI_HASH_LEN);
	while (size & 1) {
		mamori_merkle_node(p->stack[level], h, h);
		size >>= 1;
		level++;
	}
	memcpy(p->stack[level], h, MAMORI_HASH_LEN);
	p->size++;
}

static bool
add_mark(struct chunk *c, const struct partial *p, uint64_t size)
{
	struct mark *m = realloc(c->marks, (c->nmarks + 1) * sizeof(*m));

	if (m == NULL)
		return false;
	c->marks = m;
	m[c->nmarks].size = size;
	m[c->nmarks].part = *p;
	c->nmarks++;
	return true;
}

static void
chunk_bad(struct chunk *c, int64_t seq, const char *fmt)
{
	c->bad_seq = seq;
	c->bad_fmt = fmt;
}

/*
 * The stored chain hash before the chunk: 32 zero bytes before event 1.  row
 * is the reader's first row of the chunk after it (*more: range_next's answer).
 */
static bool
chunk_start(const struct verify *v, struct chunk *c, struct store_audit_reader *r, struct store_audit_row *row,
    unsigned char prev_chain[MAMORI_HASH_LEN], int *more, struct mamori_error *err)
{
	memset(prev_chain, 0, MAMORI_HASH_LEN);
	*more = v->ops->range_next(r, row, err);
	if (c->lo == 1)
		return true;
	/* the row before is the previous chunk's last; if it is gone, that chunk says so */
	if (*more != 1 || row->seq != c->lo - 1 || row->chain == NULL) {
		chunk_bad(c, c->lo - 1, "%lld: event missing or out of order%s (deleted, inserted or renumbered)");
		return false;
	}
	memcpy(prev_chain, row->chain, MAMORI_HASH_LEN);
	*more = v->ops->range_next(r, row, err);
	return true;
}

/*
 * Reads the next events of the chunk into b, up to limit of them or
 * BATCH_BYTES of encodings, each laid out as its leaf hashes it (the row's
 * fields are the reader's until its next row: laid out, never kept).  A leaf
 * is hashed over each field's full stored length: a field with a NUL inside
 * therefore cannot match a leaf mamori wrote (it hashed the string up to its
 * end), so no search for NULs is needed — such a field fails the leaf check
 * unless its leaf was forged with it, which the chain and the signed heads
 * catch like any other forged leaf.  Stops before an event out of sequence
 * (*gap) and after one whose leaf cannot be computed; *more is the last
 * range_next answer.  False when out of memory.
 */
static bool
batch_read(const struct verify *v, struct batch *b, struct store_audit_reader *r, struct store_audit_row *row,
    int *more, int64_t *expect, bool *gap, struct mamori_error *err)
{
	b->n = 0;
	b->enc_len = 0;
	while (*more == 1 && b->n < v->batch && b->enc_len < BATCH_BYTES) {
		struct batch_event *e = &b->ev[b->n];

		if ((e->seq = row->seq) != *expect) {
			*gap = true;
			return true;
		}
		e->as_written = row->fields_text && row->leaf != NULL;
		if (e->as_written)
			memcpy(e->leaf_stored, row->leaf, MAMORI_HASH_LEN);
		if ((e->chain_read = row->chain != NULL))
			memcpy(e->chain_stored, row->chain, MAMORI_HASH_LEN);
		if (e->as_written) {
			size_t need = audit_event_encoded_len(row->len);
			if (b->enc_cap - b->enc_len < need) {
				size_t cap = b->enc_len + need + BATCH_BYTES / 4;
				unsigned char *enc = realloc(b->enc, cap);
				if (enc == NULL)
					return false;
				b->enc = enc;
				b->enc_cap = cap;
			}
			e->at = b->enc_len;
			e->len = audit_event_encode(e->seq, row->field, row->len, b->enc + e->at);
			b->enc_len += e->len;
		}
		b->n++;
		(*expect)++;
		*more = v->ops->range_next(r, row, err);
		if (!e->as_written)
			break;
	}
	return true;
}

/* Heads up to seq: a head whose size falls inside the chunk (not at its end)
 * needs the chunk's tree as it was at that size. */
static bool
take_marks(const struct verify *v, struct chunk *c, size_t *h, int64_t seq)
{
	for (; *h < v->nheads && v->heads[*h].h.size <= (uint64_t)seq; (*h)++)
		if (v->heads[*h].h.size == (uint64_t)seq && seq != c->hi &&
		    (c->nmarks == 0 || c->marks[c->nmarks - 1].size != (uint64_t)seq) &&
		    !add_mark(c, &c->part, (uint64_t)seq))
			return false;
	return true;
}

/*
 * Computes the batch's leaves side by side, then checks event by event, in
 * sequence order: its leaf, its chain hash (from the stored chain hash
 * before it), and adds the leaf to the chunk's tree.  The chain hashes and
 * tree nodes are two-block messages, which nettle hashes one at a time as
 * fast as a batch would (an ipsec-mb job costs as much as the blocks).
 * prev_chain is the stored chain hash before the batch and becomes the last
 * event's.  Returns 0, MAMORI_E_TAMPERED with chunk_bad set, or
 * MAMORI_E_NOMEM.
 */
static int
batch_check(const struct verify *v, struct chunk *c, struct batch *b, size_t *h,
    unsigned char prev_chain[MAMORI_HASH_LEN])
{
	unsigned char chain[MAMORI_HASH_LEN];

	for (size_t k = 0; k < b->n && b->ev[k].as_written; k++)
		hashbatch_add(b->hb, b->enc + b->ev[k].at, b->ev[k].len, b->ev[k].leaf);
	hashbatch_finish(b->hb);
	for (size_t k = 0; k < b->n; k++) {
		struct batch_event *e = &b->ev[k];
		if (!e->as_written || memcmp(e->leaf, e->leaf_stored, MAMORI_HASH_LEN) != 0) {
			chunk_bad(c, e->seq, "%lld: the event's content does not match its leaf hash%s (modified)");
			return MAMORI_E_TAMPERED;
		}
		mamori_event_chain(prev_chain, e->leaf, chain);
		if (!e->chain_read || memcmp(chain, e->chain_stored, MAMORI_HASH_LEN) != 0) {
			chunk_bad(c, e->seq, "%lld: the hash chain breaks here%s (an earlier event was modified, "
			    "removed or reordered)");
			return MAMORI_E_TAMPERED;
		}
		memcpy(prev_chain, e->chain_stored, MAMORI_HASH_LEN);
		c->bytes += e->len - AUDIT_ENCODING_FRAME;
		partial_push(&c->part, e->leaf);
		if (!take_marks(v, c, h, e->seq))
			return MAMORI_E_NOMEM;
	}
	return 0;
}

static void
check_chunk(struct verify *v, struct store_audit_reader *r, struct batch *b, struct chunk *c)
{
	unsigned char prev_chain[MAMORI_HASH_LEN];
	size_t h = first_head_from(v->heads, v->nheads, (uint64_t)c->lo);
	struct store_audit_row row;
	struct mamori_error err = { 0 };
	int64_t expect = c->lo;
	bool gap = false;
	int more, rc;

	/* event 1's chunk also reads whatever sits below it (seq 0, negative) */
	if (v->ops->range_open(r, c->lo == 1 ? INT64_MIN : c->lo - 1, c->hi, &err) != 0)
		goto store_error;
	if (!chunk_start(v, c, r, &row, prev_chain, &more, &err))
		goto out;
	while (more == 1 && !gap) {
		if (!batch_read(v, b, r, &row, &more, &expect, &gap, &err))
			goto nomem;
		if ((rc = batch_check(v, c, b, &h, prev_chain)) == MAMORI_E_TAMPERED)
			goto out;
		if (rc != 0)
			goto nomem;
	}
	if (!gap && more != 0)
		goto store_error;
	if (expect != c->hi + 1)
		chunk_bad(c, expect, "%lld: event missing or out of order%s (deleted, inserted or renumbered)");
	goto out;
nomem:
	c->store_rc = MAMORI_E_NOMEM;
	snprintf(c->store_msg, sizeof(c->store_msg), "out of memory");
	goto out;
store_error:
	c->store_rc = MAMORI_E_STORE;
	snprintf(c->store_msg, sizeof(c->store_msg), "%.*s", (int)sizeof(c->store_msg) - 1, err.message);
out:
	c->done = true;
}

/* ---- workers ---------------------------------------------------------- */

static void
note_bad(struct verify *v, size_t i)
{
	size_t cur = atomic_load(&v->first_bad);

	while (i < cur && !atomic_compare_exchange_weak(&v->first_bad, &cur, i))
		;
}

static struct batch *
batch_new(void)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (b != NULL && (b->hb = hashbatch_new()) == NULL) {
		free(b);
		b = NULL;
	}
	return b;
}

static void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	hashbatch_free(b->hb);
	free(b->enc);
	free(b);
}

/* Checks chunks as long as there are any, through r. */
static void
run_chunks(struct verify *v, struct store_audit_reader *r)
{
	struct batch *b = NULL;
	bool made = false;
	size_t i;

	while ((i = atomic_fetch_add(&v->next, 1)) < v->nchunks) {
		struct chunk *c = &v->chunks[i];

		if (i > atomic_load(&v->first_bad))
			continue;
		/* made on the first chunk taken: the caller's last call usually gets none */
		if (!made) {
			b = batch_new();
			made = true;
		}
		if (b != NULL) {
			check_chunk(v, r, b, c);
		} else {
			c->store_rc = MAMORI_E_NOMEM;
			snprintf(c->store_msg, sizeof(c->store_msg), "out of memory");
			c->done = true;
		}
		if (c->bad_seq || c->store_rc)
			note_bad(v, i);
	}
	batch_free(b);
}

/* Checks chunks through a reader of the store's (own false) or of its own. */
static void
run_reader(struct verify *v, bool own)
{
	struct store_audit_reader *r = NULL;

	/* a worker that cannot open leaves its chunks to the others */
	if (v->ops->reader_open(v->s, own, &r, NULL) == 0)
		run_chunks(v, r);
	v->ops->reader_close(&r);
}

static void *
worker(void *arg)
{
	run_reader(arg, true);
	return NULL;
}

/*
 * How many threads check chunks, the caller's included: one per core, up to
 * MAX_THREADS.  Threads read through readers of their own, so these must see
 * what the caller's connection sees (a database file, nothing uncommitted);
 * otherwise the caller works alone on its own connection.
 */
static int
thread_count(struct mamori_store *s, int wanted, size_t nchunks)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (!s->backend->audit->readers_share(s))
		return 1;
	if (wanted > MAX_THREADS)
		wanted = MAX_THREADS;
	if (cpus > 0 && wanted > cpus)
		wanted = (int)cpus;
	if ((size_t)wanted > nchunks)
		wanted = (int)nchunks;
	return wanted < 1 ? 1 : wanted;
}

static void
run_all(struct verify *v, int threads)
{
	pthread_t tid[MAX_THREADS];
	int started = 0;

	if (threads <= 1) {
		run_reader(v, false);
		return;
	}
	for (int i = 1; i < threads; i++)
		if (pthread_create(&tid[started], NULL, worker, v) == 0)
			started++;
	run_reader(v, true);
	/* chunks nobody could take (no reader opened) fall to the store's own connection */
	run_reader(v, false);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

/* ---- folding ---------------------------------------------------------- */

/* The root of the whole tree: full chunks in acc, then part. */
static void
fold_root(const struct mamori_merkle_acc *acc, const struct partial *part, unsigned char root[MAMORI_HASH_LEN])
{
	struct mamori_merkle_acc t = *acc;

	for (int level = MAX_LEVELS - 1; level >= 0; level--)
		if (part->size >> level & 1)
			mamori_merkle_acc_push_subtree(&t, part->stack[level], level);
	mamori_merkle_acc_root(&t, root);
}

/* Compares root with every head of this size; *h moves past them. */
static int
check_heads_at(const struct verify *v, size_t *h, uint64_t size, const unsigned char root[MAMORI_HASH_LEN],
    struct mamori_error *err)
{
	for (; *h < v->nheads && v->heads[*h].h.size == size; (*h)++)
		if (memcmp(root, v->heads[*h].h.root, MAMORI_HASH_LEN) != 0)
			return tampered(err, (int64_t)size, "%lld: the log up to here no longer matches the %s "
			    "tree head of this size (history rewritten)", v->heads[*h].origin);
	return 0;
}

static int
fold_chunks(struct verify *v, uint64_t *bytes, unsigned char root[MAMORI_HASH_LEN], struct mamori_error *err)
{
	struct mamori_merkle_acc acc;
	size_t h = 0;
	int rc;

	memset(&acc, 0, sizeof(acc));
	mamori_merkle_acc_root(&acc, root);
	if ((rc = check_heads_at(v, &h, 0, root, err)) != 0)
		return rc;
	for (size_t i = 0; i < v->nchunks; i++) {
		struct chunk *c = &v->chunks[i];

		if (!c->done)
			return mamori_error_set(err, MAMORI_E_STORE, "cannot read the audit trail: chunk from %lld "
			    "was not checked", (long long)c->lo);
		for (size_t m = 0; m < c->nmarks; m++) {
			fold_root(&acc, &c->marks[m].part, root);
			if ((rc = check_heads_at(v, &h, c->marks[m].size, root, err)) != 0)
				return rc;
		}
		if (c->store_rc)
			return mamori_error_set(err, c->store_rc, "%s", c->store_msg);
		if (c->bad_seq)
			return tampered(err, c->bad_seq, c->bad_fmt, "");
		*bytes += c->bytes;
		fold_root(&acc, &c->part, root);
		if ((rc = check_heads_at(v, &h, (uint64_t)c->hi, root, err)) != 0)
			return rc;
		if (c->part.size == (uint64_t)1 << v->bits)
			mamori_merkle_acc_push_subtree(&acc, c->part.stack[v->bits], v->bits);
	}
	if (h < v->nheads)
		return tampered(err, v->nchunks ? v->chunks[v->nchunks - 1].hi + 1 : 1, "%lld: the log ends before "
		    "a %s tree head's size (truncated or rolled back)", v->heads[h].origin);
	return 0;
}

/* ---- the whole -------------------------------------------------------- */

/*
 * Where the range checked ends: the largest seq, but never past what the
 * storage can hold (the backend's bounds), so that one row inserted with a
 * huge seq cannot make the chunks below it numberless.  Past the events
 * actually there, the first chunk with a gap reports it and the later ones
 * are skipped.
 */
static int
log_end(struct mamori_store *s, int64_t *end, bool *empty, struct mamori_error *err)
{
	int64_t last, bound;
	int rc;

	if ((rc = s->backend->audit->bounds(s, &last, empty, &bound, err)) != 0)
		return rc;
	*end = last > bound ? bound + 1 : last;
	/* events that all sit at or below 0 still get event 1's chunk, which reads them */
	if (*end < 1)
		*end = 1;
	return 0;
}

static int
make_chunks(struct verify *v, int64_t end, bool empty, struct mamori_error *err)
{
	int64_t size = (int64_t)1 << v->bits;
	size_t n;

	if (empty)
		return 0;
	n = (size_t)((end - 1) / size + 1);
	if ((v->chunks = calloc(n, sizeof(*v->chunks))) == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	v->nchunks = n;
	for (size_t i = 0; i < n; i++) {
		v->chunks[i].lo = (int64_t)i * size + 1;
		v->chunks[i].hi = (int64_t)(i + 1) * size;
	}
	v->chunks[n - 1].hi = end;
	return 0;
}

int
audit_verify_chunked(struct mamori_store *s, const unsigned char pk[32], const struct mamori_head *given,
    size_t ngiven, const struct audit_verify_shape *shape, char *summary, size_t sn, struct mamori_error *err)
{
	struct verify v = { .s = s, .ops = s->backend->audit, .bits = shape->chunk_bits,
		.batch = (size_t)shape->batch };
	struct check_head *heads = NULL;
	unsigned char root[MAMORI_HASH_LEN];
	char note[200] = "";
	uint64_t bytes = 0;
	int64_t last = 0;
	bool empty = true;
	int rc;

	if (shape->chunk_bits < 1 || shape->chunk_bits > 40 || shape->batch < 1 || shape->batch > BATCH)
		return mamori_error_set(err, MAMORI_E_USAGE, "chunk or batch size out of range");
	if ((rc = load_heads(s, given, ngiven, &heads, &v.nheads, err)) != 0 ||
	    (rc = check_signatures(s, heads, v.nheads, pk, err)) != 0 ||
	    (rc = log_end(s, &last, &empty, err)) != 0)
		goto out;
	v.heads = heads;
	if ((rc = make_chunks(&v, last, empty, err)) != 0)
		goto out;
	atomic_init(&v.next, 0);
	atomic_init(&v.first_bad, v.nchunks);
	run_all(&v, thread_count(s, shape->threads, v.nchunks));
	if ((rc = fold_chunks(&v, &bytes, root, err)) != 0 ||
	    (rc = audit_verify_schedule(s, given, ngiven, note, sizeof(note), err)) != 0)
		goto out;
	{
		char hex[65];
		uint64_t count = empty ? 0 : (uint64_t)last;

		sodium_bin2hex(hex, sizeof(hex), root, MAMORI_HASH_LEN);
		snprintf(summary, sn, "ok: %llu events (%llu bytes), chain and tree intact, root %s, "
		    "%zu signed heads verified (%zu given)%s", (unsigned long long)count,
		    (unsigned long long)bytes, count ? hex : "-", v.nheads, ngiven, note);
	}
out:
	for (size_t i = 0; i < v.nchunks; i++)
		free(v.chunks[i].marks);
	free(v.chunks);
	free(heads);
	return rc;
}

int
mamori_audit_verify(struct mamori_store *s, const unsigned char pk[32], const struct mamori_head *given,
    size_t ngiven, char *summary, size_t sn, struct mamori_error *err)
{
	static const struct audit_verify_shape shape = { CHUNK_BITS, MAX_THREADS, BATCH };

	return audit_verify_chunked(s, pk, given, ngiven, &shape, summary, sn, err);
}
