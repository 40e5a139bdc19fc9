-- csv-invoices importer. parse(text, opts) -> { format = "csv", documents = { ... } };
-- detect(text, filename) -> whether the header line names at least the invoice number, the
-- invoice date and the amount.
--
-- One line per invoice (or credit note). Settings come from owed.conf (see the manifest) and
-- can be overridden per call in opts (opts.columns, opts.delimiter, opts.decimal,
-- opts.date_format, opts.currency, opts.round). docs/import.md lists the headers recognised.
--
-- Decisions:
-- * A negative amount is a credit note of the positive amount (its VAT negated with it); a
--   type column saying credit note makes a credit note whatever the sign.
-- * Amounts: "1.234,56", "1234,56", "1234.56", "1,234.56", "-12,50", "€ 12,50", "12,50-".
--   With decimal = "auto" an amount with one separator followed by exactly three digits
--   ("1.234") is read with the decimal separator the other amounts in the file show; when no
--   amount in the file tells, or they disagree, parse refuses and asks for the setting.
-- * Money is exact: the text is normalised to "1234.56" and read by owed.statement.money.
-- * debtor.kind: from a kind column when there is one; else, when the file has a VAT number,
--   KvK or company id column, "business" if one is filled on the line and "consumer" if not;
--   else nil (the file does not say).
-- * due_date: the due date column, else issue date + a payment terms column (days), else nil.
local decimal = require("owed.statement")
local invoices = require("owed.invoices")

local M = {}

local function fail(where, fmt, ...)
  error("csv-invoices: " .. where .. ": " .. string.format(fmt, ...), 0)
end

local function trim(s)
  if s == nil then return nil end
  return s:match("^%s*(.*%S)") or ""
end

-- A header as a key: lower case, without spaces, '-', '_', '.', ':' and '#'.
local function key(h)
  return (trim(h):lower():gsub("[%s%-_%.:#]", ""))
end

-- Our fields: name, what it is (for messages), the headers that mean it.
local FIELDS = {
  { "number", "the invoice number", { "factuurnummer", "factuurnr", "factuur", "invoice number",
      "invoice no", "invoice nr", "invoice id", "invoice" } },
  { "type", "the document type", { "soort", "type", "factuursoort", "document type", "doctype" } },
  { "issue_date", "the invoice date", { "factuurdatum", "datum", "invoice date", "date", "issue date" } },
  { "due_date", "the due date", { "vervaldatum", "vervaldag", "due date", "payment due date" } },
  { "terms_days", "the payment terms in days", { "betalingstermijn", "betaaltermijn", "termijn",
      "payment terms", "payment term", "terms" } },
  { "amount", "the amount", { "bedrag", "totaal", "totaalbedrag", "factuurbedrag", "bedrag incl btw",
      "totaal incl btw", "amount", "total", "total amount", "invoice amount", "amount incl vat",
      "total incl vat" } },
  { "vat", "the VAT amount", { "btw", "btw-bedrag", "vat", "vat amount", "tax", "tax amount" } },
  { "currency", "the currency", { "valuta", "munteenheid", "currency" } },
  { "reference", "the payment reference", { "betalingskenmerk", "betaalkenmerk", "kenmerk",
      "gestructureerde mededeling", "ogm", "payment reference", "reference" } },
  { "description", "the description", { "omschrijving", "beschrijving", "description", "memo" } },
  { "credited_invoice", "the credited invoice", { "gecrediteerde factuur", "originele factuur",
      "credited invoice", "original invoice" } },
  { "debtor_number", "the debtor number", { "debiteurnummer", "debiteurnr", "debiteur", "klantnummer",
      "klantnr", "relatienummer", "relatienr", "relatiecode", "customer number", "customer no",
      "customer nr", "customer id", "customer code", "debtor number", "debtor" } },
  { "name", "the debtor's name", { "naam", "debiteurnaam", "klantnaam", "relatienaam", "bedrijfsnaam",
      "name", "customer name", "debtor name", "company name" } },
  { "kind", "the kind of debtor", { "klanttype", "soort klant", "customer type", "debtor type" } },
  { "email", "the e-mail address", { "e-mail", "e-mailadres", "email address", "mail" } },
  { "country", "the country", { "land", "landcode", "country", "country code" } },
  { "address", "the address", { "adres", "address" } },
  { "street", "the street", { "straat", "straatnaam", "street" } },
  { "house_number", "the house number", { "huisnummer", "huisnr", "house number" } },
  { "postal_code", "the postal code", { "postcode", "zip", "zip code", "postal code" } },
  { "city", "the city", { "plaats", "woonplaats", "stad", "city", "town" } },
  { "vat_number", "the VAT number", { "btw-nummer", "btw nr", "btw-id", "vat number", "vat no", "vat id" } },
  { "kvk", "the KvK number", { "kvk", "kvk-nummer", "kvk nr", "coc number", "chamber of commerce" } },
  { "company_id", "the company number", { "ondernemingsnummer", "kbo", "kbo-nummer", "company number",
      "company id", "registration number" } },
}

