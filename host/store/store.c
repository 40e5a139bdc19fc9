/*
 * store.c -- SQLite behind store.h: opening, migrations, transactions, and every statement.
 *
 * Statements are prepared once per connection and kept in a table indexed by the ST_* enum,
 * so the hot paths (bulk imports, the daily run) never re-parse SQL.  Nothing here decides
 * anything about money: the core has checked a change before it reaches this file, and the
 * schema's CHECK constraints catch a caller that did not.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "core/err.h"
#include "store/schema.h"
#include "store/internal.h"

/* ------------------------------------------------------------------ the statement table */

#define DEBTOR_COLS "d.id, d.admin_id, d.number, d.name, d.kind, d.country, d.language, d.email," \
	" d.address, d.iban, d.tags, d.external_ids, d.terms_days, d.credit_limit_minor, d.policy," \
	" d.credit_hold"
#define DEBTOR_TOTALS(asof) \
	" COALESCE(SUM(i.open_minor), 0)," \
	" COALESCE(SUM(CASE WHEN i.due_date < " asof " THEN i.open_minor END), 0), COUNT(i.id)" \
	" FROM debtor d LEFT JOIN invoice i ON i.debtor_id = d.id AND i.open_minor > 0" \
	" AND i.currency = (SELECT currency FROM administration a WHERE a.id = d.admin_id)"
#define INVOICE_FIELDS "i.id, i.admin_id, i.debtor_id, i.number, i.issue_date, i.due_date," \
	" i.currency, i.amount_minor, i.vat_minor, i.charges_minor, i.allocated_minor," \
	" i.credited_minor, i.written_off_minor, i.open_minor, i.reference, i.description," \
	" d.number, d.name"
#define INVOICE_COLS INVOICE_FIELDS " FROM invoice i JOIN debtor d ON d.id = i.debtor_id"
#define PAYMENT_COLS "id, admin_id, COALESCE(debtor_id, 0), date, currency, amount_minor," \
	" unallocated_minor, counterparty, iban, remittance, source, returned_minor, review" \
	" FROM payment"
#define EVENT_COLS "id, at, actor, entity, entity_id, COALESCE(debtor_id, 0)," \
	" COALESCE(invoice_id, 0), kind, payload FROM event"

enum {
	ST_EVENT_INSERT, ST_EVENTS_DEBTOR, ST_EVENTS_INVOICE,
	ST_ADMIN_INSERT, ST_ADMIN_BY_CODE, ST_ADMIN_FIRST,
	ST_DEBTOR_INSERT, ST_DEBTOR_UPDATE, ST_DEBTOR_BY_NUMBER, ST_DEBTOR_BY_ID, ST_DEBTOR_EACH,
	ST_DEBTOR_LOOKUP, ST_DEBTOR_LEAN_ID,
	ST_INVOICE_INSERT, ST_INVOICE_BY_NUMBER, ST_INVOICE_BY_ID, ST_INVOICE_TOTALS,
	ST_INVOICE_EACH, ST_INVOICE_EACH_DEBTOR, ST_INVOICE_OPEN_DEBTOR, ST_INVOICE_AFTER, ST_INVOICE_RECOMPUTE,
	ST_PAYMENT_INSERT, ST_PAYMENT_BY_ID, ST_PAYMENT_UNALLOC, ST_PAYMENT_EACH,
	ST_PAYMENT_EACH_DEBTOR,
	ST_PAYMENT_STATE, ST_PAYMENT_REVIEW, ST_ALLOCATIONS_LIVE, ST_ALLOCATION_REVERSE,
	ST_INVOICE_BY_REFERENCE, ST_DEBTORS_BY_IBAN,
	ST_ALLOCATION_INSERT, ST_CREDIT_INSERT, ST_WRITEOFF_INSERT, ST_CHARGE_INSERT,
	ST_OPEN_EACH,
	ST_KV_GET, ST_KV_SET, ST_KV_DELETE, ST_KV_KEYS,
	ST_TX_BEGIN, ST_TX_BEGIN_DEFERRED, ST_TX_SAVEPOINT, ST_TX_RELEASE, ST_TX_COMMIT,
	ST_TX_ROLLBACK, ST_TX_ROLLBACK_TO,
	ST_COUNT
};

_Static_assert(ST_COUNT <= STORE_DUNNING_FIRST, "the ledger's statements overlap dunning.c's");

