/*
 * test_audit_ops.c — the audit trail's storage operations (store_backend.h)
 * of the backend the tests run on (fixture.h), called directly: what each
 * reads back from a store of known events and heads, what it says of rows a
 * damaged store holds (a leaf of the wrong length, a field that is not text,
 * a head without its number), and an append through the ops that `log
 * verify` then accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "mamori/audit.h"
#include "mamori/store.h"
#include "audit_internal.h"
#include "store_backend.h"
#include "store_internal.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"
#define ADDED 20	/* events added after init's policy.load (seq 1) */

static int
add_events(struct mamori_store_tx *tx, void *arg)
{
	int n = *(int *)arg, rc = 0;

	for (int i = 0; i < n && rc == 0; i++) {
		cJSON *after = cJSON_CreateObject();
		char id[16];

		snprintf(id, sizeof(id), "T-%03d", i);
		cJSON_AddStringToObject(after, "name", "住民票データ");
		rc = mamori_store_tx_event(tx, "test.change", "asset", id, NULL, after);
		cJSON_Delete(after);
	}
	return rc;
}

/* A store of 1 + ADDED events and a signed head at its end. */
static struct mamori_store *
store_with_events(const char *name)
{
	struct mamori_store *s = fixture_store(name, POLICY);
	struct mamori_error err = { 0 };
	int n = ADDED;

	assert_int_equal(mamori_store_write(s, "test:unit", add_events, &n, &err), 0);
	assert_int_equal(mamori_audit_sign_head(s, NULL, &err), 0);
	return s;
}

static void
pubkey(struct mamori_store *s, unsigned char pk[32])
{
	struct mamori_error err = { 0 };
	char pub[160];

	snprintf(pub, sizeof(pub), "%s.pub", mamori_store_path(s));
	assert_int_equal(mamori_audit_read_pubkey(pub, pk, &err), 0);
}

/* ---- events ---- */

struct seen {
	int n;
	int64_t last_seq;
	unsigned char leaf[32];
	bool leaf_ok;
};

static int
count_event(const struct mamori_event *ev, void *ctx)
{
	struct seen *s = ctx;

	assert_true(ev->seq > s->last_seq);	/* in seq order */
	s->last_seq = ev->seq;
	s->n++;
	return 0;
}

static int
event_with_leaf(const struct mamori_event *ev, const unsigned char *leaf, void *ctx)
{
	struct seen *s = ctx;

	assert_int_equal(ev->seq, 5);
	assert_string_equal(ev->action, "test.change");
	assert_non_null(leaf);
	mamori_event_leaf(ev, s->leaf);
	s->leaf_ok = memcmp(s->leaf, leaf, 32) == 0;
	return 0;
}

static int
stop_at_third(const struct mamori_event *ev, void *ctx)
{
	(void)ev;
	return ++((struct seen *)ctx)->n == 3 ? 42 : 0;
}

static void
test_events(void **state)
{
	struct mamori_store *s = store_with_events("events.db");
	const struct store_audit_ops *ops = s->backend->audit;
	struct mamori_event_filter f = { .action = "test.change", .limit = 5 };
	struct mamori_error err = { 0 };
	struct seen seen = { 0 };
	unsigned char chain[32];
	uint64_t size = 0;
	int64_t last = 0, most = 0;
	bool empty = true;

	(void)state;
	assert_string_equal(s->backend->name, fixture_pg() ? "postgresql" : "sqlite");
	assert_int_equal(ops->size(s, &size, &err), 0);
	assert_int_equal(size, 1 + ADDED);
	assert_int_equal(ops->bounds(s, &last, &empty, &most, &err), 0);
	assert_false(empty);
	assert_int_equal(last, 1 + ADDED);
	assert_true(most >= last);
	assert_int_equal(ops->last(s, &last, chain, &err), 0);
	assert_int_equal(last, 1 + ADDED);

	assert_int_equal(ops->event(s, 5, event_with_leaf, &seen, &err), 0);
	assert_true(seen.leaf_ok);
	assert_int_equal(ops->event(s, 999, event_with_leaf, &seen, &err), MAMORI_E_NOTFOUND);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ops->events(s, &f, count_event, &seen, &err), 0);
	assert_int_equal(seen.n, 5);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ops->events(s, NULL, count_event, &seen, &err), 0);
	assert_int_equal(seen.n, 1 + ADDED);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ops->events_of(s, "asset", "T-003", count_event, &seen, &err), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.last_seq, 5);	/* policy.load is 1, T-000 is 2 */
	/* a callback's non-zero stops the walk and comes back as is */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ops->events_of(s, "asset", "T-003", stop_at_third, &seen, &err), 0);
	seen.n = 0;
	assert_int_equal(ops->events(s, NULL, stop_at_third, &seen, &err), 42);
	assert_int_equal(seen.n, 3);
	mamori_store_close(&s);
}

