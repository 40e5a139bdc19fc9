#!/usr/bin/env bash
# sepa.sh -- SEPA direct debit end to end: the creditor identifier, mandates (added, amended,
# replaced, revoked, one-off, lapsed), `owed collect sepa` writing a pain.008.001.02 file that
# the ISO schema accepts and whose every figure is checked, a second run that collects
# nothing, FRST becoming RCUR, and bad input refused with nothing written.
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
XSD=$root/../shared/testdata/xsd/pain.008.001.02.xsd
export OWED_HOME=$WORK/home
OUTDIR=$OWED_HOME/outgoing/sepa
files() { find "$OWED_HOME/outgoing" -type f 2>/dev/null | sort; }

# valid FILE: the file validates against the ISO 20022 schema (skipped without ../shared)
valid() {
	if [[ ! -f $XSD ]]; then
		echo "skipped: ../shared not present (schema check of $(basename "$1"))"
		return
	fi
	local out
	out=$(xmllint --noout --schema "$XSD" "$1" 2>&1)
	if [[ $? -eq 0 ]]; then pass "$(basename "$1") validates against pain.008.001.02.xsd"
	else fail "$(basename "$1") validates against pain.008.001.02.xsd" "$out"; fi
}

# xq FILE PATH: the texts of the elements at PATH (ElementTree syntax, prefix p:), '|'-joined
xq() {
	"$PYTHON" - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {'p': 'urn:iso:std:iso:20022:tech:xsd:pain.008.001.02'}
root = ET.parse(sys.argv[1]).getroot()
print('|'.join((e.text or '') for e in root.findall(sys.argv[2], ns)))
PY
}

# xq_attr FILE PATH ATTR
xq_attr() {
	"$PYTHON" - "$1" "$2" "$3" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {'p': 'urn:iso:std:iso:20022:tech:xsd:pain.008.001.02'}
root = ET.parse(sys.argv[1]).getroot()
print('|'.join(e.get(sys.argv[3], '') for e in root.findall(sys.argv[2], ns)))
PY
}

section "a ledger without a creditor identifier cannot collect"
run init --name "Groothandel Noordzee BV" --iban NL91ABNA0417164300 \
	--address 'Havenstraat 1\n1011 AB Amsterdam'
expect_exit 0
run debtor add --number D1 --name 'Café Élise & <Zonen>'
run debtor mandate D1 --id MNDT-D1 --signed 2025-12-01 --iban NL44RABO0123456789 --bic rabonl2u
expect_exit 0
expect_field "mandate" "MNDT-D1, signed 2025-12-01, active"
expect_field "mandate iban" "NL44RABO0123456789, BIC RABONL2U"
expect_field "mandate use" "next FRST, last collection never, lapses after 2028-12-01"
run invoice add --number F1 --debtor D1 --amount 121.00 --issue-date 2026-01-01 --due-date 2026-02-01
refuse 3 "creditor-id:" "owed admin sepa" -- collect sepa --date 2026-03-03
equal "no file written" "$(files)" ""

section "the creditor identifier: checked with ISO 7064 mod 97-10, without the business code"
refuse 3 "creditor-id:" "NL98ZZZ999999990000" "check digits" -- admin sepa --creditor-id NL98ZZZ999999990000
refuse 3 "creditor-id:" "NL79-ZZZ" -- admin sepa --creditor-id NL79-ZZZ
refuse 3 "bic:" "ABNANL" -- admin sepa --creditor-id NL79ZZZ999999990000 --bic ABNANL
run admin sepa --creditor-id "nl79 zzz 9999 9999 0000" --bic abnanl2a
expect_exit 0
expect_field "creditor id" "NL79ZZZ999999990000"
expect_field "bic" "ABNANL2A"
run admin sepa --json
expect_json .creditor_id NL79ZZZ999999990000 .bic ABNANL2A .iban NL91ABNA0417164300
run dossier debtor D1
expect_out "mandate +added"

section "init takes the creditor identifier too"
refuse 3 "creditor-id:" "NL98ZZZ999999990000" -- init --name X --creditor-id NL98ZZZ999999990000 --db "$WORK/other.db"
check "no database created for a bad creditor id" test ! -e "$WORK/other.db"
run init --name X --creditor-id DE98ZZZ09999999999 --db "$WORK/other.db"
expect_exit 0
run admin sepa --json --db "$WORK/other.db"
expect_json .creditor_id DE98ZZZ09999999999 .bic ""

