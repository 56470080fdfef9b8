/*
 * record_fields.c — a record's fields checked against its kind and written as
 * stored: ids for what the policy names, dates as YYYY-MM-DD, times in UTC,
 * lists for `multiple` fields (mamori/record.h).
 */
#include "mamori/asset.h"
#include "mamori/date.h"
#include "mamori/i18n.h"
#include "mamori/record.h"
#include "mamori/tz.h"
#include "mamori/user.h"
#include "fold.h"
#include "record_internal.h"
#include "review_internal.h"
#include "suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one field's check needs. */
struct fcheck {
	struct mamori_store *s;
	const struct mamori_policy *p;
	const struct mamori_record_field *f;
	struct mamori_diags *problems;
	struct mamori_tz *tz;
	bool tz_loaded;
};

/* Lengths a value may have (bytes), so that one field cannot fill the store. */
enum { TEXT_MAX = 1000, LONGTEXT_MAX = 20000, ITEMS_MAX = 200 };

const struct mamori_record_kind *
mamori_record_kind_find(const struct mamori_policy *p, const char *name)
{
	for (size_t i = 0; name != NULL && i < p->nrecords; i++)
		if (strcmp(p->records[i].id, name) == 0 ||
		    (p->records[i].title && strcmp(p->records[i].title, name) == 0))
			return &p->records[i];
	return NULL;
}

const struct mamori_record_field *
record_field_find(const struct mamori_record_kind *k, const char *name)
{
	for (size_t i = 0; name != NULL && i < k->nfields; i++)
		if (strcmp(k->fields[i].id, name) == 0 || (k->fields[i].title && strcmp(k->fields[i].title, name) == 0))
			return &k->fields[i];
	return NULL;
}

const struct mamori_record_state *
record_state_find(const struct mamori_record_kind *k, const char *name)
{
	for (size_t i = 0; name != NULL && i < k->nstates; i++)
		if (strcmp(k->states[i].id, name) == 0 || (k->states[i].title && strcmp(k->states[i].title, name) == 0))
			return &k->states[i];
	return NULL;
}

static void
problem(struct fcheck *c, const char *value, const char *why)
{
	if (value != NULL)
		mamori_diags_add(c->problems, MAMORI_SEV_ERROR, c->f->id, 0, 0, "%s (%s): '%.80s' %s",
		    c->f->title ? c->f->title : c->f->id, c->f->id, value, _(why));
	else
		mamori_diags_add(c->problems, MAMORI_SEV_ERROR, c->f->id, 0, 0, "%s (%s): %s",
		    c->f->title ? c->f->title : c->f->id, c->f->id, _(why));
}

static const char *
threat_id(const struct mamori_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nthreats; i++)
		if (strcmp(p->threats[i].id, name) == 0 || (p->threats[i].title && strcmp(p->threats[i].title, name) == 0))
			return p->threats[i].id;
	return NULL;
}

/* name is in NFKC already: titles are compared in NFKC too (（大） and (大) are one). */
static const char *
choice_id(const struct mamori_record_field *f, const char *name)
{
	char title[400];

	for (size_t i = 0; i < f->nchoices; i++)
		if (strcmp(f->choices[i].id, name) == 0 || strcmp(f->choices[i].title, name) == 0 ||
		    (mamori_nfkc_trim(f->choices[i].title, title, sizeof(title)) && strcmp(title, name) == 0))
			return f->choices[i].id;
	return NULL;
}

/* A text without control characters (longtext: lines and tabs allowed), within max. */
static cJSON *
text_value(struct fcheck *c, const char *s, size_t max, bool lines)
{
	size_t n = strlen(s);

	if (n > max) {
		problem(c, NULL, N_("is too long (at most 1,000 bytes for text, 20,000 for long text)"));
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch < 0x20 && !(lines && (ch == '\n' || ch == '\t' || ch == '\r'))) || ch == 0x7f) {
			problem(c, NULL, N_("contains a control character"));
			return NULL;
		}
	}
	return cJSON_CreateString(s);
}

static bool
load_tz(struct fcheck *c)
{
	/* an unreadable zone leaves UTC, still usable; the policy check warned of it */
	if (!c->tz_loaded)
		(void)mamori_tz_load(c->tz, mamori_policy_timezone(c->p), NULL);
	c->tz_loaded = true;
	return true;
}

/* An id the policy or the store knows, from what a person typed (NFKC, trimmed). */
static cJSON *
named_value(struct fcheck *c, const char *s)
{
	const char *t = c->f->type, *id = NULL;

	if (strcmp(t, "choice") == 0)
		id = choice_id(c->f, s);
	else if (strcmp(t, "department") == 0) {
		const struct mamori_department *d = mamori_policy_find_department(c->p, s);
		id = d ? d->id : NULL;
	} else if (strcmp(t, "role") == 0) {
		const struct mamori_role *r = mamori_policy_find_role(c->p, s);
		id = r ? r->id : NULL;
	} else if (strcmp(t, "segment") == 0) {
		const struct mamori_segment *g = mamori_policy_find_segment(c->p, s);
		id = g ? g->id : NULL;
	} else if (strcmp(t, "threat") == 0)
		id = threat_id(c->p, s);
	else if (strcmp(t, "action") == 0)
		id = mamori_action_parse(s) >= 0 ? s : NULL;
	if (id == NULL) {
		problem(c, s, strcmp(t, "choice") == 0 ? N_("is not one of the field's choices") :
		    strcmp(t, "action") == 0 ? N_("is not an action (read, write, copy, print, send, take_out, "
		    "transfer, store, dispose, publish)") : N_("is not known to the policy (an id or a title)"));
		return NULL;
	}
	return cJSON_CreateString(id);
}

