-- coda conformance: every public sample in ../shared/testdata/coda against SOURCES.md.

local FACTS = {
  ["Coda_v2_3_multi_statements.txt"] = {
    { id = "042", account = "BE86407051416150", entries = 17, opening = "0.00 EUR", opening_date = "2009-03-04",
      closing = "0.00 EUR", closing_date = "2009-03-05", globalised = 2 },
    { id = "053", account = "BE12341702625236", entries = 11, opening = "19338.09 EUR", opening_date = "2013-12-23",
      closing = "10807.81 EUR", closing_date = "2013-12-24", globalised = 1 },
    more = function(r)
      local typed = {}
      for _, e in ipairs(r.statements[1].entries) do
        for _, x in ipairs({ e, table.unpack(e.details or {}) }) do
          if x.communication_type then typed[x.communication_type] = (typed[x.communication_type] or 0) + 1 end
        end
      end
      assert.are.same({ ["107"] = 1, ["114"] = 12 }, typed)
    end },
  ["Coda_v2_3_globalisation.txt"] = {
    { id = "159", account = "BE12341676096039", entries = 4, opening = "-455.17 EUR", opening_date = "2014-12-09",
      closing = "275270.53 EUR", closing_date = "2014-12-10", globalised = 1 },
    more = function(r)
      local e = r.statements[1].entries[3]
      assert.are.equal(1, e.batch)
      assert.are.equal("0002", e.details[1].detail)
      assert.are.equal("105", e.details[1].communication_type)
    end },
  ["Coda_foreign_account.txt"] = {
    { id = "024", account = "FR1234567890240924002304825", entries = 2, opening = "443390.70 EUR",
      opening_date = "2018-02-01", closing = "443346.30 EUR", closing_date = "2018-02-02" },
    more = function(r)
      local e = r.statements[1].entries
      assert.are.equal("37.00 EUR", e[1].amount); assert.are.equal("7.40 EUR", e[2].amount)
    end },
}

require("owed.statement.testing").conformance{
  describe = describe, it = it, before_each = before_each,
  plugin = "coda", folder = "coda", facts = FACTS,
  expect = function(r, f)
    -- all three reconcile on their main movements
    assert.are.equal("coda", r.format)
    assert.are.equal(#f, #r.statements)
    for i, want in ipairs(f) do
      local s = r.statements[i]
      assert.are.equal(want.id, s.id)
      assert.are.equal(want.account, s.account)
      assert.are.equal("EUR", s.currency)
      assert.are.equal(want.entries, #s.entries)
      assert.are.equal(want.opening, s.opening.amount)
      assert.are.equal(want.opening_date, s.opening.date)
      assert.are.equal(want.closing, s.closing.amount)
      assert.are.equal(want.closing_date, s.closing.date)
      local g = 0
      for _, e in ipairs(s.entries) do if e.globalisation then g = g + 1 end end
      assert.are.equal(want.globalised or 0, g)
    end
  end,
}
