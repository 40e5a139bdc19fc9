#!/usr/bin/env bash
# serve_hooks.sh -- partner webhooks through `owed serve` over real HTTP on 127.0.0.1:
# plugins/psp-webhook booking a signed payment once (duplicates, bad signatures, stale
# timestamps, malformed bodies refused, nothing booked); plugins reloaded when their files
# change and on SIGHUP, a broken version never replacing a working one, a request in flight
# finishing on the version it began on; refused tokens rate-limited; the request log in a file.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "skipped: no curl"; exit 0; }

export OWED_HOME=$WORK/home OWED_SECRET_PSP_WEBHOOK_SECRET=whsec_cli
run init --name "Acme BV"; expect_exit 0
run debtor add --number D1 --name "Jansen BV"; expect_exit 0
run invoice add --number F1 --debtor D1 --amount 123.45 --issue-date 2026-02-01; expect_exit 0
run token create --name ro --scope read; expect_exit 0
RO=$OUT

# A plugin of the user's own: its answer names its version; /wait/<port> first waits on a
# partner, so a request can be held in flight while the plugin changes.
ECHO=$OWED_HOME/plugins/echo-hook
mkdir -p "$ECHO"
cat >"$ECHO/manifest.lua" <<'LUA'
return { name = "echo-hook", version = "1.0.0", api_version = 1, kinds = { "connector" },
         description = "Answers webhooks with its version.", config = {},
         needs = { hosts = { "127.0.0.1" }, secrets = {} } }
LUA
echo_version() {   # VERSION [BROKEN]: writes init.lua
	cat >"$ECHO/init.lua.new" <<LUA
local M = {}
function M.webhook(req)
  local port = req.path:match("^/wait/(%d+)\$")
  if port then owed.http.get("http://127.0.0.1:" .. port .. "/") end
  if req.path == "/fail" then error("the plugin fails here") end
  return { status = 200, body = "$1 " .. req.path .. " " .. req.headers["x-partner"] }
end
return M ${2-}
LUA
	mv "$ECHO/init.lua.new" "$ECHO/init.lua"
}
echo_version v1

"$OWED" serve --listen 127.0.0.1:0 --log "$WORK/requests.log" >"$WORK/serve.out" \
	2>"$WORK/serve.err" &
SPID=$!
for _ in $(seq 100); do [[ -s $WORK/serve.out ]] && break; sleep 0.05; done
PORT=$(head -1 "$WORK/serve.out")
check "serve prints the chosen port first" grep -qE '^[0-9]+$' <<<"$PORT"

