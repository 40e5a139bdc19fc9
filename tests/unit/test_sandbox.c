/*
 * test_sandbox.c -- the sandbox escape suite.  A fixture plugin, "escape", runs each attempt
 * (a Lua snippet compiled inside its own sandbox with load()) and must fail with a clear,
 * specific message; after every attempt the escaping plugin answers again, and a second
 * plugin, "bystander", finds its strings, its store, its secret and the API as they were.
 *
 * The runtime has a real ledger (a SQLite file in a temporary folder) so owed.store is live.
 * Adding an attempt is one line in the table below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "runtime/runtime.h"

typedef struct attempt {
	const char *name, *code, *expected;     /* expected: a substring of the error */
} attempt;

#define NIL_FIELD(f) "attempt to call a nil value (field '" f "')"

static const attempt attempts[] = {
	/* the operating system */
	{ "os.execute", "return os.execute('id')", NIL_FIELD("execute") },
	{ "os.getenv", "return os.getenv('HOME')", NIL_FIELD("getenv") },
	{ "os.exit", "os.exit(1)", NIL_FIELD("exit") },
	{ "os.remove", "return os.remove('/tmp/x')", NIL_FIELD("remove") },
	{ "os.rename", "return os.rename('/tmp/x', '/tmp/y')", NIL_FIELD("rename") },
	{ "os.tmpname", "return os.tmpname()", NIL_FIELD("tmpname") },
	{ "io.open", "return io.open('/etc/passwd')", "undeclared global 'io'" },
	{ "io.popen", "return io.popen('id')", "undeclared global 'io'" },
	{ "io.lines", "for l in io.lines('/etc/passwd') do end", "undeclared global 'io'" },
	/* loading code from outside */
	{ "package.loadlib", "return package.loadlib('libc.so.6', 'system')",
	  "undeclared global 'package'" },
	{ "require a C module (lfs)", "return require('lfs')", "no module 'lfs' in the plugin" },
	{ "require a C module (socket)", "return require('socket.core')",
	  "no module 'socket.core' in the plugin" },
	{ "require ../../etc/passwd", "return require('../../etc/passwd')",
	  "'../../etc/passwd' is not a module name" },
	{ "require /etc/passwd", "return require('/etc/passwd')",
	  "'/etc/passwd' is not a module name" },
	{ "require .hidden", "return require('.profile')", "'.profile' is not a module name" },
	{ "dofile", "return dofile('/etc/passwd')", "undeclared global 'dofile'" },
	{ "loadfile", "return loadfile('/etc/passwd')", "undeclared global 'loadfile'" },
	/* debug */
	{ "debug.getinfo", "return debug.getinfo(1)", "undeclared global 'debug'" },
	{ "debug.sethook", "debug.sethook()", "undeclared global 'debug'" },
	{ "debug.getregistry", "return debug.getregistry()", "undeclared global 'debug'" },
	/* binary chunks */
	{ "string.dump then load", "return load(string.dump(function() end))", NIL_FIELD("dump") },
	{ "load mode b", "return load('return 1', 'x', 'b')", "only text chunks are allowed" },
	{ "load mode bt", "return load('return 1', 'x', 'bt')", "only text chunks are allowed" },
	{ "load a binary chunk", "return assert(load('\\27Lua\\84\\0\\25\\147\\13\\10', 'x'))",
	  "attempt to load a binary chunk" },
	{ "load from a reader", "return load(function() return nil end)",
	  "load: the chunk must be a string" },
	/* environments */
	{ "load with an empty env", "return load('return io.open(\"/etc/passwd\")', 'x', 't', {})()",
	  "attempt to index a nil value (global 'io')" },
	{ "load with an env over _G",
	  "return load('return io', 'x', 't', setmetatable({}, { __index = _G }))()",
	  "undeclared global 'io'" },
	{ "rawget(_G, 'io')", "return rawget(_G, 'io').open('/etc/passwd')",
	  "attempt to index a nil value" },
	{ "_ENV over _G", "local _ENV = setmetatable({}, { __index = _G }) return io.open('/x')",
	  "undeclared global 'io'" },
	{ "_ENV = nil", "local _ENV = nil return print", "attempt to index a nil value (local '_ENV')" },
	{ "read an undeclared global", "return some_global", "undeclared global 'some_global'" },
	{ "assign a global", "x = 1", "assignment to undeclared global 'x'" },
	{ "unlock _G", "setmetatable(_G, nil)", "cannot change a protected metatable" },
	{ "edit _G's metatable", "getmetatable(_G).__newindex = nil",
	  "attempt to index a string value" },
	{ "collectgarbage('stop')", "collectgarbage('stop')", "undeclared global 'collectgarbage'" },
	/* the string metatable, shared by every string of the state */
	{ "string metatable __index", "getmetatable('').__index = { upper = print }",
	  "attempt to index a string value" },
	{ "setmetatable on a string", "setmetatable('', {})", "table expected, got string" },
	{ "rawset on the string metatable", "rawset(getmetatable(''), '__index', {})",
	  "table expected, got string" },
	/* finalizers would run outside every budget */
	{ "__gc that loops", "setmetatable({}, { __gc = function() while true do end end })",
	  "__gc is not allowed" },
	{ "__gc placeholder", "setmetatable({}, { __gc = false })", "__gc is not allowed" },
	/* the API */
	{ "owed.http = nil", "owed.http = nil", "the owed API is read-only (cannot set 'http')" },
	{ "owed.http.get replaced", "owed.http.get = print",
	  "the owed API is read-only (cannot set 'get')" },
	{ "owed.secret replaced", "owed.secret = function() return 'x' end",
	  "the owed API is read-only (cannot set 'secret')" },
	{ "unfreeze owed", "setmetatable(owed, nil)", "cannot change a protected metatable" },
	{ "owed's metatable", "getmetatable(owed).__index.http = nil",
	  "attempt to index a nil value (field '__index')" },
	{ "another plugin's secret", "return owed.secret('BYSTANDER_TOKEN')",
	  "'BYSTANDER_TOKEN' is not declared in the manifest of plugin escape" },
	{ "another plugin's store key",
	  "return assert(owed.store.get('b-key'), 'b-key is not in this store')",
	  "b-key is not in this store" },
	{ "another plugin's store keys",
	  "assert(#owed.store.keys('') == 0 and #owed.store.keys('b') == 0, 'no keys') "
	  "error('this store is empty')", "this store is empty" },
	{ "a host not in the manifest", "return owed.http.get('http://example.com/')",
	  "host example.com is not in the manifest of plugin escape" },
	{ "userinfo before a foreign host", "return owed.http.get('http://127.0.0.1@example.com/')",
	  "host example.com is not in the manifest" },
	{ "a look-alike host", "return owed.http.get('http://127.0.0.1.example.com/')",
	  "host 127.0.0.1.example.com is not in the manifest" },
	{ "localhost for 127.0.0.1", "return owed.http.get('http://localhost/')",
	  "host localhost is not in the manifest" },
	{ "a file:// URL", "return owed.http.get('file:///etc/passwd')",
	  "scheme file is not allowed (only https or http)" },
	{ "a gopher:// URL", "return owed.http.get('gopher://127.0.0.1/')",
	  "scheme gopher is not allowed" },
	{ "an smtp:// URL for http", "return owed.http.get('smtp://127.0.0.1/')",
	  "scheme smtp is not allowed" },
	{ "mail to a foreign server",
	  "return owed.mail.send{ url = 'smtp://mail.example.com', from = 'a@b.nl', to = 'c@d.nl' }",
	  "host mail.example.com is not in the manifest" },
	/* coroutines */
	{ "yield at top level", "coroutine.yield(1)", "yielded outside an owed.* call" },
	{ "close the running hook", "return coroutine.close(coroutine.running())",
	  "belongs to the host" },
	{ "a coroutine that loops", "coroutine.wrap(function() while true do end end)()",
	  "time budget" },
	{ "coroutines that loop under pcall",
	  "while true do pcall(coroutine.wrap(function() while true do end end)) end",
	  "time budget" },
	/* running time */
	{ "a pattern that backtracks for minutes", "return ('x'):rep(100000):find('.-y')",
	  "time budget (500 ms) in a string pattern" },
	{ "a backtracking gsub under pcall",
	  "while true do pcall(string.gsub, ('a'):rep(50000), '(.-)(.-)b', '%2%1') end",
	  "time budget" },
	{ "an infinite loop", "while true do end", "time budget" },
	{ "an infinite loop in pcall", "while true do pcall(function() while true do end end) end",
	  "time budget" },
	{ "xpcall with a handler that loops",
	  "return xpcall(function() while true do end end, function() while true do end end)",
	  "time budget" },
	{ "__close that loops, under pcall",
	  "pcall(function() local x <close> = setmetatable({}, { __close = function() "
	  "while true do end end }) while true do end end)", "time budget" },
	{ "__close that loops, in a wrapped coroutine",
	  "coroutine.wrap(function() local x <close> = setmetatable({}, { __close = function() "
	  "while true do end end }) while true do end end)()", "time budget" },
	{ "__close that loops, closing a stopped coroutine",
	  "local co = coroutine.create(function() local x <close> = setmetatable({}, { __close = "
	  "function() while true do end end }) while true do end end) coroutine.resume(co) "
	  "coroutine.close(co) while true do end", "time budget" },
	{ "keeping a stopped coroutine for later",
	  "local co = coroutine.create(function() local x <close> = setmetatable({}, { __close = "
	  "function() while true do end end }) while true do end end) coroutine.resume(co) "
	  "require('init').stash = co while true do end", "time budget" },
	{ "closing it in a later call",
	  "local ok, err = coroutine.close(require('init').stash) "
	  "error('closed: ' .. tostring(ok) .. ', ' .. err)", "closed: false, stopped: " },
	{ "resuming it in a later call",
	  "error(select(2, coroutine.resume(require('init').stash)))",
	  "cannot resume dead coroutine" },
	{ "error caught and rethrown as something else",
	  "local ok = pcall(function() while true do end end) error('all is fine')",
	  "time budget" },
	/* the stack and memory */
	/* (each frame a little bigger than the last, so the stack's limit comes long before the
	 * time budget, even on a slow machine) */
	{ "deep recursion", "local function f(...) local r = f(1, ...) return r end return f()",
	  "stack overflow" },
	{ "deep recursion through coroutines",
	  "local function f() return coroutine.wrap(f)() end return f()", "stack overflow" },
	{ "string.rep memory bomb", "return #string.rep('x', 1 << 30)", "not enough memory" },
	{ "table growth memory bomb", "local t = { 1 } while true do table.move(t, 1, #t, #t + 1) end",
	  "not enough memory" },
	{ "doubling a string", "local s = 'x' while true do s = s .. s end", "not enough memory" },
	{ "an error object that is not a string",
	  "error(setmetatable({}, { __tostring = function() while true do end end }))",
	  "error object is not a string" },
};