static const char *const sql[ST_COUNT] = {
	[ST_EVENT_INSERT] = "INSERT INTO event (at, actor, entity, entity_id, debtor_id, invoice_id,"
		" kind, payload) VALUES (?, ?, ?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?)",
	[ST_EVENTS_DEBTOR] = "SELECT " EVENT_COLS " WHERE debtor_id = ? ORDER BY id",
	[ST_EVENTS_INVOICE] = "SELECT " EVENT_COLS " WHERE invoice_id = ? ORDER BY id",

	[ST_ADMIN_INSERT] = "INSERT INTO administration (code, name, address, country, kvk, vat,"
		" iban, currency, terms_days, cannot_deduct_vat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_ADMIN_BY_CODE] = "SELECT id, code, name, address, country, kvk, vat, iban, currency,"
		" terms_days, cannot_deduct_vat FROM administration WHERE code = ?",
	[ST_ADMIN_FIRST] = "SELECT id, code, name, address, country, kvk, vat, iban, currency,"
		" terms_days, cannot_deduct_vat FROM administration ORDER BY id LIMIT 1",

	[ST_DEBTOR_INSERT] = "INSERT INTO debtor (admin_id, number, name, kind, country, language,"
		" email, address, iban, tags, external_ids, terms_days, credit_limit_minor, policy,"
		" credit_hold) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_DEBTOR_UPDATE] = "UPDATE debtor SET name = ?2, kind = ?3, country = ?4, language = ?5,"
		" email = ?6, address = ?7, iban = ?8, tags = ?9, external_ids = ?10,"
		" terms_days = ?11, credit_limit_minor = ?12, policy = ?13, credit_hold = ?14"
		" WHERE id = ?1",
	[ST_DEBTOR_BY_NUMBER] = "SELECT " DEBTOR_COLS "," DEBTOR_TOTALS("?3")
		" WHERE d.admin_id = ?1 AND d.number = ?2 GROUP BY d.id",
	[ST_DEBTOR_BY_ID] = "SELECT " DEBTOR_COLS "," DEBTOR_TOTALS("?2")
		" WHERE d.id = ?1 GROUP BY d.id",
	[ST_DEBTOR_LOOKUP] = "SELECT " DEBTOR_COLS ", 0, 0, 0 FROM debtor d"
		" WHERE d.admin_id = ?1 AND d.number = ?2",
	[ST_DEBTOR_LEAN_ID] = "SELECT " DEBTOR_COLS ", 0, 0, 0 FROM debtor d WHERE d.id = ?1",
	[ST_DEBTOR_EACH] = "SELECT " DEBTOR_COLS "," DEBTOR_TOTALS("?2")
		" WHERE d.admin_id = ?1 GROUP BY d.id ORDER BY d.number",

	[ST_INVOICE_INSERT] = "INSERT INTO invoice (admin_id, debtor_id, number, issue_date,"
		" due_date, currency, amount_minor, vat_minor, open_minor, reference, description,"
		" status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
	[ST_INVOICE_BY_NUMBER] = "SELECT " INVOICE_COLS " WHERE i.admin_id = ? AND i.number = ?",
	[ST_INVOICE_BY_ID] = "SELECT " INVOICE_COLS " WHERE i.id = ?",
	[ST_INVOICE_TOTALS] = "UPDATE invoice SET charges_minor = ?2, allocated_minor = ?3,"
		" credited_minor = ?4, written_off_minor = ?5, open_minor = ?6, status = ?7"
		" WHERE id = ?1",
	/* two statements, not "?2 = 0 OR i.debtor_id = ?2", which keeps SQLite from the debtor
	 * index: matching asks per debtor, and would scan every invoice each time */
	[ST_INVOICE_EACH] = "SELECT " INVOICE_COLS " WHERE i.admin_id = ?1"
		" AND ?2 = 0 AND (?3 = 0 OR i.open_minor > 0)"
		" AND (?4 IS NULL OR i.due_date < ?4)"
		" ORDER BY i.due_date, i.number LIMIT ?5",
	/* pinned to the debtor's index: the (admin, due date, number) one would spare the sort
	 * but walk every invoice of the administration -- per debtor, as matching asks */
	[ST_INVOICE_EACH_DEBTOR] = "SELECT " INVOICE_FIELDS " FROM invoice i INDEXED BY"
		" invoice_debtor JOIN debtor d ON d.id = i.debtor_id WHERE i.admin_id = ?1"
		" AND i.debtor_id = ?2 AND (?3 = 0 OR i.open_minor > 0)"
		" AND (?4 IS NULL OR i.due_date < ?4)"
		" ORDER BY i.due_date, i.number LIMIT ?5",
	/* a debtor's open invoices (what matching asks for) from the open-invoice index: paid
	 * ones are not read, and only ties of a due date are sorted */
	[ST_INVOICE_OPEN_DEBTOR] = "SELECT " INVOICE_FIELDS " FROM invoice i INDEXED BY"
		" invoice_open_debtor JOIN debtor d ON d.id = i.debtor_id WHERE i.admin_id = ?1"
		" AND i.debtor_id = ?2 AND i.open_minor > 0 AND ?3 = 1"
		" AND (?4 IS NULL OR i.due_date < ?4)"
		" ORDER BY i.due_date, i.number LIMIT ?5",
	[ST_INVOICE_AFTER] = "SELECT " INVOICE_COLS " WHERE i.admin_id = ?1"
		" AND ?2 = 0 AND (?3 = 0 OR i.open_minor > 0)"
		" AND (?4 IS NULL OR i.due_date < ?4) AND (i.due_date, i.number) > (?6, ?7)"
		" ORDER BY i.due_date, i.number LIMIT ?5",
	[ST_INVOICE_RECOMPUTE] = "SELECT"
		" (SELECT COALESCE(SUM(amount_minor), 0) FROM charge WHERE invoice_id = ?1),"
		" (SELECT COALESCE(SUM(amount_minor), 0) FROM allocation WHERE invoice_id = ?1"
		"   AND reversed IS NULL),"
		" (SELECT COALESCE(SUM(amount_minor), 0) FROM credit_note WHERE invoice_id = ?1),"
		" (SELECT COALESCE(SUM(amount_minor), 0) FROM write_off WHERE invoice_id = ?1)",

	[ST_PAYMENT_INSERT] = "INSERT INTO payment (admin_id, debtor_id, date, currency,"
		" amount_minor, unallocated_minor, counterparty, iban, remittance, source, review)"
		" VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_PAYMENT_BY_ID] = "SELECT " PAYMENT_COLS " WHERE id = ?",
	[ST_PAYMENT_UNALLOC] = "UPDATE payment SET unallocated_minor = ?2 WHERE id = ?1",
	/* two statements, not "?2 = 0 OR debtor_id = ?2": that form keeps SQLite from the debtor
	 * index, and matching a debit asks per debtor (OWED_SCAN_REPORT found it) */
	[ST_PAYMENT_EACH] = "SELECT " PAYMENT_COLS " WHERE admin_id = ?1 ORDER BY date, id",
	[ST_PAYMENT_EACH_DEBTOR] = "SELECT " PAYMENT_COLS " WHERE admin_id = ?1 AND debtor_id = ?2"
		" ORDER BY date, id",
	[ST_PAYMENT_STATE] = "UPDATE payment SET debtor_id = NULLIF(?2, 0), unallocated_minor = ?3,"
		" returned_minor = ?4, review = ?5 WHERE id = ?1",
	[ST_PAYMENT_REVIEW] = "SELECT " PAYMENT_COLS " WHERE admin_id = ?1 AND review <> ''"
		" ORDER BY date, id",
	[ST_ALLOCATIONS_LIVE] = "SELECT id, invoice_id, amount_minor FROM allocation"
		" WHERE payment_id = ?1 AND reversed IS NULL ORDER BY id",
	[ST_ALLOCATION_REVERSE] = "UPDATE allocation SET reversed = ?2 WHERE id = ?1"
		" AND reversed IS NULL",
	/* "<> ''" repeats the partial indexes' condition, which a bound value cannot prove */
	[ST_INVOICE_BY_REFERENCE] = "SELECT " INVOICE_COLS " WHERE i.admin_id = ?1"
		" AND i.reference = ?2 AND i.reference <> '' ORDER BY i.id LIMIT 2",
	[ST_DEBTORS_BY_IBAN] = "SELECT id FROM debtor WHERE admin_id = ?1 AND iban = ?2"
		" AND iban <> '' ORDER BY id",

	[ST_ALLOCATION_INSERT] = "INSERT INTO allocation (payment_id, invoice_id, amount_minor,"
		" reason) VALUES (?, ?, ?, ?)",
	[ST_CREDIT_INSERT] = "INSERT INTO credit_note (invoice_id, number, date, amount_minor,"
		" reason) VALUES (?, ?, ?, ?, ?)",
	[ST_WRITEOFF_INSERT] = "INSERT INTO write_off (invoice_id, date, amount_minor, reason)"
		" VALUES (?, ?, ?, ?)",
	[ST_CHARGE_INSERT] = "INSERT INTO charge (invoice_id, date, kind, description,"
		" amount_minor) VALUES (?, ?, ?, ?, ?)",

	[ST_OPEN_EACH] = "SELECT currency, due_date, open_minor FROM invoice"
		" WHERE admin_id = ? AND open_minor > 0",

	[ST_KV_GET] = "SELECT value FROM plugin_kv WHERE plugin = ? AND key = ?",
	[ST_KV_SET] = "INSERT INTO plugin_kv (plugin, key, value) VALUES (?, ?, ?)"
		" ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value",
	[ST_KV_DELETE] = "DELETE FROM plugin_kv WHERE plugin = ? AND key = ?",
	[ST_KV_KEYS] = "SELECT key FROM plugin_kv WHERE plugin = ?1"
		" AND substr(key, 1, length(?2)) = ?2 ORDER BY key",

	/* prepared once like the rest: a bulk import nests a savepoint per entry, and
	 * sqlite3_exec would parse the text each time */
	[ST_TX_BEGIN] = "BEGIN IMMEDIATE",
	[ST_TX_BEGIN_DEFERRED] = "BEGIN",
	[ST_TX_SAVEPOINT] = "SAVEPOINT nest",
	[ST_TX_RELEASE] = "RELEASE nest",
	[ST_TX_COMMIT] = "COMMIT",
	[ST_TX_ROLLBACK] = "ROLLBACK",
	[ST_TX_ROLLBACK_TO] = "ROLLBACK TO nest",
};



