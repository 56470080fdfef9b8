/* utf8.h — UTF-8 validation with a position for the first bad byte. (internal) */
#ifndef MAMORI_UTF8_H
#define MAMORI_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Returns true when the n bytes at s are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF).  Otherwise returns false and, when bad
 * is not NULL, stores the offset of the first byte of the bad sequence.
 */
bool mamori_utf8_valid(const char *s, size_t n, size_t *bad);

/* Line and column (1-based, column in characters) of byte offset off in s. */
void mamori_utf8_position(const char *s, size_t off, int *line, int *column);

/* Number of characters (code points) in the first n bytes of valid UTF-8 s. */
size_t mamori_utf8_length(const char *s, size_t n);

#endif
