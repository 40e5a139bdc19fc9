/*
 * matching.c -- one bank entry booked: the matcher plugins place a credit, the host returns
 * what a debit reverses; and the review queue a person works through.
 *
 * A matcher's hook match(p) gets the payment (amount, date, iban, counterparty, remittance,
 * structured reference, end-to-end id) and answers nil (no opinion: the next matcher is
 * asked) or a decision:
 *   { debtor = "D1", allocations = { { invoice = "F1", amount = money|nil }, ... },
 *     write_off = { invoice = "F2" }, rule = "reference", why = "..." }
 *   { review = true, why = "two invoices of 100.00 open: F1, F2" }
 * The host applies a decision under the ledger's own rules; one the ledger refuses goes to
 * review with the refusal as its reason, so a faulty matcher can misplace nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/money.h"
#include "core/ref.h"
#include "services/internal.h"
#include "services/matching.h"
#include "services/money_in.h"
#include "services/sepa.h"

#define MATCH_MAX_ALLOC 32

static const char *const kind_names[] = { "matched", "review", "credit", "reversal", "refund",
                                          "ignored" };

const char *match_outcome_name(match_kind k)
{
	return kind_names[k];
}

/* ------------------------------------------------------------------ asking the matchers */

typedef struct decision {
	int answered, review;
	char debtor[64], rule[32], why[256], write_off[64];
	struct { char invoice[64]; int64_t amount; } a[MATCH_MAX_ALLOC];   /* amount -1: all */
	int na;
	char failure[256];
} decision;

static void set_opt(lua_State *L, const char *key, const char *v)
{
	if (v && *v)
		api_set_string(L, key, v);
}

static int push_payment(lua_State *co, void *ud)
{
	const match_entry *m = ud;
	lua_createtable(co, 0, 10);
	api_set_money(co, "amount", m->amount, m->currency);
	api_set_string(co, "currency", m->currency);
	api_set_date(co, "date", m->date);
	set_opt(co, "iban", m->iban);
	set_opt(co, "counterparty", m->name);
	set_opt(co, "remittance", m->remittance);
	set_opt(co, "structured", m->structured);
	set_opt(co, "scheme", m->scheme);
	set_opt(co, "end_to_end", m->end_to_end);
	set_opt(co, "bank_reference", m->bank_ref);
	return 1;
}

static void decided(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                    void *ud)
{
	decision *d = ud;
	int t;
	(void)p;
	if (status != 0) {
		const char *nl = msg ? strchr(msg, '\n') : NULL;
		snprintf(d->failure, sizeof d->failure, "%.*s", nl ? (int)(nl - msg) : 255,
		         msg ? msg : "the matcher failed");
		return;
	}
	if (nres < 1 || !lua_istable(co, -nres))
		return;                          /* nil: no opinion */
	t = lua_absindex(co, -nres);
	d->answered = 1;
	lua_getfield(co, t, "review");
	d->review = lua_toboolean(co, -1);
	lua_pop(co, 1);
	svc_lua_text(co, t, "debtor", d->debtor, sizeof d->debtor);
	svc_lua_text(co, t, "rule", d->rule, sizeof d->rule);
	svc_lua_text(co, t, "why", d->why, sizeof d->why);
	if (lua_getfield(co, t, "write_off") == LUA_TTABLE)
		svc_lua_text(co, lua_gettop(co), "invoice", d->write_off, sizeof d->write_off);
	lua_pop(co, 1);
	if (lua_getfield(co, t, "allocations") == LUA_TTABLE) {
		int a = lua_gettop(co);
		lua_Integer n = (lua_Integer)lua_rawlen(co, a);
		for (lua_Integer i = 1; i <= n && d->na < MATCH_MAX_ALLOC; i++) {
			char ccy[4];
			if (lua_rawgeti(co, a, i) == LUA_TTABLE) {
				svc_lua_text(co, lua_gettop(co), "invoice", d->a[d->na].invoice,
				     sizeof d->a[d->na].invoice);
				lua_getfield(co, -1, "amount");
				d->a[d->na].amount = lua_isnil(co, -1) ? -1 : api_check_money(co, -1, ccy);
				lua_pop(co, 1);
				d->na++;
			}
			lua_pop(co, 1);
		}
	}
	lua_pop(co, 1);
}

