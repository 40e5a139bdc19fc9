-- eu-b2b: business debtors in other EU countries, by the defaults of Directive 2011/7/EU on
-- combating late payment in commercial transactions.
--
-- Interest at the ECB reference rate (1 January for the first half year, 1 July for the
-- second) + 8 points, simple, and a fixed compensation of 40.00 per invoice are due without a
-- reminder (arts. 3, 4 and 6); eu-late-payment computes both. The procedure reminds first and
-- books them with the notice. Without a country the engine has no holiday calendar: a
-- deadline ending on a Saturday or Sunday runs on to the Monday.
local dunning = require("owed.dunning")

return dunning.policy {
  name = "eu-b2b",
  steps = {
    { "reminder", after_due = 7, letter = "reminder", by = "email", deadline_days = 10 },
    -- the day after the reminder's deadline
    { "default", after = { "reminder", days_after_receipt = 10 }, letter = "notice",
      by = { "email", "letter" }, charge = { "eu-late-payment" }, deadline_days = 14 },
    -- a week after the notice's deadline: post abroad takes longer
    { "agency", after = { "default", days_after_receipt = 21 }, handoff = "agency-folder" },
  },
  -- a few euros is not worth a letter
  skip = function(case) return case.open < owed.money("5.00 EUR") end,
}
