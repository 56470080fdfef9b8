/* cmd_decide.c — `mamori decide`: the decision point from the command line. */
#include "cli.h"
#include "mamori/decide.h"
#include "mamori/policy.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char decide_usage[] =
    "usage: mamori decide --policy FILE [--explain] REQUEST.json|-\n"
    "       mamori decide --policy FILE --batch < requests.jsonl > decisions.jsonl\n";

/* Reads a whole stream (at most 64 MiB) into a malloc'd buffer. */
static char *
slurp(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);

	while (b != NULL) {
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			char *nb = cap < 64u * 1024 * 1024 ? realloc(b, cap * 2) : NULL;
			if (nb == NULL) {
				free(b);
				return NULL;
			}
			b = nb;
			cap *= 2;
		}
	}
	*len = n;
	return b;
}

static int
decide_one(const struct mamori_decider *d, const char *path, bool explain)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t len = 0;
	char *buf, *resp;
	int rc;

	if (f == NULL) {
		fprintf(stderr, "mamori: decide: cannot open %s\n", path);
		return EXIT_ENV;
	}
	buf = slurp(f, &len);
	if (f != stdin)
		fclose(f);
	if (buf == NULL)
		return EXIT_ENV;
	resp = mamori_decide_json(d, buf, len, 0, explain ? stderr : NULL);
	free(buf);
	if (resp == NULL)
		return EXIT_ENV;
	printf("%s\n", resp);
	/* 0 allow, 1 deny, 2 a request that could not be decided */
	rc = strncmp(resp, "{\"decision\":\"allow\"", 19) == 0 ? EXIT_OK :
	    strncmp(resp, "{\"error\"", 8) == 0 ? EXIT_USAGE : EXIT_REFUSED;
	free(resp);
	return rc;
}

static int
decide_batch(const struct mamori_decider *d)
{
	static char outbuf[1 << 20];
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
		char *resp = mamori_decide_json(d, line, (size_t)n, lineno, NULL);
		if (resp == NULL) {
			rc = EXIT_ENV;
			break;
		}
		fputs(resp, stdout);
		fputc('\n', stdout);
		free(resp);
	}
	free(line);
	if (fflush(stdout) != 0)
		rc = EXIT_ENV;
	return rc;
}

int
cmd_decide(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "batch", no_argument, NULL, 'b' },
		{ "explain", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy_path = NULL;
	bool batch = false, explain = false;
	struct mamori_diags diags = { 0 };
	struct mamori_policy *p = NULL;
	struct mamori_decider *d = NULL;
	struct mamori_error err;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:beh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': policy_path = optarg; break;
		case 'b': batch = true; break;
		case 'e': explain = true; break;
		case 'h': fputs(decide_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("decide: bad option\n%s", decide_usage);
		}
	}
	if (policy_path == NULL)
		return cli_usage_error("decide: name the policy with --policy FILE\n%s", decide_usage);
	if (batch ? optind != argc : optind != argc - 1)
		return cli_usage_error("decide: %s\n%s", batch ? "--batch reads standard input; give no file" :
		    "name one request file, or - for standard input", decide_usage);

	rc = mamori_policy_load(policy_path, &diags, &p);
	mamori_diags_sort(&diags);
	mamori_diags_print(&diags, stderr);
	mamori_diags_clear(&diags);
	if (rc != 0)
		return rc == MAMORI_E_INVALID ? EXIT_REFUSED : EXIT_ENV;
	if (mamori_decider_new(p, &d, &err) != 0) {
		fprintf(stderr, "mamori: decide: %s\n", err.message);
		mamori_policy_free(&p);
		return EXIT_ENV;
	}
	rc = batch ? decide_batch(d) : decide_one(d, argv[optind], explain);
	mamori_decider_free(&d);
	mamori_policy_free(&p);
	return rc;
}
