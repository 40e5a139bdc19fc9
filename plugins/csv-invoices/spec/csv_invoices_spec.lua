-- csv-invoices: parse and detect with small hand-written CSV files.
-- Amounts come back from p:call as text ("1234.56 EUR").
local testing = require("owed.testing")

local BOM = "\239\187\191"

-- a Dutch export: BOM, CRLF, ';', a quoted name with the delimiter, a description with a
-- doubled quote and a line break, a negative amount, an empty VAT
local DUTCH = BOM ..
  "Factuurnummer;Debiteurnummer;Naam;Factuurdatum;Vervaldatum;Bedrag;BTW;Betalingskenmerk;Omschrijving;E-mail;Land;BTW-nummer\r\n" ..
  'F2026-001;D100;"Jansen; Zn B.V.";01-03-2026;31-03-2026;"1.234,56";214,26;1234567890123456;' ..
    '"Onderhoud ""maart""\r\nen april";admin@jansen.example;NL;NL999999999B01\r\n' ..
  "F2026-002;D101;A. Peeters;2-3-2026;;-12,50;-2,17;;Retour;;België;\r\n" ..
  "\r\n" ..
  ";;;;;;;;;;;\r\n" ..
  "F2026-003;D100;Jansen; Zn B.V.;;;0,00;;;;;;\r\n"

