/*
 * lua_xml.c -- owed.xml: XML documents (CAMT.053, UBL invoices) as Lua tables, or as a stream
 * of events, through expat.
 *
 * An element is a table { name = local name, ns = namespace URI or nil, attrs = { local name =
 * value }, children = { elements }, text = its own character data, untrimmed } with methods for
 * the lookups an importer makes: el:child("Bal"), el:path("Stmt/Bal/Amt"), el:all("Ntry").
 * Names are local names, so a bank's choice of prefix, or of the camt.053.001.02 or .08
 * namespace, does not change the code that reads it.
 *
 * With opts.flat, the elements named opts.each are not built as trees at all but read as
 * records (see "Records" below): one flat table of paths to trimmed text per element, which is
 * what an importer reading 100,000 statement entries wants -- one table each instead of
 * thirty, and no Lua call per element.
 *
 * Documents with a DTD are refused outright: statements and invoices have none, and entity
 * declarations are how an XML file is made to explode in memory.
 */
#include <string.h>

#include <expat.h>
#include <lauxlib.h>

#include "api/api.h"

#define XML_ELEMENT_MT "owed.xml.element"
#define XML_DEPTH_MAX  256
#define XML_CHUNK      (1 << 20)   /* XML_Parse takes an int length: feed big texts in parts */

/* Joins namespace URI and local name in expat's names.  U+0001 is not allowed anywhere in an
 * XML 1.0 document, not even as a character reference, so no URI can contain it. */
#define XML_NSSEP '\x01'

/*
 * One parse.  No Lua error may unwind through expat's frames (it would leave the parser and
 * what expat holds in its locals unfreed), so every callback does its Lua work in a protected
 * call, and a failure only stops the parser: an error value stays on top of the stack, our
 * own message is kept as what, line and column.  The text buffer comes from the state's
 * allocator by hand, where a failure is a NULL rather than an error.  The parser is freed,
 * and the error raised, once XML_Parse has returned.
 *
 * The Lua side of the parse is the table st: st[1..depth] the open elements (tree) and
 * st.handlers (stream), st.each the function given elements are handed to (tree with each).  Open elements' text is kept in one buffer used as a stack: an
 * element's text starts at text_at[depth-1] and is cut off when the element ends, so the
 * parent's text that follows continues where it left off.
 */
typedef struct xml_l_parse {
	XML_Parser p;
	lua_State *L;
	int stream;              /* 1: call handlers; 0: build the tree */
	int st;                  /* stack slot of st */
	const char *each;        /* tree mode: elements of this local name go to st.each, or NULL */
	int failed;
	const char *what;        /* the failure, or NULL when the error value is on the stack */
	unsigned long line, column;
	int depth;
	const char *name;        /* the event being handled, for the protected calls */
	const char **atts;
	char *text;
	size_t text_n, text_cap;
	size_t text_at[XML_DEPTH_MAX];
	/* records (opts.flat): the one being read, see "Records" */
	int flat;                /* 1: each-elements are read as records */
	int rec_depth;           /* depth of the open record's element; 0: none open */
	char *rec;               /* its pairs so far: key NUL value NUL ... */
	size_t rec_n, rec_cap, rec_pairs;
	char *path;              /* the path of the open element within the record */
	size_t path_n, path_cap;
	size_t path_at[XML_DEPTH_MAX + 1];
	struct xml_l_sibling { size_t name, len; unsigned count; } *sib;
	size_t sib_n, sib_cap;   /* per open element, the names of its children so far */
	size_t sib_at[XML_DEPTH_MAX + 1];
	char *names;             /* the names the siblings point into */
	size_t names_n, names_cap;
	size_t names_at[XML_DEPTH_MAX + 1];
} xml_l_parse;

/* Records the first failure (see xml_l_parse) and stops expat; later callbacks see failed
 * and do nothing. */
static void xml_l_fail(xml_l_parse *x, const char *what)
{
	x->failed = 1;
	x->what = what;
	x->line = XML_GetCurrentLineNumber(x->p);
	x->column = XML_GetCurrentColumnNumber(x->p) + 1;
	XML_StopParser(x->p, XML_FALSE);
}

