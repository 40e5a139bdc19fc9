-- psp-webhook on a real ledger (owed.testing): the signature, the timestamp, the body, and a
-- payment booked once.  The request goes over real HTTP in tests/cli/serve_hooks.sh; here the
-- hook is called with the request table `owed serve` would build.  The secret comes from
-- OWED_SECRET_PSP_WEBHOOK_SECRET (CMakeLists.txt sets it for the specs).
local testing = require("owed.testing")

local SECRET = "whsec_spec"
local NOW = 1774000000

local function request(body, opts)
  opts = opts or {}
  local t = tostring(opts.t or NOW - 5)
  local sig = opts.sig or owed.crypto.hmac_sha256(opts.secret or SECRET, t .. "." .. body)
  local headers = { ["content-type"] = "application/json" }
  if not opts.no_header then headers["psp-signature"] = "t=" .. t .. ",v1=" .. sig end
  return { path = "/events", query = "", body = body, received_at = NOW, peer = "127.0.0.1",
           headers = headers }
end

local function event(id, invoice, cents, kind)
  return owed.json.encode({ id = id, type = kind or "payment.succeeded",
                            data = { invoice = invoice, amount = cents, currency = "EUR",
                                     date = "2026-03-20", payer = "Jansen BV" } })
end

describe("psp-webhook", function()
  local psp, ledger

  before_each(function()
    ledger = testing.ledger{ name = "Acme BV" }
    ledger.debtor{ number = "D1", name = "Jansen BV" }
    ledger.invoice{ number = "F1", debtor = "D1", amount = "123.45", issue_date = "2026-03-01" }
    psp = testing.plugin("psp-webhook")
  end)

  local function open_of(number)
    return tostring(owed.ledger.invoice(number).open)
  end

  it("books a signed payment on its invoice with the exact amount, once", function()
    local res = psp:call("webhook", request(event("evt_1", "F1", 12345)))
    assert.are.equal(200, res.status)
    assert.are.equal("application/json", res.headers["content-type"])
    assert.is_true(owed.json.decode(res.body).received)
    assert.are.equal("0.00 EUR", open_of("F1"))
    local pays = owed.ledger.payments{ debtor = "D1" }
    assert.are.equal(1, #pays)
    assert.are.equal("123.45 EUR", tostring(pays[1].amount))
    assert.are.equal("2026-03-20", pays[1].date)
    assert.are.equal("PSP evt_1", pays[1].remittance)

    local again = psp:call("webhook", request(event("evt_1", "F1", 12345)))
    assert.are.equal(200, again.status)
    assert.is_true(owed.json.decode(again.body).duplicate)
    assert.are.equal(1, #owed.ledger.payments{ debtor = "D1" })
  end)

  it("books a part payment and leaves the rest open", function()
    psp:call("webhook", request(event("evt_2", "F1", 2345)))
    assert.are.equal("100.00 EUR", open_of("F1"))
  end)

  it("refuses a wrong signature, a wrong secret, no header, and books nothing", function()
    local body = event("evt_3", "F1", 12345)
    local cases = {
      { sig = string.rep("0", 64), why = "the signature does not match" },
      { secret = "whsec_other", why = "the signature does not match" },
      { no_header = true, why = "no psp-signature header" },
    }
    for _, c in ipairs(cases) do
      local res = psp:call("webhook", request(body, c))
      assert.are.equal(401, res.status)
      assert.are.equal(c.why, owed.json.decode(res.body).error)
    end
    -- a body changed after signing
    local req = request(body)
    req.body = body:gsub("12345", "99999")
    assert.are.equal(401, psp:call("webhook", req).status)
    assert.are.equal("123.45 EUR", open_of("F1"))
    assert.are.equal(0, #owed.ledger.payments{ debtor = "D1" })
  end)

  it("refuses a timestamp outside the tolerance, either way", function()
    for _, t in ipairs({ NOW - 301, NOW + 301 }) do
      local res = psp:call("webhook", request(event("evt_4", "F1", 12345), { t = t }))
      assert.are.equal(401, res.status)
      assert.are.equal("the signed timestamp is more than 300 seconds from now (a replay?)",
                       owed.json.decode(res.body).error)
    end
    assert.are.equal(200, psp:call("webhook", request(event("evt_4", "F1", 12345),
                                                      { t = NOW - 300 })).status)
  end)

  it("accepts any one of several v1 signatures (a secret being rotated)", function()
    local body = event("evt_5", "F1", 100)
    local t = tostring(NOW)
    local req = request(body)
    req.headers["psp-signature"] = "t=" .. t .. ",v1=" .. owed.crypto.hmac_sha256("old", t .. "." .. body)
                                   .. ",v1=" .. owed.crypto.hmac_sha256(SECRET, t .. "." .. body)
    assert.are.equal(200, psp:call("webhook", req).status)
    assert.are.equal("122.45 EUR", open_of("F1"))
  end)

  it("answers a malformed body 400 and an incomplete event 422", function()
    assert.are.equal(400, psp:call("webhook", request("{not json")).status)
    assert.are.equal(400, psp:call("webhook", request("[1]")).status)
    local res = psp:call("webhook", request(event("evt_6", "F1", 12.5)))
    assert.are.equal(422, res.status)
    assert.are.equal("data.amount: expected a whole number of cents above zero",
                     owed.json.decode(res.body).error)
    assert.are.equal(422, psp:call("webhook", request('{"type":"payment.succeeded"}')).status)
    assert.are.equal(0, #owed.ledger.payments{ debtor = "D1" })
  end)

  it("answers an unknown invoice 422 and keeps no event id, so a retry can book", function()
    local res = psp:call("webhook", request(event("evt_7", "F9", 100)))
    assert.are.equal(422, res.status)
    assert.matches("F9", owed.json.decode(res.body).error)
    ledger.invoice{ number = "F9", debtor = "D1", amount = "1.00", issue_date = "2026-03-01" }
    assert.are.equal(200, psp:call("webhook", request(event("evt_7", "F9", 100))).status)
    assert.are.equal("0.00 EUR", open_of("F9"))
  end)

  -- the host's side, called from the spec itself: the event id and the booking are kept
  -- together or not at all
  it("owed.webhook.once keeps the event id with what was done, or neither", function()
    local amount = owed.money.parse("23.45", "EUR")
    assert.has_error(function()
      owed.webhook.once("evt_x", function()
        owed.ledger.pay("F1", { amount = amount })
        error("crashed after booking")
      end)
    end)
    assert.are.equal(0, #owed.ledger.payments{ debtor = "D1" })
    local acted, p = owed.webhook.once("evt_x", function()
      return owed.ledger.pay("F1", { amount = amount })
    end)
    assert.is_true(acted)
    assert.are.equal("23.45 EUR", tostring(p.amount))
    assert.is_false(owed.webhook.once("evt_x", function() error("never runs") end))
    assert.are.equal(1, #owed.ledger.payments{ debtor = "D1" })
    assert.are.equal("100.00 EUR", open_of("F1"))
  end)

  it("leaves other event types alone", function()
    local res = psp:call("webhook", request(event("evt_8", "F1", 12345, "payment.refunded")))
    assert.are.equal(200, res.status)
    assert.are.equal("payment.refunded", owed.json.decode(res.body).ignored)
    assert.are.equal("123.45 EUR", open_of("F1"))
  end)
end)
