#!/usr/bin/env bash
# serve_routes.sh -- the API's routes for money and cases over real HTTP (a server on
# 127.0.0.1 with a free port): credit notes and write-offs, payments booked, listed and
# matched, bank statements uploaded (CAMT.053 and MT940; booked and matched, or refused with
# nothing written), a debtor's case and the actions on it (a pause by hand too), the outbox
# and a retry of a dead delivery; with the scope matrix, 404s for unknown numbers, 409/422
# naming the field, and an Idempotency-Key retry of every POST.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "skipped: no curl"; exit 0; }
export OWED_HOME=$WORK/home

J=NL20INGB0001234567
run init --name "Acme BV" --iban NL91ABNA0417164300; expect_exit 0
run debtor add --number D1 --name "Jansen BV" --iban $J --address "Dorpsstraat 1, 1234 AB Ergens"
run debtor add --number D2 --name "Peeters"
run invoice add --number F1 --debtor D1 --amount 100.00 --issue-date 2026-01-01 --due-date 2026-01-31 --reference RF18539007547034
run invoice add --number F2 --debtor D1 --amount 250.00 --issue-date 2026-01-10 --due-date 2026-02-09
run invoice add --number F3 --debtor D2 --amount 80.00 --issue-date 2026-02-20 --due-date 2026-03-22
expect_exit 0
run token create --name ro --scope read; RO=$OUT
run token create --name rw --scope write; RW=$OUT
run token create --name ops --scope admin; ADM=$OUT
serve_start
check "serve is up" grep -qE '^[0-9]+$' <<<"$PORT"

# idem ...: the POST, sent again with the same Idempotency-Key, gets the same answer
# (marked as a replay); the caller checks that nothing changed twice.
idem() {   # METHOD PATH BODY KEY [TOKEN]
	local token=${5:-$RW}
	api "$1" "$2" "$token" "$3" -H "Idempotency-Key: $4"
	local first=$OUT status=$STATUS
	api "$1" "$2" "$token" "$3" -H "Idempotency-Key: $4"
	equal "$1 $2: a retry gets the first answer" "$STATUS $OUT" "$status $first"
	check "$1 $2: the retry says it is one" grep -qi '^idempotent-replayed: true' "$WORK/headers"
}
# by_rw ENTITY NUMBER KIND: how many events of that kind in the dossier that the token wrote
by_rw() {
	run dossier "$1" "$2"
	grep -cE "^[0-9TZ:-]+ +rw +[a-z]+ $3  " <<<"$OUT"
}

section "scopes: reads need read, changes write, the outbox admin"
for route in "POST /api/v1/invoices/F1/credit" "POST /api/v1/invoices/F1/write-off" \
             "GET /api/v1/payments" "POST /api/v1/payments" "POST /api/v1/payments/1/match" \
             "POST /api/v1/statements" "GET /api/v1/cases/D1" "POST /api/v1/cases/D1/dispute" \
             "POST /api/v1/cases/D1/resolve" "POST /api/v1/cases/D1/promise" \
             "POST /api/v1/cases/D1/plan" "POST /api/v1/cases/D1/pause" \
             "POST /api/v1/cases/D1/resume" "GET /api/v1/outbox" "POST /api/v1/outbox/1/retry"; do
	set -- $route
	api "$1" "$2" ""; expect_problem 401
	api "$1" "$2" "owed_0000"; expect_problem 401
	if [[ $1 == POST ]]; then
		api "$1" "$2" "$RO" '{}'; expect_problem 403
	fi
done
api GET /api/v1/outbox "$RW"; expect_problem 403
expect_json .detail "this route needs a admin token; 'rw' is write"
api GET /api/v1/outbox "$ADM"; expect_status 200; expect_json .items '[]'
api GET '/api/v1/outbox?state=lost' "$ADM"; expect_problem 400 state
api PUT /api/v1/statements "$RW"; expect_problem 405
run dossier invoice F1; expect_exit 0
check "the refused requests wrote nothing" bash -c "! grep -qE ' (ro|rw) ' <<<'$OUT'"

