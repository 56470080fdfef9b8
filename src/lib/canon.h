/* canon.h — canonical JSON for audit bodies: sorted keys, no whitespace. (internal) */
#ifndef MAMORI_CANON_H
#define MAMORI_CANON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* The canonical text of v (object keys sorted by bytes, recursively); malloc'd. */
char *mamori_canon_json(const cJSON *v);

/* {"after":…,"before":…} with null for an absent side; malloc'd. */
char *mamori_canon_body(const cJSON *before, const cJSON *after);

/*
 * A buffer that canonical JSON is written into piece by piece, for writers
 * that know their keys' order and need no tree (a bulk import writes a million
 * audit bodies).  Zero-initialise; the text is always NUL-terminated once
 * something was written; fail is set (and stays set) when memory runs out.
 * canon_buf_free releases the text.
 */
struct canon_buf {
	char *buf;
	size_t len, cap;
	bool fail;
};

void canon_buf_reset(struct canon_buf *b);
void canon_buf_free(struct canon_buf *b);
void canon_put_raw(struct canon_buf *b, const char *s, size_t n);

/* s as a JSON string, escaped byte for byte as cJSON escapes it (so that a
 * body written here equals the one mamori_canon_body prints for the same values). */
void canon_put_string(struct canon_buf *b, const char *s);

#endif
