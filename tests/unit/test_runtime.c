/*
 * test_runtime.c -- the plugin runtime end to end: small fixture plugins written by each test
 * into a temporary folder, scanned and loaded into real sandboxes, their hooks run as
 * coroutines that wait on a real HTTP server (tests/support/httpd.py on 127.0.0.1, started
 * once for the run and ended by closing its stdin).  No ledger: the runtime gets an owed_ctx
 * whose store is NULL.
 *
 * Budgets and timeouts are tested as behaviour only; nothing here asserts how long anything
 * took.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <lualib.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "runtime/runtime.h"

extern char **environ;


/*
** {==================================================================
** The HTTP server
** ===================================================================
*/

static struct {
	pid_t pid;
	int in, out;                     /* its stdin (closing it ends it) and stdout */
	int port;
} httpd;

static char root[] = "/tmp/owed-test-rt-XXXXXX";

static int start_httpd(void)
{
	char path[512], line[32];
	char *argv[] = { "python3", path, NULL };
	int in[2], out[2];
	size_t len = 0;
	posix_spawn_file_actions_t fa;
	snprintf(path, sizeof path, "%s/tests/support/httpd.py", OWED_SOURCE_DIR);
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	fcntl(in[1], F_SETFD, FD_CLOEXEC);
	fcntl(out[0], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[0]);
	posix_spawn_file_actions_addclose(&fa, out[1]);
	if (posix_spawn(&httpd.pid, "/usr/bin/python3", &fa, NULL, argv, environ) != 0)
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	httpd.in = in[1];
	httpd.out = out[0];
	while (len < sizeof line - 1 && read(httpd.out, line + len, 1) == 1 && line[len] != '\n')
		len++;
	line[len] = '\0';
	httpd.port = atoi(line);
	return httpd.port > 0 ? 0 : -1;
}

static int remove_tree(const char *path)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	return system(cmd);
}

static int setup_all(void **state)
{
	(void)state;
	setenv("no_proxy", "*", 1);      /* a proxy from the environment must not see these */
	if (!mkdtemp(root))
		return -1;
	return start_httpd();
}

static int teardown_all(void **state)
{
	int status;
	(void)state;
	close(httpd.in);
	waitpid(httpd.pid, &status, 0);
	close(httpd.out);
	remove_tree(root);
	return 0;
}

static const char *url(const char *path)
{
	static char buf[4][256];
	static int next;
	char *u = buf[next++ % 4];
	snprintf(u, sizeof buf[0], "http://127.0.0.1:%d%s", httpd.port, path);
	return u;
}

/* A port nothing listens on: bound by the kernel's choice, then released. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* }================================================================== */


/*
** {==================================================================
** Fixture plugins: folders written by the tests
** ===================================================================
*/

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A search folder of its own for each test: root/<test>. */
static void test_dir(char *dir, size_t size, const char *test)
{
	snprintf(dir, size, "%s/%s", root, test);
	assert_int_equal(mkdir(dir, 0700), 0);
}

/* dir/<name>/manifest.lua (a plain connector plus extra fields) and init.lua. */
static void plugin(const char *dir, const char *name, const char *extra, const char *init)
{
	char pdir[1024], manifest[2048];
	snprintf(pdir, sizeof pdir, "%s/%s", dir, name);
	snprintf(manifest, sizeof manifest, "return {\n  name = \"%s\", version = \"1.0.0\", "
	         "api_version = 1,\n  kinds = { \"connector\" },\n  %s\n}\n", name,
	         extra ? extra : "");
	write_file(pdir, "manifest.lua", manifest);
	write_file(pdir, "init.lua", init);
}

/* A plugin whose manifest is given whole (for manifests that are wrong on purpose). */
static void plugin_raw(const char *dir, const char *name, const char *manifest)
{
	char pdir[1024];
	snprintf(pdir, sizeof pdir, "%s/%s", dir, name);
	write_file(pdir, "manifest.lua", manifest);
	write_file(pdir, "init.lua", "return {}\n");
}

static const char *const NEEDS_LOCAL = "needs = { hosts = { \"127.0.0.1\" } },";

/* }================================================================== */


/*
** {==================================================================
** A loop, a runtime, and what the hooks and reports said
** ===================================================================
*/

typedef struct harness {
	uv_loop_t loop;
	owed_ctx ledger;                 /* st == NULL: no ledger */
	rt *r;
	const char *path[3];
	char secrets[700];
	int reports;
	char report_plugin[64], report_hook[64], report_subject[160], report_msg[8192];
} harness;

static void on_report(const char *plugin, const char *hook, const char *subject,
                      const char *msg, void *ud)
{
	harness *h = ud;
	h->reports++;
	snprintf(h->report_plugin, sizeof h->report_plugin, "%s", plugin);
	snprintf(h->report_hook, sizeof h->report_hook, "%s", hook);
	snprintf(h->report_subject, sizeof h->report_subject, "%s", subject);
	snprintf(h->report_msg, sizeof h->report_msg, "%s", msg);
}

