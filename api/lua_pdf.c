/*
 * lua_pdf.c -- owed.pdf: dunning letters as PDF documents, drawn by cairo with text set by
 * pango in DejaVu Sans (embedded), so that € and accents come out as written.
 *
 * owed.pdf.letter(doc) lays a letter out on A4 for a window envelope: the address field of
 * DIN 5008 form B (20 mm from the left, 45 mm from the top, 85 x 45 mm), with the address
 * itself low enough in it to show through the Dutch and Belgian windows (50 to 90 mm) too.
 * The letterhead is top right, date and reference under the address field, then the subject
 * and the body: paragraphs and tables, over as many pages as it takes, with the sender's
 * details and "1/2" in the footer of every page.
 *
 * A Lua error unwinds with longjmp, past any cairo or pango object a C frame holds.  So the
 * work is in two phases: first the doc table is read into C structures (kept in userdata, so
 * an error there leaks nothing), then the letter is rendered without calling Lua at all, and
 * an error is raised only once every cairo and pango object is gone.  Rendering runs twice
 * over the same layout: once to count the pages (for "1/2"), once to draw.
 *
 * Since rendering calls no Lua, a plugin's hook hands it to the loop's thread pool and yields
 * (api.h, work_begin), so the daily run goes on with other cases while a letter is set; a
 * script or a test renders in place.  The job rendered holds its own copy of the doc, so the
 * Lua state may run, or even close, meanwhile; it is a to-be-closed userdata, freed however
 * the call ends, or by the loop once the pool is done with it if the state went first.  Each
 * thread has its own font map: pango's are not to be shared between threads.
 *
 * The same doc gives the same bytes, since the dossier keeps the letter's hash: the PDF's
 * dates come from doc.date_iso or are left out, never from the clock.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <lauxlib.h>
#include <pango/pangocairo.h>

#include "api/api.h"
#include "core/date.h"

#define PDF_FNAME  "owed.pdf.letter"
#define PDF_JOB_MT "owed.pdf.job"
#define PDF_FONT   "DejaVu Sans"

#define pdf_raise(L, ...) luaL_error((L), PDF_FNAME ": " __VA_ARGS__)

/* Limits: a letter, not a book.  The text limits bound the work pango does before the page
 * count can stop it; the byte limit bounds what a plugin can make the host hold. */
#define PDF_MAX_PAGES   200
#define PDF_MAX_LINES   8            /* sender, sender_details, reference */
#define PDF_MAX_ADDRESS 6            /* recipient lines that fit the window at 10 pt */
#define PDF_MAX_COLS    12
#define PDF_MAX_STRING  16384        /* bytes in one paragraph or cell */
#define PDF_MAX_TEXT    (1 << 20)    /* bytes of text in the whole letter */
#define PDF_MAX_BYTES   (32u << 20)  /* of PDF */

/* Geometry, in points (1/72 inch) from the top left corner of the page. */
#define PDF_MM(x)       ((x) * 72.0 / 25.4)
#define PDF_PAGE_W      595.28
#define PDF_PAGE_H      841.89
#define PDF_LEFT        PDF_MM(25)   /* DIN 5008: text 5 mm inside the address field */
#define PDF_RIGHT       PDF_MM(20)
#define PDF_TOP         PDF_MM(20)
#define PDF_TEXT_W      (PDF_PAGE_W - PDF_LEFT - PDF_RIGHT)
#define PDF_HEAD_W      PDF_MM(80)   /* the letterhead, set flush right */
#define PDF_ADDRESS_Y   PDF_MM(62.7) /* form B: the address zone, under 17.7 mm for notes */
#define PDF_ADDRESS_W   PDF_MM(75)   /* 85 mm field less 5 mm inside on either side */
#define PDF_INFO_Y      PDF_MM(98.5) /* form B: the first line under the field */
#define PDF_FOOT_Y      (PDF_PAGE_H - PDF_MM(12))  /* bottom of the footer */

#define PDF_SIZE        10.0         /* body, address, date, subject */
#define PDF_SIZE_HEAD   11.0         /* the letterhead's first line */
#define PDF_SIZE_SENDER 8.5          /* its other lines */
#define PDF_SIZE_SMALL  7.0          /* return address, sender_details */
#define PDF_SIZE_PAGENO 8.0
#define PDF_MIN_ADDRESS 7.0          /* shrinking a long address line stops here */
#define PDF_MIN_RETURN  5.0          /* and a long return address here */

#define PDF_PARA_GAP    8.0          /* between body blocks */
#define PDF_BLOCK_GAP   20.0         /* around the subject */
#define PDF_COL_GAP     PDF_MM(4)
#define PDF_CELL_PAD    2.0          /* above and below a cell's text */
#define PDF_RULE        0.5


typedef enum { PDF_PARAGRAPH, PDF_TABLE } pdf_kind;

/* Strings point into the doc table, argument 1, which holds them for the whole call. */
typedef struct pdf_block {
	pdf_kind kind;
	const char *text;          /* PARAGRAPH */
	int bold;
	int ncols, nrows;          /* TABLE: nrows counts neither head nor total */
	const char **head;         /* TABLE: ncols cells each; head and total may be NULL */
	const char **rows;
	const char **total;
	char align[PDF_MAX_COLS];  /* 'l', 'r' or 'c' */
} pdf_block;

typedef struct pdf_lines {
	const char *line[PDF_MAX_LINES];
	int n;
} pdf_lines;

typedef struct pdf_doc {
	pdf_lines sender, details, recipient, reference;
	const char *return_address, *place_date, *subject, *title, *lang;
	char date[24];             /* ISO 8601 for cairo's metadata, or "" for none */
	pdf_block *blocks;
	int nblocks;
	size_t text;               /* bytes of text so far, against PDF_MAX_TEXT */
} pdf_doc;

