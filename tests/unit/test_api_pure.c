/*
 * test_api_pure.c -- the pure owed.* modules (money, date, json, xml, template) seen from Lua.
 *
 * Each test gets a plain lua_State with the standard libraries and a global `owed` holding
 * just these five modules, opened directly, so nothing here depends on the runtime.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "api/api.h"

static int setup(void **state)
{
	static const struct { const char *name; lua_CFunction open; } mods[] = {
		{"money", api_open_money}, {"date", api_open_date}, {"json", api_open_json},
		{"xml", api_open_xml}, {"template", api_open_template}
	};
	lua_State *L = luaL_newstate();
	size_t i;

	luaL_openlibs(L);
	lua_newtable(L);
	for (i = 0; i < sizeof mods / sizeof mods[0]; i++) {
		lua_pushcfunction(L, mods[i].open);
		lua_call(L, 0, 1);
		lua_setfield(L, -2, mods[i].name);
	}
	lua_setglobal(L, "owed");
	*state = L;
	return 0;
}

static int teardown(void **state)
{
	lua_close(*state);
	return 0;
}

/* Runs code, which returns one value; its tostring must be want, exactly. */
static void expect_at(lua_State *L, const char *code, const char *want, int line)
{
	const char *got;

	if (luaL_dostring(L, code) != LUA_OK) {
		print_error("line %d: %s\n  raised: %s\n", line, code, lua_tostring(L, -1));
		fail();
	}
	got = luaL_tolstring(L, -1, NULL);
	if (strcmp(got, want) != 0) {
		print_error("line %d: %s\n  got:  [%s]\n  want: [%s]\n", line, code, got, want);
		fail();
	}
	lua_settop(L, 0);
}

/* Runs code, which must raise an error whose message contains part. */
static void expect_error_at(lua_State *L, const char *code, const char *part, int line)
{
	const char *msg;

	if (luaL_dostring(L, code) == LUA_OK) {
		print_error("line %d: %s\n  did not raise (wanted '%s')\n", line, code, part);
		fail();
	}
	msg = lua_tostring(L, -1);
	if (msg == NULL || strstr(msg, part) == NULL) {
		print_error("line %d: %s\n  raised: %s\n  wanted: %s\n", line, code,
		            msg != NULL ? msg : "(not a string)", part);
		fail();
	}
	lua_settop(L, 0);
}

#define expect(L, code, want)       expect_at(L, code, want, __LINE__)
#define expect_error(L, code, part) expect_error_at(L, code, part, __LINE__)


/* ---- owed.money ---- */

static void test_money_arithmetic(void **state)
{
	lua_State *L = *state;

	expect(L, "return tostring(owed.money('1234.56 EUR') + owed.money('0.44 EUR'))",
	       "1235.00 EUR");
	expect(L, "return tostring(owed.money('10.00 EUR') - owed.money('25.50 EUR'))",
	       "-15.50 EUR");
	expect(L, "return tostring(-owed.money('3.10 EUR'))", "-3.10 EUR");
	expect(L, "return tostring(owed.money('EUR 5'):add(owed.money('€ 1,50', nil, 'nl-NL')))",
	       "6.50 EUR");
	expect(L, "return owed.money('€ 1.234,56', nil, 'nl-NL'):minor()", "123456");
	expect(L, "return tostring(owed.money.parse('12.5', 'EUR'))", "12.50 EUR");
	expect(L, "return tostring(owed.money.parse('-€ 12,50', 'EUR', 'nl-NL'))", "-12.50 EUR");
	expect(L, "return tostring(owed.money.parse('USD 1,234.56', nil, 'en'))", "1234.56 USD");
	expect(L, "return tostring(owed.money('1500 JPY'))", "1500 JPY");
	expect(L, "return owed.money('2.500 KWD'):minor()", "2500");
	expect(L, "return tostring(owed.money.new(-1, 'EUR'))", "-0.01 EUR");
	expect(L, "return owed.money('7.00 EUR'):currency()", "EUR");
	expect(L, "return tostring(owed.money('-7.00 EUR'):abs())", "7.00 EUR");
	expect(L, "return tostring(owed.money('7.00 EUR'):neg())", "-7.00 EUR");
	expect(L, "return owed.money('0.00 EUR'):is_zero()", "true");
	expect(L, "return owed.money('-0.01 EUR'):is_negative()", "true");
	expect(L, "return owed.money.is(owed.money('1 EUR')) and not owed.money.is(1)", "true");
	expect(L, "return tostring(owed.money.new(math.maxinteger, 'EUR'))",
	       "92233720368547758.07 EUR");
}

