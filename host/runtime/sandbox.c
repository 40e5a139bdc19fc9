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

/* ------------------------------------------------------------------ time */

sandbox *sandbox_of(lua_State *L)
{
	return *(sandbox **)lua_getextraspace(L);
}

static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
	sandbox *sb = sandbox_of(L);
	(void)ar;
	if (!sb || !sb->deadline_ns || uv_hrtime() < sb->deadline_ns)
		return;
	sb->stopped = 1;
	lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, 1);
	luaL_error(L, "stopped: the plugin ran longer than its time budget (%d ms)",
	           (int)sb->budget_ms);
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

/* ------------------------------------------------------------------ the host's coroutines */

static const char held_key = 'h';   /* its address keys a weak set of held coroutines */

void sandbox_hold(sandbox *sb, lua_State *co)
{
	lua_State *L = sb->L;
	lua_rawgetp(L, LUA_REGISTRYINDEX, &held_key);
	lua_pushthread(co);
	lua_xmove(co, L, 1);
	lua_pushboolean(L, 1);
	lua_rawset(L, -3);
	lua_pop(L, 1);
}

static int is_held(lua_State *L, int idx)
{
	int held;
	if (lua_type(L, idx) != LUA_TTHREAD)
		return 0;
	lua_rawgetp(L, LUA_REGISTRYINDEX, &held_key);
	lua_pushvalue(L, idx);
	held = lua_rawget(L, -2) != LUA_TNIL;
	lua_pop(L, 2);
	return held;
}

/* coroutine.resume and coroutine.close (upvalue 1, named by upvalue 2), refusing the host's
 * coroutines: a hook parked on I/O that another call resumed would take forged results, and a
 * second wait there would orphan the first transfer. */
static int guarded_coroutine(lua_State *L)
{
	if (is_held(L, 1))
		return luaL_error(L, "coroutine.%s: this coroutine belongs to the host (it runs a "
		                  "hook, and the host resumes it when its I/O is done)",
		                  lua_tostring(L, lua_upvalueindex(2)));
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static void guard_coroutines(lua_State *L)
{
	static const char *const fns[] = { "resume", "close" };
	lua_newtable(L);                    /* the held set, weak: done hooks' threads go */
	lua_createtable(L, 0, 1);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &held_key);
	lua_getglobal(L, LUA_COLIBNAME);
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		lua_getfield(L, -1, fns[i]);
		lua_pushstring(L, fns[i]);
		lua_pushcclosure(L, guarded_coroutine, 2);
		lua_setfield(L, -2, fns[i]);
	}
	lua_pop(L, 1);
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
