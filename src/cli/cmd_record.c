/* cmd_record.c — `mamori record …` and `mamori incident report`: the policy's records and workflows. */
#include "cli.h"
#include "mamori/date.h"
#include "mamori/i18n.h"
#include "mamori/record.h"
#include "mamori/record_file.h"
#include "mamori/tz.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char record_usage[] =
    "usage: mamori record kinds [--json] [--db PATH]\n"
    "       mamori record new KIND --by USER [--set FIELD=VALUE …] [--json=FILE] [--json] [--now TIME]\n"
    "       mamori record show ID [--by USER] [--json] [--db PATH]\n"
    "       mamori record list [KIND] [--state STATE|open] [--reporter USER] [--by USER] [--limit N]\n"
    "                          [--before N] [--json]\n"
    "       mamori record move ID STATE --by USER [--note TEXT] [--set FIELD=VALUE …] [--now TIME]\n"
    "       mamori record move --batch FILE --by USER [--now TIME]   (a line each: ID STATE [NOTE])\n"
    "       mamori record comment ID --by USER --note TEXT\n"
    "       mamori record attach ID FILE --by USER [--name NAME] [--type TYPE] [--field FIELD]\n"
    "       mamori record files ID [--by USER] [--json]\n"
    "       mamori record file ID NUM --out PATH|- [--by USER]\n"
    "       mamori record file-limit [BYTES]     (show or set record.file_max_bytes)\n"
    "       mamori record tick [--now TIME] [--json]\n"
    "       mamori record notices [--for USER] [--json]\n"
    "       mamori record send [--now TIME] [--json]       (notices by mail, now)\n"
    "       mamori record mail [--relay URL] [--from ADDRESS] [--url URL] [--json]\n"
    "       mamori record export KIND [--format csv|xlsx] [--encoding utf-8|cp932] [--out FILE [--force]]\n"
    "                            [--state STATE|open] [--reporter USER] [--by USER]\n"
    "       mamori record import KIND FILE --by USER [--dry-run] [--encoding utf-8|cp932] [--sheet NAME]\n"
    "                            [--now TIME]\n"
    "       mamori incident report --by USER --set summary=TEXT …   (record new incident)\n"
    "KIND, STATE and FIELD take ids or the policy's Japanese titles.  --json=FILE reads the\n"
    "fields from a JSON object; --now sets the clock (a date, a local time or RFC 3339) for\n"
    "tests and replays.  attach keeps a copy of FILE (at most record.file_max_bytes, 20 MiB\n"
    "unless configured) beside the store under its SHA-256 (--field: into a file field of the\n"
    "kind, which a state may require); file writes file NUM back after\n"
    "checking it.  docs/records.md.\n";

enum { SET_MAX = 64 };

struct r_opts {
	const char *db, *by, *note, *state, *reporter, *fields_file, *now_text, *recipient;
	const char *name, *type, *out, *field;
	const char *format, *encoding, *sheet, *batch;
	bool dry_run, force;
	const char *set[SET_MAX];
	size_t nset;
	bool json;
	long limit, before;
	time_t now;
	int argc;		/* the command's own, from "record" on: for mamori-full (send, tick, import) */
	char **argv;
};

