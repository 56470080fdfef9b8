/* test_lang.c — the language of a request's answer (src/server/lang.h, issues 14 and 17). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang.h"
#include "mamori/i18n.h"
#include "mamori/user.h"

static void
test_choose(void **state)
{
	static const struct {
		const char *header;
		enum lang_id fallback, want;
	} cases[] = {
		{ NULL, LANG_EN, LANG_EN }, { NULL, LANG_JA, LANG_JA }, { "", LANG_JA, LANG_JA },
		{ "en", LANG_JA, LANG_EN }, { "ja", LANG_EN, LANG_JA }, { "JA-jp", LANG_EN, LANG_JA },
		{ "en-US,en;q=0.9", LANG_JA, LANG_EN }, { "ja;q=0.1, en;q=0.9", LANG_JA, LANG_EN },
		{ "ja, en", LANG_EN, LANG_JA }, { "en, ja", LANG_JA, LANG_EN },		/* a tie: the first named */
		{ "en;q=0.5, ja;q=0.500", LANG_JA, LANG_EN },
		{ "fr", LANG_JA, LANG_JA }, { "fr, en;q=0.1", LANG_JA, LANG_EN },	/* neither / only one named */
		{ "*", LANG_JA, LANG_JA }, { "*", LANG_EN, LANG_EN },			/* "*": both alike */
		{ "en;q=0, *", LANG_EN, LANG_JA }, { "ja;q=0", LANG_JA, LANG_JA },	/* nothing acceptable: fallback */
		{ "ja;q=0, en;q=0", LANG_EN, LANG_EN }, { "*;q=0.5, en", LANG_JA, LANG_EN },
		{ "en;q=2, ja", LANG_EN, LANG_JA }, { "en;x=1, ja;q=0.2", LANG_EN, LANG_JA },	/* malformed: skipped */
		{ "en ; q=0.3 ,\tja ;Q=0.4", LANG_EN, LANG_JA }, { "eng, ja;q=0.1", LANG_EN, LANG_JA },
		{ ",,,ja,,", LANG_EN, LANG_JA }, { "en;q=", LANG_JA, LANG_JA }, { "en;q=1.0001", LANG_JA, LANG_JA },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum lang_id got = lang_choose(cases[i].header, cases[i].fallback);
		if (got != cases[i].want)
			fail_msg("Accept-Language '%s' (fallback %s): %s", cases[i].header ? cases[i].header : "(none)",
			    lang_tag(cases[i].fallback), lang_tag(got));
	}
	assert_string_equal(lang_tag(LANG_JA), "ja");
	assert_string_equal(lang_tag(LANG_EN), "en");
}

/* Each thread translates in its own language, many times over, while the other
 * does in the other: no answer in the wrong one. */
struct speaker {
	const struct lang *l;
	enum lang_id id;
	int wrong;
};

static void *
speak(void *arg)
{
	struct speaker *s = arg;
	locale_t previous = lang_enter(s->l, s->id);

	for (int i = 0; i < 20000; i++) {
		const char *m = _(MAMORI_LOGIN_FAILED);
		bool japanese = strncmp(m, "ログイン", strlen("ログイン")) == 0;
		if (japanese != (s->id == LANG_JA) || (s->id == LANG_EN && strcmp(m, MAMORI_LOGIN_FAILED) != 0))
			s->wrong++;
	}
	lang_leave(previous);
	return NULL;
}

static void
test_threads(void **state)
{
	struct lang l;
	struct speaker s[4];
	pthread_t t[4];

	(void)state;
	setenv("LANG", "C.UTF-8", 1);
	setenv("LANGUAGE", "en", 1);	/* an operator's LANGUAGE: it must not override a request */
	mamori_i18n_init(MAMORI_LOCALEDIR_BUILD);
	lang_open(&l, NULL);
	assert_int_equal(l.fallback, LANG_EN);
	assert_non_null(l.locale[LANG_JA]);
	assert_string_equal(_(MAMORI_LOGIN_FAILED), MAMORI_LOGIN_FAILED);	/* outside a request: the server's own */
	assert_int_equal(lang_of_request(&l, "ja"), LANG_JA);
	for (int i = 0; i < 4; i++) {
		s[i] = (struct speaker){ &l, i % 2 ? LANG_JA : LANG_EN, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, speak, &s[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(s[i].wrong, 0);
	}
	assert_string_equal(_(MAMORI_LOGIN_FAILED), MAMORI_LOGIN_FAILED);
	lang_close(&l);
	lang_close(&l);	/* twice: harmless */
}

/* No Japanese locale installed: said once on stderr, every request gets the server's own language. */
static void
test_no_locale(void **state)
{
	static const char *const none[] = { "xx_XX.NOPE", NULL };
	char path[] = "/tmp/mamori-test-lang.XXXXXX", buf[1024] = "";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	struct lang l;
	FILE *f;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	lang_open(&l, none);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_null(l.locale[LANG_JA]);
	assert_int_equal(lang_of_request(&l, "ja"), l.fallback);
	assert_int_equal(lang_of_request(&l, "en"), LANG_EN);
	locale_t previous = lang_enter(&l, lang_of_request(&l, "ja"));
	lang_leave(previous);
	f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);
	buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
	fclose(f);
	unlink(path);
	assert_non_null(strstr(buf, "no Japanese locale"));
	assert_non_null(strstr(buf, "localedef -i ja_JP -f UTF-8 ja_JP.UTF-8"));
	assert_null(strstr(strstr(buf, "no Japanese locale") + 1, "no Japanese locale"));	/* once */
	lang_close(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_no_locale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
