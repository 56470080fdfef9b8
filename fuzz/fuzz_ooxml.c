/*
 * fuzz_ooxml.c — libFuzzer target for the OOXML disarm path.
 *
 * Input that starts with "PK" is fed as it is (the zip reader and its limits).
 * Input that starts with "@@" is a list of entries that the target packs into
 * a valid zip first (zip_pack.h): that is how the fuzzer reaches the content
 * types, relationships and XML rewriting behind the zip's CRCs.  The limits
 * are small so that a run spends its time in the parsers.  When the sanitizer succeeds, its
 * output must pass a second time with nothing more to remove.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/sanitize_file.h"
#include "zip_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* images inside are re-encoded: at most a megapixel each, so that a
	 * header's claim of a huge picture costs little */
	struct mamori_file_opts o = { .limits = { .max_entries = 200, .max_total = 8u << 20,
	    .max_ratio = 100, .max_xml_depth = 64, .max_pixels = 1u << 20 } };
	struct mamori_file_report rep = { 0 }, rep2 = { 0 };
	struct mamori_error err = { 0 };
	char *buf = NULL, *zipped = NULL;
	const char *in = (const char *)data;
	size_t len = 0, inlen = size;
	FILE *out;

	if (size >= 2 && memcmp(data, "@@", 2) == 0) {
		if ((zipped = fuzz_zip_pack(in, size, &inlen)) == NULL)
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
