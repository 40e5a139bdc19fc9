/*
 * dunning.c -- the dunning tables behind store.h: cases, steps, letters, the outbox, runs and
 * disputes.  The UNIQUE constraints do the idempotency: a case takes a step once, a delivery is
 * queued once, a date is run once.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "store/internal.h"

enum {
	SD_OVERDUE = STORE_DUNNING_FIRST, SD_CASES, SD_CASE_GET, SD_CASE_INSERT, SD_CASE_SAVE,
	SD_STEPS, SD_STEP_INSERT, SD_LETTER_INSERT, SD_OUTBOX_INSERT, SD_OUTBOX_DUE,
	SD_OUTBOX_EACH, SD_OUTBOX_MARK, SD_RUN_GET, SD_RUN_START, SD_RUN_FINISH,
	SD_DISPUTE_OPEN, SD_DISPUTE_RESOLVE, SD_DUNNING_DEBTORS, SD_LETTER_GET,
	SD_LETTERS_OF_DEBTOR, SD_OVERDUE_ONE, SD_CASES_ONE, SD_PROMISE_INSERT, SD_PROMISE_OPEN,
	SD_PROMISE_MARK, SD_INSTALMENT_INSERT, SD_INSTALMENTS, SD_INSTALMENT_MARK, SD_PAID_SINCE,
	SD_TASK_INSERT, SD_TASKS, SD_TASK_DONE, SD_PAUSES, SD_ACTIVE_STEPS, SD_PAUSED, SD_SUM_STEPS, SD_SUM_CHARGES, SD_SUM_PAYMENTS, SD_SUM_CASES,
	SD_DISPUTES_OF_DEBTOR, SD_OUTBOX_GET, SD_PAUSE_INSERT, SD_PAUSE_HOLDS, SD_PAUSE_RESUME,
	SD_END
};
_Static_assert(SD_END <= STORE_BANK_FIRST, "dunning.c's statements overlap bank.c's");

#define CASE_COLS "id, admin_id, debtor_id, policy, state, step, step_date, next_date, opened," \
	" closed FROM dunning_case"
#define OUTBOX_COLS "id, COALESCE(case_id, 0), COALESCE(letter_id, 0), channel, idem_key," \
	" state, attempts, next_attempt, created, COALESCE(sent, ''), payload, last_error" \
	" FROM outbox"

/* Two statements, not one with "?3 = 0 OR debtor_id = ?3": that form keeps SQLite from the
 * debtor index, and the daily run asks per debtor -- a full scan per case.  The one for a
 * debtor is pinned to the debtor's open-invoice index: the (admin, due date, number) index
 * would spare its sort and walk the whole administration for each debtor (a 7 s run took
 * minutes). */
#define OVERDUE_FIELDS "SELECT i.debtor_id, i.id, i.number, i.currency, i.reference," \
	" i.description, i.issue_date, i.due_date, i.amount_minor, i.open_minor, i.charges_minor," \
	" EXISTS (SELECT 1 FROM dispute x WHERE x.invoice_id = i.id AND x.resolved IS NULL)"
#define OVERDUE_WHERE " WHERE i.admin_id = ?1 AND i.open_minor > 0 AND i.due_date < ?2"
static const char *const sql_overdue = OVERDUE_FIELDS " FROM invoice i" OVERDUE_WHERE
	" ORDER BY i.debtor_id, i.due_date, i.number";
static const char *const sql_overdue_one = OVERDUE_FIELDS
	" FROM invoice i INDEXED BY invoice_open_debtor" OVERDUE_WHERE
	" AND i.debtor_id = ?3 ORDER BY i.due_date, i.number";

static const char *const case_states[] = { "open", "handed_off", "closed" };

static void read_case(sqlite3_stmt *st, owed_case *c)
{
	char state[16];
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(st, 0);
	c->admin_id = sqlite3_column_int64(st, 1);
	c->debtor_id = sqlite3_column_int64(st, 2);
	store_col_text(st, 3, c->policy, sizeof c->policy);
	store_col_text(st, 4, state, sizeof state);
	c->state = strcmp(state, "open") == 0 ? CASE_OPEN
	         : strcmp(state, "handed_off") == 0 ? CASE_HANDED_OFF : CASE_CLOSED;
	store_col_text(st, 5, c->step, sizeof c->step);
	c->step_date = store_col_date(st, 6);
	c->next_date = store_col_date(st, 7);
	c->opened = store_col_date(st, 8);
	c->closed = store_col_date(st, 9);
}

