/*
 * testing.c -- owed.testing (testing.h).  Everything here is real: ledgers are SQLite files in
 * a temporary folder, plugins load into sandboxes through the runtime, servers are processes
 * listening on 127.0.0.1.  Temporary folders are removed when the process ends.
 */
#define _XOPEN_SOURCE 700     /* nftw */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <lauxlib.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/internal.h"
#include "runtime/testing.h"

extern char **environ;

static rt *testing_rt(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* ------------------------------------------------------------------ temporary folders */

static char tmpdirs[64][64];
static int ntmpdirs;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void remove_tmpdirs(void)
{
	for (int i = 0; i < ntmpdirs; i++)
		nftw(tmpdirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *make_tmpdir(lua_State *L)
{
	if (ntmpdirs == 64)
		luaL_error(L, "owed.testing: too many temporary folders");
	snprintf(tmpdirs[ntmpdirs], sizeof tmpdirs[0], "/tmp/owed-spec-XXXXXX");
	if (!mkdtemp(tmpdirs[ntmpdirs]))
		luaL_error(L, "owed.testing: cannot create a temporary folder");
	if (ntmpdirs == 0)
		atexit(remove_tmpdirs);
	return tmpdirs[ntmpdirs++];
}

/* ------------------------------------------------------------------ a fresh ledger */

static const char *field(lua_State *L, int t, const char *key)
{
	const char *s;
	lua_getfield(L, t, key);
	if (luaL_getmetafield(L, -1, "__name") != LUA_TNIL) {     /* money: its plain form */
		lua_pop(L, 1);
		luaL_tolstring(L, -1, NULL);
		lua_replace(L, -2);
	}
	s = lua_isnil(L, -1) ? NULL : lua_tostring(L, -1);
	lua_pop(L, 1);      /* kept alive by the table, or by the string cache until next GC */
	return s;
}

static owed_ctx *ledger_ctx(lua_State *L)
{
	owed_ctx *ctx = testing_rt(L)->ledger;
	if (!ctx->st)
		luaL_error(L, "owed.testing: call testing.ledger() first");
	return ctx;
}

static int fixture_fail(lua_State *L, const owed_error *err)
{
	return luaL_error(L, "owed.testing: %s", err->msg);
}

static int l_debtor(lua_State *L)
{
	owed_error err = { 0 };
	svc_debtor_input in;
	luaL_checktype(L, 1, LUA_TTABLE);
	in = (svc_debtor_input){
		.number = field(L, 1, "number"), .name = field(L, 1, "name"),
		.kind = field(L, 1, "kind"), .country = field(L, 1, "country"),
		.language = field(L, 1, "language"), .email = field(L, 1, "email"),
		.address = field(L, 1, "address"), .iban = field(L, 1, "iban"),
		.tags = field(L, 1, "tags"), .terms_days = field(L, 1, "terms"),
	};
	if (svc_debtor_add(ledger_ctx(L), &in, NULL, &err) != 0)
		return fixture_fail(L, &err);
	return 0;
}

static int l_invoice(lua_State *L)
{
	owed_error err = { 0 };
	svc_invoice_input in;
	luaL_checktype(L, 1, LUA_TTABLE);
	in = (svc_invoice_input){
		.number = field(L, 1, "number"), .debtor = field(L, 1, "debtor"),
		.amount = field(L, 1, "amount"), .vat = field(L, 1, "vat"),
		.issue_date = field(L, 1, "issue_date"), .due_date = field(L, 1, "due_date"),
		.currency = field(L, 1, "currency"), .reference = field(L, 1, "reference"),
		.description = field(L, 1, "description"),
	};
	if (svc_invoice_add(ledger_ctx(L), &in, NULL, &err) != 0)
		return fixture_fail(L, &err);
	return 0;
}

/* payment{ amount=, date=, debtor=, allocate = "INV" | { "INV", ... } } */
static int l_payment(lua_State *L)
{
	svc_allocation_input alloc[16];
	owed_error err = { 0 };
	svc_payment_input in;
	size_t n = 0;
	luaL_checktype(L, 1, LUA_TTABLE);
	in = (svc_payment_input){
		.amount = field(L, 1, "amount"), .date = field(L, 1, "date"),
		.debtor = field(L, 1, "debtor"), .counterparty = field(L, 1, "counterparty"),
		.iban = field(L, 1, "iban"), .remittance = field(L, 1, "remittance"),
		.currency = field(L, 1, "currency"), .alloc = alloc,
	};
	lua_getfield(L, 1, "allocate");
	if (lua_type(L, -1) == LUA_TSTRING)
		alloc[n++] = (svc_allocation_input){ lua_tostring(L, -1), NULL };
	else if (lua_istable(L, -1))
		for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1) && n < 16; i++) {
			lua_rawgeti(L, -1, i);
			alloc[n++] = (svc_allocation_input){ luaL_checkstring(L, -1), NULL };
			lua_pop(L, 1);
		}
	in.nalloc = n;
	if (svc_payment_add(ledger_ctx(L), &in, NULL, &err) != 0)
		return fixture_fail(L, &err);
	return 0;
}

/* testing.ledger{ name=, country=, currency=, terms= }: a new empty ledger, now the one every
 * plugin and owed.ledger call sees. */
static int l_ledger(lua_State *L)
{
	static const luaL_Reg fixtures[] = {
		{ "debtor", l_debtor }, { "invoice", l_invoice }, { "payment", l_payment },
		{ NULL, NULL }
	};
	rt *r = testing_rt(L);
	owed_error err = { 0 };
	char path[128];
	svc_admin_input in = { .name = "Test BV" };
	if (lua_istable(L, 1)) {
		in.name = field(L, 1, "name") ? field(L, 1, "name") : in.name;
		in.country = field(L, 1, "country");
		in.currency = field(L, 1, "currency");
		in.terms_days = field(L, 1, "terms");
		in.iban = field(L, 1, "iban");
	}
	snprintf(path, sizeof path, "%s/ledger.db", make_tmpdir(L));
	if (r->ledger->st)
		svc_close(r->ledger);
	if (svc_init(path, &in, &err) != 0 || svc_open(path, NULL, r->ledger, &err) != 0)
		return fixture_fail(L, &err);
	snprintf(r->ledger->locale, sizeof r->ledger->locale, "C");
	snprintf(r->ledger->actor, sizeof r->ledger->actor, "spec");
	lua_newtable(L);
	lua_pushvalue(L, lua_upvalueindex(1));
	luaL_setfuncs(L, fixtures, 1);
	lua_pushstring(L, path);
	lua_setfield(L, -2, "path");
	return 1;
}

/* ------------------------------------------------------------------ a plugin */

typedef struct call_result { int status, n; char msg[4096]; lua_State *to; } call_result;

/* Copies the hook's results from the plugin's coroutine into the spec's state: strings,
 * numbers, booleans and tables of them (owed.money values by their text). */
static void copy_out(lua_State *from, int idx, lua_State *to, int depth)
{
	idx = lua_absindex(from, idx);
	switch (lua_type(from, idx)) {
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(from, idx, &len);
		lua_pushlstring(to, s, len);
		break;
	}
	case LUA_TNUMBER:
		if (lua_isinteger(from, idx))
			lua_pushinteger(to, lua_tointeger(from, idx));
		else
			lua_pushnumber(to, lua_tonumber(from, idx));
		break;
	case LUA_TBOOLEAN:
		lua_pushboolean(to, lua_toboolean(from, idx));
		break;
	case LUA_TTABLE:
		if (depth > 32) {
			lua_pushnil(to);
			break;
		}
		lua_newtable(to);
		lua_pushnil(from);
		while (lua_next(from, idx)) {
			copy_out(from, -2, to, depth + 1);
			copy_out(from, -1, to, depth + 1);
			lua_settable(to, -3);
			lua_pop(from, 1);
		}
		break;
	case LUA_TUSERDATA:
		lua_pushstring(to, luaL_tolstring(from, idx, NULL));
		lua_pop(from, 1);
		break;
	default:
		lua_pushnil(to);
	}
}

