/*
 * pattern.c -- Lua's string patterns (find, match, gmatch, gsub) for sandboxed plugins, with a
 * budget.
 *
 * Lua's own matcher runs inside C, where the instruction-count hook never fires, so a plugin
 * could hang the host with a pattern that backtracks for minutes ("('x'):rep(1e5):find('.-y')").
 * This matcher implements the same pattern language (Lua 5.4 reference manual, section 6.4.1)
 * and counts its steps: every few thousand it compares the clock with the plugin's deadline
 * and, past it, stops the plugin the way the count hook does.  Scripts and the host keep Lua's
 * own functions; only sandboxed states get these.
 */
#include <ctype.h>
#include <lauxlib.h>
#include <string.h>
#include <uv.h>

#include "runtime/sandbox.h"

#define PAT_MAXCAPTURES  32
#define PAT_MAXDEPTH     200      /* recursion, as Lua's MAXCCALLS */
#define PAT_CHECK_EVERY  4096     /* steps between clock checks */
#define PAT_ESC          '%'

enum { CAP_UNFINISHED = -1, CAP_POSITION = -2 };

typedef struct pat_state {
	const char *src, *src_end, *p_end;
	lua_State *L;
	sandbox *sb;
	unsigned long steps;
	int depth, level;
	struct { const char *init; ptrdiff_t len; } cap[PAT_MAXCAPTURES];
} pat_state;

/* ------------------------------------------------------------------ the budget */

static void pat_tick(pat_state *m)
{
	if (++m->steps % PAT_CHECK_EVERY || !m->sb || !m->sb->deadline_ns)
		return;
	if (uv_hrtime() >= m->sb->deadline_ns) {
		m->sb->stopped = 1;
		luaL_error(m->L, "stopped: the plugin ran longer than its time budget (%d ms) in a "
		           "string pattern", (int)m->sb->budget_ms);
	}
}

/* ------------------------------------------------------------------ single characters */

static int pat_class(int c, int cl)
{
	int r;
	switch (tolower(cl)) {
	case 'a': r = isalpha(c); break;
	case 'c': r = iscntrl(c); break;
	case 'd': r = isdigit(c); break;
	case 'g': r = isgraph(c); break;
	case 'l': r = islower(c); break;
	case 'p': r = ispunct(c); break;
	case 's': r = isspace(c); break;
	case 'u': r = isupper(c); break;
	case 'w': r = isalnum(c); break;
	case 'x': r = isxdigit(c); break;
	default: return cl == c;          /* %. %% %( ... stand for themselves */
	}
	if (isupper(cl))
		r = !r;
	return r != 0;
}

/* The end of the single-character class at p. */
static const char *pat_class_end(pat_state *m, const char *p)
{
	switch (*p++) {
	case PAT_ESC:
		if (p == m->p_end)
			luaL_error(m->L, "malformed pattern (ends with '%%')");
		return p + 1;
	case '[':
		if (*p == '^')
			p++;
		do {            /* the first ']' right after '[' or '[^' is a member */
			if (p == m->p_end)
				luaL_error(m->L, "malformed pattern (missing ']')");
			if (*(p++) == PAT_ESC && p < m->p_end)
				p++;
		} while (*p != ']');
		return p + 1;
	default:
		return p;
	}
}

/* Whether c is in the set [...] from p (at '[') to ec (at its ']'). */
static int pat_in_set(int c, const char *p, const char *ec)
{
	int yes = 1;
	if (*(p + 1) == '^') {
		yes = 0;
		p++;
	}
	while (++p < ec) {
		if (*p == PAT_ESC) {
			p++;
			if (pat_class(c, (unsigned char)*p))
				return yes;
		} else if (*(p + 1) == '-' && p + 2 < ec) {
			if ((unsigned char)*p <= c && c <= (unsigned char)*(p + 2))
				return yes;
			p += 2;
		} else if ((unsigned char)*p == c)
			return yes;
	}
	return !yes;
}

static int pat_single(pat_state *m, const char *s, const char *p, const char *ep)
{
	int c;
	pat_tick(m);
	if (s >= m->src_end)
		return 0;
	c = (unsigned char)*s;
	switch (*p) {
	case '.': return 1;
	case PAT_ESC: return pat_class(c, (unsigned char)*(p + 1));
	case '[': return pat_in_set(c, p, ep - 1);
	default: return (unsigned char)*p == c;
	}
}

/* ------------------------------------------------------------------ matching */

static const char *pat_match(pat_state *m, const char *s, const char *p);

static const char *pat_balance(pat_state *m, const char *s, const char *p)
{
	int open, close, depth = 1;
	if (p + 1 >= m->p_end)
		luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
	if (s >= m->src_end || *s != *p)
		return NULL;
	open = *p;
	close = *(p + 1);
	while (++s < m->src_end) {
		pat_tick(m);
		if (*s == close) {
			if (--depth == 0)
				return s + 1;
		} else if (*s == open)
			depth++;
	}
	return NULL;
}

