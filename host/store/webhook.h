/*
 * webhook.h -- the partner events a plugin has acted on (webhook.c, schema migration 8).
 */
#ifndef OWED_STORE_WEBHOOK_H
#define OWED_STORE_WEBHOOK_H

#include <stdint.h>
#include "store/store.h"

/* Records that plugin acted on the partner's event event_id; OWED_EEXIST when it had already
 * (the row is what makes a repeated event a no-op, so write it in the event's transaction). */
int store_webhook_event_insert(store *s, int64_t admin_id, const char *plugin,
                               const char *event_id, const char *now, int64_t *id);

#endif
