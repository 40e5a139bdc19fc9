/*
 * manifest.c -- a plugin's manifest.lua, read as data, and its configuration checked against
 * the schema the manifest declares.
 *
 * A manifest is evaluated in an empty environment (no functions to call, no globals to read)
 * under a small memory and time budget, so describing a plugin never runs its code.  Every
 * error names the plugin, the file and the key, and says what was expected.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/err.h"
#include "core/money.h"
#include "runtime/internal.h"

#define MANIFEST_MEM    (1u << 20)
#define MANIFEST_MS     200

static const char *const known_kinds[] = {
	"policy", "template", "charges", "channel", "importer", "matcher", "connector", NULL
};
static const char *const known_keys[] = {
	"name", "version", "api_version", "kinds", "priority", "description", "config", "needs",
	NULL
};
static const char *const config_types[] = {
	"string", "integer", "boolean", "list", "money", "date", "table", NULL
};

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Strings' methods ("x"):rep(...) would be code in a manifest: they are taken away while it
 * is evaluated (hide 1) and given back after (hide 0). */
static void hide_string_methods(lua_State *L, int hide)
{
	lua_pushliteral(L, "");
	if (hide) {
		if (!lua_getmetatable(L, -1))
			lua_pushnil(L);
		lua_setfield(L, LUA_REGISTRYINDEX, "owed.string_mt");
		lua_pushnil(L);
	} else
		lua_getfield(L, LUA_REGISTRYINDEX, "owed.string_mt");
	lua_setmetatable(L, -2);
	lua_pop(L, 1);
}

int manifest_eval(lua_State *L, const char *folder, size_t mem_limit, int64_t budget_ms,
                  char *err, size_t errsize)
{
	char path[1024], chunkname[1100];
	sandbox *sb = sandbox_of(L);
	size_t len;
	char *text;
	int status;

	(void)mem_limit;
	snprintf(path, sizeof path, "%s/manifest.lua", folder);
	if (!(text = slurp(path, &len))) {
		snprintf(err, errsize, "%s: cannot read the manifest", path);
		return OWED_EIO;
	}
	snprintf(chunkname, sizeof chunkname, "@%s", path);
	status = luaL_loadbufferx(L, text, len, chunkname, "t");
	free(text);
	if (status == LUA_OK) {
		lua_newtable(L);                        /* the empty environment: data only */
		lua_setupvalue(L, -2, 1);
		hide_string_methods(L, 1);
		if (sb)
			sandbox_enter(sb, L, budget_ms * 1000000);
		status = lua_pcall(L, 0, 1, 0);
		if (sb)
			sandbox_leave(sb);
		hide_string_methods(L, 0);
	}
	if (status != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		/* runtime errors carry the position; a stopped one does not: name the file */
		snprintf(err, errsize, "%s%s%s", strncmp(msg, path, strlen(path)) == 0 ? "" : path,
		         strncmp(msg, path, strlen(path)) == 0 ? "" : ": ", msg);
		lua_pop(L, 1);
		return OWED_EINPUT;
	}
	if (!lua_istable(L, -1)) {
		snprintf(err, errsize, "%s: expected the manifest to return a table, got %s", path,
		         luaL_typename(L, -1));
		lua_pop(L, 1);
		return OWED_EINPUT;
	}
	return 0;
}

/* ------------------------------------------------------------------ validating the manifest */

typedef struct mctx {
	lua_State *L;
	const char *where;      /* "plugins/x/manifest.lua" */
	char *err;
	size_t errsize;
} mctx;

static int bad(mctx *m, const char *key, const char *expected)
{
	lua_State *L = m->L;
	snprintf(m->err, m->errsize, "%s: key '%s': expected %s, got %s", m->where, key, expected,
	         lua_isstring(L, -1) ? lua_tostring(L, -1) : luaL_typename(L, -1));
	return OWED_EINPUT;
}

/* Reads a string field of the table on top into *out (strdup'd); missing ones are NULL. */
static int get_string(mctx *m, const char *key, int required, char **out)
{
	int t = lua_getfield(m->L, -1, key);
	int rc = 0;
	if (t == LUA_TSTRING)
		*out = strdup(lua_tostring(m->L, -1));
	else if (t != LUA_TNIL || required)
		rc = bad(m, key, "a string");
	lua_pop(m->L, 1);
	return rc;
}