static cJSON *
stored_value(struct fcheck *c, const char *s)
{
	struct mamori_error err = { 0 };
	int rc;

	if (strcmp(c->f->type, "asset") == 0) {
		struct mamori_asset a = { 0 };
		rc = mamori_asset_get(c->s, s, &a, &err);
		mamori_asset_clear(&a);
	} else {
		struct mamori_user u;
		rc = mamori_user_get(c->s, s, &u, &err);
	}
	if (rc == MAMORI_E_NOTFOUND) {
		problem(c, s, strcmp(c->f->type, "asset") == 0 ? N_("is not an asset of the register") :
		    N_("is not an account"));
		return NULL;
	}
	if (rc != 0) {
		problem(c, s, N_("could not be looked up in the store"));
		return NULL;
	}
	return cJSON_CreateString(s);
}

/* A record of the kind the field names (of:), by its id. */
static cJSON *
record_value(struct fcheck *c, const char *s)
{
	struct mamori_error err = { 0 };
	cJSON *rec = NULL, *out = NULL;
	int rc = record_read(c->s, s, &rec, &err);

	if (rc == MAMORI_E_NOTFOUND)
		problem(c, s, N_("is not a record"));
	else if (rc != 0)
		problem(c, s, N_("could not be looked up in the store"));
	else if (c->f->of == NULL || strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "kind")), c->f->of) != 0)
		problem(c, s, N_("is a record of another kind"));
	else
		out = cJSON_CreateString(s);
	cJSON_Delete(rec);
	return out;
}

/* One value (a string, or a number for a number field) as stored, or NULL after a problem. */
static cJSON *
one_value(struct fcheck *c, const cJSON *v)
{
	const char *t = c->f->type;
	char buf[LONGTEXT_MAX + 1], out[40];
	time_t when;

	if (strcmp(t, "number") == 0 && cJSON_IsNumber(v)) {
		if (v->valuedouble != (double)(long long)v->valuedouble || v->valuedouble > 1e15 ||
		    v->valuedouble < -1e15) {
			problem(c, NULL, N_("must be a whole number"));
			return NULL;
		}
		return cJSON_CreateNumber(v->valuedouble);
	}
	if (!cJSON_IsString(v)) {
		problem(c, NULL, N_("must be text"));
		return NULL;
	}
	if (strcmp(t, "text") == 0 || strcmp(t, "longtext") == 0) {
		return text_value(c, v->valuestring, t[0] == 'l' ? LONGTEXT_MAX : TEXT_MAX, t[0] == 'l');
	}
	if (strlen(v->valuestring) > 400 || !mamori_nfkc_trim(v->valuestring, buf, sizeof(buf))) {
		problem(c, NULL, N_("is not a value of this field"));
		return NULL;
	}
	if (strcmp(t, "number") == 0) {
		char *end;
		long long n = strtoll(buf, &end, 10);
		if (buf[0] == '\0' || *end != '\0') {
			problem(c, buf, N_("is not a whole number"));
			return NULL;
		}
		return cJSON_CreateNumber((double)n);
	}
	if (strcmp(t, "date") == 0) {
		if (!mamori_date_parse(buf, 0, out)) {
			problem(c, buf, N_("is not a date: write 2025-04-01, 2025/4/1, 2025年4月1日, R7.4.1 or 令和7年4月1日"));
			return NULL;
		}
		return cJSON_CreateString(out);
	}
	if (strcmp(t, "datetime") == 0) {
		if (!load_tz(c) || !mamori_time_bound(buf, c->tz, false, &when)) {
			problem(c, buf, N_("is not a date and time: write 2026-12-05 09:30 (local time) or RFC 3339"));
			return NULL;
		}
		return cJSON_CreateString(record_utc(when, out));
	}
	if (strcmp(t, "asset") == 0 || strcmp(t, "account") == 0)
		return stored_value(c, buf);
	if (strcmp(t, "record") == 0)
		return record_value(c, buf);
	if (strcmp(t, "file") == 0) {
		problem(c, NULL, N_("a file field is filled by attaching a file to it (mamori record attach --field, POST …/files?field=)"));
		return NULL;
	}
	return named_value(c, buf);
}

/* The length of the item at p (up to a ',', '、' or '，' or the end) and of the separator after it. */
static size_t
item_length(const char *p, size_t *sep)
{
	size_t n = strcspn(p, ",");
	const char *ideo = strstr(p, "、"), *full = strstr(p, "，");

	*sep = p[n] == ',' ? 1 : 0;
	if (ideo != NULL && (size_t)(ideo - p) < n)
		n = (size_t)(ideo - p), *sep = strlen("、");
	if (full != NULL && (size_t)(full - p) < n)
		n = (size_t)(full - p), *sep = strlen("，");
	return n;
}

