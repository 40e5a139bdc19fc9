/*
 * run.c -- the daily run: for every debtor with overdue invoices, the policy decides the next
 * step; the step, its charges, its letter and its deliveries are written in one transaction
 * with the case's dossier event; then the outbox is dispatched.
 *
 * Idempotency lives in the schema: a case takes a step once (UNIQUE (case, step)) and a
 * delivery is queued once (UNIQUE idempotency key), so running a date twice, or again after a
 * crash in the middle, finds nothing new to do for the cases already done.  Missed days are
 * caught up without sending stale steps: each run takes at most one step per case, and every
 * step waits on the actual date of the one before.
 *
 * A letter's PDF is set in libuv's thread pool (owed.pdf.letter yields the render hook), so
 * the run reads and decides the next debtors meanwhile and writes the step when the letter is
 * back (run_debtors).
 */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/money.h"
#include "core/sha256.h"
#include "services/dunning.h"
#include "services/internal.h"

#define RUN_MAX_STEPS   32
#define RUN_MAX_LIST    8
#define RUN_MAX_CHARGES 64      /* lines one charges call may book or announce */
#define RUN_RENDERING   4       /* letters out at most (libuv's pool has 4 threads) */
#define RUN_BATCH       64      /* cases in one transaction, more while letters render... */
#define RUN_BATCH_MAX   1024    /* ...but no more than these */
#define RUN_PAUSE_MS    3       /* between transactions, when batch_max is set */

/* ------------------------------------------------------------------ the case, as read */

typedef struct case_view {
	owed_debtor d;
	owed_case c;
	int have_case;
	store_overdue *inv;
	size_t ninv, cap;
	int64_t open;               /* the non-disputed overdue invoices, in the admin's currency */
	owed_date oldest_due;
	store_step steps[RUN_MAX_STEPS];
	size_t nsteps;
} case_view;

typedef struct decision {
	int has, hold;
	char step[64], letter[64], reason[512], handoff[64], task[256];
	char channels[RUN_MAX_LIST][64], charges[RUN_MAX_LIST][64], announce[RUN_MAX_LIST][64];
	int nchannels, ncharges, nannounce;
	owed_date deadline, next_date;
	int ref;                    /* the decision table, kept in the policy's registry */
} decision;

/* What a whole run reads once instead of once per case: the open cases (by debtor), their
 * steps (by case) and the debtors a promise or plan may pause (by id).  Each debtor is
 * processed once, so what the run itself writes never needs to be read back from here. */
typedef struct case_step { int64_t case_id; store_step st; } case_step;
typedef struct prefetch {
	int loaded;
	owed_case *cases;
	size_t ncases, capc;
	case_step *steps;
	size_t nsteps, caps;
	int64_t *paused;
	size_t npaused, capp;
} prefetch;

typedef struct step_job step_job;

typedef struct run_state {
	owed_ctx *ctx;
	rt *r;
	const svc_run_options *o;
	svc_run_cb cb;
	void *ud;
	svc_run_result *res;
	owed_date today;
	char now[32];
	case_view cur;              /* the debtor being read and decided */
	case_view *cv;              /* the case worked on: cur, or a step's own copy */
	step_job *queue, **tail;    /* steps whose letters render, in the order they were decided */
	int nqueued;
	prefetch pf;
} run_state;

static int add_invoice(const store_overdue *o, void *ud)
{
	case_view *cv = ud;
	if (cv->ninv == cv->cap) {
		size_t cap = cv->cap ? cv->cap * 2 : 8;
		store_overdue *grown = realloc(cv->inv, cap * sizeof *grown);
		if (!grown)
			return OWED_ENOMEM;
		cv->inv = grown;
		cv->cap = cap;
	}
	cv->inv[cv->ninv++] = *o;
	return 0;
}

static int add_step(const store_step *st, void *ud)
{
	case_view *cv = ud;
	if (cv->nsteps < RUN_MAX_STEPS) {
		cv->steps[cv->nsteps] = *st;
		cv->steps[cv->nsteps].reason = NULL;       /* the row's text dies with the row */
		cv->steps[cv->nsteps].policy = cv->steps[cv->nsteps].policy_version = NULL;
		cv->nsteps++;
	}
	return 0;
}

static int find_case(const owed_case *c, void *ud)
{
	case_view *cv = ud;
	cv->c = *c;
	cv->have_case = 1;
	return 1;       /* one active case per debtor: stop */
}

/* Whether the comma-separated tags hold tag. */
static int has_tag(const char *tags, const char *tag)
{
	size_t n = strlen(tag);
	for (const char *t = tags; *t; t += strcspn(t, ",") + (t[strcspn(t, ",")] == ',')) {
		while (*t == ' ')
			t++;
		if (strncmp(t, tag, n) == 0 && (t[n] == ',' || t[n] == '\0' || t[n] == ' '))
			return 1;
	}
	return 0;
}

static int rule_matches(const svc_policy_rule *r, const owed_debtor *d)
{
	return (!r->tag[0] || has_tag(d->tags, r->tag)) &&
	       (!r->country[0] || strcmp(r->country, d->country) == 0) &&
	       (!r->kind[0] || strcmp(r->kind, ledger_debtor_kind_name(d->kind)) == 0);
}

/* The policy for a debtor: its own, else the first matching rule, else by country and kind. */
static void choose_policy(const svc_run_options *o, const owed_debtor *d, char *out,
                          size_t size)
{
	const char *kind = d->kind == DEBTOR_CONSUMER ? "b2c" : "b2b";
	for (size_t i = 0; !d->policy[0] && i < o->nrules; i++)
		if (rule_matches(&o->rules[i], d)) {
			snprintf(out, size, "%s", o->rules[i].policy);
			return;
		}
	if (d->policy[0])
		snprintf(out, size, "%s", d->policy);
	else if (strcmp(d->country, "NL") == 0 || strcmp(d->country, "BE") == 0)
		snprintf(out, size, "%c%c-%s", d->country[0] + 32, d->country[1] + 32, kind);
	else
		snprintf(out, size, "eu-b2b");
}

