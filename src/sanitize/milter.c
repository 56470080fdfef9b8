/*
 * milter.c — `mamori milter`: the mail sanitizer (mail.c) as a libmilter
 * filter at the LGWAN / internet boundary.  Each recipient is routed by the
 * policy (segments' mail_domains, mail flows); a message that any accepted
 * recipient must receive 無害化 is collected (with a size cap), text-ified in
 * memory, and its headers and body are replaced in the MTA.  Everything that
 * goes wrong fails closed: a refusal or a temporary failure, never the
 * original passed on.  (docs/sanitize.md)
 */
#include "mamori/milter.h"
#include "mamori/oplog.h"
#include "mamori/sanitize.h"
#include "mamori/store.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <signal.h>
#include <libxml/parser.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <libmilter/mfapi.h>

enum {
	MAX_SIZE_DEFAULT = 50 * 1024 * 1024,
	SHUTDOWN_DEFAULT = 30,
	MAX_HEADERS = 10000,	/* header fields of one message; more is refused */
};

/* ---- routing ---- */

static enum mamori_mail_action
route_set(struct mamori_mail_route *r, enum mamori_mail_action a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum mamori_mail_action
route_set(struct mamori_mail_route *r, enum mamori_mail_action a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	r->action = a;
	return a;
}

/* The domain of an envelope address ("<u@d>", "u@d"), as printable ASCII
 * without '%' (it ends up in SMTP replies and logs); "" when there is none. */
static void
rcpt_domain(const char *rcpt, char *out, size_t n)
{
	const char *at = rcpt ? strrchr(rcpt, '@') : NULL;
	size_t k = 0;

	for (const char *c = at ? at + 1 : ""; *c && *c != '>' && k + 1 < n; c++)
		out[k++] = (*c > ' ' && *c < 0x7f && *c != '%') ? *c : '?';
	out[k] = '\0';
}

enum mamori_mail_action
mamori_milter_route(const struct mamori_policy *p, const char *from, const char *rcpt,
    struct mamori_mail_route *out)
{
	const struct mamori_segment *fs = from ? mamori_policy_segment(p, from) : NULL, *ts;
	const struct mamori_flow *f;
	char dom[256];

	memset(out, 0, sizeof(*out));
	out->from = fs ? fs->id : NULL;
	rcpt_domain(rcpt, dom, sizeof(dom));
	ts = mamori_policy_mail_segment(p, dom);
	if (ts == NULL && dom[0] == '\0')
		return route_set(out, MAMORI_MAIL_REJECT, "recipient has no domain, so no segment of "
		    "policy %s", p->id);
	if (ts == NULL)
		return route_set(out, MAMORI_MAIL_REJECT, "recipient domain '%s' is in no segment of "
		    "policy %s (no segment lists it, or \"*\", in mail_domains)", dom, p->id);
	out->to = ts->id;
	if (fs == NULL) {
		/* cite a flow into the recipient's segment that text-ifies mail, if any */
		for (size_t i = 0; i < p->nflows && out->flow == NULL; i++)
			if (strcmp(p->flows[i].to, ts->id) == 0 && strcmp(p->flows[i].channel, "mail") == 0 &&
			    strcmp(p->flows[i].sanitization, "mail-text") == 0)
				out->flow = &p->flows[i];
		return route_set(out, MAMORI_MAIL_SANITIZE, "the sending segment is not known: "
		    "sanitized for %s (fail closed)", ts->id);
	}
	if (fs == ts)
		return route_set(out, MAMORI_MAIL_PASS, "within segment %s", ts->id);
	f = mamori_policy_flow(p, fs->id, ts->id, "mail");
	out->flow = f;
	if (f == NULL)
		return route_set(out, MAMORI_MAIL_REJECT, "policy %s allows no mail from segment %s to "
		    "segment %s", p->id, fs->id, ts->id);
	if (strcmp(f->sanitization, "none") == 0)
		return route_set(out, MAMORI_MAIL_PASS, "flow %s -> %s needs no sanitization", fs->id, ts->id);
	if (strcmp(f->sanitization, "mail-text") == 0 || strcmp(f->sanitization, "file-disarm") == 0)
		return route_set(out, MAMORI_MAIL_SANITIZE, "flow %s -> %s requires %s", fs->id, ts->id,
		    f->sanitization);
	return route_set(out, MAMORI_MAIL_REJECT, "policy %s requires %s for mail from segment %s to "
	    "segment %s, which a mail gateway cannot apply", p->id, f->sanitization, fs->id, ts->id);
}

/* ---- the filter ---- */

/*
 * libmilter calls back without a user pointer, so the run's settings are
 * file-level: written once by mamori_milter_run before smfi_main starts any
 * thread, only read afterwards.  inflight counts messages between MAIL FROM
 * and their end, for the graceful shutdown.
 */
static const struct mamori_milter_opts *run_opts;
static atomic_int inflight;

struct message {
	bool active;			/* counted in inflight */
	int npass, nsanitize;
	const struct mamori_flow *flow;	/* of the first recipient that needs 無害化 */
	const char *to;			/* that recipient's segment */
	unsigned long long declared;	/* ESMTP SIZE=, 0 when not given */
	char *buf;			/* the message as the MTA has it: headers, blank line, body */
	size_t len, cap;
	char **names;			/* the header field names, in order */
	size_t nnames, names_cap;
};

struct conn {
	char *from;			/* the sending segment, or NULL when unknown */
	char *client;
	bool leadspc;			/* header values carry their leading space */
	struct message m;
};

static FILE *
log_stream(void)
{
	return run_opts->log ? run_opts->log : stderr;
}

static void
log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
log_line(const char *fmt, ...)
{
	char line[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one fputs per line: lines of concurrent sessions never interleave */
	fputs(line, log_stream());
	fflush(log_stream());
}

/* ---- the audit trail: each verdict on mail that crosses segments ---- */

struct verdict {
	const char *action, *object;
	const cJSON *after;
};

static int
verdict_tx(struct mamori_store_tx *tx, void *arg)
{
	const struct verdict *v = arg;

	return mamori_store_tx_event(tx, v->action, "mail", v->object, NULL, v->after);
}

/*
 * Records a verdict (action, the mail it is about, its details: taken) when
 * the milter has a store.  False when it could not be recorded: the caller
 * then answers with a temporary failure, so that the MTA tries again and no
 * verdict stands without its record.  Sessions run in libmilter's threads and
 * the store writes one transaction at a time, hence the lock.
 */
/* Verdicts since the start, for the operator's log in summary (milter_summary). */
static atomic_ulong verdicts_sanitized, verdicts_rejected, verdicts_other;
enum { SUMMARY_EVERY = 100 };

static void
milter_summary(const char *when)
{
	unsigned long s = atomic_load(&verdicts_sanitized), r = atomic_load(&verdicts_rejected),
	    o = atomic_load(&verdicts_other);

	mamori_oplog(LOG_INFO, "milter.verdicts", "milter: %s: %lu verdicts (%lu sanitized, %lu rejected, %lu other)",
	    when, s + r + o, s, r, o);
}

/* Counts a verdict by its kind; every SUMMARY_EVERY, the counts to the operator's log. */
static void
count_verdict(const cJSON *after)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(after, "verdict");
	const char *kind = cJSON_IsString(v) ? v->valuestring : "";
	unsigned long n;

	if (strcmp(kind, "sanitized") == 0)
		atomic_fetch_add(&verdicts_sanitized, 1);
	else if (strcmp(kind, "rejected") == 0)
		atomic_fetch_add(&verdicts_rejected, 1);
	else
		atomic_fetch_add(&verdicts_other, 1);
	n = atomic_load(&verdicts_sanitized) + atomic_load(&verdicts_rejected) + atomic_load(&verdicts_other);
	if (n % SUMMARY_EVERY == 0)
		milter_summary("so far");
}

static bool
record(const char *action, const char *object, cJSON *after)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct verdict v = { action, object, after };
	struct mamori_error err = { 0 };
	int rc = 0;

	if (run_opts->store != NULL) {
		if (after == NULL) {
			rc = mamori_error_set(&err, MAMORI_E_NOMEM, "out of memory");
		} else {
			pthread_mutex_lock(&lock);
			rc = mamori_store_write(run_opts->store, "milter", verdict_tx, &v, &err);
			pthread_mutex_unlock(&lock);
		}
		if (rc != 0)
			log_line("mamori milter: %s of %s cannot be recorded in the audit trail: %s\n", action,
			    object, err.message);
	}
	if (rc == 0 && after != NULL)
		count_verdict(after);
	cJSON_Delete(after);
	return rc == 0;
}

