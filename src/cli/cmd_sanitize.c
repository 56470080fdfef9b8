/* cmd_sanitize.c — `mamori sanitize mail [--quarantine DIR] [--policy FILE] < in > out`. */
#include "cli.h"
#include "mamori/policy.h"
#include "mamori/sanitize.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sanitize_usage[] =
    "usage: mamori sanitize mail [--quarantine DIR] [--policy FILE] < in.eml > out.eml\n";

int
cmd_sanitize(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quarantine", required_argument, NULL, 'q' },
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mamori_sanitize_opts so = { .clause = "無害化通信" };
	struct mamori_policy *p = NULL;
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	char clause[256], sha[65], *in = NULL, *out = NULL;
	size_t len = 0, cap = 1 << 16, out_len = 0, r;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "mail") != 0) {
		fputs(sanitize_usage, argc < 2 ? stderr : stdout);
		return argc >= 2 && strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_USAGE;
	}
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+q:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q': so.quarantine_dir = optarg; break;
		case 'p':
			if (mamori_policy_load(optarg, &d, &p) != 0) {
				mamori_diags_print(&d, stderr);
				mamori_diags_clear(&d);
				return EXIT_REFUSED;
			}
			mamori_diags_clear(&d);
			break;
		case 'h': fputs(sanitize_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("sanitize: bad option\n%s", sanitize_usage);
		}
	}
	if (p != NULL) {
		/* the clause of the policy's flow that requires mail text-ification */
		const struct mamori_flow *f = mamori_policy_flow(p, "internet", "lgwan", "mail");
		snprintf(clause, sizeof(clause), "%s %s", p->id, f ? f->clause : "(no internet→lgwan mail flow)");
		so.clause = clause;
	}
	in = malloc(cap);
	while (in != NULL && (r = fread(in + len, 1, cap - len, stdin)) > 0) {
		len += r;
		if (len == cap) {
			char *n = cap < (64u << 20) ? realloc(in, cap *= 2) : NULL;
			if (n == NULL) {
				fprintf(stderr, "mamori: sanitize: the message is too large (over 64 MiB)\n");
				free(in);
				mamori_policy_free(&p);
				return EXIT_REFUSED;
			}
			in = n;
		}
	}
	rc = in ? mamori_sanitize_mail(in, len, &so, &out, &out_len, sha, &err) : MAMORI_E_NOMEM;
	free(in);
	mamori_policy_free(&p);
	if (rc != 0) {
		fprintf(stderr, "mamori: sanitize mail: %s\n", err.message);
		return cli_exit_code(rc);
	}
	fwrite(out, 1, out_len, stdout);
	free(out);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ENV;
}
