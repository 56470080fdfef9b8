/*
 * audit_syslog.c — signed tree heads sent to syslog as they are made, so that
 * a copy leaves the machine's store through the system's logger (journald,
 * rsyslog forwarding to a log host) where the server's account cannot take it
 * back (docs/audit.md, "Publishing heads outside the store").
 */
#include "mamori/audit.h"

#include <pthread.h>
#include <syslog.h>

/* openlog, syslog and closelog are each safe, their sequence is not: a head
 * signed by another thread meanwhile must not go out under another ident */
static pthread_mutex_t syslog_lock = PTHREAD_MUTEX_INITIALIZER;

void
mamori_head_syslog(const char *line, void *data)
{
	(void)data;
	pthread_mutex_lock(&syslog_lock);
	openlog(MAMORI_HEADS_SYSLOG_IDENT, LOG_PID, LOG_AUTH);
	syslog(LOG_NOTICE, "%s", line);
	closelog();
	pthread_mutex_unlock(&syslog_lock);
}