static void call_done(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                      void *ud)
{
	call_result *res = ud;
	(void)p;
	res->status = status;
	if (status != 0) {
		snprintf(res->msg, sizeof res->msg, "%s", msg ? msg : "failed");
		return;
	}
	for (int i = nres; i >= 1; i--)
		copy_out(co, -i, res->to, 0);
	res->n = nres;
}

typedef struct push_args { lua_State *from; int first, n; } push_args;

static int push_call_args(lua_State *co, void *ud)
{
	push_args *a = ud;
	for (int i = 0; i < a->n; i++)
		copy_out(a->from, a->first + i, co, 0);
	return a->n;
}

static rt_plugin *self_plugin(lua_State *L)
{
	rt_plugin *p;
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "name");
	p = rt_find(testing_rt(L), luaL_checkstring(L, -1));
	lua_pop(L, 1);
	if (!p)
		luaL_error(L, "owed.testing: the plugin is gone");
	return p;
}

/* p:call(hook, ...) -> the hook's results; a failure raises with the runtime's report. */
static int l_call(lua_State *L)
{
	rt_plugin *p = self_plugin(L);
	const char *hook = luaL_checkstring(L, 2);
	push_args args = { L, 3, lua_gettop(L) - 2 };
	call_result res = { .to = L };
	int top = lua_gettop(L);
	int rc = rt_call_sync(p, hook, "spec", push_call_args, &args, call_done, &res);
	if (rc == OWED_ENOTFOUND)
		return luaL_error(L, "owed.testing: plugin %s has no hook '%s'", p->info.name, hook);
	if (rc != 0)
		return luaL_error(L, "%s", res.msg[0] ? res.msg : "the plugin is not loaded");
	return lua_gettop(L) - top;
}

