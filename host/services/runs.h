/*
 * runs.h -- the runs `owed serve` starts, each in a child `owed run` (docs/serve.md): queued
 * by its schedule or by POST /api/v1/runs, then running, then finished or failed.  Each
 * change of state is one transaction with its dossier event (entity "run").
 */
#ifndef OWED_SERVICES_RUNS_H
#define OWED_SERVICES_RUNS_H

#include <cjson/cJSON.h>
#include <time.h>

#include "services/services.h"
#include "store/runs.h"

/* Queues a run of date for the administration (*out gets it; free out->result).  Another run
 * queued or running: OWED_EREFUSED naming it.  trigger "schedule": a run the schedule
 * started for date already is OWED_EEXIST. */
int svc_job_queue(owed_ctx *ctx, const char *trigger, owed_date date, store_run_job *out,
                  owed_error *err);
/* The run by id (OWED_ENOTFOUND naming it), the queued or running one (OWED_ENOTFOUND,
 * no message, when none is); free out->result. */
int svc_job_get(owed_ctx *ctx, int64_t id, store_run_job *out, owed_error *err);
int svc_job_active(owed_ctx *ctx, store_run_job *out, owed_error *err);
/* 1 when the schedule started a run for date, 0 when not, or a negative code. */
int svc_job_scheduled(owed_ctx *ctx, owed_date date, owed_error *err);
/* The child runs it now; ended: "finished" with its `owed run --json`, or "failed" with why
 * (exit_code -1: it was killed). */
int svc_job_started(owed_ctx *ctx, int64_t id, owed_error *err);
int svc_job_ended(owed_ctx *ctx, int64_t id, const char *state, int exit_code,
                  const char *error, const char *result, owed_error *err);

/* When the earliest pending delivery is due (*due = 0: none is pending). */
int svc_outbox_next_due(owed_ctx *ctx, time_t *due, owed_error *err);

/* The job as the API shows it: id, date, trigger, requested_by, state, created, started,
 * finished, exit_code, error, and result (the run's `owed run --json`, or null). */
cJSON *render_run_job(const store_run_job *j);

#endif
