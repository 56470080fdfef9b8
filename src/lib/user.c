/* user.c — accounts: add, password, disable, TOTP, list, login. */
#include "mamori/user.h"
#include "store_internal.h"
#include "user_internal.h"
#include "mamori/i18n.h"
#include "mamori/mail.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static bool
valid_name(const char *n)
{
	size_t len = strlen(n);

	return len >= 1 && len <= 64 && strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789._-") == len;
}

/* One change to one account, as a transaction with its event. */
struct change {
	const char *sql;	/* ?1 = name, ?2.. = values below */
	const char *values[6];
	int nvalues;
	const char *action;
	cJSON *after;		/* what the event records (never secrets) */
	const char *then;	/* NULL, or a second statement (?1 = name), e.g. revoking tokens */
	const char *then_key;	/* the event's name for the rows then changed ("tokens_revoked") */
	bool insert;
	struct mamori_error *err;
};

static int
change_tx(struct mamori_store_tx *tx, void *arg)
{
	struct change *c = arg;
	sqlite3_stmt *st = store_prepare(tx->store, c->sql, c->err);
	const char *name = c->values[0];
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	for (int i = 0; i < c->nvalues; i++)
		if (c->values[i])
			sqlite3_bind_text(st, i + 1, c->values[i], -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return mamori_error_set(c->err, MAMORI_E_CONFLICT, "user %s exists already", name);
	if (rc != SQLITE_DONE)
		return store_error(tx->store, c->err, "cannot change the account");
	if (!c->insert && sqlite3_changes(tx->store->db) != 1)
		return mamori_error_set(c->err, MAMORI_E_NOTFOUND, "no user %s", name);
	if (c->then != NULL) {
		if ((st = store_prepare(tx->store, c->then, c->err)) == NULL)
			return MAMORI_E_STORE;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_error(tx->store, c->err, "cannot change the account");
		cJSON_AddNumberToObject(c->after, c->then_key, sqlite3_changes(tx->store->db));
	}
	return mamori_store_tx_event(tx, c->action, "user", name, NULL, c->after);
}

/* MAMORI_LOGIN_FAILED (user.h) where xgettext sees it, so that it is translated;
 * tests/unit/test_user.c checks that the two say the same */
#define LOGIN_FAILED N_("login failed (after repeated failures an account must wait a while " \
	"before it can log in again)")

/* A new password or a removed second factor: whoever held a token made under
 * the old credentials must not keep it (docs/auth.md, "Threat model"). */
#define REVOKE_TOKENS "DELETE FROM api_token WHERE user = ?1"

static int
apply(struct mamori_store *s, const char *actor, struct change *c)
{
	int rc = mamori_store_write(s, actor, change_tx, c, c->err);

	cJSON_Delete(c->after);
	return rc;
}

int
mamori_user_add(struct mamori_store *s, const char *actor, const char *name, const char *role,
    const char *department, const char *password, bool temporary, struct mamori_error *err)
{
	return mamori_user_add_with_email(s, actor, name, role, department, NULL, password, temporary, err);
}

