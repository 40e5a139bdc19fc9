/*
 * test_money.c -- exact vectors for core/money, and properties checked over seeded inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/err.h"
#include "core/money.h"

__extension__ typedef __int128 i128;

#define EURO   "\xE2\x82\xAC"
#define NBSP   "\xC2\xA0"
#define NNBSP  "\xE2\x80\xAF"

#define SENTINEL  INT64_C(-777)

/* xorshift64: the same sequence on every platform, unlike rand(). */
static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}


/* ---- money_exponent ---- */

static void test_exponent(void **state)
{
	static const char *const two[] = {"EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN",
	                                  "CZK", "HUF", "XYZ", "AAA"};
	static const char *const zero[] = {"JPY", "KRW", "ISK", "CLP", "VND", "XOF"};
	static const char *const three[] = {"KWD", "BHD", "JOD", "OMR", "TND", "IQD", "LYD"};
	static const char *const bad[] = {"eur", "Eur", "EU", "EURO", "", "E1R", "E R", "\xC3\x89UR"};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof two / sizeof two[0]; i++)
		assert_int_equal(money_exponent(two[i]), 2);
	for (i = 0; i < sizeof zero / sizeof zero[0]; i++)
		assert_int_equal(money_exponent(zero[i]), 0);
	for (i = 0; i < sizeof three / sizeof three[0]; i++)
		assert_int_equal(money_exponent(three[i]), 3);
	assert_int_equal(money_exponent("CLF"), 4);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(money_exponent(bad[i]), OWED_EINPUT);
	assert_int_equal(money_exponent(NULL), OWED_EINPUT);
}


/* ---- money_parse ---- */

typedef struct pcase {
	const char *text, *locale;
	int exp;
	int rc;
	int64_t want;
} pcase;

static void check_parse(const pcase *c, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		int64_t v = SENTINEL;
		int rc = money_parse(c[i].text, c[i].locale, c[i].exp, &v);
		int64_t want = c[i].rc == 0 ? c[i].want : SENTINEL;   /* untouched on failure */
		if (rc != c[i].rc || v != want) {
			print_error("money_parse(\"%s\", %s, %d) = %d, %lld; want %d, %lld\n",
			            c[i].text, c[i].locale ? c[i].locale : "NULL", c[i].exp, rc,
			            (long long)v, c[i].rc, (long long)want);
			fail();
		}
	}
}

#define N(a)  (sizeof (a) / sizeof (a)[0])

static void test_parse_examples(void **state)
{
	static const pcase c[] = {
		{"1.234,56", "nl-NL", 2, 0, 123456},
		{EURO " 1.234,56", "nl-NL", 2, 0, 123456},
		{"-12,50", "nl-NL", 2, 0, -1250},
		{"1,234.56", "en", 2, 0, 123456},
		{"1234.56", "en", 2, 0, 123456},
		{"1234,56", "nl-NL", 2, 0, 123456},
		{"0,01", "nl-NL", 2, 0, 1},
		{"92233720368547758,07", "nl-NL", 2, 0, INT64_MAX},
		{"92233720368547758,08", "nl-NL", 2, OWED_EOVERFLOW, 0},
		{"-1234.56", "C", 2, 0, -123456},
		{"12,5", "nl-NL", 2, 0, 1250},
		{"12", "nl-NL", 2, 0, 1200},
		{"1.23,45", "nl-NL", 2, OWED_EINPUT, 0},
		{"-" EURO " 12,50", "nl-NL", 2, 0, -1250},
		{EURO " -12,50", "nl-NL", 2, 0, -1250},
	};
	(void)state;
	check_parse(c, N(c));
}

