-- owed.dunning.testing: helpers for a policy's busted specs (run by `owed test`).
--
--   local dunning_testing = require("owed.dunning.testing")
--   local function decide(...) return p:call("decide", case(...)) end
--   local takes = dunning_testing.takes(decide)
--   local d = takes("reminder", "2026-03-06", "2026-03-03")   -- step, day, due [, steps]
local assert = require("luassert")     -- busted's assert, not the base one

local M = {}

-- cases{ open =, channels =, reference =, debtor = {...}, administration = {...},
--        invoice = { number =, terms =, description = } } -> case(today, due, steps, open):
-- a case as the daily run hands it to a policy, with one invoice of `open` (default: the
-- given open) due on `due`, and the steps taken so far as { step, date [, channels] }.
function M.cases(t)
  local function eur(s) return owed.money(s .. " EUR") end
  local function copy(x)          -- a fresh table per case: specs change them
    local c = {}
    for k, v in pairs(x) do c[k] = v end
    return c
  end
  return function(today, due, steps, open)
    open = open or t.open
    local taken = {}
    for i, s in ipairs(steps or {}) do
      taken[i] = { step = s[1], date = s[2], channels = s[3] or t.channels }
    end
    return {
      id = 1, today = today, oldest_due = due, open = eur(open), reference = t.reference,
      debtor = copy(t.debtor), administration = copy(t.administration),
      invoices = { { number = t.invoice.number, issue_date = owed.date.add_days(due, -t.invoice.terms),
                     due_date = due, currency = "EUR", amount = eur(open), open = eur(open),
                     charges = eur("0.00"), reference = "", description = t.invoice.description,
                     disputed = false, days_late = owed.date.diff(due, today) } },
      steps = taken,
    }
  end
end

-- takes(step, day, due, steps): the day before `day` the policy decides nothing and names
-- `day` as the next date; on `day` it takes `step`.  Returns that decision.
function M.takes(decide)
  return function(step, day, due, steps)
    local d, next_date = decide(owed.date.add_days(day, -1), due, steps)
    assert.is_nil(d)
    assert.are.equal(day, next_date)
    d = decide(day, due, steps)
    assert.is_table(d)
    assert.are.equal(step, d.step)
    return d
  end
end

return M
