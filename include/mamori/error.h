/* mamori/error.h — status codes and the error object every library call fills. */
#ifndef MAMORI_ERROR_H
#define MAMORI_ERROR_H

/* Library functions return 0 on success or one of these negative codes. */
enum {
	MAMORI_OK = 0,
	MAMORI_E_NOMEM = -1,	/* out of memory */
	MAMORI_E_IO = -2,	/* a file could not be read or written */
	MAMORI_E_INVALID = -3,	/* the input is invalid (see the diagnostics) */
	MAMORI_E_NOTFOUND = -4,	/* a named thing does not exist */
	MAMORI_E_CONFLICT = -5,	/* it exists already / state conflict */
	MAMORI_E_DENIED = -6,	/* refused by the policy */
	MAMORI_E_TAMPERED = -7,	/* integrity check failed */
	MAMORI_E_VERSION = -8,	/* format or schema version not supported */
	MAMORI_E_STORE = -9,	/* the store reported an error */
	MAMORI_E_USAGE = -10,	/* the caller passed bad arguments */
	MAMORI_E_MFA = -11,	/* the password was right; a one-time code is required */
};

/*
 * What went wrong, for a person: the message, where (file, line or row, column;
 * 0 when unknown) and the policy clause behind it when there is one.  Callers own
 * the struct; the library only fills it.
 */
struct mamori_error {
	int code;
	char message[512];
	char file[256];
	int line;
	int column;
	char clause[128];
};

/* Resets err to "no error".  err may be NULL. */
void mamori_error_clear(struct mamori_error *err);

/*
 * Fills err (when not NULL) with code and a printf-style message, clearing the
 * location, and returns code so that callers can write `return mamori_error_set(...)`.
 */
int mamori_error_set(struct mamori_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A short English name for a status code ("invalid input", ...).  Never NULL. */
const char *mamori_strerror(int code);

#endif
