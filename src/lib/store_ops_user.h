/*
 * store_ops_user.h — the accounts' storage behind the backend: accounts, API
 * tokens, login counters, sealed TOTP secrets, and what personnel.c reads of
 * the register and the records for a person's holdings. (internal)
 *
 * user.c and personnel.c ask through s->backend->user; SQLite's answers are
 * store_sqlite_user.c.  The common rules of store_backend.h hold: 0 or a
 * negative MAMORI_E_* code with err filled; strings handed to a callback are
 * lent for that call; a callback's non-zero stops the walk and is returned as
 * is.  The ops that take a transaction run inside the caller's write
 * transaction and stamp the account's `updated` (a token's `created`) with
 * the current time themselves.  An op that changes one account returns
 * MAMORI_E_NOTFOUND ("no user NAME") when there is no such account.
 */
#ifndef MAMORI_STORE_OPS_USER_H
#define MAMORI_STORE_OPS_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "store_backend.h"

/* One account as stored.  A NULL string is a column not set. */
struct store_user_row {
	const char *name, *role;
	const char *department;		/* NULL: none */
	const char *email;		/* NULL: none */
	const char *password;		/* the Argon2id hash; NULL: no password */
	const char *totp_secret;	/* sealed (mamori_auth_totp_seal); NULL: no second factor */
	const char *created;		/* RFC 3339 */
	bool disabled, password_temporary;
	int failures;			/* failed logins since the last good one */
	int64_t locked_until;		/* Unix time; 0: not waiting */
	int64_t totp_last_step;		/* the last TOTP step accepted (no replay) */
};

/* A new account (add).  A NULL string stores none. */
struct store_user_new {
	const char *name, *role, *department, *email;
	const char *password;		/* hash, or NULL */
	bool password_temporary;
};

/* One API token as stored: its SHA-256 (hex), never the token. */
struct store_user_token {
	const char *user, *hash, *scope, *created;
	int64_t expires;		/* Unix time */
};

/* One record that may be a person's (records_naming). */
struct store_user_record {
	const char *id, *kind, *state;
	const char *reporter, *approver;	/* NULL: none */
	const char *fields;			/* the record's fields, a JSON object as stored */
};

struct store_user_ops {
	/* ---- accounts ---- */

	/*
	 * Account name to fn; MAMORI_E_NOTFOUND when there is none (fn not
	 * called).  On every API request (the token's account): keep it cheap.
	 */
	int (*get)(struct mamori_store *s, const char *name,
	    int (*fn)(const struct store_user_row *u, void *ctx), void *ctx, struct mamori_error *err);

	/* Every account to fn, in order of name (byte order). */
	int (*list)(struct mamori_store *s, int (*fn)(const struct store_user_row *u, void *ctx), void *ctx,
	    struct mamori_error *err);

	/*
	 * Inserts account u: enabled, no failures, no second factor, created
	 * now.  MAMORI_E_CONFLICT when an account of that name exists.
	 */
	int (*add)(struct mamori_store_tx *tx, const struct store_user_new *u, struct mamori_error *err);

	/* Sets the account's mail address (NULL: none). */
	int (*set_email)(struct mamori_store_tx *tx, const char *name, const char *email, struct mamori_error *err);

	/*
	 * Sets the account's password hash and whether it is temporary, and
	 * clears its failures and waiting (a new password is a fresh start).
	 */
	int (*set_password)(struct mamori_store_tx *tx, const char *name, const char *hash, bool temporary,
	    struct mamori_error *err);

	/* Disables the account, or enables it with its failures and waiting cleared. */
	int (*set_disabled)(struct mamori_store_tx *tx, const char *name, bool disabled, struct mamori_error *err);

	/* Sets the account's sealed TOTP secret (NULL: removes it) and forgets its last step. */
	int (*set_totp)(struct mamori_store_tx *tx, const char *name, const char *sealed, struct mamori_error *err);

	/* Moves the account to department and role (ids; both required). */
	int (*set_place)(struct mamori_store_tx *tx, const char *name, const char *department, const char *role,
	    struct mamori_error *err);

	/*
	 * A login's outcome: sets failures and locked_until, and raises the
	 * last TOTP step to totp_step when that is larger (never lowers it).
	 */
	int (*login_counters)(struct mamori_store_tx *tx, const char *name, int failures, int64_t locked_until,
	    int64_t totp_step, struct mamori_error *err);

	/*
	 * The notices to recipient that wait for a mail address (unsent) are
	 * due at once; *n the number of them.  No account check.
	 */
	int (*wake_notices)(struct mamori_store_tx *tx, const char *recipient, int *n, struct mamori_error *err);

	/* ---- API tokens ---- */

	/*
	 * The token of this hash that expires after now, to fn; MAMORI_E_NOTFOUND
	 * when there is none (or it has expired).  On every API request.
	 */
	int (*token_find)(struct mamori_store *s, const char *hash, int64_t now,
	    int (*fn)(const struct store_user_token *t, void *ctx), void *ctx, struct mamori_error *err);

	/* The account's tokens, expired ones too, in order of created, then hash. */
	int (*token_list)(struct mamori_store *s, const char *name,
	    int (*fn)(const struct store_user_token *t, void *ctx), void *ctx, struct mamori_error *err);

	/*
	 * How many of the account's tokens have a hash that starts with prefix
	 * (lower-case hex, 1 to 64 digits) into *n, and the full hash of one of
	 * them into hash (65 bytes; "" when none).
	 */
	int (*token_match)(struct mamori_store *s, const char *name, const char *prefix, int *n, char hash[65],
	    struct mamori_error *err);

	/* Stores a token of the account (created now); MAMORI_E_CONFLICT when the hash is stored already. */
	int (*token_add)(struct mamori_store_tx *tx, const char *name, const char *hash, const char *scope,
	    int64_t expires, struct mamori_error *err);

	/* Deletes the token of this hash (none: nothing happens). */
	int (*token_delete)(struct mamori_store_tx *tx, const char *hash, struct mamori_error *err);

	/* Deletes every token of the account; *n the number deleted. */
	int (*tokens_revoke)(struct mamori_store_tx *tx, const char *name, int *n, struct mamori_error *err);

	/* ---- what a person holds (personnel.c) ---- */

	/*
	 * The active assets of department whose managing role is role, id and
	 * name to fn, in register order (asset number).
	 */
	int (*assets_held)(struct mamori_store *s, const char *department, const char *role,
	    int (*fn)(const char *id, const char *name, void *ctx), void *ctx, struct mamori_error *err);

	/* How many enabled accounts other than except hold role in department, into *n. */
	int (*count_peers)(struct mamori_store *s, const char *role, const char *department, const char *except,
	    int *n, struct mamori_error *err);

	/*
	 * The records that may be name's, to fn in record order (number): every
	 * record whose reporter or approver is name or whose fields hold the
	 * JSON string "name" anywhere.  More may come (a field that is no
	 * account's): the caller reads the fields and decides.  Final states
	 * too.  name is [a-z0-9._-] (an account name).
	 */
	int (*records_naming)(struct mamori_store *s, const char *name,
	    int (*fn)(const struct store_user_record *r, void *ctx), void *ctx, struct mamori_error *err);
};

/* SQLite's (store_sqlite_user.c). */
extern const struct store_user_ops store_sqlite_user_ops;

#endif
