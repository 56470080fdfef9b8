/*
 * asset.c — the information asset register: check against the policy, add,
 * edit, list, dispose, import and export.  Every change goes through the
 * store's write path with its audit event.
 */
#include "mamori/asset.h"
#include "canon.h"
#include "csv.h"
#include "strmap.h"
#include "fold.h"
#include "utf8.h"
#include "mamori/date.h"
#include "mamori/i18n.h"
#include "mamori/tz.h"
#include "audit_internal.h"
#include "store_internal.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <strings.h>
#include <iconv.h>
#include <xlsxwriter.h>

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

/* The XLSX export's last column: the 取扱制限 of each asset's levels. */
#define RESTRICTIONS_HEADER "取扱制限"

/* The columns in enum mamori_asset_field order. */
#define SELECT_ALL "SELECT id, name, kind, description, department, role, segment, location, " \
	"c, i, a, retention, status, created, updated, disposed_date, disposed_method, disposed_by, " \
	"disposed_witness FROM asset"

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
static long long
to_int(const char *s)
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

static const struct mamori_disposal_method *
find_method(const char *m)
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
static char *
trim(char *s)
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
static char *
clean_cell(char *v, int k)
{
	char utc[48];

	v = trim(v);
	/* what an export put before a cell Excel would take for a formula */
	if (v[0] == '\'' && strchr("=+-@\t\r", v[1]) != NULL && v[1] != '\0')
		v++;
	if ((k == MAMORI_AF_CREATED || k == MAMORI_AF_UPDATED) && strlen(v) < sizeof(utc) &&
	    mamori_time_utc(v, utc, sizeof(utc)) && strlen(utc) <= strlen(v))
		memcpy(v, utc, strlen(utc) + 1);
	return v;
}

/* "active" or "disposed" for a status word (English or Japanese, any width); NULL when it is neither. */
static const char *
status_word(const char *s)
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

/*
 * What checking needs besides the fields: the policy, its axes, the levels'
 * texts, the Japanese names an error lists, and — for an import — the names
 * already resolved.  A file names the same few departments, kinds, segments
 * and level words a million times; each distinct spelling is folded (NFKC)
 * and looked up once.
 */
enum { NM_KIND, NM_DEPARTMENT, NM_ROLE, NM_SEGMENT, NM_LEVEL, NM_COUNT = NM_LEVEL + 3 };

/* At most this many distinct spellings per column are remembered; more are looked up each time. */
#define MEMO_MAX 1024

struct name_memo {
	struct mamori_strmap map;	/* spelling (borrowed) → index in ids */
	const char *ids[MEMO_MAX];	/* the policy's id, or NULL: unknown */
	int n;
};

struct checker {
	const struct mamori_policy *p;
	const struct mamori_axis *axes[3];	/* NULL: the policy has no such axis */
	char level_text[100][3];	/* "0" … "99": what a level is stored as */
	struct name_memo *memo;		/* NM_COUNT of them, or NULL: no memo */
	char *choices[NM_COUNT];	/* the Japanese names an error offers, made on the first error */
};

static void
checker_init(struct checker *c, const struct mamori_policy *p, struct name_memo *memo)
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

static void
checker_free(struct checker *c)
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
static size_t
check_fields(struct checker *c, const char *f[MAMORI_AF_COUNT], char idbuf[24], char datebuf[11],
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
		    strspn(id + 2, "0123456789") != strlen(id + 2) || to_int(id + 2) < 1) {
			problem(d, file, row, MAMORI_AF_ID, N_("'%s' is not an asset id (A- and a number from 1, "
			    "e.g. A-000123)%s"), id, NULL);
		} else {
			/* one spelling per number: A-12 and A-000012 are the same asset */
			snprintf(idbuf, 24, "A-%06lld", to_int(id + 2));
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
		const struct mamori_disposal_method *m = find_method(f[MAMORI_AF_DISPOSED_METHOD]);
		if (m != NULL)
			f[MAMORI_AF_DISPOSED_METHOD] = m->id;	/* as the export writes it: 裁断（シュレッダー） */
	}
	if (!empty(f[MAMORI_AF_STATUS])) {
		const char *st = status_word(f[MAMORI_AF_STATUS]);
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

	checker_init(&c, p, NULL);
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		f[k] = a->f[k] ? clean_cell(a->f[k], k) : NULL;
	n = check_fields(&c, f, idbuf, datebuf, file, row, d);
	/* copy the normal forms back (mamori_asset_set copies before it frees) */
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (f[k] != a->f[k])
			mamori_asset_set(a, (enum mamori_asset_field)k, f[k]);
	checker_free(&c);
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
		const struct mamori_disposal_method *m = find_method(v);
		return m ? m->ja : v;
	}
	default: return v;
	}
}

/* ---- rows ------------------------------------------------------------- */

static void
asset_from_row(sqlite3_stmt *st, struct mamori_asset *a)
{
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		const char *v = (const char *)sqlite3_column_text(st, k);
		mamori_asset_set(a, (enum mamori_asset_field)k, v);
	}
}

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
body_side(struct canon_buf *b, const char *const *f)
{
	bool first = true;

	if (f == NULL) {
		canon_put_raw(b, "null", 4);
		return;
	}
	canon_put_raw(b, "{", 1);
	for (int i = 0; i < MAMORI_AF_COUNT; i++) {
		enum mamori_asset_field k = sorted_fields[i];
		if (empty(f[k]))
			continue;
		if (!first)
			canon_put_raw(b, ",", 1);
		first = false;
		canon_put_string(b, mamori_asset_columns[k].id);
		canon_put_raw(b, ":", 1);
		canon_put_string(b, f[k]);
	}
	canon_put_raw(b, "}", 1);
}

/* Appends the audit body {"after":…,"before":…} of a change to b, written without a tree. */
static void
body_append(struct canon_buf *b, const char *const *before, const char *const *after)
{
	canon_put_raw(b, "{\"after\":", 9);
	body_side(b, after);
	canon_put_raw(b, ",\"before\":", 10);
	body_side(b, before);
	canon_put_raw(b, "}", 1);
}

/* The body alone in b; false when memory ran out. */
static bool
asset_body(struct canon_buf *b, const char *const *before, const char *const *after)
{
	canon_buf_reset(b);
	body_append(b, before, after);
	return !b->fail;
}

/* Binds the fields as ?1 … ?19; the strings are lent to the statement until its next reset. */
static void
bind_fields(sqlite3_stmt *st, const char *const *f)
{
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		const char *v = f[k];
		if (k >= MAMORI_AF_CONFIDENTIALITY && k <= MAMORI_AF_AVAILABILITY)
			sqlite3_bind_int(st, k + 1, v ? (int)to_int(v) : 1);
		else if (v == NULL && (k == MAMORI_AF_ROLE || k == MAMORI_AF_SEGMENT || k >= MAMORI_AF_DISPOSED_DATE))
			sqlite3_bind_null(st, k + 1);
		else
			sqlite3_bind_text(st, k + 1, v ? v : "", -1, SQLITE_STATIC);
	}
}

/* The next free asset number, read once per transaction and counted up after. */
static int
next_num(struct mamori_store_tx *tx, int64_t *num)
{
	struct mamori_error err;
	sqlite3_stmt *st;

	if (tx->next_asset == 0) {
		st = store_prepare(tx->store, "SELECT coalesce(max(num), 0) + 1 FROM asset", &err);
		if (st == NULL)
			return MAMORI_E_STORE;
		tx->next_asset = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 1;
		sqlite3_finalize(st);
	}
	*num = tx->next_asset;
	return 0;
}

/* What inserting an asset needs and fills in: its id and the time, lent to the fields. */
struct insert_ctx {
	sqlite3_stmt *ins;
	struct canon_buf body;
	char id[24], now[32];
};

/*
 * Fills in what the register gives an asset: the id (A- and num, into id), the
 * status when empty, the created and updated times when empty (now, into now;
 * an imported register keeps its own dates, so that export → import is exact).
 */
static void
fill_fields(const char *f[MAMORI_AF_COUNT], int64_t num, char id[24], char now[32], struct store_clock *clock)
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

