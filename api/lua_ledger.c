/*
 * lua_ledger.c -- owed.ledger: the ledger as a plugin sees it.  Reads give plain tables
 * (amounts as owed.money values, dates as "YYYY-MM-DD"); writes go through the same services
 * as the CLI, so the core's invariants hold and the dossier names the plugin as the actor.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/money.h"

static owed_ctx *ledger_of(lua_State *L, const char *fn)
{
	api_env *env = api_env_of(L);
	if (!env->ledger || !env->ledger->st)
		luaL_error(L, "%s: no ledger is open", fn);
	return env->ledger;
}

static void push_debtor(lua_State *L, const owed_debtor *d, const char *cur)
{
	lua_createtable(L, 0, 16);
	api_set_string(L, "number", d->number);
	api_set_string(L, "name", d->name);
	api_set_string(L, "kind", ledger_debtor_kind_name(d->kind));
	api_set_string(L, "country", d->country);
	api_set_string(L, "language", d->language);
	api_set_string(L, "email", d->email);
	api_set_string(L, "address", d->address);
	api_set_string(L, "iban", d->iban);
	api_set_string(L, "tags", d->tags);
	api_set_string(L, "external_ids", d->external_ids);
	lua_pushinteger(L, d->terms_days);
	lua_setfield(L, -2, "terms_days");
	api_set_money(L, "credit_limit", d->credit_limit, cur);
	api_set_money(L, "open", d->open_total, cur);
	api_set_money(L, "overdue", d->overdue_total, cur);
	lua_pushinteger(L, d->open_invoices);
	lua_setfield(L, -2, "open_invoices");
}

static void push_invoice(lua_State *L, const owed_invoice *inv)
{
	const char *c = inv->currency;
	lua_createtable(L, 0, 18);
	api_set_string(L, "number", inv->number);
	api_set_string(L, "debtor", inv->debtor_number);
	api_set_string(L, "debtor_name", inv->debtor_name);
	api_set_date(L, "issue_date", inv->issue_date);
	api_set_date(L, "due_date", inv->due_date);
	api_set_string(L, "currency", c);
	api_set_money(L, "amount", inv->amount, c);
	api_set_money(L, "vat", inv->vat, c);
	api_set_money(L, "charges", inv->charges, c);
	api_set_money(L, "allocated", inv->allocated, c);
	api_set_money(L, "credited", inv->credited, c);
	api_set_money(L, "written_off", inv->written_off, c);
	api_set_money(L, "open", inv->open, c);
	api_set_string(L, "reference", inv->reference);
	api_set_string(L, "description", inv->description);
	api_set_string(L, "status", ledger_status_name(inv->status));
}

static void push_payment(lua_State *L, const owed_payment *p)
{
	lua_createtable(L, 0, 10);
	lua_pushinteger(L, p->id);
	lua_setfield(L, -2, "id");
	api_set_date(L, "date", p->date);
	api_set_string(L, "currency", p->currency);
	api_set_money(L, "amount", p->amount, p->currency);
	api_set_money(L, "unallocated", p->unallocated, p->currency);
	api_set_string(L, "counterparty", p->counterparty);
	api_set_string(L, "iban", p->iban);
	api_set_string(L, "remittance", p->remittance);
	api_set_string(L, "source", p->source);
	api_set_money(L, "returned", p->returned, p->currency);
	api_set_string(L, "review", p->review);
}

/* Appends the value on top to the array just below it. */
static void append(lua_State *L)
{
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
}

/* ------------------------------------------------------------------ reads */

static int l_administration(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.administration");
	const owed_admin *a = &ctx->admin;
	lua_createtable(L, 0, 9);
	api_set_string(L, "code", a->code);
	api_set_string(L, "name", a->name);
	api_set_string(L, "address", a->address);
	api_set_string(L, "country", a->country);
	api_set_string(L, "kvk", a->kvk);
	api_set_string(L, "vat", a->vat);
	api_set_string(L, "iban", a->iban);
	api_set_string(L, "currency", a->currency);
	lua_pushinteger(L, a->terms_days);
	lua_setfield(L, -2, "terms_days");
	return 1;
}

