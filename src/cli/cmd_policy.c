/* cmd_policy.c — `mamori policy check | show | render | schema | replace | diff | new`. */
#include "cli.h"
#include "mamori/policy.h"
#include "mamori/store.h"
#include "mamori/i18n.h"
#include "mamori/vocab.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char policy_usage[] =
    "usage: mamori policy check [--json] FILE...\n"
    "       mamori policy show [--json] FILE\n"
    "       mamori policy render [--format markdown|html] FILE\n"
    "       mamori policy schema\n"
    "       mamori policy replace FILE [--review ID] [--db PATH]   (ID: the approved 見直し, docs/review.md)\n"
    "       mamori policy diff [--json] OLD NEW | diff [--json] [--db PATH] NEW\n"
    "       mamori policy new --name 〇〇町 [--extends mic-standard] [--id ID] [--out FILE [--force]]\n";

/* Maps a load's status to the exit code. */
static int
load_exit(const char *path, int rc)
{
	if (rc == MAMORI_E_IO)
		return EXIT_ENV;
	if (rc == MAMORI_E_NOMEM) {
		fprintf(stderr, "mamori: %s: out of memory\n", path);
		return EXIT_ENV;
	}
	return rc == 0 ? EXIT_OK : EXIT_REFUSED;
}

/* Loads path, printing every diagnostic to stderr.  Returns an exit code. */
static int
load_reporting(const char *path, struct mamori_policy **out, size_t *warnings)
{
	struct mamori_diags diags = { 0 };
	int rc = mamori_policy_load(path, &diags, out);

	mamori_diags_sort(&diags);
	mamori_diags_print(&diags, stderr);
	if (warnings)
		*warnings = diags.warnings;
	mamori_diags_clear(&diags);
	return load_exit(path, rc);
}

/* One checked file as JSON (docs/cli-json.md): ok, the policy's id, its problems. */
static cJSON *
check_json(const char *path, int rc, const struct mamori_policy *p, const struct mamori_diags *d)
{
	cJSON *f = cJSON_CreateObject(), *problems = cJSON_CreateArray();

	cJSON_AddStringToObject(f, "file", path);
	cJSON_AddBoolToObject(f, "ok", rc == EXIT_OK);
	if (p != NULL)
		cJSON_AddStringToObject(f, "policy", p->id);
	else
		cJSON_AddNullToObject(f, "policy");
	for (size_t i = 0; i < d->count; i++) {
		const struct mamori_diag *g = &d->items[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "severity", g->severity == MAMORI_SEV_ERROR ? "error" : "warning");
		if (g->file)
			cJSON_AddStringToObject(j, "file", g->file);
		cJSON_AddNumberToObject(j, "line", g->line);
		cJSON_AddNumberToObject(j, "column", g->column);
		cJSON_AddStringToObject(j, "message", g->message);
		cJSON_AddItemToArray(problems, j);
	}
	cJSON_AddItemToObject(f, "problems", problems);
	return f;
}

/* policy check --json: every file's result in one object; the exit code as without. */
static int
policy_check_json(int nfiles, char **files)
{
	cJSON *top = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	int worst = EXIT_OK;
	char *txt;

	for (int i = 0; i < nfiles; i++) {
		struct mamori_diags diags = { 0 };
		struct mamori_policy *p = NULL;
		int rc = load_exit(files[i], mamori_policy_load(files[i], &diags, &p));

		mamori_diags_sort(&diags);
		cJSON_AddItemToArray(arr, check_json(files[i], rc, p, &diags));
		if (rc > worst)
			worst = rc;
		mamori_diags_clear(&diags);
		mamori_policy_free(&p);
	}
	cJSON_AddBoolToObject(top, "ok", worst == EXIT_OK);
	cJSON_AddItemToObject(top, "files", arr);
	txt = cJSON_PrintUnformatted(top);
	printf("%s\n", txt ? txt : "{}");
	free(txt);
	cJSON_Delete(top);
	return worst;
}

