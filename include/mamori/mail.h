/*
 * mamori/mail.h — the records' notices (the outbox, mamori/record.h) sent by
 * mail: the settings (a relay, the sender, the web UI's address), the check
 * of an account's address, the message in Japanese (RFC 5322 with RFC 2047
 * headers, UTF-8 body in base64), and the run that sends every notice that is
 * due through a transport — SMTP with libcurl (mail_smtp.c, linked only into
 * mamori-full: libcurl brings OpenSSL and some twenty more libraries) or a
 * test's.  A notice is marked sent only once the relay accepted it; one that
 * failed is tried again later (1, 5, 15, 60 minutes, then every hour) and
 * never dropped.  At least once: a crash between the relay's answer and the
 * mark sends it again.  Every change of the outbox has its audit event.  docs/records.md, "Notices by mail".
 */
#ifndef MAMORI_MAIL_H
#define MAMORI_MAIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "mamori/error.h"
#include "mamori/store.h"

/* The longest address (RFC 5321: 254 octets of a path without its brackets). */
#define MAMORI_MAIL_ADDRESS_MAX 254

/*
 * NULL when addr is an address mamori sends to — local@domain, the local
 * part a dot-atom of RFC 5322 (at most 64 octets), the domain one or more
 * labels of letters, digits and '-' separated by dots, in ASCII, at most
 * MAMORI_MAIL_ADDRESS_MAX octets —, else why not (a msgid to translate).
 * Quoted local parts, address literals and non-ASCII addresses (SMTPUTF8)
 * are refused: no relay of a local government needs them, and a checked
 * address can go into a header and an SMTP command as it is.
 */
const char *mamori_mail_address_check(const char *addr);

/* The settings of mail (docs/records.md).  "" for one that is not set. */
struct mamori_mail_settings {
	char relay[512];	/* smtp://host[:port] or smtps://host[:port]; "": mail is off */
	char from[MAMORI_MAIL_ADDRESS_MAX + 1];	/* the sender's address */
	char url[512];		/* the web UI (https://mamori.example.lg.jp/): a link in each mail */
};

/* The settings' names, as `mamori record mail` and the store's config know them. */
enum mamori_mail_setting { MAMORI_MAIL_RELAY, MAMORI_MAIL_FROM, MAMORI_MAIL_URL, MAMORI_MAIL_NSETTINGS };

/* The config key of a setting ("mail.relay"). */
const char *mamori_mail_setting_key(enum mamori_mail_setting which);

/*
 * Reads the settings into out: today from the store's config table
 * (mail.relay, mail.from, mail.url); the one place they are read, so that a
 * configuration file can take them over.  Returns 0 or MAMORI_E_STORE.
 */
int mamori_mail_settings_load(struct mamori_store *s, struct mamori_mail_settings *out, struct mamori_error *err);

/*
 * Checks value for the setting and stores it with mamori_store_config_set
 * (an audited config.set event), as actor; "" clears it.  A relay is
 * smtp:// or smtps:// with a host and an optional port, and no user or
 * password (they would be in the audit trail: the relay must accept mail
 * from this host); from is an address (mamori_mail_address_check); url is
 * http:// or https://.  MAMORI_E_INVALID with the reason otherwise.
 */
int mamori_mail_setting_set(struct mamori_store *s, const char *actor, enum mamori_mail_setting which,
    const char *value, struct mamori_error *err);

/* One message to build: every text UTF-8, addresses checked. */
struct mamori_mail_message {
	const char *from, *from_name;	/* from_name: a display name, or NULL */
	const char *to;
	const char *subject;
	const char *body;		/* lines separated by '\n' */
	time_t date;
	long utc_offset;		/* of the Date header, in seconds (Tokyo: 32400) */
	const char *message_id;		/* without the angle brackets */
};

/*
 * The message as it goes to the relay: RFC 5322 with CRLF line ends, no line
 * longer than 78 characters; Subject and a display name that are not ASCII as
 * RFC 2047 encoded words (UTF-8, base64, split between characters); the body
 * UTF-8 in base64 (MIME 1.0, text/plain).  Returns a malloc'd text (caller
 * frees) and its length in *len, or NULL when memory runs out.
 */
char *mamori_mail_format(const struct mamori_mail_message *m, size_t *len);

/*
 * The seconds a notice waits after its attempts-th failed attempt (1, 2 …):
 * 60, 300, 900, 3600, then 3600 each time.
 */
long mamori_mail_backoff(int attempts);

/*
 * How a message reaches the relay.  send: the message (len bytes) from
 * settings->from to the address to, through settings->relay; returns 0 once
 * the relay has accepted it, 1 when the relay refused it (why: its answer),
 * -1 when the relay could not be reached or the conversation broke off (why:
 * the error; the run then ends: the next message would wait as long).
 * stop (may be NULL) is asked now and then while the relay takes its time:
 * true gives the message up (-1).  ctx is the transport's own.
 */
struct mamori_mail_transport {
	int (*send)(void *ctx, const struct mamori_mail_settings *settings, const char *to, const char *msg,
	    size_t len, bool (*stop)(void *arg), void *stop_arg, char *why, size_t whylen);
	void *ctx;
};

/* How a run sends. */
struct mamori_mail_opts {
	const char *actor;	/* of the audit events (notice.sent) */
	time_t now;
	size_t limit;		/* messages at most in this run; 0: 100 */
	/* held around each use of the store, released while a message is under
	 * way (the server shares its connection between threads); NULL: none */
	pthread_mutex_t *lock;
	/* asked before each message and while one is under way: true ends the
	 * run (a server stopping) */
	bool (*stop)(void *arg);
	void *stop_arg;
};

/* What a run did. */
struct mamori_mail_run {
	size_t sent;		/* accepted by the relay and marked */
	size_t failed;		/* refused or not reached: tried again later */
	size_t waiting;		/* for an account without an address (or disabled) */
};

/*
 * Sends the notices that are due (not sent, next attempt not after now),
 * oldest first, each to its recipient's address, through transport, with
 * the settings of the store.  One sender at a time: the run holds an
 * exclusive lock on PATH.mail-lock beside the store, and does nothing when
 * another sender holds it.  Each notice is picked and its message written,
 * sent with the store released, then marked: sent (with a notice.sent
 * event: the proof that the person was told), or its attempts counted, its
 * error kept and its next attempt put off (mamori_mail_backoff), with a
 * notice.failed event.  A relay that cannot be reached ends the run after
 * that notice (so that a relay down costs one timeout per run).  A notice
 * for an account without an address, or a disabled one, is not sent and no
 * attempt is counted: its error says why and it waits a day (notice.waiting),
 * or until the account's address is set (mamori_user_set_email makes its
 * notices due at once).  MAMORI_E_INVALID when mail.relay or mail.from is
 * not set; a failed message is not an error of the run.
 */
int mamori_mail_send_due(struct mamori_store *s, const struct mamori_mail_transport *transport,
    const struct mamori_mail_opts *opts, struct mamori_mail_run *out, struct mamori_error *err);

/*
 * SMTP through libcurl (mail_smtp.c, in the mamori_mail library that only
 * mamori-full and the tests link): plain SMTP for smtp://, TLS with the
 * system's certificates for smtps://; 10 seconds to connect and 60 for the
 * whole message, so that a slow relay delays the run, not the server.
 */
extern const struct mamori_mail_transport mamori_mail_smtp;

#endif
