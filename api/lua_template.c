/*
 * lua_template.c -- owed.template: letter and e-mail texts with values filled in.
 *
 * The language is small on purpose, so that whoever maintains the letters can read it and a
 * template can do nothing but fill in data:
 *
 *   {{ debtor.name }}                 a value by its path into data (HTML-escaped if asked)
 *   {{{ text }}}   {{ text | raw }}   a value never escaped
 *   {{ x | money "nl-NL" }}           filters, left to right: money, date, number, upper,
 *                                     lower, default "-", raw
 *   {% for inv in invoices %} .. {% end %}     with loop.index, loop.first, loop.last
 *   {% if [not] path %} .. {% else %} .. {% end %}
 *   {# a comment #}
 *
 * A tag of {% %} or {# #} alone on its line takes the line with it, so blocks can stand on
 * lines of their own without leaving blank lines in the letter.  The template is compiled to a
 * list of nodes first, so that a mistake is reported with its line even in a branch the data
 * never takes.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "api/api.h"
#include "core/date.h"
#include "core/money.h"

#define TPL_FNAME       "owed.template.render"
#define TPL_FILTERS_MAX 8
#define TPL_DEPTH_MAX   32   /* blocks open at once */

typedef enum { TPL_TEXT, TPL_OUT, TPL_FOR, TPL_IF, TPL_ELSE, TPL_END } tpl_kind;

typedef enum { TPL_F_MONEY, TPL_F_DATE, TPL_F_NUMBER, TPL_F_UPPER, TPL_F_LOWER, TPL_F_DEFAULT,
               TPL_F_RAW } tpl_fkind;

/* name, and how many quoted arguments it takes at least and at most; in tpl_fkind's order */
static const struct { const char *name; int min, max; } tpl_filters[] = {
	{"money", 0, 1}, {"date", 0, 1}, {"number", 0, 1}, {"upper", 0, 0}, {"lower", 0, 0},
	{"default", 1, 1}, {"raw", 0, 0}
};

typedef struct tpl_filter {
	tpl_fkind kind;
	const char *arg;         /* NULL when not given */
	size_t arglen;
} tpl_filter;

/* Strings point into the template text, which is argument 1 and so lives as long as we do. */
typedef struct tpl_node {
	tpl_kind kind;
	size_t at;               /* offset of the tag in the text, for the line of an error */
	const char *s;           /* TEXT: the text; OUT, FOR, IF: the path */
	size_t len;
	const char *var;         /* FOR: the loop variable */
	size_t varlen;
	int raw;                 /* OUT: not escaped */
	int negate;              /* IF: "if not" */
	int jump;                /* IF: its ELSE or END; FOR, ELSE: its END */
	int nfilters;
	tpl_filter filters[TPL_FILTERS_MAX];
} tpl_node;

typedef struct tpl_frame {
	const char *var;
	size_t varlen;
	int value, loop;         /* stack slots of the element and of the loop table */
} tpl_frame;

typedef struct tpl_state {
	lua_State *L;
	const char *src;
	size_t len;
	/* compiling */
	tpl_node *nodes;
	int nnodes, cap, nodes_slot;
	/* rendering */
	int data, out;           /* stack slots of data and of the table of output pieces */
	lua_Integer nout;
	int html, strict;
	const char *locale, *lang;
	tpl_frame frames[TPL_DEPTH_MAX];
	int nframes;
} tpl_state;

static int tpl_line(const tpl_state *t, size_t at)
{
	int line = 1;
	size_t i;
	for (i = 0; i < at && i < t->len; i++)
		line += t->src[i] == '\n';
	return line;
}

/* Raises "owed.template.render: line N: " and the message, formatted as lua_pushfstring. */
static int tpl_error(tpl_state *t, size_t at, const char *fmt, ...)
{
	va_list ap;
	const char *msg;

	va_start(ap, fmt);
	msg = lua_pushvfstring(t->L, fmt, ap);
	va_end(ap);
	return luaL_error(t->L, TPL_FNAME ": line %d: %s", tpl_line(t, at), msg);
}

/* A piece of the template text as a C string, for a message. */
static const char *tpl_piece(tpl_state *t, const char *s, size_t len)
{
	return lua_pushlstring(t->L, s, len);
}

