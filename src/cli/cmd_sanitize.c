/*
 * cmd_sanitize.c — `mamori sanitize mail [--quarantine DIR] [--policy FILE] < in > out`
 * and `mamori sanitize file [--dpi N] [--json] [--max-… N] IN OUT`.
 */
#include "cli.h"
#include "mamori/policy.h"
#include "mamori/sanitize.h"
#include "mamori/sanitize_file.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static const char sanitize_usage[] =
    "usage: mamori sanitize mail [--quarantine DIR] [--policy FILE] < in.eml > out.eml\n"
    "       mamori sanitize file [--dpi N] [--json] [--max-input BYTES] [--max-pages N]\n"
    "                            [--max-pixels N] [--max-entries N] [--max-total BYTES]\n"
    "                            [--max-ratio N] [--max-xml-depth N] [--max-seconds N] IN OUT\n";

/* The numeric options of `sanitize file`: name, where the value goes, bounds. */
struct file_numopt {
	const char *name;
	size_t offset;		/* into struct mamori_file_opts */
	int is64;
	uint64_t min, max;
};

static const struct file_numopt file_numopts[] = {
	{ "dpi", offsetof(struct mamori_file_opts, dpi), 0, 36, 600 },
	{ "max-input", offsetof(struct mamori_file_opts, limits.max_input), 1, 1, UINT64_C(1) << 34 },
	{ "max-pages", offsetof(struct mamori_file_opts, limits.max_pages), 0, 1, 100000 },
	{ "max-pixels", offsetof(struct mamori_file_opts, limits.max_pixels), 1, 1, UINT64_C(1) << 32 },
	{ "max-entries", offsetof(struct mamori_file_opts, limits.max_entries), 0, 1, 1000000 },
	{ "max-total", offsetof(struct mamori_file_opts, limits.max_total), 1, 1, UINT64_C(1) << 36 },
	{ "max-ratio", offsetof(struct mamori_file_opts, limits.max_ratio), 0, 1, 100000 },
	{ "max-xml-depth", offsetof(struct mamori_file_opts, limits.max_xml_depth), 0, 2, 256 },
};

/*
 * What the end of the CPU time says, on standard error and (with --json) as
 * the report on standard output: written before the limit is set, because a
 * signal handler may only write and exit.  File-level for that handler.
 */
static char cpu_said[512], cpu_json[768];
static size_t cpu_said_len, cpu_json_len;

static void
on_cpu_limit(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, cpu_json, cpu_json_len) < 0 || write(STDERR_FILENO, cpu_said, cpu_said_len) < 0) {
		/* nowhere left to say it */
	}
	_exit(EXIT_REFUSED);
}

/*
 * Bounds the CPU time of the run (RLIMIT_CPU; an operator's lower limit
 * stays).  Past it the kernel sends SIGXCPU and the run ends, refused: the
 * output is an unnamed file until it is complete, so nothing of it is left.
 * A PDF page that a hostile file makes costly to render cannot be stopped
 * from within poppler, so the process is what is bounded.
 */
static int
limit_cpu(unsigned long seconds, const char *in, bool json)
{
	struct mamori_file_report none = { .type = "unknown" };
	struct mamori_error err = { 0 };
	struct sigaction sa = { .sa_handler = on_cpu_limit };
	struct rlimit rl;
	char *s;

	mamori_error_set(&err, MAMORI_E_INVALID, "limit hit: more than %lu s of CPU time (--max-seconds)", seconds);
	cpu_said_len = (size_t)snprintf(cpu_said, sizeof(cpu_said), "mamori: sanitize file: %s: %s; nothing was "
	    "written\n", in, err.message);
	cpu_said_len = cpu_said_len < sizeof(cpu_said) ? cpu_said_len : sizeof(cpu_said) - 1;
	if (json && (s = mamori_file_report_json(&none, MAMORI_E_INVALID, &err)) != NULL) {
		cpu_json_len = (size_t)snprintf(cpu_json, sizeof(cpu_json), "%s\n", s);
		cpu_json_len = cpu_json_len < sizeof(cpu_json) ? cpu_json_len : sizeof(cpu_json) - 1;
		free(s);
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGXCPU, &sa, NULL) != 0 || getrlimit(RLIMIT_CPU, &rl) != 0)
		return -1;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > seconds)
		rl.rlim_cur = seconds;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_CPU, &rl);
}

