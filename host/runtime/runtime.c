/*
 * runtime.c -- the runtime object: the search path, the list of plugins, loading and
 * unloading them by name, and the reports of their failures.
 */
#include <dirent.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "core/sha256.h"
#include "runtime/internal.h"

#define RT_DEFAULT_MEM       (64u << 20)
#define RT_DEFAULT_HOOK_MS   2000
#define RT_DEFAULT_LOAD_MS   500
#define RT_DEFAULT_FAILURES  5

/* ------------------------------------------------------------------ the search path */

static const char *owed_home(char *buf, size_t size)
{
	const char *home = getenv("OWED_HOME"), *user = getenv("HOME");
	if (home && *home)
		snprintf(buf, size, "%s", home);
	else
		snprintf(buf, size, "%s/.owed", user && *user ? user : ".");
	return buf;
}

/* Shipped folders first, then $OWED_PLUGIN_PATH (colon-separated), then the user's: a later
 * folder's plugin replaces an earlier one's of the same name. */
const char *const *rt_default_path(void)
{
	enum { EXTRA = 12 };
	static char dirs[3 + EXTRA][1024];
	static const char *path[3 + EXTRA + 1];
	const char *extra = getenv("OWED_PLUGIN_PATH");
	char home[900];
	int n = 0;

	snprintf(dirs[n], sizeof dirs[n], "%s/plugins", OWED_SOURCE_DIR);
	path[n] = dirs[n], n++;
	snprintf(dirs[n], sizeof dirs[n], "%s/policies", OWED_SOURCE_DIR);
	path[n] = dirs[n], n++;
	while (extra && *extra && n < 2 + EXTRA) {
		size_t len = strcspn(extra, ":");
		if (len && len < sizeof dirs[n]) {
			memcpy(dirs[n], extra, len);
			dirs[n][len] = '\0';
			path[n] = dirs[n], n++;
		}
		extra += len + (extra[len] == ':');
	}
	snprintf(dirs[n], sizeof dirs[n], "%s/plugins", owed_home(home, sizeof home));
	path[n] = dirs[n], n++;
	path[n] = NULL;
	return path;
}

/* ------------------------------------------------------------------ the runtime */

static void report_stderr(const char *plugin, const char *hook, const char *subject,
                          const char *msg, void *ud)
{
	(void)plugin; (void)hook; (void)subject; (void)ud;
	fprintf(stderr, "owed: %s\n", msg);
}

int rt_new(uv_loop_t *loop, owed_ctx *ledger, const rt_options *opt, rt **out, owed_error *err)
{
	rt *r = calloc(1, sizeof *r);
	char home[900];
	*out = NULL;
	if (!r)
		return svc_fail(err, OWED_ENOMEM, "runtime: out of memory");
	r->loop = loop;
	r->ledger = ledger;
	if (opt)
		r->opt = *opt;
	if (!r->opt.mem_limit)
		r->opt.mem_limit = RT_DEFAULT_MEM;
	if (!r->opt.hook_ms)
		r->opt.hook_ms = RT_DEFAULT_HOOK_MS;
	if (!r->opt.load_ms)
		r->opt.load_ms = RT_DEFAULT_LOAD_MS;
	if (!r->opt.max_failures)
		r->opt.max_failures = RT_DEFAULT_FAILURES;
	if (!r->opt.path)
		r->opt.path = rt_default_path();
	if (r->opt.secrets_file)
		snprintf(r->secrets_file, sizeof r->secrets_file, "%s", r->opt.secrets_file);
	else
		snprintf(r->secrets_file, sizeof r->secrets_file, "%s/secrets",
		         owed_home(home, sizeof home));
	if (r->opt.outgoing)
		snprintf(r->outgoing, sizeof r->outgoing, "%s", r->opt.outgoing);
	else
		snprintf(r->outgoing, sizeof r->outgoing, "%s/outgoing",
		         owed_home(home, sizeof home));
	r->report = report_stderr;
	if (net_new(loop, &r->net) != 0) {
		free(r);
		return svc_fail(err, OWED_EIO, "runtime: cannot start the network client");
	}
	*out = r;
	return 0;
}