static void ask(rt *r, const char *const *names, size_t n, match_entry *m, decision *d)
{
	static const char *const standard[] = { "match-standard" };
	if (!names) {
		names = standard;
		n = 1;
	}
	for (size_t i = 0; i < n && !d->answered; i++) {
		owed_error err = { 0 };
		rt_plugin *p;
		if (rt_load(r, names[i], NULL, 0, &err) != 0 || !(p = rt_find(r, names[i]))) {
			snprintf(d->failure, sizeof d->failure, "matcher %s: %.200s", names[i], err.msg);
			return;
		}
		if (rt_call_sync(p, "match", m->where, push_payment, m, decided, d) != 0 && !d->failure[0])
			snprintf(d->failure, sizeof d->failure, "matcher %s failed", names[i]);
		if (d->failure[0])
			return;
	}
}

/* ------------------------------------------------------------------ credits */

/* Bank text into a ledger field: cut at the field's size on a UTF-8 character boundary (bank
 * remittance may be longer than owed keeps; the bank entry is the full record). */
static void clip(char *out, size_t size, const char *text)
{
	size_t len = text ? strlen(text) : 0;
	if (len >= size) {
		len = size - 1;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, text ? text : "", len);
	out[len] = '\0';
}

static void payment_from(owed_ctx *ctx, const match_entry *m, owed_payment *p)
{
	memset(p, 0, sizeof *p);
	p->admin_id = ctx->admin.id;
	p->date = m->date;
	memcpy(p->currency, m->currency, sizeof p->currency);
	p->amount = p->unallocated = m->amount;
	clip(p->counterparty, sizeof p->counterparty, m->name);
	if (!m->iban || iban_normalize(m->iban, p->iban, sizeof p->iban) != 0)
		clip(p->iban, sizeof p->iban, m->iban);
	/* the structured reference goes in front of the text, so matching it again later (the
	 * review queue, once the invoice is in the ledger) still sees it */
	if (m->structured && !(m->remittance && strstr(m->remittance, m->structured))) {
		char both[LEDGER_TEXT_MAX * 2];
		snprintf(both, sizeof both, "%s%s%s", m->structured, m->remittance ? " " : "",
		         m->remittance ? m->remittance : "");
		clip(p->remittance, sizeof p->remittance, both);
	} else
		clip(p->remittance, sizeof p->remittance, m->remittance);
	snprintf(p->source, sizeof p->source, "bank");
}

static cJSON *payment_event(const owed_payment *p, const match_outcome *o)
{
	cJSON *ev = cJSON_CreateObject();
	svc_json_date(ev, "date", p->date);
	cJSON_AddStringToObject(ev, "currency", p->currency);
	svc_json_money(ev, "amount", p->amount, p->currency);
	svc_json_money(ev, "unallocated", p->unallocated, p->currency);
	if (p->counterparty[0])
		cJSON_AddStringToObject(ev, "counterparty", p->counterparty);
	if (p->iban[0])
		cJSON_AddStringToObject(ev, "iban", p->iban);
	if (p->remittance[0])
		cJSON_AddStringToObject(ev, "remittance", p->remittance);
	cJSON_AddStringToObject(ev, "outcome", kind_names[o->kind]);
	if (o->rule[0])
		cJSON_AddStringToObject(ev, "rule", o->rule);
	if (o->why[0])
		cJSON_AddStringToObject(ev, "why", o->why);
	return ev;
}

/* What a decision comes to once checked: each invoice it names once, as it will be after the
 * payment, and the amount it gets. */
