/*
 * test_sepa.c -- SEPA direct debit rules: creditor identifiers (published examples, every
 * single-digit corruption, the business code left out of the check), BICs, identifiers,
 * sequence types, mandate lapse, and the TARGET2 calendar.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/err.h"
#include "core/sepa.h"

/* Creditor identifiers whose check digits are right (EPC262-08 examples and national
 * formats; NL79ZZZ999999990000 is the Dutch example with correct digits). */
static const char *const good_cis[] = {
	"NL79ZZZ999999990000", "DE98ZZZ09999999999", "BE68ZZZ0123456789", "FR72ZZZ123456",
	"AT61ZZZ01234567890", "IT66ZZZA1B2C3D4E5F6G7H8",
};

static owed_date ymd(int y, int m, int d)
{
	owed_date out;
	assert_int_equal(date_from_ymd(y, m, d, &out), 0);
	return out;
}

static void test_ci_valid(void **state)
{
	char buf[40];
	(void)state;
	for (size_t i = 0; i < sizeof good_cis / sizeof good_cis[0]; i++) {
		assert_int_equal(sepa_ci_check(good_cis[i]), 0);
		assert_int_equal(sepa_ci_normalize(good_cis[i], buf, sizeof buf), 0);
		assert_string_equal(buf, good_cis[i]);
	}
}

static void test_ci_business_code_not_checked(void **state)
{
	(void)state;
	assert_int_equal(sepa_ci_check("NL79ABC999999990000"), 0);
	assert_int_equal(sepa_ci_check("NL79001999999990000"), 0);
	assert_int_equal(sepa_ci_check("DE98XYZ09999999999"), 0);
}

static void test_ci_invalid(void **state)
{
	char buf[40];
	(void)state;
	/* the placeholder found in many documents: its check digits are wrong (79 is right) */
	assert_int_equal(sepa_ci_check("NL98ZZZ999999990000"), OWED_EINPUT);
	/* every change of one digit outside the business code breaks it */
	for (size_t i = 0; i < sizeof good_cis / sizeof good_cis[0]; i++)
		for (size_t k = 0; good_cis[i][k]; k++) {
			if (k >= 4 && k < 7)
				continue;
			if (good_cis[i][k] < '0' || good_cis[i][k] > '9')
				continue;
			for (char c = '0'; c <= '9'; c++) {
				if (c == good_cis[i][k])
					continue;
				strcpy(buf, good_cis[i]);
				buf[k] = c;
				assert_int_equal(sepa_ci_check(buf), OWED_EINPUT);
			}
		}
	assert_int_equal(sepa_ci_check(""), OWED_EINPUT);
	assert_int_equal(sepa_ci_check("NL79ZZZ"), OWED_EINPUT);
	assert_int_equal(sepa_ci_check("NL79ZZZ99999999000-"), OWED_EINPUT);
	assert_int_equal(sepa_ci_check("nl79ZZZ999999990000"), OWED_EINPUT);   /* normalize first */
}

