/*
 * config.c — /etc/mamori/mamori.conf: one table of settings (name, kind,
 * bounds, default, environment variable, meaning), read by serve, milter and
 * the command line.  Every problem of a file is reported at once with its
 * line, like the policy's, and the file is then refused.
 */
#include "mamori/config.h"
#include "mamori/i18n.h"
#include "suggest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A line longer than this is an error (a configuration line is short). */
enum { CONFIG_LINE_MAX = 4096, CONFIG_FILE_MAX = 1 << 20 };

const struct mamori_config_setting mamori_config_settings[] = {
	{ "store", MAMORI_CONFIG_TEXT, 0, 0, "./mamori.db", "MAMORI_DB",
	  N_("the store (SQLite file); its keys, files and mail lock are beside it") },
	{ "listen", MAMORI_CONFIG_TEXT, 0, 0, "127.0.0.1:8080", NULL,
	  N_("serve: HOST:PORT the HTTP server listens on") },
	{ "tls.cert", MAMORI_CONFIG_TEXT, 0, 0, NULL, NULL,
	  N_("serve: the TLS certificate chain (PEM); with tls.key, HTTPS") },
	{ "tls.key", MAMORI_CONFIG_TEXT, 0, 0, NULL, NULL, N_("serve: the TLS private key (PEM)") },
	{ "web.root", MAMORI_CONFIG_TEXT, 0, 0, NULL, NULL,
	  N_("serve: the web UI's directory (unset: the installed one)") },
	{ "quarantine", MAMORI_CONFIG_TEXT, 0, 0, NULL, "MAMORI_QUARANTINE",
	  N_("the originals of 無害化 (serve, milter, quarantine)") },
	{ "timezone", MAMORI_CONFIG_TEXT, 0, 0, NULL, NULL,
	  N_("the time zone of dates shown and of deadlines (TZ name, e.g. Asia/Tokyo)") },
	{ "mail.relay", MAMORI_CONFIG_TEXT, 0, 0, NULL, NULL,
	  N_("notices by mail: smtp://host[:port] or smtps://host[:port]; written into the store (audited)") },
	{ "mail.from", MAMORI_CONFIG_TEXT, 0, 0, NULL, NULL, N_("notices by mail: the sender's address") },
	{ "mail.url", MAMORI_CONFIG_TEXT, 0, 0, NULL, NULL, N_("notices by mail: the web UI's address, linked in each mail") },
	{ "threads", MAMORI_CONFIG_NUMBER, 1, 256, NULL, NULL,
	  N_("serve: request threads (unset: one per CPU)") },
	{ "client_timeout", MAMORI_CONFIG_NUMBER, 1, 3600, NULL, NULL,
	  N_("serve: seconds a client may stay silent before its connection is closed") },
	{ "session_idle", MAMORI_CONFIG_NUMBER, 1, 86400, NULL, NULL,
	  N_("serve: seconds a session lives without a request") },
	{ "rate", MAMORI_CONFIG_NUMBER, 0, 1000000, NULL, NULL,
	  N_("serve: requests a second per account (0: no limit)") },
	{ "body_max", MAMORI_CONFIG_NUMBER, 1024, 1L << 30, "16777216", NULL,
	  N_("serve: the largest request body in bytes") },
	{ "milter.socket", MAMORI_CONFIG_TEXT, 0, 0, "unix:/run/mamori/milter.sock", NULL,
	  N_("milter: the socket Postfix connects to (unix:PATH or inet:PORT@HOST)") },
	{ "backup.dir", MAMORI_CONFIG_TEXT, 0, 0, "/var/lib/mamori/backup", NULL,
	  N_("backup: where `mamori backup --auto` writes its archives") },
	{ "backup.keep", MAMORI_CONFIG_NUMBER, 1, 10000, "7", NULL,
	  N_("backup: how many archives `mamori backup --auto` keeps (the oldest are removed)") },
	{ "backup.recipient", MAMORI_CONFIG_TEXT, 0, 0, NULL, NULL,
	  N_("backup: a public key file (mamori backup keygen); archives are sealed to it and hold the private keys") },
};
const size_t mamori_config_nsettings = sizeof(mamori_config_settings) / sizeof(mamori_config_settings[0]);

static int
setting_index(const char *key)
{
	for (size_t i = 0; i < mamori_config_nsettings; i++)
		if (strcmp(mamori_config_settings[i].key, key) == 0)
			return (int)i;
	return -1;
}

int
mamori_config_set(struct mamori_config *c, const char *key, const char *value,
    enum mamori_config_origin origin)
{
	int i = setting_index(key);
	char *v;

	if (i < 0)
		return MAMORI_E_USAGE;
	if ((v = value ? strdup(value) : NULL) == NULL && value != NULL)
		return MAMORI_E_NOMEM;
	free(c->value[i]);
	c->value[i] = v;
	c->origin[i] = origin;
	c->line[i] = 0;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Whether text is a whole decimal number within the setting's bounds. */
static bool
number_ok(const struct mamori_config_setting *st, const char *text)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	return errno == 0 && end != text && *end == '\0' && v >= st->min && v <= st->max;
}

