-- eu-late-payment: the default of Directive 2011/7/EU (B2B and public authorities). Rates are
-- data in rates.lua: the ECB reference rate per semester; this plugin adds the 8 points.
--
-- interest{ principal = owed.money (EUR), from = "YYYY-MM-DD", to = "YYYY-MM-DD" }
-- -> { amount = money, day_count = "actual/365", rule = "...",
--      periods = { { from, to (not counted), through, days, rate = "11.15" (reference + 8),
--                    reference = "3.15", principal, amount, source, unverified?, note? } },
--      explanation, source, unverified = true? }
--   `from` is the first day of delay (counted), `to` the day of calculation (not counted).
--   Simple interest, actual/365 also in leap years, a new period every 1 January and 1 July
--   (the reference rate is fixed per half year); each period rounded half-up to the cent on
--   its own, the total is their sum. EUR only: the table holds the ECB's rate, and for a
--   member state outside the euro the reference rate is its central bank's.
--
-- compensation{ invoices = integer? } (default 1)
-- -> { amount = 40.00 EUR x invoices, per_invoice = 40.00 EUR, explanation, source }
local common = require("owed.charges")
local rates = require("rates")

local M = {}

local RULE = "Directive 2011/7/EU: ECB reference rate + 8 points, simple interest"

function M.interest(a)
	local where = "eu-late-payment.interest"
	common.args(a, where, { principal = true, from = true, to = true })
	local principal = common.positive(common.money(a.principal, where, "principal", "EUR"),
	                                  where, "principal")
	local from = common.date(a.from, where, "from")
	local to = common.date(a.to, where, "to")
	local margin = common.rate(rates.margin, where)
	local units = common.rate_units(rates.rates, where,
		function(row) return common.rate(row.rate, where) + margin end)
	local res = common.interest{
		where = where, principal = principal, from = from, to = to,
		rows = rates.rates, units = units,
		split = "semester", known_through = rates.known_through, compound = false,
	}
	for _, period in ipairs(res.periods) do
		local row = rates.rates[common.index_at(rates.rates, period.from)]
		period.reference = common.rate_text(common.rate(row.rate, where), 2)
	end
	return {
		amount = res.amount, periods = res.periods, unverified = res.unverified,
		day_count = "actual/365", rule = RULE,
		explanation = common.explain_interest(res, principal, from, to, RULE),
		source = rates.margin_source .. "; reference rates: " ..
		         "ECB main refinancing rate, derived from art. 6:119a BW (see rates.lua)",
	}
end

function M.compensation(a)
	local where = "eu-late-payment.compensation"
	common.args(a == nil and {} or a, where, { invoices = true })
	local n = a and a.invoices or 1
	if math.type(n) ~= "integer" or n < 1 then
		common.fail(where, "invoices must be a whole number of at least 1, got %s", common.describe(n))
	end
	local per = owed.money(rates.compensation.amount, "EUR")
	local amount = per:mul_ratio(n, 1)
	return {
		amount = amount, per_invoice = per,
		explanation = string.format("fixed compensation %s EUR per invoice x %d = %s EUR",
		                            common.fmt(per), n, common.fmt(amount)),
		source = rates.compensation.source,
	}
end

-- charge(case): the daily run's hook -- interest at the reference rate + 8 points on each
-- invoice, and the fixed compensation of 40.00 per invoice.
function M.charge(case)
	return common.interest_and_compensation(case, M.interest, M.compensation, "Late payment interest",
	                                        "Fixed compensation (Directive 2011/7/EU)")
end

return M
