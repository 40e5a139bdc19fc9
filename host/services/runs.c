/*
 * runs.c -- the runs `owed serve` starts (runs.h): a row per run in run_job, each change of
 * its state in one transaction with its dossier event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "services/internal.h"
#include "services/runs.h"

static int now_stamp(char *buf, size_t size, owed_error *err)
{
	time_t t;
	if (clock_now(&t) != 0)
		return svc_fail(err, OWED_EINPUT, "OWED_NOW: not an instant (expected "
		                "YYYY-MM-DDTHH:MM:SSZ)");
	svc_stamp(t, buf, size);
	return 0;
}

static cJSON *job_payload(const store_run_job *j)
{
	cJSON *p = cJSON_CreateObject();
	svc_json_date(p, "date", j->date);
	cJSON_AddStringToObject(p, "trigger", j->trigger);
	return p;
}

int svc_job_queue(owed_ctx *ctx, const char *trigger, owed_date date, store_run_job *out,
                  owed_error *err)
{
	store_run_job j = { .admin_id = ctx->admin.id, .date = date, .exit_code = -1 };
	store_run_job busy;
	int rc;

	snprintf(j.trigger, sizeof j.trigger, "%s", trigger);
	snprintf(j.requested_by, sizeof j.requested_by, "%s", ctx->actor);
	snprintf(j.state, sizeof j.state, "queued");
	if ((rc = now_stamp(j.created, sizeof j.created, err)) != 0)
		return rc;
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "queueing the run", err);
	if ((rc = store_job_active(ctx->st, ctx->admin.id, &busy)) == 0) {
		store_rollback(ctx->st);
		free(busy.result);
		return svc_fail(err, OWED_EREFUSED, "run %lld is %s: one run at a time",
		                (long long)busy.id, busy.state);
	}
	if (rc == OWED_ENOTFOUND && strcmp(trigger, "schedule") == 0 &&
	    (rc = store_job_scheduled(ctx->st, ctx->admin.id, date)) == 0) {
		store_rollback(ctx->st);
		return svc_fail(err, OWED_EEXIST, "date: the schedule ran this date already");
	}
	if (rc == OWED_ENOTFOUND)
		rc = store_job_insert(ctx->st, &j);
	if (rc == 0)
		rc = svc_event(ctx, "run", j.id, 0, 0, "run-queued", job_payload(&j), err);
	else
		svc_store_fail(ctx, rc, "queueing the run", err);
	if ((rc = svc_end_tx(ctx, rc, "queueing the run", err)) != 0)
		return rc;
	*out = j;
	return 0;
}

int svc_job_get(owed_ctx *ctx, int64_t id, store_run_job *out, owed_error *err)
{
	int rc = store_job_get(ctx->st, ctx->admin.id, id, out);
	if (rc == OWED_ENOTFOUND)
		return svc_fail(err, rc, "id: no run %lld", (long long)id);
	return rc ? svc_store_fail(ctx, rc, "reading the run", err) : 0;
}

int svc_job_active(owed_ctx *ctx, store_run_job *out, owed_error *err)
{
	int rc = store_job_active(ctx->st, ctx->admin.id, out);
	return rc && rc != OWED_ENOTFOUND ? svc_store_fail(ctx, rc, "reading the runs", err) : rc;
}

int svc_job_scheduled(owed_ctx *ctx, owed_date date, owed_error *err)
{
	int rc = store_job_scheduled(ctx->st, ctx->admin.id, date);
	if (rc == 0 || rc == OWED_ENOTFOUND)
		return rc == 0;
	return svc_store_fail(ctx, rc, "reading the runs", err);
}

/* One change of a job's state: the update, then its event, in one transaction. */
static int job_change(owed_ctx *ctx, int64_t id, const char *kind, cJSON *payload,
                      int (*update)(owed_ctx *, int64_t, const void *, const char *),
                      const void *arg, owed_error *err)
{
	char now[32];
	int rc;
	if ((rc = now_stamp(now, sizeof now, err)) != 0) {
		cJSON_Delete(payload);
		return rc;
	}
	if ((rc = store_begin(ctx->st)) != 0) {
		cJSON_Delete(payload);
		return svc_store_fail(ctx, rc, "recording the run", err);
	}
	if ((rc = update(ctx, id, arg, now)) != 0) {
		cJSON_Delete(payload);
		svc_store_fail(ctx, rc, "recording the run", err);
	} else
		rc = svc_event(ctx, "run", id, 0, 0, kind, payload, err);
	return svc_end_tx(ctx, rc, "recording the run", err);
}

