-- match-standard: places incoming payments on invoices, most certain rule first.
return {
  name = "match-standard",
  version = "1.0.0",
  api_version = 1,
  kinds = { "matcher" },
  description = "Matches a payment by its structured reference, then invoice numbers in the " ..
                "remittance text, then the debtor's IBAN with one open amount, a sum of open " ..
                "invoices, or an amount within the tolerance; partial payments go to the " ..
                "oldest invoice, overpayments stay as credit; anything ambiguous goes to review.",
  config = {
    tolerance = { type = "money", default = "0.00 EUR" },   -- short payment written off (bank costs)
    max_subset = { type = "integer", default = 12 },        -- open invoices searched for a sum
  },
  needs = {},
}