/* A string member, or none when s is NULL. */
static void
add_string(cJSON *o, const char *name, const char *s)
{
	if (o != NULL && s != NULL)
		cJSON_AddStringToObject(o, name, s);
}

/* An envelope address without its angle brackets, as the trail names it. */
static const char *
bare_address(const char *rcpt, char *out, size_t n)
{
	size_t len = strlen(rcpt);

	if (len >= 2 && rcpt[0] == '<' && rcpt[len - 1] == '>') {
		snprintf(out, n, "%.*s", (int)(len - 2), rcpt + 1);
		return out;
	}
	return rcpt;
}

/* The details of a refused recipient, for record. */
static cJSON *
rcpt_refusal(const struct conn *c, const char *rcpt, const char *to, const char *reason)
{
	cJSON *o = cJSON_CreateObject();

	add_string(o, "recipient", rcpt);
	add_string(o, "client", c->client);
	add_string(o, "from_segment", c->from);
	add_string(o, "to_segment", to);
	add_string(o, "verdict", "rejected");
	add_string(o, "reason", reason);
	return o;
}

/* The details of a message's verdict, for record. */
static cJSON *
message_verdict(const struct conn *c, const char *qid, const char *verdict, const char *sha,
    const char *clause, const char *reason)
{
	cJSON *o = cJSON_CreateObject();

	add_string(o, "queue_id", qid);
	add_string(o, "client", c->client);
	add_string(o, "from_segment", c->from);
	add_string(o, "to_segment", c->m.to);
	add_string(o, "verdict", verdict);
	add_string(o, "sha256", sha[0] ? sha : NULL);
	add_string(o, "clause", clause);
	add_string(o, "reason", reason);
	if (o != NULL) {
		cJSON_AddNumberToObject(o, "size", (double)c->m.len);
		cJSON_AddNumberToObject(o, "recipients_sanitized", c->m.nsanitize);
		cJSON_AddNumberToObject(o, "recipients_passed", c->m.npass);
	}
	return o;
}

