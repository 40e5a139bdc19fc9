/*
 * session.c -- what every command does around its service call: open the ledger, report a
 * failure, print entities.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands/commands.h"

int cli_session(const cli_args *a, owed_ctx *ctx)
{
	owed_error err = { 0 };
	if (svc_open(svc_db_path(a->db), a->admin, ctx, &err) != 0)
		return cli_fail(&err);
	return 0;
}

int cli_fail(const owed_error *err)
{
	out_error("%s", err->msg);
	return out_exit_code(err->code);
}

void cli_list_open(cli_list *l, const cli_args *a, int ncols, const char *const *head,
                   const char *align)
{
	l->json = a->json ? cJSON_CreateArray() : NULL;
	l->table = a->json ? NULL : table_new(ncols, head, align);
}

int cli_list_close(cli_list *l, int rc, const owed_error *err)
{
	if (rc == 0) {
		if (l->json)
			out_json(l->json);
		else
			table_print(l->table);
	} else
		cJSON_Delete(l->json);
	table_free(l->table);
	return rc ? cli_fail(err) : EXIT_OK;
}

void print_debtor(const owed_ctx *ctx, const owed_debtor *d)
{
	char buf[64], terms[32];
	const char *cur = ctx->admin.currency;
	snprintf(terms, sizeof terms, "%d days", d->terms_days ? d->terms_days
	                                                      : ctx->admin.terms_days);
	out_field("number", d->number);
	out_field("name", d->name);
	out_field("kind", ledger_debtor_kind_name(d->kind));
	out_field("country", d->country);
	out_field("language", d->language);
	out_field("email", d->email);
	out_field("address", d->address);
	out_field("iban", d->iban);
	out_field("tags", d->tags);
	out_field("external ids", d->external_ids);
	out_field("terms", terms);
	out_field("credit limit", d->credit_limit ? out_money(buf, sizeof buf, d->credit_limit, cur,
	                                                      ctx->locale) : "");
	out_field("open", out_money(buf, sizeof buf, d->open_total, cur, ctx->locale));
	out_field("overdue", out_money(buf, sizeof buf, d->overdue_total, cur, ctx->locale));
	out_field("policy", d->policy[0] ? d->policy : "(by country and kind)");
	out_field("credit hold", d->credit_hold ? "YES: no new credit" : "no");
}

void print_invoice(const owed_ctx *ctx, const owed_invoice *inv)
{
	char buf[64], who[256];
	const char *cur = inv->currency, *loc = ctx->locale;
	snprintf(who, sizeof who, "%s %s", inv->debtor_number, inv->debtor_name);
	out_field("number", inv->number);
	out_field("debtor", who);
	out_field("issued", out_date(buf, sizeof buf, inv->issue_date));
	out_field("due", out_date(buf, sizeof buf, inv->due_date));
	out_field("description", inv->description);
	out_field("reference", inv->reference);
	out_field("amount", out_money(buf, sizeof buf, inv->amount, cur, loc));
	out_field("  of which VAT", out_money(buf, sizeof buf, inv->vat, cur, loc));
	out_field("charges", out_money(buf, sizeof buf, inv->charges, cur, loc));
	out_field("paid", out_money(buf, sizeof buf, inv->allocated, cur, loc));
	out_field("credited", out_money(buf, sizeof buf, inv->credited, cur, loc));
	out_field("written off", out_money(buf, sizeof buf, inv->written_off, cur, loc));
	out_field("open", out_money(buf, sizeof buf, inv->open, cur, loc));
	out_field("status", ledger_status_name(inv->status));
}

void print_aging(const owed_ctx *ctx, const svc_aging *ag)
{
	static const char *const head[] = { "currency", "current", "1-30", "31-60", "61-90",
	                                    "91-120", "over 120", "total", "invoices" };
	char cells[9][48], date[16];
	const char *row[9];
	out_table *t = table_new(9, head, "lrrrrrrrr");
	for (size_t i = 0; i < ag->n; i++) {
		const svc_aging_row *r = &ag->row[i];
		snprintf(cells[0], sizeof cells[0], "%s", r->currency);
		for (int b = 0; b < AGING_BUCKETS; b++)
			out_money(cells[1 + b], sizeof cells[0], r->bucket[b], r->currency, ctx->locale);
		out_money(cells[7], sizeof cells[0], r->total, r->currency, ctx->locale);
		snprintf(cells[8], sizeof cells[0], "%lld", (long long)r->invoices);
		for (int c = 0; c < 9; c++)
			row[c] = cells[c];
		table_add(t, row);
	}
	printf("Aging as on %s (days past due)\n", out_date(date, sizeof date, ag->asof));
	table_print(t);
	table_free(t);
}
