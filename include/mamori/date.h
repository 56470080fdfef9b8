/*
 * mamori/date.h — dates as people write them in a Japanese office: ISO
 * (2025-04-01), 2025/4/1, 2025年4月1日, 和暦 (R7.4.1, 令和7年4月1日, 令和元年5月1日,
 * H31.4.30), full-width digits, and Excel's serial day numbers where a column
 * is known to hold dates.
 */
#ifndef MAMORI_DATE_H
#define MAMORI_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* What a parse may read besides the written forms. */
enum mamori_date_flags {
	MAMORI_DATE_SERIAL = 1,	/* a bare number is an Excel serial (1900 system): 45748 = 2025-04-01 */
};

/*
 * Parses s (trimmed, NFKC: ２０２５ is 2025) into out as YYYY-MM-DD.  The
 * forms: YYYY-M-D with -, / or . between, YYYY年M月D日, an era (令和, 平成,
 * 昭和, 大正, 明治, or R, H, S, T, M in either case) with a year (元 is 1) and
 * month and day as before, the date within the era (平成31年5月1日 does not
 * exist: 令和 began on 2019-05-01); with MAMORI_DATE_SERIAL, a whole number
 * from 1 to 2958465.  False for anything else, or a day the calendar lacks
 * (2025-02-30); the caller's message says which forms are read
 * (MAMORI_DATE_FORMS).
 */
bool mamori_date_parse(const char *s, int flags, char out[11]);

/*
 * The date ymd (YYYY-MM-DD, as mamori_date_parse writes) in 和暦 as a report
 * prints it: 令和8年12月6日, 令和元年5月1日 (the era's first year), 平成31年4月30日.
 * A date before 明治 or one that cannot be read is copied as it is.  Returns out.
 */
char *mamori_date_wareki(const char *ymd, char *out, size_t n);

/* The forms mamori_date_parse reads, for messages. */
#define MAMORI_DATE_FORMS "2025-04-01, 2025/4/1, 2025年4月1日, R7.4.1, 令和7年4月1日"

/*
 * A bound of a time range as people give it, in the zone of tz (mamori/tz.h):
 * a date (any form above) means its first second — or, when end is set, the
 * first second of the next day, so that `--until 2026-12-05` takes in all of
 * that day; `YYYY-MM-DD HH:MM[:SS]` a local time; RFC 3339 with Z or an offset
 * an instant.  s is read trimmed and in NFKC, as typed with an IME
 * (２０２６－１２－０５　０９：３０).  *t receives the UTC time.  False for anything
 * else, or a day the calendar lacks (2026-02-30 10:00 is not moved to March).
 */
struct mamori_tz;
bool mamori_time_bound(const char *s, const struct mamori_tz *tz, bool end, time_t *t);

#endif
