/*
 * bench_import.c -- `owed import bank` of one camt.053 file of OWED_BENCH_ENTRIES credits
 * (default 100,000) against a ledger of OWED_BENCH_INVOICES open invoices (default
 * 1,000,000) of OWED_BENCH_DEBTORS debtors (default 100,000), with matching, against the
 * camt053 importer parsing the same file alone.
 *
 * The payments are a realistic mix: 60% carry the invoice's RF reference, 20% name the
 * invoice number in the text, 15% come from the debtor's IBAN with the exact open amount of
 * one invoice, 5% are unknown (review).  The ledger is written with bare SQL into owed's
 * schema, since building it is not what is measured.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_NAME "bench_import"
#include "bench.h"
#include "core/ref.h"
#include "runtime/config.h"
#include "services/money_in.h"
#include "store/schema.h"
#include "store/store.h"

/* A valid Dutch IBAN for account number n: NLkk BENC 0nnnnnnnnn (ISO 13616 check digits). */
static void iban_of(long n, char out[40])
{
	char digits[64];
	unsigned rem = 0;
	/* BENC = 11 14 23 12, then the account, then NL00 = 23 21 00 */
	snprintf(digits, sizeof digits, "11142312%010ld232100", n % 10000000000L);
	for (const char *p = digits; *p; p++)
		rem = (rem * 10 + (unsigned)(*p - '0')) % 97;
	snprintf(out, 40, "NL%02uBENC%010ld", 98 - rem, n % 10000000000L);
}

static long amount_of(long k)
{
	return 1000 + (k * 7919) % 499979;     /* a prime: a debtor's ten amounts differ */
}

static void build(const char *path, long ndebtors, long ninvoices)
{
	sqlite3 *db;
	sqlite3_stmt *d, *i;
	char sql[64], iban[40], ref[40], base[24];
	if (sqlite3_open(path, &db) != SQLITE_OK)
		bench_die(path, "cannot create");
	bench_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; BEGIN");
	for (int v = 1; v <= schema_latest(); v++)
		bench_exec(db, schema_migration(v));
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", schema_latest());
	bench_exec(db, sql);
	bench_exec(db, "INSERT INTO administration (id, code, name, iban) VALUES (1, 'main', 'Bench BV',"
	         " 'NL91ABNA0417164300')");
	sqlite3_prepare_v2(db, "INSERT INTO debtor (id, admin_id, number, name, kind, country,"
	                   " language, iban) VALUES (?1, 1, printf('D%07d', ?1),"
	                   " printf('Debtor %d BV', ?1), 'business', 'NL', 'nl', ?2)", -1, &d, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO invoice (admin_id, debtor_id, number, issue_date,"
	                   " due_date, currency, amount_minor, open_minor, status, reference)"
	                   " VALUES (1, ?1, printf('INV%08d', ?2), '2026-01-02', '2026-02-01', 'EUR',"
	                   " ?3, ?3, 'open', ?4)", -1, &i, NULL);
	for (long k = 1; k <= ndebtors; k++) {
		iban_of(k, iban);
		sqlite3_bind_int64(d, 1, k);
		sqlite3_bind_text(d, 2, iban, -1, SQLITE_TRANSIENT);
		sqlite3_step(d);
		sqlite3_reset(d);
	}
	for (long k = 0; k < ninvoices; k++) {
		snprintf(base, sizeof base, "%ld", k + 1);
		if (ref_make_rf(base, ref, sizeof ref) != 0)
			bench_die("ref_make_rf", base);
		sqlite3_bind_int64(i, 1, k % ndebtors + 1);
		sqlite3_bind_int64(i, 2, k + 1);
		sqlite3_bind_int64(i, 3, amount_of(k));
		sqlite3_bind_text(i, 4, ref, -1, SQLITE_TRANSIENT);
		sqlite3_step(i);
		sqlite3_reset(i);
	}
	bench_exec(db, "COMMIT");
	sqlite3_finalize(d);
	sqlite3_finalize(i);
	sqlite3_close(db);
}

/* The statement: entry e pays invoice k = e * 7 % ninvoices (distinct invoices). */
static void statement(const char *path, long nentries, long ndebtors, long ninvoices)
{
	FILE *f = fopen(path, "w");
	long long total = 0;
	char iban[40], ref[40], base[24];
	if (!f)
		bench_die(path, "cannot write");
	for (long e = 0; e < nentries; e++)
		total += amount_of((e * 7) % ninvoices);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:"
	        "20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><GrpHdr><MsgId>B1</MsgId>"
	        "<CreDtTm>2026-03-20T08:00:00</CreDtTm></GrpHdr>\n<Stmt><Id>BENCH-1</Id>"
	        "<ElctrncSeqNb>1</ElctrncSeqNb><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id>"
	        "<Ccy>EUR</Ccy></Acct>\n<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>"
	        "<Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-19</Dt>"
	        "</Dt></Bal>\n<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">"
	        "%lld.%02lld</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-20</Dt></Dt></Bal>\n",
	        total / 100, total % 100);
	for (long e = 0; e < nentries; e++) {
		long k = (e * 7) % ninvoices, amount = amount_of(k), kind = e % 20;
		iban_of(k % ndebtors + 1, iban);
		fprintf(f, "<Ntry><NtryRef>N%ld</NtryRef><Amt Ccy=\"EUR\">%ld.%02ld</Amt><CdtDbtInd>"
		        "CRDT</CdtDbtInd><BookgDt><Dt>2026-03-20</Dt></BookgDt><NtryDtls><TxDtls>"
		        "<RltdPties><Dbtr><Nm>Debtor %ld BV</Nm></Dbtr><DbtrAcct><Id><IBAN>%s</IBAN>"
		        "</Id></DbtrAcct></RltdPties><RmtInf>", e, amount / 100, amount % 100,
		        k % ndebtors + 1, kind < 19 ? iban : "NL44RABO0123456789");
		if (kind < 12) {
			snprintf(base, sizeof base, "%ld", k + 1);
			ref_make_rf(base, ref, sizeof ref);
			fprintf(f, "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO"
			        "</Issr></Tp><Ref>%s</Ref></CdtrRefInf></Strd>", ref);
		} else if (kind < 16)
			fprintf(f, "<Ustrd>betaling factuur INV%08ld</Ustrd>", k + 1);
		else
			fprintf(f, "<Ustrd>betaling maart</Ustrd>");
		fprintf(f, "</RmtInf></TxDtls></NtryDtls></Ntry>\n");
	}
	fprintf(f, "</Stmt></BkToCstmrStmt></Document>\n");
	fclose(f);
}

