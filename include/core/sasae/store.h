/*
 * store.h — where plans are kept: the interface every backend serves, in model structs, parsed
 * queries (include/core/sasae/query.h) and neutral relevance scores.  The backend is chosen by the
 * database location (sasae_store_open): a file path is the SQLite backend (src/store/sqlite/);
 * a postgresql:// URI is reserved for a PostgreSQL backend.  Every write is one transaction; the
 * rules of program identity are the core's (include/core/sasae/identity.h), not a backend's.
 *
 * Ownership: sasae_store_open → sasae_store_close (or sasae_store_discard).  Functions that return
 * new objects say so; everything else is borrowed.
 */
#ifndef SASAE_STORE_H
#define SASAE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/error.h"
#include "sasae/model.h"
#include "sasae/normalize.h"
#include "sasae/query.h"

typedef struct sasae_store sasae_store;

enum {
	SASAE_STORE_READONLY = 1, /* open for reading only; the database must exist */
	SASAE_STORE_CREATE = 2,   /* create the database (and schema) when missing */
	SASAE_STORE_IMPORT = 4,   /* a hint: the caller imports next (a backend may prepare a database
	                             created now for that one large write) */
};

/* The schema version this build writes and reads. */
#define SASAE_SCHEMA_VERSION 6

/*
 * Open (and with SASAE_STORE_CREATE create) the database at `db`, migrating its schema to
 * SASAE_SCHEMA_VERSION (never in read-only mode).  `db` chooses the backend: "postgresql://…" or
 * "postgres://…" is the PostgreSQL backend (not built yet: SASAE_EUNAVAILABLE); anything else is
 * the path of a SQLite file.
 * Returns 0, SASAE_ENOTFOUND (no such database, read-only), SASAE_EDB (not a sasae database, or a
 * newer schema), SASAE_EUNAVAILABLE, SASAE_ENOMEM.
 */
int sasae_store_open(sasae_store **out, const char *db, int flags, sasae_error *err);

/* Close; NULL is a no-op. */
void sasae_store_close(sasae_store *s);

/* Close, and remove the database when this open created it (after a failed first import, so that
   nothing is left behind); NULL is a no-op. */
void sasae_store_discard(sasae_store *s);

/* ---- writing: one import is one transaction ---- */

typedef struct sasae_store_import sasae_store_import;

/* What an import added. */
typedef struct sasae_import_summary {
	int version;    /* the version's number within the plan */
	bool unchanged; /* the same document was already imported (nothing written) */
	size_t parts, sections, listings, programs, new_programs, warnings;
} sasae_import_summary;

/*
 * Start importing a document into plan `slug` (created when new).  When a version with the same
 * digest already exists, nothing is started: *out is NULL and *existing is set to that version's
 * number.  Otherwise *out is a new import (in an open transaction) and *existing is 0.
 */
int sasae_store_import_begin(sasae_store_import **out, int *existing, sasae_store *s, const char *slug,
			     const char *source, const char *digest, sasae_error *err);
/* The version's title (called once, before commit). */
int sasae_store_import_title(sasae_store_import *imp, const char *title, sasae_error *err);
/* A new part (number 1, 2, …) with an optional title. */
int sasae_store_import_part(sasae_store_import *imp, int number, const char *title, sasae_error *err);
/* A new section of the current part. */
int sasae_store_import_section(sasae_store_import *imp, int number, const char *title, long line,
			       sasae_error *err);
/* A listing of the current section (its program identity is found or created here). */
int sasae_store_import_listing(sasae_store_import *imp, const sasae_listing *l, sasae_error *err);
/* A parser warning about the document (kept so that lint can report it later; docs/lint.md). */
int sasae_store_import_warning(sasae_store_import *imp, long line, const char *kind, const char *message,
			       sasae_error *err);
/* What the import holds so far (version, parts, sections, listings, programs, new_programs; warnings
   are the caller's to count): for the audit row written before commit. */
