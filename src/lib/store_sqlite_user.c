/*
 * store_sqlite_user.c — the accounts in SQLite: the tables user and api_token
 * (their schema is store.c's migrations), and what a person's holdings read
 * of asset and record, behind store_user_ops (store_ops_user.h).  Every
 * statement of user.c and personnel.c is here.
 */
#include "store_ops_user.h"
#include "store_internal.h"
#include "store_sqlite.h"

#include <stdio.h>
#include <string.h>

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

/* The columns row_from read, in its order. */
#define USER_COLUMNS "name, role, department, email, password, totp_secret, created, disabled, " \
	"password_temporary, failures, locked_until, totp_last_step"

static const char *
text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

static void
row_from(sqlite3_stmt *st, struct store_user_row *u)
{
	*u = (struct store_user_row){
		.name = text(st, 0),
		.role = text(st, 1),
		.department = text(st, 2),
		.email = text(st, 3),
		.password = text(st, 4),
		.totp_secret = text(st, 5),
		.created = text(st, 6),
		.disabled = sqlite3_column_int(st, 7) != 0,
		.password_temporary = sqlite3_column_int(st, 8) != 0,
		.failures = sqlite3_column_int(st, 9),
		.locked_until = sqlite3_column_int64(st, 10),
		.totp_last_step = sqlite3_column_int64(st, 11),
	};
}


/* Binds the texts (NULL: SQL NULL) as ?1, ?2, … */
static void
bind_texts(sqlite3_stmt *st, const char *const *v, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i] != NULL)
			sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
}

/*
 * Runs a change of one account (?1 = name, ?2.. = v[1..]): MAMORI_E_NOTFOUND
 * unless it changed exactly one row.
 */
static int
change_one(struct mamori_store_tx *tx, const char *sql, const char *const *v, int n, struct mamori_error *err)
{
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	bind_texts(st, v, n);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, err, "cannot change the account");
	if (sqlite3_changes(s->db) != 1)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "no user %s", v[0]);
	return 0;
}

/* Runs a statement of ?1 = key that changes any number of rows, *n of them. */
static int
change_all(struct mamori_store_tx *tx, const char *sql, const char *key, int *n, struct mamori_error *err,
    const char *what)
{
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, err, what);
	if (n != NULL)
		*n = sqlite3_changes(s->db);
	return 0;
}

/* ---- accounts ----------------------------------------------------------- */

static int
sqlite_get(struct mamori_store *s, const char *name, int (*fn)(const struct store_user_row *u, void *ctx),
    void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT " USER_COLUMNS " FROM user WHERE name = ?1";
	sqlite3_stmt *st = store_cached(s, sql, err);
	struct store_user_row u;
	int rc, step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		row_from(st, &u);
		rc = fn(&u, ctx);
	} else if (step == SQLITE_DONE) {
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "no user %s", name);
	} else {
		rc = store_error(s, err, "cannot read the account");
	}
	store_release(s, st);
	return rc;
}

static int
sqlite_list(struct mamori_store *s, int (*fn)(const struct store_user_row *u, void *ctx), void *ctx,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " USER_COLUMNS " FROM user ORDER BY name", err);
	struct store_user_row u;
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		row_from(st, &u);
		rc = fn(&u, ctx);
	}
	rc = store_walk_end(s, rc, step, err, "cannot read the account");
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_add(struct mamori_store_tx *tx, const struct store_user_new *u, struct mamori_error *err)
{
	struct mamori_store *s = tx->store;
	const char *v[] = { u->name, u->role, u->department, u->password, u->password_temporary ? "1" : "0",
	    u->email };
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO user (name, role, department, password, "
	    "password_temporary, email, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, " NOW ", " NOW ")", err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	bind_texts(st, v, 6);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "user %s exists already", u->name);
	return rc == SQLITE_DONE ? 0 : store_error(s, err, "cannot change the account");
}

static int
sqlite_set_email(struct mamori_store_tx *tx, const char *name, const char *email, struct mamori_error *err)
{
	const char *v[] = { name, email };

	return change_one(tx, "UPDATE user SET email = ?2, updated = " NOW " WHERE name = ?1", v, 2, err);
}

