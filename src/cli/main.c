/* main.c — the `mamori` command: dispatch to command groups. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct cli_command commands[] = {
	{ "policy", cmd_policy, "validate, show and render policy files (ポリシー)" },
	{ "decide", cmd_decide, "may this person do this with this asset? (判定)" },
	{ "serve", cmd_serve, "the HTTP API and the web UI (サーバ)" },
};

int
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mamori: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static void
usage(FILE *out)
{
	fputs("usage: mamori COMMAND [ARGS...]\n\n"
	    "mamori (守り) runs a local government's information security policy.\n\n"
	    "commands:\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'mamori COMMAND --help' describes a command; see also mamori(1).\n", out);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mamori %s\n", MAMORI_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	usage(stderr);
	return cli_usage_error("unknown command '%s'", argv[1]);
}
