/*
 * test_sha256.c -- SHA-256: the FIPS 180-2 / NIST example vectors, the same message fed in
 * pieces split at every offset, and agreement with sha256sum on random data of every length
 * across the padding boundaries (55/56 and 119/120 bytes, where the length spills into an extra
 * block).
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

#include "core/sha256.h"

#define SHA256SUM "/usr/bin/sha256sum"

static void assert_hex(const void *data, size_t n, const char *want)
{
	char got[SHA256_HEX_BUFSZ];
	sha256_hex(data, n, got);
	assert_string_equal(got, want);
}

static void test_nist_vectors(void **state)
{
	(void)state;
	assert_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	           "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	           "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112,
	           "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* Data may be NULL when there is none. */
static void test_empty_null(void **state)
{
	sha256_ctx c;
	char hex[SHA256_HEX_BUFSZ];
	(void)state;
	assert_hex(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_init(&c);
	sha256_update(&c, NULL, 0);
	sha256_update(&c, "abc", 3);
	sha256_update(&c, NULL, 0);
	sha256_final_hex(&c, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* One million 'a', in one piece and as 1000-byte pieces (the original test's form). */
static void test_million_a(void **state)
{
	static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	enum { N = 1000000, PIECE = 1000 };
	char *a = malloc(N);
	char hex[SHA256_HEX_BUFSZ];
	sha256_ctx c;
	int i;
	(void)state;
	assert_non_null(a);
	memset(a, 'a', N);
	assert_hex(a, N, want);
	sha256_init(&c);
	for (i = 0; i < N / PIECE; i++)
		sha256_update(&c, a, PIECE);
	sha256_final_hex(&c, hex);
	assert_string_equal(hex, want);
	free(a);
}

/* sha256_final's bytes and sha256_final_hex's digits are the same digest. */
static void test_final_bytes(void **state)
{
	static const uint8_t want[SHA256_DIGEST_SIZE] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad
	};
	uint8_t md[SHA256_DIGEST_SIZE];
	sha256_ctx c;
	(void)state;
	sha256_init(&c);
	sha256_update(&c, "abc", 3);
	sha256_final(&c, md);
	assert_memory_equal(md, want, sizeof want);
	/* A spent context starts over after sha256_init. */
	sha256_init(&c);
	sha256_update(&c, "abc", 3);
	sha256_final(&c, md);
	assert_memory_equal(md, want, sizeof want);
}

/* Every split of a 200-byte message at 0..130, in two pieces and in three, and byte by byte. */
static void test_incremental(void **state)
{
	enum { LEN = 200, MAXSPLIT = 130 };
	uint8_t msg[LEN];
	char one[SHA256_HEX_BUFSZ], got[SHA256_HEX_BUFSZ];
	sha256_ctx c;
	size_t i, k;
	(void)state;
	for (i = 0; i < LEN; i++)
		msg[i] = (uint8_t)(i * 37 + 11);
	sha256_hex(msg, LEN, one);

	for (k = 0; k <= MAXSPLIT; k++) {
		sha256_init(&c);
		sha256_update(&c, msg, k);
		sha256_update(&c, msg + k, LEN - k);
		sha256_final_hex(&c, got);
		if (strcmp(got, one) != 0)
			fail_msg("split at %zu: %s, one-shot %s", k, got, one);

		/* The middle piece a short one, so that a partial buffer is topped up but not filled. */
		sha256_init(&c);
		sha256_update(&c, msg, k);
		sha256_update(&c, msg + k, 7);
		sha256_update(&c, msg + k + 7, LEN - k - 7);
		sha256_final_hex(&c, got);
		if (strcmp(got, one) != 0)
			fail_msg("split at %zu and %zu: %s, one-shot %s", k, k + 7, got, one);
	}

	sha256_init(&c);
	for (i = 0; i < LEN; i++)
		sha256_update(&c, msg + i, 1);
	sha256_final_hex(&c, got);
	assert_string_equal(got, one);
}

/* What sha256sum says of data[0..n), via a temporary file, removed whatever happens. */
static void sha256sum_of(const uint8_t *data, size_t n, char out[SHA256_HEX_BUFSZ])
{
	char path[] = "/tmp/owed-test-sha256-XXXXXX";
	char cmd[sizeof path + sizeof SHA256SUM + 8];
	char line[256] = "";
	int written = 0, status = -1;
	FILE *f, *p;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	if (f == NULL) {
		close(fd);
	} else {
		written = fwrite(data, 1, n, f) == n;
		written = (fclose(f) == 0) && written;
	}
	if (written) {
		snprintf(cmd, sizeof cmd, SHA256SUM " %s", path);
		p = popen(cmd, "r");
		if (p != NULL) {
			if (fgets(line, sizeof line, p) == NULL)
				line[0] = '\0';
			status = pclose(p);
		}
	}
	unlink(path);

	assert_true(written);
	assert_int_equal(status, 0);
	/* "<64 hex digits>  <path>\n" */
	assert_true(strlen(line) > 2 * SHA256_DIGEST_SIZE && line[2 * SHA256_DIGEST_SIZE] == ' ');
	memcpy(out, line, 2 * SHA256_DIGEST_SIZE);
	out[2 * SHA256_DIGEST_SIZE] = '\0';
}

/* A fixed-seed xorshift, so that a failure can be reproduced. */
static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_against_sha256sum(void **state)
{
	enum { MAXLEN = 300 };
	uint8_t data[MAXLEN];
	char ours[SHA256_HEX_BUFSZ], theirs[SHA256_HEX_BUFSZ];
	uint32_t seed = 0x2545f491;
	size_t n, i;
	(void)state;
	if (access(SHA256SUM, X_OK) != 0)
		skip();
	for (n = 0; n <= MAXLEN; n++) {
		for (i = 0; i < n; i++)
			data[i] = (uint8_t)(next_random(&seed) >> 24);
		sha256_hex(data, n, ours);
		sha256sum_of(data, n, theirs);
		if (strcmp(ours, theirs) != 0)
			fail_msg("length %zu: %s, sha256sum %s", n, ours, theirs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nist_vectors),
		cmocka_unit_test(test_empty_null),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_final_bytes),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_against_sha256sum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
