/* routes_log.c — GET /api/log/head and /api/log/verify. */
#include "server.h"
#include "mamori/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
