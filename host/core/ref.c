/*
 * ref.c -- IBANs and structured payment references (see ref.h for the rules).
 *
 * Everything works on a compact copy of the input: spaces removed, letters in uppercase,
 * passed around as pointer and length.  The check arithmetic is done digit by digit on small
 * integers, so a 34-character IBAN needs no bignum.  The character tests are our own rather than
 * <ctype.h>, whose answers depend on the locale and which is undefined for negative chars.
 */
#include <string.h>

#include "core/err.h"
#include "core/ref.h"

/* Longer than any reference with room for its decoration: "+++ddd/dddd/ddddd+++" is 20. */
#define REF_SCRATCH 32

/* The NL forms without length code: with a check digit, and without. */
#define NL_FULL 16
#define NL_BARE 7

static int ref_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static int ref_isalpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int ref_isalnum(int c)
{
	return ref_isdigit(c) || ref_isalpha(c);
}

static int ref_toupper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}

/* Copies len characters of s with a NUL into out, or fails without writing beyond "". */
static int ref_put(const char *s, size_t len, char *out, size_t n)
{
	if (len >= n) {
		if (n > 0)
			out[0] = '\0';
		return OWED_EOVERFLOW;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* The exit of every function with an out buffer: on failure it holds "". */
static int ref_done(int rc, char *out, size_t n)
{
	if (rc != 0 && n > 0)
		out[0] = '\0';
	return rc;
}

/*
 * The compact copy of the first tlen characters of text into buf (cap bytes, NUL added).
 * Too long for cap is OWED_EINPUT: no reference or IBAN is that long.
 */
static int ref_compact(const char *text, size_t tlen, char *buf, size_t cap, size_t *len)
{
	size_t i, k = 0;
	for (i = 0; i < tlen; i++) {
		if (text[i] == ' ')
			continue;
		if (k + 1 >= cap)
			return OWED_EINPUT;
		buf[k++] = (char)ref_toupper((unsigned char)text[i]);
	}
	buf[k] = '\0';
	*len = k;
	return 0;
}

static int ref_all(const char *s, size_t len, int (*is)(int))
{
	size_t i;
	for (i = 0; i < len; i++)
		if (!is((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * r carried on over s (digits and uppercase letters, a letter counting as the two digits of
 * 10..35), mod 97.  Reducing after every character keeps each step below 96 * 100 + 35.
 */
static int ref_mod97(const char *s, size_t len, int r)
{
	size_t i;
	for (i = 0; i < len; i++) {
		int c = s[i];
		r = ref_isdigit(c) ? (r * 10 + c - '0') % 97 : (r * 100 + c - 'A' + 10) % 97;
	}
	return r;
}

/* The ISO 7064 MOD 97-10 check of IBAN and RF alike: the first four characters go last. */
static int ref_mod97_rotated(const char *s, size_t len)
{
	return ref_mod97(s, 4, ref_mod97(s + 4, len - 4, 0));
}

/* Check digits 00, 01 and 99 are never generated, so they are never valid either. */
static int ref_check_digits_ok(const char *s)
{
	int cd;
	if (!ref_isdigit(s[0]) || !ref_isdigit(s[1]))
		return 0;
	cd = (s[0] - '0') * 10 + (s[1] - '0');
	return cd >= 2 && cd <= 98;
}


/* ---- IBAN ---- */

/* IBAN lengths by country, from the SWIFT IBAN registry.  Dependent territories (AX, GF, GP,
 * RE, JE, GG, IM, ...) use their parent's code (FI, FR, GB) and are not listed. */
static const struct { char cc[3]; unsigned char len; } iban_lengths[] = {
	{"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
	{"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22},
	{"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20},
	{"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22},
	{"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
	{"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30},
	{"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21},
	{"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
	{"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24},
	{"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33},
	{"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
	{"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29},
	{"VA", 22}, {"VG", 24}, {"XK", 20}
};

static size_t iban_length(const char *cc)
{
	size_t i;
	for (i = 0; i < sizeof iban_lengths / sizeof iban_lengths[0]; i++)
		if (iban_lengths[i].cc[0] == cc[0] && iban_lengths[i].cc[1] == cc[1])
			return iban_lengths[i].len;
	return 0;
}

/* The compact form into buf (IBAN_BUFSZ bytes); its length in *len. */
static int iban_compact(const char *in, char *buf, size_t *len)
{
	if (ref_compact(in, strlen(in), buf, IBAN_BUFSZ, len) != 0 || *len == 0 ||
	    !ref_all(buf, *len, ref_isalnum))
		return OWED_EINPUT;
	return 0;
}

static int iban_valid(const char *s, size_t len)
{
	if (len < 5 || iban_length(s) != len || !ref_check_digits_ok(s + 2) ||
	    ref_mod97_rotated(s, len) != 1)
		return OWED_EINPUT;
	return 0;
}

int iban_normalize(const char *in, char *out, size_t n)
{
	char buf[IBAN_BUFSZ];
	size_t len;
	int rc = iban_compact(in, buf, &len);
	return ref_done(rc == 0 ? ref_put(buf, len, out, n) : rc, out, n);
}

int iban_check(const char *iban)
{
	char buf[IBAN_BUFSZ];
	size_t len;
	int rc = iban_compact(iban, buf, &len);
	return rc == 0 ? iban_valid(buf, len) : rc;
}

int iban_format(const char *iban, char *out, size_t n)
{
	char buf[IBAN_BUFSZ], fmt[IBAN_FMT_BUFSZ];
	size_t len, i, k = 0;
	int rc = iban_compact(iban, buf, &len);
	if (rc == 0)
		rc = iban_valid(buf, len);
	if (rc != 0)
		return ref_done(rc, out, n);
	for (i = 0; i < len; i++) {
		if (i > 0 && i % 4 == 0)
			fmt[k++] = ' ';
		fmt[k++] = buf[i];
	}
	return ref_put(fmt, k, out, n);
}


/* ---- the three kinds of reference, on compact text ---- */

/* The Currence check digit of the len digits at d. */
static int ref_nl_digit(const char *d, size_t len)
{
	static const int weight[10] = {2, 4, 8, 5, 10, 9, 7, 3, 6, 1};
	int sum = 0, c;
	size_t i;
	for (i = 0; i < len; i++)
		sum += (d[len - 1 - i] - '0') * weight[i % 10];
	c = 11 - sum % 11;
	return c == 10 ? 1 : c == 11 ? 0 : c;
}

static int ref_nl_valid(const char *s, size_t len)
{
	/* 9..14 digits: C, L, then the 7..12 digits L counts, mod 10. */
	int coded = len >= 9 && len <= 14;
	if (!ref_all(s, len, ref_isdigit))
		return OWED_EINPUT;
	if (len == NL_BARE)
		return 0;
	if ((len != NL_FULL && !coded) || (coded && s[1] - '0' != (int)(len - 2) % 10))
		return OWED_EINPUT;
	return s[0] - '0' == ref_nl_digit(s + 1, len - 1) ? 0 : OWED_EINPUT;
}

/* The OGM check digits of the ten digits at d, 1..97. */
static int ref_ogm_digits_of(const char *d)
{
	uint64_t v = 0;
	int i;
	for (i = 0; i < 10; i++)
		v = v * 10 + (uint64_t)(d[i] - '0');
	return v % 97 == 0 ? 97 : (int)(v % 97);
}

/*
 * The twelve digits of an OGM into d: +++body+++, ***body*** or a bare body, where body is
 * twelve digits with or without slashes after the third and the seventh.
 */
static int ref_ogm_parse(const char *s, size_t len, char d[12])
{
	if (len >= 6 && (s[0] == '+' || s[0] == '*')) {
		char c = s[0];
		if (s[1] != c || s[2] != c || s[len - 3] != c || s[len - 2] != c || s[len - 1] != c)
			return OWED_EINPUT;
		s += 3;
		len -= 6;
	}
	if (len == 14 && s[3] == '/' && s[8] == '/') {
		memcpy(d, s, 3);
		memcpy(d + 3, s + 4, 4);
		memcpy(d + 7, s + 9, 5);
	} else if (len == 12) {
		memcpy(d, s, 12);
	} else {
		return OWED_EINPUT;
	}
	return ref_all(d, 12, ref_isdigit) ? 0 : OWED_EINPUT;
}

static int ref_ogm_valid(const char d[12])
{
	int cd = (d[10] - '0') * 10 + (d[11] - '0');
	return cd == ref_ogm_digits_of(d) ? 0 : OWED_EINPUT;
}

static int ref_ogm_put(const char d[12], char *out, size_t n)
{
	char buf[20];
	memcpy(buf, "+++", 3);
	memcpy(buf + 3, d, 3);
	buf[6] = '/';
	memcpy(buf + 7, d + 3, 4);
	buf[11] = '/';
	memcpy(buf + 12, d + 7, 5);
	memcpy(buf + 17, "+++", 3);
	return ref_put(buf, sizeof buf, out, n);
}

static int ref_rf_valid(const char *s, size_t len)
{
	if (len < 5 || len > REF_MAX || s[0] != 'R' || s[1] != 'F' || !ref_check_digits_ok(s + 2) ||
	    !ref_all(s + 4, len - 4, ref_isalnum) || ref_mod97_rotated(s, len) != 1)
		return OWED_EINPUT;
	return 0;
}

/*
 * Checks compact s as a reference of kind (REF_NL, REF_BE_OGM or REF_RF: the public functions
 * refuse the others) and, if out is not NULL, writes its canonical form.
 */
static int ref_valid(const char *s, size_t len, ref_kind kind, char *out, size_t n)
{
	char d[12];
	int rc;
	if (kind == REF_BE_OGM) {
		rc = ref_ogm_parse(s, len, d);
		if (rc == 0)
			rc = ref_ogm_valid(d);
		return (rc == 0 && out) ? ref_ogm_put(d, out, n) : rc;
	}
	rc = kind == REF_NL ? ref_nl_valid(s, len) : ref_rf_valid(s, len);
	return (rc == 0 && out) ? ref_put(s, len, out, n) : rc;
}

static int ref_known(ref_kind kind)
{
	return kind == REF_NL || kind == REF_BE_OGM || kind == REF_RF;
}

/* The kind compact s has the shape of (see ref_check); REF_NL for everything else. */
static ref_kind ref_detect(const char *s, size_t len)
{
	if (len >= 2 && s[0] == 'R' && s[1] == 'F')
		return REF_RF;
	if (len > 0 && (s[0] == '+' || s[0] == '*' || memchr(s, '/', len)))
		return REF_BE_OGM;
	if (len == 12 && ref_valid(s, len, REF_BE_OGM, NULL, 0) == 0)
		return REF_BE_OGM;
	return REF_NL;
}

int ref_check(const char *text, ref_kind *kind)
{
	char buf[REF_SCRATCH];
	size_t len;
	ref_kind k;
	if (ref_compact(text, strlen(text), buf, sizeof buf, &len) != 0)
		return OWED_EINPUT;
	k = ref_detect(buf, len);
	if (ref_valid(buf, len, k, NULL, 0) != 0)
		return OWED_EINPUT;
	if (kind)
		*kind = k;
	return 0;
}

int ref_check_kind(const char *text, ref_kind kind)
{
	char buf[REF_SCRATCH];
	size_t len;
	if (!ref_known(kind))
		return OWED_EUSAGE;
	if (ref_compact(text, strlen(text), buf, sizeof buf, &len) != 0)
		return OWED_EINPUT;
	return ref_valid(buf, len, kind, NULL, 0);
}

int ref_normalize(const char *text, ref_kind kind, char *out, size_t n)
{
	char buf[REF_SCRATCH];
	size_t len;
	if (!ref_known(kind))
		return ref_done(OWED_EUSAGE, out, n);
	if (ref_compact(text, strlen(text), buf, sizeof buf, &len) != 0)
		return ref_done(OWED_EINPUT, out, n);
	return ref_done(ref_valid(buf, len, kind, out, n), out, n);
}


/* ---- generators ---- */

/* The width lowest decimal digits of v, zero-padded, at d. */
static void ref_decimal(uint64_t v, char *d, int width)
{
	while (width-- > 0) {
		d[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

int ref_make_nl(uint64_t number, char *out, size_t n)
{
	char d[NL_FULL];
	if (number > UINT64_C(999999999999999))
		return ref_done(OWED_EOVERFLOW, out, n);
	ref_decimal(number, d + 1, NL_FULL - 1);
	d[0] = (char)('0' + ref_nl_digit(d + 1, NL_FULL - 1));
	return ref_put(d, NL_FULL, out, n);
}

int ref_make_ogm(uint64_t number, char *out, size_t n)
{
	char d[12];
	if (number > UINT64_C(9999999999))
		return ref_done(OWED_EOVERFLOW, out, n);
	ref_decimal(number, d, 10);
	ref_decimal((uint64_t)ref_ogm_digits_of(d), d + 10, 2);
	return ref_ogm_put(d, out, n);
}

int ref_make_rf(const char *base, char *out, size_t n)
{
	char buf[REF_SCRATCH];
	size_t len;
	if (ref_compact(base, strlen(base), buf + 4, sizeof buf - 4, &len) != 0 || len == 0 ||
	    len > REF_MAX - 4 || !ref_all(buf + 4, len, ref_isalnum))
		return ref_done(OWED_EINPUT, out, n);
	/* With check digits 00 the rotated value is r mod 97; 98 - r brings it to 1. */
	ref_decimal((uint64_t)(98 - ref_mod97("RF00", 4, ref_mod97(buf + 4, len, 0))), buf + 2, 2);
	buf[0] = 'R';
	buf[1] = 'F';
	return ref_put(buf, len + 4, out, n);
}


/* ---- finding a reference in remittance text ---- */

/* Whether the run of letters and digits at q has a digit: words of the text around have none. */
static int ref_group_has_digit(const char *q)
{
	for (; ref_isalnum((unsigned char)*q); q++)
		if (ref_isdigit((unsigned char)*q))
			return 1;
	return 0;
}

/*
 * An RF reference at p: one run of letters and digits, or groups of four separated by single
 * spaces, the last possibly shorter.  A group joins only if it has a digit, so that the words
 * after the reference ("RF18 5390 0754 7034 dank u") stay out; of the ways to join that remain
 * ("RF18 5390 0754 7034 2024"), the longest that checks is taken.
 */
static int ref_find_rf(const char *p, char *out, size_t n)
{
	char buf[REF_MAX];
	size_t ends[REF_MAX], k = 0, len = 0, g, i;
	for (;;) {
		for (g = 0; ref_isalnum((unsigned char)p[g]); g++)
			;
		if (len + g > REF_MAX)
			break;
		for (i = 0; i < g; i++)
			buf[len++] = (char)ref_toupper((unsigned char)p[i]);
		ends[k++] = len;
		if (g != 4 || p[g] != ' ' || !ref_group_has_digit(p + g + 1))
			break;
		p += g + 1;
	}
	while (k-- > 0) {
		int rc = ref_valid(buf, ends[k], REF_RF, out, n);
		if (rc != OWED_EINPUT)
			return rc;
	}
	return OWED_ENOTFOUND;
}

/* An OGM at p between +++ or ***, with nothing but digits, slashes and spaces between. */
static int ref_find_ogm(const char *p, char *out, size_t n)
{
	char buf[REF_SCRATCH], c = p[0];
	size_t j = 3, len;
	int rc;
	if (p[1] != c || p[2] != c)
		return OWED_ENOTFOUND;
	while (j < REF_SCRATCH && (ref_isdigit((unsigned char)p[j]) || p[j] == '/' || p[j] == ' '))
		j++;
	if (p[j] != c || p[j + 1] != c || p[j + 2] != c ||
	    ref_compact(p, j + 3, buf, sizeof buf, &len) != 0)
		return OWED_ENOTFOUND;
	rc = ref_valid(buf, len, REF_BE_OGM, out, n);
	return rc == OWED_EINPUT ? OWED_ENOTFOUND : rc;
}

/*
 * A 16-digit NL reference at p: digit groups separated by single spaces, adding up to exactly
 * 16 digits.  A group running into a letter is part of some other token (an IBAN) and ends it.
 */
static int ref_find_nl(const char *p, char *out, size_t n)
{
	char buf[NL_FULL];
	size_t len = 0, g;
	int rc;
	for (;;) {
		for (g = 0; ref_isdigit((unsigned char)p[g]); g++)
			;
		if (ref_isalpha((unsigned char)p[g]) || len + g > NL_FULL)
			return OWED_ENOTFOUND;
		memcpy(buf + len, p, g);
		len += g;
		if (len == NL_FULL)
			break;
		if (p[g] != ' ' || !ref_isdigit((unsigned char)p[g + 1]))
			return OWED_ENOTFOUND;
		p += g + 1;
	}
	rc = ref_valid(buf, len, REF_NL, out, n);
	return rc == OWED_EINPUT ? OWED_ENOTFOUND : rc;
}

int ref_find(const char *text, ref_kind *kind, char *out, size_t n)
{
	const char *p;
	for (p = text; *p; p++) {
		/* A reference starts a word: "INVRF18..." or the digits of "NL91ABNA0417..." do not. */
		int start = p == text || !ref_isalnum((unsigned char)p[-1]);
		ref_kind k = REF_NONE;
		int rc = OWED_ENOTFOUND;
		if (start && ref_toupper((unsigned char)p[0]) == 'R' &&
		    ref_toupper((unsigned char)p[1]) == 'F' &&
		    ref_isdigit((unsigned char)p[2]) && ref_isdigit((unsigned char)p[3])) {
			k = REF_RF;
			rc = ref_find_rf(p, out, n);
		} else if (*p == '+' || *p == '*') {
			k = REF_BE_OGM;
			rc = ref_find_ogm(p, out, n);
		} else if (start && ref_isdigit((unsigned char)*p)) {
			k = REF_NL;
			rc = ref_find_nl(p, out, n);
		}
		if (rc != OWED_ENOTFOUND) {
			if (rc == 0 && kind)
				*kind = k;
			return ref_done(rc, out, n);
		}
	}
	return ref_done(OWED_ENOTFOUND, out, n);
}
