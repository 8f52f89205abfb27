/*
 * search.c — the SQLite backend: full-text search over the FTS5 index (docs/search.md).  The query
 * tree is compiled to an FTS5 expression (compile.c) and bound as a parameter; matches are ranked
 * by bm25 (lower is better) inside this file and handed out as neutral scores (higher is better:
 * the negated bm25).
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

/* A search as this backend runs it: sasae_store_query with the trees compiled to FTS5. */
typedef struct fts_query {
	const char *match;   /* FTS5 expression, or NULL: every program of the filters */
	const char *exclude; /* with match NULL: FTS5 expression of programs to leave out, or NULL */
	int part, section;
	const char *exact_key;
	int limit, offset;
} fts_query;

/* The filter shared by the count and the page of results (?1 match, ?2 version, ?3 part, ?4 section);
   FILTER_WHERE is the same without full-text match (?1: the exclusions, or NULL). */
#define SEARCH_WHERE " WHERE search_index MATCH ?1 AND d.version_id = ?2" SEARCH_FILTERS
#define FILTER_WHERE                                                                              \
	" WHERE d.version_id = ?2 AND (?1 IS NULL OR d.id NOT IN (SELECT rowid FROM search_index" \
	"  WHERE search_index MATCH ?1))" SEARCH_FILTERS
#define SEARCH_FILTERS                                                                                             \
	" AND (?3 = 0 AND ?4 = 0 OR EXISTS (SELECT 1 FROM listing lf JOIN section sf ON sf.id = lf.section_id"     \
	"  JOIN part pf ON pf.id = sf.part_id WHERE lf.version_id = d.version_id AND lf.program_id = d.program_id" \
	"  AND (?3 = 0 OR pf.number = ?3) AND (?4 = 0 OR sf.number = ?4)))"

/* Bind the parameters of SEARCH_WHERE. */
static void bind_search(sqlite3_stmt *st, int64_t version_id, const fts_query *q)
{
	sqlite3_bind_text(st, 1, q->match ? q->match : q->exclude, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version_id);
	sqlite3_bind_int(st, 3, q->part);
	sqlite3_bind_int(st, 4, q->section);
}

/* An FTS5 refusal of the expression is a bug of the query compiler, not the user's. */
static int search_error(sqlb *s, sasae_error *err)
{
	const char *msg = sqlite3_errmsg(s->db);
	if (strstr(msg, "fts5") || strstr(msg, "syntax"))
		return sasae_error_set(err, SASAE_EINTERNAL, NULL, 0,
				       "検索式を組み立てられませんでした（内部エラー: %s）", msg);
	return sqlb_db_error(s, err, "検索");
}

/* Every place a hit (program row program_id) is listed, in document order. */
static int load_places(sqlb *s, int64_t version_id, int64_t program_id, sasae_store_hit *h, sqlite3_stmt *st,
		       sasae_error *err)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, version_id);
	sqlite3_bind_int64(st, 2, program_id);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sasae_store_place *p = realloc(h->places, (h->nplaces + 1) * sizeof *p);
		if (p == NULL)
			return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		h->places = p;
		p = &h->places[h->nplaces++];
		p->part = sqlite3_column_int(st, 0);
		p->section = sqlite3_column_int(st, 1);
		p->position = sqlite3_column_int(st, 2);
		p->number = (long)sqlite3_column_int64(st, 3);
		p->relisted = sqlite3_column_int(st, 4) != 0;
		p->section_title = sqlb_col_text(st, 5);
		p->section_index = sqlite3_column_int(st, 6);
		if (p->section_title == NULL)
			return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	return r == SQLITE_DONE ? 0 : sqlb_db_error(s, err, "検索");
}

/* Start a read transaction unless one is open (*began says which), so that the statements of one
   search see one state of the database. */
static int read_begin(sqlb *s, bool *began, sasae_error *err)
{
	*began = false;
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare_cached(s, &st, "BEGIN", err);
	if (rc)
		return rc;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sqlb_db_error(s, err, "読み取り開始");
	sqlb_release(s, st);
	*began = rc == 0;
	return rc;
}

