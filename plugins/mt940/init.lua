-- mt940 importer. parse(text, opts) -> normalized statements; check(result) -> balance check.
--
-- opts.round: see decimal.lua (amounts with more decimals than the currency are refused
-- unless opts.round is given). Statements are split on :20:; lines that are no tag continue
-- the previous tag (only :61: and :86: keep them); envelope and header lines are ignored.
local decimal = require("owed.statement")

local M = {}

local function fail(line, fmt, ...)
  error(string.format("mt940: line %d: ", line) .. string.format(fmt, ...), 0)
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

local function is_iban(s)
  return s ~= nil and s:match("^%u%u%d%d[%u%d]+$") ~= nil and #s >= 15 and #s <= 34
end

local function yymmdd(s, line, what)
  local yy, mm, dd = s:match("^(%d%d)(%d%d)(%d%d)$")
  if not yy then fail(line, "%s '%s' is not a date (expected YYMMDD)", what, s) end
  local y = tonumber(yy)
  y = y < 70 and 2000 + y or 1900 + y
  local d = string.format("%04d-%s-%s", y, mm, dd)
  if not owed.date.valid(d) then fail(line, "%s '%s' is %s, a day that does not exist", what, s, d) end
  return d
end

local function amount(raw, ccy, line, opts)
  local t = raw
  if t:find(",") then t = t:gsub("%.", ""):gsub(",", ".") end
  return decimal.money(t, ccy, opts.round, string.format("mt940: line %d", line))
end

-- :60F: / :62F: etc: C|D YYMMDD CCY amount
local function balance(f, opts)
  local v = trim(f.lines[1])
  local cd, date, ccy, amt = v:match("^([CD])(%d%d%d%d%d%d)(%u%u%u)([%d,%.]+)$")
  if not cd then
    fail(f.line, ":%s: '%s' is not a balance (expected C or D, YYMMDD, currency, amount like 1234,56)", f.tag, v)
  end
  local m = amount(amt, ccy, f.line, opts)
  if cd == "D" then m = -m end
  return { amount = m, date = yymmdd(date, f.line, ":" .. f.tag .. ": date") }, ccy
end

-- :25: account, possibly with the currency appended ("NL77INGB0574908765EUR", "... EUR").
local function account(v)
  v = trim(v)
  local acc, ccy = v:match("^(.-%d)%s*(%u%u%u)$")
  if acc and decimal.places(ccy) then v = acc else ccy = nil end
  local compact = v:gsub("%s", "")
  if is_iban(compact) then return compact, ccy end
  return v, ccy
end