/* ------------------------------------------------------------------ reading ahead */

/* Grows *items (of size bytes each) to hold one more; 0 or OWED_ENOMEM. */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
	void *grown;
	if (n < *cap)
		return 0;
	if (!(grown = realloc(*items, (*cap ? *cap * 2 : 1024) * size)))
		return OWED_ENOMEM;
	*items = grown;
	*cap = *cap ? *cap * 2 : 1024;
	return 0;
}

static int keep_case(const owed_case *c, void *ud)
{
	prefetch *pf = ud;
	if (grow((void **)&pf->cases, &pf->capc, pf->ncases, sizeof *pf->cases))
		return OWED_ENOMEM;
	pf->cases[pf->ncases++] = *c;
	return 0;
}

static int keep_step(int64_t case_id, const store_step *st, void *ud)
{
	prefetch *pf = ud;
	if (grow((void **)&pf->steps, &pf->caps, pf->nsteps, sizeof *pf->steps))
		return OWED_ENOMEM;
	pf->steps[pf->nsteps].case_id = case_id;
	pf->steps[pf->nsteps++].st = *st;
	return 0;
}

static int keep_paused(int64_t id, void *ud)
{
	prefetch *pf = ud;
	if (grow((void **)&pf->paused, &pf->capp, pf->npaused, sizeof *pf->paused))
		return OWED_ENOMEM;
	pf->paused[pf->npaused++] = id;
	return 0;
}

static int prefetch_load(run_state *s)
{
	store *st = s->ctx->st;
	int64_t admin = s->ctx->admin.id;
	int rc;
	if ((rc = store_case_active_each(st, admin, 0, keep_case, &s->pf)) != 0 ||
	    (rc = store_active_steps(st, admin, keep_step, &s->pf)) != 0 ||
	    (rc = store_paused_debtors(st, admin, keep_paused, &s->pf)) != 0)
		return rc;
	s->pf.loaded = 1;
	return 0;
}

static void prefetch_free(prefetch *pf)
{
	free(pf->cases);
	free(pf->steps);
	free(pf->paused);
}

static int lower_id(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id;
}

/* The case and steps of a debtor from what was read ahead. */
static void case_from_prefetch(run_state *s, int64_t debtor_id)
{
	prefetch *pf = &s->pf;
	case_view *cv = s->cv;
	size_t lo = 0, hi = pf->ncases;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pf->cases[mid].debtor_id < debtor_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == pf->ncases || pf->cases[lo].debtor_id != debtor_id)
		return;
	cv->c = pf->cases[lo];
	cv->have_case = 1;
	lo = 0;
	hi = pf->nsteps;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pf->steps[mid].case_id < cv->c.id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < pf->nsteps && pf->steps[lo].case_id == cv->c.id; lo++)
		add_step(&pf->steps[lo].st, cv);
}

static int read_case(run_state *s, int64_t debtor_id)
{
	case_view *cv = s->cv;
	store *st = s->ctx->st;
	int rc;
	cv->ninv = cv->nsteps = 0;
	cv->have_case = 0;
	cv->open = 0;
	cv->oldest_due = 0;
	if ((rc = store_debtor_lookup_id(st, debtor_id, &cv->d)) != 0 ||
	    (rc = store_overdue_each(st, s->ctx->admin.id, s->today, debtor_id, add_invoice, cv)))
		return rc;
	if (s->pf.loaded)
		case_from_prefetch(s, debtor_id);
	else {
		rc = store_case_active_each(st, s->ctx->admin.id, debtor_id, find_case, cv);
		if (rc < 0)
			return rc;
		if (cv->have_case && (rc = store_case_steps(st, cv->c.id, add_step, cv)) != 0)
			return rc;
	}
	for (size_t i = 0; i < cv->ninv; i++) {
		const store_overdue *o = &cv->inv[i];
		if (o->disputed || strcmp(o->currency, s->ctx->admin.currency) != 0)
			continue;
		cv->open += o->open;
		if (!cv->oldest_due || o->due_date < cv->oldest_due)
			cv->oldest_due = o->due_date;
	}
	return 0;
}

/* ------------------------------------------------------------------ the case, for Lua */

