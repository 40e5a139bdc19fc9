#!/usr/bin/env bash
# plugins.sh -- plugins and scripts from the command line: the scaffold and its passing spec,
# the search path and overrides, what a manifest declares, broken manifests, failing specs,
# `owed lua` scripts with the owed API, and `owed test`.
set -u
. "$(dirname "$0")/lib.sh"

# Nothing may touch the tester's ~/.owed; $dir is an extra plugin folder.
export OWED_HOME=$WORK/home
unset OWED_PLUGIN_PATH OWED_CONF
dir=$WORK/extra

# files_of FOLDER: every file under FOLDER with its checksum, for "nothing changed" checks.
files_of() {
	(cd "$1" && find . -type f | sort | xargs sha256sum)
}

section "a ledger for the scripts: D1 owes 1,210.00 on F1 and paid 500.00"
run init --name "Acme BV"
expect_exit 0
run debtor add --number D1 --name "Bakker BV"
expect_exit 0
run invoice add --number F1 --debtor D1 --amount 1,210.00 --issue-date 2026-01-10
expect_exit 0
run payment add --amount 500.00 --date 2026-02-01 --allocate F1
expect_exit 0

section "plugin new writes a scaffold whose spec passes"
run plugin new tally --kind connector --dir "$dir"
expect_exit 0
expect_line "created $dir/tally (manifest.lua, init.lua, spec/tally_spec.lua)"
equal "files" "$(cd "$dir/tally" && find . -type f | sort | paste -sd ' ')" \
	"./init.lua ./manifest.lua ./spec/tally_spec.lua"
echo "-- edited by hand" >>"$dir/tally/init.lua"
before=$(files_of "$dir/tally")
refuse 4 "$dir/tally/manifest.lua" "exists already" -- plugin new tally --kind connector --dir "$dir"
check "the files are as they were" test "$(files_of "$dir/tally")" = "$before"
refuse 3 "name 'Tally'" -- plugin new Tally --kind connector --dir "$dir"
refuse 3 "kind 'bureau'" -- plugin new other --kind bureau --dir "$dir"
check "no folder for refused names" test ! -e "$dir/Tally" -a ! -e "$dir/other"
export OWED_PLUGIN_PATH=$dir
run plugin check tally
expect_exit 0
expect_out '^tally +ok +loads \(0\.1\.0\)$'
expect_out '^1 success / 0 failures / 0 errors / 0 pending : [0-9.]+ seconds$'

section "plugin list: name, version, kinds, state, folder; OWED_HOME overrides the path"
put "$dir/partner/manifest.lua" <<'EOF'
return {
  name = "partner", version = "2.1.0", api_version = 1, kinds = { "connector", "channel" },
  description = "Sends claims to a partner.",
  config = { endpoint = { type = "string", required = true } },
  needs = {
    hosts = { "api.partner.example", "*.partner.example" },
    secrets = { "PARTNER_TOKEN", "PARTNER_KEY" },
  },
}
EOF
echo 'return {}' | put "$dir/partner/init.lua"
run plugin new tally --kind policy
expect_exit 0
expect_line "created $OWED_HOME/plugins/tally (manifest.lua, init.lua, spec/tally_spec.lua)"
run plugin list
expect_exit 0
expect_row name "version kinds state folder"
expect_row partner "2.1.0 connector, channel available $dir/partner"
expect_row tally "0.1.0 policy available $OWED_HOME/plugins/tally (overrides $dir/tally)"
run plugin list --json
expect_exit 0
json_select name tally
expect_json .version 0.1.0 .kinds '["policy"]' .state available \
	.folder "$OWED_HOME/plugins/tally" .overrides "$dir/tally"
run plugin list --json
json_select name partner
expect_json .kinds '["connector","channel"]' .folder "$dir/partner" .overrides null

section "plugin info: what the manifest declares"
run plugin info partner
expect_exit 0
expect_field version 2.1.0
expect_field description "Sends claims to a partner."
expect_field kinds "connector, channel"
expect_field hosts "api.partner.example, *.partner.example"
expect_field secrets "PARTNER_TOKEN, PARTNER_KEY"
expect_field state available
run plugin info partner --json
expect_exit 0
expect_json .hosts '["api.partner.example","*.partner.example"]' \
	.secrets '["PARTNER_TOKEN","PARTNER_KEY"]'
refuse 3 "no plugin 'nosuch'" -- plugin info nosuch

