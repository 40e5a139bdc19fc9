/*
 * lua_money.c -- owed.money: exact amounts as Lua values.
 *
 * A money value is a full userdata holding an owed_money (int64 minor units and an ISO 4217
 * code) under the metatable "owed.money".  Every operation goes through core/money, so a plugin
 * sees the same integers, roundings and texts as the ledger; no lua_Number ever holds an amount.
 */
#include <string.h>

#include <lauxlib.h>

#include "api/api.h"
#include "core/err.h"
#include "core/money.h"

#define MONEY_MT      "owed.money"
#define MONEY_EURO    "\xE2\x82\xAC"
#define MONEY_TEXTMAX 128   /* longer than any amount a person writes */
#define MONEY_PARTS   1000  /* money_split is O(n^2): meant for an invoice's lines */

_Static_assert(sizeof(lua_Integer) == sizeof(int64_t), "Lua integers must hold minor units");


/*
** {======================================================
** Checking arguments
** =======================================================
*/


/* Raises "fname: bad argument #n (expected money, got ...)", counting arguments as the plugin
 * wrote them (a method's self is not one); a negative idx is a value, not an argument. */
static int money_l_typeerror(lua_State *L, int idx, const char *fname)
{
	lua_Debug ar;
	const char *got = lua_type(L, idx) == LUA_TSTRING
	                  ? lua_pushfstring(L, "'%s'", lua_tostring(L, idx))
	                  : luaL_typename(L, idx);

	if (fname == NULL)
		fname = api_fname(L);
	if (idx < 0)
		return luaL_error(L, "%s: expected money, got %s", fname, got);
	if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.namewhat != NULL
	    && strcmp(ar.namewhat, "method") == 0)
		idx--;
	if (idx == 0)
		return luaL_error(L, "%s: bad self (expected money, got %s)", fname, got);
	return luaL_error(L, "%s: bad argument #%d (expected money, got %s)", fname, idx, got);
}

static owed_money *money_l_check(lua_State *L, int idx, const char *fname)
{
	owed_money *m = luaL_testudata(L, idx, MONEY_MT);
	if (m == NULL)
		money_l_typeerror(L, idx, fname);
	return m;
}

/* Two amounts meet only in one currency: adding euros to dollars is always a bug. */
static void money_l_same(lua_State *L, const owed_money *a, const owed_money *b,
                         const char *fname)
{
	if (strcmp(a->cur, b->cur) != 0)
		luaL_error(L, "%s: currencies differ (%s, %s)", fname, a->cur, b->cur);
}

static int money_l_exponent(lua_State *L, const char *cur, const char *fname)
{
	int exp = money_exponent(cur);
	if (exp < 0)
		luaL_error(L, "%s: bad currency '%s' (expected an ISO 4217 code such as EUR)",
		           fname, cur);
	return exp;
}

/* A Lua integer, never a float: 1.5 minor units is a bug upstream, not something to round. */
static int64_t money_l_integer(lua_State *L, int idx, const char *fname, const char *what)
{
	if (!lua_isinteger(L, idx))
		luaL_error(L, "%s: %s must be an integer", fname, what);
	return lua_tointeger(L, idx);
}

static money_rounding money_l_rounding(lua_State *L, int idx, const char *fname)
{
	/* in the order of money_rounding */
	static const char *const names[] = {"half_up", "half_even", "down", "up", "floor", "ceil",
	                                    NULL};
	const char *name = luaL_optstring(L, idx, "half_up");
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(name, names[i]) == 0)
			return (money_rounding)i;
	luaL_error(L, "%s: unknown rounding '%s' (half_up, half_even, down, up, floor or ceil)",
	           fname, name);
	return MONEY_HALF_UP;
}

static void money_l_locale(lua_State *L, const char *locale, const char *fname)
{
	char buf[8];
	if (money_format(0, 0, NULL, locale, MONEY_FMT_NOSYM, buf, sizeof buf) < 0)
		luaL_error(L, "%s: unknown locale '%s' (nl-NL, nl-BE, fr-BE, en or C)", fname,
		           locale);
}

/* Turns a core result into the plugin's error: with the arguments checked beforehand, an
 * amount beyond int64 is the only failure left. */
static void money_l_result(lua_State *L, int rc, const char *fname)
{
	if (rc < 0)
		luaL_error(L, "%s: amount overflows", fname);
}

/* }====================================================== */


