-- owed.invoices: what the invoice importers (ubl, csv-invoices) share.  Shipped with the API
-- (api/lua/), like owed.statement, so both require the one copy.
local M = {}

-- ISO 4217 codes in use for invoicing (the list of current funds codes as of 2025, plus the
-- recently withdrawn HRK, SLL, ZWL and ANG that old invoices may still carry).  owed.money takes
-- any three capital letters, so "XYZ" would pass there; importers check against this list.
local ISO4217 = {}
for code in ([[
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN
ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK
JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB
TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD
XCG XOF XPF YER ZAR ZMW ZWG ZWL]]):gmatch("%u%u%u") do
  ISO4217[code] = true
end

-- Whether code is an ISO 4217 currency code (upper case, as written in the file).
function M.currency(code)
  return type(code) == "string" and ISO4217[code] == true
end

-- A description as one line: whitespace runs (newlines too) become one space, then at most
-- 160 characters, cut on a character boundary (UTF-8).  nil for nil or blank text.
function M.short(s, max)
  if s == nil then return nil end
  max = max or 160
  s = tostring(s):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  if s == "" then return nil end
  local n = utf8.len(s)
  if n and n > max then
    s = s:sub(1, utf8.offset(s, max + 1) - 1):gsub(" $", "")
  elseif not n and #s > max then
    s = s:sub(1, max)
  end
  return s
end

-- A negative amount is a correction: returns the type flipped (invoice <-> credit_note) and
-- the amounts positive.  vat may be nil.
function M.unsign(credit, amount, vat)
  if amount:is_negative() then
    credit = not credit
    amount = -amount
    if vat then vat = -vat end
  end
  return credit, amount, vat
end

return M
