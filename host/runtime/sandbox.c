/*
 * sandbox.c -- a fenced Lua state (sandbox.h).
 *
 * Three fences:
 *  - the environment is built from an allow-list, so what is not named here does not exist
 *    (no io, no debug, no package, no os.execute, no string.dump, no binary chunks);
 *  - the allocator counts every byte and refuses past the budget, which Lua turns into a
 *    memory error inside the plugin's protected call (after an emergency collection);
 *  - a count hook compares the monotonic clock with a deadline; once past it, the hook
 *    re-arms itself to fire on every instruction, so however often a pcall in the plugin
 *    catches the error, the next instruction raises it again until the call has unwound.
 *    An error raised from a hook leaves hooks off on its thread until a pcall catches it, so
 *    what Lua would run in that gap -- xpcall's handler, the __close handlers of a coroutine
 *    that died of the stop -- is not run; and finalizers (__gc), which run wherever the
 *    collector does, are not allowed at all.
 */
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "core/err.h"
#include "runtime/sandbox.h"

#define SANDBOX_HOOK_COUNT 1000     /* instructions between clock checks */

/* ------------------------------------------------------------------ memory */

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	sandbox *sb = ud;
	size_t old = ptr ? osize : 0;
	void *p;

	if (nsize == 0) {
		free(ptr);
		sb->mem_used -= old;
		return NULL;
	}
	if (sb->enforcing && nsize > old && sb->mem_used + (nsize - old) > sb->mem_limit)
		return NULL;
	if (!(p = realloc(ptr, nsize)))
		return NULL;
	sb->mem_used = sb->mem_used - old + nsize;
	if (sb->mem_used > sb->mem_peak)
		sb->mem_peak = sb->mem_used;
	return p;
}

/* ------------------------------------------------------------------ sets of threads */

/* Weak sets in the registry, keyed by the address of these: */
static const char held_key = 'h';      /* the host's coroutines (sandbox_hold) */
static const char stopped_key = 's';   /* threads the time budget stopped */

static void new_set(lua_State *L, const char *key)
{
	lua_newtable(L);
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

/* Adds the thread at idx to a set, or says whether it is in it. */
static void set_add(lua_State *L, const char *key, int idx)
{
	idx = lua_absindex(L, idx);
	lua_rawgetp(L, LUA_REGISTRYINDEX, key);
	lua_pushvalue(L, idx);
	lua_pushboolean(L, 1);
	lua_rawset(L, -3);
	lua_pop(L, 1);
}

static int set_has(lua_State *L, const char *key, int idx)
{
	int in;
	if (lua_type(L, idx) != LUA_TTHREAD)
		return 0;
	idx = lua_absindex(L, idx);
	lua_rawgetp(L, LUA_REGISTRYINDEX, key);
	lua_pushvalue(L, idx);
	in = lua_rawget(L, -2) != LUA_TNIL;
	lua_pop(L, 2);
	return in;
}

/* ------------------------------------------------------------------ time */

sandbox *sandbox_of(lua_State *L)
{
	return *(sandbox **)lua_getextraspace(L);
}

static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
	sandbox *sb = sandbox_of(L);
	int enforcing;
	(void)ar;
	if (!sb || !sb->deadline_ns || uv_hrtime() < sb->deadline_ns)
		return;
	sb->stopped = 1;
	lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, 1);
	/* Raised from a hook, the error leaves hooks off on this thread until a pcall catches
	 * it: plugin code run there before (a message handler) or after (the __close of a
	 * coroutine that died of it) could not be stopped.  So the thread is marked, for xpcall
	 * and coroutine.close/wrap below; the mark and the message are made with the memory
	 * limit lifted, so that this error is the one raised. */
	enforcing = sb->enforcing;
	sb->enforcing = 0;
	lua_pushthread(L);
	set_add(L, &stopped_key, -1);
	lua_pop(L, 1);
	lua_pushfstring(L, "stopped: the plugin ran longer than its time budget (%d ms)",
	                (int)sb->budget_ms);
	sb->enforcing = enforcing;
	lua_error(L);
}

void sandbox_enter(sandbox *sb, lua_State *co, int64_t budget_ns)
{
	sb->enforcing = 1;
	sb->stopped = 0;
	sb->budget_ms = budget_ns / 1000000;
	sb->deadline_ns = budget_ns > 0 ? uv_hrtime() + (uint64_t)budget_ns : 0;
	/* Coroutines copy their creator's hook, so whatever co starts is timed too. */
	lua_sethook(co, sandbox_hook, LUA_MASKCOUNT, SANDBOX_HOOK_COUNT);
}

int64_t sandbox_leave(sandbox *sb)
{
	uint64_t now = uv_hrtime();
	int64_t left = sb->deadline_ns > now ? (int64_t)(sb->deadline_ns - now) : 0;
	sb->enforcing = 0;
	sb->deadline_ns = 0;
	return left;
}

