/* cmd_check.c — `mamori check …`: the checklist, 自己点検 and audit answers, the risk heat map, the 見直し. */
#include "cli.h"
#include "mamori/date.h"
#include "mamori/i18n.h"
#include "mamori/review.h"
#include "mamori/tz.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char check_usage[] =
    "usage: mamori check items [--json] [--policy FILE | --db PATH]\n"
    "       mamori check sheet ID --department DEPT [--json]\n"
    "       mamori check answer ID --department DEPT --item ITEM --answer conform|partial|nonconform|na\n"
    "                           --by USER [--comment TEXT] [--file NUM …] [--asset ID …] [--seq N …]\n"
    "       mamori check progress ID [--json]\n"
    "       mamori check remind [--now TIME] [--json]\n"
    "       mamori check risks [--json]\n"
    "       mamori check gather REVIEW-ID [--json]\n"
    "       mamori check next-review\n"
    "ID is a self-check campaign (SC-…) or an audit (AUD-…).  docs/review.md.\n";

enum { EV_MAX = 64 };

struct c_opts {
	const char *db, *policy, *by, *department, *item, *answer, *comment, *now_text;
	const char *files[EV_MAX], *assets[EV_MAX], *seqs[EV_MAX];
	size_t nfiles, nassets, nseqs;
	bool json;
};

static int
add_ev(const char **v, size_t *n, const char *s)
{
	if (*n == EV_MAX)
		return cli_usage_error("check: at most %d of each kind of evidence", EV_MAX);
	v[(*n)++] = s;
	return 0;
}

static int
parse(int argc, char **argv, struct c_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "policy", required_argument, NULL, 'p' },
		{ "by", required_argument, NULL, 'b' },
		{ "department", required_argument, NULL, 'D' },
		{ "item", required_argument, NULL, 'i' },
		{ "answer", required_argument, NULL, 'a' },
		{ "comment", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ "asset", required_argument, NULL, 'A' },
		{ "seq", required_argument, NULL, 's' },
		{ "now", required_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "d:p:b:D:i:a:c:f:A:s:N:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'p': o->policy = optarg; break;
		case 'b': o->by = optarg; break;
		case 'D': o->department = optarg; break;
		case 'i': o->item = optarg; break;
		case 'a': o->answer = optarg; break;
		case 'c': o->comment = optarg; break;
		case 'f': rc = add_ev(o->files, &o->nfiles, optarg); break;
		case 'A': rc = add_ev(o->assets, &o->nassets, optarg); break;
		case 's': rc = add_ev(o->seqs, &o->nseqs, optarg); break;
		case 'N': o->now_text = optarg; break;
		case 'j': o->json = true; break;
		case 'h': fputs(check_usage, stdout); return -1;
		default: return cli_usage_error("check: bad option\n%s", check_usage);
		}
	}
	return rc;
}

static int
open_store(const struct c_opts *o, struct mamori_store **s)
{
	struct mamori_error err = { 0 };

	if (mamori_store_open_private(cli_db_path(o->db), s, &err) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

static void
print_json(const cJSON *j)
{
	char *text = cJSON_Print(j);

	if (text != NULL)
		printf("%s\n", text);
	free(text);
}

static int
fail(const char *what, const struct mamori_error *err, int rc)
{
	fprintf(stderr, "mamori: check %s: %s\n", what, err->message);
	return cli_exit_code(rc);
}

/* ---- items ---- */

static int
check_items(const struct c_opts *o)
{
	struct mamori_diags diags = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_policy *owned = NULL;
	struct mamori_store *s = NULL;
	struct mamori_checklist *cl = NULL;
	const struct mamori_policy *p;
	int rc, ex = EXIT_OK;

	if (o->policy != NULL) {
		rc = mamori_policy_load(o->policy, &diags, &owned);
		mamori_diags_print(&diags, stderr);
		mamori_diags_clear(&diags);
		if (rc != 0)
			return rc == MAMORI_E_IO ? EXIT_ENV : EXIT_REFUSED;
		p = owned;
	} else {
		if ((ex = open_store(o, &s)) != EXIT_OK)
			return ex;
		p = mamori_store_policy(s);
	}
	if ((rc = mamori_checklist_build(p, &cl, &err)) != 0) {
		ex = fail("items", &err, rc);
		goto out;
	}
	if (o->json) {
		cJSON *j = mamori_checklist_json(cl);
		print_json(j);
		cJSON_Delete(j);
	} else {
		for (size_t i = 0; i < cl->n; i++) {
			const struct mamori_check_item *it = &cl->items[i];
			printf("%s\t%s\t（%s）", it->id, it->text, it->clause ? it->clause : "");
			for (size_t k = 0; k < it->napplies_to; k++)
				printf("%s%s", k == 0 ? "\t" : ",", it->applies_to[k]);
			putchar('\n');
		}
		printf(_("%zu items from policy %s\n"), cl->n, p->id);
	}
out:
	mamori_checklist_free(&cl);
	mamori_policy_free(&owned);
	mamori_store_close(&s);
	return ex;
}

/* ---- answers ---- */

static cJSON *
evidence_json(const struct c_opts *o)
{
	cJSON *ev;

	if (o->nfiles + o->nassets + o->nseqs == 0)
		return NULL;
	ev = cJSON_CreateObject();
	if (o->nfiles) {
		cJSON *a = cJSON_AddArrayToObject(ev, "files");
		for (size_t i = 0; i < o->nfiles; i++)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(strtod(o->files[i], NULL)));
	}
	if (o->nassets) {
		cJSON *a = cJSON_AddArrayToObject(ev, "assets");
		for (size_t i = 0; i < o->nassets; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(o->assets[i]));
	}
	if (o->nseqs) {
		cJSON *a = cJSON_AddArrayToObject(ev, "seq");
		for (size_t i = 0; i < o->nseqs; i++)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(strtod(o->seqs[i], NULL)));
	}
	return ev;
}

