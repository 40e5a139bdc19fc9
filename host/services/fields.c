/*
 * fields.c -- reading what a user typed, field by field.
 *
 * Every failure here ends up as the one line the user sees, so each names the field, quotes
 * the value and says what was expected: "amount: '12,3x' is not an amount (expected e.g.
 * 1234.56)".
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "core/clock.h"
#include "core/money.h"
#include "core/ref.h"
#include "services/internal.h"

int svc_fail(owed_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const char *amount_example(const char *locale)
{
	return strcmp(locale, "en") == 0 || strcmp(locale, "C") == 0 ? "1234.56 or 1,234.56"
	                                                              : "1234,56 or 1.234,56";
}

static int read_amount(const owed_ctx *ctx, const char *field, const char *text,
                       const char *currency, int zero_ok, int64_t *out, owed_error *err)
{
	int exp = money_exponent(currency);
	int rc = money_parse(text, ctx->locale, exp < 0 ? 2 : exp, out);
	if (rc == OWED_EOVERFLOW)
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is too large for an amount", field, text);
	if (rc != 0)
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not an amount in %s (expected e.g. "
		                "%s, at most %d decimals; set OWED_LOCALE for another notation)",
		                field, text, currency, amount_example(ctx->locale), exp);
	if (*out < 0 || (*out == 0 && !zero_ok))
		return svc_fail(err, OWED_EINPUT, "%s: '%s' %s", field, text,
		                zero_ok ? "must not be negative" : "must be more than zero");
	return 0;
}

int svc_read_amount(const owed_ctx *ctx, const char *field, const char *text,
                    const char *currency, int64_t *out, owed_error *err)
{
	return read_amount(ctx, field, text, currency, 0, out, err);
}

int svc_read_amount_or_zero(const owed_ctx *ctx, const char *field, const char *text,
                            const char *currency, int64_t *out, owed_error *err)
{
	return read_amount(ctx, field, text, currency, 1, out, err);
}

int svc_read_date(const char *field, const char *text, owed_date *out, owed_error *err)
{
	if (date_parse(text, out) != 0)
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not a date (expected YYYY-MM-DD, "
		                "e.g. 2026-03-31)", field, text);
	return 0;
}

int svc_read_int(const char *field, const char *text, long min, long max, long *out,
                 owed_error *err)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not a whole number from %ld to %ld",
		                field, text, min, max);
	*out = v;
	return 0;
}

static int all_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

int svc_read_currency(const char *field, const char *text, char out[4], owed_error *err)
{
	if (strlen(text) != 3 || !all_upper(text, 3))
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not an ISO 4217 currency code "
		                "(expected three capitals, e.g. EUR)", field, text);
	memcpy(out, text, 4);
	return 0;
}

int svc_read_country(const char *field, const char *text, char out[3], owed_error *err)
{
	if (strlen(text) != 2 || !all_upper(text, 2))
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not an ISO 3166 country code "
		                "(expected two capitals, e.g. NL or BE)", field, text);
	memcpy(out, text, 3);
	return 0;
}

int svc_read_language(const char *field, const char *text, char out[3], owed_error *err)
{
	if (strcmp(text, "nl") != 0 && strcmp(text, "fr") != 0 && strcmp(text, "en") != 0 &&
	    strcmp(text, "de") != 0)
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not a letter language (expected nl, "
		                "fr, en or de)", field, text);
	memcpy(out, text, 3);
	return 0;
}

int svc_read_iban(const char *field, const char *text, char *out, size_t size, owed_error *err)
{
	if (iban_normalize(text, out, size) != 0 || iban_check(out) != 0)
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not a valid IBAN (expected a country "
		                "code, check digits that pass mod 97, and the country's length, e.g. "
		                "NL91ABNA0417164300)", field, text);
	return 0;
}

int svc_read_reference(const char *field, const char *text, char *out, size_t size,
                       owed_error *err)
{
	ref_kind kind;
	if (ref_check(text, &kind) != 0 || ref_normalize(text, kind, out, size) != 0)
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not a valid payment reference "
		                "(expected a 16-digit betalingskenmerk, a Belgian +++ddd/dddd/ddddd+++ "
		                "or an RF creditor reference, with a correct check digit)", field, text);
	return 0;
}

int svc_read_email(const char *field, const char *text, char *out, size_t size,
                   owed_error *err)
{
	const char *at = strchr(text, '@');
	if (*text && (!at || at == text || !strchr(at, '.') || strchr(text, ' ')))
		return svc_fail(err, OWED_EINPUT, "%s: '%s' is not an e-mail address (expected "
		                "name@domain.tld)", field, text);
	return svc_read_text(field, text, out, size, err);
}

int svc_read_text(const char *field, const char *text, char *out, size_t size, owed_error *err)
{
	size_t n = strlen(text);
	if (n >= size)
		return svc_fail(err, OWED_EINPUT, "%s: %zu characters is too long (at most %zu)",
		                field, n, size - 1);
	memcpy(out, text, n + 1);
	return 0;
}

void svc_json_money(cJSON *obj, const char *key, int64_t minor, const char *currency)
{
	char buf[32];
	int exp = money_exponent(currency);
	money_format(minor, exp < 0 ? 2 : exp, currency, "C", MONEY_FMT_PLAIN, buf, sizeof buf);
	cJSON_AddStringToObject(obj, key, buf);
}

void svc_json_date(cJSON *obj, const char *key, owed_date d)
{
	char buf[16];
	date_format_iso(d, buf, sizeof buf);
	cJSON_AddStringToObject(obj, key, buf);
}

void svc_stamp(time_t t, char *buf, size_t size)
{
	clock_format_utc(t, buf, size);
}

void svc_lua_text(lua_State *L, int t, const char *key, char *out, size_t size)
{
	lua_getfield(L, t, key);
	snprintf(out, size, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
	lua_pop(L, 1);
}
