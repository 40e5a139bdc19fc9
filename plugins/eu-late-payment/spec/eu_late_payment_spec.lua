-- eu-late-payment: exact amounts, each worked out by hand. Amounts come back as text.
local testing = require("owed.testing")

local function eur(s) return owed.money(s .. " EUR") end

local function hu(cents, rate, days)   -- rate in hundredths of a percent; half-up
  local den = 10000 * 365
  return (cents * rate * days * 2 + den) // (2 * den)
end

describe("eu-late-payment", function()
  local p
  before_each(function() p = testing.plugin("eu-late-payment") end)

  local function interest(principal, from, to)
    return p:call("interest", { principal = eur(principal), from = from, to = to })
  end
  local function failure(hook, a)
    local ok, err = pcall(p.call, p, hook, a)
    assert.is_false(ok)
    return err
  end
  local function summary(r)
    local out = {}
    for i, x in ipairs(r.periods) do
      out[i] = { x.from, x.days, x.reference, x.rate, x.amount }
    end
    return out
  end

  it("adds 8 points to the reference rate (2025: same as 6:119a BW, 1,064.59)", function()
    local r = interest("10000.00", "2025-01-01", "2026-01-01")
    -- 181 d at 3.15 + 8 = 11.15%: 552.9178 -> 552.92; 184 d at 2.15 + 8 = 10.15%: 511.67
    assert.are.same({ 55292, 51167 }, { hu(1000000, 1115, 181), hu(1000000, 1015, 184) })
    assert.are.equal("1064.59 EUR", r.amount)
    assert.are.same({
      { "2025-01-01", 181, "3.15", "11.15", "552.92 EUR" },
      { "2025-07-01", 184, "2.15", "10.15", "511.67 EUR" },
    }, summary(r))
    assert.is_nil(r.unverified)
  end)

  it("uses the 1 January rate for all of H1 2013 (no 16 March change)", function()
    local r = interest("10000.00", "2013-02-01", "2013-08-01")
    -- 2013-02-01..06-30: 28+31+30+31+30 = 150 d at 0.75 + 8 = 8.75%: 359.5890 -> 359.59
    -- 2013-07-01..07-31: 31 d at 0.50 + 8 = 8.50%: 72.1918 -> 72.19
    assert.are.same({ 35959, 7219 }, { hu(1000000, 875, 150), hu(1000000, 850, 31) })
    assert.are.equal("431.78 EUR", r.amount)
    assert.are.same({
      { "2013-02-01", 150, "0.75", "8.75", "359.59 EUR" },
      { "2013-07-01", 31, "0.50", "8.50", "72.19 EUR" },
    }, summary(r))
  end)

  it("splits at every semester, simple interest (2024, a leap year)", function()
    local r = interest("10000.00", "2024-01-01", "2025-01-01")
    -- 182 d at 12.50%: 623.2877 -> 623.29; 184 d at 12.25%: 617.5342 -> 617.53
    assert.are.same({ 62329, 61753 }, { hu(1000000, 1250, 182), hu(1000000, 1225, 184) })
    assert.are.equal("1240.82 EUR", r.amount)
    r = interest("10000.00", "2016-07-01", "2017-07-01")
    -- a zero reference rate: 8%; 184 d 403.2877 -> 403.29; 181 d 396.7123 -> 396.71
    assert.are.same({ 40329, 39671 }, { hu(1000000, 800, 184), hu(1000000, 800, 181) })
    assert.are.equal("800.00 EUR", r.amount)
    assert.are.same({
      { "2016-07-01", 184, "0.00", "8.00", "403.29 EUR" },
      { "2017-01-01", 181, "0.00", "8.00", "396.71 EUR" },
    }, summary(r))
  end)

  it("marks unverified and carried-forward rates", function()
    local r = interest("10000.00", "2026-06-01", "2026-08-01")
    assert.is_true(r.periods[1].unverified)                  -- the 2026-01-01 row
    assert.is_true(r.periods[2].unverified)                  -- past known_through
    assert.are.equal("169.63 EUR", r.amount)                 -- 83.42 + 86.21 at 10.15%
  end)

  it("refuses what it cannot compute", function()
    assert.truthy(failure("interest", { principal = owed.money("100.00 USD"), from = "2025-01-01",
                                        to = "2025-02-01" })
                  :find("eu-late-payment.interest: principal must be an owed.money in EUR, got " ..
                        "100.00 USD", 1, true))
    assert.truthy(failure("interest", { principal = eur("1.00"), from = "2012-12-31",
                                        to = "2013-02-01" })
                  :find("no rate for 2012-12-31: the table in rates.lua starts at 2013-01-01",
                        1, true))
    assert.truthy(failure("interest", { principal = eur("1.00"), from = "2025-02-01",
                                        to = "2025-01-01" })
                  :find("to (2025-01-01) is before from (2025-02-01)", 1, true))
    assert.are.equal("0.00 EUR", interest("1.00", "2025-01-01", "2025-01-01").amount)
  end)

  it("adds 40.00 per invoice", function()
    assert.are.equal("40.00 EUR", p:call("compensation", {}).amount)
    assert.are.equal("40.00 EUR", p:call("compensation").amount)
    assert.are.equal("80.00 EUR", p:call("compensation", { invoices = 2 }).amount)
  end)
end)
