/* suggest.c — nearest name by Damerau–Levenshtein (optimal string alignment). */
#include "suggest.h"

#include <stdint.h>
#include <string.h>

enum { SUGGEST_MAXLEN = 64 };

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* Edit distance, or SIZE_MAX-ish sentinel when either word is too long to be a typo. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[SUGGEST_MAXLEN + 1][SUGGEST_MAXLEN + 1];

	if (la > SUGGEST_MAXLEN || lb > SUGGEST_MAXLEN)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
			    d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

const char *
mamori_suggest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3;
	size_t len = strlen(word);

	for (size_t i = 0; i < n; i++) {
		if (candidates[i] == NULL)
			continue;
		size_t dist = edit_distance(word, candidates[i]);
		if (dist < best_d && dist * 2 < len + (len == 1)) {
			best = candidates[i];
			best_d = dist;
		}
	}
	return best;
}
