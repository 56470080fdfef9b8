/* digest.h — SHA-256 for the sanitizer. (internal)
 *
 * nettle's SHA-256, which uses the CPU's SHA instructions (as the audit trail
 * does, src/lib/merkle.c): libsodium's portable SHA-256 took 43 % of mail
 * text-ification, where every original and every attachment is hashed
 * (bench/README.md). */
#ifndef MAMORI_SANITIZE_DIGEST_H
#define MAMORI_SANITIZE_DIGEST_H

#include <nettle/sha2.h>
#include <stddef.h>

/* SHA-256 of n bytes at p as 64 lowercase hex digits. */
static inline void
sanitize_sha256_hex(const void *p, size_t n, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	unsigned char md[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, n, p);
	sha256_digest(&ctx, sizeof(md), md);
	for (unsigned i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

#endif
