/*
 * store.c — the store's dispatch layer (see include/core/sasae/store.h and backend.h): chooses a backend
 * by the database location, checks its table of functions, and keeps what the backends share —
 * the identity rules applied while importing (include/core/sasae/identity.h), a loaded plan's programs
 * assembled from its listings, the fallbacks of optional functions, and the freeing of what the
 * interface returns.
 */
#include "sasae/store.h"

#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "sasae/identity.h"

struct sasae_store {
	sasae_store_backend *b; /* owned */
};

int sasae_store_attach(sasae_store **out, sasae_store_backend *b, sasae_error *err)
{
	*out = NULL;
	if (b->version != SASAE_STORE_BACKEND_VERSION || !b->free || !b->variants || !b->import_begin ||
	    !b->import_title || !b->import_part || !b->import_section || !b->import_program ||
	    !b->import_listing || !b->import_warning || !b->import_commit || !b->import_abort || !b->plans ||
	    !b->resolve || !b->load_listings || !b->search || !b->search_ids || !b->reindex || !b->finder_file ||
	    !b->tx_begin || !b->tx_commit || !b->tx_rollback || !b->user_list || !b->user_get ||
	    !b->user_insert || !b->user_set_hash || !b->user_set_disabled || !b->user_set_last_login ||
	    !b->grant_put || !b->session_insert || !b->session_get || !b->session_touch ||
	    !b->session_delete || !b->session_delete_user || !b->failure_add || !b->failure_count ||
	    !b->failure_clear || !b->audit_add || !b->audit_list || !b->plan_id || !b->version_label ||
	    !b->version_exists || !b->triage_list || !b->triage_get || !b->triage_put || !b->public_get ||
	    !b->public_set || !b->part_title_get || !b->part_title_put || !b->file_put || !b->program_get ||
	    !b->comment_list || !b->comment_insert || !b->progress_cycle_get || !b->progress_cycle_list ||
	    !b->progress_cycle_insert || !b->progress_sheet_get || !b->progress_sheet_list ||
	    !b->progress_sheet_put || !b->progress_comment_list || !b->progress_comment_insert) {
		int rc = sasae_error_set(err, SASAE_EINTERNAL, NULL, 0,
					 "保存先「%s」の実装がこの版の sasae と合いません（版 %u、必要な版 %d）",
					 b->name ? b->name : "?", b->version, SASAE_STORE_BACKEND_VERSION);
		if (b->free)
			b->free(b);
		return rc;
	}
	sasae_store *s = calloc(1, sizeof *s);
	if (s == NULL) {
		b->free(b);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	s->b = b;
	*out = s;
	return 0;
}

sasae_store_backend *sasae_store_backend_of(sasae_store *s) { return s->b; }

void sasae_backend_program_clear(sasae_backend_program *p)
{
	free(p->name);
	for (size_t i = 0; i < p->ndepartments; i++)
		free(p->departments[i]);
	free(p->departments);
	memset(p, 0, sizeof *p);
}

/* Whether db names a PostgreSQL database ("postgresql://…", "postgres://…"). */
static bool is_postgres(const char *db)
{
	return strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0;
}

int sasae_store_open(sasae_store **out, const char *db, int flags, sasae_error *err)
{
	*out = NULL;
	if (is_postgres(db))
		return sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
				       "PostgreSQL の保存先はまだ作られていません。--db にはファイル名を指定してください");
	sasae_store_backend *b = NULL;
	int rc = sasae_sqlite_backend_open(&b, db, flags, err);
	if (rc)
		return rc;
	return sasae_store_attach(out, b, err);
}

void sasae_store_close(sasae_store *s)
{
	if (s == NULL)
		return;
	s->b->free(s->b);
	free(s);
}

void sasae_store_discard(sasae_store *s)
{
	if (s == NULL)
		return;
	if (s->b->discard)
		s->b->discard(s->b);
	else
		s->b->free(s->b);
	free(s);
}

const sasae_variants *sasae_store_variants(const sasae_store *s) { return s->b->variants(s->b); }

/* ---- import: the identity rules applied here, the rows written by the backend ---- */

struct sasae_store_import {
	sasae_store *s;
	sasae_backend_import *imp; /* the backend's */
	sasae_identities ids;      /* the plan's identities: key → id and the backend's ref */
	bool no_index;             /* leave the search index to a later sasae_store_reindex */
	sasae_import_summary sum;
};

static int known_identity(void *ctx, const char *key, const char *id, int64_t ref)
{
	return sasae_identities_add(ctx, key, id, ref);
}

