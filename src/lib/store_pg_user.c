/*
 * store_pg_user.c — the accounts in PostgreSQL: the tables "user" (quoted: a
 * reserved word there) and api_token (its column "user" too), and what a
 * person's holdings read of asset and record, behind store_user_ops
 * (store_ops_user.h), with the same answers as SQLite's
 * (store_sqlite_user.c).  The tables are store_pg_schema.c's.
 */
#include "store_backend.h"
#include "store_internal.h"
#include "store_ops_user.h"
#include "store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Now as SQLite's strftime('%Y-%m-%dT%H:%M:%fZ', 'now') writes it: UTC, to
 * the millisecond.  The statement's time, not the transaction's, so that
 * two tokens made in one transaction are told apart as SQLite tells them.
 */
#define NOW "to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* The columns row_from reads, in its order. */
#define USER_COLUMNS "name, role, department, email, password, totp_secret, created, disabled, " \
	"password_temporary, failures, locked_until, totp_last_step"

/* A text column, NULL for SQL's NULL (the ops' structs tell "none" by NULL). */
static const char *
opt(const PGresult *r, int row, int col)
{
	return store_pg_null(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static void
row_from(const PGresult *r, int i, struct store_user_row *u)
{
	*u = (struct store_user_row){
		.name = opt(r, i, 0),
		.role = opt(r, i, 1),
		.department = opt(r, i, 2),
		.email = opt(r, i, 3),
		.password = opt(r, i, 4),
		.totp_secret = opt(r, i, 5),
		.created = opt(r, i, 6),
		.disabled = store_pg_int64(r, i, 7) != 0,
		.password_temporary = store_pg_int64(r, i, 8) != 0,
		.failures = (int)store_pg_int64(r, i, 9),
		.locked_until = store_pg_int64(r, i, 10),
		.totp_last_step = store_pg_int64(r, i, 11),
	};
}

/* The rows an INSERT, UPDATE or DELETE changed: what SQLite's changes() tells. */
static int
changed(PGresult *r)
{
	const char *n = PQcmdTuples(r);

	return n != NULL && *n ? (int)strtol(n, NULL, 10) : 0;
}

/* Runs a write of the store's and gives the rows it changed into *n (n may be NULL). */
static int
write_n(struct mamori_store *s, const char *sql, const struct store_pg_params *p, int *n,
    struct mamori_error *err)
{
	PGresult *r = NULL;
	int rc = store_pg_run(s, sql, p, &r, err);

	if (rc == 0 && n != NULL)
		*n = changed(r);
	PQclear(r);
	return rc;
}

/* Runs a change of the one account name (p's $1): MAMORI_E_NOTFOUND unless it changed exactly one row. */
static int
change_one(struct mamori_store_tx *tx, const char *sql, const struct store_pg_params *p, const char *name,
    struct mamori_error *err)
{
	int n = 0, rc = write_n(tx->store, sql, p, &n, err);

	if (rc == 0 && n != 1)
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "no user %s", name);
	return rc;
}

/* Runs sql of $1 = key that changes any number of rows, *n of them (n may be NULL). */
static int
change_all(struct mamori_store_tx *tx, const char *sql, const char *key, int *n, struct mamori_error *err)
{
	struct store_pg_params p = { 0 };

	store_pg_text(&p, key);
	return write_n(tx->store, sql, &p, n, err);
}

/* ---- accounts ----------------------------------------------------------- */

static int
pg_get(struct mamori_store *s, const char *name, int (*fn)(const struct store_user_row *u, void *ctx),
    void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT " USER_COLUMNS " FROM \"user\" WHERE name = $1";
	struct store_pg_params p = { 0 };
	struct store_user_row u;
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, name);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) > 0) {
		row_from(r, 0, &u);
		rc = fn(&u, ctx);
	} else {
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "no user %s", name);
	}
	PQclear(r);
	return rc;
}

