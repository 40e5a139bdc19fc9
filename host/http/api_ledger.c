/*
 * api_ledger.c -- the ledger's routes: debtors, invoices and the movements on them (credit
 * notes, write-offs), and the aging report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "services/render.h"

void api_get_debtor(api_call *c)
{
	owed_error err = { 0 };
	owed_debtor d;
	if (svc_debtor_get(c->ctx, c->param, &d, &err))
		api_reply_get_error(c->res, &err);
	else
		api_reply_json(c->res, 200, render_debtor(&d, c->ctx->admin.currency));
}

void api_post_debtor(api_call *c)
{
	svc_debtor_input in = { 0 };
	const body_field fields[] = {
		{ "number", &in.number }, { "name", &in.name }, { "kind", &in.kind },
		{ "country", &in.country }, { "language", &in.language }, { "email", &in.email },
		{ "address", &in.address }, { "iban", &in.iban }, { "tags", &in.tags },
		{ "external_ids", &in.external_ids }, { "terms", &in.terms_days },
		{ "credit_limit", &in.credit_limit }, { "policy", &in.policy },
		{ "credit_hold", &in.credit_hold }, { 0 }
	};
	owed_error err = { 0 };
	owed_debtor d;
	cJSON *doc;
	if (api_read_body(c, fields, &doc))
		return;
	if (svc_debtor_add(c->ctx, &in, &d, &err) || svc_debtor_get(c->ctx, d.number, &d, &err))
		api_reply_error(c->res, &err);
	else
		api_reply_json(c->res, 201, render_debtor(&d, c->ctx->admin.currency));
	cJSON_Delete(doc);
}

void api_get_invoice(api_call *c)
{
	owed_error err = { 0 };
	owed_invoice inv;
	if (svc_invoice_get(c->ctx, c->param, &inv, &err))
		api_reply_get_error(c->res, &err);
	else
		api_reply_json(c->res, 200, render_invoice(&inv));
}

void api_post_invoice(api_call *c)
{
	svc_invoice_input in = { 0 };
	const body_field fields[] = {
		{ "number", &in.number }, { "debtor", &in.debtor }, { "amount", &in.amount },
		{ "vat", &in.vat }, { "issue_date", &in.issue_date }, { "due_date", &in.due_date },
		{ "currency", &in.currency }, { "reference", &in.reference },
		{ "description", &in.description }, { 0 }
	};
	owed_error err = { 0 };
	owed_invoice inv;
	cJSON *doc;
	if (api_read_body(c, fields, &doc))
		return;
	if (svc_invoice_add(c->ctx, &in, &inv, &err))
		api_reply_error(c->res, &err);
	else
		api_reply_json(c->res, 201, render_invoice(&inv));
	cJSON_Delete(doc);
}

/* The invoice the path names, or a 404 (the services call an unknown number bad input: for
 * a POST on /invoices/{number}/... it is the resource that is not there). */
static int path_invoice(api_call *c)
{
	owed_error err = { 0 };
	owed_invoice inv;
	if (svc_invoice_get(c->ctx, c->param, &inv, &err) == 0)
		return 0;
	api_reply_get_error(c->res, &err);
	return -1;
}

/* A credit note: amount required, credit_note (its number), date, reason optional. */
void api_post_credit(api_call *c)
{
	const char *amount = NULL, *date = NULL, *number = NULL, *reason = NULL;
	const body_field fields[] = {
		{ "amount", &amount }, { "date", &date }, { "credit_note", &number },
		{ "reason", &reason }, { 0 }
	};
	owed_error err = { 0 };
	owed_invoice inv;
	cJSON *doc;
	if (path_invoice(c) || api_read_body(c, fields, &doc))
		return;
	if (svc_invoice_credit(c->ctx, c->param, amount, date, number, reason, &inv, &err))
		api_reply_error(c->res, &err);
	else
		api_reply_json(c->res, 201, render_invoice(&inv));
	cJSON_Delete(doc);
}