/* Binds a date, or NULL for 0 (no date). */
static void bind_opt_date(sqlite3_stmt *st, int i, owed_date d)
{
	if (d)
		store_bind_date(st, i, d);
	else
		sqlite3_bind_null(st, i);
}


/* ------------------------------------------------------------------ overdue invoices */

typedef struct overdue_ctx { store_overdue_cb cb; void *ctx; } overdue_ctx;

static int overdue_row(sqlite3_stmt *st, void *ud)
{
	overdue_ctx *o = ud;
	store_overdue r;
	r.debtor_id = sqlite3_column_int64(st, 0);
	r.invoice_id = sqlite3_column_int64(st, 1);
	store_col_text(st, 2, r.number, sizeof r.number);
	store_col_text(st, 3, r.currency, sizeof r.currency);
	store_col_text(st, 4, r.reference, sizeof r.reference);
	store_col_text(st, 5, r.description, sizeof r.description);
	r.issue_date = store_col_date(st, 6);
	r.due_date = store_col_date(st, 7);
	r.amount = sqlite3_column_int64(st, 8);
	r.open = sqlite3_column_int64(st, 9);
	r.charges = sqlite3_column_int64(st, 10);
	r.disputed = sqlite3_column_int(st, 11);
	return o->cb(&r, o->ctx);
}

int store_overdue_each(store *s, int64_t admin_id, owed_date asof, int64_t debtor_id,
                       store_overdue_cb cb, void *ctx)
{
	sqlite3_stmt *st = debtor_id ? store_prepare(s, SD_OVERDUE_ONE, sql_overdue_one)
	                             : store_prepare(s, SD_OVERDUE, sql_overdue);
	overdue_ctx o = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_date(st, 2, asof);
	if (debtor_id)
		sqlite3_bind_int64(st, 3, debtor_id);
	return store_each_row(s, st, overdue_row, &o);
}

/* Debtors with an overdue open invoice or an active case: the ones a run looks at.  Each
 * debtor is asked once through the open-invoice index (the first overdue one answers), rather
 * than every overdue invoice read for its debtor and the ids then sorted and made unique:
 * 1,000,000 invoices of 100,000 debtors, 0.5 s -> 0.1 s. */
int store_dunning_debtors(store *s, int64_t admin_id, owed_date asof, store_id_cb cb,
                          void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_DUNNING_DEBTORS,
		"SELECT d.id FROM debtor d WHERE EXISTS (SELECT 1 FROM invoice i"
		" WHERE i.debtor_id = d.id AND i.admin_id = ?1 AND i.open_minor > 0"
		" AND i.due_date < ?2) UNION SELECT debtor_id FROM dunning_case WHERE admin_id = ?1"
		" AND state <> 'closed' ORDER BY 1");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_date(st, 2, asof);
	return store_each_id(s, st, cb, ctx);
}

/* ------------------------------------------------------------------ cases */

typedef struct case_ctx { store_case_cb cb; void *ctx; } case_ctx;

static int case_row(sqlite3_stmt *st, void *ud)
{
	case_ctx *c = ud;
	owed_case oc;
	read_case(st, &oc);
	return c->cb(&oc, c->ctx);
}

int store_case_active_each(store *s, int64_t admin_id, int64_t debtor_id, store_case_cb cb,
                           void *ctx)
{
	sqlite3_stmt *st = debtor_id
		? store_prepare(s, SD_CASES_ONE, "SELECT " CASE_COLS " WHERE debtor_id = ?2"
		                " AND admin_id = ?1 AND state <> 'closed'")
		: store_prepare(s, SD_CASES, "SELECT " CASE_COLS " WHERE admin_id = ?1"
		                " AND state <> 'closed' ORDER BY debtor_id");
	case_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	if (debtor_id)
		sqlite3_bind_int64(st, 2, debtor_id);
	return store_each_row(s, st, case_row, &c);
}

