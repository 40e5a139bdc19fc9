/*
 * test_pdf.c -- owed.pdf.letter, read back with poppler's tools: the text as pdftotext
 * extracts it, where its words are (pdftotext -bbox), what pdfinfo and pdffonts say, and that
 * the same letter gives the same bytes.
 *
 * Each test gets a plain lua_State with the standard libraries, a global `owed` holding just
 * owed.pdf, and a global letter() that returns a fresh Dutch dunning letter to vary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "api/api.h"

#define MM(x) ((x) * 72.0 / 25.4)

static const char letter_lua[] =
	"function letter()\n"
	"  return {\n"
	"    sender = { 'Groothandel Noordzee BV', 'Havenstraat 1', '1011 AB Amsterdam' },\n"
	"    sender_details = { 'KvK 12345678', 'BTW NL123456789B01',\n"
	"                       'IBAN NL91 ABNA 0417 1643 00' },\n"
	"    return_address = 'Groothandel Noordzee BV, Havenstraat 1, 1011 AB Amsterdam',\n"
	"    recipient = { 'Bakkerij De Korenschoof', 't.a.v. de administratie',\n"
	"                  'Dorpsstraat 12', '1234 AB Ergens' },\n"
	"    place_date = 'Amsterdam, 3 maart 2026',\n"
	"    reference = 'Dossier 2026-0012',\n"
	"    subject = 'Ingebrekestelling',\n"
	"    body = {\n"
	"      'Geachte heer, mevrouw,',\n"
	"      'Ondanks onze herinnering staat er nog € 1.234,56 open. Wij verzoeken u dit '\n"
	"        .. 'bedrag te voldoen, zodat verdere maatregelen niet nodig zijn.',\n"
	"      { table = { head = { 'Factuur', 'Datum', 'Vervaldatum', 'Bedrag', 'Open' },\n"
	"                  rows = { { '2026-001', '5 januari 2026', '4 februari 2026',\n"
	"                             '€ 1.210,00', '€ 710,00' },\n"
	"                           { '2026-007', '12 januari 2026', '11 februari 2026',\n"
	"                             '€ 524,56', '€ 524,56' } },\n"
	"                  align = 'lllrr',\n"
	"                  total = { 'Totaal', '', '', '', '€ 1.234,56' } } },\n"
	"      { text = 'Te betalen vóór 17 maart 2026', bold = true },\n"
	"      'Pour nos clients : le dîner à la carte est offert. Zoë, Noël, garçon, hôtel.',\n"
	"      'For our English-speaking customers: please pay the amount due.',\n"
	"      'Met vriendelijke groet,\\n\\n\\nJ. de Vries',\n"
	"    },\n"
	"    lang = 'nl',\n"
	"    title = 'Ingebrekestelling 2026-0012',\n"
	"    date_iso = '2026-03-03',\n"
	"  }\n"
	"end\n";

static int setup(void **state)
{
	lua_State *L = luaL_newstate();

	luaL_openlibs(L);
	lua_newtable(L);
	lua_pushcfunction(L, api_open_pdf);
	lua_call(L, 0, 1);
	lua_setfield(L, -2, "pdf");
	lua_setglobal(L, "owed");
	assert_int_equal(luaL_dostring(L, letter_lua), LUA_OK);
	*state = L;
	return 0;
}

static int teardown(void **state)
{
	lua_close(*state);
	return 0;
}


/*
** {==================================================================
** Helpers
** ===================================================================
*/

/* Runs code, which returns the PDF; writes it to a new temporary file and gives its name
 * (static, so one at a time), or the PDF itself in *pdf when pdf is not NULL. */
