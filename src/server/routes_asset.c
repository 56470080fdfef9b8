/*
 * routes_asset.c — the register over HTTP.  Who may do what comes from the
 * policy's role access (the decision point's rule): a 職員 sees and changes only
 * their department's assets, an auditor reads everything and changes nothing.
 */
#include "server.h"
#include "access.h"
#include "mamori/asset.h"
#include "mamori/decide.h"
#include "mamori/xlsx.h"
#include "json_strict.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* numbers in an asset body: levels and a retention in years */
enum { ASSET_NUMBER_MAX = 1000000 };

static cJSON *
asset_json(const struct mamori_asset *a)
{
	cJSON *o = cJSON_CreateObject();

	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (a->f[k])
			cJSON_AddStringToObject(o, mamori_asset_columns[k].id, a->f[k]);
	return o;
}

/* The asset's fields as JSON members, written straight out (what asset_json makes). */
static void
asset_write(struct buf *b, const struct mamori_asset *a)
{
	bool first = true;

	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		if (a->f[k] == NULL)
			continue;
		if (!first)
			BUF_LIT(b, ",");
		first = false;
		buf_json_key(b, mamori_asset_columns[k].id);
		buf_json_string(b, a->f[k]);
	}
}

/* The list is written row by row as SQLite returns them: no tree of thousands of objects. */
struct list_ctx {
	struct request *req;
	struct buf out;
	size_t count, hidden;
};

static int
list_row(const struct mamori_asset *a, void *arg)
{
	struct list_ctx *c = arg;

	if (!access_assets(c->req, MAMORI_ACT_READ, a->f[MAMORI_AF_DEPARTMENT])) {
		c->hidden++;
		return 0;
	}
	if (c->count > 0)
		BUF_LIT(&c->out, ",");
	BUF_LIT(&c->out, "{");
	asset_write(&c->out, a);
	BUF_LIT(&c->out, "}");
	c->count++;
	return c->out.fail ? MAMORI_E_NOMEM : 0;
}

/* The list filters of the query string (those of `mamori asset list`); false after a 400. */
static bool
query_filter(struct request *req, struct response *res, struct mamori_asset_filter *f)
{
	static const char *const axes[3] = { "c", "i", "a" };

	*f = (struct mamori_asset_filter){
		.department = http_query(req, "department"), .segment = http_query(req, "segment"),
		.kind = http_query(req, "kind"), .status = http_query(req, "status"), .text = http_query(req, "q"),
	};
	const char *owner = http_query(req, "owner");

	if (owner != NULL && strcmp(owner, "none") != 0) {
		http_error(res, 400, "invalid", "owner", "owner is 'none' (assets no role answers for), not '%.40s'", owner);
		return false;
	}
	f->without_owner = owner != NULL;
	for (int ax = 0; ax < 3; ax++) {
		const char *v = http_query(req, axes[ax]);
		if (v && !mamori_asset_filter_level(f, ax, v)) {
			http_error(res, 400, "invalid", axes[ax], "'%s' is not a level or a comparison like >=2", v);
			return false;
		}
	}
	return true;
}

/*
 * Narrows f to what the session's role may read, so that the register's
 * count and pages hold only assets it may see: a role that reads its own
 * department's assets lists that department (asking for another's gets
 * nothing).  False: the role may read none.
 */
static bool
reach_filter(struct request *req, struct mamori_asset_filter *f)
{
	const struct session *s = req->session;
	const struct mamori_department *d;

	if (s == NULL)
		return false;
	switch (mamori_decider_role_reach(req->decider, s->role, MAMORI_ACT_READ)) {
	case MAMORI_REACH_ALL:
		return true;
	case MAMORI_REACH_DEPARTMENT:
		if (s->department[0] == '\0')
			return false;
		if (f->department != NULL && ((d = mamori_policy_find_department(req->view, f->department)) == NULL ||
		    strcmp(d->id, s->department) != 0))
			return false;
		f->department = s->department;
		return true;
	default:
		return false;
	}
}

