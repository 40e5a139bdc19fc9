/*
 * test_ledger.c -- the pure rules of core/ledger: the open amount (I1), the checks that guard
 * allocations, credits, write-offs and charges (I2-I4, I6) at their exact boundaries, the
 * status, the aging buckets and the debtor kinds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/err.h"
#include "core/ledger.h"

/* An EUR invoice of amount with the given movements, its open amount kept as the store does. */
static owed_invoice invoice(int64_t amount, int64_t charges, int64_t allocated,
                            int64_t credited, int64_t written_off)
{
	owed_invoice inv;
	memset(&inv, 0, sizeof inv);
	strcpy(inv.currency, "EUR");
	inv.amount = amount;
	inv.charges = charges;
	inv.allocated = allocated;
	inv.credited = credited;
	inv.written_off = written_off;
	if (ledger_open(&inv, &inv.open) != 0)
		inv.open = -1;
	return inv;
}

static owed_payment payment(const char *currency, int64_t amount, int64_t unallocated)
{
	owed_payment p;
	memset(&p, 0, sizeof p);
	strcpy(p.currency, currency);
	p.amount = amount;
	p.unallocated = unallocated;
	return p;
}

/* ---- ledger_open (I1) ---- */

static void test_open(void **state)
{
	owed_invoice inv = invoice(12100, 0, 0, 0, 0);
	int64_t open = -777;
	(void)state;

	assert_int_equal(ledger_open(&inv, &open), 0);
	assert_int_equal(open, 12100);

	inv = invoice(12100, 4000, 5000, 1000, 100);
	assert_int_equal(ledger_open(&inv, &open), 0);
	assert_int_equal(open, 12100 + 4000 - 5000 - 1000 - 100);

	inv = invoice(100, 0, 60, 40, 0);            /* exactly settled */
	assert_int_equal(ledger_open(&inv, &open), 0);
	assert_int_equal(open, 0);

	inv = invoice(INT64_MAX, 0, 0, 0, 0);        /* the largest that is held */
	assert_int_equal(ledger_open(&inv, &open), 0);
	assert_true(open == INT64_MAX);
	inv = invoice(INT64_MAX - 5, 5, 0, 0, 0);
	assert_int_equal(ledger_open(&inv, &open), 0);
	assert_true(open == INT64_MAX);
}

static void test_open_overflow(void **state)
{
	owed_invoice inv;
	int64_t open = -777;
	(void)state;

	inv = invoice(INT64_MAX, 1, 0, 0, 0);        /* amount + charges wraps */
	assert_int_equal(ledger_open(&inv, &open), OWED_EOVERFLOW);
	assert_int_equal(open, -777);                /* untouched on failure */

	inv = invoice(INT64_MAX - 4, 5, 0, 0, 0);
	assert_int_equal(ledger_open(&inv, &open), OWED_EOVERFLOW);

	memset(&inv, 0, sizeof inv);                 /* below INT64_MIN */
	inv.amount = 1;
	inv.allocated = INT64_MAX;
	inv.credited = INT64_MAX;
	assert_int_equal(ledger_open(&inv, &open), OWED_EOVERFLOW);
	inv.credited = 0;
	inv.written_off = INT64_MAX;
	assert_int_equal(ledger_open(&inv, &open), OWED_EOVERFLOW);
	assert_int_equal(open, -777);
}

/* ---- ledger_check_allocation (I2, I3, I4, I6) ---- */

static void test_allocation_boundaries(void **state)
{
	owed_invoice inv = invoice(10000, 500, 2000, 0, 0);    /* open 85.00 */
	owed_payment pay = payment("EUR", 100000, 100000);
	const char *why = NULL;
	(void)state;

	assert_int_equal(inv.open, 8500);
	assert_int_equal(ledger_check_allocation(&inv, &pay, 8500, &why), 0);  /* == open */
	assert_int_equal(ledger_check_allocation(&inv, &pay, 1, &why), 0);
	assert_int_equal(ledger_check_allocation(&inv, &pay, 8501, &why), OWED_EREFUSED);
	assert_non_null(why);
	assert_non_null(strstr(why, "open amount"));
	assert_int_equal(ledger_check_allocation(&inv, &pay, INT64_MAX, NULL), OWED_EREFUSED);

	/* I3: never more than is left of the payment, the boundary exact. */
	pay = payment("EUR", 100000, 3000);
	assert_int_equal(ledger_check_allocation(&inv, &pay, 3000, NULL), 0);
	why = NULL;
	assert_int_equal(ledger_check_allocation(&inv, &pay, 3001, &why), OWED_EREFUSED);
	assert_non_null(why);
	assert_non_null(strstr(why, "payment"));
	pay.unallocated = 0;
	assert_int_equal(ledger_check_allocation(&inv, &pay, 1, NULL), OWED_EREFUSED);

	/* Both limits at once: the smaller one decides. */
	pay = payment("EUR", 9000, 9000);
	assert_int_equal(ledger_check_allocation(&inv, &pay, 8500, NULL), 0);
	assert_int_equal(ledger_check_allocation(&inv, &pay, 8501, NULL), OWED_EREFUSED);
}

