#!/usr/bin/env bash
# schema.sh -- database files owed must not use: one written by a newer owed (its schema
# version is higher than this binary knows) is refused with exit 4 and left untouched; a file
# that is not a database, or a folder, is exit 5.
set -u
. "$(dirname "$0")/lib.sh"

section "a ledger of the current schema"
run init --name "Acme BV"
expect_exit 0
run debtor add --number D1 --name "Bakker BV"
expect_exit 0
version=$(sqlite3 "$db" 'PRAGMA user_version')
check "schema version is at least 1 (it is $version)" test "$version" -ge 1

section "a newer schema is refused and left as it is"
sqlite3 "$db" 'PRAGMA user_version = 999'
refuse 4 "schema version 999" "knows up to $version" "upgrade owed" -- debtor list
refuse 4 "schema version 999" -- debtor add --number D2 --name "Cor BV"
refuse 4 "schema version 999" -- invoice add --number F1 --debtor D1 --amount 10
equal "schema version after" "$(sqlite3 "$db" 'PRAGMA user_version')" 999

section "back at the known version it opens again"
sqlite3 "$db" "PRAGMA user_version = $version"
run debtor list --json
expect_exit 0
expect_json '.[0].number' D1

section "files that are not an owed database"
printf 'just some text, not a database\n' >"$WORK/notes.db"
cp "$WORK/notes.db" "$WORK/notes.orig"
refuse 5 "$WORK/notes.db" "not a database" -- debtor list --db "$WORK/notes.db"
check "the file is untouched" cmp -s "$WORK/notes.db" "$WORK/notes.orig"
mkdir "$WORK/folder.db"
refuse 5 "$WORK/folder.db" -- debtor list --db "$WORK/folder.db"
refuse 4 "$WORK/folder.db" "exists already" -- init --name X --db "$WORK/folder.db"

finish
