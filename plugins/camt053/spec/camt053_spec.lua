-- camt053: parse and check with small hand-written fixtures.
-- Amounts come back from p:call as text ("150.00 EUR").
local testing = require("owed.testing")

local function doc(version, body)
  return '<?xml version="1.0" encoding="UTF-8"?>\n' ..
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.' .. version .. '">' ..
    '<BkToCstmrStmt><GrpHdr><MsgId>MSG1</MsgId><CreDtTm>2026-03-03T08:00:00</CreDtTm></GrpHdr>' ..
    body .. '</BkToCstmrStmt></Document>'
end

local function bal(code, amt, ind, date)
  return '<Bal><Tp><CdOrPrtry><Cd>' .. code .. '</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">' .. amt ..
         '</Amt><CdtDbtInd>' .. ind .. '</CdtDbtInd><Dt><Dt>' .. date .. '</Dt></Dt></Bal>'
end

local function stmt(id, opening, closing, entries)
  return '<Stmt><Id>' .. id .. '</Id><ElctrncSeqNb>7</ElctrncSeqNb>' ..
    '<Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>' ..
    bal("PRCD", opening, "CRDT", "2026-03-01") .. bal("CLBD", closing, "CRDT", "2026-03-02") ..
    entries .. '</Stmt>'
end

-- a single credit from a debtor with a structured RF reference
local SINGLE = [[<Ntry><NtryRef>N1</NtryRef><Amt Ccy="EUR">121.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
  <RvslInd>false</RvslInd><Sts>BOOK</Sts>
  <BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><DtTm>2026-03-01T10:00:00</DtTm></ValDt>
  <AcctSvcrRef>BANKREF-1</AcctSvcrRef>
  <NtryDtls><TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs>
    <RltdPties><Dbtr><Nm>Jansen BV</Nm></Dbtr><DbtrAcct><Id><IBAN>NL02RABO0123456789</IBAN></Id></DbtrAcct>
      <Cdtr><Nm>Us</Nm></Cdtr></RltdPties>
    <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>
      <Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>
  </TxDtls></NtryDtls></Ntry>]]

-- a batch of two direct debits collected, booked as one credit with unstructured remittance
local BATCH = [[<Ntry><Amt Ccy="EUR">80.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
  <BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-02</Dt></ValDt><AcctSvcrRef>BATCH-9</AcctSvcrRef>
  <NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>
    <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">50.00</Amt></TxAmt></AmtDtls>
      <RltdPties><Dbtr><Nm>A. de Vries</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Invoice 2026-001</Ustrd></RmtInf></TxDtls>
    <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">30.50</Amt></TxAmt></AmtDtls>
      <RltdPties><Dbtr><Nm>B. Peeters</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Invoice 2026-002</Ustrd></RmtInf></TxDtls>
  </NtryDtls></Ntry>]]

-- the reversal of an earlier credit: booked as a debit
local REVERSAL = [[<Ntry><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>
  <BookgDt><Dt>2026-03-03</Dt></BookgDt><ValDt><Dt>2026-03-03</Dt></ValDt><AcctSvcrRef>RV-1</AcctSvcrRef>
  <NtryDtls><TxDtls><RltdPties><Cdtr><Nm>Kees</Nm></Cdtr><CdtrAcct><Id><IBAN>BE68539007547034</IBAN></Id></CdtrAcct></RltdPties>
  <RmtInf><Ustrd>Returned: </Ustrd><Ustrd>wrong account</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>]]

-- statement 1: 1000.00 + 121.00 + 80.50 = 1201.50; statement 2: 1201.50 - 10.00 = 1191.50
local TWO = doc("02", stmt("S-1", "1000.00", "1201.50", SINGLE .. BATCH) ..
                      stmt("S-2", "1201.50", "1191.50", REVERSAL))

