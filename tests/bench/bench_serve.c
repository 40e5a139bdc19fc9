/*
 * bench_serve.c -- the HTTP API under load: wrk against `owed serve`'s server on a big ledger.
 *
 * A fresh ledger of OWED_BENCH_DEBTORS debtors (default 100,000) and OWED_BENCH_INVOICES
 * invoices (default 1,000,000, as issue #6 asks) made through the services, a write token,
 * and the server of host/http on 127.0.0.1 (a free port) in a thread of its own, with group
 * commit as `owed serve` has it.  Then wrk (Debian's `wrk`),
 * OWED_BENCH_SECONDS each (default 10), 2 threads and OWED_BENCH_CONNECTIONS connections
 * (default 16):
 *
 *   - GET /api/v1/invoices/{number} of random invoices
 *   - POST /api/v1/invoices, each a new invoice (one transaction and dossier event each)
 *
 * and prints wrk's requests/s and latency percentiles.  Not part of make test; without wrk
 * it says so and exits 0.  The server logs one line per request: that goes to a file here.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "http/http.h"
#include "services/api.h"
#include "services/services.h"

#define DEFAULT_DEBTORS  100000L
#define DEFAULT_INVOICES 1000000L

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_serve: %s: %s\n", what, why);
	exit(1);
}

static void build_ledger(const char *path, long ndebtors, long ninvoices,
                         char token[SVC_TOKEN_SECRET_MAX])
{
	svc_admin_input admin = { .name = "Bench BV", .terms_days = "30", .currency = "EUR" };
	owed_error err = { 0 };
	char num[32], dnum[32], amount[32], issue[16];
	owed_ctx ctx;
	double t0 = bench_now();

	if (svc_init(path, &admin, &err) || svc_open(path, NULL, &ctx, &err))
		die("owed init", err.msg);
	snprintf(ctx.locale, sizeof ctx.locale, "C");
	if (store_begin(ctx.st))
		die("begin", store_error(ctx.st));
	for (long d = 0; d < ndebtors; d++) {
		svc_debtor_input in = { .number = num, .name = "Debtor BV", .kind = "business" };
		snprintf(num, sizeof num, "D%07ld", d + 1);
		if (svc_debtor_add(&ctx, &in, NULL, &err))
			die("svc_debtor_add", err.msg);
	}
	for (long i = 0; i < ninvoices; i++) {
		svc_invoice_input in = { .number = num, .debtor = dnum, .amount = amount,
		                         .issue_date = issue };
		snprintf(num, sizeof num, "INV%08ld", i + 1);
		snprintf(dnum, sizeof dnum, "D%07ld", i % ndebtors + 1);
		snprintf(amount, sizeof amount, "%ld.%02ld", 10 + i % 4990, i % 100);
		snprintf(issue, sizeof issue, "2025-%02ld-%02ld", 1 + i % 12, 1 + i % 28);
		if (svc_invoice_add(&ctx, &in, NULL, &err))
			die("svc_invoice_add", err.msg);
	}
	if (store_commit(ctx.st))
		die("commit", store_error(ctx.st));
	if (svc_token_create(&ctx, "bench", "write", token, &err))
		die("svc_token_create", err.msg);
	svc_close(&ctx);
	printf("ledger: %ld debtors, %ld invoices in %.1f s\n", ndebtors, ninvoices,
	       bench_now() - t0);
}

typedef struct server {
	uv_loop_t loop;
	uv_async_t stop;
	http_server *srv;
	owed_ctx ctx;
	http_api api;                   /* no plugin runtime: the routes measured call none */
	pthread_t thread;
} server;

static void on_stopped(void *ud)
{
	server *s = ud;
	uv_close((uv_handle_t *)&s->stop, NULL);
	http_group_stop(&s->api);
}

static void on_stop(uv_async_t *a)
{
	server *s = a->data;
	http_server_shutdown(s->srv, on_stopped, s);
}

static void *serve(void *ud)
{
	server *s = ud;
	uv_run(&s->loop, UV_RUN_DEFAULT);
	return NULL;
}

