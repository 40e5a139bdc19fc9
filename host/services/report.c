/*
 * report.c -- reading the ledger back: dossiers and the aging summary.
 */
#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "services/internal.h"

int svc_dossier_debtor(owed_ctx *ctx, const char *number, store_event_cb cb, void *ud,
                       owed_error *err)
{
	owed_debtor d;
	int rc = svc_find_debtor(ctx, "debtor", number, &d, err);
	if (rc == 0 && (rc = store_events_of_debtor(ctx->st, d.id, cb, ud)) != 0)
		return svc_store_fail(ctx, rc, "reading the dossier", err);
	return rc;
}

int svc_dossier_invoice(owed_ctx *ctx, const char *number, store_event_cb cb, void *ud,
                        owed_error *err)
{
	owed_invoice inv;
	int rc = svc_find_invoice(ctx, "invoice", number, &inv, err);
	if (rc == 0 && (rc = store_events_of_invoice(ctx->st, inv.id, cb, ud)) != 0)
		return svc_store_fail(ctx, rc, "reading the dossier", err);
	return rc;
}

static svc_aging_row *aging_row(svc_aging *a, const char *currency)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->row[i].currency, currency) == 0)
			return &a->row[i];
	if (a->n == SVC_AGING_MAX_CURRENCIES)
		return NULL;
	memset(&a->row[a->n], 0, sizeof a->row[0]);
	snprintf(a->row[a->n].currency, sizeof a->row[0].currency, "%s", currency);
	return &a->row[a->n++];
}

static int aging_add(const char *currency, owed_date due, int64_t open, void *ud)
{
	svc_aging *a = ud;
	svc_aging_row *r = aging_row(a, currency);
	int b = ledger_aging_bucket(due, a->asof);
	if (!r)
		return OWED_EREFUSED;
	if (money_add(r->bucket[b], open, &r->bucket[b]) || money_add(r->total, open, &r->total))
		return OWED_EOVERFLOW;
	r->invoices++;
	return 0;
}

int svc_aging_report(owed_ctx *ctx, owed_date asof, svc_aging *out, owed_error *err)
{
	int rc;
	memset(out, 0, sizeof *out);
	if (asof)
		out->asof = asof;
	else
		date_today(&out->asof);
	rc = store_open_each(ctx->st, ctx->admin.id, aging_add, out);
	if (rc == OWED_EREFUSED)
		return svc_fail(err, rc, "aging: more than %d currencies", SVC_AGING_MAX_CURRENCIES);
	if (rc == OWED_EOVERFLOW)
		return svc_fail(err, rc, "aging: the totals overflow");
	return rc ? svc_store_fail(ctx, rc, "reading open invoices", err) : 0;
}

int svc_letters(owed_ctx *ctx, const char *debtor, store_letter_row_fn cb, void *ud,
                owed_error *err)
{
	owed_debtor d;
	int rc = svc_find_debtor(ctx, "debtor", debtor, &d, err);
	if (rc == 0 && (rc = store_letters_of_debtor(ctx->st, d.id, cb, ud)) != 0)
		return svc_store_fail(ctx, rc, "reading the letters", err);
	return rc;
}

int svc_sums(owed_ctx *ctx, int what, owed_date from, owed_date to, store_sum_cb cb, void *ud,
             owed_error *err)
{
	int rc = store_sums(ctx->st, what, ctx->admin.id, from, to, cb, ud);
	return rc ? svc_store_fail(ctx, rc, "summing", err) : 0;
}
