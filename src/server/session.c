/* session.c — sessions and per-address back-off, guarded by one mutex. */
#include "session.h"

#include <stdio.h>
#include <string.h>

void
sessions_init(struct session_table *t, int idle_s)
{
	memset(t->s, 0, sizeof(t->s));
	memset(t->clients, 0, sizeof(t->clients));
	t->idle_s = idle_s > 0 ? idle_s : SESSION_IDLE_S;
	t->absolute_s = SESSION_ABSOLUTE_S;
	pthread_mutex_init(&t->lock, NULL);
}

static bool
alive(const struct session_table *t, const struct session *s, time_t now)
{
	return s->id_hash[0] && now - s->seen < t->idle_s && now - s->created < t->absolute_s;
}

/* The slot a new session of user from client takes: the user's oldest when it
 * has its share, else the address's oldest when it has its share, else a free one. */
static struct session *
open_slot(struct session_table *t, const char *user, const char *client, time_t now)
{
	struct session *free_slot = NULL, *old_user = NULL, *old_client = NULL;
	size_t nuser = 0, nclient = 0;

	for (size_t i = 0; i < SESSION_MAX; i++) {
		struct session *s = &t->s[i];
		if (!alive(t, s, now)) {
			if (free_slot == NULL)
				free_slot = s;
			continue;
		}
		if (strcmp(s->user, user) == 0) {
			nuser++;
			if (old_user == NULL || s->created < old_user->created)
				old_user = s;
		}
		if (strcmp(s->client, client) == 0) {
			nclient++;
			if (old_client == NULL || s->created < old_client->created)
				old_client = s;
		}
	}
	if (nuser >= SESSION_PER_USER)
		return old_user;
	if (nclient >= SESSION_PER_CLIENT)
		return old_client;
	return free_slot;
}

bool
sessions_open(struct session_table *t, const struct mamori_user *u, const char *client,
    time_t now, char cookie[MAMORI_TOKEN_LEN], struct session *out)
{
	struct session *s;

	mamori_auth_token(cookie);
	pthread_mutex_lock(&t->lock);
	s = open_slot(t, u->name, client, now);
	if (s != NULL) {
		memset(s, 0, sizeof(*s));
		mamori_auth_token_hash(cookie, s->id_hash);
		mamori_auth_token(s->csrf);
		snprintf(s->user, sizeof(s->user), "%s", u->name);
		snprintf(s->role, sizeof(s->role), "%s", u->role);
		snprintf(s->department, sizeof(s->department), "%s", u->department);
		snprintf(s->credential, sizeof(s->credential), "%s", u->credential);
		snprintf(s->client, sizeof(s->client), "%s", client);
		s->mfa = u->has_totp;	/* an account with TOTP logs in only with a code */
		s->created = s->seen = now;
		*out = *s;
	}
	pthread_mutex_unlock(&t->lock);
	return s != NULL;
}

bool
sessions_find(struct session_table *t, const char *cookie, time_t now, struct session *out)
{
	char h[MAMORI_TOKEN_LEN];
	bool ok = false;

	if (cookie == NULL || strlen(cookie) != MAMORI_TOKEN_LEN - 1)
		return false;
	mamori_auth_token_hash(cookie, h);
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < SESSION_MAX; i++) {
		struct session *s = &t->s[i];
		if (s->id_hash[0] && strcmp(s->id_hash, h) == 0) {
			if (alive(t, s, now)) {
				s->seen = now;
				*out = *s;
				ok = true;
			} else {
				memset(s, 0, sizeof(*s));	/* expired: gone for good */
			}
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}

void
sessions_close(struct session_table *t, const char *cookie)
{
	char h[MAMORI_TOKEN_LEN];

	if (cookie == NULL)
		return;
	mamori_auth_token_hash(cookie, h);
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < SESSION_MAX; i++)
		if (strcmp(t->s[i].id_hash, h) == 0)
			memset(&t->s[i], 0, sizeof(t->s[i]));
	pthread_mutex_unlock(&t->lock);
}

void
sessions_set_credential(struct session_table *t, const char *cookie, const char *credential)
{
	char h[MAMORI_TOKEN_LEN];

	if (cookie == NULL)
		return;
	mamori_auth_token_hash(cookie, h);
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < SESSION_MAX; i++)
		if (t->s[i].id_hash[0] != '\0' && strcmp(t->s[i].id_hash, h) == 0)
			snprintf(t->s[i].credential, sizeof(t->s[i].credential), "%s", credential);
	pthread_mutex_unlock(&t->lock);
}

void
sessions_close_user(struct session_table *t, const char *user)
{
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < SESSION_MAX; i++)
		if (t->s[i].id_hash[0] != '\0' && strcmp(t->s[i].user, user) == 0)
			memset(&t->s[i], 0, sizeof(t->s[i]));
	pthread_mutex_unlock(&t->lock);
}

static struct client_failures *
client(struct session_table *t, const char *addr, time_t now, bool create)
{
	struct client_failures *oldest = &t->clients[0];

	for (size_t i = 0; i < CLIENT_MAX; i++) {
		if (strcmp(t->clients[i].addr, addr) == 0)
			return &t->clients[i];
		if (t->clients[i].until < oldest->until)
			oldest = &t->clients[i];
	}
	if (!create)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	(void)now;
	return oldest;
}

unsigned
sessions_client_wait(struct session_table *t, const char *addr, time_t now)
{
	unsigned wait = 0;

	pthread_mutex_lock(&t->lock);
	struct client_failures *c = client(t, addr, now, false);
	if (c && c->until > now)
		wait = (unsigned)(c->until - now);
	pthread_mutex_unlock(&t->lock);
	return wait;
}

void
sessions_client_result(struct session_table *t, const char *addr, bool ok, time_t now)
{
	pthread_mutex_lock(&t->lock);
	struct client_failures *c = client(t, addr, now, !ok);
	if (c != NULL) {
		if (ok) {
			c->failures = 0;
			c->until = 0;
		} else {
			c->failures++;
			/* an address tries many names: it gets twice the users' allowance */
			c->until = now + mamori_auth_backoff(c->failures > 4 ? c->failures - 4 : 0);
		}
	}
	pthread_mutex_unlock(&t->lock);
}
