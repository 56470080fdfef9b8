/*
 * mail_outbox.c — the records' notices out by mail (mamori/mail.h): each due
 * notice picked, written as a message in Japanese, handed to a transport
 * with the store released, and marked sent or put off.
 */
#include "mamori/mail.h"
#include "mamori/audit.h"
#include "mamori/i18n.h"
#include "mamori/record.h"
#include "mamori/tz.h"
#include "mamori/user.h"
#include "store_internal.h"
#include "store_ops_mail.h"
#include "record_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

enum {
	PARK_SECONDS = 86400,	/* a notice for an account without an address is looked at again after */
	PARKED_MAX = 1000,	/* notices without an address put off per pick, at most */
	ERROR_MAX = 480,	/* bytes of an error kept in the outbox */
	TEXT_MAX = 4096,
};

/* The notice's row: what it says and when it was made. */
struct notice_row {
	int64_t num;
	int attempts;
	char record[MAMORI_RECORD_ID_MAX], recipient[65], reason[40], created[40];
};

/* A notice picked for sending, with its message. */
struct picked {
	int64_t num;
	int attempts;
	char record[MAMORI_RECORD_ID_MAX];
	char recipient[65];
	char to[MAMORI_MAIL_ADDRESS_MAX + 1];
	char message_id[128];
	char *text;		/* the message as it goes to the relay */
	size_t len;
};

struct pick_ctx {
	const struct mamori_mail_settings *cfg;
	time_t now;
	struct picked *c;
	struct notice_row row;	/* the notice picked */
	bool found;
	size_t parked;
	struct mamori_error *err;
};

/* ---- the message ---- */

/* The event that made the notice (found in the record's history), and what it says. */
struct cause {
	const struct notice_row *n;
	bool after_notice;	/* record.escalate: the notice comes before its event */
	char time[40], by[80], state[80], role[80], account[80];
	bool found;
};

static void
copy_str(char *dst, size_t n, const cJSON *obj, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(obj, key));

	if (v != NULL)
		snprintf(dst, n, "%s", v);
}

/*
 * A notice is written in the transaction of its event, a microsecond after
 * it (record.create, record.move) or before it (record.escalate notifies,
 * then records): the event is the last of its action at or before the
 * notice, or the first at or after it.
 */
static int
find_cause(const struct mamori_event *ev, void *arg)
{
	struct cause *c = arg;
	cJSON *body, *after;
	int cmp = strcmp(ev->time, c->n->created);

	if (strcmp(ev->action, c->n->reason) != 0 || (c->after_notice ? cmp < 0 : cmp > 0))
		return 0;
	if (c->after_notice && c->found)
		return 1;	/* the first one after the notice is it */
	body = cJSON_Parse(ev->body);
	after = cJSON_GetObjectItem(body, "after");
	memset(c->by, 0, sizeof(c->by));
	memset(c->state, 0, sizeof(c->state));
	memset(c->role, 0, sizeof(c->role));
	memset(c->account, 0, sizeof(c->account));
	snprintf(c->time, sizeof(c->time), "%s", ev->time);
	copy_str(c->by, sizeof(c->by), after, "by");
	copy_str(c->state, sizeof(c->state), after, "state");
	copy_str(c->role, sizeof(c->role), after, "role");
	copy_str(c->account, sizeof(c->account), after, "account");
	c->found = true;
	cJSON_Delete(body);
	return 0;
}

/* Appends printf-formatted text to out (of TEXT_MAX bytes), cut when it is full. */
static void __attribute__((format(printf, 3, 4)))
add(char *out, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= TEXT_MAX - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *used, TEXT_MAX - *used, fmt, ap);
	va_end(ap);
	*used = n < 0 ? *used : *used + (size_t)n >= TEXT_MAX ? TEXT_MAX - 1 : *used + (size_t)n;
}

/*
 * The subject and body of notice n about record rec for user u, in Japanese
 * (the mail goes to the organisation's staff, whatever language the program
 * runs in).  The record's fields are left out on purpose: an incident's
 * details stay in mamori, behind its login, and the mail links to them.
 */
