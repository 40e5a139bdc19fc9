/*
 * serve.c -- `owed serve` (the HTTP API, docs/serve.md) and `owed token ...`.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands/commands.h"
#include "cli/commands/host.h"
#include "cli/commands/runner.h"
#include "core/clock.h"
#include "http/http.h"
#include "services/api.h"

#define RELOAD_QUIET_MS 200      /* a change to a plugin's files is acted on after this */

/*
 * Two runtimes over one ledger.  Webhooks run on the server's loop (host.rt): a hook may wait
 * on the network, and the server answers when it is done.  The API's routes call services
 * that call plugins synchronously (an uploaded statement is parsed and matched by them), and
 * a synchronous call turns its runtime's loop until it is done -- which the server's loop
 * must not do from inside one of its own callbacks.  So those get a runtime on a loop of
 * their own (api_loop, api_rt), reloaded along with the first.
 */
typedef struct serve_state {
	uv_signal_t sigterm, sigint, sighup;
	http_server *srv;
	cli_host host;
	uv_loop_t api_loop;
	int api_loop_open;
	rt *api_rt;
	http_api api;
	rt_watch *watch;
	runner *runner;
	int stopping;           /* the server and the runner, until both are done */
} serve_state;

/* /hooks/ goes to the plugins, the rest to the JSON API. */
static void serve_handle(void *ud, const http_request *req, http_response *res)
{
	serve_state *s = ud;
	if (strncmp(req->path, "/hooks/", 7) == 0)
		http_hooks_handle(s->host.rt, s->api.group, req, res);
	else
		http_api_handle(&s->api, req, res);
}

static int api_runtime_open(serve_state *s, owed_error *err)
{
	const owed_config *c = cli_config();
	if (uv_loop_init(&s->api_loop) != 0) {
		snprintf(err->msg, sizeof err->msg, "cannot start the API's event loop");
		return err->code = OWED_EIO;
	}
	s->api_loop_open = 1;
	if (rt_new(&s->api_loop, &s->host.ledger, &c->rt, &s->api_rt, err) != 0 ||
	    rt_scan(s->api_rt, err) != 0)
		return err->code ? err->code : OWED_EIO;
	rt_set_settings(s->api_rt, c->L, c->plugins);
	s->api = (http_api){ &s->host.ledger, s->api_rt, c, NULL };
	if (http_group_start(&s->api, &s->host.loop) != 0) {
		snprintf(err->msg, sizeof err->msg, "cannot start the API's group commit");
		return err->code = OWED_ENOMEM;
	}
	return 0;
}

static void api_runtime_close(serve_state *s)
{
	if (!s->api_loop_open)
		return;
	http_group_stop(&s->api);
	rt_free(s->api_rt);
	s->api_rt = NULL;
	uv_run(&s->api_loop, UV_RUN_DEFAULT);   /* let closing handles finish */
	uv_loop_close(&s->api_loop);
}

static void on_stopped(void *ud)
{
	serve_state *s = ud;
	if (--s->stopping > 0)
		return;
	uv_close((uv_handle_t *)&s->sigterm, NULL);
	uv_close((uv_handle_t *)&s->sigint, NULL);
	uv_close((uv_handle_t *)&s->sighup, NULL);
	rt_watch_stop(s->watch);
	http_group_stop(&s->api);
}

static void nothing_to_close(void *ud)
{
	(void)ud;
}

static void runs_queued(void *ud)
{
	runner_wake(((serve_state *)ud)->runner);
}

static int runs_plan(void *ud, owed_date date, http_plan_done done, void *done_ud,
                     owed_error *err)
{
	return runner_plan(((serve_state *)ud)->runner, date, done, done_ud, err);
}

/* The schedule's time zone is the process's: set once, before the loop and any thread, so
 * localtime_r (core/schedule.c) reads it without a lock -- TZ is process-global,
 * and changing it per call would race with every thread that reads the local time.  The
 * children inherit it, so a run's "today" is the same local day. */
static int schedule_zone(void)
{
	const owed_config *c = cli_config();
	time_t now;
	if (clock_now(&now) != 0) {
		out_error("OWED_NOW: '%s' is not an instant (expected YYYY-MM-DDTHH:MM:SSZ)",
		          getenv("OWED_NOW"));
		return EXIT_INPUT;
	}
	if (!c->scheduled) {
		fprintf(stderr, "serve: owed.conf has no schedule.run_at: no daily run is scheduled\n");
		return 0;
	}
	setenv("TZ", c->timezone, 1);
	tzset();
	fprintf(stderr, "serve: the daily run is at %02d:%02d %s\n", c->run_at / 60, c->run_at % 60,
	        c->timezone);
	return 0;
}