/* ---- leaves and the range reader ---- */

struct leaf_walk {
	uint64_t next;
	struct mamori_store *s;
	int nulls;
};

static int
check_leaf(uint64_t seq, const unsigned char *leaf, void *ctx)
{
	struct leaf_walk *w = ctx;
	const struct store_audit_ops *ops = w->s->backend->audit;
	struct store_audit_leaves *r = NULL;
	unsigned char one[32];

	assert_int_equal(seq, w->next++);
	if (leaf == NULL) {
		w->nulls++;
		return 0;
	}
	/* the single-leaf reader agrees with the stream */
	assert_int_equal(ops->leaves_open(w->s, &r, NULL), 0);
	assert_int_equal(ops->leaf_read(r, seq, one), 0);
	assert_memory_equal(one, leaf, 32);
	assert_int_equal(ops->leaf_read(r, 999, one), MAMORI_E_TAMPERED);
	ops->leaves_close(&r);
	assert_null(r);
	return 0;
}

/* Every row of lo..hi through reader r: its leaf from its fields, its chain from the one before. */
static int
read_range(const struct store_audit_ops *ops, struct store_audit_reader *r, int64_t lo, int64_t hi,
    unsigned char prev[32])
{
	struct store_audit_row row;
	struct mamori_error err = { 0 };
	unsigned char leaf[32], chain[32];
	int n = 0, more;

	assert_int_equal(ops->range_open(r, lo, hi, &err), 0);
	while ((more = ops->range_next(r, &row, &err)) == 1) {
		assert_int_equal(row.seq, lo + n);
		assert_true(row.fields_text);
		assert_non_null(row.leaf);
		assert_non_null(row.chain);
		audit_event_leaf_n(row.seq, row.field, row.len, leaf);
		assert_memory_equal(leaf, row.leaf, 32);
		if (prev != NULL) {
			mamori_event_chain(prev, leaf, chain);
			assert_memory_equal(chain, row.chain, 32);
			memcpy(prev, chain, 32);
		}
		n++;
	}
	assert_int_equal(more, 0);
	return n;
}

static void
test_leaves_and_ranges(void **state)
{
	struct mamori_store *s = store_with_events("ranges.db");
	const struct store_audit_ops *ops = s->backend->audit;
	struct leaf_walk w = { 4, s, 0 };
	struct mamori_error err = { 0 };
	struct store_audit_reader *r = NULL;
	unsigned char prev[32] = { 0 };

	(void)state;
	assert_int_equal(ops->leaves(s, 3, 10, check_leaf, &w, &err), 0);
	assert_int_equal(w.next, 11);
	assert_int_equal(w.nulls, 0);

	assert_true(ops->readers_share(s));
	/* in a read snapshot, readers of their own would see commits after it */
	assert_true(mamori_store_read_begin(s) >= 0);
	assert_false(ops->readers_share(s));
	mamori_store_read_end(s);
	assert_true(ops->readers_share(s));
	for (int own = 0; own <= 1; own++) {
		memset(prev, 0, sizeof(prev));
		assert_int_equal(ops->reader_open(s, own, &r, &err), 0);
		/* a reader reads one range after another */
		assert_int_equal(read_range(ops, r, 1, 1 + ADDED, prev), 1 + ADDED);
		assert_int_equal(read_range(ops, r, 5, 8, NULL), 4);
		assert_int_equal(read_range(ops, r, 100, 200, NULL), 0);
		ops->reader_close(&r);
		assert_null(r);
	}
	mamori_store_close(&s);
}

