/*
 * mail.c — mail text-ification (無害化) with GMime 3: one text/plain UTF-8
 * message out, every attachment listed and removed, the original quarantined.
 */
#include "mamori/sanitize.h"
#include "mamori/quarantine.h"
#include "../lib/utf8.h"
#include "digest.h"
#include "names.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct walk {
	const struct mamori_sanitize_opts *opts;
	GString *text;		/* the body, UTF-8 */
	GString *removed;	/* the notice of what was removed */
	GArray *list;		/* struct mamori_quarantine_part, for the quarantine */
	int parts, nremoved;
	bool too_many, too_deep;
};

/* Makes any bytes valid UTF-8: invalid sequences become U+FFFD. */
static void
append_valid_utf8(GString *out, const char *s, size_t n)
{
	size_t i = 0, bad;

	while (i < n) {
		if (mamori_utf8_valid(s + i, n - i, &bad)) {
			g_string_append_len(out, s + i, (gssize)(n - i));
			return;
		}
		g_string_append_len(out, s + i, (gssize)bad);
		g_string_append(out, "\xEF\xBF\xBD");
		i += bad + 1;
	}
}

/* The decoded bytes of a part's content. */
static GByteArray *
part_bytes(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *copy = g_byte_array_new();

	if (w != NULL)
		g_mime_data_wrapper_write_to_stream(w, mem);
	GByteArray *arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (arr != NULL)
		g_byte_array_append(copy, arr->data, arr->len);
	g_object_unref(mem);
	return copy;
}

/*
 * The iconv name of a declared charset: glibc's iconv knows the usual MIME
 * names itself; these few it does not.  Not g_mime_charset_iconv_name: it keeps
 * every name it is asked for in a table for the life of the process, so a
 * sender making up a new charset name for every message grew a long-running
 * sanitizer (the milter) by about 100 bytes a message.
 */
static const char *
iconv_name(const char *declared)
{
	static const struct { const char *mime, *iconv; } aliases[] = {
		{ "x-sjis", "SHIFT_JIS" }, { "x-euc-jp", "EUC-JP" }, { "ks_c_5601-1987", "CP949" },
		{ "x-gbk", "GBK" }, { "unicode-1-1-utf-7", "UTF-7" },
	};

	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (g_ascii_strcasecmp(declared, aliases[i].mime) == 0)
			return aliases[i].iconv;
	return declared;
}

/*
 * ISO-2022-JP as Outlook writes it (CP50221): JIS X 0208 with the NEC special
 * characters (①, ㈱, ㎝ in row 13) and the IBM extensions, which glibc's
 * ISO-2022-JP refuses.  The JIS segments are turned into Shift_JIS bytes and
 * the whole decoded as CP932, which has those characters.  NULL when the text
 * is not ISO-2022-JP (or memory runs out).
 */
static char *
iso2022jp_as_cp932(const guint8 *s, size_t n)
{
	GString *sj = g_string_sized_new(n);
	enum { ASCII, JIS, KANA } mode = ASCII;
	char *utf8 = NULL;
	size_t i = 0;

	while (i < n) {
		if (s[i] == 0x1B) {
			if (i + 2 < n && s[i + 1] == '$' && (s[i + 2] == 'B' || s[i + 2] == '@'))
				mode = JIS;
			else if (i + 2 < n && s[i + 1] == '(' && (s[i + 2] == 'B' || s[i + 2] == 'J'))
				mode = ASCII;
			else if (i + 2 < n && s[i + 1] == '(' && s[i + 2] == 'I')
				mode = KANA;
			else
				goto out;
			i += 3;
		} else if (s[i] >= 0x80) {
			goto out;
		} else if (mode == JIS && s[i] >= 0x21 && s[i] <= 0x7E) {
			unsigned j1 = s[i], j2;
			if (i + 1 >= n || s[i + 1] < 0x21 || s[i + 1] > 0x7E)
				goto out;
			j2 = s[i + 1];
			g_string_append_c(sj, (char)(((j1 + 1) >> 1) + (j1 <= 0x5E ? 0x70 : 0xB0)));
			g_string_append_c(sj, (char)(j2 + ((j1 & 1) ? (j2 >= 0x60 ? 0x20 : 0x1F) : 0x7E)));
			i += 2;
		} else if (mode == KANA && s[i] >= 0x21 && s[i] <= 0x5F) {
			g_string_append_c(sj, (char)(s[i++] + 0x80));
		} else {
			if (s[i] == '\n')	/* some writers never switch back before a newline */
				mode = mode == JIS || mode == KANA ? ASCII : mode;
			g_string_append_c(sj, (char)s[i++]);
		}
	}
	utf8 = g_convert(sj->str, (gssize)sj->len, "UTF-8", "CP932", NULL, NULL, NULL);
out:
	g_string_free(sj, TRUE);
	return utf8;
}

