/*
 * api.h -- the services only the HTTP API needs: its bearer tokens and the responses kept for
 * Idempotency-Key (docs/serve.md).  A token's secret is shown once, at creation; the ledger
 * keeps its SHA-256, and a presented secret is compared with it in constant time.
 */
#ifndef OWED_SERVICES_API_H
#define OWED_SERVICES_API_H

#include "services/services.h"
#include "store/api.h"

#define SVC_TOKEN_SECRET_MAX 80

/* scope: "read", "write" or "admin".  secret gets the token to hand to the client. */
int svc_token_create(owed_ctx *ctx, const char *name, const char *scope,
                     char secret[SVC_TOKEN_SECRET_MAX], owed_error *err);
int svc_token_list(owed_ctx *ctx, store_token_cb cb, void *ud, owed_error *err);
int svc_token_revoke(owed_ctx *ctx, const char *name, owed_error *err);
/* The live token whose secret is secret: 0, or OWED_ENOTFOUND (no message) when none is. */
int svc_token_auth(owed_ctx *ctx, const char *secret, store_token *out, owed_error *err);
/* 1 when scope allows what needs ("read" < "write" < "admin"). */
int svc_scope_allows(const char *scope, const char *needs);

/* An idempotent request: begin opens the transaction the service then nests in, so the
 * change and the remembered response are kept together or not at all. */
int svc_api_begin(owed_ctx *ctx, owed_error *err);
int svc_api_commit(owed_ctx *ctx, owed_error *err);
void svc_api_rollback(owed_ctx *ctx);
/* The response kept for key: 0 (with *body malloc'd), or OWED_ENOTFOUND. */
int svc_idem_get(owed_ctx *ctx, int64_t token_id, const char *key, char request_sha256[65],
                 int *status, char **body, owed_error *err);
int svc_idem_put(owed_ctx *ctx, int64_t token_id, const char *key, const char *request_sha256,
                 int status, const char *body, owed_error *err);

#endif
