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

#include "bench.h"
#include "core/ref.h"
#include "runtime/config.h"
#include "services/money_in.h"
#include "store/schema.h"

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_import: %s: %s\n", what, why);
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die(sql, msg);
}

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
		die(path, "cannot create");
	exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; BEGIN");
	for (int v = 1; v <= schema_latest(); v++)
		exec(db, schema_migration(v));
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", schema_latest());
	exec(db, sql);
	exec(db, "INSERT INTO administration (id, code, name, iban) VALUES (1, 'main', 'Bench BV',"
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
			die("ref_make_rf", base);
		sqlite3_bind_int64(i, 1, k % ndebtors + 1);
		sqlite3_bind_int64(i, 2, k + 1);
		sqlite3_bind_int64(i, 3, amount_of(k));
		sqlite3_bind_text(i, 4, ref, -1, SQLITE_TRANSIENT);
		sqlite3_step(i);
		sqlite3_reset(i);
	}
	exec(db, "COMMIT");
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
		die(path, "cannot write");
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
		die("parse", msg);
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
		die(path, "cannot read");
	fseek(f, 0, SEEK_END);
	t.len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	if (!(t.text = malloc(t.len)) || fread(t.text, 1, t.len, f) != t.len)
		die(path, "cannot read");
	fclose(f);
	if (rt_load(r, "camt053", NULL, 0, &err) != 0 || !(p = rt_find(r, "camt053")))
		die("camt053", err.msg);
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
	char dir[] = "/tmp/owed-bench-import-XXXXXX", db[128], conf[128], camt[128], cmd[256];
	const char *files[1];
	owed_config config;
	owed_error err = { 0 };
	svc_import_options opt = { 0 };
	svc_import_result res;
	uv_loop_t loop;
	owed_ctx ctx;
	double t_import, t_parse;
	FILE *f;
	rt *r;

	if (!mkdtemp(dir))
		die("mkdtemp", "failed");
	snprintf(db, sizeof db, "%s/bench.db", dir);
	snprintf(conf, sizeof conf, "%s/owed.conf", dir);
	snprintf(camt, sizeof camt, "%s/statement.xml", dir);
	/* a 100,000-entry statement is ~60 MB of XML: the importer gets the budget for it */
	if (!(f = fopen(conf, "w")))
		die(conf, "cannot write");
	fprintf(f, "return { limits = { memory_mb = 4096, hook_ms = 120000 } }\n");
	fclose(f);
	printf("building %ld debtors with %ld invoices and a statement of %ld entries...\n",
	       ndebtors, ninvoices, nentries);
	build(db, ndebtors, ninvoices);
	statement(camt, nentries, ndebtors, ninvoices);
	if (config_load(conf, &config, &err) != 0 || svc_open(db, NULL, &ctx, &err) != 0)
		die("open", err.msg);
	uv_loop_init(&loop);
	if (rt_new(&loop, &ctx, &config.rt, &r, &err) != 0 || rt_scan(r, &err) != 0)
		die("runtime", err.msg);
	rt_set_settings(r, config.L, config.plugins);

	t_parse = parse_alone(r, camt);
	files[0] = camt;
	t_import = bench_now();
	if (svc_import_bank(&ctx, r, files, 1, &opt, NULL, NULL, &res, &err) != 0)
		die("import", err.msg);
	t_import = bench_now() - t_import;

	bench_header("import bank: camt.053 read, checked, booked and matched");
	bench_report_rows("import (entries)", (long)res.entries, t_import, t_parse);
	printf("%-24s baseline: the camt053 importer parsing the same file alone\n", "");
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