static void test_money_errors(void **state)
{
	lua_State *L = *state;

	expect_error(L, "return owed.money('1 EUR') + owed.money('1 USD')",
	             "owed.money.add: currencies differ (EUR, USD)");
	expect_error(L, "return owed.money('1 EUR'):sub(owed.money('1 USD'))",
	             "owed.money.sub: currencies differ (EUR, USD)");
	expect_error(L, "return owed.money.new(math.maxinteger, 'EUR') + owed.money('0.01 EUR')",
	             "owed.money.add: amount overflows");
	expect_error(L, "return -owed.money.new(math.mininteger, 'EUR')",
	             "owed.money.neg: amount overflows");
	expect_error(L, "return owed.money.new(1.5, 'EUR')",
	             "owed.money.new: minor units must be an integer");
	expect_error(L, "return owed.money.new(150, 'eur')", "bad currency 'eur'");
	expect_error(L, "return owed.money('12.50')", "no currency in '12.50'");
	expect_error(L, "return owed.money.parse('12.50 EUR', 'USD')",
	             "currencies differ (EUR in the text, USD given)");
	expect_error(L, "return owed.money('12,50 EUR')", "not an amount in locale C: '12,50 EUR'");
	expect_error(L, "return owed.money('12 EUR 50')", "not an amount");
	expect_error(L, "return owed.money('1 EUR', nil, 'de-DE')", "unknown locale 'de-DE'");
	expect_error(L, "return owed.money('1 EUR') + 1",
	             "owed.money.add: bad argument #2 (expected money, got number)");
	expect_error(L, "return owed.money('1 EUR'):add('2 EUR')",
	             "owed.money.add: bad argument #1 (expected money, got '2 EUR')");
	expect_error(L, "return owed.money('999999999999999999 EUR')", "amount overflows");
}

static void test_money_compare(void **state)
{
	lua_State *L = *state;

	expect(L, "return owed.money('1.00 EUR') < owed.money('1.01 EUR')", "true");
	expect(L, "return owed.money('1.01 EUR') <= owed.money('1.01 EUR')", "true");
	expect(L, "return owed.money('2 EUR') > owed.money('1.99 EUR')", "true");
	expect(L, "return owed.money('1 EUR') == owed.money('1.00 EUR')", "true");
	expect(L, "return owed.money('1 EUR') == owed.money('1 USD')", "false");
	expect(L, "return owed.money('1 EUR') == 1", "false");
	expect(L, "return owed.money('3 EUR'):cmp(owed.money('2 EUR'))", "1");
	expect(L, "return owed.money('2 EUR'):cmp(owed.money('2 EUR'))", "0");
	expect(L, "return tostring(owed.money('3 EUR'):min(owed.money('2 EUR')))", "2.00 EUR");
	expect(L, "return tostring(owed.money('3 EUR'):max(owed.money('2 EUR')))", "3.00 EUR");
	expect_error(L, "return owed.money('1 EUR') < owed.money('2 USD')",
	             "owed.money.cmp: currencies differ (EUR, USD)");
	expect_error(L, "return owed.money('1 EUR') < 25", "cannot compare money with number");
	expect_error(L, "return 25 <= owed.money('1 EUR')", "cannot compare money with number");
}

