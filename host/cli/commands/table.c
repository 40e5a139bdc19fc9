/*
 * table.c -- the command table: every verb with its options and help, as data.
 */
#include "cli/commands/commands.h"

static const cli_opt init_opts[] = {
	{ "name", "NAME", "the administration's (your firm's) name", 0 },
	{ "code", "CODE", "a short code for the administration (default: main)", 0 },
	{ "address", "TEXT", "postal address, lines separated by '\\n'", 0 },
	{ "country", "CC", "ISO country code (default: NL)", 0 },
	{ "kvk", "NUMBER", "Chamber of Commerce / enterprise number", 0 },
	{ "vat", "NUMBER", "VAT number", 0 },
	{ "iban", "IBAN", "the account debtors pay to", 0 },
	{ "currency", "CUR", "default currency (default: EUR)", 0 },
	{ "terms", "DAYS", "default payment terms in days (default: 30)", 0 },
	{ "cannot-deduct-vat", "yes|no", "add VAT to collection costs (NL: only if you cannot "
	  "deduct it; letters say so)", 0 },
	{ "creditor-id", "ID", "SEPA creditor identifier, for direct debits (docs/sepa.md)", 0 },
	{ "bic", "BIC", "your bank's BIC, for direct debits (default: none, NOTPROVIDED)", 0 },
	{ 0 }
};

#define DEBTOR_FIELDS \
	{ "name", "NAME", "name", 0 }, \
	{ "kind", "KIND", "business or consumer (default: business)", 0 }, \
	{ "country", "CC", "ISO country code (default: the administration's)", 0 }, \
	{ "language", "LANG", "letter language: nl, fr, en or de", 0 }, \
	{ "email", "ADDRESS", "e-mail address for reminders", 0 }, \
	{ "address", "TEXT", "postal address", 0 }, \
	{ "iban", "IBAN", "the debtor's bank account (used to match payments)", 0 }, \
	{ "tags", "LIST", "comma-separated tags", 0 }, \
	{ "external-ids", "LIST", "ids in other systems, e.g. erp:1234,crm:77", 0 }, \
	{ "terms", "DAYS", "payment terms in days (default: the administration's)", 0 }, \
	{ "credit-limit", "AMOUNT", "credit limit in the administration's currency", 0 }, \
	{ "policy", "NAME", "the dunning policy (default: by country and kind)", 0 }, \
	{ "credit-hold", "yes|no", "stop new credit: shown wherever the debtor is", 0 }

static const cli_opt debtor_add_opts[] = {
	{ "number", "NUMBER", "the debtor number (unique)", 0 },
	DEBTOR_FIELDS,
	{ 0 }
};
static const cli_opt debtor_edit_opts[] = { DEBTOR_FIELDS, { 0 } };