int
mamori_user_add_with_email(struct mamori_store *s, const char *actor, const char *name, const char *role,
    const char *department, const char *email, const char *password, bool temporary, struct mamori_error *err)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	const struct mamori_role *r = role ? mamori_policy_find_role(p, role) : NULL;
	const struct mamori_department *d = department ? mamori_policy_find_department(p, department) : NULL;
	char hash[MAMORI_PWHASH_LEN];
	struct change c = { .err = err, .insert = true, .action = "user.add" };
	const char *why;

	if (!valid_name(name))
		return mamori_error_set(err, MAMORI_E_USAGE, "'%s' is not a user name: 1 to 64 of a–z, 0–9, '.', '_', '-'", name);
	if (r == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "unknown role '%s' in policy %s", role ? role : "", p->id);
	if (department && d == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "unknown department '%s' in policy %s", department, p->id);
	if (email != NULL && email[0] == '\0')
		email = NULL;
	if (email != NULL && (why = mamori_mail_address_check(email)) != NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s': %s", email, _(why));
	if (password && mamori_auth_hash_password(password, hash) != 0)
		return mamori_error_set(err, MAMORI_E_INVALID, "the password must be 1 to 1024 bytes");
	c.values[0] = name;
	c.values[1] = r->id;
	c.values[2] = d ? d->id : NULL;
	c.values[3] = password ? hash : NULL;
	c.values[4] = password && temporary ? "1" : "0";
	c.values[5] = email;
	c.nvalues = 6;
	c.after = cJSON_CreateObject();
	cJSON_AddStringToObject(c.after, "name", name);
	cJSON_AddStringToObject(c.after, "role", r->id);
	if (d)
		cJSON_AddStringToObject(c.after, "department", d->id);
	if (email)
		cJSON_AddStringToObject(c.after, "email", email);
	cJSON_AddBoolToObject(c.after, "password", password != NULL);
	if (password && temporary)
		cJSON_AddBoolToObject(c.after, "password_temporary", true);
	c.sql = "INSERT INTO user (name, role, department, password, password_temporary, email, created, updated) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
	return apply(s, actor, &c);
}

/* Notices that wait for an address (mail_outbox.c) are due once there is one. */
#define WAKE_NOTICES "UPDATE record_notice SET next_attempt = 0 WHERE recipient = ?1 AND sent IS NULL"

int
mamori_user_set_email(struct mamori_store *s, const char *actor, const char *name, const char *email,
    struct mamori_error *err)
{
	struct change c = { .err = err, .action = "user.email" };
	const char *why;

	if (email != NULL && email[0] == '\0')
		email = NULL;
	if (email != NULL && (why = mamori_mail_address_check(email)) != NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s': %s", email, _(why));
	c.sql = "UPDATE user SET email = ?2, updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ?1";
	c.values[0] = name;
	c.values[1] = email;
	c.nvalues = 2;
	c.after = cJSON_CreateObject();
	if (email)
		cJSON_AddStringToObject(c.after, "email", email);
	else
		cJSON_AddNullToObject(c.after, "email");
	if (email) {
		c.then = WAKE_NOTICES;
		c.then_key = "notices_due";
	}
	return apply(s, actor, &c);
}

int
mamori_user_passwd(struct mamori_store *s, const char *actor, const char *name, const char *password,
    bool temporary, struct mamori_error *err)
{
	char hash[MAMORI_PWHASH_LEN];
	struct change c = { .err = err, .action = "user.passwd" };

	if (password == NULL || mamori_auth_hash_password(password, hash) != 0)
		return mamori_error_set(err, MAMORI_E_INVALID, "the password must be 1 to 1024 bytes");
	c.sql = "UPDATE user SET password = ?2, password_temporary = ?3, failures = 0, locked_until = 0, "
	    "updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ?1";
	c.values[0] = name;
	c.values[1] = hash;
	c.values[2] = temporary ? "1" : "0";
	c.nvalues = 3;
	c.after = cJSON_CreateObject();
	cJSON_AddStringToObject(c.after, "password", temporary ? "(temporary)" : "(changed)");
	c.then = REVOKE_TOKENS;
	c.then_key = "tokens_revoked";
	return apply(s, actor, &c);
}

struct denial {
	const char *name;
};

/* Records a refused change of one's own password (a wrong current one). */
static int
denial_tx(struct mamori_store_tx *tx, void *arg)
{
	const struct denial *d = arg;
	cJSON *why = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(why, "outcome", "wrong current password");
	rc = mamori_store_tx_event(tx, "user.passwd.denied", "user", d->name, NULL, why);
	cJSON_Delete(why);
	return rc;
}

/* The account's password hash as stored ("" when it has none). */
static int
stored_hash(struct mamori_store *s, const char *name, char hash[MAMORI_PWHASH_LEN], struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT coalesce(password, '') FROM user WHERE name = ?1", err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(hash, MAMORI_PWHASH_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
	else
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "no user %s", name);
	sqlite3_finalize(st);
	return rc;
}

