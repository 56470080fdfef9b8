/* cmd_log.c — `mamori log show | head | verify | proof | check-proof`. */
#include "cli.h"
#include "mamori/audit.h"
#include "mamori/date.h"
#include "mamori/tz.h"
#include "mamori/store.h"

#include <errno.h>
#include <fcntl.h>
#include <cjson/cJSON.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char log_usage[] =
    "usage: mamori log show [--since SEQ|TIME] [--until TIME] [--actor A] [--object ID] [--json] [--db PATH]\n"
    "       mamori log head [--out FILE] [--heads-out DIR] [--heads-syslog] [--db PATH]\n"
    "       mamori log verify [--head FILE]... [--heads DIR|FILE] [--pubkey FILE] [--json] [--db PATH]\n"
    "       mamori log proof --inclusion SEQ [--head FILE] [--db PATH]\n"
    "       mamori log proof --consistency OLD NEW [--db PATH]\n"
    "       mamori log check-proof --pubkey FILE --head FILE [--old-head FILE] PROOF\n"
    "       mamori log schedule [--every-events N] [--every-seconds T] [--db PATH]\n";

struct log_opts {
	const char *db, *since, *until, *actor, *object, *out, *pubkey, *old_head, *heads_dir, *heads_out;
	const char *heads[32];
	const char *every_events, *every_seconds;
	size_t nheads;
	bool json, heads_syslog;
	long long inclusion;
	bool consistency;
};

static int
parse_opts(int argc, char **argv, struct log_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'U' },
		{ "actor", required_argument, NULL, 'a' },
		{ "object", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'O' },
		{ "head", required_argument, NULL, 'H' },
		{ "pubkey", required_argument, NULL, 'k' },
		{ "old-head", required_argument, NULL, 'l' },
		{ "inclusion", required_argument, NULL, 'i' },
		{ "consistency", no_argument, NULL, 'c' },
		{ "heads", required_argument, NULL, 'P' },
		{ "heads-out", required_argument, NULL, 'Q' },
		{ "heads-syslog", no_argument, NULL, 'Y' },
		{ "every-events", required_argument, NULL, 'E' },
		{ "every-seconds", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((c = getopt_long(argc, argv, "+d:s:a:o:jO:H:k:l:i:chP:Q:YE:S:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 's': o->since = optarg; break;
		case 'U': o->until = optarg; break;
		case 'a': o->actor = optarg; break;
		case 'o': o->object = optarg; break;
		case 'j': o->json = true; break;
		case 'O': o->out = optarg; break;
		case 'H':
			if (o->nheads == 32)
				return cli_usage_error("log: at most 32 --head files");
			o->heads[o->nheads++] = optarg;
			break;
		case 'k': o->pubkey = optarg; break;
		case 'l': o->old_head = optarg; break;
		case 'i':
			o->inclusion = strtoll(optarg, &end, 10);
			if (*end || o->inclusion < 1)
				return cli_usage_error("log proof: --inclusion takes an event number (1, 2, …)");
			break;
		case 'c': o->consistency = true; break;
		case 'P': o->heads_dir = optarg; break;
		case 'Q': o->heads_out = optarg; break;
		case 'Y': o->heads_syslog = true; break;
		case 'E': o->every_events = optarg; break;
		case 'S': o->every_seconds = optarg; break;
		case 'h': fputs(log_usage, stdout); return -1;
		default: return cli_usage_error("log: bad option\n%s", log_usage);
		}
	}
	return 0;
}

/*
 * A new or truncated file for writing, mode 0600 whatever the umask (a head
 * may be public, but mamori writes nothing that others can read unasked).
 */
static FILE *
create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fchmod(fd, 0600) != 0 || (f = fdopen(fd, "w")) == NULL) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	return f;
}

static int
open_store(const struct log_opts *o, struct mamori_store **s)
{
	struct mamori_error err;
	int rc = mamori_store_open_private(cli_db_path(o->db), s, &err);

	if (rc != 0)
		fprintf(stderr, "mamori: %s\n", err.message);
	return rc == 0 ? EXIT_OK : cli_exit_code(rc) == EXIT_REFUSED ? EXIT_ENV : cli_exit_code(rc);
}

/* Prints err for the file it concerns: "FILE:LINE: error: …" when it has a line. */
static void
print_file_error(const char *cmd, const char *path, const struct mamori_error *err)
{
	char prefix[32];
	size_t n;

	if (err->line > 0) {
		/* the library's message starts "line N: " for callers without a file name */
		n = (size_t)snprintf(prefix, sizeof(prefix), "line %d: ", err->line);
		fprintf(stderr, "%s:%d: error: %s\n", path, err->line,
		    strncmp(err->message, prefix, n) == 0 ? err->message + n : err->message);
	}
	else
		fprintf(stderr, "mamori: %s: %s\n", cmd, err->message);
}

