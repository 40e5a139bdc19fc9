-- nl-bik: Dutch extrajudicial collection costs (art. 6:96 BW and the Besluit vergoeding voor
-- buitengerechtelijke incassokosten, Stb. 2012, 141). The scale itself is data in rates.lua.
--
-- costs{ principal = owed.money (EUR), vat_uplift = boolean?, date = "YYYY-MM-DD"? }
--   principal   the unpaid principal (interest not included), more than zero, in EUR
--   vat_uplift  add VAT (21%) -- only when the creditor cannot deduct VAT and says so
--               (for a consumer: in the 14-day letter). Default false.
--   date        picks the scale and VAT rate in force (default: today)
-- -> { amount = money (excl. VAT), vat = money, total = money,
--      lines = { { description =, amount = } },  -- add up to `amount`
--      explanation = "15% of the first 2,500.00 = 375.00; ...", source = "..." }
--
-- Rounding: each bracket's amount is rounded half-up to the cent. Every bracket but the last
-- one used is full, and a full bracket comes to whole cents (375.00, 250.00, 250.00,
-- 1,900.00), so only one rounding ever happens: rounding per bracket and rounding at the end
-- give the same amount, and both give the published examples (1,000 -> 150.00, 2,500 ->
-- 375.00, 5,000 -> 625.00, 10,000 -> 875.00, 200,000 -> 2,775.00). The minimum (40.00) and
-- maximum (6,775.00) are applied to the rounded scale amount; the VAT is 21% of the amount
-- after that, rounded half-up once.
local common = require("owed.charges")
local rates = require("rates")

local M = {}

local WHERE = "nl-bik.costs"
local ALLOWED = { principal = true, vat_uplift = true, date = true }

-- The entry of list with the latest `effective` on or before date.
local function in_force(list, date, what)
	local pick
	for _, e in ipairs(list) do
		if e.effective <= date and (not pick or e.effective > pick.effective) then pick = e end
	end
	if not pick then
		common.fail(WHERE, "no %s in rates.lua for %s (the first is in force from %s)",
		            what, date, list[1] and list[1].effective or "-")
	end
	return pick
end

function M.costs(a)
	common.args(a, WHERE, ALLOWED)
	local principal = common.positive(common.money(a.principal, WHERE, "principal", "EUR"),
	                                  WHERE, "principal")
	local vat_uplift = common.boolean(a.vat_uplift, WHERE, "vat_uplift", false)
	local date = a.date ~= nil and common.date(a.date, WHERE, "date") or owed.date.today()
	local scale = in_force(rates.scales, date, "scale")
	local fmt = common.fmt

	local zero = owed.money.new(0, "EUR")
	local lines, parts = {}, {}
	local rest, scaled = principal, zero
	for i, bracket in ipairs(scale.brackets) do
		if rest:is_zero() then break end
		local part = bracket.size and rest:min(owed.money(bracket.size, "EUR")) or rest
		local units = common.rate(bracket.rate, WHERE)
		local amount = common.percent(part, units)
		local description = string.format("%s%% of the %s %s", common.rate_text(units),
		                                  i == 1 and "first" or "next", fmt(part))
		lines[#lines + 1] = { description = description, amount = amount }
		parts[#parts + 1] = description .. " = " .. fmt(amount)
		scaled = scaled + amount
		rest = rest - part
	end
	if not rest:is_zero() then
		common.fail(WHERE, "rates.lua: the last bracket of the scale of %s must have no size",
		            scale.effective)
	end

	local explanation = table.concat(parts, "; ")
	local minimum, maximum = owed.money(scale.minimum, "EUR"), owed.money(scale.maximum, "EUR")
	local amount = scaled
	if scaled < minimum then
		amount = minimum
		lines[#lines + 1] = { description = "raised to the minimum of " .. fmt(minimum),
		                      amount = minimum - scaled }
		explanation = explanation .. "; below the minimum, so " .. fmt(minimum)
	elseif scaled > maximum then
		amount = maximum
		lines[#lines + 1] = { description = "capped at the maximum of " .. fmt(maximum),
		                      amount = maximum - scaled }
		explanation = explanation .. "; total " .. fmt(scaled) ..
		              ", above the maximum, so " .. fmt(maximum)
	elseif #parts > 1 then
		explanation = explanation .. "; total " .. fmt(scaled)
	end

	local vat, source = zero, scale.source
	if vat_uplift then
		local rate = in_force(rates.vat, date, "VAT rate")
		local units = common.rate(rate.rate, WHERE)
		vat = common.percent(amount, units)
		explanation = string.format("%s; plus %s%% VAT (the creditor cannot deduct VAT) %s = %s EUR",
		                            explanation, common.rate_text(units), fmt(vat), fmt(amount + vat))
		source = source .. "; VAT: " .. rate.source
	else
		explanation = explanation .. " EUR, no VAT"
	end

	return {
		amount = amount, vat = vat, total = amount + vat, lines = lines,
		explanation = explanation, source = source,
	}
end

-- charge(case): the daily run's hook -- the BIK costs over the case's unpaid principal,
-- spread over its invoices.
-- A creditor that cannot deduct VAT adds it (administration.cannot_deduct_vat) and says so.
function M.charge(case)
	local uplift = case.administration.cannot_deduct_vat == true
	local r = M.costs{ principal = common.case_principal(case), date = case.today,
	                   vat_uplift = uplift }
	return common.spread(case, r.total, "collection_costs", uplift
		and "Buitengerechtelijke incassokosten, incl. 21% btw (wij kunnen de btw niet verrekenen)"
		or "Buitengerechtelijke incassokosten")
end

return M
