/* lang.c — the language of one request's answer (see lang.h). */
#include "lang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mamori/i18n.h"

static const char *const tags[LANG_COUNT] = { [LANG_EN] = "en", [LANG_JA] = "ja" };

/* The names a Japanese LC_MESSAGES may have, best first (lang.h: any non-C
 * locale speaks Japanese under LANGUAGE=ja). */
static const char *const ja_default[] = { "ja_JP.UTF-8", "C.UTF-8", NULL };

/*
 * The language gettext speaks now: the catalogue's header (the translation of
 * "") names it, and is "" where no catalogue is in use.  This reads the choice
 * gettext itself made from LANGUAGE, LC_ALL, LC_MESSAGES and LANG, and
 * mamori_i18n_init's fallback, rather than guessing it again.
 */
static enum lang_id
process_language(void)
{
	const char *header = dgettext("mamori", "");

	return strstr(header, "\nLanguage: ja") != NULL || strncmp(header, "Language: ja", 12) == 0 ?
	    LANG_JA : LANG_EN;
}

/* A locale like the process's, but with LC_MESSAGES name; (locale_t)0 when not installed. */
static locale_t
messages_locale(const char *name)
{
	locale_t base = duplocale(LC_GLOBAL_LOCALE), l;

	if (base == (locale_t)0)
		return (locale_t)0;
	l = newlocale(LC_MESSAGES_MASK, name, base);	/* takes base on success only */
	if (l == (locale_t)0)
		freelocale(base);
	return l;
}

void
lang_open(struct lang *l, const char *const *ja_locales)
{
	const char *ja_name = NULL;

	memset(l, 0, sizeof(*l));
	l->fallback = process_language();
	l->locale[LANG_EN] = messages_locale("C");
	for (const char *const *n = ja_locales ? ja_locales : ja_default; *n != NULL && ja_name == NULL; n++)
		if ((l->locale[LANG_JA] = messages_locale(*n)) != (locale_t)0)
			ja_name = *n;
	if (ja_name == NULL) {
		/* the process keeps its own LANGUAGE and locale: Japanese requests get its language */
		fprintf(stderr, "mamori: serve: no Japanese locale (ja_JP.UTF-8 or C.UTF-8) is installed, so every answer "
		    "is in %s whatever a request's Accept-Language asks; to answer in Japanese, generate it "
		    "(as root: bash scripts/install-deps.sh, or: localedef -i ja_JP -f UTF-8 ja_JP.UTF-8) and "
		    "restart the server\n", l->fallback == LANG_JA ? "Japanese" : "English");
		return;
	}
	setenv("LANGUAGE", "ja", 1);
	/* what is said outside a request (the log) keeps the server's own language */
	setlocale(LC_MESSAGES, l->fallback == LANG_JA ? ja_name : "C");
}

void
lang_close(struct lang *l)
{
	for (size_t i = 0; i < LANG_COUNT; i++)
		if (l->locale[i] != (locale_t)0) {
			freelocale(l->locale[i]);
			l->locale[i] = (locale_t)0;
		}
}

/* A q-value ("1", "0.9", "0.125", "1.000") of n bytes in thousandths; -1 when malformed. */
static int
parse_q(const char *s, size_t n)
{
	int q, scale = 100;

	if (n == 0 || (s[0] != '0' && s[0] != '1') || (n > 1 && s[1] != '.') || n > 5)
		return -1;
	q = (s[0] - '0') * 1000;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

static size_t
skip_ows(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/*
 * One element of the list, s[0..n): its range into *range, *range_len and its
 * q-value in thousandths (1000 when it has none).  False when malformed.
 */
static bool
parse_element(const char *s, size_t n, const char **range, size_t *range_len, int *q)
{
	size_t i = skip_ows(s, 0, n), start = i;

	while (i < n && (s[i] == '-' || s[i] == '*' || (s[i] >= 'a' && s[i] <= 'z') ||
	    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
		i++;
	*range = s + start;
	*range_len = i - start;
	*q = 1000;
	i = skip_ows(s, i, n);
	if (i < n && s[i] == ';') {
		i = skip_ows(s, i + 1, n);
		if (i + 2 > n || (s[i] != 'q' && s[i] != 'Q') || s[i + 1] != '=')
			return false;
		size_t v = i + 2, e = v;
		while (e < n && s[e] != ' ' && s[e] != '\t')
			e++;
		*q = parse_q(s + v, e - v);
		i = skip_ows(s, e, n);
	}
	return *range_len > 0 && *q >= 0 && i == n;
}

enum lang_id
lang_choose(const char *h, enum lang_id fallback)
{
	int q[LANG_COUNT] = { -1, -1 }, star_q = -1;
	size_t pos[LANG_COUNT] = { 0 }, star_pos = 0, k = 0;
	enum lang_id best = fallback;

	for (const char *s = h; s != NULL && *s != '\0'; k++) {
		size_t n = strcspn(s, ","), len;
		const char *range;
		int eq;
		if (parse_element(s, n, &range, &len, &eq)) {
			size_t primary = strcspn(range, "-");
			if (len == 1 && range[0] == '*' && star_q < 0) {
				star_q = eq;
				star_pos = k;
			}
			for (size_t id = 0; id < LANG_COUNT; id++)
				if ((primary < len ? primary : len) == 2 && strncasecmp(range, tags[id], 2) == 0 && eq > q[id]) {
					q[id] = eq;
					pos[id] = k;
				}
		}
		s += n + (s[n] == ',');
	}
	/* a language no range names takes the q-value of "*" */
	for (size_t id = 0; id < LANG_COUNT; id++)
		if (q[id] < 0) {
			q[id] = star_q;
			pos[id] = star_pos;
		}
	/* the highest q-value above 0; on a tie the one named first; else the fallback */
	int other = fallback == LANG_JA ? LANG_EN : LANG_JA;
	if (q[other] > 0 && (q[other] > q[fallback] || (q[other] == q[fallback] && pos[other] < pos[fallback])))
		best = (enum lang_id)other;
	return best;
}

enum lang_id
lang_of_request(const struct lang *l, const char *accept_language)
{
	enum lang_id id = lang_choose(accept_language, l->fallback);

	return l->locale[id] != (locale_t)0 ? id : l->fallback;
}

locale_t
lang_enter(const struct lang *l, enum lang_id id)
{
	return l->locale[id] != (locale_t)0 ? uselocale(l->locale[id]) : uselocale((locale_t)0);
}

void
lang_leave(locale_t previous)
{
	uselocale(previous);
}

const char *
lang_tag(enum lang_id id)
{
	return tags[id];
}
