/*
 * asset.c — the information asset register's rules: an asset checked against
 * the policy and normalised, added, edited, disposed of, and shown as a person
 * reads it.  Every change goes through the store's write path with its audit
 * event.  Listing, import and export are asset_list.c, asset_import.c and
 * asset_export.c (asset_internal.h is what they share).
 */
#include "asset_internal.h"
#include "store_ops_asset.h"
#include "fold.h"
#include "utf8.h"
#include "mamori/date.h"
#include "mamori/i18n.h"
#include "mamori/tz.h"
#include "audit_internal.h"

#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const struct mamori_asset_column mamori_asset_columns[MAMORI_AF_COUNT] = {
	[MAMORI_AF_ID] = { "id", "資産番号", false, true },
	[MAMORI_AF_NAME] = { "name", "資産名", true, true },
	[MAMORI_AF_KIND] = { "kind", "種別", true, true },
	[MAMORI_AF_DESCRIPTION] = { "description", "説明", false, true },
	[MAMORI_AF_DEPARTMENT] = { "department", "所管課", true, true },
	[MAMORI_AF_ROLE] = { "role", "管理責任者", false, true },
	[MAMORI_AF_SEGMENT] = { "segment", "ネットワーク区分", false, true },
	[MAMORI_AF_LOCATION] = { "location", "保管場所", false, true },
	[MAMORI_AF_CONFIDENTIALITY] = { "confidentiality", "機密性", true, true },
	[MAMORI_AF_INTEGRITY] = { "integrity", "完全性", true, true },
	[MAMORI_AF_AVAILABILITY] = { "availability", "可用性", true, true },
	[MAMORI_AF_RETENTION] = { "retention", "保存期間", false, true },
	[MAMORI_AF_STATUS] = { "status", "状態", false, true },
	[MAMORI_AF_CREATED] = { "created", "登録日時", false, true },
	[MAMORI_AF_UPDATED] = { "updated", "更新日時", false, true },
	[MAMORI_AF_DISPOSED_DATE] = { "disposed_date", "廃棄日", false, true },
	[MAMORI_AF_DISPOSED_METHOD] = { "disposed_method", "廃棄方法", false, true },
	[MAMORI_AF_DISPOSED_BY] = { "disposed_by", "廃棄実施者", false, true },
	[MAMORI_AF_DISPOSED_WITNESS] = { "disposed_witness", "立会者", false, true },
};

const unsigned mamori_asset_field_max[MAMORI_AF_COUNT] = {
	[MAMORI_AF_ID] = 16, [MAMORI_AF_NAME] = 200, [MAMORI_AF_KIND] = 100, [MAMORI_AF_DESCRIPTION] = 4000,
	[MAMORI_AF_DEPARTMENT] = 100, [MAMORI_AF_ROLE] = 100, [MAMORI_AF_SEGMENT] = 100,
	[MAMORI_AF_LOCATION] = 400, [MAMORI_AF_CONFIDENTIALITY] = 8, [MAMORI_AF_INTEGRITY] = 8,
	[MAMORI_AF_AVAILABILITY] = 8, [MAMORI_AF_RETENTION] = 100, [MAMORI_AF_STATUS] = 32,
	[MAMORI_AF_CREATED] = 40, [MAMORI_AF_UPDATED] = 40, [MAMORI_AF_DISPOSED_DATE] = 40,
	[MAMORI_AF_DISPOSED_METHOD] = 100, [MAMORI_AF_DISPOSED_BY] = 200, [MAMORI_AF_DISPOSED_WITNESS] = 200,
};

const struct mamori_disposal_method mamori_disposal_methods[] = {
	{ "shred", "裁断（シュレッダー）", true },
	{ "incinerate", "焼却・溶解", true },
	{ "physical-destroy", "物理的破壊", true },
	{ "degauss", "磁気消去", true },
	{ "overwrite", "データ消去ソフトによる上書き消去", true },
	{ "crypto-erase", "暗号化消去", true },
	{ "delete", "削除（ごみ箱・初期化）", false },
	{ "discard", "そのまま廃棄", false },
	{ "return", "返却（リース等）", false },
};
const size_t mamori_ndisposal_methods = sizeof(mamori_disposal_methods) / sizeof(mamori_disposal_methods[0]);

static const char *const axis_ids[3] = { "confidentiality", "integrity", "availability" };

/* A stored number field ("2", "000123") as an integer; 0 when absent or not a number. */
long long
asset_to_int(const char *s)
{
	char *end;
	long long v;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || end == s ? 0 : v;
}

void
mamori_asset_clear(struct mamori_asset *a)
{
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		free(a->f[k]);
		a->f[k] = NULL;
	}
}

