/* routes_log.c — the audit trail over HTTP: events, head, verify, proofs. */
#include "server.h"
#include "access.h"
#include "mamori/audit.h"
#include "mamori/decide.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LOG_PAGE = 1000, LOG_PAGE_MAX = 10000 };

void
route_log_head(struct request *req, struct response *res)
{
	struct mamori_head h;
	struct mamori_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	pthread_mutex_lock(&req->srv->store_lock);
	rc = mamori_audit_sign_head(req->srv->store, &h, &err);
	pthread_mutex_unlock(&req->srv->store_lock);
	if (rc != 0 || (f = open_memstream(&buf, &len)) == NULL) {
		http_error(res, 500, "internal", NULL, "%s", rc ? err.message : "out of memory");
		return;
	}
	mamori_head_write(&h, f);
	fclose(f);
	res->status = 200;
	res->content_type = "text/plain; charset=utf-8";
	res->body = buf;
	res->len = len;
}

void
route_log_verify(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	unsigned char pk[32];
	char pub[4096], summary[512];
	cJSON *root = cJSON_CreateObject();
	int rc;

	snprintf(pub, sizeof(pub), "%s.pub", mamori_store_path(req->srv->store));
	/* on this thread's reader: a long verification does not hold up writes */
	rc = mamori_audit_read_pubkey(pub, pk, &err);
	if (rc == 0)
		rc = mamori_audit_verify(req->db, pk, NULL, 0, summary, sizeof(summary), &err);
	cJSON_AddBoolToObject(root, "intact", rc == 0);
	cJSON_AddStringToObject(root, "summary", rc == 0 ? summary : err.message);
	if (rc != 0 && rc != MAMORI_E_TAMPERED) {
		cJSON_Delete(root);
		http_error(res, 500, "internal", NULL, "%s", err.message);
		return;
	}
	http_json(res, 200, root);
}

/*
 * Whether the session's role reads every department's assets (ciso, auditor …):
 * the audit trail records every department's changes, so only such roles read
 * its events.  A subject without a department asking about a resource of a
 * department no one has ("") passes only for roles of scope all.
 */
static bool
query_number(struct request *req, struct response *res, const char *name, long long min, long long *out)
{
	const char *v = http_query(req, name);
	char *end;

	if (v == NULL)
		return true;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (errno || end == v || *end != '\0' || *out < min) {
		http_error(res, 400, "invalid", name, "%s must be a whole number of at least %lld, not '%.40s'",
		    name, min, v);
		return false;
	}
	return true;
}

static int
add_event(const struct mamori_event *ev, void *ctx)
{
	cJSON *e = mamori_event_to_json(ev, false);

	if (e == NULL || !cJSON_AddItemToArray(ctx, e)) {
		cJSON_Delete(e);
		return MAMORI_E_NOMEM;
	}
	return 0;
}

/* GET /api/log: events in seq order, filtered like `mamori log show`. */
void
route_log_events(struct request *req, struct response *res)
{
	struct mamori_event_filter f = { .actor = http_query(req, "actor"), .action = http_query(req, "action"),
		.object_id = http_query(req, "object") };
	struct mamori_error err = { 0 };
	const char *since = http_query(req, "since");
	long long limit = LOG_PAGE, seq = 0;
	cJSON *root, *list;
	int n, rc;
	char *end;

	if (!query_number(req, res, "limit", 1, &limit))
		return;
	if (limit > LOG_PAGE_MAX) {
		http_error(res, 400, "invalid", "limit", "limit is at most %d", LOG_PAGE_MAX);
		return;
	}
	if (since != NULL) {
		seq = strtoll(since, &end, 10);
		if (*end != '\0' || end == since)
			f.since_time = since;	/* an RFC 3339 prefix compares as text */
		else
			f.since_seq = seq;
	}
	f.limit = (size_t)limit + 1;	/* one more: whether there is a next page */
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "events");
	rc = mamori_audit_events(req->db, &f, add_event, list, &err);
	if (rc != 0) {
		cJSON_Delete(root);
		http_error(res, 500, "internal", NULL, "%s", err.message);
		return;
	}
	n = cJSON_GetArraySize(list);
	if (n > limit) {
		cJSON *last = cJSON_DetachItemFromArray(list, n - 1);
		cJSON_AddNumberToObject(root, "next", cJSON_GetObjectItem(last, "seq")->valuedouble);
		cJSON_Delete(last);
		n--;
	} else {
		cJSON_AddNullToObject(root, "next");
	}
	cJSON_AddNumberToObject(root, "count", n);
	http_json(res, 200, root);
}

/*
 * GET /api/log/proof?seq=N[&size=M]: the inclusion proof of event N (in the tree
 * of M events; default: the latest signed head); ?old=A&new=B: the consistency
 * proof between two sizes.  Text, as `mamori log proof` writes it.
 */
void
route_log_proof(struct request *req, struct response *res)
{
	struct mamori_error err = { 0 };
	long long seq = 0, size = 0, old = 0, new = 0;
	bool inclusion = http_query(req, "seq") != NULL;
	bool consistency = http_query(req, "old") != NULL || http_query(req, "new") != NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (inclusion == consistency) {
		http_error(res, 400, "invalid", inclusion ? "old" : "seq",
		    "give seq (inclusion proof) or old and new (consistency proof)");
		return;
	}
	if (!query_number(req, res, "seq", 1, &seq) || !query_number(req, res, "size", 0, &size) ||
	    !query_number(req, res, "old", 1, &old) || !query_number(req, res, "new", 1, &new))
		return;
	if (consistency && (old == 0 || new == 0)) {
		http_error(res, 400, "invalid", old == 0 ? "old" : "new", "a consistency proof needs old and new");
		return;
	}
	if ((f = open_memstream(&buf, &len)) == NULL) {
		http_error(res, 500, "internal", NULL, "out of memory");
		return;
	}
	rc = inclusion ? mamori_audit_proof_inclusion(req->db, seq, (uint64_t)size, f, &err) :
	    mamori_audit_proof_consistency(req->db, (uint64_t)old, (uint64_t)new, f, &err);
	fclose(f);
	if (rc != 0) {
		free(buf);
		/* sizes past the end are a wrong request (400), never a damaged trail (500) */
		if (rc == MAMORI_E_USAGE && (!inclusion || (size > 0 && seq <= size)))
			http_error(res, 400, "invalid", inclusion ? "size" : "new", "%s", err.message);
		else if (rc == MAMORI_E_USAGE || rc == MAMORI_E_NOTFOUND)
			http_error(res, 404, "not-found", inclusion ? "seq" : "new", "%s", err.message);
		else
			http_error(res, 500, "internal", NULL, "%s", err.message);
		return;
	}
	res->status = 200;
	res->content_type = "text/plain; charset=utf-8";
	res->body = buf;
	res->len = len;
}