/* ---- heads ---- */

struct head_walk {
	int n;
	uint64_t last_size;
	int64_t last_seq;
};

static int
count_head(const struct mamori_head *h, void *ctx)
{
	struct head_walk *w = ctx;

	assert_true(h->size >= w->last_size);
	w->last_size = h->size;
	w->n++;
	return 0;
}

static int
count_number(uint64_t size, bool numbered, int64_t seq, void *ctx)
{
	struct head_walk *w = ctx;

	assert_true(numbered);
	assert_int_equal(seq, w->last_seq + 1);
	w->last_seq = seq;
	w->last_size = size;
	w->n++;
	return 0;
}

static int
no_number(uint64_t size, bool numbered, int64_t seq, void *ctx)
{
	(void)size;
	(void)seq;
	((struct head_walk *)ctx)->n += !numbered;
	return 0;
}

static void
test_heads(void **state)
{
	struct mamori_store *s = store_with_events("heads.db");
	const struct store_audit_ops *ops = s->backend->audit;
	struct mamori_error err = { 0 };
	struct mamori_head h, at;
	struct head_walk w = { 0 };
	unsigned char root[32], frontier[64 * 32];
	int64_t stored = fixture_query_int(s, "SELECT count(*) FROM tree_head");
	uint64_t size, max_seq;
	size_t flen;
	bool found, root_ok;

	(void)state;
	assert_true(stored >= 2);	/* init's and the one after the events */
	assert_int_equal(ops->head_latest(s, &h, &err), 0);
	assert_int_equal(h.size, 1 + ADDED);
	assert_int_equal(h.seq, stored);
	assert_string_equal(h.log_id, mamori_store_log_id(s));

	assert_int_equal(ops->heads(s, count_head, &w, &err), 0);
	assert_int_equal(w.n, stored);
	assert_int_equal(w.last_size, 1 + ADDED);
	memset(&w, 0, sizeof(w));
	assert_int_equal(ops->head_numbers(s, count_number, &w, &err), 0);
	assert_int_equal(w.n, stored);

	assert_int_equal(ops->head_numbered(s, h.seq, &found, &size, root, &root_ok, &err), 0);
	assert_true(found && root_ok);
	assert_int_equal(size, h.size);
	assert_memory_equal(root, h.root, 32);
	assert_int_equal(ops->head_numbered(s, 999, &found, &size, root, &root_ok, &err), 0);
	assert_false(found);

	assert_int_equal(ops->head_at(s, h.size, &at, &found, &max_seq, &err), 0);
	assert_true(found);
	assert_int_equal(max_seq, h.seq);
	assert_memory_equal(at.signature, h.signature, 64);
	assert_int_equal(ops->head_at(s, 3, &at, &found, &max_seq, &err), 0);
	assert_false(found);

	/* the frontier of the largest head: one hash per perfect subtree */
	assert_int_equal(ops->head_frontier(s, &at, &found, frontier, &flen, &err), 0);
	assert_true(found);
	assert_int_equal(at.size, h.size);
	assert_int_equal(flen, (size_t)__builtin_popcountll(h.size) * 32);

	/* a head stored before numbering: no number, and the rest as before */
	fixture_exec(s, "UPDATE tree_head SET seq = NULL WHERE size = 1");
	memset(&w, 0, sizeof(w));
	assert_int_equal(ops->head_numbers(s, no_number, &w, &err), 0);
	assert_int_equal(w.n, 1);
	mamori_store_close(&s);
}

/* ---- a damaged store: the ops tell, the audit modules name it ---- */

