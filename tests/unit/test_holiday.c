/*
 * test_holiday.c -- NL and BE holidays and business-day arithmetic.
 *
 * The expected tables are the published holidays, written out by hand: they must not be
 * derived from date_easter or holiday.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "core/holiday.h"

#define YEARS 7	/* 2024..2030 */
#define PER_YEAR 10

struct expect {
	const char *name;
	const char *date[YEARS];	/* 2024, 2025, ... 2030 */
};

/* Algemene termijnenwet art. 3, in date order (which is the same every year 2024-2030). */
static const struct expect nl[PER_YEAR] = {
	{"Nieuwjaarsdag", {"2024-01-01", "2025-01-01", "2026-01-01", "2027-01-01",
	                   "2028-01-01", "2029-01-01", "2030-01-01"}},
	{"Eerste Paasdag", {"2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28",
	                    "2028-04-16", "2029-04-01", "2030-04-21"}},
	{"Tweede Paasdag", {"2024-04-01", "2025-04-21", "2026-04-06", "2027-03-29",
	                    "2028-04-17", "2029-04-02", "2030-04-22"}},
	/* 27 April 2025 is a Sunday; 2024 and 2030 are Saturdays and stay */
	{"Koningsdag", {"2024-04-27", "2025-04-26", "2026-04-27", "2027-04-27",
	                "2028-04-27", "2029-04-27", "2030-04-27"}},
	{"Bevrijdingsdag", {"2024-05-05", "2025-05-05", "2026-05-05", "2027-05-05",
	                    "2028-05-05", "2029-05-05", "2030-05-05"}},
	{"Hemelvaartsdag", {"2024-05-09", "2025-05-29", "2026-05-14", "2027-05-06",
	                    "2028-05-25", "2029-05-10", "2030-05-30"}},
	{"Eerste Pinksterdag", {"2024-05-19", "2025-06-08", "2026-05-24", "2027-05-16",
	                        "2028-06-04", "2029-05-20", "2030-06-09"}},
	{"Tweede Pinksterdag", {"2024-05-20", "2025-06-09", "2026-05-25", "2027-05-17",
	                        "2028-06-05", "2029-05-21", "2030-06-10"}},
	{"Eerste Kerstdag", {"2024-12-25", "2025-12-25", "2026-12-25", "2027-12-25",
	                     "2028-12-25", "2029-12-25", "2030-12-25"}},
	{"Tweede Kerstdag", {"2024-12-26", "2025-12-26", "2026-12-26", "2027-12-26",
	                     "2028-12-26", "2029-12-26", "2030-12-26"}}
};

/* The ten Belgian legal holidays, in date order. */
static const struct expect be[PER_YEAR] = {
	{"Nieuwjaar", {"2024-01-01", "2025-01-01", "2026-01-01", "2027-01-01",
	               "2028-01-01", "2029-01-01", "2030-01-01"}},
	{"Paasmaandag", {"2024-04-01", "2025-04-21", "2026-04-06", "2027-03-29",
	                 "2028-04-17", "2029-04-02", "2030-04-22"}},
	{"Dag van de Arbeid", {"2024-05-01", "2025-05-01", "2026-05-01", "2027-05-01",
	                       "2028-05-01", "2029-05-01", "2030-05-01"}},
	{"O.L.H. Hemelvaart", {"2024-05-09", "2025-05-29", "2026-05-14", "2027-05-06",
	                       "2028-05-25", "2029-05-10", "2030-05-30"}},
	{"Pinkstermaandag", {"2024-05-20", "2025-06-09", "2026-05-25", "2027-05-17",
	                     "2028-06-05", "2029-05-21", "2030-06-10"}},
	{"Nationale feestdag", {"2024-07-21", "2025-07-21", "2026-07-21", "2027-07-21",
	                        "2028-07-21", "2029-07-21", "2030-07-21"}},
	{"O.L.V. Hemelvaart", {"2024-08-15", "2025-08-15", "2026-08-15", "2027-08-15",
	                       "2028-08-15", "2029-08-15", "2030-08-15"}},
	{"Allerheiligen", {"2024-11-01", "2025-11-01", "2026-11-01", "2027-11-01",
	                   "2028-11-01", "2029-11-01", "2030-11-01"}},
	{"Wapenstilstand", {"2024-11-11", "2025-11-11", "2026-11-11", "2027-11-11",
	                    "2028-11-11", "2029-11-11", "2030-11-11"}},
	{"Kerstmis", {"2024-12-25", "2025-12-25", "2026-12-25", "2027-12-25",
	              "2028-12-25", "2029-12-25", "2030-12-25"}}
};

