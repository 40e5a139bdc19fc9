-- coda importer. parse(text, opts) -> normalized statements; check(result) -> balance check.
--
-- Amounts carry 3 decimals (milli-units); a non-zero third decimal in a 2-decimal currency is
-- refused unless opts.round is given (see decimal.lua). Globalised movements: the main movement
-- (detail number 0000) is booked; its detail records are listed in entry.details, batch = count.
local decimal = require("owed.statement")

local M = {}

local function fail(line, fmt, ...)
  error(string.format("coda: line %d: ", line) .. string.format(fmt, ...), 0)
end

local function trim(s)
  if s == nil then return nil end
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

local function nonempty(s)
  s = trim(s)
  if s == nil or s == "" then return nil end
  return s
end

-- 1-based, inclusive column ranges as in the Febelfin description
local function col(l, a, b) return l:sub(a, b) end

local function ddmmyy(s, line, what)
  local dd, mm, yy = s:match("^(%d%d)(%d%d)(%d%d)$")
  if not dd then fail(line, "%s '%s' is not a date (expected DDMMYY)", what, s) end
  if s == "000000" then return nil end
  local d = string.format("%04d-%s-%s", 2000 + tonumber(yy), mm, dd)
  if not owed.date.valid(d) then fail(line, "%s '%s' is %s, a day that does not exist", what, s, d) end
  return d
end

local function amount(sign, digits, ccy, line, what, opts)
  if not digits:match("^%d+$") then fail(line, "%s '%s' is not 15 digits", what, digits) end
  if sign ~= "0" and sign ~= "1" then fail(line, "%s sign '%s' (expected 0 credit or 1 debit)", what, sign) end
  local text = digits:sub(1, -4) .. "." .. digits:sub(-3)
  local m = decimal.money(text, ccy, opts.round, string.format("coda: line %d: %s", line, what))
  return m, sign == "0"
end

local function is_iban(s)
  return s ~= nil and s:match("^%u%u%d%d[%u%d]+$") ~= nil and #s >= 15
end

local function ogm(digits)
  return string.format("+++%s/%s/%s+++", digits:sub(1, 3), digits:sub(4, 7), digits:sub(8, 12))
end

-- account and currency of record 1 (structure in column 2)
local function account_of(l, line)
  local structure = col(l, 2, 2)
  if structure == "0" then return trim(col(l, 6, 17)), col(l, 19, 21)
  elseif structure == "1" or structure == "3" then return trim(col(l, 6, 39)), col(l, 40, 42)
  elseif structure == "2" then return trim(col(l, 6, 21)), col(l, 40, 42)
  end
  fail(line, "record 1: account structure '%s' (expected 0, 1, 2 or 3)", structure)
end

local function finish_comm(m)
  if m.comm_parts then
    local t = table.concat(m.comm_parts, ""):gsub("%s+", " ")
    m.comm_parts = nil
    t = nonempty(t)
    if m.comm_type and m.comm_type ~= "101" and m.comm_type ~= "102" then
      m.communication_type = m.comm_type
    end
    if t then m.remittance = t end
  end
  m.comm_type = nil
end