static void test_money_percent_split(void **state)
{
	lua_State *L = *state;

	/* 15% of 266.67 is 40.0005: 4000.05 cents, half up to 4000 */
	expect(L, "return tostring(owed.money('266.67 EUR'):percent(15))", "40.00 EUR");
	expect(L, "return tostring(owed.money('266.70 EUR'):percent('15'))", "40.01 EUR");
	expect(L, "return tostring(owed.money('0.10 EUR'):percent('25', 'half_up'))", "0.03 EUR");
	expect(L, "return tostring(owed.money('0.10 EUR'):percent('25', 'half_even'))",
	       "0.02 EUR");
	expect(L, "return tostring(owed.money('0.10 EUR'):percent('25', 'down'))", "0.02 EUR");
	expect(L, "return tostring(owed.money('-0.10 EUR'):percent('25', 'floor'))", "-0.03 EUR");
	expect(L, "return tostring(owed.money('1000.00 EUR'):percent('11.15'))", "111.50 EUR");
	expect(L, "return tostring(owed.money('100.00 EUR'):mul_ratio(1, 3))", "33.33 EUR");
	expect(L, "return tostring(owed.money('100.00 EUR'):mul_ratio(2, 3, 'ceil'))", "66.67 EUR");
	expect_error(L, "return owed.money('1 EUR'):percent(15.5)",
	             "rate must be a string such as '11.15' or an integer, not a float");
	expect_error(L, "return owed.money('1 EUR'):percent('11,15')", "bad rate '11,15'");
	expect_error(L, "return owed.money('1 EUR'):percent(1, 'halfup')", "unknown rounding");
	expect_error(L, "return owed.money('1 EUR'):mul_ratio(1, 0)", "must be positive");

	expect(L, "local t = owed.money('100.00 EUR'):split({1, 1, 1})\n"
	          "return tostring(t[1]) .. ' ' .. tostring(t[2]) .. ' ' .. tostring(t[3])",
	       "33.34 EUR 33.33 EUR 33.33 EUR");
	expect(L, "local total = owed.money('1000.01 EUR')\n"
	          "local parts = total:split({3, 7, 11, 13, 0})\n"
	          "local sum = owed.money('0 EUR')\n"
	          "for _, p in ipairs(parts) do sum = sum + p end\n"
	          "return sum == total and parts[5]:is_zero()", "true");
	expect(L, "local t = owed.money('10.00 EUR'):split({owed.money('1 EUR'),"
	          " owed.money('3 EUR')})\nreturn tostring(t[2])", "7.50 EUR");
	expect_error(L, "return owed.money('1 EUR'):split({0, 0})", "nor all 0");
	expect_error(L, "return owed.money('1 EUR'):split({1.5})", "weight 1 must be an integer");
}

static void test_money_format(void **state)
{
	lua_State *L = *state;

	expect(L, "return owed.money('1234.56 EUR'):format('nl-NL')", "€ 1.234,56");
	expect(L, "return owed.money('-1234.56 EUR'):format('en')", "-€1,234.56");
	expect(L, "return owed.money('1234.56 EUR'):format('fr-BE')",
	       "1\xC2\xA0" "234,56\xC2\xA0€");
	expect(L, "return owed.money('1234.56 USD'):format('nl-BE')", "USD 1.234,56");
	expect(L, "return owed.money('1234.56 EUR'):format('nl-NL', {symbol = false})",
	       "1.234,56");
	expect(L, "return owed.money('1234.56 EUR'):format()", "1234.56");
}


/* ---- owed.date ---- */

static void test_date_arithmetic(void **state)
{
	lua_State *L = *state;

	expect(L, "return owed.date.add_days('2026-02-27', 2)", "2026-03-01");
	expect(L, "return owed.date.add_days('2024-02-28', 1)", "2024-02-29");
	expect(L, "return owed.date.add_months('2026-01-31', 1)", "2026-02-28");
	expect(L, "return owed.date.add_months('2024-01-31', 1)", "2024-02-29");
	expect(L, "return owed.date.add_months('2026-03-31', -1)", "2026-02-28");
	expect(L, "return owed.date.add_years('2024-02-29', 1)", "2025-02-28");
	expect(L, "return owed.date.diff('2026-01-01', '2026-03-01')", "59");
	expect(L, "return owed.date.diff('2026-03-01', '2026-01-01')", "-59");
	expect(L, "return owed.date.weekday('2026-04-03')", "5");
	expect(L, "return owed.date.easter(2026)", "2026-04-05");
	expect(L, "return owed.date.parse('3-4-2026')", "2026-04-03");
	expect(L, "return owed.date.parse('20260403')", "2026-04-03");
	expect(L, "return owed.date.valid('2026-02-29')", "false");
	expect(L, "return owed.date.valid('2024-02-29')", "true");
	expect(L, "return owed.date.valid(20240229)", "false");
	expect(L, "return table.concat({owed.date.ymd('2026-04-03')}, ' ')", "2026 4 3");
	expect(L, "return owed.date.from_ymd(2026, 4, 3)", "2026-04-03");
	expect(L, "return owed.date.format('2026-03-03', 'nl')", "3 maart 2026");
	expect(L, "return owed.date.format('2026-03-01', 'fr')", "1er mars 2026");
	expect(L, "return owed.date.format('2026-12-03', 'fr')", "3 d\xC3\xA9" "cembre 2026");
	expect(L, "return owed.date.format('2026-03-03', 'en')", "3 March 2026");
	setenv("OWED_TODAY", "2026-03-03", 1);
	expect(L, "return owed.date.today()", "2026-03-03");
	unsetenv("OWED_TODAY");
}