static int
policy_check(int argc, char **argv)
{
	int worst = EXIT_OK;
	bool json = argc > 1 && strcmp(argv[1], "--json") == 0;

	if (argc < 2 + json)
		return cli_usage_error("policy check: name at least one policy file\n%s", policy_usage);
	if (json)
		return policy_check_json(argc - 2, argv + 2);
	for (int i = 1; i < argc; i++) {
		struct mamori_policy *p = NULL;
		size_t warnings = 0;
		int rc = load_reporting(argv[i], &p, &warnings);

		if (rc == EXIT_OK)
			printf("%s: ok (%s, %zu warning%s)\n", argv[i], p->id, warnings,
			    warnings == 1 ? "" : "s");
		else
			fprintf(stderr, "%s: invalid\n", argv[i]);
		if (rc > worst)
			worst = rc;
		mamori_policy_free(&p);
	}
	return worst;
}

static void
show_text(const char *label, const char *value)
{
	if (value != NULL)
		printf("%-14s %s\n", label, value);
}

static void
show_summary(const struct mamori_policy *p)
{
	const struct mamori_organisation *o = &p->organisation;

	show_text("policy", p->id);
	show_text("title", p->title);
	show_text("version", p->version);
	if (p->nchain > 0) {
		printf("%-14s", "extends");
		for (size_t i = 0; i < p->nchain; i++)
			printf(" %s%s", p->chain[i], i + 1 < p->nchain ? " →" : "");
		putchar('\n');
	}
	show_text("note", p->note);
	printf("sha256         ");
	for (size_t i = 0; i < sizeof(p->sha256); i++)
		printf("%02x", p->sha256[i]);
	printf("\n\n組織 organisation: %s\n", o->name ? o->name : "");
	for (size_t i = 0; i < o->nbodies; i++)
		printf("  適用機関 %-18s %s%s\n", o->bodies[i].id, o->bodies[i].title,
		    o->bodies[i].excluded ? "（適用除外）" : "");
	for (size_t i = 0; i < o->ndepartments; i++)
		printf("  所管課   %-18s %s\n", o->departments[i].id, o->departments[i].title);

	printf("\n役割 roles:\n");
	for (size_t i = 0; i < p->nroles; i++) {
		const struct mamori_role *r = &p->roles[i];
		printf("  %-18s %s", r->id, r->title);
		if (r->holder)
			printf("（%s）", r->holder);
		if (r->reports_to)
			printf(" → %s", r->reports_to);
		printf("  [%s]\n", r->clause);
	}

	printf("\n分類 classification:\n");
	for (size_t i = 0; i < p->classification.naxes; i++) {
		const struct mamori_axis *a = &p->classification.axes[i];
		for (size_t j = 0; j < a->nlevels; j++) {
			const struct mamori_level *l = &a->levels[j];
			printf("  %-16s %s  [%s]\n", a->id, l->title, l->clause);
			for (size_t k = 0; k < l->nrestrictions; k++)
				printf("      取扱制限 %-26s %s\n", l->restrictions[k].id,
				    l->restrictions[k].text);
		}
	}

	printf("\nネットワーク segments:\n");
	for (size_t i = 0; i < p->nsegments; i++) {
		const struct mamori_segment *s = &p->segments[i];
		printf("  %-16s %s", s->id, s->title);
		for (size_t j = 0; j < s->nrequirements; j++)
			printf("%s%s", j ? ", " : "  requires ", s->requirements[j].id);
		putchar('\n');
	}
	printf("  flows (default deny; only these are allowed):\n");
	for (size_t i = 0; i < p->nflows; i++) {
		const struct mamori_flow *f = &p->flows[i];
		printf("    %s → %s via %s, 無害化 %s  [%s]\n", f->from, f->to, f->channel,
		    f->sanitization, f->clause);
	}
	if (p->nflows == 0)
		printf("    (none)\n");

	printf("\n脅威 threats:\n");
	for (size_t i = 0; i < p->nthreats; i++)
		printf("  %-16s %s %s\n", p->threats[i].id,
		    p->threats[i].number ? p->threats[i].number : "",
		    p->threats[i].title ? p->threats[i].title : "");
	printf("\n対策 measures:\n");
	for (size_t i = 0; i < p->nmeasures; i++)
		printf("  %-16s %s %s\n", p->measures[i].id,
		    p->measures[i].number ? p->measures[i].number : "", p->measures[i].title);
	printf("\n資産の種別 asset kinds:");
	for (size_t i = 0; i < p->nasset_kinds; i++)
		printf(" %s(%s)", p->asset_kinds[i].id, p->asset_kinds[i].title);
	printf("\n");
}