static const cli_opt invoice_add_opts[] = {
	{ "number", "NUMBER", "the invoice number (unique per administration)", 0 },
	{ "debtor", "NUMBER", "the debtor number", 0 },
	{ "amount", "AMOUNT", "the amount including VAT, e.g. 1234.56", 0 },
	{ "vat", "AMOUNT", "the VAT part of the amount", 0 },
	{ "issue-date", "DATE", "issue date, YYYY-MM-DD (default: today)", 0 },
	{ "due-date", "DATE", "due date (default: issue date + payment terms)", 0 },
	{ "currency", "CUR", "currency (default: the administration's)", 0 },
	{ "reference", "REF", "payment reference (betalingskenmerk, OGM/VCS or RF)", 0 },
	{ "description", "TEXT", "what was sold", 0 },
	{ 0 }
};
static const cli_opt invoice_list_opts[] = {
	{ "debtor", "NUMBER", "only this debtor's invoices", 0 },
	{ "open", NULL, "only invoices with an open amount", 0 },
	{ "overdue", NULL, "only open invoices past their due date", 0 },
	{ "limit", "N", "at most N invoices", 0 },
	{ 0 }
};
static const cli_opt invoice_credit_opts[] = {
	{ "amount", "AMOUNT", "the credited amount", 0 },
	{ "date", "DATE", "date of the credit note (default: today)", 0 },
	{ "number", "NUMBER", "the credit note's number", 0 },
	{ "reason", "TEXT", "why", 0 },
	{ 0 }
};
static const cli_opt invoice_writeoff_opts[] = {
	{ "amount", "AMOUNT", "the amount written off (default: all that is open)", 0 },
	{ "date", "DATE", "date (default: today)", 0 },
	{ "reason", "TEXT", "why", 0 },
	{ 0 }
};
static const cli_opt invoice_charge_opts[] = {
	{ "amount", "AMOUNT", "the amount charged", 0 },
	{ "kind", "KIND", "fee, interest, collection-costs, ... (default: fee)", 0 },
	{ "date", "DATE", "date (default: today)", 0 },
	{ "description", "TEXT", "the line as the debtor will read it", 0 },
	{ 0 }
};
static const cli_opt payment_add_opts[] = {
	{ "amount", "AMOUNT", "the amount received", 0 },
	{ "date", "DATE", "date received (default: today)", 0 },
	{ "currency", "CUR", "currency (default: the administration's)", 0 },
	{ "debtor", "NUMBER", "who paid (default: the debtor of the first invoice allocated)", 0 },
	{ "allocate", "INVOICE[=AMOUNT]", "allocate to an invoice (default: as much as fits)", 1 },
	{ "counterparty", "NAME", "the payer's name as on the statement", 0 },
	{ "iban", "IBAN", "the payer's account", 0 },
	{ "remittance", "TEXT", "the remittance text", 0 },
	{ 0 }
};
static const cli_opt payment_list_opts[] = {
	{ "debtor", "NUMBER", "only this debtor's payments", 0 },
	{ 0 }
};
static const cli_opt aging_opts[] = {
	{ "date", "DATE", "as on this date (default: today)", 0 },
	{ 0 }
};
static const cli_opt demo_opts[] = {
	{ "keep", "DIR", "build the demo in DIR (a new folder) instead of a temporary one", 0 },
	{ 0 }
};
static const cli_opt plugin_new_opts[] = {
	{ "kind", "KIND", "policy, template, charges, channel, importer, matcher or connector", 0 },
	{ "dir", "PATH", "create it in PATH/NAME (default: $OWED_HOME/plugins/NAME)", 0 },
	{ 0 }
};
static const cli_opt import_bank_opts[] = {
	{ "format", "PLUGIN", "the importer (camt053, mt940, coda; default: recognised)", 0 },
	{ "dry-run", NULL, "read, check and match everything, then write nothing", 0 },
	{ "accept-unbalanced", NULL, "book statements whose balances do not add up (recorded "
	  "in the dossier)", 0 },
	{ "verbose", NULL, "list every entry, not only those that need a person", 0 },
	{ 0 }
};
static const cli_opt import_invoices_opts[] = {
	{ "format", "PLUGIN", "the importer (ubl, csv-invoices; default: recognised)", 0 },
	{ "dry-run", NULL, "read and check everything, then write nothing", 0 },
	{ 0 }
};
static const cli_opt run_opts[] = {
	{ "date", "DATE", "the day to run for (default: today); missed days are caught up", 0 },
	{ "dry-run", NULL, "show what would happen, explained per case; write nothing", 0 },
	{ "debtor", "NUMBER", "only this debtor's case", 0 },
	{ "batch", "CASES", "cases one transaction holds at most (1 to 1024, default 1024; owed "
	  "serve's runs: 32, so that API writes wait less)", 0 },
	{ 0 }
};
static const cli_opt dispute_opts[] = {
	{ "reason", "TEXT", "what the debtor disputes", 0 },
	{ 0 }
};
static const cli_opt pause_opts[] = {
	{ "reason", "TEXT", "why the case waits", 0 },
	{ 0 }
};
static const cli_opt promise_opts[] = {
	{ "date", "DATE", "the day the debtor promised to pay by", 0 },
	{ "amount", "AMOUNT", "the amount promised", 0 },
	{ 0 }
};
static const cli_opt plan_opts[] = {
	{ "instalment", "DATE=AMOUNT", "an instalment", 1 },
	{ 0 }
};
static const cli_opt tasks_opts[] = {
	{ "all", NULL, "done tasks too", 0 },
	{ 0 }
};
static const cli_opt outbox_opts[] = {
	{ "state", "STATE", "only pending, sent or dead deliveries", 0 },
	{ "dispatch", NULL, "deliver what is due now (as the run does after its cases), then say "
	  "how many went", 0 },
	{ 0 }
};
static const cli_opt mandate_opts[] = {
	{ "id", "REF", "the mandate reference (up to 35 characters, no spaces)", 0 },
	{ "signed", "DATE", "the date the debtor signed it", 0 },
	{ "iban", "IBAN", "the account to debit", 0 },
	{ "bic", "BIC", "the debtor's bank (optional)", 0 },
	{ "sequence", "TYPE", "FRST (default: no collection yet), RCUR or OOFF (one-off)", 0 },
	{ "revoke", NULL, "revoke the debtor's active mandate", 0 },
	{ 0 }
};
static const cli_opt admin_sepa_opts[] = {
	{ "creditor-id", "ID", "the SEPA creditor identifier, e.g. NL79ZZZ999999990000", 0 },
	{ "bic", "BIC", "your bank's BIC (\"\" clears it)", 0 },
	{ 0 }
};
static const cli_opt collect_sepa_opts[] = {
	{ "date", "DATE", "the collection date (default and earliest: 1 TARGET2 business day "
	  "after today)", 0 },
	{ "dry-run", NULL, "show what would be collected; write nothing", 0 },
	{ "out", "FILE", "write the file here (default: $OWED_HOME/outgoing/sepa/)", 0 },
	{ "writer", "PLUGIN", "the plugin that writes the file (default: sepa-dd)", 0 },
	{ 0 }
};
static const cli_opt no_opts[] = { { 0 } };

