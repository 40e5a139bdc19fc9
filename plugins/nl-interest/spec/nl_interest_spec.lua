-- nl-interest: exact amounts. Amounts come back from p:call as text ("552.92 EUR").
local testing = require("owed.testing")

local function eur(s) return owed.money(s .. " EUR") end

-- An independent calculation in plain integer arithmetic: principal (cents) x rate (in
-- hundredths of a percent: 11.15% -> 1115) x days / (10,000 x 365), rounded half-up.
local function hu(cents, rate, days)
  local den = 10000 * 365
  return (cents * rate * days * 2 + den) // (2 * den)
end
local function cents(n) return string.format("%d.%02d EUR", n // 100, n % 100) end

describe("nl-interest", function()
  local p
  before_each(function() p = testing.plugin("nl-interest") end)

  local function interest(a) return p:call("interest", a) end
  local function failure(a)
    local ok, err = pcall(p.call, p, "interest", a)
    assert.is_false(ok)
    return err
  end

  it("gives legal.md's worked example: B2B 10,000.00 in 2025 = 1,064.59", function()
    local r = interest{ principal = eur("10000.00"), from = "2025-01-01", to = "2026-01-01",
                        commercial = true }
    -- 181 days (31+28+31+30+31+30) at 11.15%: 10,000 x 0.1115 x 181/365 = 552.9178 -> 552.92
    -- 184 days (31+31+30+31+30+31) at 10.15%: 10,000 x 0.1015 x 184/365 = 511.6712 -> 511.67
    assert.are.equal(55292, hu(1000000, 1115, 181))
    assert.are.equal(51167, hu(1000000, 1015, 184))
    assert.are.equal("1064.59 EUR", r.amount)
    assert.are.same({
      { from = "2025-01-01", to = "2025-07-01", through = "2025-06-30", days = 181,
        rate = "11.15", principal = "10000.00 EUR", amount = "552.92 EUR",
        source = r.periods[1].source },
      { from = "2025-07-01", to = "2026-01-01", through = "2025-12-31", days = 184,
        rate = "10.15", principal = "10000.00 EUR", amount = "511.67 EUR",
        source = r.periods[2].source },
    }, r.periods)
    assert.are.same({}, r.capitalised)        -- the anniversary is `to`: no interest runs after it
    assert.are.equal("actual/365", r.day_count)
    assert.is_nil(r.unverified)
    assert.truthy(r.source:find("art. 6:119a BW", 1, true))
    assert.are.equal("interest on 10,000.00 EUR from 2025-01-01 to 2026-01-01 (365 days, " ..
      "2026-01-01 not counted; actual/365; art. 6:119a BW (statutory commercial interest)): " ..
      "2025-01-01 to 2025-06-30: 181 days at 11.15% on 10,000.00 = 552.92; " ..
      "2025-07-01 to 2025-12-31: 184 days at 10.15% on 10,000.00 = 511.67; " ..
      "total 1,064.59 EUR", r.explanation)
  end)

  it("adds each full year's interest to the principal (10,000 B2B, 2023-03-01 to 2025-06-01)", function()
    local r = interest{ principal = eur("10000.00"), from = "2023-03-01", to = "2025-06-01",
                        commercial = true }
    -- Year 1, 2023-03-01 .. 2024-02-29 (366 days, over 29 Feb 2024), on 10,000.00:
    local p1 = hu(1000000, 1050, 122)   -- 2023-03-01..06-30: 31+30+31+30 = 122 d at 10.50%
    local p2 = hu(1000000, 1200, 184)   -- 2023-07-01..12-31: 184 d at 12.00%
    local p3 = hu(1000000, 1250, 60)    -- 2024-01-01..02-29: 31+29 = 60 d at 12.50%
    local y1 = p1 + p2 + p3
    -- On 2024-03-01 year 1's interest joins the principal.
    local b2 = 1000000 + y1
    local p4 = hu(b2, 1250, 122)        -- 2024-03-01..06-30: 122 d at 12.50%
    local p5 = hu(b2, 1225, 184)        -- 2024-07-01..12-31: 184 d at 12.25%
    local p6 = hu(b2, 1115, 59)         -- 2025-01-01..02-28: 31+28 = 59 d at 11.15%
    local y2 = p4 + p5 + p6
    local b3 = b2 + y2                  -- on 2025-03-01
    local p7 = hu(b3, 1115, 92)         -- 2025-03-01..05-31: 31+30+31 = 92 d at 11.15%
    -- The same numbers written out (10,000 x 0.105 x 122/365 = 350.9589 -> 350.96, ...).
    assert.are.same({ 35096, 60493, 20548, 116137, 1116137, 46633, 68925, 20116, 135674,
                      1251811, 35181 },
                    { p1, p2, p3, y1, b2, p4, p5, p6, y2, b3, p7 })
    local total = y1 + y2 + p7
    assert.are.equal(286992, total)

    assert.are.equal(cents(total), r.amount)                       -- 2,869.92
    local want = {
      { "2023-03-01", "2023-07-01", 122, "10.50", 1000000, p1 },
      { "2023-07-01", "2024-01-01", 184, "12.00", 1000000, p2 },
      { "2024-01-01", "2024-03-01", 60,  "12.50", 1000000, p3 },
      { "2024-03-01", "2024-07-01", 122, "12.50", b2, p4 },
      { "2024-07-01", "2025-01-01", 184, "12.25", b2, p5 },
      { "2025-01-01", "2025-03-01", 59,  "11.15", b2, p6 },
      { "2025-03-01", "2025-06-01", 92,  "11.15", b3, p7 },
    }
    assert.are.equal(#want, #r.periods)
    for i, w in ipairs(want) do
      local got = r.periods[i]
      assert.are.same({ w[1], w[2], w[3], w[4], cents(w[5]), cents(w[6]) },
                      { got.from, got.to, got.days, got.rate, got.principal, got.amount })
    end
    assert.are.same({ { date = "2024-03-01", amount = cents(y1) },
                      { date = "2025-03-01", amount = cents(y2) } }, r.capitalised)
    assert.truthy(r.explanation:find("on 2024-03-01 the year's interest 1,161.37 is added to " ..
                                     "the principal, now 11,161.37", 1, true))
  end)

  it("follows the consumer rate across 2023-07-01 (4% -> 6%)", function()
    local r = interest{ principal = eur("1000.00"), from = "2023-05-01", to = "2023-09-01",
                        commercial = false }
    -- 2023-05-01..06-30: 61 days at 4%: 1,000 x 0.04 x 61/365 = 6.6849 -> 6.68
    -- 2023-07-01..08-31: 62 days at 6%: 1,000 x 0.06 x 62/365 = 10.1918 -> 10.19
    assert.are.equal(668, hu(100000, 400, 61))
    assert.are.equal(1019, hu(100000, 600, 62))
    assert.are.equal("16.87 EUR", r.amount)
    assert.are.equal(2, #r.periods)
    assert.are.same({ "2023-05-01", 61, "4.00", "6.68 EUR" },
                    { r.periods[1].from, r.periods[1].days, r.periods[1].rate, r.periods[1].amount })
    assert.are.same({ "2023-07-01", 62, "6.00", "10.19 EUR" },
                    { r.periods[2].from, r.periods[2].days, r.periods[2].rate, r.periods[2].amount })
    assert.truthy(r.rule:find("6:119 BW", 1, true))
  end)

  it("does not split where the table repeats a rate, and marks unverified rates", function()
    -- consumer 6% from 2025-01-01 and again (unverified) from 2025-07-01: one period of 61 days
    local r = interest{ principal = eur("1000.00"), from = "2025-06-01", to = "2025-08-01",
                        commercial = false }
    assert.are.equal(1, #r.periods)
    assert.are.equal(1003, hu(100000, 600, 61))                 -- 10.0274 -> 10.03
    assert.are.equal("10.03 EUR", r.amount)
    assert.is_true(r.periods[1].unverified)
    assert.is_true(r.unverified)
    assert.truthy(r.explanation:find("(unverified)", 1, true))
  end)

  it("carries the last rate past the end of the table, unverified", function()
    local r = interest{ principal = eur("10000.00"), from = "2026-06-01", to = "2026-08-01",
                        commercial = true }
    assert.are.equal(8342, hu(1000000, 1015, 30))               -- 83.4246 -> 83.42
    assert.are.equal(8621, hu(1000000, 1015, 31))               -- 86.2055 -> 86.21
    assert.are.equal("169.63 EUR", r.amount)
    assert.are.equal(2, #r.periods)
    assert.are.equal("2026-07-01", r.periods[2].from)
    assert.is_true(r.periods[2].unverified)
    assert.truthy(r.periods[2].note:find("no rate after 2026-06-30", 1, true))
  end)

  it("lowers the principal from a payment's date on", function()
    local r = interest{ principal = eur("10000.00"), from = "2025-01-01", to = "2025-12-01",
                        commercial = true,
                        payments = { { date = "2025-03-01", amount = eur("4000.00") } } }
    assert.are.equal(18023, hu(1000000, 1115, 59))   -- 2025-01-01..02-28 on 10,000: 180.23
    assert.are.equal(22361, hu(600000, 1115, 122))   -- 2025-03-01..06-30 on 6,000: 223.61
    assert.are.equal(25528, hu(600000, 1015, 153))   -- 2025-07-01..11-30 on 6,000: 255.28
    assert.are.equal("659.12 EUR", r.amount)
    assert.are.same({ "10000.00 EUR", "6000.00 EUR", "6000.00 EUR" },
                    { r.periods[1].principal, r.periods[2].principal, r.periods[3].principal })
    assert.are.same({ { date = "2025-03-01", amount = "4000.00 EUR", applied = "4000.00 EUR" } },
                    r.payments)
  end)

  it("never lowers the principal below zero", function()
    local r = interest{ principal = eur("100.00"), from = "2025-01-01", to = "2025-03-01",
                        commercial = true,
                        payments = { { date = "2025-02-01", amount = eur("150.00") } } }
    assert.are.equal(95, hu(10000, 1115, 31))        -- 2025-01-01..31 on 100.00: 0.947 -> 0.95
    assert.are.equal("0.95 EUR", r.amount)
    assert.are.equal("0.00 EUR", r.periods[2].principal)
    assert.are.equal("100.00 EUR", r.payments[1].applied)
  end)

  it("gives nothing for zero days", function()
    local r = interest{ principal = eur("10000.00"), from = "2025-03-01", to = "2025-03-01",
                        commercial = true }
    assert.are.equal("0.00 EUR", r.amount)
    assert.are.same({}, r.periods)
  end)

  it("refuses to before from", function()
    local err = failure{ principal = eur("10000.00"), from = "2025-03-01", to = "2025-02-28",
                         commercial = true }
    assert.truthy(err:find("nl-interest.interest: to (2025-02-28) is before from (2025-03-01)",
                           1, true), err)
  end)

  it("refuses a date before the table", function()
    local err = failure{ principal = eur("1.00"), from = "2011-12-31", to = "2012-02-01",
                         commercial = false }
    assert.truthy(err:find("no rate for 2011-12-31: the table in rates.lua starts at 2012-01-01",
                           1, true), err)
  end)

  it("needs to know whether the claim is commercial", function()
    local err = failure{ principal = eur("1.00"), from = "2025-01-01", to = "2025-02-01" }
    assert.truthy(err:find("commercial must be true (art. 6:119a BW) or false (art. 6:119 BW)",
                           1, true), err)
  end)

  it("refuses bad amounts and dates", function()
    assert.truthy(failure{ principal = "ten", from = "2025-01-01", to = "2025-02-01",
                           commercial = true }
                  :find("principal must be an owed.money, got \"ten\"", 1, true))
    assert.truthy(failure{ principal = eur("1.00"), from = "2025-02-30", to = "2025-03-01",
                           commercial = true }
                  :find("from must be a date YYYY-MM-DD, got \"2025-02-30\"", 1, true))
    assert.truthy(failure{ principal = eur("1.00"), from = "2025-01-01", to = "2025-03-01",
                           commercial = true,
                           payments = { { date = "2025-02-01", amount = owed.money("1.00 USD") } } }
                  :find("payments[1].amount must be an owed.money in EUR, got 1.00 USD", 1, true))
  end)
end)