section "mandates: bad input names the field and changes nothing"
run debtor add --number D2 --name "Bäckerei Müller GmbH" --country DE
refuse 3 "iban:" "NL00RABO0123456789" -- debtor mandate D2 --id M-D2 --signed 2026-01-05 --iban NL00RABO0123456789
refuse 3 "signed:" "2026-02-30" -- debtor mandate D2 --id M-D2 --signed 2026-02-30 --iban DE89370400440532013000
refuse 3 "signed:" "2026-03-02" "after today" -- debtor mandate D2 --id M-D2 --signed 2026-03-02 --iban DE89370400440532013000
refuse 3 "id:" "M D2" -- debtor mandate D2 --id "M D2" --signed 2026-01-05 --iban DE89370400440532013000
refuse 3 "id:" -- debtor mandate D2 --id 1234567890123456789012345678901234567 --signed 2026-01-05 --iban DE89370400440532013000
refuse 3 "sequence:" "FIRST" -- debtor mandate D2 --id M-D2 --signed 2026-01-05 --iban DE89370400440532013000 --sequence FIRST
refuse 3 "bic:" "XX" -- debtor mandate D2 --id M-D2 --signed 2026-01-05 --iban DE89370400440532013000 --bic XX
refuse 2 "id:" -- debtor mandate D2 --signed 2026-01-05 --iban DE89370400440532013000
refuse 3 "debtor:" "D99" -- debtor mandate D99 --id M-D99 --signed 2026-01-05 --iban DE89370400440532013000
refuse 4 "id:" "MNDT-D1" -- debtor mandate D2 --id MNDT-D1 --signed 2026-01-05 --iban DE89370400440532013000
refuse 3 "debtor:" "no active mandate" -- debtor mandate D2 --revoke
refuse 2 "revoke" -- debtor mandate D1 --revoke --id X

section "debtors and invoices to collect"
run debtor mandate D2 --id M-D2 --signed 2026-01-05 --iban DE89370400440532013000 --sequence RCUR
expect_exit 0
run invoice add --number F2 --debtor D1 --amount 50.05 --issue-date 2026-01-01 --due-date 2026-02-15 \
	--reference RF18539007547034
run invoice add --number F3 --debtor D1 --amount 99.00 --issue-date 2026-02-01 --due-date 2026-04-01
run invoice add --number F4 --debtor D2 --amount 1000.00 --issue-date 2026-01-20 --due-date 2026-02-20
# D3: its mandate is revoked
run debtor add --number D3 --name "Drukkerij Het Anker"
run debtor mandate D3 --id M-D3 --signed 2025-06-01 --iban NL02ABNA0123456789
run debtor mandate D3 --revoke
expect_exit 0
expect_field "mandate" "M-D3, signed 2025-06-01, revoked"
refuse 4 "id:" "revoked" -- debtor mandate D3 --id M-D3 --signed 2025-06-01 --iban NL02ABNA0123456789
run invoice add --number F5 --debtor D3 --amount 20.00 --issue-date 2026-01-01 --due-date 2026-02-01
# D4: a disputed invoice, a dollar invoice, and one to collect
run debtor add --number D4 --name "Visserij De Noordster"
run debtor mandate D4 --id M-D4 --signed 2026-01-10 --iban NL20INGB0001234567
run invoice add --number F6 --debtor D4 --amount 300.00 --issue-date 2026-01-01 --due-date 2026-02-01
run case dispute F6 --reason "wrong quantity"
run invoice add --number F7 --debtor D4 --amount 30.00 --currency USD --issue-date 2026-01-01 --due-date 2026-02-01
run invoice add --number F8 --debtor D4 --amount 7.00 --issue-date 2026-01-01 --due-date 2026-02-01
# D5: a one-off mandate allows one collection
run debtor add --number D5 --name "Kwekerij Zon"
run debtor mandate D5 --id M-D5 --signed 2026-02-01 --iban NL22TRIO0987654321 --sequence OOFF
run invoice add --number F9 --debtor D5 --amount 10.00 --issue-date 2026-01-01 --due-date 2026-02-01
run invoice add --number F10 --debtor D5 --amount 11.00 --issue-date 2026-01-01 --due-date 2026-02-02
# D6: no mandate; D7: a mandate never used for more than 36 months
run debtor add --number D6 --name "Transport Zuid"
run invoice add --number F11 --debtor D6 --amount 40.00 --issue-date 2026-01-01 --due-date 2026-02-01
run debtor add --number D7 --name "Oude Klant"
run debtor mandate D7 --id M-D7 --signed 2022-01-10 --iban BE68539007547034
expect_field "mandate" "M-D7, signed 2022-01-10, active but LAPSED (36 months unused)"
run invoice add --number F12 --debtor D7 --amount 15.00 --issue-date 2026-01-01 --due-date 2026-02-01

