/*
 * zip_pack.h — for the fuzz targets that read zips (fuzz_ooxml, fuzz_xlsx).
 *
 * Random bytes almost never survive a zip's CRCs, so a target also takes its
 * input as a list of entries, "@@NAME\n" followed by the entry's bytes, and
 * packs it into a valid zip first: that is how the fuzzer reaches the XML
 * behind the archive.
 */
#ifndef MAMORI_FUZZ_ZIP_PACK_H
#define MAMORI_FUZZ_ZIP_PACK_H

#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* Packs "@@name\nbytes@@name\nbytes..." into a zip; NULL when nothing to pack. */
static char *
fuzz_zip_pack(const char *in, size_t n, size_t *outlen)
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

#endif
