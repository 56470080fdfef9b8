/* decide_log.c — decisions into the audit trail, many per transaction. */
#include "mamori/decide.h"
#include "mamori/store.h"
#include "utf8.h"
#include "store_internal.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* The event's action for an answer with outcome o. */
static const char *
action_of(enum mamori_decide_outcome o)
{
	return o == MAMORI_DECIDE_ALLOW ? "decide.allow" : o == MAMORI_DECIDE_DENY ? "decide.deny" :
	    "decide.error";
}

bool
mamori_decide_should_log(const struct mamori_policy *p, enum mamori_decide_outcome outcome)
{
	const char *mode = p->decision_log;

	if (mode == NULL)
		mode = "denials";
	if (strcmp(mode, "none") == 0)
		return false;
	return strcmp(mode, "all") == 0 || outcome != MAMORI_DECIDE_ALLOW;
}

struct log_arg {
	const struct mamori_decide_record *records;
	size_t n;
};

/*
 * text with every byte that is not part of valid UTF-8 replaced by U+FFFD
 * (malloc'd; NULL when out of memory).  A refused request may carry any
 * bytes, and its record must still be text: PostgreSQL's columns refuse
 * invalid UTF-8, and the trail is to read alike on either backend.
 */
static char *
utf8_repaired(const char *text)
{
	size_t n = strlen(text), bad, o = 0;
	char *out = malloc(3 * n + 1);

	if (out == NULL)
		return NULL;
	while (!mamori_utf8_valid(text, n, &bad)) {
		memcpy(out + o, text, bad);
		memcpy(out + o + bad, "\xef\xbf\xbd", 3);
		o += bad + 3;
		text += bad + 1;
		n -= bad + 1;
	}
	memcpy(out + o, text, n + 1);
	return out;
}

/* The JSON value of text, or the text itself as a string when it is not JSON. */
static cJSON *
as_json(const char *text)
{
	char *fixed = mamori_utf8_valid(text, strlen(text), NULL) ? NULL : utf8_repaired(text);
	const char *t = fixed ? fixed : text;
	cJSON *v = cJSON_Parse(t);

	if (v == NULL)
		v = cJSON_CreateString(t);
	free(fixed);
	return v;
}

static int
log_tx(struct mamori_store_tx *tx, void *arg)
{
	struct log_arg *a = arg;

	return mamori_decide_log_tx(tx, a->records, a->n);
}

int
mamori_decide_log_tx(struct mamori_store_tx *tx, const struct mamori_decide_record *records, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct mamori_decide_record *r = &records[i];
		cJSON *req = as_json(r->request), *resp = as_json(r->response);
		const cJSON *res = cJSON_GetObjectItemCaseSensitive(req, "resource");
		const cJSON *asset = res ? cJSON_GetObjectItemCaseSensitive(res, "asset") : NULL;
		const char *object = cJSON_IsString(asset) ? asset->valuestring : "-";

		/* one transaction, many askers: each event names its own */
		mamori_store_tx_actor(tx, r->actor);
		rc = req && resp ? mamori_store_tx_event(tx, action_of(r->outcome), "decision", object, req, resp) :
		    MAMORI_E_NOMEM;
		cJSON_Delete(req);
		cJSON_Delete(resp);
	}
	return rc;
}

int
mamori_decide_log_records(struct mamori_store *s, const struct mamori_decide_record *records,
    size_t n, struct mamori_error *err)
{
	struct log_arg a = { records, n };

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (records[i].actor == NULL || records[i].actor[0] == '\0' ||
		    records[i].request == NULL || records[i].response == NULL)
			return mamori_error_set(err, MAMORI_E_USAGE,
			    "decision %zu to log has no actor, request or response", i);
	return mamori_store_write(s, records[0].actor, log_tx, &a, err);
}
