/*
 * api_payments.c -- money in: payments booked by hand, listed, matched from the review queue,
 * and bank statements uploaded whole (the import service of `owed import bank`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "services/money_in.h"
#include "services/render.h"

#define MAX_ALLOCATIONS 64

/* --- the list: by date and id, a page after the cursor "date<TAB>id" */

typedef struct pay_page {
	cJSON *items;
	int limit, n, more, has_cursor;
	long cur_date, last_date;
	long long cur_id, last_id;
} pay_page;

static int pay_page_one(const owed_payment *p, void *ud)
{
	pay_page *pg = ud;
	if (pg->has_cursor && ((long)p->date < pg->cur_date ||
	    ((long)p->date == pg->cur_date && p->id <= pg->cur_id)))
		return 0;
	if (pg->n == pg->limit) {
		pg->more = 1;
		return 0;
	}
	cJSON_AddItemToArray(pg->items, render_payment(p));
	pg->n++;
	pg->last_date = (long)p->date;
	pg->last_id = (long long)p->id;
	return 0;
}

static int read_pay_cursor(api_call *c, pay_page *pg)
{
	char cursor[120], key[80], *end;
	if (!api_query_get(c->req->query, "cursor", cursor, sizeof cursor))
		return 0;
	if (api_cursor_decode(cursor, key, sizeof key) == 0) {
		pg->cur_date = strtol(key, &end, 10);
		if (*end == '\t') {
			pg->cur_id = strtoll(end + 1, &end, 10);
			if (!*end) {
				pg->has_cursor = 1;
				return 0;
			}
		}
	}
	api_reply_problem(c->res, 400, "cursor", "cursor: not a cursor this API gave");
	return -1;
}

/* The payments are read in order and the page skips to the cursor: the store has no range
 * on payments yet, so a late page costs a walk over the earlier ones. */
void api_list_payments(api_call *c)
{
	static const char *const allowed[] = { "debtor", "limit", "cursor", NULL };
	char debtor[80];
	pay_page pg = { .limit = API_LIST_DEFAULT };
	owed_error err = { 0 };
	char resume[64];

	if (api_query_check(c, allowed) || api_query_limit(c, &pg.limit) ||
	    read_pay_cursor(c, &pg))
		return;
	pg.items = cJSON_CreateArray();
	if (svc_payment_list(c->ctx, api_query_get(c->req->query, "debtor", debtor,
	                                           sizeof debtor), pay_page_one, &pg, &err)) {
		cJSON_Delete(pg.items);
		api_reply_error(c->res, &err);
		return;
	}
	snprintf(resume, sizeof resume, "%ld\t%lld", pg.last_date, pg.last_id);
	api_reply_page(c->res, pg.items, pg.more ? resume : NULL);
}

/* The payment services name the CLI's arguments (PAYMENT, INVOICE, allocate): here the
 * payment is the path (an unknown one is a 404) and the invoices are the body's
 * allocations. */
static void reply_payment_error(api_call *c, owed_error *err)
{
	if (strncmp(err->msg, "PAYMENT:", 8) == 0) {
		if (err->code == OWED_EINPUT)
			err->code = OWED_ENOTFOUND;
		api_reply_error_field(c->res, err, NULL);
	} else if (strncmp(err->msg, "INVOICE:", 8) == 0 || strncmp(err->msg, "allocate:", 9) == 0)
		api_reply_error_field(c->res, err, "allocations");
	else
		api_reply_error(c->res, err);
}

/* A payment booked by hand, allocated to the invoices named (as `owed payment add
 * --allocate`); with none it stays unallocated on the debtor, as on the CLI. */
void api_post_payment(api_call *c)
{
	svc_allocation_input alloc[MAX_ALLOCATIONS];
	svc_payment_input in = { .alloc = alloc, .source = "api" };
	const body_field fields[] = {
		{ "date", &in.date }, { "amount", &in.amount }, { "currency", &in.currency },
		{ "debtor", &in.debtor }, { "counterparty", &in.counterparty }, { "iban", &in.iban },
		{ "remittance", &in.remittance }, { "allocations", NULL }, { 0 }
	};
	owed_error err = { 0 };
	owed_payment p;
	cJSON *doc;
	if (api_read_body(c, fields, &doc))
		return;
	if (api_read_allocations(c, doc, "allocations", alloc, MAX_ALLOCATIONS, &in.nalloc) == 0) {
		if (svc_payment_add(c->ctx, &in, &p, &err))
			reply_payment_error(c, &err);
		else
			api_reply_json(c->res, 201, render_payment(&p));
	}
	cJSON_Delete(doc);
}