typedef struct plan {
	owed_invoice inv[MATCH_MAX_ALLOC];
	int64_t amount[MATCH_MAX_ALLOC];
	int n;
} plan;

/* Pass one: reads the invoices d names and checks each allocation as if the ones before it
 * were made (an invoice named twice is one allocation of both amounts), counting them into
 * pl and into p -- its debtor and what is left of it -- without writing anything. */
static int plan_allocations(owed_ctx *ctx, const decision *d, owed_payment *p, plan *pl,
                            owed_error *err)
{
	int rc;
	pl->n = 0;
	for (int i = 0; i < d->na; i++) {
		owed_invoice inv, *at = NULL;
		int64_t amount = d->a[i].amount;
		for (int k = 0; k < pl->n && !at; k++)
			if (strcmp(pl->inv[k].number, d->a[i].invoice) == 0)
				at = &pl->inv[k];
		if (!at && (rc = svc_find_invoice(ctx, "invoice", d->a[i].invoice, &inv, err)) != 0)
			return rc;
		if (!at) {
			at = &pl->inv[pl->n];
			*at = inv;
			pl->amount[pl->n++] = 0;
		}
		if (i == 0 && d->debtor[0] && strcmp(at->debtor_number, d->debtor) != 0)
			return svc_fail(err, OWED_EREFUSED, "invoice %s is debtor %s's, not %s's",
			                at->number, at->debtor_number, d->debtor);
		if (p->debtor_id && at->debtor_id != p->debtor_id)
			return svc_fail(err, OWED_EREFUSED, "invoice %s is another debtor's", at->number);
		if (amount < 0)
			amount = at->open < p->unallocated ? at->open : p->unallocated;
		if ((rc = svc_allocation_check(at, p, amount, err)) != 0)
			return rc;
		p->debtor_id = at->debtor_id;
		p->unallocated -= amount;
		at->allocated += amount;
		pl->amount[at - pl->inv] += amount;
		if ((rc = ledger_open(at, &at->open)) != 0)
			return svc_store_fail(ctx, rc, "allocating the payment", err);
	}
	return 0;
}

/* Applies d's allocations and write-off to p.  Everything is checked first (pass one), so a
 * new payment is inserted once, as it ends up, before the allocations that need its id; a
 * payment from the review queue is already in the ledger and its caller saves it. */
static int apply(owed_ctx *ctx, const decision *d, owed_payment *p, cJSON *list,
                 owed_error *err)
{
	const char *reason = d->rule[0] ? d->rule : "matched";
	owed_debtor debtor;
	plan *pl = malloc(sizeof *pl);
	int rc;
	if (!pl)
		return svc_fail(err, OWED_ENOMEM, "no memory to apply the decision");
	pl->n = 0;
	/* a decision naming invoices names their debtor too: the first invoice's row says who
	 * that is, and the debtor is looked up only for a payment kept as credit */
	if (d->debtor[0] && d->na == 0) {
		if ((rc = svc_find_debtor(ctx, "debtor", d->debtor, &debtor, err)) == 0)
			p->debtor_id = debtor.id;
	} else
		rc = plan_allocations(ctx, d, p, pl, err);
	if (rc == 0 && !p->id && !p->debtor_id)
		rc = svc_fail(err, OWED_EREFUSED, "the decision names no debtor and no invoice");
	if (rc == 0 && !p->id && (rc = store_payment_insert(ctx->st, p)) != 0)
		rc = svc_store_fail(ctx, rc, "booking the payment", err);
	for (int i = 0; rc == 0 && i < pl->n; i++)
		rc = svc_allocation_book(ctx, p, &pl->inv[i], pl->amount[i], reason, list, err);
	free(pl);
	if (rc == 0 && d->write_off[0]) {
		char date[16];
		date_format_iso(p->date, date, sizeof date);
		rc = svc_invoice_writeoff(ctx, d->write_off, NULL, date, "the rest of a payment "
		                          "within the matching tolerance (bank costs)", NULL, err);
	}
	return rc;
}

