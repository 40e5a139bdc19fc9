/*
 * store.h -- the only door to the database.  All SQL lives behind it (store.c and friends).
 *
 * Functions return 0 or a negative OWED_E* code (core/err.h).  store_error() gives SQLite's
 * message for the last OWED_EIO.  Writes must happen between store_begin() and
 * store_commit(); transactions nest (the inner ones are savepoints), so a bulk import can wrap
 * many single-change services in one outer transaction without changing them.
 */
#ifndef OWED_STORE_H
#define OWED_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "core/ledger.h"

typedef struct store store;

enum { STORE_OPEN_EXISTING = 0, STORE_OPEN_CREATE = 1 };

/* SQLite's process-wide settings; must come before any other SQLite call of the process to
 * take effect (store_open calls it too, harmless once SQLite has started). */
void store_configure(void);
/* Opens (and with STORE_OPEN_CREATE creates) the database at path, upgrading an older schema.
 * On failure *out is NULL and errbuf says why (a newer schema, not a database, no such file). */
int store_open(const char *path, int flags, store **out, char *errbuf, size_t errsize);
void store_close(store *s);
const char *store_error(const store *s);
int store_schema_version(store *s);

int store_begin(store *s);
/* A transaction that takes the write lock only at its first write: for a unit of work that
 * mostly reads (one case of the daily run), so its reads share one lock instead of taking one
 * each. */
int store_begin_deferred(store *s);
int store_commit(store *s);
void store_rollback(store *s);

/* The dossier.  Every service that changes state appends exactly one event in its transaction. */
typedef struct store_event {
	int64_t id;
	char at[32];            /* ISO 8601 UTC, set by the store when appending */
	const char *actor, *entity, *kind, *payload;  /* payload: a JSON object */
	int64_t entity_id, debtor_id, invoice_id;      /* 0: none */
} store_event;
int store_event_append(store *s, store_event *ev);
typedef int (*store_event_cb)(const store_event *ev, void *ctx);
/* The history of a debtor (its own events and those of its invoices and payments) or of one
 * invoice, oldest first. */
int store_events_of_debtor(store *s, int64_t debtor_id, store_event_cb cb, void *ctx);
int store_events_of_invoice(store *s, int64_t invoice_id, store_event_cb cb, void *ctx);

/* Administrations. */
int store_admin_insert(store *s, owed_admin *a);
int store_admin_get(store *s, const char *code, owed_admin *out);   /* code NULL: the first */

/* Debtors; the *_get functions fill the derived totals too. */
int store_debtor_insert(store *s, owed_debtor *d);                  /* OWED_EEXIST if taken */
int store_debtor_update(store *s, const owed_debtor *d);
int store_debtor_get(store *s, int64_t admin_id, const char *number, owed_debtor *out);
int store_debtor_by_id(store *s, int64_t id, owed_debtor *out);
/* The debtor without its derived totals: the cheap lookup for writes that only need its id. */
int store_debtor_lookup(store *s, int64_t admin_id, const char *number, owed_debtor *out);
int store_debtor_lookup_id(store *s, int64_t id, owed_debtor *out);
typedef int (*store_debtor_cb)(const owed_debtor *d, void *ctx);
int store_debtor_each(store *s, int64_t admin_id, owed_date asof, store_debtor_cb cb, void *ctx);

/* Invoices. */
typedef struct store_invoice_filter {
	int64_t debtor_id;      /* 0: every debtor */
	int open_only;
	owed_date overdue_on;   /* with open_only: only due before this date (0: any) */
	int limit;              /* 0: no limit */
	/* only those after this due date and number, in that order (a page's cursor); only
	 * without debtor_id, which the caller then skips to itself */
	owed_date after_due;
	const char *after_number;
} store_invoice_filter;
int store_invoice_insert(store *s, owed_invoice *inv);              /* OWED_EEXIST if taken */
int store_invoice_get(store *s, int64_t admin_id, const char *number, owed_invoice *out);
int store_invoice_by_id(store *s, int64_t id, owed_invoice *out);
/* Writes the movement totals, open amount and status of inv (after a core check). */
int store_invoice_save_totals(store *s, const owed_invoice *inv);
typedef int (*store_invoice_cb)(const owed_invoice *inv, void *ctx);
int store_invoice_each(store *s, int64_t admin_id, const store_invoice_filter *f,
                       store_invoice_cb cb, void *ctx);

