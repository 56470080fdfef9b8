/* user.c — accounts: add, password, disable, TOTP, list, login. */
#include "mamori/user.h"
#include "store_internal.h"
#include "store_ops_user.h"
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

/* What else a change of an account does in its transaction. */
enum then {
	THEN_NOTHING,
	THEN_REVOKE_TOKENS,	/* the account's API tokens go ("tokens_revoked") */
	THEN_WAKE_NOTICES,	/* its notices waiting for an address are due ("notices_due") */
};

/* One change to one account, as a transaction with its event. */
struct change {
	/* the change itself, through the backend */
	int (*write)(struct mamori_store_tx *tx, const struct change *c);
	const char *name;
	const char *value[2];	/* the write's (a hash, an address, a scope), NULL: none */
	bool flag;		/* the write's (temporary, disabled) */
	int64_t number;		/* the write's (a token's expiry) */
	struct store_user_new add;	/* write_add's */
	const char *action;
	cJSON *after;		/* what the event records (never secrets) */
	enum then then;
	struct mamori_error *err;
};

static int
write_add(struct mamori_store_tx *tx, const struct change *c)
{
	return tx->store->backend->user->add(tx, &c->add, c->err);
}

static int
write_email(struct mamori_store_tx *tx, const struct change *c)
{
	return tx->store->backend->user->set_email(tx, c->name, c->value[0], c->err);
}

static int
write_password(struct mamori_store_tx *tx, const struct change *c)
{
	return tx->store->backend->user->set_password(tx, c->name, c->value[0], c->flag, c->err);
}

static int
write_disabled(struct mamori_store_tx *tx, const struct change *c)
{
	return tx->store->backend->user->set_disabled(tx, c->name, c->flag, c->err);
}

static int
write_totp(struct mamori_store_tx *tx, const struct change *c)
{
	return tx->store->backend->user->set_totp(tx, c->name, c->value[0], c->err);
}

static int
write_token(struct mamori_store_tx *tx, const struct change *c)
{
	return tx->store->backend->user->token_add(tx, c->name, c->value[0], c->value[1], c->number, c->err);
}

static int
change_tx(struct mamori_store_tx *tx, void *arg)
{
	struct change *c = arg;
	const struct store_user_ops *ops = tx->store->backend->user;
	int rc = c->write(tx, c), n = 0;

	if (rc == MAMORI_E_CONFLICT)
		return mamori_error_set(c->err, MAMORI_E_CONFLICT, "user %s exists already", c->name);
	if (rc != 0)
		return rc;
	if (c->then == THEN_REVOKE_TOKENS)
		rc = ops->tokens_revoke(tx, c->name, &n, c->err);
	else if (c->then == THEN_WAKE_NOTICES)
		rc = ops->wake_notices(tx, c->name, &n, c->err);
	if (rc != 0)
		return rc;
	if (c->then != THEN_NOTHING)
		cJSON_AddNumberToObject(c->after, c->then == THEN_REVOKE_TOKENS ? "tokens_revoked" : "notices_due", n);
	return mamori_store_tx_event(tx, c->action, "user", c->name, NULL, c->after);
}

/* MAMORI_LOGIN_FAILED (user.h) where xgettext sees it, so that it is translated;
 * tests/unit/test_user.c checks that the two say the same */
#define LOGIN_FAILED N_("login failed (after repeated failures an account must wait a while " \
	"before it can log in again)")

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
	struct change c = { .err = err, .write = write_add, .name = name, .action = "user.add" };
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
	c.add = (struct store_user_new){ .name = name, .role = r->id, .department = d ? d->id : NULL,
	    .email = email, .password = password ? hash : NULL, .password_temporary = password && temporary };
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
	return apply(s, actor, &c);
}

int
mamori_user_set_email(struct mamori_store *s, const char *actor, const char *name, const char *email,
    struct mamori_error *err)
{
	struct change c = { .err = err, .write = write_email, .name = name, .action = "user.email" };
	const char *why;

	if (email != NULL && email[0] == '\0')
		email = NULL;
	if (email != NULL && (why = mamori_mail_address_check(email)) != NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "'%s': %s", email, _(why));
	c.value[0] = email;
	c.after = cJSON_CreateObject();
	if (email)
		cJSON_AddStringToObject(c.after, "email", email);
	else
		cJSON_AddNullToObject(c.after, "email");
	/* notices that wait for an address (mail_outbox.c) are due once there is one */
	if (email)
		c.then = THEN_WAKE_NOTICES;
	return apply(s, actor, &c);
}

