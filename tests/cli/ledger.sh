#!/usr/bin/env bash
# ledger.sh -- the happy paths, end to end: a ledger is created, an invoice is partly paid,
# credited, charged and written off, and every view (show, list, dossier, aging, JSON) shows
# the exact amounts and dates.  "Today" is pinned to 2026-03-01 by lib.sh.
set -u
. "$(dirname "$0")/lib.sh"

section "a new ledger with a debtor"
run init --name "Acme BV" --iban NL91ABNA0417164300
expect_exit 0
expect_out "^created $db\$"
run debtor add --number D1 --name "Bakker BV" --email info@bakker.nl \
	--iban "nl91 abna 0417 1643 00"
expect_exit 0
expect_field number D1
expect_field name "Bakker BV"
expect_field kind business
expect_field country NL
expect_field language nl
expect_field iban NL91ABNA0417164300
expect_field terms "30 days"
expect_field open "€0.00"

section "an invoice of 1,210.00, partly paid with 500.00"
run invoice add --number F2026-001 --debtor D1 --amount 1,210.00 --vat 210.00 \
	--issue-date 2026-01-10 --reference RF18539007547034 --description "Consultancy January"
expect_exit 0
expect_field issued 2026-01-10
expect_field due 2026-02-09
expect_field amount "€1,210.00"
expect_field "  of which VAT" "€210.00"
expect_field reference RF18539007547034
expect_field open "€1,210.00"
expect_field status open
run payment add --amount 500.00 --date 2026-02-01 --allocate F2026-001 \
	--counterparty "Bakker BV" --iban NL91ABNA0417164300 --remittance "F2026-001"
expect_exit 0
expect_out '^payment 1 booked: €500\.00, unallocated €0\.00$'
run invoice show F2026-001
expect_exit 0
expect_field paid "€500.00"
expect_field open "€710.00"
expect_field status open
run invoice show F2026-001 --json
expect_exit 0
expect_json .number F2026-001 .debtor D1 .debtor_name "Bakker BV" .issue_date 2026-01-10 \
	.due_date 2026-02-09 .currency EUR .amount 1210.00 .vat 210.00 .charges 0.00 \
	.allocated 500.00 .credited 0.00 .written_off 0.00 .open 710.00 \
	.reference RF18539007547034 .description "Consultancy January" .status open

section "the dossier tells what happened, in order"
run dossier invoice F2026-001
expect_exit 0
expect_events "invoice created" "invoice allocated"
run dossier debtor D1
expect_exit 0
expect_events "debtor created" "invoice created" "invoice allocated" "payment received"
run dossier debtor D1 --json
expect_exit 0
expect_json '.[0].actor' tester '.[1].payload.amount' 1210.00 '.[1].payload.due_date' 2026-02-09 \
	'.[2].payload.amount' 500.00 '.[2].payload.open' 710.00 \
	'.[3].entity' payment '.[3].kind' received '.[3].payload.date' 2026-02-01 \
	'.[3].payload.unallocated' 0.00 '.[3].payload.allocations[0].invoice' F2026-001 \
	'.[3].payload.allocations[0].amount' 500.00 '.[3].payload.counterparty' "Bakker BV"

section "overdue and aging as on today (2026-03-01: 20 days past due)"
run debtor show D1
expect_field open "€710.00"
expect_field overdue "€710.00"
run report aging --json
expect_exit 0
expect_json .asof 2026-03-01 '.currencies[0].currency' EUR '.currencies[0].current' 0.00 \
	'.currencies[0]["1-30"]' 710.00 '.currencies[0].total' 710.00 '.currencies[0].invoices' 1
run report aging --date 2026-05-01 --json
expect_json .asof 2026-05-01 '.currencies[0]["1-30"]' 0.00 '.currencies[0]["61-90"]' 710.00
run report aging
expect_exit 0
expect_out '^Aging as on 2026-03-01 '
expect_out '^EUR +€0\.00 +€710\.00 '

section "a credit note of 110.00"
run invoice credit F2026-001 --amount 110.00 --number CN-001 --reason "damaged goods" \
	--date 2026-02-15
