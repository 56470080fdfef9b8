/*
 * store_ops_tick.h — what the scheduled work asks of the store's backend
 * (store_backend.h): record_tick.c (deadlines, automatic steps, accounts that
 * must stay enabled, the outbox of notices read back) and training.c
 * (courses, attendance, reminders).  (internal)
 *
 * Common rules as in store_backend.h: 0 or a negative MAMORI_E_* code with
 * err filled (err may be NULL); strings handed to a callback are lent for
 * that call only; a callback's non-zero return stops the walk and is
 * returned as is.  A callback may read the store (record_read) but not
 * write it: the modules gather what they will change, then change it.
 */
#ifndef MAMORI_STORE_OPS_TICK_H
#define MAMORI_STORE_OPS_TICK_H

#include <stdbool.h>
#include <stdint.h>

#include "store_backend.h"

/* One notice of the outbox as mamori_record_notices shows it; NULL: not stored. */
struct store_notice_row {
	int64_t num;			/* the notice's number, ever growing */
	const char *record, *recipient, *reason, *created;
	const char *sent, *error;	/* when sent (NULL: not yet), the last error */
	int attempts;			/* by mail: attempts made */
	int64_t next_attempt;		/* by mail: when the next is due (Unix time, 0: none) */
	const char *kind, *state;	/* the record's now (NULL: the record is gone) */
};

struct store_tick_ops {
	/* ---- records ---- */

	/* The ids of the records of kind in state, in order of their number. */
	int (*in_state)(struct mamori_store *s, const char *kind, const char *state,
	    int (*fn)(const char *id, void *ctx), void *ctx, struct mamori_error *err);

	/* The id and state of every record of kind, in order of their number. */
	int (*of_kind)(struct mamori_store *s, const char *kind,
	    int (*fn)(const char *id, const char *state, void *ctx), void *ctx, struct mamori_error *err);

	/*
	 * The state and fields (JSON text, as stored) of every record of kind,
	 * in no particular order: training.c reads the attendance so.
	 */
	int (*fields_of_kind)(struct mamori_store *s, const char *kind,
	    int (*fn)(const char *state, const char *fields, void *ctx), void *ctx, struct mamori_error *err);

	/* Sets the number of escalations made of record id (inside tx); no such record: nothing changes. */
	int (*set_escalations)(struct mamori_store_tx *tx, const char *id, int64_t n, struct mamori_error *err);

	/*
	 * The bodies (JSON text) of the trail's events of action about object id,
	 * in no particular order: whether an account's being disabled was told.
	 */
	int (*event_bodies)(struct mamori_store *s, const char *object_id, const char *action,
	    int (*fn)(const char *body, void *ctx), void *ctx, struct mamori_error *err);

	/* ---- the outbox of notices ---- */

	/*
	 * The newest limit notices (all recipients', or account's when not
	 * NULL), newest first, each with its record's kind and state now.
	 */
	int (*notices)(struct mamori_store *s, const char *account, int64_t limit,
	    int (*fn)(const struct store_notice_row *n, void *ctx), void *ctx, struct mamori_error *err);
};

extern const struct store_tick_ops store_sqlite_tick_ops;

#endif