static void test_parse_nl(void **state)
{
	static const pcase c[] = {
		{EURO "1.234,56", "nl-NL", 2, 0, 123456},
		{"1.234,56 " EURO, "nl-NL", 2, 0, 123456},
		{"1.234,56" EURO, "nl-NL", 2, 0, 123456},
		{"EUR 1.234,56", "nl-NL", 2, 0, 123456},
		{"EUR1.234,56", "nl-NL", 2, 0, 123456},
		{"1.234,56 EUR", "nl-NL", 2, 0, 123456},
		{"1.234,56EUR", "nl-NL", 2, 0, 123456},
		{EURO NBSP "12,50", "nl-NL", 2, 0, 1250},
		{"  12,50  ", "nl-NL", 2, 0, 1250},
		{"\t12,50\r\n", "nl-NL", 2, 0, 1250},
		{"-12,50 " EURO, "nl-NL", 2, 0, -1250},
		{"-" EURO "12,50", "nl-NL", 2, 0, -1250},
		{EURO "-12,50", "nl-NL", 2, 0, -1250},
		{"+12,50", "nl-NL", 2, 0, 1250},
		{EURO " +12,50", "nl-NL", 2, 0, 1250},
		{"-EUR 7", "nl-NL", 2, 0, -700},
		{"0", "nl-NL", 2, 0, 0},
		{"0,00", "nl-NL", 2, 0, 0},
		{"-0,00", "nl-NL", 2, 0, 0},
		{"007,10", "nl-NL", 2, 0, 710},
		{"1.234", "nl-NL", 2, 0, 123400},
		{"1.234.567,89", "nl-NL", 2, 0, 123456789},
		{"1.000.000", "nl-NL", 2, 0, 100000000},
		{"1.234,56", "nl-BE", 2, 0, 123456},
		{"-" EURO " 1.234,56", "nl-BE", 2, 0, -123456},
		/* rejected */
		{"", "nl-NL", 2, OWED_EINPUT, 0},
		{"   ", "nl-NL", 2, OWED_EINPUT, 0},
		{EURO, "nl-NL", 2, OWED_EINPUT, 0},
		{"-", "nl-NL", 2, OWED_EINPUT, 0},
		{"12,", "nl-NL", 2, OWED_EINPUT, 0},
		{"12, " EURO, "nl-NL", 2, OWED_EINPUT, 0},
		{",50", "nl-NL", 2, OWED_EINPUT, 0},
		{"12,345", "nl-NL", 2, OWED_EINPUT, 0},
		{"12,5a", "nl-NL", 2, OWED_EINPUT, 0},
		{"12a", "nl-NL", 2, OWED_EINPUT, 0},
		{"a12", "nl-NL", 2, OWED_EINPUT, 0},
		{"--12", "nl-NL", 2, OWED_EINPUT, 0},
		{"-+12", "nl-NL", 2, OWED_EINPUT, 0},
		{"-" EURO "-12", "nl-NL", 2, OWED_EINPUT, 0},
		{"- 12", "nl-NL", 2, OWED_EINPUT, 0},
		{"12-", "nl-NL", 2, OWED_EINPUT, 0},
		{"12,50 -", "nl-NL", 2, OWED_EINPUT, 0},
		{EURO " 12 " EURO, "nl-NL", 2, OWED_EINPUT, 0},
		{EURO EURO "12", "nl-NL", 2, OWED_EINPUT, 0},
		{"12,50 USD", "nl-NL", 2, OWED_EINPUT, 0},
		{"USD 12,50", "nl-NL", 2, OWED_EINPUT, 0},
		{"eur 12", "nl-NL", 2, OWED_EINPUT, 0},
		{"EURO 12", "nl-NL", 2, OWED_EINPUT, 0},
		{"12 EURO", "nl-NL", 2, OWED_EINPUT, 0},
		{"1,234.56", "nl-NL", 2, OWED_EINPUT, 0},
		{"12.50", "nl-NL", 2, OWED_EINPUT, 0},
		{"1.5", "nl-NL", 2, OWED_EINPUT, 0},
		{"1234.567", "nl-NL", 2, OWED_EINPUT, 0},
		{"1.2345", "nl-NL", 2, OWED_EINPUT, 0},
		{"1.234.56", "nl-NL", 2, OWED_EINPUT, 0},
		{"1..234", "nl-NL", 2, OWED_EINPUT, 0},
		{"1. 234", "nl-NL", 2, OWED_EINPUT, 0},
		{"1.", "nl-NL", 2, OWED_EINPUT, 0},
		{".123", "nl-NL", 2, OWED_EINPUT, 0},
		{"12 345", "nl-NL", 2, OWED_EINPUT, 0},
		{"1.234,5.6", "nl-NL", 2, OWED_EINPUT, 0},
		{"1,2,3", "nl-NL", 2, OWED_EINPUT, 0},
		{"0x12", "nl-NL", 2, OWED_EINPUT, 0},
		{"1e3", "nl-NL", 2, OWED_EINPUT, 0},
		{"\xD9\xA1\xD9\xA2", "nl-NL", 2, OWED_EINPUT, 0},   /* Arabic-Indic digits */
		{"12\xC2", "nl-NL", 2, OWED_EINPUT, 0},              /* truncated UTF-8 */
	};
	(void)state;
	check_parse(c, N(c));
}

static void test_parse_fr_be(void **state)
{
	static const pcase c[] = {
		{"1 234,56 " EURO, "fr-BE", 2, 0, 123456},
		{"1" NBSP "234,56" NBSP EURO, "fr-BE", 2, 0, 123456},
		{"1" NNBSP "234,56" NNBSP EURO, "fr-BE", 2, 0, 123456},
		{"1.234,56 " EURO, "fr-BE", 2, 0, 123456},
		{"1234,56" EURO, "fr-BE", 2, 0, 123456},
		{"-1 234,56 " EURO, "fr-BE", 2, 0, -123456},
		{EURO " 1 234,56", "fr-BE", 2, 0, 123456},
		{"12 " EURO, "fr-BE", 2, 0, 1200},
		{"1 234 567,89 EUR", "fr-BE", 2, 0, 123456789},
		{"1 234", "fr-BE", 2, 0, 123400},
		{"1 234.567,00", "fr-BE", 2, OWED_EINPUT, 0},      /* two kinds of separator */
		{"1" NBSP "234 567", "fr-BE", 2, OWED_EINPUT, 0},
		{"1 23,45", "fr-BE", 2, OWED_EINPUT, 0},
		{"12 34", "fr-BE", 2, OWED_EINPUT, 0},
		{"1234 567", "fr-BE", 2, OWED_EINPUT, 0},
		{"1 234.56", "fr-BE", 2, OWED_EINPUT, 0},
		{"12,5 0", "fr-BE", 2, OWED_EINPUT, 0},
	};
	(void)state;
	check_parse(c, N(c));
}

