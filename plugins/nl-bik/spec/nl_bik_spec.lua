-- nl-bik: every amount is exact; each expected value is worked out by hand in the comment.
-- Amounts come back from p:call as text ("150.00 EUR"): owed.testing copies owed.money by its text.
local testing = require("owed.testing")

local function eur(s) return owed.money(s .. " EUR") end

describe("nl-bik", function()
  local p
  before_each(function() p = testing.plugin("nl-bik") end)

  local function costs(principal, extra)
    local a = { principal = eur(principal), date = "2026-03-01" }
    for k, v in pairs(extra or {}) do a[k] = v end
    return p:call("costs", a)
  end
  local function amount(principal) return costs(principal).amount end
  local function failure(a)
    local ok, err = pcall(p.call, p, "costs", a)
    assert.is_false(ok)
    return err
  end

  it("gives the published examples", function()
    assert.are.equal("150.00 EUR", amount("1000.00"))     -- 15% x 1,000
    assert.are.equal("375.00 EUR", amount("2500.00"))     -- 15% x 2,500
    assert.are.equal("625.00 EUR", amount("5000.00"))     -- 375 + 10% x 2,500 = 375 + 250
    assert.are.equal("875.00 EUR", amount("10000.00"))    -- 625 + 5% x 5,000 = 625 + 250
    assert.are.equal("2775.00 EUR", amount("200000.00"))  -- 875 + 1% x 190,000 = 875 + 1,900
  end)

  it("charges at least 40.00", function()
    assert.are.equal("40.00 EUR", amount("0.01"))         -- 15% x 0.01 = 0.0015 -> 0.00 -> 40.00
    assert.are.equal("40.00 EUR", amount("100.00"))       -- 15.00 -> 40.00
    local r = costs("100.00")
    assert.are.same({
      { description = "15% of the first 100.00", amount = "15.00 EUR" },
      { description = "raised to the minimum of 40.00", amount = "25.00 EUR" },
    }, r.lines)
    assert.are.equal("15% of the first 100.00 = 15.00; below the minimum, so 40.00 EUR, no VAT",
                     r.explanation)
  end)

  it("rounds half-up around the minimum (266.66 / 266.67 / 266.68)", function()
    -- 15% x 266.63 = 39.9945 -> 39.99, below the minimum -> 40.00 (a 0.01 minimum line)
    local r = costs("266.63")
    assert.are.equal("40.00 EUR", r.amount)
    assert.are.equal("39.99 EUR", r.lines[1].amount)
    assert.are.equal("0.01 EUR", r.lines[2].amount)
    -- 15% x 266.66 = 39.999 -> 40.00: the scale itself, no minimum line
    r = costs("266.66")
    assert.are.equal("40.00 EUR", r.amount)
    assert.are.equal(1, #r.lines)
    assert.are.equal("40.00 EUR", amount("266.67"))       -- 40.0005 -> 40.00
    assert.are.equal("40.00 EUR", amount("266.68"))       -- 40.002  -> 40.00
    assert.are.equal("40.00 EUR", amount("266.69"))       -- 40.0035 -> 40.00
    assert.are.equal("40.01 EUR", amount("266.70"))       -- 40.005  -> 40.01 (half up)
  end)

  it("starts the next bracket after 2,500.00", function()
    local r = costs("2500.01")                            -- 375.00 + 10% x 0.01 = 0.001 -> 0.00
    assert.are.equal("375.00 EUR", r.amount)
    assert.are.same({
      { description = "15% of the first 2,500.00", amount = "375.00 EUR" },
      { description = "10% of the next 0.01", amount = "0.00 EUR" },
    }, r.lines)
    assert.are.equal("375.01 EUR", amount("2500.05"))     -- 10% x 0.05 = 0.005 -> 0.01
  end)

  it("works through every bracket with cents", function()
    -- 375 + 250 + 250 + 1% x 2,345.67 (23.4567 -> 23.46) = 898.46
    local r = costs("12345.67")
    assert.are.equal("898.46 EUR", r.amount)
    assert.are.equal("15% of the first 2,500.00 = 375.00; 10% of the next 2,500.00 = 250.00; " ..
                     "5% of the next 5,000.00 = 250.00; 1% of the next 2,345.67 = 23.46; " ..
                     "total 898.46 EUR, no VAT", r.explanation)
    assert.are.equal("2775.00 EUR", amount("200000.01"))  -- 0.5% x 0.01 = 0.00005 -> 0.00
    assert.are.equal("2775.01 EUR", amount("200001.00"))  -- 0.5% x 1.00 = 0.005 -> 0.01
  end)

  it("charges at most 6,775.00", function()
    assert.are.equal("6775.00 EUR", amount("1000000.00")) -- 2,775 + 0.5% x 800,000 = 6,775
    local r = costs("2000000.00")                         -- 2,775 + 0.5% x 1,800,000 = 11,775
    assert.are.equal("6775.00 EUR", r.amount)
    assert.are.same({
      { description = "15% of the first 2,500.00", amount = "375.00 EUR" },
      { description = "10% of the next 2,500.00", amount = "250.00 EUR" },
      { description = "5% of the next 5,000.00", amount = "250.00 EUR" },
      { description = "1% of the next 190,000.00", amount = "1900.00 EUR" },
      { description = "0.5% of the next 1,800,000.00", amount = "9000.00 EUR" },
      { description = "capped at the maximum of 6,775.00", amount = "-5000.00 EUR" },
    }, r.lines)
    assert.are.equal("0.00 EUR", r.vat)
    assert.are.equal("6775.00 EUR", r.total)
  end)

  it("adds 21% VAT only when asked", function()
    local r = costs("1000.00", { vat_uplift = true })     -- 21% x 150.00 = 31.50
    assert.are.equal("150.00 EUR", r.amount)
    assert.are.equal("31.50 EUR", r.vat)
    assert.are.equal("181.50 EUR", r.total)
    assert.are.equal("15% of the first 1,000.00 = 150.00; plus 21% VAT (the creditor cannot " ..
                     "deduct VAT) 31.50 = 181.50 EUR", r.explanation)
    r = costs("12345.67", { vat_uplift = true })          -- 21% x 898.46 = 188.6766 -> 188.68
    assert.are.equal("188.68 EUR", r.vat)
    assert.are.equal("1087.14 EUR", r.total)
    r = costs("100.00", { vat_uplift = true })            -- on the minimum: 21% x 40.00 = 8.40
    assert.are.equal("48.40 EUR", r.total)
    r = costs("2000000.00", { vat_uplift = true })        -- 21% x 6,775.00 = 1,422.75
    assert.are.equal("8197.75 EUR", r.total)
    r = costs("1000.00", { vat_uplift = false })
    assert.are.equal("0.00 EUR", r.vat)
    assert.are.equal("150.00 EUR", r.total)
  end)

  it("names its source", function()
    assert.truthy(costs("1000.00").source:find("Stb. 2012, 141", 1, true))
  end)

  it("refuses a non-EUR amount with a clear error", function()
    local err = failure{ principal = owed.money("100.00 USD") }
    assert.truthy(err:find("nl-bik.costs: principal must be an owed.money in EUR, got 100.00 USD",
                           1, true), err)
    err = failure{ principal = 100 }
    assert.truthy(err:find("nl-bik.costs: principal must be an owed.money in EUR, got a number",
                           1, true), err)
  end)

  it("refuses bad arguments", function()
    assert.truthy(failure{ principal = eur("0.00") }:find("principal must be more than zero", 1, true))
    assert.truthy(failure{ principal = eur("1.00"), vat_uplift = "yes" }
                  :find("vat_uplift must be true or false", 1, true))
    assert.truthy(failure{ principal = eur("1.00"), vat = true }
                  :find("unknown argument \"vat\"", 1, true))
    assert.truthy(failure{ principal = eur("1.00"), date = "2012-06-30" }
                  :find("no scale in rates.lua for 2012-06-30", 1, true))
    assert.truthy(failure(nil):find("expects one table of arguments", 1, true))
  end)

  describe("charge(case), the daily run's hook", function()
    local function case(uplift)
      local function inv(number, open)
        return { number = number, due_date = "2026-02-04", open = eur(open), charges = eur("0.00"),
                 disputed = false }
      end
      return { today = "2026-03-11", open = eur("1000.00"),
               administration = { cannot_deduct_vat = uplift },
               invoices = { inv("F1", "750.00"), inv("F2", "250.00"),
                            { number = "F3", due_date = "2026-02-04", open = eur("90.00"),
                              charges = eur("0.00"), disputed = true } } }
    end

    it("spreads the costs over the undisputed invoices by principal", function()
      local r = p:call("charge", case(false))
      assert.are.equal(2, #r.lines)
      assert.are.same({ "F1", "112.50 EUR", "collection_costs" },
                      { r.lines[1].invoice, r.lines[1].amount, r.lines[1].kind })
      assert.are.same({ "F2", "37.50 EUR" }, { r.lines[2].invoice, r.lines[2].amount })
    end)

    it("adds 21% VAT only for a creditor that cannot deduct it, and says so", function()
      local r = p:call("charge", case(true))
      assert.are.same({ "136.13 EUR", "45.37 EUR" }, { r.lines[1].amount, r.lines[2].amount })
      assert.truthy(r.lines[1].description:find("incl. 21% btw", 1, true))
    end)
  end)
end)
