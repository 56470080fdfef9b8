/* header_watch.c — a deadline for a request's headers (see header_watch.h). */
#include "header_watch.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct slot {
	int fd;
	unsigned char addr[9];	/* family, then the IPv4 address or the IPv6 /64 */
	time_t since;		/* waiting for headers since then */
	bool waiting;
	struct slot *prev, *next;
};

struct header_watch {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	struct header_watch_limits limits;
	bool stop;
	struct slot *slots;	/* every open connection */
	unsigned nslots;
};

static void *
watch_main(void *arg)
{
	struct header_watch *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		struct timespec ts;
		time_t now = time(NULL);
		time_t deadline = w->nslots >= w->limits.pressure_at ? w->limits.pressure_deadline :
		    w->limits.deadline;

		for (struct slot *s = w->slots; s != NULL; s = s->next)
			if (s->waiting && now - s->since >= deadline) {
				shutdown(s->fd, SHUT_RDWR);
				s->waiting = false;	/* once is enough */
			}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&w->wake, &w->lock, &ts);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct header_watch *
header_watch_start(const struct header_watch_limits *limits)
{
	struct header_watch *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	w->limits = *limits;
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

void
header_watch_stop(struct header_watch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	while (w->slots != NULL) {	/* none once the daemon stopped; kept simple if not */
		struct slot *s = w->slots;
		w->slots = s->next;
		free(s);
	}
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* The client address of conn as a key: family, then IPv4 or the IPv6 /64
 * (one host gets a whole /64, so its addresses count as one). */
static void
address_key(struct MHD_Connection *conn, unsigned char key[9])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	memset(key, 0, 9);
	if (sa == NULL)
		return;
	key[0] = (unsigned char)sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(key + 1, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(key + 1, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 8);
}

/* Open connections from the address key (under w->lock). */
static unsigned
same_address(const struct header_watch *w, const unsigned char key[9])
{
	unsigned n = 0;

	for (const struct slot *s = w->slots; s != NULL; s = s->next)
		n += memcmp(s->addr, key, 9) == 0;
	return n;
}

void
header_watch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct header_watch *w = cls;
	struct slot *s = *socket_context;
	const union MHD_ConnectionInfo *fd;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (fd == NULL || (s = calloc(1, sizeof(*s))) == NULL)
			return;	/* unwatched: the idle timeout still holds */
		s->fd = fd->connect_fd;
		s->since = time(NULL);
		s->waiting = true;
		address_key(conn, s->addr);
		pthread_mutex_lock(&w->lock);
		/* under pressure an address that holds its share gets no more */
		if (w->nslots >= w->limits.pressure_at &&
		    same_address(w, s->addr) >= w->limits.pressure_per_client) {
			shutdown(s->fd, SHUT_RDWR);
			s->waiting = false;
		}
		s->next = w->slots;
		if (w->slots != NULL)
			w->slots->prev = s;
		w->slots = s;
		w->nslots++;
		pthread_mutex_unlock(&w->lock);
		*socket_context = s;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && s != NULL) {
		pthread_mutex_lock(&w->lock);
		if (s->prev != NULL)
			s->prev->next = s->next;
		else
			w->slots = s->next;
		if (s->next != NULL)
			s->next->prev = s->prev;
		w->nslots--;
		pthread_mutex_unlock(&w->lock);
		free(s);
		*socket_context = NULL;
	}
}

static void
mark(struct header_watch *w, struct MHD_Connection *conn, bool waiting)
{
	const union MHD_ConnectionInfo *info;
	struct slot *s;

	if (w == NULL || (info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT)) == NULL ||
	    (s = info->socket_context) == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	s->waiting = waiting;
	s->since = time(NULL);
	pthread_mutex_unlock(&w->lock);
}

void
header_watch_in(struct header_watch *w, struct MHD_Connection *conn)
{
	mark(w, conn, false);
}

void
header_watch_done(struct header_watch *w, struct MHD_Connection *conn)
{
	mark(w, conn, true);
}