void rt_plugin_free(rt_plugin *p)
{
	rt_version *v;
	if (p->current)
		version_close(p->current);
	while ((v = p->retiring)) {
		p->retiring = v->next_retiring;
		call_abandon_all(v, "the runtime stopped");
		version_close(v);
	}
	if (p->cfg_L)
		luaL_unref(p->cfg_L, LUA_REGISTRYINDEX, p->cfg_ref);
	for (size_t i = 0; i < sizeof p->strings / sizeof p->strings[0]; i++)
		free(p->strings[i]);
	for (int i = 0; i < RT_MAX_LIST; i++) {
		free(p->kinds[i]);
		free(p->hosts[i]);
		free(p->secrets[i]);
	}
	free(p);
}

void rt_free(rt *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nplugins; i++)
		rt_plugin_free(r->plugins[i]);
	while (r->replaced) {
		rt_plugin *p = r->replaced;
		r->replaced = p->next_replaced;
		rt_plugin_free(p);
	}
	free(r->plugins);
	net_free(r->net);
	free(r);
}

void rt_set_settings(rt *r, lua_State *L, int plugins)
{
	r->settings_L = L;
	r->settings = plugins;
}

uv_loop_t *rt_loop(rt *r) { return r->loop; }
net *rt_net(rt *r)        { return r->net; }
const char *rt_outgoing(const rt *r) { return r->outgoing; }

void rt_on_report(rt *r, rt_report_fn fn, void *ud)
{
	r->report = fn ? fn : report_stderr;
	r->report_ud = ud;
}

void rt_report(rt *r, const char *plugin, const char *hook, const char *subject,
               const char *msg)
{
	r->report(plugin, hook, subject, msg, r->report_ud);
}

void rt_plugin_failed(rt_plugin *p, const char *msg)
{
	(void)msg;
	if (++p->failures < p->r->opt.max_failures || p->info.state != RT_LOADED)
		return;
	p->info.state = RT_DISABLED;
	snprintf(p->problem, sizeof p->problem, "disabled after %d failures in a row; fix it and "
	         "reload ('owed plugin check %s' shows the problem)", p->failures, p->info.name);
	p->info.problem = p->problem;
	rt_report(p->r, p->info.name, "-", "", p->problem);
}

void rt_plugin_succeeded(rt_plugin *p)
{
	p->failures = 0;
}

/* ------------------------------------------------------------------ scanning */

static int is_plugin_folder(const char *dir, const char *name, char *folder, size_t size)
{
	struct stat st;
	char manifest[1200];
	if (name[0] == '.')
		return 0;
	snprintf(folder, size, "%s/%s", dir, name);
	snprintf(manifest, sizeof manifest, "%s/manifest.lua", folder);
	return stat(manifest, &st) == 0 && S_ISREG(st.st_mode);
}

static int by_name(const void *a, const void *b)
{
	const rt_plugin *const *x = a, *const *y = b;
	return strcmp((*x)->info.name, (*y)->info.name);
}

/* A plugin object for the manifest in folder (marked broken if the manifest is wrong). */
static rt_plugin *plugin_read(rt *r, const char *folder)
{
	rt_plugin *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->r = r;
	p->cfg_ref = LUA_NOREF;
	if (manifest_read(p, folder, p->problem, sizeof p->problem) != 0) {
		p->bad_manifest = 1;
		p->info.state = RT_BROKEN;
		p->info.problem = p->problem;
	}
	return p;
}

static int set_override(rt_plugin *p, const char *folder)
{
	p->strings[5] = folder ? strdup(folder) : NULL;
	p->info.overrides = p->strings[5];
	return 0;
}

/* Adds the plugin in folder; a later folder on the path replaces an earlier one's plugin. */
static int scan_one(rt *r, const char *folder)
{
	rt_plugin *p = plugin_read(r, folder), **grown;
	if (!p)
		return OWED_ENOMEM;
	for (size_t i = 0; i < r->nplugins; i++)
		if (strcmp(r->plugins[i]->info.name, p->info.name) == 0) {
			set_override(p, r->plugins[i]->info.folder);
			rt_plugin_free(r->plugins[i]);
			r->plugins[i] = p;
			return 0;
		}
	if (!(grown = realloc(r->plugins, (r->nplugins + 1) * sizeof *grown))) {
		rt_plugin_free(p);
		return OWED_ENOMEM;
	}
	r->plugins = grown;
	r->plugins[r->nplugins++] = p;
	return 0;
}