expect_exit 0
expect_field credited "€110.00"
expect_field open "€600.00"
run dossier invoice F2026-001 --json
expect_json '.[2].kind' credited '.[2].payload.credit_note' CN-001 \
	'.[2].payload.reason' "damaged goods" '.[2].payload.date' 2026-02-15 \
	'.[2].payload.amount' 110.00 '.[2].payload.open' 600.00

section "a charge of 40.00"
run invoice charge F2026-001 --amount 40.00 --kind collection-costs --description incassokosten
expect_exit 0
expect_field charges "€40.00"
expect_field open "€640.00"
run dossier invoice F2026-001 --json
expect_json '.[3].kind' charged '.[3].payload.charge' collection-costs \
	'.[3].payload.date' 2026-03-01 '.[3].payload.open' 640.00

section "a write-off: first 40.00, then all that is left"
run invoice write-off F2026-001 --amount 40.00 --reason "costs waived"
expect_exit 0
expect_field "written off" "€40.00"
expect_field open "€600.00"
run invoice write-off F2026-001 --date 2026-03-01 --json
expect_exit 0
expect_json .written_off 640.00 .open 0.00 .allocated 500.00 .credited 110.00 .charges 40.00
run dossier invoice F2026-001
expect_events "invoice created" "invoice allocated" "invoice credited" "invoice charged" \
	"invoice written_off" "invoice written_off"

section "an invoice written off without any payment is closed"
run invoice add --number W-1 --debtor D1 --amount 99.99 --issue-date 2026-01-01
run invoice write-off W-1 --reason "bankrupt" --json
expect_exit 0
expect_json .written_off 99.99 .open 0.00 .status closed

section "one payment over two invoices, and an overpayment"
run invoice add --number F2026-002 --debtor D1 --amount 100.00 --issue-date 15-02-2026
expect_field issued 2026-02-15
expect_field due 2026-03-17
run invoice add --number F2026-003 --debtor D1 --amount 250.00 --issue-date 2026-02-15 \
	--due-date 2026-02-20 --reference 9000000000000001
expect_field due 2026-02-20
expect_field reference 9000000000000001
run payment add --amount 300.00 --allocate F2026-002 --allocate F2026-003 --json
expect_exit 0
expect_json .id 2 .date 2026-03-01 .amount 300.00 .unallocated 0.00
run invoice show F2026-002
expect_field open "€0.00"
expect_field status paid
run invoice show F2026-003
expect_field open "€50.00"
run payment add --amount 80.00 --date 2026-02-28 --allocate F2026-003
expect_out '^payment 3 booked: €80\.00, unallocated €30\.00$'
run invoice show F2026-003 --json
expect_json .allocated 250.00 .open 0.00 .status paid

section "allocating part of a payment, and a payment without allocation"
run invoice add --number F2026-004 --debtor D1 --amount 500 --issue-date 2026-02-01 \
	--due-date 2026-02-15 --reference "+++090/9337/55493+++"
expect_field reference "+++090/9337/55493+++"
run payment add --amount 200 --allocate F2026-004=120.50
expect_out '^payment 4 booked: €200\.00, unallocated €79\.50$'
run payment add --amount 15 --debtor D1 --remittance "unknown"
expect_out '^payment 5 booked: €15\.00, unallocated €15\.00$'
run invoice show F2026-004
expect_field paid "€120.50"
expect_field open "€379.50"
run payment list --json
expect_exit 0
equal "payments listed" "$(json_len .)" 5
expect_json '.[3].amount' 200.00 '.[3].unallocated' 79.50 '.[4].remittance' unknown
run payment list --debtor D1
expect_exit 0
expect_out '^ *4  2026-03-01 +€200\.00 +€79\.50'

section "lists"
run invoice list --open --json
expect_exit 0
equal "open invoices" "$(json_len .)" 1
expect_json '.[0].number' F2026-004 '.[0].open' 379.50
run invoice list --overdue
expect_exit 0
expect_out '^F2026-004 +D1 +Bakker BV +2026-02-15 +€500\.00 +€379\.50 +open$'
run invoice list --limit 2 --json
equal "invoice list --limit 2" "$(json_len .)" 2
run debtor list --json
expect_exit 0
expect_json '.[0].number' D1 '.[0].open' 379.50 '.[0].overdue' 379.50 '.[0].open_invoices' 1

