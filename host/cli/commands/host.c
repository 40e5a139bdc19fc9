/*
 * host.c -- setting up and tearing down a host session for the plugin commands (host.h).
 */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands/commands.h"
#include "cli/commands/host.h"

extern char **environ;

static owed_config config;

int cli_config_load(const cli_args *a)
{
	owed_error err = { 0 };
	if (config_load(config_find(a->config), &config, &err) != 0)
		return cli_fail(&err);
	if (config.database[0])
		svc_set_default_db(config.database);
	return 0;
}

owed_config *cli_config(void)
{
	return &config;
}

int cli_host_open(const cli_args *a, int need_ledger, cli_host *h)
{
	const char *path = svc_db_path(a->db);
	owed_error err = { 0 };
	int rc;

	memset(h, 0, sizeof *h);
	if (need_ledger || access(path, F_OK) == 0)
		if ((rc = cli_session(a, &h->ledger)) != 0)
			return rc;
	if (uv_loop_init(&h->loop) != 0) {
		out_error("cannot start the event loop");
		svc_close(&h->ledger);
		return EXIT_FAILURE_;
	}
	if (rt_new(&h->loop, &h->ledger, &config.rt, &h->rt, &err) != 0 ||
	    rt_scan(h->rt, &err) != 0) {
		cli_host_close(h);
		return cli_fail(&err);
	}
	rt_set_settings(h->rt, config.L, config.plugins);
	return 0;
}

void cli_host_close(cli_host *h)
{
	rt_free(h->rt);
	h->rt = NULL;
	uv_run(&h->loop, UV_RUN_DEFAULT);       /* let closing handles finish */
	uv_loop_close(&h->loop);
	if (h->ledger.st)
		svc_close(&h->ledger);
}

int cli_run_specs(const char *path)
{
	char self[1024];
	char *argv[] = { "owed", "test", (char *)path, NULL };
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	pid_t pid;
	int status;
	if (n <= 0)
		return -1;
	self[n] = '\0';
	if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
