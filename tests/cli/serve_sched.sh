#!/usr/bin/env bash
# serve_sched.sh -- what `owed serve` runs besides requests: the daily run at 02:30
# Europe/Amsterdam on the night the clocks jump (it fires at the jump, 01:00 UTC, once), a
# server killed in the middle of that run (the next one completes the same run, nothing twice),
# a restart that does not run the day again, POST /api/v1/runs (202, its result as the CLI
# gives it, 409 while one is going), the plan route (answered later: GETs are served while a
# policy of the plan waits on a local HTTP server), GETs answered while a run is "running",
# SIGTERM during a run, and the outbox dispatcher delivering a retried e-mail by itself.  Real
# processes: the server, its child runs, and a real SMTP server (tests/support/smtpd.py) that
# can hold a run at RCPT.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "skipped: no curl"; exit 0; }
[[ -r /usr/share/zoneinfo/Europe/Amsterdam ]] || { echo "skipped: no tzdata"; exit 0; }

export OWED_HOME=$WORK/home
MAIL=$WORK/mail
smtpd_start "$MAIL"
SPID='' HOLDER=''
trap '[[ -n $SPID ]] && kill -9 $SPID 2>/dev/null; [[ -n $HOLDER ]] && kill $HOLDER; rm -f "$MAIL/hold"; smtpd_stop; rm -rf "$WORK"' EXIT
mails() { find "$MAIL" -name '*.json' | wc -l; }

put "$WORK/owed.conf" <<CONF
return {
  outgoing = "$WORK/out",
  plugins = { email = { url = "smtp://127.0.0.1:$SMTP_PORT", from = "debiteuren@noordzee.example" } },
  schedule = { run_at = "02:30", timezone = "Europe/Amsterdam" },
}
CONF
export OWED_CONF=$WORK/owed.conf

section "a ledger"
run init --name "Groothandel Noordzee BV" --iban NL91ABNA0417164300; expect_exit 0
run debtor add --number D1 --name "Bakkerij De Korenschoof" --email bh@korenschoof.example
expect_exit 0
run debtor add --number D2 --name "Drukkerij Het Anker" --email fin@anker.example; expect_exit 0
run invoice add --number F1 --debtor D1 --amount 1210.00 --issue-date 2026-01-30 --due-date 2026-03-01
expect_exit 0
run invoice add --number F2 --debtor D2 --amount 350.00 --issue-date 2026-01-30 --due-date 2026-03-01
expect_exit 0
run token create --name ops --scope write; expect_exit 0; RW=$OUT
run token create --name dash --scope read; expect_exit 0; RO=$OUT

section "configuration"
put "$WORK/bad.conf" <<<'return { schedule = { run_at = "2:30" } }'
run config check --config "$WORK/bad.conf"; expect_exit 3
expect_err "schedule.run_at': expected a local time HH:MM"
put "$WORK/bad.conf" <<<'return { schedule = { run_at = "02:30", timezone = "Europe/Amsterdan" } }'
run config check --config "$WORK/bad.conf"; expect_exit 3
expect_err "schedule.timezone': 'Europe/Amsterdan' is not a time zone"
put "$WORK/bad.conf" <<<'return { schedule = { run_at = "02:30", at = "x" } }'
run config check --config "$WORK/bad.conf"; expect_exit 3; expect_err "unknown key 'schedule.at'"

# start_serve OWED_NOW: a server whose clock starts at that instant (the date follows it:
# OWED_TODAY is not set); PORT its port.
start_serve() {
	: >"$WORK/serve.out"
	env -u OWED_TODAY OWED_NOW="$1" "$OWED" serve --listen 127.0.0.1:0 \
		>"$WORK/serve.out" 2>>"$WORK/serve.log" &
	SPID=$!
	for _ in $(seq 200); do [[ -s $WORK/serve.out ]] && break; sleep 0.05; done
	PORT=$(head -1 "$WORK/serve.out")
}
stop_serve() {
	kill -TERM "$SPID"; wait "$SPID"; local rc=$?
	SPID=''
	equal "serve exits 0 on SIGTERM" "$rc" 0
}

