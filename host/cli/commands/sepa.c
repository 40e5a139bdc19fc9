/*
 * sepa.c -- `owed debtor mandate`, `owed admin sepa` and `owed collect sepa` (docs/sepa.md),
 * and the mandate lines of `owed debtor show`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands/commands.h"
#include "cli/commands/host.h"
#include "services/sepa.h"

static void print_mandate(const store_mandate *m, owed_date valid_until)
{
	char line[256], signed_on[16], until[16] = "", last[16] = "never";
	owed_date today = 0;
	date_today(&today);
	date_format_iso(m->signed_on, signed_on, sizeof signed_on);
	if (valid_until)
		date_format_iso(valid_until, until, sizeof until);
	if (m->last_collection)
		date_format_iso(m->last_collection, last, sizeof last);
	snprintf(line, sizeof line, "%s, signed %s, %s%s", m->reference, signed_on, m->status,
	         strcmp(m->status, "active") == 0 && valid_until && today > valid_until
	         ? " but LAPSED (36 months unused)" : "");
	out_field("mandate", line);
	snprintf(line, sizeof line, "%s%s%s", m->iban, m->bic[0] ? ", BIC " : "", m->bic);
	out_field("mandate iban", line);
	snprintf(line, sizeof line, "next %s, last collection %s%s%s", m->sequence, last,
	         until[0] ? ", lapses after " : "", until);
	out_field("mandate use", line);
}

int cli_debtor_mandate_show(owed_ctx *ctx, const owed_debtor *d, cJSON *json)
{
	owed_error err = { 0 };
	store_mandate m;
	owed_date until = 0;
	int rc = svc_mandate_get(ctx, d->id, &m, &until, &err);
	if (rc == OWED_ENOTFOUND) {
		if (json)
			cJSON_AddNullToObject(json, "mandate");
		else
			out_field("mandate", "(none)");
		return 0;
	}
	if (rc)
		return cli_fail(&err);
	if (json)
		cJSON_AddItemToObject(json, "mandate", render_mandate(&m, until));
	else
		print_mandate(&m, until);
	return 0;
}

int cmd_debtor_mandate(const cli_args *a)
{
	svc_mandate_input in = {
		.id = args_get(a, "id"), .signed_on = args_get(a, "signed"),
		.iban = args_get(a, "iban"), .bic = args_get(a, "bic"),
		.sequence = args_get(a, "sequence"),
	};
	int revoke = args_get(a, "revoke") != NULL;
	owed_error err = { 0 };
	store_mandate m;
	owed_date until = 0;
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 1, 1)))
		return rc;
	if (revoke && (in.id || in.signed_on || in.iban || in.bic || in.sequence)) {
		out_error("revoke: --revoke takes no other mandate options");
		return EXIT_USAGE;
	}
	if ((rc = cli_session(a, &ctx)))
		return rc;
	rc = revoke ? svc_mandate_revoke(&ctx, a->pos[0], &m, &err)
	            : svc_mandate_set(&ctx, a->pos[0], &in, &m, &err);
	if (rc == 0)
		rc = svc_mandate_get(&ctx, m.debtor_id, &m, &until, &err);
	svc_close(&ctx);
	if (rc)
		return cli_fail(&err);
	if (a->json)
		out_json(render_mandate(&m, until));
	else
		print_mandate(&m, until);
	return EXIT_OK;
}

int cmd_admin_sepa(const cli_args *a)
{
	const char *ci = args_get(a, "creditor-id"), *bic = args_get(a, "bic");
	owed_error err = { 0 };
	svc_sepa_creditor c;
	owed_ctx ctx;
	int rc;
	if ((rc = args_want_pos(a, 0, 0)) || (rc = cli_session(a, &ctx)))
		return rc;
	rc = ci || bic ? svc_sepa_creditor_set(&ctx, ci, bic, &c, &err)
	               : svc_sepa_creditor_get(&ctx, &c, &err);
	if (rc == 0 && a->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "administration", ctx.admin.code);
		cJSON_AddStringToObject(o, "creditor_id", c.creditor_id);
		cJSON_AddStringToObject(o, "bic", c.bic);
		cJSON_AddStringToObject(o, "iban", ctx.admin.iban);
		out_json(o);
	} else if (rc == 0) {
		out_field("administration", ctx.admin.code);
		out_field("creditor id", c.creditor_id[0] ? c.creditor_id : "(not set)");
		out_field("iban", ctx.admin.iban);
		out_field("bic", c.bic[0] ? c.bic : "(not set: NOTPROVIDED in files)");
	}
	svc_close(&ctx);
	return rc ? cli_fail(&err) : EXIT_OK;
}

typedef struct collect_out {
	const owed_ctx *ctx;
	out_table *t;
	cJSON *json;
} collect_out;

static void collect_line(const svc_collect_line *l, void *ud)
{
	collect_out *o = ud;
	char due[16], amount[48];
	out_date(due, sizeof due, l->due_date);
	out_money(amount, sizeof amount, l->amount, l->currency, o->ctx->locale);
	if (o->json) {
		cJSON_AddItemToArray(o->json, render_collect_line(l));
	} else {
		const char *row[7] = { l->debtor, l->invoice, due, amount, l->mandate,
		                       l->taken ? l->sequence : "skipped",
		                       l->taken ? l->end_to_end : l->reason };
		table_add(o->t, row);
	}
}

int cmd_collect_sepa(const cli_args *a)
{
	static const char *const head[] = { "debtor", "invoice", "due", "amount", "mandate",
	                                    "sequence", "end-to-end id / why not" };
	const char *date = args_get(a, "date");
	svc_collect_options opt = { .dry_run = args_get(a, "dry-run") != NULL,
	                            .out = args_get(a, "out"), .writer = args_get(a, "writer") };
	svc_collect_result res;
	owed_error err = { 0 };
	collect_out o;
	cli_host h;
	char when[16], total[48];
	int rc;

	if ((rc = args_want_pos(a, 0, 0)))
		return rc;
	if (date && date_parse(date, &opt.date) != 0) {
		out_error("date: '%s' is not a date (expected YYYY-MM-DD)", date);
		return EXIT_INPUT;
	}
	if (opt.dry_run && opt.out) {
		out_error("out: --dry-run writes no file; leave out --out");
		return EXIT_USAGE;
	}
	if ((rc = cli_host_open(a, 1, &h)))
		return rc;
	o = (collect_out){ &h.ledger, a->json ? NULL : table_new(7, head, "lllrlll"),
	                   a->json ? cJSON_CreateArray() : NULL };
	rc = svc_collect_sepa(&h.ledger, h.rt, &opt, collect_line, &o, &res, &err);
	if (rc == 0) {
		date_format_iso(res.date, when, sizeof when);
		out_money(total, sizeof total, res.total, "EUR", h.ledger.locale);
	}
	if (rc == 0 && a->json) {
		cJSON *j = render_collect_result(&res, opt.dry_run);
		cJSON_AddItemToObject(j, "invoices", o.json);
		o.json = NULL;
		out_json(j);
	} else if (rc == 0) {
		if (res.transactions || res.skipped) {
			table_print(o.t);
			putchar('\n');
		}
		if (!res.transactions)
			printf("nothing to collect on %s%s\n", when,
			       res.skipped ? " (every candidate skipped, see why above)" : "");
		else if (opt.dry_run)
			printf("dry run (nothing written): %lld invoices, %s, would go in %s\n",
			       (long long)res.transactions, total, res.message_id);
		else
			printf("collecting %lld invoices, %s, on %s: %s\n", (long long)res.transactions,
			       total, when, res.path);
	}
	cJSON_Delete(o.json);
	table_free(o.t);
	cli_host_close(&h);
	return rc ? cli_fail(&err) : EXIT_OK;
}
