/*
 * asset_import.c — a ledger (CSV in UTF-8 or CP932, or an XLSX sheet given as
 * CSV text) into the register: the header found or named, columns mapped,
 * every row checked, all or nothing, a bulk import's second thread.
 */
#include "asset_internal.h"
#include "store_ops_asset.h"
#include "buf.h"
#include "mamori/i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "audit_internal.h"
#include "csv.h"
#include "fold.h"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* ---- import ------------------------------------------------------------- */

/*
 * Below this many rows an import lets the backend keep its indexes row by
 * row; from it, into a smaller register, the backend may build them once at
 * the end (bulk_begin, bulk_end): cheaper than keeping them up to date row by
 * row.  test_asset checks that a bulk import leaves the same indexes as a new
 * store has.
 */
#define BULK_ROWS 10000

/*
 * An imported row, held until the whole file is checked: the fields point
 * into the decoded file (csv.c compacts each record in place, so they stay
 * valid until csv_free), into the policy (ids) or into the checker (levels);
 * nothing per row is allocated.  The id is kept as its number.
 */
struct import_row {
	const char *f[MAMORI_AF_COUNT];
	char date[11];		/* 廃棄日 as YYYY-MM-DD, when it was written otherwise */
	int64_t num;		/* the given number, 0: the next free one */
	int row;		/* the file's row, for messages */
};

struct import_arg {
	struct import_row *rows;
	size_t n;
	void (*progress)(size_t, size_t);
	struct mamori_error *err;
};

/* ---- the import's second thread ------------------------------------------ */

/*
 * A bulk import spends about a third of its time on what needs no database:
 * the rows' ids and times, their audit bodies, and the events' SHA-256 leaf
 * and chain hashes.  A second thread prepares that a batch ahead while this
 * one inserts; the rows, events and hashes are byte for byte what one thread
 * would write (the hashes chain from the transaction's last event, and
 * store_tx_event_hashed refuses an event whose seq does not follow it).
 */
#define STAGE_ROWS 1024

struct staged {
	const char *f[MAMORI_AF_COUNT];
	int64_t num, seq;
	size_t body;		/* offset of the body in its batch's text */
	char id[24], now[32];
	unsigned char leaf[32], chain[32];
};

struct stage_batch {
	struct staged rows[STAGE_ROWS];
	size_t n;
	struct buf text;	/* the bodies, each ending in a NUL */
	bool full;		/* prepared, not yet inserted */
};

struct stager {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct stage_batch batch[2];
	const struct import_arg *x;
	const char *actor;
	int64_t next_num, seq;	/* the second thread's, after it starts */
	unsigned char chain[32];
	/* the trail's frontier, when the store knew it at the start: every leaf
	 * is pushed here, so the head after the import reads no event again */
	struct mamori_merkle_acc leaves;
	bool leaves_known;
	struct store_clock clock;
	bool stop, failed;	/* under lock */
};

/* Prepares rows first … into b; false when memory ran out. */
static bool
stage_fill(struct stager *sg, struct stage_batch *b, size_t first)
{
	const struct import_arg *x = sg->x;

	b->n = x->n - first < STAGE_ROWS ? x->n - first : STAGE_ROWS;
	buf_reset(&b->text);
	for (size_t i = 0; i < b->n; i++) {
		struct staged *r = &b->rows[i];
		const struct import_row *in = &x->rows[first + i];
		memcpy(r->f, in->f, sizeof(r->f));
		/* numbers as insert_fields gives them: a given one, or the next free */
		r->num = in->num ? in->num : sg->next_num;
		if (r->num >= sg->next_num)
			sg->next_num = r->num + 1;
		asset_fill_fields(r->f, r->num, r->id, r->now, &sg->clock);
		r->body = b->text.len;
		asset_body_append(&b->text, NULL, r->f);
		buf_add(&b->text, "", 1);
		r->seq = ++sg->seq;
	}
	if (b->text.fail)
		return false;
	for (size_t i = 0; i < b->n; i++) {
		struct staged *r = &b->rows[i];
		struct mamori_event ev = { r->seq, r->now, sg->actor, "asset.add", "asset", r->id,
			b->text.p + r->body };
		mamori_event_leaf(&ev, r->leaf);
		mamori_event_chain(sg->chain, r->leaf, r->chain);
		memcpy(sg->chain, r->chain, 32);
		if (sg->leaves_known)
			mamori_merkle_acc_push(&sg->leaves, r->leaf);
	}
	return true;
}

