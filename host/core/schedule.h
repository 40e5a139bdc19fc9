/*
 * schedule.h -- when the daily run fires: on each local day, at the first instant whose local
 * clock reads the configured time or later.
 *
 *   an ordinary day          02:30 local, once
 *   spring forward (02:30 does not exist: 02:00 jumps to 03:00)
 *                            the instant of the jump, 03:00 local (as cron does)
 *   fall back (02:30 happens twice: 03:00 falls back to 02:00)
 *                            the first 02:30, in summer time; never the second
 *
 * "Local" is the process's time zone (TZ, read by tzset); `owed serve` sets it once at
 * startup, before its loop and any thread runs, from owed.conf's schedule.timezone
 * (docs/serve.md says why).  Nothing here reads the clock: the caller passes now.
 *
 * Functions return 0 or a negative OWED_E* code (core/err.h).
 */
#ifndef OWED_SCHEDULE_H
#define OWED_SCHEDULE_H

#include <time.h>

#include "core/date.h"

/* "HH:MM" (00:00 to 23:59, two digits each) into minutes after midnight. */
int sched_parse_hhmm(const char *s, int *minutes);

/* The local day the instant t falls on. */
int sched_local_day(time_t t, owed_date *out);

/* The instant the run of local day `day` fires at `minutes` after midnight. */
int sched_fire(owed_date day, int minutes, time_t *out);

/* The next scheduled run as of now: today's (local) when today's has not run -- its instant
 * may have passed, and then it is due at once (catching up) -- else tomorrow's. */
int sched_next(time_t now, int minutes, int today_done, owed_date *day, time_t *at);

#endif
