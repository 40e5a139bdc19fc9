/*
 * demo.c -- `owed demo`: a small firm's year of invoices and payments in a fresh ledger,
 * then the views a credit manager opens first: debtors, overdue invoices, aging.
 *
 * Everything goes through the same services as the other commands, so the demo is also a
 * smoke test of the whole stack.  The ledger is deterministic: a fixed seed, and dates
 * counted back from today (or OWED_TODAY).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands/commands.h"
#include "core/money.h"
#include "core/ref.h"

static uint64_t demo_rand(uint64_t *s)
{
	/* xorshift64*: enough for a demo, the same sequence on every machine */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* How a customer pays: days after the due date, and the share of invoices never paid. */
typedef struct behaviour {
	const char *name;
	int late_days, never_pct;
} behaviour;

static const behaviour behaviours[] = {
	{ "punctual", -5, 0 }, { "late", 12, 0 }, { "very late", 45, 5 }, { "never pays", 0, 100 },
};

static const char *const firms[] = {
	"Bakkerij De Korenschoof", "Installatiebedrijf Van Dijk", "Hoveniers Groen & Zn",
	"Brasserie Le Coq", "Drukkerij Het Anker", "Garage Peeters", "Atelier Lumière",
	"Transport Janssens BV", "Fietsenmaker Bos", "Architectenbureau Lijn", "Café 't Hoekje",
	"Schilders Mertens", "Boekhandel Pagina", "Loodgieter Smit", "Kapsalon Knip",
	"Bloemisterij Flora", "Dakwerken Claes", "Tandartspraktijk Wit", "Slagerij Vermeulen",
	"Reisbureau Horizon",
};
static const char *const people[] = {
	"J. de Vries", "M. Jansen", "A. Dubois", "L. Maes", "S. Bakker", "K. Willems",
	"E. Visser", "N. Lambert", "P. Mulder", "R. Claes",
};

#define DEMO_DEBTORS 30
#define DEMO_MONTHS  12

static int demo_fail(owed_ctx *ctx, const owed_error *err)
{
	svc_close(ctx);
	return cli_fail(err);
}

static int build_ledger(owed_ctx *ctx, owed_date today, owed_error *err)
{
	uint64_t seed = 0x5eed0e0dULL;
	char number[32], inv_no[32], amount[32], date[16], due[16], paid_on[16], ref[32];
	int invoice_seq = 0;

	for (int i = 0; i < DEMO_DEBTORS; i++) {
		int consumer = i % 3 == 2, belgian = i % 4 == 1;
		const behaviour *b = &behaviours[i % 10 == 9 ? 3 : i % 5 == 3 ? 2 : i % 2];
		svc_debtor_input din = {
			.number = number, .kind = consumer ? "consumer" : "business",
			.country = belgian ? "BE" : "NL",
			.name = consumer ? people[i % 10] : firms[i % 20],
			.language = belgian && i % 8 == 5 ? "fr" : "nl",
			.tags = b->name, .terms_days = consumer ? "14" : "30",
		};
		snprintf(number, sizeof number, "D%04d", 1001 + i);
		if (svc_debtor_add(ctx, &din, NULL, err) != 0)
			return err->code;

		for (int m = DEMO_MONTHS; m >= 0; m--) {
			owed_date issue, due_d, paid;
			int64_t cents = 4500 + (int64_t)(demo_rand(&seed) % 250000);
			svc_invoice_input iin = {
				.number = inv_no, .debtor = number, .amount = amount,
				.issue_date = date, .reference = ref,
				.description = "Levering en diensten",
			};
			if (date_add_days(today, -(int64_t)(m * 30 + (int)(demo_rand(&seed) % 20)),
			                  &issue))
				return OWED_EOVERFLOW;
			snprintf(inv_no, sizeof inv_no, "2026-%05d", ++invoice_seq);
			money_format(cents, 2, NULL, "C", MONEY_FMT_PLAIN, amount, sizeof amount);
			date_format_iso(issue, date, sizeof date);
			if (belgian)
				ref_make_ogm((uint64_t)invoice_seq * 1000 + 26, ref, sizeof ref);
			else
				ref_make_nl((uint64_t)invoice_seq, ref, sizeof ref);
			if (svc_invoice_add(ctx, &iin, NULL, err) != 0)
				return err->code;

			/* Pay it if this customer would have by now. */
			date_add_days(issue, consumer ? 14 : 30, &due_d);
			date_add_days(due_d, b->late_days + (int)(demo_rand(&seed) % 10), &paid);
			if ((int)(demo_rand(&seed) % 100) < b->never_pct || paid > today)
				continue;
			date_format_iso(due_d, due, sizeof due);
			date_format_iso(paid, paid_on, sizeof paid_on);
			{
				svc_allocation_input al = { inv_no, NULL };
				svc_payment_input pin = {
					.date = paid_on, .amount = amount, .counterparty = din.name,
					.remittance = ref, .alloc = &al, .nalloc = 1,
				};
				if (svc_payment_add(ctx, &pin, NULL, err) != 0)
					return err->code;
			}
		}
	}
	return 0;
}

