/* cmd_milter.c — `mamori milter --socket SPEC --policy FILE ...`: 無害化 at the mail gateway. */
#include "cli.h"
#include "mamori/milter.h"
#include "mamori/policy.h"
#include "mamori/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char milter_usage[] =
    "usage: mamori milter --socket unix:/path|inet:PORT@127.0.0.1 --db PATH | --policy FILE\n"
    "                     [--from-segment SEG] [--quarantine DIR] [--max-size BYTES]\n"
    "                     [--shutdown-timeout SECONDS]\n"
    "       mamori milter --db PATH | --policy FILE [--from-segment SEG] --route RCPT...\n"
    "  Applies 無害化 (mail text-ification) to mail crossing between segments, as the\n"
    "  policy's flows require; --route prints what it would do for each recipient.\n"
    "  With --db (or $MAMORI_DB) the store's policy rules and every verdict is an\n"
    "  event in its audit trail; with --policy the verdicts are logged only.\n";

/* A positive number with an optional K, M or G suffix (powers of 1024). */
static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	default: break;
	}
	if (*end != '\0' || v == 0 || v > (1ull << 32))
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
print_routes(const struct mamori_policy *p, const char *from, int n, char **rcpts)
{
	static const char *const names[] = { "pass", "sanitize", "reject" };
	struct mamori_mail_route r;

	for (int i = 0; i < n; i++) {
		mamori_milter_route(p, from, rcpts[i], &r);
		printf("%s\t%s -> %s\t%s\t%s%s%s\n", rcpts[i], r.from ? r.from : "?", r.to ? r.to : "?",
		    names[r.action], r.reason, r.flow ? "; " : "", r.flow ? r.flow->clause : "");
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ENV;
}

/*
 * The rules: the store's policy (the store opened for libmilter's threads)
 * or a policy file's.  An exit code; on success *s or *p is set.
 */
static int
milter_policy(const char *db, const char *policy_path, struct mamori_store **s, struct mamori_policy **p)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };

	if (db != NULL) {
		if (mamori_store_open(db, s, &err) == 0)
			return EXIT_OK;
		fprintf(stderr, "mamori: milter: %s\n", err.message);
		return EXIT_ENV;
	}
	if (mamori_policy_load(policy_path, &d, p) != 0) {
		mamori_diags_print(&d, stderr);
		mamori_diags_clear(&d);
		return EXIT_REFUSED;
	}
	mamori_diags_clear(&d);
	return EXIT_OK;
}

int
cmd_milter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "policy", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "from-segment", required_argument, NULL, 'f' },
		{ "quarantine", required_argument, NULL, 'q' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "shutdown-timeout", required_argument, NULL, 't' },
		{ "route", no_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mamori_milter_opts mo = { 0 };
	struct mamori_policy *p = NULL;
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	const char *policy_path = NULL, *db = NULL;
	bool route = false;
	int c, rc;
	char *end;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+s:p:d:f:q:m:t:rC:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': mo.socket = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'd': db = optarg; break;
		case 'f': mo.from_segment = optarg; break;
		case 'q': mo.quarantine_dir = optarg; break;
		case 'm':
			if (parse_size(optarg, &mo.max_size) != 0)
				return cli_usage_error("milter: --max-size '%s': give a number of bytes "
				    "(K, M, G suffixes allowed), at most 4G\n%s", optarg, milter_usage);
			break;
		case 't':
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > 3600)
				return cli_usage_error("milter: --shutdown-timeout '%s': give seconds, "
				    "1 to 3600\n%s", optarg, milter_usage);
			mo.shutdown_seconds = (int)v;
			break;
		case 'r': route = true; break;
		case 'C':
			if (cli_config_use(optarg) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case 'h': fputs(milter_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("milter: bad option\n%s", milter_usage);
		}
	}
	/* what the options leave unset, from the configuration file when it (or
	 * $MAMORI_DB, $MAMORI_QUARANTINE) sets it: not from the built-in defaults */
	if (db == NULL && policy_path == NULL)
		db = cli_config_chosen("store");
	if (mo.socket == NULL && !route)
		mo.socket = cli_config_chosen("milter.socket");
	if (mo.quarantine_dir == NULL)
		mo.quarantine_dir = cli_config_chosen("quarantine");
	if (db != NULL && policy_path != NULL)
		return cli_usage_error("milter: give --db PATH or --policy FILE, not both: a store's "
		    "milter follows the store's policy\n%s", milter_usage);
	if (db == NULL && policy_path == NULL)
		return cli_usage_error("milter: --db PATH or --policy FILE is required: the rules come from "
		    "the policy's segments' mail_domains and its mail flows\n%s", milter_usage);
	if (route ? optind >= argc : (mo.socket == NULL || optind < argc))
		return cli_usage_error("milter: %s\n%s", route ? "--route needs at least one recipient" :
		    mo.socket ? "unexpected arguments" : "--socket is required", milter_usage);
	if ((rc = milter_policy(db, policy_path, &s, &p)) != EXIT_OK)
		return rc;
	mo.policy = s ? mamori_store_policy(s) : p;
	mo.store = s;
	if (mo.from_segment && mamori_policy_segment(mo.policy, mo.from_segment) == NULL) {
		fprintf(stderr, "mamori: milter: --from-segment '%s' is not a segment of policy %s\n",
		    mo.from_segment, mo.policy->id);
		rc = EXIT_USAGE;
	} else if (route) {
		rc = print_routes(mo.policy, mo.from_segment, argc - optind, argv + optind);
	} else if ((rc = mamori_milter_run(&mo, &err)) != 0) {
		fprintf(stderr, "mamori: milter: %s\n", err.message);
		rc = cli_exit_code(rc);
	}
	mamori_policy_free(&p);
	mamori_store_close(&s);
	return rc;
}
