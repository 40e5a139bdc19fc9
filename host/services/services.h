/*
 * services.h -- one function per user action.  The CLI verb and (later) the HTTP route call
 * the same function, so both faces get the same checks, the same messages, the same events.
 *
 * Inputs are the texts a user typed (NULL: not given), because only here is it known which
 * field a bad value came from; every failure fills an owed_error whose message names the
 * field, the value and what was expected, in one line.  A service that changes state does it
 * in one transaction that appends one dossier event, or changes nothing.
 */
#ifndef OWED_SERVICES_H
#define OWED_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ledger.h"
#include "store/store.h"

typedef struct owed_error {
	int code;               /* OWED_E* */
	char msg[512];
} owed_error;

typedef struct owed_ctx {
	store *st;
	owed_admin admin;       /* the administration this session works in */
	char actor[64];         /* who the dossier names: $OWED_ACTOR, else $USER, else "cli" */
	char locale[8];         /* how amounts typed by the user are read: $OWED_LOCALE, "en" */
} owed_ctx;

/* The database path: the argument, else $OWED_DB, else the configuration's (set with
 * svc_set_default_db), else ./owed.db. */
const char *svc_db_path(const char *given);
void svc_set_default_db(const char *path);

/* Creates a database with its first administration.  in->name is required. */
typedef struct svc_admin_input {
	const char *code, *name, *address, *country, *kvk, *vat, *iban, *currency, *terms_days,
		*cannot_deduct_vat;    /* "yes" or "no" */
	const char *creditor_id, *bic;     /* SEPA direct debit (services/sepa.h) */
} svc_admin_input;
int svc_init(const char *path, const svc_admin_input *in, owed_error *err);

/* Opens an existing database and the administration named by code (NULL: the first). */
int svc_open(const char *path, const char *admin_code, owed_ctx *ctx, owed_error *err);
void svc_close(owed_ctx *ctx);

/* Debtors.  In edit, NULL fields keep their value. */
typedef struct svc_debtor_input {
	const char *number, *name, *kind, *country, *language, *email, *address, *iban, *tags,
		*external_ids, *terms_days, *credit_limit, *policy, *credit_hold;
} svc_debtor_input;
int svc_debtor_add(owed_ctx *ctx, const svc_debtor_input *in, owed_debtor *out, owed_error *err);
int svc_debtor_edit(owed_ctx *ctx, const char *number, const svc_debtor_input *in,
                    owed_debtor *out, owed_error *err);
int svc_debtor_get(owed_ctx *ctx, const char *number, owed_debtor *out, owed_error *err);
/* The numbers of the debtors whose IBAN is iban (any notation), oldest first. */
typedef int (*svc_number_cb)(const char *number, void *ud);
int svc_debtors_by_iban(owed_ctx *ctx, const char *iban, svc_number_cb cb, void *ud,
                        owed_error *err);
int svc_debtor_list(owed_ctx *ctx, store_debtor_cb cb, void *ud, owed_error *err);

/* Invoices.  Omitted: issue date today, due date issue + the debtor's (or administration's)
 * terms, currency the administration's, VAT 0, reference none. */
typedef struct svc_invoice_input {
	const char *number, *debtor, *issue_date, *due_date, *currency, *amount, *vat, *reference,
		*description;
} svc_invoice_input;
int svc_invoice_add(owed_ctx *ctx, const svc_invoice_input *in, owed_invoice *out,
                    owed_error *err);
int svc_invoice_get(owed_ctx *ctx, const char *number, owed_invoice *out, owed_error *err);
/* The invoice carrying a payment reference (any notation ref_check accepts): OWED_ENOTFOUND
 * (no message) when none does or the text is no reference, OWED_EEXIST when two do. */
int svc_invoice_by_reference(owed_ctx *ctx, const char *reference, owed_invoice *out,
                             owed_error *err);
typedef struct svc_invoice_query {
	const char *debtor;     /* a debtor number, or NULL */
	int open_only, overdue_only, limit;
	/* a page's cursor: only invoices after this due date and invoice number (in the list's
	 * order); honoured without a debtor -- a debtor's few invoices are skipped by the caller */
	owed_date after_due;
	const char *after_number;
} svc_invoice_query;
int svc_invoice_list(owed_ctx *ctx, const svc_invoice_query *q, store_invoice_cb cb, void *ud,
                     owed_error *err);
/* A credit note against an invoice; a write-off of (by default) all that is open. */
int svc_invoice_credit(owed_ctx *ctx, const char *invoice, const char *amount, const char *date,
                       const char *credit_number, const char *reason, owed_invoice *out,
                       owed_error *err);
int svc_invoice_writeoff(owed_ctx *ctx, const char *invoice, const char *amount,
                         const char *date, const char *reason, owed_invoice *out,
                         owed_error *err);
int svc_invoice_charge(owed_ctx *ctx, const char *invoice, const char *kind, const char *amount,
                       const char *date, const char *description, owed_invoice *out,
                       owed_error *err);

/* Payments, with optional allocations (invoice number and amount; amount NULL: as much as
 * the payment and the invoice allow). */
typedef struct svc_allocation_input { const char *invoice, *amount; } svc_allocation_input;
typedef struct svc_payment_input {
	const char *date, *amount, *currency, *debtor, *counterparty, *iban, *remittance, *source;
	const svc_allocation_input *alloc;
	size_t nalloc;
} svc_payment_input;
int svc_payment_add(owed_ctx *ctx, const svc_payment_input *in, owed_payment *out,
                    owed_error *err);
int svc_payment_list(owed_ctx *ctx, const char *debtor, store_payment_cb cb, void *ud,
                     owed_error *err);

/* The dossier of a debtor or an invoice, oldest event first. */
int svc_dossier_debtor(owed_ctx *ctx, const char *number, store_event_cb cb, void *ud,
                       owed_error *err);
int svc_dossier_invoice(owed_ctx *ctx, const char *number, store_event_cb cb, void *ud,
                        owed_error *err);

/* The letters sent to a debtor, oldest first (each with its PDF and content hash). */
int svc_letters(owed_ctx *ctx, const char *debtor, store_letter_row_fn cb, void *ud,
                owed_error *err);

/* Sums over a period for reports (store.h STORE_SUM_*). */
int svc_sums(owed_ctx *ctx, int what, owed_date from, owed_date to, store_sum_cb cb, void *ud,
             owed_error *err);

/* Aging per currency as on asof (0: today). */
typedef struct svc_aging_row {
	char currency[4];
	int64_t bucket[AGING_BUCKETS], total;
	int64_t invoices;
} svc_aging_row;
#define SVC_AGING_MAX_CURRENCIES 16
typedef struct svc_aging {
	owed_date asof;
	size_t n;
	svc_aging_row row[SVC_AGING_MAX_CURRENCIES];
} svc_aging;
int svc_aging_report(owed_ctx *ctx, owed_date asof, svc_aging *out, owed_error *err);

/* A plugin's key/value store (plugin_kv.c); value NULL in set deletes the key.  get gives
 * OWED_ENOTFOUND (without a message) for a key that is not there. */
int svc_kv_get(owed_ctx *ctx, const char *plugin, const char *key, char **value,
               owed_error *err);
int svc_kv_set(owed_ctx *ctx, const char *plugin, const char *key, const char *value,
               owed_error *err);
int svc_kv_keys(owed_ctx *ctx, const char *plugin, const char *prefix, store_kv_cb cb,
                void *ud, owed_error *err);

/* Sets err (code and a printf-style message) and returns the code. */
int svc_fail(owed_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