static void push_case(lua_State *L, run_state *s)
{
	const case_view *cv = s->cv;
	const owed_admin *a = &s->ctx->admin;
	char ref[96];
	lua_createtable(L, 0, 16);
	lua_pushinteger(L, cv->have_case ? cv->c.id : 0);
	lua_setfield(L, -2, "id");
	api_set_date(L, "today", s->today);
	api_set_date(L, "oldest_due", cv->oldest_due);
	api_set_money(L, "open", cv->open, a->currency);
	snprintf(ref, sizeof ref, "%s-%lld", cv->d.number, (long long)(cv->have_case ? cv->c.id : 0));
	api_set_string(L, "reference", ref);

	lua_createtable(L, 0, 10);
	api_set_string(L, "number", cv->d.number);
	api_set_string(L, "name", cv->d.name);
	api_set_string(L, "kind", ledger_debtor_kind_name(cv->d.kind));
	api_set_string(L, "country", cv->d.country);
	api_set_string(L, "language", cv->d.language);
	api_set_string(L, "email", cv->d.email);
	api_set_string(L, "address", cv->d.address);
	api_set_string(L, "tags", cv->d.tags);
	lua_setfield(L, -2, "debtor");

	lua_createtable(L, 0, 8);
	api_set_string(L, "name", a->name);
	api_set_string(L, "address", a->address);
	api_set_string(L, "country", a->country);
	api_set_string(L, "kvk", a->kvk);
	api_set_string(L, "vat", a->vat);
	api_set_string(L, "iban", a->iban);
	api_set_string(L, "currency", a->currency);
	lua_pushboolean(L, a->cannot_deduct_vat);
	lua_setfield(L, -2, "cannot_deduct_vat");
	lua_setfield(L, -2, "administration");

	lua_createtable(L, (int)cv->ninv, 0);
	for (size_t i = 0; i < cv->ninv; i++) {
		const store_overdue *o = &cv->inv[i];
		lua_createtable(L, 0, 12);
		api_set_string(L, "number", o->number);
		api_set_date(L, "issue_date", o->issue_date);
		api_set_date(L, "due_date", o->due_date);
		api_set_string(L, "currency", o->currency);
		api_set_money(L, "amount", o->amount, o->currency);
		api_set_money(L, "open", o->open, o->currency);
		api_set_money(L, "charges", o->charges, o->currency);
		api_set_string(L, "reference", o->reference);
		api_set_string(L, "description", o->description);
		lua_pushboolean(L, o->disputed);
		lua_setfield(L, -2, "disputed");
		lua_pushinteger(L, date_diff(o->due_date, s->today));
		lua_setfield(L, -2, "days_late");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "invoices");

	lua_createtable(L, (int)cv->nsteps, 0);
	for (size_t i = 0; i < cv->nsteps; i++) {
		lua_createtable(L, 0, 3);
		api_set_string(L, "step", cv->steps[i].step);
		api_set_date(L, "date", cv->steps[i].date);
		api_set_string(L, "channels", cv->steps[i].channels);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "steps");
}

static int push_case_arg(lua_State *co, void *ud)
{
	push_case(co, ud);
	return 1;
}

/* ------------------------------------------------------------------ deciding */

static int copy_list(lua_State *L, int t, const char *key, char (*out)[64], int cap)
{
	int n = 0;
	lua_getfield(L, t, key);
	if (lua_istable(L, -1))
		for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1) && n < cap; i++) {
			lua_rawgeti(L, -1, i);
			snprintf(out[n], sizeof out[n], "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
			lua_pop(L, 1);
			n++;
		}
	lua_pop(L, 1);
	return n;
}

typedef struct decide_out { decision *dec; char msg[1024]; } decide_out;

static void decided(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                    void *ud)
{
	decide_out *out = ud;
	decision *d = out->dec;
	int t;
	(void)p;
	if (status != 0) {
		snprintf(out->msg, sizeof out->msg, "%s", msg ? msg : "the policy failed");
		return;
	}
	if (nres < 1 || !lua_istable(co, -nres)) {
		/* nil, next date, why */
		if (nres >= 2 && lua_isstring(co, -nres + 1))
			date_parse_iso(lua_tostring(co, -nres + 1), &d->next_date);
		if (nres >= 3 && lua_isstring(co, -nres + 2))
			snprintf(d->reason, sizeof d->reason, "%s", lua_tostring(co, -nres + 2));
		return;
	}
	t = lua_absindex(co, -nres);
	d->has = 1;
	svc_lua_text(co, t, "step", d->step, sizeof d->step);
	svc_lua_text(co, t, "letter", d->letter, sizeof d->letter);
	svc_lua_text(co, t, "reason", d->reason, sizeof d->reason);
	svc_lua_text(co, t, "handoff", d->handoff, sizeof d->handoff);
	svc_lua_text(co, t, "task", d->task, sizeof d->task);
	lua_getfield(co, t, "hold");
	d->hold = lua_toboolean(co, -1);
	lua_pop(co, 1);
	{
		char deadline[16];
		svc_lua_text(co, t, "deadline", deadline, sizeof deadline);
		if (deadline[0])
			date_parse_iso(deadline, &d->deadline);
	}
	d->nchannels = copy_list(co, t, "channels", d->channels, RUN_MAX_LIST);
	d->ncharges = copy_list(co, t, "charges", d->charges, RUN_MAX_LIST);
	d->nannounce = copy_list(co, t, "announce", d->announce, RUN_MAX_LIST);
	lua_pushvalue(co, t);
	d->ref = luaL_ref(co, LUA_REGISTRYINDEX);
}

static void channels_text(const decision *d, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < d->nchannels && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "," : "", d->channels[i]);
}

/* ------------------------------------------------------------------ reporting */

static void report(run_state *s, run_outcome o, const char *policy, const decision *d,
                   const char *reason)
{
	char channels[256] = "";
	const case_view *cv = s->cv;
	svc_run_line l = {
		.outcome = o, .debtor_number = cv->d.number, .debtor_name = cv->d.name,
		.policy = policy, .step = d && d->has ? d->step : (cv->have_case ? cv->c.step : ""),
		.reason = reason, .next_date = d ? d->next_date : 0, .open = cv->open,
		.currency = s->ctx->admin.currency, .channels = channels,
	};
	if (d && d->has)
		channels_text(d, channels, sizeof channels);
	if (s->cb)
		s->cb(&l, s->ud);
}

/* ------------------------------------------------------------------ charges */

/* A charge line a charges plugin returned: booked on an invoice, or only announced. */
typedef struct charge_line {
	char invoice[64], kind[32], description[160];
	int64_t amount;
} charge_line;

typedef struct charges_out {
	charge_line *lines;
	int n, cap;
	char msg[1024];
} charges_out;

typedef struct charge_req { run_state *s; int announce; } charge_req;

