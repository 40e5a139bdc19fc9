#!/usr/bin/env bash
# import.sh -- `owed import bank` end to end on statement files this test writes itself:
# every matching rule, what goes to review rather than be guessed, returns and refunds,
# statements and entries seen before, balances that do not add up, --dry-run, and bad files
# refused with the place named and nothing written.
. "$(dirname "$0")/lib.sh"

export OWED_TODAY=2026-03-20 OWED_HOME=$WORK/home

# invoice_open NUMBER: the open amount `owed invoice show` prints
invoice_open() {
	run invoice show "$1" --json
	json .open
}

section "a ledger"
run init --name "Acme BV" --iban NL91ABNA0417164300
expect_exit 0
J=NL20INGB0001234567 P=BE68539007547034 K=NL02ABNA0123456789 V=NL39RABO0300065264
run debtor add --number D1 --name "Jansen BV" --iban $J
run debtor add --number D2 --name "Peeters" --iban $P
run debtor add --number D3 --name "Klaassen" --iban $K
run debtor add --number D4 --name "Visser" --iban $V
run debtor add --number D5 --name "Zonder Bank"
run invoice add --number F1 --debtor D1 --amount 100.00 --issue-date 2026-01-01 --reference RF18539007547034
run invoice add --number F2 --debtor D1 --amount 250.00 --issue-date 2026-01-10
run invoice add --number F3 --debtor D2 --amount 80.00 --issue-date 2026-01-05
run invoice add --number F4 --debtor D2 --amount 80.00 --issue-date 2026-01-06
run invoice add --number F5 --debtor D3 --amount 120.00 --issue-date 2026-01-02
run invoice add --number F6 --debtor D3 --amount 45.50 --issue-date 2026-01-03
run invoice add --number F7 --debtor D3 --amount 300.00 --issue-date 2026-01-04
run invoice add --number F8 --debtor D4 --amount 500.00 --issue-date 2026-01-01
run invoice add --number F9 --debtor D4 --amount 200.00 --issue-date 2026-02-01
run invoice add --number F10 --debtor D5 --amount 60.00 --issue-date 2026-01-01
run invoice add --number F11 --debtor D2 --amount 99.00 --issue-date 2026-01-07
expect_exit 0

section "every rule on one statement"
camt "$WORK/s1.xml" STMT-1 1 1000.00 auto \
	"E1;100.00;CRDT;Jansen BV;$J;RF18539007547034;;;" \
	"E2;250.00;CRDT;Jansen;;;betaling factuur F2 dank u;;" \
	"E3;80.00;CRDT;Peeters;$P;;betaling;;" \
	"E4;165.50;CRDT;Klaassen;$K;;maart;;" \
	"E5;450.00;CRDT;Visser;$V;;;;" \
	"E6;17.99;CRDT;Onbekend;NL44RABO0123456789;;gift;;" \
	"E7;75.00;DBIT;Leverancier BV;NL69INGB0123456789;;inkoop;;" \
	"E8;99.00;CRDT;Iemand;;;F10 en F11;;" \
	"E9;20.00;DBIT;Bank;;;kosten;;" \
	"E10;62.00;CRDT;Zonder Bank;;;F10;;"
cp "$WORK/s1.xml" "$WORK/s1-copy.xml"
before=$(db_state)
run import bank "$WORK/s1.xml" --dry-run --json
expect_exit 0
expect_json .dry_run true .entries 10 .matched 5 .review 3 .ignored 2
equal "dry run wrote nothing" "$(db_state)" "$before"

run import bank "$WORK/s1.xml" --json
expect_exit 0
expect_json .files 1 .statements 1 .entries 10 .matched 5 .review 3 .credit 0 .ignored 2 .duplicates 0
OUT=$(json .entries_detail)
json_select rule reference
expect_json .outcome matched .amount 100.00 \
	.why "the structured reference RF18539007547034 names F1"
