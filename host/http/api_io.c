/*
 * api_io.c -- the replies and the request readers every route of the JSON API uses
 * (internal.h): problem objects that name the field, the query, the JSON body, cursors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"

/* --- replies ------------------------------------------------------------------------------ */

void api_reply_json(http_response *res, int status, cJSON *body)
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
	case 429: return "too-many-requests";
	case 503: return "unavailable";
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
	case 429: return "Too many failed token attempts";
	case 503: return "Unavailable";
	default: return "Server error";
	}
}

void api_reply_problem(http_response *res, int status, const char *field, const char *detail)
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
	api_reply_json(res, status, p);
	res->content_type = "application/problem+json";
}

static int error_status(int code)
{
	switch (code) {
	case OWED_EUSAGE: return 400;
	case OWED_EINPUT: case OWED_EOVERFLOW: return 422;
	case OWED_ENOTFOUND: return 404;
	case OWED_EREFUSED: case OWED_EEXIST: return 409;
	default: return 500;
	}
}

void api_reply_error(http_response *res, const owed_error *err)
{
	char field[64] = "";
	const char *colon = strchr(err->msg, ':');
	if (colon && (size_t)(colon - err->msg) < sizeof field) {
		size_t n = (size_t)(colon - err->msg), i;
		for (i = 0; i < n; i++) {
			char ch = err->msg[i];
			if (!((ch >= 'a' && ch <= 'z') || ch == '-' || ch == '_'))
				break;
			field[i] = ch == '-' ? '_' : ch;
		}
		field[i == n ? n : 0] = 0;
	}
	api_reply_error_field(res, err, field);
}

void api_reply_error_field(http_response *res, const owed_error *err, const char *field)
{
	api_reply_problem(res, error_status(err->code), field, err->msg[0] ? err->msg : "failed");
}

void api_reply_get_error(http_response *res, owed_error *err)
{
	if (err->code == OWED_EINPUT)
		err->code = OWED_ENOTFOUND;
	api_reply_error(res, err);
}

http_later *api_defer(api_call *c)
{
	return c->later = http_defer(c->req);
}

/* --- the query ---------------------------------------------------------------------------- */

const char *api_query_get(const char *query, const char *name, char *buf, size_t size)
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

int api_query_check(api_call *c, const char *const *allowed)
{
	for (const char *p = c->req->query; p && *p;) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		size_t n = (size_t)((eq ? eq : end) - p);
		int known = 0;
		for (size_t i = 0; allowed[i]; i++)
			if (strlen(allowed[i]) == n && strncmp(p, allowed[i], n) == 0)
				known = 1;
		if (!known && n) {
			char bad[64], detail[120];
			snprintf(bad, sizeof bad, "%.*s", (int)(n < 60 ? n : 60), p);
			snprintf(detail, sizeof detail, "%s: not a parameter of this request", bad);
			api_reply_problem(c->res, 400, bad, detail);
			return -1;
		}
		p = amp ? amp + 1 : NULL;
	}
	return 0;
}

int api_query_bool(api_call *c, const char *name, int *out)
{
	char v[16], detail[80];
	if (!api_query_get(c->req->query, name, v, sizeof v))
		return 0;
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		*out = strcmp(v, "true") == 0;
		return 0;
	}
	snprintf(detail, sizeof detail, "%s: expected true or false", name);
	api_reply_problem(c->res, 400, name, detail);
	return -1;
}

int api_query_limit(api_call *c, int *out)
{
	char v[16], *end;
	long l;
	if (!api_query_get(c->req->query, "limit", v, sizeof v))
		return 0;
	l = strtol(v, &end, 10);
	if (!*v || *end || l < 1 || l > API_LIST_MAX) {
		api_reply_problem(c->res, 400, "limit", "limit: expected a whole number from 1 to 500");
		return -1;
	}
	*out = (int)l;
	return 0;
}

/* --- the body and the path ----------------------------------------------------------------- */

static int body_refused(api_call *c, cJSON **doc, int status, const char *field,
                        const char *detail)
{
	api_reply_problem(c->res, status, field, detail);
	cJSON_Delete(*doc);
	*doc = NULL;
	return -1;
}

