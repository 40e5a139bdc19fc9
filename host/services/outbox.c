/*
 * outbox.c -- delivering what the run decided, and the pauses a user sets on a case.
 *
 * Every delivery was written to the outbox in the transaction that decided it.  The dispatcher
 * hands each due row to its channel plugin (email, letter, a hand-off connector) with its
 * idempotency key, marks it sent, or schedules a retry with backoff, and after
 * OUTBOX_MAX_ATTEMPTS gives up and marks it dead for a person to look at (`owed outbox`).
 * A crash between sending and marking means the row is delivered again on the next dispatch:
 * delivery is at least once, and the key (an e-mail's Message-ID, a file's name) lets the far
 * side recognise the repeat.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "services/dunning.h"
#include "services/internal.h"

static const int backoff_seconds[OUTBOX_MAX_ATTEMPTS] = { 60, 300, 1800, 7200, 43200 };

/* ------------------------------------------------------------------ collecting due rows */

typedef struct due_row {
	int64_t id, letter_id;
	char channel[32], idem_key[96];
	int attempts;
	char *payload;
} due_row;

typedef struct due_list { due_row *rows; size_t n, cap; } due_list;

static int collect(const store_outbox *o, void *ud)
{
	due_list *l = ud;
	due_row *r;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		due_row *grown = realloc(l->rows, cap * sizeof *grown);
		if (!grown)
			return OWED_ENOMEM;
		l->rows = grown;
		l->cap = cap;
	}
	r = &l->rows[l->n++];
	r->id = o->id;
	r->letter_id = o->letter_id;
	snprintf(r->channel, sizeof r->channel, "%s", o->channel);
	snprintf(r->idem_key, sizeof r->idem_key, "%s", o->idem_key);
	r->attempts = o->attempts;
	r->payload = strdup(o->payload ? o->payload : "{}");
	return 0;
}

/* ------------------------------------------------------------------ one delivery */

typedef struct deliver_req { owed_ctx *ctx; const due_row *row; } deliver_req;

static int push_letter(const char *subject, const char *text, const void *pdf, size_t pdf_len,
                       const char *lang, const char *hash, void *ud)
{
	lua_State *L = ud;
	lua_pushstring(L, subject);
	lua_setfield(L, -2, "subject");
	lua_pushstring(L, text);
	lua_setfield(L, -2, "text");
	if (pdf) {
		lua_pushlstring(L, pdf, pdf_len);
		lua_setfield(L, -2, "pdf");
	}
	lua_pushstring(L, lang);
	lua_setfield(L, -2, "lang");
	lua_pushstring(L, hash);
	lua_setfield(L, -2, "sha256");
	return 0;
}

/* deliver{ channel, idem_key, <payload fields>, subject, text, pdf, lang, sha256 } */
static int push_delivery(lua_State *co, void *ud)
{
	deliver_req *q = ud;
	cJSON *p = cJSON_Parse(q->row->payload), *it;
	lua_createtable(co, 0, 12);
	lua_pushstring(co, q->row->channel);
	lua_setfield(co, -2, "channel");
	lua_pushstring(co, q->row->idem_key);
	lua_setfield(co, -2, "idem_key");
	cJSON_ArrayForEach(it, p) {
		if (cJSON_IsString(it))
			lua_pushstring(co, it->valuestring);
		else if (cJSON_IsNumber(it))
			lua_pushinteger(co, (lua_Integer)it->valuedouble);     /* ids, never money */
		else
			continue;
		lua_setfield(co, -2, it->string);
	}
	cJSON_Delete(p);
	if (q->row->letter_id)
		store_letter_get(q->ctx->st, q->row->letter_id, push_letter, co);
	return 1;
}

typedef struct deliver_out { int ok; char msg[512]; } deliver_out;

static void delivered(rt_plugin *p, int status, lua_State *co, int nres, const char *msg,
                      void *ud)
{
	deliver_out *out = ud;
	(void)p;
	if (status != 0) {
		snprintf(out->msg, sizeof out->msg, "%s", msg ? msg : "the channel failed");
		return;
	}
	out->ok = nres >= 1 && lua_toboolean(co, -nres);
	if (!out->ok)
		snprintf(out->msg, sizeof out->msg, "%s", nres >= 2 && lua_isstring(co, -nres + 1)
		         ? lua_tostring(co, -nres + 1) : "the channel did not deliver");
}

