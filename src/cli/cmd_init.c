/* cmd_init.c — `mamori init --policy FILE [--db PATH|URL]`. */
#include "cli.h"
#include "mamori/audit.h"
#include "mamori/location.h"
#include "mamori/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char init_usage[] = "usage: mamori init --policy FILE [--db PATH|URL]\n"
    "URL: postgresql://[user@]host[:port]/dbname?files=PREFIX[&schema=NAME] (docs/store.md)\n";

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy = NULL, *db = NULL, *keys;
	struct mamori_diags diags = { 0 };
	struct mamori_store *s = NULL;
	struct mamori_error err;
	struct mamori_head head;
	char pub[4200], line[256], shown[4096];
	FILE *f;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': policy = optarg; break;
		case 'd': db = optarg; break;
		case 'h': fputs(init_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("init: bad option\n%s", init_usage);
		}
	}
	if (policy == NULL || optind != argc)
		return cli_usage_error("init: name the policy with --policy FILE\n%s", init_usage);
	db = cli_db_path(db);
	mamori_error_clear(&err);
	rc = mamori_store_create(db, policy, cli_actor(), &diags, &s, &err);
	mamori_diags_sort(&diags);
	mamori_diags_print(&diags, stderr);
	mamori_diags_clear(&diags);
	if (rc != 0) {
		fprintf(stderr, "mamori: init: %s\n", err.message);
		return cli_exit_code(rc);
	}
	/* the keys are beside a store's file, or at a PostgreSQL store's files= prefix */
	keys = mamori_store_path(s);
	printf("created store %s with policy %s (%s)\n", mamori_location_masked(db, shown, sizeof(shown)),
	    mamori_store_policy(s)->id, mamori_store_policy(s)->title);
	if (mamori_location_is_pg(db))
		printf("its keys and files on this machine: %s.* (files= of the URL)\n", keys);
	printf("audit signing key: %s.key (mode 0600; keep it secret and backed up)\n", keys);
	printf("key sealing TOTP secrets: %s.totp-key (mode 0600; back it up with the store)\n", keys);
	snprintf(pub, sizeof(pub), "%s.pub", keys);
	f = fopen(pub, "r");
	if (f != NULL && fgets(line, sizeof(line), f) != NULL)
		printf("public key (publish it, e.g. on the 例規集 page, so auditors can verify heads):\n  %s", line);
	if (f != NULL)
		fclose(f);
	if (mamori_audit_latest_head(s, &head, &err) == 0)
		printf("first signed tree head: #%llu, size %llu%s%s\n", (unsigned long long)head.seq,
		    (unsigned long long)head.size, getenv("MAMORI_HEADS_OUT") ? ", published to " : "",
		    getenv("MAMORI_HEADS_OUT") ? getenv("MAMORI_HEADS_OUT") : "");
	mamori_store_close(&s);
	return EXIT_OK;
}
