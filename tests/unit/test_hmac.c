/*
 * test_hmac.c -- HMAC-SHA-256 against the test vectors of RFC 4231 (section 4), keys shorter
 * than, as long as and longer than a block; and the constant-time comparison.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/hmac.h"

static void fill(uint8_t *buf, uint8_t byte, size_t n)
{
	memset(buf, byte, n);
}

static void assert_mac(const void *key, size_t klen, const void *data, size_t dlen,
                       const char *want)
{
	char got[SHA256_HEX_BUFSZ];
	hmac_sha256_hex(key, klen, data, dlen, got);
	/* test case 5 gives only the first 128 bits: compare as many digits as it gives */
	assert_memory_equal(got, want, strlen(want));
}

static void test_rfc4231(void **state)
{
	uint8_t key[131], data[50];
	(void)state;

	fill(key, 0x0b, 20);                                            /* 4.2 */
	assert_mac(key, 20, "Hi There", 8,
	           "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	assert_mac("Jefe", 4, "what do ya want for nothing?", 28,           /* 4.3 */
	           "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	fill(key, 0xaa, 20);                                            /* 4.4 */
	fill(data, 0xdd, 50);
	assert_mac(key, 20, data, 50,
	           "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
	for (uint8_t i = 0; i < 25; i++)                                /* 4.5 */
		key[i] = (uint8_t)(i + 1);
	fill(data, 0xcd, 50);
	assert_mac(key, 25, data, 50,
	           "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
	fill(key, 0x0c, 20);                                            /* 4.6, truncated */
	assert_mac(key, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b");
	fill(key, 0xaa, 131);                                           /* 4.7: key > block */
	assert_mac(key, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
	           "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	{                                                               /* 4.8 */
		const char *d = "This is a test using a larger than block-size key and a larger "
		                "than block-size data. The key needs to be hashed before being "
		                "used by the HMAC algorithm.";
		assert_mac(key, 131, d, strlen(d),
		           "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
	}
}

/* A key of exactly one block is used as it is, one byte more is hashed first: the two
 * must differ from each other and agree with a key given as its own digest. */
static void test_block_boundary(void **state)
{
	uint8_t key[65], digest[SHA256_DIGEST_SIZE], a[32], b[32];
	sha256_ctx c;
	(void)state;
	fill(key, 0x41, sizeof key);
	hmac_sha256(key, 65, "x", 1, a);
	sha256_init(&c);
	sha256_update(&c, key, 65);
	sha256_final(&c, digest);
	hmac_sha256(digest, sizeof digest, "x", 1, b);
	assert_memory_equal(a, b, 32);
	hmac_sha256(key, 64, "x", 1, b);
	assert_memory_not_equal(a, b, 32);
}

static void test_equal(void **state)
{
	(void)state;
	assert_true(hmac_equal("abcdef", "abcdef", 6));
	assert_false(hmac_equal("abcdef", "abcdeg", 6));
	assert_false(hmac_equal("xbcdef", "abcdef", 6));
	assert_true(hmac_equal(NULL, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4231),
		cmocka_unit_test(test_block_boundary),
		cmocka_unit_test(test_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
