/*
 * date.h -- civil dates (proleptic Gregorian) as day numbers.
 *
 * A date is the number of days since 1970-01-01, so the ledger compares, subtracts and stores
 * dates as plain integers and never meets a time zone.  Valid dates run from 0001-01-01
 * (DATE_MIN) to 9999-12-31 (DATE_MAX).
 *
 * Functions that can fail return 0 (or a byte count) and a negative code from err.h; *out is
 * written only on success.  An owed_date outside the valid range handed to a function is
 * OWED_EINPUT; a result that would leave the range is OWED_EOVERFLOW.
 */
#ifndef OWED_DATE_H
#define OWED_DATE_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t owed_date;

#define DATE_MIN (-719162)	/* 0001-01-01 */
#define DATE_MAX 2932896	/* 9999-12-31 */

int date_is_valid(owed_date date);	/* DATE_MIN <= date <= DATE_MAX */
int date_from_ymd(int y, int m, int d, owed_date *out);
void date_to_ymd(owed_date date, int *y, int *m, int *d);

int date_is_leap(int y);
int date_days_in_month(int y, int m);	/* 0 when m is not 1..12 */
int date_weekday(owed_date date);	/* ISO: 1 = Monday .. 7 = Sunday */

/* Parsers accept nothing around the date: no spaces, no trailing characters. */
int date_parse_iso(const char *s, owed_date *out);	/* YYYY-MM-DD */
int date_parse_dmy(const char *s, owed_date *out);	/* D[D]-M[M]-YYYY with '-', '/' or '.' (one kind) */
int date_parse(const char *s, owed_date *out);	/* ISO, compact YYYYMMDD, or dmy */

/* Both return the length written (without the NUL) or OWED_EOVERFLOW when n is too small,
 * leaving buf empty.  lang is "nl" ("3 maart 2026"), "fr" ("1er mars 2026") or "en"
 * ("3 March 2026"); anything else is OWED_EINPUT.  French month names are UTF-8. */
int date_format_iso(owed_date date, char *buf, size_t n);
int date_format_long(owed_date date, const char *lang, char *buf, size_t n);

/* Month and year steps clamp the day to the end of the target month: 31 Jan + 1 month is
 * 28 or 29 Feb, 29 Feb + 1 year is 28 Feb. */
int date_add_days(owed_date date, int64_t n, owed_date *out);
int date_add_months(owed_date date, int n, owed_date *out);
int date_add_years(owed_date date, int n, owed_date *out);
int32_t date_diff(owed_date a, owed_date b);	/* b - a in days */

owed_date date_easter(int year);	/* Easter Sunday; year must be 1..9999 */

/* Today in local time (at core/clock.h's now, which OWED_NOW may pin), or the date in the
 * environment variable OWED_TODAY (YYYY-MM-DD) when it is set and non-empty; a malformed
 * OWED_TODAY is OWED_EINPUT, never silently the clock. */
int date_today(owed_date *out);

#endif
