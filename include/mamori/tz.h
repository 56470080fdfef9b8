/*
 * mamori/tz.h — times shown to people in the organisation's time zone.  The
 * store keeps UTC (RFC 3339, `2026-12-05T02:07:12.123Z`); a person reads
 * `2026-12-05 11:07:12 JST`.  The zone is read from the system's tz database
 * (Debian tzdata, /usr/share/zoneinfo) once, into a value: nothing global is
 * changed (TZ and tzset stay the process's own).
 */
#ifndef MAMORI_TZ_H
#define MAMORI_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The zone an organisation uses when its policy names none. */
#define MAMORI_TZ_DEFAULT "Asia/Tokyo"

/* A loaded zone: its UTC offsets and their abbreviations over time. */
struct mamori_tz {
	char name[64];
	long long *when;	/* transition times (UTC seconds), ascending */
	unsigned char *type;	/* the type in force from when[i] */
	size_t n;
	struct { long offset; char abbr[12]; } types[64];
	size_t ntypes;
	int first;		/* the type before the first transition */
};

/*
 * Loads the IANA zone name (e.g. Asia/Tokyo) into *tz from TZif data under
 * dir (NULL: /usr/share/zoneinfo).  False when the name is malformed ("..",
 * a leading '/') or names no readable zone; *tz is then UTC, still usable.
 * Free with mamori_tz_free.
 */
bool mamori_tz_load(struct mamori_tz *tz, const char *name, const char *dir);

void mamori_tz_free(struct mamori_tz *tz);

/* The zone's offset from UTC at t, in seconds, and its abbreviation (JST). */
long mamori_tz_offset(const struct mamori_tz *tz, time_t t, const char **abbr);

/*
 * Writes the UTC time utc (RFC 3339 with a Z, seconds and fractions optional;
 * or a date alone) as `YYYY-MM-DD HH:MM:SS ABBR` in the zone to out; a date
 * alone, or anything it cannot read, is copied as it is.  Returns out.
 */
char *mamori_tz_format(const struct mamori_tz *tz, const char *utc, char *out, size_t n);

/*
 * The UTC time utc (as above) as RFC 3339 in the zone, with its offset and
 * the fraction kept: `2026-12-05T11:07:12.021525+09:00` — what an export
 * writes, a local time a person reads and an import turns back into the
 * same instant (mamori_time_utc).  Anything else is copied.  Returns out.
 */
char *mamori_tz_rfc3339(const struct mamori_tz *tz, const char *utc, char *out, size_t n);

/*
 * An RFC 3339 time with an offset (`…+09:00`, `…-05:00`, `…Z`) as UTC with
 * a Z, the fraction kept as written; false (out untouched) when s is not one
 * or names a day the calendar lacks (2025-02-29).
 */
bool mamori_time_utc(const char *s, char *out, size_t n);

#endif