static int tpl_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int tpl_namechar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	       || c == '_';
}


/*
** {======================================================
** Compiling
** =======================================================
*/

static tpl_node *tpl_add(tpl_state *t, tpl_kind kind, size_t at)
{
	tpl_node *n;
	if (t->nnodes == t->cap) {
		tpl_node *grown;
		t->cap *= 2;
		grown = lua_newuserdatauv(t->L, (size_t)t->cap * sizeof *grown, 0);
		memcpy(grown, t->nodes, (size_t)t->nnodes * sizeof *grown);
		lua_replace(t->L, t->nodes_slot);
		t->nodes = grown;
	}
	n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->at = at;
	return n;
}

/* Reads a name ([A-Za-z0-9_]+) at *p, before end; its length, 0 if there is none. */
static size_t tpl_name(const char **p, const char *end)
{
	const char *s = *p;
	while (*p < end && tpl_namechar(**p))
		(*p)++;
	return (size_t)(*p - s);
}

/* Reads a path (names joined by '.') at *p into n->s and n->len. */
static void tpl_path(tpl_state *t, tpl_node *n, const char **p, const char *end)
{
	const char *s = *p;
	do {
		if (tpl_name(p, end) == 0)
			tpl_error(t, n->at, "expected a name such as debtor.name, got '%s'",
			          tpl_piece(t, s, (size_t)(end - s)));
	} while (*p < end && **p == '.' && (*p)++);
	n->s = s;
	n->len = (size_t)(*p - s);
}

static void tpl_skip(const char **p, const char *end)
{
	while (*p < end && tpl_space(**p))
		(*p)++;
}

/* A literal argument's value is checked now, so a typo fails every time, not on some data. */
static void tpl_checkarg(tpl_state *t, const tpl_node *n, const tpl_filter *f)
{
	char buf[64];
	const char *arg;

	if (f->arg == NULL || (f->kind != TPL_F_MONEY && f->kind != TPL_F_NUMBER
	                       && f->kind != TPL_F_DATE))
		return;
	arg = lua_pushlstring(t->L, f->arg, f->arglen);
	if (f->kind == TPL_F_DATE
	    ? date_format_long(0, arg, buf, sizeof buf) < 0
	    : money_format(0, 0, NULL, arg, MONEY_FMT_NOSYM, buf, sizeof buf) < 0)
		tpl_error(t, n->at, f->kind == TPL_F_DATE ? "unknown language '%s' (nl, fr or en)"
		                    : "unknown locale '%s' (nl-NL, nl-BE, fr-BE, en or C)", arg);
	lua_pop(t->L, 1);
}

/* {{ path | filter "arg" ... }}, the inside between p and end. */
static void tpl_output(tpl_state *t, size_t at, const char *p, const char *end, int raw)
{
	tpl_node *n = tpl_add(t, TPL_OUT, at);

	n->raw = raw;
	tpl_skip(&p, end);
	tpl_path(t, n, &p, end);
	tpl_skip(&p, end);
	while (p < end && *p == '|') {
		const char *name;
		size_t len, k;
		tpl_filter *f;

		p++;
		tpl_skip(&p, end);
		name = p;
		len = tpl_name(&p, end);
		for (k = 0; k < sizeof tpl_filters / sizeof tpl_filters[0]; k++)
			if (strlen(tpl_filters[k].name) == len
			    && memcmp(tpl_filters[k].name, name, len) == 0)
				break;
		if (k == sizeof tpl_filters / sizeof tpl_filters[0])
			tpl_error(t, at, "unknown filter '%s' (money, date, number, upper, lower, "
			          "default or raw)", tpl_piece(t, name, len));
		if (n->nfilters == TPL_FILTERS_MAX)
			tpl_error(t, at, "more than %d filters", TPL_FILTERS_MAX);
		f = &n->filters[n->nfilters++];
		f->kind = (tpl_fkind)k;
		tpl_skip(&p, end);
		if (p < end && (*p == '"' || *p == '\'')) {
			const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
			if (q == NULL)
				tpl_error(t, at, "unclosed quote in %s",
				          tpl_piece(t, p, (size_t)(end - p)));
			f->arg = p + 1;
			f->arglen = (size_t)(q - p - 1);
			p = q + 1;
			tpl_skip(&p, end);
		}
		if (f->arg == NULL && tpl_filters[k].min > 0)
			tpl_error(t, at, "filter '%s' needs an argument in quotes",
			          tpl_filters[k].name);
		if (f->arg != NULL && tpl_filters[k].max == 0)
			tpl_error(t, at, "filter '%s' takes no argument", tpl_filters[k].name);
		if (f->kind == TPL_F_RAW)
			n->raw = 1;
		tpl_checkarg(t, n, f);
	}
	if (p < end)
		tpl_error(t, at, "unexpected '%s'", tpl_piece(t, p, (size_t)(end - p)));
}

