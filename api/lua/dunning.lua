-- owed.dunning -- the procedure a policy describes, as data, turned into decisions and letters.
--
-- A policy is a list of steps; each waits for its trigger (days after the due date, after an
-- earlier step, or after presumed receipt of an earlier letter) and names its letter, its
-- channels, the charges it books or announces, and a hand-off. A period counted from presumed
-- receipt (days_after_receipt, and deadline_days: the letter's own term, whose last day is
-- decision.deadline) ends on its last day, moved past weekends and the country's holidays;
-- a step `after = { "x", days_after_receipt = n }` comes the day after x's n-day period.
-- `dunning.policy{...}` returns the hooks the daily run calls: decide(case) and
-- render(case, decision, extras).
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

-- A list: a table as it is, nil as {}, a string as its comma-separated parts (a step the host
-- hands back records its channels as text, "email,letter").
local function list(v)
  if v == nil then return {} end
  if type(v) == "table" then return v end
  local out = {}
  for part in tostring(v):gmatch("[^,%s]+") do out[#out + 1] = part end
  return out
end

-- An amount: owed.money as it is; its text ("1210.00 EUR") made money again. A hook called
-- across plugin states (owed.testing's p:call) receives amounts as text.
local function amount(v)
  if type(v) == "string" then return owed.money(v) end
  return v
end

-- The case (and the render extras) with every amount as owed.money.
local function amounts(case)
  case.open = amount(case.open)
  for _, inv in ipairs(case.invoices or {}) do
    inv.amount, inv.open, inv.charges = amount(inv.amount), amount(inv.open), amount(inv.charges)
  end
  return case
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

-- The last day of a period of `days` days whose first day is `start`. A period that ends on
-- a Saturday, Sunday or public holiday runs on to the next working day: NL, Algemene
-- termijnenwet art. 1 (which covers the 14 days of art. 6:96 lid 6 BW); BE, Civil Code art.
-- 1.7 (the common rule for periods since 1 January 2023). Without a country (eu-b2b), only
-- weekends move it. Returns the last day and, when it moved, the day it would have been.
function dunning.period_end(start, days, country)
  local last = owed.date.add_days(start, days - 1)
  local moved = owed.date.next_business_day(last, country or "EU")
  if moved ~= last then return moved, last end
  return last
end

local weekdays = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" }

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
        or key == "deadline_days" or key == "task" or key == "hold",
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
  local by = list(prev.channels)
  local start = dunning.period_start(prev.date, by, spec.country)
  local last, was = dunning.period_end(start, st.after.days_after_receipt, spec.country)
  local why = string.format("%d days after presumed receipt of %s sent %s by %s (days %s to %s",
                            st.after.days_after_receipt, prev.step, prev.date,
                            has(by, "letter") and "letter" or "e-mail", start, last)
  if was then
    why = why .. string.format("; day %d, %s %s, is not a working day", st.after.days_after_receipt,
                               weekdays[owed.date.weekday(was)], was)
  end
  return owed.date.add_days(last, 1), why .. ")"
end

local function decide(spec, case)
  amounts(case)
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
        announce = list(st.announce), handoff = st.handoff, task = st.task, hold = st.hold,
        reason = string.format("%s: %s, open %s", st[1], why, case.open:format("C") ..
                               " " .. case.open:currency()),
      }
      if st.deadline_days then
        local start = dunning.period_start(case.today, channels, spec.country)
        decision.deadline = dunning.period_end(start, st.deadline_days, spec.country)
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

local heads = {
  nl = { "Factuur", "Datum", "Vervaldatum", "Bedrag", "Open", "Totaal" },
  fr = { "Facture", "Date", "Échéance", "Montant", "Solde", "Total" },
  en = { "Invoice", "Date", "Due", "Amount", "Open", "Total" },
}

-- The invoice table as rows of cells: the head, one row per invoice, the total of what is open.
local function table_cells(invoices, total, loc, lang)
  local head = heads[lang] or heads.en
  local rows = {}
  for _, inv in ipairs(invoices) do
    rows[#rows + 1] = { inv.number, owed.date.format(inv.issue_date, lang),
                        owed.date.format(inv.due_date, lang),
                        inv.amount:format(loc), inv.open:format(loc) }
  end
  return { head[1], head[2], head[3], head[4], head[5] }, rows,
         { head[6], "", "", "", total:format(loc) }
end

-- The same table as plain text for the e-mail, its columns padded by characters, not bytes
-- ("€" and the narrow spaces of "1 234,56 €" are several bytes each).
local function text_table(head, rows, total)
  local all = { head }
  for _, r in ipairs(rows) do all[#all + 1] = r end
  all[#all + 1] = total
  local width = {}
  for _, r in ipairs(all) do
    for i, cell in ipairs(r) do width[i] = math.max(width[i] or 0, utf8.len(cell) or #cell) end
  end
  local function line(r)
    local cells = {}
    for i, cell in ipairs(r) do
      local pad = string.rep(" ", width[i] - (utf8.len(cell) or #cell))
      cells[i] = i >= 4 and pad .. cell or cell .. pad    -- amounts to the right
    end
    return (table.concat(cells, "  "):gsub("%s+$", ""))
  end
  local rule = {}
  for i = 1, #width do rule[i] = string.rep("-", width[i]) end
  local out = { line(head), table.concat(rule, "  ") }
  for _, r in ipairs(rows) do out[#out + 1] = line(r) end
  out[#out + 1] = table.concat(rule, "  ")
  out[#out + 1] = line(total)
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

-- The creditor's registration numbers for the footer, named as the creditor's country and the
-- letter's language name them: the Dutch KvK and btw, the Belgian enterprise number (KBO/BCE).
local function registration(adm, lang)
  local be = adm.country == "BE"
  local names = ({
    nl = { be and "Ondernemingsnr." or "KvK", "Btw" },
    fr = { be and "N° d'entreprise" or "KvK", "TVA" },
  })[lang] or { be and "Enterprise no." or "KvK (Chamber of Commerce)", "VAT" }
  local out = {}
  if (adm.kvk or "") ~= "" then out[#out + 1] = names[1] .. " " .. adm.kvk end
  if (adm.vat or "") ~= "" then out[#out + 1] = names[2] .. " " .. adm.vat end
  if (adm.iban or "") ~= "" then out[#out + 1] = "IBAN " .. adm.iban end
  return out
end

local function render(spec, case, decision, extras)
  amounts(case)
  local lang = case.debtor.language
  if lang == nil or lang == "" then lang = "nl" end
  local text, used = template(decision.letter, lang)
  local loc = locales[used] or "en"
  local subject, body = text:match("^Subject:%s*(.-)\n%-%-%-\n(.*)$")
  assert(subject, "owed.dunning: template " .. decision.letter .. "." .. used ..
                  " must start with 'Subject: ...' and a line '---'")
  local invoices = {}
  for _, inv in ipairs(case.invoices) do
    if not inv.disputed then invoices[#invoices + 1] = inv end
  end
  local charges, announced = extras.charges or {}, extras.announced or {}
  for _, c in ipairs(charges) do c.amount = amount(c.amount) end
  for _, c in ipairs(announced) do c.amount = amount(c.amount) end
  local data = {
    case = case, debtor = case.debtor, administration = case.administration,
    invoices = invoices, open = case.open, today = case.today,
    deadline = decision.deadline, charges = charges,
    announced = announced, total = amount(extras.total) or case.open,
    step = decision.step, reference = case.reference,
  }
  local opts = { locale = loc, lang = used == "de" and "en" or used }
  -- the table's rows are the invoices and its total what is open on them; costs and interest
  -- are the letter's own lines, and data.total (with them) is the letter's to state
  local head, rows, total = table_cells(invoices, case.open, loc, opts.lang)
  data.table = text_table(head, rows, total)
  local mail_text = owed.template.render(body, data, opts)
  local mail_subject = owed.template.render(subject, data, opts)
  -- the letter: the same text, with the invoice table as a real table
  data.table = "[[owed:table]]"
  local letter_text = owed.template.render(body, data, opts)
  local blocks = {}
  for para in (letter_text .. "\n\n"):gmatch("(.-)\n\n+") do
    if para:find("[[owed:table]]", 1, true) then
      blocks[#blocks + 1] = { table = { head = head, rows = rows, align = "lllrr",
                                        total = total } }
    elseif para:match("%S") then
      blocks[#blocks + 1] = para
    end
  end
  local adm = case.administration
  local pdf = owed.pdf.letter {
    sender = { adm.name, table.unpack(lines_of(adm.address)) },
    sender_details = registration(adm, opts.lang),
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
