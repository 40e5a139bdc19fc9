/*
 * runs.c -- the runs `owed serve` starts, behind store/runs.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/internal.h"
#include "store/runs.h"

enum {
	SR_INSERT = STORE_RUNS_FIRST, SR_GET, SR_ACTIVE, SR_SCHEDULED, SR_START, SR_END,
	SR_OUTBOX_NEXT,
	SR_END_
};
_Static_assert(SR_END_ <= STORE_MAX_STMTS, "runs.c's statements do not fit the cache");

#define JOB_COLS "SELECT id, admin_id, date, trigger, requested_by, state, created," \
	" COALESCE(started, ''), COALESCE(finished, ''), COALESCE(exit_code, -1), error, result" \
	" FROM run_job"

static const char *const sql[SR_END_ - STORE_RUNS_FIRST] = {
#define S(id) [id - STORE_RUNS_FIRST]
	S(SR_INSERT) = "INSERT INTO run_job (admin_id, date, trigger, requested_by, state, created)"
		" VALUES (?, ?, ?, ?, 'queued', ?)",
	S(SR_GET) = JOB_COLS " WHERE admin_id = ?1 AND id = ?2",
	S(SR_ACTIVE) = JOB_COLS " WHERE admin_id = ?1 AND state IN ('queued','running')",
	S(SR_SCHEDULED) = "SELECT 1 FROM run_job WHERE admin_id = ?1 AND date = ?2"
		" AND trigger = 'schedule'",
	S(SR_START) = "UPDATE run_job SET state = 'running', started = COALESCE(started, ?2)"
		" WHERE id = ?1 AND state IN ('queued','running')",
	S(SR_END) = "UPDATE run_job SET state = ?2, finished = ?3, exit_code = ?4, error = ?5,"
		" result = ?6 WHERE id = ?1 AND state = 'running'",
	S(SR_OUTBOX_NEXT) = "SELECT MIN(next_attempt) FROM outbox WHERE state = 'pending'",
#undef S
};

static sqlite3_stmt *prepare(store *s, int id)
{
	return store_prepare(s, id, sql[id - STORE_RUNS_FIRST]);
}

int store_job_insert(store *s, store_run_job *j)
{
	sqlite3_stmt *st = prepare(s, SR_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, j->admin_id);
	store_bind_date(st, 2, j->date);
	store_bind_text(st, 3, j->trigger);
	store_bind_text(st, 4, j->requested_by);
	store_bind_text(st, 5, j->created);
	return store_exec_write(s, st, &j->id);
}

static int read_job(store *s, sqlite3_stmt *st, store_run_job *j)
{
	int rc = store_step_one(s, st);
	const char *result;
	if (rc != 0)
		return rc;
	memset(j, 0, sizeof *j);
	j->id = sqlite3_column_int64(st, 0);
	j->admin_id = sqlite3_column_int64(st, 1);
	j->date = store_col_date(st, 2);
	store_col_text(st, 3, j->trigger, sizeof j->trigger);
	store_col_text(st, 4, j->requested_by, sizeof j->requested_by);
	store_col_text(st, 5, j->state, sizeof j->state);
	store_col_text(st, 6, j->created, sizeof j->created);
	store_col_text(st, 7, j->started, sizeof j->started);
	store_col_text(st, 8, j->finished, sizeof j->finished);
	j->exit_code = sqlite3_column_int(st, 9);
	store_col_text(st, 10, j->error, sizeof j->error);
	result = (const char *)sqlite3_column_text(st, 11);
	if (result && !(j->result = strdup(result)))
		rc = OWED_ENOMEM;
	sqlite3_reset(st);
	return rc;
}

int store_job_get(store *s, int64_t admin_id, int64_t id, store_run_job *out)
{
	sqlite3_stmt *st = prepare(s, SR_GET);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	sqlite3_bind_int64(st, 2, id);
	return read_job(s, st, out);
}

int store_job_active(store *s, int64_t admin_id, store_run_job *out)
{
	sqlite3_stmt *st = prepare(s, SR_ACTIVE);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	return read_job(s, st, out);
}

int store_job_scheduled(store *s, int64_t admin_id, owed_date date)
{
	sqlite3_stmt *st = prepare(s, SR_SCHEDULED);
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_date(st, 2, date);
	rc = store_step_one(s, st);
	sqlite3_reset(st);
	return rc;
}

int store_job_start(store *s, int64_t id, const char *now)
{
	sqlite3_stmt *st = prepare(s, SR_START);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, now);
	return store_exec_write(s, st, NULL);
}

int store_job_end(store *s, int64_t id, const char *state, const char *now, int exit_code,
                  const char *error, const char *result)
{
	sqlite3_stmt *st = prepare(s, SR_END);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, state);
	store_bind_text(st, 3, now);
	sqlite3_bind_int(st, 4, exit_code);
	store_bind_text(st, 5, error ? error : "");
	if (result)
		store_bind_text(st, 6, result);
	else
		sqlite3_bind_null(st, 6);
	return store_exec_write(s, st, NULL);
}

int store_outbox_next(store *s, char *out, size_t size)
{
	sqlite3_stmt *st = prepare(s, SR_OUTBOX_NEXT);
	int rc;
	if (!st)
		return OWED_EIO;
	rc = store_step_one(s, st);
	if (rc == 0)
		store_col_text(st, 0, out, size);
	sqlite3_reset(st);
	return rc;
}
