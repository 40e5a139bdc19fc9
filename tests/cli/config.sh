#!/usr/bin/env bash
# config.sh -- owed.conf: where it is found (--config, $OWED_CONF, ./owed.conf), the database it
# names, the plugin settings it hands to plugins, and bad files refused with one line naming
# the file and the key (a file is data: it cannot loop forever or call anything).
set -u
. "$(dirname "$0")/lib.sh"

export OWED_HOME=$WORK/home
unset OWED_CONF OWED_PLUGIN_PATH
cd "$WORK" || exit 1

section "no configuration file: every setting has its default"
run config check
expect_exit 0
equal "output" "$OUT" "no configuration file: every setting has its default"

section "the database named by owed.conf, found three ways"
run init --name "Acme BV"
expect_exit 0
run debtor add --number D1 --name "Bakker BV"
expect_exit 0
conf=$WORK/db.conf
put "$conf" <<<"return { database = \"$db\" }"
mkdir -p "$WORK/site"
cd "$WORK/site" || exit 1
# Without OWED_DB, the default is ./owed.db, which does not exist here.
OWED_DB= refuse 5 "no database at owed.db" -- debtor list
# lists_d1 ARGS...: `owed debtor list ARGS` (OWED_DB unset) shows D1 from the configured database.
lists_d1() {
	OWED_DB= run debtor list "$@"
	expect_exit 0
	expect_row D1 "Bakker BV business NL 0 €0.00 €0.00"
}
lists_d1 --config "$conf"
OWED_CONF=$conf lists_d1
cp "$conf" owed.conf
lists_d1
run config check
expect_exit 0
equal "output" "$OUT" "owed.conf"
rm owed.conf
# --db and $OWED_DB win over the file.
OWED_DB=$WORK/other.db refuse 5 "no database at $WORK/other.db" -- debtor list --config "$conf"
refuse 5 "no database at $WORK/other.db" -- debtor list --config "$conf" --db "$WORK/other.db"
cd "$WORK" || exit 1

section "plugin settings from owed.conf reach the plugin"
plugins=$WORK/plugins
put "$plugins/greeter/manifest.lua" <<'EOF'
return {
  name = "greeter", version = "1.0.0", api_version = 1, kinds = { "template" },
  config = { greeting = { type = "string", required = true } },
}
EOF
put "$plugins/greeter/init.lua" <<'EOF'
return { hello = function(name) return owed.config.greeting .. ", " .. name end }
EOF
put "$WORK/hello.lua" <<'EOF'
io.write(require("owed.testing").plugin("greeter"):call("hello", "Jan"))
EOF
# greeter_conf SETTINGS: a configuration file with the plugin's folder and these settings.
greeter_conf() {
	put "$WORK/greeter.conf" <<<"return { plugin_path = { \"$plugins\" }, plugins = { greeter = $1 } }"
}
greeter_conf '{ greeting = "Hoi" }'
run config check --config "$WORK/greeter.conf"
expect_exit 0
equal "output" "$OUT" "$(printf '%s\n  %-22s ok' "$WORK/greeter.conf" greeter)"
OWED_CONF=$WORK/greeter.conf run lua "$WORK/hello.lua"
expect_exit 0
equal "the plugin's greeting" "$OUT" "Hoi, Jan"
# bad_setting SETTINGS PROBLEM: config check fails on greeter, naming the key.
bad_setting() {
	greeter_conf "$1"
	run config check --config "$WORK/greeter.conf"
	expect_exit 3
	expect_line "$(printf '  %-22s FAIL  plugin greeter: %s' greeter "$2")"
}
bad_setting '{ greeting = 42 }' "config key 'greeting': expected a string, got 42"
bad_setting '{ }' "config key 'greeting' is required (a string)"
bad_setting '{ greeting = "Hoi", colour = "red" }' \
	"config key 'colour' is not a setting of this plugin (see 'owed plugin info greeter')"

section "bad configuration files: exit 3, one line naming the file and the key"
# bad_file NAME CONTENT TEXT...: `owed config check` refuses the file NAME.conf holding
# CONTENT with one line naming it and every TEXT; it must not take 20 seconds.
bad_file() {
	local file=$WORK/bad/$1.conf content=$2
	shift 2
	put "$file" <<<"$content"
	TIMEOUT=20 refuse 3 "$file" "$@" -- config check --config "$file"
}
bad_file unknown-key 'return { colour = "red" }' "unknown key 'colour'"
bad_file unknown-limit 'return { limits = { memory = 64 } }' "unknown key 'limits.memory'"
bad_file memory 'return { limits = { memory_mb = "a lot" } }' \
	"key 'limits.memory_mb': expected a whole number from 1 to 4096"
bad_file database 'return { database = 42 }' "key 'database': expected a string, got number"
bad_file settings 'return { plugins = { greeter = "Hoi" } }' \
	"key 'plugins.greeter': expected a table of settings"
bad_file syntax 'return { database = "x"' ":2: '}' expected (to close '{' at line 1)"
bad_file not-a-table 'return "owed.db"' "expected the file to return a table, got string"
bad_file loop 'while true do end return {}' "runs too long"
bad_file calls 'return { database = os.getenv("HOME") }' ":1: attempt to index a nil value (global 'os')"
# The file is read before every command, not only by config check.
refuse 3 "$WORK/bad/unknown-key.conf" "unknown key 'colour'" -- debtor list --config "$WORK/bad/unknown-key.conf"
refuse 5 "$WORK/none.conf: cannot read the configuration file" -- config check --config "$WORK/none.conf"

finish