static const char *pat_max_expand(pat_state *m, const char *s, const char *p, const char *ep)
{
	ptrdiff_t i = 0;
	while (pat_single(m, s + i, p, ep))
		i++;
	while (i >= 0) {                        /* try with as many as possible, then fewer */
		const char *r = pat_match(m, s + i, ep + 1);
		if (r)
			return r;
		i--;
	}
	return NULL;
}

static const char *pat_min_expand(pat_state *m, const char *s, const char *p, const char *ep)
{
	for (;;) {
		const char *r = pat_match(m, s, ep + 1);
		if (r)
			return r;
		if (!pat_single(m, s, p, ep))
			return NULL;
		s++;
	}
}

static const char *pat_open(pat_state *m, const char *s, const char *p, ptrdiff_t what)
{
	const char *r;
	if (m->level >= PAT_MAXCAPTURES)
		luaL_error(m->L, "too many captures");
	m->cap[m->level].init = s;
	m->cap[m->level].len = what;
	m->level++;
	if (!(r = pat_match(m, s, p)))
		m->level--;
	return r;
}

static const char *pat_close(pat_state *m, const char *s, const char *p)
{
	const char *r;
	int l = m->level - 1;
	while (l >= 0 && m->cap[l].len != CAP_UNFINISHED)
		l--;
	if (l < 0)
		luaL_error(m->L, "invalid pattern capture");
	m->cap[l].len = s - m->cap[l].init;
	if (!(r = pat_match(m, s, p)))
		m->cap[l].len = CAP_UNFINISHED;
	return r;
}

static int pat_capture_index(pat_state *m, int l)
{
	l -= '1';
	if (l < 0 || l >= m->level || m->cap[l].len == CAP_UNFINISHED)
		luaL_error(m->L, "invalid capture index %%%d", l + 1);
	return l;
}

static const char *pat_backref(pat_state *m, const char *s, int l)
{
	size_t len;
	l = pat_capture_index(m, l);
	len = (size_t)m->cap[l].len;
	if ((size_t)(m->src_end - s) >= len && memcmp(m->cap[l].init, s, len) == 0)
		return s + len;
	return NULL;
}

static const char *pat_match(pat_state *m, const char *s, const char *p)
{
	if (++m->depth > PAT_MAXDEPTH)
		luaL_error(m->L, "pattern too complex");
	while (p != m->p_end) {
		const char *ep;
		pat_tick(m);
		switch (*p) {
		case '(':
			s = p + 1 < m->p_end && *(p + 1) == ')'
			    ? pat_open(m, s, p + 2, CAP_POSITION) : pat_open(m, s, p + 1, CAP_UNFINISHED);
			goto done;
		case ')':
			s = pat_close(m, s, p + 1);
			goto done;
		case '$':
			if (p + 1 == m->p_end) {
				s = s == m->src_end ? s : NULL;
				goto done;
			}
			break;
		case PAT_ESC:
			if (p + 1 < m->p_end && *(p + 1) == 'b') {
				if (!(s = pat_balance(m, s, p + 2)))
					goto done;
				p += 4;
				continue;
			}
			if (p + 1 < m->p_end && *(p + 1) == 'f') {
				char prev, cur;
				p += 2;
				if (p >= m->p_end || *p != '[')
					luaL_error(m->L, "missing '[' after '%%f' in pattern");
				ep = pat_class_end(m, p);
				prev = s == m->src ? '\0' : *(s - 1);
				cur = s < m->src_end ? *s : '\0';
				if (!pat_in_set((unsigned char)prev, p, ep - 1) &&
				    pat_in_set((unsigned char)cur, p, ep - 1)) {
					p = ep;
					continue;
				}
				s = NULL;
				goto done;
			}
			if (p + 1 < m->p_end && isdigit((unsigned char)*(p + 1))) {
				if (!(s = pat_backref(m, s, (unsigned char)*(p + 1))))
					goto done;
				p += 2;
				continue;
			}
			break;
		default:
			break;
		}
		/* a single-character class, perhaps with a quantifier */
		ep = pat_class_end(m, p);
		if (!pat_single(m, s, p, ep)) {
			if (ep < m->p_end && (*ep == '*' || *ep == '?' || *ep == '-')) {
				p = ep + 1;         /* zero occurrences are fine */
				continue;
			}
			s = NULL;
			goto done;
		}
		switch (ep < m->p_end ? *ep : '\0') {
		case '?': {
			const char *r = pat_match(m, s + 1, ep + 1);
			if (r) {
				s = r;
				goto done;
			}
			p = ep + 1;
			continue;
		}
		case '+':
			s = pat_max_expand(m, s + 1, p, ep);
			goto done;
		case '*':
			s = pat_max_expand(m, s, p, ep);
			goto done;
		case '-':
			s = pat_min_expand(m, s, p, ep);
			goto done;
		default:
			s++;
			p = ep;
			continue;
		}
	}
done:
	m->depth--;
	return s;
}

