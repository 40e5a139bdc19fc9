/*
 * api.c -- the HTTP API's tokens and idempotency keys (services/api.h).
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/sha256.h"
#include "services/api.h"
#include "services/internal.h"

int svc_scope_allows(const char *scope, const char *needs)
{
	static const char *const order[] = { "read", "write", "admin" };
	int have = -1, want = 3;
	for (int i = 0; i < 3; i++) {
		if (strcmp(scope, order[i]) == 0)
			have = i;
		if (strcmp(needs, order[i]) == 0)
			want = i;
	}
	return have >= want;
}

static int check_name(const char *name, owed_error *err)
{
	size_t n;
	if (!name || !*name)
		return svc_fail(err, OWED_EUSAGE, "name: a token name is required");
	n = strlen(name);
	if (n > 63)
		return svc_fail(err, OWED_EINPUT, "name: '%s' is longer than 63 characters", name);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return svc_fail(err, OWED_EINPUT, "name: '%s' may hold only letters, digits,"
			                " '-', '_' and '.'", name);
	}
	return 0;
}

int svc_token_create(owed_ctx *ctx, const char *name, const char *scope,
                     char secret[SVC_TOKEN_SECRET_MAX], owed_error *err)
{
	unsigned char raw[32];
	char hex[65];
	store_token t = { .admin_id = ctx->admin.id };
	cJSON *payload;
	int rc;

	if ((rc = check_name(name, err)))
		return rc;
	if (!scope || !*scope)
		return svc_fail(err, OWED_EUSAGE, "scope: a scope is required (read, write or admin)");
	if (strcmp(scope, "read") && strcmp(scope, "write") && strcmp(scope, "admin"))
		return svc_fail(err, OWED_EINPUT, "scope: '%s' is not a scope (expected read, write"
		                " or admin)", scope);
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return svc_fail(err, OWED_EIO, "token: no random bytes from the kernel");
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	snprintf(secret, SVC_TOKEN_SECRET_MAX, "owed_%s", hex);
	sha256_hex(secret, strlen(secret), t.hash);
	snprintf(t.name, sizeof t.name, "%s", name);
	snprintf(t.scope, sizeof t.scope, "%s", scope);
	svc_stamp(time(NULL), t.created, sizeof t.created);

	if ((rc = store_begin(ctx->st)))
		return svc_store_fail(ctx, rc, "creating the token", err);
	rc = store_token_insert(ctx->st, &t);
	if (rc == OWED_EEXIST) {
		store_rollback(ctx->st);
		memset(secret, 0, SVC_TOKEN_SECRET_MAX);
		return svc_fail(err, OWED_EEXIST, "name: a token named '%s' exists already", name);
	}
	if (rc) {
		store_rollback(ctx->st);
		return svc_store_fail(ctx, rc, "creating the token", err);
	}
	payload = cJSON_CreateObject();
	cJSON_AddStringToObject(payload, "name", name);
	cJSON_AddStringToObject(payload, "scope", scope);
	if ((rc = svc_event(ctx, "token", t.id, 0, 0, "token-created", payload, err))) {
		store_rollback(ctx->st);
		return rc;
	}
	if ((rc = store_commit(ctx->st)))
		return svc_store_fail(ctx, rc, "creating the token", err);
	return 0;
}

int svc_token_list(owed_ctx *ctx, store_token_cb cb, void *ud, owed_error *err)
{
	int rc = store_token_each(ctx->st, ctx->admin.id, cb, ud);
	return rc < 0 ? svc_store_fail(ctx, rc, "listing the tokens", err) : rc;
}

int svc_token_revoke(owed_ctx *ctx, const char *name, owed_error *err)
{
	store_token t;
	char now[32];
	cJSON *payload;
	int rc;
	if ((rc = check_name(name, err)))
		return rc;
	if ((rc = store_begin(ctx->st)))
		return svc_store_fail(ctx, rc, "revoking the token", err);
	rc = store_token_by_name(ctx->st, ctx->admin.id, name, &t);
	if (rc == OWED_ENOTFOUND) {
		store_rollback(ctx->st);
		return svc_fail(err, OWED_ENOTFOUND, "name: no live token named '%s'", name);
	}
	svc_stamp(time(NULL), now, sizeof now);
	if (rc == 0)
		rc = store_token_revoke(ctx->st, t.id, now);
	if (rc) {
		store_rollback(ctx->st);
		return svc_store_fail(ctx, rc, "revoking the token", err);
	}
	payload = cJSON_CreateObject();
	cJSON_AddStringToObject(payload, "name", name);
	if ((rc = svc_event(ctx, "token", t.id, 0, 0, "token-revoked", payload, err))) {
		store_rollback(ctx->st);
		return rc;
	}
	if ((rc = store_commit(ctx->st)))
		return svc_store_fail(ctx, rc, "revoking the token", err);
	return 0;
}

/* Compares two hex digests without a branch on where they differ. */
static int same_digest(const char *a, const char *b)
{
	unsigned char diff = 0;
	for (size_t i = 0; i < 64; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

int svc_token_auth(owed_ctx *ctx, const char *secret, store_token *out, owed_error *err)
{
	char hash[65];
	int rc;
	if (!secret || !*secret || strlen(secret) >= SVC_TOKEN_SECRET_MAX)
		return OWED_ENOTFOUND;
	sha256_hex(secret, strlen(secret), hash);
	/* the lookup is by the digest, which tells an attacker nothing about the secret; the
	 * digest found is compared again in constant time all the same */
	rc = store_token_by_hash(ctx->st, hash, out);
	if (rc == OWED_ENOTFOUND)
		return rc;
	if (rc)
		return svc_store_fail(ctx, rc, "reading the tokens", err);
	return same_digest(hash, out->hash) ? 0 : OWED_ENOTFOUND;
}

int svc_api_begin(owed_ctx *ctx, owed_error *err)
{
	int rc = store_begin(ctx->st);
	return rc ? svc_store_fail(ctx, rc, "beginning the request", err) : 0;
}

int svc_api_commit(owed_ctx *ctx, owed_error *err)
{
	int rc = store_commit(ctx->st);
	return rc ? svc_store_fail(ctx, rc, "committing the request", err) : 0;
}

void svc_api_rollback(owed_ctx *ctx)
{
	store_rollback(ctx->st);
}

int svc_idem_get(owed_ctx *ctx, int64_t token_id, const char *key, char request_sha256[65],
                 int *status, char **body, owed_error *err)
{
	int rc = store_idem_get(ctx->st, token_id, key, request_sha256, status, body);
	if (rc == OWED_ENOTFOUND || rc == 0)
		return rc;
	return svc_store_fail(ctx, rc, "reading the idempotency keys", err);
}

int svc_idem_put(owed_ctx *ctx, int64_t token_id, const char *key, const char *request_sha256,
                 int status, const char *body, owed_error *err)
{
	char now[32];
	int rc;
	if (strlen(key) > 255)
		return svc_fail(err, OWED_EINPUT, "Idempotency-Key: longer than 255 characters");
	svc_stamp(time(NULL), now, sizeof now);
	rc = store_idem_put(ctx->st, token_id, key, request_sha256, status, body, now);
	return rc ? svc_store_fail(ctx, rc, "keeping the idempotency key", err) : 0;
}
