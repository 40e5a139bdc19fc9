/*
 * test_property.c -- the ledger's invariants, checked through the services on a real database.
 *
 * For each seed a fresh SQLite ledger gets a random sequence of user actions: debtors,
 * invoices (EUR mostly, some USD, from 0.01 to 10^13), credit notes, write-offs, charges and
 * payments with up to three allocations, some deliberately wrong (too large, another currency,
 * amount omitted, zero, unknown invoice).  Beside it the test keeps its own model in plain
 * arrays, which predicts whether each action must succeed or be refused and with which code,
 * and which changes only when the service said yes.  After every step the touched invoices and
 * payment are compared with the model (the kept totals, and the sums recomputed from the
 * movement rows), and the row counts of every table with the model's, so a refused action that
 * left anything behind is caught.  Every few steps, and at the end, everything is compared:
 * each invoice and payment, the debtors' totals, the invoice lists and the aging report.
 *
 * A failure names the seed and step; OWED_PROP_SEED=n (and OWED_PROP_STEPS=n) replays one seed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/money.h"
#include "services/services.h"

#define SEEDS        20
#define STEPS        300
#define FULL_EVERY   25

#define MAX_DEBTORS  64
#define MAX_INVOICES 512
#define MAX_PAYMENTS 512
#define MAX_ALLOC    3

static const char *const currencies[] = { "EUR", "USD" };
enum { EUR, USD };

/* ------------------------------------------------------------------ failure reporting */

static uint64_t g_seed;
static int g_step;
static char g_op[160];
static char g_why[600];

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		snprintf(g_why, sizeof g_why, __VA_ARGS__); \
		fail_msg("seed %" PRIu64 ", step %d, %s: %s  (replay: OWED_PROP_SEED=%" PRIu64 ")", \
		         g_seed, g_step, g_op, g_why, g_seed); \
	} \
} while (0)

/* ------------------------------------------------------------------ xorshift64* */

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed * UINT64_C(0x9E3779B97F4A7C15) + UINT64_C(0x2545F4914F6CDD1D);
	if (!rng_state)
		rng_state = 1;
}

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(0x2545F4914F6CDD1D);
}

/* 0 .. n-1 (n > 0). */
static int64_t rnd(int64_t n)
{
	return (int64_t)(rng() % (uint64_t)n);
}

static int chance(int percent)
{
	return rnd(100) < percent;
}

/* An amount as people invoice: often small, sometimes a cent, sometimes very large. */
static int64_t rand_amount(void)
{
	switch (rnd(20)) {
	case 0: case 1:
		return 1;
	case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
		return 1 + rnd(100000);
	case 10: case 11: case 12: case 13: case 14: case 15:
		return 1 + rnd(10000000);
	case 16: case 17: case 18:
		return INT64_C(1000000000) + rnd(INT64_C(10000000000000));
	default:
		return INT64_C(100000000000000) + rnd(INT64_C(1000000000000000));
	}
}

/* ------------------------------------------------------------------ the model */

typedef struct m_debtor {
	char number[16];
	int64_t id;
	int terms;              /* days; 0: the administration's 30 */
} m_debtor;

typedef struct m_invoice {
	char number[16];
	int debtor, cur;
	owed_date due;
	int64_t amount, charges, allocated, credited, written_off;
} m_invoice;

typedef struct m_payment {
	int64_t id, debtor_id, amount, unallocated;
	int cur;
} m_payment;

/* Rows the database must hold, table by table. */
enum { T_DEBTOR, T_INVOICE, T_PAYMENT, T_ALLOCATION, T_CREDIT, T_WRITEOFF, T_CHARGE, T_EVENT,
       T_COUNT };
static const char *const tables[T_COUNT] = {
	"debtor", "invoice", "payment", "allocation", "credit_note", "write_off", "charge", "event"
};

typedef struct model {
	m_debtor debtor[MAX_DEBTORS];
	m_invoice inv[MAX_INVOICES];
	m_payment pay[MAX_PAYMENTS];
	int ndebtors, ninv, npay, next_number;
	int64_t rows[T_COUNT];
} model;

static int64_t m_open(const m_invoice *m)
{
	return m->amount + m->charges - m->allocated - m->credited - m->written_off;
}

/* Settled by payments (and credits) is paid; anything written off closes it unpaid. */
static invoice_status m_status(const m_invoice *m)
{
	if (m_open(m) > 0)
		return INVOICE_OPEN;
	return m->allocated > 0 && m->written_off == 0 ? INVOICE_PAID : INVOICE_CLOSED;
}

/* ------------------------------------------------------------------ a run */

typedef struct run {
	owed_ctx ctx;
	sqlite3 *reader;        /* a second connection: counts rows behind the store's back */
	owed_date today;
	char dir[64], path[96];
	model m;
	int touched[MAX_ALLOC + 1], ntouched;
	int touched_payment;    /* -1: none */
} run;

