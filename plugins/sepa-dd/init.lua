-- sepa-dd: writes a SEPA Core direct debit initiation (ISO 20022 pain.008.001.02) from the
-- data `owed collect sepa` hands to collection_file(file).  The host selects and numbers the
-- collections and writes the text to disk; this plugin only writes the XML, so another bank's
-- format (pain.008.001.08, a national variant) is another plugin with the same hook.
--
-- EPC rules kept here (EPC130-08, SDD Core customer-to-bank implementation guidelines):
--   * texts in the SEPA character set: a-z A-Z 0-9 / - ? : ( ) . , ' + and space; accents
--     transliterated (é -> e, ß -> ss), anything else becomes '.'; with charset = "escaped"
--     (the default) & < > " are kept, XML-escaped, as Dutch, Belgian and German banks accept;
--   * names at most 70 characters, address lines 70, unstructured remittance 140;
--   * amounts with exactly two decimals, from the integer minor units (no floats);
--   * NbOfTxs and CtrlSum in the group header and in every PmtInf, checked against the
--     host's own count and total before anything is written;
--   * CdtrAgt and DbtrAgt: the BIC when known, else Othr/Id NOTPROVIDED;
--   * ChrgBr SLEV, the creditor identifier in CdtrSchmeId with SchmeNm/Prtry SEPA;
--   * remittance: Strd/CdtrRefInf (SCOR) for a structured reference -- issuer ISO for an RF
--     creditor reference, CUR for a Dutch betalingskenmerk, BBA for a Belgian OGM -- else
--     Ustrd with the invoice number.
local M = {}

local NS = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"

-- ------------------------------------------------------------------ the character set

local plain = {}        -- UTF-8 character -> its SEPA transliteration
local function map(to, chars)
  for _, c in utf8.codes(chars) do plain[utf8.char(c)] = to end
end
map("A", "ÀÁÂÃÄÅĀĂĄ"); map("a", "àáâãäåāăąª")
map("C", "ÇĆĈĊČ");     map("c", "çćĉċč")
map("D", "ĎĐÐ");       map("d", "ďđð")
map("E", "ÈÉÊËĒĔĖĘĚ"); map("e", "èéêëēĕėęě")
map("G", "ĜĞĠĢ");      map("g", "ĝğġģ")
map("H", "ĤĦ");        map("h", "ĥħ")
map("I", "ÌÍÎÏĨĪĬĮİ"); map("i", "ìíîïĩīĭįı")
map("J", "Ĵ");         map("j", "ĵ")
map("K", "Ķ");         map("k", "ķĸ")
map("L", "ĹĻĽĿŁ");     map("l", "ĺļľŀł")
map("N", "ÑŃŅŇŊ");     map("n", "ñńņňŉŋ")
map("O", "ÒÓÔÕÖØŌŎŐ"); map("o", "òóôõöøōŏőº")
map("R", "ŔŖŘ");       map("r", "ŕŗř")
map("S", "ŚŜŞŠȘ");     map("s", "śŝşšșſ")
map("T", "ŢŤŦȚ");      map("t", "ţťŧț")
map("U", "ÙÚÛÜŨŪŬŮŰŲ"); map("u", "ùúûüũūŭůűų")
map("W", "Ŵ");         map("w", "ŵ")
map("Y", "ÝŶŸ");       map("y", "ýÿŷ")
map("Z", "ŹŻŽ");       map("z", "źżž")
plain["ß"] = "ss"; plain["Æ"] = "AE"; plain["æ"] = "ae"; plain["Œ"] = "OE"; plain["œ"] = "oe"
plain["Þ"] = "TH"; plain["þ"] = "th"; plain["Ĳ"] = "IJ"; plain["ĳ"] = "ij"; plain["€"] = "EUR"
plain["×"] = "x"
map("'", "‘’‚‛´`"); map("-", "–—‐‑−_"); map("\"", "“”„«»"); map(" ", "\t\n\r\194\160")