static owed_date iso(const char *s)
{
	owed_date d = 0;

	assert_int_equal(date_parse_iso(s, &d), 0);
	return d;
}

static void assert_holiday(owed_calendar cal, const char *date, const char *want)
{
	const char *name = NULL;

	assert_int_equal(holiday_is(cal, iso(date), &name), 1);
	assert_non_null(name);
	assert_string_equal(name, want);
	assert_false(holiday_is_business_day(cal, iso(date)));
}

static void assert_not_holiday(owed_calendar cal, const char *date)
{
	const char *name = "untouched";

	assert_int_equal(holiday_is(cal, iso(date), &name), 0);
	assert_string_equal(name, "untouched");
}

/* The year's list is exactly the table column, in order; each entry is also found by holiday_is. */
static void check_calendar(owed_calendar cal, const struct expect *want)
{
	owed_date dates[HOLIDAY_MAX];
	const char *names[HOLIDAY_MAX];
	int y, i;

	for (y = 0; y < YEARS; y++) {
		assert_int_equal(holiday_list(cal, 2024 + y, dates, names, HOLIDAY_MAX), PER_YEAR);
		for (i = 0; i < PER_YEAR; i++) {
			assert_int_equal(dates[i], iso(want[i].date[y]));
			assert_string_equal(names[i], want[i].name);
			assert_holiday(cal, want[i].date[y], want[i].name);
		}
	}
}

static void test_nl(void **state)
{
	(void)state;
	check_calendar(CAL_NL, nl);
	assert_not_holiday(CAL_NL, "2024-03-29");	/* Goede Vrijdag is not in the termijnenwet */
	assert_not_holiday(CAL_NL, "2025-04-18");
	assert_not_holiday(CAL_NL, "2025-04-27");	/* Koningsdag moved to the 26th */
	assert_not_holiday(CAL_NL, "2026-05-01");
	assert_not_holiday(CAL_NL, "2026-12-24");
	assert_not_holiday(CAL_NL, "2026-12-31");
	assert_not_holiday(CAL_NL, "2027-12-27");	/* no substitute for Christmas on a weekend */
	assert_not_holiday(CAL_NL, "2026-11-11");
	assert_true(holiday_is(CAL_NL, iso("2030-04-27"), NULL));	/* Saturday: stays */
	assert_false(holiday_is(CAL_NL, iso("2030-04-26"), NULL));
	assert_holiday(CAL_NL, "2031-04-26", "Koningsdag");	/* 27 April 2031 is a Sunday */
	assert_holiday(CAL_NL, "2014-04-26", "Koningsdag");	/* the first one, 27th a Sunday */
	assert_holiday(CAL_NL, "2013-04-30", "Koninginnedag");
	assert_holiday(CAL_NL, "2006-04-29", "Koninginnedag");	/* 30 April 2006 a Sunday */
	assert_not_holiday(CAL_NL, "2013-04-27");
}

static void test_be(void **state)
{
	(void)state;
	check_calendar(CAL_BE, be);
	assert_not_holiday(CAL_BE, "2024-03-29");	/* Goede Vrijdag */
	assert_not_holiday(CAL_BE, "2024-03-31");	/* Pasen is a Sunday, not a legal holiday */
	assert_not_holiday(CAL_BE, "2024-05-19");	/* nor Pinksteren */
	assert_not_holiday(CAL_BE, "2026-12-26");
	assert_not_holiday(CAL_BE, "2026-04-27");
	assert_not_holiday(CAL_BE, "2026-05-05");
}

