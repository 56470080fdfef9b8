/*
 * audit_queue.c — the server's group commit of audit events (audit_queue.h):
 * one writer thread, one transaction per group of jobs.
 */
#include "audit_queue.h"
#include "server.h"

#include <stdio.h>
#include <stdlib.h>

struct audit_queue {
	pthread_mutex_t lock;
	pthread_cond_t filed;		/* the writer: there is work, or stop */
	pthread_cond_t written;		/* waiters: a group is done; posters: there is room */
	struct audit_job *head, **tail;	/* filed, not yet taken by the writer */
	size_t posted;			/* posted jobs filed or being written */
	bool stopping;
	pthread_t thread;
};

struct group {
	struct audit_job *jobs;
	struct audit_job *only;		/* when retrying one job alone */
};

static int
group_tx(struct mamori_store_tx *tx, void *arg)
{
	struct group *g = arg;
	int rc = 0;

	if (g->only != NULL)
		return g->only->write(tx, g->only->arg);
	for (struct audit_job *j = g->jobs; j != NULL && rc == 0; j = j->next)
		rc = j->write(tx, j->arg);
	return rc;
}

/* Writes the group in one transaction.  When that fails, each job is retried
 * in its own, so that one bad job does not take the others' events with it. */
static void
write_group(struct server *srv, struct audit_job *jobs)
{
	struct group g = { jobs, NULL };
	struct mamori_error err = { 0 };
	int rc;

	pthread_mutex_lock(&srv->store_lock);
	/* the actor given here is replaced by each job's own (mamori_store_tx_set_actor) */
	rc = mamori_store_write(srv->store, "mamori-serve", group_tx, &g, &err);
	if (rc == 0) {
		for (struct audit_job *j = jobs; j != NULL; j = j->next)
			j->rc = 0;
	} else if (jobs != NULL && jobs->next == NULL) {
		jobs->rc = rc;
		fprintf(stderr, "mamori: serve: cannot write to the audit trail: %s\n", err.message);
	} else {
		for (struct audit_job *j = jobs; j != NULL; j = j->next) {
			g.only = j;
			j->rc = mamori_store_write(srv->store, "mamori-serve", group_tx, &g, &err);
			if (j->rc != 0)
				fprintf(stderr, "mamori: serve: cannot write to the audit trail: %s\n", err.message);
		}
	}
	pthread_mutex_unlock(&srv->store_lock);
}

static void *
writer(void *arg)
{
	struct server *srv = arg;
	struct audit_queue *q = srv->audit_queue;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->head == NULL && !q->stopping)
			pthread_cond_wait(&q->filed, &q->lock);
		if (q->head == NULL)
			break;	/* stopping, and nothing left */
		struct audit_job *jobs = q->head;
		q->head = NULL;
		q->tail = &q->head;
		pthread_mutex_unlock(&q->lock);
		write_group(srv, jobs);
		pthread_mutex_lock(&q->lock);
		for (struct audit_job *j = jobs, *next; j != NULL; j = next) {
			next = j->next;	/* a waiting job may be gone once done is set and the lock released */
			if (j->waits) {
				j->done = true;
			} else {
				q->posted--;
				j->release(j->arg);
			}
		}
		pthread_cond_broadcast(&q->written);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int
audit_queue_open(struct server *srv)
{
	struct audit_queue *q;

	if (srv->store == NULL || srv->audit_queue != NULL)
		return 0;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return MAMORI_E_NOMEM;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->filed, NULL);
	pthread_cond_init(&q->written, NULL);
	q->tail = &q->head;
	srv->audit_queue = q;
	if (pthread_create(&q->thread, NULL, writer, srv) != 0) {
		srv->audit_queue = NULL;
		pthread_cond_destroy(&q->written);
		pthread_cond_destroy(&q->filed);
		pthread_mutex_destroy(&q->lock);
		free(q);
		return MAMORI_E_NOMEM;
	}
	return 0;
}

void
audit_queue_close(struct server *srv)
{
	struct audit_queue *q = srv->audit_queue;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_signal(&q->filed);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);	/* it writes what is left first */
	pthread_cond_destroy(&q->written);
	pthread_cond_destroy(&q->filed);
	pthread_mutex_destroy(&q->lock);
	free(q);
	srv->audit_queue = NULL;
}

/* Appends job; the caller holds the lock. */
static void
file_job(struct audit_queue *q, struct audit_job *job)
{
	job->next = NULL;
	job->done = false;
	*q->tail = job;
	q->tail = &job->next;
	pthread_cond_signal(&q->filed);
}

int
audit_queue_wait(struct server *srv, struct audit_job *job)
{
	struct audit_queue *q = srv->audit_queue;

	job->waits = true;
	pthread_mutex_lock(&q->lock);
	file_job(q, job);
	while (!job->done)
		pthread_cond_wait(&q->written, &q->lock);
	pthread_mutex_unlock(&q->lock);
	return job->rc;
}

void
audit_queue_post(struct server *srv, struct audit_job *job)
{
	struct audit_queue *q = srv->audit_queue;

	job->waits = false;
	pthread_mutex_lock(&q->lock);
	while (q->posted >= AUDIT_QUEUE_MAX && !q->stopping)
		pthread_cond_wait(&q->written, &q->lock);
	q->posted++;
	file_job(q, job);
	pthread_mutex_unlock(&q->lock);
}
