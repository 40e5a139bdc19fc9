/*
 * demo.c -- `owed demo`: a small wholesaler's year of invoices, then 120 days of daily runs
 * with payments arriving as each customer behaves, and the summary a credit manager wants.
 *
 * Everything goes through the same services and plugins as real use: the ledger services,
 * the policies (nl-b2b, nl-b2c, be-b2b, be-b2c), the charges plugins, the e-mail channel (in
 * folder mode: every mail is an .eml file to open, with its PDF beside it) and the letter
 * channel.  In the 120 days the payments arrive as the bank's daily camt.053 statement
 * (written to bank/ in the folder), imported and matched like a real one.  The simulation is deterministic: a fixed seed, dates counted from today (or
 * OWED_TODAY).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands/commands.h"
#include "cli/commands/host.h"
#include "core/money.h"
#include "core/ref.h"
#include "services/dunning.h"
#include "services/money_in.h"

#define DEMO_DEBTORS 300
#define DEMO_DAYS    120
#define DEMO_HISTORY 12         /* months of invoices before the simulation */

typedef enum { PUNCTUAL, LATE, VERY_LATE, DISPUTING, NEVER } behaviour;
static const char *const behaviour_names[] = {
	"punctual", "late", "very late", "disputing", "never pays"
};

/* A payment a customer will make: the invoice, the day, the amount. */
typedef struct planned { char invoice[32]; owed_date day; int64_t amount; } planned;

typedef struct demo {
	owed_ctx *ctx;
	rt *r;
	uint64_t seed;
	owed_date start, end;
	planned *plan;
	size_t nplan, cap;
	int invoices;
	behaviour who[DEMO_DEBTORS];
	int cycle[DEMO_DEBTORS];        /* each customer's day of the month to be invoiced */
	svc_run_result total;
	char first_failure[512];
	const char *dir;
	int64_t balance;                /* the bank account's, for the statements' balances */
	svc_import_result bank;         /* the statements imported, summed */
} demo;