static void on_signal(uv_signal_t *h, int signum)
{
	serve_state *s = h->data;
	fprintf(stderr, "serve: %s, finishing the requests in flight\n",
	        signum == SIGTERM ? "SIGTERM" : "SIGINT");
	uv_signal_stop(&s->sigterm);
	uv_signal_stop(&s->sigint);
	uv_signal_stop(&s->sighup);
	s->stopping = 2;
	runner_stop(s->runner, on_stopped, s);
	http_server_shutdown(s->srv, on_stopped, s);
}

/* The API's runtime follows: what changed on disk is reloaded there too (said once, above). */
static void on_api_reloaded(const char *plugin, int rc, const char *msg, void *ud)
{
	(void)ud;
	if (rc)
		fprintf(stderr, "serve: plugin %s not reloaded for the API: %s\n", plugin, msg);
}

static void on_reloaded(const char *plugin, int rc, const char *msg, void *ud)
{
	serve_state *s = ud;
	if (rc)
		fprintf(stderr, "serve: plugin %s not reloaded: %s\n", plugin, msg);
	else
		fprintf(stderr, "serve: plugin %s reloaded\n", plugin);
	rt_reload_loaded(s->api_rt, 0, on_api_reloaded, s);
}

/* SIGHUP: the log file opened again (logrotate moved it) and every loaded plugin reloaded. */
static void on_hangup(uv_signal_t *h, int signum)
{
	serve_state *s = h->data;
	char errbuf[1200];
	(void)signum;
	fprintf(stderr, "serve: SIGHUP, reopening the log and reloading the plugins\n");
	if (http_log_reopen(errbuf, sizeof errbuf))
		fprintf(stderr, "serve: %s (the log stays where it was)\n", errbuf);
	rt_reload_loaded(s->host.rt, 1, on_reloaded, s);
	rt_reload_loaded(s->api_rt, 1, on_api_reloaded, s);
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT". */
static int parse_listen(const char *text, char *host, size_t size, int *port)
{
	const char *colon = strrchr(text, ':');
	char *end;
	long p;
	if (!colon)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || p < 0 || p > 65535)
		return -1;
	if (text[0] == '[' && colon > text && colon[-1] == ']')
		snprintf(host, size, "%.*s", (int)(colon - text - 2), text + 1);
	else if (colon == text)
		snprintf(host, size, "127.0.0.1");
	else
		snprintf(host, size, "%.*s", (int)(colon - text), text);
	*port = (int)p;
	return 0;
}

static void print_routes(void)
{
	for (int i = 0; http_routes[i].method; i++)
		printf("%s %s %s\n", http_routes[i].method, http_routes[i].pattern,
		       http_routes[i].scope);
	printf("%s %s %s\n", http_hook_route.method, http_hook_route.pattern,
	       http_hook_route.scope);
}

/* The paths whose bodies are files (a bank statement), with their own limit. */
static const char *const uploads[] = { "/api/v1/statements", NULL };

