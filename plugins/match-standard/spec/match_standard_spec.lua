-- match-standard's decisions on a real ledger (owed.testing), rule by rule; the host applying
-- them is tested end to end in tests/cli/import.sh.  Amounts come back from the plugin's
-- state as text ("100.00 EUR"), the way owed.testing copies them.
local testing = require("owed.testing")

local J, K = "NL20INGB0001234567", "NL02ABNA0123456789"

local function pay(amount, fields)
  local p = fields or {}
  p.amount = owed.money.parse(amount, "EUR")
  p.currency, p.date = "EUR", "2026-03-20"
  return p
end

describe("match-standard", function()
  local m

  before_each(function()
    local ledger = testing.ledger{ name = "Acme BV" }
    ledger.debtor{ number = "D1", name = "Jansen BV", iban = J }
    ledger.debtor{ number = "D2", name = "Klaassen", iban = K }
    ledger.debtor{ number = "D3", name = "Peeters" }
    ledger.invoice{ number = "F1", debtor = "D1", amount = "100.00", issue_date = "2026-01-01",
                    reference = "RF18539007547034" }
    ledger.invoice{ number = "F2", debtor = "D1", amount = "250.00", issue_date = "2026-01-10" }
    ledger.invoice{ number = "F3", debtor = "D2", amount = "80.00", issue_date = "2026-01-05" }
    ledger.invoice{ number = "F4", debtor = "D2", amount = "80.00", issue_date = "2026-01-06" }
    ledger.invoice{ number = "F5", debtor = "D2", amount = "45.50", issue_date = "2026-01-07" }
    ledger.invoice{ number = "F6", debtor = "D3", amount = "60.00", issue_date = "2026-01-08" }
    m = testing.plugin("match-standard", { tolerance = "2.50 EUR" })
  end)

  it("places a structured reference on its invoice, the rest as credit", function()
    local d = m:call("match", pay("120.00", { structured = "RF18 5390 0754 7034" }))
    assert.are.equal("reference", d.rule)
    assert.are.equal("D1", d.debtor)
    assert.are.equal("F1", d.allocations[1].invoice)
    assert.are.equal("100.00 EUR", d.allocations[1].amount)
    assert.are.equal("the structured reference RF18 5390 0754 7034 names F1; 20.00 more than is open stays as credit", d.why)
  end)

  it("finds a reference written in the text", function()
    local d = m:call("match", pay("100.00", { remittance = "betaling RF18539007547034 dank" }))
    assert.are.equal("reference", d.rule)
    assert.are.equal("F1", d.allocations[1].invoice)
  end)

  it("finds invoice numbers in the text, oldest first for a partial payment", function()
    local d = m:call("match", pay("300.00", { remittance = "facturen F2 en F1." }))
    assert.are.equal("invoice-number", d.rule)
    assert.are.same({ "F1", "F2" }, { d.allocations[1].invoice, d.allocations[2].invoice })
    assert.are.same({ "100.00 EUR", "200.00 EUR" },
                    { d.allocations[1].amount, d.allocations[2].amount })
    assert.are.equal("the text names F2, F1; a partial payment, oldest first", d.why)
  end)

  it("sends invoices of two debtors named in one text to review", function()
    local d = m:call("match", pay("160.00", { remittance = "F2 F6" }))
    assert.is_true(d.review)
    assert.are.equal("the text names invoices of more than one debtor: F2, F6", d.why)
  end)

  it("matches the IBAN and exactly one open amount", function()
    local d = m:call("match", pay("45.50", { iban = K }))
    assert.are.equal("iban-amount", d.rule)
    assert.are.equal("F5", d.allocations[1].invoice)
  end)

  it("never guesses between two invoices of the same amount", function()
    local d = m:call("match", pay("80.00", { iban = K }))
    assert.is_true(d.review)
    assert.are.equal("D2", d.debtor)
    assert.are.equal("IBAN " .. K .. " is debtor D2's; 2 invoices are open for 80.00: F3, F4", d.why)
  end)

  it("finds the one set of open invoices that adds up", function()
    local d = m:call("match", pay("350.00", { iban = J }))
    assert.are.equal("iban-sum", d.rule)
    assert.are.same({ "F1", "F2" }, { d.allocations[1].invoice, d.allocations[2].invoice })
  end)

  it("sends two sets that add up to review", function()
    local d = m:call("match", pay("125.50", { iban = K }))
    assert.is_true(d.review)
    assert.are.equal("iban-sum", d.rule)
  end)

  it("accepts a short payment within the tolerance and writes the rest off", function()
    local d = m:call("match", pay("247.75", { iban = J }))
    assert.are.equal("tolerance", d.rule)
    assert.are.equal("F2", d.allocations[1].invoice)
    assert.are.equal("F2", d.write_off.invoice)
  end)

  it("pays the oldest first when no amount fits", function()
    local d = m:call("match", pay("30.00", { iban = J }))
    assert.are.equal("iban-oldest", d.rule)
    assert.are.equal("F1", d.allocations[1].invoice)
    assert.are.equal("30.00 EUR", d.allocations[1].amount)
  end)

  it("has no opinion on a payment it cannot place", function()
    assert.is_nil(m:call("match", pay("17.99", { iban = "NL44RABO0123456789", remittance = "gift" })))
  end)
end)
