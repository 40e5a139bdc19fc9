-- be-late-payment: Belgian law of 2 August 2002 on late payment in commercial transactions.
return {
  name = "be-late-payment",
  version = "1.0.0",
  api_version = 1,
  kinds = { "charges" },
  description = "Belgian B2B late payment (law of 2 August 2002): simple interest at the " ..
                "semester rate published by the FOD Financiën, actual/365, and the fixed " ..
                "40.00 compensation per invoice.",
  needs = {},
}