static size_t
max_size(void)
{
	return run_opts->max_size ? run_opts->max_size : MAX_SIZE_DEFAULT;
}

static void
message_end(struct message *m)
{
	for (size_t i = 0; i < m->nnames; i++)
		free(m->names[i]);
	free(m->names);
	free(m->buf);
	if (m->active)
		atomic_fetch_sub(&inflight, 1);
	memset(m, 0, sizeof(*m));
}

static struct conn *
conn_get(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL && (c = calloc(1, sizeof(*c))) != NULL && smfi_setpriv(ctx, c) != MI_SUCCESS) {
		free(c);
		c = NULL;
	}
	return c;
}

/* SMTP reply text must be one line of printable ASCII; libmilter also reads '%'. */
static void
reply(SMFICTX *ctx, const char *code, const char *xcode, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
reply(SMFICTX *ctx, const char *code, const char *xcode, const char *fmt, ...)
{
	char text[500], c3[4], x[16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (char *s = text; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f || *s == '%')
			*s = '?';
	snprintf(c3, sizeof(c3), "%s", code);
	snprintf(x, sizeof(x), "%s", xcode);
	(void)smfi_setreply(ctx, c3, x, text);
}

static sfsistat
tempfail(SMFICTX *ctx, const char *why)
{
	reply(ctx, "451", "4.3.0", "mamori milter: %s; try again later", why);
	return SMFIS_TEMPFAIL;
}

enum { APPEND_OK, APPEND_TOO_LARGE, APPEND_NOMEM };

/* Appends n bytes to the message; over the cap, the 552 reply is set. */
static int
append(SMFICTX *ctx, struct message *m, const char *s, size_t n)
{
	size_t limit = max_size();

	if (n > limit || m->len > limit - n) {
		reply(ctx, "552", "5.3.4", "message too large for sanitization: the limit at the "
		    "LGWAN boundary is %zu bytes", limit);
		return APPEND_TOO_LARGE;
	}
	if (m->len + n > m->cap) {
		size_t cap = m->cap ? m->cap : 1 << 16;
		while (cap < m->len + n)
			cap *= 2;
		char *b = realloc(m->buf, cap);
		if (b == NULL)
			return APPEND_NOMEM;
		m->buf = b;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, s, n);
	m->len += n;
	return APPEND_OK;
}

/* What a failed append answers the MTA. */
static sfsistat
append_failed(SMFICTX *ctx, struct conn *c, int why)
{
	const char *qid = smfi_getsymval(ctx, "i");
	char reason[64];
	bool recorded = true;

	snprintf(reason, sizeof(reason), "over %zu bytes", max_size());
	if (why != APPEND_NOMEM)
		recorded = record("mail.sanitize", qid ? qid : "?",
		    message_verdict(c, qid, "rejected", "", NULL, reason));
	message_end(&c->m);	/* no abort or end-of-message follows a refusal */
	if (why == APPEND_NOMEM)
		return tempfail(ctx, "out of memory");
	if (!recorded)
		return tempfail(ctx, "the verdict cannot be recorded in the audit trail");
	log_line("mamori milter: client=%s from-segment=%s action=reject reason=\"%s\"\n",
	    c->client, c->from ? c->from : "?", reason);
	return SMFIS_REJECT;
}

static sfsistat
on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2, unsigned long f3,
    unsigned long *pf0, unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	const unsigned long need = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY;
	struct conn *c = conn_get(ctx);

	(void)f2;
	(void)f3;
	if (c == NULL || (f0 & need) != need) {
		log_line("mamori milter: the MTA does not allow changing headers and body; refusing it\n");
		return SMFIS_REJECT;
	}
	*pf0 = need;
	/* every step, with header values exactly as written (leading space kept) */
	*pf1 = f1 & SMFIP_HDR_LEADSPC;
	c->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat
on_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	struct conn *c = conn_get(ctx);
	const char *daemon = smfi_getsymval(ctx, "{daemon_name}");
	const char *from = run_opts->from_segment;

	(void)addr;
	if (c == NULL)
		return tempfail(ctx, "out of memory");
	/* the listener the MTA names (Postfix: milter_macro_daemon_name) decides the
	 * sending side; what the client claims (HELO, MAIL FROM) never does */
	if (daemon != NULL && mamori_policy_segment(run_opts->policy, daemon) != NULL)
		from = daemon;
	free(c->from);
	free(c->client);
	c->from = from ? strdup(from) : NULL;
	c->client = strdup(host ? host : "?");
	return SMFIS_CONTINUE;
}

static sfsistat
on_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_get(ctx);

	if (c == NULL)
		return tempfail(ctx, "out of memory");
	message_end(&c->m);
	c->m.active = true;
	atomic_fetch_add(&inflight, 1);
	for (int i = 1; argv[i] != NULL; i++)
		if (strncasecmp(argv[i], "SIZE=", 5) == 0)
			c->m.declared = strtoull(argv[i] + 5, NULL, 10);
	return SMFIS_CONTINUE;
}

