/*
 * api.c -- the JSON API under /api/v1 (docs/serve.md, docs/openapi.yaml): the route table,
 * and what every request goes through before its route -- matching the path, the bearer
 * token and its scope, the token's name as the dossier's actor, and Idempotency-Key.  The
 * routes themselves are in api_<resource>.c; each reads the request, calls host/services and
 * renders with services/render.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sha256.h"
#include "http/internal.h"
#include "http/ratelimit.h"
#include "services/api.h"

/* One line per route; `owed serve --routes` prints this table and docs.openapi compares it
 * with docs/openapi.yaml. */
const http_route http_routes[] = {
	{ "GET", "/api/v1/debtors/{number}", "read", api_get_debtor },
	{ "POST", "/api/v1/debtors", "write", api_post_debtor },
	{ "GET", "/api/v1/invoices/{number}", "read", api_get_invoice },
	{ "GET", "/api/v1/invoices", "read", api_list_invoices },
	{ "POST", "/api/v1/invoices", "write", api_post_invoice },
	{ "POST", "/api/v1/invoices/{number}/credit", "write", api_post_credit },
	{ "POST", "/api/v1/invoices/{number}/write-off", "write", api_post_writeoff },
	{ "GET", "/api/v1/payments", "read", api_list_payments },
	{ "POST", "/api/v1/payments", "write", api_post_payment },
	{ "GET", "/api/v1/payments/review", "read", api_payments_review },
	{ "POST", "/api/v1/payments/{id}/match", "write", api_post_match },
	{ "POST", "/api/v1/statements", "write", api_post_statement },
	{ "GET", "/api/v1/cases/{debtor}", "read", api_get_case },
	{ "POST", "/api/v1/cases/{debtor}/dispute", "write", api_post_dispute },
	{ "POST", "/api/v1/cases/{debtor}/resolve", "write", api_post_resolve },
	{ "POST", "/api/v1/cases/{debtor}/promise", "write", api_post_promise },
	{ "POST", "/api/v1/cases/{debtor}/plan", "write", api_post_plan },
	{ "POST", "/api/v1/cases/{debtor}/pause", "write", api_post_pause },
	{ "POST", "/api/v1/cases/{debtor}/resume", "write", api_post_resume },
	{ "GET", "/api/v1/outbox", "admin", api_list_outbox },
	{ "POST", "/api/v1/outbox/{id}/retry", "admin", api_post_outbox_retry },
	{ "GET", "/api/v1/reports/aging", "read", api_report_aging },
	{ "POST", "/api/v1/runs", "write", api_post_run },
	{ "GET", "/api/v1/runs/plan", "read", api_run_plan },
	{ "GET", "/api/v1/runs/{id}", "read", api_get_run },
	{ 0 }
};

/* 1 when path fits pattern, with the {parameter} segment percent-decoded into param. */
static int route_match(const char *pattern, const char *path, char *param, size_t size)
{
	while (*pattern && *path) {
		if (*pattern == '{') {
			size_t seg = strcspn(path, "/"), j = 0;
			if (seg == 0)
				return 0;
			for (size_t i = 0; i < seg && j + 1 < size; i++) {
				if (path[i] == '%' && i + 2 < seg) {
					char hex[3] = { path[i + 1], path[i + 2], 0 };
					param[j++] = (char)strtol(hex, NULL, 16);
					i += 2;
				} else
					param[j++] = path[i];
			}
			param[j] = 0;
			path += seg;
			pattern = strchr(pattern, '}') + 1;
		} else if (*pattern++ != *path++)
			return 0;
	}
	return !*pattern && !*path;
}

static void request_sha256(const http_request *req, char out[65])
{
	sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, req->method, strlen(req->method) + 1);
	sha256_update(&h, req->path, strlen(req->path) + 1);
	sha256_update(&h, req->query, strlen(req->query) + 1);
	sha256_update(&h, req->body, req->body_len);
	sha256_final_hex(&h, out);
}

/* A POST with an Idempotency-Key: the first answer is kept with the change, in its
 * transaction; a retry gets it back; the same key for another request is refused. */
