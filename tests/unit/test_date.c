/*
 * test_date.c -- civil date conversions, parsing, formatting and arithmetic.
 *
 * Expected values are written out from published calendars, never computed by date.c.
 */
#define _POSIX_C_SOURCE 200809L	/* setenv, unsetenv */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"

static owed_date ymd(int y, int m, int d)
{
	owed_date out = 0;

	assert_int_equal(date_from_ymd(y, m, d, &out), 0);
	return out;
}

static void assert_ymd(owed_date date, int y, int m, int d)
{
	int gy, gm, gd;

	date_to_ymd(date, &gy, &gm, &gd);
	assert_int_equal(gy, y);
	assert_int_equal(gm, m);
	assert_int_equal(gd, d);
}

/* Every day 1900..2100 is one more than the day before, converts back, and advances the weekday. */
static void test_roundtrip(void **state)
{
	owed_date prev = -25568;	/* 1899-12-31 */
	int wd = 7;	/* 1899-12-31 was a Sunday */
	int y, m, d;

	(void)state;
	for (y = 1900; y <= 2100; y++)
		for (m = 1; m <= 12; m++)
			for (d = 1; d <= date_days_in_month(y, m); d++) {
				owed_date t = ymd(y, m, d);

				assert_int_equal(t, prev + 1);
				assert_ymd(t, y, m, d);
				wd = wd % 7 + 1;
				assert_int_equal(date_weekday(t), wd);
				prev = t;
			}
	assert_int_equal(prev, ymd(2100, 12, 31));
}

static void test_fixed_points(void **state)
{
	owed_date t;

	(void)state;
	assert_int_equal(ymd(1970, 1, 1), 0);
	assert_int_equal(date_weekday(0), 4);	/* Thursday */
	assert_int_equal(ymd(1969, 12, 31), -1);
	assert_int_equal(date_weekday(-1), 3);
	assert_int_equal(ymd(2000, 1, 1), 10957);
	assert_int_equal(date_weekday(10957), 6);
	assert_int_equal(ymd(2000, 3, 1), 11017);
	assert_int_equal(ymd(1900, 1, 1), -25567);
	assert_int_equal(date_weekday(ymd(2026, 11, 23)), 1);
	assert_int_equal(date_weekday(ymd(2026, 11, 29)), 7);
	assert_int_equal(ymd(1, 1, 1), DATE_MIN);
	assert_int_equal(date_weekday(DATE_MIN), 1);
	assert_int_equal(ymd(9999, 12, 31), DATE_MAX);
	assert_int_equal(date_weekday(DATE_MAX), 5);
	assert_ymd(DATE_MIN, 1, 1, 1);
	assert_ymd(DATE_MAX, 9999, 12, 31);
	assert_true(date_is_valid(DATE_MIN) && date_is_valid(DATE_MAX) && date_is_valid(0));
	assert_false(date_is_valid(DATE_MIN - 1) || date_is_valid(DATE_MAX + 1));

	assert_int_equal(date_from_ymd(2024, 2, 29, &t), 0);
	t = 42;
	assert_int_equal(date_from_ymd(2023, 2, 29, &t), OWED_EINPUT);
	assert_int_equal(t, 42);	/* untouched on failure */
	assert_int_equal(date_from_ymd(1900, 2, 29, &t), OWED_EINPUT);
	assert_int_equal(date_from_ymd(2000, 2, 29, &t), 0);
	assert_int_equal(date_from_ymd(2026, 4, 31, &t), OWED_EINPUT);
	assert_int_equal(date_from_ymd(2026, 0, 1, &t), OWED_EINPUT);
	assert_int_equal(date_from_ymd(2026, 13, 1, &t), OWED_EINPUT);
	assert_int_equal(date_from_ymd(2026, 1, 0, &t), OWED_EINPUT);
	assert_int_equal(date_from_ymd(2026, 1, 32, &t), OWED_EINPUT);
	assert_int_equal(date_from_ymd(0, 1, 1, &t), OWED_EINPUT);
	assert_int_equal(date_from_ymd(10000, 1, 1, &t), OWED_EINPUT);
}

