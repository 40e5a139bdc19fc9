/*
 * runs.h -- the runs `owed serve` starts (table run_job, migration 9) and what its outbox
 * dispatcher asks: when the next delivery is due.
 */
#ifndef OWED_STORE_RUNS_H
#define OWED_STORE_RUNS_H

#include <stdint.h>

#include "core/date.h"
#include "store/store.h"

typedef struct store_run_job {
	int64_t id, admin_id;
	owed_date date;
	char trigger[16];           /* "schedule" or "api" */
	char requested_by[64];      /* "scheduler", or the token's name */
	char state[16];             /* "queued", "running", "finished", "failed" */
	char created[32], started[32], finished[32];   /* "" when not yet */
	int exit_code;              /* -1 when none */
	char error[256];
	char *result;               /* malloc'd `owed run --json`, or NULL */
} store_run_job;

/* Adds a queued job (*j gets its id): OWED_EEXIST when the administration has one queued or
 * running, or (trigger "schedule") one for that date already. */
int store_job_insert(store *s, store_run_job *j);
/* The job by id (of the administration), or OWED_ENOTFOUND; free out->result. */
int store_job_get(store *s, int64_t admin_id, int64_t id, store_run_job *out);
/* The administration's queued or running job, or OWED_ENOTFOUND; free out->result. */
int store_job_active(store *s, int64_t admin_id, store_run_job *out);
/* 0 when the schedule started a job for date, else OWED_ENOTFOUND. */
int store_job_scheduled(store *s, int64_t admin_id, owed_date date);
int store_job_start(store *s, int64_t id, const char *now);
/* state "finished" or "failed"; result may be NULL. */
int store_job_end(store *s, int64_t id, const char *state, const char *now, int exit_code,
                  const char *error, const char *result);

/* The earliest next attempt of a pending delivery ("" when none is pending). */
int store_outbox_next(store *s, char *out, size_t size);

#endif
