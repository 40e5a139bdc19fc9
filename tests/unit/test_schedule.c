/*
 * test_schedule.c -- when the daily run fires, in Europe/Amsterdam across the 2026 DST
 * changes (29 March: 02:00 CET jumps to 03:00 CEST at 01:00 UTC; 25 October: 03:00 CEST falls
 * back to 02:00 CET at 01:00 UTC), and the pinned clock.
 *
 * Expected instants are written out in UTC from the published transition times, never
 * computed by schedule.c.
 */
#define _POSIX_C_SOURCE 200809L	/* setenv */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/schedule.h"

static int amsterdam(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Amsterdam", 1);
	tzset();
	return 0;
}

static time_t utc(const char *s)
{
	time_t t = 0;
	assert_int_equal(clock_parse_utc(s, &t), 0);
	return t;
}

static owed_date day(const char *iso)
{
	owed_date d = 0;
	assert_int_equal(date_parse_iso(iso, &d), 0);
	return d;
}

/* The run of local day `iso` at hh:mm fires at the UTC instant `want`. */
static void assert_fire(const char *iso, const char *hhmm, const char *want)
{
	int minutes = 0;
	time_t at = 0;
	char got[32];
	assert_int_equal(sched_parse_hhmm(hhmm, &minutes), 0);
	assert_int_equal(sched_fire(day(iso), minutes, &at), 0);
	clock_format_utc(at, got, sizeof got);
	assert_string_equal(got, want);
}

static void test_ordinary_days(void **state)
{
	(void)state;
	assert_fire("2026-03-28", "02:30", "2026-03-28T01:30:00Z");     /* CET, UTC+1 */
	assert_fire("2026-03-28", "06:30", "2026-03-28T05:30:00Z");
	assert_fire("2026-03-30", "02:30", "2026-03-30T00:30:00Z");     /* CEST, UTC+2 */
	assert_fire("2026-07-01", "00:00", "2026-06-30T22:00:00Z");     /* the day before in UTC */
	assert_fire("2026-12-31", "23:59", "2026-12-31T22:59:00Z");
}

/* 29 March 2026: local 02:00-02:59 does not exist; a time in it fires at the jump. */
static void test_spring_forward(void **state)
{
	(void)state;
	assert_fire("2026-03-29", "01:59", "2026-03-29T00:59:00Z");     /* still CET */
	assert_fire("2026-03-29", "02:00", "2026-03-29T01:00:00Z");     /* the jump */
	assert_fire("2026-03-29", "02:30", "2026-03-29T01:00:00Z");
	assert_fire("2026-03-29", "02:59", "2026-03-29T01:00:00Z");
	assert_fire("2026-03-29", "03:00", "2026-03-29T01:00:00Z");     /* 03:00 CEST itself */
	assert_fire("2026-03-29", "03:01", "2026-03-29T01:01:00Z");
	assert_fire("2026-03-29", "06:30", "2026-03-29T04:30:00Z");
}

/* 25 October 2026: local 02:00-02:59 happens twice; the first one (CEST) fires. */
static void test_fall_back(void **state)
{
	(void)state;
	assert_fire("2026-10-25", "01:59", "2026-10-24T23:59:00Z");
	assert_fire("2026-10-25", "02:00", "2026-10-25T00:00:00Z");
	assert_fire("2026-10-25", "02:30", "2026-10-25T00:30:00Z");
	assert_fire("2026-10-25", "02:59", "2026-10-25T00:59:00Z");
	assert_fire("2026-10-25", "03:00", "2026-10-25T02:00:00Z");     /* CET now */
	assert_fire("2026-10-25", "06:30", "2026-10-25T05:30:00Z");
	assert_fire("2026-10-26", "02:30", "2026-10-26T01:30:00Z");
}

static void assert_next(const char *now, int today_done, const char *want_day,
                        const char *want_at)
{
	int minutes = 0;
	owed_date d = 0;
	time_t at = 0;
	char got[32];
	assert_int_equal(sched_parse_hhmm("02:30", &minutes), 0);
	assert_int_equal(sched_next(utc(now), minutes, today_done, &d, &at), 0);
	assert_int_equal(d, day(want_day));
	clock_format_utc(at, got, sizeof got);
	assert_string_equal(got, want_at);
}

/* Once a day: after the first 02:30 of the fall-back night has run, the second one (an hour
 * later, the same local day) is not a run; the next is the 26th's. */
