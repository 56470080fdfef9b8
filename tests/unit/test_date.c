/* test_date.c — dates as an office writes them, the time zone, time bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "mamori/date.h"
#include "mamori/tz.h"

static void
expect_date(const char *in, int flags, const char *want)
{
	char out[11] = "";

	if (want == NULL) {
		if (mamori_date_parse(in, flags, out))
			fail_msg("'%s' read as %s, expected an error", in, out);
		return;
	}
	if (!mamori_date_parse(in, flags, out))
		fail_msg("'%s' not read, expected %s", in, want);
	if (strcmp(out, want) != 0)
		fail_msg("'%s' read as %s, expected %s", in, out, want);
}

static void
test_western(void **state)
{
	(void)state;
	expect_date("2025-04-01", 0, "2025-04-01");
	expect_date("2025/4/1", 0, "2025-04-01");
	expect_date("2025.4.1", 0, "2025-04-01");
	expect_date("2025年4月1日", 0, "2025-04-01");
	expect_date(" ２０２５／４／１ ", 0, "2025-04-01");
	expect_date("2024-02-29", 0, "2024-02-29");
	expect_date("2025-02-29", 0, NULL);
	expect_date("2025-02-30", 0, NULL);
	expect_date("2025-13-01", 0, NULL);
	expect_date("yesterday", 0, NULL);
	expect_date("2025-04-01x", 0, NULL);
	expect_date("", 0, NULL);
}

static void
test_wareki(void **state)
{
	(void)state;
	expect_date("R7.4.1", 0, "2025-04-01");
	expect_date("r07/04/01", 0, "2025-04-01");
	expect_date("令和7年4月1日", 0, "2025-04-01");
	expect_date("令和７年４月１日", 0, "2025-04-01");
	expect_date("令和元年5月1日", 0, "2019-05-01");
	expect_date("令和1年4月30日", 0, NULL);	/* still 平成 */
	expect_date("H31.4.30", 0, "2019-04-30");
	expect_date("平成31年5月1日", 0, NULL);	/* 令和 by then */
	expect_date("平成元年1月8日", 0, "1989-01-08");
	expect_date("昭和64年1月7日", 0, "1989-01-07");
	expect_date("S64.1.8", 0, NULL);
	expect_date("大正15年12月24日", 0, "1926-12-24");
	expect_date("明治45年7月29日", 0, "1912-07-29");
	expect_date("令和0年1月1日", 0, NULL);
}

static void
test_serial(void **state)
{
	(void)state;
	expect_date("45748", MAMORI_DATE_SERIAL, "2025-04-01");
	expect_date("45748", 0, NULL);	/* a bare number is a serial only in a date column */
	expect_date("1", MAMORI_DATE_SERIAL, "1900-01-01");
	expect_date("59", MAMORI_DATE_SERIAL, "1900-02-28");
	expect_date("60", MAMORI_DATE_SERIAL, NULL);	/* Excel's 1900-02-29 never was */
	expect_date("61", MAMORI_DATE_SERIAL, "1900-03-01");
	expect_date("0", MAMORI_DATE_SERIAL, NULL);
}

static void
test_zone(void **state)
{
	struct mamori_tz tz;
	char out[64], utc[48];
	time_t t;

	(void)state;
	assert_true(mamori_tz_load(&tz, "Asia/Tokyo", NULL));
	assert_string_equal(mamori_tz_format(&tz, "2026-12-05T02:07:12.5Z", out, sizeof(out)),
	    "2026-12-05 11:07:12 JST");
	assert_string_equal(mamori_tz_rfc3339(&tz, "2026-12-05T20:07:12.123Z", out, sizeof(out)),
	    "2026-12-06T05:07:12.123+09:00");
	assert_true(mamori_time_utc(out, utc, sizeof(utc)));
	assert_string_equal(utc, "2026-12-05T20:07:12.123Z");
	/* --since 2026-12-05 is that day's first second in Tokyo; --until the next day's */
	assert_true(mamori_time_bound("2026-12-05", &tz, false, &t));
	assert_int_equal((long long)t, 1796396400LL);	/* 2026-12-04T15:00:00Z */
	assert_true(mamori_time_bound("令和8年12月5日", &tz, true, &t));
	assert_int_equal((long long)t, 1796482800LL);	/* 2026-12-05T15:00:00Z */
	assert_true(mamori_time_bound("2026-12-05 09:30", &tz, false, &t));
	assert_int_equal((long long)t, 1796430600LL);	/* 00:30Z */
	assert_true(mamori_time_bound("2026-12-05T00:30:00Z", &tz, false, &t));
	assert_int_equal((long long)t, 1796430600LL);
	assert_false(mamori_time_bound("yesterday", &tz, false, &t));
	mamori_tz_free(&tz);
	/* a zone with summer time: New York in July is -04:00, in January -05:00 */
	assert_true(mamori_tz_load(&tz, "America/New_York", NULL));
	assert_string_equal(mamori_tz_format(&tz, "2026-07-01T12:00:00Z", out, sizeof(out)), "2026-07-01 08:00:00 EDT");
	assert_string_equal(mamori_tz_format(&tz, "2026-01-01T12:00:00Z", out, sizeof(out)), "2026-01-01 07:00:00 EST");
	mamori_tz_free(&tz);
	assert_false(mamori_tz_load(&tz, "../etc/passwd", NULL));
	assert_false(mamori_tz_load(&tz, "Asia/Tokio", NULL));
	assert_string_equal(mamori_tz_format(&tz, "2026-12-05T02:07:12Z", out, sizeof(out)), "2026-12-05 02:07:12 UTC");
	mamori_tz_free(&tz);
}

