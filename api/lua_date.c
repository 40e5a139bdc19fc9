/*
 * lua_date.c -- owed.date: civil dates, holidays and business days.
 *
 * In Lua a date is its ISO string "YYYY-MM-DD": readable in a log, a valid table key, and
 * ordered by < and ==.  Each function reads it into core's day number, computes there and
 * writes ISO back, so there is no date object to learn and no time zone to meet.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "api/api.h"
#include "core/date.h"
#include "core/err.h"
#include "core/holiday.h"


/*
** {======================================================
** Checking arguments
** =======================================================
*/


/* Raises "fname: bad argument #n (expected what, got ...)", counting arguments as the plugin
 * wrote them; a negative idx is a value, not an argument. */
static int date_l_argerror(lua_State *L, int idx, const char *fname, const char *what)
{
	lua_Debug ar;
	const char *got = lua_type(L, idx) == LUA_TSTRING
	                  ? lua_pushfstring(L, "'%s'", lua_tostring(L, idx))
	                  : lua_isinteger(L, idx)
	                  ? lua_pushfstring(L, "%I", (LUAI_UACINT)lua_tointeger(L, idx))
	                  : luaL_typename(L, idx);

	if (fname == NULL)
		fname = api_fname(L);
	if (idx < 0)
		return luaL_error(L, "%s: expected %s, got %s", fname, what, got);
	if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.namewhat != NULL
	    && strcmp(ar.namewhat, "method") == 0)
		idx--;
	return luaL_error(L, "%s: bad argument #%d (expected %s, got %s)", fname, idx, what, got);
}

/* Dates are ISO and nothing else: a "03-04-2026" reaching here is a bug, not a format. */
static owed_date date_l_check(lua_State *L, int idx, const char *fname)
{
	owed_date d;
	if (lua_type(L, idx) != LUA_TSTRING || date_parse_iso(lua_tostring(L, idx), &d) != 0)
		date_l_argerror(L, idx, fname, "a date YYYY-MM-DD");
	return d;
}

int32_t api_check_date(lua_State *L, int idx)
{
	return date_l_check(L, idx, NULL);
}

/* An integer argument in lo..hi (a number, not a numeric string); what names the range. */
static lua_Integer date_l_integer(lua_State *L, int idx, const char *fname, lua_Integer lo,
                                  lua_Integer hi, const char *what)
{
	lua_Integer n = 0;
	if (lua_type(L, idx) != LUA_TNUMBER || !lua_isinteger(L, idx)
	    || (n = lua_tointeger(L, idx)) < lo || n > hi)
		date_l_argerror(L, idx, fname, what);
	return n;
}

/* A count of months, years or business days for core's int: anything beyond int leaves the
 * calendar anyway, so it is clamped and core reports the date out of range. */
static int date_l_count(lua_State *L, int idx, const char *fname)
{
	lua_Integer n = date_l_integer(L, idx, fname, LUA_MININTEGER, LUA_MAXINTEGER, "an integer");
	return n < INT_MIN ? INT_MIN : n > INT_MAX ? INT_MAX : (int)n;
}

static owed_calendar date_l_calendar(lua_State *L, int idx, const char *fname)
{
	owed_calendar cal = CAL_NONE;
	if (lua_type(L, idx) != LUA_TSTRING || holiday_calendar(lua_tostring(L, idx), &cal) != 0)
		date_l_argerror(L, idx, fname, "a country code such as 'NL'");
	return cal;
}

/* Pushes d as ISO, or raises when a computation left the calendar (rc < 0). */
static int date_l_push(lua_State *L, int rc, owed_date d, const char *fname)
{
	char buf[16];
	if (rc < 0)
		return luaL_error(L, "%s: date out of range (0001-01-01 .. 9999-12-31)", fname);
	date_format_iso(d, buf, sizeof buf);
	lua_pushstring(L, buf);
	return 1;
}

/* }====================================================== */


/*
** {======================================================
** Reading and writing
** =======================================================
*/

