/*
 * bench_ledger.c -- bulk ledger writes and the aging summary, owed against bare SQLite.
 *
 * owed: a fresh database (svc_init, svc_open), one outer transaction around the bulk work
 * (the services nest theirs as savepoints, so each debtor and invoice is still its own checked
 * change with its dossier event), OWED_BENCH_DEBTORS debtors (default 100,000) through
 * svc_debtor_add, OWED_BENCH_INVOICES invoices (default 1,000,000) through svc_invoice_add,
 * then svc_aging_report.
 *
 * baseline: the same schema (the migrations of store/schema.c) and PRAGMAs in a second
 * database, the same rows (one event row per insert too) through bare prepared INSERTs in one
 * transaction, and the aging as one SQL query.  Both agings must agree to the cent, or the
 * bench fails.
 *
 * The data: invoice i goes to debtor i mod n, issued in date order over 2025, due 30 days
 * later, amount 10.00 .. 5000.00 with 21% VAT included; the aging is as on 2026-01-15.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "bench_ledger"
#include "bench.h"
#include "core/date.h"
#include "services/services.h"
#include "store/schema.h"
#include "store/store.h"

#define DEFAULT_DEBTORS  100000L
#define DEFAULT_INVOICES 1000000L

typedef struct timings {
	double debtors, invoices, commit, aging;
} timings;

typedef struct gen {
	long ndebtors, ninvoices;
	owed_date base, asof;
} gen;

/* ------------------------------------------------------------------ the data, shared */

static void debtor_number(long d, char *buf, size_t n)
{
	snprintf(buf, n, "D%07ld", d + 1);
}

static void debtor_name(long d, char *buf, size_t n)
{
	snprintf(buf, n, "Debtor %ld BV", d + 1);
}

static void invoice_number(long i, char *buf, size_t n)
{
	snprintf(buf, n, "INV%08ld", i + 1);
}

typedef struct gen_invoice {
	long debtor;
	owed_date issue, due;
	int64_t amount, vat;
} gen_invoice;

static void invoice_data(const gen *g, long i, gen_invoice *out)
{
	out->debtor = i % g->ndebtors;
	out->issue = g->base + (owed_date)((int64_t)i * 365 / g->ninvoices);
	out->due = out->issue + 30;
	out->amount = 1000 + ((int64_t)i * 7919 + 13) % 499001;
	out->vat = out->amount - out->amount * 100 / 121;
}

static void cents(int64_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%lld.%02lld", (long long)(v / 100), (long long)(v % 100));
}

static void progress(const char *what, long done, long total)
{
	if (isatty(2) && (done % 10000 == 0 || done == total))
		fprintf(stderr, "\r  %s %ld/%ld%s", what, done, total, done == total ? "\n" : "");
}

/* ------------------------------------------------------------------ owed */

static void run_owed(const char *path, const gen *g, timings *t, svc_aging *aging)
{
	svc_admin_input admin = { .name = "Bench BV", .terms_days = "30", .currency = "EUR" };
	owed_ctx ctx;
	owed_error err = { 0 };
	char num[32], name[64], dnum[32], issue[16], amount[32], vat[32];
	double t0;

	if (svc_init(path, &admin, &err) || svc_open(path, NULL, &ctx, &err))
		bench_die("owed init", err.msg);
	snprintf(ctx.locale, sizeof ctx.locale, "C");
	if (store_begin(ctx.st))
		bench_die("owed begin", store_error(ctx.st));

	t0 = bench_now();
	for (long d = 0; d < g->ndebtors; d++) {
		svc_debtor_input in = { .number = num, .name = name, .kind = "business" };
		debtor_number(d, num, sizeof num);
		debtor_name(d, name, sizeof name);
		if (svc_debtor_add(&ctx, &in, NULL, &err))
			bench_die("svc_debtor_add", err.msg);
		progress("owed debtors", d + 1, g->ndebtors);
	}
	t->debtors = bench_now() - t0;

	t0 = bench_now();
	for (long i = 0; i < g->ninvoices; i++) {
		gen_invoice v;
		svc_invoice_input in = { .number = num, .debtor = dnum, .issue_date = issue,
		                         .amount = amount, .vat = vat };
		invoice_data(g, i, &v);
		invoice_number(i, num, sizeof num);
		debtor_number(v.debtor, dnum, sizeof dnum);
		date_format_iso(v.issue, issue, sizeof issue);
		cents(v.amount, amount, sizeof amount);
		cents(v.vat, vat, sizeof vat);
		if (svc_invoice_add(&ctx, &in, NULL, &err))
			bench_die("svc_invoice_add", err.msg);
		progress("owed invoices", i + 1, g->ninvoices);
	}
	t->invoices = bench_now() - t0;

	t0 = bench_now();
	if (store_commit(ctx.st))
		bench_die("owed commit", store_error(ctx.st));
	t->commit = bench_now() - t0;

	t0 = bench_now();
	if (svc_aging_report(&ctx, g->asof, aging, &err))
		bench_die("svc_aging_report", err.msg);
	t->aging = bench_now() - t0;
	svc_close(&ctx);
}

