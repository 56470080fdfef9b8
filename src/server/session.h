/* session.h — login sessions of the server, in memory.  (server-internal) */
#ifndef MAMORI_SERVER_SESSION_H
#define MAMORI_SERVER_SESSION_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "mamori/auth.h"
#include "mamori/user.h"

enum {
	SESSION_MAX = 4096,
	/* one account keeps at most this many sessions (its oldest ends when it
	 * opens another); one address at most a quarter of the table, so neither a
	 * looping script nor one host can fill it and lock everyone else out */
	SESSION_PER_USER = 16,
	SESSION_PER_CLIENT = SESSION_MAX / 4,
	SESSION_IDLE_S = 30 * 60,	/* idle timeout */
	SESSION_ABSOLUTE_S = 12 * 3600,	/* absolute timeout: one working day */
	CLIENT_MAX = 256,
};

struct session {
	char id_hash[MAMORI_TOKEN_LEN];	/* SHA-256 of the cookie value; "" = free slot */
	char csrf[MAMORI_TOKEN_LEN];
	char user[65], role[65], department[65];
	char credential[MAMORI_CREDENTIAL_LEN];	/* the account's credential generation at login */
	char client[64];			/* the address that logged in */
	bool mfa;				/* the login passed a one-time code */
	time_t created, seen;
};

/* Failed logins per client address, for the per-address back-off. */
struct client_failures {
	char addr[64];
	unsigned failures;
	time_t until;
};

struct session_table {
	pthread_mutex_t lock;
	int idle_s, absolute_s;		/* SESSION_IDLE_S, SESSION_ABSOLUTE_S unless configured */
	struct session s[SESSION_MAX];
	struct client_failures clients[CLIENT_MAX];
};

/* Empties the table; idle_s 0 takes the default. */
void sessions_init(struct session_table *t, int idle_s);

/*
 * Opens a session for an authenticated user (u: name, role, department and
 * credential generation) logged in from client: writes the new cookie value
 * into cookie and a copy of the session (with its CSRF token) into out.  When
 * the user already has SESSION_PER_USER live sessions, or client
 * SESSION_PER_CLIENT, the oldest of them ends to make room.  Returns false
 * when the table is full all the same.
 */
bool sessions_open(struct session_table *t, const struct mamori_user *u, const char *client,
    time_t now, char cookie[MAMORI_TOKEN_LEN], struct session *out);

/* Sets the credential generation of the session of cookie (after the user
 * changed their own password in it: that session stays, the others end). */
void sessions_set_credential(struct session_table *t, const char *cookie, const char *credential);

/* Finds the live session of a cookie value (refreshing its idle time) into out. */
bool sessions_find(struct session_table *t, const char *cookie, time_t now, struct session *out);

/* Ends the session of a cookie value. */
void sessions_close(struct session_table *t, const char *cookie);

/* Ends every session of user (an account disabled by an administrator). */
void sessions_close_user(struct session_table *t, const char *user);

/* Seconds a client address must wait before its next login attempt (0 = none). */
unsigned sessions_client_wait(struct session_table *t, const char *addr, time_t now);

/* Records a failed (ok == false) or successful login from addr. */
void sessions_client_result(struct session_table *t, const char *addr, bool ok, time_t now);

#endif
