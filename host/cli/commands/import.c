/*
 * import.c -- `owed import bank`, `owed payment review` and `owed payment match`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands/commands.h"
#include "cli/commands/host.h"
#include "services/money_in.h"
#include "services/render.h"

typedef struct import_out {
	const owed_ctx *ctx;
	out_table *t;
	cJSON *json;
	int verbose, rows;
} import_out;

static void import_line(const svc_import_line *l, void *ud)
{
	import_out *o = ud;
	char date[16], amount[48], pid[24] = "";
	if (o->json) {
		cJSON_AddItemToArray(o->json, render_import_line(l));
		return;
	}
	if (!o->verbose && strcmp(l->outcome, "matched") == 0)
		return;                     /* people read what needs them; --verbose shows all */
	if (l->payment_id)
		snprintf(pid, sizeof pid, "%lld", (long long)l->payment_id);
	{
		const char *row[7] = { out_date(date, sizeof date, l->date),
		                       out_money(amount, sizeof amount,
		                                 l->credit ? l->amount : -l->amount, l->currency,
		                                 o->ctx->locale),
		                       l->counterparty, l->outcome, pid, l->rule, l->why };
		table_add(o->t, row);
		o->rows++;
	}
}

/* On a TTY: how far the file is, on stderr (stdout stays the report). */
static void progress(const char *file, size_t done, size_t total, void *ud)
{
	(void)ud;
	if (done == total || done % 1000 == 0)
		fprintf(stderr, "\r%s: %zu/%zu done%s", file, done, total, done == total ? "\n" : "");
}

static void invoice_line(const svc_invoice_line *l, void *ud)
{
	import_out *o = ud;
	if (o->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "file", l->file);
		cJSON_AddStringToObject(j, "type", l->type);
		cJSON_AddStringToObject(j, "number", l->number);
		cJSON_AddStringToObject(j, "debtor", l->debtor);
		cJSON_AddStringToObject(j, "currency", l->currency);
		cJSON_AddStringToObject(j, "amount", l->amount);
		cJSON_AddStringToObject(j, "outcome", l->outcome);
		cJSON_AddItemToArray(o->json, j);
		return;
	}
	{
		const char *row[6] = { l->number, l->type, l->debtor, l->currency, l->amount,
		                       l->outcome };
		table_add(o->t, row);
		o->rows++;
	}
}

int cmd_import_invoices(const cli_args *a)
{
	static const char *const head[] = { "number", "type", "debtor", "cur", "amount",
	                                    "outcome" };
	svc_import_options opt = { .format = args_get(a, "format"),
	                           .dry_run = args_get(a, "dry-run") != NULL,
	                           .progress = !a->json && isatty(STDERR_FILENO) ? progress : NULL };
	svc_invoice_result res;
	owed_error err = { 0 };
	import_out o;
	cli_host h;
	int rc;

	if (a->npos < 1) {
		out_error("usage: owed import invoices FILE... (UBL/Peppol XML or CSV files)");
		return EXIT_USAGE;
	}
	if ((rc = cli_host_open(a, 1, &h)))
		return rc;
	o = (import_out){ &h.ledger, a->json ? NULL : table_new(6, head, "llllrl"),
	                  a->json ? cJSON_CreateArray() : NULL, 1, 0 };
	rc = svc_import_invoices(&h.ledger, h.rt, a->pos, (size_t)a->npos, &opt, invoice_line, &o,
	                         &res, &err);
	if (rc == 0 && a->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddBoolToObject(j, "dry_run", opt.dry_run);
		cJSON_AddNumberToObject(j, "files", (double)res.files);
		cJSON_AddNumberToObject(j, "read", (double)res.read);
		cJSON_AddNumberToObject(j, "booked", (double)res.booked);
		cJSON_AddNumberToObject(j, "credited", (double)res.credited);
		cJSON_AddNumberToObject(j, "duplicates", (double)res.duplicates);
		cJSON_AddNumberToObject(j, "debtors_created", (double)res.debtors_created);
		cJSON_AddItemToObject(j, "documents", o.json);
		o.json = NULL;
		out_json(j);
	} else if (rc == 0) {
		if (o.rows) {
			table_print(o.t);
			putchar('\n');
		}
		printf("%s%lld files, %lld documents read: %lld invoices booked, %lld credit notes "
		       "booked, %lld already in the ledger; %lld new debtors\n",
		       opt.dry_run ? "dry run (nothing written): " : "", (long long)res.files,
		       (long long)res.read, (long long)res.booked, (long long)res.credited,
		       (long long)res.duplicates, (long long)res.debtors_created);
	}
	cJSON_Delete(o.json);
	table_free(o.t);
	cli_host_close(&h);
	return rc ? cli_fail(&err) : EXIT_OK;
}


