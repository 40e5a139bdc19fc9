/*
 * run.c -- `owed run`, `owed case dispute|resolve|pause|resume|promise|plan|list`, `owed
 * tasks` and `owed outbox [retry]`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands/commands.h"
#include "cli/commands/host.h"
#include "services/dunning.h"
#include "services/money_in.h"
#include "services/render.h"

static const char *const outcome_names[] = {
	"step", "waiting", "done", "closed", "skipped", "failed", "handed off"
};

typedef struct run_out {
	const owed_ctx *ctx;
	out_table *t;
	cJSON *json;
} run_out;

static void run_line(const svc_run_line *l, void *ud)
{
	run_out *o = ud;
	char open[48], next[16] = "";
	if (l->next_date)
		date_format_iso(l->next_date, next, sizeof next);
	out_money(open, sizeof open, l->open, l->currency, o->ctx->locale);
	if (o->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "debtor", l->debtor_number);
		cJSON_AddStringToObject(j, "outcome", outcome_names[l->outcome]);
		cJSON_AddStringToObject(j, "policy", l->policy ? l->policy : "");
		cJSON_AddStringToObject(j, "step", l->step ? l->step : "");
		cJSON_AddStringToObject(j, "channels", l->channels ? l->channels : "");
		cJSON_AddStringToObject(j, "reason", l->reason ? l->reason : "");
		cJSON_AddStringToObject(j, "next_date", next);
		cJSON_AddItemToArray(o->json, j);
		return;
	}
	{
		const char *row[7] = { l->debtor_number, l->debtor_name, outcome_names[l->outcome],
		                       l->step ? l->step : "", l->channels ? l->channels : "", open,
		                       l->outcome == RUN_WAITING && next[0] ? next
		                       : l->reason ? l->reason : "" };
		table_add(o->t, row);
	}
}

int cmd_run(const cli_args *a)
{
	static const char *const head[] = { "debtor", "name", "outcome", "step", "by", "open",
	                                    "why / next" };
	const char *date = args_get(a, "date"), *batch = args_get(a, "batch");
	svc_run_options opt = { .dry_run = args_get(a, "dry-run") != NULL,
	                        .debtor = args_get(a, "debtor"), .rules = cli_config()->rules,
	                        .nrules = cli_config()->nrules };
	svc_run_result res = { 0 };
	owed_error err = { 0 };
	int64_t placed = 0;
	cli_host h;
	run_out o;
	int rc = 0;

	if ((rc = args_want_pos(a, 0, 0)))
		return rc;
	if (date && date_parse(date, &opt.date) != 0) {
		out_error("date: '%s' is not a date (expected YYYY-MM-DD)", date);
		return EXIT_INPUT;
	}
	if (batch) {
		char *end;
		long n = strtol(batch, &end, 10);
		if (!*batch || *end || n < 1 || n > 1024) {
			out_error("batch: '%s' is not a number of cases from 1 to 1024", batch);
			return EXIT_USAGE;
		}
		opt.batch_max = (int)n;
	}
	if ((rc = cli_host_open(a, 1, &h)))
		return rc;
	o = (run_out){ &h.ledger, a->json ? NULL : table_new(7, head, "lllllrl"),
	               a->json ? cJSON_CreateArray() : NULL };
	/* matching first: a payment placed now is not dunned for below */
	if (!opt.dry_run)
		rc = svc_payment_rematch(&h.ledger, h.rt, cli_config()->nmatchers
		                         ? cli_config()->matchers : NULL, cli_config()->nmatchers,
		                         &placed, &err);
	if (rc == 0)
		rc = svc_run(&h.ledger, h.rt, &opt, run_line, &o, &res, &err);
	if (a->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddBoolToObject(j, "dry_run", opt.dry_run);
		cJSON_AddNumberToObject(j, "cases", (double)res.cases);
		cJSON_AddNumberToObject(j, "steps", (double)res.steps);
		cJSON_AddNumberToObject(j, "waiting", (double)res.waiting);
		cJSON_AddNumberToObject(j, "closed", (double)res.closed);
		cJSON_AddNumberToObject(j, "failed", (double)res.failed);
		cJSON_AddNumberToObject(j, "delivered", (double)res.delivered);
		cJSON_AddNumberToObject(j, "delivery_failures", (double)res.delivery_failures);
		cJSON_AddNumberToObject(j, "payments_placed", (double)placed);
		cJSON_AddItemToObject(j, "cases_detail", o.json);
		out_json(j);
	} else {
		if (placed)
			printf("%lld payments from the review queue placed first (see 'owed dossier')\n",
			       (long long)placed);
		table_print(o.t);
		printf("\n%s%lld cases: %lld steps, %lld waiting, %lld closed, %lld failed; "
		       "%lld delivered, %lld to retry\n", opt.dry_run ? "dry run (nothing written): "
		       : res.repeated ? "again for this date: " : "", (long long)res.cases,
		       (long long)res.steps, (long long)res.waiting, (long long)res.closed,
		       (long long)res.failed, (long long)res.delivered,
		       (long long)res.delivery_failures);
	}
	table_free(o.t);
	cli_host_close(&h);
	if (rc)
		return cli_fail(&err);
	return res.failed ? EXIT_REFUSED : EXIT_OK;
}

