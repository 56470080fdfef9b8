/*
 * fuzz_record.c — libFuzzer target for a record's fields (mamori/record.h): any
 * bytes as the JSON body of POST /api/records/{kind}, checked and normalised
 * against a kind of mic-standard on a real store (made once, in /dev/shm when
 * there is one).  Input: byte 0 picks the kind, the rest is the body.  A body
 * that checks must print as JSON; a body that does not must say why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mamori/record.h"
#include "mamori/user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mamori_store *store;

static struct mamori_store *
open_store(void)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	char dir[] = "/dev/shm/mamori-fuzz-record-XXXXXX", path[64];
	struct mamori_store *s = NULL;

	if (mkdtemp(dir) == NULL) {
		memcpy(dir, "/tmp/mamori-fuzz-record-XXXXXX", sizeof("/tmp/mamori-fuzz-record-XXXXXX"));
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(path, sizeof(path), "%s/f.db", dir);
	if (mamori_store_create(path, FUZZ_POLICY, "fuzz", &d, &s, &err) != 0 ||
	    mamori_user_add(s, "fuzz", "tanaka", "staff", "soumu", NULL, false, &err) != 0)
		abort();
	mamori_diags_clear(&d);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "incident", "take-out", "exception" };
	struct mamori_diags problems = { 0 };
	struct mamori_error err = { 0 };
	cJSON *body, *out;

	if (store == NULL)
		store = open_store();
	if (size < 1)
		return 0;
	body = cJSON_ParseWithLength((const char *)data + 1, size - 1);
	const struct mamori_record_kind *k = mamori_record_kind_find(mamori_store_policy(store), kinds[data[0] % 3]);
	out = mamori_record_check_fields(store, k, body, data[0] & 4, &problems, &err);
	if (out != NULL) {
		char *text = cJSON_PrintUnformatted(out);
		if (text == NULL)
			abort();
		free(text);
	} else if (err.code == 0 || (err.code == MAMORI_E_INVALID && problems.count == 0)) {
		abort();	/* a refusal that does not say why */
	}
	cJSON_Delete(out);
	cJSON_Delete(body);
	mamori_diags_clear(&problems);
	return 0;
}