static void cut_encoded(struct walk *w, GString *text, const char *charset, bool raw);

/* Text of a text part in UTF-8: GMime converts from the declared charset; when
 * the charset lies or is unknown, the bytes are tried as UTF-8, CP932, EUC-JP,
 * ISO-2022-JP in turn and anything left invalid is replaced. */
static void
append_text(struct walk *w, GString *out, GMimePart *part)
{
	GByteArray *raw = part_bytes(part);
	const char *declared = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");

	if (raw->len > 0) {	/* encoded files, as the bytes came (cut_encoded) */
		GString *r = g_string_new_len((const char *)raw->data, (gssize)raw->len);
		size_t before = r->len;
		int n = w->nremoved;
		cut_encoded(w, r, declared, true);
		if (w->nremoved != n || r->len != before) {
			g_byte_array_set_size(raw, 0);
			g_byte_array_append(raw, (const guint8 *)r->str, (guint)r->len);
		}
		g_string_free(r, TRUE);
	}
	static const char *const guesses[] = { "CP932", "EUC-JP", "ISO-2022-JP" };
	char *conv = NULL;

	if (raw->len == 0) {		/* an empty part (and raw->data may be NULL) */
		g_byte_array_unref(raw);
		return;
	}
	/* ISO-2022-JP is 7-bit and so "valid UTF-8": convert by the declared charset
	 * first, unless it claims UTF-8 or ASCII */
	if (declared != NULL && g_ascii_strcasecmp(declared, "utf-8") != 0 &&
	    g_ascii_strcasecmp(declared, "us-ascii") != 0)
		conv = g_convert((const char *)raw->data, (gssize)raw->len, "UTF-8",
		    iconv_name(declared), NULL, NULL, NULL);
	if (conv == NULL && declared != NULL && g_ascii_strncasecmp(declared, "iso-2022-jp", 11) == 0)
		conv = iso2022jp_as_cp932(raw->data, raw->len);
	bool valid = conv == NULL && mamori_utf8_valid((const char *)raw->data, raw->len, NULL);
	if (conv == NULL && !valid)
		for (size_t i = 0; i < 3 && conv == NULL; i++)
			conv = g_convert((const char *)raw->data, (gssize)raw->len, "UTF-8", guesses[i], NULL, NULL, NULL);
	if (conv != NULL)
		append_valid_utf8(out, conv, strlen(conv));
	else if (valid)		/* checked just above: no second pass */
		g_string_append_len(out, (const char *)raw->data, (gssize)raw->len);
	else
		append_valid_utf8(out, (const char *)raw->data, raw->len);
	g_free(conv);
	g_byte_array_unref(raw);
}

static void
note_removed(struct walk *w, const char *name, const char *type, const guint8 *data, size_t len)
{
	char hex[65];

	sanitize_sha256_hex(data, len, hex);
	w->nremoved++;
	g_string_append_printf(w->removed, "  %d. ", w->nremoved);
	/* the name on one line, controls and bidi escaped, a URL in it defanged: a
	 * sender's name must not write a line of the notice or reorder it */
	GString *shown = g_string_new(NULL);
	if (name != NULL)
		sanitize_append_name(shown, name, strlen(name));
	else
		g_string_append(shown, "(名前なし)");
	char *d = mamori_defang_text(shown->str, shown->len);
	if (d != NULL) {
		g_string_assign(shown, d);
		free(d);
	}
	g_string_append_len(w->removed, shown->str, (gssize)shown->len);
	GString *t = g_string_new(NULL);
	sanitize_append_name(t, type, strlen(type));
	if (w->list != NULL) {
		struct mamori_quarantine_part p = { .size = len };
		p.name = name ? strdup(shown->str) : strdup("");
		p.type = strdup(t->str);
		memcpy(p.sha256, hex, sizeof(p.sha256));
		g_array_append_val(w->list, p);
	}
	g_string_append(w->removed, "  [");
	g_string_append_len(w->removed, t->str, (gssize)t->len);
	g_string_append_printf(w->removed, ", %zu bytes, SHA-256 %s]\n", len, hex);
	g_string_free(t, TRUE);
	g_string_free(shown, TRUE);
}

/*
 * Files encoded inside a text body: uuencode ("begin 644 name" … "end"), its
 * base64 form ("begin-base64 644 name" … "===="), yEnc ("=ybegin … name=" …
 * "=yend") and BinHex 4.0 ("(This file must be converted with BinHex" then
 * ":…:").  Mail clients turn each back into an attachment, so each is cut out of
 * the text like one: listed in the notice with its name, the decoded size and
 * SHA-256, and a line in the text saying what stood there.
 */
