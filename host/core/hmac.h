/*
 * hmac.h -- HMAC-SHA-256 (RFC 2104 over FIPS 180-4 SHA-256), for checking the signatures
 * partners put on the webhooks they send (docs/webhooks.md), and a comparison of secrets that
 * takes the same time wherever the first difference is.
 *
 * Keys longer than a block (64 bytes) are hashed first, as RFC 2104 says; a key of any length,
 * 0 too, is allowed.  Pointers must not be NULL, except key or data when its length is 0.
 */
#ifndef OWED_HMAC_H
#define OWED_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "core/sha256.h"

void hmac_sha256(const void *key, size_t klen, const void *data, size_t dlen,
                 uint8_t out[SHA256_DIGEST_SIZE]);
/* The same, written as lowercase hex (64 digits and a NUL). */
void hmac_sha256_hex(const void *key, size_t klen, const void *data, size_t dlen,
                     char out[SHA256_HEX_BUFSZ]);

/* 1 when a and b hold the same n bytes.  Every byte is looked at whatever the first
 * difference is, so the time taken says nothing about where it is. */
int hmac_equal(const void *a, const void *b, size_t n);

#endif
