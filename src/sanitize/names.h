/* names.h — names from hostile input made safe to show on one line: file names
 * in the mail notice and in the file report.  (internal) */
#ifndef MAMORI_SANITIZE_NAMES_H
#define MAMORI_SANITIZE_NAMES_H

#include <glib.h>
#include <stddef.h>

/*
 * Appends the n bytes at s to out as valid UTF-8 on one line: invalid sequences
 * become U+FFFD; control characters (C0 with CR and LF, DEL, C1), format
 * characters (the bidirectional controls U+061C, U+200E/F, U+202A–U+202E,
 * U+2066–U+2069, zero widths, U+FEFF, tag characters and the rest of Unicode's
 * Cf), line and paragraph separators, unassigned code points and the Hangul
 * fillers are written as <U+XXXX>, so that a name can neither start a line of
 * its own nor reorder or hide what is shown after it ("invoice<U+202E>fdp.exe").
 */
void sanitize_append_name(GString *out, const char *s, size_t n);

/* The same, malloc'd (free()); NULL when memory runs out. */
char *sanitize_name_dup(const char *s);

/* HTML to text (html2text.c) without the final defanging of bare URLs, so that
 * encoded blocks can be cut out of it first; malloc'd, NULL when memory runs out. */
char *sanitize_html_text(const char *html, size_t len);

#endif
