-- mt940 conformance: every public sample in ../shared/testdata/mt940 against SOURCES.md.

-- stmts, entries per statement, first opening (+date), last closing (+date), problems from check()
local FACTS = {
  ["abnamro.sta"] = { stmts = 2, entries = { 8, 2 }, opening = "3236.28 EUR", opening_date = "2011-05-22",
    closing = "1849.75 EUR",
    problems = { "statement 19321/1: opening 3236.28 + entries -321.44 = 2914.84, closing says 876.84",
                 "statement 19322/1: opening 2876.84 + entries -24.49 = 2852.35, closing says 1849.75" },
    more = function(r)
      assert.are.equal("876.84 EUR", r.statements[1].closing.amount)
      assert.are.equal("2876.84 EUR", r.statements[2].opening.amount)
      assert.are.equal("9.00 EUR", r.statements[1].entries[1].amount)
      assert.are.equal("11.80 EUR", r.statements[1].entries[4].amount)
      assert.are.equal("000000042188659", r.statements[1].entries[1].structured)
    end },
  ["rabobank.sta"] = { stmts = 4, entries = { 1, 0, 2, 2 }, opening = "473.17 EUR", opening_date = "2011-06-14",
    closing = "4101.82 EUR", closing_date = "2012-08-29",
    problems = { "statement 940A110615: opening 473.17 + entries -1213.28 = -740.11, closing says 395.82",
                 "statement 940A110617: opening 1295.82 + entries -281.51 = 1014.31, closing says 1250.87" },
    more = function(r)
      assert.are.equal("1291.99.348", r.statements[1].account)
      assert.are.equal("1526.89.184", r.statements[4].account)
      assert.are.equal("123456789", r.statements[3].entries[1].structured)
      assert.are.equal("173787046000009", r.statements[4].entries[1].structured)
    end },
  ["triodos.sta"] = { stmts = 1, entries = { 2 }, opening = "4975.09 EUR", opening_date = "2011-01-01",
    closing = "4370.79 EUR", closing_date = "2011-02-01",
    problems = { "statement 1: opening 4975.09 + entries -715.70 = 4259.39, closing says 4370.79" } },
  ["sns.sta"] = { stmts = 2, entries = { 2, 0 }, opening = "1234.56 EUR", opening_date = "2012-06-08",
    closing = "1209.56 EUR",
    more = function(r)
      assert.are.equal("20.00 EUR", r.statements[1].entries[1].amount)
      assert.are.equal("5.00 EUR", r.statements[1].entries[2].amount)
    end },
  ["knab.sta"] = { stmts = 2, entries = { 1, 2 }, opening = "0.00 EUR", closing = "798.98 EUR",
    problems = { "statement 999/1: opening 3058.98 + entries -6760.00 = -3701.02, closing says 798.98" },
    more = function(r)
      assert.are.equal("500.00 EUR", r.statements[1].closing.amount)
      assert.are.equal("2014-07-29", r.statements[2].opening.date)
      assert.are.equal("500.00 EUR", r.statements[2].entries[2].amount)   -- "C500NTRF", no comma
    end },
  ["ing.sta"] = { stmts = 1, entries = { 7 }, opening = "0.00 EUR", opening_date = "2010-07-22",
    closing = "3.47 EUR", closing_date = "2010-07-23",
    problems = { "statement MPBZ: opening 0.00 + entries -45.59 = -45.59, closing says 3.47" } },
  ["asnb-mt940.txt"] = { stmts = 31, entries_total = 8, opening = "444.29 EUR", opening_date = "2020-01-01",
    closing = "501.23 EUR", closing_date = "2020-01-31", account = "NL81ASNB9999999999",
    more = function(r)
      local empty = 0
      for _, s in ipairs(r.statements) do if #s.entries == 0 then empty = empty + 1 end end
      assert.are.equal(26, empty)
      assert.are.equal("1/1", r.statements[1].id)
      assert.are.equal("31/1", r.statements[31].id)
    end },
  ["test-ing.940"] = { stmts = 1, entries = { 8 }, opening = "662.23 EUR", opening_date = "2014-02-19",
    closing = "564.35 EUR", closing_date = "2014-02-20", account = "NL77INGB0574908765",
    more = function(r)
      local credits, debits, refs = 0, 0, {}
      for _, e in ipairs(r.statements[1].entries) do
        if e.credit then credits = credits + 1 else debits = debits + 1 end
        if e.structured then refs[#refs + 1] = e.structured end
      end
      assert.are.equal(4, credits); assert.are.equal(4, debits)
      assert.are.same({ "9001123412341234", "1070123412341234" }, refs)
      assert.are.equal("Factuurnr 123456 Klantnr 00123", r.statements[1].entries[3].remittance)
      assert.are.equal("564.35 EUR", r.statements[1].available.amount)
    end },
  ["test-rabo.swi"] = { stmts = 4, entries = { 1, 0, 1, 0 }, opening = "4433.52 EUR", opening_date = "2013-12-31",
    closing = "4798.91 EUR", closing_date = "2014-01-07", account = "NL34RABO0142623393",
    more = function(r)
      assert.are.equal("400.00 EUR", r.statements[1].entries[1].amount)
      assert.are.equal("34.61 EUR", r.statements[3].entries[1].amount)
      assert.are.equal("R. SMITH", r.statements[1].entries[1].counterparty.name)
    end },
  ["Voorbeeld MT-940.mt940"] = { stmts = 1, entries = { 21 }, opening = "0.00 EUR", opening_date = "2016-09-01",
    closing = "-1350.26 EUR",
    more = function(r)
      local credits = 0
      for _, e in ipairs(r.statements[1].entries) do if e.credit then credits = credits + 1 end end
      assert.are.equal(19, credits)
      assert.are.equal("Order 123", r.statements[1].entries[1].remittance)
    end },
}

require("owed.statement.testing").conformance{
  describe = describe, it = it, before_each = before_each,
  plugin = "mt940", folder = "mt940", facts = FACTS,
  expect = function(r, f)
    assert.are.equal("mt940", r.format)
    assert.are.equal(f.stmts, #r.statements)
    local total = 0
    for i, s in ipairs(r.statements) do
      total = total + #s.entries
      if f.entries then assert.are.equal(f.entries[i], #s.entries) end
      assert.are.equal("EUR", s.currency)
    end
    if f.entries_total then assert.are.equal(f.entries_total, total) end
    local first, last = r.statements[1], r.statements[#r.statements]
    if f.account then assert.are.equal(f.account, first.account) end
    assert.are.equal(f.opening, first.opening.amount)
    if f.opening_date then assert.are.equal(f.opening_date, first.opening.date) end
    assert.are.equal(f.closing, last.closing.amount)
    if f.closing_date then assert.are.equal(f.closing_date, last.closing.date) end
  end,
}