#define MAX_TEXT_BLOCKS 1000

struct line {
	const char *p;		/* the line without its end */
	size_t n;
	size_t next;		/* offset of the next line */
};

static bool
next_line(const char *s, size_t len, size_t at, struct line *l)
{
	if (at >= len)
		return false;
	const char *nl = memchr(s + at, '\n', len - at);
	l->p = s + at;
	l->next = nl ? (size_t)(nl - s) + 1 : len;
	l->n = (nl ? (size_t)(nl - s) : len) - at;
	while (l->n > 0 && (l->p[l->n - 1] == '\r' || l->p[l->n - 1] == ' ' || l->p[l->n - 1] == '\t'))
		l->n--;
	return true;
}

static bool
line_is(const struct line *l, const char *word)
{
	return l->n == strlen(word) && memcmp(l->p, word, l->n) == 0;
}

/* "begin 644 name" / "begin-base64 644 name": the name, or NULL. */
static char *
uu_begin(const struct line *l, bool *b64)
{
	size_t i;

	if (l->n > 13 && memcmp(l->p, "begin-base64 ", 13) == 0) {
		*b64 = true;
		i = 13;
	} else if (l->n > 6 && memcmp(l->p, "begin ", 6) == 0) {
		*b64 = false;
		i = 6;
	} else {
		return NULL;
	}
	size_t d = i;
	while (i < l->n && l->p[i] >= '0' && l->p[i] <= '7')
		i++;
	if (i - d < 3 || i - d > 4 || i + 1 >= l->n || l->p[i] != ' ')
		return NULL;
	return g_strndup(l->p + i + 1, l->n - i - 1);
}

static void
uu_decode_line(GByteArray *out, const struct line *l)
{
	if (l->n == 0)
		return;
	size_t want = (size_t)(((unsigned char)l->p[0] - 32) & 63);
	guint8 b[3];

	for (size_t i = 1; want > 0 && i + 3 < l->n + 3; i += 4) {
		unsigned c[4];
		for (int k = 0; k < 4; k++)
			c[k] = i + (size_t)k < l->n ? (((unsigned char)l->p[i + (size_t)k] - 32) & 63) : 0;
		b[0] = (guint8)(c[0] << 2 | c[1] >> 4);
		b[1] = (guint8)(c[1] << 4 | c[2] >> 2);
		b[2] = (guint8)(c[2] << 6 | c[3]);
		size_t k = want < 3 ? want : 3;
		g_byte_array_append(out, b, (guint)k);
		want -= k;
	}
}

static void
yenc_decode_line(GByteArray *out, const struct line *l)
{
	for (size_t i = 0; i < l->n; i++) {
		unsigned c = (unsigned char)l->p[i];
		if (c == '=' && i + 1 < l->n)
			c = (unsigned char)l->p[++i] - 64u;
		guint8 b = (guint8)(c - 42u);
		g_byte_array_append(out, &b, 1);
	}
}

/* The value of "name=" on a =ybegin line (the rest of the line). */
static char *
yenc_name(const struct line *l)
{
	for (size_t i = 0; i + 5 <= l->n; i++)
		if ((i == 0 || l->p[i - 1] == ' ') && memcmp(l->p + i, "name=", 5) == 0)
			return g_strndup(l->p + i + 5, l->n - i - 5);
	return NULL;
}

/*
 * BinHex 4.0 from the first ':' at or after at: its data fork in out and the
 * file name from its header; returns the offset just past the closing ':' (len
 * when there is none).  Run-length expansion is bounded by the block's own
 * length times 64, and by 64 MiB.
 */
