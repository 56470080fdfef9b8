/*
 * routes_report.c — the reports as downloads (mamori/report.h): GET
 * /api/reports/register?format=pdf|xlsx with the register list's filters;
 * /api/reports/self-check/{id}, /audit/{id} and /risks.  A report holds what
 * the session's role may read and no more: the register report of a role
 * that reads its own 課's assets is that 課's; the reports of 評価・見直し
 * cover every 課, so only the roles that read every 課's records have them
 * (the route table's ACCESS_TRAIL), and a campaign or audit only when the
 * account may see its record.  Texts are in the request's language (lang.h),
 * the date today in the organisation's zone.
 */
#include "server.h"
#include "mamori/asset.h"
#include "mamori/policy.h"
#include "mamori/record.h"
#include "mamori/report.h"
#include "mamori/store.h"

#include <string.h>
#include <cjson/cJSON.h>
#include <time.h>

/* What a download writes: the report and the writer of its format. */
struct report_file {
	const struct mamori_report *r;
	int (*write)(const struct mamori_report *r, const char *path, struct mamori_error *err);
};

static int
write_report(const char *path, void *arg, struct mamori_error *err)
{
	const struct report_file *f = arg;

	return f->write(f->r, path, err);
}

/* The format of the query (pdf when not given); false after a 400. */
static bool
query_format(struct request *req, struct response *res, bool *pdf)
{
	const char *format = http_query(req, "format");

	*pdf = format == NULL || strcmp(format, "pdf") == 0;
	if (!*pdf && strcmp(format, "xlsx") != 0) {
		http_error(res, 400, "invalid", "format", "format is pdf or xlsx, not '%.40s'", format);
		return false;
	}
	return true;
}

/* Answers r in the format asked for, offered as NAME.pdf or NAME.xlsx. */
static void
report_answer(struct response *res, const struct mamori_report *r, bool pdf, const char *pdf_disposition,
    const char *xlsx_disposition)
{
	struct report_file f = { r, pdf ? mamori_report_pdf : mamori_report_xlsx };

	if (pdf)
		server_file_response(res, "application/pdf", pdf_disposition, write_report, &f);
	else
		server_xlsx_response(res, xlsx_disposition, write_report, &f);
}

/* GET /api/reports/register?format=pdf|xlsx&department=…: 情報資産管理台帳 by 課. */
void
route_reports_register(struct request *req, struct response *res)
{
	struct mamori_asset_scope scope = { server_asset_may_read, req };
	struct mamori_asset_filter f;
	struct mamori_report *r = NULL;
	struct mamori_error err = { 0 };
	char date[64];
	bool pdf;
	int rc;

	if (!query_format(req, res, &pdf) || !server_asset_filter(req, res, &f))
		return;
	mamori_report_today(mamori_policy_timezone(mamori_store_policy(req->db)), time(NULL), date, sizeof(date));
	if ((rc = mamori_report_register(req->db, &f, &scope, date, &r, &err)) != 0) {
		server_error(res, rc, NULL, &err);
		return;
	}
	report_answer(res, r, pdf, "attachment; filename=\"mamori-register.pdf\"",
	    "attachment; filename=\"mamori-register.xlsx\"");
	mamori_report_free(&r);
}

/* Today in 和暦 in the organisation's zone. */
static const char *
today(struct request *req, char *out, size_t n)
{
	return mamori_report_today(mamori_policy_timezone(mamori_store_policy(req->db)), time(NULL), out, n);
}

/* Whether the session's account may see record id; false after a 404 (a record it may not see is not there). */
static bool
record_visible(struct request *req, struct response *res, const char *id)
{
	struct mamori_error err = { 0 };
	cJSON *rec = NULL;
	bool ok = mamori_record_get(req->db, id, false, NULL, &rec, &err) == 0 &&
	    mamori_record_may_see(req->db, req->session->user, rec);

	cJSON_Delete(rec);
	if (!ok)
		http_error(res, 404, "not-found", NULL, "no record %s", id);
	return ok;
}

/* GET /api/reports/self-check/{id} and /api/reports/audit/{id}: the campaign's or the audit's report. */
static void
record_report(struct request *req, struct response *res, bool audit)
{
	struct mamori_report *r = NULL;
	struct mamori_error err = { 0 };
	char date[64];
	bool pdf;
	int rc;

	if (!query_format(req, res, &pdf) || !record_visible(req, res, req->params[0]))
		return;
	rc = audit ? mamori_report_audit(req->db, req->params[0], today(req, date, sizeof(date)), &r, &err) :
	    mamori_report_self_check(req->db, req->params[0], today(req, date, sizeof(date)), &r, &err);
	if (rc != 0) {
		server_error(res, rc, NULL, &err);
		return;
	}
	if (audit)
		report_answer(res, r, pdf, "attachment; filename=\"mamori-audit.pdf\"",
		    "attachment; filename=\"mamori-audit.xlsx\"");
	else
		report_answer(res, r, pdf, "attachment; filename=\"mamori-self-check.pdf\"",
		    "attachment; filename=\"mamori-self-check.xlsx\"");
	mamori_report_free(&r);
}

void
route_reports_self_check(struct request *req, struct response *res)
{
	record_report(req, res, false);
}

void
route_reports_audit(struct request *req, struct response *res)
{
	record_report(req, res, true);
}

/* GET /api/reports/risks: リスク評価表. */
void
route_reports_risks(struct request *req, struct response *res)
{
	struct mamori_report *r = NULL;
	struct mamori_error err = { 0 };
	char date[64];
	bool pdf;
	int rc;

	if (!query_format(req, res, &pdf))
		return;
	if ((rc = mamori_report_risks(req->db, today(req, date, sizeof(date)), &r, &err)) != 0) {
		server_error(res, rc, NULL, &err);
		return;
	}
	report_answer(res, r, pdf, "attachment; filename=\"mamori-risks.pdf\"", "attachment; filename=\"mamori-risks.xlsx\"");
	mamori_report_free(&r);
}