/* ------------------------------------------------------------------ bare sqlite3 */

static int64_t step_insert(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		bench_die("baseline insert", sqlite3_errmsg(db));
	sqlite3_reset(st);
	return sqlite3_last_insert_rowid(db);
}

/* The dossier row, as the store writes it: the time now, the actor, the JSON payload. */
static void event(sqlite3 *db, sqlite3_stmt *st, const char *entity, int64_t entity_id,
                  int64_t debtor_id, int64_t invoice_id, const char *payload)
{
	char at[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	sqlite3_bind_text(st, 1, at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, "bench", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, entity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, entity_id);
	if (debtor_id)
		sqlite3_bind_int64(st, 5, debtor_id);
	else
		sqlite3_bind_null(st, 5);
	if (invoice_id)
		sqlite3_bind_int64(st, 6, invoice_id);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_text(st, 7, "created", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, payload, -1, SQLITE_TRANSIENT);
	step_insert(db, st);
}

static void run_baseline(const char *path, const gen *g, timings *t, svc_aging *aging)
{
	sqlite3 *db;
	sqlite3_stmt *ins_debtor, *ins_invoice, *ins_event, *q;
	int64_t *debtor_id, admin_id;
	char num[32], name[64], issue[16], due[16], amount[32], vat[32], payload[512];
	char pragma[48];
	double t0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL))
		bench_die(path, sqlite3_errmsg(db));
	bench_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	                "PRAGMA foreign_keys = ON;");
	bench_exec(db, "BEGIN IMMEDIATE");
	for (int v = 1; v <= schema_latest(); v++)
		bench_exec(db, schema_migration(v));
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", schema_latest());
	bench_exec(db, pragma);
	bench_exec(db, "INSERT INTO administration (code, name, currency, terms_days)"
	                " VALUES ('main', 'Bench BV', 'EUR', 30)");
	admin_id = sqlite3_last_insert_rowid(db);
	bench_exec(db, "COMMIT");

	ins_debtor = bench_prepare(db, "INSERT INTO debtor (admin_id, number, name, kind, country, language)"
	                      " VALUES (?, ?, ?, 'business', 'NL', 'nl')");
	ins_invoice = bench_prepare(db, "INSERT INTO invoice (admin_id, debtor_id, number, issue_date,"
	                       " due_date, currency, amount_minor, vat_minor, open_minor,"
	                       " reference, description, status)"
	                       " VALUES (?, ?, ?, ?, ?, 'EUR', ?, ?, ?, '', '', 'open')");
	ins_event = bench_prepare(db, "INSERT INTO event (at, actor, entity, entity_id, debtor_id,"
	                     " invoice_id, kind, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (!(debtor_id = malloc((size_t)g->ndebtors * sizeof *debtor_id)))
		bench_die("baseline", "out of memory");

	bench_exec(db, "BEGIN IMMEDIATE");
	t0 = bench_now();
	for (long d = 0; d < g->ndebtors; d++) {
		debtor_number(d, num, sizeof num);
		debtor_name(d, name, sizeof name);
		sqlite3_bind_int64(ins_debtor, 1, admin_id);
		sqlite3_bind_text(ins_debtor, 2, num, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_debtor, 3, name, -1, SQLITE_STATIC);
		debtor_id[d] = step_insert(db, ins_debtor);
		snprintf(payload, sizeof payload, "{\"number\":\"%s\",\"name\":\"%s\","
		         "\"kind\":\"business\",\"country\":\"NL\",\"language\":\"nl\"}", num, name);
		event(db, ins_event, "debtor", debtor_id[d], debtor_id[d], 0, payload);
		progress("baseline debtors", d + 1, g->ndebtors);
	}
	t->debtors = bench_now() - t0;

	t0 = bench_now();
	for (long i = 0; i < g->ninvoices; i++) {
		gen_invoice v;
		int64_t id;
		invoice_data(g, i, &v);
		invoice_number(i, num, sizeof num);
		date_format_iso(v.issue, issue, sizeof issue);
		date_format_iso(v.due, due, sizeof due);
		sqlite3_bind_int64(ins_invoice, 1, admin_id);
		sqlite3_bind_int64(ins_invoice, 2, debtor_id[v.debtor]);
		sqlite3_bind_text(ins_invoice, 3, num, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_invoice, 4, issue, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_invoice, 5, due, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins_invoice, 6, v.amount);
		sqlite3_bind_int64(ins_invoice, 7, v.vat);
		sqlite3_bind_int64(ins_invoice, 8, v.amount);
		id = step_insert(db, ins_invoice);
		cents(v.amount, amount, sizeof amount);
		cents(v.vat, vat, sizeof vat);
		debtor_number(v.debtor, name, sizeof name);
		snprintf(payload, sizeof payload, "{\"number\":\"%s\",\"currency\":\"EUR\","
		         "\"open\":\"%s\",\"debtor\":\"%s\",\"issue_date\":\"%s\",\"due_date\":\"%s\","
		         "\"amount\":\"%s\",\"vat\":\"%s\"}", num, amount, name, issue, due, amount,
		         vat);
		event(db, ins_event, "invoice", id, debtor_id[v.debtor], id, payload);
		progress("baseline invoices", i + 1, g->ninvoices);
	}
	t->invoices = bench_now() - t0;

	t0 = bench_now();
	bench_exec(db, "COMMIT");
	t->commit = bench_now() - t0;

	/* The aging in one query: the same buckets as ledger_aging_bucket (days late <= 0 is
	 * current, then 1-30, 31-60, 61-90, 91-120, over 120). */
	t0 = bench_now();
	q = bench_prepare(db, "SELECT currency, COUNT(*), SUM(open_minor),"
	             " SUM(CASE WHEN late <= 0 THEN open_minor ELSE 0 END),"
	             " SUM(CASE WHEN late > 0 AND late <= 30 THEN open_minor ELSE 0 END),"
	             " SUM(CASE WHEN late > 30 AND late <= 60 THEN open_minor ELSE 0 END),"
	             " SUM(CASE WHEN late > 60 AND late <= 90 THEN open_minor ELSE 0 END),"
	             " SUM(CASE WHEN late > 90 AND late <= 120 THEN open_minor ELSE 0 END),"
	             " SUM(CASE WHEN late > 120 THEN open_minor ELSE 0 END)"
	             " FROM (SELECT currency, open_minor,"
	             "   julianday(?2) - julianday(due_date) AS late"
	             "   FROM invoice WHERE admin_id = ?1 AND open_minor > 0)"
	             " GROUP BY currency ORDER BY currency");
	date_format_iso(g->asof, issue, sizeof issue);
	sqlite3_bind_int64(q, 1, admin_id);
	sqlite3_bind_text(q, 2, issue, -1, SQLITE_STATIC);
	memset(aging, 0, sizeof *aging);
	aging->asof = g->asof;
	while (sqlite3_step(q) == SQLITE_ROW && aging->n < SVC_AGING_MAX_CURRENCIES) {
		svc_aging_row *r = &aging->row[aging->n++];
		snprintf(r->currency, sizeof r->currency, "%s", sqlite3_column_text(q, 0));
		r->invoices = sqlite3_column_int64(q, 1);
		r->total = sqlite3_column_int64(q, 2);
		for (int b = 0; b < AGING_BUCKETS; b++)
			r->bucket[b] = sqlite3_column_int64(q, 3 + b);
	}
	t->aging = bench_now() - t0;

	sqlite3_finalize(q);
	sqlite3_finalize(ins_debtor);
	sqlite3_finalize(ins_invoice);
	sqlite3_finalize(ins_event);
	free(debtor_id);
	sqlite3_close(db);
}