static void *
stage_main(void *arg)
{
	struct stager *sg = arg;
	bool ok = true;

	for (size_t first = 0, k = 0; ok && first < sg->x->n; first += STAGE_ROWS, k ^= 1) {
		struct stage_batch *b = &sg->batch[k];
		bool stop;
		pthread_mutex_lock(&sg->lock);
		while (b->full && !sg->stop)
			pthread_cond_wait(&sg->cond, &sg->lock);
		stop = sg->stop;
		pthread_mutex_unlock(&sg->lock);
		if (stop)
			break;
		ok = stage_fill(sg, b, first);
		pthread_mutex_lock(&sg->lock);
		if (ok)
			b->full = true;
		else
			sg->failed = true;
		pthread_cond_broadcast(&sg->cond);
		pthread_mutex_unlock(&sg->lock);
	}
	return NULL;
}

/* Inserts the rows the second thread prepares, batch by batch, in order. */
static int
insert_staged(struct mamori_store_tx *tx, struct stager *sg, struct store_asset_insert *ins)
{
	const struct import_arg *x = sg->x;
	int rc = 0;

	for (size_t first = 0, k = 0; rc == 0 && first < x->n; first += STAGE_ROWS, k ^= 1) {
		struct stage_batch *b = &sg->batch[k];
		bool failed;
		pthread_mutex_lock(&sg->lock);
		while (!b->full && !sg->failed)
			pthread_cond_wait(&sg->cond, &sg->lock);
		failed = !b->full;
		pthread_mutex_unlock(&sg->lock);
		if (failed)
			return mamori_error_set(x->err, MAMORI_E_NOMEM, "out of memory; nothing was imported");
		for (size_t i = 0; i < b->n && rc == 0; i++) {
			const struct staged *r = &b->rows[i];
			struct mamori_event ev = { r->seq, r->now, tx->actor, "asset.add", "asset", r->id,
				b->text.p + r->body };
			size_t done = first + i + 1;
			rc = asset_insert_row(tx, ins, r->f, r->num, x->err);
			if (rc == MAMORI_E_CONFLICT)	/* checked before; only a concurrent writer gets here */
				mamori_error_set(x->err, rc, "row %d: asset %s exists already in the register; "
				    "nothing was imported", x->rows[first + i].row, r->id);
			if (rc == 0)
				rc = store_tx_event_hashed(tx, &ev, r->leaf, r->chain);
			if (x->progress && done % 10000 == 0 && done < x->n)
				x->progress(done, x->n);
		}
		pthread_mutex_lock(&sg->lock);
		b->full = false;
		pthread_cond_broadcast(&sg->cond);
		pthread_mutex_unlock(&sg->lock);
	}
	return rc;
}

static int
import_tx(struct mamori_store_tx *tx, void *arg)
{
	struct import_arg *x = arg;
	bool bulk = x->n >= BULK_ROWS && (int64_t)x->n > asset_total(tx->store);
	const struct store_asset_ops *ops = tx->store->backend->asset;
	struct stager *sg = calloc(1, sizeof(*sg));
	struct store_asset_insert *ins = NULL;
	pthread_t thread;
	int rc = 0;

	if (sg == NULL)
		return mamori_error_set(x->err, MAMORI_E_NOMEM, "out of memory");
	*sg = (struct stager){ .x = x, .actor = tx->actor };
	/* what the second thread starts from, read here: the next free number and the last event */
	if ((rc = asset_next_num(tx, &sg->next_num)) != 0 || (rc = store_tx_last(tx, &sg->seq, sg->chain)) != 0) {
		free(sg);
		return rc;
	}
	if (bulk && (rc = ops->bulk_begin(tx, x->err)) != 0) {
		free(sg);
		return rc;
	}
	/* a million events would otherwise be read back for the next head;
	 * without the key the head is left to whoever can sign, as always */
	if (bulk && audit_learn_leaves(tx->store, NULL) == 0 && tx->store->leaves.size == (uint64_t)sg->seq) {
		sg->leaves = tx->store->leaves;
		sg->leaves_known = true;
	}
	if ((rc = ops->insert_open(tx, &ins, x->err)) != 0) {
		free(sg);
		return rc;
	}
	pthread_mutex_init(&sg->lock, NULL);
	pthread_cond_init(&sg->cond, NULL);
	if (pthread_create(&thread, NULL, stage_main, sg) != 0) {
		rc = mamori_error_set(x->err, MAMORI_E_NOMEM, "cannot start the import's second thread");
	} else {
		rc = insert_staged(tx, sg, ins);
		pthread_mutex_lock(&sg->lock);
		sg->stop = true;
		pthread_cond_broadcast(&sg->cond);
		pthread_mutex_unlock(&sg->lock);
		pthread_join(thread, NULL);
	}
	pthread_cond_destroy(&sg->cond);
	pthread_mutex_destroy(&sg->lock);
	buf_free(&sg->batch[0].text);
	buf_free(&sg->batch[1].text);
	if (rc == 0 && sg->leaves_known)
		store_tx_leaves(tx, &sg->leaves);
	free(sg);
	ops->insert_close(&ins);
	if (rc == 0 && bulk)
		rc = ops->bulk_end(tx, x->err);
	return rc;
}