static const char *render_at(lua_State *L, const char *code, char **pdf, size_t *len, int line)
{
	static char path[64];
	const char *s;
	size_t n;
	FILE *f;
	int fd;

	if (luaL_dostring(L, code) != LUA_OK) {
		print_error("line %d: %s\n  raised: %s\n", line, code, lua_tostring(L, -1));
		fail();
	}
	s = lua_tolstring(L, -1, &n);
	assert_non_null(s);
	assert_memory_equal(s, "%PDF-", 5);
	if (pdf != NULL) {
		*pdf = malloc(n);
		memcpy(*pdf, s, n);
		*len = n;
	}
	strcpy(path, "/tmp/owed-test-pdf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_int_equal(fwrite(s, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	lua_settop(L, 0);
	return path;
}

#define render(L, code) render_at(L, code, NULL, NULL, __LINE__)

/* The output of a command (formatted as printf), which must succeed; free it. */
static char *run(const char *fmt, ...)
{
	char cmd[512], *out = NULL;
	size_t len = 0, cap = 0, n;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	do {
		if (cap - len < 4096) {
			cap = cap * 2 + 4096;
			out = realloc(out, cap + 1);
			assert_non_null(out);
		}
		n = fread(out + len, 1, cap - len, p);
		len += n;
	} while (n > 0);
	out[len] = '\0';
	if (pclose(p) != 0) {
		print_error("%s failed\n", cmd);
		fail();
	}
	return out;
}

static void contains_at(const char *text, const char *part, int line)
{
	if (strstr(text, part) == NULL) {
		print_error("line %d: [%s] not in:\n%s\n", line, part, text);
		fail();
	}
}

#define contains(text, part) contains_at(text, part, __LINE__)

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

#define expect_error(L, code, part) expect_error_at(L, code, part, __LINE__)

typedef struct box { double x0, y0, x1, y1; } box;

/* The box of the n-th (0: first) occurrence of word in pdftotext -bbox output. */
static box word_at(const char *html, const char *word, int n, int line)
{
	char pat[128];
	const char *at = html, *w;
	box b;

	snprintf(pat, sizeof pat, ">%s</word>", word);
	while ((at = strstr(at, pat)) != NULL && n-- > 0)
		at++;
	if (at == NULL) {
		print_error("line %d: word [%s] not found\n", line, word);
		fail();
	}
	for (w = at; w > html && strncmp(w, "<word ", 6) != 0; w--)
		;
	assert_int_equal(sscanf(w, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"",
	                        &b.x0, &b.y0, &b.x1, &b.y1), 4);
	return b;
}

#define word(html, w, n) word_at(html, w, n, __LINE__)

/* Whether the n bytes at s hold part. */
static int holds(const char *s, size_t n, const char *part)
{
	size_t len = strlen(part), i;
	for (i = 0; i + len <= n; i++)
		if (memcmp(s + i, part, len) == 0)
			return 1;
	return 0;
}

/* }================================================================== */


static void test_text(void **state)
{
	lua_State *L = *state;
	const char *path = render(L, "return owed.pdf.letter(letter())");
	char *text = run("/usr/bin/pdftotext -layout %s -", path);
	const char *order[] = { "Bakkerij De Korenschoof", "t.a.v. de administratie",
	                        "Dorpsstraat 12", "1234 AB Ergens", "Amsterdam, 3 maart 2026",
	                        "Dossier 2026-0012", "Ingebrekestelling", "Geachte heer, mevrouw,",
	                        "Factuur", "2026-001", "2026-007", "Totaal",
	                        "Te betalen vóór 17 maart 2026", "dîner à la carte",
	                        "English-speaking", "Met vriendelijke groet,", "J. de Vries",
	                        "KvK 12345678" };
	const char *at = text;
	size_t i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		const char *next = strstr(at, order[i]);
		if (next == NULL) {
			print_error("[%s] not found after [%.40s]\n", order[i], at);
			fail();
		}
		at = next + strlen(order[i]);
	}
	contains(text, "€ 1.234,56 open");
	contains(text, "Zoë, Noël, garçon, hôtel.");
	contains(text, "Groothandel Noordzee BV");
	contains(text, "BTW NL123456789B01");
	contains(text, "IBAN NL91 ABNA 0417 1643 00");
	contains(text, "Vervaldatum");
	contains(text, "4 februari 2026");
	contains(text, "€ 1.210,00");
	contains(text, "€ 524,56");
	assert_null(strstr(text, "1/1"));   /* one page: no page number */
	free(text);
	unlink(path);
}

/* Where things are: the address in the window, the letterhead top right, the amounts
 * right-aligned, the date under the address field. */
static void test_layout(void **state)
{
	lua_State *L = *state;
	const char *path = render(L, "return owed.pdf.letter(letter())");
	char *html = run("/usr/bin/pdftotext -bbox %s -", path);
	box first = word(html, "Bakkerij", 0), last = word(html, "Ergens", 0);
	box head = word(html, "Bedrag", 0), amount = word(html, "1.210,00", 0);
	box open1 = word(html, "710,00", 0), total = word(html, "1.234,56", 1);
	box letterhead = word(html, "Groothandel", 0), ret = word(html, "Groothandel", 1);
	box date = word(html, "maart", 0), bv = word(html, "BV", 0);

	/* the Dutch window (50 to 90 mm from the top) inside DIN 5008 form B's field, 5 mm in */
	assert_true(first.x0 > MM(24.5) && first.x0 < MM(25.5));
	assert_true(first.y0 > MM(50) && last.y1 < MM(90));
	assert_true(first.y0 < last.y0);
	/* the return address above it in the window, the letterhead flush right at 20 mm */
	assert_true(ret.y0 > MM(50) && ret.y1 < first.y0 && ret.x0 < MM(26));
	assert_true(letterhead.y1 < MM(45) && letterhead.x0 > 595.28 / 2);
	assert_true(bv.x1 > 595.28 - MM(20.5) && bv.x1 < 595.28 - MM(19.5));
	assert_true(date.y0 > MM(90));
	/* amounts flush right in their columns */
	assert_true(amount.x1 - head.x1 < 0.5 && head.x1 - amount.x1 < 0.5);
	assert_true(open1.x1 - total.x1 < 0.5 && total.x1 - open1.x1 < 0.5);
	assert_true(open1.y0 > amount.y0 - 0.5 && open1.y0 < amount.y0 + 0.5);
	free(html);
	unlink(path);
}

