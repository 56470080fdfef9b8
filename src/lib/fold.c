/* fold.c — NFKC folding of names for matching (libunistring). */
#include "fold.h"

#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistr.h>

static bool
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/*
 * NFKC of s into out (n bytes, NUL-terminated); the normalised length in *len.
 * ASCII is its own NFKC.
 */
static bool
nfkc(const char *s, char *out, size_t n, size_t *len)
{
	size_t slen = strlen(s), got = n - 1;
	uint8_t *r;

	if (n == 0)
		return false;
	if (is_ascii(s)) {
		if (slen >= n)
			return false;
		memcpy(out, s, slen + 1);
		*len = slen;
		return true;
	}
	if (u8_check((const uint8_t *)s, slen) != NULL)
		return false;
	/* with room for the result, u8_normalize writes into out and allocates nothing */
	r = u8_normalize(UNINORM_NFKC, (const uint8_t *)s, slen, (uint8_t *)out, &got);
	if (r == NULL)
		return false;
	if (r != (uint8_t *)out) {
		free(r);
		return false;
	}
	out[got] = '\0';
	*len = got;
	return true;
}

/* U+3000 and the ASCII blanks; NFKC has already made most others a space. */
static size_t
space_at(const char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' || *p == '\f')
		return 1;
	if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80)
		return 3;
	return 0;
}

bool
mamori_fold(const char *s, char *out, size_t n)
{
	size_t len, o = 0, sp;

	if (!nfkc(s, out, n, &len)) {
		if (n > 0)
			out[0] = '\0';
		return false;
	}
	for (size_t i = 0; i < len;) {
		if ((sp = space_at(out + i)) > 0) {
			i += sp;
			continue;
		}
		char c = out[i++];
		out[o++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[o] = '\0';
	return true;
}

bool
mamori_nfkc_trim(const char *s, char *out, size_t n)
{
	size_t len, start = 0, sp;

	if (!nfkc(s, out, n, &len))
		return false;
	while (start < len && (sp = space_at(out + start)) > 0)
		start += sp;
	while (len > start) {
		if (space_at(out + len - 1) == 1)
			len--;
		else if (len - start >= 3 && space_at(out + len - 3) == 3)
			len -= 3;
		else
			break;
	}
	memmove(out, out + start, len - start);
	out[len - start] = '\0';
	return true;
}