int rt_scan(rt *r, owed_error *err)
{
	for (const char *const *dir = r->opt.path; *dir; dir++) {
		DIR *d = opendir(*dir);
		struct dirent *e;
		char folder[1100];
		if (!d)
			continue;       /* a folder that does not exist (yet) holds no plugins */
		while ((e = readdir(d)))
			if (is_plugin_folder(*dir, e->d_name, folder, sizeof folder) &&
			    scan_one(r, folder) != 0) {
				closedir(d);
				return svc_fail(err, OWED_ENOMEM, "runtime: out of memory");
			}
		closedir(d);
	}
	qsort(r->plugins, r->nplugins, sizeof *r->plugins, by_name);
	return 0;
}

size_t rt_count(const rt *r)                      { return r->nplugins; }
const rt_info *rt_info_at(const rt *r, size_t i)  { return &r->plugins[i]->info; }
const rt_info *rt_plugin_info(const rt_plugin *p) { return &p->info; }

rt_plugin *rt_find(rt *r, const char *name)
{
	for (size_t i = 0; i < r->nplugins; i++)
		if (strcmp(r->plugins[i]->info.name, name) == 0)
			return r->plugins[i];
	return NULL;
}

/* ------------------------------------------------------------------ load, unload, reload */

static void update_mem(rt_plugin *p)
{
	p->info.mem_used = p->current ? (int64_t)p->current->sb.mem_used : 0;
}

/* ------------------------------------------------------------------ version hashes */

typedef struct file_list { char **paths; size_t n, cap; } file_list;

static void list_files(const char *dir, file_list *l, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d || depth > 8) {
		if (d)
			closedir(d);
		return;
	}
	while ((e = readdir(d))) {
		char path[1400];
		struct stat st;
		if (e->d_name[0] == '.' || (depth == 0 && strcmp(e->d_name, "spec") == 0))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			list_files(path, l, depth + 1);
		else if (S_ISREG(st.st_mode)) {
			if (l->n == l->cap) {
				size_t cap = l->cap ? l->cap * 2 : 16;
				char **grown = realloc(l->paths, cap * sizeof *grown);
				if (!grown)
					break;
				l->paths = grown;
				l->cap = cap;
			}
			l->paths[l->n++] = strdup(path);
		}
	}
	closedir(d);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The version a decision names in the dossier: SHA-256 over the plugin's files (names and
 * contents, specs excluded), so a changed rule never passes for the old one. */
static void hash_folder(const char *folder, char out[SHA256_HEX_BUFSZ])
{
	file_list l = { 0 };
	sha256_ctx h;
	char buf[8192];
	size_t skip = strlen(folder) + 1;
	sha256_init(&h);
	list_files(folder, &l, 0);
	qsort(l.paths, l.n, sizeof *l.paths, by_path);
	for (size_t i = 0; i < l.n; i++) {
		FILE *f = fopen(l.paths[i], "rb");
		size_t n;
		sha256_update(&h, l.paths[i] + skip, strlen(l.paths[i] + skip) + 1);
		while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
			sha256_update(&h, buf, n);
		if (f)
			fclose(f);
		free(l.paths[i]);
	}
	free(l.paths);
	sha256_final_hex(&h, out);
}

int rt_changed(rt_plugin *p)
{
	char now[SHA256_HEX_BUFSZ];
	if (!p->current)
		return 0;
	hash_folder(p->info.folder, now);
	return strcmp(now, p->hash) != 0;
}

lua_State *rt_plugin_state(rt_plugin *p)
{
	return p->current ? p->current->sb.L : NULL;
}

/* Opens the plugin's current code; on failure marks it broken with the reason. */
static int open_current(rt_plugin *p, owed_error *err)
{
	rt_version *v;
	char why[1024];
	int cfg = 0;
	if (p->cfg_L) {
		lua_rawgeti(p->cfg_L, LUA_REGISTRYINDEX, p->cfg_ref);
		cfg = lua_gettop(p->cfg_L);
	}
	if (version_open(p, p->cfg_L, cfg, &v, why, sizeof why) != 0) {
		if (cfg)
			lua_pop(p->cfg_L, 1);
		p->info.state = RT_BROKEN;
		snprintf(p->problem, sizeof p->problem, "%s", why);
		p->info.problem = p->problem;
		return svc_fail(err, OWED_EINPUT, "%s", why);
	}
	if (cfg)
		lua_pop(p->cfg_L, 1);
	p->current = v;
	p->info.state = RT_LOADED;
	p->info.problem = NULL;
	hash_folder(p->info.folder, p->hash);
	p->info.hash = p->hash;
	p->failures = 0;
	update_mem(p);
	return 0;
}