static int
policy_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	struct mamori_policy *p = NULL;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h') {
			fputs(policy_usage, stdout);
			return EXIT_OK;
		} else
			return cli_usage_error("policy show: bad option\n%s", policy_usage);
	}
	if (optind != argc - 1)
		return cli_usage_error("policy show: name exactly one policy file\n%s", policy_usage);
	rc = load_reporting(argv[optind], &p, NULL);
	if (rc != EXIT_OK)
		return rc;
	if (json) {
		char *s = mamori_policy_to_json(p, true);
		if (s == NULL)
			rc = EXIT_ENV;
		else
			printf("%s\n", s);
		free(s);
	} else {
		show_summary(p);
	}
	mamori_policy_free(&p);
	return rc;
}

static int
policy_render(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum mamori_render_format fmt = MAMORI_RENDER_MARKDOWN;
	struct mamori_policy *p = NULL;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		if (c == 'f') {
			if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
				fmt = MAMORI_RENDER_MARKDOWN;
			else if (strcmp(optarg, "html") == 0)
				fmt = MAMORI_RENDER_HTML;
			else
				return cli_usage_error("policy render: --format is markdown or html, not '%s'", optarg);
		} else if (c == 'h') {
			fputs(policy_usage, stdout);
			return EXIT_OK;
		} else {
			return cli_usage_error("policy render: bad option\n%s", policy_usage);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("policy render: name exactly one policy file\n%s", policy_usage);
	rc = load_reporting(argv[optind], &p, NULL);
	if (rc != EXIT_OK)
		return rc;
	if (mamori_policy_render(p, fmt, stdout) != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "mamori: policy render: cannot write the rendering of %s to standard "
		    "output: %s; check the disk or the pipe it goes to\n", argv[optind], strerror(errno));
		rc = EXIT_ENV;
	}
	mamori_policy_free(&p);
	return rc;
}

static int
policy_schema(int argc, char **argv)
{
	char *s;

	(void)argv;
	if (argc != 1)
		return cli_usage_error("policy schema takes no arguments\n%s", policy_usage);
	s = mamori_policy_json_schema();
	if (s == NULL)
		return EXIT_ENV;
	printf("%s\n", s);
	free(s);
	return EXIT_OK;
}

/* One change as a line: + added, - removed, ~ changed (before → after), with its clause. */
static void
print_change(const cJSON *c)
{
	const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(c, "op"));
	const char *clause = cJSON_GetStringValue(cJSON_GetObjectItem(c, "clause"));
	const cJSON *before = cJSON_GetObjectItem(c, "before"), *after = cJSON_GetObjectItem(c, "after");
	char *b = before ? cJSON_PrintUnformatted(before) : NULL, *a = after ? cJSON_PrintUnformatted(after) : NULL;
	bool whole = (before && cJSON_IsObject(before)) || (after && cJSON_IsObject(after));

	printf("%s %s", strcmp(op, "added") == 0 ? "+" : strcmp(op, "removed") == 0 ? "-" : "~",
	    cJSON_GetStringValue(cJSON_GetObjectItem(c, "where")));
	if (strcmp(op, "changed") == 0)
		printf(": %s → %s", b ? b : "", a ? a : "");
	else if (!whole)
		printf(": %s", b ? b : a ? a : "");
	if (clause != NULL)
		printf("  （%s）", clause);
	putchar('\n');
	free(a);
	free(b);
}