typedef struct pdf_out {
	unsigned char *data;
	size_t len, cap;
	int full;                  /* PDF_MAX_BYTES reached */
} pdf_out;

typedef struct pdf_render {
	const pdf_doc *doc;
	cairo_t *cr;
	PangoContext *ctx;
	int draw;                  /* 0 while only counting pages */
	int page, pages;
	double y;                  /* where the next line goes */
	double bottom;             /* the body ends above this */
	PangoLayout *details;      /* the footer's sender_details, or NULL */
	double details_y, rule_y, pageno_y;
	char err[200];             /* why rendering stopped */
} pdf_render;


/*
** {======================================================
** Reading the doc
** =======================================================
*/

static const char *const pdf_doc_fields[] = {
	"sender", "sender_details", "return_address", "recipient", "place_date", "reference",
	"subject", "body", "lang", "title", "date_iso", NULL
};
static const char *const pdf_block_fields[] = { "text", "bold", "table", NULL };
static const char *const pdf_table_fields[] = { "head", "rows", "align", "total", NULL };

enum { PDF_REQUIRED = 1, PDF_ONE_OK = 2 };   /* pdf_read_lines: must be there; may be a string */

/* Pushes t[key] without metamethods, returning its type: the doc is data, and raw reads
 * keep every string reachable from it. */
static int pdf_get(lua_State *L, int t, const char *key)
{
	lua_pushstring(L, key);
	return lua_rawget(L, t < 0 ? t - 1 : t);
}

/* Raises unless every key of the table at idx is one of names; where (a lua_pushfstring
 * format and its arguments) names the table.  A misspelt field would otherwise go unseen. */
static void pdf_check_fields(lua_State *L, int idx, const char *const *names,
                             const char *where, ...)
{
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		const char *const *n = names;
		const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		va_list ap;

		while (key != NULL && *n != NULL && strcmp(*n, key) != 0)
			n++;
		lua_pop(L, 1);
		if (key != NULL && *n != NULL)
			continue;
		va_start(ap, where);
		where = lua_pushvfstring(L, where, ap);
		va_end(ap);
		pdf_raise(L, "%s has an unknown field '%s'", where, luaL_tolstring(L, -2, NULL));
	}
}

/* The string on top of the stack, checked, as letter text.  where (a lua_pushfstring format
 * and its arguments) names it in an error and is formatted only then. */
static const char *pdf_text(lua_State *L, pdf_doc *d, const char *where, ...)
{
	const char *s = NULL, *problem = NULL;
	size_t len = 0;

	if (lua_type(L, -1) == LUA_TSTRING)
		s = lua_tolstring(L, -1, &len);
	if (s == NULL)
		problem = lua_pushfstring(L, "must be a string, not %s", luaL_typename(L, -1));
	else if (len > PDF_MAX_STRING)
		problem = lua_pushfstring(L, "is longer than %d bytes", PDF_MAX_STRING);
	else if (!g_utf8_validate(s, (gssize)len, NULL))   /* also refuses a \0 inside */
		problem = "is not valid UTF-8";
	if (problem != NULL) {
		va_list ap;
		va_start(ap, where);
		where = lua_pushvfstring(L, where, ap);
		va_end(ap);
		pdf_raise(L, "%s %s", where, problem);
	}
	d->text += len;
	if (d->text > PDF_MAX_TEXT)
		pdf_raise(L, "the letter has more than %d bytes of text", PDF_MAX_TEXT);
	return s;
}

/* doc[key], a string or nil. */
static const char *pdf_read_string(lua_State *L, pdf_doc *d, const char *key)
{
	const char *s = NULL;
	if (pdf_get(L, 1, key) != LUA_TNIL)
		s = pdf_text(L, d, "%s", key);
	lua_pop(L, 1);
	return s;
}

