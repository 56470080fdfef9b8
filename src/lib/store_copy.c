/*
 * store_copy.c — a whole store copied into a new one, of either backend
 * (mamori_store_copy; docs/store.md, "Copying a store between backends").
 *
 * The source is read as one snapshot (meta->read_begin: SQLite's read
 * transaction, PostgreSQL's REPEATABLE READ) and its rows written into the
 * new store in one write transaction, table by table in an order the foreign
 * keys accept, through each backend's copy ops (store_ops_copy.h).  The keys
 * go beside the new store first (SQLite's migrations read the secrets key),
 * the files of records after the snapshot was taken (so that every file a
 * copied row names is there).  Then the copy is opened as any store is and
 * its trail verified as `log verify` does, and its size, last chain hash and
 * signed heads compared with the source's.  A copy that fails at any step
 * leaves nothing behind: no store, no keys, no files.
 */
#include "store_internal.h"
#include "store_backend.h"
#include "store_ops_copy.h"
#include "store_ops_meta.h"
#include "mamori/location.h"
#include "mamori/audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The schema's tables, in an order their foreign keys accept (api_token
 * names a user).  A table of a later schema is added here: a table of the
 * source that is not listed is refused, never left behind.
 */
static const char *const tables[] = {
	"meta", "config", "policy", "asset", "audit_event", "tree_head", "user", "api_token",
	"record", "record_notice", "record_file", "check_answer",
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* Rows between two reports of progress. */
enum { PROGRESS_ROWS = 10000 };

/* ---- the schemas ---- */

/* The columns of each table of one store, as its backend names them. */
struct schema {
	char *cols[NTABLES][STORE_COPY_COLS_MAX];
	size_t ncols[NTABLES];
	bool found[NTABLES];
	char unknown[64];	/* a table no entry of tables[] names */
};

static void
schema_free(struct schema *sc)
{
	for (size_t t = 0; t < NTABLES; t++)
		for (size_t i = 0; i < sc->ncols[t]; i++)
			free(sc->cols[t][i]);
	memset(sc, 0, sizeof(*sc));
}

static int
schema_add(const char *table, size_t ncols, const char *const *names, void *ctx)
{
	struct schema *sc = ctx;
	size_t t = 0;

	while (t < NTABLES && strcmp(tables[t], table) != 0)
		t++;
	if (t == NTABLES) {
		snprintf(sc->unknown, sizeof(sc->unknown), "%s", table);
		return MAMORI_E_STORE;
	}
	sc->found[t] = true;
	for (size_t i = 0; i < ncols && i < STORE_COPY_COLS_MAX; i++, sc->ncols[t]++)
		if ((sc->cols[t][i] = strdup(names[i])) == NULL)
			return MAMORI_E_NOMEM;
	return 0;
}

static int
schema_read(struct mamori_store *s, const char *what, struct schema *sc, struct mamori_error *err)
{
	int rc = s->backend->copy->tables(s, schema_add, sc, err);

	if (rc == MAMORI_E_STORE && sc->unknown[0] != '\0')
		return mamori_error_set(err, MAMORI_E_STORE, "copy: %s has a table %s that this mamori does not copy "
		    "(a newer schema?)", what, sc->unknown);
	if (rc == MAMORI_E_NOMEM)
		return mamori_error_set(err, rc, "out of memory");
	for (size_t t = 0; rc == 0 && t < NTABLES; t++)
		if (!sc->found[t])
			rc = mamori_error_set(err, MAMORI_E_STORE, "copy: %s has no table %s", what, tables[t]);
	return rc;
}

/* Every column of the source's tables is one of the destination's, and no more. */
static int
schema_match(const struct schema *from, const struct schema *to, struct mamori_error *err)
{
	for (size_t t = 0; t < NTABLES; t++) {
		if (from->ncols[t] != to->ncols[t])
			return mamori_error_set(err, MAMORI_E_STORE, "copy: table %s has %zu columns in the source, "
			    "%zu in the destination", tables[t], from->ncols[t], to->ncols[t]);
		for (size_t i = 0; i < from->ncols[t]; i++) {
			size_t j = 0;
			while (j < to->ncols[t] && strcmp(from->cols[t][i], to->cols[t][j]) != 0)
				j++;
			if (j == to->ncols[t])
				return mamori_error_set(err, MAMORI_E_STORE, "copy: column %s.%s of the source is not "
				    "in the destination", tables[t], from->cols[t][i]);
		}
	}
	return 0;
}

/* ---- the trail's summary, compared ---- */

struct trail {
	uint64_t size;
	unsigned char chain[MAMORI_HASH_LEN];	/* the last event's */
	size_t heads;
	unsigned char heads_hash[32];		/* of every stored head's fields, in order of size */
};

static int
head_fold(const struct mamori_head *h, void *ctx)
{
	crypto_generichash_state *st = ctx;
	unsigned char n[16];

	for (int i = 0; i < 8; i++) {
		n[i] = (unsigned char)(h->seq >> (8 * i));
		n[8 + i] = (unsigned char)(h->size >> (8 * i));
	}
	crypto_generichash_update(st, n, sizeof(n));
	crypto_generichash_update(st, h->root, sizeof(h->root));
	crypto_generichash_update(st, (const unsigned char *)h->time, strlen(h->time) + 1);
	crypto_generichash_update(st, h->pubkey, sizeof(h->pubkey));
	crypto_generichash_update(st, h->signature, sizeof(h->signature));
	return 0;
}

static int
count_head(const struct mamori_head *h, void *ctx)
{
	(void)h;
	(*(size_t *)ctx)++;
	return 0;
}

static int
trail_read(struct mamori_store *s, struct trail *t, struct mamori_error *err)
{
	const struct store_audit_ops *a = s->backend->audit;
	crypto_generichash_state st;
	int64_t seq;
	int rc;

	memset(t, 0, sizeof(*t));
	crypto_generichash_init(&st, NULL, 0, sizeof(t->heads_hash));
	if ((rc = a->size(s, &t->size, err)) != 0 || (rc = a->last(s, &seq, t->chain, err)) != 0 ||
	    (rc = a->heads(s, head_fold, &st, err)) != 0 || (rc = a->heads(s, count_head, &t->heads, err)) != 0)
		return rc;
	crypto_generichash_final(&st, t->heads_hash, sizeof(t->heads_hash));
	return 0;
}

static int
trail_match(const struct trail *from, const struct trail *to, struct mamori_error *err)
{
	if (from->size != to->size)
		return mamori_error_set(err, MAMORI_E_STORE, "copy: the copy's trail has %llu events, the source's %llu",
		    (unsigned long long)to->size, (unsigned long long)from->size);
	if (memcmp(from->chain, to->chain, sizeof(from->chain)) != 0)
		return mamori_error_set(err, MAMORI_E_STORE, "copy: the copy's last chain hash is not the source's");
	if (from->heads != to->heads || memcmp(from->heads_hash, to->heads_hash, sizeof(from->heads_hash)) != 0)
		return mamori_error_set(err, MAMORI_E_STORE, "copy: the copy's %zu signed heads are not the source's %zu",
		    to->heads, from->heads);
	return 0;
}

/* ---- the files beside a store ---- */

/* What the copy made beside the destination, to remove when it fails. */
struct made {
	const char *from;		/* the source's prefix (mamori_store_path) */
	char to[4096];			/* the copy's */
	bool key, pub, totp, files;
	size_t nfiles;
};

/* Copies the regular file from into the new file to, with its mode, synced. */
static int
copy_file(const char *from, const char *to, struct mamori_error *err)
{
	char buf[1 << 16];
	struct stat sb;
	ssize_t n = 0;
	int in, out = -1, rc = 0;

	if ((in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(in, &sb) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "copy: cannot read %s: %s", from, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = mamori_error_set(err, MAMORI_E_IO, "copy: %s is not a regular file", from);
		goto out;
	}
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, sb.st_mode & 0700)) < 0) {
		rc = mamori_error_set(err, errno == EEXIST ? MAMORI_E_CONFLICT : MAMORI_E_IO, "copy: cannot create %s: %s%s",
		    to, strerror(errno), errno == EEXIST ? " (the copy never writes over a store's files)" : "");
		goto out;
	}
	/* the source's mode whatever the umask: a key stays its owner's */
	if (fchmod(out, sb.st_mode & 0777) != 0)
		n = -1;
	while (n >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	if (n < 0 || fsync(out) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "copy: cannot write %s: %s", to, strerror(errno));
		unlink(to);
	}
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* Removes the tree at path (what the copy made). */
static void
remove_tree(const char *path)
{
	struct dirent *e;
	char sub[4200];
	DIR *d = opendir(path);

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			if (e->d_type == DT_DIR)
				remove_tree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Copies the tree from into the new directory to (mode 0700): its files and directories, dot files left out. */
static int
copy_tree(const char *from, const char *to, size_t *nfiles, struct mamori_error *err)
{
	struct dirent **ents = NULL;
	char src[4200], dst[4200];
	struct stat sb;
	int n, rc = 0;

	if (mkdir(to, 0700) != 0)
		return mamori_error_set(err, errno == EEXIST ? MAMORI_E_CONFLICT : MAMORI_E_IO, "copy: cannot make %s: %s",
		    to, strerror(errno));
	if ((n = scandir(from, &ents, NULL, alphasort)) < 0)
		return mamori_error_set(err, MAMORI_E_IO, "copy: cannot read %s: %s", from, strerror(errno));
	for (int i = 0; i < n; i++) {
		/* a dot file is a file being written (record_file.c's .tmp-…) */
		if (rc == 0 && ents[i]->d_name[0] != '.') {
			snprintf(src, sizeof(src), "%s/%s", from, ents[i]->d_name);
			snprintf(dst, sizeof(dst), "%s/%s", to, ents[i]->d_name);
			if (lstat(src, &sb) != 0)
				rc = mamori_error_set(err, MAMORI_E_IO, "copy: %s: %s", src, strerror(errno));
			else if (S_ISDIR(sb.st_mode))
				rc = copy_tree(src, dst, nfiles, err);
			else if (S_ISREG(sb.st_mode) && (rc = copy_file(src, dst, err)) == 0)
				(*nfiles)++;
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* The side file from.SUFFIX to to.SUFFIX when the source has it (*made: copied); required: it must. */
static int
copy_side(const struct made *m, const char *suffix, bool required, bool *made, struct mamori_error *err)
{
	char from[4200], to[4200];
	int rc;

	snprintf(from, sizeof(from), "%s%s", m->from, suffix);
	snprintf(to, sizeof(to), "%s%s", m->to, suffix);
	if (!required && access(from, F_OK) != 0 && errno == ENOENT)
		return 0;
	if ((rc = copy_file(from, to, err)) == 0)
		*made = true;
	return rc;
}

/*
 * The keys beside the new store, before its schema is made (store_create_empty's
 * prepare): none may be there already.  A source without a secrets key
 * (it never sealed one) gets a new one from SQLite's migration, which the
 * copy then owns as well.
 */
static int
keys_copy(struct mamori_store *dst, void *ctx, struct mamori_error *err)
{
	static const char *const side[] = { ".pub", ".key", ".totp-key", ".files" };
	struct made *m = ctx;
	char path[4200];
	struct stat sb;
	int rc;

	snprintf(m->to, sizeof(m->to), "%s", mamori_store_path(dst));
	for (size_t i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", m->to, side[i]);
		if (lstat(path, &sb) == 0)
			return mamori_error_set(err, MAMORI_E_CONFLICT, "copy: %s exists; the copy never writes over "
			    "a store's keys or files", path);
	}
	if ((rc = copy_side(m, ".pub", true, &m->pub, err)) != 0 || (rc = copy_side(m, ".key", false, &m->key, err)) != 0 ||
	    (rc = copy_side(m, ".totp-key", false, &m->totp, err)) != 0)
		return rc;
	m->nfiles += m->pub + m->key + m->totp;
	m->totp = true;
	return 0;
}

/* The files of records, once the rows that name them are copied. */
static int
files_copy(struct made *m, struct mamori_error *err)
{
	char from[4200], to[4200];
	int rc;

	snprintf(from, sizeof(from), "%s.files", m->from);
	snprintf(to, sizeof(to), "%s.files", m->to);
	if (access(from, F_OK) != 0 && errno == ENOENT)
		return 0;
	rc = copy_tree(from, to, &m->nfiles, err);
	m->files = true;	/* what was made of it goes, if this failed */
	return rc;
}

/* Removes what the copy made beside the destination (the prefix m->to). */
static void
made_remove(const struct made *m)
{
	static const char *const suffix[] = { ".key", ".pub", ".totp-key" };
	const bool made[] = { m->key, m->pub, m->totp };
	char path[4200];

	if (m->to[0] == '\0')	/* nothing was laid anywhere */
		return;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", m->to, suffix[i]);
		if (made[i])
			unlink(path);
	}
	if (m->files) {
		snprintf(path, sizeof(path), "%s.files", m->to);
		remove_tree(path);
	}
}

/* ---- the rows ---- */

struct table_copy {
	const struct store_copy_ops *to;
	struct store_copy_writer *w;
	const char *table;
	int64_t rows;
	void (*progress)(const char *table, int64_t rows, bool done, void *data);
	void *data;
	struct mamori_error *err;
};

static int
put_row(const struct store_copy_value *vals, void *ctx)
{
	struct table_copy *c = ctx;
	int rc = c->to->write(c->w, vals, c->err);

	if (rc == 0 && ++c->rows % PROGRESS_ROWS == 0 && c->progress != NULL)
		c->progress(c->table, c->rows, false, c->data);
	return rc;
}

/* Table t's rows from src into dst, columns as the source names them. */
static int
copy_table(struct mamori_store *src, struct mamori_store *dst, const struct schema *sc, size_t t,
    struct table_copy *c, struct mamori_error *err)
{
	const char *const *names = (const char *const *)sc->cols[t];
	int rc, closed;

	c->table = tables[t];
	c->rows = 0;
	if ((rc = dst->backend->copy->writer_open(dst, tables[t], sc->ncols[t], names, &c->w, err)) != 0)
		return rc;
	rc = src->backend->copy->rows(src, tables[t], sc->ncols[t], names, put_row, c, err);
	closed = dst->backend->copy->writer_close(&c->w, rc == 0, rc == 0 ? err : NULL);
	if (rc == 0)
		rc = closed;
	if (rc == 0 && c->progress != NULL)
		c->progress(tables[t], c->rows, true, c->data);
	return rc;
}

/* Every table's rows in one write transaction of dst. */
static int
copy_rows(struct mamori_store *src, struct mamori_store *dst, const struct schema *sc,
    void (*progress)(const char *table, int64_t rows, bool done, void *data), void *data,
    struct mamori_store_copy_report *r, struct mamori_error *err)
{
	struct table_copy c = { .to = dst->backend->copy, .progress = progress, .data = data, .err = err };
	int rc;

	if ((rc = dst->backend->begin(dst, err)) != 0)
		return rc;
	for (size_t t = 0; rc == 0 && t < NTABLES; t++) {
		rc = copy_table(src, dst, sc, t, &c, err);
		r->rows += c.rows;
		r->tables += rc == 0;
	}
	if (rc == 0 && (rc = dst->backend->copy->finish(dst, err)) == 0 && (rc = dst->backend->commit(dst, err)) == 0)
		return 0;
	dst->backend->rollback(dst);
	return rc;
}

/* ---- verification ---- */

/* `log verify` of the store s, with the public key beside it. */
static int
verify(struct mamori_store *s, char *summary, size_t n, struct mamori_error *err)
{
	unsigned char pk[32];
	char pub[4200];
	int rc;

	snprintf(pub, sizeof(pub), "%s.pub", mamori_store_path(s));
	if ((rc = mamori_audit_read_pubkey(pub, pk, err)) != 0)
		return rc;
	return mamori_audit_verify(s, pk, NULL, 0, summary, n, err);
}

/*
 * The copy's trail verified and compared with the source's.  A copy whose
 * trail fails says whether the source's fails too: then the copy is
 * faithful and the source is damaged.
 */
static int
verify_copy(const char *to, struct mamori_store *src, const struct trail *want, struct mamori_store_copy_report *r,
    struct mamori_error *err)
{
	struct mamori_store *dst = NULL;
	struct mamori_error serr;
	struct trail got;
	char ssum[512];
	int rc;

	if ((rc = mamori_store_open_private(to, &dst, err)) != 0)
		goto out;
	rc = verify(dst, r->verified, sizeof(r->verified), err);
	if (rc == MAMORI_E_TAMPERED) {
		char why[sizeof(err->message)], shown[4096];
		snprintf(why, sizeof(why), "%s", err->message);
		if (verify(src, ssum, sizeof(ssum), &serr) == MAMORI_E_TAMPERED)
			rc = mamori_error_set(err, rc, "copy: the source's audit trail is damaged, so the copy was removed: "
			    "TAMPERED at seq %s (see 'mamori log verify --db %s')", serr.message,
			    mamori_location_masked(mamori_store_location(src), shown, sizeof(shown)));
		else
			rc = mamori_error_set(err, rc, "copy: the copy's audit trail does not verify, the source's does; "
			    "the copy was removed: TAMPERED at seq %s", why);
		goto out;
	}
	if (rc == 0 && (rc = trail_read(dst, &got, err)) == 0 && (rc = trail_match(want, &got, err)) == 0) {
		r->events = got.size;
		r->heads = got.heads;
	}
out:
	mamori_store_close(&dst);
	return rc;
}

/* ---- the copy ---- */

/* Refuses a destination file that exists (a PostgreSQL schema that holds a store is refused at connect). */
static int
check_destination(const char *from, const char *to, struct mamori_error *err)
{
	const char *file;
	struct stat sb;
	char shown[4096];

	if (strcmp(from, to) == 0)
		return mamori_error_set(err, MAMORI_E_USAGE, "copy: the source and the destination are one store");
	if (store_backend_of(to, &file) == NULL)
		return mamori_error_set(err, MAMORI_E_USAGE, "copy: %s: this program has no PostgreSQL backend "
		    "(mamori-full has it)", mamori_location_masked(to, shown, sizeof(shown)));
	if (store_backend_of(to, &file) == &store_backend_sqlite && lstat(file, &sb) == 0)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "copy: %s exists already; the copy makes a new "
		    "store and never writes into one", file);
	return 0;
}

/* Removes the destination of a failed copy: its tables, its file, what was laid beside it. */
static void
discard(const char *to, struct mamori_store **dst, const struct made *m)
{
	const char *file;
	char side[4200];

	if (*dst != NULL && (*dst)->backend->copy->discard != NULL)
		(*dst)->backend->copy->discard(*dst, NTABLES, tables, NULL);
	mamori_store_close(dst);
	if (store_backend_of(to, &file) == &store_backend_sqlite) {
		unlink(file);
		snprintf(side, sizeof(side), "%s-wal", file);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", file);
		unlink(side);
	}
	made_remove(m);
}

/* The source's schema and trail as its snapshot holds them, and its rows into dst. */
static int
copy_snapshot(struct mamori_store *src, struct mamori_store *dst, struct trail *want,
    void (*progress)(const char *table, int64_t rows, bool done, void *data), void *data,
    struct mamori_store_copy_report *r, struct mamori_error *err)
{
	struct schema from = { 0 }, to = { 0 };
	char shown[4096];
	int rc;

	if (src->backend->meta->read_begin(src) < 0)
		return mamori_error_set(err, MAMORI_E_STORE, "copy: cannot read %s as one snapshot",
		    mamori_location_masked(mamori_store_location(src), shown, sizeof(shown)));
	if ((rc = schema_read(src, "the source", &from, err)) == 0 &&
	    (rc = schema_read(dst, "the destination", &to, err)) == 0 && (rc = schema_match(&from, &to, err)) == 0 &&
	    (rc = trail_read(src, want, err)) == 0)
		rc = copy_rows(src, dst, &from, progress, data, r, err);
	src->backend->meta->read_end(src);
	schema_free(&from);
	schema_free(&to);
	return rc;
}

int
mamori_store_copy(const char *from, const char *to,
    void (*progress)(const char *table, int64_t rows, bool done, void *data), void *data,
    struct mamori_store_copy_report *r, struct mamori_error *err)
{
	struct mamori_store *src = NULL, *dst = NULL;
	struct made m = { 0 };
	struct trail want;
	bool made = false;
	char shown[4096];
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = check_destination(from, to, err)) != 0 || (rc = mamori_store_open_private(from, &src, err)) != 0)
		goto out;
	m.from = mamori_store_path(src);
	if (src->backend->copy == NULL) {
		rc = mamori_error_set(err, MAMORI_E_USAGE, "copy: %s: the %s backend cannot be copied",
		    mamori_location_masked(from, shown, sizeof(shown)), src->backend->name);
		goto out;
	}
	rc = store_create_empty(to, keys_copy, &m, &dst, err);
	/* a store, keys or files there already were not made here; anything else was */
	made = rc != MAMORI_E_CONFLICT || m.pub;
	if (rc != 0)
		goto out;
	if (dst->backend->copy == NULL) {
		rc = mamori_error_set(err, MAMORI_E_USAGE, "copy: %s: the %s backend cannot be copied into",
		    mamori_location_masked(to, shown, sizeof(shown)), dst->backend->name);
		goto out;
	}
	/* dst stays open until the end: a copy that does not verify is discarded through it */
	if ((rc = copy_snapshot(src, dst, &want, progress, data, r, err)) != 0 || (rc = files_copy(&m, err)) != 0)
		goto out;
	r->files = m.nfiles;
	rc = verify_copy(to, src, &want, r, err);
out:
	if (rc != 0 && made)
		discard(to, &dst, &m);
	mamori_store_close(&dst);
	mamori_store_close(&src);
	return rc;
}
