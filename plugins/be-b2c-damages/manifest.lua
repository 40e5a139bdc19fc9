-- be-b2c-damages: Belgian consumer debts, Book XIX Code of Economic Law (law of 4 May 2023).
return {
  name = "be-b2c-damages",
  version = "1.0.0",
  api_version = 1,
  kinds = { "charges" },
  description = "Belgian consumer debts (Book XIX Code of Economic Law): the damages cap, " ..
                "the 7.50 cap per further reminder, and interest at most at the B2B rate of " ..
                "the law of 2 August 2002.",
  needs = {},
}