static void test_ci_normalize(void **state)
{
	char buf[40], small[8];
	(void)state;
	assert_int_equal(sepa_ci_normalize(" nl79 zzz 9999 9999 0000 ", buf, sizeof buf), 0);
	assert_string_equal(buf, "NL79ZZZ999999990000");
	assert_int_equal(sepa_ci_normalize("1L79ZZZ999999990000", buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(sepa_ci_normalize("NLX9ZZZ999999990000", buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(sepa_ci_normalize("NL79ZZZ9999-99990000", buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(sepa_ci_normalize("NL79ZZZ", buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(sepa_ci_normalize("NL79ZZZ12345678901234567890123456789", buf, sizeof buf),
	                 OWED_EINPUT);                                  /* 36 characters */
	assert_int_equal(sepa_ci_normalize("NL79ZZZ999999990000", small, sizeof small),
	                 OWED_EOVERFLOW);
}

static void test_bic(void **state)
{
	char buf[16];
	(void)state;
	assert_int_equal(sepa_bic_normalize("abnanl2a", buf, sizeof buf), 0);
	assert_string_equal(buf, "ABNANL2A");
	assert_int_equal(sepa_bic_normalize("RABO NL 2U XXX", buf, sizeof buf), 0);
	assert_string_equal(buf, "RABONL2UXXX");
	assert_int_equal(sepa_bic_normalize("ABNANL2", buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(sepa_bic_normalize("ABNANL2AX", buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(sepa_bic_normalize("AB1ANL2A", buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(sepa_bic_normalize("ABNAN12A", buf, sizeof buf), OWED_EINPUT);
	assert_int_equal(sepa_bic_normalize("ABNANL2-", buf, sizeof buf), OWED_EINPUT);
}

static void test_id(void **state)
{
	(void)state;
	assert_int_equal(sepa_id_check("MNDT-2026/001", 35), 0);
	assert_int_equal(sepa_id_check("a?b:c(d).e,f'g+h", 35), 0);
	assert_int_equal(sepa_id_check("12345678901234567890123456789012345", 35), 0);
	assert_int_equal(sepa_id_check("123456789012345678901234567890123456", 35), OWED_EINPUT);
	assert_int_equal(sepa_id_check("", 35), OWED_EINPUT);
	assert_int_equal(sepa_id_check("M 1", 35), OWED_EINPUT);
	assert_int_equal(sepa_id_check("M&1", 35), OWED_EINPUT);
	assert_int_equal(sepa_id_check("M_1", 35), OWED_EINPUT);
	assert_int_equal(sepa_id_check("/M1", 35), OWED_EINPUT);
	assert_int_equal(sepa_id_check("M1/", 35), OWED_EINPUT);
	assert_int_equal(sepa_id_check("M//1", 35), OWED_EINPUT);
	assert_int_equal(sepa_id_check("M\xc3\xa9" "1", 35), OWED_EINPUT);  /* é */
}

static void test_sequence(void **state)
{
	sepa_sequence s;
	(void)state;
	assert_int_equal(sepa_sequence_parse("FRST", &s), 0);
	assert_int_equal(s, SEPA_FRST);
	assert_int_equal(sepa_sequence_parse("OOFF", &s), 0);
	assert_string_equal(sepa_sequence_name(s), "OOFF");
	assert_int_equal(sepa_sequence_parse("rcur", &s), OWED_EINPUT);
	assert_int_equal(sepa_sequence_parse("FNAL", &s), OWED_EINPUT);
}

static void test_lapse(void **state)
{
	owed_date until;
	(void)state;
	/* 36 months from the last collection (or the signature): the day itself still counts */
	assert_int_equal(sepa_mandate_lapsed(ymd(2023, 3, 15), ymd(2026, 3, 15), &until), 0);
	assert_int_equal(until, ymd(2026, 3, 15));
	assert_int_equal(sepa_mandate_lapsed(ymd(2023, 3, 15), ymd(2026, 3, 16), NULL), 1);
	/* month ends clamp: 31 May 2023 + 36 months = 31 May 2026; 29 Feb 2024 -> 28 Feb 2027 */
	assert_int_equal(sepa_mandate_lapsed(ymd(2024, 2, 29), ymd(2027, 2, 28), &until), 0);
	assert_int_equal(until, ymd(2027, 2, 28));
	assert_int_equal(sepa_mandate_lapsed(ymd(2024, 2, 29), ymd(2027, 3, 1), NULL), 1);
}

static void test_target(void **state)
{
	owed_date d;
	(void)state;
	assert_true(sepa_target_is_business_day(ymd(2026, 3, 2)));      /* Monday */
	assert_false(sepa_target_is_business_day(ymd(2026, 3, 1)));     /* Sunday */
	assert_false(sepa_target_is_business_day(ymd(2026, 3, 7)));     /* Saturday */
	assert_false(sepa_target_is_business_day(ymd(2026, 1, 1)));     /* New Year, Thursday */
	assert_false(sepa_target_is_business_day(ymd(2026, 4, 3)));     /* Good Friday */
	assert_false(sepa_target_is_business_day(ymd(2026, 4, 6)));     /* Easter Monday */
	assert_false(sepa_target_is_business_day(ymd(2026, 5, 1)));     /* Labour Day, Friday */
	assert_false(sepa_target_is_business_day(ymd(2026, 12, 25)));
	assert_false(sepa_target_is_business_day(ymd(2025, 12, 26)));   /* Friday */
	assert_true(sepa_target_is_business_day(ymd(2026, 4, 27)));     /* King's Day: not TARGET */
	assert_true(sepa_target_is_business_day(ymd(2026, 5, 14)));     /* Ascension: not TARGET */
	assert_int_equal(sepa_target_add(ymd(2026, 4, 2), 1, &d), 0);   /* Thursday before Easter */
	assert_int_equal(d, ymd(2026, 4, 7));
	assert_int_equal(sepa_target_add(ymd(2026, 3, 1), 1, &d), 0);   /* Sunday -> Monday */
	assert_int_equal(d, ymd(2026, 3, 2));
	assert_int_equal(sepa_target_add(ymd(2026, 3, 6), 2, &d), 0);   /* Friday + 2 -> Tuesday */
	assert_int_equal(d, ymd(2026, 3, 10));
	assert_int_equal(sepa_target_next(ymd(2026, 12, 25), &d), 0);
	assert_int_equal(d, ymd(2026, 12, 28));
	assert_int_equal(sepa_target_add(ymd(2026, 3, 1), -1, &d), OWED_EINPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ci_valid),
		cmocka_unit_test(test_ci_business_code_not_checked),
		cmocka_unit_test(test_ci_invalid),
		cmocka_unit_test(test_ci_normalize),
		cmocka_unit_test(test_bic),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_lapse),
		cmocka_unit_test(test_target),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
