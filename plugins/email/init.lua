-- email: the e-mail channel.  The outbox hands it one delivery at a time; it answers true, or
-- nil and why (the outbox retries with backoff).  The idempotency key becomes the Message-ID,
-- so a retried mail is recognisably the same mail.
local M = {}

local function secret(name)
  if name == "" then return nil end
  return owed.secret(name)
end

function M.deliver(msg)
  if not msg.to or msg.to == "" then
    return nil, "debtor " .. tostring(msg.debtor) .. " has no e-mail address"
  end
  local to = { msg.to }
  for _, a in ipairs(owed.config.bcc) do to[#to + 1] = a end
  local attachments = {}
  if msg.pdf then
    attachments[1] = { filename = msg.filename, content_type = "application/pdf",
                       data = msg.pdf }
  end
  local res, err = owed.mail.send{
    url = owed.config.url,
    username = secret(owed.config.username_secret),
    password = secret(owed.config.password_secret),
    from = owed.config.from,
    to = to,
    subject = msg.subject,
    text = msg.text,
    attachments = attachments,
    message_id = msg.idem_key:gsub("[^%w%-%.]", ".") .. "@owed",
  }
  if not res then return nil, err end
  return true
end

return M