/* Starts a runtime on the search path dir (and dir2, when given), scanned. */
static void start2(harness *h, const char *dir, const char *dir2, rt_options opt)
{
	owed_error err = { 0 };
	memset(h, 0, sizeof *h);
	assert_int_equal(uv_loop_init(&h->loop), 0);
	h->path[0] = dir;
	h->path[1] = dir2;
	snprintf(h->secrets, sizeof h->secrets, "%s/no-secrets", root);
	opt.path = h->path;
	opt.secrets_file = h->secrets;
	assert_int_equal(rt_new(&h->loop, &h->ledger, &opt, &h->r, &err), 0);
	rt_on_report(h->r, on_report, h);
	assert_int_equal(rt_scan(h->r, &err), 0);
}

static void start(harness *h, const char *dir, rt_options opt)
{
	start2(h, dir, NULL, opt);
}

/* Frees the runtime; the loop must then drain and close (no handle left behind). */
static void stop(harness *h)
{
	rt_free(h->r);
	uv_run(&h->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&h->loop), 0);
}

static void load(harness *h, const char *name)
{
	owed_error err = { 0 };
	if (rt_load(h->r, name, NULL, 0, &err) != 0)
		fail_msg("loading %s: %s", name, err.msg);
}

/* The outcome of one hook call, its results as text (read without metamethods). */
typedef struct outcome {
	int called, status, nres;
	char msg[8192];
	char res[4][512];
} outcome;

static void res_text(lua_State *co, int idx, char *buf, size_t size)
{
	switch (lua_type(co, idx)) {
	case LUA_TSTRING:
		snprintf(buf, size, "%s", lua_tostring(co, idx));
		break;
	case LUA_TNUMBER:
		if (lua_isinteger(co, idx))
			snprintf(buf, size, "%lld", (long long)lua_tointeger(co, idx));
		else
			snprintf(buf, size, "%g", (double)lua_tonumber(co, idx));
		break;
	case LUA_TBOOLEAN:
		snprintf(buf, size, "%s", lua_toboolean(co, idx) ? "true" : "false");
		break;
	default:
		snprintf(buf, size, "%s", lua_typename(co, lua_type(co, idx)));
	}
}

static void on_done(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                    void *ud)
{
	outcome *o = ud;
	(void)p;
	o->called++;
	o->status = status;
	o->nres = nres;
	snprintf(o->msg, sizeof o->msg, "%s", msg ? msg : "");
	for (int i = 0; i < nres && i < 4; i++)
		res_text(co, -nres + i, o->res[i], sizeof o->res[i]);
}

typedef struct args { const char *s[4]; } args;

static int push_args(lua_State *co, void *ud)
{
	args *a = ud;
	int n = 0;
	while (n < 4 && a->s[n])
		lua_pushstring(co, a->s[n++]);
	return n;
}

/* Calls a hook and runs the loop until it has finished. */
static outcome call2(harness *h, const char *name, const char *hook, const char *a1,
                     const char *a2)
{
	outcome o;
	args a = { { a1, a1 ? a2 : NULL } };
	rt_plugin *p = rt_find(h->r, name);
	int rc;
	memset(&o, 0, sizeof o);
	assert_non_null(p);
	rc = rt_call_sync(p, hook, "case-1", push_args, &a, on_done, &o);
	assert_int_equal(o.called, 1);
	assert_int_equal(rc, o.status);
	return o;
}

static outcome call(harness *h, const char *name, const char *hook, const char *arg)
{
	return call2(h, name, hook, arg, NULL);
}

/* Starts a hook call without waiting for it. */
static void call_async(harness *h, const char *name, const char *hook, const char *arg,
                       outcome *o)
{
	args a = { { arg } };
	rt_plugin *p = rt_find(h->r, name);
	memset(o, 0, sizeof *o);
	assert_non_null(p);
	assert_int_equal(rt_call(p, hook, "case-async", push_args, &a, on_done, o), 0);
}

/* Runs the loop until each of the n calls in o has finished. */
static void wait_all(harness *h, const outcome *o, int n)
{
	for (int i = 0; i < n; i++)
		while (!o[i].called)
			if (uv_run(&h->loop, UV_RUN_ONCE) == 0 && !o[i].called)
				fail_msg("call %d of %d never finished, and the loop has nothing left", i, n);
}

#define assert_contains(s, sub) do { \
	const char *s_ = (s), *sub_ = (sub); \
	if (!strstr(s_, sub_)) \
		fail_msg("expected \"%s\" in: %s", sub_, s_); \
} while (0)

static void assert_ok(const outcome *o)
{
	if (o->status != 0)
		fail_msg("the hook failed: %s", o->msg);
}

/* }================================================================== */


/*
** {==================================================================
** Memory and time budgets, repeated failures
** ===================================================================
*/