/* ------------------------------------------------------------------ captures */

static void pat_prepare(pat_state *m, lua_State *L, const char *s, size_t ls, const char *p,
                        size_t lp)
{
	m->L = L;
	m->sb = sandbox_of(L);
	m->src = s;
	m->src_end = s + ls;
	m->p_end = p + lp;
	m->steps = 0;
	m->depth = 0;
	m->level = 0;
}

static size_t pat_push_one(pat_state *m, int i, const char *s, const char *e)
{
	if (i >= m->level) {
		if (i != 0)
			luaL_error(m->L, "invalid capture index %%%d", i + 1);
		lua_pushlstring(m->L, s, (size_t)(e - s));       /* the whole match */
		return (size_t)(e - s);
	}
	if (m->cap[i].len == CAP_UNFINISHED)
		luaL_error(m->L, "unfinished capture");
	if (m->cap[i].len == CAP_POSITION) {
		lua_pushinteger(m->L, (m->cap[i].init - m->src) + 1);
		return 0;
	}
	lua_pushlstring(m->L, m->cap[i].init, (size_t)m->cap[i].len);
	return (size_t)m->cap[i].len;
}

/* Pushes the captures (or the whole match when there are none and s is given). */
static int pat_push_captures(pat_state *m, const char *s, const char *e)
{
	int n = (m->level == 0 && s) ? 1 : m->level;
	luaL_checkstack(m->L, n, "too many captures");
	for (int i = 0; i < n; i++)
		pat_push_one(m, i, s, e);
	return n;
}

/* ------------------------------------------------------------------ find, match */

static size_t pat_start(lua_Integer pos, size_t len)
{
	if (pos > 0)
		return (size_t)pos;
	if (pos == 0)
		return 1;
	if (pos < -(lua_Integer)len)
		return 1;
	return len + (size_t)pos + 1;
}

static int pat_has_specials(const char *p, size_t l)
{
	size_t upto = 0;
	do {
		if (strpbrk(p + upto, "^$*+?.([%-"))
			return 1;
		upto += strlen(p + upto) + 1;
	} while (upto <= l);
	return 0;
}

static const char *pat_memfind(const char *s, size_t ls, const char *p, size_t lp)
{
	if (lp == 0)
		return s;
	while (lp <= ls) {
		const char *hit = memchr(s, *p, ls - lp + 1);
		if (!hit)
			return NULL;
		if (memcmp(hit + 1, p + 1, lp - 1) == 0)
			return hit;
		ls -= (size_t)(hit + 1 - s);
		s = hit + 1;
	}
	return NULL;
}

static int pat_find_aux(lua_State *L, int find)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = pat_start(luaL_optinteger(L, 3, 1), ls) - 1;
	pat_state m;
	const char *s1;
	int anchor;

	if (init > ls) {
		luaL_pushfail(L);
		return 1;
	}
	if (find && (lua_toboolean(L, 4) || !pat_has_specials(p, lp))) {
		const char *hit = pat_memfind(s + init, ls - init, p, lp);
		if (hit) {
			lua_pushinteger(L, (hit - s) + 1);
			lua_pushinteger(L, (lua_Integer)((hit - s) + lp));
			return 2;
		}
		luaL_pushfail(L);
		return 1;
	}
	anchor = *p == '^';
	if (anchor) {
		p++;
		lp--;
	}
	pat_prepare(&m, L, s, ls, p, lp);
	s1 = s + init;
	do {
		const char *e;
		m.level = 0;
		m.depth = 0;
		if ((e = pat_match(&m, s1, p)) != NULL) {
			if (find) {
				lua_pushinteger(L, (s1 - s) + 1);
				lua_pushinteger(L, e - s);
				return pat_push_captures(&m, NULL, NULL) + 2;
			}
			return pat_push_captures(&m, s1, e);
		}
	} while (s1++ < m.src_end && !anchor);
	luaL_pushfail(L);
	return 1;
}

static int pat_find(lua_State *L)  { return pat_find_aux(L, 1); }
static int pat_str_match(lua_State *L) { return pat_find_aux(L, 0); }

/* ------------------------------------------------------------------ gmatch */

typedef struct pat_gmatch {
	const char *src, *p, *lastmatch;
	pat_state m;
} pat_gmatch;

