-- be-b2c: which step on which day, to the day, and what the free first reminder says (Book XIX
-- Code of Economic Law). Damages only after at least 14 calendar days, counted from the third
-- working day after a posted reminder was sent (Monday to Friday, not a public holiday), or
-- from the day after an e-mailed one; a period ending on a Saturday, Sunday or public holiday
-- runs on to the next working day (Civil Code art. 1.7). Every date is worked out by hand.
local testing = require("owed.testing")
local dunning_testing = require("owed.dunning.testing")

local function eur(s) return owed.money(s .. " EUR") end

-- the charges plugin for Book XIX damages (see init.lua for why it is not called "be-b2c")
local DAMAGES = "be-b2c-damages"

-- A case as the daily run hands it to the policy: one invoice of `open` due on `due`, the
-- steps taken so far as { step, date, channels }.
local case = dunning_testing.cases{
  open = "300.00", channels = "email,letter", reference = "+++085/1927/54115+++",
  debtor = { number = "C12", name = "Marie Dubois", kind = "consumer", country = "BE",
               language = "fr", email = "marie.dubois@example.be",
               address = "Rue Haute 10, 1000 Bruxelles" },
  administration = { name = "Brouwerij Schelde NV", address = "Kaai 5, 2000 Antwerpen",
                       country = "BE", kvk = "0123.456.789", vat = "BE0123456789",
                       iban = "BE68539007547034", currency = "EUR" },
  invoice = { number = "2026/0042", terms = 14, description = "Abonnement bière artisanale, mars 2026" },
}

