/* cmd_backup.c — `mamori backup` and `mamori restore` (mamori/backup.h). */
#include "cli.h"
#include "mamori/backup.h"
#include "mamori/config.h"
#include "mamori/i18n.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char backup_usage[] =
    "usage: mamori backup [--db PATH] (--out FILE | --auto [--keep N]) [--quarantine DIR] [--to PUBKEY]\n"
    "       mamori backup keygen --out FILE\n"
    "  --auto: into the configuration's backup.dir as mamori-YYYYMMDDTHHMMSSZ.tar, keeping\n"
    "  the newest backup.keep (or --keep N) archives there.\n"
    "  --to (or backup.recipient): sealed to that public key (keygen makes FILE and FILE.pub);\n"
    "  a sealed archive holds the private keys too.\n";

static const char restore_usage[] =
    "usage: mamori restore FILE --db PATH [--head FILE]... [--quarantine DIR] [--identity SECRETKEY]\n"
    "  Refuses an existing PATH; checks the manifest and the whole audit trail, and that\n"
    "  the trail extends each saved signed head given with --head.\n";

/* The archive's path for --auto: backup.dir/mamori-<UTC time>.tar. */
static int
auto_path(char *out, size_t n)
{
	const char *dir = mamori_config_get(cli_config(), "backup.dir");
	char stamp[32];
	time_t now = time(NULL);

	if (dir == NULL)
		return cli_usage_error("backup: --auto needs backup.dir in the configuration");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "mamori: backup: cannot make %s: %s\n", dir, strerror(errno));
		return EXIT_ENV;
	}
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
	snprintf(out, n, "%s/mamori-%s.tar", dir, stamp);
	return EXIT_OK;
}

/* `mamori backup keygen --out FILE`: a key pair for sealed backups. */
static int
backup_keygen(int argc, char **argv)
{
	struct mamori_error err = { 0 };
	int rc;

	if (argc != 3 || strcmp(argv[1], "--out") != 0)
		return cli_usage_error("backup: keygen --out FILE\n%s", backup_usage);
	if ((rc = mamori_backup_keygen(argv[2], &err)) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return cli_exit_code(rc);
	}
	printf(_("backup: secret key %s (mode 0600: keep it away from this server), public key %s.pub "
	    "(backup.recipient)\n"), argv[2], argv[2]);
	return EXIT_OK;
}

int
cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "auto", no_argument, NULL, 'a' },
		{ "keep", required_argument, NULL, 'k' },
		{ "quarantine", required_argument, NULL, 'q' },
		{ "to", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mamori_backup_opts bo = { 0 };
	struct mamori_backup_report r;
	struct mamori_error err = { 0 };
	const char *db = NULL, *out = NULL;
	char path[4200], *end;
	bool autom = false;
	long keep = -1;
	size_t removed;
	int c, rc;

	if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
		return backup_keygen(argc - 1, argv + 1);
	optind = 0;
	while ((c = getopt_long(argc, argv, "+d:o:ak:q:T:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'o': out = optarg; break;
		case 'a': autom = true; break;
		case 'k':
			keep = strtol(optarg, &end, 10);
			if (*end != '\0' || keep < 1 || keep > 10000)
				return cli_usage_error("backup: --keep is 1 to 10000 archives");
			break;
		case 'q': bo.quarantine_dir = optarg; break;
		case 'T': bo.recipient = optarg; break;
		case 'h': fputs(backup_usage, stdout); return EXIT_OK;
		default: return cli_usage_error("backup: bad option\n%s", backup_usage);
		}
	}
	if (optind != argc || (out == NULL) == !autom)
		return cli_usage_error("backup: give --out FILE or --auto\n%s", backup_usage);
	if (autom) {
		if ((rc = auto_path(path, sizeof(path))) != EXIT_OK)
			return rc;
		out = path;
	}
	if (bo.quarantine_dir == NULL)
		bo.quarantine_dir = mamori_config_get(cli_config(), "quarantine");
	if (bo.recipient == NULL)
		bo.recipient = mamori_config_get(cli_config(), "backup.recipient");
	if ((rc = mamori_backup_create(cli_db_path(db), out, &bo, &r, &err)) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		return cli_exit_code(rc);
	}
	printf(_("backup: %s: %zu files, %llu bytes, %lld events; manifest SHA-256 %s\n"), out, r.files,
	    (unsigned long long)r.bytes, (long long)r.events, r.manifest_sha256);
	if (r.sealed)
		printf(_("backup: sealed to %s, with the private keys\n"), bo.recipient);
	if (autom) {
		if (keep < 0)
			keep = mamori_config_number(cli_config(), "backup.keep", 7);
		if ((rc = mamori_backup_prune(mamori_config_get(cli_config(), "backup.dir"), (unsigned)keep, &removed,
		    &err)) != 0) {
			fprintf(stderr, "mamori: %s\n", err.message);
			return cli_exit_code(rc);
		}
		if (removed > 0)
			printf(_("backup: %zu older archives removed (keeping %ld)\n"), removed, keep);
	}
	return EXIT_OK;
}

int
cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "head", required_argument, NULL, 'H' },
		{ "quarantine", required_argument, NULL, 'q' },
		{ "identity", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mamori_restore_opts ro = { 0 };
	struct mamori_backup_report r;
	struct mamori_error err = { 0 };
	struct mamori_head *heads = NULL;
	const char *db = NULL;
	char summary[512];
	int c, rc = EXIT_OK;

	if ((heads = calloc((size_t)argc, sizeof(*heads))) == NULL)
		return EXIT_ENV;
	optind = 0;
	while (rc == EXIT_OK && (c = getopt_long(argc, argv, "d:H:q:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'H':
			if (mamori_head_read_file(optarg, &heads[ro.nheads], &err) != 0) {
				fprintf(stderr, "mamori: restore: %s: %s\n", optarg, err.message);
				rc = EXIT_USAGE;
			}
			ro.nheads++;
			break;
		case 'q': ro.quarantine_dir = optarg; break;
		case 'i': ro.identity = optarg; break;
		case 'h': fputs(restore_usage, stdout); rc = -1; break;
		default: rc = cli_usage_error("restore: bad option\n%s", restore_usage);
		}
	}
	if (rc != EXIT_OK)
		goto out;
	/* the store named on the command line only: a restore into the configured store by mistake is
	 * refused anyway (it exists), but the path should be a deliberate choice */
	if (optind != argc - 1 || db == NULL) {
		rc = cli_usage_error("restore: name the archive and --db PATH\n%s", restore_usage);
		goto out;
	}
	ro.heads = heads;
	if ((rc = mamori_backup_restore(argv[optind], db, &ro, &r, summary, sizeof(summary), &err)) != 0) {
		fprintf(stderr, "mamori: %s\n", err.message);
		rc = cli_exit_code(rc);
		goto out;
	}
	printf(_("restore: %s: %zu files, %lld events, verified: %s\n"), db, r.files, (long long)r.events, summary);
	if (!r.keys)
		printf(_("restore: the private keys are not in this backup: put the signing key at %s.key and the "
		    "TOTP key at %s.totp-key (from where they are kept) before serving\n"), db, db);
out:
	free(heads);
	return rc < 0 ? EXIT_OK : rc;
}
