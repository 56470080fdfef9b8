/*
 * cmd_report.c — `mamori report KIND --format pdf|xlsx --out FILE [filters]`:
 * the reports handed to the CISO, the council or 監査委員 (mamori/report.h).
 * In mamori-full only: the PDF needs cairo and pango (main.c says why).
 */
#include "cli.h"
#include "mamori/asset.h"
#include "mamori/date.h"
#include "mamori/i18n.h"
#include "mamori/policy.h"
#include "mamori/report.h"
#include "mamori/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char report_usage[] =
    "usage: mamori report register --format pdf|xlsx --out FILE [--force] [--date DATE]\n"
    "                              [--department D] [--segment S] [--kind K] [--status active|disposed]\n"
    "                              [--c EXPR] [--i EXPR] [--a EXPR] [--search TEXT] [--db PATH]\n"
    "       mamori report self-check SC-ID --format pdf|xlsx --out FILE [--force] [--date DATE] [--db PATH]\n"
    "       mamori report audit AUD-ID --format pdf|xlsx --out FILE [--force] [--date DATE] [--db PATH]\n"
    "       mamori report risks --format pdf|xlsx --out FILE [--force] [--date DATE] [--db PATH]\n"
    "register: 情報資産管理台帳 by 課 (counts by 機密性, then each 課's assets); self-check:\n"
    "自己点検結果報告書; audit: 監査報告書; risks: リスク評価表 (docs/reports.md).\n"
    "--date is the report's date (default: today in the organisation's zone), printed in 和暦.\n";

struct report_opts {
	const char *db, *format, *out, *date;
	const char *id;		/* the record a report is of (self-check, audit) */
	struct mamori_asset_filter filter;
	bool force;
};

enum { OPT_DB = 256, OPT_FORMAT, OPT_OUT, OPT_FORCE, OPT_DATE, OPT_DEPT, OPT_SEGMENT, OPT_KIND, OPT_STATUS,
	OPT_SEARCH, OPT_C, OPT_I, OPT_A };

static int
parse_opts(int argc, char **argv, struct report_opts *o, bool with_id)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB }, { "format", required_argument, NULL, OPT_FORMAT },
		{ "out", required_argument, NULL, OPT_OUT }, { "force", no_argument, NULL, OPT_FORCE },
		{ "date", required_argument, NULL, OPT_DATE }, { "department", required_argument, NULL, OPT_DEPT },
		{ "segment", required_argument, NULL, OPT_SEGMENT }, { "kind", required_argument, NULL, OPT_KIND },
		{ "status", required_argument, NULL, OPT_STATUS }, { "search", required_argument, NULL, OPT_SEARCH },
		{ "c", required_argument, NULL, OPT_C }, { "i", required_argument, NULL, OPT_I },
		{ "a", required_argument, NULL, OPT_A }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((c = getopt_long_only(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: o->db = optarg; break;
		case OPT_FORMAT: o->format = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_DATE: o->date = optarg; break;
		case OPT_DEPT: o->filter.department = optarg; break;
		case OPT_SEGMENT: o->filter.segment = optarg; break;
		case OPT_KIND: o->filter.kind = optarg; break;
		case OPT_STATUS: o->filter.status = optarg; break;
		case OPT_SEARCH: o->filter.text = optarg; break;
		case OPT_C:
		case OPT_I:
		case OPT_A:
			if (!mamori_asset_filter_level(&o->filter, c - OPT_C, optarg))
				return cli_usage_error("report: --%c '%s' is not a level or a comparison like '>=2'",
				    "cia"[c - OPT_C], optarg);
			break;
		case 'h':
			fputs(report_usage, stdout);
			return -1;
		default:
			return cli_usage_error("report: bad option\n%s", report_usage);
		}
	}
	if (o->format == NULL || (strcmp(o->format, "pdf") != 0 && strcmp(o->format, "xlsx") != 0))
		return cli_usage_error("report: --format pdf or --format xlsx\n%s", report_usage);
	if (o->out == NULL)
		return cli_usage_error("report: --out FILE is needed");
	if (with_id && optind == argc)
		return cli_usage_error("report %s: which record? (mamori record list %s)", argv[0], argv[0]);
	if (with_id)
		o->id = argv[optind++];
	if (optind < argc)
		return cli_usage_error("report: unexpected argument '%s'", argv[optind]);
	return 0;
}

