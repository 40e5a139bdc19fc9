return {
  name = "be-b2c",
  version = "1.0.0",
  api_version = 1,
  kinds = { "policy" },
  description = "Belgium, consumers (Book XIX Code of Economic Law): a free first reminder with "
    .. "every statement the law requires and at least 14 days to pay, then the capped damages, "
    .. "then a collection agency.",
  needs = {},
}
