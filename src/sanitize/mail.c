/*
 * mail.c — mail text-ification (無害化) with GMime 3: one text/plain UTF-8
 * message out, every attachment listed and removed, the original quarantined.
 */
#include "mamori/sanitize.h"
#include "../lib/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <sodium.h>
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

	/* ISO-2022-JP is 7-bit and so "valid UTF-8": convert by the declared charset
	 * first, unless it claims UTF-8 or ASCII */
	if (declared != NULL && g_ascii_strcasecmp(declared, "utf-8") != 0 &&
	    g_ascii_strcasecmp(declared, "us-ascii") != 0)
		conv = g_convert((const char *)raw->data, (gssize)raw->len, "UTF-8",
		    g_mime_charset_iconv_name(declared), NULL, NULL, NULL);
	if (conv == NULL && !mamori_utf8_valid((const char *)raw->data, raw->len, NULL))
		for (size_t i = 0; i < 3 && conv == NULL; i++)
			conv = g_convert((const char *)raw->data, (gssize)raw->len, "UTF-8", guesses[i], NULL, NULL, NULL);
	if (conv != NULL)
		append_valid_utf8(out, conv, strlen(conv));
	else
		append_valid_utf8(out, (const char *)raw->data, raw->len);
	g_free(conv);
	g_byte_array_unref(raw);
}

static void
note_removed(struct walk *w, const char *name, const char *type, const guint8 *data, size_t len)
{
	unsigned char h[32];
	char hex[65];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	w->nremoved++;
	g_string_append_printf(w->removed, "  %d. ", w->nremoved);
	append_valid_utf8(w->removed, name ? name : "(名前なし)", name ? strlen(name) : strlen("(名前なし)"));
	g_string_append_printf(w->removed, "  [%s, %zu bytes, SHA-256 %s]\n", type, len, hex);
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

static int
quarantine(const char *dir, const char *hex, const char *in, size_t len, struct mamori_error *err)
{
	char path[4096];
	int fd;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return mamori_error_set(err, MAMORI_E_IO, "cannot create quarantine %s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s.eml", dir, hex);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? 0 : mamori_error_set(err, MAMORI_E_IO, "cannot write %s: %s", path, strerror(errno));
	if (write(fd, in, len) != (ssize_t)len || fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return mamori_error_set(err, MAMORI_E_IO, "cannot write %s", path);
	}
	close(fd);
	return 0;
}

static void
copy_addresses(GMimeMessage *from, GMimeMessage *to, GMimeAddressType type)
{
	InternetAddressList *src = g_mime_message_get_addresses(from, type);
	InternetAddressList *dst = g_mime_message_get_addresses(to, type);

	if (src != NULL && dst != NULL && internet_address_list_length(src) > 0)
		internet_address_list_append(dst, src);
}

int
mamori_sanitize_mail(const char *in, size_t len, const struct mamori_sanitize_opts *o, char **out,
    size_t *out_len, char sha256[65], struct mamori_error *err)
{
	struct mamori_sanitize_opts opts = *o;
	struct walk w = { .opts = &opts };
	unsigned char h[32];
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg, *res = NULL;
	GMimeTextPart *body;
	char now[40], header[600];
	int rc = 0;

	if (opts.max_size == 0)
		opts.max_size = 50u * 1024 * 1024;
	if (opts.max_parts == 0)
		opts.max_parts = 1000;
	if (opts.max_depth == 0)
		opts.max_depth = 16;
	*out = NULL;
	if (len > opts.max_size)
		return mamori_error_set(err, MAMORI_E_INVALID, "message of %zu bytes is over the limit of %zu",
		    len, opts.max_size);
	if (sodium_init() < 0)
		return mamori_error_set(err, MAMORI_E_NOMEM, "libsodium failed to initialise");
	crypto_hash_sha256(h, (const unsigned char *)in, len);
	sodium_bin2hex(sha256, 65, h, 32);
	if (opts.quarantine_dir && (rc = quarantine(opts.quarantine_dir, sha256, in, len, err)) != 0)
		return rc;

	g_mime_init();
	stream = g_mime_stream_mem_new_with_buffer(in, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (msg == NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "not a mail message (no headers could be read)");

	w.text = g_string_new(NULL);
	w.removed = g_string_new(NULL);
	if (g_mime_message_get_mime_part(msg) != NULL)
		walk_object(&w, g_mime_message_get_mime_part(msg), 0);
	if (w.too_many || w.too_deep) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "refused: the message has %s (limit %d); the original "
		    "is %s", w.too_many ? "too many parts" : "MIME nesting too deep",
		    w.too_many ? opts.max_parts : opts.max_depth, opts.quarantine_dir ? "quarantined" : "not delivered");
		goto done;
	}

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
		GString *subj = g_string_new(NULL);
		const char *s = g_mime_message_get_subject(msg);
		append_valid_utf8(subj, s, strlen(s));
		g_mime_message_set_subject(res, subj->str, "UTF-8");
		g_string_free(subj, TRUE);
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
	body = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_charset(body, "UTF-8");
	g_mime_text_part_set_text(body, text->str);
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
	return rc;
}