static void test_date_business(void **state)
{
	lua_State *L = *state;

	/* Easter Monday 6 April 2026: Friday 3 April + 1 business day is Tuesday 7 April */
	expect(L, "return owed.date.add_business_days('2026-04-03', 1, 'NL')", "2026-04-07");
	expect(L, "return owed.date.add_business_days('2026-04-03', 1, 'XX')", "2026-04-06");
	expect(L, "return owed.date.add_business_days('2026-04-07', -1, 'NL')", "2026-04-03");
	expect(L, "return owed.date.next_business_day('2026-04-04', 'NL')", "2026-04-07");
	expect(L, "return owed.date.next_business_day('2026-04-03', 'NL')", "2026-04-03");
	expect(L, "return owed.date.is_business_day('2026-04-06', 'NL')", "false");
	expect(L, "local h, name = owed.date.is_holiday('2026-04-06', 'nl')\n"
	          "return tostring(h) .. ' ' .. name", "true Tweede Paasdag");
	expect(L, "return owed.date.is_holiday('2026-04-07', 'NL')", "false");
}

static void test_date_errors(void **state)
{
	lua_State *L = *state;

	expect_error(L, "return owed.date.add_days('2026-13-01', 1)",
	             "owed.date.add_days: bad argument #1 (expected a date YYYY-MM-DD, got "
	             "'2026-13-01')");
	expect_error(L, "return owed.date.add_days('03-04-2026', 1)", "got '03-04-2026'");
	expect_error(L, "return owed.date.add_days('2026-01-01', 1.5)",
	             "bad argument #2 (expected an integer, got number)");
	expect_error(L, "return owed.date.add_days('9999-12-31', 1)",
	             "owed.date.add_days: date out of range");
	expect_error(L, "return owed.date.add_months('2026-01-01', 1 << 40)", "date out of range");
	expect_error(L, "return owed.date.diff(nil, '2026-01-01')", "got nil");
	expect_error(L, "return owed.date.parse('31-02-2026')", "not a date: '31-02-2026'");
	expect_error(L, "return owed.date.format('2026-01-01', 'de')",
	             "bad argument #2 (expected a language 'nl', 'fr' or 'en', got 'de')");
	expect_error(L, "return owed.date.is_holiday('2026-01-01', 'NLD')",
	             "expected a country code such as 'NL', got 'NLD'");
	expect_error(L, "return owed.date.easter(0)", "expected a year 1..9999, got 0");
	expect_error(L, "return owed.date.from_ymd(2026, 2, 30)", "no such day: 2026-02-30");
}


/* ---- owed.json ---- */

static void test_json_roundtrip(void **state)
{
	lua_State *L = *state;

	expect(L, "return owed.json.encode({b = 1, a = {1, 2, 'x'}, c = true, d = 1.5})",
	       "{\"a\":[1,2,\"x\"],\"b\":1,\"c\":true,\"d\":1.5}");
	expect(L, "return owed.json.encode(9007199254740993)", "9007199254740993");
	expect(L, "return math.type(owed.json.decode('9007199254740993'))", "integer");
	expect(L, "return owed.json.decode('9007199254740993') == 9007199254740993", "true");
	expect(L, "return owed.json.encode(owed.json.decode("
	          "'[9007199254740993,-9223372036854775808]'))",
	       "[9007199254740993,-9223372036854775808]");
	expect(L, "return math.type(owed.json.decode('9223372036854775808'))", "float");
	expect(L, "return math.type(owed.json.decode('1.0'))", "float");
	expect(L, "return owed.json.encode(1.0)", "1.0");
	expect(L, "return owed.json.encode(0.1)", "0.1");
	expect(L, "return owed.json.encode(owed.json.decode('1e3'))", "1000.0");
	expect(L, "local v = owed.json.decode('{\"a\": {\"b\": [1, {\"c\": null}]}}')\n"
	          "return v.a.b[2].c == owed.json.null", "true");
	expect(L, "return owed.json.encode(owed.json.decode('[1, null, 3]'))", "[1,null,3]");
	expect(L, "return #owed.json.decode('[1, null, 3]')", "3");
	expect(L, "return owed.json.encode(owed.json.decode('{\"a\": [], \"b\": {}}'))",
	       "{\"a\":[],\"b\":{}}");
	expect(L, "return owed.json.encode({})", "{}");
	expect(L, "return owed.json.encode(owed.json.array())", "[]");
	expect(L, "return owed.json.decode('\"a\\\\u00e9\\\\ud83d\\\\ude00\\\\n\"')",
	       "a\xC3\xA9\xF0\x9F\x98\x80\n");
	expect(L, "return owed.json.encode('tab\\t\"q\" \\1 \\u{e9}')",
	       "\"tab\\t\\\"q\\\" \\u0001 \xC3\xA9\"");
	expect(L, "return owed.json.encode({amount = owed.money('1234.56 EUR')})",
	       "{\"amount\":\"1234.56\"}");
	expect(L, "return owed.json.encode({a = {1, 2}, b = {}}, {pretty = true})",
	       "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}");
}