/* ------------------------------------------------------------------ checks and the table */

static int64_t count_rows(const char *path, const char *table)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char q[64];
	int64_t n = -1;
	snprintf(q, sizeof q, "SELECT COUNT(*) FROM %s", table);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

static const svc_aging_row *find_row(const svc_aging *a, const char *currency)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->row[i].currency, currency) == 0)
			return &a->row[i];
	return NULL;
}

static void print_aging(FILE *f, const char *who, const svc_aging *a)
{
	for (size_t i = 0; i < a->n; i++) {
		const svc_aging_row *r = &a->row[i];
		fprintf(f, "  %-8s %s %lld invoices, total %lld:", who, r->currency,
		        (long long)r->invoices, (long long)r->total);
		for (int b = 0; b < AGING_BUCKETS; b++)
			fprintf(f, " %s=%lld", ledger_aging_label(b), (long long)r->bucket[b]);
		fprintf(f, "\n");
	}
}

/* 0 when both agings hold the same currencies with the same counts, buckets and totals. */
static int same_aging(const svc_aging *a, const svc_aging *b)
{
	if (a->n != b->n || a->n == 0)
		return -1;
	for (size_t i = 0; i < a->n; i++) {
		const svc_aging_row *x = &a->row[i], *y = find_row(b, x->currency);
		if (!y || x->invoices != y->invoices || x->total != y->total ||
		    memcmp(x->bucket, y->bucket, sizeof x->bucket) != 0)
			return -1;
	}
	return 0;
}