static char *fmt_amount(int64_t minor, char *buf, size_t size)
{
	assert_true(money_format(minor, 2, NULL, "C", MONEY_FMT_PLAIN, buf, size) > 0);
	return buf;
}

static char *fmt_date(owed_date d, char *buf, size_t size)
{
	assert_true(date_format_iso(d, buf, size) > 0);
	return buf;
}

static void touch(run *r, int i)
{
	if (r->ntouched < MAX_ALLOC + 1)
		r->touched[r->ntouched++] = i;
}

/* Outcomes per action, printed at the end: both sides of every rule must be exercised. */
enum { A_DEBTOR, A_INVOICE, A_CREDIT, A_WRITEOFF, A_CHARGE, A_PAYMENT, A_COUNT };
static const char *const action_names[A_COUNT] = {
	"debtor", "invoice", "credit", "write-off", "charge", "payment"
};
static int g_action;
static long g_outcome[A_COUNT][4];     /* ok, EINPUT, EREFUSED, EEXIST */

/* The code the service returned against the one the model predicts. */
static void expect_rc(int rc, const owed_error *err, int want)
{
	g_outcome[g_action][rc == 0 ? 0 : rc == OWED_EINPUT ? 1 : rc == OWED_EREFUSED ? 2 : 3]++;
	CHECK(rc == want, "returned %d, the model expects %d (%s)", rc, want,
	      rc ? err->msg : "no error");
	if (rc) {
		CHECK(err->code == rc, "err.code %d, returned %d", err->code, rc);
		CHECK(err->msg[0] != '\0', "refused without a message");
	}
}

static int64_t sql_int(run *r, const char *q)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	CHECK(sqlite3_prepare_v2(r->reader, q, -1, &st, NULL) == SQLITE_OK, "%s: %s", q,
	      sqlite3_errmsg(r->reader));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Every table holds exactly the rows the model's accepted actions wrote. */
static void check_rows(run *r)
{
	char q[64];
	for (int t = 0; t < T_COUNT; t++) {
		snprintf(q, sizeof q, "SELECT COUNT(*) FROM %s", tables[t]);
		int64_t n = sql_int(r, q);
		CHECK(n == r->m.rows[t], "%s has %" PRId64 " rows, the model %" PRId64, tables[t], n,
		      r->m.rows[t]);
	}
}

static void check_invoice(run *r, int i)
{
	const m_invoice *m = &r->m.inv[i];
	owed_invoice inv, rec;
	owed_error err = { 0 };
	int rc = svc_invoice_get(&r->ctx, m->number, &inv, &err);

	CHECK(rc == 0, "invoice %s: %s", m->number, err.msg);
	CHECK(strcmp(inv.currency, currencies[m->cur]) == 0, "invoice %s: currency %s",
	      m->number, inv.currency);
	CHECK(inv.due_date == m->due, "invoice %s: due date %d, model %d", m->number,
	      (int)inv.due_date, (int)m->due);
	CHECK(inv.open == m_open(m), "invoice %s: open %" PRId64 ", model %" PRId64, m->number,
	      inv.open, m_open(m));
	CHECK(inv.open >= 0, "invoice %s: open %" PRId64 " below zero", m->number, inv.open);
	CHECK(inv.amount == m->amount && inv.charges == m->charges &&
	      inv.allocated == m->allocated && inv.credited == m->credited &&
	      inv.written_off == m->written_off,
	      "invoice %s: kept totals %" PRId64 "+%" PRId64 "-%" PRId64 "-%" PRId64 "-%" PRId64
	      ", model %" PRId64 "+%" PRId64 "-%" PRId64 "-%" PRId64 "-%" PRId64, m->number,
	      inv.amount, inv.charges, inv.allocated, inv.credited, inv.written_off, m->amount,
	      m->charges, m->allocated, m->credited, m->written_off);
	CHECK(inv.status == m_status(m), "invoice %s: status %s, model %s", m->number,
	      ledger_status_name(inv.status), ledger_status_name(m_status(m)));

	rc = store_invoice_recompute(r->ctx.st, inv.id, &rec);
	CHECK(rc == 0, "recompute %s: %d", m->number, rc);
	CHECK(rec.charges == m->charges && rec.allocated == m->allocated &&
	      rec.credited == m->credited && rec.written_off == m->written_off,
	      "invoice %s: movement rows sum to %" PRId64 "/%" PRId64 "/%" PRId64 "/%" PRId64
	      ", model %" PRId64 "/%" PRId64 "/%" PRId64 "/%" PRId64, m->number, rec.charges,
	      rec.allocated, rec.credited, rec.written_off, m->charges, m->allocated,
	      m->credited, m->written_off);
}

