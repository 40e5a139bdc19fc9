/*
 * debtor.c -- `owed init` and `owed debtor ...`.
 */
#include <stdio.h>

#include "cli/commands/commands.h"
#include "services/render.h"

int cmd_init(const cli_args *a)
{
	svc_admin_input in = {
		.name = args_get(a, "name"), .code = args_get(a, "code"),
		.address = args_get(a, "address"), .country = args_get(a, "country"),
		.kvk = args_get(a, "kvk"), .vat = args_get(a, "vat"), .iban = args_get(a, "iban"),
		.currency = args_get(a, "currency"), .terms_days = args_get(a, "terms"),
		.cannot_deduct_vat = args_get(a, "cannot-deduct-vat"),
		.creditor_id = args_get(a, "creditor-id"), .bic = args_get(a, "bic"),
	};
	const char *path = svc_db_path(a->db);
	owed_error err = { 0 };
	if (args_want_pos(a, 0, 0))
		return EXIT_USAGE;
	if (svc_init(path, &in, &err) != 0)
		return cli_fail(&err);
	if (a->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "database", path);
		out_json(o);
	} else
		printf("created %s\n", path);
	return EXIT_OK;
}

static svc_debtor_input debtor_input(const cli_args *a)
{
	svc_debtor_input in = {
		.number = args_get(a, "number"), .name = args_get(a, "name"),
		.kind = args_get(a, "kind"), .country = args_get(a, "country"),
		.language = args_get(a, "language"), .email = args_get(a, "email"),
		.address = args_get(a, "address"), .iban = args_get(a, "iban"),
		.tags = args_get(a, "tags"), .external_ids = args_get(a, "external-ids"),
		.terms_days = args_get(a, "terms"), .credit_limit = args_get(a, "credit-limit"),
		.policy = args_get(a, "policy"), .credit_hold = args_get(a, "credit-hold"),
	};
	return in;
}

static int show_result(const cli_args *a, owed_ctx *ctx, const owed_debtor *d)
{
	if (a->json)
		out_json(render_debtor(d, ctx->admin.currency));
	else
		print_debtor(ctx, d);
	svc_close(ctx);
	return EXIT_OK;
}

int cmd_debtor_add(const cli_args *a)
{
	svc_debtor_input in = debtor_input(a);
	owed_error err = { 0 };
	owed_debtor d;
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 0, 0)) || (rc = cli_session(a, &ctx)))
		return rc;
	if (svc_debtor_add(&ctx, &in, &d, &err) != 0) {
		svc_close(&ctx);
		return cli_fail(&err);
	}
	return show_result(a, &ctx, &d);
}

int cmd_debtor_edit(const cli_args *a)
{
	svc_debtor_input in = debtor_input(a);
	owed_error err = { 0 };
	owed_debtor d;
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)) || (rc = cli_session(a, &ctx)))
		return rc;
	if (svc_debtor_edit(&ctx, a->pos[0], &in, &d, &err) != 0) {
		svc_close(&ctx);
		return cli_fail(&err);
	}
	return show_result(a, &ctx, &d);
}

typedef struct open_rows { const owed_ctx *ctx; out_table *t; } open_rows;

static int open_row(const owed_invoice *inv, void *ud)
{
	open_rows *o = ud;
	char due[16], amount[48], open[48];
	const char *row[5] = { inv->number, out_date(due, sizeof due, inv->due_date), amount, open,
	                       ledger_status_name(inv->status) };
	out_money(amount, sizeof amount, inv->amount, inv->currency, o->ctx->locale);
	out_money(open, sizeof open, inv->open, inv->currency, o->ctx->locale);
	table_add(o->t, row);
	return 0;
}

int cmd_debtor_show(const cli_args *a)
{
	static const char *const head[] = { "invoice", "due", "amount", "open", "status" };
	svc_invoice_query q = { .debtor = a->npos ? a->pos[0] : NULL, .open_only = 1 };
	owed_error err = { 0 };
	owed_debtor d;
	owed_ctx ctx;
	open_rows o;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)) || (rc = cli_session(a, &ctx)))
		return rc;
	if (svc_debtor_get(&ctx, a->pos[0], &d, &err) != 0) {
		svc_close(&ctx);
		return cli_fail(&err);
	}
	if (a->json) {
		cJSON *j = render_debtor(&d, ctx.admin.currency);
		if ((rc = cli_debtor_mandate_show(&ctx, &d, j)) == 0)
			out_json(j);
		else
			cJSON_Delete(j);
		svc_close(&ctx);
		return rc;
	}
	print_debtor(&ctx, &d);
	if ((rc = cli_debtor_mandate_show(&ctx, &d, NULL)) != 0) {
		svc_close(&ctx);
		return rc;
	}
	/* and what it owes: its open invoices, oldest due first */
	o = (open_rows){ &ctx, table_new(5, head, "llrrl") };
	rc = svc_invoice_list(&ctx, &q, open_row, &o, &err);
	if (rc == 0 && d.open_invoices > 0) {
		putchar('\n');
		table_print(o.t);
	}
	table_free(o.t);
	svc_close(&ctx);
	return rc ? cli_fail(&err) : EXIT_OK;
}

typedef struct debtor_list {
	const owed_ctx *ctx;
	cli_list out;
} debtor_list;

static int list_one(const owed_debtor *d, void *ud)
{
	debtor_list *l = ud;
	char open[48], overdue[48], count[16];
	const char *row[7];
	if (l->out.json) {
		cJSON_AddItemToArray(l->out.json, render_debtor(d, l->ctx->admin.currency));
		return 0;
	}
	snprintf(count, sizeof count, "%d", d->open_invoices);
	row[0] = d->number;
	row[1] = d->name;
	row[2] = ledger_debtor_kind_name(d->kind);
	row[3] = d->country;
	row[4] = count;
	row[5] = out_money(open, sizeof open, d->open_total, l->ctx->admin.currency,
	                   l->ctx->locale);
	row[6] = out_money(overdue, sizeof overdue, d->overdue_total, l->ctx->admin.currency,
	                   l->ctx->locale);
	table_add(l->out.table, row);
	return 0;
}

int cmd_debtor_list(const cli_args *a)
{
	static const char *const head[] = { "number", "name", "kind", "country", "invoices",
	                                    "open", "overdue" };
	owed_error err = { 0 };
	owed_ctx ctx;
	debtor_list l = { &ctx, { 0 } };
	int rc;
	if ((rc = args_want_pos(a, 0, 0)) || (rc = cli_session(a, &ctx)))
		return rc;
	cli_list_open(&l.out, a, 7, head, "llllrrr");
	rc = svc_debtor_list(&ctx, list_one, &l, &err);
	svc_close(&ctx);
	return cli_list_close(&l.out, rc, &err);
}