/* ------------------------------------------------------------------ errors and helpers */

int store_fail(store *s, int code)
{
	snprintf(s->error, sizeof s->error, "%s", sqlite3_errmsg(s->db));
	return code;
}

/* A constraint failure is the schema refusing a change the core should have refused first;
 * a UNIQUE one is the caller's duplicate. */
static int step_error(store *s, int rc)
{
	int ext = sqlite3_extended_errcode(s->db);
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return store_fail(s, OWED_EEXIST);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return store_fail(s, OWED_EREFUSED);
	return store_fail(s, OWED_EIO);
}

const char *store_error(const store *s)
{
	return s->error;
}

sqlite3_stmt *store_prepare(store *s, int id, const char *text)
{
	if (!s->st[id] && sqlite3_prepare_v3(s->db, text, -1, SQLITE_PREPARE_PERSISTENT,
	                                     &s->st[id], NULL) != SQLITE_OK) {
		store_fail(s, OWED_EIO);
		return NULL;
	}
	sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	return s->st[id];
}

static sqlite3_stmt *prepare(store *s, int id)
{
	return store_prepare(s, id, sql[id]);
}

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

void store_bind_date(sqlite3_stmt *st, int i, owed_date d)
{
	char buf[16];
	date_format_iso(d, buf, sizeof buf);
	sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

void store_col_text(sqlite3_stmt *st, int i, char *out, size_t size)
{
	/* the daily run reads every case's rows: a plain copy, not snprintf */
	const unsigned char *v = sqlite3_column_text(st, i);
	size_t n = v ? (size_t)sqlite3_column_bytes(st, i) : 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(out, v, n);
	out[n] = '\0';
}

owed_date store_col_date(sqlite3_stmt *st, int i)
{
	owed_date d = 0;
	const unsigned char *v = sqlite3_column_text(st, i);
	if (v)
		date_parse_iso((const char *)v, &d);
	return d;
}

/* Runs a write statement to completion; *id (if given) gets the new row's id. */
int store_exec_write(store *s, sqlite3_stmt *st, int64_t *id)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return step_error(s, rc);
	if (id)
		*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* Steps a one-row read: 0 with the row ready, OWED_ENOTFOUND, or OWED_EIO. */
int store_step_one(store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 0;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? OWED_ENOTFOUND : store_fail(s, OWED_EIO);
}

int store_each_row(store *s, sqlite3_stmt *st, int (*each)(sqlite3_stmt *, void *), void *ctx)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = each(st, ctx)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, OWED_EIO);
}

typedef struct id_ctx { store_id_cb cb; void *ctx; } id_ctx;

static int id_row(sqlite3_stmt *st, void *ud)
{
	id_ctx *c = ud;
	return c->cb(sqlite3_column_int64(st, 0), c->ctx);
}

int store_each_id(store *s, sqlite3_stmt *st, store_id_cb cb, void *ctx)
{
	id_ctx c = { cb, ctx };
	return store_each_row(s, st, id_row, &c);
}

static int exec_sql(store *s, const char *text)
{
	return sqlite3_exec(s->db, text, NULL, NULL, NULL) == SQLITE_OK ? 0 : store_fail(s, OWED_EIO);
}

