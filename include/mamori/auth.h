/*
 * mamori/auth.h — the building blocks of authentication: password hashes
 * (Argon2id), TOTP (RFC 6238) with replay protection, random tokens and their
 * hashes at rest, the lockout back-off, and the enrolment QR code.
 * Accounts themselves live in the store (mamori/user.h).
 */
#ifndef MAMORI_AUTH_H
#define MAMORI_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Size of a password hash string (libsodium's crypto_pwhash_STRBYTES). */
#define MAMORI_PWHASH_LEN 128
/* A TOTP secret: 20 random bytes (RFC 4226's recommendation), base32, 32 chars. */
#define MAMORI_TOTP_SECRET_LEN 33
/* A token: 32 random bytes as 64 hex digits. */
#define MAMORI_TOKEN_LEN 65

/*
 * Hashes password with Argon2id (libsodium crypto_pwhash_str, opslimit 3,
 * memlimit 64 MiB: docs/auth.md says why) into out.  Returns 0, or
 * MAMORI_E_NOMEM when the memory for the hash cannot be had, or MAMORI_E_INVALID
 * for an empty password or one over 1024 bytes.
 */
int mamori_auth_hash_password(const char *password, char out[MAMORI_PWHASH_LEN]);

/* Whether password matches hash (constant time in the password). */
bool mamori_auth_check_password(const char *hash, const char *password);

/*
 * Spends the time of mamori_auth_check_password against a hash of no account
 * (made once, of a random password, with the same parameters) and returns
 * false: a login for an unknown name takes as long as one for a known name.
 */
bool mamori_auth_check_password_dummy(const char *password);

/* A new random TOTP secret, base32 without padding. */
void mamori_auth_totp_secret(char out[MAMORI_TOTP_SECRET_LEN]);

/*
 * Checks a 6-digit TOTP code (30-second steps, SHA-1, ±1 step of clock skew).
 * *last_step is the time step of the last code accepted for this account (0 for
 * none); a code of that step or earlier is refused as a replay, and on success
 * *last_step advances.  Returns true when the code is accepted.
 */
bool mamori_auth_totp_check(const char *secret_b32, const char *code, time_t now,
    int64_t *last_step);

/* The current code for secret at now, into out[7] (tests and enrolment checks). */
bool mamori_auth_totp_code(const char *secret_b32, time_t now, char out[7]);

/* A TOTP secret as stored: "x1:" and the base64 of nonce and sealed secret. */
#define MAMORI_TOTP_SEALED_LEN 128

/*
 * Seals a TOTP secret for the account name with key (XChaCha20-Poly1305, a
 * random nonce, the account's name as associated data: a sealed secret copied
 * to another account's row does not open there) into out.
 */
void mamori_auth_totp_seal(const unsigned char key[32], const char *name, const char *secret_b32,
    char out[MAMORI_TOTP_SEALED_LEN]);

/*
 * Opens what mamori_auth_totp_seal made for the account name.  Returns false
 * (out empty) for anything else: another key or account, a changed byte, a
 * secret stored in clear.
 */
bool mamori_auth_totp_unseal(const unsigned char key[32], const char *name, const char *sealed,
    char out[MAMORI_TOTP_SECRET_LEN]);

/* Whether a stored TOTP secret is sealed (begins "x1:"). */
bool mamori_auth_totp_is_sealed(const char *stored);

/*
 * The otpauth:// URI that authenticator apps read (issuer "mamori" and the
 * account name, percent-encoded).  Returns a malloc'd string or NULL.
 */
char *mamori_auth_totp_uri(const char *issuer, const char *account, const char *secret_b32);

/* Prints uri as a QR code for a terminal (two modules per character cell). */
int mamori_auth_qr_print(const char *uri, FILE *out);

/*
 * The QR code of uri as its modules, for a screen to draw: *width rows of
 * *width characters, '1' dark and '0' light, row after row, in a malloc'd
 * string the caller frees.  NULL when it cannot be made.
 */
char *mamori_auth_qr_modules(const char *uri, int *width);

/* A new random token (session id, CSRF token, API token) as hex. */
void mamori_auth_token(char out[MAMORI_TOKEN_LEN]);

/* SHA-256 of a token as hex, for storing tokens at rest. */
void mamori_auth_token_hash(const char *token, char out[MAMORI_TOKEN_LEN]);

/* Constant-time comparison of two NUL-terminated strings. */
bool mamori_auth_equal(const char *a, const char *b);

/*
 * Seconds to refuse further attempts after failures consecutive failures: none
 * for the first 4, then 2, 4, 8 … seconds, at most 15 minutes.
 */
unsigned mamori_auth_backoff(unsigned failures);

#endif