/* The page of the query string: limit (1–10,000, 1,000 when not given), sort and after. */
static bool
query_page(struct request *req, struct response *res, struct mamori_asset_filter *f)
{
	const char *limit = http_query(req, "limit");
	char *end;
	long v = 1000;

	if (limit != NULL && ((v = strtol(limit, &end, 10)) < 1 || v > 10000 || *end != '\0' || end == limit)) {
		http_error(res, 400, "invalid", "limit", "'%s' is not a page size from 1 to 10000", limit);
		return false;
	}
	f->limit = (size_t)v;
	f->after = http_query(req, "after");
	f->sort = http_query(req, "sort");
	if (!mamori_asset_sort_valid(f->sort)) {
		http_error(res, 400, "invalid", "sort", "'%.40s' is not an order of the list (id, name, updated, "
		    "department, kind, confidentiality, integrity, availability; -name reverses)", f->sort);
		return false;
	}
	return true;
}

void
route_assets_list(struct request *req, struct response *res)
{
	struct mamori_asset_filter f;
	struct mamori_asset_page page = { 0 };
	struct list_ctx c = { .req = req };
	struct mamori_error err = { 0 };
	char tail[160];
	int rc = 0;

	if (!query_filter(req, res, &f) || !query_page(req, res, &f))
		return;
	BUF_LIT(&c.out, "{\"assets\":[");
	if (reach_filter(req, &f))
		rc = mamori_asset_page(req->db, &f, list_row, &c, &page, &err);
	if (rc == MAMORI_E_NOTFOUND) {
		free(c.out.p);
		http_error(res, 400, "invalid", "after", "%s", err.message);
		return;
	}
	if (rc != 0) {
		free(c.out.p);
		http_error(res, 500, "internal", NULL, "%s", rc == MAMORI_E_NOMEM ? "out of memory" : err.message);
		return;
	}
	snprintf(tail, sizeof(tail), "],\"count\":%zu,\"total\":%lld,\"next\":", c.count, (long long)page.total);
	buf_add(&c.out, tail, strlen(tail));
	if (page.more)
		buf_json_string(&c.out, page.next);
	else
		BUF_LIT(&c.out, "null");
	BUF_LIT(&c.out, "}");
	http_buf(res, 200, &c.out);
}

struct restriction_ctx {
	struct buf *out;
	size_t n;
};

static void
add_restriction(const struct mamori_axis *axis, const struct mamori_restriction *r, void *arg)
{
	struct restriction_ctx *c = arg;

	if (c->n++ > 0)
		BUF_LIT(c->out, ",");
	BUF_LIT(c->out, "{");
	buf_json_key(c->out, "axis");
	buf_json_string(c->out, axis->id);
	BUF_LIT(c->out, ",");
	buf_json_key(c->out, "id");
	buf_json_string(c->out, r->id);
	BUF_LIT(c->out, ",");
	buf_json_key(c->out, "text");
	buf_json_string(c->out, r->text);
	BUF_LIT(c->out, ",");
	buf_json_key(c->out, "clause");
	buf_json_string(c->out, r->clause);
	BUF_LIT(c->out, "}");
}

void
route_asset_get(struct request *req, struct response *res)
{
	struct mamori_asset a = { 0 };
	struct mamori_error err = { 0 };
	struct buf out = { 0 };
	struct restriction_ctx rc_ctx = { &out, 0 };
	int rc;

	rc = mamori_asset_get(req->db, req->params[0], &a, &err);
	if (rc != 0) {
		http_error(res, 404, "not-found", NULL, "no asset %s", req->params[0]);
	} else if (!access_assets(req, MAMORI_ACT_READ, a.f[MAMORI_AF_DEPARTMENT])) {
		server_forbid(req, res, "read this department's assets");
	} else {
		BUF_LIT(&out, "{");
		asset_write(&out, &a);
		BUF_LIT(&out, ",\"restrictions\":[");
		mamori_asset_restrictions(req->view, &a, add_restriction, &rc_ctx);
		BUF_LIT(&out, "]}");
		http_buf(res, 200, &out);
	}
	mamori_asset_clear(&a);
}

