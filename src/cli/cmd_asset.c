/* cmd_asset.c — `mamori asset add | edit | show | list | dispose | import | export`. */
#include "cli.h"
#include "mamori/i18n.h"
#include "mamori/asset.h"
#include "mamori/tz.h"
#include "mamori/store.h"
#include "mamori/xlsx.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

static const char asset_usage[] =
    "usage: mamori asset add --name N --kind K --department D --c L --i L --a L\n"
    "                        [--id A-000123] [--description T] [--role R] [--segment S]\n"
    "                        [--location P] [--retention T] [--db PATH]\n"
    "       mamori asset edit ID [--name N] [--kind K] ... [--db PATH]\n"
    "       mamori asset show ID [--json] [--db PATH]\n"
    "       mamori asset list [--department D] [--segment S] [--kind K] [--status active|disposed]\n"
    "                         [--c EXPR] [--i EXPR] [--a EXPR] [--search TEXT] [--json|--csv]\n"
    "                         [--limit N [--after ID]] [--count] [--db PATH]\n"
    "       mamori asset dispose ID --method M --by WHO [--witness WHO] [--date YYYY-MM-DD] [--db PATH]\n"
    "       mamori asset import FILE.csv [--encoding utf-8|cp932] [--header-row N] [--map FROM=TO]...\n"
    "                        [--strict] [--dry-run] [--db PATH]\n"
    "       mamori asset import FILE.xlsx [--sheet NAME] [--header-row N] [--map FROM=TO]...\n"
    "                        [--strict] [--dry-run] [--db PATH]\n"
    "       mamori asset export --format csv [--encoding utf-8|cp932] [--out FILE [--force]] [--db PATH]\n"
    "       mamori asset export --format xlsx --out FILE [--force] [--db PATH]\n"
    "EXPR is a level or a comparison: 2, '>=2', '<3'.  --limit shows one page of N assets;\n"
    "the next starts with --after and the page's last id.  --count prints how many match.\n";

enum { MAP_MAX = 64 };

/* Options shared by every subcommand; fields set by --name etc. go into `fields`. */
struct asset_opts {
	const char *db, *format, *out, *encoding, *sheet, *method, *by, *witness, *date;
	struct mamori_asset fields;
	struct mamori_asset_filter filter;
	const char *map[MAP_MAX];	/* --map FROM=TO, as given */
	size_t nmap;
	int header_row;
	bool json, csv, dry_run, count, force, strict;
};

enum { OPT_DB = 256, OPT_FORMAT, OPT_OUT, OPT_ENCODING, OPT_DRY, OPT_JSON, OPT_CSV, OPT_METHOD,
	OPT_BY, OPT_WITNESS, OPT_DATE, OPT_C, OPT_I, OPT_A, OPT_SEARCH, OPT_STATUS_FILTER, OPT_FIELD,
	OPT_LIMIT, OPT_AFTER, OPT_COUNT, OPT_SHEET, OPT_FORCE, OPT_HEADER_ROW, OPT_MAP, OPT_STRICT };

static const struct {
	const char *name;
	enum mamori_asset_field field;
} field_opts[] = {
	{ "id", MAMORI_AF_ID }, { "name", MAMORI_AF_NAME }, { "kind", MAMORI_AF_KIND },
	{ "description", MAMORI_AF_DESCRIPTION }, { "department", MAMORI_AF_DEPARTMENT },
	{ "role", MAMORI_AF_ROLE }, { "segment", MAMORI_AF_SEGMENT }, { "location", MAMORI_AF_LOCATION },
	{ "retention", MAMORI_AF_RETENTION },
};
#define NFIELD_OPTS (sizeof(field_opts) / sizeof(field_opts[0]))

