-- be-b2c-damages: Belgian consumer debts, Book XIX of the Code of Economic Law (law of 4 May 2023).
-- All amounts are caps: the most a creditor may charge. Whether they are due at all (a free
-- first reminder, then at least 14 days) is the policy's business, not this plugin's.
--
-- damages{ principal = owed.money (EUR) }
-- -> { amount = money, lines = { { description =, amount = } }, explanation, source }
--   up to 150.00: 20.00; 150.01-500.00: 30.00 + 10% of the part above 150.00; above 500.00:
--   65.00 + 5% of the part above 500.00, at most 2,000.00. The percentage part is rounded
--   half-up to the cent once; the cap applies after rounding.
--
-- reminder_fee{ count = integer } (further reminders, the free first one not counted)
-- -> { amount = 7.50 EUR x count, per_reminder = 7.50 EUR, explanation, source }
--   postage comes on top and is not computed.
--
-- interest{ principal = owed.money, from = "YYYY-MM-DD", to = "YYYY-MM-DD", rate = "5"? }
-- -> the shape of be-late-payment's interest, each period also with cap = "10.50"
--   Book XIX allows at most the B2B rate of the law of 2 August 2002. Without `rate` the
--   interest is at that cap; with `rate` (the rate agreed in the contract, exact text) each
--   period uses the lower of the two. Conventions as be-late-payment: `to` not counted,
--   simple interest, actual/365, a new period every 1 January and 1 July, each period
--   rounded half-up. The cap table is a copy of be-late-payment/rates.lua (plugins cannot
--   share files); this plugin's spec fails when the two differ.
local common = require("owed.charges")
local rates = require("rates")

local M = {}

function M.damages(a)
	local where = "be-b2c-damages.damages"
	common.args(a, where, { principal = true })
	local principal = common.positive(common.money(a.principal, where, "principal", "EUR"),
	                                  where, "principal")
	local d = rates.damages
	local fmt = common.fmt
	local tier
	for _, t in ipairs(d.tiers) do
		tier = t
		if t.upto and principal <= owed.money(t.upto, "EUR") then break end
	end
	local fixed = owed.money(tier.fixed, "EUR")
	local lines = { { description = "fixed " .. fmt(fixed), amount = fixed } }
	local amount = fixed
	local text = string.format("principal %s EUR", fmt(principal))
	if tier.rate then
		local above = owed.money(tier.above, "EUR")
		local units = common.rate(tier.rate, where)
		local part = common.percent(principal - above, units)
		lines[#lines + 1] = {
			description = string.format("%s%% of %s (the part above %s)", common.rate_text(units),
			                            fmt(principal - above), fmt(above)),
			amount = part,
		}
		amount = amount + part
		text = string.format("%s: %s + %s%% of %s (the part above %s) = %s + %s = %s", text,
		                     fmt(fixed), common.rate_text(units), fmt(principal - above),
		                     fmt(above), fmt(fixed), fmt(part), fmt(amount))
	else
		text = string.format("%s: up to %s, %s", text, fmt(owed.money(tier.upto, "EUR")),
		                     fmt(fixed))
	end
	local maximum = d.maximum and owed.money(d.maximum, "EUR")
	if maximum and amount > maximum then
		lines[#lines + 1] = { description = "capped at the maximum of " .. fmt(maximum),
		                      amount = maximum - amount }
		text = text .. ", above the maximum, so " .. fmt(maximum)
		amount = maximum
	end
	return {
		amount = amount, lines = lines, source = d.source,
		explanation = text .. " EUR at most (Book XIX Code of Economic Law)",
	}
end

function M.reminder_fee(a)
	local where = "be-b2c-damages.reminder_fee"
	common.args(a, where, { count = true })
	local n = a.count
	if math.type(n) ~= "integer" or n < 0 then
		common.fail(where, "count (further reminders, the free first one not counted) must be " ..
		            "a whole number of at least 0, got %s", common.describe(n))
	end
	local per = owed.money(rates.reminder_fee.amount, "EUR")
	local amount = per:mul_ratio(n, 1)
	return {
		amount = amount, per_reminder = per, source = rates.reminder_fee.source,
		explanation = string.format("at most %s EUR per further reminder x %d = %s EUR, plus " ..
		                            "postage (not computed); the first reminder is free",
		                            common.fmt(per), n, common.fmt(amount)),
	}
end

function M.interest(a)
	local where = "be-b2c-damages.interest"
	common.args(a, where, { principal = true, from = true, to = true, rate = true })
	local principal = common.positive(common.money(a.principal, where, "principal"),
	                                  where, "principal")
	local from = common.date(a.from, where, "from")
	local to = common.date(a.to, where, "to")
	local agreed = a.rate ~= nil and common.rate(a.rate, where) or nil
	local cap = rates.interest_cap
	local caps = common.rate_units(cap.rates, where)
	local units = {}
	for i, u in ipairs(caps) do units[i] = agreed and math.min(agreed, u) or u end
	local res = common.interest{
		where = where, principal = principal, from = from, to = to,
		rows = cap.rates, units = units,
		split = "semester", known_through = cap.known_through, compound = false,
	}
	for _, period in ipairs(res.periods) do
		period.cap = common.rate_text(caps[common.index_at(cap.rates, period.from)], 2)
	end
	local rule = cap.rule .. ", simple interest"
	if agreed then
		rule = "agreed " .. common.rate_text(agreed) .. "%, " .. cap.rule .. ", simple interest"
	end
	return {
		amount = res.amount, periods = res.periods, unverified = res.unverified,
		day_count = "actual/365", rule = rule,
		explanation = common.explain_interest(res, principal, from, to, rule),
		source = cap.rates[1].source,
	}
end

-- charge(case): the daily run's hook -- the capped damages over the case's unpaid principal,
-- spread over its invoices (announced in the first reminder, charged after its 14 days).
function M.charge(case)
	local r = M.damages{ principal = common.case_principal(case) }
	return common.spread(case, r.amount, "damages", "Schadevergoeding / dommages et intérêts")
end

return M