static void idempotent(api_call *c, const http_route *route, const store_token *tok,
                       const char *key)
{
	char want[65], had[65];
	owed_error err = { 0 };
	char *body = NULL;
	int status, rc;
	if (!*key || strlen(key) > 255) {
		api_reply_problem(c->res, 400, "Idempotency-Key", "Idempotency-Key: expected 1 to 255"
		                  " characters");
		return;
	}
	request_sha256(c->req, want);
	rc = svc_idem_get(c->ctx, tok->id, key, had, &status, &body, &err);
	if (rc == 0) {
		if (strcmp(had, want) == 0) {
			c->res->status = status;
			c->res->body = body;
			c->res->content_type = status >= 400 ? "application/problem+json"
			                                     : "application/json";
			snprintf(c->res->extra_headers, sizeof c->res->extra_headers,
			         "Idempotent-Replayed: true\r\n");
		} else {
			free(body);
			api_reply_problem(c->res, 422, "Idempotency-Key", "Idempotency-Key: used before"
			                  " for a different request");
		}
		return;
	}
	if (rc != OWED_ENOTFOUND || svc_api_begin(c->ctx, &err)) {
		api_reply_error(c->res, &err);
		return;
	}
	route->fn(c);
	if (c->res->status >= 500) {
		svc_api_rollback(c->ctx);
		return;
	}
	if (svc_idem_put(c->ctx, tok->id, key, want, c->res->status,
	                 c->res->body ? c->res->body : "", &err) ||
	    svc_api_commit(c->ctx, &err)) {
		svc_api_rollback(c->ctx);
		free(c->res->body);
		c->res->body = NULL;
		api_reply_error(c->res, &err);
	}
}

/* The route for the request, or NULL having replied 404 or 405. */
static const http_route *find_route(const http_request *req, http_response *res, char *param,
                                    size_t size)
{
	int path_known = 0;
	for (const http_route *r = http_routes; r->method; r++) {
		if (!route_match(r->pattern, req->path, param, size))
			continue;
		path_known = 1;
		if (strcmp(r->method, req->method) == 0)
			return r;
	}
	if (path_known)
		api_reply_problem(res, 405, NULL, "this path does not take that method");
	else
		api_reply_problem(res, 404, NULL, "no such route (docs/openapi.yaml lists them)");
	return NULL;
}

/* The token the request carries, if it is live and its scope suffices; else replies 401 or
 * 403 and returns -1. */
static int authorise(owed_ctx *ctx, const http_request *req, http_response *res,
                     const http_route *route, store_token *tok)
{
	const char *auth = http_header(req, "Authorization");
	owed_error err = { 0 };
	char detail[128];
	int64_t now = (int64_t)(uv_hrtime() / 1000000000u);
	int wait;
	if ((wait = ratelimit_wait(req->peer, now)) > 0) {
		api_reply_problem(res, 429, NULL, "too many failed token attempts from this address");
		snprintf(res->extra_headers, sizeof res->extra_headers, "Retry-After: %d\r\n", wait);
		return -1;
	}
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 ||
	    svc_token_auth(ctx, auth + 7, tok, &err) != 0) {
		if (auth)               /* a guess; no token at all guesses nothing */
			ratelimit_fail(req->peer, now);
		api_reply_problem(res, 401, NULL, "send a valid token: Authorization: Bearer TOKEN");
		snprintf(res->extra_headers, sizeof res->extra_headers,
		         "WWW-Authenticate: Bearer realm=\"owed\"\r\n");
		return -1;
	}
	snprintf(res->who, sizeof res->who, "%s", tok->name);
	if (svc_scope_allows(tok->scope, route->scope))
		return 0;
	snprintf(detail, sizeof detail, "this route needs a %s token; '%s' is %s", route->scope,
	         tok->name, tok->scope);
	api_reply_problem(res, 403, NULL, detail);
	return -1;
}

void http_api_handle(void *ud, const http_request *req, http_response *res)
{
	http_api *api = ud;
	owed_ctx *ctx = api->ctx;
	char param[256], actor[sizeof ctx->actor], locale[sizeof ctx->locale];
	api_call call = { api, ctx, req, res, param, NULL };
	const http_route *route;
	const char *key;
	store_token tok;

	snprintf(res->who, sizeof res->who, "-");
	if (!(route = find_route(req, res, param, sizeof param)) ||
	    authorise(ctx, req, res, route, &tok))
		return;
	if (api->group && strcmp(req->method, "GET") != 0) {
		owed_error err = { 0 };
		if (api_group_join(api->group, &err) != 0) {
			api_reply_problem(res, 503, NULL, err.msg);
			return;
		}
	}
	/* the dossier names the token; amounts are read in the API's one notation */
	memcpy(actor, ctx->actor, sizeof actor);
	memcpy(locale, ctx->locale, sizeof locale);
	snprintf(ctx->actor, sizeof ctx->actor, "%s", tok.name);
	snprintf(ctx->locale, sizeof ctx->locale, "en");
	key = http_header(req, "Idempotency-Key");
	if (key && strcmp(req->method, "POST") == 0)
		idempotent(&call, route, &tok, key);
	else
		route->fn(&call);
	memcpy(ctx->actor, actor, sizeof actor);
	memcpy(ctx->locale, locale, sizeof locale);
	if (api->group && !call.later)
		api_group_hold(api->group, req, res);
}
