#!/usr/bin/env bash
# serve.sh -- `owed serve` and `owed token`: a real server on 127.0.0.1 with a free port,
# driven with curl (and Python's sockets for requests that trickle or stall): every route, the
# auth and scope matrix, problems, pagination, idempotency, limits, graceful shutdown.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "skipped: no curl"; exit 0; }

run init --name "Acme BV"; expect_exit 0
run debtor add --number D1 --name "Jansen BV"; expect_exit 0

section "tokens"
run token create --name ro --scope read; expect_exit 0; expect_out '^owed_[0-9a-f]{64}$'
RO=$OUT
run token create --name rw --scope write; expect_exit 0
RW=$OUT
run token create --name old --scope admin; expect_exit 0
OLD=$OUT
run token create --name rw --scope read; expect_exit 4; expect_err "name: a token named 'rw'"
run token create --name x --scope root; expect_exit 3; expect_err "scope: 'root' is not a scope"
run token create --scope read; expect_exit 2; expect_err "name: a token name is required"
run token revoke old; expect_exit 0
run token revoke old; expect_exit 3; expect_err "name: no live token named 'old'"
run token list; expect_exit 0; expect_out '^ro +read +2026-'; expect_out '^old +admin +[0-9TZ:-]+ +[0-9]{4}-' 
check "token list never shows a secret" bash -c "! grep -q owed_ <<<'$OUT'"
run token list --json; expect_exit 0; expect_json '.[0].name' old '.[0].scope' admin
check "no secret is stored" bash -c "! sqlite3 '$db' 'SELECT hash FROM api_token' | grep -q '${RO#owed_}'"

section "serve"
run serve --listen nowhere; expect_exit 2; expect_err "listen: 'nowhere' is not HOST:PORT"
serve_start --read-timeout 1500
check "serve prints the chosen port first" grep -qE '^[0-9]+$' <<<"$PORT"

section "auth and scope"
for route in "GET /api/v1/debtors/D1" "GET /api/v1/invoices/F1" "GET /api/v1/invoices" \
             "GET /api/v1/payments/review" "GET /api/v1/reports/aging" \
             "POST /api/v1/debtors" "POST /api/v1/invoices"; do
	set -- $route
	api "$1" "$2" ""; expect_problem 401
	check "$1 $2: WWW-Authenticate" grep -qi '^www-authenticate: bearer' "$WORK/headers"
	api "$1" "$2" "owed_0000"; expect_problem 401
	api "$1" "$2" "$OLD"; expect_problem 401        # revoked
	if [[ $1 == POST ]]; then
		api "$1" "$2" "$RO" '{"number":"Z9","name":"No","debtor":"D1","amount":"1.00"}'
		expect_problem 403
	fi
done
run invoice show Z9; expect_exit 3
run debtor show Z9; expect_exit 3

section "routes"
api GET /api/v1/debtors/D1 "$RO"; expect_status 200; expect_json .number D1 .name "Jansen BV"
api GET /api/v1/debtors/NOPE "$RO"; expect_problem 404
api POST /api/v1/debtors "$RW" '{"number":"D2","name":"Pietersen","credit_limit":"500.00"}'
expect_status 201; expect_json .number D2 .credit_limit 500.00
api POST /api/v1/debtors "$RW" '{"number":"D2","name":"Again"}'; expect_problem 409
api POST /api/v1/invoices "$RW" '{"number":"F1","debtor":"D1","amount":"1234.56","vat":"214.26","issue_date":"2026-01-10","due_date":"2026-02-09"}'
expect_status 201; expect_json .number F1 .amount 1234.56 .open 1234.56 .due_date 2026-02-09
api GET /api/v1/invoices/F1 "$RO"; expect_status 200; expect_json .number F1 .debtor D1
api GET /api/v1/invoices/NOPE "$RO"; expect_problem 404
api GET /api/v1/payments/review "$RO"; expect_status 200; expect_json '.items' '[]'
api GET /api/v1/reports/aging "$RO"; expect_status 200; expect_json '.currencies[0].total' 1234.56
api GET /api/v1/nothing "$RO"; expect_problem 404
api DELETE /api/v1/invoices/F1 "$RW"; expect_problem 405
run dossier invoice F1; expect_exit 0
check "the dossier names the token" grep -qE ' rw +invoice created' <<<"$OUT"
run dossier debtor D2; expect_exit 0; expect_events "debtor created"
check "the debtor's dossier names the token" grep -qE ' rw +debtor created' <<<"$OUT"

