/*
 * store.c — the SQLite store: schema migrations, the single write path, and the
 * one place audit events are appended.
 */
#include "store_internal.h"
#include "store_backend.h"
#include "mamori/audit.h"
#include "mamori/auth.h"
#include "canon.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Migrations, in order: migrations[i] takes a store from version i to i + 1.
 * A newer binary runs the missing ones in one transaction; an older binary
 * refuses a store whose user_version is beyond MAMORI_STORE_SCHEMA.
 */
static const char *const migrations[] = {
	/* 0 → 1: the first schema */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE policy ("
	"  version INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  id TEXT NOT NULL, sha256 TEXT NOT NULL, json TEXT NOT NULL, loaded_at TEXT NOT NULL);"
	"CREATE TABLE asset ("
	"  num INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL, kind TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',"
	"  department TEXT NOT NULL, role TEXT, segment TEXT, location TEXT NOT NULL DEFAULT '',"
	"  c INTEGER NOT NULL, i INTEGER NOT NULL, a INTEGER NOT NULL,"
	"  retention TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disposed')),"
	"  created TEXT NOT NULL, updated TEXT NOT NULL,"
	"  disposed_date TEXT, disposed_method TEXT, disposed_by TEXT, disposed_witness TEXT);"
	"CREATE INDEX asset_department ON asset (department, status);"
	"CREATE INDEX asset_segment ON asset (segment);"
	"CREATE INDEX asset_levels ON asset (c, i, a);"
	"CREATE INDEX asset_kind ON asset (kind);"
	"CREATE TABLE audit_event ("
	"  seq INTEGER PRIMARY KEY,"
	"  time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
	"  object_type TEXT NOT NULL, object_id TEXT NOT NULL, body TEXT NOT NULL,"
	"  leaf BLOB NOT NULL, chain BLOB NOT NULL);"
	"CREATE INDEX audit_event_object ON audit_event (object_id);"
	"CREATE TABLE tree_head ("
	"  size INTEGER PRIMARY KEY, root BLOB NOT NULL, time TEXT NOT NULL,"
	"  pubkey BLOB NOT NULL, signature BLOB NOT NULL);",
	/* 1 → 2: accounts of people and systems (the server's users) */
	"CREATE TABLE user ("
	"  name TEXT PRIMARY KEY,"
	"  role TEXT NOT NULL, department TEXT,"
	"  password TEXT,"
	"  totp_secret TEXT, totp_last_step INTEGER NOT NULL DEFAULT 0,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  failures INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0,"
	"  created TEXT NOT NULL, updated TEXT NOT NULL);"
	"CREATE TABLE api_token ("
	"  hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES user (name),"
	"  scope TEXT NOT NULL, expires INTEGER NOT NULL, created TEXT NOT NULL);",
	/* 2 → 3: register indexes that hold every column a list filter names
	 * except the text, so that a filter is answered from one index alone and
	 * the list query reads only the matching rows, in id order
	 * (asset.c: mamori_asset_list; figures in bench/README.md) */
	"DROP INDEX asset_department;"
	"DROP INDEX asset_segment;"
	"DROP INDEX asset_levels;"
	"DROP INDEX asset_kind;"
	"CREATE INDEX asset_department ON asset (department, segment, c, i, a, kind, status);"
	"CREATE INDEX asset_segment ON asset (segment, c, i, a, kind, status);"
	"CREATE INDEX asset_levels ON asset (c, i, a, kind, status);"
	"CREATE INDEX asset_kind ON asset (kind, status);",
	/* 3 → 4: one index for every filter.  asset_department holds every column
	 * a filter names except the text; a filter that does not start with the
	 * department is answered from it by a skip-scan (SQLite steps over the few
	 * departments, segments, levels), given the statistics a bulk import
	 * gathers.  The three others cost a bulk import twice the time of this one
	 * and made no list measurably faster (figures in bench/README.md). */
	"DROP INDEX asset_segment;"
	"DROP INDEX asset_levels;"
	"DROP INDEX asset_kind;",
	/* 4 → 5: each signed head keeps the Merkle frontier of its tree (the roots
	 * of the perfect subtrees, largest first), so that the next head hashes
	 * only the events since (audit.c: mamori_audit_sign_head); heads signed
	 * before have none, and the next head is computed in full once */
	"ALTER TABLE tree_head ADD COLUMN frontier BLOB;",
	/* 5 → 6: heads are numbered 1, 2, 3 … and sign their number, so that a
	 * head deleted without the key leaves a gap (heads signed before keep no
	 * number); TOTP secrets are sealed with PATH.totp-key (seal_totp below) */
	("ALTER TABLE tree_head ADD COLUMN seq INTEGER;"
	 "CREATE UNIQUE INDEX tree_head_seq ON tree_head (seq);"),
	/* 6 → 7: a password set by an administrator is temporary: its holder
	 * must choose a new one before doing anything else (docs/auth.md) */
	"ALTER TABLE user ADD COLUMN password_temporary INTEGER NOT NULL DEFAULT 0;",
	/* 7 → 8: records of the policy's `records:` kinds (record.c) and the
	 * outbox of notices they send; a record's history is its events */
	("CREATE TABLE record ("
	 "  num INTEGER PRIMARY KEY,"
	 "  id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, seq INTEGER NOT NULL,"
	 "  state TEXT NOT NULL, reporter TEXT NOT NULL, department TEXT,"
	 "  fields TEXT NOT NULL,"
	 "  state_since INTEGER NOT NULL, escalations INTEGER NOT NULL DEFAULT 0,"
	 "  last_by TEXT NOT NULL, approver TEXT,"
	 "  created TEXT NOT NULL, updated TEXT NOT NULL);"
	 "CREATE UNIQUE INDEX record_kind_seq ON record (kind, seq);"
	 "CREATE INDEX record_kind_state ON record (kind, state, num);"
	 "CREATE INDEX record_reporter ON record (reporter, num);"
	 "CREATE TABLE record_notice ("
	 "  num INTEGER PRIMARY KEY, record TEXT NOT NULL, recipient TEXT NOT NULL, reason TEXT NOT NULL,"
	 "  created TEXT NOT NULL, sent TEXT, attempts INTEGER NOT NULL DEFAULT 0, error TEXT);"
	 "CREATE INDEX record_notice_recipient ON record_notice (recipient, num);"),
	/* 8 → 9: the list sorted by name or by the time of the last change: an
	 * index each (its entries end in num), so that a sorted page is a range
	 * of it from the cursor; each holds the columns a filter names (those of
	 * asset_department), so that a filtered page walks index entries only and
	 * reads the rows it hands out (asset_list.c; figures in bench/README.md) */
	("CREATE INDEX asset_name ON asset (name, department, segment, c, i, a, kind, status);"
	 "CREATE INDEX asset_updated ON asset (updated, department, segment, c, i, a, kind, status);"
	 /* and the assets no role answers for (ホーム's count, owner=none):
	  * only they are in it, so that counting them reads no row */
	 "CREATE INDEX asset_without_owner ON asset (department, status) WHERE role IS NULL OR role = '';"),
	/* 9 → 10: notices go out by mail (an account's address; a notice that
	 * could not be sent waits until next_attempt, in seconds since the epoch,
	 * and is tried again), and records carry files, kept beside the store
	 * under their SHA-256 (record_file.c) */
	("ALTER TABLE user ADD COLUMN email TEXT;"
	 "ALTER TABLE record_notice ADD COLUMN next_attempt INTEGER NOT NULL DEFAULT 0;"
	 "CREATE INDEX record_notice_unsent ON record_notice (next_attempt, num) WHERE sent IS NULL;"
	 "CREATE TABLE record_file ("
	 "  num INTEGER PRIMARY KEY, record TEXT NOT NULL, sha256 TEXT NOT NULL,"
	 "  name TEXT NOT NULL, type TEXT, size INTEGER NOT NULL,"
	 "  by TEXT NOT NULL, created TEXT NOT NULL);"
	 "CREATE INDEX record_file_record ON record_file (record, num);"),
	/* 10 → 11: a page of records in one range of an index, whoever asks
	 * (record_list.c): those who see a kind's every record walk it by kind,
	 * the others by what makes a record theirs to see — they reported it,
	 * approved it, or it is of their 課; the entries end in num, so the
	 * keyset cursor is a seek, and carry the state, so that a filter by
	 * state reads no row it does not hand out (bench/README.md) */
	("CREATE INDEX record_kind_num ON record (kind, num, state);"
	 "CREATE INDEX record_reporter_kind ON record (reporter, kind, num, state);"
	 "CREATE INDEX record_approver ON record (approver, kind, num, state) WHERE approver IS NOT NULL;"
	 "CREATE INDEX record_department ON record (department, kind, num, state);"),
	/* 11 → 12 (h-check's migration "14", renumbered at merge): the answers of
	 * a 自己点検 campaign or an audit, per item of the checklist and 課
	 * (selfcheck.c); each change is an event check.answer on the record */
	("CREATE TABLE check_answer ("
	 "  record TEXT NOT NULL, department TEXT NOT NULL, item TEXT NOT NULL,"
	 "  answer TEXT NOT NULL, comment TEXT, evidence TEXT,"
	 "  by TEXT NOT NULL, at TEXT NOT NULL,"
	 "  PRIMARY KEY (record, department, item)) WITHOUT ROWID;"),
};
#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

static int seal_totp(struct mamori_store *s, struct mamori_error *err);
static int heads_from_env(struct mamori_store *s, struct mamori_error *err);

/* What a migration needs beyond SQL, run after its SQL in the same transaction. */
static int (*const migration_code[NMIGRATIONS])(struct mamori_store *, struct mamori_error *) = {
	[5] = seal_totp,
};

_Static_assert(NMIGRATIONS == MAMORI_STORE_SCHEMA, "one migration per schema version");

void
store_now(char buf[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%06dZ", (int)(ts.tv_nsec / 1000) % 1000000);
}

int
store_error(struct mamori_store *s, struct mamori_error *err, const char *what)
{
	return mamori_error_set(err, MAMORI_E_STORE, "%s: %s", what, sqlite3_errmsg(s->db));
}

int
store_exec(struct mamori_store *s, const char *sql, struct mamori_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		mamori_error_set(err, MAMORI_E_STORE, "store: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return MAMORI_E_STORE;
	}
	return 0;
}

sqlite3_stmt *
store_prepare(struct mamori_store *s, const char *sql, struct mamori_error *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_error(s, err, "store");
		return NULL;
	}
	return st;
}

sqlite3_stmt *
store_cached(struct mamori_store *s, const char *sql, struct mamori_error *err)
{
	size_t i;

	for (i = 0; i < STORE_CACHED_MAX && s->cached[i].sql != NULL; i++)
		if (s->cached[i].sql == sql)
			return s->cached[i].st;
	if (i == STORE_CACHED_MAX)
		return store_prepare(s, sql, err);
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->cached[i].st, NULL) != SQLITE_OK) {
		s->cached[i].st = NULL;
		store_error(s, err, "store");
		return NULL;
	}
	s->cached[i].sql = sql;
	return s->cached[i].st;
}

