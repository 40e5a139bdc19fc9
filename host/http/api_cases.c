/*
 * api_cases.c -- a debtor's dunning case: what it is (policy, state, last step, next date,
 * what holds it back) and the user actions on it -- disputes, promises to pay, payment
 * plans, a pause by hand.  Each action answers with the case as it now is.
 */
#include <stdio.h>
#include <string.h>

#include "http/internal.h"
#include "services/dunning.h"
#include "services/render.h"

#define MAX_INSTALMENTS 64

typedef struct case_lists { cJSON *instalments, *disputes; } case_lists;

static int add_instalment(const store_instalment *i, void *ud)
{
	cJSON_AddItemToArray(((case_lists *)ud)->instalments, render_instalment(i));
	return 0;
}

static int add_dispute(const store_dispute *d, void *ud)
{
	cJSON_AddItemToArray(((case_lists *)ud)->disputes, render_dispute(d));
	return 0;
}

/* Replies with the case of the path's debtor (status on success); an unknown debtor is a
 * 404. */
static void reply_case(api_call *c, int status)
{
	case_lists l = { cJSON_CreateArray(), cJSON_CreateArray() };
	owed_error err = { 0 };
	svc_case_view v;
	cJSON *out;
	if (svc_case_show(c->ctx, c->param, &v, add_instalment, add_dispute, &l, &err)) {
		cJSON_Delete(l.instalments);
		cJSON_Delete(l.disputes);
		api_reply_get_error(c->res, &err);
		return;
	}
	out = render_case_view(&v);
	cJSON_AddItemToObject(out, "instalments", l.instalments);
	cJSON_AddItemToObject(out, "disputes", l.disputes);
	api_reply_json(c->res, status, out);
}

void api_get_case(api_call *c)
{
	reply_case(c, 200);
}

/* The path's debtor, or a 404. */
static int path_debtor(api_call *c, owed_debtor *d)
{
	owed_error err = { 0 };
	if (svc_debtor_get(c->ctx, c->param, d, &err) == 0)
		return 0;
	api_reply_get_error(c->res, &err);
	return -1;
}

/* A dispute names an invoice; through a debtor's case it must be one of that debtor's. */
static int debtors_invoice(api_call *c, const owed_debtor *d, const char *number)
{
	owed_error err = { 0 };
	owed_invoice inv;
	char detail[256];
	if (!number) {
		api_reply_problem(c->res, 400, "invoice", "invoice: name the invoice (its number)");
		return -1;
	}
	if (svc_invoice_get(c->ctx, number, &inv, &err)) {
		api_reply_error(c->res, &err);
		return -1;
	}
	if (inv.debtor_id == d->id)
		return 0;
	snprintf(detail, sizeof detail, "invoice: %.64s is %.64s's, not %.64s's", inv.number,
	         inv.debtor_number, d->number);
	api_reply_problem(c->res, 422, "invoice", detail);
	return -1;
}

/* The body's fields, the path's debtor and, when invoice is given, the debtor's invoice it
 * names; 0, or -1 having replied. */
static int case_request(api_call *c, const body_field *fields, cJSON **doc, owed_debtor *d,
                        const char *const *invoice)
{
	if (path_debtor(c, d) || api_read_body(c, fields, doc))
		return -1;
	if (invoice && debtors_invoice(c, d, *invoice)) {
		cJSON_Delete(*doc);
		return -1;
	}
	return 0;
}

/* field: what the body calls the field the service names as the CLI does, or NULL. */
static void finish(api_call *c, int rc, owed_error *err, const char *field, cJSON *doc)
{
	if (rc && field)
		api_reply_error_field(c->res, err, field);
	else if (rc)
		api_reply_error(c->res, err);
	else
		reply_case(c, 200);
	cJSON_Delete(doc);
}

void api_post_dispute(api_call *c)
{
	const char *invoice = NULL, *reason = NULL;
	const body_field fields[] = { { "invoice", &invoice }, { "reason", &reason }, { 0 } };
	owed_error err = { 0 };
	owed_debtor d;
	cJSON *doc;
	if (case_request(c, fields, &doc, &d, &invoice) == 0)
		finish(c, svc_dispute(c->ctx, invoice, reason, &err), &err, NULL, doc);
}

