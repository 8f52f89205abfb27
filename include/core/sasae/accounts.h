/*
 * accounts.h — people who sign in, what they may do, and the audit log of every change they make
 * (docs/security.md).  The rules live here, in the core; the store keeps the rows (one backend
 * function per kind of row, src/store/backend.h), the CLI (`sasae user`, `sasae audit`) and the web
 * workspace (/login, /office) call these functions and nothing below them.
 *
 * Every function that changes something is ONE transaction that also writes its audit row
 * (sasae_audit_entry): the change and its record land together or not at all.  The actor says who
 * does it and from where; the CLI acts as the operator at the terminal (user_id 0, address "cli").
 *
 * Secrets: passwords are hashed with libsodium's crypto_pwhash_str (argon2id, interactive limits)
 * and checked with crypto_pwhash_str_verify (constant time); a session id is 32 random bytes given
 * to the browser base64url-encoded (43 characters) and stored only as its BLAKE2b-256 digest; the
 * CSRF token is derived from the session id (keyed BLAKE2b) and never stored.  None of the three is
 * ever written to the audit log, a log line or an error message.
 */
#ifndef SASAE_ACCOUNTS_H
#define SASAE_ACCOUNTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/buf.h"
#include "sasae/error.h"
#include "sasae/store.h"

/* ---- roles ---- */

/* A role.  The numbers are the router's role bits (SASAE_ROUTE_ROLE(n) of include/http/sasae/http.h)
   and are stored: never renumber. */
typedef enum sasae_role {
	SASAE_ROLE_ADMIN = 0,    /* users and settings */
	SASAE_ROLE_OFFICE = 1,   /* the plan office (計画所管課): everything about plans */
	SASAE_ROLE_EDITOR = 2,   /* department editor (担当課 編集者): its department's programs only */
	SASAE_ROLE_APPROVER = 3, /* department approver (担当課 承認者): its department's programs only */
	SASAE_ROLE_COUNCIL = 4,  /* the review council (審議会): reads the workspace, comments */
} sasae_role;
enum { SASAE_NROLES = 5 };

/* "admin", "office", "editor", "approver", "council" (stable, used on the CLI and in exports). */
const char *sasae_role_name(sasae_role r);
/* The Japanese label for people ("管理者", "計画所管課", "担当課 編集者", "担当課 承認者", "審議会"). */
const char *sasae_role_label(sasae_role r);
/* Parse a role name; returns 0 or SASAE_EUSAGE (the message lists the names). */
int sasae_role_parse(const char *name, sasae_role *out, sasae_error *err);
/* Whether the role is held per department (editor, approver). */
bool sasae_role_per_department(sasae_role r);

/* A role held: department is the canonical department name for editor/approver, NULL otherwise. */
typedef struct sasae_grant {
	sasae_role role;
	char *department;
} sasae_grant;

/* ---- users ---- */

typedef struct sasae_user {
	int64_t id;
	char *login;         /* [a-z0-9._-]{1,64}, lower case */
	char *display_name;  /* for people; may be empty */
	bool disabled;
	char *created_at;    /* ISO 8601 UTC ("2026-12-05T12:00:00Z") */
	char *last_login_at; /* or NULL */
	sasae_grant *grants; /* ordered by role, then department */
	size_t ngrants;
} sasae_user;

void sasae_user_clear(sasae_user *u);
void sasae_users_free(sasae_user *users, size_t n);

/* Whether u holds role r (for a per-department role: in any department). */
bool sasae_user_has(const sasae_user *u, sasae_role r);
/* Whether u holds per-department role r in department dept (canonical name). */
bool sasae_user_has_in(const sasae_user *u, sasae_role r, const char *dept);
/* The router's role bits of u (bit n set when u holds role n anywhere). */
unsigned sasae_user_role_bits(const sasae_user *u);

/* Who makes a change and from where (copied into the audit row). */
typedef struct sasae_actor {
	int64_t user_id;     /* 0: the operator at the terminal (CLI) */
	const char *login;   /* NULL for the operator */
	const char *address; /* the client's IP address, or "cli" */
} sasae_actor;

/* The operator at the terminal. */
#define SASAE_ACTOR_CLI ((sasae_actor){.user_id = 0, .login = NULL, .address = "cli"})

