/*
 * money.h -- amounts as integers of minor units, and the exact arithmetic on them.
 *
 * An amount is an int64 count of the currency's minor unit (cents for EUR, yen for JPY, fils
 * for KWD) next to its ISO 4217 code.  Nothing here uses floating point: parsing, formatting,
 * percentages and splits are integer operations whose rounding is named by the caller, so a
 * figure on a reminder is the figure in the ledger, to the cent.
 *
 * Every function that can fail returns 0 (or a length) on success and a negative OWED_E* code
 * from err.h otherwise; results go through out-parameters, which are left untouched on failure.
 * Pointer arguments must not be NULL unless a function says so.
 */
#ifndef OWED_MONEY_H
#define OWED_MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef struct owed_money {
	int64_t minor;   /* in minor units of cur */
	char cur[4];     /* ISO 4217 code, NUL-terminated */
} owed_money;

/* The largest exponent parse and format accept: 10^18 is the largest power of ten in int64. */
#define MONEY_EXP_MAX  18

/*
 * How a division that does not come out even is rounded.  The HALF modes decide only the exact
 * halfway case; every other case goes to the nearer integer.
 */
typedef enum {
	MONEY_HALF_UP,     /* half away from zero: 2.5 -> 3, -2.5 -> -3 (commercial rounding) */
	MONEY_HALF_EVEN,   /* half to the even neighbour: 2.5 -> 2, 3.5 -> 4 (banker's rounding) */
	MONEY_DOWN,        /* toward zero: 2.7 -> 2, -2.7 -> -2 (truncation) */
	MONEY_UP,          /* away from zero: 2.1 -> 3, -2.1 -> -3 */
	MONEY_FLOOR,       /* toward minus infinity: -2.1 -> -3 */
	MONEY_CEIL         /* toward plus infinity: -2.7 -> -2 */
} money_rounding;

/* Flags for money_format. */
#define MONEY_FMT_NOSYM  1u   /* no symbol or code: "1.234,56" */
#define MONEY_FMT_PLAIN  2u   /* machine form "-1234.56", whatever the locale; implies NOSYM */

/*
 * Number of minor-unit digits of the currency cur: 2 for EUR, 0 for JPY, 3 for KWD.  A code
 * that is three uppercase ASCII letters but not in the table of exceptions gets 2, the common
 * case; anything else (NULL included) gets OWED_EINPUT.
 */
int money_exponent(const char *cur);

/*
 * Reads the amount in text, written as people write it in locale, into *minor with exponent
 * decimals (0 .. MONEY_EXP_MAX).
 *
 *   locale   decimal  thousands
 *   "nl-NL"  ,        .
 *   "nl-BE"  ,        .
 *   "fr-BE"  ,        space, U+00A0, U+202F or .
 *   "en"     .        ,
 *   "C"      .        none: the machine form "-1234.56", without symbol
 *
 * Surrounding white space is ignored (U+00A0 and U+202F count as white space), as is one "€" or
 * "EUR" before or after the number, with or without a space.  One sign, '-' or '+', may stand
 * before the number or before a leading symbol ("-€ 12,50", "€ -12,50").  Thousands separators
 * are optional, but where used they mark every group: 1-3 digits, then groups of exactly 3, with
 * one separator throughout.  Fewer decimals than exponent are filled up ("12,5" is 1250 cents).
 *
 * OWED_EINPUT: unknown locale, bad exponent, nothing to read, no digit before the decimal
 * separator or none after it, more decimals than exponent, a letter or other stray character,
 * two signs, a misplaced group.  OWED_EOVERFLOW: a well-formed amount whose magnitude exceeds
 * INT64_MAX minor units.
 *
 * The symbol is only recognised, not returned: "€" is accepted whatever currency the caller
 * means, so a caller parsing a non-euro amount should reject a text carrying it beforehand.
 */
int money_parse(const char *text, const char *locale, int exponent, int64_t *minor);

