/*
 * lua_crypto.c -- owed.crypto: what a plugin needs to check that a webhook comes from its
 * partner: an HMAC-SHA-256 of the body with the shared secret, a comparison that does not
 * tell by its time how much of a guessed signature was right, and a timestamp check against
 * replays of an old, validly signed request.
 */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/hmac.h"

/* hmac_sha256(key, data [, "raw"]) -> lowercase hex (64 digits), or the 32 bytes */
static int l_hmac_sha256(lua_State *L)
{
	size_t klen, dlen;
	const char *key = luaL_checklstring(L, 1, &klen), *data = luaL_checklstring(L, 2, &dlen);
	const char *form = luaL_optstring(L, 3, "hex");
	if (strcmp(form, "hex") == 0) {
		char hex[SHA256_HEX_BUFSZ];
		hmac_sha256_hex(key, klen, data, dlen, hex);
		lua_pushstring(L, hex);
	} else if (strcmp(form, "raw") == 0) {
		uint8_t mac[SHA256_DIGEST_SIZE];
		hmac_sha256(key, klen, data, dlen, mac);
		lua_pushlstring(L, (const char *)mac, sizeof mac);
	} else
		return luaL_error(L, "owed.crypto.hmac_sha256: form: expected \"hex\" or \"raw\", "
		                  "not \"%s\"", form);
	return 1;
}

/* equal(a, b) -> true when the strings are the same; constant time for equal lengths (the
 * length of a signature is no secret) */
static int l_equal(lua_State *L)
{
	size_t na, nb;
	const char *a = luaL_checklstring(L, 1, &na), *b = luaL_checklstring(L, 2, &nb);
	lua_pushboolean(L, na == nb && hmac_equal(a, b, na));
	return 1;
}

/* The Unix time in v (an integer, or a string of decimal digits), or -1. */
static long long unix_time(lua_State *L, int idx)
{
	if (lua_isinteger(L, idx))
		return lua_tointeger(L, idx);
	if (lua_type(L, idx) == LUA_TSTRING) {
		const char *s = lua_tostring(L, idx);
		char *end;
		long long v;
		if (*s < '0' || *s > '9' || strlen(s) > 12)
			return -1;
		v = strtoll(s, &end, 10);
		return *end ? -1 : v;
	}
	return -1;
}

/* fresh(ts, tolerance_s [, now]) -> true when ts (Unix seconds, integer or digits) is within
 * tolerance_s of now (default: the clock) either way; false for anything else, a malformed
 * ts too: it comes from the partner's request, so it is data, not a programming error. */
static int l_fresh(lua_State *L)
{
	long long ts = unix_time(L, 1), tol, now;
	tol = luaL_checkinteger(L, 2);
	if (tol < 0)
		return luaL_error(L, "owed.crypto.fresh: tolerance_s: expected 0 or more seconds");
	now = lua_isnoneornil(L, 3) ? (long long)time(NULL) : luaL_checkinteger(L, 3);
	lua_pushboolean(L, ts >= 0 && ts - now <= tol && now - ts <= tol);
	return 1;
}

int api_open_crypto(lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "hmac_sha256", l_hmac_sha256 }, { "equal", l_equal }, { "fresh", l_fresh },
		{ NULL, NULL }
	};
	luaL_newlib(L, fns);
	return 1;
}