/* Inserts the row of a filled-in asset (no event); MAMORI_E_CONFLICT when its id is taken. */
static int
insert_row(struct mamori_store_tx *tx, sqlite3_stmt *ins, const char *const *f, int64_t num)
{
	int rc;

	sqlite3_reset(ins);
	bind_fields(ins, f);
	sqlite3_bind_int64(ins, MAMORI_AF_COUNT + 1, num);
	rc = sqlite3_step(ins);
	sqlite3_reset(ins);	/* the bound strings are not kept past this call */
	if (rc == SQLITE_CONSTRAINT)
		return MAMORI_E_CONFLICT;
	if (rc != SQLITE_DONE)
		return MAMORI_E_STORE;
	if (num >= tx->next_asset)
		tx->next_asset = num + 1;
	return 0;
}

/*
 * Inserts a checked asset and its event inside tx.  f are the fields; num is
 * the given number (0: the next free one).  The id, status, and the created
 * and updated times are filled in f where empty (pointing into x).
 */
static int
insert_fields(struct mamori_store_tx *tx, struct insert_ctx *x, const char *f[MAMORI_AF_COUNT], int64_t num)
{
	int64_t next;
	int rc;

	/* the next number is read before any given one counts: max(num) + 1 of the register */
	if ((rc = next_num(tx, &next)) != 0)
		return rc;
	fill_fields(f, num ? num : next, x->id, x->now, &tx->clock);
	if ((rc = insert_row(tx, x->ins, f, num ? num : next)) != 0)
		return rc;
	if (!asset_body(&x->body, NULL, f))
		return MAMORI_E_NOMEM;
	return store_tx_event_body(tx, "asset.add", "asset", x->id, x->body.buf);
}

#define INSERT_SQL "INSERT INTO asset (id, name, kind, description, department, role, segment, " \
	"location, c, i, a, retention, status, created, updated, disposed_date, disposed_method, " \
	"disposed_by, disposed_witness, num) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, " \
	"?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"

struct add_arg {
	struct mamori_asset *a;
	struct mamori_error *err;
};

static int
add_tx(struct mamori_store_tx *tx, void *arg)
{
	struct add_arg *x = arg;
	struct insert_ctx ic = { .ins = store_prepare(tx->store, INSERT_SQL, x->err) };
	const char *f[MAMORI_AF_COUNT];
	int64_t num = empty(x->a->f[MAMORI_AF_ID]) ? 0 : to_int(x->a->f[MAMORI_AF_ID] + 2);
	int rc;

	if (ic.ins == NULL)
		return MAMORI_E_STORE;
	memcpy(f, x->a->f, sizeof(f));
	rc = insert_fields(tx, &ic, f, num);
	if (rc == MAMORI_E_CONFLICT)
		mamori_error_set(x->err, rc, "asset %s exists already", ic.id);
	/* the caller's asset gets what the register filled in */
	for (int k = 0; rc == 0 && k < MAMORI_AF_COUNT; k++)
		if (f[k] != x->a->f[k] && mamori_asset_set(x->a, (enum mamori_asset_field)k, f[k]) != 0)
			rc = MAMORI_E_NOMEM;
	sqlite3_finalize(ic.ins);
	canon_buf_free(&ic.body);
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
	static const char sql[] = SELECT_ALL " WHERE id = ?1";
	sqlite3_stmt *st = store_cached(s, sql, err);
	int rc = 0;

	if (st == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		asset_from_row(st, out);
	else
		rc = mamori_error_set(err, MAMORI_E_NOTFOUND, "no asset %s", id);
	store_release(s, st);
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
	sqlite3_stmt *st = store_prepare(tx->store, "UPDATE asset SET id = ?1, name = ?2, kind = ?3, "
	    "description = ?4, department = ?5, role = ?6, segment = ?7, location = ?8, c = ?9, i = ?10, "
	    "a = ?11, retention = ?12, status = ?13, created = ?14, updated = ?15, disposed_date = ?16, "
	    "disposed_method = ?17, disposed_by = ?18, disposed_witness = ?19 WHERE id = ?1", x->err);
	struct canon_buf body = { 0 };
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	bind_fields(st, (const char *const *)x->after->f);
	rc = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(tx->store->db) == 1 ? 0 : MAMORI_E_STORE;
	sqlite3_finalize(st);
	if (rc != 0)
		return store_error(tx->store, x->err, "cannot update the asset");
	if (!asset_body(&body, (const char *const *)x->before->f, (const char *const *)x->after->f))
		rc = MAMORI_E_NOMEM;
	else
		rc = store_tx_event_body(tx, x->action, "asset", x->after->f[MAMORI_AF_ID], body.buf);
	canon_buf_free(&body);
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
		    a->f[MAMORI_AF_CONFIDENTIALITY + ax] ? (int)to_int(a->f[MAMORI_AF_CONFIDENTIALITY + ax]) : 1);
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
	const struct mamori_disposal_method *m = method ? find_method(method) : NULL;
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
		const struct mamori_level *l = mamori_policy_level(axis, v ? (int)to_int(v) : 1);
		for (size_t k = 0; l && k < l->nrestrictions; k++)
			fn(axis, &l->restrictions[k], ctx);
	}
}

/* ---- list --------------------------------------------------------------- */

bool
mamori_asset_filter_level(struct mamori_asset_filter *f, int axis, const char *expr)
{
	static const char *const ops[] = { ">=", "<=", "=", "<", ">" };
	char *end;
	long v;

	for (size_t i = 0; i < 5; i++) {
		size_t n = strlen(ops[i]);
		if (strncmp(expr, ops[i], n) == 0 || (i == 2 && expr[0] >= '0' && expr[0] <= '9')) {
			const char *num = strncmp(expr, ops[i], n) == 0 ? expr + n : expr;
			v = strtol(num, &end, 10);
			if (*end || end == num || v < 1 || v > 9)
				return false;
			snprintf(f->level_op[axis], 3, "%s", ops[i]);
			f->level[axis] = (int)v;
			return true;
		}
	}
	return false;
}

/*
 * The list queries are built from the filters that are present, so that
 * SQLite's planner sees plain `department = :department` terms and uses the
 * index (a term like `(?1 IS NULL OR department = ?1)` makes it scan the whole
 * register).  Column names and operators come from fixed tables, never from
 * input; every value is bound by name.
 */
struct list_sql {
	char text[1536];
	size_t used;
};

