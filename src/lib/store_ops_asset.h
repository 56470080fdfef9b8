/*
 * store_ops_asset.h — the register's storage behind the backend
 * (store_backend.h): what asset.c, asset_list.c, asset_import.c and
 * asset_export.c ask of the store, by name, never by SQL. (internal)
 *
 * The common rules of store_backend.h hold: 0 or a negative MAMORI_E_* code
 * with err filled (err may be NULL); an asset handed to a callback is lent
 * for that call only; a callback's non-zero return stops the walk and is
 * returned as is.  An asset is its fields in enum mamori_asset_field order
 * (the levels as their digits, "" or NULL for an empty field); its number is
 * the number of its id (A-000123: 123), which orders the register.
 *
 * A filter handed to an op names what the register stores: the policy's ids
 * of 課, 区分 and 種別, "active" or "disposed" (asset_list.c resolves what
 * a person wrote first; a name the policy does not know is passed as given
 * and matches nothing).  Its text is matched as a substring of name,
 * description or location, its levels as mamori_asset_filter_level set
 * them; its sort, after and limit are not read.  How a filter becomes a
 * query — and which index answers it — is the backend's.
 */
#ifndef MAMORI_STORE_OPS_ASSET_H
#define MAMORI_STORE_OPS_ASSET_H

#include "store_backend.h"
#include "mamori/asset.h"

/* A statement of inserts kept open for many rows (insert_open). */
struct store_asset_insert;

/* A look-up of asset numbers kept open for many numbers (taken_open). */
struct store_asset_taken;

/* A page to read (the op page): where it starts, in which order, how long. */
struct store_asset_query {
	const struct mamori_asset_filter *filter;	/* resolved, as above */
	/* MAMORI_AF_ID: by number; MAMORI_AF_NAME or MAMORI_AF_UPDATED: by that field, then by number */
	enum mamori_asset_field order;
	bool desc;			/* the order reversed */
	int64_t after;			/* start after this number; 0: from the first (either way) */
	const char *key;		/* order by a field: start after (key, after); NULL: from the first */
	int64_t limit;			/* the rows still wanted (0 or more); -1: every asset */
};

struct store_asset_ops {
	/* ---- single assets (asset.c) ---- */

	/*
	 * Asset id's fields, copied into out (mamori_asset_set).
	 * MAMORI_E_NOTFOUND (err not filled) when no asset has that id.
	 */
	int (*get)(struct mamori_store *s, const char *id, struct mamori_asset *out, struct mamori_error *err);

	/*
	 * The number of the asset of the largest number (0: none), which may
	 * be larger than the number of assets.
	 */
	int (*max_num)(struct mamori_store *s, int64_t *max, struct mamori_error *err);

	/* The number of assets in the register. */
	int (*total)(struct mamori_store *s, int64_t *n, struct mamori_error *err);

	/*
	 * Inserts of many rows inside tx through one open statement: open,
	 * insert each (f: the fields, checked and filled in; num: the number of
	 * f[MAMORI_AF_ID]; both lent for the call), close.  insert returns
	 * MAMORI_E_CONFLICT (err not filled) when the id or the number is
	 * taken.  close accepts NULL and clears the pointer.
	 */
	int (*insert_open)(struct mamori_store_tx *tx, struct store_asset_insert **out, struct mamori_error *err);
	int (*insert)(struct store_asset_insert *ins, const char *const f[MAMORI_AF_COUNT], int64_t num,
	    struct mamori_error *err);
	void (*insert_close)(struct store_asset_insert **ins);

	/*
	 * Inside tx, replaces every field of the asset f[MAMORI_AF_ID] with f
	 * (lent).  MAMORI_E_STORE unless exactly that asset changed.
	 */
	int (*update)(struct mamori_store_tx *tx, const char *const f[MAMORI_AF_COUNT], struct mamori_error *err);

	/* ---- the list (asset_list.c) ---- */

	/*
	 * The number of assets f matches.  A backend may keep the totals it
	 * counted inside a reader's snapshot (mamori_store_read_begin) and
	 * answer the same filter in a snapshot of the same data version from
	 * them: paging through one filter then counts it once.
	 */
	int (*count)(struct mamori_store *s, const struct mamori_asset_filter *f, int64_t *n,
	    struct mamori_error *err);

	/*
	 * The assets f matches, counted per 課 and level of axis (0 c, 1 i,
	 * 2 a; any other: level 0 for all): fn once per pair with assets, in
	 * no promised order; a department stored as NULL is handed as "".
	 */
	int (*count_by)(struct mamori_store *s, const struct mamori_asset_filter *f, int axis,
	    int (*fn)(const char *department, int level, int64_t n, void *ctx), void *ctx,
	    struct mamori_error *err);

	/*
	 * Where a page after asset id starts: its number, and its value of
	 * field as text into key (at most size bytes with the NUL; "" when the
	 * field is empty; field MAMORI_AF_ID: key is not written).
	 * MAMORI_E_NOTFOUND (err not filled) when no asset has that id.
	 */
	int (*start)(struct mamori_store *s, const char *id, enum mamori_asset_field field, int64_t *num,
	    char *key, size_t size, struct mamori_error *err);

	/*
	 * The assets q->filter matches after q's start, in q's order, to fn:
	 * with a limit at most limit + 1 of them (the one more tells the
	 * caller that more follow), with limit -1 all.  The fields are lent to
	 * fn until it returns; fn must not ask the store for other assets.
	 */
	int (*page)(struct mamori_store *s, const struct store_asset_query *q,
	    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_error *err);

	/*
	 * Whether s's connection is inside a transaction (a reader's
	 * snapshot, a write): mamori_asset_page reads its total and its page
	 * in one, its own unless the caller's.
	 */
	bool (*in_transaction)(struct mamori_store *s);

	/* ---- the import (asset_import.c) ---- */

	/*
	 * Numbers already taken by an asset, for many numbers: open, then
	 * taken (*taken: some asset has number num) for each, then close
	 * (accepts NULL and clears the pointer).
	 */
	int (*taken_open)(struct mamori_store *s, struct store_asset_taken **out, struct mamori_error *err);
	int (*taken)(struct store_asset_taken *t, int64_t num, bool *taken, struct mamori_error *err);
	void (*taken_close)(struct store_asset_taken **t);

	/*
	 * Calls fn(ctx) — one large write transaction of rows appended in
	 * number order — with the store set up for it, and sets the store back
	 * after; returns fn's return.
	 */
	int (*bulk_session)(struct mamori_store *s, int (*fn)(void *ctx), void *ctx);

	/*
	 * Inside tx, before and after inserting more rows than the register
	 * holds: the backend may stop keeping what it keeps per row (indexes)
	 * at bulk_begin and build it again from all the rows at bulk_end, in
	 * the same transaction.  After bulk_end the register answers every op
	 * as before.
	 */
	int (*bulk_begin)(struct mamori_store_tx *tx, struct mamori_error *err);
	int (*bulk_end)(struct mamori_store_tx *tx, struct mamori_error *err);
};

/* SQLite's (store_sqlite_asset.c). */
extern const struct store_asset_ops store_sqlite_asset_ops;

#endif