/* Runs f(x, st) protected; the stack has room, as xml_l_run reserved it. */
static void xml_l_protect(xml_l_parse *x, lua_CFunction f)
{
	lua_pushcfunction(x->L, f);
	lua_pushlightuserdata(x->L, x);
	lua_pushvalue(x->L, x->st);
	if (lua_pcall(x->L, 2, 0, 0) != LUA_OK)
		xml_l_fail(x, NULL);
}

/* Pushes the local part of an expat name; *ns (if given) gets the URI and its length. */
static void xml_l_pushname(lua_State *L, const char *name, const char **ns, size_t *nslen)
{
	const char *sep = strchr(name, XML_NSSEP);
	if (ns != NULL) {
		*ns = sep != NULL ? name : NULL;
		*nslen = sep != NULL ? (size_t)(sep - name) : 0;
	}
	lua_pushstring(L, sep != NULL ? sep + 1 : name);
}

static void xml_l_pushattrs(lua_State *L, const char **atts)
{
	lua_newtable(L);
	for (; atts[0] != NULL; atts += 2) {
		xml_l_pushname(L, atts[0], NULL, NULL);
		lua_pushstring(L, atts[1]);
		lua_rawset(L, -3);
	}
}

static void xml_l_pushns(lua_State *L, const char *ns, size_t nslen)
{
	if (ns != NULL)
		lua_pushlstring(L, ns, nslen);
	else
		lua_pushnil(L);
}

/* Pushes the parent and the grandparent (or nil) of the element that just ended: st[depth]
 * and st[depth - 1].  Arguments x, st. */
static void xml_l_pushparents(lua_State *L, const xml_l_parse *x)
{
	lua_rawgeti(L, 2, x->depth);
	if (x->depth > 1)
		lua_rawgeti(L, 2, x->depth - 1);
	else
		lua_pushnil(L);
}

/* Protected: the start of element x->name; x->depth already counts it.  Arguments x, st. */
static int xml_l_start_p(lua_State *L)
{
	xml_l_parse *x = lua_touserdata(L, 1);
	const char *ns;
	size_t nslen;

	if (x->stream) {
		lua_getfield(L, 2, "handlers");
		if (lua_getfield(L, -1, "start") == LUA_TNIL)
			return 0;
		xml_l_pushname(L, x->name, &ns, &nslen);
		xml_l_pushattrs(L, x->atts);
		xml_l_pushns(L, ns, nslen);
		lua_call(L, 3, 0);
		return 0;
	}
	/* attrs and children only when there are some: most elements of a statement have
	 * neither, and two tables fewer each is a third of a big file's parse (the shared
	 * empty ones come from the metatable) */
	lua_createtable(L, 0, 4);
	luaL_setmetatable(L, XML_ELEMENT_MT);
	xml_l_pushname(L, x->name, &ns, &nslen);
	lua_setfield(L, -2, "name");
	if (ns != NULL) {
		xml_l_pushns(L, ns, nslen);
		lua_setfield(L, -2, "ns");
	}
	if (x->atts[0] != NULL) {
		xml_l_pushattrs(L, x->atts);
		lua_setfield(L, -2, "attrs");
	}
	if (x->depth > 1) {   /* append to the parent's children */
		lua_rawgeti(L, 2, x->depth - 1);
		if (lua_getfield(L, -1, "children") != LUA_TTABLE || lua_rawlen(L, -1) == 0) {
			lua_pop(L, 1);          /* the shared empty one: the parent gets its own */
			lua_createtable(L, 4, 0);
			lua_pushvalue(L, -1);
			lua_setfield(L, -3, "children");
		}
		lua_pushvalue(L, 3);
		lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
		lua_settop(L, 3);
	}
	lua_rawseti(L, 2, x->depth);
	return 0;
}

/* Protected: the end of element x->name, whose text runs from text_at[x->depth] to the end
 * of the buffer; x->depth no longer counts it.  Arguments x, st. */