static void check_payment(run *r, int k)
{
	const m_payment *m = &r->m.pay[k];
	owed_payment p;
	int rc = store_payment_get(r->ctx.st, m->id, &p);
	CHECK(rc == 0, "payment %" PRId64 ": %d", m->id, rc);
	CHECK(p.unallocated >= 0, "payment %" PRId64 ": unallocated %" PRId64 " below zero",
	      m->id, p.unallocated);
	CHECK(p.unallocated == m->unallocated && p.amount == m->amount,
	      "payment %" PRId64 ": %" PRId64 " unallocated of %" PRId64 ", model %" PRId64
	      " of %" PRId64, m->id, p.unallocated, p.amount, m->unallocated, m->amount);
	CHECK(strcmp(p.currency, currencies[m->cur]) == 0, "payment %" PRId64 ": currency %s",
	      m->id, p.currency);
	CHECK(p.debtor_id == m->debtor_id, "payment %" PRId64 ": debtor %" PRId64 ", model %"
	      PRId64, m->id, p.debtor_id, m->debtor_id);
}

static void check_touched(run *r)
{
	for (int i = 0; i < r->ntouched; i++)
		check_invoice(r, r->touched[i]);
	if (r->touched_payment >= 0)
		check_payment(r, r->touched_payment);
	check_rows(r);
}

static int count_cb(const owed_invoice *inv, void *ud)
{
	(void)inv;
	++*(int *)ud;
	return 0;
}

static void check_debtors(run *r)
{
	for (int d = 0; d < r->m.ndebtors; d++) {
		int64_t open = 0, overdue = 0;
		int n = 0;
		owed_debtor od;
		owed_error err = { 0 };
		for (int i = 0; i < r->m.ninv; i++) {
			const m_invoice *m = &r->m.inv[i];
			/* The debtor's totals count the administration's currency only. */
			if (m->debtor != d || m->cur != EUR || m_open(m) <= 0)
				continue;
			open += m_open(m);
			overdue += m->due < r->today ? m_open(m) : 0;
			n++;
		}
		CHECK(svc_debtor_get(&r->ctx, r->m.debtor[d].number, &od, &err) == 0, "debtor %s: %s",
		      r->m.debtor[d].number, err.msg);
		CHECK(od.open_total == open && od.overdue_total == overdue && od.open_invoices == n,
		      "debtor %s: open %" PRId64 " overdue %" PRId64 " in %d, model %" PRId64 " %"
		      PRId64 " in %d", od.number, od.open_total, od.overdue_total, od.open_invoices,
		      open, overdue, n);
	}
}

static void check_lists(run *r)
{
	int open = 0, overdue = 0, all = 0, n;
	owed_error err = { 0 };
	svc_invoice_query q = { 0 };

	for (int i = 0; i < r->m.ninv; i++) {
		all++;
		if (m_open(&r->m.inv[i]) > 0) {
			open++;
			overdue += r->m.inv[i].due < r->today;
		}
	}
	n = 0;
	CHECK(svc_invoice_list(&r->ctx, &q, count_cb, &n, &err) == 0, "list: %s", err.msg);
	CHECK(n == all, "list: %d invoices, model %d", n, all);
	n = 0;
	q.open_only = 1;
	CHECK(svc_invoice_list(&r->ctx, &q, count_cb, &n, &err) == 0, "list: %s", err.msg);
	CHECK(n == open, "list --open: %d invoices, model %d", n, open);
	n = 0;
	q.open_only = 0;
	q.overdue_only = 1;
	CHECK(svc_invoice_list(&r->ctx, &q, count_cb, &n, &err) == 0, "list: %s", err.msg);
	CHECK(n == overdue, "list --overdue: %d invoices, model %d", n, overdue);
}

/* The aging bucket written out, not ledger_aging_bucket: the model must not share the code. */
static int m_bucket(owed_date due, owed_date asof)
{
	static const int upper[] = { 0, 30, 60, 90, 120 };
	int late = (int)(asof - due), b = 0;
	while (b < 5 && late > upper[b])
		b++;
	return b;
}