void api_post_resolve(api_call *c)
{
	const char *invoice = NULL;
	const body_field fields[] = { { "invoice", &invoice }, { 0 } };
	owed_error err = { 0 };
	owed_debtor d;
	cJSON *doc;
	if (case_request(c, fields, &doc, &d, &invoice) == 0)
		finish(c, svc_dispute_resolve(c->ctx, invoice, &err), &err, NULL, doc);
}

void api_post_promise(api_call *c)
{
	const char *date = NULL, *amount = NULL;
	const body_field fields[] = { { "date", &date }, { "amount", &amount }, { 0 } };
	owed_error err = { 0 };
	owed_debtor d;
	cJSON *doc;
	if (case_request(c, fields, &doc, &d, NULL) != 0)
		return;
	if (!date || !amount) {
		api_reply_problem(c->res, 400, date ? "amount" : "date", date
		                  ? "amount: the promised amount is required"
		                  : "date: the date promised is required");
		cJSON_Delete(doc);
		return;
	}
	finish(c, svc_promise(c->ctx, d.number, date, amount, &err), &err, NULL, doc);
}

/* instalments: [{"date": "2026-03-01", "amount": "100.00"}, ...], handed to the service as
 * the CLI's "DATE=AMOUNT" texts. */
static int read_instalments(api_call *c, const cJSON *doc, char (*text)[96], size_t *n)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "instalments"), *it;
	char detail[200];
	*n = 0;
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 ||
	    cJSON_GetArraySize(list) > MAX_INSTALMENTS) {
		snprintf(detail, sizeof detail, "instalments: expected an array of 1 to %d objects "
		         "{\"date\": \"YYYY-MM-DD\", \"amount\": \"1.00\"}", MAX_INSTALMENTS);
		api_reply_problem(c->res, list ? 422 : 400, "instalments", detail);
		return -1;
	}
	cJSON_ArrayForEach(it, list) {
		const cJSON *date = cJSON_GetObjectItemCaseSensitive(it, "date");
		const cJSON *amount = cJSON_GetObjectItemCaseSensitive(it, "amount");
		if (!cJSON_IsString(date) || !cJSON_IsString(amount) || cJSON_GetArraySize(it) != 2 ||
		    strchr(date->valuestring, '=') || strlen(date->valuestring) > 32 ||
		    strlen(amount->valuestring) > 48) {
			snprintf(detail, sizeof detail, "instalments: item %zu is not {\"date\": "
			         "\"YYYY-MM-DD\", \"amount\": \"1.00\"}", *n + 1);
			api_reply_problem(c->res, 422, "instalments", detail);
			return -1;
		}
		snprintf(text[*n], sizeof text[*n], "%s=%s", date->valuestring, amount->valuestring);
		(*n)++;
	}
	return 0;
}

void api_post_plan(api_call *c)
{
	const body_field fields[] = { { "instalments", NULL }, { 0 } };
	char text[MAX_INSTALMENTS][96];
	const char *instalments[MAX_INSTALMENTS];
	owed_error err = { 0 };
	owed_debtor d;
	size_t n;
	cJSON *doc;
	if (case_request(c, fields, &doc, &d, NULL) != 0)
		return;
	if (read_instalments(c, doc, text, &n)) {
		cJSON_Delete(doc);
		return;
	}
	for (size_t i = 0; i < n; i++)
		instalments[i] = text[i];
	finish(c, svc_plan(c->ctx, d.number, instalments, n, &err), &err, "instalments", doc);
}

void api_post_pause(api_call *c)
{
	const char *reason = NULL;
	const body_field fields[] = { { "reason", &reason }, { 0 } };
	owed_error err = { 0 };
	owed_debtor d;
	cJSON *doc;
	if (case_request(c, fields, &doc, &d, NULL) == 0)
		finish(c, svc_case_pause(c->ctx, d.number, reason, &err), &err, NULL, doc);
}

void api_post_resume(api_call *c)
{
	const body_field fields[] = { { 0 } };
	owed_error err = { 0 };
	owed_debtor d;
	cJSON *doc;
	if (case_request(c, fields, &doc, &d, NULL) == 0)
		finish(c, svc_case_resume(c->ctx, d.number, &err), &err, NULL, doc);
}