static int
parse_opts(int argc, char **argv, struct asset_opts *o, bool levels_are_filters)
{
	struct option opts[NFIELD_OPTS + 27];
	size_t n = 0;
	int c, idx;

	for (size_t i = 0; i < NFIELD_OPTS; i++)
		opts[n++] = (struct option){ field_opts[i].name, required_argument, NULL, OPT_FIELD };
	opts[n++] = (struct option){ "db", required_argument, NULL, OPT_DB };
	opts[n++] = (struct option){ "format", required_argument, NULL, OPT_FORMAT };
	opts[n++] = (struct option){ "out", required_argument, NULL, OPT_OUT };
	opts[n++] = (struct option){ "encoding", required_argument, NULL, OPT_ENCODING };
	opts[n++] = (struct option){ "sheet", required_argument, NULL, OPT_SHEET };
	opts[n++] = (struct option){ "dry-run", no_argument, NULL, OPT_DRY };
	opts[n++] = (struct option){ "json", no_argument, NULL, OPT_JSON };
	opts[n++] = (struct option){ "csv", no_argument, NULL, OPT_CSV };
	opts[n++] = (struct option){ "method", required_argument, NULL, OPT_METHOD };
	opts[n++] = (struct option){ "by", required_argument, NULL, OPT_BY };
	opts[n++] = (struct option){ "witness", required_argument, NULL, OPT_WITNESS };
	opts[n++] = (struct option){ "date", required_argument, NULL, OPT_DATE };
	opts[n++] = (struct option){ "c", required_argument, NULL, OPT_C };
	opts[n++] = (struct option){ "i", required_argument, NULL, OPT_I };
	opts[n++] = (struct option){ "a", required_argument, NULL, OPT_A };
	opts[n++] = (struct option){ "search", required_argument, NULL, OPT_SEARCH };
	opts[n++] = (struct option){ "status", required_argument, NULL, OPT_STATUS_FILTER };
	opts[n++] = (struct option){ "limit", required_argument, NULL, OPT_LIMIT };
	opts[n++] = (struct option){ "after", required_argument, NULL, OPT_AFTER };
	opts[n++] = (struct option){ "count", no_argument, NULL, OPT_COUNT };
	opts[n++] = (struct option){ "force", no_argument, NULL, OPT_FORCE };
	opts[n++] = (struct option){ "header-row", required_argument, NULL, OPT_HEADER_ROW };
	opts[n++] = (struct option){ "map", required_argument, NULL, OPT_MAP };
	opts[n++] = (struct option){ "strict", no_argument, NULL, OPT_STRICT };
	opts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[n++] = (struct option){ NULL, 0, NULL, 0 };

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((c = getopt_long_only(argc, argv, "h", opts, &idx)) != -1) {
		switch (c) {
		case OPT_FIELD:
			mamori_asset_set(&o->fields, field_opts[idx].field, optarg);
			if (levels_are_filters && field_opts[idx].field == MAMORI_AF_DEPARTMENT)
				o->filter.department = optarg;
			if (levels_are_filters && field_opts[idx].field == MAMORI_AF_SEGMENT)
				o->filter.segment = optarg;
			if (levels_are_filters && field_opts[idx].field == MAMORI_AF_KIND)
				o->filter.kind = optarg;
			break;
		case OPT_DB: o->db = optarg; break;
		case OPT_FORMAT: o->format = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_ENCODING: o->encoding = optarg; break;
		case OPT_SHEET: o->sheet = optarg; break;
		case OPT_DRY: o->dry_run = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_CSV: o->csv = true; break;
		case OPT_METHOD: o->method = optarg; break;
		case OPT_BY: o->by = optarg; break;
		case OPT_WITNESS: o->witness = optarg; break;
		case OPT_DATE: o->date = optarg; break;
		case OPT_AFTER: o->filter.after = optarg; break;
		case OPT_COUNT: o->count = true; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_STRICT: o->strict = true; break;
		case OPT_MAP:
			if (o->nmap == MAP_MAX)
				return cli_usage_error("asset import: more than %d --map options", MAP_MAX);
			o->map[o->nmap++] = optarg;
			break;
		case OPT_HEADER_ROW: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || v < 1 || v > 1000)
				return cli_usage_error("asset import: --header-row '%s' is not a row number from 1 "
				    "to 1000", optarg);
			o->header_row = (int)v;
			break;
		}
		case OPT_LIMIT: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || v < 1 || v > 1000000)
				return cli_usage_error("asset list: --limit '%s' is not a number of assets from 1 "
				    "to 1000000", optarg);
			o->filter.limit = (size_t)v;
			break;
		}
		case OPT_SEARCH: o->filter.text = optarg; break;
		case OPT_STATUS_FILTER:
			o->filter.status = optarg;
			mamori_asset_set(&o->fields, MAMORI_AF_STATUS, optarg);
			break;
		case OPT_C:
		case OPT_I:
		case OPT_A: {
			int ax = c - OPT_C;
			if (levels_are_filters) {
				if (!mamori_asset_filter_level(&o->filter, ax, optarg))
					return cli_usage_error("asset list: --%c '%s' is not a level or a comparison "
					    "like '>=2'", "cia"[ax], optarg);
			} else {
				mamori_asset_set(&o->fields, (enum mamori_asset_field)(MAMORI_AF_CONFIDENTIALITY + ax), optarg);
			}
			break;
		}
		case 'h':
			fputs(asset_usage, stdout);
			return -1;
		default:
			return cli_usage_error("asset: bad option\n%s", asset_usage);
		}
	}
	return 0;
}

