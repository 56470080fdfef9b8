/* ratelimit.c — token buckets per account (see ratelimit.h). */
#include "ratelimit.h"

#include <stdio.h>
#include <string.h>

void
rate_init(struct rate_table *t, double rate, double burst)
{
	memset(t->b, 0, sizeof(t->b));
	t->rate = rate;
	t->burst = burst < 1 ? 1 : burst;
	pthread_mutex_init(&t->lock, NULL);
}

static void
refill(struct rate_table *t, struct rate_bucket *b, double now)
{
	if (now > b->last) {
		b->tokens += (now - b->last) * t->rate;
		if (b->tokens > t->burst)
			b->tokens = t->burst;
		b->last = now;
	}
}

/* key's bucket, or a new full one in a free slot or in place of the fullest. */
static struct rate_bucket *
bucket(struct rate_table *t, const char *key, double now)
{
	struct rate_bucket *fullest = NULL;
	double most = -1;

	for (size_t i = 0; i < RATE_KEYS; i++) {
		struct rate_bucket *b = &t->b[i];
		double level;
		if (b->key[0] == '\0') {
			if (most < t->burst * 2) {	/* a free slot beats any bucket */
				fullest = b;
				most = t->burst * 2;
			}
			continue;
		}
		if (strcmp(b->key, key) == 0)
			return b;
		level = b->tokens + (now - b->last) * t->rate;
		if (level > most) {
			fullest = b;
			most = level;
		}
	}
	snprintf(fullest->key, sizeof(fullest->key), "%s", key);
	fullest->tokens = t->burst;
	fullest->last = now;
	fullest->refusing = false;
	return fullest;
}

unsigned
rate_take(struct rate_table *t, const char *key, double cost, double now, bool *first_refusal)
{
	struct rate_bucket *b;
	unsigned wait = 0;

	if (first_refusal != NULL)
		*first_refusal = false;
	if (t->rate <= 0)
		return 0;
	pthread_mutex_lock(&t->lock);
	b = bucket(t, key, now);
	refill(t, b, now);
	/* a request dearer than a whole bucket passes when the bucket is full, and empties it */
	if (b->tokens >= cost || b->tokens >= t->burst) {
		b->tokens -= cost;
		b->refusing = false;
	} else {
		double s = (cost < t->burst ? cost - b->tokens : t->burst - b->tokens) / t->rate;
		wait = (unsigned)s + ((double)(unsigned)s < s);	/* rounded up */
		if (wait < 1)
			wait = 1;
		if (first_refusal != NULL)
			*first_refusal = !b->refusing;
		b->refusing = true;
	}
	pthread_mutex_unlock(&t->lock);
	return wait;
}