/*
 * The fields of a JSON body into a; false after a 400.  For an edit, only what
 * describes the asset may change: its id never, its status and disposal only
 * through POST /api/assets/{id}/dispose, its times only by the register.
 */
static bool
asset_from_body(const cJSON *body, struct mamori_asset *a, bool edit, struct response *res)
{
	for (const cJSON *it = body->child; it; it = it->next) {
		int k = mamori_asset_column_find(it->string);
		char num[16];
		if (k < 0 || !mamori_asset_columns[k].importable) {
			http_error(res, 400, "invalid", it->string, "unknown field '%s'", it->string);
			return false;
		}
		if (edit && (k == MAMORI_AF_ID || k == MAMORI_AF_STATUS || k >= MAMORI_AF_CREATED)) {
			http_error(res, 400, "invalid", it->string, "'%s' cannot be edited%s", it->string,
			    k == MAMORI_AF_ID ? " (an asset's id never changes)" : k >= MAMORI_AF_DISPOSED_DATE ||
			    k == MAMORI_AF_STATUS ? "; record a disposal with POST /api/assets/{id}/dispose" :
			    " (the register keeps the times)");
			return false;
		}
		long n;
		if (cJSON_IsNumber(it)) {
			/* numbers in an asset are levels and counts: whole, never rounded */
			if (!json_strict_int(it, 0, ASSET_NUMBER_MAX, &n)) {
				http_error(res, 400, "invalid", it->string, "'%s' must be a whole number from 0 to %d",
				    it->string, ASSET_NUMBER_MAX);
				return false;
			}
			snprintf(num, sizeof(num), "%ld", n);
			mamori_asset_set(a, (enum mamori_asset_field)k, num);
		} else if (cJSON_IsString(it)) {
			mamori_asset_set(a, (enum mamori_asset_field)k, it->valuestring);
		} else {
			http_error(res, 400, "invalid", it->string, "'%s' must be a string or a number", it->string);
			return false;
		}
	}
	return true;
}


void
route_assets_add(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res);
	struct mamori_asset a = { 0 };
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	const struct mamori_department *dep;
	int rc;

	if (body == NULL || !asset_from_body(body, &a, false, res))
		goto out;
	dep = a.f[MAMORI_AF_DEPARTMENT] ? mamori_policy_find_department(req->view, a.f[MAMORI_AF_DEPARTMENT]) : NULL;
	if (!access_assets(req, MAMORI_ACT_WRITE, dep ? dep->id : a.f[MAMORI_AF_DEPARTMENT])) {
		server_forbid(req, res, "add assets of this department");
		goto out;
	}
	rc = mamori_asset_add(server_store_begin(req), req->actor, &a, &d, &err);
	if (server_store_end_diags(req, res, rc, &err, "id", &d, NULL))
		http_json(res, 201, asset_json(&a));
out:
	mamori_diags_clear(&d);
	mamori_asset_clear(&a);
	cJSON_Delete(body);
}

