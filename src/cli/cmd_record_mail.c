/*
 * cmd_record_mail.c — notices by mail from the command line: `mamori record
 * mail` (the settings) and the sending that `record send` and `record tick`
 * do (mamori/mail.h).  Sending needs libcurl, which only mamori-full links
 * (cli_full.mail); mamori hands those commands to it when mail is set up.
 */
#include "cli.h"
#include "mamori/i18n.h"
#include "mamori/mail.h"
#include "mamori/store.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char mail_usage[] =
    "usage: mamori record mail [--relay smtp://HOST:PORT|smtps://HOST:PORT] [--from ADDRESS]\n"
    "                          [--url https://HOST/] [--json] [--db PATH]\n"
    "Sets the mail settings given (an empty value clears one) and prints them all.\n"
    "Notices go out with `mamori record tick` (cron) or `mamori serve`, or at once with\n"
    "`mamori record send`.  docs/records.md, \"Notices by mail\".\n";

static int
print_settings(const struct mamori_mail_settings *cfg, bool json)
{
	if (json) {
		cJSON *j = cJSON_CreateObject();
		char *text;
		cJSON_AddStringToObject(j, "relay", cfg->relay);
		cJSON_AddStringToObject(j, "from", cfg->from);
		cJSON_AddStringToObject(j, "url", cfg->url);
		cJSON_AddBoolToObject(j, "enabled", cfg->relay[0] != '\0' && cfg->from[0] != '\0');
		text = cJSON_Print(j);
		cJSON_Delete(j);
		if (text == NULL)
			return EXIT_ENV;
		puts(text);
		free(text);
		return EXIT_OK;
	}
	printf("mail.relay  %s\nmail.from   %s\nmail.url    %s\n", cfg->relay[0] ? cfg->relay : "-",
	    cfg->from[0] ? cfg->from : "-", cfg->url[0] ? cfg->url : "-");
	if (cfg->relay[0] == '\0' || cfg->from[0] == '\0')
		fputs(_("(notices are not sent by mail until mail.relay and mail.from are set)\n"), stdout);
	return EXIT_OK;
}

int
cli_record_mail(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "relay", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'f' },
		{ "url", required_argument, NULL, 'u' },
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *values[MAMORI_MAIL_NSETTINGS] = { NULL }, *db = NULL;
	struct mamori_mail_settings cfg;
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	bool json = false;
	int c, rc = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "r:f:u:d:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': values[MAMORI_MAIL_RELAY] = optarg; break;
		case 'f': values[MAMORI_MAIL_FROM] = optarg; break;
		case 'u': values[MAMORI_MAIL_URL] = optarg; break;
		case 'd': db = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(mail_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("record mail: bad option\n%s", mail_usage);
		}
	}
	if (optind != argc)
		return cli_usage_error("record mail: no arguments besides the options\n%s", mail_usage);
	if (mamori_store_open_private(cli_db_path(db), &s, &err) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return EXIT_ENV;
	}
	for (int i = 0; rc == 0 && i < MAMORI_MAIL_NSETTINGS; i++)
		if (values[i] != NULL)
			rc = mamori_mail_setting_set(s, cli_actor(), (enum mamori_mail_setting)i, values[i], &err);
	if (rc == 0)
		rc = mamori_mail_settings_load(s, &cfg, &err);
	mamori_store_close(&s);
	if (rc != 0) {
		fprintf(stderr, "mamori: record mail: %s\n", err.message);
		return cli_exit_code(rc);
	}
	return print_settings(&cfg, json);
}

bool
cli_mail_needs_full(struct mamori_store *s)
{
	struct mamori_mail_settings cfg;
	struct mamori_error err = { 0 };

	return cli_full.mail == NULL && mamori_mail_settings_load(s, &cfg, &err) == 0 && cfg.relay[0] != '\0';
}

int
cli_mail_send(struct mamori_store *s, const char *what, time_t now, bool always, cJSON *json)
{
	struct mamori_mail_settings cfg;
	struct mamori_mail_opts opts = { .actor = cli_actor(), .now = now };
	struct mamori_mail_run run;
	struct mamori_error err = { 0 };
	int rc;

	if ((rc = mamori_mail_settings_load(s, &cfg, &err)) == 0 && cfg.relay[0] == '\0' && !always)
		return EXIT_OK;		/* mail is off: tick acts on records alone */
	if (rc == 0 && cfg.relay[0] != '\0' && cli_full.mail == NULL)	/* cli_mail_needs_full ran mamori-full */
		rc = mamori_error_set(&err, MAMORI_E_IO, "sending mail needs mamori-full");
	if (rc == 0)
		rc = mamori_mail_send_due(s, cli_full.mail, &opts, &run, &err);
	if (rc != 0) {
		fprintf(stderr, "mamori: record %s: %s\n", what, err.message);
		return cli_exit_code(rc);
	}
	if (json != NULL) {
		cJSON *m = cJSON_AddObjectToObject(json, "mail");
		cJSON_AddNumberToObject(m, "sent", (double)run.sent);
		cJSON_AddNumberToObject(m, "failed", (double)run.failed);
		cJSON_AddNumberToObject(m, "waiting", (double)run.waiting);
	} else {
		printf(_("mail: sent %zu, failed %zu (tried again later), waiting for an address %zu\n"), run.sent,
		    run.failed, run.waiting);
	}
	return EXIT_OK;
}