static int book_review(owed_ctx *ctx, const decision *d, owed_payment *p, match_outcome *o,
                       owed_error *err)
{
	owed_debtor debtor;
	int rc;
	o->kind = MATCH_REVIEW;
	if (d->debtor[0] && store_debtor_get(ctx->st, ctx->admin.id, d->debtor, &debtor) == 0)
		p->debtor_id = debtor.id;      /* known, though not which invoices */
	clip(p->review, sizeof p->review, o->why[0] ? o->why : "no rule matched");
	if ((rc = store_payment_insert(ctx->st, p)) != 0)
		return svc_store_fail(ctx, rc, "booking the payment", err);
	return 0;
}

/* A credit carrying the end-to-end id of one of our SEPA collections pays that collection's
 * invoice: the host knows it for certain, no matcher is asked.  The collection is paid. */
static int by_collection(owed_ctx *ctx, const match_entry *m, decision *d)
{
	store_collection c;
	owed_invoice inv;
	if (!m->end_to_end || store_collection_by_end_to_end(ctx->st, m->end_to_end, &c) != 0 ||
	    strcmp(c.state, "sent") != 0 || c.amount != m->amount ||
	    store_invoice_by_id(ctx->st, c.invoice_id, &inv) != 0 ||
	    store_collection_mark(ctx->st, c.id, "paid") != 0)
		return 0;
	d->answered = 1;
	d->na = 1;
	snprintf(d->a[0].invoice, sizeof d->a[0].invoice, "%s", inv.number);
	d->a[0].amount = -1;
	snprintf(d->rule, sizeof d->rule, "collection");
	snprintf(d->why, sizeof d->why, "SEPA collection %.60s of invoice %.60s", c.end_to_end,
	         inv.number);
	return 1;
}

static int book_credit(owed_ctx *ctx, rt *r, const char *const *matchers, size_t nmatchers,
                       match_entry *m, match_outcome *o, owed_error *err)
{
	decision d = { 0 };
	owed_payment p;
	cJSON *list = cJSON_CreateArray(), *ev;
	int rc;

	payment_from(ctx, m, &p);
	if (!by_collection(ctx, m, &d))
		ask(r, matchers, nmatchers, m, &d);
	snprintf(o->rule, sizeof o->rule, "%s", d.rule);
	snprintf(o->why, sizeof o->why, "%s", d.failure[0] ? d.failure : d.why);
	if (d.failure[0] || !d.answered || d.review) {
		if (!d.answered && !d.failure[0])
			snprintf(o->why, sizeof o->why, "no rule matched");
		rc = book_review(ctx, &d, &p, o, err);
	} else if ((rc = store_begin(ctx->st)) != 0) {
		cJSON_Delete(list);
		return svc_store_fail(ctx, rc, "booking the payment", err);
	} else if ((rc = apply(ctx, &d, &p, list, err)) != 0) {
		/* the ledger said no: nothing of the decision stays, a person decides */
		store_rollback(ctx->st);
		snprintf(o->why, sizeof o->why, "matched by %.20s, but refused: %.180s",
		         d.rule[0] ? d.rule : "a matcher", err->msg);
		err->code = 0;
		err->msg[0] = '\0';
		cJSON_Delete(list);
		list = cJSON_CreateArray();
		payment_from(ctx, m, &p);
		rc = book_review(ctx, &d, &p, o, err);
	} else {
		o->kind = cJSON_GetArraySize(list) > 0 ? MATCH_MATCHED : MATCH_CREDIT;
		if ((rc = store_commit(ctx->st)) != 0) {   /* apply inserted p as it ends up */
			store_rollback(ctx->st);
			cJSON_Delete(list);
			return svc_store_fail(ctx, rc, "booking the payment", err);
		}
	}
	if (rc) {
		cJSON_Delete(list);
		return rc;
	}
	o->payment_id = p.id;
	ev = payment_event(&p, o);
	cJSON_AddItemToObject(ev, "allocations", list);
	return svc_event(ctx, "payment", p.id, p.debtor_id, 0, "received", ev, err);
}