static void
print_report(const struct mamori_file_report *r, const char *in, const char *out)
{
	printf("%s: %s → %s (%s, %" PRIu64 " → %" PRIu64 " bytes)\n", in, r->type, r->output_type, out,
	    r->in_size, r->out_size);
	if (r->detail[0])
		printf("  %s\n", r->detail);
	if (r->nremoved == 0)
		printf("  nothing removed (削除したものはありません)\n");
	else
		printf("  removed (削除したもの): %zu\n", r->nremoved);
	for (size_t i = 0; i < r->nremoved; i++) {
		printf("  %zu. %s  [%s", i + 1, r->removed[i].name, r->removed[i].what);
		if (r->removed[i].size > 0)
			printf(", %" PRIu64 " bytes", r->removed[i].size);
		printf("]\n");
	}
}

static int
cmd_sanitize_file(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dpi", required_argument, NULL, 0 },
		{ "max-input", required_argument, NULL, 0 },
		{ "max-pages", required_argument, NULL, 0 },
		{ "max-pixels", required_argument, NULL, 0 },
		{ "max-entries", required_argument, NULL, 0 },
		{ "max-total", required_argument, NULL, 0 },
		{ "max-ratio", required_argument, NULL, 0 },
		{ "max-xml-depth", required_argument, NULL, 0 },
		{ "max-seconds", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mamori_file_opts fo = { 0 };
	struct mamori_file_report rep = { 0 };
	struct mamori_error err = { 0 };
	unsigned long max_seconds = 120;
	int c, idx, rc, json = 0;
	char *end;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, &idx)) != -1) {
		switch (c) {
		case 0: {
			const struct file_numopt *no = NULL;
			char *end;
			for (size_t i = 0; i < sizeof(file_numopts) / sizeof(file_numopts[0]); i++)
				if (strcmp(file_numopts[i].name, opts[idx].name) == 0)
					no = &file_numopts[i];
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (no == NULL || errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' ||
			    v < no->min || v > no->max)
				return cli_usage_error("sanitize file: --%s wants a number from %" PRIu64 " to %" PRIu64 ", not '%s'\n",
				    opts[idx].name, no ? no->min : 0, no ? no->max : 0, optarg);
			if (no->is64)
				*(uint64_t *)((char *)&fo + no->offset) = v;
			else
				*(int *)((char *)&fo + no->offset) = (int)v;
			break;
		}
		case 's':
			errno = 0;
			max_seconds = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' || max_seconds < 1 ||
			    max_seconds > 86400)
				return cli_usage_error("sanitize file: --max-seconds wants a number from 1 to 86400, "
				    "not '%s'\n", optarg);
			break;
		case 'j': json = 1; break;
		case 'h': fputs(sanitize_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("sanitize file: bad option\n%s", sanitize_usage);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("sanitize file: needs IN and OUT\n%s", sanitize_usage);
	const char *in = argv[optind], *out = argv[optind + 1];
	if (limit_cpu(max_seconds, in, json) != 0)
		fprintf(stderr, "mamori: warning: cannot limit the CPU time: %s\n", strerror(errno));
	rc = mamori_sanitize_file(in, out, &fo, &rep, &err);
	if (json) {
		char *s = mamori_file_report_json(&rep, rc, &err);
		if (s != NULL)
			puts(s);
		free(s);
	}
	if (rc != 0) {
		fprintf(stderr, "mamori: sanitize file: %s: %s\n", in, err.message);
		if (rep.unsupported)
			fprintf(stderr, "mamori: sanitize file: %s was not passed on (type: %s); nothing was written\n", in, rep.type);
		int code = rep.unsupported ? EXIT_UNSUPPORTED : cli_exit_code(rc);
		mamori_file_report_free(&rep);
		return code;
	}
	if (!json)
		print_report(&rep, in, out);
	if (rep.notice[0])
		fprintf(stderr, "mamori: notice: %s\n", rep.notice);
	/* Office refuses a file whose extension and macro content disagree */
	const char *dot = strrchr(out, '.');
	if (rep.output_type && strcmp(rep.output_type, rep.type) != 0 && strlen(rep.output_type) == 4 &&
	    dot != NULL && strcmp(dot + 1, rep.output_type) != 0)
		fprintf(stderr, "mamori: warning: %s ends in %s but holds a %s: rename it to .%s\n", out, dot,
		    rep.output_type, rep.output_type);
	mamori_file_report_free(&rep);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ENV;
}

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

	if (argc >= 2 && strcmp(argv[1], "file") == 0)
		return cmd_sanitize_file(argc - 1, argv + 1);
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
