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
#include "store_backend.h"
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

/* The walk of check_numbers: the number expected next, the size of the head before. */
struct numbering {
	uint64_t expect, prev_size;
	struct mamori_error *err;
};

static int
check_number(uint64_t size, bool has, int64_t stored, void *ctx)
{
	struct numbering *nb = ctx;
	uint64_t seq = has ? (uint64_t)stored : 0;
	int rc = 0;

	if (!has && nb->expect > 1)
		rc = tampered_at(nb->err, size, "a head without a number after numbered ones (inserted)");
	else if (has && seq > nb->expect)
		rc = tampered_at(nb->err, nb->prev_size + 1, "signed head #%llu is missing between the heads of "
		    "sizes %llu and %llu (heads deleted: the history after it may have been rewritten)",
		    (unsigned long long)nb->expect, (unsigned long long)nb->prev_size, (unsigned long long)size);
	else if (has && seq < nb->expect)
		rc = tampered_at(nb->err, size, "signed head #%llu comes after #%llu (heads reordered or the "
		    "store rolled back and signed again)", (unsigned long long)seq,
		    (unsigned long long)nb->expect - 1);
	else if (has)
		nb->expect++;
	nb->prev_size = size;
	return rc;
}

/* Numbered heads run 1, 2, 3 … in the order of their sizes, after any unnumbered (v1) ones. */
static int
check_numbers(struct mamori_store *s, uint64_t *numbered, struct mamori_error *err)
{
	struct numbering nb = { 1, 0, err };
	int rc = s->backend->audit->head_numbers(s, check_number, &nb, err);

	*numbered = nb.expect - 1;
	return rc;
}

/* Every numbered head given (published, mailed) is stored: same number, size and root. */
static int
check_given(struct mamori_store *s, const struct mamori_head *given, size_t n, struct mamori_error *err)
{
	unsigned char root[MAMORI_HASH_LEN];
	uint64_t size;
	bool found, root_ok;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct mamori_head *h = &given[i];
		if (h->seq == 0)
			continue;
		if ((rc = s->backend->audit->head_numbered(s, h->seq, &found, &size, root, &root_ok, err)) != 0)
			break;
		if (!found)
			rc = tampered_at(err, h->size, "the store no longer holds signed head #%llu, which was "
			    "published (heads deleted)", (unsigned long long)h->seq);
		else if (size != h->size || !root_ok || memcmp(root, h->root, 32) != 0)
			rc = tampered_at(err, h->size, "the store's signed head #%llu is not the one published "
			    "(the store was rolled back and signed again)", (unsigned long long)h->seq);
	}
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
	struct mamori_error *err;
};

/* One config.set of the schedule onto sc. */
static int
add_change(uint64_t seq, const char *key, const char *text, void *ctx)
{
	struct schedule *sc = ctx;
	cJSON *body = cJSON_Parse(text);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "after"), key);
	struct schedule_change *nc = realloc(sc->c, (sc->n + 1) * sizeof(*nc));
	int rc = 0;

	if (nc == NULL) {
		rc = mamori_error_set(sc->err, MAMORI_E_NOMEM, "out of memory");
	} else {
		struct schedule_change *c = &nc[sc->n++];
		char *end = NULL;
		sc->c = nc;
		c->seq = seq;
		c->events = strcmp(key, "head.every_events") == 0;
		c->valid = cJSON_IsString(v) && v->valuestring[0] != '\0';
		c->value = c->valid ? strtoll(v->valuestring, &end, 10) : 0;
		c->valid = c->valid && *end == '\0';
	}
	cJSON_Delete(body);
	return rc;
}

static int
load_schedule(struct mamori_store *s, struct schedule *sc, struct mamori_error *err)
{
	sc->c = NULL;
	sc->n = 0;
	sc->err = err;
	return s->backend->audit->schedule_changes(s, add_change, sc, err);
}

/* The walk of check_tail over the events after the newest head. */
struct tail {
	const struct mamori_head *newest;
	bool have;
	uint64_t base;
	time_t head_time;
	const struct schedule *sc;
	size_t next;		/* the first change not yet in force */
	int64_t every_events, every_seconds;
	struct mamori_error *err;
};

static int
check_event(uint64_t seq, const char *time, void *ctx)
{
	struct tail *t = ctx;
	const struct schedule *sc = t->sc;
	time_t at;

	for (; t->next < sc->n && sc->c[t->next].seq <= seq; t->next++) {
		int64_t *to = sc->c[t->next].events ? &t->every_events : &t->every_seconds;
		*to = sc->c[t->next].valid ? sc->c[t->next].value :
		    sc->c[t->next].events ? DEFAULT_EVERY_EVENTS : DEFAULT_EVERY_SECONDS;
	}
	if (!t->have)
		return tampered_at(t->err, seq, "no signed head at all, though the first change signs one "
		    "(heads deleted)");
	if ((int64_t)(seq - t->base) >= t->every_events)
		return tampered_at(t->err, seq, "%llu events after the newest signed head (#%llu, size %llu), though "
		    "one is signed every %lld events: heads deleted and the history after them possibly "
		    "rewritten (or the signing key was unreadable when the head was due)",
		    (unsigned long long)(seq - t->base), (unsigned long long)t->newest->seq,
		    (unsigned long long)t->base, (long long)t->every_events);
	if (time_seconds(time, &at) && at - t->head_time >= t->every_seconds)
		return tampered_at(t->err, seq, "this event is %lld s after the newest signed head (#%llu, size "
		    "%llu, %s), though one is signed every %lld s: heads deleted and the history after them "
		    "possibly rewritten (or the signing key was unreadable when the head was due)",
		    (long long)(at - t->head_time), (unsigned long long)t->newest->seq, (unsigned long long)t->base,
		    t->newest->time, (long long)t->every_seconds);
	return 0;
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
	struct tail t = { newest, have, have ? newest->size : 0, 0, &sc, 0, DEFAULT_EVERY_EVENTS,
		DEFAULT_EVERY_SECONDS, err };
	int rc;

	if ((rc = load_schedule(s, &sc, err)) != 0)
		goto out;
	if (have && !time_seconds(newest->time, &t.head_time)) {
		rc = tampered_at(err, t.base, "the newest signed head's time '%.32s' is not a time", newest->time);
		goto out;
	}
	/* a change of the schedule is signed at once (mamori_store_config_set):
	 * one after the newest head was forged to excuse the heads missing since */
	for (size_t i = 0; i < sc.n; i++)
		if (have && sc.c[i].seq > t.base) {
			rc = tampered_at(err, sc.c[i].seq, "a change of the head schedule after the newest signed head "
			    "(#%llu, size %llu), though such a change is signed at once: heads deleted and the "
			    "history after them possibly rewritten (or the signing key was unreadable then)",
			    (unsigned long long)newest->seq, (unsigned long long)t.base);
			goto out;
		}
	rc = s->backend->audit->times(s, t.base, check_event, &t, err);
out:
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