API_TIMEOUT=20          # a request may wait for one of a run's transactions (lib.sh's api)

# until_state ID STATE: waits (up to 60 s, never a timing assertion) for run ID to reach STATE.
until_state() {
	for _ in $(seq 600); do
		api GET "/api/v1/runs/$1" "$RO"
		[[ $STATUS == 200 && $(json .state) == "$2" ]] && return 0
		sleep 0.1
	done
	fail "run $1 reached state $2" "it is: $OUT"
	return 1
}
until_file() { for _ in $(seq 600); do [[ -e $1 ]] && return 0; sleep 0.1; done; return 1; }
jobs_count() { sqlite3 "$db" 'SELECT COUNT(*) FROM run_job'; }
compact() { "$PYTHON" -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read()), sort_keys=True))'; }

section "the scheduled run on 29 March 2026: 02:30 does not exist, it fires at the jump"
# 00:59:58 UTC is 01:59:58 CET; two seconds later the clocks jump to 03:00 CEST.  The SMTP
# server holds the run at its first recipient: the run stays "running" meanwhile.
touch "$MAIL/hold"
start_serve 2026-03-29T00:59:58Z
check "serve prints its port" grep -qE '^[0-9]+$' <<<"$PORT"
api GET /api/v1/runs/1 "$RO"
until_state 1 running
expect_json .date 2026-03-29 .trigger schedule .requested_by scheduler
check "it was queued at the jump or after, never before (created $(json .created))" \
	test "$(json .created)" \> 2026-03-29T00:59:59Z
check "the run reached the SMTP server" until_file "$MAIL/held"

section "while the run is running"
api GET /api/v1/runs/1 "$RO"; expect_status 200; expect_json .state running .result null
api GET /api/v1/invoices/F1 "$RO"; expect_status 200; expect_json .number F1 .open 1210.00
api GET /api/v1/reports/aging "$RO"; expect_status 200
api GET /api/v1/debtors/D2 "$RO"; expect_status 200; expect_json .number D2
api POST /api/v1/runs "$RW" '{"date":"2026-03-30"}'; expect_status 409
expect_json .status 409 .detail "run 1 is running: one run at a time"
api POST /api/v1/runs "$RO" '{}'; expect_status 403
api GET /api/v1/runs/1 "$RO"; expect_json .state running

section "the server is killed in the middle of the run; the next one completes it"
CHILD=$(pgrep -P "$SPID" | head -1)
check "the run is a child process" test -n "$CHILD"
kill -9 "$SPID"; wait "$SPID" 2>/dev/null; SPID=''
for _ in $(seq 100); do kill -0 "$CHILD" 2>/dev/null || break; sleep 0.1; done
check "the run died with its server" bash -c "! kill -0 $CHILD 2>/dev/null"
equal "run 1 is left running" "$(sqlite3 "$db" 'SELECT state FROM run_job WHERE id = 1')" running
equal "its cases were written before it was killed" \
	"$(sqlite3 "$db" 'SELECT COUNT(*) FROM case_step')" 2
equal "nothing was delivered" "$(sqlite3 "$db" "SELECT COUNT(*) FROM outbox WHERE state = 'sent'")" 0
rm -f "$MAIL/hold"
start_serve 2026-03-29T01:00:30Z
until_state 1 finished
expect_json .date 2026-03-29 .trigger schedule .exit_code 0 .result.cases 2 .result.steps 0 \
	.result.delivered 2 .result.delivery_failures 0
check "the log says the run is completed" grep -q 'run 1 was left running by a server that stopped: completing it' "$WORK/serve.log"
equal "runs" "$(jobs_count)" 1
equal "steps (one per case, none twice)" "$(sqlite3 "$db" 'SELECT step FROM case_step ORDER BY id' | paste -sd,)" reminder1,reminder1
equal "the per-date run" "$(sqlite3 "$db" "SELECT date, steps, finished IS NOT NULL FROM run")" "2026-03-29|2|1"
equal "mails received, one per letter" "$(mails)" 2
stop_serve