/* ------------------------------------------------------------------ open, migrate, close */

/* Another process holds the write lock (a run beside `owed serve`): try again every
 * millisecond, for 5 s.  SQLite's own handler sleeps up to 100 ms between tries, and a writer
 * that commits and begins again at once -- a run's next transaction -- would win nearly every
 * time; polling finely, the waiter takes the lock in the run's pause between two (run.c). */
static int busy_wait(void *ud, int tries)
{
	(void)ud;
	if (tries >= 5000)
		return 0;
	usleep(1000);
	return 1;
}

static int user_version(store *s)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(store *s, int create, char *errbuf, size_t errsize)
{
	int have = user_version(s), want = schema_latest();
	char pragma[48];

	if (have < 0) {
		snprintf(errbuf, errsize, "not an owed database: %s", sqlite3_errmsg(s->db));
		return OWED_EIO;
	}
	if (have > want) {
		snprintf(errbuf, errsize, "the database has schema version %d, this owed knows up to "
		         "%d: upgrade owed to open it", have, want);
		return OWED_EREFUSED;
	}
	if (have == want)
		return 0;
	if (have == 0 && !create) {
		snprintf(errbuf, errsize, "not an owed database (no schema version): create one with "
		         "'owed init'");
		return OWED_EIO;
	}
	if (exec_sql(s, "BEGIN IMMEDIATE") != 0)
		goto failed;
	for (int v = have + 1; v <= want; v++)
		if (exec_sql(s, schema_migration(v)) != 0) {
			exec_sql(s, "ROLLBACK");
			goto failed;
		}
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", want);
	if (exec_sql(s, pragma) != 0 || exec_sql(s, "COMMIT") != 0) {
		exec_sql(s, "ROLLBACK");
		goto failed;
	}
	return 0;
failed:
	snprintf(errbuf, errsize, "cannot upgrade the schema from %d to %d: %s", have, want,
	         s->error);
	return OWED_EIO;
}

/* Without SQLITE_CONFIG_MEMSTATUS off, SQLite counts every allocation behind a global mutex
 * (a lock and an unlock per malloc, 3% of a bank import's instructions); owed never reads the
 * counts.  sqlite3_config refuses (SQLITE_MISUSE) once SQLite has started, which leaves the
 * default: only a process's first call, before its first connection, changes anything. */
