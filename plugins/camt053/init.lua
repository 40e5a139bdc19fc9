-- camt053 importer. parse(text, opts) -> normalized statements; check(result) -> balance check.
--
-- opts.round: amounts with more decimals than their currency (non-zero extra digits) are
-- refused unless opts.round is true; then they are rounded half up. Extra zero decimals
-- ("18.150" EUR) are exact and always accepted.
local decimal = require("owed.statement")

local M = {}

local VERSIONS = { ["02"] = true, ["04"] = true, ["08"] = true }

local function fail(where, fmt, ...)
  error("camt053: " .. where .. ": " .. string.format(fmt, ...), 0)
end

local function trim(s)
  if s == nil then return nil end
  s = s:gsub("^%s+", ""):gsub("%s+$", "")
  return s
end

local function text(el, path)
  if not el then return nil end
  local t = el:text_of(path)
  if t == "" then return nil end
  return t
end

-- Dt/Dt or Dt/DtTm (or the element holding Dt/DtTm directly), checked to exist.
local function date_of(el, where)
  if not el then return nil end
  local raw = text(el, "Dt") or text(el, "DtTm")
  if not raw then return nil end
  local d = raw:match("^(%d%d%d%d%-%d%d%-%d%d)")
  if not d or not owed.date.valid(d) then
    fail(where, "'%s' is not a date that exists (expected YYYY-MM-DD)", raw)
  end
  return d
end

local function amount_of(el, where, opts)
  if not el then fail(where, "missing Amt (expected an amount with a Ccy attribute)") end
  local ccy = el.attrs and el.attrs.Ccy
  if not ccy then fail(where, "Amt has no Ccy attribute") end
  return decimal.money(trim(el.text or ""), ccy, opts.round, "camt053: " .. where)
end

local function credit_of(el, where)
  local ind = text(el, "CdtDbtInd")
  if ind == "CRDT" then return true elseif ind == "DBIT" then return false end
  fail(where, "CdtDbtInd is '%s' (expected CRDT or DBIT)", tostring(ind))
end

local function account_id(el)
  if not el then return nil, nil end
  local iban = text(el, "Id/IBAN")
  if iban then return iban:gsub("%s", ""), true end
  return text(el, "Id/Othr/Id"), false
end

-- Entries are read as records (owed.xml.parse with flat): r[path] is the trimmed text at a
-- path below the Ntry ("" for an element without text), r[path .. "@Ccy"] an attribute, and
-- the k-th repeat of an element (k > 1) is Name[k].  v reads one, "" as nil.
local function v(r, path)
  local t = r[path]
  if t == "" then return nil end
  return t
end

-- Paths are made once per parse: prefix .. suffix, remembered (M.parse empties the cache).
local joined = {}
local function P(prefix, suffix)
  local t = joined[prefix]
  if not t then t = {}; joined[prefix] = t end
  local p = t[suffix]
  if not p then p = prefix .. suffix; t[suffix] = p end
  return p
end

-- The k-th element of a name under prefix: "p/Name" for the first, "p/Name[k]" after.
local function nth(prefix, name, k)
  if k == 1 then return P(prefix, name) end
  return P(prefix, name .. "[" .. k .. "]")
end

-- Where an entry's field is, for errors only: "Stmt[1]/Ntry[7]/Amt".
local function at(where, path)
  return where .. "/" .. path
end

local function amount_at(r, path, where, opts)
  local text = r[path]
  if not text then fail(at(where, path), "missing Amt (expected an amount with a Ccy attribute)") end
  local ccy = r[P(path, "@Ccy")]
  if not ccy then fail(at(where, path), "Amt has no Ccy attribute") end
  local ok, m = pcall(decimal.money, text, ccy, opts.round, "camt053")
  if not ok then error((m:gsub("^camt053", "camt053: " .. at(where, path))), 0) end
  return m
end

local dates = {}   -- raw text -> its date, once checked (M.parse empties it)
local function date_at(r, prefix, where)
  local raw = v(r, P(prefix, "/Dt")) or v(r, P(prefix, "/DtTm"))
  if not raw then return nil end
  if dates[raw] then return dates[raw] end
  local d = raw:match("^(%d%d%d%d%-%d%d%-%d%d)")
  if not d or not owed.date.valid(d) then
    fail(at(where, prefix), "'%s' is not a date that exists (expected YYYY-MM-DD)", raw)
  end
  dates[raw] = d
  return d
end

local function structured_scheme(r, cri, ref)
  local issr = v(r, P(cri, "/Tp/Issr"))
  if issr == "CUR" then return "betalingskenmerk" end
  if issr == "BBA" then return "ogm" end
  if ref and ref:match("^RF%d%d") then return "rf" end
  if issr == "ISO" then return "rf" end
  return issr or v(r, P(cri, "/Tp/CdOrPrtry/Prtry")) or v(r, P(cri, "/Tp/CdOrPrtry/Cd"))