/*
 * The password policy (OWASP ASVS 4.0 V2.1): at least 12 and at most 128 characters (code points,
 * after NFC), valid UTF-8 without control characters, not the login itself; no composition rules.
 * Returns 0, or SASAE_EUSAGE with a Japanese message saying what to change.
 */
int sasae_password_check(const char *login, const char *password, sasae_error *err);

/* Whether login has the form of a login ([a-z0-9._-]{1,64}): 0 or SASAE_EUSAGE saying so. */
int sasae_login_check(const char *login, sasae_error *err);

/* Users, ordered by login: *out freed with sasae_users_free. */
int sasae_user_list(sasae_store *s, sasae_user **out, size_t *n, sasae_error *err);
/* One user by login (disabled ones too); SASAE_ENOTFOUND when there is none. */
int sasae_user_get(sasae_store *s, const char *login, sasae_user *out, sasae_error *err);
/* Add a user (enabled, no roles): login checked (SASAE_EUSAGE), password checked and hashed,
   SASAE_ECONFLICT when the login exists.  Audited "user.add". */
int sasae_user_add(sasae_store *s, const sasae_actor *who, const char *login, const char *display_name,
		   const char *password, sasae_error *err);
/* Set a new password; ends every session of the user.  Audited "user.passwd" (no password in it). */
int sasae_user_passwd(sasae_store *s, const sasae_actor *who, const char *login, const char *password,
		      sasae_error *err);
/* Grant (grant=true) or revoke a role; department required for editor/approver (canonical name, as
   the served plan's department table knows it) and refused for the others (SASAE_EUSAGE).
   Granting a role held already, or revoking one not held, changes nothing and writes no audit row.
   Audited "user.role.grant" / "user.role.revoke". */
int sasae_user_role(sasae_store *s, const sasae_actor *who, const char *login, bool grant, sasae_role role,
		    const char *department, sasae_error *err);
/* Disable (disabled=true: ends every session; signing in is refused) or enable again.  Audited
   "user.disable" / "user.enable"; no change, no row. */
int sasae_user_disable(sasae_store *s, const sasae_actor *who, const char *login, bool disabled,
		       sasae_error *err);

/* ---- signing in ---- */

/* Limits (defaults: sasae_login_policy_default; `sasae serve` options may change them). */
typedef struct sasae_login_policy {
	int idle_seconds;             /* a session unused this long ends (1800) */
	int absolute_seconds;         /* a session ends this long after sign-in, used or not (43200) */
	int account_failures;         /* failed sign-ins of one login within window_seconds … (5) */
	int address_failures;         /* … or from one address (20) … */
	int window_seconds;           /* (900) */
	int lockout_seconds;          /* … lock that login / address this long after the last one (900) */
} sasae_login_policy;

sasae_login_policy sasae_login_policy_default(void);

enum {
	SASAE_SESSION_ID_LEN = 43, /* base64url of 32 bytes, no padding */
	SASAE_CSRF_TOKEN_LEN = 43,
};

/* A signed-in person, as a request sees it. */
typedef struct sasae_session {
	sasae_user user;                       /* with grants */
	char csrf[SASAE_CSRF_TOKEN_LEN + 1];   /* the token every form of this session carries */
	int64_t signed_in_at, last_seen_at;    /* Unix seconds */
	int64_t expires_at;                    /* the earlier of the idle and the absolute end */
} sasae_session;

void sasae_session_clear(sasae_session *s);

/*
 * Sign in: check the lockout (login and address), the password (constant time; an unknown login
 * costs the same hash), the account (disabled → the same answer as a wrong password).  On success
 * a new session (any session id the browser sent before is ended: fixation) and
 * id_out (SASAE_SESSION_ID_LEN + 1 bytes) is its id for the cookie; audited "session.login".
 * On failure audited "session.login-failed" (with the login as typed, never the password) and the
 * failure counted.  `now` is Unix seconds (tests pass their own clock).
 * Returns 0; SASAE_EAUTH (wrong login or password: one message for both); SASAE_ELOCKED with
 * *retry_at (Unix seconds) when the login or the address is locked (nothing checked, still audited).
 */
int sasae_login(sasae_store *s, const sasae_login_policy *p, const char *login, const char *password,
		const char *address, const char *previous_id, int64_t now, char *id_out, int64_t *retry_at,
		sasae_error *err);

