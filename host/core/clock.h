/*
 * clock.h -- the wall clock, which tests may pin: OWED_NOW=2026-03-29T00:59:50Z starts the
 * clock at that instant and lets it run on with the real (monotonic) seconds, so a server
 * started with it fires its 02:30 run ten real seconds later.  OWED_TODAY pins the date of
 * the ledger; OWED_NOW the instant of the scheduler and the outbox's retries.
 *
 * Functions return 0 or a negative OWED_E* code (core/err.h).
 */
#ifndef OWED_CLOCK_H
#define OWED_CLOCK_H

#include <stddef.h>
#include <time.h>

/* Now: the pinned instant plus the seconds run since the first call, or time(NULL).  A
 * malformed OWED_NOW is OWED_EINPUT, never silently the real clock. */
int clock_now(time_t *out);

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC, nothing around it) to and from an instant. */
int clock_parse_utc(const char *s, time_t *out);
void clock_format_utc(time_t t, char *buf, size_t size);

#endif