static sfsistat
on_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_get(ctx);
	struct mamori_mail_route r;
	char addr[512];
	const char *rcpt = bare_address(argv[0], addr, sizeof(addr));

	if (c == NULL)
		return tempfail(ctx, "out of memory");
	switch (mamori_milter_route(run_opts->policy, c->from, argv[0], &r)) {
	case MAMORI_MAIL_REJECT:
		if (!record("mail.reject", rcpt, rcpt_refusal(c, rcpt, r.to, r.reason)))
			return tempfail(ctx, "the refusal cannot be recorded in the audit trail");
		reply(ctx, "550", "5.7.1", "%s", r.reason);
		log_line("mamori milter: client=%s from-segment=%s rcpt=%s action=reject reason=\"%s\"\n",
		    c->client, c->from ? c->from : "?", argv[0], r.reason);
		return SMFIS_REJECT;	/* this recipient only */
	case MAMORI_MAIL_SANITIZE:
		if (c->m.declared > max_size()) {
			char why[96];
			snprintf(why, sizeof(why), "SIZE=%llu over %zu bytes", c->m.declared, max_size());
			if (!record("mail.reject", rcpt, rcpt_refusal(c, rcpt, r.to, why)))
				return tempfail(ctx, "the refusal cannot be recorded in the audit trail");
			reply(ctx, "552", "5.3.4", "message too large for sanitization: the limit at "
			    "the LGWAN boundary is %zu bytes", max_size());
			log_line("mamori milter: client=%s from-segment=%s rcpt=%s action=reject "
			    "reason=\"%s\"\n", c->client, c->from ? c->from : "?", argv[0], why);
			return SMFIS_REJECT;
		}
		if (c->m.nsanitize++ == 0) {
			c->m.flow = r.flow;
			c->m.to = r.to;
		}
		return SMFIS_CONTINUE;
	case MAMORI_MAIL_PASS:
		c->m.npass++;
		return SMFIS_CONTINUE;
	}
	return tempfail(ctx, "internal error");
}

/* No recipient needs 無害化: the message goes on untouched and unbuffered. */
static bool
passes(struct conn *c)
{
	if (c->m.nsanitize > 0)
		return false;
	log_line("mamori milter: client=%s from-segment=%s rcpts=%d action=pass\n", c->client,
	    c->from ? c->from : "?", c->m.npass);
	message_end(&c->m);
	return true;
}

static sfsistat
on_data(SMFICTX *ctx)
{
	struct conn *c = conn_get(ctx);

	if (c == NULL)
		return tempfail(ctx, "out of memory");
	return passes(c) ? SMFIS_ACCEPT : SMFIS_CONTINUE;
}

static sfsistat
on_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = conn_get(ctx);
	struct message *m;
	int rc;

	if (c == NULL)
		return tempfail(ctx, "out of memory");
	/* non-SMTP submissions (non_smtpd_milters) have no DATA step */
	if (passes(c))
		return SMFIS_ACCEPT;
	m = &c->m;
	if (m->nnames == m->names_cap) {
		size_t cap = m->names_cap ? m->names_cap * 2 : 32;
		char **n = cap <= MAX_HEADERS ? realloc(m->names, cap * sizeof(*n)) : NULL;
		if (n == NULL) {
			reply(ctx, "552", "5.3.4", "too many header fields for sanitization (limit %d)", MAX_HEADERS);
			message_end(m);
			return SMFIS_REJECT;
		}
		m->names = n;
		m->names_cap = cap;
	}
	if ((m->names[m->nnames] = strdup(name)) == NULL)
		return append_failed(ctx, c, APPEND_NOMEM);
	m->nnames++;
	rc = append(ctx, m, name, strlen(name));
	if (rc == APPEND_OK)
		rc = append(ctx, m, c->leadspc ? ":" : ": ", c->leadspc ? 1 : 2);
	/* folded lines come with bare LF; the message is kept in CRLF like the body */
	for (const char *v = value; rc == APPEND_OK && *v; v++)
		rc = *v == '\n' && (v == value || v[-1] != '\r') ? append(ctx, m, "\r\n", 2) : append(ctx, m, v, 1);
	if (rc == APPEND_OK)
		rc = append(ctx, m, "\r\n", 2);
	return rc == APPEND_OK ? SMFIS_CONTINUE : append_failed(ctx, c, rc);
}

