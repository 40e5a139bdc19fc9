/*
 * render.c -- ledger entities as JSON (see render.h).
 */
#include "core/money.h"
#include "services/internal.h"
#include "services/render.h"

cJSON *render_admin(const owed_admin *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", a->code);
	cJSON_AddStringToObject(o, "name", a->name);
	cJSON_AddStringToObject(o, "address", a->address);
	cJSON_AddStringToObject(o, "country", a->country);
	cJSON_AddStringToObject(o, "kvk", a->kvk);
	cJSON_AddStringToObject(o, "vat", a->vat);
	cJSON_AddStringToObject(o, "iban", a->iban);
	cJSON_AddStringToObject(o, "currency", a->currency);
	cJSON_AddNumberToObject(o, "terms_days", a->terms_days);
	cJSON_AddBoolToObject(o, "cannot_deduct_vat", a->cannot_deduct_vat);
	return o;
}

cJSON *render_debtor(const owed_debtor *d, const char *currency)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "number", d->number);
	cJSON_AddStringToObject(o, "name", d->name);
	cJSON_AddStringToObject(o, "kind", ledger_debtor_kind_name(d->kind));
	cJSON_AddStringToObject(o, "country", d->country);
	cJSON_AddStringToObject(o, "language", d->language);
	cJSON_AddStringToObject(o, "email", d->email);
	cJSON_AddStringToObject(o, "address", d->address);
	cJSON_AddStringToObject(o, "iban", d->iban);
	cJSON_AddStringToObject(o, "tags", d->tags);
	cJSON_AddStringToObject(o, "external_ids", d->external_ids);
	cJSON_AddNumberToObject(o, "terms_days", d->terms_days);
	cJSON_AddStringToObject(o, "currency", currency);
	svc_json_money(o, "credit_limit", d->credit_limit, currency);
	svc_json_money(o, "open", d->open_total, currency);
	svc_json_money(o, "overdue", d->overdue_total, currency);
	cJSON_AddNumberToObject(o, "open_invoices", d->open_invoices);
	cJSON_AddStringToObject(o, "policy", d->policy);
	cJSON_AddBoolToObject(o, "credit_hold", d->credit_hold);
	return o;
}

cJSON *render_invoice(const owed_invoice *inv)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "number", inv->number);
	cJSON_AddStringToObject(o, "debtor", inv->debtor_number);
	cJSON_AddStringToObject(o, "debtor_name", inv->debtor_name);
	svc_json_date(o, "issue_date", inv->issue_date);
	svc_json_date(o, "due_date", inv->due_date);
	cJSON_AddStringToObject(o, "currency", inv->currency);
	svc_json_money(o, "amount", inv->amount, inv->currency);
	svc_json_money(o, "vat", inv->vat, inv->currency);
	svc_json_money(o, "charges", inv->charges, inv->currency);
	svc_json_money(o, "allocated", inv->allocated, inv->currency);
	svc_json_money(o, "credited", inv->credited, inv->currency);
	svc_json_money(o, "written_off", inv->written_off, inv->currency);
	svc_json_money(o, "open", inv->open, inv->currency);
	cJSON_AddStringToObject(o, "reference", inv->reference);
	cJSON_AddStringToObject(o, "description", inv->description);
	cJSON_AddStringToObject(o, "status", ledger_status_name(inv->status));
	return o;
}

cJSON *render_payment(const owed_payment *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)p->id);
	svc_json_date(o, "date", p->date);
	cJSON_AddStringToObject(o, "currency", p->currency);
	svc_json_money(o, "amount", p->amount, p->currency);
	svc_json_money(o, "unallocated", p->unallocated, p->currency);
	cJSON_AddStringToObject(o, "counterparty", p->counterparty);
	cJSON_AddStringToObject(o, "iban", p->iban);
	cJSON_AddStringToObject(o, "remittance", p->remittance);
	cJSON_AddStringToObject(o, "source", p->source);
	svc_json_money(o, "returned", p->returned, p->currency);
	cJSON_AddStringToObject(o, "review", p->review);
	return o;
}

/* A bank entry as booked; a debit's amount is negative. */
cJSON *render_import_line(const svc_import_line *l)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "file", l->file);
	cJSON_AddStringToObject(j, "account", l->account);
	cJSON_AddStringToObject(j, "statement", l->statement);
	svc_json_date(j, "date", l->date);
	cJSON_AddStringToObject(j, "currency", l->currency);
	svc_json_money(j, "amount", l->credit ? l->amount : -l->amount, l->currency);
	cJSON_AddStringToObject(j, "counterparty", l->counterparty);
	cJSON_AddStringToObject(j, "outcome", l->outcome);
	cJSON_AddStringToObject(j, "rule", l->rule);
	cJSON_AddStringToObject(j, "why", l->why);
	if (l->payment_id)
		cJSON_AddNumberToObject(j, "payment", (double)l->payment_id);
	return j;
}