section "bad input"
api POST /api/v1/invoices "$RW" '{"number":"F2","debtor":'; expect_problem 400
api POST /api/v1/invoices "$RW" '[1,2]'; expect_problem 400
api POST /api/v1/invoices "$RW" '{"number":"F2","debtor":"D1","amount":12.5}'; expect_problem 422 amount
api POST /api/v1/invoices "$RW" '{"number":"F2","debtor":"D1"}'; expect_problem 400 amount
api POST /api/v1/invoices "$RW" '{"number":"F2","debtor":"D1","amount":"12,3x"}'; expect_problem 422 amount
api POST /api/v1/invoices "$RW" '{"number":"F2","debtor":"D1","amount":"1.00","colour":"red"}'
expect_problem 422 colour
api POST /api/v1/invoices "$RW" '{"number":"F2","debtor":"D1","amount":"1.00","due_date":"2026-02-30"}'
expect_problem 422 due_date
api POST /api/v1/invoices "$RW" '{"number":"F2","debtor":"NOPE","amount":"1.00"}'; expect_problem 422 debtor
api POST /api/v1/invoices "$RW" '{"number":"F1","debtor":"D1","amount":"1.00"}'; expect_problem 409
api GET '/api/v1/invoices?colour=red' "$RO"; expect_problem 400 colour
api GET '/api/v1/invoices?limit=0' "$RO"; expect_problem 400 limit
api GET '/api/v1/invoices?cursor=%%%' "$RO"; expect_problem 400 cursor
head -c 1100000 /dev/zero | tr '\0' 'a' >"$WORK/big"
api POST /api/v1/invoices "$RW" "@$WORK/big"; expect_problem 413
api GET /api/v1/debtors/D1 "$RO" "" -H "X-Padding: $(head -c 20000 /dev/zero | tr '\0' 'p')"
expect_problem 431
api GET /api/v1/debtors/D1 "$RO" "" -H 'Connection: close'; expect_status 200
run invoice list --json; expect_exit 0
equal "nothing was booked by the refusals" "$(json_len .)" 1

section "pagination"
for i in 01 02 03 04 05 06 07; do
	api POST /api/v1/invoices "$RW" "{\"number\":\"P$i\",\"debtor\":\"D2\",\"amount\":\"10.00\",\"issue_date\":\"2026-01-$i\",\"due_date\":\"2026-02-0$((10#$i % 3 + 1))\"}"
	expect_status 201
done
all='' cursor='' pages=0
while :; do
	api GET "/api/v1/invoices?debtor=D2&open=true&limit=3${cursor:+&cursor=$cursor}" "$RO"
	[[ $STATUS == 200 ]] || { expect_status 200; break; }
	pages=$((pages + 1))
	all+=$(json '.items' | "$PYTHON" -c 'import json,sys; print(" ".join(i["number"] for i in json.load(sys.stdin)))')' '
	cursor=$(json .next)
	[[ $cursor == null ]] && break
	[[ $pages -gt 5 ]] && break
done
equal "pages of 3 over 7 invoices" "$pages" 3
run invoice list --debtor D2 --open
equal "every invoice once, in the CLI's order" "$(echo $all)" \
	"$(awk 'NR > 1 { print $1 }' <<<"$OUT" | paste -sd ' ')"

section "idempotency"
body='{"number":"K1","debtor":"D1","amount":"50.00"}'
api POST /api/v1/invoices "$RW" "$body" -H 'Idempotency-Key: key-1'; expect_status 201
first=$OUT
api POST /api/v1/invoices "$RW" "$body" -H 'Idempotency-Key: key-1'; expect_status 201
equal "a retry returns the first response" "$OUT" "$first"
check "a retry says it is one" grep -qi '^idempotent-replayed: true' "$WORK/headers"
api POST /api/v1/invoices "$RW" '{"number":"K2","debtor":"D1","amount":"50.00"}' \
	-H 'Idempotency-Key: key-1'
expect_problem 422 Idempotency-Key
run invoice show K2; expect_exit 3
run dossier invoice K1; expect_exit 0; expect_events "invoice created"

section "requests that trickle or stall (read deadline 1.5 s)"
"$PYTHON" - "$PORT" "$RO" >"$WORK/slow" 2>&1 <<'PY'
import socket, sys, time
port, token = int(sys.argv[1]), sys.argv[2]
req = ("GET /api/v1/reports/aging HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
       "Connection: close\r\n\r\n" % token).encode()
s = socket.create_connection(("127.0.0.1", port))
for b in req:                      # about 0.8 s in all, under the deadline
    s.send(bytes([b]))
    time.sleep(0.005)
s.settimeout(5)
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print("trickle:", data.split(b"\r\n", 1)[0].decode())
s = socket.create_connection(("127.0.0.1", port))
s.send(req[:30])
s.settimeout(6)
t0 = time.time()
try:
    got = s.recv(65536)
except ConnectionResetError:
    got = b""
print("stall:", "closed" if got == b"" else "answered " + repr(got[:20]),
      "after %.1f s" % (time.time() - t0))