/* {% ... %}, the inside between p and end; blocks keeps the open FOR, IF and ELSE nodes. */
static void tpl_statement(tpl_state *t, size_t at, const char *p, const char *end,
                          int *blocks, int *nblocks)
{
	const char *word;
	size_t len;
	tpl_node *n;

	tpl_skip(&p, end);
	word = p;
	len = tpl_name(&p, end);
	tpl_skip(&p, end);
	if (len == 3 && memcmp(word, "for", 3) == 0) {
		n = tpl_add(t, TPL_FOR, at);
		n->var = p;
		if ((n->varlen = tpl_name(&p, end)) == 0)
			tpl_error(t, at, "expected {%% for name in path %%}");
		tpl_skip(&p, end);
		if (end - p < 3 || memcmp(p, "in", 2) != 0 || !tpl_space(p[2]))
			tpl_error(t, at, "expected {%% for name in path %%}");
		p += 2;
		tpl_skip(&p, end);
		tpl_path(t, n, &p, end);
	} else if (len == 2 && memcmp(word, "if", 2) == 0) {
		n = tpl_add(t, TPL_IF, at);
		if (end - p > 3 && memcmp(p, "not", 3) == 0 && tpl_space(p[3])) {
			n->negate = 1;
			p += 3;
			tpl_skip(&p, end);
		}
		tpl_path(t, n, &p, end);
	} else if (len == 4 && memcmp(word, "else", 4) == 0) {
		if (*nblocks == 0 || t->nodes[blocks[*nblocks - 1]].kind != TPL_IF)
			tpl_error(t, at, "{%% else %%} outside {%% if %%}");
		t->nodes[blocks[*nblocks - 1]].jump = t->nnodes;
		blocks[*nblocks - 1] = t->nnodes;
		tpl_add(t, TPL_ELSE, at);
	} else if (len == 3 && memcmp(word, "end", 3) == 0) {
		if (*nblocks == 0)
			tpl_error(t, at, "{%% end %%} without a block");
		t->nodes[blocks[--*nblocks]].jump = t->nnodes;
		tpl_add(t, TPL_END, at);
	} else {
		tpl_error(t, at, "unknown statement '%s' (for, if, else or end)",
		          tpl_piece(t, word, len));
	}
	tpl_skip(&p, end);
	if (p < end)
		tpl_error(t, at, "unexpected '%s'", tpl_piece(t, p, (size_t)(end - p)));
	n = &t->nodes[t->nnodes - 1];
	if (n->kind == TPL_FOR || n->kind == TPL_IF) {
		if (*nblocks == TPL_DEPTH_MAX)
			tpl_error(t, at, "blocks nested deeper than %d", TPL_DEPTH_MAX);
		blocks[(*nblocks)++] = t->nnodes - 1;
	}
}

/*
 * If the tag from..to stands alone on its line (only blanks around it), widens it to the
 * whole line, its newline included, so that it leaves no blank line behind.
 */
static void tpl_standalone(const tpl_state *t, size_t *from, size_t *to)
{
	size_t b = *from, e = *to;
	while (b > 0 && (t->src[b - 1] == ' ' || t->src[b - 1] == '\t'))
		b--;
	while (e < t->len && (t->src[e] == ' ' || t->src[e] == '\t'))
		e++;
	if (b > 0 && t->src[b - 1] != '\n')
		return;
	if (e < t->len && t->src[e] == '\r' && e + 1 < t->len && t->src[e + 1] == '\n')
		e++;
	if (e < t->len && t->src[e] != '\n')
		return;
	*from = b;
	*to = e < t->len ? e + 1 : e;
}