int store_case_get(store *s, int64_t id, owed_case *out)
{
	sqlite3_stmt *st = store_prepare(s, SD_CASE_GET, "SELECT " CASE_COLS " WHERE id = ?");
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	read_case(st, out);
	sqlite3_reset(st);
	return 0;
}

int store_case_insert(store *s, owed_case *c)
{
	sqlite3_stmt *st = store_prepare(s, SD_CASE_INSERT, "INSERT INTO dunning_case"
		" (admin_id, debtor_id, policy, state, step, opened) VALUES (?, ?, ?, 'open', '', ?)");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, c->admin_id);
	sqlite3_bind_int64(st, 2, c->debtor_id);
	store_bind_text(st, 3, c->policy);
	store_bind_date(st, 4, c->opened);
	c->state = CASE_OPEN;
	return store_exec_write(s, st, &c->id);
}

int store_case_save(store *s, const owed_case *c)
{
	sqlite3_stmt *st = store_prepare(s, SD_CASE_SAVE, "UPDATE dunning_case SET policy = ?2,"
		" state = ?3, step = ?4, step_date = ?5, next_date = ?6, closed = ?7 WHERE id = ?1");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, c->id);
	store_bind_text(st, 2, c->policy);
	store_bind_text(st, 3, case_states[c->state]);
	store_bind_text(st, 4, c->step);
	bind_opt_date(st, 5, c->step_date);
	bind_opt_date(st, 6, c->next_date);
	bind_opt_date(st, 7, c->closed);
	return store_exec_write(s, st, NULL);
}

/* ------------------------------------------------------------------ steps and letters */

typedef struct step_ctx { store_step_cb cb; void *ctx; } step_ctx;

static int step_row(sqlite3_stmt *st, void *ud)
{
	step_ctx *c = ud;
	store_step r;
	r.id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, r.step, sizeof r.step);
	r.date = store_col_date(st, 2);
	store_col_text(st, 3, r.channels, sizeof r.channels);
	r.reason = (const char *)sqlite3_column_text(st, 4);
	r.policy = (const char *)sqlite3_column_text(st, 5);
	r.policy_version = (const char *)sqlite3_column_text(st, 6);
	return c->cb(&r, c->ctx);
}

int store_case_steps(store *s, int64_t case_id, store_step_cb cb, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_STEPS, "SELECT id, step, date, channels, reason,"
		" policy, policy_version FROM case_step WHERE case_id = ? ORDER BY id");
	step_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, case_id);
	return store_each_row(s, st, step_row, &c);
}

