/* cli.h — what the command files share with main. */
#ifndef MAMORI_CLI_H
#define MAMORI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* Exit codes (DESIGN.md): */
enum {
	EXIT_OK = 0,
	EXIT_REFUSED = 1,	/* invalid input, denied, tampered */
	EXIT_USAGE = 2,
	EXIT_ENV = 3,		/* cannot open the store, missing key, unreadable file */
	EXIT_UNSUPPORTED = 4,	/* sanitize file: a file type that is refused */
};

/*
 * A command group: `mamori NAME ...`.  argv[0] is the group's name.  run NULL
 * in main's table: a group only mamori-full has (cli_full).
 */
struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

struct mamori_store;
struct mamori_import_opts;
struct mamori_mail_transport;
struct mamori_diags;
struct mamori_error;

/*
 * What only mamori-full links — the groups that need the mail, PDF and HTTP
 * stacks, the XLSX reader and PostgreSQL's backend of the store (main.c says
 * why).  full.c fills it in mamori-full; lite.c leaves it empty in mamori,
 * which then runs mamori-full for those groups, for a workbook import and for
 * every command on a store named by a postgresql:// URL.  Every other command
 * file is compiled once for both programs.
 */
struct cli_full {
	const struct cli_command *commands;
	size_t ncommands;
	/* the store's PostgreSQL backend (libpq) is linked: a postgresql:// store is opened here */
	bool pg;
	/* `asset import` of the workbook at path (sheet NULL: the first), as actor */
	int (*import_workbook)(struct mamori_store *s, const char *actor, const char *sheet,
	    const struct mamori_import_opts *opts, const char *path, struct mamori_diags *d, size_t *count,
	    struct mamori_error *err);
	/* notices by mail: SMTP through libcurl (mamori/mail.h) */
	const struct mamori_mail_transport *mail;
	/* the sheet (NULL: the first) of the workbook at path as CSV text (malloc'd, room for a NUL after
	 * *len bytes), or NULL with a message for a person in msg: for `record import` */
	char *(*workbook_csv)(const char *path, const char *sheet, size_t *len, char *msg, size_t msglen);
};
extern const struct cli_full cli_full;

/*
 * An export's file, made mode 0600 whatever the umask; an existing one is
 * replaced only with force (else -1, errno EEXIST) (cmd_asset.c).
 */
int cli_export_file(const char *path, bool force);

/* Whether path is a regular file that starts like an Excel workbook (cmd_asset.c). */
bool cli_is_workbook(const char *path);

int cmd_policy(int argc, char **argv);
int cmd_decide(int argc, char **argv);
int cmd_serve(int argc, char **argv);

int cmd_init(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_asset(int argc, char **argv);
int cmd_user(int argc, char **argv);
/* `user move | retire | holdings | changes` (cmd_user_personnel.c): sub is argv[1]. */
int cli_user_personnel(const char *sub, int argc, char **argv);
int cmd_sanitize(int argc, char **argv);
int cmd_quarantine(int argc, char **argv);
int cmd_milter(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_net(int argc, char **argv);
int cmd_incident(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

/*
 * The configuration file (mamori/config.h), read once: --config FILE given to
 * cli_config_use, else $MAMORI_CONFIG (which must exist), else
 * /etc/mamori/mamori.conf when present.  A refused file ends the program with
 * every error and exit 2.  cli_config_flag records that an option set key
 * (for `config show`); value NULL changes nothing (cmd_config.c).
 */
struct mamori_config;
const struct mamori_config *cli_config(void);
int cli_config_use(const char *path);
void cli_config_flag(const char *key, const char *value);
/* Reads the same file again (a server's SIGHUP): on refusal, its errors are
 * printed, the settings stay as they were and EXIT_USAGE is returned (the
 * program goes on).  The settings read before stay valid. */
int cli_config_reload(void);
/* The value of key when the file or the environment sets it, else NULL (not the built-in default). */
const char *cli_config_chosen(const char *key);
/* The effective value of key (default included) when the file can be read, else NULL without a
 * word: the command that reads the configuration later says what is wrong (main's store_on_pg). */
const char *cli_config_peek(const char *key);
int cmd_training(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_check(int argc, char **argv);

/*
 * Notices by mail (cmd_record_mail.c).  cli_record_mail: `record mail`, the
 * settings.  cli_mail_needs_full: whether this program cannot send and mail
 * is set up (then `record send` and `record tick` are mamori-full's).
 * cli_mail_send: sends the due notices as of now for command what and prints
 * what it did (into json's "mail" when json is not NULL); with mail off,
 * nothing unless always (then the error); returns an exit code.
 */
struct cJSON;
int cli_record_mail(int argc, char **argv);
bool cli_mail_needs_full(struct mamori_store *s);
int cli_mail_send(struct mamori_store *s, const char *what, time_t now, bool always, struct cJSON *json);

/* The store path: the --db option when given, else $MAMORI_DB, else the configuration's
 * `store`, else ./mamori.db. */
const char *cli_db_path(const char *option);

/* Who acts, for the audit trail: $MAMORI_ACTOR, else "cli:" + the login name. */
const char *cli_actor(void);

struct mamori_policy;
struct mamori_store;
struct mamori_decider;
/*
 * Compiles the decision point from a policy file, or (policy_path NULL) from the
 * store at db with its assets.  The caller frees all three.  Returns an exit code.
 */
int cli_decider_open(const char *policy_path, const char *db, struct mamori_policy **policy,
    struct mamori_store **store, struct mamori_decider **d);

/* Maps a library status to an exit code (DESIGN.md). */
int cli_exit_code(int status);

/*
 * Reads a whole stream (a file or a pipe) of at most max bytes into a malloc'd
 * buffer: *len bytes and a NUL after them.  NULL with errno set when it cannot
 * (EFBIG: longer than max).  cli_read_file opens path ("-": standard input).
 */
char *cli_read_stream(FILE *f, size_t max, size_t *len);
char *cli_read_file(const char *path, size_t max, size_t *len);

/*
 * Runs `mamori-full` (beside this program) with argv[1…]; argv[0] is replaced
 * by its path.  For what needs the libraries only mamori-full loads (main.c
 * says why).  Returns only when it cannot be started: EXIT_ENV, said on stderr.
 */
int cli_run_full(char **argv);

/* Prints "mamori: " + message to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
