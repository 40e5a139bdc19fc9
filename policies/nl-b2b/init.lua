-- nl-b2b: the Dutch procedure for business debtors.
--
-- Business debtors need no 14-day letter (that protects consumers); collection costs follow
-- the BIK scale with its 40.00 minimum, and interest is the statutory commercial rate.
-- Deadlines (deadline_days) count from the day after an e-mail, or from the day after a posted
-- letter's presumed delivery, and a deadline on a weekend or holiday moves to the next working
-- day; the hand-off comes the day after the notice's 14 days.
local dunning = require("owed.dunning")

return dunning.policy {
  name = "nl-b2b",
  country = "NL",
  steps = {
    { "reminder1", after_due = 7, letter = "herinnering", by = "email", deadline_days = 7 },
    { "reminder2", after = { "reminder1", days = 14 }, letter = "tweede-herinnering",
      by = "email", deadline_days = 7 },
    { "default", after = { "reminder2", days = 14 }, letter = "ingebrekestelling",
      by = { "email", "letter" }, charge = { "nl-bik", "nl-interest" }, deadline_days = 14,
      hold = true },   -- in default: no new deliveries on credit
    { "agency", after = { "default", days_after_receipt = 14 }, handoff = "agency-folder" },
  },
  -- a few euros is not worth a letter
  skip = function(case) return case.open < owed.money("5.00 EUR") end,
}