run import bank "$WORK/s1.xml" --json
OUT=$(json .entries_detail); json_select rule invoice-number
run import bank "$WORK/s1.xml" --json
expect_json .statements 0 .statements_skipped 1 .duplicates 10 .matched 0
run import bank "$WORK/s1-copy.xml"
expect_exit 0
expect_out "0 statements \(1 seen before\), 0 entries read: .*; 10 duplicates skipped"

equal "F1 paid by its reference" "$(invoice_open F1)" "0.00"
equal "F2 paid by its number in the text" "$(invoice_open F2)" "0.00"
equal "F3 still open: 80.00 fits F3 and F4" "$(invoice_open F3)" "80.00"
equal "F4 still open" "$(invoice_open F4)" "80.00"
equal "F5 paid as part of a sum (120.00 + 45.50)" "$(invoice_open F5)" "0.00"
equal "F6 paid as part of a sum" "$(invoice_open F6)" "0.00"
equal "F7 untouched by the sum" "$(invoice_open F7)" "300.00"
equal "F8 partly paid, oldest first" "$(invoice_open F8)" "50.00"
equal "F9 untouched" "$(invoice_open F9)" "200.00"
equal "F10 paid, 2.00 more stays as credit" "$(invoice_open F10)" "0.00"
equal "F11 not guessed: the text names two debtors' invoices" "$(invoice_open F11)" "99.00"

section "the review queue"
run payment review --json
expect_exit 0
equal "three payments wait" "$(json_len .)" 3
OUT=$(json '.[0]')
expect_json .amount 80.00 .counterparty Peeters \
	.review "IBAN BE68539007547034 is debtor D2's; 2 invoices are open for 80.00: F3, F4"
run payment review --json
OUT=$(json '.[1]')
expect_json .amount 17.99 .review "no rule matched"
run payment review --json
OUT=$(json '.[2]')
expect_json .amount 99.00 .review "the text names invoices of more than one debtor: F10, F11"
pid=$(run payment review --json; json '.[0].id')
run payments match "$pid" F4
expect_exit 0
expect_line "payment $pid matched, unallocated €0.00"
equal "F4 paid by hand" "$(invoice_open F4)" "0.00"
run payment review --json
equal "two payments wait" "$(json_len .)" 2
refuse 4 "PAYMENT" "nothing left" -- payment match "$pid" F3
refuse 3 "INVOICE" "F99" -- payment match "$(run payment review --json; json '.[0].id')" F99
run dossier invoice F1
expect_out 'invoice allocated .*"matched_by":"reference"'

section "returns: a reversal, a returned collection, a refund of credit"
camt "$WORK/s2.xml" STMT-2 2 "$LAST_CLOSE" auto \
	"R1;100.00;DBIT;Jansen BV;$J;;storno;;true" \
	"R2;2.00;DBIT;Zonder Bank;;;;;" \
	"R3;2.00;CRDT;Zonder Bank;;;;;"
run import bank "$WORK/s2.xml" --json
expect_exit 0
expect_json .reversed 1 .ignored 1 .review 1
equal "F1 open again after the reversal" "$(invoice_open F1)" "100.00"
run dossier invoice F1
expect_out 'invoice payment_reversed'

run debtor edit D5 --iban NL69INGB0123456789
camt "$WORK/s3.xml" STMT-3 3 "$LAST_CLOSE" auto "R4;2.00;DBIT;Zonder Bank;NL69INGB0123456789;;terugbetaling;;"
run import bank "$WORK/s3.xml" --json
expect_exit 0
expect_json .refunded 1
run payment list --debtor D5 --json
expect_json '.[0].unallocated' 0.00 '.[0].returned' 2.00

camt "$WORK/s4.xml" STMT-4 4 "$LAST_CLOSE" auto "C1;100.00;CRDT;Jansen BV;$J;;F1;E2E-77;"
camt "$WORK/s5.xml" STMT-5 5 "$LAST_CLOSE" auto "C2;100.00;DBIT;Jansen BV;$J;;MD06 retour;E2E-77;"
run import bank "$WORK/s4.xml"
equal "F1 paid again" "$(invoice_open F1)" "0.00"
run import bank "$WORK/s5.xml" --json
expect_json .reversed 1
OUT=$(json .entries_detail); expect_json '.[0].rule' end-to-end
equal "F1 open again after the returned payment" "$(invoice_open F1)" "100.00"

