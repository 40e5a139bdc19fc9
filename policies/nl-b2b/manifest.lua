return {
  name = "nl-b2b",
  version = "1.0.0",
  api_version = 1,
  kinds = { "policy" },
  description = "Netherlands, business debtors: two reminders, a notice of default with "
    .. "statutory commercial interest (art. 6:119a BW) and collection costs (BIK), then a "
    .. "collection agency.",
  needs = {},
}