/*
** {======================================================
** Parsing
** =======================================================
*/

/* Length of the white space character starting at s (n bytes left), as money_parse counts
 * white space: ASCII, U+00A0 and U+202F. */
static size_t money_l_space(const char *s, size_t n)
{
	if (n >= 1 && (*s == ' ' || (*s >= '\t' && *s <= '\r')))
		return 1;
	if (n >= 2 && memcmp(s, "\xC2\xA0", 2) == 0)
		return 2;
	if (n >= 3 && memcmp(s, "\xE2\x80\xAF", 3) == 0)
		return 3;
	return 0;
}

/* The same, for the character ending at s + n. */
static size_t money_l_space_before(const char *s, size_t n)
{
	if (n >= 1 && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
		return 1;
	if (n >= 2 && memcmp(s + n - 2, "\xC2\xA0", 2) == 0)
		return 2;
	if (n >= 3 && memcmp(s + n - 3, "\xE2\x80\xAF", 3) == 0)
		return 3;
	return 0;
}

static int money_l_isletter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Length of the currency mark at s: "€" or a run of ASCII letters; 0 if none. */
static size_t money_l_mark(const char *s, size_t n)
{
	size_t k = 0;
	if (n >= 3 && memcmp(s, MONEY_EURO, 3) == 0)
		return 3;
	while (k < n && money_l_isletter(s[k]))
		k++;
	return k;
}

static int money_l_notamount(lua_State *L, const char *fname, const char *text,
                             const char *locale)
{
	return luaL_error(L, "%s: not an amount in locale %s: '%s'", fname, locale, text);
}

/*
 * Reads owed.money.parse's arguments (text, currency?, locale?) from index 1.  core's
 * money_parse reads the number and knows only the euro's marks, and those not in the machine
 * form, so the mark is cut out here: "25.00 EUR", "USD 1,234.56", "-€ 12,50" all reach it as a
 * bare number, and the mark (before the number, after a sign, or at the end) names the
 * currency.
 */
static int money_l_parse_at(lua_State *L, const char *fname)
{
	size_t len, i, at, mlen = 0, pre, post;
	const char *text = luaL_checklstring(L, 1, &len);
	const char *cur = luaL_optstring(L, 2, NULL);
	const char *locale = luaL_optstring(L, 3, "C");
	char code[4] = "", num[MONEY_TEXTMAX];
	int64_t minor;
	int exp, rc;

	money_l_locale(L, locale, fname);
	if (len >= sizeof num || strlen(text) != len)
		return money_l_notamount(L, fname, text, locale);
	for (at = 0; at < len && (mlen = money_l_mark(text + at, len - at)) == 0; at++)
		;
	for (i = at + mlen; i < len; i++)
		if (money_l_mark(text + i, len - i) > 0)   /* a second mark, or letters */
			return money_l_notamount(L, fname, text, locale);
	if (mlen == 3 && memcmp(text + at, MONEY_EURO, 3) == 0)
		memcpy(code, "EUR", 4);
	else if (mlen == 3)
		memcpy(code, text + at, 3);
	if (mlen > 0 && money_exponent(code) < 0)   /* "eur", "EURO" */
		return money_l_notamount(L, fname, text, locale);

	/* what stands before the mark, and after it, without the white space around it */
	for (pre = at; money_l_space_before(text, pre) > 0; pre -= money_l_space_before(text, pre))
		;
	for (post = at + mlen; post < len && money_l_space(text + post, len - post) > 0;
	     post += money_l_space(text + post, len - post))
		;
	if (mlen > 0 && post < len) {   /* the mark stands first: only a sign may precede it */
		size_t lead = 0;
		while (money_l_space(text + lead, pre - lead) > 0)
			lead += money_l_space(text + lead, pre - lead);
		if (pre - lead > 1 || (pre - lead == 1 && text[lead] != '-' && text[lead] != '+'))
			return money_l_notamount(L, fname, text, locale);
	}
	memcpy(num, text, pre);
	memcpy(num + pre, text + post, len - post);
	num[pre + len - post] = '\0';

	if (cur == NULL && code[0] == '\0')
		return luaL_error(L, "%s: no currency in '%s' (write it in, as in '12.50 EUR', or "
		                  "pass it)", fname, text);
	if (cur != NULL && code[0] != '\0' && strcmp(cur, code) != 0)
		return luaL_error(L, "%s: currencies differ (%s in the text, %s given)", fname,
		                  code, cur);
	if (cur == NULL)
		cur = code;
	exp = money_l_exponent(L, cur, fname);
	rc = money_parse(num, locale, exp, &minor);
	if (rc == OWED_EINPUT)
		return money_l_notamount(L, fname, text, locale);
	money_l_result(L, rc, fname);
	api_push_money(L, minor, cur);
	return 1;
}

/* owed.money.parse(text, currency?, locale?) */
static int money_l_parse(lua_State *L)
{
	return money_l_parse_at(L, "owed.money.parse");
}

/* owed.money(text, currency?, locale?): the module table is callable, as the shortest form. */
static int money_l_call(lua_State *L)
{
	lua_remove(L, 1);
	return money_l_parse_at(L, "owed.money");
}

/* owed.money.new(minor, currency) */
static int money_l_new(lua_State *L)
{
	int64_t minor = money_l_integer(L, 1, "owed.money.new", "minor units");
	const char *cur = luaL_checkstring(L, 2);

	money_l_exponent(L, cur, "owed.money.new");
	api_push_money(L, minor, cur);
	return 1;
}

/* owed.money.is(v) */
static int money_l_is(lua_State *L)
{
	lua_pushboolean(L, luaL_testudata(L, 1, MONEY_MT) != NULL);
	return 1;
}

/* }====================================================== */


/*
** {======================================================
** Arithmetic and comparison
** =======================================================
*/

typedef int (*money_l_op)(int64_t, int64_t, int64_t *);

static int money_l_binary(lua_State *L, money_l_op op, const char *fname)
{
	const owed_money *a = money_l_check(L, 1, fname), *b = money_l_check(L, 2, fname);
	int64_t out;

	money_l_same(L, a, b, fname);
	money_l_result(L, op(a->minor, b->minor, &out), fname);
	api_push_money(L, out, a->cur);
	return 1;
}

static int money_l_add(lua_State *L)
{
	return money_l_binary(L, money_add, "owed.money.add");
}

static int money_l_sub(lua_State *L)
{
	return money_l_binary(L, money_sub, "owed.money.sub");
}

static int money_l_neg(lua_State *L)
{
	const owed_money *m = money_l_check(L, 1, "owed.money.neg");
	int64_t out;

	money_l_result(L, money_sub(0, m->minor, &out), "owed.money.neg");
	api_push_money(L, out, m->cur);
	return 1;
}

static int money_l_abs(lua_State *L)
{
	const owed_money *m = money_l_check(L, 1, "owed.money.abs");
	int64_t out;

	money_l_result(L, money_sub(0, m->minor, &out), "owed.money.abs");
	api_push_money(L, m->minor < 0 ? out : m->minor, m->cur);
	return 1;
}

/* Both operands of an ordering must be money of one currency; 25.00 EUR < 30 means nothing. */
static int money_l_order(lua_State *L, const char *fname)
{
	const owed_money *a, *b;
	int i;

	for (i = 1; i <= 2; i++)
		if (luaL_testudata(L, i, MONEY_MT) == NULL)
			return luaL_error(L, "%s: cannot compare money with %s (compare with "
			                  "owed.money('25.00 EUR'), or m:minor() with an integer)",
			                  fname, luaL_typename(L, i));
	a = lua_touserdata(L, 1);
	b = lua_touserdata(L, 2);
	money_l_same(L, a, b, fname);
	return a->minor < b->minor ? -1 : a->minor > b->minor;
}

static int money_l_cmp(lua_State *L)
{
	money_l_check(L, 1, "owed.money.cmp");
	money_l_check(L, 2, "owed.money.cmp");
	lua_pushinteger(L, money_l_order(L, "owed.money.cmp"));
	return 1;
}

static int money_l_lt(lua_State *L)
{
	lua_pushboolean(L, money_l_order(L, "owed.money.cmp") < 0);
	return 1;
}

static int money_l_le(lua_State *L)
{
	lua_pushboolean(L, money_l_order(L, "owed.money.cmp") <= 0);
	return 1;
}

/* == is total, as Lua expects of it: amounts in different currencies are simply not equal. */
static int money_l_eq(lua_State *L)
{
	const owed_money *a = luaL_testudata(L, 1, MONEY_MT), *b = luaL_testudata(L, 2, MONEY_MT);
	lua_pushboolean(L, a != NULL && b != NULL && a->minor == b->minor
	                   && strcmp(a->cur, b->cur) == 0);
	return 1;
}

static int money_l_min(lua_State *L)
{
	money_l_check(L, 1, "owed.money.min");
	money_l_check(L, 2, "owed.money.min");
	lua_pushvalue(L, money_l_order(L, "owed.money.min") <= 0 ? 1 : 2);
	return 1;
}

static int money_l_max(lua_State *L)
{
	money_l_check(L, 1, "owed.money.max");
	money_l_check(L, 2, "owed.money.max");
	lua_pushvalue(L, money_l_order(L, "owed.money.max") >= 0 ? 1 : 2);
	return 1;
}

static int money_l_minor(lua_State *L)
{
	lua_pushinteger(L, money_l_check(L, 1, "owed.money.minor")->minor);
	return 1;
}

static int money_l_currency(lua_State *L)
{
	lua_pushstring(L, money_l_check(L, 1, "owed.money.currency")->cur);
	return 1;
}

static int money_l_is_zero(lua_State *L)
{
	lua_pushboolean(L, money_l_check(L, 1, "owed.money.is_zero")->minor == 0);
	return 1;
}

static int money_l_is_negative(lua_State *L)
{
	lua_pushboolean(L, money_l_check(L, 1, "owed.money.is_negative")->minor < 0);
	return 1;
}

/* }====================================================== */


/*
** {======================================================
** Percentages, ratios and splits
** =======================================================
*/

/* m:percent(rate, rounding?): rate "11.15" (read exactly) or an integer number of percent */
static int money_l_percent(lua_State *L)
{
	static const char fname[] = "owed.money.percent";
	const owed_money *m = money_l_check(L, 1, fname);
	money_rounding r = money_l_rounding(L, 3, fname);
	int64_t num, den, out;

	if (lua_type(L, 2) == LUA_TSTRING) {
		if (money_rate_parse(lua_tostring(L, 2), &num, &den) != 0)
			return luaL_error(L, "%s: bad rate '%s' (write it as '11.15')", fname,
			                  lua_tostring(L, 2));
	} else if (lua_isinteger(L, 2)) {
		num = lua_tointeger(L, 2);
		den = 100;
	} else {
		return luaL_error(L, "%s: rate must be a string such as '11.15' or an integer, "
		                  "not %s", fname, lua_type(L, 2) == LUA_TNUMBER
		                                   ? "a float" : luaL_typename(L, 2));
	}
	money_l_result(L, money_mul_ratio(m->minor, num, den, r, &out), fname);
	api_push_money(L, out, m->cur);
	return 1;
}

/* m:mul_ratio(num, den, rounding?) */
static int money_l_mul_ratio(lua_State *L)
{
	static const char fname[] = "owed.money.mul_ratio";
	const owed_money *m = money_l_check(L, 1, fname);
	int64_t num = money_l_integer(L, 2, fname, "the numerator");
	int64_t den = money_l_integer(L, 3, fname, "the denominator");
	money_rounding r = money_l_rounding(L, 4, fname);
	int64_t out;

	if (den <= 0)
		return luaL_error(L, "%s: the denominator must be positive", fname);
	money_l_result(L, money_mul_ratio(m->minor, num, den, r, &out), fname);
	api_push_money(L, out, m->cur);
	return 1;
}

/* m:split(weights): weights are integers or amounts (in their minor units), none negative */
static int money_l_split(lua_State *L)
{
	static const char fname[] = "owed.money.split";
	const owed_money *m = money_l_check(L, 1, fname);
	size_t n, i;
	int64_t *w, *out;

	luaL_checktype(L, 2, LUA_TTABLE);
	n = lua_rawlen(L, 2);
	if (n == 0 || n > MONEY_PARTS)
		return luaL_error(L, "%s: give 1 to %d weights", fname, MONEY_PARTS);
	w = lua_newuserdatauv(L, 2 * n * sizeof *w, 0);
	out = w + n;
	for (i = 0; i < n; i++) {
		const owed_money *wm;
		lua_rawgeti(L, 2, (lua_Integer)i + 1);
		if ((wm = luaL_testudata(L, -1, MONEY_MT)) != NULL)
			w[i] = wm->minor;
		else if (lua_isinteger(L, -1))
			w[i] = lua_tointeger(L, -1);
		else
			return luaL_error(L, "%s: weight %d must be an integer or money", fname,
			                  (int)i + 1);
		lua_pop(L, 1);
	}
	if (money_split(m->minor, w, n, out) != 0)
		return luaL_error(L, "%s: weights must not be negative, nor all 0", fname);
	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		api_push_money(L, out[i], m->cur);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* }====================================================== */


/*
** {======================================================
** Text
** =======================================================
*/

/* m:format(locale?, opts?): "€ 1.234,56" in nl-NL; opts.symbol = false leaves the mark off */
static int money_l_format(lua_State *L)
{
	static const char fname[] = "owed.money.format";
	const owed_money *m = money_l_check(L, 1, fname);
	const char *locale = luaL_optstring(L, 2, "C");
	unsigned flags = 0;
	char buf[64];

	money_l_locale(L, locale, fname);
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		if (lua_getfield(L, 3, "symbol") != LUA_TNIL && !lua_toboolean(L, -1))
			flags |= MONEY_FMT_NOSYM;
		lua_pop(L, 1);
	}
	money_l_result(L, money_format(m->minor, money_exponent(m->cur), m->cur, locale, flags, buf,
	                               sizeof buf), fname);
	lua_pushstring(L, buf);
	return 1;
}