static int
check_answer(const struct c_opts *o, const char *id)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	cJSON *ev;
	int rc, ex;

	if (o->by == NULL || o->department == NULL || o->item == NULL || o->answer == NULL)
		return cli_usage_error("check answer: --by, --department, --item and --answer are required\n%s", check_usage);
	if ((ex = open_store(o, &s)) != EXIT_OK)
		return ex;
	ev = evidence_json(o);
	rc = mamori_check_answer(s, cli_actor(), o->by, id, o->department, o->item, o->answer, o->comment, ev,
	    time(NULL), &err);
	ex = rc == 0 ? EXIT_OK : fail("answer", &err, rc);
	if (rc == 0)
		printf(_("%s: %s answered %s for %s\n"), id, o->item, o->answer, o->department);
	cJSON_Delete(ev);
	mamori_store_close(&s);
	return ex;
}

static void
print_sheet(const cJSON *sheet)
{
	const cJSON *it;

	printf("%s %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(sheet, "record")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(sheet, "department_title")));
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(sheet, "items")) {
		const char *a = cJSON_GetStringValue(cJSON_GetObjectItem(it, "answer_title"));
		const cJSON *pf = cJSON_GetObjectItem(it, "prefill");
		printf("[%s] %s\t%s\n", a ? a : "未回答", cJSON_GetStringValue(cJSON_GetObjectItem(it, "id")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(it, "text")));
		if (cJSON_IsObject(pf))
			printf("      mamori: %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(pf, "text")));
	}
}

static void
print_progress(const cJSON *p)
{
	const cJSON *d;
	const char *due = cJSON_GetStringValue(cJSON_GetObjectItem(p, "due"));

	printf("%s %s%s%s\n", cJSON_GetStringValue(cJSON_GetObjectItem(p, "record")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(p, "state")), due ? " due " : "", due ? due : "");
	cJSON_ArrayForEach(d, cJSON_GetObjectItem(p, "departments"))
		printf("%s\t%.0f/%.0f\t適合 %.0f\t一部適合 %.0f\t不適合 %.0f\t該当なし %.0f\n",
		    cJSON_GetStringValue(cJSON_GetObjectItem(d, "title")),
		    cJSON_GetNumberValue(cJSON_GetObjectItem(d, "answered")), cJSON_GetNumberValue(cJSON_GetObjectItem(d, "items")),
		    cJSON_GetNumberValue(cJSON_GetObjectItem(d, "conform")), cJSON_GetNumberValue(cJSON_GetObjectItem(d, "partial")),
		    cJSON_GetNumberValue(cJSON_GetObjectItem(d, "nonconform")), cJSON_GetNumberValue(cJSON_GetObjectItem(d, "na")));
}

static void
print_risks(const cJSON *m)
{
	const cJSON *r, *imp = cJSON_GetObjectItem(m, "impact"), *lik = cJSON_GetObjectItem(m, "likelihood");
	int ni = cJSON_GetArraySize(imp), nl = cJSON_GetArraySize(lik);

	printf("発生可能性＼影響度");
	for (int i = 1; i <= ni; i++)
		printf("\t%d", i);
	putchar('\n');
	for (int l = nl; l >= 1; l--) {
		printf("%d", l);
		for (int i = 1; i <= ni; i++) {
			const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "cells"), (l - 1) * ni + (i - 1));
			printf("\t%.0f/%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(c, "inherent")),
			    cJSON_GetNumberValue(cJSON_GetObjectItem(c, "residual")));
		}
		putchar('\n');
	}
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(m, "risks")) {
		const cJSON *res = cJSON_GetObjectItem(r, "residual");
		printf("%s\t%s\t%s\t%.0f", cJSON_GetStringValue(cJSON_GetObjectItem(r, "id")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(r, "state_title")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(r, "threat")),
		    cJSON_GetNumberValue(cJSON_GetObjectItem(r, "inherent")));
		if (cJSON_IsNumber(res))
			printf(" → %.0f", res->valuedouble);
		if (cJSON_IsTrue(cJSON_GetObjectItem(r, "over_accept")))
			printf("\t%s", _("accepted above review.risk.accept"));
		putchar('\n');
	}
}