/* The plugin a row goes to: a hand-off names its connector, other channels are plugins of
 * the channel's name (email, letter). */
static void plugin_for(const due_row *row, char *out, size_t size)
{
	cJSON *p = strcmp(row->channel, "handoff") == 0 ? cJSON_Parse(row->payload) : NULL;
	cJSON *name = cJSON_GetObjectItem(p, "plugin");
	snprintf(out, size, "%s", cJSON_IsString(name) ? name->valuestring : row->channel);
	cJSON_Delete(p);
}

static int deliver_one(owed_ctx *ctx, rt *r, const due_row *row, int *sent)
{
	deliver_req q = { ctx, row };
	deliver_out out = { 0, "" };
	owed_error err = { 0 };
	char name[64], now[32], next[32];
	time_t t;
	rt_plugin *p;
	int attempts = row->attempts + 1;

	if (clock_now(&t) != 0)
		t = time(NULL);         /* svc_outbox_dispatch read the pin before */
	plugin_for(row, name, sizeof name);
	if (rt_load(r, name, NULL, 0, &err) != 0 || !(p = rt_find(r, name)))
		snprintf(out.msg, sizeof out.msg, "%s", err.msg);
	else if (rt_call_sync(p, "deliver", row->idem_key, push_delivery, &q, delivered, &out)
	         == OWED_ENOTFOUND)
		snprintf(out.msg, sizeof out.msg, "plugin %s has no deliver hook", name);
	svc_stamp(t, now, sizeof now);
	*sent = out.ok;
	if (out.ok)
		return store_outbox_mark(ctx->st, row->id, "sent", attempts, now, "", now);
	svc_stamp(t + backoff_seconds[attempts <= OUTBOX_MAX_ATTEMPTS ? attempts - 1 : 0], next,
	      sizeof next);
	return store_outbox_mark(ctx->st, row->id, attempts >= OUTBOX_MAX_ATTEMPTS ? "dead"
	                         : "pending", attempts, next, out.msg, "");
}

int svc_outbox_dispatch(owed_ctx *ctx, rt *r, int64_t *delivered_n, int64_t *failed,
                        owed_error *err)
{
	due_list due = { 0 };
	char now[32];
	time_t t;
	int rc;
	*delivered_n = *failed = 0;
	/* OWED_NOW moves the retries' clock too: a test pins a time past a backoff */
	if (clock_now(&t) != 0)
		return svc_fail(err, OWED_EINPUT, "OWED_NOW: not an instant (expected "
		                "YYYY-MM-DDTHH:MM:SSZ)");
	svc_stamp(t, now, sizeof now);
	if ((rc = store_outbox_due(ctx->st, now, 0, collect, &due)) != 0) {
		free(due.rows);
		return svc_store_fail(ctx, rc, "reading the outbox", err);
	}
	for (size_t i = 0; i < due.n; i++) {
		int sent = 0;
		if (rc == 0 && (rc = deliver_one(ctx, r, &due.rows[i], &sent)) != 0)
			svc_store_fail(ctx, rc, "marking a delivery", err);
		*(sent ? delivered_n : failed) += 1;
		free(due.rows[i].payload);
	}
	free(due.rows);
	return rc;
}

int svc_outbox_list(owed_ctx *ctx, const char *state, store_outbox_cb cb, void *ud,
                    owed_error *err)
{
	int rc = store_outbox_each(ctx->st, state, cb, ud);
	return rc ? svc_store_fail(ctx, rc, "reading the outbox", err) : 0;
}

/* ------------------------------------------------------------------ retrying a dead row */

typedef struct dead_row {
	int64_t case_id;
	char channel[32], idem_key[96], state[16], last_error[LEDGER_TEXT_MAX];
	int attempts;
} dead_row;