static void run_wrk(const char *title, const char *script, int port, long seconds, long conns)
{
	char cmd[1024];
	printf("\n%s\n", title);
	fflush(stdout);
	snprintf(cmd, sizeof cmd, "wrk -t2 -c%ld -d%lds --latency -s %s http://127.0.0.1:%d/"
	         " | grep -E 'Requests/sec|Latency|50%%|75%%|90%%|99%%|requests in|Non-2xx|errors'",
	         conns, seconds, script, port);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_serve: wrk failed\n");
}

int main(void)
{
	long ndebtors = bench_env_count("OWED_BENCH_DEBTORS", DEFAULT_DEBTORS);
	long ninvoices = bench_env_count("OWED_BENCH_INVOICES", DEFAULT_INVOICES);
	long seconds = bench_env_count("OWED_BENCH_SECONDS", 10);
	long conns = bench_env_count("OWED_BENCH_CONNECTIONS", 16);
	char dir[] = "/tmp/owed-bench-serve.XXXXXX", path[256], script[256], log[256];
	char token[SVC_TOKEN_SECRET_MAX], errbuf[256];
	http_limits lim = HTTP_LIMITS_DEFAULT;
	owed_error err = { 0 };
	server s = { 0 };
	FILE *f;
	int port;

	if (system("command -v wrk >/dev/null 2>&1") != 0) {
		printf("bench_serve: skipped, no wrk (apt-get install wrk)\n");
		return 0;
	}
	if (!mkdtemp(dir))
		die("mkdtemp", "failed");
	snprintf(path, sizeof path, "%s/owed.db", dir);
	snprintf(log, sizeof log, "%s/serve.log", dir);
	printf("bench_serve: the HTTP API under wrk (%ld s per run, %ld connections)\n", seconds,
	       conns);
	build_ledger(path, ndebtors, ninvoices, token);

	if (!freopen(log, "w", stderr))
		die("log", log);
	if (svc_open(path, NULL, &s.ctx, &err))
		die("svc_open", err.msg);
	uv_loop_init(&s.loop);
	uv_async_init(&s.loop, &s.stop, on_stop);
	s.stop.data = &s;
	s.api = (http_api){ &s.ctx, NULL, NULL, NULL };
	if (http_group_start(&s.api, &s.loop))
		die("group commit", "cannot start");
	if (http_server_start(&s.loop, "127.0.0.1", 0, &lim, http_api_handle, &s.api, &s.srv,
	                      &port, errbuf, sizeof errbuf))
		die("listen", errbuf);
	pthread_create(&s.thread, NULL, serve, &s);

	snprintf(script, sizeof script, "%s/get.lua", dir);
	if (!(f = fopen(script, "w")))
		die("script", script);
	fprintf(f, "math.randomseed(42)\n"
	        "local h = { Authorization = 'Bearer %s' }\n"
	        "request = function()\n"
	        "  return wrk.format('GET', string.format('/api/v1/invoices/INV%%08d',"
	        " math.random(1, %ld)), h)\nend\n", token, ninvoices);
	fclose(f);
	run_wrk("GET /api/v1/invoices/{number} (random invoices)", script, port, seconds, conns);

	snprintf(script, sizeof script, "%s/post.lua", dir);
	if (!(f = fopen(script, "w")))
		die("script", script);
	/* tid is a global: setup() runs in the main Lua state and sets it in each thread's */
	fprintf(f, "local n, threads = 0, 0\n"
	        "tid = 0\n"
	        "function setup(thread) threads = threads + 1; thread:set('tid', threads) end\n"
	        "local h = { Authorization = 'Bearer %s', ['Content-Type'] = 'application/json' }\n"
	        "request = function()\n"
	        "  n = n + 1\n"
	        "  local body = string.format('{\"number\":\"W%%d-%%d\",\"debtor\":\"D%%07d\","
	        "\"amount\":\"12.34\"}', tid, n, n %% %ld + 1)\n"
	        "  return wrk.format('POST', '/api/v1/invoices', h, body)\nend\n", token, ndebtors);
	fclose(f);
	run_wrk("POST /api/v1/invoices (a new invoice each)", script, port, seconds, conns);

	uv_async_send(&s.stop);
	pthread_join(s.thread, NULL);
	uv_loop_close(&s.loop);
	svc_close(&s.ctx);
	snprintf(script, sizeof script, "rm -rf %s", dir);
	if (system(script) != 0)
		fprintf(stdout, "bench_serve: could not remove %s\n", dir);
	return 0;
}