int
mamori_asset_set(struct mamori_asset *a, enum mamori_asset_field k, const char *value)
{
	char *copy = value ? strdup(value) : NULL;

	if (value && copy == NULL)
		return MAMORI_E_NOMEM;
	free(a->f[k]);
	a->f[k] = copy;
	return 0;
}

/* A header folded for matching: NFKC, lowercase, no white space, "-" as "_". */
static void
fold_header(const char *s, char *out, size_t n)
{
	mamori_fold(s, out, n);
	for (; *out; out++)
		if (*out == '-')
			*out = '_';
}

int
mamori_asset_column_find(const char *name)
{
	char a[128], b[128], c[128];

	fold_header(name, a, sizeof(a));
	if (a[0] == '\0')
		return -1;
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		fold_header(mamori_asset_columns[k].id, b, sizeof(b));
		fold_header(mamori_asset_columns[k].ja, c, sizeof(c));
		if (strcmp(a, b) == 0 || strcmp(a, c) == 0)
			return k;
	}
	return -1;
}

static bool
empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

const struct mamori_disposal_method *
mamori_disposal_method_find(const char *m)
{
	for (size_t i = 0; i < mamori_ndisposal_methods; i++)
		if (strcmp(mamori_disposal_methods[i].id, m) == 0 || strcmp(mamori_disposal_methods[i].ja, m) == 0)
			return &mamori_disposal_methods[i];
	return NULL;
}

/* A problem with field k: `FILE: row N, column X: …`, or `X (id): …` for a single asset. */
static void
problem(struct mamori_diags *d, const char *file, int row, int k, const char *fmt, const char *v1,
    const char *v2)
{
	char msg[2048];

	snprintf(msg, sizeof(msg), _(fmt), v1 ? v1 : "", v2 ? v2 : "");
	if (row > 0)
		mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d, column %s: %s",
		    file ? file : "-", row, mamori_asset_columns[k].ja, msg);
	else
		mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, 0, 0, "%s (%s): %s",
		    mamori_asset_columns[k].ja, mamori_asset_columns[k].id, msg);
}

/*
 * Trims white space (ASCII and U+3000) at both ends of a writable string in
 * place: returns the first kept byte, with a NUL written after the last.
 * Excel ledgers keep 「総務課　」 and "2 " as typed.
 */
char *
asset_trim(char *s)
{
	size_t n;

	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		else if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
			s += 3;
		else
			break;
	}
	n = strlen(s);
	for (;;) {
		if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		else if (n >= 3 && (unsigned char)s[n - 3] == 0xE3 && (unsigned char)s[n - 2] == 0x80 &&
		    (unsigned char)s[n - 1] == 0x80)
			n -= 3;
		else
			break;
	}
	s[n] = '\0';
	return s;
}

/*
 * A cell as the register keeps it: trimmed, and a time written with an offset
 * (what an export writes: 2026-12-05T11:07:12+09:00) as the UTC it stores
 * (2026-12-05T02:07:12Z), rewritten in place: it is never longer.
 */
char *
asset_clean_cell(char *v, int k)
{
	char utc[48];

	v = asset_trim(v);
	/* what an export put before a cell Excel would take for a formula */
	if (v[0] == '\'' && strchr("=+-@\t\r", v[1]) != NULL && v[1] != '\0')
		v++;
	if ((k == MAMORI_AF_CREATED || k == MAMORI_AF_UPDATED) && strlen(v) < sizeof(utc) &&
	    mamori_time_utc(v, utc, sizeof(utc)) && strlen(utc) <= strlen(v))
		memcpy(v, utc, strlen(utc) + 1);
	return v;
}

/* "active" or "disposed" for a status word (English or Japanese, any width); NULL when it is neither. */
const char *
asset_status_word(const char *s)
{
	static const char *const active[] = { "active", "使用中", "有効", "稼働中", "運用中" };
	static const char *const disposed[] = { "disposed", "廃棄済", "廃棄", "廃棄済み" };
	char w[64];

	if (s == NULL || !mamori_fold(s, w, sizeof(w)))
		return NULL;
	for (size_t i = 0; i < sizeof(active) / sizeof(active[0]); i++)
		if (strcmp(w, active[i]) == 0)
			return "active";
	for (size_t i = 0; i < sizeof(disposed) / sizeof(disposed[0]); i++)
		if (strcmp(w, disposed[i]) == 0)
			return "disposed";
	return NULL;
}