PY
check "a request trickling in under the deadline is served" \
	grep -q '^trickle: HTTP/1.1 200 OK' "$WORK/slow"
check "a request stalling past the deadline is closed" grep -qE '^stall: closed after [12]\.' "$WORK/slow"

section "keep-alive"
api GET /api/v1/debtors/D1 "$RO" -o /dev/null --next -s -o "$WORK/body2" -H "Authorization: Bearer $RO" "http://127.0.0.1:$PORT/api/v1/invoices/F1"
check "two requests on one connection" grep -q '"number":"F1"' "$WORK/body2"

section "pipelining, a chunked body over the limit, a port in use"
"$PYTHON" - "$PORT" "$RO" >"$WORK/pipe" 2>&1 <<'PY'
import socket, sys
port, token = int(sys.argv[1]), sys.argv[2]
one = "GET /api/v1/invoices/%s HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n%s\r\n"
s = socket.create_connection(("127.0.0.1", port))
s.sendall((one % ("F1", token, "") + one % ("K1", token, "Connection: close\r\n")).encode())
s.settimeout(5)
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print("responses:", data.count(b"HTTP/1.1 200 OK"), b'"number":"F1"' in data, b'"number":"K1"' in data)
PY
equal "two pipelined requests, two answers in order" "$(cat "$WORK/pipe")" "responses: 2 True True"
api POST /api/v1/invoices "$RW" "@$WORK/big" -H 'Transfer-Encoding: chunked'; expect_problem 413
run serve --listen "127.0.0.1:$PORT"; expect_exit 5; expect_err "listen: 127.0.0.1:$PORT: address already in use"

section "two clients at once"
post_many() {
	for n in $(seq 1 20); do
		curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $RW" \
			-H 'Content-Type: application/json' \
			--data-binary "{\"number\":\"C$1-$n\",\"debtor\":\"D1\",\"amount\":\"1.01\"}" \
			"http://127.0.0.1:$PORT/api/v1/invoices"
	done >"$WORK/codes.$1"
}
post_many a & A=$!
post_many b & B=$!
wait $A $B
equal "every concurrent POST created one invoice" "$(sort "$WORK/codes.a" "$WORK/codes.b" | uniq -c | awk '{$1=$1}1')" "40 201"
run invoice list --json --debtor D1; expect_exit 0
equal "the ledger holds them all" "$(json_len .)" 42
api GET /api/v1/reports/aging "$RO"
equal "aging adds up (1234.56 + 70 + 50 + 40 x 1.01)" "$(json '.currencies[0].total')" 1394.96
run debtor show D1 --json; expect_exit 0; expect_json .open 1324.96 .open_invoices 42

section "the server survived, and stops on SIGTERM"
api GET /api/v1/debtors/D1 "$RO"; expect_status 200
# a request begun before SIGTERM is finished and answered; then the server closes and exits
"$PYTHON" - "$PORT" "$RO" "$SPID" >"$WORK/term" 2>&1 <<'PY'
import os, signal, socket, sys, time
port, token, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
req = ("GET /api/v1/debtors/D1 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n"
       % token).encode()
idle = socket.create_connection(("127.0.0.1", port))
busy = socket.create_connection(("127.0.0.1", port))
busy.send(req[:20])
time.sleep(0.2)
os.kill(pid, signal.SIGTERM)
time.sleep(0.3)
busy.send(req[20:])
busy.settimeout(5)
data = b""
while True:
    chunk = busy.recv(65536)
    if not chunk:
        break
    data += chunk
head = data.split(b"\r\n\r\n", 1)[0].decode()
print("in flight:", head.split("\r\n")[0])
print("closes:", "connection: close" in head.lower())
idle.settimeout(5)
print("idle:", "closed" if idle.recv(100) == b"" else "answered")
try:
    socket.create_connection(("127.0.0.1", port), timeout=2)
    print("new: accepted")
except OSError:
    print("new: refused")
PY
check "a request in flight at SIGTERM is answered" grep -q '^in flight: HTTP/1.1 200 OK' "$WORK/term"
check "... with Connection: close" grep -q '^closes: True' "$WORK/term"
check "an idle connection is closed at SIGTERM" grep -q '^idle: closed' "$WORK/term"
check "no connection is accepted after" grep -q '^new: refused' "$WORK/term"
wait "$SPID"; src=$?
ERR=$(grep -v '^{"method"' "$WORK/serve.log" | tail -40)
equal "serve exits 0 on SIGTERM" "$src" 0
check "one log line per request" grep -qE '^\{"method":"POST","path":"/api/v1/invoices","status":201,"ms":[0-9.]+,"token":"rw"\}$' "$WORK/serve.log"
check "the log names no token secret" bash -c "! grep -q owed_ '$WORK/serve.log'"

finish