/*
** {==================================================================
** The fixture: a ledger, two plugins, a runtime
** ===================================================================
*/

static char root[] = "/tmp/owed-test-sandbox-XXXXXX";

static struct {
	uv_loop_t loop;
	owed_ctx ledger;
	rt *r;
	const char *path[2];
	char plugins[600], secrets[600];
} fx;

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

static void plugin(const char *name, const char *needs, const char *init)
{
	char dir[700], manifest[1024];
	snprintf(dir, sizeof dir, "%s/plugins", root);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/plugins/%s", root, name);
	snprintf(manifest, sizeof manifest, "return {\n  name = \"%s\", version = \"1.0.0\", "
	         "api_version = 1,\n  kinds = { \"connector\" },\n  needs = %s,\n}\n", name,
	         needs);
	write_file(dir, "manifest.lua", manifest);
	write_file(dir, "init.lua", init);
}

/* The outcome of one hook call: its status, message and first result as text. */
typedef struct outcome {
	int called, status;
	char msg[8192], res[512];
} outcome;

static void on_done(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                    void *ud)
{
	outcome *o = ud;
	(void)p;
	o->called++;
	o->status = status;
	snprintf(o->msg, sizeof o->msg, "%s", msg ? msg : "");
	if (nres > 0 && lua_type(co, -nres) == LUA_TSTRING)
		snprintf(o->res, sizeof o->res, "%s", lua_tostring(co, -nres));
	else if (nres > 0)
		snprintf(o->res, sizeof o->res, "(%s)", lua_typename(co, lua_type(co, -nres)));
}