/* ------------------------------------------------------------------ debits */

typedef struct live_alloc { int64_t id, invoice_id, amount; } live_alloc;
typedef struct live_list { live_alloc a[MATCH_MAX_ALLOC * 4]; int n; } live_list;

static int collect_live(int64_t id, int64_t invoice_id, int64_t amount, void *ud)
{
	live_list *l = ud;
	if (l->n == (int)(sizeof l->a / sizeof l->a[0]))
		return OWED_EOVERFLOW;
	l->a[l->n++] = (live_alloc){ id, invoice_id, amount };
	return 0;
}

/* Returns payment pid to the payer whole: its allocations are reversed (the invoices open
 * again and are dunned again), nothing of it is left to allocate. */
static int reverse_payment(owed_ctx *ctx, int64_t pid, const match_entry *m, const char *why,
                           owed_error *err)
{
	owed_payment p;
	live_list live = { .n = 0 };
	cJSON *ev;
	int rc;

	if ((rc = store_payment_get(ctx->st, pid, &p)) != 0 ||
	    (rc = store_allocations_live(ctx->st, pid, collect_live, &live)) != 0)
		return svc_store_fail(ctx, rc, "reading the payment to reverse", err);
	for (int i = 0; i < live.n; i++) {
		owed_invoice inv;
		if ((rc = store_allocation_reverse(ctx->st, live.a[i].id, m->date)) != 0 ||
		    (rc = store_invoice_by_id(ctx->st, live.a[i].invoice_id, &inv)) != 0)
			return svc_store_fail(ctx, rc, "reversing the allocation", err);
		inv.allocated -= live.a[i].amount;
		if ((rc = ledger_open(&inv, &inv.open)) != 0 ||
		    (rc = store_invoice_save_totals(ctx->st, &inv)) != 0)
			return svc_store_fail(ctx, rc, "reopening the invoice", err);
		ev = cJSON_CreateObject();
		cJSON_AddNumberToObject(ev, "payment", (double)pid);
		svc_json_money(ev, "amount", live.a[i].amount, inv.currency);
		svc_json_money(ev, "open", inv.open, inv.currency);
		cJSON_AddStringToObject(ev, "why", why);
		if ((rc = svc_event(ctx, "invoice", inv.id, inv.debtor_id, inv.id, "payment_reversed",
		                    ev, err)) != 0)
			return rc;
	}
	p.unallocated = 0;
	p.returned = p.amount;
	p.review[0] = '\0';
	if ((rc = store_payment_save_state(ctx->st, &p)) != 0)
		return svc_store_fail(ctx, rc, "reversing the payment", err);
	ev = cJSON_CreateObject();
	svc_json_date(ev, "date", m->date);
	svc_json_money(ev, "amount", p.amount, p.currency);
	cJSON_AddNumberToObject(ev, "allocations_reversed", live.n);
	cJSON_AddStringToObject(ev, "why", why);
	return svc_event(ctx, "payment", pid, p.debtor_id, 0, "reversed", ev, err);
}

typedef struct refund { int64_t left; owed_ctx *ctx; owed_date date; owed_error *err; } refund;

static int refund_from(const owed_payment *cp, void *ud)
{
	refund *f = ud;
	owed_payment p = *cp;
	int64_t take;
	cJSON *ev;
	int rc;
	if (f->left == 0 || p.unallocated == 0 || p.review[0])
		return 0;
	take = p.unallocated < f->left ? p.unallocated : f->left;
	p.unallocated -= take;
	p.returned += take;
	f->left -= take;
	if ((rc = store_payment_save_state(f->ctx->st, &p)) != 0)
		return svc_store_fail(f->ctx, rc, "refunding", f->err);
	ev = cJSON_CreateObject();
	svc_json_date(ev, "date", f->date);
	svc_json_money(ev, "amount", take, p.currency);
	svc_json_money(ev, "unallocated", p.unallocated, p.currency);
	return svc_event(f->ctx, "payment", p.id, p.debtor_id, 0, "refunded", ev, f->err);
}