static int
pg_list(struct mamori_store *s, int (*fn)(const struct store_user_row *u, void *ctx), void *ctx,
    struct mamori_error *err)
{
	/* a municipality's staff, not a log: one result holds them all */
	static const char sql[] = "SELECT " USER_COLUMNS " FROM \"user\" ORDER BY name";
	struct store_user_row u;
	PGresult *r = NULL;
	int rc;

	if ((rc = store_pg_run(s, sql, NULL, &r, err)) != 0)
		return rc;
	for (int i = 0, n = PQntuples(r); rc == 0 && i < n; i++) {
		row_from(r, i, &u);
		rc = fn(&u, ctx);
	}
	PQclear(r);
	return rc;
}

static int
pg_add(struct mamori_store_tx *tx, const struct store_user_new *u, struct mamori_error *err)
{
	static const char sql[] = "INSERT INTO \"user\" (name, role, department, password, password_temporary, "
	    "email, created, updated) VALUES ($1, $2, $3, $4, $5, $6, " NOW ", " NOW ")";
	struct store_pg_params p = { 0 };
	int rc;

	store_pg_text(&p, u->name);
	store_pg_text(&p, u->role);
	store_pg_text(&p, u->department);
	store_pg_text(&p, u->password);
	store_pg_int(&p, u->password_temporary ? 1 : 0);
	store_pg_text(&p, u->email);
	rc = store_pg_run(tx->store, sql, &p, NULL, err);
	if (rc == MAMORI_E_CONFLICT)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "user %s exists already", u->name);
	return rc;
}

static int
pg_set_email(struct mamori_store_tx *tx, const char *name, const char *email, struct mamori_error *err)
{
	static const char sql[] = "UPDATE \"user\" SET email = $2, updated = " NOW " WHERE name = $1";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, name);
	store_pg_text(&p, email);
	return change_one(tx, sql, &p, name, err);
}

static int
pg_set_password(struct mamori_store_tx *tx, const char *name, const char *hash, bool temporary,
    struct mamori_error *err)
{
	static const char sql[] = "UPDATE \"user\" SET password = $2, password_temporary = $3, failures = 0, "
	    "locked_until = 0, updated = " NOW " WHERE name = $1";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, name);
	store_pg_text(&p, hash);
	store_pg_int(&p, temporary ? 1 : 0);
	return change_one(tx, sql, &p, name, err);
}

static int
pg_set_disabled(struct mamori_store_tx *tx, const char *name, bool disabled, struct mamori_error *err)
{
	static const char off[] = "UPDATE \"user\" SET disabled = 1, updated = " NOW " WHERE name = $1";
	static const char on[] = "UPDATE \"user\" SET disabled = 0, failures = 0, locked_until = 0, "
	    "updated = " NOW " WHERE name = $1";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, name);
	return change_one(tx, disabled ? off : on, &p, name, err);
}

static int
pg_set_totp(struct mamori_store_tx *tx, const char *name, const char *sealed, struct mamori_error *err)
{
	static const char sql[] = "UPDATE \"user\" SET totp_secret = $2, totp_last_step = 0, updated = " NOW
	    " WHERE name = $1";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, name);
	store_pg_text(&p, sealed);
	return change_one(tx, sql, &p, name, err);
}

static int
pg_set_place(struct mamori_store_tx *tx, const char *name, const char *department, const char *role,
    struct mamori_error *err)
{
	static const char sql[] = "UPDATE \"user\" SET department = $2, role = $3, updated = " NOW
	    " WHERE name = $1";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, name);
	store_pg_text(&p, department);
	store_pg_text(&p, role);
	return change_one(tx, sql, &p, name, err);
}

static int
pg_login_counters(struct mamori_store_tx *tx, const char *name, int failures, int64_t locked_until,
    int64_t totp_step, struct mamori_error *err)
{
	/* one statement: the step is raised where it is stored, never lowered
	 * by a login that read an older one; no account is no error, as in
	 * SQLite's (a login of a name that is gone records nothing) */
	static const char sql[] = "UPDATE \"user\" SET failures = $2, locked_until = $3, "
	    "totp_last_step = greatest(totp_last_step, $4) WHERE name = $1";
	struct store_pg_params p = { 0 };

	store_pg_text(&p, name);
	store_pg_int(&p, failures);
	store_pg_int(&p, locked_until);
	store_pg_int(&p, totp_step);
	return store_pg_run(tx->store, sql, &p, NULL, err);
}