static const cli_opt serve_opts[] = {
	{ "listen", "HOST:PORT", "where to listen (default: 127.0.0.1:8080; port 0: any free one, "
	  "printed first on stdout)", 0 },
	{ "read-timeout", "MS", "time allowed to read one request (default: 10000)", 0 },
	{ "max-upload", "MIB", "largest statement file POST /api/v1/statements takes (default: 32; "
	  "other bodies: 1 MiB)", 0 },
	{ "routes", NULL, "print the route table (method, path, scope) and exit", 0 },
	{ "log", "FILE", "append the per-request log lines to FILE instead of stderr (opened "
	  "again on SIGHUP)", 0 },
	{ 0 }
};
static const cli_opt token_create_opts[] = {
	{ "name", "NAME", "the token's name; the dossier names it for every change it makes", 0 },
	{ "scope", "SCOPE", "read, write or admin", 0 },
	{ 0 }
};

const cli_entry cli_commands[] = {
	{ { "init", "", "Create a ledger database with its administration.", init_opts, 0 },
	  cmd_init },
	{ { "debtor add", "", "Add a debtor.", debtor_add_opts, 0 }, cmd_debtor_add },
	{ { "debtor list", "", "List debtors with their open and overdue amounts.", no_opts, 0 },
	  cmd_debtor_list },
	{ { "debtor show", "NUMBER", "Show a debtor and its open invoices.", no_opts, 0 },
	  cmd_debtor_show },
	{ { "debtor edit", "NUMBER", "Change a debtor's details.", debtor_edit_opts, 0 },
	  cmd_debtor_edit },
	{ { "debtor mandate", "NUMBER", "Add, replace or revoke a debtor's SEPA direct debit "
	    "mandate.", mandate_opts, 0 }, cmd_debtor_mandate },
	{ { "admin sepa", "", "Show or set the SEPA creditor identifier and BIC.", admin_sepa_opts,
	    0 }, cmd_admin_sepa },
	{ { "invoice add", "", "Add an invoice.", invoice_add_opts, 0 }, cmd_invoice_add },
	{ { "invoice list", "", "List invoices, oldest due first.", invoice_list_opts, 0 },
	  cmd_invoice_list },
	{ { "invoice show", "NUMBER", "Show an invoice with its open amount.", no_opts, 0 },
	  cmd_invoice_show },
	{ { "invoice credit", "NUMBER", "Book a credit note against an invoice.",
	    invoice_credit_opts, 0 }, cmd_invoice_credit },
	{ { "invoice write-off", "NUMBER", "Write off (part of) what is open on an invoice.",
	    invoice_writeoff_opts, 0 }, cmd_invoice_writeoff },
	{ { "invoice charge", "NUMBER", "Add a fee or interest line to an invoice.",
	    invoice_charge_opts, 0 }, cmd_invoice_charge },
	{ { "payment add", "", "Book a payment and allocate it to invoices.", payment_add_opts, 0 },
	  cmd_payment_add },
	{ { "payment list", "", "List payments.", payment_list_opts, 0 }, cmd_payment_list },
	{ { "payment review", "", "Payments matching could not place, with why.", no_opts, 0 },
	  cmd_payment_review },
	{ { "payment match", "PAYMENT INVOICE[=AMOUNT]...",
	    "Place a payment from the review queue on invoices.", no_opts, 0 }, cmd_payment_match },
	{ { "import bank", "FILE...", "Book bank statements (CAMT.053, MT940, CODA) and match "
	    "the payments.", import_bank_opts, 0 }, cmd_import_bank },
	{ { "import invoices", "FILE...", "Book invoices and credit notes from UBL/Peppol XML or "
	    "CSV.", import_invoices_opts, 0 }, cmd_import_invoices },
	{ { "dossier", "debtor NUMBER | invoice NUMBER",
	    "Print the full history of a debtor or an invoice.", no_opts, 0 }, cmd_dossier },
	{ { "run", "", "The daily run: decide each case's next step, send the letters.",
	    run_opts, 0 }, cmd_run },
	{ { "case list", "", "Cases not closed: policy, state, last step, next action date.",
	    no_opts, 0 },
	  cmd_case_list },
	{ { "case dispute", "INVOICE", "Take a disputed invoice out of the letters.",
	    dispute_opts, 0 }, cmd_case_dispute },
	{ { "case resolve", "INVOICE", "End a dispute: the invoice is dunned again.", no_opts, 0 },
	  cmd_case_resolve },
	{ { "case promise", "DEBTOR", "A promise to pay: the case waits, and resumes if broken.",
	    promise_opts, 0 }, cmd_case_promise },
	{ { "case plan", "DEBTOR", "A payment plan: the case waits while instalments are paid.",
	    plan_opts, 0 }, cmd_case_plan },
	{ { "case pause", "DEBTOR", "Hold a debtor's case by hand until it is resumed.", pause_opts,
	    0 }, cmd_case_pause },
	{ { "case resume", "DEBTOR", "End a pause by hand: the next run decides again.", no_opts,
	    0 }, cmd_case_resume },
	{ { "tasks", "[ID]", "Calls to make (owed tasks ID marks one done).", tasks_opts, 0 },
	  cmd_tasks },
	{ { "outbox retry", "ID", "Another chance for a dead delivery, from the next run on.",
	    no_opts, 0 }, cmd_outbox_retry },
	{ { "outbox", "", "Deliveries: pending, sent and dead, with their errors.", outbox_opts,
	    0 }, cmd_outbox },
	{ { "collect sepa", "", "Collect due invoices by SEPA direct debit: a pain.008 file.",
	    collect_sepa_opts, 0 }, cmd_collect_sepa },
	{ { "report aging", "", "Open amounts by days past due.", aging_opts, 0 }, cmd_report_aging },
	{ { "serve", "", "Serve the JSON API over HTTP (docs/serve.md).", serve_opts, 0 },
	  cmd_serve },
	{ { "token create", "", "Create an API token; prints it once.", token_create_opts, 0 },
	  cmd_token_create },
	{ { "token list", "", "List API tokens (never their secrets).", no_opts, 0 },
	  cmd_token_list },
	{ { "token revoke", "NAME", "Revoke an API token.", no_opts, 0 }, cmd_token_revoke },
	{ { "plugin list", "", "List the plugins on the search path and their state.", no_opts, 0 },
	  cmd_plugin_list },
	{ { "plugin info", "NAME", "Show a plugin's manifest: kinds, settings, needs.", no_opts, 0 },
	  cmd_plugin_info },
	{ { "plugin check", "[NAME]", "Load a plugin (or all), validate it, run its specs.",
	    no_opts, 0 }, cmd_plugin_check },
	{ { "plugin new", "NAME", "Create a plugin from a scaffold with a passing spec.",
	    plugin_new_opts, 0 }, cmd_plugin_new },
	{ { "config check", "", "Validate the configuration and every plugin it configures.",
	    no_opts, 0 }, cmd_config_check },
	{ { "lua", "FILE [ARGS...]", "Run a Lua script with the owed API (see docs/api.md).",
	    no_opts, 1 }, cmd_lua },
	{ { "test", "[PATH...]", "Run busted specs inside owed (default: every plugin's spec/).",
	    no_opts, 0 }, cmd_test },
	{ { "demo", "", "Simulate 120 days of a wholesaler's dunning on a demo ledger.",
	    demo_opts, 0 }, cmd_demo },
	{ { 0 }, 0 }
};
