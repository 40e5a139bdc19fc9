return {
  name = "be-b2b",
  version = "1.0.0",
  api_version = 1,
  kinds = { "policy" },
  description = "Belgium, business debtors (law of 2 August 2002 on late payment): a reminder, "
    .. "a formal notice charging interest at the semester rate and the fixed 40.00 compensation "
    .. "per invoice, then a collection agency.",
  needs = {},
}
