/*
 * internal.h -- what the store's files share: the connection with its statement cache, and
 * the small helpers every query uses.  store.c holds the ledger's statements (ids below
 * STORE_DUNNING_FIRST), dunning.c the dunning ones, bank.c the bank statements'.
 */
#ifndef OWED_STORE_INTERNAL_H
#define OWED_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

/* Each file's statements have a range of the cache, with room to grow (a _Static_assert in
 * each file checks its end). */
#define STORE_MAX_STMTS     224
#define STORE_DUNNING_FIRST 64
#define STORE_BANK_FIRST    128    /* bank.c */
#define STORE_SEPA_FIRST    144    /* sepa.c */
#define STORE_API_FIRST     160    /* api.c */
#define STORE_WEBHOOK_FIRST 184    /* webhook.c */
#define STORE_RUNS_FIRST    200    /* runs.c */

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[STORE_MAX_STMTS];
	int depth;              /* transaction nesting: 0 none, 1 BEGIN, >1 savepoints */
	char error[256];
};

/* The cached statement id for text, reset and unbound. */
sqlite3_stmt *store_prepare(store *s, int id, const char *text);
int store_fail(store *s, int code);
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
void store_bind_date(sqlite3_stmt *st, int i, owed_date d);
void store_col_text(sqlite3_stmt *st, int i, char *out, size_t size);
owed_date store_col_date(sqlite3_stmt *st, int i);
/* Runs a write to completion (*id, if given, gets the new row's id). */
int store_exec_write(store *s, sqlite3_stmt *st, int64_t *id);
/* Steps a one-row read: 0 with the row ready, OWED_ENOTFOUND, or OWED_EIO. */
int store_step_one(store *s, sqlite3_stmt *st);
/* Steps every row of st through each(st, ctx), stopping at the first non-zero it returns
 * (which is returned); resets st.  store_each_id: the rows are one id each. */
int store_each_row(store *s, sqlite3_stmt *st, int (*each)(sqlite3_stmt *, void *), void *ctx);
int store_each_id(store *s, sqlite3_stmt *st, store_id_cb cb, void *ctx);

#endif