int
mamori_user_change_password(struct mamori_store *s, const char *actor, const char *name, const char *current,
    const char *password, struct mamori_error *err)
{
	char hash[MAMORI_PWHASH_LEN] = "";
	bool ok;
	int rc;

	if ((rc = stored_hash(s, name, hash, err)) != 0)
		return rc;
	ok = hash[0] != '\0' ? mamori_auth_check_password(hash, current ? current : "") :
	    mamori_auth_check_password_dummy(current ? current : "");
	sodium_memzero(hash, sizeof(hash));
	if (!ok) {
		struct denial d = { .name = name };
		struct mamori_error ignore;
		mamori_store_write(s, actor, denial_tx, &d, &ignore);
		return mamori_error_set(err, MAMORI_E_DENIED, "the current password is wrong");
	}
	if (password != NULL && strcmp(password, current) == 0)
		return mamori_error_set(err, MAMORI_E_INVALID, "the new password must differ from the current one");
	return mamori_user_passwd(s, actor, name, password, false, err);
}

int
mamori_user_disable(struct mamori_store *s, const char *actor, const char *name, bool disabled,
    struct mamori_error *err)
{
	struct change c = { .err = err, .action = disabled ? "user.disable" : "user.enable" };

	c.sql = disabled ? "UPDATE user SET disabled = 1, updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ?1" :
	    "UPDATE user SET disabled = 0, failures = 0, locked_until = 0, "
	    "updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ?1";
	c.values[0] = name;
	c.nvalues = 1;
	c.after = cJSON_CreateObject();
	cJSON_AddBoolToObject(c.after, "disabled", disabled);
	return apply(s, actor, &c);
}

int
user_disable_in(struct mamori_store_tx *tx, const char *name, const cJSON *why, bool *changed,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(tx->store, "SELECT disabled FROM user WHERE name = ?1", err);
	cJSON *after;
	int rc, was_disabled, tokens;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	was_disabled = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return mamori_error_set(err, MAMORI_E_NOTFOUND, "no user %s", name);
	if (rc != SQLITE_ROW)
		return store_error(tx->store, err, "cannot read the account");
	if (changed != NULL)
		*changed = !was_disabled;
	if ((st = store_prepare(tx->store, "UPDATE user SET disabled = 1, updated = strftime('%Y-%m-%dT%H:%M:%fZ', "
	    "'now') WHERE name = ?1", err)) == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || (st = store_prepare(tx->store, REVOKE_TOKENS, err)) == NULL)
		return rc != SQLITE_DONE ? store_error(tx->store, err, "cannot change the account") : MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	tokens = sqlite3_changes(tx->store->db);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(tx->store, err, "cannot revoke the account's tokens");
	/* nothing changed: no event (a tick that meets the account again says nothing) */
	if (was_disabled && tokens == 0)
		return 0;
	after = why ? cJSON_Duplicate(why, true) : cJSON_CreateObject();
	cJSON_AddBoolToObject(after, "disabled", true);
	cJSON_AddNumberToObject(after, "tokens_revoked", tokens);
	rc = mamori_store_tx_event(tx, "user.disable", "user", name, NULL, after);
	cJSON_Delete(after);
	return rc;
}

int
mamori_user_mfa_enroll(struct mamori_store *s, const char *actor, const char *name,
    char secret[MAMORI_TOTP_SECRET_LEN], struct mamori_error *err)
{
	struct change c = { .err = err, .action = "user.mfa-enroll" };
	char sealed[MAMORI_TOTP_SEALED_LEN];
	unsigned char key[32];
	int rc;

	/* the secret is stored sealed with the store's key, never in clear */
	if ((rc = store_secret_key(s, false, key, err)) != 0)
		return rc;
	mamori_auth_totp_secret(secret);
	mamori_auth_totp_seal(key, name, secret, sealed);
	sodium_memzero(key, sizeof(key));
	c.sql = "UPDATE user SET totp_secret = ?2, totp_last_step = 0, "
	    "updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ?1";
	c.values[0] = name;
	c.values[1] = sealed;
	c.nvalues = 2;
	c.after = cJSON_CreateObject();
	cJSON_AddStringToObject(c.after, "totp", "(enrolled)");
	return apply(s, actor, &c);
}