local FIELD, BY_KEY, NAMES = {}, {}, {}
for _, f in ipairs(FIELDS) do
  FIELD[f[1]] = f
  NAMES[#NAMES + 1] = f[1]
  for _, h in ipairs(f[3]) do
    assert(BY_KEY[key(h)] == nil, "csv-invoices: header " .. h .. " twice")
    BY_KEY[key(h)] = f[1]
  end
end

local DATE_FORMATS = {
  ["yyyy-mm-dd"] = { pat = "^(%d%d%d%d)%-(%d%d?)%-(%d%d?)$", ymd = true },
  ["dd-mm-yyyy"] = { pat = "^(%d%d?)[%-%.](%d%d?)[%-%.](%d%d%d%d)$" },
  ["dd/mm/yyyy"] = { pat = "^(%d%d?)/(%d%d?)/(%d%d%d%d)$" },
}
local AUTO_DATES = { "yyyy-mm-dd", "dd-mm-yyyy", "dd/mm/yyyy" }

-- --------------------------------------------------------------------------------------------
-- Settings

local function settings(opts)
  local cfg = owed.config or {}
  local s = {}
  for _, k in ipairs({ "columns", "delimiter", "decimal", "date_format", "currency" }) do
    if opts[k] ~= nil then s[k] = opts[k] else s[k] = cfg[k] end
  end
  s.columns = s.columns or {}
  s.delimiter = s.delimiter or "auto"
  s.decimal = s.decimal or "auto"
  s.date_format = s.date_format or "auto"
  s.currency = s.currency or "EUR"
  s.round = opts.round
  if type(s.columns) ~= "table" then fail("setting columns", "expected a table of field = header") end
  for f, h in pairs(s.columns) do
    if not FIELD[f] then
      fail("setting columns", "'%s' is not a field (expected one of %s)", tostring(f), table.concat(NAMES, ", "))
    end
    if type(h) ~= "string" or trim(h) == "" then
      fail("setting columns", "%s = %s (expected a header name)", f, tostring(h))
    end
  end
  if s.delimiter == "tab" or s.delimiter == "\\t" then s.delimiter = "\t" end
  if s.delimiter ~= "auto" and s.delimiter ~= ";" and s.delimiter ~= "," and s.delimiter ~= "\t" and
     s.delimiter ~= "|" then
    fail("setting delimiter", "'%s' (expected \"auto\", \";\", \",\", \"tab\" or \"|\")", tostring(s.delimiter))
  end
  if s.decimal ~= "auto" and s.decimal ~= "," and s.decimal ~= "." then
    fail("setting decimal", "'%s' (expected \"auto\", \",\" or \".\")", tostring(s.decimal))
  end
  if s.date_format ~= "auto" and not DATE_FORMATS[s.date_format] then
    fail("setting date_format", "'%s' (expected \"auto\", \"dd-mm-yyyy\", \"yyyy-mm-dd\" or \"dd/mm/yyyy\")",
         tostring(s.date_format))
  end
  if not invoices.currency(s.currency) then
    fail("setting currency", "unknown currency '%s' (expected an ISO 4217 code such as EUR)", tostring(s.currency))
  end
  return s
end

-- --------------------------------------------------------------------------------------------
-- CSV (RFC 4180): quoted fields with the delimiter, "" and line breaks inside; CRLF or LF.

local function delimiter_name(d)
  if d == "\t" then return "tabs" end
  return '"' .. d .. '"'
end

-- The delimiter of the header line: the most frequent of ; , and tab outside quotes.
local function guess_delimiter(t)
  local counts = { [";"] = 0, [","] = 0, ["\t"] = 0 }
  local quoted = false
  for i = 1, #t do
    local c = t:sub(i, i)
    if c == '"' then quoted = not quoted
    elseif not quoted and (c == "\n" or c == "\r") then break
    elseif not quoted and counts[c] then counts[c] = counts[c] + 1 end
  end
  local best, n, tie = nil, 0, false
  for _, d in ipairs({ ";", ",", "\t" }) do
    if counts[d] > n then best, n, tie = d, counts[d], false
    elseif counts[d] == n and n > 0 then tie = true end
  end
  if not best then
    fail("line 1", "the header has no ; , or tab between column names (expected a header line; " ..
         "set delimiter if the file uses another)")
  end
  if tie then
    fail("line 1", "the header has as many of one delimiter as of another (expected ; , or tab; set delimiter)")
  end
  return best
end

local function read_csv(t, delim)
  local recs, n, i, line = {}, #t, 1, 1
  local stop = "[" .. (delim == "|" and "|" or delim) .. "\r\n]"
  while i <= n do
    local rec = { line = line, fields = {} }
    local f = rec.fields
    while true do
      local v, after
      if t:byte(i) == 34 then                      -- a quoted field
        local buf, j = {}, i + 1
        while true do
          local q = t:find('"', j, true)
          if not q then
            fail("line " .. rec.line, "field %d opens a quote that is never closed (expected a closing \")", #f + 1)
          end
          buf[#buf + 1] = t:sub(j, q - 1)
          if t:byte(q + 1) == 34 then buf[#buf + 1] = '"'; j = q + 2 else j = q + 1; break end
        end
        v = table.concat(buf)
        local _, nl = v:gsub("\n", "")
        line = line + nl
        while t:byte(j) == 32 do j = j + 1 end     -- spaces after the closing quote
        local c = t:sub(j, j)
        if c ~= "" and c ~= delim and c ~= "\r" and c ~= "\n" then
          fail("line " .. line, "field %d has text after its closing quote (expected %s or the end of the line)",
               #f + 1, delimiter_name(delim))
        end
        after = j
      else
        after = t:find(stop, i) or (n + 1)
        v = t:sub(i, after - 1)
      end
      f[#f + 1] = v
      local c = t:sub(after, after)
      if c == delim then
        i = after + 1
        if i > n then f[#f + 1] = ""; break end
      else
        if c == "\r" and t:sub(after + 1, after + 1) == "\n" then i = after + 2 else i = after + 1 end
        if c ~= "" then line = line + 1 end
        break
      end
    end
    recs[#recs + 1] = rec
  end
  return recs
end

local function blank(rec)
  for _, v in ipairs(rec.fields) do
    if not v:match("^%s*$") then return false end
  end
  return true
end

-- --------------------------------------------------------------------------------------------
-- The header: which column holds which field.

local function map_columns(header, s)
  local cols, names = {}, {}
  local by_key = {}
  for i, h in ipairs(header) do
    names[i] = trim(h)
    local k = key(h)
    if k ~= "" then
      by_key[k] = by_key[k] or {}
      table.insert(by_key[k], i)
    end
  end
  local taken = {}
  for _, f in ipairs(FIELDS) do
    local want = s.columns[f[1]]
    if want then
      local at = by_key[key(want)]
      if not at then
        local quoted = {}
        for i, nm in ipairs(names) do quoted[i] = '"' .. nm .. '"' end
        fail("line 1", "no column \"%s\" for columns.%s (the header has %s)", trim(want), f[1],
             table.concat(quoted, ", "))
      end
      if #at > 1 then
        fail("line 1", "column \"%s\" for columns.%s appears %d times in the header (expected once)",
             trim(want), f[1], #at)
      end
      cols[f[1]] = at[1]
      taken[at[1]] = true
    end
  end
  for i, h in ipairs(header) do
    local f = BY_KEY[key(h)]
    if f and not taken[i] and not s.columns[f] then
      if cols[f] then
        fail("line 1", "columns \"%s\" and \"%s\" both look like %s (expected one; set columns.%s)",
             names[cols[f]], names[i], FIELD[f][2], f)
      end
      cols[f] = i
    end
  end
  return cols, names
end

local REQUIRED = { { "number", "factuurnummer", "invoice number" },
                  { "issue_date", "factuurdatum", "invoice date" }, { "amount", "bedrag", "amount" } }

local function require_columns(cols)
  for _, f in ipairs(REQUIRED) do
    if not cols[f[1]] then
      fail("line 1", "no column for %s (expected a header such as \"%s\" or \"%s\", or set columns.%s)",
           FIELD[f[1]][2], f[2], f[3], f[1])
    end
  end
  if not cols.debtor_number and not cols.name then
    fail("line 1", "no column for the debtor (expected a header such as \"debiteurnummer\", \"customer number\", " ..
         "\"naam\" or \"name\", or set columns.debtor_number or columns.name)")
  end
end

-- --------------------------------------------------------------------------------------------
-- Amounts

local function esc(c) return (c:gsub("%p", "%%%0")) end

-- raw -> sign, body (digits and separators), euro; nil when it is no amount at all.
local function amount_parts(raw)
  local sign, plain = raw:match("^(%-?)([%d.,]+)$")       -- the usual case: nothing to strip
  if sign and plain:find("%d") then return sign, plain, false end
  local s = raw:gsub("\194\160", " "):gsub("\226\128\175", " ")
  s = trim(s)
  local euro = false
  local a, b = s:find("\226\130\172", 1, true)          -- €
  if a then euro = true; s = trim(s:sub(1, a - 1) .. s:sub(b + 1)) end
  local sign = ""
  local c = s:sub(1, 1)
  if c == "-" or c == "+" then sign = c; s = trim(s:sub(2))
  elseif s:sub(-1) == "-" then sign = "-"; s = trim(s:sub(1, -2)) end
  if euro and sign == "" then                           -- "€ -12,50"
    c = s:sub(1, 1)
    if c == "-" or c == "+" then sign = c; s = trim(s:sub(2)) end
  end
  if s:find(" ", 1, true) then                          -- "1 234,56": spaces group thousands
    local int, rest = s:match("^([%d ]+)([.,]?%d*)$")
    if not int then return nil end
    local first = true
    for g in (int .. " "):gmatch("([^ ]*) ") do
      if first then
        if not g:match("^%d%d?%d?$") then return nil end
      elseif not g:match("^%d%d%d$") then return nil end
      first = false
    end
    s = int:gsub(" ", "") .. rest
  end
  if s == "" or not s:match("^[%d.,]+$") or not s:match("%d") then return nil end
  return (sign == "-" and "-" or ""), s, euro
end

-- What an amount tells about the decimal separator: ",", "." or nil (nothing or ambiguous).
local function evidence(body)
  local lc, ld = body:find(",[^,]*$"), body:find("%.[^.]*$")
  local commas = select(2, body:gsub(",", ""))
  local dots = select(2, body:gsub("%.", ""))
  if commas > 0 and dots > 0 then return (lc > ld) and "," or "." end
  if commas + dots == 0 then return nil end
  local sep = commas > 0 and "," or "."
  if commas + dots > 1 then return sep == "," and "." or "," end   -- 1.234.567: grouping
  local int, frac = body:match("^(%d*)[.,](%d*)$")
  if not int then return nil end
  if #frac ~= 3 then return sep end
  if int == "" or int == "0" or #int > 3 then return sep end       -- 0,125 / 1234,567
  return nil
end

-- body with decimal separator dec -> "1234.56", or nil.
local GROUP = { [","] = { th = ".", group = "%.%d%d%d", all = "%." },
                ["."] = { th = ",", group = ",%d%d%d", all = "," } }

local function normalise(body, dec)
  local g = GROUP[dec]
  local int, frac = body, ""
  local p = body:find(dec, 1, true)
  if p then
    if body:find(dec, p + 1, true) then return nil end
    int, frac = body:sub(1, p - 1), body:sub(p + 1)
    if frac:find("%D") then return nil end
  end
  if int:find(g.th, 1, true) then                      -- groups of three after the first
    local first, rest = int:match("^(%d%d?%d?)(.*)$")
    if not first or rest:gsub(g.group, "") ~= "" then return nil end
    int = int:gsub(g.all, "")
  end
  if int:find("%D") or (int == "" and frac == "") then return nil end
  if int == "" then int = "0" end
  return frac == "" and int or (int .. "." .. frac)
end

local EXPECTED = {
  auto = "1234,56 or 1234.56", [","] = "1234,56 or 1.234,56", ["."] = "1234.56 or 1,234.56",
}

-- The file's decimal separator from the amounts that tell, checked to agree.
local function file_decimal(rows, cols, names)
  local found, first
  for _, r in ipairs(rows) do
    for _, f in ipairs({ "amount", "vat" }) do
      local i = cols[f]
      local raw = i and r.fields[i]
      if raw and trim(raw) ~= "" then
        local _, body = amount_parts(raw)
        local e = body and evidence(body)
        if e and normalise(body, e) then
          if found and e ~= found then
            local word = { [","] = "comma", ["."] = "point" }
            fail(string.format("line %d, column \"%s\"", r.line, names[i]),
                 "'%s' has a decimal %s, but '%s' on line %d has a decimal %s " ..
                 "(expected one decimal separator in the file; set decimal = \",\" or \".\")",
                 trim(raw), word[e], first.raw, first.line, word[found])
          end
          found = e
          first = first or { raw = trim(raw), line = r.line }
        end
      end
    end
  end
  return found
end

local function money_at(raw, ccy, dec, s, where)
  local sign, body, euro = amount_parts(raw)
  if not sign then fail(where, "'%s' is not an amount (expected %s)", trim(raw), EXPECTED[s.decimal]) end
  if euro and ccy ~= "EUR" then fail(where, "'%s' is in euro, the currency is %s", trim(raw), ccy) end
  local d = dec
  if not d then
    d = evidence(body)
    if not d then
      if body:find("[.,]") then
        local digits = body:gsub("[.,]", "")
        fail(where, "'%s' could be %s (a thousands separator) or %s (a decimal separator) and no other " ..
             "amount in the file tells (expected the decimal setting: decimal = \",\" or \".\")",
             trim(raw), digits, body)
      end
      d = "."
    end
  end
  local n = normalise(body, d)
  if not n then fail(where, "'%s' is not an amount (expected %s)", trim(raw), EXPECTED[s.decimal]) end
  n = sign .. n
  local ok, m = pcall(decimal.money, n, ccy, s.round, "csv-invoices: " .. where)
  if not ok then
    error((tostring(m):gsub("'" .. esc(n) .. "'", function() return "'" .. trim(raw) .. "'" end)), 0)
  end
  return m
end

-- --------------------------------------------------------------------------------------------
-- Dates

local function date_at(raw, s, where)
  local t = trim(raw)
  t = t:match("^(%S+)[ T]%d%d?:%d%d") or t              -- a time after the date is ignored
  local formats = s.date_format == "auto" and AUTO_DATES or { s.date_format }
  for _, name in ipairs(formats) do
    local f = DATE_FORMATS[name]
    local a, b, c = t:match(f.pat)
    if a then
      local y, m, d
      if f.ymd then y, m, d = a, b, c else y, m, d = c, b, a end
      local iso = string.format("%04d-%02d-%02d", tonumber(y), tonumber(m), tonumber(d))
      if not owed.date.valid(iso) then
        fail(where, "'%s' is not a date that exists (expected %s)", trim(raw), name)
      end
      return iso
    end
  end
  if s.date_format == "auto" then
    local y, m, d = t:match("^(%d%d%d%d)(%d%d)(%d%d)$")
    if y then
      local iso = y .. "-" .. m .. "-" .. d
      if owed.date.valid(iso) then return iso end
      fail(where, "'%s' is not a date that exists (expected yyyymmdd)", trim(raw))
    end
    fail(where, "'%s' is not a date (expected dd-mm-yyyy, yyyy-mm-dd or dd/mm/yyyy)", trim(raw))
  end
  fail(where, "'%s' is not a date (expected %s)", trim(raw), s.date_format)
end

-- --------------------------------------------------------------------------------------------
-- Lines to documents

local INVOICE = { factuur = true, invoice = true, f = true, i = true, inv = true, ["380"] = true,
                  verkoopfactuur = true, ["sales invoice"] = true }
local CREDIT = { credit = true, creditnota = true, creditfactuur = true, ["credit note"] = true,
                 credit_note = true, creditnote = true, c = true, cn = true, ["381"] = true,
                 ["credit invoice"] = true }
local BUSINESS = { business = true, zakelijk = true, bedrijf = true, b2b = true, company = true,
                   organisation = true, organization = true, organisatie = true }
local CONSUMER = { consumer = true, particulier = true, consument = true, b2c = true, private = true,
                   person = true, individual = true }
local COUNTRIES = {
  nederland = "NL", netherlands = "NL", ["the netherlands"] = "NL", holland = "NL",
  ["belgië"] = "BE", belgie = "BE", belgium = "BE", belgique = "BE",
  duitsland = "DE", germany = "DE", deutschland = "DE", frankrijk = "FR", france = "FR",
  luxemburg = "LU", luxembourg = "LU",
}

local function document(r, cols, names, s, dec)
  local vals = {}
  for f, i in pairs(cols) do
    local v = trim(r.fields[i] or "")
    if v ~= "" then vals[f] = v end
  end
  local function cell(f) return vals[f] end
  local function where(f) return string.format("line %d, column \"%s\"", r.line, names[cols[f]]) end
  local function need(f)
    local v = cell(f)
    if not v then fail(where(f), "empty (expected %s)", FIELD[f][2]) end
    return v
  end

  local d = { where = "line " .. r.line }
  d.number = need("number")
  d.issue_date = date_at(need("issue_date"), s, where("issue_date"))
  if cell("due_date") then
    d.due_date = date_at(cell("due_date"), s, where("due_date"))
  elseif cell("terms_days") then
    local n = cell("terms_days"):lower():match("^(%d+)%s*%a*$")
    if not n or #n > 3 then
      fail(where("terms_days"), "'%s' is not a number of days (expected 30 or 30 dagen)", cell("terms_days"))
    end
    d.due_date = owed.date.add_days(d.issue_date, math.tointeger(tonumber(n)))
  end

  local ccy = cell("currency")
  if ccy then
    if ccy == "\226\130\172" then ccy = "EUR" end
    if not invoices.currency(ccy:upper()) then
      fail(where("currency"), "unknown currency '%s' (expected an ISO 4217 code such as EUR)", ccy)
    end
    ccy = ccy:upper()
  else
    ccy = s.currency
  end
  d.currency = ccy

  local amount = money_at(need("amount"), ccy, dec, s, where("amount"))
  local vat = cell("vat") and money_at(cell("vat"), ccy, dec, s, where("vat"))
  local credit = false
  local t = cell("type")
  if t then
    local tl = t:lower()
    if CREDIT[tl] then credit = true
    elseif not INVOICE[tl] then
      fail(where("type"), "'%s' is not a document type (expected factuur/invoice or creditnota/credit note)", t)
    end
  end
  if credit and amount:is_negative() then      -- a credit note written with a minus sign
    amount = -amount
    if vat then vat = -vat end
  else
    credit, amount, vat = invoices.unsign(credit, amount, vat)
  end
  d.type = credit and "credit_note" or "invoice"
  d.amount, d.vat = amount, vat
  d.reference = cell("reference")
  d.description = invoices.short(cell("description"))
  if credit then d.credited_invoice = cell("credited_invoice") end

  local debtor = {
    number = cell("debtor_number"),
    name = cell("name"),
    email = cell("email"),
    vat = cell("vat_number"),
    kvk = cell("kvk"),
  }
  debtor.company_id = cell("company_id") or debtor.kvk
  if cell("country") then
    local c = cell("country")
    local code = c:match("^%a%a$") and c:upper() or COUNTRIES[c:lower()]
    if not code then
      fail(where("country"), "'%s' is not a country code (expected a two-letter code such as NL or BE)", c)
    end
    debtor.country = code
  end
  if cell("address") then
    local lines = {}
    for l in (cell("address"):gsub("\r\n?", "\n") .. "\n"):gmatch("([^\n]*)\n") do
      l = trim(l)
      if l ~= "" then lines[#lines + 1] = l end
    end
    debtor.address = table.concat(lines, "\n")
  else
    local street = cell("street")
    if street and cell("house_number") then street = street .. " " .. cell("house_number") end
    local town = cell("postal_code")
    if town and cell("city") then town = town .. " " .. cell("city") else town = town or cell("city") end
    if street and town then debtor.address = street .. "\n" .. town else debtor.address = street or town end
  end
  local k = cell("kind")
  if k then
    if BUSINESS[k:lower()] then debtor.kind = "business"
    elseif CONSUMER[k:lower()] then debtor.kind = "consumer"
    else fail(where("kind"), "'%s' is not a kind of debtor (expected zakelijk/business or particulier/consumer)", k) end
  elseif cols.vat_number or cols.kvk or cols.company_id then
    debtor.kind = (debtor.vat or debtor.company_id) and "business" or "consumer"
  end
  d.debtor = debtor
  return d
end

local function prepare(text_in, s)
  text_in = text_in:gsub("^\239\187\191", "")
  local delim = s.delimiter
  if delim == "auto" then delim = guess_delimiter(text_in) end
  local recs = read_csv(text_in, delim)
  local rows = {}
  for _, r in ipairs(recs) do
    if not blank(r) then rows[#rows + 1] = r end
  end
  return rows, delim
end

function M.parse(text_in, opts)
  opts = opts or {}
  if type(text_in) ~= "string" then error("csv-invoices: parse expects the file's text (a string)", 0) end
  local s = settings(opts)
  local rows, delim = prepare(text_in, s)
  if #rows == 0 then fail("line 1", "the file is empty (expected a header line and one line per invoice)") end
  local header = table.remove(rows, 1)
  local cols, names = map_columns(header.fields, s)
  require_columns(cols)
  local width = #header.fields
  for _, r in ipairs(rows) do
    local n = #r.fields
    if n < width then
      fail("line " .. r.line, "%d fields, the header has %d (expected %d fields separated by %s)",
           n, width, width, delimiter_name(delim))
    elseif n > width then
      for i = width + 1, n do
        if trim(r.fields[i]) ~= "" then
          fail("line " .. r.line, "%d fields, the header has %d (expected %d fields separated by %s; " ..
               "quote a field that contains the delimiter)", n, width, width, delimiter_name(delim))
        end
      end
    end
  end
  local dec = s.decimal ~= "auto" and s.decimal or file_decimal(rows, cols, names)
  local docs, seen = {}, {}
  for _, r in ipairs(rows) do
    local d = document(r, cols, names, s, dec)
    if seen[d.number] then
      fail("line " .. r.line, "invoice number \"%s\" again, first on line %d (expected one line per invoice)",
           d.number, seen[d.number])
    end
    seen[d.number] = r.line
    docs[#docs + 1] = d
  end
  return { format = "csv", documents = docs }
end

-- The header line names the invoice number, the invoice date and the amount (by the usual
-- headers or the configured columns).
function M.detect(text_in, filename)
  if type(text_in) ~= "string" then return false end
  local ok, found = pcall(function()
    local head = text_in:sub(1, 4096):gsub("^\239\187\191", "")
    if head:match("^%s*[<{%[]") then return false end
    local nl = head:find("\n", 1, true)
    if nl then head = head:sub(1, nl) end
    local s = settings({})
    local rows = prepare(head, s)
    if #rows == 0 then return false end
    local cols = map_columns(rows[1].fields, s)
    return cols.number ~= nil and cols.issue_date ~= nil and cols.amount ~= nil
  end)
  return ok and found == true
end

return M
