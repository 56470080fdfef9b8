/* cmd_quarantine.c — `mamori quarantine list | show | request | release`. */
#include "cli.h"
#include "mamori/quarantine.h"
#include "mamori/tz.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char quarantine_usage[] =
    "usage: mamori quarantine list [--json] [--quarantine DIR] [--db PATH]\n"
    "       mamori quarantine show ID [--json] [--quarantine DIR] [--db PATH]\n"
    "       mamori quarantine request ID --by USER --reason TEXT [--quarantine DIR] [--db PATH]\n"
    "       mamori quarantine release ID --approver USER [--out FILE] [--quarantine DIR] [--db PATH]\n"
    "ID is the original's SHA-256 or its first 8 or more hex digits; DIR defaults to\n"
    "$MAMORI_QUARANTINE.  A release needs an open request by another account (二人制).\n";

struct q_opts {
	const char *dir, *db, *by, *reason, *approver, *out;
	bool json, db_given;
};

static int
parse(int argc, char **argv, struct q_opts *o)
{
	static const struct option opts[] = {
		{ "quarantine", required_argument, NULL, 'q' },
		{ "db", required_argument, NULL, 'd' },
		{ "by", required_argument, NULL, 'b' },
		{ "reason", required_argument, NULL, 'r' },
		{ "approver", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("MAMORI_QUARANTINE");
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((c = getopt_long(argc, argv, "+q:d:b:r:a:o:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'q': o->dir = optarg; break;
		case 'd': o->db = optarg; break;
		case 'b': o->by = optarg; break;
		case 'r': o->reason = optarg; break;
		case 'a': o->approver = optarg; break;
		case 'o': o->out = optarg; break;
		case 'j': o->json = true; break;
		case 'h': fputs(quarantine_usage, stdout); return -1;
		default: return cli_usage_error("quarantine: bad option\n%s", quarantine_usage);
		}
	}
	if (o->dir == NULL)
		o->dir = env != NULL && *env ? env : NULL;
	if (o->dir == NULL)
		return cli_usage_error("quarantine: name the quarantine directory with --quarantine DIR "
		    "or $MAMORI_QUARANTINE");
	/* list and show read the store only when one is named */
	o->db_given = o->db != NULL || (getenv("MAMORI_DB") != NULL && *getenv("MAMORI_DB"));
	return 0;
}

static int
open_store(const struct q_opts *o, struct mamori_store **s)
{
	struct mamori_error err = { 0 };

	if (mamori_store_open_private(cli_db_path(o->db), s, &err) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

/* ---- state from the audit trail ------------------------------------------ */

/* How the history is shown: printed, collected for --json, or neither. */
struct state {
	const struct mamori_tz *tz;	/* the zone people read times in */
	cJSON *events;		/* for --json; NULL otherwise */
	FILE *print;		/* for show; NULL otherwise */
};

/* The state as a line shows it: "-", "requested by X (event N)", "released to X by Y (event N)". */
static void
state_text(const struct mamori_quarantine_state *st, char *out, size_t size)
{
	if (strcmp(st->state, "requested") == 0)
		snprintf(out, size, "requested by %s (event %lld)", st->requester, (long long)st->seq);
	else if (strcmp(st->state, "released") == 0)
		snprintf(out, size, "released to %s by %s (event %lld)", st->requester, st->approver,
		    (long long)st->seq);
	else
		snprintf(out, size, "-");
}

static int
track(const struct mamori_quarantine_event *ev, void *arg)
{
	struct state *st = arg;
	bool request = strcmp(ev->action, "quarantine.request") == 0;
	char when[64];

	if (st->print != NULL) {
		if (request)
			fprintf(st->print, "  %lld  %s  request  by %s: %s\n", (long long)ev->seq,
			    mamori_tz_format(st->tz, ev->time, when, sizeof(when)), ev->requester, ev->reason);
		else
			fprintf(st->print, "  %lld  %s  release  approved by %s for %s (request %lld)\n",
			    (long long)ev->seq, mamori_tz_format(st->tz, ev->time, when, sizeof(when)), ev->approver,
			    ev->requester, (long long)ev->request_seq);
	}
	if (st->events != NULL)
		cJSON_AddItemToArray(st->events, mamori_quarantine_event_json(ev));
	return 0;
}

/* ---- list ----------------------------------------------------------------- */

struct list_ctx {
	struct mamori_store *store;
	struct mamori_tz tz;
	cJSON *json;
	int rc;
	struct mamori_error err;
};

static int
print_one(const struct mamori_quarantine_meta *m, void *arg)
{
	struct list_ctx *c = arg;
	struct mamori_quarantine_state st;
	char when[64], text[160] = "-";

	if (c->store != NULL && (c->rc = mamori_quarantine_state(c->store, m->sha256, &st, NULL, NULL, &c->err)) != 0)
		return c->rc;
	if (c->store != NULL)
		state_text(&st, text, sizeof(text));
	if (c->json != NULL) {
		cJSON *o = mamori_quarantine_meta_json(m);
		if (c->store != NULL)
			cJSON_AddStringToObject(o, "state", text);
		cJSON_AddItemToArray(c->json, o);
		return 0;
	}
	printf("%.12s  %-23s  %-9s %10zu  %3zu  %s  %s", m->sha256, mamori_tz_format(&c->tz, m->time, when,
	    sizeof(when)), m->status, m->size, m->nparts,
	    m->from[0] ? m->from : "-", m->subject[0] ? m->subject : "(件名なし)");
	if (c->store != NULL)
		printf("  [%s]", text);
	putchar('\n');
	return 0;
}

static int
q_list(struct q_opts *o)
{
	struct list_ctx c = { 0 };
	int rc;

	if (o->db_given && (rc = open_store(o, &c.store)) != EXIT_OK)
		return rc;
	mamori_tz_load(&c.tz, c.store ? mamori_policy_timezone(mamori_store_policy(c.store)) : MAMORI_TZ_DEFAULT, NULL);
	if (o->json)
		c.json = cJSON_CreateArray();
	else
		printf("ID            QUARANTINED              STATUS         BYTES  ATT  FROM  SUBJECT%s\n",
		    c.store ? "  [STATE]" : "");
	rc = mamori_quarantine_list(o->dir, print_one, &c, &c.err);
	if (rc == 0 && c.json != NULL) {
		char *s = cJSON_Print(c.json);
		printf("%s\n", s ? s : "[]");
		free(s);
	}
	cJSON_Delete(c.json);
	mamori_tz_free(&c.tz);
	mamori_store_close(&c.store);
	if (rc != 0) {
		fprintf(stderr, "mamori: quarantine list: %s\n", c.err.message);
		return cli_exit_code(rc);
	}
	return EXIT_OK;
}

/* ---- show ----------------------------------------------------------------- */

static int
q_show(struct q_opts *o, const char *id)
{
	struct mamori_quarantine_meta m = { 0 };
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 }, ierr = { 0 };
	struct state st = { 0 };
	struct mamori_quarantine_state qs;
	struct mamori_tz tz = { 0 };
	char *data = NULL, when[64], text[160] = "-";
	size_t len = 0;
	int rc, integrity;

	if ((rc = mamori_quarantine_get(o->dir, id, &m, &err)) != 0) {
		fprintf(stderr, "mamori: quarantine show: %s\n", err.message);
		return cli_exit_code(rc);
	}
	integrity = mamori_quarantine_read(o->dir, m.sha256, &data, &len, &ierr);
	free(data);
	if (o->db_given && (rc = open_store(o, &s)) != EXIT_OK)
		goto out;
	mamori_tz_load(&tz, s ? mamori_policy_timezone(mamori_store_policy(s)) : MAMORI_TZ_DEFAULT, NULL);
	st.tz = &tz;
	if (o->json) {
		cJSON *j = mamori_quarantine_meta_json(&m);
		cJSON_AddStringToObject(j, "integrity", integrity == 0 ? "ok" : ierr.message);
		if (s != NULL) {
			st.events = cJSON_AddArrayToObject(j, "history");
			if ((rc = mamori_quarantine_state(s, m.sha256, &qs, track, &st, &err)) == 0) {
				state_text(&qs, text, sizeof(text));
				cJSON_AddStringToObject(j, "state", text);
			}
		}
		char *text = cJSON_Print(j);
		printf("%s\n", text ? text : "{}");
		free(text);
		cJSON_Delete(j);
	} else {
		printf("id:          %s\nquarantined: %s\nstatus:      %s%s%s\nsize:        %zu bytes\n",
		    m.sha256, mamori_tz_format(&tz, m.time, when, sizeof(when)), m.status, m.reason[0] ? " — " : "",
		    m.reason, m.size);
		printf("from:        %s\nto:          %s\n", m.from, m.to);
		if (m.cc[0])
			printf("cc:          %s\n", m.cc);
		printf("subject:     %s\ndate:        %s\nmessage-id:  %s\nclause:      %s\n", m.subject, m.date,
		    m.message_id, m.clause);
		printf("attachments: %zu\n", m.nparts);
		for (size_t i = 0; i < m.nparts; i++)
			printf("  %zu. %s  [%s, %zu bytes, SHA-256 %s]\n", i + 1,
			    m.parts[i].name[0] ? m.parts[i].name : "(名前なし)", m.parts[i].type, m.parts[i].size,
			    m.parts[i].sha256);
		printf("integrity:   %s\n", integrity == 0 ? "ok (the file's SHA-256 is its id)" : ierr.message);
		if (s != NULL) {
			printf("history:\n");
			st.print = stdout;
			if ((rc = mamori_quarantine_state(s, m.sha256, &qs, track, &st, &err)) == 0)
				state_text(&qs, text, sizeof(text));
			printf("state:       %s\n", text);
		}
	}
	if (rc != 0) {
		fprintf(stderr, "mamori: quarantine show: %s\n", err.message);
		rc = cli_exit_code(rc);
	} else if (integrity != 0) {
		fprintf(stderr, "mamori: quarantine show: %s\n", ierr.message);
		rc = cli_exit_code(integrity);
	}
out:
	mamori_tz_free(&tz);
	mamori_store_close(&s);
	mamori_quarantine_meta_clear(&m);
	return rc;
}

/* ---- request and release --------------------------------------------------- */

static int
q_request(struct q_opts *o, const char *id)
{
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	int64_t seq = 0;
	int rc;

	if (o->by == NULL || o->reason == NULL)
		return cli_usage_error("quarantine request: --by USER and --reason TEXT are required\n%s",
		    quarantine_usage);
	if ((rc = open_store(o, &s)) != EXIT_OK)
		return rc;
	rc = mamori_quarantine_request(s, cli_actor(), o->dir, id, o->by, o->reason, &seq, &err);
	mamori_store_close(&s);
	if (rc != 0) {
		fprintf(stderr, "mamori: quarantine request: %s\n", err.message);
		return cli_exit_code(rc);
	}
	printf("requested: event %lld; another account with the role to approve now runs\n"
	    "  mamori quarantine release %s --approver USER --out FILE\n", (long long)seq, id);
	return EXIT_OK;
}

static int
q_release(struct q_opts *o, const char *id)
{
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	char sha[65], *data = NULL;
	size_t len = 0, done = 0;
	int rc, fd = STDOUT_FILENO;

	if (o->approver == NULL)
		return cli_usage_error("quarantine release: --approver USER is required\n%s", quarantine_usage);
	if (o->out == NULL && isatty(STDOUT_FILENO))
		return cli_usage_error("quarantine release: the original is raw mail; write it with --out FILE "
		    "or redirect standard output, not to a terminal");
	if ((rc = open_store(o, &s)) != EXIT_OK)
		return rc;
	/* the file first, so that an existing one refuses before anything is recorded */
	if (o->out != NULL && (fd = open(o->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		int e = errno;	/* closing the store may change errno (libpq's socket) */
		fprintf(stderr, "mamori: quarantine release: cannot create %s: %s\n", o->out, strerror(e));
		mamori_store_close(&s);
		return e == EEXIST ? EXIT_REFUSED : EXIT_ENV;
	}
	rc = mamori_quarantine_release(s, cli_actor(), o->dir, id, o->approver, sha, &data, &len, &err);
	mamori_store_close(&s);
	if (rc != 0) {
		if (o->out != NULL) {
			close(fd);
			unlink(o->out);
		}
		fprintf(stderr, "mamori: quarantine release: %s\n", err.message);
		return cli_exit_code(rc);
	}
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	free(data);
	if (done != len || (o->out != NULL && (fsync(fd) != 0 || close(fd) != 0))) {
		fprintf(stderr, "mamori: quarantine release: the release of %s is recorded, but writing the "
		    "original failed: %s; ask for a new request\n", sha, strerror(errno));
		if (o->out != NULL)
			unlink(o->out);
		return EXIT_ENV;
	}
	fprintf(stderr, "released: %s (%zu bytes, SHA-256 checked)%s%s\n", sha, len, o->out ? " to " : "",
	    o->out ? o->out : "");
	return EXIT_OK;
}

int
cmd_quarantine(int argc, char **argv)
{
	struct q_opts o;
	const char *sub;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(quarantine_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "request") != 0 &&
	    strcmp(sub, "release") != 0)
		return cli_usage_error("quarantine: unknown subcommand '%s'\n%s", sub, quarantine_usage);
	/* the id may come before or after the options */
	const char *id = NULL;
	if (argc > 2 && argv[2][0] != '-') {
		id = argv[2];
		argc--;
		argv++;
	}
	if ((rc = parse(argc - 1, argv + 1, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (id == NULL && optind < argc - 1)
		id = argv[1 + optind++];
	if (optind < argc - 1)
		return cli_usage_error("quarantine %s: unexpected argument '%s'", sub, argv[1 + optind]);
	if (strcmp(sub, "list") == 0) {
		if (id != NULL)
			return cli_usage_error("quarantine list: takes no id");
		return q_list(&o);
	}
	if (id == NULL)
		return cli_usage_error("quarantine %s: name the original (its SHA-256 or first 8+ hex digits)\n%s",
		    sub, quarantine_usage);
	if (strcmp(sub, "show") == 0)
		return q_show(&o, id);
	if (strcmp(sub, "request") == 0)
		return q_request(&o, id);
	return q_release(&o, id);
}