section "a SEPA collection paid, then returned"
run admin sepa --creditor-id NL79ZZZ999999990000
run debtor mandate D3 --id MNDT-D3 --signed 2026-01-15 --iban $K
run collect sepa --date 2026-03-23 --out "$WORK/sdd.xml"
expect_exit 0
e2e=$(sqlite3 "$db" "SELECT end_to_end FROM collection c JOIN invoice i ON i.id = c.invoice_id WHERE i.number = 'F7'")
check "F7 went into the collection" test -n "$e2e"
camt "$WORK/sdd-in.xml" STMT-SDD 1 "$LAST_CLOSE" auto "S1;300.00;CRDT;Klaassen;$K;;SEPA incasso;$e2e;"
run import bank "$WORK/sdd-in.xml" --json
expect_exit 0
OUT=$(json .entries_detail); expect_json '.[0].rule' collection '.[0].outcome' matched
equal "F7 paid by its collection" "$(invoice_open F7)" "0.00"
equal "the collection is paid" "$(sqlite3 "$db" "SELECT state FROM collection WHERE end_to_end = '$e2e'")" paid
camt "$WORK/sdd-back.xml" STMT-SDD-R 1 "$LAST_CLOSE" auto "S2;300.00;DBIT;Klaassen;$K;;MD06;$e2e;"
run import bank "$WORK/sdd-back.xml" --json
expect_json .reversed 1
equal "F7 open again after the return" "$(invoice_open F7)" "300.00"
equal "the collection is returned" "$(sqlite3 "$db" "SELECT state FROM collection WHERE end_to_end = '$e2e'")" returned

section "the tolerance (bank costs) is the admin's setting"
put "$WORK/owed.conf" <<CONF
return { plugins = { ["match-standard"] = { tolerance = "2.50 EUR" } } }
CONF
export OWED_CONF=$WORK/owed.conf
camt "$WORK/s6.xml" STMT-6 6 "$LAST_CLOSE" auto "T1;198.50;CRDT;Visser;$V;;;;"
run import bank "$WORK/s6.xml" --json
expect_exit 0
OUT=$(json .entries_detail); expect_json '.[0].rule' tolerance '.[0].outcome' matched
equal "F9 paid, 1.50 short written off" "$(invoice_open F9)" "0.00"
run dossier invoice F9
expect_out 'invoice written_off'
unset OWED_CONF

section "balances that do not add up"
camt "$WORK/bad-balance.xml" STMT-7 7 1000.00 9999.99 "B1;10.00;CRDT;X;;;;;"
refuse 4 "bad-balance.xml" "opening 1000.00 + entries 10.00 = 1010.00 EUR, closing says 9999.99" \
	"--accept-unbalanced" -- import bank "$WORK/bad-balance.xml"
run import bank "$WORK/bad-balance.xml" --accept-unbalanced --json
expect_exit 0
expect_json .statements 1 .review 1
run dossier debtor D1
sqlite3 "$db" "SELECT unbalanced FROM bank_statement WHERE statement_key LIKE 'id:STMT-7%'" >"$WORK/unb"
equal "the statement records what did not add up" "$(cat "$WORK/unb")" \
	"opening 1000.00 + entries 10.00 = 1010.00 EUR, closing says 9999.99"
equal "and the dossier says it was accepted" \
	"$(sqlite3 "$db" "SELECT json_extract(payload, '$.accepted_unbalanced') FROM event WHERE entity = 'statement' AND kind = 'imported' ORDER BY id DESC LIMIT 1")" \
	"opening 1000.00 + entries 10.00 = 1010.00 EUR, closing says 9999.99"

