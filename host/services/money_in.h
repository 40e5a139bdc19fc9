/*
 * money_in.h -- bank statements in, payments matched to invoices, and the review queue.
 *
 * An importer plugin reads a file into statements (plugins/camt053, mt940, coda); the host
 * checks every statement's balances, recognises statements and entries it booked before, and
 * books the rest in ONE transaction per file: a file is imported whole or not at all.  Each
 * credit is offered to the matcher plugins in order (owed.conf `matchers`, default
 * match-standard); the first that answers decides: allocations with the rule and why, or
 * review (a person decides, `owed payment review` / `owed payment match`).  Debits reverse
 * what they return: a payment with the same end-to-end id, a reversal of the same amount
 * from the same IBAN, or a refund of a debtor's unallocated credit.  What owed cannot place
 * is recorded as ignored, never guessed.
 */
#ifndef OWED_SERVICES_MONEY_IN_H
#define OWED_SERVICES_MONEY_IN_H

#include "runtime/runtime.h"
#include "services/services.h"

typedef struct svc_import_options {
	const char *format;             /* importer plugin; NULL: the first whose detect() agrees */
	int dry_run;                    /* everything is done, then rolled back */
	int accept_unbalanced;          /* book statements whose balances disagree (recorded) */
	const char *const *matchers;    /* matcher plugins in order; NULL: match-standard */
	size_t nmatchers;
	/* Called after each entry with the entries done and the total of the file. */
	void (*progress)(const char *file, size_t done, size_t total, void *ud);
	void *progress_ud;
} svc_import_options;

typedef struct svc_import_result {
	int64_t files, statements, statements_skipped, entries, duplicates;
	int64_t matched, review, credit, reversed, refunded, ignored;
} svc_import_result;

/* One booked entry, for the report. */
typedef struct svc_import_line {
	const char *file, *format, *account, *statement, *outcome, *rule, *why, *counterparty;
	owed_date date;
	int64_t amount, payment_id;
	const char *currency;
	int credit;
} svc_import_line;
typedef void (*svc_import_cb)(const svc_import_line *l, void *ud);

int svc_import_bank(owed_ctx *ctx, rt *r, const char *const *files, size_t nfiles,
                    const svc_import_options *o, svc_import_cb cb, void *ud,
                    svc_import_result *res, owed_error *err);
/* One statement file already in memory (an upload), called name in the ledger and in the
 * messages; booked whole or not at all, as a file is. */
int svc_import_bank_text(owed_ctx *ctx, rt *r, const char *name, const char *text, size_t len,
                         const svc_import_options *o, svc_import_cb cb, void *ud,
                         svc_import_result *res, owed_error *err);

/* Invoices and credit notes from an invoice importer (ubl, csv-invoices); o's format,
 * dry_run and progress apply. */
typedef struct svc_invoice_result {
	int64_t files, read, booked, credited, duplicates, debtors_created;
} svc_invoice_result;
typedef struct svc_invoice_line {
	const char *file, *type, *number, *debtor, *amount, *currency, *outcome;
} svc_invoice_line;
typedef void (*svc_invoice_cb)(const svc_invoice_line *l, void *ud);
int svc_import_invoices(owed_ctx *ctx, rt *r, const char *const *files, size_t nfiles,
                        const svc_import_options *o, svc_invoice_cb cb, void *ud,
                        svc_invoice_result *res, owed_error *err);

/* The review queue: payments a person must place, each with what matching saw. */
int svc_payment_review(owed_ctx *ctx, store_payment_cb cb, void *ud, owed_error *err);
/* Offers every payment in the queue to the matchers again (an invoice may have been booked
 * since): each one a matcher now places is allocated, leaves the queue and says so in its
 * dossier, one transaction each.  *placed gets how many.  `owed run` does this first, so
 * nobody is dunned for what they paid. */
int svc_payment_rematch(owed_ctx *ctx, rt *r, const char *const *matchers, size_t nmatchers,
                        int64_t *placed, owed_error *err);
/* Settles a payment from the queue: allocates it to the invoices named (amount NULL: as much
 * as fits, oldest due first), the rest stays as credit on the debtor; the payment leaves the
 * queue.  One transaction, with the person as the reason ("manual"). */
int svc_payment_match(owed_ctx *ctx, int64_t payment_id, const svc_allocation_input *alloc,
                      size_t nalloc, owed_payment *out, owed_error *err);

#endif