static void
compose(struct mamori_store *s, const struct mamori_mail_settings *cfg, const struct notice_row *n,
    const cJSON *rec, const struct mamori_user *u, char subject[TEXT_MAX], char body[TEXT_MAX])
{
	const struct mamori_policy *p = mamori_store_policy(s);
	const char *kind_id = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "kind"));
	const struct mamori_record_kind *k = kind_id ? mamori_record_kind_find(p, kind_id) : NULL;
	bool inactive = strcmp(n->reason, "record.account-inactive") == 0;
	struct cause c = { .n = n, .after_notice = inactive || strcmp(n->reason, "record.escalate") == 0 };
	struct mamori_error ignore;
	struct mamori_tz tz = { 0 };
	const struct mamori_record_state *st;
	const struct mamori_role *role;
	char when[64] = "";
	size_t sl = 0, bl = 0;

	(void)mamori_audit_events_of(s, "record", n->record, find_cause, &c, &ignore);
	if (c.state[0] == '\0')		/* an escalation, or no event found: the record's state now */
		snprintf(c.state, sizeof(c.state), "%s", cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state")));
	if (c.by[0] == '\0' && !c.after_notice)
		snprintf(c.by, sizeof(c.by), "%s", cJSON_GetStringValue(cJSON_GetObjectItem(rec, "last_by")));
	st = k ? record_state_find(k, c.state) : NULL;
	role = c.role[0] ? mamori_policy_find_role(p, c.role) : NULL;
	(void)mamori_tz_load(&tz, mamori_policy_timezone(p), NULL);
	mamori_tz_format(&tz, c.found ? c.time : n->created, when, sizeof(when));
	mamori_tz_free(&tz);

	add(subject, &sl, "【mamori】%s %s %s%s", k ? k->title : kind_id, n->record, st ? st->title : c.state,
	    inactive ? "（責任者等の不在）" : c.after_notice ? "（期限超過）" : "");
	add(body, &bl, "%s 様\n\nmamori（情報セキュリティポリシーの運用）からのお知らせです。\n\n", u->name);
	add(body, &bl, "種類: %s\n記録: %s\n状態: %s\n", k ? k->title : kind_id, n->record, st ? st->title : c.state);
	if (strcmp(n->reason, "record.create") == 0)
		add(body, &bl, "理由: 新しく報告・申請されました。\n報告・申請した人: %s\n", c.by);
	else if (strcmp(n->reason, "record.move") == 0)
		add(body, &bl, "理由: 状態が変わりました。\n操作した人: %s\n", strcmp(c.by, "mamori") == 0 ?
		    "mamori（期日による自動の手続）" : c.by);
	else if (inactive)
		add(body, &bl, "理由: この記録が定める利用者（%s）のアカウントが無効になりました。後任を定めてください。\n"
		    "操作した人: mamori（利用者の確認）\n", c.account[0] ? c.account : "-");
	else if (strcmp(n->reason, "training.overdue") == 0)
		add(body, &bl, "理由: 受講期限を過ぎた研修があります。受講してください。\n");
	else if (c.after_notice)
		add(body, &bl, "理由: 期限までに対応されなかったため、%sに通知しています（エスカレーション）。\n"
		    "操作した人: mamori（期限の監視）\n", role ? role->title : "上位の役割");
	else
		add(body, &bl, "理由: %s\n", n->reason);
	add(body, &bl, "日時: %s\n", when);
	if (cfg->url[0] != '\0')
		add(body, &bl, "確認: %s%s#/records/%s/%s\n", cfg->url, cfg->url[strlen(cfg->url) - 1] == '/' ? "" : "/",
		    kind_id, n->record);
	add(body, &bl, "\n記録の内容はメールには載せていません。mamori にログインして確認してください。\n"
	    "\n-- \nこのメールは mamori が自動で送信しています。返信しても届きません。\n");
}

/* ---- picking ---- */

struct due_ctx {
	struct notice_row *n;
	bool found;
};

/* The notice the backend lends, copied into the ctx's row. */
static int
copy_due(const struct store_mail_notice *d, void *arg)
{
	struct due_ctx *c = arg;
	struct notice_row *n = c->n;

	memset(n, 0, sizeof(*n));
	n->num = d->num;
	snprintf(n->record, sizeof(n->record), "%s", d->record);
	snprintf(n->recipient, sizeof(n->recipient), "%s", d->recipient);
	snprintf(n->reason, sizeof(n->reason), "%s", d->reason);
	snprintf(n->created, sizeof(n->created), "%s", d->created);
	n->attempts = d->attempts;
	c->found = true;
	return 0;
}

static int
read_due(struct mamori_store *s, time_t now, struct notice_row *n, bool *found, struct mamori_error *err)
{
	struct due_ctx c = { .n = n };
	int rc = s->backend->mail->due(s, now, copy_due, &c, err);

	*found = rc == 0 && c.found;
	return rc;
}

/*
 * Puts notice n off until next with error, as action (notice.failed: an
 * attempt counted; notice.waiting: none made) with its event: the store has
 * no change without one, and a notice that did not reach its recipient is a
 * fact an audit of the incident asks about.
 */
static int
put_off(struct mamori_store_tx *tx, const struct notice_row *n, const char *action, time_t next, const char *error,
    struct mamori_error *err)
{
	bool attempt = strcmp(action, "notice.failed") == 0;
	char when[32];
	cJSON *after;
	int rc;