static size_t
binhex_decode(const char *s, size_t len, size_t at, GByteArray *out, char **name)
{
	static const char alphabet[] = "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";
	GByteArray *raw = g_byte_array_new();
	const char *colon = memchr(s + at, ':', len - at);
	size_t i = colon ? (size_t)(colon - s) + 1 : len, end = len;
	unsigned bits = 0, nbits = 0;
	guint8 prev = 0;
	bool rle = false;

	for (; i < len; i++) {
		if (s[i] == ':') {
			end = i + 1;
			break;
		}
		const char *a = s[i] ? strchr(alphabet, s[i]) : NULL;
		if (a == NULL)
			continue;	/* line ends, white space */
		bits = (bits << 6 | (unsigned)(a - alphabet)) & 0xffffff;
		nbits += 6;
		if (nbits < 8)
			continue;
		nbits -= 8;
		guint8 b = (guint8)(bits >> nbits);
		if (rle) {
			rle = false;
			if (b == 0) {
				prev = 0x90;
				g_byte_array_append(raw, &prev, 1);
			} else {
				for (unsigned k = 1; k < b && raw->len < (len - at) * 64 && raw->len < (64u << 20); k++)
					g_byte_array_append(raw, &prev, 1);
			}
		} else if (b == 0x90) {
			rle = true;
		} else {
			prev = b;
			g_byte_array_append(raw, &b, 1);
		}
	}
	/* header: name length, name, 0, type 4, creator 4, flags 2, data length 4,
	 * resource length 4, CRC 2; then the data fork */
	*name = NULL;
	if (raw->len >= 1) {
		size_t nl = raw->data[0];
		if (raw->len >= 1 + nl)
			*name = g_strndup((const char *)raw->data + 1, nl);
		size_t h = 1 + nl + 1 + 4 + 4 + 2;
		if (raw->len >= h + 4 + 4 + 2) {
			size_t dl = (size_t)raw->data[h] << 24 | (size_t)raw->data[h + 1] << 16 |
			    (size_t)raw->data[h + 2] << 8 | raw->data[h + 3];
			size_t from = h + 4 + 4 + 2;
			if (dl > raw->len - from)
				dl = raw->len - from;
			g_byte_array_append(out, raw->data + from, (guint)dl);
		}
	}
	g_byte_array_unref(raw);
	return end;
}

/* A name read from the text: in UTF-8 when the text is, else converted from
 * the part's charset when that works (sanitize_append_name makes it valid). */
static char *
block_name(char *name, const char *charset)
{
	char *c;

	if (name == NULL || charset == NULL || g_utf8_validate(name, -1, NULL))
		return name;
	if ((c = g_convert(name, -1, "UTF-8", iconv_name(charset), NULL, NULL, NULL)) == NULL)
		return name;
	g_free(name);
	return c;
}

/*
 * Cuts the encoded files out of one part's text.  Done twice: on the part's
 * bytes as they came (charset is the declared one), so that an 8-bit yEnc or a
 * block in an HTML <pre> decodes to the bytes a mail client would make of it, and
 * the line left in their place is ASCII, which any charset reads; then on the
 * text in UTF-8 (charset NULL), for what only shows after decoding (UTF-16, HTML
 * lines made by <br>).
 */
static void
cut_encoded(struct walk *w, GString *text, const char *charset, bool raw)
{
	GString *res = g_string_sized_new(text->len);
	const char *s = text->str;
	size_t len = text->len, at = 0, copied = 0;
	int blocks = 0;
	struct line l;

	while (next_line(s, len, at, &l)) {
		const char *type = NULL;
		char *name = NULL;
		bool b64 = false;
		size_t end = l.next;
		GByteArray *data = g_byte_array_new();

		if ((name = uu_begin(&l, &b64)) != NULL) {
			type = b64 ? "begin-base64 (uuencode) block in the text" : "uuencode block in the text";
			GString *b = g_string_new(NULL);
			struct line d;
			size_t p = l.next;
			end = len;
			while (next_line(s, len, p, &d)) {
				p = d.next;
				if (line_is(&d, b64 ? "====" : "end")) {
					end = d.next;
					break;
				}
				if (b64)
					g_string_append_len(b, d.p, (gssize)d.n);
				else
					uu_decode_line(data, &d);
			}
			if (b64 && b->len > 0) {
				gsize n = 0;
				guchar *bin = g_base64_decode(b->str, &n);
				g_byte_array_append(data, bin, (guint)n);
				g_free(bin);
			}
			g_string_free(b, TRUE);
		} else if (l.n >= 8 && memcmp(l.p, "=ybegin ", 8) == 0) {
			type = "yEnc block in the text";
			name = yenc_name(&l);
			struct line d;
			size_t p = l.next;
			end = len;
			while (next_line(s, len, p, &d)) {
				p = d.next;
				if (d.n >= 5 && memcmp(d.p, "=yend", 5) == 0) {
					end = d.next;
					break;
				}
				if (!(d.n >= 6 && memcmp(d.p, "=ypart", 6) == 0))
					yenc_decode_line(data, &d);
			}
		} else if (memmem(l.p, l.n, "(This file must be converted with BinHex", 40) != NULL) {
			type = "BinHex 4.0 block in the text";
			end = binhex_decode(s, len, l.next, data, &name);
			struct line d;
			if (end < len && next_line(s, len, end, &d))
				end = d.next;	/* the rest of the closing line */
		}
		if (type == NULL) {
			g_byte_array_unref(data);
			at = l.next;
			continue;
		}
		if (++blocks > MAX_TEXT_BLOCKS) {	/* so many: the rest of the text goes as one */
			type = "text after more than 1,000 encoded blocks";
			g_free(name);
			name = NULL;
			g_byte_array_set_size(data, 0);
			g_byte_array_append(data, (const guint8 *)l.p, (guint)(len - (size_t)(l.p - s)));
			end = len;
		}
		name = block_name(name, charset);
		note_removed(w, name, type, data->data, data->len);
		g_string_append_len(res, s + copied, (gssize)((size_t)(l.p - s) - copied));
		if (raw) {
			g_string_append_printf(res, "[removed file %d (%s): see the list above]\n", w->nremoved, type);
		} else {
			g_string_append_printf(res, "[取り除いたファイル %d / removed file %d: ", w->nremoved, w->nremoved);
			sanitize_append_name(res, name ? name : "(名前なし)", strlen(name ? name : "(名前なし)"));
			g_string_append_printf(res, " (%s)]\n", type);
		}
		g_free(name);
		g_byte_array_unref(data);
		at = copied = end;
		if (blocks > MAX_TEXT_BLOCKS)
			break;
	}
	if (copied == 0) {
		g_string_free(res, TRUE);
		return;
	}
	g_string_append_len(res, s + copied, (gssize)(len - copied));
	g_string_truncate(text, 0);
	g_string_append_len(text, res->str, (gssize)res->len);
	g_string_free(res, TRUE);
}