/* A write-off of amount, or of all that is open. */
void api_post_writeoff(api_call *c)
{
	const char *amount = NULL, *date = NULL, *reason = NULL;
	const body_field fields[] = {
		{ "amount", &amount }, { "date", &date }, { "reason", &reason }, { 0 }
	};
	owed_error err = { 0 };
	owed_invoice inv;
	cJSON *doc;
	if (path_invoice(c) || api_read_body(c, fields, &doc))
		return;
	if (svc_invoice_writeoff(c->ctx, c->param, amount, date, reason, &inv, &err))
		api_reply_error(c->res, &err);
	else
		api_reply_json(c->res, 201, render_invoice(&inv));
	cJSON_Delete(doc);
}

/* --- the invoice list: pages after a cursor, the last invoice listed as "due<TAB>number" */

typedef struct page {
	cJSON *items;
	int limit, n, more;
	int has_cursor;
	long cur_due;
	char cur_number[80];
	long last_due;
	char last_number[64];
} page;

static int page_one(const owed_invoice *inv, void *ud)
{
	page *p = ud;
	if (p->has_cursor && ((long)inv->due_date < p->cur_due ||
	    ((long)inv->due_date == p->cur_due && strcmp(inv->number, p->cur_number) <= 0)))
		return 0;
	if (p->n == p->limit) {
		p->more = 1;
		return 0;
	}
	cJSON_AddItemToArray(p->items, render_invoice(inv));
	p->n++;
	p->last_due = (long)inv->due_date;
	snprintf(p->last_number, sizeof p->last_number, "%s", inv->number);
	return 0;
}

static int read_cursor(api_call *c, page *p)
{
	char cursor[200], key[120], *tab, *end;
	if (!api_query_get(c->req->query, "cursor", cursor, sizeof cursor))
		return 0;
	if (api_cursor_decode(cursor, key, sizeof key) || !(tab = strchr(key, '\t')))
		goto bad;
	*tab = 0;
	p->cur_due = strtol(key, &end, 10);
	if (*end)
		goto bad;
	snprintf(p->cur_number, sizeof p->cur_number, "%s", tab + 1);
	p->has_cursor = 1;
	return 0;
bad:
	api_reply_problem(c->res, 400, "cursor", "cursor: not a cursor this API gave");
	return -1;
}

void api_list_invoices(api_call *c)
{
	static const char *const allowed[] = { "debtor", "open", "overdue", "limit", "cursor",
	                                       NULL };
	char debtor[80];
	svc_invoice_query sq = { 0 };
	page p = { .limit = API_LIST_DEFAULT };
	owed_error err = { 0 };
	char resume[120];

	if (api_query_check(c, allowed) || api_query_bool(c, "open", &sq.open_only) ||
	    api_query_bool(c, "overdue", &sq.overdue_only) || api_query_limit(c, &p.limit) ||
	    read_cursor(c, &p))
		return;
	sq.debtor = api_query_get(c->req->query, "debtor", debtor, sizeof debtor);
	if (p.has_cursor) {
		/* the store starts after the cursor (an index range); with a debtor it lists the
		 * debtor's few invoices and page_one skips to the cursor */
		sq.after_due = (owed_date)p.cur_due;
		sq.after_number = p.cur_number;
	}
	if (!p.has_cursor || !sq.debtor)
		sq.limit = p.limit + 1;     /* one more than the page: is there a next one? */
	p.items = cJSON_CreateArray();
	if (svc_invoice_list(c->ctx, &sq, page_one, &p, &err)) {
		cJSON_Delete(p.items);
		api_reply_error(c->res, &err);
		return;
	}
	snprintf(resume, sizeof resume, "%ld\t%s", p.last_due, p.last_number);
	api_reply_page(c->res, p.items, p.more ? resume : NULL);
}

void api_report_aging(api_call *c)
{
	owed_error err = { 0 };
	svc_aging ag;
	if (svc_aging_report(c->ctx, 0, &ag, &err))
		api_reply_error(c->res, &err);
	else
		api_reply_json(c->res, 200, render_aging(&ag));
}
