/*
 * invoice.c -- invoices and the movements that change what is open on them: credit notes,
 * write-offs and charges.  (Allocations come with payments, payment.c.)
 *
 * Each movement is read, checked by the core (ledger_check_*), written with the invoice's new
 * totals and one dossier event, in one transaction.
 */
#include <string.h>

#include "core/money.h"
#include "core/ref.h"
#include "services/internal.h"

static cJSON *invoice_payload(const owed_invoice *inv)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "number", inv->number);
	cJSON_AddStringToObject(p, "currency", inv->currency);
	svc_json_money(p, "open", inv->open, inv->currency);
	return p;
}

int svc_invoice_add(owed_ctx *ctx, const svc_invoice_input *in, owed_invoice *out,
                    owed_error *err)
{
	owed_invoice inv = { .admin_id = ctx->admin.id };
	owed_debtor d;
	cJSON *p;
	int rc, terms;

	if (!in->number || !*in->number)
		return svc_fail(err, OWED_EUSAGE, "number: an invoice number is required (--number)");
	if (!in->amount)
		return svc_fail(err, OWED_EUSAGE, "amount: the invoice amount is required (--amount)");
	if ((rc = svc_find_debtor(ctx, "debtor", in->debtor, &d, err)) != 0)
		return rc;
	memcpy(inv.currency, ctx->admin.currency, sizeof inv.currency);
	if (svc_read_text("number", in->number, inv.number, sizeof inv.number, err) ||
	    (in->currency && svc_read_currency("currency", in->currency, inv.currency, err)) ||
	    svc_read_amount(ctx, "amount", in->amount, inv.currency, &inv.amount, err) ||
	    (in->vat && svc_read_amount_or_zero(ctx, "vat", in->vat, inv.currency, &inv.vat,
	                                        err)) ||
	    (in->reference && *in->reference &&
	     svc_read_reference("reference", in->reference, inv.reference, sizeof inv.reference,
	                        err)) ||
	    (in->description && svc_read_text("description", in->description, inv.description,
	                                      sizeof inv.description, err)))
		return err->code;
	if (inv.vat > inv.amount)
		return svc_fail(err, OWED_EINPUT, "vat: '%s' is more than the amount '%s' (the amount "
		                "includes VAT)", in->vat, in->amount);
	if (in->issue_date) {
		if (svc_read_date("issue-date", in->issue_date, &inv.issue_date, err))
			return err->code;
	} else
		date_today(&inv.issue_date);
	terms = d.terms_days ? d.terms_days : ctx->admin.terms_days;
	if (in->due_date) {
		if (svc_read_date("due-date", in->due_date, &inv.due_date, err))
			return err->code;
		if (inv.due_date < inv.issue_date)
			return svc_fail(err, OWED_EINPUT, "due-date: '%s' is before the issue date",
			                in->due_date);
	} else if (date_add_days(inv.issue_date, terms, &inv.due_date) != 0)
		return svc_fail(err, OWED_EINPUT, "issue-date: out of range");
	inv.debtor_id = d.id;

	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "adding the invoice", err);
	rc = store_invoice_insert(ctx->st, &inv);
	if (rc == OWED_EEXIST)    /* returned as is: err->code must be what the caller gets */
		svc_fail(err, OWED_EEXIST, "number: invoice '%s' exists already (invoice numbers "
		         "are unique per administration)", inv.number);
	else if (rc)
		svc_store_fail(ctx, rc, "adding the invoice", err);
	else {
		p = invoice_payload(&inv);
		cJSON_AddStringToObject(p, "debtor", d.number);
		svc_json_date(p, "issue_date", inv.issue_date);
		svc_json_date(p, "due_date", inv.due_date);
		svc_json_money(p, "amount", inv.amount, inv.currency);
		svc_json_money(p, "vat", inv.vat, inv.currency);
		if (inv.reference[0])
			cJSON_AddStringToObject(p, "reference", inv.reference);
		rc = svc_event(ctx, "invoice", inv.id, d.id, inv.id, "created", p, err);
	}
	if ((rc = svc_end_tx(ctx, rc, "adding the invoice", err)) != 0)
		return rc;
	return out ? svc_invoice_get(ctx, inv.number, out, err) : 0;
}