static int pat_gmatch_next(lua_State *L)
{
	pat_gmatch *g = lua_touserdata(L, lua_upvalueindex(3));
	const char *src;
	g->m.L = L;
	g->m.sb = sandbox_of(L);
	for (src = g->src; src <= g->m.src_end; src++) {
		const char *e;
		g->m.level = 0;
		g->m.depth = 0;
		if ((e = pat_match(&g->m, src, g->p)) != NULL && e != g->lastmatch) {
			g->src = g->lastmatch = e;
			return pat_push_captures(&g->m, src, e);
		}
	}
	return 0;
}

static int pat_gmatch_new(lua_State *L)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = pat_start(luaL_optinteger(L, 3, 1), ls) - 1;
	pat_gmatch *g;
	lua_settop(L, 2);                       /* the strings stay alive as upvalues */
	g = lua_newuserdatauv(L, sizeof *g, 0);
	if (init > ls)
		init = ls + 1;                      /* start past the end: no matches */
	pat_prepare(&g->m, L, s, ls, p, lp);
	g->src = s + init;
	g->p = p;
	g->lastmatch = NULL;
	lua_pushcclosure(L, pat_gmatch_next, 3);
	return 1;
}

/* ------------------------------------------------------------------ gsub */

static void pat_add_string(pat_state *m, luaL_Buffer *b, const char *s, const char *e)
{
	size_t l;
	lua_State *L = m->L;
	const char *news = lua_tolstring(L, 3, &l);
	const char *p;
	while ((p = memchr(news, PAT_ESC, l)) != NULL) {
		luaL_addlstring(b, news, (size_t)(p - news));
		p++;
		if (*p == PAT_ESC)
			luaL_addchar(b, *p);
		else if (*p == '0')
			luaL_addlstring(b, s, (size_t)(e - s));
		else if (isdigit((unsigned char)*p)) {
			pat_push_one(m, *p - '1', s, e);
			luaL_tolstring(L, -1, NULL);
			lua_remove(L, -2);
			luaL_addvalue(b);
		} else
			luaL_error(L, "invalid use of '%c' in replacement string", PAT_ESC);
		l -= (size_t)(p + 1 - news);
		news = p + 1;
	}
	luaL_addlstring(b, news, l);
}

/* Adds the replacement for the match s..e; 0 when the original text stays. */
static int pat_add_value(pat_state *m, luaL_Buffer *b, const char *s, const char *e, int tr)
{
	lua_State *L = m->L;
	switch (tr) {
	case LUA_TFUNCTION: {
		int n;
		lua_pushvalue(L, 3);
		n = pat_push_captures(m, s, e);
		lua_call(L, n, 1);
		break;
	}
	case LUA_TTABLE:
		pat_push_one(m, 0, s, e);
		lua_gettable(L, 3);
		break;
	default:
		pat_add_string(m, b, s, e);
		return 1;
	}
	if (!lua_toboolean(L, -1)) {
		lua_pop(L, 1);
		luaL_addlstring(b, s, (size_t)(e - s));
		return 0;
	}
	if (!lua_isstring(L, -1))
		return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
	luaL_addvalue(b);
	return 1;
}

static int pat_gsub(lua_State *L)
{
	size_t srcl, lp;
	const char *src = luaL_checklstring(L, 1, &srcl);
	const char *p = luaL_checklstring(L, 2, &lp);
	const char *lastmatch = NULL;
	int tr = lua_type(L, 3);
	lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)srcl + 1), n = 0;
	int anchor = *p == '^', changed = 0;
	pat_state m;
	luaL_Buffer b;

	luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION ||
	                 tr == LUA_TTABLE, 3, "string/function/table");
	luaL_buffinit(L, &b);
	if (anchor) {
		p++;
		lp--;
	}
	pat_prepare(&m, L, src, srcl, p, lp);
	while (n < max_s) {
		const char *e;
		m.level = 0;
		m.depth = 0;
		if ((e = pat_match(&m, src, p)) != NULL && e != lastmatch) {
			n++;
			changed = pat_add_value(&m, &b, src, e, tr) | changed;
			src = lastmatch = e;
		} else if (src < m.src_end)
			luaL_addchar(&b, *src++);
		else
			break;
		if (anchor)
			break;
	}
	if (!changed)
		lua_pushvalue(L, 1);
	else {
		luaL_addlstring(&b, src, (size_t)(m.src_end - src));
		luaL_pushresult(&b);
	}
	lua_pushinteger(L, n);
	return 2;
}

/* ------------------------------------------------------------------ installing */

void pattern_install(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "find", pat_find }, { "match", pat_str_match }, { "gmatch", pat_gmatch_new },
		{ "gsub", pat_gsub }, { NULL, NULL }
	};
	lua_getglobal(L, "string");
	luaL_setfuncs(L, fns, 0);
	lua_pop(L, 1);
}