int
mamori_user_mfa_reset(struct mamori_store *s, const char *actor, const char *name, struct mamori_error *err)
{
	struct change c = { .err = err, .action = "user.mfa-reset" };

	c.sql = "UPDATE user SET totp_secret = NULL, totp_last_step = 0, "
	    "updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ?1";
	c.values[0] = name;
	c.nvalues = 1;
	c.after = cJSON_CreateObject();
	cJSON_AddStringToObject(c.after, "totp", "(removed)");
	c.then = REVOKE_TOKENS;
	c.then_key = "tokens_revoked";
	return apply(s, actor, &c);
}

#define USER_COLUMNS "name, role, coalesce(department, ''), password IS NOT NULL, totp_secret IS NOT NULL, " \
	"disabled, failures, locked_until, created, coalesce(password, ''), coalesce(totp_secret, ''), " \
	"password_temporary, coalesce(email, '')"
enum { USER_NCOLUMNS = 13 };

/* The credential generation (struct mamori_user) of a password hash and a TOTP secret as stored. */
static void
credential_of(const char *hash, const char *secret, char out[MAMORI_CREDENTIAL_LEN])
{
	char both[1024], h[MAMORI_TOKEN_LEN];

	snprintf(both, sizeof(both), "%s\n%s", hash, secret);
	mamori_auth_token_hash(both, h);
	memcpy(out, h, MAMORI_CREDENTIAL_LEN - 1);
	out[MAMORI_CREDENTIAL_LEN - 1] = '\0';
}

static void
user_from_row(sqlite3_stmt *st, struct mamori_user *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", (const char *)sqlite3_column_text(st, 0));
	snprintf(u->role, sizeof(u->role), "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(u->department, sizeof(u->department), "%s", (const char *)sqlite3_column_text(st, 2));
	u->has_password = sqlite3_column_int(st, 3);
	u->has_totp = sqlite3_column_int(st, 4);
	u->disabled = sqlite3_column_int(st, 5);
	u->failures = sqlite3_column_int(st, 6);
	u->locked_until = sqlite3_column_int64(st, 7);
	snprintf(u->created, sizeof(u->created), "%s", (const char *)sqlite3_column_text(st, 8));
	credential_of((const char *)sqlite3_column_text(st, 9), (const char *)sqlite3_column_text(st, 10),
	    u->credential);
	u->password_temporary = sqlite3_column_int(st, 11);
	snprintf(u->email, sizeof(u->email), "%s", (const char *)sqlite3_column_text(st, 12));
}

int
mamori_user_get(struct mamori_store *s, const char *name, struct mamori_user *out, struct mamori_error *err)
{
	static const char sql[] = "SELECT " USER_COLUMNS " FROM user WHERE name = ?1";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		user_from_row(st, out);
	else
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "no user %s", name);
	store_release(s, st);
	return rc;
}

