/*
 * http.h -- owed's HTTP face (docs/serve.md): an HTTP/1.1 server on the libuv loop, parsed by
 * Debian's http-parser, and the JSON API under /api/v1 that it serves.  The routes call only
 * host/services, as the CLI does, so both faces give the same checks, messages and events.
 */
#ifndef OWED_HTTP_H
#define OWED_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "runtime/config.h"
#include "runtime/runtime.h"
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
	const char *peer;               /* the client's address ("127.0.0.1") */
	struct http_later *later;       /* the server's, for http_defer */
} http_request;

/* The value of the header name (any case), or NULL. */
const char *http_header(const http_request *req, const char *name);

typedef struct http_response {
	int status;
	const char *content_type;       /* default application/json */
	char *body;                     /* malloc'd; the server frees it */
	size_t body_len;                /* 0: strlen(body) (a plugin's body may hold NULs) */
	char who[64];                   /* the token's name, for the log line ("-": none) */
	char extra_headers[256];        /* "Name: value\r\n" lines, or "" */
} http_response;

typedef void (*http_handler)(void *ud, const http_request *req, http_response *res);

/* A handler that answers later (a plugin's hook running on the loop, a child computing a run's
 * plan) calls http_defer and leaves res alone; http_answer sends the response when it is known (from inside the handler
 * too).  Until then the connection reads nothing more, the request's strings (not the
 * http_request, which is the handler's) stay valid, and a shutdown waits for it. */
typedef struct http_later http_later;
http_later *http_defer(const http_request *req);
void http_answer(http_later *later, http_response *res);

/* Where the per-request log lines go: stderr, or the file opened here (appended to).
 * http_log_reopen opens the same path again (after logrotate moved it; SIGHUP). */
int http_log_open(const char *path, char *errbuf, size_t errsize);
int http_log_reopen(char *errbuf, size_t errsize);
void http_log_close(void);
/* One request's line, JSON: {"method":..,"path":..,"status":..,"ms":..,"token":..}; path
 * and who must hold no byte that needs escaping in JSON. */
void http_log_line(const char *method, const char *path, int status, double ms,
                   const char *who);

typedef struct http_limits {
	size_t max_header;              /* request line and headers; 431 beyond */
	size_t max_body;                /* 413 beyond */
	unsigned read_timeout_ms;       /* from ready-to-read to the request's last byte, and
	                                 * for the client to take the response */
	int max_connections;            /* more are accepted and closed at once */
	size_t max_upload;              /* the body limit of the paths in uploads instead */
	const char *const *uploads;     /* paths (no query) that take files, NULL-ended, or NULL */
} http_limits;
#define HTTP_LIMITS_DEFAULT { 16 * 1024, 1024 * 1024, 10000, 1024, 32 * 1024 * 1024, NULL }

typedef struct http_server http_server;

/* Listens on host:port (port 0: the kernel picks; *bound gets the port). */
int http_server_start(uv_loop_t *loop, const char *host, int port, const http_limits *lim,
                      http_handler h, void *ud, http_server **out, int *bound,
                      char *errbuf, size_t errsize);
/* Stops accepting, closes idle connections, lets requests in flight finish, then closes
 * everything and calls done.  The server frees itself after done. */
void http_server_shutdown(http_server *s, void (*done)(void *ud), void *ud);

/* The JSON API. */
struct api_call;
typedef struct http_route {
	const char *method, *pattern;   /* pattern as in docs/openapi.yaml: /api/v1/debtors/{number};
	                                 * at most one {parameter} */
	const char *scope;              /* the least scope a token needs */
	void (*fn)(struct api_call *c);
} http_route;
/* The route table; ends with a zero entry. */
extern const http_route http_routes[];

/* What the routes work with: the open ledger, and the plugin runtime (importers, matchers)
 * with the configuration it was set up from.  The runtime runs on a loop of its own: a
 * plugin call turns that loop until it is done, which the server's loop must not do from
 * inside one of its own callbacks. */
typedef struct http_group http_group;
typedef struct http_api {
	owed_ctx *ctx;
	rt *rt;
	const owed_config *config;
	http_group *group;              /* group commit (http_group_start), or NULL */
} http_api;

/* Group commit (group.c): the changes asked for in one turn of loop share one transaction,
 * committed after the turn's I/O, and the answers of that turn wait for it.  Without it each
 * request is a transaction of its own.  http_group_stop commits what is held and frees it. */
int http_group_start(http_api *api, uv_loop_t *loop);
void http_group_stop(http_api *api);
/* http_answer, held for the group's commit while one is open (g may be NULL). */
void http_group_answer(http_group *g, http_later *later, http_response *res);
/* The handler for http_server_start; ud is the http_api. */
void http_api_handle(void *ud, const http_request *req, http_response *res);

/* Partner webhooks (hooks.c, docs/webhooks.md): a request under /hooks/ is handed to the
 * hook webhook(req) of the connector plugin its path names, which answers it. */
void http_hooks_handle(rt *r, http_group *g, const http_request *req, http_response *res);
/* Its route, for the route table ("none": the plugin checks the partner's signature). */
extern const http_route http_hook_route;

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

#endif
