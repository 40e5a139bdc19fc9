/*
 * config.c -- reading owed.conf (config.h).
 */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/schedule.h"
#include "runtime/config.h"

static const char *const top_keys[] = {
	"database", "limits", "plugin_path", "secrets_file", "outgoing", "plugins", "policies",
	"matchers", "schedule", NULL
};
static const char *const schedule_keys[] = { "run_at", "timezone", NULL };
static const char *const limit_keys[] = {
	"memory_mb", "hook_ms", "load_ms", "max_failures", NULL
};

const char *config_find(const char *given)
{
	const char *env = getenv("OWED_CONF");
	if (given && *given)
		return given;
	if (env && *env)
		return env;
	return access("owed.conf", F_OK) == 0 ? "owed.conf" : NULL;
}

static int known(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return 1;
	return 0;
}

static int unknown_keys(lua_State *L, int t, const char *const *keys, const char *where,
                        const char *file, owed_error *err)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING || !known(lua_tostring(L, -1), keys)) {
			svc_fail(err, OWED_EINPUT, "%s: unknown key '%s%s' (see docs/configuration.md)",
			         file, where, luaL_tolstring(L, -1, NULL));
			lua_pop(L, 2);
			return err->code;
		}
	}
	return 0;
}

static int get_string(lua_State *L, int t, const char *key, char *out, size_t size,
                      const char *file, owed_error *err)
{
	int type = lua_getfield(L, t, key);
	int rc = 0;
	if (type == LUA_TSTRING)
		snprintf(out, size, "%s", lua_tostring(L, -1));
	else if (type != LUA_TNIL)
		rc = svc_fail(err, OWED_EINPUT, "%s: key '%s': expected a string, got %s", file, key,
		              luaL_typename(L, -1));
	lua_pop(L, 1);
	return rc;
}

static int get_limit(lua_State *L, int t, const char *key, long max, int64_t *out,
                     const char *file, owed_error *err)
{
	int type = lua_getfield(L, t, key);
	int rc = 0;
	if (type != LUA_TNIL) {
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > max)
			rc = svc_fail(err, OWED_EINPUT, "%s: key 'limits.%s': expected a whole number "
			              "from 1 to %ld", file, key, max);
		else
			*out = lua_tointeger(L, -1);
	}
	lua_pop(L, 1);
	return rc;
}

static int read_limits(owed_config *c, int t, const char *file, owed_error *err)
{
	lua_State *L = c->L;
	int64_t mem = 0, hook = 0, load = 0, fails = 0;
	int rc;
	if (lua_getfield(L, t, "limits") == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return svc_fail(err, OWED_EINPUT, "%s: key 'limits': expected a table", file);
	}
	t = lua_gettop(L);
	if ((rc = unknown_keys(L, t, limit_keys, "limits.", file, err)) ||
	    (rc = get_limit(L, t, "memory_mb", 4096, &mem, file, err)) ||
	    (rc = get_limit(L, t, "hook_ms", 600000, &hook, file, err)) ||
	    (rc = get_limit(L, t, "load_ms", 600000, &load, file, err)) ||
	    (rc = get_limit(L, t, "max_failures", 1000, &fails, file, err))) {
		lua_pop(L, 1);
		return rc;
	}
	c->rt.mem_limit = (size_t)mem << 20;
	c->rt.hook_ms = hook;
	c->rt.load_ms = load;
	c->rt.max_failures = (int)fails;
	lua_pop(L, 1);
	return 0;
}

