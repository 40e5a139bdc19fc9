#!/usr/bin/env bash
# bad_input.sh -- every kind of bad input is refused with the exit code it means (2 usage,
# 3 bad value or unknown name, 4 refused by a ledger invariant, 5 database), with one line on
# stderr naming the field and the value, nothing on stdout, and the database left as it was.
set -u
. "$(dirname "$0")/lib.sh"

section "a ledger to refuse things on"
run init --name "Acme BV"
expect_exit 0
run debtor add --number D1 --name "Bakker BV"
expect_exit 0
run invoice add --number F1 --debtor D1 --amount 1,210.00 --vat 210.00 --issue-date 2026-01-10
expect_exit 0
run payment add --amount 500.00 --allocate F1
expect_exit 0
run invoice add --number P1 --debtor D1 --amount 50.00 --issue-date 2026-01-10
run payment add --amount 50.00 --allocate P1
run invoice show P1 --json
expect_json .status paid .open 0.00
run invoice add --number U1 --debtor D1 --amount 100.00 --currency USD --issue-date 2026-01-10
expect_exit 0
run invoice show F1 --json
expect_json .open 710.00

# The arguments of a valid invoice, for the cases that spoil one of them.
new=(invoice add --number F2 --debtor D1)

section "malformed amounts (exit 3)"
refuse 3 "amount:" "'12,3x'" -- "${new[@]}" --amount 12,3x
refuse 3 "amount:" "'12.345'" -- "${new[@]}" --amount 12.345
refuse 3 "amount:" "'1.234,56'" -- "${new[@]}" --amount 1.234,56
OWED_LOCALE=nl-NL refuse 3 "amount:" "'1,234.56'" -- "${new[@]}" --amount 1,234.56
refuse 3 "amount:" "'99999999999999999999'" -- "${new[@]}" --amount 99999999999999999999
refuse 3 "amount:" "'12.5'" "JPY" -- "${new[@]}" --amount 12.5 --currency JPY
refuse 3 "amount:" "''" -- "${new[@]}" --amount ""
refuse 3 "amount:" "'abc'" -- payment add --amount abc --allocate F1
refuse 3 "allocate:" "'abc'" -- payment add --amount 10 --allocate F1=abc
refuse 3 "amount:" "'1O.00'" -- invoice credit F1 --amount 1O.00
refuse 3 "amount:" "'ten'" -- invoice write-off F1 --amount ten
refuse 3 "credit-limit:" "'lots'" -- debtor edit D1 --credit-limit lots

section "negative and zero amounts (exit 3)"
refuse 3 "amount:" "'-5'" -- "${new[@]}" --amount -5
refuse 3 "amount:" "'0'" -- "${new[@]}" --amount 0
refuse 3 "amount:" "'0.00'" -- payment add --amount 0.00 --debtor D1
refuse 3 "amount:" "'-10.00'" -- payment add --amount -10.00 --allocate F1
refuse 3 "allocate:" "'0'" -- payment add --amount 10 --allocate F1=0
refuse 3 "amount:" "'0'" -- invoice credit F1 --amount 0
refuse 3 "amount:" "'-1'" -- invoice charge F1 --amount -1
refuse 3 "amount:" "'0.00'" -- invoice write-off F1 --amount 0.00
refuse 3 "vat:" "'-1.00'" -- "${new[@]}" --amount 10 --vat -1.00
refuse 3 "credit-limit:" "'-100'" -- debtor edit D1 --credit-limit -100

section "VAT above the amount (exit 3)"
refuse 3 "vat:" "'200'" "'100'" -- "${new[@]}" --amount 100 --vat 200
refuse 3 "vat:" "'100.01'" -- "${new[@]}" --amount 100 --vat 100.01

section "malformed dates, and a due date before the issue date (exit 3)"
refuse 3 "issue-date:" "'2026-13-01'" -- "${new[@]}" --amount 10 --issue-date 2026-13-01
refuse 3 "due-date:" "'2026-02-30'" -- "${new[@]}" --amount 10 --due-date 2026-02-30
refuse 3 "issue-date:" "'1-3-26'" -- "${new[@]}" --amount 10 --issue-date 1-3-26
refuse 3 "issue-date:" "'2026-03-01T00:00'" -- "${new[@]}" --amount 10 --issue-date 2026-03-01T00:00
refuse 3 "due-date:" "'2026-01-01'" "before the issue date" -- "${new[@]}" --amount 10 \
	--issue-date 2026-02-01 --due-date 2026-01-01
