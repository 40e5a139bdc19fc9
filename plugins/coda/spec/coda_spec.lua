-- coda: parse and check with a small hand-built CODA file (records laid out by column).
local testing = require("owed.testing")

-- a 128-character record: fields { column, text } put on a line of spaces
local function rec(fields)
  local l = string.rep(" ", 128)
  for _, f in ipairs(fields) do
    local c, t = f[1], f[2]
    l = l:sub(1, c - 1) .. t .. l:sub(c + #t)
  end
  assert(#l == 128)
  return l
end

local HEADER = rec { { 1, "00000" }, { 6, "030326" }, { 12, "725" }, { 15, "05" }, { 35, "OWED NV" },
                     { 61, "KREDBEBB" }, { 128, "2" } }
local OLD = rec { { 1, "12" }, { 3, "017" }, { 6, "BE68539007547034" }, { 40, "EUR" }, { 43, "0" },
                  { 44, "000000001000000" }, { 59, "020326" }, { 65, "OWED NV" }, { 126, "017" } }
-- a credit of 250.00 with OGM +++090/9337/55493+++ from BE71096123456769 "Peeters BVBA"
local M1 = rec { { 1, "21" }, { 3, "0001" }, { 7, "0000" }, { 11, "REF-0001" }, { 32, "0" },
                 { 33, "000000000250000" }, { 48, "030326" }, { 54, "00150000" }, { 62, "1" },
                 { 63, "101" }, { 66, "090933755493" }, { 116, "030326" }, { 122, "017" }, { 125, "0" },
                 { 126, "1" }, { 128, "0" } }
local M1_2 = rec { { 1, "22" }, { 3, "0001" }, { 7, "0000" }, { 99, "GKCCBEBB" }, { 126, "1" } }
local M1_3 = rec { { 1, "23" }, { 3, "0001" }, { 7, "0000" }, { 11, "BE71096123456769" },
                   { 48, "Peeters BVBA" }, { 126, "0" } }
-- a debit of 12.34 with free communication over 2.1 and 2.2
local M2 = rec { { 1, "21" }, { 3, "0002" }, { 7, "0000" }, { 11, "REF-0002" }, { 32, "1" },
                 { 33, "000000000012340" }, { 48, "030326" }, { 54, "00130000" }, { 62, "0" },
                 { 63, "Bank costs March" }, { 116, "030326" }, { 122, "017" }, { 126, "1" } }
local M2_2 = rec { { 1, "22" }, { 3, "0002" }, { 7, "0000" }, { 11, "and April" }, { 126, "0" } }
-- 1000.00 + 250.00 - 12.34 = 1237.66
local NEW = rec { { 1, "8" }, { 2, "017" }, { 5, "BE68539007547034" }, { 39, "EUR" }, { 42, "0" },
                  { 43, "000000001237660" }, { 58, "030326" } }
local TRAILER = rec { { 1, "9" }, { 17, "000008" }, { 23, "000000000012340" }, { 38, "000000000250000" },
                      { 128, "2" } }

local FILE = table.concat({ HEADER, OLD, M1, M1_2, M1_3, M2, M2_2, NEW, TRAILER }, "\r\n")

describe("coda", function()
  local p
  before_each(function() p = testing.plugin("coda") end)

  local function failure(text, opts)
    local ok, err = pcall(p.call, p, "parse", text, opts)
    assert.is_false(ok)
    return tostring(err)
  end

  it("reads a statement with an OGM and a free communication", function()
    local r = p:call("parse", FILE)
    assert.are.equal("coda", r.format)
    assert.are.equal(1, #r.statements)
    local s = r.statements[1]
    assert.are.equal("017", s.id)
    assert.are.equal("BE68539007547034", s.account)
    assert.are.equal("EUR", s.currency)
    assert.are.equal("1000.00 EUR", s.opening.amount)
    assert.are.equal("2026-03-02", s.opening.date)
    assert.are.equal("1237.66 EUR", s.closing.amount)
    assert.are.equal("2026-03-03", s.date)
    assert.are.equal(2, #s.entries)
    local e = s.entries[1]
    assert.are.equal("250.00 EUR", e.amount)
    assert.is_true(e.credit)
    assert.is_false(e.reversal)
    assert.are.equal("REF-0001", e.reference)
    assert.are.equal("2026-03-03", e.value_date)
    assert.are.equal("2026-03-03", e.booking_date)
    assert.are.equal("+++090/9337/55493+++", e.structured)
    assert.are.equal("ogm", e.structured_scheme)
    assert.are.same({ iban = "BE71096123456769", name = "Peeters BVBA", bic = "GKCCBEBB" }, e.counterparty)
    local d = s.entries[2]
    assert.are.equal("12.34 EUR", d.amount)
    assert.is_false(d.credit)
    assert.are.equal("Bank costs March and April", d.remittance)
    assert.is_nil(d.structured)
    assert.are.same({ ok = true }, p:call("check", r))
  end)

  it("books a globalised movement once, with its details as a batch", function()
    local glob = M2:sub(1, 124) .. "1" .. M2:sub(126)
    local det = function(n, amt)
      return rec { { 1, "21" }, { 3, "0002" }, { 7, n }, { 32, "1" }, { 33, amt }, { 48, "030326" },
                   { 54, "50130000" }, { 62, "0" }, { 63, "detail " .. n }, { 116, "030326" }, { 126, "0" } }
    end
    local f = table.concat({ HEADER, OLD, M1, M1_2, M1_3, glob, M2_2, det("0001", "000000000010000"),
                             det("0002", "000000000002340"), NEW, TRAILER }, "\n")
    local s = p:call("parse", f).statements[1]
    assert.are.equal(2, #s.entries)
    assert.are.equal(2, s.entries[2].batch)
    assert.are.equal("10.00 EUR", s.entries[2].details[1].amount)
    assert.are.equal("detail 0002", s.entries[2].details[2].remittance)
    assert.are.same({ ok = true }, p:call("check", p:call("parse", f)))
  end)

  it("reports a wrong new balance with the figures", function()
    local r = p:call("parse", (FILE:gsub("000000001237660", "000000001247660")))
    assert.are.same({ ok = false, problems = {
      "statement 017: opening 1000.00 + entries 237.66 = 1237.66, closing says 1247.66" } },
      p:call("check", r))
  end)

  it("refuses a record of the wrong length, naming the line", function()
    local short = FILE:gsub("Peeters BVBA    ", "Peeters BVBA   ")
    assert.matches("coda: line 5: record is 127 characters long %(expected 128%)", failure(short))
  end)

  it("refuses impossible dates and sub-cent amounts unless opts.round", function()
    local bad = FILE:gsub("020326", "300226", 1)
    assert.matches("coda: line 2: record 1: old balance date '300226' is 2026%-02%-30, a day that does not exist",
                   failure(bad))
    local milli = FILE:gsub("000000000250000", "000000000250005", 1)
    assert.matches("line 3: record 2.1: amount: amount '000000000250.005' has 3 decimals, EUR has 2", failure(milli))
    local r = p:call("parse", milli, { round = true })
    assert.are.equal("250.01 EUR", r.statements[1].entries[1].amount)
  end)

  it("refuses a file that ends inside a statement", function()
    local cut = table.concat({ HEADER, OLD, M1 }, "\n")
    assert.matches("ends inside a statement", failure(cut))
  end)
end)
