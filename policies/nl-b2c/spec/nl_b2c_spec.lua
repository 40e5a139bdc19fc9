-- nl-b2c: which step on which day, to the day. Every date is worked out by hand in the comments:
-- a posted letter is presumed delivered on the second delivery day after posting (Sundays,
-- Mondays and public holidays are not delivery days), the 14 days start the day after
-- delivery (e-mail: the day after sending), and a period ending on a Saturday, Sunday or
-- public holiday runs on to the next working day (Algemene termijnenwet).
local testing = require("owed.testing")
local dunning_testing = require("owed.dunning.testing")

local function eur(s) return owed.money(s .. " EUR") end

-- A case as the daily run hands it to the policy: one invoice of `open` due on `due`, the
-- steps taken so far as { step, date, channels }.
local case = dunning_testing.cases{
  open = "1210.00", channels = "email", reference = "D1-1",
  debtor = { number = "D1", name = "J. de Vries", kind = "consumer", country = "NL",
               language = "nl", email = "j.devries@example.nl",
               address = "Dorpsstraat 12, 1234 AB Ergens" },
  administration = { name = "Groothandel Noordzee BV", address = "Havenstraat 1, 1011 AB Amsterdam",
                       country = "NL", kvk = "12345678", vat = "NL123456789B01",
                       iban = "NL91ABNA0417164300", currency = "EUR" },
  invoice = { number = "F2026-0042", terms = 14, description = "Wasmachine Zephyr 7" },
}

