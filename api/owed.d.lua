---@meta
-- owed.d.lua -- the annotated `owed` API, as plugins see it (LuaLS ---@ annotations).
-- Editors read this file for completion and checks; docs/ is generated from it.
-- Every function raises errors prefixed with its name:
-- "owed.money.add: currencies differ (EUR, USD)".

owed = {}

-- ==========================================================================================
-- owed.money
-- ==========================================================================================

---An exact amount: integer minor units (cents) and an ISO 4217 currency code.
---Arithmetic and ordering work between amounts of one currency only; mixing currencies or
---comparing with a number raises an error. `==` is simply false across currencies.
---No operation ever uses a float. Amounts are compared by value, but as table keys they are
---distinct objects: key tables by `tostring(m)` if you need that.
---@class owed.money
---@operator add(owed.money): owed.money
---@operator sub(owed.money): owed.money
---@operator unm: owed.money
local money = {}

---The amount in minor units: 1234.56 EUR is 123456.
---@return integer
function money:minor() end

---The ISO 4217 code, "EUR".
---@return string
function money:currency() end

---The sum; raises on different currencies or overflow. Same as `m + o`.
---@param o owed.money
---@return owed.money
function money:add(o) end

---The difference; raises on different currencies or overflow. Same as `m - o`.
---@param o owed.money
---@return owed.money
function money:sub(o) end

---Compares with o (same currency): -1, 0 or 1.
---@param o owed.money
---@return integer
function money:cmp(o) end

---The smaller of the two (same currency).
---@param o owed.money
---@return owed.money
function money:min(o) end

---The larger of the two (same currency).
---@param o owed.money
---@return owed.money
function money:max(o) end

---Whether the amount is 0.
---@return boolean
function money:is_zero() end

---Whether the amount is below 0.
---@return boolean
function money:is_negative() end

---The amount with its sign flipped. Same as `-m`.
---@return owed.money
function money:neg() end

---The amount without sign.
---@return owed.money
function money:abs() end

---@alias owed.rounding
---| "half_up"   # half away from zero (default): 2.5 -> 3, -2.5 -> -3
---| "half_even" # half to the even neighbour: 2.5 -> 2, 3.5 -> 4
---| "down"      # toward zero
---| "up"        # away from zero
---| "floor"     # toward minus infinity
---| "ceil"      # toward plus infinity

---rate percent of the amount, rounded once to the minor unit. rate is exact text such as
---"11.15" (never a float) or an integer: `m:percent("8.5")`, `m:percent(15)`.
---@param rate string|integer
---@param rounding? owed.rounding default "half_up"
---@return owed.money
function money:percent(rate, rounding) end

---amount * num / den, rounded once; den > 0. For a pro rata share: `m:mul_ratio(days, 365)`.
---@param num integer
---@param den integer
---@param rounding? owed.rounding default "half_up"
---@return owed.money
function money:mul_ratio(num, den, rounding) end

---Splits the amount in proportion to weights (integers or amounts, none negative, not all 0),
---so that the parts add up to it exactly; leftover cents go to the largest remainders.
---At most 1000 parts.
---@param weights (integer|owed.money)[]
---@return owed.money[]
function money:split(weights) end

---@class owed.money.format_opts
---@field symbol? boolean false leaves out "€" or the code (default true)

---The amount as people write it in locale: "nl-NL" "€ 1.234,56", "nl-BE" the same,
---"fr-BE" "1 234,56 €", "en" "€1,234.56", "C" (default) "1234.56". Only EUR has a symbol;
---other currencies are written with their code.
---@param locale? "nl-NL"|"nl-BE"|"fr-BE"|"en"|"C"
---@param opts? owed.money.format_opts
---@return string
function money:format(locale, opts) end

---@class owed.moneylib
---Reads an amount: `owed.money("25.00 EUR")`, `owed.money("€ 1.234,56", nil, "nl-NL")`.
---@overload fun(text: string, currency?: string, locale?: string): owed.money
owed.money = {}

---Reads an amount written in locale (default "C": "-1234.56"). The text may carry the
---currency as a code ("EUR 12.50", "12.50 USD") or "€"; otherwise give currency. When both
---are there they must agree.
---@param text string
---@param currency? string ISO 4217 code
---@param locale? "nl-NL"|"nl-BE"|"fr-BE"|"en"|"C"
---@return owed.money
function owed.money.parse(text, currency, locale) end

