-- owed.dunning.testing: helpers for a policy's busted specs (run by `owed test`).
--
--   local dunning_testing = require("owed.dunning.testing")
--   local function decide(...) return p:call("decide", case(...)) end
--   local takes = dunning_testing.takes(decide)
--   local d = takes("reminder", "2026-03-06", "2026-03-03")   -- step, day, due [, steps]
local assert = require("luassert")     -- busted's assert, not the base one

local M = {}

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