static void test_json_errors(void **state)
{
	lua_State *L = *state;

	expect_error(L, "return owed.json.decode('{\\n  \"a\": 1,\\n  \"b\": [1, 2] \"c\"\\n}')",
	             "owed.json.decode: expected ',' or '}' at line 3 column 15");
	expect_error(L, "return owed.json.decode('[1, 2')", "expected ',' or ']' at the end");
	expect_error(L, "return owed.json.decode('')", "expected a value");
	expect_error(L, "return owed.json.decode('[01]')",
	             "expected ',' or ']' at line 1 column 3");
	expect_error(L, "return owed.json.decode('[1] x')", "unexpected text after the value");
	expect_error(L, "return owed.json.decode('\"\\\\ud800\"')", "half a surrogate pair");
	expect_error(L, "return owed.json.decode('\"\\xff\"')", "invalid UTF-8");
	expect_error(L, "return owed.json.decode(string.rep('[', 101) .. string.rep(']', 101))",
	             "nesting deeper than 100");
	expect_error(L, "local t = {} t.self = t return owed.json.encode(t)",
	             "a table contains itself at $.self");
	expect_error(L, "return owed.json.encode({a = {[1] = 1, [3] = 3}})",
	             "table is not an array (keys 1..n without holes) at $.a");
	expect_error(L, "return owed.json.encode({1, x = 2})", "table mixes string and other keys");
	expect_error(L, "return owed.json.encode({f = print})", "cannot encode a function at $.f");
	expect_error(L, "return owed.json.encode({{0/0}})", "cannot encode inf or nan at $[1][1]");
	expect_error(L, "return owed.json.encode('\\xff')", "string is not UTF-8");
}


/* ---- owed.xml ---- */

static const char camt[] =
	"local doc = owed.xml.parse([==[<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n"
	"  <BkToCstmrStmt>\n"
	"    <Stmt>\n"
	"      <Id> STMT-1 </Id>\n"
	"      <Bal><Tp>OPBD</Tp></Bal>\n"
	"      <Bal><Amt Ccy=\"EUR\">1234.56</Amt></Bal>\n"
	"      <Ntry><Amt Ccy=\"EUR\">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>\n"
	"      <Ntry><Amt Ccy=\"EUR\">25.50</Amt><NtryDtls><Ntry>nested</Ntry></NtryDtls></Ntry>\n"
	"      <Note>a <![CDATA[<b>]]> &amp; b</Note>\n"
	"    </Stmt>\n"
	"  </BkToCstmrStmt>\n"
	"</Document>]==])\n";