section "the collection date: 1 TARGET2 business day ahead, on a TARGET2 day"
refuse 3 "date:" "2026-03-01" "too soon" "earliest 2026-03-02" -- collect sepa --date 2026-03-01
refuse 3 "date:" "2026-03-07" "TARGET2" "2026-03-09" -- collect sepa --date 2026-03-07
refuse 3 "date:" "2026-04-06" "TARGET2" -- collect sepa --date 2026-04-06
refuse 3 "date:" "03/2026" -- collect sepa --date 03/2026
refuse 3 "writer: plugin no-such-writer: not found" -- collect sepa --date 2026-03-03 --writer no-such-writer
equal "no file written" "$(files)" ""

section "a dry run explains and writes nothing"
before=$(db_state)
run collect sepa --date 2026-03-03 --dry-run
expect_exit 0
expect_out "dry run \(nothing written\): 5 invoices, €1,188.05, would go in OWED-SDD-20260301-1"
expect_row D1 "F1 2026-02-01 €121.00 MNDT-D1 FRST OWED1-1-F1"
check "database unchanged by --dry-run" test "$(db_state)" == "$before"
equal "no file written by --dry-run" "$(files)" ""

section "collecting"
run collect sepa --date 2026-03-03
expect_exit 0
F=$OUTDIR/2026-03-03_OWED-SDD-20260301-1.xml
expect_line "collecting 5 invoices, €1,188.05, on 2026-03-03: $F"
expect_row D1 "F1 2026-02-01 €121.00 MNDT-D1 FRST OWED1-1-F1"
expect_row D2 "F4 2026-02-20 €1,000.00 M-D2 RCUR OWED1-4-F4"
check "disputed F6 skipped" grep -qE "^D4 +F6 .* skipped +disputed$" <<<"$OUT"
check "dollar F7 skipped" grep -qE "^D4 +F7 .* skipped +currency USD: SEPA direct debit collects EUR only$" <<<"$OUT"
check "second one-off F10 skipped" grep -qE "^D5 +F10 .* skipped +one-off mandate M-D5 is used by invoice F9$" <<<"$OUT"
check "lapsed M-D7 skipped" grep -qE "^D7 +F12 .* skipped +mandate M-D7 lapsed after 2025-01-10" <<<"$OUT"
check "revoked D3 not collected" bash -c "! grep -q F5 <<<'$OUT'"
check "no mandate, D6 not collected" bash -c "! grep -q F11 <<<'$OUT'"
check "not yet due F3 not collected" bash -c "! grep -q F3 <<<'$OUT'"
equal "one file" "$(files)" "$F"
check "no temporary file left" bash -c "! ls '$OUTDIR' | grep -q tmp"
valid "$F"

