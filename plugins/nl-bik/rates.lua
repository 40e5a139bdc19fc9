-- nl-bik rate table: data only. A new scale is a new entry with its effective date (the entry
-- in force on the calculation date applies); a new VAT rate is a new line under `vat`.
-- Amounts are in EUR, written as exact text; rates are percentages as exact text.
return {
  scales = {
    {
      effective = "2012-07-01",
      source = "Besluit vergoeding voor buitengerechtelijke incassokosten, Stb. 2012, 141, " ..
               "art. 2 (zoek.officielebekendmakingen.nl/stb-2012-141.html); art. 6:96 BW; " ..
               "examples checked against verenigingvoorcreditmanagement.nl",
      brackets = {                        -- over the principal, interest not included
        { size = "2500.00",   rate = "15" },   -- the first 2,500
        { size = "2500.00",   rate = "10" },   -- the next 2,500
        { size = "5000.00",   rate = "5" },    -- the next 5,000
        { size = "190000.00", rate = "1" },    -- the next 190,000
        { rate = "0.5" },                      -- above 200,000
      },
      minimum = "40.00",
      maximum = "6775.00",                -- reached at a principal of 1,000,000
    },
  },
  vat = {
    -- The uplift is allowed only when the creditor cannot deduct VAT and says so.
    { effective = "2012-10-01", rate = "21",
      source = "Wet op de omzetbelasting 1968, art. 9 lid 1 (general rate, 21% since " ..
               "1 October 2012); BIK uplift per legal.md (Besluit BIK, Stb. 2012, 141)" },
  },
}
