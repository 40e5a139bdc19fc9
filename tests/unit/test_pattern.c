/*
 * test_pattern.c -- the sandbox's budgeted pattern matcher (runtime/pattern.c) against Lua's
 * own: every expression below must give the same results (or both fail) in a plain Lua state
 * and in a sandbox.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <string.h>

#include "runtime/sandbox.h"

static const char *const cases[] = {
	"string.find('hello world', 'o w')", "string.find('hello world', 'o', 6)",
	"string.find('a.b', '.', 1, true)", "string.find('abc', 'b', -1)", "string.find('abc', '')",
	"string.find('abc', '', 10)", "string.find('abc', '', 4)", "string.find('', '')",
	"string.find('hello', 'l+')", "string.find('hello', '(l)(l)')", "string.find('x=1', '()=()')",
	"string.match('key = value', '(%w+)%s*=%s*(%w+)')", "string.match('2026-03-11', '^(%d+)-(%d+)-(%d+)$')",
	"string.match('  trim  ', '^%s*(.-)%s*$')", "string.match('THE (quick) fox', '%((%a+)%)')",
	"string.match('[[x]]', '%b[]')", "string.match('f(a(b)c)d', '%b()')",
	"string.match('THE quick', '%f[%a]%a+')", "string.match('hello', '%f[%l]%l+$')",
	"string.match('abcabc', '(abc)%1')", "string.match('abab', '(a)(b)%1%2')",
	"string.match('abc', 'a*')", "string.match('aaab', 'a-b')", "string.match('aaab', 'a?a?b')",
	"string.match('x1y22z333', '%d+', 4)", "string.match('CamelCase', '[A-Z][a-z]+', 2)",
	"string.match('a-b_c', '[%w_-]+')", "string.match(']x', '[]]')", "string.match('^x', '[%^x]+')",
	"string.match('tab\\tline', '%c')", "string.match('x', '[^%a]')", "string.match('€ 12,50', '[%d,]+')",
	"string.match('NL91ABNA0417164300', '^(%u%u)(%d%d)(%w+)$')", "string.match('hello', '.-$')",
	"string.match('', '.-')", "string.match('abc', '()b()')",
	"string.gsub('hello world', 'o', '0')", "string.gsub('hello world', 'l', '%0%0', 2)",
	"string.gsub('abc', '%w', '%%')", "string.gsub('hello world', '(%w+)', '<%1>')",
	"string.gsub('abc', '', '-')", "string.gsub('a,b,,c', ',', ';')",
	"string.gsub('$x and $y', '%$(%w+)', { x = 1, y = false })",
	"string.gsub('a b c', '%a', function(c) return c:upper() end)",
	"string.gsub('a b c', '%a', function(c) if c == 'b' then return nil end return 'X' end)",
	"string.gsub('abc', '^a', 'A')", "string.gsub('abc', 'c$', 'C')", "string.gsub('x', 'x', 5)",
	"string.gsub('one two', '(%w+) (%w+)', '%2 %1')",
	"table.concat({ ('a1b2c3'):gsub('%d', '') }, ',')",
	"(function() local t = {} for k, v in string.gmatch('a=1, b=2', '(%w+)=(%w+)') do t[#t+1] = k .. v end return table.concat(t, ';') end)()",
	"(function() local t = {} for w in string.gmatch('one two  three', '%a+') do t[#t+1] = w end return table.concat(t, ',') end)()",
	"(function() local t = {} for w in string.gmatch('abc', '') do t[#t+1] = '|' end return #t end)()",
	"(function() local t = {} for a in string.gmatch('hello', 'l', 4) do t[#t+1] = a end return #t end)()",
	"(function() local t = {} for p in string.gmatch('abc', '()') do t[#t+1] = p end return table.concat(t, ',') end)()",
	"('x'):rep(3):find('xx')", "('ABC'):lower():match('b')",
	/* errors: both must fail */
	"string.find('a', '%')", "string.find('a', '[a')", "string.match('a', '(a')", "string.match('a', 'a)')",
	"string.match('a', '%1')", "string.gsub('a', 'a', '%2')", "string.match('a', '%b')",
	"string.match('a', '%fa')", "string.gsub('a', 'a', '%x')", "string.gsub('a', 'a', true)",
};

/* Runs "return <expr>" and writes its results (or "error") as text. */
static void run(lua_State *L, const char *expr, char *out, size_t size)
{
	char code[1024];
	int top = lua_gettop(L), n;
	size_t used = 0;
	snprintf(code, sizeof code, "return %s", expr);
	if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, LUA_MULTRET, 0) != LUA_OK) {
		snprintf(out, size, "error");
		lua_settop(L, top);
		return;
	}
	n = lua_gettop(L) - top;
	out[0] = '\0';
	for (int i = 1; i <= n; i++) {
		const char *v = luaL_tolstring(L, top + i, NULL);
		used += (size_t)snprintf(out + used, size - used, "%s%s[%s]", i > 1 ? " " : "",
		                         lua_typename(L, lua_type(L, top + i)), v);
		lua_pop(L, 1);
	}
	lua_settop(L, top);
}

static void test_same_as_lua(void **state)
{
	lua_State *plain = luaL_newstate();
	sandbox sb;
	char want[1024], got[1024];
	(void)state;
	luaL_openlibs(plain);
	assert_int_equal(sandbox_open(&sb, 64u << 20), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run(plain, cases[i], want, sizeof want);
		run(sb.L, cases[i], got, sizeof got);
		if (strcmp(want, got) != 0)
			fail_msg("%s\n  Lua:     %s\n  sandbox: %s", cases[i], want, got);
	}
	sandbox_close(&sb);
	lua_close(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_same_as_lua) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
