/*
 * store_ops_record.h — what the records engine (record.c, record_list.c,
 * record_decide.c, record_policy.c, record_register.c) asks of the store's
 * backend: records read, made and moved, the notices a step leaves, a page
 * of the list, the records of a kind the decision point keeps, and what a
 * new policy must still declare. (internal)
 *
 * The common rules of store_backend.h hold: 0 or a negative MAMORI_E_* code
 * with err filled (err may be NULL); rows and strings handed to a callback
 * are lent for that call only; a callback's non-zero return stops the walk
 * and is returned as is.  A record's fields travel as the JSON text the
 * module wrote; the backend stores and returns it unread.
 */
#ifndef MAMORI_STORE_OPS_RECORD_H
#define MAMORI_STORE_OPS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "record_internal.h"
#include "store_backend.h"

/*
 * One record as stored.  num is the record's place in the list (the order
 * records were made in, over every kind): the list's key.  department and
 * approver are NULL when the record has none.
 */
struct store_record_row {
	const char *id, *kind, *state, *reporter, *department;
	const char *fields;			/* JSON text */
	int64_t seq;				/* its number within its kind */
	int64_t num;
	int64_t state_since;			/* seconds since 1970 */
	int64_t escalations;
	const char *last_by, *approver, *created, *updated;
};

/* What the decision point keeps of a record (record_decide.c, record_register.c). */
struct store_record_brief {
	const char *id, *state, *reporter;
	const char *fields;			/* JSON text */
};

/* A new record (record.c); every string lent for the call. */
struct store_record_new {
	const char *id, *kind;
	int64_t seq;				/* from next_seq, in the same transaction */
	const char *state, *reporter;
	const char *department;			/* NULL: none */
	const char *fields;			/* JSON text */
	int64_t state_since;
	const char *last_by;
	const char *now;			/* created and updated, RFC 3339 */
};

/* A step of record id (record.c): its new state and fields; escalations start again at 0. */
struct store_record_change {
	const char *id, *state;
	const char *fields;			/* JSON text */
	int64_t state_since;
	const char *last_by;
	const char *approver;			/* NULL: keep the one stored */
	const char *now;			/* updated */
};

/*
 * A page of the list (record_list.c has checked the names against the
 * policy).  The rows are those of kind (NULL: of every kind), in state (or,
 * with open, in a state of their kind that is not final; a kind the policy
 * no longer declares counts as open only when every record is asked for),
 * reported by reporter, with num below before, that the asker may see: with
 * asker NULL every record; else those it reported or approved, and those of
 * its department where vis says so, or all where vis says so (vis[0] for the
 * named kind; vis[i] for policy->records[i] when kind is NULL).
 */
struct store_record_query {
	const struct mamori_policy *policy;
	const struct mamori_record_kind *kind;	/* NULL: every kind of policy */
	const struct mamori_record_state *state; /* a state of kind, or NULL */
	bool open;				/* only states that are not final (state NULL) */
	const char *reporter;			/* NULL: anyone's */
	int64_t before;				/* only num < before; 0: no bound */
	size_t limit;				/* rows at most */
	const char *asker, *asker_department;	/* asker NULL: every record */
	const enum record_vis *vis;
};

struct store_record_ops {
	/* Record id to fn; MAMORI_E_NOTFOUND when there is none (fn not called). */
	int (*get)(struct mamori_store *s, const char *id,
	    int (*fn)(const struct store_record_row *row, void *ctx), void *ctx, struct mamori_error *err);

	/* ---- the write path, inside tx ---- */

	/* The number the next record of kind gets: one more than its largest (1 for the first). */
	int (*next_seq)(struct mamori_store_tx *tx, const char *kind, int64_t *seq, struct mamori_error *err);

	/* Stores record r (no escalations, no approver yet). */
	int (*insert)(struct mamori_store_tx *tx, const struct store_record_new *r, struct mamori_error *err);

	/* Stores the step c of record c->id. */
	int (*update)(struct mamori_store_tx *tx, const struct store_record_change *c, struct mamori_error *err);

	/* ---- reading ---- */

	/* The records q asks for, newest (largest num) first, at most q->limit. */
	int (*list)(struct mamori_store *s, const struct store_record_query *q,
	    int (*fn)(const struct store_record_row *row, void *ctx), void *ctx, struct mamori_error *err);

	/*
	 * How the backend reads list q, as text, one step a line, into plan (n
	 * bytes, cut when longer): for the test that a page of the list reads an
	 * index range, whatever the size of the store (test_record).
	 */
	int (*list_plan)(struct mamori_store *s, const struct store_record_query *q, char *plan, size_t n,
	    struct mamori_error *err);

	/*
	 * The records of kind, in state (NULL: in any), in num order.  With a
	 * state, only that state's records are read (the decision point asks for
	 * the exceptions in force among years of expired ones).
	 */
	int (*of_kind)(struct mamori_store *s, const char *kind, const char *state,
	    int (*fn)(const struct store_record_brief *r, void *ctx), void *ctx, struct mamori_error *err);

	/*
	 * The kinds and states records are in, ordered by kind then state, each
	 * with how many records and the smallest id among them (record_policy.c).
	 */
	int (*groups)(struct mamori_store *s,
	    int (*fn)(const char *kind, const char *state, int64_t n, const char *first, void *ctx), void *ctx,
	    struct mamori_error *err);
};

/* SQLite's (store_sqlite_record.c). */
extern const struct store_record_ops store_sqlite_record_ops;

#endif
