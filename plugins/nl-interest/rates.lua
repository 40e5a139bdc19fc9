-- nl-interest rate table: data only. Each row: the date from which a rate applies (it applies
-- to interest already running too), the rate as exact text (percent per year), its source and,
-- where the rate is not confirmed, unverified = true with a note. A new rate is one new row.
-- `known_through` is the last day the table is known to cover; for later days the last row is
-- carried forward and every such period is marked unverified -- move it on with each new row.
local CONSUMER = "art. 6:119 BW; rate set by general order in council (art. 6:120 lid 2 BW), " ..
                 "as listed in the owed legal reference (shared/reference/legal.md)"
local COMMERCIAL = "art. 6:119a BW: ECB main refinancing rate on 1 Jan / 1 Jul + 8 points " ..
                   "(7 before 16 Mar 2013), art. 6:120 lid 2 BW; as listed in the owed legal " ..
                   "reference (shared/reference/legal.md)"

return {
  known_through = "2026-06-30",

  consumer = {                                     -- wettelijke rente, art. 6:119 BW
    rule = "art. 6:119 BW (statutory interest)",
    rates = {
      { from = "2012-01-01", rate = "4", source = CONSUMER },
      { from = "2012-07-01", rate = "3", source = CONSUMER },
      { from = "2013-01-01", rate = "3", source = CONSUMER },
      { from = "2013-03-16", rate = "3", source = CONSUMER },
      { from = "2013-07-01", rate = "3", source = CONSUMER },
      { from = "2014-01-01", rate = "3", source = CONSUMER },
      { from = "2014-07-01", rate = "3", source = CONSUMER },
      { from = "2015-01-01", rate = "2", source = CONSUMER },
      { from = "2016-07-01", rate = "2", source = CONSUMER },
      { from = "2023-01-01", rate = "4", source = CONSUMER },
      { from = "2023-07-01", rate = "6", source = CONSUMER },
      { from = "2024-01-01", rate = "7", source = CONSUMER },
      { from = "2024-07-01", rate = "7", source = CONSUMER },
      { from = "2025-01-01", rate = "6", source = CONSUMER },
      { from = "2025-07-01", rate = "6", source = CONSUMER, unverified = true,
        note = "sources disagree; 5% by the formula" },
      { from = "2026-01-01", rate = "4", source = CONSUMER, unverified = true },
    },
  },

  commercial = {                                   -- wettelijke handelsrente, art. 6:119a BW
    rule = "art. 6:119a BW (statutory commercial interest)",
    rates = {
      { from = "2012-01-01", rate = "8.00", source = COMMERCIAL },
      { from = "2012-07-01", rate = "8.00", source = COMMERCIAL },
      { from = "2013-01-01", rate = "7.75", source = COMMERCIAL },
      { from = "2013-03-16", rate = "8.75", source = COMMERCIAL },
      { from = "2013-07-01", rate = "8.50", source = COMMERCIAL },
      { from = "2014-01-01", rate = "8.25", source = COMMERCIAL },
      { from = "2014-07-01", rate = "8.15", source = COMMERCIAL },
      { from = "2015-01-01", rate = "8.05", source = COMMERCIAL },
      { from = "2016-07-01", rate = "8.00", source = COMMERCIAL },
      { from = "2023-01-01", rate = "10.50", source = COMMERCIAL },
      { from = "2023-07-01", rate = "12.00", source = COMMERCIAL },
      { from = "2024-01-01", rate = "12.50", source = COMMERCIAL },
      { from = "2024-07-01", rate = "12.25", source = COMMERCIAL },
      { from = "2025-01-01", rate = "11.15", source = COMMERCIAL },
      { from = "2025-07-01", rate = "10.15", source = COMMERCIAL },
      { from = "2026-01-01", rate = "10.15", source = COMMERCIAL, unverified = true },
    },
  },
}