static void
sql_add(struct list_sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sql_add(struct list_sql *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(q->text + q->used, sizeof(q->text) - q->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		q->used += (size_t)n < sizeof(q->text) - q->used ? (size_t)n : sizeof(q->text) - q->used - 1;
}

/* The filter's terms joined by AND into terms (empty: no filter). */
static void
filter_terms(const struct mamori_asset_filter *f, struct list_sql *terms)
{
	static const char *const level_cols[3] = { "c", "i", "a" };
	static const struct { size_t off; const char *term; } named[] = {
		{ offsetof(struct mamori_asset_filter, department), "department = :department" },
		{ offsetof(struct mamori_asset_filter, segment), "segment = :segment" },
		{ offsetof(struct mamori_asset_filter, kind), "kind = :kind" },
		{ offsetof(struct mamori_asset_filter, status), "status = :status" },
		{ offsetof(struct mamori_asset_filter, text), "(name LIKE :text ESCAPE '\\' OR description "
		    "LIKE :text ESCAPE '\\' OR location LIKE :text ESCAPE '\\')" },
	};

	terms->used = 0;
	terms->text[0] = '\0';
	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		if (*(const char *const *)((const char *)f + named[k].off) != NULL)
			sql_add(terms, "%s%s", terms->used ? " AND " : "", named[k].term);
	for (int ax = 0; ax < 3; ax++)
		if (f->level_op[ax][0] != '\0')	/* checked against a fixed table by mamori_asset_filter_level */
			sql_add(terms, "%s%s %s %d", terms->used ? " AND " : "", level_cols[ax], f->level_op[ax],
			    f->level[ax]);
}

static void
bind_named(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
}

/* Binds the filter's values (those of filter_terms) and :after, :limit where the statement has them. */
static void
bind_filter(struct mamori_store *s, sqlite3_stmt *st, const struct mamori_asset_filter *f, int64_t after,
    int64_t limit)
{
	const struct mamori_department *d;
	const struct mamori_segment *g;
	const struct mamori_asset_kind *k;
	char like[512];
	int i;

	/* a name the policy does not know is searched for as given: it matches nothing */
	if (f->department)
		bind_named(st, ":department", (d = mamori_policy_find_department(s->policy, f->department)) ? d->id : f->department);
	if (f->segment)
		bind_named(st, ":segment", (g = mamori_policy_find_segment(s->policy, f->segment)) ? g->id : f->segment);
	if (f->kind)
		bind_named(st, ":kind", (k = mamori_policy_find_asset_kind(s->policy, f->kind)) ? k->id : f->kind);
	if (f->status)	/* the words import accepts: 使用中 / 廃棄済 */
		bind_named(st, ":status", status_word(f->status) ? status_word(f->status) : f->status);
	if (f->text) {
		size_t o = 0;
		like[o++] = '%';
		for (const char *t = f->text; *t && o + 3 < sizeof(like); t++) {
			if (*t == '%' || *t == '_' || *t == '\\')
				like[o++] = '\\';
			like[o++] = *t;
		}
		like[o++] = '%';
		like[o] = '\0';
		bind_named(st, ":text", like);
	}
	if ((i = sqlite3_bind_parameter_index(st, ":after")) > 0)
		sqlite3_bind_int64(st, i, after);
	if ((i = sqlite3_bind_parameter_index(st, ":limit")) > 0)
		sqlite3_bind_int64(st, i, limit);
}

/*
 * A column of a list row as text.  The levels are integers in the table:
 * SQLite would turn each into text in a fresh allocation, three per row, so
 * they are lent from a table of the digits instead.
 */
static char *
row_text(sqlite3_stmt *st, int k)
{
	static const char digits[10][2] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };

	if (k >= MAMORI_AF_CONFIDENTIALITY && k <= MAMORI_AF_AVAILABILITY &&
	    sqlite3_column_type(st, k) == SQLITE_INTEGER) {
		sqlite3_int64 v = sqlite3_column_int64(st, k);
		if (v >= 0 && v <= 9)
			return (char *)digits[v];
	}
	return (char *)sqlite3_column_text(st, k);
}

/* One integer from sql (count, max): 0 when there is no row. */
static int
query_int64(struct mamori_store *s, const char *sql, const struct mamori_asset_filter *f, int64_t *out,
    struct mamori_error *err)
{
	sqlite3_stmt *st = store_prepare(s, sql, err);
	int rc;

	if (st == NULL)
		return MAMORI_E_STORE;
	bind_filter(s, st, f, 0, 0);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_error(s, err, "cannot count assets");
	sqlite3_finalize(st);
	return rc;
}

static int
count_matching(struct mamori_store *s, const struct mamori_asset_filter *f, const struct list_sql *terms,
    int64_t *n, struct mamori_error *err)
{
	struct list_sql q = { .used = 0 };

	sql_add(&q, "SELECT count(*) FROM asset%s%s", terms->used ? " WHERE " : "", terms->text);
	return query_int64(s, q.text, f, n, err);
}

int
mamori_asset_count(struct mamori_store *s, const struct mamori_asset_filter *f, int64_t *n,
    struct mamori_error *err)
{
	struct list_sql terms;

	filter_terms(f, &terms);
	return count_matching(s, f, &terms, n, err);
}

/* The number of the asset after which a page starts (0: from the first). */
static int
page_start(struct mamori_store *s, const char *after, int64_t *num, struct mamori_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*num = 0;
	if (after == NULL)
		return 0;
	if ((st = store_prepare(s, "SELECT num FROM asset WHERE id = ?1", err)) == NULL)
		return MAMORI_E_STORE;
	sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*num = sqlite3_column_int64(st, 0);
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? mamori_error_set(err, MAMORI_E_NOTFOUND,
	    "no asset %s to start the page after", after) : store_error(s, err, "cannot list assets");
	sqlite3_finalize(st);
	return rc;
}

/*
 * How a page of limit assets out of `matching` is read.  Walking the register
 * in id order reads about limit × last / matching rows before the page is
 * full (the matching assets spread over the ids); collecting the matching
 * numbers from the index first costs one entry each and is then ordered.
 * The cheaper one wins: a filter matching 143,000 of a million assets walks
 * about 700 rows, one matching 3,500 collects those.
 */
static bool
page_walks(int64_t limit, int64_t matching, int64_t last)
{
	return limit > 0 && matching > 0 && (double)limit * (double)last / (double)matching < (double)matching;
}

static int
list_run(struct mamori_store *s, const struct mamori_asset_filter *f,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_asset_page *page,
    struct mamori_error *err)
{
	struct list_sql terms, q = { .used = 0 };
	int64_t after, matching = -1, last = 0, limit = f->limit > 0 ? (int64_t)f->limit : 0;
	const char *tail;
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	filter_terms(f, &terms);
	if ((rc = page_start(s, f->after, &after, err)) != 0)
		return rc;
	/* the count for the page's total, and for choosing how a filtered page is read */
	if ((page != NULL || (limit > 0 && terms.used > 0)) &&
	    (rc = count_matching(s, f, &terms, &matching, err)) != 0)
		return rc;
	if (limit > 0 && terms.used > 0 &&
	    (rc = query_int64(s, "SELECT coalesce(max(num), 0) FROM asset", f, &last, err)) != 0)
		return rc;
	/* one more than the page: whether more follow */
	tail = limit > 0 ? " ORDER BY num LIMIT :limit + 1" : " ORDER BY num";
	if (terms.used == 0)
		sql_add(&q, "%s WHERE num > :after%s", SELECT_ALL, tail);
	else if (page_walks(limit, matching, last))
		sql_add(&q, "%s NOT INDEXED WHERE %s AND num > :after%s", SELECT_ALL, terms.text, tail);
	else
		sql_add(&q, "%s WHERE num IN (SELECT num FROM asset WHERE %s AND num > :after)%s", SELECT_ALL,
		    terms.text, tail);
	if ((st = store_prepare(s, q.text, err)) == NULL)
		return MAMORI_E_STORE;
	bind_filter(s, st, f, after, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* the row's strings are lent to fn until the next step, never copied */
		struct mamori_asset a;
		if (limit > 0 && (int64_t)n == limit) {
			if (page)
				page->more = true;
			rc = SQLITE_DONE;
			break;
		}
		for (int c = 0; c < MAMORI_AF_COUNT; c++)
			a.f[c] = row_text(st, c);
		n++;
		if ((rc = fn(&a, ctx)) != 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)	/* SQLite's codes are positive, fn's MAMORI_E_* negative */
		rc = store_error(s, err, "cannot list assets");
	if (rc == 0 && page)
		page->total = matching;
	sqlite3_finalize(st);
	return rc;
}

int
mamori_asset_list(struct mamori_store *s, const struct mamori_asset_filter *f,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_error *err)
{
	const struct mamori_asset_filter none = { 0 };

	return list_run(s, f ? f : &none, fn, ctx, NULL, err);
}

int
mamori_asset_page(struct mamori_store *s, const struct mamori_asset_filter *f,
    int (*fn)(const struct mamori_asset *a, void *ctx), void *ctx, struct mamori_asset_page *page,
    struct mamori_error *err)
{
	const struct mamori_asset_filter none = { 0 };
	/* the total and the page from one snapshot, so that a page never holds
	 * more than its total says (the server's requests are in one already) */
	bool own_snapshot = sqlite3_get_autocommit(s->db) && mamori_store_read_begin(s) >= 0;
	int rc;

	*page = (struct mamori_asset_page){ 0 };
	rc = list_run(s, f ? f : &none, fn, ctx, page, err);
	if (own_snapshot)
		mamori_store_read_end(s);
	return rc;
}

/* ---- import ------------------------------------------------------------- */

/*
 * The register's secondary index, exactly as the current schema makes it
 * (store.c, migrations 2 → 3 → 4).  A bulk import into a register smaller than
 * the file drops it, inserts, and builds it again in the same transaction:
 * building an index once from all its keys is cheaper than keeping it up to
 * date row by row.  test_asset checks that a bulk import leaves the same
 * indexes as a new store has.
 */
static const char *const asset_indexes[][2] = {
	{ "asset_department", "CREATE INDEX asset_department ON asset (department, segment, c, i, a, kind, status)" },
};
#define NASSET_INDEXES (sizeof(asset_indexes) / sizeof(asset_indexes[0]))

/* Below this many rows an import keeps the indexes: rebuilding them costs more. */
#define BULK_ROWS 10000

/*
 * An imported row, held until the whole file is checked: the fields point
 * into the decoded file (csv.c compacts each record in place, so they stay
 * valid until csv_free), into the policy (ids) or into the checker (levels);
 * nothing per row is allocated.  The id is kept as its number.
 */
struct import_row {
	const char *f[MAMORI_AF_COUNT];
	char date[11];		/* 廃棄日 as YYYY-MM-DD, when it was written otherwise */
	int64_t num;		/* the given number, 0: the next free one */
	int row;		/* the file's row, for messages */
};

struct import_arg {
	struct import_row *rows;
	size_t n;
	void (*progress)(size_t, size_t);
	struct mamori_error *err;
};

static int64_t
asset_count(struct mamori_store *s)
{
	struct mamori_error err;
	sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM asset", &err);
	int64_t n = 0;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Drops (create = false) or creates the register's secondary indexes inside tx. */
static int
bulk_indexes(struct mamori_store_tx *tx, bool create, struct mamori_error *err)
{
	char sql[160];
	int rc = 0;

	/* SQLite sorts the keys in runs the size of the page cache and hands
	 * the runs to helper threads; with a cache of 4 MiB and one helper per
	 * core the build of a million keys takes half the time it takes in one
	 * run on one thread (bench/README.md) */
	if (create && (rc = store_exec(tx->store, "PRAGMA cache_size = -4096; PRAGMA threads = 2", err)) != 0)
		return rc;
	for (size_t i = 0; i < NASSET_INDEXES && rc == 0; i++) {
		snprintf(sql, sizeof(sql), "DROP INDEX %s", asset_indexes[i][0]);
		rc = store_exec(tx->store, create ? asset_indexes[i][1] : sql, err);
	}
	if (create)
		store_exec(tx->store, "PRAGMA threads = 0", NULL);
	/* exact statistics (a sample misjudges how many rows share a department,
	 * and the planner then scans instead of skipping): with them a filter
	 * without the department skips through the index (0.3 s per million) */
	if (rc == 0 && create)
		rc = store_exec(tx->store, "PRAGMA analysis_limit = 0; ANALYZE asset", err);
	return rc;
}

/* ---- the import's second thread ------------------------------------------ */

/*
 * A bulk import spends about a third of its time on what needs no database:
 * the rows' ids and times, their audit bodies, and the events' SHA-256 leaf
 * and chain hashes.  A second thread prepares that a batch ahead while this
 * one inserts; the rows, events and hashes are byte for byte what one thread
 * would write (the hashes chain from the transaction's last event, and
 * store_tx_event_hashed refuses an event whose seq does not follow it).
 */
#define STAGE_ROWS 1024

struct staged {
	const char *f[MAMORI_AF_COUNT];
	int64_t num, seq;
	size_t body;		/* offset of the body in its batch's text */
	char id[24], now[32];
	unsigned char leaf[32], chain[32];
};

struct stage_batch {
	struct staged rows[STAGE_ROWS];
	size_t n;
	struct canon_buf text;	/* the bodies, each ending in a NUL */
	bool full;		/* prepared, not yet inserted */
};

struct stager {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct stage_batch batch[2];
	const struct import_arg *x;
	const char *actor;
	int64_t next_num, seq;	/* the second thread's, after it starts */
	unsigned char chain[32];
	/* the trail's frontier, when the store knew it at the start: every leaf
	 * is pushed here, so the head after the import reads no event again */
	struct mamori_merkle_acc leaves;
	bool leaves_known;
	struct store_clock clock;
	bool stop, failed;	/* under lock */
};

/* Prepares rows first … into b; false when memory ran out. */
static bool
stage_fill(struct stager *sg, struct stage_batch *b, size_t first)
{
	const struct import_arg *x = sg->x;

	b->n = x->n - first < STAGE_ROWS ? x->n - first : STAGE_ROWS;
	canon_buf_reset(&b->text);
	for (size_t i = 0; i < b->n; i++) {
		struct staged *r = &b->rows[i];
		const struct import_row *in = &x->rows[first + i];
		memcpy(r->f, in->f, sizeof(r->f));
		/* numbers as insert_fields gives them: a given one, or the next free */
		r->num = in->num ? in->num : sg->next_num;
		if (r->num >= sg->next_num)
			sg->next_num = r->num + 1;
		fill_fields(r->f, r->num, r->id, r->now, &sg->clock);
		r->body = b->text.len;
		body_append(&b->text, NULL, r->f);
		canon_put_raw(&b->text, "", 1);
		r->seq = ++sg->seq;
	}
	if (b->text.fail)
		return false;
	for (size_t i = 0; i < b->n; i++) {
		struct staged *r = &b->rows[i];
		struct mamori_event ev = { r->seq, r->now, sg->actor, "asset.add", "asset", r->id,
			b->text.buf + r->body };
		mamori_event_leaf(&ev, r->leaf);
		mamori_event_chain(sg->chain, r->leaf, r->chain);
		memcpy(sg->chain, r->chain, 32);
		if (sg->leaves_known)
			mamori_merkle_acc_push(&sg->leaves, r->leaf);
	}
	return true;
}

static void *
stage_main(void *arg)
{
	struct stager *sg = arg;
	bool ok = true;

	for (size_t first = 0, k = 0; ok && first < sg->x->n; first += STAGE_ROWS, k ^= 1) {
		struct stage_batch *b = &sg->batch[k];
		bool stop;
		pthread_mutex_lock(&sg->lock);
		while (b->full && !sg->stop)
			pthread_cond_wait(&sg->cond, &sg->lock);
		stop = sg->stop;
		pthread_mutex_unlock(&sg->lock);
		if (stop)
			break;
		ok = stage_fill(sg, b, first);
		pthread_mutex_lock(&sg->lock);
		if (ok)
			b->full = true;
		else
			sg->failed = true;
		pthread_cond_broadcast(&sg->cond);
		pthread_mutex_unlock(&sg->lock);
	}
	return NULL;
}

/* Inserts the rows the second thread prepares, batch by batch, in order. */
static int
insert_staged(struct mamori_store_tx *tx, struct stager *sg, sqlite3_stmt *ins)
{
	const struct import_arg *x = sg->x;
	int rc = 0;

	for (size_t first = 0, k = 0; rc == 0 && first < x->n; first += STAGE_ROWS, k ^= 1) {
		struct stage_batch *b = &sg->batch[k];
		bool failed;
		pthread_mutex_lock(&sg->lock);
		while (!b->full && !sg->failed)
			pthread_cond_wait(&sg->cond, &sg->lock);
		failed = !b->full;
		pthread_mutex_unlock(&sg->lock);
		if (failed)
			return mamori_error_set(x->err, MAMORI_E_NOMEM, "out of memory; nothing was imported");
		for (size_t i = 0; i < b->n && rc == 0; i++) {
			const struct staged *r = &b->rows[i];
			struct mamori_event ev = { r->seq, r->now, tx->actor, "asset.add", "asset", r->id,
				b->text.buf + r->body };
			size_t done = first + i + 1;
			rc = insert_row(tx, ins, r->f, r->num);
			if (rc == MAMORI_E_CONFLICT)	/* checked before; only a concurrent writer gets here */
				mamori_error_set(x->err, rc, "row %d: asset %s exists already in the register; "
				    "nothing was imported", x->rows[first + i].row, r->id);
			if (rc == 0)
				rc = store_tx_event_hashed(tx, &ev, r->leaf, r->chain);
			if (x->progress && done % 10000 == 0 && done < x->n)
				x->progress(done, x->n);
		}
		pthread_mutex_lock(&sg->lock);
		b->full = false;
		pthread_cond_broadcast(&sg->cond);
		pthread_mutex_unlock(&sg->lock);
	}
	return rc;
}

static int
import_tx(struct mamori_store_tx *tx, void *arg)
{
	struct import_arg *x = arg;
	bool bulk = x->n >= BULK_ROWS && (int64_t)x->n > asset_count(tx->store);
	struct stager *sg = calloc(1, sizeof(*sg));
	sqlite3_stmt *ins = NULL;
	pthread_t thread;
	int rc = 0;

	if (sg == NULL)
		return mamori_error_set(x->err, MAMORI_E_NOMEM, "out of memory");
	*sg = (struct stager){ .x = x, .actor = tx->actor };
	/* what the second thread starts from, read here: the next free number and the last event */
	if ((rc = next_num(tx, &sg->next_num)) != 0 || (rc = store_tx_last(tx, &sg->seq, sg->chain)) != 0) {
		free(sg);
		return rc;
	}
	if (bulk && (rc = bulk_indexes(tx, false, x->err)) != 0) {
		free(sg);
		return rc;
	}
	/* a million events would otherwise be read back for the next head;
	 * without the key the head is left to whoever can sign, as always */
	if (bulk && audit_learn_leaves(tx->store, NULL) == 0 && tx->store->leaves.size == (uint64_t)sg->seq) {
		sg->leaves = tx->store->leaves;
		sg->leaves_known = true;
	}
	if ((ins = store_prepare(tx->store, INSERT_SQL, x->err)) == NULL) {
		free(sg);
		return MAMORI_E_STORE;
	}
	pthread_mutex_init(&sg->lock, NULL);
	pthread_cond_init(&sg->cond, NULL);
	if (pthread_create(&thread, NULL, stage_main, sg) != 0) {
		rc = mamori_error_set(x->err, MAMORI_E_NOMEM, "cannot start the import's second thread");
	} else {
		rc = insert_staged(tx, sg, ins);
		pthread_mutex_lock(&sg->lock);
		sg->stop = true;
		pthread_cond_broadcast(&sg->cond);
		pthread_mutex_unlock(&sg->lock);
		pthread_join(thread, NULL);
	}
	pthread_cond_destroy(&sg->cond);
	pthread_mutex_destroy(&sg->lock);
	canon_buf_free(&sg->batch[0].text);
	canon_buf_free(&sg->batch[1].text);
	if (rc == 0 && sg->leaves_known)
		store_tx_leaves(tx, &sg->leaves);
	free(sg);
	sqlite3_finalize(ins);
	if (rc == 0 && bulk)
		rc = bulk_indexes(tx, true, x->err);
	return rc;
}

/* The value of an integer pragma (e.g. cache_size). */
static int64_t
config_pragma(struct mamori_store *s, const char *name)
{
	struct mamori_error err;
	char sql[64];
	sqlite3_stmt *st;
	int64_t v = 0;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if ((st = store_prepare(s, sql, &err)) != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Every given id must be new: not twice in the file, not in the register.
 * Checked before writing so that every row is reported, and so that a dry run
 * says what the import would say.  The numbers seen go into an open-addressing
 * table of the rows that gave them.
 */
static void
check_ids(struct mamori_store *s, const struct import_arg *x, const char *name, struct mamori_diags *d)
{
	struct mamori_error err;
	sqlite3_stmt *st = store_prepare(s, "SELECT 1 FROM asset WHERE num = ?1", &err);
	size_t given = 0, slots = 16, mask;
	size_t *seen = NULL;	/* index + 1 of the row that gave a number; 0: free */

	for (size_t i = 0; i < x->n; i++)
		given += x->rows[i].num != 0;
	while (slots < given * 2)
		slots *= 2;
	mask = slots - 1;
	if (st == NULL || (given > 0 && (seen = calloc(slots, sizeof(*seen))) == NULL)) {
		mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: cannot check the ids (out of memory)", name);
		sqlite3_finalize(st);
		return;
	}
	for (size_t i = 0; i < x->n && given > 0; i++) {
		int64_t num = x->rows[i].num;
		size_t h;
		if (num == 0)
			continue;
		h = ((uint64_t)num * 0x9E3779B97F4A7C15ULL) >> 20 & mask;
		while (seen[h] != 0 && x->rows[seen[h] - 1].num != num)
			h = (h + 1) & mask;
		if (seen[h] != 0) {
			mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, x->rows[i].row, 0, "%s: row %d, column 資産番号: "
			    "duplicate id A-%06lld (row %d has it too)", name, x->rows[i].row, (long long)num,
			    x->rows[seen[h] - 1].row);
			continue;
		}
		seen[h] = i + 1;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, num);
		if (sqlite3_step(st) == SQLITE_ROW)
			mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, x->rows[i].row, 0, "%s: row %d, column 資産番号: "
			    "A-%06lld is in "
			    "the register already; leave 資産番号 empty to get a new id, or edit the asset with "
			    "'mamori asset edit A-%06lld'", name, x->rows[i].row, (long long)num, (long long)num);
	}
	sqlite3_finalize(st);
	free(seen);
}

/*
 * malloc for a buffer of many megabytes about to be filled: asks the kernel to
 * back it with 2 MiB pages (transparent huge pages on request, as Debian
 * configures them).  Faulting fresh memory in 4 KiB at a time cost 2.6 ms a
 * megabyte on the benchmark machine — 0.8 s of a million-row import for the
 * file and its rows; huge pages take about a third of that (bench/README.md).
 * Freed with free(); smaller buffers are plain malloc.
 */
static void *
big_malloc(size_t n)
{
	const uintptr_t huge = (uintptr_t)2 << 20;
	void *p = malloc(n);

	if (p != NULL && n >= 4 * huge) {
		uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
		uintptr_t end = ((uintptr_t)p + n) & ~(huge - 1);
		madvise((void *)start, end - start, MADV_HUGEPAGE);	/* advice only: may fail */
	}
	return p;
}

/*
 * Reads a whole file, or a pipe, into a malloc'd buffer with room for a NUL
 * after its *len bytes.  A regular file is read into a buffer of its size at
 * once (growing one by doubling copies a large file several times over).
 */
static char *
slurp(const char *path, size_t *len, struct mamori_error *err)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	struct stat sb;
	char *b;

	if (f == NULL) {
		mamori_error_set(err, MAMORI_E_IO, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
		cap = (size_t)sb.st_size + 1;	/* + 1: the read that finds the end */
	b = big_malloc(cap + 1);
	while (b != NULL && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);
			if (nb == NULL) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (b == NULL || ferror(f)) {
		free(b);
		b = NULL;
		mamori_error_set(err, MAMORI_E_IO, "cannot read %s", path);
	} else {
		*len = n;
	}
	fclose(f);
	return b;
}

/* The column of 取扱制限 that the XLSX export writes beside the register's own. */
static bool
restrictions_column(const char *name)
{
	return strcmp(name, RESTRICTIONS_HEADER) == 0 || strcmp(name, "restrictions") == 0;
}

/* Whether a row names every required column: the register's header row. */
static bool
names_required_columns(const struct csv_record *rec)
{
	bool seen[MAMORI_AF_COUNT] = { false };
	int k;

	for (size_t i = 0; i < rec->nfields; i++)
		if ((k = mamori_asset_column_find(rec->fields[i])) >= 0)
			seen[k] = true;
	for (k = 0; k < MAMORI_AF_COUNT; k++)
		if (mamori_asset_columns[k].required && !seen[k])
			return false;
	return true;
}

/*
 * Reads up to the header row: row `forced` when it is not 0, else the first
 * of the first HEADER_SEARCH_ROWS rows that names every required column
 * (ledgers kept in Excel put a title above it — 「令和7年度 情報資産管理台帳
 * （税務課）」 —, a date, a blank row).  Returns csv_next's result with the
 * header in *rec and its row in *row.  When no row does, the first row is
 * given back to be judged as the header, with its problems: its fields then
 * live in *saved, which the caller frees.
 */
enum { HEADER_SEARCH_ROWS = 30 };
static int
next_header(struct csv_reader *r, struct csv_record *rec, int forced, int *row, char ***saved)
{
	struct csv_record first;
	int got = csv_next(r, rec);

	*row = 1;
	if (forced > 0) {
		while (got == 1 && *row < forced) {
			got = csv_next(r, rec);
			++*row;
		}
		return got;
	}
	if (got != 1 || names_required_columns(rec))
		return got;
	if ((*saved = malloc((rec->nfields + 1) * sizeof(**saved))) == NULL)
		return -1;
	memcpy(*saved, rec->fields, rec->nfields * sizeof(**saved));	/* the text stays in r's buffer */
	first = *rec;
	first.fields = *saved;
	for (int n = 2; n <= HEADER_SEARCH_ROWS && (got = csv_next(r, rec)) == 1; n++)
		if (names_required_columns(rec)) {
			*row = n;
			return 1;
		}
	*rec = first;
	return 1;
}

/*
 * The register's column an --map pair sends the file's column name to: -1
 * when no pair names it, -2 when the pair's target is not a register column
 * (reported once by check_map).
 */
static int
mapped_column(const struct mamori_import_opts *o, const char *name)
{
	char a[256], b[256];

	mamori_fold(name, a, sizeof(a));
	for (size_t i = 0; a[0] && i < o->nmap; i++) {
		const char *eq = strchr(o->map[i], '=');
		size_t n = eq ? (size_t)(eq - o->map[i]) : 0;
		if (n == 0 || n >= sizeof(b))
			continue;
		memcpy(b, o->map[i], n);
		b[n] = '\0';
		if (mamori_fold(b, b, sizeof(b)) && strcmp(a, b) == 0) {
			int k = mamori_asset_column_find(eq + 1);
			return k >= 0 ? k : -2;
		}
	}
	return -1;
}

/* Reports each --map pair that is malformed, names a column the header lacks, or a target the register lacks. */
static void
check_map(const struct mamori_import_opts *o, const struct csv_record *rec, const char *name, int row,
    struct mamori_diags *diags)
{
	for (size_t i = 0; i < o->nmap; i++) {
		const char *pair = o->map[i], *eq = strchr(pair, '=');
		char from[256];
		bool found = false;
		if (eq == NULL || eq == pair || eq[1] == '\0') {
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "--map '%s': write the file's column, "
			    "'=' and the register's column, e.g. --map 備考=説明", pair);
			continue;
		}
		if (mamori_asset_column_find(eq + 1) < 0) {
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "--map '%s': '%s' is not a column of "
			    "the register (資産番号, 資産名, 種別, 説明, 所管課, 管理責任者, ネットワーク区分, 保管場所, "
			    "機密性, 完全性, 可用性, 保存期間, 状態 …)", pair, eq + 1);
			continue;
		}
		snprintf(from, sizeof(from), "%.*s", (int)(eq - pair), pair);
		for (size_t f = 0; f < rec->nfields && !found; f++)
			found = mapped_column(&(struct mamori_import_opts){ .map = &o->map[i], .nmap = 1 },
			    rec->fields[f]) >= 0;
		if (!found)
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: --map '%s': the header "
			    "has no column '%s'", name, row, pair, from);
	}
}