static int get_int(mctx *m, const char *key, int dflt, int *out)
{
	int t = lua_getfield(m->L, -1, key), rc = 0;
	if (t == LUA_TNIL)
		*out = dflt;
	else if (lua_isinteger(m->L, -1))
		*out = (int)lua_tointeger(m->L, -1);
	else
		rc = bad(m, key, "a whole number");
	lua_pop(m->L, 1);
	return rc;
}

/* A list of strings at table[key][sub] (sub NULL: table[key]), each accepted by ok(). */
static int get_list(mctx *m, const char *key, char **out, int (*ok)(const char *),
                    const char *expected)
{
	lua_State *L = m->L;
	lua_Integer n;
	int rc = 0;
	if (lua_getfield(L, -1, key) == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1) || (n = luaL_len(L, -1)) > RT_MAX_LIST) {
		rc = bad(m, key, expected);
		lua_pop(L, 1);
		return rc;
	}
	for (lua_Integer i = 1; i <= n && rc == 0; i++) {
		lua_geti(L, -1, i);
		if (lua_type(L, -1) != LUA_TSTRING || !ok(lua_tostring(L, -1)))
			rc = bad(m, key, expected);
		else
			out[i - 1] = strdup(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

static int ok_kind(const char *s)   { return in_list(s, known_kinds); }
static int ok_host(const char *s)   { return *s && !strchr(s, '/') && !strchr(s, ' '); }
static int ok_secret(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int ok_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'
		      || *s == '.'))
			return 0;
	return 1;
}

static int check_keys(mctx *m)
{
	lua_State *L = m->L;
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING || !in_list(lua_tostring(L, -1), known_keys)) {
			snprintf(m->err, m->errsize, "%s: unknown key '%s' (expected one of name, "
			         "version, api_version, kinds, priority, description, config, needs)",
			         m->where, luaL_tolstring(L, -1, NULL));
			lua_pop(L, 2);
			return OWED_EINPUT;
		}
	}
	return 0;
}

/* Each config entry must be { type = ..., default = ..., required = ..., description = ... }. */
static int check_schema(mctx *m)
{
	lua_State *L = m->L;
	int rc = 0;
	if (lua_getfield(L, -1, "config") == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1)) {
		rc = bad(m, "config", "a table of settings");
		lua_pop(L, 1);
		return rc;
	}
	lua_pushnil(L);
	while (rc == 0 && lua_next(L, -2)) {
		const char *key = lua_tostring(L, -2);
		if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1))
			rc = bad(m, "config", "settings as name = { type = ... }");
		else if (lua_getfield(L, -1, "type") != LUA_TSTRING ||
		         !in_list(lua_tostring(L, -1), config_types)) {
			char k[128];
			snprintf(k, sizeof k, "config.%s.type", key);
			rc = bad(m, k, "string, integer, boolean, list, money, date or table");
		}
		lua_pop(L, rc == 0 ? 2 : 3);
	}
	if (rc)
		return rc;
	lua_pop(L, 1);
	return 0;
}

static int check_needs(mctx *m, rt_plugin *p)
{
	lua_State *L = m->L;
	int rc;
	if (lua_getfield(L, -1, "needs") == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1)) {
		rc = bad(m, "needs", "{ hosts = {...}, secrets = {...} }");
		lua_pop(L, 1);
		return rc;
	}
	rc = get_list(m, "hosts", p->hosts, ok_host, "a list of host names (host or host:port)");
	if (rc == 0)
		rc = get_list(m, "secrets", p->secrets, ok_secret,
		              "a list of secret names in capitals (A-Z, 0-9, _)");
	lua_pop(L, 1);
	return rc;
}

static const char *basename_of(const char *folder)
{
	const char *slash = strrchr(folder, '/');
	return slash ? slash + 1 : folder;
}

