/*
 * lua_json.c -- owed.json: JSON text to Lua values and back.
 *
 * Both directions are written here rather than through cJSON, for three reasons a plugin
 * notices: integers stay exact (cJSON reads every number as a double, so 2^53 + 1 would come
 * back changed), object keys come out sorted (the same table always gives the same text, which
 * idempotency keys and signatures need), and a Lua error raised halfway leaks nothing, as all
 * memory belongs to the Lua state.
 *
 * JSON null is owed.json.null, a light userdata, so that a null in an array leaves no hole.
 * Arrays decode as tables with the metatable owed.json.array, which owed.json.array() also
 * sets, so that an empty array stays "[]" on the way back; any other empty table is "{}".
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "api/api.h"
#include "core/money.h"

#define JSON_DEPTH_MAX 100
#define JSON_ARRAY_MT  "owed.json.array"

static char json_l_null_tag;   /* its address is owed.json.null */
#define JSON_NULL ((void *)&json_l_null_tag)


/*
** {======================================================
** Shared: output buffer and UTF-8
** =======================================================
*/

/*
 * A growing byte buffer kept in a userdata at a fixed stack slot.  luaL_Buffer cannot serve:
 * it must sit on top of the stack whenever it is written, and walking a table keeps keys and
 * values there.  Growing makes a larger userdata in the same slot; the old one is garbage.
 */
typedef struct json_l_buf {
	lua_State *L;
	int slot;
	char *p;
	size_t n, cap;
} json_l_buf;

static void json_l_bufinit(lua_State *L, json_l_buf *b)
{
	b->L = L;
	b->cap = 256;
	b->n = 0;
	b->p = lua_newuserdatauv(L, b->cap, 0);
	b->slot = lua_gettop(L);
}

static void json_l_add(json_l_buf *b, const char *s, size_t len)
{
	if (b->cap - b->n < len) {
		size_t cap = b->cap;
		char *p;
		while (cap - b->n < len)
			cap *= 2;
		p = lua_newuserdatauv(b->L, cap, 0);
		memcpy(p, b->p, b->n);
		lua_replace(b->L, b->slot);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
}

static void json_l_adds(json_l_buf *b, const char *s)
{
	json_l_add(b, s, strlen(s));
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if there is none: no
 * overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t json_l_utf8(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
	    || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* }====================================================== */


/*
** {======================================================
** Encoding
** =======================================================
*/

typedef struct json_l_key { const char *s; size_t len; } json_l_key;

typedef struct json_l_enc {
	lua_State *L;
	json_l_buf out;
	int pretty;
	int seen;                     /* slot of the table of tables being encoded: cycles */
	int array_mt;                 /* slot of the owed.json.array metatable */
	/* where we are, for errors: "$.lines[2].amount" */
	const json_l_key *path_key[JSON_DEPTH_MAX + 1];
	lua_Integer path_index[JSON_DEPTH_MAX + 1];
} json_l_enc;

/* Raises what, naming the place in the value where it happened. */
static int json_l_enc_error(json_l_enc *e, int depth, const char *what)
{
	luaL_Buffer b;
	int i;

	luaL_buffinit(e->L, &b);
	luaL_addstring(&b, "owed.json.encode: ");
	luaL_addstring(&b, what);
	luaL_addstring(&b, " at $");
	for (i = 0; i < depth; i++) {
		if (e->path_key[i] != NULL) {
			luaL_addchar(&b, '.');
			luaL_addlstring(&b, e->path_key[i]->s, e->path_key[i]->len);
		} else {
			lua_pushfstring(e->L, "[%I]", (LUAI_UACINT)e->path_index[i]);
			luaL_addvalue(&b);
		}
	}
	luaL_pushresult(&b);
	return lua_error(e->L);
}

static void json_l_newline(json_l_enc *e, int depth)
{
	int i;
	if (!e->pretty)
		return;
	json_l_add(&e->out, "\n", 1);
	for (i = 0; i < depth; i++)
		json_l_add(&e->out, "  ", 2);
}

static void json_l_enc_string(json_l_enc *e, const char *s, size_t len, int depth)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, k;

	json_l_add(&e->out, "\"", 1);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		char esc[7] = "\\u00";
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			json_l_add(&e->out, esc, 2);
		} else if (c == '\n' || c == '\r' || c == '\t') {
			esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			json_l_add(&e->out, esc, 2);
		} else if (c < 0x20) {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			json_l_add(&e->out, esc, 6);
		} else {
			if ((k = json_l_utf8((const unsigned char *)s + i, len - i)) == 0)
				json_l_enc_error(e, depth, "string is not UTF-8");
			json_l_add(&e->out, s + i, k);
			i += k;
			continue;
		}
		i++;
	}
	json_l_add(&e->out, "\"", 1);
}

