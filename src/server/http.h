/*
 * http.h — the server's request and response plumbing over libmicrohttpd:
 * bounded request bodies, JSON in and out, errors in one shape.  (server-internal)
 */
#ifndef MAMORI_SERVER_HTTP_H
#define MAMORI_SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "buf.h"

struct server;
struct worker;
struct mamori_store;
struct mamori_policy;
struct mamori_decider;

/* One request as the route handlers see it.  Owned by the server. */
struct request {
	struct server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;		/* without the query string */
	char *body;			/* NUL-terminated; NULL when empty */
	size_t body_len;
	bool body_too_large;
	const char *params[4];		/* path parameters matched by the route ({id}) */
	char client[64];		/* client address, for logs and lockouts */
	/* with a store: this thread's own read-only connection, for the routes'
	 * reads without store_lock (writes use srv->store under store_lock).  After
	 * login checks it holds one read transaction until the answer is made:
	 * reads on it see the store as it was when the request began, so read back
	 * what a route itself wrote through srv->store, not through db. */
	struct mamori_store *db;
	struct worker *worker;
	/* filled by authentication */
	const struct session *session;	/* NULL when not logged in */
	char actor[160];		/* "web:tanaka@127.0.0.1" */
	bool decide_for_others;		/* a gateway token: decisions may name any subject */
	bool password_temporary;	/* the session's account must change its password first */
	/* the policy in force and its decider when the request began (a PUT
	 * /api/policy replaces them for later requests; these stay valid) */
	const struct mamori_policy *view;
	const struct mamori_decider *decider;
};

/* A response: status, content type and a malloc'd body the server frees. */
struct response {
	unsigned status;
	const char *content_type;
	char *body;
	size_t len;
	const char *extra_header[2];	/* name, value (e.g. Set-Cookie) */
	char extra_value[256];
	const char *disposition;	/* Content-Disposition, for downloads */
	char disposition_value[1100];	/* room for one built per answer (a file's name) */
	char type_value[128];		/* and for a content type (a file's) */
	const char *csp;		/* Content-Security-Policy instead of the UI's; NULL: the UI's */
	const char *language;		/* Content-Language of a JSON answer ("ja", "en"); NULL: none */
};

/*
 * A JSON text too large to build as a cJSON tree first (the register list:
 * thousands of objects) is written straight into a struct buf (buf.h:
 * buf_add, buf_json_key, buf_json_string); a failed buffer answers 500.
 */
/* Hands b's text to res as the JSON body with status (500 if b failed); empties b. */
void http_buf(struct response *res, unsigned status, struct buf *b);

/* JSON body of root (consumed); status as given. */
void http_json(struct response *res, unsigned status, cJSON *root);

/*
 * The one error shape: {"error": {"code", "message", "field"}}.  code is a short
 * machine-readable word ("malformed", "unauthorized", "forbidden", "not-found",
 * "conflict", "too-large", "invalid", "rate-limited"); field may be NULL.  fmt
 * is a gettext msgid (an xgettext keyword): the message is translated into the
 * request's language (lang.h), as the library's messages are.
 */
void http_error(struct response *res, unsigned status, const char *code, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Parses the request body as a JSON object with bounded depth and valid UTF-8.
 * Returns NULL after filling res with a 400/413 error when it is not.
 */
cJSON *http_body_json(const struct request *req, struct response *res);

/* The value of a query-string argument, or NULL. */
const char *http_query(const struct request *req, const char *name);

/* The value of a request header, or NULL. */
const char *http_header(const struct request *req, const char *name);

#endif
