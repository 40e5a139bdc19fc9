-- eu-late-payment rate table: data only. Directive 2011/7/EU, art. 2(6)-(7): statutory interest
-- = the reference rate + at least 8 percentage points; the reference rate is the ECB's main
-- refinancing rate on 1 January for the first half year and on 1 July for the second.
-- The table stores the REFERENCE rate per semester; the plugin adds `margin` points.
--
-- DERIVED, not copied from the ECB: the Dutch art. 6:119a BW rate (shared/reference/legal.md)
-- is this reference rate + 8 points since 16 March 2013 (+ 7 before), so each row here is that
-- column minus 8 (minus 7 for the 2013-01-01 row, which agrees with 8.75 - 8 from 16 March).
-- A row stays in force until the next one (semesters without a row kept the rate); where the
-- 6:119a rate is unverified, so is the row. A new semester is one new row; then move
-- known_through to its last day (later days use the last row and are marked unverified).
local function derived(nl, points)
  return "ECB main refinancing rate, derived from the art. 6:119a BW rate " .. nl .. " - " ..
         points .. " points (shared/reference/legal.md)"
end

return {
  margin = "8",                      -- percentage points on top of the reference rate
  margin_source = "Directive 2011/7/EU, art. 2(6): reference rate plus at least 8 points",
  known_through = "2026-06-30",
  rates = {
    { from = "2013-01-01", rate = "0.75", source = derived("7.75% (8.75% from 16 Mar 2013)", 7) },
    { from = "2013-07-01", rate = "0.50", source = derived("8.50%", 8) },
    { from = "2014-01-01", rate = "0.25", source = derived("8.25%", 8) },
    { from = "2014-07-01", rate = "0.15", source = derived("8.15%", 8) },
    { from = "2015-01-01", rate = "0.05", source = derived("8.05%", 8) },
    { from = "2016-07-01", rate = "0.00", source = derived("8.00%", 8) },
    { from = "2023-01-01", rate = "2.50", source = derived("10.50%", 8) },
    { from = "2023-07-01", rate = "4.00", source = derived("12.00%", 8) },
    { from = "2024-01-01", rate = "4.50", source = derived("12.50%", 8) },
    { from = "2024-07-01", rate = "4.25", source = derived("12.25%", 8) },
    { from = "2025-01-01", rate = "3.15", source = derived("11.15%", 8) },
    { from = "2025-07-01", rate = "2.15", source = derived("10.15%", 8) },
    { from = "2026-01-01", rate = "2.15", source = derived("10.15% (unverified)", 8),
      unverified = true },
  },
  compensation = {
    amount = "40.00",
    source = "Directive 2011/7/EU, art. 6(1): a fixed sum of at least EUR 40 per invoice, " ..
             "due without a reminder",
  },
}
