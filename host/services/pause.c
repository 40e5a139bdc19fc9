/*
 * pause.c -- what holds a case back: a pause by hand (until a person resumes it), a promise to
 * pay (dunning resumes by itself when it is broken), a payment plan (a missed instalment ends
 * it and is a step of its own), and tasks for people.  The daily run asks pause_check()
 * before it lets the policy decide.
 */
#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "services/dunning.h"
#include "services/internal.h"

int svc_promise(owed_ctx *ctx, const char *debtor, const char *date, const char *amount,
                owed_error *err)
{
	owed_debtor d;
	owed_date when;
	int64_t minor, paid;
	store_promise open;
	cJSON *p;
	int rc;
	if (!date || !amount)
		return svc_fail(err, OWED_EUSAGE, "promise: --date and --amount are required");
	if ((rc = svc_find_debtor(ctx, "debtor", debtor, &d, err)) != 0 ||
	    svc_read_date("date", date, &when, err) ||
	    svc_read_amount(ctx, "amount", amount, ctx->admin.currency, &minor, err))
		return rc ? rc : err->code;
	if (store_promise_open(ctx->st, d.id, &open) == 0)
		return svc_fail(err, OWED_EREFUSED, "debtor: %s has an open promise already (to %s)",
		                debtor, "be kept or broken first");
	if ((rc = store_paid_total(ctx->st, d.id, ctx->admin.currency, &paid)) != 0 ||
	    (rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "recording the promise", err);
	if ((rc = store_promise_insert(ctx->st, d.id, when, minor, ctx->admin.currency, paid,
	                               NULL)) != 0)
		svc_store_fail(ctx, rc, "recording the promise", err);
	else {
		p = cJSON_CreateObject();
		svc_json_date(p, "date", when);
		svc_json_money(p, "amount", minor, ctx->admin.currency);
		rc = svc_event(ctx, "debtor", d.id, d.id, 0, "promised to pay", p, err);
	}
	return svc_end_tx(ctx, rc, "recording the promise", err);
}

int svc_case_pause(owed_ctx *ctx, const char *debtor, const char *reason, owed_error *err)
{
	owed_debtor d;
	owed_date today;
	store_pause held;
	cJSON *p;
	int rc;
	if (!reason || !*reason)
		return svc_fail(err, OWED_EUSAGE, "reason: a pause needs a reason (--reason)");
	if (strlen(reason) >= sizeof held.reason)
		return svc_fail(err, OWED_EINPUT, "reason: at most %zu characters",
		                sizeof held.reason - 1);
	if ((rc = svc_find_debtor(ctx, "debtor", debtor, &d, err)) != 0)
		return rc;
	if (store_pause_holds(ctx->st, d.id, &held) == 0) {
		char since[16];
		date_format_iso(held.paused, since, sizeof since);
		return svc_fail(err, OWED_EREFUSED, "debtor: %s is paused already (since %s: %s)",
		                d.number, since, held.reason);
	}
	date_today(&today);
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "pausing the case", err);
	if ((rc = store_pause_insert(ctx->st, d.id, reason, today)) != 0)
		svc_store_fail(ctx, rc, "pausing the case", err);
	else {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "reason", reason);
		rc = svc_event(ctx, "debtor", d.id, d.id, 0, "case paused", p, err);
	}
	return svc_end_tx(ctx, rc, "pausing the case", err);
}

int svc_case_resume(owed_ctx *ctx, const char *debtor, owed_error *err)
{
	owed_debtor d;
	owed_date today;
	store_pause held;
	cJSON *p;
	int rc;
	if ((rc = svc_find_debtor(ctx, "debtor", debtor, &d, err)) != 0)
		return rc;
	if ((rc = store_pause_holds(ctx->st, d.id, &held)) == OWED_ENOTFOUND)
		return svc_fail(err, OWED_EREFUSED, "debtor: %s is not paused", d.number);
	if (rc != 0)
		return svc_store_fail(ctx, rc, "reading the pause", err);
	date_today(&today);
	if ((rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "resuming the case", err);
	if ((rc = store_pause_resume(ctx->st, d.id, today)) != 0)
		svc_store_fail(ctx, rc, "resuming the case", err);
	else {
		p = cJSON_CreateObject();
		svc_json_date(p, "paused", held.paused);
		cJSON_AddStringToObject(p, "reason", held.reason);
		rc = svc_event(ctx, "debtor", d.id, d.id, 0, "case resumed", p, err);
	}
	return svc_end_tx(ctx, rc, "resuming the case", err);
}

/* instalments: "YYYY-MM-DD=AMOUNT" texts */
int svc_plan(owed_ctx *ctx, const char *debtor, const char *const *instalments, size_t n,
             owed_error *err)
{
	owed_debtor d;
	int64_t paid;
	cJSON *p, *list;
	int rc;
	if (n == 0)
		return svc_fail(err, OWED_EUSAGE, "plan: give the instalments (--instalment "
		                "DATE=AMOUNT, repeated)");
	if ((rc = svc_find_debtor(ctx, "debtor", debtor, &d, err)) != 0)
		return rc;
	if ((rc = store_paid_total(ctx->st, d.id, ctx->admin.currency, &paid)) != 0 ||
	    (rc = store_begin(ctx->st)) != 0)
		return svc_store_fail(ctx, rc, "recording the plan", err);
	p = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(p, "instalments");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char date[32];
		const char *eq = strchr(instalments[i], '=');
		owed_date when;
		int64_t minor;
		cJSON *item;
		if (!eq || (size_t)(eq - instalments[i]) >= sizeof date) {
			rc = svc_fail(err, OWED_EINPUT, "instalment: '%s' is not DATE=AMOUNT",
			              instalments[i]);
			break;
		}
		memcpy(date, instalments[i], (size_t)(eq - instalments[i]));
		date[eq - instalments[i]] = '\0';
		if (svc_read_date("instalment", date, &when, err) ||
		    svc_read_amount(ctx, "instalment", eq + 1, ctx->admin.currency, &minor, err)) {
			rc = err->code;
			break;
		}
		if ((rc = store_instalment_insert(ctx->st, d.id, when, minor, ctx->admin.currency,
		                                  paid)) != 0) {
			svc_store_fail(ctx, rc, "recording the plan", err);
			break;
		}
		item = cJSON_CreateObject();
		svc_json_date(item, "date", when);
		svc_json_money(item, "amount", minor, ctx->admin.currency);
		cJSON_AddItemToArray(list, item);
	}
	if (rc == 0)
		rc = svc_event(ctx, "debtor", d.id, d.id, 0, "payment plan agreed", p, err);
	else
		cJSON_Delete(p);
	return svc_end_tx(ctx, rc, "recording the plan", err);
}

