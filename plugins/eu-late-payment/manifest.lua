-- eu-late-payment: the default of Directive 2011/7/EU on late payment in commercial transactions.
return {
  name = "eu-late-payment",
  version = "1.0.0",
  api_version = 1,
  kinds = { "charges" },
  description = "EU late payment default (Directive 2011/7/EU): the ECB reference rate of " ..
                "1 January / 1 July + 8 points, simple interest, actual/365, and the fixed " ..
                "40.00 compensation per invoice.",
  needs = {},
}
