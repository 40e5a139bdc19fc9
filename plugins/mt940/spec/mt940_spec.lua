-- mt940: parse and check with small hand-written fixtures (ING and Rabobank style :86:).
local testing = require("owed.testing")

-- ING SEPA style, in a SWIFT envelope; :86: wraps mid-word; a betalingskenmerk and a reversal.
-- 1000,00 + 250,00 - 99,95 - 12,50 = 1137,55
local ING = table.concat({
  "{1:F01INGBNL2AXXXX0000000000}{2:I940INGBNL2AXXXN}{4:",
  ":20:P260303000000001",
  ":25:NL20INGB0001234567EUR",
  ":28C:00042",
  ":60F:C260302EUR1000,00",
  ":61:2603030303C250,00NTRFEREF//00000000001005",
  "/TRCD/00100/",
  ":86:/EREF/E2E-77//CNTP/NL91ABNA0417164300/ABNANL2A/Jansen Hand",
  "el BV/Utrecht///REMI/USTD//Factuur 2026-001/",
  ":61:2603030303D99,95NTRF1070123412341234//00000000001006",
  ":86:/EREF/NOTPROVIDED//CNTP/NL44RABO0123456789/RABONL2U/KPN///REMI/ST",
  "RD/CUR/1070123412341234/",
  ":61:2603040304RC12,5NRTIEREF//00000000001007",
  ":86:/RTRN/MS03//REMI/USTD//Teruggeboekt/",
  ":62F:C260304EUR1137,55",
  "-}",
}, "\r\n")

-- Rabobank style: two statements, plain, /ORDP/ and /BENM/ with /NAME/ /REMI/
local RABO = table.concat({
  ":940:",
  ":20:940S260301",
  ":25:NL34RABO0142623393 EUR",
  ":28C:0",
  ":60F:C260228EUR000000000100,00",
  ":61:260301C000000000050,00N541NONREF",
  "NL66RABO0160878799",
  ":86:/ORDP//NAME/R. Smith/ADDR/Dorpsstraat 1 Utrecht/REMI/Invoice 17/ISDT/2026-03-01",
  ":62F:C260301EUR000000000150,00",
  ":20:940S260302",
  ":25:NL34RABO0142623393 EUR",
  ":28C:0",
  ":60F:C260301EUR000000000150,00",
  ":61:260302D000000000034,61N093NONREF",
  ":86:/BENM//NAME/Kosten/REMI/Periode 01-01-2026 t/m 31-03-2026/ISDT/20",
  "26-03-02",
  ":62F:C260302EUR000000000115,39",
}, "\n")

