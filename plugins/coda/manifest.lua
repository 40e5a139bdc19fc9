-- coda: Belgian CODA 2.x bank statements (Febelfin, 128-character records).
return {
  name = "coda",
  version = "1.0.0",
  api_version = 1,
  kinds = { "importer" },
  description = "Imports Belgian CODA statements (records 0, 1, 2.1-2.3, 3.x, 4, 8, 9): " ..
                "balances, movements with globalisation details, OGM structured " ..
                "communications (type 101), counterparty IBAN/BIC/name; check() verifies " ..
                "old balance + movements = new balance.",
  needs = {},
}
