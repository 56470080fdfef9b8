/*
 * store_ops_mail.h — what mail (mail.c, mail_outbox.c) asks of the store's
 * backend (store_backend.h, "Backends" in docs/store.md): the outbox of
 * notices it sends (its settings are the store's config, meta's), which the
 * workflows fill (notice_put, notice_exists). (internal)
 *
 * The common rules of store_backend.h hold: 0 or a negative MAMORI_E_* code
 * with err filled (err may be NULL); strings handed to a callback are lent
 * for that call only; a callback's non-zero is returned as is.
 */
#ifndef MAMORI_STORE_OPS_MAIL_H
#define MAMORI_STORE_OPS_MAIL_H

#include <time.h>

#include "store_backend.h"

/* A notice of the outbox as the sender reads it. */
struct store_mail_notice {
	int64_t num;			/* its number, for put_off and sent */
	const char *record, *recipient, *reason;
	const char *created;		/* RFC 3339, UTC */
	int attempts;			/* the attempts to send it so far */
};

struct store_mail_ops {
	/*
	 * The unsent notice due first at now (its next attempt at or before now;
	 * the earliest next attempt, then the lowest number) to fn; fn is not
	 * called when none is due.
	 */
	int (*due)(struct mamori_store *s, time_t now, int (*fn)(const struct store_mail_notice *n, void *ctx),
	    void *ctx, struct mamori_error *err);

	/*
	 * Puts notice num off until next (seconds since the epoch) with error
	 * kept as why; its attempts counted one more when attempt is true.
	 */
	int (*put_off)(struct mamori_store *s, int64_t num, time_t next, const char *error, bool attempt,
	    struct mamori_error *err);

	/* Marks notice num sent at when (RFC 3339, UTC): one attempt more, its error cleared. */
	int (*sent)(struct mamori_store *s, int64_t num, const char *when, struct mamori_error *err);

	/* ---- notices put by the workflows (record.c, record_tick.c, training.c, selfcheck.c) ---- */

	/* Puts an unsent notice of record for reason to recipient, made at created (RFC 3339, UTC). */
	int (*notice_put)(struct mamori_store_tx *tx, const char *record, const char *recipient, const char *reason,
	    const char *created, struct mamori_error *err);

	/*
	 * *yes: whether record has a notice for reason to recipient (NULL: to
	 * anyone) made after since (NULL: ever), sent or not.
	 */
	int (*notice_exists)(struct mamori_store *s, const char *record, const char *recipient, const char *reason,
	    const char *since, bool *yes, struct mamori_error *err);
};

/* SQLite's (store_sqlite_mail.c). */
extern const struct store_mail_ops store_sqlite_mail_ops;

#endif