static void test_allocation_refusals(void **state)
{
	owed_invoice inv = invoice(10000, 0, 0, 0, 0);
	owed_payment pay = payment("USD", 100000, 100000);
	const char *why = NULL;
	(void)state;

	/* I4: currencies never mix, whatever the amount. */
	assert_int_equal(ledger_check_allocation(&inv, &pay, 1, &why), OWED_EREFUSED);
	assert_non_null(why);
	assert_non_null(strstr(why, "currenc"));
	assert_int_equal(ledger_check_allocation(&inv, &pay, 10000, NULL), OWED_EREFUSED);

	/* I6: zero and negative amounts are input errors, before any other rule. */
	pay = payment("EUR", 100000, 100000);
	why = NULL;
	assert_int_equal(ledger_check_allocation(&inv, &pay, 0, &why), OWED_EINPUT);
	assert_non_null(why);
	assert_int_equal(ledger_check_allocation(&inv, &pay, -1, NULL), OWED_EINPUT);
	assert_int_equal(ledger_check_allocation(&inv, &pay, INT64_MIN, NULL), OWED_EINPUT);

	/* A settled invoice takes nothing more (I2). */
	inv = invoice(10000, 0, 10000, 0, 0);
	assert_int_equal(ledger_check_allocation(&inv, &pay, 1, NULL), OWED_EREFUSED);

	/* An invoice whose figures overflow is refused, not wrapped. */
	inv = invoice(INT64_MAX, 1, 0, 0, 0);
	assert_int_equal(ledger_check_allocation(&inv, &pay, 1, NULL), OWED_EREFUSED);

	/* why may be NULL; the checks change nothing. */
	inv = invoice(10000, 0, 0, 0, 0);
	assert_int_equal(ledger_check_allocation(&inv, &pay, 10001, NULL), OWED_EREFUSED);
	assert_int_equal(inv.open, 10000);
	assert_int_equal(pay.unallocated, 100000);
}

/* ---- credits, write-offs, charges ---- */

static void test_credit(void **state)
{
	owed_invoice inv = invoice(5000, 250, 1000, 0, 0);     /* open 42.50 */
	const char *why = NULL;
	(void)state;

	assert_int_equal(ledger_check_credit(&inv, "EUR", 4250, &why), 0);
	assert_int_equal(ledger_check_credit(&inv, "EUR", 1, NULL), 0);
	assert_int_equal(ledger_check_credit(&inv, "EUR", 4251, &why), OWED_EREFUSED);
	assert_non_null(why);
	assert_int_equal(ledger_check_credit(&inv, "USD", 100, NULL), OWED_EREFUSED);
	assert_int_equal(ledger_check_credit(&inv, "EUR", 0, NULL), OWED_EINPUT);
	assert_int_equal(ledger_check_credit(&inv, "EUR", -4250, NULL), OWED_EINPUT);
	assert_int_equal(ledger_check_credit(&inv, "USD", 0, NULL), OWED_EINPUT);

	inv = invoice(5000, 0, 0, 5000, 0);                    /* fully credited */
	assert_int_equal(ledger_check_credit(&inv, "EUR", 1, NULL), OWED_EREFUSED);
}

static void test_writeoff(void **state)
{
	owed_invoice inv = invoice(5000, 0, 0, 1000, 500);     /* open 35.00 */
	const char *why = NULL;
	(void)state;

	assert_int_equal(ledger_check_writeoff(&inv, 3500, &why), 0);  /* all that is open */
	assert_int_equal(ledger_check_writeoff(&inv, 1, NULL), 0);     /* partial */
	assert_int_equal(ledger_check_writeoff(&inv, 3501, &why), OWED_EREFUSED);
	assert_non_null(why);
	assert_int_equal(ledger_check_writeoff(&inv, 0, NULL), OWED_EINPUT);
	assert_int_equal(ledger_check_writeoff(&inv, -1, NULL), OWED_EINPUT);

	inv = invoice(5000, 0, 0, 0, 5000);                    /* written off in full */
	assert_int_equal(ledger_check_writeoff(&inv, 1, NULL), OWED_EREFUSED);
	assert_int_equal(ledger_check_writeoff(&inv, 0, NULL), OWED_EINPUT);
}

