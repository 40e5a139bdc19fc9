/*
 * debtor.c -- adding, editing and reading debtors.
 */
#include <string.h>

#include "core/money.h"
#include "core/ref.h"
#include "services/internal.h"

/* Reads the fields given in `in` over d (so edit keeps what is not given). */
static int read_debtor(owed_ctx *ctx, const svc_debtor_input *in, owed_debtor *d,
                       owed_error *err)
{
	long terms;
	if ((in->name && (!*in->name ? svc_fail(err, OWED_EINPUT, "name: must not be empty")
	                            : svc_read_text("name", in->name, d->name, sizeof d->name,
	                                            err))) ||
	    (in->kind && ledger_debtor_kind_parse(in->kind, &d->kind) != 0 &&
	     svc_fail(err, OWED_EINPUT, "kind: '%s' is not a debtor kind (expected business or "
	              "consumer)", in->kind)) ||
	    (in->country && svc_read_country("country", in->country, d->country, err)) ||
	    (in->language && svc_read_language("language", in->language, d->language, err)) ||
	    (in->email && svc_read_email("email", in->email, d->email, sizeof d->email, err)) ||
	    (in->address && svc_read_text("address", in->address, d->address, sizeof d->address,
	                                  err)) ||
	    (in->iban && *in->iban && svc_read_iban("iban", in->iban, d->iban, sizeof d->iban,
	                                            err)) ||
	    (in->tags && svc_read_text("tags", in->tags, d->tags, sizeof d->tags, err)) ||
	    (in->external_ids && svc_read_text("external-ids", in->external_ids, d->external_ids,
	                                       sizeof d->external_ids, err)))
		return err->code;
	if (in->iban && !*in->iban)
		d->iban[0] = '\0';
	if (in->policy && svc_read_text("policy", in->policy, d->policy, sizeof d->policy, err))
		return err->code;
	if (in->credit_hold) {
		if (strcmp(in->credit_hold, "yes") != 0 && strcmp(in->credit_hold, "no") != 0)
			return svc_fail(err, OWED_EINPUT, "credit-hold: '%s' is not yes or no",
			                in->credit_hold);
		d->credit_hold = in->credit_hold[0] == 'y';
	}
	if (in->terms_days) {
		if (svc_read_int("terms", in->terms_days, 0, 3650, &terms, err))
			return err->code;
		d->terms_days = (int)terms;
	}
	if (in->credit_limit && svc_read_amount_or_zero(ctx, "credit-limit", in->credit_limit,
	                                                ctx->admin.currency, &d->credit_limit, err))
		return err->code;
	return 0;
}

static cJSON *debtor_payload(const owed_ctx *ctx, const owed_debtor *d)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "number", d->number);
	cJSON_AddStringToObject(p, "name", d->name);
	cJSON_AddStringToObject(p, "kind", ledger_debtor_kind_name(d->kind));
	cJSON_AddStringToObject(p, "country", d->country);
	cJSON_AddStringToObject(p, "language", d->language);
	if (d->email[0])
		cJSON_AddStringToObject(p, "email", d->email);
	if (d->iban[0])
		cJSON_AddStringToObject(p, "iban", d->iban);
	if (d->terms_days)
		cJSON_AddNumberToObject(p, "terms_days", d->terms_days);
	if (d->credit_limit)
		svc_json_money(p, "credit_limit", d->credit_limit, ctx->admin.currency);
	if (d->policy[0])
		cJSON_AddStringToObject(p, "policy", d->policy);
	cJSON_AddBoolToObject(p, "credit_hold", d->credit_hold);
	return p;
}

