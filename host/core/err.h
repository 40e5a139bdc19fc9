/*
 * err.h -- the error codes every layer of owed returns.
 *
 * As in libuv, a function that can fail returns 0 or a negative code.  The code says what kind
 * of failure it is, which is what a caller (and the CLI's exit status) needs; the human message
 * naming the field and the value is composed by whoever knows the field (services/, cli/).
 */
#ifndef OWED_ERR_H
#define OWED_ERR_H

enum {
	OWED_OK        =  0,
	OWED_EUSAGE    = -1,  /* the call itself is wrong: unknown option, missing argument */
	OWED_EINPUT    = -2,  /* malformed input: an amount, date, IBAN or reference that does not parse */
	OWED_EOVERFLOW = -3,  /* an amount or date beyond what int64 / the calendar can hold */
	OWED_EREFUSED  = -4,  /* well-formed, but refused by a ledger invariant */
	OWED_ENOTFOUND = -5,  /* the named debtor, invoice or payment does not exist */
	OWED_EEXIST    = -6,  /* it exists already (duplicate invoice number, debtor number) */
	OWED_EIO       = -7,  /* the database or a file failed */
	OWED_ENOMEM    = -8
};

#endif
