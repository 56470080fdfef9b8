/* date.c — 和暦, Excel serials and the other ways an office writes a date. */
#include "mamori/date.h"
#include "mamori/tz.h"
#include "fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The eras from their first day; each ends the day before the next begins. */
static const struct era {
	const char *name, *letter;
	int y, m, d;
} eras[] = {
	{ "明治", "m", 1868, 10, 23 },
	{ "大正", "t", 1912, 7, 30 },
	{ "昭和", "s", 1926, 12, 25 },
	{ "平成", "h", 1989, 1, 8 },
	{ "令和", "r", 2019, 5, 1 },
};
#define NERAS (sizeof(eras) / sizeof(eras[0]))

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool
valid_ymd(int y, int m, int d)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= days[m - 1] + (m == 2 && leap(y));
}

static long
ymd_key(int y, int m, int d)
{
	return (long)y * 10000 + m * 100 + d;
}

/* Reads 1–4 digits at *p into *v; false when there are none. */
static bool
number(const char **p, int *v, int max_digits)
{
	int n = 0;

	*v = 0;
	while (**p >= '0' && **p <= '9' && n < max_digits) {
		*v = *v * 10 + (**p - '0');
		++*p;
		n++;
	}
	return n > 0 && !(**p >= '0' && **p <= '9');
}

/* Skips one separator of the kind the date uses: -, /, ., or the given kanji. */
static bool
separator(const char **p, const char *kanji)
{
	if (**p == '-' || **p == '/' || **p == '.') {
		++*p;
		return true;
	}
	if (kanji != NULL && strncmp(*p, kanji, strlen(kanji)) == 0) {
		*p += strlen(kanji);
		return true;
	}
	return false;
}

/* Month and day after the year: M sep D, or M月D日; true when that is all of p. */
static bool
month_day(const char *p, int *m, int *d)
{
	bool kanji = false;

	if (!number(&p, m, 2))
		return false;
	if (strncmp(p, "月", strlen("月")) == 0) {
		p += strlen("月");
		kanji = true;
	} else if (!separator(&p, NULL)) {
		return false;
	}
	if (!number(&p, d, 2))
		return false;
	if (kanji && strncmp(p, "日", strlen("日")) == 0)
		p += strlen("日");
	return *p == '\0';
}

static const struct era *
era_at(const char **p)
{
	for (size_t i = 0; i < NERAS; i++) {
		size_t n = strlen(eras[i].name);
		if (strncmp(*p, eras[i].name, n) == 0) {
			*p += n;
			return &eras[i];
		}
		if ((**p | 0x20) == eras[i].letter[0] && (*p)[1] >= '0' && (*p)[1] <= '9') {
			++*p;
			return &eras[i];
		}
	}
	return NULL;
}

static bool
era_date(const struct era *e, const char *p, int *y, int *m, int *d)
{
	int ey;
	size_t i = (size_t)(e - eras);

	if (strncmp(p, "元", strlen("元")) == 0) {
		ey = 1;
		p += strlen("元");
	} else if (!number(&p, &ey, 2) || ey < 1) {
		return false;
	}
	if (!separator(&p, "年") || !month_day(p, m, d))
		return false;
	*y = e->y + ey - 1;
	if (!valid_ymd(*y, *m, *d) || ymd_key(*y, *m, *d) < ymd_key(e->y, e->m, e->d))
		return false;
	return i + 1 == NERAS || ymd_key(*y, *m, *d) < ymd_key(eras[i + 1].y, eras[i + 1].m, eras[i + 1].d);
}

/* An Excel serial day (1900 date system, with its fictitious 1900-02-29 as 60). */
static bool
serial_date(const char *s, int *y, int *m, int *d)
{
	char *end;
	long n = strtol(s, &end, 10);
	time_t t;
	struct tm tm;

	if (*end != '\0' || end == s || n < 1 || n > 2958465 || n == 60)
		return false;
	/* day 1 is 1900-01-01; past the false leap day the count is one ahead */
	t = (time_t)(n < 60 ? n : n - 1) * 86400 - 2209075200LL;	/* 1899-12-31 */
	gmtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
	return true;
}

bool
mamori_date_parse(const char *s, int flags, char out[11])
{
	char buf[64];
	const char *p = buf;
	const struct era *e;
	int y, m, d;
	bool ok;

	if (s == NULL || !mamori_nfkc_trim(s, buf, sizeof(buf)) || buf[0] == '\0')
		return false;
	if ((e = era_at(&p)) != NULL)
		ok = era_date(e, p, &y, &m, &d);
	else if (strspn(buf, "0123456789") == strlen(buf))
		ok = (flags & MAMORI_DATE_SERIAL) && serial_date(buf, &y, &m, &d);
	else
		ok = number(&p, &y, 4) && y >= 1000 && separator(&p, "年") && month_day(p, &m, &d) &&
		    valid_ymd(y, m, d);
	if (ok)
		snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);	/* checked: 4, 2, 2 digits */
	return ok;
}

/* A local time in the zone as UTC: the offset of the moment itself (none of Japan's zones changes it). */
static time_t
local_to_utc(const struct mamori_tz *tz, struct tm *tm)
{
	time_t guess = timegm(tm);

	return guess - mamori_tz_offset(tz, guess - mamori_tz_offset(tz, guess, NULL), NULL);
}

/* Reads `YYYY-MM-DD HH:MM[:SS]` (all of s) into tm; false for anything else or a day the calendar lacks. */
static bool
local_time(const char *s, struct tm *tm)
{
	static const char *const formats[] = { "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M" };
	const char *rest;

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		memset(tm, 0, sizeof(*tm));
		if ((rest = strptime(s, formats[i], tm)) != NULL && *rest == '\0')
			return valid_ymd(tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
	}
	return false;
}

bool
mamori_time_bound(const char *in, const struct mamori_tz *tz, bool end, time_t *t)
{
	char s[96], day[11], utc[48];
	struct tm tm = { 0 };
	const char *rest;

	/* typed with an IME: ２０２６－１２－０５　０９：３０ is 2026-12-05 09:30 */
	if (in == NULL || !mamori_nfkc_trim(in, s, sizeof(s)))
		return false;
	if (mamori_time_utc(s, utc, sizeof(utc))) {
		if ((rest = strptime(utc, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
			return false;
		*t = timegm(&tm);
		return true;
	}
	if (local_time(s, &tm)) {
		*t = local_to_utc(tz, &tm);
		return true;
	}
	if (!mamori_date_parse(s, 0, day))
		return false;
	memset(&tm, 0, sizeof(tm));
	strptime(day, "%Y-%m-%d", &tm);
	if (end)
		tm.tm_mday++;	/* timegm normalises the day after the last of a month */
	*t = local_to_utc(tz, &tm);
	return true;
}

char *
mamori_date_wareki(const char *ymd, char *out, size_t n)
{
	int y, m, d;
	size_t i = NERAS;

	if (n == 0)
		return out;
	if (sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d) != 3 || !valid_ymd(y, m, d)) {
		snprintf(out, n, "%s", ymd);
		return out;
	}
	while (i > 0 && ymd_key(y, m, d) < ymd_key(eras[i - 1].y, eras[i - 1].m, eras[i - 1].d))
		i--;
	if (i == 0)
		snprintf(out, n, "%s", ymd);
	else if (y == eras[i - 1].y)
		snprintf(out, n, "%s元年%d月%d日", eras[i - 1].name, m, d);
	else
		snprintf(out, n, "%s%d年%d月%d日", eras[i - 1].name, y - eras[i - 1].y + 1, m, d);
	return out;
}