static void check_aging(run *r)
{
	svc_aging a;
	owed_error err = { 0 };
	int rc = svc_aging_report(&r->ctx, 0, &a, &err);

	CHECK(rc == 0, "aging: %s", err.msg);
	CHECK(a.asof == r->today, "aging as of %d, today %d", (int)a.asof, (int)r->today);
	for (int c = 0; c < 2; c++) {
		int64_t bucket[AGING_BUCKETS] = { 0 }, total = 0, n = 0;
		const svc_aging_row *row = NULL;
		for (int i = 0; i < r->m.ninv; i++) {
			const m_invoice *m = &r->m.inv[i];
			if (m->cur != c || m_open(m) <= 0)
				continue;
			bucket[m_bucket(m->due, r->today)] += m_open(m);
			total += m_open(m);
			n++;
		}
		for (size_t j = 0; j < a.n; j++)
			if (strcmp(a.row[j].currency, currencies[c]) == 0)
				row = &a.row[j];
		if (!row) {
			CHECK(n == 0, "aging: no %s row, model %" PRId64 " open in %" PRId64
			      " invoices", currencies[c], total, n);
			continue;
		}
		CHECK(row->total == total && row->invoices == n, "aging %s: %" PRId64 " in %" PRId64
		      " invoices, model %" PRId64 " in %" PRId64, currencies[c], row->total,
		      row->invoices, total, n);
		for (int b = 0; b < AGING_BUCKETS; b++)
			CHECK(row->bucket[b] == bucket[b], "aging %s, %s: %" PRId64 ", model %" PRId64,
			      currencies[c], ledger_aging_label(b), row->bucket[b], bucket[b]);
	}
	for (size_t j = 0; j < a.n; j++)
		CHECK(strcmp(a.row[j].currency, "EUR") == 0 || strcmp(a.row[j].currency, "USD") == 0,
		      "aging: a row for %s", a.row[j].currency);
}

/* Everything, and the database's own consistency (status column, payments vs allocations). */
static void check_all(run *r)
{
	for (int i = 0; i < r->m.ninv; i++)
		check_invoice(r, i);
	for (int k = 0; k < r->m.npay; k++)
		check_payment(r, k);
	check_rows(r);
	check_debtors(r);
	check_lists(r);
	check_aging(r);
	CHECK(sql_int(r, "SELECT COUNT(*) FROM invoice WHERE status != CASE WHEN open_minor > 0"
	                 " THEN 'open' WHEN allocated_minor > 0 AND written_off_minor = 0"
	                 " THEN 'paid' ELSE 'closed' END") == 0,
	      "an invoice's status column disagrees with its open amount");
	CHECK(sql_int(r, "SELECT COUNT(*) FROM payment p WHERE unallocated_minor != amount_minor"
	                 " - (SELECT COALESCE(SUM(amount_minor), 0) FROM allocation a"
	                 " WHERE a.payment_id = p.id)") == 0,
	      "a payment's unallocated amount disagrees with its allocation rows");
	CHECK(sql_int(r, "SELECT COUNT(*) FROM allocation a JOIN payment p ON p.id = a.payment_id"
	                 " JOIN invoice i ON i.id = a.invoice_id WHERE p.currency != i.currency") == 0,
	      "an allocation mixes currencies");
}

/* ------------------------------------------------------------------ actions */

static int pick_invoice(run *r)
{
	return (int)rnd(r->m.ninv);
}

/* Mostly an invoice in cur with something open, so that allocations often fit. */
static int pick_payable(run *r, int cur)
{
	int i = pick_invoice(r);
	if (chance(25))
		return i;
	for (int tries = 0; tries < 16; tries++, i = pick_invoice(r))
		if (r->m.inv[i].cur == cur && m_open(&r->m.inv[i]) > 0)
			break;
	return i;
}

static void act_debtor(run *r)
{
	static const char *const kinds[] = { "business", "consumer", "b2b", "b2c" };
	model *m = &r->m;
	svc_debtor_input in = { 0 };
	owed_debtor out;
	owed_error err = { 0 };
	char number[16];
	int want = 0, rc;

	if (m->ndebtors > 0 && chance(10)) {
		snprintf(number, sizeof number, "%s", m->debtor[rnd(m->ndebtors)].number);
		want = OWED_EEXIST;                     /* numbers are unique */
	} else
		snprintf(number, sizeof number, "D%03d", m->ndebtors);
	in.number = number;
	in.name = "Debiteur BV";
	in.kind = kinds[rnd(4)];
	if (chance(5)) {
		in.kind = "private";
		want = OWED_EINPUT;
	}
	if (chance(20))
		in.terms_days = "14";
	g_action = A_DEBTOR;
	snprintf(g_op, sizeof g_op, "debtor add %s kind %s", number, in.kind);
	rc = svc_debtor_add(&r->ctx, &in, &out, &err);
	expect_rc(rc, &err, want);
	if (rc == 0) {
		snprintf(m->debtor[m->ndebtors].number, sizeof m->debtor[0].number, "%s", number);
		m->debtor[m->ndebtors].terms = in.terms_days ? 14 : 0;
		m->debtor[m->ndebtors++].id = out.id;
		m->rows[T_DEBTOR]++;
		m->rows[T_EVENT]++;
	}
	check_rows(r);
}