/* ------------------------------------------------------------------ bare SQLite */

static void run_bound(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		bench_die(sqlite3_sql(st), sqlite3_errmsg(db));
	sqlite3_reset(st);
}

/* The floor under the import: the same payments found and booked with bare SQL on a copy of
 * the ledger, knowing the answers (no XML, no plugins, no checks): per entry the one lookup
 * that finds its invoice (by reference, by number, or by IBAN and then the debtor's open
 * invoices), then a payment, an allocation, the invoice's new totals, the bank entry and one
 * event, all in one transaction.  owed does more per entry (a savepoint, the duplicate check,
 * a second event, the matcher's and then the ledger's own reads), which the ratio shows. */
static double bare_booking(const char *path, long nentries, long ndebtors, long ninvoices)
{
	sqlite3 *db;
	sqlite3_stmt *by_ref, *by_number, *by_iban, *open_of, *pay, *alloc, *totals, *entry, *event;
	char iban[40], ref[40], base[24], number[24];
	double t0;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		bench_die(path, "cannot open");
	bench_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	         " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY");
	by_ref = bench_prepare(db, "SELECT id, debtor_id, open_minor FROM invoice WHERE admin_id = 1"
	              " AND reference = ?1 AND reference <> ''");
	by_number = bench_prepare(db, "SELECT id, debtor_id, open_minor FROM invoice WHERE admin_id = 1"
	                 " AND number = ?1");
	by_iban = bench_prepare(db, "SELECT id FROM debtor WHERE admin_id = 1 AND iban = ?1 AND iban <> ''");
	open_of = bench_prepare(db, "SELECT id, debtor_id, open_minor FROM invoice INDEXED BY"
	               " invoice_open_debtor WHERE debtor_id = ?1 AND open_minor > 0");
	pay = bench_prepare(db, "INSERT INTO payment (admin_id, debtor_id, date, currency, amount_minor,"
	           " unallocated_minor, counterparty, iban, remittance, source, review)"
	           " VALUES (1, ?1, '2026-03-20', 'EUR', ?2, 0, 'Debtor BV', ?3, '', 'bank', '')");
	alloc = bench_prepare(db, "INSERT INTO allocation (payment_id, invoice_id, amount_minor, reason)"
	             " VALUES (?1, ?2, ?3, 'reference')");
	totals = bench_prepare(db, "UPDATE invoice SET allocated_minor = allocated_minor + ?2,"
	              " open_minor = open_minor - ?2, status = CASE WHEN open_minor = ?2"
	              " THEN 'paid' ELSE status END WHERE id = ?1");
	entry = bench_prepare(db, "INSERT INTO bank_entry (statement_id, account, bank_ref, date, currency,"
	             " amount_minor, credit, payment_id, outcome) VALUES (1, 'NL91ABNA0417164300',"
	             " ?1, '2026-03-20', 'EUR', ?2, 1, ?3, 'matched')");
	event = bench_prepare(db, "INSERT INTO event (at, actor, entity, entity_id, debtor_id, invoice_id,"
	             " kind, payload) VALUES ('2026-03-20T08:00:00Z', 'import', 'payment', ?1, ?2,"
	             " ?3, 'received', ?4)");
	t0 = bench_now();
	bench_exec(db, "BEGIN IMMEDIATE");
	bench_exec(db, "INSERT INTO bank_statement (id, admin_id, account, statement_key, format, date,"
	         " currency, opening_minor, closing_minor, entries, file, file_sha256, imported)"
	         " VALUES (1, 1, 'NL91ABNA0417164300', 'bare', 'camt.053.001.02', '2026-03-20',"
	         " 'EUR', 0, 0, 0, 'bare', '', '2026-03-20T08:00:00Z')");
	for (long e = 0; e < nentries; e++) {
		long k = (e * 7) % ninvoices, amount = amount_of(k), kind = e % 20;
		sqlite3_stmt *found = NULL;
		int64_t inv = 0, debtor = 0, payment;
		iban_of(k % ndebtors + 1, iban);
		if (kind < 12) {
			snprintf(base, sizeof base, "%ld", k + 1);
			ref_make_rf(base, ref, sizeof ref);
			sqlite3_bind_text(found = by_ref, 1, ref, -1, SQLITE_TRANSIENT);
		} else if (kind < 16) {
			snprintf(number, sizeof number, "INV%08ld", k + 1);
			sqlite3_bind_text(found = by_number, 1, number, -1, SQLITE_TRANSIENT);
		} else if (kind < 19) {
			sqlite3_bind_text(by_iban, 1, iban, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(by_iban) == SQLITE_ROW)
				sqlite3_bind_int64(found = open_of, 1, sqlite3_column_int64(by_iban, 0));
			sqlite3_reset(by_iban);
		}
		while (found && sqlite3_step(found) == SQLITE_ROW)
			if (!inv || sqlite3_column_int64(found, 2) == amount) {
				inv = sqlite3_column_int64(found, 0);
				debtor = sqlite3_column_int64(found, 1);
			}
		if (found)
			sqlite3_reset(found);
		sqlite3_bind_int64(pay, 1, debtor);
		sqlite3_bind_int64(pay, 2, amount);
		sqlite3_bind_text(pay, 3, iban, -1, SQLITE_TRANSIENT);
		if (!debtor)
			sqlite3_bind_null(pay, 1);
		run_bound(db, pay);
		payment = sqlite3_last_insert_rowid(db);
		if (inv) {
			sqlite3_bind_int64(alloc, 1, payment);
			sqlite3_bind_int64(alloc, 2, inv);
			sqlite3_bind_int64(alloc, 3, amount);
			run_bound(db, alloc);
			sqlite3_bind_int64(totals, 1, inv);
			sqlite3_bind_int64(totals, 2, amount);
			run_bound(db, totals);
		}
		snprintf(number, sizeof number, "N%ld", e);
		sqlite3_bind_text(entry, 1, number, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(entry, 2, amount);
		sqlite3_bind_int64(entry, 3, payment);
		run_bound(db, entry);
		sqlite3_bind_int64(event, 1, payment);
		if (debtor)
			sqlite3_bind_int64(event, 2, debtor);
		else
			sqlite3_bind_null(event, 2);
		if (inv)
			sqlite3_bind_int64(event, 3, inv);
		else
			sqlite3_bind_null(event, 3);
		sqlite3_bind_text(event, 4, "{\"amount\":\"1.00\",\"matched_by\":\"reference\"}", -1,
		                  SQLITE_STATIC);
		run_bound(db, event);
	}
	bench_exec(db, "COMMIT");
	t0 = bench_now() - t0;
	sqlite3_finalize(by_ref);
	sqlite3_finalize(by_number);
	sqlite3_finalize(by_iban);
	sqlite3_finalize(open_of);
	sqlite3_finalize(pay);
	sqlite3_finalize(alloc);
	sqlite3_finalize(totals);
	sqlite3_finalize(entry);
	sqlite3_finalize(event);
	sqlite3_close(db);
	return t0;
}

