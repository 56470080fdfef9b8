/* cmd_user.c — `mamori user add | passwd | disable | enable | email | list | mfa enroll | mfa reset`
 * (move, retire, holdings, changes: cmd_user_personnel.c). */
#include "cli.h"
#include "mamori/auth.h"
#include "mamori/policy.h"
#include "mamori/store.h"
#include "mamori/user.h"

#include <cjson/cJSON.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char user_usage[] =
    "usage: mamori user add NAME --role ROLE [--department D] [--email ADDRESS] [--password-stdin [--temporary]]\n"
    "                       [--db PATH]\n"
    "       mamori user passwd NAME [--password-stdin] [--temporary] [--db PATH]\n"
    "       mamori user disable NAME | enable NAME [--db PATH]\n"
    "       mamori user email NAME ADDRESS | email NAME --clear [--db PATH]   (where notices go by mail)\n"
    "       mamori user list [--json] [--db PATH]\n"
    "       mamori user mfa enroll NAME | mfa reset NAME [--db PATH]\n"
    "       mamori user token NAME --scope read|write|gateway [--days N] [--db PATH]\n"
    "       mamori user move NAME --department D [--role R] | retire NAME --reason TEXT [--json]\n"
    "       mamori user holdings NAME | changes FILE [--dry-run]   (異動・退職: what to hand over)\n"
    "--temporary: the holder must choose a new password at the next login (web UI).\n";

struct user_opts {
	const char *db, *role, *department, *scope, *email;
	long days;
	bool password_stdin, json, temporary, clear;
};