static int
pg_wake_notices(struct mamori_store_tx *tx, const char *recipient, int *n, struct mamori_error *err)
{
	static const char sql[] = "UPDATE record_notice SET next_attempt = 0 WHERE recipient = $1 AND sent IS NULL";

	return change_all(tx, sql, recipient, n, err);
}

/* ---- API tokens --------------------------------------------------------- */

static int
pg_token_find(struct mamori_store *s, const char *hash, int64_t now,
    int (*fn)(const struct store_user_token *t, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT \"user\", scope, expires, created FROM api_token "
	    "WHERE hash = $1 AND expires > $2";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, hash);
	store_pg_int(&p, now);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	if (PQntuples(r) > 0) {
		struct store_user_token t = { .user = opt(r, 0, 0), .hash = hash, .scope = opt(r, 0, 1),
		    .expires = store_pg_int64(r, 0, 2), .created = opt(r, 0, 3) };
		rc = fn(&t, ctx);
	} else {
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "invalid or expired token");
	}
	PQclear(r);
	return rc;
}

static int
pg_token_list(struct mamori_store *s, const char *name,
    int (*fn)(const struct store_user_token *t, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT \"user\", hash, scope, expires, created FROM api_token "
	    "WHERE \"user\" = $1 ORDER BY created, hash";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, name);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	for (int i = 0, n = PQntuples(r); rc == 0 && i < n; i++) {
		struct store_user_token t = { .user = opt(r, i, 0), .hash = opt(r, i, 1), .scope = opt(r, i, 2),
		    .expires = store_pg_int64(r, i, 3), .created = opt(r, i, 4) };
		rc = fn(&t, ctx);
	}
	PQclear(r);
	return rc;
}

static int
pg_token_match(struct mamori_store *s, const char *name, const char *prefix, int *n, char hash[65],
    struct mamori_error *err)
{
	/* hashes and prefixes are lower-case hex (the contract; user.c refuses
	 * others), so LIKE's case, PostgreSQL's strict and SQLite's loose, never
	 * matters, and nothing in the prefix is a wildcard */
	static const char sql[] = "SELECT hash FROM api_token WHERE \"user\" = $1 AND hash LIKE $2";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	char pattern[80];
	int rc;

	*n = 0;
	hash[0] = '\0';
	snprintf(pattern, sizeof(pattern), "%s%%", prefix);
	store_pg_text(&p, name);
	store_pg_text(&p, pattern);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	*n = PQntuples(r);
	if (*n > 0)
		snprintf(hash, 65, "%s", store_pg_get(r, 0, 0));
	PQclear(r);
	return 0;
}

static int
pg_token_add(struct mamori_store_tx *tx, const char *name, const char *hash, const char *scope,
    int64_t expires, struct mamori_error *err)
{
	/* only for an account that exists: SQLite's foreign key refuses the
	 * others as a conflict, PostgreSQL's would say "store error"; the types
	 * spelt out, as a SELECT gives its parameters none of the columns' */
	static const char sql[] = "INSERT INTO api_token (\"user\", hash, scope, expires, created) "
	    "SELECT name, $2::text, $3::text, $4::bigint, " NOW " FROM \"user\" WHERE name = $1";
	struct store_pg_params p = { 0 };
	int n = 0, rc;

	store_pg_text(&p, name);
	store_pg_text(&p, hash);
	store_pg_text(&p, scope);
	store_pg_int(&p, expires);
	if ((rc = write_n(tx->store, sql, &p, &n, err)) == 0 && n != 1)
		rc = mamori_error_set(err, MAMORI_E_CONFLICT, "cannot change the account: no user %s", name);
	return rc;
}

