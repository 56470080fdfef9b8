/* mamori/oplog.h — operational messages for the system log (journald or syslog). */
#ifndef MAMORI_OPLOG_H
#define MAMORI_OPLOG_H

#include <syslog.h>

/*
 * One operational message — a start, a stop, the configuration read, a
 * refused login, a store error, a milter verdict in summary: not a change of
 * the store (those are the audit trail's).  priority is syslog's (LOG_ERR,
 * LOG_WARNING, LOG_NOTICE, LOG_INFO); event a short dotted name
 * ("serve.start"), sent as the field MAMORI_EVENT=, with MAMORI_SEQ= the
 * message's number in this process (1, 2, 3 …: a gap is a lost message).
 * Under systemd (when the journal is stderr, $JOURNAL_STREAM) the message
 * goes to the journal with those fields and its priority; otherwise it is
 * printed on stderr as "mamori: MESSAGE", and also sent to syslog when
 * $MAMORI_SYSLOG is 1.  The format is a msgid (translated).  Thread-safe.
 */
void mamori_oplog(int priority, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Tells systemd what the service is doing — "READY=1", "RELOADING=1",
 * "STOPPING=1" — when a unit of Type=notify started it ($NOTIFY_SOCKET);
 * nothing otherwise, nor in a build without libsystemd.  Thread-safe.
 */
void mamori_service_notify(const char *state);

/* The number the next message will carry (for tests). */
unsigned long long mamori_oplog_next_seq(void);

#endif