/* What log show prints with: the format, and the zone people read times in. */
struct show_ctx {
	bool json;
	struct mamori_tz tz;
};

static int
show_event(const struct mamori_event *ev, void *arg)
{
	struct show_ctx *c = arg;
	char when[64];

	if (c->json) {
		cJSON *e = mamori_event_to_json(ev, false);
		char *line = e ? cJSON_PrintUnformatted(e) : NULL;
		cJSON_Delete(e);
		if (line == NULL)
			return MAMORI_E_NOMEM;
		printf("%s\n", line);
		free(line);
	} else {
		printf("%6lld  %s  %-16s %-16s %s %s\n        %s\n", (long long)ev->seq,
		    mamori_tz_format(&c->tz, ev->time, when, sizeof(when)), ev->actor, ev->action,
		    ev->object_type, ev->object_id, ev->body);
	}
	return 0;
}

/* A --since or --until bound as the store writes times (2026-12-04T15:00:00.000000Z); false when unreadable. */
static bool
time_bound(const char *s, const struct mamori_tz *tz, bool end, char out[32])
{
	struct tm tm;
	time_t t;

	if (!mamori_time_bound(s, tz, end, &t))
		return false;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
	return true;
}

static int
log_show(int argc, char **argv)
{
	struct log_opts o;
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	struct mamori_event_filter f = { 0 };
	struct show_ctx c = { 0 };
	char since[32], until[32], *end;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc)
		return cli_usage_error("log show: unexpected argument '%s'", argv[optind]);
	if ((rc = open_store(&o, &s)) != EXIT_OK)
		return rc;
	c.json = o.json;
	mamori_tz_load(&c.tz, mamori_policy_timezone(mamori_store_policy(s)), NULL);
	if (o.since != NULL && (f.since_seq = strtoll(o.since, &end, 10), *end != '\0' || end == o.since)) {
		f.since_seq = 0;
		if (!time_bound(o.since, &c.tz, false, since)) {
			rc = cli_usage_error("log show: --since '%s' is an event number or a time: %s, "
			    "2026-12-05 09:30, or RFC 3339 (in %s)", o.since, MAMORI_DATE_FORMS, c.tz.name);
			goto out;
		}
		f.since_time = since;
	}
	if (o.until != NULL) {
		if (!time_bound(o.until, &c.tz, true, until)) {
			rc = cli_usage_error("log show: --until '%s' is a time: %s, 2026-12-05 09:30, "
			    "or RFC 3339 (in %s; a date takes in the whole day)", o.until, MAMORI_DATE_FORMS, c.tz.name);
			goto out;
		}
		f.until_time = until;
	}
	f.actor = o.actor;
	f.object_id = o.object;
	if ((rc = mamori_audit_events(s, &f, show_event, &c, &err)) != 0)
		fprintf(stderr, "mamori: log show: %s\n", err.message);
	rc = cli_exit_code(rc);
out:
	mamori_tz_free(&c.tz);
	mamori_store_close(&s);
	return rc;
}

static int
log_head(int argc, char **argv)
{
	struct log_opts o;
	struct mamori_store *s = NULL;
	struct mamori_error err;
	struct mamori_head h;
	FILE *out = stdout;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = open_store(&o, &s)) != EXIT_OK)
		return rc;
	/* --heads-out takes the place of MAMORI_HEADS_OUT for this command,
	 * --heads-syslog sends the head to syslog as MAMORI_HEADS_SYSLOG=1 does */
	if (o.heads_syslog)
		mamori_store_head_sink(s, mamori_head_syslog, NULL);
	if (o.heads_out == NULL || (rc = mamori_store_publish_heads(s, o.heads_out, &err)) == 0)
		rc = mamori_audit_sign_head(s, &h, &err);
	mamori_store_close(&s);
	if (rc != 0) {
		fprintf(stderr, "mamori: log head: %s\n", err.message);
		return cli_exit_code(rc);
	}
	if (o.out != NULL && (out = create_private(o.out)) == NULL) {
		fprintf(stderr, "mamori: log head: cannot write %s: %s\n", o.out, strerror(errno));
		return EXIT_ENV;
	}
	mamori_head_write(&h, out);
	if (out != stdout && fclose(out) != 0)
		return EXIT_ENV;
	return EXIT_OK;
}

/*
 * The heads published for the store's log: PATH itself when it is a file,
 * PATH/<log id>.heads when it is a directory.  Appended to *heads (grown).
 */
