-- nl-interest: Dutch statutory interest -- wettelijke rente (art. 6:119 BW, consumers and other
-- non-commercial claims) and wettelijke handelsrente (art. 6:119a BW, commercial claims).
-- The rates are data in rates.lua.
--
-- interest{ principal = owed.money, from = "YYYY-MM-DD", to = "YYYY-MM-DD",
--           commercial = boolean, payments = { { date =, amount = owed.money } }? }
--   from        the first day of the delay (counted)
--   to          the day of calculation (NOT counted): days = to - from, so 2025-01-01 ->
--               2026-01-01 is 365 days (181 + 184)
--   commercial  true: art. 6:119a BW; false: art. 6:119 BW (required, so a missing flag never
--               silently picks the lower consumer rate)
--   payments    each lowers the principal from its date on (see "Payments" below)
-- -> { amount = money, day_count = "actual/365", rule = "art. 6:119a BW ...",
--      periods = { { from, to (not counted), through (last day counted), days, rate = "11.15",
--                    principal = money, amount = money, source, unverified?, note? } },
--      capitalised = { { date, amount } }, payments = { { date, amount, applied } },
--      explanation = "...", source = "...", unverified = true? }
--
-- Rules:
-- * A rate change applies to interest already running: a period ends where the rate changes
--   (rows of the table that repeat the same rate do not start a new period).
-- * Compounding (art. 6:119 lid 2 BW, likewise for 6:119a): after each full year counted
--   from `from` (not the calendar year), that year's interest is added to the principal;
--   later interest runs on the sum. A capitalisation is listed when interest runs after it
--   (its date is before `to`).
-- * Day count actual/365, also in leap years (a year of delay over 29 February has 366 days).
-- * Rounding: each period's interest is rounded half-up to the cent on its own
--   (principal x rate x days / 365, one rounding); totals and capitalised amounts are sums of
--   the rounded periods. This gives legal.md's worked example: B2B 10,000.00 from 2025-01-01
--   to 2026-01-01 = 552.92 + 511.67 = 1,064.59.
-- * Payments: SIMPLIFIED. Art. 6:44 BW sets a payment off against costs, then interest, then
--   the principal; this plugin instead lowers the principal on which interest runs (including
--   capitalised interest) from the payment's date on, never below zero. A caller that wants
--   art. 6:44 must allocate the payment first and pass only the part that reaches the principal.
-- * Days after rates.lua's known_through use the last known rate and are marked unverified.
local common = require("owed.charges")
local rates = require("rates")

local M = {}

local WHERE = "nl-interest.interest"
local ALLOWED = { principal = true, from = true, to = true, commercial = true, payments = true }

local function read_payments(list, currency)
	if list == nil then return {} end
	if type(list) ~= "table" then
		common.fail(WHERE, "payments must be a list of { date =, amount = }, got %s",
		            common.describe(list))
	end
	local out = {}
	for i, p in ipairs(list) do
		local name = "payments[" .. i .. "]"
		if type(p) ~= "table" then
			common.fail(WHERE, "%s must be a table { date =, amount = }, got %s", name,
			            common.describe(p))
		end
		local amount = common.positive(common.money(p.amount, WHERE, name .. ".amount", currency),
		                               WHERE, name .. ".amount")
		out[i] = { date = common.date(p.date, WHERE, name .. ".date"), amount = amount, n = i }
	end
	table.sort(out, function(x, y)
		if x.date ~= y.date then return x.date < y.date end
		return x.n < y.n
	end)
	return out
end

function M.interest(a)
	common.args(a, WHERE, ALLOWED)
	local principal = common.positive(common.money(a.principal, WHERE, "principal"),
	                                  WHERE, "principal")
	local from = common.date(a.from, WHERE, "from")
	local to = common.date(a.to, WHERE, "to")
	if type(a.commercial) ~= "boolean" then
		common.fail(WHERE, "commercial must be true (art. 6:119a BW) or false (art. 6:119 BW), got %s",
		            common.describe(a.commercial))
	end
	local column = a.commercial and rates.commercial or rates.consumer
	local payments = read_payments(a.payments, principal:currency())

	local res = common.interest{
		where = WHERE, principal = principal, from = from, to = to,
		rows = column.rates, units = common.rate_units(column.rates, WHERE),
		split = "change", known_through = rates.known_through, compound = true,
		payments = payments,
	}
	local sources, seen = {}, {}
	for _, period in ipairs(res.periods) do
		if not seen[period.source] then
			seen[period.source] = true
			sources[#sources + 1] = period.source
		end
	end
	return {
		amount = res.amount, periods = res.periods, capitalised = res.capitalised,
		payments = res.payments, unverified = res.unverified,
		day_count = "actual/365", rule = column.rule,
		explanation = common.explain_interest(res, principal, from, to, column.rule),
		source = #sources > 0 and table.concat(sources, "; ") or column.rates[1].source,
	}
end

-- charge(case): the daily run's hook -- statutory interest on each invoice from the day
-- after its due date; commercial (6:119a) for business debtors, 6:119 for consumers.
function M.charge(case)
	local commercial = case.debtor.kind ~= "consumer"
	return { lines = common.interest_lines(case, M.interest,
		commercial and "Wettelijke handelsrente" or "Wettelijke rente",
		{ commercial = commercial }) }
end

return M
