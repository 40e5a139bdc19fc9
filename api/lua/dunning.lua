-- owed.dunning -- the procedure a policy describes, as data, turned into decisions and letters.
--
-- A policy is a list of steps; each waits for its trigger (days after the due date, after an
-- earlier step, or after presumed receipt of an earlier letter) and names its letter, its
-- channels, the charges it books or announces, and a hand-off. `dunning.policy{...}` returns
-- the hooks the daily run calls: decide(case) and render(case, decision, extras).
--
--   return dunning.policy {
--     name = "nl-b2b", country = "NL",
--     steps = {
--       { "reminder", after_due = 7, letter = "herinnering", by = "email" },
--       { "default", after = { "reminder", days_after_receipt = 14 },
--         letter = "ingebrekestelling", by = { "email", "letter" }, charge = { "nl-bik" } },
--     },
--     skip = function(case) return case.open < owed.money("25.00 EUR") end,
--   }
local dunning = {}

local function list(v)
  if v == nil then return {} end
  if type(v) == "table" then return v end
  return { v }
end

local function has(t, value)
  for _, v in ipairs(t) do if v == value then return true end end
  return false
end

-- ---------------------------------------------------------------- presumed receipt

-- The first day of a period that starts on presumed receipt of something sent on `sent`:
--   e-mail: received the day it is sent; the period starts the next day.
--   NL post: presumed delivered on the second delivery day after sending (Sundays, Mondays
--            and public holidays are not delivery days); the period starts the day after.
--   BE post: the period starts on the third working day after sending.
function dunning.period_start(sent, by, country)
  if not has(list(by), "letter") then
    return owed.date.add_days(sent, 1)
  end
  if country == "BE" then
    return owed.date.add_business_days(sent, 3, "BE")
  end
  local day, counted = sent, 0
  while counted < 2 do
    day = owed.date.add_days(day, 1)
    local wd = owed.date.weekday(day)
    if wd ~= 7 and wd ~= 1 and not owed.date.is_holiday(day, country or "NL") then
      counted = counted + 1
    end
  end
  return owed.date.add_days(day, 1)
end

-- ---------------------------------------------------------------- deciding

local function check_steps(spec)
  assert(type(spec.name) == "string", "owed.dunning.policy: name is required")
  assert(type(spec.steps) == "table" and #spec.steps > 0,
         "owed.dunning.policy " .. spec.name .. ": steps is required")
  local seen = {}
  for i, st in ipairs(spec.steps) do
    local where = "owed.dunning.policy " .. spec.name .. ": step " .. i
    assert(type(st[1]) == "string", where .. ": the first value must be the step's name")
    where = "owed.dunning.policy " .. spec.name .. ": step '" .. st[1] .. "'"
    for key in pairs(st) do
      assert(key == 1 or key == "after_due" or key == "after" or key == "letter" or key == "by"
        or key == "charge" or key == "announce" or key == "handoff" or key == "when"
        or key == "deadline_days" or key == "task",
        where .. ": unknown key '" .. tostring(key) .. "'")
    end
    assert(st.after_due or st.after, where .. ": needs after_due or after")
    if st.after then
      assert(type(st.after[1]) == "string" and seen[st.after[1]],
             where .. ": 'after' must name an earlier step")
      assert(st.after.days or st.after.days_after_receipt,
             where .. ": 'after' needs days or days_after_receipt")
    end
    seen[st[1]] = true
  end
end

-- When step st may be taken, and why; nil when it waits for an earlier step.
local function ready(spec, st, case, taken)
  if st.after_due then
    return owed.date.add_days(case.oldest_due, st.after_due),
      string.format("%d days after the due date %s", st.after_due, case.oldest_due)
  end
  local prev = taken[st.after[1]]
  if not prev then return nil end
  if st.after.days then
    return owed.date.add_days(prev.date, st.after.days),
      string.format("%d days after %s on %s", st.after.days, prev.step, prev.date)
  end
  local start = dunning.period_start(prev.date, prev.channels, spec.country)
  return owed.date.add_days(start, st.after.days_after_receipt),
    string.format("%d days after presumed receipt of %s sent %s", st.after.days_after_receipt,
                  prev.step, prev.date)
end

local function decide(spec, case)
  if spec.skip and spec.skip(case) then
    return nil, nil, "skipped by the policy"
  end
  local taken = {}
  for _, s in ipairs(case.steps) do taken[s.step] = s end
  for _, st in ipairs(spec.steps) do
    if not taken[st[1]] then
      local when, why = ready(spec, st, case, taken)
      if not when then return nil end
      if case.today < when then return nil, when end
      if st.when and not st.when(case) then return nil, nil, "condition not met" end
      local channels = list(st.by)
      local decision = {
        step = st[1], letter = st.letter, channels = channels, charges = list(st.charge),
        announce = list(st.announce), handoff = st.handoff, task = st.task,
        reason = string.format("%s: %s, open %s", st[1], why, case.open:format("C") ..
                               " " .. case.open:currency()),
      }
      if st.deadline_days then
        local start = dunning.period_start(case.today, channels, spec.country)
        decision.deadline = owed.date.add_days(start, st.deadline_days - 1)
      end
      return decision
    end
  end
  return nil