static void act_invoice(run *r)
{
	model *m = &r->m;
	svc_invoice_input in = { 0 };
	owed_invoice out;
	owed_error err = { 0 };
	char number[16], amount[32], vat[32], issue_s[16], due_s[16];
	int64_t a = rand_amount();
	int debtor = (int)rnd(m->ndebtors), cur = chance(85) ? EUR : USD;
	int bad = 0, dup = -1, rc;
	owed_date issue = r->today - (owed_date)rnd(240), due;

	if (m->ninv > 0 && chance(5)) {
		dup = pick_invoice(r);
		snprintf(number, sizeof number, "%s", m->inv[dup].number);
	} else
		snprintf(number, sizeof number, "I%05d", m->next_number++);
	in.number = number;
	in.debtor = m->debtor[debtor].number;
	if (chance(3)) {
		in.debtor = "NOBODY";
		bad = 1;
	}
	if (cur == USD)
		in.currency = "USD";
	else if (chance(10))
		in.currency = "EUR";
	if (chance(2)) {
		in.currency = "usd";
		bad = 1;
	}
	in.amount = fmt_amount(a, amount, sizeof amount);
	switch (rnd(50)) {
	case 0: in.amount = "0.00"; bad = 1; break;
	case 1: in.amount = "-12.00"; bad = 1; break;
	case 2: in.amount = "12.345"; bad = 1; break;   /* more decimals than the currency */
	case 3: in.amount = "twelve"; bad = 1; break;
	default: break;
	}
	if (chance(20))
		in.vat = fmt_amount(a * 21 / 121, vat, sizeof vat);
	else if (chance(3) && in.amount == amount) {
		in.vat = fmt_amount(a + 1, vat, sizeof vat);   /* VAT is part of the amount */
		bad = 1;
	}
	in.issue_date = fmt_date(issue, issue_s, sizeof issue_s);
	if (chance(30))                         /* the debtor's or administration's terms */
		due = issue + (m->debtor[debtor].terms ? m->debtor[debtor].terms : 30);
	else {
		due = issue + (owed_date)rnd(120);
		in.due_date = fmt_date(due, due_s, sizeof due_s);
		if (chance(2)) {
			in.due_date = fmt_date(issue - 1, due_s, sizeof due_s);
			bad = 1;
		}
	}
	g_action = A_INVOICE;
	snprintf(g_op, sizeof g_op, "invoice add %s debtor %s %s %s due %s", number, in.debtor,
	         in.currency ? in.currency : "(EUR)", in.amount, in.due_date ? in.due_date : "-");

	rc = svc_invoice_add(&r->ctx, &in, &out, &err);
	/* Every malformed field is refused before the duplicate number is noticed. */
	expect_rc(rc, &err, bad ? OWED_EINPUT : dup >= 0 ? OWED_EEXIST : 0);
	if (rc == 0) {
		m_invoice *mi = &m->inv[m->ninv];
		memset(mi, 0, sizeof *mi);
		snprintf(mi->number, sizeof mi->number, "%s", number);
		mi->debtor = debtor;
		mi->cur = cur;
		mi->due = due;
		mi->amount = a;
		touch(r, m->ninv++);
		m->rows[T_INVOICE]++;
		m->rows[T_EVENT]++;
		CHECK(out.open == a, "invoice add returned open %" PRId64, out.open);
	} else if (dup >= 0)
		touch(r, dup);
	check_touched(r);
}

/* An amount to move on an invoice with open amount `open`, or NULL for "all that is open". */
static const char *movement_amount(int64_t open, int allow_null, char *buf, size_t size)
{
	switch (rnd(12)) {
	case 0: case 1:
		return fmt_amount(open, buf, size);             /* exactly what is open */
	case 2:
		return fmt_amount(open + 1, buf, size);         /* one cent too much */
	case 3: case 4: case 5:
		return fmt_amount(open > 1 ? 1 + rnd(open) : 1, buf, size);
	case 6:
		return fmt_amount(rand_amount(), buf, size);
	case 7:
		return "0.01";
	case 8:
		return chance(50) ? "0.00" : "-1.00";
	default:
		return allow_null ? NULL : fmt_amount(open > 2 ? open / 2 : 1, buf, size);
	}
}

/* What the core must say to a lowering movement of `amount` (I2, I6). */
static int lowering_verdict(int64_t amount, int64_t open)
{
	if (amount <= 0)
		return OWED_EINPUT;
	return amount > open ? OWED_EREFUSED : 0;
}

static int64_t parse_cents(const char *text)
{
	int64_t v = 0;
	assert_int_equal(money_parse(text, "C", 2, &v), 0);
	return v;
}

typedef enum { CREDIT, WRITEOFF, CHARGE } move_kind;