section "the file, figure by figure"
G=p:CstmrDrctDbtInitn/p:GrpHdr
P=p:CstmrDrctDbtInitn/p:PmtInf
equal "MsgId" "$(xq "$F" $G/p:MsgId)" "OWED-SDD-20260301-1"
check "CreDtTm is a date-time" grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$" <<<"$(xq "$F" $G/p:CreDtTm)"
equal "GrpHdr NbOfTxs" "$(xq "$F" $G/p:NbOfTxs)" 5
equal "GrpHdr CtrlSum" "$(xq "$F" $G/p:CtrlSum)" 1188.05
equal "InitgPty" "$(xq "$F" $G/p:InitgPty/p:Nm)" "Groothandel Noordzee BV"
equal "PmtInfId" "$(xq "$F" $P/p:PmtInfId)" "OWED-SDD-20260301-1-FRST|OWED-SDD-20260301-1-RCUR|OWED-SDD-20260301-1-OOFF"
equal "sequence types" "$(xq "$F" $P/p:PmtTpInf/p:SeqTp)" "FRST|RCUR|OOFF"
equal "PmtInf NbOfTxs" "$(xq "$F" $P/p:NbOfTxs)" "3|1|1"
equal "PmtInf CtrlSum" "$(xq "$F" $P/p:CtrlSum)" "178.05|1000.00|10.00"
equal "PmtMtd" "$(xq "$F" $P/p:PmtMtd)" "DD|DD|DD"
equal "scheme" "$(xq "$F" $P/p:PmtTpInf/p:LclInstrm/p:Cd)" "CORE|CORE|CORE"
equal "service level" "$(xq "$F" $P/p:PmtTpInf/p:SvcLvl/p:Cd)" "SEPA|SEPA|SEPA"
equal "collection date" "$(xq "$F" $P/p:ReqdColltnDt)" "2026-03-03|2026-03-03|2026-03-03"
equal "creditor" "$(xq "$F" "$P[1]/p:Cdtr/p:Nm")" "Groothandel Noordzee BV"
equal "creditor address" "$(xq "$F" "$P[1]/p:Cdtr/p:PstlAdr/p:AdrLine")" "Havenstraat 1|1011 AB Amsterdam"
equal "creditor IBAN" "$(xq "$F" "$P[1]/p:CdtrAcct/p:Id/p:IBAN")" NL91ABNA0417164300
equal "creditor BIC" "$(xq "$F" "$P[1]/p:CdtrAgt/p:FinInstnId/p:BIC")" ABNANL2A
equal "ChrgBr" "$(xq "$F" $P/p:ChrgBr)" "SLEV|SLEV|SLEV"
equal "creditor id" "$(xq "$F" "$P[1]/p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id")" NL79ZZZ999999990000
equal "creditor id scheme" "$(xq "$F" "$P[1]/p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:SchmeNm/p:Prtry")" SEPA
T=".//p:DrctDbtTxInf"
equal "end-to-end ids" "$(xq "$F" "$T/p:PmtId/p:EndToEndId")" "OWED1-1-F1|OWED1-2-F2|OWED1-3-F8|OWED1-4-F4|OWED1-5-F9"
equal "amounts" "$(xq "$F" "$T/p:InstdAmt")" "121.00|50.05|7.00|1000.00|10.00"
equal "currencies" "$(xq_attr "$F" "$T/p:InstdAmt" Ccy)" "EUR|EUR|EUR|EUR|EUR"
equal "mandate ids" "$(xq "$F" "$T/p:DrctDbtTx/p:MndtRltdInf/p:MndtId")" "MNDT-D1|MNDT-D1|M-D4|M-D2|M-D5"
equal "signature dates" "$(xq "$F" "$T/p:DrctDbtTx/p:MndtRltdInf/p:DtOfSgntr")" "2025-12-01|2025-12-01|2026-01-10|2026-01-05|2026-02-01"
equal "debtor BICs" "$(xq "$F" "$T/p:DbtrAgt/p:FinInstnId/p:BIC")" "RABONL2U|RABONL2U"
equal "no BIC: NOTPROVIDED" "$(xq "$F" "$T/p:DbtrAgt/p:FinInstnId/p:Othr/p:Id")" "NOTPROVIDED|NOTPROVIDED|NOTPROVIDED"
equal "debtor names" "$(xq "$F" "$T/p:Dbtr/p:Nm")" \
	"Cafe Elise & <Zonen>|Cafe Elise & <Zonen>|Visserij De Noordster|Backerei Muller GmbH|Kwekerij Zon"
check "& and < escaped in the file" grep -qF "<Nm>Cafe Elise &amp; &lt;Zonen&gt;</Nm>" "$F"
check "accents transliterated: no byte above ASCII" bash -c "! LC_ALL=C grep -q '[^ -~]' '$F'"
equal "debtor IBANs" "$(xq "$F" "$T/p:DbtrAcct/p:Id/p:IBAN")" \
	"NL44RABO0123456789|NL44RABO0123456789|NL20INGB0001234567|DE89370400440532013000|NL22TRIO0987654321"