section "credit notes and write-offs"
api POST /api/v1/invoices/F1/credit "$RW" '{"amount":"10.00","date":"2026-02-01","credit_note":"CN1","reason":"damaged"}'
expect_status 201; expect_json .number F1 .credited 10.00 .open 90.00 .status open
api POST /api/v1/invoices/NOPE/credit "$RW" '{"amount":"1.00"}'; expect_problem 404
api POST /api/v1/invoices/F1/credit "$RW" '{"amount":"500.00"}'; expect_problem 409 amount
api POST /api/v1/invoices/F1/credit "$RW" '{"reason":"x"}'; expect_problem 400 amount
api POST /api/v1/invoices/F1/credit "$RW" '{"amount":"1.00","date":"2026-02-30"}'; expect_problem 422 date
api POST /api/v1/invoices/F1/credit "$RW" '{"amount":1}'; expect_problem 422 amount
api POST /api/v1/invoices/F1/credit "$RW" '{"amount":"1.00","colour":"red"}'; expect_problem 422 colour
idem POST /api/v1/invoices/F1/credit '{"amount":"5.00","date":"2026-02-02"}' credit-1
expect_json .credited 15.00 .open 85.00
equal "two credit notes in F1's dossier" "$(by_rw invoice F1 credited)" 2
api POST /api/v1/invoices/F2/write-off "$RW" '{"amount":"50.00","reason":"goodwill"}'
expect_status 201; expect_json .written_off 50.00 .open 200.00
api POST /api/v1/invoices/NOPE/write-off "$RW" '{}'; expect_problem 404
api POST /api/v1/invoices/F2/write-off "$RW" '{"amount":"200.01"}'; expect_problem 409 amount
idem POST /api/v1/invoices/F2/write-off '{"reason":"the rest"}' writeoff-1
expect_status 201; expect_json .written_off 250.00 .open 0.00 .status closed
api POST /api/v1/invoices/F2/write-off "$RW" '{}'; expect_problem 409 invoice
equal "two write-offs in F2's dossier" "$(by_rw invoice F2 written_off)" 2

section "the invoice list: overdue"
api GET '/api/v1/invoices?overdue=true' "$RO"; expect_status 200
equal "overdue on 2026-03-01: F1 only (F2 is closed, F3 due later)" \
	"$(json '[.items[].number]' | tr -d ' \n')" '["F1"]'
api GET '/api/v1/invoices?overdue=soon' "$RO"; expect_problem 400 overdue

section "payments"
idem POST /api/v1/payments '{"amount":"40.00","date":"2026-02-15","debtor":"D1","allocations":[{"invoice":"F1","amount":"40.00"}]}' pay-1
expect_status 201; expect_json .amount 40.00 .unallocated 0.00 .date 2026-02-15 .source api
P1=$(json .id)
run invoice show F1 --json; expect_json .open 45.00 .allocated 40.00
api POST /api/v1/payments "$RW" '{"amount":"25.00","date":"2026-02-16","debtor":"D2","remittance":"on account"}'
expect_status 201; expect_json .unallocated 25.00 .remittance "on account"
P2=$(json .id)
before=$(db_state)
api POST /api/v1/payments "$RW" '{"amount":"1.00","allocations":[{"invoice":"NOPE"}]}'; expect_problem 422 allocations
api POST /api/v1/payments "$RW" '{"amount":"1.00","allocations":"F1"}'; expect_problem 422 allocations
api POST /api/v1/payments "$RW" '{"amount":"1.00","allocations":[{"invoice":"F1","colour":"red"}]}'; expect_problem 422 allocations
api POST /api/v1/payments "$RW" '{"amount":"50.00","debtor":"D1","allocations":[{"invoice":"F1","amount":"46.00"}]}'
expect_problem 409 allocations
api POST /api/v1/payments "$RW" '{"amount":"1,2x"}'; expect_problem 422 amount
api POST /api/v1/payments "$RW" '{"amount":"1.00","debtor":"NOPE"}'; expect_problem 422 debtor
api POST /api/v1/payments "$RW" '{"date":"2026-02-16"}'; expect_problem 400 amount
equal "refused payments wrote nothing" "$(db_state)" "$before"
equal "one payment event for the retried POST" "$(by_rw invoice F1 allocated)" 1
api GET /api/v1/payments "$RO"; expect_status 200
expect_json '.items[0].id' "$P1" '.items[0].amount' 40.00 '.items[1].id' "$P2" '.items[1].amount' 25.00 .next null
api GET '/api/v1/payments?limit=1' "$RO"; expect_json '.items[0].id' "$P1"
api GET "/api/v1/payments?limit=1&cursor=$(json .next)" "$RO"
expect_json '.items[0].id' "$P2" .next null
api GET '/api/v1/payments?debtor=D2' "$RO"; expect_json '.items[0].id' "$P2" '.items[1]' null
api GET '/api/v1/payments?debtor=NOPE' "$RO"; expect_problem 422 debtor
api GET '/api/v1/payments?cursor=zz' "$RO"; expect_problem 400 cursor