static int xml_l_end_p(lua_State *L)
{
	xml_l_parse *x = lua_touserdata(L, 1);
	size_t at = x->text_at[x->depth];

	if (x->stream) {
		lua_getfield(L, 2, "handlers");
		if (lua_getfield(L, -1, "end") == LUA_TNIL)
			return 0;
		xml_l_pushname(L, x->name, NULL, NULL);
		lua_pushlstring(L, x->text + at, x->text_n - at);
		lua_call(L, 2, 0);
		return 0;
	}
	lua_rawgeti(L, 2, x->depth + 1);
	lua_pushlstring(L, x->text + at, x->text_n - at);
	lua_setfield(L, -2, "text");
	if (x->depth > 0) {   /* the root stays in st[1] */
		lua_pushnil(L);
		lua_rawseti(L, 2, x->depth + 1);
	}
	if (x->each && x->depth > 0) {
		const char *sep = strchr(x->name, XML_NSSEP);
		if (strcmp(sep ? sep + 1 : x->name, x->each) == 0) {
			/* handed over, then cut from its parent: the tree never holds them all */
			lua_getfield(L, 2, "each");
			lua_pushvalue(L, 3);
			xml_l_pushparents(L, x);
			lua_call(L, 3, 0);
			lua_rawgeti(L, 2, x->depth);
			lua_getfield(L, -1, "children");
			lua_pushnil(L);
			lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2));
		}
	}
	return 0;
}


/*
** {======================================================
** Records (opts.flat)
** =======================================================
*/

/*
 * A record is an each-element read flat: one table whose keys are paths below the element and
 * whose values are the trimmed text there.  "Amt" is the text of the child Amt, "Amt@Ccy" its
 * attribute, "NtryDtls/TxDtls/Refs/EndToEndId" a descendant's; "@name" is an attribute of the
 * element itself.  Every element below has its key, "" when it has no text of its own, so a
 * reader can ask whether one is there.  The k-th child (k > 1) of one name under one parent
 * is Name[k]: "NtryDtls/TxDtls[2]/Refs/EndToEndId".  Keys are therefore unique.
 *
 * While a record is open nothing touches Lua: the pairs are gathered in buffers from the
 * state's allocator (so they count against a plugin's memory limit), the path of the open
 * element in another, and per open element the names of its children so far with how often
 * each was seen (sib, whose names live in names).  Those three are stacks cut back to
 * path_at, sib_at and names_at[depth] when an element ends.  The table is made, and fn
 * called, in one protected call when the record's element ends.
 */

/* Room for need more bytes after n in a buffer of capacity *cap; 0, or -1 having failed the
 * parse for memory. */
static int xml_l_room(xml_l_parse *x, char **buf, size_t *cap, size_t n, size_t need)
{
	void *aud;
	lua_Alloc alloc = lua_getallocf(x->L, &aud);
	size_t want = *cap ? *cap : 256;
	char *p;

	if (*cap - n >= need)
		return 0;
	while (want - n < need)
		want *= 2;
	if ((p = alloc(aud, *buf, *cap, want)) == NULL) {
		xml_l_fail(x, "not enough memory");
		return -1;
	}
	*buf = p;
	*cap = want;
	return 0;
}

static int xml_l_put(xml_l_parse *x, const char *at, size_t atlen, const char *v, size_t vlen)
{
	if (xml_l_room(x, &x->rec, &x->rec_cap, x->rec_n, x->path_n + atlen + vlen + 2) != 0)
		return -1;
	if (x->path_n > 0)          /* the record's own attributes: no path, maybe no buffer yet */
		memcpy(x->rec + x->rec_n, x->path, x->path_n);
	memcpy(x->rec + x->rec_n + x->path_n, at, atlen);
	x->rec_n += x->path_n + atlen;
	x->rec[x->rec_n++] = '\0';
	memcpy(x->rec + x->rec_n, v, vlen);
	x->rec_n += vlen;
	x->rec[x->rec_n++] = '\0';
	x->rec_pairs++;
	return 0;
}

/* How many children named name (len bytes) the open element at depth d - 1 has had, this one
 * included; 0 having failed for memory. */
static unsigned xml_l_sibling(xml_l_parse *x, int d, const char *name, size_t len)
{
	size_t i, cap = x->sib_cap * sizeof *x->sib;
	char *sib = (char *)x->sib;

	for (i = x->sib_at[d - 1]; i < x->sib_n; i++)
		if (x->sib[i].len == len && memcmp(x->names + x->sib[i].name, name, len) == 0)
			return ++x->sib[i].count;
	if (xml_l_room(x, &x->names, &x->names_cap, x->names_n, len) != 0
	    || xml_l_room(x, &sib, &cap, x->sib_n * sizeof *x->sib, sizeof *x->sib) != 0)
		return 0;
	x->sib = (struct xml_l_sibling *)(void *)sib;
	x->sib_cap = cap / sizeof *x->sib;
	memcpy(x->names + x->names_n, name, len);
	x->sib[x->sib_n++] = (struct xml_l_sibling){ x->names_n, len, 1 };
	x->names_n += len;
	return 1;
}