/*
 * Maps the header's columns to the register's (colmap, -1 for others) and
 * reports a column named twice or a required one missing.  Columns the register
 * does not keep (No., 取扱者, 更新日, 備考 …) are left out, all named in one
 * warning — or, strict, each an error.  A --map pair names a column's target.
 */
static void
read_header(const struct csv_record *rec, const char *name, int row, const struct mamori_import_opts *o,
    int *colmap, bool *seen, struct mamori_diags *diags)
{
	char others[512] = "";
	size_t used = 0, nothers = 0;

	check_map(o, rec, name, row, diags);
	for (size_t i = 0; i < rec->nfields; i++) {
		int k = mapped_column(o, rec->fields[i]);
		if (k == -1)
			k = mamori_asset_column_find(rec->fields[i]);
		colmap[i] = k < 0 ? -1 : k;
		if (k == -2 || (k < 0 && (restrictions_column(rec->fields[i]) || trim(rec->fields[i])[0] == '\0')))
			continue;	/* 取扱制限: what the XLSX export adds, the policy's, not the file's, to say */
		if (k < 0 && o->strict) {
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, (int)i + 1, "%s: row %d, column %zu: "
			    "'%s' is not a column of the register (--strict); leave it out, or read it as one with "
			    "--map '%s=説明'", name, row, i + 1, rec->fields[i], rec->fields[i]);
		} else if (k < 0) {
			if (used < sizeof(others))
				used += (size_t)snprintf(others + used, sizeof(others) - used, "%s'%s'",
				    nothers++ ? ", " : "", rec->fields[i]);
		} else if (seen[k])
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, (int)i + 1, "%s: row %d, column %zu: '%s' "
			    "appears twice", name, row, i + 1, rec->fields[i]);
		else
			seen[k] = true;
	}
	if (nothers > 0)
		mamori_diags_add(diags, MAMORI_SEV_WARNING, NULL, row, 0, "%s: row %d: not in the register, "
		    "not imported: %s (the register's columns: 資産番号/id, 資産名/name, 種別/kind, 説明/description, "
		    "所管課/department, 管理責任者/role, ネットワーク区分/segment, 保管場所/location, "
		    "機密性, 完全性, 可用性, 保存期間/retention, 状態/status; --map FROM=TO reads one as another)",
		    name, row, others);
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		if (mamori_asset_columns[k].required && !seen[k])
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: the required column "
			    "%s (%s) is missing", name, row, mamori_asset_columns[k].ja, mamori_asset_columns[k].id);
}