# post PATH BODY [CURL-ARGS...]: STATUS, and OUT the response body.
post() {
	local p=$1 body=$2
	shift 2
	LAST="POST $p" RUNS=$((RUNS + 1))
	STATUS=$(curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' --max-time 20 \
	         -H 'Expect:' --data-binary "$body" "$@" "http://127.0.0.1:$PORT$p")
	OUT=$(cat "$WORK/body") ERR='' RC=$STATUS
}
expect_status() { equal "$LAST status" "$STATUS" "$1"; }
# sign T BODY [SECRET]: the psp-signature header's value
sign() {
	"$PYTHON" -c 'import hmac, hashlib, sys
t, body, key = sys.argv[1], sys.argv[2], sys.argv[3]
print("t=%s,v1=%s" % (t, hmac.new(key.encode(), (t + "." + body).encode(), hashlib.sha256).hexdigest()))' \
		"$1" "$2" "${3-whsec_cli}"
}
payments() { sqlite3 "$db" 'SELECT count(*) || " " || group_concat(amount_minor) FROM payment'; }
event() {   # ID INVOICE CENTS
	printf '{"id":"%s","type":"payment.succeeded","data":{"invoice":"%s","amount":%s,"currency":"EUR","date":"2026-03-20","payer":"Jansen BV"}}' "$1" "$2" "$3"
}

section "a signed payment is booked once, with the exact amount"
now=$(date +%s)
body=$(event evt_1 F1 12345)
post /hooks/psp-webhook/events "$body" -H "psp-signature: $(sign "$now" "$body")"
expect_status 200; expect_json .received true .payment 1
run invoice show F1 --json; expect_exit 0; expect_json .open 0.00 .status paid
equal "one payment of 123.45" "$(payments)" "1 12345"
run dossier invoice F1; expect_exit 0
check "the dossier names the plugin" grep -qE 'plugin:psp-webhook +invoice allocated' <<<"$OUT"
post /hooks/psp-webhook/events "$body" -H "psp-signature: $(sign "$now" "$body")"
expect_status 200; expect_json .duplicate true
equal "the same event again books nothing" "$(payments)" "1 12345"
equal "the event id is kept once" "$(sqlite3 "$db" 'SELECT plugin, event_id FROM webhook_event')" \
	"psp-webhook|evt_1"

section "what is not the partner's, or not an event, books nothing"
run invoice add --number F2 --debtor D1 --amount 50.00 --issue-date 2026-02-01; expect_exit 0
body=$(event evt_2 F2 5000)
post /hooks/psp-webhook/events "$body" -H "psp-signature: $(sign "$now" "$body" whsec_other)"
expect_status 401; expect_json .error "the signature does not match"
post /hooks/psp-webhook/events "$body"
expect_status 401; expect_json .error "no psp-signature header"
post /hooks/psp-webhook/events "${body/5000/9999}" -H "psp-signature: $(sign "$now" "$body")"
expect_status 401
stale=$((now - 1000))
post /hooks/psp-webhook/events "$body" -H "psp-signature: $(sign "$stale" "$body")"
expect_status 401
expect_json .error "the signed timestamp is more than 300 seconds from now (a replay?)"
post /hooks/psp-webhook/events '{"id":' -H "psp-signature: $(sign "$now" '{"id":')"
expect_status 400; expect_json .error "the body is not a JSON event"
post /hooks/psp-webhook/events "$(event evt_3 F9 100)" \
	-H "psp-signature: $(sign "$now" "$(event evt_3 F9 100)")"
expect_status 422
equal "nothing was booked" "$(payments)" "1 12345"
equal "no event id was kept for them" "$(sqlite3 "$db" 'SELECT count(*) FROM webhook_event')" 1
post /hooks/nope/x '{}'; expect_status 404
check "404 is a problem object" grep -qi '^content-type: application/problem+json' "$WORK/headers"
post /hooks/email/x '{}'; expect_status 404          # a plugin, but no connector
post /hooks/sepa-dd/x '{}'; expect_status 404        # a connector without a webhook hook
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/hooks/psp-webhook/x")
LAST="GET /hooks/psp-webhook/x"; expect_status 405
post /hooks/echo-hook/fail '' -H 'X-Partner: p'; expect_status 500
check "the plugin's failure is on stderr" grep -q 'the plugin fails here' "$WORK/serve.err"
body=$(event evt_2 F2 5000)
post /hooks/psp-webhook/events "$body" -H "psp-signature: $(sign "$now" "$body")"
expect_status 200
equal "the server stayed up, and the good event is booked" "$(payments)" "2 12345,5000"

section "plugins reload when their files change"
# poll PATH WANT: posts until the answer is WANT (at most 30 s; no timing is asserted)
poll() {
	for _ in $(seq 300); do
		post "$1" '' -H 'X-Partner: p'
		[[ $OUT == "$2" ]] && break
		sleep 0.1
	done
	equal "POST $1 answers" "$OUT" "$2"
}
poll /hooks/echo-hook/a "v1 /a p"
echo_version v2
poll /hooks/echo-hook/a "v2 /a p"
check "the reload is on stderr" grep -q '^serve: plugin echo-hook reloaded$' "$WORK/serve.err"
echo_version v3 'syntax error here'
for _ in $(seq 300); do grep -q 'echo-hook not reloaded' "$WORK/serve.err" && break; sleep 0.1; done
check "a broken version says why and is not loaded" \
	grep -qE '^serve: plugin echo-hook not reloaded: .*init.lua.*\(the previous version keeps running\)' \
	"$WORK/serve.err"
post /hooks/echo-hook/a '' -H 'X-Partner: p'; expect_status 200
equal "the previous version still answers" "$OUT" "v2 /a p"

section "a request in flight finishes on the version it began on"
# a partner that answers only when the gate file is there
"$PYTHON" - "$WORK" >"$WORK/gate.port" <<'PY' &
import os, socket, sys, time
work = sys.argv[1]
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
c.recv(65536)
open(os.path.join(work, "gate.arrived"), "w").close()
for _ in range(600):
    if os.path.exists(os.path.join(work, "gate.open")):
        break
    time.sleep(0.1)
c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
c.close()
PY
GPID=$!
for _ in $(seq 100); do [[ -s $WORK/gate.port ]] && break; sleep 0.05; done
echo_version v4
poll /hooks/echo-hook/a "v4 /a p"
curl -s --max-time 60 -H 'X-Partner: p' --data-binary '' \
	"http://127.0.0.1:$PORT/hooks/echo-hook/wait/$(cat "$WORK/gate.port")" >"$WORK/inflight" &
CPID=$!
for _ in $(seq 300); do [[ -e $WORK/gate.arrived ]] && break; sleep 0.1; done
check "the request is waiting on its partner" test -e "$WORK/gate.arrived"
echo_version v5
poll /hooks/echo-hook/a "v5 /a p"
touch "$WORK/gate.open"
wait "$CPID"; wait "$GPID"
equal "the request in flight was answered by the version it began on" \
	"$(cat "$WORK/inflight")" "v4 /wait/$(cat "$WORK/gate.port") p"

section "SIGHUP reloads the plugins and reopens the log"
before=$(grep -c '^serve: plugin echo-hook reloaded$' "$WORK/serve.err")
mv "$WORK/requests.log" "$WORK/requests.log.1"
kill -HUP "$SPID"
for _ in $(seq 300); do
	[[ $(grep -c '^serve: plugin echo-hook reloaded$' "$WORK/serve.err") -gt $before ]] && break
	sleep 0.1
done
check "SIGHUP is on stderr" grep -q '^serve: SIGHUP, reopening the log and reloading the plugins$' "$WORK/serve.err"
check "SIGHUP reloaded the loaded plugins" \
	test "$(grep -c '^serve: plugin echo-hook reloaded$' "$WORK/serve.err")" -gt "$before"
check "psp-webhook too" grep -q '^serve: plugin psp-webhook reloaded$' "$WORK/serve.err"
post /hooks/echo-hook/after-hup '' -H 'X-Partner: p'; expect_status 200
check "after SIGHUP the log is written at its path again" \
	grep -qE '^\{"method":"POST","path":"/hooks/echo-hook/after-hup","status":200,"ms":[0-9.]+,"token":"-"\}$' \
	"$WORK/requests.log"
check "... and not in the moved file" bash -c "! grep -q after-hup '$WORK/requests.log.1'"

section "the request log goes to the --log file"
check "a webhook's line" grep -qE '^\{"method":"POST","path":"/hooks/psp-webhook/events","status":200,"ms":[0-9.]+,"token":"-"\}$' "$WORK/requests.log.1"
check "a refused webhook's line" grep -qE '"path":"/hooks/nope/x","status":404' "$WORK/requests.log.1"
check "no request line on stderr" bash -c "! grep -q '^{\"method\"' '$WORK/serve.err'"

section "refused tokens are rate-limited per address"
api_get() {   # TOKEN: STATUS of GET /api/v1/debtors/D1
	LAST="GET /api/v1/debtors/D1" RUNS=$((RUNS + 1))
	STATUS=$(curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' --max-time 10 \
	         -H "Authorization: Bearer $1" "http://127.0.0.1:$PORT/api/v1/debtors/D1")
	OUT=$(cat "$WORK/body") RC=$STATUS
}
api_get "$RO"; expect_status 200
codes=''
for i in $(seq 20); do api_get "owed_wrong$i"; codes+="$STATUS "; done
equal "20 wrong tokens are each refused" "$(echo $codes | tr ' ' '\n' | sort | uniq -c | awk '{$1=$1}1')" "20 401"
api_get "owed_wrong21"; expect_status 429
retry=$(grep -i '^retry-after:' "$WORK/headers" | tr -dc '0-9')
check "Retry-After is the rest of the minute ($retry s)" test "${retry:-0}" -ge 1 -a "${retry:-0}" -le 60
expect_json .status 429
api_get "$RO"; expect_status 429          # no token is looked at meanwhile
body=$(event evt_4 F2 1)
post /hooks/psp-webhook/events "$body" -H "psp-signature: $(sign "$(date +%s)" "$body")"
equal "webhooks carry no token and are not limited: status" "$STATUS" 200

section "the server stops on SIGTERM"
kill -TERM "$SPID"
wait "$SPID"; src=$?
equal "serve exits 0 on SIGTERM" "$src" 0
check "stopped" grep -q '^serve: stopped$' "$WORK/serve.err"

finish
