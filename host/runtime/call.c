/*
 * call.c -- hook calls.  Each call runs the hook in a coroutine of the plugin's state, so an
 * owed.* function that waits on I/O yields it, and the loop resumes it when the transfer is
 * done: plugin code is straight-line, the host never blocks.  The running-time budget is
 * spent only while the coroutine runs; waiting does not count.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "runtime/internal.h"

static rt_call_rec *call_of(rt_version *v, lua_State *co)
{
	for (rt_call_rec *c = v->calls; c; c = c->next)
		if (c->co == co)
			return c;
	return NULL;
}

static void detach(rt_call_rec *c)
{
	rt_call_rec **pp;
	for (pp = &c->v->calls; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			return;
		}
}

/* Hands the outcome to the caller and lets the coroutine go.  On failure the message is on
 * top of the plugin's main state, and is popped here before the version is released: the
 * last call of a retiring version closes that state. */
static void finish(rt_call_rec *c, int status, int nres)
{
	rt_version *v = c->v;
	rt_plugin *p = v->p;
	lua_State *L = v->sb.L;
	const char *msg = status != 0 ? lua_tostring(L, -1) : NULL;

	detach(c);
	c->finished = 1;
	if (status != 0) {
		rt_report(p->r, p->info.name, c->hook, c->subject, msg);
		rt_plugin_failed(p, msg);
	} else
		rt_plugin_succeeded(p);
	if (c->done)
		c->done(p, status, c->co, nres, msg, c->dud);
	if (status != 0)
		lua_pop(L, 1);
	luaL_unref(L, LUA_REGISTRYINDEX, c->co_ref);
	free(c);
	version_release(v);
}

/* Runs the coroutine until it finishes, fails, or waits on I/O. */
static void step(rt_call_rec *c, int nargs)
{
	rt_version *v = c->v;
	lua_State *L = v->sb.L;
	int nres = 0, status, stopped;

	/* A budget spent before a wait (inside a long call into C, where the hook cannot stop
	 * it) leaves nothing, which must not read as "no deadline": arm one already due.  The
	 * message names the call's whole budget, not what was left of it. */
	sandbox_enter(&v->sb, c->co, c->budget_left_ns > 0 ? c->budget_left_ns : 1);
	v->sb.budget_ms = v->p->r->opt.hook_ms;
	status = lua_resume(c->co, NULL, nargs, &nres);
	c->budget_left_ns = sandbox_leave(&v->sb);
	stopped = v->sb.stopped;

	if (status == LUA_YIELD && (c->waiting_on || c->working))
		return;
	if (status == LUA_OK) {
		finish(c, 0, nres);
		return;
	}
	if (status == LUA_YIELD) {
		lua_pop(c->co, nres);
		lua_pushstring(c->co, "the hook yielded outside an owed.* call (coroutine.yield "
		                      "is only for coroutines the plugin creates itself)");
	} else if (stopped && !strstr(lua_tostring(c->co, -1) ? lua_tostring(c->co, -1) : "",
	                              "time budget")) {
		/* the plugin caught the stop and raised something else: say what really happened */
		lua_pushfstring(c->co, "stopped: the plugin ran longer than its time budget (%d ms)",
		                (int)v->sb.budget_ms);
	}
	{
		char head[300];
		const char *m = lua_tostring(c->co, -1);
		snprintf(head, sizeof head, "plugin %s, hook %s%s%s%s: ", v->p->info.name, c->hook,
		         c->subject[0] ? " (" : "", c->subject, c->subject[0] ? ")" : "");
		lua_pushstring(L, head);
		luaL_traceback(L, c->co, m ? m : "(error object is not a string)", 0);
		lua_concat(L, 2);
		finish(c, status == LUA_ERRMEM ? OWED_ENOMEM : OWED_EREFUSED, 0);
	}
}

/* ------------------------------------------------------------------ waiting on I/O */

/* Only a hook's own coroutine may wait, and only where it can yield: inside a callback from
 * C (a table.sort comparator, a string.gsub function) the yield would fail after the
 * transfer had started, leaving it to complete onto a coroutine that is gone. */
static int call_io_begin(api_env *env, lua_State *L, net_transfer *t)
{
	rt_call_rec *c = call_of(env->rt, L);
	if (!c || !lua_isyieldable(L))
		return API_IO_REFUSE;
	c->waiting_on = t;
	return API_IO_YIELD;
}