static void test_next_runs_once_per_local_day(void **state)
{
	(void)state;
	assert_next("2026-10-24T23:00:00Z", 0, "2026-10-25", "2026-10-25T00:30:00Z");
	assert_next("2026-10-25T00:30:00Z", 1, "2026-10-26", "2026-10-26T01:30:00Z");
	assert_next("2026-10-25T01:30:00Z", 1, "2026-10-26", "2026-10-26T01:30:00Z");
	/* not run yet at the second 02:30 (the server was down): due, catching up */
	assert_next("2026-10-25T01:30:00Z", 0, "2026-10-25", "2026-10-25T00:30:00Z");
	/* the spring-forward night: ten seconds before the jump */
	assert_next("2026-03-29T00:59:50Z", 0, "2026-03-29", "2026-03-29T01:00:00Z");
	assert_next("2026-03-29T01:00:00Z", 1, "2026-03-30", "2026-03-30T00:30:00Z");
	/* local midnight is 23:00 UTC in winter: the 28th's 23:30 UTC is the 29th locally */
	assert_next("2026-03-28T23:30:00Z", 0, "2026-03-29", "2026-03-29T01:00:00Z");
	assert_next("2026-03-28T22:59:59Z", 1, "2026-03-29", "2026-03-29T01:00:00Z");
}

static void test_local_day(void **state)
{
	owed_date d = 0;
	(void)state;
	assert_int_equal(sched_local_day(utc("2026-03-28T22:59:59Z"), &d), 0);
	assert_int_equal(d, day("2026-03-28"));
	assert_int_equal(sched_local_day(utc("2026-03-28T23:00:00Z"), &d), 0);
	assert_int_equal(d, day("2026-03-29"));
	assert_int_equal(sched_local_day(utc("2026-10-25T21:59:59Z"), &d), 0);
	assert_int_equal(d, day("2026-10-25"));
	assert_int_equal(sched_local_day(utc("2026-10-25T23:00:00Z"), &d), 0);
	assert_int_equal(d, day("2026-10-26"));
}

static void test_parse_hhmm(void **state)
{
	int m = -1;
	(void)state;
	assert_int_equal(sched_parse_hhmm("06:30", &m), 0);
	assert_int_equal(m, 390);
	assert_int_equal(sched_parse_hhmm("00:00", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(sched_parse_hhmm("23:59", &m), 0);
	assert_int_equal(m, 1439);
	m = -1;
	assert_int_equal(sched_parse_hhmm("24:00", &m), OWED_EINPUT);
	assert_int_equal(sched_parse_hhmm("06:60", &m), OWED_EINPUT);
	assert_int_equal(sched_parse_hhmm("6:30", &m), OWED_EINPUT);
	assert_int_equal(sched_parse_hhmm("06:30 ", &m), OWED_EINPUT);
	assert_int_equal(sched_parse_hhmm("06-30", &m), OWED_EINPUT);
	assert_int_equal(sched_parse_hhmm("", &m), OWED_EINPUT);
	assert_int_equal(m, -1);
	assert_int_equal(sched_fire(day("2026-03-29"), 1440, &(time_t){ 0 }), OWED_EINPUT);
}

static void test_clock(void **state)
{
	time_t t = 0, now = 0;
	char buf[32];
	(void)state;
	assert_int_equal(clock_parse_utc("2026-03-29T00:59:50Z", &t), 0);
	assert_int_equal((long long)t, 1774745990LL);
	clock_format_utc(t, buf, sizeof buf);
	assert_string_equal(buf, "2026-03-29T00:59:50Z");
	assert_int_equal(clock_parse_utc("2026-03-29T00:59:50", &t), OWED_EINPUT);
	assert_int_equal(clock_parse_utc("2026-02-30T00:00:00Z", &t), OWED_EINPUT);
	assert_int_equal(clock_parse_utc("2026-03-29T24:00:00Z", &t), OWED_EINPUT);
	assert_int_equal(clock_parse_utc("2026-03-29 00:59:50Z", &t), OWED_EINPUT);
	setenv("OWED_NOW", "2026-03-29T00:59:50Z", 1);
	assert_int_equal(clock_now(&now), 0);
	/* the pinned clock runs on from the pin, never backwards */
	assert_true(now >= 1774745990LL && now < 1774745990LL + 60);
	setenv("OWED_NOW", "yesterday", 1);
	assert_int_equal(clock_now(&now), OWED_EINPUT);
	unsetenv("OWED_NOW");
	assert_int_equal(clock_now(&now), 0);
	assert_true(now > 1774745990LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary_days),
		cmocka_unit_test(test_spring_forward),
		cmocka_unit_test(test_fall_back),
		cmocka_unit_test(test_next_runs_once_per_local_day),
		cmocka_unit_test(test_local_day),
		cmocka_unit_test(test_parse_hhmm),
		cmocka_unit_test(test_clock),
	};
	return cmocka_run_group_tests(tests, amsterdam, NULL);
}
