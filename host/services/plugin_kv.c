/*
 * plugin_kv.c -- a plugin's own key/value store (owed.store).  Values are JSON text; each
 * plugin sees only the keys under its own name.  This is the plugin's working memory (a
 * token's expiry, the last statement it fetched), not ledger state, so writes are not dossier
 * events.
 */
#include "services/internal.h"

int svc_kv_get(owed_ctx *ctx, const char *plugin, const char *key, char **value,
               owed_error *err)
{
	int rc = store_kv_get(ctx->st, plugin, key, value);
	if (rc == OWED_ENOTFOUND)
		return rc;
	return rc ? svc_store_fail(ctx, rc, "owed.store.get", err) : 0;
}

int svc_kv_set(owed_ctx *ctx, const char *plugin, const char *key, const char *value,
               owed_error *err)
{
	int rc = value ? store_kv_set(ctx->st, plugin, key, value)
	               : store_kv_delete(ctx->st, plugin, key);
	return rc ? svc_store_fail(ctx, rc, "owed.store.set", err) : 0;
}

int svc_kv_keys(owed_ctx *ctx, const char *plugin, const char *prefix, store_kv_cb cb,
                void *ud, owed_error *err)
{
	int rc = store_kv_keys(ctx->st, plugin, prefix, cb, ud);
	return rc ? svc_store_fail(ctx, rc, "owed.store.keys", err) : 0;
}
