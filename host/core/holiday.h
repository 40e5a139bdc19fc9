/*
 * holiday.h -- public holidays that move legal deadlines, and business-day arithmetic.
 *
 * NL follows the Algemene termijnenwet art. 3 (Goede Vrijdag is not in it; Bevrijdingsdag is,
 * every year), BE the ten legal holidays.  A holiday that falls on a weekend is not moved or
 * replaced: for deadlines only the date itself counts.  Names are Dutch.
 *
 * Business days are Monday to Friday minus holidays; CAL_NONE has no holidays.  A date outside
 * DATE_MIN..DATE_MAX is neither a holiday nor a business day, and OWED_EINPUT where a date is
 * computed from it.
 */
#ifndef OWED_HOLIDAY_H
#define OWED_HOLIDAY_H

#include <stddef.h>

#include "core/date.h"

typedef enum { CAL_NONE, CAL_NL, CAL_BE } owed_calendar;

#define HOLIDAY_MAX 16	/* no calendar has more holidays in a year; enough for holiday_list */

/* A two-letter country code, either case: NL and BE have calendars, any other is CAL_NONE. */
int holiday_calendar(const char *country, owed_calendar *out);

/* 1 (and *name, when name is not NULL) if date is a holiday, else 0.  Should two holidays
 * share a date (Hemelvaartsdag on 5 May 2016), the first in holiday_list order is named. */
int holiday_is(owed_calendar cal, owed_date date, const char **name);

/* Writes the year's holidays sorted by date (ties keep a fixed order, both listed) and returns
 * how many; names may be NULL.  OWED_EOVERFLOW if cap is too small, OWED_EINPUT for a year
 * outside 1..9999. */
int holiday_list(owed_calendar cal, int year, owed_date *out, const char **names, size_t cap);

int holiday_is_business_day(owed_calendar cal, owed_date date);

/* Counts n business days after date (n < 0: before).  n == 0 gives date itself if it is a
 * business day, else the next one -- the same as holiday_next_business_day. */
int holiday_add_business_days(owed_calendar cal, owed_date date, int n, owed_date *out);

/* The first business day ON OR AFTER date: where a term that ends on a weekend or holiday
 * ends instead (Algemene termijnenwet art. 1, Ger.W. art. 53). */
int holiday_next_business_day(owed_calendar cal, owed_date date, owed_date *out);

#endif