static const char *xml_l_local(const char *name)
{
	const char *sep = strchr(name, XML_NSSEP);
	return sep != NULL ? sep + 1 : name;
}

/* The start of element x->name at depth x->depth, in the record or the record's own. */
static void xml_l_rec_start(xml_l_parse *x)
{
	int d = x->depth;
	const char *name = xml_l_local(x->name), **a;
	size_t len = strlen(name), ilen = 0;
	char idx[16];

	if (d == x->rec_depth) {
		x->rec_n = x->rec_pairs = x->path_n = x->sib_n = x->names_n = 0;
	} else {
		unsigned k = xml_l_sibling(x, d, name, len);
		if (k == 0)
			return;
		if (k > 1)
			ilen = (size_t)snprintf(idx, sizeof idx, "[%u]", k);
		if (xml_l_room(x, &x->path, &x->path_cap, x->path_n, len + ilen + 1) != 0)
			return;
		if (x->path_n > 0)
			x->path[x->path_n++] = '/';
		memcpy(x->path + x->path_n, name, len);
		memcpy(x->path + x->path_n + len, idx, ilen);
		x->path_n += len + ilen;
	}
	x->path_at[d] = x->path_n;
	x->sib_at[d] = x->sib_n;
	x->names_at[d] = x->names_n;
	for (a = x->atts; a[0] != NULL; a += 2) {
		const char *an = xml_l_local(a[0]);
		char key[128];
		int n = snprintf(key, sizeof key, "@%s", an);
		if (n < 0 || (size_t)n >= sizeof key) {
			xml_l_fail(x, "an attribute name longer than 126 bytes");
			return;
		}
		if (xml_l_put(x, key, (size_t)n, a[1], strlen(a[1])) != 0)
			return;
	}
}

/* Protected: the record's element has ended; makes its table and calls fn(record, parent,
 * grandparent).  Arguments x, st. */
static int xml_l_rec_p(lua_State *L)
{
	xml_l_parse *x = lua_touserdata(L, 1);
	const char *p = x->rec;
	size_t i;

	lua_getfield(L, 2, "each");
	lua_createtable(L, 0, (int)x->rec_pairs);
	for (i = 0; i < x->rec_pairs; i++) {
		size_t kl = strlen(p), vl = strlen(p + kl + 1);
		lua_pushlstring(L, p, kl);
		lua_pushlstring(L, p + kl + 1, vl);
		lua_rawset(L, -3);
		p += kl + vl + 2;
	}
	xml_l_pushparents(L, x);
	lua_call(L, 3, 0);
	return 0;
}

static int xml_l_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The end of the element at depth x->depth + 1, in the record or the record's own; its text
 * runs from text_at[x->depth] to the end of the buffer. */
static void xml_l_rec_end(xml_l_parse *x)
{
	int d = x->depth + 1;
	const char *t = x->text + x->text_at[x->depth];
	size_t n = x->text_n - x->text_at[x->depth];

	x->sib_n = x->sib_at[d];
	x->names_n = x->names_at[d];
	if (d == x->rec_depth) {
		x->rec_depth = 0;
		xml_l_protect(x, xml_l_rec_p);
		return;
	}
	while (n > 0 && xml_l_space(*t))
		t++, n--;
	while (n > 0 && xml_l_space(t[n - 1]))
		n--;
	if (xml_l_put(x, "", 0, t, n) == 0)
		x->path_n = x->path_at[d - 1];
}

/* }====================================================== */

static void XMLCALL xml_l_start(void *ud, const char *name, const char **atts)
{
	xml_l_parse *x = ud;

	if (x->failed)
		return;
	if (x->depth == XML_DEPTH_MAX) {
		xml_l_fail(x, "elements nested deeper than 256");
		return;
	}
	x->text_at[x->depth++] = x->text_n;
	x->name = name;
	x->atts = atts;
	if (x->flat && x->rec_depth == 0 && x->depth > 1 && strcmp(xml_l_local(name), x->each) == 0)
		x->rec_depth = x->depth;
	if (x->rec_depth != 0)
		xml_l_rec_start(x);
	else
		xml_l_protect(x, xml_l_start_p);
}

