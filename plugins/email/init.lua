-- email: the e-mail channel.  The outbox hands it one delivery at a time; it answers true, or
-- nil and why (the outbox retries with backoff).  The idempotency key becomes the Message-ID,
-- so a retried mail is recognisably the same mail.
--
-- mode = "smtp" sends through the configured server; mode = "folder" writes each mail as an
-- .eml file (and its PDF beside it) under <outgoing>/email/, for a review before sending or
-- for the demo.
local M = {}

local function secret(name)
  if name == "" then return nil end
  return owed.secret(name)
end

local function message_id(msg)
  return msg.idem_key:gsub("[^%w%-%.]", ".") .. "@owed"
end

local function to_folder(msg, to)
  local base = owed.date.today() .. "/" .. msg.idem_key:gsub("[^%w%-%.]", "_")
  local eml = {
    "Message-ID: <" .. message_id(msg) .. ">",
    "From: " .. owed.config.from,
    "To: " .. table.concat(to, ", "),
    "Subject: " .. msg.subject,
    "Content-Type: text/plain; charset=UTF-8",
    "X-Attachment: " .. (msg.pdf and msg.filename or "none"),
    "",
    msg.text,
  }
  owed.files.write(base .. ".eml", table.concat(eml, "\r\n"))
  if msg.pdf then owed.files.write(base .. ".pdf", msg.pdf) end
  return true
end

function M.deliver(msg)
  if not msg.to or msg.to == "" then
    return nil, "debtor " .. tostring(msg.debtor) .. " has no e-mail address"
  end
  local to = { msg.to }
  for _, a in ipairs(owed.config.bcc) do to[#to + 1] = a end
  if owed.config.mode == "folder" then return to_folder(msg, to) end
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
    message_id = message_id(msg),
  }
  if not res then return nil, err end
  return true
end

return M
