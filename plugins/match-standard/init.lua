-- match-standard: one payment in, one decision out (host/services/matching.c applies it).
--
-- match(p) with p = { amount = owed.money, date, iban?, counterparty?, remittance?,
-- structured?, scheme?, end_to_end? } returns nil (nothing found: the host sends it to
-- review) or { debtor =, allocations = { { invoice =, amount = } }, write_off =, rule =, why = }
-- or { review = true, debtor =, why = }.  The rules, most certain first:
--
--   reference       the structured reference (or one written in the text) names an invoice
--   invoice-number  invoice numbers found in the remittance text
--   iban-amount     the debtor's IBAN, and exactly one open invoice of exactly this amount
--   iban-sum        the debtor's IBAN, and exactly one set of open invoices adding up to it
--   tolerance       the debtor's IBAN, and one invoice open at most `tolerance` more (the rest
--                   is written off: bank costs)
--   iban-oldest     the debtor's IBAN and no exact amount: oldest invoices first (a partial
--                   payment), anything beyond what is open stays as credit
--
-- Two invoices that fit equally well are never guessed between: that is review.
local M = {}

local MAX_TOKENS = 24

local function setting(key, default)
  local v = owed.config and owed.config[key]
  if v == nil then return default end
  return v
end

local function money(minor, ccy) return owed.money.new(minor, ccy) end

local function numbers(list)
  local out = {}
  for i, inv in ipairs(list) do out[i] = inv.number end
  return table.concat(out, ", ")
end