	if ((rc = tx->store->backend->mail->put_off(tx->store, n->num, next, error, attempt, err)) != 0)
		return rc;
	after = cJSON_CreateObject();
	cJSON_AddNumberToObject(after, "notice", (double)n->num);
	cJSON_AddStringToObject(after, "recipient", n->recipient);
	if (attempt)
		cJSON_AddNumberToObject(after, "attempt", n->attempts + 1);
	cJSON_AddStringToObject(after, "error", error);
	cJSON_AddStringToObject(after, "next_attempt", record_utc(next, when));
	rc = mamori_store_tx_event(tx, action, "notice", n->record, NULL, after);
	cJSON_Delete(after);
	return rc;
}

/* Message-ID: mamori.NUM.RANDOM@the sender's domain. */
static void
message_id(const struct mamori_mail_settings *cfg, int64_t num, char out[128])
{
	unsigned char rnd[8];
	char hex[17];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(out, 128, "mamori.%lld.%s@%.80s", (long long)num, hex, strrchr(cfg->from, '@') + 1);
}

/* The message of notice n to u, into c. */
static int
build(struct mamori_store *s, const struct pick_ctx *x, const struct notice_row *n, const struct mamori_user *u,
    struct mamori_error *err)
{
	struct picked *c = x->c;
	char *subject = calloc(1, TEXT_MAX), *body = calloc(1, TEXT_MAX);
	struct mamori_tz tz = { 0 };
	cJSON *rec = NULL;
	int rc = 0;

	if (subject == NULL || body == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = record_read(s, n->record, &rec, err)) != 0)
		goto out;
	compose(s, x->cfg, n, rec, u, subject, body);
	c->num = n->num;
	c->attempts = n->attempts;
	snprintf(c->record, sizeof(c->record), "%s", n->record);
	snprintf(c->recipient, sizeof(c->recipient), "%s", n->recipient);
	snprintf(c->to, sizeof(c->to), "%s", u->email);
	message_id(x->cfg, n->num, c->message_id);
	(void)mamori_tz_load(&tz, mamori_policy_timezone(mamori_store_policy(s)), NULL);
	struct mamori_mail_message m = { .from = x->cfg->from, .from_name = "mamori", .to = u->email,
		.subject = subject, .body = body, .date = x->now, .utc_offset = mamori_tz_offset(&tz, x->now, NULL),
		.message_id = c->message_id };
	mamori_tz_free(&tz);
	if ((c->text = mamori_mail_format(&m, &c->len)) == NULL)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
out:
	cJSON_Delete(rec);
	free(subject);
	free(body);
	return rc;
}

/*
 * Inside one transaction: the next due notice whose account has an address,
 * with its message; those before it without one are put off a day, their
 * error saying why.  Nothing else is written: one sender runs at a time
 * (mamori_mail_send_due holds a lock), and a notice is marked only once it
 * has been tried.
 */
static int
pick_tx(struct mamori_store_tx *tx, void *arg)
{
	struct pick_ctx *x = arg;
	struct mamori_store *s = tx->store;
	struct notice_row n;
	int rc = 0;

	while (rc == 0 && x->parked < PARKED_MAX) {
		struct mamori_user u;
		struct mamori_error uerr = { 0 };
		bool found;
		if ((rc = read_due(s, x->now, &n, &found, x->err)) != 0 || !found)
			break;
		if (mamori_user_get(s, n.recipient, &u, &uerr) != 0 || u.disabled || u.email[0] == '\0') {
			const char *why = uerr.message[0] ? "no such account" : u.disabled ? "the account is disabled" :
			    "the account has no mail address (mamori user email NAME ADDRESS)";
			rc = put_off(tx, &n, "notice.waiting", x->now + PARK_SECONDS, why, x->err);
			x->parked++;
			continue;
		}
		if ((rc = build(s, x, &n, &u, x->err)) == 0) {
			x->row = n;
			x->found = true;
		}
		break;
	}
	return rc;
}

/* ---- marking ---- */

struct mark_ctx {
	const struct picked *c;
	const struct notice_row *n;
	time_t now;
	bool sent;
	const char *why;
	struct mamori_error *err;
};