/* ------------------------------------------------------------------ parsing alone */

typedef struct file_text { char *text; size_t len; } file_text;

static int push_text(lua_State *co, void *ud)
{
	file_text *t = ud;
	lua_pushlstring(co, t->text, t->len);
	lua_newtable(co);
	return 2;
}

static void parsed(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                   void *ud)
{
	(void)p, (void)co, (void)nres;
	if (status != 0)
		bench_die("parse", msg);
	*(int *)ud = 1;
}

static double parse_alone(rt *r, const char *path)
{
	file_text t;
	owed_error err = { 0 };
	FILE *f = fopen(path, "rb");
	rt_plugin *p;
	double t0;
	int done = 0;
	if (!f)
		bench_die(path, "cannot read");
	fseek(f, 0, SEEK_END);
	t.len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	if (!(t.text = malloc(t.len)) || fread(t.text, 1, t.len, f) != t.len)
		bench_die(path, "cannot read");
	fclose(f);
	if (rt_load(r, "camt053", NULL, 0, &err) != 0 || !(p = rt_find(r, "camt053")))
		bench_die("camt053", err.msg);
	t0 = bench_now();
	rt_call_sync(p, "parse", path, push_text, &t, parsed, &done);
	t0 = bench_now() - t0;
	free(t.text);
	return done ? t0 : -1;
}

