/*
 * lang.h — the language of one request's answer (server-internal).  Every
 * human-readable string the server answers (error messages, diagnostics,
 * import problems, refusals) is a gettext message translated when it is made,
 * on the thread that serves the request.  So the server picks the language
 * from the request's Accept-Language (ja or en; q-values honoured; the
 * server's own LANG when the header names neither) and makes it the thread's
 * locale with uselocale() for that request only, then restores the thread's
 * previous one: requests served at once on different threads each get their
 * own language.
 *
 * How a locale picks the language.  glibc's gettext reads the thread's
 * LC_MESSAGES locale, and the LANGUAGE variable before it — except under the
 * locale named "C", where LANGUAGE is ignored.  LANGUAGE is read from the
 * environment, for the whole process, so it cannot differ between threads.
 * lang_open therefore makes English the LC_MESSAGES locale "C" (msgids are
 * English) and Japanese a non-C one, ja_JP.UTF-8 or where that is not
 * generated C.UTF-8, and sets LANGUAGE=ja for the process: under ja_JP.UTF-8
 * or C.UTF-8 it says Japanese, under C it is ignored.  An operator's own
 * LANGUAGE thus chooses the server's default language but cannot override a
 * request's choice.  Only LC_MESSAGES is switched; the character type and the
 * other categories stay the process's.
 */
#ifndef MAMORI_SERVER_LANG_H
#define MAMORI_SERVER_LANG_H

#include <locale.h>
#include <stdbool.h>

enum lang_id {
	LANG_EN,
	LANG_JA,
	LANG_COUNT,
};

struct lang {
	locale_t locale[LANG_COUNT];	/* (locale_t)0 where it could not be made */
	enum lang_id fallback;		/* the server's own language (LANG, LANGUAGE, ...) */
};

/*
 * Sets the languages up: reads the process's own language (as gettext has it
 * now, after mamori_i18n_init), makes one locale object per language (for
 * Japanese the first of ja_locales, a NULL-terminated list of locale names,
 * that is installed; NULL: ja_JP.UTF-8, then C.UTF-8), sets
 * LANGUAGE=ja and the process's LC_MESSAGES to its own language so that what
 * is said outside a request keeps it.  Changes the environment and the global
 * locale: call before any thread starts.  When Japanese cannot be had (none
 * of those locales is installed), says so once on stderr with the command
 * that fixes it, and every request gets the server's own language.  Never
 * fails; release with lang_close.
 */
void lang_open(struct lang *l, const char *const *ja_locales);

/* Frees the locale objects; no request may be using them.  Accepts a zeroed struct. */
void lang_close(struct lang *l);

/*
 * The language an Accept-Language value (RFC 9110 12.5.4; NULL when absent)
 * asks for among ja and en: the one with the highest q-value (a language range
 * such as "en-US" counts as its primary tag, "*" for each language not named),
 * the first named on a tie, fallback when neither is acceptable or named.
 */
enum lang_id lang_choose(const char *accept_language, enum lang_id fallback);

/* The language of a request's answer: lang_choose, or the server's own where
 * the language chosen could not be set up. */
enum lang_id lang_of_request(const struct lang *l, const char *accept_language);

/*
 * Makes id the calling thread's language (leaves the thread's locale as it is
 * when id has none) and returns the thread's previous locale for lang_leave.
 */
locale_t lang_enter(const struct lang *l, enum lang_id id);

/* Gives the thread back the locale lang_enter returned. */
void lang_leave(locale_t previous);

/* The language tag of id for Content-Language: "ja" or "en". */
const char *lang_tag(enum lang_id id);

#endif