static void test_memory_cap(void **state)
{
	char dir[600];
	harness h;
	outcome o;
	(void)state;
	test_dir(dir, sizeof dir, "memory");
	plugin(dir, "hog", NULL,
	       "local M = {}\n"
	       "function M.table_bomb()\n"
	       "  local t = {}\n"
	       "  for i = 1, 1 << 40 do t[i] = i end\n"
	       "  return #t\n"
	       "end\n"
	       "function M.string_bomb() return #string.rep('x', 256 << 20) end\n"
	       "function M.fine()\n"
	       "  local t = {}\n"
	       "  for i = 1, 1000 do t[i] = tostring(i) end\n"
	       "  return 'fine ' .. #t\n"
	       "end\n"
	       "return M\n");
	plugin(dir, "other", NULL, "return { ping = function() return 'pong' end }\n");
	start(&h, dir, (rt_options){ .mem_limit = 8u << 20 });
	load(&h, "hog");
	load(&h, "other");

	o = call(&h, "hog", "table_bomb", NULL);
	assert_int_equal(o.status, OWED_ENOMEM);
	assert_contains(o.msg, "plugin hog, hook table_bomb (case-1)");
	assert_contains(o.msg, "not enough memory");
	o = call(&h, "hog", "fine", NULL);           /* the state recovered */
	assert_ok(&o);
	assert_string_equal(o.res[0], "fine 1000");

	o = call(&h, "hog", "string_bomb", NULL);
	assert_int_equal(o.status, OWED_ENOMEM);
	assert_contains(o.msg, "not enough memory");
	o = call(&h, "hog", "fine", NULL);
	assert_string_equal(o.res[0], "fine 1000");
	o = call(&h, "other", "ping", NULL);         /* and no one else noticed */
	assert_string_equal(o.res[0], "pong");
	assert_int_equal(rt_plugin_info(rt_find(h.r, "hog"))->state, RT_LOADED);
	stop(&h);
}

static void test_time_budget(void **state)
{
	char dir[600];
	harness h;
	outcome o;
	(void)state;
	test_dir(dir, sizeof dir, "time");
	plugin(dir, "spinner", NEEDS_LOCAL,
	       "local M = {}\n"
	       "function M.spin() while true do end end\n"
	       "function M.pspin()\n"
	       "  while true do pcall(function() while true do end end) end\n"
	       "end\n"
	       "function M.ok() return 'ok' end\n"
	       "-- spends its budget inside one call into C, where the hook cannot stop it, then\n"
	       "-- waits: what is left after the wait is nothing, not an unlimited budget\n"
	       "function M.burn_then_wait(url)\n"
	       "  string.rep('x', 10000):find('.-y')\n"
	       "  owed.http.get(url)\n"
	       "  while true do end\n"
	       "end\n"
	       "return M\n");
	start(&h, dir, (rt_options){ .hook_ms = 100 });
	load(&h, "spinner");

	o = call(&h, "spinner", "spin", NULL);
	assert_int_not_equal(o.status, 0);
	assert_contains(o.msg, "plugin spinner, hook spin (case-1)");
	assert_contains(o.msg, "time budget (100 ms)");
	assert_contains(o.msg, "stack traceback");
	/* the report names plugin, hook and subject, and carries the traceback into init.lua */
	assert_int_equal(h.reports, 1);
	assert_string_equal(h.report_plugin, "spinner");
	assert_string_equal(h.report_hook, "spin");
	assert_string_equal(h.report_subject, "case-1");
	assert_contains(h.report_msg, "time budget");
	assert_contains(h.report_msg, "stack traceback");
	assert_contains(h.report_msg, "spinner/init.lua:2");

	o = call(&h, "spinner", "pspin", NULL);      /* pcall cannot swallow the stop */
	assert_int_not_equal(o.status, 0);
	assert_contains(o.msg, "time budget");
	assert_int_equal(h.reports, 2);
	assert_string_equal(h.report_hook, "pspin");

	o = call(&h, "spinner", "ok", NULL);         /* a fresh budget for the next call */
	assert_string_equal(o.res[0], "ok");

	o = call(&h, "spinner", "burn_then_wait", url("/echo"));
	assert_int_not_equal(o.status, 0);
	assert_contains(o.msg, "time budget (100 ms)");
	stop(&h);
}

