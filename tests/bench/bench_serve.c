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
 * and prints wrk's requests/s and latency percentiles.  Then the real `owed serve` (the
 * executable beside this one) on the same ledger: POST /api/v1/runs starts the daily run (a
 * child `owed run` over every debtor's case, letters and PDFs), and while GET /api/v1/runs/1
 * says "running", wrk reads random invoices again, then posts new ones (each waits for the
 * run's current transaction); it says whether the run was still running
 * when wrk ended, so the figure is known to be one measured during the run (and, before, how
 * long GET /api/v1/runs/plan takes: the dry run the request waits for).  Not part of make
 * test; without wrk it says so and exits 0.  The servers log one line per request: that goes
 * to a file here.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_NAME "bench_serve"
#include "bench.h"
#include "http/http.h"
#include "services/api.h"
#include "services/services.h"

extern char **environ;

#define DEFAULT_DEBTORS  100000L
#define DEFAULT_INVOICES 1000000L

static void build_ledger(const char *path, long ndebtors, long ninvoices,
                         char token[SVC_TOKEN_SECRET_MAX])
{
	svc_admin_input admin = { .name = "Bench BV", .terms_days = "30", .currency = "EUR" };
	owed_error err = { 0 };
	char num[32], dnum[32], amount[32], issue[16];
	owed_ctx ctx;
	double t0 = bench_now();

	if (svc_init(path, &admin, &err) || svc_open(path, NULL, &ctx, &err))
		bench_die("owed init", err.msg);
	snprintf(ctx.locale, sizeof ctx.locale, "C");
	if (store_begin(ctx.st))
		bench_die("begin", store_error(ctx.st));
	for (long d = 0; d < ndebtors; d++) {
		svc_debtor_input in = { .number = num, .name = "Debtor BV", .kind = "business" };
		snprintf(num, sizeof num, "D%07ld", d + 1);
		if (svc_debtor_add(&ctx, &in, NULL, &err))
			bench_die("svc_debtor_add", err.msg);
	}
	for (long i = 0; i < ninvoices; i++) {
		svc_invoice_input in = { .number = num, .debtor = dnum, .amount = amount,
		                         .issue_date = issue };
		snprintf(num, sizeof num, "INV%08ld", i + 1);
		snprintf(dnum, sizeof dnum, "D%07ld", i % ndebtors + 1);
		snprintf(amount, sizeof amount, "%ld.%02ld", 10 + i % 4990, i % 100);
		snprintf(issue, sizeof issue, "2025-%02ld-%02ld", 1 + i % 12, 1 + i % 28);
		if (svc_invoice_add(&ctx, &in, NULL, &err))
			bench_die("svc_invoice_add", err.msg);
	}
	if (store_commit(ctx.st))
		bench_die("commit", store_error(ctx.st));
	if (svc_token_create(&ctx, "bench", "write", token, &err))
		bench_die("svc_token_create", err.msg);
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

/* The owed executable beside this bench (both are built into the build folder). */
static void owed_path(char *out, size_t size)
{
	char self[1024], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		bench_die("readlink", "/proc/self/exe");
	self[n] = 0;
	if ((slash = strrchr(self, '/')))
		*slash = 0;
	snprintf(out, size, "%s/owed", self);
}

/* curl's answer to METHOD path (the body, first 4 KiB) into out. */
static void curl(int port, const char *token, const char *method, const char *path,
                 const char *body, char *out, size_t size)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	snprintf(cmd, sizeof cmd, "curl -s -X %s -H 'Authorization: Bearer %s' %s%s%s "
	         "'http://127.0.0.1:%d%s'", method, token, body ? "--data-binary '" : "",
	         body ? body : "", body ? "'" : "", port, path);
	if (!(p = popen(cmd, "r")))
		bench_die("curl", cmd);
	n = fread(out, 1, size - 1, p);
	out[n] = 0;
	pclose(p);
}

/* GET /api/v1/invoices/{number} while `owed serve` runs the daily run in its child. */
static void during_run(const char *dir, const char *path, const char *token, const char *script,
                       const char *post_lua, long seconds, long conns)
{
	char owed[1100], out_path[256], log[256], buf[4096], port_text[16] = "";
	char *argv[] = { owed, "serve", "--listen", "127.0.0.1:0", "--db", (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	int port = 0, status, running = 0;
	double t0;
	FILE *f;
	pid_t pid;

	owed_path(owed, sizeof owed);
	snprintf(out_path, sizeof out_path, "%s/serve.out", dir);
	snprintf(log, sizeof log, "%s/serve-run.log", dir);
	setenv("OWED_HOME", dir, 1);                 /* the letters go to its outgoing/ */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (posix_spawn(&pid, owed, &fa, NULL, argv, environ) != 0)
		bench_die("owed serve", owed);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 200 && !port; i++) {
		usleep(50000);
		if ((f = fopen(out_path, "r"))) {
			if (fgets(port_text, sizeof port_text, f))
				port = atoi(port_text);
			fclose(f);
		}
	}
	if (!port)
		bench_die("owed serve", "printed no port");
	t0 = bench_now();
	curl(port, token, "GET", "/api/v1/runs/plan?date=2026-03-01", NULL, buf, sizeof buf);
	printf("\nGET /api/v1/runs/plan?date=2026-03-01 (the dry run, in a child the request waits "
	       "for): %.2f s\n", bench_now() - t0);
	curl(port, token, "POST", "/api/v1/runs", "{\"date\":\"2026-03-01\"}", buf, sizeof buf);
	t0 = bench_now();
	for (int i = 0; i < 600 && !running; i++) {
		curl(port, token, "GET", "/api/v1/runs/1", NULL, buf, sizeof buf);
		running = strstr(buf, "\"state\":\"running\"") != NULL;
		if (!running)
			usleep(50000);
	}
	if (!running)
		bench_die("POST /api/v1/runs", buf);
	run_wrk("GET /api/v1/invoices/{number} while the daily run is running (owed serve, "
	        "run 1 for 2026-03-01 in its child)", script, port, seconds, conns);
	run_wrk("POST /api/v1/invoices while the daily run is running (each waits for the run's "
	        "transaction)", post_lua, port, seconds, conns);
	curl(port, token, "GET", "/api/v1/runs/1", NULL, buf, sizeof buf);
	running = strstr(buf, "\"state\":\"running\"") != NULL;
	printf("  the run was %s when wrk ended (%.1f s after it started)\n",
	       running ? "still running" : "NOT running any more: part of the figure is after it",
	       bench_now() - t0);
	kill(pid, SIGTERM);             /* the run stops with the server (it is left running) */
	waitpid(pid, &status, 0);
}

/* A wrk script posting new invoices, numbered <prefix><thread>-<n>, spread over the debtors. */
static void post_script(const char *path, char prefix, const char *token, long ndebtors)
{
	FILE *f = fopen(path, "w");
	if (!f)
		bench_die("script", path);
	/* tid is a global: setup() runs in the main Lua state and sets it in each thread's */
	fprintf(f, "local n, threads = 0, 0\n"
	        "tid = 0\n"
	        "function setup(thread) threads = threads + 1; thread:set('tid', threads) end\n"
	        "local h = { Authorization = 'Bearer %s', ['Content-Type'] = 'application/json' }\n"
	        "request = function()\n"
	        "  n = n + 1\n"
	        "  local body = string.format('{\"number\":\"%c%%d-%%d\",\"debtor\":\"D%%07d\","
	        "\"amount\":\"12.34\"}', tid, n, n %% %ld + 1)\n"
	        "  return wrk.format('POST', '/api/v1/invoices', h, body)\nend\n", token, prefix,
	        ndebtors);
	fclose(f);
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
		bench_die("mkdtemp", "failed");
	snprintf(path, sizeof path, "%s/owed.db", dir);
	snprintf(log, sizeof log, "%s/serve.log", dir);
	printf("bench_serve: the HTTP API under wrk (%ld s per run, %ld connections)\n", seconds,
	       conns);
	build_ledger(path, ndebtors, ninvoices, token);

	if (!freopen(log, "w", stderr))
		bench_die("log", log);
	if (svc_open(path, NULL, &s.ctx, &err))
		bench_die("svc_open", err.msg);
	uv_loop_init(&s.loop);
	uv_async_init(&s.loop, &s.stop, on_stop);
	s.stop.data = &s;
	s.api = (http_api){ &s.ctx, NULL, NULL, NULL };
	if (http_group_start(&s.api, &s.loop))
		bench_die("group commit", "cannot start");
	if (http_server_start(&s.loop, "127.0.0.1", 0, &lim, http_api_handle, &s.api, &s.srv,
	                      &port, errbuf, sizeof errbuf))
		bench_die("listen", errbuf);
	pthread_create(&s.thread, NULL, serve, &s);

	snprintf(script, sizeof script, "%s/get.lua", dir);
	if (!(f = fopen(script, "w")))
		bench_die("script", script);
	fprintf(f, "math.randomseed(42)\n"
	        "local h = { Authorization = 'Bearer %s' }\n"
	        "request = function()\n"
	        "  return wrk.format('GET', string.format('/api/v1/invoices/INV%%08d',"
	        " math.random(1, %ld)), h)\nend\n", token, ninvoices);
	fclose(f);
	run_wrk("GET /api/v1/invoices/{number} (random invoices)", script, port, seconds, conns);

	snprintf(script, sizeof script, "%s/post.lua", dir);
	post_script(script, 'W', token, ndebtors);
	run_wrk("POST /api/v1/invoices (a new invoice each)", script, port, seconds, conns);

	uv_async_send(&s.stop);
	pthread_join(s.thread, NULL);
	uv_loop_close(&s.loop);
	svc_close(&s.ctx);

	snprintf(script, sizeof script, "%s/get.lua", dir);
	snprintf(log, sizeof log, "%s/post-run.lua", dir);
	post_script(log, 'R', token, ndebtors);
	during_run(dir, path, token, script, log, seconds, conns);
	snprintf(script, sizeof script, "rm -rf %s", dir);
	if (system(script) != 0)
		fprintf(stdout, "bench_serve: could not remove %s\n", dir);
	return 0;
}