describe("mt940", function()
  local p
  before_each(function() p = testing.plugin("mt940") end)

  local function failure(text, opts)
    local ok, err = pcall(p.call, p, "parse", text, opts)
    assert.is_false(ok)
    return tostring(err)
  end

  it("reads an ING statement with structured :86:", function()
    local r = p:call("parse", ING)
    assert.are.equal("mt940", r.format)
    assert.are.equal(1, #r.statements)
    local s = r.statements[1]
    assert.are.equal("00042", s.id)
    assert.are.equal("P260303000000001", s.reference)
    assert.are.equal("NL20INGB0001234567", s.account)
    assert.are.equal("EUR", s.currency)
    assert.are.equal("1000.00 EUR", s.opening.amount)
    assert.are.equal("2026-03-02", s.opening.date)
    assert.are.equal("1137.55 EUR", s.closing.amount)
    assert.are.equal("2026-03-04", s.date)
    assert.are.equal(3, #s.entries)

    local e = s.entries[1]
    assert.are.equal("250.00 EUR", e.amount)
    assert.is_true(e.credit)
    assert.is_false(e.reversal)
    assert.are.equal("2026-03-03", e.value_date)
    assert.are.equal("2026-03-03", e.booking_date)
    assert.are.equal("00000000001005", e.reference)
    assert.are.equal("E2E-77", e.end_to_end)
    assert.are.same({ iban = "NL91ABNA0417164300", bic = "ABNANL2A", name = "Jansen Handel BV",
                      city = "Utrecht" }, e.counterparty)
    assert.are.equal("Factuur 2026-001", e.remittance)

    local d = s.entries[2]
    assert.are.equal("99.95 EUR", d.amount)
    assert.is_false(d.credit)
    assert.are.equal("1070123412341234", d.structured)
    assert.are.equal("betalingskenmerk", d.structured_scheme)
    assert.is_nil(d.end_to_end)
    assert.are.equal("KPN", d.counterparty.name)

    local rv = s.entries[3]
    assert.are.equal("12.50 EUR", rv.amount)      -- "12,5"
    assert.is_false(rv.credit)                    -- RC: reversal of a credit is a debit
    assert.is_true(rv.reversal)
    assert.are.equal("2026-03-04", rv.booking_date)
    assert.are.equal("MS03", rv.return_reason)
    assert.are.equal("Teruggeboekt", rv.remittance)
    assert.are.same({ ok = true }, p:call("check", r))
  end)

  it("reads Rabobank statements with /ORDP/ /BENM/ /NAME/ /REMI/", function()
    local r = p:call("parse", RABO)
    assert.are.equal(2, #r.statements)
    local s1, s2 = r.statements[1], r.statements[2]
    assert.are.equal("940S260301", s1.id)              -- :28C:0 says nothing, so :20:
    assert.are.equal("NL34RABO0142623393", s1.account)
    assert.are.equal("100.00 EUR", s1.opening.amount)
    assert.are.equal("150.00 EUR", s1.closing.amount)
    local e = s1.entries[1]
    assert.are.equal("50.00 EUR", e.amount)
    assert.is_nil(e.reference)                         -- NONREF
    assert.are.same({ iban = "NL66RABO0160878799", name = "R. Smith" }, e.counterparty)
    assert.are.equal("Invoice 17", e.remittance)
    local d = s2.entries[1]
    assert.are.equal("34.61 EUR", d.amount)
    assert.are.equal("Kosten", d.counterparty.name)
    assert.are.equal("Periode 01-01-2026 t/m 31-03-2026", d.remittance)
    assert.are.same({ ok = true }, p:call("check", r))
  end)

  it("reads free-text :86: and old Rabobank :61: counterparties", function()
    local old = table.concat({
      ":20:940A110617", ":25:1291.99.348EUR", ":28:00000/00", ":60F:C110616EUR1295,82",
      ":61:110617D000000000044,95N0600733959555      T-MOBILE NETHERLANDS BV",
      ":86:BETALINGSKENM.  123456789", ":86:FACTUURNUMMER 987654321",
      ":62F:C110617EUR1250,87" }, "\n")
    local s = p:call("parse", old).statements[1]
    assert.are.equal("1291.99.348", s.account)
    local e = s.entries[1]
    assert.are.same({ account = "0733959555", name = "T-MOBILE NETHERLANDS BV" }, e.counterparty)
    assert.are.equal("123456789", e.structured)
    assert.are.equal("BETALINGSKENM.  123456789 FACTUURNUMMER 987654321", e.remittance)
  end)

  it("reports a wrong closing balance with the figures", function()
    local r = p:call("parse", (RABO:gsub("115,39", "116,39")))
    local c = p:call("check", r)
    assert.is_false(c.ok)
    assert.are.same({ "statement 940S260302: opening 150.00 + entries -34.61 = 115.39, closing says 116.39" },
                    c.problems)
  end)

  it("refuses impossible dates and broken lines, naming the line", function()
    assert.matches("mt940: line 6: :61: value date '260230' is 2026%-02%-30, a day that does not exist",
                   failure((RABO:gsub(":61:260301C", ":61:260230C"))))
    assert.matches("mt940: line 5: :60F: 'C260228EUR' is not a balance",
                   failure((RABO:gsub("C260228EUR000000000100,00", "C260228EUR"))))
    assert.matches("line 6: :61: .*no C/D/RC/RD mark", failure((RABO:gsub("260301C0000", "260301X0000"))))
  end)

  it("refuses text without statements and amounts with too many decimals", function()
    assert.matches("no statement found", failure("hello\nworld\n"))
    assert.matches("line 5: amount '100.001' has 3 decimals, EUR has 2",
                   failure((RABO:gsub("C260228EUR000000000100,00", "C260228EUR100,001"))))
  end)
end)
