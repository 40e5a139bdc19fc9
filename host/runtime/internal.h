/*
 * internal.h -- the runtime's own structures, shared by its files and by no one else.
 *
 *   runtime.c   the runtime object, the search path, scanning, failure reports
 *   manifest.c  reading manifest.lua as data, validating it and a plugin's configuration
 *   plugin.c    loading a version of a plugin into a sandbox, unloading, reloading
 *   call.c      hook calls as coroutines, waiting on I/O, budgets, failures
 */
#ifndef OWED_RUNTIME_INTERNAL_H
#define OWED_RUNTIME_INTERNAL_H

#include "runtime/runtime.h"
#include "runtime/sandbox.h"

#define RT_MAX_LIST 32          /* kinds, hosts, secrets per manifest */

typedef struct rt_call_rec rt_call_rec;
typedef struct rt_version rt_version;

/* One loaded copy of a plugin's code.  A reload makes a new version; the old one retires and
 * is closed when its last running call has finished. */
struct rt_version {
	rt_plugin *p;
	sandbox sb;
	api_env env;
	int hooks_ref;              /* the table init.lua returned, in the registry */
	int active;                 /* calls running on this version */
	int retiring;
	rt_call_rec *calls;
	rt_version *next_retiring;
	/* its allow-list: the manifest's hosts, and the hosts of settings marked host = true */
	char *hosts[2 * RT_MAX_LIST + 1];
};

struct rt_plugin {
	rt *r;
	rt_info info;
	/* storage behind info's pointers */
	char *strings[8];
	char *kinds[RT_MAX_LIST + 1], *hosts[RT_MAX_LIST + 1], *secrets[RT_MAX_LIST + 1];
	char problem[1024];
	char hash[65];              /* of the loaded version's files */
	rt_version *current;
	rt_version *retiring;
	int failures;               /* in a row */
	int bad_manifest;           /* broken for good: only a rescan reads the manifest again */
	lua_State *cfg_L;           /* where its configuration table lives (a ref), for reloads */
	int cfg_ref;
	int replaced;               /* a reload replaced it: freed when its last version closes */
	rt_plugin *next_replaced;   /* in rt.replaced while it waits for that */
};

struct rt {
	uv_loop_t *loop;
	net *net;
	owed_ctx *ledger;
	rt_options opt;
	char secrets_file[512];
	char outgoing[512];
	rt_plugin **plugins;
	size_t nplugins;
	rt_plugin *replaced;        /* replaced by a reload, still finishing calls */
	rt_report_fn report;
	void *report_ud;
	lua_State *settings_L;      /* owed.conf's plugins table, or NULL */
	int settings;
};

/* A hook call in flight. */
struct rt_call_rec {
	rt_version *v;
	lua_State *co;
	int co_ref;
	char hook[64], subject[160];
	rt_done_fn done;
	void *dud;
	int64_t budget_left_ns;
	net_transfer *waiting_on;   /* the transfer this call is suspended on, or NULL */
	int working;                /* suspended on work in the thread pool (owed.pdf.letter) */
	int finished;
	rt_call_rec *next;
};

/* manifest.c */
int manifest_eval(lua_State *L, const char *folder, size_t mem_limit, int64_t budget_ms,
                  char *err, size_t errsize);
int manifest_read(rt_plugin *p, const char *folder, char *err, size_t errsize);
int manifest_config(lua_State *L, int manifest, lua_State *from, int cfg, const char *plugin,
                    char *err, size_t errsize);

/* plugin.c */
int version_open(rt_plugin *p, lua_State *cfg_L, int cfg, rt_version **out, char *err,
                 size_t errsize);
void version_close(rt_version *v);
void version_release(rt_version *v);   /* a call ended: close a retiring version at zero */

/* call.c */
void call_abandon_all(rt_version *v, const char *why);
void call_env_hooks(api_env *env);

/* runtime.c */
void rt_plugin_free(rt_plugin *p);
void rt_report(rt *r, const char *plugin, const char *hook, const char *subject,
               const char *msg);
void rt_plugin_failed(rt_plugin *p, const char *msg);
void rt_plugin_succeeded(rt_plugin *p);

#endif