int api_read_body(api_call *c, const body_field *fields, cJSON **doc)
{
	char detail[160];
	cJSON *it;
	/* no body at all reads as {} (POST .../resume has nothing to say) */
	*doc = c->req->body_len ? cJSON_ParseWithLength(c->req->body, c->req->body_len)
	                        : cJSON_CreateObject();
	if (!*doc || !cJSON_IsObject(*doc))
		return body_refused(c, doc, 400, NULL, "the body is not a JSON object");
	cJSON_ArrayForEach(it, *doc) {
		const body_field *f = fields;
		while (f->json && strcmp(f->json, it->string) != 0)
			f++;
		if (!f->json) {
			snprintf(detail, sizeof detail, "%.60s: not a field of this request", it->string);
			return body_refused(c, doc, 422, it->string, detail);
		}
		if (cJSON_IsNull(it) || !f->dest)
			continue;
		if (!cJSON_IsString(it)) {
			snprintf(detail, sizeof detail, "%s: expected a string (amounts too: \"1234.56\")",
			         it->string);
			return body_refused(c, doc, 422, it->string, detail);
		}
		*f->dest = it->valuestring;
	}
	return 0;
}

int api_read_allocations(api_call *c, const cJSON *doc, const char *name,
                         svc_allocation_input *alloc, size_t max, size_t *n)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, name), *it;
	char detail[200];
	*n = 0;
	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > (int)max) {
		snprintf(detail, sizeof detail, "%s: expected an array of at most %zu objects "
		         "{\"invoice\": NUMBER, \"amount\": \"1.00\" (optional)}", name, max);
		api_reply_problem(c->res, 422, name, detail);
		return -1;
	}
	cJSON_ArrayForEach(it, list) {
		const cJSON *inv = cJSON_GetObjectItemCaseSensitive(it, "invoice");
		const cJSON *amount = cJSON_GetObjectItemCaseSensitive(it, "amount");
		int fields = cJSON_GetArraySize(it);
		if (!cJSON_IsObject(it) || !cJSON_IsString(inv) ||
		    (amount && !cJSON_IsNull(amount) && !cJSON_IsString(amount)) ||
		    fields != 1 + (amount != NULL)) {
			snprintf(detail, sizeof detail, "%s: item %zu is not {\"invoice\": NUMBER, "
			         "\"amount\": \"1.00\" (optional)} with strings", name, *n + 1);
			api_reply_problem(c->res, 422, name, detail);
			return -1;
		}
		alloc[*n].invoice = inv->valuestring;
		alloc[*n].amount = cJSON_IsString(amount) ? amount->valuestring : NULL;
		(*n)++;
	}
	return 0;
}

int api_param_id(api_call *c, const char *what, long long *out)
{
	char *end, detail[160];
	*out = strtoll(c->param, &end, 10);
	if (*c->param && !*end && *out > 0)
		return 0;
	snprintf(detail, sizeof detail, "no %s '%.60s' (an id is a whole number)", what, c->param);
	api_reply_problem(c->res, 404, NULL, detail);
	return -1;
}

/* --- cursors ------------------------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void cursor_encode(const char *text, char *out, size_t size)
{
	const unsigned char *in = (const unsigned char *)text;
	size_t n = strlen(text), j = 0;
	for (size_t i = 0; i < n && j + 5 < size; i += 3) {
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

void api_reply_items(http_response *res, cJSON *items)
{
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "items", items);
	api_reply_json(res, 200, out);
}

void api_reply_page(http_response *res, cJSON *items, const char *resume)
{
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "items", items);
	if (resume) {
		char next[256];
		cursor_encode(resume, next, sizeof next);
		cJSON_AddStringToObject(out, "next", next);
	} else
		cJSON_AddNullToObject(out, "next");
	api_reply_json(res, 200, out);
}

int api_cursor_decode(const char *in, char *out, size_t size)
{
	unsigned v = 0;
	int bits = 0;
	size_t j = 0;
	for (; *in; in++) {
		const char *p = strchr(b64, *in);
		if (!p)
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
