/*
 * payment.c -- `owed payment ...`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands/commands.h"
#include "core/money.h"
#include "services/render.h"

size_t cli_read_allocations(const char *const *words, int n, svc_allocation_input *alloc,
                            char (*text)[128])
{
	for (int i = 0; i < n; i++) {
		char *eq;
		snprintf(text[i], sizeof text[i], "%s", words[i]);
		eq = strchr(text[i], '=');
		if (eq)
			*eq = '\0';
		alloc[i] = (svc_allocation_input){ text[i], eq ? eq + 1 : NULL };
	}
	return (size_t)(n > 0 ? n : 0);
}

int cmd_payment_add(const cli_args *a)
{
	svc_allocation_input alloc[ARGS_MAX_MULTI];
	char text[ARGS_MAX_MULTI][128];
	svc_payment_input in = {
		.date = args_get(a, "date"), .amount = args_get(a, "amount"),
		.currency = args_get(a, "currency"), .debtor = args_get(a, "debtor"),
		.counterparty = args_get(a, "counterparty"), .iban = args_get(a, "iban"),
		.remittance = args_get(a, "remittance"), .alloc = alloc,
	};
	owed_error err = { 0 };
	owed_payment p;
	owed_ctx ctx;
	char buf[48];
	int rc;

	if ((rc = args_want_pos(a, 0, 0)))
		return rc;
	in.nalloc = cli_read_allocations(a->multi, a->nmulti, alloc, text);
	if ((rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_payment_add(&ctx, &in, &p, &err);
	if (rc) {
		svc_close(&ctx);
		return cli_fail(&err);
	}
	if (a->json)
		out_json(render_payment(&p));
	else {
		printf("payment %lld booked: %s", (long long)p.id,
		       out_money(buf, sizeof buf, p.amount, p.currency, ctx.locale));
		printf(", unallocated %s\n",
		       out_money(buf, sizeof buf, p.unallocated, p.currency, ctx.locale));
	}
	svc_close(&ctx);
	return EXIT_OK;
}

typedef struct payment_list {
	const owed_ctx *ctx;
	cli_list out;
} payment_list;

static int list_one(const owed_payment *p, void *ud)
{
	payment_list *l = ud;
	char id[24], date[16], amount[48], left[48];
	const char *row[6];
	if (l->out.json) {
		cJSON_AddItemToArray(l->out.json, render_payment(p));
		return 0;
	}
	snprintf(id, sizeof id, "%lld", (long long)p->id);
	row[0] = id;
	row[1] = out_date(date, sizeof date, p->date);
	row[2] = out_money(amount, sizeof amount, p->amount, p->currency, l->ctx->locale);
	row[3] = out_money(left, sizeof left, p->unallocated, p->currency, l->ctx->locale);
	row[4] = p->counterparty;
	row[5] = p->remittance;
	table_add(l->out.table, row);
	return 0;
}

int cmd_payment_list(const cli_args *a)
{
	static const char *const head[] = { "id", "date", "amount", "unallocated", "counterparty",
	                                    "remittance" };
	owed_error err = { 0 };
	owed_ctx ctx;
	payment_list l = { &ctx, { 0 } };
	int rc;
	if ((rc = args_want_pos(a, 0, 0)) || (rc = cli_session(a, &ctx)))
		return rc;
	cli_list_open(&l.out, a, 6, head, "rlrrll");
	rc = svc_payment_list(&ctx, args_get(a, "debtor"), list_one, &l, &err);
	svc_close(&ctx);
	return cli_list_close(&l.out, rc, &err);
}
