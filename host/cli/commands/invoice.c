/*
 * invoice.c -- `owed invoice ...`.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands/commands.h"
#include "services/render.h"

static int show_invoice(const cli_args *a, owed_ctx *ctx, const owed_invoice *inv)
{
	if (a->json)
		out_json(render_invoice(inv));
	else
		print_invoice(ctx, inv);
	svc_close(ctx);
	return EXIT_OK;
}

/* Runs a service on one invoice and prints the invoice as it is after. */
typedef int (*invoice_action)(owed_ctx *ctx, const cli_args *a, owed_invoice *out,
                              owed_error *err);

static int run_on_invoice(const cli_args *a, int npos, invoice_action act)
{
	owed_error err = { 0 };
	owed_invoice inv;
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, npos, npos)) || (rc = cli_session(a, &ctx)))
		return rc;
	if (act(&ctx, a, &inv, &err) != 0) {
		svc_close(&ctx);
		return cli_fail(&err);
	}
	return show_invoice(a, &ctx, &inv);
}

static int do_add(owed_ctx *ctx, const cli_args *a, owed_invoice *out, owed_error *err)
{
	svc_invoice_input in = {
		.number = args_get(a, "number"), .debtor = args_get(a, "debtor"),
		.amount = args_get(a, "amount"), .vat = args_get(a, "vat"),
		.issue_date = args_get(a, "issue-date"), .due_date = args_get(a, "due-date"),
		.currency = args_get(a, "currency"), .reference = args_get(a, "reference"),
		.description = args_get(a, "description"),
	};
	return svc_invoice_add(ctx, &in, out, err);
}

static int do_show(owed_ctx *ctx, const cli_args *a, owed_invoice *out, owed_error *err)
{
	return svc_invoice_get(ctx, a->pos[0], out, err);
}

static int do_credit(owed_ctx *ctx, const cli_args *a, owed_invoice *out, owed_error *err)
{
	return svc_invoice_credit(ctx, a->pos[0], args_get(a, "amount"), args_get(a, "date"),
	                          args_get(a, "number"), args_get(a, "reason"), out, err);
}

static int do_writeoff(owed_ctx *ctx, const cli_args *a, owed_invoice *out, owed_error *err)
{
	return svc_invoice_writeoff(ctx, a->pos[0], args_get(a, "amount"), args_get(a, "date"),
	                            args_get(a, "reason"), out, err);
}

static int do_charge(owed_ctx *ctx, const cli_args *a, owed_invoice *out, owed_error *err)
{
	return svc_invoice_charge(ctx, a->pos[0], args_get(a, "kind"), args_get(a, "amount"),
	                          args_get(a, "date"), args_get(a, "description"), out, err);
}

int cmd_invoice_add(const cli_args *a)      { return run_on_invoice(a, 0, do_add); }
int cmd_invoice_show(const cli_args *a)     { return run_on_invoice(a, 1, do_show); }
int cmd_invoice_credit(const cli_args *a)   { return run_on_invoice(a, 1, do_credit); }
int cmd_invoice_writeoff(const cli_args *a) { return run_on_invoice(a, 1, do_writeoff); }
int cmd_invoice_charge(const cli_args *a)   { return run_on_invoice(a, 1, do_charge); }

typedef struct invoice_list {
	const owed_ctx *ctx;
	cli_list out;
} invoice_list;

static int list_one(const owed_invoice *inv, void *ud)
{
	invoice_list *l = ud;
	char due[16], amount[48], open[48];
	const char *row[7];
	if (l->out.json) {
		cJSON_AddItemToArray(l->out.json, render_invoice(inv));
		return 0;
	}
	row[0] = inv->number;
	row[1] = inv->debtor_number;
	row[2] = inv->debtor_name;
	row[3] = out_date(due, sizeof due, inv->due_date);
	row[4] = out_money(amount, sizeof amount, inv->amount, inv->currency, l->ctx->locale);
	row[5] = out_money(open, sizeof open, inv->open, inv->currency, l->ctx->locale);
	row[6] = ledger_status_name(inv->status);
	table_add(l->out.table, row);
	return 0;
}

int cmd_invoice_list(const cli_args *a)
{
	static const char *const head[] = { "number", "debtor", "name", "due", "amount", "open",
	                                    "status" };
	const char *limit = args_get(a, "limit");
	svc_invoice_query q = {
		.debtor = args_get(a, "debtor"), .open_only = args_get(a, "open") != NULL,
		.overdue_only = args_get(a, "overdue") != NULL,
	};
	owed_error err = { 0 };
	owed_ctx ctx;
	invoice_list l = { &ctx, { 0 } };
	char *end;
	long n;
	int rc;
	if ((rc = args_want_pos(a, 0, 0)))
		return rc;
	if (limit) {
		errno = 0;
		n = strtol(limit, &end, 10);
		if (errno || end == limit || *end || n <= 0 || n > INT_MAX) {
			out_error("limit: '%s' is not a positive whole number", limit);
			return EXIT_INPUT;
		}
		q.limit = (int)n;
	}
	if ((rc = cli_session(a, &ctx)))
		return rc;
	cli_list_open(&l.out, a, 7, head, "llllrrl");
	rc = svc_invoice_list(&ctx, &q, list_one, &l, &err);
	svc_close(&ctx);
	return cli_list_close(&l.out, rc, &err);
}