/* charge{ principal, invoices, today, debtor, announce } */
static int push_charge_req(lua_State *co, void *ud)
{
	charge_req *q = ud;
	push_case(co, q->s);
	lua_pushboolean(co, q->announce);
	lua_setfield(co, -2, "announce");
	lua_getfield(co, -1, "open");
	lua_setfield(co, -2, "principal");
	return 1;
}

static void charged(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                    void *ud)
{
	charges_out *out = ud;
	int t;
	(void)p;
	if (status != 0 || nres < 1 || !lua_istable(co, -nres)) {
		snprintf(out->msg, sizeof out->msg, "%s", msg ? msg : "the charges plugin returned "
		         "no table { lines = { ... } }");
		return;
	}
	t = lua_absindex(co, -nres);
	lua_getfield(co, t, "lines");
	for (lua_Integer i = 1; lua_istable(co, -1) && i <= (lua_Integer)lua_rawlen(co, -1) &&
	                        out->n < out->cap; i++) {
		charge_line *l = &out->lines[out->n];
		char cur[4];
		lua_rawgeti(co, -1, i);
		svc_lua_text(co, lua_gettop(co), "invoice", l->invoice, sizeof l->invoice);
		svc_lua_text(co, lua_gettop(co), "kind", l->kind, sizeof l->kind);
		svc_lua_text(co, lua_gettop(co), "description", l->description, sizeof l->description);
		lua_getfield(co, -1, "amount");
		l->amount = lua_isnil(co, -1) ? 0 : api_check_money(co, -1, cur);
		lua_pop(co, 2);
		if (l->amount > 0)
			out->n++;
	}
	lua_pop(co, 1);
}

/* Calls each named charges plugin; the lines go to out. */
static int compute_charges(run_state *s, char (*names)[64], int n, int announce,
                           charges_out *out, char *why, size_t whysize)
{
	charge_req q = { s, announce };
	for (int i = 0; i < n; i++) {
		owed_error err = { 0 };
		rt_plugin *p;
		if (rt_load(s->r, names[i], NULL, 0, &err) != 0 || !(p = rt_find(s->r, names[i]))) {
			snprintf(why, whysize, "charges %s: %s", names[i], err.msg);
			return OWED_EREFUSED;
		}
		out->msg[0] = '\0';
		if (rt_call_sync(p, "charge", s->cv->d.number, push_charge_req, &q, charged,
		                 out) != 0) {
			snprintf(why, whysize, "%s", out->msg[0] ? out->msg : "charges plugin failed");
			return OWED_EREFUSED;
		}
	}
	return 0;
}

static int book_charges(run_state *s, const charges_out *c, owed_error *err)
{
	char saved[8];
	int rc = 0;
	memcpy(saved, s->ctx->locale, sizeof saved);
	snprintf(s->ctx->locale, sizeof s->ctx->locale, "C");   /* amounts below are machine form */
	for (int i = 0; rc == 0 && i < c->n; i++) {
		char amount[32], date[16];
		money_format(c->lines[i].amount, money_exponent(s->ctx->admin.currency), NULL, "C",
		             MONEY_FMT_PLAIN, amount, sizeof amount);
		date_format_iso(s->today, date, sizeof date);
		rc = svc_invoice_charge(s->ctx, c->lines[i].invoice, c->lines[i].kind, amount, date,
		                        c->lines[i].description, NULL, err);
	}
	memcpy(s->ctx->locale, saved, sizeof saved);
	return rc;
}

/* ------------------------------------------------------------------ the letter */

typedef struct letter_out {
	char subject[512], lang[8];
	char *text, *pdf;
	size_t text_len, pdf_len;
	char msg[1024];
} letter_out;

typedef struct render_req { run_state *s; decision *d; const charges_out *booked, *announced; }
	render_req;

static void push_lines(lua_State *L, const charges_out *c, const char *cur)
{
	lua_createtable(L, c ? c->n : 0, 0);
	for (int i = 0; c && i < c->n; i++) {
		lua_createtable(L, 0, 4);
		api_set_string(L, "invoice", c->lines[i].invoice);
		api_set_string(L, "kind", c->lines[i].kind);
		api_set_string(L, "description", c->lines[i].description);
		api_set_money(L, "amount", c->lines[i].amount, cur);
		lua_rawseti(L, -2, i + 1);
	}
}

static int push_render_args(lua_State *co, void *ud)
{
	render_req *q = ud;
	const char *cur = q->s->ctx->admin.currency;
	int64_t total = q->s->cv->open;
	push_case(co, q->s);
	lua_rawgeti(co, LUA_REGISTRYINDEX, q->d->ref);
	lua_createtable(co, 0, 3);
	push_lines(co, q->booked, cur);
	lua_setfield(co, -2, "charges");
	push_lines(co, q->announced, cur);
	lua_setfield(co, -2, "announced");
	for (int i = 0; q->booked && i < q->booked->n; i++)
		total += q->booked->lines[i].amount;
	api_set_money(co, "total", total, cur);
	return 3;
}

static void rendered(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                     void *ud)
{
	letter_out *out = ud;
	size_t len;
	const char *v;
	int t;
	(void)p;
	if (status != 0 || nres < 1 || !lua_istable(co, -nres)) {
		snprintf(out->msg, sizeof out->msg, "%s", msg ? msg : "render returned no table");
		return;
	}
	t = lua_absindex(co, -nres);
	svc_lua_text(co, t, "subject", out->subject, sizeof out->subject);
	svc_lua_text(co, t, "lang", out->lang, sizeof out->lang);
	lua_getfield(co, t, "text");
	if ((v = lua_tolstring(co, -1, &len)) && (out->text = malloc(len + 1))) {
		memcpy(out->text, v, len + 1);
		out->text_len = len;
	}
	lua_getfield(co, t, "pdf");
	if ((v = lua_tolstring(co, -1, &len)) && (out->pdf = malloc(len))) {
		memcpy(out->pdf, v, len);
		out->pdf_len = len;
	}
	lua_pop(co, 2);
}

