/* mamori/config.h — the server's configuration file, /etc/mamori/mamori.conf. */
#ifndef MAMORI_CONFIG_H
#define MAMORI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "mamori/diag.h"
#include "mamori/error.h"

/* Where the file is when neither --config nor $MAMORI_CONFIG names one. */
#define MAMORI_CONFIG_DEFAULT_PATH "/etc/mamori/mamori.conf"

/* Where a setting's value came from, weakest first. */
enum mamori_config_origin {
	MAMORI_CONFIG_BUILTIN,	/* mamori's own default */
	MAMORI_CONFIG_FILE,	/* a line of the file */
	MAMORI_CONFIG_ENV,	/* an environment variable ($MAMORI_DB …) */
	MAMORI_CONFIG_FLAG,	/* a command-line option */
};

/* One setting: its name, kind, bounds, default and what it means (config.c's table). */
struct mamori_config_setting {
	const char *key;
	enum { MAMORI_CONFIG_TEXT, MAMORI_CONFIG_NUMBER } type;
	long min, max;		/* a number's bounds */
	const char *def;	/* NULL: unset */
	const char *env;	/* the environment variable that overrides the file, or NULL */
	const char *doc;	/* one line, English (a msgid) */
};

/* The table of every setting, in the order `mamori config show` prints them. */
extern const struct mamori_config_setting mamori_config_settings[];
extern const size_t mamori_config_nsettings;

/*
 * The effective settings: for each of mamori_config_settings, its value
 * (NULL: unset), where it came from, and the file's line when from the file.
 * Owns its strings; a zeroed struct is empty; release with mamori_config_free.
 */
struct mamori_config {
	char *path;		/* the file read, NULL when none */
	char **value;
	enum mamori_config_origin *origin;
	int *line;
};

/*
 * Reads the configuration: the built-in defaults, then the file at path
 * (NULL: MAMORI_CONFIG_DEFAULT_PATH, which may be absent; a path named
 * explicitly must exist), then the environment variables of the table.
 * Lines are `key = value`, `#` starts a comment line.  Every problem (an
 * unknown key, with a suggestion; a number out of bounds; a key twice; a line
 * without `=`) is added to d as FILE:LINE:COL and the whole file is refused
 * (MAMORI_E_INVALID).  An unreadable file is MAMORI_E_IO.
 */
int mamori_config_load(struct mamori_config *c, const char *path, bool must_exist,
    struct mamori_diags *d, struct mamori_error *err);

/* The value of key (NULL when unset; key must be in the table). Borrowed from c. */
const char *mamori_config_get(const struct mamori_config *c, const char *key);

/* A number setting's value (def when unset). */
long mamori_config_number(const struct mamori_config *c, const char *key, long def);

/* Records that a command-line option set key to value (for `config show`). 0 or MAMORI_E_NOMEM. */
int mamori_config_set(struct mamori_config *c, const char *key, const char *value,
    enum mamori_config_origin origin);

/* Frees what c owns and leaves it empty. */
void mamori_config_free(struct mamori_config *c);

#endif