/* The store's policy at db, loaded into *out (the caller frees it).  Returns an exit code. */
static int
store_policy_copy(const char *db, struct mamori_policy **out)
{
	struct mamori_error err = { 0 };
	struct mamori_diags diags = { 0 };
	struct mamori_store *s = NULL;
	char *json = NULL;
	int rc;

	if (mamori_store_open(cli_db_path(db), &s, &err) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return EXIT_ENV;
	}
	json = mamori_policy_to_json(mamori_store_policy(s), false);
	rc = json ? mamori_policy_load_buffer(cli_db_path(db), json, strlen(json), &diags, out) : MAMORI_E_NOMEM;
	mamori_diags_print(&diags, stderr);
	mamori_diags_clear(&diags);
	free(json);
	mamori_store_close(&s);
	return load_exit(cli_db_path(db), rc);
}

/* What NEW changes from OLD (or from the store's policy): for a 見直し. Exits 1 when they differ, as diff(1). */
static int
policy_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mamori_policy *old = NULL, *new = NULL;
	const char *db = NULL;
	bool json = false;
	cJSON *changes = NULL, *c;
	int opt, rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "d:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(policy_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("policy diff: bad option\n%s", policy_usage);
		}
	}
	if (argc - optind != 2 && argc - optind != 1)
		return cli_usage_error("policy diff: name the old and the new policy file, or only the new one "
		    "to compare with the store's\n%s", policy_usage);
	if (argc - optind == 2 && db != NULL)
		return cli_usage_error("policy diff: --db compares the store's policy with one file; name only the new one\n%s",
		    policy_usage);
	rc = argc - optind == 2 ? load_reporting(argv[optind], &old, NULL) : store_policy_copy(db, &old);
	if (rc == EXIT_OK)
		rc = load_reporting(argv[argc - 1], &new, NULL);
	if (rc == EXIT_OK && (changes = mamori_policy_diff(old, new)) == NULL) {
		fprintf(stderr, "mamori: policy diff: out of memory\n");
		rc = EXIT_ENV;
	}
	if (changes != NULL && json) {
		char *s = cJSON_PrintUnformatted(changes);
		printf("%s\n", s ? s : "[]");
		free(s);
	} else {
		cJSON_ArrayForEach(c, changes)
			print_change(c);
	}
	if (changes != NULL)
		rc = cJSON_GetArraySize(changes) > 0 ? EXIT_REFUSED : EXIT_OK;
	cJSON_Delete(changes);
	mamori_policy_free(&old);
	mamori_policy_free(&new);
	return rc;
}

/* Replaces the store's policy: what PUT /api/policy does, from the command line. */
static int
policy_replace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "review", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mamori_diags diags = { 0 }, conflicts = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_store *s = NULL;
	const char *db = NULL, *review = NULL;
	char *buf;
	size_t len = 0;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "d:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'r': review = optarg; break;
		case 'h': fputs(policy_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("policy replace: bad option\n%s", policy_usage);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("policy replace: name exactly one policy file\n%s", policy_usage);
	if ((buf = cli_read_file(argv[optind], (size_t)16 << 20, &len)) == NULL) {
		fprintf(stderr, "mamori: policy replace: cannot read %s (or it is over 16 MiB)\n", argv[optind]);
		return EXIT_ENV;
	}
	if ((rc = mamori_store_open_private(cli_db_path(db), &s, &err)) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		free(buf);
		return EXIT_ENV;
	}
	rc = mamori_store_policy_replace_review(s, cli_actor(), argv[optind], buf, len, review, &diags, &conflicts,
	    &err);
	mamori_diags_print(&diags, stderr);
	for (size_t i = 0; i < conflicts.count; i++)
		fprintf(stderr, "mamori: error: %s\n", conflicts.items[i].message);
	if (rc == 0)
		printf("policy %s (%s) is now the store's policy\n", mamori_store_policy(s)->id,
		    mamori_store_policy(s)->version ? mamori_store_policy(s)->version : "no version");
	else
		fprintf(stderr, "mamori: policy replace: %s; the store's policy stays %s\n", err.message,
		    mamori_store_policy(s)->id);
	mamori_diags_clear(&diags);
	mamori_diags_clear(&conflicts);
	mamori_store_close(&s);
	free(buf);
	return rc == 0 ? EXIT_OK : rc == MAMORI_E_IO && diags.count == 0 ? EXIT_ENV : cli_exit_code(rc);
}