/*
 * Every given id must be new: not twice in the file, not in the register.
 * Checked before writing so that every row is reported, and so that a dry run
 * says what the import would say.  The numbers seen go into an open-addressing
 * table of the rows that gave them.
 */
static void
check_ids(struct mamori_store *s, const struct import_arg *x, const char *name, struct mamori_diags *d)
{
	const struct store_asset_ops *ops = s->backend->asset;
	struct store_asset_taken *t = NULL;
	struct mamori_error err;
	size_t given = 0, slots = 16, mask;
	size_t *seen = NULL;	/* index + 1 of the row that gave a number; 0: free */

	for (size_t i = 0; i < x->n; i++)
		given += x->rows[i].num != 0;
	while (slots < given * 2)
		slots *= 2;
	mask = slots - 1;
	if (ops->taken_open(s, &t, &err) != 0 || (given > 0 && (seen = calloc(slots, sizeof(*seen))) == NULL)) {
		mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: cannot check the ids (out of memory)", name);
		ops->taken_close(&t);
		return;
	}
	for (size_t i = 0; i < x->n && given > 0; i++) {
		int64_t num = x->rows[i].num;
		bool taken = false;
		size_t h;
		if (num == 0)
			continue;
		h = ((uint64_t)num * 0x9E3779B97F4A7C15ULL) >> 20 & mask;
		while (seen[h] != 0 && x->rows[seen[h] - 1].num != num)
			h = (h + 1) & mask;
		if (seen[h] != 0) {
			mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, x->rows[i].row, 0, "%s: row %d, column 資産番号: "
			    "duplicate id A-%06lld (row %d has it too)", name, x->rows[i].row, (long long)num,
			    x->rows[seen[h] - 1].row);
			continue;
		}
		seen[h] = i + 1;
		if (ops->taken(t, num, &taken, &err) == 0 && taken)
			mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, x->rows[i].row, 0, "%s: row %d, column 資産番号: "
			    "A-%06lld is in "
			    "the register already; leave 資産番号 empty to get a new id, or edit the asset with "
			    "'mamori asset edit A-%06lld'", name, x->rows[i].row, (long long)num, (long long)num);
	}
	ops->taken_close(&t);
	free(seen);
}

/*
 * malloc for a buffer of many megabytes about to be filled: asks the kernel to
 * back it with 2 MiB pages (transparent huge pages on request, as Debian
 * configures them).  Faulting fresh memory in 4 KiB at a time cost 2.6 ms a
 * megabyte on the benchmark machine — 0.8 s of a million-row import for the
 * file and its rows; huge pages take about a third of that (bench/README.md).
 * Freed with free(); smaller buffers are plain malloc.
 */
static void *
big_malloc(size_t n)
{
	const uintptr_t huge = (uintptr_t)2 << 20;
	void *p = malloc(n);

	if (p != NULL && n >= 4 * huge) {
		uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
		uintptr_t end = ((uintptr_t)p + n) & ~(huge - 1);
		madvise((void *)start, end - start, MADV_HUGEPAGE);	/* advice only: may fail */
	}
	return p;
}

/*
 * Reads a whole file, or a pipe, into a malloc'd buffer with room for a NUL
 * after its *len bytes.  A regular file is read into a buffer of its size at
 * once (growing one by doubling copies a large file several times over).
 */
