/*
 * sandbox.h -- one Lua state fenced in: an allow-listed environment, a memory budget and a
 * running-time budget.  The runtime makes one per plugin (runtime.h explains the limits).
 */
#ifndef OWED_SANDBOX_H
#define OWED_SANDBOX_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sandbox {
	lua_State *L;
	size_t mem_used, mem_peak, mem_limit;
	int enforcing;          /* the memory limit holds only while plugin code runs */
	uint64_t deadline_ns;   /* uv_hrtime() past which the plugin is stopped; 0: none */
	int64_t budget_ms;      /* what the deadline was armed with, for the message */
	int stopped;            /* the deadline passed during this call */
} sandbox;

/* Creates the state with the allowed libraries: base (without dofile, loadfile,
 * collectgarbage; load is text-only; setmetatable refuses __gc; xpcall skips its handler once
 * the call is stopped), string (without dump), table, math, utf8, coroutine (resume and close
 * refuse the host's coroutines; close and wrap leave a coroutine that died of a stop
 * unclosed), and os with clock, time and date only.  No io, debug or package.  Globals are
 * not locked yet: the runtime adds `owed`, print and require first, then calls
 * sandbox_lock(). */
int sandbox_open(sandbox *sb, size_t mem_limit);
void sandbox_close(sandbox *sb);
/* Makes reading or assigning an undeclared global an error. */
void sandbox_lock(sandbox *sb);

/* Around plugin code: enter arms the memory limit and a deadline budget_ns from now (on co and
 * any coroutine it makes); leave disarms both and returns the nanoseconds that were left
 * (0 if none).  Host-side bookkeeping between them runs unlimited, so it can never be the
 * allocation that fails. */
void sandbox_enter(sandbox *sb, lua_State *co, int64_t budget_ns);
int64_t sandbox_leave(sandbox *sb);

/* Marks co as the host's own coroutine (a hook call's): plugin code cannot resume or close it,
 * since only the host may resume a hook that waits on I/O, with the transfer's result. */
void sandbox_hold(sandbox *sb, lua_State *co);

/* Replaces string.find, match, gmatch and gsub with pattern.c's budgeted matcher, which stops
 * at the sandbox's deadline like the count hook (Lua's own runs in C, out of the hook's reach). */
void pattern_install(lua_State *L);

/* The sandbox a state (or any of its coroutines) belongs to, or NULL for an unsandboxed one. */
sandbox *sandbox_of(lua_State *L);

#endif