/* A time on a day the calendar lacks is refused, not moved to the next month. */
static void
test_time_calendar(void **state)
{
	struct mamori_tz tz;
	char utc[48];
	time_t t;

	(void)state;
	assert_true(mamori_tz_load(&tz, "Asia/Tokyo", NULL));
	assert_false(mamori_time_bound("2026-02-30 10:00", &tz, false, &t));
	assert_false(mamori_time_bound("2026-02-29 10:00:00", &tz, true, &t));
	assert_false(mamori_time_bound("2026-04-31T10:00:00Z", &tz, false, &t));
	assert_false(mamori_time_bound("2026-02-30T10:00:00+09:00", &tz, false, &t));
	assert_false(mamori_time_utc("2025-02-29T10:00:00+09:00", utc, sizeof(utc)));
	assert_true(mamori_time_bound("2028-02-29 10:00", &tz, false, &t));
	assert_int_equal((long long)t, 1835398800LL);	/* 2028-02-29T01:00:00Z */
	mamori_tz_free(&tz);
}

/* A time typed with an IME: full-width digits, colon, hyphen and space. */
static void
test_time_fullwidth(void **state)
{
	struct mamori_tz tz;
	time_t t;

	(void)state;
	assert_true(mamori_tz_load(&tz, "Asia/Tokyo", NULL));
	assert_true(mamori_time_bound("２０２６－１２－０５\u3000０９：３０", &tz, false, &t));
	assert_int_equal((long long)t, 1796430600LL);	/* 2026-12-05T00:30:00Z */
	assert_true(mamori_time_bound(" 2026-12-05 09:30 ", &tz, false, &t));
	assert_int_equal((long long)t, 1796430600LL);
	mamori_tz_free(&tz);
}

/* A local time in a zone with summer time takes the offset of that moment. */
static void
test_time_summer(void **state)
{
	struct mamori_tz tz;
	time_t t;

	(void)state;
	assert_true(mamori_tz_load(&tz, "America/New_York", NULL));
	assert_true(mamori_time_bound("2026-07-01 08:00", &tz, false, &t));
	assert_int_equal((long long)t, 1782907200LL);	/* 2026-07-01T12:00:00Z (EDT) */
	assert_true(mamori_time_bound("2026-01-01", &tz, false, &t));
	assert_int_equal((long long)t, 1767243600LL);	/* 2026-01-01T05:00:00Z (EST) */
	mamori_tz_free(&tz);
}

/* Reports print dates in 和暦: the era's first year is 元年, its first day its own. */
static void
test_wareki_format(void **state)
{
	static const char *const cases[][2] = {
		{ "2026-12-06", "令和8年12月6日" }, { "2019-05-01", "令和元年5月1日" },
		{ "2019-04-30", "平成31年4月30日" }, { "1989-01-08", "平成元年1月8日" },
		{ "1989-01-07", "昭和64年1月7日" }, { "1868-10-22", "1868-10-22" }, { "nonsense", "nonsense" },
		{ "2025-02-30", "2025-02-30" },
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(mamori_date_wareki(cases[i][0], out, sizeof(out)), cases[i][1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_western),
		cmocka_unit_test(test_wareki),
		cmocka_unit_test(test_wareki_format),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_zone),
		cmocka_unit_test(test_time_calendar),
		cmocka_unit_test(test_time_fullwidth),
		cmocka_unit_test(test_time_summer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