static void import_free(sasae_store_import *imp)
{
	sasae_identities_clear(&imp->ids);
	free(imp);
}

int sasae_store_import_begin(sasae_store_import **out, int *existing, sasae_store *s, const char *slug,
			     const char *source, const char *digest, sasae_error *err)
{
	*out = NULL;
	*existing = 0;
	sasae_store_import *imp = calloc(1, sizeof *imp);
	if (imp == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	imp->s = s;
	sasae_identities_init(&imp->ids, 1);
	int version = 0;
	int64_t next = 1;
	int rc = s->b->import_begin(&imp->imp, existing, &version, &next, s->b, slug, source, digest,
				    known_identity, &imp->ids, err);
	if (rc || imp->imp == NULL) {
		import_free(imp);
		return rc;
	}
	imp->ids.next_number = next;
	imp->sum.version = version;
	*out = imp;
	return 0;
}

int sasae_store_import_title(sasae_store_import *imp, const char *title, sasae_error *err)
{
	return imp->s->b->import_title(imp->imp, title, err);
}

int sasae_store_import_part(sasae_store_import *imp, int number, const char *title, sasae_error *err)
{
	int rc = imp->s->b->import_part(imp->imp, number, title, err);
	if (rc == 0)
		imp->sum.parts++;
	return rc;
}

int sasae_store_import_section(sasae_store_import *imp, int number, const char *title, long line,
			       sasae_error *err)
{
	int rc = imp->s->b->import_section(imp->imp, number, title, line, err);
	if (rc == 0)
		imp->sum.sections++;
	return rc;
}

int sasae_store_import_listing(sasae_store_import *imp, const sasae_listing *l, sasae_error *err)
{
	const sasae_store_backend *b = imp->s->b;
	size_t index;
	bool created;
	if (sasae_identities_find(&imp->ids, l->name, &index, &created))
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	sasae_identity *e = &imp->ids.v[index];
	int rc;
	if (created) {
		char id[32];
		if ((rc = b->import_program(imp->imp, sasae_identity_id(e, id), e->key, &e->ref, err)) != 0)
			return rc;
		imp->sum.new_programs++;
	}
	int64_t ref = 0;
	if ((rc = b->import_listing(imp->imp, l, e->ref, &ref, err)) != 0)
		return rc;
	if (sasae_identities_offer(&imp->ids, index, ref, l->relisted))
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	imp->sum.listings++;
	return 0;
}

int sasae_store_import_warning(sasae_store_import *imp, long line, const char *kind, const char *message,
			       sasae_error *err)
{
	return imp->s->b->import_warning(imp->imp, line, kind, message, err);
}

void sasae_store_import_skip_index(sasae_store_import *imp) { imp->no_index = true; }

sasae_import_summary sasae_store_import_so_far(const sasae_store_import *imp)
{
	sasae_import_summary sum = imp->sum;
	sum.programs = imp->ids.nlisted;
	return sum;
}

int sasae_store_import_commit(sasae_store_import *imp, sasae_import_summary *summary, sasae_error *err)
{
	size_t n = imp->ids.nlisted;
	sasae_backend_original *orig = malloc((n ? n : 1) * sizeof *orig);
	if (orig == NULL) {
		sasae_store_import_abort(imp);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	for (size_t i = 0; i < n; i++) {
		const sasae_identity *e = &imp->ids.v[imp->ids.listed[i]];
		orig[i] = (sasae_backend_original){e->ref, e->original};
	}
	int rc = imp->s->b->import_commit(imp->imp, orig, n, imp->ids.next_number, !imp->no_index, err);
	free(orig);
	if (rc == 0) {
		imp->sum.programs = n;
		if (summary)
			*summary = imp->sum;
	}
	import_free(imp); /* the backend's import is freed by its commit, also when it fails */
	return rc;
}

void sasae_store_import_abort(sasae_store_import *imp)
{
	if (imp == NULL)
		return;
	imp->s->b->import_abort(imp->imp);
	import_free(imp);
}

/* ---- reading ---- */

void sasae_plan_infos_free(sasae_plan_info *infos, size_t n)
{
	if (infos == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(infos[i].slug);
		free(infos[i].title);
		free(infos[i].source);
		free(infos[i].imported_at);
	}
	free(infos);
}

int sasae_store_plans(sasae_store *s, sasae_plan_info **out, size_t *n, sasae_error *err)
{
	return s->b->plans(s->b, out, n, err);
}

int sasae_store_resolve(sasae_store *s, const char *spec, int64_t *version_id, sasae_error *err)
{
	return s->b->resolve(s->b, spec, version_id, err);
}

int sasae_store_load_plan(sasae_store *s, int64_t version_id, sasae_plan **out, sasae_error *err)
{
	*out = NULL;
	sasae_plan *plan = NULL;
	int rc = s->b->load_listings(s->b, version_id, &plan, err);
	if (rc)
		return rc;
	if (sasae_plan_collect_programs(plan, SASAE_PROGRAMS_BY_ORIGINAL)) {
		sasae_plan_free(plan);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	*out = plan;
	return 0;
}

/* ---- search ---- */

void sasae_store_hits_free(sasae_store_hit *hits, size_t n)
{
	if (hits == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(hits[i].program);
		free(hits[i].name);
		free(hits[i].summary);
		free(hits[i].departments);
		for (size_t j = 0; j < hits[i].nplaces; j++)
			free(hits[i].places[j].section_title);
		free(hits[i].places);
	}
	free(hits);
}

int sasae_store_search(sasae_store *s, int64_t version_id, const sasae_store_query *q, sasae_store_hit **hits,
		       size_t *nhits, size_t *total, sasae_error *err)
{
	return s->b->search(s->b, version_id, q, hits, nhits, total, err);
}

int sasae_store_count(sasae_store *s, int64_t version_id, const sasae_query_node *expr, size_t cap, size_t *n,
		      sasae_error *err)
{
	*n = 0;
	if (s->b->count)
		return s->b->count(s->b, version_id, expr, cap, n, err);
	/* Fallback: a search for no hits, only its total. */
	sasae_store_query q = {expr, NULL, 0, 0, NULL, 0, 0};
	sasae_store_hit *hits = NULL;
	size_t nhits = 0, total = 0;
	int rc = s->b->search(s->b, version_id, &q, &hits, &nhits, &total, err);
	sasae_store_hits_free(hits, nhits);
	if (rc == 0)
		*n = total < cap + 1 ? total : cap + 1;
	return rc;
}

void sasae_store_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

int sasae_store_search_ids(sasae_store *s, int64_t version_id, const sasae_store_query *q, char ***ids,
			   size_t *n, sasae_error *err)
{
	return s->b->search_ids(s->b, version_id, q, ids, n, err);
}

int sasae_store_reindex(sasae_store *s, int64_t version_id, sasae_error *err)
{
	return s->b->reindex(s->b, version_id, err);
}

/* ---- the finder's data files ---- */

int sasae_store_finder_file(sasae_store *s, const char *name, sasae_store_file *out, sasae_error *err)
{
	return s->b->finder_file(s->b, name, out, err);
}

void sasae_store_file_clear(sasae_store_file *f)
{
	free(f->text);
	free(f->source);
	free(f->loaded_at);
	memset(f, 0, sizeof *f);
}

int sasae_store_ping(sasae_store *s, sasae_error *err)
{
	if (s->b->ping)
		return s->b->ping(s->b, err);
	sasae_plan_info *infos = NULL;
	size_t n = 0;
	int rc = s->b->plans(s->b, &infos, &n, err);
	sasae_plan_infos_free(infos, n);
	return rc;
}

int sasae_store_backup(sasae_store *s, const char *file, bool force, sasae_error *err)
{
	if (s->b->backup == NULL)
		return sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
				       "保存先「%s」は sasae backup に対応していません。データベースの道具（PostgreSQL なら pg_dump）で控えを取ってください",
				       s->b->name);
	return s->b->backup(s->b, file, force, err);
}

int sasae_store_check(sasae_store *s, sasae_store_problem_fn problem, void *ctx, size_t *nproblems,
		      sasae_error *err)
{
	*nproblems = 0;
	if (s->b->check == NULL)
		return sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
				       "保存先「%s」は sasae check に対応していません", s->b->name);
	return s->b->check(s->b, problem, ctx, nproblems, err);
}

int sasae_store_restore(const char *db, const char *file, sasae_store_problem_fn problem, void *ctx,
			size_t *nproblems, sasae_error *err)
{
	*nproblems = 0;
	if (is_postgres(db))
		return sasae_error_set(err, SASAE_EUNAVAILABLE, NULL, 0,
				       "PostgreSQL の保存先は sasae restore では戻せません。pg_restore（pg_dump の控え）を使ってください");
	return sasae_sqlite_restore(db, file, problem, ctx, nproblems, err);
}
