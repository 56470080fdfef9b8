/*
 * full.c — what only `mamori-full` has (main.c says why): the command groups
 * that need the mail, PDF and HTTP stacks, the XLSX reader that `asset
 * import` uses for a workbook, and PostgreSQL's backend of the store.  `mamori` links lite.c instead, where these are
 * empty, and runs mamori-full for them.  Every other command file is compiled
 * once and linked into both programs.
 */
#include "cli.h"
#include "mamori/asset.h"
#include "mamori/diag.h"
#include "mamori/mail.h"
#include "mamori/xlsx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Progress of reading a sheet, before the import's own (only on a terminal). */
static void
reading_progress(size_t rows)
{
	fprintf(stderr, "\rreading the sheet: %zu rows", rows);
}

/* The sheet (NULL: the first) of the workbook at path as CSV text, or NULL with msg (cli.h). */
static char *
workbook_csv(const char *path, const char *sheet, size_t *len, char *msg, size_t msglen)
{
	size_t book_len;
	char *book, *csv;

	if ((book = cli_read_file(path, (size_t)1 << 30, &book_len)) == NULL) {
		snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	csv = mamori_xlsx_sheet_csv(book, book_len, sheet, NULL, isatty(STDERR_FILENO) ? reading_progress : NULL,
	    len, msg, msglen);
	if (isatty(STDERR_FILENO))	/* the import's progress takes the line over */
		fprintf(stderr, "\r%40s\r", "");
	free(book);
	return csv;
}

/* The sheet (NULL: the first) of the workbook at path as CSV, imported; the import's status. */
static int
import_workbook(struct mamori_store *s, const char *actor, const char *sheet,
    const struct mamori_import_opts *opts, const char *path, struct mamori_diags *d, size_t *count,
    struct mamori_error *err)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t csv_len;
	char *csv, msg[512];

	if ((csv = workbook_csv(path, sheet, &csv_len, msg, sizeof(msg))) == NULL) {
		if (strncmp(msg, "cannot read ", 12) == 0)
			return mamori_error_set(err, MAMORI_E_IO, "%s", msg);
		mamori_diags_add(d, MAMORI_SEV_ERROR, NULL, 0, 0, "%s: %s", name, msg);
		return mamori_error_set(err, MAMORI_E_INVALID, "%s: cannot read the workbook", name);
	}
	return mamori_asset_import_text(s, actor, name, csv, csv_len, opts, d, count, err);
}

int cmd_store(int argc, char **argv);	/* cmd_store.c */

static const struct cli_command full_commands[] = {
	{ "sanitize", cmd_sanitize, NULL },
	{ "quarantine", cmd_quarantine, NULL },
	{ "milter", cmd_milter, NULL },
	{ "serve", cmd_serve, NULL },
	{ "report", cmd_report, NULL },
	{ "store", cmd_store, NULL },
};

const struct cli_full cli_full = {
	.commands = full_commands,
	.ncommands = sizeof(full_commands) / sizeof(full_commands[0]),
	.pg = true,
	.import_workbook = import_workbook,
	.mail = &mamori_mail_smtp,
	.workbook_csv = workbook_csv,
};
