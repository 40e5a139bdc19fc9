/*
 * host.h -- the long-lived parts a plugin command needs: the loop, the runtime with its
 * plugins scanned, and (when there is one) the ledger.
 */
#ifndef OWED_CLI_HOST_H
#define OWED_CLI_HOST_H

#include <uv.h>

#include "cli/args.h"
#include "runtime/config.h"
#include "runtime/runtime.h"

typedef struct cli_host {
	uv_loop_t loop;
	owed_ctx ledger;        /* ledger.st is NULL when no database is open */
	rt *rt;
} cli_host;

/* Opens the loop and the runtime (plugins scanned, none loaded) and, when need_ledger is 1 or
 * a database exists at the arguments' path, the ledger.  Returns 0 or an exit code. */
int cli_host_open(const cli_args *a, int need_ledger, cli_host *h);
void cli_host_close(cli_host *h);

/* Reads the configuration the arguments name (or none) once per process, and makes its
 * database the default; returns 0 or an exit code. */
int cli_config_load(const cli_args *a);
owed_config *cli_config(void);

/* Runs the busted specs under path in a child `owed test` and returns its exit status. */
int cli_run_specs(const char *path);

#endif
