/*
 * fuzz_decide.c — libFuzzer target for the decision point's request parser:
 * any bytes as a request line, decided against a small fixed policy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mamori/decide.h"

static const char policy_yaml[] =
    "mamori-policy: 1\nid: f\ntitle: f\nversion: \"1\"\n"
    "organisation: {name: f, clause: c, bodies: [{id: b, title: b, clause: c}],\n"
    "  departments: [{id: soumu, title: 総務課}, {id: shimin, title: 市民課}]}\n"
    "roles:\n"
    "  - {id: ciso, title: CISO, clause: c, access: {scope: all, actions: [all], clause: c}}\n"
    "  - {id: staff, title: 職員等, reports_to: ciso, clause: c,\n"
    "     access: {scope: department, actions: [read, write, send], clause: c}}\n"
    "classification: {axes: [\n"
    "  {id: confidentiality, title: 機密性, clause: c, levels: [\n"
    "    {level: 3, title: 3, criteria: x, clause: c, restrictions: [{id: issued-terminal-only, text: t, clause: c}]},\n"
    "    {level: 2, title: 2, criteria: x, clause: c, restrictions: [{id: encrypt-in-transit, text: t, clause: c}]},\n"
    "    {level: 1, title: 1, criteria: x, clause: c}]},\n"
    "  {id: integrity, title: 完全性, clause: c, levels: [\n"
    "    {level: 2, title: 2, criteria: x, clause: c, restrictions: [{id: backup, text: t, clause: c}]},\n"
    "    {level: 1, title: 1, criteria: x, clause: c}]}]}\n"
    "asset_kinds: [{id: media, title: m, clause: c}]\n"
    "segments:\n"
    "  - {id: mynumber, title: m, clause: c, requirements: [{id: mfa, text: t, clause: c}, {id: isolated, text: t, clause: c}]}\n"
    "  - {id: lgwan, title: l, clause: c}\n"
    "  - {id: internet, title: i, clause: c, requirements: [{id: monitoring, text: t, clause: c}]}\n"
    "flows: [{from: internet, to: lgwan, channel: mail, sanitization: mail-text, clause: c}]\n"
    "threats: [{id: intentional, text: x, clause: c}]\n"
    "measures: [{id: organisation, title: o, clause: c}]\n";

static struct mamori_decider *decider;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (decider == NULL) {
		static struct mamori_policy *policy;
		struct mamori_diags diags = { 0 };
		static const struct mamori_decide_asset assets[] = {
			{ "A-000001", { 3, 2, 1 }, "soumu", "lgwan" },
			{ "A-000002", { 1, 1, 1 }, "shimin", "internet" },
		};
		if (mamori_policy_load_buffer("fuzz-decide.yaml", policy_yaml, strlen(policy_yaml),
		    &diags, &policy) != 0 || mamori_decider_new(policy, &decider, NULL) != 0 ||
		    mamori_decider_set_assets(decider, assets, 2, NULL) != 0)
			abort();
		mamori_diags_clear(&diags);
	}
	char *out = mamori_decide_json(decider, (const char *)data, size, 1, NULL);
	if (out == NULL || (strncmp(out, "{\"decision\":", 12) != 0 && strncmp(out, "{\"error\":", 9) != 0))
		abort();
	free(out);
	return 0;
}