static int
pg_token_delete(struct mamori_store_tx *tx, const char *hash, struct mamori_error *err)
{
	static const char sql[] = "DELETE FROM api_token WHERE hash = $1";

	return change_all(tx, sql, hash, NULL, err);
}

static int
pg_tokens_revoke(struct mamori_store_tx *tx, const char *name, int *n, struct mamori_error *err)
{
	static const char sql[] = "DELETE FROM api_token WHERE \"user\" = $1";

	return change_all(tx, sql, name, n, err);
}

/* ---- what a person holds ------------------------------------------------ */

static int
pg_assets_held(struct mamori_store *s, const char *department, const char *role,
    int (*fn)(const char *id, const char *name, void *ctx), void *ctx, struct mamori_error *err)
{
	/* one 課's assets of one role: a short list, read in one result */
	static const char sql[] = "SELECT id, name FROM asset WHERE status = 'active' AND department = $1 "
	    "AND role = $2 ORDER BY num";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	store_pg_text(&p, department);
	store_pg_text(&p, role);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	for (int i = 0, n = PQntuples(r); rc == 0 && i < n; i++)
		rc = fn(store_pg_get(r, i, 0), store_pg_get(r, i, 1), ctx);
	PQclear(r);
	return rc;
}

static int
pg_count_peers(struct mamori_store *s, const char *role, const char *department, const char *except, int *n,
    struct mamori_error *err)
{
	static const char sql[] = "SELECT count(*) FROM \"user\" WHERE role = $1 AND department = $2 "
	    "AND disabled = 0 AND name <> $3";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	int rc;

	*n = 0;
	store_pg_text(&p, role);
	store_pg_text(&p, department);
	store_pg_text(&p, except);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	*n = (int)store_pg_int64(r, 0, 0);
	PQclear(r);
	return 0;
}

static int
pg_records_naming(struct mamori_store *s, const char *name,
    int (*fn)(const struct store_user_record *r, void *ctx), void *ctx, struct mamori_error *err)
{
	/*
	 * The fields' text searched for the quoted name, as SQLite's instr:
	 * the same records at any depth of the JSON (a key of that name too;
	 * the caller decides), where a jsonb question would need a path per
	 * depth and a cast of every record's fields.
	 */
	static const char sql[] = "SELECT id, kind, state, reporter, approver, fields FROM record "
	    "WHERE reporter = $1 OR approver = $1 OR strpos(fields, $2) > 0 ORDER BY num";
	struct store_pg_params p = { 0 };
	PGresult *r = NULL;
	char quoted[80];
	int rc;

	/* a name is [a-z0-9._-]: as a JSON string it is only quoted */
	snprintf(quoted, sizeof(quoted), "\"%s\"", name);
	store_pg_text(&p, name);
	store_pg_text(&p, quoted);
	if ((rc = store_pg_run(s, sql, &p, &r, err)) != 0)
		return rc;
	for (int i = 0, n = PQntuples(r); rc == 0 && i < n; i++) {
		struct store_user_record rec = { .id = opt(r, i, 0), .kind = opt(r, i, 1), .state = opt(r, i, 2),
		    .reporter = opt(r, i, 3), .approver = opt(r, i, 4), .fields = opt(r, i, 5) };
		rc = fn(&rec, ctx);
	}
	PQclear(r);
	return rc;
}

const struct store_user_ops store_pg_user_ops = {
	.get = pg_get,
	.list = pg_list,
	.add = pg_add,
	.set_email = pg_set_email,
	.set_password = pg_set_password,
	.set_disabled = pg_set_disabled,
	.set_totp = pg_set_totp,
	.set_place = pg_set_place,
	.login_counters = pg_login_counters,
	.wake_notices = pg_wake_notices,
	.token_find = pg_token_find,
	.token_list = pg_token_list,
	.token_match = pg_token_match,
	.token_add = pg_token_add,
	.token_delete = pg_token_delete,
	.tokens_revoke = pg_tokens_revoke,
	.assets_held = pg_assets_held,
	.count_peers = pg_count_peers,
	.records_naming = pg_records_naming,
};