static void test_disabled_after_failures(void **state)
{
	char dir[600];
	harness h;
	outcome o;
	rt_plugin *p;
	(void)state;
	test_dir(dir, sizeof dir, "failures");
	plugin(dir, "flaky", NULL,
	       "return {\n"
	       "  fail = function() error('boom') end,\n"
	       "  ok = function() return 'ok' end,\n"
	       "}\n");
	start(&h, dir, (rt_options){ .max_failures = 3 });
	load(&h, "flaky");
	p = rt_find(h.r, "flaky");

	o = call(&h, "flaky", "fail", NULL);
	assert_contains(o.msg, "boom");
	call(&h, "flaky", "fail", NULL);
	call(&h, "flaky", "ok", NULL);               /* a success ends the row */
	call(&h, "flaky", "fail", NULL);
	call(&h, "flaky", "fail", NULL);
	assert_int_equal(rt_plugin_info(p)->state, RT_LOADED);
	call(&h, "flaky", "fail", NULL);             /* three in a row */
	assert_int_equal(rt_plugin_info(p)->state, RT_DISABLED);
	assert_contains(rt_plugin_info(p)->problem, "disabled after 3 failures");
	assert_string_equal(h.report_plugin, "flaky");
	assert_contains(h.report_msg, "disabled");

	memset(&o, 0, sizeof o);
	assert_int_equal(rt_call(p, "ok", "x", NULL, NULL, on_done, &o), OWED_EREFUSED);
	assert_int_equal(o.called, 0);
	stop(&h);
}

/* }================================================================== */


/*
** {==================================================================
** Hooks waiting on HTTP
** ===================================================================
*/

static const char *const WEB_INIT =
	"local M = {}\n"
	"function M.get(url, timeout)\n"
	"  local res, err, kind = owed.http.get(url, { timeout = timeout and tonumber(timeout) })\n"
	"  if not res then return nil, err, kind end\n"
	"  return res.status, res.body\n"
	"end\n"
	"function M.store() return owed.store.get('k') end\n"
	"return M\n";

static void web_plugin(harness *h, const char *test)
{
	char dir[600];
	test_dir(dir, sizeof dir, test);
	plugin(dir, "web", NEEDS_LOCAL, WEB_INIT);
	start(h, dir, (rt_options){ 0 });
	load(h, "web");
}

static void test_http_results(void **state)
{
	harness h;
	outcome o;
	char refused[64];
	(void)state;
	web_plugin(&h, "http");

	o = call(&h, "web", "get", url("/echo"));
	assert_ok(&o);
	assert_int_equal(o.nres, 2);
	assert_string_equal(o.res[0], "200");
	assert_contains(o.res[1], "\"method\": \"GET\"");
	assert_contains(o.res[1], "\"path\": \"/echo\"");

	o = call2(&h, "web", "get", url("/slow?ms=2000"), "200");
	assert_ok(&o);
	assert_int_equal(o.nres, 3);
	assert_string_equal(o.res[0], "nil");
	assert_true(strncmp(o.res[1], "timeout", 7) == 0);
	assert_string_equal(o.res[2], "timeout");

	snprintf(refused, sizeof refused, "http://127.0.0.1:%d/", free_port());
	o = call(&h, "web", "get", refused);
	assert_string_equal(o.res[0], "nil");
	assert_string_equal(o.res[2], "refused");

	o = call(&h, "web", "get", url("/truncate"));
	assert_string_equal(o.res[0], "nil");
	assert_string_equal(o.res[2], "truncated");

	o = call(&h, "web", "get", url("/drip?bytes=5&ms=50"));
	assert_ok(&o);
	assert_string_equal(o.res[0], "200");
	assert_string_equal(o.res[1], "ddddd");

	o = call(&h, "web", "get", url("/status/503"));  /* an answer, not an error */
	assert_string_equal(o.res[0], "503");

	/* no ledger: the store says so instead of touching a store that is not there */
	o = call(&h, "web", "store", NULL);
	assert_int_not_equal(o.status, 0);
	assert_contains(o.msg, "owed.store.get: no ledger is open");
	stop(&h);
}

enum { CONCURRENT = 200 };

static void test_http_concurrent(void **state)
{
	harness h;
	outcome *o = calloc(CONCURRENT, sizeof *o);
	char path[64], want[64];
	(void)state;
	assert_non_null(o);
	web_plugin(&h, "concurrent");
	for (int i = 0; i < CONCURRENT; i++) {
		snprintf(path, sizeof path, "/echo?i=%d", i);
		call_async(&h, "web", "get", url(path), &o[i]);
	}
	wait_all(&h, o, CONCURRENT);
	for (int i = 0; i < CONCURRENT; i++) {
		assert_int_equal(o[i].called, 1);
		assert_ok(&o[i]);
		assert_string_equal(o[i].res[0], "200");
		snprintf(want, sizeof want, "\"path\": \"/echo?i=%d\"", i);
		assert_contains(o[i].res[1], want);
	}
	assert_int_equal(net_active(rt_net(h.r)), 0);
	free(o);
	stop(&h);
}

