/*
 * backend.h — what a store backend implements (internal to src/store): a versioned table of
 * functions, in the manner of libgit2's git_refdb_backend.  A backend embeds sasae_store_backend as
 * the first member of its own struct and fills the table; sasae_store_attach checks the version and
 * the required functions.  src/store/store.c dispatches the public interface (include/core/sasae/store.h)
 * to it and holds the rules the backends share: program identity and original listings
 * (include/core/sasae/identity.h), a plan's programs assembled from its listings, and the fallbacks of
 * the optional functions.
 *
 * A backend stores and looks up; it does not decide.  Handles (`int64_t` program and listing refs)
 * are the backend's own, opaque to the core.
 */
#ifndef SASAE_STORE_BACKEND_H
#define SASAE_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/error.h"
#include "sasae/model.h"
#include "sasae/normalize.h"
#include "sasae/query.h"
#include "sasae/store.h"

/* The version of the table this build knows. */
#define SASAE_STORE_BACKEND_VERSION 3

#include "sasae/accounts.h"
#include "sasae/office.h"
#include "sasae/progress.h"

/* A backend's import in progress (its own struct). */
typedef struct sasae_backend_import sasae_backend_import;

/* Called by import_begin for each program the plan knows: identity key, id, the backend's handle. */
typedef int (*sasae_backend_known_fn)(void *ctx, const char *key, const char *id, int64_t ref);

/* A program of the version being imported and its original listing (decided by the core). */
typedef struct sasae_backend_original {
	int64_t program; /* program ref */
	int64_t listing; /* listing ref */
} sasae_backend_original;

typedef struct sasae_store_backend sasae_store_backend;

/* A session row as stored (the id's digest is the key; see include/core/sasae/accounts.h). */
typedef struct sasae_backend_session {
	int64_t account_id;
	int64_t signed_in_at, last_seen_at; /* Unix seconds */
} sasae_backend_session;

/* An audit query as the core prepared it (sasae_audit_list): every field checked and canonical. */
typedef struct sasae_backend_audit_query {
	const char *login;  /* login equal to this, or NULL */
	const char *target; /* target equal to this, or starting with it and ':' or '@', or NULL */
	const char *action; /* action equal to this, or NULL */
	bool action_prefix; /* action is a prefix ("user."): actions starting with it */
	const char *since;  /* at >= this (full "YYYY-MM-DDTHH:MM:SS.mmmZ"), or NULL */
	const char *until;  /* at <= this (same form), or NULL */
	int limit, offset;  /* limit 0: all */
} sasae_backend_audit_query;

/* A program of a version as the department scope needs it. */
typedef struct sasae_backend_program {
	char *name;         /* its original listing's name (owned) */
	char **departments; /* canonical names of the departments of all its listings in the
				version, distinct, in document order (owned) */
	size_t ndepartments;
} sasae_backend_program;

struct sasae_store_backend {
	unsigned int version; /* SASAE_STORE_BACKEND_VERSION */
	const char *name;     /* "sqlite" */

	/* ---- required ---- */

	/* Close and free the backend. */
	void (*free)(sasae_store_backend *b);
	/* The notation-variant table the search index was built with (borrowed). */
	const sasae_variants *(*variants)(const sasae_store_backend *b);

	/* Start an import of a document into plan `slug` (see sasae_store_import_begin): when the digest
	   is known, *out NULL and *existing its version number; otherwise *out, *version (the new
	   version's number), *next_program (the plan's next program number), and known() called for
	   every program of the plan. */
	int (*import_begin)(sasae_backend_import **out, int *existing, int *version, int64_t *next_program,
			    sasae_store_backend *b, const char *slug, const char *source, const char *digest,
			    sasae_backend_known_fn known, void *ctx, sasae_error *err);
	int (*import_title)(sasae_backend_import *imp, const char *title, sasae_error *err);
	int (*import_part)(sasae_backend_import *imp, int number, const char *title, sasae_error *err);
	int (*import_section)(sasae_backend_import *imp, int number, const char *title, long line,
			      sasae_error *err);
	/* A new program of the plan; *ref is its handle. */
	int (*import_program)(sasae_backend_import *imp, const char *id, const char *key, int64_t *ref,
			      sasae_error *err);
	/* A listing of the current section, of program `program` (a ref); *ref is the listing's handle. */
	int (*import_listing)(sasae_backend_import *imp, const sasae_listing *l, int64_t program,
			      int64_t *ref, sasae_error *err);
	int (*import_warning)(sasae_backend_import *imp, long line, const char *kind, const char *message,
			      sasae_error *err);
	/* Store the version's programs with their original listings, the plan's next program number,
	   build the search index unless !index, and commit; imp is freed (also on failure, rolled back). */
	int (*import_commit)(sasae_backend_import *imp, const sasae_backend_original *programs, size_t n,
			     int64_t next_program, bool index, sasae_error *err);
	/* Roll back and free. */
	void (*import_abort)(sasae_backend_import *imp);

