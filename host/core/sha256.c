/*
 * sha256.c -- SHA-256 as FIPS 180-4 section 6.2 describes it (see sha256.h).
 *
 * Words are read and written big-endian one byte at a time, so the code is the same on every
 * host and never makes an unaligned or type-punned access.  All arithmetic is on uint32_t,
 * where wrapping mod 2^32 is what the standard asks for; the shift counts are constants in
 * 1..31, so no rotation is ever by 0 or 32.
 */
#include <string.h>

#include "core/sha256.h"

/*
 * K0..K63 (4.2.2): the first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes.
 */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

/*
 * H(0) (5.3.3): the first 32 bits of the fractional parts of the square roots of the first 8
 * primes.
 */
static const uint32_t sha256_h0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
};

/* The functions of 4.1.2. */
static uint32_t sha256_rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t sha256_ch(uint32_t x, uint32_t y, uint32_t z)
{
	return (x & y) ^ (~x & z);
}

static uint32_t sha256_maj(uint32_t x, uint32_t y, uint32_t z)
{
	return (x & y) ^ (x & z) ^ (y & z);
}

static uint32_t sha256_bsig0(uint32_t x)
{
	return sha256_rotr(x, 2) ^ sha256_rotr(x, 13) ^ sha256_rotr(x, 22);
}

static uint32_t sha256_bsig1(uint32_t x)
{
	return sha256_rotr(x, 6) ^ sha256_rotr(x, 11) ^ sha256_rotr(x, 25);
}

static uint32_t sha256_ssig0(uint32_t x)
{
	return sha256_rotr(x, 7) ^ sha256_rotr(x, 18) ^ (x >> 3);
}

static uint32_t sha256_ssig1(uint32_t x)
{
	return sha256_rotr(x, 17) ^ sha256_rotr(x, 19) ^ (x >> 10);
}

/*
 * Each byte is widened to uint32_t before the shift: shifting a promoted int into bit 31 is
 * undefined.
 */
static uint32_t sha256_load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void sha256_store_be32(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t)(x >> 24);
	p[1] = (uint8_t)(x >> 16);
	p[2] = (uint8_t)(x >> 8);
	p[3] = (uint8_t)x;
}

/*
 * The computation of 6.2.2 for the 64-byte block p: the message schedule, 64 rounds, and the
 * addition into H.
 */
static void sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64];
	uint32_t a, b, c, d, e, f, g, hh, t1, t2;
	int t;

	for (t = 0; t < 16; t++)
		w[t] = sha256_load_be32(p + 4 * t);
	for (t = 16; t < 64; t++)
		w[t] = sha256_ssig1(w[t - 2]) + w[t - 7] + sha256_ssig0(w[t - 15]) + w[t - 16];

	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (t = 0; t < 64; t++) {
		t1 = hh + sha256_bsig1(e) + sha256_ch(e, f, g) + sha256_k[t] + w[t];
		t2 = sha256_bsig0(a) + sha256_maj(a, b, c);
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void sha256_init(sha256_ctx *c)
{
	memcpy(c->h, sha256_h0, sizeof c->h);
	c->len = 0;
	c->nbuf = 0;
}

void sha256_update(sha256_ctx *c, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t take;

	/* data may be NULL when n is 0, and memcpy from NULL is undefined even for 0 bytes. */
	if (n == 0)
		return;
	c->len += (uint64_t)n;

	/* Top up a partial block first, so that blocks are always hashed in order. */
	if (c->nbuf > 0) {
		take = SHA256_BLOCK_SIZE - c->nbuf;
		if (take > n)
			take = n;
		memcpy(c->buf + c->nbuf, p, take);
		c->nbuf += take;
		p += take;
		n -= take;
		if (c->nbuf < SHA256_BLOCK_SIZE)
			return;
		sha256_block(c->h, c->buf);
		c->nbuf = 0;
	}
	/* Whole blocks straight from the caller's memory, without the copy. */
	while (n >= SHA256_BLOCK_SIZE) {
		sha256_block(c->h, p);
		p += SHA256_BLOCK_SIZE;
		n -= SHA256_BLOCK_SIZE;
	}
	if (n > 0) {
		memcpy(c->buf, p, n);
		c->nbuf = n;
	}
}

/*
 * Padding (5.1.1): a 1 bit, zeros up to 56 bytes mod 64, and the message length in bits as a
 * 64-bit big-endian number.  When fewer than 9 bytes are left in the block, the 1 bit goes in
 * this one and the length in one more.
 */
void sha256_final(sha256_ctx *c, uint8_t out[32])
{
	uint64_t bits = c->len << 3;
	int i;

	c->buf[c->nbuf++] = 0x80;
	if (c->nbuf > SHA256_BLOCK_SIZE - 8) {
		memset(c->buf + c->nbuf, 0, SHA256_BLOCK_SIZE - c->nbuf);
		sha256_block(c->h, c->buf);
		c->nbuf = 0;
	}
	memset(c->buf + c->nbuf, 0, SHA256_BLOCK_SIZE - 8 - c->nbuf);
	for (i = 0; i < 8; i++)
		c->buf[SHA256_BLOCK_SIZE - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha256_block(c->h, c->buf);
	c->nbuf = 0;

	for (i = 0; i < 8; i++)
		sha256_store_be32(out + 4 * i, c->h[i]);
}

void sha256_final_hex(sha256_ctx *c, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t md[SHA256_DIGEST_SIZE];
	int i;

	sha256_final(c, md);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0x0f];
	}
	out[2 * SHA256_DIGEST_SIZE] = '\0';
}

void sha256_hex(const void *data, size_t n, char out[65])
{
	sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final_hex(&c, out);
}