static void remove_db(const char *path)
{
	char p[4200];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

int main(void)
{
	gen g = { .ndebtors = bench_env_count("OWED_BENCH_DEBTORS", DEFAULT_DEBTORS),
	          .ninvoices = bench_env_count("OWED_BENCH_INVOICES", DEFAULT_INVOICES) };
	const char *tmp = getenv("TMPDIR");
	const char *keep = getenv("OWED_BENCH_KEEP");
	char dir[4096], owed_db[4120], base_db[4120];
	timings o, b;
	svc_aging oa, ba;
	double rss_owed, t_all = bench_now();
	int64_t owed_events, base_events, expect_events;
	int status = 0;

	store_configure();     /* before the bare SQLite baseline too: both are measured alike */

	date_from_ymd(2025, 1, 1, &g.base);
	date_from_ymd(2026, 1, 15, &g.asof);
	snprintf(dir, sizeof dir, "%s/owed-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		bench_die(dir, "cannot create the directory");
	snprintf(owed_db, sizeof owed_db, "%s/owed.db", dir);
	snprintf(base_db, sizeof base_db, "%s/baseline.db", dir);

	printf("bench_ledger: %ld debtors, %ld invoices (SQLite %s), in %s\n", g.ndebtors,
	       g.ninvoices, sqlite3_libversion(), dir);
	fflush(stdout);

	run_owed(owed_db, &g, &o, &oa);
	rss_owed = bench_peak_rss_mib();
	run_baseline(base_db, &g, &b, &ba);

	/* One event per debtor and invoice, plus the administration's. */
	expect_events = 1 + g.ndebtors + g.ninvoices;
	owed_events = count_rows(owed_db, "event");
	base_events = count_rows(base_db, "event") + 1;   /* the baseline logs no admin event */

	bench_header("ledger: bulk writes through the services vs bare SQLite");
	bench_report_rows("add debtors", g.ndebtors, o.debtors, b.debtors);
	bench_report_rows("add invoices", g.ninvoices, o.invoices, b.invoices);
	bench_report_rows("commit", 0, o.commit, b.commit);
	bench_report_rows("all writes", g.ndebtors + g.ninvoices,
	                  o.debtors + o.invoices + o.commit, b.debtors + b.invoices + b.commit);
	bench_report_rows("aging summary", g.ninvoices, o.aging, b.aging);
	printf("peak RSS: %.1f MiB after owed, %.1f MiB at the end\n", rss_owed,
	       bench_peak_rss_mib());
	printf("wall time of the whole bench: %.1f s\n", bench_now() - t_all);

	if (owed_events != expect_events || base_events != expect_events) {
		fprintf(stderr, "bench_ledger: EVENT COUNT MISMATCH: owed %lld, baseline %lld, "
		        "expected %lld\n", (long long)owed_events, (long long)base_events,
		        (long long)expect_events);
		status = 1;
	}
	if (same_aging(&oa, &ba) != 0) {
		fprintf(stderr, "\nbench_ledger: AGING MISMATCH between owed and the baseline\n");
		print_aging(stderr, "owed", &oa);
		print_aging(stderr, "baseline", &ba);
		status = 1;
	} else {
		printf("agings agree (as on 2026-01-15, minor units):\n");
		print_aging(stdout, "both", &oa);
	}

	if (keep && *keep)
		printf("kept %s\n", dir);
	else {
		remove_db(owed_db);
		remove_db(base_db);
		rmdir(dir);
	}
	return status;
}
