/*
 * sepa.c -- SEPA direct debit behind store.h: the creditor settings, mandates, the files sent
 * and the collections in them.  The schema does the guarding (schema.c, migration 5): one
 * active mandate per debtor, a reference once per administration, an end-to-end id once, an
 * invoice in at most one live (sent or paid) collection.
 */
#include <string.h>

#include "core/err.h"
#include "store/internal.h"

enum {
	SS_CREDITOR_GET = STORE_SEPA_FIRST, SS_CREDITOR_SET, SS_MANDATE_INSERT, SS_MANDATE_SAVE,
	SS_MANDATE_OF_DEBTOR, SS_MANDATE_BY_REF, SS_COLLECTABLE, SS_FILE_NEXT, SS_FILE_INSERT,
	SS_COLLECTION_INSERT, SS_COLLECTION_BY_E2E, SS_COLLECTION_MARK, SS_COLLECTION_NOTE,
	SS_END
};
_Static_assert(SS_END <= STORE_API_FIRST, "sepa.c's statements overlap api.c's");

#define MANDATE_COLS "m.id, m.admin_id, m.debtor_id, m.reference, m.iban, m.bic, m.sequence," \
	" m.status, m.signed, m.last_collection, m.changed"
#define COLLECTION_COLS "id, invoice_id, mandate_id, file_id, amount_minor, end_to_end," \
	" sequence, currency, state, reason, date, state_date"

static const char *const sql[SS_END - STORE_SEPA_FIRST] = {
#define S(id) [id - STORE_SEPA_FIRST]
	S(SS_CREDITOR_GET) = "SELECT sepa_creditor_id, bic FROM administration WHERE id = ?1",
	S(SS_CREDITOR_SET) = "UPDATE administration SET sepa_creditor_id = ?2, bic = ?3"
		" WHERE id = ?1",
	S(SS_MANDATE_INSERT) = "INSERT INTO mandate (admin_id, debtor_id, reference, iban, bic,"
		" sequence, status, signed, last_collection, changed)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	S(SS_MANDATE_SAVE) = "UPDATE mandate SET iban = ?2, bic = ?3, sequence = ?4, status = ?5,"
		" signed = ?6, last_collection = ?7, changed = ?8 WHERE id = ?1",
	S(SS_MANDATE_OF_DEBTOR) = "SELECT " MANDATE_COLS " FROM mandate m WHERE m.debtor_id = ?1"
		" ORDER BY m.status = 'active' DESC, m.id DESC LIMIT 1",
	S(SS_MANDATE_BY_REF) = "SELECT " MANDATE_COLS " FROM mandate m WHERE m.admin_id = ?1"
		" AND m.reference = ?2",
	S(SS_COLLECTABLE) = "SELECT i.id, i.debtor_id, i.open_minor, i.number, i.currency,"
		" i.reference, d.number, d.name, d.country, i.due_date,"
		" EXISTS (SELECT 1 FROM dispute x WHERE x.invoice_id = i.id AND x.resolved IS NULL), "
		MANDATE_COLS
		" FROM invoice i JOIN debtor d ON d.id = i.debtor_id"
		" JOIN mandate m ON m.debtor_id = d.id AND m.status = 'active'"
		" WHERE i.admin_id = ?1 AND i.open_minor > 0 AND i.due_date <= ?2"
		" AND NOT EXISTS (SELECT 1 FROM collection c WHERE c.invoice_id = i.id"
		" AND c.state IN ('sent', 'paid'))"
		" ORDER BY d.number, i.due_date, i.number",
	S(SS_FILE_NEXT) = "SELECT COALESCE(MAX(id), 0) + 1 FROM sepa_file",
	S(SS_FILE_INSERT) = "INSERT INTO sepa_file (id, admin_id, message_id, path,"
		" collection_date, created, transactions, total_minor, currency, writer)"
		" VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	S(SS_COLLECTION_INSERT) = "INSERT INTO collection (invoice_id, mandate_id, file_id,"
		" end_to_end, sequence, amount_minor, currency, date, state)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent')",
	S(SS_COLLECTION_BY_E2E) = "SELECT " COLLECTION_COLS " FROM collection"
		" WHERE end_to_end = ?1",
	S(SS_COLLECTION_MARK) = "UPDATE collection SET state = ?2 WHERE id = ?1",
	S(SS_COLLECTION_NOTE) = "UPDATE collection SET state_date = ?2, reason = ?3 WHERE id = ?1",
#undef S
};

static sqlite3_stmt *prepare(store *s, int id)
{
	return store_prepare(s, id, sql[id - STORE_SEPA_FIRST]);
}

/* Runs an UPDATE that must change exactly one row. */
static int update_one(store *s, sqlite3_stmt *st)
{
	int rc = store_exec_write(s, st, NULL);
	if (rc == 0 && sqlite3_changes(s->db) != 1)
		return OWED_ENOTFOUND;
	return rc;
}

/* ------------------------------------------------------------------ creditor settings */

int store_sepa_creditor_get(store *s, int64_t admin_id, char *ci, size_t ci_size, char *bic,
                            size_t bic_size)
{
	sqlite3_stmt *st = prepare(s, SS_CREDITOR_GET);
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	store_col_text(st, 0, ci, ci_size);
	store_col_text(st, 1, bic, bic_size);
	sqlite3_reset(st);
	return 0;
}

int store_sepa_creditor_set(store *s, int64_t admin_id, const char *ci, const char *bic)
{
	sqlite3_stmt *st = prepare(s, SS_CREDITOR_SET);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, ci);
	store_bind_text(st, 3, bic);
	return update_one(s, st);
}

