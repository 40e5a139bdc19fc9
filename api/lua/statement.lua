-- owed.statement: what the bank-statement importers share -- exact decimal amounts to
-- owed.money without floats, and the balance check (opening + entries = closing).  Shipped with
-- the API (api/lua/), so camt053, mt940 and coda require the one copy.
--
-- Rule (the same in every importer): an amount may carry more decimals than its currency
-- when the extra digits are zeros ("18.150" EUR is 18.15); non-zero extra digits are refused
-- with an error naming the place, unless opts.round is set (then rounded half up, away from 0).
local M = {}

local places_cache = {}

-- The number of decimals of a currency's minor unit (EUR 2, JPY 0, BHD 3), or nil if unknown.
function M.places(ccy)
  if places_cache[ccy] == nil then
    local ok, m = pcall(owed.money.new, 1, ccy)
    if not ok then return nil end
    local frac = m:format():match("%.(%d+)$")
    places_cache[ccy] = frac and #frac or 0
  end
  return places_cache[ccy]
end

-- text uses '.' as decimal point ("-1234.5", "9.", ".5"). where names the place for errors.
function M.money(text, ccy, round, where)
  -- the common case first, cheaply: "1234.56" in a currency of two decimals
  if places_cache[ccy] == 2 then
    local int, frac = text:match("^(%d+)%.(%d%d)$")
    if int and #int <= 15 then return owed.money.new(tonumber(int) * 100 + tonumber(frac), ccy) end
  end
  local sign, int, frac = tostring(text):match("^%s*([+-]?)(%d*)%.?(%d*)%s*$")
  if not sign or (int == "" and frac == "") then
    error(string.format("%s: '%s' is not an amount (expected digits with an optional decimal point)",
                        where, tostring(text)), 0)
  end
  if type(ccy) ~= "string" or not ccy:match("^%u%u%u$") then
    error(string.format("%s: currency '%s' is not an ISO 4217 code", where, tostring(ccy)), 0)
  end
  local places = M.places(ccy)
  if not places then
    error(string.format("%s: unknown currency '%s'", where, ccy), 0)
  end
  local keep, extra = frac:sub(1, places), frac:sub(places + 1)
  keep = keep .. string.rep("0", places - #keep)
  local digits = (int .. keep):gsub("^0+", "")
  if digits == "" then digits = "0" end
  if #digits > 17 then
    error(string.format("%s: amount '%s' is too large", where, text), 0)
  end
  local minor = math.tointeger(tonumber(digits))
  if extra:match("[1-9]") then
    if not round then
      error(string.format("%s: amount '%s' has %d decimals, %s has %d " ..
                          "(give opts.round to round half up)", where, text, #frac, ccy, places), 0)
    end
    if extra:sub(1, 1) >= "5" then minor = minor + 1 end
  end
  if sign == "-" then minor = -minor end
  return owed.money.new(minor, ccy)
end

-- Accepts owed.money or its text ("150.00 EUR", as owed.testing copies it).
function M.as_money(v)
  if owed.money.is(v) then return v end
  if type(v) == "string" then return owed.money.parse(v) end
  return nil
end

-- The balance check shared by the importers: opening + credits - debits = closing.
function M.check(result)
  local problems = {}
  local stmts = (type(result) == "table" and result.statements) or {}
  local seen = {}
  for _, s in ipairs(stmts) do
    local id = tostring(s.id or "")
    seen[id] = (seen[id] or 0) + 1
  end
  for i, s in ipairs(stmts) do
    local label = tostring(s.id or "")
    if label == "" or seen[label] > 1 then label = (label ~= "" and label .. " " or "") .. "#" .. i end
    local function problem(fmt, ...)
      problems[#problems + 1] = "statement " .. label .. ": " .. string.format(fmt, ...)
    end
    local opening = s.opening and M.as_money(s.opening.amount)
    local closing = s.closing and M.as_money(s.closing.amount)
    if not opening then problem("no opening balance")
    elseif not closing then problem("no closing balance")
    else
      local ccy = opening:currency()
      local net = owed.money.new(0, ccy)
      local bad_ccy
      for _, e in ipairs(s.entries or {}) do
        local a = M.as_money(e.amount)
        if a:currency() ~= ccy then bad_ccy = a:currency()
        elseif e.credit then net = net + a else net = net - a end
      end
      if closing:currency() ~= ccy then
        problem("currencies differ: opening %s %s, closing %s %s",
                opening:format(), ccy, closing:format(), closing:currency())
      elseif bad_ccy then
        problem("an entry in %s in a statement in %s", bad_ccy, ccy)
      else
        local sum = opening + net
        if sum:cmp(closing) ~= 0 then
          problem("opening %s + entries %s = %s, closing says %s",
                  opening:format(), net:format(), sum:format(), closing:format())
        end
      end
    end
  end
  if #problems == 0 then return { ok = true } end
  return { ok = false, problems = problems }
end

return M