int store_step_insert(store *s, int64_t case_id, const char *step, owed_date date,
                      const char *policy, const char *version, const char *reason,
                      const char *channels, int64_t *id)
{
	sqlite3_stmt *st = store_prepare(s, SD_STEP_INSERT, "INSERT INTO case_step (case_id, step,"
		" date, policy, policy_version, reason, channels) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, case_id);
	store_bind_text(st, 2, step);
	store_bind_date(st, 3, date);
	store_bind_text(st, 4, policy);
	store_bind_text(st, 5, version);
	store_bind_text(st, 6, reason);
	store_bind_text(st, 7, channels);
	return store_exec_write(s, st, id);
}

int store_letter_insert(store *s, int64_t case_id, int64_t step_id, const char *lang,
                        const char *subject, const char *text, const void *pdf, size_t pdf_len,
                        const char *hash, int64_t *id)
{
	sqlite3_stmt *st = store_prepare(s, SD_LETTER_INSERT, "INSERT INTO letter (case_id,"
		" step_id, lang, subject, text, pdf, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, step_id);
	store_bind_text(st, 3, lang);
	store_bind_text(st, 4, subject);
	store_bind_text(st, 5, text);
	if (pdf)
		sqlite3_bind_blob64(st, 6, pdf, pdf_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	store_bind_text(st, 7, hash);
	return store_exec_write(s, st, id);
}

int store_letter_get(store *s, int64_t id, store_letter_fn fn, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_LETTER_GET, "SELECT subject, text, pdf, lang,"
		" content_hash FROM letter WHERE id = ?");
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	rc = fn((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
	        sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2),
	        (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4),
	        ctx);
	sqlite3_reset(st);
	return rc;
}

typedef struct letter_ctx { store_letter_row_fn fn; void *ctx; } letter_ctx;

static int letter_row(sqlite3_stmt *st, void *ud)
{
	letter_ctx *c = ud;
	store_letter_row r = {
		.id = sqlite3_column_int64(st, 0),
		.step = (const char *)sqlite3_column_text(st, 1),
		.date = store_col_date(st, 2),
		.subject = (const char *)sqlite3_column_text(st, 3),
		.lang = (const char *)sqlite3_column_text(st, 4),
		.hash = (const char *)sqlite3_column_text(st, 5),
		.pdf = sqlite3_column_blob(st, 6),
		.pdf_len = (size_t)sqlite3_column_bytes(st, 6),
	};
	return c->fn(&r, c->ctx);
}

int store_letters_of_debtor(store *s, int64_t debtor_id, store_letter_row_fn fn, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_LETTERS_OF_DEBTOR, "SELECT l.id, s.step, s.date,"
		" l.subject, l.lang, l.content_hash, l.pdf FROM letter l"
		" JOIN case_step s ON s.id = l.step_id JOIN dunning_case c ON c.id = l.case_id"
		" WHERE c.debtor_id = ? ORDER BY l.id");
	letter_ctx c = { fn, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	return store_each_row(s, st, letter_row, &c);
}

/* ------------------------------------------------------------------ the outbox */

int store_outbox_insert(store *s, int64_t case_id, int64_t letter_id, const char *channel,
                        const char *idem_key, const char *payload, const char *now,
                        int64_t *id)
{
	sqlite3_stmt *st = store_prepare(s, SD_OUTBOX_INSERT, "INSERT INTO outbox (case_id,"
		" letter_id, channel, idem_key, payload, state, next_attempt, created)"
		" VALUES (NULLIF(?1, 0), NULLIF(?2, 0), ?3, ?4, ?5, 'pending', ?6, ?6)");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, letter_id);
	store_bind_text(st, 3, channel);
	store_bind_text(st, 4, idem_key);
	store_bind_text(st, 5, payload);
	store_bind_text(st, 6, now);
	return store_exec_write(s, st, id);
}

typedef struct outbox_ctx { store_outbox_cb cb; void *ctx; } outbox_ctx;

static int outbox_row(sqlite3_stmt *st, void *ud)
{
	outbox_ctx *c = ud;
	store_outbox o;
	o.id = sqlite3_column_int64(st, 0);
	o.case_id = sqlite3_column_int64(st, 1);
	o.letter_id = sqlite3_column_int64(st, 2);
	store_col_text(st, 3, o.channel, sizeof o.channel);
	store_col_text(st, 4, o.idem_key, sizeof o.idem_key);
	store_col_text(st, 5, o.state, sizeof o.state);
	o.attempts = sqlite3_column_int(st, 6);
	store_col_text(st, 7, o.next_attempt, sizeof o.next_attempt);
	store_col_text(st, 8, o.created, sizeof o.created);
	store_col_text(st, 9, o.sent, sizeof o.sent);
	o.payload = (const char *)sqlite3_column_text(st, 10);
	o.last_error = (const char *)sqlite3_column_text(st, 11);
	return c->cb(&o, c->ctx);
}

int store_outbox_due(store *s, const char *now, int limit, store_outbox_cb cb, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_OUTBOX_DUE, "SELECT " OUTBOX_COLS
		/* pinned: for ORDER BY id ... LIMIT SQLite would rather walk the whole outbox */
		" INDEXED BY outbox_due WHERE state = 'pending' AND next_attempt <= ?1"
		" ORDER BY id LIMIT ?2");
	outbox_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	store_bind_text(st, 1, now);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
	return store_each_row(s, st, outbox_row, &c);
}

int store_outbox_each(store *s, const char *state, store_outbox_cb cb, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_OUTBOX_EACH, "SELECT " OUTBOX_COLS
		" WHERE ?1 = '' OR state = ?1 ORDER BY id");
	outbox_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	store_bind_text(st, 1, state ? state : "");
	return store_each_row(s, st, outbox_row, &c);
}

int store_outbox_get(store *s, int64_t id, store_outbox_cb cb, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_OUTBOX_GET, "SELECT " OUTBOX_COLS " WHERE id = ?");
	outbox_ctx c = { cb, ctx };
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	rc = outbox_row(st, &c);
	sqlite3_reset(st);
	return rc;
}

