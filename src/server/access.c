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

/* The rule and the refusal's words of each need, in enum order. */
static const struct {
	const char *what;
} needs[ACCESS_NEEDS] = {
	[ACCESS_ANY] = { "do this" },
	[ACCESS_TRAIL] = { "read the audit trail (it records every department)" },
	[ACCESS_QUARANTINE] = { "see the quarantine (approvers of releases and readers of the audit trail only)" },
	[ACCESS_ASSETS_WRITE] = { "import assets" },
	[ACCESS_USERS] = { "administer accounts (the policy's access.manage: users)" },
	[ACCESS_POLICY] = { "replace the policy (the policy's access.manage: policy)" },
};

bool
access_permits(const struct request *req, enum access_need need)
{
	switch (need) {
	case ACCESS_ANY: return true;
	case ACCESS_TRAIL: return access_trail(req);
	case ACCESS_QUARANTINE: return access_quarantine(req);
	case ACCESS_ASSETS_WRITE: return access_assets(req, MAMORI_ACT_WRITE, NULL);
	case ACCESS_USERS: return access_manages(req, "users");
	case ACCESS_POLICY: return access_manages(req, "policy");
	default: return false;	/* a need nobody has written a rule for is refused */
	}
}

const char *
access_need_what(enum access_need need)
{
	return need >= 0 && need < ACCESS_NEEDS ? needs[need].what : "do this";
}