/* Fills p->info from the manifest table on top of L. */
static int manifest_fill(mctx *m, rt_plugin *p, const char *folder)
{
	char **s = p->strings;
	int rc;
	if ((rc = check_keys(m)) || (rc = get_string(m, "name", 1, &s[0])) ||
	    (rc = get_string(m, "version", 1, &s[1])) ||
	    (rc = get_string(m, "description", 0, &s[2])) ||
	    (rc = get_int(m, "api_version", 0, &p->info.api_version)) ||
	    (rc = get_int(m, "priority", 50, &p->info.priority)) ||
	    (rc = get_list(m, "kinds", p->kinds, ok_kind,
	                   "a list of kinds: policy, template, charges, channel, importer, "
	                   "matcher, connector")) ||
	    (rc = check_schema(m)) || (rc = check_needs(m, p)))
		return rc;
	if (!ok_name(s[0]) || strcmp(s[0], basename_of(folder)) != 0) {
		snprintf(m->err, m->errsize, "%s: key 'name': expected the folder's name '%s' in "
		         "lower case, got '%s'", m->where, basename_of(folder), s[0]);
		return OWED_EINPUT;
	}
	if (p->info.api_version < 1 || p->info.api_version > API_VERSION) {
		snprintf(m->err, m->errsize, "%s: key 'api_version': this owed offers API version %d,"
		         " the plugin asks for %d", m->where, API_VERSION, p->info.api_version);
		return OWED_EINPUT;
	}
	if (!p->kinds[0]) {
		snprintf(m->err, m->errsize, "%s: key 'kinds': expected at least one kind", m->where);
		return OWED_EINPUT;
	}
	p->info.name = s[0];
	p->info.version = s[1];
	p->info.description = s[2];
	return 0;
}

int manifest_read(rt_plugin *p, const char *folder, char *err, size_t errsize)
{
	char where[1100];
	sandbox sb;
	mctx m = { NULL, where, err, errsize };
	int rc;

	snprintf(where, sizeof where, "%s/manifest.lua", folder);
	p->strings[3] = strdup(folder);
	p->info.folder = p->strings[3];
	p->info.name = p->strings[4] = strdup(basename_of(folder));
	p->info.kinds = (const char *const *)p->kinds;
	p->info.hosts = (const char *const *)p->hosts;
	p->info.secrets = (const char *const *)p->secrets;
	if (sandbox_open(&sb, MANIFEST_MEM) != 0) {
		snprintf(err, errsize, "%s: out of memory", where);
		return OWED_ENOMEM;
	}
	m.L = sb.L;
	if ((rc = manifest_eval(sb.L, folder, MANIFEST_MEM, MANIFEST_MS, err, errsize)) == 0)
		rc = manifest_fill(&m, p, folder);
	sandbox_close(&sb);
	return rc;
}

/* ------------------------------------------------------------------ configuration */

/* Copies the value at from[idx] onto to's stack: strings, numbers, booleans and tables of
 * those (no functions or userdata: configuration is data). */
static int copy_value(lua_State *from, int idx, lua_State *to, int depth)
{
	idx = lua_absindex(from, idx);
	switch (lua_type(from, idx)) {
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(from, idx, &len);
		lua_pushlstring(to, s, len);
		return 0;
	}
	case LUA_TNUMBER:
		if (lua_isinteger(from, idx))
			lua_pushinteger(to, lua_tointeger(from, idx));
		else
			lua_pushnumber(to, lua_tonumber(from, idx));
		return 0;
	case LUA_TBOOLEAN:
		lua_pushboolean(to, lua_toboolean(from, idx));
		return 0;
	case LUA_TTABLE:
		if (depth > 16)
			return -1;
		lua_newtable(to);
		lua_pushnil(from);
		while (lua_next(from, idx)) {
			if (copy_value(from, -2, to, depth + 1) || copy_value(from, -1, to, depth + 1)) {
				lua_pop(from, 2);
				lua_pop(to, 1);
				return -1;
			}
			lua_settable(to, -3);
			lua_pop(from, 1);
		}
		return 0;
	default:
		return -1;
	}
}

static int type_ok(lua_State *L, int idx, const char *type)
{
	if (strcmp(type, "string") == 0)
		return lua_type(L, idx) == LUA_TSTRING;
	if (strcmp(type, "integer") == 0)
		return lua_isinteger(L, idx);
	if (strcmp(type, "boolean") == 0)
		return lua_isboolean(L, idx);
	if (strcmp(type, "table") == 0)
		return lua_istable(L, idx);
	if (strcmp(type, "date") == 0) {
		owed_date d;
		return lua_type(L, idx) == LUA_TSTRING && date_parse_iso(lua_tostring(L, idx), &d) == 0;
	}
	if (strcmp(type, "money") == 0) {       /* "25.00 EUR" */
		const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) : NULL;
		const char *sp = s ? strrchr(s, ' ') : NULL;
		char num[64];
		int64_t minor;
		int exp;
		if (!sp || (size_t)(sp - s) >= sizeof num || (exp = money_exponent(sp + 1)) < 0)
			return 0;
		memcpy(num, s, (size_t)(sp - s));
		num[sp - s] = '\0';
		return money_parse(num, "C", exp, &minor) == 0;
	}
	if (strcmp(type, "list") == 0) {
		if (!lua_istable(L, idx))
			return 0;
		for (lua_Integer i = 1, n = luaL_len(L, idx); i <= n; i++) {
			int t = lua_geti(L, idx, i);
			lua_pop(L, 1);
			if (t != LUA_TSTRING)
				return 0;
		}
		return 1;
	}
	return 0;
}

