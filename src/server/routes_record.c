/*
 * routes_record.c — records and workflows over HTTP (mamori/record.h): the
 * kinds the policy declares, lists, a new record, one record with its
 * history and the moves the asker may take, moves and comments.
 *
 * Who may: every account may make a record (anyone reports an incident or
 * asks for a take-out); who sees a record and who moves it is the library's
 * rule from the declaration (mamori_record_may_see, the transition's `by`),
 * so the API, the CLI and the web UI answer alike.  A record another account
 * may not see answers 404, as one that does not exist.  Its files: whoever
 * sees the record sees them and, while the record is not closed, adds one;
 * a file goes out only as a download (attachment, nosniff, a sandboxing CSP).
 */
#include "server.h"
#include "mamori/record.h"
#include "mamori/record_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <time.h>

/* A library refusal as HTTP (server_error); an invalid record with its problems
 * is a 422 naming each field, an INVALID without problems the request's own
 * fault (a state or kind that does not parse): a 400. */
static void
record_error(struct response *res, int rc, const struct mamori_error *err, const struct mamori_diags *problems)
{
	if (rc == MAMORI_E_INVALID && problems != NULL && problems->count > 0)
		server_error_diags(res, 422, "invalid", err->message, problems, "field");
	else
		server_error(res, rc == MAMORI_E_INVALID ? MAMORI_E_USAGE : rc, NULL, err);
}

/* The kind of the path, or false after a 404. */
static bool
path_kind(struct request *req, struct response *res, const struct mamori_record_kind **k)
{
	*k = mamori_record_kind_find(req->view, req->params[0]);
	if (*k == NULL)
		http_error(res, 404, "not-found", NULL, "the policy declares no record kind '%s'", req->params[0]);
	return *k != NULL;
}

static cJSON *
kind_json(const struct mamori_record_kind *k)
{
	cJSON *o = cJSON_CreateObject(), *states = cJSON_AddArrayToObject(o, "states");

	cJSON_AddStringToObject(o, "id", k->id);
	cJSON_AddStringToObject(o, "title", k->title);
	cJSON_AddStringToObject(o, "clause", k->clause);
	for (size_t i = 0; i < k->nstates; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "id", k->states[i].id);
		cJSON_AddStringToObject(s, "title", k->states[i].title);
		cJSON_AddBoolToObject(s, "final", k->states[i].final);
		cJSON_AddItemToArray(states, s);
	}
	return o;
}

/* GET /api/records: the kinds of the policy (their fields are in GET /api/policy). */
void
route_record_kinds(struct request *req, struct response *res)
{
	cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "kinds");

	for (size_t i = 0; i < req->view->nrecords; i++)
		cJSON_AddItemToArray(list, kind_json(&req->view->records[i]));
	http_json(res, 200, root);
}

struct record_xlsx {
	struct mamori_store *db;
	const struct mamori_record_filter *filter;
};

static int
write_record_xlsx(const char *path, void *arg, struct mamori_error *err)
{
	const struct record_xlsx *x = arg;

	return mamori_record_export_xlsx(x->db, x->filter, path, err);
}

/*
 * GET /api/records/{kind}?format=csv|xlsx[&encoding=cp932]: every record of
 * the list's filter the asker may see, as a file (mamori_record_export_csv).
 */
static void
record_export(struct request *req, struct response *res, const struct mamori_record_filter *f)
{
	const char *format = http_query(req, "format");
	struct mamori_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	if (strcmp(format, "csv") == 0) {
		if ((out = open_memstream(&buf, &len)) == NULL) {
			http_error(res, 500, "internal", NULL, "out of memory");
			return;
		}
		rc = mamori_record_export_csv(req->db, f, http_query(req, "encoding"), out, &err);
		fclose(out);
		if (rc != 0) {
			free(buf);
			record_error(res, rc == MAMORI_E_INVALID ? MAMORI_E_USAGE : rc, &err, NULL);
			return;
		}
		res->body = buf;
		res->len = len;
		res->content_type = http_query(req, "encoding") &&
		    strcasecmp(http_query(req, "encoding"), "cp932") == 0 ? "text/csv; charset=windows-31j" :
		    "text/csv; charset=utf-8";
		res->disposition = "attachment; filename=\"mamori-records.csv\"";
	} else if (strcmp(format, "xlsx") == 0) {
		server_xlsx_response(res, "attachment; filename=\"mamori-records.xlsx\"", write_record_xlsx,
		    &(struct record_xlsx){ req->db, f });
		return;
	} else {
		http_error(res, 400, "invalid", "format", "format is csv or xlsx, not '%.40s'", format);
		return;
	}
	res->status = 200;
}

