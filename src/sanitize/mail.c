/*
 * mail.c — mail text-ification (無害化) with GMime 3: one text/plain UTF-8
 * message out, every attachment listed and removed, the original quarantined.
 */
#include "mamori/sanitize.h"
#include "mamori/quarantine.h"
#include "../lib/utf8.h"
#include "digest.h"

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

/* Text of a text part in UTF-8: GMime converts from the declared charset; when
 * the charset lies or is unknown, the bytes are tried as UTF-8, CP932, EUC-JP,
 * ISO-2022-JP in turn and anything left invalid is replaced. */
static void
append_text(GString *out, GMimePart *part)
{
	GByteArray *raw = part_bytes(part);
	const char *declared = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
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
	size_t at = w->removed->len;
	append_valid_utf8(w->removed, name ? name : "(名前なし)", name ? strlen(name) : strlen("(名前なし)"));
	if (w->list != NULL) {
		struct mamori_quarantine_part p = { .size = len };
		p.name = name ? strndup(w->removed->str + at, w->removed->len - at) : strdup("");
		GString *t = g_string_new(NULL);
		append_valid_utf8(t, type, strlen(type));
		p.type = strdup(t->str);
		g_string_free(t, TRUE);
		memcpy(p.sha256, hex, sizeof(p.sha256));
		g_array_append_val(w->list, p);
	}
	g_string_append(w->removed, "  [");
	append_valid_utf8(w->removed, type, strlen(type));
	g_string_append_printf(w->removed, ", %zu bytes, SHA-256 %s]\n", len, hex);
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
		append_text(t, part);
		if (html) {
			char *plain = mamori_html_to_text(t->str, t->len);
			if (w->text->len)
				g_string_append(w->text, "\n");
			if (plain)
				g_string_append(w->text, plain);
			free(plain);
		} else {
			if (w->text->len)
				g_string_append(w->text, "\n");
			g_string_append_len(w->text, t->str, (gssize)t->len);
		}
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
