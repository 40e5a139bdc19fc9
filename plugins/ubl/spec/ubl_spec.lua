-- ubl: parse and detect with small hand-written fixtures.
-- Amounts come back from p:call as text ("1210.00 EUR").
local testing = require("owed.testing")

local NS_INV = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
local NS_CN = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

local function ubl(root, ns, body)
  return '<?xml version="1.0" encoding="UTF-8"?>\n<' .. root ..
    ' xmlns="' .. ns .. '"' ..
    ' xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"' ..
    ' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">\n' ..
    body .. '\n</' .. root .. '>\n'
end

local SUPPLIER = [[<cac:AccountingSupplierParty><cac:Party>
  <cbc:EndpointID schemeID="0106">12345678</cbc:EndpointID>
  <cac:PartyName><cbc:Name>Wij BV</cbc:Name></cac:PartyName>
  <cac:PartyTaxScheme><cbc:CompanyID>NL001234567B01</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Wij Holding B.V.</cbc:RegistrationName></cac:PartyLegalEntity>
</cac:Party></cac:AccountingSupplierParty>]]

local BUYER_NL = [[<cac:AccountingCustomerParty><cac:Party>
  <cbc:EndpointID schemeID="0106">87654321</cbc:EndpointID>
  <cac:PartyIdentification><cbc:ID>D-1001</cbc:ID></cac:PartyIdentification>
  <cac:PartyName><cbc:Name>Jansen</cbc:Name></cac:PartyName>
  <cac:PostalAddress><cbc:StreetName>Dorpsstraat 12</cbc:StreetName><cbc:AdditionalStreetName>2e etage</cbc:AdditionalStreetName>
    <cbc:CityName>Utrecht</cbc:CityName><cbc:PostalZone>3511 AB</cbc:PostalZone>
    <cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyTaxScheme><cbc:CompanyID>GST-1</cbc:CompanyID><cac:TaxScheme><cbc:ID>GST</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyTaxScheme><cbc:CompanyID>NL999999999B01</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Jansen Bouw B.V.</cbc:RegistrationName>
    <cbc:CompanyID schemeID="0106">87654321</cbc:CompanyID></cac:PartyLegalEntity>
  <cac:Contact><cbc:Name>P. Jansen</cbc:Name><cbc:ElectronicMail>admin@jansenbouw.example</cbc:ElectronicMail></cac:Contact>
</cac:Party></cac:AccountingCustomerParty>]]

local BUYER_CONSUMER = [[<cac:AccountingCustomerParty><cac:Party>
  <cac:PostalAddress><cbc:StreetName>Kerkplein 1</cbc:StreetName><cbc:CityName>Gent</cbc:CityName>
    <cac:Country><cbc:IdentificationCode>be</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
  <cac:PartyLegalEntity><cbc:RegistrationName>An Peeters</cbc:RegistrationName></cac:PartyLegalEntity>
</cac:Party></cac:AccountingCustomerParty>]]

local function pay(id, iban, extra)
  return '<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>' .. (extra or '') ..
    (id and ('<cbc:PaymentID>' .. id .. '</cbc:PaymentID>') or '') ..
    '<cac:PayeeFinancialAccount><cbc:ID>' .. iban .. '</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>'
end

local function totals(ccy, vat, payable)
  return '<cac:TaxTotal><cbc:TaxAmount currencyID="' .. ccy .. '">' .. vat .. '</cbc:TaxAmount></cac:TaxTotal>' ..
    '<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="' .. ccy .. '">' .. payable ..
    '</cbc:PayableAmount></cac:LegalMonetaryTotal>'
end

local function line(tag, name)
  return '<cac:' .. tag .. '><cbc:ID>1</cbc:ID><cac:Item><cbc:Name>' .. name .. '</cbc:Name></cac:Item></cac:' .. tag .. '>'
end