static void test_parse_en(void **state)
{
	static const pcase c[] = {
		{EURO "1,234.56", "en", 2, 0, 123456},
		{"-" EURO "1,234.56", "en", 2, 0, -123456},
		{EURO "-1,234.56", "en", 2, 0, -123456},
		{"EUR 5", "en", 2, 0, 500},
		{"1,234", "en", 2, 0, 123400},
		{"1,234,567.89", "en", 2, 0, 123456789},
		{"0.5", "en", 2, 0, 50},
		{"1.234,56", "en", 2, OWED_EINPUT, 0},
		{"1,23.45", "en", 2, OWED_EINPUT, 0},
		{"12,34", "en", 2, OWED_EINPUT, 0},
		{"1234,56", "en", 2, OWED_EINPUT, 0},
		{"1 234.56", "en", 2, OWED_EINPUT, 0},
		{"1.234", "en", 2, OWED_EINPUT, 0},
	};
	(void)state;
	check_parse(c, N(c));
}

static void test_parse_c(void **state)
{
	static const pcase c[] = {
		{"-1234.56", "C", 2, 0, -123456},
		{"1234.56", "C", 2, 0, 123456},
		{"+1", "C", 2, 0, 100},
		{" 12.5\n", "C", 2, 0, 1250},
		{"-0.05", "C", 2, 0, -5},
		{"1,234.56", "C", 2, OWED_EINPUT, 0},
		{"1234,56", "C", 2, OWED_EINPUT, 0},
		{EURO " 12.50", "C", 2, OWED_EINPUT, 0},
		{"12.50 EUR", "C", 2, OWED_EINPUT, 0},
		{"12", "de-DE", 2, OWED_EINPUT, 0},
		{"12", "nl", 2, OWED_EINPUT, 0},
		{"12", NULL, 2, OWED_EINPUT, 0},
	};
	(void)state;
	check_parse(c, N(c));
}

static void test_parse_exponents(void **state)
{
	static const pcase c[] = {
		{"1.234", "nl-NL", 0, 0, 1234},          /* JPY */
		{"1234", "en", 0, 0, 1234},
		{"-" EURO " 5", "nl-NL", 0, 0, -5},
		{"12,5", "nl-NL", 0, OWED_EINPUT, 0},
		{"12,0", "nl-NL", 0, OWED_EINPUT, 0},
		{"12,", "nl-NL", 0, OWED_EINPUT, 0},
		{"1,234", "nl-NL", 3, 0, 1234},          /* KWD */
		{"1,5", "nl-NL", 3, 0, 1500},
		{"1.234,567", "nl-NL", 3, 0, 1234567},
		{"1.234", "en", 3, 0, 1234},
		{"1,2345", "nl-NL", 3, OWED_EINPUT, 0},
		{"9.223372036854775807", "C", 18, 0, INT64_MAX},
		{"0.000000000000000001", "C", 18, 0, 1},
		{"9.223372036854775808", "C", 18, OWED_EOVERFLOW, 0},
		{"10", "C", 18, OWED_EOVERFLOW, 0},
		{"1", "C", 19, OWED_EINPUT, 0},
		{"1", "C", -1, OWED_EINPUT, 0},
	};
	(void)state;
	check_parse(c, N(c));
}

static void test_parse_overflow(void **state)
{
	static const pcase c[] = {
		{"-92233720368547758,07", "nl-NL", 2, 0, -INT64_MAX},
		{"-92233720368547758,08", "nl-NL", 2, OWED_EOVERFLOW, 0},   /* INT64_MIN */
		{"92.233.720.368.547.758,07", "nl-NL", 2, 0, INT64_MAX},
		{"92.233.720.368.547.758,08", "nl-NL", 2, OWED_EOVERFLOW, 0},
		{"9,223,372,036,854,775,807", "en", 0, 0, INT64_MAX},
		{"9223372036854775808", "en", 0, OWED_EOVERFLOW, 0},
		{"92233720368547758", "C", 2, 0, INT64_C(9223372036854775800)},
		{"92233720368547759", "C", 2, OWED_EOVERFLOW, 0},            /* only once scaled */
		{"99999999999999999999999999", "C", 2, OWED_EOVERFLOW, 0},
		{"18446744073709551617", "C", 0, OWED_EOVERFLOW, 0},         /* 2^64 + 1 */
		{"99999999999999999999x", "C", 2, OWED_EINPUT, 0},          /* malformed wins */
		{"99999999999999999999,999", "nl-NL", 2, OWED_EINPUT, 0},
		{"0000000000000000000000001,00", "nl-NL", 2, 0, 100},
	};
	(void)state;
	check_parse(c, N(c));
}


/* ---- money_format ---- */

typedef struct fcase {
	int64_t minor;
	int exp;
	const char *cur, *locale;
	unsigned flags;
	const char *want;
} fcase;

static void check_format(const fcase *c, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		char buf[80];
		int rc = money_format(c[i].minor, c[i].exp, c[i].cur, c[i].locale, c[i].flags,
		                      buf, sizeof buf);
		if (rc != (int)strlen(c[i].want) || strcmp(buf, c[i].want) != 0) {
			print_error("money_format(%lld, %d, %s, %s, %u) = %d \"%s\"; want \"%s\"\n",
			            (long long)c[i].minor, c[i].exp, c[i].cur ? c[i].cur : "NULL",
			            c[i].locale ? c[i].locale : "NULL", c[i].flags, rc,
			            rc >= 0 ? buf : "", c[i].want);
			fail();
		}
	}
}