static int l_unload(lua_State *L)
{
	rt_unload(testing_rt(L), self_plugin(L)->info.name);
	return 0;
}

static int l_reload(lua_State *L)
{
	owed_error err = { 0 };
	if (rt_reload(testing_rt(L), self_plugin(L)->info.name, &err) != 0)
		return luaL_error(L, "%s", err.msg);
	return 0;
}

static int l_state(lua_State *L)
{
	static const char *const names[] = { "available", "loaded", "disabled", "broken" };
	lua_pushstring(L, names[self_plugin(L)->info.state]);
	return 1;
}

/* testing.plugin(name [, config]): loaded (again) through the runtime with this config. */
static int l_plugin(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "call", l_call }, { "unload", l_unload }, { "reload", l_reload },
		{ "state", l_state }, { NULL, NULL }
	};
	rt *r = testing_rt(L);
	const char *name = luaL_checkstring(L, 1);
	owed_error err = { 0 };
	lua_settop(L, 2);
	rt_unload(r, name);
	if (rt_load(r, name, lua_istable(L, 2) ? L : NULL, lua_istable(L, 2) ? 2 : 0, &err) != 0)
		return luaL_error(L, "%s", err.msg);
	lua_newtable(L);
	lua_pushstring(L, name);
	lua_setfield(L, -2, "name");
	lua_pushvalue(L, lua_upvalueindex(1));
	luaL_setfuncs(L, methods, 1);
	return 1;
}

/* ------------------------------------------------------------------ local servers */

int testing_spawn(const char *script, const char *arg1, const char *arg2, testing_proc *out)
{
	char path[1024], line[32];
	char *argv[] = { "/usr/bin/python3", path, (char *)arg1, (char *)arg2, NULL };
	int in[2], outp[2];
	posix_spawn_file_actions_t fa;
	FILE *f;

	memset(out, 0, sizeof *out);
	snprintf(path, sizeof path, "%s/tests/support/%s", OWED_SOURCE_DIR, script);
	if (pipe(in) != 0)
		return -1;
	if (pipe(outp) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, outp[0]);
	if (posix_spawn(&out->pid, argv[0], &fa, NULL, argv, environ) != 0)
		out->pid = 0;
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(outp[1]);
	out->in = in[1];
	fcntl(out->in, F_SETFD, FD_CLOEXEC);
	f = fdopen(outp[0], "r");
	if (!out->pid || !f || !fgets(line, sizeof line, f) || (out->port = atoi(line)) <= 0) {
		if (f)
			fclose(f);
		testing_stop(out);
		return -1;
	}
	fclose(f);
	return 0;
}

void testing_stop(testing_proc *p)
{
	int status;
	if (p->pid > 0) {
		close(p->in);
		waitpid(p->pid, &status, 0);
	}
	p->pid = 0;
}

typedef struct server {
	testing_proc proc;
	char dir[64];
} server;

static int server_stop(lua_State *L)
{
	server *s = luaL_checkudata(L, 1, "owed.testing.server");
	testing_stop(&s->proc);
	return 0;
}

/* A server userdata on the stack, its process started (or an error raised). */
static server *server_start(lua_State *L, const char *script, const char *a1, const char *a2)
{
	server *s = lua_newuserdatauv(L, sizeof *s, 1);
	memset(s, 0, sizeof *s);
	luaL_setmetatable(L, "owed.testing.server");
	if (testing_spawn(script, a1, a2, &s->proc) != 0)
		luaL_error(L, "owed.testing: %s did not start (is /usr/bin/python3 there?)", script);
	return s;
}

static int read_file(lua_State *L, const char *path)
{
	FILE *f = fopen(path, "rb");
	luaL_Buffer b;
	size_t n;
	if (!f)
		return 0;
	luaL_buffinit(L, &b);
	do {
		char *p = luaL_prepbuffer(&b);
		n = fread(p, 1, LUAL_BUFFERSIZE, f);
		luaL_addsize(&b, n);
	} while (n == LUAL_BUFFERSIZE);
	fclose(f);
	luaL_pushresult(&b);
	return 1;
}

static void json_decode_top(lua_State *L)
{
	lua_getglobal(L, "owed");
	lua_getfield(L, -1, "json");
	lua_getfield(L, -1, "decode");
	lua_rotate(L, -4, -1);
	lua_call(L, 1, 1);
	lua_rotate(L, -3, 1);
	lua_pop(L, 2);
}