/* ------------------------------------------------------------------ coroutines and xpcall */

void sandbox_hold(sandbox *sb, lua_State *co)
{
	lua_State *L = sb->L;
	lua_pushthread(co);
	lua_xmove(co, L, 1);
	set_add(L, &held_key, -1);
	lua_pop(L, 1);
}

/* A thread that died of a time-budget stop: closing it would run its __close handlers with
 * hooks off (sandbox_hook).  Its variables stay unclosed instead; they are the plugin's. */
static int died_stopped(lua_State *L, int idx)
{
	lua_State *co = lua_tothread(L, idx);
	int st = co ? lua_status(co) : LUA_OK;
	return st != LUA_OK && st != LUA_YIELD && set_has(L, &stopped_key, idx);
}

/* coroutine.resume and coroutine.close (upvalue 1, named by upvalue 2).  Neither touches the
 * host's coroutines: a hook parked on I/O that another call resumed would take forged
 * results, and a second wait there would orphan the first transfer. */
static int guarded_coroutine(lua_State *L)
{
	const char *name = lua_tostring(L, lua_upvalueindex(2));
	if (set_has(L, &held_key, 1))
		return luaL_error(L, "coroutine.%s: this coroutine belongs to the host (it runs a "
		                  "hook, and the host resumes it when its I/O is done)", name);
	if (name[0] == 'c' && died_stopped(L, 1)) {
		lua_State *co = lua_tothread(L, 1);
		lua_pushboolean(L, 0);
		lua_pushvalue(co, -1);              /* its error, as close reports it */
		lua_xmove(co, L, 1);
		return 2;
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* The function coroutine.wrap returns: Lua's, but a coroutine that died of a stop is not
 * closed (died_stopped). */
static int wrapped(lua_State *L)
{
	lua_State *co = lua_tothread(L, lua_upvalueindex(1));
	int narg = lua_gettop(L), nres, st;
	if (!lua_checkstack(co, narg))
		return luaL_error(L, "too many arguments to resume");
	lua_xmove(L, co, narg);
	st = lua_resume(co, L, narg, &nres);
	if (st == LUA_OK || st == LUA_YIELD) {
		if (!lua_checkstack(L, nres + 1)) {
			lua_pop(co, nres);
			return luaL_error(L, "too many results to resume");
		}
		lua_xmove(co, L, nres);
		return nres;
	}
	lua_xmove(co, L, 1);                    /* the error */
	st = lua_status(co);
	if (st != LUA_OK && st != LUA_YIELD && !died_stopped(L, lua_upvalueindex(1))) {
		st = lua_resetthread(co);           /* close its to-be-closed variables */
		lua_pop(L, 1);
		lua_xmove(co, L, 1);
	}
	if (st != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
		luaL_where(L, 1);
		lua_insert(L, -2);
		lua_concat(L, 2);
	}
	return lua_error(L);
}

static int sandbox_wrap(lua_State *L)
{
	lua_State *co;
	luaL_checktype(L, 1, LUA_TFUNCTION);
	co = lua_newthread(L);
	lua_pushvalue(L, 1);
	lua_xmove(L, co, 1);
	lua_pushcclosure(L, wrapped, 1);
	return 1;
}

/* xpcall's message handler (upvalue 1), unless the call has been stopped: the handler would
 * run inside the stop's hook, with hooks off (sandbox_hook).  The message passes unchanged. */
static int guarded_handler(lua_State *L)
{
	if (sandbox_of(L)->stopped)
		return 1;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static int finish_xpcall(lua_State *L, int status, lua_KContext extra)
{
	if (status != LUA_OK && status != LUA_YIELD) {
		lua_pushboolean(L, 0);
		lua_pushvalue(L, -2);
		return 2;
	}
	return lua_gettop(L) - (int)extra;
}

/* xpcall(f, handler, ...) as Lua's (yieldable), with the handler guarded. */
static int sandbox_xpcall(lua_State *L)
{
	int n = lua_gettop(L);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, guarded_handler, 1);
	lua_replace(L, 2);
	lua_pushboolean(L, 1);                  /* the first result */
	lua_pushvalue(L, 1);
	lua_rotate(L, 3, 2);                    /* below the function's arguments */
	return finish_xpcall(L, lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_xpcall), 2);
}

static void guard_coroutines(lua_State *L)
{
	static const char *const fns[] = { "resume", "close" };
	new_set(L, &held_key);
	new_set(L, &stopped_key);
	lua_getglobal(L, LUA_COLIBNAME);
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		lua_getfield(L, -1, fns[i]);
		lua_pushstring(L, fns[i]);
		lua_pushcclosure(L, guarded_coroutine, 2);
		lua_setfield(L, -2, fns[i]);
	}
	lua_pushcfunction(L, sandbox_wrap);
	lua_setfield(L, -2, "wrap");
	lua_pop(L, 1);
	lua_pushcfunction(L, sandbox_xpcall);
	lua_setglobal(L, "xpcall");
}