static uint64_t demo_rand(uint64_t *s)
{
	/* xorshift64*: the same sequence on every machine */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static const char *const firms[] = {
	"Bakkerij De Korenschoof", "Installatiebedrijf Van Dijk", "Hoveniers Groen & Zn",
	"Brasserie Le Coq", "Drukkerij Het Anker", "Garage Peeters", "Atelier Lumière",
	"Transport Janssens", "Fietsenmaker Bos", "Architectenbureau Lijn", "Café 't Hoekje",
	"Schilders Mertens", "Boekhandel Pagina", "Loodgieter Smit", "Kapsalon Knip",
	"Bloemisterij Flora", "Dakwerken Claes", "Tandartspraktijk Wit", "Slagerij Vermeulen",
	"Reisbureau Horizon",
};
static const char *const people[] = {
	"J. de Vries", "M. Jansen", "A. Dubois", "L. Maes", "S. Bakker", "K. Willems",
	"E. Visser", "N. Lambert", "P. Mulder", "R. Claes",
};
static const char *const towns[] = {
	"1011 AB Amsterdam", "2000 Antwerpen", "3511 CD Utrecht", "1000 Bruxelles",
	"9000 Gent", "5611 EF Eindhoven",
};

static int fail_with(demo *d, const owed_error *err)
{
	(void)d;
	return cli_fail(err);
}

/* ------------------------------------------------------------------ building the ledger */

static int add_debtors(demo *d, owed_error *err)
{
	for (int i = 0; i < DEMO_DEBTORS; i++) {
		char number[16], name[96], email[96], address[128];
		int consumer = i % 4 == 3, belgian = i % 3 == 1, french = belgian && i % 2 == 0;
		uint64_t roll = demo_rand(&d->seed) % 100;
		svc_debtor_input in = {
			.number = number, .name = name, .email = email, .address = address,
			.kind = consumer ? "consumer" : "business", .country = belgian ? "BE" : "NL",
			.language = french ? "fr" : "nl", .terms_days = consumer ? "14" : "30",
		};
		d->who[i] = roll < 45 ? PUNCTUAL : roll < 72 ? LATE : roll < 86 ? VERY_LATE
		          : roll < 92 ? DISPUTING : NEVER;
		d->cycle[i] = 1 + (int)(demo_rand(&d->seed) % 28);
		in.tags = behaviour_names[d->who[i]];
		snprintf(number, sizeof number, "D%04d", 1001 + i);
		snprintf(name, sizeof name, "%s%s%d", consumer ? people[i % 10] : firms[i % 20],
		         " #", i + 1);
		snprintf(email, sizeof email, "administratie@d%04d.example", 1001 + i);
		snprintf(address, sizeof address, "Marktstraat %d, %s", 1 + i % 90,
		         towns[(belgian ? 1 : 0) + 2 * (i % 3)]);
		if (svc_debtor_add(d->ctx, &in, NULL, err) != 0)
			return err->code;
	}
	return 0;
}

/* When this customer pays an invoice due on `due`: 0 for never. */
static owed_date pay_day(demo *d, behaviour b, owed_date due)
{
	int r = (int)(demo_rand(&d->seed) % 15);
	switch (b) {
	case PUNCTUAL:  return due - 5 + r / 3;
	case LATE:      return due + 10 + r;
	case VERY_LATE: return due + 45 + 2 * r;
	case DISPUTING: return due + 20 + r;
	default:        return 0;
	}
}

static int plan_payment(demo *d, const char *invoice, owed_date day, int64_t amount)
{
	if (d->nplan == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 1024;
		planned *grown = realloc(d->plan, cap * sizeof *grown);
		if (!grown)
			return OWED_ENOMEM;
		d->plan = grown;
		d->cap = cap;
	}
	snprintf(d->plan[d->nplan].invoice, sizeof d->plan[0].invoice, "%s", invoice);
	d->plan[d->nplan].day = day;
	d->plan[d->nplan].amount = amount;
	d->nplan++;
	return 0;
}

static int pay(demo *d, const planned *p, owed_error *err)
{
	char amount[32], date[16];
	svc_allocation_input al = { p->invoice, NULL };
	svc_payment_input in = { .date = date, .amount = amount, .alloc = &al, .nalloc = 1,
	                         .remittance = p->invoice, .source = "demo" };
	owed_invoice inv;
	if (svc_invoice_get(d->ctx, p->invoice, &inv, err) != 0)
		return err->code;
	if (inv.open <= 0)
		return 0;
	/* customers pay what the invoice says; costs and interest added later stay open */
	money_format(p->amount < inv.open ? p->amount : inv.open, 2, NULL, "C", MONEY_FMT_PLAIN,
	             amount, sizeof amount);
	date_format_iso(p->day, date, sizeof date);
	return svc_payment_add(d->ctx, &in, NULL, err);
}

/* ------------------------------------------------------------------ the bank */

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		default: fputc(*s, f);
		}
}

/* One credit of the day's statement: most customers quote the payment reference, some
 * only the invoice number. */
static void credit_entry(FILE *f, const owed_invoice *inv, int64_t amount, int n,
                         const char *date)
{
	int ogm = inv->reference[0] == '+';
	fprintf(f, "<Ntry><NtryRef>%s-%d</NtryRef><Amt Ccy=\"EUR\">%lld.%02lld</Amt><CdtDbtInd>CRDT"
	        "</CdtDbtInd><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>", date, n,
	        (long long)(amount / 100), (long long)(amount % 100));
	xml_text(f, inv->debtor_name);
	fputs("</Nm></Dbtr></RltdPties><RmtInf>", f);
	if (n % 5 == 4 || !inv->reference[0])
		fprintf(f, "<Ustrd>factuur %s</Ustrd>", inv->number);
	else
		fprintf(f, "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>%s</Issr>"
		        "</Tp><Ref>%s</Ref></CdtrRefInf></Strd>", ogm ? "BBA" : "CUR", inv->reference);
	fprintf(f, "</RmtInf></TxDtls></NtryDtls></Ntry>\n");
}