/* ------------------------------------------------------------------ taking a step */

static int queue(run_state *s, int64_t letter_id, const decision *d, const char *channel,
                 cJSON *payload, owed_error *err)
{
	char key[96], *text;
	int rc;
	snprintf(key, sizeof key, "case-%lld:%s:%s", (long long)s->cv->c.id, d->step, channel);
	cJSON_AddStringToObject(payload, "idem_key", key);
	text = cJSON_PrintUnformatted(payload);
	cJSON_Delete(payload);
	rc = text ? store_outbox_insert(s->ctx->st, s->cv->c.id, letter_id, channel, key, text,
	                                s->now, NULL) : OWED_ENOMEM;
	free(text);
	return rc ? svc_store_fail(s->ctx, rc, "queueing the delivery", err) : 0;
}

static int queue_deliveries(run_state *s, int64_t letter_id, const decision *d,
                            const letter_out *l, owed_error *err)
{
	char filename[160];
	int rc = 0;
	snprintf(filename, sizeof filename, "%s-%s-%s.pdf", s->cv->d.number, d->step, l->lang);
	for (int i = 0; rc == 0 && i < d->nchannels; i++) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "debtor", s->cv->d.number);
		cJSON_AddStringToObject(p, "step", d->step);
		cJSON_AddStringToObject(p, "to", s->cv->d.email);
		cJSON_AddStringToObject(p, "name", s->cv->d.name);
		cJSON_AddStringToObject(p, "subject", l->subject);
		cJSON_AddStringToObject(p, "filename", filename);
		rc = queue(s, letter_id, d, d->channels[i], p, err);
	}
	if (rc == 0 && d->handoff[0]) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "plugin", d->handoff);
		cJSON_AddStringToObject(p, "debtor", s->cv->d.number);
		cJSON_AddNumberToObject(p, "case", (double)s->cv->c.id);
		rc = queue(s, 0, d, "handoff", p, err);
	}
	return rc;
}

static cJSON *step_payload(run_state *s, const decision *d, const char *policy,
                           const char *version, const char *hash, const charges_out *booked)
{
	cJSON *p = cJSON_CreateObject(), *lines = cJSON_CreateArray();
	char channels[256];
	channels_text(d, channels, sizeof channels);
	cJSON_AddStringToObject(p, "step", d->step);
	cJSON_AddStringToObject(p, "reason", d->reason);
	cJSON_AddStringToObject(p, "policy", policy);
	cJSON_AddStringToObject(p, "policy_version", version);
	cJSON_AddStringToObject(p, "channels", channels);
	svc_json_money(p, "open", s->cv->open, s->ctx->admin.currency);
	if (hash[0])
		cJSON_AddStringToObject(p, "letter_sha256", hash);
	if (d->deadline)
		svc_json_date(p, "deadline", d->deadline);
	if (d->handoff[0])
		cJSON_AddStringToObject(p, "handoff", d->handoff);
	if (d->hold)
		cJSON_AddBoolToObject(p, "credit_hold", 1);
	for (int i = 0; booked && i < booked->n; i++) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "invoice", booked->lines[i].invoice);
		cJSON_AddStringToObject(l, "kind", booked->lines[i].kind);
		svc_json_money(l, "amount", booked->lines[i].amount, s->ctx->admin.currency);
		cJSON_AddItemToArray(lines, l);
	}
	cJSON_AddItemToObject(p, "charges", lines);
	return p;
}

/* A decided step whose letter is being rendered: what it will write once the letter is back. */
struct step_job {
	step_job *next;
	case_view cv;               /* its own copy: the run reads the next debtors meanwhile */
	decision d;
	rt_plugin *policy;
	char policy_name[64];
	charge_line booked_lines[RUN_MAX_CHARGES], announced_lines[RUN_MAX_CHARGES];
	charges_out booked, announced;
	char why[1024];             /* a charges plugin failed: the step is not taken */
	letter_out letter;
	int rendered;               /* the render hook is done (or was never called) */
};

/* Everything a step writes, in the caller's transaction, once its letter is rendered. */
static int step_write(run_state *s, step_job *j, owed_error *err)
{
	const decision *d = &j->d;
	const rt_info *info = rt_plugin_info(j->policy);
	char channels[256], hash[SHA256_HEX_BUFSZ] = "";
	int64_t step_id, letter_id = 0;
	int rc;

	if (j->why[0])
		return svc_fail(err, OWED_EREFUSED, "%s", j->why);
	if (d->letter[0] && !j->letter.text)
		return svc_fail(err, OWED_EREFUSED, "%s", j->letter.msg[0] ? j->letter.msg :
		                "no letter");
	channels_text(d, channels, sizeof channels);
	rc = store_step_insert(s->ctx->st, s->cv->c.id, d->step, s->today, info->name,
	                       info->hash ? info->hash : "", d->reason, channels, &step_id);
	if (rc == OWED_EEXIST)
		return svc_fail(err, OWED_EEXIST, "step %s was taken before", d->step);
	if (rc)
		return svc_store_fail(s->ctx, rc, "recording the step", err);
	if ((rc = book_charges(s, &j->booked, err)) != 0)
		return rc;
	if (d->letter[0]) {
		sha256_ctx h;
		sha256_init(&h);
		sha256_update(&h, j->letter.text, j->letter.text_len);
		sha256_update(&h, j->letter.pdf, j->letter.pdf_len);
		sha256_final_hex(&h, hash);
		if ((rc = store_letter_insert(s->ctx->st, s->cv->c.id, step_id, j->letter.lang,
		                              j->letter.subject, j->letter.text, j->letter.pdf,
		                              j->letter.pdf_len, hash, &letter_id)) != 0)
			return svc_store_fail(s->ctx, rc, "storing the letter", err);
	}
	if ((rc = queue_deliveries(s, letter_id, d, &j->letter, err)) != 0)
		return rc;
	if (d->task[0] && (rc = store_task_insert(s->ctx->st, s->cv->c.id, s->today, d->task,
	                                          NULL)) != 0)
		return svc_store_fail(s->ctx, rc, "creating the task", err);
	if (d->hold && !s->cv->d.credit_hold) {       /* the policy stops new credit */
		s->cv->d.credit_hold = 1;
		if ((rc = store_debtor_update(s->ctx->st, &s->cv->d)) != 0)
			return svc_store_fail(s->ctx, rc, "putting the debtor on credit hold", err);
	}
	snprintf(s->cv->c.step, sizeof s->cv->c.step, "%s", d->step);
	s->cv->c.step_date = s->today;
	s->cv->c.next_date = 0;
	if (d->handoff[0])
		s->cv->c.state = CASE_HANDED_OFF;
	if ((rc = store_case_save(s->ctx->st, &s->cv->c)) != 0)
		return svc_store_fail(s->ctx, rc, "saving the case", err);
	return svc_event(s->ctx, "case", s->cv->c.id, s->cv->d.id, 0, "step",
	                 step_payload(s, d, info->name, info->hash ? info->hash : "", hash,
	                              &j->booked), err);
}