static void test_xml_tree(void **state)
{
	lua_State *L = *state;
	char code[2048];

#define CAMT(expr) (snprintf(code, sizeof code, "%sreturn %s", camt, expr), code)
	expect(L, CAMT("doc.name .. ' ' .. doc.ns"),
	       "Document urn:iso:std:iso:20022:tech:xsd:camt.053.001.02");
	expect(L, CAMT("doc:path('BkToCstmrStmt/Stmt/Bal/Amt').text"), "1234.56");
	expect(L, CAMT("doc:path('BkToCstmrStmt/Stmt/Bal/Amt').attrs.Ccy"), "EUR");
	expect(L, CAMT("doc:text_of('BkToCstmrStmt/Stmt/Id')"), "STMT-1");
	expect(L, CAMT("doc:text_of('BkToCstmrStmt/Stmt/Nope')"), "nil");
	expect(L, CAMT("#doc:all('Ntry')"), "3");
	expect(L, CAMT("doc:all('Ntry')[2]:text_of('Amt')"), "25.50");
	expect(L, CAMT("doc:all('Ntry')[3].text"), "nested");
	expect(L, CAMT("#doc:child('BkToCstmrStmt'):child('Stmt'):children_named('Bal')"), "2");
	expect(L, CAMT("doc:child('Stmt')"), "nil");
	expect(L, CAMT("doc:text_of('BkToCstmrStmt/Stmt/Note')"), "a <b> & b");
	expect(L, "return owed.xml.parse('<a xmlns:p=\"urn:x\" p:k=\"v\"><p:b/></a>')"
	          ".children[1].ns", "urn:x");
	expect(L, "return owed.xml.parse('<a xmlns:p=\"urn:x\" p:k=\"v\"/>').attrs.k", "v");
	expect(L, "return owed.xml.parse('<a/>').ns", "nil");
	expect_error(L, "return owed.xml.parse('<a/>'):path('a//b')", "bad path 'a//b'");
	/* an element without attributes or children shares read-only empty ones */
	expect(L, "local e = owed.xml.parse('<a/>') return #e.children .. tostring(next(e.attrs))",
	       "0nil");
	expect_error(L, "owed.xml.parse('<a/>').attrs.k = 1", "empty attrs and children are read-only");
	expect(L, "local e = owed.xml.parse('<a><b/><c x=\"1\"/></a>') "
	          "return #e.children .. e.children[2].attrs.x .. #e.children[1].children", "210");
	/* each: handed over as they end, left out of the tree, with parent and grandparent */
	expect(L, "local got = {} local root = owed.xml.parse('<r><s><id>1</id><n>x</n><n>y</n></s>"
	          "<s><n>z</n></s></r>', { each = 'n', fn = function(el, p, g) got[#got + 1] = "
	          "el.text .. p.name .. g.name .. #g.children end }) "
	          "return table.concat(got, ',') .. '|' .. #root.children[1].children .. "
	          "#root.children[2].children", "xsr1,ysr1,zsr2|10");
	expect_error(L, "owed.xml.parse('<r><n/></r>', { each = 'n', fn = function() error('boom', 0) end })",
	             "boom");
	expect_error(L, "owed.xml.parse('<r/>', { each = 'n' })", "opts.fn must be a function");
#undef CAMT
}

/* opts.flat: each-elements as records of path -> trimmed text, repeats as Name[k] */
static void test_xml_records(void **state)
{
	lua_State *L = *state;
	const char *doc = "local doc = '<D><S><Id>x</Id><N a=\"1\"><Amt Ccy=\"EUR\"> 1.00 </Amt>"
		"<T><R>r1</R><U>a</U><U>b</U></T><T><R>r2</R><U> </U></T><E/></N>"
		"<N><Amt Ccy=\"USD\">2</Amt><N>in</N></N></S></D>' ";
	char code[1024];

#define REC(expr) (snprintf(code, sizeof code, "%s local got = {} local root = owed.xml.parse(" \
	"doc, { each = 'N', flat = true, fn = function(r, p, g) local keys = {} " \
	"for k, v in pairs(r) do keys[#keys + 1] = k .. '=' .. v end table.sort(keys) " \
	"got[#got + 1] = p.name .. g.name .. ':' .. table.concat(keys, ' ') end }) return %s", \
	doc, expr), code)
	expect(L, REC("got[1]"), "SD:@a=1 Amt=1.00 Amt@Ccy=EUR E= T/R=r1 T/U=a T/U[2]=b T= "
	       "T[2]/R=r2 T[2]/U= T[2]=");
	/* a nested element of the same name is part of its record, not one of its own */
	expect(L, REC("got[2] .. ' ' .. #got"), "SD:Amt=2 Amt@Ccy=USD N=in 2");
	/* the records are left out of the tree; the rest of it is there */
	expect(L, REC("#root:child('S').children .. root:text_of('S/Id')"), "1x");
#undef REC
	expect_error(L, "owed.xml.parse('<r/>', { flat = true })", "opts.flat reads the elements");
	expect_error(L, "owed.xml.parse('<r><n/></r>', { each = 'n', flat = true, "
	             "fn = function() error('boom', 0) end })", "boom");
}