/* The day's payments as the bank reports them: a camt.053 file, imported and matched. */
static int bank_day(demo *d, owed_date day, owed_error *err)
{
	char path[600], date[16], *body = NULL;
	size_t body_len = 0;
	int64_t sum = 0;
	int n = 0, rc;
	FILE *entries = open_memstream(&body, &body_len), *f;
	svc_import_options opt = { 0 };
	svc_import_result res;
	const char *files[1] = { path };

	if (!entries)
		return svc_fail(err, OWED_ENOMEM, "demo: no memory for the statement");
	date_format_iso(day, date, sizeof date);
	for (size_t k = 0; k < d->nplan; k++) {
		owed_invoice inv;
		int64_t amount;
		if (d->plan[k].day != day)
			continue;
		if (svc_invoice_get(d->ctx, d->plan[k].invoice, &inv, err) != 0) {
			fclose(entries);
			free(body);
			return err->code;
		}
		if (inv.open <= 0)
			continue;
		/* customers pay what the invoice says; costs and interest added later stay open */
		amount = d->plan[k].amount < inv.open ? d->plan[k].amount : inv.open;
		credit_entry(entries, &inv, amount, ++n, date);
		sum += amount;
	}
	fclose(entries);
	if (n == 0) {
		free(body);
		return 0;
	}
	snprintf(path, sizeof path, "%s/bank/camt053-%s.xml", d->dir, date);
	if (!(f = fopen(path, "w"))) {
		free(body);
		return svc_fail(err, OWED_EIO, "demo: cannot write %s", path);
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:"
	        "iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><GrpHdr><MsgId>DEMO-%s</MsgId>"
	        "</GrpHdr>\n<Stmt><Id>DEMO-%s</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id>"
	        "<Ccy>EUR</Ccy></Acct>\n<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt "
	        "Ccy=\"EUR\">%lld.%02lld</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>%s</Dt></Dt></Bal>\n"
	        "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">%lld.%02lld"
	        "</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>%s</Dt></Dt></Bal>\n%s</Stmt>"
	        "</BkToCstmrStmt></Document>\n", date, date, (long long)(d->balance / 100),
	        (long long)(d->balance % 100), date, (long long)((d->balance + sum) / 100),
	        (long long)((d->balance + sum) % 100), date, body);
	free(body);
	if (fclose(f) != 0)
		return svc_fail(err, OWED_EIO, "demo: cannot write %s", path);
	if ((rc = svc_import_bank(d->ctx, d->r, files, 1, &opt, NULL, NULL, &res, err)) != 0)
		return rc;
	d->balance += sum;
	d->bank.files += res.files;
	d->bank.entries += res.entries;
	d->bank.matched += res.matched;
	d->bank.review += res.review;
	d->bank.credit += res.credit;
	return 0;
}

static int invoice(demo *d, int i, owed_date issue, owed_error *err)
{
	char number[32], amount[32], date[16], ref[32], dnum[16];
	int consumer = i % 4 == 3, belgian = i % 3 == 1;
	int64_t cents = (consumer ? 2500 : 15000) + (int64_t)(demo_rand(&d->seed) %
	                                                      (consumer ? 40000 : 400000));
	svc_invoice_input in = { .number = number, .debtor = dnum, .amount = amount,
	                         .issue_date = date, .reference = ref,
	                         .description = consumer ? "Bestelling webwinkel"
	                                                 : "Levering groothandelsartikelen" };
	owed_invoice inv;
	owed_date paid;
	snprintf(dnum, sizeof dnum, "D%04d", 1001 + i);
	snprintf(number, sizeof number, "2026-%05d", ++d->invoices);
	money_format(cents, 2, NULL, "C", MONEY_FMT_PLAIN, amount, sizeof amount);
	date_format_iso(issue, date, sizeof date);
	if (belgian)
		ref_make_ogm((uint64_t)d->invoices * 1000 + 26, ref, sizeof ref);
	else
		ref_make_nl((uint64_t)d->invoices, ref, sizeof ref);
	if (svc_invoice_add(d->ctx, &in, &inv, err) != 0)
		return err->code;
	if (d->who[i] == DISPUTING && d->invoices % 3 == 0 &&
	    svc_dispute(d->ctx, number, "Geleverde goederen beschadigd", err) != 0)
		return err->code;
	if ((paid = pay_day(d, d->who[i], inv.due_date)) == 0)
		return 0;
	return plan_payment(d, number, paid, inv.amount);
}

/* ------------------------------------------------------------------ the days */

static int pay_due(demo *d, owed_date day, owed_error *err)
{
	for (size_t k = 0; k < d->nplan; k++)
		if (d->plan[k].day == day && pay(d, &d->plan[k], err) != 0)
			return err->code;
	return 0;
}

static int invoice_day(demo *d, owed_date day, owed_error *err)
{
	int y, m, dd;
	date_to_ymd(day, &y, &m, &dd);
	for (int i = 0; i < DEMO_DEBTORS; i++)
		if (d->cycle[i] == dd && (d->who[i] != PUNCTUAL || i % 2 == 0) &&
		    invoice(d, i, day, err) != 0)
			return err->code;
	return 0;
}

