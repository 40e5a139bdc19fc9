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
"  PRIMARY KEY (plugin, key)) WITHOUT ROWID;"
};

int schema_latest(void)
{
	return (int)(sizeof migrations / sizeof migrations[0]);
}

const char *schema_migration(int version)
{
	return version >= 1 && version <= schema_latest() ? migrations[version - 1] : NULL;
}