int svc_tasks(owed_ctx *ctx, int open_only, store_task_cb cb, void *ud, owed_error *err)
{
	int rc = store_tasks(ctx->st, open_only, cb, ud);
	return rc ? svc_store_fail(ctx, rc, "reading the tasks", err) : 0;
}

int svc_task_done(owed_ctx *ctx, int64_t id, owed_error *err)
{
	owed_date today;
	int rc;
	date_today(&today);
	rc = store_task_done(ctx->st, id, today);
	if (rc == OWED_ENOTFOUND)
		return svc_fail(err, OWED_EINPUT, "task: no open task %lld", (long long)id);
	return rc ? svc_store_fail(ctx, rc, "closing the task", err) : 0;
}

typedef struct case_list { owed_ctx *ctx; svc_case_cb cb; void *ud; } case_list;

static int case_with_debtor(const owed_case *c, void *ud)
{
	case_list *l = ud;
	owed_debtor d;
	int rc = store_debtor_lookup_id(l->ctx->st, c->debtor_id, &d);
	return rc ? rc : l->cb(c, &d, l->ud);
}

int svc_case_list(owed_ctx *ctx, svc_case_cb cb, void *ud, owed_error *err)
{
	case_list l = { ctx, cb, ud };
	int rc = store_case_active_each(ctx->st, ctx->admin.id, 0, case_with_debtor, &l);
	return rc ? svc_store_fail(ctx, rc, "listing cases", err) : 0;
}

static int keep_case(const owed_case *c, void *ud)
{
	*(owed_case *)ud = *c;
	return 0;
}

int svc_case_show(owed_ctx *ctx, const char *debtor, svc_case_view *out,
                  store_instalment_cb instalment, store_dispute_cb dispute, void *ud,
                  owed_error *err)
{
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = svc_find_debtor(ctx, "debtor", debtor, &out->debtor, err)) != 0)
		return rc;
	if ((rc = store_case_active_each(ctx->st, ctx->admin.id, out->debtor.id, keep_case,
	                                 &out->c)) != 0)
		return svc_store_fail(ctx, rc, "reading the case", err);
	out->has_case = out->c.id != 0;
	rc = store_promise_open(ctx->st, out->debtor.id, &out->promise);
	if (rc != 0 && rc != OWED_ENOTFOUND)
		return svc_store_fail(ctx, rc, "reading the promise", err);
	out->has_promise = rc == 0;
	rc = store_pause_holds(ctx->st, out->debtor.id, &out->pause);
	if (rc != 0 && rc != OWED_ENOTFOUND)
		return svc_store_fail(ctx, rc, "reading the pause", err);
	out->has_pause = rc == 0;
	if ((instalment && (rc = store_instalments(ctx->st, out->debtor.id, instalment, ud))) ||
	    (dispute && (rc = store_disputes_of_debtor(ctx->st, out->debtor.id, dispute, ud))))
		return svc_store_fail(ctx, rc, "reading the case", err);
	return 0;
}

/* ------------------------------------------------------------------ for the run */

typedef struct plan_state {
	owed_ctx *ctx;
	owed_date today;
	int64_t paid, cumulative;
	int running, missed;
	owed_date next, missed_date;
	int64_t missed_ids[64];
	int nmissed;
	int64_t paid_ids[64];
	int npaid;
} plan_state;