static void note_failure(const svc_run_line *l, void *ud)
{
	demo *d = ud;
	if (l->outcome == RUN_FAILED && !d->first_failure[0])
		snprintf(d->first_failure, sizeof d->first_failure, "%s (%s): %s", l->debtor_number,
		         l->policy ? l->policy : "-", l->reason ? l->reason : "");
}

static int run_day(demo *d, owed_date day, owed_error *err)
{
	svc_run_options o = { .date = day };
	svc_run_result res;
	int rc = svc_run(d->ctx, d->r, &o, note_failure, d, &res, err);
	d->total.steps += res.steps;
	d->total.closed += res.closed;
	d->total.failed += res.failed;
	d->total.delivered += res.delivered;
	d->total.delivery_failures += res.delivery_failures;
	return rc;
}

/* ------------------------------------------------------------------ the summary */

typedef struct sum_out { const owed_ctx *ctx; out_table *t; } sum_out;

static int sum_row(const char *label, const char *currency, int64_t amount, int64_t count,
                   void *ud)
{
	sum_out *o = ud;
	char n[24], a[48] = "";
	const char *row[3] = { label, n, a };
	snprintf(n, sizeof n, "%lld", (long long)count);
	if (currency && *currency)
		out_money(a, sizeof a, amount, currency, o->ctx->locale);
	table_add(o->t, row);
	return 0;
}

static void summary_table(demo *d, const char *title, int what, const char *h1,
                          const char *h3, owed_error *err)
{
	const char *head[3] = { h1, "count", h3 };
	sum_out o = { d->ctx, table_new(3, head, "lrr") };
	printf("\n%s\n", title);
	if (svc_sums(d->ctx, what, d->start, d->end, sum_row, &o, err) == 0)
		table_print(o.t);
	table_free(o.t);
}

static int write_conf(const char *dir, char *conf, size_t size)
{
	FILE *f;
	snprintf(conf, size, "%s/owed.conf", dir);
	if (!(f = fopen(conf, "w")))
		return -1;
	fprintf(f, "return {\n  database = \"%s/demo.db\",\n  outgoing = \"%s/outgoing\",\n"
	           "  plugins = { email = { mode = \"folder\", from = "
	           "\"debiteuren@noordzee.example\" } },\n}\n", dir, dir);
	return fclose(f);
}