static bool
is_attachment(GMimeObject *o)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);
	return d != NULL && g_mime_content_disposition_is_attachment(d);
}

static void walk_object(struct walk *w, GMimeObject *o, int depth);

static void
walk_part(struct walk *w, GMimePart *part)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	char *type = g_mime_content_type_get_mime_type(ct);
	bool text = g_mime_content_type_is_type(ct, "text", "plain");
	bool html = g_mime_content_type_is_type(ct, "text", "html");

	if ((text || html) && !is_attachment(GMIME_OBJECT(part))) {
		GString *t = g_string_new(NULL);
		append_text(w, t, part);
		if (html) {
			char *plain = sanitize_html_text(t->str, t->len);
			g_string_assign(t, plain ? plain : "");
			free(plain);
		}
		/* files encoded in the text go first (their lines must be read as they
		 * came), then every bare URL left is defanged as hrefs are */
		cut_encoded(w, t, NULL, false);
		char *d = mamori_defang_text(t->str, t->len);
		if (w->text->len)
			g_string_append(w->text, "\n");
		if (d != NULL)
			g_string_append(w->text, d);
		free(d);
		g_string_free(t, TRUE);
	} else {
		GByteArray *raw = part_bytes(part);
		note_removed(w, g_mime_part_get_filename(part), type, raw->data, raw->len);
		g_byte_array_unref(raw);
	}
	g_free(type);
}

/* multipart/alternative: the plain text when there is one, else the best other. */
static void
walk_alternative(struct walk *w, GMimeMultipart *mp, int depth)
{
	int n = g_mime_multipart_get_count(mp), pick = -1;

	for (int i = 0; i < n; i++) {
		GMimeObject *o = g_mime_multipart_get_part(mp, i);
		if (GMIME_IS_PART(o) && g_mime_content_type_is_type(g_mime_object_get_content_type(o), "text", "plain"))
			pick = i;
	}
	if (pick < 0)
		pick = n - 1;
	if (pick >= 0)
		walk_object(w, g_mime_multipart_get_part(mp, pick), depth + 1);
}

static void
walk_object(struct walk *w, GMimeObject *o, int depth)
{
	if (++w->parts > w->opts->max_parts) {
		w->too_many = true;
		return;
	}
	if (depth > w->opts->max_depth) {
		w->too_deep = true;
		return;
	}
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		if (g_mime_content_type_is_type(g_mime_object_get_content_type(o), "multipart", "alternative")) {
			walk_alternative(w, mp, depth);
			return;
		}
		for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
			walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		/* a forwarded message: removed whole, named by its subject */
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		char *s = inner ? g_mime_object_to_string(GMIME_OBJECT(inner), NULL) : NULL;
		const char *subject = inner ? g_mime_message_get_subject(inner) : NULL;
		char name[512];
		snprintf(name, sizeof(name), "転送されたメール: %s", subject ? subject : "");
		note_removed(w, name, "message/rfc822", (const guint8 *)(s ? s : ""), s ? strlen(s) : 0);
		g_free(s);
	} else if (GMIME_IS_PART(o)) {
		walk_part(w, GMIME_PART(o));
	}
}

static char *valid_dup(const char *s);