void store_configure(void)
{
	static int done;
	if (!done++)
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, int flags, store **out, char *errbuf, size_t errsize)
{
	/* one connection, used from one thread (the loop's): SQLite's own locking is not needed */
	int mode = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	           (flags & STORE_OPEN_CREATE ? SQLITE_OPEN_CREATE : 0);
	store *s = calloc(1, sizeof *s);
	int rc;

	*out = NULL;
	if (!s)
		return OWED_ENOMEM;
	store_configure();
	if (sqlite3_open_v2(path, &s->db, mode, NULL) != SQLITE_OK) {
		snprintf(errbuf, errsize, "cannot open database %s: %s", path,
		         s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return OWED_EIO;
	}
	sqlite3_busy_handler(s->db, busy_wait, NULL);
	/* WAL: readers never block the writer; NORMAL sync is durable across a process crash and
	 * loses at most the last transactions on power loss, the usual trade for WAL. */
	/* temp_store MEMORY keeps the savepoints' statement journals (every service nests in a
	 * bulk import's transaction) out of temp files: 40% of a bulk import's time otherwise. */
	if (exec_sql(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	                "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;") != 0) {
		snprintf(errbuf, errsize, "%s: %s", path, s->error);
		store_close(s);
		return OWED_EIO;
	}
	if ((rc = migrate(s, flags & STORE_OPEN_CREATE, errbuf, errsize)) != 0) {
		store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* OWED_SCAN_REPORT=1 (docs/development.md): on close, every statement of this connection that
 * walked a whole table or index says so on stderr.  A query plan flips without a sound -- a
 * new index, a bound value a partial index cannot use -- and the first sign is a run that
 * takes minutes; the import tests run with it and want no such line. */
static void scan_report(const store *s)
{
	for (int i = 0; i < STORE_MAX_STMTS; i++) {
		int steps = s->st[i] ? sqlite3_stmt_status(s->st[i], SQLITE_STMTSTATUS_FULLSCAN_STEP, 0) : 0;
		if (steps > 0)
			fprintf(stderr, "owed: full scan (%d steps): %s\n", steps, sqlite3_sql(s->st[i]));
	}
}

void store_close(store *s)
{
	if (!s)
		return;
	if (getenv("OWED_SCAN_REPORT"))
		scan_report(s);
	for (int i = 0; i < STORE_MAX_STMTS; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

int store_schema_version(store *s)
{
	return user_version(s);
}

/* ------------------------------------------------------------------ transactions */

/* Steps a transaction statement; SQLite's result code. */
static int tx_step(store *s, int id)
{
	sqlite3_stmt *st = prepare(s, id);
	int rc;
	if (!st)
		return SQLITE_ERROR;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

static int tx(store *s, int id)
{
	return tx_step(s, id) == SQLITE_DONE ? 0 : store_fail(s, OWED_EIO);
}

int store_begin_deferred(store *s)
{
	int rc = tx(s, s->depth == 0 ? ST_TX_BEGIN_DEFERRED : ST_TX_SAVEPOINT);
	if (rc == 0)
		s->depth++;
	return rc;
}

int store_begin(store *s)
{
	int rc = tx(s, s->depth == 0 ? ST_TX_BEGIN : ST_TX_SAVEPOINT);
	if (rc == 0)
		s->depth++;
	return rc;
}

int store_commit(store *s)
{
	int rc = tx(s, s->depth == 1 ? ST_TX_COMMIT : ST_TX_RELEASE);
	if (rc == 0)
		s->depth--;
	return rc;
}

void store_rollback(store *s)
{
	if (s->depth == 0)
		return;
	/* quietly, as the failure that led here is the one to report */
	if (s->depth == 1)
		tx_step(s, ST_TX_ROLLBACK);
	else if (tx_step(s, ST_TX_ROLLBACK_TO) == SQLITE_DONE)
		tx_step(s, ST_TX_RELEASE);
	s->depth--;
}

/* ------------------------------------------------------------------ the dossier */

int store_event_append(store *s, store_event *ev)
{
	sqlite3_stmt *st = prepare(s, ST_EVENT_INSERT);
	time_t now = time(NULL);
	struct tm tm;
	if (!st)
		return OWED_EIO;
	gmtime_r(&now, &tm);
	strftime(ev->at, sizeof ev->at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	store_bind_text(st, 1, ev->at);
	store_bind_text(st, 2, ev->actor);
	store_bind_text(st, 3, ev->entity);
	sqlite3_bind_int64(st, 4, ev->entity_id);
	sqlite3_bind_int64(st, 5, ev->debtor_id);
	sqlite3_bind_int64(st, 6, ev->invoice_id);
	store_bind_text(st, 7, ev->kind);
	store_bind_text(st, 8, ev->payload ? ev->payload : "{}");
	return store_exec_write(s, st, &ev->id);
}

static int events_each(store *s, int id, int64_t key, store_event_cb cb, void *ctx)
{
	sqlite3_stmt *st = prepare(s, id);
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_event ev = {
			.id = sqlite3_column_int64(st, 0),
			.actor = (const char *)sqlite3_column_text(st, 2),
			.entity = (const char *)sqlite3_column_text(st, 3),
			.entity_id = sqlite3_column_int64(st, 4),
			.debtor_id = sqlite3_column_int64(st, 5),
			.invoice_id = sqlite3_column_int64(st, 6),
			.kind = (const char *)sqlite3_column_text(st, 7),
			.payload = (const char *)sqlite3_column_text(st, 8),
		};
		store_col_text(st, 1, ev.at, sizeof ev.at);
		if ((rc = cb(&ev, ctx)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, OWED_EIO);
}

int store_events_of_debtor(store *s, int64_t debtor_id, store_event_cb cb, void *ctx)
{
	return events_each(s, ST_EVENTS_DEBTOR, debtor_id, cb, ctx);
}

int store_events_of_invoice(store *s, int64_t invoice_id, store_event_cb cb, void *ctx)
{
	return events_each(s, ST_EVENTS_INVOICE, invoice_id, cb, ctx);
}

/* ------------------------------------------------------------------ administrations */

int store_admin_insert(store *s, owed_admin *a)
{
	sqlite3_stmt *st = prepare(s, ST_ADMIN_INSERT);
	if (!st)
		return OWED_EIO;
	store_bind_text(st, 1, a->code);
	store_bind_text(st, 2, a->name);
	store_bind_text(st, 3, a->address);
	store_bind_text(st, 4, a->country);
	store_bind_text(st, 5, a->kvk);
	store_bind_text(st, 6, a->vat);
	store_bind_text(st, 7, a->iban);
	store_bind_text(st, 8, a->currency);
	sqlite3_bind_int(st, 9, a->terms_days);
	sqlite3_bind_int(st, 10, a->cannot_deduct_vat);
	return store_exec_write(s, st, &a->id);
}

int store_admin_get(store *s, const char *code, owed_admin *a)
{
	sqlite3_stmt *st = prepare(s, code ? ST_ADMIN_BY_CODE : ST_ADMIN_FIRST);
	int rc;
	if (!st)
		return OWED_EIO;
	if (code)
		store_bind_text(st, 1, code);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(st, 0);
	store_col_text(st, 1, a->code, sizeof a->code);
	store_col_text(st, 2, a->name, sizeof a->name);
	store_col_text(st, 3, a->address, sizeof a->address);
	store_col_text(st, 4, a->country, sizeof a->country);
	store_col_text(st, 5, a->kvk, sizeof a->kvk);
	store_col_text(st, 6, a->vat, sizeof a->vat);
	store_col_text(st, 7, a->iban, sizeof a->iban);
	store_col_text(st, 8, a->currency, sizeof a->currency);
	a->terms_days = sqlite3_column_int(st, 9);
	a->cannot_deduct_vat = sqlite3_column_int(st, 10);
	sqlite3_reset(st);
	return 0;
}

/* ------------------------------------------------------------------ debtors */

static void bind_debtor_fields(sqlite3_stmt *st, int first, const owed_debtor *d)
{
	store_bind_text(st, first, d->name);
	store_bind_text(st, first + 1, ledger_debtor_kind_name(d->kind));
	store_bind_text(st, first + 2, d->country);
	store_bind_text(st, first + 3, d->language);
	store_bind_text(st, first + 4, d->email);
	store_bind_text(st, first + 5, d->address);
	store_bind_text(st, first + 6, d->iban);
	store_bind_text(st, first + 7, d->tags);
	store_bind_text(st, first + 8, d->external_ids);
	sqlite3_bind_int(st, first + 9, d->terms_days);
	sqlite3_bind_int64(st, first + 10, d->credit_limit);
	store_bind_text(st, first + 11, d->policy);
	sqlite3_bind_int(st, first + 12, d->credit_hold);
}

int store_debtor_insert(store *s, owed_debtor *d)
{
	sqlite3_stmt *st = prepare(s, ST_DEBTOR_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, d->admin_id);
	store_bind_text(st, 2, d->number);
	bind_debtor_fields(st, 3, d);
	return store_exec_write(s, st, &d->id);
}

int store_debtor_update(store *s, const owed_debtor *d)
{
	sqlite3_stmt *st = prepare(s, ST_DEBTOR_UPDATE);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, d->id);
	bind_debtor_fields(st, 2, d);
	return store_exec_write(s, st, NULL);
}

static void read_debtor(sqlite3_stmt *st, owed_debtor *d)
{
	char kind[16];
	memset(d, 0, sizeof *d);
	d->id = sqlite3_column_int64(st, 0);
	d->admin_id = sqlite3_column_int64(st, 1);
	store_col_text(st, 2, d->number, sizeof d->number);
	store_col_text(st, 3, d->name, sizeof d->name);
	store_col_text(st, 4, kind, sizeof kind);
	ledger_debtor_kind_parse(kind, &d->kind);
	store_col_text(st, 5, d->country, sizeof d->country);
	store_col_text(st, 6, d->language, sizeof d->language);
	store_col_text(st, 7, d->email, sizeof d->email);
	store_col_text(st, 8, d->address, sizeof d->address);
	store_col_text(st, 9, d->iban, sizeof d->iban);
	store_col_text(st, 10, d->tags, sizeof d->tags);
	store_col_text(st, 11, d->external_ids, sizeof d->external_ids);
	d->terms_days = sqlite3_column_int(st, 12);
	d->credit_limit = sqlite3_column_int64(st, 13);
	store_col_text(st, 14, d->policy, sizeof d->policy);
	d->credit_hold = sqlite3_column_int(st, 15);
	d->open_total = sqlite3_column_int64(st, 16);
	d->overdue_total = sqlite3_column_int64(st, 17);
	d->open_invoices = sqlite3_column_int(st, 18);
}

static int debtor_one(store *s, sqlite3_stmt *st, owed_debtor *out)
{
	int rc = store_step_one(s, st);
	if (rc != 0)
		return rc;
	read_debtor(st, out);
	sqlite3_reset(st);
	return 0;
}

int store_debtor_get(store *s, int64_t admin_id, const char *number, owed_debtor *out)
{
	sqlite3_stmt *st = prepare(s, ST_DEBTOR_BY_NUMBER);
	owed_date today;
	if (!st)
		return OWED_EIO;
	date_today(&today);
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, number);
	store_bind_date(st, 3, today);
	return debtor_one(s, st, out);
}

int store_debtor_lookup(store *s, int64_t admin_id, const char *number, owed_debtor *out)
{
	sqlite3_stmt *st = prepare(s, ST_DEBTOR_LOOKUP);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, number);
	return debtor_one(s, st, out);
}

int store_debtor_lookup_id(store *s, int64_t id, owed_debtor *out)
{
	sqlite3_stmt *st = prepare(s, ST_DEBTOR_LEAN_ID);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	return debtor_one(s, st, out);
}

int store_debtor_by_id(store *s, int64_t id, owed_debtor *out)
{
	sqlite3_stmt *st = prepare(s, ST_DEBTOR_BY_ID);
	owed_date today;
	if (!st)
		return OWED_EIO;
	date_today(&today);
	sqlite3_bind_int64(st, 1, id);
	store_bind_date(st, 2, today);
	return debtor_one(s, st, out);
}

int store_debtor_each(store *s, int64_t admin_id, owed_date asof, store_debtor_cb cb, void *ctx)
{
	sqlite3_stmt *st = prepare(s, ST_DEBTOR_EACH);
	owed_debtor d;
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_date(st, 2, asof);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_debtor(st, &d);
		if ((rc = cb(&d, ctx)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, OWED_EIO);
}

/* ------------------------------------------------------------------ invoices */

int store_invoice_insert(store *s, owed_invoice *inv)
{
	sqlite3_stmt *st = prepare(s, ST_INVOICE_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, inv->admin_id);
	sqlite3_bind_int64(st, 2, inv->debtor_id);
	store_bind_text(st, 3, inv->number);
	store_bind_date(st, 4, inv->issue_date);
	store_bind_date(st, 5, inv->due_date);
	store_bind_text(st, 6, inv->currency);
	sqlite3_bind_int64(st, 7, inv->amount);
	sqlite3_bind_int64(st, 8, inv->vat);
	sqlite3_bind_int64(st, 9, inv->amount);
	store_bind_text(st, 10, inv->reference);
	store_bind_text(st, 11, inv->description);
	inv->open = inv->amount;
	inv->status = INVOICE_OPEN;
	return store_exec_write(s, st, &inv->id);
}

static void read_invoice(sqlite3_stmt *st, owed_invoice *inv)
{
	memset(inv, 0, sizeof *inv);
	inv->id = sqlite3_column_int64(st, 0);
	inv->admin_id = sqlite3_column_int64(st, 1);
	inv->debtor_id = sqlite3_column_int64(st, 2);
	store_col_text(st, 3, inv->number, sizeof inv->number);
	inv->issue_date = store_col_date(st, 4);
	inv->due_date = store_col_date(st, 5);
	store_col_text(st, 6, inv->currency, sizeof inv->currency);
	inv->amount = sqlite3_column_int64(st, 7);
	inv->vat = sqlite3_column_int64(st, 8);
	inv->charges = sqlite3_column_int64(st, 9);
	inv->allocated = sqlite3_column_int64(st, 10);
	inv->credited = sqlite3_column_int64(st, 11);
	inv->written_off = sqlite3_column_int64(st, 12);
	inv->open = sqlite3_column_int64(st, 13);
	store_col_text(st, 14, inv->reference, sizeof inv->reference);
	store_col_text(st, 15, inv->description, sizeof inv->description);
	store_col_text(st, 16, inv->debtor_number, sizeof inv->debtor_number);
	store_col_text(st, 17, inv->debtor_name, sizeof inv->debtor_name);
	inv->status = ledger_status(inv);
}

static int invoice_one(store *s, sqlite3_stmt *st, owed_invoice *out)
{
	int rc = store_step_one(s, st);
	if (rc != 0)
		return rc;
	read_invoice(st, out);
	sqlite3_reset(st);
	return 0;
}

int store_invoice_get(store *s, int64_t admin_id, const char *number, owed_invoice *out)
{
	sqlite3_stmt *st = prepare(s, ST_INVOICE_BY_NUMBER);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, number);
	return invoice_one(s, st, out);
}

int store_invoice_by_id(store *s, int64_t id, owed_invoice *out)
{
	sqlite3_stmt *st = prepare(s, ST_INVOICE_BY_ID);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	return invoice_one(s, st, out);
}

int store_invoice_save_totals(store *s, const owed_invoice *inv)
{
	sqlite3_stmt *st = prepare(s, ST_INVOICE_TOTALS);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, inv->id);
	sqlite3_bind_int64(st, 2, inv->charges);
	sqlite3_bind_int64(st, 3, inv->allocated);
	sqlite3_bind_int64(st, 4, inv->credited);
	sqlite3_bind_int64(st, 5, inv->written_off);
	sqlite3_bind_int64(st, 6, inv->open);
	store_bind_text(st, 7, ledger_status_name(ledger_status(inv)));
	return store_exec_write(s, st, NULL);
}

typedef struct invoice_ctx { store_invoice_cb cb; void *ctx; } invoice_ctx;

static int invoice_row(sqlite3_stmt *st, void *ud)
{
	invoice_ctx *c = ud;
	owed_invoice inv;
	read_invoice(st, &inv);
	return c->cb(&inv, c->ctx);
}

int store_invoice_each(store *s, int64_t admin_id, const store_invoice_filter *f,
                       store_invoice_cb cb, void *ctx)
{
	sqlite3_stmt *st = prepare(s, f->debtor_id ? (f->open_only ? ST_INVOICE_OPEN_DEBTOR
	                                                            : ST_INVOICE_EACH_DEBTOR)
	                              : f->after_number ? ST_INVOICE_AFTER : ST_INVOICE_EACH);
	invoice_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	sqlite3_bind_int64(st, 2, f->debtor_id);
	sqlite3_bind_int(st, 3, f->open_only);
	if (f->overdue_on)
		store_bind_date(st, 4, f->overdue_on);
	sqlite3_bind_int64(st, 5, f->limit > 0 ? f->limit : -1);
	if (f->after_number && !f->debtor_id) {
		store_bind_date(st, 6, f->after_due);
		store_bind_text(st, 7, f->after_number);
	}
	return store_each_row(s, st, invoice_row, &c);
}

int store_invoice_recompute(store *s, int64_t invoice_id, owed_invoice *out)
{
	sqlite3_stmt *st;
	int rc = store_invoice_by_id(s, invoice_id, out);
	if (rc != 0)
		return rc;
	if (!(st = prepare(s, ST_INVOICE_RECOMPUTE)))
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, invoice_id);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	out->charges = sqlite3_column_int64(st, 0);
	out->allocated = sqlite3_column_int64(st, 1);
	out->credited = sqlite3_column_int64(st, 2);
	out->written_off = sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	return 0;
}

/* ------------------------------------------------------------------ payments, movements */

int store_payment_insert(store *s, owed_payment *p)
{
	sqlite3_stmt *st = prepare(s, ST_PAYMENT_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, p->admin_id);
	sqlite3_bind_int64(st, 2, p->debtor_id);
	store_bind_date(st, 3, p->date);
	store_bind_text(st, 4, p->currency);
	sqlite3_bind_int64(st, 5, p->amount);
	sqlite3_bind_int64(st, 6, p->unallocated);
	store_bind_text(st, 7, p->counterparty);
	store_bind_text(st, 8, p->iban);
	store_bind_text(st, 9, p->remittance);
	store_bind_text(st, 10, p->source[0] ? p->source : "manual");
	store_bind_text(st, 11, p->review);
	return store_exec_write(s, st, &p->id);
}

static void read_payment(sqlite3_stmt *st, owed_payment *p)
{
	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(st, 0);
	p->admin_id = sqlite3_column_int64(st, 1);
	p->debtor_id = sqlite3_column_int64(st, 2);
	p->date = store_col_date(st, 3);
	store_col_text(st, 4, p->currency, sizeof p->currency);
	p->amount = sqlite3_column_int64(st, 5);
	p->unallocated = sqlite3_column_int64(st, 6);
	store_col_text(st, 7, p->counterparty, sizeof p->counterparty);
	store_col_text(st, 8, p->iban, sizeof p->iban);
	store_col_text(st, 9, p->remittance, sizeof p->remittance);
	store_col_text(st, 10, p->source, sizeof p->source);
	p->returned = sqlite3_column_int64(st, 11);
	store_col_text(st, 12, p->review, sizeof p->review);
}

int store_payment_get(store *s, int64_t id, owed_payment *out)
{
	sqlite3_stmt *st = prepare(s, ST_PAYMENT_BY_ID);
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	read_payment(st, out);
	sqlite3_reset(st);
	return 0;
}

int store_payment_save_unallocated(store *s, const owed_payment *p)
{
	sqlite3_stmt *st = prepare(s, ST_PAYMENT_UNALLOC);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, p->unallocated);
	return store_exec_write(s, st, NULL);
}

typedef struct payment_ctx { store_payment_cb cb; void *ctx; } payment_ctx;

static int payment_row(sqlite3_stmt *st, void *ud)
{
	payment_ctx *c = ud;
	owed_payment p;
	read_payment(st, &p);
	return c->cb(&p, c->ctx);
}

int store_payment_each(store *s, int64_t admin_id, int64_t debtor_id, store_payment_cb cb,
                       void *ctx)
{
	sqlite3_stmt *st = prepare(s, debtor_id ? ST_PAYMENT_EACH_DEBTOR : ST_PAYMENT_EACH);
	payment_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	if (debtor_id)
		sqlite3_bind_int64(st, 2, debtor_id);
	return store_each_row(s, st, payment_row, &c);
}

/* Debtor, unallocated, returned and review state: what matching and returns change. */
int store_payment_save_state(store *s, const owed_payment *p)
{
	sqlite3_stmt *st = prepare(s, ST_PAYMENT_STATE);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, p->debtor_id);
	sqlite3_bind_int64(st, 3, p->unallocated);
	sqlite3_bind_int64(st, 4, p->returned);
	store_bind_text(st, 5, p->review);
	return store_exec_write(s, st, NULL);
}

int store_payment_review_each(store *s, int64_t admin_id, store_payment_cb cb, void *ctx)
{
	sqlite3_stmt *st = prepare(s, ST_PAYMENT_REVIEW);
	payment_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	return store_each_row(s, st, payment_row, &c);
}

typedef struct allocation_ctx { store_allocation_cb cb; void *ctx; } allocation_ctx;

static int allocation_row(sqlite3_stmt *st, void *ud)
{
	allocation_ctx *c = ud;
	return c->cb(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
	             sqlite3_column_int64(st, 2), c->ctx);
}

int store_allocations_live(store *s, int64_t payment_id, store_allocation_cb cb, void *ctx)
{
	sqlite3_stmt *st = prepare(s, ST_ALLOCATIONS_LIVE);
	allocation_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, payment_id);
	return store_each_row(s, st, allocation_row, &c);
}