static void act_movement(run *r, move_kind kind)
{
	static const char *const names[] = { "credit", "write-off", "charge" };
	model *m = &r->m;
	int i = pick_invoice(r), want, rc, missing = chance(3);
	m_invoice *mi = &m->inv[i];
	int64_t open = m_open(mi), a, total;
	owed_invoice out;
	owed_error err = { 0 };
	char buf[32], cn[16], date_s[16];
	const char *number = missing ? "NOPE" : mi->number, *text, *date = NULL;

	if (chance(30))
		date = fmt_date(r->today - (owed_date)rnd(30), date_s, sizeof date_s);
	if (kind == CHARGE) {
		text = chance(8) ? "0.00" : fmt_amount(rand_amount(), buf, sizeof buf);
		a = parse_cents(text);
		if (a <= 0)
			want = OWED_EINPUT;
		else      /* the invoice's total must stay an int64 (ledger_check_charge) */
			want = __builtin_add_overflow(mi->amount, mi->charges, &total) ||
			       __builtin_add_overflow(total, a, &total) ? OWED_EREFUSED : 0;
	} else {
		text = movement_amount(open, kind == WRITEOFF, buf, sizeof buf);
		a = text ? parse_cents(text) : open;
		/* "All that is open" of nothing is a refusal, not a malformed amount. */
		want = !text && open <= 0 ? OWED_EREFUSED : lowering_verdict(a, open);
	}
	if (missing)
		want = OWED_EINPUT;
	g_action = A_CREDIT + (int)kind;
	snprintf(g_op, sizeof g_op, "%s %s amount %s (open %" PRId64 ")", names[kind], number,
	         text ? text : "(all)", open);

	switch (kind) {
	case CREDIT:
		snprintf(cn, sizeof cn, "CN%d", g_step);
		rc = svc_invoice_credit(&r->ctx, number, text, date, cn, "returned goods", &out, &err);
		break;
	case WRITEOFF:
		rc = svc_invoice_writeoff(&r->ctx, number, text, date, chance(50) ? "bankrupt" : NULL,
		                          &out, &err);
		break;
	default:
		rc = svc_invoice_charge(&r->ctx, number, chance(50) ? "interest" : NULL, text, date,
		                        "statutory interest", &out, &err);
		break;
	}
	expect_rc(rc, &err, want);
	if (rc == 0) {
		switch (kind) {
		case CREDIT:   mi->credited += a;    m->rows[T_CREDIT]++;   break;
		case WRITEOFF: mi->written_off += a; m->rows[T_WRITEOFF]++; break;
		default:       mi->charges += a;     m->rows[T_CHARGE]++;   break;
		}
		m->rows[T_EVENT]++;
		CHECK(out.open == m_open(mi), "returned open %" PRId64 ", model %" PRId64, out.open,
		      m_open(mi));
	}
	touch(r, i);
	check_touched(r);
}

