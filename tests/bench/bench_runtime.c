/*
 * bench_runtime.c -- what a plugin costs: one hook call from C into a plugin and back, and
 * 10,000 owed.http requests with 100 in flight against a local server.
 *
 * Baselines: a bare lua_pcall of the same function in a plain Lua state (the floor for a call
 * into Lua), and the same 10,000 requests made straight through net_http with no Lua at all
 * (what the server and curl can do; a ratio near 1 means the host is not the limit).
 */
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BENCH_NAME "bench_runtime"
#include "bench.h"
#include "runtime/runtime.h"
#include "runtime/testing.h"

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[1100];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "bench: cannot write %s\n", path);
		exit(1);
	}
}

static const char *make_plugin(char *root)
{
	static char folder[512];
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(folder, sizeof folder, "%s/bench", root);
	mkdir(folder, 0755);
	write_file(folder, "manifest.lua",
	           "return { name = 'bench', version = '1', api_version = 1,\n"
	           "  kinds = { 'connector' }, needs = { hosts = { '127.0.0.1' } } }\n");
	write_file(folder, "init.lua",
	           "local M = {}\n"
	           "function M.noop(x) return x end\n"
	           "function M.fetch(url)\n"
	           "  local res, err = owed.http.get(url)\n"
	           "  return res and res.status or err\n"
	           "end\n"
	           "return M\n");
	return folder;
}

/* ------------------------------------------------------------------ hook calls */

static int push_one(lua_State *co, void *ud)
{
	(void)ud;
	lua_pushinteger(co, 42);
	return 1;
}

static double bare_calls(long n)
{
	lua_State *L = luaL_newstate();
	double t0;
	luaL_openlibs(L);
	luaL_dostring(L, "function noop(x) return x end");
	t0 = bench_now();
	for (long i = 0; i < n; i++) {
		lua_getglobal(L, "noop");
		lua_pushinteger(L, 42);
		lua_pcall(L, 1, 1, 0);
		lua_pop(L, 1);
	}
	t0 = bench_now() - t0;
	lua_close(L);
	return t0;
}

static double hook_calls(rt_plugin *p, long n)
{
	double t0 = bench_now();
	for (long i = 0; i < n; i++)
		if (rt_call_sync(p, "noop", NULL, push_one, NULL, NULL, NULL) != 0) {
			fprintf(stderr, "bench: the hook call failed\n");
			exit(1);
		}
	return bench_now() - t0;
}

/* ------------------------------------------------------------------ requests */

typedef struct load {
	long started, done, failed, total;
	int inflight;
	char url[64];
	rt_plugin *p;
	net *n;
} load;

static void next_request(load *l);

static int push_url(lua_State *co, void *ud)
{
	lua_pushstring(co, ((load *)ud)->url);
	return 1;
}

static void plugin_done(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                        void *ud)
{
	load *l = ud;
	(void)p; (void)msg;
	l->done++;
	if (status != 0 || nres != 1 || lua_tointeger(co, -1) != 200)
		l->failed++;
	next_request(l);
}

static void net_done(net_transfer *t, const net_response *r, void *ud)
{
	load *l = ud;
	(void)t;
	l->done++;
	if (r->status != 200)
		l->failed++;
	next_request(l);
}

static void next_request(load *l)
{
	if (l->started >= l->total)
		return;
	l->started++;
	if (l->p)
		rt_call(l->p, "fetch", NULL, push_url, l, plugin_done, l);
	else {
		net_request req = { .url = l->url };
		net_http(l->n, &req, net_done, l, NULL);
	}
}

static double run_load(uv_loop_t *loop, load *l)
{
	double t0 = bench_now();
	for (int i = 0; i < l->inflight; i++)
		next_request(l);
	while (l->done < l->total)
		uv_run(loop, UV_RUN_ONCE);
	return bench_now() - t0;
}

int main(void)
{
	long calls = bench_env_count("OWED_BENCH_CALLS", 1000000);
	long requests = bench_env_count("OWED_BENCH_REQUESTS", 10000);
	char root[] = "/tmp/owed-bench-XXXXXX";
	const char *path[2];
	owed_ctx none = { 0 };
	owed_error err = { 0 };
	testing_proc httpd;
	uv_loop_t loop;
	rt *r;
	rt_plugin *p;
	double bare, hook, direct, via;

	path[0] = root;
	path[1] = NULL;
	make_plugin(root);
	uv_loop_init(&loop);
	if (rt_new(&loop, &none, &(rt_options){ .path = path }, &r, &err) != 0 ||
	    rt_scan(r, &err) != 0 || rt_load(r, "bench", NULL, 0, &err) != 0) {
		fprintf(stderr, "bench: %s\n", err.msg);
		return 1;
	}
	p = rt_find(r, "bench");

	bench_header("plugin runtime");
	bare = bare_calls(calls);
	hook = hook_calls(p, calls);
	bench_report_rows("hook call (noop)", calls, hook, bare);
	printf("%-24s %.3f us per call (bare lua_pcall: %.3f us)\n", "", hook / (double)calls * 1e6,
	       bare / (double)calls * 1e6);

	if (testing_spawn("httpd.py", NULL, NULL, &httpd) != 0) {
		fprintf(stderr, "bench: tests/support/httpd.py did not start\n");
		return 1;
	}
	{
		load direct_load = { .total = requests, .inflight = 100, .n = rt_net(r) };
		load plugin_load = { .total = requests, .inflight = 100, .p = p };
		snprintf(direct_load.url, sizeof direct_load.url, "http://127.0.0.1:%d/status/200",
		         httpd.port);
		memcpy(plugin_load.url, direct_load.url, sizeof plugin_load.url);
		direct = run_load(&loop, &direct_load);
		via = run_load(&loop, &plugin_load);
		bench_report_rows("owed.http, 100 in flight", requests, via, direct);
		printf("%-24s server side (net_http, no Lua): %.0f req/s; through plugins: %.0f req/s;"
		       " failures %ld / %ld\n", "", (double)requests / direct, (double)requests / via,
		       direct_load.failed, plugin_load.failed);
	}
	testing_stop(&httpd);
	rt_free(r);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	printf("%-24s peak RSS %.1f MiB\n", "", bench_peak_rss_mib());
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
