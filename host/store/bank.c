/*
 * bank.c -- bank statements and their entries behind store.h.  The UNIQUE constraints do the
 * recognising: a statement key once per account, a bank reference once per account.
 */
#include <string.h>

#include "core/err.h"
#include "store/internal.h"

enum {
	SB_STATEMENT_INSERT = STORE_BANK_FIRST, SB_STATEMENT_SEEN, SB_ENTRY_INSERT, SB_ENTRY_SEEN,
	SB_BY_END_TO_END, SB_TO_REVERSE,
	SB_END
};
_Static_assert(SB_END <= STORE_SEPA_FIRST, "bank.c's statements overlap sepa.c's");

static const char *const sql[SB_END - STORE_BANK_FIRST] = {
#define S(id) [id - STORE_BANK_FIRST]
	S(SB_STATEMENT_INSERT) = "INSERT INTO bank_statement (admin_id, account, statement_key,"
		" format, date, currency, opening_minor, closing_minor, entries, file, file_sha256,"
		" unbalanced, imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	S(SB_STATEMENT_SEEN) = "SELECT 1 FROM bank_statement WHERE admin_id = ?1 AND account = ?2"
		" AND statement_key = ?3",
	S(SB_ENTRY_INSERT) = "INSERT INTO bank_entry (statement_id, account, bank_ref, date,"
		" currency, amount_minor, credit, end_to_end, payment_id, outcome, rule, why)"
		" VALUES (?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?, NULLIF(?, 0), ?, ?, ?)",
	S(SB_ENTRY_SEEN) = "SELECT 1 FROM bank_entry WHERE account = ?1 AND bank_ref = ?2",
	S(SB_BY_END_TO_END) = "SELECT payment_id FROM bank_entry WHERE end_to_end = ?1"
		" AND credit = 1 AND payment_id IS NOT NULL ORDER BY id DESC LIMIT 1",
	S(SB_TO_REVERSE) = "SELECT id FROM payment WHERE admin_id = ?1 AND iban = ?2"
		" AND amount_minor = ?3 AND currency = ?4 AND returned_minor = 0"
		" ORDER BY date DESC, id DESC LIMIT 1",
#undef S
};

static sqlite3_stmt *prepare(store *s, int id)
{
	return store_prepare(s, id, sql[id - STORE_BANK_FIRST]);
}

int store_statement_insert(store *s, store_statement *r, const char *now)
{
	sqlite3_stmt *st = prepare(s, SB_STATEMENT_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, r->admin_id);
	store_bind_text(st, 2, r->account);
	store_bind_text(st, 3, r->key);
	store_bind_text(st, 4, r->format);
	if (r->date)
		store_bind_date(st, 5, r->date);
	store_bind_text(st, 6, r->currency);
	if (r->has_opening)
		sqlite3_bind_int64(st, 7, r->opening);
	if (r->has_closing)
		sqlite3_bind_int64(st, 8, r->closing);
	sqlite3_bind_int64(st, 9, r->entries);
	store_bind_text(st, 10, r->file);
	store_bind_text(st, 11, r->file_sha256);
	store_bind_text(st, 12, r->unbalanced);
	store_bind_text(st, 13, now);
	return store_exec_write(s, st, &r->id);
}

static int exists(store *s, sqlite3_stmt *st)
{
	int rc = store_step_one(s, st);
	sqlite3_reset(st);
	return rc == 0 ? 1 : rc == OWED_ENOTFOUND ? 0 : rc;
}

int store_statement_seen(store *s, int64_t admin_id, const char *account, const char *key)
{
	sqlite3_stmt *st = prepare(s, SB_STATEMENT_SEEN);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, account);
	store_bind_text(st, 3, key);
	return exists(s, st);
}

int store_bank_entry_insert(store *s, store_bank_entry *e)
{
	sqlite3_stmt *st = prepare(s, SB_ENTRY_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, e->statement_id);
	store_bind_text(st, 2, e->account);
	store_bind_text(st, 3, e->bank_ref);
	store_bind_date(st, 4, e->date);
	store_bind_text(st, 5, e->currency);
	sqlite3_bind_int64(st, 6, e->amount);
	sqlite3_bind_int(st, 7, e->credit);
	store_bind_text(st, 8, e->end_to_end);
	sqlite3_bind_int64(st, 9, e->payment_id);
	store_bind_text(st, 10, e->outcome);
	store_bind_text(st, 11, e->rule ? e->rule : "");
	store_bind_text(st, 12, e->why ? e->why : "");
	return store_exec_write(s, st, &e->id);
}

int store_bank_entry_seen(store *s, const char *account, const char *bank_ref)
{
	sqlite3_stmt *st = prepare(s, SB_ENTRY_SEEN);
	if (!st)
		return OWED_EIO;
	store_bind_text(st, 1, account);
	store_bind_text(st, 2, bank_ref);
	return exists(s, st);
}

static int64_t one_id(store *s, sqlite3_stmt *st)
{
	int64_t id = 0;
	if (store_step_one(s, st) == 0)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

int64_t store_payment_by_end_to_end(store *s, const char *end_to_end)
{
	sqlite3_stmt *st = prepare(s, SB_BY_END_TO_END);
	if (!st)
		return 0;
	store_bind_text(st, 1, end_to_end);
	return one_id(s, st);
}

int64_t store_payment_to_reverse(store *s, int64_t admin_id, const char *iban, int64_t amount,
                                 const char *currency)
{
	sqlite3_stmt *st = prepare(s, SB_TO_REVERSE);
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, iban);
	sqlite3_bind_int64(st, 3, amount);
	store_bind_text(st, 4, currency);
	return one_id(s, st);
}
