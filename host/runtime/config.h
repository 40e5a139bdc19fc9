/*
 * config.h -- owed.conf: one Lua table, evaluated as data in an empty environment (it can build
 * tables; it cannot call anything).  Every setting has a default, so no file is needed.
 *
 *   return {
 *     database = "/var/lib/owed/owed.db",        -- default: $OWED_DB, else ./owed.db
 *     limits = { memory_mb = 64, hook_ms = 2000, load_ms = 500, max_failures = 5 },
 *     plugin_path = { "/opt/owed/plugins" },     -- searched after the shipped folders
 *     secrets_file = "/etc/owed/secrets",        -- default: $OWED_HOME/secrets
 *     outgoing = "/var/spool/owed",              -- owed.files; default: $OWED_HOME/outgoing
 *     plugins = { ["partner-echo"] = { endpoint = "https://api.partner.example" } },
 *     policies = { { tag = "vip", policy = "nl-b2b-soft" }, { country = "DE", policy = "eu-b2b" } },
 *     matchers = { "match-standard" },           -- payment matchers, asked in this order
 *     schedule = { run_at = "06:30", timezone = "Europe/Amsterdam" },  -- owed serve's daily run
 *   }
 *
 * Found at --config PATH, else $OWED_CONF, else ./owed.conf when it exists.
 */
#ifndef OWED_CONFIG_H
#define OWED_CONFIG_H

#include <lua.h>

#include "runtime/runtime.h"
#include "services/dunning.h"

#define CONFIG_MAX_PATH 8
#define CONFIG_MAX_RULES 32
#define CONFIG_MAX_MATCHERS 8

typedef struct owed_config {
	char file[1024];                 /* "" when no file was read */
	char database[1024];
	char secrets_file[1024];
	char outgoing[1024];
	rt_options rt;                   /* limits, search path, secrets file for the runtime */
	char path_dirs[CONFIG_MAX_PATH + 3][1024];
	const char *path[CONFIG_MAX_PATH + 4];
	svc_policy_rule rules[CONFIG_MAX_RULES];   /* policies = { { tag =, policy = }, ... } */
	size_t nrules;
	char matcher_names[CONFIG_MAX_MATCHERS][64];
	const char *matchers[CONFIG_MAX_MATCHERS];  /* matchers = { ... }; none: match-standard */
	size_t nmatchers;
	int scheduled;                   /* schedule.run_at given: `owed serve` runs daily */
	int run_at;                      /* minutes after local midnight */
	char timezone[64];               /* schedule.timezone; default Europe/Amsterdam */
	lua_State *L;                    /* holds the plugins table (rt_set_settings), or NULL */
	int plugins;                     /* its index in L, 0 if none */
} owed_config;

/* The file to read: given, else $OWED_CONF, else "owed.conf" if it exists, else NULL. */
const char *config_find(const char *given);
/* Reads and validates the file (NULL: defaults only).  Errors name the file, the key and what
 * was expected. */
int config_load(const char *file, owed_config *c, owed_error *err);
void config_free(owed_config *c);

#endif