static char *
slurp(const char *path, size_t *len, struct mamori_error *err)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	struct stat sb;
	char *b;

	if (f == NULL) {
		mamori_error_set(err, MAMORI_E_IO, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
		cap = (size_t)sb.st_size + 1;	/* + 1: the read that finds the end */
	b = big_malloc(cap + 1);
	while (b != NULL && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);
			if (nb == NULL) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (b == NULL || ferror(f)) {
		free(b);
		b = NULL;
		mamori_error_set(err, MAMORI_E_IO, "cannot read %s", path);
	} else {
		*len = n;
	}
	fclose(f);
	return b;
}

/* The column of 取扱制限 that the XLSX export writes beside the register's own. */
static bool
restrictions_column(const char *name)
{
	return strcmp(name, RESTRICTIONS_HEADER) == 0 || strcmp(name, "restrictions") == 0;
}

/* Whether a row names every required column: the register's header row. */
static bool
names_required_columns(const struct csv_record *rec)
{
	bool seen[MAMORI_AF_COUNT] = { false };
	int k;

	for (size_t i = 0; i < rec->nfields; i++)
		if ((k = mamori_asset_column_find(rec->fields[i])) >= 0)
			seen[k] = true;
	for (k = 0; k < MAMORI_AF_COUNT; k++)
		if (mamori_asset_columns[k].required && !seen[k])
			return false;
	return true;
}

static bool
is_register_header(const struct csv_record *rec, void *ctx)
{
	(void)ctx;
	return names_required_columns(rec);
}

/*
 * The register's column an --map pair sends the file's column name to: -1
 * when no pair names it, -2 when the pair's target is not a register column
 * (reported once by check_map).
 */
static int
mapped_column(const struct mamori_import_opts *o, const char *name)
{
	char a[256], b[256];

	mamori_fold(name, a, sizeof(a));
	for (size_t i = 0; a[0] && i < o->nmap; i++) {
		const char *eq = strchr(o->map[i], '=');
		size_t n = eq ? (size_t)(eq - o->map[i]) : 0;
		if (n == 0 || n >= sizeof(b))
			continue;
		memcpy(b, o->map[i], n);
		b[n] = '\0';
		if (mamori_fold(b, b, sizeof(b)) && strcmp(a, b) == 0) {
			int k = mamori_asset_column_find(eq + 1);
			return k >= 0 ? k : -2;
		}
	}
	return -1;
}

/* Reports each --map pair that is malformed, names a column the header lacks, or a target the register lacks. */
static void
check_map(const struct mamori_import_opts *o, const struct csv_record *rec, const char *name, int row,
    struct mamori_diags *diags)
{
	for (size_t i = 0; i < o->nmap; i++) {
		const char *pair = o->map[i], *eq = strchr(pair, '=');
		char from[256];
		bool found = false;
		if (eq == NULL || eq == pair || eq[1] == '\0') {
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "--map '%s': write the file's column, "
			    "'=' and the register's column, e.g. --map 備考=説明", pair);
			continue;
		}
		if (mamori_asset_column_find(eq + 1) < 0) {
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "--map '%s': '%s' is not a column of "
			    "the register (資産番号, 資産名, 種別, 説明, 所管課, 管理責任者, ネットワーク区分, 保管場所, "
			    "機密性, 完全性, 可用性, 保存期間, 状態 …)", pair, eq + 1);
			continue;
		}
		snprintf(from, sizeof(from), "%.*s", (int)(eq - pair), pair);
		for (size_t f = 0; f < rec->nfields && !found; f++)
			found = mapped_column(&(struct mamori_import_opts){ .map = &o->map[i], .nmap = 1 },
			    rec->fields[f]) >= 0;
		if (!found)
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: --map '%s': the header "
			    "has no column '%s'", name, row, pair, from);
	}
}

/*
 * Maps the header's columns to the register's (colmap, -1 for others) and
 * reports a column named twice or a required one missing.  Columns the register
 * does not keep (No., 取扱者, 更新日, 備考 …) are left out, all named in one
 * warning — or, strict, each an error.  A --map pair names a column's target.
 */