section "a statement upload books and matches"
# F1 is paid in full by its structured reference; 33.33 from a stranger goes to review.
camt "$WORK/s1.xml" S1 1 1000.00 auto \
	"R1;45.00;CRDT;Jansen BV;$J;RF18539007547034;;;" \
	"R2;33.33;CRDT;Onbekend;NL02ABNA0123456789;;bestelling 7;;"
before=$(db_state)
api POST '/api/v1/statements?dry_run=true' "$RW" "@$WORK/s1.xml"
expect_status 200; expect_json .dry_run true .entries 2 .matched 1 .review 1
equal "a dry run writes nothing" "$(db_state)" "$before"
idem POST '/api/v1/statements?name=s1.xml' "@$WORK/s1.xml" stmt-1
expect_status 201
expect_json .dry_run false .statements 1 .entries 2 .matched 1 .review 1 .duplicates 0 \
	'.entries_detail[0].amount' 45.00 '.entries_detail[0].outcome' matched \
	'.entries_detail[1].outcome' review '.entries_detail[1].file' s1.xml
run invoice show F1 --json; expect_json .open 0.00 .status paid
run payment review --json; expect_exit 0
equal "one payment in review" "$(json_len .)" 1
REVIEW=$(json '.[0].id')
api POST /api/v1/statements "$RW" "@$WORK/s1.xml"
expect_status 201; expect_json .statements 0 .statements_skipped 1 .duplicates 2 .matched 0

section "a refused statement changes nothing"
camt "$WORK/bad.xml" S2 2 1000.00 999.00 "R3;10.00;CRDT;Jansen BV;$J;;;;"
printf 'just a note, no statement\n' >"$WORK/note.txt"
before=$(db_state)
api POST '/api/v1/statements?name=bad.xml' "$RW" "@$WORK/bad.xml"; expect_problem 422 body
expect_json .detail "bad.xml: refused, the balances do not add up: statement S2: opening 1000.00 + entries 10.00 = 1010.00 EUR, closing says 999.00 (book it anyway with --accept-unbalanced)"
api POST /api/v1/statements "$RW" "@$WORK/note.txt"; expect_problem 422 body
check "the refusal says no importer knew it" grep -q 'upload: no importer recognises this file' <<<"$OUT"
api POST '/api/v1/statements?format=nope' "$RW" "@$WORK/s1.xml"; expect_problem 400 format
api POST '/api/v1/statements?dry_run=yes' "$RW" "@$WORK/s1.xml"; expect_problem 400 dry_run
api POST /api/v1/statements "$RW" ""; expect_problem 400 body
equal "the refused uploads wrote nothing" "$(db_state)" "$before"