void
asset_checker_init(struct checker *c, const struct mamori_policy *p, struct name_memo *memo)
{
	memset(c, 0, sizeof(*c));
	c->p = p;
	for (int ax = 0; ax < 3; ax++)
		c->axes[ax] = mamori_policy_axis(p, axis_ids[ax]);
	for (int i = 0; i < 100; i++)
		snprintf(c->level_text[i], sizeof(c->level_text[i]), "%d", i);
	c->memo = memo;
	for (int m = 0; memo && m < NM_COUNT; m++) {
		memo[m].n = 0;
		if (!mamori_strmap_init(&memo[m].map, MEMO_MAX))
			memo[m].map = (struct mamori_strmap){ 0 };	/* no memo: every name looked up */
	}
}

void
asset_checker_free(struct checker *c)
{
	for (int m = 0; c->memo && m < NM_COUNT; m++)
		mamori_strmap_free(&c->memo[m].map);
	for (int m = 0; m < NM_COUNT; m++)
		free(c->choices[m]);
}

/* The policy's id for a name (an id, title or alias) of the given column, or NULL. */
static const char *
lookup(const struct checker *c, int what, const char *name)
{
	const struct mamori_policy *p = c->p;
	const struct mamori_asset_kind *k;
	const struct mamori_department *d;
	const struct mamori_role *r;
	const struct mamori_segment *s;
	const struct mamori_axis *axis;
	int lv;

	switch (what) {
	case NM_KIND: return (k = mamori_policy_find_asset_kind(p, name)) ? k->id : NULL;
	case NM_DEPARTMENT: return (d = mamori_policy_find_department(p, name)) ? d->id : NULL;
	case NM_ROLE: return (r = mamori_policy_find_role(p, name)) ? r->id : NULL;
	case NM_SEGMENT: return (s = mamori_policy_find_segment(p, name)) ? s->id : NULL;
	default:
		axis = c->axes[what - NM_LEVEL];
		lv = mamori_axis_level_find(axis, name);
		return axis != NULL && lv >= 1 && (size_t)lv <= axis->nlevels ? c->level_text[lv] : NULL;
	}
}

/* As lookup, remembering the answer for the spelling (which must outlive the checker). */
static const char *
resolve(struct checker *c, int what, const char *name)
{
	struct name_memo *m = c->memo ? &c->memo[what] : NULL;
	const char *id;
	int i;

	if (m != NULL && (i = mamori_strmap_get(&m->map, name)) >= 0)
		return m->ids[i];
	id = lookup(c, what, name);
	if (m != NULL && m->n < MEMO_MAX && mamori_strmap_put(&m->map, name, m->n))
		m->ids[m->n++] = id;
	return id;
}

/* Appends "、" and s to the growing list *out (of *len bytes); false when memory ran out. */
static bool
list_add(char **out, size_t *len, const char *s)
{
	size_t n = strlen(s), sep = *len ? strlen("、") : 0;
	char *b = realloc(*out, *len + sep + n + 1);

	if (b == NULL)
		return false;
	if (sep)
		memcpy(b + *len, "、", sep);
	memcpy(b + *len + sep, s, n + 1);
	*out = b;
	*len += sep + n;
	return true;
}

/*
 * The Japanese names a ledger may use for a column, every one of them: kinds,
 * departments, roles and segments by title (segments and kinds with their
 * aliases), levels as numbers and words.  Made once, on the first error.
 */
static const char *
choices(struct checker *c, int what)
{
	const struct mamori_policy *p = c->p;
	char *out = NULL;
	size_t len = 0;
	bool ok = true;

	if (c->choices[what] != NULL)
		return c->choices[what];
	switch (what) {
	case NM_KIND:
		for (size_t i = 0; ok && i < p->nasset_kinds; i++)
			ok = list_add(&out, &len, p->asset_kinds[i].title);
		break;
	case NM_DEPARTMENT:
		for (size_t i = 0; ok && i < p->organisation.ndepartments; i++)
			ok = list_add(&out, &len, p->organisation.departments[i].title);
		break;
	case NM_ROLE:
		for (size_t i = 0; ok && i < p->nroles; i++)
			ok = list_add(&out, &len, p->roles[i].title);
		break;
	case NM_SEGMENT:
		for (size_t i = 0; ok && i < p->nsegments; i++)
			ok = list_add(&out, &len, p->segments[i].title);
		break;
	default: {
		const struct mamori_axis *axis = c->axes[what - NM_LEVEL];
		for (size_t i = 0; ok && axis && i < axis->nlevels; i++)
			for (size_t a = 0; ok && a < axis->levels[i].naliases; a++)
				ok = list_add(&out, &len, axis->levels[i].aliases[a]);
	}
	}
	if (!ok || out == NULL) {
		free(out);
		return "";
	}
	return c->choices[what] = out;	/* levels: the words, perhaps none */
}