/* tostring(m): "1234.56 EUR", the machine form and the code */
static int money_l_tostring(lua_State *L)
{
	const owed_money *m = money_l_check(L, 1, "owed.money.tostring");
	char buf[64];

	money_format(m->minor, money_exponent(m->cur), NULL, "C", MONEY_FMT_PLAIN, buf, sizeof buf);
	lua_pushfstring(L, "%s %s", buf, m->cur);
	return 1;
}

/* }====================================================== */


static const luaL_Reg money_l_metamethods[] = {
	{"__add", money_l_add},
	{"__sub", money_l_sub},
	{"__unm", money_l_neg},
	{"__eq", money_l_eq},
	{"__lt", money_l_lt},
	{"__le", money_l_le},
	{"__tostring", money_l_tostring},
	{NULL, NULL}
};

static const luaL_Reg money_l_methods[] = {
	{"minor", money_l_minor},
	{"currency", money_l_currency},
	{"add", money_l_add},
	{"sub", money_l_sub},
	{"cmp", money_l_cmp},
	{"min", money_l_min},
	{"max", money_l_max},
	{"is_zero", money_l_is_zero},
	{"is_negative", money_l_is_negative},
	{"neg", money_l_neg},
	{"abs", money_l_abs},
	{"percent", money_l_percent},
	{"mul_ratio", money_l_mul_ratio},
	{"split", money_l_split},
	{"format", money_l_format},
	{NULL, NULL}
};