typedef struct credit_sum { int64_t sum; const char *currency; } credit_sum;

static int sum_credit(const owed_payment *p, void *ud)
{
	credit_sum *c = ud;
	if (!p->review[0] && strcmp(p->currency, c->currency) == 0)
		c->sum += p->unallocated;
	return 0;
}

static int one_id(int64_t id, void *ud)
{
	int64_t *out = ud;
	*out = *out ? -1 : id;     /* -1: more than one */
	return 0;
}

/* A returned SEPA collection is marked so (the reversal above reopened its invoice). */
static int returned_collection(owed_ctx *ctx, const match_entry *m, owed_error *err)
{
	store_collection c;
	if (store_collection_by_end_to_end(ctx->st, m->end_to_end, &c) != 0 ||
	    strcmp(c.state, "paid") != 0)
		return 0;
	return svc_collection_returned(ctx, m->end_to_end, m->date,
	                               m->remittance ? m->remittance : "returned", err);
}

static int book_debit(owed_ctx *ctx, match_entry *m, match_outcome *o, owed_error *err)
{
	char iban[40] = "";
	int64_t pid = 0, debtor = 0;
	int rc;

	o->kind = MATCH_IGNORED;
	if (m->iban)
		iban_normalize(m->iban, iban, sizeof iban);
	if (m->end_to_end && (pid = store_payment_by_end_to_end(ctx->st, m->end_to_end)) != 0) {
		owed_payment p;
		if ((rc = store_payment_get(ctx->st, pid, &p)) != 0)
			return svc_store_fail(ctx, rc, "reading the payment", err);
		if (p.amount == m->amount && p.returned == 0) {
			snprintf(o->rule, sizeof o->rule, "end-to-end");
			snprintf(o->why, sizeof o->why, "returns payment %lld (end-to-end id %s)",
			         (long long)pid, m->end_to_end);
			o->kind = MATCH_REVERSAL;
			o->payment_id = pid;
			if ((rc = reverse_payment(ctx, pid, m, o->why, err)) != 0)
				return rc;
			return returned_collection(ctx, m, err);
		}
	}
	if (m->reversal && iban[0] &&
	    (pid = store_payment_to_reverse(ctx->st, ctx->admin.id, iban, m->amount,
	                                    m->currency)) != 0) {
		snprintf(o->rule, sizeof o->rule, "reversal");
		snprintf(o->why, sizeof o->why, "reverses payment %lld (same IBAN and amount)",
		         (long long)pid);
		o->kind = MATCH_REVERSAL;
		o->payment_id = pid;
		return reverse_payment(ctx, pid, m, o->why, err);
	}
	if (iban[0] && store_debtors_by_iban(ctx->st, ctx->admin.id, iban, one_id, &debtor) == 0 &&
	    debtor > 0) {
		credit_sum c = { 0, m->currency };
		if ((rc = store_payment_each(ctx->st, ctx->admin.id, debtor, sum_credit, &c)) != 0)
			return svc_store_fail(ctx, rc, "reading the debtor's payments", err);
		if (c.sum >= m->amount) {
			refund f = { m->amount, ctx, m->date, err };
			snprintf(o->rule, sizeof o->rule, "refund");
			snprintf(o->why, sizeof o->why, "refunds the debtor's credit (IBAN %s)", iban);
			o->kind = MATCH_REFUND;
			return store_payment_each(ctx->st, ctx->admin.id, debtor, refund_from, &f);
		}
	}
	snprintf(o->why, sizeof o->why, "a debit that returns no payment owed knows");
	return 0;
}