static int start_update(owed_ctx *ctx, int64_t id, const void *arg, const char *now)
{
	(void)arg;
	return store_job_start(ctx->st, id, now);
}

int svc_job_started(owed_ctx *ctx, int64_t id, owed_error *err)
{
	return job_change(ctx, id, "run-started", cJSON_CreateObject(), start_update, NULL, err);
}

typedef struct job_end { const char *state, *error, *result; int exit_code; } job_end;

static int end_update(owed_ctx *ctx, int64_t id, const void *arg, const char *now)
{
	const job_end *e = arg;
	return store_job_end(ctx->st, id, e->state, now, e->exit_code, e->error, e->result);
}

int svc_job_ended(owed_ctx *ctx, int64_t id, const char *state, int exit_code,
                  const char *error, const char *result, owed_error *err)
{
	job_end e = { state, error, result, exit_code };
	cJSON *payload = cJSON_CreateObject(), *r = result ? cJSON_Parse(result) : NULL;
	static const char *const counts[] = { "cases", "steps", "waiting", "closed", "failed",
	                                      "delivered", "delivery_failures" };
	for (size_t i = 0; r && i < sizeof counts / sizeof counts[0]; i++) {
		cJSON *n = cJSON_GetObjectItem(r, counts[i]);
		if (cJSON_IsNumber(n))
			cJSON_AddNumberToObject(payload, counts[i], n->valuedouble);
	}
	cJSON_Delete(r);
	cJSON_AddNumberToObject(payload, "exit_code", exit_code);
	if (error && *error)
		cJSON_AddStringToObject(payload, "error", error);
	return job_change(ctx, id, strcmp(state, "finished") == 0 ? "run-finished" : "run-failed",
	                  payload, end_update, &e, err);
}

int svc_outbox_next_due(owed_ctx *ctx, time_t *due, owed_error *err)
{
	char next[32] = "";
	int rc = store_outbox_next(ctx->st, next, sizeof next);
	if (rc)
		return svc_store_fail(ctx, rc, "reading the outbox", err);
	*due = 0;
	if (next[0] && clock_parse_utc(next, due) != 0)
		return svc_fail(err, OWED_EIO, "outbox: next attempt '%s' is not an instant", next);
	return 0;
}

static void add_text_or_null(cJSON *o, const char *key, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

cJSON *render_run_job(const store_run_job *j)
{
	cJSON *o = cJSON_CreateObject(), *result = j->result ? cJSON_Parse(j->result) : NULL;
	cJSON_AddNumberToObject(o, "id", (double)j->id);
	svc_json_date(o, "date", j->date);
	cJSON_AddStringToObject(o, "trigger", j->trigger);
	cJSON_AddStringToObject(o, "requested_by", j->requested_by);
	cJSON_AddStringToObject(o, "state", j->state);
	cJSON_AddStringToObject(o, "created", j->created);
	add_text_or_null(o, "started", j->started);
	add_text_or_null(o, "finished", j->finished);
	if (j->exit_code >= 0)
		cJSON_AddNumberToObject(o, "exit_code", j->exit_code);
	else
		cJSON_AddNullToObject(o, "exit_code");
	add_text_or_null(o, "error", j->error);
	cJSON_AddItemToObject(o, "result", result ? result : cJSON_CreateNull());
	return o;
}
