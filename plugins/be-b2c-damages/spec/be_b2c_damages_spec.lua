-- be-b2c-damages: exact amounts, each worked out by hand. Amounts come back as text.
local testing = require("owed.testing")

local function eur(s) return owed.money(s .. " EUR") end

local function hu(cents, rate, days)   -- rate in hundredths of a percent; half-up
  local den = 10000 * 365
  return (cents * rate * days * 2 + den) // (2 * den)
end

describe("be-b2c-damages", function()
  local p
  before_each(function() p = testing.plugin("be-b2c-damages") end)

  local function damages(principal) return p:call("damages", { principal = eur(principal) }) end
  local function failure(hook, a)
    local ok, err = pcall(p.call, p, hook, a)
    assert.is_false(ok)
    return err
  end

  it("caps damages up to 150.00 at 20.00", function()
    assert.are.equal("20.00 EUR", damages("0.01").amount)
    assert.are.equal("20.00 EUR", damages("100.00").amount)
    assert.are.equal("20.00 EUR", damages("150.00").amount)
    assert.are.equal("principal 150.00 EUR: up to 150.00, 20.00 EUR at most (Book XIX Code " ..
                     "of Economic Law)", damages("150.00").explanation)
  end)

  it("caps damages from 150.01 to 500.00 at 30.00 + 10% above 150", function()
    assert.are.equal("30.00 EUR", damages("150.01").amount)  -- 30 + 10% x 0.01 = 30.001
    assert.are.equal("30.01 EUR", damages("150.05").amount)  -- 30 + 0.005 -> 30.01 (half up)
    local r = damages("300.00")                              -- 30 + 10% x 150 = 45.00
    assert.are.equal("45.00 EUR", r.amount)
    assert.are.same({
      { description = "fixed 30.00", amount = "30.00 EUR" },
      { description = "10% of 150.00 (the part above 150.00)", amount = "15.00 EUR" },
    }, r.lines)
    assert.are.equal("principal 300.00 EUR: 30.00 + 10% of 150.00 (the part above 150.00) = " ..
                     "30.00 + 15.00 = 45.00 EUR at most (Book XIX Code of Economic Law)",
                     r.explanation)
    assert.are.equal("65.00 EUR", damages("500.00").amount)  -- 30 + 10% x 350 = 65.00
  end)

  it("caps damages above 500.00 at 65.00 + 5% above 500, at most 2,000.00", function()
    assert.are.equal("65.00 EUR", damages("500.01").amount)  -- 65 + 5% x 0.01 = 65.0005
    assert.are.equal("65.01 EUR", damages("500.10").amount)  -- 65 + 0.005 -> 65.01
    assert.are.equal("90.00 EUR", damages("1000.00").amount) -- 65 + 5% x 500 = 90
    assert.are.equal("540.00 EUR", damages("10000.00").amount) -- 65 + 5% x 9,500 = 540
    assert.are.equal("2000.00 EUR", damages("39200.00").amount) -- 65 + 5% x 38,700 = 2,000
    -- 65 + 5% x 38,699.99 = 65 + 1,934.9995 -> 1,935.00: exactly 2,000.00, no cap needed
    local r = damages("39199.99")
    assert.are.equal("2000.00 EUR", r.amount)
    assert.are.equal(2, #r.lines)
    -- 65 + 5% x 39,000 = 2,015.00 -> capped at 2,000.00
    r = damages("39500.00")
    assert.are.equal("2000.00 EUR", r.amount)
    assert.are.same({ description = "capped at the maximum of 2,000.00", amount = "-15.00 EUR" },
                    r.lines[3])
  end)

  it("refuses a non-EUR or empty principal", function()
    assert.truthy(failure("damages", { principal = owed.money("300.00 USD") })
                  :find("be-b2c-damages.damages: principal must be an owed.money in EUR, got 300.00 USD",
                        1, true))
    assert.truthy(failure("damages", { principal = eur("0.00") })
                  :find("be-b2c-damages.damages: principal must be more than zero", 1, true))
  end)

  it("caps each further reminder at 7.50", function()
    assert.are.equal("0.00 EUR", p:call("reminder_fee", { count = 0 }).amount)
    local r = p:call("reminder_fee", { count = 1 })
    assert.are.equal("7.50 EUR", r.amount)
    assert.are.equal("7.50 EUR", r.per_reminder)
    r = p:call("reminder_fee", { count = 3 })
    assert.are.equal("22.50 EUR", r.amount)
    assert.are.equal("at most 7.50 EUR per further reminder x 3 = 22.50 EUR, plus postage " ..
                     "(not computed); the first reminder is free", r.explanation)
    assert.truthy(failure("reminder_fee", { count = -1 })
                  :find("count (further reminders, the free first one not counted) must be a " ..
                        "whole number of at least 0, got a number (-1)", 1, true))
  end)

  it("charges interest at the B2B rate of 2002 as the cap", function()
    local r = p:call("interest", { principal = eur("1000.00"), from = "2025-06-01",
                                   to = "2025-08-01" })
    -- 30 d at 11.5% (unverified): 9.4521 -> 9.45; 31 d at 10.5%: 8.9178 -> 8.92
    assert.are.same({ 945, 892 }, { hu(100000, 1150, 30), hu(100000, 1050, 31) })
    assert.are.equal("18.37 EUR", r.amount)
    assert.are.same({ "11.50", "11.50", "9.45 EUR", true },
                    { r.periods[1].rate, r.periods[1].cap, r.periods[1].amount, r.periods[1].unverified })
    assert.are.same({ "10.50", "10.50", "8.92 EUR" },
                    { r.periods[2].rate, r.periods[2].cap, r.periods[2].amount })
  end)

  it("uses an agreed rate where it is below the cap", function()
    local function total(rate)
      return p:call("interest", { principal = eur("1000.00"), from = "2025-06-01",
                                  to = "2025-08-01", rate = rate }).amount
    end
    -- 5%: 30 d 4.1096 -> 4.11; 31 d 4.2466 -> 4.25
    assert.are.same({ 411, 425 }, { hu(100000, 500, 30), hu(100000, 500, 31) })
    assert.are.equal("8.36 EUR", total("5"))
    -- 11%: below 11.5% in June (9.0411 -> 9.04), above 10.5% in July (capped: 8.92)
    assert.are.equal(904, hu(100000, 1100, 30))
    assert.are.equal("17.96 EUR", total("11"))
    assert.are.equal("18.37 EUR", total("20"))   -- above the cap throughout
    assert.truthy(failure("interest", { principal = eur("1.00"), from = "2025-01-01",
                                        to = "2025-02-01", rate = 5.5 })
                  :find("a rate must be a percentage written as text", 1, true))
  end)

  it("keeps its interest cap equal to be-late-payment's table", function()
    local here = debug.getinfo(1, "S").source:match("^@(.*)/be%-b2c%-damages/spec/[^/]*$")
    local mine = assert(loadfile(here .. "/be-b2c-damages/rates.lua", "t", {}))()
    local theirs = assert(loadfile(here .. "/be-late-payment/rates.lua", "t", {}))()
    assert.are.equal(theirs.known_through, mine.interest_cap.known_through)
    assert.are.same(theirs.rates, mine.interest_cap.rates)
  end)
end)