static int
read_published(const char *path, const char *log_id, struct mamori_head **heads, size_t *n)
{
	struct mamori_error err;
	struct mamori_head *pub = NULL, *all;
	char file[4096];
	struct stat sb;
	size_t npub = 0;
	int rc;

	if (stat(path, &sb) != 0) {
		fprintf(stderr, "mamori: log verify: cannot read %s: %s\n", path, strerror(errno));
		return EXIT_ENV;
	}
	snprintf(file, sizeof(file), S_ISDIR(sb.st_mode) ? "%s/%s.heads" : "%s", path, log_id);
	mamori_error_clear(&err);
	if ((rc = mamori_heads_read_file(file, &pub, &npub, &err)) != 0) {
		print_file_error("log verify", file, &err);
		return rc == MAMORI_E_IO ? EXIT_ENV : EXIT_USAGE;
	}
	if ((all = realloc(*heads, (*n + npub) * sizeof(*all))) == NULL) {
		free(pub);
		fprintf(stderr, "mamori: log verify: out of memory\n");
		return EXIT_ENV;
	}
	memcpy(all + *n, pub, npub * sizeof(*pub));
	*heads = all;
	*n += npub;
	free(pub);
	return EXIT_OK;
}

/* The check's outcome as one JSON object (docs/cli-json.md): ok, and the
 * summary or what was found. */
static void
print_verify_json(int rc, const char *summary, const struct mamori_error *err)
{
	cJSON *j = cJSON_CreateObject();
	char *txt;

	cJSON_AddBoolToObject(j, "ok", rc == 0);
	if (rc == 0)
		cJSON_AddStringToObject(j, "summary", summary);
	else {
		cJSON_AddBoolToObject(j, "tampered", rc == MAMORI_E_TAMPERED);
		cJSON_AddStringToObject(j, "message", err->message);
	}
	txt = cJSON_PrintUnformatted(j);
	printf("%s\n", txt ? txt : "{}");
	free(txt);
	cJSON_Delete(j);
}

static int
log_verify(int argc, char **argv)
{
	struct log_opts o;
	struct mamori_store *s = NULL;
	struct mamori_error err;
	struct mamori_head *heads = NULL;
	size_t nheads = 0;
	unsigned char pk[32];
	char pubpath[4096], summary[512];
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((heads = calloc(o.nheads + 1, sizeof(*heads))) == NULL)
		return EXIT_ENV;
	for (; nheads < o.nheads; nheads++) {
		if ((rc = mamori_head_read_file(o.heads[nheads], &heads[nheads], &err)) != 0) {
			print_file_error("log verify", o.heads[nheads], &err);
			rc = rc == MAMORI_E_IO ? EXIT_ENV : EXIT_USAGE;
			goto out;
		}
	}
	if ((rc = open_store(&o, &s)) != EXIT_OK)
		goto out;
	/* beside the store's file, or at a PostgreSQL store's files= prefix */
	snprintf(pubpath, sizeof(pubpath), "%s.pub", mamori_store_path(s));
	if ((rc = mamori_audit_read_pubkey(o.pubkey ? o.pubkey : pubpath, pk, &err)) != 0) {
		fprintf(stderr, "mamori: log verify: %s\n", err.message);
		rc = EXIT_ENV;
		goto out;
	}
	if (o.heads_dir != NULL &&
	    (rc = read_published(o.heads_dir, mamori_store_log_id(s), &heads, &nheads)) != EXIT_OK)
		goto out;
	rc = mamori_audit_verify(s, pk, heads, nheads, summary, sizeof(summary), &err);
	if (o.json)
		print_verify_json(rc, summary, &err);
	else if (rc == 0)
		printf("%s\n", summary);
	else
		fprintf(stderr, "mamori: log verify: TAMPERED at seq %s\n", err.message);
	rc = rc == 0 ? EXIT_OK : rc == MAMORI_E_TAMPERED ? EXIT_REFUSED : EXIT_ENV;
out:
	mamori_store_close(&s);
	free(heads);
	return rc;
}

static int
log_proof(int argc, char **argv)
{
	struct log_opts o;
	struct mamori_store *s = NULL;
	struct mamori_error err;
	struct mamori_head h = { .size = 0 };
	unsigned long long old_size = 0, new_size = 0;
	char *end;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((o.inclusion > 0) == o.consistency)
		return cli_usage_error("log proof: give --inclusion SEQ or --consistency OLD NEW\n%s", log_usage);
	if (o.consistency) {
		if (argc - optind != 2)
			return cli_usage_error("log proof --consistency takes two sizes: OLD NEW");
		old_size = strtoull(argv[optind], &end, 10);
		if (*end)
			return cli_usage_error("log proof: OLD is not a number");
		new_size = strtoull(argv[optind + 1], &end, 10);
		if (*end)
			return cli_usage_error("log proof: NEW is not a number");
	}
	if (o.nheads == 1 && mamori_head_read_file(o.heads[0], &h, &err) != 0) {
		print_file_error("log proof", o.heads[0], &err);
		return EXIT_USAGE;
	}
	if ((rc = open_store(&o, &s)) != EXIT_OK)
		return rc;
	rc = o.consistency ? mamori_audit_proof_consistency(s, old_size, new_size, stdout, &err) :
	    mamori_audit_proof_inclusion(s, o.inclusion, h.size, stdout, &err);
	mamori_store_close(&s);
	if (rc != 0) {
		fprintf(stderr, "mamori: log proof: %s\n", err.message);
		return cli_exit_code(rc);
	}
	return EXIT_OK;
}

