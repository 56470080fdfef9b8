/* cmd_serve.c — `mamori serve`: run the HTTP server until SIGTERM or SIGINT. */
#include "cli.h"
#include "mamori/config.h"
#include "mamori/mail.h"
#include "mamori/oplog.h"
#include "mamori/record.h"
#include "../server/server.h"
#include "../server/tls.h"
#include "mamori/store.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char serve_usage[] =
    "usage: mamori serve (--policy FILE | --db PATH) [--config FILE] [--listen HOST:PORT] [--web DIR]\n"
    "                    [--quarantine DIR] [--tls-cert FILE --tls-key FILE] [--threads N]\n"
    "                    [--session-idle SECONDS] [--client-timeout SECONDS] [--rate N|off] [--routes]\n"
    "--quarantine (or $MAMORI_QUARANTINE): the originals of 無害化, for /api/quarantine.\n"
    "Every option but --policy has a setting in the configuration file (mamori config keys);\n"
    "an option given here wins.  SIGHUP rereads the policy and the configuration's mail settings.\n";

/*
 * The web UI's directory when --web is not given: the installed one
 * (MAMORI_WEB_DIR, meson installs web/ there), else ./web when it holds the UI
 * (a source tree).  NULL when neither exists: the server then serves the API alone.
 */
static const char *
default_web_dir(void)
{
	static const char *const candidates[] = { MAMORI_WEB_DIR, "web" };
	char index[4096];
	struct stat st;

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		snprintf(index, sizeof(index), "%s/index.html", candidates[i]);
		if (stat(index, &st) == 0 && S_ISREG(st.st_mode))
			return candidates[i];
	}
	return NULL;
}

static void
print_routes(void)
{
	for (size_t i = 0; i < server_nroutes; i++)
		printf("%s %s\n", server_routes[i].method, server_routes[i].pattern);
}

/* How often the server acts on the records' deadlines (mamori record tick). */
enum { TICK_SECONDS = 60 };

/* Escalations and automatic steps of the records, as `mamori record tick` does; a
 * failure is said and tried again at the next tick. */
static void
tick_records(struct server *srv)
{
	struct mamori_record_tick t;
	struct mamori_error err = { 0 };
	int rc;

	if (srv->store == NULL)
		return;
	pthread_mutex_lock(&srv->store_lock);
	rc = mamori_record_tick(srv->store, "mamori:serve", time(NULL), &t, &err);
	pthread_mutex_unlock(&srv->store_lock);
	if (rc != 0)
		mamori_oplog(LOG_ERR, "store.error", "serve: record tick: %s", err.message);
	else if (t.escalated > 0 || t.automatic > 0)
		fprintf(stderr, "mamori: serve: records: %zu escalated, %zu automatic steps\n", t.escalated, t.automatic);
}

/* Whether SIGTERM or SIGINT waits: a run of mail ends before its next message. */
static bool
stop_requested(void *arg)
{
	sigset_t pending;

	(void)arg;
	return sigpending(&pending) == 0 && (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1);
}

/*
 * The notices due, by mail, when mail is set up (mamori/mail.h).  The store
 * is locked only to claim and to mark each notice, never while the relay
 * answers, so requests go on meanwhile; a failure is said and the notice
 * tried again later.
 */
static void
tick_mail(struct server *srv)
{
	struct mamori_mail_settings cfg;
	struct mamori_mail_opts opts = { .actor = "mamori:serve", .now = time(NULL), .lock = &srv->store_lock,
		.stop = stop_requested };
	struct mamori_mail_run run;
	struct mamori_error err = { 0 };
	int rc;

	if (srv->store == NULL)
		return;
	pthread_mutex_lock(&srv->store_lock);
	rc = mamori_mail_settings_load(srv->store, &cfg, &err);
	pthread_mutex_unlock(&srv->store_lock);
	if (rc == 0 && cfg.relay[0] == '\0')
		return;
	if (rc == 0)
		rc = mamori_mail_send_due(srv->store, &mamori_mail_smtp, &opts, &run, &err);
	if (rc != 0)
		mamori_oplog(LOG_ERR, "mail.error", "serve: mail: %s", err.message);
	else if (run.sent > 0 || run.failed > 0)
		fprintf(stderr, "mamori: serve: mail: %zu sent, %zu failed (tried again later)\n", run.sent, run.failed);
}

/* A setting the command line left unset (*field NULL) taken from the configuration;
 * one the command line set noted as the flag's, for `config show`'s sake. */
static void
configured(const char **field, const char *key)
{
	if (*field != NULL)
		cli_config_flag(key, *field);
	else
		*field = mamori_config_get(cli_config(), key);
}

/* The number setting key into *v when the command line left it 0. */
static void
configured_number(long *v, const char *key)
{
	if (*v == 0)
		*v = mamori_config_number(cli_config(), key, 0);
}

/*
 * The configuration file under the options: what the options left unset comes
 * from it (mamori/config.h); the store only when the file or $MAMORI_DB names
 * one, not from the built-in ./mamori.db.
 */