int svc_invoice_get(owed_ctx *ctx, const char *number, owed_invoice *out, owed_error *err)
{
	return svc_find_invoice(ctx, "invoice", number, out, err);
}

int svc_invoice_by_reference(owed_ctx *ctx, const char *reference, owed_invoice *out,
                             owed_error *err)
{
	char canon[40];
	ref_kind kind;
	int rc;
	if (ref_check(reference, &kind) != 0 || ref_normalize(reference, kind, canon,
	                                                      sizeof canon) != 0)
		return OWED_ENOTFOUND;
	rc = store_invoice_by_reference(ctx->st, ctx->admin.id, canon, out);
	if (rc == OWED_EIO)
		return svc_store_fail(ctx, rc, "reading invoices", err);
	return rc;
}

int svc_invoice_list(owed_ctx *ctx, const svc_invoice_query *q, store_invoice_cb cb, void *ud,
                     owed_error *err)
{
	store_invoice_filter f = { .open_only = q->open_only || q->overdue_only,
	                           .limit = q->limit, .after_due = q->after_due,
	                           .after_number = q->after_number };
	owed_debtor d;
	int rc;
	if (q->debtor) {
		if ((rc = svc_find_debtor(ctx, "debtor", q->debtor, &d, err)) != 0)
			return rc;
		f.debtor_id = d.id;
	}
	if (q->overdue_only)
		date_today(&f.overdue_on);
	rc = store_invoice_each(ctx->st, ctx->admin.id, &f, cb, ud);
	return rc ? svc_store_fail(ctx, rc, "listing invoices", err) : 0;
}

/* ------------------------------------------------------------------ movements */

typedef enum { MOVE_CREDIT, MOVE_WRITEOFF, MOVE_CHARGE } move_kind;

typedef struct movement {
	move_kind kind;
	const char *amount_text;    /* NULL: all that is open (write-off) */
	owed_date date;
	const char *number, *reason, *charge_kind;
} movement;

static const char *const move_names[] = { "credited", "written off", "charged" };

static int check_movement(const owed_invoice *inv, const movement *m, int64_t amount,
                          const char **why)
{
	switch (m->kind) {
	case MOVE_CREDIT:   return ledger_check_credit(inv, inv->currency, amount, why);
	case MOVE_WRITEOFF: return ledger_check_writeoff(inv, amount, why);
	default:            return ledger_check_charge(inv, inv->currency, amount, why);
	}
}

static int insert_movement(owed_ctx *ctx, owed_invoice *inv, const movement *m, int64_t amount)
{
	switch (m->kind) {
	case MOVE_CREDIT:
		inv->credited += amount;
		return store_credit_insert(ctx->st, inv->id, m->number, m->date, amount, m->reason,
		                           NULL);
	case MOVE_WRITEOFF:
		inv->written_off += amount;
		return store_writeoff_insert(ctx->st, inv->id, m->date, amount, m->reason, NULL);
	default:
		inv->charges += amount;
		return store_charge_insert(ctx->st, inv->id, m->date, m->charge_kind, m->reason,
		                           amount, NULL);
	}
}

