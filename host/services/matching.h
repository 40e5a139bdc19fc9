/*
 * matching.h -- booking one bank entry (import.c's inner step): a credit becomes a payment
 * placed by the matcher plugins, a debit returns what it reverses.  Private to services.
 */
#ifndef OWED_SERVICES_MATCHING_H
#define OWED_SERVICES_MATCHING_H

#include "runtime/runtime.h"
#include "services/services.h"

typedef struct match_entry {
	int64_t amount;                 /* positive; credit says the direction */
	char currency[4];
	int credit, reversal;
	owed_date date;
	const char *bank_ref, *end_to_end, *iban, *name, *remittance, *structured, *scheme,
		*mandate;
	char where[64];                 /* "statement 1, entry 3" for messages */
	int64_t statement_id;
	const char *account;
} match_entry;

typedef enum { MATCH_MATCHED, MATCH_REVIEW, MATCH_CREDIT, MATCH_REVERSAL, MATCH_REFUND,
               MATCH_IGNORED } match_kind;

typedef struct match_outcome {
	match_kind kind;
	char rule[32], why[256];
	int64_t payment_id;
} match_outcome;

/* Books m (payment, allocations, returns, the bank entry row, the events) inside the caller's
 * transaction.  Fails only when the ledger cannot be written; a matcher that fails or
 * proposes what the ledger refuses sends the payment to review, saying so. */
int match_book(owed_ctx *ctx, rt *r, const char *const *matchers, size_t nmatchers,
               match_entry *m, match_outcome *out, owed_error *err);
const char *match_outcome_name(match_kind k);

#endif
