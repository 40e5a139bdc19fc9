return {
  name = "eu-b2b",
  version = "1.0.0",
  api_version = 1,
  kinds = { "policy" },
  description = "Business debtors elsewhere in the EU (Directive 2011/7/EU defaults): a reminder, "
    .. "a notice charging interest at the ECB reference rate + 8 points and the fixed 40.00 "
    .. "compensation per invoice, then a collection agency.",
  needs = {},
}
