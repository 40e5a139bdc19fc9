/*
 * bench_run.c -- the daily run over OWED_BENCH_CASES cases (default 100,000) holding
 * OWED_BENCH_INVOICES open invoices (default 1,000,000) with the nl-b2b policy evaluated in
 * Lua for every case, against a bare-SQLite pass over the same rows.
 *
 * The ledger is a realistic morning: every case is overdue, 99% of them had their first
 * reminder three days ago and wait for the second (their next action date, 2026-03-15, noted
 * by the runs since, so this run finds it unchanged and writes nothing for them), 1% take
 * their first reminder today (a letter rendered as text and PDF, stored with its hash, an
 * e-mail queued and delivered by the e-mail channel in folder mode).  The ledger is written
 * with bare SQL into owed's schema, since building it is not what is measured.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BENCH_NAME "bench_run"
#include "bench.h"
#include "runtime/config.h"
#include "services/dunning.h"
#include "store/schema.h"
#include "store/store.h"

/* The ledger: admin 1, debtors 1..ncases, invoices spread evenly, all due 2026-02-01. */
static void build(const char *path, long ncases, long ninvoices, long step_every)
{
	sqlite3 *db;
	sqlite3_stmt *d, *i, *c, *s;
	char sql[64];
	if (sqlite3_open(path, &db) != SQLITE_OK)
		bench_die(path, "cannot create");
	bench_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; BEGIN");
	for (int v = 1; v <= schema_latest(); v++)
		bench_exec(db, schema_migration(v));
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", schema_latest());
	bench_exec(db, sql);
	bench_exec(db, "INSERT INTO administration (id, code, name, address, kvk, vat, iban)"
	         " VALUES (1, 'main', 'Bench BV', 'Havenstraat 1, 1011 AB Amsterdam', '12345678',"
	         " 'NL123456789B01', 'NL91ABNA0417164300')");
	sqlite3_prepare_v2(db, "INSERT INTO debtor (id, admin_id, number, name, kind, country,"
	                   " language, email, address) VALUES (?1, 1, printf('D%07d', ?1),"
	                   " printf('Debtor %d BV', ?1), 'business', 'NL', 'nl',"
	                   " printf('d%d@bench.example', ?1), 'Marktstraat 1, 1011 AB Amsterdam')",
	                   -1, &d, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO invoice (admin_id, debtor_id, number, issue_date,"
	                   " due_date, currency, amount_minor, open_minor, status) VALUES (1, ?1,"
	                   " printf('INV%08d', ?2), '2026-01-02', '2026-02-01', 'EUR', ?3, ?3,"
	                   " 'open')", -1, &i, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO dunning_case (id, admin_id, debtor_id, policy, state,"
	                   " step, step_date, next_date, opened) VALUES (?1, 1, ?1, 'nl-b2b',"
	                   " 'open', 'reminder1', '2026-03-01', '2026-03-15', '2026-03-01')", -1,
	                   &c, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO case_step (case_id, step, date, policy, policy_version,"
	                   " reason, channels) VALUES (?1, 'reminder1', '2026-03-01', 'nl-b2b', '',"
	                   " 'bench', 'email')", -1, &s, NULL);
	for (long k = 1; k <= ncases; k++) {
		sqlite3_bind_int64(d, 1, k);
		sqlite3_step(d);
		sqlite3_reset(d);
		if (k % step_every == 0)
			continue;                   /* 1%: no case yet, the first reminder is due */
		sqlite3_bind_int64(c, 1, k);
		sqlite3_step(c);
		sqlite3_reset(c);
		sqlite3_bind_int64(s, 1, k);
		sqlite3_step(s);
		sqlite3_reset(s);
	}
	for (long k = 0; k < ninvoices; k++) {
		sqlite3_bind_int64(i, 1, k % ncases + 1);
		sqlite3_bind_int64(i, 2, k + 1);
		sqlite3_bind_int64(i, 3, 1000 + (k * 7919) % 500000);
		sqlite3_step(i);
		sqlite3_reset(i);
	}
	bench_exec(db, "COMMIT");
	sqlite3_finalize(d);
	sqlite3_finalize(i);
	sqlite3_finalize(c);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* The bare pass: the same rows, grouped per debtor with its case, in one query. */
static double bare_pass(const char *path, long *groups)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	double t0 = bench_now();
	int64_t sum = 0;
	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, "SELECT i.debtor_id, COUNT(*), SUM(i.open_minor), MIN(i.due_date),"
	                   " c.step, c.step_date FROM invoice i LEFT JOIN dunning_case c"
	                   " ON c.debtor_id = i.debtor_id AND c.state <> 'closed'"
	                   " WHERE i.admin_id = 1 AND i.open_minor > 0 AND i.due_date < '2026-03-04'"
	                   " GROUP BY i.debtor_id", -1, &st, NULL);
	*groups = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		sum += sqlite3_column_int64(st, 2);
		(*groups)++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return sum > 0 ? bench_now() - t0 : -1;
}

int main(void)
{
	long ncases = bench_env_count("OWED_BENCH_CASES", 100000);
	long ninvoices = bench_env_count("OWED_BENCH_INVOICES", 1000000);
	char dir[] = "/tmp/owed-bench-run-XXXXXX", db[128], conf[128], cmd[256];
	owed_config config;
	owed_error err = { 0 };
	svc_run_options opt = { 0 };
	svc_run_result res;
	uv_loop_t loop;
	owed_ctx ctx;
	double t_run, t_bare;
	long groups;
	FILE *f;
	rt *r;

	store_configure();     /* before the bare SQLite baseline too: both are measured alike */

	if (!mkdtemp(dir))
		bench_die("mkdtemp", "failed");
	snprintf(db, sizeof db, "%s/bench.db", dir);
	snprintf(conf, sizeof conf, "%s/owed.conf", dir);
	if (!(f = fopen(conf, "w")))
		bench_die(conf, "cannot write");
	/* OWED_BENCH_EMAIL=smtp: e-mails to a closed port (each fails at once and is retried
	 * later), to see the run without the folder channel's file writes */
	fprintf(f, "return { outgoing = \"%s/out\", plugins = { email = { mode = \"%s\","
	        " url = \"smtp://127.0.0.1:1\" } } }\n", dir,
	        getenv("OWED_BENCH_EMAIL") ? getenv("OWED_BENCH_EMAIL") : "folder");
	fclose(f);
	printf("building %ld cases with %ld invoices...\n", ncases, ninvoices);
	fflush(stdout);
	build(db, ncases, ninvoices, bench_env_count("OWED_BENCH_STEP_EVERY", 100));
	if (config_load(conf, &config, &err) != 0 || svc_open(db, NULL, &ctx, &err) != 0)
		bench_die("open", err.msg);
	uv_loop_init(&loop);
	if (rt_new(&loop, &ctx, &config.rt, &r, &err) != 0 || rt_scan(r, &err) != 0)
		bench_die("runtime", err.msg);
	rt_set_settings(r, config.L, config.plugins);
	date_parse_iso("2026-03-04", &opt.date);

	t_run = bench_now();
	if (svc_run(&ctx, r, &opt, NULL, NULL, &res, &err) != 0)
		bench_die("run", err.msg);
	t_run = bench_now() - t_run;
	t_bare = bare_pass(db, &groups);

	bench_header("daily run, nl-b2b in Lua per case");
	bench_report_rows("run (cases)", (long)res.cases, t_run, t_bare);
	printf("%-24s %lld cases: %lld steps (letters with PDF), %lld waiting, %lld failed; "
	       "%lld e-mails delivered\n", "", (long long)res.cases, (long long)res.steps,
	       (long long)res.waiting, (long long)res.failed, (long long)res.delivered);
	printf("%-24s bare pass grouped %ld debtors; peak RSS %.1f MiB\n", "", groups,
	       bench_peak_rss_mib());

	rt_free(r);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	svc_close(&ctx);
	config_free(&config);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
