/*
 * mamori/asset.h — the information asset register (情報資産管理台帳): assets
 * classified by 機密性 / 完全性 / 可用性 under the store's policy, their 取扱制限,
 * their disposal, and CSV / XLSX in and out the way offices work.
 */
#ifndef MAMORI_ASSET_H
#define MAMORI_ASSET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mamori/diag.h"
#include "mamori/error.h"
#include "mamori/policy.h"
#include "mamori/store.h"

/* The fields of an asset, in the register's column order. */
enum mamori_asset_field {
	MAMORI_AF_ID,
	MAMORI_AF_NAME,
	MAMORI_AF_KIND,
	MAMORI_AF_DESCRIPTION,
	MAMORI_AF_DEPARTMENT,
	MAMORI_AF_ROLE,
	MAMORI_AF_SEGMENT,
	MAMORI_AF_LOCATION,
	MAMORI_AF_CONFIDENTIALITY,
	MAMORI_AF_INTEGRITY,
	MAMORI_AF_AVAILABILITY,
	MAMORI_AF_RETENTION,
	MAMORI_AF_STATUS,
	MAMORI_AF_CREATED,
	MAMORI_AF_UPDATED,
	MAMORI_AF_DISPOSED_DATE,
	MAMORI_AF_DISPOSED_METHOD,
	MAMORI_AF_DISPOSED_BY,
	MAMORI_AF_DISPOSED_WITNESS,
	MAMORI_AF_COUNT
};

/* A field's id (English header), its Japanese header, and whether import requires it. */
struct mamori_asset_column {
	const char *id;
	const char *ja;
	bool required;
	bool importable;
};
extern const struct mamori_asset_column mamori_asset_columns[MAMORI_AF_COUNT];

/* The longest value each field may hold, in characters (mamori_asset_check
 * refuses longer ones: a register row is not a file store). */
extern const unsigned mamori_asset_field_max[MAMORI_AF_COUNT];

/* The column whose id or Japanese header is name (case- and space-insensitive), or -1. */
int mamori_asset_column_find(const char *name);

/*
 * An asset: every field as a string (levels as "1", "2" …); NULL = empty.
 * The struct owns its strings: release with mamori_asset_clear.
 */
struct mamori_asset {
	char *f[MAMORI_AF_COUNT];
};

void mamori_asset_clear(struct mamori_asset *a);

/* Sets field k to a copy of value (NULL clears it).  Returns 0 or MAMORI_E_NOMEM. */
int mamori_asset_set(struct mamori_asset *a, enum mamori_asset_field k, const char *value);

/*
 * Checks an asset against the policy and normalises it in place: Japanese titles
 * become ids (「総務課」→ soumu, 「LGWAN接続系」→ lgwan), levels must lie within
 * each axis.  Every problem is added to diags as `FILE: row N, column X: …`
 * (file and row 0 for a single asset: just `column X: …`).  Returns the number
 * of errors found.
 */
size_t mamori_asset_check(const struct mamori_policy *p, struct mamori_asset *a, const char *file,
    int row, struct mamori_diags *diags);

/* Adds a checked asset; assigns the next id (A-000001 …) when id is empty. */
int mamori_asset_add(struct mamori_store *s, const char *actor, struct mamori_asset *a,
    struct mamori_diags *diags, struct mamori_error *err);

/* Changes the given fields (non-NULL in changes) of asset id. */
int mamori_asset_edit(struct mamori_store *s, const char *actor, const char *id,
    const struct mamori_asset *changes, struct mamori_diags *diags, struct mamori_error *err);

/*
 * What a person reads for the stored value v of field k: the policy's
 * Japanese title of a kind, 課, role or segment (税務課, not zeimu), 使用中 /
 * 廃棄済 for the status, the Japanese name of a disposal method; any other
 * field, or a value the policy does not know, as it is.  Times are the
 * caller's to show in the organisation's zone (mamori/tz.h).  Never NULL
 * (an empty string for NULL).
 */
const char *mamori_asset_display(const struct mamori_policy *p, enum mamori_asset_field k, const char *v);

/* Reads asset id into *out (which the caller clears). */
int mamori_asset_get(struct mamori_store *s, const char *id, struct mamori_asset *out,
    struct mamori_error *err);

/*
 * Filters for listing; NULL / 0 = any.  Levels: op is one of = < <= > >=.
 * sort orders the list; after and limit cut one page out of it (keyset
 * paging: the next page starts after the last asset of this one — its sort
 * key and id, never a position — so pages stay right while assets are added).
 */