int store_outbox_mark(store *s, int64_t id, const char *state, int attempts,
                      const char *next_attempt, const char *error, const char *sent)
{
	sqlite3_stmt *st = store_prepare(s, SD_OUTBOX_MARK, "UPDATE outbox SET state = ?2,"
		" attempts = ?3, next_attempt = ?4, last_error = ?5, sent = NULLIF(?6, '')"
		" WHERE id = ?1");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, state);
	sqlite3_bind_int(st, 3, attempts);
	store_bind_text(st, 4, next_attempt);
	store_bind_text(st, 5, error);
	store_bind_text(st, 6, sent);
	return store_exec_write(s, st, NULL);
}

/* ------------------------------------------------------------------ runs */

int store_run_get(store *s, owed_date date, store_run *out)
{
	sqlite3_stmt *st = store_prepare(s, SD_RUN_GET, "SELECT date, started,"
		" COALESCE(finished, ''), cases, steps FROM run WHERE date = ?");
	int rc;
	if (!st)
		return OWED_EIO;
	store_bind_date(st, 1, date);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	store_col_text(st, 0, out->date, sizeof out->date);
	store_col_text(st, 1, out->started, sizeof out->started);
	store_col_text(st, 2, out->finished, sizeof out->finished);
	out->cases = sqlite3_column_int64(st, 3);
	out->steps = sqlite3_column_int64(st, 4);
	sqlite3_reset(st);
	return 0;
}

int store_run_start(store *s, owed_date date, const char *now)
{
	sqlite3_stmt *st = store_prepare(s, SD_RUN_START, "INSERT INTO run (date, started)"
		" VALUES (?, ?) ON CONFLICT (date) DO NOTHING");
	if (!st)
		return OWED_EIO;
	store_bind_date(st, 1, date);
	store_bind_text(st, 2, now);
	return store_exec_write(s, st, NULL);
}

int store_run_finish(store *s, owed_date date, const char *now, int64_t cases, int64_t steps)
{
	sqlite3_stmt *st = store_prepare(s, SD_RUN_FINISH, "UPDATE run SET finished = ?2,"
		" cases = ?3, steps = steps + ?4 WHERE date = ?1");
	if (!st)
		return OWED_EIO;
	store_bind_date(st, 1, date);
	store_bind_text(st, 2, now);
	sqlite3_bind_int64(st, 3, cases);
	sqlite3_bind_int64(st, 4, steps);
	return store_exec_write(s, st, NULL);
}

/* ------------------------------------------------------------------ disputes */

int store_dispute_open(store *s, int64_t invoice_id, const char *reason, owed_date date,
                       int64_t *id)
{
	sqlite3_stmt *st = store_prepare(s, SD_DISPUTE_OPEN, "INSERT INTO dispute (invoice_id,"
		" reason, opened) VALUES (?, ?, ?)");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, invoice_id);
	store_bind_text(st, 2, reason);
	store_bind_date(st, 3, date);
	return store_exec_write(s, st, id);
}

int store_dispute_resolve(store *s, int64_t invoice_id, owed_date date)
{
	sqlite3_stmt *st = store_prepare(s, SD_DISPUTE_RESOLVE, "UPDATE dispute SET resolved = ?2"
		" WHERE invoice_id = ?1 AND resolved IS NULL");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, invoice_id);
	store_bind_date(st, 2, date);
	if (store_exec_write(s, st, NULL) != 0)
		return OWED_EIO;
	return sqlite3_changes(s->db) ? 0 : OWED_ENOTFOUND;
}

typedef struct dispute_ctx { store_dispute_cb cb; void *ctx; } dispute_ctx;

static int dispute_row(sqlite3_stmt *st, void *ud)
{
	dispute_ctx *c = ud;
	store_dispute d = { .id = sqlite3_column_int64(st, 0),
	                    .invoice_id = sqlite3_column_int64(st, 1),
	                    .reason = (const char *)sqlite3_column_text(st, 3),
	                    .opened = store_col_date(st, 4), .resolved = store_col_date(st, 5) };
	store_col_text(st, 2, d.invoice, sizeof d.invoice);
	return c->cb(&d, c->ctx);
}