/* The runtime's path: the defaults with plugin_path's folders before the user's own. */
static int read_path(owed_config *c, int t, const char *file, owed_error *err)
{
	lua_State *L = c->L;
	const char *const *defaults = rt_default_path();
	int n = 0, d = 0, user;
	for (user = 0; defaults[user + 1]; user++)
		;                                       /* the last default is the user's folder */
	while (d < user && n < CONFIG_MAX_PATH)
		snprintf(c->path_dirs[n++], sizeof c->path_dirs[0], "%s", defaults[d++]);
	if (lua_getfield(L, t, "plugin_path") != LUA_TNIL) {
		if (!lua_istable(L, -1)) {
			lua_pop(L, 1);
			return svc_fail(err, OWED_EINPUT, "%s: key 'plugin_path': expected a list of "
			                "folders", file);
		}
		for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1); i++) {
			if (lua_rawgeti(L, -1, i) != LUA_TSTRING || n == CONFIG_MAX_PATH + 2) {
				lua_pop(L, 2);
				return svc_fail(err, OWED_EINPUT, "%s: key 'plugin_path': expected at most "
				                "%d folder names", file, CONFIG_MAX_PATH);
			}
			snprintf(c->path_dirs[n++], sizeof c->path_dirs[0], "%s", lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	snprintf(c->path_dirs[n++], sizeof c->path_dirs[0], "%s", defaults[user]);
	for (int i = 0; i < n; i++)
		c->path[i] = c->path_dirs[i];
	c->path[n] = NULL;
	c->rt.path = c->path;
	return 0;
}

/* matchers = { "my-matcher", "match-standard" }: asked in this order. */
static int read_matchers(owed_config *c, int t, const char *file, owed_error *err)
{
	lua_State *L = c->L;
	if (lua_getfield(L, t, "matchers") == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1) || lua_rawlen(L, -1) == 0) {
		lua_pop(L, 1);
		return svc_fail(err, OWED_EINPUT, "%s: key 'matchers': expected a list of matcher "
		                "plugin names", file);
	}
	for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1); i++) {
		if (lua_rawgeti(L, -1, i) != LUA_TSTRING || c->nmatchers == CONFIG_MAX_MATCHERS) {
			lua_pop(L, 2);
			return svc_fail(err, OWED_EINPUT, "%s: key 'matchers': expected at most %d plugin "
			                "names", file, CONFIG_MAX_MATCHERS);
		}
		snprintf(c->matcher_names[c->nmatchers], sizeof c->matcher_names[0], "%s",
		         lua_tostring(L, -1));
		c->matchers[c->nmatchers] = c->matcher_names[c->nmatchers];
		c->nmatchers++;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

static const char *const rule_keys[] = { "tag", "country", "kind", "policy", NULL };

/* policies = { { tag = "vip", country = "NL", kind = "business", policy = "nl-b2b" }, ... } */
static int read_rules(owed_config *c, int t, const char *file, owed_error *err)
{
	lua_State *L = c->L;
	int rc = 0;
	if (lua_getfield(L, t, "policies") == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1) || lua_rawlen(L, -1) > CONFIG_MAX_RULES) {
		lua_pop(L, 1);
		return svc_fail(err, OWED_EINPUT, "%s: key 'policies': expected a list of at most %d "
		                "rules { tag =, country =, kind =, policy = }", file, CONFIG_MAX_RULES);
	}
	for (lua_Integer i = 1; rc == 0 && i <= (lua_Integer)lua_rawlen(L, -1); i++) {
		svc_policy_rule *r = &c->rules[c->nrules];
		char where[32];
		int e;
		memset(r, 0, sizeof *r);
		lua_rawgeti(L, -1, i);
		e = lua_gettop(L);
		snprintf(where, sizeof where, "policies[%d].", (int)i);
		if (!lua_istable(L, e))
			rc = svc_fail(err, OWED_EINPUT, "%s: key 'policies[%d]': expected a table", file,
			              (int)i);
		else if ((rc = unknown_keys(L, e, rule_keys, where, file, err)) == 0 &&
		         (rc = get_string(L, e, "tag", r->tag, sizeof r->tag, file, err)) == 0 &&
		         (rc = get_string(L, e, "country", r->country, sizeof r->country, file,
		                          err)) == 0 &&
		         (rc = get_string(L, e, "kind", r->kind, sizeof r->kind, file, err)) == 0 &&
		         (rc = get_string(L, e, "policy", r->policy, sizeof r->policy, file, err)) == 0)
			if (!r->policy[0])
				rc = svc_fail(err, OWED_EINPUT, "%s: key 'policies[%d].policy' is required",
				              file, (int)i);
		lua_pop(L, 1);
		if (rc == 0)
			c->nrules++;
	}
	lua_pop(L, 1);
	return rc;
}

static int read_plugins(owed_config *c, int t, const char *file, owed_error *err)
{
	lua_State *L = c->L;
	int type = lua_getfield(L, t, "plugins");
	if (type == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (type != LUA_TTABLE) {
		lua_pop(L, 1);
		return svc_fail(err, OWED_EINPUT, "%s: key 'plugins': expected a table of plugin "
		                "names to settings", file);
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1)) {
			svc_fail(err, OWED_EINPUT, "%s: key 'plugins.%s': expected a table of settings",
			         file, luaL_tolstring(L, -2, NULL));
			lua_pop(L, 4);
			return err->code;
		}
		lua_pop(L, 1);
	}
	c->plugins = lua_gettop(L);     /* stays on the stack for config_plugin */
	return 0;
}

/* A time zone the system's database has: a relative path under $TZDIR (default
 * /usr/share/zoneinfo).  glibc takes an unknown name for UTC without a word, so it is looked
 * up here, where a typo can be named. */