---An amount from its minor units, which must be a Lua integer: `owed.money.new(2500, "EUR")`.
---@param minor integer
---@param currency string ISO 4217 code
---@return owed.money
function owed.money.new(minor, currency) end

---Whether v is an amount.
---@param v any
---@return boolean
function owed.money.is(v) end

-- ==========================================================================================
-- owed.date
-- ==========================================================================================

---A date is an ISO string "YYYY-MM-DD"; such strings compare correctly with `<` and `==`.
---Every function below accepts only that form (use owed.date.parse for others).
---@alias owed.date_string string

---A two-letter country code: "NL" and "BE" have holiday calendars, any other only weekends.
---@alias owed.country string

owed.date = {}

---Today's date, or OWED_TODAY when that is set (tests, back-dated runs).
---@return owed.date_string
function owed.date.today() end

---Reads YYYY-MM-DD, YYYYMMDD or D-M-YYYY (with '-', '/' or '.'); raises if it is none.
---@param text string
---@return owed.date_string
function owed.date.parse(text) end

---Whether v is a date YYYY-MM-DD that exists.
---@param v any
---@return boolean
function owed.date.valid(v) end

---The long form of d: "nl" "3 maart 2026", "fr" "1er mars 2026", "en" "3 March 2026".
---@param d owed.date_string
---@param lang "nl"|"fr"|"en"
---@return string
function owed.date.format(d, lang) end

---Year, month and day as integers.
---@param d owed.date_string
---@return integer year
---@return integer month
---@return integer day
function owed.date.ymd(d) end

---The date of year, month and day; raises for a day that does not exist.
---@param y integer
---@param m integer
---@param d integer
---@return owed.date_string
function owed.date.from_ymd(y, m, d) end

---d plus n days (n may be negative).
---@param d owed.date_string
---@param n integer
---@return owed.date_string
function owed.date.add_days(d, n) end

---d plus n months, the day clamped to the month's end: 31 Jan + 1 is 28 (29) Feb.
---@param d owed.date_string
---@param n integer
---@return owed.date_string
function owed.date.add_months(d, n) end

---d plus n years; 29 Feb + 1 year is 28 Feb.
---@param d owed.date_string
---@param n integer
---@return owed.date_string
function owed.date.add_years(d, n) end

---The number of days from a to b (b - a).
---@param a owed.date_string
---@param b owed.date_string
---@return integer
function owed.date.diff(a, b) end

---The ISO weekday: 1 = Monday .. 7 = Sunday.
---@param d owed.date_string
---@return integer
function owed.date.weekday(d) end

---Easter Sunday of year (1..9999).
---@param year integer
---@return owed.date_string
function owed.date.easter(year) end

---Whether d is a public holiday that moves legal deadlines in country, and its Dutch name.
---@param d owed.date_string
---@param country owed.country
---@return boolean
---@return string? name
function owed.date.is_holiday(d, country) end

---Whether d is a business day in country: Monday to Friday and not a holiday.
---@param d owed.date_string
---@param country owed.country
---@return boolean
function owed.date.is_business_day(d, country) end

---n business days after d (before, when n < 0); n = 0 is next_business_day(d).
---@param d owed.date_string
---@param n integer
---@param country owed.country
---@return owed.date_string
function owed.date.add_business_days(d, n, country) end

---d itself when it is a business day, else the next one: where a term ending on a weekend or
---holiday ends instead.
---@param d owed.date_string
---@param country owed.country
---@return owed.date_string
function owed.date.next_business_day(d, country) end

-- ==========================================================================================
-- owed.json
-- ==========================================================================================

owed.json = {}

---JSON null: decode gives it where the text has null (so arrays keep their length), encode
---writes null for it.
---@type lightuserdata
owed.json.null = nil

---@class owed.json.encode_opts
---@field pretty? boolean indent by two spaces (default false)

---The JSON text of value. Tables with keys exactly 1..n (or marked with owed.json.array) are
---arrays; tables with string keys are objects, written with sorted keys; an empty unmarked
---table is {}. Integers stay exact, floats keep a '.', money is its amount as a string
---("1234.56"). Raises on other key types, cycles, nesting deeper than 100, functions, inf/nan
---and strings that are not UTF-8, naming where: "at $.lines[2].amount".
---@param value any
---@param opts? owed.json.encode_opts
---@return string
function owed.json.encode(value, opts) end

---The Lua value of a JSON text. Integers that fit 64 bits are Lua integers, exactly; other
---numbers are floats; null is owed.json.null; arrays are marked with owed.json.array.
---Raises with the place: "owed.json.decode: expected ',' or '}' at line 3 column 14".
---@param text string
---@return any
function owed.json.decode(text) end