int match_book(owed_ctx *ctx, rt *r, const char *const *matchers, size_t nmatchers,
               match_entry *m, match_outcome *o, owed_error *err)
{
	store_bank_entry row = { .statement_id = m->statement_id, .date = m->date,
	                         .amount = m->amount, .credit = m->credit };
	int rc;

	memset(o, 0, sizeof *o);
	if (m->credit && !m->reversal)
		rc = book_credit(ctx, r, matchers, nmatchers, m, o, err);
	else if (!m->credit)
		rc = book_debit(ctx, m, o, err);
	else {
		o->kind = MATCH_IGNORED;
		snprintf(o->why, sizeof o->why, "a reversal of a debit");
		rc = 0;
	}
	if (rc)
		return rc;
	clip(row.account, sizeof row.account, m->account);
	clip(row.bank_ref, sizeof row.bank_ref, m->bank_ref);
	clip(row.end_to_end, sizeof row.end_to_end, m->end_to_end);
	memcpy(row.currency, m->currency, sizeof row.currency);
	row.payment_id = o->payment_id;
	row.outcome = kind_names[o->kind];
	row.rule = o->rule;
	row.why = o->why;
	if ((rc = store_bank_entry_insert(ctx->st, &row)) != 0)
		return svc_store_fail(ctx, rc, "recording the bank entry", err);
	return 0;
}

/* ------------------------------------------------------------------ the review queue */

typedef struct id_list { int64_t *id; size_t n, cap; } id_list;

static int collect_id(const owed_payment *p, void *ud)
{
	id_list *l = ud;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		int64_t *grown = realloc(l->id, cap * sizeof *grown);
		if (!grown)
			return OWED_ENOMEM;
		l->id = grown;
		l->cap = cap;
	}
	l->id[l->n++] = p->id;
	return 0;
}

/* One payment from the queue offered to the matchers again; 1 when it was placed. */
static int rematch_one(owed_ctx *ctx, rt *r, const char *const *matchers, size_t nmatchers,
                       int64_t id, owed_error *err)
{
	match_entry m = { 0 };
	match_outcome o = { .kind = MATCH_MATCHED };
	decision d = { 0 };
	owed_payment p;
	cJSON *list, *ev;
	int rc;

	if ((rc = store_payment_get(ctx->st, id, &p)) != 0)
		return svc_store_fail(ctx, rc, "reading the payment", err);
	m.amount = p.unallocated;
	memcpy(m.currency, p.currency, sizeof m.currency);
	m.credit = 1;
	m.date = p.date;
	m.iban = p.iban[0] ? p.iban : NULL;
	m.name = p.counterparty[0] ? p.counterparty : NULL;
	m.remittance = p.remittance[0] ? p.remittance : NULL;
	snprintf(m.where, sizeof m.where, "payment %lld", (long long)id);
	ask(r, matchers, nmatchers, &m, &d);
	if (d.failure[0] || !d.answered || d.review || d.na == 0)
		return 0;
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "matching the payment", err);
	list = cJSON_CreateArray();
	if ((rc = apply(ctx, &d, &p, list, err)) != 0) {
		store_rollback(ctx->st);       /* still for a person: the queue keeps it */
		cJSON_Delete(list);
		*err = (owed_error){ 0 };
		return 0;
	}
	snprintf(o.rule, sizeof o.rule, "%s", d.rule);
	snprintf(o.why, sizeof o.why, "%.200s (from the review queue)", d.why);
	p.review[0] = '\0';
	ev = payment_event(&p, &o);
	cJSON_AddItemToObject(ev, "allocations", list);
	if ((rc = store_payment_save_state(ctx->st, &p)) != 0 ||
	    (rc = svc_event(ctx, "payment", p.id, p.debtor_id, 0, "matched", ev, err)) != 0 ||
	    (rc = store_commit(ctx->st)) != 0) {
		store_rollback(ctx->st);
		return rc < 0 && !err->code ? svc_store_fail(ctx, rc, "matching the payment", err)
		                            : rc;
	}
	return 1;
}

