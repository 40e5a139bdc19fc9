/*
 * webhook.c -- a partner's event acted on once (webhook.h): the event's id recorded in the
 * transaction of what it changes.
 */
#include <string.h>
#include <time.h>

#include "services/internal.h"
#include "services/webhook.h"
#include "store/webhook.h"

int svc_webhook_once(owed_ctx *ctx, const char *plugin, const char *event_id,
                     svc_webhook_act act, void *ud, owed_error *err)
{
	char now[32];
	int64_t id = 0;
	cJSON *ev;
	int rc;

	if (!event_id || !*event_id || strlen(event_id) > 255)
		return svc_fail(err, OWED_EINPUT, "event_id: expected 1 to 255 characters");
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "recording the webhook event", err);
	svc_stamp(time(NULL), now, sizeof now);
	/* the row first: a duplicate is known before anything is done */
	rc = store_webhook_event_insert(ctx->st, ctx->admin.id, plugin, event_id, now, &id);
	if (rc == OWED_EEXIST) {
		store_rollback(ctx->st);
		return OWED_EEXIST;
	}
	if (rc != 0)
		svc_store_fail(ctx, rc, "recording the webhook event", err);
	else if ((rc = act(ud, err)) == 0) {
		ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "plugin", plugin);
		cJSON_AddStringToObject(ev, "event_id", event_id);
		rc = svc_event(ctx, "webhook", id, 0, 0, "received", ev, err);
	}
	return svc_end_tx(ctx, rc, "recording the webhook event", err);
}