/* A YAML double-quoted scalar of s (names are the user's: quotes, colons, #). */
static void
yaml_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The organisation's kind from the end of its name: 町 town, 市 city, 村 village, 議会 council … */
static const char *
kind_of(const char *name)
{
	static const struct { const char *suffix, *kind; } k[] = {
		{ "議会", "council" }, { "委員会", "committee" }, { "町", "town" }, { "市", "city" },
		{ "村", "village" }, { "県", "prefecture" }, { "府", "prefecture" }, { "都", "prefecture" },
		{ "道", "prefecture" }, { "区", "city" },
	};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		size_t m = strlen(k[i].suffix);
		if (n >= m && strcmp(name + n - m, k[i].suffix) == 0)
			return k[i].kind;
	}
	return "other";
}

/*
 * The starter file: the parent named, the organisation's name, kind and zone,
 * and its bodies as the parent's (one to edit); the parent's 課 listed in a
 * comment (inherited), with the line a town writes to add its own.  parent
 * is NULL for the first draft, whose organisation is the parent's.
 */
static void
starter_text(FILE *f, const char *id, const char *name, const char *extends, const struct mamori_policy *parent)
{
	char today[16], title[512];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	fprintf(f, "# %s の情報セキュリティポリシー (mamori policy format: docs/policy-format.md)\n"
	    "# %s を基に、団体の名前・範囲・課を加えたもの。mamori policy check で確かめてください。\n",
	    name, extends);
	snprintf(title, sizeof(title), "%s情報セキュリティポリシー", name);
	fprintf(f, "mamori-policy: 1\nid: %s\ntitle: ", id);
	yaml_str(f, title);
	fputs("\n", f);
	fprintf(f, "version: \"%s 作成\"\nextends: %s\n", today, extends);
	if (parent == NULL)
		return;
	fputs("organisation:\n  name: ", f);
	yaml_str(f, name);
	fprintf(f, "\n  kind: %s\n  timezone: %s\n  clause: ", kind_of(name), mamori_policy_timezone(parent));
	yaml_str(f, parent->organisation.clause ? parent->organisation.clause : "基本方針 4(1)");
	fputs("\n  # 適用範囲: the bodies the policy covers (edit to match the 団体)\n  bodies:\n", f);
	for (size_t i = 0; i < parent->organisation.nbodies; i++) {
		const struct mamori_body *b = &parent->organisation.bodies[i];
		fprintf(f, "    - { id: %s, title: ", b->id);
		yaml_str(f, b->title);
		fputs(", clause: ", f);
		yaml_str(f, b->clause ? b->clause : "基本方針 4(1)");
		fputs(b->excluded ? ", excluded: true }\n" : " }\n", f);
	}
	fputs("  # 課: the parent's are inherited (by id; a 課 of a body above):\n", f);
	for (size_t i = 0; i < parent->organisation.ndepartments; i++)
		fprintf(f, "  #   %s (%s)\n", parent->organisation.departments[i].title, parent->organisation.departments[i].id);
	fputs("  # add the 団体's own, or rename one by its id:\n"
	    "  departments: []\n"
	    "  #  - { id: kikaku, title: 企画課, body: internal, aliases: [企画] }\n", f);
}

