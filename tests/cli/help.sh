#!/usr/bin/env bash
# help.sh -- `owed --help` lists every command; every command's --help exits 0 and prints its
# usage on stdout without touching a database; `owed` alone is a usage error (exit 2).
set -u
. "$(dirname "$0")/lib.sh"
export OWED_DB=$WORK/never-created.db

section "owed alone, owed --help, owed --version"
run
expect_exit 2
expect_err '^usage: owed COMMAND'
equal "stdout of 'owed'" "$OUT" ""
for help in --help help; do
	run $help
	expect_exit 0
	expect_out '^usage: owed COMMAND'
	expect_out '^commands:$'
	expect_no_err
done
run --version
expect_exit 0
expect_out '^owed [0-9]+\.[0-9]+\.[0-9]+$'

# The commands as `owed --help` lists them: "  debtor add         Add a debtor."
run --help
mapfile -t commands < <(sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z -]*[a-z]\)  *[A-Z].*/\1/p' <<<"$OUT")
check "at least 16 commands listed (${#commands[@]})" test "${#commands[@]}" -ge 16
for c in init "debtor add" "invoice write-off" "payment add" dossier "report aging" demo; do
	check "'$c' is listed" grep -qx "$c" < <(printf '%s\n' "${commands[@]}")
done

section "every command's --help"
for c in "${commands[@]}"; do
	read -ra words <<<"$c"
	run "${words[@]}" --help
	expect_exit 0
	expect_out "^usage: owed $c( |\$)"
	expect_out '^global options:$'
	expect_out '^  --db PATH '
	expect_no_err
done
run invoice add --help
expect_out '^  --amount AMOUNT +the amount including VAT'
run payment add --help
expect_out '^  --allocate INVOICE\[=AMOUNT\] .*\(may repeat\)$'
run dossier --help
expect_out '^usage: owed dossier debtor NUMBER \| invoice NUMBER \[options\]$'
run debtor list --json --help
expect_exit 0
expect_out '^usage: owed debtor list'
check "--help created no database" test ! -e "$OWED_DB"

section "a command group alone lists its subcommands"
for group in debtor invoice payment report; do
	run $group --help
	expect_exit 0
	expect_out "^usage: owed $group SUBCOMMAND"
	run $group
	expect_exit 2
	expect_err "^usage: owed $group SUBCOMMAND"
	expect_err "^  owed $group "
	equal "stdout of 'owed $group'" "$OUT" ""
done
check "no database was created" test ! -e "$OWED_DB"

finish