int svc_payment_rematch(owed_ctx *ctx, rt *r, const char *const *matchers, size_t nmatchers,
                        int64_t *placed, owed_error *err)
{
	id_list l = { 0 };
	int rc = store_payment_review_each(ctx->st, ctx->admin.id, collect_id, &l);
	*placed = 0;
	if (rc)
		rc = svc_store_fail(ctx, rc, "listing the review queue", err);
	for (size_t i = 0; rc >= 0 && i < l.n; i++)
		if ((rc = rematch_one(ctx, r, matchers, nmatchers, l.id[i], err)) > 0)
			(*placed)++;
	free(l.id);
	return rc < 0 ? rc : 0;
}

int svc_payment_review(owed_ctx *ctx, store_payment_cb cb, void *ud, owed_error *err)
{
	int rc = store_payment_review_each(ctx->st, ctx->admin.id, cb, ud);
	return rc ? svc_store_fail(ctx, rc, "listing the review queue", err) : 0;
}

int svc_payment_match(owed_ctx *ctx, int64_t payment_id, const svc_allocation_input *alloc,
                      size_t nalloc, owed_payment *out, owed_error *err)
{
	owed_payment p;
	match_outcome o = { .kind = MATCH_MATCHED, .rule = "manual" };
	cJSON *list, *ev;
	int rc;

	if (nalloc == 0)
		return svc_fail(err, OWED_EUSAGE, "INVOICE: name the invoices the payment pays");
	if ((rc = store_payment_get(ctx->st, payment_id, &p)) != 0)
		return rc == OWED_ENOTFOUND
		       ? svc_fail(err, OWED_EINPUT, "PAYMENT: there is no payment %lld",
		                  (long long)payment_id)
		       : svc_store_fail(ctx, rc, "reading the payment", err);
	if (p.unallocated == 0)
		return svc_fail(err, OWED_EREFUSED, "PAYMENT: payment %lld has nothing left to "
		                "allocate", (long long)payment_id);
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "matching the payment", err);
	list = cJSON_CreateArray();
	for (size_t i = 0; rc == 0 && i < nalloc; i++) {
		owed_invoice inv;
		int64_t amount;
		if ((rc = svc_find_invoice(ctx, "INVOICE", alloc[i].invoice, &inv, err)) != 0)
			break;
		if (p.debtor_id && inv.debtor_id != p.debtor_id) {
			rc = svc_fail(err, OWED_EREFUSED, "INVOICE: %s is not the payment's debtor's "
			              "invoice", inv.number);
			break;
		}
		if (alloc[i].amount)
			rc = svc_read_amount(ctx, "INVOICE", alloc[i].amount, inv.currency, &amount, err);
		else
			amount = inv.open < p.unallocated ? inv.open : p.unallocated;
		if (rc == 0)
			rc = svc_allocate(ctx, &p, &inv, amount, "manual", list, err);
	}
	snprintf(o.why, sizeof o.why, "matched by hand (was: %s)", p.review[0] ? p.review : "credit");
	p.review[0] = '\0';
	if (rc == 0 && (rc = store_payment_save_state(ctx->st, &p)) != 0)
		svc_store_fail(ctx, rc, "matching the payment", err);
	if (rc == 0) {
		ev = payment_event(&p, &o);
		cJSON_AddItemToObject(ev, "allocations", list);
		list = NULL;
		rc = svc_event(ctx, "payment", p.id, p.debtor_id, 0, "matched", ev, err);
	}
	cJSON_Delete(list);
	if ((rc = svc_end_tx(ctx, rc, "matching the payment", err)) != 0)
		return rc;
	return out ? store_payment_get(ctx->st, p.id, out) : 0;
}
