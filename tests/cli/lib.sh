#!/usr/bin/env bash
# lib.sh -- helpers for the end-to-end tests of the `owed` CLI.  A test sources it:
#
#   . "$(dirname "$0")/lib.sh"
#   run init --name "Acme BV";  expect_exit 0;  expect_out '^created '
#   refuse 3 "amount:" "'12,3x'" -- invoice add --number F1 --debtor D1 --amount 12,3x
#   finish
#
# Each test gets a fresh temporary folder ($WORK) with the database path $db in it (also
# exported as OWED_DB), removed on exit.  Every check prints one line, "ok" or "FAIL" with what
# was run and what came out; `finish` exits non-zero if any check failed.
#
# ctest runs every tests/cli/*.sh, this file too: run directly, it checks its own helpers.
set -u

OWED=${OWED:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/owed}
[[ $OWED == /* ]] || OWED=$PWD/$OWED          # a test may change folders
if [[ ! -x $OWED ]]; then
	echo "FAIL no owed binary at $OWED (build it with 'make build', or set OWED)"
	exit 1
fi

# A fixed, predictable environment: the day, the notation of amounts, the dossier's actor.
export NO_COLOR=1 OWED_LOCALE=en OWED_ACTOR=tester OWED_TODAY=2026-03-01
WORK=$(mktemp -d "${TMPDIR:-/tmp}/owed-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
db=$WORK/owed.db
export OWED_DB=$db

CHECKS=0 FAILED=0
OUT='' ERR='' RC=0 LAST='' RUNS=0 SHOWN=-1
if command -v jq >/dev/null 2>&1; then JQ=jq; else JQ=''; fi
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=python3

# ------------------------------------------------------------------ running and reporting

# run ARGS...: runs owed; OUT, ERR (without trailing newlines) and RC hold the result.  A run
# is stopped after $TIMEOUT seconds (default 60; exit 124), so a hang fails instead of waiting.
run() {
	LAST="owed $*" RUNS=$((RUNS + 1))
	timeout "${TIMEOUT:-60}" "$OWED" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
	RC=$?
	[[ $RC == 124 ]] && LAST+="   (stopped after ${TIMEOUT:-60}s)"
	OUT=$(cat "$WORK/stdout")
	ERR=$(cat "$WORK/stderr")
}

pass() {
	CHECKS=$((CHECKS + 1))
	printf 'ok   %s\n' "$1"
}

# fail WHAT [DETAIL...]: reports a failed check with the last command and its output.
fail() {
	CHECKS=$((CHECKS + 1)) FAILED=$((FAILED + 1))
	printf 'FAIL %s\n' "$1"
	shift
	local line
	for line in "$@"; do printf '       %s\n' "$line"; done
	[[ $SHOWN == "$RUNS" ]] && return   # this run's output was shown with an earlier failure
	SHOWN=$RUNS
	printf '       command: %s\n       exit:    %s\n' "$LAST" "$RC"
	printf '%s\n' "$OUT" | sed 's/^/       stdout| /'
	printf '%s\n' "$ERR" | sed 's/^/       stderr| /'
}

# check WHAT CONDITION...: passes when the command CONDITION succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# equal WHAT ACTUAL EXPECTED
equal() {
	if [[ $2 == "$3" ]]; then
		pass "$1 = $3"
	else
		fail "$1 = $3" "got: '$2'"
	fi
}

section() {
	printf '\n== %s\n' "$*"
}

finish() {
	printf '\n%d checks, %d failed\n' "$CHECKS" "$FAILED"
	[[ $FAILED -eq 0 ]]
	exit
}

# ------------------------------------------------------------------ expectations on the last run

expect_exit() {
	if [[ $RC == "$1" ]]; then
		pass "$LAST: exit $1"
	else
		fail "$LAST: exit $1" "got exit $RC"
	fi
}

# expect_out PATTERN / expect_err PATTERN: an extended regular expression matches a line.
expect_out() {
	if grep -qE -- "$1" <<<"$OUT"; then pass "stdout has /$1/"; else fail "stdout has /$1/"; fi
}

expect_err() {
	if grep -qE -- "$1" <<<"$ERR"; then pass "stderr has /$1/"; else fail "stderr has /$1/"; fi
}

# expect_line TEXT: stdout has exactly this line (no pattern: every character is literal).
expect_line() {
	if grep -qxF -- "$1" <<<"$OUT"; then pass "stdout has line '$1'"
	else fail "stdout has line '$1'"; fi
}

# expect_row KEY CELLS: the table row whose first cell is KEY reads "KEY CELLS", with the
# columns' padding squeezed to one space (so other rows' widths do not matter).
expect_row() {
	local got
	got=$(awk -v k="$1" '$1 == k { gsub(/  +/, " "); print; exit }' <<<"$OUT")
	equal "row '$1'" "$got" "$1 $2"
}

expect_no_err() {
	if [[ -z $ERR ]]; then pass "stderr is empty"; else fail "stderr is empty"; fi
}

# expect_field KEY VALUE: a `show` command printed the line "KEY   VALUE" exactly.
expect_field() {
	local got
	got=$(awk -v k="$1" 'substr($0, 1, length(k) + 1) == k " " {
		v = substr($0, length(k) + 1); sub(/^ +/, "", v); print v; exit }' <<<"$OUT")
	equal "field '$1'" "$got" "$2"
}

# events: the "entity kind" of each dossier row the last run printed, one per line.
events() {
	awk 'NR > 1 { print $3, $4 }' <<<"$OUT"
}

# expect_events "debtor created" "invoice created" ...: the dossier lists exactly these, in order.
expect_events() {
	local want
	want=$(printf '%s\n' "$@")
	equal "dossier events" "$(events | paste -sd '|')" "$(paste -sd '|' <<<"$want")"
}

# ------------------------------------------------------------------ JSON

# json PATH: the value at PATH (".open", ".[2].payload.amount", '.currencies[0]["1-30"]') in the
# last run's stdout; strings raw, anything else as compact JSON (["a","b"]).  jq when
# installed, else Python.
json() {
	json_at "$1" value
}

# json_len PATH: the length of the array or object at PATH.
json_len() {
	json_at "$1" length
}

json_at() {
	if [[ -n $JQ ]]; then
		"$JQ" -c -r "$1$([[ $2 == length ]] && echo ' | length')" <<<"$OUT" 2>&1
		return
	fi
	"$PYTHON" -c '
import json, re, sys
v = json.loads(sys.stdin.read())
for name, index, key in re.findall(r"\.(\w+)|\[(\d+)\]|\[\"([^\"]+)\"\]", sys.argv[1]):
    v = v[int(index)] if index else v[name or key]
print(len(v) if sys.argv[2] == "length" else v if isinstance(v, str)
      else json.dumps(v, separators=(",", ":")))' \
		"$1" "$2" <<<"$OUT" 2>&1
}

# json_select KEY VALUE: narrows OUT, a JSON array of objects, to the first object whose KEY
# is VALUE (a string), for expect_json to look into; OUT is "null" when there is none.
json_select() {
	if [[ -n $JQ ]]; then
		OUT=$("$JQ" --arg k "$1" --arg v "$2" 'first(.[] | select(.[$k] == $v)) // null' \
			<<<"$OUT" 2>&1)
		return
	fi
	OUT=$("$PYTHON" -c '
import json, sys
print(json.dumps(next((o for o in json.loads(sys.stdin.read()) if o.get(sys.argv[1]) == sys.argv[2]),
                      None)))' "$1" "$2" <<<"$OUT" 2>&1)
}

# expect_json PATH VALUE [PATH VALUE ...]
expect_json() {
	while [[ $# -ge 2 ]]; do
		equal "json $1" "$(json "$1")" "$2"
		shift 2
	done
}

# ------------------------------------------------------------------ the database

# db_state [PATH]: the database's whole content as SQL, and its schema version (without
# creating the file when there is none).
db_state() {
	local path=${1:-$db}
	if [[ ! -e $path ]]; then
		echo "no database at $path"
		return
	fi
	sqlite3 "$path" .dump 'PRAGMA user_version' 2>&1
}

# refuse CODE TEXT... -- ARGS...: owed ARGS fails with exit CODE, prints nothing on stdout and
# exactly one line on stderr containing every TEXT (the field and the value), and leaves the
# database as it was.
refuse() {
	local code=$1 before after lines
	local -a texts=()
	shift
	while [[ $# -gt 0 && $1 != -- ]]; do texts+=("$1"); shift; done
	shift
	before=$(db_state)
	run "$@"
	after=$(db_state)
	lines=$(wc -l <"$WORK/stderr")
	local what="$LAST: exit $code"
	if [[ $RC != "$code" ]]; then
		fail "$what" "got exit $RC"
		return
	fi
	if [[ $lines -ne 1 || $ERR != "owed: "* ]]; then
		fail "$what" "expected one line on stderr starting with 'owed: ', got $lines"
		return
	fi
	for t in "${texts[@]}"; do
		if [[ $ERR != *"$t"* ]]; then
			fail "$what" "stderr does not name '$t'"
			return
		fi
	done
	if [[ -n $OUT ]]; then
		fail "$what" "expected nothing on stdout"
		return
	fi
	if [[ $before != "$after" ]]; then
		fail "$what" "the database changed:" \
			"$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -20)"
		return
	fi
	pass "$what, one line naming ${texts[*]}, database unchanged"
}

# ------------------------------------------------------------------ files

# put PATH: writes stdin to PATH, creating its folders.
put() {
	mkdir -p "$(dirname "$1")" && cat >"$1"
}

# ------------------------------------------------------------------ bank statements

# cents AMOUNT / amount CENTS: "12.50" <-> 1250 (every amount here has two decimals)
cents() { local a=${1/./}; echo $((10#$a)); }
amount() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }

# camt FILE ID SEQ OPEN CLOSE ENTRY...: a camt.053.001.02 file with one statement on the
# creditor's account; each ENTRY is "ref;amount;CRDT|DBIT;name;iban;structured;text;e2e;rvsl".
# CLOSE "auto" is the opening plus the entries; LAST_CLOSE holds the closing balance written.
camt() {
	local file=$1 id=$2 seq=$3 open=$4 close=$5 e sum
	shift 5
	if [[ $close == auto ]]; then
		sum=$(cents "$open")
		for e in "$@"; do
			IFS=';' read -r _ amt dir _ <<<"$e"
			if [[ $dir == CRDT ]]; then sum=$((sum + $(cents "$amt"))); else sum=$((sum - $(cents "$amt"))); fi
		done
		close=$(amount "$sum")
	fi
	LAST_CLOSE=$close
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n'
		printf '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>\n'
		printf '<GrpHdr><MsgId>%s</MsgId><CreDtTm>2026-03-20T08:00:00</CreDtTm></GrpHdr>\n' "$id"
		printf '<Stmt><Id>%s</Id><ElctrncSeqNb>%s</ElctrncSeqNb>\n' "$id" "$seq"
		printf '<Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>\n'
		printf '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-19</Dt></Dt></Bal>\n' "$open"
		printf '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-20</Dt></Dt></Bal>\n' "$close"
		for e in "$@"; do
			IFS=';' read -r ref amt dir name iban strd text e2e rvsl <<<"$e"
			printf '<Ntry><NtryRef>%s</NtryRef><Amt Ccy="EUR">%s</Amt><CdtDbtInd>%s</CdtDbtInd>' "$ref" "$amt" "$dir"
			[[ -n $rvsl ]] && printf '<RvslInd>true</RvslInd>'
			printf '<BookgDt><Dt>2026-03-20</Dt></BookgDt><NtryDtls><TxDtls>'
			[[ -n $e2e ]] && printf '<Refs><EndToEndId>%s</EndToEndId></Refs>' "$e2e"
			if [[ $dir == CRDT ]]; then
				printf '<RltdPties><Dbtr><Nm>%s</Nm></Dbtr>' "$name"
				[[ -n $iban ]] && printf '<DbtrAcct><Id><IBAN>%s</IBAN></Id></DbtrAcct>' "$iban"
			else
				printf '<RltdPties><Cdtr><Nm>%s</Nm></Cdtr>' "$name"
				[[ -n $iban ]] && printf '<CdtrAcct><Id><IBAN>%s</IBAN></Id></CdtrAcct>' "$iban"
			fi
			printf '</RltdPties><RmtInf>'
			[[ -n $text ]] && printf '<Ustrd>%s</Ustrd>' "$text"
			[[ -n $strd ]] && printf '<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>%s</Ref></CdtrRefInf></Strd>' "$strd"
			printf '</RmtInf></TxDtls></NtryDtls></Ntry>\n'
		done
		printf '</Stmt></BkToCstmrStmt></Document>\n'
	} >"$file"
}

# ------------------------------------------------------------------ a real SMTP server

# smtpd_start DIR: tests/support/smtpd.py on a free port of 127.0.0.1, saving each message in
# DIR as N.eml and N.json; SMTPD (its pid), SMTP_PORT.  It runs until fd 3 is closed
# (smtpd_stop, from the test's EXIT trap).
smtpd_start() {
	mkdir -p "$1"
	mkfifo "$WORK/smtp.in"
	"$PYTHON" "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/support/smtpd.py" "$1" \
		<"$WORK/smtp.in" >"$WORK/smtp.port" &
	SMTPD=$!
	exec 3>"$WORK/smtp.in"
	for _ in $(seq 100); do [[ -s $WORK/smtp.port ]] && break; sleep 0.1; done
	SMTP_PORT=$(cat "$WORK/smtp.port")
}
smtpd_stop() { exec 3>&-; wait "$SMTPD" 2>/dev/null; }

# ------------------------------------------------------------------ owed serve

# serve_start [ARGS...]: starts `owed serve` on a free port of 127.0.0.1; SPID, PORT.
serve_start() {
	"$OWED" serve --listen 127.0.0.1:0 "$@" >"$WORK/serve.out" 2>"$WORK/serve.log" &
	SPID=$!
	for _ in $(seq 100); do [[ -s $WORK/serve.out ]] && break; sleep 0.05; done
	PORT=$(head -1 "$WORK/serve.out")
}

# api METHOD PATH TOKEN [BODY [CURL-ARGS...]]: STATUS, and OUT the response body.
api() {
	local m=$1 p=$2 t=$3 body=${4-}
	shift 3; [[ $# -gt 0 ]] && shift
	local args=(-s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -X "$m"
	            --max-time "${API_TIMEOUT:-10}" -H 'Expect:')
	[[ -n $t ]] && args+=(-H "Authorization: Bearer $t")
	[[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	LAST="$m $p" RUNS=$((RUNS + 1))
	STATUS=$(curl "${args[@]}" "$@" "http://127.0.0.1:$PORT$p")
	OUT=$(cat "$WORK/body") ERR='' RC=$STATUS
}
expect_status() { equal "$LAST status" "$STATUS" "$1"; }
expect_problem() {   # STATUS [FIELD]
	expect_status "$1"
	check "$LAST: problem+json" grep -qi '^content-type: application/problem+json' "$WORK/headers"
	expect_json .status "$1"
	[[ $# -ge 2 ]] && expect_json .field "$2"
}

# ------------------------------------------------------------------ self-check

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	section "the helpers themselves"
	equal "db_state without a database" "$(db_state)" "no database at $db"
	check "db_state created no file" test ! -e "$db"
	run --version
	expect_exit 0
	expect_out '^owed [0-9]+\.[0-9]+'
	run init --name "Lib BV"
	expect_exit 0
	check "init created $db" test -f "$db"
	refuse 4 "exists already" -- init --name "Again"
	OUT='{"a": [{"b": "1.50"}, {"b": 2}]}'
	expect_json '.a[0].b' 1.50 '.a[1].b' 2
	equal "json_len .a" "$(json_len .a)" 2
	OUT='[{"n": "x", "v": 1}, {"n": "y", "v": 2}]'
	json_select n y
	expect_json .v 2
	OUT=$(printf 'name  kinds\nlong-name  a, b\nx     c\n')
	expect_row long-name "a, b"
	expect_row x c
	expect_line "x     c"
	TIMEOUT=1 run lua /dev/stdin <<<'while true do end'
	equal "a run past \$TIMEOUT is stopped: exit" "$RC" 124
	# A failing check must be caught: run one in a subshell and look at what it reported.
	verdict=$( (run --version; expect_exit 9) | head -1)
	equal "a wrong exit code is reported" "${verdict%% *}" FAIL
	finish
fi