static void test_coinciding(void **state)
{
	owed_date dates[HOLIDAY_MAX];
	const char *names[HOLIDAY_MAX];

	(void)state;
	/* 2016: Hemelvaartsdag fell on 5 May; both stay in the list, holiday_is names the first */
	assert_int_equal(holiday_list(CAL_NL, 2016, dates, names, HOLIDAY_MAX), PER_YEAR);
	assert_int_equal(dates[4], iso("2016-05-05"));
	assert_string_equal(names[4], "Bevrijdingsdag");
	assert_int_equal(dates[5], iso("2016-05-05"));
	assert_string_equal(names[5], "Hemelvaartsdag");
	assert_holiday(CAL_NL, "2016-05-05", "Bevrijdingsdag");

	/* 2008: O.L.H. Hemelvaart fell on 1 May */
	assert_int_equal(holiday_list(CAL_BE, 2008, dates, names, HOLIDAY_MAX), PER_YEAR);
	assert_int_equal(dates[2], iso("2008-05-01"));
	assert_string_equal(names[2], "Dag van de Arbeid");
	assert_int_equal(dates[3], iso("2008-05-01"));
	assert_string_equal(names[3], "O.L.H. Hemelvaart");
	assert_holiday(CAL_BE, "2008-05-01", "Dag van de Arbeid");
}

static void test_list_edges(void **state)
{
	owed_date dates[HOLIDAY_MAX];
	const char *names[HOLIDAY_MAX];
	int y;

	(void)state;
	for (y = 1; y <= 9999; y++) {
		assert_int_equal(holiday_list(CAL_NL, y, dates, NULL, HOLIDAY_MAX), PER_YEAR);
		assert_int_equal(holiday_list(CAL_BE, y, dates, NULL, HOLIDAY_MAX), PER_YEAR);
	}
	assert_int_equal(holiday_list(CAL_NL, 2026, dates, names, PER_YEAR), PER_YEAR);
	assert_int_equal(holiday_list(CAL_NL, 2026, dates, names, PER_YEAR - 1), OWED_EOVERFLOW);
	assert_int_equal(holiday_list(CAL_BE, 2026, NULL, NULL, 0), OWED_EOVERFLOW);
	assert_int_equal(holiday_list(CAL_NONE, 2026, NULL, NULL, 0), 0);
	assert_int_equal(holiday_list(CAL_NL, 0, dates, names, HOLIDAY_MAX), OWED_EINPUT);
	assert_int_equal(holiday_list(CAL_NL, 10000, dates, names, HOLIDAY_MAX), OWED_EINPUT);
	assert_false(holiday_is(CAL_NONE, iso("2026-12-25"), NULL));
	assert_false(holiday_is(CAL_NL, DATE_MAX + 1, NULL));
	assert_false(holiday_is(CAL_NL, INT32_MIN, NULL));
	assert_true(holiday_is(CAL_NL, DATE_MIN, NULL));	/* 0001-01-01 */
	assert_true(holiday_is(CAL_BE, iso("9999-12-25"), NULL));
}

static void test_calendar(void **state)
{
	static const char *const bad[] = {"", "N", "NLD", "N1", "12", "N ", " NL", "NL\n", "\xc3\x89U"};
	owed_calendar cal = CAL_BE;
	size_t i;

	(void)state;
	assert_int_equal(holiday_calendar("NL", &cal), 0);
	assert_int_equal(cal, CAL_NL);
	assert_int_equal(holiday_calendar("BE", &cal), 0);
	assert_int_equal(cal, CAL_BE);
	assert_int_equal(holiday_calendar("nl", &cal), 0);
	assert_int_equal(cal, CAL_NL);
	assert_int_equal(holiday_calendar("Be", &cal), 0);
	assert_int_equal(cal, CAL_BE);
	assert_int_equal(holiday_calendar("DE", &cal), 0);
	assert_int_equal(cal, CAL_NONE);
	assert_int_equal(holiday_calendar("LU", &cal), 0);
	assert_int_equal(cal, CAL_NONE);
	cal = CAL_NL;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(holiday_calendar(bad[i], &cal), OWED_EINPUT);
	assert_int_equal(holiday_calendar(NULL, &cal), OWED_EINPUT);
	assert_int_equal(cal, CAL_NL);
}

