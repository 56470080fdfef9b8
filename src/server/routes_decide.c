/*
 * routes_decide.c — POST /api/decide and /api/decide/batch: with a store,
 * decisions go to the audit trail as the policy's decision_log says (all |
 * denials | none), through the server's group commit (audit_queue.h), and an
 * answer leaves only after its record is committed (docs/decide.md).
 */
#include "server.h"
#include "mamori/record.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct decide_arg {
	const struct mamori_decide_record *records;
	size_t n;
};

static int
decide_write(struct mamori_store_tx *tx, void *arg)
{
	const struct decide_arg *a = arg;

	return mamori_decide_log_tx(tx, a->records, a->n);
}

/* Logs n records through the server's group commit; 0 once they are committed. */
static int
log_and_wait(struct server *srv, const struct mamori_decide_record *records, size_t n)
{
	struct decide_arg a = { records, n };
	struct audit_entry e = { .write = decide_write, .arg = &a };

	return n == 0 ? 0 : audit_queue_write(srv, &e);
}

static const char *
actor_of(const struct request *req)
{
	return req->actor[0] ? req->actor : "web:anonymous";
}

/*
 * Who the subject must be: the logged-in account for a session or a read or
 * write token; NULL (anyone) for a gateway token, or without a store (no
 * accounts: a policy file served on loopback).
 */
static const struct mamori_decide_asker *
asker_of(const struct request *req, struct mamori_decide_asker *as)
{
	const struct session *s = req->session;

	if (s == NULL || req->decide_for_others)
		return NULL;
	*as = (struct mamori_decide_asker){ req->view, s->user, s->role, s->department[0] ? s->department : NULL,
		s->mfa };
	return as;
}

/*
 * The records' context for this request: its thread's worker's, whose caches
 * of the exceptions and the registers in force (the terminal table) outlive
 * the request — read again only after another connection's commit — with
 * this request's store, decider and clock; own when there is no worker.
 */
static struct mamori_record_decide *
records_of(struct request *req, struct mamori_record_decide *own)
{
	struct worker *w = req->srv->have_worker_key ? pthread_getspecific(req->srv->worker_key) : NULL;
	struct mamori_record_decide *c = w != NULL && w->db == req->db ? &w->records : own;

	c->s = req->db;
	c->d = req->decider;
	c->now = time(NULL);
	c->today[0] = '\0';	/* today is read once per request */
	return c;
}

/* Frees what the request's own context kept (not the worker's caches). */
static void
records_done(struct mamori_record_decide *c, struct mamori_record_decide *own)
{
	if (c == own)
		mamori_record_decide_clear(own);
}

void
route_decide(struct request *req, struct response *res)
{
	struct mamori_decide_asker as;
	enum mamori_decide_outcome said;
	char *out;

	if (req->body == NULL || req->body_len == 0) {
		http_error(res, 400, "malformed", NULL, "a JSON request is required (docs/decide.md)");
		return;
	}
	/* records in force take part: approvals and exceptions (mamori/record.h) */
	struct mamori_record_decide own = { 0 }, *records = records_of(req, &own);
	struct mamori_decide_hook hook = { mamori_record_decide_hook, records, mamori_record_decide_before };
	out = mamori_decide_json_hooked(req->decider, req->body, req->body_len, 0, asker_of(req, &as),
	    req->db ? &hook : NULL, NULL, &said);
	records_done(records, &own);
	if (out == NULL) {
		http_error(res, 500, "internal", NULL, "out of memory");
		return;
	}
	/* no answer before its record: an unlogged denial must not look logged */
	if (req->srv->audit_queue != NULL && mamori_decide_should_log(req->view, said)) {
		struct mamori_decide_record rec = { actor_of(req), req->body, out, said };
		if (log_and_wait(req->srv, &rec, 1) != 0) {
			free(out);
			http_error(res, 500, "internal", NULL, "the decision could not be logged");
			return;
		}
	}
	/* a request that cannot be decided is the client's error */
	res->status = said == MAMORI_DECIDE_FORBIDDEN ? 403 : said == MAMORI_DECIDE_INVALID ? 400 : 200;
	res->content_type = "application/json; charset=utf-8";
	res->body = out;
	res->len = strlen(out);
}

/* The answers of a batch, and the records of those to log. */
struct batch {
	struct buf out;
	struct mamori_decide_record *recs;
	size_t nrecs, caprecs;
};

static bool
batch_append(struct batch *b, const char *out, size_t olen)
{
	buf_add(&b->out, out, olen);
	buf_addc(&b->out, '\n');
	return !b->out.fail;
}

/* Keeps line and out (taking out), which says said, for the log. */
static bool
batch_keep(struct batch *b, const char *actor, const char *line, size_t n, char *out,
    enum mamori_decide_outcome said)
{
	char *copy;

