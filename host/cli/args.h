/*
 * args.h -- the command line: options declared as data, parsed the same way for every command.
 *
 * Every command accepts the global options (--db, --admin, --json, --help) anywhere among its
 * own.  An option is `--name value` or `--name=value`; a flag is `--name`.  An option declared
 * `multi` may repeat (--allocate A=1 --allocate B=2).
 */
#ifndef OWED_CLI_ARGS_H
#define OWED_CLI_ARGS_H

#define ARGS_MAX_OPTS  32
#define ARGS_MAX_POS   32
#define ARGS_MAX_MULTI 64

typedef struct cli_opt {
	const char *name;       /* without the dashes */
	const char *arg;        /* the value's name in --help; NULL for a flag */
	const char *help;
	int multi;
} cli_opt;

typedef struct cli_cmd {
	const char *name;       /* "debtor add" */
	const char *usage;      /* "NUMBER" or "" */
	const char *summary;
	const cli_opt *opts;    /* NULL-terminated by a zero entry */
	int rest;               /* after the first positional, every word is positional */
} cli_cmd;

typedef struct cli_args {
	const cli_cmd *cmd;
	const char *val[ARGS_MAX_OPTS];
	const char *pos[ARGS_MAX_POS];
	int npos;
	const char *multi[ARGS_MAX_MULTI];
	int nmulti;
	const char *db, *admin, *config;
	int json, help;
} cli_args;

/* Parses argv (after the command words) into a; on a usage error prints it and returns 2. */
int args_parse(const cli_cmd *cmd, int argc, char **argv, cli_args *a);
/* The value of option name (NULL if not given); a flag gives "" when set. */
const char *args_get(const cli_args *a, const char *name);
/* Prints the command's --help to stdout. */
void args_help(const cli_cmd *cmd);
/* Refuses a wrong number of positional arguments with a usage message (exit code 2). */
int args_want_pos(const cli_args *a, int min, int max);

#endif