/* Splits "A-1, A-2、A-3" into items, each without the spaces around it. */
static cJSON *
split_list(const char *s)
{
	cJSON *arr = cJSON_CreateArray();

	for (const char *p = s; arr != NULL && *p != '\0';) {
		size_t sep, n = item_length(p, &sep), start = 0;
		while (start < n && p[start] == ' ')
			start++;
		while (n > start && p[n - 1] == ' ')
			n--;
		if (n > start) {
			char *item = strndup(p + start, n - start);
			cJSON_AddItemToArray(arr, cJSON_CreateString(item ? item : ""));
			free(item);
		}
		p += item_length(p, &sep) + sep;
	}
	return arr;
}

/* The field's value as stored: an array for a multiple field, else one value. */
static cJSON *
field_value(struct fcheck *c, const cJSON *v)
{
	cJSON *items, *out;
	const cJSON *it;
	bool ok = true;

	if (!c->f->multiple)
		return one_value(c, v);
	items = cJSON_IsString(v) ? split_list(v->valuestring) : cJSON_Duplicate(v, true);
	if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) > ITEMS_MAX) {
		problem(c, NULL, N_("must be a list (at most 200 items)"));
		cJSON_Delete(items);
		return NULL;
	}
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(it, items) {
		cJSON *one = one_value(c, it);
		if (one == NULL)
			ok = false;
		else
			cJSON_AddItemToArray(out, one);
	}
	cJSON_Delete(items);
	if (!ok || cJSON_GetArraySize(out) == 0) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

static bool
empty_value(const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (cJSON_IsString(v)) {
		for (const char *s = v->valuestring; *s; s++)
			if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
				return false;
		return true;
	}
	return cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0;
}

static void
unknown_field(struct mamori_diags *problems, const struct mamori_record_kind *k, const char *name)
{
	const char *ids[256];
	size_t n = 0;

	for (size_t i = 0; i < k->nfields && n < 256; i++)
		ids[n++] = k->fields[i].id;
	const char *s = mamori_suggest(name, ids, n);
	if (s != NULL)
		mamori_diags_add(problems, MAMORI_SEV_ERROR, name, 0, 0, "'%s' is not a field of %s; did you mean "
		    "'%s'?", name, k->title ? k->title : k->id, s);
	else
		mamori_diags_add(problems, MAMORI_SEV_ERROR, name, 0, 0, "'%s' is not a field of %s", name,
		    k->title ? k->title : k->id);
}

cJSON *
mamori_record_check_fields(struct mamori_store *s, const struct mamori_record_kind *kind,
    const cJSON *fields, bool with_required, struct mamori_diags *problems, struct mamori_error *err)
{
	struct mamori_tz tz = { 0 };
	struct fcheck c = { .s = s, .p = mamori_store_policy(s), .problems = problems, .tz = &tz };
	size_t before = problems->count;
	cJSON *out = cJSON_CreateObject();
	const cJSON *v;

	if (out == NULL) {
		mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		return NULL;
	}
	if (fields != NULL && !cJSON_IsObject(fields))
		mamori_diags_add(problems, MAMORI_SEV_ERROR, "", 0, 0, "the fields must be a JSON object");
	cJSON_ArrayForEach(v, (cJSON_IsObject(fields) ? fields : NULL)) {
		c.f = record_field_find(kind, v->string);
		if (c.f == NULL) {
			unknown_field(problems, kind, v->string);
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(out, c.f->id) != NULL) {
			problem(&c, NULL, N_("is given twice (by id and by title)"));
			continue;
		}
		if (empty_value(v))
			continue;
		cJSON *value = field_value(&c, v);
		if (value != NULL)
			cJSON_AddItemToObject(out, c.f->id, value);
	}
	/* a file field is filled by attaching (mamori_record_attach_field), never
	 * when a record is made: a state's `requires` asks for it */
	for (size_t i = 0; with_required && i < kind->nfields; i++) {
		c.f = &kind->fields[i];
		if (c.f->required && strcmp(c.f->type, "file") != 0 && cJSON_GetObjectItemCaseSensitive(out, c.f->id) == NULL &&
		    !record_has_problem(problems, before, c.f->id))
			problem(&c, NULL, N_("is required"));
	}
	if (c.tz_loaded)
		mamori_tz_free(&tz);
	if (problems->count == before)
		review_check_record_fields(s, kind, out, problems);
	if (problems->count > before) {
		cJSON_Delete(out);
		mamori_error_set(err, MAMORI_E_INVALID, "the record's fields are not valid (%zu problems)",
		    problems->count - before);
		return NULL;
	}
	return out;
}

bool
record_has_problem(const struct mamori_diags *problems, size_t from, const char *field)
{
	for (size_t i = from; i < problems->count; i++)
		if (problems->items[i].file && strcmp(problems->items[i].file, field) == 0)
			return true;
	return false;
}

char *
record_utc(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}