/* The import of a file in memory: mamori_asset_import and mamori_asset_import_buffer. */
static int
import_bytes(struct mamori_store *s, const char *actor, const char *name, char *bytes,
    size_t bytes_len, const struct mamori_import_opts *o, struct mamori_diags *diags, size_t *count,
    struct mamori_error *err)
{
	const struct mamori_asset_scope *scope = o->scope;
	void (*progress)(size_t, size_t) = o->progress;
	struct csv_reader r;
	struct csv_record rec;
	struct import_arg x = { .progress = progress, .err = err };
	struct name_memo *memo = calloc(NM_COUNT, sizeof(*memo));
	struct checker ck;
	int colmap[4096];
	size_t ncols = 0, cap = 0, text_len, refused = 0;
	char *text, msg[256];
	bool seen[MAMORI_AF_COUNT] = { false };
	char **first_row = NULL;
	int rc = 0, got, row = 1;

	*count = 0;
	if (memo == NULL) {
		free(bytes);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	checker_init(&ck, s->policy, memo);
	text = text_decode_owned(bytes, bytes_len, o->encoding, &text_len, msg, sizeof(msg));
	if (text == NULL) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: %s", name, msg);
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: cannot decode the file", name);
		goto out_checker;
	}
	csv_open(&r, text, text_len);
	got = next_header(&r, &rec, o->header_row, &row, &first_row);
	if (got == 0 && o->header_row > 1) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: --header-row %d: the file has %d rows",
		    name, o->header_row, row - 1);
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: no header row", name);
		goto out;
	}
	if (got <= 0) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: %s", name,
		    got == 0 ? "the file is empty; the first row must be the header (資産名, 種別, 所管課 …)" : r.error);
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: no header row", name);
		goto out;
	}
	if (o->header_row > 0)
		;	/* asked for: nothing to say */
	else if (row == 2)
		mamori_diags_add(diags, MAMORI_SEV_WARNING, NULL, row, 0, "%s: the header is row 2; "
		    "row 1 above it (a title) is not imported", name);
	else if (row > 2)
		mamori_diags_add(diags, MAMORI_SEV_WARNING, NULL, row, 0, "%s: the header is row %d; "
		    "rows 1–%d above it (a title) are not imported", name, row, row - 1);
	ncols = rec.nfields;
	if (ncols > sizeof(colmap) / sizeof(colmap[0])) {
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: %zu columns; the register "
		    "reads at most %zu", name, row, ncols, sizeof(colmap) / sizeof(colmap[0]));
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: the header row is not usable", name);
		goto out;
	}
	read_header(&rec, name, row, o, colmap, seen, diags);
	if (diags->errors > 0) {
		rc = mamori_error_set(err, MAMORI_E_INVALID, "%s: the header row is not usable", name);
		goto out;
	}
	/* one row per line at most: the rows are allocated once */
	cap = 1;
	for (const char *nl = text; (nl = memchr(nl, '\n', text_len - (size_t)(nl - text))) != NULL; nl++)
		cap++;
	if ((x.rows = big_malloc(cap * sizeof(*x.rows))) == NULL) {
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		goto out;
	}
	while ((got = csv_next(&r, &rec)) == 1) {
		struct import_row *ir;
		char idbuf[24];
		bool blank = true;
		row++;
		for (size_t i = 0; i < rec.nfields && blank; i++)
			blank = trim(rec.fields[i])[0] == '\0';
		if (blank)
			continue;
		if (rec.nfields != ncols)
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: %zu fields where the "
			    "header has %zu", name, row, rec.nfields, ncols);
		if (x.n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct import_row *nr = realloc(x.rows, ncap * sizeof(*nr));
			if (nr == NULL) {
				rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
				goto out;
			}
			x.rows = nr;
			cap = ncap;
		}
		ir = &x.rows[x.n++];
		memset(ir->f, 0, sizeof(ir->f));
		for (size_t i = 0; i < rec.nfields && i < ncols; i++)
			if (colmap[i] >= 0 && mamori_asset_columns[colmap[i]].importable &&
			    *(rec.fields[i] = clean_cell(rec.fields[i], colmap[i])) != '\0')
				ir->f[colmap[i]] = rec.fields[i];
		if (check_fields(&ck, ir->f, idbuf, ir->date, name, row, diags) == 0 && scope != NULL &&
		    scope->allows != NULL && !scope->allows(ir->f[MAMORI_AF_DEPARTMENT], scope->ctx)) {
			refused++;
			mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, row, 0, "%s: row %d: you may not write "
			    "assets of department '%s'", name, row, ir->f[MAMORI_AF_DEPARTMENT]);
		}
		/* a valid id was normalised into idbuf: keep its number, not the text */
		ir->num = ir->f[MAMORI_AF_ID] == idbuf ? to_int(idbuf + 2) : 0;
		ir->f[MAMORI_AF_ID] = NULL;
		ir->row = row;
	}
	if (got < 0)
		mamori_diags_add(diags, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: line %d: %s", name, r.error_line, r.error);
	check_ids(s, &x, name, diags);
	if (diags->errors > 0) {
		rc = mamori_error_set(err, refused == diags->errors ? MAMORI_E_DENIED : MAMORI_E_INVALID,
		    "%s: %zu problems; nothing was imported", name, diags->errors);
		goto out;
	}
	*count = x.n;
	if (!o->dry_run && x.n > 0) {
		/* The rows and events are appended in key order, so a page is
		 * written once and not read again: a cache of 64 MiB is enough, and
		 * every page more is a page the kernel must fault in and clear (a
		 * 1 GiB cache cost 3 s more of system time per million rows).  No
		 * memory map either: building the index reads the table once, and
		 * faulting 750 MB of mapped file in costs more than reading it. */
		int64_t cache = config_pragma(s, "cache_size"), map = config_pragma(s, "mmap_size");
		char restore[96];
		store_exec(s, "PRAGMA cache_size = -65536; PRAGMA mmap_size = 0", NULL);
		rc = mamori_store_write(s, actor, import_tx, &x, err);
		snprintf(restore, sizeof(restore), "PRAGMA cache_size = %lld; PRAGMA mmap_size = %lld",
		    (long long)cache, (long long)map);
		store_exec(s, restore, NULL);
		/* done only when committed: the index and the commit of a large file
		 * take seconds after its last row is written */
		if (progress && rc == 0 && x.n >= 10000)
			progress(x.n, x.n);
	}
	if (rc != 0)
		*count = 0;
out:
	free(x.rows);
	free(first_row);
	csv_free(&r);
out_checker:
	checker_free(&ck);
	free(memo);
	return rc;
}

