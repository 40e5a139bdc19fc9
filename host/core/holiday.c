/*
 * holiday.c -- public holidays from rule tables.
 *
 * Each calendar is a table of rules (a fixed date, an offset from Easter Sunday, or a fixed
 * date that avoids Sunday) valid for a range of years.  A year's holidays are built on demand
 * into a small sorted array; business-day stepping keeps one such array and rebuilds it only
 * when it crosses into another year.
 */
#include <string.h>

#include "core/err.h"
#include "core/holiday.h"

enum holiday_kind {
	HOLIDAY_FIXED,	/* month/day */
	HOLIDAY_EASTER,	/* day = offset from Easter Sunday */
	HOLIDAY_NOSUNDAY	/* month/day, or the Saturday before when that is a Sunday */
};

struct holiday_rule {
	enum holiday_kind kind;
	int month, day;
	int first, last;	/* years the rule is in force */
	const char *name;
};

#define HOLIDAY_ALWAYS 1, 9999

/* Algemene termijnenwet art. 3, plus Eerste Paasdag and Eerste Pinksterdag, which are Sundays
 * anyway but are named holidays.  Koningsdag replaced Koninginnedag in 2014; earlier years use
 * the 1980-2013 rule. */
static const struct holiday_rule holiday_nl[] = {
	{HOLIDAY_FIXED, 1, 1, HOLIDAY_ALWAYS, "Nieuwjaarsdag"},
	{HOLIDAY_EASTER, 0, 0, HOLIDAY_ALWAYS, "Eerste Paasdag"},
	{HOLIDAY_EASTER, 0, 1, HOLIDAY_ALWAYS, "Tweede Paasdag"},
	{HOLIDAY_NOSUNDAY, 4, 30, 1, 2013, "Koninginnedag"},
	{HOLIDAY_NOSUNDAY, 4, 27, 2014, 9999, "Koningsdag"},
	{HOLIDAY_FIXED, 5, 5, HOLIDAY_ALWAYS, "Bevrijdingsdag"},
	{HOLIDAY_EASTER, 0, 39, HOLIDAY_ALWAYS, "Hemelvaartsdag"},
	{HOLIDAY_EASTER, 0, 49, HOLIDAY_ALWAYS, "Eerste Pinksterdag"},
	{HOLIDAY_EASTER, 0, 50, HOLIDAY_ALWAYS, "Tweede Pinksterdag"},
	{HOLIDAY_FIXED, 12, 25, HOLIDAY_ALWAYS, "Eerste Kerstdag"},
	{HOLIDAY_FIXED, 12, 26, HOLIDAY_ALWAYS, "Tweede Kerstdag"}
};

/* The ten legal holidays (wet van 4 januari 1974). */
static const struct holiday_rule holiday_be[] = {
	{HOLIDAY_FIXED, 1, 1, HOLIDAY_ALWAYS, "Nieuwjaar"},
	{HOLIDAY_EASTER, 0, 1, HOLIDAY_ALWAYS, "Paasmaandag"},
	{HOLIDAY_FIXED, 5, 1, HOLIDAY_ALWAYS, "Dag van de Arbeid"},
	{HOLIDAY_EASTER, 0, 39, HOLIDAY_ALWAYS, "O.L.H. Hemelvaart"},
	{HOLIDAY_EASTER, 0, 50, HOLIDAY_ALWAYS, "Pinkstermaandag"},
	{HOLIDAY_FIXED, 7, 21, HOLIDAY_ALWAYS, "Nationale feestdag"},
	{HOLIDAY_FIXED, 8, 15, HOLIDAY_ALWAYS, "O.L.V. Hemelvaart"},
	{HOLIDAY_FIXED, 11, 1, HOLIDAY_ALWAYS, "Allerheiligen"},
	{HOLIDAY_FIXED, 11, 11, HOLIDAY_ALWAYS, "Wapenstilstand"},
	{HOLIDAY_FIXED, 12, 25, HOLIDAY_ALWAYS, "Kerstmis"}
};

#define HOLIDAY_COUNT(t) (sizeof (t) / sizeof (t)[0])

/* A year can never hold more holidays than its table has rules. */
_Static_assert(HOLIDAY_COUNT(holiday_nl) <= HOLIDAY_MAX, "HOLIDAY_MAX too small for NL");
_Static_assert(HOLIDAY_COUNT(holiday_be) <= HOLIDAY_MAX, "HOLIDAY_MAX too small for BE");

struct holiday_year {
	int year;	/* 0, never a valid year, until filled */
	int count;
	owed_date date[HOLIDAY_MAX];
	const char *name[HOLIDAY_MAX];
};

static owed_date holiday_date(const struct holiday_rule *r, int year, owed_date easter)
{
	owed_date d = 0;

	if (r->kind == HOLIDAY_EASTER)
		return easter + r->day;
	(void)date_from_ymd(year, r->month, r->day, &d);	/* the tables hold only real dates */
	if (r->kind == HOLIDAY_NOSUNDAY && date_weekday(d) == 7)
		d--;
	return d;
}