static void test_format_nl(void **state)
{
	static const fcase c[] = {
		{123456, 2, "EUR", "nl-NL", 0, EURO " 1.234,56"},
		{-123456, 2, "EUR", "nl-NL", 0, EURO " -1.234,56"},
		{0, 2, "EUR", "nl-NL", 0, EURO " 0,00"},
		{1, 2, "EUR", "nl-NL", 0, EURO " 0,01"},
		{-1, 2, "EUR", "nl-NL", 0, EURO " -0,01"},
		{100, 2, "EUR", "nl-NL", 0, EURO " 1,00"},
		{99999, 2, "EUR", "nl-NL", 0, EURO " 999,99"},
		{100000, 2, "EUR", "nl-NL", 0, EURO " 1.000,00"},
		{123456789, 2, "EUR", "nl-NL", 0, EURO " 1.234.567,89"},
		{INT64_MAX, 2, "EUR", "nl-NL", 0, EURO " 92.233.720.368.547.758,07"},
		{INT64_MIN, 2, "EUR", "nl-NL", 0, EURO " -92.233.720.368.547.758,08"},
		{123456, 2, "EUR", "nl-BE", 0, EURO " 1.234,56"},
		{-123456, 2, "EUR", "nl-BE", 0, EURO " -1.234,56"},
		{123456, 2, "USD", "nl-NL", 0, "USD 1.234,56"},
		{-123456, 2, "USD", "nl-NL", 0, "USD -1.234,56"},
		{123456, 2, "EUR", "nl-NL", MONEY_FMT_NOSYM, "1.234,56"},
		{-123456, 2, NULL, "nl-NL", MONEY_FMT_NOSYM, "-1.234,56"},
		{1234, 0, "JPY", "nl-NL", 0, "JPY 1.234"},
		{1234567, 3, "KWD", "nl-NL", 0, "KWD 1.234,567"},
		{5, 0, "EUR", "nl-NL", 0, EURO " 5"},
	};
	(void)state;
	check_format(c, N(c));
}

static void test_format_fr_be(void **state)
{
	static const fcase c[] = {
		{123456, 2, "EUR", "fr-BE", 0, "1" NBSP "234,56" NBSP EURO},
		{-123456, 2, "EUR", "fr-BE", 0, "-1" NBSP "234,56" NBSP EURO},
		{0, 2, "EUR", "fr-BE", 0, "0,00" NBSP EURO},
		{1, 2, "EUR", "fr-BE", 0, "0,01" NBSP EURO},
		{123456789, 2, "EUR", "fr-BE", 0, "1" NBSP "234" NBSP "567,89" NBSP EURO},
		{123456, 2, "USD", "fr-BE", 0, "1" NBSP "234,56" NBSP "USD"},
		{123456, 2, "EUR", "fr-BE", MONEY_FMT_NOSYM, "1" NBSP "234,56"},
		{-999, 0, "JPY", "fr-BE", 0, "-999" NBSP "JPY"},
	};
	(void)state;
	check_format(c, N(c));
}

static void test_format_en(void **state)
{
	static const fcase c[] = {
		{123456, 2, "EUR", "en", 0, EURO "1,234.56"},
		{-123456, 2, "EUR", "en", 0, "-" EURO "1,234.56"},
		{0, 2, "EUR", "en", 0, EURO "0.00"},
		{1, 2, "EUR", "en", 0, EURO "0.01"},
		{-1, 2, "EUR", "en", 0, "-" EURO "0.01"},
		{INT64_MAX, 2, "EUR", "en", 0, EURO "92,233,720,368,547,758.07"},
		{123456, 2, "USD", "en", 0, "USD 1,234.56"},
		{-123456, 2, "USD", "en", 0, "-USD 1,234.56"},
		{123456, 2, "EUR", "en", MONEY_FMT_NOSYM, "1,234.56"},
		{1234, 0, "JPY", "en", 0, "JPY 1,234"},
		{-1234, 0, "JPY", "en", 0, "-JPY 1,234"},
		{1234567, 3, "KWD", "en", 0, "KWD 1,234.567"},
	};
	(void)state;
	check_format(c, N(c));
}

static void test_format_plain(void **state)
{
	static const fcase c[] = {
		{123456, 2, "EUR", "nl-NL", MONEY_FMT_PLAIN, "1234.56"},
		{-5, 2, "EUR", "fr-BE", MONEY_FMT_PLAIN, "-0.05"},
		{0, 2, NULL, NULL, MONEY_FMT_PLAIN, "0.00"},
		{123456789, 2, "EUR", "no-such", MONEY_FMT_PLAIN | MONEY_FMT_NOSYM, "1234567.89"},
		{INT64_MIN, 2, "EUR", "en", MONEY_FMT_PLAIN, "-92233720368547758.08"},
		{INT64_MAX, 0, "JPY", "en", MONEY_FMT_PLAIN, "9223372036854775807"},
		{-1234, 0, "JPY", "en", MONEY_FMT_PLAIN, "-1234"},
		{-1, 3, "KWD", "en", MONEY_FMT_PLAIN, "-0.001"},
		{123456, 2, "EUR", "C", 0, "1234.56"},
		{INT64_MAX, 18, NULL, "C", 0, "9.223372036854775807"},
		{1, 18, NULL, "C", 0, "0.000000000000000001"},
		{INT64_MIN, 18, NULL, "C", 0, "-9.223372036854775808"},
	};
	(void)state;
	check_format(c, N(c));
}