static void read_end(sqlb *s, bool began)
{
	if (!began)
		return;
	sqlite3_stmt *st = NULL;
	bool ok = sqlb_prepare_cached(s, &st, "COMMIT", NULL) == 0 && sqlite3_step(st) == SQLITE_DONE;
	sqlb_release(s, st);
	if (!ok)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * The scope of a search of version_id: the range of its search_doc ids, and whether the range holds
 * nothing else (an index is written by one INSERT … SELECT, so it is contiguous).  Kept per
 * connection until the database changes; run inside the search's read transaction.
 */
static int search_scope(sqlb *s, int64_t version_id, sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlb_prepare_cached(s, &st, "PRAGMA data_version", err);
	if (rc)
		return rc;
	int64_t data_version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlb_release(s, st);
	sqlite3_int64 changes = sqlite3_total_changes64(s->db);
	bool same_data = s->scope.valid && s->scope.data_version == data_version && s->scope.changes == changes;
	if (same_data && s->scope.version_id == version_id)
		return 0;
	if (!same_data)
		sasae_fts_rank_reset(s->rank); /* the index may have changed */
	s->scope.valid = false;
	/* When the table holds this version alone (the usual case), its ends and its count say it in a
	   few page reads; otherwise the version's own index entries are read (40 ms for 287,000). */
	if ((rc = sqlb_prepare_cached(s, &st,
				      "SELECT (SELECT min(id) FROM search_doc), (SELECT max(id) FROM search_doc),"
				      " (SELECT count(*) FROM search_doc), EXISTS (SELECT 1 FROM search_doc WHERE version_id < ?1)"
				      " OR EXISTS (SELECT 1 FROM search_doc WHERE version_id > ?1)",
				      err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, version_id);
	bool others = true;
	int64_t lo = 0, hi = 0, n = 0;
	for (int pass = 0; rc == 0 && others && pass < 2; pass++) {
		if (pass == 1) {
			if ((rc = sqlb_prepare_cached(s, &st,
						      "SELECT min(id), max(id), count(*), 0 FROM search_doc WHERE version_id = ?1",
						      err)) != 0)
				return rc;
			sqlite3_bind_int64(st, 1, version_id);
		}
		if (sqlite3_step(st) == SQLITE_ROW) {
			lo = sqlite3_column_int64(st, 0);
			hi = sqlite3_column_int64(st, 1);
			n = sqlite3_column_int64(st, 2);
			others = sqlite3_column_int(st, 3) != 0;
		} else {
			rc = sqlb_db_error(s, err, "検索");
		}
		sqlb_release(s, st);
	}
	if (rc)
		return rc;
	if (n == 0)
		lo = hi = 0;
	if ((rc = sqlb_prepare_cached(s, &st,
				      "SELECT (SELECT rowid FROM search_index ORDER BY rowid LIMIT 1),"
				      " (SELECT rowid FROM search_index ORDER BY rowid DESC LIMIT 1)",
				      err)) != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sqlb_db_error(s, err, "検索");
		sqlb_release(s, st);
		return rc;
	}
	s->scope.whole_index = sqlite3_column_int64(st, 0) >= lo && sqlite3_column_int64(st, 1) <= hi;
	sqlb_release(s, st);
	s->scope.valid = true;
	s->scope.data_version = data_version;
	s->scope.changes = changes;
	s->scope.version_id = version_id;
	s->scope.lo = lo;
	s->scope.hi = hi;
	s->scope.contiguous = n > 0 && hi - lo + 1 == n;
	sasae_fts_rank_scope(s->rank, lo, hi);
	return 0;
}

/* A matching document, ranked: an exact name first, then the score (lower is better), then document
   order. */
typedef struct ranked {
	int64_t id;
	double score;
	bool exact;
} ranked;

static bool ranked_before(const ranked *a, const ranked *b)
{
	if (a->exact != b->exact)
		return a->exact;
	if (a->score != b->score)
		return a->score < b->score;
	return a->id < b->id;
}

static int ranked_cmp(const void *a, const void *b)
{
	return ranked_before(a, b) ? -1 : ranked_before(b, a) ? 1 : 0;
}

/* The best `want` of the matches offered (a collector for sasae_collect): a heap whose root is the
   worst kept. */
typedef struct topk {
	sasae_fts_collector base; /* lo, hi: documents outside [lo, hi] are not the version's */
	ranked *h;
	size_t n, cap, want;
	int64_t exact; /* the exact name's document, or 0 */
	double rej[2]; /* the two best distinct scores of the matches not kept, */
	int nrej;      /* how many of them there are */
} topk;

static void topk_reject(topk *t, const ranked *x)
{
	if (t->nrej == 0 || x->score < t->rej[0]) {
		t->rej[1] = t->rej[0];
		t->rej[0] = x->score;
		t->nrej = t->nrej ? 2 : 1;
	} else if (x->score > t->rej[0] && (t->nrej == 1 || x->score < t->rej[1])) {
		t->rej[1] = x->score;
		t->nrej = 2;
	}
}

static int topk_offer(sasae_fts_collector *c, int64_t id, double score)
{
	topk *t = (topk *)c;
	ranked x = {id, score, t->exact != 0 && id == t->exact};
	if (id < c->lo || id > c->hi)
		return SQLITE_OK;
	if (t->want == 0) {
		topk_reject(t, &x);
	} else if (t->n < t->want) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 64;
			cap = cap < t->want ? cap : t->want;
			ranked *h = realloc(t->h, cap * sizeof *h);
			if (h == NULL)
				return SQLITE_NOMEM;
			t->h = h;
			t->cap = cap;
		}
		size_t i = t->n++;
		t->h[i] = x;
		while (i > 0 && ranked_before(&t->h[(i - 1) / 2], &t->h[i])) { /* up */
			ranked tmp = t->h[i];
			t->h[i] = t->h[(i - 1) / 2];
			t->h[(i - 1) / 2] = tmp;
			i = (i - 1) / 2;
		}
	} else if (!ranked_before(&x, &t->h[0])) {
		topk_reject(t, &x);
	} else {
		topk_reject(t, &t->h[0]);
		t->h[0] = x;
		for (size_t i = 0;;) { /* down */
			size_t w = i, l = 2 * i + 1, r = l + 1;
			if (l < t->n && ranked_before(&t->h[w], &t->h[l]))
				w = l;
			if (r < t->n && ranked_before(&t->h[w], &t->h[r]))
				w = r;
			if (w == i)
				break;
			ranked tmp = t->h[i];
			t->h[i] = t->h[w];
			t->h[w] = tmp;
			i = w;
		}
	}
	return SQLITE_OK;
}

/* Name weighted highest, then departments and tags, summary, sections (docs/search.md). */
#define RANK_WEIGHTS "10.0, 1.0, 2.0, 0.5, 0.3, 2.0"

/* One pass of rank_matches into t (reset first); whole: allow the idf to be deferred (and so sasae_pass). */
static int rank_pass(sqlb *s, int64_t version_id, const fts_query *q, topk *t, bool whole, size_t *total,
		     sasae_error *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc;
	t->n = 0;
	t->nrej = 0;
	t->base.deferred = false;
	t->base.passed = false;
	*total = 0;
	if (whole && s->scope.contiguous && s->scope.whole_index && q->part == 0 && q->section == 0) {
		/* A query of one phrase over an index of this version alone: ranked in one call from its first
		   match (sasae_pass), without an SQL row per match.  Other queries go on below. */
		if ((rc = sqlb_prepare_cached(s, &st,
					      "SELECT sasae_pass(search_index, ?2, " RANK_WEIGHTS
					      ") FROM search_index"
					      " WHERE search_index MATCH ?1 LIMIT 1",
					      err)) != 0)
			return rc;
		t->base.lo = s->scope.lo;
		t->base.hi = s->scope.hi;
		t->base.whole_index = true;
		sqlite3_bind_text(st, 1, q->match, -1, SQLITE_STATIC);
		sqlite3_bind_pointer(st, 2, t, "sasae_fts_collector", NULL);
		r = sqlite3_step(st);
		if (r != SQLITE_ROW && r != SQLITE_DONE)
			rc = search_error(s, err);
		sqlb_release(s, st);
		st = NULL;
		if (rc || r == SQLITE_DONE || t->base.passed) { /* an error, no match at all, or done */
			*total = t->base.passed ? (size_t)t->base.count : 0;
			return rc;
		}
		t->n = 0; /* nothing was offered; as before the pass */
		t->nrej = 0;
		t->base.deferred = false;
	}
	if (s->scope.contiguous && q->part == 0 && q->section == 0) {
		/* The index alone, restricted to the version's rowids; every match is offered to the top-k
		   inside the pass, and only the count comes back. */
		if ((rc = sqlb_prepare_cached(s, &st,
					      "SELECT count(*) FROM search_index WHERE search_index MATCH ?1 AND rowid BETWEEN ?2 AND ?3"
					      " AND sasae_collect(search_index, ?4, " RANK_WEIGHTS ")",
					      err)) != 0)
			return rc;
		t->base.lo = s->scope.lo;
		t->base.hi = s->scope.hi;
		t->base.whole_index = whole && s->scope.whole_index;
		sqlite3_bind_text(st, 1, q->match, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, t->base.lo);
		sqlite3_bind_int64(st, 3, t->base.hi);
		sqlite3_bind_pointer(st, 4, t, "sasae_fts_collector", NULL);
		if ((r = sqlite3_step(st)) == SQLITE_ROW)
			*total = (size_t)sqlite3_column_int64(st, 0);
		else
			rc = search_error(s, err);
	} else {
		/* Joined with search_doc for the version and the filters (CROSS JOIN: the index drives). */
		if ((rc = sqlb_prepare_cached(s, &st,
					      "SELECT d.id, sasae_rank(search_index, " RANK_WEIGHTS
					      ") FROM search_index"
					      " CROSS JOIN search_doc d ON d.id = search_index.rowid" SEARCH_WHERE,
					      err)) != 0)
			return rc;
		t->base.lo = INT64_MIN;
		t->base.hi = INT64_MAX;
		t->base.whole_index = false;
		bind_search(st, version_id, q);
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			++*total;
			int64_t id = sqlite3_column_int64(st, 0);
			if (topk_offer(&t->base, id, sqlite3_column_double(st, 1)) != SQLITE_OK) {
				rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
				break;
			}
		}
		if (rc == 0 && r != SQLITE_DONE)
			rc = search_error(s, err);
	}
	sqlb_release(s, st);
	return rc;
}

