/*
 * schema.c -- the database schema as an ordered list of migrations.
 *
 * PRAGMA user_version holds the number of migrations applied.  A newer binary applies the
 * missing ones in one transaction; an older binary refuses a database whose version it does not
 * know (store.c).  A migration, once released, is never edited: a change is a new migration.
 *
 * Invariants the schema itself holds, as a backstop under the core's checks (core/ledger.h):
 * amounts entered are positive, open and unallocated amounts never negative, invoice and
 * debtor numbers unique per administration, every movement tied to an existing invoice.
 * Amounts are INTEGER minor units (*_minor) with the currency beside them; dates are ISO text.
 */
#include <stddef.h>

#include "store/schema.h"

static const char *const migrations[] = {
/* 1: the ledger and the dossier */
"CREATE TABLE administration ("
"  id INTEGER PRIMARY KEY,"
"  code TEXT NOT NULL UNIQUE,"
"  name TEXT NOT NULL,"
"  address TEXT NOT NULL DEFAULT '',"
"  country TEXT NOT NULL DEFAULT 'NL',"
"  kvk TEXT NOT NULL DEFAULT '',"
"  vat TEXT NOT NULL DEFAULT '',"
"  iban TEXT NOT NULL DEFAULT '',"
"  currency TEXT NOT NULL DEFAULT 'EUR',"
"  terms_days INTEGER NOT NULL DEFAULT 30 CHECK (terms_days >= 0));"

"CREATE TABLE debtor ("
"  id INTEGER PRIMARY KEY,"
"  admin_id INTEGER NOT NULL REFERENCES administration(id),"
"  number TEXT NOT NULL,"
"  name TEXT NOT NULL,"
"  kind TEXT NOT NULL CHECK (kind IN ('business','consumer')),"
"  country TEXT NOT NULL,"
"  language TEXT NOT NULL,"
"  email TEXT NOT NULL DEFAULT '',"
"  address TEXT NOT NULL DEFAULT '',"
"  iban TEXT NOT NULL DEFAULT '',"
"  tags TEXT NOT NULL DEFAULT '',"
"  external_ids TEXT NOT NULL DEFAULT '',"
"  terms_days INTEGER NOT NULL DEFAULT 0 CHECK (terms_days >= 0),"
"  credit_limit_minor INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_minor >= 0),"
"  UNIQUE (admin_id, number));"

"CREATE TABLE invoice ("
"  id INTEGER PRIMARY KEY,"
"  admin_id INTEGER NOT NULL REFERENCES administration(id),"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  number TEXT NOT NULL,"
"  issue_date TEXT NOT NULL,"
"  due_date TEXT NOT NULL CHECK (due_date >= issue_date),"
"  currency TEXT NOT NULL,"
"  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
"  vat_minor INTEGER NOT NULL DEFAULT 0 CHECK (vat_minor >= 0 AND vat_minor <= amount_minor),"
"  charges_minor INTEGER NOT NULL DEFAULT 0 CHECK (charges_minor >= 0),"
"  allocated_minor INTEGER NOT NULL DEFAULT 0 CHECK (allocated_minor >= 0),"
"  credited_minor INTEGER NOT NULL DEFAULT 0 CHECK (credited_minor >= 0),"
"  written_off_minor INTEGER NOT NULL DEFAULT 0 CHECK (written_off_minor >= 0),"
"  open_minor INTEGER NOT NULL CHECK (open_minor >= 0 AND open_minor = amount_minor"
"    + charges_minor - allocated_minor - credited_minor - written_off_minor),"
"  reference TEXT NOT NULL DEFAULT '',"
"  description TEXT NOT NULL DEFAULT '',"
"  status TEXT NOT NULL CHECK (status IN ('open','paid','closed')),"
"  UNIQUE (admin_id, number));"
"CREATE INDEX invoice_debtor ON invoice(debtor_id);"
"CREATE INDEX invoice_open_due ON invoice(admin_id, due_date) WHERE open_minor > 0;"

"CREATE TABLE payment ("
"  id INTEGER PRIMARY KEY,"
"  admin_id INTEGER NOT NULL REFERENCES administration(id),"
"  debtor_id INTEGER REFERENCES debtor(id),"
"  date TEXT NOT NULL,"
"  currency TEXT NOT NULL,"
"  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
"  unallocated_minor INTEGER NOT NULL CHECK (unallocated_minor >= 0"
"    AND unallocated_minor <= amount_minor),"
"  counterparty TEXT NOT NULL DEFAULT '',"
"  iban TEXT NOT NULL DEFAULT '',"
"  remittance TEXT NOT NULL DEFAULT '',"
"  source TEXT NOT NULL DEFAULT 'manual');"
"CREATE INDEX payment_debtor ON payment(debtor_id);"

"CREATE TABLE allocation ("
"  id INTEGER PRIMARY KEY,"
"  payment_id INTEGER NOT NULL REFERENCES payment(id),"
"  invoice_id INTEGER NOT NULL REFERENCES invoice(id),"
"  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
"  reason TEXT NOT NULL DEFAULT '');"
"CREATE INDEX allocation_invoice ON allocation(invoice_id);"
"CREATE INDEX allocation_payment ON allocation(payment_id);"

"CREATE TABLE credit_note ("
"  id INTEGER PRIMARY KEY,"
"  invoice_id INTEGER NOT NULL REFERENCES invoice(id),"
"  number TEXT NOT NULL DEFAULT '',"
"  date TEXT NOT NULL,"
"  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
"  reason TEXT NOT NULL DEFAULT '');"
"CREATE INDEX credit_note_invoice ON credit_note(invoice_id);"

"CREATE TABLE write_off ("
"  id INTEGER PRIMARY KEY,"
"  invoice_id INTEGER NOT NULL REFERENCES invoice(id),"
"  date TEXT NOT NULL,"
"  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
"  reason TEXT NOT NULL DEFAULT '');"
"CREATE INDEX write_off_invoice ON write_off(invoice_id);"

"CREATE TABLE charge ("
"  id INTEGER PRIMARY KEY,"
"  invoice_id INTEGER NOT NULL REFERENCES invoice(id),"
"  date TEXT NOT NULL,"
"  kind TEXT NOT NULL,"
"  description TEXT NOT NULL DEFAULT '',"
"  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0));"
"CREATE INDEX charge_invoice ON charge(invoice_id);"

/* The dossier: append-only.  The triggers make that a property of the database, not a habit. */
"CREATE TABLE event ("
"  id INTEGER PRIMARY KEY,"
"  at TEXT NOT NULL,"
"  actor TEXT NOT NULL,"
"  entity TEXT NOT NULL,"
"  entity_id INTEGER NOT NULL,"
"  debtor_id INTEGER,"
"  invoice_id INTEGER,"
"  kind TEXT NOT NULL,"
"  payload TEXT NOT NULL DEFAULT '{}');"
"CREATE INDEX event_debtor ON event(debtor_id);"
"CREATE INDEX event_invoice ON event(invoice_id);"
"CREATE TRIGGER event_no_update BEFORE UPDATE ON event"
"  BEGIN SELECT RAISE(ABORT, 'the dossier is append-only'); END;"
"CREATE TRIGGER event_no_delete BEFORE DELETE ON event"
"  BEGIN SELECT RAISE(ABORT, 'the dossier is append-only'); END;",

/* 2: each plugin's own key/value store (owed.store); a plugin sees only its own rows */
"CREATE TABLE plugin_kv ("
"  plugin TEXT NOT NULL,"
"  key TEXT NOT NULL,"
"  value TEXT NOT NULL,"
"  PRIMARY KEY (plugin, key)) WITHOUT ROWID;",

/* 3: dunning -- cases, the steps decided for them, letters, the outbox, runs, and what pauses
 * a case (disputes, promises to pay, payment plans, a credit hold).  A step is taken once per
 * case (UNIQUE), a run once per date, a delivery once per idempotency key: that is what makes
 * `owed run` idempotent and crash-safe. */
"CREATE TABLE dunning_case ("
"  id INTEGER PRIMARY KEY,"
"  admin_id INTEGER NOT NULL REFERENCES administration(id),"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  policy TEXT NOT NULL,"
"  state TEXT NOT NULL CHECK (state IN ('open','handed_off','closed')),"
"  step TEXT NOT NULL DEFAULT '',"
"  step_date TEXT,"
"  next_date TEXT,"
"  opened TEXT NOT NULL,"
"  closed TEXT);"
"CREATE UNIQUE INDEX dunning_case_active ON dunning_case(debtor_id) WHERE state <> 'closed';"

"CREATE TABLE case_step ("
"  id INTEGER PRIMARY KEY,"
"  case_id INTEGER NOT NULL REFERENCES dunning_case(id),"
"  step TEXT NOT NULL,"
"  date TEXT NOT NULL,"
"  policy TEXT NOT NULL,"
"  policy_version TEXT NOT NULL,"
"  reason TEXT NOT NULL,"
"  channels TEXT NOT NULL DEFAULT '',"
"  UNIQUE (case_id, step));"

"CREATE TABLE letter ("
"  id INTEGER PRIMARY KEY,"
"  case_id INTEGER NOT NULL REFERENCES dunning_case(id),"
"  step_id INTEGER NOT NULL REFERENCES case_step(id),"
"  lang TEXT NOT NULL,"
"  subject TEXT NOT NULL,"
"  text TEXT NOT NULL,"
"  pdf BLOB,"
"  content_hash TEXT NOT NULL);"

"CREATE TABLE outbox ("
"  id INTEGER PRIMARY KEY,"
"  case_id INTEGER REFERENCES dunning_case(id),"
"  letter_id INTEGER REFERENCES letter(id),"
"  channel TEXT NOT NULL,"
"  idem_key TEXT NOT NULL UNIQUE,"
"  payload TEXT NOT NULL,"
"  state TEXT NOT NULL CHECK (state IN ('pending','sent','dead')),"
"  attempts INTEGER NOT NULL DEFAULT 0,"
"  next_attempt TEXT NOT NULL,"
"  last_error TEXT NOT NULL DEFAULT '',"
"  created TEXT NOT NULL,"
"  sent TEXT);"
"CREATE INDEX outbox_due ON outbox(next_attempt) WHERE state = 'pending';"

"CREATE TABLE run ("
"  date TEXT PRIMARY KEY,"
"  started TEXT NOT NULL,"
"  finished TEXT,"
"  cases INTEGER NOT NULL DEFAULT 0,"
"  steps INTEGER NOT NULL DEFAULT 0);"

"CREATE TABLE dispute ("
"  id INTEGER PRIMARY KEY,"
"  invoice_id INTEGER NOT NULL REFERENCES invoice(id),"
"  reason TEXT NOT NULL,"
"  opened TEXT NOT NULL,"
"  resolved TEXT);"
"CREATE UNIQUE INDEX dispute_open ON dispute(invoice_id) WHERE resolved IS NULL;"

"CREATE TABLE promise ("
"  id INTEGER PRIMARY KEY,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  date TEXT NOT NULL,"
"  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
"  currency TEXT NOT NULL,"
"  paid_before_minor INTEGER NOT NULL,"
"  state TEXT NOT NULL CHECK (state IN ('open','kept','broken')));"

"CREATE TABLE instalment ("
"  id INTEGER PRIMARY KEY,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  date TEXT NOT NULL,"
"  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
"  currency TEXT NOT NULL,"
"  paid_before_minor INTEGER NOT NULL,"
"  state TEXT NOT NULL CHECK (state IN ('open','paid','missed')));"

"CREATE TABLE task ("
"  id INTEGER PRIMARY KEY,"
"  case_id INTEGER REFERENCES dunning_case(id),"
"  due TEXT NOT NULL,"
"  text TEXT NOT NULL,"
"  done TEXT);"

"CREATE INDEX invoice_open_debtor ON invoice(debtor_id, due_date) WHERE open_minor > 0;"
"ALTER TABLE debtor ADD COLUMN policy TEXT NOT NULL DEFAULT '';"
"ALTER TABLE debtor ADD COLUMN credit_hold INTEGER NOT NULL DEFAULT 0;"
/* a creditor that cannot deduct VAT may add it to the collection costs (and must say so) */
"ALTER TABLE administration ADD COLUMN cannot_deduct_vat INTEGER NOT NULL DEFAULT 0;",

/* 4: money in -- bank statements and their entries, and what matching decided for each.
 * A statement is recognised again by its account and key (the bank's statement id and
 * sequence, or its date and balances when the format has no id), an entry by the bank's own
 * reference when it gives one: neither is ever booked twice.  A payment in review waits for
 * a person (`owed payment review`); money returned to the payer (a refund, a reversal, a
 * returned direct debit) is returned_minor, and a reversed allocation stays in the table,
 * marked, so the dossier keeps what happened:
 *   unallocated = amount - (allocations not reversed) - returned. */
"CREATE TABLE bank_statement ("
"  id INTEGER PRIMARY KEY,"
"  admin_id INTEGER NOT NULL REFERENCES administration(id),"
"  account TEXT NOT NULL,"
"  statement_key TEXT NOT NULL,"
"  format TEXT NOT NULL,"
"  date TEXT,"
"  currency TEXT NOT NULL,"
"  opening_minor INTEGER,"
"  closing_minor INTEGER,"
"  entries INTEGER NOT NULL,"
"  file TEXT NOT NULL,"
"  file_sha256 TEXT NOT NULL,"
"  unbalanced TEXT NOT NULL DEFAULT '',"
"  imported TEXT NOT NULL,"
"  UNIQUE (admin_id, account, statement_key));"

"CREATE TABLE bank_entry ("
"  id INTEGER PRIMARY KEY,"
"  statement_id INTEGER NOT NULL REFERENCES bank_statement(id),"
"  account TEXT NOT NULL,"
"  bank_ref TEXT,"
"  date TEXT NOT NULL,"
"  currency TEXT NOT NULL,"
"  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
"  credit INTEGER NOT NULL CHECK (credit IN (0, 1)),"
"  end_to_end TEXT NOT NULL DEFAULT '',"
"  payment_id INTEGER REFERENCES payment(id),"
"  outcome TEXT NOT NULL CHECK (outcome IN ('matched','review','credit','reversal','refund',"
"    'ignored')),"
"  rule TEXT NOT NULL DEFAULT '',"
"  why TEXT NOT NULL DEFAULT '');"
"CREATE UNIQUE INDEX bank_entry_ref ON bank_entry(account, bank_ref) WHERE bank_ref IS NOT NULL;"
"CREATE INDEX bank_entry_e2e ON bank_entry(end_to_end) WHERE end_to_end <> '';"
"CREATE INDEX bank_entry_payment ON bank_entry(payment_id);"

"ALTER TABLE payment ADD COLUMN returned_minor INTEGER NOT NULL DEFAULT 0"
"  CHECK (returned_minor >= 0 AND returned_minor <= amount_minor);"
"ALTER TABLE payment ADD COLUMN review TEXT NOT NULL DEFAULT '';"
"CREATE INDEX payment_review ON payment(admin_id) WHERE review <> '';"
"ALTER TABLE allocation ADD COLUMN reversed TEXT;"
"CREATE INDEX invoice_reference ON invoice(admin_id, reference) WHERE reference <> '';"
"CREATE INDEX debtor_iban ON debtor(admin_id, iban) WHERE iban <> '';",

/* 5: SEPA direct debit (Core) -- the creditor identifier and bank BIC of the administration,
 * debtors' mandates, the pain.008 files sent and one collection row per invoice collected.
 * A debtor has at most one active mandate; a mandate reference is never reused (a replaced
 * or revoked one stays, for the collections made under it).  An invoice is in at most one
 * collection that is sent or paid (the partial UNIQUE index), so a second `owed collect
 * sepa` can never collect it twice; a returned collection lets it be collected again. */
"ALTER TABLE administration ADD COLUMN sepa_creditor_id TEXT NOT NULL DEFAULT '';"
"ALTER TABLE administration ADD COLUMN bic TEXT NOT NULL DEFAULT '';"

"CREATE TABLE mandate ("
"  id INTEGER PRIMARY KEY,"
"  admin_id INTEGER NOT NULL REFERENCES administration(id),"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  reference TEXT NOT NULL COLLATE NOCASE CHECK (length(reference) BETWEEN 1 AND 35),"
"  signed TEXT NOT NULL,"
"  iban TEXT NOT NULL CHECK (iban <> ''),"
"  bic TEXT NOT NULL DEFAULT '',"
"  sequence TEXT NOT NULL CHECK (sequence IN ('FRST','RCUR','OOFF')),"
"  status TEXT NOT NULL CHECK (status IN ('active','revoked','replaced','used')),"
"  last_collection TEXT,"
"  changed TEXT NOT NULL,"
"  UNIQUE (admin_id, reference));"
"CREATE UNIQUE INDEX mandate_active ON mandate(debtor_id) WHERE status = 'active';"

"CREATE TABLE sepa_file ("
"  id INTEGER PRIMARY KEY,"
"  admin_id INTEGER NOT NULL REFERENCES administration(id),"
"  message_id TEXT NOT NULL UNIQUE,"
"  path TEXT NOT NULL,"
"  collection_date TEXT NOT NULL,"
"  created TEXT NOT NULL,"
"  transactions INTEGER NOT NULL CHECK (transactions > 0),"
"  total_minor INTEGER NOT NULL CHECK (total_minor > 0),"
"  currency TEXT NOT NULL,"
"  writer TEXT NOT NULL);"

"CREATE TABLE collection ("
"  id INTEGER PRIMARY KEY,"
"  invoice_id INTEGER NOT NULL REFERENCES invoice(id),"
"  mandate_id INTEGER NOT NULL REFERENCES mandate(id),"
"  file_id INTEGER NOT NULL REFERENCES sepa_file(id),"
"  end_to_end TEXT NOT NULL UNIQUE CHECK (length(end_to_end) BETWEEN 1 AND 35),"
"  sequence TEXT NOT NULL CHECK (sequence IN ('FRST','RCUR','OOFF')),"
"  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
"  currency TEXT NOT NULL CHECK (currency = 'EUR'),"
"  date TEXT NOT NULL,"
"  state TEXT NOT NULL CHECK (state IN ('sent','paid','returned')),"
"  state_date TEXT,"
"  reason TEXT NOT NULL DEFAULT '');"
"CREATE UNIQUE INDEX collection_live ON collection(invoice_id) WHERE state IN ('sent','paid');"
"CREATE INDEX collection_mandate ON collection(mandate_id);",

/* 6: the HTTP API (docs/serve.md) -- bearer tokens, kept as the SHA-256 of the secret (the
 * secret itself is shown once, at creation), and the responses to POSTs sent with an
 * Idempotency-Key, so a retry gets the first answer and changes nothing. */
"CREATE TABLE api_token ("
"  id INTEGER PRIMARY KEY,"
"  admin_id INTEGER NOT NULL REFERENCES administration(id),"
"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 63),"
"  scope TEXT NOT NULL CHECK (scope IN ('read','write','admin')),"
"  hash TEXT NOT NULL UNIQUE,"
"  created TEXT NOT NULL,"
"  revoked TEXT);"
"CREATE UNIQUE INDEX api_token_name ON api_token(admin_id, name) WHERE revoked IS NULL;"

"CREATE TABLE api_idempotency ("
"  id INTEGER PRIMARY KEY,"
"  token_id INTEGER NOT NULL REFERENCES api_token(id),"
"  key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),"
"  request_sha256 TEXT NOT NULL,"
"  status INTEGER NOT NULL,"
"  body TEXT NOT NULL,"
"  created TEXT NOT NULL,"
"  UNIQUE (token_id, key));",

/* 7: listing invoices page by page (the API's cursor: after this due date and number) reads
 * the next rows of this index instead of sorting every invoice for each page. */
"CREATE INDEX invoice_admin_due ON invoice(admin_id, due_date, number);",

/* 8: partner webhooks (docs/webhooks.md) -- the events a plugin has acted on, by the id the
 * partner gave them.  A row is written in the same transaction as what the event changed, so
 * an event is acted on once: a retry after a crash finds no row and acts, a duplicate finds
 * the row and does nothing. */
"CREATE TABLE webhook_event ("
"  id INTEGER PRIMARY KEY,"
"  admin_id INTEGER NOT NULL REFERENCES administration(id),"
"  plugin TEXT NOT NULL CHECK (length(plugin) BETWEEN 1 AND 63),"
"  event_id TEXT NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),"
"  received TEXT NOT NULL,"
"  UNIQUE (admin_id, plugin, event_id));",

/* 9: the runs `owed serve` starts -- on its schedule or through POST /api/v1/runs -- each in
 * a child `owed run`.  A run is queued, then running, then finished (its `owed run --json`
 * kept in result) or failed.  At most one is queued or running per administration (the
 * second POST is refused), and the schedule starts at most one per local day (a restart, a
 * repeated hour, never a second); a run left running by a server that died is taken up again
 * by the next one.  The per-date `run` table still says what the run itself did. */
"CREATE TABLE run_job ("
"  id INTEGER PRIMARY KEY,"
"  admin_id INTEGER NOT NULL REFERENCES administration(id),"
"  date TEXT NOT NULL,"
"  trigger TEXT NOT NULL CHECK (trigger IN ('schedule','api')),"
"  requested_by TEXT NOT NULL,"
"  state TEXT NOT NULL CHECK (state IN ('queued','running','finished','failed')),"
"  created TEXT NOT NULL,"
"  started TEXT,"
"  finished TEXT,"
"  exit_code INTEGER,"
"  error TEXT NOT NULL DEFAULT '',"
"  result TEXT,"
"  CHECK ((state IN ('finished','failed')) = (finished IS NOT NULL)));"
"CREATE UNIQUE INDEX run_job_active ON run_job(admin_id) WHERE state IN ('queued','running');"
"CREATE UNIQUE INDEX run_job_scheduled ON run_job(admin_id, date) WHERE trigger = 'schedule';",

/* 10: a case paused by hand (`owed case pause`, POST /api/v1/cases/{debtor}/pause) until a
 * person resumes it, with the reason.  At most one pause holds per debtor (the partial
 * UNIQUE index): pausing twice is refused, not stacked. */
"CREATE TABLE case_pause ("
"  id INTEGER PRIMARY KEY,"
"  debtor_id INTEGER NOT NULL REFERENCES debtor(id),"
"  reason TEXT NOT NULL CHECK (length(reason) > 0),"
"  paused TEXT NOT NULL,"
"  resumed TEXT);"
"CREATE UNIQUE INDEX case_pause_holds ON case_pause(debtor_id) WHERE resumed IS NULL;",

/* 11: a debtor's letters (the dossier, `owed dossier`) are found through its cases without
 * walking every letter: OWED_SCAN_REPORT showed both lookups scanning. */
"CREATE INDEX letter_case ON letter(case_id);"
"CREATE INDEX dunning_case_debtor ON dunning_case(debtor_id);"
};

int schema_latest(void)
{
	return (int)(sizeof migrations / sizeof migrations[0]);
}

const char *schema_migration(int version)
{
	return version >= 1 && version <= schema_latest() ? migrations[version - 1] : NULL;
}
