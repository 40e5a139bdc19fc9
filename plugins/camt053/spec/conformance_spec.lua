-- camt053 conformance: every public sample in ../shared/testdata/camt053 against the facts in
-- its SOURCES.md (owed.statement.testing reads them; the plugin only gets the text).

-- facts from SOURCES.md; reconciles = false means check() must report the figures
local FACTS = {
  ["test-camt053.xml"] = { format = "camt.053.001.02", stmts = 1, entries = { 3 },
    id = "1234Test/1", account = "NL77ABNA0574908765", opening = "15568.27 EUR", opening_date = "2014-01-05",
    closing = "15121.12 EUR",
    problem = "statement 1234Test/1: opening 15568.27 + entries -12.99 = 15555.28, closing says 15121.12",
    more = function(r)
      local e = r.statements[1].entries
      assert.are.equal("754.25 EUR", e[1].amount); assert.is_false(e[1].credit)
      assert.are.equal("664.05 EUR", e[2].amount); assert.are.equal(2, e[2].batch)
      assert.are.equal("1405.31 EUR", e[3].amount); assert.is_true(e[3].credit)
      assert.are.equal("Insurance policy 857239PERIOD 01.01.2014 - 31.12.2014", e[1].remittance)
      assert.are.equal("Direct Debit S14 0410", e[2].details[1].remittance)
    end },
  ["test-camt053-txdtls"] = { format = "camt.053.001.04", stmts = 1, entries = { 1 },
    id = "20170323123456789012345", account = "CH1111000000123456789", currency = "CHF",
    opening = "75960.15 CHF", opening_date = "2017-03-22", closing = "79443.15 CHF",
    more = function(r)
      local e = r.statements[1].entries[1]
      assert.are.equal("3483.00 CHF", e.amount); assert.are.equal(2, e.batch)
      assert.are.equal("302388292000011111111111111", e.details[1].structured)
      assert.are.equal("302388292000022222222222222", e.details[2].structured)
    end },
  ["test-camt053-no-ntry"] = { format = "camt.053.001.04", stmts = 1, entries = { 0 },
    id = "1234Test/1", currency = "CHF", opening = "1520.76 CHF", closing = "1520.76 CHF", date = "2014-01-05" },
  ["camt053.v2.minimal.xml"] = { format = "camt.053.001.02", stmts = 1, entries = { 1 },
    account = "NL26VAYB8060476890", opening = "18.15 EUR", opening_date = "2014-12-30",
    closing = "-27.00 SEK", date = "2014-12-31",
    problem = "statement 253EURNL26VAYB8060476890: currencies differ: opening 18.15 EUR, closing -27.00 SEK",
    more = function(r)
      local e = r.statements[1].entries[1]
      assert.are.equal("8.85 EUR", e.amount); assert.is_true(e.credit)
      assert.are.equal("4654654654654654", e.structured); assert.are.equal("ogm", e.structured_scheme)
    end },
  ["camt053.v2.multi.statement.xml"] = { format = "camt.053.001.02", stmts = 2, entries = { 1, 1 },
    account = "NL26VAYB8060476890", opening = "18.15 EUR", closing = "27.00 EUR",
    more = function(r)
      local s2 = r.statements[2]
      assert.are.equal("27.00 EUR", s2.opening.amount); assert.are.equal("20.00 EUR", s2.closing.amount)
      assert.are.equal("7.00 EUR", s2.entries[1].amount); assert.is_false(s2.entries[1].credit)
    end },
  ["camt053.v2.five.decimals.xml"] = { format = "camt.053.001.02", stmts = 1, entries = { 1 },
    opening = "18.15 EUR", closing = "27.05 EUR",
    problem = "statement 253EURNL26VAYB8060476890: opening 18.15 + entries 8.85 = 27.00, closing says 27.05" },
  ["camt053.v2.all-balance-types.xml"] = { format = "camt.053.001.02", stmts = 1, entries = { 1 },
    id = "CAMT0532015012200001", account = "CH2801234000123456789", opening = "1.01 EUR",
    opening_date = "2015-01-21", closing = "4.04 EUR",
    problem = "statement CAMT0532015012200001: opening 1.01 + entries 8.85 = 9.86, closing says 4.04" },
  ["camt053.v4.xml"] = { format = "camt.053.001.04", stmts = 1, entries = { 1 },
    account = "NL26VAYB8060476890", opening = "18.15 EUR", closing = "-27.00 SEK", date = "2014-12-30",
    problem = "statement 253EURNL26VAYB8060476890: currencies differ: opening 18.15 EUR, closing -27.00 SEK" },
  ["camt053.v8.xml"] = { format = "camt.053.001.08", stmts = 1, entries = { 1 },
    account = "NL26VAYB8060476890", opening = "18.15 EUR", closing = "-27.00 SEK", date = "2014-12-30",
    problem = "statement 253EURNL26VAYB8060476890: currencies differ: opening 18.15 EUR, closing -27.00 SEK",
    more = function(r) assert.are.equal("4654654654654654", r.statements[1].entries[1].structured) end },
  ["camt053.xml"] = { format = "camt.053.001.08", stmts = 1, entries = { 1 },
    account = "0035-2915203-10-000", currency = "CHF", opening = "832.01 CHF", closing = "2116.31 CHF",
    date = "2023-01-25",
    more = function(r)
      local e = r.statements[1].entries[1]
      assert.are.equal("1284.30 CHF", e.amount); assert.are.equal("PAYMENT INFO", e.remittance)
      assert.are.equal("BOOK", e.status)
    end },
}

require("owed.statement.testing").conformance{
  describe = describe, it = it, before_each = before_each,
  plugin = "camt053", folder = "camt053", facts = FACTS,
  expect = function(r, f)
    assert.are.equal(f.format, r.format)
    assert.are.equal(f.stmts, #r.statements)
    for i, n in ipairs(f.entries) do assert.are.equal(n, #r.statements[i].entries) end
    local s = r.statements[1]
    if f.id then assert.are.equal(f.id, s.id) end
    if f.account then assert.are.equal(f.account, s.account) end
    assert.are.equal(f.currency or "EUR", s.currency)
    assert.are.equal(f.opening, s.opening.amount)
    if f.opening_date then assert.are.equal(f.opening_date, s.opening.date) end
    assert.are.equal(f.closing, s.closing.amount)
    if f.date then assert.are.equal(f.date, s.closing.date) end
  end,
}