static void test_unload_in_flight(void **state)
{
	harness h;
	outcome o[10], after;
	rt_plugin *p;
	(void)state;
	web_plugin(&h, "unload");
	for (int i = 0; i < 10; i++)
		call_async(&h, "web", "get", url("/slow?ms=1000"), &o[i]);
	assert_int_equal(net_active(rt_net(h.r)), 10);

	rt_unload(h.r, "web");
	for (int i = 0; i < 10; i++) {
		assert_int_equal(o[i].called, 1);
		assert_int_not_equal(o[i].status, 0);
		assert_contains(o[i].msg, "unloaded");
	}
	assert_int_equal(net_active(rt_net(h.r)), 0);
	p = rt_find(h.r, "web");
	assert_int_equal(rt_plugin_info(p)->state, RT_AVAILABLE);
	assert_int_equal(rt_call(p, "get", NULL, NULL, NULL, on_done, &after), OWED_EREFUSED);
	uv_run(&h.loop, UV_RUN_NOWAIT);

	load(&h, "web");                             /* and it loads again, fresh */
	after = call(&h, "web", "get", url("/echo"));
	assert_string_equal(after.res[0], "200");
	stop(&h);
}

/* }================================================================== */


/*
** {==================================================================
** Reloading
** ===================================================================
*/

static void reload_code(const char *dir, const char *version)
{
	char init[2048], pdir[700];
	snprintf(init, sizeof init,
	         "local M = {}\n"
	         "function M.now() return '%s' end\n"
	         "function M.slow(url)\n"
	         "  local res = owed.http.get(url)\n"
	         "  return '%s', res and res.status\n"
	         "end\n"
	         "function M.slowfail(url)\n"
	         "  owed.http.get(url)\n"
	         "  error('%s failed after waiting')\n"
	         "end\n"
	         "return M\n", version, version, version);
	snprintf(pdir, sizeof pdir, "%s/rel", dir);
	write_file(pdir, "init.lua", init);
}

static void test_reload(void **state)
{
	char dir[600];
	harness h;
	outcome o, slow[3], failing;
	owed_error err = { 0 };
	(void)state;
	test_dir(dir, sizeof dir, "reload");
	plugin(dir, "rel", NEEDS_LOCAL, "return {}\n");
	reload_code(dir, "v1");
	start(&h, dir, (rt_options){ 0 });
	load(&h, "rel");
	o = call(&h, "rel", "now", NULL);
	assert_string_equal(o.res[0], "v1");

	/* a reload that does not compile leaves v1 running, and says which file */
	{
		char pdir[700];
		snprintf(pdir, sizeof pdir, "%s/rel", dir);
		write_file(pdir, "init.lua", "local M = {\nfunction M.now() return 'v2' end\n");
	}
	assert_int_not_equal(rt_reload(h.r, "rel", &err), 0);
	assert_contains(err.msg, "rel/init.lua:");
	assert_contains(err.msg, "previous version keeps running");
	o = call(&h, "rel", "now", NULL);
	assert_string_equal(o.res[0], "v1");
	assert_int_equal(rt_plugin_info(rt_find(h.r, "rel"))->state, RT_LOADED);

	/* calls in flight finish on v1; new calls go to v2 */
	reload_code(dir, "v1");
	assert_int_equal(rt_reload(h.r, "rel", &err), 0);
	for (int i = 0; i < 3; i++)
		call_async(&h, "rel", "slow", url("/slow?ms=300"), &slow[i]);
	reload_code(dir, "v2");
	if (rt_reload(h.r, "rel", &err) != 0)
		fail_msg("reload: %s", err.msg);
	o = call(&h, "rel", "now", NULL);
	assert_string_equal(o.res[0], "v2");
	wait_all(&h, slow, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(slow[i].called, 1);
		assert_ok(&slow[i]);
		assert_string_equal(slow[i].res[0], "v1");
		assert_string_equal(slow[i].res[1], "200");
	}

	/* the last call of a retired version failing closes that version cleanly */
	call_async(&h, "rel", "slowfail", url("/slow?ms=200"), &failing);
	reload_code(dir, "v3");
	assert_int_equal(rt_reload(h.r, "rel", &err), 0);
	wait_all(&h, &failing, 1);
	assert_int_equal(failing.called, 1);
	assert_int_not_equal(failing.status, 0);
	assert_contains(failing.msg, "v2 failed after waiting");
	o = call(&h, "rel", "now", NULL);
	assert_string_equal(o.res[0], "v3");
	stop(&h);
}

/* }================================================================== */


/*
** {==================================================================
** Manifests, configuration, the search path
** ===================================================================
*/

static const rt_info *info_of(harness *h, const char *name)
{
	rt_plugin *p = rt_find(h->r, name);
	assert_non_null(p);
	return rt_plugin_info(p);
}

/* The plugin is broken, and both its problem and a load name the file and the key. */
static void assert_broken(harness *h, const char *name, const char *key)
{
	const rt_info *i = info_of(h, name);
	owed_error err = { 0 };
	char file[128];
	snprintf(file, sizeof file, "/%s/manifest.lua", name);
	assert_int_equal(i->state, RT_BROKEN);
	assert_non_null(i->problem);
	assert_contains(i->problem, file);
	assert_contains(i->problem, key);
	assert_int_not_equal(rt_load(h->r, name, NULL, 0, &err), 0);
	assert_contains(err.msg, file);
	assert_contains(err.msg, key);
}

