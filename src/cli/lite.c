/*
 * lite.c — `mamori` without what only mamori-full has (full.c, main.c says
 * why): no full-only command groups, no workbook reader and no PostgreSQL
 * backend (libpq), so that main runs mamori-full for them.
 */
#include "cli.h"

const struct cli_full cli_full = { 0 };