static int
log_check_proof(int argc, char **argv)
{
	struct log_opts o;
	struct mamori_error err;
	struct mamori_head head, old;
	unsigned char pk[32];
	char summary[1024], *text;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (o.pubkey == NULL || o.nheads != 1 || argc - optind != 1)
		return cli_usage_error("log check-proof: needs --pubkey FILE, --head FILE and the proof file\n%s", log_usage);
	mamori_error_clear(&err);
	if (mamori_audit_read_pubkey(o.pubkey, pk, &err) != 0) {
		fprintf(stderr, "mamori: log check-proof: %s\n", err.message);
		return EXIT_ENV;
	}
	if (mamori_head_read_file(o.heads[0], &head, &err) != 0 ||
	    (o.old_head && mamori_head_read_file(o.old_head, &old, &err) != 0)) {
		print_file_error("log check-proof", err.file[0] ? err.file : o.heads[0], &err);
		return err.code == MAMORI_E_IO ? EXIT_ENV : EXIT_USAGE;
	}
	if ((text = mamori_audit_read_text(argv[optind], &err)) == NULL) {
		fprintf(stderr, "mamori: log check-proof: %s\n", err.message);
		return err.code == MAMORI_E_IO ? EXIT_ENV : EXIT_REFUSED;
	}
	mamori_error_clear(&err);
	rc = mamori_audit_check_proof(text, &head, o.old_head ? &old : NULL, pk, summary, sizeof(summary), &err);
	free(text);
	if (rc != 0) {
		print_file_error("log check-proof", argv[optind], &err);
		return cli_exit_code(rc);
	}
	printf("%s\n", summary);
	return EXIT_OK;
}

/* A whole number from 1 to 10^12, as the schedule takes it. */
static bool
schedule_number(const char *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	return errno == 0 && end != v && *end == '\0' && v[0] != '+' && n >= 1 && n <= 1000000000000LL;
}

/*
 * `log schedule`: how often heads are signed after a change (head.every_events,
 * head.every_seconds), shown or set.  Setting is a change with its config.set
 * event: log verify reads the schedule from those events.
 */
static int
log_schedule(int argc, char **argv)
{
	static const struct {
		const char *key;
		int64_t def;
	} keys[] = { { "head.every_events", 1000 }, { "head.every_seconds", 3600 } };
	struct log_opts o;
	struct mamori_store *s = NULL;
	struct mamori_error err;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc)
		return cli_usage_error("log schedule: unexpected argument '%s'", argv[optind]);
	if ((o.every_events && !schedule_number(o.every_events)) || (o.every_seconds && !schedule_number(o.every_seconds)))
		return cli_usage_error("log schedule: --every-events and --every-seconds take a whole number "
		    "from 1 to 1000000000000");
	if ((rc = open_store(&o, &s)) != EXIT_OK)
		return rc;
	mamori_error_clear(&err);
	if (o.every_events)
		rc = mamori_store_config_set(s, cli_actor(), keys[0].key, o.every_events, &err);
	if (rc == 0 && o.every_seconds)
		rc = mamori_store_config_set(s, cli_actor(), keys[1].key, o.every_seconds, &err);
	if (rc != 0) {
		fprintf(stderr, "mamori: log schedule: %s\n", err.message);
		mamori_store_close(&s);
		return cli_exit_code(rc);
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		printf("%s = %lld\n", keys[i].key, (long long)mamori_store_config_int(s, keys[i].key, keys[i].def));
	mamori_store_close(&s);
	return EXIT_OK;
}

int
cmd_log(int argc, char **argv)
{
	static const struct cli_command subs[] = {
		{ "show", log_show, "events" },
		{ "head", log_head, "sign and print the current tree head" },
		{ "verify", log_verify, "verify the whole trail" },
		{ "proof", log_proof, "inclusion and consistency proofs" },
		{ "check-proof", log_check_proof, "check a proof without the store" },
		{ "schedule", log_schedule, "how often heads are signed" },
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(log_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(argc - 1, argv + 1);
	return cli_usage_error("log: unknown subcommand '%s'\n%s", argv[1], log_usage);
}