/* Reports a name the policy does not know, with every name it does. */
static void
unknown_name(struct checker *c, int what, int k, const char *value, const char *file, int row,
    struct mamori_diags *d)
{
	switch (what) {
	case NM_KIND:
		problem(d, file, row, k, N_("unknown kind '%s': use one of %s"), value, choices(c, what));
		break;
	case NM_DEPARTMENT:
		problem(d, file, row, k, N_("unknown department '%s': use one of %s, or add it to the policy's "
		    "organisation.departments (with its other names as aliases)"), value, choices(c, what));
		break;
	case NM_ROLE:
		problem(d, file, row, k, N_("unknown role '%s': use one of %s"), value, choices(c, what));
		break;
	case NM_SEGMENT:
		problem(d, file, row, k, N_("unknown segment '%s': use one of %s"), value, choices(c, what));
		break;
	default: {
		const struct mamori_axis *axis = c->axes[what - NM_LEVEL];
		const char *words = choices(c, what);
		char what_[160], msg[1024];
		int lv = mamori_axis_level_find(axis, value);
		size_t n = axis ? axis->nlevels : 0;
		snprintf(what_, sizeof(what_), lv >= 0 ? _("level '%s' of %s is out of range") : _("level '%s' of %s"),
		    value, axis ? axis->title : mamori_asset_columns[k].ja);
		if (words[0] != '\0')
			snprintf(msg, sizeof(msg), _("%s: use 1–%zu or one of %s"), what_, n, words);
		else
			snprintf(msg, sizeof(msg), _("%s: use 1–%zu"), what_, n);
		problem(d, file, row, k, "%s%s", msg, NULL);
	}
	}
}

/*
 * Checks and normalises the fields f in place: each pointer is replaced by one
 * to the normal form (the policy's ids, the checker's level texts, static
 * status words, the id in idbuf as A-000123); nothing is allocated.  Problems
 * go to d as mamori_asset_check says.  Returns the number of errors.
 */
size_t
asset_check_fields(struct checker *c, const char *f[MAMORI_AF_COUNT], char idbuf[24], char datebuf[11],
    const char *file, int row, struct mamori_diags *d)
{
	static const struct {
		int field, what;
	} names[] = {
		{ MAMORI_AF_KIND, NM_KIND },
		{ MAMORI_AF_DEPARTMENT, NM_DEPARTMENT },
		{ MAMORI_AF_ROLE, NM_ROLE },
		{ MAMORI_AF_SEGMENT, NM_SEGMENT },
		{ MAMORI_AF_CONFIDENTIALITY, NM_LEVEL },
		{ MAMORI_AF_INTEGRITY, NM_LEVEL + 1 },
		{ MAMORI_AF_AVAILABILITY, NM_LEVEL + 2 },
	};
	size_t before = d->errors;

	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		char max[16];
		if (mamori_asset_columns[k].required && empty(f[k]))
			problem(d, file, row, k, N_("missing: %s is required%s"), mamori_asset_columns[k].ja, NULL);
		snprintf(max, sizeof(max), "%u", mamori_asset_field_max[k]);
		if (f[k] != NULL && mamori_utf8_length(f[k], strlen(f[k])) > (size_t)mamori_asset_field_max[k])
			problem(d, file, row, k, N_("longer than %s characters%s"), max, NULL);
	}
	if (!empty(f[MAMORI_AF_ID])) {
		const char *id = f[MAMORI_AF_ID];
		if (strncmp(id, "A-", 2) != 0 || strlen(id) < 3 || strlen(id) > 14 ||
		    strspn(id + 2, "0123456789") != strlen(id + 2) || asset_to_int(id + 2) < 1) {
			problem(d, file, row, MAMORI_AF_ID, N_("'%s' is not an asset id (A- and a number from 1, "
			    "e.g. A-000123)%s"), id, NULL);
		} else {
			/* one spelling per number: A-12 and A-000012 are the same asset */
			snprintf(idbuf, 24, "A-%06lld", asset_to_int(id + 2));
			f[MAMORI_AF_ID] = idbuf;
		}
	}
	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		int k = names[n].field;
		const char *id;
		if (empty(f[k]))
			continue;
		if ((id = resolve(c, names[n].what, f[k])) != NULL)
			f[k] = id;
		else
			unknown_name(c, names[n].what, k, f[k], file, row, d);
	}
	if (!empty(f[MAMORI_AF_DISPOSED_DATE])) {
		/* a date column: a bare number is what Excel saved of a date cell */
		if (mamori_date_parse(f[MAMORI_AF_DISPOSED_DATE], MAMORI_DATE_SERIAL, datebuf))
			f[MAMORI_AF_DISPOSED_DATE] = datebuf;
		else
			problem(d, file, row, MAMORI_AF_DISPOSED_DATE, N_("'%s' is not a date: write %s"),
			    f[MAMORI_AF_DISPOSED_DATE], MAMORI_DATE_FORMS);
	}
	if (!empty(f[MAMORI_AF_DISPOSED_METHOD])) {
		const struct mamori_disposal_method *m = mamori_disposal_method_find(f[MAMORI_AF_DISPOSED_METHOD]);
		if (m != NULL)
			f[MAMORI_AF_DISPOSED_METHOD] = m->id;	/* as the export writes it: 裁断（シュレッダー） */
	}
	if (!empty(f[MAMORI_AF_STATUS])) {
		const char *st = asset_status_word(f[MAMORI_AF_STATUS]);
		if (st != NULL)
			f[MAMORI_AF_STATUS] = st;
		else
			problem(d, file, row, MAMORI_AF_STATUS, N_("status '%s' is neither active (使用中) nor "
			    "disposed (廃棄済)%s"), f[MAMORI_AF_STATUS], NULL);
	}
	return d->errors - before;
}