-- Spreads amount (minor units) over invoices in their order; returns the allocations and
-- what is left.
local function spread(invoices, amount, ccy)
  local out, left = {}, amount
  for _, inv in ipairs(invoices) do
    if left <= 0 then break end
    local open = inv.open:minor()
    local take = open < left and open or left
    if take > 0 then
      out[#out + 1] = { invoice = inv.number, amount = money(take, ccy) }
      left = left - take
    end
  end
  return out, left
end

local function open_of(list, ccy)
  local out = {}
  for _, inv in ipairs(list) do
    if inv.currency == ccy and inv.open:minor() > 0 then out[#out + 1] = inv end
  end
  return out
end

local function by_due(a, b)
  if a.due_date ~= b.due_date then return a.due_date < b.due_date end
  return a.number < b.number
end

-- The decision for a payment naming these invoices (all one debtor's).
local function pay_named(p, named, rule, how)
  local ccy = p.amount:currency()
  local debtor = named[1].debtor
  local open = open_of(named, ccy)
  if #open == 0 then
    return { debtor = debtor, allocations = {}, rule = rule,
             why = how .. " names " .. numbers(named) .. ", nothing of it is open: kept as credit" }
  end
  table.sort(open, by_due)
  local allocs, left = spread(open, p.amount:minor(), ccy)
  local why = how .. " names " .. numbers(named)
  if left > 0 then
    why = why .. "; " .. money(left, ccy):format() .. " more than is open stays as credit"
  elseif #allocs < #open or allocs[#allocs].amount:minor() < open[#allocs].open:minor() then
    why = why .. "; a partial payment, oldest first"
  end
  return { debtor = debtor, allocations = allocs, rule = rule, why = why }
end

-- References written in the text: OGM/VCS +++ddd/dddd/ddddd+++, RF.., 16-digit kenmerk.
local function references_in(text)
  local refs = {}
  for r in text:gmatch("%+%+%+%s*[%d/ ]+%s*%+%+%+") do refs[#refs + 1] = r end
  -- RF18 5390 0754 7034 dank: the words after RFkk joined one more at a time (the check
  -- digits decide which, if any, is a reference)
  for head, rest in text:gmatch("([Rr][Ff]%d%d)([%w ]*)") do
    local ref = head
    for word in rest:gmatch("%w+") do
      ref = ref .. word
      if #ref > 25 then break end
      refs[#refs + 1] = ref
    end
  end
  for r in text:gmatch("%f[%d][%d][%d .]+[%d]%f[%D]") do
    local digits = r:gsub("[ .]", "")
    if #digits >= 12 and #digits <= 16 then refs[#refs + 1] = digits end
  end
  return refs
end

local function by_reference(p)
  local tried = {}
  if p.structured then tried[1] = p.structured end
  if p.remittance then
    for _, r in ipairs(references_in(p.remittance)) do tried[#tried + 1] = r end
  end
  for i, ref in ipairs(tried) do
    local inv, problem = owed.ledger.invoice_by_reference(ref)
    if problem then
      return { review = true, rule = "reference", why = problem }
    end
    if inv then
      local how = i == 1 and p.structured and "the structured reference " .. ref
                  or "the reference " .. ref .. " in the text"
      return pay_named(p, { inv }, "reference", how)
    end
  end
  return nil
end

-- Words of the remittance that could be invoice numbers: a digit in them, 2..64 long.
local function by_invoice_number(p)
  if not p.remittance then return nil end
  local found, seen, tokens = {}, {}, 0
  for tok in p.remittance:gmatch("[%w][%w%-/%._]*") do
    tok = tok:gsub("[%.%-/_]+$", "")
    if #tok >= 2 and #tok <= 64 and tok:find("%d") and not seen[tok] then
      seen[tok] = true
      tokens = tokens + 1
      if tokens > MAX_TOKENS then break end
      local inv = owed.ledger.invoice(tok)
      if inv then found[#found + 1] = inv end
    end
  end
  if #found == 0 then return nil end
  local debtor = found[1].debtor
  for _, inv in ipairs(found) do
    if inv.debtor ~= debtor then
      return { review = true, rule = "invoice-number",
               why = "the text names invoices of more than one debtor: " .. numbers(found) }
    end
  end
  return pay_named(p, found, "invoice-number", "the text")
end

-- The subsets of invoices (at most max_subset of them) whose open amounts add up to target;
-- stops at two, which is already too many.
local function subsets(invoices, target)
  local found, n = {}, #invoices
  local pick = {}
  local function walk(i, sum)
    if #found >= 2 or sum > target then return end
    if sum == target and #pick > 1 then
      local s = {}
      for k, inv in ipairs(pick) do s[k] = inv end
      found[#found + 1] = s
      return
    end
    if i > n then return end
    pick[#pick + 1] = invoices[i]
    walk(i + 1, sum + invoices[i].open:minor())
    pick[#pick] = nil
    walk(i + 1, sum)
  end
  walk(1, 0)
  return found
end

local function by_iban(p)
  if not p.iban then return nil end
  local debtors = owed.ledger.debtors_by_iban(p.iban)
  if #debtors == 0 then return nil end
  if #debtors > 1 then
    return { review = true, rule = "iban",
             why = "IBAN " .. p.iban .. " belongs to debtors " .. table.concat(debtors, ", ") }
  end
  local debtor, ccy, amount = debtors[1], p.amount:currency(), p.amount:minor()
  local open = open_of(owed.ledger.invoices{ debtor = debtor, open = true }, ccy)
  local from = "IBAN " .. p.iban .. " is debtor " .. debtor .. "'s"
  if #open == 0 then
    return { debtor = debtor, allocations = {}, rule = "iban",
             why = from .. "; nothing is open: kept as credit" }
  end
  local exact = {}
  for _, inv in ipairs(open) do
    if inv.open:minor() == amount then exact[#exact + 1] = inv end
  end
  if #exact == 1 then
    return { debtor = debtor, rule = "iban-amount",
             allocations = { { invoice = exact[1].number, amount = p.amount } },
             why = from .. "; exactly one invoice is open for " .. p.amount:format() }
  elseif #exact > 1 then
    return { review = true, debtor = debtor, rule = "iban-amount",
             why = from .. "; " .. #exact .. " invoices are open for " .. p.amount:format() ..
                   ": " .. numbers(exact) }
  end
  local total = 0
  for _, inv in ipairs(open) do total = total + inv.open:minor() end
  if #open <= setting("max_subset", 12) and amount <= total then
    local sets = subsets(open, amount)
    if #sets == 1 then
      local allocs = spread(sets[1], amount, ccy)
      return { debtor = debtor, allocations = allocs, rule = "iban-sum",
               why = from .. "; the open amounts of " .. numbers(sets[1]) .. " add up to it" }
    elseif #sets > 1 then
      return { review = true, debtor = debtor, rule = "iban-sum",
               why = from .. "; more than one set of open invoices adds up to " ..
                     p.amount:format() .. " (" .. numbers(sets[1]) .. " / " ..
                     numbers(sets[2]) .. ")" }
    end
  end
  local tol = setting("tolerance", nil)
  if type(tol) == "string" then tol = owed.money.parse(tol) end
  if tol and tol:currency() == ccy and tol:minor() > 0 then
    local near = {}
    for _, inv in ipairs(open) do
      local short = inv.open:minor() - amount
      if short > 0 and short <= tol:minor() then near[#near + 1] = inv end
    end
    if #near == 1 then
      return { debtor = debtor, rule = "tolerance",
               allocations = { { invoice = near[1].number, amount = p.amount } },
               write_off = { invoice = near[1].number },
               why = from .. "; " .. near[1].number .. " is open for " ..
                     near[1].open:format() .. ", short by at most the tolerance " ..
                     tol:format() }
    end
  end
  local allocs, left = spread(open, amount, ccy)
  local why = from .. "; no open amount fits: "
  if left > 0 then
    why = why .. "everything open is paid, " .. money(left, ccy):format() .. " stays as credit"
  else
    why = why .. "a partial payment, oldest invoice first"
  end
  return { debtor = debtor, allocations = allocs, rule = "iban-oldest", why = why }
end

function M.match(p)
  if type(p.amount) == "string" then p.amount = owed.money.parse(p.amount) end  -- from a spec
  return by_reference(p) or by_invoice_number(p) or by_iban(p)
end

return M
