/*
 * asset_internal.h — what the register's modules share (internal): the
 * checker that turns a row as people write it into the register's normal
 * form, and the rows an add and an import share.  asset.c keeps the asset
 * rules (check, add, edit, dispose, display); asset_list.c filters and pages,
 * asset_import.c reads ledgers, asset_export.c writes them.  What they store
 * and read is the backend's (store_ops_asset.h).
 */
#ifndef MAMORI_ASSET_INTERNAL_H
#define MAMORI_ASSET_INTERNAL_H

#include "mamori/asset.h"
#include "canon.h"
#include "store_internal.h"
#include "strmap.h"

/* The XLSX export's last column: the 取扱制限 of each asset's levels. */
#define RESTRICTIONS_HEADER "取扱制限"

/*
 * What checking needs besides the fields: the policy, its axes, the levels'
 * texts, the Japanese names an error lists, and — for an import — the names
 * already resolved.  A file names the same few departments, kinds, segments
 * and level words a million times; each distinct spelling is folded (NFKC)
 * and looked up once.
 */
enum { NM_KIND, NM_DEPARTMENT, NM_ROLE, NM_SEGMENT, NM_LEVEL, NM_COUNT = NM_LEVEL + 3 };

/* At most this many distinct spellings per column are remembered; more are looked up each time. */
#define MEMO_MAX 1024

struct name_memo {
	struct mamori_strmap map;	/* spelling (borrowed) → index in ids */
	const char *ids[MEMO_MAX];	/* the policy's id, or NULL: unknown */
	int n;
};

struct checker {
	const struct mamori_policy *p;
	const struct mamori_axis *axes[3];	/* NULL: the policy has no such axis */
	char level_text[100][3];	/* "0" … "99": what a level is stored as */
	struct name_memo *memo;		/* NM_COUNT of them, or NULL: no memo */
	char *choices[NM_COUNT];	/* the Japanese names an error offers, made on the first error */
};

/* Sets up c for policy p; memo is NM_COUNT memos (an import's) or NULL. */
void asset_checker_init(struct checker *c, const struct mamori_policy *p, struct name_memo *memo);
void asset_checker_free(struct checker *c);

/*
 * Checks and normalises the fields f in place (see asset.c): each pointer is
 * replaced by one to the normal form, in idbuf / datebuf where it is made;
 * problems go to d as `FILE: row N, column X: …`.  Returns the number of errors.
 */
size_t asset_check_fields(struct checker *c, const char *f[MAMORI_AF_COUNT], char idbuf[24],
    char datebuf[11], const char *file, int row, struct mamori_diags *d);

/* A writable cell trimmed in place (ASCII and U+3000 white space); the first byte kept. */
char *asset_trim(char *s);

/* A cell as the register keeps it: trimmed, an export's ' before a formula taken off, an offset time as UTC. */
char *asset_clean_cell(char *v, int k);

/* "active" or "disposed" for a status word (English or Japanese, any width); NULL when it is neither. */
const char *asset_status_word(const char *s);

/* A stored number field ("2", "000123") as an integer; 0 when absent or not a number. */
long long asset_to_int(const char *s);

/* The number of assets in the register (0 when it cannot be counted). */
int64_t asset_total(struct mamori_store *s);

/* Appends the audit body of a change (before → after; NULL: none) to b. */
void asset_body_append(struct buf *b, const char *const *before, const char *const *after);

/* The next free asset number in tx. */
int asset_next_num(struct mamori_store_tx *tx, int64_t *num);

/* Fills what a new row lacks (id from num, status, times from clock) into f, id and now. */
void asset_fill_fields(const char *f[MAMORI_AF_COUNT], int64_t num, char id[24], char now[32],
    struct store_clock *clock);

/*
 * Inserts the row f with number num through ins (the backend's insert_open)
 * and counts tx's next number past it; MAMORI_E_CONFLICT (err not filled)
 * when the id is taken.
 */
struct store_asset_insert;
int asset_insert_row(struct mamori_store_tx *tx, struct store_asset_insert *ins, const char *const *f, int64_t num,
    struct mamori_error *err);

#endif