/* Payments and the movements on invoices. */
int store_payment_insert(store *s, owed_payment *p);
int store_payment_get(store *s, int64_t id, owed_payment *out);
int store_payment_save_unallocated(store *s, const owed_payment *p);
typedef int (*store_payment_cb)(const owed_payment *p, void *ctx);
int store_payment_each(store *s, int64_t admin_id, int64_t debtor_id, store_payment_cb cb,
                       void *ctx);
int store_allocation_insert(store *s, int64_t payment_id, int64_t invoice_id, int64_t amount,
                            const char *reason, int64_t *id);
int store_payment_save_state(store *s, const owed_payment *p);
/* Payments waiting for a person (review not empty), oldest first. */
int store_payment_review_each(store *s, int64_t admin_id, store_payment_cb cb, void *ctx);
/* A payment's allocations that are not reversed; reversing one marks it (it stays). */
typedef int (*store_allocation_cb)(int64_t id, int64_t invoice_id, int64_t amount, void *ctx);
int store_allocations_live(store *s, int64_t payment_id, store_allocation_cb cb, void *ctx);
int store_allocation_reverse(store *s, int64_t allocation_id, owed_date date);
/* The invoice carrying a payment reference: OWED_ENOTFOUND, or OWED_EEXIST (out holds the
 * first) when two invoices carry it. */
int store_invoice_by_reference(store *s, int64_t admin_id, const char *reference,
                               owed_invoice *out);
int store_credit_insert(store *s, int64_t invoice_id, const char *number, owed_date date,
                        int64_t amount, const char *reason, int64_t *id);
int store_writeoff_insert(store *s, int64_t invoice_id, owed_date date, int64_t amount,
                          const char *reason, int64_t *id);
int store_charge_insert(store *s, int64_t invoice_id, owed_date date, const char *kind,
                        const char *description, int64_t amount, int64_t *id);

/* Sums of the movement tables for one invoice, recomputed from the rows (not the totals the
 * invoice row carries): what the property test compares the kept open amount against. */
int store_invoice_recompute(store *s, int64_t invoice_id, owed_invoice *out);

/* A plugin's key/value store: values are JSON text, keys scoped by the plugin's name. */
int store_kv_get(store *s, const char *plugin, const char *key, char **value);  /* malloc'd */
int store_kv_set(store *s, const char *plugin, const char *key, const char *value);
int store_kv_delete(store *s, const char *plugin, const char *key);
typedef int (*store_kv_cb)(const char *key, void *ctx);
int store_kv_keys(store *s, const char *plugin, const char *prefix, store_kv_cb cb, void *ctx);

/* Every open invoice's currency, due date and open amount, for reports that bucket them
 * (the buckets are a core rule, so they are not written in SQL). */
typedef int (*store_open_cb)(const char *currency, owed_date due, int64_t open, void *ctx);
int store_open_each(store *s, int64_t admin_id, store_open_cb cb, void *ctx);

/* ------------------------------------------------------------------ dunning (dunning.c) */

typedef enum { CASE_OPEN, CASE_HANDED_OFF, CASE_CLOSED } case_state;

typedef struct owed_case {
	int64_t id, admin_id, debtor_id;
	char policy[64];
	case_state state;
	char step[64];                 /* the last step taken, "" before the first */
	owed_date step_date, next_date, opened, closed;
} owed_case;

/* One open invoice past its due date, as the daily run streams them: by debtor, oldest due
 * first. */
typedef struct store_overdue {
	int64_t debtor_id, invoice_id;
	char number[64], currency[4], reference[40], description[LEDGER_NAME_MAX];
	owed_date issue_date, due_date;
	int64_t amount, open, charges;
	int disputed;
} store_overdue;
typedef int (*store_overdue_cb)(const store_overdue *o, void *ctx);
int store_overdue_each(store *s, int64_t admin_id, owed_date asof, int64_t debtor_id,
                       store_overdue_cb cb, void *ctx);

typedef int (*store_id_cb)(int64_t id, void *ctx);
/* Debtors with an overdue open invoice on asof or a case not closed, by id. */
/* Debtors whose IBAN is this one (canonical form), by id. */
int store_debtors_by_iban(store *s, int64_t admin_id, const char *iban, store_id_cb cb,
                          void *ctx);
