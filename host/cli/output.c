/*
 * output.c -- tables, JSON, errors and exit codes (output.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/output.h"
#include "core/err.h"
#include "core/money.h"

int out_exit_code(int code)
{
	switch (code) {
	case OWED_OK:        return EXIT_OK;
	case OWED_EUSAGE:    return EXIT_USAGE;
	case OWED_EINPUT:
	case OWED_EOVERFLOW:
	case OWED_ENOTFOUND: return EXIT_INPUT;
	case OWED_EREFUSED:
	case OWED_EEXIST:    return EXIT_REFUSED;
	case OWED_EIO:       return EXIT_IO;
	default:             return EXIT_FAILURE_;
	}
}

static int color_to(int fd)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(fd) && !(nc && *nc);
}

int out_color(void)
{
	return color_to(STDOUT_FILENO);
}

void out_error(const char *fmt, ...)
{
	int c = color_to(STDERR_FILENO);
	va_list ap;
	fputs(c ? "\033[31mowed:\033[0m " : "owed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void out_json(cJSON *obj)
{
	char *s = cJSON_Print(obj);
	if (s) {
		puts(s);
		free(s);
	}
	cJSON_Delete(obj);
}

/* ------------------------------------------------------------------ tables */

struct out_table {
	int ncols;
	const char *align;
	char **cells;           /* row-major, the header is row 0 */
	size_t rows, cap;
};

/* Display width of UTF-8 text: one column per code point (enough for Latin scripts and €). */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

out_table *table_new(int ncols, const char *const *headers, const char *align)
{
	out_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->align = align;
	table_add(t, headers);
	return t;
}

void table_add(out_table *t, const char *const *cells)
{
	if (t->rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof *c);
		if (!c)
			return;
		t->cells = c;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->rows * (size_t)t->ncols + (size_t)i] = strdup(cells[i] ? cells[i] : "");
	t->rows++;
}

void table_print(out_table *t)
{
	size_t *w = calloc((size_t)t->ncols, sizeof *w);
	int bold = out_color();
	if (!w)
		return;
	for (size_t r = 0; r < t->rows; r++)
		for (int c = 0; c < t->ncols; c++) {
			size_t cw = width(t->cells[r * (size_t)t->ncols + (size_t)c]);
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->rows; r++) {
		if (r == 0 && bold)
			fputs("\033[1m", stdout);
		for (int c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * (size_t)t->ncols + (size_t)c];
			int pad = (int)(w[c] - width(cell));
			int right = t->align && t->align[c] == 'r';
			int last = c == t->ncols - 1;
			printf("%*s%s%*s%s", right ? pad : 0, "", cell, right || last ? 0 : pad, "",
			       last ? "" : "  ");
		}
		if (r == 0 && bold)
			fputs("\033[0m", stdout);
		putchar('\n');
	}
	free(w);
}

void table_free(out_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void out_field(const char *key, const char *value)
{
	printf("%-14s %s\n", key, value && *value ? value : "-");
}

const char *out_money(char *buf, size_t size, int64_t minor, const char *currency,
                      const char *locale)
{
	int exp = money_exponent(currency);
	if (money_format(minor, exp < 0 ? 2 : exp, currency, locale, 0, buf, size) < 0)
		snprintf(buf, size, "?");
	return buf;
}

const char *out_date(char *buf, size_t size, owed_date d)
{
	date_format_iso(d, buf, size);
	return buf;
}