static void
print_gather(const cJSON *g)
{
	static const char *const groups[] = { "findings", "incidents", "risks" };

	printf("%s %s – %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(g, "review")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(g, "period_from")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(g, "period_until")));
	for (size_t i = 0; i < 3; i++) {
		const cJSON *x = cJSON_GetObjectItem(g, groups[i]);
		printf("%s: %.0f (open %.0f)\n", groups[i], cJSON_GetNumberValue(cJSON_GetObjectItem(x, "count")),
		    cJSON_GetNumberValue(cJSON_GetObjectItem(x, "open")));
	}
	printf("self_checks: %d\naudits: %d\nnext_review: %s\n", cJSON_GetArraySize(cJSON_GetObjectItem(g, "self_checks")),
	    cJSON_GetArraySize(cJSON_GetObjectItem(g, "audits")), cJSON_GetStringValue(cJSON_GetObjectItem(g, "next_review")));
}

/* sheet, progress, risks, gather: a read that gives a JSON, printed as JSON or for people. */
static int
check_read(const struct c_opts *o, const char *what, const char *id)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	cJSON *j = NULL;
	int rc, ex;

	if (strcmp(what, "sheet") == 0 && o->department == NULL)
		return cli_usage_error("check sheet: --department is required\n%s", check_usage);
	if ((ex = open_store(o, &s)) != EXIT_OK)
		return ex;
	rc = strcmp(what, "sheet") == 0 ? mamori_check_sheet(s, id, o->department, &j, &err) :
	    strcmp(what, "progress") == 0 ? mamori_check_progress(s, id, &j, &err) :
	    strcmp(what, "risks") == 0 ? mamori_risk_matrix(s, &j, &err) : mamori_review_gather(s, id, &j, &err);
	if (rc != 0)
		ex = fail(what, &err, rc);
	else if (o->json)
		print_json(j);
	else if (strcmp(what, "sheet") == 0)
		print_sheet(j);
	else if (strcmp(what, "progress") == 0)
		print_progress(j);
	else if (strcmp(what, "risks") == 0)
		print_risks(j);
	else
		print_gather(j);
	cJSON_Delete(j);
	mamori_store_close(&s);
	return ex;
}

static int
check_remind(const struct c_opts *o)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	struct mamori_tz tz = { 0 };
	time_t now = time(NULL);
	size_t n = 0;
	int rc, ex;

	if ((ex = open_store(o, &s)) != EXIT_OK)
		return ex;
	if (o->now_text != NULL) {
		(void)mamori_tz_load(&tz, mamori_policy_timezone(mamori_store_policy(s)), NULL);
		bool ok = mamori_time_bound(o->now_text, &tz, false, &now);
		mamori_tz_free(&tz);
		if (!ok) {
			mamori_store_close(&s);
			return cli_usage_error("check remind: --now '%s' is not a time", o->now_text);
		}
	}
	rc = mamori_check_remind(s, cli_actor(), now, &n, &err);
	if (rc != 0)
		ex = fail("remind", &err, rc);
	else if (o->json)
		printf("{\"notices\": %zu}\n", n);
	else
		printf(_("%zu notices\n"), n);
	mamori_store_close(&s);
	return ex;
}

static int
check_next(const struct c_opts *o)
{
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	char next[11];
	int rc, ex;

	if ((ex = open_store(o, &s)) != EXIT_OK)
		return ex;
	rc = mamori_review_next(s, next, &err);
	if (rc == 0)
		printf("%s\n", next);
	else
		ex = fail("next-review", &err, rc);
	mamori_store_close(&s);
	return ex;
}

int
cmd_check(int argc, char **argv)
{
	struct c_opts o;
	const char *sub = argc > 1 ? argv[1] : NULL;
	int rc;

	if (sub == NULL || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		fputs(check_usage, sub ? stdout : stderr);
		return sub ? EXIT_OK : EXIT_USAGE;
	}
	if ((rc = parse(argc - 1, argv + 1, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	/* the operands after the subcommand, once getopt has moved the options before them */
	int nargs = argc - 1 - optind;
	const char *id = nargs > 0 ? argv[1 + optind] : NULL;
	bool wants_id = strcmp(sub, "sheet") == 0 || strcmp(sub, "answer") == 0 || strcmp(sub, "progress") == 0 ||
	    strcmp(sub, "gather") == 0;

	if (wants_id ? nargs != 1 : nargs != 0)
		return cli_usage_error("check %s: %s\n%s", sub, wants_id ? "name one record" : "takes no operand", check_usage);
	if (strcmp(sub, "items") == 0)
		return check_items(&o);
	if (strcmp(sub, "answer") == 0)
		return check_answer(&o, id);
	if (strcmp(sub, "sheet") == 0 || strcmp(sub, "progress") == 0 || strcmp(sub, "gather") == 0 ||
	    strcmp(sub, "risks") == 0)
		return check_read(&o, sub, id);
	if (strcmp(sub, "remind") == 0)
		return check_remind(&o);
	if (strcmp(sub, "next-review") == 0)
		return check_next(&o);
	return cli_usage_error("check: unknown subcommand '%s'\n%s", sub, check_usage);
}