static int
sqlite_set_password(struct mamori_store_tx *tx, const char *name, const char *hash, bool temporary,
    struct mamori_error *err)
{
	const char *v[] = { name, hash, temporary ? "1" : "0" };

	return change_one(tx, "UPDATE user SET password = ?2, password_temporary = ?3, failures = 0, "
	    "locked_until = 0, updated = " NOW " WHERE name = ?1", v, 3, err);
}

static int
sqlite_set_disabled(struct mamori_store_tx *tx, const char *name, bool disabled, struct mamori_error *err)
{
	const char *v[] = { name };

	return change_one(tx, disabled ? "UPDATE user SET disabled = 1, updated = " NOW " WHERE name = ?1" :
	    "UPDATE user SET disabled = 0, failures = 0, locked_until = 0, updated = " NOW " WHERE name = ?1",
	    v, 1, err);
}

static int
sqlite_set_totp(struct mamori_store_tx *tx, const char *name, const char *sealed, struct mamori_error *err)
{
	const char *v[] = { name, sealed };

	return change_one(tx, "UPDATE user SET totp_secret = ?2, totp_last_step = 0, updated = " NOW
	    " WHERE name = ?1", v, 2, err);
}

static int
sqlite_set_place(struct mamori_store_tx *tx, const char *name, const char *department, const char *role,
    struct mamori_error *err)
{
	const char *v[] = { name, department, role };

	return change_one(tx, "UPDATE user SET department = ?2, role = ?3, updated = " NOW " WHERE name = ?1",
	    v, 3, err);
}

static int
sqlite_login_counters(struct mamori_store_tx *tx, const char *name, int failures, int64_t locked_until,
    int64_t totp_step, struct mamori_error *err)
{
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_prepare(s, "UPDATE user SET failures = ?2, locked_until = ?3, "
	    "totp_last_step = max(totp_last_step, ?4) WHERE name = ?1", err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, failures);
	sqlite3_bind_int64(st, 3, locked_until);
	sqlite3_bind_int64(st, 4, totp_step);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_error(s, err, "cannot change the account");
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_wake_notices(struct mamori_store_tx *tx, const char *recipient, int *n, struct mamori_error *err)
{
	return change_all(tx, "UPDATE record_notice SET next_attempt = 0 WHERE recipient = ?1 AND sent IS NULL",
	    recipient, n, err, "cannot change the account");
}

/* ---- API tokens --------------------------------------------------------- */

static int
sqlite_token_find(struct mamori_store *s, const char *hash, int64_t now,
    int (*fn)(const struct store_user_token *t, void *ctx), void *ctx, struct mamori_error *err)
{
	static const char sql[] = "SELECT user, scope, expires, created FROM api_token WHERE hash = ?1 AND expires > ?2";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc, step;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_user_token t = { .user = text(st, 0), .hash = hash, .scope = text(st, 1),
		    .expires = sqlite3_column_int64(st, 2), .created = text(st, 3) };
		rc = fn(&t, ctx);
	} else if (step == SQLITE_DONE) {
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "invalid or expired token");
	} else {
		rc = store_error(s, err, "cannot read the account");
	}
	store_release(s, st);
	return rc;
}

static int
sqlite_token_list(struct mamori_store *s, const char *name,
    int (*fn)(const struct store_user_token *t, void *ctx), void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT user, hash, scope, expires, created FROM api_token "
	    "WHERE user = ?1 ORDER BY created, hash", err);
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_user_token t = { .user = text(st, 0), .hash = text(st, 1), .scope = text(st, 2),
		    .expires = sqlite3_column_int64(st, 3), .created = text(st, 4) };
		rc = fn(&t, ctx);
	}
	rc = store_walk_end(s, rc, step, err, "cannot read the account");
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_token_match(struct mamori_store *s, const char *name, const char *prefix, int *n, char hash[65],
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT hash FROM api_token WHERE user = ?1 AND hash LIKE ?2", err);
	char pattern[80];
	int step;

	*n = 0;
	hash[0] = '\0';
	if (st == NULL)
		return MAMORI_E_STORE;
	/* hex digits only: nothing in the prefix is a LIKE wildcard */
	snprintf(pattern, sizeof(pattern), "%s%%", prefix);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pattern, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((*n)++ == 0)
			snprintf(hash, 65, "%s", text(st, 0));
	sqlite3_finalize(st);
	return store_walk_end(s, 0, step, err, "cannot read the account");
}

