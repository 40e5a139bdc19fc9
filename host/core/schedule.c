/*
 * schedule.c -- the instant a local day's run fires (schedule.h), found with the system's
 * time zone database through localtime_r and mktime.
 *
 * A local time is tried with each UTC offset in force around that day (the offset a day
 * before and a day after, which differ only on a day with a transition): an instant whose
 * local clock reads exactly that time is a candidate, and the earliest candidate wins (the
 * first 02:30 of a fall-back night).  When neither reads it, the time fell in a spring-forward
 * gap, and the run fires at the jump: the first second whose local clock reads past it,
 * found by bisection between the two tries (the clock reads before it at one, after at the
 * other, and a gap holds one transition).
 */
#include <string.h>

#include "core/err.h"
#include "core/schedule.h"

int sched_parse_hhmm(const char *s, int *minutes)
{
	if (strlen(s) != 5 || s[2] != ':')
		return OWED_EINPUT;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return OWED_EINPUT;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return OWED_EINPUT;
	*minutes = h * 60 + m;
	return 0;
}

/* The local wall clock at t as seconds since 1970-01-01 00:00 of the local calendar, and
 * its UTC offset. */
static int wall(time_t t, int64_t *secs, long *offset)
{
	struct tm tm;
	owed_date d;
	if (!localtime_r(&t, &tm) ||
	    date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &d) != 0)
		return OWED_EINPUT;
	*secs = (int64_t)d * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	if (offset)
		*offset = tm.tm_gmtoff;
	return 0;
}

int sched_local_day(time_t t, owed_date *out)
{
	int64_t secs;
	int rc = wall(t, &secs, NULL);
	if (rc == 0)
		*out = (owed_date)(secs >= 0 ? secs / 86400 : (secs - 86399) / 86400);
	return rc;
}

int sched_fire(owed_date day, int minutes, time_t *out)
{
	int64_t want = (int64_t)day * 86400 + minutes * 60, got;
	long off[2];
	time_t try[2], lo, hi;
	int found = 0, rc;

	if (!date_is_valid(day) || minutes < 0 || minutes >= 24 * 60)
		return OWED_EINPUT;
	/* the offsets a day either side: on a transition day they differ */
	if ((rc = wall((time_t)(want - 86400), &got, &off[0])) != 0 ||
	    (rc = wall((time_t)(want + 86400), &got, &off[1])) != 0)
		return rc;
	for (int i = 0; i < 2; i++) {
		try[i] = (time_t)(want - off[i]);
		if ((rc = wall(try[i], &got, NULL)) != 0)
			return rc;
		if (got == want && (!found || try[i] < *out)) {
			*out = try[i];
			found = 1;
		}
	}
	if (found)
		return 0;
	/* a gap: the local clock reads before `want` at lo and past it at hi */
	lo = try[0] < try[1] ? try[0] : try[1];
	hi = try[0] < try[1] ? try[1] : try[0];
	while (hi - lo > 1) {
		time_t mid = lo + (hi - lo) / 2;
		if ((rc = wall(mid, &got, NULL)) != 0)
			return rc;
		*(got >= want ? &hi : &lo) = mid;
	}
	*out = hi;
	return 0;
}

int sched_next(time_t now, int minutes, int today_done, owed_date *day, time_t *at)
{
	owed_date today;
	int rc = sched_local_day(now, &today);
	if (rc == 0)
		*day = today + (today_done ? 1 : 0);
	return rc ? rc : sched_fire(*day, minutes, at);
}