static void test_xml_stream(void **state)
{
	lua_State *L = *state;

	expect(L, "local log = {}\n"
	          "owed.xml.stream('<r xmlns=\"urn:r\"><e k=\"1\">x<f/>y</e></r>', {\n"
	          "  start = function(name, attrs, ns)\n"
	          "    log[#log + 1] = '+' .. name .. (attrs.k or '') .. '@' .. ns end,\n"
	          "  ['end'] = function(name, text)\n"
	          "    log[#log + 1] = '-' .. name .. ':' .. text end,\n"
	          "})\n"
	          "return table.concat(log, ' ')",
	       "+r@urn:r +e1@urn:r +f@urn:r -f: -e:xy -r:");
	expect_error(L, "owed.xml.stream('<r><e/></r>', {start = function(name)\n"
	                "  if name == 'e' then error('stop here', 0) end end})", "stop here");
}

static void test_xml_errors(void **state)
{
	lua_State *L = *state;

	expect_error(L, "return owed.xml.parse('<a>\\n<b>\\n</a>')",
	             "owed.xml.parse: mismatched tag at line 3 column 3");
	expect_error(L, "return owed.xml.parse('<a>\\n  <b <c/></a>')",
	             "owed.xml.parse: not well-formed (invalid token) at line 2 column 6");
	expect_error(L, "return owed.xml.parse([[<?xml version=\"1.0\"?>\n"
	                "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n"
	                "<lolz>&lol2;</lolz>]])",
	             "owed.xml.parse: DTDs are not accepted at line 2");
	expect_error(L, "return owed.xml.parse('<a>&foo;</a>')", "undefined entity");
	expect_error(L, "return owed.xml.parse('')", "no element found");
	expect_error(L, "return owed.xml.parse(string.rep('<a>', 257) .. string.rep('</a>', 257))",
	             "elements nested deeper than 256");
	expect(L, "return owed.xml.parse(string.rep('<a>', 256) .. 'x' .. string.rep('</a>', 256))"
	          ".name", "a");
}


/* ---- owed.template ---- */

static void test_template_values(void **state)
{
	lua_State *L = *state;

	expect(L, "return owed.template.render('Dear {{ debtor.name }},', "
	          "{debtor = {name = 'Jan'}})", "Dear Jan,");
	expect(L, "return owed.template.render('[{{ missing }}][{{ a.b.c }}]', {a = 1})", "[][]");
	expect(L, "return owed.template.render('{{ x | default \"-\" }} {{ y | default \"-\" }}',"
	          " {y = 'set'})", "- set");
	expect(L, "return owed.template.render('{{ amount | money \"nl-NL\" }}',"
	          " {amount = owed.money('1234.56 EUR')})", "€ 1.234,56");
	expect(L, "return owed.template.render('{{ amount | money }}',"
	          " {amount = owed.money('1234.56 EUR')}, {locale = 'en'})", "€1,234.56");
	expect(L, "return owed.template.render('{{ amount }}', {amount = owed.money('5 EUR')})",
	       "5.00 EUR");
	expect(L, "return owed.template.render('{{ due | date \"nl\" }} / {{ due | date \"fr\" }}"
	          " / {{ due | date }}', {due = '2026-03-01'}, {lang = 'en'})",
	       "1 maart 2026 / 1er mars 2026 / 1 March 2026");
	expect(L, "return owed.template.render('{{ n | number }} {{ m | number \"en\" }}',"
	          " {n = 1234567, m = owed.money('1234.5 EUR')})", "1.234.567 1,234.50");
	expect(L, "return owed.template.render('{{ s | upper }} {{ s | lower }}',"
	          " {s = 'Ïzër ab'})",
	       "ÏZËR AB ïzër ab");
	expect(L, "return owed.template.render('{{ list.2 }}', {list = {'a', 'b'}})", "b");
	expect(L, "return owed.template.render('{{ n }}/{{ b }}', {n = 42, b = false})",
	       "42/false");
	expect(L, "return owed.template.render('{# note #}a{{x}}b', {x = 1})", "a1b");
}