/*
 * The session of cookie value id at `now`: SASAE_ENOTFOUND when there is none, it has expired (idle
 * or absolute: it is deleted) or its user is disabled.  Marks it used (last_seen_at, written at
 * most once a minute).  *out filled (sasae_session_clear).
 */
int sasae_session_get(sasae_store *s, const sasae_login_policy *p, const char *id, int64_t now,
		      sasae_session *out, sasae_error *err);

/*
 * A signed-in person changes their own password (OWASP ASVS 4.0 V2.1.5, V2.1.6): the current one
 * is checked as sign-in checks it (the same lockout, per login and per address; a wrong one is
 * counted and audited "user.passwd-failed"), the new one against the policy and against the current
 * one.  Then, as sasae_user_passwd: the new hash, every session of the person ended (other devices
 * too; the caller signs the person in again), audited "user.passwd".  who is the signed-in person
 * (login and address).  Returns 0; SASAE_EAUTH (the current password is wrong); SASAE_ELOCKED with
 * *retry_at; SASAE_EUSAGE (the new password is against the policy or the same as the current one).
 */
int sasae_password_change(sasae_store *s, const sasae_login_policy *p, const sasae_actor *who,
			  const char *current, const char *new_password, int64_t now, int64_t *retry_at,
			  sasae_error *err);

/* Sign out: end the session of id (audited "session.logout"; an unknown id is not an error). */
int sasae_logout(sasae_store *s, const char *id, const char *address, sasae_error *err);

/* Whether token is the CSRF token of session id (constant time). */
bool sasae_csrf_check(const char *id, const char *token);

/* ---- the audit log ---- */

typedef struct sasae_audit_entry {
	int64_t id;
	char *at;      /* ISO 8601 UTC with milliseconds */
	char *login;   /* who ("" for the operator at the terminal; the login as typed for a failed
			  sign-in) */
	char *address; /* IP address or "cli" */
	char *action;  /* "user.add", "session.login", "lint.triage", … (docs/security.md lists them) */
	char *target;  /* what: "user:tanaka", "program:p0012", "plan:sendai-2024-draft@3", … */
	char *before;  /* JSON object of the fields changed, as they were (or NULL: created) */
	char *after;   /* JSON object of the fields changed, as they are now (or NULL: deleted) */
} sasae_audit_entry;

typedef struct sasae_audit_filter {
	const char *login;  /* exactly this login, or NULL */
	const char *target; /* target equal to this, or starting with it followed by ':' or '@', or NULL */
	const char *action; /* exactly, or a prefix ending in '.' ("user."), or NULL */
	const char *since;  /* ISO date or timestamp, inclusive, or NULL */
	const char *until;  /* ISO date (the whole day) or timestamp, inclusive, or NULL */
	int limit, offset;  /* limit 0: all */
} sasae_audit_filter;

/* Write the audit row of a change the caller is making inside a transaction it has open on s (an
   import, src/import): the row lands with the change or not at all.  before/after are JSON texts of
   objects, or NULL.  who NULL is the operator at the terminal. */
int sasae_audit_add_in(sasae_store *s, const sasae_actor *who, const char *action, const char *target,
		       const char *before, const char *after, sasae_error *err);

/* Entries matching f, newest first; *total counts all matching.  Free with sasae_audit_free. */
int sasae_audit_list(sasae_store *s, const sasae_audit_filter *f, sasae_audit_entry **out, size_t *n,
		     size_t *total, sasae_error *err);
void sasae_audit_free(sasae_audit_entry *e, size_t n);

/* The audit log as CSV (RFC 4180, CRLF line ends, UTF-8; every cell through sasae_csv_cell, so that
   nothing typed becomes a spreadsheet formula): a header row, then one row per entry with id, at,
   login, address, action, target, before, after.  excel: a byte order mark and the header in Japanese
   (番号,日時,利用者,アドレス,操作,対象,変更前,変更後), for the workspace's download; otherwise the
   English keys (`sasae audit --format csv`, for scripts).  Check out with sasae_buf_ok. */
void sasae_audit_csv(sasae_buf *out, const sasae_audit_entry *e, size_t n, bool excel);

/* The audit log as a JSON array of {id, at, login, address, action, target, before, after}, with
   before/after as the JSON values they hold (null when none; a stored text that is not JSON stays a
   string).  NULL when memory runs out. */
json_t *sasae_audit_json(const sasae_audit_entry *e, size_t n);

#endif
