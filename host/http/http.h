/*
 * http.h -- owed's HTTP face (docs/serve.md): an HTTP/1.1 server on the libuv loop, parsed by
 * Debian's http-parser, and the JSON API under /api/v1 that it serves.  The routes call only
 * host/services, as the CLI does, so both faces give the same checks, messages and events.
 */
#ifndef OWED_HTTP_H
#define OWED_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "services/services.h"

#define HTTP_MAX_HEADERS 64

typedef struct http_request {
	const char *method;             /* "GET", "POST", ... */
	const char *path;               /* without the query */
	const char *query;              /* after '?', "" when none */
	const char *hname[HTTP_MAX_HEADERS], *hvalue[HTTP_MAX_HEADERS];
	size_t nheaders;
	const char *body;               /* NUL-terminated, body_len bytes */
	size_t body_len;
} http_request;

/* The value of the header name (any case), or NULL. */
const char *http_header(const http_request *req, const char *name);

typedef struct http_response {
	int status;
	const char *content_type;       /* default application/json */
	char *body;                     /* malloc'd; the server frees it */
	char who[64];                   /* the token's name, for the log line ("-": none) */
	char extra_headers[256];        /* "Name: value\r\n" lines, or "" */
	void *server_conn;              /* the server's, for http_answer_later */
	int answer_later;               /* set by http_answer_later */
} http_response;

/* A handler whose answer comes later (from a child process) calls http_answer_later and
 * returns: the connection then waits -- nothing more is read from it and its deadline is off
 * -- until http_answer sends the response (res as a handler fills it; its body is taken
 * over), which must then happen exactly once, from the loop's thread. */
typedef struct http_later http_later;
http_later *http_answer_later(http_response *res);
void http_answer(http_later *later, http_response *res);

typedef void (*http_handler)(void *ud, const http_request *req, http_response *res);

typedef struct http_limits {
	size_t max_header;              /* request line and headers; 431 beyond */
	size_t max_body;                /* 413 beyond */
	unsigned read_timeout_ms;       /* from ready-to-read to the request's last byte, and
	                                 * for the client to take the response */
	int max_connections;            /* more are accepted and closed at once */
} http_limits;
#define HTTP_LIMITS_DEFAULT { 16 * 1024, 1024 * 1024, 10000, 1024 }

typedef struct http_server http_server;

/* Listens on host:port (port 0: the kernel picks; *bound gets the port). */
int http_server_start(uv_loop_t *loop, const char *host, int port, const http_limits *lim,
                      http_handler h, void *ud, http_server **out, int *bound,
                      char *errbuf, size_t errsize);
/* Stops accepting, closes idle connections, lets requests in flight finish, then closes
 * everything and calls done.  The server frees itself after done. */
void http_server_shutdown(http_server *s, void (*done)(void *ud), void *ud);

/* The JSON API. */
typedef struct http_route {
	const char *method, *pattern;   /* pattern as in docs/openapi.yaml: /api/v1/debtors/{number} */
	const char *scope;              /* the least scope a token needs */
} http_route;
/* The route table; ends with a zero entry. */
extern const http_route http_routes[];
/* The handler for http_server_start; ud is the owed_ctx of the open ledger. */
void http_api_handle(void *ud, const http_request *req, http_response *res);

/* The runs routes (api_runs.c) and what they need of the server that runs the runs: a nudge
 * once a run is queued (it starts after the request, whose transaction holds the row), and
 * the plan of a date, computed in a child: done gets the JSON (malloc'd) or the failure, on
 * the loop, once (only when plan returned 0).  Without them, POST /api/v1/runs and the plan
 * answer 503. */
typedef void (*http_plan_done)(void *ud, char *json, const owed_error *err);
typedef struct http_runs_hooks {
	void (*queued)(void *ud);
	int (*plan)(void *ud, owed_date date, http_plan_done done, void *done_ud, owed_error *err);
	void *ud;
} http_runs_hooks;
void http_runs_attach(const http_runs_hooks *h);
void http_runs_post(owed_ctx *ctx, const http_request *req, http_response *res);
void http_runs_get(owed_ctx *ctx, const http_request *req, const char *id, http_response *res);
void http_runs_plan(owed_ctx *ctx, const http_request *req, http_response *res);

#endif
