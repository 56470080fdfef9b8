/* worker.c — per-thread read connection and credential caches (see worker.h). */
#include "worker.h"

#include <stdlib.h>
#include <string.h>

struct worker *
worker_new(const struct mamori_store *store, struct mamori_error *err)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		return NULL;
	}
	if (mamori_store_open_reader(store, &w->db, err) != 0) {
		free(w);
		return NULL;
	}
	w->data_version = mamori_store_data_version(w->db);
	return w;
}

void
worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	mamori_record_decide_clear(&w->records);
	mamori_store_close(&w->db);
	free(w);
}

void
worker_refresh(struct worker *w)
{
	int64_t v = mamori_store_read_begin(w->db);

	/* -1 (an error) also empties them: when in doubt, ask the store */
	if (v != w->data_version || v < 0) {
		memset(w->tokens, 0, sizeof(w->tokens));
		memset(w->users, 0, sizeof(w->users));
		w->data_version = v;
	}
}

void
worker_done(struct worker *w)
{
	if (w != NULL)
		mamori_store_read_end(w->db);
}

/* A slot index from the first hex digits of a token hash (SHA-256: evenly spread). */
static size_t
token_slot(const char *hash)
{
	char head[5];

	memcpy(head, hash, 4);
	head[4] = '\0';
	return (size_t)strtoul(head, NULL, 16) % WORKER_TOKENS;
}

int
worker_token_check(struct worker *w, const char *token, time_t now, struct mamori_user *user,
    char scope[8])
{
	struct mamori_error err;
	struct worker_token *t;
	char hash[MAMORI_TOKEN_LEN];
	int64_t expires = 0;
	int rc;

	if (token == NULL || strlen(token) != MAMORI_TOKEN_LEN - 1)
		return MAMORI_E_DENIED;
	mamori_auth_token_hash(token, hash);
	t = &w->tokens[token_slot(hash)];
	if (t->hash[0] != '\0' && strcmp(t->hash, hash) == 0 && now < t->expires &&
	    now - t->checked < WORKER_CACHE_TTL_S) {
		*user = t->user;
		memcpy(scope, t->scope, 8);
		return 0;
	}
	/* refusals are not kept: a new token must work at once; a store that
	 * cannot be read refuses nobody (the caller answers 503) */
	if ((rc = mamori_user_token_check(w->db, token, now, user, scope, &expires, &err)) != 0)
		return rc == MAMORI_E_DENIED || rc == MAMORI_E_NOTFOUND ? MAMORI_E_DENIED : MAMORI_E_STORE;
	memcpy(t->hash, hash, sizeof(t->hash));
	memcpy(t->scope, scope, sizeof(t->scope));
	t->expires = expires;
	t->checked = now;
	t->user = *user;
	return 0;
}

/* FNV-1a of the name. */
static size_t
user_slot(const char *name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % WORKER_USERS;
}

int
worker_user_get(struct worker *w, const char *name, time_t now, struct mamori_user *user)
{
	struct mamori_error err;
	struct worker_user *u = &w->users[user_slot(name)];
	int rc;

	if (u->user.name[0] != '\0' && strcmp(u->user.name, name) == 0 &&
	    now - u->checked < WORKER_CACHE_TTL_S) {
		*user = u->user;
		return 0;
	}
	if ((rc = mamori_user_get(w->db, name, user, &err)) != 0)
		return rc == MAMORI_E_NOTFOUND ? rc : MAMORI_E_STORE;
	u->user = *user;
	u->checked = now;
	return 0;
}