size_t
mamori_asset_check(const struct mamori_policy *p, struct mamori_asset *a, const char *file, int row,
    struct mamori_diags *d)
{
	struct checker c;
	const char *f[MAMORI_AF_COUNT];
	char idbuf[24], datebuf[11];
	size_t n;

	asset_checker_init(&c, p, NULL);
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		f[k] = a->f[k] ? asset_clean_cell(a->f[k], k) : NULL;
	n = asset_check_fields(&c, f, idbuf, datebuf, file, row, d);
	/* copy the normal forms back (mamori_asset_set copies before it frees) */
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (f[k] != a->f[k])
			mamori_asset_set(a, (enum mamori_asset_field)k, f[k]);
	asset_checker_free(&c);
	return n;
}

const char *
mamori_asset_display(const struct mamori_policy *p, enum mamori_asset_field k, const char *v)
{
	const struct mamori_asset_kind *kind;
	const struct mamori_department *d;
	const struct mamori_role *r;
	const struct mamori_segment *seg;

	if (v == NULL)
		return "";
	switch (k) {
	case MAMORI_AF_KIND: return (kind = mamori_policy_find_asset_kind(p, v)) ? kind->title : v;
	case MAMORI_AF_DEPARTMENT: return (d = mamori_policy_find_department(p, v)) ? d->title : v;
	case MAMORI_AF_ROLE: return (r = mamori_policy_find_role(p, v)) ? r->title : v;
	case MAMORI_AF_SEGMENT: return (seg = mamori_policy_find_segment(p, v)) ? seg->title : v;
	case MAMORI_AF_STATUS:
		return strcmp(v, "active") == 0 ? "使用中" : strcmp(v, "disposed") == 0 ? "廃棄済" : v;
	case MAMORI_AF_DISPOSED_METHOD: {
		const struct mamori_disposal_method *m = mamori_disposal_method_find(v);
		return m ? m->ja : v;
	}
	default: return v;
	}
}

/* ---- rows ------------------------------------------------------------- */

/*
 * The fields in the byte order of their ids: an audit body is canonical JSON,
 * its keys sorted (canon.h).  test_asset checks every body the register
 * writes against the canonical form of its parsed self.
 */
static const enum mamori_asset_field sorted_fields[MAMORI_AF_COUNT] = {
	MAMORI_AF_AVAILABILITY, MAMORI_AF_CONFIDENTIALITY, MAMORI_AF_CREATED, MAMORI_AF_DEPARTMENT,
	MAMORI_AF_DESCRIPTION, MAMORI_AF_DISPOSED_BY, MAMORI_AF_DISPOSED_DATE, MAMORI_AF_DISPOSED_METHOD,
	MAMORI_AF_DISPOSED_WITNESS, MAMORI_AF_ID, MAMORI_AF_INTEGRITY, MAMORI_AF_KIND, MAMORI_AF_LOCATION,
	MAMORI_AF_NAME, MAMORI_AF_RETENTION, MAMORI_AF_ROLE, MAMORI_AF_SEGMENT, MAMORI_AF_STATUS,
	MAMORI_AF_UPDATED,
};

/* One side of a body: the non-empty fields as an object, or null. */
static void
body_side(struct buf *b, const char *const *f)
{
	bool first = true;

	if (f == NULL) {
		buf_add(b, "null", 4);
		return;
	}
	buf_add(b, "{", 1);
	for (int i = 0; i < MAMORI_AF_COUNT; i++) {
		enum mamori_asset_field k = sorted_fields[i];
		if (empty(f[k]))
			continue;
		if (!first)
			buf_add(b, ",", 1);
		first = false;
		buf_json_string(b, mamori_asset_columns[k].id);
		buf_add(b, ":", 1);
		buf_json_string(b, f[k]);
	}
	buf_add(b, "}", 1);
}

