/* names.c — names from hostile input made safe to show on one line. */
#include "names.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Whether the code point must not be shown as itself: every control (C0 with CR
 * and LF, DEL, C1), every format character (the bidi controls U+061C, U+200E/F,
 * U+202A–U+202E, U+2066–U+2069, and the rest of Cf: zero widths, U+206A–U+206F,
 * the soft hyphen, tag characters U+E0000–U+E007F …), the line and paragraph
 * separators, what Unicode has not assigned, and the Hangul fillers, letters
 * that show as nothing.  By category rather than by a list, so that a format
 * character nobody thought of is escaped too.
 */
static bool
escaped(gunichar c)
{
	switch (g_unichar_type(c)) {
	case G_UNICODE_CONTROL:
	case G_UNICODE_FORMAT:
	case G_UNICODE_LINE_SEPARATOR:
	case G_UNICODE_PARAGRAPH_SEPARATOR:
	case G_UNICODE_SURROGATE:
	case G_UNICODE_UNASSIGNED:
		return true;
	default:
		return c == 0x115f || c == 0x1160 || c == 0x3164 || c == 0xffa0;
	}
}

void
sanitize_append_name(GString *out, const char *s, size_t n)
{
	const char *end = s + n;

	while (s < end) {
		gunichar c = g_utf8_get_char_validated(s, (gssize)(end - s));
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append(out, "\xEF\xBF\xBD");	/* U+FFFD */
			s++;
			continue;
		}
		const char *next = g_utf8_next_char(s);
		if (c == 0)	/* g_utf8_get_char_validated takes a NUL for the end */
			next = s + 1;
		if (escaped(c))
			g_string_append_printf(out, "<U+%04X>", (unsigned)c);
		else
			g_string_append_len(out, s, (gssize)(next - s));
		s = next;
	}
}

char *
sanitize_name_dup(const char *s)
{
	GString *g = g_string_new(NULL);
	char *r;

	sanitize_append_name(g, s, strlen(s));
	r = strdup(g->str);
	g_string_free(g, TRUE);
	return r;
}