int store_disputes_of_debtor(store *s, int64_t debtor_id, store_dispute_cb cb, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_DISPUTES_OF_DEBTOR, "SELECT x.id, i.id, i.number,"
		" x.reason, x.opened, x.resolved FROM dispute x JOIN invoice i ON i.id = x.invoice_id"
		" WHERE i.debtor_id = ? ORDER BY x.opened, x.id");
	dispute_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	return store_each_row(s, st, dispute_row, &c);
}

/* ------------------------------------------------------------------ summaries */

static const char *const sum_sql[] = {
	[STORE_SUM_STEPS] = "SELECT s.step, '', 0, COUNT(*) FROM case_step s"
		" JOIN dunning_case c ON c.id = s.case_id WHERE c.admin_id = ?1"
		" AND s.date BETWEEN ?2 AND ?3 GROUP BY s.step ORDER BY MIN(s.id)",
	[STORE_SUM_CHARGES] = "SELECT g.kind, i.currency, SUM(g.amount_minor), COUNT(*)"
		" FROM charge g JOIN invoice i ON i.id = g.invoice_id WHERE i.admin_id = ?1"
		" AND g.date BETWEEN ?2 AND ?3 GROUP BY g.kind, i.currency ORDER BY g.kind",
	[STORE_SUM_PAYMENTS] = "SELECT 'payments', currency, SUM(amount_minor), COUNT(*)"
		" FROM payment WHERE admin_id = ?1 AND date BETWEEN ?2 AND ?3 GROUP BY currency",
	[STORE_SUM_CASES] = "SELECT state, '', 0, COUNT(*) FROM dunning_case WHERE admin_id = ?1"
		" AND opened <= ?3 AND (closed IS NULL OR closed >= ?2) GROUP BY state",
};

typedef struct sum_ctx { store_sum_cb cb; void *ctx; } sum_ctx;

static int sum_row(sqlite3_stmt *st, void *ud)
{
	sum_ctx *c = ud;
	return c->cb((const char *)sqlite3_column_text(st, 0),
	             (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2),
	             sqlite3_column_int64(st, 3), c->ctx);
}

int store_sums(store *s, int what, int64_t admin_id, owed_date from, owed_date to,
               store_sum_cb cb, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_SUM_STEPS + what, sum_sql[what]);
	sum_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_date(st, 2, from);
	store_bind_date(st, 3, to);
	return store_each_row(s, st, sum_row, &c);
}

/* ------------------------------------------------------------------ promises, plans, tasks */

int store_promise_insert(store *s, int64_t debtor_id, owed_date date, int64_t amount,
                         const char *currency, int64_t paid_before, int64_t *id)
{
	sqlite3_stmt *st = store_prepare(s, SD_PROMISE_INSERT, "INSERT INTO promise (debtor_id,"
		" date, amount_minor, currency, paid_before_minor, state)"
		" VALUES (?, ?, ?, ?, ?, 'open')");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	store_bind_date(st, 2, date);
	sqlite3_bind_int64(st, 3, amount);
	store_bind_text(st, 4, currency);
	sqlite3_bind_int64(st, 5, paid_before);
	return store_exec_write(s, st, id);
}

int store_promise_open(store *s, int64_t debtor_id, store_promise *out)
{
	sqlite3_stmt *st = store_prepare(s, SD_PROMISE_OPEN, "SELECT id, date, amount_minor,"
		" currency, paid_before_minor FROM promise WHERE debtor_id = ? AND state = 'open'"
		" ORDER BY id DESC LIMIT 1");
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	out->id = sqlite3_column_int64(st, 0);
	out->date = store_col_date(st, 1);
	out->amount = sqlite3_column_int64(st, 2);
	store_col_text(st, 3, out->currency, sizeof out->currency);
	out->paid_before = sqlite3_column_int64(st, 4);
	sqlite3_reset(st);
	return 0;
}

int store_promise_mark(store *s, int64_t id, const char *state)
{
	sqlite3_stmt *st = store_prepare(s, SD_PROMISE_MARK, "UPDATE promise SET state = ?2"
		" WHERE id = ?1");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, state);
	return store_exec_write(s, st, NULL);
}

