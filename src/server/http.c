/* http.c — JSON responses, errors and request bodies for the server. */
#include "http.h"
#include "json_strict.h"
#include "mamori/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { JSON_DEPTH_MAX = 32 };

void
http_json(struct response *res, unsigned status, cJSON *root)
{
	char *s = root ? cJSON_PrintUnformatted(root) : NULL;

	cJSON_Delete(root);
	free(res->body);
	res->status = s ? status : 500;
	res->content_type = "application/json; charset=utf-8";
	res->body = s ? s : strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\",\"field\":null}}");
	res->len = res->body ? strlen(res->body) : 0;
}

void
http_buf(struct response *res, unsigned status, struct buf *b)
{
	size_t len;
	char *text = buf_take(b, &len);

	if (text == NULL) {
		http_error(res, 500, "internal", NULL, "out of memory");
		return;
	}
	free(res->body);
	res->status = status;
	res->content_type = "application/json; charset=utf-8";
	res->body = text;
	res->len = len;
}

void
http_error(struct response *res, unsigned status, const char *code, const char *field,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	cJSON *root = cJSON_CreateObject(), *err;

	va_start(ap, fmt);
	/* in the request's language (lang.h); marked by xgettext's keyword */
	vsnprintf(msg, sizeof(msg), _(fmt), ap);
	va_end(ap);
	err = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", msg);
	if (field != NULL)
		cJSON_AddStringToObject(err, "field", field);
	else
		cJSON_AddNullToObject(err, "field");
	http_json(res, status, root);
}

cJSON *
http_body_json(const struct request *req, struct response *res)
{
	struct json_strict_error e = { "", "" };
	cJSON *root;

	if (req->body_too_large) {
		http_error(res, 413, "too-large", NULL, "request body too large");
		return NULL;
	}
	if (req->body == NULL || req->body_len == 0) {
		http_error(res, 400, "malformed", NULL, "a JSON body is required");
		return NULL;
	}
	root = json_strict_parse(req->body, req->body_len, JSON_DEPTH_MAX, &e);
	if (root == NULL) {
		http_error(res, 400, "malformed", e.field[0] ? e.field : NULL, "the body: %s", e.message);
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		http_error(res, 400, "malformed", NULL, "the body is not a JSON object");
		return NULL;
	}
	return root;
}

/* (conn is NULL for requests made in memory: fuzz/fuzz_request.c) */
const char *
http_query(const struct request *req, const char *name)
{
	return req->conn ? MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name) : NULL;
}

const char *
http_header(const struct request *req, const char *name)
{
	return req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name) : NULL;
}