static void test_format_grouping(void **state)
{
	static const fcase c[] = {
		{999, 0, NULL, "nl-NL", MONEY_FMT_NOSYM, "999"},
		{1000, 0, NULL, "nl-NL", MONEY_FMT_NOSYM, "1.000"},
		{-1000, 0, NULL, "nl-NL", MONEY_FMT_NOSYM, "-1.000"},
		{99999, 0, NULL, "nl-NL", MONEY_FMT_NOSYM, "99.999"},
		{100000, 0, NULL, "nl-NL", MONEY_FMT_NOSYM, "100.000"},
		{1000000, 0, NULL, "en", MONEY_FMT_NOSYM, "1,000,000"},
		{INT64_MIN, 0, NULL, "en", MONEY_FMT_NOSYM, "-9,223,372,036,854,775,808"},
	};
	(void)state;
	check_format(c, N(c));
}

static void test_format_errors(void **state)
{
	char buf[16];
	(void)state;
	assert_int_equal(money_format(1, 2, "EUR", "de-DE", 0, buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(money_format(1, 2, "EUR", NULL, 0, buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(money_format(1, 19, "EUR", "en", 0, buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(money_format(1, -1, "EUR", "en", 0, buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(money_format(1, 2, "eur", "en", 0, buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(money_format(1, 2, "EURO", "en", 0, buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(money_format(1, 2, NULL, "en", 0, buf, sizeof buf), OWED_EINPUT);
	/* "€ 1.234,56" is 12 bytes: 13 with its NUL fit, 12 do not */
	assert_int_equal(money_format(123456, 2, "EUR", "nl-NL", 0, buf, 13), 12);
	assert_string_equal(buf, EURO " 1.234,56");
	assert_int_equal(money_format(123456, 2, "EUR", "nl-NL", 0, buf, 12), OWED_EOVERFLOW);
	assert_string_equal(buf, "");
	assert_int_equal(money_format(123456, 2, "EUR", "nl-NL", 0, NULL, 0), OWED_EOVERFLOW);
	assert_int_equal(money_format(0, 0, NULL, "C", 0, buf, 2), 1);
	assert_string_equal(buf, "0");
	assert_int_equal(money_format(0, 0, NULL, "C", 0, buf, 1), OWED_EOVERFLOW);
}

/* Whatever format writes with the euro or without symbol, parse reads back. */
static void test_format_parse_roundtrip(void **state)
{
	static const char *const locales[] = {"nl-NL", "nl-BE", "fr-BE", "en", "C"};
	static const int exps[] = {0, 2, 3, 18};
	int i;
	(void)state;
	for (i = 0; i < 3000; i++) {
		int64_t v = (int64_t)(rng() >> (rng() % 64)), back = SENTINEL;
		const char *loc = locales[i % N(locales)];
		int exp = exps[(i / N(locales)) % N(exps)];
		unsigned flags = (i / 7) % 2 ? MONEY_FMT_NOSYM : 0;
		char buf[80];
		int n;
		if (i % 2)
			v = -v;
		if (v == INT64_MIN)
			continue;
		n = money_format(v, exp, "EUR", loc, flags, buf, sizeof buf);
		assert_true(n > 0);
		if (money_parse(buf, loc, exp, &back) != 0 || back != v) {
			print_error("%lld -> \"%s\" (%s, %d) -> %lld\n", (long long)v, buf, loc, exp,
			            (long long)back);
			fail();
		}
	}
}


/* ---- checked arithmetic ---- */

static void test_add_sub_mul(void **state)
{
	int64_t v = SENTINEL;
	(void)state;
	assert_int_equal(money_add(1, 2, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(money_add(INT64_MAX, INT64_MIN, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(money_add(INT64_MAX - 1, 1, &v), 0);
	assert_int_equal(v, INT64_MAX);
	v = SENTINEL;
	assert_int_equal(money_add(INT64_MAX, 1, &v), OWED_EOVERFLOW);
	assert_int_equal(money_add(INT64_MIN, -1, &v), OWED_EOVERFLOW);
	assert_int_equal(v, SENTINEL);

	assert_int_equal(money_sub(5, 7, &v), 0);
	assert_int_equal(v, -2);
	assert_int_equal(money_sub(-1, INT64_MAX, &v), 0);
	assert_int_equal(v, INT64_MIN);
	v = SENTINEL;
	assert_int_equal(money_sub(INT64_MIN, 1, &v), OWED_EOVERFLOW);
	assert_int_equal(money_sub(0, INT64_MIN, &v), OWED_EOVERFLOW);
	assert_int_equal(v, SENTINEL);

	assert_int_equal(money_mul(3, -4, &v), 0);
	assert_int_equal(v, -12);
	assert_int_equal(money_mul(INT64_MIN, 1, &v), 0);
	assert_int_equal(v, INT64_MIN);
	v = SENTINEL;
	assert_int_equal(money_mul(INT64_MAX, 2, &v), OWED_EOVERFLOW);
	assert_int_equal(money_mul(INT64_MIN, -1, &v), OWED_EOVERFLOW);
	assert_int_equal(money_mul(INT64_C(1) << 32, INT64_C(1) << 31, &v), OWED_EOVERFLOW);
	assert_int_equal(v, SENTINEL);
}


/* ---- rounding and ratios ---- */

typedef struct rcase {
	int64_t n, d;
	int64_t want[6];   /* indexed by money_rounding */
} rcase;

static void test_rounding_modes(void **state)
{
	/*                        HALF_UP HALF_EVEN DOWN  UP  FLOOR CEIL */
	static const rcase c[] = {
		{25, 10,   {3, 2, 2, 3, 2, 3}},
		{-25, 10,  {-3, -2, -2, -3, -3, -2}},
		{35, 10,   {4, 4, 3, 4, 3, 4}},
		{-35, 10,  {-4, -4, -3, -4, -4, -3}},
		{5, 10,    {1, 0, 0, 1, 0, 1}},
		{-5, 10,   {-1, 0, 0, -1, -1, 0}},
		{15, 10,   {2, 2, 1, 2, 1, 2}},
		{3, 2,     {2, 2, 1, 2, 1, 2}},
		{-3, 2,    {-2, -2, -1, -2, -2, -1}},
		{27, 10,   {3, 3, 2, 3, 2, 3}},
		{-27, 10,  {-3, -3, -2, -3, -3, -2}},
		{21, 10,   {2, 2, 2, 3, 2, 3}},
		{-21, 10,  {-2, -2, -2, -3, -3, -2}},
		{1, 3,     {0, 0, 0, 1, 0, 1}},
		{-1, 3,    {0, 0, 0, -1, -1, 0}},
		{2, 3,     {1, 1, 0, 1, 0, 1}},
		{-2, 3,    {-1, -1, 0, -1, -1, 0}},
		{20, 10,   {2, 2, 2, 2, 2, 2}},
		{-20, 10,  {-2, -2, -2, -2, -2, -2}},
		{0, 7,     {0, 0, 0, 0, 0, 0}},
		{499, 1000, {0, 0, 0, 1, 0, 1}},
		{501, 1000, {1, 1, 0, 1, 0, 1}},
	};
	size_t i;
	int r;
	(void)state;
	for (i = 0; i < N(c); i++)
		for (r = MONEY_HALF_UP; r <= MONEY_CEIL; r++) {
			int64_t v = SENTINEL;
			int rc = money_mul_ratio(c[i].n, 1, c[i].d, (money_rounding)r, &v);
			if (rc != 0 || v != c[i].want[r]) {
				print_error("%lld/%lld mode %d = %d, %lld; want %lld\n", (long long)c[i].n,
				            (long long)c[i].d, r, rc, (long long)v,
				            (long long)c[i].want[r]);
				fail();
			}
		}
}

static void test_mul_ratio(void **state)
{
	int64_t v = SENTINEL, num, den, den365;
	(void)state;
	/* statutory interest: 11.15% over 181 days, 10.15% over 184 days, on 10000.00 */
	assert_int_equal(money_mul_ratio2(1000000, 1115, 181, 3650000, MONEY_HALF_UP, &v), 0);
	assert_int_equal(v, 55292);
	assert_int_equal(money_mul_ratio2(1000000, 1015, 184, 3650000, MONEY_HALF_UP, &v), 0);
	assert_int_equal(v, 51167);
	assert_int_equal(money_mul_ratio(1000000, 1115 * 181, 3650000, MONEY_HALF_UP, &v), 0);
	assert_int_equal(v, 55292);
	assert_int_equal(money_rate_parse("11.15", &num, &den), 0);
	assert_int_equal(money_mul(den, 365, &den365), 0);
	assert_int_equal(money_mul_ratio2(1000000, num, 181, den365, MONEY_HALF_UP, &v), 0);
	assert_int_equal(v, 55292);
	assert_int_equal(money_mul_ratio2(-1000000, 1115, 181, 3650000, MONEY_HALF_UP, &v), 0);
	assert_int_equal(v, -55292);

	/* percentages */
	assert_int_equal(money_mul_ratio(123456, 15, 100, MONEY_HALF_UP, &v), 0);
	assert_int_equal(v, 18518);
	assert_int_equal(money_mul_ratio(5, 10, 100, MONEY_HALF_UP, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(money_mul_ratio(5, 10, 100, MONEY_HALF_EVEN, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(money_mul_ratio(15, 10, 100, MONEY_HALF_EVEN, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(money_mul_ratio(100, -3, 4, MONEY_FLOOR, &v), 0);
	assert_int_equal(v, -75);

	/* the 128-bit intermediate */
	assert_int_equal(money_mul_ratio(INT64_MAX, 2, 2, MONEY_DOWN, &v), 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(money_mul_ratio(INT64_MAX, INT64_MAX, INT64_MAX, MONEY_DOWN, &v), 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(money_mul_ratio(INT64_MIN, INT64_MAX, INT64_MAX, MONEY_DOWN, &v), 0);
	assert_int_equal(v, INT64_MIN);
	assert_int_equal(money_mul_ratio2(INT64_MAX, INT64_MAX, 1, INT64_MAX, MONEY_UP, &v), 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(money_mul_ratio(INT64_MIN, 1, 1, MONEY_HALF_UP, &v), 0);
	assert_int_equal(v, INT64_MIN);

	/* 4294967295 * 4294967297 = 2^64 - 1 = 2 * INT64_MAX + 1: the half step past INT64_MAX */
	assert_int_equal(money_mul_ratio(INT64_C(4294967295), INT64_C(4294967297), 2,
	                                 MONEY_DOWN, &v), 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(money_mul_ratio(INT64_C(4294967295), INT64_C(4294967297), 2,
	                                 MONEY_FLOOR, &v), 0);
	assert_int_equal(v, INT64_MAX);
	v = SENTINEL;
	assert_int_equal(money_mul_ratio(INT64_C(4294967295), INT64_C(4294967297), 2,
	                                 MONEY_HALF_UP, &v), OWED_EOVERFLOW);
	assert_int_equal(money_mul_ratio(INT64_C(4294967295), INT64_C(4294967297), 2,
	                                 MONEY_HALF_EVEN, &v), OWED_EOVERFLOW);
	assert_int_equal(money_mul_ratio(INT64_C(4294967295), INT64_C(4294967297), 2,
	                                 MONEY_CEIL, &v), OWED_EOVERFLOW);

	/* overflow of the result and of 128 bits */
	assert_int_equal(money_mul_ratio(INT64_MAX, 3, 2, MONEY_DOWN, &v), OWED_EOVERFLOW);
	assert_int_equal(money_mul_ratio(INT64_MIN, -1, 1, MONEY_DOWN, &v), OWED_EOVERFLOW);
	assert_int_equal(money_mul_ratio2(INT64_MAX, INT64_MAX, 4, 1, MONEY_DOWN, &v),
	                 OWED_EOVERFLOW);
	assert_int_equal(money_mul_ratio2(INT64_MIN, INT64_MIN, INT64_MIN, INT64_MAX, MONEY_DOWN,
	                                  &v), OWED_EOVERFLOW);
	assert_int_equal(money_mul_ratio2(INT64_MIN, INT64_MIN, 1, INT64_MAX, MONEY_DOWN, &v),
	                 OWED_EOVERFLOW);
	assert_int_equal(v, SENTINEL);

	/* refused */
	assert_int_equal(money_mul_ratio(100, 1, 0, MONEY_DOWN, &v), OWED_EINPUT);
	assert_int_equal(money_mul_ratio(100, 1, -3, MONEY_DOWN, &v), OWED_EINPUT);
	assert_int_equal(money_mul_ratio(100, 1, 3, (money_rounding)6, &v), OWED_EINPUT);
	assert_int_equal(money_mul_ratio(100, 1, 1, (money_rounding)-1, &v), OWED_EINPUT);
	assert_int_equal(v, SENTINEL);
}

/* Each mode's defining inequality, over seeded inputs small enough to check in 128 bits. */
static void test_rounding_properties(void **state)
{
	int i, r;
	(void)state;
	for (i = 0; i < 20000; i++) {
		int64_t amount = (int64_t)(rng() % 2000001) - 1000000;
		int64_t num = (int64_t)(rng() % 20001) - 10000;
		int64_t den = (int64_t)(rng() % 1000) + 1;
		i128 p = (i128)amount * num;
		for (r = MONEY_HALF_UP; r <= MONEY_CEIL; r++) {
			int64_t q;
			i128 diff, adiff, ap = p < 0 ? -p : p, aqd;
			assert_int_equal(money_mul_ratio(amount, num, den, (money_rounding)r, &q), 0);
			diff = (i128)q * den - p;          /* how far q lies from the exact quotient */
			adiff = diff < 0 ? -diff : diff;
			aqd = (i128)(q < 0 ? -q : q) * den;
			assert_true(adiff < den);
			switch ((money_rounding)r) {
			case MONEY_HALF_UP:
				assert_true(2 * adiff < den || (2 * adiff == den && aqd > ap));
				break;
			case MONEY_HALF_EVEN:
				assert_true(2 * adiff < den || (2 * adiff == den && q % 2 == 0));
				break;
			case MONEY_DOWN:  assert_true(aqd <= ap); break;
			case MONEY_UP:    assert_true(aqd >= ap); break;
			case MONEY_FLOOR: assert_true(diff <= 0); break;
			case MONEY_CEIL:  assert_true(diff >= 0); break;
			}
		}
	}
}


/* ---- money_split ---- */

static void check_split(int64_t total, const int64_t *w, size_t n, const int64_t *want)
{
	int64_t out[8];
	size_t i;
	assert_true(n <= N(out));
	assert_int_equal(money_split(total, w, n, out), 0);
	for (i = 0; i < n; i++)
		if (out[i] != want[i]) {
			print_error("split %lld: part %zu = %lld; want %lld\n", (long long)total, i,
			            (long long)out[i], (long long)want[i]);
			fail();
		}
}

static void test_split_vectors(void **state)
{
	static const int64_t w111[] = {1, 1, 1}, w37[] = {3, 7}, w101[] = {1, 0, 1};
	static const int64_t w6[] = {1, 1, 1, 1, 1, 1}, w235[] = {2, 3, 5}, w1[] = {5};
	static const int64_t wbig[] = {INT64_MAX, INT64_MAX, 1}, w11[] = {1, 1};
	static const int64_t w0[] = {0, 0, 0}, wneg[] = {1, -1, 3};
	int64_t out[3] = {SENTINEL, SENTINEL, SENTINEL};
	(void)state;
	check_split(100, w111, 3, (const int64_t[]){34, 33, 33});
	check_split(-100, w111, 3, (const int64_t[]){-34, -33, -33});
	check_split(1000, w37, 2, (const int64_t[]){300, 700});
	check_split(-1000, w37, 2, (const int64_t[]){-300, -700});
	check_split(1001, w37, 2, (const int64_t[]){300, 701});
	check_split(100, w101, 3, (const int64_t[]){50, 0, 50});
	check_split(101, w101, 3, (const int64_t[]){51, 0, 50});
	check_split(1, w101, 3, (const int64_t[]){1, 0, 0});
	check_split(10, w6, 6, (const int64_t[]){2, 2, 2, 2, 1, 1});
	check_split(7, w235, 3, (const int64_t[]){1, 2, 4});       /* 1.4 2.1 3.5 */
	check_split(-7, w235, 3, (const int64_t[]){-1, -2, -4});
	check_split(0, w235, 3, (const int64_t[]){0, 0, 0});
	check_split(-12345, w1, 1, (const int64_t[]){-12345});
	check_split(100, wbig, 3, (const int64_t[]){50, 50, 0});
	check_split(INT64_MIN, w1, 1, (const int64_t[]){INT64_MIN});
	check_split(INT64_MIN, w11, 2, (const int64_t[]){INT64_MIN / 2, INT64_MIN / 2});
	check_split(INT64_MAX, w11, 2, (const int64_t[]){INT64_MAX / 2 + 1, INT64_MAX / 2});
	check_split(INT64_MIN + 1, w11, 2, (const int64_t[]){INT64_MIN / 2, INT64_MIN / 2 + 1});

	assert_int_equal(money_split(100, w0, 3, out), OWED_EINPUT);
	assert_int_equal(money_split(100, wneg, 3, out), OWED_EINPUT);
	assert_int_equal(money_split(100, w111, 0, out), OWED_EINPUT);
	assert_int_equal(out[0], SENTINEL);
	assert_int_equal(out[2], SENTINEL);
}

/* Over seeded inputs: the parts add up exactly, each lies within one unit of its exact share
 * on the side of the total's sign, and a zero weight gets nothing. */
static void test_split_properties(void **state)
{
	int i;
	(void)state;
	for (i = 0; i < 5000; i++) {
		int64_t w[12], out[12];
		size_t n = 1 + rng() % 12, k;
		int64_t total = (int64_t)(rng() >> (rng() % 64));
		i128 sum = 0, parts = 0;
		int rc;
		if (rng() % 2)
			total = -total;
		for (k = 0; k < n; k++) {
			uint64_t x = rng();
			w[k] = x % 4 == 0 ? 0 : (int64_t)(rng() >> (x % 64));
			if (w[k] < 0)
				w[k] = -(w[k] + 1);
			sum += w[k];
		}
		rc = money_split(total, w, n, out);
		if (sum == 0) {
			assert_int_equal(rc, OWED_EINPUT);
			continue;
		}
		assert_int_equal(rc, 0);
		for (k = 0; k < n; k++) {
			i128 diff = (i128)out[k] * sum - (i128)total * w[k];
			parts += out[k];
			assert_true(diff < sum && -diff < sum);
			assert_true(total < 0 ? out[k] <= 0 : out[k] >= 0);
			if (w[k] == 0)
				assert_int_equal(out[k], 0);
		}
		assert_true(parts == total);
	}
}


/* ---- money_rate_parse ---- */

static void test_rate_parse(void **state)
{
	static const struct { const char *text; int64_t num, den; } ok[] = {
		{"8", 8, 100}, {"8.5", 85, 1000}, {"10.15", 1015, 10000}, {"0.5", 5, 1000},
		{"11.15", 1115, 10000}, {"8.50", 850, 10000}, {"0", 0, 100}, {"100", 100, 100},
		{"1.0000000000000000", INT64_C(10000000000000000), INT64_C(1000000000000000000)},
	};
	static const char *const bad[] = {"", ".5", "8.", "8,5", "-1", "+1", " 8", "8 ", "8%",
	                                  "abc", "1.2.3", "1e2"};
	size_t i;
	int64_t num = SENTINEL, den = SENTINEL;
	(void)state;
	for (i = 0; i < N(ok); i++) {
		assert_int_equal(money_rate_parse(ok[i].text, &num, &den), 0);
		assert_int_equal(num, ok[i].num);
		assert_int_equal(den, ok[i].den);
	}
	num = den = SENTINEL;
	for (i = 0; i < N(bad); i++)
		if (money_rate_parse(bad[i], &num, &den) != OWED_EINPUT) {
			print_error("money_rate_parse(\"%s\") accepted\n", bad[i]);
			fail();
		}
	assert_int_equal(money_rate_parse("99999999999999999999", &num, &den), OWED_EOVERFLOW);
	assert_int_equal(money_rate_parse("1.00000000000000000", &num, &den), OWED_EOVERFLOW);
	assert_int_equal(num, SENTINEL);
	assert_int_equal(den, SENTINEL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exponent),
		cmocka_unit_test(test_parse_examples),
		cmocka_unit_test(test_parse_nl),
		cmocka_unit_test(test_parse_fr_be),
		cmocka_unit_test(test_parse_en),
		cmocka_unit_test(test_parse_c),
		cmocka_unit_test(test_parse_exponents),
		cmocka_unit_test(test_parse_overflow),
		cmocka_unit_test(test_format_nl),
		cmocka_unit_test(test_format_fr_be),
		cmocka_unit_test(test_format_en),
		cmocka_unit_test(test_format_plain),
		cmocka_unit_test(test_format_grouping),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_format_parse_roundtrip),
		cmocka_unit_test(test_add_sub_mul),
		cmocka_unit_test(test_rounding_modes),
		cmocka_unit_test(test_mul_ratio),
		cmocka_unit_test(test_rounding_properties),
		cmocka_unit_test(test_split_vectors),
		cmocka_unit_test(test_split_properties),
		cmocka_unit_test(test_rate_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
