/*
 * csv.c — RFC 4180 records: comma-separated, fields optionally in double
 * quotes, "" for a quote, line breaks allowed inside quotes, CRLF or LF.
 * Debian packages no C CSV reader that is maintained and strict enough to name
 * the line of an error, so this small one is ours; it is fuzzed with the rest.
 */
#include "csv.h"
#include "utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
csv_open(struct csv_reader *r, char *text, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = text;
	r->len = len;
	r->line = 1;
}

void
csv_free(struct csv_reader *r)
{
	free(r->buf);
	free(r->fields);
	memset(r, 0, sizeof(*r));
}

static bool
add_field(struct csv_reader *r, size_t *n, char *f)
{
	if (*n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		char **nf = cap <= 4096 ? realloc(r->fields, cap * sizeof(*nf)) : NULL;
		if (nf == NULL)
			return false;
		r->fields = nf;
		r->cap = cap;
	}
	r->fields[(*n)++] = f;
	return true;
}

static int
fail(struct csv_reader *r, const char *msg)
{
	snprintf(r->error, sizeof(r->error), "%s", msg);
	r->error_line = r->line;
	return -1;
}

int
csv_next(struct csv_reader *r, struct csv_record *rec)
{
	size_t n = 0;
	char *p = r->buf, *out;

	if (r->pos >= r->len)
		return 0;
	rec->line = r->line;
	out = p + r->pos;	/* fields are compacted in place: out never passes the read position */
	for (;;) {
		char *start = out;
		if (r->pos < r->len && p[r->pos] == '"') {
			r->pos++;
			for (;;) {
				if (r->pos >= r->len)
					return fail(r, "a quoted field is not closed (a \" is missing)");
				char c = p[r->pos++];
				if (c == '"') {
					if (r->pos < r->len && p[r->pos] == '"') {
						*out++ = '"';
						r->pos++;
						continue;
					}
					break;
				}
				if (c == '\n')
					r->line++;
				*out++ = c;
			}
			if (r->pos < r->len && p[r->pos] != ',' && p[r->pos] != '\n' && p[r->pos] != '\r')
				return fail(r, "text after a closing quote; double a \" inside a quoted field");
		} else {
			while (r->pos < r->len && p[r->pos] != ',' && p[r->pos] != '\n' && p[r->pos] != '\r') {
				if (p[r->pos] == '"')
					return fail(r, "a \" inside an unquoted field; quote the whole field");
				*out++ = p[r->pos++];
			}
		}
		char sep = r->pos < r->len ? p[r->pos] : '\n';
		r->pos++;
		*out++ = '\0';
		if (!add_field(r, &n, start))
			return fail(r, "too many fields in one record (at most 4096)");
		if (sep == ',')
			continue;
		if (sep == '\r' && r->pos < r->len && p[r->pos] == '\n')
			r->pos++;
		r->line++;
		break;
	}
	rec->fields = r->fields;
	rec->nfields = n;
	return 1;
}

static char *
from_cp932(const char *in, size_t len, size_t *out_len, char *error, size_t error_len)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	size_t cap = len * 3 + 1, left = cap, inleft = len;
	char *out, *op;
	char *ip = (char *)in;

	if (cd == (iconv_t)-1) {
		snprintf(error, error_len, "this system cannot convert CP932 (iconv)");
		return NULL;
	}
	out = op = malloc(cap);
	if (out == NULL) {
		iconv_close(cd);
		snprintf(error, error_len, "out of memory");
		return NULL;
	}
	if (iconv(cd, &ip, &inleft, &op, &left) == (size_t)-1) {
		int line = 1;
		for (const char *q = in; q < ip; q++)
			line += *q == '\n';
		snprintf(error, error_len, "line %d: byte 0x%02x is neither UTF-8 nor CP932 (Shift_JIS); "
		    "save the file as UTF-8 or as CSV from Excel", line, (unsigned char)*ip);
		free(out);
		iconv_close(cd);
		return NULL;
	}
	iconv_close(cd);
	*op = '\0';
	*out_len = (size_t)(op - out);
	return out;
}

char *
text_decode_owned(char *bytes, size_t len, const char *encoding, size_t *out_len, char *error,
    size_t error_len)
{
	size_t skip = 0, bad = 0;
	bool cp932, utf8;
	char *out;

	if (len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0)
		skip = 3;
	utf8 = mamori_utf8_valid(bytes + skip, len - skip, &bad);
	if (encoding == NULL)
		cp932 = !utf8;
	else if (strcasecmp(encoding, "utf-8") == 0 || strcasecmp(encoding, "utf8") == 0)
		cp932 = false;
	else if (strcasecmp(encoding, "cp932") == 0 || strcasecmp(encoding, "shift_jis") == 0 ||
	    strcasecmp(encoding, "sjis") == 0 || strcasecmp(encoding, "windows-31j") == 0)
		cp932 = true;
	else {
		snprintf(error, error_len, "unknown encoding '%s': use utf-8 or cp932", encoding);
		free(bytes);
		return NULL;
	}
	if (cp932) {
		out = from_cp932(bytes + skip, len - skip, out_len, error, error_len);
		free(bytes);
		return out;
	}
	if (!utf8) {
		int line, col;
		mamori_utf8_position(bytes + skip, bad, &line, &col);
		snprintf(error, error_len, "line %d: invalid UTF-8 (try --encoding cp932)", line);
		free(bytes);
		return NULL;
	}
	if (skip > 0)
		memmove(bytes, bytes + skip, len - skip);
	bytes[len - skip] = '\0';
	*out_len = len - skip;
	return bytes;
}

char *
text_decode(const char *bytes, size_t len, const char *encoding, size_t *out_len, char *error,
    size_t error_len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL) {
		snprintf(error, error_len, "out of memory");
		return NULL;
	}
	memcpy(copy, bytes, len);
	return text_decode_owned(copy, len, encoding, out_len, error, error_len);
}

int
csv_find_header(struct csv_reader *r, struct csv_record *rec, int forced,
    bool (*is_header)(const struct csv_record *rec, void *ctx), void *ctx, int *row, char ***saved)
{
	struct csv_record first;
	int got = csv_next(r, rec);

	*row = 1;
	if (forced > 0) {
		while (got == 1 && *row < forced) {
			got = csv_next(r, rec);
			++*row;
		}
		return got;
	}
	if (got != 1 || is_header(rec, ctx))
		return got;
	if ((*saved = malloc((rec->nfields + 1) * sizeof(**saved))) == NULL)
		return -1;
	memcpy(*saved, rec->fields, rec->nfields * sizeof(**saved));	/* the text stays in r's buffer */
	first = *rec;
	first.fields = *saved;
	for (int n = 2; n <= CSV_HEADER_SEARCH_ROWS && (got = csv_next(r, rec)) == 1; n++)
		if (is_header(rec, ctx)) {
			*row = n;
			return 1;
		}
	*rec = first;
	return 1;
}