struct mamori_asset_filter {
	const char *department, *segment, *kind, *status, *text;
	bool without_owner;	/* only assets no role answers for (管理責任者 empty) */
	char level_op[3][3];
	int level[3];
	/* the order: NULL or "id": by id; "name", "updated" (an index each);
	 * "department", "kind" (in the policy's order), "confidentiality",
	 * "integrity", "availability" (or "c", "i", "a": by level); ties by id.
	 * A leading '-' reverses the whole order, ties too. */
	const char *sort;
	const char *after;	/* a page's cursor (the previous page's next; with sort NULL an asset id); NULL: from the first */
	size_t limit;		/* at most this many; 0: all */
};

/* Parses "2", ">=2", "<3" into a level filter; false when malformed. */
bool mamori_asset_filter_level(struct mamori_asset_filter *f, int axis, const char *expr);

/* Whether sort (a mamori_asset_filter's) names an order the list knows; NULL does (id order). */
bool mamori_asset_sort_valid(const char *sort);

/*
 * Calls fn for each matching asset, in filter->sort's order (NULL: by id);
 * stops and returns fn's non-zero (a MAMORI_E_* code).  The asset passed to
 * fn and its strings are lent for the call only: copy what you keep.
 * Department, segment and kind may be ids or titles; a name the policy does
 * not know matches nothing.  An unknown sort is MAMORI_E_INVALID.
 */
int mamori_asset_list(struct mamori_store *s, const struct mamori_asset_filter *filter,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_error *err);

/* The number of assets filter matches (after and limit aside), counted from the register's index. */
int mamori_asset_count(struct mamori_store *s, const struct mamori_asset_filter *filter, int64_t *n,
    struct mamori_error *err);

/* The longest cursor of a page: an id, ':' and the longest sort key (a name). */
#define MAMORI_ASSET_CURSOR_MAX 1024

/*
 * Counts the assets filter matches (after, sort and limit aside) by
 * department and, for axis 0, 1 or 2, by that axis's level (機密性, 完全性,
 * 可用性; -1: by department alone, level 0): fn is called once for each pair
 * that has assets, with their number, the department's id lent for the
 * call.  One GROUP BY over the register's index, however many departments
 * and levels the policy has.  Stops and returns fn's non-zero.
 */
int mamori_asset_count_by(struct mamori_store *s, const struct mamori_asset_filter *filter, int axis,
    int (*fn)(const char *department, int level, int64_t n, void *ctx), void *ctx, struct mamori_error *err);

/* What a page of the list leaves out. */
struct mamori_asset_page {
	int64_t total;		/* assets the filter matches, on every page (after and limit aside) */
	bool more;		/* assets follow the page's last: ask again with after = next */
	/* the cursor of the page's last asset: its id in id order, else
	 * "ID:KEY" with its sort key ("A-000123:税務台帳") */
	char next[MAMORI_ASSET_CURSOR_MAX];
};

/*
 * mamori_asset_list for one page (filter->limit assets after filter->after),
 * with the number of all matching assets.  The count comes from the
 * register's index; it also chooses how the page is read: when many assets
 * match, by walking the register in id order until the page is full, when
 * few, by collecting their ids from the index first (a sorted page walks the
 * sort's index or collects and orders the matching assets, the same way).
 * Either way a page of a million-asset register takes milliseconds
 * (bench/README.md).  An after naming no asset, or a sort key the sort does
 * not know, is MAMORI_E_NOTFOUND.
 */
int mamori_asset_page(struct mamori_store *s, const struct mamori_asset_filter *filter,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_asset_page *page,
    struct mamori_error *err);

/*
 * Records the disposal of asset id.  Refuses a method the policy's 取扱制限
 * forbid for the asset's levels (irreversible-disposal needs an irreversible
 * method), citing the restriction's clause and wording.
 */
int mamori_asset_dispose(struct mamori_store *s, const char *actor, const char *id,
    const char *date, const char *method, const char *by, const char *witness,
    struct mamori_error *err);

/* The disposal methods: id, Japanese name, whether the result cannot be restored. */
struct mamori_disposal_method {
	const char *id, *ja;
	bool irreversible;
};
extern const struct mamori_disposal_method mamori_disposal_methods[];
extern const size_t mamori_ndisposal_methods;
/* The disposal method of that id or Japanese name, or NULL. */
const struct mamori_disposal_method *mamori_disposal_method_find(const char *m);

/* Calls fn for every 取扱制限 that applies to the asset's levels, axis by axis. */
void mamori_asset_restrictions(const struct mamori_policy *p, const struct mamori_asset *a,
    void (*fn)(const struct mamori_axis *axis, const struct mamori_restriction *r, void *ctx),
    void *ctx);

/*
 * Which assets an import may write or an export may show, for front ends that
 * act for a person (the server): allows is called with the owning department's
 * id of each checked asset (NULL when it has none) and returns whether the
 * person may; NULL allows everything.
 */
struct mamori_asset_scope {
	bool (*allows)(const char *department, void *ctx);
	void *ctx;
};

