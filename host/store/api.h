/*
 * api.h -- the HTTP API's rows behind the store (api.c): bearer tokens, kept hashed, and the
 * responses remembered for Idempotency-Key.
 */
#ifndef OWED_STORE_API_H
#define OWED_STORE_API_H

#include <stdint.h>
#include "store/store.h"

typedef struct store_token {
	int64_t id, admin_id;
	char name[64], scope[8], hash[65], created[32], revoked[32];
} store_token;

int store_token_insert(store *s, store_token *t);     /* OWED_EEXIST if the name is taken */
/* The live (not revoked) token whose hash is hash, or OWED_ENOTFOUND. */
int store_token_by_hash(store *s, const char *hash, store_token *out);
int store_token_by_name(store *s, int64_t admin_id, const char *name, store_token *out);
typedef int (*store_token_cb)(const store_token *t, void *ud);
int store_token_each(store *s, int64_t admin_id, store_token_cb cb, void *ud);
int store_token_revoke(store *s, int64_t id, const char *now);

/* The response remembered for (token, key), or OWED_ENOTFOUND; *body is malloc'd. */
int store_idem_get(store *s, int64_t token_id, const char *key, char request_sha256[65],
                   int *status, char **body);
int store_idem_put(store *s, int64_t token_id, const char *key, const char *request_sha256,
                   int status, const char *body, const char *now);

#endif