/*
 * Rebuilds the mailboxes of src into dst from their decoded name (made valid
 * UTF-8) and address alone; groups are flattened.  Copying GMime's objects
 * would carry what the sender declared: a name in an unknown charset made GMime
 * compare a NULL charset when the result was encoded (found by fuzz_mail).
 */
static void
rebuild_addresses(InternetAddressList *src, InternetAddressList *dst, int depth)
{
	int n = src ? internet_address_list_length(src) : 0;

	for (int i = 0; i < n && depth < 4; i++) {
		InternetAddress *ia = internet_address_list_get_address(src, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			rebuild_addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), dst, depth + 1);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
			const char *name = internet_address_get_name(ia);
			char *vn = valid_dup(name), *va = valid_dup(addr);
			InternetAddress *m = internet_address_mailbox_new(*vn ? vn : NULL, va);
			internet_address_list_add(dst, m);
			g_object_unref(m);
			free(vn);
			free(va);
		}
	}
}

static void
copy_addresses(GMimeMessage *from, GMimeMessage *to, GMimeAddressType type)
{
	InternetAddressList *src = g_mime_message_get_addresses(from, type);
	InternetAddressList *dst = g_mime_message_get_addresses(to, type);

	/* built apart and appended once: every change to a message's own list
	 * re-encodes its header, which made adding one by one quadratic */
	InternetAddressList *l = internet_address_list_new();
	if (src != NULL && dst != NULL)
		rebuild_addresses(src, l, 0);
	if (dst != NULL && internet_address_list_length(l) > 0)
		internet_address_list_append(dst, l);
	g_object_unref(l);
}

/*
 * Limits checked on the raw bytes before GMime parses them.  GMime builds an
 * object for every part and every header field, at several hundred bytes each:
 * 25 MB of empty parts took 6.5 GB and 47 s, 45 MB of one-letter header fields
 * 4.5 GB.  So the counts that drive its memory are bounded first, each by an
 * over-estimate that is cheap to make: every MIME part begins after a line that
 * starts with "--", and header fields are counted in every block that may be a
 * header block (the message's, after any "--" line, and the body of a part
 * whose header names a message/ type).
 */
struct prescan {
	size_t dash_lines, header_fields, header_bytes;
};

static bool
has_message_type(const char *s, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i++)
		if ((s[i] == 'm' || s[i] == 'M') && g_ascii_strncasecmp(s + i, "message/", 8) == 0)
			return true;
	return false;
}

