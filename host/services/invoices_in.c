/*
 * invoices_in.c -- `owed import invoices`: documents from an invoice importer (plugins/ubl,
 * plugins/csv-invoices; docs/import.md gives their shape) booked through the same services as
 * the CLI's invoice add and credit, one transaction per file.
 *
 * A debtor the ledger does not know is created from the document's buyer; an invoice number
 * already in the ledger is skipped (a file imported twice books nothing twice); a credit note
 * is booked against the invoice it names.  A document the ledger refuses refuses the file,
 * with the document's place in it.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/money.h"
#include "core/ref.h"
#include "services/importer.h"
#include "services/internal.h"
#include "services/money_in.h"

typedef struct inv_file {
	owed_ctx *ctx;
	const svc_import_options *o;
	svc_invoice_cb cb;
	void *ud;
	svc_invoice_result *res;
	owed_error *err;
	const char *path;
} inv_file;

typedef struct doc_text {
	char type[16], number[64], issue[16], due[16], currency[4], amount[32], vat[32];
	char reference[64], description[LEDGER_NAME_MAX], credited[64], where[64];
	char d_number[64], d_name[LEDGER_NAME_MAX], d_kind[16], d_country[8], d_email[160];
	char d_address[LEDGER_TEXT_MAX];
} doc_text;

/* An amount in the machine notation the services read back exactly ("1234.56"). */
static void amount_of(lua_State *L, int t, const char *key, char *out, size_t size,
                      char ccy[4])
{
	out[0] = '\0';
	if (lua_getfield(L, t, key) != LUA_TNIL) {
		int64_t v = api_check_money(L, -1, ccy);
		money_format(v, money_exponent(ccy), NULL, "C", MONEY_FMT_PLAIN, out, size);
	}
	lua_pop(L, 1);
}

static void read_doc(lua_State *L, int t, doc_text *d)
{
	char ccy[4] = "";
	memset(d, 0, sizeof *d);
	svc_lua_text(L, t, "type", d->type, sizeof d->type);
	svc_lua_text(L, t, "number", d->number, sizeof d->number);
	svc_lua_text(L, t, "issue_date", d->issue, sizeof d->issue);
	svc_lua_text(L, t, "due_date", d->due, sizeof d->due);
	svc_lua_text(L, t, "currency", d->currency, sizeof d->currency);
	amount_of(L, t, "amount", d->amount, sizeof d->amount, ccy);
	amount_of(L, t, "vat", d->vat, sizeof d->vat, ccy);
	if (!d->currency[0])
		memcpy(d->currency, ccy, sizeof d->currency);
	svc_lua_text(L, t, "reference", d->reference, sizeof d->reference);
	svc_lua_text(L, t, "description", d->description, sizeof d->description);
	svc_lua_text(L, t, "credited_invoice", d->credited, sizeof d->credited);
	svc_lua_text(L, t, "where", d->where, sizeof d->where);
	if (lua_getfield(L, t, "debtor") == LUA_TTABLE) {
		int b = lua_gettop(L);
		svc_lua_text(L, b, "number", d->d_number, sizeof d->d_number);
		svc_lua_text(L, b, "name", d->d_name, sizeof d->d_name);
		svc_lua_text(L, b, "kind", d->d_kind, sizeof d->d_kind);
		svc_lua_text(L, b, "country", d->d_country, sizeof d->d_country);
		svc_lua_text(L, b, "email", d->d_email, sizeof d->d_email);
		svc_lua_text(L, b, "address", d->d_address, sizeof d->d_address);
	}
	lua_pop(L, 1);
}

static int ensure_debtor(inv_file *f, const doc_text *d, owed_error *err)
{
	owed_debtor found;
	svc_debtor_input in = { .number = d->d_number, .name = d->d_name,
	                        .kind = d->d_kind[0] ? d->d_kind : NULL,
	                        .country = d->d_country[0] ? d->d_country : NULL,
	                        .email = d->d_email[0] ? d->d_email : NULL,
	                        .address = d->d_address[0] ? d->d_address : NULL };
	if (!d->d_number[0])
		return svc_fail(err, OWED_EINPUT, "no debtor number (expected the buyer's id)");
	if (store_debtor_lookup(f->ctx->st, f->ctx->admin.id, d->d_number, &found) == 0)
		return 0;
	if (!d->d_name[0])
		in.name = d->d_number;
	f->res->debtors_created++;
	return svc_debtor_add(f->ctx, &in, NULL, err);
}

