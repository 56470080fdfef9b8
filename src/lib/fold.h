/* fold.h — names as people type them, folded for matching. (internal) */
#ifndef MAMORI_FOLD_H
#define MAMORI_FOLD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Folds s for matching what people type against what a policy or a header
 * says: Unicode NFKC (libunistring; ③ → 3, Ⅲ → III, ｼｽﾃﾑ → システム, ３ → 3,
 * U+3000 → space), then ASCII letters to lowercase and every white space
 * character removed.  Writes a NUL-terminated result of at most n - 1 bytes
 * to out; false when s is not valid UTF-8 or the result does not fit (out
 * then holds "").  ASCII text takes no detour through the normaliser.
 */
bool mamori_fold(const char *s, char *out, size_t n);

/*
 * Copies s to out (n bytes at most, NUL-terminated) in NFKC with white space
 * (ASCII, U+3000 and what NFKC makes of it) trimmed at both ends, inner white
 * space kept.  What the register keeps of a value people typed.  False when
 * s is not valid UTF-8 or the result does not fit.
 */
bool mamori_nfkc_trim(const char *s, char *out, size_t n);

#endif
