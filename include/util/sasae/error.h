/*
 * error.h — the one error type of sasae.
 *
 * Every fallible function of the core returns an int: 0 (SASAE_OK) on success or one of the negative
 * codes below, and fills a caller-supplied sasae_error with a readable message and, for errors in an
 * input document, the file and line.  Each code maps to exactly one process exit status
 * (sasae_error_exit_status) so that front ends never invent their own mapping.
 */
#ifndef SASAE_ERROR_H
#define SASAE_ERROR_H

#include <stddef.h>

/* Error codes: 0 or negative; stable (front ends map them to exit and HTTP statuses). */
typedef enum sasae_code {
	SASAE_OK = 0,          /* success */
	SASAE_EUSAGE = -1,     /* wrong arguments from the caller (exit 2) */
	SASAE_EDATA = -2,      /* bad input data: a malformed document (exit 65) */
	SASAE_ENOTFOUND = -3,  /* a named thing (file, plan, program) does not exist (exit 66) */
	SASAE_EIO = -4,        /* reading or writing a file failed (exit 74) */
	SASAE_ENOMEM = -5,     /* out of memory (exit 70) */
	SASAE_EDB = -6,        /* the database failed or is not a sasae database (exit 70) */
	SASAE_EINTERNAL = -7,  /* a bug: an invariant did not hold (exit 70) */
	SASAE_ECANCELLED = -8, /* a callback asked to stop (exit 70 if it escapes) */
	SASAE_EUNAVAILABLE = -9, /* a library a feature loads at run time is missing (exit 69) */
	SASAE_EAUTH = -10,       /* wrong login or password (exit 77; HTTP 401) */
	SASAE_EFORBIDDEN = -11,  /* signed in, but not allowed to do this (exit 77; HTTP 403) */
	SASAE_ELOCKED = -12,     /* too many failed sign-ins: try again later (exit 75; HTTP 429) */
	SASAE_ECONFLICT = -13,   /* the thing exists already / changed meanwhile (exit 65; HTTP 409) */
} sasae_code;

/* The error slot.  Zero-initialise it ({0}); functions fill it when they fail. */
typedef struct sasae_error {
	int code;          /* a sasae_code */
	char file[256];    /* input file the error is about, or "" */
	long line;         /* 1-based line in file, or 0 when not about a line */
	char message[512]; /* the message for people (Japanese), without file:line */
} sasae_error;

/*
 * Fill err (when not NULL) with code, file (may be NULL), line and a printf-style message.
 * Returns code, so that `return sasae_error_set(err, SASAE_EDATA, ...)` reads naturally.
 */
int sasae_error_set(sasae_error *err, int code, const char *file, long line, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* Clear err to the success state. */
void sasae_error_clear(sasae_error *err);

/* The process exit status for a code (sysexits): 0, 2, 65, 66, 69, 70, 74, 75 or 77. */
int sasae_error_exit_status(int code);

/* A short stable English name of a code ("data", "usage", …) for logs and JSON. */
const char *sasae_error_name(int code);

/*
 * Write "file:line: message" (or "message" when there is no file) into out (size n, always
 * NUL-terminated).  Returns out.
 */
char *sasae_error_format(const sasae_error *err, char *out, size_t n);

#endif