static int review_one(const owed_payment *pay, void *ud)
{
	cJSON_AddItemToArray(ud, render_payment(pay));
	return 0;
}

void api_payments_review(api_call *c)
{
	owed_error err = { 0 };
	cJSON *items = cJSON_CreateArray();
	if (svc_payment_review(c->ctx, review_one, items, &err)) {
		cJSON_Delete(items);
		api_reply_error(c->res, &err);
		return;
	}
	api_reply_items(c->res, items);
}

/* Settles a payment: the invoices named take it (amount omitted: as much as fits), the rest
 * stays as credit, and it leaves the review queue. */
void api_post_match(api_call *c)
{
	svc_allocation_input alloc[MAX_ALLOCATIONS];
	const body_field fields[] = { { "allocations", NULL }, { 0 } };
	owed_error err = { 0 };
	owed_payment p;
	long long id;
	size_t n;
	cJSON *doc;
	if (api_param_id(c, "payment", &id) || api_read_body(c, fields, &doc))
		return;
	if (api_read_allocations(c, doc, "allocations", alloc, MAX_ALLOCATIONS, &n) == 0) {
		if (n == 0)
			api_reply_problem(c->res, 400, "allocations", "allocations: name the invoices "
			                  "the payment pays ([{\"invoice\": NUMBER}])");
		else if (svc_payment_match(c->ctx, (int64_t)id, alloc, n, &p, &err))
			reply_payment_error(c, &err);
		else
			api_reply_json(c->res, 200, render_payment(&p));
	}
	cJSON_Delete(doc);
}

/* --- a statement upload */

static void statement_line(const svc_import_line *l, void *ud)
{
	cJSON_AddItemToArray(ud, render_import_line(l));
}

/* The body is one statement file (CAMT.053, MT940, CODA), booked whole or not at all by the
 * import service: a file the importer or the balance check refuses is the body's fault (422,
 * the message names the place in the file), and nothing of it is written. */
void api_post_statement(api_call *c)
{
	static const char *const allowed[] = { "format", "dry_run", "accept_unbalanced", "name",
	                                       NULL };
	const owed_config *cfg = c->api->config;
	char format[64], name[128];
	svc_import_options opt = { .matchers = cfg->nmatchers ? cfg->matchers : NULL,
	                           .nmatchers = cfg->nmatchers };
	svc_import_result res;
	owed_error err = { 0 };
	cJSON *entries, *out;

	if (api_query_check(c, allowed) || api_query_bool(c, "dry_run", &opt.dry_run) ||
	    api_query_bool(c, "accept_unbalanced", &opt.accept_unbalanced))
		return;
	opt.format = api_query_get(c->req->query, "format", format, sizeof format);
	if (!api_query_get(c->req->query, "name", name, sizeof name) || !*name)
		snprintf(name, sizeof name, "upload");
	if (c->req->body_len == 0) {
		api_reply_problem(c->res, 400, "body", "body: send the statement file as the body");
		return;
	}
	entries = cJSON_CreateArray();
	if (svc_import_bank_text(c->ctx, c->api->rt, name, c->req->body, c->req->body_len, &opt,
	                         statement_line, entries, &res, &err)) {
		cJSON_Delete(entries);
		if (err.code == OWED_EINPUT || err.code == OWED_EREFUSED) {
			err.code = OWED_EINPUT;     /* unreadable or unbalanced: the file's fault */
			api_reply_error_field(c->res, &err, "body");
		} else
			api_reply_error(c->res, &err);
		return;
	}
	out = render_import_result(&res, opt.dry_run);
	cJSON_AddItemToObject(out, "entries_detail", entries);
	api_reply_json(c->res, opt.dry_run ? 200 : 201, out);
}