section "debtor edit: new terms apply to the next invoice"
run debtor edit D1 --terms 14 --email ap@bakker.nl --credit-limit 0.00 --kind consumer
expect_exit 0
expect_field terms "14 days"
expect_field email ap@bakker.nl
expect_field kind consumer
run invoice add --number F2026-005 --debtor D1 --amount 10 --vat 0 --json
expect_json .issue_date 2026-03-01 .due_date 2026-03-15 .vat 0.00
run dossier debtor D1
expect_out 'debtor +edited +\{.*"email":"ap@bakker\.nl"'

section "amounts in Dutch notation (OWED_LOCALE=nl-NL)"
OWED_LOCALE=nl-NL run invoice add --number NL-1 --debtor D1 --amount 1.234,56 --vat 214,26 \
	--issue-date 2026-02-01
expect_exit 0
expect_field amount "€ 1.234,56"
expect_field "  of which VAT" "€ 214,26"
OWED_LOCALE=nl-NL run payment add --amount 1.000,01 --allocate NL-1 --json
expect_json .amount 1000.01 .unallocated 0.00
run invoice show NL-1 --json
expect_json .amount 1234.56 .vat 214.26 .open 234.55

section "an invoice in another currency"
run invoice add --number JP-1 --debtor D1 --amount 12000 --currency JPY --issue-date 2026-02-01
expect_exit 0
expect_field amount "JPY 12,000"
run payment add --amount 5000 --currency JPY --allocate JP-1 --json
expect_json .currency JPY .amount 5000 .unallocated 0
run invoice show JP-1 --json
expect_json .currency JPY .open 7000
run report aging --json
equal "currencies in aging" "$(json_len .currencies)" 2

section "--db and OWED_DB"
run init --db "$WORK/other.db" --name "Other BV" --code oth --currency USD --terms 10 --json
expect_exit 0
expect_json .database "$WORK/other.db"
run debtor add --db "$WORK/other.db" --number X1 --name "Xavier"
expect_field terms "10 days"
run debtor list --db "$WORK/other.db" --admin oth --json
expect_json '.[0].number' X1 '.[0].currency' USD
run debtor list --json
expect_json '.[0].number' D1

section "the demo"
# with OWED_SCAN_REPORT, every statement that walked a whole table says so when the ledger
# closes: 120 days of runs, imports, matching and deliveries (below) may do that only in the
# reads a run makes once (its cases, their steps, the debtors to look at) and in the report
OWED_SCAN_REPORT=1 run demo --keep "$WORK/demo"
expect_exit 0
scans=$(grep '^owed: full scan' <<<"$ERR" | grep -vE \
	-e "FROM dunning_case WHERE admin_id = \?1 AND state <> 'closed' ORDER BY debtor_id" \
	-e "FROM case_step s JOIN dunning_case c ON c.id = s.case_id WHERE c.admin_id = \? AND c.state <> 'closed'" \
	-e "^owed: full scan \([0-9]+ steps\): SELECT d.id FROM debtor d WHERE EXISTS" \
	-e "GROUP BY")
equal "no statement of a payment, an invoice, a case or a delivery walks a whole table" "$scans" ""
expect_out '^Groothandel Noordzee BV: 300 customers'
expect_out "^The letters and e-mails to open and read: $WORK/demo/outgoing$"
# the 120 days' payments came in as bank statements, and every one was matched
bank=$(grep '^Bank statements:' <<<"$OUT")
files=$(sed -E 's/^Bank statements: ([0-9]+) camt.053 files.*/\1/' <<<"$bank")
paid=$(sed -E 's/.* ([0-9]+) payments: .*/\1/' <<<"$bank")
equal "the statements the demo names are in bank/" "$(ls "$WORK/demo/bank" | wc -l)" "$files"
check "more than 100 statements and 500 payments" test "$files" -gt 100 -a "$paid" -gt 500
equal "every payment matched" "$bank" \
	"Bank statements: $files camt.053 files in bank/, $paid payments: $paid matched, 0 to review, 0 kept as credit"
run debtor list --db "$WORK/demo/demo.db" --json
equal "demo debtors" "$(json_len .)" 300
run payment review --db "$WORK/demo/demo.db" --json
equal "nothing for a person to place" "$(json_len .)" 0

finish