int cmd_demo(const cli_args *a)
{
	const char *keep = args_get(a, "keep");
	char tmpl[] = "/tmp/owed-demo-XXXXXX", dir[512], conf[600], bank[600];
	svc_admin_input admin = {
		.name = "Groothandel Noordzee BV", .code = "demo", .country = "NL",
		.kvk = "12345678", .vat = "NL123456789B01", .iban = "NL91ABNA0417164300",
		.address = "Havenstraat 1, 1011 AB Amsterdam",
	};
	demo d = { .seed = 0x5eed0e0dULL };
	owed_error err = { 0 };
	owed_config config;
	owed_date today;
	uv_loop_t loop;
	svc_aging before, after;
	owed_ctx ctx;
	int rc;

	if ((rc = args_want_pos(a, 0, 0)))
		return rc;
	if (keep) {
		snprintf(dir, sizeof dir, "%s", keep);
		if (mkdir(dir, 0755) != 0) {
			out_error("demo: cannot create %s (it must not exist yet)", dir);
			return EXIT_IO;
		}
	} else if (!mkdtemp(tmpl)) {
		out_error("demo: cannot create a temporary folder in /tmp");
		return EXIT_IO;
	} else
		snprintf(dir, sizeof dir, "%s", tmpl);
	if (date_today(&today) != 0) {
		out_error("demo: OWED_TODAY is not a date (expected YYYY-MM-DD)");
		return EXIT_INPUT;
	}
	snprintf(bank, sizeof bank, "%s/bank", dir);
	if (mkdir(bank, 0755) != 0 || write_conf(dir, conf, sizeof conf) != 0 ||
	    config_load(conf, &config, &err) != 0) {
		out_error("demo: cannot write its configuration and bank/ folder in %s", dir);
		return EXIT_IO;
	}
	d.end = today;
	d.start = today - DEMO_DAYS;
	if (svc_init(config.database, &admin, &err) != 0 ||
	    svc_open(config.database, NULL, &ctx, &err) != 0) {
		config_free(&config);
		return cli_fail(&err);
	}
	snprintf(ctx.locale, sizeof ctx.locale, "C");   /* the generator writes machine amounts */
	snprintf(ctx.actor, sizeof ctx.actor, "demo");
	d.ctx = &ctx;
	d.dir = dir;
	uv_loop_init(&loop);
	if (rt_new(&loop, &ctx, &config.rt, &d.r, &err) != 0 || rt_scan(d.r, &err) != 0) {
		rc = fail_with(&d, &err);
		goto out;
	}
	rt_set_settings(d.r, config.L, config.plugins);

	printf("Building a year of invoices for %d customers...\n", DEMO_DEBTORS);
	fflush(stdout);
	/* the history: a year of invoices, paid (or not) as each customer does */
	rc = store_begin(ctx.st);
	if (rc == 0 && (rc = add_debtors(&d, &err)) == 0)
		for (owed_date day = d.start - 30 * DEMO_HISTORY; rc == 0 && day <= d.start; day++)
			if ((rc = invoice_day(&d, day, &err)) == 0)
				rc = pay_due(&d, day, &err);
	if (rc == 0 && (rc = store_commit(ctx.st)) != 0)
		svc_fail(&err, rc, "demo: %s", store_error(ctx.st));
	if (rc) {
		store_rollback(ctx.st);
		rc = fail_with(&d, &err);
		goto out;
	}
	svc_aging_report(&ctx, d.start, &before, &err);

	{
		char from[16], to[16];
		printf("Simulating %d days of daily runs, %s to %s...\n", DEMO_DAYS,
		       out_date(from, sizeof from, d.start + 1), out_date(to, sizeof to, d.end));
	}
	fflush(stdout);
	for (owed_date day = d.start + 1; rc == 0 && day <= d.end; day++) {
		char date[16];
		date_format_iso(day, date, sizeof date);
		setenv("OWED_TODAY", date, 1);      /* what the channels stamp their files with */
		if ((rc = store_begin(ctx.st)) == 0 && (rc = invoice_day(&d, day, &err)) == 0 &&
		    (rc = bank_day(&d, day, &err)) == 0)
			rc = store_commit(ctx.st);
		if (rc)
			store_rollback(ctx.st);
		else
			rc = run_day(&d, day, &err);
	}
	if (rc) {
		rc = fail_with(&d, &err);
		goto out;
	}
	svc_aging_report(&ctx, d.end, &after, &err);

	snprintf(ctx.locale, sizeof ctx.locale, "nl-NL");
	printf("\n%s: %d customers (%s), %d invoices\n", admin.name, DEMO_DEBTORS,
	       "NL and BE, business and consumer", d.invoices);
	summary_table(&d, "Steps taken in the 120 days (letters, notices, hand-offs)",
	              STORE_SUM_STEPS, "step", "", &err);
	summary_table(&d, "Costs and interest charged", STORE_SUM_CHARGES, "kind", "amount", &err);
	summary_table(&d, "Cash collected", STORE_SUM_PAYMENTS, "", "amount", &err);
	summary_table(&d, "Cases", STORE_SUM_CASES, "state", "", &err);
	printf("\nBank statements: %lld camt.053 files in bank/, %lld payments: %lld matched, "
	       "%lld to review, %lld kept as credit\n", (long long)d.bank.files,
	       (long long)d.bank.entries, (long long)d.bank.matched, (long long)d.bank.review,
	       (long long)d.bank.credit);
	printf("\nDeliveries: %lld sent, %lld to retry\n", (long long)d.total.delivered,
	       (long long)d.total.delivery_failures);
	if (d.total.failed)
		printf("%lld case decisions failed; the first: %s\n", (long long)d.total.failed,
		       d.first_failure);
	printf("\nBefore:\n");
	print_aging(&ctx, &before);
	printf("\nAfter:\n");
	print_aging(&ctx, &after);
	printf("\nThe letters and e-mails to open and read: %s/outgoing\n"
	       "The ledger: OWED_CONF=%s owed debtor list\n", dir, conf);
out:
	rt_free(d.r);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	svc_close(&ctx);
	config_free(&config);
	free(d.plan);
	return rc;
}