	int (*plans)(sasae_store_backend *b, sasae_plan_info **out, size_t *n, sasae_error *err);
	int (*resolve)(sasae_store_backend *b, const char *spec, int64_t *version_id, sasae_error *err);
	/* The version as stored: title, parts, sections, listings (with program ids and departments) and
	   warnings; plan->programs empty (the core assembles them). */
	int (*load_listings)(sasae_store_backend *b, int64_t version_id, sasae_plan **out, sasae_error *err);
	/* See sasae_store_search (scores: higher is better). */
	int (*search)(sasae_store_backend *b, int64_t version_id, const sasae_store_query *q,
		      sasae_store_hit **hits, size_t *nhits, size_t *total, sasae_error *err);
	int (*search_ids)(sasae_store_backend *b, int64_t version_id, const sasae_store_query *q, char ***ids,
			  size_t *n, sasae_error *err);
	int (*reindex)(sasae_store_backend *b, int64_t version_id, sasae_error *err);
	int (*finder_file)(sasae_store_backend *b, const char *name, sasae_store_file *out, sasae_error *err);

	/* ---- accounts, sessions, audit and the office's decisions (version 2) ----
	   Rows only: every rule (policy, lockout, scope, validation) is the core's
	   (src/accounts/).  Functions that write do not open a transaction: the core brackets a
	   change and its audit row with tx_begin … tx_commit (or tx_rollback). */

	/* One write transaction (BEGIN IMMEDIATE), its commit and its rollback. */
	int (*tx_begin)(sasae_store_backend *b, sasae_error *err);
	int (*tx_commit)(sasae_store_backend *b, sasae_error *err);
	void (*tx_rollback)(sasae_store_backend *b);

	/* Users ordered by login, with their grants.  *out freed with sasae_users_free. */
	int (*user_list)(sasae_store_backend *b, sasae_user **out, size_t *n, sasae_error *err);
	/* One user by login (id 0: by login; login NULL: by id) with grants; *hash (may be NULL: not
	   wanted) is its password hash (owned).  SASAE_ENOTFOUND without a message when none. */
	int (*user_get)(sasae_store_backend *b, const char *login, int64_t id, sasae_user *out, char **hash,
			sasae_error *err);
	/* Insert a user (enabled, no roles); *id its new id. */
	int (*user_insert)(sasae_store_backend *b, const char *login, const char *display_name,
			   const char *hash, const char *created_at, int64_t *id, sasae_error *err);
	int (*user_set_hash)(sasae_store_backend *b, int64_t id, const char *hash, sasae_error *err);
	int (*user_set_disabled)(sasae_store_backend *b, int64_t id, bool disabled, sasae_error *err);
	int (*user_set_last_login)(sasae_store_backend *b, int64_t id, const char *at, sasae_error *err);
	/* Add (add true) or remove a grant; department "" for the roles not held per department.
	   *changed says whether a row was added or removed. */
	int (*grant_put)(sasae_store_backend *b, int64_t id, bool add, int role, const char *department,
			 bool *changed, sasae_error *err);

