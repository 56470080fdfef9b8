/* test_mail.c — mamori/mail.h without a relay: addresses, settings, the message, the run with a test transport. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mamori/mail.h"
#include "mamori/record.h"
#include "mamori/user.h"
#include "fixture.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
test_address(void **state)
{
	static const char *const good[] = { "kanri@example.lg.jp", "a.b+c@x-y.example.jp", "x@localhost",
		"o'brien@example.com", NULL };
	static const char *const bad[] = { "", "kanri", "@example.jp", "kanri@", "a..b@example.jp", ".a@example.jp",
		"a.@example.jp", "a b@example.jp", "a@exa mple.jp", "a@-x.jp", "a@x..jp", "山田@example.jp",
		"a@例え.jp", "\"a\"@example.jp", "a@[127.0.0.1]", "a@example.jp\r\nBcc: x@y.jp", "a@b@c.jp", NULL };
	char long_local[80];

	(void)state;
	for (size_t i = 0; good[i]; i++)
		assert_null(mamori_mail_address_check(good[i]));
	for (size_t i = 0; bad[i]; i++)
		if (mamori_mail_address_check(bad[i]) == NULL)
			fail_msg("accepted: %s", bad[i]);
	memset(long_local, 'a', 65);
	snprintf(long_local + 65, sizeof(long_local) - 65, "@x.jp");
	assert_non_null(mamori_mail_address_check(long_local));
}

static void
test_backoff(void **state)
{
	(void)state;
	assert_int_equal(mamori_mail_backoff(1), 60);
	assert_int_equal(mamori_mail_backoff(2), 300);
	assert_int_equal(mamori_mail_backoff(3), 900);
	assert_int_equal(mamori_mail_backoff(4), 3600);
	assert_int_equal(mamori_mail_backoff(5), 3600);
	assert_int_equal(mamori_mail_backoff(500), 3600);
}

/* Decodes an RFC 2047 encoded word =?UTF-8?B?…?= into out; false when it is not one. */
static bool
decode_word(const char *w, size_t n, char *out, size_t *outlen)
{
	size_t bin;

	if (n < 12 || strncmp(w, "=?UTF-8?B?", 10) != 0 || strncmp(w + n - 2, "?=", 2) != 0)
		return false;
	if (sodium_base642bin((unsigned char *)out, 256, w + 10, n - 12, NULL, &bin, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	*outlen = bin;
	return true;
}

/* Whether s (n bytes) is whole UTF-8 characters. */
static bool
whole_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = s[i] < 0x80 ? 1 : s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 : s[i] >= 0xc0 ? 2 : 0;
		if (k == 0 || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

static void
test_format(void **state)
{
	const char *subject = "【mamori】情報セキュリティインシデント報告 INC-000001 報告（期限超過）— "
	    "長い件名が何行にも分かれても文字の途中では切れないこと";
	const char *body = "kanri 様\n\n記録: INC-000001\n状態: 報告\n確認: https://mamori.example.lg.jp/#/records/"
	    "incident/INC-000001\nとても長い行とても長い行とても長い行とても長い行とても長い行とても長い行とても長い行\n";
	struct mamori_mail_message m = { .from = "mamori@example.lg.jp", .from_name = "mamori",
		.to = "kanri@example.lg.jp", .subject = subject, .body = body, .date = 1796432400, /* 2026-12-05T01:00:00Z */
		.utc_offset = 9 * 3600, .message_id = "mamori.1.abc@example.lg.jp" };
	size_t len = 0, sl = 0;
	char *text = mamori_mail_format(&m, &len), *hdr_end, decoded[4096] = "";
	bool in_subject = false;

	(void)state;
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_non_null(strstr(text, "Date: Sat, 5 Dec 2026 10:00:00 +0900\r\n"));
	assert_non_null(strstr(text, "From: mamori <mamori@example.lg.jp>\r\n"));
	assert_non_null(strstr(text, "To: <kanri@example.lg.jp>\r\n"));
	assert_non_null(strstr(text, "Message-ID: <mamori.1.abc@example.lg.jp>\r\n"));
	assert_non_null(strstr(text, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n"));
	hdr_end = strstr(text, "\r\n\r\n");
	assert_non_null(hdr_end);
	/* every line ends in CRLF and is at most 78 characters (76 in the body); no bare LF or 8-bit byte */
	for (char *line = text; line < text + len;) {
		char *eol = strstr(line, "\r\n");
		assert_non_null(eol);
		assert_true(eol - line <= (line > hdr_end ? 76 : 78));
		for (char *p = line; p < eol; p++)
			assert_true((unsigned char)*p < 0x80 && *p != '\n' && *p != '\r');
		/* the subject: its encoded words, one per line, each whole characters */
		if (strncmp(line, "Subject: ", 9) == 0 || (in_subject && line[0] == ' ')) {
			const char *w = line[0] == ' ' ? line + 1 : line + 9;
			size_t n = 0;
			assert_true(eol - w <= 75);
			assert_true(decode_word(w, (size_t)(eol - w), decoded + sl, &n));
			assert_true(whole_utf8((unsigned char *)decoded + sl, n));
			sl += n;
			in_subject = true;
		} else {
			in_subject = false;
		}
		line = eol + 2;
	}
	decoded[sl] = '\0';
	assert_string_equal(decoded, subject);
	/* the body decodes to the text with CRLF line ends */
	{
		struct { char *b64; size_t n; } all = { calloc(1, len), 0 };
		unsigned char *bin = calloc(1, len);
		size_t binlen = 0;
		for (char *p = hdr_end + 4; *p; p++)
			if (*p != '\r' && *p != '\n')
				all.b64[all.n++] = *p;
		assert_int_equal(sodium_base642bin(bin, len, all.b64, all.n, NULL, &binlen, NULL,
		    sodium_base64_VARIANT_ORIGINAL), 0);
		assert_non_null(strstr((char *)bin, "記録: INC-000001\r\n状態: 報告\r\n"));
		assert_null(strstr((char *)bin, "報告\n"));
		free(all.b64);
		free(bin);
	}
	free(text);
}

static void
test_format_ascii(void **state)
{
	struct mamori_mail_message m = { .from = "a@b.jp", .to = "c@d.jp", .subject = "plain", .body = "x",
		.date = 0, .utc_offset = -5 * 3600 - 1800, .message_id = "id@b.jp" };
	size_t len;
	char *text = mamori_mail_format(&m, &len);

	(void)state;
	assert_non_null(strstr(text, "Subject: plain\r\n"));
	assert_non_null(strstr(text, "From: <a@b.jp>\r\n"));
	assert_non_null(strstr(text, "Date: Wed, 31 Dec 1969 18:30:00 -0530\r\n"));
	free(text);
}

static void
test_settings(void **state)
{
	struct mamori_store *s = fixture_store("settings.db", SRCDIR "/policies/mic-standard.yaml");
	struct mamori_mail_settings cfg;
	struct mamori_error err = { 0 };
	static const char *const bad_relays[] = { "http://x", "smtp://", "smtp://user:pw@relay.example.jp",
		"smtp://relay:0", "smtp://relay:99999", "smtp://relay:25/x", "smtp://re lay", "relay:25", NULL };

	(void)state;
	assert_int_equal(mamori_mail_settings_load(s, &cfg, &err), 0);
	assert_string_equal(cfg.relay, "");
	for (size_t i = 0; bad_relays[i]; i++)
		if (mamori_mail_setting_set(s, "test", MAMORI_MAIL_RELAY, bad_relays[i], &err) != MAMORI_E_INVALID)
			fail_msg("relay accepted: %s", bad_relays[i]);
	assert_int_equal(mamori_mail_setting_set(s, "test", MAMORI_MAIL_FROM, "not an address", &err), MAMORI_E_INVALID);
	assert_int_equal(mamori_mail_setting_set(s, "test", MAMORI_MAIL_URL, "ftp://x", &err), MAMORI_E_INVALID);
	assert_int_equal(mamori_mail_setting_set(s, "test", MAMORI_MAIL_RELAY, "smtps://relay.example.lg.jp:465", &err), 0);
	assert_int_equal(mamori_mail_setting_set(s, "test", MAMORI_MAIL_FROM, "mamori@example.lg.jp", &err), 0);
	assert_int_equal(mamori_mail_setting_set(s, "test", MAMORI_MAIL_URL, "https://mamori.example.lg.jp", &err), 0);
	assert_int_equal(mamori_mail_settings_load(s, &cfg, &err), 0);
	assert_string_equal(cfg.relay, "smtps://relay.example.lg.jp:465");
	assert_string_equal(cfg.from, "mamori@example.lg.jp");
	assert_string_equal(cfg.url, "https://mamori.example.lg.jp");
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event WHERE action = 'config.set'"), 3);
	assert_int_equal(mamori_mail_setting_set(s, "test", MAMORI_MAIL_URL, "", &err), 0);
	assert_int_equal(mamori_mail_settings_load(s, &cfg, &err), 0);
	assert_string_equal(cfg.url, "");
	mamori_store_close(&s);
}

/* A transport that keeps what it was given and answers as told. */
struct fake {
	int answer;		/* 0 accepted, 1 refused, -1 unreachable */
	int calls;
	char last_to[256];
	char *last_text;
};

static int
fake_send(void *ctx, const struct mamori_mail_settings *cfg, const char *to, const char *msg, size_t len,
    bool (*stop)(void *arg), void *stop_arg, char *why, size_t whylen)
{
	struct fake *f = ctx;

	(void)cfg;
	(void)stop;
	(void)stop_arg;
	f->calls++;
	snprintf(f->last_to, sizeof(f->last_to), "%s", to);
	free(f->last_text);
	f->last_text = strndup(msg, len);
	if (f->answer != 0)
		snprintf(why, whylen, f->answer > 0 ? "the relay answered 550: no such user" : "connection refused");
	return f->answer;
}

static void
test_run(void **state)
{
	struct mamori_store *s = fixture_store("run.db", SRCDIR "/policies/mic-standard.yaml");
	struct mamori_error err = { 0 };
	struct mamori_diags problems = { 0 };
	struct fake f = { 0 };
	struct mamori_mail_transport t = { fake_send, &f };
	struct mamori_mail_opts o = { .actor = "test", .now = 1796432400 };
	struct mamori_mail_run run;
	char id[MAMORI_RECORD_ID_MAX];
	cJSON *fields = cJSON_CreateObject();

	(void)state;
	cJSON_AddStringToObject(fields, "summary", "USB メモリの紛失");
	assert_int_equal(mamori_user_add(s, "test", "tanaka", "staff", "soumu", NULL, false, &err), 0);
	assert_int_equal(mamori_user_add_with_email(s, "test", "kanri", "security-manager", "soumu", "kanri@example.lg.jp",
	    NULL, false, &err), 0);
	assert_int_equal(mamori_user_add(s, "test", "touk", "chief-officer", NULL, NULL, false, &err), 0);
	assert_int_equal(mamori_mail_send_due(s, &t, &o, &run, &err), MAMORI_E_INVALID);	/* not set up */
	assert_int_equal(mamori_mail_setting_set(s, "test", MAMORI_MAIL_RELAY, "smtp://127.0.0.1:1", &err), 0);
	assert_int_equal(mamori_mail_setting_set(s, "test", MAMORI_MAIL_FROM, "mamori@example.lg.jp", &err), 0);
	assert_int_equal(mamori_record_create(s, "test", "tanaka", "incident", fields, o.now, id, &problems, &err), 0);

	/* unreachable: one attempt, the run ends; touk has no address: waits a day */
	f.answer = -1;
	assert_int_equal(mamori_mail_send_due(s, &t, &o, &run, &err), 0);
	assert_int_equal(f.calls, 1);
	assert_string_equal(f.last_to, "kanri@example.lg.jp");
	assert_int_equal(run.failed, 1);
	assert_int_equal(fixture_query_int(s, "SELECT attempts FROM record_notice WHERE recipient = 'kanri'"), 1);
	assert_int_equal(fixture_query_int(s, "SELECT next_attempt FROM record_notice WHERE recipient = 'kanri'"),
	    o.now + 60);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event WHERE action = 'notice.failed'"), 1);
	/* not due yet: nothing tried */
	o.now += 59;
	assert_int_equal(mamori_mail_send_due(s, &t, &o, &run, &err), 0);
	assert_int_equal(f.calls, 1);
	/* refused by the relay: counted, put off 5 minutes */
	o.now += 1;
	f.answer = 1;
	assert_int_equal(mamori_mail_send_due(s, &t, &o, &run, &err), 0);
	assert_int_equal(f.calls, 2);
	assert_int_equal(fixture_query_int(s, "SELECT next_attempt FROM record_notice WHERE recipient = 'kanri'"),
	    o.now + 300);
	/* accepted: marked once, with its event */
	o.now += 300;
	f.answer = 0;
	assert_int_equal(mamori_mail_send_due(s, &t, &o, &run, &err), 0);
	assert_int_equal(run.sent, 1);
	assert_int_equal(fixture_query_int(s, "SELECT attempts FROM record_notice WHERE recipient = 'kanri' AND "
	    "sent IS NOT NULL AND error IS NULL"), 3);
	assert_int_equal(fixture_query_int(s, "SELECT count(*) FROM audit_event WHERE action = 'notice.sent'"), 1);
	assert_non_null(strstr(f.last_text, "Subject: =?UTF-8?B?"));
	o.now += 3600;
	assert_int_equal(mamori_mail_send_due(s, &t, &o, &run, &err), 0);
	assert_int_equal(f.calls, 3);	/* sent once, never again */
	/* touk waited for an address: set, it is due at once */
	assert_int_equal(fixture_query_int(s, "SELECT attempts FROM record_notice WHERE recipient = 'touk' AND "
	    "error LIKE '%no mail address%'"), 0);
	assert_int_equal(mamori_user_set_email(s, "test", "touk", "touk@example.lg.jp", &err), 0);
	assert_int_equal(mamori_mail_send_due(s, &t, &o, &run, &err), 0);
	assert_int_equal(run.sent, 1);
	assert_string_equal(f.last_to, "touk@example.lg.jp");
	assert_int_equal(mamori_user_set_email(s, "test", "touk", "bad address", &err), MAMORI_E_INVALID);
	assert_int_equal(mamori_user_set_email(s, "test", "nobody", "n@example.jp", &err), MAMORI_E_NOTFOUND);
	free(f.last_text);
	cJSON_Delete(fields);
	mamori_diags_clear(&problems);
	mamori_store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_ascii),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_run),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