int store_instalment_insert(store *s, int64_t debtor_id, owed_date date, int64_t amount,
                            const char *currency, int64_t paid_before)
{
	sqlite3_stmt *st = store_prepare(s, SD_INSTALMENT_INSERT, "INSERT INTO instalment"
		" (debtor_id, date, amount_minor, currency, paid_before_minor, state)"
		" VALUES (?, ?, ?, ?, ?, 'open')");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 5, paid_before);
	sqlite3_bind_int64(st, 1, debtor_id);
	store_bind_date(st, 2, date);
	sqlite3_bind_int64(st, 3, amount);
	store_bind_text(st, 4, currency);
	return store_exec_write(s, st, NULL);
}

typedef struct inst_ctx { store_instalment_cb cb; void *ctx; } inst_ctx;

static int instalment_row(sqlite3_stmt *st, void *ud)
{
	inst_ctx *c = ud;
	store_instalment i = { .id = sqlite3_column_int64(st, 0), .date = store_col_date(st, 1),
	                       .amount = sqlite3_column_int64(st, 2),
	                       .paid_before = sqlite3_column_int64(st, 5) };
	store_col_text(st, 3, i.currency, sizeof i.currency);
	store_col_text(st, 4, i.state, sizeof i.state);
	return c->cb(&i, c->ctx);
}

int store_instalments(store *s, int64_t debtor_id, store_instalment_cb cb, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_INSTALMENTS, "SELECT id, date, amount_minor,"
		" currency, state, paid_before_minor FROM instalment WHERE debtor_id = ?"
		" ORDER BY date, id");
	inst_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	return store_each_row(s, st, instalment_row, &c);
}

int store_instalment_mark(store *s, int64_t id, const char *state)
{
	sqlite3_stmt *st = store_prepare(s, SD_INSTALMENT_MARK, "UPDATE instalment SET state = ?2"
		" WHERE id = ?1");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, state);
	return store_exec_write(s, st, NULL);
}

int store_paid_total(store *s, int64_t debtor_id, const char *currency, int64_t *out)
{
	sqlite3_stmt *st = store_prepare(s, SD_PAID_SINCE, "SELECT COALESCE(SUM(amount_minor), 0)"
		" FROM payment WHERE debtor_id = ? AND currency = ?");
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	store_bind_text(st, 2, currency);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int store_task_insert(store *s, int64_t case_id, owed_date due, const char *text, int64_t *id)
{
	sqlite3_stmt *st = store_prepare(s, SD_TASK_INSERT, "INSERT INTO task (case_id, due, text)"
		" VALUES (NULLIF(?, 0), ?, ?)");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, case_id);
	store_bind_date(st, 2, due);
	store_bind_text(st, 3, text);
	return store_exec_write(s, st, id);
}

typedef struct task_ctx { store_task_cb cb; void *ctx; } task_ctx;

static int task_row(sqlite3_stmt *st, void *ud)
{
	task_ctx *c = ud;
	store_task t = { .id = sqlite3_column_int64(st, 0), .due = store_col_date(st, 1),
	                 .text = (const char *)sqlite3_column_text(st, 2),
	                 .done = (const char *)sqlite3_column_text(st, 3),
	                 .debtor = (const char *)sqlite3_column_text(st, 4),
	                 .debtor_name = (const char *)sqlite3_column_text(st, 5) };
	return c->cb(&t, c->ctx);
}

int store_tasks(store *s, int open_only, store_task_cb cb, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_TASKS, "SELECT t.id, t.due, t.text,"
		" COALESCE(t.done, ''), COALESCE(d.number, ''), COALESCE(d.name, '')"
		" FROM task t LEFT JOIN dunning_case c ON c.id = t.case_id"
		" LEFT JOIN debtor d ON d.id = c.debtor_id WHERE ?1 = 0 OR t.done IS NULL"
		" ORDER BY t.due, t.id");
	task_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int(st, 1, open_only);
	return store_each_row(s, st, task_row, &c);
}

int store_task_done(store *s, int64_t id, owed_date date)
{
	sqlite3_stmt *st = store_prepare(s, SD_TASK_DONE, "UPDATE task SET done = ?2 WHERE id = ?1"
		" AND done IS NULL");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	store_bind_date(st, 2, date);
	if (store_exec_write(s, st, NULL) != 0)
		return OWED_EIO;
	return sqlite3_changes(s->db) ? 0 : OWED_ENOTFOUND;
}

