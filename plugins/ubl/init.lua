-- ubl importer. parse(text, opts) -> { format = "ubl", documents = { one document } };
-- detect(text, filename) -> whether text is a UBL 2.1 Invoice or CreditNote.
--
-- Pure parsing: nothing is written to the ledger. What is read for which field is listed in
-- docs/import.md. The rules that need a decision:
--
-- * amount is LegalMonetaryTotal/PayableAmount (what is still to be paid, after PrepaidAmount
--   and rounding). A negative Invoice (a correction written as an invoice with negative
--   amounts, allowed by Peppol BIS) is returned as a credit_note with the positive amount and
--   VAT; a negative CreditNote likewise becomes an invoice. credited_invoice is
--   BillingReference/InvoiceDocumentReference/ID whenever the result is a credit_note.
-- * due_date: cbc:DueDate (Invoice), else PaymentMeans/PaymentDueDate, else
--   PaymentTerms/PaymentDueDate, else a PaymentTerms/Note that is nothing but a number of days
--   ("30 dagen", "30dagen", "Payment within 30 days", "Net 30") counted from IssueDate; any
--   other note ("Payment within 10 days, 2% discount") gives nil.
-- * debtor.number: the first of PartyIdentification/ID (the buyer identifier, usually the
--   supplier's own customer number), EndpointID, the VAT number, PartyLegalEntity/CompanyID;
--   the value as written, without its schemeID.
-- * debtor.kind: "business" when the buyer has a VAT number, a PartyLegalEntity/CompanyID or
--   an EndpointID / PartyIdentification/ID with an ISO 6523 scheme (four digits, 0106 KvK,
--   0190 OIN, 0208 KBO, ...: identifiers of organisations); otherwise "consumer".
-- * debtor.kvk: PartyLegalEntity/CompanyID when its schemeID is 0106 (KvK), or when it has no
--   schemeID and the buyer is in NL; debtor.company_id is PartyLegalEntity/CompanyID always.
--
-- opts.round: amounts with more decimals than their currency (non-zero extra digits) are
-- refused unless opts.round is true; then they are rounded half up (as the bank importers).
local decimal = require("owed.statement")
local invoices = require("owed.invoices")

local M = {}

local NS = "urn:oasis:names:specification:ubl:schema:xsd:"
local ROOTS = { Invoice = NS .. "Invoice-2", CreditNote = NS .. "CreditNote-2" }
local SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"

local function fail(where, fmt, ...)
  error("ubl: " .. where .. ": " .. string.format(fmt, ...), 0)
end

-- Trimmed text at path, nil when missing or empty.
local function text(el, path)
  if not el then return nil end
  local t = el:text_of(path)
  if t == nil or t == "" then return nil end
  return t
end

-- xs:date, optionally with a time zone ("2026-03-01Z", "2026-03-01+01:00").
local function date_at(el, path, where, required)
  local raw = text(el, path)
  if not raw then
    if required then fail(where, "missing %s (expected a date YYYY-MM-DD)", path) end
    return nil
  end
  local d = raw:match("^(%d%d%d%d%-%d%d%-%d%d)$") or raw:match("^(%d%d%d%d%-%d%d%-%d%d)Z$") or
            raw:match("^(%d%d%d%d%-%d%d%-%d%d)[+-]%d%d:%d%d$")
  if not d or not owed.date.valid(d) then
    fail(where .. "/" .. path, "'%s' is not a date that exists (expected YYYY-MM-DD)", raw)
  end
  return d
end

-- An amount element with its currencyID, which must be the document currency.
local function amount_of(el, where, ccy, opts)
  local id = el.attrs and el.attrs.currencyID
  if not id then fail(where, "no currencyID attribute (expected currencyID=\"%s\")", ccy) end
  id = id:gsub("^%s+", ""):gsub("%s+$", "")
  if id ~= ccy then
    fail(where, "currencyID '%s' differs from DocumentCurrencyCode '%s' (expected the document currency)", id, ccy)
  end
  local t = (el.text or ""):gsub("^%s+", ""):gsub("%s+$", "")
  return decimal.money(t, ccy, opts.round, "ubl: " .. where)
end

local TERMS_PREFIX = { "payment within ", "payable within ", "within ", "net ", "netto ",
                       "betaling binnen ", "te betalen binnen ", "betalen binnen ", "binnen ",
                       "paiement à ", "payable à ", "à " }
local TERMS_UNIT = { "", "days", "day", "dagen", "dag", "dgn", "jours", "jour", "tage" }

-- Days in a PaymentTerms note that says nothing else, or nil.
local function terms_days(note)
  if not note then return nil end
  local s = note:lower():gsub("%s+", " "):gsub("^ ", ""):gsub("[ .]+$", "")
  for _, p in ipairs(TERMS_PREFIX) do
    if s:sub(1, #p) == p then s = s:sub(#p + 1) break end
  end
  local n, unit = s:match("^(%d+) ?(%a*)$")
  if not n or #n > 3 then return nil end
  for _, u in ipairs(TERMS_UNIT) do
    if unit == u then return math.tointeger(tonumber(n)) end
  end
  return nil
end

local function due_date(root, issue, where)
  local d = date_at(root, "DueDate", where)
  if d then return d end
  for i, pm in ipairs(root:children_named("PaymentMeans")) do
    d = date_at(pm, "PaymentDueDate", string.format("%s/PaymentMeans[%d]", where, i))
    if d then return d end
  end
  for i, pt in ipairs(root:children_named("PaymentTerms")) do
    d = date_at(pt, "PaymentDueDate", string.format("%s/PaymentTerms[%d]", where, i))
    if d then return d end
  end
  for _, pt in ipairs(root:children_named("PaymentTerms")) do
    local n = terms_days(text(pt, "Note"))
    if n then return owed.date.add_days(issue, n) end
  end
  return nil
end

-- The VAT number: PartyTaxScheme whose TaxScheme/ID is VAT (or has none).
local function vat_number(party)
  for _, pts in ipairs(party:children_named("PartyTaxScheme")) do
    local scheme = text(pts, "TaxScheme/ID")
    local id = text(pts, "CompanyID")
    if id and (scheme == nil or scheme:upper() == "VAT") then return id end
  end
  return nil
end

local function party_name(party)
  return text(party, "PartyLegalEntity/RegistrationName") or text(party, "PartyName/Name")
end

local function iso6523(el)
  local s = el and el.attrs and el.attrs.schemeID
  return s ~= nil and s:match("^%s*%d%d%d%d%s*$") ~= nil
end

local function address(party)
  local a = party:child("PostalAddress")
  if not a then return nil end
  local lines = {}
  for _, path in ipairs({ "StreetName", "AdditionalStreetName" }) do
    lines[#lines + 1] = text(a, path)
  end
  for _, al in ipairs(a:children_named("AddressLine")) do
    lines[#lines + 1] = text(al, "Line")
  end
  local zip, city = text(a, "PostalZone"), text(a, "CityName")
  if zip and city then lines[#lines + 1] = zip .. " " .. city
  else lines[#lines + 1] = zip or city end
  if #lines == 0 then return nil end
  return table.concat(lines, "\n")
end

local function debtor_of(root, where)
  local party = root:path("AccountingCustomerParty/Party")
  if not party then
    fail(where, "missing AccountingCustomerParty/Party (expected the buyer, who is the debtor)")
  end
  local vat = vat_number(party)
  local legal = party:path("PartyLegalEntity/CompanyID")
  local company_id = text(party, "PartyLegalEntity/CompanyID")
  local country = text(party, "PostalAddress/Country/IdentificationCode")
  if country then country = country:upper() end
  local endpoint = party:child("EndpointID")
  local ident = party:path("PartyIdentification/ID")
  local kvk
  if company_id then
    local scheme = legal.attrs and legal.attrs.schemeID
    if scheme == "0106" or (scheme == nil and country == "NL") then kvk = company_id end
  end
  local business = vat or company_id or (text(party, "EndpointID") and iso6523(endpoint)) or
                   (text(party, "PartyIdentification/ID") and iso6523(ident))
  return {
    number = text(party, "PartyIdentification/ID") or text(party, "EndpointID") or vat or company_id,
    name = party_name(party),
    kind = business and "business" or "consumer",
    country = country,
    address = address(party),
    email = text(party, "Contact/ElectronicMail"),
    vat = vat,
    kvk = kvk,
    company_id = company_id,
    language = nil,
  }
end

local function supplier_of(root)
  local party = root:path("AccountingSupplierParty/Party")
  local iban
  for _, pm in ipairs(root:children_named("PaymentMeans")) do
    iban = text(pm, "PayeeFinancialAccount/ID")
    if iban then iban = iban:gsub("%s", ""):upper() break end
  end
  if not party and not iban then return nil end
  return { name = party and party_name(party), iban = iban, vat = party and vat_number(party) }
end

local function document(root, opts)
  local kind = root.name
  local where = kind
  local d = { where = kind .. "[1]" }
  d.number = text(root, "ID")
  if not d.number then fail(where, "missing cbc:ID (expected the %s number)", kind == "Invoice" and "invoice" or "credit note") end
  d.type_code = text(root, kind == "Invoice" and "InvoiceTypeCode" or "CreditNoteTypeCode")
  d.issue_date = date_at(root, "IssueDate", where, true)
  d.due_date = due_date(root, d.issue_date, where)

  local ccy = text(root, "DocumentCurrencyCode")
  if not ccy then fail(where, "missing DocumentCurrencyCode (expected an ISO 4217 code such as EUR)") end
  if not invoices.currency(ccy) then
    fail(where .. "/DocumentCurrencyCode", "unknown currency '%s' (expected an ISO 4217 code such as EUR)", ccy)
  end
  d.currency = ccy

  local payable = root:path("LegalMonetaryTotal/PayableAmount")
  if not payable or (payable.text or ""):match("^%s*$") then
    fail(where, "missing LegalMonetaryTotal/PayableAmount (expected the amount due)")
  end
  local amount = amount_of(payable, where .. "/LegalMonetaryTotal/PayableAmount", ccy, opts)

  local vat
  for i, tt in ipairs(root:children_named("TaxTotal")) do
    local ta = tt:child("TaxAmount")
    if ta and ta.attrs and ta.attrs.currencyID and ta.attrs.currencyID:match("^%s*(.-)%s*$") == ccy then
      vat = amount_of(ta, string.format("%s/TaxTotal[%d]/TaxAmount", where, i), ccy, opts)
      break
    end
  end

  local credit
  credit, amount, vat = invoices.unsign(kind == "CreditNote", amount, vat)
  d.type = credit and "credit_note" or "invoice"
  d.amount, d.vat = amount, vat
  if credit then d.credited_invoice = text(root, "BillingReference/InvoiceDocumentReference/ID") end

  for _, pm in ipairs(root:children_named("PaymentMeans")) do
    d.reference = text(pm, "PaymentID")
    if d.reference then break end
  end

  local line = root:child(kind == "Invoice" and "InvoiceLine" or "CreditNoteLine")
  d.description = invoices.short(text(line, "Item/Name")) or invoices.short(text(root, "Note"))

  d.debtor = debtor_of(root, where)
  d.supplier = supplier_of(root)
  return d
end

function M.parse(text_in, opts)
  opts = opts or {}
  if type(text_in) ~= "string" then error("ubl: parse expects the file's text (a string)", 0) end
  text_in = text_in:gsub("^\239\187\191", "")
  local ok, root = pcall(owed.xml.parse, text_in)
  if not ok then
    local msg = tostring(root):gsub("^owed%.xml%.parse: ", "")
    error("ubl: the XML is not well-formed: " .. msg, 0)
  end
  -- a Peppol transport envelope (SBDH) around the document
  if root.name == "StandardBusinessDocument" and root.ns == SBDH then
    local inner = root:child("Invoice") or root:child("CreditNote")
    if inner then root = inner end
  end
  if ROOTS[root.name] ~= root.ns then
    fail("root", "<%s> in namespace '%s' (expected <Invoice> in %sInvoice-2 or <CreditNote> in %sCreditNote-2)",
         root.name, tostring(root.ns or ""), NS, NS)
  end
  return { format = "ubl", documents = { document(root, opts) } }
end

-- The UBL namespace of an Invoice or CreditNote near the start of an XML text.
function M.detect(text_in, filename)
  if type(text_in) ~= "string" then return false end
  local head = text_in:sub(1, 65536):gsub("^\239\187\191", "")
  if not head:match("^%s*<") then return false end
  return head:find(ROOTS.Invoice, 1, true) ~= nil or head:find(ROOTS.CreditNote, 1, true) ~= nil
end

return M