int main(void)
{
	long ndebtors = bench_env_count("OWED_BENCH_DEBTORS", 100000);
	long ninvoices = bench_env_count("OWED_BENCH_INVOICES", 1000000);
	long nentries = bench_env_count("OWED_BENCH_ENTRIES", 100000);
	char dir[] = "/tmp/owed-bench-import-XXXXXX", db[128], bare[128], conf[128], camt[128];
	char cmd[512];
	const char *files[1];
	owed_config config;
	owed_error err = { 0 };
	svc_import_options opt = { 0 };
	svc_import_result res;
	uv_loop_t loop;
	owed_ctx ctx;
	double t_import, t_parse, cpu_import, t_bare;
	FILE *f;
	rt *r;

	store_configure();     /* before the bare SQLite baseline too: both are measured alike */

	if (!mkdtemp(dir))
		bench_die("mkdtemp", "failed");
	snprintf(db, sizeof db, "%s/bench.db", dir);
	snprintf(conf, sizeof conf, "%s/owed.conf", dir);
	snprintf(camt, sizeof camt, "%s/statement.xml", dir);
	snprintf(bare, sizeof bare, "%s/bare.db", dir);
	/* a 100,000-entry statement is ~60 MB of XML: the importer gets the budget for it */
	if (!(f = fopen(conf, "w")))
		bench_die(conf, "cannot write");
	fprintf(f, "return { limits = { memory_mb = 4096, hook_ms = 120000 } }\n");
	fclose(f);
	printf("building %ld debtors with %ld invoices and a statement of %ld entries...\n",
	       ndebtors, ninvoices, nentries);
	build(db, ndebtors, ninvoices);
	statement(camt, nentries, ndebtors, ninvoices);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", db, bare);
	if (system(cmd) != 0)
		bench_die(cmd, "failed");
	t_bare = bare_booking(bare, nentries, ndebtors, ninvoices);
	if (config_load(conf, &config, &err) != 0 || svc_open(db, NULL, &ctx, &err) != 0)
		bench_die("open", err.msg);
	uv_loop_init(&loop);
	if (rt_new(&loop, &ctx, &config.rt, &r, &err) != 0 || rt_scan(r, &err) != 0)
		bench_die("runtime", err.msg);
	rt_set_settings(r, config.L, config.plugins);

	t_parse = parse_alone(r, camt);
	files[0] = camt;
	t_import = bench_now();
	cpu_import = bench_cpu();
	if (svc_import_bank(&ctx, r, files, 1, &opt, NULL, NULL, &res, &err) != 0)
		bench_die("import", err.msg);
	t_import = bench_now() - t_import;
	cpu_import = bench_cpu() - cpu_import;

	bench_header("import bank: camt.053 read, checked, booked and matched");
	bench_report_rows("import (entries)", (long)res.entries, t_import, t_parse);
	printf("%-24s baseline: the camt053 importer parsing the same file alone\n", "");
	bench_report_rows("import vs bare SQLite", (long)res.entries, t_import, t_bare);
	printf("%-24s baseline: the same payments found and booked with bare SQL (bare_booking)\n",
	       "");
	printf("%-24s the import used %.3f s of CPU\n", "", cpu_import);
	printf("%-24s %lld entries: %lld matched, %lld to review, %lld credit; peak RSS %.1f MiB\n",
	       "", (long long)res.entries, (long long)res.matched, (long long)res.review,
	       (long long)res.credit, bench_peak_rss_mib());

	rt_free(r);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	svc_close(&ctx);
	config_free(&config);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