static void act_payment(run *r)
{
	model *m = &r->m;
	svc_payment_input in = { 0 };
	svc_allocation_input al[MAX_ALLOC];
	char amount[32], abuf[MAX_ALLOC][32], date_s[16], op[64];
	int idx[MAX_ALLOC], nalloc = (int)rnd(MAX_ALLOC + 1), cur = chance(85) ? EUR : USD;
	int64_t amt[MAX_ALLOC] = { 0 }, a, unalloc, want_debtor = 0;
	int want = 0, missing_debtor = 0, rc;
	owed_payment out;
	owed_error err = { 0 };

	/* The invoices first, so the payment can be just what they need. */
	for (int j = 0; j < nalloc; j++)
		idx[j] = pick_payable(r, cur);
	a = rand_amount();
	if (nalloc > 0 && chance(40)) {
		int64_t sum = 0;
		for (int j = 0; j < nalloc; j++)
			sum += m_open(&m->inv[idx[j]]);
		a = sum > 0 ? sum + (chance(30) ? rnd(1000) : 0) : a;
	} else if (chance(10))
		a = 1;
	in.amount = fmt_amount(a, amount, sizeof amount);
	if (chance(3)) {
		in.amount = "0.00";
		want = OWED_EINPUT;
	}
	if (cur == USD)
		in.currency = "USD";
	in.date = chance(50) ? fmt_date(r->today - (owed_date)rnd(60), date_s, sizeof date_s) : NULL;
	if (m->ndebtors > 0 && chance(50)) {
		int d = (int)rnd(m->ndebtors);
		in.debtor = m->debtor[d].number;
		want_debtor = m->debtor[d].id;
	} else if (chance(3)) {
		in.debtor = "NOBODY";
		missing_debtor = 1;
	}
	if (missing_debtor && want == 0)
		want = OWED_EINPUT;

	for (int j = 0; j < nalloc; j++) {
		int64_t open = m_open(&m->inv[idx[j]]);
		al[j].invoice = m->inv[idx[j]].number;
		switch (rnd(16)) {
		case 0: case 1: case 2: case 3: case 4:
			al[j].amount = NULL;                          /* as much as fits */
			break;
		case 5: case 6: case 7:
			al[j].amount = fmt_amount(open > 0 ? open : 1, abuf[j], sizeof abuf[j]);
			break;
		case 8:
			al[j].amount = fmt_amount(open + 1, abuf[j], sizeof abuf[j]);
			break;
		case 9:
			al[j].amount = fmt_amount(a + 1, abuf[j], sizeof abuf[j]);
			break;
		case 10: case 11: case 12:
			al[j].amount = fmt_amount(open > 1 ? 1 + rnd(open) : 1, abuf[j], sizeof abuf[j]);
			break;
		case 13:
			al[j].amount = "0.01";
			break;
		case 14:
			al[j].amount = "0.00";
			break;
		default:
			al[j].invoice = "NOPE";
			al[j].amount = NULL;
			break;
		}
	}
	in.alloc = al;
	in.nalloc = (size_t)nalloc;

	/*
	 * The model's verdict: the payment's fields first, then each allocation in order against
	 * the invoice as the earlier allocations of this same payment left it.
	 */
	unalloc = a;
	for (int j = 0; want == 0 && j < nalloc; j++) {
		const m_invoice *mi = &m->inv[idx[j]];
		int64_t open = m_open(mi);
		for (int k = 0; k < j; k++)
			if (idx[k] == idx[j])
				open -= amt[k];
		if (strcmp(al[j].invoice, "NOPE") == 0) {
			want = OWED_EINPUT;
			break;
		}
		amt[j] = al[j].amount ? parse_cents(al[j].amount) : open < unalloc ? open : unalloc;
		if (!al[j].amount && amt[j] <= 0)
			want = OWED_EREFUSED;             /* as much as fits, and nothing fits */
		else if (amt[j] <= 0)
			want = OWED_EINPUT;
		else if (mi->cur != cur)
			want = OWED_EREFUSED;                          /* I4 */
		else if (amt[j] > open)
			want = OWED_EREFUSED;                          /* I2 */
		else if (amt[j] > unalloc)
			want = OWED_EREFUSED;                          /* I3 */
		else
			unalloc -= amt[j];
		if (!want_debtor && !missing_debtor && want == 0)
			want_debtor = m->debtor[mi->debtor].id;        /* named by the first allocation */
	}

	g_action = A_PAYMENT;
	snprintf(g_op, sizeof g_op, "payment %s %s debtor %s,", in.currency ? "USD" : "EUR",
	         in.amount, in.debtor ? in.debtor : "-");
	for (int j = 0; j < nalloc; j++) {
		snprintf(op, sizeof op, " %s:%s", al[j].invoice, al[j].amount ? al[j].amount : "*");
		strncat(g_op, op, sizeof g_op - strlen(g_op) - 1);
	}

	rc = svc_payment_add(&r->ctx, &in, &out, &err);
	expect_rc(rc, &err, want);
	if (rc == 0) {
		m_payment *mp = &m->pay[m->npay];
		for (int j = 0; j < nalloc; j++)
			m->inv[idx[j]].allocated += amt[j];
		mp->id = out.id;
		mp->debtor_id = want_debtor;
		mp->amount = a;
		mp->unallocated = unalloc;
		mp->cur = cur;
		r->touched_payment = m->npay++;
		m->rows[T_PAYMENT]++;
		m->rows[T_ALLOCATION] += nalloc;
		m->rows[T_EVENT] += 1 + nalloc;                   /* the payment's, one per invoice */
		CHECK(out.unallocated == unalloc, "returned unallocated %" PRId64 ", model %" PRId64,
		      out.unallocated, unalloc);
	}
	for (int j = 0; j < nalloc; j++)
		touch(r, idx[j]);
	check_touched(r);
}

static void step(run *r)
{
	int64_t x = rnd(100);
	r->ntouched = 0;
	r->touched_payment = -1;
	if (r->m.ndebtors == 0 || (x < 6 && r->m.ndebtors < MAX_DEBTORS))
		act_debtor(r);
	else if (r->m.ninv == 0 || (x < 30 && r->m.ninv < MAX_INVOICES))
		act_invoice(r);
	else if (x < 40)
		act_movement(r, CREDIT);
	else if (x < 50)
		act_movement(r, WRITEOFF);
	else if (x < 60)
		act_movement(r, CHARGE);
	else if (r->m.npay < MAX_PAYMENTS)
		act_payment(r);
}

/* ------------------------------------------------------------------ set-up */

static run *g_run;      /* the open run, for the teardown after a failed check */

