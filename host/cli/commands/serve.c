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

typedef struct serve_state {
	uv_signal_t sigterm, sigint;
	http_server *srv;
	runner *runner;
	int stopping;           /* the server and the runner, until both are done */
} serve_state;

static void on_stopped(void *ud)
{
	serve_state *s = ud;
	if (--s->stopping > 0)
		return;
	uv_close((uv_handle_t *)&s->sigterm, NULL);
	uv_close((uv_handle_t *)&s->sigint, NULL);
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
	s->stopping = 2;
	runner_stop(s->runner, on_stopped, s);
	http_server_shutdown(s->srv, on_stopped, s);
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

int cmd_serve(const cli_args *a)
{
	const char *listen = args_get(a, "listen"), *read_timeout = args_get(a, "read-timeout");
	http_limits lim = HTTP_LIMITS_DEFAULT;
	serve_state st = { 0 };
	http_runs_hooks hooks = { runs_queued, runs_plan, &st };
	runner_options ro;
	char host[128], errbuf[256];
	uv_loop_t loop;
	owed_ctx ctx;
	int rc, port, bound;

	if ((rc = args_want_pos(a, 0, 0)))
		return rc;
	if (args_get(a, "routes")) {
		for (int i = 0; http_routes[i].method; i++)
			printf("%s %s %s\n", http_routes[i].method, http_routes[i].pattern,
			       http_routes[i].scope);
		return EXIT_OK;
	}
	if (parse_listen(listen ? listen : "127.0.0.1:8080", host, sizeof host, &port)) {
		out_error("listen: '%s' is not HOST:PORT (e.g. 127.0.0.1:8080; port 0: any free one)",
		          listen);
		return EXIT_USAGE;
	}
	if (read_timeout) {
		char *end;
		long ms = strtol(read_timeout, &end, 10);
		if (!*read_timeout || *end || ms < 1 || ms > 3600000) {
			out_error("read-timeout: '%s' is not a number of milliseconds (1 to 3600000)",
			          read_timeout);
			return EXIT_USAGE;
		}
		lim.read_timeout_ms = (unsigned)ms;
	}
	if ((rc = schedule_zone()) || (rc = cli_session(a, &ctx)))
		return rc;
	uv_loop_init(&loop);
	ro = (runner_options){ svc_db_path(a->db), cli_config()->file, cli_config()->scheduled,
	                       cli_config()->run_at };
	if (runner_start(&loop, &ctx, &ro, &st.runner) != 0) {
		out_error("serve: cannot start the runner (no /proc/self/exe?)");
		uv_loop_close(&loop);
		svc_close(&ctx);
		return EXIT_IO;
	}
	if (http_server_start(&loop, host, port, &lim, http_api_handle, &ctx, &st.srv, &bound,
	                      errbuf, sizeof errbuf)) {
		out_error("%s", errbuf);
		runner_stop(st.runner, nothing_to_close, NULL);  /* before it ran anything */
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		svc_close(&ctx);
		return EXIT_IO;
	}
	http_runs_attach(&hooks);
	printf("%d\n", bound);
	fflush(stdout);
	fprintf(stderr, "serve: listening on %s:%d\n", host, bound);
	uv_signal_init(&loop, &st.sigterm);
	uv_signal_init(&loop, &st.sigint);
	st.sigterm.data = st.sigint.data = &st;
	uv_signal_start(&st.sigterm, on_signal, SIGTERM);
	uv_signal_start(&st.sigint, on_signal, SIGINT);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	svc_close(&ctx);
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
