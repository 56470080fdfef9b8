/*
 * cmd_config.c — the configuration file for every command (cli_config) and
 * `mamori config show`: the effective settings and where each came from.
 */
#include "cli.h"
#include "mamori/config.h"
#include "mamori/i18n.h"
#include "mamori/location.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static struct mamori_config config;
static bool config_loaded;
static const char *config_path;	/* --config, else $MAMORI_CONFIG, else the default */

/* The file named: --config, else $MAMORI_CONFIG, else NULL (the default, when present). */
static const char *
named_path(void)
{
	const char *env = getenv("MAMORI_CONFIG");

	return config_path != NULL ? config_path : env != NULL && *env ? env : NULL;
}

/* path (NULL: named_path's) to be read by the next cli_config, instead of what was read. */
static void
config_switch(const char *path)
{
	if (config_loaded)
		mamori_config_free(&config);
	config_loaded = false;
	config_path = path;
}

int
cli_config_use(const char *path)
{
	config_switch(path);
	return cli_config() != NULL ? EXIT_OK : EXIT_USAGE;
}

int
cli_config_reload(void)
{
	static struct mamori_config *retired;
	static size_t nretired;
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	struct mamori_config fresh, *r;
	const char *path = named_path();

	if (mamori_config_load(&fresh, path, path != NULL, &d, &err) != 0) {
		mamori_diags_print(&d, stderr);
		fprintf(stderr, "mamori: %s\n", err.message);
		mamori_diags_clear(&d);
		return EXIT_USAGE;
	}
	mamori_diags_clear(&d);
	/* the settings read before stay allocated: a server's settings point into them */
	if (config_loaded) {
		if ((r = realloc(retired, (nretired + 1) * sizeof(*retired))) == NULL) {
			mamori_config_free(&fresh);
			return EXIT_ENV;
		}
		retired = r;
		retired[nretired++] = config;
	}
	config = fresh;
	config_loaded = true;
	return EXIT_OK;
}

const struct mamori_config *
cli_config(void)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	const char *path = named_path();

	if (config_loaded)
		return &config;
	if (mamori_config_load(&config, path, path != NULL, &d, &err) != 0) {
		mamori_diags_print(&d, stderr);
		fprintf(stderr, "mamori: %s\n", err.message);
		mamori_diags_clear(&d);
		exit(EXIT_USAGE);	/* a refused configuration stops every command, like a bad option */
	}
	mamori_diags_clear(&d);
	config_loaded = true;
	return &config;
}

const char *
cli_config_peek(const char *key)
{
	struct mamori_diags d = { 0 };
	struct mamori_error err = { 0 };
	const char *path = named_path();

	if (!config_loaded) {
		config_loaded = mamori_config_load(&config, path, path != NULL, &d, &err) == 0;
		mamori_diags_clear(&d);
	}
	return config_loaded ? mamori_config_get(&config, key) : NULL;
}

void
cli_config_flag(const char *key, const char *value)
{
	if (value != NULL && cli_config() != NULL)
		mamori_config_set(&config, key, value, MAMORI_CONFIG_FLAG);
}

const char *
cli_config_chosen(const char *key)
{
	const struct mamori_config *c = cli_config();

	for (size_t i = 0; i < mamori_config_nsettings; i++)
		if (strcmp(mamori_config_settings[i].key, key) == 0)
			return c->origin[i] != MAMORI_CONFIG_BUILTIN ? c->value[i] : NULL;
	return NULL;
}

/* Where setting i came from, for a person. */
static void
origin_text(const struct mamori_config *c, size_t i, char *out, size_t n)
{
	switch (c->origin[i]) {
	case MAMORI_CONFIG_BUILTIN: snprintf(out, n, "%s", _("default")); break;
	case MAMORI_CONFIG_FILE: snprintf(out, n, "%s:%d", c->path, c->line[i]); break;
	case MAMORI_CONFIG_ENV: snprintf(out, n, "$%s", mamori_config_settings[i].env); break;
	case MAMORI_CONFIG_FLAG: snprintf(out, n, "%s", _("command line")); break;
	}
}

static int
config_show(bool json)
{
	const struct mamori_config *c = cli_config();
	char from[4200], shown[4096];
	cJSON *root, *o;
	char *text;

	if (!json) {
		printf(_("# configuration file: %s\n"), c->path ? c->path : _("(none read)"));
		for (size_t i = 0; i < mamori_config_nsettings; i++) {
			origin_text(c, i, from, sizeof(from));
			if (c->value[i] != NULL)	/* a URL's password never shown (the store's, the mail's) */
				printf("%s = %s\t# %s\n", mamori_config_settings[i].key,
				    mamori_location_masked(c->value[i], shown, sizeof(shown)), from);
			else
				printf("# %s (%s)\t# %s\n", mamori_config_settings[i].key, _("unset"), from);
		}
		return EXIT_OK;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "file", c->path ? cJSON_CreateString(c->path) : cJSON_CreateNull());
	for (size_t i = 0; i < mamori_config_nsettings; i++) {
		static const char *const origins[] = { "default", "file", "environment", "flag" };
		o = cJSON_AddObjectToObject(root, mamori_config_settings[i].key);
		cJSON_AddItemToObject(o, "value", c->value[i] ?
		    cJSON_CreateString(mamori_location_masked(c->value[i], shown, sizeof(shown))) : cJSON_CreateNull());
		cJSON_AddStringToObject(o, "from", origins[c->origin[i]]);
		if (c->origin[i] == MAMORI_CONFIG_FILE)
			cJSON_AddNumberToObject(o, "line", c->line[i]);
		if (c->origin[i] == MAMORI_CONFIG_ENV)
			cJSON_AddStringToObject(o, "variable", mamori_config_settings[i].env);
	}
	text = cJSON_Print(root);
	puts(text);
	free(text);
	cJSON_Delete(root);
	return EXIT_OK;
}

static const char config_usage[] =
    "usage: mamori config show [--config FILE] [--json]\n"
    "       mamori config keys\n"
    "The file: --config FILE, else $MAMORI_CONFIG, else " MAMORI_CONFIG_DEFAULT_PATH " (when present).\n"
    "Command-line options override it, and $MAMORI_DB and $MAMORI_QUARANTINE override it too.\n";

int
cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(config_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "keys") == 0) {
		for (size_t i = 0; i < mamori_config_nsettings; i++)
			printf("%-18s %s\n", mamori_config_settings[i].key, _(mamori_config_settings[i].doc));
		return EXIT_OK;
	}
	if (strcmp(argv[1], "show") != 0)
		return cli_usage_error("config: unknown subcommand '%s'\n%s", argv[1], config_usage);
	optind = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "+c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_switch(optarg); break;	/* main may have read the default (cli_config_peek) */
		case 'j': json = true; break;
		case 'h': fputs(config_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("config: bad option\n%s", config_usage);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("config: unexpected argument\n%s", config_usage);
	return config_show(json);
}