static void assert_add(owed_calendar cal, const char *from, int n, const char *want)
{
	owed_date d = 0;

	assert_int_equal(holiday_add_business_days(cal, iso(from), n, &d), 0);
	assert_int_equal(d, iso(want));
}

static void assert_next(owed_calendar cal, const char *from, const char *want)
{
	owed_date d = 0;

	assert_int_equal(holiday_next_business_day(cal, iso(from), &d), 0);
	assert_int_equal(d, iso(want));
}

static void test_business_day(void **state)
{
	(void)state;
	assert_true(holiday_is_business_day(CAL_NL, iso("2026-11-25")));	/* Wednesday */
	assert_false(holiday_is_business_day(CAL_NL, iso("2026-11-28")));	/* Saturday */
	assert_false(holiday_is_business_day(CAL_NL, iso("2026-11-29")));	/* Sunday */
	assert_true(holiday_is_business_day(CAL_NL, iso("2024-03-29")));	/* Goede Vrijdag */
	assert_false(holiday_is_business_day(CAL_NL, iso("2026-04-27")));	/* Koningsdag, Monday */
	assert_true(holiday_is_business_day(CAL_BE, iso("2026-04-27")));
	assert_false(holiday_is_business_day(CAL_BE, iso("2026-07-21")));	/* Tuesday */
	assert_true(holiday_is_business_day(CAL_NL, iso("2026-07-21")));
	assert_true(holiday_is_business_day(CAL_NONE, iso("2026-12-25")));	/* Friday */
	assert_false(holiday_is_business_day(CAL_NONE, iso("2026-12-26")));
	assert_false(holiday_is_business_day(CAL_NL, DATE_MAX + 1));
}

static void test_add_business_days(void **state)
{
	(void)state;
	/* Christmas */
	assert_add(CAL_BE, "2026-12-24", 1, "2026-12-28");	/* Thu; Fri 25 Kerstmis, weekend */
	assert_add(CAL_NL, "2026-12-24", 1, "2026-12-28");	/* Fri 25 Kerstdag, Sat 26 */
	assert_add(CAL_NONE, "2026-12-24", 1, "2026-12-25");
	assert_add(CAL_NL, "2027-12-24", 1, "2027-12-27");	/* Fri; 25-26 on the weekend, Mon 27 works */
	assert_add(CAL_BE, "2027-12-24", 1, "2027-12-27");
	assert_add(CAL_NL, "2026-12-31", 1, "2027-01-04");	/* Thu; Fri 1 Jan, weekend */
	assert_add(CAL_NL, "2027-01-04", -1, "2026-12-31");

	/* Easter: Goede Vrijdag counts, Tweede Paasdag does not */
	assert_add(CAL_NL, "2024-03-28", 1, "2024-03-29");
	assert_add(CAL_NL, "2024-03-28", 2, "2024-04-02");
	assert_add(CAL_BE, "2024-03-29", 1, "2024-04-02");
	assert_add(CAL_BE, "2024-04-02", -1, "2024-03-29");
	assert_add(CAL_BE, "2024-04-02", -3, "2024-03-27");

	/* the national days */
	assert_add(CAL_NL, "2026-04-24", 1, "2026-04-28");	/* Fri; Mon 27 Koningsdag */
	assert_add(CAL_BE, "2026-04-24", 1, "2026-04-27");
	assert_add(CAL_NL, "2026-05-04", 1, "2026-05-06");	/* Tue 5 May Bevrijdingsdag */
	assert_add(CAL_BE, "2026-05-04", 1, "2026-05-05");
	assert_add(CAL_BE, "2026-07-20", 1, "2026-07-22");	/* Tue 21 July */
	assert_add(CAL_NL, "2026-05-13", 1, "2026-05-15");	/* Thu 14 May Hemelvaartsdag */
	assert_add(CAL_NL, "2026-05-22", 1, "2026-05-26");	/* Mon 25 May Tweede Pinksterdag */

	/* weekends and longer runs */
	assert_add(CAL_NL, "2026-11-27", 1, "2026-11-30");	/* Fri -> Mon */
	assert_add(CAL_NL, "2026-11-28", 1, "2026-11-30");	/* Sat -> Mon */
	assert_add(CAL_NL, "2026-11-28", -1, "2026-11-27");	/* Sat -> Fri */
	assert_add(CAL_NL, "2026-11-30", -1, "2026-11-27");	/* Mon -> Fri */
	assert_add(CAL_NL, "2026-01-02", 10, "2026-01-16");
	assert_add(CAL_NL, "2026-01-16", -10, "2026-01-02");
	assert_add(CAL_BE, "2026-12-01", 20, "2026-12-30");	/* 21 weekdays, one of them Kerstmis */

	/* n == 0: the day itself if it is a business day, else the next one */
	assert_add(CAL_NL, "2026-11-25", 0, "2026-11-25");
	assert_add(CAL_NL, "2024-03-30", 0, "2024-04-02");	/* Sat before Tweede Paasdag */
	assert_add(CAL_BE, "2026-12-25", 0, "2026-12-28");
}

