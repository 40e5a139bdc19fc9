/*
 * webhook.c -- the partner events acted on, behind store/webhook.h.
 */
#include "core/err.h"
#include "store/internal.h"
#include "store/webhook.h"

enum { SW_EVENT_INSERT = STORE_WEBHOOK_FIRST, SW_END };
_Static_assert(SW_END <= STORE_MAX_STMTS, "webhook.c's statements do not fit the cache");

int store_webhook_event_insert(store *s, int64_t admin_id, const char *plugin,
                               const char *event_id, const char *now, int64_t *id)
{
	sqlite3_stmt *st = store_prepare(s, SW_EVENT_INSERT, "INSERT INTO webhook_event"
	                                 " (admin_id, plugin, event_id, received) VALUES (?, ?, ?, ?)");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, plugin);
	store_bind_text(st, 3, event_id);
	store_bind_text(st, 4, now);
	return store_exec_write(s, st, id);
}
