/*
 * fuzz_xlsx.c — libFuzzer target for the XLSX reader (src/lib/xlsx.c), which
 * reads workbooks uploaded to the server and given to `mamori asset import`.
 *
 * Input that starts with "PK" is fed as it is (libzip and the package's
 * structure); input that starts with "@@" is a list of entries packed into a
 * valid zip first (zip_pack.h).  Small limits keep a run in the parsers.  A
 * sheet read must be valid UTF-8 and CSV whose records all have the same
 * number of fields, as the reader promises.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "mamori/xlsx.h"
#include "utf8.h"
#include "zip_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reader's promise: UTF-8, and CSV records of one width. */
static void
check_csv(char *csv, size_t len)
{
	struct csv_reader r;
	struct csv_record rec;
	size_t width = 0, bad;
	int got;

	if (!mamori_utf8_valid(csv, len, &bad)) {
		fprintf(stderr, "not UTF-8 at byte %zu\n", bad);
		abort();
	}
	csv_open(&r, csv, len);	/* takes csv */
	while ((got = csv_next(&r, &rec)) == 1) {
		if (width == 0)
			width = rec.nfields;
		if (rec.nfields != width) {
			fprintf(stderr, "line %d: %zu fields, the first record %zu\n", rec.line, rec.nfields, width);
			abort();
		}
	}
	/* a sheet may be wider than the import takes (XFD is column 16,384) */
	if (got < 0 && strstr(r.error, "too many fields") == NULL) {
		fprintf(stderr, "not CSV: line %d: %s\n", r.error_line, r.error);
		abort();
	}
	csv_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mamori_xlsx_limits lim = { .max_part = 4u << 20, .max_output = 4u << 20 };
	const char *in = (const char *)data;
	size_t inlen = size, len;
	char *zipped = NULL, *csv, msg[512];

	if (size >= 2 && memcmp(data, "@@", 2) == 0) {
		if ((zipped = fuzz_zip_pack(in, size, &inlen)) == NULL)
			return 0;
		in = zipped;
	}
	if ((csv = mamori_xlsx_sheet_csv(in, inlen, NULL, &lim, NULL, &len, msg, sizeof(msg))) != NULL)
		check_csv(csv, len);
	else if (msg[0] == '\0')
		abort();	/* a refusal always says why */
	free(zipped);
	return 0;
}
