/*
 * cmd_store.c — `mamori store copy`: a whole store into a new one, SQLite or
 * PostgreSQL either way (mamori_store_copy; docs/store.md).  mamori-full's:
 * PostgreSQL's backend is linked there only.
 */
#include "cli.h"
#include "mamori/i18n.h"
#include "mamori/store.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char store_usage[] =
    "usage: mamori store copy --from LOCATION --to LOCATION [--json]\n"
    "  Copies the whole store at --from into a new store at --to: each LOCATION is a file\n"
    "  (or sqlite:FILE) or a postgresql:// URL with files=PREFIX (docs/store.md). Every\n"
    "  table's rows are copied as one snapshot, the keys and the records' files beside them;\n"
    "  then the copy's audit trail is verified and must end where the source's does, with\n"
    "  the same signed heads. An existing destination is refused; a failed copy leaves\n"
    "  nothing behind.\n";

/* Rows of each table: live on a terminal; otherwise a line per 100,000 rows and per big table. */
static void
progress(const char *table, int64_t rows, bool done, void *data)
{
	bool tty = *(const bool *)data;

	if (tty && done)	/* the summary takes the line over */
		fprintf(stderr, "\r%60s\r", "");
	else if (tty) {
		fputc('\r', stderr);
		fprintf(stderr, _("copying %s: %lld rows"), table, (long long)rows);
	}
	else if ((!done && rows % 100000 == 0) || (done && rows >= 10000))
		fprintf(stderr, _("copy: %s: %lld rows%s\n"), table, (long long)rows, done ? _(", done") : "");
}

static void
print_json(const struct mamori_store_copy_report *r)
{
	cJSON *j = cJSON_CreateObject();
	char *txt;

	cJSON_AddNumberToObject(j, "tables", (double)r->tables);
	cJSON_AddNumberToObject(j, "rows", (double)r->rows);
	cJSON_AddNumberToObject(j, "files", (double)r->files);
	cJSON_AddNumberToObject(j, "events", (double)r->events);
	cJSON_AddNumberToObject(j, "heads", (double)r->heads);
	cJSON_AddStringToObject(j, "verified", r->verified);
	txt = cJSON_PrintUnformatted(j);
	printf("%s\n", txt ? txt : "{}");
	free(txt);
	cJSON_Delete(j);
}

static int
store_copy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mamori_store_copy_report r;
	struct mamori_error err = { 0 };
	const char *from = NULL, *to = NULL;
	bool json = false, tty = isatty(STDERR_FILENO);
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(store_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("store copy: bad option\n%s", store_usage);
		}
	}
	if (optind != argc || from == NULL || to == NULL)
		return cli_usage_error("store copy: give --from LOCATION and --to LOCATION\n%s", store_usage);
	if ((rc = mamori_store_copy(from, to, progress, &tty, &r, &err)) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);	/* the library's say "copy: …" */
		return cli_exit_code(rc);
	}
	if (json)
		print_json(&r);
	else
		printf(_("copied %zu tables (%lld rows) and %zu files: %llu events, %zu signed heads\n"
		    "verified: %s\n"), r.tables, (long long)r.rows, r.files, (unsigned long long)r.events, r.heads,
		    r.verified);
	return EXIT_OK;
}

int
cmd_store(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "copy") == 0)
		return store_copy(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(store_usage, stdout);
		return EXIT_OK;
	}
	return cli_usage_error("store: give a subcommand\n%s", store_usage);
}