static void step_rendered(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                          void *ud)
{
	step_job *j = ud;
	rendered(p, status, co, nres, msg, &j->letter);
	j->rendered = 1;
}

/* Writes the step of the job at the head of the queue (or, when discard, only lets it go),
 * in a savepoint of the transaction the case was read in. */
static void step_finish(run_state *s, int discard)
{
	step_job *j = s->queue;
	owed_error err = { 0 };
	int rc;

	s->queue = j->next;
	if (!s->queue)
		s->tail = &s->queue;
	s->nqueued--;
	s->cv = &j->cv;
	if (!discard) {
		if ((rc = store_begin(s->ctx->st)) != 0)
			svc_store_fail(s->ctx, rc, "starting the step", &err);
		else {
			if ((rc = step_write(s, j, &err)) == 0 && (rc = store_commit(s->ctx->st)) != 0)
				svc_store_fail(s->ctx, rc, "committing the step", &err);
			if (rc)
				store_rollback(s->ctx->st);
		}
		if (rc == OWED_EEXIST)
			report(s, RUN_DONE, j->policy_name, &j->d, "taken before: nothing new");
		else if (rc) {
			s->res->failed++;
			report(s, RUN_FAILED, j->policy_name, &j->d, err.msg);
		} else {
			s->res->steps++;
			report(s, RUN_STEP, j->policy_name, &j->d, j->d.reason);
		}
	}
	s->cv = &s->cur;
	luaL_unref(rt_plugin_state(j->policy), LUA_REGISTRYINDEX, j->d.ref);
	free(j->cv.inv);
	free(j->letter.text);
	free(j->letter.pdf);
	free(j);
}

/* Finishes the steps whose letters are back, in the order they were decided (so a run's ids
 * and dossier do not depend on the threads), waiting until at most keep are left. */
static void steps_settle(run_state *s, int keep, int discard)
{
	if (s->queue && !s->queue->rendered)
		uv_run(rt_loop(s->r), UV_RUN_NOWAIT);         /* what the pool has done by now */
	for (;;) {
		while (s->queue && s->queue->rendered)
			step_finish(s, discard);
		if (s->nqueued <= keep)
			return;
		if (uv_run(rt_loop(s->r), UV_RUN_ONCE) == 0 && !s->queue->rendered) {
			/* nothing left on the loop that could resume the hook */
			snprintf(s->queue->letter.msg, sizeof s->queue->letter.msg,
			         "the render hook never finished");
			s->queue->rendered = 1;
		}
	}
}

/* Takes the decided step: its charges now, its letter in the thread pool (owed.pdf.letter
 * yields the render hook), its writes when the letter is back (steps_settle).  The case view
 * is copied, since the run reads the next debtors meanwhile. */
static int step_start(run_state *s, rt_plugin *policy, const char *policy_name, decision *d)
{
	step_job *j = calloc(1, sizeof *j);
	store_overdue *inv = malloc((s->cv->ninv ? s->cv->ninv : 1) * sizeof *inv);
	render_req rq;

	if (!j || !inv) {
		free(j);
		free(inv);
		luaL_unref(rt_plugin_state(policy), LUA_REGISTRYINDEX, d->ref);
		return OWED_ENOMEM;
	}
	j->cv = *s->cv;
	j->cv.inv = inv;
	j->cv.cap = s->cv->ninv;
	if (s->cv->ninv)
		memcpy(inv, s->cv->inv, s->cv->ninv * sizeof *inv);
	j->d = *d;
	j->policy = policy;
	snprintf(j->policy_name, sizeof j->policy_name, "%s", policy_name);
	j->booked = (charges_out){ j->booked_lines, 0, RUN_MAX_CHARGES, "" };
	j->announced = (charges_out){ j->announced_lines, 0, RUN_MAX_CHARGES, "" };
	*s->tail = j;
	s->tail = &j->next;
	s->nqueued++;
	if (compute_charges(s, d->charges, d->ncharges, 0, &j->booked, j->why, sizeof j->why) ||
	    compute_charges(s, d->announce, d->nannounce, 1, &j->announced, j->why,
	                    sizeof j->why) || !d->letter[0])
		j->rendered = 1;
	else {
		rq = (render_req){ s, &j->d, &j->booked, &j->announced };
		if (rt_call(policy, "render", s->cv->d.number, push_render_args, &rq, step_rendered,
		            j) != 0)
			j->rendered = 1;        /* no render hook: step_write says "no letter" */
	}
	return 0;
}