void
route_asset_dispose(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res);
	struct mamori_asset a = { 0 };
	struct mamori_error err = { 0 };
	const cJSON *m, *by, *w, *date;
	int rc;

	if (body == NULL)
		return;
	m = cJSON_GetObjectItemCaseSensitive(body, "method");
	by = cJSON_GetObjectItemCaseSensitive(body, "by");
	w = cJSON_GetObjectItemCaseSensitive(body, "witness");
	date = cJSON_GetObjectItemCaseSensitive(body, "date");
	if (!cJSON_IsString(m) || !cJSON_IsString(by) || !cJSON_IsString(date) || (w && !cJSON_IsString(w) &&
	    !cJSON_IsNull(w))) {
		http_error(res, 400, "invalid", !cJSON_IsString(m) ? "method" : !cJSON_IsString(by) ? "by" :
		    !cJSON_IsString(date) ? "date" : "witness", "method, by and date are required strings; witness a string");
		goto out;
	}
	/* the register's own limits (mamori_asset_field_max) */
	const struct { const cJSON *v; const char *name; int k; } lim[] = {
		{ m, "method", MAMORI_AF_DISPOSED_METHOD }, { by, "by", MAMORI_AF_DISPOSED_BY },
		{ date, "date", MAMORI_AF_DISPOSED_DATE }, { w, "witness", MAMORI_AF_DISPOSED_WITNESS },
	};
	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++)
		if (cJSON_IsString(lim[i].v) && mamori_utf8_length(lim[i].v->valuestring,
		    strlen(lim[i].v->valuestring)) > mamori_asset_field_max[lim[i].k]) {
			http_error(res, 400, "invalid", lim[i].name, "%s is longer than %u characters", lim[i].name,
			    mamori_asset_field_max[lim[i].k]);
			goto out;
		}
	pthread_mutex_lock(&req->srv->store_lock);
	rc = mamori_asset_get(req->srv->store, req->params[0], &a, &err);
	if (rc == 0 && !access_assets(req, MAMORI_ACT_DISPOSE, a.f[MAMORI_AF_DEPARTMENT])) {
		pthread_mutex_unlock(&req->srv->store_lock);
		server_forbid(req, res, "dispose of this department's assets");
		goto out;
	}
	if (rc == 0)
		rc = mamori_asset_dispose(req->srv->store, req->actor, req->params[0], date->valuestring,
		    m->valuestring, by->valuestring, cJSON_IsString(w) ? w->valuestring : NULL, &err);
	pthread_mutex_unlock(&req->srv->store_lock);
	/* a method the policy refuses for the asset's levels is invalid against
	 * the policy (422), not the role's refusal (403) */
	if (rc != 0)
		server_error(res, rc == MAMORI_E_DENIED ? MAMORI_E_INVALID : rc, rc == MAMORI_E_CONFLICT ? NULL : "method",
		    &err);
	else
		http_json(res, 200, cJSON_CreateObject());
out:
	mamori_asset_clear(&a);
	cJSON_Delete(body);
}

/* PATCH /api/assets/{id}: the fields given change; the rest stay. */
void
route_asset_edit(struct request *req, struct response *res)
{
	cJSON *body = http_body_json(req, res);
	struct mamori_asset before = { 0 }, changes = { 0 }, after = { 0 };
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	const struct mamori_department *dep;
	int rc;

	if (body == NULL || !asset_from_body(body, &changes, true, res))
		goto out;
	if (body->child == NULL) {
		http_error(res, 400, "malformed", NULL, "name at least one field to change");
		goto out;
	}
	(void)server_store_begin(req);	/* ended by server_store_end_diags below */
	rc = mamori_asset_get(req->srv->store, req->params[0], &before, &err);
	if (rc != 0) {
		pthread_mutex_unlock(&req->srv->store_lock);
		server_error(res, rc, NULL, &err);
		goto out;
	}
	dep = changes.f[MAMORI_AF_DEPARTMENT] ? mamori_policy_find_department(req->view, changes.f[MAMORI_AF_DEPARTMENT]) : NULL;
	if (!access_assets(req, MAMORI_ACT_WRITE, before.f[MAMORI_AF_DEPARTMENT]) || (changes.f[MAMORI_AF_DEPARTMENT] &&
	    !access_assets(req, MAMORI_ACT_WRITE, dep ? dep->id : changes.f[MAMORI_AF_DEPARTMENT]))) {
		pthread_mutex_unlock(&req->srv->store_lock);
		server_forbid(req, res, changes.f[MAMORI_AF_DEPARTMENT] ? "move assets between these departments" :
		    "change this department's assets");
		goto out;
	}
	rc = mamori_asset_edit(req->srv->store, req->actor, req->params[0], &changes, &d, &err);
	if (rc == 0)
		rc = mamori_asset_get(req->srv->store, req->params[0], &after, &err);
	if (server_store_end_diags(req, res, rc, &err, rc == MAMORI_E_USAGE ? "id" : NULL, &d, NULL))
		http_json(res, 200, asset_json(&after));
out:
	mamori_diags_clear(&d);
	mamori_asset_clear(&before);
	mamori_asset_clear(&changes);
	mamori_asset_clear(&after);
	cJSON_Delete(body);
}