static int zone_exists(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[1200];
	if (!*name || name[0] == '/' || strstr(name, "..") || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789/_+-") != strlen(name))
		return 0;
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	return access(path, R_OK) == 0;
}

/* schedule = { run_at = "06:30", timezone = "Europe/Amsterdam" }: the daily run of `owed
 * serve`; without run_at there is none. */
static int read_schedule(owed_config *c, int t, const char *file, owed_error *err)
{
	lua_State *L = c->L;
	char run_at[16] = "";
	int rc;
	snprintf(c->timezone, sizeof c->timezone, "Europe/Amsterdam");
	if (lua_getfield(L, t, "schedule") == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return svc_fail(err, OWED_EINPUT, "%s: key 'schedule': expected a table { run_at = "
		                "\"06:30\", timezone = \"Europe/Amsterdam\" }", file);
	}
	t = lua_gettop(L);
	if ((rc = unknown_keys(L, t, schedule_keys, "schedule.", file, err)) ||
	    (rc = get_string(L, t, "run_at", run_at, sizeof run_at, file, err)) ||
	    (rc = get_string(L, t, "timezone", c->timezone, sizeof c->timezone, file, err))) {
		lua_pop(L, 1);
		return rc;
	}
	lua_pop(L, 1);
	if (!run_at[0] || sched_parse_hhmm(run_at, &c->run_at) != 0)
		return svc_fail(err, OWED_EINPUT, "%s: key 'schedule.run_at': expected a local time "
		                "HH:MM, e.g. \"06:30\"", file);
	if (!zone_exists(c->timezone))
		return svc_fail(err, OWED_EINPUT, "%s: key 'schedule.timezone': '%s' is not a time "
		                "zone of the system's database (e.g. \"Europe/Amsterdam\")", file,
		                c->timezone);
	c->scheduled = 1;
	return 0;
}

/* A configuration is data: a million instructions is far more than any table needs, so
 * reaching them means a loop. */
static void too_long(lua_State *L, lua_Debug *ar)
{
	lua_getinfo(L, "Sl", ar);
	luaL_error(L, "%s:%d: the configuration runs too long (it must be a table, not a program)",
	           ar->short_src, ar->currentline);
}

/* Evaluates the file as data, in an empty environment, leaving its table on c->L's stack. */
static int evaluate(owed_config *c, const char *file, owed_error *err)
{
	if (!(c->L = luaL_newstate()))
		return svc_fail(err, OWED_ENOMEM, "%s: out of memory", file);
	if (luaL_loadfilex(c->L, file, "t") != LUA_OK)
		return svc_fail(err, OWED_EINPUT, "%s", lua_tostring(c->L, -1));
	lua_newtable(c->L);
	lua_setupvalue(c->L, -2, 1);
	lua_sethook(c->L, too_long, LUA_MASKCOUNT, 1000000);
	if (lua_pcall(c->L, 0, 1, 0) != LUA_OK)
		return svc_fail(err, OWED_EINPUT, "%s", lua_tostring(c->L, -1));
	lua_sethook(c->L, NULL, 0, 0);
	if (!lua_istable(c->L, -1))
		return svc_fail(err, OWED_EINPUT, "%s: expected the file to return a table, got %s",
		                file, luaL_typename(c->L, -1));
	return 0;
}

int config_load(const char *file, owed_config *c, owed_error *err)
{
	int rc, t;
	memset(c, 0, sizeof *c);
	if (!file) {
		c->rt.path = NULL;
		return 0;
	}
	snprintf(c->file, sizeof c->file, "%s", file);
	if (access(file, R_OK) != 0)
		return svc_fail(err, OWED_EIO, "%s: cannot read the configuration file", file);
	if ((rc = evaluate(c, file, err)) != 0) {
		config_free(c);
		return rc;
	}
	t = lua_gettop(c->L);
	if ((rc = unknown_keys(c->L, t, top_keys, "", file, err)) ||
	    (rc = get_string(c->L, t, "database", c->database, sizeof c->database, file, err)) ||
	    (rc = get_string(c->L, t, "secrets_file", c->secrets_file, sizeof c->secrets_file,
	                     file, err)) ||
	    (rc = get_string(c->L, t, "outgoing", c->outgoing, sizeof c->outgoing, file, err)) ||
	    (rc = read_limits(c, t, file, err)) || (rc = read_path(c, t, file, err)) ||
	    (rc = read_rules(c, t, file, err)) || (rc = read_matchers(c, t, file, err)) ||
	    (rc = read_schedule(c, t, file, err)) || (rc = read_plugins(c, t, file, err))) {
		config_free(c);
		return rc;
	}
	if (c->secrets_file[0])
		c->rt.secrets_file = c->secrets_file;
	if (c->outgoing[0])
		c->rt.outgoing = c->outgoing;
	return 0;
}

void config_free(owed_config *c)
{
	if (c->L)
		lua_close(c->L);
	c->L = NULL;
	c->plugins = 0;
}