static int l_debtor(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.debtor");
	owed_error err = { 0 };
	owed_debtor d;
	int rc = svc_debtor_get(ctx, luaL_checkstring(L, 1), &d, &err);
	if (rc == OWED_EINPUT) {
		lua_pushnil(L);
		return 1;
	}
	if (rc)
		return luaL_error(L, "owed.ledger.debtor: %s", err.msg);
	push_debtor(L, &d, ctx->admin.currency);
	return 1;
}

typedef struct list_ud { lua_State *L; const char *cur; } list_ud;

static int each_debtor(const owed_debtor *d, void *ud)
{
	list_ud *u = ud;
	push_debtor(u->L, d, u->cur);
	append(u->L);
	return 0;
}

static int l_debtors(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.debtors");
	owed_error err = { 0 };
	list_ud u = { L, ctx->admin.currency };
	lua_newtable(L);
	if (svc_debtor_list(ctx, each_debtor, &u, &err) != 0)
		return luaL_error(L, "owed.ledger.debtors: %s", err.msg);
	return 1;
}

static int l_invoice(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.invoice");
	owed_error err = { 0 };
	owed_invoice inv;
	int rc = svc_invoice_get(ctx, luaL_checkstring(L, 1), &inv, &err);
	if (rc == OWED_EINPUT) {
		lua_pushnil(L);
		return 1;
	}
	if (rc)
		return luaL_error(L, "owed.ledger.invoice: %s", err.msg);
	push_invoice(L, &inv);
	return 1;
}

/* invoice_by_reference(ref) -> invoice | nil, why */
static int l_invoice_by_reference(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.invoice_by_reference");
	owed_error err = { 0 };
	owed_invoice inv;
	const char *ref = luaL_checkstring(L, 1);
	int rc = svc_invoice_by_reference(ctx, ref, &inv, &err);
	if (rc == OWED_ENOTFOUND) {
		lua_pushnil(L);
		return 1;
	}
	if (rc == OWED_EEXIST) {
		lua_pushnil(L);
		lua_pushfstring(L, "more than one invoice carries reference %s", ref);
		return 2;
	}
	if (rc)
		return luaL_error(L, "owed.ledger.invoice_by_reference: %s", err.msg);
	push_invoice(L, &inv);
	return 1;
}

static int each_number(const char *number, void *ud)
{
	lua_pushstring(ud, number);
	append(ud);
	return 0;
}

/* debtors_by_iban(iban) -> { "D1", ... } */
static int l_debtors_by_iban(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.debtors_by_iban");
	owed_error err = { 0 };
	const char *iban = luaL_checkstring(L, 1);
	lua_newtable(L);
	if (svc_debtors_by_iban(ctx, iban, each_number, L, &err) != 0)
		return luaL_error(L, "owed.ledger.debtors_by_iban: %s", err.msg);
	return 1;
}

static int each_invoice(const owed_invoice *inv, void *ud)
{
	push_invoice(ud, inv);
	append(ud);
	return 0;
}

/* invoices{ debtor=, open=true, overdue=true, limit= } */
static int l_invoices(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.invoices");
	svc_invoice_query q = { 0 };
	owed_error err = { 0 };
	if (lua_istable(L, 1)) {
		lua_getfield(L, 1, "debtor");
		q.debtor = lua_tostring(L, -1);
		lua_getfield(L, 1, "open");
		q.open_only = lua_toboolean(L, -1);
		lua_getfield(L, 1, "overdue");
		q.overdue_only = lua_toboolean(L, -1);
		lua_getfield(L, 1, "limit");
		q.limit = (int)luaL_optinteger(L, -1, 0);
		lua_pop(L, 3);          /* the debtor string stays on the stack */
	}
	lua_newtable(L);
	if (svc_invoice_list(ctx, &q, each_invoice, L, &err) != 0)
		return luaL_error(L, "owed.ledger.invoices: %s", err.msg);
	return 1;
}