refuse 3 "date:" "'yesterday'" -- payment add --amount 10 --allocate F1 --date yesterday
refuse 3 "date:" "'2026-02-29'" -- invoice credit F1 --amount 1 --date 2026-02-29
refuse 3 "date:" "'2026/03/01'" -- invoice write-off F1 --date 2026/03/01
refuse 3 "date:" "'x'" -- invoice charge F1 --amount 1 --date x
refuse 3 "date:" "'2026-00-10'" -- report aging --date 2026-00-10

section "unknown debtors and invoices (exit 3)"
refuse 3 "debtor:" "'D9'" -- "${new[@]/D1/D9}" --amount 10
refuse 3 "debtor:" "'D9'" -- payment add --amount 10 --debtor D9
refuse 3 "debtor:" "'D9'" -- debtor show D9
refuse 3 "debtor:" "'D9'" -- debtor edit D9 --name "Nobody"
refuse 3 "debtor:" "'D9'" -- invoice list --debtor D9
refuse 3 "debtor:" "'D9'" -- payment list --debtor D9
refuse 3 "debtor:" "'D9'" -- dossier debtor D9
refuse 3 "invoice:" "'F9'" -- invoice show F9
refuse 3 "invoice:" "'F9'" -- invoice credit F9 --amount 1
refuse 3 "invoice:" "'F9'" -- invoice write-off F9
refuse 3 "invoice:" "'F9'" -- invoice charge F9 --amount 1
refuse 3 "invoice:" "'F9'" -- dossier invoice F9
refuse 3 "allocate:" "'F9'" -- payment add --amount 10 --allocate F9
refuse 3 "allocate:" "'F9'" -- payment add --amount 10 --allocate F1=5 --allocate F9
refuse 3 "admin:" "'zz'" -- debtor list --admin zz

section "duplicates (exit 4)"
refuse 4 "number:" "'F1'" "exists already" -- invoice add --number F1 --debtor D1 --amount 10
refuse 4 "number:" "'D1'" "exists already" -- debtor add --number D1 --name "Again"
refuse 4 "$db" "exists already" -- init --name "Again"

section "allocations above the open amount or the payment (exit 4)"
refuse 4 "allocate:" "1000.00" "F1" "open 710.00" -- payment add --amount 2000 --allocate F1=1000
refuse 4 "allocate:" "200.00" "F1" "unallocated 100.00" -- payment add --amount 100 --allocate F1=200
refuse 4 "allocate:" "50.00" "F1" "unallocated 40.00" -- payment add --amount 100 \
	--allocate F1=60 --allocate F1=50
refuse 4 "allocate:" "P1" "nothing open" -- payment add --amount 10 --allocate P1
refuse 4 "allocate:" "F1" "nothing is left" -- payment add --amount 10 --allocate F1=10 \
	--allocate F1

section "currency mismatch between payment and invoice (exit 4)"
refuse 4 "allocate:" "F1" "payment in USD" "currencies differ" -- payment add --amount 100 \
	--currency USD --allocate F1
refuse 4 "allocate:" "U1" "currencies differ" -- payment add --amount 100 --allocate U1=10
refuse 4 "allocate:" "U1" "currencies differ" -- payment add --amount 100 --currency GBP \
	--allocate U1

section "credit notes and write-offs above the open amount (exit 4)"
refuse 4 "amount:" "710.01" "F1" "open 710.00" -- invoice credit F1 --amount 710.01
refuse 4 "amount:" "800.00" "F1" -- invoice write-off F1 --amount 800
refuse 4 "invoice:" "P1" "nothing open" -- invoice write-off P1
refuse 4 "amount:" "P1" "open 0.00" -- invoice credit P1 --amount 1

section "invalid IBANs, references and other fields (exit 3)"
refuse 3 "iban:" "'NL91ABNA0417164301'" -- debtor add --number D2 --name X --iban NL91ABNA0417164301
refuse 3 "iban:" "'NL91ABNA041716430'" -- debtor edit D1 --iban NL91ABNA041716430
refuse 3 "iban:" "'XX00'" -- payment add --amount 10 --debtor D1 --iban XX00
refuse 3 "reference:" "'8000000000000001'" -- "${new[@]}" --amount 10 --reference 8000000000000001
refuse 3 "reference:" "'RF19539007547034'" -- "${new[@]}" --amount 10 --reference RF19539007547034
refuse 3 "reference:" "'+++090/9337/55494+++'" -- "${new[@]}" --amount 10 \
	--reference +++090/9337/55494+++
