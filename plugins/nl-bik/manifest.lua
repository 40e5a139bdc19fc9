-- nl-bik: Dutch extrajudicial collection costs (buitengerechtelijke incassokosten, BIK).
return {
  name = "nl-bik",
  version = "1.0.0",
  api_version = 1,
  kinds = { "charges" },
  description = "Dutch collection costs (art. 6:96 BW, Besluit vergoeding voor " ..
                "buitengerechtelijke incassokosten): the statutory scale, 40.00 minimum, " ..
                "6,775.00 maximum, optional 21% VAT uplift.",
  needs = {},
}