/* ------------------------------------------------------------------ mandates */

static void bind_date_or_null(sqlite3_stmt *st, int i, owed_date d)
{
	if (d)
		store_bind_date(st, i, d);
	else
		sqlite3_bind_null(st, i);
}

/* Reads MANDATE_COLS starting at column c. */
static void read_mandate(sqlite3_stmt *st, int c, store_mandate *m)
{
	memset(m, 0, sizeof *m);
	m->id = sqlite3_column_int64(st, c);
	m->admin_id = sqlite3_column_int64(st, c + 1);
	m->debtor_id = sqlite3_column_int64(st, c + 2);
	store_col_text(st, c + 3, m->reference, sizeof m->reference);
	store_col_text(st, c + 4, m->iban, sizeof m->iban);
	store_col_text(st, c + 5, m->bic, sizeof m->bic);
	store_col_text(st, c + 6, m->sequence, sizeof m->sequence);
	store_col_text(st, c + 7, m->status, sizeof m->status);
	m->signed_on = store_col_date(st, c + 8);
	m->last_collection = store_col_date(st, c + 9);
	m->changed = store_col_date(st, c + 10);
}

int store_mandate_insert(store *s, store_mandate *m)
{
	sqlite3_stmt *st = prepare(s, SS_MANDATE_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, m->admin_id);
	sqlite3_bind_int64(st, 2, m->debtor_id);
	store_bind_text(st, 3, m->reference);
	store_bind_text(st, 4, m->iban);
	store_bind_text(st, 5, m->bic);
	store_bind_text(st, 6, m->sequence);
	store_bind_text(st, 7, m->status);
	store_bind_date(st, 8, m->signed_on);
	bind_date_or_null(st, 9, m->last_collection);
	store_bind_date(st, 10, m->changed);
	return store_exec_write(s, st, &m->id);
}

int store_mandate_save(store *s, const store_mandate *m)
{
	sqlite3_stmt *st = prepare(s, SS_MANDATE_SAVE);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, m->id);
	store_bind_text(st, 2, m->iban);
	store_bind_text(st, 3, m->bic);
	store_bind_text(st, 4, m->sequence);
	store_bind_text(st, 5, m->status);
	store_bind_date(st, 6, m->signed_on);
	bind_date_or_null(st, 7, m->last_collection);
	store_bind_date(st, 8, m->changed);
	return update_one(s, st);
}

static int one_mandate(store *s, sqlite3_stmt *st, store_mandate *out)
{
	int rc = store_step_one(s, st);
	if (rc == 0) {
		read_mandate(st, 0, out);
		sqlite3_reset(st);
	}
	return rc;
}

int store_mandate_of_debtor(store *s, int64_t debtor_id, store_mandate *out)
{
	sqlite3_stmt *st = prepare(s, SS_MANDATE_OF_DEBTOR);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	return one_mandate(s, st, out);
}

int store_mandate_by_reference(store *s, int64_t admin_id, const char *reference,
                               store_mandate *out)
{
	sqlite3_stmt *st = prepare(s, SS_MANDATE_BY_REF);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, reference);
	return one_mandate(s, st, out);
}