static void XMLCALL xml_l_end(void *ud, const char *name)
{
	xml_l_parse *x = ud;

	if (x->failed)
		return;
	x->depth--;
	x->name = name;
	if (x->rec_depth != 0)
		xml_l_rec_end(x);
	else
		xml_l_protect(x, xml_l_end_p);
	x->text_n = x->text_at[x->depth];
}

static void XMLCALL xml_l_chars(void *ud, const char *s, int len)
{
	xml_l_parse *x = ud;
	size_t n = (size_t)len;

	if (x->failed || x->depth == 0)
		return;
	if (x->text_cap - x->text_n < n) {
		size_t cap = x->text_cap;
		void *aud;
		lua_Alloc alloc = lua_getallocf(x->L, &aud);
		char *p;
		while (cap - x->text_n < n)
			cap *= 2;
		if ((p = alloc(aud, x->text, x->text_cap, cap)) == NULL) {
			xml_l_fail(x, "not enough memory");
			return;
		}
		x->text = p;
		x->text_cap = cap;
	}
	memcpy(x->text + x->text_n, s, n);
	x->text_n += n;
}

static void XMLCALL xml_l_doctype(void *ud, const char *name, const char *sysid,
                                  const char *pubid, int has_internal_subset)
{
	xml_l_parse *x = ud;
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	if (!x->failed)
		xml_l_fail(x, "DTDs are not accepted");
}

/* Feeds the text to expat, in parts of at most XML_CHUNK bytes. */
static void xml_l_feed(xml_l_parse *x, const char *s, size_t len)
{
	int done = 0;

	while (!done && !x->failed) {
		int n = len > XML_CHUNK ? XML_CHUNK : (int)len;
		done = len <= XML_CHUNK;
		if (XML_Parse(x->p, s, n, done) == XML_STATUS_ERROR && !x->failed)
			xml_l_fail(x, XML_ErrorString(XML_GetErrorCode(x->p)));
		s += n;
		len -= (size_t)n;
	}
}

/* Parses the text at index 1 (handlers at index 2 when stream); leaves the root on top in
 * tree mode, or raises the parse's error. */
static void xml_l_run(lua_State *L, int stream)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	xml_l_parse *x;
	void *aud;
	lua_Alloc alloc = lua_getallocf(L, &aud);
	const char *each = NULL;

	int flat = 0;

	luaL_checkstack(L, 8, "owed.xml");   /* room for xml_l_protect and an error value */
	if (!stream && lua_istable(L, 2)) {
		flat = lua_getfield(L, 2, "flat") != LUA_TNIL && lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	if (!stream && lua_istable(L, 2) && lua_getfield(L, 2, "each") != LUA_TNIL) {
		each = luaL_checkstring(L, -1);   /* stays on the stack: the parse holds it */
		if (lua_getfield(L, 2, "fn") != LUA_TFUNCTION)
			luaL_error(L, "owed.xml.parse: opts.fn must be a function (given opts.each)");
	}
	lua_newtable(L);
	if (stream) {
		lua_pushvalue(L, 2);
		lua_setfield(L, -2, "handlers");
	} else if (each) {
		lua_pushvalue(L, -2);
		lua_setfield(L, -2, "each");
	}
	x = lua_newuserdatauv(L, sizeof *x, 0);
	memset(x, 0, sizeof *x);
	x->L = L;
	if (flat && each == NULL)
		luaL_error(L, "owed.xml.parse: opts.flat reads the elements named by opts.each (none given)");
	x->each = each;
	x->flat = flat;
	x->stream = stream;
	x->st = lua_gettop(L) - 1;
	x->text_cap = 256;
	if ((x->text = alloc(aud, NULL, 0, x->text_cap)) == NULL)
		luaL_error(L, "owed.xml: not enough memory");
	if ((x->p = XML_ParserCreateNS(NULL, XML_NSSEP)) == NULL) {
		alloc(aud, x->text, x->text_cap, 0);
		luaL_error(L, "owed.xml: not enough memory");
	}
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, xml_l_start, xml_l_end);
	XML_SetCharacterDataHandler(x->p, xml_l_chars);
	XML_SetStartDoctypeDeclHandler(x->p, xml_l_doctype);
	xml_l_feed(x, s, len);
	XML_ParserFree(x->p);
	alloc(aud, x->text, x->text_cap, 0);
	alloc(aud, x->rec, x->rec_cap, 0);
	alloc(aud, x->path, x->path_cap, 0);
	alloc(aud, x->sib, x->sib_cap * sizeof *x->sib, 0);
	alloc(aud, x->names, x->names_cap, 0);
	if (x->failed) {
		if (x->what != NULL)
			lua_pushfstring(L, "owed.xml.%s: %s at line %I column %I",
			                stream ? "stream" : "parse", x->what, (LUAI_UACINT)x->line,
			                (LUAI_UACINT)x->column);
		lua_error(L);
	}
	lua_rawgeti(L, x->st, 1);
}

