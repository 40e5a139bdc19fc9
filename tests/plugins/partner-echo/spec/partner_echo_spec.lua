-- Runs inside owed (owed test): a real ledger, a real partner server on 127.0.0.1.
local testing = require("owed.testing")

describe("partner-echo", function()
  local ledger, partner, plugin

  before_each(function()
    ledger = testing.ledger{ name = "Groothandel Noordzee BV" }
    ledger.debtor{ number = "D1", name = "Bakkerij De Korenschoof" }
    ledger.invoice{ number = "2026-001", debtor = "D1", amount = "1210.00",
                    issue_date = "2026-01-05", due_date = "2026-02-04" }
    ledger.invoice{ number = "2026-002", debtor = "D1", amount = "10.00",
                    issue_date = "2026-01-05", due_date = "2026-02-04" }
    partner = testing.http_server{ routes = {
      ["POST /claims"] = { status = 201, body = '{"id":"C-77"}',
                           headers = { ["Content-Type"] = "application/json" } },
      ["GET /a"] = { status = 200, body = "a" },
      ["GET /b"] = { status = 204 },
      ["GET /slow"] = { status = 200, body = "late", delay_ms = 1500 },
    } }
    plugin = testing.plugin("partner-echo", { endpoint = partner.url })
  end)

  after_each(function() partner:stop() end)

  it("posts the claim with the secret and the exact open amount", function()
    assert.are.equal("201 claim C-77", plugin:call("submit", "2026-001"))
    local reqs = partner:requests()
    assert.are.equal(1, #reqs)
    assert.are.equal("POST", reqs[1].method)
    assert.are.equal("/claims", reqs[1].path)
    assert.are.equal("Bearer s3cret", reqs[1].headers.authorization)
    local body = owed.json.decode(reqs[1].body)
    assert.are.same({ invoice = "2026-001", debtor = "D1", open = "1210.00",
                      due = "2026-02-04" }, body)
  end)

  it("keeps the partner's answer in its own store", function()
    plugin:call("submit", "2026-001")
    assert.are.same({ id = "C-77" }, plugin:call("claim", "2026-001"))
  end)

  it("skips amounts under the configured minimum without calling the partner", function()
    assert.are.equal("skipped", plugin:call("submit", "2026-002"))
    assert.are.equal(0, #partner:requests())
  end)

  it("waits on several requests in a row, straight-line", function()
    assert.are.same({ 200, 204, 404 }, plugin:call("fetch_all", { "/a", "/b", "/nope" }))
  end)

  it("reports a timeout as a value, not a crash", function()
    assert.are.equal("timeout", plugin:call("fetch", partner.url .. "/slow"))
  end)

  it("refuses a host that is not in its manifest", function()
    local ok, err = pcall(plugin.call, plugin, "fetch", "http://localhost:1/x")
    assert.is_false(ok)
    assert.matches("host localhost is not in the manifest of plugin partner%-echo", err)
  end)

  it("refuses a configuration with a wrong type, naming the key", function()
    local ok, err = pcall(testing.plugin, "partner-echo", { endpoint = partner.url,
                                                           retries = "two" })
    assert.is_false(ok)
    assert.matches("config key 'retries': expected a whole number", err)
  end)

  it("needs its required setting", function()
    local ok, err = pcall(testing.plugin, "partner-echo", {})
    assert.is_false(ok)
    assert.matches("config key 'endpoint' is required", err)
  end)
end)
