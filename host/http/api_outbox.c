/*
 * api_outbox.c -- the deliveries the daily run queued: pending, sent and dead, with their
 * errors (`owed outbox`), and another chance for a dead one.  An admin's routes: the errors
 * name mail servers and paths.
 */
#include <string.h>

#include "http/internal.h"
#include "services/dunning.h"
#include "services/render.h"

static int outbox_one(const store_outbox *o, void *ud)
{
	cJSON_AddItemToArray(ud, render_outbox(o));
	return 0;
}

void api_list_outbox(api_call *c)
{
	static const char *const allowed[] = { "state", NULL };
	char state[16];
	const char *want;
	owed_error err = { 0 };
	cJSON *items;
	if (api_query_check(c, allowed))
		return;
	want = api_query_get(c->req->query, "state", state, sizeof state);
	if (want && strcmp(want, "pending") && strcmp(want, "sent") && strcmp(want, "dead")) {
		api_reply_problem(c->res, 400, "state", "state: expected pending, sent or dead");
		return;
	}
	items = cJSON_CreateArray();
	if (svc_outbox_list(c->ctx, want, outbox_one, items, &err)) {
		cJSON_Delete(items);
		api_reply_error(c->res, &err);
		return;
	}
	api_reply_items(c->res, items);
}

static int outbox_row(const store_outbox *o, void *ud)
{
	*(cJSON **)ud = render_outbox(o);
	return 0;
}

/* A dead delivery back to pending: the next dispatch (`owed run`) tries it again. */
void api_post_outbox_retry(api_call *c)
{
	owed_error err = { 0 };
	cJSON *row = NULL;
	long long id;
	if (api_param_id(c, "delivery", &id))
		return;
	if (svc_outbox_retry(c->ctx, (int64_t)id, outbox_row, &row, &err))
		api_reply_get_error(c->res, &err);
	else
		api_reply_json(c->res, 200, row);
}