static const struct mamori_import_opts default_opts;

int
mamori_asset_import(struct mamori_store *s, const char *actor, const char *path,
    const struct mamori_import_opts *opts, struct mamori_diags *diags, size_t *count, struct mamori_error *err)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len;
	char *bytes;

	*count = 0;
	if ((bytes = slurp(path, &len, err)) == NULL)
		return MAMORI_E_IO;
	return import_bytes(s, actor, name, bytes, len, opts ? opts : &default_opts, diags, count, err);
}

int
mamori_asset_import_text(struct mamori_store *s, const char *actor, const char *name, char *text, size_t len,
    const struct mamori_import_opts *opts, struct mamori_diags *diags, size_t *count, struct mamori_error *err)
{
	struct mamori_import_opts o = opts ? *opts : default_opts;

	*count = 0;
	o.encoding = "utf-8";
	return import_bytes(s, actor, name, text, len, &o, diags, count, err);
}

int
mamori_asset_import_buffer(struct mamori_store *s, const char *actor, const char *name, const char *buf,
    size_t len, const struct mamori_import_opts *opts, struct mamori_diags *diags, size_t *count,
    struct mamori_error *err)
{
	char *bytes = malloc(len + 1);

	*count = 0;
	if (bytes == NULL)
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	memcpy(bytes, buf, len);
	return import_bytes(s, actor, name, bytes, len, opts ? opts : &default_opts, diags, count, err);
}

