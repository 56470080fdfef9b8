/*
 * mamori/sanitize.h — 無害化: mail text-ification.  A message becomes one
 * text/plain UTF-8 part: HTML turned into readable text, every attachment and
 * non-text part removed and listed with its name, type, size and SHA-256, the
 * original kept in a quarantine directory under its SHA-256.  (docs/sanitize.md)
 */
#ifndef MAMORI_SANITIZE_H
#define MAMORI_SANITIZE_H

#include <stddef.h>

#include "mamori/error.h"

struct mamori_sanitize_opts {
	const char *quarantine_dir;	/* NULL: the original is not kept */
	const char *clause;		/* the policy clause for X-Mamori-Sanitized */
	size_t max_size;		/* bytes; 0 = 50 MiB */
	int max_parts;			/* 0 = 1000 */
	int max_depth;			/* 0 = 16 */
	/* checked on the raw bytes before parsing (docs/sanitize.md, "Limits") */
	size_t max_header_fields;	/* all header blocks together; 0 = 20,000 */
	size_t max_header_bytes;	/* all header blocks together; 0 = 1 MiB */
	size_t max_field_bytes;		/* one field with its continuation lines; 0 = 64 KiB */
};

/*
 * Sanitizes the message of len bytes at in.  Returns 0 and a malloc'd message
 * in *out (*out_len bytes) and the original's SHA-256 (hex) in sha256, or a
 * MAMORI_E_* code with err saying why (too large, too deep, too many parts or
 * header fields, not a message).  With opts->quarantine_dir, the original and
 * its metadata are kept there (mamori/quarantine.h) — also when it is refused
 * for a limit, so that nothing that arrived is lost.
 * Never produces invalid UTF-8, whatever the input claims.
 */
int mamori_sanitize_mail(const char *in, size_t len, const struct mamori_sanitize_opts *opts,
    char **out, size_t *out_len, char sha256[65], struct mamori_error *err);

/*
 * HTML to readable plain text (libxml2's HTML parser): paragraphs, line breaks,
 * lists and tables kept legible; scripts, styles, comments and hidden elements
 * dropped; links shown as text with the URL defanged (hxxps://example[.]jp/…).
 * Returns a malloc'd UTF-8 string or NULL when memory runs out.
 */
char *mamori_html_to_text(const char *html, size_t len);

/* "https://www.example.jp/a" → "hxxps://www[.]example[.]jp/a", malloc'd: http(s)
 * becomes hxxp(s), another scheme's "://" becomes "[:]//", the host's dots "[.]"
 * (also for "www.…" and "ftp.…" without a scheme); a UNC path's leading "\\"
 * becomes "[\\]".  The one defanging of every URL mamori shows. */
char *mamori_defang_url(const char *url);

/* The n bytes of UTF-8 text at s with every bare URL in them ("scheme://…",
 * "www.…", "ftp.…", "\\host\share", wherever a letter or digit does not
 * precede it, with a host in any script) defanged by mamori_defang_url;
 * malloc'd, NULL when memory runs out. */
char *mamori_defang_text(const char *s, size_t n);

#endif
