/*
 * ratelimit.h -- failed token attempts, counted per client address (docs/serve.md): after
 * RATELIMIT_FAILURES failures within RATELIMIT_WINDOW_S seconds of the first, the address is
 * answered 429 (Retry-After: the seconds left of the window) without a token being looked at.
 *
 * The memory is bounded: RATELIMIT_SLOTS entries, an address hashed to a run of
 * RATELIMIT_PROBE of them.  When all of those are live, the one whose window began first is
 * dropped (the address it counted starts again from zero): many addresses can only share the
 * table, never grow it.
 */
#ifndef OWED_HTTP_RATELIMIT_H
#define OWED_HTTP_RATELIMIT_H

#include <stdint.h>

#define RATELIMIT_FAILURES  20
#define RATELIMIT_WINDOW_S  60
#define RATELIMIT_SLOTS     1024
#define RATELIMIT_PROBE     8

/* 0 when addr may present a token at now_s (seconds on a clock that does not go back); else
 * the seconds until it may again. */
int ratelimit_wait(const char *addr, int64_t now_s);
/* A token from addr was refused at now_s. */
void ratelimit_fail(const char *addr, int64_t now_s);

#endif