/* ---- export ------------------------------------------------------------- */

/* What an export walks with: the output, the policy and zone to show values in, progress. */
struct export_ctx {
	FILE *out;
	size_t done, total;
	void (*progress)(size_t, size_t);
	const struct mamori_asset_scope *scope;	/* NULL: every asset */
	const struct mamori_policy *p;
	struct mamori_tz tz;
	iconv_t cd;			/* UTF-8 → CP932, or (iconv_t)-1: UTF-8 as it is */
	FILE *row;			/* a row before it is converted (cd only) */
	char *row_buf;
	size_t row_len;
	char bad[64];			/* the asset CP932 could not write */
};

static bool
export_init(struct export_ctx *e, struct mamori_store *s, const struct mamori_export_opts *o, FILE *out,
    struct mamori_error *err)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->progress = o->progress;
	e->total = o->progress ? (size_t)asset_count(s) : 0;
	e->scope = o->scope;
	e->p = s->policy;
	e->cd = (iconv_t)-1;
	mamori_tz_load(&e->tz, mamori_policy_timezone(s->policy), NULL);	/* UTC when it cannot */
	if (o->encoding == NULL || strcasecmp(o->encoding, "utf-8") == 0 || strcasecmp(o->encoding, "utf8") == 0)
		return true;
	if (strcasecmp(o->encoding, "cp932") != 0 && strcasecmp(o->encoding, "shift_jis") != 0 &&
	    strcasecmp(o->encoding, "sjis") != 0) {
		mamori_error_set(err, MAMORI_E_USAGE, "encoding '%s': write utf-8 or cp932", o->encoding);
		return false;
	}
	if ((e->cd = iconv_open("CP932", "UTF-8")) == (iconv_t)-1 ||
	    (e->row = open_memstream(&e->row_buf, &e->row_len)) == NULL) {
		mamori_error_set(err, MAMORI_E_NOMEM, "cannot convert to CP932: %s", strerror(errno));
		return false;
	}
	return true;
}

static void
export_free(struct export_ctx *e)
{
	if (e->row != NULL)
		fclose(e->row);
	free(e->row_buf);
	if (e->cd != (iconv_t)-1)
		iconv_close(e->cd);
	mamori_tz_free(&e->tz);
}

static bool
export_hides(const struct export_ctx *e, const struct mamori_asset *a)
{
	return e->scope != NULL && e->scope->allows != NULL &&
	    !e->scope->allows(a->f[MAMORI_AF_DEPARTMENT], e->scope->ctx);
}

static void
export_step(struct export_ctx *e)
{
	if (e->progress && ++e->done % 10000 == 0 && e->done < e->total)
		e->progress(e->done, e->total);
}

static void
export_end(struct export_ctx *e)
{
	if (e->progress && e->total >= 10000)
		e->progress(e->total, e->total);
}

/* What a person reads for field k of a (buf holds a time in the zone). */
static const char *
export_value(const struct export_ctx *e, const struct mamori_asset *a, int k, char *buf, size_t n)
{
	if (k == MAMORI_AF_CREATED || k == MAMORI_AF_UPDATED)
		return a->f[k] ? mamori_tz_rfc3339(&e->tz, a->f[k], buf, n) : "";
	return mamori_asset_display(e->p, (enum mamori_asset_field)k, a->f[k]);
}

/* Whether Excel would take a CSV cell starting so for a formula (OWASP's list). */
static bool
formula_start(const char *v)
{
	return v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r';
}

static void
csv_field(FILE *out, const char *v)
{
	if (v == NULL)
		v = "";
	if (strpbrk(v, ",\"\r\n") == NULL && !formula_start(v)) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	if (formula_start(v))
		fputc('\'', out);	/* text, not a formula; an import takes it off */
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

/* Converts the row in e->row to CP932 onto e->out; false when a character does not exist there. */
static bool
row_to_cp932(struct export_ctx *e)
{
	char out[4096], *in;
	size_t left, room;
	bool ok = true;

	fflush(e->row);
	in = e->row_buf;
	left = e->row_len;
	while (left > 0 && ok) {
		char *o = out;
		room = sizeof(out);
		if (iconv(e->cd, &in, &left, &o, &room) == (size_t)-1 && errno != E2BIG)
			ok = false;
		fwrite(out, 1, sizeof(out) - room, e->out);
	}
	rewind(e->row);
	return ok;
}

static void
csv_cells(struct export_ctx *e, FILE *out, const struct mamori_asset *a)
{
	char buf[64];

	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		if (k)
			fputc(',', out);
		csv_field(out, a ? export_value(e, a, k, buf, sizeof(buf)) : mamori_asset_columns[k].ja);
	}
	fputs("\r\n", out);
}