/*
 * Rank every match of a full-text query in one pass over the index: count them and keep the best
 * offset + limit (*top, sorted; *ntop of them).  Only ids and scores are read here; the programs'
 * columns are read for the page alone.
 */
static int rank_matches(sqlb *s, int64_t version_id, const fts_query *q, ranked **top, size_t *ntop,
			size_t *total, sasae_error *err)
{
	*top = NULL;
	*ntop = 0;
	topk t = {{topk_offer, 0, 0, false, false, 0, false, 0}, NULL, 0, 0, 0, 0, {0.0, 0.0}, 0};
	t.want = q->limit > 0 ? (size_t)q->limit + (size_t)(q->offset > 0 ? q->offset : 0) : 0;
	sqlite3_stmt *st = NULL;
	int r, rc = 0;
	if (q->exact_key) { /* the program whose identity key is the query's, if the version has it */
		if ((rc = sqlb_prepare_cached(s, &st,
					      "SELECT d.id FROM program p JOIN search_doc d ON d.program_id = p.id AND d.version_id = ?1"
					      " WHERE p.key = ?2 AND p.plan_id = (SELECT plan_id FROM version WHERE id = ?1)",
					      err)) != 0)
			return rc;
		sqlite3_bind_int64(st, 1, version_id);
		sqlite3_bind_text(st, 2, q->exact_key, -1, SQLITE_STATIC);
		if ((r = sqlite3_step(st)) == SQLITE_ROW)
			t.exact = sqlite3_column_int64(st, 0);
		else if (r != SQLITE_DONE)
			rc = sqlb_db_error(s, err, "検索");
		sqlb_release(s, st);
		if (rc)
			return rc;
	}
	rc = rank_pass(s, version_id, q, &t, true, total, err);
	if (rc == 0 && t.base.deferred) {
		/* The idf of the query's one phrase, now that its count is known: the same scores as bm25's.
		   Applying it keeps the order, but two scores may become equal, and equal scores go in
		   document order: if a match that was not kept now ties with the last one kept (rare), rank
		   again with the idf first.  (Those not kept score no better than the last kept one.) */
		double last = 0.0;
		bool any = false;
		for (size_t i = 0; i < t.n; i++)
			if (!t.h[i].exact && (!any || t.h[i].score > last)) {
				last = t.h[i].score;
				any = true;
			}
		double next = t.nrej > 0 && t.rej[0] > last ? t.rej[0] : t.rej[1];
		bool next_exists = t.nrej > 0 && (t.rej[0] > last || t.nrej == 2);
		for (size_t i = 0; i < t.n; i++)
			t.h[i].score = sasae_fts_final_score(&t.base, t.h[i].score, (int64_t)*total);
		if (any && next_exists &&
		    sasae_fts_final_score(&t.base, next, (int64_t)*total) <=
			    sasae_fts_final_score(&t.base, last, (int64_t)*total))
			rc = rank_pass(s, version_id, q, &t, false, total, err);
	}
	if (rc) {
		*total = 0;
		free(t.h);
		return rc;
	}
	if (t.n > 1)
		qsort(t.h, t.n, sizeof *t.h, ranked_cmp);
	*top = t.h;
	*ntop = t.n;
	return 0;
}