int
mamori_user_list(struct mamori_store *s, int (*fn)(const struct mamori_user *, void *), void *ctx,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT " USER_COLUMNS " FROM user ORDER BY name", err);
	struct mamori_user u;
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		user_from_row(st, &u);
		rc = fn(&u, ctx);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The outcome of a login, recorded with the account's counters. */
struct login_record {
	const char *name, *client, *outcome;
	int failures;
	int64_t locked_until, totp_step;
	bool known;
	struct mamori_error *err;
};

static int
login_tx(struct mamori_store_tx *tx, void *arg)
{
	struct login_record *r = arg;
	cJSON *after = cJSON_CreateObject();
	int rc = 0;

	if (r->known) {
		sqlite3_stmt *st = store_prepare(tx->store, "UPDATE user SET failures = ?2, locked_until = ?3, "
		    "totp_last_step = max(totp_last_step, ?4) WHERE name = ?1", r->err);
		if (st == NULL) {
			cJSON_Delete(after);
			return MAMORI_E_STORE;
		}
		sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, r->failures);
		sqlite3_bind_int64(st, 3, r->locked_until);
		sqlite3_bind_int64(st, 4, r->totp_step);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MAMORI_E_STORE;
		sqlite3_finalize(st);
	}
	cJSON_AddStringToObject(after, "outcome", r->outcome);
	cJSON_AddStringToObject(after, "client", r->client ? r->client : "");
	if (rc == 0)
		rc = mamori_store_tx_event(tx, strcmp(r->outcome, "ok") == 0 ? "login.ok" : "login.denied",
		    "user", r->name, NULL, after);
	cJSON_Delete(after);
	return rc;
}

/*
 * The account's TOTP secret from its sealed form into secret: 0, or -1 when
 * it does not open (the key missing or another store's, the value changed or
 * written in clear behind mamori's back): the login is then refused.
 */
static int
unseal_secret(struct mamori_store *s, const char *name, const char *stored, char secret[MAMORI_TOTP_SECRET_LEN])
{
	struct mamori_error ignore;
	unsigned char key[32];
	bool ok;

	if (store_secret_key(s, false, key, &ignore) != 0)
		return -1;
	ok = mamori_auth_totp_unseal(key, name, stored, secret);
	sodium_memzero(key, sizeof(key));
	return ok ? 0 : -1;
}

int
mamori_user_login(struct mamori_store *s, const char *name, const char *password, const char *totp,
    const char *client, time_t now, struct mamori_user *out, struct mamori_error *err)
{
	struct login_record r = { .name = name, .client = client, .err = err };
	struct mamori_error ignore;
	sqlite3_stmt *st = store_prepare(s, "SELECT " USER_COLUMNS ", password, totp_secret, totp_last_step "
	    "FROM user WHERE name = ?1", err);
	char hash[MAMORI_PWHASH_LEN] = "", secret[MAMORI_TOTP_SECRET_LEN] = "";
	struct mamori_user u;
	int64_t step = 0;
	int totp_state = 0;
	bool ok = false;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		user_from_row(st, &u);
		r.known = true;
		if (sqlite3_column_text(st, USER_NCOLUMNS))
			snprintf(hash, sizeof(hash), "%s", (const char *)sqlite3_column_text(st, USER_NCOLUMNS));
		if (sqlite3_column_text(st, USER_NCOLUMNS + 1))
			totp_state = unseal_secret(s, name, (const char *)sqlite3_column_text(st, USER_NCOLUMNS + 1), secret);
		step = sqlite3_column_int64(st, USER_NCOLUMNS + 2);
	}
	sqlite3_finalize(st);

	/* one Argon2id verification whatever the account: an unknown name, or one
	 * without a password, disabled or waiting, costs what a known one does */
	bool password_ok = hash[0] != '\0' ? mamori_auth_check_password(hash, password ? password : "") :
	    mamori_auth_check_password_dummy(password ? password : "");
	r.outcome = "denied";
	if (!r.known) {
		r.outcome = "unknown user";
	} else if (u.disabled) {
		r.outcome = "disabled";
	} else if (u.locked_until > now) {
		r.outcome = "locked";
	} else if (!password_ok) {
		r.outcome = "bad password";
	} else if (totp_state < 0) {
		r.outcome = "totp secret unreadable";
	} else if (secret[0] != '\0' && !mamori_auth_totp_check(secret, totp, now, &step)) {
		r.outcome = totp ? "bad totp" : "totp required";
	} else {
		r.outcome = "ok";
		ok = true;
	}
	if (r.known) {
		r.failures = ok ? 0 : u.failures + (strcmp(r.outcome, "locked") != 0 && strcmp(r.outcome, "disabled") != 0);
		r.locked_until = ok ? 0 : strcmp(r.outcome, "locked") == 0 ? u.locked_until :
		    (int64_t)now + mamori_auth_backoff((unsigned)r.failures);
		r.totp_step = step;
	}
	sodium_memzero(secret, sizeof(secret));
	mamori_store_write(s, "login", login_tx, &r, &ignore);
	if (!ok) {
		/* only the holder of the right password learns that a code is missing */
		if (strcmp(r.outcome, "totp required") == 0)
			return mamori_error_set(err, MAMORI_E_MFA, "a one-time code (TOTP) is required");
		/* the same words for an unknown name, a wrong password and a waiting
		 * account: the answer must not tell which names exist */
		return mamori_error_set(err, MAMORI_E_DENIED, LOGIN_FAILED);
	}
	u.failures = 0;
	u.locked_until = 0;
	if (out)
		*out = u;
	return 0;
}