static void
test_damaged_rows(void **state)
{
	struct mamori_store *s = store_with_events("damaged.db");
	const struct store_audit_ops *ops = s->backend->audit;
	struct leaf_walk w = { 1, s, 0 };
	struct mamori_error err = { 0 };
	struct store_audit_reader *r = NULL;
	struct store_audit_leaves *lr = NULL;
	struct store_audit_row row;
	unsigned char one[32];
	int more;

	(void)state;
	/* PostgreSQL's text columns hold text alone: its body is changed, not made a blob */
	if (fixture_pg())
		fixture_exec(s, "UPDATE audit_event SET leaf = '\\x00'::bytea WHERE seq = 3;"
		    "UPDATE audit_event SET body = 'A', chain = '\\x0102'::bytea WHERE seq = 4");
	else
		fixture_exec(s, "UPDATE audit_event SET leaf = x'00' WHERE seq = 3;"
		    "UPDATE audit_event SET body = x'41', chain = x'0102' WHERE seq = 4");
	assert_int_equal(ops->leaves(s, 0, 6, check_leaf, &w, &err), 0);
	assert_int_equal(w.nulls, 1);
	assert_int_equal(ops->leaves_open(s, &lr, &err), 0);
	assert_int_equal(ops->leaf_read(lr, 3, one), MAMORI_E_TAMPERED);
	ops->leaves_close(&lr);

	assert_int_equal(ops->reader_open(s, true, &r, &err), 0);
	assert_int_equal(ops->range_open(r, 3, 4, &err), 0);
	assert_int_equal(ops->range_next(r, &row, &err), 1);
	assert_int_equal(row.seq, 3);
	assert_true(row.fields_text);
	assert_null(row.leaf);
	assert_non_null(row.chain);
	assert_int_equal(ops->range_next(r, &row, &err), 1);
	assert_int_equal(row.seq, 4);
	if (fixture_pg()) {
		assert_true(row.fields_text);
		assert_int_equal(row.len[AUDIT_FIELDS - 1], 1);	/* the body as stored, for the verifier to hash */
		assert_memory_equal(row.field[AUDIT_FIELDS - 1], "A", 1);
	} else {
		assert_false(row.fields_text);	/* the body is a blob */
	}
	assert_non_null(row.leaf);
	assert_null(row.chain);
	more = ops->range_next(r, &row, &err);
	assert_int_equal(more, 0);
	ops->reader_close(&r);
	mamori_store_close(&s);
}

/* ---- the write path ---- */

/* One event appended through the ops, then one the ordinary way after it. */
static int
append_direct(struct mamori_store_tx *tx, void *arg)
{
	struct mamori_store *s = mamori_store_tx_store(tx);
	const struct store_audit_ops *ops = s->backend->audit;
	struct mamori_error err = { 0 };
	unsigned char chain[32], leaf[32];
	int64_t seq;
	int one = 1;

	(void)arg;
	/* inside a write transaction, readers of their own would miss it */
	assert_false(ops->readers_share(s));
	assert_int_equal(ops->last(s, &seq, chain, &err), 0);
	struct mamori_event ev = { seq + 1, "2026-12-06T03:00:00.000000Z", "test:unit", "test.direct", "asset",
		"T-999", "{\"after\":null,\"before\":null}" };
	mamori_event_leaf(&ev, leaf);
	mamori_event_chain(chain, leaf, chain);
	assert_int_equal(ops->append(tx, &ev, leaf, chain, &err), 0);
	/* the ordinary way reads the last event anew: the direct one, inside this transaction */
	return add_events(tx, &one);
}

static void
test_append(void **state)
{
	struct mamori_store *s = store_with_events("append.db");
	struct mamori_error err = { 0 };
	unsigned char pk[32];
	char summary[512];

	(void)state;
	assert_int_equal(mamori_store_write(s, "test:unit", append_direct, NULL, &err), 0);
	assert_int_equal(fixture_query_int(s, "SELECT seq FROM audit_event WHERE action = 'test.direct'"), 2 + ADDED);
	assert_int_equal(fixture_query_int(s, "SELECT max(seq) FROM audit_event"), 3 + ADDED);
	assert_int_equal(mamori_audit_sign_head(s, NULL, &err), 0);
	pubkey(s, pk);
	assert_int_equal(mamori_audit_verify(s, pk, NULL, 0, summary, sizeof(summary), &err), 0);
	assert_non_null(strstr(summary, "ok: 23 events"));
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_leaves_and_ranges),
		cmocka_unit_test(test_heads),
		cmocka_unit_test(test_damaged_rows),
		cmocka_unit_test(test_append),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