/* Loads the text in buf as the file path would be (extends resolved beside it). */
static int
load_text(const char *path, const char *buf, size_t len, struct mamori_diags *d, struct mamori_policy **p)
{
	return mamori_policy_load_buffer(path, buf, len, d, p);
}

static int
policy_new(int argc, char **argv)
{
	const char *name = NULL, *extends = "mic-standard", *id = "local", *out = NULL;
	struct mamori_policy *parent = NULL, *check = NULL;
	struct mamori_diags d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	bool force = false;
	FILE *f;
	int rc = EXIT_OK, fd;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = true;
		else if (i + 1 < argc && strcmp(argv[i], "--name") == 0)
			name = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--extends") == 0)
			extends = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--id") == 0)
			id = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--out") == 0)
			out = argv[++i];
		else
			return cli_usage_error("policy new: unexpected '%s'\n%s", argv[i], policy_usage);
	}
	if (name == NULL || name[0] == '\0')
		return cli_usage_error("policy new: give the 団体's name: --name 〇〇町\n%s", policy_usage);
	if (strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(id) || id[0] == '\0')
		return cli_usage_error("policy new: --id '%s': lowercase letters, digits and '-' (e.g. sample-town)", id);
	/* the first draft inherits the parent's organisation: its bodies and 課 are read from it */
	if ((f = open_memstream(&buf, &len)) == NULL)
		return EXIT_ENV;
	starter_text(f, id, name, extends, NULL);
	fclose(f);
	rc = load_text(out ? out : "./new.yaml", buf, len, &d, &parent);
	free(buf);
	buf = NULL;
	if (rc != 0) {
		mamori_diags_print(&d, stderr);
		fprintf(stderr, "mamori: policy new: cannot read the policy '%s' extends\n", extends);
		rc = load_exit(extends, rc);
		goto out;
	}
	if ((f = open_memstream(&buf, &len)) == NULL) {
		rc = EXIT_ENV;
		goto out;
	}
	starter_text(f, id, name, extends, parent);
	fclose(f);
	mamori_diags_clear(&d);
	if ((rc = load_text(out ? out : "./new.yaml", buf, len, &d, &check)) != 0) {
		mamori_diags_print(&d, stderr);
		fprintf(stderr, "mamori: policy new: the starter file does not check (a bug: please report it)\n");
		rc = EXIT_REFUSED;
		goto out;
	}
	if (out == NULL) {
		fwrite(buf, 1, len, stdout);
	} else if ((fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, errno == EEXIST ? _("mamori: policy new: %s exists already; give --force to replace it\n") :
		    _("mamori: policy new: cannot write %s\n"), out);
		rc = errno == EEXIST ? EXIT_REFUSED : EXIT_ENV;
	} else {
		fwrite(buf, 1, len, f);
		if (fclose(f) != 0) {
			(void)unlink(out);
			fprintf(stderr, _("mamori: policy new: cannot write %s\n"), out);
			rc = EXIT_ENV;
		} else {
			fprintf(stderr, _("%s: a starter policy for %s on %s; it checks (mamori policy check %s)\n"),
			    out, name, extends, out);
		}
	}
out:
	mamori_diags_clear(&d);
	mamori_policy_free(&parent);
	mamori_policy_free(&check);
	free(buf);
	return rc;
}

int
cmd_policy(int argc, char **argv)
{
	static const struct cli_command subs[] = {
		{ "check", policy_check, "validate policy files" },
		{ "show", policy_show, "the resolved policy" },
		{ "render", policy_render, "the policy document" },
		{ "schema", policy_schema, "the JSON Schema of the format" },
		{ "replace", policy_replace, "replace the store's policy (checked against its assets and accounts)" },
		{ "new", policy_new, "a starter policy for an organisation on mic-standard" },
		{ "diff", policy_diff, "what a new policy changes (見直し)" },
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(policy_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(argc - 1, argv + 1);
	return cli_usage_error("policy: unknown subcommand '%s'\n%s", argv[1], policy_usage);
}