#define MANIFEST(fields) "return {\n  version = \"1.0.0\", kinds = { \"connector\" },\n" \
	fields "\n}\n"

static void test_manifest_errors(void **state)
{
	char dir[600];
	harness h;
	(void)state;
	test_dir(dir, sizeof dir, "manifests");
	plugin_raw(dir, "unknownkey", MANIFEST("name = \"unknownkey\", api_version = 1, "
	                                       "colour = \"red\","));
	plugin_raw(dir, "apiversion", MANIFEST("name = \"apiversion\", api_version = 99,"));
	plugin_raw(dir, "apitype", MANIFEST("name = \"apitype\", api_version = \"1\","));
	plugin_raw(dir, "misnamed", MANIFEST("name = \"other\", api_version = 1,"));
	plugin_raw(dir, "badkind", "return { name = \"badkind\", version = \"1.0.0\", "
	                           "api_version = 1, kinds = { \"weird\" } }\n");
	plugin_raw(dir, "nokinds", "return { name = \"nokinds\", version = \"1.0.0\", "
	                           "api_version = 1 }\n");
	plugin_raw(dir, "badschema", MANIFEST("name = \"badschema\", api_version = 1, "
	                                      "config = { limit = { type = \"float\" } },"));
	plugin_raw(dir, "badhost", MANIFEST("name = \"badhost\", api_version = 1, "
	                                    "needs = { hosts = { \"http://x/\" } },"));
	plugin_raw(dir, "code", "return { name = os.getenv('USER') }\n");
	plugin_raw(dir, "syntax", "return { name = \n");
	plugin(dir, "fine", NULL, "return { ok = function() return 'ok' end }\n");
	start(&h, dir, (rt_options){ 0 });

	assert_int_equal(rt_count(h.r), 11);         /* bad ones do not stop the scan */
	assert_broken(&h, "unknownkey", "unknown key 'colour'");
	assert_broken(&h, "apiversion", "key 'api_version'");
	assert_contains(info_of(&h, "apiversion")->problem, "asks for 99");
	assert_broken(&h, "apitype", "key 'api_version'");
	assert_broken(&h, "misnamed", "key 'name'");
	assert_contains(info_of(&h, "misnamed")->problem, "'misnamed'");
	assert_contains(info_of(&h, "misnamed")->problem, "got 'other'");
	assert_broken(&h, "badkind", "key 'kinds'");
	assert_contains(info_of(&h, "badkind")->problem, "weird");
	assert_broken(&h, "nokinds", "key 'kinds'");
	assert_broken(&h, "badschema", "key 'config.limit.type'");
	assert_broken(&h, "badhost", "key 'hosts'");
	assert_broken(&h, "code", "global 'os'");          /* data only: nothing to call */
	assert_broken(&h, "syntax", ":2:");
	assert_int_equal(info_of(&h, "fine")->state, RT_AVAILABLE);
	load(&h, "fine");
	stop(&h);
}

/* Pushes the table the Lua expression gives onto L and returns its index. */
static int cfg_table(lua_State *L, const char *expr)
{
	char chunk[512];
	snprintf(chunk, sizeof chunk, "return %s", expr);
	assert_int_equal(luaL_dostring(L, chunk), 0);
	return lua_gettop(L);
}

static void test_config_errors(void **state)
{
	char dir[600];
	harness h;
	owed_error err = { 0 };
	lua_State *L = luaL_newstate();
	outcome o;
	(void)state;
	test_dir(dir, sizeof dir, "config");
	plugin(dir, "conf",
	       "config = {\n"
	       "    endpoint = { type = \"string\", required = true },\n"
	       "    retries = { type = \"integer\", default = 2 },\n"
	       "    minimum = { type = \"money\", default = \"25.00 EUR\" },\n"
	       "  },",
	       "return { show = function()\n"
	       "  return owed.config.endpoint, owed.config.retries, owed.config.minimum\n"
	       "end }\n");
	start(&h, dir, (rt_options){ 0 });

	assert_int_not_equal(rt_load(h.r, "conf", L, cfg_table(L, "{}"), &err), 0);
	assert_contains(err.msg, "plugin conf");
	assert_contains(err.msg, "config key 'endpoint' is required");

	assert_int_not_equal(rt_load(h.r, "conf", L,
	                             cfg_table(L, "{ endpoint = 'x', retries = 'two' }"), &err), 0);
	assert_contains(err.msg, "config key 'retries': expected a whole number");

	assert_int_not_equal(rt_load(h.r, "conf", L,
	                             cfg_table(L, "{ endpoint = 'x', minimum = '25 euro' }"),
	                             &err), 0);
	assert_contains(err.msg, "config key 'minimum': expected an amount");

	assert_int_not_equal(rt_load(h.r, "conf", L,
	                             cfg_table(L, "{ endpoint = 'x', colour = 'red' }"), &err), 0);
	assert_contains(err.msg, "config key 'colour' is not a setting");

	/* once the configuration is right, the plugin loads */
	if (rt_load(h.r, "conf", L, cfg_table(L, "{ endpoint = 'http://x', retries = 5 }"),
	            &err) != 0)
		fail_msg("a good configuration: %s", err.msg);
	o = call(&h, "conf", "show", NULL);
	assert_ok(&o);
	assert_string_equal(o.res[0], "http://x");
	assert_string_equal(o.res[1], "5");
	assert_string_equal(o.res[2], "25.00 EUR");
	stop(&h);
	lua_close(L);
}