static void tpl_compile(tpl_state *t)
{
	int blocks[TPL_DEPTH_MAX], nblocks = 0;
	size_t pos = 0;   /* where the text not yet in a node starts */

	while (pos < t->len) {
		const char *open = NULL, *close;
		size_t at, inner, stop, next, text_end;
		const char *closer;
		char kind;

		for (at = pos; at + 1 < t->len; at++)
			if (t->src[at] == '{' && memchr("{%#", t->src[at + 1], 3) != NULL) {
				open = t->src + at;
				break;
			}
		if (open == NULL) {
			tpl_node *n = tpl_add(t, TPL_TEXT, pos);
			n->s = t->src + pos;
			n->len = t->len - pos;
			break;
		}
		kind = open[1];
		if (kind == '{' && at + 2 < t->len && open[2] == '{')
			kind = '3';   /* {{{ raw }}} */
		closer = kind == '3' ? "}}}" : kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
		inner = at + (kind == '3' ? 3 : 2);
		close = NULL;
		for (stop = inner; stop + strlen(closer) <= t->len; stop++)
			if (memcmp(t->src + stop, closer, strlen(closer)) == 0) {
				close = t->src + stop;
				break;
			}
		if (close == NULL)
			tpl_error(t, at, "unclosed %s", tpl_piece(t, open, kind == '3' ? 3 : 2));
		next = stop + strlen(closer);
		text_end = at;
		if (kind == '%' || kind == '#')
			tpl_standalone(t, &text_end, &next);
		if (text_end > pos) {
			tpl_node *n = tpl_add(t, TPL_TEXT, pos);
			n->s = t->src + pos;
			n->len = text_end - pos;
		}
		if (kind == '%')
			tpl_statement(t, at, t->src + inner, close, blocks, &nblocks);
		else if (kind != '#')
			tpl_output(t, at, t->src + inner, close, kind == '3');
		pos = next;
	}
	if (nblocks > 0) {
		const tpl_node *n = &t->nodes[blocks[nblocks - 1]];
		tpl_error(t, n->at, "unclosed {%% %s %%}", n->kind == TPL_FOR ? "for" : "if");
	}
}

/* }====================================================== */


/*
** {======================================================
** Rendering
** =======================================================
*/

/* json's null comes as a light userdata; data holds no other kind, so any counts as null. */
static int tpl_isnull(lua_State *L, int idx)
{
	return lua_isnil(L, idx) || lua_type(L, idx) == LUA_TLIGHTUSERDATA;
}

/* Pushes the value the node's path leads to: loop variables first, innermost out, then data.
 * A step through anything but a table gives nil. */
static void tpl_lookup(tpl_state *t, const tpl_node *n)
{
	lua_State *L = t->L;
	const char *s = n->s, *end = n->s + n->len, *dot;
	size_t len;
	int i;

	dot = memchr(s, '.', n->len);
	len = dot != NULL ? (size_t)(dot - s) : n->len;
	for (i = t->nframes - 1; i >= 0; i--)
		if (t->frames[i].varlen == len && memcmp(t->frames[i].var, s, len) == 0)
			break;
	if (i >= 0)
		lua_pushvalue(L, t->frames[i].value);
	else if (t->nframes > 0 && len == 4 && memcmp(s, "loop", 4) == 0)
		lua_pushvalue(L, t->frames[t->nframes - 1].loop);
	else if (lua_istable(L, t->data)) {
		lua_pushlstring(L, s, len);
		lua_gettable(L, t->data);
	} else
		lua_pushnil(L);
	while (dot != NULL) {
		const char *key = dot + 1;
		char *digits;
		lua_Integer k;

		dot = memchr(key, '.', (size_t)(end - key));
		len = dot != NULL ? (size_t)(dot - key) : (size_t)(end - key);
		if (!lua_istable(L, -1)) {
			lua_pop(L, 1);
			lua_pushnil(L);
			continue;
		}
		lua_pushlstring(L, key, len);
		k = strtoll(lua_tostring(L, -1), &digits, 10);
		if (*digits == '\0') {   /* invoices.1: a list's first element */
			lua_pop(L, 1);
			lua_pushinteger(L, k);
		}
		lua_gettable(L, -2);
		lua_remove(L, -2);
	}
}