int store_allocation_reverse(store *s, int64_t allocation_id, owed_date date)
{
	sqlite3_stmt *st = prepare(s, ST_ALLOCATION_REVERSE);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, allocation_id);
	store_bind_date(st, 2, date);
	if (store_exec_write(s, st, NULL) != 0)
		return OWED_EIO;
	return sqlite3_changes(s->db) == 1 ? 0 : OWED_ENOTFOUND;
}

int store_invoice_by_reference(store *s, int64_t admin_id, const char *reference,
                               owed_invoice *out)
{
	sqlite3_stmt *st = prepare(s, ST_INVOICE_BY_REFERENCE);
	int rc, more;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, reference);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	read_invoice(st, out);
	more = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return more ? OWED_EEXIST : 0;
}

int store_debtors_by_iban(store *s, int64_t admin_id, const char *iban, store_id_cb cb,
                          void *ctx)
{
	sqlite3_stmt *st = prepare(s, ST_DEBTORS_BY_IBAN);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	store_bind_text(st, 2, iban);
	return store_each_id(s, st, cb, ctx);
}

int store_allocation_insert(store *s, int64_t payment_id, int64_t invoice_id, int64_t amount,
                            const char *reason, int64_t *id)
{
	sqlite3_stmt *st = prepare(s, ST_ALLOCATION_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, payment_id);
	sqlite3_bind_int64(st, 2, invoice_id);
	sqlite3_bind_int64(st, 3, amount);
	store_bind_text(st, 4, reason);
	return store_exec_write(s, st, id);
}

