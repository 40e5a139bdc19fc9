/*
 * ratelimit.c -- failed token attempts per client address (ratelimit.h): a fixed window per
 * address, opened by its first failure, in a small open-addressed table.
 */
#include <stdio.h>
#include <string.h>

#include "http/ratelimit.h"

typedef struct slot {
	char addr[64];          /* "" when free */
	int64_t since;          /* the window's first failure */
	int failures;
} slot;

static slot table[RATELIMIT_SLOTS];

static unsigned addr_hash(const char *addr)
{
	unsigned h = 2166136261u;   /* FNV-1a */
	for (; *addr; addr++)
		h = (h ^ (unsigned char)*addr) * 16777619u;
	return h;
}

static int live(const slot *s, int64_t now_s)
{
	return s->addr[0] && now_s - s->since < RATELIMIT_WINDOW_S;
}

/* addr's slot, or NULL; with make, a slot for it: a free or stale one of its run, else the
 * run's oldest. */
static slot *find(const char *addr, int64_t now_s, int make)
{
	unsigned h = addr_hash(addr);
	slot *spare = NULL;
	for (unsigned i = 0; i < RATELIMIT_PROBE; i++) {
		slot *s = &table[(h + i) % RATELIMIT_SLOTS];
		if (strcmp(s->addr, addr) == 0)
			return s;
		if (!spare || (live(spare, now_s) && (!live(s, now_s) || s->since < spare->since)))
			spare = s;
	}
	if (!make)
		return NULL;
	snprintf(spare->addr, sizeof spare->addr, "%s", addr);
	spare->since = now_s;
	spare->failures = 0;
	return spare;
}

int ratelimit_wait(const char *addr, int64_t now_s)
{
	slot *s = find(addr, now_s, 0);
	if (!s || !live(s, now_s) || s->failures < RATELIMIT_FAILURES)
		return 0;
	return (int)(s->since + RATELIMIT_WINDOW_S - now_s);
}

void ratelimit_fail(const char *addr, int64_t now_s)
{
	slot *s = find(addr, now_s, 1);
	if (!live(s, now_s)) {
		s->since = now_s;
		s->failures = 0;
	}
	s->failures++;
}