static int push_code(lua_State *co, void *ud)
{
	if (!ud)
		return 0;
	lua_pushstring(co, ud);
	return 1;
}

static outcome call(const char *name, const char *hook, const char *code)
{
	outcome o;
	rt_plugin *p = rt_find(fx.r, name);
	memset(&o, 0, sizeof o);
	assert_non_null(p);
	assert_int_equal(rt_plugin_info(p)->state, RT_LOADED);
	rt_call_sync(p, hook, "attempt", push_code, (void *)code, on_done, &o);
	assert_int_equal(o.called, 1);
	return o;
}

static void report_quietly(const char *plugin, const char *hook, const char *subject,
                           const char *msg, void *ud)
{
	(void)plugin; (void)hook; (void)subject; (void)msg; (void)ud;
}

static const char *const ESCAPE_INIT =
	"local M = {}\n"
	"-- one attempt: a snippet compiled with this plugin's own globals\n"
	"function M.try(code)\n"
	"  local f = assert(load(code, '=attempt', 't'))\n"
	"  return f()\n"
	"end\n"
	"function M.ping() return 'pong' end\n"
	"return M\n";

static const char *const BYSTANDER_INIT =
	"local M = {}\n"
	"function M.put() owed.store.set('b-key', 'b-value') return 'stored' end\n"
	"-- everything the escaping plugin might have reached, as it should be\n"
	"function M.check()\n"
	"  assert(('x'):upper() == 'X', 'string methods changed')\n"
	"  assert(string.upper('y') == 'Y', 'the string table changed')\n"
	"  assert(getmetatable('') == 'string', 'the string metatable changed')\n"
	"  assert(owed.store.get('b-key') == 'b-value', 'its store changed')\n"
	"  assert(owed.secret('BYSTANDER_TOKEN') == 'b-secret', 'its secret changed')\n"
	"  assert(type(owed.http.get) == 'function', 'the API changed')\n"
	"  local t = {}\n"
	"  for i = 1, 10000 do t[i] = tostring(i) end\n"
	"  return 'ok'\n"
	"end\n"
	"return M\n";

