/* policy_json.c — the resolved policy as JSON, driven by the format's tables. */
#include "mamori/policy.h"
#include "mamori/vocab.h"
#include "policy_schema.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define CAT(base, off, type) ((type const *)((const char *)(base) + (off)))

static cJSON *struct_to_json(const struct ym_schema *schema, const void *obj, bool top);

static bool
add_field(cJSON *o, const struct ym_field *f, const void *obj)
{
	cJSON *v = NULL;

	switch (f->kind) {
	case YM_STRING:
	case YM_ID: {
		const char *s = *CAT(obj, f->offset, const char *);
		if (s == NULL)
			return true;
		v = cJSON_CreateString(s);
		break;
	}
	case YM_INT: {
		int i = *CAT(obj, f->offset, int);
		if (i == 0 && !f->required)
			return true;
		v = cJSON_CreateNumber(i);
		break;
	}
	case YM_BOOL:
		if (!*CAT(obj, f->offset, bool))
			return true;
		v = cJSON_CreateTrue();
		break;
	case YM_STRLIST: {
		const char *const *arr = *CAT(obj, f->offset, const char *const *);
		size_t n = *CAT(obj, f->count_offset, size_t);
		if (n == 0)
			return true;
		v = cJSON_CreateArray();
		for (size_t i = 0; v && i < n; i++) {
			cJSON *s = cJSON_CreateString(arr[i] ? arr[i] : "");
			if (s == NULL || !cJSON_AddItemToArray(v, s)) {
				cJSON_Delete(s);
				cJSON_Delete(v);
				return false;
			}
		}
		break;
	}
	case YM_LIST: {
		const char *arr = *CAT(obj, f->offset, const char *);
		size_t n = *CAT(obj, f->count_offset, size_t);
		if (n == 0)
			return true;
		v = cJSON_CreateArray();
		for (size_t i = 0; v && i < n; i++) {
			cJSON *e = struct_to_json(f->schema, arr + i * f->schema->size, false);
			if (e == NULL || !cJSON_AddItemToArray(v, e)) {
				cJSON_Delete(e);
				cJSON_Delete(v);
				return false;
			}
		}
		break;
	}
	case YM_MAP: {
		const void *sub = CAT(obj, f->offset, char);
		if (((const struct mamori_srcpos *)sub)->file == NULL)
			return true;
		v = struct_to_json(f->schema, sub, false);
		break;
	}
	}
	if (v == NULL)
		return false;
	if (!cJSON_AddItemToObject(o, f->key, v)) {
		cJSON_Delete(v);
		return false;
	}
	return true;
}