/*
 * GET /api/records/{kind}?state=&reporter=&before=&limit=: the records the
 * asker may see, newest first; with format=csv|xlsx all of them as a file.
 */
void
route_record_list(struct request *req, struct response *res)
{
	const struct mamori_record_kind *k;
	const char *before = http_query(req, "before"), *limit = http_query(req, "limit");
	struct mamori_record_filter f = { .state = http_query(req, "state"), .reporter = http_query(req, "reporter"),
	    .visible_to = req->session->user };
	struct mamori_error err = { 0 };
	cJSON *out = NULL;
	int rc;

	if (!path_kind(req, res, &k))
		return;
	f.kind = k->id;
	if (http_query(req, "format") != NULL) {
		record_export(req, res, &f);
		return;
	}
	f.before = before ? strtoll(before, NULL, 10) : 0;
	f.limit = limit ? (size_t)strtoul(limit, NULL, 10) : 0;
	if ((rc = mamori_record_list(req->db, &f, &out, &err)) != 0) {
		record_error(res, rc, &err, NULL);
		return;
	}
	http_json(res, 200, out);
}

/* POST /api/records/{kind} {"fields": {...}}: a new record by the session's account. */
void
route_record_create(struct request *req, struct response *res)
{
	const struct mamori_record_kind *k;
	struct mamori_diags problems = { 0 };
	struct mamori_error err = { 0 };
	char id[MAMORI_RECORD_ID_MAX];
	cJSON *body, *rec = NULL;
	int rc;

	if (!path_kind(req, res, &k) || (body = http_body_json(req, res)) == NULL)
		return;
	pthread_mutex_lock(&req->srv->store_lock);
	rc = mamori_record_create(req->srv->store, req->actor, req->session->user, k->id,
	    cJSON_GetObjectItemCaseSensitive(body, "fields"), time(NULL), id, &problems, &err);
	if (rc == 0)
		rc = mamori_record_get(req->srv->store, id, true, req->session->user, &rec, &err);
	pthread_mutex_unlock(&req->srv->store_lock);
	if (rc != 0)
		record_error(res, rc, &err, &problems);
	else
		http_json(res, 201, rec);
	mamori_diags_clear(&problems);
	cJSON_Delete(body);
}

/* The record of the path (of the path's kind, visible to the asker) from conn, or false after a 404. */
static bool
path_record(struct request *req, struct response *res, struct mamori_store *conn, cJSON **rec)
{
	struct mamori_error err = { 0 };
	const struct mamori_record_kind *k;
	int rc;

	if (!path_kind(req, res, &k))
		return false;
	rc = mamori_record_get(conn, req->params[1], true, req->session->user, rec, &err);
	if (rc == 0 && (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(*rec, "kind")), k->id) != 0 ||
	    !mamori_record_may_see(conn, req->session->user, *rec))) {
		cJSON_Delete(*rec);
		*rec = NULL;
		rc = mamori_error_set(&err, MAMORI_E_NOTFOUND, "no record %s", req->params[1]);
	}
	if (rc != 0)
		record_error(res, rc, &err, NULL);
	return rc == 0;
}

/* GET /api/records/{kind}/{id}: the record, its history and the moves the asker may take. */
void
route_record_get(struct request *req, struct response *res)
{
	cJSON *rec;

	if (path_record(req, res, req->db, &rec))
		http_json(res, 200, rec);
}

