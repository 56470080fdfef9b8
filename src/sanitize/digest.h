/* digest.h — SHA-256 for the sanitizer. (internal)
 *
 * OpenSSL's EVP SHA-256, which uses the CPU's SHA extensions: libsodium's
 * portable SHA-256 took 43 % of mail text-ification (every original and every
 * attachment is hashed; bench/README.md). */
#ifndef MAMORI_SANITIZE_DIGEST_H
#define MAMORI_SANITIZE_DIGEST_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

/* SHA-256 of n bytes at p as 64 lowercase hex digits; false when OpenSSL fails. */
static inline bool
sanitize_sha256_hex(const void *p, size_t n, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_Digest(n ? p : "", n, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
		hex[0] = '\0';
		return false;
	}
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return true;
}

#endif