static const luaL_Reg money_l_funcs[] = {
	{"parse", money_l_parse},
	{"new", money_l_new},
	{"is", money_l_is},
	{NULL, NULL}
};

/*
** {======================================================
** Values
** =======================================================
*/

/* Pushes the metatable, made on first use: api_push_money may run before owed.money exists. */
static void money_l_pushmeta(lua_State *L)
{
	if (luaL_newmetatable(L, MONEY_MT)) {
		luaL_setfuncs(L, money_l_metamethods, 0);
		luaL_newlib(L, money_l_methods);
		lua_setfield(L, -2, "__index");
		lua_pushliteral(L, MONEY_MT);   /* a plugin cannot swap the arithmetic underneath */
		lua_setfield(L, -2, "__metatable");
	}
}

void api_push_money(lua_State *L, int64_t minor, const char *currency)
{
	owed_money *m = lua_newuserdatauv(L, sizeof *m, 0);
	m->minor = minor;
	strncpy(m->cur, currency, sizeof m->cur - 1);
	m->cur[sizeof m->cur - 1] = '\0';
	money_l_pushmeta(L);
	lua_setmetatable(L, -2);
}

int64_t api_check_money(lua_State *L, int idx, char currency[4])
{
	const owed_money *m = money_l_check(L, idx, NULL);
	if (currency != NULL)
		memcpy(currency, m->cur, sizeof m->cur);
	return m->minor;
}

/* }====================================================== */


int api_open_money(lua_State *L)
{
	money_l_pushmeta(L);
	lua_pop(L, 1);
	luaL_newlib(L, money_l_funcs);
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, money_l_call);
	lua_setfield(L, -2, "__call");
	lua_setmetatable(L, -2);
	/* in package.loaded, so tracebacks and argument errors name "owed.money.parse" */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "owed.money");
	lua_pop(L, 1);
	return 1;
}
