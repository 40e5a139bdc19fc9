/*
 * output.h -- what the CLI prints: tables for people, JSON for scripts, one-line errors, and
 * the exit codes.  Colour only on a terminal and never with NO_COLOR set.
 */
#ifndef OWED_CLI_OUTPUT_H
#define OWED_CLI_OUTPUT_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "core/date.h"

/* Exit codes (README.md, "Exit codes"). */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_ = 1,   /* an unexpected failure */
	EXIT_USAGE = 2,      /* the command line is wrong */
	EXIT_INPUT = 3,      /* a value is malformed or names nothing that exists */
	EXIT_REFUSED = 4,    /* refused by a ledger invariant (duplicate, over-allocation, ...) */
	EXIT_IO = 5          /* the database or a file failed */
};
int out_exit_code(int owed_code);

void out_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints obj as indented JSON on stdout and frees it. */
void out_json(cJSON *obj);
/* Bold header text when colour is allowed. */
int out_color(void);

/* A table: columns with headers, right-aligned where align[i] == 'r'. */
typedef struct out_table out_table;
out_table *table_new(int ncols, const char *const *headers, const char *align);
void table_add(out_table *t, const char *const *cells);
void table_print(out_table *t);
void table_free(out_table *t);

/* A "key: value" line for show commands, keys aligned. */
void out_field(const char *key, const char *value);

/* Formats an amount for people in the session's locale ("€ 1.234,56", "€1,234.56"). */
const char *out_money(char *buf, size_t size, int64_t minor, const char *currency,
                      const char *locale);
const char *out_date(char *buf, size_t size, owed_date d);

#endif