/* owed.date.today(): the local date, or OWED_TODAY when set (tests and back-dated runs) */
static int date_l_today(lua_State *L)
{
	owed_date d = 0;
	if (date_today(&d) != 0)
		return luaL_error(L, "owed.date.today: OWED_TODAY is not a date YYYY-MM-DD");
	return date_l_push(L, 0, d, "owed.date.today");
}

/* owed.date.parse(text): ISO, YYYYMMDD or D-M-YYYY (with -, / or .) to ISO */
static int date_l_parse(lua_State *L)
{
	const char *s = luaL_checkstring(L, 1);
	owed_date d = 0;
	if (date_parse(s, &d) != 0)
		return luaL_error(L, "owed.date.parse: not a date: '%s' (expected YYYY-MM-DD, "
		                  "YYYYMMDD or DD-MM-YYYY)", s);
	return date_l_push(L, 0, d, "owed.date.parse");
}

/* owed.date.valid(v): whether v is a date every owed.date function accepts */
static int date_l_valid(lua_State *L)
{
	owed_date d;
	lua_pushboolean(L, lua_type(L, 1) == LUA_TSTRING
	                   && date_parse_iso(lua_tostring(L, 1), &d) == 0);
	return 1;
}

/* owed.date.format(d, lang): "3 maart 2026", "1er mars 2026", "3 March 2026" */
static int date_l_format(lua_State *L)
{
	owed_date d = date_l_check(L, 1, "owed.date.format");
	char buf[64];
	if (lua_type(L, 2) != LUA_TSTRING || date_format_long(d, lua_tostring(L, 2), buf,
	                                                      sizeof buf) < 0)
		return date_l_argerror(L, 2, "owed.date.format", "a language 'nl', 'fr' or 'en'");
	lua_pushstring(L, buf);
	return 1;
}

/* owed.date.ymd(d): year, month, day as integers */
static int date_l_ymd(lua_State *L)
{
	int y, m, d;
	date_to_ymd(date_l_check(L, 1, "owed.date.ymd"), &y, &m, &d);
	lua_pushinteger(L, y);
	lua_pushinteger(L, m);
	lua_pushinteger(L, d);
	return 3;
}

/* owed.date.from_ymd(y, m, d) */
static int date_l_from_ymd(lua_State *L)
{
	static const char fname[] = "owed.date.from_ymd";
	int y = (int)date_l_integer(L, 1, fname, 1, 9999, "a year 1..9999");
	int m = (int)date_l_integer(L, 2, fname, 1, 12, "a month 1..12");
	int d = (int)date_l_integer(L, 3, fname, 1, 31, "a day 1..31");
	owed_date out = 0;
	char buf[32];
	if (date_from_ymd(y, m, d, &out) != 0) {
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
		return luaL_error(L, "%s: no such day: %s", fname, buf);
	}
	return date_l_push(L, 0, out, fname);
}

/* }====================================================== */


/*
** {======================================================
** Arithmetic
** =======================================================
*/

/* owed.date.add_days(d, n) */
static int date_l_add_days(lua_State *L)
{
	static const char fname[] = "owed.date.add_days";
	owed_date d = date_l_check(L, 1, fname), out = 0;
	int rc = date_add_days(d, date_l_integer(L, 2, fname, LUA_MININTEGER, LUA_MAXINTEGER,
	                                                 "an integer"), &out);
	return date_l_push(L, rc, out, fname);
}

/* owed.date.add_months(d, n): the day is clamped to the month's end (31 Jan + 1 = 28 Feb) */
static int date_l_add_months(lua_State *L)
{
	static const char fname[] = "owed.date.add_months";
	owed_date d = date_l_check(L, 1, fname), out = 0;
	int rc = date_add_months(d, date_l_count(L, 2, fname), &out);
	return date_l_push(L, rc, out, fname);
}

/* owed.date.add_years(d, n): 29 Feb + 1 year is 28 Feb */
static int date_l_add_years(lua_State *L)
{
	static const char fname[] = "owed.date.add_years";
	owed_date d = date_l_check(L, 1, fname), out = 0;
	int rc = date_add_years(d, date_l_count(L, 2, fname), &out);
	return date_l_push(L, rc, out, fname);
}