/* Appends the audit body {"after":…,"before":…} of a change to b, written without a tree. */
void
asset_body_append(struct buf *b, const char *const *before, const char *const *after)
{
	buf_add(b, "{\"after\":", 9);
	body_side(b, after);
	buf_add(b, ",\"before\":", 10);
	body_side(b, before);
	buf_add(b, "}", 1);
}

/* The body alone in b; false when memory ran out. */
static bool
asset_body(struct buf *b, const char *const *before, const char *const *after)
{
	buf_reset(b);
	asset_body_append(b, before, after);
	return !b->fail;
}

/* The next free asset number, read once per transaction and counted up after. */
int
asset_next_num(struct mamori_store_tx *tx, int64_t *num)
{
	int64_t max;
	int rc;

	if (tx->next_asset == 0) {
		if ((rc = tx->store->backend->asset->max_num(tx->store, &max, NULL)) != 0)
			return rc;
		tx->next_asset = max + 1;
	}
	*num = tx->next_asset;
	return 0;
}

/* What inserting an asset needs and fills in: its id and the time, lent to the fields. */
struct insert_ctx {
	struct store_asset_insert *ins;
	struct buf body;
	char id[24], now[32];
};

/*
 * Fills in what the register gives an asset: the id (A- and num, into id), the
 * status when empty, the created and updated times when empty (now, into now;
 * an imported register keeps its own dates, so that export → import is exact).
 */
void
asset_fill_fields(const char *f[MAMORI_AF_COUNT], int64_t num, char id[24], char now[32], struct store_clock *clock)
{
	snprintf(id, 24, "A-%06lld", (long long)num);
	f[MAMORI_AF_ID] = id;
	if (empty(f[MAMORI_AF_STATUS]))
		f[MAMORI_AF_STATUS] = "active";
	if (empty(f[MAMORI_AF_CREATED]) || empty(f[MAMORI_AF_UPDATED])) {
		store_clock_now(clock, now);
		if (empty(f[MAMORI_AF_CREATED]))
			f[MAMORI_AF_CREATED] = now;
		if (empty(f[MAMORI_AF_UPDATED]))
			f[MAMORI_AF_UPDATED] = now;
	}
}

/* Inserts the row of a filled-in asset (no event); MAMORI_E_CONFLICT (err not filled) when its id is taken. */
int
asset_insert_row(struct mamori_store_tx *tx, struct store_asset_insert *ins, const char *const *f, int64_t num,
    struct mamori_error *err)
{
	int rc = tx->store->backend->asset->insert(ins, f, num, err);

	if (rc == 0 && num >= tx->next_asset)
		tx->next_asset = num + 1;
	return rc;
}

/*
 * Inserts a checked asset and its event inside tx.  f are the fields; num is
 * the given number (0: the next free one).  The id, status, and the created
 * and updated times are filled in f where empty (pointing into x).
 */
static int
insert_fields(struct mamori_store_tx *tx, struct insert_ctx *x, const char *f[MAMORI_AF_COUNT], int64_t num,
    struct mamori_error *err)
{
	int64_t next;
	int rc;

	/* the next number is read before any given one counts: max(num) + 1 of the register */
	if ((rc = asset_next_num(tx, &next)) != 0)
		return rc;
	asset_fill_fields(f, num ? num : next, x->id, x->now, &tx->clock);
	if ((rc = asset_insert_row(tx, x->ins, f, num ? num : next, err)) != 0)
		return rc;
	if (!asset_body(&x->body, NULL, f))
		return MAMORI_E_NOMEM;
	return store_tx_event_body(tx, "asset.add", "asset", x->id, x->body.p);
}


struct add_arg {
	struct mamori_asset *a;
	struct mamori_error *err;
};

static int
add_tx(struct mamori_store_tx *tx, void *arg)
{
	struct add_arg *x = arg;
	struct insert_ctx ic = { 0 };
	const char *f[MAMORI_AF_COUNT];
	int64_t num = empty(x->a->f[MAMORI_AF_ID]) ? 0 : asset_to_int(x->a->f[MAMORI_AF_ID] + 2);
	int rc;

	if ((rc = tx->store->backend->asset->insert_open(tx, &ic.ins, x->err)) != 0)
		return rc;
	memcpy(f, x->a->f, sizeof(f));
	rc = insert_fields(tx, &ic, f, num, x->err);
	if (rc == MAMORI_E_CONFLICT)
		mamori_error_set(x->err, rc, "asset %s exists already", ic.id);
	/* the caller's asset gets what the register filled in */
	for (int k = 0; rc == 0 && k < MAMORI_AF_COUNT; k++)
		if (f[k] != x->a->f[k] && mamori_asset_set(x->a, (enum mamori_asset_field)k, f[k]) != 0)
			rc = MAMORI_E_NOMEM;
	tx->store->backend->asset->insert_close(&ic.ins);
	buf_free(&ic.body);
	return rc;
}