/* The shortest text that reads back as the same double, with a '.' whatever the C locale,
 * and with ".0" when it would read as an integer, so a float stays a float. */
static void json_l_enc_float(json_l_enc *e, lua_Number v, int depth)
{
	char buf[40], point = localeconv()->decimal_point[0];
	int prec;

	if (!isfinite(v))
		json_l_enc_error(e, depth, "cannot encode inf or nan");
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, (double)v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(buf, sizeof buf, "%.17g", (double)v);
	if (point != '.' && strchr(buf, point) != NULL)
		*strchr(buf, point) = '.';
	if (strpbrk(buf, ".e") == NULL)
		strcat(buf, ".0");
	json_l_adds(&e->out, buf);
}

static void json_l_enc_value(json_l_enc *e, int idx, int depth);

static int json_l_keycmp(const void *a, const void *b)
{
	const json_l_key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static void json_l_enc_array(json_l_enc *e, int idx, lua_Integer n, int depth)
{
	lua_Integer i;

	json_l_add(&e->out, "[", 1);
	for (i = 1; i <= n; i++) {
		if (i > 1)
			json_l_add(&e->out, ",", 1);
		json_l_newline(e, depth + 1);
		e->path_key[depth] = NULL;
		e->path_index[depth] = i;
		lua_rawgeti(e->L, idx, i);
		json_l_enc_value(e, lua_gettop(e->L), depth + 1);
		lua_pop(e->L, 1);
	}
	if (n > 0)
		json_l_newline(e, depth);
	json_l_add(&e->out, "]", 1);
}

/* Keys are sorted byte-wise, so a table always gives the same text. */
static void json_l_enc_object(json_l_enc *e, int idx, size_t n, int depth)
{
	lua_State *L = e->L;
	json_l_key *keys = lua_newuserdatauv(L, n * sizeof *keys + 1, 0);
	size_t i = 0;

	lua_pushnil(L);
	while (lua_next(L, idx)) {   /* the keys are strings: the caller checked */
		keys[i].s = lua_tolstring(L, -2, &keys[i].len);
		i++;
		lua_pop(L, 1);
	}
	qsort(keys, n, sizeof *keys, json_l_keycmp);
	json_l_add(&e->out, "{", 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			json_l_add(&e->out, ",", 1);
		json_l_newline(e, depth + 1);
		e->path_key[depth] = &keys[i];
		json_l_enc_string(e, keys[i].s, keys[i].len, depth);
		json_l_add(&e->out, e->pretty ? ": " : ":", e->pretty ? 2 : 1);
		lua_pushlstring(L, keys[i].s, keys[i].len);
		lua_rawget(L, idx);
		json_l_enc_value(e, lua_gettop(L), depth + 1);
		lua_pop(L, 1);
	}
	if (n > 0)
		json_l_newline(e, depth);
	json_l_add(&e->out, "}", 1);
	lua_pop(L, 1);
}

/* A table is an array when marked as one or when its keys are exactly 1..n; an object when
 * its keys are all strings.  Anything else has no JSON form. */
static void json_l_enc_table(json_l_enc *e, int idx, int depth)
{
	lua_State *L = e->L;
	lua_Integer max = 0;
	size_t count = 0, strings = 0, others = 0;
	int top = lua_gettop(L), marked;

	if (depth >= JSON_DEPTH_MAX)
		json_l_enc_error(e, depth, "nesting deeper than 100");
	lua_pushvalue(L, idx);
	if (lua_rawget(L, e->seen) != LUA_TNIL)
		json_l_enc_error(e, depth, "a table contains itself");
	luaL_checkstack(L, 8, "owed.json.encode");
	marked = lua_getmetatable(L, idx) && lua_rawequal(L, -1, e->array_mt);
	lua_settop(L, top);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		count++;
		if (lua_type(L, -2) == LUA_TSTRING)
			strings++;
		else if (lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1)
			max = lua_tointeger(L, -2) > max ? lua_tointeger(L, -2) : max;
		else
			others++;
		lua_pop(L, 1);
	}

	lua_pushvalue(L, idx);
	lua_pushboolean(L, 1);
	lua_rawset(L, e->seen);
	if (marked || (count > 0 && strings == 0 && others == 0 && (size_t)max == count))
		json_l_enc_array(e, idx, marked ? (lua_Integer)lua_rawlen(L, idx) : max, depth);
	else if (strings == count)
		json_l_enc_object(e, idx, count, depth);
	else
		json_l_enc_error(e, depth, strings > 0 ? "table mixes string and other keys"
		                           : "table is not an array (keys 1..n without holes)");
	lua_pushvalue(L, idx);
	lua_pushnil(L);
	lua_rawset(L, e->seen);
}