/* owed.date.diff(a, b): b - a in days */
static int date_l_diff(lua_State *L)
{
	owed_date a = date_l_check(L, 1, "owed.date.diff");
	owed_date b = date_l_check(L, 2, "owed.date.diff");
	lua_pushinteger(L, date_diff(a, b));
	return 1;
}

/* owed.date.weekday(d): 1 = Monday .. 7 = Sunday */
static int date_l_weekday(lua_State *L)
{
	lua_pushinteger(L, date_weekday(date_l_check(L, 1, "owed.date.weekday")));
	return 1;
}

/* owed.date.easter(year): Easter Sunday */
static int date_l_easter(lua_State *L)
{
	int y = (int)date_l_integer(L, 1, "owed.date.easter", 1, 9999, "a year 1..9999");
	return date_l_push(L, 0, date_easter(y), "owed.date.easter");
}

/* }====================================================== */


/*
** {======================================================
** Holidays and business days
** =======================================================
*/

/* owed.date.is_holiday(d, country): true and the holiday's (Dutch) name, or false */
static int date_l_is_holiday(lua_State *L)
{
	owed_date d = date_l_check(L, 1, "owed.date.is_holiday");
	owed_calendar cal = date_l_calendar(L, 2, "owed.date.is_holiday");
	const char *name = NULL;

	if (!holiday_is(cal, d, &name)) {
		lua_pushboolean(L, 0);
		return 1;
	}
	lua_pushboolean(L, 1);
	lua_pushstring(L, name);
	return 2;
}

/* owed.date.is_business_day(d, country) */
static int date_l_is_business_day(lua_State *L)
{
	owed_date d = date_l_check(L, 1, "owed.date.is_business_day");
	owed_calendar cal = date_l_calendar(L, 2, "owed.date.is_business_day");
	lua_pushboolean(L, holiday_is_business_day(cal, d));
	return 1;
}

/* owed.date.add_business_days(d, n, country) */
static int date_l_add_business_days(lua_State *L)
{
	static const char fname[] = "owed.date.add_business_days";
	owed_date d = date_l_check(L, 1, fname), out = 0;
	int n = date_l_count(L, 2, fname);
	owed_calendar cal = date_l_calendar(L, 3, fname);
	int rc = holiday_add_business_days(cal, d, n, &out);
	return date_l_push(L, rc, out, fname);
}

/* owed.date.next_business_day(d, country): d itself when it is one, else the next */
static int date_l_next_business_day(lua_State *L)
{
	static const char fname[] = "owed.date.next_business_day";
	owed_date d = date_l_check(L, 1, fname), out = 0;
	owed_calendar cal = date_l_calendar(L, 2, fname);
	int rc = holiday_next_business_day(cal, d, &out);
	return date_l_push(L, rc, out, fname);
}

/* }====================================================== */


static const luaL_Reg date_l_funcs[] = {
	{"today", date_l_today},
	{"parse", date_l_parse},
	{"valid", date_l_valid},
	{"format", date_l_format},
	{"ymd", date_l_ymd},
	{"from_ymd", date_l_from_ymd},
	{"add_days", date_l_add_days},
	{"add_months", date_l_add_months},
	{"add_years", date_l_add_years},
	{"diff", date_l_diff},
	{"weekday", date_l_weekday},
	{"easter", date_l_easter},
	{"is_holiday", date_l_is_holiday},
	{"is_business_day", date_l_is_business_day},
	{"add_business_days", date_l_add_business_days},
	{"next_business_day", date_l_next_business_day},
	{NULL, NULL}
};

int api_open_date(lua_State *L)
{
	luaL_newlib(L, date_l_funcs);
	/* in package.loaded, so tracebacks and argument errors name "owed.date.add_days" */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "owed.date");
	lua_pop(L, 1);
	return 1;
}
