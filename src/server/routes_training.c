/*
 * routes_training.c — 教育・研修 over HTTP (mamori/training.h): who has taken
 * each course in force and who is overdue, as the asker may see it; the
 * reminders to whoever is overdue.
 */
#include "server.h"
#include "access.h"
#include "mamori/training.h"

#include <string.h>
#include <time.h>

/* GET /api/training?course=&department=&user=: everyone, one's 課 or oneself, as the kind course's records are seen. */
void
route_training(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	cJSON *out = NULL;
	int rc = mamori_training_status(req->db, http_query(req, "course"), http_query(req, "department"),
	    http_query(req, "user"), req->session ? req->session->user : NULL, time(NULL), &out, &err);

	if (rc == 0)
		http_json(res, 200, out);
	else
		http_error(res, rc == MAMORI_E_NOTFOUND ? 404 : rc == MAMORI_E_INVALID ? 422 : 500,
		    rc == MAMORI_E_NOTFOUND ? "not_found" : rc == MAMORI_E_INVALID ? "invalid" : "internal", NULL, "%s",
		    err.message);
}

/* POST /api/training/reminders: a notice to each person overdue (not twice within 7 days). */
void
route_training_remind(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	size_t n = 0;
	int rc = mamori_training_remind(server_store_begin(req), req->actor, time(NULL), &n, &err);

	if (server_store_end(req, res, rc, &err, NULL)) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "notices", (double)n);
		http_json(res, 200, o);
	}
}
