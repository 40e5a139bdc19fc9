/*
 * sepa.c -- SEPA direct debit rules without I/O (sepa.h).
 */
#include <ctype.h>
#include <string.h>

#include "core/err.h"
#include "core/sepa.h"

/* Copies text without spaces, upper-cased; OWED_EOVERFLOW when it does not fit. */
static int squeeze_upper(const char *text, char *out, size_t size)
{
	size_t n = 0;
	if (!text || !size)
		return OWED_EINPUT;
	for (const char *p = text; *p; p++) {
		if (*p == ' ')
			continue;
		if (n + 1 >= size) {
			out[0] = '\0';
			return OWED_EOVERFLOW;
		}
		out[n++] = (char)toupper((unsigned char)*p);
	}
	out[n] = '\0';
	return 0;
}

static int is_alnum_upper(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int sepa_ci_normalize(const char *text, char *out, size_t size)
{
	char buf[64];
	size_t n;
	int rc = squeeze_upper(text, buf, sizeof buf);
	if (rc)
		return rc == OWED_EOVERFLOW ? OWED_EINPUT : rc;
	n = strlen(buf);
	/* CC, 2 check digits, 3 business code, at least one character of national id */
	if (n < 8 || n > SEPA_CI_MAX || !isupper((unsigned char)buf[0]) ||
	    !isupper((unsigned char)buf[1]) || !isdigit((unsigned char)buf[2]) ||
	    !isdigit((unsigned char)buf[3]))
		return OWED_EINPUT;
	for (size_t i = 4; i < n; i++)
		if (!is_alnum_upper(buf[i]))
			return OWED_EINPUT;
	if (n + 1 > size)
		return OWED_EOVERFLOW;
	memcpy(out, buf, n + 1);
	return 0;
}

/* Folds one character into a running mod 97 (letters count as two digits, 10..35). */
static unsigned mod97_add(unsigned r, char c)
{
	if (c >= '0' && c <= '9')
		return (r * 10 + (unsigned)(c - '0')) % 97;
	return (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
}

int sepa_ci_check(const char *ci)
{
	unsigned r = 0;
	size_t n = ci ? strlen(ci) : 0;
	if (n < 8 || n > SEPA_CI_MAX)
		return OWED_EINPUT;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum_upper(ci[i]))
			return OWED_EINPUT;
	for (size_t i = 7; i < n; i++)          /* the national identifier ... */
		r = mod97_add(r, ci[i]);
	for (size_t i = 0; i < 4; i++)          /* ... then country and check digits */
		r = mod97_add(r, ci[i]);
	return r == 1 ? 0 : OWED_EINPUT;
}

int sepa_bic_normalize(const char *text, char *out, size_t size)
{
	char buf[32];
	size_t n;
	int rc = squeeze_upper(text, buf, sizeof buf);
	if (rc)
		return rc == OWED_EOVERFLOW ? OWED_EINPUT : rc;
	n = strlen(buf);
	if (n != 8 && n != 11)
		return OWED_EINPUT;
	for (size_t i = 0; i < n; i++)
		if (i < 6 ? !isupper((unsigned char)buf[i]) : !is_alnum_upper(buf[i]))
			return OWED_EINPUT;
	if (n + 1 > size)
		return OWED_EOVERFLOW;
	memcpy(out, buf, n + 1);
	return 0;
}

int sepa_id_check(const char *id, size_t max)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n > max || id[0] == '/' || id[n - 1] == '/' || strstr(id, "//"))
		return OWED_EINPUT;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("/-?:().,'+", id[i]))
			return OWED_EINPUT;
	return 0;
}

static const char *const sequence_names[] = { "FRST", "RCUR", "OOFF" };

int sepa_sequence_parse(const char *text, sepa_sequence *out)
{
	for (int i = 0; i < 3; i++)
		if (text && strcmp(text, sequence_names[i]) == 0) {
			*out = (sepa_sequence)i;
			return 0;
		}
	return OWED_EINPUT;
}

const char *sepa_sequence_name(sepa_sequence s)
{
	return (unsigned)s < 3 ? sequence_names[s] : "?";
}

int sepa_mandate_lapsed(owed_date last_used, owed_date on, owed_date *until)
{
	owed_date end;
	int rc = date_add_months(last_used, SEPA_MANDATE_LAPSE_MONTHS, &end);
	if (rc)
		return rc;
	if (until)
		*until = end;
	return on > end;
}

int sepa_target_is_business_day(owed_date d)
{
	int y, m, day, wd;
	owed_date easter;
	if (!date_is_valid(d))
		return 0;
	wd = date_weekday(d);
	if (wd >= 6)
		return 0;
	date_to_ymd(d, &y, &m, &day);
	if ((m == 1 && day == 1) || (m == 5 && day == 1) || (m == 12 && (day == 25 || day == 26)))
		return 0;
	easter = date_easter(y);
	return d != easter - 2 && d != easter + 1;
}

int sepa_target_next(owed_date d, owed_date *out)
{
	if (!date_is_valid(d))
		return OWED_EINPUT;
	while (!sepa_target_is_business_day(d))
		if (date_add_days(d, 1, &d) != 0)
			return OWED_EOVERFLOW;
	*out = d;
	return 0;
}

int sepa_target_add(owed_date d, int n, owed_date *out)
{
	if (!date_is_valid(d) || n < 0)
		return OWED_EINPUT;
	while (n > 0) {
		if (date_add_days(d, 1, &d) != 0)
			return OWED_EOVERFLOW;
		if (sepa_target_is_business_day(d))
			n--;
	}
	*out = d;
	return 0;
}
