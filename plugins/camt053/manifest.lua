-- camt053: ISO 20022 camt.053 bank-to-customer statements (001.02, 001.04, 001.08).
return {
  name = "camt053",
  version = "1.0.0",
  api_version = 1,
  kinds = { "importer" },
  description = "Imports ISO 20022 camt.053 bank statements (versions 001.02, 001.04, 001.08): " ..
                "balances, entries, batches, reversals, counterparties, structured and " ..
                "unstructured remittance; check() verifies opening + entries = closing.",
  needs = {},
}
