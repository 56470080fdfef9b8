/* decide_log.c — decisions into the audit trail, many per transaction. */
#include "mamori/decide.h"
#include "mamori/store.h"

#include <cjson/cJSON.h>
#include <string.h>

static const char *
outcome(const char *response)
{
	if (strncmp(response, "{\"decision\":\"allow\"", 19) == 0)
		return "decide.allow";
	if (strncmp(response, "{\"decision\":\"deny\"", 18) == 0)
		return "decide.deny";
	return "decide.error";
}

bool
mamori_decide_should_log(const struct mamori_store *s, const char *response)
{
	const char *mode = mamori_store_policy(s)->decision_log;

	if (mode == NULL)
		mode = "denials";
	if (strcmp(mode, "none") == 0)
		return false;
	return strcmp(mode, "all") == 0 || strcmp(outcome(response), "decide.allow") != 0;
}

struct log_arg {
	const char *const *requests, *const *responses;
	size_t n;
};

/* The JSON value of text, or the text itself as a string when it is not JSON. */
static cJSON *
as_json(const char *text)
{
	cJSON *v = cJSON_Parse(text);
	return v ? v : cJSON_CreateString(text);
}

static int
log_tx(struct mamori_store_tx *tx, void *arg)
{
	struct log_arg *a = arg;
	int rc = 0;

	for (size_t i = 0; i < a->n && rc == 0; i++) {
		cJSON *req = as_json(a->requests[i]), *resp = as_json(a->responses[i]);
		const cJSON *res = cJSON_GetObjectItemCaseSensitive(req, "resource");
		const cJSON *asset = res ? cJSON_GetObjectItemCaseSensitive(res, "asset") : NULL;
		const char *object = cJSON_IsString(asset) ? asset->valuestring : "-";

		rc = mamori_store_tx_event(tx, outcome(a->responses[i]), "decision", object, req, resp);
		cJSON_Delete(req);
		cJSON_Delete(resp);
	}
	return rc;
}

int
mamori_decide_log(struct mamori_store *s, const char *actor, const char *const *requests,
    const char *const *responses, size_t n, struct mamori_error *err)
{
	struct log_arg a = { requests, responses, n };

	if (n == 0)
		return 0;
	return mamori_store_write(s, actor, log_tx, &a, err);
}