static int search(sqlb *s, int64_t version_id, const fts_query *q, sasae_store_hit **hits, size_t *nhits,
		  size_t *total, sasae_error *err)
{
	*hits = NULL;
	*nhits = 0;
	*total = 0;
	sqlite3_stmt *st = NULL, *places = NULL;
	sasae_store_hit *out = NULL;
	ranked *top = NULL;
	size_t n = 0, ntop = 0;
	bool began;
	int r, rc = read_begin(s, &began, err);
	if (rc)
		return rc;
	if (q->match) {
		/* Two steps: rank the matches by id, then read the columns of the page's programs only. */
		if ((rc = search_scope(s, version_id, err)) != 0 ||
		    (rc = rank_matches(s, version_id, q, &top, &ntop, total, err)) != 0)
			goto done;
		size_t from = q->offset > 0 ? (size_t)q->offset : 0;
		if (from >= ntop)
			goto done;
		if ((rc = sqlb_prepare_cached(s, &st,
					      "SELECT p.pid, l.name, l.summary,"
					      " (SELECT group_concat(dep.name, '、') FROM listing_department ld JOIN department dep"
					      "  ON dep.id = ld.department_id WHERE ld.listing_id = l.id), 0.0, p.id"
					      " FROM search_doc d JOIN program p ON p.id = d.program_id"
					      " JOIN version_program vp ON vp.version_id = d.version_id AND vp.program_id = d.program_id"
					      " JOIN listing l ON l.id = vp.listing_id WHERE d.id = ?1",
					      err)) != 0)
			goto done;
		if ((out = calloc(ntop - from, sizeof *out)) == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			goto done;
		}
	} else {
		/* A filter-only query: the programs of a part or section in document order. */
		if ((rc = sqlb_prepare_cached(s, &st, "SELECT count(*) FROM search_doc d" FILTER_WHERE, err)) !=
		    0)
			goto done;
		bind_search(st, version_id, q);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = search_error(s, err);
			goto done;
		}
		*total = (size_t)sqlite3_column_int64(st, 0);
		sqlb_release(s, st);
		st = NULL;
		if (*total == 0 || q->limit <= 0)
			goto done;
		if ((rc = sqlb_prepare_cached(s, &st,
					      "SELECT p.pid, l.name, l.summary,"
					      " (SELECT group_concat(dep.name, '、') FROM listing_department ld JOIN department dep"
					      "  ON dep.id = ld.department_id WHERE ld.listing_id = l.id), 0.0, p.id"
					      " FROM search_doc d JOIN program p ON p.id = d.program_id"
					      " JOIN version_program vp ON vp.version_id = d.version_id AND vp.program_id = d.program_id"
					      " JOIN listing l ON l.id = vp.listing_id" FILTER_WHERE
					      " ORDER BY d.id LIMIT ?5 OFFSET ?6",
					      err)) != 0)
			goto done;
		bind_search(st, version_id, q);
		sqlite3_bind_int(st, 5, q->limit);
		sqlite3_bind_int(st, 6, q->offset > 0 ? q->offset : 0);
	}
	if ((rc = sqlb_prepare_cached(s, &places,
				      "SELECT pt.number, se.number, l.position, l.number, l.relisted, se.title, se.ordinal FROM listing l"
				      " JOIN section se ON se.id = l.section_id JOIN part pt ON pt.id = se.part_id"
				      " WHERE l.version_id = ?1 AND l.program_id = ?2 ORDER BY l.id",
				      err)) != 0)
		goto done;
	for (size_t k = q->offset > 0 ? (size_t)q->offset : 0;; k++) {
		if (top) { /* the page of ranked ids, one program each */
			if (k >= ntop)
				break;
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, top[k].id);
		}
		if ((r = sqlite3_step(st)) != SQLITE_ROW) {
			if (r != SQLITE_DONE)
				rc = search_error(s, err);
			if (top == NULL || rc)
				break;
			continue; /* not reachable within one read transaction */
		}
		if (top == NULL) {
			sasae_store_hit *h = realloc(out, (n + 1) * sizeof *h);
			if (h == NULL) {
				rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
				break;
			}
			out = h;
		}
		sasae_store_hit *h = &out[n++];
		memset(h, 0, sizeof *h);
		h->program = sqlb_col_text(st, 0);
		h->name = sqlb_col_text(st, 1);
		h->summary = sqlb_col_text(st, 2);
		h->departments = sqlb_col_text(st, 3);
		h->score = -(top ? top[k].score : sqlite3_column_double(st, 4)); /* neutral: higher is better */
		if (!h->program || !h->name || !h->summary || !h->departments) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		if ((rc = load_places(s, version_id, sqlite3_column_int64(st, 5), h, places, err)) != 0)
			break;
	}