static void call_io_end(api_env *env, lua_State *L, net_transfer *t, int nargs)
{
	rt_call_rec *c = call_of(env->rt, L);
	(void)t;
	if (!c)
		return;
	c->waiting_on = NULL;
	step(c, nargs);
}

/* Work in the thread pool: a hook's coroutine yields while it is done; anything else that
 * cannot yield does it in place, since such work never needs the loop to finish. */
static int call_work_begin(api_env *env, lua_State *L)
{
	rt_call_rec *c = call_of(env->rt, L);
	if (!c || !lua_isyieldable(L))
		return API_IO_BLOCK;
	c->working = 1;
	return API_IO_YIELD;
}

/* Not finding the call is only a safeguard: unloading a plugin closes its state, and the
 * binding frees the job it leaves behind without coming here. */
static void call_work_end(api_env *env, lua_State *L)
{
	rt_call_rec *c = call_of(env->rt, L);
	if (!c)
		return;
	c->working = 0;
	step(c, 0);
}

void call_env_hooks(api_env *env)
{
	env->io_begin = call_io_begin;
	env->io_end = call_io_end;
	env->work_begin = call_work_begin;
	env->work_end = call_work_end;
}

void call_abandon_all(rt_version *v, const char *why)
{
	lua_State *L = v->sb.L;
	rt_call_rec *c;
	while ((c = v->calls)) {
		v->calls = c->next;
		/* Notified, the binding that started the transfer frees what it kept for it; the
		 * call is already off the list, so io_end will not resume it. */
		if (c->waiting_on)
			net_cancel(c->waiting_on, 1);
		if (c->done)
			c->done(v->p, OWED_EREFUSED, c->co, 0, why, c->dud);
		luaL_unref(L, LUA_REGISTRYINDEX, c->co_ref);
		free(c);
		v->active--;
	}
}

/* ------------------------------------------------------------------ calling */

int rt_has_hook(rt_plugin *p, const char *hook)
{
	lua_State *L;
	int t;
	if (!p->current)
		return 0;
	L = p->current->sb.L;
	lua_rawgeti(L, LUA_REGISTRYINDEX, p->current->hooks_ref);
	t = lua_getfield(L, -1, hook);
	lua_pop(L, 2);
	return t == LUA_TFUNCTION;
}

int rt_call(rt_plugin *p, const char *hook, const char *subject, rt_push_fn push, void *pud,
            rt_done_fn done, void *dud)
{
	rt_version *v = p->current;
	rt_call_rec *c;
	lua_State *L;
	int nargs = 0;

	if (!v || p->info.state != RT_LOADED)
		return OWED_EREFUSED;
	if (!rt_has_hook(p, hook))
		return OWED_ENOTFOUND;
	if (!(c = calloc(1, sizeof *c)))
		return OWED_ENOMEM;
	L = v->sb.L;
	c->v = v;
	snprintf(c->hook, sizeof c->hook, "%s", hook);
	snprintf(c->subject, sizeof c->subject, "%s", subject ? subject : "");
	c->done = done;
	c->dud = dud;
	c->budget_left_ns = p->r->opt.hook_ms * 1000000;
	c->co = lua_newthread(L);
	c->co_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	sandbox_hold(&v->sb, c->co);
	lua_rawgeti(c->co, LUA_REGISTRYINDEX, v->hooks_ref);
	lua_getfield(c->co, -1, hook);
	lua_remove(c->co, -2);
	if (push)
		nargs = push(c->co, pud);
	c->next = v->calls;
	v->calls = c;
	v->active++;
	step(c, nargs);
	return 0;
}

typedef struct sync_call {
	rt_done_fn done;
	void *dud;
	int finished, status;
} sync_call;

static void sync_done(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                      void *ud)
{
	sync_call *s = ud;
	s->finished = 1;
	s->status = status;
	if (s->done)
		s->done(p, status, co, nres, msg, s->dud);
}

int rt_call_sync(rt_plugin *p, const char *hook, const char *subject, rt_push_fn push,
                 void *pud, rt_done_fn done, void *dud)
{
	sync_call s = { done, dud, 0, 0 };
	int rc = rt_call(p, hook, subject, push, pud, sync_done, &s);
	if (rc != 0)
		return rc;
	while (!s.finished)
		if (uv_run(p->r->loop, UV_RUN_ONCE) == 0 && !s.finished)
			return OWED_EIO;        /* nothing left that could finish it */
	return s.status;
}