static void test_leap_and_months(void **state)
{
	static const int days2025[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int m;

	(void)state;
	assert_false(date_is_leap(1900));
	assert_true(date_is_leap(2000));
	assert_true(date_is_leap(2024));
	assert_false(date_is_leap(2025));
	assert_false(date_is_leap(2100));
	assert_true(date_is_leap(2400));
	for (m = 1; m <= 12; m++)
		assert_int_equal(date_days_in_month(2025, m), days2025[m - 1]);
	assert_int_equal(date_days_in_month(2024, 2), 29);
	assert_int_equal(date_days_in_month(2024, 0), 0);
	assert_int_equal(date_days_in_month(2024, 13), 0);
}

static void assert_parses(int (*parse)(const char *, owed_date *), const char *s, int y, int m, int d)
{
	owed_date t = 0;

	assert_int_equal(parse(s, &t), 0);
	assert_int_equal(t, ymd(y, m, d));
}

static void assert_rejects(int (*parse)(const char *, owed_date *), const char *s)
{
	owed_date t = 42;

	assert_int_equal(parse(s, &t), OWED_EINPUT);
	assert_int_equal(t, 42);
}

static void test_parse_iso(void **state)
{
	static const char *const bad[] = {
		"2026-13-01", "2026-02-30", "2026-1-01", "2026-01-1", "20260301", "03-03-2026",
		"2026-03-01x", "2026-03-01 ", " 2026-03-01", "2026/03/01", "0000-01-01", "+2026-03-01",
		"2026-03-0", "2026-03-", "", "2023-02-29", "12026-03-01", "2026--3-01", "2026-00-10"
	};
	size_t i;

	(void)state;
	assert_parses(date_parse_iso, "2026-03-01", 2026, 3, 1);
	assert_parses(date_parse_iso, "2024-02-29", 2024, 2, 29);
	assert_parses(date_parse_iso, "0001-01-01", 1, 1, 1);
	assert_parses(date_parse_iso, "9999-12-31", 9999, 12, 31);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_rejects(date_parse_iso, bad[i]);
	assert_rejects(date_parse_iso, NULL);
}

static void test_parse_dmy(void **state)
{
	static const char *const bad[] = {
		"3/3/26", "3-3/2026", "3.3-2026", "003-03-2026", "3-003-2026", "31-04-2026", "29.02.2025",
		"3/3/2026 ", "3/3/2026x", "2026-03-03", "3 3 2026", "3//2026", "/3/2026", "3/3/02026", ""
	};
	size_t i;

	(void)state;
	assert_parses(date_parse_dmy, "03-03-2026", 2026, 3, 3);
	assert_parses(date_parse_dmy, "3/3/2026", 2026, 3, 3);
	assert_parses(date_parse_dmy, "3.12.2026", 2026, 12, 3);
	assert_parses(date_parse_dmy, "31/1/2026", 2026, 1, 31);
	assert_parses(date_parse_dmy, "29.02.2024", 2024, 2, 29);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_rejects(date_parse_dmy, bad[i]);
	assert_rejects(date_parse_dmy, NULL);
}

static void test_parse_any(void **state)
{
	static const char *const bad[] = {
		"2026-13-01", "2026-02-30", "2026-1-01", "20261301", "2026030", "202603011", "3/3/26",
		"20260301 ", "2026-03-01\n", "x", "", "2026.03.01", "1-2-3"
	};
	size_t i;

	(void)state;
	assert_parses(date_parse, "2026-03-01", 2026, 3, 1);
	assert_parses(date_parse, "20260301", 2026, 3, 1);
	assert_parses(date_parse, "03-03-2026", 2026, 3, 3);
	assert_parses(date_parse, "3/3/2026", 2026, 3, 3);
	assert_parses(date_parse, "1.10.2026", 2026, 10, 1);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_rejects(date_parse, bad[i]);
	assert_rejects(date_parse, NULL);
}

static void test_format_iso(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(date_format_iso(ymd(2026, 3, 3), buf, sizeof buf), 10);
	assert_string_equal(buf, "2026-03-03");
	assert_int_equal(date_format_iso(DATE_MIN, buf, sizeof buf), 10);
	assert_string_equal(buf, "0001-01-01");
	assert_int_equal(date_format_iso(ymd(2026, 3, 3), buf, 11), 10);
	assert_int_equal(date_format_iso(ymd(2026, 3, 3), buf, 10), OWED_EOVERFLOW);
	assert_string_equal(buf, "");
	assert_int_equal(date_format_iso(ymd(2026, 3, 3), NULL, 0), OWED_EOVERFLOW);
	assert_int_equal(date_format_iso(DATE_MAX + 1, buf, sizeof buf), OWED_EINPUT);
}

static void assert_long(owed_date date, const char *lang, const char *want)
{
	char buf[64];

	assert_int_equal(date_format_long(date, lang, buf, sizeof buf), (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_format_long(void **state)
{
	char buf[13];

	(void)state;
	assert_long(ymd(2026, 3, 3), "nl", "3 maart 2026");
	assert_long(ymd(2026, 1, 1), "nl", "1 januari 2026");
	assert_long(ymd(2026, 12, 31), "nl", "31 december 2026");
	assert_long(ymd(2026, 5, 15), "nl", "15 mei 2026");
	assert_long(ymd(2026, 3, 3), "fr", "3 mars 2026");
	assert_long(ymd(2026, 3, 1), "fr", "1er mars 2026");
	assert_long(ymd(2026, 2, 1), "fr", "1er f\xc3\xa9vrier 2026");
	assert_long(ymd(2026, 8, 15), "fr", "15 ao\xc3\xbbt 2026");
	assert_long(ymd(2026, 12, 11), "fr", "11 d\xc3\xa9" "cembre 2026");
	assert_long(ymd(2026, 3, 3), "en", "3 March 2026");
	assert_long(ymd(2026, 3, 1), "en", "1 March 2026");
	assert_long(ymd(2026, 11, 21), "en", "21 November 2026");

	assert_int_equal(date_format_long(ymd(2026, 3, 3), "nl", buf, 13), 12);
	assert_int_equal(date_format_long(ymd(2026, 3, 3), "nl", buf, 12), OWED_EOVERFLOW);
	assert_string_equal(buf, "");
	assert_int_equal(date_format_long(ymd(2026, 3, 3), "de", buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(date_format_long(ymd(2026, 3, 3), "NL", buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(date_format_long(ymd(2026, 3, 3), NULL, buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(date_format_long(DATE_MIN - 1, "nl", buf, sizeof buf), OWED_EINPUT);
}

static void test_add_days(void **state)
{
	owed_date t = 0;

	(void)state;
	assert_int_equal(date_add_days(ymd(2025, 12, 31), 1, &t), 0);
	assert_int_equal(t, ymd(2026, 1, 1));
	assert_int_equal(date_add_days(ymd(2024, 12, 31), 1, &t), 0);
	assert_int_equal(t, ymd(2025, 1, 1));
	assert_int_equal(date_add_days(ymd(2024, 2, 28), 1, &t), 0);
	assert_int_equal(t, ymd(2024, 2, 29));
	assert_int_equal(date_add_days(ymd(2026, 1, 1), -1, &t), 0);
	assert_int_equal(t, ymd(2025, 12, 31));
	assert_int_equal(date_add_days(ymd(2026, 3, 3), 0, &t), 0);
	assert_int_equal(t, ymd(2026, 3, 3));
	assert_int_equal(date_add_days(ymd(2024, 1, 1), 366, &t), 0);
	assert_int_equal(t, ymd(2025, 1, 1));
	assert_int_equal(date_add_days(ymd(2026, 1, 1), 30, &t), 0);
	assert_int_equal(t, ymd(2026, 1, 31));

	assert_int_equal(date_add_days(DATE_MAX, 0, &t), 0);
	t = 42;
	assert_int_equal(date_add_days(DATE_MAX, 1, &t), OWED_EOVERFLOW);
	assert_int_equal(date_add_days(DATE_MIN, -1, &t), OWED_EOVERFLOW);
	assert_int_equal(date_add_days(0, INT64_MAX, &t), OWED_EOVERFLOW);
	assert_int_equal(date_add_days(0, INT64_MIN, &t), OWED_EOVERFLOW);
	assert_int_equal(t, 42);
	assert_int_equal(date_add_days(DATE_MAX + 1, -1, &t), OWED_EINPUT);
	assert_int_equal(date_add_days(INT32_MIN, 0, &t), OWED_EINPUT);
	assert_int_equal(date_add_days(DATE_MIN, (int64_t)DATE_MAX - DATE_MIN, &t), 0);
	assert_int_equal(t, DATE_MAX);
}

static void assert_months(int (*add)(owed_date, int, owed_date *), owed_date from, int n, owed_date want)
{
	owed_date t = 0;

	assert_int_equal(add(from, n, &t), 0);
	assert_int_equal(t, want);
}

static void test_add_months(void **state)
{
	owed_date t = 42;

	(void)state;
	assert_months(date_add_months, ymd(2024, 1, 31), 1, ymd(2024, 2, 29));
	assert_months(date_add_months, ymd(2025, 1, 31), 1, ymd(2025, 2, 28));
	assert_months(date_add_months, ymd(2024, 3, 31), -1, ymd(2024, 2, 29));
	assert_months(date_add_months, ymd(2025, 3, 31), -1, ymd(2025, 2, 28));
	assert_months(date_add_months, ymd(2026, 1, 31), 3, ymd(2026, 4, 30));
	assert_months(date_add_months, ymd(2026, 3, 15), 1, ymd(2026, 4, 15));
	assert_months(date_add_months, ymd(2026, 11, 30), 2, ymd(2027, 1, 30));
	assert_months(date_add_months, ymd(2026, 1, 15), -1, ymd(2025, 12, 15));
	assert_months(date_add_months, ymd(2026, 1, 15), -13, ymd(2024, 12, 15));
	assert_months(date_add_months, ymd(2026, 1, 15), 24, ymd(2028, 1, 15));
	assert_months(date_add_months, ymd(2026, 5, 31), 0, ymd(2026, 5, 31));
	assert_months(date_add_months, ymd(9999, 11, 30), 1, ymd(9999, 12, 30));
	assert_months(date_add_months, ymd(1, 2, 28), -1, ymd(1, 1, 28));
	assert_int_equal(date_add_months(ymd(9999, 12, 1), 1, &t), OWED_EOVERFLOW);
	assert_int_equal(date_add_months(ymd(1, 1, 31), -1, &t), OWED_EOVERFLOW);
	assert_int_equal(date_add_months(0, INT32_MAX, &t), OWED_EOVERFLOW);
	assert_int_equal(date_add_months(0, INT32_MIN, &t), OWED_EOVERFLOW);
	assert_int_equal(date_add_months(DATE_MIN - 1, 1, &t), OWED_EINPUT);
	assert_int_equal(t, 42);

	assert_months(date_add_years, ymd(2024, 2, 29), 1, ymd(2025, 2, 28));
	assert_months(date_add_years, ymd(2024, 2, 29), 4, ymd(2028, 2, 29));
	assert_months(date_add_years, ymd(2024, 2, 29), -1, ymd(2023, 2, 28));
	assert_months(date_add_years, ymd(2026, 3, 3), -2026 + 1, ymd(1, 3, 3));
	assert_months(date_add_years, ymd(2026, 12, 31), 1, ymd(2027, 12, 31));
	assert_int_equal(date_add_years(ymd(2026, 3, 3), 7974, &t), OWED_EOVERFLOW);
	assert_int_equal(date_add_years(ymd(2026, 3, 3), INT32_MAX, &t), OWED_EOVERFLOW);
	assert_int_equal(date_add_years(ymd(2026, 3, 3), INT32_MIN, &t), OWED_EOVERFLOW);
	assert_int_equal(t, 42);
}

static void test_diff(void **state)
{
	(void)state;
	assert_int_equal(date_diff(ymd(2026, 1, 1), ymd(2026, 12, 31)), 364);
	assert_int_equal(date_diff(ymd(2024, 1, 1), ymd(2025, 1, 1)), 366);
	assert_int_equal(date_diff(ymd(2026, 3, 3), ymd(2026, 2, 1)), -30);
	assert_int_equal(date_diff(ymd(2026, 3, 3), ymd(2026, 3, 3)), 0);
	assert_int_equal(date_diff(DATE_MIN, DATE_MAX), 3652058);
}

static void test_easter(void **state)
{
	static const int want[][3] = {
		{2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5}, {2027, 3, 28}, {2028, 4, 16},
		{2029, 4, 1}, {2030, 4, 21}, {1818, 3, 22}, {2038, 4, 25}, {2285, 3, 22},
		{1943, 4, 25}, {2000, 4, 23}, {2008, 3, 23}, {2016, 3, 27}, {2019, 4, 21}
	};
	size_t i;
	int y;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(date_easter(want[i][0]), ymd(want[i][0], want[i][1], want[i][2]));
	/* always a Sunday, from 22 March to 25 April */
	for (y = 1583; y <= 9999; y++) {
		owed_date e = date_easter(y);

		assert_int_equal(date_weekday(e), 7);
		assert_true(e >= ymd(y, 3, 22) && e <= ymd(y, 4, 25));
	}
}

static void test_today(void **state)
{
	owed_date t = 42;

	(void)state;
	assert_int_equal(setenv("OWED_TODAY", "2026-03-03", 1), 0);
	assert_int_equal(date_today(&t), 0);
	assert_int_equal(t, ymd(2026, 3, 3));
	assert_int_equal(setenv("OWED_TODAY", "1999-12-31", 1), 0);
	assert_int_equal(date_today(&t), 0);
	assert_int_equal(t, ymd(1999, 12, 31));

	t = 42;
	assert_int_equal(setenv("OWED_TODAY", "3/3/2026", 1), 0);
	assert_int_equal(date_today(&t), OWED_EINPUT);
	assert_int_equal(setenv("OWED_TODAY", "2026-02-30", 1), 0);
	assert_int_equal(date_today(&t), OWED_EINPUT);
	assert_int_equal(t, 42);

	/* unset or empty: the clock, which is certainly after this code was written */
	assert_int_equal(setenv("OWED_TODAY", "", 1), 0);
	assert_int_equal(date_today(&t), 0);
	assert_true(t >= ymd(2025, 1, 1));
	assert_int_equal(unsetenv("OWED_TODAY"), 0);
	assert_int_equal(date_today(&t), 0);
	assert_true(t >= ymd(2025, 1, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_fixed_points),
		cmocka_unit_test(test_leap_and_months),
		cmocka_unit_test(test_parse_iso),
		cmocka_unit_test(test_parse_dmy),
		cmocka_unit_test(test_parse_any),
		cmocka_unit_test(test_format_iso),
		cmocka_unit_test(test_format_long),
		cmocka_unit_test(test_add_days),
		cmocka_unit_test(test_add_months),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_easter),
		cmocka_unit_test(test_today),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
