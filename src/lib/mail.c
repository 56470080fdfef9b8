/*
 * mail.c — what mail needs besides sending (mamori/mail.h): the check of an
 * address, the settings, and the message as text (RFC 5322, RFC 2047, MIME).
 */
#include "mamori/mail.h"
#include "mamori/i18n.h"
#include "store_internal.h"
#include "store_ops_mail.h"
#include "store_ops_meta.h"
#include "buf.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- addresses ---- */

/* RFC 5322 atext: what a dot-atom is made of besides the dots. */
static bool
atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* A label of a domain: 1–63 letters, digits, '-', neither first nor last a '-'. */
static bool
valid_label(const char *l, size_t n)
{
	if (n == 0 || n > 63 || l[0] == '-' || l[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') || (l[i] >= '0' && l[i] <= '9') ||
		    l[i] == '-'))
			return false;
	return true;
}

const char *
mamori_mail_address_check(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t local;

	if (addr == NULL || addr[0] == '\0')
		return N_("the mail address is empty");
	for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
		if (*p >= 0x80)
			return N_("the mail address must be ASCII (an address in Japanese characters cannot be sent to)");
	if (strlen(addr) > MAMORI_MAIL_ADDRESS_MAX)
		return N_("the mail address is longer than 254 characters");
	if (at == NULL)
		return N_("the mail address has no '@' (write it as name@example.lg.jp)");
	local = (size_t)(at - addr);
	if (local == 0 || local > 64)
		return N_("the part of the mail address before '@' must be 1 to 64 characters");
	for (size_t i = 0; i < local; i++)
		if (!(atext((unsigned char)addr[i]) || (addr[i] == '.' && i > 0 && i + 1 < local && addr[i + 1] != '.')))
			return N_("the part of the mail address before '@' may hold letters, digits, single dots "
			    "and !#$%&'*+-/=?^_`{|}~ only");
	for (const char *l = at + 1;;) {
		const char *dot = strchr(l, '.');
		size_t n = dot ? (size_t)(dot - l) : strlen(l);
		if (!valid_label(l, n))
			return N_("the domain of the mail address must be names of letters, digits and '-' "
			    "separated by dots (example.lg.jp)");
		if (dot == NULL)
			break;
		l = dot + 1;
	}
	return NULL;
}

/* ---- settings ---- */

static const char *const setting_keys[MAMORI_MAIL_NSETTINGS] = { "mail.relay", "mail.from", "mail.url" };

const char *
mamori_mail_setting_key(enum mamori_mail_setting which)
{
	return which < MAMORI_MAIL_NSETTINGS ? setting_keys[which] : NULL;
}

/* Where a setting's value goes: copied, cut to the buffer. */
struct setting_to {
	char *out;
	size_t size;
};

static int
copy_setting(const char *value, void *ctx)
{
	const struct setting_to *to = ctx;
	size_t n = strnlen(value, to->size - 1);

	memcpy(to->out, value, n);
	to->out[n] = '\0';
	return 0;
}

int
mamori_mail_settings_load(struct mamori_store *s, struct mamori_mail_settings *out, struct mamori_error *err)
{
	char *const into[MAMORI_MAIL_NSETTINGS] = { out->relay, out->from, out->url };
	const size_t size[MAMORI_MAIL_NSETTINGS] = { sizeof(out->relay), sizeof(out->from), sizeof(out->url) };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	/* a setting not set stays "" */
	for (size_t i = 0; rc == 0 && i < MAMORI_MAIL_NSETTINGS; i++) {
		struct setting_to to = { into[i], size[i] };

		rc = s->backend->meta->config_get(s, setting_keys[i], copy_setting, &to, err);
		if (rc == MAMORI_E_NOTFOUND)
			rc = 0;
	}
	return rc;
}

/* Why a relay URL is refused (a msgid), or NULL: smtp[s]://host[:port][/]. */
static const char *
relay_problem(const char *v)
{
	const char *host = strncmp(v, "smtp://", 7) == 0 ? v + 7 : strncmp(v, "smtps://", 8) == 0 ? v + 8 : NULL;
	size_t n;

	if (host == NULL)
		return N_("the relay is smtp://HOST[:PORT] or smtps://HOST[:PORT]");
	if (strchr(host, '@') != NULL)
		return N_("the relay may not name a user or password (they would be kept in the audit trail): "
		    "let the relay accept mail from this host");
	n = strcspn(host, ":/");
	if (n == 0 || n > 253)
		return N_("the relay is smtp://HOST[:PORT] or smtps://HOST[:PORT]");
	for (size_t i = 0; i < n; i++)
		if (!((host[i] >= 'a' && host[i] <= 'z') || (host[i] >= 'A' && host[i] <= 'Z') ||
		    (host[i] >= '0' && host[i] <= '9') || host[i] == '-' || host[i] == '.'))
			return N_("the relay's host may hold letters, digits, '-' and '.' only");
	if (host[n] == ':') {
		char *end;
		long port = strtol(host + n + 1, &end, 10);
		if (end == host + n + 1 || port < 1 || port > 65535 || (*end != '\0' && strcmp(end, "/") != 0))
			return N_("the relay's port is a number from 1 to 65535");
	} else if (host[n] != '\0' && strcmp(host + n, "/") != 0) {
		return N_("the relay is smtp://HOST[:PORT] or smtps://HOST[:PORT]");
	}
	return NULL;
}

