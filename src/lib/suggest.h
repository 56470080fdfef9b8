/* suggest.h — "did you mean" for misspelt names. (internal) */
#ifndef MAMORI_SUGGEST_H
#define MAMORI_SUGGEST_H

#include <stddef.h>

/*
 * Returns the candidate closest to word by edit distance (insert, delete,
 * substitute, transpose; bytes), or NULL when none is close enough to be a
 * plausible typo (distance at most 2, and less than half of word's length).
 * candidates is an array of n strings; NULL entries are skipped.
 */
const char *mamori_suggest(const char *word, const char *const *candidates, size_t n);

#endif
