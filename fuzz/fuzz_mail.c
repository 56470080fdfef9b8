/*
 * fuzz_mail.c — libFuzzer target for mail text-ification: any bytes as a
 * message → mamori_sanitize_mail, with the quarantine (its metadata path)
 * in a directory on /dev/shm.  What must hold for every input: no crash, no
 * leak, and an accepted message comes out as one text/plain part whose
 * decoded body and headers are valid UTF-8.  The same bytes, made valid
 * UTF-8, also go through the HTML converter on their own.
 */
#include <gmime/gmime.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mamori/sanitize.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char qdir[64];

static void
remove_qdir(void)
{
	rmdir(qdir);	/* empty: every input's files are removed after it */
}

static void
check_output(const char *out, size_t len)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(out, len);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	GMimeObject *body = m ? g_mime_message_get_mime_part(m) : NULL;

	if (body == NULL || !GMIME_IS_TEXT_PART(body) ||
	    !g_mime_content_type_is_type(g_mime_object_get_content_type(body), "text", "plain"))
		abort();	/* the output must be one text/plain part */
	char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(body));
	if (text == NULL || !mamori_utf8_valid(text, strlen(text), NULL))
		abort();
	const char *subject = g_mime_message_get_subject(m);
	if (subject != NULL && !mamori_utf8_valid(subject, strlen(subject), NULL))
		abort();
	g_free(text);
	g_object_unref(m);
	g_object_unref(p);
	g_object_unref(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mamori_sanitize_opts opts = { .clause = "fuzz" };
	struct mamori_error err = { 0 };
	char sha[65], path[128], *out = NULL;
	size_t out_len = 0;

	if (qdir[0] == '\0') {
		snprintf(qdir, sizeof(qdir), "/dev/shm/fuzz-mail-%ld", (long)getpid());
		atexit(remove_qdir);
		g_mime_init();
		/* a GLib critical is a misuse of GLib or GMime: make it a finding */
		g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	}
	opts.quarantine_dir = qdir;
	if (mamori_sanitize_mail((const char *)data, size, &opts, &out, &out_len, sha, &err) == 0) {
		if (out == NULL || strlen(out) != out_len)
			abort();
		check_output(out, out_len);
	}
	free(out);
	snprintf(path, sizeof(path), "%s/%s.eml", qdir, sha);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s.json", qdir, sha);
	unlink(path);

	/* the HTML converter gets valid UTF-8 from the mail path; so here too */
	char *html = malloc(size * 3 + 1), *o = html;
	size_t i = 0, bad;
	if (html == NULL)
		return 0;
	while (i < size) {
		if (mamori_utf8_valid((const char *)data + i, size - i, &bad)) {
			memcpy(o, data + i, size - i);
			o += size - i;
			break;
		}
		memcpy(o, data + i, bad);
		o += bad;
		memcpy(o, "\xEF\xBF\xBD", 3);
		o += 3;
		i += bad + 1;
	}
	char *text = mamori_html_to_text(html, (size_t)(o - html));
	if (text != NULL && !mamori_utf8_valid(text, strlen(text), NULL))
		abort();
	free(text);
	free(html);
	return 0;
}