-- the EPC basic Latin set, and what 'basic' makes of the four XML specials
local BASIC = "[A-Za-z0-9/%-%?:%(%)%.,'%+ ]"
local SPECIAL = { ["&"] = "+", ["<"] = "(", [">"] = ")", ['"'] = "'" }
local ESCAPE = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }

local function charset()
  return (owed.config and owed.config.charset) or "escaped"
end

-- Text in the SEPA character set, at most max characters (spaces squeezed, ends trimmed),
-- not yet XML-escaped.
function M.sepa_text(s, max)
  s = tostring(s or "")
  local keep_specials = charset() ~= "basic"
  if not s:find("[^A-Za-z0-9/%-%?:%(%)%.,'%+ &<>\"]") then      -- the common case: as it is
    if not keep_specials then s = s:gsub('[&<>"]', SPECIAL) end
    if s:find("  ", 1, true) or s:byte(1) == 32 or s:byte(-1) == 32 then
      s = s:gsub("  +", " "):gsub("^ ", ""):gsub(" $", "")
    end
    if max and #s > max then s = s:sub(1, max):gsub(" $", "") end
    return s
  end
  local out = {}
  for ch in s:gmatch(utf8.charpattern) do
    local t = plain[ch] or ch
    if SPECIAL[t] then
      t = keep_specials and t or SPECIAL[t]
    elseif #t > 1 or not t:find(BASIC) then
      t = plain[t] or (t:find("^" .. BASIC .. "+$") and t or ".")
    end
    out[#out + 1] = t
  end
  local text = table.concat(out):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  if max and #text > max then text = text:sub(1, max):gsub(" $", "") end
  return text
end

local function escape(s)
  if s:find("&", 1, true) or s:find("<", 1, true) or s:find(">", 1, true) or
     s:find('"', 1, true) then
    return (s:gsub('[&<>"]', ESCAPE))
  end
  return s
end

-- ------------------------------------------------------------------ amounts

local function money(v, where)
  local m = owed.money.is(v) and v or owed.money(tostring(v))
  if m:currency() ~= "EUR" then
    error(string.format("sepa-dd: %s: %s is not in EUR", where, tostring(v)), 0)
  end
  return m:minor()
end

-- 1234 -> "12.34", from the integer minor units
local function decimal(minor)
  return string.format("%d.%02d", minor // 100, minor % 100)
end

-- ------------------------------------------------------------------ writing

local function writer()
  local lines, depth = {}, 0
  local w = {}
  function w.open(tag, attrs)
    lines[#lines + 1] = string.rep("  ", depth) .. "<" .. tag .. (attrs or "") .. ">"
    depth = depth + 1
  end
  function w.close(tag)
    depth = depth - 1
    lines[#lines + 1] = string.rep("  ", depth) .. "</" .. tag .. ">"
  end
  -- a leaf whose text is already in the character set
  function w.raw(tag, text, attrs)
    lines[#lines + 1] = string.rep("  ", depth) .. "<" .. tag .. (attrs or "") .. ">" ..
                        escape(text) .. "</" .. tag .. ">"
  end
  -- a leaf of free text: transliterated, cut to max, escaped
  function w.text(tag, text, max)
    w.raw(tag, M.sepa_text(text, max))
  end
  -- preformatted lines, indented for where they go
  function w.chunk(text)
    lines[#lines + 1] = text
  end
  function w.result()
    return '<?xml version="1.0" encoding="UTF-8"?>\n' .. table.concat(lines, "\n") .. "\n"
  end
  return w
end

local function agent(w, tag, bic)
  w.open(tag); w.open("FinInstnId")
  if bic and bic ~= "" then
    w.raw("BIC", bic)
  else
    w.open("Othr"); w.raw("Id", "NOTPROVIDED"); w.close("Othr")
  end
  w.close("FinInstnId"); w.close(tag)
end

local function account(w, tag, iban)
  w.open(tag); w.open("Id"); w.raw("IBAN", iban); w.close("Id"); w.close(tag)
end

-- A debit is the file's hot loop (a file may hold tens of thousands), so it is one template
-- filled in one call rather than forty element calls: the plugin's time budget is counted in
-- Lua instructions.  Indented for its place, inside PmtInf.
local DEBIT = [[
      <DrctDbtTxInf>
        <PmtId>
          <EndToEndId>%s</EndToEndId>
        </PmtId>
        <InstdAmt Ccy="EUR">%s</InstdAmt>
        <DrctDbtTx>
          <MndtRltdInf>
            <MndtId>%s</MndtId>
            <DtOfSgntr>%s</DtOfSgntr>
          </MndtRltdInf>
        </DrctDbtTx>
        <DbtrAgt>
          <FinInstnId>
%s
          </FinInstnId>
        </DbtrAgt>
        <Dbtr>
          <Nm>%s</Nm>
        </Dbtr>
        <DbtrAcct>
          <Id>
            <IBAN>%s</IBAN>
          </Id>
        </DbtrAcct>
        <RmtInf>
%s
        </RmtInf>
      </DrctDbtTxInf>]]
local NOTPROVIDED = "            <Othr>\n              <Id>NOTPROVIDED</Id>\n            </Othr>"
local BIC = "            <BIC>%s</BIC>"
local USTRD = "          <Ustrd>%s</Ustrd>"
local STRD = [[
          <Strd>
            <CdtrRefInf>
              <Tp>
                <CdOrPrtry>
                  <Cd>SCOR</Cd>
                </CdOrPrtry>
                <Issr>%s</Issr>
              </Tp>
              <Ref>%s</Ref>
            </CdtrRefInf>
          </Strd>]]

local ISSUER = { rf = "ISO", nl = "CUR", be = "BBA" }

local function remittance(d, prefix)
  local issuer = d.reference and ISSUER[d.reference_kind or ""]
  if not issuer then
    return string.format(USTRD, escape(M.sepa_text(prefix .. d.invoice, 140)))
  end
  local ref = d.reference
  if d.reference_kind == "be" then ref = ref:gsub("%D", "") end   -- the 12 digits
  return string.format(STRD, issuer, escape(ref))
end

local function need(t, key, where)
  local v = t[key]
  if v == nil or v == "" then
    error(string.format("sepa-dd: %s: '%s' is missing", where, key), 0)
  end
  return v
end

-- Counts and sums every batch, and holds them against what the host says.
local function totals(file)
  local count, sum = 0, 0
  for b, batch in ipairs(need(file, "batches", "file")) do
    local n, s = 0, 0
    for i, d in ipairs(need(batch, "debits", "batch " .. b)) do
      local minor = money(need(d, "amount", "debit " .. i), "batch " .. b .. " debit " .. i)
      if minor <= 0 then
        error(string.format("sepa-dd: batch %d debit %d: the amount must be more than zero", b, i), 0)
      end
      n, s = n + 1, s + minor
    end
    if n == 0 then error(string.format("sepa-dd: batch %d has no debits", b), 0) end
    if batch.transactions and batch.transactions ~= n or
       batch.total and money(batch.total, "batch " .. b) ~= s then
      error(string.format("sepa-dd: batch %d: %d debits of %s, but the host says %s of %s",
        b, n, decimal(s), tostring(batch.transactions), tostring(batch.total)), 0)
    end
    batch._count, batch._sum = n, s
    count, sum = count + n, sum + s
  end
  if count == 0 then error("sepa-dd: the file has no debits", 0) end
  if file.transactions and file.transactions ~= count or
     file.total and money(file.total, "file") ~= sum then
    error(string.format("sepa-dd: %d debits of %s, but the host says %s of %s",
      count, decimal(sum), tostring(file.transactions), tostring(file.total)), 0)
  end
  return count, sum
end

-- The hook: file = { message_id, created, collection_date, scheme, transactions, total,
-- creditor = { name, iban, bic?, id, country, address? }, batches = { { id, sequence,
-- collection_date, transactions, total, debits = { { end_to_end, amount, invoice, due_date,
-- reference?, reference_kind?, mandate = { id, signed }, debtor = { number, name, iban,
-- bic?, country } } } } } }.  Returns the document's text.
function M.collection_file(file)
  local cred = need(file, "creditor", "file")
  local count, sum = totals(file)
  local w = writer()
  w.open("Document", ' xmlns="' .. NS .. '" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')
  w.open("CstmrDrctDbtInitn")
  w.open("GrpHdr")
  w.raw("MsgId", need(file, "message_id", "file"))
  w.raw("CreDtTm", need(file, "created", "file"))
  w.raw("NbOfTxs", tostring(count))
  w.raw("CtrlSum", decimal(sum))
  w.open("InitgPty"); w.text("Nm", need(cred, "name", "creditor"), 70); w.close("InitgPty")
  w.close("GrpHdr")
  for b, batch in ipairs(file.batches) do
    local where = "batch " .. b
    w.open("PmtInf")
    w.raw("PmtInfId", need(batch, "id", where))
    w.raw("PmtMtd", "DD")
    w.raw("BtchBookg", (owed.config and owed.config.batch_booking == false) and "false" or "true")
    w.raw("NbOfTxs", tostring(batch._count))
    w.raw("CtrlSum", decimal(batch._sum))
    w.open("PmtTpInf")
    w.open("SvcLvl"); w.raw("Cd", "SEPA"); w.close("SvcLvl")
    w.open("LclInstrm"); w.raw("Cd", file.scheme or "CORE"); w.close("LclInstrm")
    w.raw("SeqTp", need(batch, "sequence", where))
    w.close("PmtTpInf")
    w.raw("ReqdColltnDt", batch.collection_date or need(file, "collection_date", "file"))
    w.open("Cdtr")
    w.text("Nm", cred.name, 70)
    if cred.address and cred.address ~= "" then
      w.open("PstlAdr")
      if cred.country then w.raw("Ctry", cred.country) end
      local n = 0       -- at most two lines; '\n' typed on the command line ends one too
      for line in (cred.address:gsub("\\n", "\n") .. "\n"):gmatch("(.-)\n") do
        if line:find("%S") and n < 2 then n = n + 1; w.text("AdrLine", line, 70) end
      end
      w.close("PstlAdr")
    end
    w.close("Cdtr")
    account(w, "CdtrAcct", need(cred, "iban", "creditor"))
    agent(w, "CdtrAgt", cred.bic)
    w.raw("ChrgBr", "SLEV")
    w.open("CdtrSchmeId"); w.open("Id"); w.open("PrvtId"); w.open("Othr")
    w.raw("Id", need(cred, "id", "creditor"))
    w.open("SchmeNm"); w.raw("Prtry", "SEPA"); w.close("SchmeNm")
    w.close("Othr"); w.close("PrvtId"); w.close("Id"); w.close("CdtrSchmeId")
    local prefix = (owed.config and owed.config.remittance_prefix) or "Invoice "
    for i, d in ipairs(batch.debits) do
      local mandate, debtor = d.mandate, d.debtor
      if not (d.end_to_end and mandate and mandate.id and mandate.signed and debtor and
              debtor.name and debtor.iban and d.invoice) then
        local at = where .. " debit " .. i
        need(d, "end_to_end", at); need(d, "invoice", at)
        need(need(d, "mandate", at), "id", at .. " mandate"); need(mandate, "signed", at .. " mandate")
        need(need(d, "debtor", at), "name", at .. " debtor"); need(debtor, "iban", at .. " debtor")
      end
      w.chunk(string.format(DEBIT, escape(d.end_to_end), decimal(money(d.amount, where)),
        escape(mandate.id), escape(mandate.signed),
        (debtor.bic and debtor.bic ~= "") and string.format(BIC, escape(debtor.bic)) or NOTPROVIDED,
        escape(M.sepa_text(debtor.name, 70)), escape(debtor.iban), remittance(d, prefix)))
    end
    w.close("PmtInf")
  end
  w.close("CstmrDrctDbtInitn")
  w.close("Document")
  return w.result()
end

return M
