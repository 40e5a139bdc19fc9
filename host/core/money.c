/*
 * money.c -- amounts in minor units: reading, writing, and arithmetic that never rounds
 * silently (see money.h).
 *
 * Every product that could leave int64 is checked, and every ratio is formed in 128 bits and
 * divided once, so the only rounding is the one the caller named.
 */
#include <string.h>

#include "core/err.h"
#include "core/money.h"

__extension__ typedef __int128 i128;

#define MONEY_EURO   "\xE2\x82\xAC"   /* U+20AC EURO SIGN */
#define MONEY_NBSP   "\xC2\xA0"       /* U+00A0 NO-BREAK SPACE */
#define MONEY_NNBSP  "\xE2\x80\xAF"   /* U+202F NARROW NO-BREAK SPACE */


/*
** {======================================================
** Currencies and locales
** =======================================================
*/

/* ISO 4217 currencies whose minor unit is not a hundredth; every other code has 2 decimals. */
static const struct { char cur[4]; int exp; } money_exceptions[] = {
	{"BIF", 0}, {"CLP", 0}, {"DJF", 0}, {"GNF", 0}, {"ISK", 0}, {"JPY", 0}, {"KMF", 0},
	{"KRW", 0}, {"PYG", 0}, {"RWF", 0}, {"UGX", 0}, {"UYI", 0}, {"VND", 0}, {"VUV", 0},
	{"XAF", 0}, {"XOF", 0}, {"XPF", 0},
	{"BHD", 3}, {"IQD", 3}, {"JOD", 3}, {"KWD", 3}, {"LYD", 3}, {"OMR", 3}, {"TND", 3},
	{"CLF", 4}, {"UYW", 4}
};

int money_exponent(const char *cur)
{
	size_t i;
	if (cur == NULL)
		return OWED_EINPUT;
	for (i = 0; i < 3; i++)   /* stops at a short string's NUL, which is not a letter */
		if (cur[i] < 'A' || cur[i] > 'Z')
			return OWED_EINPUT;
	if (cur[3] != '\0')
		return OWED_EINPUT;
	for (i = 0; i < sizeof money_exceptions / sizeof money_exceptions[0]; i++)
		if (memcmp(cur, money_exceptions[i].cur, 3) == 0)
			return money_exceptions[i].exp;
	return 2;
}

typedef struct money_locale {
	const char *name;
	char dec;                    /* decimal separator */
	const char *group;           /* thousands separator written */
	const char *const *groups;   /* thousands separators read, NULL-terminated */
	const char *sym_gap;         /* between "€" and the number */
	const char *code_gap;        /* between an ISO code and the number */
	unsigned char after;         /* symbol after the number: "1 234,56 €" */
	unsigned char sign_out;      /* '-' before a leading symbol: "-€1.00", not "€ -1,00" */
	unsigned char plain;         /* the machine form: no grouping, no symbol */
} money_locale;

static const char *const money_dot[] = {".", NULL};
static const char *const money_comma[] = {",", NULL};
/* A Belgian French amount comes typed with a space, from a word processor with U+00A0 or
 * U+202F, or from a Dutch-speaking colleague with a dot. */
static const char *const money_fr[] = {" ", MONEY_NBSP, MONEY_NNBSP, ".", NULL};
static const char *const money_none[] = {NULL};

static const money_locale money_locales[] = {
	{"nl-NL", ',', ".", money_dot, " ", " ", 0, 0, 0},
	{"nl-BE", ',', ".", money_dot, " ", " ", 0, 0, 0},
	{"fr-BE", ',', MONEY_NBSP, money_fr, MONEY_NBSP, MONEY_NBSP, 1, 0, 0},
	{"en", '.', ",", money_comma, "", " ", 0, 1, 0},
	{"C", '.', NULL, money_none, NULL, NULL, 0, 0, 1}
};

static const money_locale *money_locale_find(const char *name)
{
	size_t i;
	for (i = 0; name != NULL && i < sizeof money_locales / sizeof money_locales[0]; i++)
		if (strcmp(name, money_locales[i].name) == 0)
			return &money_locales[i];
	return NULL;
}

/* }====================================================== */