static int setup(void **state)
{
	svc_admin_input admin = { .name = "Sandbox BV" };
	owed_error err = { 0 };
	rt_options opt = { .mem_limit = 64u << 20, .hook_ms = 500, .max_failures = 1000 };
	char db[600];
	(void)state;
	if (!mkdtemp(root))
		return -1;
	setenv("OWED_SECRET_BYSTANDER_TOKEN", "b-secret", 1);
	setenv("OWED_SECRET_ESCAPE_TOKEN", "e-secret", 1);
	plugin("escape", "{ hosts = { \"127.0.0.1\" }, secrets = { \"ESCAPE_TOKEN\" } }",
	       ESCAPE_INIT);
	plugin("bystander", "{ secrets = { \"BYSTANDER_TOKEN\" } }", BYSTANDER_INIT);

	snprintf(db, sizeof db, "%s/ledger.db", root);
	if (svc_init(db, &admin, &err) != 0 || svc_open(db, NULL, &fx.ledger, &err) != 0) {
		fprintf(stderr, "ledger: %s\n", err.msg);
		return -1;
	}
	snprintf(fx.secrets, sizeof fx.secrets, "%s/no-secrets", root);
	snprintf(fx.plugins, sizeof fx.plugins, "%s/plugins", root);
	fx.path[0] = fx.plugins;
	opt.path = fx.path;
	opt.secrets_file = fx.secrets;
	if (uv_loop_init(&fx.loop) != 0 || rt_new(&fx.loop, &fx.ledger, &opt, &fx.r, &err) != 0 ||
	    rt_scan(fx.r, &err) != 0 || rt_load(fx.r, "escape", NULL, 0, &err) != 0 ||
	    rt_load(fx.r, "bystander", NULL, 0, &err) != 0) {
		fprintf(stderr, "runtime: %s\n", err.msg);
		return -1;
	}
	rt_on_report(fx.r, report_quietly, NULL);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	(void)state;
	rt_free(fx.r);
	uv_run(&fx.loop, UV_RUN_DEFAULT);
	uv_loop_close(&fx.loop);
	svc_close(&fx.ledger);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* }================================================================== */


/* The escaping plugin answers, and the bystander finds everything as it was. */
static void assert_unharmed(const char *after)
{
	outcome o = call("escape", "ping", NULL);
	if (o.status != 0 || strcmp(o.res, "pong") != 0)
		fail_msg("after %s, escape no longer answers: %s", after, o.msg);
	o = call("bystander", "check", NULL);
	if (o.status != 0 || strcmp(o.res, "ok") != 0)
		fail_msg("after %s, the bystander was harmed: %s", after, o.msg);
}

static void test_attempts(void **state)
{
	size_t n = sizeof attempts / sizeof attempts[0];
	int failed = 0;
	outcome o;
	(void)state;
	assert_true(n >= 30);
	o = call("bystander", "put", NULL);
	assert_int_equal(o.status, 0);
	assert_unharmed("setting up");
	for (size_t i = 0; i < n; i++) {
		const attempt *a = &attempts[i];
		o = call("escape", "try", a->code);
		if (o.status == 0) {
			print_error("attempt '%s' succeeded (returned %s)\n", a->name, o.res);
			failed++;
		} else if (!strstr(o.msg, "plugin escape, hook try (attempt)") ||
		           !strstr(o.msg, a->expected)) {
			print_error("attempt '%s': expected \"%s\" in: %s\n", a->name, a->expected,
			            o.msg);
			failed++;
		}
		assert_unharmed(a->name);
	}
	assert_int_equal(failed, 0);
}

/* What a plugin changes in its own state stays there: each plugin has a state of its own. */
static void test_own_state_only(void **state)
{
	outcome o;
	(void)state;
	o = call("escape", "try", "string.upper = function() return 'pwned' end "
	                          "return ('x'):upper()");
	assert_int_equal(o.status, 0);
	assert_string_equal(o.res, "pwned");
	assert_unharmed("replacing string.upper in its own state");
	o = call("escape", "try", "string.upper = nil return owed.secret('ESCAPE_TOKEN')");
	assert_int_equal(o.status, 0);
	assert_string_equal(o.res, "e-secret");     /* its own declared secret, for contrast */
	o = call("escape", "try", "owed.store.set('b-key', 'forged') return owed.store.get('b-key')");
	assert_int_equal(o.status, 0);
	assert_string_equal(o.res, "forged");
	assert_unharmed("writing the same key in its own store");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attempts),
		cmocka_unit_test(test_own_state_only),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
