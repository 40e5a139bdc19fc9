-- nl-interest: Dutch statutory interest, consumer (art. 6:119 BW) and commercial (6:119a BW).
return {
  name = "nl-interest",
  version = "1.0.0",
  api_version = 1,
  kinds = { "charges" },
  description = "Dutch statutory interest: wettelijke rente (art. 6:119 BW) and wettelijke " ..
                "handelsrente (art. 6:119a BW), compounded yearly from the start of the delay, " ..
                "actual/365, rates as data since 2012.",
  needs = {},
}
