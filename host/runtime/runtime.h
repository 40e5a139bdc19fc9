/*
 * runtime.h -- plugins: finding them, loading each into its own sandboxed Lua state, calling
 * their hooks in coroutines on the libuv loop, and unloading or reloading them alone.
 *
 * A plugin is a folder with manifest.lua (data only: evaluated in an empty environment, so
 * `owed plugin list` can describe a plugin without running its code) and init.lua (returns a
 * table of hook functions).  Plugins are found on the search path: the shipped plugins/ and
 * policies/ folders, then the user's $OWED_HOME/plugins; a user plugin with the name of a
 * shipped one replaces it.
 *
 * Limits, per plugin: a memory budget (its allocator refuses past it: a Lua memory error for
 * that plugin, never an abort of the host), and a running-time budget per hook call, checked
 * by an instruction-count hook (time spent waiting on I/O does not count).  Past the budget
 * the hook raises on every instruction, so a pcall inside the plugin cannot swallow it.
 */
#ifndef OWED_RUNTIME_H
#define OWED_RUNTIME_H

#include <lua.h>
#include <stdint.h>
#include <uv.h>

#include "api/api.h"
#include "net/net.h"
#include "services/services.h"

typedef struct rt rt;
typedef struct rt_plugin rt_plugin;

typedef struct rt_options {
	size_t mem_limit;           /* bytes per plugin; 0: 64 MiB */
	int64_t hook_ms;            /* running time per hook call; 0: 2000 */
	int64_t load_ms;            /* running time to load a plugin; 0: 500 */
	int max_failures;           /* failures in a row before a plugin is disabled; 0: 5 */
	const char *const *path;    /* search folders in order; NULL: rt_default_path() */
	const char *secrets_file;   /* NULL: $OWED_HOME/secrets */
	const char *outgoing;       /* where owed.files writes; NULL: $OWED_HOME/outgoing */
} rt_options;

int rt_new(uv_loop_t *loop, owed_ctx *ledger, const rt_options *opt, rt **out, owed_error *err);
/* Plugin settings come from this Lua table of plugin names to tables (owed.conf's plugins),
 * whenever rt_load is given none. */
void rt_set_settings(rt *r, lua_State *L, int plugins);
/* Unloads every plugin (cancelling their transfers) and frees the runtime; run the loop after
 * so closing handles complete. */
void rt_free(rt *r);
uv_loop_t *rt_loop(rt *r);
net *rt_net(rt *r);
/* The outgoing folder (owed.conf's outgoing, else $OWED_HOME/outgoing). */
const char *rt_outgoing(const rt *r);

/* The default search path, NULL-terminated: shipped plugins/ and policies/, then
 * $OWED_HOME/plugins ($OWED_HOME defaults to ~/.owed). */
const char *const *rt_default_path(void);

/* What is known about a plugin, loaded or not. */
typedef enum { RT_AVAILABLE, RT_LOADED, RT_DISABLED, RT_BROKEN } rt_state;
typedef struct rt_info {
	const char *name, *version, *folder, *description;
	const char *const *kinds;   /* NULL-terminated */
	const char *const *hosts, *const *secrets;
	int api_version, priority;
	rt_state state;
	const char *overrides;      /* the shipped folder this one replaces, or NULL */
	const char *problem;        /* why it is broken or disabled, or NULL */
	const char *hash;           /* SHA-256 of the loaded version's files, or NULL */
	int64_t mem_used;
} rt_info;

/* Reads every manifest on the search path (no plugin code runs).  Problems with one plugin
 * mark it broken and do not stop the scan. */
int rt_scan(rt *r, owed_error *err);
size_t rt_count(const rt *r);
const rt_info *rt_info_at(const rt *r, size_t i);
rt_plugin *rt_find(rt *r, const char *name);
const rt_info *rt_plugin_info(const rt_plugin *p);

/* Loads a plugin with its configuration (a Lua table at index cfg in L, or 0 for the
 * settings given to rt_set_settings, if any),
 * validated against its manifest's schema.  On failure the plugin is marked broken and err
 * names the plugin, the file or key, and what was expected. */
int rt_load(rt *r, const char *name, lua_State *cfg_L, int cfg, owed_error *err);
/* Unloads it: its running hook calls are abandoned (their completion reports "unloaded"),
 * its transfers cancelled, its state closed. */
void rt_unload(rt *r, const char *name);
/* Loads the plugin's current files beside the running version; only when that succeeds does
 * the new one replace the old.  On failure the old one keeps running and err says why. */
int rt_reload(rt *r, const char *name, owed_error *err);
int rt_has_hook(rt_plugin *p, const char *hook);
/* 1 when the plugin is loaded and its files on disk are no longer those of the running
 * version (a reload would change it). */
int rt_changed(rt_plugin *p);

/* Reloading while serving (watch.c).  rt_reload_loaded reloads the loaded plugins now: every
 * one (force: SIGHUP) or those rt_changed finds.  rt_watch_start watches the plugins' folders
 * (and their folders one level down) with uv_fs_event; debounce_ms after the last change it
 * reloads the changed ones.  Each reload's outcome goes to fn (rc 0, or the error that kept
 * the previous version running). */
typedef void (*rt_reloaded_fn)(const char *plugin, int rc, const char *msg, void *ud);
void rt_reload_loaded(rt *r, int force, rt_reloaded_fn fn, void *ud);
typedef struct rt_watch rt_watch;
int rt_watch_start(rt *r, unsigned debounce_ms, rt_reloaded_fn fn, void *ud, rt_watch **out,
                   owed_error *err);
/* Closes the watch's handles (run the loop after); it frees itself when they are closed. */
void rt_watch_stop(rt_watch *w);
/* The loaded version's Lua state (for values a done callback kept in its registry). */
lua_State *rt_plugin_state(rt_plugin *p);

/* Calling a hook.  push() pushes the arguments onto the plugin's coroutine and returns how
 * many; done() gets the outcome with the results on co's stack (status 0), or status < 0 and
 * a message that names the plugin, the hook, the subject and carries the traceback.  done is
 * called from the loop (or from rt_call itself when the hook finishes without waiting). */
typedef int (*rt_push_fn)(lua_State *co, void *ud);
typedef void (*rt_done_fn)(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                           void *ud);
int rt_call(rt_plugin *p, const char *hook, const char *subject, rt_push_fn push, void *pud,
            rt_done_fn done, void *dud);
/* The same, running the loop until the call has finished; the results are handed to done
 * before this returns. */
int rt_call_sync(rt_plugin *p, const char *hook, const char *subject, rt_push_fn push,
                 void *pud, rt_done_fn done, void *dud);

/* Failure reports go here (default: stderr).  Every report names plugin, hook and subject. */
typedef void (*rt_report_fn)(const char *plugin, const char *hook, const char *subject,
                             const char *msg, void *ud);
void rt_on_report(rt *r, rt_report_fn fn, void *ud);

#endif
