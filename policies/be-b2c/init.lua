-- be-b2c: the Belgian procedure for consumers, Book XIX of the Code of Economic Law (law of
-- 4 May 2023; all contracts from 1 December 2023).
--
-- The first reminder is free and must state the amount due, the damages that will be
-- charged, the creditor's name and enterprise number, the due date, what was sold and the
-- payment deadline. Damages may be charged only after at least 14 calendar days, counted from
-- the third working day after a posted reminder was sent, or from the day after an e-mailed
-- one (art. XIX.2); a period ending on a Saturday, Sunday or public holiday runs on to the next
-- working day (Civil Code art. 1.7). owed.dunning counts this for country "BE"; the reminder
-- goes by e-mail and post, so its deadline follows the (later) postal rule. What was sold is
-- the invoice's description: fill it in, or the reminder cannot say it.
--
--   posted Thu 5 Mar 2026 -> Fri 6 (1), Mon 9 (2), Tue 10 Mar (3): day 1 Tue 10 Mar
--   -> day 14 Mon 23 Mar -> damages from Tue 24 Mar (by e-mail only: from Fri 20 Mar).
local dunning = require("owed.dunning")

-- The charges plugin for Book XIX damages. Its natural name, "be-b2c", is this policy's own
-- name (the run picks the policy "be-b2c" for Belgian consumers), and a policy and a plugin
-- cannot share a name on the search path, so the charges plugin goes by this one.
local DAMAGES = "be-b2c-damages"

return dunning.policy {
  name = "be-b2c",
  country = "BE",
  steps = {
    -- the free first reminder: it announces the damages, books nothing
    { "reminder", after_due = 7, letter = "reminder", by = { "email", "letter" },
      announce = { DAMAGES }, deadline_days = 14 },
    -- only once the 14 days have passed unpaid
    { "default", after = { "reminder", days_after_receipt = 14 }, letter = "notice",
      by = { "email", "letter" }, charge = { DAMAGES }, deadline_days = 14 },
    { "agency", after = { "default", days_after_receipt = 14 }, handoff = "agency-folder" },
  },
  -- a few euros is not worth a letter
  skip = function(case) return case.open < owed.money("5.00 EUR") end,
}