sasae_import_summary sasae_store_import_so_far(const sasae_store_import *imp);
/* Do not build the search index at commit (bulk loads: run sasae_store_reindex later). */
void sasae_store_import_skip_index(sasae_store_import *imp);
/* Finish: store each program's original listing (include/core/sasae/identity.h), build the search
   index, commit, fill *summary, free imp (also on failure: rolled back). */
int sasae_store_import_commit(sasae_store_import *imp, sasae_import_summary *summary, sasae_error *err);
/* Roll back and free; NULL is a no-op.  The database is left exactly as it was. */
void sasae_store_import_abort(sasae_store_import *imp);

/* ---- reading ---- */

/* One plan as `sasae plans` shows it (its latest version). */
typedef struct sasae_plan_info {
	char *slug;
	char *title;
	int version;  /* latest version number */
	char *source; /* latest version's file name */
	char *imported_at;
	size_t parts, sections, listings, programs;
} sasae_plan_info;

/* All plans, ordered by slug: *out (array of *n) freed with sasae_plan_infos_free. */
int sasae_store_plans(sasae_store *s, sasae_plan_info **out, size_t *n, sasae_error *err);
void sasae_plan_infos_free(sasae_plan_info *infos, size_t n);

/*
 * Find a version: spec is "slug", "slug@N" (version N) or NULL (the plan imported last, latest
 * version).  Sets *version_id.  Returns 0, SASAE_ENOTFOUND (with a message naming the plans there
 * are) or SASAE_EUSAGE (a malformed spec).
 */
int sasae_store_resolve(sasae_store *s, const char *spec, int64_t *version_id, sasae_error *err);

/* Load a whole version as a plan model (*out, caller frees with sasae_plan_free), with the printed
   form of each department and the parser's warnings (plan->warnings). */
int sasae_store_load_plan(sasae_store *s, int64_t version_id, sasae_plan **out, sasae_error *err);

/* ---- search (the index is written by import; see docs/search.md) ---- */

/* A search as src/search parses it (include/core/sasae/query.h). */
typedef struct sasae_store_query {
	const sasae_query_node *match;   /* what programs must match; NULL: every program of the filters */
	const sasae_query_node *exclude; /* with match NULL: programs to leave out, or NULL */
	int part;                        /* listed in this part (0: any) */
	int section;                     /* listed in a section with this number (0: any) */
	const char *exact_key;           /* programs whose identity key equals this rank first (NULL: none) */
	int limit, offset;
} sasae_store_query;

/* Where a hit is listed. */
typedef struct sasae_store_place {
	int part, section, position;
	int section_index; /* the section's order in its part */
	long number;
	bool relisted;
	char *section_title;
} sasae_store_place;

/* One matching program. */
typedef struct sasae_store_hit {
	char *program; /* "p0001" */
	char *name;
	char *summary;
	char *departments; /* canonical names joined with "、" */
	double score;      /* relevance: higher is better (0 for a filter-only query) */
	sasae_store_place *places;
	size_t nplaces;
} sasae_store_hit;

/*
 * Run a search over one version: an exact name first (exact_key), then by score, then in document
 * order; a filter-only query in document order.  *hits (array of *nhits, at most q->limit) is freed
 * with sasae_store_hits_free; *total is the number of all matching programs.  Returns 0, SASAE_EDB,
 * SASAE_ENOMEM, SASAE_EINTERNAL (the backend could not run the query: a bug in its compiler).
 */
int sasae_store_search(sasae_store *s, int64_t version_id, const sasae_store_query *q, sasae_store_hit **hits,
		       size_t *nhits, size_t *total, sasae_error *err);
void sasae_store_hits_free(sasae_store_hit *hits, size_t n);

/* How many of the version's programs match expr, counted up to cap + 1 (for "did you mean": a
   count that may stop early).  Returns as sasae_store_search. */
int sasae_store_count(sasae_store *s, int64_t version_id, const sasae_query_node *expr, size_t cap, size_t *n,
		      sasae_error *err);