static int plan_each(const store_instalment *i, void *ud)
{
	plan_state *p = ud;
	if (strcmp(i->state, "open") != 0)
		return 0;
	p->cumulative += i->amount;
	if (p->paid - i->paid_before >= p->cumulative) {
		if (p->npaid < 64)
			p->paid_ids[p->npaid++] = i->id;
		return 0;
	}
	if (i->date < p->today || p->missed) {
		/* missed, or after one that was: the plan is over */
		if (!p->missed)
			p->missed_date = i->date;
		p->missed = 1;
		if (p->nmissed < 64)
			p->missed_ids[p->nmissed++] = i->id;
		return 0;
	}
	if (!p->running)
		p->next = i->date;
	p->running = 1;
	return 0;
}

int pause_check(owed_ctx *ctx, int64_t debtor_id, int64_t case_id, owed_date today,
                int dry_run, char *why, size_t size, owed_error *err)
{
	store_promise pr;
	plan_state plan = { .ctx = ctx, .today = today };
	int64_t paid;
	int rc;

	int promises, instalments, by_hand;

	why[0] = '\0';
	if ((rc = store_pauses(ctx->st, debtor_id, &promises, &instalments, &by_hand)) != 0)
		return svc_store_fail(ctx, rc, "reading pauses", err);
	if (!promises && !instalments && !by_hand)
		return 0;
	if (by_hand) {
		/* a person said wait: nothing else is weighed (a promise is settled after) */
		store_pause held;
		char since[16];
		if ((rc = store_pause_holds(ctx->st, debtor_id, &held)) != 0)
			return svc_store_fail(ctx, rc, "reading pauses", err);
		date_format_iso(held.paused, since, sizeof since);
		snprintf(why, size, "paused by hand since %s: %s", since, held.reason);
		return 1;
	}
	if ((rc = store_paid_total(ctx->st, debtor_id, ctx->admin.currency, &paid)) != 0)
		return svc_store_fail(ctx, rc, "reading payments", err);
	if (store_promise_open(ctx->st, debtor_id, &pr) == 0) {
		char amount[32], date[16];
		money_format(pr.amount, 2, NULL, "C", MONEY_FMT_PLAIN, amount, sizeof amount);
		date_format_iso(pr.date, date, sizeof date);
		if (today <= pr.date) {
			snprintf(why, size, "promise to pay %s %s by %s", amount, pr.currency, date);
			return 1;
		}
		if (!dry_run) {
			int kept = paid - pr.paid_before >= pr.amount;
			cJSON *p = cJSON_CreateObject();
			svc_json_date(p, "date", pr.date);
			svc_json_money(p, "promised", pr.amount, pr.currency);
			svc_json_money(p, "paid", paid - pr.paid_before, pr.currency);
			if ((rc = store_begin(ctx->st)) != 0 ||
			    (rc = store_promise_mark(ctx->st, pr.id, kept ? "kept" : "broken")) != 0) {
				cJSON_Delete(p);
				return svc_end_tx(ctx, rc ? rc : OWED_EIO, "checking the promise", err);
			}
			rc = svc_event(ctx, "debtor", debtor_id, debtor_id, 0,
			               kept ? "promise kept" : "promise broken", p, err);
			if ((rc = svc_end_tx(ctx, rc, "checking the promise", err)) != 0)
				return rc;
		}
	}
	plan.paid = paid;
	if ((rc = store_instalments(ctx->st, debtor_id, plan_each, &plan)) != 0)
		return svc_store_fail(ctx, rc, "reading the plan", err);
	if (!dry_run && (plan.npaid || plan.nmissed)) {
		if ((rc = store_begin(ctx->st)) != 0)
			return svc_store_fail(ctx, rc, "checking the plan", err);
		for (int i = 0; rc == 0 && i < plan.npaid; i++)
			rc = store_instalment_mark(ctx->st, plan.paid_ids[i], "paid");
		for (int i = 0; rc == 0 && i < plan.nmissed; i++)
			rc = store_instalment_mark(ctx->st, plan.missed_ids[i], "missed");
		if (rc == 0 && plan.nmissed) {
			/* a missed instalment is a step of its own: dated, explained, in the dossier */
			char reason[128], step[48], date[16];
			cJSON *p = cJSON_CreateObject();
			date_format_iso(plan.missed_date, date, sizeof date);
			snprintf(step, sizeof step, "plan-missed-%s", date);
			snprintf(reason, sizeof reason, "instalment due %s not paid: the payment plan "
			         "ends and dunning resumes", date);
			if (case_id)
				rc = store_step_insert(ctx->st, case_id, step, today, "", "", reason, "",
				                       NULL);
			cJSON_AddStringToObject(p, "reason", reason);
			if (rc == 0 || rc == OWED_EEXIST)
				rc = svc_event(ctx, "debtor", debtor_id, debtor_id, 0, "instalment missed",
				               p, err);
			else
				cJSON_Delete(p);
		}
		if ((rc = svc_end_tx(ctx, rc, "checking the plan", err)) != 0)
			return rc;
	}
	if (plan.running && !plan.missed) {
		char date[16];
		date_format_iso(plan.next, date, sizeof date);
		snprintf(why, size, "payment plan: next instalment %s", date);
		return 1;
	}
	return 0;
}