section "a restart later that day does not run it again"
start_serve 2026-03-29T05:00:00Z
api GET /api/v1/runs/2 "$RO"; expect_status 404
equal "runs" "$(jobs_count)" 1
stop_serve
section "nor does one in the second hour of a day the schedule ran (the local day decides)"
start_serve 2026-03-29T21:59:00Z
api GET /api/v1/runs/2 "$RO"; expect_status 404
equal "runs" "$(jobs_count)" 1
equal "no scheduled run past the run above" "$(sqlite3 "$db" "SELECT COUNT(*) FROM run_job WHERE trigger = 'schedule'")" 1

section "the plan of a date, as owed run --dry-run --json gives it"
api GET "/api/v1/runs/plan?date=2026-04-20" "$RO"; expect_status 200
expect_json .dry_run true .cases 2 .steps 2 '.cases_detail[0].step' reminder2
PLAN=$(compact <<<"$OUT")
run run --dry-run --json --date 2026-04-20; expect_exit 0
equal "the plan is the CLI's" "$PLAN" "$(compact <<<"$OUT")"
api GET "/api/v1/runs/plan?date=2026-04-31" "$RO"; expect_status 422; expect_json .field date
api GET "/api/v1/runs/plan?when=today" "$RO"; expect_status 400
api GET "/api/v1/runs/plan" ""; expect_status 401

section "POST /api/v1/runs: 202, 409 while it runs, then the result the CLI gives"
sqlite3 "$db" ".backup '$WORK/copy.db'"
touch "$MAIL/hold"
api POST /api/v1/runs "$RW" '{"date":"2026-04-20"}' -H 'Idempotency-Key: k1'; expect_status 202
expect_json .id 2 .date 2026-04-20 .trigger api .requested_by ops .result null
check "Location names the run" grep -qi '^location: /api/v1/runs/2' "$WORK/headers"
FIRST=$OUT
check "the run is held at the SMTP server" until_file "$MAIL/held"
api GET /api/v1/runs/2 "$RO"; expect_status 200; expect_json .state running
api GET /api/v1/invoices?open=true "$RO"; expect_status 200; equal "open invoices" "$(json_len .items)" 2
api POST /api/v1/runs "$RW" '{"date":"2026-04-21"}'; expect_status 409
expect_json .detail "run 2 is running: one run at a time"
api POST /api/v1/runs "$RW" '{"date":"2026-04-20"}' -H 'Idempotency-Key: k1'; expect_status 202
equal "a retry with the same key gets the first answer" "$OUT" "$FIRST"
check "... replayed" grep -qi '^idempotent-replayed: true' "$WORK/headers"
rm -f "$MAIL/hold"
until_state 2 finished
expect_json .exit_code 0 .result.cases 2 .result.steps 2 .result.waiting 0 .result.closed 0 \
	.result.failed 0 .result.delivered 2 '.result.cases_detail[1].debtor' D2 \
	'.result.cases_detail[1].step' reminder2
API_RESULT=$("$PYTHON" -c 'import json,sys; r=json.loads(sys.stdin.read())["result"]; print(json.dumps(r, sort_keys=True))' <<<"$OUT")
# the same run by the CLI on a copy of the ledger as it was (letters to a folder, not the SMTP server)
put "$WORK/folder.conf" <<CONF
return { outgoing = "$WORK/out-cli", plugins = { email = { mode = "folder" } } }
CONF
run run --json --date 2026-04-20 --db "$WORK/copy.db" --config "$WORK/folder.conf"; expect_exit 0
equal "the API's result is the CLI's" "$API_RESULT" "$(compact <<<"$OUT")"
equal "mails received" "$(mails)" 4
equal "the dossier names who started the run" \
	"$(sqlite3 "$db" "SELECT actor || ' ' || kind FROM event WHERE entity = 'run' AND entity_id = 2 ORDER BY id" | paste -sd,)" \
	"ops run-queued,ops run-started,ops run-finished"
