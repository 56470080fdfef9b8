/*
 * store_ops_check.h — what the 自己点検, the audits, the risk register and the
 * 見直し (selfcheck.c, review.c, risk.c) ask of the store's backend
 * (store_backend.h, "Backends" in docs/store.md). (internal)
 *
 * The answers of a campaign per 課 and item are theirs; the records, the
 * notices, the register, the files and the policies they read are other
 * domains' tables, asked here in the terms these modules need.  The common
 * rules of store_backend.h hold: 0 or a negative MAMORI_E_* code with err
 * filled (err may be NULL); strings handed to a callback are lent for that
 * call only; a callback's non-zero stops the walk and is returned as is.
 */
#ifndef MAMORI_STORE_OPS_CHECK_H
#define MAMORI_STORE_OPS_CHECK_H

#include "store_backend.h"

/* The stored times (record.updated, policy.loaded_at) fit in this, NUL included. */
enum { STORE_CHECK_TIME_MAX = 40 };

/*
 * One answer of a campaign: of record, for the 課 department, to item.
 * comment and evidence (the evidence's JSON text) are NULL when none is
 * stored; at is the time of the answer (RFC 3339, UTC).
 */
struct store_check_answer {
	const char *record, *department, *item;
	const char *answer;		/* conform, partial, nonconform or na */
	const char *comment, *evidence;
	const char *by, *at;
};

/* What an item's pre-filled evidence looks for among a 課's assets (register_gaps). */
enum store_check_gap {
	STORE_CHECK_NO_LOCATION,	/* active assets without a storage location */
	STORE_CHECK_NO_DISPOSAL,	/* disposed assets without a disposal method */
};

struct store_check_ops {
	/* ---- answers (check_answer) ---- */

	/*
	 * The answer of record, department, item to fn (its record, department
	 * and item those asked for).  MAMORI_E_NOTFOUND when none is stored (fn
	 * not called).
	 */
	int (*answer)(struct mamori_store *s, const char *record, const char *department, const char *item,
	    int (*fn)(const struct store_check_answer *a, void *ctx), void *ctx, struct mamori_error *err);

	/* Stores a, replacing the answer of the same record, department and item. */
	int (*answer_put)(struct mamori_store *s, const struct store_check_answer *a, struct mamori_error *err);

	/* Every item and answer of record for department, in order of item (bytewise). */
	int (*answers_of)(struct mamori_store *s, const char *record, const char *department,
	    int (*fn)(const char *item, const char *answer, void *ctx), void *ctx, struct mamori_error *err);

	/* ---- evidence: what an answer may point at ---- */

	/* *found: record has a file numbered num. */
	int (*file_exists)(struct mamori_store *s, const char *record, int64_t num, bool *found,
	    struct mamori_error *err);

	/* *found: the register holds an asset id. */
	int (*asset_exists)(struct mamori_store *s, const char *id, bool *found, struct mamori_error *err);

	/* *found: the trail holds event seq. */
	int (*event_exists)(struct mamori_store *s, int64_t seq, bool *found, struct mamori_error *err);

	/*
	 * For an item's pre-filled evidence: *total, the 課 department's assets
	 * rated level on axis (confidentiality, integrity or availability) that
	 * are active (gap STORE_CHECK_NO_LOCATION) or disposed (NO_DISPOSAL);
	 * and the ids of those among them with the gap, the first max in order
	 * of id, to fn.  MAMORI_E_INVALID for an axis the register does not rate.
	 */
	int (*register_gaps)(struct mamori_store *s, const char *department, const char *axis, int level,
	    enum store_check_gap gap, size_t max, int64_t *total, int (*fn)(const char *id, void *ctx), void *ctx,
	    struct mamori_error *err);

	/* ---- records, notices, files and policies they read ---- */

	/*
	 * The ids of the records of kind whose state is one of the nstates
	 * states (nstates 0: any state), in order of their number, read before
	 * fn is first called: fn may read and write the store (a reminder writes
	 * notices and events).
	 */
	int (*records)(struct mamori_store *s, const char *kind, const char *const *states, size_t nstates,
	    int (*fn)(const char *id, void *ctx), void *ctx, struct mamori_error *err);

	/*
	 * The latest change time of the records of kind whose state is one of
	 * the nstates states (nstates >= 1), into out; "" when there is none.
	 */
	int (*records_updated)(struct mamori_store *s, const char *kind, const char *const *states, size_t nstates,
	    char out[STORE_CHECK_TIME_MAX], struct mamori_error *err);

	/* When the store's newest policy was loaded, into out; "" when it has none. */
	int (*policy_loaded)(struct mamori_store *s, char out[STORE_CHECK_TIME_MAX], struct mamori_error *err);

	/* *found and the SHA-256 (lowercase hex) of record's file numbered num. */
	int (*file_sha256)(struct mamori_store *s, const char *record, int64_t num, char hex[65], bool *found,
	    struct mamori_error *err);
};

/* SQLite's (store_sqlite_check.c). */
extern const struct store_check_ops store_sqlite_check_ops;

#endif
