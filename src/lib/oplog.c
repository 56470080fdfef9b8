/*
 * oplog.c — operational messages to the journal with structured fields, or
 * to stderr (and syslog when asked).  The audit trail stays the record of
 * changes; this is what an operator's log tools watch.
 */
#include "mamori/oplog.h"
#include "mamori/i18n.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef MAMORI_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#endif

static atomic_ullong oplog_seq = 1;

/* Whether stderr is the journal's stream ($JOURNAL_STREAM is "DEVICE:INODE" of it). */
static bool
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &sb) == 0 &&
	    (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

void
mamori_oplog(int priority, const char *event, const char *fmt, ...)
{
	unsigned long long seq = atomic_fetch_add(&oplog_seq, 1);
	const char *sl = getenv("MAMORI_SYSLOG");
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), _(fmt), ap);
	va_end(ap);
#ifdef MAMORI_HAVE_SYSTEMD
	if (stderr_is_journal()) {
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority, "SYSLOG_IDENTIFIER=mamori",
		    "MAMORI_EVENT=%s", event, "MAMORI_SEQ=%llu", seq, NULL);
		return;
	}
#else
	(void)stderr_is_journal;
#endif
	fprintf(stderr, "mamori: %s\n", msg);
	if (sl != NULL && strcmp(sl, "1") == 0)
		syslog(LOG_DAEMON | priority, "%s MAMORI_EVENT=%s MAMORI_SEQ=%llu", msg, event, seq);
}

unsigned long long
mamori_oplog_next_seq(void)
{
	return atomic_load(&oplog_seq);
}

void
mamori_service_notify(const char *state)
{
#ifdef MAMORI_HAVE_SYSTEMD
	(void)sd_notify(0, state);
#else
	(void)state;
#endif
}
