/*
 * bench.h -- what the benchmarks share: a monotonic clock, peak memory, sizes from the
 * environment, and one table format (step, owed seconds, baseline seconds, ratio, rows/s).
 *
 * Times are double seconds: this is measuring, not money.  Header-only (static functions),
 * since each bench is one program linked with the host library and nothing else.
 */
#ifndef OWED_BENCH_H
#define OWED_BENCH_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* Each bench names itself for its messages: #define BENCH_NAME "bench_x" before this header. */
#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench.h"
#endif

/* Ends the bench: what failed and why. */
static inline void bench_die(const char *what, const char *why)
{
	fprintf(stderr, BENCH_NAME ": %s: %s\n", what, why);
	exit(1);
}

/* SQL the bench's own fixtures run (bare SQLite, not owed's store), or the end of it. */
static inline void bench_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		bench_die(sql, msg ? msg : sqlite3_errmsg(db));
}

static inline sqlite3_stmt *bench_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		bench_die(sql, sqlite3_errmsg(db));
	return st;
}

/* Seconds on the monotonic clock, for differences only. */
static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds of CPU the process has used (user + system, every thread): on a machine shared
 * with other work this moves less than the wall clock, so the benches print both. */
static inline double bench_cpu(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
	       + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The process's peak resident set so far, in MiB (ru_maxrss is KiB on Linux). */
static inline double bench_peak_rss_mib(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_maxrss / 1024.0;
}

/* A positive count from the environment variable name, else def; a malformed value is fatal
 * rather than silently the default. */
static inline long bench_env_count(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	long n;
	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	if (*end || n <= 0) {
		fprintf(stderr, "bench: %s='%s' is not a positive count\n", name, v);
		exit(2);
	}
	return n;
}

static inline void bench_header(const char *title)
{
	printf("\n%s\n", title);
	printf("%-24s %12s %12s %8s %14s %14s\n", "step", "owed s", "baseline s", "ratio",
	       "owed rows/s", "base rows/s");
	printf("%-24s %12s %12s %8s %14s %14s\n", "------------------------", "------------",
	       "------------", "--------", "--------------", "--------------");
}

/* One row of the table: rows done in seconds by owed and in baseline_seconds by the bare
 * baseline (< 0: none), the ratio owed / baseline and both rates (rows 0: no rate). */
static inline void bench_report_rows(const char *name, long rows, double seconds,
                                     double baseline_seconds)
{
	char ratio[16] = "-", brate[24] = "-", orate[24] = "-";
	if (baseline_seconds > 0)
		snprintf(ratio, sizeof ratio, "%.2fx", seconds / baseline_seconds);
	if (rows > 0 && seconds > 0)
		snprintf(orate, sizeof orate, "%.0f", (double)rows / seconds);
	if (rows > 0 && baseline_seconds > 0)
		snprintf(brate, sizeof brate, "%.0f", (double)rows / baseline_seconds);
	printf("%-24s %12.3f ", name, seconds);
	if (baseline_seconds >= 0)
		printf("%12.3f ", baseline_seconds);
	else
		printf("%12s ", "-");
	printf("%8s %14s %14s\n", ratio, orate, brate);
	fflush(stdout);
}

/* The same for a step that is one operation: the rate is operations per second. */
static inline void bench_report(const char *name, double seconds, double baseline_seconds)
{
	bench_report_rows(name, 1, seconds, baseline_seconds);
}

#endif