static int each_payment(const owed_payment *p, void *ud)
{
	push_payment(ud, p);
	append(ud);
	return 0;
}

static int l_payments(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.payments");
	owed_error err = { 0 };
	const char *debtor = NULL;
	if (lua_istable(L, 1)) {
		lua_getfield(L, 1, "debtor");
		debtor = lua_tostring(L, -1);
	}
	lua_newtable(L);
	if (svc_payment_list(ctx, debtor, each_payment, L, &err) != 0)
		return luaL_error(L, "owed.ledger.payments: %s", err.msg);
	return 1;
}

static int each_event(const store_event *ev, void *ud)
{
	lua_State *L = ud;
	lua_createtable(L, 0, 6);
	lua_pushinteger(L, ev->id);
	lua_setfield(L, -2, "id");
	api_set_string(L, "at", ev->at);
	api_set_string(L, "actor", ev->actor);
	api_set_string(L, "entity", ev->entity);
	api_set_string(L, "kind", ev->kind);
	api_set_string(L, "payload", ev->payload);
	append(L);
	return 0;
}

/* history{ debtor = N } or history{ invoice = X }: the dossier, oldest first; each event's
 * payload is its JSON text (owed.json.decode reads it). */
static int l_history(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.history");
	owed_error err = { 0 };
	const char *debtor, *invoice;
	int rc;
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "debtor");
	debtor = lua_tostring(L, -1);
	lua_getfield(L, 1, "invoice");
	invoice = lua_tostring(L, -1);
	if (!debtor == !invoice)
		return luaL_error(L, "owed.ledger.history: give debtor or invoice");
	lua_newtable(L);
	rc = debtor ? svc_dossier_debtor(ctx, debtor, each_event, L, &err)
	            : svc_dossier_invoice(ctx, invoice, each_event, L, &err);
	if (rc)
		return luaL_error(L, "owed.ledger.history: %s", err.msg);
	return 1;
}

static int each_letter(const store_letter_row *r, void *ud)
{
	lua_State *L = ud;
	char file[160], date[16];
	date_format_iso(r->date, date, sizeof date);
	snprintf(file, sizeof file, "%s-%s-%lld.pdf", date, r->step, (long long)r->id);
	lua_createtable(L, 0, 8);
	lua_pushinteger(L, r->id);
	lua_setfield(L, -2, "id");
	api_set_string(L, "step", r->step);
	api_set_string(L, "date", date);
	api_set_string(L, "subject", r->subject);
	api_set_string(L, "lang", r->lang);
	api_set_string(L, "sha256", r->hash);
	api_set_string(L, "file", file);
	if (r->pdf) {
		lua_pushlstring(L, r->pdf, r->pdf_len);
		lua_setfield(L, -2, "pdf");
	}
	append(L);
	return 0;
}

/* letters{ debtor = N }: the letters sent in its cases, oldest first, with their PDFs. */
static int l_letters(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.letters");
	owed_error err = { 0 };
	const char *debtor;
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "debtor");
	debtor = luaL_checkstring(L, -1);
	lua_newtable(L);
	if (svc_letters(ctx, debtor, each_letter, L, &err) != 0)
		return luaL_error(L, "owed.ledger.letters: %s", err.msg);
	return 1;
}

/* ------------------------------------------------------------------ writes */