cJSON *render_event(const store_event *ev)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *payload = cJSON_Parse(ev->payload ? ev->payload : "{}");
	cJSON_AddNumberToObject(o, "id", (double)ev->id);
	cJSON_AddStringToObject(o, "at", ev->at);
	cJSON_AddStringToObject(o, "actor", ev->actor);
	cJSON_AddStringToObject(o, "entity", ev->entity);
	cJSON_AddStringToObject(o, "kind", ev->kind);
	cJSON_AddItemToObject(o, "payload", payload ? payload : cJSON_CreateObject());
	return o;
}

cJSON *render_aging(const svc_aging *a)
{
	cJSON *o = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(o, "currencies");
	svc_json_date(o, "asof", a->asof);
	for (size_t i = 0; i < a->n; i++) {
		const svc_aging_row *r = &a->row[i];
		cJSON *row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "currency", r->currency);
		for (int b = 0; b < AGING_BUCKETS; b++)
			svc_json_money(row, ledger_aging_label(b), r->bucket[b], r->currency);
		svc_json_money(row, "total", r->total, r->currency);
		cJSON_AddNumberToObject(row, "invoices", (double)r->invoices);
		cJSON_AddItemToArray(rows, row);
	}
	return o;
}

/* The counts of `owed import bank --json`, without the entries. */
cJSON *render_import_result(const svc_import_result *r, int dry_run)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddBoolToObject(j, "dry_run", dry_run);
	cJSON_AddNumberToObject(j, "files", (double)r->files);
	cJSON_AddNumberToObject(j, "statements", (double)r->statements);
	cJSON_AddNumberToObject(j, "statements_skipped", (double)r->statements_skipped);
	cJSON_AddNumberToObject(j, "entries", (double)r->entries);
	cJSON_AddNumberToObject(j, "duplicates", (double)r->duplicates);
	cJSON_AddNumberToObject(j, "matched", (double)r->matched);
	cJSON_AddNumberToObject(j, "review", (double)r->review);
	cJSON_AddNumberToObject(j, "credit", (double)r->credit);
	cJSON_AddNumberToObject(j, "reversed", (double)r->reversed);
	cJSON_AddNumberToObject(j, "refunded", (double)r->refunded);
	cJSON_AddNumberToObject(j, "ignored", (double)r->ignored);
	return j;
}

/* An outbox row without its payload (the letter or message it delivers). */
cJSON *render_outbox(const store_outbox *r)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)r->id);
	cJSON_AddStringToObject(j, "channel", r->channel);
	cJSON_AddStringToObject(j, "idem_key", r->idem_key);
	cJSON_AddStringToObject(j, "state", r->state);
	cJSON_AddNumberToObject(j, "attempts", r->attempts);
	cJSON_AddStringToObject(j, "next_attempt", r->next_attempt);
	cJSON_AddStringToObject(j, "sent", r->sent);
	cJSON_AddStringToObject(j, "last_error", r->last_error ? r->last_error : "");
	return j;
}

static void json_date_or_null(cJSON *o, const char *key, owed_date d)
{
	if (d)
		svc_json_date(o, key, d);
	else
		cJSON_AddNullToObject(o, key);
}

/* The case part of GET /api/v1/cases/{debtor}; the caller adds instalments and disputes. */
cJSON *render_case_view(const svc_case_view *v)
{
	static const char *const states[] = { "open", "handed_off", "closed" };
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "debtor", v->debtor.number);
	cJSON_AddStringToObject(o, "debtor_name", v->debtor.name);
	cJSON_AddStringToObject(o, "state", v->has_case ? states[v->c.state] : "none");
	cJSON_AddStringToObject(o, "policy", v->has_case ? v->c.policy : v->debtor.policy);
	cJSON_AddStringToObject(o, "step", v->c.step);
	json_date_or_null(o, "step_date", v->c.step_date);
	json_date_or_null(o, "next_date", v->c.next_date);
	json_date_or_null(o, "opened", v->c.opened);
	cJSON_AddBoolToObject(o, "credit_hold", v->debtor.credit_hold);
	if (v->has_pause) {
		cJSON *p = cJSON_AddObjectToObject(o, "paused");
		svc_json_date(p, "since", v->pause.paused);
		cJSON_AddStringToObject(p, "reason", v->pause.reason);
	} else
		cJSON_AddNullToObject(o, "paused");
	if (v->has_promise) {
		cJSON *p = cJSON_AddObjectToObject(o, "promise");
		svc_json_date(p, "date", v->promise.date);
		cJSON_AddStringToObject(p, "currency", v->promise.currency);
		svc_json_money(p, "amount", v->promise.amount, v->promise.currency);
	} else
		cJSON_AddNullToObject(o, "promise");
	return o;
}

cJSON *render_instalment(const store_instalment *i)
{
	cJSON *o = cJSON_CreateObject();
	svc_json_date(o, "date", i->date);
	cJSON_AddStringToObject(o, "currency", i->currency);
	svc_json_money(o, "amount", i->amount, i->currency);
	cJSON_AddStringToObject(o, "state", i->state);
	return o;
}

cJSON *render_dispute(const store_dispute *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "invoice", d->invoice);
	cJSON_AddStringToObject(o, "reason", d->reason ? d->reason : "");
	svc_json_date(o, "opened", d->opened);
	json_date_or_null(o, "resolved", d->resolved);
	return o;
}