static void test_info_fonts(void **state)
{
	lua_State *L = *state;
	const char *path = render(L, "return owed.pdf.letter(letter())");
	char *info = run("/usr/bin/pdfinfo %s", path);
	char *fonts = run("/usr/bin/pdffonts %s", path);
	char *line;
	int n = 0;

	contains(info, "Pages:           1\n");
	contains(info, "Page size:       595.28 x 841.89 pts (A4)");
	contains(info, "Title:           Ingebrekestelling 2026-0012");
	contains(info, "Subject:         Ingebrekestelling");
	contains(info, "Author:          Groothandel Noordzee BV");
	contains(info, "Creator:         owed");
	contains(info, "CreationDate:    Tue Mar  3 00:00:00 2026 UTC");
	contains(fonts, "DejaVuSans ");
	contains(fonts, "DejaVuSans-Bold ");
	/* every font after the two header lines is embedded (emb, sub, uni: yes); cairo may
	 * split one face into several subsets */
	for (line = strchr(strchr(fonts, '\n') + 1, '\n') + 1; *line != '\0';
	     line = strchr(line, '\n') + 1) {
		contains(line, " yes yes yes ");
		n++;
	}
	assert_true(n >= 2);
	free(info);
	free(fonts);
	unlink(path);
}

static void test_pages(void **state)
{
	lua_State *L = *state;
	const char *path = render(L,
		"local d = letter()\n"
		"for i = 1, 60 do\n"
		"  table.insert(d.body, i + 1, 'Alinea ' .. i .. ': ' .. string.rep('Wij verzoeken u het "
		"openstaande bedrag binnen veertien dagen te voldoen. ', 3))\n"
		"end\n"
		"return owed.pdf.letter(d)");
	char *info = run("/usr/bin/pdfinfo %s", path);
	char *p1, *plast;
	int pages = 0;

	assert_int_equal(sscanf(strstr(info, "Pages:"), "Pages: %d", &pages), 1);
	assert_true(pages >= 2);
	p1 = run("/usr/bin/pdftotext -layout -f 1 -l 1 %s -", path);
	plast = run("/usr/bin/pdftotext -layout -f %d -l %d %s -", pages, pages, path);
	{
		char num[32];
		snprintf(num, sizeof num, "1/%d", pages);
		contains(p1, num);
		snprintf(num, sizeof num, "%d/%d", pages, pages);
		contains(plast, num);
	}
	contains(p1, "Alinea 1:");
	contains(plast, "KvK 12345678");   /* the footer on every page */
	contains(plast, "J. de Vries");
	free(info);
	free(p1);
	free(plast);
	unlink(path);
}

static void test_deterministic(void **state)
{
	lua_State *L = *state, *L2;
	char *a, *b, *c;
	size_t na, nb, nc;

	unlink(render_at(L, "return owed.pdf.letter(letter())", &a, &na, __LINE__));
	unlink(render_at(L, "return owed.pdf.letter(letter())", &b, &nb, __LINE__));
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	/* another state, and no date: still no clock in it */
	setup((void **)&L2);
	unlink(render_at(L2, "local d = letter(); d.date_iso = nil; return owed.pdf.letter(d)",
	                 &c, &nc, __LINE__));
	teardown((void **)&L2);
	assert_false(holds(c, nc, "CreationDate"));
	assert_false(holds(c, nc, "ModDate"));
	assert_true(holds(a, na, "/CreationDate (20260303000000Z)"));
	free(a);
	free(b);
	free(c);
}

