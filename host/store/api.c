/*
 * api.c -- the HTTP API's tokens and idempotency keys behind store/api.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/api.h"
#include "store/internal.h"

enum {
	SA_TOKEN_INSERT = STORE_API_FIRST, SA_TOKEN_BY_HASH, SA_TOKEN_BY_NAME, SA_TOKEN_EACH,
	SA_TOKEN_REVOKE, SA_IDEM_GET, SA_IDEM_PUT,
	SA_END
};
_Static_assert(SA_END <= STORE_WEBHOOK_FIRST, "api.c's statements do not fit the cache");

#define TOKEN_COLS "SELECT id, admin_id, name, scope, hash, created, COALESCE(revoked, '')" \
	" FROM api_token"

static const char *const sql[SA_END - STORE_API_FIRST] = {
#define S(id) [id - STORE_API_FIRST]
	S(SA_TOKEN_INSERT) = "INSERT INTO api_token (admin_id, name, scope, hash, created)"
		" VALUES (?, ?, ?, ?, ?)",
	S(SA_TOKEN_BY_HASH) = TOKEN_COLS " WHERE hash = ?1 AND revoked IS NULL",
	S(SA_TOKEN_BY_NAME) = TOKEN_COLS " WHERE admin_id = ?1 AND name = ?2 AND revoked IS NULL",
	S(SA_TOKEN_EACH) = TOKEN_COLS " WHERE admin_id = ?1 ORDER BY name, id",
	S(SA_TOKEN_REVOKE) = "UPDATE api_token SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
	S(SA_IDEM_GET) = "SELECT request_sha256, status, body FROM api_idempotency"
		" WHERE token_id = ?1 AND key = ?2",
	S(SA_IDEM_PUT) = "INSERT INTO api_idempotency (token_id, key, request_sha256, status,"
		" body, created) VALUES (?, ?, ?, ?, ?, ?)",
#undef S
};

static sqlite3_stmt *prepare(store *s, int id)
{
	return store_prepare(s, id, sql[id - STORE_API_FIRST]);
}

static void read_token(sqlite3_stmt *st, store_token *t)
{
	memset(t, 0, sizeof *t);
	t->id = sqlite3_column_int64(st, 0);
	t->admin_id = sqlite3_column_int64(st, 1);
	store_col_text(st, 2, t->name, sizeof t->name);
	store_col_text(st, 3, t->scope, sizeof t->scope);
	store_col_text(st, 4, t->hash, sizeof t->hash);
	store_col_text(st, 5, t->created, sizeof t->created);
	store_col_text(st, 6, t->revoked, sizeof t->revoked);
}

int store_token_insert(store *s, store_token *t)
{
	sqlite3_stmt *st = prepare(s, SA_TOKEN_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, t->admin_id);
	store_bind_text(st, 2, t->name);
	store_bind_text(st, 3, t->scope);
	store_bind_text(st, 4, t->hash);
	store_bind_text(st, 5, t->created);
	return store_exec_write(s, st, &t->id);
}

static int one(store *s, sqlite3_stmt *st, store_token *out)
{
	int rc = store_step_one(s, st);
	if (rc == 0)
		read_token(st, out);
	sqlite3_reset(st);
	return rc;
}

int store_token_by_hash(store *s, const char *hash, store_token *out)
{
	sqlite3_stmt *st = prepare(s, SA_TOKEN_BY_HASH);
	if (!st)
		return OWED_EIO;
	store_bind_text(st, 1, hash);
	return one(s, st, out);
}

int store_token_by_name(store *s, int64_t admin_id, const char *name, store_token *out)
{
	sqlite3_stmt *st = prepare(s, SA_TOKEN_BY_NAME);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, name);
	return one(s, st, out);
}

typedef struct token_ctx { store_token_cb cb; void *ud; } token_ctx;

static int token_row(sqlite3_stmt *st, void *ud)
{
	token_ctx *c = ud;
	store_token t;
	read_token(st, &t);
	return c->cb(&t, c->ud);
}

int store_token_each(store *s, int64_t admin_id, store_token_cb cb, void *ud)
{
	sqlite3_stmt *st = prepare(s, SA_TOKEN_EACH);
	token_ctx c = { cb, ud };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	return store_each_row(s, st, token_row, &c);
}

int store_token_revoke(store *s, int64_t id, const char *now)
{
	sqlite3_stmt *st = prepare(s, SA_TOKEN_REVOKE);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, now);
	return store_exec_write(s, st, NULL);
}

int store_idem_get(store *s, int64_t token_id, const char *key, char request_sha256[65],
                   int *status, char **body)
{
	sqlite3_stmt *st = prepare(s, SA_IDEM_GET);
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, token_id);
	store_bind_text(st, 2, key);
	if ((rc = store_step_one(s, st)) == 0) {
		const unsigned char *b = sqlite3_column_text(st, 2);
		store_col_text(st, 0, request_sha256, 65);
		*status = sqlite3_column_int(st, 1);
		*body = strdup(b ? (const char *)b : "");
		if (!*body)
			rc = OWED_ENOMEM;
	}
	sqlite3_reset(st);
	return rc;
}

int store_idem_put(store *s, int64_t token_id, const char *key, const char *request_sha256,
                   int status, const char *body, const char *now)
{
	sqlite3_stmt *st = prepare(s, SA_IDEM_PUT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, token_id);
	store_bind_text(st, 2, key);
	store_bind_text(st, 3, request_sha256);
	sqlite3_bind_int(st, 4, status);
	store_bind_text(st, 5, body);
	store_bind_text(st, 6, now);
	return store_exec_write(s, st, NULL);
}
