/*
 * audit_queue.h — group commit of the server's audit events.  (server-internal)
 * Request threads file jobs; one writer thread takes every job filed so far and
 * writes them in one transaction under store_lock, so a burst of N events costs
 * one commit (one fsync), not N.  A job either waits for its commit (decisions:
 * no answer before its record) or is posted and left (denials: the refusal goes
 * out at once; docs/auth.md).  Posted jobs are bounded: past AUDIT_QUEUE_MAX
 * the poster waits for room, so a flood slows down instead of growing memory.
 */
#ifndef MAMORI_AUDIT_QUEUE_H
#define MAMORI_AUDIT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct server;
struct mamori_store_tx;

enum { AUDIT_QUEUE_MAX = 4096 };	/* posted jobs not yet written */

/* One unit of the group's transaction: write(tx, arg) appends its events (it
 * sets the transaction's actor itself: one transaction, many actors). */
struct audit_job {
	int (*write)(struct mamori_store_tx *tx, void *arg);
	void *arg;
	void (*release)(void *arg);	/* posted jobs: frees arg (and the job) once written */
	/* the queue's: */
	bool waits, done;
	int rc;
	struct audit_job *next;
};

/* Starts the writer thread when srv has a store (else does nothing).  Returns 0
 * or MAMORI_E_NOMEM. */
int audit_queue_open(struct server *srv);

/* Writes what is still queued, stops the writer, frees the queue.  Idempotent. */
void audit_queue_close(struct server *srv);

/* Files job (on the caller's stack) and returns once it is committed (0) or its
 * transaction failed (a MAMORI_E_* code; the reason went to stderr). */
int audit_queue_wait(struct server *srv, struct audit_job *job);

/* Files job (on the heap; the queue owns it from now on and calls its release
 * after writing) and returns without waiting, unless the queue is full. */
void audit_queue_post(struct server *srv, struct audit_job *job);

#endif
