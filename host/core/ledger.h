/*
 * ledger.h -- the receivables ledger as plain structs, and the rules that keep it exact.
 *
 * The entities are what the store reads and writes and what the services hand to the faces.
 * The rules are pure functions: given the figures of an invoice (and of a payment), may this
 * allocation, credit, write-off or charge happen?  The store applies a change only after the
 * rule said yes, inside the transaction that also writes the dossier event, so the invariants
 * hold whoever calls:
 *
 *   I1  open = amount + charges - allocated - credited - written_off        (per invoice)
 *   I2  0 <= open: nothing takes an invoice below zero (overpayment stays on the payment)
 *   I3  an allocation never exceeds what is left of its payment (unallocated >= 0), where
 *       unallocated = amount - allocations not reversed - returned (to the payer)
 *   I4  currencies never mix: payment, credit, charge and invoice share one currency
 *   I5  an invoice number is unique per administration (the store's UNIQUE constraint)
 *   I6  every amount entered is positive; only the ledger itself derives zeros
 */
#ifndef OWED_LEDGER_H
#define OWED_LEDGER_H

#include <stdint.h>
#include "core/date.h"

#define LEDGER_NAME_MAX  160
#define LEDGER_TEXT_MAX  512

typedef enum { DEBTOR_BUSINESS, DEBTOR_CONSUMER } debtor_kind;

typedef struct owed_admin {
	int64_t id;
	char code[32], name[LEDGER_NAME_MAX], address[LEDGER_TEXT_MAX];
	char country[3], kvk[32], vat[32], iban[40], currency[4];
	int terms_days;
	int cannot_deduct_vat;     /* 1: VAT may be added to collection costs (NL BIK) */
} owed_admin;

typedef struct owed_debtor {
	int64_t id, admin_id;
	char number[64], name[LEDGER_NAME_MAX];
	debtor_kind kind;
	char country[3], language[3], email[LEDGER_NAME_MAX], address[LEDGER_TEXT_MAX];
	char iban[40], tags[LEDGER_NAME_MAX], external_ids[LEDGER_NAME_MAX];
	int terms_days;            /* 0: the administration's default */
	int64_t credit_limit;      /* minor units of the administration's currency; 0: none */
	char policy[64];           /* the dunning policy for this debtor; "": by country and kind */
	int credit_hold;           /* 1: no new credit (set by a policy step or by hand) */
	/* derived, filled by reads */
	int64_t open_total;
	int64_t overdue_total;
	int open_invoices;
} owed_debtor;

typedef enum { INVOICE_OPEN, INVOICE_PAID, INVOICE_CLOSED } invoice_status;

typedef struct owed_invoice {
	int64_t id, admin_id, debtor_id;
	char number[64], debtor_number[64], debtor_name[LEDGER_NAME_MAX];
	owed_date issue_date, due_date;
	char currency[4];
	int64_t amount, vat;                                  /* as invoiced, VAT included in amount */
	int64_t charges, allocated, credited, written_off;    /* the movements since */
	int64_t open;                                         /* I1, kept by the store */
	char reference[40];
	char description[LEDGER_NAME_MAX];
	invoice_status status;
} owed_invoice;

typedef struct owed_payment {
	int64_t id, admin_id, debtor_id;   /* debtor_id 0: not (yet) known */
	owed_date date;
	char currency[4];
	int64_t amount, unallocated;
	int64_t returned;                  /* refunded or reversed back to the payer */
	char counterparty[LEDGER_NAME_MAX], iban[40], remittance[LEDGER_TEXT_MAX], source[32];
	char review[LEDGER_NAME_MAX];      /* why a person must match it; "": not in review */
} owed_payment;

/* I1: the open amount of an invoice from its movements; OWED_EOVERFLOW if it cannot be held. */
int ledger_open(const owed_invoice *inv, int64_t *open);

/*
 * The checks below return 0 when the change may happen, else OWED_EREFUSED (an invariant says
 * no) or OWED_EINPUT (the amount itself is not acceptable), with *why set to a sentence that
 * names the rule.  They never change anything.
 */
int ledger_check_allocation(const owed_invoice *inv, const owed_payment *pay, int64_t amount,
                            const char **why);
int ledger_check_credit(const owed_invoice *inv, const char *currency, int64_t amount,
                        const char **why);
int ledger_check_writeoff(const owed_invoice *inv, int64_t amount, const char **why);
int ledger_check_charge(const owed_invoice *inv, const char *currency, int64_t amount,
                        const char **why);

/* The status an invoice has with this open amount. */
invoice_status ledger_status(const owed_invoice *inv);
const char *ledger_status_name(invoice_status s);
const char *ledger_debtor_kind_name(debtor_kind k);
int ledger_debtor_kind_parse(const char *s, debtor_kind *out);

/* Aging: the bucket of an amount due on `due` as seen on `asof` (see AGING_* below). */
enum { AGING_CURRENT, AGING_1_30, AGING_31_60, AGING_61_90, AGING_91_120, AGING_OVER_120,
       AGING_BUCKETS };
int ledger_aging_bucket(owed_date due, owed_date asof);
const char *ledger_aging_label(int bucket);

#endif