/* owed.xml.parse(text [, { each = name, fn = f }]): the root element; with each, every
 * element of that local name is handed to f(element, parent, grandparent) when it ends and
 * left out of the tree */
static int xml_l_parse_text(lua_State *L)
{
	lua_settop(L, 2);
	xml_l_run(L, 0);
	return 1;
}

/* owed.xml.stream(text, handlers): handlers.start(name, attrs, ns) and
 * handlers["end"](name, text) for each element, in document order */
static int xml_l_stream(lua_State *L)
{
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
	xml_l_run(L, 1);
	return 0;
}


/*
** {======================================================
** Element methods
** =======================================================
*/

/* Whether the element at idx has the local name name (len bytes). */
static int xml_l_named(lua_State *L, int idx, const char *name, size_t len)
{
	size_t n;
	const char *s;
	int yes;

	lua_getfield(L, idx, "name");
	s = lua_tolstring(L, -1, &n);
	yes = s != NULL && n == len && memcmp(s, name, len) == 0;
	lua_pop(L, 1);
	return yes;
}

/* Pushes el.children for the element argument at index 1. */
static int xml_l_children(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	if (lua_getfield(L, 1, "children") != LUA_TTABLE)
		luaL_error(L, "owed.xml: not an element (no children)");
	return lua_gettop(L);
}

/* el:child(name): the first child element with that local name, or nil */
static int xml_l_child(lua_State *L)
{
	size_t len, i, n;
	const char *name = luaL_checklstring(L, 2, &len);
	int ch = xml_l_children(L);

	for (i = 1, n = lua_rawlen(L, ch); i <= n; i++) {
		lua_rawgeti(L, ch, (lua_Integer)i);
		if (xml_l_named(L, -1, name, len))
			return 1;
		lua_pop(L, 1);
	}
	lua_pushnil(L);
	return 1;
}

/* el:children_named(name): the child elements with that local name */
static int xml_l_children_named(lua_State *L)
{
	size_t len, i, n;
	const char *name = luaL_checklstring(L, 2, &len);
	int ch = xml_l_children(L);
	lua_Integer k = 0;

	lua_newtable(L);
	for (i = 1, n = lua_rawlen(L, ch); i <= n; i++) {
		lua_rawgeti(L, ch, (lua_Integer)i);
		if (xml_l_named(L, -1, name, len))
			lua_rawseti(L, -2, ++k);
		else
			lua_pop(L, 1);
	}
	return 1;
}

/* Appends to the table at out every element below the one at idx named name, depth first in
 * document order. */
