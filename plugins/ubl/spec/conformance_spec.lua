-- ubl conformance: every public sample in ../shared/testdata/ubl against the facts in its
-- SOURCES.md (and what the files say for the parties). The files are read here (trusted test
-- code); the plugin only gets the text.
local testing = require("owed.testing")

local DIR = (os.getenv("OWED_TESTDATA") or "../shared/testdata") .. "/ubl/"

local function read(name)
  local f = io.open(DIR .. name, "rb")
  if not f then return nil end
  local t = f:read("a")
  f:close()
  return t
end

-- The Peppol examples share their parties.
local PEPPOL_BUYER = {
  number = "FR23342", name = "Buyer Official Name", kind = "business", country = "SE",
  address = "Hovedgatan 32\nPo box 878\n456 34 Stockholm", email = "lj@buyer.se",
  vat = "SE4598375937", company_id = "39937423947",
}
local PEPPOL_SUPPLIER = { name = "SupplierOfficialName Ltd", iban = "IBAN32423940", vat = "GB1232434" }

local FACTS = {
  ["base-example.xml"] = { type = "invoice", number = "Snippet1", issue = "2017-11-13", due = "2017-12-01",
    amount = "1656.25 EUR", vat = "331.25 EUR", reference = "Snippet1", description = "item name",
    debtor = PEPPOL_BUYER, supplier = PEPPOL_SUPPLIER },
  ["base-creditnote-correction.xml"] = { type = "credit_note", type_code = "381", where = "CreditNote[1]",
    number = "Snippet1", issue = "2017-11-13", amount = "1656.25 EUR", vat = "331.25 EUR",
    reference = "Snippet1", credited = "Snippet1", description = "item name",
    debtor = PEPPOL_BUYER, supplier = PEPPOL_SUPPLIER },
  -- an Invoice with PayableAmount -1656.25: booked as a credit note of 1656.25
  ["base-negative-inv-correction.xml"] = { type = "credit_note", type_code = "380",
    number = "Correction1", issue = "2017-11-13", due = "2017-12-01", amount = "1656.25 EUR",
    vat = "331.25 EUR", reference = "Snippet1", credited = "Snippet1", description = "item name",
    debtor = PEPPOL_BUYER, supplier = PEPPOL_SUPPLIER },
  -- PrepaidAmount 1000 is taken off: payable 6125.00 of 7125 incl. VAT; a second TaxTotal in SEK
  ["Allowance-example.xml"] = { type = "invoice", number = "Snippet1", issue = "2017-11-13", due = "2017-12-01",
    amount = "6125.00 EUR", vat = "1225.00 EUR", reference = "Snippet1", description = "item name",
    debtor = { number = "4598375937", name = "Buyer Official Name", kind = "business", country = "SE",
      address = "Hovedgatan 32\nPo box 878\n456 34 Stockholm", email = "lj@buyer.se",
      vat = "SE4598375937", company_id = "39937423947" },
    supplier = PEPPOL_SUPPLIER },
  -- no DueDate; "Payment within 30 days" from 2018-08-30
  ["vat-category-E.xml"] = { type = "invoice", number = "Vat-Z", issue = "2018-08-30", due = "2018-09-29",
    currency = "GBP", amount = "1200.00 GBP", vat = "0.00 GBP", description = "Test item, category Z",
    debtor = { number = "12345678", name = "The Buyercompany", kind = "business", country = "DK",
      address = "Anystreet 8\nBack door\n101 Anytown" },
    supplier = { name = "The Sellercompany Incorporated", iban = "SE1212341234123412", vat = "GB928741974" } },
  -- prefixed root, CRLF, no DueDate: "30dagen" from 2019-10-01; buyer known by its OIN only
  ["NLCIUS voorbeeldbericht Basisfactuur Rijk v01.xml"] = { type = "invoice", number = "Factuurscenario1",
    issue = "2019-10-01", due = "2019-10-31", amount = "3926.50 EUR", vat = "676.50 EUR",
    reference = "1111452145876521", description = "(verplicht veld) Item Name factuurregel 1 BTW0%",
    debtor = { number = "00000004003214345001", name = "Logius", kind = "business", country = "NL",
      address = "Postbus 96810\n2509 JE Den Haag", email = "Jan@klantcontactpersoon.nl",
      company_id = "00000004003214345001" },
    supplier = { name = "Leverancier B.V.", iban = "NL02ABNA0123456789", vat = "NL8200.98.395.B.01" } },
  ["Peppol BIS 3 voorbeeldbericht Basisfactuur Rijk.xml"] = { type = "invoice", number = "P01",
    issue = "2020-11-13", due = "2020-12-01", amount = "3926.50 EUR", vat = "676.50 EUR",
    description = "(verplicht veld) Item Name factuurregel 1 BTW0%",
    debtor = { number = "99990004000000072222", name = "Min. van RegistrationName", kind = "business",
      country = "NL", address = "dept. Crediteuren pb. 72\n2424AA Haaglanden",
      company_id = "99990004000000072222" },
    supplier = { name = "SupplierOfficialName Ltd", iban = "NL02ABNA0123456789", vat = "NL8200.98.395.B.01" } },
}

describe("ubl conformance", function()
  if not read("SOURCES.md") then
    it("skips without the shared test data", function()
      print("conformance: skipped (no ../shared/testdata)")
    end)
    return
  end

  local p
  before_each(function() p = testing.plugin("ubl") end)

  it("knows every file in the folder", function()
    local ls = io.popen('ls -1 "' .. DIR .. '"')
    for name in ls:lines() do
      if name:match("%.xml$") then assert.is_not_nil(FACTS[name], "no facts for " .. name) end
    end
    ls:close()
  end)

  local names = {}
  for name in pairs(FACTS) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local f = FACTS[name]
    it(name, function()
      local text = read(name)
      assert.is_true(p:call("detect", text, name))
      local r = p:call("parse", text)
      assert.are.equal("ubl", r.format)
      assert.are.equal(1, #r.documents)
      local d = r.documents[1]
      assert.are.equal(f.type, d.type)
      assert.are.equal(f.type_code or "380", d.type_code)
      assert.are.equal(f.where or "Invoice[1]", d.where)
      assert.are.equal(f.number, d.number)
      assert.are.equal(f.issue, d.issue_date)
      assert.are.equal(f.due, d.due_date)
      assert.are.equal(f.currency or "EUR", d.currency)
      assert.are.equal(f.amount, d.amount)
      assert.are.equal(f.vat, d.vat)
      assert.are.equal(f.reference, d.reference)
      assert.are.equal(f.credited, d.credited_invoice)
      assert.are.equal(f.description, d.description)
      assert.are.same(f.debtor, d.debtor)
      assert.are.same(f.supplier, d.supplier)
    end)
  end
end)
