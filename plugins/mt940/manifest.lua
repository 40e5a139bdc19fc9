-- mt940: SWIFT MT940 customer statements with the Dutch and Belgian bank variants.
return {
  name = "mt940",
  version = "1.0.0",
  api_version = 1,
  kinds = { "importer" },
  description = "Imports SWIFT MT940 statements (plain or in {1:}{2:}{4: envelopes): balances, " ..
                ":61: entries, structured :86: of ING / ABN AMRO / Rabobank (/EREF/ /CNTP/ " ..
                "/NAME/ /IBAN/ /REMI/ ...), Triodos >NN subfields and free text; check() " ..
                "verifies opening + entries = closing.",
  needs = {},
}
