return {
  name = "nl-b2c",
  version = "1.0.0",
  api_version = 1,
  kinds = { "policy" },
  description = "Netherlands, consumers: a free reminder, the 14-day letter (art. 6:96 lid 6 BW) "
    .. "stating the exact collection costs, then collection costs (BIK) and statutory interest "
    .. "(art. 6:119 BW) once its 14 days from the day after delivery have passed, then a "
    .. "collection agency.",
  needs = {},
}