/* ------------------------------------------------------------------ one case */

static int open_case(run_state *s, const char *policy, owed_error *err)
{
	cJSON *p;
	int rc;
	memset(&s->cv->c, 0, sizeof s->cv->c);
	s->cv->c.admin_id = s->ctx->admin.id;
	s->cv->c.debtor_id = s->cv->d.id;
	s->cv->c.opened = s->today;
	snprintf(s->cv->c.policy, sizeof s->cv->c.policy, "%s", policy);
	if ((rc = store_case_insert(s->ctx->st, &s->cv->c)) != 0)
		return svc_store_fail(s->ctx, rc, "opening the case", err);
	s->cv->have_case = 1;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "policy", policy);
	svc_json_money(p, "open", s->cv->open, s->ctx->admin.currency);
	svc_json_date(p, "oldest_due", s->cv->oldest_due);
	return svc_event(s->ctx, "case", s->cv->c.id, s->cv->d.id, 0, "opened", p, err);
}

static int close_case(run_state *s, owed_error *err)
{
	cJSON *p = cJSON_CreateObject();
	int rc;
	s->cv->c.state = CASE_CLOSED;
	s->cv->c.closed = s->today;
	if ((rc = store_case_save(s->ctx->st, &s->cv->c)) != 0) {
		cJSON_Delete(p);
		return svc_store_fail(s->ctx, rc, "closing the case", err);
	}
	cJSON_AddStringToObject(p, "reason", "nothing overdue is open any more");
	return svc_event(s->ctx, "case", s->cv->c.id, s->cv->d.id, 0, "closed", p, err);
}

/* Decides and (unless dry) takes the next step for one debtor. */
static int run_case(int64_t debtor_id, void *ud)
{
	run_state *s = ud;
	case_view *cv = s->cv;
	decision d = { .ref = LUA_NOREF };
	decide_out out = { &d, "" };
	owed_error err = { 0 };
	char policy_name[64];
	rt_plugin *policy;
	int rc;

	if (read_case(s, debtor_id) != 0)
		return OWED_EIO;
	if (!cv->have_case && cv->open <= 0)
		return 0;           /* only disputed or foreign-currency invoices: no case */
	s->res->cases++;
	if (cv->have_case && cv->c.state == CASE_HANDED_OFF) {
		report(s, RUN_HANDED_OFF, cv->c.policy, NULL, "handed off");
		return 0;
	}
	if (cv->open <= 0) {
		if (!cv->have_case)
			return 0;
		if (!s->o->dry_run) {
			if ((rc = store_begin(s->ctx->st)) != 0)
				return rc;
			if ((rc = close_case(s, &err)) == 0)
				rc = store_commit(s->ctx->st);
			if (rc) {
				store_rollback(s->ctx->st);
				return rc;
			}
		}
		s->res->closed++;
		report(s, RUN_CLOSED, cv->c.policy, NULL, "paid: nothing overdue is open any more");
		return 0;
	}
	if (cv->have_case)
		snprintf(policy_name, sizeof policy_name, "%s", cv->c.policy);
	else
		choose_policy(s->o, &cv->d, policy_name, sizeof policy_name);
	if (!s->pf.loaded || lower_id(s->pf.paused, s->pf.npaused, cv->d.id)) {
		char why[256];
		rc = pause_check(s->ctx, cv->d.id, cv->have_case ? cv->c.id : 0, s->today,
		                 s->o->dry_run, why, sizeof why, &err);
		if (rc < 0) {
			s->res->failed++;
			report(s, RUN_FAILED, policy_name, NULL, err.msg);
			return 0;
		}
		if (rc == 1) {
			s->res->waiting++;
			report(s, RUN_SKIPPED, policy_name, NULL, why);
			return 0;
		}
	}
	if (rt_load(s->r, policy_name, NULL, 0, &err) != 0 || !(policy = rt_find(s->r, policy_name))) {
		s->res->failed++;
		report(s, RUN_FAILED, policy_name, NULL, err.msg);
		return 0;
	}
	if (rt_call_sync(policy, "decide", cv->d.number, push_case_arg, s, decided, &out) != 0) {
		s->res->failed++;
		report(s, RUN_FAILED, policy_name, NULL, out.msg[0] ? out.msg : "the policy failed");
		return 0;
	}
	if (!d.has) {
		s->res->waiting++;
		report(s, RUN_WAITING, policy_name, &d, d.reason[0] ? d.reason : d.next_date ?
		       "waiting for the next step" : "no further step");
		if (s->o->dry_run || (cv->have_case && cv->c.next_date == d.next_date))
			return 0;
		/* open the case, or note its next action date: written only when it changes */
		if ((rc = store_begin(s->ctx->st)) != 0)
			return rc;
		if (!cv->have_case)
			rc = open_case(s, policy_name, &err);
		if (rc == 0 && cv->c.next_date != d.next_date) {
			cv->c.next_date = d.next_date;
			rc = store_case_save(s->ctx->st, &cv->c);
		}
		if (rc == 0)
			rc = store_commit(s->ctx->st);
		if (rc)
			store_rollback(s->ctx->st);
		return 0;
	}
	if (s->o->dry_run) {
		s->res->steps++;
		report(s, RUN_STEP, policy_name, &d, d.reason);
		luaL_unref(rt_plugin_state(policy), LUA_REGISTRYINDEX, d.ref);
		return 0;
	}
	if (!cv->have_case) {       /* opened first: its letter names it */
		if ((rc = store_begin(s->ctx->st)) != 0) {
			luaL_unref(rt_plugin_state(policy), LUA_REGISTRYINDEX, d.ref);
			return rc;
		}
		if ((rc = open_case(s, policy_name, &err)) == 0 &&
		    (rc = store_commit(s->ctx->st)) != 0)
			svc_store_fail(s->ctx, rc, "opening the case", &err);
		if (rc) {
			store_rollback(s->ctx->st);
			luaL_unref(rt_plugin_state(policy), LUA_REGISTRYINDEX, d.ref);
			s->res->failed++;
			report(s, RUN_FAILED, policy_name, &d, err.msg);
			return 0;
		}
	}
	return step_start(s, policy, policy_name, &d);
}

