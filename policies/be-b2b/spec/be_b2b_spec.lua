-- be-b2b: which step on which day, to the day, and what the letters say. Every date is worked
-- out by hand in the comments: e-mail counts from the day after sending; a posted letter from
-- the third working day after sending (Monday to Friday, not a public holiday); a period
-- ending on a Saturday, Sunday or public holiday runs on to the next working day (Civil Code
-- art. 1.7). Belgian holidays used here: 21 July (national holiday), 15 August (Assumption),
-- 25 December, 1 January.
local testing = require("owed.testing")
local dunning_testing = require("owed.dunning.testing")

local function eur(s) return owed.money(s .. " EUR") end

-- A case as the daily run hands it to the policy: one invoice of `open` due on `due`, the
-- steps taken so far as { step, date, channels }.
local case = dunning_testing.cases{
  open = "2420.00", channels = "email", reference = "+++085/1927/54115+++",
  debtor = { number = "K7", name = "Bakkerij Van Damme BV", kind = "business", country = "BE",
               language = "nl", email = "boekhouding@vandamme.example",
               address = "Kerkstraat 3, 9000 Gent" },
  administration = { name = "Brouwerij Schelde NV", address = "Kaai 5, 2000 Antwerpen",
                       country = "BE", kvk = "0123.456.789", vat = "BE0123456789",
                       iban = "BE68539007547034", currency = "EUR" },
  invoice = { number = "2026/0815", terms = 30, description = "Vaten tafelbier" },
}

