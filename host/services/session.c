/*
 * session.c -- opening a ledger, creating one, and the plumbing every service shares:
 * dossier events, store failures, looking up what the user named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/money.h"
#include "services/internal.h"
#include "services/sepa.h"

static char default_db[1024] = "owed.db";

void svc_set_default_db(const char *path)
{
	snprintf(default_db, sizeof default_db, "%s", path);
}

const char *svc_db_path(const char *given)
{
	const char *env = getenv("OWED_DB");
	if (given && *given)
		return given;
	return env && *env ? env : default_db;
}

/* Reads the environment a session depends on, refusing a locale or pinned date that would
 * otherwise misread every amount or silently book on the wrong day. */
static int read_environment(owed_ctx *ctx, owed_error *err)
{
	const char *actor = getenv("OWED_ACTOR"), *user = getenv("USER");
	const char *locale = getenv("OWED_LOCALE"), *today = getenv("OWED_TODAY");
	int64_t zero;
	owed_date d;
	snprintf(ctx->actor, sizeof ctx->actor, "%s",
	         actor && *actor ? actor : user && *user ? user : "cli");
	if (!locale || !*locale)
		locale = "en";
	if (strlen(locale) >= sizeof ctx->locale || money_parse("0", locale, 2, &zero) != 0)
		return svc_fail(err, OWED_EINPUT, "OWED_LOCALE: '%s' is not a known locale (expected "
		                "en, nl-NL, nl-BE or fr-BE)", locale);
	snprintf(ctx->locale, sizeof ctx->locale, "%s", locale);
	if (date_today(&d) != 0)
		return today && *today
		       ? svc_fail(err, OWED_EINPUT, "OWED_TODAY: '%s' is not a date (expected "
		                  "YYYY-MM-DD)", today)
		       : svc_fail(err, OWED_EIO, "cannot read today's date from the system clock");
	return 0;
}

static int read_admin(const svc_admin_input *in, owed_admin *a, owed_error *err)
{
	long terms = 30;
	memset(a, 0, sizeof *a);
	strcpy(a->code, "main");
	strcpy(a->country, "NL");
	strcpy(a->currency, "EUR");
	if (!in->name || !*in->name)
		return svc_fail(err, OWED_EUSAGE, "name: the administration needs a name (--name)");
	if (svc_read_text("name", in->name, a->name, sizeof a->name, err) ||
	    (in->code && svc_read_text("code", in->code, a->code, sizeof a->code, err)) ||
	    (in->address && svc_read_text("address", in->address, a->address, sizeof a->address,
	                                  err)) ||
	    (in->country && svc_read_country("country", in->country, a->country, err)) ||
	    (in->kvk && svc_read_text("kvk", in->kvk, a->kvk, sizeof a->kvk, err)) ||
	    (in->vat && svc_read_text("vat", in->vat, a->vat, sizeof a->vat, err)) ||
	    (in->iban && svc_read_iban("iban", in->iban, a->iban, sizeof a->iban, err)) ||
	    (in->currency && svc_read_currency("currency", in->currency, a->currency, err)) ||
	    (in->terms_days && svc_read_int("terms", in->terms_days, 0, 3650, &terms, err)))
		return err->code;
	a->terms_days = (int)terms;
	if (in->cannot_deduct_vat) {
		if (strcmp(in->cannot_deduct_vat, "yes") != 0 && strcmp(in->cannot_deduct_vat, "no"))
			return svc_fail(err, OWED_EINPUT, "cannot-deduct-vat: '%s' is not yes or no",
			                in->cannot_deduct_vat);
		a->cannot_deduct_vat = in->cannot_deduct_vat[0] == 'y';
	}
	return 0;
}

int svc_init(const char *path, const svc_admin_input *in, owed_error *err)
{
	owed_ctx ctx = { 0 };
	char why[300];
	svc_sepa_creditor sepa = { "", "" };
	cJSON *p;
	int rc;

	if ((rc = read_admin(in, &ctx.admin, err)) != 0 || (rc = read_environment(&ctx, err)) != 0)
		return rc;
	if ((in->creditor_id && svc_read_creditor_id("creditor-id", in->creditor_id,
	                                             sepa.creditor_id, sizeof sepa.creditor_id,
	                                             err)) ||
	    (in->bic && svc_read_bic("bic", in->bic, sepa.bic, sizeof sepa.bic, err)))
		return err->code;
	if (access(path, F_OK) == 0)
		return svc_fail(err, OWED_EEXIST, "database %s exists already; choose another path "
		                "(--db) or remove it", path);
	if ((rc = store_open(path, STORE_OPEN_CREATE, &ctx.st, why, sizeof why)) != 0)
		return svc_fail(err, rc, "%s", why);
	if ((rc = store_begin(ctx.st)) == 0 && (rc = store_admin_insert(ctx.st, &ctx.admin)) == 0) {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "code", ctx.admin.code);
		cJSON_AddStringToObject(p, "name", ctx.admin.name);
		cJSON_AddStringToObject(p, "currency", ctx.admin.currency);
		if (sepa.creditor_id[0])
			cJSON_AddStringToObject(p, "sepa_creditor_id", sepa.creditor_id);
		if (sepa.bic[0])
			cJSON_AddStringToObject(p, "bic", sepa.bic);
		if ((sepa.creditor_id[0] || sepa.bic[0]) &&
		    (rc = store_sepa_creditor_set(ctx.st, ctx.admin.id, sepa.creditor_id, sepa.bic)))
			cJSON_Delete(p);
		else if ((rc = svc_event(&ctx, "administration", ctx.admin.id, 0, 0, "created", p,
		                         err)) == 0)
			rc = store_commit(ctx.st);
	}
	if (rc != 0) {
		store_rollback(ctx.st);
		if (!err->code)
			svc_store_fail(&ctx, rc, "creating the administration", err);
	}
	store_close(ctx.st);
	if (rc != 0)
		unlink(path);
	return rc;
}