static void test_charge(void **state)
{
	owed_invoice inv = invoice(5000, 0, 5000, 0, 0);       /* paid: a charge reopens it */
	const char *why = NULL;
	(void)state;

	assert_int_equal(ledger_check_charge(&inv, "EUR", 1, &why), 0);
	assert_int_equal(ledger_check_charge(&inv, "EUR", 4000, NULL), 0);
	assert_int_equal(ledger_check_charge(&inv, "USD", 4000, &why), OWED_EREFUSED);
	assert_non_null(why);
	assert_int_equal(ledger_check_charge(&inv, "EUR", 0, NULL), OWED_EINPUT);
	assert_int_equal(ledger_check_charge(&inv, "EUR", -1, NULL), OWED_EINPUT);

	/* Overflow: the invoice's total (amount + charges) must stay an int64, exactly. */
	inv = invoice(INT64_MAX - 100, 0, 0, 0, 0);
	assert_int_equal(ledger_check_charge(&inv, "EUR", 100, NULL), 0);
	why = NULL;
	assert_int_equal(ledger_check_charge(&inv, "EUR", 101, &why), OWED_EREFUSED);
	assert_non_null(why);
	assert_int_equal(ledger_check_charge(&inv, "EUR", INT64_MAX, NULL), OWED_EREFUSED);

	/*
	 * Settled, so the open amount is 0, but amount + charges is already near the top: one
	 * more charge would leave open = amount + charges - allocated unrepresentable in int64 (I1
	 * could no longer be computed), so it is refused although open + charge fits.
	 */
	inv = invoice(INT64_MAX - 100, 0, INT64_MAX - 100, 0, 0);
	assert_int_equal(inv.open, 0);
	assert_int_equal(ledger_check_charge(&inv, "EUR", 100, NULL), 0);
	assert_int_equal(ledger_check_charge(&inv, "EUR", 101, NULL), OWED_EREFUSED);
	inv = invoice(1, INT64_MAX - 1, INT64_MAX, 0, 0);
	assert_int_equal(inv.open, 0);
	assert_int_equal(ledger_check_charge(&inv, "EUR", 1, NULL), OWED_EREFUSED);
}

/* Whatever a check accepts, applying it keeps I1 computable and I2 true. */
static void test_checks_keep_invariants(void **state)
{
	static const int64_t big[] = { 0, 1, 100, INT64_MAX / 2, INT64_MAX - 1, INT64_MAX };
	const size_t n = sizeof big / sizeof big[0];
	(void)state;

	for (size_t a = 1; a < n; a++)
		for (size_t c = 0; c < n; c++)
			for (size_t p = 0; p < n; p++)
				for (size_t x = 1; x < n; x++) {
					owed_invoice inv = invoice(big[a], big[c], big[p], 0, 0);
					int64_t open;
					if (inv.open < 0)      /* not a state the ledger reaches */
						continue;
					if (ledger_check_charge(&inv, "EUR", big[x], NULL) == 0) {
						assert_false(__builtin_add_overflow(inv.charges, big[x],
						                                    &inv.charges));
						assert_int_equal(ledger_open(&inv, &open), 0);
						assert_true(open >= 0);
					}
					inv = invoice(big[a], big[c], big[p], 0, 0);
					if (ledger_check_writeoff(&inv, big[x], NULL) == 0) {
						assert_false(__builtin_add_overflow(inv.written_off, big[x],
						                                    &inv.written_off));
						assert_int_equal(ledger_open(&inv, &open), 0);
						assert_true(open >= 0);
					}
				}
}

/* ---- status, aging, kinds ---- */

static void test_status(void **state)
{
	owed_invoice inv;
	(void)state;

	inv = invoice(100, 0, 0, 0, 0);
	assert_int_equal(ledger_status(&inv), INVOICE_OPEN);
	inv = invoice(100, 0, 99, 0, 0);
	assert_int_equal(ledger_status(&inv), INVOICE_OPEN);
	inv = invoice(100, 0, 100, 0, 0);
	assert_int_equal(ledger_status(&inv), INVOICE_PAID);
	inv = invoice(100, 0, 1, 99, 0);                       /* partly paid, rest credited */
	assert_int_equal(ledger_status(&inv), INVOICE_PAID);
	inv = invoice(100, 0, 0, 100, 0);
	assert_int_equal(ledger_status(&inv), INVOICE_CLOSED);
	inv = invoice(100, 0, 0, 40, 60);
	assert_int_equal(ledger_status(&inv), INVOICE_CLOSED);
	inv = invoice(100, 0, 0, 0, 100);
	assert_int_equal(ledger_status(&inv), INVOICE_CLOSED);
	inv = invoice(100, 0, 99, 0, 1);                       /* a write-off closes it unpaid */
	assert_int_equal(ledger_status(&inv), INVOICE_CLOSED);
	inv = invoice(100, 5, 100, 0, 0);                      /* a charge reopens it */
	assert_int_equal(ledger_status(&inv), INVOICE_OPEN);

	assert_string_equal(ledger_status_name(INVOICE_OPEN), "open");
	assert_string_equal(ledger_status_name(INVOICE_PAID), "paid");
	assert_string_equal(ledger_status_name(INVOICE_CLOSED), "closed");
}