/* charge(invoice, { amount = money, kind = "fee", date = "YYYY-MM-DD", description = "" }) */
static int l_charge(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.charge");
	const char *number = luaL_checkstring(L, 1), *kind, *date, *desc;
	char cur[4], amount[40];
	owed_error err = { 0 };
	owed_invoice inv;
	api_as_plugin saved;
	int64_t minor;
	int rc;

	luaL_checktype(L, 2, LUA_TTABLE);
	lua_getfield(L, 2, "amount");
	minor = api_check_money(L, -1, cur);
	lua_getfield(L, 2, "kind");
	kind = luaL_optstring(L, -1, "fee");
	lua_getfield(L, 2, "date");
	date = lua_tostring(L, -1);
	lua_getfield(L, 2, "description");
	desc = lua_tostring(L, -1);
	if (svc_invoice_get(ctx, number, &inv, &err) == 0 && strcmp(inv.currency, cur) != 0)
		return luaL_error(L, "owed.ledger.charge: currencies differ (%s, %s)", inv.currency,
		                  cur);
	money_format(minor, money_exponent(cur), NULL, "C", MONEY_FMT_PLAIN, amount,
	             sizeof amount);
	/* the service reads typed text: give it the machine form, and name the plugin */
	api_as_plugin_enter(L, ctx, &saved);
	rc = svc_invoice_charge(ctx, number, kind, amount, date, desc, &inv, &err);
	api_as_plugin_leave(ctx, &saved);
	if (rc)
		return luaL_error(L, "owed.ledger.charge: %s", err.msg);
	push_invoice(L, &inv);
	return 1;
}

/* t[key] as text (left on the stack, so it lives as long as the call), or NULL. */
static const char *text_field(lua_State *L, int t, const char *key)
{
	lua_getfield(L, t, key);
	return lua_tostring(L, -1);
}

/* pay(invoice, { amount = money, date = "YYYY-MM-DD", counterparty = "", iban = "",
 * remittance = "", source = "" }): a payment received from the invoice's debtor, allocated to
 * the invoice as far as it is open; the rest (all of it, when nothing is open) stays as the
 * debtor's credit.  One transaction, dossier events "received" and "allocated". */
static int l_pay(lua_State *L)
{
	owed_ctx *ctx = ledger_of(L, "owed.ledger.pay");
	const char *number = luaL_checkstring(L, 1);
	char cur[4], amount[40];
	owed_error err = { 0 };
	owed_invoice inv;
	owed_payment pay;
	svc_allocation_input alloc = { number, NULL };
	svc_payment_input in = { 0 };
	api_as_plugin saved;
	int64_t minor;
	int rc;

	luaL_checktype(L, 2, LUA_TTABLE);
	lua_getfield(L, 2, "amount");
	minor = api_check_money(L, -1, cur);
	in.date = text_field(L, 2, "date");
	in.counterparty = text_field(L, 2, "counterparty");
	in.iban = text_field(L, 2, "iban");
	in.remittance = text_field(L, 2, "remittance");
	in.source = text_field(L, 2, "source");
	if (minor <= 0)
		return luaL_error(L, "owed.ledger.pay: amount: expected more than zero");
	if (svc_invoice_get(ctx, number, &inv, &err) != 0)
		return luaL_error(L, "owed.ledger.pay: %s", err.msg);
	if (strcmp(inv.currency, cur) != 0)
		return luaL_error(L, "owed.ledger.pay: currencies differ (invoice %s in %s, payment "
		                  "in %s)", inv.number, inv.currency, cur);
	money_format(minor, money_exponent(cur), NULL, "C", MONEY_FMT_PLAIN, amount,
	             sizeof amount);
	in.amount = amount;
	in.currency = cur;
	in.debtor = inv.debtor_number;
	if (inv.open > 0) {
		in.alloc = &alloc;
		in.nalloc = 1;
	}
	api_as_plugin_enter(L, ctx, &saved);
	rc = svc_payment_add(ctx, &in, &pay, &err);
	api_as_plugin_leave(ctx, &saved);
	if (rc)
		return luaL_error(L, "owed.ledger.pay: %s", err.msg);
	push_payment(L, &pay);
	return 1;
}

int api_open_ledger(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "administration", l_administration }, { "debtor", l_debtor },
		{ "debtors", l_debtors }, { "invoice", l_invoice }, { "invoices", l_invoices },
		{ "invoice_by_reference", l_invoice_by_reference },
		{ "debtors_by_iban", l_debtors_by_iban },
		{ "payments", l_payments }, { "history", l_history }, { "charge", l_charge },
		{ "pay", l_pay },
		{ "letters", l_letters },
		{ NULL, NULL }
	};
	luaL_newlib(L, fns);
	return 1;
}