/* POST /api/records/{kind}/{id}/moves {"to", "note", "fields"}: a step of the workflow. */
void
route_record_move(struct request *req, struct response *res)
{
	struct mamori_diags problems = { 0 };
	struct mamori_error err = { 0 };
	cJSON *body, *rec = NULL;
	const cJSON *to, *note;
	int rc;

	if ((body = http_body_json(req, res)) == NULL)
		return;
	to = cJSON_GetObjectItemCaseSensitive(body, "to");
	note = cJSON_GetObjectItemCaseSensitive(body, "note");
	if (!cJSON_IsString(to) || (note != NULL && !cJSON_IsString(note) && !cJSON_IsNull(note))) {
		http_error(res, 400, "invalid", "to", "to is the state to move into (an id or title); note is text");
		goto out;
	}
	pthread_mutex_lock(&req->srv->store_lock);
	if (!path_record(req, res, req->srv->store, &rec)) {
		pthread_mutex_unlock(&req->srv->store_lock);
		goto out;
	}
	cJSON_Delete(rec);
	rec = NULL;
	rc = mamori_record_move(req->srv->store, req->actor, req->session->user, req->params[1], to->valuestring,
	    cJSON_GetStringValue(note), cJSON_GetObjectItemCaseSensitive(body, "fields"), time(NULL), &problems, &err);
	if (rc == 0)
		rc = mamori_record_get(req->srv->store, req->params[1], true, req->session->user, &rec, &err);
	pthread_mutex_unlock(&req->srv->store_lock);
	if (rc != 0)
		record_error(res, rc, &err, &problems);
	else
		http_json(res, 200, rec);
out:
	mamori_diags_clear(&problems);
	cJSON_Delete(body);
}

/* POST /api/records/{kind}/{id}/comments {"text"}: a comment in the record's history. */
void
route_record_comment(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	cJSON *body, *rec = NULL;
	const cJSON *text;
	int rc;

	if ((body = http_body_json(req, res)) == NULL)
		return;
	text = cJSON_GetObjectItemCaseSensitive(body, "text");
	if (!cJSON_IsString(text)) {
		http_error(res, 400, "invalid", "text", "text is the comment (1 to 4,000 bytes)");
		cJSON_Delete(body);
		return;
	}
	pthread_mutex_lock(&req->srv->store_lock);
	if (path_record(req, res, req->srv->store, &rec)) {
		cJSON_Delete(rec);
		rc = mamori_record_comment(req->srv->store, req->actor, req->session->user, req->params[1],
		    text->valuestring, &err);
		if (rc != 0)
			record_error(res, rc, &err, NULL);
		else
			http_json(res, 201, cJSON_CreateObject());
	}
	pthread_mutex_unlock(&req->srv->store_lock);
	cJSON_Delete(body);
}

/* ---- files ---- */

static cJSON *
file_json(const struct mamori_record_file *f)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "num", (double)f->num);
	cJSON_AddStringToObject(o, "name", f->name);
	cJSON_AddStringToObject(o, "type", f->type);
	cJSON_AddNumberToObject(o, "size", (double)f->size);
	cJSON_AddStringToObject(o, "sha256", f->sha256);
	cJSON_AddStringToObject(o, "by", f->by);
	cJSON_AddStringToObject(o, "created", f->created);
	return o;
}

/* The request's Content-Type as the file's type; none for the types that say nothing (sniffed then). */
static const char *
upload_type(const struct request *req)
{
	static const char *const vague[] = { "application/octet-stream", "application/x-www-form-urlencoded",
		"multipart/", "text/plain;charset=UTF-8" };
	const char *t = http_header(req, "Content-Type");

	for (size_t i = 0; t != NULL && i < sizeof(vague) / sizeof(vague[0]); i++)
		if (strncasecmp(t, vague[i], strlen(vague[i])) == 0)
			return NULL;
	return t;
}