/*
 * Writes minor (exponent decimals) into buf as locale writes amounts of currency cur, NUL-
 * terminated, and returns the number of bytes before the NUL.
 *
 *   "nl-NL", "nl-BE"  € 1.234,56    € -1.234,56    USD 1.234,56
 *   "fr-BE"           1 234,56 €    -1 234,56 €    1 234,56 USD   (the spaces are U+00A0)
 *   "en"              €1,234.56     -€1,234.56     USD 1,234.56
 *   "C"               1234.56       -1234.56       (never a symbol)
 *
 * Only EUR has a symbol; other currencies are written with their code.  cur is not read (and
 * may be NULL) when no symbol is written.  flags is 0 or a combination of MONEY_FMT_*; with
 * MONEY_FMT_PLAIN the locale is not read either.  An exponent of 0 writes no decimal separator.
 * Every result other than for INT64_MIN is read back by money_parse in the same locale, as
 * long as its currency is EUR or it was written without symbol.
 *
 * OWED_EINPUT: unknown locale, bad exponent, malformed cur.  OWED_EOVERFLOW: the text and its
 * NUL do not fit in size bytes; buf then holds "" if size > 0.
 */
int money_format(int64_t minor, int exponent, const char *cur, const char *locale,
                 unsigned flags, char *buf, size_t size);

/* *out = a + b, a - b or a * k; OWED_EOVERFLOW if the exact result is not an int64. */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_sub(int64_t a, int64_t b, int64_t *out);
int money_mul(int64_t a, int64_t k, int64_t *out);

/*
 * *out = amount * num / den, rounded as r.  The product is formed in 128 bits, so it never
 * overflows and the rounding is exact.  This is how a percentage is applied: 15% of x is
 * money_mul_ratio(x, 15, 100, ...).  OWED_EINPUT if den <= 0 or r is not a money_rounding;
 * OWED_EOVERFLOW if the rounded result is not an int64.
 */
int money_mul_ratio(int64_t amount, int64_t num, int64_t den, money_rounding r, int64_t *out);

/*
 * *out = amount * num1 * num2 / den with a single rounding at the end, as money_mul_ratio; for
 * a yearly rate over a number of days, where rounding twice would lose cents.  Interest at
 * 11.15% for 181 days of a 365-day year is money_mul_ratio2(x, 1115, 181, 10000 * 365, ...).
 * den is an int64: form a compound denominator with money_mul.  OWED_EOVERFLOW also when the
 * triple product exceeds 128 bits (the quotient would then exceed int64 in any case).
 */
int money_mul_ratio2(int64_t amount, int64_t num1, int64_t num2, int64_t den,
                     money_rounding r, int64_t *out);

/*
 * Splits total into n parts out[0..n-1] in proportion to weights[0..n-1], so that the parts
 * add up to total exactly.  Each part is first the share rounded toward zero; the units left
 * over go one each to the parts with the largest remainders, ties to the lower index (the
 * largest-remainder method).  A negative total splits as the mirror image of its magnitude.
 * A part with weight 0 is 0.  Takes time O(n^2) and no memory: meant for the handful of lines
 * of an invoice, not for bulk.  out must not overlap weights.  OWED_EINPUT if n is 0, a
 * weight is negative or all are 0.
 */
int money_split(int64_t total, const int64_t *weights, size_t n, int64_t *out);

/*
 * Reads a percentage written in the machine form "11.15" (digits, optionally '.' and more
 * digits; no sign, no space, no '%') as the exact fraction *num / *den, where *den is 100 times
 * a power of ten: "8" is 8/100, "8.5" is 85/1000, "11.15" is 1115/10000.  The fraction is not
 * reduced.  OWED_EINPUT on anything else; OWED_EOVERFLOW if num or den exceed int64.
 */
int money_rate_parse(const char *text, int64_t *num, int64_t *den);

#endif
