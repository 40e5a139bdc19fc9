/*
 * payment.c -- booking a payment and allocating it to invoices.
 *
 * The payment, its allocations, the invoices' new totals and the events (one for the payment,
 * one per invoice it settles, so each invoice's dossier shows what paid it) are one
 * transaction: a refused allocation leaves no payment behind.
 */
#include <string.h>

#include "core/money.h"
#include "core/ref.h"
#include "services/internal.h"

static int read_payment(owed_ctx *ctx, const svc_payment_input *in, owed_payment *p,
                        owed_error *err)
{
	owed_debtor d;
	int rc;

	memcpy(p->currency, ctx->admin.currency, sizeof p->currency);
	if (!in->amount)
		return svc_fail(err, OWED_EUSAGE, "amount: the payment amount is required (--amount)");
	if ((in->currency && svc_read_currency("currency", in->currency, p->currency, err)) ||
	    svc_read_amount(ctx, "amount", in->amount, p->currency, &p->amount, err) ||
	    (in->counterparty && svc_read_text("counterparty", in->counterparty, p->counterparty,
	                                       sizeof p->counterparty, err)) ||
	    (in->iban && *in->iban && svc_read_iban("iban", in->iban, p->iban, sizeof p->iban,
	                                            err)) ||
	    (in->remittance && svc_read_text("remittance", in->remittance, p->remittance,
	                                     sizeof p->remittance, err)) ||
	    (in->source && svc_read_text("source", in->source, p->source, sizeof p->source, err)))
		return err->code;
	if (in->date) {
		if (svc_read_date("date", in->date, &p->date, err))
			return err->code;
	} else
		date_today(&p->date);
	if (in->debtor) {
		if ((rc = svc_find_debtor(ctx, "debtor", in->debtor, &d, err)) != 0)
			return rc;
		p->debtor_id = d.id;
	}
	p->admin_id = ctx->admin.id;
	p->unallocated = p->amount;
	return 0;
}

int svc_allocation_check(const owed_invoice *inv, const owed_payment *p, int64_t amount,
                         owed_error *err)
{
	const char *why = "";
	char a1[32], o[32], u[32];
	int exp, rc = ledger_check_allocation(inv, p, amount, &why);
	if (rc == 0)
		return 0;
	exp = money_exponent(inv->currency);
	money_format(amount, exp, NULL, "C", MONEY_FMT_PLAIN, a1, sizeof a1);
	money_format(inv->open, exp, NULL, "C", MONEY_FMT_PLAIN, o, sizeof o);
	money_format(p->unallocated, exp, NULL, "C", MONEY_FMT_PLAIN, u, sizeof u);
	return svc_fail(err, rc, "allocate: %s %s to invoice %s (%s, open %s; payment in %s, "
	                "unallocated %s) refused: %s", inv->currency, a1, inv->number,
	                inv->currency, o, p->currency, u, why);
}

int svc_allocation_book(owed_ctx *ctx, const owed_payment *p, const owed_invoice *inv,
                        int64_t amount, const char *reason, cJSON *list, owed_error *err)
{
	cJSON *ev, *item;
	int rc;
	if ((rc = store_allocation_insert(ctx->st, p->id, inv->id, amount, reason, NULL)) != 0 ||
	    (rc = store_invoice_save_totals(ctx->st, inv)) != 0)
		return svc_store_fail(ctx, rc, "allocating the payment", err);
	if (list) {
		item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "invoice", inv->number);
		svc_json_money(item, "amount", amount, inv->currency);
		cJSON_AddItemToArray(list, item);
	}
	ev = cJSON_CreateObject();
	cJSON_AddNumberToObject(ev, "payment", (double)p->id);
	cJSON_AddStringToObject(ev, "currency", inv->currency);
	svc_json_money(ev, "amount", amount, inv->currency);
	svc_json_money(ev, "open", inv->open, inv->currency);
	if (reason && *reason && strcmp(reason, "manual") != 0)
		cJSON_AddStringToObject(ev, "matched_by", reason);
	return svc_event(ctx, "invoice", inv->id, inv->debtor_id, inv->id, "allocated", ev, err);
}