int store_dunning_debtors(store *s, int64_t admin_id, owed_date asof, store_id_cb cb,
                          void *ctx);

typedef int (*store_case_cb)(const owed_case *c, void *ctx);
/* Cases not closed, by debtor; debtor_id 0: all. */
int store_case_active_each(store *s, int64_t admin_id, int64_t debtor_id, store_case_cb cb,
                           void *ctx);
int store_case_get(store *s, int64_t id, owed_case *out);
int store_case_insert(store *s, owed_case *c);
int store_case_save(store *s, const owed_case *c);

typedef struct store_step {
	int64_t id;
	char step[64], channels[128];
	owed_date date;
	const char *reason, *policy, *policy_version;
} store_step;
typedef int (*store_step_cb)(const store_step *st, void *ctx);
int store_case_steps(store *s, int64_t case_id, store_step_cb cb, void *ctx);
/* OWED_EEXIST when the case took that step already: a step happens once. */
int store_step_insert(store *s, int64_t case_id, const char *step, owed_date date,
                      const char *policy, const char *version, const char *reason,
                      const char *channels, int64_t *id);

int store_letter_insert(store *s, int64_t case_id, int64_t step_id, const char *lang,
                        const char *subject, const char *text, const void *pdf, size_t pdf_len,
                        const char *hash, int64_t *id);

/* A stored letter, handed to fn while the row is read (the pointers die after). */
typedef int (*store_letter_fn)(const char *subject, const char *text, const void *pdf,
                               size_t pdf_len, const char *lang, const char *hash, void *ctx);
int store_letter_get(store *s, int64_t id, store_letter_fn fn, void *ctx);
typedef struct store_letter_row {
	int64_t id;
	const char *step, *subject, *lang, *hash;
	owed_date date;
	const void *pdf;
	size_t pdf_len;
} store_letter_row;
typedef int (*store_letter_row_fn)(const store_letter_row *r, void *ctx);
/* Every letter of a debtor's cases, oldest first. */
int store_letters_of_debtor(store *s, int64_t debtor_id, store_letter_row_fn fn, void *ctx);

/* The outbox.  States: pending (to deliver at next_attempt), sent, dead (gave up). */
typedef struct store_outbox {
	int64_t id, case_id, letter_id;
	char channel[32], idem_key[96], state[16], next_attempt[32], created[32], sent[32];
	int attempts;
	const char *payload, *last_error;
} store_outbox;
typedef int (*store_outbox_cb)(const store_outbox *o, void *ctx);
/* OWED_EEXIST for a key already queued: a delivery is queued once. */
int store_outbox_insert(store *s, int64_t case_id, int64_t letter_id, const char *channel,
                        const char *idem_key, const char *payload, const char *now,
                        int64_t *id);
/* Pending rows due at now (ISO 8601 UTC), oldest first; limit 0: all. */
int store_outbox_due(store *s, const char *now, int limit, store_outbox_cb cb, void *ctx);
int store_outbox_each(store *s, const char *state, store_outbox_cb cb, void *ctx);
/* The row with this id handed to cb, or OWED_ENOTFOUND. */
int store_outbox_get(store *s, int64_t id, store_outbox_cb cb, void *ctx);
int store_outbox_mark(store *s, int64_t id, const char *state, int attempts,
                      const char *next_attempt, const char *error, const char *sent);

/* Runs: one row per date. */
typedef struct store_run {
	char date[16], started[32], finished[32];
	int64_t cases, steps;
} store_run;
int store_run_get(store *s, owed_date date, store_run *out);
int store_run_start(store *s, owed_date date, const char *now);
int store_run_finish(store *s, owed_date date, const char *now, int64_t cases, int64_t steps);

/* Disputes take an invoice out of the letters until resolved. */
int store_dispute_open(store *s, int64_t invoice_id, const char *reason, owed_date date,
                       int64_t *id);
int store_dispute_resolve(store *s, int64_t invoice_id, owed_date date);
/* Every dispute on a debtor's invoices, oldest first; resolved 0 while it is open. */
typedef struct store_dispute {
	int64_t id, invoice_id;
	char invoice[64];
	const char *reason;
	owed_date opened, resolved;
} store_dispute;
typedef int (*store_dispute_cb)(const store_dispute *d, void *ctx);
int store_disputes_of_debtor(store *s, int64_t debtor_id, store_dispute_cb cb, void *ctx);