/* The ids of every program matching q (limit/offset ignored), in no particular order: *ids is an
   array of *n malloc'd strings, freed with sasae_store_ids_free. */
int sasae_store_search_ids(sasae_store *s, int64_t version_id, const sasae_store_query *q, char ***ids,
			   size_t *n, sasae_error *err);
void sasae_store_ids_free(char **ids, size_t n);

/* Rebuild the search index of a version (after an import without index, or a new variant table),
   in one transaction.  Returns 0, SASAE_EDB, SASAE_ENOMEM. */
int sasae_store_reindex(sasae_store *s, int64_t version_id, sasae_error *err);

/* ---- the finder's data files (docs/finder.md) ---- */

/* A data file as stored. */
typedef struct sasae_store_file {
	char *text; /* the whole file (NUL-terminated), or NULL */
	size_t len;
	char *source;    /* the path it was loaded from */
	char *loaded_at; /* ISO 8601 UTC */
} sasae_store_file;

/* The stored copy of finder file `name` ("vocabulary.tsv", …): out->text is NULL when the database
   has none (the built-in one applies).  Free with sasae_store_file_clear. */
int sasae_store_finder_file(sasae_store *s, const char *name, sasae_store_file *out, sasae_error *err);
void sasae_store_file_clear(sasae_store_file *f);

/* The notation-variant table the index was built with (borrowed; valid until close). */
const sasae_variants *sasae_store_variants(const sasae_store *s);

/* ---- operations: backup, restore, check (docs/operations.md) ---- */

/* Whether the database answers a trivial query (`/healthz`).  Returns 0 or SASAE_EDB. */
int sasae_store_ping(sasae_store *s, sasae_error *err);

/* Called once for each problem sasae_store_check finds, with its description (Japanese, naming
   the table, row or version).  A non-zero return stops the check (SASAE_ECANCELLED). */
typedef int (*sasae_store_problem_fn)(void *ctx, const char *problem);

/*
 * Write a consistent copy of the whole database to the file `file` while others may read and
 * write it (SQLite: the online backup API, into a temporary file in file's directory, synced,
 * then renamed into place).  Without force an existing file is refused (SASAE_ECONFLICT).
 * Returns 0, SASAE_ECONFLICT, SASAE_EIO, SASAE_EDB, SASAE_ENOMEM, or SASAE_EUNAVAILABLE for a
 * backend that has its own tools (PostgreSQL: pg_dump).
 */
int sasae_store_backup(sasae_store *s, const char *file, bool force, sasae_error *err);

/*
 * Check the database: the backend's own integrity and foreign-key checks and sasae's invariants
 * (every listing's program exists, one original listing per program and version, the search
 * index matches the versions' programs, audit rows hold valid JSON).  problem (may be NULL) is
 * called for each problem found; *nproblems is their number.  Returns 0 (also when problems were
 * found: see *nproblems), SASAE_EDB, SASAE_ENOMEM, SASAE_ECANCELLED, SASAE_EUNAVAILABLE.
 */
int sasae_store_check(sasae_store *s, sasae_store_problem_fn problem, void *ctx, size_t *nproblems,
		      sasae_error *err);

/*
 * Replace the database at `db` with the backup `file`: file must be a sasae database of a schema
 * version this build understands (older ones are migrated) that passes sasae_store_check (its
 * problems are reported through problem); the replacement is one transaction, so `db` is either
 * wholly the old database or wholly the backup.  A running `sasae serve` keeps cached state and
 * must be restarted.  On any refusal `db` is left as it was.
 * Returns 0, SASAE_ENOTFOUND (no file), SASAE_EDATA (not a sasae database, a newer schema, or
 * problems found), SASAE_EIO, SASAE_EDB, SASAE_ENOMEM, SASAE_EUNAVAILABLE (PostgreSQL: pg_restore).
 */
int sasae_store_restore(const char *db, const char *file, sasae_store_problem_fn problem, void *ctx,
			size_t *nproblems, sasae_error *err);

#endif