done:
	sqlb_release(s, st);
	sqlb_release(s, places);
	read_end(s, began);
	free(top);
	if (rc) {
		sasae_store_hits_free(out, n);
		*total = 0;
		return rc;
	}
	if (n == 0) {
		free(out);
		out = NULL;
	}
	*hits = out;
	*nhits = n;
	return 0;
}

/* ---- search: a bounded count ---- */

int sqlb_count(sasae_store_backend *b, int64_t version_id, const sasae_query_node *expr, size_t cap,
	       size_t *n, sasae_error *err)
{
	sqlb *s = (sqlb *)b;
	bool oom = false;
	char *match = sqlb_compile_new(expr, &oom);
	if (oom)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	*n = 0;
	sqlite3_stmt *st = NULL;
	bool began;
	int rc = read_begin(s, &began, err);
	if (rc == 0)
		rc = search_scope(s, version_id, err);
	if (rc == 0 && s->scope.contiguous) {
		if ((rc = sqlb_prepare_cached(s, &st,
					      "SELECT count(*) FROM (SELECT 1 FROM search_index WHERE search_index MATCH ?1"
					      " AND rowid BETWEEN ?2 AND ?3 LIMIT ?4)",
					      err)) == 0) {
			sqlite3_bind_int64(st, 2, s->scope.lo);
			sqlite3_bind_int64(st, 3, s->scope.hi);
			sqlite3_bind_int64(st, 4, (sqlite3_int64)cap + 1);
		}
	} else if (rc == 0) {
		if ((rc = sqlb_prepare_cached(s, &st,
					      "SELECT count(*) FROM (SELECT 1 FROM search_index CROSS JOIN search_doc d"
					      " ON d.id = search_index.rowid WHERE search_index MATCH ?1 AND d.version_id = ?2 LIMIT ?3)",
					      err)) == 0) {
			sqlite3_bind_int64(st, 2, version_id);
			sqlite3_bind_int64(st, 3, (sqlite3_int64)cap + 1);
		}
	}
	if (rc == 0) {
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			*n = (size_t)sqlite3_column_int64(st, 0);
		else
			rc = search_error(s, err);
	}
	sqlb_release(s, st);
	read_end(s, began);
	free(match);
	return rc;
}