/* Sums over a period, by label: steps taken (by step), charges booked (by kind and currency),
 * payments received (by currency), cases active in the period (by state). */
enum { STORE_SUM_STEPS, STORE_SUM_CHARGES, STORE_SUM_PAYMENTS, STORE_SUM_CASES };
typedef int (*store_sum_cb)(const char *label, const char *currency, int64_t amount,
                            int64_t count, void *ctx);
int store_sums(store *s, int what, int64_t admin_id, owed_date from, owed_date to,
               store_sum_cb cb, void *ctx);

/* Promises to pay: one open promise per debtor pauses its case until the date. */
typedef struct store_promise {
	int64_t id, amount, paid_before;    /* paid_before: payments booked when promised */
	owed_date date;
	char currency[4];
} store_promise;
int store_promise_insert(store *s, int64_t debtor_id, owed_date date, int64_t amount,
                         const char *currency, int64_t paid_before, int64_t *id);
int store_promise_open(store *s, int64_t debtor_id, store_promise *out);
int store_promise_mark(store *s, int64_t id, const char *state);
/* Everything a debtor ever paid in currency (to see what was paid since a promise or plan). */
int store_paid_total(store *s, int64_t debtor_id, const char *currency, int64_t *out);

/* For a whole run at once: the steps of every case not closed (by case, oldest first), and the
 * debtors with an open promise, open instalments or a pause by hand (by id). */
typedef int (*store_case_step_cb)(int64_t case_id, const store_step *st, void *ctx);
int store_active_steps(store *s, int64_t admin_id, store_case_step_cb cb, void *ctx);
int store_paused_debtors(store *s, int64_t admin_id, store_id_cb cb, void *ctx);

/* Whether a debtor has an open promise, open instalments or a pause by hand (one cheap
 * question for the run). */
int store_pauses(store *s, int64_t debtor_id, int *promises, int *instalments, int *by_hand);

/* A case paused by hand until resumed; one holds per debtor at most (OWED_EEXIST). */
typedef struct store_pause {
	owed_date paused;
	char reason[LEDGER_TEXT_MAX];
} store_pause;
int store_pause_insert(store *s, int64_t debtor_id, const char *reason, owed_date date);
/* The pause that holds the debtor's case, or OWED_ENOTFOUND. */
int store_pause_holds(store *s, int64_t debtor_id, store_pause *out);
/* Ends it on date; OWED_ENOTFOUND when none holds. */
int store_pause_resume(store *s, int64_t debtor_id, owed_date date);

/* Payment plans: instalments with dates. */
typedef struct store_instalment {
	int64_t id, amount, paid_before;    /* paid_before: payments booked when the plan began */
	owed_date date;
	char currency[4], state[8];
} store_instalment;
typedef int (*store_instalment_cb)(const store_instalment *i, void *ctx);
int store_instalment_insert(store *s, int64_t debtor_id, owed_date date, int64_t amount,
                            const char *currency, int64_t paid_before);
int store_instalments(store *s, int64_t debtor_id, store_instalment_cb cb, void *ctx);
int store_instalment_mark(store *s, int64_t id, const char *state);

/* Tasks for people: calls to make. */
typedef struct store_task {
	int64_t id;
	owed_date due;
	const char *text, *done, *debtor, *debtor_name;
} store_task;
typedef int (*store_task_cb)(const store_task *t, void *ctx);
int store_task_insert(store *s, int64_t case_id, owed_date due, const char *text, int64_t *id);
int store_tasks(store *s, int open_only, store_task_cb cb, void *ctx);
int store_task_done(store *s, int64_t id, owed_date date);

/* ------------------------------------------------------------------ bank statements (bank.c) */

typedef struct store_statement {
	int64_t id, admin_id;
	char account[48], key[160], format[32], currency[4];
	owed_date date;
	int has_opening, has_closing;
	int64_t opening, closing, entries;
	char file[256], file_sha256[65], unbalanced[LEDGER_TEXT_MAX];
} store_statement;
int store_statement_insert(store *s, store_statement *st, const char *now);
/* 1 when the administration has this account's statement key already, else 0 (or < 0). */
int store_statement_seen(store *s, int64_t admin_id, const char *account, const char *key);