describe("csv-invoices", function()
  local p
  -- with {}: testing.plugin without a config keeps the one of the last load
  before_each(function() p = testing.plugin("csv-invoices", {}) end)

  -- the plugin's own message, without the host's report around it
  local function failure(text, opts, plugin)
    local q = plugin or p
    local ok, err = pcall(q.call, q, "parse", text, opts)
    assert.is_false(ok)
    q:reload()        -- five failures in a row would disable the plugin
    local msg = tostring(err):gsub("^plugin csv%-invoices, hook parse %b(): ", "")
    return (msg:gsub("\nstack traceback:.*$", ""))
  end

  it("reads a Dutch export: quoting, BOM, CRLF, negative amounts, blank lines", function()
    local text = DUTCH:gsub("F2026%-003;D100;Jansen; Zn B%.V%.;;;0,00;;;;;;\r\n$", "")
    local r = p:call("parse", text)
    assert.are.equal("csv", r.format)
    assert.are.equal(2, #r.documents)
    local a, b = r.documents[1], r.documents[2]
    assert.are.equal("invoice", a.type)
    assert.are.equal("F2026-001", a.number)
    assert.are.equal("2026-03-01", a.issue_date)
    assert.are.equal("2026-03-31", a.due_date)
    assert.are.equal("EUR", a.currency)
    assert.are.equal("1234.56 EUR", a.amount)
    assert.are.equal("214.26 EUR", a.vat)
    assert.are.equal("1234567890123456", a.reference)
    assert.are.equal('Onderhoud "maart" en april', a.description)
    assert.is_nil(a.credited_invoice)
    assert.are.equal("line 2", a.where)
    assert.are.same({ number = "D100", name = "Jansen; Zn B.V.", kind = "business", country = "NL",
                      email = "admin@jansen.example", vat = "NL999999999B01" }, a.debtor)
    assert.is_nil(a.supplier)

    assert.are.equal("credit_note", b.type)
    assert.are.equal("F2026-002", b.number)
    assert.are.equal("line 4", b.where)                -- the description of line 2 took two lines
    assert.are.equal("2026-03-02", b.issue_date)
    assert.is_nil(b.due_date)
    assert.are.equal("12.50 EUR", b.amount)
    assert.are.equal("2.17 EUR", b.vat)
    assert.is_nil(b.reference)
    assert.are.equal("Retour", b.description)
    assert.are.same({ number = "D101", name = "A. Peeters", kind = "consumer", country = "BE" }, b.debtor)
  end)

  it("reads an English export with commas, 1,234.56, ISO dates and a currency column", function()
    local text = "Invoice Number,Customer Number,Customer Name,Invoice Date,Due Date,Amount,VAT,Currency," ..
                 "Payment Reference,Description,Email,Country\n" ..
                 'INV-7,C-9,"Smith, J.",2026-03-05,2026-04-04,"1,234.50",214.26,usd,RF18539007547034,' ..
                   'Consulting,j@smith.example,gb\n' ..
                 "INV-8,C-9,\"Smith, J.\",2026-03-06,,99,,EUR,,,,\n"
    local r = p:call("parse", text)
    local a, b = r.documents[1], r.documents[2]
    assert.are.equal("INV-7", a.number)
    assert.are.equal("2026-03-05", a.issue_date)
    assert.are.equal("2026-04-04", a.due_date)
    assert.are.equal("USD", a.currency)
    assert.are.equal("1234.50 USD", a.amount)
    assert.are.equal("214.26 USD", a.vat)
    assert.are.equal("RF18539007547034", a.reference)
    assert.are.same({ number = "C-9", name = "Smith, J.", email = "j@smith.example", country = "GB" }, a.debtor)
    assert.are.equal("99.00 EUR", b.amount)
    assert.is_nil(b.vat)
  end)

  it("reads tab-separated files and JPY without decimals", function()
    local text = "invoice\tcustomer no\tdate\ttotal\tcurrency\nJ-1\tK1\t2026-03-01\t12000\tJPY\n"
    local d = p:call("parse", text).documents[1]
    assert.are.equal("12000 JPY", d.amount)
    assert.are.equal("K1", d.debtor.number)
  end)

  it("maps columns from the settings and from opts, and reads the settings' formats", function()
    local q = testing.plugin("csv-invoices", {
      columns = { number = "Fact.nr", debtor_number = "Relatie", amount = "Totaal incl.", issue_date = "Datum fact." },
      delimiter = "|", decimal = ",", date_format = "dd/mm/yyyy", currency = "GBP" })
    local text = "Fact.nr|Relatie|Datum fact.|Totaal incl.|Totaal excl.\n2026/0001|R1|01/03/2026|1.000|826,45\n"
    local d = q:call("parse", text).documents[1]
    assert.are.equal("2026/0001", d.number)
    assert.are.equal("R1", d.debtor.number)
    assert.are.equal("2026-03-01", d.issue_date)
    assert.are.equal("1000.00 GBP", d.amount)       -- decimal = "," makes 1.000 one thousand
    assert.are.equal("GBP", d.currency)
    -- opts override the settings for one call
    d = q:call("parse", "Fact.nr;Relatie;Datum fact.;Totaal incl.\n7;R1;2026-03-01;1,000\n",
               { delimiter = ";", decimal = ".", date_format = "yyyy-mm-dd", currency = "EUR" }).documents[1]
    assert.are.equal("1000.00 EUR", d.amount)
    assert.are.equal("2026-03-01", d.issue_date)
    -- a mapped header is matched case-insensitively and trimmed; it wins over the usual one
    p = testing.plugin("csv-invoices", {})
    d = p:call("parse", "Factuurnummer;Nummer; Klant ;Datum;Bedrag\nX;F9;K;2026-03-01;5\n",
               { columns = { number = " nummer", name = "KLANT" } }).documents[1]
    assert.are.equal("F9", d.number)
    assert.are.equal("K", d.debtor.name)
  end)

  -- one invoice with amount a (and more lines, each "number;amount")
  local function amounts(a, more, opts)
    local text = "factuurnummer;naam;factuurdatum;bedrag\nA;X;2026-03-01;" .. a .. "\n"
    for i, m in ipairs(more or {}) do text = text .. "M" .. i .. ";X;2026-03-01;" .. m .. "\n" end
    local r = p:call("parse", text, opts)
    local d = r.documents[1]
    return d.amount, d.type
  end

  it("reads every usual way of writing an amount, exactly", function()
    assert.are.same({ "1234.56 EUR", "invoice" }, { amounts("1.234,56") })
    assert.are.same({ "1234.56 EUR", "invoice" }, { amounts("1234,56") })
    assert.are.same({ "1234.56 EUR", "invoice" }, { amounts("1234.56") })
    assert.are.same({ "1234.56 EUR", "invoice" }, { amounts("1,234.56") })
    assert.are.same({ "1234567.89 EUR", "invoice" }, { amounts("1.234.567,89") })
    assert.are.same({ "12.50 EUR", "credit_note" }, { amounts("-12,50") })
    assert.are.same({ "12.50 EUR", "credit_note" }, { amounts("12,50-") })
    assert.are.same({ "12.50 EUR", "invoice" }, { amounts("€ 12,50") })
    assert.are.same({ "12.50 EUR", "invoice" }, { amounts("€12.50") })
    assert.are.same({ "12.50 EUR", "credit_note" }, { amounts("€ -12,50") })
    assert.are.same({ "12.50 EUR", "credit_note" }, { amounts("-€ 12,50") })
    assert.are.same({ "1234.56 EUR", "invoice" }, { amounts("1 234,56") })
    assert.are.same({ "1234.56 EUR", "invoice" }, { amounts("1\194\160234,56") })   -- no-break space
    assert.are.same({ "1234567.00 EUR", "invoice" }, { amounts("1.234.567") })     -- grouping only
    assert.are.same({ "0.50 EUR", "invoice" }, { amounts(",5") })
    assert.are.same({ "7.00 EUR", "invoice" }, { amounts("7") })
    assert.are.same({ "0.00 EUR", "invoice" }, { amounts("0,00") })
    assert.are.same({ "12.30 EUR", "invoice" }, { amounts("12,300", { "1,5" }) })      -- zero extra decimals
    -- opts.round for a real third decimal
    assert.are.same({ "12.35 EUR", "invoice" }, { amounts("12,345", { "1,5" }, { round = true }) })
  end)

  it("reads 1.234 by what the other amounts in the file show", function()
    assert.are.same({ "1234.00 EUR", "invoice" }, { amounts("1.234", { "12,50" }) })
    assert.are.same({ "1234.00 EUR", "invoice" }, { amounts("1,234", { "12.50" }) })
    assert.are.same({ "1234.00 EUR", "invoice" }, { amounts("1.234", { "5.678.901" }) })
    assert.are.same({ "1234.00 EUR", "invoice" }, { amounts("1.234", nil, { decimal = "," }) })
    assert.are.same({ "1234.00 EUR", "invoice" }, { amounts("1,234", nil, { decimal = "." }) })
  end)

  it("refuses an ambiguous amount and asks for the decimal setting", function()
    local text = "factuurnummer;naam;factuurdatum;bedrag\nA;X;2026-03-01;7\nB;X;2026-03-01;1.234\n"
    assert.are.equal("csv-invoices: line 3, column \"bedrag\": '1.234' could be 1234 (a thousands separator) " ..
                     "or 1.234 (a decimal separator) and no other amount in the file tells " ..
                     "(expected the decimal setting: decimal = \",\" or \".\")", failure(text))
    local mixed = "factuurnummer;naam;factuurdatum;bedrag\nA;X;2026-03-01;12,50\nB;X;2026-03-01;1,234.00\n"
    assert.are.equal("csv-invoices: line 3, column \"bedrag\": '1,234.00' has a decimal point, but '12,50' " ..
                     "on line 2 has a decimal comma (expected one decimal separator in the file; " ..
                     "set decimal = \",\" or \".\")", failure(mixed))
  end)

  it("refuses what is not an amount, naming the line and the column", function()
    local function bad(a, opts)
      return failure("factuurnummer;naam;factuurdatum;bedrag\nA;X;2026-03-01;12,50\n" ..
                     "B;X;2026-03-01;" .. a .. "\n", opts)
    end
    assert.are.equal("csv-invoices: line 3, column \"bedrag\": '12,3,4' is not an amount (expected 1234,56 or 1234.56)",
                     bad("12,3,4"))
    assert.are.equal("csv-invoices: line 3, column \"bedrag\": 'twaalf' is not an amount (expected 1234,56 or 1234.56)",
                     bad("twaalf"))
    assert.are.equal("csv-invoices: line 3, column \"bedrag\": '1234.56' is not an amount (expected 1234,56 or 1.234,56)",
                     bad("1234.56", { decimal = "," }))
    assert.are.equal("csv-invoices: line 3, column \"bedrag\": amount '12,345' has 3 decimals, EUR has 2 " ..
                     "(give opts.round to round half up)", bad("12,345"))
    assert.are.equal("csv-invoices: line 3, column \"bedrag\": empty (expected the amount)", bad(""))
    assert.are.equal("csv-invoices: line 2, column \"bedrag\": '€ 5,00' is in euro, the currency is USD",
                     failure("factuurnummer;naam;factuurdatum;bedrag;valuta\nA;X;2026-03-01;€ 5,00;USD\n"))
  end)

  it("refuses an unknown currency", function()
    assert.are.equal("csv-invoices: line 2, column \"valuta\": unknown currency 'XYZ' " ..
                     "(expected an ISO 4217 code such as EUR)",
                     failure("factuurnummer;naam;factuurdatum;bedrag;valuta\nA;X;2026-03-01;5,00;XYZ\n"))
    assert.are.equal("csv-invoices: setting currency: unknown currency 'EURO' (expected an ISO 4217 code such as EUR)",
                     failure("factuurnummer;naam;factuurdatum;bedrag\nA;X;2026-03-01;5,00\n", { currency = "EURO" }))
  end)

  it("reads dates in every format and refuses one that does not exist", function()
    local function date(v, opts)
      return p:call("parse", "factuurnummer;naam;factuurdatum;bedrag\nA;X;" .. v .. ";5\n", opts).documents[1].issue_date
    end
    assert.are.equal("2026-03-01", date("2026-03-01"))
    assert.are.equal("2026-03-01", date("01-03-2026"))
    assert.are.equal("2026-03-01", date("1-3-2026"))
    assert.are.equal("2026-03-01", date("01.03.2026"))
    assert.are.equal("2026-03-01", date("01/03/2026"))
    assert.are.equal("2026-03-01", date("20260301"))
    assert.are.equal("2026-03-01", date("01-03-2026 00:00"))
    assert.are.equal("2026-03-01", date("2026-03-01T00:00:00"))
    local function bad(v, opts)
      return failure("factuurnummer;naam;factuurdatum;bedrag\nA;X;" .. v .. ";5\n", opts)
    end
    assert.are.equal("csv-invoices: line 2, column \"factuurdatum\": '2026-02-30' is not a date that exists " ..
                     "(expected yyyy-mm-dd)", bad("2026-02-30"))
    assert.are.equal("csv-invoices: line 2, column \"factuurdatum\": '30-02-2026' is not a date that exists " ..
                     "(expected dd-mm-yyyy)", bad("30-02-2026"))
    assert.are.equal("csv-invoices: line 2, column \"factuurdatum\": '03/25/2026' is not a date that exists " ..
                     "(expected dd/mm/yyyy)", bad("03/25/2026"))
    assert.are.equal("csv-invoices: line 2, column \"factuurdatum\": '1-3-26' is not a date " ..
                     "(expected dd-mm-yyyy, yyyy-mm-dd or dd/mm/yyyy)", bad("1-3-26"))
    assert.are.equal("csv-invoices: line 2, column \"factuurdatum\": '2026-03-01' is not a date " ..
                     "(expected dd-mm-yyyy)", bad("2026-03-01", { date_format = "dd-mm-yyyy" }))
    assert.are.equal("csv-invoices: line 2, column \"factuurdatum\": empty (expected the invoice date)", bad(""))
  end)

  it("refuses a line with too few or too many fields", function()
    local head = "factuurnummer;naam;factuurdatum;bedrag;omschrijving\nA;X;2026-03-01;5;ok\n"
    assert.are.equal("csv-invoices: line 3: 3 fields, the header has 5 (expected 5 fields separated by \";\")",
                     failure(head .. "B;X;2026-03-01\n"))
    assert.are.equal("csv-invoices: line 3: 6 fields, the header has 5 (expected 5 fields separated by \";\"; " ..
                     "quote a field that contains the delimiter)", failure(head .. "B;X;2026-03-01;5;a;b\n"))
    assert.are.equal("csv-invoices: line 2: 3 fields, the header has 4 (expected 4 fields separated by tabs)",
                     failure("invoice\tcustomer no\tdate\tamount\nA\tK\t2026-03-01\n"))
    -- empty fields past the header's width are a trailing delimiter, not data
    local r = p:call("parse", head .. "B;X;2026-03-01;5;;;\n")
    assert.are.equal(2, #r.documents)
  end)

  it("refuses broken quoting", function()
    assert.are.equal("csv-invoices: line 3: field 5 opens a quote that is never closed (expected a closing \")",
                     failure('factuurnummer;naam;factuurdatum;bedrag;omschrijving\nA;X;2026-03-01;5;ok\nB;X;2026-03-01;5;"half\n'))
    assert.are.equal("csv-invoices: line 2: field 2 has text after its closing quote (expected \";\" or the end of the line)",
                     failure('factuurnummer;naam;factuurdatum;bedrag\nA;"X" Y;2026-03-01;5\n'))
  end)

  it("refuses a header it cannot map, naming what to set", function()
    assert.are.equal("csv-invoices: line 1: no column for the amount (expected a header such as \"bedrag\" " ..
                     "or \"amount\", or set columns.amount)", failure("factuurnummer;naam;factuurdatum;prijs\nA;X;2026-03-01;5\n"))
    assert.are.equal("csv-invoices: line 1: no column for the debtor (expected a header such as \"debiteurnummer\", " ..
                     "\"customer number\", \"naam\" or \"name\", or set columns.debtor_number or columns.name)",
                     failure("factuurnummer;factuurdatum;bedrag\nA;2026-03-01;5\n"))
    assert.are.equal("csv-invoices: line 1: columns \"Bedrag\" and \"Totaal\" both look like the amount " ..
                     "(expected one; set columns.amount)",
                     failure("Factuurnummer;Naam;Datum;Bedrag;Totaal\nA;X;2026-03-01;5;5\n"))
    assert.are.equal("csv-invoices: line 1: no column \"Fact nr\" for columns.number (the header has \"nr\", " ..
                     "\"naam\", \"datum\", \"bedrag\")",
                     failure("nr;naam;datum;bedrag\n1;X;2026-03-01;5\n", { columns = { number = "Fact nr" } }))
    assert.are.equal("csv-invoices: line 1: the header has no ; , or tab between column names " ..
                     "(expected a header line; set delimiter if the file uses another)", failure("factuurnummer\nA\n"))
    assert.are.equal("csv-invoices: line 1: the file is empty (expected a header line and one line per invoice)",
                     failure(BOM .. "\r\n", { delimiter = ";" }))
  end)

  it("refuses settings it does not know", function()
    local text = "factuurnummer;naam;factuurdatum;bedrag\nA;X;2026-03-01;5\n"
    assert.are.equal("csv-invoices: setting decimal: 'komma' (expected \"auto\", \",\" or \".\")",
                     failure(text, { decimal = "komma" }))
    assert.are.equal("csv-invoices: setting date_format: 'mm/dd/yyyy' (expected \"auto\", \"dd-mm-yyyy\", " ..
                     "\"yyyy-mm-dd\" or \"dd/mm/yyyy\")", failure(text, { date_format = "mm/dd/yyyy" }))
    assert.are.equal("csv-invoices: setting delimiter: ':' (expected \"auto\", \";\", \",\", \"tab\" or \"|\")",
                     failure(text, { delimiter = ":" }))
    assert.are.equal("csv-invoices: setting columns: 'bedragen' is not a field (expected one of number, type, " ..
                     "issue_date, due_date, terms_days, amount, vat, currency, reference, description, " ..
                     "credited_invoice, debtor_number, name, kind, email, country, address, street, " ..
                     "house_number, postal_code, city, vat_number, kvk, company_id)",
                     failure(text, { columns = { bedragen = "x" } }))
  end)

  it("refuses the same invoice number twice", function()
    assert.are.equal("csv-invoices: line 4: invoice number \"A\" again, first on line 2 (expected one line per invoice)",
                     failure("factuurnummer;naam;factuurdatum;bedrag\nA;X;2026-03-01;5\nB;X;2026-03-01;5\nA;X;2026-03-02;6\n"))
  end)

  it("reads a type column, credited invoices, kinds, terms, addresses and long descriptions", function()
    local text = "Factuurnummer;Soort;Gecrediteerde factuur;Klantnummer;Naam;Klanttype;Straat;Huisnummer;" ..
                 "Postcode;Plaats;Factuurdatum;Betalingstermijn;Bedrag;Omschrijving\n" ..
                 "C1;Creditnota;F9;K1;Bakker;zakelijk;Markt;1a;1234 AB;Delft;2026-03-01;14 dagen;-50,00;" ..
                   string.rep("x", 200) .. "\n" ..
                 "C2;credit note;F8;K2;Smit;Particulier;;;;Leiden;2026-03-01;30;50,00;\n" ..
                 "F3;factuur;F1;K3;Vos;;Dorp 1;;;;2026-03-01;;50,00;\n"
    local r = p:call("parse", text)
    local a, b, c = r.documents[1], r.documents[2], r.documents[3]
    assert.are.equal("credit_note", a.type)
    assert.are.equal("50.00 EUR", a.amount)           -- a credit note written negative
    assert.are.equal("F9", a.credited_invoice)
    assert.are.equal("2026-03-15", a.due_date)
    assert.are.equal(string.rep("x", 160), a.description)
    assert.are.same({ number = "K1", name = "Bakker", kind = "business", address = "Markt 1a\n1234 AB Delft" }, a.debtor)
    assert.are.equal("credit_note", b.type)
    assert.are.equal("50.00 EUR", b.amount)
    assert.are.equal("2026-03-31", b.due_date)
    assert.are.same({ number = "K2", name = "Smit", kind = "consumer", address = "Leiden" }, b.debtor)
    assert.are.equal("invoice", c.type)
    assert.is_nil(c.credited_invoice)                 -- only credit notes credit an invoice
    assert.are.same({ number = "K3", name = "Vos", address = "Dorp 1" }, c.debtor)
    assert.are.equal("csv-invoices: line 2, column \"Soort\": 'offerte' is not a document type " ..
                     "(expected factuur/invoice or creditnota/credit note)",
                     failure("Factuurnummer;Soort;Naam;Factuurdatum;Bedrag\nQ1;offerte;X;2026-03-01;5\n"))
    assert.are.equal("csv-invoices: line 2, column \"land\": 'Holland-Zuid' is not a country code " ..
                     "(expected a two-letter code such as NL or BE)",
                     failure("factuurnummer;naam;factuurdatum;bedrag;land\nQ1;X;2026-03-01;5;Holland-Zuid\n"))
  end)

  it("reads a multi-line address column and a KvK column", function()
    local text = 'factuurnummer,naam,factuurdatum,bedrag,adres,kvk\nA,X,2026-03-01,5,"Markt 1\r\n  2611 GV Delft ",12345678\n' ..
                 "B,Y,2026-03-01,5,,\n"
    local r = p:call("parse", text)
    assert.are.same({ name = "X", kind = "business", address = "Markt 1\n2611 GV Delft", kvk = "12345678",
                      company_id = "12345678" }, r.documents[1].debtor)
    assert.are.same({ name = "Y", kind = "consumer" }, r.documents[2].debtor)
  end)

  it("maps a MICE Operations export as docs/import.md shows", function()
    local q = testing.plugin("csv-invoices", { columns = { number = "InvoiceNumber", name = "Clientname",
      issue_date = "DateSent", due_date = "DateDue", amount = "TotalInclVat", vat = "TotalVat",
      description = "DescriptionFactuur", street = "Address", postal_code = "Zipcode", city = "City",
      email = "Email", country = "Country", vat_number = "Taxnumber" } })
    local text = "InvoiceNumber;DescriptionFactuur;ClientReference;Clientname;Address;Zipcode;City;Email;Phone;" ..
                 "Mobile;Country;TotalExclVat;TotalInclVat;TotalVat;DateSent;DatePaid;Taxnumber;DateDue\n" ..
                 "2026-014;Congres mei;PO-77;Hotel Zee BV;Strand 4;2586 AA;Den Haag;fin@zee.example;;;NL;" ..
                 "1000,00;1210,00;210,00;02-03-2026;;NL123456789B01;01-04-2026\n"
    local d = q:call("parse", text).documents[1]
    assert.are.equal("2026-014", d.number)
    assert.are.equal("2026-03-02", d.issue_date)
    assert.are.equal("2026-04-01", d.due_date)
    assert.are.equal("1210.00 EUR", d.amount)
    assert.are.equal("210.00 EUR", d.vat)
    assert.are.equal("Congres mei", d.description)
    assert.are.same({ name = "Hotel Zee BV", kind = "business", country = "NL", email = "fin@zee.example",
                      address = "Strand 4\n2586 AA Den Haag", vat = "NL123456789B01" }, d.debtor)
  end)

  it("detects a CSV of invoices by its header", function()
    assert.is_true(p:call("detect", DUTCH, "export.csv"))
    assert.is_true(p:call("detect", "Invoice Number,Customer,Invoice Date,Amount\r\n", "x.txt"))
    assert.is_false(p:call("detect", "Datum;Naam;Rekening;Bedrag;Mededelingen\n", "bank.csv"))
    assert.is_false(p:call("detect", '<?xml version="1.0"?><Invoice/>', "f.xml"))
    assert.is_false(p:call("detect", "", "empty.csv"))
    local q = testing.plugin("csv-invoices", { columns = { number = "Fact.nr", issue_date = "Dat", amount = "Tot" } })
    assert.is_true(q:call("detect", "Fact.nr;Dat;Tot;Naam\n", "x.csv"))
    assert.is_false(q:call("detect", "factuurnummer;factuurdatum;Tot;Naam\n", "x.csv"))
  end)
end)