-- :61: value date, [entry date], C/D/RC/RD, [funds code], amount, type, references
local function entry(f, ccy, opts)
  local v = f.lines[1]:gsub("%s+$", "")
  local p = 1
  local vdate = v:match("^(%d%d%d%d%d%d)", p)
  local function bad(why)
    fail(f.line, ":61: '%s': %s (expected value date YYMMDD, optional entry date MMDD, " ..
                 "C/D/RC/RD, amount with a decimal comma, type code)", v, why)
  end
  if not vdate then bad("no value date") end
  p = 7
  local edate = v:match("^(%d%d%d%d)", p)
  if edate then p = p + 4 end
  local mark = v:match("^(R?[CD])", p)
  if not mark then bad("no C/D/RC/RD mark") end
  p = p + #mark
  if v:match("^%a%d", p) then p = p + 1 end -- funds code
  local amt = v:match("^([%d,%.]+)", p)
  if not amt then bad("no amount") end
  p = p + #amt
  local ttype = v:sub(p, p + 3)
  if not ttype:match("^[NSF]...$") then bad("no transaction type after the amount") end
  local rest = v:sub(p + 4)
  local value_date = yymmdd(vdate, f.line, ":61: value date")
  local e = {
    amount = amount(amt, ccy, f.line, opts),
    credit = mark == "C" or mark == "RD",
    reversal = mark:sub(1, 1) == "R",
    value_date = value_date,
    booking_date = value_date,
    type = ttype,
  }
  if edate then
    local y = tonumber(value_date:sub(1, 4))
    local vm, em = tonumber(vdate:sub(3, 4)), tonumber(edate:sub(1, 2))
    if vm == 12 and em == 1 then y = y + 1 elseif vm == 1 and em == 12 then y = y - 1 end
    local d = string.format("%04d-%s-%s", y, edate:sub(1, 2), edate:sub(3, 4))
    if not owed.date.valid(d) then fail(f.line, ":61: entry date '%s' is %s, a day that does not exist", edate, d) end
    e.booking_date = d
  end
  local cref, bref, extra = rest, nil, nil
  local a, b = rest:match("^(.-)//(.*)$")
  if a then
    cref, bref = a, b
    -- ING wraps the bank reference onto the next line ("//00000000001" + "005")
    local nxt = f.lines[2]
    if #b < 16 and nxt and nxt:match("^%w+$") and #b + #nxt <= 16 then
      bref = b .. nxt
      table.remove(f.lines, 2)
    end
  else
    -- old Rabobank: a 16-character reference padded with spaces, then the counterparty name
    local r, x = rest:match("^(%S+)%s%s+(.+)$")
    if r then cref, extra = r, x end
  end
  if bref and #bref > 16 then bref, extra = bref:sub(1, 16), bref:sub(17) end
  cref, bref = nonempty(cref), nonempty(bref)
  e.customer_reference = cref ~= "NONREF" and cref or nil
  e.reference = bref or e.customer_reference
  local supp = {}
  if nonempty(extra) then supp[#supp + 1] = trim(extra) end
  for i = 2, #f.lines do
    if nonempty(f.lines[i]) then supp[#supp + 1] = trim(f.lines[i]) end
  end
  e.supplementary = #supp > 0 and table.concat(supp, " ") or nil
  -- counterparty from the :61: line (Rabobank old layout, ASN, SNS)
  local cp = {}
  if cref and is_iban(cref) then cp.iban = cref
  elseif cref and a == nil and cref:match("^%d+$") and #cref >= 9 and extra then cp.account = cref end
  if cp.iban and e.supplementary and e.supplementary:find(cp.iban, 1, true) == 1 then
    e.supplementary = nonempty(e.supplementary:sub(#cp.iban + 1))
  end
  local s = e.supplementary
  if s and not s:match("^/") then
    if is_iban(s) then cp.iban = cp.iban or s else cp.name = s end
  end
  if next(cp) then e.counterparty = cp end
  return e
end

local KEYS = {}
for k in ([[EREF PREF MARF CSID CNTP REMI ORDP BENM NAME ADDR ISDT IBAN BIC TRTP RTRN PURP
            ULTC ULTD ULTB SVCL BUSP CHGS EXCH ORIG RETR ACCW SUM BENM CDTRREF FX]]):gmatch("%u+") do
  KEYS[k] = true
end

-- "/KEY/value/KEY/value" (ABN AMRO, Rabobank) and "/KEY/value//KEY/value/" (ING).
local function subfields(s)
  local marks = {}
  for i = 1, #s do
    if s:byte(i) == 47 then
      local key = s:match("^/(%u+)/", i)
      if key and KEYS[key] then marks[#marks + 1] = { i = i, key = key, v = i + #key + 2 } end
    end
  end
  local out = {}
  for n, m in ipairs(marks) do
    local stop = marks[n + 1] and marks[n + 1].i - 1 or #s
    if stop >= m.v - 1 then
      local val = s:sub(m.v, stop)
      if out[m.key] == nil then out[m.key] = val end
    end
  end
  return out, #marks
end

local SCHEMES = { CUR = "betalingskenmerk", ISO = "rf", BBA = "ogm" }

local function information(e, lines)
  local first = lines[1] or ""
  local structured = first:match("^/%u+/") ~= nil
  local triodos = first:match("^%d%d%d>%d%d") or first:match("^>%d%d")
  local text
  if structured or triodos then
    text = table.concat(lines, "")
  else
    local parts = {}
    for _, l in ipairs(lines) do if nonempty(l) then parts[#parts + 1] = trim(l) end end
    text = table.concat(parts, " ")
  end
  e.information = text
  local cp = e.counterparty or {}
  if structured then
    local f = subfields(text)
    local function val(k) return f[k] and nonempty((f[k]:gsub("/+$", ""))) end
    if f.CNTP then
      local parts = {}
      for piece in (f.CNTP .. "/"):gmatch("(.-)/") do parts[#parts + 1] = piece end
      local acc = nonempty(parts[1])
      if acc and is_iban(acc) then cp.iban = acc elseif acc then cp.account = acc end
      cp.bic, cp.name, cp.city = nonempty(parts[2]), nonempty(parts[3]), nonempty(parts[4])
    end
    cp.name = val("NAME") or cp.name
    cp.iban = val("IBAN") or cp.iban
    cp.bic = val("BIC") or cp.bic
    local remi = f.REMI and f.REMI:gsub("/+$", "")
    if remi then
      local scheme, ref = remi:match("^STRD/(%u+)/(.*)$")
      if scheme then
        e.structured = nonempty(ref)
        e.structured_scheme = SCHEMES[scheme] or scheme
      else
        e.remittance = nonempty(remi:match("^USTD//(.*)$") or remi)
      end
    end
    e.end_to_end = val("EREF")
    if e.end_to_end == "NOTPROVIDED" then e.end_to_end = nil end
    e.mandate = val("MARF")
    e.return_reason = val("RTRN")
    e.transaction_type = val("TRTP")
  elseif triodos then
    local fields = {}
    for code, val in text:gmatch(">(%d%d)([^>]*)") do
      fields[code] = (fields[code] or "") .. val
    end
    local desc = {}
    for c = 20, 29 do if fields[tostring(c)] then desc[#desc + 1] = fields[tostring(c)] end end
    e.remittance = nonempty(table.concat(desc, ""))
    local acc = nonempty(fields["31"])
    if acc then if is_iban(acc) then cp.iban = acc else cp.account = acc end end
    local nm = nonempty((fields["32"] or "") .. (fields["33"] or ""))
    if nm then cp.name = nm end
  else
    e.remittance = nonempty(text)
    local iban, name = text:match("REK: (%u%u%d%d[%u%d]+)/NAAM: (.-)%s*$")
    if iban then cp.iban, cp.name = iban, name end
  end
  if not e.structured then
    local kenmerk = text:match("BETALINGSKENM%.?%s*(%d+)")
    if kenmerk then e.structured, e.structured_scheme = kenmerk, "betalingskenmerk" end
    local rf = not kenmerk and text:match("(RF%d%d[%w]+)")
    if rf then e.structured, e.structured_scheme = rf, "rf" end
  end
  if next(cp) then e.counterparty = cp end
end

-- Lines -> fields { tag, line, lines = { first, continuation... } }.
local function fields_of(text)
  local fields, cur = {}, nil
  local n = 0
  for raw in (text .. "\n"):gmatch("(.-)\n") do
    n = n + 1
    local l = raw:gsub("\r$", "")
    local env = l:match("^{1:.-{4:(.*)$") or l:match("^{4:(.*)$")
    if env then l = env end
    local tag, val = l:match("^:(%d%d%u?):(.*)$")
    if tag then
      cur = { tag = tag, line = n, lines = { val } }
      fields[#fields + 1] = cur
    elseif cur and (cur.tag == "86" or cur.tag == "61") then
      cur.lines[#cur.lines + 1] = l
    end
  end
  -- drop envelope and trailer lines at the end of a field ("-", "-}", "-XXX", "}{5:}")
  for _, f in ipairs(fields) do
    while #f.lines > 1 and (f.lines[#f.lines]:match("^%-") or f.lines[#f.lines]:match("^}")
                            or f.lines[#f.lines]:match("^{") or not nonempty(f.lines[#f.lines])) do
      f.lines[#f.lines] = nil
    end
  end
  return fields
end

function M.parse(text, opts)
  opts = opts or {}
  if type(text) ~= "string" then error("mt940: parse expects the file's text (a string)", 0) end
  text = text:gsub("^\239\187\191", ""):gsub("\r\n", "\n")
  local fields = fields_of(text)
  local result = { format = "mt940", statements = {} }
  local s, last
  local function need(f)
    if not s then fail(f.line, ":%s: outside a statement (expected :20: first)", f.tag) end
  end
  for _, f in ipairs(fields) do
    local t = f.tag
    if t == "20" then
      s = { reference = trim(f.lines[1]), entries = {}, line = f.line }
      result.statements[#result.statements + 1] = s
      last = nil
    elseif t == "25" then
      need(f)
      s.account, s.currency = account(f.lines[1])
    elseif t == "28C" or t == "28" then
      need(f)
      s.number = trim(f.lines[1])
    elseif t == "60F" or t == "60M" then
      need(f)
      local ccy
      s.opening, ccy = balance(f, opts)
      s.currency = s.currency or ccy
      s.opening.intermediate = t == "60M" or nil
    elseif t == "61" then
      need(f)
      if not s.currency then fail(f.line, ":61: before the opening balance :60F: (the currency is not known)") end
      last = entry(f, s.currency, opts)
      s.entries[#s.entries + 1] = last
    elseif t == "86" then
      need(f)
      if last then
        last.info_lines = last.info_lines or {}
        for _, l in ipairs(f.lines) do last.info_lines[#last.info_lines + 1] = l end
      else
        s.information = trim(table.concat(f.lines, " "))
      end
    elseif t == "62F" or t == "62M" then
      need(f)
      s.closing = balance(f, opts)
      s.closing.intermediate = t == "62M" or nil
      last = nil
    elseif t == "64" then
      need(f)
      s.available = balance(f, opts)
      last = nil
    else
      last = (t == "65") and nil or last
    end
  end
  if #result.statements == 0 then
    error("mt940: no statement found (expected a :20: line starting each statement)", 0)
  end
  for _, st in ipairs(result.statements) do
    if not st.opening then fail(st.line, "statement %s has no opening balance :60F: or :60M:", st.reference or "") end
    if not st.closing then fail(st.line, "statement %s has no closing balance :62F: or :62M:", st.reference or "") end
    local num = st.number
    if num and num:match("[1-9]") then st.id = num else st.id = st.reference end
    st.date = st.closing.date
    st.line = nil
    for _, e in ipairs(st.entries) do
      if e.info_lines then
        -- several :86: tags of one entry (old Rabobank): free text joined with spaces
        information(e, e.info_lines)
        e.info_lines = nil
      end
    end
  end
  return result
end

-- Whether head (the start of a file) is an MT940 statement: its :20: and :25: tags, with an
-- optional SWIFT block header before them.
function M.detect(head)
  if type(head) ~= "string" then return false end
  head = head:gsub("^\239\187\191", "")
  return (head:find("^%s*:20:") or head:find("^%s*{1:") or head:find("\n:20:")) ~= nil
     and head:find(":25:", 1, true) ~= nil
end

function M.check(result)
  return decimal.check(result)
end

return M