/* One line of the file: a comment, a blank, or `key = value`. */
static void
parse_line(struct mamori_config *c, const char *file, int lineno, char *line, struct mamori_diags *d)
{
	char *s = trim(line), *eq, *key, *value;
	const char *names[64], *near;
	int i;

	if (*s == '\0' || *s == '#')
		return;
	if ((eq = strchr(s, '=')) == NULL) {
		mamori_diags_add(d, MAMORI_SEV_ERROR, file, lineno, 1, "expected 'key = value'");
		return;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if ((i = setting_index(key)) < 0) {
		for (size_t k = 0; k < mamori_config_nsettings && k < 64; k++)
			names[k] = mamori_config_settings[k].key;
		near = mamori_suggest(key, names, mamori_config_nsettings < 64 ? mamori_config_nsettings : 64);
		if (near != NULL)
			mamori_diags_add(d, MAMORI_SEV_ERROR, file, lineno, (int)(key - line) + 1,
			    "unknown key '%s'; did you mean '%s'?", key, near);
		else
			mamori_diags_add(d, MAMORI_SEV_ERROR, file, lineno, (int)(key - line) + 1,
			    "unknown key '%s' (`mamori config show` lists the settings)", key);
		return;
	}
	if (c->origin[i] == MAMORI_CONFIG_FILE) {
		mamori_diags_add(d, MAMORI_SEV_ERROR, file, lineno, (int)(key - line) + 1,
		    "'%s' is set twice (first on line %d)", key, c->line[i]);
		return;
	}
	if (mamori_config_settings[i].type == MAMORI_CONFIG_NUMBER && !number_ok(&mamori_config_settings[i], value)) {
		mamori_diags_add(d, MAMORI_SEV_ERROR, file, lineno, (int)(value - line) + 1,
		    "'%s' is a number from %ld to %ld, not '%s'", key, mamori_config_settings[i].min,
		    mamori_config_settings[i].max, value);
		return;
	}
	if (mamori_config_set(c, key, *value ? value : NULL, MAMORI_CONFIG_FILE) == 0)
		c->line[i] = lineno;
}

static int
read_file(struct mamori_config *c, const char *path, bool must_exist, struct mamori_diags *d,
    struct mamori_error *err)
{
	char line[CONFIG_LINE_MAX + 2];
	size_t total = 0, errors = d->errors;
	int lineno = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return mamori_error_set(err, MAMORI_E_IO, "cannot read the configuration %s: %s", path,
		    strerror(errno));
	}
	if ((c->path = strdup(path)) == NULL) {
		fclose(f);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		total += strlen(line);
		if (strlen(line) > CONFIG_LINE_MAX || total > CONFIG_FILE_MAX) {
			mamori_diags_add(d, MAMORI_SEV_ERROR, path, lineno, 1, "line too long (or file over 1 MiB)");
			break;
		}
		parse_line(c, path, lineno, line, d);
	}
	fclose(f);
	if (d->errors > errors)
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: %zu errors; the configuration is refused",
		    path, d->errors - errors);
	return 0;
}

int
mamori_config_load(struct mamori_config *c, const char *path, bool must_exist,
    struct mamori_diags *d, struct mamori_error *err)
{
	const char *env;
	size_t n = mamori_config_nsettings;
	int rc;

	memset(c, 0, sizeof(*c));
	c->value = calloc(n, sizeof(*c->value));
	c->origin = calloc(n, sizeof(*c->origin));
	c->line = calloc(n, sizeof(*c->line));
	if (c->value == NULL || c->origin == NULL || c->line == NULL) {
		mamori_config_free(c);
		return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		if (mamori_config_set(c, mamori_config_settings[i].key, mamori_config_settings[i].def,
		    MAMORI_CONFIG_BUILTIN) != 0) {
			mamori_config_free(c);
			return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		}
	if ((rc = read_file(c, path ? path : MAMORI_CONFIG_DEFAULT_PATH, must_exist, d, err)) != 0) {
		mamori_config_free(c);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		env = mamori_config_settings[i].env ? getenv(mamori_config_settings[i].env) : NULL;
		if (env != NULL && *env && mamori_config_set(c, mamori_config_settings[i].key, env,
		    MAMORI_CONFIG_ENV) != 0) {
			mamori_config_free(c);
			return mamori_error_set(err, MAMORI_E_NOMEM, "out of memory");
		}
	}
	return 0;
}

const char *
mamori_config_get(const struct mamori_config *c, const char *key)
{
	int i = setting_index(key);

	return i >= 0 && c->value != NULL ? c->value[i] : NULL;
}

long
mamori_config_number(const struct mamori_config *c, const char *key, long def)
{
	const char *v = mamori_config_get(c, key);

	return v != NULL ? strtol(v, NULL, 10) : def;
}

void
mamori_config_free(struct mamori_config *c)
{
	if (c->value != NULL)
		for (size_t i = 0; i < mamori_config_nsettings; i++)
			free(c->value[i]);
	free(c->value);
	free(c->origin);
	free(c->line);
	free(c->path);
	memset(c, 0, sizeof(*c));
}
