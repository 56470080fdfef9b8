/*
 * audit_schedule.c — what `mamori log verify` checks beyond the hashes: the
 * traces a rewrite of history leaves when it is made without the signing key
 * (docs/audit.md, "A rewrite without the key").
 *
 * Whoever can write the store file but not read the key can change an event,
 * recompute every leaf and chain hash after it and the tree, but cannot sign:
 * every head over the changed part must go.  Heads are numbered inside what
 * they sign, so deleting one in the middle leaves a gap; the newest ones can
 * only go together with the events' schedule, which the trail itself records
 * (heads are signed every head.every_events events or head.every_seconds
 * seconds, set by config.set events), so a trail whose newest head is older
 * than the schedule allows is refused; and a numbered head published outside
 * the store must still be in it.
 */
#include "audit_internal.h"
#include "store_internal.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The defaults of maybe_sign_head (store.c); the trail's config.set events change them. */
enum { DEFAULT_EVERY_EVENTS = 1000, DEFAULT_EVERY_SECONDS = 3600 };

static int
tampered_at(struct mamori_error *err, uint64_t seq, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
tampered_at(struct mamori_error *err, uint64_t seq, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mamori_error_set(err, MAMORI_E_TAMPERED, "%llu: %s", (unsigned long long)seq, msg);
	if (err)
		err->line = seq < 2147483647 ? (int)seq : 0;
	return MAMORI_E_TAMPERED;
}

/* Whole seconds of an RFC 3339 UTC time as mamori writes it; false if it is not one. */
static bool
time_seconds(const char *t, time_t *out)
{
	struct tm tm = { 0 };
	const char *end;

	if (t == NULL || (end = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return false;
	*out = timegm(&tm);
	return true;
}

/* Numbered heads run 1, 2, 3 … in the order of their sizes, after any unnumbered (v1) ones. */
static int
check_numbers(struct mamori_store *s, uint64_t *numbered, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT size, seq FROM tree_head ORDER BY size", err);
	uint64_t expect = 1, prev_size = 0;
	int rc = 0, step;

	*numbered = 0;
	if (st == NULL)
		return MAMORI_E_STORE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t size = (uint64_t)sqlite3_column_int64(st, 0);
		bool has = sqlite3_column_type(st, 1) == SQLITE_INTEGER;
		uint64_t seq = has ? (uint64_t)sqlite3_column_int64(st, 1) : 0;

		if (!has && expect > 1)
			rc = tampered_at(err, size, "a head without a number after numbered ones (inserted)");
		else if (has && seq > expect)
			rc = tampered_at(err, prev_size + 1, "signed head #%llu is missing between the heads of "
			    "sizes %llu and %llu (heads deleted: the history after it may have been rewritten)",
			    (unsigned long long)expect, (unsigned long long)prev_size, (unsigned long long)size);
		else if (has && seq < expect)
			rc = tampered_at(err, size, "signed head #%llu comes after #%llu (heads reordered or the "
			    "store rolled back and signed again)", (unsigned long long)seq,
			    (unsigned long long)expect - 1);
		else if (has)
			expect++;
		prev_size = size;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(s, err, "cannot read the tree heads");
	sqlite3_finalize(st);
	*numbered = expect - 1;
	return rc;
}

/* Every numbered head given (published, mailed) is stored: same number, size and root. */
static int
check_given(struct mamori_store *s, const struct mamori_head *given, size_t n, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT size, root FROM tree_head WHERE seq = ?1", err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct mamori_head *h = &given[i];
		if (h->seq == 0)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)h->seq);
		if (sqlite3_step(st) != SQLITE_ROW)
			rc = tampered_at(err, h->size, "the store no longer holds signed head #%llu, which was "
			    "published (heads deleted)", (unsigned long long)h->seq);
		else if ((uint64_t)sqlite3_column_int64(st, 0) != h->size || sqlite3_column_bytes(st, 1) != 32 ||
		    memcmp(sqlite3_column_blob(st, 1), h->root, 32) != 0)
			rc = tampered_at(err, h->size, "the store's signed head #%llu is not the one published "
			    "(the store was rolled back and signed again)", (unsigned long long)h->seq);
	}
	sqlite3_finalize(st);
	return rc;
}

/* A change of head.every_events or head.every_seconds recorded in the trail. */
struct schedule_change {
	uint64_t seq;
	bool events;		/* head.every_events, else head.every_seconds */
	int64_t value;
	bool valid;		/* a number: otherwise the default applies, as in mamori_store_config_int */
};

struct schedule {
	struct schedule_change *c;
	size_t n;
};

