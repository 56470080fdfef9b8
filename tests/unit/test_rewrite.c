/*
 * test_rewrite.c — history rewritten by someone who can write the store file
 * but cannot read the signing key (docs/audit.md, "A rewrite without the
 * key").  A store signs a head every 4 events and publishes each one to a
 * directory; then, on copies of it, every rewrite the store file alone allows:
 * an event changed with every leaf and chain hash after it recomputed and the
 * heads over it deleted (at every position), heads deleted (each one alone),
 * heads deleted and the later ones renumbered, the schedule forged (an event
 * after a head made into a change of head.every_events to 10^9, to excuse the
 * heads missing after it), the newest events deleted with their heads (every
 * count), the trail truncated and new events appended
 * through mamori itself (every point).  Each must be refused by `log verify`
 * given the published heads; the ones the store's own numbering and schedule
 * can show (a gap in the numbers, more events after the newest head than the
 * schedule lets pass) must be refused without them too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mamori/audit.h"
#include "mamori/store.h"

#define POLICY SRCDIR "/tests/store/policy.yaml"
#define EVERY 4		/* head.every_events of the store under attack */

static char dir[64], pristine[128], work[128], heads_dir[128];
static unsigned char pk[32];
static struct mamori_head *published;
static size_t npublished;
static int64_t nevents;

/* The sizes and numbers of the pristine store's heads, by size. */
static struct {
	int64_t size, seq;
} heads[64];
static size_t nheads;