describe("nl-b2c", function()
  local p
  before_each(function() p = testing.plugin("nl-b2c") end)

  local function decide(...) return p:call("decide", case(...)) end

  -- The day before `day`: nothing, and `day` as the next date; on `day`: the step.
  local takes = dunning_testing.takes(decide)

  describe("the reminder", function()
    it("goes by e-mail 3 days after the due date, free, with 7 days to pay", function()
      -- due Tue 3 Mar 2026 -> Fri 6 Mar; e-mail: day 1 Sat 7 Mar, day 7 Fri 13 Mar
      local d = takes("reminder", "2026-03-06", "2026-03-03")
      assert.are.same({ "email" }, d.channels)
      assert.are.equal("herinnering", d.letter)
      assert.are.same({}, d.charges)
      assert.are.same({}, d.announce)
      assert.are.equal("2026-03-13", d.deadline)
      assert.are.equal("reminder: 3 days after the due date 2026-03-03, open 1210.00 EUR", d.reason)
    end)

    it("crosses the year end", function()
      -- due Thu 31 Dec 2026 -> Sun 3 Jan 2027; day 7 Sun 10 Jan -> Mon 11 Jan
      local d = takes("reminder", "2027-01-03", "2026-12-31")
      assert.are.equal("2027-01-11", d.deadline)
    end)

    it("moves a deadline that ends on Koningsdag to the next working day", function()
      -- due Fri 17 Apr 2026 -> reminder Mon 20 Apr; day 7 is Mon 27 Apr (Koningsdag) -> Tue 28
      local d = takes("reminder", "2026-04-20", "2026-04-17")
      assert.are.equal("2026-04-28", d.deadline)
    end)

    it("leaves small amounts alone", function()
      local d, next_date, why = p:call("decide", case("2026-03-06", "2026-03-03", {}, "24.99"))
      assert.is_nil(d)
      assert.is_nil(next_date)
      assert.are.equal("skipped by the policy", why)
      assert.is_table(p:call("decide", case("2026-03-06", "2026-03-03", {}, "25.00")))
    end)
  end)

  describe("the 14-day letter", function()
    it("follows the day after the reminder's deadline, by e-mail and post, announcing BIK", function()
      -- reminder e-mailed Fri 6 Mar 2026: day 1 Sat 7, day 7 Fri 13 Mar -> Sat 14 Mar
      local d = takes("notice14", "2026-03-14", "2026-03-03", { { "reminder", "2026-03-06" } })
      assert.are.same({ "email", "letter" }, d.channels)
      assert.are.equal("veertiendagenbrief", d.letter)
      assert.are.same({ "nl-bik" }, d.announce)
      assert.are.same({}, d.charges)
    end)

    it("waits for the reminder's deadline when it ends on Koningsdag", function()
      -- reminder Mon 20 Apr 2026: day 7 Mon 27 Apr (Koningsdag) -> Tue 28 Apr -> letter Wed 29 Apr
      takes("notice14", "2026-04-29", "2026-04-17", { { "reminder", "2026-04-20" } })
    end)

    it("states as deadline day 14 after presumed delivery (legal.md's worked example)", function()
      -- decided and posted Tue 3 Mar 2026 -> delivered Thu 5 Mar -> day 1 Fri 6 -> day 14 Thu 19
      local d = decide("2026-03-03", "2026-02-13", { { "reminder", "2026-02-16" } })
      assert.are.equal("notice14", d.step)
      assert.are.equal("2026-03-19", d.deadline)
    end)
  end)

  describe("costs and interest", function()
    it("come only after the 14 days from the day after delivery (legal.md's worked example)", function()
      -- posted Tue 3 Mar 2026 -> delivered Thu 5 Mar -> day 1 Fri 6 -> day 14 Thu 19 Mar
      local steps = { { "reminder", "2026-02-16" }, { "notice14", "2026-03-03", "email,letter" } }
      local d, next_date = decide("2026-03-19", "2026-02-13", steps)
      assert.is_nil(d)
      assert.are.equal("2026-03-20", next_date)
      d = decide("2026-03-20", "2026-02-13", steps)
      assert.are.equal("default", d.step)
      assert.are.same({ "nl-bik", "nl-interest" }, d.charges)
      assert.are.same({ "email", "letter" }, d.channels)
      assert.are.equal("sommatie", d.letter)
      assert.truthy(d.reason:find("14 days after presumed receipt of notice14 sent 2026-03-03", 1, true))
      assert.are.equal("default: 14 days after presumed receipt of notice14 sent 2026-03-03 by " ..
                       "letter (days 2026-03-06 to 2026-03-19), open 1210.00 EUR", d.reason)
      -- and they are not decided again once taken
      steps[3] = { "default", "2026-03-20", "email,letter" }
      d, next_date = decide("2026-03-21", "2026-02-13", steps)
      assert.is_nil(d)
      assert.are.equal("2026-04-08", next_date)
    end)

    it("count from the day after sending for a 14-day letter sent by e-mail only", function()
      -- e-mailed Tue 3 Mar 2026 -> day 1 Wed 4 Mar -> day 14 Tue 17 Mar -> costs Wed 18 Mar
      local d = takes("default", "2026-03-18", "2026-02-13",
                      { { "reminder", "2026-02-16" }, { "notice14", "2026-03-03", "email" } })
      assert.are.equal("default: 14 days after presumed receipt of notice14 sent 2026-03-03 by " ..
                       "e-mail (days 2026-03-04 to 2026-03-17), open 1210.00 EUR", d.reason)
    end)

    it("wait past Easter when day 14 is a Saturday before Tweede Paasdag", function()
      -- posted Thu 19 Mar 2026 -> Fri 20 (1), Sat 21 (2): delivered Sat 21 Mar -> day 1 Sun 22
      -- -> day 14 Sat 4 Apr; Sun 5 Apr (Easter), Mon 6 Apr (Tweede Paasdag) -> Tue 7 Apr
      -- -> costs Wed 8 Apr; the letter itself states Tue 7 Apr as its last day
      local n = decide("2026-03-19", "2026-02-27", { { "reminder", "2026-03-02" } })
      assert.are.equal("notice14", n.step)
      assert.are.equal("2026-04-07", n.deadline)
      local d = takes("default", "2026-04-08", "2026-02-27",
                      { { "reminder", "2026-03-02" }, { "notice14", "2026-03-19", "email,letter" } })
      assert.truthy(d.reason:find("days 2026-03-22 to 2026-04-07; day 14, Saturday 2026-04-04, " ..
                                  "is not a working day", 1, true))
    end)

    it("count Koningsdag as no delivery day", function()
      -- posted Mon 26 Apr 2027: Tue 27 Apr is Koningsdag, Wed 28 (1), Thu 29 (2): delivered
      -- Thu 29 Apr -> day 1 Fri 30 Apr -> day 14 Thu 13 May -> costs Fri 14 May 2027
      takes("default", "2027-05-14", "2027-04-01",
            { { "reminder", "2027-04-04" }, { "notice14", "2027-04-26", "email,letter" } })
    end)

    it("cross the year end past Christmas and New Year", function()
      -- posted Wed 23 Dec 2026: Thu 24 (1), Fri 25 and Sat 26 Christmas, Sun, Mon 28 no
      -- delivery, Tue 29 (2): delivered Tue 29 Dec -> day 1 Wed 30 Dec -> day 14 Tue 12 Jan 2027
      takes("default", "2027-01-13", "2026-11-30",
            { { "reminder", "2026-12-03" }, { "notice14", "2026-12-23", "email,letter" } })
      -- posted Wed 16 Dec 2026: Thu 17 (1), Fri 18 (2) -> day 1 Sat 19 Dec -> day 14 Fri 1 Jan
      -- 2027 (Nieuwjaarsdag), then the weekend -> Mon 4 Jan -> costs Tue 5 Jan 2027
      takes("default", "2027-01-05", "2026-11-30",
            { { "reminder", "2026-12-03" }, { "notice14", "2026-12-16", "email,letter" } })
    end)
  end)

  describe("the hand-off", function()
    it("follows the day after the demand's 14 days", function()
      -- demand posted Fri 20 Mar 2026: Sat 21 (1), Sun, Mon no, Tue 24 (2) -> day 1 Wed 25 Mar
      -- -> day 14 Tue 7 Apr -> hand-off Wed 8 Apr
      local d = takes("agency", "2026-04-08", "2026-02-13",
                      { { "reminder", "2026-02-16" }, { "notice14", "2026-03-03", "email,letter" },
                        { "default", "2026-03-20", "email,letter" } })
      assert.are.equal("agency-folder", d.handoff)
      assert.is_nil(d.letter)
      assert.are.same({}, d.channels)
    end)

    it("is the last step", function()
      local d, next_date = decide("2026-06-01", "2026-02-13",
        { { "reminder", "2026-02-16" }, { "notice14", "2026-03-03", "email,letter" },
          { "default", "2026-03-20", "email,letter" }, { "agency", "2026-04-08", "" } })
      assert.is_nil(d)
      assert.is_nil(next_date)
    end)
  end)

  describe("the letters", function()
    local steps = { { "reminder", "2026-02-16" } }

    it("the 14-day letter states the exact costs, the safe wording and the deadline", function()
      local c = case("2026-03-03", "2026-02-13", steps)
      local d = p:call("decide", c)
      local r = p:call("render", c, d, {
        announced = { { description = "Incassokosten", amount = eur("40.00") } },
        charges = {}, total = eur("1210.00") })
      assert.truthy(r.text:find("- Incassokosten: € 40,00", 1, true))
      assert.truthy(r.text:find("binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd", 1, true))
      assert.truthy(r.text:find("19 maart 2026", 1, true))
      assert.truthy(r.text:find("NL91ABNA0417164300", 1, true))
      assert.truthy(r.text:find("F2026-0042", 1, true))
      assert.truthy(r.text:find("€ 1.210,00", 1, true))
      assert.truthy(r.text:find("D1-1", 1, true))
      assert.truthy(r.text:find("Groothandel Noordzee BV", 1, true))
      assert.is_nil(r.text:find("dagtekening", 1, true))
      assert.is_nil(r.text:find("{{", 1, true))
      assert.are.equal("nl", r.lang)
      assert.are.equal("Aanmaning: betaal binnen veertien dagen zonder extra kosten", r.subject)
      assert.is_string(r.pdf)
      assert.truthy(#r.pdf > 1000)
      assert.are.equal("%PDF", r.pdf:sub(1, 4))
    end)

    it("the 14-day letter in English", function()
      local c = case("2026-03-03", "2026-02-13", steps)
      c.debtor.language = "en"
      local r = p:call("render", c, p:call("decide", c), {
        announced = { { description = "Collection costs", amount = eur("181.50") } },
        charges = {}, total = eur("1210.00") })
      assert.are.equal("en", r.lang)
      assert.truthy(r.text:find("- Collection costs: €181.50", 1, true))
      assert.truthy(r.text:find("within fourteen days from the day after this letter is delivered to you", 1, true))
      assert.truthy(r.text:find("19 March 2026", 1, true))
    end)

    it("the demand itemises costs and interest and states the total", function()
      local c = case("2026-03-20", "2026-02-13",
                     { { "reminder", "2026-02-16" }, { "notice14", "2026-03-03", "email,letter" } })
      local d = p:call("decide", c)
      local r = p:call("render", c, d, {
        charges = { { invoice = "F2026-0042", description = "Incassokosten", amount = eur("181.50") },
                    { invoice = "F2026-0042", description = "Wettelijke rente", amount = eur("4.31") } },
        announced = {}, total = eur("1395.81") })
      assert.truthy(r.text:find("- Incassokosten (factuur F2026-0042): € 181,50", 1, true))
      assert.truthy(r.text:find("- Wettelijke rente (factuur F2026-0042): € 4,31", 1, true))
      assert.truthy(r.text:find("Totaal te betalen: € 1.395,81", 1, true))
      -- posted Fri 20 Mar: delivered Tue 24 Mar, day 1 Wed 25 Mar, day 14 Tue 7 Apr
      assert.truthy(r.text:find("uiterlijk op 7 april 2026", 1, true))
      assert.are.equal("%PDF", r.pdf:sub(1, 4))
    end)

    it("every letter in Dutch and English", function()
      local walk = { { "reminder", "2026-03-06", "email" }, { "notice14", "2026-03-14", "email,letter" },
                     { "default", "2026-04-02", "email,letter" } }
      local taken = {}
      for _, s in ipairs(walk) do
        for _, lang in ipairs({ "nl", "en" }) do
          local loc = lang == "nl" and "nl-NL" or "en"
          local c = case(s[2], "2026-03-03", taken)
          c.debtor.language = lang
          local d = p:call("decide", c)
          assert.are.equal(s[1], d.step)
          local charged = #d.charges > 0
          local r = p:call("render", c, d, {
            charges = charged and { { invoice = "F2026-0042", description = "Incassokosten",
                                      amount = eur("181.50") } } or {},
            announced = #d.announce > 0 and { { description = "Incassokosten",
                                                amount = eur("181.50") } } or {},
            total = charged and eur("1391.50") or eur("1210.00") })
          assert.are.equal(lang, r.lang)
          for _, want in ipairs({ "Groothandel Noordzee BV", "J. de Vries", "F2026-0042",
                                  "NL91ABNA0417164300", "D1-1", owed.date.format(d.deadline, lang),
                                  eur(charged and "1391.50" or "1210.00"):format(loc) }) do
            assert.truthy(r.text:find(want, 1, true), s[1] .. "." .. lang .. " lacks " .. want)
          end
          if charged or #d.announce > 0 then
            assert.truthy(r.text:find(eur("181.50"):format(loc), 1, true))
          end
          assert.is_nil(r.text:find("{", 1, true))
          assert.are.equal("%PDF", r.pdf:sub(1, 4))
        end
        taken[#taken + 1] = s
      end
    end)

    it("the reminder", function()
      local c = case("2026-03-06", "2026-03-03")
      local r = p:call("render", c, p:call("decide", c), { charges = {}, announced = {},
                                                             total = eur("1210.00") })
      assert.are.equal("Betalingsherinnering Groothandel Noordzee BV", r.subject)
      assert.truthy(r.text:find("uiterlijk op 13 maart 2026", 1, true))
      assert.truthy(r.text:find("geen kosten", 1, true))
      assert.truthy(r.text:find("betalingskenmerk D1-1", 1, true))
    end)
  end)
end)