/* Replaces the value on top by its text.  nil is "" (or an error when strict); money its
 * tostring; tables and functions have no text. */
static void tpl_totext(tpl_state *t, const tpl_node *n)
{
	lua_State *L = t->L;
	int type = lua_type(L, -1);

	if (tpl_isnull(L, -1)) {
		if (t->strict)
			tpl_error(t, n->at, "'%s' is missing (opts.strict)",
			          tpl_piece(t, n->s, n->len));
		lua_pop(L, 1);
		lua_pushliteral(L, "");
	} else if (type == LUA_TNUMBER || type == LUA_TBOOLEAN
	           || luaL_testudata(L, -1, "owed.money") != NULL) {
		luaL_tolstring(L, -1, NULL);
		lua_remove(L, -2);
	} else if (type != LUA_TSTRING) {
		tpl_error(t, n->at, "'%s' is a %s, not text", tpl_piece(t, n->s, n->len),
		          luaL_typename(L, -1));
	}
}

static const char *tpl_arg(lua_State *L, const tpl_filter *f, const char *dflt)
{
	return f->arg != NULL ? lua_pushlstring(L, f->arg, f->arglen) : lua_pushstring(L, dflt);
}

/* Latin letters, ASCII and the Latin-1 ones in UTF-8 (é, ë, ç; ß and ÿ stay). */
static void tpl_case(tpl_state *t, int upper)
{
	lua_State *L = t->L;
	size_t len, i;
	const char *s = lua_tolstring(L, -1, &len);
	char *p = memcpy(lua_newuserdatauv(L, len + 1, 0), s, len);

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (upper ? c >= 'a' && c <= 'z' : c >= 'A' && c <= 'Z') {
			p[i] = (char)(c ^ 0x20);
		} else if (c == 0xC3 && i + 1 < len) {
			unsigned char d = (unsigned char)p[++i];
			if (upper ? d >= 0xA0 && d <= 0xBE && d != 0xB7
			          : d >= 0x80 && d <= 0x9E && d != 0x97)
				p[i] = (char)(d ^ 0x20);
		}
	}
	lua_pushlstring(L, p, len);
	lua_replace(L, -3);
	lua_pop(L, 1);
}

/* Whether the value on top counts as true for {% if %}: not nil, null, false, "" or {}. */
static int tpl_truthy(lua_State *L)
{
	int yes = !tpl_isnull(L, -1) && lua_toboolean(L, -1);
	if (yes && lua_type(L, -1) == LUA_TSTRING)
		yes = lua_rawlen(L, -1) > 0;
	else if (yes && lua_istable(L, -1)) {
		lua_pushnil(L);
		yes = lua_next(L, -2) != 0;
		lua_pop(L, yes ? 2 : 0);
	}
	return yes;
}

/* Applies one filter to the value on top.  Filters other than default let nil through, so
 * that {{ x | money | default "-" }} works. */