static void json_l_enc_value(json_l_enc *e, int idx, int depth)
{
	lua_State *L = e->L;
	char buf[64];
	size_t len;
	const char *s;

	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		json_l_adds(&e->out, "null");
		break;
	case LUA_TBOOLEAN:
		json_l_adds(&e->out, lua_toboolean(L, idx) ? "true" : "false");
		break;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			snprintf(buf, sizeof buf, LUA_INTEGER_FMT,
			         (LUAI_UACINT)lua_tointeger(L, idx));
			json_l_adds(&e->out, buf);
		} else {
			json_l_enc_float(e, lua_tonumber(L, idx), depth);
		}
		break;
	case LUA_TSTRING:
		s = lua_tolstring(L, idx, &len);
		json_l_enc_string(e, s, len, depth);
		break;
	case LUA_TTABLE:
		json_l_enc_table(e, idx, depth);
		break;
	case LUA_TLIGHTUSERDATA:
		if (lua_touserdata(L, idx) != JSON_NULL)
			json_l_enc_error(e, depth, "cannot encode a light userdata");
		json_l_adds(&e->out, "null");
		break;
	case LUA_TUSERDATA:
		if (luaL_testudata(L, idx, "owed.money") != NULL) {   /* the amount, as text */
			char cur[4];
			int64_t minor = api_check_money(L, idx, cur);
			money_format(minor, money_exponent(cur), NULL, "C", MONEY_FMT_PLAIN, buf,
			             sizeof buf);
			json_l_enc_string(e, buf, strlen(buf), depth);
			break;
		}
		/* fall through */
	default:
		lua_pushfstring(L, "cannot encode a %s", luaL_typename(L, idx));
		json_l_enc_error(e, depth, lua_tostring(L, -1));
	}
}