int cmd_case_dispute(const cli_args *a)
{
	owed_error err = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)) || (rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_dispute(&ctx, a->pos[0], args_get(a, "reason"), &err);
	svc_close(&ctx);
	if (rc)
		return cli_fail(&err);
	printf("invoice %s disputed: it leaves the letters until resolved\n", a->pos[0]);
	return EXIT_OK;
}

int cmd_case_resolve(const cli_args *a)
{
	owed_error err = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)) || (rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_dispute_resolve(&ctx, a->pos[0], &err);
	svc_close(&ctx);
	if (rc)
		return cli_fail(&err);
	printf("dispute on invoice %s resolved: dunning resumes\n", a->pos[0]);
	return EXIT_OK;
}

static int outbox_row(const store_outbox *r, void *ud)
{
	cli_list *o = ud;
	char id[24], attempts[16];
	if (o->json) {
		cJSON *j = render_outbox(r);
		cJSON_AddItemToArray(o->json, j);
		return 0;
	}
	snprintf(id, sizeof id, "%lld", (long long)r->id);
	snprintf(attempts, sizeof attempts, "%d", r->attempts);
	{
		const char *row[7] = { id, r->channel, r->idem_key, r->state, attempts,
		                       r->sent[0] ? r->sent : r->next_attempt,
		                       r->last_error ? r->last_error : "" };
		table_add(o->table, row);
	}
	return 0;
}

/* owed outbox --dispatch: what `owed serve`'s dispatcher runs in a child between runs. */
static int outbox_dispatch(const cli_args *a)
{
	int64_t delivered = 0, failed = 0;
	owed_error err = { 0 };
	cli_host h;
	int rc;
	if ((rc = cli_host_open(a, 1, &h)))
		return rc;
	rc = svc_outbox_dispatch(&h.ledger, h.rt, &delivered, &failed, &err);
	cli_host_close(&h);
	if (rc)
		return cli_fail(&err);
	if (a->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "delivered", (double)delivered);
		cJSON_AddNumberToObject(j, "delivery_failures", (double)failed);
		out_json(j);
	} else
		printf("%lld delivered, %lld to retry\n", (long long)delivered, (long long)failed);
	return EXIT_OK;
}

int cmd_outbox(const cli_args *a)
{
	static const char *const head[] = { "id", "channel", "key", "state", "attempts",
	                                    "sent / next", "last error" };
	owed_error err = { 0 };
	cli_list o = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 0, 0)))
		return rc;
	if (args_get(a, "dispatch"))
		return outbox_dispatch(a);
	if ((rc = cli_session(a, &ctx)))
		return rc;
	cli_list_open(&o, a, 7, head, "rllllll");
	rc = svc_outbox_list(&ctx, args_get(a, "state"), outbox_row, &o, &err);
	svc_close(&ctx);
	return cli_list_close(&o, rc, &err);
}

int cmd_outbox_retry(const cli_args *a)
{
	owed_error err = { 0 };
	owed_ctx ctx;
	long long id;
	char *end;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)))
		return rc;
	id = strtoll(a->pos[0], &end, 10);
	if (*end || id <= 0) {
		out_error("ID: '%s' is not a delivery id (see 'owed outbox')", a->pos[0]);
		return EXIT_USAGE;
	}
	if ((rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_outbox_retry(&ctx, id, NULL, NULL, &err);
	svc_close(&ctx);
	if (rc)
		return cli_fail(&err);
	printf("delivery %lld is pending again: the next run tries it\n", id);
	return EXIT_OK;
}

int cmd_case_promise(const cli_args *a)
{
	owed_error err = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)) || (rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_promise(&ctx, a->pos[0], args_get(a, "date"), args_get(a, "amount"), &err);
	svc_close(&ctx);
	if (rc)
		return cli_fail(&err);
	printf("promise recorded: %s's case waits until %s\n", a->pos[0], args_get(a, "date"));
	return EXIT_OK;
}

