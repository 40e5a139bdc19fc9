/*
 * sepa.h -- SEPA direct debit (Core scheme): the creditor's settings, debtors' mandates,
 * collecting open invoices in a pain.008 file, and a collection coming back.  One function
 * per user action, like services.h; see docs/sepa.md.
 */
#ifndef OWED_SERVICES_SEPA_H
#define OWED_SERVICES_SEPA_H

#include <cjson/cJSON.h>

#include "core/sepa.h"
#include "runtime/runtime.h"
#include "services/services.h"

/* Reads a creditor identifier (checked, normalized) or a BIC, failing with a message naming
 * the field (also for `owed init`, before the database exists). */
int svc_read_creditor_id(const char *field, const char *text, char *out, size_t size,
                         owed_error *err);
int svc_read_bic(const char *field, const char *text, char *out, size_t size, owed_error *err);

/* The administration's creditor identifier and bank BIC; NULL keeps a value, "" clears the
 * BIC.  One transaction with its event. */
typedef struct svc_sepa_creditor { char creditor_id[SEPA_CI_MAX + 1], bic[SEPA_BIC_MAX + 1]; }
	svc_sepa_creditor;
int svc_sepa_creditor_set(owed_ctx *ctx, const char *creditor_id, const char *bic,
                          svc_sepa_creditor *out, owed_error *err);
int svc_sepa_creditor_get(owed_ctx *ctx, svc_sepa_creditor *out, owed_error *err);

/*
 * A debtor's mandate, added or replaced: id (the mandate reference), signed (its date, not
 * in the future) and iban are required; bic optional; sequence FRST (default for a new
 * mandate), RCUR or OOFF.  Given the reference of the debtor's current mandate, it amends
 * that mandate (the sequence stays unless given); a new reference replaces the current
 * mandate, which stays as 'replaced'.  A revoked or another debtor's reference is refused.
 */
typedef struct svc_mandate_input {
	const char *id, *signed_on, *iban, *bic, *sequence;
} svc_mandate_input;
int svc_mandate_set(owed_ctx *ctx, const char *debtor, const svc_mandate_input *in,
                    store_mandate *out, owed_error *err);
int svc_mandate_revoke(owed_ctx *ctx, const char *debtor, store_mandate *out, owed_error *err);
/* The debtor's mandate (the active one, else the latest), and the last date a collection may
 * be due before it lapses.  OWED_ENOTFOUND, with no message, when it never had one. */
int svc_mandate_get(owed_ctx *ctx, int64_t debtor_id, store_mandate *out,
                    owed_date *valid_until, owed_error *err);

/* Collecting by direct debit. */
typedef struct svc_collect_options {
	owed_date date;             /* the collection date; 0: the earliest allowed */
	int dry_run;                /* select and explain, write nothing */
	const char *out;            /* the file to write; NULL: <outgoing>/sepa/<date>_<msgid>.xml */
	const char *writer;         /* the plugin that writes the file; NULL: "sepa-dd" */
} svc_collect_options;

typedef struct svc_collect_line {
	int taken;                  /* 1: in the file; 0: skipped, reason says why */
	const char *debtor, *debtor_name, *invoice, *mandate, *sequence, *end_to_end;
	const char *currency, *reason;
	int64_t amount;
	owed_date due_date;
} svc_collect_line;
typedef void (*svc_collect_cb)(const svc_collect_line *l, void *ud);

typedef struct svc_collect_result {
	owed_date date;             /* the collection date used */
	int64_t transactions, total, skipped;      /* total: EUR minor units */
	char message_id[SEPA_ID_MAX + 1];
	char path[1024];            /* where the file is; "" when none was written */
} svc_collect_result;

/*
 * Collects, on o->date, every open invoice due on or before it whose debtor has an active
 * mandate, that is not disputed and not in a collection sent or paid: one pain.008 file
 * (written by the writer plugin from the data the host hands it), the collection rows, the
 * mandates' FRST -> RCUR (and OOFF -> used), and an event "collection sent" per invoice, all
 * in one transaction.  Non-EUR invoices and lapsed mandates are skipped with a reason.  The
 * file is written aside first and renamed into place only after the commit (docs/sepa.md).
 * Nothing to collect is not an error: res->transactions is 0 and no file is written.
 */
int svc_collect_sepa(owed_ctx *ctx, rt *r, const svc_collect_options *o, svc_collect_cb cb,
                     void *ud, svc_collect_result *res, owed_error *err);

/*
 * A collection the debtor's bank returned (or the debtor had refunded): the collection with
 * this end-to-end id is marked returned on date, with the reason (an ISO return code such as
 * AM04 and/or text), and the invoice's dossier gets "collection returned".  This does not
 * touch the invoice's open amount: the payment the collection booked is undone by the
 * payment reversal of the statement import, which reopens the invoice.  Refused when it was
 * returned already.
 */
int svc_collection_returned(owed_ctx *ctx, const char *end_to_end, owed_date date,
                            const char *reason, owed_error *err);

/* The JSON forms (--json, the HTTP API later), amounts as exact decimal strings. */
cJSON *render_mandate(const store_mandate *m, owed_date valid_until);
cJSON *render_collect_line(const svc_collect_line *l);
/* The result without its lines: date, dry_run, message_id, file, transactions, total. */
cJSON *render_collect_result(const svc_collect_result *r, int dry_run);

#endif
