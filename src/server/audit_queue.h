/*
 * audit_queue.h — group commit of the server's audit events across request
 * threads (server-internal).  A thread files an entry (a function that appends
 * its events inside a transaction) and waits.  When no thread is writing, a
 * waiting one becomes the writer: it takes every entry filed so far, runs them
 * in one transaction of the store's write path under store_lock, and wakes the
 * others with the result.  Entries filed meanwhile go in the next group.  So a
 * burst of logged decisions or refused requests costs one fsync per group,
 * not one per request, and no answer leaves before its record is committed.
 */
#ifndef MAMORI_SERVER_AUDIT_QUEUE_H
#define MAMORI_SERVER_AUDIT_QUEUE_H

#include <stdbool.h>

#include "mamori/store.h"

struct server;

/* One waiting request's events; lives on the filing thread's stack. */
struct audit_entry {
	/* appends the events, each with its own actor (mamori_store_tx_actor) */
	int (*write)(struct mamori_store_tx *tx, void *arg);
	void *arg;
	int rc;
	bool done;
	struct audit_entry *next;
};

/* Makes srv->audit_queue when srv has a store.  Returns 0 or MAMORI_E_NOMEM. */
int audit_queue_open(struct server *srv);

/* Frees it; no thread may be waiting.  Accepts a server without one. */
void audit_queue_close(struct server *srv);

/*
 * Files e and returns once its group is committed (0) or has failed (a
 * MAMORI_E_* code: one failing entry fails its whole group, which is rolled
 * back).  Without a queue (no store) returns 0 at once.
 */
int audit_queue_write(struct server *srv, struct audit_entry *e);

#endif