	if (!ARRAY_RESERVE(b->recs, b->caprecs, b->nrecs + 1, 0))
		return false;
	copy = strndup(line, n);
	if (copy == NULL)
		return false;
	b->recs[b->nrecs++] = (struct mamori_decide_record){ actor, copy, out, said };
	return true;
}

static void
batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->nrecs; i++) {
		free((char *)b->recs[i].request);
		free((char *)b->recs[i].response);
	}
	free(b->recs);
	buf_free(&b->out);
}

/*
 * The lines of a batch that could not be decided (malformed, invalid,
 * forbidden) are logged as one decide.error event: how many, and the first of
 * them with its answer — 200,000 bad lines must not become 200,000 events.
 */
struct invalid {
	long count, first_line;
	char *first_request, *first_response;	/* owned */
};

static void
invalid_note(struct invalid *inv, long lineno, const char *line, size_t n, const char *out)
{
	if (inv->count++ > 0)
		return;
	inv->first_line = lineno;
	inv->first_request = strndup(line, n);
	inv->first_response = strdup(out);
}

/* The summary record of inv into b (taking inv's strings); false when out of memory. */
static bool
invalid_keep(struct batch *b, const char *actor, struct invalid *inv)
{
	cJSON *req = cJSON_CreateObject(), *first;
	char *text = NULL, *out = inv->first_response;
	bool ok = false;

	inv->first_response = NULL;
	if (req == NULL || out == NULL || inv->first_request == NULL)
		goto out;
	cJSON_AddNumberToObject(req, "invalid_lines", (double)inv->count);
	first = cJSON_AddObjectToObject(req, "first");
	cJSON_AddNumberToObject(first, "line", (double)inv->first_line);
	cJSON_AddStringToObject(first, "request", inv->first_request);
	text = cJSON_PrintUnformatted(req);
	if (text != NULL && batch_keep(b, actor, text, strlen(text), out, MAMORI_DECIDE_INVALID)) {
		out = NULL;
		ok = true;
	}
out:
	cJSON_Delete(req);
	free(text);
	free(out);
	return ok;
}

/* JSON lines in, JSON lines out: one answer per non-blank line, in order.  The
 * logged decisions of a batch are committed together before the answers leave. */
void
route_decide_batch(struct request *req, struct response *res)
{
	struct batch b = { 0 };
	const char *line, *end;
	bool logging = req->srv->audit_queue != NULL;
	long lineno = 0;
	struct mamori_decide_asker as;
	const struct mamori_decide_asker *asker = asker_of(req, &as);
	struct invalid inv = { 0 };
	struct mamori_record_decide own = { 0 }, *records = records_of(req, &own);
	struct mamori_decide_hook hook = { mamori_record_decide_hook, records, mamori_record_decide_before };

	if (req->body == NULL || req->body_len == 0) {
		http_error(res, 400, "malformed", NULL, "JSON lines are required, one request per line");
		return;
	}
	line = req->body;
	end = req->body + req->body_len;
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		size_t m = n;
		lineno++;
		while (m > 0 && line[m - 1] == '\r')
			m--;
		if (m > 0) {
			enum mamori_decide_outcome said;
			char *out = mamori_decide_json_hooked(req->decider, line, m, lineno, asker,
			    req->db ? &hook : NULL, NULL, &said);
			bool ok = out != NULL && batch_append(&b, out, strlen(out));
			bool undecided = said == MAMORI_DECIDE_INVALID || said == MAMORI_DECIDE_FORBIDDEN;
			if (ok && logging && undecided) {
				if (mamori_decide_should_log(req->view, said))
					invalid_note(&inv, lineno, line, m, out);
			} else if (ok && logging && mamori_decide_should_log(req->view, said)) {
				ok = batch_keep(&b, actor_of(req), line, m, out, said);
				if (ok)
					out = NULL;	/* the record owns it now */
			}
			free(out);
			if (!ok) {
				records_done(records, &own);
				free(inv.first_request);
				free(inv.first_response);
				batch_free(&b);
				http_error(res, 500, "internal", NULL, "out of memory");
				return;
			}
		}
		line += n + 1;
	}
	records_done(records, &own);
	if (inv.count > 0 && !invalid_keep(&b, actor_of(req), &inv)) {
		free(inv.first_request);
		batch_free(&b);
		http_error(res, 500, "internal", NULL, "out of memory");
		return;
	}
	free(inv.first_request);
	if (logging && log_and_wait(req->srv, b.recs, b.nrecs) != 0) {
		batch_free(&b);
		http_error(res, 500, "internal", NULL, "the decisions could not be logged");
		return;
	}
	res->status = 200;
	res->content_type = "application/x-ndjson; charset=utf-8";
	res->body = buf_take(&b.out, &res->len);
	batch_free(&b);
}
