/* i18n.c — the language of messages (see mamori/i18n.h). */
#include "mamori/i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

/* The first of LC_ALL, LC_MESSAGES, LANG that is set and not empty, as setlocale reads them. */
static const char *
messages_setting(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((v = getenv(vars[i])) != NULL && *v != '\0')
			return v;
	return NULL;
}

void
mamori_i18n_init(const char *localedir)
{
	const char *setting = messages_setting(), *dir = getenv("MAMORI_LOCALEDIR");

	if (setlocale(LC_MESSAGES, "") == NULL && setting != NULL && strncmp(setting, "ja", 2) == 0) {
		/* ja_JP.UTF-8 asked for but not generated: gettext ignores LANGUAGE only in the C locale */
		const char *language = getenv("LANGUAGE");

		setlocale(LC_MESSAGES, "C.UTF-8");
		if (language == NULL || *language == '\0')
			setenv("LANGUAGE", "ja", 1);
	}
	bindtextdomain("mamori", dir != NULL && *dir != '\0' ? dir : localedir);
	bind_textdomain_codeset("mamori", "UTF-8");
}