/* owed.json.encode(value, opts?): opts.pretty indents by two spaces */
static int json_l_encode(lua_State *L)
{
	json_l_enc e;

	luaL_checkany(L, 1);
	lua_settop(L, 2);
	e.L = L;
	e.pretty = 0;
	if (!lua_isnil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		lua_getfield(L, 2, "pretty");
		e.pretty = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	lua_newtable(L);
	e.seen = lua_gettop(L);
	luaL_getmetatable(L, JSON_ARRAY_MT);
	e.array_mt = lua_gettop(L);
	json_l_bufinit(L, &e.out);
	json_l_enc_value(&e, 1, 0);
	lua_pushlstring(L, e.out.p, e.out.n);
	return 1;
}

/* }====================================================== */


/*
** {======================================================
** Decoding
** =======================================================
*/

typedef struct json_l_dec {
	lua_State *L;
	const char *start, *p, *end;
} json_l_dec;

/* Raises "owed.json.decode: what at line L column C"; columns count characters, not bytes. */
static int json_l_dec_error(json_l_dec *d, const char *at, const char *what)
{
	const char *s;
	int line = 1, col = 1;

	for (s = d->start; s < at; s++) {
		if (*s == '\n')
			line++, col = 1;
		else if (((unsigned char)*s & 0xC0) != 0x80)
			col++;
	}
	if (at >= d->end)
		return luaL_error(d->L, "owed.json.decode: %s at the end (line %d column %d)",
		                  what, line, col);
	return luaL_error(d->L, "owed.json.decode: %s at line %d column %d", what, line, col);
}

static void json_l_skip(json_l_dec *d)
{
	while (d->p < d->end && (*d->p == ' ' || *d->p == '\t' || *d->p == '\n' || *d->p == '\r'))
		d->p++;
}

static int json_l_digit(json_l_dec *d)
{
	return d->p < d->end && *d->p >= '0' && *d->p <= '9';
}

/* The number at d->p by JSON's grammar; Lua converts it: an integer when it is one and fits
 * int64, a float otherwise. */
static void json_l_number(json_l_dec *d)
{
	const char *from = d->p;

	if (d->p < d->end && *d->p == '-')
		d->p++;
	if (!json_l_digit(d))
		json_l_dec_error(d, d->p, "invalid number");
	if (*d->p++ != '0')
		while (json_l_digit(d))
			d->p++;
	if (d->p < d->end && *d->p == '.') {
		d->p++;
		if (!json_l_digit(d))
			json_l_dec_error(d, d->p, "invalid number");
		while (json_l_digit(d))
			d->p++;
	}
	if (d->p < d->end && (*d->p == 'e' || *d->p == 'E')) {
		d->p++;
		if (d->p < d->end && (*d->p == '+' || *d->p == '-'))
			d->p++;
		if (!json_l_digit(d))
			json_l_dec_error(d, d->p, "invalid number");
		while (json_l_digit(d))
			d->p++;
	}
	lua_pushlstring(d->L, from, (size_t)(d->p - from));
	if (lua_stringtonumber(d->L, lua_tostring(d->L, -1)) == 0
	    || (!lua_isinteger(d->L, -1) && !isfinite(lua_tonumber(d->L, -1))))
		json_l_dec_error(d, from, "number out of range");
	lua_remove(d->L, -2);
}

static int json_l_hex4(json_l_dec *d, unsigned long *out)
{
	int i;
	*out = 0;
	if (d->end - d->p < 4)
		return 0;
	for (i = 0; i < 4; i++) {
		char c = *d->p++;
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			return 0;
		*out = *out << 4 | (unsigned long)v;
	}
	return 1;
}

static void json_l_addutf8(luaL_Buffer *b, unsigned long cp)
{
	if (cp < 0x80) {
		luaL_addchar(b, (char)cp);
	} else if (cp < 0x800) {
		luaL_addchar(b, (char)(0xC0 | cp >> 6));
		luaL_addchar(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		luaL_addchar(b, (char)(0xE0 | cp >> 12));
		luaL_addchar(b, (char)(0x80 | (cp >> 6 & 0x3F)));
		luaL_addchar(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		luaL_addchar(b, (char)(0xF0 | cp >> 18));
		luaL_addchar(b, (char)(0x80 | (cp >> 12 & 0x3F)));
		luaL_addchar(b, (char)(0x80 | (cp >> 6 & 0x3F)));
		luaL_addchar(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* \uXXXX, with a surrogate pair standing for one character beyond U+FFFF. */
static void json_l_unicode(json_l_dec *d, luaL_Buffer *b)
{
	const char *at = d->p - 2;
	unsigned long cp, lo;

	if (!json_l_hex4(d, &cp) || (cp >= 0xDC00 && cp <= 0xDFFF))
		json_l_dec_error(d, at, "invalid \\u escape");
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (d->end - d->p < 2 || d->p[0] != '\\' || d->p[1] != 'u')
			json_l_dec_error(d, at, "invalid \\u escape (half a surrogate pair)");
		d->p += 2;
		if (!json_l_hex4(d, &lo) || lo < 0xDC00 || lo > 0xDFFF)
			json_l_dec_error(d, at, "invalid \\u escape (half a surrogate pair)");
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	json_l_addutf8(b, cp);
}

/* The string whose opening quote is at d->p. */
static void json_l_string(json_l_dec *d)
{
	static const char plain[] = "\"\\/bfnrt", real[] = "\"\\/\b\f\n\r\t";
	const char *from = ++d->p;
	luaL_Buffer b;
	size_t k;

	luaL_buffinit(d->L, &b);
	for (;;) {
		unsigned char c;
		if (d->p >= d->end)
			json_l_dec_error(d, from - 1, "unterminated string");
		c = (unsigned char)*d->p;
		if (c == '"')
			break;
		if (c < 0x20)
			json_l_dec_error(d, d->p, "control character in string");
		if (c == '\\') {
			const char *e;
			if (++d->p >= d->end)
				json_l_dec_error(d, from - 1, "unterminated string");
			if (*d->p == 'u') {
				d->p++;
				json_l_unicode(d, &b);
				continue;
			}
			if ((e = memchr(plain, *d->p, sizeof plain - 1)) == NULL)
				json_l_dec_error(d, d->p - 1, "invalid escape");
			luaL_addchar(&b, real[e - plain]);
			d->p++;
			continue;
		}
		if ((k = json_l_utf8((const unsigned char *)d->p, (size_t)(d->end - d->p))) == 0)
			json_l_dec_error(d, d->p, "invalid UTF-8");
		luaL_addlstring(&b, d->p, k);
		d->p += k;
	}
	d->p++;
	luaL_pushresult(&b);
}

static void json_l_value(json_l_dec *d, int depth);

static void json_l_array(json_l_dec *d, int depth)
{
	lua_Integer n = 0;

	d->p++;
	lua_newtable(d->L);
	luaL_setmetatable(d->L, JSON_ARRAY_MT);
	json_l_skip(d);
	if (d->p < d->end && *d->p == ']') {
		d->p++;
		return;
	}
	for (;;) {
		json_l_value(d, depth + 1);
		lua_rawseti(d->L, -2, ++n);
		json_l_skip(d);
		if (d->p < d->end && *d->p == ']')
			break;
		if (d->p >= d->end || *d->p != ',')
			json_l_dec_error(d, d->p, "expected ',' or ']'");
		d->p++;
	}
	d->p++;
}

static void json_l_object(json_l_dec *d, int depth)
{
	d->p++;
	lua_newtable(d->L);
	json_l_skip(d);
	if (d->p < d->end && *d->p == '}') {
		d->p++;
		return;
	}
	for (;;) {
		json_l_skip(d);
		if (d->p >= d->end || *d->p != '"')
			json_l_dec_error(d, d->p, "expected a string key");
		json_l_string(d);
		json_l_skip(d);
		if (d->p >= d->end || *d->p != ':')
			json_l_dec_error(d, d->p, "expected ':'");
		d->p++;
		json_l_value(d, depth + 1);
		lua_rawset(d->L, -3);
		json_l_skip(d);
		if (d->p < d->end && *d->p == '}')
			break;
		if (d->p >= d->end || *d->p != ',')
			json_l_dec_error(d, d->p, "expected ',' or '}'");
		d->p++;
	}
	d->p++;
}

static int json_l_word(json_l_dec *d, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(d->end - d->p) < n || memcmp(d->p, w, n) != 0)
		return 0;
	d->p += n;
	return 1;
}

static void json_l_value(json_l_dec *d, int depth)
{
	if (depth > JSON_DEPTH_MAX)
		json_l_dec_error(d, d->p, "nesting deeper than 100");
	luaL_checkstack(d->L, 4, "owed.json.decode");
	json_l_skip(d);
	if (d->p >= d->end)
		json_l_dec_error(d, d->p, "expected a value");
	switch (*d->p) {
	case '{':
		json_l_object(d, depth);
		break;
	case '[':
		json_l_array(d, depth);
		break;
	case '"':
		json_l_string(d);
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		json_l_number(d);
		break;
	default:
		if (json_l_word(d, "true"))
			lua_pushboolean(d->L, 1);
		else if (json_l_word(d, "false"))
			lua_pushboolean(d->L, 0);
		else if (json_l_word(d, "null"))
			lua_pushlightuserdata(d->L, JSON_NULL);
		else
			json_l_dec_error(d, d->p, "expected a value");
	}
}

/* owed.json.decode(text) */
static int json_l_decode(lua_State *L)
{
	size_t len;
	json_l_dec d;

	d.L = L;
	d.start = d.p = luaL_checklstring(L, 1, &len);
	d.end = d.start + len;
	if (len >= 3 && memcmp(d.p, "\xEF\xBB\xBF", 3) == 0)   /* a byte order mark */
		d.p += 3;
	json_l_value(&d, 1);
	json_l_skip(&d);
	if (d.p < d.end)
		json_l_dec_error(&d, d.p, "unexpected text after the value");
	return 1;
}

/* }====================================================== */


/* owed.json.array(t?): marks t (or a new table) as an array, so that it encodes as [] when
 * empty */
static int json_l_array_mark(lua_State *L)
{
	if (lua_isnoneornil(L, 1)) {
		lua_settop(L, 0);
		lua_newtable(L);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	luaL_setmetatable(L, JSON_ARRAY_MT);
	return 1;
}

static const luaL_Reg json_l_funcs[] = {
	{"encode", json_l_encode},
	{"decode", json_l_decode},
	{"array", json_l_array_mark},
	{"null", NULL},
	{NULL, NULL}
};

int api_open_json(lua_State *L)
{
	if (luaL_newmetatable(L, JSON_ARRAY_MT)) {
		/* protected: a plugin must not add a __gc (it would run outside any budget) */
		lua_pushliteral(L, JSON_ARRAY_MT);
		lua_setfield(L, -2, "__metatable");
	}
	lua_pop(L, 1);
	luaL_newlib(L, json_l_funcs);
	lua_pushlightuserdata(L, JSON_NULL);
	lua_setfield(L, -2, "null");
	/* in package.loaded, so tracebacks name "owed.json.decode" */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "owed.json");
	lua_pop(L, 1);
	return 1;
}