int cmd_case_pause(const cli_args *a)
{
	owed_error err = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)) || (rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_case_pause(&ctx, a->pos[0], args_get(a, "reason"), &err);
	svc_close(&ctx);
	if (rc)
		return cli_fail(&err);
	printf("%s's case is paused until 'owed case resume %s'\n", a->pos[0], a->pos[0]);
	return EXIT_OK;
}

int cmd_case_resume(const cli_args *a)
{
	owed_error err = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)) || (rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_case_resume(&ctx, a->pos[0], &err);
	svc_close(&ctx);
	if (rc)
		return cli_fail(&err);
	printf("%s's case resumes: the next run decides its next step\n", a->pos[0]);
	return EXIT_OK;
}

int cmd_case_plan(const cli_args *a)
{
	owed_error err = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)) || (rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_plan(&ctx, a->pos[0], a->multi, (size_t)a->nmulti, &err);
	svc_close(&ctx);
	if (rc)
		return cli_fail(&err);
	printf("payment plan of %d instalments recorded for %s\n", a->nmulti, a->pos[0]);
	return EXIT_OK;
}

static int task_row(const store_task *t, void *ud)
{
	cli_list *o = ud;
	char id[24], due[16];
	snprintf(id, sizeof id, "%lld", (long long)t->id);
	date_format_iso(t->due, due, sizeof due);
	if (o->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "id", (double)t->id);
		cJSON_AddStringToObject(j, "due", due);
		cJSON_AddStringToObject(j, "debtor", t->debtor);
		cJSON_AddStringToObject(j, "text", t->text);
		cJSON_AddStringToObject(j, "done", t->done);
		cJSON_AddItemToArray(o->json, j);
	} else {
		const char *row[5] = { id, due, t->debtor, t->debtor_name, t->text };
		table_add(o->table, row);
	}
	return 0;
}

int cmd_tasks(const cli_args *a)
{
	static const char *const head[] = { "id", "due", "debtor", "name", "task" };
	owed_error err = { 0 };
	cli_list o = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 0, 1)) || (rc = cli_session(a, &ctx)))
		return rc;
	if (a->npos == 1) {             /* owed tasks ID: done */
		char *end;
		long long id = strtoll(a->pos[0], &end, 10);
		if (*end || id <= 0) {
			svc_close(&ctx);
			out_error("tasks: '%s' is not a task id", a->pos[0]);
			return EXIT_USAGE;
		}
		rc = svc_task_done(&ctx, id, &err);
		svc_close(&ctx);
		return rc ? cli_fail(&err) : EXIT_OK;
	}
	cli_list_open(&o, a, 5, head, "rllll");
	rc = svc_tasks(&ctx, args_get(a, "all") == NULL, task_row, &o, &err);
	svc_close(&ctx);
	return cli_list_close(&o, rc, &err);
}

static int case_row(const owed_case *c, const owed_debtor *d, void *ud)
{
	static const char *const states[] = { "open", "handed off", "closed" };
	cli_list *o = ud;
	char step_date[16] = "", opened[16], next[16] = "";
	if (c->step_date)
		date_format_iso(c->step_date, step_date, sizeof step_date);
	if (c->next_date)
		date_format_iso(c->next_date, next, sizeof next);
	date_format_iso(c->opened, opened, sizeof opened);
	if (o->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "id", (double)c->id);
		cJSON_AddStringToObject(j, "debtor", d->number);
		cJSON_AddStringToObject(j, "policy", c->policy);
		cJSON_AddStringToObject(j, "state", states[c->state]);
		cJSON_AddStringToObject(j, "step", c->step);
		cJSON_AddStringToObject(j, "step_date", step_date);
		cJSON_AddStringToObject(j, "next_date", next);
		cJSON_AddStringToObject(j, "opened", opened);
		cJSON_AddBoolToObject(j, "credit_hold", d->credit_hold);
		cJSON_AddItemToArray(o->json, j);
	} else {
		const char *row[8] = { d->number, d->name, c->policy, states[c->state], c->step,
		                       step_date, next, opened };
		table_add(o->table, row);
	}
	return 0;
}

int cmd_case_list(const cli_args *a)
{
	static const char *const head[] = { "debtor", "name", "policy", "state", "last step",
	                                    "on", "next", "opened" };
	owed_error err = { 0 };
	cli_list o = { 0 };
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 0, 0)) || (rc = cli_session(a, &ctx)))
		return rc;
	cli_list_open(&o, a, 8, head, "llllllll");
	rc = svc_case_list(&ctx, case_row, &o, &err);
	svc_close(&ctx);
	return cli_list_close(&o, rc, &err);
}
