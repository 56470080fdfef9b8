/*
 * ratelimit.h — a token bucket per account (server-internal).  Each account
 * (or, without accounts, each client address) may spend `rate` units a second
 * with bursts up to `burst`; a request costs one unit, a batch of decisions
 * one per line.  A request that finds the bucket short is answered 429 with
 * Retry-After.  The table holds RATE_KEYS buckets; when it is full, the bucket
 * that has refilled the most gives way (a full bucket is the same as none).
 */
#ifndef MAMORI_SERVER_RATELIMIT_H
#define MAMORI_SERVER_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>

enum { RATE_KEYS = 1024 };

struct rate_bucket {
	char key[72];		/* "user:NAME" or "addr:ADDRESS"; "" = free */
	double tokens;
	double last;		/* monotonic seconds of the last refill */
	bool refusing;		/* the last request was refused (one audit event per episode) */
};

struct rate_table {
	pthread_mutex_t lock;
	double rate, burst;	/* units per second, bucket size; rate 0: no limit */
	struct rate_bucket b[RATE_KEYS];
};

/* Sets the table up: rate units a second (0: no limit), bursts up to burst. */
void rate_init(struct rate_table *t, double rate, double burst);

/*
 * Takes cost units from key's bucket at monotonic time now.  Returns 0 when
 * they were there, else the seconds to wait before they will be (at least 1),
 * taking nothing.  *first_refusal (may be NULL) tells whether this refusal
 * starts a run of refusals (the one to audit-log).
 */
unsigned rate_take(struct rate_table *t, const char *key, double cost, double now, bool *first_refusal);

#endif