section "bad files change nothing"
head -c 900 "$WORK/s1.xml" >"$WORK/truncated.xml"
refuse 3 "truncated.xml" "not well-formed" -- import bank "$WORK/truncated.xml"
sed 's/2026-03-20<\/Dt><\/BookgDt>/2026-02-30<\/Dt><\/BookgDt>/' "$WORK/s1.xml" >"$WORK/baddate.xml"
refuse 3 "baddate.xml" "'2026-02-30' is not a date that exists" -- import bank "$WORK/baddate.xml"
sed 's/camt.053.001.02/camt.053.001.99/' "$WORK/s1.xml" >"$WORK/version.xml"
refuse 3 "version.xml" "unsupported version camt.053.001.99" -- import bank "$WORK/version.xml"
sed 's/Jansen BV/J\xe9nsen BV/' "$WORK/s1.xml" >"$WORK/latin1.xml"
refuse 3 "latin1.xml" "not well-formed" -- import bank "$WORK/latin1.xml"
printf 'hello\n' >"$WORK/notes.txt"
refuse 3 "notes.txt" "no importer recognises this file" -- import bank "$WORK/notes.txt"
refuse 5 "missing.xml" "cannot open" -- import bank "$WORK/missing.xml"
refuse 2 "mt941" -- import bank --format mt941 "$WORK/s1.xml"
head -c 52428800 /dev/zero | tr '\0' 'x' >"$WORK/big.xml"
refuse 3 "big.xml" "no importer recognises this file" -- import bank "$WORK/big.xml"
{ sed '$d' "$WORK/s1.xml" | sed '$d'; for _ in $(seq 20000); do printf '<!-- padding padding padding padding padding padding padding padding padding -->\n'; done; } >"$WORK/cut.xml"
refuse 3 "cut.xml" "not well-formed" -- import bank --format camt053 "$WORK/cut.xml"

section "invoices from CSV and UBL"
put "$WORK/invoices.csv" <<'CSV'
Factuurnummer;Debiteurnummer;Naam;Factuurdatum;Vervaldatum;Bedrag;Betalingskenmerk
G100;K1;Bakker & Zn BV;01-03-2026;31-03-2026;1.234,56;RF18539007547034
G101;K2;De Vries;02-03-2026;01-04-2026;99,95;
CSV
run import invoices "$WORK/invoices.csv" --dry-run --json
expect_exit 0
expect_json .dry_run true .read 2 .booked 2 .debtors_created 2
refuse 3 "G100" "no invoice 'G100'" -- invoice show G100
run import invoices "$WORK/invoices.csv" --json
expect_exit 0
expect_json .files 1 .read 2 .booked 2 .duplicates 0 .debtors_created 2 '.documents[0].amount' 1234.56
run invoice show G100 --json
expect_json .debtor K1 .amount 1234.56 .due_date 2026-03-31 .open 1234.56
run debtor show K1 --json
expect_json .name "Bakker & Zn BV"
run import invoices "$WORK/invoices.csv" --json
expect_json .booked 0 .duplicates 2
put "$WORK/credit.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID>C7</cbc:ID><cbc:IssueDate>2026-03-05</cbc:IssueDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>G101</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>
 <cac:AccountingCustomerParty><cac:Party><cac:PartyIdentification><cbc:ID>K2</cbc:ID></cac:PartyIdentification>
 <cac:PartyLegalEntity><cbc:RegistrationName>De Vries</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">3.47</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">19.95</cbc:PayableAmount></cac:LegalMonetaryTotal>
</CreditNote>
XML
run import invoices "$WORK/credit.xml" --json
expect_exit 0
expect_json .credited 1 '.documents[0].type' credit_note
equal "G101 credited 19.95" "$(invoice_open G101)" "80.00"
sed 's/<cbc:ID>G101</<cbc:ID>G999</' "$WORK/credit.xml" >"$WORK/credit-bad.xml"
refuse 3 "credit-bad.xml" "credit_note C7" "G999" -- import invoices "$WORK/credit-bad.xml"

