-- nl-b2b: which step on which day, to the day, and what the letters say. Every date is
-- worked out by hand in the comments: e-mail is received the day it is sent (a period starts
-- the next day); a posted letter is presumed delivered on the second delivery day after
-- posting (no delivery on Sundays, Mondays and public holidays) and its period starts the
-- day after; a period ending on a Saturday, Sunday or public holiday runs on to the next
-- working day (Algemene termijnenwet).
local testing = require("owed.testing")
local dunning_testing = require("owed.dunning.testing")

local function eur(s) return owed.money(s .. " EUR") end

-- A case as the daily run hands it to the policy: one invoice of `open` due on `due`, the
-- steps taken so far as { step, date, channels }.
local case = dunning_testing.cases{
  open = "1210.00", channels = "email", reference = "D1-1",
  debtor = { number = "D1", name = "Bakkerij De Korenschoof", kind = "business", country = "NL",
               language = "nl", email = "boekhouding@korenschoof.example",
               address = "Dorpsstraat 12, 1234 AB Ergens" },
  administration = { name = "Groothandel Noordzee BV", address = "Havenstraat 1, 1011 AB Amsterdam",
                       country = "NL", kvk = "12345678", vat = "NL123456789B01",
                       iban = "NL91ABNA0417164300", currency = "EUR" },
  invoice = { number = "F1", terms = 30, description = "Meel en gist" },
}