function M.parse(text, opts)
  opts = opts or {}
  if type(text) ~= "string" then error("coda: parse expects the file's text (a string)", 0) end
  text = text:gsub("^\239\187\191", "")
  local result = { format = "coda", statements = {} }
  local s, ccy, main, cur -- statement, currency, last main movement, last movement (main or detail)
  local n = 0
  for raw in (text .. "\n"):gmatch("(.-)\n") do
    n = n + 1
    local l = raw:gsub("\r$", "")
    if l:match("^%s*$") then goto continue end
    if #l ~= 128 then
      fail(n, "record is %d characters long (expected 128)", #l)
    end
    local rt = l:sub(1, 1)
    if rt == "0" then
      s = { entries = {}, line = n, created = ddmmyy(col(l, 6, 11), n, "record 0: creation date"),
            bic = nonempty(col(l, 61, 71)) }
      main, cur = nil, nil
    elseif rt == "1" then
      if not s then fail(n, "record 1 before a header record 0") end
      s.account, ccy = account_of(l, n)
      s.currency = ccy
      s.id = col(l, 3, 5)
      s.account_name = nonempty(col(l, 65, 90))
      local m, credit = amount(col(l, 43, 43), col(l, 44, 58), ccy, n, "record 1: old balance", opts)
      s.opening = { amount = credit and m or -m, date = ddmmyy(col(l, 59, 64), n, "record 1: old balance date") }
      result.statements[#result.statements + 1] = s
    elseif rt == "2" or rt == "3" then
      if not (s and ccy) then fail(n, "record %s before the old balance record 1", col(l, 1, 2)) end
      local sub = col(l, 2, 2)
      local seq, detail = col(l, 3, 6), col(l, 7, 10)
      if rt == "2" and sub == "1" then
        if cur then finish_comm(cur) end
        local m, credit = amount(col(l, 32, 32), col(l, 33, 47), ccy, n, "record 2.1: amount", opts)
        local e = {
          amount = m, credit = credit, reversal = false,
          reference = nonempty(col(l, 11, 31)),
          value_date = ddmmyy(col(l, 48, 53), n, "record 2.1: value date"),
          booking_date = ddmmyy(col(l, 116, 121), n, "record 2.1: entry date"),
          transaction_code = col(l, 54, 61),
          sequence = seq,
        }
        -- CODA has no reversal flag; reversals are bank-specific transaction codes (kept in
        -- transaction_code), so reversal stays false
        local glob = tonumber(col(l, 125, 125)) or 0
        if col(l, 62, 62) == "1" then
          local ctype = col(l, 63, 65)
          if ctype == "101" or ctype == "102" then
            local digits = col(l, 66, 77)
            if not digits:match("^%d+$") then
              fail(n, "record 2.1: structured communication 101 '%s' (expected 12 digits)", digits)
            end
            e.structured, e.structured_scheme = ogm(digits), "ogm"
          else
            e.comm_type, e.comm_parts = ctype, { col(l, 66, 115) }
          end
        else
          e.comm_parts = { col(l, 63, 115) }
        end
        if detail == "0000" then
          if glob > 0 then e.globalisation = glob end
          s.entries[#s.entries + 1] = e
          main = e
        else
          if not main or main.sequence ~= seq then
            fail(n, "record 2.1: detail %s of movement %s has no main movement", detail, seq)
          end
          e.sequence = nil
          e.detail = detail
          main.details = main.details or {}
          main.details[#main.details + 1] = e
          main.batch = #main.details
        end
        cur = e
      elseif rt == "2" and sub == "2" then
        if not cur then fail(n, "record 2.2 without a record 2.1") end
        if cur.comm_parts then cur.comm_parts[#cur.comm_parts + 1] = col(l, 11, 63) end
        local ref = nonempty(col(l, 64, 98))
        if ref and ref ~= "NOTPROVIDED" then cur.end_to_end = ref end
        local bic = nonempty(col(l, 99, 109))
        if bic then cur.counterparty = cur.counterparty or {}; cur.counterparty.bic = bic end
      elseif rt == "2" and sub == "3" then
        if not cur then fail(n, "record 2.3 without a record 2.1") end
        local acc = nonempty(col(l, 11, 47))
        local name = nonempty(col(l, 48, 82))
        if acc or name then
          cur.counterparty = cur.counterparty or {}
          if acc then
            local a, c = acc:match("^(%S+)%s+(%u%u%u)$")
            a = a or acc
            if is_iban(a) then cur.counterparty.iban = a else cur.counterparty.account = a end
          end
          cur.counterparty.name = name
        end
        if cur.comm_parts then cur.comm_parts[#cur.comm_parts + 1] = col(l, 83, 125) end
      elseif rt == "3" then
        -- information records: kept as text on the movement they belong to
        local target = cur
        if target then
          local info
          if sub == "1" then info = col(l, 41, 113) elseif sub == "2" then info = col(l, 11, 115)
          else info = col(l, 11, 100) end
          target.info_parts = target.info_parts or {}
          target.info_parts[#target.info_parts + 1] = info
        end
      else
        fail(n, "unknown record type %s (expected 21, 22, 23, 31, 32 or 33)", col(l, 1, 2))
      end
    elseif rt == "4" then
      -- free message
      if s then s.messages = s.messages or {}; s.messages[#s.messages + 1] = trim(col(l, 33, 112)) end
    elseif rt == "8" then
      if not (s and ccy) then fail(n, "record 8 before the old balance record 1") end
      local m, credit = amount(col(l, 42, 42), col(l, 43, 57), ccy, n, "record 8: new balance", opts)
      s.closing = { amount = credit and m or -m, date = ddmmyy(col(l, 58, 63), n, "record 8: new balance date") }
      s.date = s.closing.date
    elseif rt == "9" then
      if not s then fail(n, "trailer record 9 before a header record 0") end
      if not s.closing then fail(n, "trailer record 9 before the new balance record 8") end
      s.records = tonumber(col(l, 17, 22))
      s.trailer_debit = decimal.money(col(l, 23, 34) .. "." .. col(l, 35, 37), ccy, true, "coda")
      s.trailer_credit = decimal.money(col(l, 38, 49) .. "." .. col(l, 50, 52), ccy, true, "coda")
      s.line = nil
      s, ccy, main, cur = nil, nil, nil, nil
    else
      fail(n, "unknown record type '%s' (expected 0, 1, 2, 3, 4, 8 or 9)", rt)
    end
    ::continue::
  end
  if cur then finish_comm(cur) end
  if s then fail(n, "the file ends inside a statement (expected a trailer record 9)") end
  if #result.statements == 0 then error("coda: no statement found (expected records 0, 1, ... 8, 9)", 0) end
  for _, st in ipairs(result.statements) do
    for _, e in ipairs(st.entries) do
      finish_comm(e)
      e.sequence = nil
      for _, d in ipairs(e.details or {}) do finish_comm(d) end
      for _, x in ipairs({ e, table.unpack(e.details or {}) }) do
        if x.info_parts then
          x.information = nonempty((table.concat(x.info_parts, ""):gsub("%s+", " ")))
          x.info_parts = nil
        end
      end
    end
  end
  return result
end

-- Whether head (the start of a file) is a CODA file: a header record "0000" and then the old
-- balance record "1".
function M.detect(head)
  if type(head) ~= "string" then return false end
  return head:find("^0000%d") ~= nil and head:find("\n1[%d ]") ~= nil
end

function M.check(result)
  return decimal.check(result)
end

return M
