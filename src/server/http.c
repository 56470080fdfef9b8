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
jbuf_raw(struct jbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
jbuf_str(struct jbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	jbuf_raw(b, "\"", 1);
	/* copy runs that need no escape in one piece */
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], '\0' };
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		jbuf_raw(b, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			jbuf_raw(b, esc, 2);
		} else if (c == '\n' || c == '\r' || c == '\t') {
			esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			jbuf_raw(b, esc, 2);
		} else {
			jbuf_raw(b, esc, 6);
		}
	}
	jbuf_raw(b, run, (size_t)(s - run));
	jbuf_raw(b, "\"", 1);
}

void
jbuf_key(struct jbuf *b, const char *name)
{
	jbuf_raw(b, "\"", 1);
	jbuf_raw(b, name, strlen(name));
	jbuf_raw(b, "\":", 2);
}

void
http_jbuf(struct response *res, unsigned status, struct jbuf *b)
{
	if (b->failed || b->p == NULL) {
		free(b->p);
		*b = (struct jbuf){ 0 };
		http_error(res, 500, "internal", NULL, "out of memory");
		return;
	}
	free(res->body);
	res->status = status;
	res->content_type = "application/json; charset=utf-8";
	res->body = b->p;
	res->len = b->len;
	*b = (struct jbuf){ 0 };
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
