/* main.c — the `mamori` command: dispatch to command groups. */
#include "cli.h"

#include <errno.h>
#include <locale.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mamori/config.h"
#include "mamori/error.h"
#include "mamori/i18n.h"
#include "mamori/location.h"

/*
 * The commands that need the mail, PDF and HTTP stacks (GMime and GLib,
 * poppler and cairo, libmicrohttpd with GnuTLS, libmilter: some seventy
 * shared libraries, every one bound at load) are built into `mamori-full`
 * only, installed beside `mamori`, which runs it for them.  Loading those
 * libraries took 30 of the 38 ms every command spent starting (1,100 page
 * faults), whatever it did — `mamori asset show` as much as `mamori serve`.
 * The table lists them with no function: cli_full (full.c) has them in
 * mamori-full, and mamori runs mamori-full for them.
 *
 * PostgreSQL's client (libpq, with OpenSSL, GSSAPI and LDAP: 2 ms more of
 * every start) is mamori-full's too: mamori runs mamori-full for any command
 * when the store it would use is a postgresql:// URL (store_on_pg).
 */

static const struct cli_command commands[] = {
	{ "policy", cmd_policy, N_("validate, show and render policy files (ポリシー)") },
	{ "decide", cmd_decide, N_("may this person do this with this asset? (判定)") },
	{ "init", cmd_init, N_("create a store with a policy (初期化)") },
	{ "asset", cmd_asset, N_("the information asset register (情報資産管理台帳)") },
	{ "log", cmd_log, N_("the tamper-evident audit trail (監査証跡)") },
	{ "user", cmd_user, N_("accounts, passwords and TOTP (利用者)") },
	{ "record", cmd_record, N_("records and workflows of the policy: 事故報告, 持ち出し, 例外措置") },
	{ "net", cmd_net, N_("三層分離 on the network: nftables rules and a picture from the policy") },
	{ "training", cmd_training, N_("教育・研修: who has taken each course, who is overdue, reminders") },
	{ "incident", cmd_incident, N_("report an incident (情報セキュリティインシデント報告)") },
	{ "check", cmd_check, N_("self-checks, audits, risks and the policy review (自己点検・監査・見直し)") },
	{ "sanitize", NULL, N_("無害化: mail to plain text; file disarm (PDF, images, OOXML, text)") },
	{ "quarantine", NULL, N_("隔離された原本: list, show, request and release (二人制)") },
	{ "milter", NULL, N_("無害化 at the mail gateway: a milter for Postfix") },
	{ "serve", NULL, N_("the HTTP API and the web UI (サーバ)") },
	{ "config", cmd_config, N_("the configuration file: the effective settings and where each came from") },
	{ "backup", cmd_backup, N_("a backup of the store, its keys and files, with a manifest") },
	{ "restore", cmd_restore, N_("a store restored from a backup, verified") },
	{ "store", NULL, N_("a whole store copied between SQLite and PostgreSQL, verified") },
	{ "report", NULL, N_("reports as PDF or XLSX: 情報資産管理台帳, 自己点検結果報告書, 監査報告書, リスク評価表") },
};

int
cli_run_full(char **argv)
{
	char self[4096], path[4200];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return cli_usage_error("cannot find this program's directory to run mamori-full: %s",
		    strerror(errno));
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/mamori-full", self);
	argv[0] = path;
	execv(path, argv);
	fprintf(stderr, "mamori: '%s' is run by %s, which cannot be started: %s (install mamori-full "
	    "beside mamori)\n", argv[1], path, strerror(errno));
	return EXIT_ENV;
}

char *
cli_read_stream(FILE *f, size_t max, size_t *len)
{
	struct stat sb;
	size_t cap = 1 << 16, n = 0, r;
	char *b, *nb;

	/* a regular file is read into a buffer of its size at once */
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size >= 0)
		cap = (size_t)sb.st_size + 1;	/* + 1: the read that finds the end */
	if (cap > max + 1)
		cap = max + 1;
	if ((b = malloc(cap + 1)) == NULL)
		return NULL;
	while ((r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n > max) {
			free(b);
			errno = EFBIG;
			return NULL;
		}
		if (n == cap) {
			if ((nb = realloc(b, 2 * cap + 1)) == NULL) {
				free(b);
				return NULL;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(b);
		errno = EIO;
		return NULL;
	}
	b[n] = '\0';
	*len = n;
	return b;
}

char *
cli_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *b;
	int e;

	if (f == NULL)
		return NULL;
	b = cli_read_stream(f, max, len);
	e = errno;
	if (f != stdin)
		fclose(f);
	errno = e;
	return b;
}