describe("be-b2c", function()
  local p
  before_each(function() p = testing.plugin("be-b2c") end)

  local function decide(...) return p:call("decide", case(...)) end

  -- The day before `day`: nothing, and `day` as the next date; on `day`: the step.
  local takes = dunning_testing.takes(decide)

  describe("the free first reminder", function()
    it("goes 7 days after the due date by e-mail and post, announcing the damages", function()
      -- due Thu 26 Feb 2026 -> Thu 5 Mar; posted Thu 5 Mar: Fri 6 (1), Mon 9 (2), Tue 10 (3)
      -- -> day 1 Tue 10 Mar -> day 14 Mon 23 Mar
      local d = takes("reminder", "2026-03-05", "2026-02-26")
      assert.are.same({ "email", "letter" }, d.channels)
      assert.are.same({ DAMAGES }, d.announce)
      assert.are.same({}, d.charges)
      assert.are.equal("reminder", d.letter)
      assert.are.equal("2026-03-23", d.deadline)
    end)

    it("gives at least 14 days from the third working day, 21 July not counted", function()
      -- due Thu 9 Jul 2026 -> Thu 16 Jul; Fri 17 (1), Mon 20 (2), Tue 21 (national holiday),
      -- Wed 22 (3) -> day 1 Wed 22 Jul -> day 14 Tue 4 Aug
      assert.are.equal("2026-08-04", takes("reminder", "2026-07-16", "2026-07-09").deadline)
    end)
  end)

  describe("the damages", function()
    it("come after 14 days from the third working day after posting (a Thursday)", function()
      -- posted Thu 5 Mar 2026: Fri 6 (1), Sat and Sun no, Mon 9 (2), Tue 10 (3) -> day 1
      -- Tue 10 Mar -> day 14 Mon 23 Mar -> damages from Tue 24 Mar
      local d = takes("default", "2026-03-24", "2026-02-26", { { "reminder", "2026-03-05" } })
      assert.are.same({ DAMAGES }, d.charges)
      assert.are.same({ "email", "letter" }, d.channels)
      assert.are.equal("notice", d.letter)
      assert.are.equal("default: 14 days after presumed receipt of reminder sent 2026-03-05 by " ..
                       "letter (days 2026-03-10 to 2026-03-23), open 300.00 EUR", d.reason)
    end)

    it("come after 14 days from the day after sending for an e-mailed reminder", function()
      -- e-mailed Thu 5 Mar 2026 -> day 1 Fri 6 Mar -> day 14 Thu 19 Mar -> damages Fri 20 Mar
      local d = takes("default", "2026-03-20", "2026-02-26", { { "reminder", "2026-03-05", "email" } })
      assert.truthy(d.reason:find("14 days after presumed receipt of reminder sent 2026-03-05 " ..
                                  "by e-mail (days 2026-03-06 to 2026-03-19)", 1, true))
    end)

    it("wait when day 14 is 21 July", function()
      -- e-mailed Tue 7 Jul 2026 -> day 1 Wed 8 -> day 14 Tue 21 Jul (national holiday)
      -- -> Wed 22 Jul -> damages Thu 23 Jul
      local d = takes("default", "2026-07-23", "2026-06-30", { { "reminder", "2026-07-07", "email" } })
      assert.truthy(d.reason:find("day 14, Tuesday 2026-07-21, is not a working day", 1, true))
      -- posted Thu 16 Jul 2026 -> day 1 Wed 22 Jul -> day 14 Tue 4 Aug -> damages Wed 5 Aug
      takes("default", "2026-08-05", "2026-07-09", { { "reminder", "2026-07-16" } })
    end)

    it("count around 15 August", function()
      -- posted Thu 14 Aug 2025: Fri 15 (Assumption), Mon 18 (1), Tue 19 (2), Wed 20 (3)
      -- -> day 1 Wed 20 Aug -> day 14 Tue 2 Sep -> damages Wed 3 Sep 2025
      takes("default", "2025-09-03", "2025-08-07", { { "reminder", "2025-08-14" } })
      -- e-mailed Fri 1 Aug 2025 -> day 1 Sat 2 Aug -> day 14 Fri 15 Aug (Assumption), then the
      -- weekend -> Mon 18 Aug -> damages Tue 19 Aug 2025
      takes("default", "2025-08-19", "2025-07-25", { { "reminder", "2025-08-01", "email" } })
    end)

    it("count across the year end", function()
      -- posted Wed 23 Dec 2026: Thu 24 (1), Fri 25 (Christmas), Mon 28 (2), Tue 29 (3)
      -- -> day 1 Tue 29 Dec -> day 14 Mon 11 Jan 2027 -> damages Tue 12 Jan
      takes("default", "2027-01-12", "2026-12-16", { { "reminder", "2026-12-23" } })
      -- posted Tue 29 Dec 2026: Wed 30 (1), Thu 31 (2), Fri 1 Jan (New Year), Mon 4 Jan (3)
      -- -> day 1 Mon 4 Jan 2027 -> day 14 Sun 17 Jan -> Mon 18 Jan -> damages Tue 19 Jan
      takes("default", "2027-01-19", "2026-12-22", { { "reminder", "2026-12-29" } })
    end)
  end)

  it("hands off the day after the notice's 14 days", function()
    -- notice posted Tue 24 Mar 2026: Wed 25 (1), Thu 26 (2), Fri 27 (3) -> day 1 Fri 27 Mar
    -- -> day 14 Thu 9 Apr -> agency Fri 10 Apr (Easter Monday 6 Apr lies inside the period)
    local steps = { { "reminder", "2026-03-05" }, { "default", "2026-03-24" } }
    local d = takes("agency", "2026-04-10", "2026-02-26", steps)
    assert.are.equal("agency-folder", d.handoff)
    steps[3] = { "agency", "2026-04-10", "" }
    local next_date
    d, next_date = decide("2026-06-01", "2026-02-26", steps)
    assert.is_nil(d)
    assert.is_nil(next_date)
  end)

  describe("the letters", function()
    local function render(lang, today, steps)
      local c = case(today, "2026-02-26", steps)
      c.debtor.language = lang
      local d = p:call("decide", c)
      local charged = #d.charges > 0
      return p:call("render", c, d, {
        charges = charged and { { invoice = "2026/0042",
          description = "Schadevergoeding / dommages et intérêts", amount = eur("45.00") } } or {},
        announced = charged and {} or { { description = "Schadevergoeding / dommages et intérêts",
                                          amount = eur("45.00") } },
        total = charged and eur("345.00") or eur("300.00") }), d
    end

    it("the first reminder states everything Book XIX requires, in French", function()
      local r = render("fr", "2026-03-05", {})
      assert.are.equal("fr", r.lang)
      assert.are.equal("Rappel gratuit : facture impayée Brouwerij Schelde NV", r.subject)
      local t = r.text
      -- the amount due
      assert.truthy(t:find("Montant dû : " .. eur("300.00"):format("fr-BE"), 1, true))
      -- the damages that will be charged
      assert.truthy(t:find("- Schadevergoeding / dommages et intérêts : " .. eur("45.00"):format("fr-BE"), 1, true))
      -- the creditor's name and enterprise number
      assert.truthy(t:find("Brouwerij Schelde NV, numéro d'entreprise 0123.456.789", 1, true))
      -- the due date and what was sold
      assert.truthy(t:find("Abonnement bière artisanale, mars 2026, échue le 26 février 2026", 1, true))
      -- the payment deadline: at least 14 days from the third working day after posting
      assert.truthy(t:find("quatorze jours calendrier", 1, true))
      assert.truthy(t:find("au plus tard le 23 mars 2026", 1, true))
      assert.truthy(t:find("gratuit", 1, true))
      assert.truthy(t:find("BE68539007547034", 1, true))
      assert.truthy(t:find("+++085/1927/54115+++", 1, true))
      assert.are.equal("%PDF", r.pdf:sub(1, 4))
    end)

    it("the first reminder in Dutch", function()
      local r = render("nl", "2026-03-05", {})
      local t = r.text
      assert.are.equal("Kosteloze herinnering: onbetaalde factuur Brouwerij Schelde NV", r.subject)
      assert.truthy(t:find("Verschuldigd bedrag: € 300,00", 1, true))
      assert.truthy(t:find("- Schadevergoeding / dommages et intérêts: € 45,00", 1, true))
      assert.truthy(t:find("Brouwerij Schelde NV, ondernemingsnummer 0123.456.789", 1, true))
      assert.truthy(t:find("Abonnement bière artisanale, mars 2026, vervallen op 26 februari 2026", 1, true))
      assert.truthy(t:find("veertien kalenderdagen", 1, true))
      assert.truthy(t:find("uiterlijk op 23 maart 2026", 1, true))
      assert.truthy(t:find("kosteloos", 1, true))
    end)

    it("the notice books the damages and states the total", function()
      local r = render("nl", "2026-03-24", { { "reminder", "2026-03-05" } })
      assert.truthy(r.text:find("- Schadevergoeding / dommages et intérêts (factuur 2026/0042): € 45,00", 1, true))
      assert.truthy(r.text:find("Totaal te betalen: € 345,00", 1, true))
      -- posted Tue 24 Mar: day 1 Fri 27 Mar, day 14 Thu 9 Apr
      assert.truthy(r.text:find("uiterlijk op 9 april 2026", 1, true))
    end)

    it("every letter in Dutch, French and English", function()
      for _, lang in ipairs({ "nl", "fr", "en" }) do
        local loc = ({ nl = "nl-NL", fr = "fr-BE", en = "en" })[lang]
        for _, at in ipairs({ { "2026-03-05", {} }, { "2026-03-24", { { "reminder", "2026-03-05" } } } }) do
          local r, d = render(lang, at[1], at[2])
          assert.are.equal(lang, r.lang)
          for _, want in ipairs({ "Brouwerij Schelde NV", "0123.456.789", "Marie Dubois", "2026/0042",
                                  "BE68539007547034", "+++085/1927/54115+++",
                                  owed.date.format(d.deadline, lang), eur("45.00"):format(loc),
                                  eur(#d.charges > 0 and "345.00" or "300.00"):format(loc) }) do
            assert.truthy(r.text:find(want, 1, true), d.step .. "." .. lang .. " lacks " .. want)
          end
          assert.is_nil(r.text:find("{", 1, true))
          assert.are.equal("%PDF", r.pdf:sub(1, 4))
        end
      end
    end)
  end)
end)