/* server:requests() -> what the partner received, in order. */
static int server_requests(lua_State *L)
{
	server *s = luaL_checkudata(L, 1, "owed.testing.server");
	char path[128];
	const char *text, *nl;
	snprintf(path, sizeof path, "%s/requests.jsonl", s->dir);
	lua_newtable(L);
	if (!read_file(L, path))
		return 1;
	for (text = lua_tostring(L, -1); *text; text = nl + 1) {
		if (!(nl = strchr(text, '\n')))
			break;
		lua_pushlstring(L, text, (size_t)(nl - text));
		json_decode_top(L);
		lua_rawseti(L, -3, (lua_Integer)lua_rawlen(L, -3) + 1);
	}
	lua_pop(L, 1);
	return 1;
}

static int cmp_names(const void *a, const void *b)
{
	return atoi(*(char *const *)a) - atoi(*(char *const *)b);
}

/* mailbox:messages() -> each received mail as smtpd.py summarised it, in order. */
static int mailbox_messages(lua_State *L)
{
	server *s = luaL_checkudata(L, 1, "owed.testing.server");
	char *names[256], path[512];
	int n = 0;
	struct dirent *e;
	DIR *d = opendir(s->dir);
	lua_newtable(L);
	while (d && (e = readdir(d)) && n < 256)
		if (strstr(e->d_name, ".json"))
			names[n++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof *names, cmp_names);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", s->dir, names[i]);
		free(names[i]);
		if (read_file(L, path)) {
			json_decode_top(L);
			lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
		}
	}
	return 1;
}

/* server.url and server.port are fields; stop, requests and messages are methods. */
static int server_index(lua_State *L)
{
	lua_getiuservalue(L, 1, 1);
	if (lua_getfield(L, -1, luaL_checkstring(L, 2)) != LUA_TNIL)
		return 1;
	luaL_getmetafield(L, 1, "methods");
	lua_getfield(L, -1, lua_tostring(L, 2));
	return 1;
}

static void server_metatable(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "stop", server_stop }, { "requests", server_requests },
		{ "messages", mailbox_messages }, { NULL, NULL }
	};
	if (luaL_newmetatable(L, "owed.testing.server")) {
		luaL_newlib(L, methods);
		lua_setfield(L, -2, "methods");
		lua_pushcfunction(L, server_index);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, server_stop);
		lua_setfield(L, -2, "__gc");
	}
	lua_pop(L, 1);
}

/* Gives the server on top its url and port fields. */
static void server_fields(lua_State *L, const char *scheme, int port)
{
	lua_createtable(L, 0, 2);
	lua_pushfstring(L, "%s://127.0.0.1:%d", scheme, port);
	lua_setfield(L, -2, "url");
	lua_pushinteger(L, port);
	lua_setfield(L, -2, "port");
	lua_setiuservalue(L, -2, 1);
}

/* testing.http_server{ routes = { ["POST /claims"] = { status=, body=, headers=, delay_ms= } } }
 * -> a server with .url (http://127.0.0.1:PORT), :requests(), :stop() */
static int l_http_server(lua_State *L)
{
	const char *dir = make_tmpdir(L);
	char routes[128], log[128];
	server *s;
	FILE *f;

	lua_settop(L, 1);
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getglobal(L, "owed");
	lua_getfield(L, -1, "json");
	lua_getfield(L, -1, "encode");
	if (lua_getfield(L, 1, "routes") == LUA_TNIL) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	lua_call(L, 1, 1);
	snprintf(routes, sizeof routes, "%s/routes.json", dir);
	snprintf(log, sizeof log, "%s/requests.jsonl", dir);
	if (!(f = fopen(routes, "w")) || fputs(lua_tostring(L, -1), f) < 0 || fclose(f) != 0)
		return luaL_error(L, "owed.testing: cannot write %s", routes);
	s = server_start(L, "partner.py", routes, log);
	snprintf(s->dir, sizeof s->dir, "%s", dir);
	server_fields(L, "http", s->proc.port);
	return 1;
}

/* testing.mailbox() -> a real SMTP server with .url (smtp://127.0.0.1:PORT), :messages(),
 * :stop() */
static int l_mailbox(lua_State *L)
{
	const char *dir = make_tmpdir(L);
	server *s = server_start(L, "smtpd.py", dir, NULL);

	snprintf(s->dir, sizeof s->dir, "%s", dir);
	server_fields(L, "smtp", s->proc.port);
	return 1;
}

int testing_open(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "ledger", l_ledger }, { "plugin", l_plugin }, { "http_server", l_http_server },
		{ "mailbox", l_mailbox }, { NULL, NULL }
	};
	server_metatable(L);
	lua_newtable(L);
	lua_pushvalue(L, lua_upvalueindex(1));
	luaL_setfuncs(L, fns, 1);
	return 1;
}
