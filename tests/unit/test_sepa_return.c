/*
 * test_sepa_return.c -- the statement side's entry points for direct debits: a collection
 * found by its end-to-end id, marked returned with its reason and a dossier event, refused a
 * second time; and the schema's guard that an invoice is in one live collection at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "services/sepa.h"

static char path[64];
static owed_ctx ctx;
static int64_t invoice_id, mandate_id, file_id;

static owed_date ymd(const char *s)
{
	owed_date d;
	assert_int_equal(date_parse_iso(s, &d), 0);
	return d;
}

static int setup(void **state)
{
	svc_admin_input admin = { .name = "Noordzee BV", .iban = "NL91ABNA0417164300",
	                          .creditor_id = "NL79ZZZ999999990000" };
	svc_debtor_input debtor = { .number = "D1", .name = "Bakkerij" };
	svc_invoice_input inv = { .number = "F1", .debtor = "D1", .amount = "121.00",
	                          .issue_date = "2026-01-01", .due_date = "2026-02-01" };
	svc_mandate_input m = { .id = "M1", .signed_on = "2025-12-01",
	                        .iban = "NL44RABO0123456789" };
	store_sepa_file f = { .message_id = "MSG-1", .path = "/dev/null", .created = "now",
	                      .transactions = 1, .total = 12100, .currency = "EUR",
	                      .writer = "test" };
	store_mandate out;
	owed_invoice invoice;
	owed_error err = { 0 };
	(void)state;
	setenv("OWED_TODAY", "2026-03-01", 1);
	setenv("OWED_ACTOR", "test", 1);
	snprintf(path, sizeof path, "/tmp/owed-sepa-XXXXXX");
	close(mkstemp(path));
	unlink(path);
	if (svc_init(path, &admin, &err) || svc_open(path, NULL, &ctx, &err) ||
	    svc_debtor_add(&ctx, &debtor, NULL, &err) ||
	    svc_invoice_add(&ctx, &inv, &invoice, &err) ||
	    svc_mandate_set(&ctx, "D1", &m, &out, &err))
		fail_msg("%s", err.msg);
	invoice_id = invoice.id;
	mandate_id = out.id;
	f.admin_id = ctx.admin.id;
	f.collection_date = ymd("2026-03-03");
	assert_int_equal(store_begin(ctx.st), 0);
	assert_int_equal(store_sepa_file_insert(ctx.st, &f), 0);
	assert_int_equal(store_commit(ctx.st), 0);
	file_id = f.id;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	svc_close(&ctx);
	unlink(path);
	return 0;
}

static int collect(const char *e2e)
{
	store_collection c = { .invoice_id = invoice_id, .mandate_id = mandate_id,
	                       .file_id = file_id, .amount = 12100, .currency = "EUR",
	                       .sequence = "FRST", .date = ymd("2026-03-03") };
	int rc;
	snprintf(c.end_to_end, sizeof c.end_to_end, "%s", e2e);
	assert_int_equal(store_begin(ctx.st), 0);
	if ((rc = store_collection_insert(ctx.st, &c)) == 0)
		assert_int_equal(store_commit(ctx.st), 0);
	else
		store_rollback(ctx.st);
	return rc;
}

typedef struct seen { int returned; char payload[512]; } seen;

static int on_event(const store_event *ev, void *ud)
{
	seen *s = ud;
	if (strcmp(ev->kind, "collection returned") == 0) {
		s->returned++;
		snprintf(s->payload, sizeof s->payload, "%s", ev->payload);
	}
	return 0;
}

static void test_returned(void **state)
{
	store_collection c;
	owed_error err = { 0 };
	seen s = { 0 };
	(void)state;
	assert_int_equal(collect("OWED1-1-F1"), 0);
	/* one live collection per invoice: a second is refused by the schema */
	assert_int_equal(collect("OWED1-2-F1"), OWED_EEXIST);

	assert_int_equal(store_collection_by_end_to_end(ctx.st, "OWED1-1-F1", &c), 0);
	assert_string_equal(c.state, "sent");
	assert_int_equal(c.invoice_id, invoice_id);
	assert_int_equal(c.amount, 12100);
	assert_int_equal(store_collection_by_end_to_end(ctx.st, "NOPE", &c), OWED_ENOTFOUND);

	assert_int_equal(svc_collection_returned(&ctx, "OWED1-1-F1", ymd("2026-03-09"),
	                                         "AM04 insufficient funds", &err), 0);
	assert_int_equal(store_collection_by_end_to_end(ctx.st, "OWED1-1-F1", &c), 0);
	assert_string_equal(c.state, "returned");
	assert_string_equal(c.reason, "AM04 insufficient funds");
	assert_int_equal(c.state_date, ymd("2026-03-09"));
	assert_int_equal(store_events_of_invoice(ctx.st, invoice_id, on_event, &s), 0);
	assert_int_equal(s.returned, 1);
	assert_string_equal(s.payload, "{\"end_to_end\":\"OWED1-1-F1\",\"amount\":\"121.00\","
	                    "\"currency\":\"EUR\",\"date\":\"2026-03-09\","
	                    "\"reason\":\"AM04 insufficient funds\"}");

	/* returned twice: refused, nothing changes */
	assert_int_equal(svc_collection_returned(&ctx, "OWED1-1-F1", 0, "again", &err),
	                 OWED_EREFUSED);
	assert_non_null(strstr(err.msg, "returned already (2026-03-09)"));
	assert_int_equal(svc_collection_returned(&ctx, "NOPE", 0, NULL, &err), OWED_EINPUT);
	assert_non_null(strstr(err.msg, "end-to-end: no collection 'NOPE'"));
	s.returned = 0;
	assert_int_equal(store_events_of_invoice(ctx.st, invoice_id, on_event, &s), 0);
	assert_int_equal(s.returned, 1);

	/* returned, the invoice may be collected again, under a new end-to-end id only */
	assert_int_equal(collect("OWED1-1-F1"), OWED_EEXIST);
	assert_int_equal(collect("OWED2-1-F1"), 0);
	assert_int_equal(store_begin(ctx.st), 0);
	assert_int_equal(store_collection_mark(ctx.st, 999, "paid"), OWED_ENOTFOUND);
	assert_int_equal(store_collection_by_end_to_end(ctx.st, "OWED2-1-F1", &c), 0);
	assert_int_equal(store_collection_mark(ctx.st, c.id, "paid"), 0);
	assert_int_equal(store_collection_mark(ctx.st, c.id, "lost"), OWED_EREFUSED);  /* CHECK */
	assert_int_equal(store_commit(ctx.st), 0);
	assert_int_equal(store_collection_by_end_to_end(ctx.st, "OWED2-1-F1", &c), 0);
	assert_string_equal(c.state, "paid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_returned, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
