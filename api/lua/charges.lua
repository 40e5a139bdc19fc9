-- owed.charges: what the charges plugins share -- argument checks, exact rates, the interest
-- engine (periods, compounding, payments) with its rounding, and the adapter that turns a
-- case into the charge lines the daily run books.  Shipped with the API (api/lua/), so every
-- charges plugin requires the one copy: require("owed.charges").
--
-- Amounts are owed.money (exact int64 minor units); no float ever touches one. Rates are exact
-- text ("11.15", "0.5", "8") read into integer units of 1/10,000 percent ("11.15" -> 111500),
-- so "amount x rate x days / 365" is one amount:mul_ratio(units * days, 1,000,000 * 365,
-- "half_up"): rounded once, half away from zero, to the minor unit.
local M = {}

M.RATE_DEN = 1000000 -- 100 (percent) x 10,000 (units per percent)

local function describe(v)
	if owed.money.is(v) then return tostring(v) end
	if type(v) == "string" then return string.format("%q", v) end
	if v == nil then return "nothing" end
	return "a " .. type(v) .. " (" .. tostring(v) .. ")"
end
M.describe = describe

local function fail(where, fmt, ...)
	error(where .. ": " .. string.format(fmt, ...), 0)
end
M.fail = fail

-- The hook's single argument: a table with only the keys in `allowed` (a set), so a typo such
-- as `comercial = true` is an error instead of a silently different calculation.
function M.args(a, where, allowed)
	if type(a) ~= "table" then
		fail(where, "expects one table of arguments, got %s", describe(a))
	end
	for k in pairs(a) do
		if not allowed[k] then
			local names = {}
			for n in pairs(allowed) do names[#names + 1] = n end
			table.sort(names)
			fail(where, "unknown argument %s (expected: %s)", describe(k), table.concat(names, ", "))
		end
	end
	return a
end

-- An amount: an owed.money, or its text ("1000.00 EUR"; hooks called across plugin states
-- receive amounts as text). With `currency`, it must be in that currency.
function M.money(v, where, name, currency)
	local m = v
	if type(v) == "string" then
		local ok, parsed = pcall(owed.money, v)
		m = ok and parsed or nil
	end
	if not owed.money.is(m) or (currency and m:currency() ~= currency) then
		fail(where, "%s must be an owed.money%s, got %s", name,
		     currency and (" in " .. currency) or "",
		     owed.money.is(m) and tostring(m) or describe(v))
	end
	return m
end

function M.positive(m, where, name)
	if m:is_negative() or m:is_zero() then
		fail(where, "%s must be more than zero, got %s", name, tostring(m))
	end
	return m
end

function M.date(v, where, name)
	if type(v) ~= "string" or not v:match("^%d%d%d%d%-%d%d%-%d%d$") or not owed.date.valid(v) then
		fail(where, "%s must be a date YYYY-MM-DD, got %s", name, describe(v))
	end
	return v
end

function M.boolean(v, where, name, default)
	if v == nil and default ~= nil then return default end
	if type(v) ~= "boolean" then
		fail(where, "%s must be true or false, got %s", name, describe(v))
	end
	return v
end

-- "11.15" -> 111500 (units of 1/10,000 percent). Integers are accepted; at most 4 decimals.
function M.rate(text, where)
	if math.type(text) == "integer" then text = tostring(text) end
	local int, frac
	if type(text) == "string" then int, frac = text:match("^(%d+)%.?(%d*)$") end
	if not int or #frac > 4 or #int > 6 then
		fail(where, "a rate must be a percentage written as text such as \"11.15\", got %s",
		     describe(text))
	end
	return tonumber(int) * 10000 + tonumber((frac .. "0000"):sub(1, 4))
end

-- 111500 -> "11.15"; with min_decimals 2, 40000 -> "4.00", else "4"; 5000 -> "0.5".
function M.rate_text(units, min_decimals)
	local frac = string.format("%04d", units % 10000)
	local keep = min_decimals or 0
	while #frac > keep and frac:sub(-1) == "0" do frac = frac:sub(1, -2) end
	if frac == "" then return tostring(units // 10000) end
	return tostring(units // 10000) .. "." .. frac
end

-- rate percent of m, rounded half-up once.
function M.percent(m, units)
	return m:mul_ratio(units, M.RATE_DEN, "half_up")
end

-- 2500.00 EUR -> "2,500.00" (the currency is named once elsewhere in a text).
function M.fmt(m)
	return m:format("en", { symbol = false })
end

-- Index of the last row whose `from` is on or before d, or nil.
local function index_at(rows, d)
	local k
	for i, row in ipairs(rows) do
		if row.from <= d then k = i else break end
	end
	return k
end
M.index_at = index_at

-- Checks a rate table (rows sorted by `from`, each { from =, rate =, source = }) and returns
-- its rates in units, using rate_of(row) when given (e.g. reference rate + margin).
function M.rate_units(rows, where, rate_of)
	local units = {}
	for i, row in ipairs(rows) do
		if type(row.from) ~= "string" or not owed.date.valid(row.from) then
			fail(where, "rates.lua: row %d has no valid date 'from'", i)
		end
		if i > 1 and rows[i - 1].from >= row.from then
			fail(where, "rates.lua: row %d (%s) is not after the row before it", i, row.from)
		end
		units[i] = rate_of and rate_of(row) or M.rate(row.rate, where)
	end
	return units
end

--[[ Interest over [from, to): `from` is the first day of delay and counted; `to` is the day of
calculation and not counted, so days = owed.date.diff(from, to) (2025-01-01 -> 2026-01-01 is 365
days: 181 + 184). Day count actual/365, also in leap years.

o = {
  where,               -- "nl-interest.interest", for errors
  principal,           -- owed.money, more than zero
  from, to,            -- "YYYY-MM-DD"
  rows, units,         -- the rate table and its rates (M.rate_units)
  split,               -- "change": a new period where the rate changes;
                       -- "semester": a new period on every 1 Jan and 1 Jul (and at every row)
  known_through,       -- last day the table covers; later days use the last row, unverified
  compound,            -- add each full year's interest (counted from `from`) to the principal
  payments,            -- optional, sorted by date: { { date =, amount = } }; a payment lowers
                       -- the principal from its date on (not below zero)
}
Every period is rounded half-up to the minor unit on its own; the total, a year's capitalised
interest and the explanation are sums of those rounded amounts.
Returns { amount, periods, capitalised, payments, unverified, steps } (steps: texts in order).
]]
function M.interest(o)
	local where, rows, units = o.where, o.rows, o.units
	local from, to = o.from, o.to
	if to < from then
		fail(where, "to (%s) is before from (%s)", to, from)
	end
	if not index_at(rows, from) then
		fail(where, "no rate for %s: the table in rates.lua starts at %s", from, rows[1].from)
	end

	local cuts, seen = {}, {}
	local function cut(d)
		if d > from and d < to and not seen[d] then
			seen[d] = true
			cuts[#cuts + 1] = d
		end
	end
	for i = 2, #rows do
		if o.split == "semester" or units[i] ~= units[i - 1] then cut(rows[i].from) end
	end
	if o.split == "semester" then
		for y = owed.date.ymd(from), owed.date.ymd(to) do
			cut(owed.date.from_ymd(y, 1, 1))
			cut(owed.date.from_ymd(y, 7, 1))
		end
	end
	local beyond = o.known_through and owed.date.add_days(o.known_through, 1)
	if beyond then cut(beyond) end
	local anniversary = {}
	if o.compound then
		local k = 1
		while true do
			local d = owed.date.add_years(from, k)
			if d >= to then break end
			anniversary[d] = true
			cut(d)
			k = k + 1
		end
	end
	local payments = o.payments or {}
	for _, p in ipairs(payments) do cut(p.date) end
	table.sort(cuts)
	cuts[#cuts + 1] = to

	local cur = o.principal:currency()
	local zero = owed.money.new(0, cur)
	local principal, total, year = o.principal, zero, zero
	local periods, capitalised, applied, steps = {}, {}, {}, {}
	local any_unverified = false
	local pi = 1
	local a = from
	if from == to then cuts = {} end
	for _, b in ipairs(cuts) do
		if anniversary[a] then
			if not year:is_zero() then
				principal = principal + year
				capitalised[#capitalised + 1] = { date = a, amount = year }
				steps[#steps + 1] = string.format(
					"on %s the year's interest %s is added to the principal, now %s",
					a, M.fmt(year), M.fmt(principal))
			end
			year = zero
		end
		while payments[pi] and payments[pi].date <= a do
			local p = payments[pi]
			local used = p.amount:min(principal)
			principal = principal - used
			applied[#applied + 1] = { date = p.date, amount = p.amount, applied = used }
			steps[#steps + 1] = string.format("payment of %s on %s lowers the principal to %s%s",
				M.fmt(p.amount), p.date, M.fmt(principal),
				used < p.amount and (" (" .. M.fmt(p.amount - used) .. " of it is not set off here)") or "")
			pi = pi + 1
		end
		local last = owed.date.add_days(b, -1)
		local i, j = index_at(rows, a), index_at(rows, last)
		local days = owed.date.diff(a, b)
		local r = units[i]
		local amount = principal:mul_ratio(r * days, M.RATE_DEN * 365, "half_up")
		local unverified, note = false, rows[i].note
		for k = i, j do
			if rows[k].unverified then unverified = true end
		end
		if beyond and a >= beyond then
			unverified = true
			note = "rates.lua has no rate after " .. o.known_through ..
			       ": the last known rate is carried forward"
		end
		any_unverified = any_unverified or unverified
		periods[#periods + 1] = {
			from = a, to = b, through = last, days = days,
			rate = M.rate_text(r, 2), principal = principal, amount = amount,
			source = rows[i].source, unverified = unverified or nil, note = note,
		}
		steps[#steps + 1] = string.format("%s to %s: %d days at %s%%%s on %s = %s",
			a, last, days, M.rate_text(r), unverified and " (unverified)" or "",
			M.fmt(principal), M.fmt(amount))
		total = total + amount
		year = year + amount
		a = b
	end
	return {
		amount = total, periods = periods, capitalised = capitalised, payments = applied,
		unverified = any_unverified or nil, steps = steps,
	}
end

-- "interest on 10,000.00 EUR from 2025-01-01 to 2026-01-01 (365 days, the last day not
-- counted; actual/365; <rule>): <steps>; total 1,064.59 EUR"
function M.explain_interest(res, principal, from, to, rule)
	local days = owed.date.diff(from, to)
	local text = string.format("interest on %s %s from %s to %s (%d day%s, %s not counted; " ..
		"actual/365; %s)", M.fmt(principal), principal:currency(), from, to, days,
		days == 1 and "" or "s", to, rule)
	if #res.steps > 0 then text = text .. ": " .. table.concat(res.steps, "; ") end
	text = text .. "; total " .. M.fmt(res.amount) .. " " .. principal:currency()
	if res.unverified then
		text = text .. " (includes a rate marked unverified in rates.lua)"
	end
	return text
end

-- ---------------------------------------------------------------- the daily run's adapter
--
-- The run calls a charges plugin's hook charge(case) and books the lines it returns:
-- { lines = { { invoice =, kind =, description =, amount = owed.money } } }.  A case's
-- invoices carry their open amount and the charges already on them; the principal is what is
-- open without those charges, and disputed invoices are left out.

-- Amounts in a case are owed.money; a spec's case may carry them as text ("750.00 EUR").
local function money_of(v)
	return owed.money.is(v) and v or owed.money(v)
end

-- The invoices a charge applies to, each with its principal.
function M.case_invoices(case)
	local out = {}
	for _, inv in ipairs(case.invoices) do
		local principal = money_of(inv.open) - money_of(inv.charges)
		if not inv.disputed and principal > owed.money.new(0, principal:currency()) then
			out[#out + 1] = { invoice = inv, principal = principal }
		end
	end
	return out
end

-- One amount computed over the whole case, spread over its invoices by principal so each
-- invoice carries its share (the parts add up to the amount exactly).
function M.spread(case, amount, kind, description)
	local items, weights = M.case_invoices(case), {}
	if #items == 0 or amount:is_zero() then return { lines = {} } end
	for i, it in ipairs(items) do weights[i] = it.principal end
	local parts, lines = amount:split(weights), {}
	for i, it in ipairs(items) do
		if not parts[i]:is_zero() then
			lines[#lines + 1] = { invoice = it.invoice.number, kind = kind,
			                      description = description, amount = parts[i] }
		end
	end
	return { lines = lines }
end

-- The sum of the case's principals, in its currency.
function M.case_principal(case)
	local total = owed.money.new(0, money_of(case.open):currency())
	for _, it in ipairs(M.case_invoices(case)) do total = total + it.principal end
	return total
end

-- Interest per invoice from the day after its due date up to the case's day.
function M.interest_lines(case, interest, description, extra)
	local lines = {}
	for _, it in ipairs(M.case_invoices(case)) do
		local from = owed.date.add_days(it.invoice.due_date, 1)
		if from < case.today then
			local args = { principal = it.principal, from = from, to = case.today }
			for k, v in pairs(extra or {}) do args[k] = v end
			local r = interest(args)
			if not r.amount:is_zero() then
				lines[#lines + 1] = { invoice = it.invoice.number, kind = "interest",
				                      amount = r.amount, description = string.format(
				                        "%s %s - %s", description, from, case.today) }
			end
		end
	end
	return lines
end

-- Interest on each invoice and a fixed compensation per invoice: the late-payment laws of
-- Belgium (2002) and the EU (2011/7) charge both.
function M.interest_and_compensation(case, interest, compensation, interest_text,
                                     compensation_text)
	local lines = M.interest_lines(case, interest, interest_text)
	for _, it in ipairs(M.case_invoices(case)) do
		lines[#lines + 1] = { invoice = it.invoice.number, kind = "compensation",
		                      description = compensation_text,
		                      amount = compensation{ invoices = 1 }.amount }
	end
	return { lines = lines }
end

return M