describe("nl-b2b", function()
  local p
  before_each(function() p = testing.plugin("nl-b2b") end)

  local function decide(...) return p:call("decide", case(...)) end

  -- The day before `day`: nothing, and `day` as the next date; on `day`: the step.
  local takes = dunning_testing.takes(decide)

  it("walks the whole procedure", function()
    -- due Wed 4 Feb 2026 -> reminder 1 Wed 11 Feb, e-mail: day 1 Thu 12, day 7 Wed 18 Feb
    local d = takes("reminder1", "2026-02-11", "2026-02-04")
    assert.are.same({ "email" }, d.channels)
    assert.are.equal("2026-02-18", d.deadline)
    assert.are.equal("reminder1: 7 days after the due date 2026-02-04, open 1210.00 EUR", d.reason)
    local steps = { { "reminder1", "2026-02-11" } }
    -- 14 days after reminder 1: Wed 25 Feb; its 7 days end Wed 4 Mar
    d = takes("reminder2", "2026-02-25", "2026-02-04", steps)
    assert.are.equal("2026-03-04", d.deadline)
    assert.are.equal("reminder2: 14 days after reminder1 on 2026-02-11, open 1210.00 EUR", d.reason)
    steps[2] = { "reminder2", "2026-02-25" }
    -- 14 days after reminder 2: Wed 11 Mar, by e-mail and post, booking costs and interest;
    -- posted Wed 11 Mar: Thu 12 (1), Fri 13 (2) -> day 1 Sat 14 -> day 14 Fri 27 Mar
    d = takes("default", "2026-03-11", "2026-02-04", steps)
    assert.are.same({ "email", "letter" }, d.channels)
    assert.are.same({ "nl-bik", "nl-interest" }, d.charges)
    assert.are.equal("ingebrekestelling", d.letter)
    assert.are.equal("2026-03-27", d.deadline)
    steps[3] = { "default", "2026-03-11", "email,letter" }
    -- the day after the notice's deadline: Sat 28 Mar
    d = takes("agency", "2026-03-28", "2026-02-04", steps)
    assert.are.equal("agency-folder", d.handoff)
    assert.are.equal("agency: 14 days after presumed receipt of default sent 2026-03-11 by letter " ..
                     "(days 2026-03-14 to 2026-03-27), open 1210.00 EUR", d.reason)
    steps[4] = { "agency", "2026-03-28", "" }
    local next_date
    d, next_date = decide("2026-05-01", "2026-02-04", steps)
    assert.is_nil(d)
    assert.is_nil(next_date)
  end)

  it("moves a reminder's deadline off Koningsdag", function()
    -- due Mon 13 Apr 2026 -> reminder 1 Mon 20 Apr; day 7 Mon 27 Apr is Koningsdag -> Tue 28 Apr
    assert.are.equal("2026-04-28", takes("reminder1", "2026-04-20", "2026-04-13").deadline)
  end)

  it("moves the notice's deadline past Easter and Tweede Paasdag", function()
    -- posted Thu 19 Mar 2026: Fri 20 (1), Sat 21 (2) -> day 1 Sun 22 Mar -> day 14 Sat 4 Apr;
    -- Sun 5 Apr (Easter) and Mon 6 Apr (Tweede Paasdag) -> Tue 7 Apr; agency Wed 8 Apr
    local steps = { { "reminder1", "2026-02-19" }, { "reminder2", "2026-03-05" } }
    local d = takes("default", "2026-03-19", "2026-02-12", steps)
    assert.are.equal("2026-04-07", d.deadline)
    steps[3] = { "default", "2026-03-19", "email,letter" }
    d = takes("agency", "2026-04-08", "2026-02-12", steps)
    assert.truthy(d.reason:find("day 14, Saturday 2026-04-04, is not a working day", 1, true))
  end)

  it("counts across the year end", function()
    -- due Thu 24 Dec 2026 -> reminder 1 Thu 31 Dec; day 1 Fri 1 Jan, day 7 Thu 7 Jan 2027
    local d = takes("reminder1", "2026-12-31", "2026-12-24")
    assert.are.equal("2027-01-07", d.deadline)
    -- reminder 2 Thu 14 Jan 2027
    takes("reminder2", "2027-01-14", "2026-12-24", { { "reminder1", "2026-12-31" } })
    -- notice posted Mon 28 Dec 2026: Tue 29 (1), Wed 30 (2) -> day 1 Thu 31 Dec -> day 14
    -- Wed 13 Jan 2027 -> agency Thu 14 Jan
    takes("agency", "2027-01-14", "2026-11-16",
          { { "reminder1", "2026-11-23" }, { "reminder2", "2026-12-07" },
            { "default", "2026-12-28", "email,letter" } })
  end)

  it("leaves a few euros alone", function()
    local d, next_date, why = p:call("decide", case("2026-02-11", "2026-02-04", {}, "4.99"))
    assert.is_nil(d)
    assert.is_nil(next_date)
    assert.are.equal("skipped by the policy", why)
  end)

  describe("the letters", function()
    it("the first reminder (the figures the end-to-end test checks)", function()
      local c = case("2026-02-11", "2026-02-04")
      local r = p:call("render", c, p:call("decide", c), { charges = {}, announced = {},
                                                             total = eur("1210.00") })
      assert.are.equal("Herinnering: openstaande facturen Groothandel Noordzee BV", r.subject)
      assert.truthy(r.text:find("€ 1.210,00", 1, true))
      assert.truthy(r.text:find("uiterlijk 18 februari 2026", 1, true))
      assert.truthy(r.text:find("NL91ABNA0417164300", 1, true))
      assert.truthy(r.text:find("betalingskenmerk D1-1", 1, true))
      assert.truthy(r.text:find("Bakkerij De Korenschoof", 1, true))
      assert.truthy(r.text:find("F1 ", 1, true))
      assert.are.equal("%PDF", r.pdf:sub(1, 4))
    end)

    it("the notice of default itemises costs and interest", function()
      local c = case("2026-03-11", "2026-02-04", { { "reminder1", "2026-02-11" },
                                                   { "reminder2", "2026-02-25" } })
      local r = p:call("render", c, p:call("decide", c), {
        charges = { { invoice = "F1", description = "Buitengerechtelijke incassokosten",
                      amount = eur("181.50") },
                    { invoice = "F1", description = "Wettelijke handelsrente", amount = eur("12.77") } },
        announced = {}, total = eur("1404.27") })
      assert.truthy(r.text:find("- Buitengerechtelijke incassokosten (factuur F1): € 181,50", 1, true))
      assert.truthy(r.text:find("- Wettelijke handelsrente (factuur F1): € 12,77", 1, true))
      assert.truthy(r.text:find("Totaal te betalen: € 1.404,27", 1, true))
      assert.truthy(r.text:find("uiterlijk 27 maart 2026", 1, true))
      assert.truthy(r.text:find("Hierbij stellen wij u in gebreke", 1, true))
      assert.are.equal("%PDF", r.pdf:sub(1, 4))
    end)

    it("every letter in Dutch and English", function()
      local steps = {}
      for _, s in ipairs({ { "reminder1", "2026-02-11" }, { "reminder2", "2026-02-25" },
                           { "default", "2026-03-11" } }) do
        for _, lang in ipairs({ "nl", "en" }) do
          local c = case(s[2], "2026-02-04", steps)
          c.debtor.language = lang
          local d = p:call("decide", c)
          assert.are.equal(s[1], d.step)
          local charged = #d.charges > 0
          local r = p:call("render", c, d, {
            charges = charged and { { invoice = "F1", description = "Kosten", amount = eur("181.50") } } or {},
            announced = {}, total = charged and eur("1391.50") or eur("1210.00") })
          local loc = lang == "nl" and "nl-NL" or "en"
          assert.are.equal(lang, r.lang)
          for _, want in ipairs({ "Groothandel Noordzee BV", "Bakkerij De Korenschoof", "F1",
                                  "NL91ABNA0417164300", "D1-1", owed.date.format(d.deadline, lang),
                                  eur(charged and "1391.50" or "1210.00"):format(loc) }) do
            assert.truthy(r.text:find(want, 1, true), s[1] .. "." .. lang .. " lacks " .. want)
          end
          if charged then assert.truthy(r.text:find(eur("181.50"):format(loc), 1, true)) end
          assert.is_nil(r.text:find("{", 1, true))
          assert.are.equal("%PDF", r.pdf:sub(1, 4))
        end
        steps[#steps + 1] = { s[1], s[2], s[1] == "default" and "email,letter" or "email" }
      end
    end)
  end)
end)
