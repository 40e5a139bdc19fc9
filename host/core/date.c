/*
 * date.c -- civil dates as day numbers.
 *
 * The conversions follow the idea of Howard Hinnant's days_from_civil / civil_from_days:
 * counting years from 1 March puts the leap day at the end of the year, so the day of the
 * year is a linear formula of the month and 400-year eras make the rest exact integer
 * arithmetic.  Intermediate values are int64_t so that any int32_t day number converts
 * without overflow, even outside the valid range.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"

#define DATE_EPOCH_SHIFT 719468	/* days from 0000-03-01 to 1970-01-01 */
#define DATE_ERA_DAYS 146097	/* days in 400 Gregorian years */

static int64_t date_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * DATE_ERA_DAYS + doe - DATE_EPOCH_SHIFT;
}

void date_to_ymd(owed_date date, int *y, int *m, int *d)
{
	int64_t z = (int64_t)date + DATE_EPOCH_SHIFT;
	int64_t era = (z >= 0 ? z : z - (DATE_ERA_DAYS - 1)) / DATE_ERA_DAYS;
	int64_t doe = z - era * DATE_ERA_DAYS;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;	/* 0 = March .. 11 = February */

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int date_is_valid(owed_date date)
{
	return date >= DATE_MIN && date <= DATE_MAX;
}

int date_is_leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int date_days_in_month(int y, int m)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m < 1 || m > 12)
		return 0;
	return days[m - 1] + (m == 2 && date_is_leap(y));
}

int date_from_ymd(int y, int m, int d, owed_date *out)
{
	/* date_days_in_month is 0 for a bad month, which rejects every day */
	if (y < 1 || y > 9999 || d < 1 || d > date_days_in_month(y, m))
		return OWED_EINPUT;
	*out = (owed_date)date_days_from_civil(y, m, d);
	return 0;
}

int date_weekday(owed_date date)
{
	/* 1970-01-01 was a Thursday; widen first so date + 3 cannot overflow */
	int r = (int)(((int64_t)date + 3) % 7);

	return (r < 0 ? r + 7 : r) + 1;
}

/*
 * Reads min..max ASCII digits at *p and advances past them.  Digits are tested by hand, not with
 * isdigit or strtol, so no sign, blank or locale can slip into a date.
 */
static int date_digits(const char **p, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (n < max && (*p)[n] >= '0' && (*p)[n] <= '9') {
		v = v * 10 + ((*p)[n] - '0');
		n++;
	}
	if (n < min)
		return 0;
	*p += n;
	*out = v;
	return 1;
}

int date_parse_iso(const char *s, owed_date *out)
{
	int y, m, d;

	if (s == NULL || !date_digits(&s, 4, 4, &y) || *s++ != '-'
	    || !date_digits(&s, 2, 2, &m) || *s++ != '-'
	    || !date_digits(&s, 2, 2, &d) || *s != '\0')
		return OWED_EINPUT;
	return date_from_ymd(y, m, d, out);
}

static int date_parse_compact(const char *s, owed_date *out)
{
	int y, m, d;

	if (s == NULL || !date_digits(&s, 4, 4, &y) || !date_digits(&s, 2, 2, &m)
	    || !date_digits(&s, 2, 2, &d) || *s != '\0')
		return OWED_EINPUT;
	return date_from_ymd(y, m, d, out);
}

int date_parse_dmy(const char *s, owed_date *out)
{
	int y, m, d;
	char sep;

	if (s == NULL || !date_digits(&s, 1, 2, &d))
		return OWED_EINPUT;
	sep = *s++;
	/* the year must be written in full: "3/3/26" is too ambiguous for a ledger */
	if ((sep != '-' && sep != '/' && sep != '.') || !date_digits(&s, 1, 2, &m)
	    || *s++ != sep || !date_digits(&s, 4, 4, &y) || *s != '\0')
		return OWED_EINPUT;
	return date_from_ymd(y, m, d, out);
}

int date_parse(const char *s, owed_date *out)
{
	/* the three shapes cannot be confused: only ISO has a separator after 4 digits,
	 * only compact is 8 bare digits, and dmy never starts with more than 2 digits */
	if (date_parse_iso(s, out) == 0 || date_parse_compact(s, out) == 0)
		return 0;
	return date_parse_dmy(s, out);
}

