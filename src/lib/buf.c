/*
 * buf.c — the growable byte buffer, the JSON string escaper and the growable
 * array (buf.h).  Every writer of JSON, text or a workbook's strings uses
 * these, so that there is one place where growth, caps and escaping are done.
 */
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { BUF_FIRST = 256 };

bool
buf_reserve(struct buf *b, size_t more)
{
	size_t cap;
	char *np;

	if (b->fail)
		return false;
	/* the cap holds whatever room the buffer happens to have */
	if (more >= SIZE_MAX / 2 - b->len || (b->max && b->len + more > b->max)) {
		b->fail = true;
		return false;
	}
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : BUF_FIRST;
	while (cap < b->len + more + 1)
		cap *= 2;
	if ((np = realloc(b->p, cap)) == NULL) {
		b->fail = true;
		return false;
	}
	b->p = np;
	b->cap = cap;
	return true;
}

void
buf_add(struct buf *b, const void *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

/* The escaped length of s with its quotes. */
static size_t
json_length(const unsigned char *p)
{
	size_t n = 2;

	for (; *p; p++)
		n += *p > 31 && *p != '"' && *p != '\\' ? 1 :
		    *p == '"' || *p == '\\' || *p == '\b' || *p == '\f' || *p == '\n' || *p == '\r' ||
		    *p == '\t' ? 2 : 6;
	return n;
}

void
buf_json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	char *o;

	/* at most 6 bytes per input byte (\u00XX) and 2 quotes: one reservation
	 * and no check per byte; the exact length only near a cap */
	if (n > SIZE_MAX / 8 || (b->max && b->len + n * 6 + 2 > b->max))
		n = json_length(p);
	else
		n = n * 6 + 2;
	if (!buf_reserve(b, n))
		return;
	o = b->p + b->len;
	*o++ = '"';
	for (; *p; p++) {
		if (*p > 31 && *p != '"' && *p != '\\') {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '\\';
		switch (*p) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->p);
}

void
buf_json_key(struct buf *b, const char *name)
{
	buf_addc(b, '"');
	buf_adds(b, name);
	buf_add(b, "\":", 2);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->fail = false;
	if (b->p != NULL)
		b->p[0] = '\0';
}

char *
buf_take(struct buf *b, size_t *len)
{
	char *p;

	if (!b->fail && b->p == NULL)
		buf_add(b, "", 0);
	if (b->fail) {
		buf_free(b);
		return NULL;
	}
	p = b->p;
	if (len != NULL)
		*len = b->len;
	*b = (struct buf){ .max = b->max };
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	*b = (struct buf){ .max = b->max };
}

bool
array_reserve(void **items, size_t *cap, size_t need, size_t elem, size_t max)
{
	size_t ncap = *cap ? *cap : 16;
	void *nv;

	if (need <= *cap)
		return true;
	if (max && need > max)
		return false;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : ncap * 2;
	if (max && ncap > max)
		ncap = max;
	if (ncap > SIZE_MAX / elem || (nv = realloc(*items, ncap * elem)) == NULL)
		return false;
	*items = nv;
	*cap = ncap;
	return true;
}
