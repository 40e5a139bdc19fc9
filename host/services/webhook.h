/*
 * webhook.h -- acting on a partner's webhook event once (docs/webhooks.md).
 *
 * The invariant: a row (administration, plugin, event id) in webhook_event exists if and only
 * if what the plugin did for that event is in the ledger.  Both are written in one
 * transaction, and act runs inside it without waiting on anything (owed.webhook.once runs the
 * plugin's function where it cannot yield), so no other request's writes can land in it.
 * Hence: a duplicate finds the row and changes nothing; a retry after a crash or a failure
 * finds no row, and nothing of the first attempt, and acts.
 */
#ifndef OWED_SERVICES_WEBHOOK_H
#define OWED_SERVICES_WEBHOOK_H

#include "services/services.h"

/* What to do for the event: 0, or an error code with err filled (everything is undone). */
typedef int (*svc_webhook_act)(void *ud, owed_error *err);

/* Runs act for plugin's event event_id (1 to 255 bytes) unless it ran before: 0 when it ran
 * and was kept; OWED_EEXIST (without a message) when the event had been acted on, and act
 * did not run; else act's failure or the store's, with nothing kept.  The dossier gets an
 * event "received" (entity "webhook") naming the plugin and event id. */
int svc_webhook_once(owed_ctx *ctx, const char *plugin, const char *event_id,
                     svc_webhook_act act, void *ud, owed_error *err);

#endif