	/* Sessions by the BLAKE2b-256 digest of their id (32 bytes). */
	int (*session_insert)(sasae_store_backend *b, const unsigned char hash[32], int64_t account_id,
			      int64_t now, const char *address, sasae_error *err);
	/* SASAE_ENOTFOUND without a message when there is none. */
	int (*session_get)(sasae_store_backend *b, const unsigned char hash[32], sasae_backend_session *out,
			   sasae_error *err);
	int (*session_touch)(sasae_store_backend *b, const unsigned char hash[32], int64_t now,
			     sasae_error *err);
	int (*session_delete)(sasae_store_backend *b, const unsigned char hash[32], sasae_error *err);
	/* Delete every session of a user; *n (may be NULL) how many. */
	int (*session_delete_user)(sasae_store_backend *b, int64_t account_id, size_t *n, sasae_error *err);

	/* Failed sign-ins: kind "login" or "address". */
	int (*failure_add)(sasae_store_backend *b, const char *kind, const char *key, int64_t at,
			   sasae_error *err);
	/* How many failures of kind/key are at > since, and the time of the last one (0: none). */
	int (*failure_count)(sasae_store_backend *b, const char *kind, const char *key, int64_t since,
			     int *count, int64_t *last, sasae_error *err);
	/* Forget the failures of kind/key (key NULL: every one older than before). */
	int (*failure_clear)(sasae_store_backend *b, const char *kind, const char *key, int64_t before,
			     sasae_error *err);

	/* Append an audit row (e->id ignored). */
	int (*audit_add)(sasae_store_backend *b, const sasae_audit_entry *e, sasae_error *err);
	/* Rows matching q, newest (highest id) first; *total all matching. */
	int (*audit_list)(sasae_store_backend *b, const sasae_backend_audit_query *q, sasae_audit_entry **out,
			  size_t *n, size_t *total, sasae_error *err);

	/* The id of plan slug: SASAE_ENOTFOUND without a message when there is none. */
	int (*plan_id)(sasae_store_backend *b, const char *slug, int64_t *plan_id, sasae_error *err);
	/* The plan slug and version number of a version: SASAE_ENOTFOUND without a message. */
	int (*version_label)(sasae_store_backend *b, int64_t version_id, char **slug, int *seq,
			     sasae_error *err);
	/* Whether plan plan_id has a version numbered seq. */
	int (*version_exists)(sasae_store_backend *b, int64_t plan_id, int seq, bool *exists, sasae_error *err);

	int (*triage_list)(sasae_store_backend *b, int64_t plan_id, sasae_triage **out, size_t *n,
			   sasae_error *err);
	/* One decision: *found false when there is none (out untouched). */
	int (*triage_get)(sasae_store_backend *b, int64_t plan_id, const char *finding, sasae_triage *out,
			  bool *found, sasae_error *err);
	/* Store a decision (replacing one), or with t NULL delete the decision about finding. */
	int (*triage_put)(sasae_store_backend *b, int64_t plan_id, const char *finding, const sasae_triage *t,
			  sasae_error *err);

	/* The published version (0: none chosen). */
	int (*public_get)(sasae_store_backend *b, int64_t plan_id, int *version, sasae_error *err);
	/* Publish version (0: delete the choice). */
	int (*public_set)(sasae_store_backend *b, int64_t plan_id, int version, sasae_error *err);

	/* Part `part` of a version: *exists, and its *title (owned; NULL when it has none). */
	int (*part_title_get)(sasae_store_backend *b, int64_t version_id, int part, bool *exists,
			      char **title, sasae_error *err);
	/* Set (NULL: clear) part `part`'s title. */
	int (*part_title_put)(sasae_store_backend *b, int64_t version_id, int part, const char *title,
			      sasae_error *err);

	/* Store data file name with text (NULL: delete it, back to the built-in one), inside the
	   caller's transaction.  Read back with finder_file (it reads any name). */
	int (*file_put)(sasae_store_backend *b, const char *name, const char *text, size_t len,
			const char *source, sasae_error *err);

	/* Program `program` ("p0012") of a version: its name and departments.  SASAE_ENOTFOUND
	   without a message when the version does not list it.  Free with sasae_backend_program_clear. */
	int (*program_get)(sasae_store_backend *b, int64_t version_id, const char *program,
			   sasae_backend_program *out, sasae_error *err);