static int
open_store(const char *db, struct mamori_store **s)
{
	struct mamori_error err;
	int rc = mamori_store_open_private(cli_db_path(db), s, &err);

	if (rc != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

static int
report(int rc, const struct mamori_diags *d, const struct mamori_error *err, const char *what)
{
	mamori_diags_print(d, stderr);
	if (rc != 0)
		fprintf(stderr, "mamori: asset %s: %s\n", what, err->message);
	return cli_exit_code(rc);
}

static int
asset_add(int argc, char **argv)
{
	struct asset_opts o;
	struct mamori_store *s = NULL;
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	int rc;

	if ((rc = parse_opts(argc, argv, &o, false)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc)
		rc = cli_usage_error("asset add: unexpected argument '%s'", argv[optind]);
	else if ((rc = open_store(o.db, &s)) == EXIT_OK) {
		rc = mamori_asset_add(s, cli_actor(), &o.fields, &d, &err);
		if (rc == 0)
			printf("%s\n", o.fields.f[MAMORI_AF_ID]);
		rc = report(rc, &d, &err, "add");
	}
	mamori_diags_clear(&d);
	mamori_asset_clear(&o.fields);
	mamori_store_close(&s);
	return rc;
}

static int
asset_edit(int argc, char **argv)
{
	struct asset_opts o;
	struct mamori_store *s = NULL;
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	int rc;

	if ((rc = parse_opts(argc, argv, &o, false)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc - 1)
		rc = cli_usage_error("asset edit: name one asset id\n%s", asset_usage);
	else if ((rc = open_store(o.db, &s)) == EXIT_OK)
		rc = report(mamori_asset_edit(s, cli_actor(), argv[optind], &o.fields, &d, &err), &d, &err, "edit");
	mamori_diags_clear(&d);
	mamori_asset_clear(&o.fields);
	mamori_store_close(&s);
	return rc;
}

/* Display width of UTF-8 text: East Asian wide characters take two columns. */
static int
width(const char *s)
{
	mbstate_t st;
	wchar_t wc;
	int w = 0;
	size_t n, len = strlen(s);

	memset(&st, 0, sizeof(st));
	while (len > 0 && (n = mbrtowc(&wc, s, len, &st)) != 0 && n != (size_t)-1 && n != (size_t)-2) {
		int cw = wcwidth(wc);
		w += cw > 0 ? cw : (wc >= 0x1100 ? 2 : 1);
		s += n;
		len -= n;
	}
	return w;
}

/*
 * Prints s in exactly w display columns (then a space): padded when shorter,
 * cut with "…" when longer, so that the columns of a table stay aligned
 * whatever mix of full-width (2 columns) and half-width text they hold.
 */
static void
cell(const char *s, int w)
{
	mbstate_t st;
	wchar_t wc;
	size_t n, len;
	int used = 0;

	if (s == NULL)
		s = "";
	if (width(s) <= w) {
		fputs(s, stdout);
		used = width(s);
	} else {
		memset(&st, 0, sizeof(st));
		len = strlen(s);
		while (len > 0 && (n = mbrtowc(&wc, s, len, &st)) != 0 && n != (size_t)-1 && n != (size_t)-2) {
			int cw = wcwidth(wc);
			cw = cw > 0 ? cw : (wc >= 0x1100 ? 2 : 1);
			if (used + cw > w - 1)	/* keep one column for the ellipsis */
				break;
			fwrite(s, 1, n, stdout);
			used += cw;
			s += n;
			len -= n;
		}
		fputs("…", stdout);
		used++;
	}
	while (used++ < w)
		putchar(' ');
	putchar(' ');
}

static void
print_restriction(const struct mamori_axis *axis, const struct mamori_restriction *r, void *ctx)
{
	(void)ctx;
	printf("  %-10s %-26s %s  [%s]\n", axis->title, r->id, r->text, r->clause);
}

static int
asset_show(int argc, char **argv)
{
	struct asset_opts o;
	struct mamori_store *s = NULL;
	struct mamori_asset a = { 0 };
	struct mamori_error err = { 0 };
	int rc;

	if ((rc = parse_opts(argc, argv, &o, false)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc - 1)
		return cli_usage_error("asset show: name one asset id\n%s", asset_usage);
	if ((rc = open_store(o.db, &s)) != EXIT_OK)
		return rc;
	rc = mamori_asset_get(s, argv[optind], &a, &err);
	if (rc != 0) {
		fprintf(stderr, "mamori: asset show: %s\n", err.message);
	} else if (o.json) {
		cJSON *j = cJSON_CreateObject();
		for (int k = 0; k < MAMORI_AF_COUNT; k++)
			if (a.f[k])
				cJSON_AddStringToObject(j, mamori_asset_columns[k].id, a.f[k]);
		char *txt = cJSON_Print(j);
		printf("%s\n", txt);
		free(txt);
		cJSON_Delete(j);
	} else {
		const struct mamori_policy *p = mamori_store_policy(s);
		struct mamori_tz tz;
		char when[64];
		mamori_tz_load(&tz, mamori_policy_timezone(p), NULL);
		for (int k = 0; k < MAMORI_AF_COUNT; k++) {
			if (a.f[k] == NULL)
				continue;
			cell(mamori_asset_columns[k].ja, 16);
			printf("%s\n", k == MAMORI_AF_CREATED || k == MAMORI_AF_UPDATED ?
			    mamori_tz_format(&tz, a.f[k], when, sizeof(when)) :
			    mamori_asset_display(p, (enum mamori_asset_field)k, a.f[k]));
		}
		mamori_tz_free(&tz);
		printf("\n取扱制限 (handling restrictions) under policy %s:\n", mamori_store_policy(s)->id);
		mamori_asset_restrictions(mamori_store_policy(s), &a, print_restriction, NULL);
	}
	mamori_asset_clear(&a);
	mamori_asset_clear(&o.fields);
	mamori_store_close(&s);
	return cli_exit_code(rc);
}

struct list_ctx {
	const struct mamori_policy *p;
	bool json, csv;
	size_t n;
	char last[64];		/* the id of the last asset printed: where the next page starts */
};

static void
csv_out(const char *v)
{
	if (v == NULL)
		return;
	if (strpbrk(v, ",\"\r\n") == NULL) {
		fputs(v, stdout);
		return;
	}
	putchar('"');
	for (; *v; v++) {
		if (*v == '"')
			putchar('"');
		putchar(*v);
	}
	putchar('"');
}

static int
list_row(const struct mamori_asset *a, void *arg)
{
	struct list_ctx *c = arg;

	c->n++;
	snprintf(c->last, sizeof(c->last), "%s", a->f[MAMORI_AF_ID] ? a->f[MAMORI_AF_ID] : "");
	if (c->json) {
		cJSON *j = cJSON_CreateObject();
		for (int k = 0; k < MAMORI_AF_COUNT; k++)
			if (a->f[k])
				cJSON_AddStringToObject(j, mamori_asset_columns[k].id, a->f[k]);
		char *txt = cJSON_PrintUnformatted(j);
		printf("%s%s", c->n > 1 ? ",\n" : "", txt);
		free(txt);
		cJSON_Delete(j);
	} else if (c->csv) {
		for (int k = 0; k < MAMORI_AF_COUNT; k++) {
			if (k)
				putchar(',');
			csv_out(a->f[k]);
		}
		putchar('\n');
	} else {
		cell(a->f[MAMORI_AF_ID], 9);
		cell(a->f[MAMORI_AF_NAME], 28);
		cell(mamori_asset_display(c->p, MAMORI_AF_KIND, a->f[MAMORI_AF_KIND]), 14);
		cell(mamori_asset_display(c->p, MAMORI_AF_DEPARTMENT, a->f[MAMORI_AF_DEPARTMENT]), 14);
		cell(mamori_asset_display(c->p, MAMORI_AF_SEGMENT, a->f[MAMORI_AF_SEGMENT]), 22);
		cell(a->f[MAMORI_AF_CONFIDENTIALITY], 2);
		cell(a->f[MAMORI_AF_INTEGRITY], 2);
		cell(a->f[MAMORI_AF_AVAILABILITY], 2);
		printf("%s\n", mamori_asset_display(c->p, MAMORI_AF_STATUS, a->f[MAMORI_AF_STATUS]));
	}
	return 0;
}

/* `asset list --count`: how many assets the filters match, from the index. */
static int
asset_count(struct mamori_store *s, struct asset_opts *o)
{
	struct mamori_error err = { 0 };
	int64_t n = 0;
	int rc = mamori_asset_count(s, &o->filter, &n, &err);

	if (rc != 0)
		fprintf(stderr, "mamori: asset list: %s\n", err.message);
	else if (o->json)
		printf("{\"count\":%lld}\n", (long long)n);
	else
		printf("%lld\n", (long long)n);
	mamori_asset_clear(&o->fields);
	mamori_store_close(&s);
	return cli_exit_code(rc);
}

static int
asset_list(int argc, char **argv)
{
	struct asset_opts o;
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	struct list_ctx c = { 0 };
	struct mamori_asset_page page = { 0 };
	int rc;

	if ((rc = parse_opts(argc, argv, &o, true)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc)
		return cli_usage_error("asset list: unexpected argument '%s'", argv[optind]);
	if (o.filter.after != NULL && o.filter.limit == 0)
		return cli_usage_error("asset list: --after starts a page: give its size with --limit N");
	if ((rc = open_store(o.db, &s)) != EXIT_OK)
		return rc;
	if (o.count)
		return asset_count(s, &o);
	c.json = o.json;
	c.csv = o.csv;
	c.p = mamori_store_policy(s);
	if (c.json)
		printf("[\n");
	else if (c.csv) {
		for (int k = 0; k < MAMORI_AF_COUNT; k++)
			printf("%s%s", k ? "," : "", mamori_asset_columns[k].id);
		putchar('\n');
	} else {
		cell("資産番号", 9);
		cell("資産名", 28);
		cell("種別", 14);
		cell("所管課", 14);
		cell("ネットワーク区分", 22);
		cell("機", 2);
		cell("完", 2);
		cell("可", 2);
		printf("状態\n");
	}
	if (o.filter.limit > 0)
		rc = mamori_asset_page(s, &o.filter, list_row, &c, &page, &err);
	else
		rc = mamori_asset_list(s, &o.filter, list_row, &c, &err);
	if (c.json)
		printf("\n]\n");
	if (rc != 0)
		fprintf(stderr, "mamori: asset list: %s\n", err.message);
	else if (o.filter.limit > 0 && !c.json && !c.csv)
		printf("(%zu of %lld assets%s%s)\n", c.n, (long long)page.total, page.more ?
		    "; next page: --after " : "", page.more ? c.last : "");
	else if (o.filter.limit > 0 && page.more)
		fprintf(stderr, "mamori: asset list: %zu of %lld assets; next page: --after %s\n", c.n,
		    (long long)page.total, c.last);
	else if (!c.json && !c.csv)
		printf("(%zu assets)\n", c.n);
	mamori_asset_clear(&o.fields);
	mamori_store_close(&s);
	return cli_exit_code(rc);
}

static int
asset_dispose(int argc, char **argv)
{
	struct asset_opts o;
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if ((rc = parse_opts(argc, argv, &o, false)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc - 1 || o.method == NULL || o.by == NULL)
		return cli_usage_error("asset dispose: name the asset, --method and --by\n%s", asset_usage);
	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if ((rc = open_store(o.db, &s)) != EXIT_OK)
		return rc;
	rc = mamori_asset_dispose(s, cli_actor(), argv[optind], o.date ? o.date : today, o.method, o.by,
	    o.witness, &err);
	if (rc != 0)
		fprintf(stderr, "mamori: asset dispose: %s\n", err.message);
	else
		printf("%s disposed of (%s, %s)\n", argv[optind], o.method, o.date ? o.date : today);
	mamori_asset_clear(&o.fields);
	mamori_store_close(&s);
	return cli_exit_code(rc);
}

/* Progress on standard error, only when a person watches it (a terminal). */
static void
progress(size_t done, size_t total)
{
	fprintf(stderr, "\r%zu / %zu assets", done, total);
	if (done == total)
		fputc('\n', stderr);
}

static void (*progress_if_tty(void))(size_t, size_t)
{
	return isatty(STDERR_FILENO) ? progress : NULL;
}

/*
 * Whether path is a file that starts like an Excel workbook (XLSX, or an .xls
 * to refuse) rather than CSV.  Only regular files are looked at: reading the
 * start of a pipe would take it from the import.
 */
bool
cli_is_workbook(const char *path)
{
	struct stat sb;
	char head[8];
	size_t n;
	FILE *f;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (f = fopen(path, "rb")) == NULL)
		return false;	/* the import says why it cannot be read */
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return mamori_xlsx_looks_like(head, n);
}


/*
 * A workbook is read by mamori-full, which loads libzip and libxml2 (main.c
 * says why mamori does not): this program runs it with the same arguments.
 */
static int
import_file(struct mamori_store *s, const struct asset_opts *o, const char *path, struct mamori_diags *d,
    size_t *count, struct mamori_error *err)
{
	struct mamori_import_opts opts = { .encoding = o->encoding, .header_row = o->header_row,
		.map = o->map, .nmap = o->nmap, .strict = o->strict, .dry_run = o->dry_run,
		.progress = progress_if_tty() };

	if (!cli_is_workbook(path)) {
		if (o->sheet)
			return mamori_error_set(err, MAMORI_E_USAGE, "%s is not an XLSX workbook: --sheet is for "
			    "workbooks", path);
		return mamori_asset_import(s, cli_actor(), path, &opts, d, count, err);
	}
	if (o->encoding)
		return mamori_error_set(err, MAMORI_E_USAGE, "%s is an Excel workbook: --encoding is for CSV files",
		    path);
	if (cli_full.import_workbook == NULL)
		return mamori_error_set(err, MAMORI_E_IO, "%s: a workbook is read by mamori-full", path);
	return cli_full.import_workbook(s, cli_actor(), o->sheet, &opts, path, d, count, err);
}

static int
asset_import(int argc, char **argv)
{
	struct asset_opts o;
	struct mamori_store *s = NULL;
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	size_t count = 0;
	int rc;

	if ((rc = parse_opts(argc, argv, &o, false)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc - 1)
		return cli_usage_error("asset import: name one CSV or XLSX file\n%s", asset_usage);
	if (cli_full.import_workbook == NULL && cli_is_workbook(argv[optind]) && o.encoding == NULL) {
		char **full = calloc((size_t)argc + 3, sizeof(*full));
		if (full == NULL)
			return cli_usage_error("out of memory");
		full[1] = "asset";
		memcpy(full + 2, argv, (size_t)argc * sizeof(*argv));
		rc = cli_run_full(full);
		free(full);
		return rc;
	}
	if ((rc = open_store(o.db, &s)) != EXIT_OK)
		return rc;
	rc = import_file(s, &o, argv[optind], &d, &count, &err);
	rc = report(rc, &d, &err, "import");
	if (rc == EXIT_OK)
		printf(o.dry_run ? P_("%s: %zu asset would be imported (dry run; nothing written)\n",
		    "%s: %zu assets would be imported (dry run; nothing written)\n", count) :
		    P_("%s: %zu asset imported\n", "%s: %zu assets imported\n", count), argv[optind], count);
	mamori_diags_clear(&d);
	mamori_asset_clear(&o.fields);
	mamori_store_close(&s);
	return rc;
}

/*
 * The export file, made mode 0600 whatever the umask: the register is not for
 * every local account to read.  An existing file is replaced only when force
 * is set (otherwise -1 with errno EEXIST): an export never overwrites a ledger
 * someone kept by accident.
 */
int
cli_export_file(const char *path, bool force)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0600);

	if (fd >= 0 && fchmod(fd, 0600) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
asset_export(int argc, char **argv)
{
	struct asset_opts o;
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	struct mamori_export_opts eo;
	FILE *out = stdout;
	int rc, fd = -1;

	if ((rc = parse_opts(argc, argv, &o, false)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (o.format == NULL || (strcmp(o.format, "csv") != 0 && strcmp(o.format, "xlsx") != 0))
		return cli_usage_error("asset export: --format csv or --format xlsx\n%s", asset_usage);
	if (strcmp(o.format, "xlsx") == 0 && o.out == NULL)
		return cli_usage_error("asset export --format xlsx needs --out FILE.xlsx");
	if (o.encoding != NULL && (strcmp(o.format, "csv") != 0 || (strcasecmp(o.encoding, "utf-8") != 0 &&
	    strcasecmp(o.encoding, "cp932") != 0)))
		return cli_usage_error("asset export: --encoding is utf-8 or cp932, for --format csv");
	if ((rc = open_store(o.db, &s)) != EXIT_OK)
		return rc;
	eo = (struct mamori_export_opts){ .encoding = o.encoding, .progress = progress_if_tty() };
	if (o.out && (fd = cli_export_file(o.out, o.force)) < 0 && errno == EEXIST) {
		rc = mamori_error_set(&err, MAMORI_E_CONFLICT, "%s exists already; give --force to replace it", o.out);
	} else if (o.out && fd < 0) {
		rc = mamori_error_set(&err, MAMORI_E_IO, "cannot write %s: %s", o.out, strerror(errno));
	} else if (strcmp(o.format, "xlsx") == 0) {
		close(fd);	/* the writer opens it again by name; the file keeps its mode */
		rc = mamori_asset_export_xlsx(s, o.out, &eo, &err);
	} else {
		if (o.out && (out = fdopen(fd, "wb")) == NULL) {
			close(fd);
			rc = mamori_error_set(&err, MAMORI_E_IO, "cannot write %s", o.out);
		} else
			rc = mamori_asset_export_csv(s, out, &eo, &err);
		if (out != stdout && out != NULL && fclose(out) != 0 && rc == 0)
			rc = mamori_error_set(&err, MAMORI_E_IO, "cannot write %s", o.out);
	}
	/* nothing half-written: a file this export made goes when it failed */
	if (rc != 0 && fd >= 0)
		(void)unlink(o.out);
	if (rc != 0)
		fprintf(stderr, "mamori: asset export: %s\n", err.message);
	mamori_asset_clear(&o.fields);
	mamori_store_close(&s);
	return cli_exit_code(rc);
}

int
cmd_asset(int argc, char **argv)
{
	static const struct cli_command subs[] = {
		{ "add", asset_add, "" }, { "edit", asset_edit, "" }, { "show", asset_show, "" },
		{ "list", asset_list, "" }, { "dispose", asset_dispose, "" },
		{ "import", asset_import, "" }, { "export", asset_export, "" },
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(asset_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(argc - 1, argv + 1);
	return cli_usage_error("asset: unknown subcommand '%s'\n%s", argv[1], asset_usage);
}