static bool
may_write(const char *department, void *ctx)
{
	return access_assets(ctx, MAMORI_ACT_WRITE, department);
}

static bool
may_read(const char *department, void *ctx)
{
	return access_assets(ctx, MAMORI_ACT_READ, department);
}

bool
server_asset_may_read(const char *department, void *ctx)
{
	return may_read(department, ctx);
}

bool
server_asset_filter(struct request *req, struct response *res, struct mamori_asset_filter *f)
{
	return query_filter(req, res, f);
}

static bool
is_true(const char *v)
{
	return v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || v[0] == '\0');
}

/* What an import reads: the file and its options, from the query string and a
 * raw body, or from the fields of a multipart/form-data body (a browser form). */
struct upload {
	const char *file;
	size_t len;
	char *owned;			/* the file field's bytes, when multipart (malloc'd) */
	size_t cap, max;
	char sheet[128], encoding[16], dry_run[8];
	bool has_file, has_sheet, has_encoding, has_dry_run;
	const char *bad;		/* the first field that is unknown or too long */
};

/* Appends size bytes to a small text field; false when it would not fit. */
static bool
field_put(char *f, size_t cap, bool *has, uint64_t off, const char *data, size_t size)
{
	*has = true;
	if (off + size + 1 > cap)
		return false;
	memcpy(f + off, data, size);
	f[off + size] = '\0';
	return true;
}

/* MHD_PostDataIterator: the import form's fields (file, sheet, encoding, dry_run). */
static enum MHD_Result
upload_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
    const char *content_type, const char *transfer_encoding, const char *data, uint64_t off, size_t size)
{
	struct upload *u = cls;
	bool ok = true;

	(void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
	if (strcmp(key, "file") == 0) {
		u->has_file = true;
		if (u->len + size > u->max) {
			ok = false;
		} else if (u->len + size > u->cap) {
			size_t cap = u->cap ? u->cap : 65536;
			while (cap < u->len + size)
				cap *= 2;
			char *b = realloc(u->owned, cap);
			ok = b != NULL;
			if (ok) {
				u->owned = b;
				u->cap = cap;
			}
		}
		if (ok && size > 0) {
			memcpy(u->owned + u->len, data, size);
			u->len += size;
		}
	} else if (strcmp(key, "sheet") == 0) {
		ok = field_put(u->sheet, sizeof(u->sheet), &u->has_sheet, off, data, size);
	} else if (strcmp(key, "encoding") == 0) {
		ok = field_put(u->encoding, sizeof(u->encoding), &u->has_encoding, off, data, size);
	} else if (strcmp(key, "dry_run") == 0) {
		ok = field_put(u->dry_run, sizeof(u->dry_run), &u->has_dry_run, off, data, size);
	} else {
		ok = false;
	}
	if (!ok && u->bad == NULL)
		u->bad = strcmp(key, "file") == 0 ? "file" : strcmp(key, "sheet") == 0 ? "sheet" :
		    strcmp(key, "encoding") == 0 ? "encoding" : strcmp(key, "dry_run") == 0 ? "dry_run" : "(unknown)";
	return ok ? MHD_YES : MHD_NO;
}

/*
 * The upload of an import: a multipart/form-data body is parsed with
 * libmicrohttpd's post processor (field file: the CSV or workbook; sheet,
 * encoding, dry_run as in the query string, which they override); any other
 * body is the file itself.  False after a 400.
 */
static bool
upload_read(struct request *req, struct response *res, struct upload *u)
{
	const char *ct = http_header(req, "Content-Type");
	struct MHD_PostProcessor *pp;
	enum MHD_Result r;

	memset(u, 0, sizeof(*u));
	u->file = req->body;
	u->len = req->body_len;
	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0 || req->body == NULL)
		return true;
	u->file = NULL;
	u->len = 0;
	u->max = req->srv->cfg.body_max;
	pp = MHD_create_post_processor(req->conn, 64 * 1024, upload_field, u);
	if (pp == NULL) {
		http_error(res, 400, "malformed", NULL, "a multipart/form-data body needs its boundary");
		return false;
	}
	r = MHD_post_process(pp, req->body, req->body_len);
	if (MHD_destroy_post_processor(pp) != MHD_YES || r != MHD_YES || u->bad != NULL || !u->has_file) {
		http_error(res, 400, "invalid", u->bad ? u->bad : "file", "%s",
		    u->bad && strcmp(u->bad, "(unknown)") == 0 ? "unknown form field (file, sheet, encoding, dry_run)" :
		    u->bad ? "form field too long" : !u->has_file ? "the form has no field 'file'" :
		    "the multipart/form-data body is malformed");
		free(u->owned);
		u->owned = NULL;
		return false;
	}
	u->file = u->owned;
	return true;
}