static void
read_header(const struct csv_record *rec, const char *name, int row, const struct mamori_import_opts *o,
    int *colmap, bool *seen, struct mamori_diags *diags)
{
	char others[512] = "";
	size_t used = 0, nothers = 0;

	check_map(o, rec, name, row, diags);
	for (size_t i = 0; i < rec->nfields; i++) {
		int k = mapped_column(o, rec->fields[i]);
		if (k == -1)
			k = mamori_asset_column_find(rec->fields[i]);
		colmap[i] = k < 0 ? -1 : k;
		if (k == -2 || (k < 0 && (restrictions_column(rec->fields[i]) || asset_trim(rec->fields[i])[0] == '\0')))
			continue;	/* 取扱制限: what the XLSX export adds, the policy's, not the file's, to say */
		if (k < 0 && o->strict) {
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, (int)i + 1, "%s: row %d, column %zu: "
			    "'%s' is not a column of the register (--strict); leave it out, or read it as one with "
			    "--map '%s=説明'", name, row, i + 1, rec->fields[i], rec->fields[i]);
		} else if (k < 0) {
			if (used < sizeof(others))
				used += (size_t)snprintf(others + used, sizeof(others) - used, "%s'%s'",
				    nothers++ ? ", " : "", rec->fields[i]);
		} else if (seen[k])
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, (int)i + 1, "%s: row %d, column %zu: '%s' "
			    "appears twice", name, row, i + 1, rec->fields[i]);
		else
			seen[k] = true;
	}
	if (nothers > 0)
		mamori_diags_add(diags, MAMORI_SEV_WARNING, NULL, row, 0, "%s: row %d: not in the register, "
		    "not imported: %s (the register's columns: 資産番号/id, 資産名/name, 種別/kind, 説明/description, "
		    "所管課/department, 管理責任者/role, ネットワーク区分/segment, 保管場所/location, "
		    "機密性, 完全性, 可用性, 保存期間/retention, 状態/status; --map FROM=TO reads one as another)",
		    name, row, others);
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (mamori_asset_columns[k].required && !seen[k])
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: the required column "
			    "%s (%s) is missing", name, row, mamori_asset_columns[k].ja, mamori_asset_columns[k].id);
}

/* The import's write transaction, in the backend's bulk session. */
struct write_arg {
	struct mamori_store *s;
	const char *actor;
	struct import_arg *x;
	struct mamori_error *err;
};

static int
import_write(void *ctx)
{
	struct write_arg *w = ctx;

	return mamori_store_write(w->s, w->actor, import_tx, w->x, w->err);
}

/* The import of a file in memory: mamori_asset_import and mamori_asset_import_buffer. */
static int
import_bytes(struct mamori_store *s, const char *actor, const char *name, char *bytes,
    size_t bytes_len, const struct mamori_import_opts *o, struct mamori_diags *diags, size_t *count,
    struct mamori_error *err)
{
	const struct mamori_asset_scope *scope = o->scope;
	void (*progress)(size_t, size_t) = o->progress;
	struct csv_reader r;
	struct csv_record rec;
	struct import_arg x = { .progress = progress, .err = err };
	struct name_memo *memo = calloc(NM_COUNT, sizeof(*memo));
	struct checker ck;
	int colmap[4096];
	size_t ncols = 0, cap = 0, text_len, refused = 0;
	char *text, msg[256];
	bool seen[MAMORI_AF_COUNT] = { false };
	char **first_row = NULL;
	int rc = 0, got, row = 1;

