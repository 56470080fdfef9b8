/*
 * location.c — a store's location tested and shown without its password
 * (mamori/location.h).  Only string work: `mamori` asks it before it knows
 * whether to run mamori-full, which alone loads libpq.
 */
#include "mamori/location.h"

#include <stdio.h>
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

/*
 * Whether the parameter at p (its name, up to =) is libpq's password, its
 * name percent-decoded as libpq decodes it (pass%77ord= is password=).
 */
static bool
is_password(const char *p, const char **value)
{
	static const char name[] = "password";
	size_t i = 0;
	unsigned hi, lo;

	for (; *p != '=' && *p != '&' && *p != '#' && *p != '\0'; p++, i++) {
		char c = *p;
		if (c == '%' && sscanf(p + 1, "%1x%1x", &hi, &lo) == 2) {
			c = (char)(hi << 4 | lo);
			p += 2;
		}
		if (i >= sizeof(name) - 1 || c != name[i])
			return false;
	}
	*value = p + 1;
	return *p == '=' && i == sizeof(name) - 1;
}

/* s with the value of each parameter password= (after ? or &) as ***. */
static void
put_params(char *out, size_t n, size_t *at, const char *s)
{
	const char *from = s, *value;	/* from: what is not written yet */

	for (const char *p = s; *p != '\0'; p++) {
		if ((*p != '?' && *p != '&') || !is_password(p + 1, &value))
			continue;
		put(out, n, at, from, (size_t)(value - from));
		put(out, n, at, "***", 3);
		from = value + strcspn(value, "&#");
		p = from - 1;	/* the loop's p++ comes to the & or # */
	}
	put(out, n, at, from, strlen(from));
}

const char *
mamori_location_masked(const char *location, char *out, size_t n)
{
	const char *rest = strstr(location, "://"), *at, *colon;
	size_t w = 0;

	if (n == 0)
		return out;
	out[0] = '\0';
	if (rest == NULL) {	/* a file: nothing to hide */
		put(out, n, &w, location, strlen(location));
		return out;
	}
	/* user:password@ as libpq reads it: before the first @ or /, whichever comes first */
	rest += 3;
	at = rest + strcspn(rest, "@/");
	colon = *at == '@' ? memchr(rest, ':', (size_t)(at - rest)) : NULL;
	if (colon != NULL) {
		put(out, n, &w, location, (size_t)(colon + 1 - location));
		put(out, n, &w, "***", 3);
		rest = at;
	} else
		rest = location;
	put_params(out, n, &w, rest);
	return out;
}