int store_collectable_each(store *s, int64_t admin_id, owed_date on, store_collectable_cb cb,
                           void *ctx)
{
	sqlite3_stmt *st = prepare(s, SS_COLLECTABLE);
	store_collectable c;
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_date(st, 2, on);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&c, 0, sizeof c);
		c.invoice_id = sqlite3_column_int64(st, 0);
		c.debtor_id = sqlite3_column_int64(st, 1);
		c.open = sqlite3_column_int64(st, 2);
		store_col_text(st, 3, c.invoice, sizeof c.invoice);
		store_col_text(st, 4, c.currency, sizeof c.currency);
		store_col_text(st, 5, c.reference, sizeof c.reference);
		store_col_text(st, 6, c.debtor_number, sizeof c.debtor_number);
		store_col_text(st, 7, c.debtor_name, sizeof c.debtor_name);
		store_col_text(st, 8, c.debtor_country, sizeof c.debtor_country);
		c.due_date = store_col_date(st, 9);
		c.disputed = sqlite3_column_int(st, 10);
		read_mandate(st, 11, &c.mandate);
		if ((rc = cb(&c, ctx)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, OWED_EIO);
}

/* ------------------------------------------------------------------ files and collections */

int store_sepa_file_next_id(store *s, int64_t *id)
{
	sqlite3_stmt *st = prepare(s, SS_FILE_NEXT);
	int rc;
	if (!st)
		return OWED_EIO;
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int store_sepa_file_insert(store *s, store_sepa_file *f)
{
	sqlite3_stmt *st = prepare(s, SS_FILE_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_int64(st, 2, f->admin_id);
	store_bind_text(st, 3, f->message_id);
	store_bind_text(st, 4, f->path);
	store_bind_date(st, 5, f->collection_date);
	store_bind_text(st, 6, f->created);
	sqlite3_bind_int64(st, 7, f->transactions);
	sqlite3_bind_int64(st, 8, f->total);
	store_bind_text(st, 9, f->currency);
	store_bind_text(st, 10, f->writer);
	return store_exec_write(s, st, &f->id);
}

int store_collection_insert(store *s, store_collection *c)
{
	sqlite3_stmt *st = prepare(s, SS_COLLECTION_INSERT);
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, c->invoice_id);
	sqlite3_bind_int64(st, 2, c->mandate_id);
	sqlite3_bind_int64(st, 3, c->file_id);
	store_bind_text(st, 4, c->end_to_end);
	store_bind_text(st, 5, c->sequence);
	sqlite3_bind_int64(st, 6, c->amount);
	store_bind_text(st, 7, c->currency);
	store_bind_date(st, 8, c->date);
	if ((rc = store_exec_write(s, st, &c->id)) == 0)
		strcpy(c->state, "sent");
	return rc;
}

int store_collection_by_end_to_end(store *s, const char *e2e, store_collection *out)
{
	sqlite3_stmt *st = prepare(s, SS_COLLECTION_BY_E2E);
	int rc;
	if (!st)
		return OWED_EIO;
	store_bind_text(st, 1, e2e);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	out->invoice_id = sqlite3_column_int64(st, 1);
	out->mandate_id = sqlite3_column_int64(st, 2);
	out->file_id = sqlite3_column_int64(st, 3);
	out->amount = sqlite3_column_int64(st, 4);
	store_col_text(st, 5, out->end_to_end, sizeof out->end_to_end);
	store_col_text(st, 6, out->sequence, sizeof out->sequence);
	store_col_text(st, 7, out->currency, sizeof out->currency);
	store_col_text(st, 8, out->state, sizeof out->state);
	store_col_text(st, 9, out->reason, sizeof out->reason);
	out->date = store_col_date(st, 10);
	out->state_date = store_col_date(st, 11);
	sqlite3_reset(st);
	return 0;
}

int store_collection_mark(store *s, int64_t id, const char *state)
{
	sqlite3_stmt *st = prepare(s, SS_COLLECTION_MARK);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, state);
	return update_one(s, st);
}

int store_collection_note(store *s, int64_t id, owed_date date, const char *reason)
{
	sqlite3_stmt *st = prepare(s, SS_COLLECTION_NOTE);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	store_bind_date(st, 2, date);
	store_bind_text(st, 3, reason);
	return update_one(s, st);
}
