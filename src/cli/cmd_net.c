/* cmd_net.c — `mamori net render | check`: the policy's 三層分離 on the network. */
#include "cli.h"
#include "mamori/i18n.h"
#include "mamori/net.h"
#include "mamori/policy.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

enum { RULESET_MAX = 64 * 1024 * 1024 };

static const char net_usage[] =
    "usage: mamori net render [--format nft|dot|svg] POLICY\n"
    "       mamori net check POLICY [RULESET.json|-]\n";

static int
load_policy(const char *path, struct mamori_policy **p)
{
	struct mamori_diags d = { 0 };
	int rc = mamori_policy_load(path, &d, p);

	mamori_diags_sort(&d);
	mamori_diags_print(&d, stderr);
	mamori_diags_clear(&d);
	return rc == 0 ? EXIT_OK : rc == MAMORI_E_INVALID ? EXIT_REFUSED : EXIT_ENV;
}

/* Renders dot text through Graphviz's `dot -Tsvg` to standard output. */
static int
render_svg(const struct mamori_policy *p)
{
	struct mamori_error err = { 0 };
	FILE *dot;
	int rc, status;

	fflush(stdout);
	dot = popen("dot -Tsvg", "w");
	if (dot == NULL) {
		fprintf(stderr, _("mamori: net render: cannot run Graphviz 'dot': %s\n"), strerror(errno));
		return EXIT_ENV;
	}
	rc = mamori_net_render(p, MAMORI_NET_DOT, dot, &err);
	status = pclose(dot);
	if (rc != 0) {
		fprintf(stderr, "mamori: net render: %s\n", err.message);
		return cli_exit_code(rc);
	}
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, _("mamori: net render: Graphviz 'dot' failed (exit %d); is graphviz installed? "
		    "'--format dot' writes the picture's text without it\n"),
		    status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

static int
net_render(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "nft";
	struct mamori_policy *p = NULL;
	struct mamori_error err = { 0 };
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'h') {
			fputs(net_usage, stdout);
			return EXIT_OK;
		} else
			return cli_usage_error("net render: bad option\n%s", net_usage);
	}
	if (strcmp(format, "nft") != 0 && strcmp(format, "dot") != 0 && strcmp(format, "svg") != 0)
		return cli_usage_error(_("net render: --format is nft, dot or svg, not '%s'"), format);
	if (optind != argc - 1)
		return cli_usage_error(_("net render: name exactly one policy file\n%s"), net_usage);
	rc = load_policy(argv[optind], &p);
	if (rc != EXIT_OK)
		return rc;
	if (strcmp(format, "svg") == 0)
		rc = render_svg(p);
	else if (mamori_net_render(p, strcmp(format, "dot") == 0 ? MAMORI_NET_DOT : MAMORI_NET_NFT,
	    stdout, &err) != 0) {
		fprintf(stderr, "mamori: net render: %s\n", err.message);
		rc = err.code == MAMORI_E_IO ? EXIT_ENV : cli_exit_code(err.code);
	}
	mamori_policy_free(&p);
	return rc;
}

/* The running ruleset, as `nft -j list ruleset` prints it. */
static char *
running_ruleset(size_t *len)
{
	FILE *f = popen("nft -j list ruleset", "r");
	char *buf;
	int status;

	if (f == NULL)
		return NULL;
	buf = cli_read_stream(f, RULESET_MAX, len);
	status = pclose(f);
	if (buf != NULL && (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		free(buf);
		errno = ENOEXEC;
		return NULL;
	}
	return buf;
}

static int
net_check(int argc, char **argv)
{
	struct mamori_policy *p = NULL;
	struct mamori_net_drift *d = NULL;
	struct mamori_error err = { 0 };
	const char *source;
	char *json = NULL;
	size_t len = 0, n = 0;
	int rc;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(net_usage, stdout);
		return EXIT_OK;
	}
	if (argc < 2 || argc > 3)
		return cli_usage_error(_("net check: name the policy and, optionally, the ruleset\n%s"), net_usage);
	source = argc == 3 ? argv[2] : "nft -j list ruleset";
	json = argc == 3 ? cli_read_file(argv[2], RULESET_MAX, &len) : running_ruleset(&len);
	if (json == NULL) {
		fprintf(stderr, _("mamori: net check: cannot read the ruleset from %s: %s\n"), source,
		    errno == ENOEXEC ? _("nft failed (is nftables installed, and are you root?)") : strerror(errno));
		return EXIT_ENV;
	}
	rc = load_policy(argv[1], &p);
	if (rc != EXIT_OK)
		goto out;
	if (mamori_net_check(p, json, len, &d, &n, &err) != 0) {
		fprintf(stderr, "mamori: net check: %s: %s\n", source, err.message);
		rc = cli_exit_code(err.code);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (d[i].clause[0])
			printf(_("drift: %s [%s]\n"), d[i].what, d[i].clause);
		else
			printf(_("drift: %s\n"), d[i].what);
	}
	if (n > 0) {
		fprintf(stderr, _("mamori: net check: %s differs from policy %s in %zu places\n"), source,
		    p->id ? p->id : "?", n);
		rc = EXIT_REFUSED;
	} else {
		printf(_("%s: as policy %s says\n"), source, p->id ? p->id : "?");
	}
out:
	free(d);
	free(json);
	mamori_policy_free(&p);
	return rc;
}

int
cmd_net(int argc, char **argv)
{
	static const struct cli_command subs[] = {
		{ "render", net_render, "the nftables ruleset or the picture" },
		{ "check", net_check, "a loaded ruleset against the policy" },
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(net_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(argc - 1, argv + 1);
	return cli_usage_error(_("net: unknown subcommand '%s'\n%s"), argv[1], net_usage);
}