/* A whole number from lo to hi from option name, into *out (left alone when absent). */
static int read_number(const cli_args *a, const char *name, const char *unit, long lo, long hi,
                       long *out)
{
	const char *text = args_get(a, name);
	char *end;
	long v;
	if (!text)
		return 0;
	v = strtol(text, &end, 10);
	if (!*text || *end || v < lo || v > hi) {
		out_error("%s: '%s' is not a number of %s (%ld to %ld)", name, text, unit, lo, hi);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

static int read_limits(const cli_args *a, http_limits *lim)
{
	long ms = (long)lim->read_timeout_ms, mib = (long)(lim->max_upload >> 20);
	int rc;
	if ((rc = read_number(a, "read-timeout", "milliseconds", 1, 3600000, &ms)) ||
	    (rc = read_number(a, "max-upload", "MiB", 1, 1024, &mib)))
		return rc;
	lim->read_timeout_ms = (unsigned)ms;
	lim->max_upload = (size_t)mib << 20;
	lim->uploads = uploads;
	return 0;
}

int cmd_serve(const cli_args *a)
{
	const char *listen = args_get(a, "listen"), *log = args_get(a, "log");
	http_limits lim = HTTP_LIMITS_DEFAULT;
	serve_state st = { 0 };
	http_runs_hooks hooks = { runs_queued, runs_plan, &st };
	runner_options ro;
	char host[128], errbuf[1200];
	owed_error err = { 0 };
	int rc, port, bound;

	if ((rc = args_want_pos(a, 0, 0)))
		return rc;
	if (args_get(a, "routes")) {
		print_routes();
		return EXIT_OK;
	}
	if (parse_listen(listen ? listen : "127.0.0.1:8080", host, sizeof host, &port)) {
		out_error("listen: '%s' is not HOST:PORT (e.g. 127.0.0.1:8080; port 0: any free one)",
		          listen);
		return EXIT_USAGE;
	}
	if ((rc = read_limits(a, &lim)))
		return rc;
	if (log && http_log_open(log, errbuf, sizeof errbuf)) {
		out_error("%s", errbuf);
		return EXIT_IO;
	}
	if ((rc = schedule_zone()) || (rc = cli_host_open(a, 1, &st.host))) {
		http_log_close();
		return rc;
	}
	ro = (runner_options){ svc_db_path(a->db), cli_config()->file, cli_config()->scheduled,
	                       cli_config()->run_at };
	if (runner_start(&st.host.loop, &st.host.ledger, &ro, &st.runner) != 0)
		snprintf(errbuf, sizeof errbuf, "serve: cannot start the runner (no /proc/self/exe?)");
	if (!st.runner || api_runtime_open(&st, &err) ||
	    rt_watch_start(st.host.rt, RELOAD_QUIET_MS, on_reloaded, &st, &st.watch, &err) ||
	    http_server_start(&st.host.loop, host, port, &lim, serve_handle, &st, &st.srv, &bound,
	                      errbuf, sizeof errbuf)) {
		if (st.runner)
			runner_stop(st.runner, nothing_to_close, NULL);   /* before it ran anything */
		if (st.watch)
			rt_watch_stop(st.watch);
		api_runtime_close(&st);
		cli_host_close(&st.host);
		http_log_close();
		if (err.msg[0])
			return cli_fail(&err);
		out_error("%s", errbuf);
		return EXIT_IO;
	}
	http_runs_attach(&hooks);
	printf("%d\n", bound);
	fflush(stdout);
	fprintf(stderr, "serve: listening on %s:%d\n", host, bound);
	uv_signal_init(&st.host.loop, &st.sigterm);
	uv_signal_init(&st.host.loop, &st.sigint);
	uv_signal_init(&st.host.loop, &st.sighup);
	st.sigterm.data = st.sigint.data = st.sighup.data = &st;
	uv_signal_start(&st.sigterm, on_signal, SIGTERM);
	uv_signal_start(&st.sigint, on_signal, SIGINT);
	uv_signal_start(&st.sighup, on_hangup, SIGHUP);
	uv_run(&st.host.loop, UV_RUN_DEFAULT);
	api_runtime_close(&st);
	cli_host_close(&st.host);
	http_log_close();
	fprintf(stderr, "serve: stopped\n");
	return EXIT_OK;
}

int cmd_token_create(const cli_args *a)
{
	char secret[SVC_TOKEN_SECRET_MAX];
	owed_error err = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 0, 0)) || (rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_token_create(&ctx, args_get(a, "name"), args_get(a, "scope"), secret, &err);
	svc_close(&ctx);
	if (rc)
		return cli_fail(&err);
	if (a->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", args_get(a, "name"));
		cJSON_AddStringToObject(o, "scope", args_get(a, "scope"));
		cJSON_AddStringToObject(o, "token", secret);
		out_json(o);
	} else
		printf("%s\n", secret);
	memset(secret, 0, sizeof secret);
	return EXIT_OK;
}

static int token_row(const store_token *t, void *ud)
{
	cli_list *l = ud;
	if (l->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", t->name);
		cJSON_AddStringToObject(o, "scope", t->scope);
		cJSON_AddStringToObject(o, "created", t->created);
		if (t->revoked[0])
			cJSON_AddStringToObject(o, "revoked", t->revoked);
		else
			cJSON_AddNullToObject(o, "revoked");
		cJSON_AddItemToArray(l->json, o);
	} else {
		const char *row[4] = { t->name, t->scope, t->created, t->revoked[0] ? t->revoked : "" };
		table_add(l->table, row);
	}
	return 0;
}

int cmd_token_list(const cli_args *a)
{
	static const char *const head[] = { "name", "scope", "created", "revoked" };
	owed_error err = { 0 };
	owed_ctx ctx;
	cli_list l;
	int rc;
	if ((rc = args_want_pos(a, 0, 0)) || (rc = cli_session(a, &ctx)))
		return rc;
	cli_list_open(&l, a, 4, head, "llll");
	rc = svc_token_list(&ctx, token_row, &l, &err);
	svc_close(&ctx);
	return cli_list_close(&l, rc, &err);
}

int cmd_token_revoke(const cli_args *a)
{
	owed_error err = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)) || (rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_token_revoke(&ctx, a->pos[0], &err);
	svc_close(&ctx);
	if (rc)
		return cli_fail(&err);
	printf("revoked %s\n", a->pos[0]);
	return EXIT_OK;
}
