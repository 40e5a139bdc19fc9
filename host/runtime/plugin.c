/*
 * plugin.c -- a version of a plugin: its sandbox, its `owed` table, its configuration and the
 * hooks its init.lua returned.  Loading, unloading and reloading one plugin touch no other.
 */
#include <curl/curl.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "runtime/internal.h"

/* ------------------------------------------------------------------ print and require */

static int plugin_print(lua_State *L)
{
	api_env *env = api_env_of(L);
	luaL_Buffer b;
	int n = lua_gettop(L);
	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	env->log(env, API_LOG_INFO, lua_tostring(L, -1));
	return 0;
}

static int valid_module_name(const char *s)
{
	if (!*s || *s == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

/* require(name): "owed" and "owed.x" give the API; anything else is a file of the plugin's
 * own folder (dots are folder separators), loaded as text with the plugin's globals. */
static int plugin_require(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	const char *folder = lua_tostring(L, lua_upvalueindex(1));
	char path[1024], chunkname[1100];
	const char *key = name;         /* the cache key: "util" and "owed.util" differ */
	luaL_Buffer b;

	if (strcmp(name, "owed") == 0 || strncmp(name, "owed.", 5) == 0) {
		lua_getglobal(L, "owed");
		if (name[4] == '.')
			lua_getfield(L, -1, name + 5);
		if (!lua_isnil(L, -1))
			return 1;
		/* owed.dunning and friends: Lua modules shipped with the API, in api/lua/ */
		folder = OWED_SOURCE_DIR "/api/lua";
		name += 5;
		if (!valid_module_name(name) || strchr(name, '.'))
			return luaL_error(L, "require: no module 'owed.%s' in the owed API", name);
	}
	if (!valid_module_name(name))
		return luaL_error(L, "require: '%s' is not a module name (letters, digits, _ and .)",
		                  name);
	lua_getfield(L, LUA_REGISTRYINDEX, "owed.modules");
	if (lua_getfield(L, -1, key) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	luaL_buffinit(L, &b);
	for (const char *s = name; *s; s++)
		luaL_addchar(&b, *s == '.' ? '/' : *s);
	luaL_pushresult(&b);
	snprintf(path, sizeof path, "%s/%s.lua", folder, lua_tostring(L, -1));
	snprintf(chunkname, sizeof chunkname, "@%s", path);
	lua_pop(L, 1);
	{
		FILE *f = fopen(path, "rb");
		luaL_Buffer fb;
		size_t n;
		if (!f)
			return luaL_error(L, "require: no module '%s' in the plugin (looked for %s)",
			                  name, path);
		luaL_buffinit(L, &fb);
		do {
			char *p = luaL_prepbuffer(&fb);
			n = fread(p, 1, LUAL_BUFFERSIZE, f);
			luaL_addsize(&fb, n);
		} while (n == LUAL_BUFFERSIZE);
		fclose(f);
		luaL_pushresult(&fb);
	}
	{
		size_t len;
		const char *text = lua_tolstring(L, -1, &len);
		if (luaL_loadbufferx(L, text, len, chunkname, "t") != LUA_OK)
			return lua_error(L);
	}
	lua_call(L, 0, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, -4, key);
	return 1;
}

/* ------------------------------------------------------------------ logging */

static void plugin_log(api_env *env, api_log_level level, const char *msg)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	if (level == API_LOG_DEBUG && !getenv("OWED_DEBUG"))
		return;
	fprintf(stderr, "[%s] %s: %s\n", env->plugin, names[level], msg);
}

/* ------------------------------------------------------------------ opening a version */

/* init.lua must exist; it is then loaded through require, like the plugin's other modules. */
static int have_init(const char *folder, char *err, size_t errsize)
{
	char path[1024];
	FILE *f;
	snprintf(path, sizeof path, "%s/init.lua", folder);
	if (!(f = fopen(path, "rb"))) {
		snprintf(err, errsize, "%s: cannot read the plugin's code", path);
		return OWED_EIO;
	}
	fclose(f);
	return 0;
}

/* Runs init.lua under the load budget and keeps the table of hooks it returns. */
static int run_init(rt_version *v, const char *folder, char *err, size_t errsize)
{
	lua_State *L = v->sb.L;
	int status;

	if (have_init(folder, err, errsize) != 0)
		return OWED_EIO;
	lua_getglobal(L, "require");
	lua_pushliteral(L, "init");
	sandbox_enter(&v->sb, L, v->p->r->opt.load_ms * 1000000);
	status = lua_pcall(L, 1, 1, 0);
	sandbox_leave(&v->sb);
	if (status != LUA_OK) {
		snprintf(err, errsize, "plugin %s: loading init.lua failed: %s", v->p->info.name,
		         lua_tostring(L, -1));
		lua_pop(L, 1);
		return OWED_EINPUT;
	}
	if (!lua_istable(L, -1)) {
		snprintf(err, errsize, "plugin %s: init.lua must return a table of hooks, got %s",
		         v->p->info.name, luaL_typename(L, -1));
		lua_pop(L, 1);
		return OWED_EINPUT;
	}
	v->hooks_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

static void setup_env(rt_version *v)
{
	rt_plugin *p = v->p;
	rt *r = p->r;
	size_t n;
	v->env.plugin = p->info.name;
	v->env.folder = p->info.folder;
	v->env.ledger = r->ledger;
	v->env.net = r->net;
	v->env.loop = r->loop;
	for (n = 0; p->hosts[n]; n++)
		v->hosts[n] = strdup(p->hosts[n]);
	v->env.hosts = (const char *const *)v->hosts;
	v->env.nhosts = n;
	v->env.outgoing = r->outgoing;
	v->env.secrets = p->info.secrets;
	for (n = 0; p->secrets[n]; n++)
		;
	v->env.nsecrets = n;
	v->env.secrets_file = r->secrets_file;
	v->env.log = plugin_log;
	v->env.rt = v;
	call_env_hooks(&v->env);
}

/* Settings the manifest marks host = true name a server the plugin may reach (the SMTP
 * server of an e-mail channel, a partner's endpoint): their hosts join the allow-list. */
static void add_host_of(rt_version *v, const char *url)
{
	char *host = NULL, *port = NULL, entry[512];
	CURLU *u = curl_url();
	if (!u || v->env.nhosts >= 2 * RT_MAX_LIST) {
		curl_url_cleanup(u);
		return;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
			snprintf(entry, sizeof entry, "%s:%s", host, port);
		else
			snprintf(entry, sizeof entry, "%s", host);
		v->hosts[v->env.nhosts++] = strdup(entry);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

static void hosts_from_settings(rt_version *v, lua_State *L, int manifest, int config)
{
	int schema;
	if (lua_getfield(L, manifest, "config") != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	schema = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, schema)) {                   /* key, entry */
		int marked = 0;
		if (lua_istable(L, -1)) {
			lua_getfield(L, -1, "host");
			marked = lua_toboolean(L, -1);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		if (marked && lua_type(L, -1) == LUA_TSTRING) {
			if (lua_getfield(L, config, lua_tostring(L, -1)) == LUA_TSTRING)
				add_host_of(v, lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
}

int version_open(rt_plugin *p, lua_State *cfg_L, int cfg, rt_version **out, char *err,
                 size_t errsize)
{
	rt_version *v = calloc(1, sizeof *v);
	lua_State *L;
	int rc;

	*out = NULL;
	if (!v || sandbox_open(&v->sb, p->r->opt.mem_limit) != 0) {
		free(v);
		snprintf(err, errsize, "plugin %s: out of memory", p->info.name);
		return OWED_ENOMEM;
	}
	v->p = p;
	v->hooks_ref = LUA_NOREF;
	L = v->sb.L;
	setup_env(v);
	api_open(L, &v->env);
	lua_pushcfunction(L, plugin_print);
	lua_setglobal(L, "print");
	lua_pushstring(L, p->info.folder);
	lua_pushcclosure(L, plugin_require, 1);
	lua_setglobal(L, "require");
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "owed.modules");

	/* owed.config: the manifest's schema applied to what the configuration gives */
	if ((rc = manifest_eval(L, p->info.folder, 0, p->r->opt.load_ms, err, errsize)) == 0) {
		rc = manifest_config(L, -1, cfg_L, cfg, p->info.name, err, errsize);
		if (rc == 0) {
			hosts_from_settings(v, L, lua_gettop(L) - 1, lua_gettop(L));
			lua_getglobal(L, "owed");
			lua_insert(L, -2);
			lua_setfield(L, -2, "config");
			lua_pop(L, 1);
		}
		lua_pop(L, 1);          /* the manifest */
	}
	if (rc == 0) {
		api_freeze(L);
		sandbox_lock(&v->sb);
		rc = run_init(v, p->info.folder, err, errsize);
	}
	if (rc != 0) {
		version_close(v);
		return rc;
	}
	*out = v;
	return 0;
}

void version_close(rt_version *v)
{
	call_abandon_all(v, "the plugin was unloaded");
	sandbox_close(&v->sb);
	for (size_t i = 0; v->hosts[i]; i++)
		free(v->hosts[i]);
	free(v);
}

void version_release(rt_version *v)
{
	rt_plugin *p = v->p;
	rt_version **pp;
	if (--v->active > 0 || !v->retiring)
		return;
	for (pp = &p->retiring; *pp; pp = &(*pp)->next_retiring)
		if (*pp == v) {
			*pp = v->next_retiring;
			break;
		}
	version_close(v);
	if (p->replaced && !p->retiring) {
		rt_plugin **rp;
		for (rp = &p->r->replaced; *rp; rp = &(*rp)->next_replaced)
			if (*rp == p) {
				*rp = p->next_replaced;
				break;
			}
		rt_plugin_free(p);
	}
}
