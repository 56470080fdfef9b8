/*
 * cmd_training.c — `mamori training status | remind`: 教育・研修, who has taken
 * each course in force and who is overdue (mamori/training.h).  Courses and
 * attendance themselves are records: `mamori record new course`, `mamori
 * record import attendance SHEET.csv`.
 */
#include "cli.h"
#include "mamori/date.h"
#include "mamori/i18n.h"
#include "mamori/policy.h"
#include "mamori/store.h"
#include "mamori/training.h"
#include "mamori/tz.h"

#include <cjson/cJSON.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char training_usage[] =
    "usage: mamori training status [COURSE] [--department D] [--user NAME] [--overdue] [--json] [--now TIME]\n"
    "       mamori training remind [--now TIME] [--json]   (notices to whoever is overdue)\n"
    "Courses are records of kind course, attendance of kind attendance (mamori record …).\n";

struct t_opts {
	const char *db, *department, *user, *now_text;
	bool json, overdue;
	time_t now;
};

static int
parse(int argc, char **argv, struct t_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "department", required_argument, NULL, 'D' },
		{ "user", required_argument, NULL, 'u' },
		{ "now", required_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "overdue", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((c = getopt_long(argc, argv, "d:D:u:N:joh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'D': o->department = optarg; break;
		case 'u': o->user = optarg; break;
		case 'N': o->now_text = optarg; break;
		case 'j': o->json = true; break;
		case 'o': o->overdue = true; break;
		case 'h': fputs(training_usage, stdout); return -1;
		default: return cli_usage_error("training: bad option\n%s", training_usage);
		}
	}
	return 0;
}

static int
set_clock(struct t_opts *o, const struct mamori_policy *p)
{
	struct mamori_tz tz = { 0 };
	bool ok;

	o->now = time(NULL);
	if (o->now_text == NULL)
		return EXIT_OK;
	(void)mamori_tz_load(&tz, mamori_policy_timezone(p), NULL);
	ok = mamori_time_bound(o->now_text, &tz, false, &o->now);
	mamori_tz_free(&tz);
	return ok ? EXIT_OK : cli_usage_error("training: --now '%s' is not a time: write 2026-12-05, "
	    "2026-12-05 09:30 or RFC 3339", o->now_text);
}

static const char *
str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));

	return v ? v : "-";
}

static int
num(const cJSON *o, const char *key)
{
	return (int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));
}

/* --overdue: only the people overdue (and the 課 that have some). */
static void
keep_overdue(cJSON *status)
{
	cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(status, "courses")) {
		cJSON *people = cJSON_GetObjectItem(c, "people");
		for (int i = cJSON_GetArraySize(people) - 1; i >= 0; i--)
			if (strcmp(str(cJSON_GetArrayItem(people, i), "status"), "overdue") != 0)
				cJSON_DeleteItemFromArray(people, i);
	}
}

static void
print_status(const struct mamori_policy *p, const cJSON *status)
{
	const cJSON *c, *d, *pe;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(status, "courses")) {
		printf(_("%s  %s  (%s; deadline %s): %d of %d completed, %d overdue\n"), str(c, "id"), str(c, "name"),
		    strcmp(str(c, "recurrence"), "yearly") == 0 ? _("yearly") : _("once"), str(c, "deadline"),
		    num(c, "completed"), num(c, "audience"), num(c, "overdue"));
		cJSON_ArrayForEach(d, cJSON_GetObjectItem(c, "departments")) {
			printf(_("  %s: %d of %d completed, %d overdue\n"), str(d, "title"), num(d, "completed"),
			    num(d, "audience"), num(d, "overdue"));
		}
		cJSON_ArrayForEach(pe, cJSON_GetObjectItem(c, "people")) {
			const char *st = str(pe, "status");
			const struct mamori_department *dep = mamori_policy_find_department(p, str(pe, "department"));
			printf("    %-16s %-12s %-10s %s\n", str(pe, "user"), dep && dep->title ? dep->title : str(pe, "department"),
			    strcmp(st, "completed") == 0 ? _("completed") : strcmp(st, "overdue") == 0 ? _("OVERDUE") :
			    _("pending"), str(pe, "last"));
		}
	}
}

int
cmd_training(int argc, char **argv)
{
	struct t_opts o;
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	cJSON *out = NULL;
	const char *sub, *course = NULL;
	size_t n = 0;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(training_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "status") != 0 && strcmp(sub, "remind") != 0)
		return cli_usage_error("training: unknown subcommand '%s'\n%s", sub, training_usage);
	if ((rc = parse(argc - 1, argv + 1, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind < argc - 1 && strcmp(sub, "status") == 0)
		course = argv[optind + 1];
	if (optind < argc - (course ? 2 : 1))
		return cli_usage_error("training %s: too many arguments\n%s", sub, training_usage);
	if (mamori_store_open_private(cli_db_path(o.db), &s, &err) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return EXIT_ENV;
	}
	if ((rc = set_clock(&o, mamori_store_policy(s))) != EXIT_OK) {
		mamori_store_close(&s);
		return rc;
	}
	if (strcmp(sub, "status") == 0) {
		rc = mamori_training_status(s, course, o.department, o.user, NULL, o.now, &out, &err);
		if (rc == 0 && o.overdue)
			keep_overdue(out);
		if (rc == 0 && o.json) {
			char *txt = cJSON_Print(out);
			printf("%s\n", txt ? txt : "{}");
			free(txt);
		} else if (rc == 0) {
			print_status(mamori_store_policy(s), out);
		}
	} else {
		rc = mamori_training_remind(s, cli_actor(), o.now, &n, &err);
		if (rc == 0 && o.json)
			printf("{\"notices\": %zu}\n", n);
		else if (rc == 0)
			printf(P_("%zu reminder put in the outbox\n", "%zu reminders put in the outbox\n", n), n);
	}
	cJSON_Delete(out);
	mamori_store_close(&s);
	if (rc != 0) {
		fprintf(stderr, "mamori: training %s: %s\n", sub, err.message);
		return cli_exit_code(rc);
	}
	return EXIT_OK;
}
