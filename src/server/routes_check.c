/*
 * routes_check.c — 評価・見直し over HTTP (docs/review.md, docs/api.md): the
 * checklist of the policy in force, a campaign's or audit's sheet, answers and
 * progress, the risk heat map, a review's gathering.  The rules are the
 * library's (mamori/review.h); a route parses, asks, answers.
 */
#include "server.h"

#include "mamori/i18n.h"
#include "mamori/record.h"
#include "mamori/review.h"

#include <stdlib.h>
#include <string.h>

/* The campaign or audit of the path, readable by the session's account, or false after a 404. */
static bool
path_campaign(struct request *req, struct response *res)
{
	if (mamori_check_may_see(req->db, req->session->user, req->params[0]))
		return true;
	http_error(res, 404, "not-found", NULL, "no self-check or audit %s", req->params[0]);
	return false;
}

/* GET /api/check/items: the checklist of the policy in force. */
void
route_check_items(struct request *req, struct response *res)
{
	struct mamori_checklist *cl = NULL;
	struct mamori_error err = { 0 };
	int rc = mamori_checklist_build(req->view, &cl, &err);
	cJSON *root;

	if (rc != 0) {
		server_error(res, rc, NULL, &err);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "items", mamori_checklist_json(cl));
	mamori_checklist_free(&cl);
	http_json(res, 200, root);
}

/* GET /api/check/{id}/progress */
void
route_check_progress(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	cJSON *out = NULL;
	int rc;

	if (!path_campaign(req, res))
		return;
	if ((rc = mamori_check_progress(req->db, req->params[0], &out, &err)) != 0)
		server_error(res, rc, NULL, &err);
	else
		http_json(res, 200, out);
}

/* GET /api/check/{id}/sheet?department=D */
void
route_check_sheet(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	const char *dept = http_query(req, "department");
	cJSON *out = NULL;
	int rc;

	if (dept == NULL) {
		http_error(res, 400, "invalid", "department", "name the department: ?department=");
		return;
	}
	if (!path_campaign(req, res))
		return;
	if ((rc = mamori_check_sheet(req->db, req->params[0], dept, &out, &err)) != 0)
		server_error(res, rc, "department", &err);
	else
		http_json(res, 200, out);
}

/* POST /api/check/{id}/answers {"department", "item", "answer", "comment", "evidence"} */
void
route_check_answer(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s;
	cJSON *body;
	const cJSON *ev;
	const char *dept, *item, *answer, *comment;
	int rc;

	if ((body = http_body_json(req, res)) == NULL)
		return;
	dept = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "department"));
	item = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "item"));
	answer = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "answer"));
	comment = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "comment"));
	ev = cJSON_GetObjectItemCaseSensitive(body, "evidence");
	if (dept == NULL || item == NULL || answer == NULL) {
		http_error(res, 400, "invalid", dept == NULL ? "department" : item == NULL ? "item" : "answer",
		    "department, item and answer are text");
		goto out;
	}
	s = server_store_begin(req);
	rc = mamori_check_answer(s, req->actor, req->session->user, req->params[0], dept, item, answer, comment,
	    cJSON_IsNull(ev) ? NULL : ev, time(NULL), &err);
	if (server_store_end(req, res, rc, &err, "answer")) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "record", req->params[0]);
		cJSON_AddStringToObject(root, "item", item);
		http_json(res, 201, root);
	}
out:
	cJSON_Delete(body);
}

/* GET /api/risks: the heat map of the risks the account may see. */
void
route_risks(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	cJSON *out = NULL;
	int rc = mamori_risk_matrix_for(req->db, req->session->user, &out, &err);

	if (rc != 0)
		server_error(res, rc, NULL, &err);
	else
		http_json(res, 200, out);
}

/* GET /api/reviews/{id}: what review id gathers, to who may see the review. */
void
route_review_gather(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	cJSON *rec = NULL, *out = NULL;
	int rc = mamori_record_get(req->db, req->params[0], false, NULL, &rec, &err);

	if (rc == 0 && !mamori_record_may_see(req->db, req->session->user, rec))
		rc = mamori_error_set(&err, MAMORI_E_NOTFOUND, "no record %s", req->params[0]);
	cJSON_Delete(rec);
	if (rc == 0)
		rc = mamori_review_gather(req->db, req->params[0], &out, &err);
	if (rc != 0)
		server_error(res, rc == MAMORI_E_INVALID ? MAMORI_E_NOTFOUND : rc, NULL, &err);
	else
		http_json(res, 200, out);
}
