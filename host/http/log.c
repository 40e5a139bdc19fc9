/*
 * log.c -- where `owed serve` writes its per-request lines (http.h): stderr, or a file given
 * with --log, appended to and opened again on SIGHUP so logrotate can move it away.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "http/http.h"

static FILE *log_file;          /* NULL: stderr */
static char log_path[1024];

static int open_append(char *errbuf, size_t errsize)
{
	FILE *f = fopen(log_path, "a");
	if (!f) {
		snprintf(errbuf, errsize, "log: %s: %s", log_path, strerror(errno));
		return -1;
	}
	setvbuf(f, NULL, _IOLBF, 0);    /* a line is written whole, when it is complete */
	if (log_file)
		fclose(log_file);
	log_file = f;
	return 0;
}

int http_log_open(const char *path, char *errbuf, size_t errsize)
{
	if (strlen(path) >= sizeof log_path) {
		snprintf(errbuf, errsize, "log: the path is longer than %zu bytes", sizeof log_path - 1);
		return -1;
	}
	snprintf(log_path, sizeof log_path, "%s", path);
	return open_append(errbuf, errsize);
}

/* The old file stays the log until the new one is open: a failed reopen loses no line. */
int http_log_reopen(char *errbuf, size_t errsize)
{
	return log_file ? open_append(errbuf, errsize) : 0;
}

void http_log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

void http_log_line(const char *method, const char *path, int status, double ms,
                   const char *who)
{
	fprintf(log_file ? log_file : stderr, "{\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,"
	        "\"ms\":%.3f,\"token\":\"%s\"}\n", method, path, status, ms, who);
}
