/* error.c — the error object. */
#include "mamori/error.h"
#include "mamori/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
mamori_error_clear(struct mamori_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

int
mamori_error_set(struct mamori_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	mamori_error_clear(err);
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), _(fmt), ap);	/* marked by xgettext's keyword */
	va_end(ap);
	return code;
}

const char *
mamori_strerror(int code)
{
	static const struct {
		int code;
		const char *text;
	} names[] = {
		{ MAMORI_OK, "success" },
		{ MAMORI_E_NOMEM, "out of memory" },
		{ MAMORI_E_IO, "input/output error" },
		{ MAMORI_E_INVALID, "invalid input" },
		{ MAMORI_E_NOTFOUND, "not found" },
		{ MAMORI_E_CONFLICT, "conflict" },
		{ MAMORI_E_DENIED, "denied by the policy" },
		{ MAMORI_E_TAMPERED, "integrity check failed" },
		{ MAMORI_E_VERSION, "unsupported version" },
		{ MAMORI_E_STORE, "store error" },
		{ MAMORI_E_USAGE, "usage error" },
		{ MAMORI_E_MFA, "one-time code required" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].text;
	return "unknown error";
}