section "matching a payment from the review queue"
idem POST "/api/v1/payments/$REVIEW/match" '{"allocations":[{"invoice":"F3"}]}' match-1
expect_status 200; expect_json .id "$REVIEW" .unallocated 0.00 .review ""
run invoice show F3 --json; expect_json .open 46.67
api GET /api/v1/payments/review "$RO"; expect_json .items '[]'
api POST "/api/v1/payments/$REVIEW/match" "$RW" '{"allocations":[{"invoice":"F3"}]}'; expect_problem 409
api POST /api/v1/payments/999/match "$RW" '{"allocations":[{"invoice":"F3"}]}'; expect_problem 404
api POST /api/v1/payments/abc/match "$RW" '{"allocations":[{"invoice":"F3"}]}'; expect_problem 404
api POST "/api/v1/payments/$P2/match" "$RW" '{"allocations":[]}'; expect_problem 400 allocations
api POST "/api/v1/payments/$P2/match" "$RW" '{"allocations":[{"invoice":"NOPE"}]}'; expect_problem 422 allocations
api POST "/api/v1/payments/$P2/match" "$RW" '{"allocations":[{"invoice":"F1"}]}'; expect_problem 409 allocations

section "a debtor's case"
api GET /api/v1/cases/D2 "$RO"; expect_status 200
expect_json .debtor D2 .state none .paused null .promise null .disputes '[]' .instalments '[]' \
	.next_date null
api GET /api/v1/cases/NOPE "$RO"; expect_problem 404
idem POST /api/v1/cases/D2/dispute '{"invoice":"F3","reason":"wrong amount"}' dispute-1
expect_status 200
expect_json '.disputes[0].invoice' F3 '.disputes[0].reason' "wrong amount" \
	'.disputes[0].opened' 2026-03-01 '.disputes[0].resolved' null
api POST /api/v1/cases/D2/dispute "$RW" '{"invoice":"F3","reason":"again"}'; expect_problem 409 invoice
api POST /api/v1/cases/D1/dispute "$RW" '{"invoice":"F3","reason":"x"}'; expect_problem 422 invoice
expect_json .detail "invoice: F3 is D2's, not D1's"
api POST /api/v1/cases/D2/dispute "$RW" '{"invoice":"F3"}'; expect_problem 400 reason
api POST /api/v1/cases/D2/dispute "$RW" '{"reason":"x"}'; expect_problem 400 invoice
api POST /api/v1/cases/D2/dispute "$RW" '{"invoice":"NOPE","reason":"x"}'; expect_problem 422 invoice
api POST /api/v1/cases/NOPE/dispute "$RW" '{"invoice":"F3","reason":"x"}'; expect_problem 404
equal "one dispute event" "$(by_rw invoice F3 disputed)" 1
idem POST /api/v1/cases/D2/resolve '{"invoice":"F3"}' resolve-1
expect_status 200; expect_json '.disputes[0].resolved' 2026-03-01
api POST /api/v1/cases/D2/resolve "$RW" '{"invoice":"F3"}'; expect_problem 409 invoice
equal "one resolution event" "$(by_rw invoice F3 "dispute resolved")" 1

idem POST /api/v1/cases/D1/promise '{"date":"2026-03-15","amount":"100.00"}' promise-1
expect_status 200; expect_json .promise.date 2026-03-15 .promise.amount 100.00 .promise.currency EUR
api POST /api/v1/cases/D1/promise "$RW" '{"date":"2026-03-20","amount":"5.00"}'; expect_problem 409 debtor
api POST /api/v1/cases/D2/promise "$RW" '{"date":"2026-03-20"}'; expect_problem 400 amount
api POST /api/v1/cases/D2/promise "$RW" '{"date":"2026-13-01","amount":"5.00"}'; expect_problem 422 date
api POST /api/v1/cases/D2/promise "$RW" '{"date":"2026-03-20","amount":"-5"}'; expect_problem 422 amount
equal "one promise event" "$(by_rw debtor D1 "promised to pay")" 1

idem POST /api/v1/cases/D2/plan '{"instalments":[{"date":"2026-04-01","amount":"20.00"},{"date":"2026-05-01","amount":"26.67"}]}' plan-1
expect_status 200
expect_json '.instalments[0].date' 2026-04-01 '.instalments[0].amount' 20.00 '.instalments[0].state' open \
	'.instalments[1].date' 2026-05-01 '.instalments[1].amount' 26.67 '.instalments[2]' null