static int
parse(int argc, char **argv, struct user_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "role", required_argument, NULL, 'r' },
		{ "department", required_argument, NULL, 'D' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "temporary", no_argument, NULL, 't' },
		{ "scope", required_argument, NULL, 's' },
		{ "days", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "email", required_argument, NULL, 'e' },
		{ "clear", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	char *end;

	memset(o, 0, sizeof(*o));
	o->days = 90;
	optind = 0;
	while ((c = getopt_long(argc, argv, "d:r:D:pts:n:je:ch", opts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'e': o->email = optarg; break;
		case 'c': o->clear = true; break;
		case 't': o->temporary = true; break;
		case 's': o->scope = optarg; break;
		case 'n':
			o->days = strtol(optarg, &end, 10);
			if (*end || o->days < 1 || o->days > 3650)
				return cli_usage_error("user token: --days is 1 to 3650");
			break;
		case 'd': o->db = optarg; break;
		case 'r': o->role = optarg; break;
		case 'D': o->department = optarg; break;
		case 'p': o->password_stdin = true; break;
		case 'h': fputs(user_usage, stdout); return -1;
		default: return cli_usage_error("user: bad option\n%s", user_usage);
		}
	}
	return 0;
}

/* Reads a password: one line from stdin, or twice without echo from a terminal. */
static int
read_password(bool from_stdin, char *buf, size_t n)
{
	char again[1100];
	struct termios old, quiet;
	bool tty = !from_stdin && isatty(0);

	if (!from_stdin && !tty) {
		fprintf(stderr, "mamori: user: give the password on standard input with --password-stdin\n");
		return EXIT_USAGE;
	}
	if (tty) {
		tcgetattr(0, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &quiet);
		fputs("パスワード / password: ", stderr);
	}
	bool got = fgets(buf, (int)n, stdin) != NULL;
	if (tty) {
		fputs("\nもう一度 / again: ", stderr);
		got = got && fgets(again, sizeof(again), stdin) != NULL;
		tcsetattr(0, TCSANOW, &old);
		fputc('\n', stderr);
	}
	buf[got ? strcspn(buf, "\r\n") : 0] = '\0';
	if (tty && got) {
		again[strcspn(again, "\r\n")] = '\0';
		if (strcmp(buf, again) != 0) {
			fprintf(stderr, "mamori: user: the two passwords differ\n");
			return EXIT_USAGE;
		}
	}
	if (!got || buf[0] == '\0') {
		fprintf(stderr, "mamori: user: empty password\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* What `user list` prints each account with: the policy for its titles, and
 * whether the listing is JSON and has printed its first element. */
struct user_listing {
	const struct mamori_policy *policy;
	bool json, started;
};

/* One account as a JSON object (the listing's element; see docs/cli-json.md). */
static void
print_user_json(const struct mamori_user *u, struct user_listing *l)
{
	cJSON *j = cJSON_CreateObject();
	char *txt;

	cJSON_AddStringToObject(j, "name", u->name);
	cJSON_AddStringToObject(j, "role", u->role);
	if (u->department[0])
		cJSON_AddStringToObject(j, "department", u->department);
	else
		cJSON_AddNullToObject(j, "department");
	if (u->email[0])
		cJSON_AddStringToObject(j, "email", u->email);
	else
		cJSON_AddNullToObject(j, "email");
	cJSON_AddBoolToObject(j, "password", u->has_password);
	cJSON_AddBoolToObject(j, "totp", u->has_totp);
	cJSON_AddBoolToObject(j, "disabled", u->disabled);
	cJSON_AddNumberToObject(j, "failures", u->failures);
	cJSON_AddStringToObject(j, "created", u->created);
	txt = cJSON_PrintUnformatted(j);
	printf("%s%s", l->started ? ",\n" : "[\n", txt ? txt : "{}");
	l->started = true;
	free(txt);
	cJSON_Delete(j);
}

/* People read titles (情報セキュリティ管理者, 税務課), not ids; ids stay in --json. */
static int
print_user(const struct mamori_user *u, void *ctx)
{
	struct user_listing *l = ctx;
	const struct mamori_role *role = mamori_policy_find_role(l->policy, u->role);
	const struct mamori_department *dep = u->department[0] ?
	    mamori_policy_find_department(l->policy, u->department) : NULL;

	if (l->json) {
		print_user_json(u, l);
		return 0;
	}
	printf("%-12s  %-16s  %-12s  %-8s %-5s %-8s %s\n", u->name, role ? role->title : u->role,
	    dep ? dep->title : u->department[0] ? u->department : "-",
	    u->has_password ? "password" : "-", u->has_totp ? "totp" : "-", u->disabled ? "disabled" : "active",
	    u->email[0] ? u->email : "-");
	return 0;
}

/* Lists the accounts: a JSON array (one element per line) or one line each. */
static int
list_users(struct mamori_store *s, bool json, struct mamori_error *err)
{
	struct user_listing l = { .policy = mamori_store_policy(s), .json = json };
	int rc = mamori_user_list(s, print_user, &l, err);

	if (rc == 0 && json)
		fputs(l.started ? "\n]\n" : "[]\n", stdout);
	return rc;
}

int
cmd_user(int argc, char **argv)
{
	struct user_opts o;
	struct mamori_store *s = NULL;
	struct mamori_error err = { 0 };
	char password[1100], secret[MAMORI_TOTP_SECRET_LEN];
	const char *sub, *name = NULL;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(user_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "move") == 0 || strcmp(sub, "retire") == 0 || strcmp(sub, "holdings") == 0 ||
	    strcmp(sub, "changes") == 0)
		return cli_user_personnel(sub, argc, argv);
	if (strcmp(sub, "mfa") == 0) {
		if (argc < 3 || (strcmp(argv[2], "enroll") != 0 && strcmp(argv[2], "reset") != 0))
			return cli_usage_error("user mfa: enroll NAME or reset NAME\n%s", user_usage);
		sub = strcmp(argv[2], "enroll") == 0 ? "mfa-enroll" : "mfa-reset";
		argc--;
		argv++;
	}
	if ((rc = parse(argc - 1, argv + 1, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (strcmp(sub, "email") == 0) {
		/* user email NAME ADDRESS, or NAME --clear */
		if (optind != argc - (o.clear ? 2 : 3))
			return cli_usage_error("user email: name one user and an address, or --clear\n%s", user_usage);
		o.email = o.clear ? NULL : argv[optind + 2];
	} else if (o.clear) {
		return cli_usage_error("user %s: --clear is for user email\n%s", sub, user_usage);
	}
	if (strcmp(sub, "list") != 0) {
		if (optind != argc - 2 && strcmp(sub, "email") != 0)
			return cli_usage_error("user %s: name one user\n%s", sub, user_usage);
		name = argv[optind + 1];
	}
	if (strcmp(sub, "add") == 0 && o.role == NULL)
		return cli_usage_error("user add: --role is required (a role id or title of the policy)");
	if ((strcmp(sub, "passwd") == 0 || (strcmp(sub, "add") == 0 && o.password_stdin)) &&
	    (rc = read_password(o.password_stdin, password, sizeof(password))) != EXIT_OK)
		return rc;
	if (mamori_store_open_private(cli_db_path(o.db), &s, &err) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return EXIT_ENV;
	}
	if (strcmp(sub, "add") == 0)
		rc = mamori_user_add_with_email(s, cli_actor(), name, o.role, o.department, o.email,
		    o.password_stdin ? password : NULL, o.temporary, &err);
	else if (strcmp(sub, "email") == 0)
		rc = mamori_user_set_email(s, cli_actor(), name, o.email, &err);
	else if (strcmp(sub, "passwd") == 0)
		rc = mamori_user_passwd(s, cli_actor(), name, password, o.temporary, &err);
	else if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0)
		rc = mamori_user_disable(s, cli_actor(), name, strcmp(sub, "disable") == 0, &err);
	else if (strcmp(sub, "list") == 0)
		rc = list_users(s, o.json, &err);
	else if (strcmp(sub, "mfa-enroll") == 0) {
		rc = mamori_user_mfa_enroll(s, cli_actor(), name, secret, &err);
		if (rc == 0) {
			char *uri = mamori_auth_totp_uri("mamori", name, secret);
			printf("%s\n", uri ? uri : "");
			if (uri && isatty(1))
				mamori_auth_qr_print(uri, stdout);
			free(uri);
		}
	} else if (strcmp(sub, "token") == 0) {
		char token[MAMORI_TOKEN_LEN];
		rc = mamori_user_token_create(s, cli_actor(), name, o.scope, (int64_t)time(NULL) + o.days * 86400, token, &err);
		if (rc == 0)
			printf("%s\n", token);	/* shown once; only its hash is kept */
		memset(token, 0, sizeof(token));
	} else if (strcmp(sub, "mfa-reset") == 0)
		rc = mamori_user_mfa_reset(s, cli_actor(), name, &err);
	else
		rc = mamori_error_set(&err, MAMORI_E_USAGE, "unknown subcommand '%s'", sub);
	memset(password, 0, sizeof(password));
	memset(secret, 0, sizeof(secret));
	mamori_store_close(&s);
	if (rc != 0) {
		fprintf(stderr, "mamori: user %s: %s\n", sub, err.message);
		return cli_exit_code(rc);
	}
	return EXIT_OK;
}