	/* Comments on target (NULL: all), oldest first, with the display name of their author. */
	int (*comment_list)(sasae_store_backend *b, const char *target, sasae_comment **out, size_t *n,
			    sasae_error *err);
	int (*comment_insert)(sasae_store_backend *b, const char *target, const char *login, const char *at,
			      const char *text, int64_t *id, sasae_error *err);

	/* ---- yearly progress (version 3; schema 006): rows only, the rules are src/progress/'s ---- */

	/* The cycle of year: *found false when there is none (out untouched). */
	int (*progress_cycle_get)(sasae_store_backend *b, int year, sasae_progress_cycle *out, bool *found,
				  sasae_error *err);
	/* Every cycle, newest year first. */
	int (*progress_cycle_list)(sasae_store_backend *b, sasae_progress_cycle **out, size_t *n,
				   sasae_error *err);
	int (*progress_cycle_insert)(sasae_store_backend *b, const sasae_progress_cycle *c, sasae_error *err);
	/* One sheet: *found false when there is none (out untouched). */
	int (*progress_sheet_get)(sasae_store_backend *b, int year, const char *program,
				  sasae_progress_sheet *out, bool *found, sasae_error *err);
	/* The sheets of year ordered by program id. */
	int (*progress_sheet_list)(sasae_store_backend *b, int year, sasae_progress_sheet **out, size_t *n,
				   sasae_error *err);
	/* Store a sheet (replacing the one of its year and program). */
	int (*progress_sheet_put)(sasae_store_backend *b, const sasae_progress_sheet *sh, sasae_error *err);
	/* Comments of year on target (NULL: all), oldest first. */
	int (*progress_comment_list)(sasae_store_backend *b, int year, const char *target,
				     sasae_comment **out, size_t *n, sasae_error *err);
	int (*progress_comment_insert)(sasae_store_backend *b, int year, const char *target, const char *login,
				       const char *at, const char *text, int64_t *id, sasae_error *err);

	/* ---- optional (NULL: the core's fallback) ---- */

	/* Programs matching expr, counted up to cap + 1.  Fallback: search with limit 0 (its total). */
	int (*count)(sasae_store_backend *b, int64_t version_id, const sasae_query_node *expr, size_t cap,
		     size_t *n, sasae_error *err);
	/* Close and remove what this open created (a failed first import).  Fallback: free. */
	void (*discard)(sasae_store_backend *b);
	/* See sasae_store_ping.  Fallback: plans. */
	int (*ping)(sasae_store_backend *b, sasae_error *err);
	/* See sasae_store_backup.  Fallback: SASAE_EUNAVAILABLE (the backend's own tools). */
	int (*backup)(sasae_store_backend *b, const char *file, bool force, sasae_error *err);
	/* See sasae_store_check.  Fallback: SASAE_EUNAVAILABLE. */
	int (*check)(sasae_store_backend *b, sasae_store_problem_fn problem, void *ctx, size_t *nproblems,
		     sasae_error *err);
};

/*
 * Wrap a backend into a store: checks b->version and that every required function is there.
 * On success *out owns b; on failure b is freed.  Returns 0, SASAE_EINTERNAL (a backend of another
 * version, or incomplete) or SASAE_ENOMEM.
 */
int sasae_store_attach(sasae_store **out, sasae_store_backend *b, sasae_error *err);

/* The backend of a store (borrowed): for the core's modules that keep rows through it
   (src/accounts/), which hold the rules and call it between tx_begin and tx_commit. */
sasae_store_backend *sasae_store_backend_of(sasae_store *s);

/* Free what a sasae_backend_program holds and empty it. */
void sasae_backend_program_clear(sasae_backend_program *p);

/* The SQLite backend (src/store/sqlite/): open the file at path with sasae_store_open's flags. */
int sasae_sqlite_backend_open(sasae_store_backend **out, const char *path, int flags, sasae_error *err);

/* The SQLite backend's restore (see sasae_store_restore): the file at db replaced by backup file. */
int sasae_sqlite_restore(const char *db, const char *file, sasae_store_problem_fn problem, void *ctx,
			 size_t *nproblems, sasae_error *err);

#endif