api GET /api/v1/runs/99 "$RO"; expect_status 404
api GET /api/v1/runs/x "$RO"; expect_status 404
api POST /api/v1/runs "$RW" '{"date":"someday"}'; expect_status 422; expect_json .field date
api POST /api/v1/runs "$RW" '{"debtor":"D1"}'; expect_status 422; expect_json .field debtor
api POST /api/v1/runs "$RW" '[1]'; expect_status 400
equal "no run was queued by refused requests" "$(jobs_count)" 2
stop_serve

section "a server started after 02:30 catches up the day's run; the dispatcher delivers a retry"
# the SMTP server answers 451 during the run: the notices of default wait in the outbox for
# their retry, a minute later; a server started past that minute delivers them with no command
touch "$MAIL/refuse"
start_serve 2026-05-10T08:00:00Z
until_state 3 finished
expect_json .date 2026-05-10 .trigger schedule .result.steps 2 .result.delivered 2 \
	.result.delivery_failures 2 '.result.cases_detail[0].step' default
equal "the e-mails wait for their retry" \
	"$(sqlite3 "$db" "SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND state = 'pending' AND attempts = 1")" 2
stop_serve
rm -f "$MAIL/refuse"
before=$(mails)
start_serve 2026-05-10T08:01:30Z
for _ in $(seq 600); do [[ $(mails) -ge $((before + 2)) ]] && break; sleep 0.1; done
equal "mails received, by the dispatcher" "$(mails)" $((before + 2))
for _ in $(seq 100); do grep -q 'outbox: 2 delivered' "$WORK/serve.log" && break; sleep 0.1; done
check "the log says the dispatcher delivered them" grep -q 'serve: outbox: 2 delivered, 0 to retry' "$WORK/serve.log"
equal "every delivery is sent" "$(sqlite3 "$db" "SELECT state, COUNT(*) FROM outbox GROUP BY state")" "sent|$(sqlite3 "$db" 'SELECT COUNT(*) FROM outbox')"
equal "no run was started for it" "$(jobs_count)" 3
stop_serve

section "SIGTERM during a run: the server stops at once, the next start completes the run"
run debtor add --number D3 --name "Slagerij Vos" --email vos@slagerij.example; expect_exit 0
run invoice add --number F3 --debtor D3 --amount 80.00 --issue-date 2026-04-15 --due-date 2026-05-15
expect_exit 0
touch "$MAIL/hold"
before=$(mails)
start_serve 2026-05-24T09:00:00Z
until_state 4 running
expect_json .trigger schedule .date 2026-05-24
check "the run is held at the SMTP server" until_file "$MAIL/held"
stop_serve
equal "run 4 is left running" "$(sqlite3 "$db" 'SELECT state FROM run_job WHERE id = 4')" running
check "the log says so" grep -q 'run 4 stopped with the server; the next start completes it' "$WORK/serve.log"
rm -f "$MAIL/hold"
start_serve 2026-05-24T09:05:00Z
until_state 4 finished
expect_json .result.delivered 1 .result.delivery_failures 0
equal "D3's steps" "$(sqlite3 "$db" "SELECT s.step FROM case_step s JOIN dunning_case c ON c.id = s.case_id JOIN debtor d ON d.id = c.debtor_id WHERE d.number = 'D3'")" reminder1
equal "mails received: D3's reminder, once" "$(mails)" $((before + 1))
equal "runs" "$(jobs_count)" 4
stop_serve