/*
** {======================================================
** Parsing
** =======================================================
*/

static int money_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of the white space character at s, 0 if none.  The no-break spaces count, as fr-BE
 * writes them between number and symbol and spreadsheets hand them back that way. */
static size_t money_space(const char *s)
{
	if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		return 1;
	if (strncmp(s, MONEY_NBSP, 2) == 0)
		return 2;
	if (strncmp(s, MONEY_NNBSP, 3) == 0)
		return 3;
	return 0;
}

static const char *money_skip(const char *s)
{
	size_t k;
	while ((k = money_space(s)) > 0)
		s += k;
	return s;
}

/* Length of the currency mark at s, 0 if none.  Only the euro's: a parsed amount carries no
 * currency, so accepting "USD" would let it pass for whatever the caller has in mind. */
static size_t money_symbol(const char *s)
{
	if (strncmp(s, MONEY_EURO, 3) == 0 || strncmp(s, "EUR", 3) == 0)
		return 3;
	return 0;
}

/* Reads an optional sign at *s, counting it so that the caller can refuse a second one. */
static void money_sign(const char **s, int *neg, int *signs)
{
	if (**s == '-' || **s == '+') {
		*neg = **s == '-';
		++*signs;
		++*s;
	}
}

/* The thousands separator of loc at s if a digit follows it.  Otherwise it is not a separator
 * but the end of the number, as the space in fr-BE "12 €". */
static const char *money_group(const money_locale *loc, const char *s)
{
	const char *const *g;
	for (g = loc->groups; *g != NULL; g++) {
		size_t k = strlen(*g);
		if (strncmp(s, *g, k) == 0 && money_isdigit(s[k]))
			return *g;
	}
	return NULL;
}

/* Appends digit c to *v.  Overflow sets a sticky flag instead of returning at once, so that a
 * text that is also malformed further on is reported as malformed. */
static void money_push(int64_t *v, char c, int *over)
{
	*over |= __builtin_mul_overflow(*v, 10, v);
	*over |= __builtin_add_overflow(*v, c - '0', v);
}

/* Reads the number at *ps, grouped as loc says and with at most exp decimals, into *v as a
 * count of minor units: the digits in order, then zeros for the decimals not written. */
static int money_number(const money_locale *loc, const char **ps, int exp, int64_t *v,
                        int *over)
{
	const char *s = *ps, *sep = NULL, *g;
	size_t len = 0;   /* digits in the current group */
	int frac = 0;
	if (!money_isdigit(*s))
		return OWED_EINPUT;
	for (;;) {
		for (; money_isdigit(*s); s++, len++)
			money_push(v, *s, over);
		if ((g = money_group(loc, s)) == NULL)
			break;
		/* the first group may be short, every later one is full, all with one separator */
		if (sep != NULL ? g != sep || len != 3 : len > 3)
			return OWED_EINPUT;
		sep = g;
		s += strlen(g);
		len = 0;
	}
	if (sep != NULL && len != 3)
		return OWED_EINPUT;
	if (*s == loc->dec) {
		if (!money_isdigit(*++s))
			return OWED_EINPUT;
		for (; money_isdigit(*s); s++) {
			if (++frac > exp)
				return OWED_EINPUT;
			money_push(v, *s, over);
		}
	}
	for (; frac < exp; frac++)
		money_push(v, '0', over);
	*ps = s;
	return 0;
}

int money_parse(const char *text, const char *locale, int exponent, int64_t *minor)
{
	const money_locale *loc = money_locale_find(locale);
	const char *s;
	size_t sym = 0;
	int neg = 0, signs = 0, over = 0, rc;
	int64_t v = 0;
	if (loc == NULL || exponent < 0 || exponent > MONEY_EXP_MAX)
		return OWED_EINPUT;
	s = money_skip(text);
	money_sign(&s, &neg, &signs);
	if (!loc->plain && (sym = money_symbol(s)) > 0)
		s = money_skip(s + sym);
	money_sign(&s, &neg, &signs);
	if (signs > 1)
		return OWED_EINPUT;
	if ((rc = money_number(loc, &s, exponent, &v, &over)) != 0)
		return rc;
	s = money_skip(s);
	if (!loc->plain && sym == 0 && (sym = money_symbol(s)) > 0)
		s = money_skip(s + sym);
	if (*s != '\0')
		return OWED_EINPUT;
	if (over)
		return OWED_EOVERFLOW;
	*minor = neg ? -v : v;
	return 0;
}