static void test_user_override(void **state)
{
	char shipped[600], user[600];
	harness h;
	const rt_info *i;
	outcome o;
	(void)state;
	test_dir(shipped, sizeof shipped, "shipped");
	test_dir(user, sizeof user, "user");
	plugin(shipped, "dup", NULL, "return { who = function() return 'shipped' end }\n");
	plugin(shipped, "alone", NULL, "return {}\n");
	plugin(user, "dup", NULL, "return { who = function() return 'user' end }\n");
	start2(&h, shipped, user, (rt_options){ 0 });

	assert_int_equal(rt_count(h.r), 2);
	i = info_of(&h, "dup");
	assert_contains(i->folder, "/user/dup");
	assert_non_null(i->overrides);
	assert_contains(i->overrides, "/shipped/dup");
	assert_null(info_of(&h, "alone")->overrides);
	load(&h, "dup");
	o = call(&h, "dup", "who", NULL);
	assert_string_equal(o.res[0], "user");
	stop(&h);
}

/* }================================================================== */


/*
** {==================================================================
** Letters rendered in the thread pool
** ===================================================================
*/

/* owed.pdf.letter yields a hook while the pool renders; where the code cannot yield (a
 * coroutine the plugin made) it renders in place, and both give the same bytes. */
static const char letters_init[] =
	"local M = {}\n"
	"local function doc(name)\n"
	"  return { recipient = { name, 'Marktstraat 1', '1011 AB Amsterdam' },\n"
	"           sender = { 'Bench BV' }, subject = 'Herinnering',\n"
	"           body = { 'Beste ' .. name .. ',', { table = { head = { 'Factuur', 'Open' },\n"
	"                    rows = { { 'INV1', '12,10' } }, align = 'lr' } } },\n"
	"           date_iso = '2026-03-04' }\n"
	"end\n"
	"function M.letter(name) local pdf = owed.pdf.letter(doc(name)) return #pdf, pdf:sub(1, 5) end\n"
	"function M.same(name)\n"
	"  local pooled = owed.pdf.letter(doc(name))\n"
	"  local in_place = coroutine.wrap(function() return owed.pdf.letter(doc(name)) end)()\n"
	"  return pooled == in_place, #pooled\n"
	"end\n"
	"function M.bad() return owed.pdf.letter({ recipient = { string.rep('W', 400) },\n"
	"                                          body = { 'x' } }) end\n"
	"return M\n";

static void test_pdf_in_pool(void **state)
{
	char dir[600], name[32];
	harness h;
	outcome o, many[8];
	(void)state;
	test_dir(dir, sizeof dir, "letters");
	plugin(dir, "letters", NULL, letters_init);
	start(&h, dir, (rt_options){ 0 });
	load(&h, "letters");

	o = call(&h, "letters", "same", "Bakkerij De Korenschoof");
	assert_ok(&o);
	assert_string_equal(o.res[0], "true");

	for (int i = 0; i < 8; i++) {               /* several at once, each its own */
		snprintf(name, sizeof name, "Debtor %d BV", i);
		call_async(&h, "letters", "letter", name, &many[i]);
	}
	wait_all(&h, many, 8);
	for (int i = 0; i < 8; i++) {
		assert_ok(&many[i]);
		assert_string_equal(many[i].res[1], "%PDF-");
	}

	o = call(&h, "letters", "bad", NULL);          /* an error raised after the pool */
	assert_int_not_equal(o.status, 0);
	assert_contains(o.msg, "owed.pdf.letter: recipient has a line too long");

	for (int i = 0; i < 4; i++)                 /* unloaded while the pool renders */
		call_async(&h, "letters", "letter", "Gone BV", &many[i]);
	rt_unload(h.r, "letters");
	for (int i = 0; i < 4; i++) {
		assert_int_equal(many[i].called, 1);
		assert_contains(many[i].msg, "unloaded");
	}
	stop(&h);                                   /* the loop frees the orphaned letters */
}

/* }================================================================== */


/*
** {==================================================================
** Coroutines: what may yield, and who may resume
** ===================================================================
*/