static int
prescan(const char *in, size_t len, const struct mamori_sanitize_opts *o, char *why, size_t whylen)
{
	struct prescan c = { 0 };
	const char *p = in, *end = in + len;
	bool header = true, message = false;
	size_t field = 0, max_dash = (size_t)o->max_parts * 10;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n >= 2 && p[0] == '-' && p[1] == '-') {
			if (++c.dash_lines > max_dash) {
				snprintf(why, whylen, "too many parts: more than %zu lines begin with \"--\" "
				    "(limit: %d MIME parts)", max_dash, o->max_parts);
				return MAMORI_E_INVALID;
			}
			header = true;
			message = false;
			field = 0;
		} else if (header) {
			if (n == 0 || (n == 1 && p[0] == '\r')) {
				header = message;	/* a message/ part's body is a message */
				message = false;
				field = 0;
			} else if (p[0] == ' ' || p[0] == '\t' || memchr(p, ':', n) != NULL) {
				field = p[0] == ' ' || p[0] == '\t' ? field + n : n;
				if (p[0] != ' ' && p[0] != '\t')
					c.header_fields++;
				c.header_bytes += n;
				message = message || has_message_type(p, n);
				if (field > o->max_field_bytes) {
					snprintf(why, whylen, "a header field is longer than %zu bytes", o->max_field_bytes);
					return MAMORI_E_INVALID;
				}
				if (c.header_fields > o->max_header_fields) {
					snprintf(why, whylen, "more than %zu header fields", o->max_header_fields);
					return MAMORI_E_INVALID;
				}
				if (c.header_bytes > o->max_header_bytes) {
					snprintf(why, whylen, "more than %zu bytes of header fields", o->max_header_bytes);
					return MAMORI_E_INVALID;
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* A decoded header as valid UTF-8, malloc'd ("" for NULL). */
static char *
valid_dup(const char *s)
{
	GString *t = g_string_new(NULL);
	char *r;

	if (s != NULL)
		append_valid_utf8(t, s, strlen(s));
	r = strdup(t->str);
	g_string_free(t, TRUE);
	return r;
}

static char *
addresses_text(GMimeMessage *m, GMimeAddressType type)
{
	InternetAddressList *l = g_mime_message_get_addresses(m, type);
	char *s = l ? internet_address_list_to_string(l, NULL, FALSE) : NULL;
	char *r = valid_dup(s);

	g_free(s);
	return r;
}

/* Fills the quarantine metadata of a parsed (msg) or refused (msg NULL) original. */
static void
fill_meta(struct mamori_quarantine_meta *m, GMimeMessage *msg, struct walk *w, const char *sha256,
    size_t len, const char *clause, const char *refused)
{
	time_t t = time(NULL);

	memcpy(m->sha256, sha256, 65);
	m->size = len;
	strftime(m->time, sizeof(m->time), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	m->status = strdup(refused ? "refused" : "sanitized");
	m->reason = valid_dup(refused);
	m->clause = valid_dup(clause);
	if (msg != NULL) {
		GDateTime *d = g_mime_message_get_date(msg);
		char *ds = d ? g_date_time_format(d, "%Y-%m-%dT%H:%M:%S%:z") : NULL;
		m->from = addresses_text(msg, GMIME_ADDRESS_TYPE_FROM);
		m->to = addresses_text(msg, GMIME_ADDRESS_TYPE_TO);
		m->cc = addresses_text(msg, GMIME_ADDRESS_TYPE_CC);
		m->subject = valid_dup(g_mime_message_get_subject(msg));
		m->message_id = valid_dup(g_mime_message_get_message_id(msg));
		m->date = valid_dup(ds);
		g_free(ds);
	}
	if (w != NULL && w->list != NULL) {
		m->nparts = w->list->len;
		m->parts = (struct mamori_quarantine_part *)(void *)g_array_free(w->list, FALSE);
		w->list = NULL;
	}
}

/* Keeps the original and its metadata; a refusal keeps its own reason. */
static int
keep(const struct mamori_sanitize_opts *o, const char *in, size_t len, GMimeMessage *msg,
    struct walk *w, const char *sha256, const char *refused, struct mamori_error *err)
{
	struct mamori_quarantine_meta m = { 0 };
	int rc;

	if (o->quarantine_dir == NULL)
		return 0;
	fill_meta(&m, msg, w, sha256, len, o->clause ? o->clause : "無害化通信", refused);
	rc = mamori_quarantine_put(o->quarantine_dir, in, len, &m, err);
	mamori_quarantine_meta_clear(&m);
	return rc;
}

static void
free_list(GArray *list)
{
	if (list == NULL)
		return;
	for (guint i = 0; i < list->len; i++) {
		struct mamori_quarantine_part *p = &g_array_index(list, struct mamori_quarantine_part, i);
		free(p->name);
		free(p->type);
	}
	g_array_free(list, TRUE);
}

int
mamori_sanitize_mail(const char *in, size_t len, const struct mamori_sanitize_opts *o, char **out,
    size_t *out_len, char sha256[65], struct mamori_error *err)
{
	struct mamori_sanitize_opts opts = *o;
	struct walk w = { .opts = &opts };
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg = NULL, *res = NULL;
	GMimeTextPart *body;
	char now[40], header[600], why[200];
	int rc = 0;

	if (opts.max_size == 0)
		opts.max_size = 50u * 1024 * 1024;
	if (opts.max_parts == 0)
		opts.max_parts = 1000;
	if (opts.max_depth == 0)
		opts.max_depth = 16;
	if (opts.max_header_fields == 0)
		opts.max_header_fields = 20000;
	if (opts.max_header_bytes == 0)
		opts.max_header_bytes = 1u << 20;
	if (opts.max_field_bytes == 0)
		opts.max_field_bytes = 64u << 10;
	*out = NULL;
	*out_len = 0;
	if (len > opts.max_size)
		return mamori_error_set(err, MAMORI_E_INVALID, "refused: the message of %zu bytes is over the "
		    "limit of %zu bytes; it is not delivered", len, opts.max_size);
	sanitize_sha256_hex(in, len, sha256);
	if (prescan(in, len, &opts, why, sizeof(why)) != 0) {
		if ((rc = keep(&opts, in, len, NULL, NULL, sha256, why, err)) != 0)
			return rc;
		return mamori_error_set(err, MAMORI_E_INVALID, "refused: %s; the original is %s", why,
		    opts.quarantine_dir ? "quarantined" : "not delivered");
	}

	g_mime_init();
	stream = g_mime_stream_mem_new_with_buffer(in, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (msg == NULL) {
		snprintf(why, sizeof(why), "not a mail message (no headers could be read)");
		if ((rc = keep(&opts, in, len, NULL, NULL, sha256, why, err)) != 0)
			return rc;
		return mamori_error_set(err, MAMORI_E_INVALID, "refused: %s", why);
	}

	w.text = g_string_new(NULL);
	w.removed = g_string_new(NULL);
	w.list = opts.quarantine_dir ? g_array_new(FALSE, TRUE, sizeof(struct mamori_quarantine_part)) : NULL;
	if (g_mime_message_get_mime_part(msg) != NULL)
		walk_object(&w, g_mime_message_get_mime_part(msg), 0);
	if (w.too_many || w.too_deep) {
		snprintf(why, sizeof(why), "the message has %s (limit %d)",
		    w.too_many ? "too many parts" : "MIME nesting too deep",
		    w.too_many ? opts.max_parts : opts.max_depth);
		if ((rc = keep(&opts, in, len, msg, &w, sha256, why, err)) == 0)
			rc = mamori_error_set(err, MAMORI_E_INVALID, "refused: %s; the original is %s", why,
			    opts.quarantine_dir ? "quarantined" : "not delivered");
		goto done;
	}
	if ((rc = keep(&opts, in, len, msg, &w, sha256, NULL, err)) != 0)
		goto done;

	/* the new message: the safe headers, decoded and re-encoded by GMime */
	res = g_mime_message_new(TRUE);
	copy_addresses(msg, res, GMIME_ADDRESS_TYPE_FROM);
	copy_addresses(msg, res, GMIME_ADDRESS_TYPE_TO);
	copy_addresses(msg, res, GMIME_ADDRESS_TYPE_CC);
	/* no empty address headers in the result */
	static const struct { GMimeAddressType type; const char *name; } kinds[] = {
		{ GMIME_ADDRESS_TYPE_TO, "To" }, { GMIME_ADDRESS_TYPE_CC, "Cc" },
	};
	for (size_t i = 0; i < 2; i++)
		if (internet_address_list_length(g_mime_message_get_addresses(res, kinds[i].type)) == 0)
			g_mime_object_remove_header(GMIME_OBJECT(res), kinds[i].name);
	if (g_mime_message_get_subject(msg)) {
		char *subj = valid_dup(g_mime_message_get_subject(msg));
		g_mime_message_set_subject(res, subj, "UTF-8");
		free(subj);
	}
	if (g_mime_message_get_date(msg))
		g_mime_message_set_date(res, g_mime_message_get_date(msg));
	if (g_mime_message_get_message_id(msg))
		g_mime_message_set_message_id(res, g_mime_message_get_message_id(msg));

	time_t t = time(NULL);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	snprintf(header, sizeof(header), "clause=\"%s\"; time=%s; original-sha256=%s",
	    opts.clause ? opts.clause : "無害化通信", now, sha256);
	g_mime_object_set_header(GMIME_OBJECT(res), "X-Mamori-Sanitized", header, "UTF-8");

	GString *text = g_string_new(NULL);
	g_string_append(text, "【無害化済み / sanitized by mamori】\n");
	if (w.nremoved > 0) {
		g_string_append_printf(text, "添付ファイル等 %d 件を取り除きました (removed %d attachment(s)):\n", w.nremoved, w.nremoved);
		g_string_append_len(text, w.removed->str, (gssize)w.removed->len);
		if (opts.quarantine_dir)
			g_string_append_printf(text, "原本は隔離されています (original quarantined): %s\n", sha256);
	}
	g_string_append(text, "----------------------------------------\n");
	g_string_append_len(text, w.text->str, (gssize)w.text->len);
	/* the text is valid UTF-8 by construction: set it as the content directly
	 * (g_mime_text_part_set_text would scan it again to choose a charset) */
	body = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_charset(body, "UTF-8");
	GMimeStream *content = g_mime_stream_mem_new();
	g_mime_stream_write(content, text->str, text->len);
	g_mime_stream_reset(content);
	GMimeDataWrapper *wrapper = g_mime_data_wrapper_new_with_stream(content, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(GMIME_PART(body), wrapper);
	g_object_unref(wrapper);
	g_object_unref(content);
	g_mime_part_set_content_encoding(GMIME_PART(body), GMIME_CONTENT_ENCODING_BASE64);
	g_mime_message_set_mime_part(res, GMIME_OBJECT(body));
	g_object_unref(body);
	g_string_free(text, TRUE);

	char *s = g_mime_object_to_string(GMIME_OBJECT(res), NULL);
	if (s == NULL || (*out = strdup(s)) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	} else {
		*out_len = strlen(*out);
	}
	g_free(s);
done:
	if (res)
		g_object_unref(res);
	g_object_unref(msg);
	g_string_free(w.text, TRUE);
	g_string_free(w.removed, TRUE);
	free_list(w.list);
	return rc;
}
