/*
 * test_ratelimit.c -- failed token attempts per address (http/ratelimit.h): the limit, the
 * window, addresses apart, and a table that stays bounded when many addresses fail.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "http/ratelimit.h"

static void fail_n(const char *addr, int n, int64_t at)
{
	for (int i = 0; i < n; i++)
		ratelimit_fail(addr, at);
}

static void test_limit_and_window(void **state)
{
	(void)state;
	assert_int_equal(ratelimit_wait("10.0.0.1", 1000), 0);
	fail_n("10.0.0.1", RATELIMIT_FAILURES - 1, 1000);
	assert_int_equal(ratelimit_wait("10.0.0.1", 1000), 0);
	ratelimit_fail("10.0.0.1", 1010);
	/* the window began at the first failure: 60 s from 1000 */
	assert_int_equal(ratelimit_wait("10.0.0.1", 1010), 50);
	assert_int_equal(ratelimit_wait("10.0.0.1", 1059), 1);
	assert_int_equal(ratelimit_wait("10.0.0.1", 1060), 0);
	/* a failure after the window opens a new one, counted from one */
	ratelimit_fail("10.0.0.1", 1061);
	assert_int_equal(ratelimit_wait("10.0.0.1", 1061), 0);
}

static void test_addresses_apart(void **state)
{
	(void)state;
	fail_n("10.0.0.2", RATELIMIT_FAILURES, 2000);
	assert_int_equal(ratelimit_wait("10.0.0.2", 2000), 60);
	assert_int_equal(ratelimit_wait("10.0.0.3", 2000), 0);
	assert_int_equal(ratelimit_wait("::1", 2000), 0);
}

/* Ten times as many failing addresses as slots: the table holds, and an address that failed
 * last is still counted. */
static void test_bounded(void **state)
{
	char addr[32];
	(void)state;
	for (int i = 0; i < 10 * RATELIMIT_SLOTS; i++) {
		snprintf(addr, sizeof addr, "192.168.%d.%d", i / 256, i % 256);
		ratelimit_fail(addr, 3000 + i / 100);
	}
	fail_n("172.16.0.1", RATELIMIT_FAILURES, 3200);
	assert_int_equal(ratelimit_wait("172.16.0.1", 3200), 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_and_window),
		cmocka_unit_test(test_addresses_apart),
		cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
