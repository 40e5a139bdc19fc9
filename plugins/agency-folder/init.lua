-- agency-folder: the hand-off the way many agencies take files today.  The case's dossier --
-- debtor, invoices, payments, costs and interest, every event, and the letters' PDFs -- goes to
-- <outgoing>/agency-folder/<agency>/<debtor>-<case>/.  Once written, owed's own letters for
-- the case stop (the run marked it handed off when it decided the step).
local M = {}

local function plain(v)
  if owed.money.is(v) then return v:format("C") end
  if type(v) == "table" then
    local out = {}
    for k, x in pairs(v) do out[k] = plain(x) end
    return out
  end
  return v
end

function M.deliver(msg)
  local debtor = owed.ledger.debtor(msg.debtor)
  if not debtor then return nil, "no debtor " .. tostring(msg.debtor) end
  local folder = string.format("%s/%s-%d", owed.config.agency, debtor.number, msg.case)
  local invoices = owed.ledger.invoices{ debtor = debtor.number, open = true }
  local events = owed.ledger.history{ debtor = debtor.number }
  for _, e in ipairs(events) do e.payload = owed.json.decode(e.payload) end
  local dossier = {
    creditor = owed.ledger.administration(),
    debtor = plain(debtor),
    invoices = plain(invoices),
    payments = plain(owed.ledger.payments{ debtor = debtor.number }),
    history = events,
    currency = owed.ledger.administration().currency,
    handed_off = owed.date.today(),
  }
  local open = owed.money.new(0, dossier.currency)
  for _, inv in ipairs(invoices) do open = open + inv.open end
  dossier.open = open:format("C")
  owed.files.write(folder .. "/dossier.json", owed.json.encode(dossier, { pretty = true }))
  for _, l in ipairs(owed.ledger.letters{ debtor = debtor.number }) do
    if l.pdf then owed.files.write(folder .. "/" .. l.file, l.pdf) end
  end
  return true
end

return M