int
mamori_asset_add(struct mamori_store *s, const char *actor, struct mamori_asset *a,
    struct mamori_diags *diags, struct mamori_error *err)
{
	struct add_arg x = { a, err };

	if (mamori_asset_check(s->policy, a, NULL, 0, diags) > 0)
		return mamori_error_set(err, MAMORI_E_INVALID, "the asset is not valid under policy %s",
		    s->policy->id);
	return mamori_store_write(s, actor, add_tx, &x, err);
}

int
mamori_asset_get(struct mamori_store *s, const char *id, struct mamori_asset *out, struct mamori_error *err)
{
	int rc = s->backend->asset->get(s, id, out, err);

	if (rc == MAMORI_E_NOTFOUND)
		mamori_error_set(err, rc, "no asset %s", id);
	return rc;
}

/* ---- edit and dispose ---------------------------------------------------- */

struct update_arg {
	const struct mamori_asset *before;
	const struct mamori_asset *after;
	const char *action;
	struct mamori_error *err;
};

static int
update_tx(struct mamori_store_tx *tx, void *arg)
{
	struct update_arg *x = arg;
	struct buf body = { 0 };
	int rc;

	if ((rc = tx->store->backend->asset->update(tx, (const char *const *)x->after->f, x->err)) != 0)
		return rc;
	if (!asset_body(&body, (const char *const *)x->before->f, (const char *const *)x->after->f))
		rc = MAMORI_E_NOMEM;
	else
		rc = store_tx_event_body(tx, x->action, "asset", x->after->f[MAMORI_AF_ID], body.p);
	buf_free(&body);
	return rc;
}

int
mamori_asset_edit(struct mamori_store *s, const char *actor, const char *id,
    const struct mamori_asset *changes, struct mamori_diags *diags, struct mamori_error *err)
{
	struct mamori_asset before = { 0 }, after = { 0 };
	struct update_arg x;
	char now[32];
	int rc;

	if ((rc = mamori_asset_get(s, id, &before, err)) != 0)
		return rc;
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		mamori_asset_set(&after, (enum mamori_asset_field)k, changes->f[k] ? changes->f[k] : before.f[k]);
	if (changes->f[MAMORI_AF_ID] && strcmp(changes->f[MAMORI_AF_ID], id) != 0) {
		rc = mamori_error_set(err, MAMORI_E_USAGE, "an asset's id never changes");
		goto out;
	}
	if (mamori_asset_check(s->policy, &after, NULL, 0, diags) > 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "the change is not valid under policy %s", s->policy->id);
		goto out;
	}
	store_now(now);
	mamori_asset_set(&after, MAMORI_AF_UPDATED, now);
	x = (struct update_arg){ &before, &after, "asset.edit", err };
	rc = mamori_store_write(s, actor, update_tx, &x, err);
out:
	mamori_asset_clear(&before);
	mamori_asset_clear(&after);
	return rc;
}

/* The first irreversible-disposal restriction that binds the asset, or NULL. */
static const struct mamori_restriction *
disposal_restriction(const struct mamori_policy *p, const struct mamori_asset *a)
{
	for (int ax = 0; ax < 3; ax++) {
		const struct mamori_level *l = mamori_policy_level(mamori_policy_axis(p, axis_ids[ax]),
		    a->f[MAMORI_AF_CONFIDENTIALITY + ax] ? (int)asset_to_int(a->f[MAMORI_AF_CONFIDENTIALITY + ax]) : 1);
		for (size_t k = 0; l && k < l->nrestrictions; k++)
			if (strcmp(l->restrictions[k].id, "irreversible-disposal") == 0)
				return &l->restrictions[k];
	}
	return NULL;
}

