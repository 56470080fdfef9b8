/* names.c — names from hostile input made safe to show on one line. */
#include "names.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Whether the code point must not be shown as itself. */
static bool
escaped(gunichar c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||	/* C0 (CR, LF, ESC …), DEL, C1 */
	    c == 0x061c ||			/* ARABIC LETTER MARK */
	    (c >= 0x200b && c <= 0x200f) ||	/* zero widths, LRM, RLM */
	    (c >= 0x2028 && c <= 0x202e) ||	/* line/paragraph separators, LRE RLE PDF LRO RLO */
	    (c >= 0x2060 && c <= 0x2069) ||	/* word joiner, invisible operators, LRI RLI FSI PDI */
	    c == 0xfeff || c == 0xfffe ||
	    (c >= 0xfff9 && c <= 0xfffb);	/* interlinear annotation */
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
