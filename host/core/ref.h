/*
 * ref.h -- IBANs and structured payment references: check, normalise, generate, find.
 *
 * A payment is matched to an invoice by the structured reference the debtor copied into the
 * transfer.  Three kinds are in use in NL and BE:
 *
 *   REF_NL      Dutch betalingskenmerk (Currence), digits only:
 *                 16 digits   C + 15 digits
 *                 9..14       C + L + 7..12 digits, L = number of digits after it, mod 10
 *                 7 digits    no check digit at all
 *               C is a weighted mod 11 over everything after it (the length code included),
 *               weights 2 4 8 5 10 9 7 3 6 1 from the right, repeating; 10 -> 1, 11 -> 0
 *               (Betaalvereniging Nederland, "Specificaties betalingskenmerk").
 *   REF_BE_OGM  Belgian structured communication (OGM/VCS), +++ddd/dddd/ddddd+++: ten digits
 *               and two check digits, their value mod 97 (0 -> 97).
 *   REF_RF      ISO 11649 creditor reference: RF, two check digits, 1..21 letters or digits;
 *               valid when the whole, RF and check digits moved to the end, is 1 mod 97.
 *
 * Input is read leniently: spaces anywhere and lowercase letters are accepted; an OGM may be
 * delimited by +++ or ***, or bare (12 digits, with or without the two slashes).  What is stored
 * is the canonical form ref_normalize writes, the one ref_make_* and ref_find write too:
 * NL digits only, BE "+++ddd/dddd/ddddd+++", RF uppercase without spaces.
 *
 * Functions return 0 or a negative OWED_E* code from err.h.  On failure *kind is left untouched
 * and an out buffer holds "" if n > 0.  OWED_EOVERFLOW means the result and its NUL do not fit in
 * n bytes; IBAN_BUFSZ, IBAN_FMT_BUFSZ and REF_BUFSZ always suffice.  Pointers must not be NULL,
 * except kind where a function says so.
 */
#ifndef OWED_REF_H
#define OWED_REF_H

#include <stddef.h>
#include <stdint.h>

#define IBAN_MAX        34   /* characters in the longest IBAN ISO 13616 allows */
#define IBAN_BUFSZ      (IBAN_MAX + 1)
#define IBAN_FMT_BUFSZ  (IBAN_MAX + IBAN_MAX / 4 + 1)   /* with a space after every group of 4 */
#define REF_MAX         25   /* the longest canonical reference: RF + 2 + 21 */
#define REF_BUFSZ       (REF_MAX + 1)

typedef enum { REF_NONE, REF_NL, REF_BE_OGM, REF_RF } ref_kind;

/*
 * Writes in without spaces and in uppercase: " nl91 abna 0417 1643 00" -> "NL91ABNA0417164300".
 * OWED_EINPUT if in holds anything but ASCII letters, digits and spaces, or is empty or longer
 * than IBAN_MAX once compacted.  The check digits are not verified; that is iban_check.
 */
int iban_normalize(const char *in, char *out, size_t n);

/*
 * 0 if iban (in any form iban_normalize accepts) is a valid IBAN: a country of the SWIFT IBAN
 * registry (all SEPA countries and the other registry countries) with its exact length, check
 * digits 02..98 and the whole, first four characters moved to the end, 1 mod 97.  The national
 * BBAN structure and check digits are not verified.  OWED_EINPUT otherwise.
 */
int iban_check(const char *iban);

/* Writes a valid iban in groups of four, "NL91 ABNA 0417 1643 00".  OWED_EINPUT if not valid. */
int iban_format(const char *iban, char *out, size_t n);

/*
 * 0 if text is a valid structured reference, with its kind in *kind (kind may be NULL).  The
 * kind comes from the shape:
 *   starts with RF                            -> REF_RF
 *   starts with + or *, or contains a '/'     -> REF_BE_OGM
 *   12 digits whose last two check as an OGM  -> REF_BE_OGM, else REF_NL (9..14 digit form)
 *   other digit strings                       -> REF_NL
 * A 12-digit string can be both a valid OGM and a valid NL reference with length code 0, as
 * 600001591719 is (about one valid 12-digit NL reference in a hundred); it is then taken as an
 * OGM.  Callers that know the kind, as when matching against the reference printed on an
 * invoice, use ref_check_kind.
 * OWED_EINPUT for a wrong check digit and for text of no known shape.
 */
int ref_check(const char *text, ref_kind *kind);

/* 0 if text is a valid reference of kind; OWED_EINPUT if not, OWED_EUSAGE for REF_NONE. */
int ref_check_kind(const char *text, ref_kind kind);

/* Writes the canonical form of text, which must be a valid reference of kind, as above. */
int ref_normalize(const char *text, ref_kind kind, char *out, size_t n);

/*
 * Reference generators for invoices, written in canonical form.  ref_make_nl: number padded to
 * 15 digits after its check digit (16 digits); OWED_EOVERFLOW above 999999999999999.
 * ref_make_ogm: number padded to 10 digits and its two check digits; OWED_EOVERFLOW above
 * 9999999999.  ref_make_rf: RF, check digits and base (1..21 letters or digits; spaces and case
 * as for input); OWED_EINPUT for any other base.
 */
int ref_make_nl(uint64_t number, char *out, size_t n);
int ref_make_ogm(uint64_t number, char *out, size_t n);
int ref_make_rf(const char *base, char *out, size_t n);

/*
 * Finds the first valid structured reference in free remittance text, such as a bank
 * statement's "Betaling factuur 2024-0012 kenmerk 5000 0567 8901 2345", and writes its canonical
 * form and kind (kind may be NULL).  Recognised, as a word of its own:
 *   an RF reference, in one piece or in groups of four ("RF18 5390 0754 7034"; a group
 *   without a digit is taken for the next word, not part of the reference);
 *   an OGM between +++ or *** (spaces inside allowed);
 *   a 16-digit NL reference, in one run or in groups separated by single spaces.
 * Bare 12-digit OGMs and the shorter NL forms are not looked for: in free text, invoice numbers,
 * dates, account and phone numbers would pass their checks by chance too often.  Candidates
 * whose check digits fail are skipped.  OWED_ENOTFOUND if there is none.
 */
int ref_find(const char *text, ref_kind *kind, char *out, size_t n);

#endif