/* Insertion keeps the array sorted and stable, so coinciding holidays stay in table order. */
static void holiday_insert(struct holiday_year *hy, owed_date date, const char *name)
{
	int i;

	for (i = hy->count++; i > 0 && hy->date[i - 1] > date; i--) {
		hy->date[i] = hy->date[i - 1];
		hy->name[i] = hy->name[i - 1];
	}
	hy->date[i] = date;
	hy->name[i] = name;
}

static void holiday_fill(owed_calendar cal, int year, struct holiday_year *hy)
{
	const struct holiday_rule *r, *end;
	owed_date easter = date_easter(year);

	switch (cal) {
	case CAL_NL:
		r = holiday_nl;
		end = r + HOLIDAY_COUNT(holiday_nl);
		break;
	case CAL_BE:
		r = holiday_be;
		end = r + HOLIDAY_COUNT(holiday_be);
		break;
	case CAL_NONE:
	default:	/* no calendar, no holidays */
		r = end = NULL;
		break;
	}
	hy->year = year;
	hy->count = 0;
	for (; r != end; r++)
		if (year >= r->first && year <= r->last)
			holiday_insert(hy, holiday_date(r, year, easter), r->name);
}

/* The index of date in the filled year, or -1. */
static int holiday_find(const struct holiday_year *hy, owed_date date)
{
	int i;

	for (i = 0; i < hy->count; i++)
		if (hy->date[i] == date)
			return i;
	return -1;
}

static int holiday_year_of(owed_date date)
{
	int y, m, d;

	date_to_ymd(date, &y, &m, &d);
	return y;
}

/* Business day test against a cached year; the caller guarantees date is in range. */
static int holiday_business(owed_calendar cal, owed_date date, struct holiday_year *hy)
{
	int year;

	if (date_weekday(date) > 5)
		return 0;
	year = holiday_year_of(date);
	if (hy->year != year)
		holiday_fill(cal, year, hy);
	return holiday_find(hy, date) < 0;
}

int holiday_calendar(const char *country, owed_calendar *out)
{
	char cc[3];
	int i;

	if (country == NULL || strlen(country) != 2)
		return OWED_EINPUT;
	for (i = 0; i < 2; i++) {
		char c = country[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return OWED_EINPUT;
		cc[i] = c;
	}
	cc[2] = '\0';
	*out = strcmp(cc, "NL") == 0 ? CAL_NL : strcmp(cc, "BE") == 0 ? CAL_BE : CAL_NONE;
	return 0;
}

int holiday_is(owed_calendar cal, owed_date date, const char **name)
{
	struct holiday_year hy;
	int i;

	if (!date_is_valid(date))
		return 0;
	holiday_fill(cal, holiday_year_of(date), &hy);
	i = holiday_find(&hy, date);
	if (i < 0)
		return 0;
	if (name != NULL)
		*name = hy.name[i];
	return 1;
}

int holiday_list(owed_calendar cal, int year, owed_date *out, const char **names, size_t cap)
{
	struct holiday_year hy;
	int i;

	if (year < 1 || year > 9999)
		return OWED_EINPUT;
	holiday_fill(cal, year, &hy);
	if ((size_t)hy.count > cap)
		return OWED_EOVERFLOW;
	for (i = 0; i < hy.count; i++) {
		out[i] = hy.date[i];
		if (names != NULL)
			names[i] = hy.name[i];
	}
	return hy.count;
}

int holiday_is_business_day(owed_calendar cal, owed_date date)
{
	struct holiday_year hy;

	if (!date_is_valid(date))
		return 0;
	hy.year = 0;
	return holiday_business(cal, date, &hy);
}

int holiday_next_business_day(owed_calendar cal, owed_date date, owed_date *out)
{
	struct holiday_year hy;

	if (!date_is_valid(date))
		return OWED_EINPUT;
	hy.year = 0;
	while (!holiday_business(cal, date, &hy))
		if (date_add_days(date, 1, &date) != 0)
			return OWED_EOVERFLOW;
	*out = date;
	return 0;
}

int holiday_add_business_days(owed_calendar cal, owed_date date, int n, owed_date *out)
{
	struct holiday_year hy;
	int step = n < 0 ? -1 : 1;
	int64_t left = n < 0 ? -(int64_t)n : n;

	if (n == 0)
		return holiday_next_business_day(cal, date, out);
	if (!date_is_valid(date))
		return OWED_EINPUT;
	hy.year = 0;
	while (left > 0) {
		if (date_add_days(date, step, &date) != 0)
			return OWED_EOVERFLOW;
		if (holiday_business(cal, date, &hy))
			left--;
	}
	*out = date;
	return 0;
}