static int
sqlite_token_add(struct mamori_store_tx *tx, const char *name, const char *hash, const char *scope,
    int64_t expires, struct mamori_error *err)
{
	struct mamori_store *s = tx->store;
	sqlite3_stmt *st = store_prepare(s, "INSERT INTO api_token (user, hash, scope, expires, created) "
	    "VALUES (?1, ?2, ?3, ?4, " NOW ")", err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, scope, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, expires);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "%s: %s", "cannot change the account",
		    sqlite3_errmsg(s->db));
	return rc == SQLITE_DONE ? 0 : store_error(s, err, "cannot change the account");
}

static int
sqlite_token_delete(struct mamori_store_tx *tx, const char *hash, struct mamori_error *err)
{
	return change_all(tx, "DELETE FROM api_token WHERE hash = ?1", hash, NULL, err, "cannot revoke the token");
}

static int
sqlite_tokens_revoke(struct mamori_store_tx *tx, const char *name, int *n, struct mamori_error *err)
{
	return change_all(tx, "DELETE FROM api_token WHERE user = ?1", name, n, err,
	    "cannot revoke the account's tokens");
}

/* ---- what a person holds ------------------------------------------------ */

static int
sqlite_assets_held(struct mamori_store *s, const char *department, const char *role,
    int (*fn)(const char *id, const char *name, void *ctx), void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id, name FROM asset WHERE status = 'active' AND department = ?1 "
	    "AND role = ?2 ORDER BY num", err);
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, department, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn(text(st, 0), text(st, 1), ctx);
	rc = store_walk_end(s, rc, step, err, "cannot read the register");
	sqlite3_finalize(st);
	return rc;
}

static int
sqlite_count_peers(struct mamori_store *s, const char *role, const char *department, const char *except, int *n,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM user WHERE role = ?1 AND department = ?2 "
	    "AND disabled = 0 AND name <> ?3", err);
	int rc;

	*n = 0;
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, department, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, except, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, err, "cannot count the accounts");
}

static int
sqlite_records_naming(struct mamori_store *s, const char *name,
    int (*fn)(const struct store_user_record *r, void *ctx), void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT id, kind, state, reporter, approver, fields FROM record "
	    "WHERE reporter = ?1 OR approver = ?1 OR instr(fields, ?2) > 0 ORDER BY num", err);
	char quoted[80];
	int rc = 0, step = SQLITE_DONE;

	if (st == NULL)
		return MAMORI_E_STORE;
	/* a name is [a-z0-9._-]: as a JSON string it is only quoted */
	snprintf(quoted, sizeof(quoted), "\"%s\"", name);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, quoted, -1, SQLITE_STATIC);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_user_record r = { .id = text(st, 0), .kind = text(st, 1), .state = text(st, 2),
		    .reporter = text(st, 3), .approver = text(st, 4), .fields = text(st, 5) };
		rc = fn(&r, ctx);
	}
	rc = store_walk_end(s, rc, step, err, "cannot read the records");
	sqlite3_finalize(st);
	return rc;
}

const struct store_user_ops store_sqlite_user_ops = {
	.get = sqlite_get,
	.list = sqlite_list,
	.add = sqlite_add,
	.set_email = sqlite_set_email,
	.set_password = sqlite_set_password,
	.set_disabled = sqlite_set_disabled,
	.set_totp = sqlite_set_totp,
	.set_place = sqlite_set_place,
	.login_counters = sqlite_login_counters,
	.wake_notices = sqlite_wake_notices,
	.token_find = sqlite_token_find,
	.token_list = sqlite_token_list,
	.token_match = sqlite_token_match,
	.token_add = sqlite_token_add,
	.token_delete = sqlite_token_delete,
	.tokens_revoke = sqlite_tokens_revoke,
	.assets_held = sqlite_assets_held,
	.count_peers = sqlite_count_peers,
	.records_naming = sqlite_records_naming,
};