static void tpl_apply(tpl_state *t, const tpl_node *n, const tpl_filter *f)
{
	lua_State *L = t->L;
	char buf[64], cur[4];
	int64_t minor;
	owed_date d;
	int rc, exp;

	if (f->kind == TPL_F_DEFAULT) {
		if (!tpl_truthy(L)) {
			lua_pop(L, 1);
			lua_pushlstring(L, f->arg, f->arglen);
		}
		return;
	}
	if (tpl_isnull(L, -1) || f->kind == TPL_F_RAW)
		return;
	switch (f->kind) {
	case TPL_F_MONEY:
		if (luaL_testudata(L, -1, "owed.money") == NULL)
			tpl_error(t, n->at, "money filter: '%s' is not money",
			          tpl_piece(t, n->s, n->len));
		minor = api_check_money(L, -1, cur);
		rc = money_format(minor, money_exponent(cur), cur, tpl_arg(L, f, t->locale), 0, buf,
		                  sizeof buf);
		break;
	case TPL_F_NUMBER:
		if (lua_type(L, -1) == LUA_TSTRING)
			return;
		if (lua_isinteger(L, -1)) {
			minor = lua_tointeger(L, -1);
			exp = 0;
		} else if (luaL_testudata(L, -1, "owed.money") != NULL) {
			minor = api_check_money(L, -1, cur);
			exp = money_exponent(cur);
		} else {
			tpl_error(t, n->at, "number filter: '%s' is not an integer or money "
			          "(floats are not written in letters)",
			          tpl_piece(t, n->s, n->len));
			return;
		}
		rc = money_format(minor, exp, NULL, tpl_arg(L, f, t->locale), MONEY_FMT_NOSYM, buf,
		                  sizeof buf);
		break;
	case TPL_F_DATE:
		if (lua_type(L, -1) != LUA_TSTRING || date_parse_iso(lua_tostring(L, -1), &d) != 0)
			tpl_error(t, n->at, "date filter: '%s' is not a date YYYY-MM-DD",
			          tpl_piece(t, n->s, n->len));
		rc = date_format_long(d, tpl_arg(L, f, t->lang), buf, sizeof buf);
		break;
	default:   /* upper, lower */
		tpl_totext(t, n);
		tpl_case(t, f->kind == TPL_F_UPPER);
		return;
	}
	if (rc < 0)
		tpl_error(t, n->at, "cannot format '%s'", tpl_piece(t, n->s, n->len));
	lua_pop(L, 2);   /* the value and the argument */
	lua_pushstring(L, buf);
}

static void tpl_emit(tpl_state *t)
{
	lua_rawseti(t->L, t->out, ++t->nout);
}

/* Replaces the text on top by its HTML-escaped form, when it needs one. */
static void tpl_escape(lua_State *L)
{
	size_t len, i;
	const char *s = lua_tolstring(L, -1, &len);
	luaL_Buffer b;

	if (strcspn(s, "&<>\"'") == len)
		return;
	luaL_buffinit(L, &b);
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': luaL_addstring(&b, "&amp;"); break;
		case '<': luaL_addstring(&b, "&lt;"); break;
		case '>': luaL_addstring(&b, "&gt;"); break;
		case '"': luaL_addstring(&b, "&quot;"); break;
		case '\'': luaL_addstring(&b, "&#39;"); break;
		default: luaL_addchar(&b, s[i]);
		}
	}
	luaL_pushresult(&b);
	lua_remove(L, -2);
}

static void tpl_exec(tpl_state *t, int from, int to);

