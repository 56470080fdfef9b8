/* cmd_decide.c — `mamori decide`: the decision point from the command line. */
#include "cli.h"
#include "mamori/date.h"
#include "mamori/record.h"
#include "mamori/tz.h"
#include "mamori/asset.h"
#include "mamori/decide.h"
#include "mamori/store.h"
#include "mamori/policy.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char decide_usage[] =
    "usage: mamori decide (--policy FILE | --db PATH) [--explain] REQUEST.json|-\n"
    "       mamori decide (--policy FILE | --db PATH) --batch < requests.jsonl > decisions.jsonl\n"
    "With --db (or $MAMORI_DB), the store's policy is used, requests may name assets, and\n"
    "records in force take part: context.approval names an approved 持ち出し申請, and an\n"
    "approved 例外措置 lifts a denial it covers (--now TIME sets the clock; docs/records.md).\n";

int
cli_decider_open(const char *policy_path, const char *db, struct mamori_policy **policy,
    struct mamori_store **store, struct mamori_decider **d)
{
	struct mamori_diags diags = { 0 };
	struct mamori_error err = { 0 };
	const struct mamori_policy *p;
	int rc;

	*policy = NULL;
	*store = NULL;
	*d = NULL;
	if (policy_path != NULL) {
		rc = mamori_policy_load(policy_path, &diags, policy);
		mamori_diags_sort(&diags);
		mamori_diags_print(&diags, stderr);
		mamori_diags_clear(&diags);
		if (rc != 0)
			return rc == MAMORI_E_INVALID ? EXIT_REFUSED : EXIT_ENV;
		p = *policy;
	} else {
		if ((rc = mamori_store_open(cli_db_path(db), store, &err)) != 0) {
			fprintf(stderr, "mamori: %s\n", err.message);
			return EXIT_ENV;
		}
		p = mamori_store_policy(*store);
	}
	if (mamori_decider_new(p, d, &err) != 0 ||
	    (*store && mamori_decider_load_assets(*d, *store, &err) != 0)) {
		fprintf(stderr, "mamori: %s\n", err.message);
		mamori_decider_free(d);
		mamori_store_close(store);
		mamori_policy_free(policy);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

/* Logs one decision when the store's policy asks for it; a failure to log is fatal
 * to the answer, because an unlogged denial must not look logged. */
static int
log_decisions(struct mamori_store *s, const struct mamori_decide_record *recs, size_t n)
{
	struct mamori_error err = { 0 };

	if (s == NULL || n == 0)
		return 0;
	if (mamori_decide_log_records(s, recs, n, &err) != 0) {
		fprintf(stderr, "mamori: decide: cannot write the decision log: %s\n", err.message);
		return EXIT_ENV;
	}
	return 0;
}

static int
decide_one(const struct mamori_decider *d, struct mamori_store *store, const struct mamori_decide_hook *hook,
    const char *path, bool explain)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t len = 0;
	enum mamori_decide_outcome said;
	char *buf, *resp;
	int rc;

	if (f == NULL) {
		fprintf(stderr, "mamori: decide: cannot open %s\n", path);
		return EXIT_ENV;
	}
	buf = cli_read_stream(f, (size_t)64 << 20, &len);
	if (f != stdin)
		fclose(f);
	if (buf == NULL)
		return EXIT_ENV;
	resp = mamori_decide_json_hooked(d, buf, len, 0, NULL, hook, explain ? stderr : NULL, &said);
	if (resp == NULL) {
		free(buf);
		return EXIT_ENV;
	}
	if (store && mamori_decide_should_log(mamori_store_policy(store), said)) {
		struct mamori_decide_record rec = { cli_actor(), buf, resp, said };
		buf[len > 0 && buf[len - 1] == '\n' ? len - 1 : len] = '\0';
		if (log_decisions(store, &rec, 1) != 0) {
			free(buf);
			free(resp);
			return EXIT_ENV;
		}
	}
	free(buf);
	printf("%s\n", resp);
	/* 0 allow, 1 deny, 2 a request that could not be decided */
	rc = said == MAMORI_DECIDE_ALLOW ? EXIT_OK : said == MAMORI_DECIDE_DENY ? EXIT_REFUSED : EXIT_USAGE;
	free(resp);
	return rc;
}

enum { LOG_GROUP = 1000 };	/* decisions per audit transaction in a batch */

/*
 * With a store, answers are held back by the group and printed only after the
 * group's decisions are in the audit trail: no answer leaves before its record.
 */
struct group {
	char *req[LOG_GROUP], *resp[LOG_GROUP];
	enum mamori_decide_outcome said[LOG_GROUP];
	bool log[LOG_GROUP];
	size_t n;
};

static int
flush_group(struct mamori_store *s, struct group *g)
{
	static struct mamori_decide_record recs[LOG_GROUP];
	const char *actor = cli_actor();
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < g->n; i++)
		if (g->log[i])
			recs[k++] = (struct mamori_decide_record){ actor, g->req[i], g->resp[i], g->said[i] };
	rc = log_decisions(s, recs, k);
	for (size_t i = 0; i < g->n; i++) {
		if (rc == 0) {
			fputs(g->resp[i], stdout);
			fputc('\n', stdout);
		}
		free(g->req[i]);
		free(g->resp[i]);
	}
	g->n = 0;
	return rc;
}