static int
parse(int argc, char **argv, struct r_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "by", required_argument, NULL, 'b' },
		{ "note", required_argument, NULL, 'n' },
		{ "set", required_argument, NULL, 's' },
		{ "state", required_argument, NULL, 'S' },
		{ "reporter", required_argument, NULL, 'r' },
		{ "limit", required_argument, NULL, 'l' },
		{ "before", required_argument, NULL, 'B' },
		{ "now", required_argument, NULL, 'N' },
		{ "for", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'a' },
		{ "type", required_argument, NULL, 't' },
		{ "field", required_argument, NULL, 'L' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", optional_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'F' },
		{ "encoding", required_argument, NULL, 'E' },
		{ "sheet", required_argument, NULL, 'T' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "force", no_argument, NULL, 'R' },
		{ "batch", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((c = getopt_long(argc, argv, "d:b:n:s:S:r:l:B:N:f:a:t:o:jhF:E:T:DRM:L:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'b': o->by = optarg; break;
		case 'n': o->note = optarg; break;
		case 'S': o->state = optarg; break;
		case 'r': o->reporter = optarg; break;
		case 'l': o->limit = strtol(optarg, NULL, 10); break;
		case 'B': o->before = strtol(optarg, NULL, 10); break;
		case 'N': o->now_text = optarg; break;
		case 'f': o->recipient = optarg; break;
		case 'a': o->name = optarg; break;
		case 't': o->type = optarg; break;
		case 'L': o->field = optarg; break;
		case 'o': o->out = optarg; break;
		case 'F': o->format = optarg; break;
		case 'E': o->encoding = optarg; break;
		case 'T': o->sheet = optarg; break;
		case 'D': o->dry_run = true; break;
		case 'R': o->force = true; break;
		case 'M': o->batch = optarg; break;
		case 'j':
			if (optarg != NULL)
				o->fields_file = optarg;
			else
				o->json = true;
			break;
		case 's':
			if (o->nset == SET_MAX || strchr(optarg, '=') == NULL)
				return cli_usage_error("record: --set FIELD=VALUE (at most %d)", SET_MAX);
			o->set[o->nset++] = optarg;
			break;
		case 'h': fputs(record_usage, stdout); return -1;
		default: return cli_usage_error("record: bad option\n%s", record_usage);
		}
	}
	if (o->limit < 0 || o->limit > 1000)
		return cli_usage_error("record: --limit is 1 to 1000");
	return 0;
}

static int
open_store(const struct r_opts *o, struct mamori_store **s)
{
	struct mamori_error err = { 0 };

	if (mamori_store_open_private(cli_db_path(o->db), s, &err) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

/* --now, read in the policy's zone; the real clock when not given. */
static int
set_clock(struct r_opts *o, const struct mamori_policy *p)
{
	struct mamori_tz tz = { 0 };
	bool ok;

	o->now = time(NULL);
	if (o->now_text == NULL)
		return EXIT_OK;
	(void)mamori_tz_load(&tz, mamori_policy_timezone(p), NULL);
	ok = mamori_time_bound(o->now_text, &tz, false, &o->now);
	mamori_tz_free(&tz);
	return ok ? EXIT_OK : cli_usage_error("record: --now '%s' is not a time: write 2026-12-05, "
	    "2026-12-05 09:30 or RFC 3339", o->now_text);
}

/* The fields of --json=FILE and every --set, as one JSON object (the caller deletes). */
static cJSON *
gather_fields(const struct r_opts *o)
{
	cJSON *fields = NULL;

	if (o->fields_file != NULL) {
		size_t len;
		char *text = cli_read_file(o->fields_file, 1 << 20, &len);
		if (text == NULL) {
			fprintf(stderr, "mamori: record: cannot read %s\n", o->fields_file);
			return NULL;
		}
		fields = cJSON_ParseWithLength(text, len);
		free(text);
		if (!cJSON_IsObject(fields)) {
			fprintf(stderr, "mamori: record: %s: not a JSON object of fields ({\"summary\": \"…\"})\n",
			    o->fields_file);
			cJSON_Delete(fields);
			return NULL;
		}
	} else {
		fields = cJSON_CreateObject();
	}
	for (size_t i = 0; fields != NULL && i < o->nset; i++) {
		const char *eq = strchr(o->set[i], '=');
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)(eq - o->set[i]), o->set[i]);
		cJSON_DeleteItemFromObjectCaseSensitive(fields, name);
		cJSON_AddStringToObject(fields, name, eq + 1);
	}
	return fields;
}

static void
print_problems(const char *what, const struct mamori_diags *problems, const struct mamori_error *err)
{
	fprintf(stderr, "mamori: record %s: %s\n", what, err->message);
	for (size_t i = 0; i < problems->count; i++)
		fprintf(stderr, "  %s\n", problems->items[i].message);
}

/* A UTC time of the store as the organisation reads it: 2026-12-05 19:40:00 JST. */
static const char *
local_time(const struct mamori_tz *tz, const char *utc, char *buf, size_t n)
{
	return utc && mamori_tz_format(tz, utc, buf, n) ? buf : (utc ? utc : "-");
}

/* One stored value as people read it: titles for what the policy names, local times. */
static const char *
value_words(const struct mamori_policy *p, const struct mamori_record_field *f, const char *v,
    const struct mamori_tz *tz, char *buf, size_t n)
{
	if (f == NULL)
		return v;
	if (strcmp(f->type, "datetime") == 0)
		return local_time(tz, v, buf, n);
	if (strcmp(f->type, "department") == 0) {
		const struct mamori_department *d = mamori_policy_find_department(p, v);
		return d ? d->title : v;
	}
	if (strcmp(f->type, "role") == 0) {
		const struct mamori_role *r = mamori_policy_find_role(p, v);
		return r ? r->title : v;
	}
	if (strcmp(f->type, "segment") == 0) {
		const struct mamori_segment *g = mamori_policy_find_segment(p, v);
		return g ? g->title : v;
	}
	for (size_t i = 0; strcmp(f->type, "threat") == 0 && i < p->nthreats; i++)
		if (strcmp(p->threats[i].id, v) == 0 && p->threats[i].title)
			return p->threats[i].title;
	for (size_t i = 0; i < f->nchoices; i++)
		if (strcmp(f->choices[i].id, v) == 0)
			return f->choices[i].title;
	return v;
}

static void
print_value(const struct mamori_policy *p, const struct mamori_record_field *f, const cJSON *v,
    const struct mamori_tz *tz)
{
	const cJSON *it;
	char buf[64];

	if (cJSON_IsString(v))
		fputs(value_words(p, f, v->valuestring, tz, buf, sizeof(buf)), stdout);
	else if (cJSON_IsNumber(v))
		printf("%.0f", v->valuedouble);
	cJSON_ArrayForEach(it, (cJSON_IsArray(v) ? v : NULL))
		printf("%s%s", it == v->child ? "" : "、",
		    cJSON_GetStringValue(it) ? value_words(p, f, it->valuestring, tz, buf, sizeof(buf)) : "");
}

static void
print_record(const struct mamori_policy *p, const cJSON *rec)
{
	const struct mamori_record_kind *k = mamori_record_kind_find(p, cJSON_GetStringValue(cJSON_GetObjectItem(rec, "kind")));
	const cJSON *fields = cJSON_GetObjectItem(rec, "fields"), *h, *m;
	struct mamori_tz tz = { 0 };
	char a[64], b[64];

	(void)mamori_tz_load(&tz, mamori_policy_timezone(p), NULL);
	printf("%s  %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(rec, "id")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(rec, "kind_title")));
	printf("  状態 state: %s (%s) since %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state_title")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state")),
	    local_time(&tz, cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state_since")), a, sizeof(a)));
	if (cJSON_GetStringValue(cJSON_GetObjectItem(rec, "deadline")))
		printf("  期限 deadline: %s\n", local_time(&tz, cJSON_GetStringValue(cJSON_GetObjectItem(rec, "deadline")), b, sizeof(b)));
	printf("  報告者 reporter: %s", cJSON_GetStringValue(cJSON_GetObjectItem(rec, "reporter")));
	if (cJSON_GetStringValue(cJSON_GetObjectItem(rec, "department"))) {
		const struct mamori_department *d = mamori_policy_find_department(p,
		    cJSON_GetStringValue(cJSON_GetObjectItem(rec, "department")));
		printf(" (%s)", d ? d->title : cJSON_GetStringValue(cJSON_GetObjectItem(rec, "department")));
	}
	putchar('\n');
	for (size_t i = 0; k != NULL && i < k->nfields; i++) {
		const cJSON *v = cJSON_GetObjectItem(fields, k->fields[i].id);
		if (v == NULL)
			continue;
		printf("  %s: ", k->fields[i].title ? k->fields[i].title : k->fields[i].id);
		print_value(p, &k->fields[i], v, &tz);
		putchar('\n');
	}
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(rec, "files"))
		printf("  ファイル file %.0f: %s (%s, %.0f bytes) %s %s\n", cJSON_GetNumberValue(cJSON_GetObjectItem(h, "num")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(h, "name")), cJSON_GetStringValue(cJSON_GetObjectItem(h, "type")),
		    cJSON_GetNumberValue(cJSON_GetObjectItem(h, "size")), cJSON_GetStringValue(cJSON_GetObjectItem(h, "by")),
		    local_time(&tz, cJSON_GetStringValue(cJSON_GetObjectItem(h, "created")), a, sizeof(a)));
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(rec, "history")) {
		const char *to = cJSON_GetStringValue(cJSON_GetObjectItem(h, "to"));
		const struct mamori_record_state *st = NULL;
		for (size_t i = 0; k != NULL && to != NULL && i < k->nstates; i++)
			if (strcmp(k->states[i].id, to) == 0)
				st = &k->states[i];
		printf("  #%.0f %s %s %s", cJSON_GetNumberValue(cJSON_GetObjectItem(h, "seq")),
		    local_time(&tz, cJSON_GetStringValue(cJSON_GetObjectItem(h, "time")), a, sizeof(a)),
		    cJSON_GetStringValue(cJSON_GetObjectItem(h, "by")) ? cJSON_GetStringValue(cJSON_GetObjectItem(h, "by")) :
		    cJSON_GetStringValue(cJSON_GetObjectItem(h, "actor")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(h, "action")));
		if (st)
			printf(" → %s", st->title);
		if (cJSON_GetStringValue(cJSON_GetObjectItem(h, "role")))
			printf(" → %s", cJSON_GetStringValue(cJSON_GetObjectItem(h, "role")));
		if (cJSON_GetStringValue(cJSON_GetObjectItem(h, "note")))
			printf(": %s", cJSON_GetStringValue(cJSON_GetObjectItem(h, "note")));
		if (cJSON_GetStringValue(cJSON_GetObjectItem(h, "sha256")))
			printf(": %s (file %.0f)", cJSON_GetStringValue(cJSON_GetObjectItem(h, "name")),
			    cJSON_GetNumberValue(cJSON_GetObjectItem(h, "file")));
		putchar('\n');
	}
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(rec, "moves"))
		printf("  できること: %s → %s (mamori record move %s %s)\n",
		    cJSON_GetStringValue(cJSON_GetObjectItem(m, "title")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(m, "to_title")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(rec, "id")), cJSON_GetStringValue(cJSON_GetObjectItem(m, "to")));
	mamori_tz_free(&tz);
}

static int
print_json(cJSON *j)
{
	char *text = cJSON_Print(j);

	if (text == NULL)
		return EXIT_ENV;
	puts(text);
	free(text);
	return EXIT_OK;
}

/* ---- commands ---- */

static int
r_kinds(const struct r_opts *o, struct mamori_store *s)
{
	const struct mamori_policy *p = mamori_store_policy(s);
	cJSON *list = cJSON_CreateArray();
	int rc = EXIT_OK;

	for (size_t i = 0; i < p->nrecords; i++) {
		const struct mamori_record_kind *k = &p->records[i];
		cJSON *j = cJSON_CreateObject(), *states = cJSON_AddArrayToObject(j, "states");
		cJSON_AddStringToObject(j, "id", k->id);
		cJSON_AddStringToObject(j, "title", k->title);
		for (size_t n = 0; n < k->nstates; n++)
			cJSON_AddItemToArray(states, cJSON_CreateString(k->states[n].id));
		cJSON_AddItemToArray(list, j);
		if (o->json)
			continue;
		printf("%s  %s  (%s)\n  ", k->id, k->title, k->clause);
		for (size_t n = 0; n < k->nstates; n++)
			printf("%s%s", n ? " / " : "", k->states[n].title);
		printf("\n  fields:");
		for (size_t n = 0; n < k->nfields; n++)
			printf(" %s%s", k->fields[n].id, k->fields[n].required ? "*" : "");
		putchar('\n');
	}
	if (o->json)
		rc = print_json(list);
	cJSON_Delete(list);
	return rc;
}

static int
r_new(const struct r_opts *o, struct mamori_store *s, const char *kind)
{
	struct mamori_diags problems = { 0 };
	struct mamori_error err = { 0 };
	char id[MAMORI_RECORD_ID_MAX];
	cJSON *fields = gather_fields(o), *rec = NULL;
	int rc;

	if (o->by == NULL)
		return cli_usage_error("record new: --by USER: the account that reports or requests");
	if (fields == NULL)
		return EXIT_REFUSED;
	rc = mamori_record_create(s, cli_actor(), o->by, kind, fields, o->now, id, &problems, &err);
	cJSON_Delete(fields);
	if (rc != 0) {
		print_problems("new", &problems, &err);
		mamori_diags_clear(&problems);
		return cli_exit_code(rc);
	}
	if (o->json && mamori_record_get(s, id, false, NULL, &rec, &err) == 0) {
		cJSON *out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "id", id);
		cJSON_AddStringToObject(out, "state", cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state")));
		print_json(out);
		cJSON_Delete(out);
	} else {
		puts(id);
	}
	cJSON_Delete(rec);
	return EXIT_OK;
}

static int
r_show(const struct r_opts *o, struct mamori_store *s, const char *id)
{
	struct mamori_error err = { 0 };
	cJSON *rec = NULL;
	int rc = mamori_record_get(s, id, true, o->by, &rec, &err);

	if (rc != 0) {
		fprintf(stderr, "mamori: record show: %s\n", err.message);
		return cli_exit_code(rc);
	}
	if (o->by != NULL && !mamori_record_may_see(s, o->by, rec)) {
		cJSON_Delete(rec);
		fprintf(stderr, "mamori: record show: %s may not see %s\n", o->by, id);
		return EXIT_REFUSED;
	}
	if (o->json)
		rc = print_json(rec);
	else
		print_record(mamori_store_policy(s), rec);
	cJSON_Delete(rec);
	return rc;
}

static int
r_list(const struct r_opts *o, struct mamori_store *s, const char *kind)
{
	struct mamori_record_filter f = { .kind = kind, .state = o->state, .reporter = o->reporter,
	    .visible_to = o->by, .before = o->before, .limit = (size_t)o->limit };
	struct mamori_error err = { 0 };
	cJSON *out = NULL, *rec;
	int rc = mamori_record_list(s, &f, &out, &err);

	if (rc != 0) {
		fprintf(stderr, "mamori: record list: %s\n", err.message);
		return cli_exit_code(rc);
	}
	if (o->json) {
		rc = print_json(out);
	} else {
		struct mamori_tz tz = { 0 };
		char t[64];
		(void)mamori_tz_load(&tz, mamori_policy_timezone(mamori_store_policy(s)), NULL);
		cJSON_ArrayForEach(rec, cJSON_GetObjectItem(out, "records")) {
			const cJSON *fields = cJSON_GetObjectItem(rec, "fields"), *first = fields ? fields->child : NULL;
			printf("%-12s %-10s %-24s %-10s ", cJSON_GetStringValue(cJSON_GetObjectItem(rec, "id")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state_title")),
			    local_time(&tz, cJSON_GetStringValue(cJSON_GetObjectItem(rec, "created")), t, sizeof(t)),
			    cJSON_GetStringValue(cJSON_GetObjectItem(rec, "reporter")));
			print_value(mamori_store_policy(s), NULL, first, &tz);
			putchar('\n');
		}
		if (cJSON_IsNumber(cJSON_GetObjectItem(out, "next")))
			printf("(more: --before %.0f)\n", cJSON_GetNumberValue(cJSON_GetObjectItem(out, "next")));
		mamori_tz_free(&tz);
	}
	cJSON_Delete(out);
	return rc;
}

static int
r_move(const struct r_opts *o, struct mamori_store *s, const char *id, const char *to)
{
	struct mamori_diags problems = { 0 };
	struct mamori_error err = { 0 };
	cJSON *set = o->nset > 0 || o->fields_file ? gather_fields(o) : NULL;
	int rc;

	if (o->by == NULL)
		return cli_usage_error("record move: --by USER: the account that takes the step");
	if ((o->nset > 0 || o->fields_file) && set == NULL)
		return EXIT_REFUSED;
	rc = mamori_record_move(s, cli_actor(), o->by, id, to, o->note, set, o->now, &problems, &err);
	cJSON_Delete(set);
	if (rc != 0) {
		print_problems("move", &problems, &err);
		mamori_diags_clear(&problems);
		return cli_exit_code(rc);
	}
	printf("%s → %s\n", id, to);
	return EXIT_OK;
}

/*
 * The steps of a batch file, one a line: ID, STATE and an optional note,
 * separated by spaces or tabs; blank lines and lines starting with # skipped.
 * The steps point into text, which the caller frees; lines[i] is step i's line.
 */
static struct mamori_record_step *
batch_steps(char *text, size_t *n, int **lines)
{
	struct mamori_record_step *steps = NULL;
	size_t cap = 0;
	int line = 0;

	*n = 0;
	*lines = NULL;
	for (char *p = text, *nl; p != NULL && *p; p = nl) {
		char *id, *to, *note;
		line++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		p[strcspn(p, "\r")] = '\0';
		id = p + strspn(p, " \t");
		if (*id == '\0' || *id == '#')
			continue;
		to = id + strcspn(id, " \t");
		if (*to)
			*to++ = '\0';
		to += strspn(to, " \t");
		note = to + strcspn(to, " \t");
		if (*note)
			*note++ = '\0';
		note += strspn(note, " \t");
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct mamori_record_step *ns = realloc(steps, nc * sizeof(*ns));
			int *nlines = realloc(*lines, nc * sizeof(**lines));
			if (ns != NULL)
				steps = ns;
			if (nlines != NULL)
				*lines = nlines;
			if (ns == NULL || nlines == NULL) {
				free(steps);
				free(*lines);
				*lines = NULL;
				return NULL;
			}
			cap = nc;
		}
		steps[*n] = (struct mamori_record_step){ id, *to ? to : NULL, *note ? note : NULL };
		(*lines)[(*n)++] = line;
	}
	return steps != NULL ? steps : calloc(1, sizeof(*steps));
}

static int
r_move_batch(const struct r_opts *o, struct mamori_store *s)
{
	struct mamori_diags problems = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_record_step *steps;
	size_t len, n, failed = 0;
	int *lines = NULL, rc;
	char *text;

	if (o->by == NULL)
		return cli_usage_error("record move --batch: --by USER: the account that takes the steps");
	if ((text = cli_read_file(o->batch, (size_t)1 << 30, &len)) == NULL) {
		fprintf(stderr, "mamori: record move: cannot read %s: %s\n", o->batch, strerror(errno));
		return EXIT_ENV;
	}
	text[len] = '\0';
	if ((steps = batch_steps(text, &n, &lines)) == NULL) {
		free(text);
		return cli_usage_error("out of memory");
	}
	rc = mamori_record_move_many(s, cli_actor(), o->by, steps, n, o->now, &problems, &failed, &err);
	if (rc != 0) {
		fprintf(stderr, "mamori: record move: %s:%d: %s: %s; no step was taken\n", o->batch,
		    n ? lines[failed] : 0, n ? steps[failed].id : "", err.message);
		for (size_t i = 0; i < problems.count; i++)
			fprintf(stderr, "  %s\n", problems.items[i].message);
	} else {
		printf(P_("%zu step taken\n", "%zu steps taken\n", n), n);
	}
	mamori_diags_clear(&problems);
	free(steps);
	free(lines);
	free(text);
	return cli_exit_code(rc);
}

static int
r_comment(const struct r_opts *o, struct mamori_store *s, const char *id)
{
	struct mamori_error err = { 0 };
	int rc;

	if (o->by == NULL || o->note == NULL)
		return cli_usage_error("record comment: --by USER and --note TEXT are required");
	if ((rc = mamori_record_comment(s, cli_actor(), o->by, id, o->note, &err)) != 0) {
		fprintf(stderr, "mamori: record comment: %s\n", err.message);
		return cli_exit_code(rc);
	}
	return EXIT_OK;
}

/* The record id as --by USER may see it (any record without --by), or an exit code. */
static int
visible_record(const struct r_opts *o, struct mamori_store *s, const char *what, const char *id)
{
	struct mamori_error err = { 0 };
	cJSON *rec = NULL;
	int rc = mamori_record_get(s, id, false, NULL, &rec, &err);

	if (rc != 0) {
		fprintf(stderr, "mamori: record %s: %s\n", what, err.message);
		return cli_exit_code(rc);
	}
	rc = o->by == NULL || mamori_record_may_see(s, o->by, rec) ? EXIT_OK : EXIT_REFUSED;
	if (rc != EXIT_OK)
		fprintf(stderr, "mamori: record %s: %s may not see %s\n", what, o->by, id);
	cJSON_Delete(rec);
	return rc;
}

static int
r_attach(const struct r_opts *o, struct mamori_store *s, const char *id, const char *path)
{
	struct mamori_record_file f;
	struct mamori_error err = { 0 };
	int64_t max = mamori_record_file_max(s);
	size_t len;
	char *data;
	int rc;

	if (o->by == NULL)
		return cli_usage_error("record attach: --by USER: the account that adds the file");
	/* one byte more than the limit: a file larger than it is refused by the library, by name */
	if ((data = cli_read_file(path, (size_t)max + 1, &len)) == NULL) {
		if (errno == EFBIG)
			fprintf(stderr, "mamori: record attach: %s is larger than the limit of %lld bytes "
			    "(record.file_max_bytes)\n", path, (long long)max);
		else
			fprintf(stderr, "mamori: record attach: cannot read %s: %s\n", path, strerror(errno));
		return errno == EFBIG ? EXIT_REFUSED : EXIT_ENV;
	}
	rc = mamori_record_attach_field(s, cli_actor(), o->by, id, o->field, o->name ? o->name : path, o->type, data,
	    len, &f, &err);
	free(data);
	if (rc != 0) {
		fprintf(stderr, "mamori: record attach: %s\n", err.message);
		return cli_exit_code(rc);
	}
	if (o->json)
		printf("{\"num\": %lld, \"sha256\": \"%s\", \"size\": %lld}\n", (long long)f.num, f.sha256,
		    (long long)f.size);
	else
		printf("%s file %lld: %s (%s, %lld bytes, SHA-256 %s)\n", id, (long long)f.num, f.name, f.type,
		    (long long)f.size, f.sha256);
	return EXIT_OK;
}

static int
r_files(const struct r_opts *o, struct mamori_store *s, const char *id)
{
	struct mamori_error err = { 0 };
	cJSON *list = NULL, *f;
	int rc;

	if ((rc = visible_record(o, s, "files", id)) != EXIT_OK)
		return rc;
	if ((rc = mamori_record_files(s, id, &list, &err)) != 0) {
		fprintf(stderr, "mamori: record files: %s\n", err.message);
		return cli_exit_code(rc);
	}
	if (o->json) {
		rc = print_json(list);
	} else {
		struct mamori_tz tz = { 0 };
		char t[64];
		(void)mamori_tz_load(&tz, mamori_policy_timezone(mamori_store_policy(s)), NULL);
		cJSON_ArrayForEach(f, list)
			printf("%-6.0f %10.0f  %-24s %-10s %s  (%s)\n", cJSON_GetNumberValue(cJSON_GetObjectItem(f, "num")),
			    cJSON_GetNumberValue(cJSON_GetObjectItem(f, "size")),
			    local_time(&tz, cJSON_GetStringValue(cJSON_GetObjectItem(f, "created")), t, sizeof(t)),
			    cJSON_GetStringValue(cJSON_GetObjectItem(f, "by")), cJSON_GetStringValue(cJSON_GetObjectItem(f, "name")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(f, "type")));
		mamori_tz_free(&tz);
	}
	cJSON_Delete(list);
	return rc;
}

/* Writes len bytes of data to path ("-": standard output). */
static int
write_out(const char *path, const char *data, size_t len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	bool ok = f != NULL && fwrite(data, 1, len, f) == len;

	if (f != NULL && f != stdout)
		ok = fclose(f) == 0 && ok;
	else if (f == stdout)
		ok = fflush(stdout) == 0 && ok;
	if (!ok)
		fprintf(stderr, "mamori: record file: cannot write %s: %s\n", path, strerror(errno));
	return ok ? EXIT_OK : EXIT_ENV;
}

static int
r_file(const struct r_opts *o, struct mamori_store *s, const char *id, const char *num)
{
	struct mamori_record_file meta;
	struct mamori_error err = { 0 };
	char *data = NULL, *end;
	long long n = strtoll(num, &end, 10);
	size_t len;
	int rc;

	if (o->out == NULL)
		return cli_usage_error("record file: --out PATH (or - for standard output)");
	if (*end != '\0' || n < 1)
		return cli_usage_error("record file: NUM is the file's number (mamori record files %s)", id);
	if ((rc = visible_record(o, s, "file", id)) != EXIT_OK)
		return rc;
	if ((rc = mamori_record_file_read(s, id, n, &meta, &data, &len, &err)) != 0) {
		fprintf(stderr, "mamori: record file: %s\n", err.message);
		return cli_exit_code(rc);
	}
	rc = write_out(o->out, data, len);
	free(data);
	return rc;
}

/* `record file-limit [BYTES]`: the size limit of a file, shown or set (a change with its config.set event). */
static int
r_file_limit(struct mamori_store *s, const char *bytes)
{
	struct mamori_error err = { 0 };
	char *end;
	long long n;
	int rc;

	if (bytes != NULL) {
		n = strtoll(bytes, &end, 10);
		if (*end != '\0' || end == bytes || n < 1 || n > INT32_MAX)
			return cli_usage_error("record file-limit: BYTES is a whole number from 1 to %d", INT32_MAX);
		if ((rc = mamori_store_config_set(s, cli_actor(), "record.file_max_bytes", bytes, &err)) != 0) {
			fprintf(stderr, "mamori: record file-limit: %s\n", err.message);
			return cli_exit_code(rc);
		}
	}
	printf("record.file_max_bytes = %lld\n", (long long)mamori_record_file_max(s));
	return EXIT_OK;
}

static int
r_tick(const struct r_opts *o, struct mamori_store *s)
{
	struct mamori_record_tick t;
	struct mamori_error err = { 0 };
	int rc = mamori_record_tick(s, cli_actor(), o->now, &t, &err);

	if (rc != 0) {
		fprintf(stderr, "mamori: record tick: %s\n", err.message);
		return cli_exit_code(rc);
	}
	if (o->json) {
		/* then the notices due go out by mail, when it is set up ("mail") */
		cJSON *j = cJSON_CreateObject();
		const cJSON *m;
		rc = cli_mail_send(s, "tick", o->now, false, j);
		m = cJSON_GetObjectItem(j, "mail");
		printf("{\"escalated\": %zu, \"automatic\": %zu, \"notices\": %zu", t.escalated, t.automatic, t.notices);
		if (t.inactive > 0)
			printf(", \"inactive_accounts\": %zu", t.inactive);
		if (m != NULL)
			printf(", \"mail\": {\"sent\": %d, \"failed\": %d, \"waiting\": %d}",
			    cJSON_GetObjectItem(m, "sent")->valueint, cJSON_GetObjectItem(m, "failed")->valueint,
			    cJSON_GetObjectItem(m, "waiting")->valueint);
		puts("}");
		cJSON_Delete(j);
		return rc;
	}
	printf("escalated %zu, automatic steps %zu, notices %zu", t.escalated, t.automatic, t.notices);
	if (t.inactive > 0)
		printf(_(", disabled accounts told of %zu"), t.inactive);
	putchar('\n');
	return cli_mail_send(s, "tick", o->now, false, NULL);
}

/* Runs the command in mamori-full: it sends mail (cli_full.mail) and reads workbooks (main.c says why mamori does neither). */
static int
run_full_record(const struct r_opts *o)
{
	char **full = calloc((size_t)o->argc + 2, sizeof(*full));
	int rc;

	if (full == NULL)
		return cli_usage_error("out of memory");
	memcpy(full + 1, o->argv, (size_t)o->argc * sizeof(*full));
	rc = cli_run_full(full);
	free(full);
	return rc;
}

static int
r_notices(const struct r_opts *o, struct mamori_store *s)
{
	struct mamori_error err = { 0 };
	cJSON *list = NULL, *n;
	int rc = mamori_record_notices(s, o->recipient, (size_t)o->limit, &list, &err);

	if (rc != 0) {
		fprintf(stderr, "mamori: record notices: %s\n", err.message);
		return cli_exit_code(rc);
	}
	if (o->json)
		rc = print_json(list);
	else
		cJSON_ArrayForEach(n, list) {
			const char *sent = cJSON_GetStringValue(cJSON_GetObjectItem(n, "sent"));
			const char *error = cJSON_GetStringValue(cJSON_GetObjectItem(n, "error"));
			int attempts = cJSON_GetObjectItem(n, "attempts")->valueint;
			printf("%s  %s  %s  %s", cJSON_GetStringValue(cJSON_GetObjectItem(n, "created")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(n, "recipient")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(n, "record")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(n, "reason")));
			/* by mail: sent when, or the attempts and the last error */
			if (sent != NULL)
				printf(_("  mailed %s"), sent);
			else if (attempts > 0 || error != NULL)
				printf(_("  not mailed (%d attempts: %s; next %s)"), attempts, error ? error : "-",
				    cJSON_GetStringValue(cJSON_GetObjectItem(n, "next_attempt")) ?
				    cJSON_GetStringValue(cJSON_GetObjectItem(n, "next_attempt")) : "-");
			putchar('\n');
		}
	cJSON_Delete(list);
	return rc;
}

/* Sends the notices that are due by mail, now. */
static int
r_send(const struct r_opts *o, struct mamori_store *s)
{
	cJSON *j = o->json ? cJSON_CreateObject() : NULL;
	int rc = cli_mail_send(s, "send", o->now, true, j);

	if (j != NULL && rc == EXIT_OK)
		rc = print_json(cJSON_GetObjectItem(j, "mail"));
	cJSON_Delete(j);
	return rc;
}

/* Progress on standard error, only when a person watches it (a terminal). */
static void
progress(size_t done, size_t total)
{
	fprintf(stderr, "\r%zu / %zu records", done, total);
	if (done == total)
		fputc('\n', stderr);
}

static int
r_export(const struct r_opts *o, struct mamori_store *s, const char *kind)
{
	struct mamori_record_filter f = { .kind = kind, .state = o->state, .reporter = o->reporter,
	    .visible_to = o->by };
	struct mamori_error err = { 0 };
	bool xlsx = o->format != NULL && strcmp(o->format, "xlsx") == 0;
	FILE *out = stdout;
	int rc, fd = -1;

	if (o->format != NULL && !xlsx && strcmp(o->format, "csv") != 0)
		return cli_usage_error("record export: --format csv or --format xlsx");
	if (xlsx && o->out == NULL)
		return cli_usage_error("record export --format xlsx needs --out FILE.xlsx");
	if (xlsx && o->encoding != NULL)
		return cli_usage_error("record export: --encoding is for --format csv");
	if (o->out && (fd = cli_export_file(o->out, o->force)) < 0 && errno == EEXIST) {
		rc = mamori_error_set(&err, MAMORI_E_CONFLICT, "%s exists already; give --force to replace it", o->out);
	} else if (o->out && fd < 0) {
		rc = mamori_error_set(&err, MAMORI_E_IO, "cannot write %s: %s", o->out, strerror(errno));
	} else if (xlsx) {
		close(fd);	/* the writer opens it again by name; the file keeps its mode */
		rc = mamori_record_export_xlsx(s, &f, o->out, &err);
	} else {
		if (o->out && (out = fdopen(fd, "wb")) == NULL) {
			close(fd);
			rc = mamori_error_set(&err, MAMORI_E_IO, "cannot write %s", o->out);
		} else {
			rc = mamori_record_export_csv(s, &f, o->encoding, out, &err);
		}
		if (out != stdout && out != NULL && fclose(out) != 0 && rc == 0)
			rc = mamori_error_set(&err, MAMORI_E_IO, "cannot write %s", o->out);
	}
	/* nothing half-written: a file this export made goes when it failed */
	if (rc != 0 && fd >= 0)
		(void)unlink(o->out);
	if (rc != 0)
		fprintf(stderr, "mamori: record export: %s\n", err.message);
	return cli_exit_code(rc);
}

/* The file's content for the import: a workbook's sheet as CSV text (mamori-full), else its bytes. */
static char *
import_bytes(const struct r_opts *o, const char *path, size_t *len, struct mamori_error *err)
{
	char msg[512], *bytes;

	if (cli_is_workbook(path)) {
		if (o->encoding != NULL) {
			mamori_error_set(err, MAMORI_E_USAGE, "%s is an Excel workbook: --encoding is for CSV files",
			    path);
			return NULL;
		}
		if ((bytes = cli_full.workbook_csv(path, o->sheet, len, msg, sizeof(msg))) == NULL)
			mamori_error_set(err, MAMORI_E_INVALID, "%s", msg);
		return bytes;
	}
	if (o->sheet != NULL) {
		mamori_error_set(err, MAMORI_E_USAGE, "%s is not an XLSX workbook: --sheet is for workbooks", path);
		return NULL;
	}
	if ((bytes = cli_read_file(path, (size_t)1 << 30, len)) == NULL)
		mamori_error_set(err, MAMORI_E_IO, "cannot read %s: %s", path, strerror(errno));
	return bytes;
}

static int
r_import(const struct r_opts *o, struct mamori_store *s, const char *kind, const char *path)
{
	struct mamori_record_import_opts io = { .encoding = o->encoding, .dry_run = o->dry_run,
	    .progress = isatty(STDERR_FILENO) ? progress : NULL, .now = o->now };
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	size_t len, count = 0;
	char *bytes;
	int rc;

	if (o->by == NULL)
		return cli_usage_error("record import: --by USER: the account that reports the records");
	if ((bytes = import_bytes(o, path, &len, &err)) == NULL) {
		fprintf(stderr, "mamori: record import: %s\n", err.message);
		return cli_exit_code(err.code);
	}
	if (cli_is_workbook(path))
		io.encoding = "utf-8";	/* the reader's CSV */
	rc = mamori_record_import(s, cli_actor(), o->by, kind, name, bytes, len, &io, &d, &count, &err);
	for (size_t i = 0; i < d.count; i++)
		fprintf(stderr, "%s: %s\n", d.items[i].severity == MAMORI_SEV_ERROR ? _("error") : _("warning"),
		    d.items[i].message);
	if (rc != 0)
		fprintf(stderr, "mamori: record import: %s\n", err.message);
	else
		printf(o->dry_run ? P_("%s: %zu record would be imported (dry run; nothing written)\n",
		    "%s: %zu records would be imported (dry run; nothing written)\n", count) :
		    P_("%s: %zu record imported\n", "%s: %zu records imported\n", count), path, count);
	mamori_diags_clear(&d);
	return cli_exit_code(rc);
}

/* Runs subcommand sub with its positional arguments args[0 … nargs-1]. */
static int
dispatch(struct r_opts *o, const char *sub, char **args, int nargs)
{
	struct mamori_store *s = NULL;
	int rc;
	static const struct { const char *name; int nargs; } subs[] = {
		{ "kinds", 0 }, { "new", 1 }, { "show", 1 }, { "list", -1 }, { "move", 2 }, { "comment", 1 },
		{ "tick", 0 }, { "notices", 0 }, { "attach", 2 }, { "files", 1 }, { "file", 2 },
		{ "file-limit", -1 }, { "send", 0 }, { "export", 1 }, { "import", 2 },
	};
	size_t i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]) && strcmp(subs[i].name, sub) != 0; i++)
		;
	if (i == sizeof(subs) / sizeof(subs[0]))
		return cli_usage_error("record: unknown command '%s'\n%s", sub, record_usage);
	if (i == 4 && o->batch != NULL && nargs == 0)
		;	/* record move --batch FILE */
	else if ((subs[i].nargs >= 0 && nargs != subs[i].nargs) || (subs[i].nargs < 0 && nargs > 1))
		return cli_usage_error("record %s: wrong number of arguments\n%s", sub, record_usage);
	if (strcmp(sub, "import") == 0 && cli_full.workbook_csv == NULL && cli_is_workbook(args[1]))
		return run_full_record(o);
	if ((rc = open_store(o, &s)) != EXIT_OK)
		return rc;
	if ((rc = set_clock(o, mamori_store_policy(s))) != EXIT_OK)
		goto out;
	if ((strcmp(sub, "tick") == 0 || strcmp(sub, "send") == 0) && cli_mail_needs_full(s)) {
		mamori_store_close(&s);
		return run_full_record(o);
	}
	switch (i) {
	case 0: rc = r_kinds(o, s); break;
	case 1: rc = r_new(o, s, args[0]); break;
	case 2: rc = r_show(o, s, args[0]); break;
	case 3: rc = r_list(o, s, nargs ? args[0] : NULL); break;
	case 4: rc = o->batch ? r_move_batch(o, s) : r_move(o, s, args[0], args[1]); break;
	case 5: rc = r_comment(o, s, args[0]); break;
	case 6: rc = r_tick(o, s); break;
	case 7: rc = r_notices(o, s); break;
	case 8: rc = r_attach(o, s, args[0], args[1]); break;
	case 9: rc = r_files(o, s, args[0]); break;
	case 10: rc = r_file(o, s, args[0], args[1]); break;
	case 11: rc = r_file_limit(s, nargs ? args[0] : NULL); break;
	case 12: rc = r_send(o, s); break;
	case 13: rc = r_export(o, s, args[0]); break;
	default: rc = r_import(o, s, args[0], args[1]); break;
	}
out:
	mamori_store_close(&s);
	return rc;
}

int
cmd_record(int argc, char **argv)
{
	struct r_opts o;
	const char *sub;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(record_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "mail") == 0)
		return cli_record_mail(argc - 1, argv + 1);
	if ((rc = parse(argc - 1, argv + 1, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	o.argc = argc;
	o.argv = argv;
	return dispatch(&o, sub, argv + 1 + optind, argc - 1 - optind);
}

int
cmd_incident(int argc, char **argv)
{
	struct r_opts o;
	char *args[1] = { "incident" };
	int rc;

	if (argc < 2 || strcmp(argv[1], "report") != 0) {
		fputs("usage: mamori incident report --by USER --set summary=TEXT [--set FIELD=VALUE …] [--json]\n"
		    "(the same as: mamori record new incident …)\n", stderr);
		return EXIT_USAGE;
	}
	if ((rc = parse(argc - 1, argv + 1, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (argc - 1 - optind != 0)
		return cli_usage_error("incident report: no arguments besides the options");
	return dispatch(&o, "new", args, 1);
}
