/*
 * accounts_internal.h — what accounts.c and office.c share (internal to src/accounts/): the
 * backend behind a store, one change = one transaction with its audit row, times, and the checks of
 * short texts typed by people.
 */
#ifndef SASAE_ACCOUNTS_INTERNAL_H
#define SASAE_ACCOUNTS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/accounts.h"
#include "store/backend.h"

/* "メモリが足りません" in err; returns SASAE_ENOMEM. */
int acct_oom(sasae_error *err);

/* The current time as the audit log writes it: "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC). */
void acct_now_ms(char out[32]);
/* Unix seconds t as "YYYY-MM-DDTHH:MM:SSZ" (UTC). */
void acct_iso(int64_t t, char out[32]);
/* Unix seconds t as the audit log writes it (milliseconds .000). */
void acct_iso_ms(int64_t t, char out[32]);

/* Which of before/after an audit row has (acct_audit's `has`): a side not named is NULL in the row
   (before: created; after: deleted); a side named whose object is NULL was not built (memory). */
enum { ACCT_BEFORE = 1, ACCT_AFTER = 2, ACCT_BOTH = 3 };

/*
 * Append the audit row of a change, inside the caller's transaction: who (login "" for the
 * operator, unless login_as is given: the login as typed of a failed sign-in), action, target, and
 * before/after (JSON objects or NULL; the references are stolen) as `has` says.  at NULL: now.
 * Returns 0, SASAE_ENOMEM (a side named in `has` is NULL) or the backend's error (err filled).
 */
int acct_audit(sasae_store_backend *b, const sasae_actor *who, const char *login_as, const char *action,
	       const char *target, unsigned has, json_t *before, json_t *after, const char *at,
	       sasae_error *err);

/* End the transaction the caller began: commit when rc is 0 (its error, if any, is returned), roll
   back otherwise (rc returned). */
int acct_finish(sasae_store_backend *b, int rc, sasae_error *err);

/*
 * Check a short text typed by a person: valid UTF-8, no control characters (with multiline, LF, CR
 * and TAB are allowed), at most max code points.  *ncp (may be NULL) gets its length in code points.
 * Returns false when it is not acceptable (*why: "utf8", "control" or "long").
 */
bool acct_text_ok(const char *s, bool multiline, size_t max, size_t *ncp, const char **why);

/* A JSON string of s (NULL → JSON null), or NULL when out of memory. */
json_t *acct_json_str(const char *s);

#endif