static void
serve_configure(struct server *srv, const char **db, long *idle)
{
	const struct mamori_config *c = cli_config();
	long threads = srv->cfg.threads, timeout = srv->cfg.client_timeout, body = (long)srv->cfg.body_max;
	long rate = srv->cfg.rate;
	const char *tz = mamori_config_get(c, "timezone");

	configured(&srv->cfg.listen, "listen");
	configured(&srv->cfg.tls_cert, "tls.cert");
	configured(&srv->cfg.tls_key, "tls.key");
	configured(&srv->cfg.web_dir, "web.root");
	configured(&srv->cfg.quarantine_dir, "quarantine");
	if (srv->cfg.policy_path == NULL && *db == NULL)
		*db = cli_config_chosen("store");
	configured_number(&threads, "threads");
	configured_number(&timeout, "client_timeout");
	configured_number(&body, "body_max");
	configured_number(idle, "session_idle");
	if (rate == 0 && mamori_config_get(c, "rate") != NULL)
		rate = mamori_config_number(c, "rate", 0) == 0 ? -1 : mamori_config_number(c, "rate", 0);
	srv->cfg.threads = (unsigned)threads;
	srv->cfg.client_timeout = (unsigned)timeout;
	srv->cfg.body_max = (size_t)body;
	srv->cfg.rate = rate;
	if (tz != NULL) {	/* dates shown and deadlines in the configured zone */
		setenv("TZ", tz, 1);
		tzset();
	}
}

/*
 * The configuration file's mail settings into the store: where the file sets
 * one that differs from the store's, the file wins and the store's value is
 * changed by an audited config.set event whose actor names the file
 * (docs/service.md, "Mail").  Settings the file leaves out stay as the store
 * has them (`mamori record mail`, the web UI).
 */
static void
sync_mail(struct server *srv)
{
	static const char *const keys[MAMORI_MAIL_NSETTINGS] = { "mail.relay", "mail.from", "mail.url" };
	const struct mamori_config *c = cli_config();
	struct mamori_mail_settings cur;
	struct mamori_error err = { 0 };
	const char *have[MAMORI_MAIL_NSETTINGS], *want;
	char actor[4200];

	if (srv->store == NULL)
		return;
	snprintf(actor, sizeof(actor), "config:%s", c->path ? c->path : "-");
	pthread_mutex_lock(&srv->store_lock);
	if (mamori_mail_settings_load(srv->store, &cur, &err) != 0) {
		mamori_oplog(LOG_ERR, "store.error", "serve: mail settings: %s", err.message);
		goto out;
	}
	have[MAMORI_MAIL_RELAY] = cur.relay;
	have[MAMORI_MAIL_FROM] = cur.from;
	have[MAMORI_MAIL_URL] = cur.url;
	for (int i = 0; i < MAMORI_MAIL_NSETTINGS; i++) {
		if ((want = mamori_config_get(c, keys[i])) == NULL || strcmp(want, have[i]) == 0)
			continue;
		if (mamori_mail_setting_set(srv->store, actor, (enum mamori_mail_setting)i, want, &err) != 0)
			mamori_oplog(LOG_ERR, "config.error", "serve: %s from %s refused: %s", keys[i], actor + 7,
			    err.message);
		else
			mamori_oplog(LOG_NOTICE, "config.mail", "serve: %s set from %s (audited)", keys[i], actor + 7);
	}
out:
	pthread_mutex_unlock(&srv->store_lock);
}

/*
 * SIGHUP: the policy in force again from the store (a `mamori policy replace`
 * made by another process) and the configuration's mail settings; requests
 * and connections go on meanwhile.
 */