static cJSON *
struct_to_json(const struct ym_schema *schema, const void *obj, bool top)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; o != NULL && i < schema->nfields; i++) {
		const struct ym_field *f = &schema->fields[i];
		/* the resolved policy stands alone: its parents are already laid in */
		if (top && strcmp(f->key, "extends") == 0)
			continue;
		if (!add_field(o, f, obj)) {
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

char *
mamori_policy_to_json(const struct mamori_policy *p, bool pretty)
{
	cJSON *root = struct_to_json(&mamori_policy_schema, p, true);
	char *out;

	if (root == NULL)
		return NULL;
	out = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

/* ---- JSON Schema (docs/policy.schema.json) ------------------------------ */

/* Fields whose values come from a fixed vocabulary get an enum in the schema. */
static const struct {
	const char *schema, *key;
	const struct mamori_vocab *vocab;
} vocab_fields[] = {
	{ "restriction", "id", &mamori_restrictions },
	{ "requirement", "id", &mamori_requirements },
	{ "flow", "channel", &mamori_channels },
	{ "flow", "sanitization", &mamori_sanitizations },
	{ "access", "scope", &mamori_access_scopes },
	{ "policy", "decision_log", &mamori_decision_logs },
};

static void
def_name(const struct ym_schema *s, char *buf, size_t n)
{
	size_t i;

	for (i = 0; s->name[i] && i + 1 < n; i++)
		buf[i] = s->name[i] == ' ' ? '_' : s->name[i];
	buf[i] = '\0';
}

static cJSON *schema_object(const struct ym_schema *s, cJSON *defs);

static cJSON *
schema_ref(const struct ym_schema *s, cJSON *defs)
{
	char name[64], ref[96];

	def_name(s, name, sizeof(name));
	if (!cJSON_HasObjectItem(defs, name)) {
		/* placeholder first, so that recursive schemas (sections) terminate */
		cJSON_AddItemToObject(defs, name, cJSON_CreateObject());
		cJSON *obj = schema_object(s, defs);
		if (obj == NULL)
			return NULL;
		cJSON_ReplaceItemInObject(defs, name, obj);
	}
	snprintf(ref, sizeof(ref), "#/$defs/%s", name);
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "$ref", ref);
	return r;
}

static cJSON *
schema_value(const struct ym_schema *owner, const struct ym_field *f, cJSON *defs)
{
	cJSON *v = NULL, *items;

	switch (f->kind) {
	case YM_STRING:
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "type", "string");
		break;
	case YM_ID:
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "type", "string");
		cJSON_AddStringToObject(v, "pattern", f->underscore ? "^[a-z][a-z0-9_-]*$" : "^[a-z][a-z0-9-]*$");
		cJSON_AddNumberToObject(v, "maxLength", 64);
		break;
	case YM_INT:
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "type", "integer");
		cJSON_AddNumberToObject(v, "minimum", f->min);
		cJSON_AddNumberToObject(v, "maximum", f->max);
		break;
	case YM_BOOL:
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "type", "boolean");
		break;
	case YM_STRLIST:
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "type", "array");
		items = cJSON_AddObjectToObject(v, "items");
		cJSON_AddStringToObject(items, "type", "string");
		break;
	case YM_LIST:
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "type", "array");
		cJSON_AddItemToObject(v, "items", schema_ref(f->schema, defs));
		break;
	case YM_MAP:
		v = schema_ref(f->schema, defs);
		break;
	}
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(vocab_fields) / sizeof(vocab_fields[0]); i++) {
		if (strcmp(vocab_fields[i].schema, owner->name) != 0 ||
		    strcmp(vocab_fields[i].key, f->key) != 0)
			continue;
		cJSON *e = cJSON_AddArrayToObject(v, "enum");
		for (size_t j = 0; j < vocab_fields[i].vocab->count; j++)
			cJSON_AddItemToArray(e, cJSON_CreateString(vocab_fields[i].vocab->entries[j].id));
	}
	if (f->doc && f->kind != YM_MAP)
		cJSON_AddStringToObject(v, "description", f->doc);
	return v;
}

static cJSON *
schema_object(const struct ym_schema *s, cJSON *defs)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *props, *req;

	cJSON_AddStringToObject(o, "type", "object");
	cJSON_AddBoolToObject(o, "additionalProperties", false);
	props = cJSON_AddObjectToObject(o, "properties");
	req = cJSON_CreateArray();
	for (size_t i = 0; i < s->nfields; i++) {
		const struct ym_field *f = &s->fields[i];
		cJSON *v = schema_value(s, f, defs);
		if (v == NULL) {
			cJSON_Delete(req);
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToObject(props, f->key, v);
		if (f->required)
			cJSON_AddItemToArray(req, cJSON_CreateString(f->key));
	}
	if (cJSON_GetArraySize(req) > 0)
		cJSON_AddItemToObject(o, "required", req);
	else
		cJSON_Delete(req);
	return o;
}

char *
mamori_policy_json_schema(void)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *defs = cJSON_CreateObject();
	cJSON *top;
	char *out = NULL;

	if (root == NULL || defs == NULL)
		goto out;
	top = schema_object(&mamori_policy_schema, defs);
	if (top == NULL)
		goto out;
	cJSON_AddStringToObject(root, "$schema", "https://json-schema.org/draft/2020-12/schema");
	cJSON_AddStringToObject(root, "$id", "https://mamori.invalid/policy.schema.json");
	cJSON_AddStringToObject(root, "title", "mamori policy file, format 1");
	cJSON_AddStringToObject(root, "description",
	    "情報セキュリティポリシー as a machine-readable file; see docs/policy-format.md. "
	    "Generated by `mamori policy schema`; references between elements and the order of "
	    "levels are checked by `mamori policy check`, not by this schema.");
	for (cJSON *it = top->child; it != NULL;) {
		cJSON *next = it->next;
		cJSON_AddItemToObject(root, it->string, cJSON_DetachItemViaPointer(top, it));
		it = next;
	}
	cJSON_Delete(top);
	cJSON_AddItemToObject(root, "$defs", defs);
	defs = NULL;
	out = cJSON_Print(root);
out:
	cJSON_Delete(defs);
	cJSON_Delete(root);
	return out;
}