/*
 * An uploaded workbook's sheet as CSV into *csv (malloc'd); false when it is
 * not usable, with the 422 answered.  What a workbook may inflate to is bound
 * by the body's own bound: a 16 MiB upload reads at most 64 times that.
 */
static bool
workbook_csv(struct request *req, struct response *res, const struct upload *u, char **csv, size_t *len)
{
	struct mamori_xlsx_limits lim = { .max_part = 64 * req->srv->cfg.body_max,
		.max_output = 64 * req->srv->cfg.body_max };
	struct mamori_diags d = { 0 };
	char msg[512];

	*csv = mamori_xlsx_sheet_csv(u->file, u->len, u->has_sheet ? u->sheet : http_query(req, "sheet"), &lim, NULL,
	    len, msg, sizeof(msg));
	if (*csv != NULL)
		return true;
	/* the shape of an import's other 422s: the reason as its one diagnostic */
	mamori_diags_add(&d, MAMORI_SEV_ERROR, NULL, 0, 0, "upload.xlsx: %s", msg);
	server_error_diags(res, 422, "invalid", "upload.xlsx: cannot read the workbook", &d, "row");
	mamori_diags_clear(&d);
	return false;
}

/*
 * POST /api/assets/import: the body is the CSV file (UTF-8 with or without BOM,
 * or CP932; ?encoding= forces one) or an XLSX workbook (?sheet= names the
 * sheet; the first by default), all or nothing; ?dry_run=1 only checks.  Or a
 * browser form's multipart/form-data: the field file, with sheet, encoding and
 * dry_run as fields (upload_read).  ?header_row=N says which row is the
 * header (else it is found); ?strict=1 refuses columns the register lacks.
 */
