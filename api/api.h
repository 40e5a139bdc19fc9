/*
 * api.h -- what a plugin sees: the `owed` table of C bindings, and the small contract between
 * the runtime (which owns Lua states, the loop and the budgets) and these bindings.
 *
 * Layering: runtime -> api -> core.  The bindings never call the runtime directly; what they
 * need from it (the plugin's name and allow-lists, resuming a coroutine after I/O, the log)
 * comes through the api_env the runtime hands to api_open().
 *
 * Every binding raises Lua errors a plugin author can act on, prefixed with the function's
 * name: "owed.money.add: currencies differ (EUR, USD)".
 */
#ifndef OWED_API_H
#define OWED_API_H

#include <lua.h>
#include <stddef.h>

#include "net/net.h"
#include "services/services.h"

#define API_VERSION 1

enum { API_IO_YIELD, API_IO_BLOCK, API_IO_REFUSE };

typedef enum { API_LOG_DEBUG, API_LOG_INFO, API_LOG_WARN, API_LOG_ERROR } api_log_level;

typedef struct api_env api_env;
struct api_env {
	const char *plugin;            /* the plugin's name ("script" for owed lua) */
	const char *folder;            /* its folder, for owed.resource; NULL for scripts */
	owed_ctx *ledger;              /* the open ledger, or NULL when there is none */
	net *net;                      /* outbound HTTP and SMTP, or NULL (no I/O possible) */
	const char *const *hosts;      /* network allow-list from the manifest */
	size_t nhosts;
	const char *const *secrets;    /* secret names from the manifest */
	size_t nsecrets;
	const char *secrets_file;      /* NAME=value lines, must be mode 0600; NULL: none */
	const char *outgoing;          /* owed.files writes below <outgoing>/<plugin>/ */
	int trusted;                   /* scripts and the test runner: no allow-lists */

	void (*log)(api_env *env, api_log_level level, const char *msg);

	/* Waiting on I/O.  An owed.* call that started a transfer asks io_begin how to wait:
	 * API_IO_YIELD (a plugin's hook coroutine: yield now; io_end will resume it with nargs
	 * values pushed on it), API_IO_BLOCK (a script or a test: run the loop until the transfer
	 * is done), or API_IO_REFUSE (a coroutine the plugin made itself cannot wait: raise). */
	int (*io_begin)(api_env *env, lua_State *L, net_transfer *t);
	void (*io_end)(api_env *env, lua_State *L, net_transfer *t, int nargs);
	/* Work that calls no Lua (owed.pdf.letter), done off the loop's thread.  The binding asks
	 * work_begin: API_IO_YIELD (a plugin's hook coroutine: queue the work, yield; work_end,
	 * called on the loop's thread when the work is done, resumes it with no values), anything
	 * else (or work_begin NULL): do the work in place. */
	int (*work_begin)(api_env *env, lua_State *L);
	void (*work_end)(api_env *env, lua_State *L);
	uv_loop_t *loop;
	void *rt;                      /* the runtime's own data */
};

/* Builds the global `owed` table in L with every module, bound to env (which must outlive L). */
void api_open(lua_State *L, api_env *env);
/* Makes the `owed` table and its modules read-only (after the runtime added owed.config). */
void api_freeze(lua_State *L);
/* The env L (or any coroutine of it) was opened with. */
api_env *api_env_of(lua_State *L);

/* The modules, each pushing its table (luaopen style).  api_open() calls them all. */
int api_open_money(lua_State *L);
int api_open_date(lua_State *L);
int api_open_json(lua_State *L);
int api_open_xml(lua_State *L);
int api_open_template(lua_State *L);
int api_open_http(lua_State *L);
int api_open_mail(lua_State *L);
int api_open_ledger(lua_State *L);
int api_open_store(lua_State *L);
int api_open_log(lua_State *L);
int api_open_secret(lua_State *L);
int api_open_pdf(lua_State *L);
int api_open_resource(lua_State *L);
int api_open_files(lua_State *L);
int api_open_crypto(lua_State *L);
int api_open_webhook(lua_State *L);

/* Money values cross between modules (ledger rows carry them): push and check. */
void api_push_money(lua_State *L, int64_t minor, const char *currency);
int64_t api_check_money(lua_State *L, int idx, char currency[4]);

/* Pushes (and returns) the running C function's name as plugins write it, "owed.date.add_days",
 * for errors raised by helpers that other modules call without passing their name. */
const char *api_fname(lua_State *L);

/* Set t[key] for the table on top: a string, a date as "YYYY-MM-DD" (nothing for 0), an
 * amount as an owed.money value. */
void api_set_string(lua_State *L, const char *key, const char *v);
void api_set_date(lua_State *L, const char *key, int32_t d);
void api_set_money(lua_State *L, const char *key, int64_t minor, const char *currency);

/* A ledger write made by a plugin: amounts in the machine notation, the plugin's name
 * ("plugin:NAME") as the dossier's actor, until leave puts the session's back. */
typedef struct api_as_plugin { char locale[8], actor[64]; } api_as_plugin;
void api_as_plugin_enter(lua_State *L, owed_ctx *ctx, api_as_plugin *saved);
void api_as_plugin_leave(owed_ctx *ctx, const api_as_plugin *saved);

/* Dates are pushed as ISO strings "YYYY-MM-DD" and read back with this check. */
int32_t api_check_date(lua_State *L, int idx);

#endif
