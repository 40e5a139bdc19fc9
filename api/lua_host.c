/*
 * lua_host.c -- owed.log, owed.secret and owed.store: what the host keeps for a plugin.
 */
#include <errno.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"

/* ------------------------------------------------------------------ owed.log */

/* log.info(fmt, ...) formats like string.format when given more than one argument. */
static int log_at(lua_State *L, api_log_level level)
{
	api_env *env = api_env_of(L);
	if (lua_gettop(L) > 1) {
		lua_getglobal(L, "string");
		lua_getfield(L, -1, "format");
		lua_insert(L, 1);
		lua_pop(L, 1);
		lua_call(L, lua_gettop(L) - 1, 1);
	}
	env->log(env, level, luaL_tolstring(L, 1, NULL));
	return 0;
}

static int log_debug(lua_State *L) { return log_at(L, API_LOG_DEBUG); }
static int log_info(lua_State *L)  { return log_at(L, API_LOG_INFO); }
static int log_warn(lua_State *L)  { return log_at(L, API_LOG_WARN); }
static int log_error(lua_State *L) { return log_at(L, API_LOG_ERROR); }

int api_open_log(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "debug", log_debug }, { "info", log_info }, { "warn", log_warn },
		{ "error", log_error }, { NULL, NULL }
	};
	luaL_newlib(L, fns);
	return 1;
}

/* ------------------------------------------------------------------ owed.secret */

static int declared(const api_env *env, const char *name)
{
	for (size_t i = 0; i < env->nsecrets; i++)
		if (strcmp(env->secrets[i], name) == 0)
			return 1;
	return 0;
}

/* NAME=value lines; the file must be private to its owner, or it is not read at all. */
static int secret_from_file(lua_State *L, const char *file, const char *name)
{
	struct stat st;
	char line[4096];
	size_t n = strlen(name);
	FILE *f;
	if (!file || stat(file, &st) != 0)
		return 0;
	if (st.st_mode & 077)
		return luaL_error(L, "owed.secret: %s can be read by others (mode %o); run "
		                  "'chmod 600 %s'", file, (unsigned)(st.st_mode & 0777), file);
	if (!(f = fopen(file, "r")))
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, name, n) == 0 && line[n] == '=') {
			line[strcspn(line, "\r\n")] = '\0';
			lua_pushstring(L, line + n + 1);
			fclose(f);
			return 1;
		}
	fclose(f);
	return 0;
}

/* owed.secret(NAME): a secret the manifest declares, from OWED_SECRET_NAME or the secrets file.
 * The value is never logged by the host. */
static int secret_get(lua_State *L)
{
	api_env *env = api_env_of(L);
	const char *name = luaL_checkstring(L, 1);
	char var[256];
	const char *v;
	if (!env->trusted && !declared(env, name))
		return luaL_error(L, "owed.secret: '%s' is not declared in the manifest of plugin %s "
		                  "(needs.secrets)", name, env->plugin);
	snprintf(var, sizeof var, "OWED_SECRET_%s", name);
	if ((v = getenv(var)) && *v) {
		lua_pushstring(L, v);
		return 1;
	}
	if (secret_from_file(L, env->secrets_file, name))
		return 1;
	return luaL_error(L, "owed.secret: %s is not set (set %s, or add %s=... to %s)", name, var,
	                  name, env->secrets_file ? env->secrets_file : "the secrets file");
}

int api_open_secret(lua_State *L)
{
	lua_pushcfunction(L, secret_get);
	return 1;
}

/* ------------------------------------------------------------------ owed.store */

/* The runtime hands every plugin its session's owed_ctx; without a database its store is
 * NULL, which is "no ledger" as much as a NULL ctx is. */
static owed_ctx *need_ledger(lua_State *L, const char *fn)
{
	api_env *env = api_env_of(L);
	if (!env->ledger || !env->ledger->st)
		luaL_error(L, "%s: no ledger is open", fn);
	return env->ledger;
}

/* Calls owed.json.<fn> on the value at the top, replacing it with the result. */
static void json_call(lua_State *L, const char *fn)
{
	lua_getglobal(L, "owed");
	lua_getfield(L, -1, "json");
	lua_getfield(L, -1, fn);
	lua_rotate(L, -4, -1);          /* value, owed, json, fn -> owed, json, fn, value */
	lua_call(L, 1, 1);
	lua_rotate(L, -3, 1);
	lua_pop(L, 2);
}

