/*
 * fuzz_policy.c — libFuzzer target for the policy loader: any bytes as a policy
 * file, then the JSON writer and both renderings on whatever loads.  The name has no directory, so a
 * relative `extends` looks beside the working directory: run it in an empty one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mamori/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mamori_diags diags = { 0 };
	struct mamori_policy *p = NULL;

	if (mamori_policy_load_buffer("fuzz.yaml", (const char *)data, size, &diags, &p) == 0) {
		char *json = mamori_policy_to_json(p, false);
		FILE *null = fopen("/dev/null", "w");
		free(json);
		if (null != NULL) {
			mamori_policy_render(p, MAMORI_RENDER_MARKDOWN, null);
			mamori_policy_render(p, MAMORI_RENDER_HTML, null);
			fclose(null);
		}
	}
	mamori_policy_free(&p);
	mamori_diags_clear(&diags);
	return 0;
}
