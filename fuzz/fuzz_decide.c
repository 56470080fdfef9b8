/*
 * fuzz_decide.c — libFuzzer target for the decision point's request parser:
 * any bytes as a request line, decided against a small fixed policy.  The same
 * bytes also fill a prepared resource and context by hand (any indexes, any
 * levels), which mamori_decide_prepared must answer or refuse, never misread.
 */
#include <stdbool.h>
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
	if (size >= 12) {
		static const struct mamori_decide_request who = {
			.roles = { "staff" }, .nroles = 1, .department = "soumu", .mfa = true,
			.terminal_segment = "lgwan", .terminal_issued = true };
		struct mamori_decide_subject s;
		struct mamori_decide_resource r;
		struct mamori_decide_context c;
		struct mamori_decision dec;
		if (!mamori_decide_prepare(decider, &who, &s, NULL, NULL, &dec))
			abort();
		r = (struct mamori_decide_resource){ { data[0], data[1], data[2] },
			(short)(int8_t)data[3], (short)(int8_t)data[4] };
		c = (struct mamori_decide_context){ (int8_t)data[5], (int8_t)data[6], (int8_t)data[7] };
		mamori_decide_prepared(decider, &s, &r, &c, &dec);
		/* in range: an answer; out of range: an error that is never an allow */
		bool in_range = r.levels[0] >= 1 && r.levels[0] <= 3 && r.levels[1] >= 1 && r.levels[1] <= 2 &&
		    r.levels[2] == 1 && r.department >= -1 && r.department <= 1 && r.segment >= -1 &&
		    r.segment <= 2 && c.action >= 0 && c.action < MAMORI_ACT_COUNT && c.channel >= -1 &&
		    c.channel < 6 && c.destination >= -1 && c.destination <= 2;
		if (in_range != (dec.error == NULL) || (dec.error != NULL && dec.allow) ||
		    (dec.allow && dec.nreasons != 0) || (!dec.allow && dec.error == NULL && dec.nreasons == 0))
			abort();
	}
	char *out = mamori_decide_json(decider, (const char *)data, size, 1, NULL);
	if (out == NULL || (strncmp(out, "{\"decision\":", 12) != 0 && strncmp(out, "{\"error\":", 9) != 0))
		abort();
	free(out);
	return 0;
}
