/*
 * internal.h -- what the route files of the JSON API share (private to host/http): one call's
 * state, the replies (JSON and RFC 9457 problems), and reading the query, the body and the
 * path.  api.c holds the route table and the dispatch; api_ledger.c, api_payments.c,
 * api_cases.c and api_outbox.c one resource each.
 */
#ifndef OWED_HTTP_INTERNAL_H
#define OWED_HTTP_INTERNAL_H

#include <cjson/cJSON.h>

#include "http/http.h"

#define API_LIST_DEFAULT 50
#define API_LIST_MAX 500

typedef struct api_call {
	http_api *api;
	owed_ctx *ctx;
	const http_request *req;
	http_response *res;
	const char *param;              /* the {parameter} of the path, decoded */
	http_later *later;              /* set by api_defer: the route answers later */
} api_call;

/* The route will answer later, with http_answer (a child computes it): its answer is not the
 * turn's to hold, and it must touch no ledger state the group could take back. */
http_later *api_defer(api_call *c);

/* --- group commit (group.c) */
/* Opens the turn's transaction if it is not open; -1 with err when it cannot begin. */
int api_group_join(http_group *g, owed_error *err);
/* While the turn's transaction is open, the answer waits for its commit (res is taken). */
void api_group_hold(http_group *g, const http_request *req, http_response *res);

/* --- replies (api_io.c) */
void api_reply_json(http_response *res, int status, cJSON *body);
/* field (may be NULL) names the request field that is wrong. */
void api_reply_problem(http_response *res, int status, const char *field, const char *detail);
/* A service failure; its message begins with the field it names ("issue-date: ..."), which
 * the problem calls as the JSON does (issue_date). */
void api_reply_error(http_response *res, const owed_error *err);
/* The same naming field: where the service calls it as the CLI does (allocate, INVOICE). */
void api_reply_error_field(http_response *res, const owed_error *err, const char *field);
/* The same where the service's "no such X" (bad input to the CLI) means the resource the
 * path names: a 404. */
void api_reply_get_error(http_response *res, owed_error *err);

/* --- requests (api_io.c) */
/* The value of name in the query (decoded into buf), or NULL. */
const char *api_query_get(const char *query, const char *name, char *buf, size_t size);
/* Replies 400 and returns -1 when the query has a parameter not in allowed (NULL-ended). */
int api_query_check(api_call *c, const char *const *allowed);
/* name=true|false into *out (left alone when absent); replies 400 and returns -1 otherwise. */
int api_query_bool(api_call *c, const char *name, int *out);
/* limit= (1..API_LIST_MAX) into *out; replies 400 and returns -1 when malformed. */
int api_query_limit(api_call *c, int *out);

typedef struct body_field { const char *json, **dest; } body_field;
/* Parses the body as a JSON object of strings, each known field into its dest (pointing into
 * *doc, which the caller deletes).  Replies and returns -1 on a malformed body (400), a field
 * of the wrong type or an unknown one (422).  A field whose dest is NULL is read by the
 * caller from *doc (an array, say). */
int api_read_body(api_call *c, const body_field *fields, cJSON **doc);
/* An array of {"invoice": "...", "amount": "..."} (amount optional) from the body's field
 * name, into alloc (at most max); replies 422 naming the field and returns -1 otherwise. */
int api_read_allocations(api_call *c, const cJSON *doc, const char *name,
                         svc_allocation_input *alloc, size_t max, size_t *n);
/* The path's {id} as a positive whole number; replies 404 and returns -1 otherwise. */
int api_param_id(api_call *c, const char *what, long long *out);

/* --- cursors (api_io.c): opaque base64url of the text a list resumes after */
/* Replies 200 with {"items": items, "next": the cursor of resume, or null when resume is
 * NULL (the last page)}; items is taken. */
void api_reply_page(http_response *res, cJSON *items, const char *resume);
/* Replies 200 with {"items": items}: a list that is never paged; items is taken. */
void api_reply_items(http_response *res, cJSON *items);
int api_cursor_decode(const char *cursor, char *out, size_t size);

/* --- the routes */
void api_get_debtor(api_call *c);
void api_post_debtor(api_call *c);
void api_get_invoice(api_call *c);
void api_list_invoices(api_call *c);
void api_post_invoice(api_call *c);
void api_post_credit(api_call *c);
void api_post_writeoff(api_call *c);
void api_report_aging(api_call *c);

void api_post_run(api_call *c);
void api_run_plan(api_call *c);
void api_get_run(api_call *c);

void api_list_payments(api_call *c);
void api_post_payment(api_call *c);
void api_payments_review(api_call *c);
void api_post_match(api_call *c);
void api_post_statement(api_call *c);

void api_get_case(api_call *c);
void api_post_dispute(api_call *c);
void api_post_resolve(api_call *c);
void api_post_promise(api_call *c);
void api_post_plan(api_call *c);
void api_post_pause(api_call *c);
void api_post_resume(api_call *c);

void api_list_outbox(api_call *c);
void api_post_outbox_retry(api_call *c);

#endif
