-- owed.statement.testing: the conformance run the bank-statement importers' specs share
-- (run by `owed test`): every public sample in ../shared/testdata/<folder> (or
-- $OWED_TESTDATA/<folder>) parsed by the plugin and checked against the facts its SOURCES.md
-- gives, skipped -- and said so -- when the folder is not there.
--
--   require("owed.statement.testing").conformance{
--     describe = describe, it = it, before_each = before_each,   -- busted's, from the spec
--     plugin = "camt053", folder = "camt053", facts = FACTS,
--     expect = function(r, f) ... end,  -- the plugin's own assertions on parse's result
--   }
--
-- facts[file]: what expect reads, plus more = function(result) (further assertions) and
-- problem = "..." or problems = { ... }: what check() must report (the figures that do not
-- add up); without them check() must say ok.  Every file in the folder must have facts.
local assert = require("luassert")     -- busted's assert, not the base one
local testing = require("owed.testing")

local M = {}

local function reader(folder)
  local dir = (os.getenv("OWED_TESTDATA") or "../shared/testdata") .. "/" .. folder .. "/"
  return dir, function(name)
    local f = io.open(dir .. name, "rb")
    if not f then return nil end
    local t = f:read("a")
    f:close()
    return t
  end
end

function M.conformance(t)
  local dir, read = reader(t.folder)
  t.describe(t.plugin .. " conformance", function()
    if not read("SOURCES.md") then
      t.it("skips without the shared test data", function()
        print("conformance: skipped (no ../shared/testdata)")
      end)
      return
    end

    local p
    t.before_each(function() p = testing.plugin(t.plugin) end)

    t.it("knows every file in the folder", function()
      local ls = io.popen('ls -1 "' .. dir .. '"')
      for name in ls:lines() do
        if name ~= "SOURCES.md" then assert.is_not_nil(t.facts[name], "no facts for " .. name) end
      end
      ls:close()
    end)

    local names = {}
    for name in pairs(t.facts) do names[#names + 1] = name end
    table.sort(names)
    for _, name in ipairs(names) do
      local f = t.facts[name]
      t.it(name, function()
        local r = p:call("parse", read(name))
        t.expect(r, f)
        if f.more then f.more(r) end
        local c = p:call("check", r)
        local problems = f.problems or (f.problem and { f.problem })
        if problems then
          assert.is_false(c.ok)
          assert.are.same(problems, c.problems)
        else
          assert.are.same({ ok = true }, c)
        end
      end)
    end
  end)
end

return M
