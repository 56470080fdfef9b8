/* access.c — what the session's role may do (see access.h). */
#include "access.h"

#include "server.h"

#include <string.h>

bool
access_assets(const struct request *req, enum mamori_action action, const char *department)
{
	const struct session *s = req->session;

	if (s == NULL)		/* a store always has sessions; this is defence in depth */
		return false;
	return mamori_decider_role_permits(req->decider, s->role, action,
	    s->department[0] ? s->department : NULL, department);
}

bool
access_trail(const struct request *req)
{
	const struct session *s = req->session;

	return s != NULL && mamori_decider_role_permits(req->decider, s->role, MAMORI_ACT_READ, NULL, "");
}

bool
access_quarantine(const struct request *req)
{
	return access_assets(req, MAMORI_ACT_RELEASE, NULL) || access_trail(req);
}

bool
access_manages(const struct request *req, const char *what)
{
	const struct session *s = req->session;
	const char *dept = s != NULL && s->department[0] ? s->department : NULL;

	/* users: a manager of any department may list (which accounts it sees is
	 * per account); the policy: only as a whole */
	return s != NULL && mamori_decider_role_manages(req->decider, s->role, what, dept,
	    strcmp(what, "users") == 0 ? dept : NULL);
}