void
route_assets_import(struct request *req, struct response *res)
{
	const char *enc, *name = "upload.csv", *body;
	bool dry;
	struct mamori_asset_scope scope = { may_write, req };
	struct mamori_import_opts opts;
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct upload u;
	size_t count = 0, body_len;
	char *csv = NULL, *end;
	const char *hr = http_query(req, "header_row");
	long header_row = 0;
	cJSON *root;
	int rc;

	if (hr != NULL && ((header_row = strtol(hr, &end, 10)) < 1 || header_row > 1000 || *end != '\0')) {
		http_error(res, 400, "invalid", "header_row", "header_row is a row number from 1 to 1000");
		return;
	}
	/* a role that writes no assets at all was refused before the file is
	 * read (the route's need: ACCESS_ASSETS_WRITE) */
	if (!upload_read(req, res, &u))
		return;
	enc = u.has_encoding ? u.encoding : http_query(req, "encoding");
	dry = u.has_dry_run ? is_true(u.dry_run) : is_true(http_query(req, "dry_run"));
	body = u.file;
	body_len = u.len;
	if (body == NULL || body_len == 0) {
		http_error(res, 400, "malformed", NULL, "the body must be the CSV file or XLSX workbook (first row: 資産名, 種別, 所管課 …)");
		goto out;
	}
	if (enc != NULL && strcmp(enc, "utf-8") != 0 && strcmp(enc, "cp932") != 0) {
		http_error(res, 400, "invalid", "encoding", "encoding is utf-8 or cp932, not '%.40s'", enc);
		goto out;
	}
	if (mamori_xlsx_looks_like(body, body_len)) {
		if (enc != NULL) {
			http_error(res, 400, "invalid", "encoding", "the body is an Excel workbook: encoding is for CSV");
			goto out;
		}
		/* read before the store is locked: inflating a sheet is the long part */
		if (!workbook_csv(req, res, &u, &csv, &body_len))
			goto out;
		body = csv;
		name = "upload.xlsx";
		enc = "utf-8";
	}
	pthread_mutex_lock(&req->srv->store_lock);
	opts = (struct mamori_import_opts){ .encoding = enc, .dry_run = dry, .scope = &scope,
		.header_row = header_row, .strict = is_true(http_query(req, "strict")) };
	rc = mamori_asset_import_buffer(req->srv->store, req->actor, name, body, body_len, &opts, &d, &count, &err);
	pthread_mutex_unlock(&req->srv->store_lock);
	free(csv);
	if (rc == MAMORI_E_DENIED) {
		server_error_diags(res, 403, "forbidden", err.message, &d, "row");
		server_audit_denied(req, 403, "import assets of other departments");
	} else if (rc == MAMORI_E_INVALID) {
		server_error_diags(res, 422, "invalid", err.message, &d, "row");
	} else if (rc == MAMORI_E_CONFLICT) {
		http_error(res, 409, "conflict", NULL, "%s", err.message);
	} else if (rc != 0) {
		http_error(res, 500, "internal", NULL, "%s", err.message);
	} else {
		root = cJSON_CreateObject();
		cJSON_AddNumberToObject(root, "imported", dry ? 0 : (double)count);
		cJSON_AddNumberToObject(root, "rows", (double)count);
		cJSON_AddBoolToObject(root, "dry_run", dry);
		/* what the import read past: a title row, columns not in the register */
		cJSON_AddItemToObject(root, "warnings", server_diags_json(&d, "row"));
		http_json(res, dry ? 200 : 201, root);
	}
	mamori_diags_clear(&d);
out:
	free(u.owned);
}

struct asset_xlsx {
	struct mamori_store *db;
	const struct mamori_export_opts *opts;
};

static int
write_asset_xlsx(const char *path, void *arg, struct mamori_error *err)
{
	const struct asset_xlsx *x = arg;

	return mamori_asset_export_xlsx(x->db, path, x->opts, err);
}

/* GET /api/assets/export?format=csv|xlsx: the assets the role may read, with the list's filters. */
void
route_assets_export(struct request *req, struct response *res)
{
	const char *format = http_query(req, "format");
	struct mamori_asset_scope scope = { may_read, req };
	struct mamori_asset_filter f;
	struct mamori_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	if (!query_filter(req, res, &f))
		return;
	if (format == NULL || strcmp(format, "csv") == 0) {
		if ((out = open_memstream(&buf, &len)) == NULL) {
			http_error(res, 500, "internal", NULL, "out of memory");
			return;
		}
		rc = mamori_asset_export_csv(req->db, out, &(struct mamori_export_opts){ .filter = &f, .scope = &scope }, &err);
		fclose(out);
		if (rc != 0) {
			free(buf);
			http_error(res, 500, "internal", NULL, "%s", err.message);
			return;
		}
		res->body = buf;
		res->len = len;
		res->content_type = "text/csv; charset=utf-8";
		res->disposition = "attachment; filename=\"mamori-assets.csv\"";
	} else if (strcmp(format, "xlsx") == 0) {
		struct mamori_export_opts opts = { .filter = &f, .scope = &scope };
		server_xlsx_response(res, "attachment; filename=\"mamori-assets.xlsx\"", write_asset_xlsx,
		    &(struct asset_xlsx){ req->db, &opts });
		return;
	} else {
		http_error(res, 400, "invalid", "format", "format is csv or xlsx, not '%.40s'", format);
		return;
	}
	res->status = 200;
}