static int
load_schedule(struct mamori_store *s, struct schedule *sc, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT seq, object_id, body FROM audit_event WHERE object_id IN "
	    "('head.every_events', 'head.every_seconds') AND object_type = 'config' AND action = 'config.set' "
	    "ORDER BY seq", err);
	int rc = 0;

	sc->c = NULL;
	sc->n = 0;
	if (st == NULL)
		return MAMORI_E_STORE;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 1);
		cJSON *body = cJSON_Parse((const char *)sqlite3_column_text(st, 2));
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "after"), key);
		struct schedule_change *nc = realloc(sc->c, (sc->n + 1) * sizeof(*nc));

		if (nc == NULL) {
			rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		} else {
			struct schedule_change *c = &nc[sc->n++];
			char *end = NULL;
			sc->c = nc;
			c->seq = (uint64_t)sqlite3_column_int64(st, 0);
			c->events = strcmp(key, "head.every_events") == 0;
			c->valid = cJSON_IsString(v) && v->valuestring[0] != '\0';
			c->value = c->valid ? strtoll(v->valuestring, &end, 10) : 0;
			c->valid = c->valid && *end == '\0';
		}
		cJSON_Delete(body);
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * The events after the newest head: each one's commit would have signed a
 * head had it been head.every_events events or head.every_seconds seconds
 * after that head (maybe_sign_head, store.c), under the schedule the trail
 * had set by then.  The first event past either bound is reported.
 */
static int
check_tail(struct mamori_store *s, const struct mamori_head *newest, bool have, struct mamori_error *err)
{
	struct schedule sc;
	sqlite3_stmt *st = NULL;
	int64_t every_events = DEFAULT_EVERY_EVENTS, every_seconds = DEFAULT_EVERY_SECONDS;
	uint64_t base = have ? newest->size : 0;
	time_t head_time = 0;
	size_t next = 0;
	int rc;

	if ((rc = load_schedule(s, &sc, err)) != 0)
		goto out;
	if (have && !time_seconds(newest->time, &head_time)) {
		rc = tampered_at(err, base, "the newest signed head's time '%.32s' is not a time", newest->time);
		goto out;
	}
	/* a change of the schedule is signed at once (mamori_store_config_set):
	 * one after the newest head was forged to excuse the heads missing since */
	for (size_t i = 0; i < sc.n; i++)
		if (have && sc.c[i].seq > base) {
			rc = tampered_at(err, sc.c[i].seq, "a change of the head schedule after the newest signed head "
			    "(#%llu, size %llu), though such a change is signed at once: heads deleted and the "
			    "history after them possibly rewritten (or the signing key was unreadable then)",
			    (unsigned long long)newest->seq, (unsigned long long)base);
			goto out;
		}
	st = store_prepare(s, "SELECT seq, time FROM audit_event WHERE seq > ?1 ORDER BY seq", err);
	if (st == NULL) {
		rc = MAMORI_E_STORE;
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)base);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		uint64_t seq = (uint64_t)sqlite3_column_int64(st, 0);
		time_t t;

		for (; next < sc.n && sc.c[next].seq <= seq; next++) {
			int64_t *to = sc.c[next].events ? &every_events : &every_seconds;
			*to = sc.c[next].valid ? sc.c[next].value :
			    sc.c[next].events ? DEFAULT_EVERY_EVENTS : DEFAULT_EVERY_SECONDS;
		}
		if (!have)
			rc = tampered_at(err, seq, "no signed head at all, though the first change signs one "
			    "(heads deleted)");
		else if ((int64_t)(seq - base) >= every_events)
			rc = tampered_at(err, seq, "%llu events after the newest signed head (#%llu, size %llu), though "
			    "one is signed every %lld events: heads deleted and the history after them possibly "
			    "rewritten (or the signing key was unreadable when the head was due)",
			    (unsigned long long)(seq - base), (unsigned long long)newest->seq,
			    (unsigned long long)base, (long long)every_events);
		else if (time_seconds((const char *)sqlite3_column_text(st, 1), &t) && t - head_time >= every_seconds)
			rc = tampered_at(err, seq, "this event is %lld s after the newest signed head (#%llu, size "
			    "%llu, %s), though one is signed every %lld s: heads deleted and the history after them "
			    "possibly rewritten (or the signing key was unreadable when the head was due)",
			    (long long)(t - head_time), (unsigned long long)newest->seq, (unsigned long long)base,
			    newest->time, (long long)every_seconds);
	}
out:
	sqlite3_finalize(st);
	free(sc.c);
	return rc;
}

int
audit_verify_schedule(struct mamori_store *s, const struct mamori_head *given, size_t ngiven, char *note,
    size_t nn, struct mamori_error *err)
{
	struct mamori_head newest;
	uint64_t numbered;
	bool have;
	int rc;

	if ((rc = check_numbers(s, &numbered, err)) != 0 || (rc = check_given(s, given, ngiven, err)) != 0)
		return rc;
	rc = mamori_audit_latest_head(s, &newest, err);
	if (rc != 0 && rc != MAMORI_E_NOTFOUND)
		return rc;
	have = rc == 0;
	if ((rc = check_tail(s, &newest, have, err)) != 0)
		return rc;
	if (numbered > 0)
		snprintf(note, nn, "; heads numbered 1 to %llu without a gap", (unsigned long long)numbered);
	return 0;
}