/* Turns an snprintf result into ours: truncated output is an error, not a shorter date. */
static int date_finish(char *buf, size_t n, int r)
{
	if (r < 0 || (size_t)r >= n) {
		if (n > 0)
			buf[0] = '\0';
		return OWED_EOVERFLOW;
	}
	return r;
}

int date_format_iso(owed_date date, char *buf, size_t n)
{
	int y, m, d;

	if (!date_is_valid(date))
		return OWED_EINPUT;
	date_to_ymd(date, &y, &m, &d);
	if (n < 11)
		return date_finish(buf, n, 10);
	/* by hand, not snprintf: the daily run formats every invoice's dates */
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return 10;
}

/* Month names are UTF-8; "d\xc3\xa9" "cembre" is split because c would extend the escape. */
static const struct date_lang {
	const char *code;
	const char *first;	/* suffix after day 1: French writes the first as an ordinal */
	const char *month[12];
} date_langs[] = {
	{"nl", "", {"januari", "februari", "maart", "april", "mei", "juni", "juli",
	            "augustus", "september", "oktober", "november", "december"}},
	{"fr", "er", {"janvier", "f\xc3\xa9vrier", "mars", "avril", "mai", "juin", "juillet",
	              "ao\xc3\xbbt", "septembre", "octobre", "novembre", "d\xc3\xa9" "cembre"}},
	{"en", "", {"January", "February", "March", "April", "May", "June", "July",
	            "August", "September", "October", "November", "December"}}
};

int date_format_long(owed_date date, const char *lang, char *buf, size_t n)
{
	size_t i;
	int y, m, d;

	if (lang == NULL || !date_is_valid(date))
		return OWED_EINPUT;
	for (i = 0; i < sizeof date_langs / sizeof date_langs[0]; i++) {
		const struct date_lang *l = &date_langs[i];

		if (strcmp(lang, l->code) == 0) {
			date_to_ymd(date, &y, &m, &d);
			return date_finish(buf, n, snprintf(buf, n, "%d%s %s %d",
			                                    d, d == 1 ? l->first : "", l->month[m - 1], y));
		}
	}
	return OWED_EINPUT;
}

int date_add_days(owed_date date, int64_t n, owed_date *out)
{
	if (!date_is_valid(date))
		return OWED_EINPUT;
	/* compare before adding, so not even an int64_t n can overflow */
	if (n < (int64_t)DATE_MIN - date || n > (int64_t)DATE_MAX - date)
		return OWED_EOVERFLOW;
	*out = (owed_date)(date + n);
	return 0;
}

/*
 * Steps whole months on a count of months since year 0 and clamps the day to the target
 * month's length: "one month after 31 January" is the last day of February, which is how
 * payment terms and statutory periods are read.
 */
static int date_shift_months(owed_date date, int64_t months, owed_date *out)
{
	int y, m, d, last;
	int64_t t;

	if (!date_is_valid(date))
		return OWED_EINPUT;
	date_to_ymd(date, &y, &m, &d);
	t = (int64_t)y * 12 + (m - 1);
	if (months < 12 - t || months > 9999 * 12 + 11 - t)
		return OWED_EOVERFLOW;
	t += months;
	y = (int)(t / 12);
	m = (int)(t % 12) + 1;
	last = date_days_in_month(y, m);
	return date_from_ymd(y, m, d < last ? d : last, out);
}

int date_add_months(owed_date date, int n, owed_date *out)
{
	return date_shift_months(date, n, out);
}

int date_add_years(owed_date date, int n, owed_date *out)
{
	return date_shift_months(date, (int64_t)n * 12, out);
}

int32_t date_diff(owed_date a, owed_date b)
{
	/* in range the difference fits easily; widening keeps wild inputs from being undefined */
	return (int32_t)((int64_t)b - a);
}

/* The anonymous Gregorian computus (Meeus, Astronomical Algorithms, ch. 8). */
owed_date date_easter(int year)
{
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int t = h + l - 7 * m + 114;

	return (owed_date)date_days_from_civil(year, t / 31, t % 31 + 1);
}

int date_today(owed_date *out)
{
	const char *pin = getenv("OWED_TODAY");
	struct tm tm;
	time_t now;

	/* a pinned date lets tests and simulations replay any day; a typo in it must fail loudly
	 * rather than quietly run against the real calendar */
	if (pin != NULL && pin[0] != '\0')
		return date_parse_iso(pin, out);
	if (clock_now(&now) != 0 || localtime_r(&now, &tm) == NULL)
		return OWED_EIO;
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, out);
}