static const char *book_doc(inv_file *f, const doc_text *d, owed_error *err)
{
	owed_invoice existing;
	ref_kind kind;
	int rc;
	if ((rc = ensure_debtor(f, d, err)) != 0)
		return NULL;
	if (strcmp(d->type, "credit_note") == 0) {
		if (!d->credited[0]) {
			svc_fail(err, OWED_EINPUT, "credit note %s names no invoice it credits", d->number);
			return NULL;
		}
		if (svc_invoice_credit(f->ctx, d->credited, d->amount, d->issue, d->number,
		                       "imported credit note", NULL, err) != 0)
			return NULL;
		f->res->credited++;
		return "credited";
	}
	if (store_invoice_get(f->ctx->st, f->ctx->admin.id, d->number, &existing) == 0) {
		f->res->duplicates++;
		return "already in the ledger";
	}
	{
		svc_invoice_input in = {
			.number = d->number, .debtor = d->d_number, .issue_date = d->issue,
			.due_date = d->due[0] ? d->due : NULL, .currency = d->currency,
			.amount = d->amount, .vat = d->vat[0] ? d->vat : NULL,
			/* a payment id that is no structured reference stays out of the matching key */
			.reference = d->reference[0] && ref_check(d->reference, &kind) == 0
			             ? d->reference : NULL,
			.description = d->description[0] ? d->description : NULL,
		};
		if (svc_invoice_add(f->ctx, &in, NULL, err) != 0)
			return NULL;
	}
	f->res->booked++;
	return "booked";
}

static int documents(lua_State *co, int t, void *ud, char *msg, size_t size)
{
	inv_file *f = ud;
	lua_Integer n;
	int docs;
	if (lua_getfield(co, t, "documents") != LUA_TTABLE) {
		snprintf(msg, size, "the importer returned no documents (is this an invoice file?)");
		return OWED_EINPUT;
	}
	docs = lua_gettop(co);
	n = (lua_Integer)lua_rawlen(co, docs);
	for (lua_Integer i = 1; i <= n; i++) {
		doc_text d;
		owed_error e = { 0 };
		const char *outcome;
		if (lua_rawgeti(co, docs, i) != LUA_TTABLE) {
			lua_pop(co, 1);
			continue;
		}
		read_doc(co, lua_gettop(co), &d);
		lua_pop(co, 1);
		f->res->read++;
		if (!(outcome = book_doc(f, &d, &e))) {
			snprintf(msg, size, "%s: %s %s: %.400s", d.where[0] ? d.where : "document",
			         d.type, d.number, e.msg);
			lua_pop(co, 1);
			return e.code ? e.code : OWED_EINPUT;
		}
		if (f->cb) {
			svc_invoice_line l = { f->path, d.type, d.number, d.d_number, d.amount,
			                       d.currency, outcome };
			f->cb(&l, f->ud);
		}
		if (f->o->progress)
			f->o->progress(f->path, (size_t)i, (size_t)n, f->o->progress_ud);
	}
	lua_pop(co, 1);
	return 0;
}

int svc_import_invoices(owed_ctx *ctx, rt *r, const char *const *files, size_t nfiles,
                        const svc_import_options *o, svc_invoice_cb cb, void *ud,
                        svc_invoice_result *res, owed_error *err)
{
	char saved[sizeof ctx->locale], sha[65];
	int first = 0;
	memset(res, 0, sizeof *res);
	if (nfiles == 0)
		return svc_fail(err, OWED_EUSAGE, "FILE: name at least one invoice file");
	/* the documents' amounts are handed to the services in the machine notation */
	memcpy(saved, ctx->locale, sizeof saved);
	snprintf(ctx->locale, sizeof ctx->locale, "C");
	for (size_t i = 0; i < nfiles; i++) {
		owed_error one = { 0 };
		inv_file f = { ctx, o, cb, ud, res, &one, files[i] };
		const char *name;
		int rc = store_begin(ctx->st);
		if (rc)
			svc_store_fail(ctx, rc, "importing", &one);
		else if ((rc = imp_run(r, files[i], o->format, sha, &name, documents, &f, &one)) != 0 ||
		         o->dry_run)
			store_rollback(ctx->st);
		else if ((rc = store_commit(ctx->st)) != 0) {
			svc_store_fail(ctx, rc, "importing", &one);
			store_rollback(ctx->st);
		}
		if (rc == 0)
			res->files++;
		else if (!first++)
			*err = one;
		else
			fprintf(stderr, "owed: %s\n", one.msg);
	}
	memcpy(ctx->locale, saved, sizeof saved);
	return first ? err->code : 0;
}
