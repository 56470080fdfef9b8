/* access.h — what the session's role may do, as the routes check it.
 *
 * One place for the rules the routes apply (from the policy's roles[].access
 * through the request's decider), so that GET /api/me can tell the web UI
 * exactly what the API would allow: a screen or a button is offered only when
 * the route behind it would not refuse. */
#ifndef MAMORI_SERVER_ACCESS_H
#define MAMORI_SERVER_ACCESS_H

#include <stdbool.h>

#include "http.h"
#include "mamori/decide.h"

/* Whether the role may do action on assets of department (NULL: of some
 * department — e.g. a role that writes no assets at all is refused an import
 * before its file is read). */
bool access_assets(const struct request *req, enum mamori_action action, const char *department);

/* Whether the role reads every department's assets (scope all): the audit
 * trail's events and proofs record every department, so only such roles
 * read them. */
bool access_trail(const struct request *req);

/* Whether the role sees the quarantine's originals (senders and subjects of
 * everyone's mail): roles that may approve a release or read the trail. */
bool access_quarantine(const struct request *req);

/* Whether the role manages what ("users", "policy") at all: for users, within
 * its own department; for the policy, as a whole. */
bool access_manages(const struct request *req, const char *what);

#endif
