-- psp-webhook: a payment service provider (PSP) calls back when an invoice has been paid.
--
-- The request is signed as Stripe signs: a header "t=1700000000,v1=5257a8..." where v1 is the
-- HMAC-SHA-256, under the shared secret, of the timestamp, a dot and the body as sent.  More
-- than one v1 may be given (while the PSP rotates its secret); one matching is enough.  The
-- body is an event:
--
--   { "id": "evt_1", "type": "payment.succeeded",
--     "data": { "invoice": "F1", "amount": 12345, "currency": "EUR", "date": "2026-03-20",
--               "payer": "Jansen BV" } }
--
-- with the amount in minor units (cents) as an integer, as PSPs send it.  A payment event
-- books a payment on the invoice's debtor, allocated to the invoice (owed.ledger.pay), once:
-- owed.webhook.once records the event id with the booking, so the PSP's retries and
-- duplicates book nothing more.  The answers: 200 when done or already done or not a payment
-- event; 401 when the signature or the timestamp does not hold; 400 for a body that is no
-- JSON event; 422 when the event cannot be booked (the PSP retries; nothing was kept).

local M = {}

local function answer(status, t)
  return { status = status, body = owed.json.encode(t),
           headers = { ["content-type"] = "application/json" } }
end

-- "t=1700000000,v1=ab12..,v1=cd34.." -> "1700000000", { "ab12..", "cd34.." }
local function parse_signature(header)
  local t, v1 = nil, {}
  for key, value in header:gmatch("%s*([^=,]+)=([^,]*)") do
    if key == "t" then t = value
    elseif key == "v1" then v1[#v1 + 1] = value:lower() end
  end
  return t, v1
end

-- nil when the request is the PSP's, else why not
local function not_authentic(req)
  local header = req.headers[owed.config.signature_header]
  if not header then return "no " .. owed.config.signature_header .. " header" end
  local t, signatures = parse_signature(header)
  if not t or #signatures == 0 then
    return owed.config.signature_header .. ": expected t=...,v1=..."
  end
  if not owed.crypto.fresh(t, owed.config.tolerance_s, req.received_at) then
    return "the signed timestamp is more than " .. owed.config.tolerance_s ..
           " seconds from now (a replay?)"
  end
  local expected = owed.crypto.hmac_sha256(owed.secret("PSP_WEBHOOK_SECRET"), t .. "." .. req.body)
  for _, v in ipairs(signatures) do
    if owed.crypto.equal(expected, v) then return nil end
  end
  return "the signature does not match"
end

-- The payment the event reports, or nil and what is wrong with it.
local function payment_of(event)
  local d = event.data
  if type(d) ~= "table" then return nil, "data: expected an object" end
  if type(d.invoice) ~= "string" or d.invoice == "" then
    return nil, "data.invoice: expected an invoice number"
  end
  if math.type(d.amount) ~= "integer" or d.amount <= 0 then
    return nil, "data.amount: expected a whole number of cents above zero"
  end
  if type(d.currency) ~= "string" or not d.currency:match("^%a%a%a$") then
    return nil, "data.currency: expected an ISO 4217 code"
  end
  if d.date ~= nil and (type(d.date) ~= "string" or not d.date:match("^%d%d%d%d%-%d%d%-%d%d$")) then
    return nil, "data.date: expected YYYY-MM-DD"
  end
  return {
    invoice = d.invoice,
    amount = owed.money.new(d.amount, d.currency:upper()),
    date = d.date,
    counterparty = type(d.payer) == "string" and d.payer or nil,
    remittance = "PSP " .. event.id,
    source = "psp-webhook",
  }
end

function M.webhook(req)
  local why = not_authentic(req)
  if why then return answer(401, { error = why }) end

  local ok, event = pcall(owed.json.decode, req.body)
  if not ok or type(event) ~= "table" or #event > 0 then
    return answer(400, { error = "the body is not a JSON event" })
  end
  if type(event.id) ~= "string" or event.id == "" or #event.id > 255 then
    return answer(422, { error = "id: expected the event's id" })
  end
  if event.type ~= owed.config.event_type then
    return answer(200, { received = true, ignored = tostring(event.type) })
  end
  local pay, wrong = payment_of(event)
  if not pay then return answer(422, { error = wrong }) end

  local booked, acted, payment = pcall(owed.webhook.once, event.id, function()
    return owed.ledger.pay(pay.invoice, pay)
  end)
  if not booked then
    owed.log.warn("event %s not booked: %s", event.id, tostring(acted))
    return answer(422, { error = tostring(acted):gsub("^.-owed%.ledger%.pay: ", "") })
  end
  if not acted then return answer(200, { received = true, duplicate = true }) end
  return answer(200, { received = true, payment = payment.id })
end

return M