int store_credit_insert(store *s, int64_t invoice_id, const char *number, owed_date date,
                        int64_t amount, const char *reason, int64_t *id)
{
	sqlite3_stmt *st = prepare(s, ST_CREDIT_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, invoice_id);
	store_bind_text(st, 2, number);
	store_bind_date(st, 3, date);
	sqlite3_bind_int64(st, 4, amount);
	store_bind_text(st, 5, reason);
	return store_exec_write(s, st, id);
}

int store_writeoff_insert(store *s, int64_t invoice_id, owed_date date, int64_t amount,
                          const char *reason, int64_t *id)
{
	sqlite3_stmt *st = prepare(s, ST_WRITEOFF_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, invoice_id);
	store_bind_date(st, 2, date);
	sqlite3_bind_int64(st, 3, amount);
	store_bind_text(st, 4, reason);
	return store_exec_write(s, st, id);
}

int store_charge_insert(store *s, int64_t invoice_id, owed_date date, const char *kind,
                        const char *description, int64_t amount, int64_t *id)
{
	sqlite3_stmt *st = prepare(s, ST_CHARGE_INSERT);
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, invoice_id);
	store_bind_date(st, 2, date);
	store_bind_text(st, 3, kind);
	store_bind_text(st, 4, description);
	sqlite3_bind_int64(st, 5, amount);
	return store_exec_write(s, st, id);
}

