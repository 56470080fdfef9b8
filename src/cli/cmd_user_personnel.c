/*
 * cmd_user_personnel.c — `mamori user move | retire | holdings | changes`:
 * accounts through 異動・退職 (mamori/personnel.h).  What the person held is
 * printed so that it can be handed over.
 */
#include "cli.h"
#include "mamori/i18n.h"
#include "mamori/personnel.h"
#include "mamori/policy.h"
#include "mamori/store.h"

#include <cjson/cJSON.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char personnel_usage[] =
    "usage: mamori user move NAME --department D [--role R] [--json] [--db PATH]\n"
    "       mamori user retire NAME --reason TEXT [--json] [--db PATH]\n"
    "       mamori user holdings NAME [--json] [--db PATH]\n"
    "       mamori user changes FILE [--dry-run] [--encoding utf-8|cp932] [--json] [--db PATH]\n"
    "changes: a CSV of 利用者, 区分 (異動 or 退職), 課, 役割, 理由 — applied all or nothing.\n";

struct popts {
	const char *db, *department, *role, *reason, *encoding;
	bool json, dry_run;
};

static int
parse(int argc, char **argv, struct popts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "department", required_argument, NULL, 'D' },
		{ "role", required_argument, NULL, 'r' },
		{ "reason", required_argument, NULL, 'R' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((c = getopt_long(argc, argv, "d:D:r:R:e:jnh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'D': o->department = optarg; break;
		case 'r': o->role = optarg; break;
		case 'R': o->reason = optarg; break;
		case 'e': o->encoding = optarg; break;
		case 'j': o->json = true; break;
		case 'n': o->dry_run = true; break;
		case 'h': fputs(personnel_usage, stdout); return -1;
		default: return cli_usage_error("user: bad option\n%s", personnel_usage);
		}
	}
	return 0;
}

static void
print_json(const cJSON *j)
{
	char *txt = cJSON_Print(j);

	printf("%s\n", txt ? txt : "{}");
	free(txt);
}

/* What the person holds, for people: what to hand over, or that there is nothing. */
static void
print_holdings(const struct mamori_policy *p, const cJSON *h)
{
	const cJSON *assets = cJSON_GetObjectItem(h, "assets"), *records = cJSON_GetObjectItem(h, "records"), *it;
	const struct mamori_role *role = mamori_policy_find_role(p, cJSON_GetStringValue(cJSON_GetObjectItem(h, "role")));

	if (cJSON_GetArraySize(assets) == 0 && cJSON_GetArraySize(records) == 0) {
		printf(_("nothing to hand over\n"));
		return;
	}
	if (cJSON_GetArraySize(assets) > 0) {
		int others = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(h, "others"));
		printf(_("assets managed as %s of the department (%d other holders of the role there):\n"),
		    role ? role->title : cJSON_GetStringValue(cJSON_GetObjectItem(h, "role")), others);
		cJSON_ArrayForEach(it, assets) {
			printf("  %s  %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(it, "id")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(it, "name")));
		}
	}
	if (cJSON_GetArraySize(records) > 0) {
		printf(_("open records:\n"));
		cJSON_ArrayForEach(it, records) {
			const cJSON *as;
			printf("  %s  %s  %s  (", cJSON_GetStringValue(cJSON_GetObjectItem(it, "id")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(it, "kind_title")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(it, "state_title")));
			cJSON_ArrayForEach(as, cJSON_GetObjectItem(it, "as")) {
				printf("%s%s", as == cJSON_GetObjectItem(it, "as")->child ? "" : ", ", as->valuestring);
			}
			printf(")\n");
		}
	}
}

static int
changes(struct mamori_store *s, const char *path, const struct popts *o, struct mamori_error *err)
{
	struct mamori_diags d = { 0 };
	cJSON *out = NULL;
	size_t len;
	char *bytes = cli_read_file(path, 16u << 20, &len);
	int rc;

	if (bytes == NULL)
		return mamori_error_set(err, MAMORI_E_USAGE, "cannot read %s", path);
	rc = mamori_user_changes(s, cli_actor(), path, bytes, len, o->encoding, o->dry_run, &out, &d, err);
	for (size_t i = 0; i < d.count; i++)
		fprintf(stderr, "%s: %s\n", d.items[i].severity == MAMORI_SEV_ERROR ? _("error") : _("warning"),
		    d.items[i].message);
	if (rc == 0 && o->json) {
		print_json(out);
	} else if (rc == 0) {
		const cJSON *c;
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(out, "changes")) {
			const char *what = cJSON_GetStringValue(cJSON_GetObjectItem(c, "change"));
			printf("%s: %s %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(c, "user")),
			    strcmp(what, "retire") == 0 ? _("retire") : _("move to"),
			    strcmp(what, "retire") == 0 ? cJSON_GetStringValue(cJSON_GetObjectItem(c, "reason")) :
			    cJSON_GetStringValue(cJSON_GetObjectItem(c, "department")));
			print_holdings(mamori_store_policy(s), cJSON_GetObjectItem(c, "holdings"));
		}
		printf(o->dry_run ? _("dry run: %d changes checked, nothing changed\n") : _("%d changes made\n"),
		    cJSON_GetArraySize(cJSON_GetObjectItem(out, "changes")));
	}
	cJSON_Delete(out);
	mamori_diags_clear(&d);
	return rc;
}

int
cli_user_personnel(const char *sub, int argc, char **argv)
{
	struct popts o;
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	cJSON *h = NULL;
	const char *name;
	int rc;

	if ((rc = parse(argc - 1, argv + 1, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc - 2)
		return cli_usage_error("user %s: name one %s\n%s", sub, strcmp(sub, "changes") == 0 ? "file" : "user",
		    personnel_usage);
	name = argv[optind + 1];
	if (strcmp(sub, "move") == 0 && o.department == NULL)
		return cli_usage_error("user move: --department is required (the 課 the person moves to)");
	if (strcmp(sub, "retire") == 0 && o.reason == NULL)
		return cli_usage_error("user retire: --reason is required (why the person leaves)");
	if (mamori_store_open_private(cli_db_path(o.db), &s, &err) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return EXIT_ENV;
	}
	if (strcmp(sub, "move") == 0)
		rc = mamori_user_move(s, cli_actor(), name, o.department, o.role, &h, &err);
	else if (strcmp(sub, "retire") == 0)
		rc = mamori_user_retire(s, cli_actor(), name, o.reason, &h, &err);
	else if (strcmp(sub, "holdings") == 0)
		rc = mamori_user_holdings(s, name, &h, &err);
	else
		rc = changes(s, name, &o, &err);
	if (rc == 0 && h != NULL && o.json) {
		print_json(h);
	} else if (rc == 0 && h != NULL) {
		if (strcmp(sub, "retire") == 0)
			printf(_("%s: disabled, API tokens revoked\n"), name);
		else if (strcmp(sub, "move") == 0)
			printf(_("%s: moved to %s\n"), name, o.department);
		print_holdings(mamori_store_policy(s), h);
	}
	cJSON_Delete(h);
	mamori_store_close(&s);
	if (rc != 0) {
		fprintf(stderr, "mamori: user %s: %s\n", sub, err.message);
		return cli_exit_code(rc);
	}
	return EXIT_OK;
}
