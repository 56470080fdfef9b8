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

/*
 * What a route requires of the session's role before its handler runs: the
 * route table's permission column (server.c), checked in one place by the
 * dispatcher.  The finer rules (which department's asset, which account)
 * stay with the handler, which alone knows the object.
 */
enum access_need {
	ACCESS_ANY = 0,		/* any logged-in account (or none: public routes) */
	ACCESS_TRAIL,		/* access_trail */
	ACCESS_QUARANTINE,	/* access_quarantine */
	ACCESS_ASSETS_WRITE,	/* access_assets(WRITE) of some department */
	ACCESS_USERS,		/* access_manages("users") */
	ACCESS_POLICY,		/* access_manages("policy") */
	ACCESS_NEEDS		/* how many */
};

/* Whether the session's role has need. */
bool access_permits(const struct request *req, enum access_need need);

/* What a refused need did not allow, for the 403's message ("role 'staff' may not WHAT"). */
const char *access_need_what(enum access_need need);

#endif
