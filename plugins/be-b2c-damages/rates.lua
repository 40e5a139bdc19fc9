-- be-b2c-damages rate table: data only. Book XIX of the Code of Economic Law (law of 4 May 2023):
-- applies from 1 September 2023 to new contracts and from 1 December 2023 to all contracts.
-- Sources: latribune.avocats.be (analysis of the 2023 law); crivitspersyn.be; embuild.be --
-- as listed in the owed legal reference (shared/reference/legal.md).
local BOOK_XIX = "Code of Economic Law, Book XIX (law of 4 May 2023); latribune.avocats.be, " ..
                 "crivitspersyn.be, embuild.be, as listed in shared/reference/legal.md"

-- COPY of plugins/be-late-payment/rates.lua (`known_through` and `rates`): Book XIX caps the
-- interest at the rate of the law of 2 August 2002. Plugins cannot read each other's files,
-- so the table is copied; be-b2c-damages' spec fails when the copies differ. Change both together.
local FOD = "law of 2 August 2002 on late payment; semester rate published by the FOD Financiën " ..
            "(Belgisch Staatsblad), as listed in the owed legal reference " ..
            "(shared/reference/legal.md)"

return {
  damages = {                             -- the most the creditor may charge as damages
    effective = "2023-09-01",
    source = BOOK_XIX,
    tiers = {                             -- the first tier whose `upto` covers the principal
      { upto = "150.00", fixed = "20.00" },
      { upto = "500.00", fixed = "30.00", rate = "10", above = "150.00" },
      { fixed = "65.00", rate = "5", above = "500.00" },
    },
    maximum = "2000.00",
  },

  reminder_fee = {                        -- each further reminder; the first one is free
    effective = "2023-09-01", amount = "7.50", source = BOOK_XIX,
  },

  interest_cap = {
    rule = "at most the B2B rate of the Belgian law of 2 August 2002 (Book XIX CEL)",
    known_through = "2026-06-30",
    rates = {
      { from = "2016-07-01", rate = "8", source = FOD },    -- H2 2016 through H2 2022
      { from = "2023-01-01", rate = "10.5", source = FOD },
      { from = "2023-07-01", rate = "12", source = FOD },
      { from = "2024-01-01", rate = "12.5", source = FOD },
      { from = "2024-07-01", rate = "12.5", source = FOD },
      { from = "2025-01-01", rate = "11.5", source = FOD, unverified = true },
      { from = "2025-07-01", rate = "10.5", source = FOD },
      { from = "2026-01-01", rate = "10.5", source = FOD },
    },
  },
}