api POST /api/v1/cases/D2/plan "$RW" '{}'; expect_problem 400 instalments
api POST /api/v1/cases/D2/plan "$RW" '{"instalments":[]}'; expect_problem 422 instalments
api POST /api/v1/cases/D2/plan "$RW" '{"instalments":[{"date":"2026-04-01"}]}'; expect_problem 422 instalments
api POST /api/v1/cases/D2/plan "$RW" '{"instalments":[{"date":"2026-04-01","amount":"abc"}]}'; expect_problem 422 instalments
equal "one plan event" "$(by_rw debtor D2 "payment plan agreed")" 1

section "a case the run opened, and its delivery in the outbox"
run debtor add --number D3 --name "Visser" --address "Kade 2, 1011 AB Amsterdam"
run invoice add --number F9 --debtor D3 --amount 100.00 --issue-date 2026-01-01 --due-date 2026-02-20
run run --date 2026-03-01; expect_exit 0
api GET /api/v1/cases/D3 "$RO"; expect_status 200
expect_json .debtor D3 .state open .policy nl-b2b .step reminder1 .step_date 2026-03-01 \
	.opened 2026-03-01 .promise null
api GET /api/v1/cases/D1 "$RO"; expect_json .state none .promise.date 2026-03-15
api GET '/api/v1/outbox?state=pending' "$ADM"; expect_status 200
expect_json '.items[0].channel' email '.items[0].idem_key' case-1:reminder1:email \
	'.items[0].attempts' 1 '.items[0].last_error' "debtor D3 has no e-mail address" '.items[1]' null
api GET '/api/v1/outbox?state=dead' "$ADM"; expect_json .items '[]'
api POST /api/v1/outbox/1/retry "$ADM"; expect_problem 409
expect_json .detail "outbox: delivery 1 is pending; only a dead one is retried"
api POST /api/v1/outbox/1/retry "$RW"; expect_problem 403
api POST /api/v1/outbox/99/retry "$ADM"; expect_problem 404
api POST /api/v1/outbox/x/retry "$ADM"; expect_problem 404
run outbox retry 1; expect_exit 4; expect_err "outbox: delivery 1 is pending; only a dead one is retried"
run outbox retry x; expect_exit 2; expect_err "ID: 'x' is not a delivery id"
# as five failed dispatches leave it
sqlite3 "$db" "UPDATE outbox SET state = 'dead', attempts = 5 WHERE id = 1"
idem POST /api/v1/outbox/1/retry '' retry-1 "$ADM"
expect_status 200; expect_json .id 1 .state pending .attempts 0 .last_error "debtor D3 has no e-mail address"
api POST /api/v1/outbox/1/retry "$ADM"; expect_problem 409
run dossier debtor D3; expect_exit 0
equal "one retry in D3's dossier, by the admin token" "$(grep -cE ' ops +outbox retry ' <<<"$OUT")" 1

section "a pause by hand"
idem POST /api/v1/cases/D3/pause '{"reason":"talks with the owner"}' pause-1
expect_status 200
expect_json .state open .paused.since 2026-03-01 .paused.reason "talks with the owner"
api POST /api/v1/cases/D3/pause "$RW" '{"reason":"again"}'; expect_problem 409 debtor
expect_json .detail "debtor: D3 is paused already (since 2026-03-01: talks with the owner)"
api POST /api/v1/cases/D3/pause "$RW" '{}'; expect_problem 400 reason
api POST /api/v1/cases/NOPE/pause "$RW" '{"reason":"x"}'; expect_problem 404
run case pause D3 --reason x; expect_exit 4; expect_err "debtor: D3 is paused already"
run run --date 2026-03-20 --dry-run; expect_exit 0
expect_row D3 "Visser skipped reminder1 €100.00 paused by hand since 2026-03-01: talks with the owner"
idem POST /api/v1/cases/D3/resume '' resume-1
expect_status 200; expect_json .state open .paused null
api POST /api/v1/cases/D3/resume "$RW"; expect_problem 409 debtor
expect_json .detail "debtor: D3 is not paused"
run case resume D3; expect_exit 4; expect_err "debtor: D3 is not paused"
run run --date 2026-03-20 --dry-run; expect_exit 0
check "resumed, the run weighs D3's case again" bash -c "! grep -q 'paused by hand' <<<'$OUT'"
equal "one pause in D3's dossier" "$(by_rw debtor D3 "case paused")" 1
equal "one resumption in D3's dossier" "$(by_rw debtor D3 "case resumed")" 1
run case pause D2 --reason "legal check"; expect_exit 0
expect_out "D2's case is paused until 'owed case resume D2'"
run case resume D2; expect_exit 0
run case pause D2; expect_exit 2; expect_err "reason: a pause needs a reason"

