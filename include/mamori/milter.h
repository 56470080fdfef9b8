/*
 * mamori/milter.h — 無害化 at the mail gateway: a milter (libmilter) that
 * decides per recipient, from the policy's segments (`mail_domains`) and mail
 * flows, whether a message crossing the LGWAN / internet boundary must be
 * text-ified, and then rewrites it in the MTA with the mail sanitizer
 * (mamori/sanitize.h).  (docs/sanitize.md, "mamori milter")
 */
#ifndef MAMORI_MILTER_H
#define MAMORI_MILTER_H

#include <stddef.h>
#include <stdio.h>

#include "mamori/error.h"
#include "mamori/policy.h"

enum mamori_mail_action {
	MAMORI_MAIL_PASS,	/* no boundary crossed, or the flow needs no 無害化: untouched */
	MAMORI_MAIL_SANITIZE,	/* the message is text-ified before it goes on */
	MAMORI_MAIL_REJECT,	/* the policy does not allow this recipient (550 5.7.1) */
};

/* What the policy says about one recipient. */
struct mamori_mail_route {
	enum mamori_mail_action action;
	const char *from, *to;		/* segment ids (the policy's); NULL when unknown */
	const struct mamori_flow *flow;	/* the flow the answer rests on, or NULL */
	char reason[400];		/* why, in one line: the SMTP reply text of a refusal */
};

/*
 * Routes one envelope recipient (rcpt: "user@domain" or "<user@domain>") of a
 * message that enters from segment from (a segment id; NULL when the sending
 * side is not known).  The recipient's segment is the policy's
 * mamori_policy_mail_segment() of its domain.  The rules, in order:
 *   no segment for the domain             → REJECT
 *   sending side unknown                  → SANITIZE (fail closed)
 *   same segment                          → PASS
 *   no mail flow from → to                → REJECT (default deny)
 *   flow sanitization none                → PASS
 *   mail-text, file-disarm                → SANITIZE (text-ification removes every file)
 *   screen-only (or anything else)        → REJECT (a mail cannot be screen-transferred)
 * Fills *out (the pointers point into p) and returns its action.
 */
enum mamori_mail_action mamori_milter_route(const struct mamori_policy *p, const char *from,
    const char *rcpt, struct mamori_mail_route *out);

struct mamori_store;

struct mamori_milter_opts {
	const char *socket;		/* libmilter's: unix:/path, inet:PORT@ADDR, inet6:PORT@ADDR */
	const struct mamori_policy *policy;
	const char *from_segment;	/* the sending side when the MTA's {daemon_name} names none; may be NULL */
	const char *quarantine_dir;	/* NULL: originals are not kept */
	size_t max_size;		/* bytes of one message (headers + body); 0 = 50 MiB */
	int shutdown_seconds;		/* how long SIGTERM waits for messages in flight; 0 = 30 */
	FILE *log;			/* one line per message; NULL = stderr */
	struct mamori_store *store;	/* where each verdict is recorded; NULL: nowhere (the log only) */
};

/*
 * Opens the socket and serves the MTA until SIGTERM, SIGHUP or SIGINT, then
 * stops accepting connections, waits up to shutdown_seconds for messages in
 * flight and returns 0.  Call it from the main thread, which must not block
 * those signals: it installs its own handlers for them for the call, before
 * the socket exists (a stop sent as soon as the socket appears is served, not
 * fatal).  With a store, every verdict on mail that crosses segments — a
 * recipient refused (`mail.reject`), a message sanitized or refused
 * (`mail.sanitize`) — is an event in its audit trail before the MTA hears
 * it, and a verdict that cannot be recorded is a temporary failure instead;
 * the store must be opened for use from several threads (mamori_store_open)
 * and be used by nothing else during the call.  libmilter keeps its state in the process, so only one milter runs
 * per process and opts (and the policy) must outlive the call.  Returns 0, or
 * MAMORI_E_USAGE (a socket or segment that is not one), MAMORI_E_IO (the
 * socket cannot be opened, or the listener failed), MAMORI_E_NOMEM, with err
 * saying why.
 */
int mamori_milter_run(const struct mamori_milter_opts *opts, struct mamori_error *err);

#endif