int
mamori_user_token_create(struct mamori_store *s, const char *actor, const char *name, const char *scope,
    int64_t expires, char token[MAMORI_TOKEN_LEN], struct mamori_error *err)
{
	char hash[MAMORI_TOKEN_LEN], exp[24];
	struct mamori_user u;
	struct change c = { .err = err, .insert = true, .action = "user.token" };
	int rc;

	if (scope == NULL || (strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0 &&
	    strcmp(scope, "gateway") != 0))
		return mamori_error_set(err, MAMORI_E_USAGE, "a token's scope is read, write or gateway");
	if ((rc = mamori_user_get(s, name, &u, err)) != 0)
		return rc;
	mamori_auth_token(token);
	mamori_auth_token_hash(token, hash);
	snprintf(exp, sizeof(exp), "%lld", (long long)expires);
	c.sql = "INSERT INTO api_token (user, hash, scope, expires, created) "
	    "VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
	c.values[0] = name;
	c.values[1] = hash;
	c.values[2] = scope;
	c.values[3] = exp;
	c.nvalues = 4;
	c.after = cJSON_CreateObject();
	cJSON_AddStringToObject(c.after, "scope", scope);
	cJSON_AddNumberToObject(c.after, "expires", (double)expires);
	char prefix[9];
	snprintf(prefix, sizeof(prefix), "%.8s", hash);
	cJSON_AddStringToObject(c.after, "token_sha256_prefix", prefix);
	return apply(s, actor, &c);
}

int
mamori_user_token_check(struct mamori_store *s, const char *token, time_t now, struct mamori_user *out,
    char scope[8], int64_t *expires, struct mamori_error *err)
{
	static const char sql[] = "SELECT user, scope, expires FROM api_token WHERE hash = ?1 AND expires > ?2";
	char hash[MAMORI_TOKEN_LEN], user[65] = "";
	sqlite3_stmt *st;
	int rc = MAMORI_E_DENIED;

	if (token == NULL || strlen(token) != MAMORI_TOKEN_LEN - 1)
		return mamori_error_set(err, MAMORI_E_DENIED, "invalid token");
	mamori_auth_token_hash(token, hash);
	st = store_cached(s, sql, err);
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(user, sizeof(user), "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(scope, 8, "%s", (const char *)sqlite3_column_text(st, 1));
		if (expires != NULL)
			*expires = sqlite3_column_int64(st, 2);
		rc = 0;
	}
	store_release(s, st);
	if (rc == 0 && (mamori_user_get(s, user, out, err) != 0 || out->disabled))
		rc = MAMORI_E_DENIED;
	if (rc != 0)
		return mamori_error_set(err, MAMORI_E_DENIED, "invalid or expired token");
	return 0;
}

