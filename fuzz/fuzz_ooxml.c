/*
 * fuzz_ooxml.c — libFuzzer target for the OOXML disarm path.
 *
 * Input that starts with "PK" is fed as it is (the zip reader and its limits).
 * Any other input is a list of entries, "@@NAME\n" followed by the entry's
 * bytes, which the target packs into a valid zip first: random bytes almost
 * never survive a zip's CRCs, so this is how the fuzzer reaches the content
 * types, relationships and XML rewriting behind them.  The limits are small so
 * that a run spends its time in the parsers.  When the sanitizer succeeds, its
 * output must pass a second time with nothing more to remove.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "mamori/sanitize_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Packs "@@name\nbytes@@name\nbytes..." into a zip; NULL when nothing to pack. */
static char *
pack(const char *in, size_t n, size_t *outlen)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	char *buf = NULL;
	const char *end = in + n, *p = in;

	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL)
		abort();
	if ((z = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL)
		abort();
	zip_source_keep(src);
	while (p + 2 < end && memcmp(p, "@@", 2) == 0) {
		const char *nl = memchr(p + 2, '\n', (size_t)(end - p - 2));
		if (nl == NULL)
			break;
		const char *next = memmem(nl + 1, (size_t)(end - nl - 1), "@@", 2);
		if (next == NULL)
			next = end;
		char name[256];
		size_t nlen = (size_t)(nl - p - 2) < sizeof(name) - 1 ? (size_t)(nl - p - 2) : sizeof(name) - 1;
		memcpy(name, p + 2, nlen);
		name[nlen] = '\0';
		zip_source_t *s = zip_source_buffer(z, nl + 1, (zip_uint64_t)(next - nl - 1), 0);
		if (s == NULL || zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0)
			zip_source_free(s);
		p = next;
	}
	if (zip_close(z) != 0)
		zip_discard(z);
	else if (zip_source_open(src) == 0) {
		zip_stat_t st;
		if (zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && (buf = malloc(st.size + 1)) != NULL) {
			zip_int64_t r = zip_source_read(src, buf, st.size);
			*outlen = r > 0 ? (size_t)r : 0;
		}
		zip_source_close(src);
	}
	zip_source_free(src);
	zip_error_fini(&ze);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mamori_file_opts o = { .limits = { .max_entries = 200, .max_total = 8u << 20,
	    .max_ratio = 100, .max_xml_depth = 64 } };
	struct mamori_file_report rep = { 0 }, rep2 = { 0 };
	struct mamori_error err = { 0 };
	char *buf = NULL, *zipped = NULL;
	const char *in = (const char *)data;
	size_t len = 0, inlen = size;
	FILE *out;

	if (size >= 2 && memcmp(data, "@@", 2) == 0) {
		if ((zipped = pack(in, size, &inlen)) == NULL)
			return 0;
		in = zipped;
	}
	if ((out = open_memstream(&buf, &len)) == NULL)
		abort();
	int rc = mamori_sanitize_ooxml(in, inlen, &o, out, &rep, &err);
	fclose(out);
	if (rc == 0) {
		FILE *sink = fopen("/dev/null", "wb");
		if (sink == NULL)
			abort();
		rc = mamori_sanitize_ooxml(buf, len, &o, sink, &rep2, &err);
		fclose(sink);
		if (rc != 0 || rep2.nremoved != 0) {
			fprintf(stderr, "second pass: rc %d, %zu removed: %s\n", rc, rep2.nremoved,
			    rc ? err.message : rep2.removed[0].name);
			abort();
		}
	}
	mamori_file_report_free(&rep);
	mamori_file_report_free(&rep2);
	free(buf);
	free(zipped);
	return 0;
}
