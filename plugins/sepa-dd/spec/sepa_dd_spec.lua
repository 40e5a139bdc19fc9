-- sepa-dd: the pain.008.001.02 writer, fed the data `owed collect sepa` hands it.
-- Amounts cross into the plugin as text ("121.00 EUR"), as the host's money values would.
local testing = require("owed.testing")

local function debit(e2e, amount, invoice, extra)
  local d = {
    end_to_end = e2e, amount = amount .. " EUR", invoice = invoice, due_date = "2026-02-01",
    mandate = { id = "MNDT-" .. invoice, signed = "2025-12-01" },
    debtor = { number = "D-" .. invoice, name = "Debtor " .. invoice,
               iban = "NL44RABO0123456789", country = "NL" },
  }
  for k, v in pairs(extra or {}) do d[k] = v end
  return d
end

local function file(batches, total, count)
  return {
    message_id = "OWED-SDD-20260301-7", created = "2026-03-01T09:30:00",
    collection_date = "2026-03-03", scheme = "CORE", transactions = count, total = total,
    creditor = { name = "Groothandel Noordzee BV", iban = "NL91ABNA0417164300",
                 id = "NL79ZZZ999999990000", country = "NL" },
    batches = batches,
  }
end

local function two_batches()
  return file({
    { id = "OWED-SDD-20260301-7-FRST", sequence = "FRST", transactions = 2,
      total = "1000.05 EUR",
      debits = { debit("OWED7-1-F1", "1000.00", "F1"), debit("OWED7-2-F2", "0.05", "F2") } },
    { id = "OWED-SDD-20260301-7-RCUR", sequence = "RCUR", transactions = 1, total = "12.30 EUR",
      debits = { debit("OWED7-3-F3", "12.30", "F3",
                       { reference = "RF18539007547034", reference_kind = "rf" }) } },
  }, "1012.35 EUR", 3)
end