static int
decide_batch(const struct mamori_decider *d, struct mamori_store *store, const struct mamori_decide_hook *hook)
{
	static char outbuf[1 << 20];
	static struct group g;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = EXIT_OK;

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	while ((n = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;	/* blank lines carry no request */
		enum mamori_decide_outcome said;
		char *resp = mamori_decide_json_hooked(d, line, (size_t)n, lineno, NULL, hook, NULL, &said);
		if (resp == NULL) {
			rc = EXIT_ENV;
			break;
		}
		if (store == NULL) {
			fputs(resp, stdout);
			fputc('\n', stdout);
			free(resp);
			continue;
		}
		g.log[g.n] = mamori_decide_should_log(mamori_store_policy(store), said);
		g.said[g.n] = said;
		g.resp[g.n] = resp;
		g.req[g.n++] = strdup(line);
		if (g.req[g.n - 1] == NULL || (g.n == LOG_GROUP && flush_group(store, &g) != 0)) {
			rc = EXIT_ENV;
			break;
		}
	}
	if (store && flush_group(store, &g) != 0)
		rc = EXIT_ENV;
	free(line);
	if (fflush(stdout) != 0)
		rc = EXIT_ENV;
	return rc;
}

/* --now, read in the zone of the store's policy. */
static bool
read_clock(struct mamori_store *s, const char *text, time_t *now)
{
	struct mamori_tz tz = { 0 };
	bool ok;

	(void)mamori_tz_load(&tz, mamori_policy_timezone(mamori_store_policy(s)), NULL);
	ok = mamori_time_bound(text, &tz, false, now);
	mamori_tz_free(&tz);
	return ok;
}

int
cmd_decide(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "batch", no_argument, NULL, 'b' },
		{ "explain", no_argument, NULL, 'e' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy_path = NULL, *db = NULL, *now_text = NULL;
	bool batch = false, explain = false;
	struct mamori_policy *p = NULL;
	struct mamori_store *store = NULL;
	struct mamori_decider *d = NULL;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:d:ben:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': now_text = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'd': db = optarg; break;
		case 'b': batch = true; break;
		case 'e': explain = true; break;
		case 'h': fputs(decide_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("decide: bad option\n%s", decide_usage);
		}
	}
	if (policy_path == NULL && db == NULL && getenv("MAMORI_DB") == NULL)
		return cli_usage_error("decide: name the policy with --policy FILE or a store with --db PATH\n%s", decide_usage);
	if (batch ? optind != argc : optind != argc - 1)
		return cli_usage_error("decide: %s\n%s", batch ? "--batch reads standard input; give no file" :
		    "name one request file, or - for standard input", decide_usage);

	if ((rc = cli_decider_open(policy_path, db, &p, &store, &d)) != EXIT_OK)
		return rc;
	/* with a store, records in force take part: approvals and exceptions (mamori/record.h) */
	struct mamori_record_decide records = { .s = store, .d = d, .now = time(NULL) };
	struct mamori_decide_hook hook = { mamori_record_decide_hook, &records, mamori_record_decide_before };
	if (store != NULL && now_text != NULL && !read_clock(store, now_text, &records.now))
		rc = cli_usage_error("decide: --now '%s' is not a time: write 2026-12-05, 2026-12-05 09:30 or "
		    "RFC 3339", now_text);
	else
		rc = batch ? decide_batch(d, store, store ? &hook : NULL) :
		    decide_one(d, store, store ? &hook : NULL, argv[optind], explain);
	mamori_record_decide_clear(&records);
	mamori_decider_free(&d);
	mamori_store_close(&store);
	mamori_policy_free(&p);
	return rc;
}
