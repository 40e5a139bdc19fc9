-- be-late-payment rate table: data only. The rate of the law of 2 August 2002 (ECB rate
-- + 8 points, rounded up to the next half point) is published per semester by the FOD
-- Financiën. Each row: the first day of the semester it applies from (it stays until the next
-- row), the rate as exact text, its source and, where not confirmed, unverified = true.
-- A new semester is one new row; then move known_through to its last day. Days after
-- known_through use the last row and are marked unverified.
--
-- be-b2c/rates.lua holds a copy of `rates` (Book XIX caps consumer interest at this rate);
-- be-b2c's spec fails when the two differ.
local FOD = "law of 2 August 2002 on late payment; semester rate published by the FOD Financiën " ..
            "(Belgisch Staatsblad), as listed in the owed legal reference " ..
            "(shared/reference/legal.md)"

return {
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
  compensation = {
    amount = "40.00",
    source = "law of 2 August 2002 on late payment, as amended to transpose Directive " ..
             "2011/7/EU (art. 6 of the Directive): a fixed 40 EUR per invoice, due without a " ..
             "reminder, on top of interest; owed legal reference (shared/reference/legal.md)",
  },
}
