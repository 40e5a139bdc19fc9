/*
 * runner.h -- what `owed serve` runs besides requests (docs/serve.md): the daily run at the
 * configured local time, the runs POST /api/v1/runs queues, and the outbox dispatcher.  Each
 * goes to a child process of the owed executable (`owed run --json`, `owed outbox
 * --dispatch --json`), one at a time, so the loop only starts it and reads its answer: the
 * API stays responsive while a run takes minutes, and the run's plugins, PDF threads and
 * SMTP waits stay out of the server.
 */
#ifndef OWED_CLI_RUNNER_H
#define OWED_CLI_RUNNER_H

#include <uv.h>

#include "services/services.h"

typedef struct runner_options {
	const char *db, *config;    /* passed on to the children; config may be "" */
	int scheduled;              /* 1: a daily run at run_at (minutes after local midnight) */
	int run_at;
} runner_options;

typedef struct runner runner;

/* Starts on the loop: takes up a run a stopped server left running or queued, catches up
 * today's scheduled run when its time has passed, then waits for the next thing to do. */
int runner_start(uv_loop_t *loop, owed_ctx *ctx, const runner_options *o, runner **out);
/* A run was queued: look for it once the current request is done (its transaction with it). */
void runner_wake(runner *r);
/* The plan of date as `owed run --dry-run --json` prints it, computed in a child beside the
 * runs: done gets it (compact, malloc'd) or NULL and why, on the loop, once -- when this
 * returned 0.  At most two at once (OWED_EREFUSED). */
typedef void (*runner_plan_cb)(void *ud, char *json, const owed_error *err);
int runner_plan(runner *r, owed_date date, runner_plan_cb done, void *ud, owed_error *err);
/* Stops: a child still running gets SIGTERM (a run so cut short stays "running", for the next
 * start to complete); done is called once everything is closed, and r is freed. */
void runner_stop(runner *r, void (*done)(void *ud), void *ud);

#endif
