/*
 * api.c -- the JSON API under /api/v1 (docs/serve.md, docs/openapi.yaml).  Each route reads
 * the request, calls host/services, and renders with services/render.h; failures become RFC
 * 9457 problem objects naming the field the service named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sha256.h"
#include "http/http.h"
#include "services/api.h"
#include "services/render.h"

const http_route http_routes[] = {
	{ "GET", "/api/v1/debtors/{number}", "read" },
	{ "POST", "/api/v1/debtors", "write" },
	{ "GET", "/api/v1/invoices/{number}", "read" },
	{ "GET", "/api/v1/invoices", "read" },
	{ "POST", "/api/v1/invoices", "write" },
	{ "GET", "/api/v1/payments/review", "read" },
	{ "GET", "/api/v1/reports/aging", "read" },
	{ "POST", "/api/v1/runs", "write" },
	{ "GET", "/api/v1/runs/plan", "read" },
	{ "GET", "/api/v1/runs/{id}", "read" },
	{ 0 }
};

#define LIST_DEFAULT 50
#define LIST_MAX 500

/* --- responses ------------------------------------------------------------------------ */

static void reply_json(http_response *res, int status, cJSON *body)
{
	res->status = status;
	res->content_type = "application/json";
	res->body = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!res->body) {
		res->status = 500;
		res->body = strdup("{}");
	}
}

static const char *problem_slug(int status)
{
	switch (status) {
	case 400: return "bad-request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not-found";
	case 405: return "method-not-allowed";
	case 409: return "conflict";
	case 422: return "invalid-input";
	default: return "server-error";
	}
}

static const char *problem_title(int status)
{
	switch (status) {
	case 400: return "Bad request";
	case 401: return "No valid token";
	case 403: return "The token's scope does not allow this";
	case 404: return "Not found";
	case 405: return "Method not allowed";
	case 409: return "Refused";
	case 422: return "Invalid input";
	default: return "Server error";
	}
}

/* A problem object; field (may be NULL) names the request field that is wrong. */
static void reply_problem(http_response *res, int status, const char *field, const char *detail)
{
	cJSON *p = cJSON_CreateObject();
	char type[64];
	snprintf(type, sizeof type, "/problems/%s", problem_slug(status));
	cJSON_AddStringToObject(p, "type", type);
	cJSON_AddStringToObject(p, "title", problem_title(status));
	cJSON_AddNumberToObject(p, "status", status);
	cJSON_AddStringToObject(p, "detail", detail);
	if (field && *field)
		cJSON_AddStringToObject(p, "field", field);
	reply_json(res, status, p);
	res->content_type = "application/problem+json";
}

/* A service failure: its message begins with the field it names ("issue-date: ..."); the
 * API calls fields as its JSON does (issue_date). */
static void reply_error(http_response *res, const owed_error *err)
{
	int status;
	char field[64] = "";
	const char *colon = strchr(err->msg, ':');
	switch (err->code) {
	case OWED_EUSAGE: status = 400; break;
	case OWED_EINPUT: case OWED_EOVERFLOW: status = 422; break;
	case OWED_ENOTFOUND: status = 404; break;
	case OWED_EREFUSED: case OWED_EEXIST: status = 409; break;
	default: status = 500; break;
	}
	if (colon && (size_t)(colon - err->msg) < sizeof field) {
		size_t n = (size_t)(colon - err->msg), i;
		for (i = 0; i < n; i++) {
			char c = err->msg[i];
			if (!((c >= 'a' && c <= 'z') || c == '-' || c == '_'))
				break;
			field[i] = c == '-' ? '_' : c;
		}
		field[i == n ? n : 0] = 0;
	}
	reply_problem(res, status, field, err->msg[0] ? err->msg : "failed");
}

/* --- requests --------------------------------------------------------------------------- */

