-- nl-b2c: the Dutch procedure for consumers (natural persons not acting for a business).
--
-- Collection costs are due from a consumer only after a free 14-day letter has gone unpaid
-- (art. 6:96 lid 6 BW). That letter states the exact costs (announced by nl-bik, not booked)
-- and gives fourteen days counted from the day after it is delivered (HR 25 November 2016,
-- ECLI:NL:HR:2016:2704). A posted letter is presumed delivered on the second delivery day
-- after posting (no delivery on Sundays, Mondays and public holidays); by e-mail it is
-- received the day it is sent. A period ending on a weekend or public holiday runs on to the
-- next working day (Algemene termijnenwet). owed.dunning counts all of this; see
-- dunning.period_start and dunning.period_end.
--
--   posted Tue 3 Mar 2026 -> delivered Thu 5 Mar -> day 1 Fri 6 Mar -> day 14 Thu 19 Mar
--   -> costs and interest from Fri 20 Mar (by e-mail only: from Wed 18 Mar).
local dunning = require("owed.dunning")

return dunning.policy {
  name = "nl-b2c",
  country = "NL",
  steps = {
    -- a friendly, free reminder a few days after the due date
    { "reminder", after_due = 3, letter = "herinnering", by = "email", deadline_days = 7 },
    -- the day after the reminder's deadline: the 14-day letter, by post as well so that its
    -- delivery can be shown; it states the costs nl-bik will charge, and books nothing
    { "notice14", after = { "reminder", days_after_receipt = 7 }, letter = "veertiendagenbrief",
      by = { "email", "letter" }, announce = { "nl-bik" }, deadline_days = 14 },
    -- only once the 14 days from the day after delivery have passed unpaid
    { "default", after = { "notice14", days_after_receipt = 14 }, letter = "sommatie",
      by = { "email", "letter" }, charge = { "nl-bik", "nl-interest" }, deadline_days = 14 },
    { "agency", after = { "default", days_after_receipt = 14 }, handoff = "agency-folder" },
  },
  -- below 25.00 a procedure with a 40.00 minimum in costs is out of proportion
  skip = function(case) return case.open < owed.money("25.00 EUR") end,
}