static sfsistat
on_eoh(SMFICTX *ctx)
{
	struct conn *c = conn_get(ctx);
	int rc;

	if (c == NULL)
		return tempfail(ctx, "out of memory");
	if (passes(c))
		return SMFIS_ACCEPT;
	rc = append(ctx, &c->m, "\r\n", 2);
	return rc == APPEND_OK ? SMFIS_CONTINUE : append_failed(ctx, c, rc);
}

static sfsistat
on_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct conn *c = conn_get(ctx);
	int rc;

	if (c == NULL)
		return tempfail(ctx, "out of memory");
	rc = append(ctx, &c->m, (const char *)chunk, len);
	return rc == APPEND_OK ? SMFIS_CONTINUE : append_failed(ctx, c, rc);
}

/*
 * Puts the sanitized message (out, LF line ends) in place of the original:
 * every original header field but Received is deleted (Received stays: hop
 * counting and tracing need it, and no mail client renders it), the
 * sanitizer's header fields are added, the body is replaced in CRLF.
 */
static int
apply(SMFICTX *ctx, struct conn *c, const char *out, size_t out_len)
{
	struct message *m = &c->m;
	const char *body = strstr(out, "\n\n"), *end;
	GString *crlf;
	int rc;

	if (body == NULL)
		return -1;
	for (size_t i = 0; i < m->nnames; i++) {
		int count = 0;
		bool seen = false;
		if (strcasecmp(m->names[i], "Received") == 0)
			continue;
		for (size_t j = 0; j < m->nnames && !seen; j++) {
			if (strcasecmp(m->names[j], m->names[i]) == 0) {
				seen = j < i;
				count++;
			}
		}
		if (seen)
			continue;	/* handled at its first occurrence */
		for (size_t j = i + 1; j < m->nnames; j++)
			count += strcasecmp(m->names[j], m->names[i]) == 0;
		/* from the last occurrence down: indexes stay valid as each goes */
		for (int k = count; k >= 1; k--)
			if (smfi_chgheader(ctx, m->names[i], k, NULL) != MI_SUCCESS)
				return -1;
	}
	/* the new header fields, unfolded into name and value (folds kept as LF + WSP) */
	for (const char *h = out; h < body + 1; h = end + 1) {
		char *field, *colon;
		end = h;
		while ((end = strchr(end, '\n')) != NULL && end < body && (end[1] == ' ' || end[1] == '\t'))
			end++;
		if (end == NULL)
			return -1;
		field = strndup(h, (size_t)(end - h));
		if (field == NULL || (colon = strchr(field, ':')) == NULL) {
			free(field);
			return -1;
		}
		*colon = '\0';
		char *value = colon + 1;
		if (!c->leadspc && *value == ' ')
			value++;
		rc = smfi_addheader(ctx, field, value);
		free(field);
		if (rc != MI_SUCCESS)
			return -1;
	}
	crlf = g_string_sized_new(out_len - (size_t)(body - out) + 4096);
	for (const char *b = body + 2; *b; b++) {
		if (*b == '\n')
			g_string_append_c(crlf, '\r');
		g_string_append_c(crlf, *b);
	}
	rc = crlf->len > INT32_MAX ? MI_FAILURE :
	    smfi_replacebody(ctx, (unsigned char *)crlf->str, (int)crlf->len);
	g_string_free(crlf, TRUE);
	return rc == MI_SUCCESS ? 0 : -1;
}