/* POST /api/records/{kind}/{id}/files?name=NAME: the body is the file (Content-Type its type, when given). */
void
route_record_file_add(struct request *req, struct response *res)
{
	const char *name = http_query(req, "name");
	struct mamori_record_file f;
	struct mamori_error err = { 0 };
	cJSON *rec = NULL;
	int rc;

	if (name == NULL || name[0] == '\0') {
		http_error(res, 400, "invalid", "name", "name is the file's name (?name=, percent-encoded UTF-8)");
		return;
	}
	pthread_mutex_lock(&req->srv->store_lock);
	if (!path_record(req, res, req->srv->store, &rec)) {
		pthread_mutex_unlock(&req->srv->store_lock);
		return;
	}
	cJSON_Delete(rec);
	rc = mamori_record_attach_field(req->srv->store, req->actor, req->session->user, req->params[1],
	    http_query(req, "field"), name, upload_type(req), req->body ? req->body : "", req->body_len, &f, &err);
	pthread_mutex_unlock(&req->srv->store_lock);
	if (rc == 0)
		http_json(res, 201, file_json(&f));
	else if (rc == MAMORI_E_INVALID)
		http_error(res, 422, "invalid", "file", "%s", err.message);
	else
		record_error(res, rc, &err, NULL);
}

/* GET /api/records/{kind}/{id}/files: the record's files, oldest first. */
void
route_record_files(struct request *req, struct response *res)
{
	cJSON *rec, *root;

	if (!path_record(req, res, req->db, &rec))
		return;
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "files", cJSON_DetachItemFromObjectCaseSensitive(rec, "files"));
	cJSON_Delete(rec);
	http_json(res, 200, root);
}

/* Whether a type would run in the browser were it opened (markup, scripts): such files go out as bytes. */
static bool
active_type(const char *t)
{
	return strstr(t, "html") != NULL || strstr(t, "xml") != NULL || strstr(t, "script") != NULL ||
	    (strncmp(t, "text/", 5) == 0 && strcmp(t, "text/plain") != 0 && strcmp(t, "text/csv") != 0);
}

/*
 * Content-Disposition: attachment with an ASCII stand-in (each non-ASCII
 * character, quote and backslash as '_') and the real name in RFC 5987's filename*.
 */
static void
disposition(struct response *res, const char *name)
{
	static const char attr[] = "!#$&+-.^_`|~";
	char *out = res->disposition_value;
	size_t n = sizeof(res->disposition_value), used;

	used = (size_t)snprintf(out, n, "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p && used + 2 < n; p++)
		if ((*p & 0xc0) != 0x80)	/* one '_' a character, not a byte */
			out[used++] = *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' ? (char)*p : '_';
	used += (size_t)snprintf(out + used, n - used, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p && used + 4 < n; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    (*p < 0x80 && strchr(attr, *p) != NULL))
			out[used++] = (char)*p;
		else
			used += (size_t)snprintf(out + used, n - used, "%%%02X", *p);
	}
	out[used < n ? used : n - 1] = '\0';
	res->disposition = out;
}

/* GET /api/records/{kind}/{id}/files/{num}: the file, as a download only. */
void
route_record_file_get(struct request *req, struct response *res)
{
	struct mamori_record_file f;
	struct mamori_error err = { 0 };
	char *data = NULL, *end;
	long long num = strtoll(req->params[2], &end, 10);
	size_t len;
	cJSON *rec;
	int rc;

	if (!path_record(req, res, req->db, &rec))
		return;
	cJSON_Delete(rec);
	if (*end != '\0' || num < 1) {
		http_error(res, 404, "not-found", NULL, "record %s has no file %s", req->params[1], req->params[2]);
		return;
	}
	if ((rc = mamori_record_file_read(req->db, req->params[1], num, &f, &data, &len, &err)) != 0) {
		record_error(res, rc, &err, NULL);
		return;
	}
	res->status = 200;
	res->body = data;
	res->len = len;
	/* the stored type where it is passive; markup and scripts as bytes, never rendered here */
	snprintf(res->type_value, sizeof(res->type_value), "%s", active_type(f.type) ? "application/octet-stream" : f.type);
	res->content_type = res->type_value;
	res->csp = "sandbox; default-src 'none'; frame-ancestors 'none'";
	disposition(res, f.name);
}

/* GET /api/notices: the session's account's notices, newest first. */
void
route_notices(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	cJSON *list = NULL, *root;
	int rc = mamori_record_notices(req->db, req->session->user, 50, &list, &err);

	if (rc != 0) {
		record_error(res, rc, &err, NULL);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "notices", list);
	http_json(res, 200, root);
}