/* The value of name in the query (decoded into buf), or NULL. */
static const char *query_get(const char *query, const char *name, char *buf, size_t size)
{
	size_t nl = strlen(name);
	for (const char *p = query; p && *p;) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		if ((size_t)(end - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			size_t j = 0;
			for (const char *q = p + nl + 1; q < end && j + 1 < size; q++) {
				if (*q == '%' && end - q > 2) {
					char hex[3] = { q[1], q[2], 0 };
					buf[j++] = (char)strtol(hex, NULL, 16);
					q += 2;
				} else
					buf[j++] = *q == '+' ? ' ' : *q;
			}
			buf[j] = 0;
			return buf;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

/* The first query parameter not in allowed, or NULL. */
static const char *query_unknown(const char *query, const char *const *allowed, char *buf,
                                 size_t size)
{
	for (const char *p = query; p && *p;) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		size_t n = (size_t)((eq ? eq : end) - p);
		int known = 0;
		for (size_t i = 0; allowed[i]; i++)
			if (strlen(allowed[i]) == n && strncmp(p, allowed[i], n) == 0)
				known = 1;
		if (!known && n) {
			snprintf(buf, size, "%.*s", (int)(n < 60 ? n : 60), p);
			return buf;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

/* The path segment after prefix, percent-decoded, when the path is prefix + one segment. */
static int path_param(const char *path, const char *prefix, char *out, size_t size)
{
	size_t n = strlen(prefix), j = 0;
	const char *p;
	if (strncmp(path, prefix, n) != 0 || !path[n] || strchr(path + n, '/'))
		return 0;
	for (p = path + n; *p && j + 1 < size; p++) {
		if (*p == '%' && p[1] && p[2]) {
			char hex[3] = { p[1], p[2], 0 };
			out[j++] = (char)strtol(hex, NULL, 16);
			p += 2;
		} else
			out[j++] = *p;
	}
	out[j] = 0;
	return *p == 0;
}

typedef struct body_field { const char *json, **dest; } body_field;

/* Parses the body as a JSON object of strings, each known field into its dest.  Replies and
 * returns -1 on a malformed body (400), a field of the wrong type or an unknown one (422). */
static int read_body(const http_request *req, http_response *res, const body_field *fields,
                     cJSON **doc)
{
	char detail[160];
	cJSON *it;
	*doc = cJSON_ParseWithLength(req->body, req->body_len);
	if (!*doc || !cJSON_IsObject(*doc)) {
		reply_problem(res, 400, NULL, "the body is not a JSON object");
		cJSON_Delete(*doc);
		*doc = NULL;
		return -1;
	}
	cJSON_ArrayForEach(it, *doc) {
		const body_field *f = fields;
		while (f->json && strcmp(f->json, it->string) != 0)
			f++;
		if (!f->json) {
			snprintf(detail, sizeof detail, "%.60s: not a field of this request", it->string);
			reply_problem(res, 422, it->string, detail);
			cJSON_Delete(*doc);
			*doc = NULL;
			return -1;
		}
		if (cJSON_IsNull(it))
			continue;
		if (!cJSON_IsString(it)) {
			snprintf(detail, sizeof detail, "%s: expected a string (amounts too: \"1234.56\")",
			         it->string);
			reply_problem(res, 422, it->string, detail);
			cJSON_Delete(*doc);
			*doc = NULL;
			return -1;
		}
		*f->dest = it->valuestring;
	}
	return 0;
}

/* --- cursors: the last invoice listed, as "due-date<TAB>number", base64url ------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t j = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		             (i + 2 < n ? in[i + 2] : 0);
		out[j++] = b64[v >> 18 & 63];
		out[j++] = b64[v >> 12 & 63];
		if (i + 1 < n)
			out[j++] = b64[v >> 6 & 63];
		if (i + 2 < n)
			out[j++] = b64[v & 63];
	}
	out[j] = 0;
}

static int b64_decode(const char *in, char *out, size_t size)
{
	unsigned v = 0;
	int bits = 0;
	size_t j = 0;
	for (; *in; in++) {
		const char *p = strchr(b64, *in);
		if (!p || !*in)
			return -1;
		v = v << 6 | (unsigned)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (j + 1 >= size)
				return -1;
			out[j++] = (char)(v >> bits & 0xff);
		}
	}
	out[j] = 0;
	return 0;
}

/* --- routes ------------------------------------------------------------------------------ */

typedef struct api_call {
	owed_ctx *ctx;
	const http_request *req;
	http_response *res;
	const char *param;              /* the {number} of the path */
} api_call;

/* The services say "no debtor 'X'" as bad input (the CLI's exit 3): for the resource a GET
 * names in its path, that is a 404. */
static void reply_get_error(http_response *res, owed_error *err)
{
	if (err->code == OWED_EINPUT)
		err->code = OWED_ENOTFOUND;
	reply_error(res, err);
}

static void get_debtor(api_call *c)
{
	owed_error err = { 0 };
	owed_debtor d;
	if (svc_debtor_get(c->ctx, c->param, &d, &err))
		reply_get_error(c->res, &err);
	else
		reply_json(c->res, 200, render_debtor(&d, c->ctx->admin.currency));
}

static void post_debtor(api_call *c)
{
	svc_debtor_input in = { 0 };
	const body_field fields[] = {
		{ "number", &in.number }, { "name", &in.name }, { "kind", &in.kind },
		{ "country", &in.country }, { "language", &in.language }, { "email", &in.email },
		{ "address", &in.address }, { "iban", &in.iban }, { "tags", &in.tags },
		{ "external_ids", &in.external_ids }, { "terms", &in.terms_days },
		{ "credit_limit", &in.credit_limit }, { "policy", &in.policy },
		{ "credit_hold", &in.credit_hold }, { 0 }
	};
	owed_error err = { 0 };
	owed_debtor d;
	cJSON *doc;
	if (read_body(c->req, c->res, fields, &doc))
		return;
	if (svc_debtor_add(c->ctx, &in, &d, &err) || svc_debtor_get(c->ctx, d.number, &d, &err))
		reply_error(c->res, &err);
	else
		reply_json(c->res, 201, render_debtor(&d, c->ctx->admin.currency));
	cJSON_Delete(doc);
}

static void get_invoice(api_call *c)
{
	owed_error err = { 0 };
	owed_invoice inv;
	if (svc_invoice_get(c->ctx, c->param, &inv, &err))
		reply_get_error(c->res, &err);
	else
		reply_json(c->res, 200, render_invoice(&inv));
}

static void post_invoice(api_call *c)
{
	svc_invoice_input in = { 0 };
	const body_field fields[] = {
		{ "number", &in.number }, { "debtor", &in.debtor }, { "amount", &in.amount },
		{ "vat", &in.vat }, { "issue_date", &in.issue_date }, { "due_date", &in.due_date },
		{ "currency", &in.currency }, { "reference", &in.reference },
		{ "description", &in.description }, { 0 }
	};
	owed_error err = { 0 };
	owed_invoice inv;
	cJSON *doc;
	if (read_body(c->req, c->res, fields, &doc))
		return;
	if (svc_invoice_add(c->ctx, &in, &inv, &err))
		reply_error(c->res, &err);
	else
		reply_json(c->res, 201, render_invoice(&inv));
	cJSON_Delete(doc);
}

typedef struct page {
	cJSON *items;
	int limit, n, more;
	int has_cursor;
	long cur_due;
	char cur_number[80];
	long last_due;
	char last_number[64];
} page;

static int page_one(const owed_invoice *inv, void *ud)
{
	page *p = ud;
	if (p->has_cursor && ((long)inv->due_date < p->cur_due ||
	    ((long)inv->due_date == p->cur_due && strcmp(inv->number, p->cur_number) <= 0)))
		return 0;
	if (p->n == p->limit) {
		p->more = 1;
		return 0;
	}
	cJSON_AddItemToArray(p->items, render_invoice(inv));
	p->n++;
	p->last_due = (long)inv->due_date;
	snprintf(p->last_number, sizeof p->last_number, "%s", inv->number);
	return 0;
}

static void list_invoices(api_call *c)
{
	static const char *const allowed[] = { "debtor", "open", "limit", "cursor", NULL };
	char debtor[80], open[16], limit[16], cursor[200], key[120], bad[64], *end;
	const char *q = c->req->query;
	svc_invoice_query sq = { 0 };
	page p = { .limit = LIST_DEFAULT };
	owed_error err = { 0 };
	cJSON *out;

	if (query_unknown(q, allowed, bad, sizeof bad)) {
		char detail[120];
		snprintf(detail, sizeof detail, "%s: not a parameter of this request", bad);
		reply_problem(c->res, 400, bad, detail);
		return;
	}
	sq.debtor = query_get(q, "debtor", debtor, sizeof debtor);
	if (query_get(q, "open", open, sizeof open)) {
		if (strcmp(open, "true") && strcmp(open, "false")) {
			reply_problem(c->res, 400, "open", "open: expected true or false");
			return;
		}
		sq.open_only = strcmp(open, "true") == 0;
	}
	if (query_get(q, "limit", limit, sizeof limit)) {
		long l = strtol(limit, &end, 10);
		if (!*limit || *end || l < 1 || l > LIST_MAX) {
			reply_problem(c->res, 400, "limit", "limit: expected a whole number from 1 to 500");
			return;
		}
		p.limit = (int)l;
	}
	if (query_get(q, "cursor", cursor, sizeof cursor)) {
		char *tab;
		if (b64_decode(cursor, key, sizeof key) || !(tab = strchr(key, '\t'))) {
			reply_problem(c->res, 400, "cursor", "cursor: not a cursor this API gave");
			return;
		}
		*tab = 0;
		p.cur_due = strtol(key, &end, 10);
		if (*end) {
			reply_problem(c->res, 400, "cursor", "cursor: not a cursor this API gave");
			return;
		}
		snprintf(p.cur_number, sizeof p.cur_number, "%s", tab + 1);
		p.has_cursor = 1;
		/* the store starts after the cursor (an index range); with a debtor it lists the
		 * debtor's few invoices and page_one skips to the cursor */
		sq.after_due = (owed_date)p.cur_due;
		sq.after_number = p.cur_number;
	}
	if (!p.has_cursor || !sq.debtor)
		sq.limit = p.limit + 1;     /* one more than the page: is there a next one? */
	p.items = cJSON_CreateArray();
	if (svc_invoice_list(c->ctx, &sq, page_one, &p, &err)) {
		cJSON_Delete(p.items);
		reply_error(c->res, &err);
		return;
	}
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "items", p.items);
	if (p.more) {
		char raw[120], enc[170];
		int n = snprintf(raw, sizeof raw, "%ld\t%s", p.last_due, p.last_number);
		b64_encode((const unsigned char *)raw, (size_t)n, enc);
		cJSON_AddStringToObject(out, "next", enc);
	} else
		cJSON_AddNullToObject(out, "next");
	reply_json(c->res, 200, out);
}

static int review_one(const owed_payment *pay, void *ud)
{
	cJSON_AddItemToArray(ud, render_payment(pay));
	return 0;
}

static void payments_review(api_call *c)
{
	owed_error err = { 0 };
	cJSON *items = cJSON_CreateArray(), *out;
	if (svc_payment_review(c->ctx, review_one, items, &err)) {
		cJSON_Delete(items);
		reply_error(c->res, &err);
		return;
	}
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "items", items);
	reply_json(c->res, 200, out);
}

static void report_aging(api_call *c)
{
	owed_error err = { 0 };
	svc_aging ag;
	if (svc_aging_report(c->ctx, 0, &ag, &err))
		reply_error(c->res, &err);
	else
		reply_json(c->res, 200, render_aging(&ag));
}

/* --- dispatch ------------------------------------------------------------------------------ */

/* the runs routes live in api_runs.c */
static void post_run(api_call *c) { http_runs_post(c->ctx, c->req, c->res); }
static void run_plan(api_call *c) { http_runs_plan(c->ctx, c->req, c->res); }
static void get_run(api_call *c) { http_runs_get(c->ctx, c->req, c->param, c->res); }

typedef void (*route_fn)(api_call *c);
static const route_fn route_fns[] = {
	get_debtor, post_debtor, get_invoice, list_invoices, post_invoice, payments_review,
	report_aging, post_run, run_plan, get_run,
};
_Static_assert(sizeof route_fns / sizeof route_fns[0] ==
               sizeof http_routes / sizeof http_routes[0] - 1, "one function per route");

/* 1 when path fits pattern, with the {param} segment copied to param. */
static int route_match(const char *pattern, const char *path, char *param, size_t size)
{
	const char *brace = strchr(pattern, '{');
	if (!brace)
		return strcmp(pattern, path) == 0;
	char prefix[128];
	snprintf(prefix, sizeof prefix, "%.*s", (int)(brace - pattern), pattern);
	return path_param(path, prefix, param, size);
}

static void request_sha256(const http_request *req, char out[65])
{
	sha256_ctx h;
	sha256_init(&h);
	sha256_update(&h, req->method, strlen(req->method) + 1);
	sha256_update(&h, req->path, strlen(req->path) + 1);
	sha256_update(&h, req->body, req->body_len);
	sha256_final_hex(&h, out);
}

/* A POST with an Idempotency-Key: the first answer is kept with the change, in its
 * transaction; a retry gets it back; the same key for another request is refused. */
static void idempotent(api_call *c, route_fn fn, const store_token *tok, const char *key)
{
	char want[65], had[65];
	owed_error err = { 0 };
	char *body = NULL;
	int status, rc;
	if (!*key || strlen(key) > 255) {
		reply_problem(c->res, 400, "Idempotency-Key", "Idempotency-Key: expected 1 to 255"
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
			reply_problem(c->res, 422, "Idempotency-Key", "Idempotency-Key: used before for"
			              " a different request");
		}
		return;
	}
	if (rc != OWED_ENOTFOUND || svc_api_begin(c->ctx, &err)) {
		reply_error(c->res, &err);
		return;
	}
	fn(c);
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
		reply_error(c->res, &err);
	}
}

void http_api_handle(void *ud, const http_request *req, http_response *res)
{
	owed_ctx *ctx = ud;
	char param[256], actor[sizeof ctx->actor], locale[sizeof ctx->locale];
	const char *auth, *key;
	int path_known = 0, found = -1;
	store_token tok;
	owed_error err = { 0 };
	api_call call = { ctx, req, res, param };
	int rc;

	snprintf(res->who, sizeof res->who, "-");
	for (int i = 0; http_routes[i].method; i++) {
		if (!route_match(http_routes[i].pattern, req->path, param, sizeof param))
			continue;
		path_known = 1;
		if (strcmp(http_routes[i].method, req->method) == 0) {
			found = i;
			break;
		}
	}
	if (found < 0) {
		if (path_known)
			reply_problem(res, 405, NULL, "this path does not take that method");
		else
			reply_problem(res, 404, NULL, "no such route (docs/openapi.yaml lists them)");
		return;
	}
	auth = http_header(req, "Authorization");
	if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 ||
	    (rc = svc_token_auth(ctx, auth + 7, &tok, &err)) != 0) {
		reply_problem(res, 401, NULL, "send a valid token: Authorization: Bearer TOKEN");
		snprintf(res->extra_headers, sizeof res->extra_headers,
		         "WWW-Authenticate: Bearer realm=\"owed\"\r\n");
		return;
	}
	snprintf(res->who, sizeof res->who, "%s", tok.name);
	if (!svc_scope_allows(tok.scope, http_routes[found].scope)) {
		char detail[128];
		snprintf(detail, sizeof detail, "this route needs a %s token; '%s' is %s",
		         http_routes[found].scope, tok.name, tok.scope);
		reply_problem(res, 403, NULL, detail);
		return;
	}
	/* the dossier names the token; amounts are read in the API's one notation */
	memcpy(actor, ctx->actor, sizeof actor);
	memcpy(locale, ctx->locale, sizeof locale);
	snprintf(ctx->actor, sizeof ctx->actor, "%s", tok.name);
	snprintf(ctx->locale, sizeof ctx->locale, "en");
	key = http_header(req, "Idempotency-Key");
	if (key && strcmp(req->method, "POST") == 0)
		idempotent(&call, route_fns[found], &tok, key);
	else
		route_fns[found](&call);
	memcpy(ctx->actor, actor, sizeof actor);
	memcpy(ctx->locale, locale, sizeof locale);
}