/* ------------------------------------------------------------------ environment */

/* load(chunk [, chunkname [, mode [, env]]]) with text chunks only, and the sandbox's own
 * globals as the default environment (never the host's). */
static int sandbox_load(lua_State *L)
{
	size_t len;
	const char *mode = luaL_optstring(L, 3, "t");
	const char *name;
	int status, env = !lua_isnone(L, 4);    /* before the chunk lands in slot 4 */

	if (strcmp(mode, "t") != 0)
		return luaL_error(L, "load: only text chunks are allowed (mode \"t\"), not \"%s\"",
		                  mode);
	if (lua_type(L, 1) != LUA_TSTRING)
		return luaL_error(L, "load: the chunk must be a string");
	const char *s = lua_tolstring(L, 1, &len);
	name = luaL_optstring(L, 2, s);
	status = luaL_loadbufferx(L, s, len, name, "t");
	if (status != LUA_OK) {
		luaL_pushfail(L);
		lua_insert(L, -2);
		return 2;
	}
	if (env) {
		lua_pushvalue(L, 4);
		if (!lua_setupvalue(L, -2, 1))
			lua_pop(L, 1);
	}
	return 1;
}

/* setmetatable (upvalue 1) refusing __gc, even a placeholder: a finalizer runs whenever the
 * collector does -- also while the host works in the state between calls, or closes it --
 * where no time budget is armed, so a looping one would hang the host. */
static int sandbox_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "setmetatable: __gc is not allowed in a plugin (a "
			                  "finalizer would run outside its time budget)");
		lua_pop(L, 1);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static void remove_field(lua_State *L, const char *table, const char *field)
{
	if (table)
		lua_getglobal(L, table);
	else
		lua_pushglobaltable(L);
	lua_pushnil(L);
	lua_setfield(L, -2, field);
	lua_pop(L, 1);
}

/* os is rebuilt with the three harmless functions: clock, time, date. */
static void keep_safe_os(lua_State *L)
{
	static const char *const keep[] = { "clock", "time", "date" };
	lua_getglobal(L, "os");
	lua_createtable(L, 0, 3);
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		lua_getfield(L, -2, keep[i]);
		lua_setfield(L, -2, keep[i]);
	}
	lua_setglobal(L, "os");
	lua_pop(L, 1);
}

static void open_allowed(lua_State *L)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base }, { LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table }, { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 }, { LUA_COLIBNAME, luaopen_coroutine },
		{ LUA_OSLIBNAME, luaopen_os }, { NULL, NULL }
	};
	for (const luaL_Reg *l = libs; l->name; l++) {
		luaL_requiref(L, l->name, l->func, 1);
		lua_pop(L, 1);
	}
	remove_field(L, NULL, "dofile");
	remove_field(L, NULL, "loadfile");
	remove_field(L, NULL, "collectgarbage");
	remove_field(L, "string", "dump");
	pattern_install(L);
	keep_safe_os(L);
	guard_coroutines(L);
	lua_pushcfunction(L, sandbox_load);
	lua_setglobal(L, "load");
	lua_getglobal(L, "setmetatable");
	lua_pushcclosure(L, sandbox_setmetatable, 1);
	lua_setglobal(L, "setmetatable");
	/* the string metatable is the state's own, but keep plugins from replacing it anyway */
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushliteral(L, "string");
		lua_setfield(L, -2, "__metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

int sandbox_open(sandbox *sb, size_t mem_limit)
{
	memset(sb, 0, sizeof *sb);
	sb->mem_limit = mem_limit;
	if (!(sb->L = lua_newstate(sandbox_alloc, sb)))
		return OWED_ENOMEM;
	*(sandbox **)lua_getextraspace(sb->L) = sb;
	open_allowed(sb->L);
	return 0;
}

void sandbox_close(sandbox *sb)
{
	if (sb->L)
		lua_close(sb->L);
	sb->L = NULL;
}

static int global_index(lua_State *L)
{
	return luaL_error(L, "undeclared global '%s' (declare it with 'local')",
	                  luaL_tolstring(L, 2, NULL));
}

static int global_newindex(lua_State *L)
{
	return luaL_error(L, "assignment to undeclared global '%s' (use 'local')",
	                  luaL_tolstring(L, 2, NULL));
}

void sandbox_lock(sandbox *sb)
{
	lua_State *L = sb->L;
	lua_pushglobaltable(L);
	lua_createtable(L, 0, 3);
	lua_pushcfunction(L, global_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, global_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushliteral(L, "locked");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_pop(L, 1);
}