/* doc[key], a list of at most max lines; flags are PDF_REQUIRED and PDF_ONE_OK. */
static void pdf_read_lines(lua_State *L, pdf_doc *d, const char *key, pdf_lines *out, int max,
                           int flags)
{
	int type = pdf_get(L, 1, key);
	lua_Integer i, n = 0;

	out->n = 0;
	if (type == LUA_TSTRING && (flags & PDF_ONE_OK)) {
		out->line[out->n++] = pdf_text(L, d, "%s", key);
	} else if (type != LUA_TNIL || (flags & PDF_REQUIRED)) {
		if (type == LUA_TTABLE)
			n = (lua_Integer)lua_rawlen(L, -1);
		if (type != LUA_TTABLE || (n == 0 && (flags & PDF_REQUIRED)))
			pdf_raise(L, "%s must be a list of lines%s", key,
			          (flags & PDF_ONE_OK) ? " or a string" : "");
		if (n > max)
			pdf_raise(L, "%s has %I lines, at most %d fit", key, n, max);
		for (i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			out->line[out->n++] = pdf_text(L, d, "%s[%I]", key, i);
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
}

/* A zeroed block of memory that lives as long as the call: anchored in the table at 2. */
static void *pdf_alloc(lua_State *L, size_t size)
{
	void *p = lua_newuserdatauv(L, size, 0);
	memset(p, 0, size);
	lua_rawseti(L, 2, (lua_Integer)lua_rawlen(L, 2) + 1);
	return p;
}

/* The row at idx, exactly ncols strings, into cells; where names it (it is on the stack). */
static void pdf_read_row(lua_State *L, pdf_doc *d, int idx, const char **cells, int ncols,
                         const char *where)
{
	lua_Integer n;
	int j;

	if (!lua_istable(L, idx))
		pdf_raise(L, "%s must be a list of cells, not %s", where, luaL_typename(L, idx));
	n = (lua_Integer)lua_rawlen(L, idx);
	if (n != ncols)
		pdf_raise(L, "%s has %I cells, not %d", where, n, ncols);
	for (j = 1; j <= ncols; j++) {
		lua_rawgeti(L, idx, j);
		cells[j - 1] = pdf_text(L, d, "%s[%d]", where, j);
		lua_pop(L, 1);
	}
}

/* The table spec on top of the stack into b, the bi-th block. */
static void pdf_read_table(lua_State *L, pdf_doc *d, pdf_block *b, int bi)
{
	int t = lua_gettop(L), rows = t + 1, head = t + 2, total = t + 3, align = t + 4;
	int first = t + 5, src;
	lua_Integer i, nrows = 0;
	const char **cells;

	if (!lua_istable(L, t))
		pdf_raise(L, "body[%d].table must be a table, not %s", bi, luaL_typename(L, t));
	pdf_check_fields(L, t, pdf_table_fields, "body[%d].table", bi);
	if (pdf_get(L, t, "rows") == LUA_TTABLE)
		nrows = (lua_Integer)lua_rawlen(L, rows);
	else if (!lua_isnil(L, rows))
		pdf_raise(L, "body[%d].table.rows must be a list of rows", bi);
	pdf_get(L, t, "head");
	pdf_get(L, t, "total");
	pdf_get(L, t, "align");

	/* the first of head, rows[1] and total sets the number of columns */
	if (nrows > 0)
		lua_rawgeti(L, rows, 1);
	else
		lua_pushnil(L);
	src = !lua_isnil(L, head) ? head : !lua_isnil(L, first) ? first : total;
	if (lua_isnil(L, src))
		pdf_raise(L, "body[%d].table has no head, rows or total", bi);
	if (!lua_istable(L, src) || lua_rawlen(L, src) < 1 || lua_rawlen(L, src) > PDF_MAX_COLS)
		pdf_raise(L, "body[%d].table must have 1 to %d columns: lists of cells in head, "
		          "rows and total", bi, PDF_MAX_COLS);
	b->ncols = (int)lua_rawlen(L, src);

	b->kind = PDF_TABLE;
	b->nrows = (int)nrows;
	cells = pdf_alloc(L, ((size_t)nrows + 2) * (size_t)b->ncols * sizeof *cells);
	b->rows = cells + b->ncols;
	if (!lua_isnil(L, head)) {
		b->head = cells;
		pdf_read_row(L, d, head, b->head, b->ncols,
		             lua_pushfstring(L, "body[%d].table.head", bi));
		lua_pop(L, 1);
	}
	for (i = 1; i <= nrows; i++) {
		int row;
		lua_rawgeti(L, rows, i);
		row = lua_gettop(L);
		pdf_read_row(L, d, row, b->rows + (i - 1) * b->ncols, b->ncols,
		             lua_pushfstring(L, "body[%d].table.rows[%I]", bi, i));
		lua_pop(L, 2);
	}
	if (!lua_isnil(L, total)) {
		b->total = cells + ((size_t)nrows + 1) * (size_t)b->ncols;
		pdf_read_row(L, d, total, b->total, b->ncols,
		             lua_pushfstring(L, "body[%d].table.total", bi));
		lua_pop(L, 1);
	}

	memset(b->align, 'l', sizeof b->align);
	if (!lua_isnil(L, align)) {
		const char *a = lua_tostring(L, align);
		if (lua_type(L, align) != LUA_TSTRING || lua_rawlen(L, align) != (size_t)b->ncols
		    || a[strspn(a, "lrc")] != '\0')
			pdf_raise(L, "body[%d].table.align must be a letter l, r or c per column "
			          "(%d)", bi, b->ncols);
		memcpy(b->align, a, (size_t)b->ncols);
	}
	lua_settop(L, t);
}

/* The block on top of the stack into b, the bi-th block: a string, { text =, bold = } or
 * { table = }. */
static void pdf_read_block(lua_State *L, pdf_doc *d, pdf_block *b, int bi)
{
	int t = lua_gettop(L);

	b->kind = PDF_PARAGRAPH;
	if (lua_type(L, t) == LUA_TSTRING) {
		b->text = pdf_text(L, d, "body[%d]", bi);
		return;
	}
	if (!lua_istable(L, t))
		pdf_raise(L, "body[%d] must be a string or a table, not %s", bi, luaL_typename(L, t));
	pdf_check_fields(L, t, pdf_block_fields, "body[%d]", bi);
	if (pdf_get(L, t, "table") != LUA_TNIL) {
		if (pdf_get(L, t, "text") != LUA_TNIL || pdf_get(L, t, "bold") != LUA_TNIL)
			pdf_raise(L, "body[%d] has a table, so no text or bold", bi);
		lua_settop(L, t + 1);
		pdf_read_table(L, d, b, bi);
	} else if (pdf_get(L, t, "text") != LUA_TNIL) {
		b->text = pdf_text(L, d, "body[%d].text", bi);
		if (pdf_get(L, t, "bold") != LUA_TNIL && !lua_isboolean(L, -1))
			pdf_raise(L, "body[%d].bold must be a boolean", bi);
		b->bold = lua_toboolean(L, -1);
	} else {
		pdf_raise(L, "body[%d] must have text or table", bi);
	}
	lua_settop(L, t);
}

static void pdf_read_body(lua_State *L, pdf_doc *d)
{
	lua_Integer i, n = 0;

	if (pdf_get(L, 1, "body") == LUA_TTABLE)
		n = (lua_Integer)lua_rawlen(L, -1);
	if (n == 0)
		pdf_raise(L, "body must be a list of blocks (strings and tables)");
	if (n > INT_MAX / (lua_Integer)sizeof *d->blocks)
		pdf_raise(L, "body has too many blocks");
	d->nblocks = (int)n;
	d->blocks = pdf_alloc(L, (size_t)n * sizeof *d->blocks);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		pdf_read_block(L, d, &d->blocks[i - 1], (int)i);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* A language tag pango knows what to do with: "nl", "fr", "en", "nl-BE". */
static int pdf_is_lang(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
	if (n < 2 || n > 3)
		return 0;
	return s[n] == '\0' || (s[n] == '-' && strspn(s + n + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 2
	                        && s[n + 3] == '\0');
}

/* The doc at 1 into d, checking every part of it. */
static void pdf_read(lua_State *L, pdf_doc *d)
{
	const char *date;
	owed_date day;

	memset(d, 0, sizeof *d);
	pdf_check_fields(L, 1, pdf_doc_fields, "doc");
	pdf_read_lines(L, d, "recipient", &d->recipient, PDF_MAX_ADDRESS, PDF_REQUIRED);
	pdf_read_lines(L, d, "sender", &d->sender, PDF_MAX_LINES, 0);
	pdf_read_lines(L, d, "sender_details", &d->details, PDF_MAX_LINES, 0);
	pdf_read_lines(L, d, "reference", &d->reference, PDF_MAX_LINES, PDF_ONE_OK);
	d->return_address = pdf_read_string(L, d, "return_address");
	d->place_date = pdf_read_string(L, d, "place_date");
	d->subject = pdf_read_string(L, d, "subject");
	d->title = pdf_read_string(L, d, "title");
	if (d->title == NULL)
		d->title = d->subject;
	d->lang = pdf_read_string(L, d, "lang");
	if (d->lang == NULL)
		d->lang = "nl";
	else if (!pdf_is_lang(d->lang))
		pdf_raise(L, "lang must be a language code like \"nl\" or \"nl-BE\"");
	date = pdf_read_string(L, d, "date_iso");
	if (date != NULL) {
		if (date_parse_iso(date, &day) != 0)
			pdf_raise(L, "date_iso must be a date YYYY-MM-DD, not '%s'", date);
		snprintf(d->date, sizeof d->date, "%sT00:00:00Z", date);
	}
	pdf_read_body(L, d);
}

/* }====================================================== */


/*
** {======================================================
** Layout
** =======================================================
*/

static int pdf_fail(pdf_render *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return 0;
}

static double pdf_pt(int units)
{
	return pango_units_to_double(units);
}

/* A layout of text; width <= 0 sets it on one line (but for its own newlines). */
static PangoLayout *pdf_layout(pdf_render *r, const char *text, double size, int bold,
                               double width, PangoAlignment align)
{
	PangoLayout *l = pango_layout_new(r->ctx);
	PangoFontDescription *font = pango_font_description_new();

	pango_font_description_set_family_static(font, PDF_FONT);
	pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
	pango_layout_set_font_description(l, font);
	pango_font_description_free(font);
	if (width > 0)
		pango_layout_set_width(l, pango_units_from_double(width));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align);
	pango_layout_set_text(l, text, -1);
	return l;
}

/* The width and the height of a layout's text, as set (not as inked). */
static double pdf_width(PangoLayout *l)
{
	PangoRectangle logical;
	pango_layout_get_extents(l, NULL, &logical);
	return pdf_pt(logical.width);
}

static double pdf_height(PangoLayout *l)
{
	PangoRectangle logical;
	pango_layout_get_extents(l, NULL, &logical);
	return pdf_pt(logical.height);
}

/* Draws l with its top left corner at x, y (when drawing) and gives its height. */
static double pdf_show(pdf_render *r, PangoLayout *l, double x, double y)
{
	if (r->draw) {
		cairo_move_to(r->cr, x, y);
		pango_cairo_show_layout(r->cr, l);
	}
	return pdf_height(l);
}

static void pdf_rule(pdf_render *r, double x0, double x1, double y, double width)
{
	if (!r->draw)
		return;
	cairo_set_line_width(r->cr, width);
	cairo_move_to(r->cr, x0, y);
	cairo_line_to(r->cr, x1, y);
	cairo_stroke(r->cr);
}

/* The largest size up to size at which every line fits width, or 0 when that is below min.
 * Hinting is off, so text width scales with the size exactly. */
static double pdf_fit(pdf_render *r, const char *const *lines, int n, double size, double min,
                      double width)
{
	double widest = 0, fit;
	int i;

	for (i = 0; i < n; i++) {
		PangoLayout *l = pdf_layout(r, lines[i], size, 0, 0, PANGO_ALIGN_LEFT);
		widest = fmax(widest, pdf_width(l));
		g_object_unref(l);
	}
	if (widest <= width)
		return size;
	fit = floor(size * width / widest * 10) / 10;
	return fit >= min ? fit : 0;
}

/* The footer's parts, which every page has in the same place, and so where the body ends. */
static void pdf_footer_init(pdf_render *r)
{
	const pdf_lines *details = &r->doc->details;
	PangoLayout *l;
	int i;

	r->rule_y = PDF_FOOT_Y - PDF_MM(2);
	if (details->n > 0) {
		GString *s = g_string_new(details->line[0]);
		for (i = 1; i < details->n; i++) {
			g_string_append(s, "  \xc2\xb7  ");   /* U+00B7 middle dot */
			g_string_append(s, details->line[i]);
		}
		r->details = pdf_layout(r, s->str, PDF_SIZE_SMALL, 0, PDF_TEXT_W, PANGO_ALIGN_CENTER);
		g_string_free(s, TRUE);
		r->details_y = PDF_FOOT_Y - pdf_height(r->details);
		r->rule_y = r->details_y - PDF_MM(2);
	}
	/* the page number's place is kept on every letter, so that counting pages cannot change
	 * their count */
	l = pdf_layout(r, "1/1", PDF_SIZE_PAGENO, 0, 0, PANGO_ALIGN_LEFT);
	r->pageno_y = r->rule_y - PDF_MM(1.5) - pdf_height(l);
	g_object_unref(l);
	r->bottom = r->pageno_y - PDF_MM(4);
}

static void pdf_footer(pdf_render *r)
{
	if (r->details != NULL) {
		pdf_show(r, r->details, PDF_LEFT, r->details_y);
		pdf_rule(r, PDF_LEFT, PDF_LEFT + PDF_TEXT_W, r->rule_y, 0.4);
	}
	if (r->pages > 1) {
		char num[32];
		PangoLayout *l;

		snprintf(num, sizeof num, "%d/%d", r->page, r->pages);
		l = pdf_layout(r, num, PDF_SIZE_PAGENO, 0, PDF_TEXT_W, PANGO_ALIGN_RIGHT);
		pdf_show(r, l, PDF_LEFT, r->pageno_y);
		g_object_unref(l);
	}
}

/* Ends the page (its footer, when drawing) and starts the next. */
static int pdf_newpage(pdf_render *r)
{
	if (r->page == PDF_MAX_PAGES)
		return pdf_fail(r, "the letter would have more than %d pages", PDF_MAX_PAGES);
	if (r->draw) {
		pdf_footer(r);
		cairo_show_page(r->cr);
	}
	r->page++;
	r->y = PDF_TOP;
	return 1;
}

/* Makes room for h points of body at r->y: on a new page when they do not fit on this one.
 * Callers never ask for more than a page holds. */
static int pdf_room(pdf_render *r, double h)
{
	return r->y + h <= r->bottom || pdf_newpage(r);
}

/* Sets l at x from r->y down, line by line, so that a paragraph goes on over a page break. */
static int pdf_flow(pdf_render *r, PangoLayout *l, double x)
{
	PangoLayoutIter *it = pango_layout_get_iter(l);
	int ok = 1;

	do {
		PangoRectangle line;
		pango_layout_iter_get_line_extents(it, NULL, &line);
		if (!(ok = pdf_room(r, pdf_pt(line.height))))
			break;
		if (r->draw) {
			int baseline = pango_layout_iter_get_baseline(it) - line.y;
			cairo_move_to(r->cr, x + pdf_pt(line.x), r->y + pdf_pt(baseline));
			pango_cairo_show_layout_line(r->cr, pango_layout_iter_get_line_readonly(it));
		}
		r->y += pdf_pt(line.height);
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	return ok;
}

static int pdf_paragraph(pdf_render *r, const char *text, int bold)
{
	PangoLayout *l = pdf_layout(r, text, PDF_SIZE, bold, PDF_TEXT_W, PANGO_ALIGN_LEFT);
	int ok = pdf_flow(r, l, PDF_LEFT);
	g_object_unref(l);
	return ok;
}

/* Top right: the first line a little larger and bold. */
static void pdf_letterhead(pdf_render *r)
{
	const pdf_lines *s = &r->doc->sender;
	double y = PDF_TOP;
	int i;

	for (i = 0; i < s->n; i++) {
		PangoLayout *l = pdf_layout(r, s->line[i], i == 0 ? PDF_SIZE_HEAD : PDF_SIZE_SENDER,
		                            i == 0, PDF_HEAD_W, PANGO_ALIGN_RIGHT);
		y += pdf_show(r, l, PDF_PAGE_W - PDF_RIGHT - PDF_HEAD_W, y);
		g_object_unref(l);
	}
}

/* The return address as one small underlined line just above the address, and the address
 * in the window; a line too long for the window makes the whole address smaller, down to a
 * size that is still legible, rather than being cut off or wrapped out of the window. */
static int pdf_address(pdf_render *r)
{
	const pdf_doc *d = r->doc;
	double size, y;
	PangoLayout *l;
	int i;

	if (d->return_address != NULL) {
		size = pdf_fit(r, &d->return_address, 1, PDF_SIZE_SMALL, PDF_MIN_RETURN,
		               PDF_ADDRESS_W);
		if (size == 0)
			return pdf_fail(r, "return_address does not fit the envelope window");
		l = pdf_layout(r, d->return_address, size, 0, 0, PANGO_ALIGN_LEFT);
		y = PDF_ADDRESS_Y - PDF_MM(2) - pdf_height(l);
		pdf_rule(r, PDF_LEFT, PDF_LEFT + pdf_width(l), y + pdf_show(r, l, PDF_LEFT, y), 0.3);
		g_object_unref(l);
	}
	size = pdf_fit(r, d->recipient.line, d->recipient.n, PDF_SIZE, PDF_MIN_ADDRESS,
	               PDF_ADDRESS_W);
	if (size == 0)
		return pdf_fail(r, "recipient has a line too long for the envelope window "
		                "(%.0f mm at %.0f pt)", PDF_ADDRESS_W * 25.4 / 72, PDF_MIN_ADDRESS);
	y = PDF_ADDRESS_Y;
	for (i = 0; i < d->recipient.n; i++) {
		l = pdf_layout(r, d->recipient.line[i], size, 0, 0, PANGO_ALIGN_LEFT);
		y += pdf_show(r, l, PDF_LEFT, y);
		g_object_unref(l);
	}
	return 1;
}

/* Under the address field: place and date, the reference, then the subject in bold. */
static int pdf_heading(pdf_render *r)
{
	const pdf_doc *d = r->doc;
	int i, ok = 1;

	r->y = PDF_INFO_Y;
	if (d->place_date != NULL)
		ok = pdf_paragraph(r, d->place_date, 0);
	for (i = 0; ok && i < d->reference.n; i++)
		ok = pdf_paragraph(r, d->reference.line[i], 0);
	if (d->place_date != NULL || d->reference.n > 0)
		r->y += PDF_BLOCK_GAP;
	if (ok && d->subject != NULL) {
		ok = pdf_paragraph(r, d->subject, 1);
		r->y += PDF_BLOCK_GAP;
	}
	return ok;
}

static PangoAlignment pdf_align(char a)
{
	return a == 'r' ? PANGO_ALIGN_RIGHT : a == 'c' ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT;
}

/* A table's cells from head to total, row after row: i counts 0 .. nrows + 1. */
static const char **pdf_row_cells(const pdf_block *b, int i)
{
	return i == 0 ? b->head : i <= b->nrows ? b->rows + (i - 1) * b->ncols : b->total;
}

/* Column widths over the text width: each column as wide as its widest cell, and the space
 * left shared out evenly.  When the cells are too wide, a column narrower than an even share
 * keeps its width and the others share what is left in proportion, wrapping their cells. */
static void pdf_columns(pdf_render *r, const pdf_block *b, double *width)
{
	double natural[PDF_MAX_COLS] = {0}, avail = PDF_TEXT_W - PDF_COL_GAP * (b->ncols - 1);
	double sum = 0, rest, share;
	int fixed[PDF_MAX_COLS] = {0}, i, j, nfree = b->ncols, changed = 1;

	for (i = 0; i <= b->nrows + 1; i++) {
		const char **cells = pdf_row_cells(b, i);
		for (j = 0; cells != NULL && j < b->ncols; j++) {
			PangoLayout *l = pdf_layout(r, cells[j], PDF_SIZE, i > b->nrows, 0,
			                            PANGO_ALIGN_LEFT);
			natural[j] = fmax(natural[j], pdf_width(l) + 1);   /* 1 pt for rounding */
			g_object_unref(l);
		}
	}
	for (j = 0; j < b->ncols; j++)
		sum += natural[j];
	if (sum <= avail) {
		for (j = 0; j < b->ncols; j++)
			width[j] = natural[j] + (avail - sum) / b->ncols;
		return;
	}
	rest = avail;
	while (changed) {
		changed = 0;
		share = rest / nfree;
		for (j = 0; j < b->ncols; j++) {
			if (!fixed[j] && natural[j] <= share) {
				fixed[j] = changed = 1;
				width[j] = natural[j];
				rest -= natural[j];
				nfree--;
			}
		}
	}
	for (j = 0, sum = 0; j < b->ncols; j++)
		sum += fixed[j] ? 0 : natural[j];
	for (j = 0; j < b->ncols; j++)
		if (!fixed[j])
			width[j] = rest * natural[j] / sum;
}

/* The i-th row (see pdf_row_cells), kept together on a page: the head bold over a rule and
 * with room for a row under it, the total bold under a rule. */
static int pdf_table_row(pdf_render *r, const pdf_block *b, int bi, int i, const double *width)
{
	const char **cells = pdf_row_cells(b, i);
	int head = i == 0, total = i > b->nrows, j, ok;
	double h = 0, keep = head ? PDF_SIZE * 1.5 : 0, x = PDF_LEFT;
	PangoLayout *l[PDF_MAX_COLS];

	for (j = 0; j < b->ncols; j++) {
		l[j] = pdf_layout(r, cells[j], PDF_SIZE, head || total, width[j],
		                  pdf_align(b->align[j]));
		h = fmax(h, pdf_height(l[j]) + 2 * PDF_CELL_PAD);
	}
	if (h + keep > r->bottom - PDF_TOP)
		ok = pdf_fail(r, "body[%d].table has a row taller than a page", bi);
	else
		ok = pdf_room(r, h + keep);
	if (ok && total)
		pdf_rule(r, PDF_LEFT, PDF_LEFT + PDF_TEXT_W, r->y, PDF_RULE);
	for (j = 0; j < b->ncols; j++) {
		if (ok)
			pdf_show(r, l[j], x, r->y + PDF_CELL_PAD);
		x += width[j] + PDF_COL_GAP;
		g_object_unref(l[j]);
	}
	r->y += h;
	if (ok && head)
		pdf_rule(r, PDF_LEFT, PDF_LEFT + PDF_TEXT_W, r->y, PDF_RULE);
	return ok;
}

static int pdf_table(pdf_render *r, const pdf_block *b, int bi)
{
	double width[PDF_MAX_COLS];
	int i, ok = 1;

	pdf_columns(r, b, width);
	for (i = 0; ok && i <= b->nrows + 1; i++)
		if (pdf_row_cells(b, i) != NULL)
			ok = pdf_table_row(r, b, bi, i, width);
	return ok;
}

/* Lays the whole letter out once: drawing it when r->draw, else only counting its pages. */
static int pdf_pass(pdf_render *r)
{
	const pdf_doc *d = r->doc;
	int i, ok = 1;

	r->page = 1;
	pdf_letterhead(r);
	ok = pdf_address(r) && pdf_heading(r);
	for (i = 0; ok && i < d->nblocks; i++) {
		const pdf_block *b = &d->blocks[i];
		ok = b->kind == PDF_TABLE ? pdf_table(r, b, i + 1) : pdf_paragraph(r, b->text, b->bold);
		r->y += PDF_PARA_GAP;
	}
	if (ok && r->draw) {
		pdf_footer(r);
		cairo_show_page(r->cr);
	}
	r->pages = r->page;
	return ok;
}

/* }====================================================== */


/*
** {======================================================
** The PDF
** =======================================================
*/

static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int len)
{
	pdf_out *out = closure;

	if (len > PDF_MAX_BYTES - out->len) {
		out->full = 1;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	if (len > out->cap - out->len) {
		size_t cap = out->cap > 0 ? out->cap : 1 << 16;
		unsigned char *grown;

		while (cap - out->len < len)
			cap *= 2;
		if ((grown = realloc(out->data, cap)) == NULL)
			return CAIRO_STATUS_WRITE_ERROR;
		out->data = grown;
		out->cap = cap;
	}
	memcpy(out->data + out->len, data, len);
	out->len += len;
	return CAIRO_STATUS_SUCCESS;
}

/* Fixed metadata: the same letter must give the same bytes.  cairo 1.16 stamps the clock as
 * the creation date unless one is set, and leaves the date out when it is set to "". */
static void pdf_metadata(cairo_surface_t *s, const pdf_doc *d)
{
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "owed");
	if (d->title != NULL)
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d->title);
	if (d->subject != NULL)
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, d->subject);
	if (d->sender.n > 0)
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, d->sender.line[0]);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, d->date);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, d->date);
}