int
mamori_user_passwd(struct mamori_store *s, const char *actor, const char *name, const char *password,
    bool temporary, struct mamori_error *err)
{
	char hash[MAMORI_PWHASH_LEN];
	struct change c = { .err = err, .write = write_password, .name = name, .action = "user.passwd" };

	if (password == NULL || mamori_auth_hash_password(password, hash) != 0)
		return mamori_error_set(err, MAMORI_E_INVALID, "the password must be 1 to 1024 bytes");
	c.value[0] = hash;
	c.flag = temporary;
	c.after = cJSON_CreateObject();
	cJSON_AddStringToObject(c.after, "password", temporary ? "(temporary)" : "(changed)");
	/* whoever held a token made under the old password must not keep it
	 * (docs/auth.md, "Threat model") */
	c.then = THEN_REVOKE_TOKENS;
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

/* Copies the stored password hash ("" when there is none) into ctx (MAMORI_PWHASH_LEN bytes). */
static int
copy_hash(const struct store_user_row *u, void *ctx)
{
	snprintf(ctx, MAMORI_PWHASH_LEN, "%s", u->password ? u->password : "");
	return 0;
}

/* The account's password hash as stored ("" when it has none). */
static int
stored_hash(struct mamori_store *s, const char *name, char hash[MAMORI_PWHASH_LEN], struct mamori_error *err)
{
	return s->backend->user->get(s, name, copy_hash, hash, err);
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
	struct change c = { .err = err, .write = write_disabled, .name = name, .flag = disabled,
	    .action = disabled ? "user.disable" : "user.enable" };

	c.after = cJSON_CreateObject();
	cJSON_AddBoolToObject(c.after, "disabled", disabled);
	return apply(s, actor, &c);
}

static int
copy_disabled(const struct store_user_row *u, void *ctx)
{
	*(bool *)ctx = u->disabled;
	return 0;
}

int
user_disable_in(struct mamori_store_tx *tx, const char *name, const cJSON *why, bool *changed,
    struct mamori_error *err)
{
	const struct store_user_ops *ops = tx->store->backend->user;
	bool was_disabled = false;
	cJSON *after;
	int rc, tokens = 0;

	if ((rc = ops->get(tx->store, name, copy_disabled, &was_disabled, err)) != 0)
		return rc;
	if (changed != NULL)
		*changed = !was_disabled;
	if ((rc = ops->set_disabled(tx, name, true, err)) != 0 ||
	    (rc = ops->tokens_revoke(tx, name, &tokens, err)) != 0)
		return rc;
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
	struct change c = { .err = err, .write = write_totp, .name = name, .action = "user.mfa-enroll" };
	char sealed[MAMORI_TOTP_SEALED_LEN];
	unsigned char key[32];
	int rc;

	/* the secret is stored sealed with the store's key, never in clear */
	if ((rc = store_secret_key(s, false, key, err)) != 0)
		return rc;
	mamori_auth_totp_secret(secret);
	mamori_auth_totp_seal(key, name, secret, sealed);
	sodium_memzero(key, sizeof(key));
	c.value[0] = sealed;
	c.after = cJSON_CreateObject();
	cJSON_AddStringToObject(c.after, "totp", "(enrolled)");
	return apply(s, actor, &c);
}

int
mamori_user_mfa_reset(struct mamori_store *s, const char *actor, const char *name, struct mamori_error *err)
{
	struct change c = { .err = err, .write = write_totp, .name = name, .action = "user.mfa-reset" };

	c.after = cJSON_CreateObject();
	cJSON_AddStringToObject(c.after, "totp", "(removed)");
	/* a token made under the old second factor goes with it, as with a new password */
	c.then = THEN_REVOKE_TOKENS;
	return apply(s, actor, &c);
}

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

/* A column not set reads "" (department, email). */
static const char *
or_empty(const char *v)
{
	return v ? v : "";
}

static void
user_from_row(const struct store_user_row *r, struct mamori_user *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", or_empty(r->name));
	snprintf(u->role, sizeof(u->role), "%s", or_empty(r->role));
	snprintf(u->department, sizeof(u->department), "%s", or_empty(r->department));
	u->has_password = r->password != NULL;
	u->has_totp = r->totp_secret != NULL;
	u->disabled = r->disabled;
	u->failures = r->failures;
	u->locked_until = r->locked_until;
	snprintf(u->created, sizeof(u->created), "%s", or_empty(r->created));
	credential_of(or_empty(r->password), or_empty(r->totp_secret), u->credential);
	u->password_temporary = r->password_temporary;
	snprintf(u->email, sizeof(u->email), "%s", or_empty(r->email));
}

static int
copy_user(const struct store_user_row *r, void *ctx)
{
	user_from_row(r, ctx);
	return 0;
}

int
mamori_user_get(struct mamori_store *s, const char *name, struct mamori_user *out, struct mamori_error *err)
{
	return s->backend->user->get(s, name, copy_user, out, err);
}

struct user_walk {
	int (*fn)(const struct mamori_user *, void *);
	void *ctx;
};

static int
walk_user(const struct store_user_row *r, void *ctx)
{
	struct user_walk *w = ctx;
	struct mamori_user u;

	user_from_row(r, &u);
	return w->fn(&u, w->ctx);
}

int
mamori_user_list(struct mamori_store *s, int (*fn)(const struct mamori_user *, void *), void *ctx,
    struct mamori_error *err)
{
	struct user_walk w = { fn, ctx };

	return s->backend->user->list(s, walk_user, &w, err);
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

	if (r->known)
		rc = tx->store->backend->user->login_counters(tx, r->name, r->failures, r->locked_until, r->totp_step,
		    r->err);
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

/* What a login reads of the account: the account, its password hash, its TOTP secret opened. */
struct login_read {
	struct mamori_store *s;
	struct mamori_user u;
	char hash[MAMORI_PWHASH_LEN], secret[MAMORI_TOTP_SECRET_LEN];
	int totp_state;		/* unseal_secret's: -1 when the stored secret does not open */
	int64_t step;
};

static int
login_read(const struct store_user_row *r, void *ctx)
{
	struct login_read *l = ctx;

	user_from_row(r, &l->u);
	if (r->password)
		snprintf(l->hash, sizeof(l->hash), "%s", r->password);
	if (r->totp_secret)
		l->totp_state = unseal_secret(l->s, r->name, r->totp_secret, l->secret);
	l->step = r->totp_last_step;
	return 0;
}

int
mamori_user_login(struct mamori_store *s, const char *name, const char *password, const char *totp,
    const char *client, time_t now, struct mamori_user *out, struct mamori_error *err)
{
	struct login_record r = { .name = name, .client = client, .err = err };
	struct mamori_error ignore;
	struct login_read l = { .s = s };
	int rc = s->backend->user->get(s, name, login_read, &l, err);
	bool ok = false;

	if (rc != 0 && rc != MAMORI_E_NOTFOUND) {
		/* a store that cannot answer costs what a wrong password does */
		(void)mamori_auth_check_password_dummy(password ? password : "");
		return rc;
	}
	r.known = rc == 0;

	/* one Argon2id verification whatever the account: an unknown name, or one
	 * without a password, disabled or waiting, costs what a known one does */
	bool password_ok = l.hash[0] != '\0' ? mamori_auth_check_password(l.hash, password ? password : "") :
	    mamori_auth_check_password_dummy(password ? password : "");
	r.outcome = "denied";
	if (!r.known) {
		r.outcome = "unknown user";
	} else if (l.u.disabled) {
		r.outcome = "disabled";
	} else if (l.u.locked_until > now) {
		r.outcome = "locked";
	} else if (!password_ok) {
		r.outcome = "bad password";
	} else if (l.totp_state < 0) {
		r.outcome = "totp secret unreadable";
	} else if (l.secret[0] != '\0' && !mamori_auth_totp_check(l.secret, totp, now, &l.step)) {
		r.outcome = totp ? "bad totp" : "totp required";
	} else {
		r.outcome = "ok";
		ok = true;
	}
	if (r.known) {
		r.failures = ok ? 0 : l.u.failures + (strcmp(r.outcome, "locked") != 0 && strcmp(r.outcome, "disabled") != 0);
		r.locked_until = ok ? 0 : strcmp(r.outcome, "locked") == 0 ? l.u.locked_until :
		    (int64_t)now + mamori_auth_backoff((unsigned)r.failures);
		r.totp_step = l.step;
	}
	sodium_memzero(l.secret, sizeof(l.secret));
	sodium_memzero(l.hash, sizeof(l.hash));
	mamori_store_write(s, "login", login_tx, &r, &ignore);
	if (!ok) {
		/* only the holder of the right password learns that a code is missing */
		if (strcmp(r.outcome, "totp required") == 0)
			return mamori_error_set(err, MAMORI_E_MFA, "a one-time code (TOTP) is required");
		/* the same words for an unknown name, a wrong password and a waiting
		 * account: the answer must not tell which names exist */
		return mamori_error_set(err, MAMORI_E_DENIED, LOGIN_FAILED);
	}
	l.u.failures = 0;
	l.u.locked_until = 0;
	if (out)
		*out = l.u;
	return 0;
}

int
mamori_user_token_create(struct mamori_store *s, const char *actor, const char *name, const char *scope,
    int64_t expires, char token[MAMORI_TOKEN_LEN], struct mamori_error *err)
{
	char hash[MAMORI_TOKEN_LEN];
	struct mamori_user u;
	struct change c = { .err = err, .write = write_token, .name = name, .action = "user.token" };
	int rc;

	if (scope == NULL || (strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0 &&
	    strcmp(scope, "gateway") != 0))
		return mamori_error_set(err, MAMORI_E_USAGE, "a token's scope is read, write or gateway");
	if ((rc = mamori_user_get(s, name, &u, err)) != 0)
		return rc;
	mamori_auth_token(token);
	mamori_auth_token_hash(token, hash);
	c.value[0] = hash;
	c.value[1] = scope;
	c.number = expires;
	c.after = cJSON_CreateObject();
	cJSON_AddStringToObject(c.after, "scope", scope);
	cJSON_AddNumberToObject(c.after, "expires", (double)expires);
	char prefix[9];
	snprintf(prefix, sizeof(prefix), "%.8s", hash);
	cJSON_AddStringToObject(c.after, "token_sha256_prefix", prefix);
	return apply(s, actor, &c);
}

/* What a token check keeps of the token found. */
struct token_hit {
	char user[65];
	char *scope;		/* 8 bytes, the caller's */
	int64_t *expires;	/* NULL: not wanted */
};

static int
copy_token(const struct store_user_token *t, void *ctx)
{
	struct token_hit *h = ctx;

	snprintf(h->user, sizeof(h->user), "%s", t->user);
	snprintf(h->scope, 8, "%s", t->scope);
	if (h->expires != NULL)
		*h->expires = t->expires;
	return 0;
}

int
mamori_user_token_check(struct mamori_store *s, const char *token, time_t now, struct mamori_user *out,
    char scope[8], int64_t *expires, struct mamori_error *err)
{
	struct token_hit hit = { .scope = scope, .expires = expires };
	char hash[MAMORI_TOKEN_LEN];
	int rc;

	if (token == NULL || strlen(token) != MAMORI_TOKEN_LEN - 1)
		return mamori_error_set(err, MAMORI_E_DENIED, "invalid token");
	mamori_auth_token_hash(token, hash);
	rc = s->backend->user->token_find(s, hash, (int64_t)now, copy_token, &hit, err);
	if (rc != 0 && rc != MAMORI_E_NOTFOUND)
		return rc;
	if (rc == 0 && (mamori_user_get(s, hit.user, out, err) != 0 || out->disabled))
		rc = MAMORI_E_DENIED;
	if (rc != 0)
		return mamori_error_set(err, MAMORI_E_DENIED, "invalid or expired token");
	return 0;
}

struct token_walk {
	int (*fn)(const struct mamori_token_info *t, void *ctx);
	void *ctx;
};

static int
walk_token(const struct store_user_token *t, void *ctx)
{
	struct token_walk *w = ctx;
	struct mamori_token_info info;

	/* a token is named by the start of its hash (as listed, as revoked) */
	snprintf(info.prefix, sizeof(info.prefix), "%.16s", t->hash);
	snprintf(info.scope, sizeof(info.scope), "%s", t->scope);
	info.expires = t->expires;
	snprintf(info.created, sizeof(info.created), "%s", t->created);
	return w->fn(&info, w->ctx);
}

int
mamori_user_token_list(struct mamori_store *s, const char *name,
    int (*fn)(const struct mamori_token_info *t, void *ctx), void *ctx, struct mamori_error *err)
{
	struct token_walk w = { fn, ctx };

	return s->backend->user->token_list(s, name, walk_token, &w, err);
}

struct revoke_arg {
	const char *name, *prefix;
	struct mamori_error *err;
};

static int
revoke_tx(struct mamori_store_tx *tx, void *arg)
{
	const struct store_user_ops *ops = tx->store->backend->user;
	struct revoke_arg *r = arg;
	char hash[MAMORI_TOKEN_LEN];
	int n, rc;
	cJSON *before;

	if ((rc = ops->token_match(tx->store, r->name, r->prefix, &n, hash, r->err)) != 0)
		return rc;
	if (n == 0)
		return mamori_error_set(r->err, MAMORI_E_NOTFOUND, "user %s has no token %s", r->name, r->prefix);
	if (n > 1)
		return mamori_error_set(r->err, MAMORI_E_CONFLICT, "%d tokens of user %s start with %s; "
		    "give more digits", n, r->name, r->prefix);
	if ((rc = ops->token_delete(tx, hash, r->err)) != 0)
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
