/*
 * fuzz_pdf.c — libFuzzer target for the PDF path of the file sanitizer (pdf.c):
 * poppler opens the input, the report is made (links, fields, annotations, and
 * the scan of the objects with its #-escaped names and inflated object
 * streams), and every page is rendered into the new PDF — at 36 dpi with small
 * limits, so that a run spends its time in the parsing.  Input that is not a
 * PDF by mamori's sniffing is skipped.  A result must hold none of the names of
 * active content: the pages are pictures only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/sanitize_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const never[] = { "/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/URI",
		"/EmbeddedFile", "/XFA", "/AcroForm", "/RichMedia" };
	struct mamori_file_opts o = { .dpi = 36, .limits = { .max_pages = 4, .max_pixels = 1u << 18 } };
	struct mamori_file_report rep = { 0 };
	struct mamori_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (strcmp(mamori_file_sniff((const char *)data, size), "pdf") != 0)
		return 0;
	if ((out = open_memstream(&buf, &len)) == NULL)
		abort();
	int rc = mamori_sanitize_file_buffer((const char *)data, size, &o, out, &rep, &err);
	fclose(out);
	for (size_t i = 0; rc == 0 && i < sizeof(never) / sizeof(never[0]); i++) {
		const char *p = buf, *end = buf + len;
		size_t n = strlen(never[i]);
		while ((p = memmem(p, (size_t)(end - p), never[i], n)) != NULL) {
			char c = p + n < end ? p[n] : ' ';
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
				fprintf(stderr, "the output holds %s\n", never[i]);
				abort();
			}
			p += n;
		}
	}
	for (size_t i = 0; i < rep.nremoved; i++)	/* every name and reason shown on one line */
		for (const char *s = rep.removed[i].name; *s; s++)
			if ((unsigned char)*s < 0x20)
				abort();
	mamori_file_report_free(&rep);
	free(buf);
	return 0;
}
