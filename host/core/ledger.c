/*
 * ledger.c -- the invariants of the receivables ledger (see ledger.h for the list).
 *
 * Pure arithmetic over the structs: no I/O, no allocation.  Every sum is checked for
 * overflow, because an amount that wrapped around is worse than one refused.
 */
#include <string.h>

#include "core/err.h"
#include "core/ledger.h"

int ledger_open(const owed_invoice *inv, int64_t *open)
{
	int64_t v;
	if (__builtin_add_overflow(inv->amount, inv->charges, &v) ||
	    __builtin_sub_overflow(v, inv->allocated, &v) ||
	    __builtin_sub_overflow(v, inv->credited, &v) ||
	    __builtin_sub_overflow(v, inv->written_off, &v))
		return OWED_EOVERFLOW;
	*open = v;
	return 0;
}

static int refuse(const char **why, int code, const char *text)
{
	if (why)
		*why = text;
	return code;
}

/* The part shared by every movement that lowers the open amount (I2, I4, I6). */
static int check_lowering(const owed_invoice *inv, const char *currency, int64_t amount,
                          const char **why)
{
	int64_t open;
	if (amount <= 0)
		return refuse(why, OWED_EINPUT, "the amount must be positive");
	if (strcmp(inv->currency, currency) != 0)
		return refuse(why, OWED_EREFUSED, "currencies differ");
	if (ledger_open(inv, &open) != 0)
		return refuse(why, OWED_EREFUSED, "the invoice's open amount overflows");
	if (amount > open)
		return refuse(why, OWED_EREFUSED, "the amount exceeds the open amount of the invoice");
	return 0;
}

int ledger_check_allocation(const owed_invoice *inv, const owed_payment *pay, int64_t amount,
                            const char **why)
{
	int rc = check_lowering(inv, pay->currency, amount, why);
	if (rc != 0)
		return rc;
	if (amount > pay->unallocated)                                   /* I3 */
		return refuse(why, OWED_EREFUSED, "the amount exceeds what is left of the payment");
	return 0;
}

int ledger_check_credit(const owed_invoice *inv, const char *currency, int64_t amount,
                        const char **why)
{
	return check_lowering(inv, currency, amount, why);
}

int ledger_check_writeoff(const owed_invoice *inv, int64_t amount, const char **why)
{
	return check_lowering(inv, inv->currency, amount, why);
}

/*
 * Not open + amount but amount + charges + amount must fit: ledger_open adds amount and
 * charges before subtracting, and every lowering movement is at most the open amount, so with
 * that total an int64 every sum the ledger keeps is one too.  open + amount alone would let a
 * settled invoice's charges grow until I1 overflowed.
 */
static int total_fits(const owed_invoice *inv, int64_t amount)
{
	int64_t total;
	return !__builtin_add_overflow(inv->amount, inv->charges, &total) &&
	       !__builtin_add_overflow(total, amount, &total);
}

int ledger_check_charge(const owed_invoice *inv, const char *currency, int64_t amount,
                        const char **why)
{
	int64_t open;
	if (amount <= 0)
		return refuse(why, OWED_EINPUT, "the amount must be positive");
	if (strcmp(inv->currency, currency) != 0)
		return refuse(why, OWED_EREFUSED, "currencies differ");
	if (ledger_open(inv, &open) != 0 || !total_fits(inv, amount))
		return refuse(why, OWED_EREFUSED, "the invoice's total would overflow");
	return 0;
}

invoice_status ledger_status(const owed_invoice *inv)
{
	if (inv->open > 0)
		return INVOICE_OPEN;
	/* settled by payments (and credits) is paid; anything written off closes it unpaid */
	return inv->allocated > 0 && inv->written_off == 0 ? INVOICE_PAID : INVOICE_CLOSED;
}

const char *ledger_status_name(invoice_status s)
{
	static const char *const names[] = { "open", "paid", "closed" };
	return names[s];
}

const char *ledger_debtor_kind_name(debtor_kind k)
{
	return k == DEBTOR_CONSUMER ? "consumer" : "business";
}

int ledger_debtor_kind_parse(const char *s, debtor_kind *out)
{
	if (strcmp(s, "business") == 0 || strcmp(s, "b2b") == 0)
		*out = DEBTOR_BUSINESS;
	else if (strcmp(s, "consumer") == 0 || strcmp(s, "b2c") == 0)
		*out = DEBTOR_CONSUMER;
	else
		return OWED_EINPUT;
	return 0;
}

/* Buckets as in legal.md's KPI section: current, 1-30, 31-60, 61-90, 91-120, over 120. */
int ledger_aging_bucket(owed_date due, owed_date asof)
{
	int32_t late = asof - due;
	if (late <= 0)   return AGING_CURRENT;
	if (late <= 30)  return AGING_1_30;
	if (late <= 60)  return AGING_31_60;
	if (late <= 90)  return AGING_61_90;
	if (late <= 120) return AGING_91_120;
	return AGING_OVER_120;
}

const char *ledger_aging_label(int bucket)
{
	static const char *const labels[AGING_BUCKETS] = {
		"current", "1-30", "31-60", "61-90", "91-120", "over 120"
	};
	return labels[bucket];
}