section "the review queue is matched again before the daily run"
camt "$WORK/early.xml" STMT-EARLY 1 1000.00 auto "P1;75.00;CRDT;Nieuw BV;;RF25H1REF2026;;;"
run import bank "$WORK/early.xml" --json
expect_json .review 1
OUT=$(json .entries_detail); expect_json '.[0].why' "no rule matched"
run invoice add --number H1 --debtor D5 --amount 75.00 --issue-date 2026-03-01 --reference RF25H1REF2026
run run --json
expect_exit 0
expect_json .payments_placed 1
equal "H1 paid from the queue" "$(invoice_open H1)" "0.00"
run payment review --json
equal "the queue no longer holds it" "$(json_select remittance RF25H1REF2026; echo "$OUT")" "null"
run dossier invoice H1
expect_out 'invoice allocated .*"matched_by":"reference"'

section "a matcher's decision is checked whole before anything is booked"
# faulty answers by the text: an invoice named twice is one allocation of both amounts; more
# than is open, or invoices of two debtors, is refused and the payment goes to review whole
mkdir -p "$OWED_HOME/plugins/faulty"
put "$OWED_HOME/plugins/faulty/manifest.lua" <<'EOF2'
return { name = "faulty", version = "1.0.0", api_version = 1, kinds = { "matcher" } }
EOF2
put "$OWED_HOME/plugins/faulty/init.lua" <<'EOF2'
local M = {}
local function a(number, amount) return { invoice = number, amount = owed.money.parse(amount) } end
function M.match(p)
  local t = p.remittance or ""
  if t == "twice" then return { allocations = { a("G1", "50.00 EUR"), a("G1", "25.00 EUR") }, rule = "faulty", why = "twice" } end
  if t == "over" then return { allocations = { a("G2", "30.00 EUR"), a("G1", "400.00 EUR") }, rule = "faulty", why = "over" } end
  if t == "mixed" then return { allocations = { a("G2", "10.00 EUR"), a("G3", "10.00 EUR") }, rule = "faulty", why = "mixed" } end
  return nil
end
return M
EOF2
put "$WORK/faulty.conf" <<'EOF2'
return { matchers = { "faulty", "match-standard" } }
EOF2
run debtor add --number D6 --name "Dubbel BV"
run debtor add --number D7 --name "Ander BV"
run invoice add --number G1 --debtor D6 --amount 300.00 --issue-date 2026-03-01
run invoice add --number G2 --debtor D6 --amount 40.00 --issue-date 2026-03-02
run invoice add --number G3 --debtor D7 --amount 10.00 --issue-date 2026-03-02
expect_exit 0
camt "$WORK/faulty.xml" STMT-FAULTY 1 1000.00 auto "Q1;75.00;CRDT;Dubbel;;;twice;;" \
	"Q2;430.00;CRDT;Dubbel;;;over;;" "Q3;20.00;CRDT;Dubbel;;;mixed;;"
OWED_CONF=$WORK/faulty.conf run import bank "$WORK/faulty.xml" --json
expect_exit 0
expect_json .entries 3 .matched 1 .review 2
OUT=$(json .entries_detail)
expect_json '.[0].rule' faulty '.[1].why' "matched by faulty, but refused: allocate: EUR 400.00 to invoice G1 (EUR, open 225.00; payment in EUR, unallocated 400.00) refused: the amount exceeds the open amount of the invoice" \
	'.[2].why' "matched by faulty, but refused: invoice G3 is another debtor's"
equal "G1 paid 75.00 by one payment" "$(invoice_open G1)" "225.00"
equal "G2 untouched: the refused decision left nothing" "$(invoice_open G2)" "40.00"
run dossier invoice G1
expect_out 'invoice allocated .*"amount":"75.00".*"open":"225.00"'
equal "one allocation" "$(grep -c 'invoice allocated' <<<"$OUT")" 1
run payment review --json
json_select remittance over; expect_json .amount 430.00 .unallocated 430.00

section "help"
run import bank --help
expect_exit 0
expect_out "--accept-unbalanced"
run payments review --help
expect_exit 0

finish