---Marks t (or a new table) as an array, so that it encodes as [] even when empty.
---@generic T: table
---@param t? T
---@return T
function owed.json.array(t) end

-- ==========================================================================================
-- owed.xml
-- ==========================================================================================

---An element of a parsed document. Names are local names (without prefix); ns is the
---namespace URI. text is the element's own character data, untrimmed.
---@class owed.xml.element
---@field name string local name, "Ntry"
---@field ns string? namespace URI, or nil
---@field attrs table<string, string> attributes by local name
---@field children owed.xml.element[] child elements in document order
---@field text string the element's own text (not its children's)
local element = {}

---The first child element named name, or nil.
---@param name string
---@return owed.xml.element?
function element:child(name) end

---The child elements named name.
---@param name string
---@return owed.xml.element[]
function element:children_named(name) end

---The first element that path ("Stmt/Bal/Amt", names separated by '/') leads to from here,
---trying every branch in document order, or nil.
---@param path string
---@return owed.xml.element?
function element:path(path) end

---Every element named name below this one, at any depth, in document order.
---@param name string
---@return owed.xml.element[]
function element:all(name) end

---The trimmed text of el:path(path), or nil when there is no such element.
---@param path string
---@return string?
function element:text_of(path) end

owed.xml = {}

---Parses a document into a tree and returns its root element. Documents with a DTD are
---refused; nesting is limited to 256. Raises with the place:
---"owed.xml.parse: not well-formed (invalid token) at line 12 column 3".
---With opts.each, every element of that local name is handed to opts.fn(element, parent,
---grandparent) as soon as it ends, and left out of the tree (the ancestors are still being
---read: what precedes the element is there): a statement of 100,000 entries is read one
---entry at a time instead of held whole. An error raised by fn stops the parse.
---With opts.flat as well, each such element is handed over as a record instead: one table
---from paths below it to their trimmed text, `r["Amt"]`, `r["Amt@Ccy"]` (an attribute),
---`r["NtryDtls/TxDtls/Refs/EndToEndId"]`, `r["@name"]` (the element's own attribute). Every
---element below has its key ("" without text), and the k-th element of one name under one
---parent (k > 1) is written Name[k]: `r["NtryDtls/TxDtls[2]/Refs/EndToEndId"]`. A record costs
---one table and no Lua call per element: a third of the time of the element's tree.
---@param text string
---@param opts? { each: string, flat: boolean?, fn: fun(element: owed.xml.element|table<string, string>, parent: owed.xml.element, grandparent: owed.xml.element?) }
---@return owed.xml.element
function owed.xml.parse(text, opts) end

---@class owed.xml.handlers
---@field start? fun(name: string, attrs: table<string, string>, ns: string?)
---@field end? fun(name: string, text: string) text is the element's own text

---Parses a document without building a tree, calling handlers for each element in document
---order; for large statements. An error raised by a handler stops the parse and is re-raised.
---@param text string
---@param handlers owed.xml.handlers
function owed.xml.stream(text, handlers) end

-- ==========================================================================================
-- owed.template
-- ==========================================================================================

owed.template = {}

---@class owed.template.opts
---@field escape? "html"|"none" escape & < > " ' in values (default "none")
---@field strict? boolean a missing value is an error instead of "" (default false)
---@field locale? "nl-NL"|"nl-BE"|"fr-BE"|"en"|"C" money and number without argument ("nl-NL")
---@field lang? "nl"|"fr"|"en" for date without argument (default "nl")

---Fills in a template; no code runs inside it.
---
---    {{ debtor.name }}                  a value by its path into data; list.1 is an index
---    {{{ html }}}  {{ html | raw }}     never escaped
---    {{ amount | money "nl-NL" }}       € 1.234,56
---    {{ due | date "nl" }}              3 maart 2026
---    {{ n | number }}                   1.234 (integers and money, grouped per locale)
---    {{ s | upper }}  {{ s | lower }}   {{ s | default "-" }}
---    {% for inv in invoices %}{{ loop.index }}{% end %}   loop.index, first, last, length
---    {% if [not] path %}..{% else %}..{% end %}   false for nil, false, "" and {}
---    {# comment #}
---
---A {% %} or {# #} tag alone on its line takes the whole line with it. Errors name the line:
---"owed.template.render: line 4: unclosed {% for %}".
---@param text string
---@param data? table
---@param opts? owed.template.opts
---@return string
function owed.template.render(text, data, opts) end

-- ---------------------------------------------------------------- owed.http

---Outbound HTTP(S), asynchronous under the hood: the hook yields while the request runs
---and resumes with the result. Only hosts in the manifest's needs.hosts are reachable.
---@class owed.http
owed.http = {}

---@class owed.http.response
---@field status integer the HTTP status code
---@field headers table<string, string> response headers, names in lower case
---@field body string the response body

---@class owed.http.options
---@field url string http:// or https:// URL
---@field method? string GET, POST, PUT, DELETE, PATCH; default GET (POST with a body)
---@field headers? table<string, string>
---@field body? string request body
---@field json? table encoded as JSON and sent with Content-Type: application/json
---@field timeout? integer milliseconds for the whole request; default 30000

---Makes a request. Redirects are not followed; 4xx and 5xx are answers, not errors.
---@param opts owed.http.options
---@return owed.http.response|nil response nil when the transfer failed
---@return string|nil message why it failed ("timeout: ...")
---@return string|nil kind timeout, refused, resolve, tls, too_large, truncated, other
function owed.http.request(opts) end

---GET url.
---@param url string
---@param opts? owed.http.options
---@return owed.http.response|nil response
---@return string|nil message
---@return string|nil kind
function owed.http.get(url, opts) end

---POST body (a string) or a table (sent as JSON) to url.
---@param url string
---@param body string|table
---@param opts? owed.http.options
---@return owed.http.response|nil response
---@return string|nil message
---@return string|nil kind
function owed.http.post(url, body, opts) end

-- ---------------------------------------------------------------- owed.mail

---Sending e-mail over SMTP (STARTTLS when the server offers it), asynchronous under the hood.
---@class owed.mail
owed.mail = {}

---@class owed.mail.attachment
---@field filename string
---@field content_type? string default application/octet-stream
---@field data string the bytes

---@class owed.mail.message
---@field url string smtp://host:port or smtps://host:port (host in needs.hosts)
---@field username? string
---@field password? string usually owed.secret("...")
---@field from string sender address
---@field to string|string[] one or more recipient addresses
---@field subject? string UTF-8
---@field text? string the plain-text body
---@field html? string an HTML alternative
---@field attachments? owed.mail.attachment[]
---@field message_id? string makes a retried message recognisable
---@field timeout? integer milliseconds; default 60000

---Sends one message to every recipient.
---@param msg owed.mail.message
---@return { status: integer }|nil result status is the SMTP reply code (250)
---@return string|nil message why it failed
---@return string|nil kind refused, timeout, tls, rejected (the server said no), other
function owed.mail.send(msg) end

-- ---------------------------------------------------------------- owed.ledger

---The ledger: reads give tables (amounts as owed.money, dates as "YYYY-MM-DD"); writes go
---through the same rules as the CLI and name the plugin in the dossier.
---@class owed.ledger
owed.ledger = {}

---@class owed.ledger.invoice
---@field number string
---@field debtor string the debtor's number
---@field debtor_name string
---@field issue_date string
---@field due_date string
---@field currency string
---@field amount owed.money including VAT
---@field vat owed.money
---@field charges owed.money fees and interest added
---@field allocated owed.money paid
---@field credited owed.money
---@field written_off owed.money
---@field open owed.money amount + charges - allocated - credited - written_off
---@field reference string payment reference, canonical form
---@field description string
---@field status "open"|"paid"|"closed"

---The administration (the creditor) of the open ledger.
---@return table administration code, name, address, country, kvk, vat, iban, currency, terms_days
function owed.ledger.administration() end

---A debtor by number, with its open and overdue totals; nil if there is none.
---@param number string
---@return table|nil debtor
function owed.ledger.debtor(number) end

---Every debtor, by number.
---@return table[] debtors
function owed.ledger.debtors() end

---An invoice by number; nil if there is none.
---@param number string
---@return owed.ledger.invoice|nil invoice
function owed.ledger.invoice(number) end

---The invoice carrying a payment reference, in any notation owed accepts (betalingskenmerk,
---OGM/VCS with or without +++, RF with or without spaces); nil when none does or the text is
---no valid reference, and nil plus why when two invoices carry it.
---@param reference string
---@return owed.ledger.invoice|nil invoice
---@return string|nil why
function owed.ledger.invoice_by_reference(reference) end

---The numbers of the debtors whose IBAN is this one (any spacing or case), oldest first.
---@param iban string
---@return string[] numbers
function owed.ledger.debtors_by_iban(iban) end

---Invoices, oldest due first.
---@param query? { debtor?: string, open?: boolean, overdue?: boolean, limit?: integer }
---@return owed.ledger.invoice[] invoices
function owed.ledger.invoices(query) end

---Payments, oldest first.
---@param query? { debtor?: string }
---@return table[] payments id, date, currency, amount, unallocated, counterparty, iban, remittance, source, returned, review
function owed.ledger.payments(query) end

---The dossier of a debtor or an invoice, oldest event first; payload is JSON text.
---@param query { debtor?: string, invoice?: string }
---@return table[] events id, at, actor, entity, kind, payload
function owed.ledger.history(query) end

---Adds a charge (a fee, collection costs, interest) to an invoice.
---@param invoice string the invoice number
---@param charge { amount: owed.money, kind?: string, date?: string, description?: string }
---@return owed.ledger.invoice invoice as it is after
function owed.ledger.charge(invoice, charge) end

---Books a payment received from the invoice's debtor and allocates it to the invoice as far
---as the invoice is open; the rest (all of it when nothing is open) stays as the debtor's
---credit. One transaction, with the dossier events "received" and "allocated" naming the
---plugin. Raises when the invoice does not exist, the amount is not above zero or its
---currency is not the invoice's.
---@param invoice string the invoice number
---@param payment { amount: owed.money, date?: string, counterparty?: string, iban?: string, remittance?: string, source?: string }
---@return table payment id, date, currency, amount, unallocated, counterparty, iban, remittance, source
function owed.ledger.pay(invoice, payment) end

-- ---------------------------------------------------------------- owed.store

---The plugin's own key/value store in the ledger database. Values are anything owed.json
---can encode; no other plugin sees them.
---@class owed.store
owed.store = {}

---@param key string
---@return any value nil if the key is not set
function owed.store.get(key) end

---@param key string
---@param value any nil deletes the key
function owed.store.set(key, value) end

---The plugin's keys that start with prefix, sorted.
---@param prefix? string
---@return string[] keys
function owed.store.keys(prefix) end

-- ---------------------------------------------------------------- owed.log

---The log, under the plugin's name. With more than one argument, the first is a
---string.format pattern. (print writes to the log at info level too.)
---@class owed.log
owed.log = {}

---@param fmt any
---@param ... any
function owed.log.debug(fmt, ...) end

---@param fmt any
---@param ... any
function owed.log.info(fmt, ...) end

---@param fmt any
---@param ... any
function owed.log.warn(fmt, ...) end

---@param fmt any
---@param ... any
function owed.log.error(fmt, ...) end

-- ---------------------------------------------------------------- owed.secret, owed.config

---A secret the manifest declares (needs.secrets), from OWED_SECRET_<NAME> or the secrets
---file ($OWED_HOME/secrets, mode 0600). Raises if it is not declared or not set.
---@param name string
---@return string value
function owed.secret(name) end

---The plugin's configuration, validated against the manifest's config schema (read-only).
---Only in plugins, not in scripts.
---@type table<string, any>
owed.config = {}

---The host's version, e.g. "0.1.0".
---@type string
owed.version = ""

---The API version plugins declare in api_version.
---@type integer
owed.api_version = 1

---A file of the plugin's own folder (a template, a rate table), as a string. Names are
---relative to the folder ("templates/herinnering.nl.txt") and cannot leave it.
---@param name string
---@return string contents
function owed.resource(name) end

-- ---------------------------------------------------------------- owed.crypto

---Checking that a webhook comes from its partner (docs/webhooks.md): the partner signs the
---request with a secret both sides know, usually an HMAC-SHA-256 over a timestamp and the
---body; the plugin computes the same and compares.
---@class owed.crypto
owed.crypto = {}

---HMAC-SHA-256 (RFC 2104) of data under key: 64 lowercase hex digits, or with "raw" the 32
---bytes (for partners that send base64: encode them and compare).
---@param key string the shared secret (owed.secret)
---@param data string the signed bytes, exactly as received
---@param form? string "hex" (default) or "raw"
---@return string mac
function owed.crypto.hmac_sha256(key, data, form) end

---Whether two strings are the same, taking the same time wherever they first differ (so a
---forger learns nothing from how long a wrong guess took). Strings of different lengths are
---unequal at once: a signature's length is no secret.
---@param a string
---@param b string
---@return boolean same
function owed.crypto.equal(a, b) end

---Whether the timestamp a partner signed (Unix seconds, an integer or a string of digits) is
---within tolerance_s seconds of now, before or after: an old request replayed is refused
---even with its valid signature. A malformed ts gives false, not an error.
---@param ts integer|string
---@param tolerance_s integer e.g. 300
---@param now? integer Unix seconds; default the clock (give req.received_at in a webhook)
---@return boolean fresh
function owed.crypto.fresh(ts, tolerance_s, now) end

-- ---------------------------------------------------------------- owed.webhook

---A partner's events, each acted on once. In a connector plugin, `owed serve` hands
---POST /hooks/<plugin>/<path> to the hook webhook(req), with req = { path, query, headers
---(names lower-case), body (the raw bytes), received_at (Unix seconds) }; it returns
---{ status = 200, body = "...", headers = { ["content-type"] = "..." } }.
---@class owed.webhook
owed.webhook = {}

---Runs fn for the partner's event event_id unless that event was acted on before. The event
---id is recorded in the same transaction as every ledger write fn makes: both are kept or
---neither, so a duplicate changes nothing and a retry of a failed or interrupted event acts.
---fn cannot wait on the network (owed.http raises inside it): fetch first, then act. When fn
---raises, all it did is undone and the error goes on up.
---@param event_id string the partner's id of the event, 1 to 255 bytes
---@param fn function does what the event asks
---@return boolean acted false when the event was acted on before (fn did not run)
---@return any ... fn's results
function owed.webhook.once(event_id, fn) end

-- ---------------------------------------------------------------- owed.pdf

---Letters as PDF documents: A4, the address placed for a window envelope (DIN 5008 form B,
---which also fits the Dutch and Belgian windows), text set in DejaVu Sans with the font
---embedded. The same doc gives the same bytes, so a letter's hash can go in the dossier.
---@class owed.pdf
owed.pdf = {}

---@class owed.pdf.table
---@field head? string[] the column heads, bold, with a rule under them
---@field rows? string[][] each row as many cells as there are columns
---@field align? string a letter per column: l, r (amounts) or c; default all l
---@field total? string[] a last row, bold, with a rule over it

---@class owed.pdf.block
---@field text? string a paragraph
---@field bold? boolean
---@field table? owed.pdf.table instead of text

---@class owed.pdf.doc
---@field recipient string[] the address, 1 to 6 lines, in the envelope window
---@field sender? string[] the letterhead, top right, up to 8 lines; the first is bold
---@field sender_details? string[] small print in every page's footer (KvK, BTW, IBAN)
---@field return_address? string one small line above the address
---@field place_date? string "Amsterdam, 3 maart 2026", under the address
---@field reference? string|string[] line(s) under the date
---@field subject? string in bold, before the body
---@field body (string|owed.pdf.block)[] paragraphs (a string is one) and tables, in order
---@field lang? string "nl" (default), "fr", "en", "nl-BE": how text breaks into lines
---@field title? string the PDF's title; default the subject
---@field date_iso? string "YYYY-MM-DD": the PDF's creation date; without it there is none

---The letter as a PDF (the bytes). Paragraphs wrap to the text width and go on over pages;
---a table's columns fit the text width, a row never splits; with more than one page the
---footer says "1/2". An address line too long for the window makes the address smaller (down
---to 7 pt), then is an error. Text must be UTF-8, amounts already formatted
---(m:format("nl-NL")). Raises on a field it does not know, or beyond 200 pages:
---"owed.pdf.letter: body[2].table.rows[3] has 4 cells, not 5". In a hook the letter is set
---in a thread of its own while the hook waits, as for owed.http; elsewhere it is set in place.
---@param doc owed.pdf.doc
---@return string pdf
function owed.pdf.letter(doc) end

-- ---------------------------------------------------------------- owed.files

---Files the plugin hands on: letters for a print-and-post service, dossiers for a collection
---agency. Everything goes below the outgoing folder ($OWED_HOME/outgoing, or owed.conf's
---outgoing), in a folder of the plugin's name.
---@class owed.files
owed.files = {}

---Writes data to <outgoing>/<plugin>/<name> whole or not at all (written aside, then renamed).
---@param name string a relative path; folders are created
---@param data string the bytes
---@return string path where it was written
function owed.files.write(name, data) end

---The letters sent in a debtor's cases, oldest first.
---@param query { debtor: string }
---@return { id: integer, step: string, date: string, subject: string, lang: string, sha256: string, file: string, pdf?: string }[] letters
function owed.ledger.letters(query) end