/* A case's reads, its decision and everything its step writes (in savepoints) are in one
 * transaction, committed together -- or, after a crash, not at all.  The transaction holds
 * RUN_BATCH cases, each all or nothing in its own savepoints, so that starting and committing
 * one is not a cost per case; while letters render it goes on until none is out, so their
 * steps are written in it, or until RUN_BATCH_MAX (waiting for the letters then; batch_max,
 * when the options give one), so that other writers are not kept waiting long.  It takes the
 * write lock from the start (but for a dry run): were another process to write while it only
 * read, none of its cases could write any more (SQLITE_BUSY_SNAPSHOT), where now that process
 * waits a few milliseconds. */
static int run_debtors(run_state *s, const int64_t *ids, size_t n)
{
	store *st = s->ctx->st;
	size_t batch = 0, max = s->o->batch_max > 0 && s->o->batch_max < RUN_BATCH_MAX
	                        ? (size_t)s->o->batch_max : RUN_BATCH_MAX;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		if (batch == 0 && (rc = s->o->dry_run ? store_begin_deferred(st) : store_begin(st)))
			break;
		batch++;
		if ((rc = run_case(ids[i], s)) != 0)
			break;
		steps_settle(s, batch >= max || i + 1 == n ? 0 : RUN_RENDERING - 1, 0);
		if (s->nqueued > 0 || (batch < (max < RUN_BATCH ? max : RUN_BATCH) && i + 1 < n))
			continue;
		if ((rc = store_commit(st)) != 0)
			break;
		batch = 0;
		/* with fewer cases per transaction asked for, other writers are waiting: a pause
		 * lets one that polls for the lock (store.c) in before the next transaction */
		if (s->o->batch_max)
			uv_sleep(RUN_PAUSE_MS);
	}
	if (rc) {
		steps_settle(s, 0, 1);
		if (batch)
			store_rollback(st);
	}
	return rc;
}

/* ------------------------------------------------------------------ the run */

typedef struct id_list { int64_t *ids; size_t n, cap; } id_list;

static int collect_id(int64_t id, void *ud)
{
	id_list *l = ud;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		int64_t *grown = realloc(l->ids, cap * sizeof *grown);
		if (!grown)
			return OWED_ENOMEM;
		l->ids = grown;
		l->cap = cap;
	}
	l->ids[l->n++] = id;
	return 0;
}

int svc_run(owed_ctx *ctx, rt *r, const svc_run_options *o, svc_run_cb cb, void *ud,
            svc_run_result *res, owed_error *err)
{
	run_state s = { .ctx = ctx, .r = r, .o = o, .cb = cb, .ud = ud, .res = res };
	s.cv = &s.cur;
	s.tail = &s.queue;
	id_list debtors = { 0 };
	store_run prev;
	time_t t;
	int rc;

	memset(res, 0, sizeof *res);
	if (o->date)
		s.today = o->date;
	else if (date_today(&s.today) != 0)
		return svc_fail(err, OWED_EINPUT, "date: OWED_TODAY is not a date");
	/* the outbox's clock: its rows are due from now, as its dispatcher reads now */
	if (clock_now(&t) != 0)
		return svc_fail(err, OWED_EINPUT, "OWED_NOW: not an instant (expected "
		                "YYYY-MM-DDTHH:MM:SSZ)");
	svc_stamp(t, s.now, sizeof s.now);
	res->repeated = store_run_get(ctx->st, s.today, &prev) == 0;
	/* the debtors first, then one transaction each: no statement stays open across them */
	if (o->debtor) {
		owed_debtor d;
		if ((rc = svc_find_debtor(ctx, "debtor", o->debtor, &d, err)) != 0)
			return rc;
		rc = collect_id(d.id, &debtors);
	} else
		rc = store_dunning_debtors(ctx->st, ctx->admin.id, s.today, collect_id, &debtors);
	if (rc) {
		free(debtors.ids);
		return svc_store_fail(ctx, rc, "finding the cases", err);
	}
	/* a run over every case reads the cases, their steps and the pauses once */
	if (!o->debtor && (rc = prefetch_load(&s)) != 0) {
		free(debtors.ids);
		prefetch_free(&s.pf);
		return svc_store_fail(ctx, rc, "reading the cases", err);
	}
	if (!o->dry_run && (rc = store_run_start(ctx->st, s.today, s.now)) != 0) {
		free(debtors.ids);
		return svc_store_fail(ctx, rc, "starting the run", err);
	}
	rc = run_debtors(&s, debtors.ids, debtors.n);
	free(debtors.ids);
	free(s.cur.inv);
	prefetch_free(&s.pf);
	if (rc)
		return svc_store_fail(ctx, rc, "running the cases", err);
	if (o->dry_run)
		return 0;
	if (clock_now(&t) == 0)
		svc_stamp(t, s.now, sizeof s.now);
	if ((rc = store_run_finish(ctx->st, s.today, s.now, res->cases, res->steps)) != 0)
		return svc_store_fail(ctx, rc, "finishing the run", err);
	return svc_outbox_dispatch(ctx, r, &res->delivered, &res->delivery_failures, err);
}
