/* routes_decide.c — POST /api/decide and /api/decide/batch. */
#include "server.h"

#include <stdlib.h>
#include <string.h>

void
route_decide(struct request *req, struct response *res)
{
	char *out;

	if (req->body == NULL || req->body_len == 0) {
		http_error(res, 400, "malformed", NULL, "a JSON request is required (docs/decide.md)");
		return;
	}
	out = mamori_decide_json(req->decider, req->body, req->body_len, 0, NULL);
	if (out == NULL) {
		http_error(res, 500, "internal", NULL, "out of memory");
		return;
	}
	/* a request that cannot be decided is the client's error */
	res->status = strncmp(out, "{\"error\"", 8) == 0 ? 400 : 200;
	res->content_type = "application/json; charset=utf-8";
	res->body = out;
	res->len = strlen(out);
}

/* JSON lines in, JSON lines out: one answer per non-blank line, in order. */
void
route_decide_batch(struct request *req, struct response *res)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	const char *line = req->body;
	long lineno = 0;

	if (req->body == NULL || req->body_len == 0) {
		http_error(res, 400, "malformed", NULL, "JSON lines are required, one request per line");
		return;
	}
	while (line < req->body + req->body_len) {
		const char *nl = memchr(line, '\n', (size_t)(req->body + req->body_len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(req->body + req->body_len - line);
		size_t m = n;
		lineno++;
		while (m > 0 && line[m - 1] == '\r')
			m--;
		if (m > 0) {
			char *out = mamori_decide_json(req->decider, line, m, lineno, NULL);
			size_t olen = out ? strlen(out) : 0;
			if (out == NULL || len + olen + 2 > cap) {
				size_t ncap = cap ? cap * 2 : 4096;
				while (out && ncap < len + olen + 2)
					ncap *= 2;
				char *nb = out ? realloc(buf, ncap) : NULL;
				if (nb == NULL) {
					free(out);
					free(buf);
					http_error(res, 500, "internal", NULL, "out of memory");
					return;
				}
				buf = nb;
				cap = ncap;
			}
			memcpy(buf + len, out, olen);
			len += olen;
			buf[len++] = '\n';
			buf[len] = '\0';
			free(out);
		}
		line += n + 1;
	}
	res->status = 200;
	res->content_type = "application/x-ndjson; charset=utf-8";
	res->body = buf ? buf : calloc(1, 1);
	res->len = len;
}
