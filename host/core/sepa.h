/*
 * sepa.h -- the rules of SEPA direct debit (Core scheme) that need no I/O: the creditor
 * identifier's check, the identifiers' character set, BICs, mandate sequence types and
 * expiry, and the TARGET2 calendar the collection date is counted in.
 *
 * Functions return 0 or a negative code from err.h, like the rest of core/.
 */
#ifndef OWED_SEPA_H
#define OWED_SEPA_H

#include <stddef.h>

#include "core/date.h"

#define SEPA_ID_MAX       35     /* MsgId, PmtInfId, EndToEndId, MndtId: Max35Text */
#define SEPA_CI_MAX       35     /* a creditor identifier */
#define SEPA_BIC_MAX      11
#define SEPA_MANDATE_LAPSE_MONTHS 36

/*
 * The creditor identifier (EPC262-08): country code, two check digits, a three-character
 * creditor business code (ZZZ when unused), then the national identifier.  The check digits
 * are ISO 7064 mod 97-10 over the national identifier followed by the country code and the
 * check digits, letters as 10..35, leaving out the business code: valid when that number
 * mod 97 is 1 (NL79ZZZ999999990000, DE98ZZZ09999999999).
 *
 * normalize drops spaces and upper-cases into out; OWED_EINPUT if what is left is not the
 * shape above (or does not fit), OWED_EOVERFLOW if out is too small.  check wants the
 * normalized form and returns OWED_EINPUT when the check digits are wrong.
 */
int sepa_ci_normalize(const char *text, char *out, size_t size);
int sepa_ci_check(const char *ci);

/* A BIC (ISO 9362): 4 letters (bank), 2 letters (country), 2 letters or digits (location),
 * optionally 3 more (branch); 8 or 11 characters.  normalize drops spaces, upper-cases. */
int sepa_bic_normalize(const char *text, char *out, size_t size);

/*
 * An identifier the scheme passes on (mandate reference, end-to-end id, message id): 1 to
 * max characters from the SEPA set without the space -- a-z A-Z 0-9 / - ? : ( ) . , ' + --
 * not starting or ending with '/' and without "//".  OWED_EINPUT otherwise.
 */
int sepa_id_check(const char *id, size_t max);

/* Sequence types of a mandate's collections. */
typedef enum { SEPA_FRST, SEPA_RCUR, SEPA_OOFF } sepa_sequence;
int sepa_sequence_parse(const char *text, sepa_sequence *out);     /* "FRST", "RCUR", "OOFF" */
const char *sepa_sequence_name(sepa_sequence s);

/*
 * A mandate lapses when no collection was presented under it for 36 months (EPC SDD Core
 * rulebook, 4.5 "expiry of mandates"): counted from the last collection's due date, or from
 * the signature when it was never used.  *until gets the last date a collection may be due;
 * returns 1 when a collection due on `on` would come too late, else 0.
 */
int sepa_mandate_lapsed(owed_date last_used, owed_date on, owed_date *until);

/*
 * The TARGET2 calendar, the days interbank SEPA payments settle: Monday to Friday except
 * 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December.
 */
int sepa_target_is_business_day(owed_date d);
/* The first TARGET2 business day on or after d. */
int sepa_target_next(owed_date d, owed_date *out);
/* n (>= 0) TARGET2 business days after d: d + 1 business day is the next one after d. */
int sepa_target_add(owed_date d, int n, owed_date *out);

#endif