static void test_coroutine_rules(void **state)
{
	char dir[600];
	harness h;
	outcome o, parked;
	(void)state;
	test_dir(dir, sizeof dir, "coroutines");
	plugin(dir, "co", NEEDS_LOCAL,
	       "local M = {}\n"
	       "function M.top_yield() coroutine.yield(1) return 'after' end\n"
	       "function M.wrapped(url)\n"
	       "  local f = coroutine.wrap(function() return owed.http.get(url) end)\n"
	       "  return f()\n"
	       "end\n"
	       "function M.own_coroutines()\n"
	       "  local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)\n"
	       "  return gen() + gen() + gen()\n"
	       "end\n"
	       "function M.sorted(url)\n"
	       "  local t = { 3, 1, 2 }\n"
	       "  table.sort(t, function(a, b) owed.http.get(url) return a < b end)\n"
	       "  return 'sorted'\n"
	       "end\n"
	       "function M.in_pcall(url)\n"
	       "  local ok, res = pcall(owed.http.get, url)\n"
	       "  return ok and res.status\n"
	       "end\n"
	       "function M.in_xpcall(url)\n"
	       "  local handler = function(m) return 'handled: ' .. m end\n"
	       "  local _, status = xpcall(function() return owed.http.get(url).status end, handler)\n"
	       "  local _, msg = xpcall(function() error('inner', 0) end, handler)\n"
	       "  return status, msg\n"
	       "end\n"
	       "-- to-be-closed variables are closed as in Lua, on close and on errors\n"
	       "function M.closing()\n"
	       "  local closed = {}\n"
	       "  local function body(name, fail)\n"
	       "    return function()\n"
	       "      local x <close> = setmetatable({}, { __close = function() closed[#closed + 1] = name end })\n"
	       "      if fail then error('failed in ' .. name) end\n"
	       "      coroutine.yield()\n"
	       "    end\n"
	       "  end\n"
	       "  local co = coroutine.create(body('closed'))\n"
	       "  coroutine.resume(co)\n"
	       "  assert(coroutine.close(co))\n"
	       "  local ok, err = pcall(coroutine.wrap(body('wrapped', true)))\n"
	       "  return table.concat(closed, ' '), err\n"
	       "end\n"
	       "local parked\n"
	       "function M.park(url)\n"
	       "  parked = coroutine.running()\n"
	       "  local a = owed.http.get(url)\n"
	       "  local b = owed.http.get(url)\n"
	       "  return a.status + b.status\n"
	       "end\n"
	       "function M.hijack() return coroutine.resume(parked, 'forged') end\n"
	       "function M.close_parked() return coroutine.close(parked) end\n"
	       "return M\n");
	start(&h, dir, (rt_options){ 0 });
	load(&h, "co");

	o = call(&h, "co", "top_yield", NULL);
	assert_int_not_equal(o.status, 0);
	assert_contains(o.msg, "yielded outside an owed.* call");

	o = call(&h, "co", "wrapped", url("/echo"));
	assert_int_not_equal(o.status, 0);
	assert_contains(o.msg, "owed.http.request: cannot wait inside a coroutine the plugin "
	                       "created");

	o = call(&h, "co", "own_coroutines", NULL);  /* its own coroutines work as in Lua */
	assert_ok(&o);
	assert_string_equal(o.res[0], "6");

	o = call(&h, "co", "sorted", url("/echo"));  /* no yield across a C call */
	assert_int_not_equal(o.status, 0);
	assert_contains(o.msg, "owed.http.request: cannot wait");
	assert_int_equal(net_active(rt_net(h.r)), 0);

	o = call(&h, "co", "in_pcall", url("/echo"));  /* pcall is no obstacle */
	assert_ok(&o);
	assert_string_equal(o.res[0], "200");

	o = call(&h, "co", "in_xpcall", url("/echo"));  /* nor is xpcall, and handlers run */
	assert_ok(&o);
	assert_string_equal(o.res[0], "200");
	assert_string_equal(o.res[1], "handled: inner");

	o = call(&h, "co", "closing", NULL);
	assert_ok(&o);
	assert_string_equal(o.res[0], "closed wrapped");
	assert_contains(o.res[1], "failed in wrapped");

	/* a hook's coroutine waiting on I/O belongs to the host: another call cannot resume or
	 * close it */
	call_async(&h, "co", "park", url("/slow?ms=200"), &parked);
	o = call(&h, "co", "hijack", NULL);
	assert_int_not_equal(o.status, 0);
	assert_contains(o.msg, "coroutine.resume: ");
	assert_contains(o.msg, "belongs to the host");
	o = call(&h, "co", "close_parked", NULL);
	assert_int_not_equal(o.status, 0);
	assert_contains(o.msg, "coroutine.close: ");
	wait_all(&h, &parked, 1);
	assert_ok(&parked);
	assert_string_equal(parked.res[0], "400");
	stop(&h);
}

/* }================================================================== */


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_cap),
		cmocka_unit_test(test_time_budget),
		cmocka_unit_test(test_disabled_after_failures),
		cmocka_unit_test(test_http_results),
		cmocka_unit_test(test_http_concurrent),
		cmocka_unit_test(test_unload_in_flight),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_manifest_errors),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_user_override),
		cmocka_unit_test(test_pdf_in_pool),
		cmocka_unit_test(test_coroutine_rules),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