static int
csv_row(const struct mamori_asset *a, void *ctx)
{
	struct export_ctx *e = ctx;

	export_step(e);
	if (export_hides(e, a))
		return 0;
	csv_cells(e, e->row ? e->row : e->out, a);
	if (e->row != NULL && !row_to_cp932(e)) {
		snprintf(e->bad, sizeof(e->bad), "%s", a->f[MAMORI_AF_ID] ? a->f[MAMORI_AF_ID] : "?");
		return MAMORI_E_INVALID;
	}
	return ferror(e->out) ? MAMORI_E_IO : 0;
}

int
mamori_asset_export_csv(struct mamori_store *s, FILE *out, const struct mamori_export_opts *opts,
    struct mamori_error *err)
{
	static const struct mamori_export_opts none;
	struct export_ctx e;
	int rc = 0;

	if (!export_init(&e, s, opts ? opts : &none, out, err)) {
		rc = err->code ? err->code : MAMORI_E_USAGE;
		goto out;
	}
	if (e.row == NULL)
		fputs("\xEF\xBB\xBF", out);	/* the BOM tells Excel the file is UTF-8 */
	csv_cells(&e, e.row ? e.row : out, NULL);
	if (e.row != NULL)
		row_to_cp932(&e);	/* the headers are CP932 */
	rc = mamori_asset_list(s, opts ? opts->filter : NULL, csv_row, &e, err);
	if (rc == MAMORI_E_INVALID && e.bad[0])
		mamori_error_set(err, rc, "asset %s holds a character that CP932 cannot write; export it "
		    "as UTF-8 (without --encoding), which Excel 2016 and later read", e.bad);
	if (rc == 0 && (fflush(out) != 0 || ferror(out)))
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write the export");
	if (rc == 0)
		export_end(&e);
out:
	export_free(&e);
	return rc;
}

struct xlsx_ctx {
	struct export_ctx e;
	lxw_worksheet *ws;
	lxw_format *date;
	lxw_row_t row;
	char restr[4096];
	size_t used;
	char *literal;		/* a value with its _xHHHH_ text escaped (xlsx_literal) */
	size_t literal_cap;
	bool nomem;
};

/* Whether v starts with _xHHHH_ (read in order: a shorter string ends at its NUL). */
static bool
escape_at(const char *v)
{
	if (v[0] != '_' || v[1] != 'x')
		return false;
	for (int i = 2; i < 6; i++)
		if (!isxdigit((unsigned char)v[i]))
			return false;
	return v[6] == '_';
}

/*
 * Excel reads _xHHHH_ in a cell's text as the character HHHH (how it writes
 * control characters), so text that holds such a sequence literally must have
 * its '_' written as _x005F_, as Excel itself does: libxlsxwriter does not,
 * and an exported 「計算_x0041_」 would come back as 「計算A」.  Returns v itself
 * when it holds no such sequence (nearly always).
 */
static const char *
xlsx_literal(struct xlsx_ctx *x, const char *v)
{
	size_t n = 0, len = strlen(v), o = 0;
	const char *p;

	for (p = strstr(v, "_x"); p != NULL; p = strstr(p + 1, "_x"))
		n += escape_at(p);
	if (n == 0)
		return v;
	if (len + 6 * n + 1 > x->literal_cap) {
		char *nb = realloc(x->literal, len + 6 * n + 1);
		if (nb == NULL) {
			x->nomem = true;
			return v;
		}
		x->literal = nb;
		x->literal_cap = len + 6 * n + 1;
	}
	for (p = v; *p; p++) {
		if (escape_at(p)) {
			memcpy(x->literal + o, "_x005F", 6);
			o += 6;
		}
		x->literal[o++] = *p;
	}
	x->literal[o] = '\0';
	return x->literal;
}

static void
collect_restriction(const struct mamori_axis *axis, const struct mamori_restriction *r, void *ctx)
{
	struct xlsx_ctx *x = ctx;

	if (x->used < sizeof(x->restr))
		x->used += (size_t)snprintf(x->restr + x->used, sizeof(x->restr) - x->used, "%s%s: %s (%s)",
		    x->used ? "\n" : "", axis->title, r->text, r->clause);
}

/* A YYYY-MM-DD date as an Excel date cell; false when v is not one. */
static bool
xlsx_date(struct xlsx_ctx *x, lxw_col_t col, const char *v)
{
	lxw_datetime dt = { 0 };
	char end;

	if (sscanf(v, "%4d-%2d-%2d%c", &dt.year, &dt.month, &dt.day, &end) != 3 || strlen(v) != 10)
		return false;
	return worksheet_write_datetime(x->ws, x->row, col, &dt, x->date) == LXW_NO_ERROR;
}

static int
xlsx_row(const struct mamori_asset *a, void *ctx)
{
	struct xlsx_ctx *x = ctx;
	char buf[64];

	export_step(&x->e);
	if (export_hides(&x->e, a))
		return 0;
	x->row++;
	for (int k = 0; k < MAMORI_AF_COUNT; k++) {
		if (k >= MAMORI_AF_CONFIDENTIALITY && k <= MAMORI_AF_AVAILABILITY)
			worksheet_write_number(x->ws, x->row, (lxw_col_t)k, (int)to_int(a->f[k]), NULL);
		else if (k == MAMORI_AF_DISPOSED_DATE && a->f[k] && xlsx_date(x, (lxw_col_t)k, a->f[k]))
			continue;
		else if (a->f[k])
			worksheet_write_string(x->ws, x->row, (lxw_col_t)k,
			    xlsx_literal(x, export_value(&x->e, a, k, buf, sizeof(buf))), NULL);
	}
	x->used = 0;
	x->restr[0] = '\0';
	mamori_asset_restrictions(x->e.p, a, collect_restriction, x);
	worksheet_write_string(x->ws, x->row, MAMORI_AF_COUNT, x->restr, NULL);
	return 0;
}

int
mamori_asset_export_xlsx(struct mamori_store *s, const char *path, const struct mamori_export_opts *opts,
    struct mamori_error *err)
{
	/* constant memory: rows go to a temporary file as they are written (in
	 * order, as the list gives them) instead of a tree of the whole sheet, and
	 * strings are written inline; a 1,000,000-row register otherwise takes GBs */
	static const struct mamori_export_opts none;
	lxw_workbook_options wo = { .constant_memory = LXW_TRUE };
	struct mamori_export_opts o = opts ? *opts : none;
	lxw_workbook *wb;
	struct xlsx_ctx x = { 0 };
	lxw_format *bold;
	int rc;

	o.encoding = NULL;
	if (!export_init(&x.e, s, &o, NULL, err))
		return err->code;
	if ((wb = workbook_new_opt(path, &wo)) == NULL) {
		export_free(&x.e);
		return mamori_error_set(err, MAMORI_E_IO, "cannot create %s", path);
	}
	x.ws = workbook_add_worksheet(wb, "情報資産管理台帳");
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	x.date = workbook_add_format(wb);
	format_set_num_format(x.date, "yyyy-mm-dd");
	for (int k = 0; k < MAMORI_AF_COUNT; k++)
		worksheet_write_string(x.ws, 0, (lxw_col_t)k, mamori_asset_columns[k].ja, bold);
	worksheet_write_string(x.ws, 0, MAMORI_AF_COUNT, RESTRICTIONS_HEADER, bold);
	worksheet_freeze_panes(x.ws, 1, 2);
	worksheet_set_column(x.ws, 0, MAMORI_AF_COUNT - 1, 14, NULL);
	worksheet_set_column(x.ws, MAMORI_AF_COUNT, MAMORI_AF_COUNT, 60, NULL);
	rc = mamori_asset_list(s, o.filter, xlsx_row, &x, err);
	worksheet_autofilter(x.ws, 0, 0, x.row, MAMORI_AF_COUNT);
	if (workbook_close(wb) != LXW_NO_ERROR && rc == 0)
		rc = mamori_error_set(err, MAMORI_E_IO, "cannot write %s", path);
	if (x.nomem && rc == 0)
		rc = mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	free(x.literal);
	if (rc == 0)
		export_end(&x.e);
	export_free(&x.e);
	return rc;
}
