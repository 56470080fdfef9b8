/* csv.h — a strict RFC 4180 reader and the text decoding of imported files. (internal) */
#ifndef MAMORI_CSV_H
#define MAMORI_CSV_H

#include <stdbool.h>
#include <stddef.h>

/* One record: its fields (NUL-terminated, in the reader's buffer) and the line it starts on. */
struct csv_record {
	char **fields;
	size_t nfields;
	int line;
};

struct csv_reader {
	char *buf;		/* the whole (decoded, UTF-8) text, modified in place */
	size_t len, pos;
	int line;
	char **fields;
	size_t cap;
	char error[160];	/* when next returns -1 */
	int error_line;
};

/* Starts reading text of len bytes (taken over: freed by csv_free). */
void csv_open(struct csv_reader *r, char *text, size_t len);

/* The next record: 1 and *rec, 0 at the end, -1 on malformed input (r->error). */
int csv_next(struct csv_reader *r, struct csv_record *rec);

void csv_free(struct csv_reader *r);

/*
 * Reads up to the header row: row `forced` when it is not 0, else the first
 * of the first CSV_HEADER_SEARCH_ROWS rows that is_header accepts (ledgers
 * kept in Excel put a title above it — 「令和7年度 情報資産管理台帳（税務課）」
 * —, a date, a blank row).  Returns csv_next's result with the header in
 * *rec and its row in *row.  When no row is accepted, the first row is given
 * back to be judged as the header, with its problems: its fields then live in
 * *saved, which the caller frees.  The register's import and the records'
 * share it.
 */
enum { CSV_HEADER_SEARCH_ROWS = 30 };
int csv_find_header(struct csv_reader *r, struct csv_record *rec, int forced,
    bool (*is_header)(const struct csv_record *rec, void *ctx), void *ctx, int *row, char ***saved);

/*
 * Decodes the bytes of a file to UTF-8: a UTF-8 BOM is dropped; valid UTF-8 is
 * taken as is; anything else is CP932 (Shift_JIS as Excel writes it).  encoding
 * forces "utf-8" or "cp932" (also "shift_jis", "sjis").  Returns a malloc'd
 * string (its length in *out_len) or NULL with a message in error.
 */
char *text_decode(const char *bytes, size_t len, const char *encoding, size_t *out_len,
    char *error, size_t error_len);

/*
 * text_decode of a buffer the caller gives up: bytes is malloc'd, holds len
 * bytes and has room for a NUL after them.  UTF-8 is decoded in place (a file
 * of a million rows is not copied, nor checked twice) and bytes comes back;
 * anything else comes back in a new string and bytes is freed.  NULL with a
 * message in error (bytes freed).
 */
char *text_decode_owned(char *bytes, size_t len, const char *encoding, size_t *out_len,
    char *error, size_t error_len);

#endif