int cmd_import_bank(const cli_args *a)
{
	static const char *const head[] = { "date", "amount", "counterparty", "outcome", "payment",
	                                    "rule", "why" };
	owed_config *cfg = cli_config();
	svc_import_options opt = {
		.format = args_get(a, "format"), .dry_run = args_get(a, "dry-run") != NULL,
		.accept_unbalanced = args_get(a, "accept-unbalanced") != NULL,
		.matchers = cfg->nmatchers ? cfg->matchers : NULL, .nmatchers = cfg->nmatchers,
		.progress = !a->json && isatty(STDERR_FILENO) ? progress : NULL,
	};
	svc_import_result res;
	owed_error err = { 0 };
	import_out o = { 0 };
	cli_host h;
	int rc;

	if (a->npos < 1) {
		out_error("usage: owed import bank FILE... (one or more statement files)");
		return EXIT_USAGE;
	}
	if ((rc = cli_host_open(a, 1, &h)))
		return rc;
	o = (import_out){ &h.ledger, a->json ? NULL : table_new(7, head, "lrllrll"),
	                  a->json ? cJSON_CreateArray() : NULL, args_get(a, "verbose") != NULL, 0 };
	rc = svc_import_bank(&h.ledger, h.rt, a->pos, (size_t)a->npos, &opt, import_line, &o, &res,
	                     &err);
	if (rc == 0 && a->json) {
		cJSON *j = render_import_result(&res, opt.dry_run);
		cJSON_AddItemToObject(j, "entries_detail", o.json);
		o.json = NULL;
		out_json(j);
	} else if (rc == 0) {
		if (o.rows) {
			table_print(o.t);
			putchar('\n');
		}
		printf("%s%lld files, %lld statements (%lld seen before), %lld entries read: "
		       "%lld matched, %lld to review, %lld kept as credit, %lld reversed, "
		       "%lld refunded, %lld not receivables; %lld duplicates skipped\n",
		       opt.dry_run ? "dry run (nothing written): " : "", (long long)res.files,
		       (long long)res.statements, (long long)res.statements_skipped,
		       (long long)res.entries, (long long)res.matched, (long long)res.review,
		       (long long)res.credit, (long long)res.reversed, (long long)res.refunded,
		       (long long)res.ignored, (long long)res.duplicates);
		if (res.review)
			printf("see 'owed payment review'\n");
	}
	cJSON_Delete(o.json);
	table_free(o.t);
	cli_host_close(&h);
	return rc ? cli_fail(&err) : EXIT_OK;
}

typedef struct review_list { const owed_ctx *ctx; cli_list out; } review_list;

static int review_one(const owed_payment *p, void *ud)
{
	review_list *l = ud;
	char id[24], date[16], amount[48];
	if (l->out.json) {
		cJSON_AddItemToArray(l->out.json, render_payment(p));
		return 0;
	}
	snprintf(id, sizeof id, "%lld", (long long)p->id);
	{
		const char *row[7] = { id, out_date(date, sizeof date, p->date),
		                       out_money(amount, sizeof amount, p->unallocated, p->currency,
		                                 l->ctx->locale),
		                       p->counterparty, p->iban, p->remittance, p->review };
		table_add(l->out.table, row);
	}
	return 0;
}

int cmd_payment_review(const cli_args *a)
{
	static const char *const head[] = { "id", "date", "amount", "counterparty", "iban",
	                                    "remittance", "why" };
	owed_error err = { 0 };
	owed_ctx ctx;
	review_list l = { &ctx, { 0 } };
	int rc;
	if ((rc = args_want_pos(a, 0, 0)) || (rc = cli_session(a, &ctx)))
		return rc;
	cli_list_open(&l.out, a, 7, head, "rlrllll");
	rc = svc_payment_review(&ctx, review_one, &l, &err);
	svc_close(&ctx);
	return cli_list_close(&l.out, rc, &err);
}

int cmd_payment_match(const cli_args *a)
{
	svc_allocation_input alloc[ARGS_MAX_POS];
	char text[ARGS_MAX_POS][128], *end, buf[48];
	owed_error err = { 0 };
	owed_payment p;
	owed_ctx ctx;
	long long id;
	size_t n = 0;
	int rc;

	if ((rc = args_want_pos(a, 2, ARGS_MAX_POS)))
		return rc;
	id = strtoll(a->pos[0], &end, 10);
	if (*end || id <= 0) {
		out_error("PAYMENT: '%s' is not a payment id (see 'owed payment review')", a->pos[0]);
		return EXIT_USAGE;
	}
	n = cli_read_allocations(a->pos + 1, a->npos - 1, alloc, text);
	if ((rc = cli_session(a, &ctx)))
		return rc;
	rc = svc_payment_match(&ctx, id, alloc, n, &p, &err);
	if (rc) {
		svc_close(&ctx);
		return cli_fail(&err);
	}
	if (a->json)
		out_json(render_payment(&p));
	else
		printf("payment %lld matched, unallocated %s\n", id,
		       out_money(buf, sizeof buf, p.unallocated, p.currency, ctx.locale));
	svc_close(&ctx);
	return EXIT_OK;
}