/* Why a web UI address is refused (a msgid), or NULL. */
static const char *
url_problem(const char *v)
{
	const char *rest = strncmp(v, "https://", 8) == 0 ? v + 8 : strncmp(v, "http://", 7) == 0 ? v + 7 : NULL;

	if (rest == NULL || rest[0] == '\0' || rest[0] == '/')
		return N_("the web UI's address is http://HOST/… or https://HOST/…");
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '#')
			return N_("the web UI's address may not hold spaces, '#' or characters outside ASCII");
	if (strlen(v) > 400)
		return N_("the web UI's address is longer than 400 characters");
	return NULL;
}

int
mamori_mail_setting_set(struct mamori_store *s, const char *actor, enum mamori_mail_setting which,
    const char *value, struct mamori_error *err)
{
	const char *why = NULL;

	if (which >= MAMORI_MAIL_NSETTINGS)
		return mamori_error_set(err, MAMORI_E_USAGE, "unknown mail setting");
	if (value[0] != '\0')
		why = which == MAMORI_MAIL_RELAY ? relay_problem(value) :
		    which == MAMORI_MAIL_FROM ? mamori_mail_address_check(value) : url_problem(value);
	if (why != NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: %s", setting_keys[which], _(why));
	return mamori_store_config_set(s, actor, setting_keys[which], value, err);
}

long
mamori_mail_backoff(int attempts)
{
	static const long steps[] = { 60, 300, 900, 3600 };

	if (attempts < 1)
		return steps[0];
	return attempts <= 4 ? steps[attempts - 1] : 3600;
}

/* ---- the message ---- */

enum {
	LINE_MAX_OUT = 76,	/* body lines of base64 (RFC 2045) */
	WORD_RAW = 36,		/* bytes of text per encoded word: 48 base64 characters, 60 in all */
};

/* Appends printf-formatted text of at most 511 bytes (headers and base64 lines). */
static void __attribute__((format(printf, 2, 3)))
buf_fmt(struct buf *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		b->fail = true;
	else
		buf_add(b, line, (size_t)n);
}

static bool
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n')
			return false;
	return true;
}

/* Length of the UTF-8 character starting at s (1 for a stray byte). */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/*
 * Appends text to b as a header's value after a name of used characters: as
 * it is when it is ASCII, else as RFC 2047 encoded words of at most WORD_RAW
 * bytes each, never splitting a character, one per folded line.
 */
static void
header_text(struct buf *b, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	char enc[sodium_base64_ENCODED_LEN(WORD_RAW, sodium_base64_VARIANT_ORIGINAL)];
	bool first = true;

	if (is_ascii(text)) {
		buf_adds(b, text);
		return;
	}
	while (*p) {
		size_t n = 0;
		while (p[n] && n + utf8_len(p + n) <= WORD_RAW)
			n += utf8_len(p + n);
		if (n == 0)	/* cannot happen: a character is at most 4 bytes */
			n = 1;
		sodium_bin2base64(enc, sizeof(enc), p, n, sodium_base64_VARIANT_ORIGINAL);
		buf_fmt(b, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", enc);
		first = false;
		p += n;
	}
}

static const char *const wday[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const month[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec" };

/* RFC 5322 date-time of t at offset (not strftime: its names follow the locale). */
static void
header_date(struct buf *b, time_t t, long offset)
{
	time_t local = t + offset;
	struct tm tm;
	long off = offset < 0 ? -offset : offset;

	gmtime_r(&local, &tm);
	buf_fmt(b, "Date: %s, %d %s %d %02d:%02d:%02d %c%02ld%02ld\r\n", wday[tm.tm_wday], tm.tm_mday,
	    month[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, offset < 0 ? '-' : '+',
	    off / 3600, off % 3600 / 60);
}

/* The body: text with CRLF line ends, in base64, 76 characters a line. */
static void
body_base64(struct buf *b, const char *body)
{
	struct buf crlf = { 0 };
	char enc[sodium_base64_ENCODED_LEN(57, sodium_base64_VARIANT_ORIGINAL)];

	for (const char *p = body; *p; p++) {
		if (*p == '\n')
			buf_addc(&crlf, '\r');
		if (*p != '\r')
			buf_addc(&crlf, *p);
	}
	/* 57 bytes make 76 characters of base64 */
	for (size_t i = 0; i < crlf.len; i += 57) {
		size_t n = crlf.len - i < 57 ? crlf.len - i : 57;
		sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)crlf.p + i, n,
		    sodium_base64_VARIANT_ORIGINAL);
		buf_fmt(b, "%s\r\n", enc);
	}
	buf_free(&crlf);
}

char *
mamori_mail_format(const struct mamori_mail_message *m, size_t *len)
{
	struct buf b = { 0 };

	header_date(&b, m->date, m->utc_offset);
	buf_adds(&b, "From: ");
	if (m->from_name != NULL && m->from_name[0] != '\0') {
		header_text(&b, m->from_name);
		buf_adds(&b, " ");
	}
	buf_fmt(&b, "<%s>\r\nTo: <%s>\r\nSubject: ", m->from, m->to);
	header_text(&b, m->subject);
	buf_fmt(&b, "\r\nMessage-ID: <%s>\r\n", m->message_id);
	buf_adds(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n");
	body_base64(&b, m->body);
	if (b.fail) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b, len);
}
