/*
 * main.c -- `owed`: find the command in argv, parse its options, run it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli/commands/commands.h"
#include "cli/commands/host.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: owed COMMAND [options]     (owed COMMAND --help for its options)\n\n"
	           "commands:\n");
	for (const cli_entry *e = cli_commands; e->cmd.name; e++)
		fprintf(f, "  %-18s %s\n", e->cmd.name, e->cmd.summary);
	fprintf(f, "\nenvironment: OWED_DB (database path), OWED_CONF (owed.conf), OWED_HOME "
	           "(~/.owed: plugins, secrets), OWED_LOCALE (how amounts are written: en, nl-NL, "
	           "nl-BE, fr-BE), OWED_TODAY (pin the date), OWED_NOW (pin the clock, "
	           "YYYY-MM-DDTHH:MM:SSZ), OWED_ACTOR (name in the dossier), "
	           "NO_COLOR; see docs/configuration.md\n");
}

/* A child of `owed serve` (its run, its dispatcher) dies with the server: one killed outright
 * must not leave a run going beside the one its successor starts for the same row.  And it
 * yields the CPU to the server: the run is batch work, the requests are people and systems
 * waiting (its PDF threads, started later, inherit the lower priority). */
static void follow_server(void)
{
	const char *pid = getenv("OWED_SERVE_PID");
	if (!pid || !*pid)
		return;
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if (getppid() != (pid_t)atol(pid))
		_exit(EXIT_FAILURE_);           /* the server was gone before we could follow it */
	if (nice(10) == -1)
		fprintf(stderr, "owed: could not lower the priority of the server's child\n");
}

/* The entry whose words match the start of argv; *used gets how many words it took. */
static const cli_entry *find_command(int argc, char **argv, int *used)
{
	for (const cli_entry *e = cli_commands; e->cmd.name; e++) {
		const char *name = e->cmd.name, *sp = strchr(name, ' ');
		size_t first = sp ? (size_t)(sp - name) : strlen(name);
		size_t len = strlen(argv[0]);
		/* "payments review" as well as "payment review": both read naturally */
		if (strncmp(argv[0], name, first) != 0 ||
		    !(len == first || (len == first + 1 && argv[0][first] == 's' && sp)))
			continue;
		if (!sp) {
			*used = 1;
			return e;
		}
		if (argc > 1 && strcmp(argv[1], sp + 1) == 0) {
			*used = 2;
			return e;
		}
	}
	return NULL;
}

/* `owed debtor` alone: list that group's commands (on f: stderr when it is a usage error). */
static int group_usage(FILE *f, const char *group)
{
	size_t n = strlen(group);
	int found = 0;
	for (const cli_entry *e = cli_commands; e->cmd.name; e++)
		if (strncmp(e->cmd.name, group, n) == 0 && e->cmd.name[n] == ' ') {
			if (!found++)
				fprintf(f, "usage: owed %s SUBCOMMAND [options]\n\n", group);
			fprintf(f, "  owed %-18s %s\n", e->cmd.name, e->cmd.summary);
		}
	return found;
}

int main(int argc, char **argv)
{
	const cli_entry *e;
	cli_args a;
	int used, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("owed %s\n", OWED_VERSION);
		return EXIT_OK;
	}
	if (!(e = find_command(argc - 1, argv + 1, &used))) {
		int help = argc > 2 && strcmp(argv[2], "--help") == 0;
		if ((argc == 2 || help) && group_usage(help ? stdout : stderr, argv[1]))
			return help ? EXIT_OK : EXIT_USAGE;
		out_error("unknown command '%s%s%s' (see 'owed --help')", argv[1],
		          argc > 2 ? " " : "", argc > 2 ? argv[2] : "");
		return EXIT_USAGE;
	}
	if ((rc = args_parse(&e->cmd, argc - 1 - used, argv + 1 + used, &a)) != 0)
		return rc;
	if (a.help) {
		args_help(&e->cmd);
		return EXIT_OK;
	}
	if ((rc = cli_config_load(&a)) != 0)
		return rc;
	follow_server();
	rc = e->run(&a);
	config_free(cli_config());
	return rc;
}
