-- A test plugin: talks to a partner over HTTP, keeps state in owed.store, reads the ledger.
return {
  name = "partner-echo",
  version = "1.0.0",
  api_version = 1,
  kinds = { "connector" },
  description = "Sends an invoice's open amount to a partner and remembers the reply.",
  config = {
    endpoint = { type = "string", required = true, description = "the partner's base URL" },
    minimum = { type = "money", default = "25.00 EUR", description = "skip smaller amounts" },
    retries = { type = "integer", default = 2 },
  },
  needs = { hosts = { "127.0.0.1" }, secrets = { "PARTNER_TOKEN" } },
}