describe("be-b2b", function()
  local p
  before_each(function() p = testing.plugin("be-b2b") end)

  local function decide(...) return p:call("decide", case(...)) end

  -- The day before `day`: nothing, and `day` as the next date; on `day`: the step.
  local takes = dunning_testing.takes(decide)

  it("walks the whole procedure", function()
    -- due Wed 4 Mar 2026 -> reminder Wed 11 Mar by e-mail: day 1 Thu 12, day 7 Wed 18 Mar
    local d = takes("reminder", "2026-03-11", "2026-03-04")
    assert.are.same({ "email" }, d.channels)
    assert.are.same({}, d.charges)
    assert.are.equal("2026-03-18", d.deadline)
    local steps = { { "reminder", "2026-03-11" } }
    -- the day after: Thu 19 Mar, the formal notice by e-mail and post, booking interest and
    -- the 40.00; posted Thu 19 Mar: Fri 20 (1), Mon 23 (2), Tue 24 (3) -> day 15 Tue 7 Apr
    d = takes("default", "2026-03-19", "2026-03-04", steps)
    assert.are.same({ "email", "letter" }, d.channels)
    assert.are.same({ "be-late-payment" }, d.charges)
    assert.are.equal("notice", d.letter)
    assert.are.equal("2026-04-07", d.deadline)
    assert.are.equal("default: 7 days after presumed receipt of reminder sent 2026-03-11 by e-mail " ..
                     "(days 2026-03-12 to 2026-03-18), open 2420.00 EUR", d.reason)
    steps[2] = { "default", "2026-03-19", "email,letter" }
    -- day 1 Tue 24 Mar .. day 15 Tue 7 Apr (Easter Monday, 6 Apr, lies inside the period and
    -- does not move it) -> agency Wed 8 Apr
    d = takes("agency", "2026-04-08", "2026-03-04", steps)
    assert.are.equal("agency-folder", d.handoff)
    steps[3] = { "agency", "2026-04-08", "" }
    local next_date
    d, next_date = decide("2026-06-01", "2026-03-04", steps)
    assert.is_nil(d)
    assert.is_nil(next_date)
  end)

  it("moves a reminder's deadline off 15 August", function()
    -- due Fri 1 Aug 2025 -> reminder Fri 8 Aug; day 1 Sat 9, day 7 Fri 15 Aug (Assumption),
    -- then the weekend -> Mon 18 Aug; the notice follows on Tue 19 Aug
    local d = takes("reminder", "2025-08-08", "2025-08-01")
    assert.are.equal("2025-08-18", d.deadline)
    takes("default", "2025-08-19", "2025-08-01", { { "reminder", "2025-08-08" } })
  end)

  it("counts a posted notice from the third working day, 21 July not counted", function()
    -- posted Thu 16 Jul 2026: Fri 17 (1), Mon 20 (2), Tue 21 (national holiday), Wed 22 (3)
    -- -> day 1 Wed 22 Jul -> day 15 Wed 5 Aug -> agency Thu 6 Aug
    local d = decide("2026-07-16", "2026-07-01", { { "reminder", "2026-07-08" } })
    assert.are.equal("default", d.step)
    assert.are.equal("2026-08-05", d.deadline)
    takes("agency", "2026-08-06", "2026-07-01",
          { { "reminder", "2026-07-08" }, { "default", "2026-07-16", "email,letter" } })
  end)

  it("counts across the year end", function()
    -- posted Thu 24 Dec 2026: Fri 25 (Christmas), Mon 28 (1), Tue 29 (2), Wed 30 (3)
    -- -> day 1 Wed 30 Dec -> day 15 Wed 13 Jan 2027 -> agency Thu 14 Jan
    local d = decide("2026-12-24", "2026-12-09", { { "reminder", "2026-12-16" } })
    assert.are.equal("default", d.step)
    assert.are.equal("2027-01-13", d.deadline)
    takes("agency", "2027-01-14", "2026-12-09",
          { { "reminder", "2026-12-16" }, { "default", "2026-12-24", "email,letter" } })
    -- due Thu 25 Dec 2025 -> reminder Thu 1 Jan 2026; day 1 Fri 2 Jan, day 7 Thu 8 Jan
    assert.are.equal("2026-01-08", takes("reminder", "2026-01-01", "2025-12-25").deadline)
  end)

  describe("the letters", function()
    local function render(lang, today, steps)
      local c = case(today, "2026-03-04", steps)
      c.debtor.language = lang
      local d = p:call("decide", c)
      local charged = #d.charges > 0
      return p:call("render", c, d, {
        charges = charged and {
          { invoice = "2026/0815", description = "Intérêts de retard / nalatigheidsintrest",
            amount = eur("7.96") },
          { invoice = "2026/0815", description = "Forfaitaire schadevergoeding / indemnité forfaitaire",
            amount = eur("40.00") } } or {},
        announced = {}, total = charged and eur("2467.96") or eur("2420.00") }), d
    end

    it("the formal notice in Dutch itemises interest and the 40.00", function()
      local r = render("nl", "2026-03-19", { { "reminder", "2026-03-11" } })
      assert.are.equal("Ingebrekestelling: onbetaalde facturen Brouwerij Schelde NV", r.subject)
      assert.truthy(r.text:find("- Forfaitaire schadevergoeding / indemnité forfaitaire (factuur 2026/0815): € 40,00", 1, true))
      assert.truthy(r.text:find("(factuur 2026/0815): € 7,96", 1, true))
      assert.truthy(r.text:find("Totaal te betalen: € 2.467,96", 1, true))
      assert.truthy(r.text:find("uiterlijk op 7 april 2026", 1, true))
      assert.truthy(r.text:find("wet van 2 augustus 2002", 1, true))
      assert.truthy(r.text:find("BE68539007547034", 1, true))
      assert.truthy(r.text:find("+++085/1927/54115+++", 1, true))
    end)

    it("the formal notice in French", function()
      local r = render("fr", "2026-03-19", { { "reminder", "2026-03-11" } })
      assert.are.equal("fr", r.lang)
      assert.are.equal("Mise en demeure : factures impayées Brouwerij Schelde NV", r.subject)
      assert.truthy(r.text:find("(facture 2026/0815) : " .. eur("40.00"):format("fr-BE"), 1, true))
      assert.truthy(r.text:find("Total à payer : " .. eur("2467.96"):format("fr-BE"), 1, true))
      assert.truthy(r.text:find("au plus tard le 7 avril 2026", 1, true))
      assert.truthy(r.text:find("loi du 2 août 2002", 1, true))
    end)

    it("every letter in Dutch, French and English", function()
      for _, lang in ipairs({ "nl", "fr", "en" }) do
        local loc = ({ nl = "nl-NL", fr = "fr-BE", en = "en" })[lang]
        for _, at in ipairs({ { "2026-03-11", {} },
                              { "2026-03-19", { { "reminder", "2026-03-11" } } } }) do
          local r, d = render(lang, at[1], at[2])
          assert.are.equal(lang, r.lang)
          for _, want in ipairs({ "Brouwerij Schelde NV", "Bakkerij Van Damme BV", "2026/0815",
                                  "BE68539007547034", "+++085/1927/54115+++",
                                  owed.date.format(d.deadline, lang),
                                  eur(#d.charges > 0 and "2467.96" or "2420.00"):format(loc) }) do
            assert.truthy(r.text:find(want, 1, true), d.step .. "." .. lang .. " lacks " .. want)
          end
          assert.is_nil(r.text:find("{", 1, true))
          assert.are.equal("%PDF", r.pdf:sub(1, 4))
        end
      end
    end)
  end)
end)