static void test_template_blocks(void **state)
{
	lua_State *L = *state;

	expect(L, "return owed.template.render([[\n"
	          "Openstaand:\n"
	          "{% for inv in invoices %}\n"
	          "  {{ loop.index }}. {{ inv.number }} {{ inv.open | money \"nl-NL\" }}"
	          "{% if not loop.last %},{% end %}\n"
	          "{% end %}\n"
	          "Einde]], {invoices = {\n"
	          "  {number = 'F-1', open = owed.money('10.00 EUR')},\n"
	          "  {number = 'F-2', open = owed.money('1234.50 EUR')},\n"
	          "}})",
	       "Openstaand:\n"
	       "  1. F-1 € 10,00,\n"
	       "  2. F-2 € 1.234,50\n"
	       "Einde");
	expect(L, "return owed.template.render('{% if a %}yes{% else %}no{% end %}', {a = 1})",
	       "yes");
	expect(L, "return owed.template.render('{% if a %}yes{% else %}no{% end %}', {a = ''})",
	       "no");
	expect(L, "return owed.template.render('{% if a %}yes{% else %}no{% end %}', {a = {}})",
	       "no");
	expect(L, "return owed.template.render('{% if a %}yes{% else %}no{% end %}', {})", "no");
	expect(L, "return owed.template.render("
	          "'{% for r in rows %}{% for c in r %}{{ c }}{% end %};{% end %}',"
	          " {rows = {{1, 2}, {3}}})", "12;3;");
	expect(L, "return owed.template.render('{% for x in xs %}{{ x }}{% end %}', {})", "");
}

static void test_template_escape(void **state)
{
	lua_State *L = *state;

	expect(L, "return owed.template.render('<p>{{ s }}</p>',"
	          " {s = [[<b>\"Tom & Jerry's\"</b>]]}, {escape = 'html'})",
	       "<p>&lt;b&gt;&quot;Tom &amp; Jerry&#39;s&quot;&lt;/b&gt;</p>");
	expect(L, "return owed.template.render('{{{ s }}}|{{ s | raw }}', {s = '<b>'},"
	          " {escape = 'html'})", "<b>|<b>");
	expect(L, "return owed.template.render('{{ s }}', {s = '<b>'})", "<b>");
}

static void test_template_errors(void **state)
{
	lua_State *L = *state;

	expect_error(L, "return owed.template.render('a\\nb\\nc\\n{% for x in xs %}\\nd', {})",
	             "owed.template.render: line 4: unclosed {% for %}");
	expect_error(L, "return owed.template.render('{% if a %}\\n{% if b %}{% end %}', {})",
	             "line 1: unclosed {% if %}");
	expect_error(L, "return owed.template.render('x\\n{{ a.b }}', {a = {}}, {strict = true})",
	             "line 2: 'a.b' is missing (opts.strict)");
	expect(L, "return owed.template.render('{{ a | default \"-\" }}', {}, {strict = true})",
	       "-");
	expect_error(L, "return owed.template.render('{{ a | monye }}', {})",
	             "line 1: unknown filter 'monye'");
	expect_error(L, "return owed.template.render('{{ a | money \"de\" }}', {})",
	             "unknown locale 'de'");
	expect_error(L, "return owed.template.render('{{ a | default }}', {})",
	             "filter 'default' needs an argument");
	expect_error(L, "return owed.template.render('\\n\\n{{ a ', {})", "line 3: unclosed {{");
	expect_error(L, "return owed.template.render('{% end %}', {})",
	             "{% end %} without a block");
	expect_error(L, "return owed.template.render('{% else %}', {})", "{% else %} outside");
	expect_error(L, "return owed.template.render('{% while x %}{% end %}', {})",
	             "unknown statement 'while'");
	expect_error(L, "return owed.template.render('{{ a + 1 }}', {})", "unexpected '+ 1 '");
	expect_error(L, "return owed.template.render('{{ a }}', {a = {}})",
	             "line 1: 'a' is a table, not text");
	expect_error(L, "return owed.template.render('{{ a | money }}', {a = 5})",
	             "money filter: 'a' is not money");
	expect_error(L, "return owed.template.render('{{ a | number }}', {a = 1.5})",
	             "floats are not written in letters");
	expect_error(L, "return owed.template.render('{{ d | date }}', {d = '1-1-2026'})",
	             "date filter: 'd' is not a date");
	expect_error(L, "return owed.template.render('{% for x in s %}{% end %}', {s = 'abc'})",
	             "'s' is not a list");
	expect_error(L, "return owed.template.render('x', {}, {escape = 'xml'})",
	             "opts.escape must be 'html' or 'none'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_money_arithmetic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_money_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_money_compare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_money_percent_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_money_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_date_arithmetic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_date_business, setup, teardown),
		cmocka_unit_test_setup_teardown(test_date_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xml_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xml_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xml_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xml_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