static int store_get(lua_State *L)
{
	owed_ctx *ctx = need_ledger(L, "owed.store.get");
	const char *key = luaL_checkstring(L, 1);
	owed_error err = { 0 };
	char *value;
	int rc = svc_kv_get(ctx, api_env_of(L)->plugin, key, &value, &err);
	if (rc == OWED_ENOTFOUND) {
		lua_pushnil(L);
		return 1;
	}
	if (rc)
		return luaL_error(L, "%s", err.msg);
	lua_pushstring(L, value);
	free(value);
	json_call(L, "decode");
	return 1;
}

static int store_set(lua_State *L)
{
	owed_ctx *ctx = need_ledger(L, "owed.store.set");
	const char *key = luaL_checkstring(L, 1);
	owed_error err = { 0 };
	const char *text = NULL;
	lua_settop(L, 2);
	if (!lua_isnil(L, 2)) {
		json_call(L, "encode");
		text = lua_tostring(L, -1);
	}
	if (svc_kv_set(ctx, api_env_of(L)->plugin, key, text, &err) != 0)
		return luaL_error(L, "%s", err.msg);
	return 0;
}

static int add_key(const char *key, void *ud)
{
	lua_State *L = ud;
	lua_pushstring(L, key);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

static int store_keys(lua_State *L)
{
	owed_ctx *ctx = need_ledger(L, "owed.store.keys");
	const char *prefix = luaL_optstring(L, 1, "");
	owed_error err = { 0 };
	lua_newtable(L);
	if (svc_kv_keys(ctx, api_env_of(L)->plugin, prefix, add_key, L, &err) != 0)
		return luaL_error(L, "%s", err.msg);
	return 1;
}

int api_open_store(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "get", store_get }, { "set", store_set }, { "keys", store_keys }, { NULL, NULL }
	};
	luaL_newlib(L, fns);
	return 1;
}

/* ------------------------------------------------------------------ owed.resource */

/* owed.resource(name): a file of the plugin's own folder (templates, rate tables), read-only.
 * Names are relative and may not climb out of the folder. */
static int resource_read(lua_State *L)
{
	api_env *env = api_env_of(L);
	const char *name = luaL_checkstring(L, 1);
	char path[2048];
	luaL_Buffer b;
	FILE *f;
	size_t n;
	if (!env->folder)
		return luaL_error(L, "owed.resource: only plugins have resources");
	if (name[0] == '/' || strstr(name, "..") || !*name)
		return luaL_error(L, "owed.resource: '%s' is not a file name inside the plugin", name);
	snprintf(path, sizeof path, "%s/%s", env->folder, name);
	if (!(f = fopen(path, "rb")))
		return luaL_error(L, "owed.resource: plugin %s has no file '%s'", env->plugin, name);
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

int api_open_resource(lua_State *L)
{
	lua_pushcfunction(L, resource_read);
	return 1;
}

/* ------------------------------------------------------------------ owed.files */

static int make_dirs(char *path)
{
	for (char *s = path + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(path, 0755) != 0 && errno != EEXIST) {
				*s = '/';
				return -1;
			}
			*s = '/';
		}
	return 0;
}

/* owed.files.write(name, data) -> path: a file below <outgoing>/<plugin>/, written whole or
 * not at all (a temporary file renamed into place), so a reader never sees half a letter. */
static int files_write(lua_State *L)
{
	api_env *env = api_env_of(L);
	const char *name = luaL_checkstring(L, 1);
	size_t len;
	const char *data = luaL_checklstring(L, 2, &len);
	char path[2048], tmp[2100];
	FILE *f;
	int ok;
	if (!env->outgoing)
		return luaL_error(L, "owed.files.write: no outgoing folder here");
	if (name[0] == '/' || strstr(name, "..") || !*name)
		return luaL_error(L, "owed.files.write: '%s' is not a file name inside the outgoing "
		                  "folder", name);
	snprintf(path, sizeof path, "%s/%s/%s", env->outgoing, env->plugin, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (make_dirs(path) != 0 || !(f = fopen(tmp, "wb")))
		return luaL_error(L, "owed.files.write: cannot write %s: %s", path, strerror(errno));
	ok = fwrite(data, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		remove(tmp);
		return luaL_error(L, "owed.files.write: cannot write %s", path);
	}
	lua_pushstring(L, path);
	return 1;
}

int api_open_files(lua_State *L)
{
	static const luaL_Reg fns[] = { { "write", files_write }, { NULL, NULL } };
	luaL_newlib(L, fns);
	return 1;
}