equal "unstructured remittance" "$(xq "$F" "$T/p:RmtInf/p:Ustrd")" "Invoice F1|Invoice F8|Invoice F4|Invoice F9"
equal "RF reference" "$(xq "$F" "$T/p:RmtInf/p:Strd/p:CdtrRefInf/p:Ref")" RF18539007547034
equal "RF reference type" "$(xq "$F" "$T/p:RmtInf/p:Strd/p:CdtrRefInf/p:Tp/p:CdOrPrtry/p:Cd")" SCOR
equal "RF reference issuer" "$(xq "$F" "$T/p:RmtInf/p:Strd/p:CdtrRefInf/p:Tp/p:Issr")" ISO

section "recorded: mandates moved on, the dossier says so"
run debtor show D1 --json
expect_json .mandate.sequence RCUR .mandate.status active .mandate.last_collection 2026-03-03 \
	.mandate.valid_until 2029-03-03 .mandate.lapsed false
run debtor show D5 --json
expect_json .mandate.sequence OOFF .mandate.status used
run debtor show D6 --json
expect_json .mandate null
run dossier invoice F1
expect_out "invoice +collection sent +\{\"end_to_end\":\"OWED1-1-F1\",\"mandate\":\"MNDT-D1\",\"sequence\":\"FRST\",\"amount\":\"121.00\""
equal "collections" \
	"$(sqlite3 "$db" "SELECT group_concat(c, ' ') FROM (SELECT end_to_end || ':' || state AS c FROM collection ORDER BY end_to_end)")" \
	"OWED1-1-F1:sent OWED1-2-F2:sent OWED1-3-F8:sent OWED1-4-F4:sent OWED1-5-F9:sent"

section "a second run for the date collects nothing"
before=$(db_state)
run collect sepa --date 2026-03-03
expect_exit 0
expect_line "nothing to collect on 2026-03-03 (every candidate skipped, see why above)"
check "database unchanged" test "$(db_state)" == "$before"
equal "still one file" "$(files)" "$F"
run collect sepa --date 2026-03-10 --json
expect_exit 0
expect_json .transactions 0 .file "" .message_id "" .skipped 3

section "after the first collection a mandate is recurrent (RCUR)"
run invoice add --number F13 --debtor D1 --amount 33.33 --issue-date 2026-03-01 --due-date 2026-03-05
run collect sepa --date 2026-03-06 --out "$WORK/march.xml" --json
expect_exit 0
expect_json .transactions 1 .total 33.33 .message_id OWED-SDD-20260301-2 .file "$WORK/march.xml"
OUT=$(json .invoices)
json_select invoice F13
expect_json .sequence RCUR .end_to_end OWED2-1-F13 .outcome collected
valid "$WORK/march.xml"
equal "only an RCUR block" "$(xq "$WORK/march.xml" $P/p:PmtTpInf/p:SeqTp)" RCUR
equal "its amount" "$(xq "$WORK/march.xml" "$T/p:InstdAmt")" 33.33
run invoice add --number F14 --debtor D1 --amount 1.00 --issue-date 2026-03-01 --due-date 2026-03-05
refuse 4 "out:" "exists already" -- collect sepa --date 2026-03-06 --out "$WORK/march.xml"

section "a new mandate replaces the old one and starts with FRST"
run debtor mandate D1 --id MNDT-D1-2 --signed 2026-02-20 --iban NL02ABNA0123456789
expect_exit 0
expect_field "mandate use" "next FRST, last collection never, lapses after 2029-02-20"
run dossier debtor D1
expect_out "mandate +added .*\"replaces\":\"MNDT-D1\""
run debtor mandate D1 --id MNDT-D1-2 --signed 2026-02-20 --iban NL02ABNA0123456789 --bic ABNANL2A --json
expect_exit 0
expect_json .id MNDT-D1-2 .bic ABNANL2A .sequence FRST .status active
refuse 4 "id:" "MNDT-D1" "replaced" -- debtor mandate D1 --id MNDT-D1 --signed 2025-12-01 --iban NL44RABO0123456789
run collect sepa --date 2026-03-09
expect_exit 0
expect_row D1 "F14 2026-03-05 €1.00 MNDT-D1-2 FRST OWED3-1-F14"

finish
