/*
 * sha256.h -- SHA-256 (FIPS 180-4), for the content hashes of letters and policy versions.
 *
 * A dossier records which letter was sent and under which policy version; the hash is what
 * proves later that the stored text is the text that was used, so it must be the standard
 * SHA-256 that anyone can recompute with sha256sum, not something of our own.
 *
 * Streaming use: sha256_init, any number of sha256_update calls with pieces of any size (0 too),
 * then sha256_final or sha256_final_hex.  After final the context is spent: call sha256_init
 * before using it again.  sha256_hex hashes one buffer in one call.  Hex output is
 * lowercase, 64 digits and a NUL, as sha256sum prints it.  Messages are limited to 2^64 - 1 bits,
 * as the standard says; nothing in owed comes near.  Pointers must not be NULL, except data
 * when n is 0.
 */
#ifndef OWED_SHA256_H
#define OWED_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE  32
#define SHA256_HEX_BUFSZ    (2 * SHA256_DIGEST_SIZE + 1)
#define SHA256_BLOCK_SIZE   64

typedef struct sha256_ctx {
	uint32_t h[8];     /* the intermediate hash value H(i) */
	uint64_t len;      /* bytes hashed so far, the ones waiting in buf included */
	uint8_t buf[64];   /* a partial block, waiting for the rest */
	size_t nbuf;       /* bytes in buf, 0..63 */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
void sha256_final(sha256_ctx *c, uint8_t out[32]);

/* The digest of data[0..n) in lowercase hex. */
void sha256_hex(const void *data, size_t n, char out[65]);

/* sha256_final, written as lowercase hex. */
void sha256_final_hex(sha256_ctx *c, char out[65]);

#endif
