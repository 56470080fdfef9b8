/* store_sqltext.c — SQL text built at run time (store_sqltext.h). */
#include "store_sqltext.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
sql_add(struct list_sql *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(q->text + q->used, sizeof(q->text) - q->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		q->used += (size_t)n < sizeof(q->text) - q->used ? (size_t)n : sizeof(q->text) - q->used - 1;
}

const char *
level_op(const char *op)
{
	static const char *const ops[] = { ">=", "<=", "=", "<", ">" };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i]) == 0)
			return ops[i];
	return NULL;
}