static const char *type_words(const char *type)
{
	if (strcmp(type, "money") == 0)
		return "an amount with its currency, e.g. \"25.00 EUR\"";
	if (strcmp(type, "date") == 0)
		return "a date YYYY-MM-DD";
	if (strcmp(type, "list") == 0)
		return "a list of strings";
	if (strcmp(type, "integer") == 0)
		return "a whole number";
	if (strcmp(type, "boolean") == 0)
		return "true or false";
	return strcmp(type, "table") == 0 ? "a table" : "a string";
}

/* Unknown keys in the given configuration are refused: a typo must not pass silently. */
static int config_unknown(lua_State *L, int schema, lua_State *from, int cfg,
                          const char *plugin, char *err, size_t errsize)
{
	lua_pushnil(from);
	while (lua_next(from, cfg)) {
		lua_pop(from, 1);
		if (lua_type(from, -1) != LUA_TSTRING ||
		    lua_getfield(L, schema, lua_tostring(from, -1)) == LUA_TNIL) {
			snprintf(err, errsize, "plugin %s: config key '%s' is not a setting of this "
			         "plugin (see 'owed plugin info %s')", plugin,
			         luaL_tolstring(from, -1, NULL), plugin);
			lua_pop(L, 1);
			lua_pop(from, 2);
			return OWED_EINPUT;
		}
		lua_pop(L, 1);
	}
	return 0;
}

int manifest_config(lua_State *L, int manifest, lua_State *from, int cfg, const char *plugin,
                    char *err, size_t errsize)
{
	int schema, out, rc = 0;

	manifest = lua_absindex(L, manifest);
	if (from && cfg)
		cfg = lua_absindex(from, cfg);
	lua_getfield(L, manifest, "config");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	schema = lua_gettop(L);
	lua_newtable(L);
	out = lua_gettop(L);
	if (from && cfg && (rc = config_unknown(L, schema, from, cfg, plugin, err, errsize)))
		goto done;
	lua_pushnil(L);
	while (rc == 0 && lua_next(L, schema)) {
		const char *key = lua_tostring(L, -2), *type;
		int have = 0;
		lua_getfield(L, -1, "type");
		type = lua_tostring(L, -1);
		if (from && cfg && lua_getfield(from, cfg, key) != LUA_TNIL) {
			if (copy_value(from, -1, L, 0) != 0) {
				snprintf(err, errsize, "plugin %s: config key '%s': expected %s", plugin,
				         key, type_words(type));
				rc = OWED_EINPUT;
			}
			have = rc == 0;
		} else if (lua_getfield(L, -2, "default") != LUA_TNIL)
			have = 1;
		else
			lua_pop(L, 1);
		if (from && cfg)
			lua_pop(from, 1);
		if (rc == 0 && have && !type_ok(L, -1, type)) {
			snprintf(err, errsize, "plugin %s: config key '%s': expected %s, got %s", plugin,
			         key, type_words(type), lua_isstring(L, -1) ? lua_tostring(L, -1)
			                                                    : luaL_typename(L, -1));
			rc = OWED_EINPUT;
		}
		if (rc == 0 && !have) {
			lua_getfield(L, -2, "required");
			if (lua_toboolean(L, -1)) {
				snprintf(err, errsize, "plugin %s: config key '%s' is required (%s)",
				         plugin, key, type_words(type));
				rc = OWED_EINPUT;
			}
			lua_pop(L, 1);
		}
		if (rc == 0 && have)
			lua_setfield(L, out, key);
		else if (have)
			lua_pop(L, 1);
		lua_pop(L, 2);          /* type, entry */
	}
	if (rc)
		lua_pop(L, 1);          /* the key lua_next left */
done:
	if (rc) {
		lua_settop(L, schema - 1);
		return rc;
	}
	lua_remove(L, schema);
	return 0;
}