/* ---- search: every matching id ---- */

static int search_ids(sqlb *s, int64_t version_id, const fts_query *q, char ***ids, size_t *n, sasae_error *err)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *st = NULL;
	int rc =
		sqlb_prepare_cached(s, &st,
				    q->match ? "SELECT p.pid FROM search_index CROSS JOIN search_doc d ON d.id = search_index.rowid"
					       " JOIN program p ON p.id = d.program_id" SEARCH_WHERE
					     : "SELECT p.pid FROM search_doc d JOIN program p ON p.id = d.program_id" FILTER_WHERE,
				    err);
	if (rc)
		return rc;
	bind_search(st, version_id, q);
	char **out = NULL;
	size_t cnt = 0, cap = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			char **p = realloc(out, cap * sizeof *p);
			if (p == NULL) {
				rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
				break;
			}
			out = p;
		}
		if ((out[cnt] = sqlb_col_text(st, 0)) == NULL) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
			break;
		}
		cnt++;
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = search_error(s, err);
	sqlb_release(s, st);
	if (rc) {
		for (size_t i = 0; i < cnt; i++)
			free(out[i]);
		free(out);
		return rc;
	}
	*ids = out;
	*n = cnt;
	return 0;
}

/* ---- the entry points: the query trees compiled ---- */

