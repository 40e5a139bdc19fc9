/*
 * hmac.c -- HMAC-SHA-256 (hmac.h): H((K ^ opad) || H((K ^ ipad) || data)), RFC 2104.
 */
#include <string.h>

#include "core/hmac.h"

void hmac_sha256(const void *key, size_t klen, const void *data, size_t dlen,
                 uint8_t out[SHA256_DIGEST_SIZE])
{
	uint8_t k[SHA256_BLOCK_SIZE] = { 0 }, pad[SHA256_BLOCK_SIZE], inner[SHA256_DIGEST_SIZE];
	sha256_ctx c;

	if (klen > SHA256_BLOCK_SIZE) {         /* a long key is replaced by its digest */
		sha256_init(&c);
		sha256_update(&c, key, klen);
		sha256_final(&c, k);
	} else if (klen)
		memcpy(k, key, klen);

	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] = k[i] ^ 0x36;
	sha256_init(&c);
	sha256_update(&c, pad, sizeof pad);
	sha256_update(&c, data, dlen);
	sha256_final(&c, inner);

	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] = k[i] ^ 0x5c;
	sha256_init(&c);
	sha256_update(&c, pad, sizeof pad);
	sha256_update(&c, inner, sizeof inner);
	sha256_final(&c, out);
}

void hmac_sha256_hex(const void *key, size_t klen, const void *data, size_t dlen,
                     char out[SHA256_HEX_BUFSZ])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t mac[SHA256_DIGEST_SIZE];
	hmac_sha256(key, klen, data, dlen, mac);
	for (size_t i = 0; i < sizeof mac; i++) {
		out[2 * i] = digits[mac[i] >> 4];
		out[2 * i + 1] = digits[mac[i] & 15];
	}
	out[2 * sizeof mac] = 0;
}

int hmac_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}
