/* diag.c — diagnostic lists. */
#include "mamori/diag.h"
#include "buf.h"
#include "mamori/i18n.h"
#include "mamori/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int
mamori_diags_add(struct mamori_diags *d, enum mamori_severity sev,
    const char *file, int line, int column, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	if (sev == MAMORI_SEV_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->count >= MAMORI_DIAGS_MAX) {
		d->dropped++;
		return 0;
	}
	if (!ARRAY_RESERVE(d->items, d->cap, d->count + 1, 0))
		return MAMORI_E_NOMEM;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), _(fmt), ap);	/* marked by xgettext's keyword */
	va_end(ap);

	struct mamori_diag *e = &d->items[d->count];
	e->severity = sev;
	e->line = line;
	e->column = column;
	e->message = strdup(buf);
	e->file = file ? strdup(file) : NULL;
	if (e->message == NULL || (file && e->file == NULL)) {
		free(e->message);
		free(e->file);
		return MAMORI_E_NOMEM;
	}
	d->count++;
	return 0;
}

static int
diag_cmp(const void *pa, const void *pb)
{
	const struct mamori_diag *a = pa, *b = pb;
	int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");

	if (c != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return 0;
}

/* Insertion sort: stable, and the list is short (at most MAMORI_DIAGS_MAX). */
void
mamori_diags_sort(struct mamori_diags *d)
{
	for (size_t i = 1; i < d->count; i++) {
		struct mamori_diag cur = d->items[i];
		size_t j = i;

		while (j > 0 && diag_cmp(&d->items[j - 1], &cur) > 0) {
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = cur;
	}
}

void
mamori_diags_print(const struct mamori_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct mamori_diag *e = &d->items[i];
		const char *sev = e->severity == MAMORI_SEV_ERROR ? "error" : "warning";

		if (e->file && e->line > 0)
			fprintf(out, "%s:%d:%d: %s: %s\n", e->file, e->line,
			    e->column > 0 ? e->column : 1, sev, e->message);
		else if (e->file)
			fprintf(out, "%s: %s: %s\n", e->file, sev, e->message);
		else
			fprintf(out, "mamori: %s: %s\n", sev, e->message);
	}
	if (d->dropped)
		fprintf(out, "mamori: note: %zu further diagnostics not shown\n", d->dropped);
}

void
mamori_diags_clear(struct mamori_diags *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}
