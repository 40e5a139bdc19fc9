#!/usr/bin/env bash
# dunning.sh -- the daily run end to end: a real SMTP server on 127.0.0.1 receives the
# reminders, their PDF attachments hold the right figures and deadline (pdftotext), a second
# run for the same date sends nothing, payments close cases, disputes keep invoices out of the
# letters, and a run killed in the middle loses nothing and repeats nothing.
. "$(dirname "$0")/lib.sh"

export OWED_HOME=$WORK/home
MAIL=$WORK/mail

# A real SMTP server: tests/support/smtpd.py saves each message as N.eml and N.json.
smtpd_start "$MAIL"
PORT=$SMTP_PORT
trap 'smtpd_stop; rm -rf "$WORK"' EXIT

put "$WORK/owed.conf" <<CONF
return {
  outgoing = "$WORK/out",
  plugins = { email = { url = "smtp://127.0.0.1:$PORT", from = "debiteuren@noordzee.example" } },
  policies = { { tag = "export", policy = "eu-b2b" } },
}
CONF
export OWED_CONF=$WORK/owed.conf

# mail N FIELD: a field of the N-th received mail's summary
mail() {
	"$PYTHON" -c 'import json,sys; m=json.load(open(sys.argv[1])); v=eval("m"+sys.argv[2]); print(v if isinstance(v,str) else json.dumps(v))' \
		"$MAIL/$1.json" "$2"
}
mails() { find "$MAIL" -name '*.json' | wc -l; }

section "a ledger"
run init --name "Groothandel Noordzee BV" --iban NL91ABNA0417164300 --kvk 12345678 \
	--vat NL123456789B01 --address "Havenstraat 1, 1011 AB Amsterdam"
expect_exit 0
run debtor add --number D1 --name "Bakkerij De Korenschoof" --email boekhouding@korenschoof.example \
	--address "Dorpsstraat 12, 1234 AB Ergens"
run invoice add --number F1 --debtor D1 --amount 1210.00 --issue-date 2026-01-05 --due-date 2026-02-04
run debtor add --number D2 --name "Drukkerij Het Anker" --email fin@anker.example
run invoice add --number F2 --debtor D2 --amount 500.00 --issue-date 2026-01-05 --due-date 2026-02-04
run case dispute F2 --reason "levering onvolledig"
expect_exit 0

section "the day before the first reminder: nothing"
run run --date 2026-02-10
expect_exit 0
expect_row D1 "Bakkerij De Korenschoof waiting €1,210.00 2026-02-11"
equal "mails" "$(mails)" 0

section "a dry run explains and writes nothing"
before=$(db_state)
run run --date 2026-02-11 --dry-run
expect_exit 0
expect_out "reminder1: 7 days after the due date 2026-02-04, open 1210.00 EUR"
equal "database unchanged by --dry-run" "$(db_state)" "$before"

section "the first reminder, by e-mail, with the letter attached"
run run --date 2026-02-11
expect_exit 0
expect_out "1 steps, 0 waiting, 0 closed, 0 failed; 1 delivered, 0 to retry"
equal "mails" "$(mails)" 1
equal "to" "$(mail 1 "['to']")" '["boekhouding@korenschoof.example"]'
equal "subject" "$(mail 1 "['subject']")" "Herinnering: openstaande facturen Groothandel Noordzee BV"
check "text names the open amount" grep -q "€ 1.210,00" <<<"$(mail 1 "['text']")"
check "text names the deadline" grep -q "18 februari 2026" <<<"$(mail 1 "['text']")"
equal "attachment" "$(mail 1 "['attachments'][0]['filename']")" "D1-reminder1-nl.pdf"
"$PYTHON" -c 'import json,sys; m=json.load(open(sys.argv[1])); open(sys.argv[2],"wb").write(bytes.fromhex(m["attachments"][0]["data_hex"]))' \
	"$MAIL/1.json" "$WORK/letter.pdf"
PDFTEXT=$(pdftotext -layout "$WORK/letter.pdf" - 2>&1)
check "PDF: the invoice line" grep -qE "F1 +5 januari 2026 +4 februari 2026 +€ 1.210,00 +€ 1.210,00" <<<"$PDFTEXT"
check "PDF: the deadline" grep -q "uiterlijk 18 februari 2026" <<<"$PDFTEXT"
check "PDF: the IBAN" grep -q "NL91ABNA0417164300" <<<"$PDFTEXT"
check "PDF: the recipient" grep -q "Dorpsstraat 12" <<<"$PDFTEXT"
check "disputed F2 is in no letter" bash -c "! grep -q F2 '$MAIL/1.json'"

section "the same date again: nothing new"
run run --date 2026-02-11
expect_exit 0
expect_out "again for this date: 1 cases: 0 steps"
equal "mails" "$(mails)" 1

section "the second reminder waits 14 days after the first"
run run --date 2026-02-24
expect_row D1 "Bakkerij De Korenschoof waiting reminder1 €1,210.00 2026-02-25"
run case list --json
json_select debtor D1
expect_json .next_date 2026-02-25 .step reminder1 .state open
run run --date 2026-02-25
expect_out "reminder2: 14 days after reminder1 on 2026-02-11"
equal "mails" "$(mails)" 2

section "the dossier explains every step"
run dossier debtor D1 --json
expect_json '.[3].kind' step '.[3].payload.step' reminder1 \
	'.[3].payload.reason' "reminder1: 7 days after the due date 2026-02-04, open 1210.00 EUR" \
	'.[3].payload.policy' nl-b2b
check "the letter's content hash is recorded" grep -qE '"letter_sha256":\s*"[0-9a-f]{64}"' <<<"$OUT"

