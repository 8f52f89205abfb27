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
#define SASAE_STORE_BACKEND_VERSION 1

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
	int (*set_finder_files)(sasae_store_backend *b, const sasae_store_file *files,
				const char *const *names, size_t n, sasae_error *err);

	/* ---- optional (NULL: the core's fallback) ---- */

	/* Programs matching expr, counted up to cap + 1.  Fallback: search with limit 0 (its total). */
	int (*count)(sasae_store_backend *b, int64_t version_id, const sasae_query_node *expr, size_t cap,
		     size_t *n, sasae_error *err);
	/* Close and remove what this open created (a failed first import).  Fallback: free. */
	void (*discard)(sasae_store_backend *b);
};

/*
 * Wrap a backend into a store: checks b->version and that every required function is there.
 * On success *out owns b; on failure b is freed.  Returns 0, SASAE_EINTERNAL (a backend of another
 * version, or incomplete) or SASAE_ENOMEM.
 */
int sasae_store_attach(sasae_store **out, sasae_store_backend *b, sasae_error *err);

/* The SQLite backend (src/store/sqlite/): open the file at path with sasae_store_open's flags. */
int sasae_sqlite_backend_open(sasae_store_backend **out, const char *path, int flags, sasae_error *err);

#endif
