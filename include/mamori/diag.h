/* mamori/diag.h — a list of diagnostics (errors and warnings) with positions. */
#ifndef MAMORI_DIAG_H
#define MAMORI_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum mamori_severity {
	MAMORI_SEV_ERROR,
	MAMORI_SEV_WARNING,
};

/* One problem in an input: FILE:LINE:COL (1-based; 0 = unknown) and a message. */
struct mamori_diag {
	enum mamori_severity severity;
	char *file;
	int line;
	int column;
	char *message;
};

/*
 * Collects every problem of one run so that all of them are reported at once.
 * Owns its entries.  A zeroed struct is an empty list; release with
 * mamori_diags_clear().  Collection stops growing at MAMORI_DIAGS_MAX entries
 * (later ones are counted but not stored) so that hostile input cannot make it
 * grow without bound.
 */
struct mamori_diags {
	struct mamori_diag *items;
	size_t count;
	size_t cap;
	size_t errors;
	size_t warnings;
	size_t dropped;
};

#define MAMORI_DIAGS_MAX 1000

/* Appends a diagnostic; file may be NULL.  Returns 0 or MAMORI_E_NOMEM. */
int mamori_diags_add(struct mamori_diags *d, enum mamori_severity sev,
    const char *file, int line, int column, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Sorts by file, line and column, keeping the order of equal positions. */
void mamori_diags_sort(struct mamori_diags *d);

/*
 * Prints every diagnostic as `FILE:LINE:COL: error: MESSAGE` (the GNU format that
 * editors jump to), one per line.
 */
void mamori_diags_print(const struct mamori_diags *d, FILE *out);

/* Frees every entry and leaves d empty. */
void mamori_diags_clear(struct mamori_diags *d);

#endif
