-- be-late-payment: Belgian law of 2 August 2002 on late payment in commercial transactions
-- (B2B). Rates are data in rates.lua.
--
-- interest{ principal = owed.money, from = "YYYY-MM-DD", to = "YYYY-MM-DD" }
--   from  the first day of the delay (counted); to  the day of calculation (NOT counted)
-- -> { amount = money, day_count = "actual/365", rule = "...",
--      periods = { { from, to (not counted), through, days, rate = "10.50", principal, amount,
--                    source, unverified?, note? } },
--      explanation = "...", source = "...", unverified = true? }
--   Simple interest (never added to the principal), actual/365 also in leap years. The rate
--   is published per semester, so every 1 January and 1 July starts a new period, even when
--   the rate stays the same. Each period is rounded half-up to the cent on its own; the total
--   is the sum of the rounded periods. Days after known_through in rates.lua use the last
--   known rate and are marked unverified. The law's rate is an ECB rate, but it applies to
--   the claim whatever its currency, so any currency is accepted.
--
-- compensation{ invoices = integer? } (default 1)
-- -> { amount = 40.00 EUR x invoices, per_invoice = 40.00 EUR, explanation, source }
local common = require("owed.charges")
local rates = require("rates")

local M = {}

local RULE = "Belgian law of 2 August 2002 on late payment (B2B)"

function M.interest(a)
	local where = "be-late-payment.interest"
	common.args(a, where, { principal = true, from = true, to = true })
	local principal = common.positive(common.money(a.principal, where, "principal"),
	                                  where, "principal")
	local from = common.date(a.from, where, "from")
	local to = common.date(a.to, where, "to")
	local res = common.interest{
		where = where, principal = principal, from = from, to = to,
		rows = rates.rates, units = common.rate_units(rates.rates, where),
		split = "semester", known_through = rates.known_through, compound = false,
	}
	return {
		amount = res.amount, periods = res.periods, unverified = res.unverified,
		day_count = "actual/365", rule = RULE,
		explanation = common.explain_interest(res, principal, from, to, RULE .. ", simple interest"),
		source = rates.rates[1].source,
	}
end

function M.compensation(a)
	local where = "be-late-payment.compensation"
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

-- charge(case): the daily run's hook -- interest on each invoice from the day after its due
-- date, and the fixed compensation of 40.00 per invoice.
function M.charge(case)
	return common.interest_and_compensation(case, M.interest, M.compensation, "Intérêts de retard / nalatigheidsintrest",
	                                        "Forfaitaire schadevergoeding / indemnité forfaitaire")
end

return M