static void
serve_reload(struct server *srv)
{
	struct mamori_error err = { 0 };
	bool changed = false;
	int rc = 0;

	mamori_service_notify("RELOADING=1");
	if (cli_config_reload() != EXIT_OK)	/* a refused file: said, and the old settings kept */
		mamori_oplog(LOG_ERR, "config.error", "serve: reload: the configuration is refused; keeping the old one");
	if (srv->store != NULL) {
		pthread_mutex_lock(&srv->store_lock);
		if ((rc = mamori_store_policy_reload(srv->store, &changed, &err)) == 0 && changed)
			rc = server_policy_swap(srv, &err);
		pthread_mutex_unlock(&srv->store_lock);
	}
	if (srv->cfg.tls_cert != NULL) {	/* a renewed certificate for new handshakes; open connections keep theirs */
		char why[512];
		if (server_tls_load(srv->cfg.tls_cert, srv->cfg.tls_key, why, sizeof(why)) != 0)
			mamori_oplog(LOG_ERR, "serve.reload", "serve: reload: TLS: %s; the certificate in force stays", why);
		else
			mamori_oplog(LOG_NOTICE, "serve.reload", "serve: reload: TLS certificate %s read again", srv->cfg.tls_cert);
	}
	if (rc != 0)
		mamori_oplog(LOG_ERR, "serve.reload", "serve: reload: %s", err.message);
	else
		mamori_oplog(LOG_NOTICE, "serve.reload", "serve: reloaded (policy %s%s)", srv->store ?
		    mamori_store_policy(srv->store)->id : srv->view->id, changed ? ", replaced" : "");
	sync_mail(srv);
	mamori_service_notify("READY=1");
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "web", required_argument, NULL, 'w' },
		{ "quarantine", required_argument, NULL, 'q' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "threads", required_argument, NULL, 't' },
		{ "routes", no_argument, NULL, 'r' },
		{ "session-idle", required_argument, NULL, 'i' },
		{ "client-timeout", required_argument, NULL, 'T' },
		{ "rate", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct server srv;	/* listen, body_max …: the configuration's when no option sets them */
	struct mamori_store *store = NULL;
	const char *db = NULL;
	sigset_t set;
	int c, sig, rc;
	long idle = 0;
	char *end;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:d:l:w:q:c:k:t:ri:T:R:C:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': srv.cfg.policy_path = optarg; break;
		case 'd': db = optarg; break;
		case 'l': srv.cfg.listen = optarg; break;
		case 'w': srv.cfg.web_dir = optarg; break;
		case 'q': srv.cfg.quarantine_dir = optarg; break;
		case 'c': srv.cfg.tls_cert = optarg; break;
		case 'k': srv.cfg.tls_key = optarg; break;
		case 't':
			srv.cfg.threads = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || srv.cfg.threads == 0 || srv.cfg.threads > 256)
				return cli_usage_error("serve: --threads is a number from 1 to 256");
			break;
		case 'r': print_routes(); return EXIT_OK;
		case 'i':
			idle = strtol(optarg, &end, 10);
			if (*end != '\0' || idle < 1 || idle > 86400)
				return cli_usage_error("serve: --session-idle is 1 to 86400 seconds");
			break;
		case 'T':
			srv.cfg.client_timeout = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || srv.cfg.client_timeout == 0 || srv.cfg.client_timeout > 3600)
				return cli_usage_error("serve: --client-timeout is 1 to 3600 seconds");
			break;
		case 'R':	/* requests a second per account: src/server/ratelimit.h */
			srv.cfg.rate = strcmp(optarg, "off") == 0 ? -1 : strtol(optarg, &end, 10);
			if (strcmp(optarg, "off") != 0 && (*end != '\0' || srv.cfg.rate < 1 || srv.cfg.rate > 1000000))
				return cli_usage_error("serve: --rate is 1 to 1000000 requests a second per account, or off");
			break;
		case 'C':
			if (cli_config_use(optarg) != EXIT_OK)
				return EXIT_USAGE;
			break;
		case 'h': fputs(serve_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("serve: bad option\n%s", serve_usage);
		}
	}
	serve_configure(&srv, &db, &idle);
	if (optind != argc || (srv.cfg.policy_path == NULL && db == NULL))
		return cli_usage_error("serve: name the policy with --policy FILE or a store with --db PATH "
		    "(or store in the configuration)\n%s", serve_usage);
	if (srv.cfg.web_dir == NULL && (srv.cfg.web_dir = default_web_dir()) == NULL)
		fprintf(stderr, "mamori: serve: no web UI found (neither %s nor ./web holds index.html); "
		    "serving the API only — give the UI's directory with --web DIR\n", MAMORI_WEB_DIR);
	if ((rc = cli_decider_open(srv.cfg.policy_path, db, &srv.policy, &store, &srv.decider)) != EXIT_OK)
		return rc;
	srv.view = srv.policy ? srv.policy : mamori_store_policy(store);
	srv.store = store;
	pthread_mutex_init(&srv.store_lock, NULL);
	sessions_init(&srv.sessions, (int)idle);

	/* Block the signals in every thread; this one waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* the policy's id before the first request: PUT /api/policy may replace srv.view */
	const char *policy_id = srv.view->id;
	rc = server_start(&srv);
	if (rc == 0) {
		printf("mamori: serving %s on %s://%s/ (policy %s)\n", srv.cfg.web_dir ? srv.cfg.web_dir : "the API",
		    srv.cfg.tls_cert ? "https" : "http", srv.cfg.listen, policy_id);
		fflush(stdout);
		mamori_oplog(LOG_NOTICE, "serve.start", "serve: started on %s://%s/ (policy %s, store %s, configuration %s)",
		    srv.cfg.tls_cert ? "https" : "http", srv.cfg.listen, policy_id, db ? db : "none",
		    cli_config()->path ? cli_config()->path : "none");
		sync_mail(&srv);
		mamori_service_notify("READY=1");
		tick_mail(&srv);	/* what waited in the outbox while no server ran */
		for (;;) {
			sig = sigtimedwait(&set, NULL, &(struct timespec){ .tv_sec = TICK_SECONDS });
			if (sig == SIGHUP) {
				serve_reload(&srv);
				continue;
			}
			if (sig >= 0)
				break;
			tick_records(&srv);
			tick_mail(&srv);
		}
		mamori_service_notify("STOPPING=1");
		mamori_oplog(LOG_NOTICE, "serve.stop", "%s: finishing requests in flight, then stopping",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	}
	server_stop(&srv);	/* also frees what a failed start left */
	mamori_decider_free(&srv.decider);
	mamori_store_close(&store);
	mamori_policy_free(&srv.policy);
	return rc;
}
