/*
 * store_sqltext.h — SQL text built at run time, for the backends whose
 * queries depend on which filters are present (the register's list): a
 * bounded buffer appended to, and the fixed table of a level's operators.
 * No database here; each backend (store_sqlite_asset.c, store_pg_asset.c)
 * writes its own SQL with it.  (internal)
 */
#ifndef MAMORI_STORE_SQLTEXT_H
#define MAMORI_STORE_SQLTEXT_H

#include <stddef.h>

/* A query's text as it is built; a text that would not fit is cut (the query then fails to prepare). */
struct list_sql {
	char text[1536];
	size_t used;
};

/* Appends fmt's text to q, cut to what fits. */
void sql_add(struct list_sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A level's operator as the fixed table spells it (mamori_asset_filter_level's:
 * >=, <=, =, <, >), never the caller's string; NULL when op is none of them.
 */
const char *level_op(const char *op);

#endif