section "broken manifests: listed as broken, and plugin check says why"
bad=$WORK/bad
export OWED_PLUGIN_PATH=$bad
# broken NAME MANIFEST PROBLEM: the plugin NAME with this manifest is broken, and the problem
# is the manifest's path followed by PROBLEM.  A manifest is data: it cannot call anything,
# not even a string method, and it cannot run for long.
broken() {
	local where="$bad/$1/manifest.lua"
	put "$where" <<<"$2"
	run plugin list
	expect_exit 0
	expect_out "^$1 .* broken +$bad/$1\$"
	expect_line "$1: $where$3"
	run plugin list --json
	json_select name "$1"
	expect_json .state broken .problem "$where$3"
	run plugin check "$1"
	expect_exit 3
	expect_out "^$1 +FAIL  "
	expect_line "$(printf '%-24s FAIL  %s' "$1" "$where$3")"
}
broken unknown-key 'return { name = "unknown-key", version = "1.0.0", api_version = 1,
  kinds = { "policy" }, colour = "red" }' \
	": unknown key 'colour' (expected one of name, version, api_version, kinds, priority, description, config, needs)"
broken misnamed 'return { name = "other", version = "1.0.0", api_version = 1, kinds = { "policy" } }' \
	": key 'name': expected the folder's name 'misnamed' in lower case, got 'other'"
broken future 'return { name = "future", version = "1.0.0", api_version = 99, kinds = { "policy" } }' \
	": key 'api_version': this owed offers API version 1, the plugin asks for 99"
broken calls 'return { name = os.time() }' \
	":1: attempt to index a nil value (global 'os')"
broken methods 'return { name = ("METHODS"):lower(), version = "1.0.0", api_version = 1,
  kinds = { "policy" } }' ":1: attempt to index a string value (constant 'METHODS')"
broken loops 'while true do end return {}' \
	": stopped: the plugin ran longer than its time budget (200 ms)"

section "a plugin whose spec fails does not pass plugin check"
export OWED_PLUGIN_PATH=$dir
run plugin new sour --kind matcher --dir "$dir"
expect_exit 0
sed -i 's/"Goedemorgen, Jan"/"Goedenavond, Jan"/' "$dir/sour/spec/sour_spec.lua"
run plugin check sour
expect_exit 3
expect_out '^sour +ok +loads \(0\.1\.0\)$'
expect_out '^0 successes / 1 failure / 0 errors / 0 pending : '
expect_line "(string) 'Goedemorgen, Jan'"

section "owed lua: scripts with the owed API"
put "$WORK/sum.lua" <<'EOF'
print(arg[1], arg[2])
print(owed.money("1.50 EUR") + owed.money("2.25 EUR"))
EOF
run lua "$WORK/sum.lua" one two
expect_exit 0
equal "output" "$OUT" "$(printf 'one\ttwo\n3.75 EUR')"
run lua "$WORK/sum.lua" --flag x --json --db nowhere.db --help
expect_exit 0
expect_no_err
equal "options after FILE reach the script" "$OUT" "$(printf -- '--flag\tx\n3.75 EUR')"
put "$WORK/open.lua" <<<'io.write(tostring(owed.ledger.invoice(arg[1]).open))'
run lua "$WORK/open.lua" F1
expect_exit 0
equal "F1's open amount" "$OUT" "710.00 EUR"
put "$WORK/boom.lua" <<'EOF'
local function explode() error("boom") end
explode()
EOF
run lua "$WORK/boom.lua"
expect_exit 1
equal "the error" "$(head -1 <<<"$ERR")" "owed: $WORK/boom.lua:1: boom"
expect_err '^stack traceback:$'
expect_err "boom\.lua:2: in main chunk$"
refuse 3 "$WORK/missing.lua" -- lua "$WORK/missing.lua"

section "owed test: a passing and a failing spec"
put "$WORK/specs/money_spec.lua" <<'EOF'
describe("money", function()
  it("adds", function()
    assert.are.equal("3.75 EUR", tostring(owed.money("1.50 EUR") + owed.money("2.25 EUR")))
  end)
end)
EOF
put "$WORK/specs/wrong_spec.lua" <<'EOF'
describe("wrong", function()
  it("fails", function() assert.are.equal(1, 2) end)
end)
EOF
run test "$WORK/specs"
check "owed test $WORK/specs: exit non-zero (got $RC)" test "$RC" -ne 0
expect_out '^1 success / 1 failure / 0 errors / 0 pending : '
expect_line "Failure -> $WORK/specs/wrong_spec.lua @ 2"
run test "$WORK/specs/money_spec.lua"
expect_exit 0
expect_out '^1 success / 0 failures / 0 errors / 0 pending : '

finish