static sfsistat
on_eom(SMFICTX *ctx)
{
	struct conn *c = conn_get(ctx);
	struct mamori_sanitize_opts so = { 0 };
	struct mamori_error err = { 0 };
	char clause[512], sha[65] = "", *out = NULL;
	const char *qid;
	size_t out_len = 0;
	sfsistat st;
	int rc;

	if (c == NULL)
		return tempfail(ctx, "out of memory");
	if (passes(c))
		return SMFIS_ACCEPT;
	qid = smfi_getsymval(ctx, "i");
	snprintf(clause, sizeof(clause), "%s %s", run_opts->policy->id,
	    c->m.flow ? c->m.flow->clause : "(no mail flow; the sending segment is not known)");
	so.quarantine_dir = run_opts->quarantine_dir;
	so.clause = clause;
	so.max_size = max_size();
	rc = mamori_sanitize_mail(c->m.buf ? c->m.buf : "", c->m.len, &so, &out, &out_len, sha, &err);
	if (rc == MAMORI_E_INVALID) {
		/* the message itself is refused (parts, depth, not a message): a retry cannot help */
		reply(ctx, "554", "5.6.0", "message refused by the sanitizer: %s", err.message);
		st = SMFIS_REJECT;
	} else if (rc != 0) {
		st = tempfail(ctx, err.message[0] ? err.message : "the sanitizer failed");
	} else if (apply(ctx, c, out, out_len) != 0) {
		st = tempfail(ctx, "the MTA refused a change to the message");
	} else {
		st = SMFIS_CONTINUE;
	}
	/* a final verdict is recorded before the MTA hears it (a temporary one is tried again) */
	if (st != SMFIS_TEMPFAIL && !record("mail.sanitize", sha[0] ? sha : qid ? qid : "?",
	    message_verdict(c, qid, st == SMFIS_CONTINUE ? "sanitized" : "rejected", sha, clause,
	    rc != 0 ? err.message : NULL)))
		st = tempfail(ctx, "the verdict cannot be recorded in the audit trail");
	log_line("mamori milter: queue=%s client=%s from-segment=%s to-segment=%s rcpts=%d+%d "
	    "action=%s size=%zu sha256=%s%s%s\n", qid ? qid : "?", c->client, c->from ? c->from : "?",
	    c->m.to ? c->m.to : "?", c->m.nsanitize, c->m.npass,
	    st == SMFIS_CONTINUE ? "sanitized" : st == SMFIS_REJECT ? "reject" : "tempfail",
	    c->m.len, sha, rc != 0 ? " reason=" : "", rc != 0 ? err.message : "");
	free(out);
	message_end(&c->m);
	return st;
}

static sfsistat
on_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		message_end(&c->m);
	return SMFIS_CONTINUE;
}

static sfsistat
on_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		message_end(&c->m);
		free(c->from);
		free(c->client);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

/*
 * smfi_main runs in a thread of its own so that the caller can own the stop
 * signals.  libmilter stops itself when its signal thread's sigwait returns
 * one, and that stop races its listener: when it lands between the
 * listener's reading of the stop flag and its taking the socket's lock,
 * smfi_main reports a failure ("listenfd corrupted"), and mamori could not
 * tell it from a real one; a milter that systemd stops must exit 0.  So the
 * caller hears every stop: through on_stop when the kernel gives the signal
 * to the caller's thread (it never blocks them), and through forward_stop
 * when libmilter's signal thread takes it from the pending set (it may,
 * whenever the caller is slow to be scheduled).  Either writes a byte to
 * stop_pipe, on which the caller waits, and the caller asks for the stop
 * with smfi_stop; the listener's end writes one too.  File-level because a
 * signal handler has no other way to reach its caller.
 */
static const int stop_signals[3] = { SIGTERM, SIGHUP, SIGINT };
static int stop_pipe[2] = { -1, -1 };
static atomic_int stop_signal;	/* lock-free: safe in a handler */

static void
on_stop(int sig)
{
	int saved = errno;

	atomic_store(&stop_signal, sig);
	if (write(stop_pipe[1], "s", 1) < 0) {
		/* full pipe: the caller wakes for an earlier byte */
	}
	errno = saved;
}

static bool
is_stop_signal(int sig)
{
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (stop_signals[i] == sig)
			return true;
	return false;
}

/*
 * libmilter's signal thread calls this instead of sigwait (the link wraps
 * it: -Wl,--wrap=sigwait, libmilter being linked statically).  A stop
 * signal is passed to the caller as on_stop would, and libmilter goes on
 * waiting: it never stops itself, only through smfi_stop.  Outside
 * mamori_milter_run (no stop_pipe) sigwait is sigwait.
 */
int __real_sigwait(const sigset_t *set, int *sig);
int __wrap_sigwait(const sigset_t *set, int *sig);

int
__wrap_sigwait(const sigset_t *set, int *sig)
{
	int rc;

	while ((rc = __real_sigwait(set, sig)) == 0 && is_stop_signal(*sig) && stop_pipe[1] >= 0)
		on_stop(*sig);
	return rc;
}

struct listener {
	int rc;			/* smfi_main's */
};

static void *
listener_main(void *arg)
{
	struct listener *l = arg;

	l->rc = smfi_main();
	if (write(stop_pipe[1], "e", 1) < 0) {
		/* only EAGAIN is possible, and then a byte is waiting already */
	}
	return NULL;
}

/*
 * Connects to the milter's own socket and hangs up, which makes libmilter's
 * listener return from its poll of the socket (it accepts the connection,
 * whose session ends at once: the peer is gone).  Best effort.
 */
