-- be-b2b: the Belgian procedure for business debtors, law of 2 August 2002 on combating late
-- payment in commercial transactions.
--
-- Interest (ECB rate + 8 points, rounded up to the next half point, per semester) runs from
-- the day after the due date without a notice, and the fixed compensation of 40.00 per
-- invoice is due without a reminder; be-late-payment computes both. The procedure still
-- reminds first and books them with the formal notice (ingebrekestelling / mise en demeure).
-- A posted letter counts from the third working day after sending, and a period ending on a
-- Saturday, Sunday or public holiday runs on to the next working day (Civil Code art. 1.7);
-- owed.dunning counts this (dunning.period_start, dunning.period_end).
local dunning = require("owed.dunning")

return dunning.policy {
  name = "be-b2b",
  country = "BE",
  steps = {
    { "reminder", after_due = 7, letter = "reminder", by = "email", deadline_days = 7 },
    -- the day after the reminder's deadline
    { "default", after = { "reminder", days_after_receipt = 7 }, letter = "notice",
      by = { "email", "letter" }, charge = { "be-late-payment" }, deadline_days = 15,
      hold = true },   -- in default: no new deliveries on credit
    -- the day after the notice's deadline
    { "agency", after = { "default", days_after_receipt = 15 }, handoff = "agency-folder" },
  },
  -- a few euros is not worth a letter
  skip = function(case) return case.open < owed.money("5.00 EUR") end,
}
