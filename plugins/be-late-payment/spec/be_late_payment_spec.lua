-- be-late-payment: exact amounts, each worked out by hand. Amounts come back as text.
local testing = require("owed.testing")

local function eur(s) return owed.money(s .. " EUR") end

-- Independent check in integer arithmetic: cents x rate (hundredths of a percent) x days
-- / (10,000 x 365), half-up.
local function hu(cents, rate, days)
  local den = 10000 * 365
  return (cents * rate * days * 2 + den) // (2 * den)
end

describe("be-late-payment", function()
  local p
  before_each(function() p = testing.plugin("be-late-payment") end)

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
    for i, x in ipairs(r.periods) do out[i] = { x.from, x.to, x.days, x.rate, x.amount } end
    return out
  end

  it("splits at semester boundaries across a rate change (10,000 from 2024-11-15)", function()
    local r = interest("10000.00", "2024-11-15", "2025-08-01")
    -- 2024-11-15..12-31: 16+31 = 47 d at 12.5%: 10,000 x 0.125 x 47/365 = 160.9589 -> 160.96
    -- 2025-01-01..06-30: 181 d at 11.5% (unverified): 570.2740 -> 570.27
    -- 2025-07-01..07-31: 31 d at 10.5%: 89.1781 -> 89.18
    assert.are.same({ 16096, 57027, 8918 },
                    { hu(1000000, 1250, 47), hu(1000000, 1150, 181), hu(1000000, 1050, 31) })
    assert.are.equal("820.41 EUR", r.amount)
    assert.are.same({
      { "2024-11-15", "2025-01-01", 47, "12.50", "160.96 EUR" },
      { "2025-01-01", "2025-07-01", 181, "11.50", "570.27 EUR" },
      { "2025-07-01", "2025-08-01", 31, "10.50", "89.18 EUR" },
    }, summary(r))
    assert.is_true(r.periods[2].unverified)
    assert.is_nil(r.periods[1].unverified)
    assert.is_true(r.unverified)
    assert.are.equal("actual/365", r.day_count)
  end)

  it("splits every semester even when the rate stays (2024 at 12.5%, a leap year)", function()
    local r = interest("10000.00", "2024-01-01", "2025-01-01")
    -- 182 d: 623.2877 -> 623.29; 184 d: 630.1370 -> 630.14; 1,253.43
    -- (one period of 366 d would be 1,253.4247 -> 1,253.42)
    assert.are.same({ 62329, 63014 }, { hu(1000000, 1250, 182), hu(1000000, 1250, 184) })
    assert.are.equal("1253.43 EUR", r.amount)
    assert.are.same({
      { "2024-01-01", "2024-07-01", 182, "12.50", "623.29 EUR" },
      { "2024-07-01", "2025-01-01", 184, "12.50", "630.14 EUR" },
    }, summary(r))
  end)

  it("uses 8% from H2 2016 through 2022, simple interest", function()
    local r = interest("5000.00", "2021-12-01", "2023-02-01")
    -- 31 d at 8%: 5,000 x 0.08 x 31/365 = 33.9726 -> 33.97
    -- 181 d at 8%: 198.3562 -> 198.36; 184 d at 8%: 201.6438 -> 201.64
    -- 31 d at 10.5% (2023-01): 44.5890 -> 44.59; total 478.56, never compounded
    assert.are.same({ 3397, 19836, 20164, 4459 },
                    { hu(500000, 800, 31), hu(500000, 800, 181), hu(500000, 800, 184),
                      hu(500000, 1050, 31) })
    assert.are.equal("478.56 EUR", r.amount)
    assert.are.same({
      { "2021-12-01", "2022-01-01", 31, "8.00", "33.97 EUR" },
      { "2022-01-01", "2022-07-01", 181, "8.00", "198.36 EUR" },
      { "2022-07-01", "2023-01-01", 184, "8.00", "201.64 EUR" },
      { "2023-01-01", "2023-02-01", 31, "10.50", "44.59 EUR" },
    }, summary(r))
    for _, x in ipairs(r.periods) do assert.are.equal("5000.00 EUR", x.principal) end
  end)

  it("carries H1 2026 forward past the table, unverified", function()
    local r = interest("10000.00", "2026-06-01", "2026-08-01")
    assert.are.same({ 8630, 8918 }, { hu(1000000, 1050, 30), hu(1000000, 1050, 31) })
    assert.are.equal("175.48 EUR", r.amount)
    assert.is_nil(r.periods[1].unverified)
    assert.is_true(r.periods[2].unverified)
    assert.truthy(r.periods[2].note:find("no rate after 2026-06-30", 1, true))
  end)

  it("gives nothing for zero days and refuses to before from", function()
    assert.are.equal("0.00 EUR", interest("100.00", "2025-03-01", "2025-03-01").amount)
    assert.truthy(failure("interest", { principal = eur("1.00"), from = "2025-03-01",
                                        to = "2025-01-01" })
                  :find("be-late-payment.interest: to (2025-01-01) is before from (2025-03-01)",
                        1, true))
  end)

  it("refuses a date before the table", function()
    local err = failure("interest", { principal = eur("1.00"), from = "2016-06-30",
                                      to = "2016-08-01" })
    assert.truthy(err:find("no rate for 2016-06-30: the table in rates.lua starts at 2016-07-01",
                           1, true), err)
  end)

  it("adds 40.00 per invoice", function()
    local r = p:call("compensation", { invoices = 1 })
    assert.are.equal("40.00 EUR", r.amount)
    assert.are.equal("40.00 EUR", r.per_invoice)
    assert.are.equal("40.00 EUR", p:call("compensation", {}).amount)
    r = p:call("compensation", { invoices = 3 })
    assert.are.equal("120.00 EUR", r.amount)
    assert.are.equal("fixed compensation 40.00 EUR per invoice x 3 = 120.00 EUR", r.explanation)
    assert.truthy(failure("compensation", { invoices = 0 })
                  :find("invoices must be a whole number of at least 1, got a number (0)", 1, true))
    assert.truthy(failure("compensation", { invoices = 1.5 })
                  :find("invoices must be a whole number of at least 1", 1, true))
  end)
end)
