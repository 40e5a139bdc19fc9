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

#include "http/http.h"
#include "services/runs.h"

static http_runs_hooks hooks;

void http_runs_attach(const http_runs_hooks *h)
{
	hooks = *h;
}

static void reply(http_response *res, int status, cJSON *body)
{
	res->status = status;
	res->content_type = "application/json";
	res->body = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
}

/* An RFC 9457 problem, as api.c writes them. */
static void problem(http_response *res, int status, const char *field, const char *detail)
{
	static const struct { int status; const char *slug, *title; } kinds[] = {
		{ 400, "bad-request", "Bad request" }, { 404, "not-found", "Not found" },
		{ 409, "conflict", "Refused" }, { 422, "invalid-input", "Invalid input" },
		{ 503, "unavailable", "Unavailable" }, { 500, "server-error", "Server error" },
	};
	size_t k = 0;
	char type[64];
	cJSON *p = cJSON_CreateObject();
	while (k + 1 < sizeof kinds / sizeof kinds[0] && kinds[k].status != status)
		k++;
	snprintf(type, sizeof type, "/problems/%s", kinds[k].slug);
	cJSON_AddStringToObject(p, "type", type);
	cJSON_AddStringToObject(p, "title", kinds[k].title);
	cJSON_AddNumberToObject(p, "status", status);
	cJSON_AddStringToObject(p, "detail", detail);
	if (field)
		cJSON_AddStringToObject(p, "field", field);
	reply(res, status, p);
	res->content_type = "application/problem+json";
}

static void service_problem(http_response *res, const owed_error *err, const char *field)
{
	int status = err->code == OWED_EREFUSED || err->code == OWED_EEXIST ? 409
	           : err->code == OWED_ENOTFOUND ? 404
	           : err->code == OWED_EINPUT ? 422 : 500;
	problem(res, status, status == 409 || status == 500 ? NULL : field, err->msg);
}

/* date=YYYY-MM-DD, or today; 0 or replies 422. */
static int read_date(const char *text, owed_date *out, http_response *res)
{
	char detail[120];
	if (!text)
		return date_today(out) == 0 ? 0 : (problem(res, 500, NULL, "no date today"), -1);
	if (date_parse_iso(text, out) == 0)
		return 0;
	snprintf(detail, sizeof detail, "date: '%.40s' is not a date (expected YYYY-MM-DD)", text);
	problem(res, 422, "date", detail);
	return -1;
}

/* The body: empty, or a JSON object with at most "date". */
void http_runs_post(owed_ctx *ctx, const http_request *req, http_response *res)
{
	cJSON *doc = NULL, *it, *date = NULL;
	owed_error err = { 0 };
	store_run_job j;
	owed_date day;
	char detail[120];

	if (!hooks.queued) {
		problem(res, 503, NULL, "this server runs no runs");
		return;
	}
	if (req->body_len) {
		doc = cJSON_ParseWithLength(req->body, req->body_len);
		if (!cJSON_IsObject(doc)) {
			cJSON_Delete(doc);
			problem(res, 400, NULL, "the body is not a JSON object");
			return;
		}
		cJSON_ArrayForEach(it, doc) {
			if (strcmp(it->string, "date") != 0) {
				snprintf(detail, sizeof detail, "%.60s: not a field of this request",
				         it->string);
				problem(res, 422, it->string, detail);
				cJSON_Delete(doc);
				return;
			}
			if (!cJSON_IsNull(it) && !cJSON_IsString(it)) {
				problem(res, 422, "date", "date: expected a string YYYY-MM-DD");
				cJSON_Delete(doc);
				return;
			}
			date = cJSON_IsString(it) ? it : NULL;
		}
	}
	if (read_date(date ? date->valuestring : NULL, &day, res) == 0) {
		if (svc_job_queue(ctx, "api", day, &j, &err))
			service_problem(res, &err, NULL);
		else {
			reply(res, 202, render_run_job(&j));
			snprintf(res->extra_headers, sizeof res->extra_headers,
			         "Location: /api/v1/runs/%lld\r\n", (long long)j.id);
			hooks.queued(hooks.ud);
		}
	}
	cJSON_Delete(doc);
}

void http_runs_get(owed_ctx *ctx, const http_request *req, const char *id, http_response *res)
{
	owed_error err = { 0 };
	store_run_job j;
	char *end;
	long long n = strtoll(id, &end, 10);
	(void)req;
	if (!*id || *end || n < 1) {
		problem(res, 404, "id", "id: runs are numbered 1, 2, ...");
		return;
	}
	if (svc_job_get(ctx, n, &j, &err)) {
		service_problem(res, &err, "id");
		return;
	}
	reply(res, 200, render_run_job(&j));
	free(j.result);
}

/* The plan's child has answered: the waiting request gets it. */
static void plan_done(void *ud, char *json, const owed_error *err)
{
	http_response res = { .status = 200, .content_type = "application/json", .body = json };
	if (!json)
		service_problem(&res, err, NULL);
	http_answer(ud, &res);
}

void http_runs_plan(owed_ctx *ctx, const http_request *req, http_response *res)
{
	const char *q = req->query, *value;
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
			problem(res, 400, NULL, detail);
			return;
		}
		p = amp ? amp + 1 : NULL;
	}
	value = has_date ? date : NULL;
	if (read_date(value, &day, res))
		return;
	if (!hooks.plan) {
		problem(res, 503, NULL, "this server computes no plans");
		return;
	}
	(void)ctx;
	later = http_answer_later(res);
	if (hooks.plan(hooks.ud, day, plan_done, later, &err) == 0)
		return;
	res->answer_later = 0;          /* no child: the answer is now */
	service_problem(res, &err, NULL);
}