const char *
cli_db_path(const char *option)
{
	const char *conf;

	if (option != NULL)
		return option;
	conf = mamori_config_get(cli_config(), "store");	/* $MAMORI_DB overrides the file there */
	return conf != NULL ? conf : "./mamori.db";
}

const char *
cli_actor(void)
{
	static char actor[160];
	const char *env = getenv("MAMORI_ACTOR");
	const struct passwd *pw;

	if (env != NULL && *env)
		return env;
	if (actor[0] == '\0') {
		pw = getpwuid(getuid());
		snprintf(actor, sizeof(actor), "cli:%s", pw ? pw->pw_name : "unknown");
	}
	return actor;
}

int
cli_exit_code(int status)
{
	switch (status) {
	case MAMORI_OK:
		return EXIT_OK;
	case MAMORI_E_INVALID:
	case MAMORI_E_DENIED:
	case MAMORI_E_TAMPERED:
	case MAMORI_E_CONFLICT:
	case MAMORI_E_NOTFOUND:
		return EXIT_REFUSED;
	case MAMORI_E_USAGE:
		return EXIT_USAGE;
	default:
		return EXIT_ENV;
	}
}

int
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mamori: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);	/* every caller's text is a msgid (xgettext keyword) */
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* Whether this program is the one in the build tree (its messages are in the
 * build tree's po/ until it is installed). */
static bool
running_uninstalled(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t root = strlen(MAMORI_BUILD_ROOT);

	if (n <= 0)
		return false;
	self[n] = '\0';
	return strncmp(self, MAMORI_BUILD_ROOT, root) == 0 && self[root] == '/' &&
	    strchr(self + root + 1, '/') == NULL;
}

/* A group only mamori-full has: run here when this is mamori-full, else run it. */
static int
run_full(int argc, char **argv)
{
	for (size_t i = 0; i < cli_full.ncommands; i++)
		if (strcmp(argv[1], cli_full.commands[i].name) == 0)
			return cli_full.commands[i].run(argc - 1, argv + 1);
	return cli_run_full(argv);
}

/*
 * Whether the command in argv would use a store on PostgreSQL: its --db, else
 * $MAMORI_DB, else the configuration's `store` (cli_db_path's order), when it
 * is a postgresql:// URL.  String checks only, and the configuration file that
 * the command reads anyway.  An argument that merely looks like such a store
 * (a URL anywhere, -dURL) counts too: mamori-full runs every command as mamori
 * does, so a wrong guess costs its start (some 30 ms), never another result.
 */
static bool
store_on_pg(int argc, char **argv)
{
	const char *a, *db;
	bool given = false;

	for (int i = 2; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (mamori_location_is_pg(a) || (strncmp(a, "--db=", 5) == 0 && mamori_location_is_pg(a + 5)) ||
		    (strncmp(a, "-d", 2) == 0 && mamori_location_is_pg(a + 2)))
			return true;
		given = given || strcmp(a, "--db") == 0 || strncmp(a, "--db=", 5) == 0;
	}
	if (given)	/* a store that is not a URL */
		return false;
	if ((db = getenv("MAMORI_DB")) != NULL && *db)
		return mamori_location_is_pg(db);
	return mamori_location_is_pg(cli_config_peek("store"));
}

static void
usage(FILE *out)
{
	fputs(_("usage: mamori COMMAND [ARGS...]\n\n"
	    "mamori (守り) runs a local government's information security policy.\n\n"
	    "commands:\n"), out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
	fputs(_("\n'mamori COMMAND --help' describes a command; see also mamori(1).\n"), out);
}

int
main(int argc, char **argv)
{
	/* display widths of Japanese text need a UTF-8 character type */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");
	mamori_i18n_init(running_uninstalled() ? MAMORI_LOCALEDIR_BUILD : MAMORI_LOCALEDIR);
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (!cli_full.pg && store_on_pg(argc, argv))
			return cli_run_full(argv);
		return commands[i].run ? commands[i].run(argc - 1, argv + 1) : run_full(argc, argv);
	}
	usage(stderr);
	return cli_usage_error("unknown command '%s'", argv[1]);
}