static void
wake_listener(const char *spec)
{
	const char *colon = strchr(spec, ':'), *at = strchr(spec, '@');
	union { struct sockaddr sa; struct sockaddr_un un; struct sockaddr_in in; struct sockaddr_in6 in6; } a;
	/* inet:PORT@ADDR — libmilter has checked the spec already */
	uint16_t port = colon ? htons((uint16_t)strtoul(colon + 1, NULL, 10)) : 0;
	socklen_t len = 0;
	int fd;

	memset(&a, 0, sizeof(a));
	if (colon == NULL)
		return;
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0) {
		a.un.sun_family = AF_UNIX;
		snprintf(a.un.sun_path, sizeof(a.un.sun_path), "%s", colon + 1);
		len = sizeof(a.un);
	} else if (at != NULL && strncmp(spec, "inet:", 5) == 0) {
		a.in.sin_family = AF_INET;
		a.in.sin_port = port;
		/* a wildcard listener is reached on loopback */
		if (inet_pton(AF_INET, at + 1, &a.in.sin_addr) != 1 || a.in.sin_addr.s_addr == htonl(INADDR_ANY))
			a.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(a.in);
	} else if (at != NULL && strncmp(spec, "inet6:", 6) == 0) {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = port;
		if (inet_pton(AF_INET6, at + 1, &a.in6.sin6_addr) != 1 || IN6_IS_ADDR_UNSPECIFIED(&a.in6.sin6_addr))
			a.in6.sin6_addr = in6addr_loopback;
		len = sizeof(a.in6);
	}
	if (len == 0 || (fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	(void)connect(fd, &a.sa, len);
	close(fd);
}

/*
 * Starts a thread whose signal mask is blocked from its first instruction,
 * without ever blocking the stop signals in the caller.  Blocking them here
 * around pthread_create left a window: a stop sent then stayed pending, and
 * when the listener got to start libmilter's signal thread first, that
 * thread's sigwait took it, and libmilter's own stop raced its listener into
 * a failure (1 start-up stop in 25 under ASan).  False when no thread.
 */
static bool
spawn_masked(pthread_t *tid, void *(*fn)(void *), void *arg, const sigset_t *blocked)
{
	pthread_attr_t attr;
	bool made;

	if (pthread_attr_init(&attr) != 0)
		return false;
	made = pthread_attr_setsigmask_np(&attr, blocked) == 0 &&
	    pthread_create(tid, &attr, fn, arg) == 0;
	(void)pthread_attr_destroy(&attr);
	return made;
}

static void *
stopper_main(void *arg)
{
	atomic_bool *done = arg;

	(void)smfi_stop();
	atomic_store(done, true);
	return NULL;
}

/*
 * Asks libmilter to stop, quickly.  smfi_stop closes the listening socket
 * under the listener's lock, which the listener holds for the whole of its
 * poll of that socket (5 seconds, or until a connection comes), so a stop
 * took up to 5 s.  Here smfi_stop waits for the lock in a thread of its own
 * while this one knocks on the socket every 20 ms: each knock ends a poll and
 * lets the lock go, and the stop gets it within a knock or two.
 */
static void
stop_listener(const char *sock, const sigset_t *blocked)
{
	atomic_bool done = false;
	pthread_t tid;

	if (!spawn_masked(&tid, stopper_main, &done, blocked)) {
		(void)smfi_stop();
		return;
	}
	for (int i = 0; i < 250 && !atomic_load(&done); i++) {
		wake_listener(sock);
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
	(void)pthread_join(tid, NULL);
}

/* Serves until a stop signal or the listener's end; true when it ended on
 * its own with a failure.  The stop signals' handlers are on_stop. */
static bool
serve_until_stopped(const char *sock)
{
	struct listener l = { .rc = MI_SUCCESS };
	sigset_t stops;
	pthread_t tid;
	char byte;
	int sig;

	/* libmilter's threads inherit the mask: they must never run on_stop */
	sigemptyset(&stops);
	for (int i = 0; i < 3; i++)
		sigaddset(&stops, stop_signals[i]);
	if (!spawn_masked(&tid, listener_main, &l, &stops))
		return true;
	while (read(stop_pipe[0], &byte, 1) != 1)
		;
	if ((sig = atomic_load(&stop_signal)) != 0) {
		log_line("mamori milter: %s: stopping\n", sig == SIGINT ? "SIGINT" :
		    sig == SIGHUP ? "SIGHUP" : "SIGTERM");
		stop_listener(sock, &stops);
	}
	(void)pthread_join(tid, NULL);
	return atomic_load(&stop_signal) == 0 && l.rc != MI_SUCCESS;
}

/* Installs on_stop for the stop signals (old receives what was there) and
 * opens stop_pipe; false when the pipe cannot be made. */
static bool
stop_handlers_install(struct sigaction old[3])
{
	struct sigaction sa = { .sa_handler = on_stop };

	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return false;
	/* the caller blocks in read; only the write end must never block */
	(void)fcntl(stop_pipe[0], F_SETFL, 0);
	atomic_store(&stop_signal, 0);
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		(void)sigaction(stop_signals[i], &sa, &old[i]);
	return true;
}

static void
stop_handlers_remove(const struct sigaction old[3])
{
	for (int i = 0; i < 3; i++)
		(void)sigaction(stop_signals[i], &old[i], NULL);
	for (int i = 0; i < 2; i++) {
		if (stop_pipe[i] >= 0)
			(void)close(stop_pipe[i]);
		stop_pipe[i] = -1;
	}
}

int
mamori_milter_run(const struct mamori_milter_opts *opts, struct mamori_error *err)
{
	static const char *const schemes[] = { "unix:", "local:", "inet:", "inet6:" };
	struct smfiDesc desc = {
		.xxfi_name = (char *)"mamori",
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY,
		.xxfi_connect = on_connect,
		.xxfi_envfrom = on_envfrom,
		.xxfi_envrcpt = on_envrcpt,
		.xxfi_header = on_header,
		.xxfi_eoh = on_eoh,
		.xxfi_body = on_body,
		.xxfi_eom = on_eom,
		.xxfi_abort = on_abort,
		.xxfi_close = on_close,
		.xxfi_data = on_data,
		.xxfi_negotiate = on_negotiate,
	};
	char *sock;
	bool known = false;
	int rc = 0, waited;
	struct sigaction old_actions[3];

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		known |= strncmp(opts->socket, schemes[i], strlen(schemes[i])) == 0;
	if (!known)
		return mamori_error_set(err, MAMORI_E_USAGE, "socket '%s': write unix:/path or "
		    "inet:PORT@127.0.0.1 (or inet6:PORT@ADDR)", opts->socket);
	if (opts->from_segment && mamori_policy_segment(opts->policy, opts->from_segment) == NULL)
		return mamori_error_set(err, MAMORI_E_USAGE, "--from-segment '%s' is not a segment of "
		    "policy %s", opts->from_segment, opts->policy->id);
	/* initialised once here, before libmilter's threads: GMime, libxml2 and
	 * libsodium are then safe to use from every session */
	if (sodium_init() < 0)
		return mamori_error_set(err, MAMORI_E_NOMEM, "libsodium failed to initialise");
	g_mime_init();
	xmlInitParser();
	run_opts = opts;
	if ((sock = strdup(opts->socket)) == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	/* before the socket exists: a stop sent as soon as it appears is served */
	if (!stop_handlers_install(old_actions)) {
		free(sock);
		return mamori_error_set(err, MAMORI_E_IO, "cannot make a pipe: %s", strerror(errno));
	}
	if (smfi_register(desc) != MI_SUCCESS || smfi_setconn(sock) != MI_SUCCESS) {
		rc = mamori_error_set(err, MAMORI_E_IO, "libmilter refused the filter or socket '%s'", sock);
		goto out;
	}
	errno = 0;
	if (smfi_opensocket(true) != MI_SUCCESS) {
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot listen on %s%s%s", sock,
		    errno ? ": " : "", errno ? strerror(errno) : " (in use, or the directory is missing?)");
		goto out;
	}
	log_line("mamori milter: listening on %s, policy %s, from-segment %s, quarantine %s, "
	    "limit %zu bytes, verdicts %s\n", sock, opts->policy->id,
	    opts->from_segment ? opts->from_segment : "(from {daemon_name})",
	    opts->quarantine_dir ? opts->quarantine_dir : "(none)", max_size(),
	    opts->store ? "recorded in the store's audit trail" : "in this log only (no --db)");
	mamori_service_notify("READY=1");
	bool failed = serve_until_stopped(sock);
	mamori_service_notify("STOPPING=1");
	if (failed)
		rc = mamori_error_set(err, MAMORI_E_IO, "the milter stopped on an error (see the log)");
	/* the listener is closed now, but sessions still run in their threads:
	 * let the messages in flight finish */
	for (waited = 0; atomic_load(&inflight) > 0 &&
	    waited < 10 * (opts->shutdown_seconds > 0 ? opts->shutdown_seconds : SHUTDOWN_DEFAULT); waited++)
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	log_line("mamori milter: stopped (%d message(s) still in flight)\n", atomic_load(&inflight));
	milter_summary("stopped");
	/* libmilter leaves its Unix socket behind; a stale one only misleads */
	if (strncmp(sock, "unix:", 5) == 0 || strncmp(sock, "local:", 6) == 0)
		(void)unlink(strchr(sock, ':') + 1);
out:
	stop_handlers_remove(old_actions);
	free(sock);
	return rc;
}