/* ------------------------------------------------------------------ reports */

int store_open_each(store *s, int64_t admin_id, store_open_cb cb, void *ctx)
{
	sqlite3_stmt *st = prepare(s, ST_OPEN_EACH);
	int rc;
	if (!st)
		return OWED_EIO;
	sqlite3_bind_int64(st, 1, admin_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = cb((const char *)sqlite3_column_text(st, 0), store_col_date(st, 1),
		             sqlite3_column_int64(st, 2), ctx)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, OWED_EIO);
}

/* ------------------------------------------------------------------ plugin key/value */

int store_kv_get(store *s, const char *plugin, const char *key, char **value)
{
	sqlite3_stmt *st = prepare(s, ST_KV_GET);
	int rc;
	*value = NULL;
	if (!st)
		return OWED_EIO;
	store_bind_text(st, 1, plugin);
	store_bind_text(st, 2, key);
	if ((rc = store_step_one(s, st)) != 0)
		return rc;
	*value = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return *value ? 0 : OWED_ENOMEM;
}

int store_kv_set(store *s, const char *plugin, const char *key, const char *value)
{
	sqlite3_stmt *st = prepare(s, ST_KV_SET);
	if (!st)
		return OWED_EIO;
	store_bind_text(st, 1, plugin);
	store_bind_text(st, 2, key);
	store_bind_text(st, 3, value);
	return store_exec_write(s, st, NULL);
}

int store_kv_delete(store *s, const char *plugin, const char *key)
{
	sqlite3_stmt *st = prepare(s, ST_KV_DELETE);
	if (!st)
		return OWED_EIO;
	store_bind_text(st, 1, plugin);
	store_bind_text(st, 2, key);
	return store_exec_write(s, st, NULL);
}

typedef struct kv_ctx { store_kv_cb cb; void *ctx; } kv_ctx;

static int kv_row(sqlite3_stmt *st, void *ud)
{
	kv_ctx *c = ud;
	return c->cb((const char *)sqlite3_column_text(st, 0), c->ctx);
}

int store_kv_keys(store *s, const char *plugin, const char *prefix, store_kv_cb cb, void *ctx)
{
	sqlite3_stmt *st = prepare(s, ST_KV_KEYS);
	kv_ctx c = { cb, ctx };
	if (!st)
		return OWED_EIO;
	store_bind_text(st, 1, plugin);
	store_bind_text(st, 2, prefix ? prefix : "");
	return store_each_row(s, st, kv_row, &c);
}