sqlite3_stmt *
store_built(struct mamori_store *s, const char *sql, struct mamori_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	char *copy;

	for (i = 0; i < STORE_BUILT_MAX; i++)
		if (s->built[i].sql != NULL && strcmp(s->built[i].sql, sql) == 0)
			return s->built[i].st;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		store_error(s, err, "store");
		return NULL;
	}
	if ((copy = strdup(sql)) == NULL)	/* uncached: store_release finalizes it */
		return st;
	i = s->built_next++ % STORE_BUILT_MAX;
	sqlite3_finalize(s->built[i].st);
	free(s->built[i].sql);
	s->built[i].sql = copy;
	s->built[i].st = st;
	return st;
}

void
store_release(struct mamori_store *s, sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < STORE_CACHED_MAX && s->cached[i].sql != NULL; i++) {
		if (s->cached[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	}
	for (size_t i = 0; i < STORE_BUILT_MAX; i++) {
		if (s->built[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	}
	sqlite3_finalize(st);
}

static int
user_version(struct mamori_store *s, int *v, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "PRAGMA user_version", err);

	if (st == NULL)
		return MAMORI_E_STORE;
	*v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

const char *
store_migration_sql(int i)
{
	return i >= 0 && i < (int)NMIGRATIONS ? migrations[i] : NULL;
}

/*
 * A copy of the store as it was before an upgrade, PATH.schema-V.bak (mode
 * 0600), by SQLite's online backup: a migration that goes wrong, or a newer
 * mamori taken back, leaves the old store to return to (docs/service.md,
 * "Upgrades").  An existing copy of the same version is kept (it is the
 * oldest state of that version).  The upgrade is refused when the copy
 * cannot be made.
 */
static int
backup_before_migration(struct mamori_store *s, int v, struct mamori_error *err)
{
	char path[4200];
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	struct stat sb;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s.schema-%d.bak", s->path, v);
	if (stat(path, &sb) == 0)
		return 0;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return mamori_error_set(err, MAMORI_E_IO, "%s: cannot make the copy %s before upgrading the "
		    "store from schema %d: %s", s->path, path, v, strerror(errno));
	close(fd);
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    (b = sqlite3_backup_init(dst, "main", s->db, "main")) == NULL ||
	    (sqlite3_backup_step(b, -1), sqlite3_backup_finish(b)) != SQLITE_OK) {
		rc = mamori_error_set(err, MAMORI_E_IO, "%s: cannot make the copy %s before upgrading the "
		    "store from schema %d: %s", s->path, path, v, dst ? sqlite3_errmsg(dst) : "out of memory");
		unlink(path);
	}
	sqlite3_close(dst);
	return rc;
}

static int
migrate(struct mamori_store *s, struct mamori_error *err)
{
	int v, rc;
	char sql[64];

	if ((rc = user_version(s, &v, err)) != 0)
		return rc;
	if (v > MAMORI_STORE_SCHEMA)
		return mamori_error_set(err, MAMORI_E_VERSION,
		    "%s: store schema version %d is newer than this mamori (%d); upgrade mamori",
		    s->path, v, MAMORI_STORE_SCHEMA);
	if (v == MAMORI_STORE_SCHEMA)
		return 0;
	/* version 0 is a store being made (mamori_store_create): nothing to keep */
	if (v > 0 && (rc = backup_before_migration(s, v, err)) != 0)
		return rc;
	if ((rc = store_exec(s, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	for (int i = v; i < (int)NMIGRATIONS; i++)
		if ((rc = store_exec(s, migrations[i], err)) != 0 ||
		    (migration_code[i] != NULL && (rc = migration_code[i](s, err)) != 0))
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", MAMORI_STORE_SCHEMA);
	if ((rc = store_exec(s, sql, err)) != 0 || (rc = store_exec(s, "COMMIT", err)) != 0)
		goto fail;
	return 0;
fail:
	store_exec(s, "ROLLBACK", NULL);
	return rc;
}

/*
 * Makes the new store file, empty, mode 0600 whatever the umask: SQLite would
 * make it 0644 less the umask, and gives the -wal and -shm it makes later the
 * main file's mode, so this one mode keeps all three to their owner.
 */
static int
create_private(const char *path, struct mamori_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return mamori_error_set(err, errno == EEXIST ? MAMORI_E_CONFLICT : MAMORI_E_IO,
		    "cannot create store %s: %s", path, strerror(errno));
	if (fchmod(fd, 0600) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return mamori_error_set(err, MAMORI_E_IO, "cannot create store %s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

/*
 * Refuses a store file (or its -wal, -shm) that other accounts may read or
 * change, or its group change: it holds password hashes, sealed TOTP secrets
 * and the register.  A group may read (0640) when it must.
 */
static int
check_private(const char *path, struct mamori_error *err)
{
	static const char *const side[] = { "", "-wal", "-shm" };
	char file[4096];
	struct stat sb;

	for (size_t i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
		snprintf(file, sizeof(file), "%s%s", path, side[i]);
		if (stat(file, &sb) != 0 || (sb.st_mode & 0027) == 0)
			continue;
		return mamori_error_set(err, MAMORI_E_IO, "%s: the store may be %s by other accounts "
		    "(mode %04o); it holds password hashes, TOTP secrets and the register. Run "
		    "'chmod 600 %s %s-wal %s-shm' (or 640 when a group must read it) and open it again",
		    file, (sb.st_mode & 0007) ? "read or changed" : "changed", (unsigned)(sb.st_mode & 07777),
		    path, path, path);
	}
	return 0;
}

/* Opens the SQLite file with the settings every connection needs. */
static int
connect(const char *path, int flags, struct mamori_store **out, struct mamori_error *err)
{
	struct mamori_store *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	s->backend = &store_backend_sqlite;
	if ((flags & SQLITE_OPEN_CREATE) && (rc = create_private(path, err)) != 0) {
		mamori_store_close(&s);
		return rc;
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot open store %s: %s", path,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory");
		mamori_store_close(&s);
		return rc;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/* a new store gets 16 KiB pages (SQLite's default is 4 KiB): a quarter of
	 * the pages to find, fill and write for the same rows; a bulk import of a
	 * million assets takes an eighth less CPU (mostly the kernel's) and a
	 * quarter less time (bench/README.md).  It must be set before anything is
	 * written, so an existing store keeps its page size */
	if ((flags & SQLITE_OPEN_CREATE) && (rc = store_exec(s, "PRAGMA page_size = 16384", err)) != 0) {
		mamori_store_close(&s);
		return rc;
	}
	/* WAL for concurrent readers; FULL so that a committed change survives power
	 * loss, not only a crash of the process (NORMAL would risk the last commits).
	 * Reads go through a memory map (up to 2 GB, this SQLite's limit): a page
	 * is not copied out of the OS cache first, which a list of tens of
	 * thousands of scattered rows notices; writes still go through the WAL. */
	if ((rc = store_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON; PRAGMA mmap_size = 2147418112;", err)) != 0) {
		mamori_store_close(&s);
		return rc;
	}
	*out = s;
	return 0;
}

static int
load_meta(struct mamori_store *s, struct mamori_error *err)
{
	sqlite3_stmt *st;
	struct mamori_diags diags = { 0 };
	int rc = 0;

	st = store_prepare(s, "SELECT value FROM meta WHERE key = 'log_id'", err);
	if (st == NULL)
		return MAMORI_E_STORE;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(s->log_id, sizeof(s->log_id), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);

	st = store_prepare(s, "SELECT version, json FROM policy ORDER BY version DESC LIMIT 1", err);
	if (st == NULL)
		return MAMORI_E_STORE;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = mamori_error_set(err, MAMORI_E_STORE, "%s: the store holds no policy; "
		    "create stores with 'mamori init --policy FILE'", s->path);
	} else {
		const char *json = (const char *)sqlite3_column_text(st, 1);
		struct mamori_policy *p = NULL;
		rc = mamori_policy_load_buffer(s->path, json, strlen(json), &diags, &p);
		if (rc != 0)
			rc = mamori_error_set(err, MAMORI_E_STORE, "%s: the stored policy no longer "
			    "loads (%s)", s->path, diags.count ? diags.items[0].message : "invalid");
		else if ((rc = store_set_policy(s, p, sqlite3_column_int64(st, 0))) != 0)
			mamori_error_set(err, rc, "out of memory");
	}
	sqlite3_finalize(st);
	mamori_diags_clear(&diags);
	return rc;
}

static int
open_existing(const char *path, int flags, struct mamori_store **out, struct mamori_error *err)
{
	struct mamori_store *s;
	struct stat sb;
	int rc;

	*out = NULL;
	if (stat(path, &sb) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "no store at %s (create one with "
		    "'mamori init --policy FILE --db %s')", path, path);
	if ((rc = check_private(path, err)) != 0)
		return rc;
	if ((rc = connect(path, flags, &s, err)) != 0)
		return rc;
	if ((rc = migrate(s, err)) != 0 || (rc = load_meta(s, err)) != 0 ||
	    (rc = heads_from_env(s, err)) != 0) {
		mamori_store_close(&s);
		return rc;
	}
	*out = s;
	return 0;
}

int
mamori_store_open(const char *path, struct mamori_store **out, struct mamori_error *err)
{
	return open_existing(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, out, err);
}

int
mamori_store_open_private(const char *path, struct mamori_store **out, struct mamori_error *err)
{
	return open_existing(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, out, err);
}

int
mamori_store_open_reader(const struct mamori_store *primary, struct mamori_store **out,
    struct mamori_error *err)
{
	struct mamori_store *s;
	int rc;

	*out = NULL;
	/* NOMUTEX: a reader belongs to one thread, so SQLite's per-call mutex is waste */
	if ((rc = connect(primary->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, &s, err)) != 0)
		return rc;
	/* reads map the file instead of copying each page through read(2): the list
	 * route touches thousands of scattered rows (bench/README.md, Server) */
	if ((rc = store_exec(s, "PRAGMA query_only = ON; PRAGMA mmap_size = 1073741824", err)) != 0) {
		mamori_store_close(&s);
		return rc;
	}
	s->policy = primary->policy;
	s->policy_borrowed = true;
	snprintf(s->log_id, sizeof(s->log_id), "%s", primary->log_id);
	*out = s;
	return 0;
}

void
mamori_store_reader_use_policy(struct mamori_store *reader, const struct mamori_policy *p)
{
	/* a reader neither frees nor changes the policy it borrows */
	if (reader->policy_borrowed)
		reader->policy = (struct mamori_policy *)p;
}

int64_t
mamori_store_data_version(struct mamori_store *s)
{
	static const char sql[] = "PRAGMA data_version";
	struct mamori_error err;
	sqlite3_stmt *st = store_cached(s, sql, &err);
	int64_t v = -1;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	store_release(s, st);
	return v;
}

int64_t
mamori_store_read_begin(struct mamori_store *s)
{
	static const char begin[] = "BEGIN";
	struct mamori_error err;
	sqlite3_stmt *st = store_cached(s, begin, &err);
	int64_t v;
	int ok;

	if (st == NULL)
		return -1;
	ok = sqlite3_step(st) == SQLITE_DONE;
	store_release(s, st);
	/* the pragma reads the database, which starts the transaction's snapshot */
	v = ok ? mamori_store_data_version(s) : -1;
	s->snapshot_version = v;
	s->in_snapshot = v >= 0 && s->policy_borrowed;	/* readers only: see store_internal.h */
	return v;
}

void
mamori_store_read_end(struct mamori_store *s)
{
	static const char commit[] = "COMMIT";
	struct mamori_error err;
	sqlite3_stmt *st;

	s->in_snapshot = false;
	if (sqlite3_get_autocommit(s->db))
		return;
	if ((st = store_cached(s, commit, &err)) != NULL) {
		sqlite3_step(st);
		store_release(s, st);
	}
	if (!sqlite3_get_autocommit(s->db))	/* a read transaction cannot fail to end; still */
		store_exec(s, "ROLLBACK", NULL);
}

/* The policy load at init: the policy's JSON and its first audit event. */
struct init_arg {
	const struct mamori_policy *policy;
	const char *log_id;
};

static int
init_tx(struct mamori_store_tx *tx, void *arg)
{
	struct init_arg *a = arg;
	struct mamori_store *s = tx->store;
	struct mamori_error err;
	char *json = mamori_policy_to_json(a->policy, false);
	char hash[65], now[32];
	sqlite3_stmt *st = NULL;
	cJSON *after = NULL;
	int rc = MAMORI_E_STORE;

	if (json == NULL)
		return MAMORI_E_NOMEM;
	sodium_bin2hex(hash, sizeof(hash), a->policy->sha256, 32);
	store_now(now);
	st = store_prepare(s, "INSERT INTO meta (key, value) VALUES ('log_id', ?1), ('created', ?2)", &err);
	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, a->log_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = store_prepare(s, "INSERT INTO policy (id, sha256, json, loaded_at) VALUES (?1, ?2, ?3, ?4)", &err);
	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, a->policy->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, "id", a->policy->id);
	cJSON_AddStringToObject(after, "version", a->policy->version);
	cJSON_AddStringToObject(after, "sha256", hash);
	cJSON_AddStringToObject(after, "file", a->policy->path);
	rc = mamori_store_tx_event(tx, "policy.load", "policy", a->policy->id, NULL, after);
out:
	sqlite3_finalize(st);
	cJSON_Delete(after);
	free(json);
	return rc;
}

static void
key_paths(const char *path, char *key, char *pub, size_t n)
{
	snprintf(key, n, "%s.key", path);
	snprintf(pub, n, "%s.pub", path);
}

/* ---- the key that seals secrets at rest ------------------------------- */

static const char secret_tag[] = "mamori-xchacha20poly1305-key ";

/* Writes a new key file (O_EXCL, 0600 whatever the umask) holding key. */
static int
secret_key_create(const char *path, const unsigned char key[32], struct mamori_error *err)
{
	char line[128];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t n;
	int rc = 0;

	if (fd < 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot create the secrets key %s: %s", path, strerror(errno));
	memcpy(line, secret_tag, sizeof(secret_tag) - 1);
	sodium_bin2base64(line + sizeof(secret_tag) - 1, sizeof(line) - sizeof(secret_tag), key, 32,
	    sodium_base64_VARIANT_ORIGINAL);
	n = strlen(line);
	line[n++] = '\n';
	if (fchmod(fd, 0600) != 0 || write(fd, line, n) != (ssize_t)n || fsync(fd) != 0) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write the secrets key %s: %s", path, strerror(errno));
		unlink(path);
	}
	close(fd);
	sodium_memzero(line, sizeof(line));
	return rc;
}

/* Reads a key file: one line "mamori-xchacha20poly1305-key <base64 of 32 bytes>". */
static int
secret_key_read(const char *path, unsigned char key[32], struct mamori_error *err)
{
	char line[256];
	size_t len = 0, tag = sizeof(secret_tag) - 1;
	struct stat sb;
	FILE *f;
	int rc = 0;

	if (stat(path, &sb) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot read the secrets key %s: %s", path, strerror(errno));
	if ((sb.st_mode & 077) != 0)
		return mamori_error_set(err, MAMORI_E_IO, "%s: the key that seals TOTP secrets may be read by "
		    "others (mode %03o); run 'chmod 600 %s' and consider the secrets exposed (enrol MFA again)",
		    path, (unsigned)(sb.st_mode & 0777), path);
	if ((f = fopen(path, "re")) == NULL)
		return mamori_error_set(err, MAMORI_E_IO, "cannot read the secrets key %s: %s", path, strerror(errno));
	if (fgets(line, sizeof(line), f) == NULL || strncmp(line, secret_tag, tag) != 0 ||
	    sodium_base642bin(key, 32, line + tag, strcspn(line + tag, "\r\n"), NULL, &len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || len != 32)
		rc = mamori_error_set(err, MAMORI_E_IO, "%s:1: not a mamori secrets key (expected one line "
		    "'%s<base64>')", path, secret_tag);
	fclose(f);
	sodium_memzero(line, sizeof(line));
	return rc;
}

int
store_secret_key(struct mamori_store *s, bool create, unsigned char key[32], struct mamori_error *err)
{
	char path[4096];
	struct stat sb;
	int rc;

	if (!s->secret_key_known) {
		snprintf(path, sizeof(path), "%s.totp-key", s->path);
		if (create && lstat(path, &sb) != 0 && errno == ENOENT) {
			unsigned char fresh[32];
			if (sodium_init() < 0)
				return mamori_error_set(err, MAMORI_E_NOMEM, "libsodium failed to initialise");
			randombytes_buf(fresh, sizeof(fresh));
			rc = secret_key_create(path, fresh, err);
			sodium_memzero(fresh, sizeof(fresh));
			if (rc != 0)
				return rc;
		}
		if ((rc = secret_key_read(path, s->secret_key, err)) != 0)
			return rc;
		s->secret_key_known = true;
	}
	memcpy(key, s->secret_key, 32);
	return 0;
}

/* Migration 5 → 6: every TOTP secret stored in clear is sealed with the store's key. */
static int
seal_totp(struct mamori_store *s, struct mamori_error *err)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	char secret[MAMORI_TOTP_SECRET_LEN], sealed[MAMORI_TOTP_SEALED_LEN];
	unsigned char key[32];
	int rc, step;

	if ((rc = store_secret_key(s, true, key, err)) != 0)
		return rc;
	/* the secrets in clear are overwritten where they were, not merely freed
	 * (Debian's SQLite does this by default; other builds may not) */
	if ((rc = store_exec(s, "PRAGMA secure_delete = ON", err)) != 0)
		return rc;
	sel = store_prepare(s, "SELECT name, totp_secret FROM user WHERE totp_secret IS NOT NULL "
	    "AND substr(totp_secret, 1, 3) <> 'x1:'", err);
	upd = store_prepare(s, "UPDATE user SET totp_secret = ?2 WHERE name = ?1", err);
	if (sel == NULL || upd == NULL) {
		rc = MAMORI_E_STORE;
		goto out;
	}
	/* an updated row no longer matches the SELECT, so it is never sealed twice */
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(sel, 0);
		snprintf(secret, sizeof(secret), "%s", (const char *)sqlite3_column_text(sel, 1));
		mamori_auth_totp_seal(key, name, secret, sealed);
		sqlite3_reset(upd);
		sqlite3_bind_text(upd, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(upd, 2, sealed, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(upd) != SQLITE_DONE) {
			rc = store_error(s, err, "cannot seal the TOTP secrets");
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		rc = store_error(s, err, "cannot read the TOTP secrets");
out:
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(key, sizeof(key));
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return rc;
}

void
mamori_store_head_sink(struct mamori_store *s, void (*sink)(const char *line, void *data), void *data)
{
	s->head_sink = sink;
	s->head_sink_data = data;
}

int
mamori_store_publish_heads(struct mamori_store *s, const char *dir, struct mamori_error *err)
{
	struct stat sb;
	char *copy = NULL;

	if (dir != NULL && dir[0] != '\0') {
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
			return mamori_error_set(err, MAMORI_E_IO, "%s: not a directory to publish signed heads to "
			    "(create it, or unset MAMORI_HEADS_OUT)", dir);
		if ((copy = strdup(dir)) == NULL)
			return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	free(s->heads_out);
	s->heads_out = copy;
	return 0;
}

int
mamori_store_create(const char *path, const char *policy_path, const char *actor,
    struct mamori_diags *diags, struct mamori_store **out, struct mamori_error *err)
{
	struct mamori_store *s = NULL;
	struct mamori_policy *p = NULL;
	struct init_arg arg;
	unsigned char rnd[16];
	char log_id[40], key[4096], pub[4096];
	struct stat sb;
	int rc;

	*out = NULL;
	if (stat(path, &sb) == 0)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "%s exists already; mamori init "
		    "makes a new store and never overwrites one", path);
	rc = mamori_policy_load(policy_path, diags, &p);
	if (rc != 0)
		return mamori_error_set(err, rc, "%s: the policy is %s", policy_path,
		    rc == MAMORI_E_INVALID ? "invalid (see the messages above)" : "unreadable");
	key_paths(path, key, pub, sizeof(key));
	if ((rc = mamori_audit_keygen(key, pub, err)) != 0)
		goto fail;
	if ((rc = connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &s, err)) != 0 ||
	    (rc = migrate(s, err)) != 0 || (rc = heads_from_env(s, err)) != 0)
		goto fail_keys;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(log_id, 33, rnd, sizeof(rnd));
	arg = (struct init_arg){ p, log_id };
	/* the first change signs the first head, which names the log */
	snprintf(s->log_id, sizeof(s->log_id), "%s", log_id);
	if ((rc = mamori_store_write(s, actor, init_tx, &arg, err)) != 0 ||
	    (rc = load_meta(s, err)) != 0 || (rc = mamori_audit_sign_head(s, NULL, err)) != 0)
		goto fail_keys;
	mamori_policy_free(&p);
	*out = s;
	return 0;
fail_keys:
	/* nothing half-made: no store file without its keys, no keys without a store */
	mamori_store_close(&s);
	unlink(path);
	{
		char side[4096];
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s.totp-key", path);
		unlink(side);
	}
	unlink(key);
	unlink(pub);
fail:
	mamori_policy_free(&p);
	return rc;
}

void
mamori_store_close(struct mamori_store **sp)
{
	struct mamori_store *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	for (size_t i = 0; i < STORE_CACHED_MAX; i++)
		sqlite3_finalize(s->cached[i].st);
	for (size_t i = 0; i < STORE_BUILT_MAX; i++) {
		sqlite3_finalize(s->built[i].st);
		free(s->built[i].sql);
	}
	if (s->db != NULL)
		sqlite3_close(s->db);
	if (!s->policy_borrowed)
		mamori_policy_free(&s->policy);
	for (size_t i = 0; i < s->nretired; i++)
		mamori_policy_free(&s->retired[i]);
	free(s->retired);
	free(s->path);
	free(s->heads_out);
	sodium_memzero(s->secret_key, sizeof(s->secret_key));
	free(s);
	*sp = NULL;
}

int
store_set_policy(struct mamori_store *s, struct mamori_policy *p, int64_t version)
{
	if (s->policy != NULL) {
		struct mamori_policy **r = realloc(s->retired, (s->nretired + 1) * sizeof(*r));
		if (r == NULL) {
			mamori_policy_free(&p);
			return MAMORI_E_NOMEM;
		}
		s->retired = r;
		s->retired[s->nretired++] = s->policy;
	}
	s->policy = p;
	s->policy_version = version;
	return 0;
}

int64_t
store_policy_version(struct mamori_store *s)
{
	struct mamori_error err;
	sqlite3_stmt *st = store_prepare(s, "SELECT coalesce(max(version), 0) FROM policy", &err);
	int64_t v = 0;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
mamori_store_policy_reload(struct mamori_store *s, bool *changed, struct mamori_error *err)
{
	*changed = s->policy != NULL && store_policy_version(s) != s->policy_version;
	return *changed ? load_meta(s, err) : 0;
}

const struct mamori_policy *
mamori_store_policy(const struct mamori_store *s)
{
	return s->policy;
}

const char *
mamori_store_path(const struct mamori_store *s)
{
	return s->path;
}

const char *
mamori_store_log_id(const struct mamori_store *s)
{
	return s->log_id;
}

void
mamori_store_tx_actor(struct mamori_store_tx *tx, const char *actor)
{
	tx->actor = actor;
}

struct mamori_store *
mamori_store_tx_store(struct mamori_store_tx *tx)
{
	return tx->store;
}

/* Signs a head when N events or T seconds have passed since the last one. */
static void
maybe_sign_head(struct mamori_store *s)
{
	int64_t every_events = mamori_store_config_int(s, "head.every_events", 1000);
	int64_t every_seconds = mamori_store_config_int(s, "head.every_seconds", 3600);
	struct mamori_head last;
	struct mamori_error err;
	uint64_t size;
	int64_t count;

	if (s->backend->audit->size(s, &size, &err) != 0)
		return;
	count = (int64_t)size;
	if (mamori_audit_latest_head(s, &last, &err) != 0) {
		mamori_audit_sign_head(s, NULL, &err);
		return;
	}
	if (count == (int64_t)last.size)
		return;
	struct tm tm = { 0 };
	time_t then;
	if (strptime(last.time, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return;
	then = timegm(&tm);
	if (count - (int64_t)last.size >= every_events || time(NULL) - then >= every_seconds)
		mamori_audit_sign_head(s, NULL, &err);	/* best effort: verify signs anew */
}

int
mamori_store_write(struct mamori_store *s, const char *actor,
    int (*fn)(struct mamori_store_tx *tx, void *arg), void *arg, struct mamori_error *err)
{
	struct mamori_store_tx tx = { .store = s, .actor = actor };
	int rc;

	if (actor == NULL || actor[0] == '\0')
		return mamori_error_set(err, MAMORI_E_USAGE, "every change needs an actor");
	if ((rc = store_exec(s, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	/* Another connection replaced the policy since this one loaded it: the
	 * change was checked against the old policy, so refuse it (the caller
	 * tries again, now under the new one).  One indexed read per write. */
	if (s->policy != NULL && store_policy_version(s) != s->policy_version) {
		struct mamori_error lerr;
		store_exec(s, "ROLLBACK", NULL);
		if (load_meta(s, &lerr) != 0)
			return mamori_error_set(err, lerr.code, "%s", lerr.message);
		return mamori_error_set(err, MAMORI_E_CONFLICT, "the store's policy was replaced "
		    "(now %s) while this change was prepared; try again", s->policy->id);
	}
	int64_t changes = sqlite3_total_changes64(s->db);
	rc = fn(&tx, arg);
	s->backend->audit->append_end(&tx);
	/* a transaction that found nothing to do (record tick) changed nothing */
	if (rc == 0 && tx.events == 0 && sqlite3_total_changes64(s->db) != changes)
		rc = mamori_error_set(err, MAMORI_E_STORE, "internal: a change without its audit event");
	if (rc == 0)
		rc = store_exec(s, "COMMIT", err);
	if (rc != 0) {
		store_exec(s, "ROLLBACK", NULL);
		if (err != NULL && err->code == 0)
			mamori_error_set(err, rc, "%s", mamori_strerror(rc));
		return rc;
	}
	if (tx.leaves_after_known) {
		s->leaves = tx.leaves_after;
		s->leaves_known = true;
	}
	if (tx.events > 0)
		maybe_sign_head(s);
	return 0;
}

/* The last event's seq and chain hash, read once per transaction. */
static int
last_event(struct mamori_store_tx *tx)
{
	struct mamori_error err;
	int rc;

	if (tx->have_last)
		return 0;
	if ((rc = tx->store->backend->audit->last(tx->store, &tx->last_seq, tx->last_chain, &err)) != 0)
		return rc;
	tx->have_last = true;
	return 0;
}

void
store_clock_now(struct store_clock *c, char buf[32])
{
	struct timespec ts;
	int us;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != c->sec || c->text[0] == '\0') {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		if (strftime(c->text, sizeof(c->text), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
			c->text[0] = '\0';
			store_now(buf);
			return;
		}
		c->sec = ts.tv_sec;
	}
	/* the same text as store_now: date, time, '.', six digits of microseconds, 'Z' */
	size_t n = strlen(c->text);
	memcpy(buf, c->text, n);
	us = (int)(ts.tv_nsec / 1000) % 1000000;
	buf[n++] = '.';
	for (int d = 100000; d > 0; d /= 10)
		buf[n++] = (char)('0' + us / d % 10);
	buf[n++] = 'Z';
	buf[n] = '\0';
}

void
store_tx_now(struct mamori_store_tx *tx, char buf[32])
{
	store_clock_now(&tx->clock, buf);
}

int
store_tx_last(struct mamori_store_tx *tx, int64_t *seq, unsigned char chain[32])
{
	int rc = last_event(tx);

	if (rc == 0) {
		*seq = tx->last_seq;
		memcpy(chain, tx->last_chain, 32);
	}
	return rc;
}

int
store_tx_event_hashed(struct mamori_store_tx *tx, const struct mamori_event *ev,
    const unsigned char leaf[32], const unsigned char chain[32])
{
	struct mamori_error err;
	int rc;

	if ((rc = last_event(tx)) != 0)
		return rc;
	if (ev->seq != tx->last_seq + 1)	/* hashed against another last event: refuse, never chain wrongly */
		return MAMORI_E_STORE;
	if ((rc = tx->store->backend->audit->append(tx, ev, leaf, chain, &err)) != 0)
		return rc;
	tx->last_seq = ev->seq;
	memcpy(tx->last_chain, chain, 32);
	tx->events++;
	return 0;
}

void
store_tx_leaves(struct mamori_store_tx *tx, const struct mamori_merkle_acc *acc)
{
	tx->leaves_after_known = tx->have_last && acc->size == (uint64_t)tx->last_seq;
	if (tx->leaves_after_known)
		tx->leaves_after = *acc;
}

int
store_tx_event_body(struct mamori_store_tx *tx, const char *action, const char *object_type,
    const char *object_id, const char *body)
{
	struct mamori_event ev;
	unsigned char leaf[32], chain[32];
	char now[32];
	int rc;

	if ((rc = last_event(tx)) != 0)
		return rc;
	store_tx_now(tx, now);
	ev = (struct mamori_event){ tx->last_seq + 1, now, tx->actor, action, object_type,
		object_id, body };
	mamori_event_leaf(&ev, leaf);
	mamori_event_chain(tx->last_chain, leaf, chain);
	return store_tx_event_hashed(tx, &ev, leaf, chain);
}

int
mamori_store_tx_event(struct mamori_store_tx *tx, const char *action, const char *object_type,
    const char *object_id, const cJSON *before, const cJSON *after)
{
	char *body = mamori_canon_body(before, after);
	int rc;

	if (body == NULL)
		return MAMORI_E_NOMEM;
	rc = store_tx_event_body(tx, action, object_type, object_id, body);
	free(body);
	return rc;
}

struct config_arg {
	const char *key, *value;
};

static int
config_tx(struct mamori_store_tx *tx, void *arg)
{
	struct config_arg *a = arg;
	struct mamori_error err;
	sqlite3_stmt *st = store_prepare(tx->store,
	    "INSERT INTO config (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", &err);
	cJSON *after;
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, a->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MAMORI_E_STORE;
	sqlite3_finalize(st);
	if (rc != 0)
		return rc;
	after = cJSON_CreateObject();
	cJSON_AddStringToObject(after, a->key, a->value);
	rc = mamori_store_tx_event(tx, "config.set", "config", a->key, NULL, after);
	cJSON_Delete(after);
	return rc;
}

int
mamori_store_config_set(struct mamori_store *s, const char *actor, const char *key,
    const char *value, struct mamori_error *err)
{
	struct config_arg a = { key, value };
	struct mamori_error ignore;
	int rc = mamori_store_write(s, actor, config_tx, &a, err);

	/* a change of the head schedule is signed at once: log verify reads the
	 * schedule from these events, so one forged after the newest head (to
	 * excuse the heads missing since) is refused as a change no head covers */
	if (rc == 0 && strncmp(key, "head.every_", 11) == 0)
		mamori_audit_sign_head(s, NULL, &ignore);	/* best effort, as after any change */
	return rc;
}

int64_t
mamori_store_config_int(struct mamori_store *s, const char *key, int64_t def)
{
	struct mamori_error err;
	sqlite3_stmt *st = store_prepare(s, "SELECT value FROM config WHERE key = ?1", &err);
	int64_t v = def;

	if (st == NULL)
		return def;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char *end;
		const char *txt = (const char *)sqlite3_column_text(st, 0);
		long long x = strtoll(txt, &end, 10);
		if (*end == '\0' && end != txt)
			v = x;
	}
	sqlite3_finalize(st);
	return v;
}

/* Where heads go from the environment: MAMORI_HEADS_OUT, MAMORI_HEADS_SYSLOG. */
static int
heads_from_env(struct mamori_store *s, struct mamori_error *err)
{
	const char *sl = getenv("MAMORI_HEADS_SYSLOG");

	if (sl != NULL && sl[0] != '\0' && strcmp(sl, "0") != 0 && strcmp(sl, "1") != 0)
		return mamori_error_set(err, MAMORI_E_IO, "MAMORI_HEADS_SYSLOG must be 1 (send signed heads to "
		    "syslog) or 0, not '%s'", sl);
	mamori_store_head_sink(s, sl != NULL && strcmp(sl, "1") == 0 ? mamori_head_syslog : NULL, NULL);
	return mamori_store_publish_heads(s, getenv("MAMORI_HEADS_OUT"), err);
}
