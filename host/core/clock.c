/*
 * clock.c -- the wall clock, pinned by OWED_NOW or real (clock.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"

int clock_parse_utc(const char *s, time_t *out)
{
	int y, mo, d, h, mi, sec, n = 0;
	owed_date day;
	if (strlen(s) != 20 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec,
	                              &n) != 6 || n != 20 || s[4] != '-' || s[7] != '-' ||
	    h > 23 || mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0 ||
	    date_from_ymd(y, mo, d, &day) != 0)
		return OWED_EINPUT;
	*out = (time_t)day * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

void clock_format_utc(time_t t, char *buf, size_t size)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Nanoseconds on the monotonic clock, for differences only. */
static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int clock_now(time_t *out)
{
	static int64_t started = -1;
	const char *pin = getenv("OWED_NOW");
	time_t base;
	if (!pin || !*pin) {
		*out = time(NULL);
		return 0;
	}
	if (clock_parse_utc(pin, &base) != 0)
		return OWED_EINPUT;
	/* the pinned clock runs: a server waits for its next run in real seconds */
	if (started < 0)
		started = monotonic_ns();
	*out = base + (time_t)((monotonic_ns() - started) / 1000000000);
	return 0;
}
