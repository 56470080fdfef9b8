/*
 * buf.h — the growable byte buffer (with a cap), the JSON string escaper, and
 * the growable array: the low-level tools every writer of text and every
 * collector of items shares.  (internal: the library, the server and the
 * sanitizer include it by path.)
 */
#ifndef MAMORI_BUF_H
#define MAMORI_BUF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A byte buffer that grows as text is appended.  Zero-initialise it (or set
 * max first: the most bytes it may hold, 0 for no bound but memory).  After
 * anything was appended, p holds len bytes and a NUL after them.  Once memory
 * or the cap runs out, fail is set and stays set, and every later append does
 * nothing: a writer appends without checking and looks at fail once at the
 * end.  p is owned by the buffer until buf_take hands it over.
 */
struct buf {
	char *p;
	size_t len, cap;
	size_t max;
	bool fail;
};

/* Makes room for more bytes (and the NUL); false (fail set) when it cannot. */
bool buf_reserve(struct buf *b, size_t more);

/* Appends n bytes as they are. */
void buf_add(struct buf *b, const void *s, size_t n);

/* Appends a NUL-terminated string as it is. */
void buf_adds(struct buf *b, const char *s);

/* Appends one byte. */
void buf_addc(struct buf *b, char c);

/* Appends a string literal as it is. */
#define BUF_LIT(b, lit) buf_add((b), (lit), sizeof(lit) - 1)

/*
 * Appends s as a JSON string: quoted, '"', '\\' and the control characters
 * escaped, the short forms where JSON has one (\b \f \n \r \t), else \u00xx in
 * lower case; every other byte, UTF-8 included, is copied.  These are exactly
 * the bytes cJSON prints for the same string, which the audit trail's
 * canonical bodies rely on (tests/unit/test_buf.c checks every byte).  NULL is
 * written as "".
 */
void buf_json_string(struct buf *b, const char *s);

/* Appends "name": with name a JSON-safe literal (no escaping). */
void buf_json_key(struct buf *b, const char *name);

/* Empties b (len 0, fail cleared), keeping its memory and its cap. */
void buf_reset(struct buf *b);

/*
 * The text, handed to the caller (who frees it), and b emptied (max kept).
 * NULL when b failed (its memory is released) or nothing was ever appended
 * (then an empty string is returned when the buffer can make one).  *len, when
 * len is not NULL, gets the text's length.
 */
char *buf_take(struct buf *b, size_t *len);

/* Releases b's memory and zeroes it (max kept); b may be empty. */
void buf_free(struct buf *b);

/*
 * Makes *items (an array of elements of size elem with room for *cap of them)
 * hold at least need elements, doubling from 16 up; at most max elements (0:
 * no bound).  Returns false — *items and *cap unchanged, still owned by the
 * caller — when memory or the bound runs out.  Use through ARRAY_RESERVE.
 */
bool array_reserve(void **items, size_t *cap, size_t need, size_t elem, size_t max);

/* ARRAY_RESERVE(v, cap, need, max) for a typed pointer v. */
#define ARRAY_RESERVE(v, cap, need, max) \
	array_reserve((void **)&(v), &(cap), (need), sizeof(*(v)), (max))

#endif