end

-- ---------------------------------------------------------------- letters

-- Templates are files of the policy: templates/<letter>.<lang>.txt, a "Subject: ..." line,
-- a line "---", then the body in owed.template syntax. {{ table }} places the invoice table.
local function template(letter, lang)
  for _, l in ipairs({ lang, "en", "nl" }) do
    local ok, text = pcall(owed.resource, "templates/" .. letter .. "." .. l .. ".txt")
    if ok then return text, l end
  end
  error("owed.dunning: no template '" .. letter .. "' for language " .. lang)
end

local locales = { nl = "nl-NL", fr = "fr-BE", en = "en", de = "en" }

local function text_table(rows, money_locale)
  local out = {}
  for _, r in ipairs(rows) do
    out[#out + 1] = string.format("%-14s %-12s %14s %14s", r.number, r.due_date,
                                  r.amount:format(money_locale), r.open:format(money_locale))
  end
  return table.concat(out, "\n")
end

-- An address as lines: written with newlines or with ", " between its parts.
local function lines_of(address)
  local out = {}
  for part in ((address or ""):gsub(",%s*", "\n") .. "\n"):gmatch("(.-)\n") do
    if part:match("%S") then out[#out + 1] = part end
  end
  return out
end

local function render(spec, case, decision, extras)
  local lang = case.debtor.language or "nl"
  local text, used = template(decision.letter, lang)
  local loc = locales[used] or "en"
  local subject, body = text:match("^Subject:%s*(.-)\n%-%-%-\n(.*)$")
  assert(subject, "owed.dunning: template " .. decision.letter .. "." .. used ..
                  " must start with 'Subject: ...' and a line '---'")
  local invoices = {}
  for _, inv in ipairs(case.invoices) do
    if not inv.disputed then invoices[#invoices + 1] = inv end
  end
  local data = {
    case = case, debtor = case.debtor, administration = case.administration,
    invoices = invoices, open = case.open, today = case.today,
    deadline = decision.deadline, charges = extras.charges or {},
    announced = extras.announced or {}, total = extras.total or case.open,
    step = decision.step, reference = case.reference,
  }
  local opts = { locale = loc, lang = used == "de" and "en" or used }
  data.table = text_table(invoices, loc)
  local mail_text = owed.template.render(body, data, opts)
  local mail_subject = owed.template.render(subject, data, opts)
  -- the letter: the same text, with the invoice table as a real table
  data.table = "[[owed:table]]"
  local letter_text = owed.template.render(body, data, opts)
  local blocks = {}
  for para in (letter_text .. "\n\n"):gmatch("(.-)\n\n+") do
    if para:find("[[owed:table]]", 1, true) then
      local rows = {}
      for _, inv in ipairs(invoices) do
        rows[#rows + 1] = { inv.number, owed.date.format(inv.issue_date, opts.lang),
                            owed.date.format(inv.due_date, opts.lang),
                            inv.amount:format(loc), inv.open:format(loc) }
      end
      local head = ({ nl = { "Factuur", "Datum", "Vervaldatum", "Bedrag", "Open" },
                      fr = { "Facture", "Date", "Échéance", "Montant", "Solde" } })[opts.lang]
                   or { "Invoice", "Date", "Due", "Amount", "Open" }
      blocks[#blocks + 1] = { table = { head = head, rows = rows, align = "lllrr",
        total = { opts.lang == "nl" and "Totaal" or opts.lang == "fr" and "Total" or "Total",
                  "", "", "", data.total:format(loc) } } }
    elseif para:match("%S") then
      blocks[#blocks + 1] = para
    end
  end
  local adm = case.administration
  local pdf = owed.pdf.letter {
    sender = { adm.name, table.unpack(lines_of(adm.address)) },
    sender_details = { "KvK " .. adm.kvk, "BTW " .. adm.vat, "IBAN " .. adm.iban },
    return_address = adm.name .. ", " .. adm.address,
    recipient = { case.debtor.name, table.unpack(lines_of(case.debtor.address)) },
    place_date = owed.date.format(case.today, opts.lang),
    reference = case.reference,
    subject = mail_subject,
    body = blocks,
    lang = opts.lang,
    title = mail_subject,
    date_iso = case.today,
  }
  return { subject = mail_subject, text = mail_text, pdf = pdf, lang = used }
end

function dunning.policy(spec)
  check_steps(spec)
  return {
    policy = spec,
    decide = function(case) return decide(spec, case) end,
    render = function(case, decision, extras) return render(spec, case, decision, extras or {}) end,
  }
end

return dunning