int rt_load(rt *r, const char *name, lua_State *cfg_L, int cfg, owed_error *err)
{
	rt_plugin *p = rt_find(r, name);
	if (!p)
		return svc_fail(err, OWED_ENOTFOUND, "plugin %s: not found on the search path "
		                "(see 'owed plugin list')", name);
	/* Broken by its configuration or code, a plugin may be tried again (the configuration
	 * or the file may have been fixed); broken by its manifest, it may not. */
	if (p->bad_manifest)
		return svc_fail(err, OWED_EINPUT, "%s", p->problem);
	if (p->current)
		return 0;
	if (cfg_L && cfg)
		lua_pushvalue(cfg_L, cfg);
	else if (r->settings_L && r->settings &&
	         lua_getfield(r->settings_L, r->settings, name) == LUA_TTABLE)
		cfg_L = r->settings_L;          /* owed.conf's settings for it */
	else {
		if (r->settings_L && r->settings)
			lua_pop(r->settings_L, 1);
		cfg_L = NULL;
	}
	if (cfg_L) {
		if (p->cfg_L)
			luaL_unref(p->cfg_L, LUA_REGISTRYINDEX, p->cfg_ref);
		p->cfg_L = cfg_L;
		p->cfg_ref = luaL_ref(cfg_L, LUA_REGISTRYINDEX);
	}
	return open_current(p, err);
}

/* Retires a version: closed now if idle, else when its last call ends. */
static void retire(rt_plugin *p, rt_version *v)
{
	if (v->active == 0) {
		version_close(v);
		return;
	}
	v->retiring = 1;
	v->next_retiring = p->retiring;
	p->retiring = v;
}

void rt_unload(rt *r, const char *name)
{
	rt_plugin *p = rt_find(r, name);
	rt_version *v;
	if (!p || !(v = p->current))
		return;
	p->current = NULL;
	p->info.state = RT_AVAILABLE;
	call_abandon_all(v, "the plugin was unloaded");
	retire(p, v);
	update_mem(p);
}

/*
 * A reload reads the manifest and code again into a fresh plugin object beside the running
 * one.  Only if that loads does it take the old one's place; the old version then finishes the
 * calls it is running (new calls go to the new one) and is closed after the last.
 */
int rt_reload(rt *r, const char *name, owed_error *err)
{
	rt_plugin *old = rt_find(r, name), *fresh;
	size_t i;
	if (!old)
		return svc_fail(err, OWED_ENOTFOUND, "plugin %s: not found", name);
	if (!(fresh = plugin_read(r, old->info.folder)))
		return svc_fail(err, OWED_ENOMEM, "runtime: out of memory");
	if (fresh->info.state == RT_BROKEN) {
		svc_fail(err, OWED_EINPUT, "%s (the previous version keeps running)", fresh->problem);
		rt_plugin_free(fresh);
		return err->code;
	}
	if (old->cfg_L) {
		fresh->cfg_L = old->cfg_L;
		lua_rawgeti(old->cfg_L, LUA_REGISTRYINDEX, old->cfg_ref);
		fresh->cfg_ref = luaL_ref(old->cfg_L, LUA_REGISTRYINDEX);
	}
	if (open_current(fresh, err) != 0) {
		snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
		         " (the previous version keeps running)");
		rt_plugin_free(fresh);
		return err->code;
	}
	set_override(fresh, old->info.overrides);
	for (i = 0; r->plugins[i] != old; i++)
		;
	r->plugins[i] = fresh;
	if (old->current) {
		rt_version *v = old->current;
		old->current = NULL;
		retire(old, v);
	}
	if (old->retiring) {
		old->replaced = 1;
		old->next_replaced = r->replaced;
		r->replaced = old;
	} else
		rt_plugin_free(old);
	return 0;
}