	*count = 0;
	if (memo == NULL) {
		free(bytes);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	asset_checker_init(&ck, s->policy, memo);
	text = text_decode_owned(bytes, bytes_len, o->encoding, &text_len, msg, sizeof(msg));
	if (text == NULL) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: %s", name, msg);
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: cannot decode the file", name);
		goto out_checker;
	}
	csv_open(&r, text, text_len);
	got = csv_find_header(&r, &rec, o->header_row, is_register_header, NULL, &row, &first_row);
	if (got == 0 && o->header_row > 1) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: --header-row %d: the file has %d rows",
		    name, o->header_row, row - 1);
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: no header row", name);
		goto out;
	}
	if (got <= 0) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: %s", name,
		    got == 0 ? "the file is empty; the first row must be the header (資産名, 種別, 所管課 …)" : r.error);
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: no header row", name);
		goto out;
	}
	if (o->header_row > 0)
		;	/* asked for: nothing to say */
	else if (row == 2)
		mamori_diags_add(diags, MAMORI_SEV_WARNING, NULL, row, 0, "%s: the header is row 2; "
		    "row 1 above it (a title) is not imported", name);
	else if (row > 2)
		mamori_diags_add(diags, MAMORI_SEV_WARNING, NULL, row, 0, "%s: the header is row %d; "
		    "rows 1–%d above it (a title) are not imported", name, row, row - 1);
	ncols = rec.nfields;
	if (ncols > sizeof(colmap) / sizeof(colmap[0])) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: %zu columns; the register "
		    "reads at most %zu", name, row, ncols, sizeof(colmap) / sizeof(colmap[0]));
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: the header row is not usable", name);
		goto out;
	}
	read_header(&rec, name, row, o, colmap, seen, diags);
	if (diags->errors > 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: the header row is not usable", name);
		goto out;
	}
	/* one row per line at most: the rows are allocated once */
	cap = 1;
	for (const char *nl = text; (nl = memchr(nl, '\n', text_len - (size_t)(nl - text))) != NULL; nl++)
		cap++;
	if ((x.rows = big_malloc(cap * sizeof(*x.rows))) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	while ((got = csv_next(&r, &rec)) == 1) {
		struct import_row *ir;
		char idbuf[24];
		bool blank = true;
		row++;
		for (size_t i = 0; i < rec.nfields && blank; i++)
			blank = asset_trim(rec.fields[i])[0] == '\0';
		if (blank)
			continue;
		if (rec.nfields != ncols)
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: %zu fields where the "
			    "header has %zu", name, row, rec.nfields, ncols);
		if (!ARRAY_RESERVE(x.rows, cap, x.n + 1, 0)) {
			rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
			goto out;
		}
		ir = &x.rows[x.n++];
		memset(ir->f, 0, sizeof(ir->f));
		for (size_t i = 0; i < rec.nfields && i < ncols; i++)
			if (colmap[i] >= 0 && mamori_asset_columns[colmap[i]].importable &&
			    *(rec.fields[i] = asset_clean_cell(rec.fields[i], colmap[i])) != '\0')
				ir->f[colmap[i]] = rec.fields[i];
		if (asset_check_fields(&ck, ir->f, idbuf, ir->date, name, row, diags) == 0 && scope != NULL &&
		    scope->allows != NULL && !scope->allows(ir->f[MAMORI_AF_DEPARTMENT], scope->ctx)) {
			refused++;
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: you may not write "
			    "assets of department '%s'", name, row, ir->f[MAMORI_AF_DEPARTMENT]);
		}
		/* a valid id was normalised into idbuf: keep its number, not the text */
		ir->num = ir->f[MAMORI_AF_ID] == idbuf ? asset_to_int(idbuf + 2) : 0;
		ir->f[MAMORI_AF_ID] = NULL;
		ir->row = row;
	}
	if (got < 0)
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: line %d: %s", name, r.error_line, r.error);
	check_ids(s, &x, name, diags);
	if (diags->errors > 0) {
		rc = mamori_error_set(err, refused == diags->errors ? MAMORI_E_DENIED : MAMORI_E_INVALID,
		    "%s: %zu problems; nothing was imported", name, diags->errors);
		goto out;
	}
	*count = x.n;
	if (!o->dry_run && x.n > 0) {
		struct write_arg w = { s, actor, &x, err };
		rc = s->backend->asset->bulk_session(s, import_write, &w);
		/* done only when committed: the index and the commit of a large file
		 * take seconds after its last row is written */
		if (progress && rc == 0 && x.n >= 10000)
			progress(x.n, x.n);
	}
	if (rc != 0)
		*count = 0;
out:
	free(x.rows);
	free(first_row);
	csv_free(&r);
out_checker:
	asset_checker_free(&ck);
	free(memo);
	return rc;
}

static const struct mamori_import_opts default_opts;

int
mamori_asset_import(struct mamori_store *s, const char *actor, const char *path,
    const struct mamori_import_opts *opts, struct mamori_diags *diags, size_t *count, struct mamori_error *err)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len;
	char *bytes;

	*count = 0;
	if ((bytes = slurp(path, &len, err)) == NULL)
		return MAMORI_E_IO;
	return import_bytes(s, actor, name, bytes, len, opts ? opts : &default_opts, diags, count, err);
}

int
mamori_asset_import_text(struct mamori_store *s, const char *actor, const char *name, char *text, size_t len,
    const struct mamori_import_opts *opts, struct mamori_diags *diags, size_t *count, struct mamori_error *err)
{
	struct mamori_import_opts o = opts ? *opts : default_opts;

	*count = 0;
	o.encoding = "utf-8";
	return import_bytes(s, actor, name, text, len, &o, diags, count, err);
}

int
mamori_asset_import_buffer(struct mamori_store *s, const char *actor, const char *name, const char *buf,
    size_t len, const struct mamori_import_opts *opts, struct mamori_diags *diags, size_t *count,
    struct mamori_error *err)
{
	char *bytes = malloc(len + 1);

	*count = 0;
	if (bytes == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	memcpy(bytes, buf, len);
	return import_bytes(s, actor, name, bytes, len, opts ? opts : &default_opts, diags, count, err);
}

