/*
 * commands.h -- the CLI's verbs.  Each is thin: read the arguments, call one service, print.
 */
#ifndef OWED_CLI_COMMANDS_H
#define OWED_CLI_COMMANDS_H

#include "cli/args.h"
#include "cli/output.h"
#include "services/services.h"

typedef int (*cli_handler)(const cli_args *a);

typedef struct cli_entry {
	cli_cmd cmd;
	cli_handler run;
} cli_entry;

/* Every command, in the order `owed --help` lists them; ends with a zero entry. */
extern const cli_entry cli_commands[];

/* Opens the ledger the arguments name; on failure prints why and returns the exit code. */
int cli_session(const cli_args *a, owed_ctx *ctx);
/* Prints a service failure and returns its exit code. */
int cli_fail(const owed_error *err);

int cmd_init(const cli_args *a);
int cmd_debtor_add(const cli_args *a);
int cmd_debtor_edit(const cli_args *a);
int cmd_debtor_list(const cli_args *a);
int cmd_debtor_show(const cli_args *a);
int cmd_invoice_add(const cli_args *a);
int cmd_invoice_list(const cli_args *a);
int cmd_invoice_show(const cli_args *a);
int cmd_invoice_credit(const cli_args *a);
int cmd_invoice_writeoff(const cli_args *a);
int cmd_invoice_charge(const cli_args *a);
int cmd_payment_add(const cli_args *a);
int cmd_payment_list(const cli_args *a);
int cmd_dossier(const cli_args *a);
int cmd_report_aging(const cli_args *a);
int cmd_demo(const cli_args *a);
int cmd_plugin_list(const cli_args *a);
int cmd_plugin_info(const cli_args *a);
int cmd_plugin_check(const cli_args *a);
int cmd_plugin_new(const cli_args *a);
int cmd_lua(const cli_args *a);
int cmd_config_check(const cli_args *a);
int cmd_run(const cli_args *a);
int cmd_case_dispute(const cli_args *a);
int cmd_case_resolve(const cli_args *a);
int cmd_outbox(const cli_args *a);
int cmd_outbox_retry(const cli_args *a);
int cmd_case_promise(const cli_args *a);
int cmd_case_plan(const cli_args *a);
int cmd_case_pause(const cli_args *a);
int cmd_case_resume(const cli_args *a);
int cmd_tasks(const cli_args *a);
int cmd_case_list(const cli_args *a);
int cmd_test(const cli_args *a);
int cmd_import_bank(const cli_args *a);
int cmd_import_invoices(const cli_args *a);
int cmd_payment_review(const cli_args *a);
int cmd_payment_match(const cli_args *a);
int cmd_serve(const cli_args *a);
int cmd_token_create(const cli_args *a);
int cmd_token_list(const cli_args *a);
int cmd_token_revoke(const cli_args *a);

/* INVOICE or INVOICE=AMOUNT words into allocations (text holds the copies); returns n. */
size_t cli_read_allocations(const char *const *words, int n, svc_allocation_input *alloc,
                            char (*text)[128]);
int cmd_debtor_mandate(const cli_args *a);
int cmd_admin_sepa(const cli_args *a);
int cmd_collect_sepa(const cli_args *a);
/* The debtor's mandate for `debtor show`: fields, or "mandate" in json when it is given. */
int cli_debtor_mandate_show(owed_ctx *ctx, const owed_debtor *d, cJSON *json);

/* A listing: a table for people, or a JSON array for scripts (--json).  close prints it when
 * rc is 0, frees it, and returns the exit code (printing err when rc is not 0). */
typedef struct cli_list { out_table *table; cJSON *json; } cli_list;
void cli_list_open(cli_list *l, const cli_args *a, int ncols, const char *const *head,
                   const char *align);
int cli_list_close(cli_list *l, int rc, const owed_error *err);

/* Shared printing of entities (show and the results of add/edit). */
void print_debtor(const owed_ctx *ctx, const owed_debtor *d);
void print_invoice(const owed_ctx *ctx, const owed_invoice *inv);
void print_aging(const owed_ctx *ctx, const svc_aging *ag);

#endif
