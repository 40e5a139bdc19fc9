/*
 * api_open.c -- assembling the `owed` table a plugin sees, and finding the env a state was
 * opened with.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"

static const char env_key = 'e';     /* its address keys the env in the registry */

typedef struct api_module { const char *name; lua_CFunction open; } api_module;

static const api_module modules[] = {
	{ "money", api_open_money }, { "date", api_open_date }, { "json", api_open_json },
	{ "xml", api_open_xml }, { "template", api_open_template }, { "http", api_open_http },
	{ "mail", api_open_mail }, { "ledger", api_open_ledger }, { "store", api_open_store },
	{ "log", api_open_log }, { "secret", api_open_secret }, { "resource", api_open_resource },
	{ "files", api_open_files }, { "crypto", api_open_crypto }, { "webhook", api_open_webhook },
	{ "pdf", api_open_pdf }, { NULL, NULL }
};

void api_open(lua_State *L, api_env *env)
{
	lua_pushlightuserdata(L, env);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &env_key);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_newtable(L);
	for (const api_module *m = modules; m->name; m++) {
		lua_pushcfunction(L, m->open);
		lua_call(L, 0, 1);
		/* registered as "owed.x", so error messages and tracebacks name functions fully */
		lua_pushfstring(L, "owed.%s", m->name);
		lua_pushvalue(L, -2);
		lua_settable(L, -5);
		lua_setfield(L, -2, m->name);
	}
	lua_pushliteral(L, OWED_VERSION);
	lua_setfield(L, -2, "version");
	lua_pushinteger(L, API_VERSION);
	lua_setfield(L, -2, "api_version");
	lua_setglobal(L, "owed");
	lua_pop(L, 1);
}

api_env *api_env_of(lua_State *L)
{
	api_env *env;
	lua_rawgetp(L, LUA_REGISTRYINDEX, &env_key);
	env = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return env;
}

/* ------------------------------------------------------------------ fields */

void api_set_string(lua_State *L, const char *key, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, key);
}

void api_set_date(lua_State *L, const char *key, int32_t d)
{
	char buf[16];
	if (!d)
		return;
	date_format_iso(d, buf, sizeof buf);
	api_set_string(L, key, buf);
}

void api_set_money(lua_State *L, const char *key, int64_t minor, const char *currency)
{
	api_push_money(L, minor, currency);
	lua_setfield(L, -2, key);
}

void api_as_plugin_enter(lua_State *L, owed_ctx *ctx, api_as_plugin *saved)
{
	memcpy(saved->locale, ctx->locale, sizeof saved->locale);
	memcpy(saved->actor, ctx->actor, sizeof saved->actor);
	snprintf(ctx->locale, sizeof ctx->locale, "C");
	snprintf(ctx->actor, sizeof ctx->actor, "plugin:%s", api_env_of(L)->plugin);
}

void api_as_plugin_leave(owed_ctx *ctx, const api_as_plugin *saved)
{
	memcpy(ctx->locale, saved->locale, sizeof saved->locale);
	memcpy(ctx->actor, saved->actor, sizeof saved->actor);
}

/* ------------------------------------------------------------------ names in errors */

/*
 * Pushes the name of the running C function as plugins write it, "owed.ledger.charge", found
 * among the modules registered in package.loaded as lauxlib finds names for tracebacks; the
 * bare name from the call site when it is not there. 
 */
const char *api_fname(lua_State *L)
{
	lua_Debug ar;
	int top = lua_gettop(L);

	if (!lua_getstack(L, 0, &ar) || !lua_getinfo(L, "nf", &ar))
		return lua_pushliteral(L, "?");
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_pushnil(L);
	while (lua_next(L, top + 2)) {
		if (lua_type(L, top + 3) == LUA_TSTRING && lua_istable(L, top + 4)
		    && strncmp(lua_tostring(L, top + 3), "owed.", 5) == 0) {
			lua_pushnil(L);
			while (lua_next(L, top + 4)) {
				if (lua_type(L, top + 5) == LUA_TSTRING
				    && lua_rawequal(L, top + 6, top + 1)) {
					lua_pushfstring(L, "%s.%s", lua_tostring(L, top + 3),
					                lua_tostring(L, top + 5));
					lua_replace(L, top + 1);
					lua_settop(L, top + 1);
					return lua_tostring(L, -1);
				}
				lua_pop(L, 1);
			}
		}
		lua_pop(L, 1);
	}
	lua_settop(L, top);
	return lua_pushstring(L, ar.name != NULL ? ar.name : "?");
}

/* ------------------------------------------------------------------ read-only tables */

static int frozen_newindex(lua_State *L)
{
	return luaL_error(L, "the owed API is read-only (cannot set '%s')",
	                  luaL_tolstring(L, 2, NULL));
}

static int frozen_pairs(lua_State *L)
{
	lua_getglobal(L, "next");
	lua_getmetatable(L, 1);
	lua_getfield(L, -1, "__index");
	lua_remove(L, -2);
	lua_pushnil(L);
	return 3;
}

/* Replaces the table at idx by an empty proxy that reads through to it and refuses writes. */
static void freeze(lua_State *L, int depth)
{
	int real = lua_gettop(L);
	if (depth < 1) {
		lua_pushnil(L);
		while (lua_next(L, real)) {
			int plain = lua_istable(L, -1) && !lua_getmetatable(L, -1);
			if (!plain) {               /* not a table, or one with its own metatable */
				lua_settop(L, real + 1);
				continue;
			}
			freeze(L, depth + 1);       /* value -> proxy */
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_rawset(L, real);        /* replacing an existing key keeps next() valid */
		}
	}
	lua_newtable(L);
	lua_createtable(L, 0, 4);
	lua_pushvalue(L, real);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, frozen_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, frozen_pairs);
	lua_setfield(L, -2, "__pairs");
	lua_pushliteral(L, "owed");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_remove(L, real);
}

void api_freeze(lua_State *L)
{
	lua_getglobal(L, "owed");
	freeze(L, 0);
	lua_setglobal(L, "owed");
}