section "payment closes the case"
run payment add --amount 1210.00 --date 2026-03-01 --allocate F1
run run --date 2026-03-02
expect_row D1 "Bakkerij De Korenschoof closed reminder2 €0.00 paid: nothing overdue is open any more"

section "the dispute resolved: F2 is dunned"
run case resolve F2
expect_exit 0
run run --date 2026-03-02
expect_out "^D2 .* step +reminder1"

section "notice of default with costs and interest, then the hand-off to the agency"
run run --date 2026-03-16
expect_out "^D2 .* step +reminder2"
run run --date 2026-03-30
expect_out "^D2 .* step +default +email,letter"
# BIK: 15% of 500.00 = 75.00; interest 6:119a: 500.00 x 10.15% x 53/365 (5 Feb - 30 Mar) = 7.37
run invoice show F2 --json
expect_json .charges 82.37 .open 582.37
run debtor show D2
expect_field "credit hold" "YES: no new credit"
check "the letter went to the print folder" test -n "$(find "$WORK/out/letter" -name 'D2-default-*.pdf')"
run run --date 2026-04-15 --debtor D2
expect_out "^D2 .* waiting"
run run --date 2026-04-16 --debtor D2
expect_out "^D2 .* step +agency"
DOSSIER=$(find "$WORK/out/agency-folder" -name dossier.json | head -1)
check "the agency received a dossier" test -s "$DOSSIER"
equal "dossier: debtor" "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["debtor"]["number"])' "$DOSSIER")" D2
equal "dossier: open with costs" "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["open"])' "$DOSSIER")" 582.37
check "the dossier folder holds the letters' PDFs" test "$(find "$(dirname "$DOSSIER")" -name '*.pdf' | wc -l)" -ge 3
run run --date 2026-04-30 --debtor D2
expect_out "^D2 .* handed off"
run case list
expect_row D2 "Drukkerij Het Anker nl-b2b handed off agency 2026-04-16 2026-03-02"


section "policies: by rule in owed.conf, by the debtor's own choice"
run debtor add --number V1 --name "Export Kunde GmbH" --tags "export,groot" --email ap@kunde.example
run invoice add --number V-1 --debtor V1 --amount 100.00 --issue-date 2026-01-05 --due-date 2026-02-04
run run --date 2026-04-30 --debtor V1 --dry-run --json
expect_json '.cases_detail[0].policy' eu-b2b '.cases_detail[0].step' reminder
run debtor edit V1 --policy nl-b2b
run run --date 2026-04-30 --debtor V1 --dry-run --json
expect_json '.cases_detail[0].policy' nl-b2b '.cases_detail[0].step' reminder1

section "a run killed in the middle loses nothing and repeats nothing"
for i in $(seq 1 200); do
	"$OWED" debtor add --number "K$i" --name "Klant $i" --email "k$i@example.test" >/dev/null
	"$OWED" invoice add --number "K-$i" --debtor "K$i" --amount 100.00 --issue-date 2026-01-05 \
		--due-date 2026-02-04 >/dev/null
done
"$OWED" run --date 2026-03-03 >/dev/null 2>&1 &
RUNNER=$!
sleep 0.5
kill -9 $RUNNER 2>/dev/null
wait $RUNNER 2>/dev/null
run run --date 2026-03-03
expect_exit 0
equal "every K debtor has exactly one reminder1" \
	"$(sqlite3 "$db" "SELECT COUNT(*) FROM case_step s JOIN dunning_case c ON c.id = s.case_id JOIN debtor d ON d.id = c.debtor_id WHERE d.number LIKE 'K%' AND s.step = 'reminder1'")" 200
equal "one letter per step" "$(sqlite3 "$db" "SELECT COUNT(*) FROM letter") " \
	"$(sqlite3 "$db" "SELECT COUNT(*) FROM case_step WHERE step <> 'agency'") "
equal "no delivery queued twice" "$(sqlite3 "$db" "SELECT COUNT(*) - COUNT(DISTINCT idem_key) FROM outbox")" 0
# the letters render in the thread pool, but each step is written in the order of the debtors
K_LETTERS="SELECT l.id, c.debtor_id FROM letter l JOIN dunning_case c ON c.id = l.case_id JOIN debtor d ON d.id = c.debtor_id WHERE d.number LIKE 'K%'"
equal "letters stored out of the order of the debtors" \
	"$(sqlite3 "$db" "SELECT COUNT(*) FROM ($K_LETTERS) a, ($K_LETTERS) b WHERE a.id < b.id AND a.debtor_id > b.debtor_id")" 0
equal "a dossier event per letter" \
	"$(sqlite3 "$db" "SELECT COUNT(*) FROM event e JOIN debtor d ON d.id = e.debtor_id WHERE d.number LIKE 'K%' AND e.kind = 'step'")" 200
equal "nothing left undelivered" "$(sqlite3 "$db" "SELECT COUNT(*) FROM outbox WHERE state <> 'sent'")" 0
# at least once: every key arrived; a repeat is only possible for the one row in flight
received=$("$PYTHON" -c '
import glob, json, collections
ids = collections.Counter()
for f in glob.glob("'"$MAIL"'/*.eml"):
    for line in open(f, errors="replace"):
        if line.lower().startswith("message-id:"):
            ids[line.split(":", 1)[1].strip()] += 1
print(len(ids), sum(n - 1 for n in ids.values()))')
equal "distinct mails received, repeats" "$received" "$(sqlite3 "$db" "SELECT COUNT(*) FROM outbox WHERE channel = 'email'") $(echo "$received" | awk '{print ($2 <= 1) ? $2 : "more than one"}')"

finish
