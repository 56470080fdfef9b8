/* i18n.h — messages people read, in Japanese or English (gettext, domain "mamori"). */
#ifndef MAMORI_I18N_H
#define MAMORI_I18N_H

#include <libintl.h>

/* _("…") marks and translates a message; N_("…") only marks one kept in a table. */
#define _(msgid) dgettext("mamori", msgid)
#define N_(msgid) (msgid)
/* The form of a count: P_("%d asset imported", "%d assets imported", n). */
#define P_(one, many, n) dngettext("mamori", one, many, (unsigned long)(n))

/*
 * Chooses the language of messages from the environment as gettext does
 * (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): Japanese under ja_JP.UTF-8, English
 * under C.  Where the ja_JP locale is not generated on the machine, a Japanese
 * setting still gives Japanese messages (through C.UTF-8 and LANGUAGE=ja), so
 * a fresh server speaks the language its operator asked for.  Translations are
 * read from $MAMORI_LOCALEDIR, else from the directory the program was built
 * for (the build tree's po/ before installation, the installed locale directory
 * after).  Call once, first thing in main, before any thread starts.
 */
void mamori_i18n_init(const char *localedir);

#endif