static void tpl_for(tpl_state *t, const tpl_node *n, int body, int end)
{
	lua_State *L = t->L;
	lua_Integer i, count;
	tpl_frame *fr;
	int list;

	luaL_checkstack(L, 8, TPL_FNAME);
	tpl_lookup(t, n);
	if (tpl_isnull(L, -1)) {
		if (t->strict)
			tpl_error(t, n->at, "'%s' is missing (opts.strict)",
			          tpl_piece(t, n->s, n->len));
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		tpl_error(t, n->at, "'%s' is not a list", tpl_piece(t, n->s, n->len));
	list = lua_gettop(L);
	count = (lua_Integer)lua_rawlen(L, list);
	fr = &t->frames[t->nframes++];
	fr->var = n->var;
	fr->varlen = n->varlen;
	lua_createtable(L, 0, 4);
	fr->loop = lua_gettop(L);
	lua_pushinteger(L, count);
	lua_setfield(L, fr->loop, "length");
	lua_pushnil(L);
	fr->value = lua_gettop(L);
	for (i = 1; i <= count; i++) {
		lua_rawgeti(L, list, i);
		lua_replace(L, fr->value);
		lua_pushinteger(L, i);
		lua_setfield(L, fr->loop, "index");
		lua_pushboolean(L, i == 1);
		lua_setfield(L, fr->loop, "first");
		lua_pushboolean(L, i == count);
		lua_setfield(L, fr->loop, "last");
		tpl_exec(t, body, end);
	}
	t->nframes--;
	lua_settop(L, list - 1);
}

static void tpl_exec(tpl_state *t, int from, int to)
{
	lua_State *L = t->L;
	int i = from;

	while (i < to) {
		const tpl_node *n = &t->nodes[i];
		int j, k, has_else, end;

		switch (n->kind) {
		case TPL_TEXT:
			lua_pushlstring(L, n->s, n->len);
			tpl_emit(t);
			i++;
			break;
		case TPL_OUT:
			tpl_lookup(t, n);
			for (k = 0; k < n->nfilters; k++)
				tpl_apply(t, n, &n->filters[k]);
			tpl_totext(t, n);
			if (t->html && !n->raw)
				tpl_escape(L);
			tpl_emit(t);
			i++;
			break;
		case TPL_IF:
			j = n->jump;
			has_else = t->nodes[j].kind == TPL_ELSE;
			end = has_else ? t->nodes[j].jump : j;
			tpl_lookup(t, n);
			k = tpl_truthy(L) != n->negate;
			lua_pop(L, 1);
			if (k)
				tpl_exec(t, i + 1, j);
			else if (has_else)
				tpl_exec(t, j + 1, end);
			i = end + 1;
			break;
		case TPL_FOR:
			tpl_for(t, n, i + 1, n->jump);
			i = n->jump + 1;
			break;
		default:   /* ELSE and END are jumped over */
			i++;
		}
	}
}

/* }====================================================== */


/* Reads opts (index 3): escape, strict, locale, lang. */
static void tpl_options(tpl_state *t)
{
	lua_State *L = t->L;
	const char *escape;
	char buf[64];

	t->html = t->strict = 0;
	t->locale = "nl-NL";
	t->lang = "nl";
	if (lua_isnil(L, 3))
		return;
	luaL_checktype(L, 3, LUA_TTABLE);
	lua_getfield(L, 3, "escape");
	escape = luaL_optstring(L, -1, "none");
	if (strcmp(escape, "html") != 0 && strcmp(escape, "none") != 0)
		luaL_error(L, TPL_FNAME ": opts.escape must be 'html' or 'none', not '%s'", escape);
	t->html = escape[0] == 'h';
	lua_getfield(L, 3, "strict");
	t->strict = lua_toboolean(L, -1);
	lua_getfield(L, 3, "locale");
	t->locale = luaL_optstring(L, -1, t->locale);
	if (money_format(0, 0, NULL, t->locale, MONEY_FMT_NOSYM, buf, sizeof buf) < 0)
		luaL_error(L, TPL_FNAME ": unknown opts.locale '%s' (nl-NL, nl-BE, fr-BE, en or C)",
		           t->locale);
	lua_getfield(L, 3, "lang");
	t->lang = luaL_optstring(L, -1, t->lang);
	if (date_format_long(0, t->lang, buf, sizeof buf) < 0)
		luaL_error(L, TPL_FNAME ": unknown opts.lang '%s' (nl, fr or en)", t->lang);
	/* the four values stay on the stack, which keeps the strings alive while we render */
}

/* owed.template.render(text, data?, opts?) */
static int tpl_render(lua_State *L)
{
	tpl_state t;
	luaL_Buffer b;
	lua_Integer i;

	memset(&t, 0, sizeof t);
	t.L = L;
	t.src = luaL_checklstring(L, 1, &t.len);
	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 3);
	tpl_options(&t);
	t.data = 2;
	t.cap = 16;
	t.nodes = lua_newuserdatauv(L, (size_t)t.cap * sizeof *t.nodes, 0);
	t.nodes_slot = lua_gettop(L);
	tpl_compile(&t);
	lua_newtable(L);
	t.out = lua_gettop(L);
	tpl_exec(&t, 0, t.nnodes);
	luaL_buffinit(L, &b);
	for (i = 1; i <= t.nout; i++) {
		lua_rawgeti(L, t.out, i);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	return 1;
}

static const luaL_Reg tpl_funcs[] = {
	{"render", tpl_render},
	{NULL, NULL}
};

int api_open_template(lua_State *L)
{
	luaL_newlib(L, tpl_funcs);
	/* in package.loaded, so tracebacks name "owed.template.render" */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "owed.template");
	lua_pop(L, 1);
	return 1;
}
