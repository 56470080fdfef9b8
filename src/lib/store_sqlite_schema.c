/*
 * store_sqlite_schema.c — SQLite's schema: the migrations that take a store
 * from each version to the next, and the run of them at open
 * (store_meta_ops.migrate).
 */
#include "store_internal.h"
#include "store_sqlite.h"
#include "mamori/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

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

/* What a migration needs beyond SQL, run after its SQL in the same transaction. */
static int (*const migration_code[NMIGRATIONS])(struct mamori_store *, struct mamori_error *) = {
	[5] = seal_totp,
};

_Static_assert(NMIGRATIONS == MAMORI_STORE_SCHEMA, "one migration per schema version");

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

const char *
store_migration_sql(int i)
{
	return i >= 0 && i < (int)NMIGRATIONS ? migrations[i] : NULL;
}

int
store_sqlite_migrate(struct mamori_store *s, int from, struct mamori_error *err)
{
	char sql[64];
	int rc;

	if ((rc = store_exec(s, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	for (int i = from; i < (int)NMIGRATIONS; i++)
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
