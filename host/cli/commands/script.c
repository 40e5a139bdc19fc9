/*
 * script.c -- `owed lua FILE` and `owed test [PATH...]`: Lua with the owed API outside the
 * plugin sandbox.
 *
 * A script is run by someone who already has a shell on this machine, so it gets the whole
 * standard library (io, os, package) and no network allow-list; what it does not get is a
 * way around the ledger's rules: it reads and writes the ledger only through owed.*, like a
 * plugin.  I/O calls block the script (the loop runs until they finish) instead of yielding.
 *
 * `owed test` is the same state with busted's runner and the owed.testing helpers, so plugin
 * specs exercise the real API against temporary ledgers and real local servers.
 */
#include <lauxlib.h>
#include <libgen.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands/commands.h"
#include "cli/commands/host.h"
#include "runtime/testing.h"

static void script_log(api_env *env, api_log_level level, const char *msg)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	(void)env;
	if (level == API_LOG_DEBUG && !getenv("OWED_DEBUG"))
		return;
	fprintf(stderr, "[script] %s: %s\n", names[level], msg);
}

static lua_State *trusted_state(cli_host *h, api_env *env)
{
	lua_State *L = luaL_newstate();
	if (!L)
		return NULL;
	luaL_openlibs(L);
	memset(env, 0, sizeof *env);
	env->plugin = "script";
	env->ledger = &h->ledger;
	env->net = rt_net(h->rt);
	env->loop = &h->loop;
	env->trusted = 1;
	env->log = script_log;
	api_open(L, env);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushlightuserdata(L, h->rt);
	lua_pushcclosure(L, testing_open, 1);
	lua_setfield(L, -2, "owed.testing");
	lua_pop(L, 1);
	/* the Lua modules shipped with the API (owed.dunning) */
	luaL_dostring(L, "package.path = '" OWED_SOURCE_DIR "/api/lua/?.lua;' .. package.path\n"
	                 "package.preload['owed.dunning'] = function() return require('dunning') end\n"
	                 "package.preload['owed.charges'] = function() return require('charges') end\n"
	                 "package.preload['owed.statement'] = function() return require('statement') end\n"
	                 "package.preload['owed.dunning.testing'] = function()"
	                 " return require('dunning_testing') end\n"
	                 "package.preload['owed.statement.testing'] = function()"
	                 " return require('statement_testing') end");
	return L;
}

static int traceback(lua_State *L)
{
	luaL_traceback(L, L, luaL_tolstring(L, 1, NULL), 1);
	return 1;
}

/* Runs the chunk on top with the traceback handler; prints a failure. */
static int run_chunk(lua_State *L)
{
	int base = lua_gettop(L);
	lua_pushcfunction(L, traceback);
	lua_insert(L, base);
	if (lua_pcall(L, 0, 0, base) != LUA_OK) {
		out_error("%s", lua_tostring(L, -1));
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

static void set_arg(lua_State *L, const char *arg0, const char *const *args, int n)
{
	lua_createtable(L, n, 1);
	lua_pushstring(L, arg0);
	lua_rawseti(L, -2, 0);
	for (int i = 0; i < n; i++) {
		lua_pushstring(L, args[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setglobal(L, "arg");
}

int cmd_lua(const cli_args *a)
{
	cli_host h;
	api_env env;
	lua_State *L;
	int rc;
	if ((rc = args_want_pos(a, 1, ARGS_MAX_POS)) || (rc = cli_host_open(a, 0, &h)))
		return rc;
	if (!(L = trusted_state(&h, &env))) {
		cli_host_close(&h);
		return EXIT_FAILURE_;
	}
	set_arg(L, a->pos[0], a->pos + 1, a->npos - 1);
	if (luaL_loadfilex(L, a->pos[0], "t") != LUA_OK) {
		out_error("%s", lua_tostring(L, -1));
		rc = EXIT_INPUT;
	} else
		rc = run_chunk(L);
	cli_host_close(&h);     /* first: the runtime holds references into L */
	lua_close(L);
	return rc;
}

static void quiet_report(const char *plugin, const char *hook, const char *subject,
                         const char *msg, void *ud)
{
	(void)plugin; (void)hook; (void)subject; (void)msg; (void)ud;
}

/* Spec folders under the plugins' folders make their plugins findable by owed.testing. */
static void add_plugin_dirs(const cli_args *a)
{
	char path[8192] = "", buf[1024];
	const char *old = getenv("OWED_PLUGIN_PATH");
	if (old)
		snprintf(path, sizeof path, "%s", old);
	for (int i = 0; i < a->npos; i++) {
		char *d;
		snprintf(buf, sizeof buf, "%s", a->pos[i]);
		d = dirname(dirname(buf));        /* plugins/<name>/spec -> plugins */
		if (strlen(path) + strlen(d) + 2 < sizeof path)
			snprintf(path + strlen(path), sizeof path - strlen(path), "%s%s",
			         path[0] ? ":" : "", d);
	}
	setenv("OWED_PLUGIN_PATH", path, 1);
}

int cmd_test(const cli_args *a)
{
	const char *paths[ARGS_MAX_POS + 64];
	int n = 0, rc;
	char specs[64][1100];
	struct stat st;
	cli_host h;
	api_env env;
	lua_State *L;

	add_plugin_dirs(a);
	if ((rc = cli_host_open(a, 0, &h)))
		return rc;
	for (int i = 0; i < a->npos; i++)
		paths[n++] = a->pos[i];
	/* no paths: every plugin's spec folder on the search path */
	for (size_t i = 0; a->npos == 0 && i < rt_count(h.rt) && n < 64; i++) {
		snprintf(specs[n], sizeof specs[n], "%s/spec", rt_info_at(h.rt, i)->folder);
		if (stat(specs[n], &st) == 0)
			paths[n] = specs[n], n++;
	}
	if (n == 0) {
		printf("no specs found\n");
		cli_host_close(&h);
		return EXIT_OK;
	}
	if (!(L = trusted_state(&h, &env))) {
		cli_host_close(&h);
		return EXIT_FAILURE_;
	}
	set_arg(L, "busted", paths, n);
	/* a failing hook raises in the spec through p:call; printing its report too is noise */
	rt_on_report(h.rt, quiet_report, NULL);
	/* busted ends the process with os.exit(status) when its run is over */
	luaL_loadstring(L, "require('busted.runner')({ standalone = false })");
	rc = run_chunk(L);
	cli_host_close(&h);
	lua_close(L);
	return rc;
}
