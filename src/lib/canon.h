/* canon.h — canonical JSON for audit bodies: sorted keys, no whitespace. (internal) */
#ifndef MAMORI_CANON_H
#define MAMORI_CANON_H

#include <cjson/cJSON.h>
#include "buf.h"

/* The canonical text of v (object keys sorted by bytes, recursively); malloc'd. */
char *mamori_canon_json(const cJSON *v);

/* {"after":…,"before":…} with null for an absent side; malloc'd. */
char *mamori_canon_body(const cJSON *before, const cJSON *after);

#endif
