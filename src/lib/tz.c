/*
 * tz.c — a zone read from its TZif file (RFC 8536): the transitions and
 * local time types, nothing else.  Times after the last transition keep its
 * type; the file's footer rule (for zones that still change their clocks
 * every year) is not read — Debian's tzdata lists transitions to 2037.
 */
#include "mamori/tz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TZIF_MAX = 1 << 20 };

static uint64_t
be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static bool
name_ok(const char *name)
{
	if (name == NULL || name[0] == '\0' || name[0] == '/' || strlen(name) >= 64 || strstr(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!(*p == '/' || *p == '_' || *p == '-' || *p == '+' || (*p >= '0' && *p <= '9') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
			return false;
	return true;
}

static void
set_utc(struct mamori_tz *tz)
{
	free(tz->when);
	free(tz->type);
	memset(tz, 0, sizeof(*tz));
	snprintf(tz->name, sizeof(tz->name), "UTC");
	tz->ntypes = 1;
	snprintf(tz->types[0].abbr, sizeof(tz->types[0].abbr), "UTC");
}

/* Reads the data block of a TZif file at p (len bytes) with times of tsize bytes. */
static bool
parse_block(struct mamori_tz *tz, const unsigned char *p, size_t len, int tsize, size_t *used)
{
	size_t isut, isstd, leap, timecnt, typecnt, charcnt, need;
	const unsigned char *times, *idx, *types, *chars;

	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return false;
	isut = be(p + 20, 4), isstd = be(p + 24, 4), leap = be(p + 28, 4);
	timecnt = be(p + 32, 4), typecnt = be(p + 36, 4), charcnt = be(p + 40, 4);
	if (typecnt == 0 || typecnt > 64 || timecnt > 100000 || charcnt > 1024)
		return false;
	need = 44 + timecnt * (size_t)tsize + timecnt + typecnt * 6 + charcnt + leap * (size_t)(tsize + 4) +
	    isstd + isut;
	if (need > len)
		return false;
	times = p + 44, idx = times + timecnt * (size_t)tsize, types = idx + timecnt, chars = types + typecnt * 6;
	tz->when = malloc((timecnt ? timecnt : 1) * sizeof(*tz->when));
	tz->type = malloc(timecnt ? timecnt : 1);
	if (tz->when == NULL || tz->type == NULL)
		return false;
	for (size_t i = 0; i < timecnt; i++) {
		uint64_t v = be(times + i * (size_t)tsize, tsize);
		tz->when[i] = tsize == 8 ? (long long)(int64_t)v : (long long)(int32_t)(uint32_t)v;
		tz->type[i] = idx[i] < typecnt ? idx[i] : 0;
	}
	tz->n = timecnt;
	tz->ntypes = typecnt;
	tz->first = 0;
	for (size_t i = 0; i < typecnt; i++) {
		const unsigned char *t = types + i * 6;
		size_t a = t[5];
		tz->types[i].offset = (long)(int32_t)(uint32_t)be(t, 4);
		snprintf(tz->types[i].abbr, sizeof(tz->types[i].abbr), "%.*s", a < charcnt ?
		    (int)strnlen((const char *)chars + a, charcnt - a) : 0, a < charcnt ? (const char *)chars + a : "");
	}
	/* the type of times before the first transition: the first standard-time type */
	for (size_t i = 0; i < typecnt; i++)
		if (types[i * 6 + 4] == 0) {
			tz->first = (int)i;
			break;
		}
	*used = need;
	return true;
}

bool
mamori_tz_load(struct mamori_tz *tz, const char *name, const char *dir)
{
	char path[512];
	unsigned char *buf = NULL;
	size_t len = 0, used = 0;
	bool ok = false;
	FILE *f;

	memset(tz, 0, sizeof(*tz));
	set_utc(tz);
	if (!name_ok(name))
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/usr/share/zoneinfo", name);
	if ((f = fopen(path, "rb")) == NULL)
		return false;
	if ((buf = malloc(TZIF_MAX)) != NULL)
		len = fread(buf, 1, TZIF_MAX, f);
	fclose(f);
	if (buf != NULL && parse_block(tz, buf, len, 4, &used)) {
		ok = true;
		/* version 2 and later repeat the data with 64-bit times: prefer them */
		if (buf[4] >= '2') {
			struct mamori_tz v2 = { 0 };
			size_t used2;
			if (parse_block(&v2, buf + used, len - used, 8, &used2)) {
				free(tz->when);
				free(tz->type);
				*tz = v2;
			} else {
				free(v2.when);
				free(v2.type);
			}
		}
		snprintf(tz->name, sizeof(tz->name), "%s", name);
	} else {
		set_utc(tz);
	}
	free(buf);
	return ok;
}

void
mamori_tz_free(struct mamori_tz *tz)
{
	free(tz->when);
	free(tz->type);
	tz->when = NULL;
	tz->type = NULL;
	tz->n = 0;
}

long
mamori_tz_offset(const struct mamori_tz *tz, time_t t, const char **abbr)
{
	size_t lo = 0, hi = tz->n;
	int type = tz->first;

	/* the last transition at or before t */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (tz->when[mid] <= (long long)t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0)
		type = tz->type[lo - 1];
	if (abbr != NULL)
		*abbr = tz->types[type].abbr;
	return tz->types[type].offset;
}

char *
mamori_tz_format(const struct mamori_tz *tz, const char *utc, char *out, size_t n)
{
	struct tm tm = { 0 };
	const char *abbr, *rest;
	time_t t;

	rest = utc ? strptime(utc, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (rest != NULL && *rest == '.')
		rest += 1 + strspn(rest + 1, "0123456789");
	if (rest == NULL || strcmp(rest, "Z") != 0) {
		snprintf(out, n, "%s", utc ? utc : "");
		return out;
	}
	t = timegm(&tm);
	t += mamori_tz_offset(tz, t, &abbr);
	gmtime_r(&t, &tm);
	snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d %s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, abbr);
	return out;
}

/* Whether tm's day is one the calendar has: strptime takes 2026-02-30, and timegm would make it March 2. */
static bool
real_day(const struct tm *tm)
{
	struct tm copy = *tm, back;
	time_t t = timegm(&copy);

	return gmtime_r(&t, &back) != NULL && back.tm_mday == tm->tm_mday && back.tm_mon == tm->tm_mon;
}

/* Reads `YYYY-MM-DDTHH:MM:SS`, then a fraction (its digits in frac, at most 9); the rest in *rest. */
static bool
read_time(const char *s, struct tm *tm, char frac[16], const char **rest)
{
	const char *r;
	size_t nf;

	memset(tm, 0, sizeof(*tm));
	frac[0] = '\0';
	if (s == NULL || (r = strptime(s, "%Y-%m-%dT%H:%M:%S", tm)) == NULL || !real_day(tm))
		return false;
	if (*r == '.') {
		nf = strspn(r + 1, "0123456789");
		if (nf == 0 || nf > 9)
			return false;
		snprintf(frac, 16, ".%.*s", (int)nf, r + 1);
		r += 1 + nf;
	}
	*rest = r;
	return true;
}

char *
mamori_tz_rfc3339(const struct mamori_tz *tz, const char *utc, char *out, size_t n)
{
	struct tm tm;
	char frac[16];
	const char *rest;
	long off;
	time_t t;

	if (!read_time(utc, &tm, frac, &rest) || strcmp(rest, "Z") != 0) {
		snprintf(out, n, "%s", utc ? utc : "");
		return out;
	}
	t = timegm(&tm);
	off = mamori_tz_offset(tz, t, NULL);
	t += off;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02ld:%02ld", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac, off < 0 ? '-' : '+', labs(off) / 3600,
	    labs(off) % 3600 / 60);
	return out;
}

bool
mamori_time_utc(const char *s, char *out, size_t n)
{
	struct tm tm;
	char frac[16];
	const char *rest;
	int hh, mm;
	long off = 0;
	time_t t;

	if (!read_time(s, &tm, frac, &rest))
		return false;
	if (strcmp(rest, "Z") != 0) {
		if ((rest[0] != '+' && rest[0] != '-') || sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2 ||
		    strlen(rest) != 6 || hh > 23 || mm > 59)
			return false;
		off = (rest[0] == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
	}
	t = timegm(&tm) - off;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return true;
}