int money_rate_parse(const char *text, int64_t *num, int64_t *den)
{
	const char *s = text;
	int64_t n = 0, d = 100;   /* a percentage: the fraction starts as hundredths */
	int over = 0;
	if (!money_isdigit(*s))
		return OWED_EINPUT;
	for (; money_isdigit(*s); s++)
		money_push(&n, *s, &over);
	if (*s == '.') {
		if (!money_isdigit(*++s))
			return OWED_EINPUT;
		for (; money_isdigit(*s); s++) {
			money_push(&n, *s, &over);
			over |= __builtin_mul_overflow(d, 10, &d);
		}
	}
	if (*s != '\0')
		return OWED_EINPUT;
	if (over)
		return OWED_EOVERFLOW;
	*num = n;
	*den = d;
	return 0;
}

/* }====================================================== */


/*
** {======================================================
** Formatting
** =======================================================
*/

/* The text being formatted.  64 bytes hold the longest, 38: sign, code and gap (1 + 3 + 2),
 * at most 19 digits (|INT64_MIN| has 19, exponent 18 pads to 19) with 6 two-byte separators,
 * and the decimal separator. */
typedef struct money_out {
	char s[64];
	size_t n;
} money_out;

static void money_put(money_out *o, const char *s)
{
	size_t k = strlen(s);
	memcpy(o->s + o->n, s, k);
	o->n += k;
}

static void money_putc(money_out *o, char c)
{
	o->s[o->n++] = c;
}

/* Writes the magnitude m with exp decimals as loc does. */
static void money_put_number(money_out *o, uint64_t m, int exp, const money_locale *loc)
{
	char d[24];   /* m's digits, least significant first, at least exp + 1 of them */
	int n = 0, i, ilen;
	do {
		d[n++] = (char)('0' + m % 10);
		m /= 10;
	} while (m > 0 || n <= exp);
	ilen = n - exp;
	for (i = 0; i < ilen; i++) {
		if (i > 0 && (ilen - i) % 3 == 0 && loc->group != NULL)
			money_put(o, loc->group);
		money_putc(o, d[n - 1 - i]);
	}
	if (exp > 0) {
		money_putc(o, loc->dec);
		for (; i < n; i++)
			money_putc(o, d[n - 1 - i]);
	}
}

int money_format(int64_t minor, int exponent, const char *cur, const char *locale,
                 unsigned flags, char *buf, size_t size)
{
	const money_locale *loc = money_locale_find(flags & MONEY_FMT_PLAIN ? "C" : locale);
	const char *mark = NULL, *gap = NULL;
	int neg = minor < 0, pre;
	money_out o;
	if (loc == NULL || exponent < 0 || exponent > MONEY_EXP_MAX)
		return OWED_EINPUT;
	if (!loc->plain && !(flags & MONEY_FMT_NOSYM)) {
		int euro;
		if (money_exponent(cur) < 0)
			return OWED_EINPUT;
		euro = strcmp(cur, "EUR") == 0;
		mark = euro ? MONEY_EURO : cur;
		gap = euro ? loc->sym_gap : loc->code_gap;
	}
	pre = mark != NULL && !loc->after;
	o.n = 0;
	if (neg && (!pre || loc->sign_out)) {
		money_putc(&o, '-');
		neg = 0;
	}
	if (pre) {
		money_put(&o, mark);
		money_put(&o, gap);
	}
	if (neg)
		money_putc(&o, '-');
	/* the magnitude as unsigned, where -INT64_MIN exists; negated one short so nothing wraps */
	money_put_number(&o, minor < 0 ? (uint64_t)-(minor + 1) + 1 : (uint64_t)minor, exponent,
	                 loc);
	if (mark != NULL && loc->after) {
		money_put(&o, gap);
		money_put(&o, mark);
	}
	if (o.n >= size) {
		if (size > 0)
			buf[0] = '\0';
		return OWED_EOVERFLOW;
	}
	memcpy(buf, o.s, o.n);
	buf[o.n] = '\0';
	return (int)o.n;
}

