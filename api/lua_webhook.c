/*
 * lua_webhook.c -- owed.webhook: acting on a partner's event once (services/webhook.h).
 *
 * once(event_id, fn) runs fn in the transaction that records the event id.  fn is called from
 * C without a continuation, so it cannot yield: an owed.* call that would wait on the network
 * raises instead, and no other request can write into the transaction while it is open.
 */
#include <lauxlib.h>
#include <stdio.h>

#include "api/api.h"
#include "services/webhook.h"

typedef struct once_call {
	lua_State *L;
	int nres;               /* fn's results, left on the stack */
	int failed;             /* fn raised: its error object is on top */
} once_call;

static int run_fn(void *ud, owed_error *err)
{
	once_call *c = ud;
	int base = lua_gettop(c->L);
	lua_pushvalue(c->L, 2);
	if (lua_pcall(c->L, 0, LUA_MULTRET, 0) != LUA_OK) {
		c->failed = 1;
		err->code = OWED_EREFUSED;
		snprintf(err->msg, sizeof err->msg, "the event's function failed");
		return err->code;
	}
	c->nres = lua_gettop(c->L) - base;
	return 0;
}

/* once(event_id, fn) -> true, fn's results | false (the event was acted on before) */
static int l_once(lua_State *L)
{
	api_env *env = api_env_of(L);
	const char *event_id = luaL_checkstring(L, 1);
	once_call c = { L, 0, 0 };
	owed_error err = { 0 };
	api_as_plugin saved;
	int rc;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_settop(L, 2);
	if (!env->ledger || !env->ledger->st)
		return luaL_error(L, "owed.webhook.once: no ledger is open");
	api_as_plugin_enter(L, env->ledger, &saved);
	rc = svc_webhook_once(env->ledger, env->plugin, event_id, run_fn, &c, &err);
	api_as_plugin_leave(env->ledger, &saved);
	if (c.failed)
		return lua_error(L);        /* fn's own error, everything it did undone */
	if (rc == OWED_EEXIST) {
		lua_pushboolean(L, 0);
		return 1;
	}
	if (rc != 0)
		return luaL_error(L, "owed.webhook.once: %s", err.msg);
	lua_pushboolean(L, 1);
	lua_insert(L, 3);
	return 1 + c.nres;
}

int api_open_webhook(lua_State *L)
{
	static const luaL_Reg fns[] = { { "once", l_once }, { NULL, NULL } };
	luaL_newlib(L, fns);
	return 1;
}
