-- sepa-dd: SEPA direct debit initiation files (pain.008.001.02), written from the data
-- `owed collect sepa` hands over.  A bank that wants another version gets another writer.
return {
  name = "sepa-dd",
  version = "1.0.0",
  api_version = 1,
  kinds = { "connector" },
  description = "Writes SEPA Core direct debit files (ISO 20022 pain.008.001.02, EPC rules): " ..
                "one payment information block per sequence type, texts transliterated to " ..
                "the SEPA character set and XML-escaped, amounts exact.",
  config = {
    charset = { type = "string", default = "escaped",
                description = "'escaped': the EPC basic Latin set plus & < > \" written " ..
                              "escaped (what Dutch, Belgian and German banks take); " ..
                              "'basic': the EPC basic Latin set only" },
    batch_booking = { type = "boolean", default = true,
                      description = "BtchBookg: one booking per batch on the statement" },
    remittance_prefix = { type = "string", default = "Invoice ",
                          description = "before the invoice number in the unstructured " ..
                                        "remittance (when the invoice has no structured " ..
                                        "reference)" },
  },
  needs = {},
}
