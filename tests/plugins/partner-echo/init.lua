-- partner-echo: a connector in miniature, to exercise the runtime from specs.
local util = require("util")

local M = {}

-- Sends the invoice to the partner's /claims and stores the claim id the partner returns.
function M.submit(number)
  local inv = owed.ledger.invoice(number)
  if not inv then return nil, "no invoice " .. number end
  if inv.open < owed.money(owed.config.minimum) then
    return "skipped"
  end
  local res, err = owed.http.request{
    method = "POST",
    url = owed.config.endpoint .. "/claims",
    headers = { Authorization = "Bearer " .. owed.secret("PARTNER_TOKEN") },
    json = { invoice = inv.number, debtor = inv.debtor, open = inv.open, due = inv.due_date },
  }
  if not res then return nil, err end
  local claim = owed.json.decode(res.body)
  owed.store.set("claim:" .. number, claim)
  return util.describe(res.status, claim)
end

function M.claim(number)
  return owed.store.get("claim:" .. number)
end

-- Fetches several URLs one after another: each yields and resumes on the loop.
function M.fetch_all(paths)
  local out = {}
  for i, p in ipairs(paths) do
    local res, err = owed.http.get(owed.config.endpoint .. p, { timeout = 2000 })
    out[i] = res and res.status or err
  end
  return out
end

function M.fetch(url)
  local res, err, kind = owed.http.get(url, { timeout = 300 })
  if not res then return kind end
  return res.status
end

return M
