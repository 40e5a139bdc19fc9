/*
 * api_runs.c -- the runs routes (docs/serve.md): POST /api/v1/runs queues a run for the
 * server's runner (cli/commands/runner.c), which runs it in a child `owed run --json`; GET
 * /api/v1/runs/{id} shows its state and, once finished, that child's answer; GET
 * /api/v1/runs/plan is `owed run --dry-run --json` for a date, answered when that child is
 * done (the server serves other requests meanwhile).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "services/runs.h"

static http_runs_hooks hooks;

void http_runs_attach(const http_runs_hooks *h)
{
	hooks = *h;
}

/* A service's failure: a refusal (a run already queued or running, a third plan) names no
 * field; bad input names the one given. */
static void run_error(http_response *res, const owed_error *err, const char *field)
{
	int refused = err->code == OWED_EREFUSED || err->code == OWED_EEXIST;
	api_reply_error_field(res, err, refused || err->code == OWED_EIO ? NULL : field);
}

/* date=YYYY-MM-DD, or today; 0 or replies 422. */
static int read_date(const char *text, owed_date *out, http_response *res)
{
	char detail[120];
	if (!text)
		return date_today(out) == 0 ? 0 : (api_reply_problem(res, 500, NULL, "no date today"), -1);
	if (date_parse_iso(text, out) == 0)
		return 0;
	snprintf(detail, sizeof detail, "date: '%.40s' is not a date (expected YYYY-MM-DD)", text);
	api_reply_problem(res, 422, "date", detail);
	return -1;
}

/* The body: empty, or a JSON object with at most "date". */
void api_post_run(api_call *c)
{
	const http_request *req = c->req;
	http_response *res = c->res;
	cJSON *doc = NULL, *it, *date = NULL;
	owed_error err = { 0 };
	store_run_job j;
	owed_date day;
	char detail[120];

	if (!hooks.queued) {
		api_reply_problem(res, 503, NULL, "this server runs no runs");
		return;
	}
	if (req->body_len) {
		doc = cJSON_ParseWithLength(req->body, req->body_len);
		if (!cJSON_IsObject(doc)) {
			cJSON_Delete(doc);
			api_reply_problem(res, 400, NULL, "the body is not a JSON object");
			return;
		}
		cJSON_ArrayForEach(it, doc) {
			if (strcmp(it->string, "date") != 0) {
				snprintf(detail, sizeof detail, "%.60s: not a field of this request",
				         it->string);
				api_reply_problem(res, 422, it->string, detail);
				cJSON_Delete(doc);
				return;
			}
			if (!cJSON_IsNull(it) && !cJSON_IsString(it)) {
				api_reply_problem(res, 422, "date", "date: expected a string YYYY-MM-DD");
				cJSON_Delete(doc);
				return;
			}
			date = cJSON_IsString(it) ? it : NULL;
		}
	}
	if (read_date(date ? date->valuestring : NULL, &day, res) == 0) {
		if (svc_job_queue(c->ctx, "api", day, &j, &err))
			run_error(res, &err, NULL);
		else {
			api_reply_json(res, 202, render_run_job(&j));
			snprintf(res->extra_headers, sizeof res->extra_headers,
			         "Location: /api/v1/runs/%lld\r\n", (long long)j.id);
			hooks.queued(hooks.ud);
		}
	}
	cJSON_Delete(doc);
}

void api_get_run(api_call *c)
{
	owed_error err = { 0 };
	store_run_job j;
	char *end;
	long long n = strtoll(c->param, &end, 10);
	if (!*c->param || *end || n < 1) {
		api_reply_problem(c->res, 404, "id", "id: runs are numbered 1, 2, ...");
		return;
	}
	if (svc_job_get(c->ctx, n, &j, &err)) {
		run_error(c->res, &err, "id");
		return;
	}
	api_reply_json(c->res, 200, render_run_job(&j));
	free(j.result);
}

/* The plan's child has answered: the waiting request gets it. */
static void plan_done(void *ud, char *json, const owed_error *err)
{
	http_response res = { .status = 200, .content_type = "application/json", .body = json };
	if (!json)
		run_error(&res, err, NULL);
	http_answer(ud, &res);
}

void api_run_plan(api_call *c)
{
	http_response *res = c->res;
	const char *q = c->req->query, *value;
	owed_error err = { 0 };
	owed_date day;
	char date[64] = "";
	http_later *later;
	int has_date = 0;

	/* the only parameter: date=YYYY-MM-DD */
	for (const char *p = q; p && *p;) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		if ((size_t)(end - p) >= 5 && strncmp(p, "date=", 5) == 0) {
			snprintf(date, sizeof date, "%.*s", (int)(end - p - 5), p + 5);
			has_date = 1;
		} else if (end > p) {
			char detail[120];
			snprintf(detail, sizeof detail, "%.*s: not a parameter of this request",
			         (int)(end - p < 40 ? end - p : 40), p);
			api_reply_problem(res, 400, NULL, detail);
			return;
		}
		p = amp ? amp + 1 : NULL;
	}
	value = has_date ? date : NULL;
	if (read_date(value, &day, res))
		return;
	if (!hooks.plan) {
		api_reply_problem(res, 503, NULL, "this server computes no plans");
		return;
	}
	later = api_defer(c);
	if (hooks.plan(hooks.ud, day, plan_done, later, &err) != 0)
		plan_done(later, NULL, &err);   /* no child: the answer is now */
}