refuse 3 "currency:" "'eur'" -- "${new[@]}" --amount 10 --currency eur
refuse 3 "currency:" "'EURO'" -- payment add --amount 10 --currency EURO --allocate F1
refuse 3 "country:" "'Netherlands'" -- debtor add --number D2 --name X --country Netherlands
refuse 3 "kind:" "'company'" -- debtor add --number D2 --name X --kind company
refuse 3 "language:" "'es'" -- debtor add --number D2 --name X --language es
refuse 3 "email:" "'bakker.nl'" -- debtor edit D1 --email bakker.nl
refuse 3 "terms:" "'-1'" -- debtor edit D1 --terms -1
refuse 3 "terms:" "'30d'" -- debtor add --number D2 --name X --terms 30d
refuse 3 "name:" "must not be empty" -- debtor edit D1 --name ""
refuse 3 "number:" "too long" -- debtor add --number "$(printf 'D%.0s' {1..300})" --name X
refuse 3 "limit:" "'abc'" -- invoice list --limit abc
refuse 3 "limit:" "'0'" -- invoice list --limit 0

section "a bad environment (exit 3)"
OWED_LOCALE=de-DE refuse 3 "OWED_LOCALE:" "'de-DE'" -- invoice list
OWED_LOCALE=xx refuse 3 "OWED_LOCALE:" "'xx'" -- "${new[@]}" --amount 10
OWED_TODAY=2026-02-30 refuse 3 "OWED_TODAY:" "'2026-02-30'" -- "${new[@]}" --amount 10
OWED_TODAY=today refuse 3 "OWED_TODAY:" "'today'" -- payment add --amount 10 --allocate F1

section "unknown options, missing options and arguments (exit 2)"
refuse 2 "invoice add:" "'--bogus'" -- "${new[@]}" --amount 10 --bogus
refuse 2 "payment add:" "'--amount'" -- payment add --allocate F1 --amount
refuse 2 "debtor list:" "'db'" -- debtor list --db
refuse 2 "invoice list:" "'--open=yes'" -- invoice list --open=yes
refuse 2 "invoice list:" "'json=1'" -- invoice list --json=1
refuse 2 "invoice show:" "'P1'" -- invoice show F1 P1
refuse 2 "debtor list:" "'extra'" -- debtor list extra
refuse 2 "number:" "--number" -- invoice add --debtor D1 --amount 10
refuse 2 "amount:" "--amount" -- invoice add --number F2 --debtor D1
refuse 2 "debtor:" "debtor number is required" -- invoice add --number F2 --amount 10
refuse 2 "number:" "--number" -- debtor add --name X
refuse 2 "name:" "--name" -- debtor add --number D2
refuse 2 "amount:" "--amount" -- payment add --allocate F1
refuse 2 "amount:" "--amount" -- invoice credit F1
refuse 2 "amount:" "--amount" -- invoice charge F1
refuse 2 "allocate:" "invoice number is required" -- payment add --amount 10 --allocate =5
refuse 2 "name:" "--name" -- init --db "$WORK/new.db"
refuse 2 "debtor show:" "NUMBER" -- debtor show
refuse 2 "dossier:" "'payment'" -- dossier payment 1

section "unknown commands (exit 2)"
refuse 2 "unknown command" "'frobnicate'" -- frobnicate
refuse 2 "unknown command" "'invoice frob'" -- invoice frob
refuse 2 "unknown command" "'debtorz list'" -- debtorz list
# a group's plural reads as well as the group: owed payments review, owed debtors list
run debtors list
expect_exit 0
expect_out '^D1 +Bakker BV'

section "a database path that does not exist (exit 5)"
refuse 5 "no database at $WORK/missing.db" -- debtor list --db "$WORK/missing.db"
check "no database was created at $WORK/missing.db" test ! -e "$WORK/missing.db"
OWED_DB=$WORK/missing.db refuse 5 "no database at $WORK/missing.db" -- "${new[@]}" --amount 10
check "no database was created by OWED_DB=$WORK/missing.db" test ! -e "$WORK/missing.db"
refuse 5 "$WORK/no/such/dir/x.db" -- init --name X --db "$WORK/no/such/dir/x.db"
check "init made no folder" test ! -e "$WORK/no"
refuse 3 "iban:" -- init --name X --iban NL00 --db "$WORK/bad.db"
check "a refused init leaves no file" test ! -e "$WORK/bad.db"

section "after all that, the ledger is what it was"
run invoice show F1 --json
expect_json .open 710.00 .allocated 500.00 .credited 0.00 .written_off 0.00 .charges 0.00
run payment list --json
equal "payments booked" "$(json_len .)" 2
run dossier debtor D1
expect_events "debtor created" "invoice created" "invoice allocated" "payment received" \
	"invoice created" "invoice allocated" "payment received" "invoice created"

finish