/* Compile q into *f (strings in *match and *exclude, freed by the caller).  0 or SASAE_ENOMEM. */
static int compile_query(fts_query *f, char **match, char **exclude, const sasae_store_query *q,
			 sasae_error *err)
{
	bool oom = false;
	*match = sqlb_compile_new(q->match, &oom);
	*exclude = sqlb_compile_new(q->exclude, &oom);
	*f = (fts_query){*match, *exclude, q->part, q->section, q->exact_key, q->limit, q->offset};
	return oom ? sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません") : 0;
}

int sqlb_search(sasae_store_backend *b, int64_t version_id, const sasae_store_query *q,
		sasae_store_hit **hits, size_t *nhits, size_t *total, sasae_error *err)
{
	fts_query f;
	char *match, *exclude;
	*hits = NULL;
	*nhits = 0;
	*total = 0;
	int rc = compile_query(&f, &match, &exclude, q, err);
	if (rc == 0)
		rc = search((sqlb *)b, version_id, &f, hits, nhits, total, err);
	free(match);
	free(exclude);
	return rc;
}

int sqlb_search_ids(sasae_store_backend *b, int64_t version_id, const sasae_store_query *q, char ***ids,
		    size_t *n, sasae_error *err)
{
	fts_query f;
	char *match, *exclude;
	*ids = NULL;
	*n = 0;
	int rc = compile_query(&f, &match, &exclude, q, err);
	if (rc == 0)
		rc = search_ids((sqlb *)b, version_id, &f, ids, n, err);
	free(match);
	free(exclude);
	return rc;
}