int store_pauses(store *s, int64_t debtor_id, int *promises, int *instalments,
                 int *by_hand)
{
	sqlite3_stmt *st = store_prepare(s, SD_PAUSES, "SELECT"
		" EXISTS (SELECT 1 FROM promise WHERE debtor_id = ?1 AND state = 'open'),"
		" EXISTS (SELECT 1 FROM instalment WHERE debtor_id = ?1 AND state = 'open'),"
		" EXISTS (SELECT 1 FROM case_pause WHERE debtor_id = ?1 AND resumed IS NULL)");
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	*promises = sqlite3_column_int(st, 0);
	*instalments = sqlite3_column_int(st, 1);
	*by_hand = sqlite3_column_int(st, 2);
	sqlite3_reset(st);
	return 0;
}

/* ------------------------------------------------------------------ for a whole run */

typedef struct active_ctx { store_case_step_cb cb; void *ctx; } active_ctx;

static int active_step_row(sqlite3_stmt *st, void *ud)
{
	active_ctx *c = ud;
	store_step r = { .id = sqlite3_column_int64(st, 1) };
	store_col_text(st, 2, r.step, sizeof r.step);
	r.date = store_col_date(st, 3);
	store_col_text(st, 4, r.channels, sizeof r.channels);
	return c->cb(sqlite3_column_int64(st, 0), &r, c->ctx);
}

int store_active_steps(store *s, int64_t admin_id, store_case_step_cb cb, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_ACTIVE_STEPS, "SELECT s.case_id, s.id, s.step,"
		" s.date, s.channels FROM case_step s JOIN dunning_case c ON c.id = s.case_id"
		" WHERE c.admin_id = ? AND c.state <> 'closed' ORDER BY s.case_id, s.id");
	active_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	return store_each_row(s, st, active_step_row, &c);
}

int store_paused_debtors(store *s, int64_t admin_id, store_id_cb cb, void *ctx)
{
	sqlite3_stmt *st = store_prepare(s, SD_PAUSED, "SELECT p.debtor_id FROM promise p"
		" JOIN debtor d ON d.id = p.debtor_id WHERE d.admin_id = ?1 AND p.state = 'open'"
		" UNION SELECT i.debtor_id FROM instalment i JOIN debtor d ON d.id = i.debtor_id"
		" WHERE d.admin_id = ?1 AND i.state = 'open'"
		" UNION SELECT p.debtor_id FROM case_pause p JOIN debtor d ON d.id = p.debtor_id"
		" WHERE d.admin_id = ?1 AND p.resumed IS NULL ORDER BY 1");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	return store_each_id(s, st, cb, ctx);
}

/* ------------------------------------------------------------------ pauses by hand */

int store_pause_insert(store *s, int64_t debtor_id, const char *reason, owed_date date)
{
	sqlite3_stmt *st = store_prepare(s, SD_PAUSE_INSERT, "INSERT INTO case_pause (debtor_id,"
		" reason, paused) VALUES (?, ?, ?)");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	store_bind_text(st, 2, reason);
	store_bind_date(st, 3, date);
	return store_exec_write(s, st, NULL);
}

int store_pause_holds(store *s, int64_t debtor_id, store_pause *out)
{
	sqlite3_stmt *st = store_prepare(s, SD_PAUSE_HOLDS, "SELECT paused, reason FROM case_pause"
		" WHERE debtor_id = ? AND resumed IS NULL");
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	out->paused = store_col_date(st, 0);
	store_col_text(st, 1, out->reason, sizeof out->reason);
	sqlite3_reset(st);
	return 0;
}

int store_pause_resume(store *s, int64_t debtor_id, owed_date date)
{
	sqlite3_stmt *st = store_prepare(s, SD_PAUSE_RESUME, "UPDATE case_pause SET resumed = ?2"
		" WHERE debtor_id = ?1 AND resumed IS NULL");
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, debtor_id);
	store_bind_date(st, 2, date);
	if (store_exec_write(s, st, NULL) != 0)
		return OWED_EIO;
	return sqlite3_changes(s->db) ? 0 : OWED_ENOTFOUND;
}