int
mamori_user_token_list(struct mamori_store *s, const char *name,
    int (*fn)(const struct mamori_token_info *t, void *ctx), void *ctx, struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, "SELECT substr(hash, 1, 16), scope, expires, created "
	    "FROM api_token WHERE user = ?1 ORDER BY created, hash", err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct mamori_token_info t;
		snprintf(t.prefix, sizeof(t.prefix), "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(t.scope, sizeof(t.scope), "%s", (const char *)sqlite3_column_text(st, 1));
		t.expires = sqlite3_column_int64(st, 2);
		snprintf(t.created, sizeof(t.created), "%s", (const char *)sqlite3_column_text(st, 3));
		rc = fn(&t, ctx);
	}
	sqlite3_finalize(st);
	return rc;
}

struct revoke_arg {
	const char *name, *prefix;
	struct mamori_error *err;
};

static int
revoke_tx(struct mamori_store_tx *tx, void *arg)
{
	struct revoke_arg *r = arg;
	char pattern[80], hash[MAMORI_TOKEN_LEN] = "";
	sqlite3_stmt *st;
	int n = 0, rc;
	cJSON *before;

	snprintf(pattern, sizeof(pattern), "%s%%", r->prefix);
	st = store_prepare(tx->store, "SELECT hash FROM api_token WHERE user = ?1 AND hash LIKE ?2", r->err);
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pattern, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (n++ == 0)
			snprintf(hash, sizeof(hash), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (n == 0)
		return mamori_error_set(r->err, MAMORI_E_NOTFOUND, "user %s has no token %s", r->name, r->prefix);
	if (n > 1)
		return mamori_error_set(r->err, MAMORI_E_CONFLICT, "%d tokens of user %s start with %s; "
		    "give more digits", n, r->name, r->prefix);
	st = store_prepare(tx->store, "DELETE FROM api_token WHERE hash = ?1", r->err);
	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_error(tx->store, r->err, "cannot revoke the token");
	sqlite3_finalize(st);
	if (rc != 0)
		return rc;
	before = cJSON_CreateObject();
	hash[16] = '\0';
	cJSON_AddStringToObject(before, "token_sha256_prefix", hash);
	rc = mamori_store_tx_event(tx, "user.token-revoke", "user", r->name, before, NULL);
	cJSON_Delete(before);
	return rc;
}

int
mamori_user_token_revoke(struct mamori_store *s, const char *actor, const char *name, const char *prefix,
    struct mamori_error *err)
{
	struct revoke_arg r = { name, prefix, err };
	size_t n = prefix ? strlen(prefix) : 0;

	if (n < 8 || n > 64 || strspn(prefix, "0123456789abcdef") != n)
		return mamori_error_set(err, MAMORI_E_USAGE, "a token is named by at least 8 lower-case hex "
		    "digits of its SHA-256 (as listed)");
	return mamori_store_write(s, actor, revoke_tx, &r, err);
}

/* ---- the accounts under a new policy (store_policy.c) ------------------- */

struct policy_check {
	const struct mamori_policy *p;
	struct mamori_diags *conflicts;
};

static int
policy_check_user(const struct mamori_user *u, void *ctx)
{
	struct policy_check *x = ctx;

	if (mamori_policy_role(x->p, u->role) == NULL)
		mamori_diags_add(x->conflicts, MAMORI_SEV_ERROR, u->name, 0, 0, "user %s: role '%s' is not "
		    "in policy %s", u->name, u->role, x->p->id);
	if (u->department[0] && mamori_policy_department(x->p, u->department) == NULL)
		mamori_diags_add(x->conflicts, MAMORI_SEV_ERROR, u->name, 0, 0, "user %s: department '%s' is "
		    "not in policy %s", u->name, u->department, x->p->id);
	return 0;
}

int
user_policy_check(struct mamori_store *s, const struct mamori_policy *p, struct mamori_diags *conflicts,
    struct mamori_error *err)
{
	struct policy_check x = { p, conflicts };

	return mamori_user_list(s, policy_check_user, &x, err);
}