section "a plan is answered later: the server serves other requests meanwhile"
# a policy that asks a local HTTP server before deciding, which holds its answer while
# $WORK/hold-http exists: the plan's child waits there, the server goes on serving
put "$WORK/plugins/slow-plan/manifest.lua" <<'LUA'
return {
  name = "slow-plan", version = "1.0.0", api_version = 1, kinds = { "policy" },
  description = "Asks a local server before deciding (serve_sched.sh holds a plan with it).",
  config = { url = { type = "string", required = true, description = "where to ask" } },
  needs = { hosts = { "127.0.0.1" } },
}
LUA
put "$WORK/plugins/slow-plan/init.lua" <<'LUA'
local dunning = require("owed.dunning")
return dunning.policy {
  name = "slow-plan", country = "NL",
  steps = { { "reminder1", after_due = 7, letter = "herinnering", by = "email", deadline_days = 7 } },
  skip = function(case) assert(owed.http.get(owed.config.url, { timeout = 60000 })); return false end,
}
LUA
touch "$WORK/hold-http"
"$PYTHON" - "$WORK" >"$WORK/http.port" <<'PY' &
import http.server, os, sys, time
work = sys.argv[1]
class Hold(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(os.path.join(work, "asked"), "w").close()
        while os.path.exists(os.path.join(work, "hold-http")):
            time.sleep(0.05)
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hold)
print(srv.server_address[1], flush=True)
srv.serve_forever()
PY
HOLDER=$!
for _ in $(seq 100); do [[ -s $WORK/http.port ]] && break; sleep 0.1; done
put "$WORK/owed.conf" <<CONF
return {
  outgoing = "$WORK/out",
  plugin_path = { "$WORK/plugins" },
  plugins = { email = { url = "smtp://127.0.0.1:$SMTP_PORT", from = "debiteuren@noordzee.example" },
              ["slow-plan"] = { url = "http://127.0.0.1:$(cat "$WORK/http.port")/" } },
  schedule = { run_at = "02:30", timezone = "Europe/Amsterdam" },
}
CONF
run debtor add --number D4 --name "Wachtmaar BV" --policy slow-plan; expect_exit 0
run invoice add --number F4 --debtor D4 --amount 99.00 --issue-date 2026-04-01 --due-date 2026-05-01
expect_exit 0
start_serve 2026-05-24T10:00:00Z
curl -s -o "$WORK/plan.json" -w '%{http_code}' -H "Authorization: Bearer $RO" \
	"http://127.0.0.1:$PORT/api/v1/runs/plan?date=2026-05-24" >"$WORK/plan.status" &
PLAN=$!
check "the plan's policy is asking" until_file "$WORK/asked"
api GET /api/v1/invoices/F4 "$RO"; expect_status 200; expect_json .open 99.00
api GET /api/v1/runs/4 "$RO"; expect_status 200; expect_json .state finished
check "... while the plan is still waiting" kill -0 "$PLAN"
rm -f "$WORK/hold-http"
wait "$PLAN"
equal "the plan's status" "$(cat "$WORK/plan.status")" 200
OUT=$(cat "$WORK/plan.json")
OUT=$("$PYTHON" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["cases_detail"]))' "$WORK/plan.json")
json_select debtor D4
expect_json .outcome step .step reminder1 .policy slow-plan
equal "the plan wrote nothing" "$(sqlite3 "$db" "SELECT COUNT(*) FROM dunning_case c JOIN debtor d ON d.id = c.debtor_id WHERE d.number = 'D4'")" 0
stop_serve
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null; HOLDER=''

section "owed run --batch, as the server's runs use it"
refuse 2 "batch:" "'0'" -- run --batch 0
refuse 2 "batch:" "'lots'" -- run --batch lots
run run --batch 1 --date 2026-05-24 --debtor D3 --json; expect_exit 0; expect_json .steps 0 .cases 1

section "owed outbox --dispatch, the dispatcher's command"
run outbox --dispatch; expect_exit 0; expect_line "0 delivered, 0 to retry"
run outbox --dispatch --json; expect_exit 0; expect_json .delivered 0 .delivery_failures 0

