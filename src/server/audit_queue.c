/* audit_queue.c — group commit of the server's audit events (see audit_queue.h). */
#include "audit_queue.h"
#include "server.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

struct audit_queue {
	pthread_mutex_t lock;
	pthread_cond_t done;
	struct audit_entry *head, **tail;	/* filed, not yet taken by a writer */
	bool writing;
};

int
audit_queue_open(struct server *srv)
{
	struct audit_queue *q;

	if (srv->store == NULL)
		return 0;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return MAMORI_E_NOMEM;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->done, NULL);
	q->tail = &q->head;
	srv->audit_queue = q;
	return 0;
}

void
audit_queue_close(struct server *srv)
{
	struct audit_queue *q = srv->audit_queue;

	if (q == NULL)
		return;
	pthread_cond_destroy(&q->done);
	pthread_mutex_destroy(&q->lock);
	free(q);
	srv->audit_queue = NULL;
}

static int
group_tx(struct mamori_store_tx *tx, void *arg)
{
	int rc = 0;

	for (struct audit_entry *e = arg; e != NULL && rc == 0; e = e->next)
		rc = e->write(tx, e->arg);
	return rc;
}

/* Writes one group in one transaction. */
static int
write_group(struct server *srv, struct audit_entry *group)
{
	struct mamori_error err = { 0 };
	/* the writer serves a request in its language, but the log speaks the server's (lang.h) */
	locale_t previous = uselocale(LC_GLOBAL_LOCALE);
	int rc;

	pthread_mutex_lock(&srv->store_lock);
	/* every entry names its own actors; this one is only the transaction's */
	rc = mamori_store_write(srv->store, "web:server", group_tx, group, &err);
	pthread_mutex_unlock(&srv->store_lock);
	if (rc != 0)
		fprintf(stderr, "mamori: serve: cannot write to the audit trail: %s\n", err.message);
	uselocale(previous);
	return rc;
}

int
audit_queue_write(struct server *srv, struct audit_entry *e)
{
	struct audit_queue *q = srv->audit_queue;

	if (q == NULL)
		return 0;
	e->done = false;
	e->next = NULL;
	pthread_mutex_lock(&q->lock);
	*q->tail = e;
	q->tail = &e->next;
	while (!e->done) {
		if (q->writing) {
			pthread_cond_wait(&q->done, &q->lock);
			continue;
		}
		/* become the writer of everything filed so far (this entry included) */
		struct audit_entry *group = q->head;
		q->head = NULL;
		q->tail = &q->head;
		q->writing = true;
		pthread_mutex_unlock(&q->lock);
		int rc = write_group(srv, group);
		pthread_mutex_lock(&q->lock);
		for (struct audit_entry *t = group, *next; t != NULL; t = next) {
			next = t->next;	/* t may be gone once done is set and the lock released */
			t->rc = rc;
			t->done = true;
		}
		q->writing = false;
		pthread_cond_broadcast(&q->done);
	}
	pthread_mutex_unlock(&q->lock);
	return e->rc;
}