/*
 * How an import reads a ledger; all zero: as a ledger comes from Excel.
 * encoding: NULL detects UTF-8 (with or without BOM) or CP932 / Shift_JIS;
 * "utf-8" or "cp932" forces one.  header_row: 0 finds the header as the first
 * of the first 30 rows naming every required column (the rows above it, a
 * title, are skipped with a warning); N says row N is.  map: nmap "FROM=TO"
 * pairs, the file's column FROM read as the register's column TO (its id or
 * Japanese header: 備考=説明).  strict: a column the register does not keep is
 * an error (else one warning names them all, and they are left out).  scope:
 * with one, each row it does not allow is an error `NAME: row N: …` too, and
 * when every other row is fine the result is MAMORI_E_DENIED (nothing
 * written) instead of MAMORI_E_INVALID.  progress: called every 10,000 rows
 * written and, for files of 10,000 rows or more, once with done == total when
 * the import is committed.
 */
struct mamori_import_opts {
	const char *encoding;
	int header_row;
	const char *const *map;
	size_t nmap;
	bool strict;
	bool dry_run;
	const struct mamori_asset_scope *scope;
	void (*progress)(size_t done, size_t total);
};

/*
 * Imports a CSV file as opts says.  All or nothing: every bad row goes to
 * diags, as `NAME: row N, column X: …` with Excel's row number, and nothing
 * is written when there is one; with opts->dry_run nothing is written either
 * way.  Every cell is trimmed; names (kinds, 課, segments, roles, level words,
 * status) are matched after Unicode NFKC against the policy's ids, titles
 * and aliases.  Ids given in the file must be new (not twice in the file, not
 * in the register); they are checked with the rows, so a dry run reports what
 * the import would.  A column headed 取扱制限 (what the XLSX export adds,
 * derived from the policy) is read past.  *count receives the number of rows
 * (would be) imported.  A large import into a smaller register drops and
 * rebuilds the register's index and gathers its statistics inside its
 * transaction.  No allocation per row: the rows point into the decoded file.
 */
int mamori_asset_import(struct mamori_store *s, const char *actor, const char *path,
    const struct mamori_import_opts *opts, struct mamori_diags *diags, size_t *count,
    struct mamori_error *err);

/*
 * mamori_asset_import of UTF-8 CSV text the caller hands over (opts->encoding
 * is not read): text is malloc'd, holds len bytes and has room for a NUL after
 * them, and is freed by the call.  What a reader of another format (an XLSX
 * sheet, mamori/xlsx.h) feeds the import; name is the file's, for the
 * diagnostics.
 */
int mamori_asset_import_text(struct mamori_store *s, const char *actor, const char *name, char *text,
    size_t len, const struct mamori_import_opts *opts, struct mamori_diags *diags, size_t *count,
    struct mamori_error *err);

/* mamori_asset_import of a file already in memory (copied; name for the diagnostics). */
int mamori_asset_import_buffer(struct mamori_store *s, const char *actor, const char *name,
    const char *buf, size_t len, const struct mamori_import_opts *opts, struct mamori_diags *diags,
    size_t *count, struct mamori_error *err);

/*
 * What an export writes; all zero: every asset, UTF-8, no progress.
 * filter: the assets that match (NULL: all); scope: those it allows (NULL:
 * all).  encoding (CSV only): NULL or "utf-8" (with a BOM), or "cp932" for
 * older Excel — a character CP932 cannot hold is an error naming the asset.
 * progress: called every 10,000 assets and once at the end with done ==
 * total (registers of 10,000 assets or more).
 */
struct mamori_export_opts {
	const struct mamori_asset_filter *filter;
	const struct mamori_asset_scope *scope;
	const char *encoding;
	void (*progress)(size_t done, size_t total);
};

/*
 * Writes the register as CSV to out: Japanese headers, CRLF, and what a person
 * reads — the policy's Japanese titles of kinds, 課, roles and segments,
 * 使用中 / 廃棄済, disposal methods by name, times in the organisation's zone
 * with their offset (2026-12-05T11:07:12+09:00) — all of which an import reads
 * back to the same register; 資産番号 is the id.  A cell that starts with =,
 * +, -, @, a tab or a CR gets a ' in front (OWASP: Excel would run it as a
 * formula); an import takes the ' off again.
 */
int mamori_asset_export_csv(struct mamori_store *s, FILE *out, const struct mamori_export_opts *opts,
    struct mamori_error *err);

/*
 * Writes the register as XLSX to path: the same columns and values as the CSV
 * (cells are text, never formulas; levels are numbers, 廃棄日 an Excel date),
 * a bold header row, frozen panes, filters, and the 取扱制限 of each asset's
 * levels in a last column.  opts->encoding is not read.
 */
int mamori_asset_export_xlsx(struct mamori_store *s, const char *path, const struct mamori_export_opts *opts,
    struct mamori_error *err);

#endif
