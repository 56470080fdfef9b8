/*
 * mamori/sanitize_file.h — 無害化 of files (file disarm).  The type of a file is
 * decided by its content, never by its name: a PDF becomes a new PDF of
 * rasterised pages (its text is lost by design), PNG and JPEG images are decoded
 * and re-encoded without metadata, OOXML documents (docx/xlsx/pptx and their
 * macro-enabled forms) are rebuilt without macros (XLM macro sheets known by
 * their relationship or root element too, auto-run names), embedded objects,
 * ActiveX, altChunk imports, web add-ins, external links, data connections,
 * printer settings, Word fields that run or fetch something (their text kept),
 * DDE formulas and formulas that call out (WEBSERVICE, CALL, EXEC …, in cells,
 * names, data validation and conditional formatting), parts no relationship
 * reaches and images other than PNG/JPEG (which are re-encoded), and plain text
 * is normalised to UTF-8.  Anything else is
 * refused.  Every parser runs under limits (docs/sanitize.md).
 */
#ifndef MAMORI_SANITIZE_FILE_H
#define MAMORI_SANITIZE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mamori/error.h"

/* Limits on hostile input; a zero field takes the default in brackets. */
struct mamori_file_limits {
	uint64_t max_input;	/* bytes of input [100 MiB] */
	int max_pages;		/* PDF pages [500] */
	uint64_t max_pixels;	/* pixels per rendered page or image [100 million] */
	int max_entries;	/* zip entries [10,000] */
	uint64_t max_total;	/* uncompressed bytes of all zip entries [512 MiB] */
	int max_ratio;		/* uncompressed : compressed size of one entry over 64 KiB [100] */
	int max_xml_depth;	/* nesting of the XML parts that are parsed [128] */
};

struct mamori_file_opts {
	int dpi;		/* PDF rendering resolution, 36..600 [150] */
	struct mamori_file_limits limits;
};

/* One thing removed from the input, for the report. */
struct mamori_file_item {
	char *name;		/* the entry or part name (UTF-8) */
	uint64_t size;		/* its uncompressed size in bytes (0 for a relationship) */
	char *what;		/* what it was and why it went, e.g. "macro (VBA project)" */
};

/*
 * What was done, filled by the sanitizer even when it refuses (then type names
 * what was recognised and unsupported tells whether the type itself is refused).
 * The strings and the items are owned by the report; release with
 * mamori_file_report_free().  A zeroed struct is an empty report.
 */
struct mamori_file_report {
	const char *type;	/* "pdf", "png", "jpeg", "docx", "docm", "xlsx", ..., "text", or a refused kind ("zip", "executable", ...) */
	const char *output_type; /* what the output is ("docx" for a docm input); NULL when refused */
	bool unsupported;	/* refused because of its type (not because of a limit or damage) */
	uint64_t in_size, out_size;
	int pages;		/* PDF pages rendered */
	char detail[256];	/* e.g. "3 pages at 150 dpi", "CP932 → UTF-8", "640x480" */
	char notice[512];	/* what the user must know, e.g. that a PDF's text is lost */
	struct mamori_file_item *removed;
	size_t nremoved, cap;
};

/* Frees what the report owns and zeroes it.  r may be NULL. */
void mamori_file_report_free(struct mamori_file_report *r);

/*
 * The report as one JSON object (malloc'd, the caller frees): type, output_type,
 * sizes, detail, notice, removed[] of {name, size, what}, and, when status is
 * not 0, "refused" with err's message.  NULL when memory runs out.
 */
char *mamori_file_report_json(const struct mamori_file_report *r, int status,
    const struct mamori_error *err);

/*
 * The kind of the len bytes at in, decided by magic bytes and structure only:
 * "pdf", "png", "jpeg", "zip" (any zip, OOXML or not), "text" or a refused kind
 * ("executable", "ole2", "gif", "binary", "markup", ...).  A static string.
 */
const char *mamori_file_sniff(const char *in, size_t len);

/*
 * Sanitizes the len bytes at in and writes the result to out (binary).  Returns
 * 0, or a MAMORI_E_* code with err saying why: MAMORI_E_INVALID for a type that
 * is refused (rep->unsupported set), a limit that was hit (named in the message)
 * or damaged input; MAMORI_E_IO when out cannot be written.  rep is filled as
 * far as the work went.  On failure out may hold partial data: callers write to
 * a temporary file (mamori_sanitize_file does).
 */
int mamori_sanitize_file_buffer(const char *in, size_t len, const struct mamori_file_opts *opts,
    FILE *out, struct mamori_file_report *rep, struct mamori_error *err);

/*
 * Sanitizes the file in_path into out_path atomically: the result is written to
 * a temporary file (mode 0600) beside out_path, synced and renamed over it, so
 * that out_path is either the complete result or untouched.  Refuses an input
 * larger than the limit before reading it.  Same returns as above.
 */
int mamori_sanitize_file(const char *in_path, const char *out_path, const struct mamori_file_opts *opts,
    struct mamori_file_report *rep, struct mamori_error *err);

/*
 * The OOXML path alone, for the fuzzer: the zip at in rebuilt without active
 * content.  Same contract as mamori_sanitize_file_buffer.
 */
int mamori_sanitize_ooxml(const char *in, size_t len, const struct mamori_file_opts *opts,
    FILE *out, struct mamori_file_report *rep, struct mamori_error *err);

#endif