static int
mark_tx(struct mamori_store_tx *tx, void *arg)
{
	struct mark_ctx *m = arg;
	struct mamori_store *s = tx->store;
	char when[32];
	cJSON *after;
	int rc;

	if (!m->sent)
		return put_off(tx, m->n, "notice.failed", m->now + mamori_mail_backoff(m->n->attempts + 1), m->why, m->err);
	if ((rc = s->backend->mail->sent(s, m->c->num, record_utc(m->now, when), m->err)) != 0)
		return rc;
	/* the proof that the person was told, with the Message-ID the relay's log knows */
	after = cJSON_CreateObject();
	cJSON_AddNumberToObject(after, "notice", (double)m->c->num);
	cJSON_AddStringToObject(after, "recipient", m->c->recipient);
	cJSON_AddStringToObject(after, "to", m->c->to);
	cJSON_AddStringToObject(after, "message_id", m->c->message_id);
	cJSON_AddNumberToObject(after, "attempt", m->c->attempts + 1);
	rc = mamori_store_tx_event(tx, "notice.sent", "notice", m->c->record, NULL, after);
	cJSON_Delete(after);
	return rc;
}

/* ---- the run ---- */

static void
lock(const struct mamori_mail_opts *o)
{
	if (o->lock != NULL)
		pthread_mutex_lock(o->lock);
}

static void
unlock(const struct mamori_mail_opts *o)
{
	if (o->lock != NULL)
		pthread_mutex_unlock(o->lock);
}

/* One notice: picked, sent, marked.  *more false when none is due. */
static int
send_one(struct mamori_store *s, const struct mamori_mail_transport *t, const struct mamori_mail_opts *o,
    const struct mamori_mail_settings *cfg, struct mamori_mail_run *out, bool *more, struct mamori_error *err)
{
	struct picked c = { 0 };
	struct pick_ctx x = { .cfg = cfg, .now = o->now, .c = &c, .err = err };
	char why[ERROR_MAX + 1] = "";
	struct mark_ctx m = { .c = &c, .n = &x.row, .now = o->now, .why = why, .err = err };
	int rc;

	lock(o);
	rc = mamori_store_write(s, o->actor, pick_tx, &x, err);
	unlock(o);
	out->waiting += x.parked;
	*more = rc == 0 && x.found;
	if (!*more)
		goto out;
	/* the store is free while the relay takes its time */
	int sent = t->send(t->ctx, cfg, c.to, c.text, c.len, o->stop, o->stop_arg, why, sizeof(why));
	m.sent = sent == 0;
	if (sent < 0)
		*more = false;	/* the relay is not there: the next would wait as long */
	if (!m.sent && why[0] == '\0')
		snprintf(why, sizeof(why), "the relay did not accept the message");
	lock(o);
	rc = mamori_store_write(s, o->actor, mark_tx, &m, err);
	unlock(o);
	if (rc == 0 && m.sent)
		out->sent++;
	else if (rc == 0)
		out->failed++;
out:
	free(c.text);
	return rc;
}

/*
 * One sender at a time (a server and cron's tick, or two ticks): an
 * exclusive lock on PATH.mail-lock beside the store, held for the run and let
 * go by the kernel when a sender dies.  *fd -1 when another holds it.
 */
static int
sender_lock(struct mamori_store *s, int *fd, struct mamori_error *err)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s.mail-lock", mamori_store_path(s));
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot open %s: %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(*fd);
		*fd = -1;
		if (e != EWOULDBLOCK)
			return mamori_error_set(err, MAMORI_E_IO, "cannot lock %s: %s", path, strerror(e));
	}
	return 0;
}

int
mamori_mail_send_due(struct mamori_store *s, const struct mamori_mail_transport *transport,
    const struct mamori_mail_opts *opts, struct mamori_mail_run *out, struct mamori_error *err)
{
	struct mamori_mail_settings cfg;
	size_t limit = opts->limit ? opts->limit : 100;
	bool more = true;
	int rc, fd = -1;

	memset(out, 0, sizeof(*out));
	lock(opts);
	rc = mamori_mail_settings_load(s, &cfg, err);
	unlock(opts);
	if (rc != 0)
		return rc;
	if (cfg.relay[0] == '\0' || cfg.from[0] == '\0')
		return mamori_error_set(err, MAMORI_E_INVALID, "mail is not set up: %s is not set (mamori record mail "
		    "--relay smtp://HOST:PORT --from ADDRESS)", cfg.relay[0] == '\0' ? "mail.relay" : "mail.from");
	/* set through mamori_mail_setting_set, but the config table is a file others may edit */
	if (mamori_mail_address_check(cfg.from) != NULL)
		return mamori_error_set(err, MAMORI_E_INVALID, "mail.from: %s", _(mamori_mail_address_check(cfg.from)));
	if ((rc = sender_lock(s, &fd, err)) != 0 || fd < 0)
		return rc;	/* another sender is at it: nothing to do here */
	for (size_t i = 0; rc == 0 && more && i < limit; i++) {
		if (opts->stop != NULL && opts->stop(opts->stop_arg))
			break;
		rc = send_one(s, transport, opts, &cfg, out, &more, err);
	}
	close(fd);	/* and the lock with it */
	return rc;
}