int
mamori_asset_dispose(struct mamori_store *s, const char *actor, const char *id, const char *date,
    const char *method, const char *by, const char *witness, struct mamori_error *err)
{
	struct mamori_asset before = { 0 }, after = { 0 };
	const struct mamori_disposal_method *m = method ? mamori_disposal_method_find(method) : NULL;
	const struct mamori_restriction *r;
	struct update_arg x;
	char now[32], day[11];
	int rc;

	if (m == NULL)
		return mamori_error_set(err, MAMORI_E_USAGE, "unknown disposal method '%s': one of shred, "
		    "incinerate, physical-destroy, degauss, overwrite, crypto-erase, delete, discard, return",
		    method ? method : "");
	if (empty(date) || empty(by))
		return mamori_error_set(err, MAMORI_E_USAGE, "a disposal record needs the date and who disposed");
	if (!mamori_date_parse(date, 0, day))
		return mamori_error_set(err, MAMORI_E_USAGE, "'%s' is not a date: write %s", date, MAMORI_DATE_FORMS);
	date = day;
	if ((rc = mamori_asset_get(s, id, &before, err)) != 0)
		return rc;
	if (strcmp(before.f[MAMORI_AF_STATUS], "disposed") == 0) {
		rc = mamori_error_set(err, MAMORI_E_CONFLICT, "asset %s was disposed of already (%s)", id,
		    before.f[MAMORI_AF_DISPOSED_DATE] ? before.f[MAMORI_AF_DISPOSED_DATE] : "");
		goto out;
	}
	r = disposal_restriction(s->policy, &before);
	if (r != NULL && !m->irreversible) {
		rc = mamori_error_set(err, MAMORI_E_DENIED, "asset %s (機密性%s 完全性%s 可用性%s) must be "
		    "disposed of irreversibly: 「%s」 (%s); '%s' (%s) can be restored — use shred, incinerate, "
		    "physical-destroy, degauss, overwrite or crypto-erase", id, before.f[MAMORI_AF_CONFIDENTIALITY],
		    before.f[MAMORI_AF_INTEGRITY], before.f[MAMORI_AF_AVAILABILITY], r->text, r->clause, m->id, m->ja);
		if (err)
			snprintf(err->clause, sizeof(err->clause), "%s", r->clause);
		goto out;
	}
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		mamori_asset_set(&after, (enum mamori_asset_field)k, before.f[k]);
	store_now(now);
	mamori_asset_set(&after, MAMORI_AF_STATUS, "disposed");
	mamori_asset_set(&after, MAMORI_AF_UPDATED, now);
	mamori_asset_set(&after, MAMORI_AF_DISPOSED_DATE, date);
	mamori_asset_set(&after, MAMORI_AF_DISPOSED_METHOD, m->id);
	mamori_asset_set(&after, MAMORI_AF_DISPOSED_BY, by);
	mamori_asset_set(&after, MAMORI_AF_DISPOSED_WITNESS, witness);
	x = (struct update_arg){ &before, &after, "asset.dispose", err };
	rc = mamori_store_write(s, actor, update_tx, &x, err);
out:
	mamori_asset_clear(&before);
	mamori_asset_clear(&after);
	return rc;
}

void
mamori_asset_restrictions(const struct mamori_policy *p, const struct mamori_asset *a,
    void (*fn)(const struct mamori_axis *, const struct mamori_restriction *, void *), void *ctx)
{
	for (int ax = 0; ax < 3; ax++) {
		const struct mamori_axis *axis = mamori_policy_axis(p, axis_ids[ax]);
		const char *v = a->f[MAMORI_AF_CONFIDENTIALITY + ax];
		const struct mamori_level *l = mamori_policy_level(axis, v ? (int)asset_to_int(v) : 1);
		for (size_t k = 0; l && k < l->nrestrictions; k++)
			fn(axis, &l->restrictions[k], ctx);
	}
}

/* The number of assets in the register (0 when it cannot be counted). */
int64_t
asset_total(struct mamori_store *s)
{
	int64_t n = 0;

	if (s->backend->asset->total(s, &n, NULL) != 0)
		n = 0;
	return n;
}

/* ---- the register under a new policy (store_policy.c) ------------------- */

struct policy_check {
	const struct mamori_policy *p;
	struct mamori_diags *conflicts;
};

/* Every problem of one asset under the new policy, each prefixed with its id. */
static int
policy_check_asset(const struct mamori_asset *a, void *ctx)
{
	struct policy_check *x = ctx;
	struct mamori_asset copy = { 0 };
	struct mamori_diags d = { 0 };

	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (a->f[k] && mamori_asset_set(&copy, (enum mamori_asset_field)k, a->f[k]) != 0) {
			mamori_asset_clear(&copy);
			return MAMORI_E_NOMEM;
		}
	mamori_asset_check(x->p, &copy, NULL, 0, &d);
	for (size_t i = 0; i < d.count; i++)
		mamori_diags_add(x->conflicts, MAMORI_SEV_ERROR, a->f[MAMORI_AF_ID], 0, 0, "asset %s: %s",
		    a->f[MAMORI_AF_ID], d.items[i].message);
	mamori_diags_clear(&d);
	mamori_asset_clear(&copy);
	return 0;
}

int
asset_policy_check(struct mamori_store *s, const struct mamori_policy *p, struct mamori_diags *conflicts,
    struct mamori_error *err)
{
	struct policy_check x = { p, conflicts };

	return mamori_asset_list(s, NULL, policy_check_asset, &x, err);
}
