-- eu-b2b: which step on which day, to the day, and what the letters say (Directive 2011/7/EU
-- defaults). The policy has no country, so no holiday calendar moves its deadlines: a period
-- ending on a Saturday or Sunday runs on to the Monday. E-mail counts from the day after
-- sending; a posted letter is presumed delivered as in the Netherlands (second delivery day
-- after posting) and counts from the day after. Every date is worked out by hand.
local testing = require("owed.testing")
local dunning_testing = require("owed.dunning.testing")

local function eur(s) return owed.money(s .. " EUR") end

-- A case as the daily run hands it to the policy: one invoice of `open` due on `due`, the
-- steps taken so far as { step, date, channels }.
local case = dunning_testing.cases{
  open = "5000.00", channels = "email", reference = "RF18539007547034",
  debtor = { number = "E3", name = "Müller Maschinenbau GmbH", kind = "business", country = "DE",
               language = "de", email = "buchhaltung@mueller.example",
               address = "Hauptstraße 5, 50667 Köln" },
  administration = { name = "Groothandel Noordzee BV", address = "Havenstraat 1, 1011 AB Amsterdam",
                       country = "NL", kvk = "12345678", vat = "NL123456789B01",
                       iban = "NL91ABNA0417164300", currency = "EUR" },
  invoice = { number = "INV-2026-007", terms = 30, description = "Spare parts" },
}

describe("eu-b2b", function()
  local p
  before_each(function() p = testing.plugin("eu-b2b") end)

  local function decide(...) return p:call("decide", case(...)) end

  local takes = dunning_testing.takes(decide)

  it("walks the whole procedure", function()
    -- due Wed 31 Dec 2025 -> reminder Wed 7 Jan 2026 by e-mail: day 1 Thu 8, day 10 Sat 17
    -- -> Mon 19 Jan
    local d = takes("reminder", "2026-01-07", "2025-12-31")
    assert.are.same({ "email" }, d.channels)
    assert.are.equal("2026-01-19", d.deadline)
    local steps = { { "reminder", "2026-01-07" } }
    -- the day after: Tue 20 Jan, notice by e-mail and post, booking interest and the 40.00;
    -- posted Tue 20 Jan: Wed 21 (1), Thu 22 (2) -> day 1 Fri 23 Jan -> day 14 Thu 5 Feb
    d = takes("default", "2026-01-20", "2025-12-31", steps)
    assert.are.same({ "eu-late-payment" }, d.charges)
    assert.are.same({ "email", "letter" }, d.channels)
    assert.are.equal("2026-02-05", d.deadline)
    assert.truthy(d.reason:find("day 10, Saturday 2026-01-17, is not a working day", 1, true))
    steps[2] = { "default", "2026-01-20", "email,letter" }
    -- a week after the notice's deadline: day 21 Thu 12 Feb -> agency Fri 13 Feb
    d = takes("agency", "2026-02-13", "2025-12-31", steps)
    assert.are.equal("agency-folder", d.handoff)
    assert.are.equal("agency: 21 days after presumed receipt of default sent 2026-01-20 by letter " ..
                     "(days 2026-01-23 to 2026-02-12), open 5000.00 EUR", d.reason)
  end)

  it("knows weekends but no national holidays", function()
    -- e-mailed Tue 15 Dec 2026 -> day 1 Wed 16 -> day 10 Fri 25 Dec: Christmas is not a
    -- holiday without a country -> notice Sat 26 Dec
    takes("default", "2026-12-26", "2026-12-08", { { "reminder", "2026-12-15" } })
    -- e-mailed Mon 21 Dec 2026 -> day 1 Tue 22 -> day 10 Thu 31 Dec -> notice Fri 1 Jan 2027
    takes("default", "2027-01-01", "2026-12-14", { { "reminder", "2026-12-21" } })
  end)

  describe("the letters", function()
    local function render(lang, today, steps)
      local c = case(today, "2025-12-31", steps)
      c.debtor.language = lang
      local d = p:call("decide", c)
      local charged = #d.charges > 0
      return p:call("render", c, d, {
        charges = charged and {
          { invoice = "INV-2026-007", description = "Late payment interest", amount = eur("27.81") },
          { invoice = "INV-2026-007", description = "Fixed compensation (Directive 2011/7/EU)",
            amount = eur("40.00") } } or {},
        announced = {}, total = charged and eur("5067.81") or eur("5000.00") }), d
    end

    it("a German debtor gets the English letters", function()
      local r = render("de", "2026-01-20", { { "reminder", "2026-01-07" } })
      assert.are.equal("en", r.lang)
      assert.are.equal("Notice of default: unpaid invoices Groothandel Noordzee BV", r.subject)
      assert.truthy(r.text:find("- Fixed compensation (Directive 2011/7/EU) (invoice INV-2026-007): €40.00", 1, true))
      assert.truthy(r.text:find("- Late payment interest (invoice INV-2026-007): €27.81", 1, true))
      assert.truthy(r.text:find("Total to pay: €5,067.81", 1, true))
      assert.truthy(r.text:find("by 5 February 2026 at the latest", 1, true))
      assert.truthy(r.text:find("Directive 2011/7/EU", 1, true))
      assert.are.equal("%PDF", r.pdf:sub(1, 4))
    end)

    it("every letter in English, Dutch and French", function()
      for _, lang in ipairs({ "en", "nl", "fr" }) do
        local loc = ({ nl = "nl-NL", fr = "fr-BE", en = "en" })[lang]
        for _, at in ipairs({ { "2026-01-07", {} }, { "2026-01-20", { { "reminder", "2026-01-07" } } } }) do
          local r, d = render(lang, at[1], at[2])
          assert.are.equal(lang, r.lang)
          for _, want in ipairs({ "Groothandel Noordzee BV", "Müller Maschinenbau GmbH", "INV-2026-007",
                                  "NL91ABNA0417164300", "RF18539007547034",
                                  owed.date.format(d.deadline, lang),
                                  eur(#d.charges > 0 and "5067.81" or "5000.00"):format(loc) }) do
            assert.truthy(r.text:find(want, 1, true), d.step .. "." .. lang .. " lacks " .. want)
          end
          assert.is_nil(r.text:find("{", 1, true))
          assert.are.equal("%PDF", r.pdf:sub(1, 4))
        end
      end
    end)
  end)
end)