/* Whether fontconfig gives DejaVu Sans itself: a stand-in would change every letter's
 * layout and hash without a word. */
static int pdf_font_check(pdf_render *r, PangoFontMap *fonts)
{
	PangoFontDescription *want = pango_font_description_from_string(PDF_FONT);
	PangoFont *font = pango_font_map_load_font(fonts, r->ctx, want);
	int ok = 0;

	if (font != NULL) {
		PangoFontDescription *got = pango_font_describe(font);
		ok = strcmp(pango_font_description_get_family(got), PDF_FONT) == 0;
		pango_font_description_free(got);
		g_object_unref(font);
	}
	pango_font_description_free(want);
	return ok || pdf_fail(r, "the font " PDF_FONT " is not installed (fonts-dejavu-core)");
}

/* One font map per thread (the main one and each of the pool's): building it (fontconfig's
 * font list, the font files) is most of a letter's cost, and it holds nothing of a document --
 * the context, layouts and surface are made per letter -- so output stays byte-identical from
 * letter to letter and from thread to thread. */
static PangoFontMap *pdf_fonts(void)
{
	static _Thread_local PangoFontMap *fonts;
	if (!fonts)
		fonts = pango_cairo_font_map_new();
	return fonts;
}

/* Renders r->doc into out.  Calls no Lua and frees all it makes; r->err says why it failed. */
static int pdf_render_doc(pdf_render *r, pdf_out *out)
{
	cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(pdf_write, out,
	                                                               PDF_PAGE_W, PDF_PAGE_H);
	PangoFontMap *fonts = pdf_fonts();
	cairo_font_options_t *opts = cairo_font_options_create();
	int ok;

	pdf_metadata(surface, r->doc);
	r->cr = cairo_create(surface);
	r->ctx = pango_font_map_create_context(fonts);
	/* outlines, not pixels: unhinted metrics and positions, so that widths scale with the
	 * size (pdf_fit) and the layout is the same whatever the machine's font settings */
	cairo_font_options_set_hint_metrics(opts, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(opts, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(r->ctx, opts);
	cairo_font_options_destroy(opts);
	pango_context_set_round_glyph_positions(r->ctx, FALSE);
	pango_cairo_update_context(r->cr, r->ctx);
	pango_context_set_language(r->ctx, pango_language_from_string(r->doc->lang));

	ok = pdf_font_check(r, fonts);
	if (ok) {
		pdf_footer_init(r);
		ok = pdf_pass(r);
	}
	if (ok) {
		r->draw = 1;
		ok = pdf_pass(r);
	}

	if (r->details != NULL)
		g_object_unref(r->details);
	g_object_unref(r->ctx);
	cairo_destroy(r->cr);
	cairo_surface_finish(surface);
	if (ok && out->full)
		ok = pdf_fail(r, "the PDF would be larger than %u MiB", PDF_MAX_BYTES >> 20);
	else if (ok && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
		ok = pdf_fail(r, "cairo: %s", cairo_status_to_string(cairo_surface_status(surface)));
	cairo_surface_destroy(surface);
	return ok;
}

/* }====================================================== */


/*
** {======================================================
** The job: a letter rendered here or in the thread pool
** =======================================================
*/

typedef struct pdf_job {
	uv_work_t req;
	pdf_doc doc;               /* a copy, so the worker needs nothing of the Lua state */
	GStringChunk *strings;     /* the copy's text */
	pdf_render r;              /* r.err says why rendering failed */
	pdf_out out;
	int ok;
	/* read and written on the loop's thread only */
	int queued;                /* in the pool: only pdf_after may free it */
	int orphaned;              /* its Lua state let go meanwhile: pdf_after frees it */
	api_env *env;
	lua_State *L;
} pdf_job;

static const char *pdf_keep(pdf_job *j, const char *s)
{
	return s != NULL ? g_string_chunk_insert(j->strings, s) : NULL;
}

static void pdf_keep_lines(pdf_job *j, pdf_lines *l)
{
	for (int i = 0; i < l->n; i++)
		l->line[i] = pdf_keep(j, l->line[i]);
}

/* A table's cells in one array, head and total included (pdf_read_table's layout). */
static void pdf_keep_table(pdf_job *j, pdf_block *b, const pdf_block *from)
{
	size_t n = ((size_t)b->nrows + 2) * (size_t)b->ncols;
	const char **cells = g_new0(const char *, n);

	b->rows = cells + b->ncols;
	for (int i = 0; i < b->nrows * b->ncols; i++)
		b->rows[i] = pdf_keep(j, from->rows[i]);
	if (from->head != NULL) {
		b->head = cells;
		for (int i = 0; i < b->ncols; i++)
			b->head[i] = pdf_keep(j, from->head[i]);
	}
	if (from->total != NULL) {
		b->total = cells + ((size_t)b->nrows + 1) * (size_t)b->ncols;
		for (int i = 0; i < b->ncols; i++)
			b->total[i] = pdf_keep(j, from->total[i]);
	}
}

/* A job for d, whose strings live in the Lua state: copied.  glib aborts when memory runs
 * out, as pango does everywhere. */
static pdf_job *pdf_job_new(const pdf_doc *d)
{
	pdf_job *j = g_new0(pdf_job, 1);
	pdf_doc *c = &j->doc;

	j->req.data = j;
	j->strings = g_string_chunk_new(4096);
	*c = *d;
	pdf_keep_lines(j, &c->sender);
	pdf_keep_lines(j, &c->details);
	pdf_keep_lines(j, &c->recipient);
	pdf_keep_lines(j, &c->reference);
	c->return_address = pdf_keep(j, d->return_address);
	c->place_date = pdf_keep(j, d->place_date);
	c->subject = pdf_keep(j, d->subject);
	c->title = pdf_keep(j, d->title);
	c->lang = pdf_keep(j, d->lang);
	c->blocks = g_new0(pdf_block, (size_t)d->nblocks);
	for (int i = 0; i < d->nblocks; i++) {
		c->blocks[i] = d->blocks[i];
		if (d->blocks[i].kind == PDF_TABLE)
			pdf_keep_table(j, &c->blocks[i], &d->blocks[i]);
		else
			c->blocks[i].text = pdf_keep(j, d->blocks[i].text);
	}
	j->r.doc = c;
	return j;
}

static void pdf_job_free(pdf_job *j)
{
	for (int i = 0; i < j->doc.nblocks; i++)
		if (j->doc.blocks[i].kind == PDF_TABLE)
			g_free(j->doc.blocks[i].rows - j->doc.blocks[i].ncols);
	g_free(j->doc.blocks);
	g_string_chunk_free(j->strings);
	free(j->out.data);
	g_free(j);
}

/* In the pool, or in place: touches nothing but the job. */
static void pdf_work(uv_work_t *req)
{
	pdf_job *j = req->data;
	j->ok = pdf_render_doc(&j->r, &j->out);
}

/* Back on the loop's thread: the hook goes on where it yielded (pdf_letter_done). */
static void pdf_after(uv_work_t *req, int status)
{
	pdf_job *j = req->data;
	(void)status;
	j->queued = 0;
	if (j->orphaned)
		pdf_job_free(j);
	else
		j->env->work_end(j->env, j->L);
}

/* __close and __gc of the job's box. */
static int pdf_job_gc(lua_State *L)
{
	pdf_job **box = lua_touserdata(L, 1);
	if (*box != NULL && (*box)->queued)
		(*box)->orphaned = 1;
	else if (*box != NULL)
		pdf_job_free(*box);
	*box = NULL;
	return 0;
}

/* The end of owed.pdf.letter, in place or when the pool is done: the job is at 3. */
static int pdf_letter_done(lua_State *L, int status, lua_KContext ctx)
{
	pdf_job *j = *(pdf_job **)lua_touserdata(L, 3);
	(void)status;
	(void)ctx;
	if (!j->ok)
		return pdf_raise(L, "%s", j->r.err);
	lua_pushlstring(L, (const char *)j->out.data, j->out.len);
	return 1;
}

static int pdf_letter(lua_State *L)
{
	api_env *env = api_env_of(L);
	pdf_doc d;
	pdf_job **box, *j;

	if (!lua_istable(L, 1))
		return pdf_raise(L, "doc must be a table, not %s", luaL_typename(L, 1));
	lua_settop(L, 1);
	lua_newtable(L);                                /* 2: holds the C arrays of d */
	box = lua_newuserdatauv(L, sizeof *box, 0);     /* 3: the job, freed however we leave */
	*box = NULL;
	luaL_setmetatable(L, PDF_JOB_MT);
	lua_toclose(L, 3);

	pdf_read(L, &d);
	*box = j = pdf_job_new(&d);
	if (env != NULL && env->work_begin != NULL && env->work_begin(env, L) == API_IO_YIELD) {
		j->env = env;
		j->L = L;
		if (uv_queue_work(env->loop, &j->req, pdf_work, pdf_after) != 0)
			return pdf_raise(L, "the thread pool refused the letter");
		j->queued = 1;
		return lua_yieldk(L, 0, 0, pdf_letter_done);
	}
	pdf_work(&j->req);
	return pdf_letter_done(L, LUA_OK, 0);
}

/* }====================================================== */


static const luaL_Reg pdf_funcs[] = {
	{"letter", pdf_letter},
	{NULL, NULL}
};

int api_open_pdf(lua_State *L)
{
	if (luaL_newmetatable(L, PDF_JOB_MT)) {
		lua_pushcfunction(L, pdf_job_gc);
		lua_setfield(L, -2, "__close");
		lua_pushcfunction(L, pdf_job_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_pop(L, 1);
	luaL_newlib(L, pdf_funcs);
	return 1;
}
