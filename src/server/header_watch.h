/*
 * header_watch.h — a deadline for a request's headers (server-internal).
 * libmicrohttpd 0.9.75 closes a connection only after it was idle for the
 * client timeout, and restarts that clock on every byte: a client sending a
 * header byte every few seconds would hold its connection for ever.  The watch
 * keeps, per connection, since when it has been waiting for a request's
 * headers (from when it opened, or from when its last request completed); a
 * thread looks every second and shuts down (shutdown(2): the connection's owner
 * sees the end and closes it) every connection that waited longer than the
 * deadline.  A connection is watched from MHD_CONNECTION_NOTIFY_STARTED until
 * MHD_CONNECTION_NOTIFY_CLOSED, which libmicrohttpd sends before it closes the
 * socket, so the watch never touches a descriptor that was closed.
 *
 * Under pressure — when at least pressure_at connections are open — the watch
 * also keeps room for new clients: a connection waiting for headers (a new one,
 * or one idle between requests) gets only pressure_deadline seconds, and a new
 * connection from an address (an IPv6 /64) that already holds
 * pressure_per_client is shut down at once.  Many slow connections from a few
 * addresses thus cannot take every slot: other clients still get in.
 */
#ifndef MAMORI_SERVER_HEADER_WATCH_H
#define MAMORI_SERVER_HEADER_WATCH_H

#include <microhttpd.h>
#include <time.h>

struct header_watch;

struct header_watch_limits {
	time_t deadline;		/* seconds for a request's headers */
	unsigned pressure_at;		/* open connections from which the server is under pressure */
	time_t pressure_deadline;	/* seconds for headers then */
	unsigned pressure_per_client;	/* connections one address may hold then */
};

/* Starts the watch and its thread; NULL when out of memory or no thread. */
struct header_watch *header_watch_start(const struct header_watch_limits *limits);

/* Stops the thread and frees the watch (after the daemon stopped); accepts NULL. */
void header_watch_stop(struct header_watch *w);

/* The MHD_OPTION_NOTIFY_CONNECTION callback; cls is the watch. */
void header_watch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code);

/* The headers of conn's request are in: its clock stops. */
void header_watch_in(struct header_watch *w, struct MHD_Connection *conn);

/* conn's request is answered: the clock of the next request's headers starts. */
void header_watch_done(struct header_watch *w, struct MHD_Connection *conn);

#endif