describe("sepa-dd", function()
  local p
  before_each(function() p = testing.plugin("sepa-dd") end)

  it("writes the group header and one PmtInf per sequence type, counted and summed", function()
    local doc = owed.xml.parse(p:call("collection_file", two_batches()))
    assert.are.equal("Document", doc.name)
    local hdr = doc:path("CstmrDrctDbtInitn/GrpHdr")
    assert.are.equal("OWED-SDD-20260301-7", hdr:text_of("MsgId"))
    assert.are.equal("2026-03-01T09:30:00", hdr:text_of("CreDtTm"))
    assert.are.equal("3", hdr:text_of("NbOfTxs"))
    assert.are.equal("1012.35", hdr:text_of("CtrlSum"))
    assert.are.equal("Groothandel Noordzee BV", hdr:text_of("InitgPty/Nm"))
    local pmt = doc:all("PmtInf")
    assert.are.equal(2, #pmt)
    assert.are.equal("FRST", pmt[1]:text_of("PmtTpInf/SeqTp"))
    assert.are.equal("2", pmt[1]:text_of("NbOfTxs"))
    assert.are.equal("1000.05", pmt[1]:text_of("CtrlSum"))
    assert.are.equal("RCUR", pmt[2]:text_of("PmtTpInf/SeqTp"))
    assert.are.equal("12.30", pmt[2]:text_of("CtrlSum"))
    assert.are.equal("OWED-SDD-20260301-7-RCUR", pmt[2]:text_of("PmtInfId"))
    for _, b in ipairs(pmt) do
      assert.are.equal("DD", b:text_of("PmtMtd"))
      assert.are.equal("SEPA", b:text_of("PmtTpInf/SvcLvl/Cd"))
      assert.are.equal("CORE", b:text_of("PmtTpInf/LclInstrm/Cd"))
      assert.are.equal("2026-03-03", b:text_of("ReqdColltnDt"))
      assert.are.equal("NL91ABNA0417164300", b:text_of("CdtrAcct/Id/IBAN"))
      assert.are.equal("NOTPROVIDED", b:text_of("CdtrAgt/FinInstnId/Othr/Id"))
      assert.are.equal("SLEV", b:text_of("ChrgBr"))
      assert.are.equal("NL79ZZZ999999990000", b:text_of("CdtrSchmeId/Id/PrvtId/Othr/Id"))
      assert.are.equal("SEPA", b:text_of("CdtrSchmeId/Id/PrvtId/Othr/SchmeNm/Prtry"))
    end
  end)

  it("writes each debit: end-to-end id, exact amount, mandate, agent, debtor, remittance", function()
    local doc = owed.xml.parse(p:call("collection_file", two_batches()))
    local tx = doc:all("DrctDbtTxInf")
    assert.are.equal(3, #tx)
    assert.are.equal("OWED7-1-F1", tx[1]:text_of("PmtId/EndToEndId"))
    assert.are.equal("1000.00", tx[1]:text_of("InstdAmt"))
    assert.are.equal("EUR", tx[1]:child("InstdAmt").attrs.Ccy)
    assert.are.equal("0.05", tx[2]:text_of("InstdAmt"))
    assert.are.equal("MNDT-F1", tx[1]:text_of("DrctDbtTx/MndtRltdInf/MndtId"))
    assert.are.equal("2025-12-01", tx[1]:text_of("DrctDbtTx/MndtRltdInf/DtOfSgntr"))
    assert.are.equal("NOTPROVIDED", tx[1]:text_of("DbtrAgt/FinInstnId/Othr/Id"))
    assert.are.equal("Debtor F1", tx[1]:text_of("Dbtr/Nm"))
    assert.are.equal("NL44RABO0123456789", tx[1]:text_of("DbtrAcct/Id/IBAN"))
    assert.are.equal("Invoice F1", tx[1]:text_of("RmtInf/Ustrd"))
    assert.is_nil(tx[1]:path("RmtInf/Strd"))
    assert.are.equal("SCOR", tx[3]:text_of("RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Cd"))
    assert.are.equal("ISO", tx[3]:text_of("RmtInf/Strd/CdtrRefInf/Tp/Issr"))
    assert.are.equal("RF18539007547034", tx[3]:text_of("RmtInf/Strd/CdtrRefInf/Ref"))
    assert.is_nil(tx[3]:path("RmtInf/Ustrd"))
  end)

  it("names the banks by BIC when known", function()
    local f = two_batches()
    f.creditor.bic = "ABNANL2A"
    f.batches[1].debits[1].debtor.bic = "RABONL2U"
    local doc = owed.xml.parse(p:call("collection_file", f))
    assert.are.equal("ABNANL2A", doc:text_of("CstmrDrctDbtInitn/PmtInf/CdtrAgt/FinInstnId/BIC"))
    local tx = doc:all("DrctDbtTxInf")
    assert.are.equal("RABONL2U", tx[1]:text_of("DbtrAgt/FinInstnId/BIC"))
    assert.are.equal("NOTPROVIDED", tx[2]:text_of("DbtrAgt/FinInstnId/Othr/Id"))
  end)

  it("gives Dutch and Belgian structured references their issuer", function()
    local f = file({ { id = "B1", sequence = "OOFF", debits = {
      debit("E1", "1.00", "F1", { reference = "5000056789012345", reference_kind = "nl" }),
      debit("E2", "2.00", "F2", { reference = "+++085/1927/54115+++", reference_kind = "be" }),
    } } })
    local tx = owed.xml.parse(p:call("collection_file", f)):all("DrctDbtTxInf")
    assert.are.equal("CUR", tx[1]:text_of("RmtInf/Strd/CdtrRefInf/Tp/Issr"))
    assert.are.equal("5000056789012345", tx[1]:text_of("RmtInf/Strd/CdtrRefInf/Ref"))
    assert.are.equal("BBA", tx[2]:text_of("RmtInf/Strd/CdtrRefInf/Tp/Issr"))
    assert.are.equal("085192754115", tx[2]:text_of("RmtInf/Strd/CdtrRefInf/Ref"))
  end)

  it("escapes & < > \" and transliterates to the SEPA character set", function()
    local f = two_batches()
    f.batches[1].debits[1].debtor.name = 'Café Ærø & <Zonen> "Straße" Łódź №5'
    local xml = p:call("collection_file", f)
    assert.truthy(xml:find("<Nm>Cafe AEro &amp; &lt;Zonen&gt; &quot;Strasse&quot; Lodz .5</Nm>",
                           1, true))
    local tx = owed.xml.parse(xml):all("DrctDbtTxInf")
    assert.are.equal('Cafe AEro & <Zonen> "Strasse" Lodz .5', tx[1]:text_of("Dbtr/Nm"))
  end)

  it("cuts names to 70 characters and squeezes white space", function()
    assert.are.equal("a b", p:call("sepa_text", "  a \t\n b  "))
    local long = string.rep("x", 69) .. " yz"
    assert.are.equal(string.rep("x", 69), p:call("sepa_text", long, 70))
    assert.are.equal("Zoe 'Cafe' - Muller", p:call("sepa_text", "Zoë ‘Café’ – Müller"))
    assert.are.equal("1.2.3", p:call("sepa_text", "1#2@3"))
  end)

  it("keeps only the basic set when configured so", function()
    local b = testing.plugin("sepa-dd", { charset = "basic" })
    assert.are.equal("A + B (C) 'D'", b:call("sepa_text", 'A & B <C> "D"'))
  end)

  it("refuses totals that do not add up, and foreign currencies", function()
    local f = two_batches()
    f.total = "1012.36 EUR"
    assert.has_error(function() p:call("collection_file", f) end)
    f = two_batches()
    f.batches[2].transactions = 2
    assert.has_error(function() p:call("collection_file", f) end)
    f = two_batches()
    f.batches[1].debits[2].amount = "0.05 USD"
    f.total, f.batches[1].total = nil, nil
    local ok, err = pcall(p.call, p, "collection_file", f)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("not in EUR", 1, true))
  end)

  it("names what is missing", function()
    local f = two_batches()
    f.creditor.id = nil
    local ok, err = pcall(p.call, p, "collection_file", f)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("creditor: 'id' is missing", 1, true))
  end)
end)
