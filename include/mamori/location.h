/*
 * mamori/location.h — a store's location (a file, or a postgresql:// URL) as
 * programs test and show it.  A URL may carry a password
 * (postgresql://user:secret@host/db, or ?password=secret): it is never
 * printed, in messages, `mamori init` or `mamori config show`.
 */
#ifndef MAMORI_LOCATION_H
#define MAMORI_LOCATION_H

#include <stdbool.h>
#include <stddef.h>

/* Whether location names a store on PostgreSQL (postgresql:// or postgres://). */
bool mamori_location_is_pg(const char *location);

/*
 * location for a person: the password of a URL's user (`:secret@`) and of its
 * parameter password= replaced by `***`; anything else as it is.  Written into
 * out (n bytes, truncated to fit, always terminated); returns out.
 */
const char *mamori_location_masked(const char *location, char *out, size_t n);

#endif