describe("camt053", function()
  local p
  before_each(function() p = testing.plugin("camt053") end)

  local function failure(text, opts)
    local ok, err = pcall(p.call, p, "parse", text, opts)
    assert.is_false(ok)
    return tostring(err)
  end

  it("reads two statements with a batch, a reversal and both kinds of remittance", function()
    local r = p:call("parse", TWO)
    assert.are.equal("camt.053.001.02", r.format)
    assert.are.equal(2, #r.statements)
    local s1, s2 = r.statements[1], r.statements[2]
    assert.are.equal("S-1", s1.id)
    assert.are.equal("NL91ABNA0417164300", s1.account)
    assert.are.equal("EUR", s1.currency)
    assert.are.equal("2026-03-02", s1.date)
    assert.are.equal("1000.00 EUR", s1.opening.amount)
    assert.are.equal("2026-03-01", s1.opening.date)
    assert.are.equal("1201.50 EUR", s1.closing.amount)
    assert.are.equal(2, #s1.entries)

    local e = s1.entries[1]
    assert.are.equal("121.00 EUR", e.amount)
    assert.is_true(e.credit)
    assert.is_false(e.reversal)
    assert.are.equal("2026-03-02", e.booking_date)
    assert.are.equal("2026-03-01", e.value_date)      -- from ValDt/DtTm
    assert.are.equal("BANKREF-1", e.reference)
    assert.are.equal("E2E-1", e.end_to_end)
    assert.are.same({ name = "Jansen BV", iban = "NL02RABO0123456789" }, e.counterparty)
    assert.are.equal("RF18539007547034", e.structured)
    assert.are.equal("rf", e.structured_scheme)
    assert.is_nil(e.remittance)
    assert.is_nil(e.batch)

    local b = s1.entries[2]
    assert.are.equal("80.50 EUR", b.amount)
    assert.are.equal(2, b.batch)
    assert.are.equal("BATCH-9", b.reference)
    assert.are.equal(2, #b.details)
    assert.are.equal("50.00 EUR", b.details[1].amount)
    assert.are.equal("Invoice 2026-001", b.details[1].remittance)
    assert.are.equal("B. Peeters", b.details[2].counterparty.name)

    assert.are.equal("S-2", s2.id)
    assert.are.equal(1, #s2.entries)
    local rv = s2.entries[1]
    assert.are.equal("10.00 EUR", rv.amount)
    assert.is_false(rv.credit)
    assert.is_true(rv.reversal)
    assert.are.equal("Returned: wrong account", rv.remittance)
    assert.are.same({ name = "Kees", iban = "BE68539007547034" }, rv.counterparty)
  end)

  it("reads the 001.04 and 001.08 forms (Pty/Nm, Sts/Cd, prefixed root)", function()
    local v8 = doc("08", stmt("S-8", "0.00", "5.00",
      [[<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-03-02</Dt></BookgDt><NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>Pty Name</Nm></Pty></Dbtr></RltdPties>
        <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp><Ref>1234567890123456</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls></Ntry>]]))
    local r = p:call("parse", v8)
    assert.are.equal("camt.053.001.08", r.format)
    local e = r.statements[1].entries[1]
    assert.are.equal("Pty Name", e.counterparty.name)
    assert.are.equal("1234567890123456", e.structured)
    assert.are.equal("betalingskenmerk", e.structured_scheme)
    assert.are.equal("BOOK", e.status)

    local prefixed = doc("04", stmt("S-4", "1.00", "1.00", ""))
      :gsub("<Document xmlns=", "<c:Document xmlns:c="):gsub("</Document>", "</c:Document>")
    prefixed = prefixed:gsub("<(/?)(%u%a+)", function(sl, n) return "<" .. sl .. "c:" .. n end)
      :gsub("<c:Document", "<c:Document", 1)
    r = p:call("parse", prefixed)
    assert.are.equal("camt.053.001.04", r.format)
    assert.are.equal(0, #r.statements[1].entries)
  end)

  it("checks the balances", function()
    local r = p:call("parse", TWO)
    assert.are.same({ ok = true }, p:call("check", r))
    local wrong = p:call("parse", doc("02", stmt("S-X", "100.00", "160.00",
      [[<Ntry><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>]])))
    local c = p:call("check", wrong)
    assert.is_false(c.ok)
    assert.are.same({ "statement S-X: opening 100.00 + entries 50.00 = 150.00, closing says 160.00" }, c.problems)
  end)

  it("takes OPBD before PRCD and signs DBIT balances", function()
    local x = doc("02", '<Stmt><Id>B</Id><Acct><Id><Othr><Id>123-456</Id></Othr></Id></Acct>' ..
      bal("PRCD", "9.99", "CRDT", "2026-03-01") .. bal("OPBD", "12.00", "DBIT", "2026-03-01") ..
      bal("CLBD", "12.00", "DBIT", "2026-03-02") .. '</Stmt>')
    local s = p:call("parse", x).statements[1]
    assert.are.equal("-12.00 EUR", s.opening.amount)
    assert.are.equal("-12.00 EUR", s.closing.amount)
    assert.are.equal("123-456", s.account)
    assert.are.equal("EUR", s.currency)
  end)

  it("accepts extra zero decimals, refuses others unless opts.round", function()
    local function one(amt)
      return doc("02", stmt("D", "0.000", amt, '<Ntry><Amt Ccy="EUR">' .. amt ..
                 '</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>'))
    end
    assert.are.equal("18.15 EUR", p:call("parse", one("18.150")).statements[1].entries[1].amount)
    local err = failure(one("18.155"))
    assert.matches("Stmt%[1%]/Bal%[2%]/Amt", err)
    assert.matches("'18.155' has 3 decimals, EUR has 2", err)
    assert.are.equal("18.16 EUR", p:call("parse", one("18.155"), { round = true }).statements[1].closing.amount)
  end)

  it("refuses malformed input, naming the place", function()
    assert.matches("camt053: the XML is not well%-formed: .*line %d+ column %d+", failure(TWO:sub(1, 700)))
    assert.matches("unsupported version camt.053.001.05 %(expected 001.02, 001.04 or 001.08%)",
                   failure((TWO:gsub("001%.02", "001.05"))))
    assert.matches("is not camt.053", failure('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>'))
  end)

  it("refuses impossible dates and bad indicators, naming the element", function()
    local bad_date = TWO:gsub("<BookgDt><Dt>2026%-03%-03</Dt>", "<BookgDt><Dt>2026-02-30</Dt>")
    local err = failure(bad_date)
    assert.matches("Stmt%[2%]/Ntry%[1%]/BookgDt: '2026%-02%-30' is not a date that exists", err)
    err = failure((TWO:gsub("<CdtDbtInd>CRDT</CdtDbtInd>\n  <RvslInd>", "<CdtDbtInd>CR</CdtDbtInd><RvslInd>")))
    assert.matches("Stmt%[1%]/Ntry%[1%]: CdtDbtInd is 'CR' %(expected CRDT or DBIT%)", err)
  end)

  it("refuses what is not text", function()
    assert.matches("parse expects the file's text", failure(nil))
  end)
end)
