/* policy_json.c — the resolved policy as JSON, driven by the format's tables. */
#include "mamori/policy.h"
#include "policy_schema.h"

#include <cjson/cJSON.h>
#include <string.h>

#define CAT(base, off, type) ((const type *)((const char *)(base) + (off)))

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
