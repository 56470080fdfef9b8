/* file_internal.h — what the file sanitizer's modules share. (internal) */
#ifndef MAMORI_FILE_INTERNAL_H
#define MAMORI_FILE_INTERNAL_H

#include "mamori/sanitize_file.h"

/* opts with every zero field replaced by its default. */
struct mamori_file_opts file_opts_resolve(const struct mamori_file_opts *opts);

/* Appends an item to the report (copies the strings); MAMORI_E_NOMEM or 0. */
int file_report_add(struct mamori_file_report *r, const char *name, uint64_t size, const char *what);

/* Writes n bytes to out, or returns MAMORI_E_IO with err set. */
int file_write(FILE *out, const void *p, size_t n, struct mamori_error *err);

int file_sanitize_pdf(const char *in, size_t len, const struct mamori_file_opts *o, FILE *out,
    struct mamori_file_report *rep, struct mamori_error *err);
int file_sanitize_png(const char *in, size_t len, const struct mamori_file_opts *o, FILE *out,
    struct mamori_file_report *rep, struct mamori_error *err);
int file_sanitize_jpeg(const char *in, size_t len, const struct mamori_file_opts *o, FILE *out,
    struct mamori_file_report *rep, struct mamori_error *err);
/* Returns MAMORI_E_USAGE, with nothing written, when the decoded text is markup. */
int file_sanitize_text(const char *in, size_t len, const struct mamori_file_opts *o, FILE *out,
    struct mamori_file_report *rep, struct mamori_error *err);

/*
 * Plain-text check on raw bytes: true when there is no NUL and no C0 control
 * other than TAB, LF, FF, CR, ESC (ISO-2022-JP) and a final SUB (DOS end of file).
 */
bool file_looks_text(const char *in, size_t len);

/* True when UTF-8 text starts (after a BOM and white space) like HTML, XML,
 * SVG or RTF: markup that a browser or editor would interpret. */
bool file_looks_markup(const char *p, size_t n);

#endif
