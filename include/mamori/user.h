/*
 * mamori/user.h — accounts in the store: people and systems who use mamori,
 * each holding a role of the store's policy and maybe a department.  Passwords
 * are Argon2id hashes; TOTP secrets enable multi-factor login.  Every change is
 * audit-logged (never with a password or secret in the event).
 */
#ifndef MAMORI_USER_H
#define MAMORI_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "mamori/auth.h"
#include "mamori/error.h"
#include "mamori/store.h"

/* A credential generation: 16 hex digits (see struct mamori_user). */
#define MAMORI_CREDENTIAL_LEN 17

struct mamori_user {
	char name[65];
	char role[65];
	char department[65];	/* "" = none */
	char email[255];	/* where notices go by mail (mamori/mail.h); "" = none */
	bool has_password, has_totp, disabled;
	bool password_temporary;	/* set by an administrator: to be changed at the next login */
	int failures;
	int64_t locked_until;	/* Unix time; 0 = not locked */
	char created[32];
	/* changes whenever the password or the TOTP secret is set or removed (the
	 * start of a SHA-256 of both as stored: a new hash has a new salt).  A
	 * session remembers it at login and ends when it differs: a reset
	 * password or MFA ends the account's other sessions, even one made by
	 * the command line in another process. */
	char credential[MAMORI_CREDENTIAL_LEN];
};

/*
 * Adds an account.  name: 1–64 of [a-z0-9._-]; role and department must exist
 * in the store's policy (titles accepted); password may be NULL (set it later).
 * temporary: the password was chosen by an administrator and its holder must
 * replace it (mamori_user_change_password) before anything else.
 */
int mamori_user_add(struct mamori_store *s, const char *actor, const char *name, const char *role,
    const char *department, const char *password, bool temporary, struct mamori_error *err);

/*
 * As mamori_user_add, with the account's mail address (NULL or "": none),
 * checked by mamori_mail_address_check (MAMORI_E_INVALID with the reason).
 */
int mamori_user_add_with_email(struct mamori_store *s, const char *actor, const char *name, const char *role,
    const char *department, const char *email, const char *password, bool temporary, struct mamori_error *err);

/*
 * Sets the account's mail address, or clears it (email NULL or ""), as a
 * user.email event.  The address is checked as for mamori_user_add_with_email.
 * The account's notices that wait for lack of an address are due at once.
 */
int mamori_user_set_email(struct mamori_store *s, const char *actor, const char *name, const char *email,
    struct mamori_error *err);

/* Sets a new password (temporary as for mamori_user_add); the account's API
 * tokens are revoked in the same transaction (the credential generation
 * changes: its sessions end too). */
int mamori_user_passwd(struct mamori_store *s, const char *actor, const char *name,
    const char *password, bool temporary, struct mamori_error *err);

/*
 * The holder's own change: current must be the account's password (else
 * MAMORI_E_DENIED, audit-logged as user.passwd.denied); the new password is
 * not temporary and must differ from current (MAMORI_E_INVALID).  Tokens
 * are revoked as by mamori_user_passwd.
 */
int mamori_user_change_password(struct mamori_store *s, const char *actor, const char *name,
    const char *current, const char *password, struct mamori_error *err);

/* Disables (or enables again) an account; a disabled account cannot log in. */
int mamori_user_disable(struct mamori_store *s, const char *actor, const char *name, bool disabled,
    struct mamori_error *err);

/* Makes and stores a new TOTP secret for the account; the secret is written to secret. */
int mamori_user_mfa_enroll(struct mamori_store *s, const char *actor, const char *name,
    char secret[MAMORI_TOTP_SECRET_LEN], struct mamori_error *err);

/* Removes the account's TOTP secret (a lost phone) and revokes its API tokens
 * (as mamori_user_passwd). */
int mamori_user_mfa_reset(struct mamori_store *s, const char *actor, const char *name,
    struct mamori_error *err);

/* Reads one account. */
int mamori_user_get(struct mamori_store *s, const char *name, struct mamori_user *out,
    struct mamori_error *err);

/* Calls fn for every account, by name. */
int mamori_user_list(struct mamori_store *s, int (*fn)(const struct mamori_user *u, void *ctx),
    void *ctx, struct mamori_error *err);

/*
 * Checks a login at time now: the account exists and is enabled, it is not in
 * its back-off, the password matches and, when the account has TOTP, so does the
 * code (replays refused).  Failures count towards the back-off (mamori_auth_backoff)
 * and every attempt is audit-logged with client.  Returns 0 and *out, or
 * MAMORI_E_DENIED with MAMORI_LOGIN_FAILED whatever was wrong (an unknown name, a
 * disabled or waiting account, a wrong password) — only a right password
 * without the one-time code its account needs is told so, with MAMORI_E_MFA.  Every attempt
 * costs one Argon2id verification, a dummy one for an unknown name, so the
 * time taken does not tell whether the name exists either.
 */
#define MAMORI_LOGIN_FAILED "login failed (after repeated failures an account must wait a while " \
	"before it can log in again)"

int mamori_user_login(struct mamori_store *s, const char *name, const char *password,
    const char *totp, const char *client, time_t now, struct mamori_user *out,
    struct mamori_error *err);

/*
 * Issues an API token for a system acting as user name: scope "read" (GET only),
 * "write", or "gateway" (read, and decisions about any subject: a gateway that
 * asks for the people behind it; docs/decide.md), valid until expires (Unix time).  The token is written to token
 * once; only its SHA-256 is stored.
 */
int mamori_user_token_create(struct mamori_store *s, const char *actor, const char *name,
    const char *scope, int64_t expires, char token[MAMORI_TOKEN_LEN], struct mamori_error *err);

/* An API token as listed: never the token, only the start of its SHA-256. */
struct mamori_token_info {
	char prefix[17];	/* the first 16 hex digits of the token's SHA-256 */
	char scope[8];
	int64_t expires;
	char created[32];
	/* changes whenever the password or the TOTP secret is set or removed (the
	 * start of a SHA-256 of both as stored: a new hash has a new salt).  A
	 * session remembers it at login and ends when it differs: a reset
	 * password or MFA ends the account's other sessions, even one made by
	 * the command line in another process. */
	char credential[MAMORI_CREDENTIAL_LEN];
};

/* Calls fn for every API token of user name (expired ones too), oldest first. */
int mamori_user_token_list(struct mamori_store *s, const char *name,
    int (*fn)(const struct mamori_token_info *t, void *ctx), void *ctx, struct mamori_error *err);

/*
 * Revokes the token of user name whose SHA-256 starts with prefix (at least 8
 * hex digits, as listed and as in the audit event of its creation).
 * MAMORI_E_NOTFOUND when none matches, MAMORI_E_CONFLICT when more than one does.
 */
int mamori_user_token_revoke(struct mamori_store *s, const char *actor, const char *name,
    const char *prefix, struct mamori_error *err);

/*
 * Checks a presented token at time now: known, not expired, its user enabled.
 * Returns 0 with the user in *out, the scope in scope and, when expires is not
 * NULL, the token's expiry (Unix time) in *expires — what a cache of checked
 * tokens needs to stop honouring it in time; or MAMORI_E_DENIED.
 */
int mamori_user_token_check(struct mamori_store *s, const char *token, time_t now,
    struct mamori_user *out, char scope[8], int64_t *expires, struct mamori_error *err);

#endif