typedef struct overdue_ctx {
	const owed_ctx *ctx;
	out_table *t;
	owed_date today;
} overdue_ctx;

static int overdue_row(const owed_invoice *inv, void *ud)
{
	overdue_ctx *o = ud;
	char due[16], days[16], open[48];
	const char *row[5] = { inv->number, inv->debtor_name, due, days, open };
	out_date(due, sizeof due, inv->due_date);
	snprintf(days, sizeof days, "%d", date_diff(inv->due_date, o->today));
	out_money(open, sizeof open, inv->open, inv->currency, o->ctx->locale);
	table_add(o->t, row);
	return 0;
}

int cmd_demo(const cli_args *a)
{
	static const char *const head[] = { "invoice", "debtor", "due", "days late", "open" };
	const char *keep = args_get(a, "keep");
	char tmpl[] = "/tmp/owed-demo-XXXXXX", path[512];
	svc_admin_input admin = {
		.name = "Groothandel Noordzee BV", .code = "demo", .country = "NL",
		.kvk = "12345678", .vat = "NL123456789B01", .iban = "NL91ABNA0417164300",
		.address = "Havenstraat 1, 1011 AB Amsterdam",
	};
	svc_invoice_query q = { .overdue_only = 1, .limit = 15 };
	owed_error err = { 0 };
	owed_ctx ctx;
	owed_date today;
	svc_aging ag;
	int rc;

	if ((rc = args_want_pos(a, 0, 0)))
		return rc;
	if (keep)
		snprintf(path, sizeof path, "%s", keep);
	else if (!mkdtemp(tmpl)) {
		out_error("demo: cannot create a temporary folder in /tmp");
		return EXIT_IO;
	} else
		snprintf(path, sizeof path, "%s/demo.db", tmpl);
	if (date_today(&today) != 0) {
		out_error("demo: OWED_TODAY is not a date (expected YYYY-MM-DD)");
		return EXIT_INPUT;
	}
	if (svc_init(path, &admin, &err) != 0 || svc_open(path, NULL, &ctx, &err) != 0)
		return cli_fail(&err);
	snprintf(ctx.locale, sizeof ctx.locale, "C");   /* the generator writes machine amounts */
	snprintf(ctx.actor, sizeof ctx.actor, "demo");
	/* One outer transaction: the services' own transactions nest inside it as savepoints. */
	if (store_begin(ctx.st) != 0 || build_ledger(&ctx, today, &err) != 0 ||
	    store_commit(ctx.st) != 0) {
		if (!err.code)
			svc_fail(&err, OWED_EIO, "demo: %s", store_error(ctx.st));
		return demo_fail(&ctx, &err);
	}

	snprintf(ctx.locale, sizeof ctx.locale, "nl-NL");
	printf("Demo ledger: %s (%d debtors, %d months of invoices)\n\n", path, DEMO_DEBTORS,
	       DEMO_MONTHS);
	{
		overdue_ctx o = { &ctx, table_new(5, head, "lllrr"), today };
		printf("Most overdue invoices\n");
		rc = svc_invoice_list(&ctx, &q, overdue_row, &o, &err);
		table_print(o.t);
		table_free(o.t);
		if (rc)
			return demo_fail(&ctx, &err);
	}
	if (svc_aging_report(&ctx, today, &ag, &err) != 0)
		return demo_fail(&ctx, &err);
	putchar('\n');
	print_aging(&ctx, &ag);
	printf("\nTry: OWED_DB=%s owed debtor list\n", path);
	svc_close(&ctx);
	return EXIT_OK;
}