-- an invoice with everything a Dutch B2B invoice carries
local function invoice(o)
  o = o or {}
  return ubl("Invoice", NS_INV,
    '<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>' ..
    '<cbc:ID>' .. (o.id or 'F2026-001') .. '</cbc:ID>' ..
    '<cbc:IssueDate>' .. (o.issue or '2026-03-01') .. '</cbc:IssueDate>' ..
    (o.due == false and '' or ('<cbc:DueDate>' .. (o.due or '2026-03-31') .. '</cbc:DueDate>')) ..
    '<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>' ..
    '<cbc:Note>' .. (o.note or 'Onderhoud maart') .. '</cbc:Note>' ..
    '<cbc:DocumentCurrencyCode>' .. (o.ccy or 'EUR') .. '</cbc:DocumentCurrencyCode>' ..
    (o.billing or '') ..
    SUPPLIER .. (o.buyer or BUYER_NL) ..
    (o.pay or pay('1234567890123456', 'NL91 ABNA 0417 1643 00')) ..
    (o.terms or '') ..
    (o.totals or totals(o.ccy or 'EUR', o.vat or '210.00', o.payable or '1210.00')) ..
    (o.lines or line('InvoiceLine', 'Onderhoud installatie'))
  )
end

describe("ubl", function()
  local p
  before_each(function() p = testing.plugin("ubl") end)

  -- the plugin's own message, without the host's report around it
  local function failure(text, opts)
    local ok, err = pcall(p.call, p, "parse", text, opts)
    assert.is_false(ok)
    p:reload()        -- five failures in a row would disable the plugin
    local msg = tostring(err):gsub("^plugin ubl, hook parse %b(): ", "")
    return (msg:gsub("\nstack traceback:.*$", ""))
  end

  local function one(text, opts)
    local r = p:call("parse", text, opts)
    assert.are.equal("ubl", r.format)
    assert.are.equal(1, #r.documents)
    return r.documents[1]
  end

  it("reads an invoice: number, dates, amounts, reference, debtor and supplier", function()
    local d = one(invoice())
    assert.are.equal("invoice", d.type)
    assert.are.equal("380", d.type_code)
    assert.are.equal("F2026-001", d.number)
    assert.are.equal("2026-03-01", d.issue_date)
    assert.are.equal("2026-03-31", d.due_date)
    assert.are.equal("EUR", d.currency)
    assert.are.equal("1210.00 EUR", d.amount)
    assert.are.equal("210.00 EUR", d.vat)
    assert.are.equal("1234567890123456", d.reference)
    assert.are.equal("Onderhoud installatie", d.description)
    assert.is_nil(d.credited_invoice)
    assert.are.equal("Invoice[1]", d.where)
    assert.are.same({
      number = "D-1001", name = "Jansen Bouw B.V.", kind = "business", country = "NL",
      address = "Dorpsstraat 12\n2e etage\n3511 AB Utrecht", email = "admin@jansenbouw.example",
      vat = "NL999999999B01", kvk = "87654321", company_id = "87654321",
    }, d.debtor)
    assert.are.same({ name = "Wij Holding B.V.", iban = "NL91ABNA0417164300", vat = "NL001234567B01" }, d.supplier)
  end)

  it("reads a consumer buyer with no identifiers", function()
    local d = one(invoice{ buyer = BUYER_CONSUMER })
    assert.are.same({ name = "An Peeters", kind = "consumer", country = "BE",
                      address = "Kerkplein 1\nGent" }, d.debtor)
  end)

  it("takes the debtor number from EndpointID, then the VAT number, then the legal CompanyID", function()
    local function buyer(inner)
      return '<cac:AccountingCustomerParty><cac:Party>' .. inner .. '</cac:Party></cac:AccountingCustomerParty>'
    end
    local vat = '<cac:PartyTaxScheme><cbc:CompanyID>BE0123456789</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>'
    local legal = '<cac:PartyLegalEntity><cbc:RegistrationName>X</cbc:RegistrationName><cbc:CompanyID schemeID="0208">0123456789</cbc:CompanyID></cac:PartyLegalEntity>'
    local d = one(invoice{ buyer = buyer('<cbc:EndpointID schemeID="0208">0123456789</cbc:EndpointID>' .. vat .. legal) })
    assert.are.equal("0123456789", d.debtor.number)
    assert.are.equal("BE0123456789", d.debtor.vat)
    assert.are.equal("0123456789", d.debtor.company_id)
    assert.is_nil(d.debtor.kvk)                       -- 0208 is the Belgian KBO, not a KvK number
    d = one(invoice{ buyer = buyer(vat .. legal) })
    assert.are.equal("BE0123456789", d.debtor.number)
    d = one(invoice{ buyer = buyer(legal) })
    assert.are.equal("0123456789", d.debtor.number)
    assert.are.equal("business", d.debtor.kind)
    -- an ISO 6523 endpoint alone identifies an organisation
    d = one(invoice{ buyer = buyer('<cbc:EndpointID schemeID="0088">8712345000004</cbc:EndpointID><cac:PartyName><cbc:Name>Winkel</cbc:Name></cac:PartyName>') })
    assert.are.same({ number = "8712345000004", name = "Winkel", kind = "business" }, d.debtor)
    -- a legal CompanyID without scheme is a KvK number for a buyer in NL
    d = one(invoice{ buyer = buyer('<cac:PostalAddress><cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country></cac:PostalAddress>' ..
      '<cac:PartyLegalEntity><cbc:RegistrationName>Y</cbc:RegistrationName><cbc:CompanyID>11223344</cbc:CompanyID></cac:PartyLegalEntity>') })
    assert.are.equal("11223344", d.debtor.kvk)
  end)

  it("reads a credit note with its credited invoice and PaymentMeans/PaymentDueDate", function()
    local x = ubl("CreditNote", NS_CN,
      '<cbc:ID>C2026-007</cbc:ID><cbc:IssueDate>2026-04-02</cbc:IssueDate>' ..
      '<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>' ..
      '<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>F2026-001</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>' ..
      SUPPLIER .. BUYER_NL ..
      pay(nil, 'NL91ABNA0417164300', '<cbc:PaymentDueDate>2026-04-16</cbc:PaymentDueDate>') ..
      totals('EUR', '21', '121') .. line('CreditNoteLine', 'Retour'))
    local d = one(x)
    assert.are.equal("credit_note", d.type)
    assert.are.equal("381", d.type_code)
    assert.are.equal("C2026-007", d.number)
    assert.are.equal("2026-04-02", d.issue_date)
    assert.are.equal("2026-04-16", d.due_date)
    assert.are.equal("121.00 EUR", d.amount)
    assert.are.equal("21.00 EUR", d.vat)
    assert.are.equal("F2026-001", d.credited_invoice)
    assert.is_nil(d.reference)
    assert.are.equal("Retour", d.description)
    assert.are.equal("CreditNote[1]", d.where)
  end)

  it("turns a negative invoice into a credit note with positive amounts", function()
    local d = one(invoice{ id = "F2026-009", vat = "-21.00", payable = "-121.00",
      billing = '<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>F2026-001</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>' })
    assert.are.equal("credit_note", d.type)
    assert.are.equal("F2026-009", d.number)
    assert.are.equal("121.00 EUR", d.amount)
    assert.are.equal("21.00 EUR", d.vat)
    assert.are.equal("F2026-001", d.credited_invoice)
    -- a zero invoice stays an invoice
    d = one(invoice{ vat = "0", payable = "0.00" })
    assert.are.equal("invoice", d.type)
    assert.are.equal("0.00 EUR", d.amount)
  end)

  it("takes the due date from payment terms only when they say nothing but a number of days", function()
    local function terms(note) return '<cac:PaymentTerms><cbc:Note>' .. note .. '</cbc:Note></cac:PaymentTerms>' end
    assert.are.equal("2026-03-31", one(invoice{ due = false, terms = terms("30dagen") }).due_date)
    assert.are.equal("2026-03-15", one(invoice{ due = false, terms = terms("Payment within 14 days.") }).due_date)
    assert.are.equal("2026-03-09", one(invoice{ due = false, terms = terms("Betaling binnen 8 dagen") }).due_date)
    assert.are.equal("2026-03-31", one(invoice{ due = false, terms = terms("Net 30") }).due_date)
    assert.is_nil(one(invoice{ due = false, terms = terms("Payment within 10 days, 2% discount") }).due_date)
    assert.is_nil(one(invoice{ due = false }).due_date)
    -- an explicit DueDate wins over the terms
    assert.are.equal("2026-03-31", one(invoice{ terms = terms("8 dagen") }).due_date)
    -- PaymentTerms/PaymentDueDate
    assert.are.equal("2026-05-01", one(invoice{ due = false,
      terms = '<cac:PaymentTerms><cbc:PaymentDueDate>2026-05-01</cbc:PaymentDueDate></cac:PaymentTerms>' }).due_date)
  end)

  it("takes the VAT in the document currency when there is a second TaxTotal in the tax currency", function()
    local d = one(invoice{ totals =
      '<cac:TaxTotal><cbc:TaxAmount currencyID="SEK">2400.00</cbc:TaxAmount></cac:TaxTotal>' ..
      '<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">210.00</cbc:TaxAmount></cac:TaxTotal>' ..
      '<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">1210.00</cbc:PayableAmount></cac:LegalMonetaryTotal>' })
    assert.are.equal("210.00 EUR", d.vat)
    d = one(invoice{ totals = '<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">10</cbc:PayableAmount></cac:LegalMonetaryTotal>' })
    assert.is_nil(d.vat)
    assert.are.equal("10.00 EUR", d.amount)
  end)

  it("reads other currencies exactly: JPY without decimals, extra zero decimals", function()
    local d = one(invoice{ ccy = "JPY", vat = "1000", payable = "11000" })
    assert.are.equal("11000 JPY", d.amount)
    d = one(invoice{ payable = "1210.000", vat = "210.0" })
    assert.are.equal("1210.00 EUR", d.amount)
    assert.are.equal("210.00 EUR", d.vat)
  end)

  it("falls back to the Note for the description and trims it to 160 characters", function()
    local d = one(invoice{ lines = '', note = "  Onderhoud\n  maart  " })
    assert.are.equal("Onderhoud maart", d.description)
    local long = string.rep("é", 170)
    d = one(invoice{ lines = line('InvoiceLine', long) })
    assert.are.equal(string.rep("é", 160), d.description)
    assert.are.equal(160, utf8.len(d.description))
  end)

  it("reads a prefixed root, CRLF, a BOM and a Peppol SBDH envelope", function()
    local x = invoice():gsub('<Invoice xmlns="', '<doc:Invoice xmlns:doc="'):gsub("</Invoice>", "</doc:Invoice>")
    x = "\239\187\191" .. x:gsub("\n", "\r\n")
    local d = one(x)
    assert.are.equal("F2026-001", d.number)
    assert.are.equal("1210.00 EUR", d.amount)
    local sbd = '<StandardBusinessDocument xmlns="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">' ..
      '<StandardBusinessDocumentHeader><HeaderVersion>1.0</HeaderVersion></StandardBusinessDocumentHeader>' ..
      invoice():gsub("^<%?xml[^>]*>", "") .. '</StandardBusinessDocument>'
    d = one(sbd)
    assert.are.equal("F2026-001", d.number)
  end)

  it("refuses a truncated document", function()
    local cut = '<?xml version="1.0"?>\n<Invoice xmlns="' .. NS_INV .. '">\n  <ID>F1</ID>\n  <IssueDate>2026-03-0'
    assert.are.equal("ubl: the XML is not well-formed: no element found at line 4 column 23", failure(cut))
    assert.are.equal("ubl: the XML is not well-formed: no element found at line 1 column 1", failure(""))
  end)

  it("refuses another root element or namespace, naming what it found", function()
    assert.are.equal("ubl: root: <Document> in namespace 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02' " ..
      "(expected <Invoice> in urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 or " ..
      "<CreditNote> in urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2)",
      failure('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>'))
    assert.are.equal("ubl: root: <Invoice> in namespace 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2' " ..
      "(expected <Invoice> in urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 or " ..
      "<CreditNote> in urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2)",
      failure(ubl("Invoice", NS_CN, "<cbc:ID>1</cbc:ID>")))
    assert.are.equal("ubl: root: <Invoice> in namespace '' " ..
      "(expected <Invoice> in urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 or " ..
      "<CreditNote> in urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2)",
      failure("<Invoice><ID>1</ID></Invoice>"))
  end)

  it("refuses an unknown currency", function()
    assert.are.equal("ubl: Invoice/DocumentCurrencyCode: unknown currency 'XYZ' (expected an ISO 4217 code such as EUR)",
                     failure(invoice{ ccy = "XYZ" }))
    assert.are.equal("ubl: Invoice/DocumentCurrencyCode: unknown currency 'euro' (expected an ISO 4217 code such as EUR)",
                     failure(invoice{ ccy = "euro" }))
    assert.are.equal("ubl: Invoice/LegalMonetaryTotal/PayableAmount: currencyID 'USD' differs from " ..
                     "DocumentCurrencyCode 'EUR' (expected the document currency)",
                     failure(invoice{ totals = totals("USD", "1.00", "2.00") }))
  end)

  it("refuses a date that does not exist", function()
    assert.are.equal("ubl: Invoice/IssueDate: '2026-02-30' is not a date that exists (expected YYYY-MM-DD)",
                     failure(invoice{ issue = "2026-02-30" }))
    assert.are.equal("ubl: Invoice/DueDate: '31-03-2026' is not a date that exists (expected YYYY-MM-DD)",
                     failure(invoice{ due = "31-03-2026" }))
    -- a time zone on the date is allowed
    assert.are.equal("2026-03-01", one(invoice{ issue = "2026-03-01+01:00" }).issue_date)
  end)

  it("refuses missing fields and inexact amounts, naming the place", function()
    assert.are.equal("ubl: Invoice: missing IssueDate (expected a date YYYY-MM-DD)",
                     failure(ubl("Invoice", NS_INV, "<cbc:ID>1</cbc:ID>")))
    assert.are.equal("ubl: Invoice: missing cbc:ID (expected the invoice number)",
                     failure(ubl("Invoice", NS_INV, "<cbc:IssueDate>2026-03-01</cbc:IssueDate>")))
    assert.are.equal("ubl: Invoice: missing DocumentCurrencyCode (expected an ISO 4217 code such as EUR)",
                     failure(ubl("Invoice", NS_INV, "<cbc:ID>1</cbc:ID><cbc:IssueDate>2026-03-01</cbc:IssueDate>")))
    assert.are.equal("ubl: Invoice: missing LegalMonetaryTotal/PayableAmount (expected the amount due)",
                     failure(invoice{ totals = "" }))
    assert.are.equal("ubl: Invoice: missing AccountingCustomerParty/Party (expected the buyer, who is the debtor)",
                     failure(invoice{ buyer = "" }))
    assert.are.equal("ubl: Invoice/LegalMonetaryTotal/PayableAmount: amount '1210.005' has 3 decimals, " ..
                     "EUR has 2 (give opts.round to round half up)", failure(invoice{ payable = "1210.005" }))
    assert.are.equal("1210.01 EUR", one(invoice{ payable = "1210.005" }, { round = true }).amount)
    assert.are.equal("ubl: Invoice/LegalMonetaryTotal/PayableAmount: '1.210,00' is not an amount " ..
                     "(expected digits with an optional decimal point)", failure(invoice{ payable = "1.210,00" }))
    assert.are.equal("ubl: Invoice/TaxTotal[1]/TaxAmount: '' is not an amount (expected digits with an optional decimal point)",
                     failure(invoice{ vat = "" }))
    assert.are.equal("ubl: Invoice/LegalMonetaryTotal/PayableAmount: no currencyID attribute (expected currencyID=\"EUR\")",
                     failure(invoice{ totals = '<cac:LegalMonetaryTotal><cbc:PayableAmount>5</cbc:PayableAmount></cac:LegalMonetaryTotal>' }))
    assert.are.equal("ubl: parse expects the file's text (a string)", failure(nil))
  end)

  it("detects UBL invoices and credit notes, nothing else", function()
    assert.is_true(p:call("detect", invoice(), "F2026-001.xml"))
    assert.is_true(p:call("detect", ubl("CreditNote", NS_CN, ""), "c.xml"))
    assert.is_false(p:call("detect", '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>', "s.xml"))
    assert.is_false(p:call("detect", "factuurnummer;bedrag\nF1;12,50\n", "f.csv"))
    assert.is_false(p:call("detect", "", "empty.xml"))
  end)
end)