/* The report's date in 和暦: --date (any form an office writes), else today in the organisation's zone. */
static bool
report_date(const struct report_opts *o, const struct mamori_policy *p, char *out, size_t n)
{
	char ymd[11];

	if (o->date == NULL) {
		mamori_report_today(mamori_policy_timezone(p), time(NULL), out, n);
		return true;
	}
	if (!mamori_date_parse(o->date, 0, ymd))
		return false;
	mamori_date_wareki(ymd, out, n);
	return true;
}

/* Writes r to o->out in o->format, made mode 0600 and not over an existing file without --force. */
static int
write_report(const struct report_opts *o, const struct mamori_report *r, struct mamori_error *err)
{
	int fd = cli_export_file(o->out, o->force), rc;

	if (fd < 0 && errno == EEXIST)
		return mamori_error_set(err, MAMORI_E_CONFLICT, "%s exists already; give --force to replace it", o->out);
	if (fd < 0)
		return mamori_error_set(err, MAMORI_E_IO, "cannot write %s: %s", o->out, strerror(errno));
	close(fd);	/* the writers open it again by name; the file keeps its mode */
	rc = strcmp(o->format, "pdf") == 0 ? mamori_report_pdf(r, o->out, err) : mamori_report_xlsx(r, o->out, err);
	if (rc != 0)	/* nothing half-written */
		(void)unlink(o->out);
	return rc;
}

/* Which report: the register's filters, or the record it is of. */
enum report_kind { REPORT_REGISTER, REPORT_SELF_CHECK, REPORT_AUDIT, REPORT_RISKS };

static int
build(struct mamori_store *s, enum report_kind kind, const struct report_opts *o, const char *date,
    struct mamori_report **r, struct mamori_error *err)
{
	switch (kind) {
	case REPORT_REGISTER: return mamori_report_register(s, &o->filter, NULL, date, r, err);
	case REPORT_SELF_CHECK: return mamori_report_self_check(s, o->id, date, r, err);
	case REPORT_AUDIT: return mamori_report_audit(s, o->id, date, r, err);
	case REPORT_RISKS: return mamori_report_risks(s, date, r, err);
	}
	return mamori_error_set(err, MAMORI_E_USAGE, "unknown report");
}

static int
report_run(int argc, char **argv, enum report_kind kind)
{
	struct report_opts o;
	struct mamori_store *s = NULL;
	struct mamori_report *r = NULL;
	struct mamori_error err = { 0 };
	char date[64];
	int rc;

	if ((rc = parse_opts(argc, argv, &o, kind == REPORT_SELF_CHECK || kind == REPORT_AUDIT)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (kind != REPORT_REGISTER && (o.filter.department || o.filter.segment || o.filter.kind || o.filter.status ||
	    o.filter.text || o.filter.level_op[0][0] || o.filter.level_op[1][0] || o.filter.level_op[2][0]))
		return cli_usage_error("report %s: the register's filters are for report register", argv[0]);
	if ((rc = mamori_store_open_private(cli_db_path(o.db), &s, &err)) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return EXIT_ENV;
	}
	if (!report_date(&o, mamori_store_policy(s), date, sizeof(date))) {
		mamori_store_close(&s);
		return cli_usage_error("report: --date '%s' is not a date (%s)", o.date, MAMORI_DATE_FORMS);
	}
	if ((rc = build(s, kind, &o, date, &r, &err)) == 0)
		rc = write_report(&o, r, &err);
	if (rc != 0)
		fprintf(stderr, "mamori: report %s: %s\n", argv[0], err.message);
	mamori_report_free(&r);
	mamori_store_close(&s);
	return cli_exit_code(rc);
}

static int
report_register(int argc, char **argv)
{
	return report_run(argc, argv, REPORT_REGISTER);
}

static int
report_self_check(int argc, char **argv)
{
	return report_run(argc, argv, REPORT_SELF_CHECK);
}

static int
report_audit(int argc, char **argv)
{
	return report_run(argc, argv, REPORT_AUDIT);
}

static int
report_risks(int argc, char **argv)
{
	return report_run(argc, argv, REPORT_RISKS);
}

int
cmd_report(int argc, char **argv)
{
	static const struct cli_command kinds[] = {
		{ "register", report_register, "" }, { "self-check", report_self_check, "" },
		{ "audit", report_audit, "" }, { "risks", report_risks, "" },
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(report_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(argv[1], kinds[i].name) == 0)
			return kinds[i].run(argc - 1, argv + 1);
	return cli_usage_error("report: unknown kind '%s' (register, self-check, audit, risks)\n%s", argv[1],
	    report_usage);
}
