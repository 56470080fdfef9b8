/*
 * location.c — a store's location tested and shown without its password
 * (mamori/location.h).  Only string work: `mamori` asks it before it knows
 * whether to run mamori-full, which alone loads libpq.
 */
#include "mamori/location.h"

#include <string.h>

bool
mamori_location_is_pg(const char *location)
{
	return location != NULL &&
	    (strncmp(location, "postgresql://", 13) == 0 || strncmp(location, "postgres://", 11) == 0);
}

/* A bounded copy: len bytes of s appended at out[*at], as many as fit before the NUL. */
static void
put(char *out, size_t n, size_t *at, const char *s, size_t len)
{
	size_t room = *at < n ? n - 1 - *at : 0;

	if (len > room)
		len = room;
	memcpy(out + *at, s, len);
	*at += len;
	out[*at] = '\0';
}

/* The query from q on (after '?'), its parameter password='s value as ***. */
static void
put_query(char *out, size_t n, size_t *at, const char *q)
{
	size_t len;

	while (*q != '\0') {
		len = strcspn(q, "&#");
		if (strncmp(q, "password=", 9) == 0 && len >= 9)
			put(out, n, at, "password=***", 12);
		else
			put(out, n, at, q, len);
		q += len;
		if (*q == '#') {	/* a fragment ends the query */
			put(out, n, at, q, strlen(q));
			return;
		}
		if (*q == '&')
			put(out, n, at, q++, 1);
	}
}

const char *
mamori_location_masked(const char *location, char *out, size_t n)
{
	const char *auth = strstr(location, "://"), *end, *at, *colon, *q;
	size_t w = 0;

	if (n == 0)
		return out;
	out[0] = '\0';
	if (auth == NULL) {	/* a file: nothing to hide */
		put(out, n, &w, location, strlen(location));
		return out;
	}
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	/* user:password@host: the last @ of the authority ends the user's part */
	for (at = end; at > auth && at[-1] != '@'; at--)
		;
	colon = at > auth ? memchr(auth, ':', (size_t)(at - 1 - auth)) : NULL;
	if (colon != NULL) {
		put(out, n, &w, location, (size_t)(colon + 1 - location));
		put(out, n, &w, "***", 3);
		auth = at - 1;	/* from the @ on */
	} else
		auth = location;
	q = strchr(end, '?');
	if (q == NULL || (strchr(end, '#') != NULL && strchr(end, '#') < q)) {
		put(out, n, &w, auth, strlen(auth));
		return out;
	}
	put(out, n, &w, auth, (size_t)(q + 1 - auth));
	put_query(out, n, &w, q + 1);
	return out;
}