static int move(owed_ctx *ctx, const char *number, const movement *m, owed_invoice *out,
                owed_error *err)
{
	static const char *const events[] = { "credited", "written_off", "charged" };
	owed_invoice inv;
	const char *why = "";
	int64_t amount;
	cJSON *p;
	int rc;

	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "changing the invoice", err);
	if ((rc = svc_find_invoice(ctx, "invoice", number, &inv, err)) != 0)
		goto done;
	if (m->amount_text)
		rc = svc_read_amount(ctx, "amount", m->amount_text, inv.currency, &amount, err);
	else if ((amount = inv.open) <= 0)
		rc = svc_fail(err, OWED_EREFUSED, "invoice: %s has nothing open to be %s (status %s)",
		              inv.number, move_names[m->kind], ledger_status_name(inv.status));
	if (rc)
		goto done;
	if ((rc = check_movement(&inv, m, amount, &why)) != 0) {
		char a[32], o[32];
		money_format(amount, money_exponent(inv.currency), inv.currency, "C",
		             MONEY_FMT_PLAIN, a, sizeof a);
		money_format(inv.open, money_exponent(inv.currency), inv.currency, "C",
		             MONEY_FMT_PLAIN, o, sizeof o);
		rc = svc_fail(err, rc, "amount: %s %s cannot be %s on invoice %s (open %s): %s",
		              inv.currency, a, move_names[m->kind], inv.number, o, why);
		goto done;
	}
	if ((rc = insert_movement(ctx, &inv, m, amount)) != 0 ||
	    (rc = ledger_open(&inv, &inv.open)) != 0 ||
	    (rc = store_invoice_save_totals(ctx->st, &inv)) != 0) {
		svc_store_fail(ctx, rc, "changing the invoice", err);
		goto done;
	}
	p = invoice_payload(&inv);
	svc_json_money(p, "amount", amount, inv.currency);
	svc_json_date(p, "date", m->date);
	if (m->number && *m->number)
		cJSON_AddStringToObject(p, "credit_note", m->number);
	if (m->charge_kind)
		cJSON_AddStringToObject(p, "charge", m->charge_kind);
	if (m->reason && *m->reason)
		cJSON_AddStringToObject(p, "reason", m->reason);
	if ((rc = svc_event(ctx, "invoice", inv.id, inv.debtor_id, inv.id, events[m->kind], p,
	                    err)) == 0 && (rc = store_commit(ctx->st)) != 0)
		svc_store_fail(ctx, rc, "changing the invoice", err);
done:
	if (rc) {
		store_rollback(ctx->st);
		return rc;
	}
	return out ? svc_invoice_get(ctx, number, out, err) : 0;
}

static int movement_date(const char *text, owed_date *out, owed_error *err)
{
	if (!text)
		return date_today(out);
	return svc_read_date("date", text, out, err);
}

int svc_invoice_credit(owed_ctx *ctx, const char *invoice, const char *amount, const char *date,
                       const char *credit_number, const char *reason, owed_invoice *out,
                       owed_error *err)
{
	movement m = { .kind = MOVE_CREDIT, .amount_text = amount, .number = credit_number,
	               .reason = reason };
	if (!amount)
		return svc_fail(err, OWED_EUSAGE, "amount: the credit amount is required (--amount)");
	if (movement_date(date, &m.date, err))
		return err->code;
	return move(ctx, invoice, &m, out, err);
}

int svc_invoice_writeoff(owed_ctx *ctx, const char *invoice, const char *amount,
                         const char *date, const char *reason, owed_invoice *out,
                         owed_error *err)
{
	movement m = { .kind = MOVE_WRITEOFF, .amount_text = amount, .reason = reason };
	if (movement_date(date, &m.date, err))
		return err->code;
	return move(ctx, invoice, &m, out, err);
}

int svc_invoice_charge(owed_ctx *ctx, const char *invoice, const char *kind, const char *amount,
                       const char *date, const char *description, owed_invoice *out,
                       owed_error *err)
{
	movement m = { .kind = MOVE_CHARGE, .amount_text = amount, .reason = description,
	               .charge_kind = kind && *kind ? kind : "fee" };
	if (!amount)
		return svc_fail(err, OWED_EUSAGE, "amount: the charge amount is required (--amount)");
	if (movement_date(date, &m.date, err))
		return err->code;
	return move(ctx, invoice, &m, out, err);
}