int svc_open(const char *path, const char *admin_code, owed_ctx *ctx, owed_error *err)
{
	char why[300];
	int rc;

	memset(ctx, 0, sizeof *ctx);
	if ((rc = read_environment(ctx, err)) != 0)
		return rc;
	if (access(path, F_OK) != 0)
		return svc_fail(err, OWED_EIO, "no database at %s: create one with 'owed init' "
		                "(or set OWED_DB / --db)", path);
	if ((rc = store_open(path, STORE_OPEN_EXISTING, &ctx->st, why, sizeof why)) != 0)
		return svc_fail(err, rc, "%s", why);
	if ((rc = store_admin_get(ctx->st, admin_code, &ctx->admin)) != 0) {
		store_close(ctx->st);
		ctx->st = NULL;
		if (rc == OWED_ENOTFOUND)
			return svc_fail(err, OWED_EINPUT, "admin: no administration '%s' in %s",
			                admin_code ? admin_code : "(any)", path);
		return svc_fail(err, rc, "reading the administration: %s", path);
	}
	return 0;
}

void svc_close(owed_ctx *ctx)
{
	store_close(ctx->st);
	ctx->st = NULL;
}

int svc_event(owed_ctx *ctx, const char *entity, int64_t entity_id, int64_t debtor_id,
              int64_t invoice_id, const char *kind, cJSON *payload, owed_error *err)
{
	char *text = cJSON_PrintUnformatted(payload);
	store_event ev = {
		.actor = ctx->actor, .entity = entity, .kind = kind, .payload = text,
		.entity_id = entity_id, .debtor_id = debtor_id, .invoice_id = invoice_id,
	};
	int rc = text ? store_event_append(ctx->st, &ev) : OWED_ENOMEM;
	cJSON_Delete(payload);
	free(text);
	return rc ? svc_store_fail(ctx, rc, "writing the dossier", err) : 0;
}

int svc_store_fail(owed_ctx *ctx, int rc, const char *doing, owed_error *err)
{
	if (rc == OWED_ENOMEM)
		return svc_fail(err, rc, "%s: out of memory", doing);
	return svc_fail(err, rc == OWED_EREFUSED ? OWED_EREFUSED : OWED_EIO,
	                "%s: database error: %s", doing, store_error(ctx->st));
}

int svc_end_tx(owed_ctx *ctx, int rc, const char *doing, owed_error *err)
{
	if (rc == 0 && (rc = store_commit(ctx->st)) != 0)
		svc_store_fail(ctx, rc, doing, err);
	if (rc)
		store_rollback(ctx->st);
	return rc;
}

int svc_find_debtor(owed_ctx *ctx, const char *field, const char *number, owed_debtor *out,
                    owed_error *err)
{
	int rc;
	if (!number || !*number)
		return svc_fail(err, OWED_EUSAGE, "%s: a debtor number is required", field);
	rc = store_debtor_lookup(ctx->st, ctx->admin.id, number, out);
	if (rc == OWED_ENOTFOUND)
		return svc_fail(err, OWED_EINPUT, "%s: no debtor '%s' (see 'owed debtor list')",
		                field, number);
	return rc ? svc_store_fail(ctx, rc, "reading the debtor", err) : 0;
}

int svc_find_invoice(owed_ctx *ctx, const char *field, const char *number, owed_invoice *out,
                     owed_error *err)
{
	int rc;
	if (!number || !*number)
		return svc_fail(err, OWED_EUSAGE, "%s: an invoice number is required", field);
	rc = store_invoice_get(ctx->st, ctx->admin.id, number, out);
	if (rc == OWED_ENOTFOUND)
		return svc_fail(err, OWED_EINPUT, "%s: no invoice '%s' (see 'owed invoice list')",
		                field, number);
	return rc ? svc_store_fail(ctx, rc, "reading the invoice", err) : 0;
}