int svc_allocate(owed_ctx *ctx, owed_payment *p, owed_invoice *inv, int64_t amount,
                 const char *reason, cJSON *list, owed_error *err)
{
	int rc;
	if ((rc = svc_allocation_check(inv, p, amount, err)) != 0)
		return rc;
	if (!p->debtor_id)
		p->debtor_id = inv->debtor_id;
	if (!p->id && (rc = store_payment_insert(ctx->st, p)) != 0)
		return svc_store_fail(ctx, rc, "booking the payment", err);
	inv->allocated += amount;
	p->unallocated -= amount;
	if ((rc = ledger_open(inv, &inv->open)) != 0)
		return svc_store_fail(ctx, rc, "allocating the payment", err);
	return svc_allocation_book(ctx, p, inv, amount, reason, list, err);
}

static int allocate(owed_ctx *ctx, owed_payment *p, const svc_allocation_input *a,
                    cJSON *list, owed_error *err)
{
	owed_invoice inv;
	int64_t amount;
	int rc;

	if ((rc = svc_find_invoice(ctx, "allocate", a->invoice, &inv, err)) != 0)
		return rc;
	if (a->amount) {
		if (svc_read_amount(ctx, "allocate", a->amount, inv.currency, &amount, err))
			return err->code;
	} else if (inv.open <= 0)
		return svc_fail(err, OWED_EREFUSED, "allocate: invoice %s has nothing open (status %s)",
		                inv.number, ledger_status_name(inv.status));
	else if (p->unallocated <= 0)
		return svc_fail(err, OWED_EREFUSED, "allocate: nothing is left of the payment for "
		                "invoice %s", inv.number);
	else
		amount = inv.open < p->unallocated ? inv.open : p->unallocated;
	return svc_allocate(ctx, p, &inv, amount, "manual", list, err);
}

int svc_payment_add(owed_ctx *ctx, const svc_payment_input *in, owed_payment *out,
                    owed_error *err)
{
	owed_payment p = { 0 };
	cJSON *ev, *list;
	int rc;

	if ((rc = read_payment(ctx, in, &p, err)) != 0)
		return rc;
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "booking the payment", err);
	/* With no debtor named, the payment is inserted by the first allocation, which names it. */
	if ((p.debtor_id || in->nalloc == 0) && (rc = store_payment_insert(ctx->st, &p)) != 0)
		svc_store_fail(ctx, rc, "booking the payment", err);
	list = cJSON_CreateArray();
	for (size_t i = 0; rc == 0 && i < in->nalloc; i++)
		rc = allocate(ctx, &p, &in->alloc[i], list, err);
	if (rc == 0 && (rc = store_payment_save_unallocated(ctx->st, &p)) != 0)
		svc_store_fail(ctx, rc, "booking the payment", err);
	if (rc == 0) {
		ev = cJSON_CreateObject();
		svc_json_date(ev, "date", p.date);
		cJSON_AddStringToObject(ev, "currency", p.currency);
		svc_json_money(ev, "amount", p.amount, p.currency);
		svc_json_money(ev, "unallocated", p.unallocated, p.currency);
		if (p.counterparty[0])
			cJSON_AddStringToObject(ev, "counterparty", p.counterparty);
		if (p.iban[0])
			cJSON_AddStringToObject(ev, "iban", p.iban);
		if (p.remittance[0])
			cJSON_AddStringToObject(ev, "remittance", p.remittance);
		cJSON_AddItemToObject(ev, "allocations", list);
		list = NULL;
		rc = svc_event(ctx, "payment", p.id, p.debtor_id, 0, "received", ev, err);
	}
	cJSON_Delete(list);
	if ((rc = svc_end_tx(ctx, rc, "booking the payment", err)) != 0)
		return rc;
	return out ? store_payment_get(ctx->st, p.id, out) : 0;
}

int svc_payment_list(owed_ctx *ctx, const char *debtor, store_payment_cb cb, void *ud,
                     owed_error *err)
{
	owed_debtor d = { 0 };
	int rc;
	if (debtor && (rc = svc_find_debtor(ctx, "debtor", debtor, &d, err)) != 0)
		return rc;
	rc = store_payment_each(ctx->st, ctx->admin.id, d.id, cb, ud);
	return rc ? svc_store_fail(ctx, rc, "listing payments", err) : 0;
}