section "two clients write invoices and payments while a run is running; the ledger holds"
# The day's run (caught up as the server starts after 02:30) is held at the SMTP server, so it
# stays "running", while two clients each post 15 invoices and a payment for each; every
# request is answered 201, and after the run has finished every invariant of the ledger holds.
rm -f "$MAIL/held"
touch "$MAIL/hold"
start_serve 2026-06-07T10:00:00Z
check "the day's run is held at the SMTP server" until_file "$MAIL/held"
RUN=$(sqlite3 "$db" 'SELECT MAX(id) FROM run_job')
until_state "$RUN" running
expect_json .date 2026-06-07 .trigger schedule
write_many() {
	local n cents
	for n in $(seq 1 15); do
		cents=$(printf '%02d' "$n")
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 -H "Authorization: Bearer $RW" \
			-H 'Content-Type: application/json' --data-binary \
			"{\"number\":\"W$1-$n\",\"debtor\":\"D$2\",\"amount\":\"10.$cents\",\"issue_date\":\"2026-05-28\"}" \
			"http://127.0.0.1:$PORT/api/v1/invoices"
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 -H "Authorization: Bearer $RW" \
			-H 'Content-Type: application/json' --data-binary \
			"{\"debtor\":\"D$2\",\"amount\":\"10.00\",\"date\":\"2026-05-28\",\"allocations\":[{\"invoice\":\"W$1-$n\"}]}" \
			"http://127.0.0.1:$PORT/api/v1/payments"
	done >"$WORK/codes.$1"
}
write_many a 1 & A=$!
write_many b 2 & B=$!
wait $A $B
equal "every write during the run was answered 201" \
	"$(sort "$WORK/codes.a" "$WORK/codes.b" | uniq -c | awk '{$1=$1}1')" "60 201"
api GET "/api/v1/runs/$RUN" "$RO"; expect_json .state running
rm -f "$MAIL/hold"
until_state "$RUN" finished
stop_serve
q() { sqlite3 "$db" "$1"; }
equal "the 30 invoices, 0.01 to 0.15 of each left open" \
	"$(q "SELECT COUNT(*), SUM(open_minor) FROM invoice WHERE number LIKE 'W%'")" "30|240"
equal "30 payments of 10.00, all allocated" \
	"$(q "SELECT COUNT(*), SUM(amount_minor), SUM(unallocated_minor) FROM payment WHERE date = '2026-05-28'")" "30|30000|0"
equal "every invoice's open amount is its amount less what is paid, credited and written off" \
	"$(q "SELECT COUNT(*) FROM invoice WHERE open_minor <> amount_minor + charges_minor - allocated_minor - credited_minor - written_off_minor")" 0
equal "every invoice's allocated amount is the sum of its live allocations" \
	"$(q "SELECT COUNT(*) FROM invoice i WHERE allocated_minor <> (SELECT COALESCE(SUM(amount_minor), 0) FROM allocation a WHERE a.invoice_id = i.id AND a.reversed IS NULL)")" 0
equal "every payment's unallocated amount is its amount less its live allocations and returns" \
	"$(q "SELECT COUNT(*) FROM payment p WHERE unallocated_minor <> amount_minor - returned_minor - (SELECT COALESCE(SUM(amount_minor), 0) FROM allocation a WHERE a.payment_id = p.id AND a.reversed IS NULL)")" 0
run report aging --json; expect_exit 0
equal "the aging report adds up to what is open" "$(json '.currencies[0].total' | tr -d .)" \
	"$(q "SELECT SUM(open_minor) FROM invoice WHERE open_minor > 0")"
equal "each write is one dossier event naming its token" \
	"$(q "SELECT (SELECT COUNT(*) FROM event WHERE actor = 'ops' AND kind = 'created' AND invoice_id IN (SELECT id FROM invoice WHERE number LIKE 'W%')) || '|' || (SELECT COUNT(*) FROM event WHERE actor = 'ops' AND entity = 'payment' AND kind = 'received' AND entity_id IN (SELECT id FROM payment WHERE date = '2026-05-28'))")" "30|30"

finish
