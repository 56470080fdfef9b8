/* user_internal.h — what other library modules do to accounts inside their own transaction. (internal) */
#ifndef MAMORI_USER_INTERNAL_H
#define MAMORI_USER_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "mamori/error.h"

struct mamori_store_tx;

/*
 * Disables account name and revokes its API tokens inside tx, with a
 * user.disable event whose body carries why (an object the caller owns, e.g.
 * {"record": "K-000001"}; NULL: none) and the number of tokens revoked.  An
 * account disabled already keeps its row but still loses its tokens; *changed
 * (when not NULL) says whether it was enabled before.  MAMORI_E_NOTFOUND for
 * an unknown account.
 */
int user_disable_in(struct mamori_store_tx *tx, const char *name, const cJSON *why, bool *changed,
    struct mamori_error *err);

#endif