end

-- Fields of one TxDtls at prefix tx: counterparty, remittance, structured reference,
-- end-to-end id.
local function tx_details(r, tx, credit, where, opts)
  local d = {}
  local party = P(tx, credit and "/RltdPties/Dbtr" or "/RltdPties/Cdtr")
  local acct = P(tx, credit and "/RltdPties/DbtrAcct" or "/RltdPties/CdtrAcct")
  local name = v(r, P(party, "/Nm")) or v(r, P(party, "/Pty/Nm"))
  local iban = v(r, P(acct, "/Id/IBAN"))
  local other = not iban and v(r, P(acct, "/Id/Othr/Id")) or nil
  if iban then iban = iban:gsub("%s", "") end
  if name or iban or other then
    d.counterparty = { name = name, iban = iban, account = other }
  end
  local rmt = P(tx, "/RmtInf/")
  local parts, k = {}, 1
  while r[nth(rmt, "Ustrd", k)] do
    local t = r[nth(rmt, "Ustrd", k)]
    if t ~= "" then parts[#parts + 1] = t end
    k = k + 1
  end
  if #parts > 0 then d.remittance = table.concat(parts, " ") end
  k = 1
  while r[nth(rmt, "Strd", k)] do
    local cri = P(nth(rmt, "Strd", k), "/CdtrRefInf")
    local ref = v(r, P(cri, "/Ref"))
    if ref then
      d.structured, d.structured_scheme = ref, structured_scheme(r, cri, ref)
      break
    end
    k = k + 1
  end
  d.end_to_end = v(r, P(tx, "/Refs/EndToEndId"))
  if d.end_to_end == "NOTPROVIDED" then d.end_to_end = nil end
  d.mandate = v(r, P(tx, "/Refs/MndtId"))
  local txamt = P(tx, "/AmtDtls/TxAmt/Amt")
  if r[txamt] then
    d.amount = amount_at(r, txamt, where, opts)
  end
  return d
end

local function parse_entry(r, where, opts)
  local amt = amount_at(r, "Amt", where, opts)
  if amt:is_negative() then fail(where .. "/Amt", "negative amount %s (expected CdtDbtInd to carry the sign)", amt:format()) end
  local ind = r.CdtDbtInd
  if ind ~= "CRDT" and ind ~= "DBIT" then
    fail(where, "CdtDbtInd is '%s' (expected CRDT or DBIT)", tostring(ind))
  end
  local credit = ind == "CRDT"
  local rv = r.RvslInd
  local e = {
    amount = amt,
    credit = credit,
    reversal = rv == "true" or rv == "1",
    booking_date = date_at(r, "BookgDt", where),
    value_date = date_at(r, "ValDt", where),
    reference = v(r, "AcctSvcrRef") or v(r, "NtryRef"),
    status = v(r, "Sts") or v(r, "Sts/Cd"),
    info = v(r, "AddtlNtryInf"),
  }
  local txs, nb, k = {}, nil, 1
  while r[nth("", "NtryDtls", k)] do
    local dtls = nth("", "NtryDtls", k)
    local n = v(r, P(dtls, "/Btch/NbOfTxs"))
    if n then nb = (nb or 0) + (tonumber(n) or 0) end
    local j = 1
    local under = P(dtls, "/")
    while r[nth(under, "TxDtls", j)] do
      txs[#txs + 1] = tx_details(r, nth(under, "TxDtls", j), credit, where, opts)
      j = j + 1
    end
    k = k + 1
  end
  local count = math.max(#txs, nb or 0)
  if count > 1 then
    e.batch = math.tointeger(count)
    e.details = txs
    -- a batch has no single counterparty; keep remittance only when every detail agrees
  elseif #txs == 1 then
    local d = txs[1]
    e.counterparty, e.remittance, e.structured = d.counterparty, d.remittance, d.structured
    e.structured_scheme, e.end_to_end, e.mandate = d.structured_scheme, d.end_to_end, d.mandate
  end
  e.remittance = e.remittance or (count <= 1 and e.info) or e.remittance
  return e
end

local OPENING = { OPBD = 1, PRCD = 2 }

-- The statement's own fields: everything before its first Ntry (the schema puts Id, Acct,
-- Bal and the dates first), so M.parse can read them when the first entry arrives.  The
-- entries are added as they are read.
local function parse_statement(stmt, where, opts)
  local s = { entries = {} }
  s.id = text(stmt, "Id")
  s.sequence = text(stmt, "ElctrncSeqNb") or text(stmt, "LglSeqNb")
  local acct = stmt:child("Acct")
  if not acct then fail(where, "missing Acct (expected the account of the statement)") end
  s.account = account_id(acct)
  s.currency = text(acct, "Ccy")
  local open_rank
  for i, bal in ipairs(stmt:children_named("Bal")) do
    local bw = string.format("%s/Bal[%d]", where, i)
    local code = text(bal, "Tp/CdOrPrtry/Cd") or text(bal, "Tp/CdOrPrtry/Prtry")
    local rank = OPENING[code]
    if rank or code == "CLBD" then
      local amt = amount_of(bal:child("Amt"), bw .. "/Amt", opts)
      if not credit_of(bal, bw) then amt = -amt end
      local b = { amount = amt, date = date_of(bal:child("Dt"), bw .. "/Dt") }
      if rank and (not open_rank or rank < open_rank) then
        s.opening, open_rank = b, rank
      elseif code == "CLBD" and not s.closing then
        s.closing = b
      end
    end
  end
  s.currency = s.currency or (s.opening and s.opening.amount:currency())
  s.date = s.closing and s.closing.date
  if not s.date then
    for _, path in ipairs({ "FrToDt/ToDtTm", "CreDtTm" }) do
      local raw = text(stmt, path)
      if raw then
        local d = raw:match("^(%d%d%d%d%-%d%d%-%d%d)")
        if not d or not owed.date.valid(d) then
          fail(where .. "/" .. path, "'%s' is not a date that exists (expected YYYY-MM-DD...)", raw)
        end
        s.date = d
        break
      end
    end
  end
  return s
end

function M.parse(text_in, opts)
  opts = opts or {}
  if type(text_in) ~= "string" then error("camt053: parse expects the file's text (a string)", 0) end
  text_in = text_in:gsub("^\239\187\191", "")
  joined, dates = {}, {}
  -- Entries are parsed as the XML is read, each as soon as it ends, and never all held as
  -- elements: a statement of 100,000 entries costs its entries, not a tree of millions.
  local statement_of, entry_error = {}, nil
  local function entry(ntry, stmt, body)
    local s = statement_of[stmt]
    if not s then   -- the first entry: the statement's own fields are all read by now
      local n = 0
      for _, c in ipairs(body and body.children or {}) do
        if c.name == "Stmt" then n = n + 1 end
      end
      s = parse_statement(stmt, string.format("Stmt[%d]", n), opts)
      s.where, statement_of[stmt] = string.format("Stmt[%d]", n), s
    end
    local n = #s.entries + 1
    s.entries[n] = parse_entry(ntry, s.where .. "/Ntry[" .. n .. "]", opts)
  end
  local function each(ntry, stmt, body)
    local ok, e = pcall(entry, ntry, stmt, body)
    if not ok then
      entry_error = e
      error(e, 0)
    end
  end
  local ok, root = pcall(owed.xml.parse, text_in, { each = "Ntry", flat = true, fn = each })
  if not ok then
    if entry_error then error(entry_error, 0) end
    local msg = tostring(root):gsub("^owed%.xml%.parse: ", "")
    error("camt053: the XML is not well-formed: " .. msg, 0)
  end
  if root.name ~= "Document" then
    fail(root.name, "root element is <%s> (expected <Document> of camt.053)", root.name)
  end
  local ns = root.ns or ""
  local v = ns:match("^urn:iso:std:iso:20022:tech:xsd:camt%.053%.001%.(%d%d)$")
  if not v then
    fail("Document", "namespace '%s' is not camt.053 (expected urn:iso:std:iso:20022:tech:xsd:camt.053.001.02, .04 or .08)", ns)
  end
  if not VERSIONS[v] then
    fail("Document", "unsupported version camt.053.001.%s (expected 001.02, 001.04 or 001.08)", v)
  end
  local body = root:child("BkToCstmrStmt")
  if not body then fail("Document", "missing BkToCstmrStmt") end
  local result = { format = "camt.053.001." .. v, message_id = text(body, "GrpHdr/MsgId"), statements = {} }
  local stmts = body:children_named("Stmt")
  if #stmts == 0 then fail("Document/BkToCstmrStmt", "no Stmt (expected at least one statement)") end
  for i, stmt in ipairs(stmts) do
    local s = statement_of[stmt] or parse_statement(stmt, string.format("Stmt[%d]", i), opts)
    s.where = nil
    s.currency = s.currency or (s.entries[1] and s.entries[1].amount:currency())
    result.statements[i] = s
  end
  return result
end

-- Whether head (the start of a file) is a camt.053 document.
function M.detect(head)
  return type(head) == "string" and head:find("urn:iso:std:iso:20022:tech:xsd:camt.053.001.", 1, true) ~= nil
end

function M.check(result)
  return decimal.check(result)
end

return M