static void test_errors(void **state)
{
	lua_State *L = *state;

	expect_error(L, "return owed.pdf.letter()",
	             "owed.pdf.letter: doc must be a table, not no value");
	expect_error(L, "local d = letter(); d.recipient = 'Jansen'; return owed.pdf.letter(d)",
	             "owed.pdf.letter: recipient must be a list of lines");
	expect_error(L, "local d = letter(); d.recipient = nil; return owed.pdf.letter(d)",
	             "owed.pdf.letter: recipient must be a list of lines");
	expect_error(L, "local d = letter(); d.recipient = {}; return owed.pdf.letter(d)",
	             "owed.pdf.letter: recipient must be a list of lines");
	expect_error(L, "local d = letter(); d.recipient[2] = 12; return owed.pdf.letter(d)",
	             "owed.pdf.letter: recipient[2] must be a string, not number");
	expect_error(L, "local d = letter(); d.recipient = {'a','b','c','d','e','f','g'};"
	                "return owed.pdf.letter(d)",
	             "owed.pdf.letter: recipient has 7 lines, at most 6 fit");
	expect_error(L, "local d = letter(); d.recipients = d.recipient; return owed.pdf.letter(d)",
	             "owed.pdf.letter: doc has an unknown field 'recipients'");
	expect_error(L, "local d = letter(); d.reference = 7; return owed.pdf.letter(d)",
	             "owed.pdf.letter: reference must be a list of lines or a string");
	expect_error(L, "local d = letter(); d.subject = 'caf\\xe9'; return owed.pdf.letter(d)",
	             "owed.pdf.letter: subject is not valid UTF-8");
	expect_error(L, "local d = letter(); d.date_iso = '2026-02-30'; return owed.pdf.letter(d)",
	             "owed.pdf.letter: date_iso must be a date YYYY-MM-DD, not '2026-02-30'");
	expect_error(L, "local d = letter(); d.lang = 'dutch'; return owed.pdf.letter(d)",
	             "owed.pdf.letter: lang must be a language code");
	expect_error(L, "local d = letter(); d.body = {}; return owed.pdf.letter(d)",
	             "owed.pdf.letter: body must be a list of blocks");
	expect_error(L, "local d = letter(); d.body[2] = 42; return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[2] must be a string or a table, not number");
	expect_error(L, "local d = letter(); d.body[2] = { text = 'x', boldd = true };"
	                "return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[2] has an unknown field 'boldd'");
	expect_error(L, "local d = letter(); d.body[2] = { text = 'x', bold = 'yes' };"
	                "return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[2].bold must be a boolean");
	expect_error(L, "local d = letter(); d.body[2] = { bold = true }; return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[2] must have text or table");
	expect_error(L, "local d = letter(); d.body[3].text = 'x'; return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[3] has a table, so no text or bold");
	expect_error(L, "local d = letter(); table.remove(d.body[3].table.rows[2]);"
	                "return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[3].table.rows[2] has 4 cells, not 5");
	expect_error(L, "local d = letter(); d.body[3].table.rows[1][4] = 1210;"
	                "return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[3].table.rows[1][4] must be a string, not number");
	expect_error(L, "local d = letter(); d.body[3].table.align = 'lllr';"
	                "return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[3].table.align must be a letter l, r or c per column (5)");
	expect_error(L, "local d = letter(); d.body[3].table = {}; return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[3].table has no head, rows or total");
	expect_error(L, "local d = letter(); d.body[3].table.head = {}; return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[3].table must have 1 to 12 columns");
	expect_error(L, "local d = letter(); d.body[1] = string.rep('x', 16385);"
	                "return owed.pdf.letter(d)",
	             "owed.pdf.letter: body[1] is longer than 16384 bytes");
	/* found while rendering, with cairo and pango at work: everything is freed first */
	expect_error(L, "local d = letter(); d.recipient[1] = string.rep('Korenschoof ', 8);"
	                "return owed.pdf.letter(d)",
	             "owed.pdf.letter: recipient has a line too long for the envelope window");
	expect_error(L, "local d = letter(); for i = 1, 8000 do d.body[#d.body + 1] = 'x' end;"
	                "return owed.pdf.letter(d)",
	             "owed.pdf.letter: the letter would have more than 200 pages");
}

/* A long address line is set smaller rather than cut off. */
static void test_address_shrinks(void **state)
{
	lua_State *L = *state;
	const char *path = render(L, "local d = letter();"
	                             "d.recipient[1] = 'Stichting Vrienden van de Bakkerij De "
	                             "Korenschoof'; return owed.pdf.letter(d)");
	char *html = run("/usr/bin/pdftotext -bbox %s -", path);
	box b = word(html, "Korenschoof", 0);

	assert_true(b.x1 < MM(100));
	free(html);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_fonts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_shrinks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