static int keep_row(const store_outbox *o, void *ud)
{
	dead_row *r = ud;
	r->case_id = o->case_id;
	r->attempts = o->attempts;
	snprintf(r->channel, sizeof r->channel, "%s", o->channel);
	snprintf(r->idem_key, sizeof r->idem_key, "%s", o->idem_key);
	snprintf(r->state, sizeof r->state, "%s", o->state);
	snprintf(r->last_error, sizeof r->last_error, "%s", o->last_error ? o->last_error : "");
	return 0;
}

int svc_outbox_retry(owed_ctx *ctx, int64_t id, store_outbox_cb cb, void *ud, owed_error *err)
{
	dead_row r = { 0 };
	owed_case c = { 0 };
	char now[32];
	cJSON *p;
	int rc = store_outbox_get(ctx->st, id, keep_row, &r);
	if (rc == OWED_ENOTFOUND)
		return svc_fail(err, OWED_EINPUT, "outbox: there is no delivery %lld", (long long)id);
	if (rc == 0 && r.case_id)
		rc = store_case_get(ctx->st, r.case_id, &c);
	if (rc)
		return svc_store_fail(ctx, rc, "reading the outbox", err);
	if (strcmp(r.state, "dead") != 0)
		return svc_fail(err, OWED_EREFUSED, "outbox: delivery %lld is %s; only a dead one is "
		                "retried", (long long)id, r.state);
	svc_stamp(time(NULL), now, sizeof now);
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "retrying the delivery", err);
	/* a fresh count of attempts from now; the last error stays until the next attempt */
	if ((rc = store_outbox_mark(ctx->st, id, "pending", 0, now, r.last_error, "")) != 0)
		svc_store_fail(ctx, rc, "retrying the delivery", err);
	else {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "channel", r.channel);
		cJSON_AddStringToObject(p, "idem_key", r.idem_key);
		cJSON_AddNumberToObject(p, "attempts", r.attempts);
		cJSON_AddStringToObject(p, "last_error", r.last_error);
		rc = svc_event(ctx, "outbox", id, c.debtor_id, 0, "retry", p, err);
	}
	if ((rc = svc_end_tx(ctx, rc, "retrying the delivery", err)) != 0)
		return rc;
	if (cb && (rc = store_outbox_get(ctx->st, id, cb, ud)) != 0)
		return svc_store_fail(ctx, rc, "reading the outbox", err);
	return 0;
}

/* ------------------------------------------------------------------ disputes */

int svc_dispute(owed_ctx *ctx, const char *invoice, const char *reason, owed_error *err)
{
	owed_invoice inv;
	owed_date today;
	cJSON *p;
	int rc;
	if (!reason || !*reason)
		return svc_fail(err, OWED_EUSAGE, "reason: a dispute needs a reason (--reason)");
	if ((rc = svc_find_invoice(ctx, "invoice", invoice, &inv, err)) != 0)
		return rc;
	date_today(&today);
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "recording the dispute", err);
	rc = store_dispute_open(ctx->st, inv.id, reason, today, NULL);
	if (rc == OWED_EEXIST)
		svc_fail(err, OWED_EREFUSED, "invoice: %s is disputed already", invoice);
	else if (rc)
		svc_store_fail(ctx, rc, "recording the dispute", err);
	else {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "reason", reason);
		rc = svc_event(ctx, "invoice", inv.id, inv.debtor_id, inv.id, "disputed", p, err);
	}
	return svc_end_tx(ctx, rc, "recording the dispute", err);
}

int svc_dispute_resolve(owed_ctx *ctx, const char *invoice, owed_error *err)
{
	owed_invoice inv;
	owed_date today;
	int rc;
	if ((rc = svc_find_invoice(ctx, "invoice", invoice, &inv, err)) != 0)
		return rc;
	date_today(&today);
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "resolving the dispute", err);
	rc = store_dispute_resolve(ctx->st, inv.id, today);
	if (rc == OWED_ENOTFOUND)
		svc_fail(err, OWED_EREFUSED, "invoice: %s is not disputed", invoice);
	else if (rc)
		svc_store_fail(ctx, rc, "resolving the dispute", err);
	else
		rc = svc_event(ctx, "invoice", inv.id, inv.debtor_id, inv.id, "dispute resolved",
		               cJSON_CreateObject(), err);
	return svc_end_tx(ctx, rc, "resolving the dispute", err);
}
