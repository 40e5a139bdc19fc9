/*
 * internal.h -- what the service files share and the faces do not see: reading the fields a
 * user typed (with messages that name them), and writing dossier events.
 */
#ifndef OWED_SERVICES_INTERNAL_H
#define OWED_SERVICES_INTERNAL_H

#include <cjson/cJSON.h>
#include <time.h>
#include "services/services.h"

/* Each reads text (which must not be NULL) into out, or fails naming the field. */
int svc_read_amount(const owed_ctx *ctx, const char *field, const char *text,
                    const char *currency, int64_t *out, owed_error *err);
/* The same for an amount that may be zero (a VAT part, a credit limit). */
int svc_read_amount_or_zero(const owed_ctx *ctx, const char *field, const char *text,
                            const char *currency, int64_t *out, owed_error *err);
int svc_read_date(const char *field, const char *text, owed_date *out, owed_error *err);
int svc_read_int(const char *field, const char *text, long min, long max, long *out,
                 owed_error *err);
int svc_read_currency(const char *field, const char *text, char out[4], owed_error *err);
int svc_read_country(const char *field, const char *text, char out[3], owed_error *err);
int svc_read_language(const char *field, const char *text, char out[3], owed_error *err);
int svc_read_iban(const char *field, const char *text, char *out, size_t size, owed_error *err);
int svc_read_reference(const char *field, const char *text, char *out, size_t size,
                       owed_error *err);
int svc_read_email(const char *field, const char *text, char *out, size_t size,
                   owed_error *err);
/* Copies text, refusing one longer than the field holds (never truncates silently). */
int svc_read_text(const char *field, const char *text, char *out, size_t size, owed_error *err);

/* Adds "key": "1234.56" (the exact machine form; the currency is a field of its own). */
void svc_json_money(cJSON *obj, const char *key, int64_t minor, const char *currency);
void svc_json_date(cJSON *obj, const char *key, owed_date d);

/* t[key] of a plugin's answer, as text into out ("" when it is no string or number). */
struct lua_State;
void svc_lua_text(struct lua_State *L, int t, const char *key, char *out, size_t size);

/* The time t as stored: "2026-11-23T15:20:03Z" (UTC). */
void svc_stamp(time_t t, char *buf, size_t size);

/* Appends the dossier event; takes ownership of payload. */
int svc_event(owed_ctx *ctx, const char *entity, int64_t entity_id, int64_t debtor_id,
              int64_t invoice_id, const char *kind, cJSON *payload, owed_error *err);

/* Allocates amount of payment p to inv (payment.c): svc_allocation_check, then inserts p
 * when it is not in the ledger yet (id 0; a payment without a debtor gets the invoice's),
 * counts the allocation in both and books it (svc_allocation_book).  The caller saves p's
 * unallocated amount. */
int svc_allocate(owed_ctx *ctx, owed_payment *p, owed_invoice *inv, int64_t amount,
                 const char *reason, cJSON *list, owed_error *err);
/* Whether amount of p may go to inv as both stand (ledger_check_allocation); the refusal
 * names the amounts. */
int svc_allocation_check(const owed_invoice *inv, const owed_payment *p, int64_t amount,
                         owed_error *err);
/* Books an allocation already checked and counted (inv as it is after it, open included):
 * the allocation row, the invoice's totals and its event ("allocated", with reason when not
 * "manual"); appends {invoice, amount} to list when given. */
int svc_allocation_book(owed_ctx *ctx, const owed_payment *p, const owed_invoice *inv,
                        int64_t amount, const char *reason, cJSON *list, owed_error *err);

/* Maps a store failure to an error naming what was being done. */
int svc_store_fail(owed_ctx *ctx, int rc, const char *doing, owed_error *err);

/* Ends a service's transaction: commits when rc is 0 (a failed commit is named by doing),
 * rolls back otherwise; returns the outcome. */
int svc_end_tx(owed_ctx *ctx, int rc, const char *doing, owed_error *err);

/* Looks up what a user named, with a message naming the field when it is not there. */
int svc_find_debtor(owed_ctx *ctx, const char *field, const char *number, owed_debtor *out,
                    owed_error *err);
int svc_find_invoice(owed_ctx *ctx, const char *field, const char *number, owed_invoice *out,
                     owed_error *err);

#endif