/* }====================================================== */


/*
** {======================================================
** Arithmetic
** =======================================================
*/

int money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t v;
	if (__builtin_add_overflow(a, b, &v))
		return OWED_EOVERFLOW;
	*out = v;
	return 0;
}

int money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t v;
	if (__builtin_sub_overflow(a, b, &v))
		return OWED_EOVERFLOW;
	*out = v;
	return 0;
}

int money_mul(int64_t a, int64_t k, int64_t *out)
{
	int64_t v;
	if (__builtin_mul_overflow(a, k, &v))
		return OWED_EOVERFLOW;
	*out = v;
	return 0;
}

/* n / d for d > 0, rounded as r.  C's division truncates toward zero; r decides whether a
 * remainder moves the quotient one step further away from zero. */
static int money_div(i128 n, i128 d, money_rounding r, int64_t *out)
{
	i128 q = n / d, rem = n % d;   /* rem has the sign of n, and |rem| < d */
	if (rem != 0) {
		i128 twice = 2 * (rem < 0 ? -rem : rem);   /* against d: below, at or past half */
		int away = 0;
		switch (r) {
		case MONEY_HALF_UP:   away = twice >= d; break;
		case MONEY_HALF_EVEN: away = twice > d || (twice == d && q % 2 != 0); break;
		case MONEY_DOWN:      away = 0; break;
		case MONEY_UP:        away = 1; break;
		case MONEY_FLOOR:     away = n < 0; break;
		case MONEY_CEIL:      away = n > 0; break;
		}
		if (away)
			q += n < 0 ? -1 : 1;
	}
	if (q < INT64_MIN || q > INT64_MAX)
		return OWED_EOVERFLOW;
	*out = (int64_t)q;
	return 0;
}

int money_mul_ratio2(int64_t amount, int64_t num1, int64_t num2, int64_t den,
                     money_rounding r, int64_t *out)
{
	i128 p;
	if (den <= 0 || (unsigned)r > MONEY_CEIL)
		return OWED_EINPUT;
	/* two int64 factors always fit in 128 bits; the third may not */
	if (__builtin_mul_overflow((i128)amount * num1, (i128)num2, &p))
		return OWED_EOVERFLOW;
	return money_div(p, den, r, out);
}

int money_mul_ratio(int64_t amount, int64_t num, int64_t den, money_rounding r, int64_t *out)
{
	return money_mul_ratio2(amount, num, 1, den, r, out);
}

/* Where part i stands in the queue for a leftover unit: behind every part with a larger
 * remainder, and behind an equal one with a lower index. */
static size_t money_split_rank(i128 mag, const int64_t *w, size_t n, i128 sum, size_t i)
{
	i128 ri = mag * w[i] % sum;
	size_t j, rank = 0;
	for (j = 0; j < n; j++) {
		i128 rj = mag * w[j] % sum;
		rank += rj > ri || (rj == ri && j < i);
	}
	return rank;
}

int money_split(int64_t total, const int64_t *weights, size_t n, int64_t *out)
{
	/* on the magnitude, so that a negative total splits as the mirror image */
	i128 mag = total < 0 ? -(i128)total : (i128)total, sum = 0, given = 0;
	size_t i, left;
	for (i = 0; i < n; i++) {
		if (weights[i] < 0)
			return OWED_EINPUT;
		sum += weights[i];   /* n * INT64_MAX fits in 128 bits for any n */
	}
	if (sum == 0)
		return OWED_EINPUT;
	for (i = 0; i < n; i++)
		given += mag * weights[i] / sum;
	left = (size_t)(mag - given);   /* each share lost less than one unit: left < n */
	for (i = 0; i < n; i++) {
		i128 part = mag * weights[i] / sum;
		if (left > 0 && money_split_rank(mag, weights, n, sum, i) < left)
			part++;
		out[i] = (int64_t)(total < 0 ? -part : part);
	}
	return 0;
}

/* }====================================================== */