typedef struct store_bank_entry {
	int64_t id, statement_id, payment_id;
	char account[48], bank_ref[80], end_to_end[80], currency[4];
	owed_date date;
	int64_t amount;
	int credit;
	const char *outcome, *rule, *why;
} store_bank_entry;
int store_bank_entry_insert(store *s, store_bank_entry *e);
/* 1 when an entry with this bank reference was booked on the account, else 0 (or < 0). */
int store_bank_entry_seen(store *s, const char *account, const char *bank_ref);
/* The payment a credit entry with this end-to-end id booked (the latest), or 0. */
int64_t store_payment_by_end_to_end(store *s, const char *end_to_end);
/* The latest payment from this IBAN of exactly this amount that is not returned, or 0: what
 * a reversal without references undoes. */
int64_t store_payment_to_reverse(store *s, int64_t admin_id, const char *iban, int64_t amount,
                                 const char *currency);

/* ------------------------------------------------------------------ SEPA direct debit (sepa.c) */

/* The administration's SEPA creditor identifier and its bank's BIC ("" when not set). */
int store_sepa_creditor_get(store *s, int64_t admin_id, char *ci, size_t ci_size, char *bic,
                            size_t bic_size);
int store_sepa_creditor_set(store *s, int64_t admin_id, const char *ci, const char *bic);

/* A debtor's mandate.  status: active, revoked, replaced (by a newer mandate of the debtor)
 * or used (a one-off mandate after its collection); sequence: FRST, RCUR or OOFF. */
typedef struct store_mandate {
	int64_t id, admin_id, debtor_id;
	char reference[36], iban[40], bic[12], sequence[5], status[10];
	owed_date signed_on;
	owed_date last_collection;     /* the latest collection date presented under it; 0: none */
	owed_date changed;
} store_mandate;
int store_mandate_insert(store *s, store_mandate *m);               /* OWED_EEXIST if taken */
/* Writes everything but the reference, by id. */
int store_mandate_save(store *s, const store_mandate *m);
/* The debtor's active mandate, else its latest one; OWED_ENOTFOUND when it never had one. */
int store_mandate_of_debtor(store *s, int64_t debtor_id, store_mandate *out);
/* The mandate with this reference (compared without case), whichever debtor has it. */
int store_mandate_by_reference(store *s, int64_t admin_id, const char *reference,
                               store_mandate *out);

/* An open invoice due on or before a date whose debtor has an active mandate and that is in
 * no collection sent or paid: what `owed collect sepa` may collect (the service decides;
 * disputed and non-EUR invoices are listed too, so it can say why it skips them).  By debtor
 * number, then oldest due first. */
typedef struct store_collectable {
	int64_t invoice_id, debtor_id, open;
	char invoice[64], currency[4], reference[40];
	char debtor_number[64], debtor_name[LEDGER_NAME_MAX], debtor_country[3];
	owed_date due_date;
	int disputed;
	store_mandate mandate;
} store_collectable;
typedef int (*store_collectable_cb)(const store_collectable *c, void *ctx);
int store_collectable_each(store *s, int64_t admin_id, owed_date on, store_collectable_cb cb,
                           void *ctx);

/* A pain.008 file as sent: its message id is unique. */
typedef struct store_sepa_file {
	int64_t id, admin_id, transactions, total;
	char message_id[36], path[1024], created[32], currency[4], writer[96];
	owed_date collection_date;
} store_sepa_file;
/* The id the next file will get (inside the writing transaction, which holds the lock). */
int store_sepa_file_next_id(store *s, int64_t *id);
int store_sepa_file_insert(store *s, store_sepa_file *f);

/* One invoice collected.  state: sent, paid or returned. */
typedef struct store_collection {
	int64_t id, invoice_id, mandate_id, file_id, amount;
	char end_to_end[36], sequence[5], currency[4], state[10], reason[LEDGER_NAME_MAX];
	owed_date date, state_date;
} store_collection;
/* OWED_EEXIST for an end-to-end id taken, or an invoice already in a live collection. */
int store_collection_insert(store *s, store_collection *c);
int store_collection_by_end_to_end(store *s, const char *e2e, store_collection *out);
int store_collection_mark(store *s, int64_t id, const char *state);
/* Notes when and why its state changed (a return's reason code and text). */
int store_collection_note(store *s, int64_t id, owed_date date, const char *reason);

#endif
