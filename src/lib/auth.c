/* auth.c — password hashes, TOTP, tokens, back-off (see mamori/auth.h). */
#include "mamori/auth.h"
#include "mamori/error.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum {
	PASSWORD_MAX = 1024,
	TOTP_STEP = 30,
	TOTP_DIGITS = 6,
	TOTP_WINDOW = 1,
	BACKOFF_FREE = 4,
	BACKOFF_MAX = 15 * 60,
};

/* Argon2id at libsodium's "moderate" time cost with 64 MiB: about 0.1–0.3 s
 * here, which bounds a guesser without making logins slow. */
#define PWHASH_OPSLIMIT 3
#define PWHASH_MEMLIMIT (64u * 1024 * 1024)

int
mamori_auth_hash_password(const char *password, char out[MAMORI_PWHASH_LEN])
{
	size_t len = strlen(password);

	if (sodium_init() < 0)
		return MAMORI_E_NOMEM;
	if (len == 0 || len > PASSWORD_MAX)
		return MAMORI_E_INVALID;
	if (crypto_pwhash_str_alg(out, password, len, PWHASH_OPSLIMIT, PWHASH_MEMLIMIT,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return MAMORI_E_NOMEM;
	return 0;
}

bool
mamori_auth_check_password(const char *hash, const char *password)
{
	size_t len = strlen(password);

	if (sodium_init() < 0 || len == 0 || len > PASSWORD_MAX)
		return false;
	return crypto_pwhash_str_verify(hash, password, len) == 0;
}

static char dummy_hash[MAMORI_PWHASH_LEN];
static bool dummy_ok;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_make(void)
{
	char pw[MAMORI_TOKEN_LEN];

	mamori_auth_token(pw);
	dummy_ok = mamori_auth_hash_password(pw, dummy_hash) == 0;
	sodium_memzero(pw, sizeof(pw));
}

bool
mamori_auth_check_password_dummy(const char *password)
{
	pthread_once(&dummy_once, dummy_make);
	if (dummy_ok)
		(void)mamori_auth_check_password(dummy_hash, password);
	return false;
}

void
mamori_auth_totp_secret(char out[MAMORI_TOTP_SECRET_LEN])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char raw[20];

	if (sodium_init() < 0)
		abort();	/* libsodium cannot fail once initialised; no randomness is fatal */
	randombytes_buf(raw, sizeof(raw));
	/* 160 bits → 32 base32 characters, 5 bits each */
	for (int i = 0; i < 32; i++) {
		int bit = i * 5, byte = bit / 8, off = bit % 8;
		unsigned v = (unsigned)raw[byte] << 8 | (byte + 1 < 20 ? raw[byte + 1] : 0);
		out[i] = alphabet[(v >> (11 - off)) & 31];
	}
	out[32] = '\0';
	sodium_memzero(raw, sizeof(raw));
}

/* Decodes a base32 secret into a malloc'd buffer (oath's allocation). */
static char *
secret_bytes(const char *b32, size_t *len)
{
	char *bin = NULL;

	if (oath_init() != OATH_OK)
		return NULL;
	if (oath_base32_decode(b32, strlen(b32), &bin, len) != OATH_OK)
		return NULL;
	return bin;
}

bool
mamori_auth_totp_code(const char *secret_b32, time_t now, char out[7])
{
	size_t len;
	char *bin = secret_bytes(secret_b32, &len);
	bool ok;

	if (bin == NULL)
		return false;
	ok = oath_totp_generate(bin, len, now, TOTP_STEP, 0, TOTP_DIGITS, out) == OATH_OK;
	sodium_memzero(bin, len);
	free(bin);
	return ok;
}

/* ---- TOTP secrets at rest -------------------------------------------- */

static const char sealed_tag[] = "x1:";

bool
mamori_auth_totp_is_sealed(const char *stored)
{
	return strncmp(stored, sealed_tag, sizeof(sealed_tag) - 1) == 0;
}

void
mamori_auth_totp_seal(const unsigned char key[32], const char *name, const char *secret_b32,
    char out[MAMORI_TOTP_SEALED_LEN])
{
	enum { NONCE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES };
	unsigned char buf[NONCE + MAMORI_TOTP_SECRET_LEN + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	size_t len = strnlen(secret_b32, MAMORI_TOTP_SECRET_LEN - 1);
	unsigned long long clen = 0;

	if (sodium_init() < 0)
		abort();	/* as mamori_auth_totp_secret: no randomness is fatal */
	randombytes_buf(buf, NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(buf + NONCE, &clen, (const unsigned char *)secret_b32, len,
	    (const unsigned char *)name, strlen(name), NULL, buf, key);
	memcpy(out, sealed_tag, sizeof(sealed_tag));
	sodium_bin2base64(out + sizeof(sealed_tag) - 1, MAMORI_TOTP_SEALED_LEN - (sizeof(sealed_tag) - 1), buf,
	    NONCE + (size_t)clen, sodium_base64_VARIANT_ORIGINAL);
}

bool
mamori_auth_totp_unseal(const unsigned char key[32], const char *name, const char *sealed,
    char out[MAMORI_TOTP_SECRET_LEN])
{
	enum { NONCE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES };
	unsigned char buf[NONCE + MAMORI_TOTP_SECRET_LEN + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned long long plen = 0;
	size_t blen = 0;

	out[0] = '\0';
	if (sodium_init() < 0 || !mamori_auth_totp_is_sealed(sealed))
		return false;
	sealed += sizeof(sealed_tag) - 1;
	if (sodium_base642bin(buf, sizeof(buf), sealed, strlen(sealed), NULL, &blen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || blen < NONCE + crypto_aead_xchacha20poly1305_ietf_ABYTES)
		return false;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out, &plen, NULL, buf + NONCE, blen - NONCE,
	    (const unsigned char *)name, strlen(name), buf, key) != 0 || plen >= MAMORI_TOTP_SECRET_LEN) {
		sodium_memzero(out, MAMORI_TOTP_SECRET_LEN);
		return false;
	}
	out[plen] = '\0';
	return true;
}

bool
mamori_auth_totp_check(const char *secret_b32, const char *code, time_t now, int64_t *last_step)
{
	size_t len;
	char *bin;
	int pos = 0, rc;
	int64_t step;

	if (code == NULL || strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
		return false;
	bin = secret_bytes(secret_b32, &len);
	if (bin == NULL)
		return false;
	rc = oath_totp_validate2(bin, len, now, TOTP_STEP, 0, TOTP_WINDOW, &pos, code);
	sodium_memzero(bin, len);
	free(bin);
	if (rc < 0)
		return false;
	step = (int64_t)(now / TOTP_STEP) + pos;
	if (step <= *last_step)
		return false;	/* this code, or a later one, was used already */
	*last_step = step;
	return true;
}

static void
percent_encode(const char *s, char *out, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s && o + 4 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

char *
mamori_auth_totp_uri(const char *issuer, const char *account, const char *secret_b32)
{
	char is[256], ac[512];
	char *uri = NULL;

	percent_encode(issuer, is, sizeof(is));
	percent_encode(account, ac, sizeof(ac));
	if (asprintf(&uri, "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d",
	    is, ac, secret_b32, is, TOTP_DIGITS, TOTP_STEP) < 0)
		return NULL;
	return uri;
}

int
mamori_auth_qr_print(const char *uri, FILE *out)
{
	QRcode *qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	const int quiet = 2;

	if (qr == NULL)
		return MAMORI_E_NOMEM;
	/* Each character cell shows two rows: upper half, lower half, both, neither.
	 * Light on dark terminals varies, so draw dark modules as spaces on white. */
	for (int y = -quiet; y < qr->width + quiet; y += 2) {
		for (int x = -quiet; x < qr->width + quiet; x++) {
			bool top = y >= 0 && y < qr->width && x >= 0 && x < qr->width &&
			    (qr->data[y * qr->width + x] & 1);
			bool bottom = y + 1 >= 0 && y + 1 < qr->width && x >= 0 && x < qr->width &&
			    (qr->data[(y + 1) * qr->width + x] & 1);
			fputs(top && bottom ? " " : top ? "▄" : bottom ? "▀" : "█", out);
		}
		fputc('\n', out);
	}
	QRcode_free(qr);
	return ferror(out) ? MAMORI_E_IO : 0;
}

char *
mamori_auth_qr_modules(const char *uri, int *width)
{
	QRcode *qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	char *out;

	if (qr == NULL)
		return NULL;
	out = malloc((size_t)qr->width * (size_t)qr->width + 1);
	if (out != NULL) {
		for (int i = 0; i < qr->width * qr->width; i++)
			out[i] = (qr->data[i] & 1) ? '1' : '0';
		out[qr->width * qr->width] = '\0';
		*width = qr->width;
	}
	QRcode_free(qr);
	return out;
}

void
mamori_auth_token(char out[MAMORI_TOKEN_LEN])
{
	unsigned char raw[32];

	if (sodium_init() < 0)
		abort();
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, MAMORI_TOKEN_LEN, raw, sizeof(raw));
}

void
mamori_auth_token_hash(const char *token, char out[MAMORI_TOKEN_LEN])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, MAMORI_TOKEN_LEN, h, sizeof(h));
}

bool
mamori_auth_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	/* lengths of tokens are public; only their content must not leak */
	return la == lb && sodium_memcmp(a, b, la) == 0;
}

unsigned
mamori_auth_backoff(unsigned failures)
{
	if (failures <= BACKOFF_FREE)
		return 0;
	if (failures - BACKOFF_FREE >= 10)
		return BACKOFF_MAX;
	unsigned s = 1u << (failures - BACKOFF_FREE);
	return s > BACKOFF_MAX ? BACKOFF_MAX : s;
}