static void xml_l_collect(lua_State *L, int idx, const char *name, size_t len, int out,
                          int depth)
{
	size_t i, n;
	int ch;

	if (depth > XML_DEPTH_MAX)
		luaL_error(L, "owed.xml.all: elements nested deeper than 256");
	luaL_checkstack(L, 4, "owed.xml.all");
	lua_getfield(L, idx, "children");
	ch = lua_gettop(L);
	for (i = 1, n = lua_rawlen(L, ch); i <= n; i++) {
		lua_rawgeti(L, ch, (lua_Integer)i);
		if (xml_l_named(L, -1, name, len)) {
			lua_pushvalue(L, -1);
			lua_rawseti(L, out, (lua_Integer)lua_rawlen(L, out) + 1);
		}
		if (lua_istable(L, -1))
			xml_l_collect(L, lua_gettop(L), name, len, out, depth + 1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* el:all(name): every element below el with that local name, in document order */
static int xml_l_all(lua_State *L)
{
	size_t len;
	const char *name = luaL_checklstring(L, 2, &len);

	xml_l_children(L);
	lua_newtable(L);
	xml_l_collect(L, 1, name, len, lua_gettop(L), 0);
	return 1;
}

/* Pushes the first element below the one at idx that path ("a/b/c") leads to, trying every
 * branch in document order, and returns 1; or returns 0 and pushes nothing. */
static int xml_l_find(lua_State *L, int idx, const char *path)
{
	const char *slash = strchr(path, '/');
	size_t len = slash != NULL ? (size_t)(slash - path) : strlen(path), i, n;
	int ch;

	luaL_checkstack(L, 4, "owed.xml.path");
	lua_getfield(L, idx, "children");
	ch = lua_gettop(L);
	if (!lua_istable(L, ch)) {
		lua_pop(L, 1);
		return 0;
	}
	for (i = 1, n = lua_rawlen(L, ch); i <= n; i++) {
		lua_rawgeti(L, ch, (lua_Integer)i);
		if (xml_l_named(L, -1, path, len)
		    && (slash == NULL || xml_l_find(L, lua_gettop(L), slash + 1))) {
			if (slash != NULL)
				lua_remove(L, -2);   /* the child on the way */
			lua_remove(L, ch);
			return 1;
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

static const char *xml_l_checkpath(lua_State *L, int idx, const char *fname)
{
	const char *path = luaL_checkstring(L, idx);
	if (*path == '\0' || *path == '/' || path[strlen(path) - 1] == '/'
	    || strstr(path, "//") != NULL)
		luaL_error(L, "%s: bad path '%s' (expected names separated by '/', as 'Stmt/Bal')",
		           fname, path);
	return path;
}

/* el:path("Stmt/Bal/Amt"): the first element that path leads to, or nil */
static int xml_l_path(lua_State *L)
{
	const char *path = xml_l_checkpath(L, 2, "owed.xml.path");

	xml_l_children(L);
	if (!xml_l_find(L, 1, path))
		lua_pushnil(L);
	return 1;
}

/* el:text_of("Stmt/Id"): the trimmed text of the element path leads to, or nil */
static int xml_l_text_of(lua_State *L)
{
	const char *path = xml_l_checkpath(L, 2, "owed.xml.text_of");
	const char *s;
	size_t len;

	xml_l_children(L);
	if (!xml_l_find(L, 1, path)) {
		lua_pushnil(L);
		return 1;
	}
	lua_getfield(L, -1, "text");
	s = lua_tolstring(L, -1, &len);
	if (s == NULL) {
		lua_pushliteral(L, "");
		return 1;
	}
	while (len > 0 && xml_l_space(*s))
		s++, len--;
	while (len > 0 && xml_l_space(s[len - 1]))
		len--;
	lua_pushlstring(L, s, len);
	return 1;
}

/* }====================================================== */


static const luaL_Reg xml_l_methods[] = {
	{"child", xml_l_child},
	{"children_named", xml_l_children_named},
	{"path", xml_l_path},
	{"all", xml_l_all},
	{"text_of", xml_l_text_of},
	{NULL, NULL}
};

static const luaL_Reg xml_l_funcs[] = {
	{"parse", xml_l_parse_text},
	{"stream", xml_l_stream},
	{NULL, NULL}
};

static int xml_l_readonly(lua_State *L)
{
	return luaL_error(L, "owed.xml: an element's empty attrs and children are read-only");
}

/* A read-only empty table: what el.attrs and el.children are when there are none. */
static void xml_l_empty(lua_State *L)
{
	lua_newtable(L);
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, xml_l_readonly);
	lua_setfield(L, -2, "__newindex");
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
}

int api_open_xml(lua_State *L)
{
	if (luaL_newmetatable(L, XML_ELEMENT_MT)) {
		luaL_newlib(L, xml_l_methods);
		xml_l_empty(L);
		lua_setfield(L, -2, "attrs");
		xml_l_empty(L);
		lua_setfield(L, -2, "children");
		lua_setfield(L, -2, "__index");
		/* protected: a plugin must not add a __gc (it would run outside any budget) */
		lua_pushliteral(L, XML_ELEMENT_MT);
		lua_setfield(L, -2, "__metatable");
	}
	lua_pop(L, 1);
	luaL_newlib(L, xml_l_funcs);
	/* in package.loaded, so tracebacks name "owed.xml.parse" */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "owed.xml");
	lua_pop(L, 1);
	return 1;
}