static void test_next_business_day(void **state)
{
	owed_date d = 42;

	(void)state;
	assert_next(CAL_NL, "2026-11-25", "2026-11-25");
	assert_next(CAL_NL, "2026-11-28", "2026-11-30");
	assert_next(CAL_NL, "2025-04-26", "2025-04-28");	/* Koningsdag Sat, Sunday */
	assert_next(CAL_NL, "2024-12-25", "2024-12-27");	/* Wed 25, Thu 26 */
	assert_next(CAL_BE, "2024-12-25", "2024-12-26");
	assert_next(CAL_BE, "2030-12-25", "2030-12-26");
	assert_next(CAL_NONE, "2026-12-26", "2026-12-28");

	/* 9999-12-31 is a Friday: the last business day there is */
	assert_int_equal(holiday_next_business_day(CAL_NL, DATE_MAX, &d), 0);
	assert_int_equal(d, DATE_MAX);
	d = 42;
	assert_int_equal(holiday_add_business_days(CAL_NL, DATE_MAX, 1, &d), OWED_EOVERFLOW);
	assert_int_equal(holiday_add_business_days(CAL_NL, DATE_MIN, -1, &d), OWED_EOVERFLOW);
	assert_int_equal(holiday_add_business_days(CAL_NL, 0, INT32_MAX, &d), OWED_EOVERFLOW);
	assert_int_equal(holiday_add_business_days(CAL_NL, 0, INT32_MIN, &d), OWED_EOVERFLOW);
	assert_int_equal(holiday_next_business_day(CAL_NL, iso("9999-12-25"), &d), 0);
	assert_int_equal(d, iso("9999-12-27"));	/* Sat 25, Sun 26 -> Mon 27 (26th is Tweede Kerstdag) */
	d = 42;
	assert_int_equal(holiday_next_business_day(CAL_NL, DATE_MAX + 1, &d), OWED_EINPUT);
	assert_int_equal(holiday_add_business_days(CAL_NL, DATE_MIN - 1, 1, &d), OWED_EINPUT);
	assert_int_equal(holiday_add_business_days(CAL_NL, DATE_MIN - 1, 0, &d), OWED_EINPUT);
	assert_int_equal(d, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nl),
		cmocka_unit_test(test_be),
		cmocka_unit_test(test_coinciding),
		cmocka_unit_test(test_list_edges),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_business_day),
		cmocka_unit_test(test_add_business_days),
		cmocka_unit_test(test_next_business_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