static void
copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	assert_true(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

static int
add_event(struct mamori_store_tx *tx, void *arg)
{
	cJSON *after = cJSON_CreateObject();
	char id[16];
	int rc;

	snprintf(id, sizeof(id), "A-%06d", *(int *)arg);
	cJSON_AddStringToObject(after, "name", *(int *)arg < 1000 ? "住民票データ" : "偽の台帳");
	rc = mamori_store_tx_event(tx, "asset.add", "asset", id, NULL, after);
	cJSON_Delete(after);
	return rc;
}

static void
add_events(struct mamori_store *s, int from, int n)
{
	struct mamori_error err = { 0 };

	for (int i = from; i < from + n; i++)
		assert_int_equal(mamori_store_write(s, "cli:tanaka", add_event, &i, &err), 0);
}

static int64_t
query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
setup(void **state)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char orig[128], path[256], logid[40];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	(void)state;
	umask(022);
	snprintf(dir, sizeof(dir), "/tmp/mamori-rewrite-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(orig, sizeof(orig), "%s/orig.db", dir);
	snprintf(pristine, sizeof(pristine), "%s/pristine.db", dir);
	snprintf(work, sizeof(work), "%s/work.db", dir);
	snprintf(heads_dir, sizeof(heads_dir), "%s/heads", dir);
	/* every head from the first is published, as MAMORI_HEADS_OUT does for a server */
	if (mkdir(heads_dir, 0700) != 0 || setenv("MAMORI_HEADS_OUT", heads_dir, 1) != 0 ||
	    mamori_store_create(orig, POLICY, "cli:admin", &d, &s, &err) != 0 ||
	    unsetenv("MAMORI_HEADS_OUT") != 0 ||
	    mamori_store_config_set(s, "cli:admin", "head.every_events", "4", &err) != 0)
		return -1;
	mamori_diags_clear(&d);
	add_events(s, 1, 22);
	snprintf(logid, sizeof(logid), "%s", mamori_store_log_id(s));
	mamori_store_close(&s);
	copy_file(orig, pristine);
	snprintf(path, sizeof(path), "%s.pub", orig);
	if (mamori_audit_read_pubkey(path, pk, &err) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s.heads", heads_dir, logid);
	if (mamori_heads_read_file(path, &published, &npublished, &err) != 0)
		return -1;
	if (sqlite3_open(pristine, &db) != SQLITE_OK)
		return -1;
	nevents = query_int(db, "SELECT max(seq) FROM audit_event");
	sqlite3_prepare_v2(db, "SELECT size, seq FROM tree_head ORDER BY size", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW && nheads < 64) {
		heads[nheads].size = sqlite3_column_int64(st, 0);
		heads[nheads++].seq = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	free(published);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh copy of the pristine store at work, opened raw as the intruder does. */
static sqlite3 *
intrude(void)
{
	char side[160];
	sqlite3 *db = NULL;

	snprintf(side, sizeof(side), "%s-wal", work);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", work);
	unlink(side);
	copy_file(pristine, work);
	assert_int_equal(sqlite3_open(work, &db), SQLITE_OK);
	return db;
}

static void
exec(sqlite3 *db, const char *fmt, ...)
{
	char sql[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
}

/* What the intruder can do without the key: every leaf and chain hash from seq on, again. */
static void
recompute_from(sqlite3 *db, int64_t from)
{
	sqlite3_stmt *sel = NULL, *upd = NULL, *prev = NULL;
	unsigned char chain[32] = { 0 }, leaf[32];

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT chain FROM audit_event WHERE seq = ?1", -1, &prev, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(prev, 1, from - 1);
	if (sqlite3_step(prev) == SQLITE_ROW)
		memcpy(chain, sqlite3_column_blob(prev, 0), 32);
	sqlite3_finalize(prev);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq, time, actor, action, object_type, object_id, body "
	    "FROM audit_event WHERE seq >= ?1 ORDER BY seq", -1, &sel, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit_event SET leaf = ?2, chain = ?3 WHERE seq = ?1", -1,
	    &upd, NULL), SQLITE_OK);
	sqlite3_bind_int64(sel, 1, from);
	exec(db, "BEGIN");
	while (sqlite3_step(sel) == SQLITE_ROW) {
		struct mamori_event ev = {
			sqlite3_column_int64(sel, 0), (const char *)sqlite3_column_text(sel, 1),
			(const char *)sqlite3_column_text(sel, 2), (const char *)sqlite3_column_text(sel, 3),
			(const char *)sqlite3_column_text(sel, 4), (const char *)sqlite3_column_text(sel, 5),
			(const char *)sqlite3_column_text(sel, 6),
		};
		mamori_event_leaf(&ev, leaf);
		mamori_event_chain(chain, leaf, chain);
		sqlite3_reset(upd);
		sqlite3_bind_int64(upd, 1, ev.seq);
		sqlite3_bind_blob(upd, 2, leaf, 32, SQLITE_TRANSIENT);
		sqlite3_bind_blob(upd, 3, chain, 32, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(upd), SQLITE_DONE);
	}
	exec(db, "COMMIT");
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
}

/* The newest pristine head below size (0 when none). */
static int64_t
head_below(int64_t size)
{
	int64_t best = 0;

	for (size_t i = 0; i < nheads; i++)
		if (heads[i].size < size)
			best = heads[i].size;
	return best;
}

/* The size of the newest pristine head: events after it are in no head yet. */
static int64_t
newest_head(void)
{
	return nheads ? heads[nheads - 1].size : 0;
}

struct tally {
	int cases, covered, with_heads, store_alone, store_expected;
};

/*
 * Verifies work with the published heads and without.  covered: the change
 * touches what a published head signed, so they must show it (a change only
 * to the events after the newest head is in no head, published or not);
 * store_expected: the store alone must show it (a gap in the numbers, a tail
 * past the schedule).
 */
static void
judge(struct tally *t, const char *what, bool covered, bool store_expected)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char summary[512];
	int with, alone;

	assert_int_equal(mamori_store_open_private(work, &s, &err), 0);
	with = mamori_audit_verify(s, pk, published, npublished, summary, sizeof(summary), &err);
	alone = mamori_audit_verify(s, pk, NULL, 0, summary, sizeof(summary), &err);
	mamori_store_close(&s);
	if (covered && with != MAMORI_E_TAMPERED)
		fail_msg("%s: not detected with the published heads (%d)", what, with);
	if (store_expected && alone != MAMORI_E_TAMPERED)
		fail_msg("%s: not detected by the store's own numbering and schedule (%s)", what, summary);
	t->cases++;
	t->covered += covered;
	t->with_heads += with == MAMORI_E_TAMPERED;
	t->store_alone += alone == MAMORI_E_TAMPERED;
	t->store_expected += store_expected;
}

static void
report(const char *what, const struct tally *t)
{
	printf("%s: %d cases, %d touching a published head: %d detected with the published heads; "
	    "%d detected by the store alone (%d where its numbering and schedule must show it)\n", what,
	    t->cases, t->covered, t->with_heads, t->store_alone, t->store_expected);
	assert_true(t->with_heads >= t->covered);
	assert_true(t->store_alone >= t->store_expected);
}

/* Nothing changed: intact with the published heads and without. */
static void
test_untouched(void **state)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char summary[512];

	(void)state;
	sqlite3_close(intrude());
	assert_true(npublished >= 5);
	assert_int_equal((int64_t)npublished, (int64_t)nheads);
	assert_int_equal(mamori_store_open_private(work, &s, &err), 0);
	assert_int_equal(mamori_audit_verify(s, pk, published, npublished, summary, sizeof(summary), &err), 0);
	assert_non_null(strstr(summary, "without a gap"));
	mamori_store_close(&s);
}

static void
test_rewrites(void **state)
{
	struct tally t = { 0 };
	char what[96];

	(void)state;
	/* an event changed, every hash after it recomputed, the heads over it deleted */
	for (int64_t k = 1; k <= nevents; k++) {
		sqlite3 *db = intrude();
		exec(db, "UPDATE audit_event SET actor = 'cli:intruder' WHERE seq = %lld", (long long)k);
		recompute_from(db, k);
		exec(db, "DELETE FROM tree_head WHERE size >= %lld", (long long)k);
		sqlite3_close(db);
		snprintf(what, sizeof(what), "event %lld changed, hashes recomputed", (long long)k);
		judge(&t, what, k <= newest_head(), nevents - head_below(k) >= EVERY);
	}
	/* one head deleted: a gap, or (the newest) a tail past the schedule */
	for (size_t i = 0; i < nheads; i++) {
		sqlite3 *db = intrude();
		exec(db, "DELETE FROM tree_head WHERE seq = %lld", (long long)heads[i].seq);
		sqlite3_close(db);
		snprintf(what, sizeof(what), "head #%lld deleted", (long long)heads[i].seq);
		judge(&t, what, true, i + 1 < nheads || nevents - head_below(heads[i].size) >= EVERY);
	}
	/* a head deleted and the later ones renumbered to close the gap */
	for (size_t i = 0; i + 1 < nheads; i++) {
		sqlite3 *db = intrude();
		exec(db, "DELETE FROM tree_head WHERE seq = %lld", (long long)heads[i].seq);
		exec(db, "UPDATE tree_head SET seq = seq - 1 WHERE seq > %lld", (long long)heads[i].seq);
		sqlite3_close(db);
		snprintf(what, sizeof(what), "head #%lld deleted, later heads renumbered", (long long)heads[i].seq);
		judge(&t, what, true, true);
	}
	/* the schedule forged: the event after a head made into a config.set that
	 * signs heads only every 10^9 events, everything after it recomputed and
	 * the heads after it deleted, so that the tail seems on schedule */
	for (size_t i = 0; i + 1 < nheads; i++) {
		int64_t at = heads[i].size + 1;
		sqlite3 *db = intrude();
		exec(db, "UPDATE audit_event SET action = 'config.set', object_type = 'config', "
		    "object_id = 'head.every_events', body = '{\"after\":{\"head.every_events\":\"1000000000\"},"
		    "\"before\":null}' WHERE seq = %lld", (long long)at);
		recompute_from(db, at);
		exec(db, "DELETE FROM tree_head WHERE size >= %lld", (long long)at);
		sqlite3_close(db);
		snprintf(what, sizeof(what), "schedule forged at event %lld", (long long)at);
		judge(&t, what, true, true);
	}
	/* the newest events deleted with the heads over them */
	for (int64_t m = 1; m < nevents; m++) {
		sqlite3 *db = intrude();
		exec(db, "DELETE FROM audit_event WHERE seq > %lld", (long long)(nevents - m));
		exec(db, "DELETE FROM tree_head WHERE size > %lld", (long long)(nevents - m));
		sqlite3_close(db);
		snprintf(what, sizeof(what), "newest %lld events deleted", (long long)m);
		judge(&t, what, nevents - m < newest_head(), false);
	}
	report("rewrites without the key", &t);
}

/* Truncated, then new events appended through mamori itself: a valid chain and
 * valid new heads (the server still holds the key), a different history. */
static void
test_truncate_and_append(void **state)
{
	struct tally t = { 0 };
	char key[160], orig_key[160], what[96];

	(void)state;
	snprintf(key, sizeof(key), "%s.key", work);
	snprintf(orig_key, sizeof(orig_key), "%s/orig.db.key", dir);
	unlink(key);
	copy_file(orig_key, key);
	for (int64_t k = 2; k < nevents; k++) {
		struct mamori_error err = { 0 };
		struct mamori_store *s = NULL;
		sqlite3 *db = intrude();

		exec(db, "DELETE FROM audit_event WHERE seq > %lld", (long long)k);
		exec(db, "DELETE FROM tree_head WHERE size > %lld", (long long)k);
		sqlite3_close(db);
		assert_int_equal(mamori_store_open_private(work, &s, &err), 0);
		add_events(s, 1000, (int)(nevents - k));
		mamori_store_close(&s);
		snprintf(what, sizeof(what), "truncated to %lld, %lld appended", (long long)k, (long long)(nevents - k));
		judge(&t, what, k < newest_head(), false);
	}
	report("truncated, then appended through mamori", &t);
	unlink(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untouched),
		cmocka_unit_test(test_rewrites),
		cmocka_unit_test(test_truncate_and_append),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
