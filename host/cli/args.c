/*
 * args.c -- parsing a command's options from its declaration (args.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/output.h"

static const cli_opt global_opts[] = {
	{ "db", "PATH", "the database (default: $OWED_DB, else ./owed.db)", 0 },
	{ "admin", "CODE", "the administration (default: the first)", 0 },
	{ "config", "PATH", "the configuration file (default: $OWED_CONF, else ./owed.conf)", 0 },
	{ "json", NULL, "print JSON for scripts instead of tables", 0 },
	{ "help", NULL, "show this help", 0 },
	{ 0 }
};

static int find_opt(const cli_opt *opts, const char *name, size_t len)
{
	for (int i = 0; opts && opts[i].name; i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
			return i;
	return -1;
}

static int usage_error(const cli_cmd *cmd, const char *what, const char *arg)
{
	out_error("%s: %s '%s' (see 'owed %s --help')", cmd->name, what, arg, cmd->name);
	return 2;
}

/* Handles one global option (name is "db" or "db=PATH"); returns 1 if it was one, 0 if not,
 * 2 on a missing or unwanted value. */
static int global_opt(const cli_cmd *cmd, const char *name, size_t len, const char *value,
                      int *used_next, cli_args *a)
{
	int g = find_opt(global_opts, name, len);
	if (g < 0)
		return 0;
	if (global_opts[g].arg) {
		if (!value)
			return usage_error(cmd, "missing value for", global_opts[g].name);
		*used_next = 1;
		*(g == 0 ? &a->db : g == 1 ? &a->admin : &a->config) = value;
	} else if (name[len] == '=')
		return usage_error(cmd, "takes no value:", name);
	else if (g == 3)
		a->json = 1;
	else
		a->help = 1;
	return 1;
}

int args_parse(const cli_cmd *cmd, int argc, char **argv, cli_args *a)
{
	memset(a, 0, sizeof *a);
	a->cmd = cmd;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *eq, *value;
		size_t len;
		int k, used_next = 0, g;

		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0' || (cmd->rest && a->npos > 0)) {
			if (a->npos == ARGS_MAX_POS)
				return usage_error(cmd, "too many arguments at", arg);
			a->pos[a->npos++] = arg;
			continue;
		}
		arg += 2;
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		value = eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
		if ((g = global_opt(cmd, arg, len, value, &used_next, a)) != 0) {
			if (g == 2)
				return 2;
			i += used_next && !eq;
			continue;
		}
		if ((k = find_opt(cmd->opts, arg, len)) < 0)
			return usage_error(cmd, "unknown option", argv[i]);
		if (!cmd->opts[k].arg) {
			if (eq)
				return usage_error(cmd, "takes no value:", argv[i]);
			a->val[k] = "";
			continue;
		}
		if (!value)
			return usage_error(cmd, "missing value for", argv[i]);
		i += !eq;
		if (cmd->opts[k].multi) {
			if (a->nmulti == ARGS_MAX_MULTI)
				return usage_error(cmd, "too many", argv[i]);
			a->multi[a->nmulti++] = value;
		}
		a->val[k] = value;
	}
	return 0;
}

const char *args_get(const cli_args *a, const char *name)
{
	int k = find_opt(a->cmd->opts, name, strlen(name));
	return k < 0 ? NULL : a->val[k];
}

static void help_opts(const cli_opt *opts)
{
	char left[48];
	for (int i = 0; opts && opts[i].name; i++) {
		snprintf(left, sizeof left, "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
		         opts[i].arg ? opts[i].arg : "");
		printf("  %-26s %s%s\n", left, opts[i].help, opts[i].multi ? " (may repeat)" : "");
	}
}

void args_help(const cli_cmd *cmd)
{
	printf("usage: owed %s%s%s [options]\n\n%s\n", cmd->name, cmd->usage[0] ? " " : "",
	       cmd->usage, cmd->summary);
	if (cmd->opts && cmd->opts[0].name) {
		printf("\noptions:\n");
		help_opts(cmd->opts);
	}
	printf("\nglobal options:\n");
	help_opts(global_opts);
}

int args_want_pos(const cli_args *a, int min, int max)
{
	if (a->npos < min) {
		out_error("%s: missing %s (usage: owed %s %s)", a->cmd->name, a->cmd->usage,
		          a->cmd->name, a->cmd->usage);
		return 2;
	}
	if (a->npos > max)
		return usage_error(a->cmd, "unexpected argument", a->pos[max]);
	return 0;
}