/* Writes d (insert or update) and its event in one transaction. */
static int save_debtor(owed_ctx *ctx, owed_debtor *d, int is_new, owed_error *err)
{
	int rc = store_begin(ctx->st);
	if (rc)
		return svc_store_fail(ctx, rc, "saving the debtor", err);
	rc = is_new ? store_debtor_insert(ctx->st, d) : store_debtor_update(ctx->st, d);
	if (rc == OWED_EEXIST)    /* returned as is: err->code must be what the caller gets */
		svc_fail(err, OWED_EEXIST, "number: debtor '%s' exists already", d->number);
	else if (rc)
		svc_store_fail(ctx, rc, "saving the debtor", err);
	else
		rc = svc_event(ctx, "debtor", d->id, d->id, 0, is_new ? "created" : "edited",
		               debtor_payload(ctx, d), err);
	return svc_end_tx(ctx, rc, "saving the debtor", err);
}

int svc_debtor_add(owed_ctx *ctx, const svc_debtor_input *in, owed_debtor *out, owed_error *err)
{
	owed_debtor d = { .admin_id = ctx->admin.id, .kind = DEBTOR_BUSINESS };
	int rc;

	if (!in->number || !*in->number)
		return svc_fail(err, OWED_EUSAGE, "number: a debtor number is required (--number)");
	if (!in->name || !*in->name)
		return svc_fail(err, OWED_EUSAGE, "name: a debtor name is required (--name)");
	if (svc_read_text("number", in->number, d.number, sizeof d.number, err))
		return err->code;
	memcpy(d.country, ctx->admin.country, sizeof d.country);
	if ((rc = read_debtor(ctx, in, &d, err)) != 0)
		return rc;
	if (!in->language)
		strcpy(d.language, strcmp(d.country, "NL") == 0 || strcmp(d.country, "BE") == 0
		                   ? "nl" : "en");
	if ((rc = save_debtor(ctx, &d, 1, err)) != 0)
		return rc;
	return out ? svc_debtor_get(ctx, d.number, out, err) : 0;
}

int svc_debtor_edit(owed_ctx *ctx, const char *number, const svc_debtor_input *in,
                    owed_debtor *out, owed_error *err)
{
	owed_debtor d;
	int rc;
	if ((rc = svc_find_debtor(ctx, "debtor", number, &d, err)) != 0 ||
	    (rc = read_debtor(ctx, in, &d, err)) != 0 || (rc = save_debtor(ctx, &d, 0, err)) != 0)
		return rc;
	return out ? svc_debtor_get(ctx, number, out, err) : 0;
}

int svc_debtor_get(owed_ctx *ctx, const char *number, owed_debtor *out, owed_error *err)
{
	int rc = svc_find_debtor(ctx, "debtor", number, out, err);
	if (rc == 0 && (rc = store_debtor_get(ctx->st, ctx->admin.id, number, out)) != 0)
		return svc_store_fail(ctx, rc, "reading the debtor", err);
	return rc;
}

typedef struct by_iban { owed_ctx *ctx; svc_number_cb cb; void *ud; } by_iban;

static int iban_one(int64_t id, void *ud)
{
	by_iban *b = ud;
	owed_debtor d;
	int rc = store_debtor_lookup_id(b->ctx->st, id, &d);
	return rc ? rc : b->cb(d.number, b->ud);
}

int svc_debtors_by_iban(owed_ctx *ctx, const char *iban, svc_number_cb cb, void *ud,
                        owed_error *err)
{
	char canon[40];
	by_iban b = { ctx, cb, ud };
	int rc;
	if (iban_normalize(iban, canon, sizeof canon) != 0)
		return 0;
	rc = store_debtors_by_iban(ctx->st, ctx->admin.id, canon, iban_one, &b);
	return rc == OWED_EIO ? svc_store_fail(ctx, rc, "reading debtors", err) : rc;
}

int svc_debtor_list(owed_ctx *ctx, store_debtor_cb cb, void *ud, owed_error *err)
{
	owed_date today;
	int rc;
	date_today(&today);
	rc = store_debtor_each(ctx->st, ctx->admin.id, today, cb, ud);
	return rc ? svc_store_fail(ctx, rc, "listing debtors", err) : 0;
}