section "an MT940 statement, recognised by its content"
printf '%s\r\n' ':20:MT940-1' ':25:NL91ABNA0417164300EUR' ':28C:00001' ':60F:C260301EUR1000,00' \
	':61:2603020302C20,00NTRFNONREF//B-MT-1' \
	':86:/CNTP/NL02ABNA0123456789/ABNANL2A/Onbekend///REMI/USTD//bestelling 8/' \
	':62F:C260302EUR1020,00' >"$WORK/s2.sta"
api POST '/api/v1/statements?name=s2.sta' "$RW" "@$WORK/s2.sta"
expect_status 201
expect_json .statements 1 .entries 1 .review 1 '.entries_detail[0].amount' 20.00 \
	'.entries_detail[0].date' 2026-03-02 '.entries_detail[0].account' NL91ABNA0417164300
run payment review --json; expect_json '.[0].amount' 20.00 '.[0].iban' NL02ABNA0123456789

section "a statement file larger than other bodies"
# 1.5 MiB: over the 1 MiB every other body may have, under --max-upload (32 MiB by default)
camt "$WORK/s3.xml" S3 1 1020.00 auto "R9;12.00;CRDT;Onbekend;NL02ABNA0123456789;;bestelling 9;;"
{ printf '<!--'; head -c 1572864 /dev/zero | tr '\0' ' '; printf -- '-->\n'; } >>"$WORK/s3.xml"
api POST /api/v1/invoices "$RW" "@$WORK/s3.xml"; expect_problem 413
api POST '/api/v1/statements?name=s3.xml' "$RW" "@$WORK/s3.xml"
expect_status 201; expect_json .statements 1 .entries 1 .review 1 '.entries_detail[0].amount' 12.00

section "the server stops"
kill -TERM "$SPID"; wait "$SPID"; src=$?
equal "serve exits 0" "$src" 0
check "the log names the token of each change" grep -qE '^\{"method":"POST","path":"/api/v1/statements","status":201,"ms":[0-9.]+,"token":"rw"\}$' "$WORK/serve.log"

section "--max-upload"
run serve --max-upload 0; expect_exit 2; expect_err "max-upload: '0' is not a number of MiB \(1 to 1024\)"
camt "$WORK/s4.xml" S4 1 1032.00 auto "R10;5.00;CRDT;Onbekend;NL02ABNA0123456789;;bestelling 10;;"
{ printf '<!--'; head -c 1572864 /dev/zero | tr '\0' ' '; printf -- '-->\n'; } >>"$WORK/s4.xml"
serve_start --max-upload 1
# (not the whole database: this server's dispatcher may try the delivery retried above)
booked() { sqlite3 "$db" "SELECT (SELECT COUNT(*) FROM bank_statement) || ' ' || (SELECT COUNT(*) FROM bank_entry) || ' ' || (SELECT COUNT(*) FROM payment)"; }
before=$(booked)
api POST /api/v1/statements "$RW" "@$WORK/s4.xml"; expect_problem 413
equal "a statement over --max-upload books nothing" "$(booked)" "$before"
kill -TERM "$SPID"; wait "$SPID"

finish