static void run_open(run *r)
{
	svc_admin_input admin = { .name = "Groothandel Test BV" };
	owed_error err = { 0 };

	memset(r, 0, sizeof *r);
	snprintf(r->dir, sizeof r->dir, "/tmp/owed-prop-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->path, sizeof r->path, "%s/ledger.db", r->dir);
	if (svc_init(r->path, &admin, &err) != 0)
		fail_msg("svc_init: %s", err.msg);
	if (svc_open(r->path, NULL, &r->ctx, &err) != 0)
		fail_msg("svc_open: %s", err.msg);
	snprintf(r->ctx.locale, sizeof r->ctx.locale, "C");
	assert_int_equal(sqlite3_open_v2(r->path, &r->reader, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	assert_int_equal(date_today(&r->today), 0);
	r->m.rows[T_EVENT] = 1;                 /* the administration's creation */
	g_run = r;
}

static void run_close(run *r)
{
	char p[128];
	static const char *const suffix[] = { "", "-wal", "-shm" };
	g_run = NULL;
	sqlite3_close(r->reader);
	svc_close(&r->ctx);
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", r->path, suffix[i]);
		unlink(p);
	}
	rmdir(r->dir);
}

static int setup(void **state)
{
	(void)state;
	setenv("OWED_TODAY", "2026-06-30", 1);
	setenv("OWED_ACTOR", "property-test", 1);
	return 0;
}

/* A failed check jumps out of the test: the database still goes. */
static int teardown(void **state)
{
	(void)state;
	if (g_run)
		run_close(g_run);
	return 0;
}

static int env_int(const char *name, int fallback)
{
	const char *v = getenv(name);
	return v && *v ? atoi(v) : fallback;
}

static void test_random_ledgers(void **state)
{
	static run r;                           /* the model is large: not on the stack */
	const char *only = getenv("OWED_PROP_SEED");
	int steps = env_int("OWED_PROP_STEPS", STEPS), ops = 0;
	uint64_t first = 1, last = SEEDS;
	(void)state;

	if (only && *only)
		first = last = strtoull(only, NULL, 10);
	for (g_seed = first; g_seed <= last; g_seed++) {
		rng_seed(g_seed);
		run_open(&r);
		for (g_step = 1; g_step <= steps; g_step++) {
			step(&r);
			ops++;
			if (g_step % FULL_EVERY == 0) {
				snprintf(g_op, sizeof g_op, "full check");
				check_all(&r);
			}
		}
		snprintf(g_op, sizeof g_op, "final check");
		check_all(&r);
		run_close(&r);
	}
	print_message("%d actions over %d seed(s); ok / EINPUT / EREFUSED / EEXIST:\n", ops,
	              (int)(last - first + 1));
	for (int k = 0; k < A_COUNT; k++)
		print_message("  %-9s %5ld %5ld %5ld %5ld\n", action_names[k], g_outcome[k][0],
		              g_outcome[k][1], g_outcome[k][2], g_outcome[k][3]);
}

/*
 * A settled invoice near the top of int64: a charge that keeps amount + charges an int64 is
 * booked, one cent more is refused with nothing written (it used to pass the check and then
 * fail as a database error, with I1 overflowing).
 */
static void test_charge_at_int64_limit(void **state)
{
	static run r;
	svc_debtor_input d = { .number = "D1", .name = "Big Spender" };
	svc_invoice_input in = { .number = "BIG", .debtor = "D1", .amount = "92233720368547758.00",
	                         .issue_date = "2026-06-01", .due_date = "2026-06-30" };
	svc_allocation_input al = { .invoice = "BIG", .amount = NULL };
	svc_payment_input pay = { .amount = "92233720368547758.00", .alloc = &al, .nalloc = 1 };
	owed_invoice inv;
	owed_error err = { 0 };
	(void)state;

	g_seed = 0;
	snprintf(g_op, sizeof g_op, "charge at the int64 limit");
	run_open(&r);
	assert_int_equal(svc_debtor_add(&r.ctx, &d, NULL, &err), 0);
	assert_int_equal(svc_invoice_add(&r.ctx, &in, NULL, &err), 0);
	assert_int_equal(svc_payment_add(&r.ctx, &pay, NULL, &err), 0);
	assert_int_equal(svc_invoice_charge(&r.ctx, "BIG", NULL, "0.07", NULL, NULL, &inv, &err), 0);
	assert_true(inv.charges == 7 && inv.open == 7);
	assert_int_equal(svc_invoice_charge(&r.ctx, "BIG", NULL, "0.01", NULL, NULL, &inv, &err),
	                 OWED_EREFUSED);
	assert_int_equal(svc_invoice_charge(&r.ctx, "BIG", NULL, "92233720368547758.07", NULL, NULL,
	                                    &inv, &err), OWED_EREFUSED);
	assert_int_equal(svc_invoice_get(&r.ctx, "BIG", &inv, &err), 0);
	assert_true(inv.charges == 7 && inv.open == 7 && inv.allocated == INT64_C(9223372036854775800));
	assert_int_equal(sql_int(&r, "SELECT COUNT(*) FROM charge"), 1);
	/* What is open can still be paid, written off, credited, to the cent. */
	assert_int_equal(svc_invoice_writeoff(&r.ctx, "BIG", NULL, NULL, NULL, &inv, &err), 0);
	assert_true(inv.open == 0 && inv.status == INVOICE_CLOSED);
	run_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_random_ledgers, teardown),
		cmocka_unit_test_teardown(test_charge_at_int64_limit, teardown),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