static void test_aging_buckets(void **state)
{
	static const struct { int late, bucket; } cases[] = {
		{ -365, AGING_CURRENT }, { -1, AGING_CURRENT }, { 0, AGING_CURRENT },
		{ 1, AGING_1_30 }, { 30, AGING_1_30 },
		{ 31, AGING_31_60 }, { 60, AGING_31_60 },
		{ 61, AGING_61_90 }, { 90, AGING_61_90 },
		{ 91, AGING_91_120 }, { 120, AGING_91_120 },
		{ 121, AGING_OVER_120 }, { 10000, AGING_OVER_120 },
	};
	owed_date asof, due;
	(void)state;

	assert_int_equal(date_from_ymd(2026, 6, 30, &asof), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		due = asof - cases[i].late;
		if (ledger_aging_bucket(due, asof) != cases[i].bucket)
			fail_msg("%d days late: bucket %d, expected %d", cases[i].late,
			         ledger_aging_bucket(due, asof), cases[i].bucket);
	}
	/* Across a month and a leap day: 2024-02-29 is 31 days after 2024-01-29. */
	assert_int_equal(date_from_ymd(2024, 1, 29, &due), 0);
	assert_int_equal(date_from_ymd(2024, 2, 28, &asof), 0);
	assert_int_equal(ledger_aging_bucket(due, asof), AGING_1_30);
	assert_int_equal(date_from_ymd(2024, 2, 29, &asof), 0);
	assert_int_equal(ledger_aging_bucket(due, asof), AGING_31_60);
	/* The ends of the calendar. */
	assert_int_equal(ledger_aging_bucket(DATE_MIN, DATE_MAX), AGING_OVER_120);
	assert_int_equal(ledger_aging_bucket(DATE_MAX, DATE_MIN), AGING_CURRENT);

	assert_string_equal(ledger_aging_label(AGING_CURRENT), "current");
	assert_string_equal(ledger_aging_label(AGING_1_30), "1-30");
	assert_string_equal(ledger_aging_label(AGING_31_60), "31-60");
	assert_string_equal(ledger_aging_label(AGING_61_90), "61-90");
	assert_string_equal(ledger_aging_label(AGING_91_120), "91-120");
	assert_string_equal(ledger_aging_label(AGING_OVER_120), "over 120");
}

static void test_debtor_kind(void **state)
{
	debtor_kind k = DEBTOR_CONSUMER;
	(void)state;

	assert_int_equal(ledger_debtor_kind_parse("business", &k), 0);
	assert_int_equal(k, DEBTOR_BUSINESS);
	assert_int_equal(ledger_debtor_kind_parse("consumer", &k), 0);
	assert_int_equal(k, DEBTOR_CONSUMER);
	assert_int_equal(ledger_debtor_kind_parse("b2b", &k), 0);
	assert_int_equal(k, DEBTOR_BUSINESS);
	assert_int_equal(ledger_debtor_kind_parse("b2c", &k), 0);
	assert_int_equal(k, DEBTOR_CONSUMER);

	k = DEBTOR_BUSINESS;
	assert_int_equal(ledger_debtor_kind_parse("", &k), OWED_EINPUT);
	assert_int_equal(ledger_debtor_kind_parse("Business", &k), OWED_EINPUT);
	assert_int_equal(ledger_debtor_kind_parse("consumer ", &k), OWED_EINPUT);
	assert_int_equal(ledger_debtor_kind_parse("b2", &k), OWED_EINPUT);
	assert_int_equal(ledger_debtor_kind_parse("private", &k), OWED_EINPUT);
	assert_int_equal(k, DEBTOR_BUSINESS);                  /* untouched on failure */

	assert_string_equal(ledger_debtor_kind_name(DEBTOR_BUSINESS), "business");
	assert_string_equal(ledger_debtor_kind_name(DEBTOR_CONSUMER), "consumer");
	assert_int_equal(ledger_debtor_kind_parse(ledger_debtor_kind_name(DEBTOR_CONSUMER), &k), 0);
	assert_int_equal(k, DEBTOR_CONSUMER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_open_overflow),
		cmocka_unit_test(test_allocation_boundaries),
		cmocka_unit_test(test_allocation_refusals),
		cmocka_unit_test(test_credit),
		cmocka_unit_test(test_writeoff),
		cmocka_unit_test(test_charge),
		cmocka_unit_test(test_checks_keep_invariants),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_aging_buckets),
		cmocka_unit_test(test_debtor_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
