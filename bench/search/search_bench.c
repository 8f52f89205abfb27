/*
 * search_bench.c — the search benchmark (bench/search/run.sh, docs/benchmarks-search.md).
 *
 * Runs a fixed query set, warm, against four engines over the same programs of one sasae database:
 *
 *   sasae    sasae_search (limit 20): FTS5 + the 'sasae' bigram tokenizer, BM25 with name boost,
 *            total count, places, snippets — exactly what `sasae search` does;
 *   groonga  a persistent `groonga DB` child process (commands on its stdin, one JSON response line
 *            each), TokenBigram + NormalizerAuto (the DB is built by bench/search/groonga.sh from
 *            the export this program writes with --export-groonga), query cache off;
 *   trigram  SQLite FTS5 tokenize='trigram' (a separate database built here): terms of 3+
 *            characters by MATCH (ordered by bm25), shorter ones by LIKE '%term%', plus count(*);
 *   brute    every program's searchable text normalised once (sasae_normalize, document mode) and
 *            kept in memory; a query is a substring scan of every program (no ranking).
 *
 * The brute-force scan is the ground truth of substring semantics with notation variants: for every
 * query the full match set of each engine is compared with it (programs missed, programs extra).
 * The searchable text is what build_index (src/store/store.c) indexes: the name, summary and
 * departments of the program's original listing and the titles of the sections it is listed in
 * (part titles are not indexed); the program checks it against the index's own content table.
 *
 * A fifth engine, sasae-2step, is not sasae's code: the same ranking in plain SQL with FTS5's own
 * bm25(), in two steps (the top 20 taken from the full-text index and search_doc alone, then the
 * listing, program and departments of those 20).  It was the what-if that sasae_store_search now
 * goes beyond (its own ranking function, the top 20 kept inside the pass over the index); it stays
 * as the reference: its top 20 must equal sasae's.
 *
 *   search_bench --db DB [--queries FILE] [--runs N] [--slow-runs M] [--warmup W] [--budget S]
 *                [--groonga DBPATH] [--trigram PATH [--build-trigram]] [--skip ENGINE,…]
 *                [--build-info FILE] [--report FILE] [--tsv FILE]
 *   search_bench --db DB --export-groonga FILE      (Groonga `load` command + JSON, then exit)
 *
 * Times are wall-clock (CLOCK_MONOTONIC) around one query as a client sees it: for sasae the
 * sasae_search call; for Groonga writing the command and reading the whole response line (Groonga's
 * own elapsed time from the response header is reported beside it); for trigram the count(*) and the
 * top-20 statements; for brute the scan.  Percentiles are nearest-rank.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sasae/buf.h"
#include "sasae/normalize.h"
#include "sasae/search.h"
#include "sasae/store.h"
#include "store/sqlite/sqlite_store.h" /* the 'sasae' tokenizer on our own read-only connection (full match
                                          sets), and the FTS5 expression of a parsed query */

enum { NFIELDS = 4, TOPN = 20, MAXQ = 64, MAXGROUPS = SASAE_QUERY_MAX_TERMS };
static const char *const field_names[NFIELDS] = {"name", "summary", "departments", "sections"};

enum { E_SASAE, E_TWO, E_GROONGA, E_TRIGRAM, E_BRUTE, NENGINES };
static const char *const engine_names[NENGINES] = {"sasae", "sasae-2step", "groonga", "trigram", "brute"};

/* Keeps results alive that are otherwise unused (memmem is pure: an unused count would let the
   compiler drop the whole scan). */
static volatile size_t brute_sink;

/* ---- small helpers ---- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("search_bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (p == NULL)
		die("out of memory");
	return p;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile p (0..100) of v[0..n) (sorted in place). */
static double pct(double *v, size_t n, double p)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	size_t k = (size_t)ceil(p / 100.0 * (double)n);
	if (k < 1)
		k = 1;
	return v[k - 1];
}

static size_t cp_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* ---- bit sets over the documents ---- */

typedef struct bits {
	uint64_t *w;
	size_t n; /* documents */
} bits;

static bits bits_new(size_t n) { return (bits){xcalloc((n + 63) / 64, sizeof(uint64_t)), n}; }
static void bits_set(bits *b, size_t i) { b->w[i / 64] |= (uint64_t)1 << (i % 64); }
static bool bits_get(const bits *b, size_t i) { return (b->w[i / 64] >> (i % 64)) & 1; }
static size_t bits_count(const bits *b)
{
	size_t c = 0;
	for (size_t i = 0; i < (b->n + 63) / 64; i++)
		c += (size_t)__builtin_popcountll(b->w[i]);
	return c;
}
/* |a \ b| */
static size_t bits_minus(const bits *a, const bits *b)
{
	size_t c = 0;
	for (size_t i = 0; i < (a->n + 63) / 64; i++)
		c += (size_t)__builtin_popcountll(a->w[i] & ~b->w[i]);
	return c;
}

/* ---- the corpus: every program's searchable text ---- */

typedef struct doc {
	int64_t id; /* search_doc.id */
	char *pid;  /* "p0001" */
	char *raw[NFIELDS];
	char *norm; /* the fields normalised (document mode), joined by \x01 */
	size_t norm_len;
} doc;

typedef struct corpus {
	doc *d;
	size_t n;
	size_t raw_bytes, norm_bytes;
	/* pid → index (open addressing) */
	size_t *slots;
	size_t nslots;
} corpus;

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void corpus_index_pids(corpus *c)
{
	c->nslots = 1;
	while (c->nslots < c->n * 2 + 2)
		c->nslots *= 2;
	c->slots = xcalloc(c->nslots, sizeof *c->slots); /* 0 empty, else index + 1 */
	for (size_t i = 0; i < c->n; i++) {
		size_t h = (size_t)hash_str(c->d[i].pid) & (c->nslots - 1);
		while (c->slots[h])
			h = (h + 1) & (c->nslots - 1);
		c->slots[h] = i + 1;
	}
}

/* Index of the document with this pid, or -1. */
static long corpus_find_pid(const corpus *c, const char *pid, size_t len)
{
	char key[64];
	if (len >= sizeof key)
		return -1;
	memcpy(key, pid, len);
	key[len] = '\0';
	size_t h = (size_t)hash_str(key) & (c->nslots - 1);
	while (c->slots[h]) {
		if (strcmp(c->d[c->slots[h] - 1].pid, key) == 0)
			return (long)(c->slots[h] - 1);
		h = (h + 1) & (c->nslots - 1);
	}
	return -1;
}

/* Index of the document with this search_doc id (documents are sorted by id), or -1. */
static long corpus_find_id(const corpus *c, int64_t id)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->d[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->d[lo].id == id ? (long)lo : -1;
}

/* The same text as build_index (src/store/store.c), read from the base tables. */
static const char corpus_sql[] =
	"SELECT d.id, p.pid, l.name, l.summary,"
	" (SELECT group_concat(dep.name, ' ') FROM listing_department ld JOIN department dep"
	"  ON dep.id = ld.department_id WHERE ld.listing_id = l.id),"
	" (SELECT group_concat(DISTINCT se.title) FROM listing l2 JOIN section se ON se.id = l2.section_id"
	"  WHERE l2.version_id = ?1 AND l2.program_id = d.program_id)"
	" FROM search_doc d JOIN program p ON p.id = d.program_id"
	" JOIN version_program vp ON vp.version_id = d.version_id AND vp.program_id = d.program_id"
	" JOIN listing l ON l.id = vp.listing_id WHERE d.version_id = ?1 ORDER BY d.id";

static void corpus_load(corpus *c, sqlite3 *db, int64_t version_id, const sasae_variants *v, double *load_ms,
			double *norm_ms, size_t *content_mismatch)
{
	double t0 = now_ms();
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, corpus_sql, -1, &st, NULL) != SQLITE_OK)
		die("corpus query: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, version_id);
	size_t cap = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->n == cap) {
			cap = cap ? cap * 2 : 4096;
			doc *nd = realloc(c->d, cap * sizeof *nd);
			if (nd == NULL)
				die("out of memory");
			c->d = nd;
		}
		doc *d = &c->d[c->n++];
		memset(d, 0, sizeof *d);
		d->id = sqlite3_column_int64(st, 0);
		d->pid = xstrdup((const char *)sqlite3_column_text(st, 1));
		for (int f = 0; f < NFIELDS; f++) {
			d->raw[f] = xstrdup((const char *)sqlite3_column_text(st, 2 + f));
			c->raw_bytes += strlen(d->raw[f]);
		}
	}
	if (r != SQLITE_DONE)
		die("corpus query: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (c->n == 0)
		die("no indexed programs in the database (run `sasae reindex` first)");
	*load_ms = now_ms() - t0;

	/* Cross-check: the text FTS5 holds (search_index_content) is the text loaded here. */
	*content_mismatch = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT c.rowid, c.c0, c.c1, c.c2, c.c3, c.c4 FROM search_index_content c"
			       " JOIN search_doc d ON d.id = c.rowid WHERE d.version_id = ?1 ORDER BY c.rowid",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, version_id);
		size_t seen = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			long i = corpus_find_id(c, sqlite3_column_int64(st, 0));
			seen++;
			if (i < 0) {
				(*content_mismatch)++;
				continue;
			}
			bool same = sqlite3_column_bytes(st, 1 + NFIELDS) == 0; /* parts: not indexed */
			for (int f = 0; same && f < NFIELDS; f++) {
				const char *t = (const char *)sqlite3_column_text(st, 1 + f);
				same = strcmp(t ? t : "", c->d[i].raw[f]) == 0;
			}
			if (!same)
				(*content_mismatch)++;
		}
		sqlite3_finalize(st);
		if (seen != c->n)
			*content_mismatch += seen > c->n ? seen - c->n : c->n - seen;
	} else {
		*content_mismatch = (size_t)-1;
	}

	t0 = now_ms();
	sasae_buf b = SASAE_BUF_INIT;
	for (size_t i = 0; i < c->n; i++) {
		sasae_buf_clear(&b);
		for (int f = 0; f < NFIELDS; f++) {
			char *s = sasae_normalize_string(c->d[i].raw[f], v, SASAE_NORM_DOCUMENT);
			if (s == NULL)
				die("out of memory");
			if (f)
				sasae_buf_putc(&b, '\x01');
			sasae_buf_puts(&b, s);
			free(s);
		}
		if (!sasae_buf_ok(&b))
			die("out of memory");
		c->d[i].norm_len = b.len;
		c->d[i].norm = xcalloc(b.len + 1, 1);
		memcpy(c->d[i].norm, sasae_buf_cstr(&b), b.len);
		c->norm_bytes += b.len;
	}
	sasae_buf_free(&b);
	*norm_ms = now_ms() - t0;
	corpus_index_pids(c);
}

/* ---- the query language, as the baselines read it ---- */

/* A group: term (OR term)*; negative groups have one term. */
typedef struct bgroup {
	bool neg;
	size_t n;
	char *terms[MAXGROUPS];
} bgroup;

typedef struct bquery {
	char *text;
	bgroup g[MAXGROUPS];
	size_t ng;
} bquery;

/* Parse: spaces (also U+3000) separate; "…" a phrase; -term excludes; OR joins neighbours. */
static void bquery_parse(bquery *q, const char *text)
{
	memset(q, 0, sizeof *q);
	q->text = xstrdup(text);
	sasae_buf clean = SASAE_BUF_INIT;
	for (const char *p = text; *p; p++) {
		if (strncmp(p, "\xe3\x80\x80", 3) == 0) { /* U+3000 */
			sasae_buf_putc(&clean, ' ');
			p += 2;
		} else {
			sasae_buf_putc(&clean, *p == '\t' ? ' ' : *p);
		}
	}
	char *s = sasae_buf_detach(&clean);
	struct {
		char *t;
		bool neg, is_or;
	} items[MAXGROUPS * 2];
	size_t n = 0;
	for (char *p = s; *p && n < sizeof items / sizeof items[0];) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		bool neg = false, quoted = false;
		if (*p == '-' && p[1] && p[1] != ' ') {
			neg = true;
			p++;
		}
		char *start, *end;
		if (*p == '"') {
			quoted = true;
			start = ++p;
			end = strchr(p, '"');
			if (end == NULL)
				end = p + strlen(p);
			p = *end ? end + 1 : end;
		} else {
			start = p;
			end = p;
			while (*end && *end != ' ')
				end++;
			p = end;
		}
		char *t = xcalloc((size_t)(end - start) + 1, 1);
		memcpy(t, start, (size_t)(end - start));
		items[n].t = t;
		items[n].neg = neg;
		items[n].is_or = !neg && !quoted && strcmp(t, "OR") == 0;
		n++;
	}
	free(s);
	for (size_t i = 0; i < n && q->ng < MAXGROUPS; i++) {
		if (items[i].is_or) {
			free(items[i].t);
			continue;
		}
		bgroup *g = &q->g[q->ng++];
		g->neg = items[i].neg;
		g->terms[g->n++] = items[i].t;
		while (!g->neg && i + 2 < n && items[i + 1].is_or && !items[i + 2].is_or && !items[i + 2].neg &&
		       g->n < MAXGROUPS) {
			free(items[i + 1].t);
			g->terms[g->n++] = items[i + 2].t;
			i += 2;
		}
	}
}

static void bquery_free(bquery *q)
{
	for (size_t i = 0; i < q->ng; i++)
		for (size_t j = 0; j < q->g[i].n; j++)
			free(q->g[i].terms[j]);
	free(q->text);
}

/* ---- per query, per engine results ---- */

typedef struct qres {
	double *ms; /* timed runs */
	size_t nms;
	double *inner_ms; /* Groonga's own elapsed time */
	size_t ninner;
	long long hits; /* total matches the engine reported (-1: failed) */
	char *top[TOPN];
	size_t ntop;
	bits set; /* full match set (for recall) */
	bool have_set;
	char err[600];
} qres;

typedef struct bench {
	sasae_store *store;
	int64_t version_id;
	const sasae_variants *variants;
	sqlite3 *raw; /* read-only connection to the sasae database, with the tokenizer */
	corpus c;
	/* groonga */
	pid_t gpid;
	FILE *gto, *gfrom;
	char *gline;
	size_t gcap;
	/* trigram */
	sqlite3 *tri;
} bench;

static void qres_init(qres *r, size_t runs, size_t ndocs)
{
	memset(r, 0, sizeof *r);
	r->ms = xcalloc(runs, sizeof *r->ms);
	r->inner_ms = xcalloc(runs, sizeof *r->inner_ms);
	r->set = bits_new(ndocs);
	r->hits = -1;
}

static void qres_top_clear(qres *r)
{
	for (size_t i = 0; i < r->ntop; i++)
		free(r->top[i]);
	r->ntop = 0;
}

/* ---- sasae ---- */

static double sasae_run(bench *b, const char *q, qres *r, bool record)
{
	sasae_error err = {0};
	sasae_search_results *res = NULL;
	double t0 = now_ms();
	int rc = sasae_search(&res, b->store, b->version_id, q, TOPN, 0, &err);
	double ms = now_ms() - t0;
	if (rc) {
		snprintf(r->err, sizeof r->err, "%s", err.message);
		r->hits = -1;
		return ms;
	}
	if (record) {
		qres_top_clear(r);
		r->hits = (long long)res->total;
		for (size_t i = 0; i < res->nresults && i < TOPN; i++)
			r->top[r->ntop++] = xstrdup(res->results[i].hit.program);
	}
	sasae_search_results_free(res);
	return ms;
}

/* Every program the sasae index matches (the query's compiled FTS5 expression, no limit). */
static void sasae_full_set(bench *b, const char *q, qres *r)
{
	sasae_query pq;
	sasae_error err = {0};
	if (sasae_query_parse(&pq, q, b->variants, &err) != 0)
		return; /* refused: no set (the report shows the error as hits) */
	bool oom = false;
	char *match = sqlb_compile_new(pq.match, &oom);
	if (match == NULL) {
		sasae_query_clear(&pq);
		return;
	}
	sqlite3_stmt *st;
	/* Driven by the MATCH (rows of other versions are not in the corpus and are dropped): joining
	   search_doc here would hit the same slow plan as sasae's count (see docs/benchmarks-search.md). */
	if (sqlite3_prepare_v2(b->raw, "SELECT rowid FROM search_index WHERE search_index MATCH ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		die("sasae full set: %s", sqlite3_errmsg(b->raw));
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		long i = corpus_find_id(&b->c, sqlite3_column_int64(st, 0));
		if (i >= 0)
			bits_set(&r->set, (size_t)i);
	}
	sqlite3_finalize(st);
	free(match);
	sasae_query_clear(&pq);
	r->have_set = true;
}

/* ---- sasae-2step: plain SQL with FTS5's bm25(), not sasae's code (the reference for its ranking) ----
 * sasae_store_search's ranking (exact name first, then bm25 with its weights, then document order)
 * and output (program, name, summary, departments, places), in two steps: the top 20 from the
 * full-text index and search_doc alone, then the listing, program and departments of those 20.
 * Same count statement.  No snippets and no "did you mean" (sasae spends well under 1 ms on those).
 */
static const char *const two_sql[] = {
	/* 0 count, as sasae */
	"SELECT count(*) FROM search_index CROSS JOIN search_doc d ON d.id = search_index.rowid"
	" WHERE search_index MATCH ?1 AND d.version_id = ?2",
	/* 1 the exact name (identity key), if it matches */
	"SELECT d.id FROM program p JOIN search_doc d ON d.program_id = p.id AND d.version_id = ?2"
	" WHERE p.plan_id = (SELECT plan_id FROM version WHERE id = ?2) AND p.key = ?3"
	" AND d.id IN (SELECT rowid FROM search_index WHERE search_index MATCH ?1)",
	/* 2 the top 20 by bm25, index only */
	"SELECT d.id FROM search_index CROSS JOIN search_doc d ON d.id = search_index.rowid"
	" WHERE search_index MATCH ?1 AND d.version_id = ?2"
	" ORDER BY bm25(search_index, 10.0, 1.0, 2.0, 0.5, 0.3, 2.0), d.id LIMIT ?3",
	/* 3 one hit's columns */
	"SELECT p.pid, l.name, l.summary,"
	" (SELECT group_concat(dep.name, '、') FROM listing_department ld JOIN department dep"
	"  ON dep.id = ld.department_id WHERE ld.listing_id = l.id)"
	" FROM search_doc d JOIN program p ON p.id = d.program_id"
	" JOIN version_program vp ON vp.version_id = d.version_id AND vp.program_id = d.program_id"
	" JOIN listing l ON l.id = vp.listing_id WHERE d.id = ?1",
	/* 4 its places, as sasae */
	"SELECT pt.number, se.number, l.position, l.number, l.relisted, se.title, se.ordinal FROM listing l"
	" JOIN section se ON se.id = l.section_id JOIN part pt ON pt.id = se.part_id"
	" JOIN program p ON p.id = l.program_id"
	" WHERE l.version_id = ?1 AND p.pid = ?2 AND p.plan_id = (SELECT plan_id FROM version WHERE id = ?1)"
	" ORDER BY l.id",
};
enum { NTWO = sizeof two_sql / sizeof two_sql[0] };
static sqlite3_stmt *two_st[NTWO]; /* prepared once, like sasae's statement cache */

static double two_run(bench *b, const char *q, qres *r, bool record)
{
	double t0 = now_ms();
	sasae_query pq;
	sasae_error err = {0};
	if (sasae_query_parse(&pq, q, b->variants, &err) != 0 || pq.match == NULL) {
		if (err.code == 0)
			sasae_query_clear(&pq);
		r->hits = -1;
		return now_ms() - t0;
	}
	bool oom = false;
	char *match = sqlb_compile_new(pq.match, &oom);
	if (match == NULL)
		die("sasae-2step: out of memory");
	for (size_t i = 0; i < NTWO; i++) {
		if (two_st[i] == NULL && sqlite3_prepare_v2(b->raw, two_sql[i], -1, &two_st[i], NULL) != SQLITE_OK)
			die("sasae-2step: %s", sqlite3_errmsg(b->raw));
		sqlite3_reset(two_st[i]);
		sqlite3_clear_bindings(two_st[i]);
	}
	sqlite3_stmt *cnt = two_st[0], *exact = two_st[1], *top = two_st[2], *hit = two_st[3], *places = two_st[4];
	sqlite3_bind_text(cnt, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(cnt, 2, b->version_id);
	long long total = sqlite3_step(cnt) == SQLITE_ROW ? sqlite3_column_int64(cnt, 0) : -1;
	int64_t ids[TOPN + 1];
	size_t nid = 0;
	if (total > 0 && pq.exact_key) {
		sqlite3_bind_text(exact, 1, match, -1, SQLITE_STATIC);
		sqlite3_bind_int64(exact, 2, b->version_id);
		sqlite3_bind_text(exact, 3, pq.exact_key, -1, SQLITE_STATIC);
		while (nid < TOPN && sqlite3_step(exact) == SQLITE_ROW)
			ids[nid++] = sqlite3_column_int64(exact, 0);
	}
	if (total > 0) {
		sqlite3_bind_text(top, 1, match, -1, SQLITE_STATIC);
		sqlite3_bind_int64(top, 2, b->version_id);
		sqlite3_bind_int(top, 3, TOPN + (int)nid);
		while (nid < TOPN && sqlite3_step(top) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(top, 0);
			bool dup = false;
			for (size_t k = 0; k < nid && !dup; k++)
				dup = ids[k] == id;
			if (!dup)
				ids[nid++] = id;
		}
	}
	char *tops[TOPN];
	size_t n = 0;
	for (size_t k = 0; k < nid; k++) {
		sqlite3_reset(hit);
		sqlite3_bind_int64(hit, 1, ids[k]);
		if (sqlite3_step(hit) != SQLITE_ROW)
			continue;
		size_t bytes = (size_t)sqlite3_column_bytes(hit, 1) + (size_t)sqlite3_column_bytes(hit, 2) +
			       (size_t)sqlite3_column_bytes(hit, 3);
		tops[n++] = xstrdup((const char *)sqlite3_column_text(hit, 0));
		sqlite3_reset(places);
		sqlite3_bind_int64(places, 1, b->version_id);
		sqlite3_bind_text(places, 2, tops[n - 1], -1, SQLITE_STATIC);
		while (sqlite3_step(places) == SQLITE_ROW)
			bytes += (size_t)sqlite3_column_bytes(places, 5);
		brute_sink = bytes;
	}
	for (size_t i = 0; i < NTWO; i++)
		sqlite3_reset(two_st[i]);
	free(match);
	sasae_query_clear(&pq);
	double ms = now_ms() - t0;
	if (record) {
		qres_top_clear(r);
		r->hits = total;
		for (size_t i = 0; i < n; i++)
			r->top[r->ntop++] = tops[i];
	} else {
		for (size_t i = 0; i < n; i++)
			free(tops[i]);
	}
	return ms;
}

/* ---- brute force ---- */

typedef struct bnorm {
	bool neg;
	size_t n;
	char *t[MAXGROUPS];
	size_t len[MAXGROUPS];
} bnorm;

/* Scan every document; with out, mark matches.  Returns the number of matches. */
static size_t brute_run(bench *b, const bquery *q, bits *out)
{
	bnorm g[MAXGROUPS];
	size_t ng = 0, npos = 0;
	for (size_t i = 0; i < q->ng; i++) {
		bnorm *x = &g[ng];
		x->neg = q->g[i].neg;
		x->n = 0;
		for (size_t j = 0; j < q->g[i].n; j++) {
			char *t = sasae_normalize_string(q->g[i].terms[j], b->variants, SASAE_NORM_QUERY);
			if (t == NULL)
				die("out of memory");
			if (*t == '\0') { /* only symbols: nothing to search, as sasae */
				free(t);
				continue;
			}
			x->t[x->n] = t;
			x->len[x->n++] = strlen(t);
		}
		if (x->n) {
			ng++;
			npos += !x->neg;
		}
	}
	size_t hits = 0;
	if (npos > 0) {
		for (size_t d = 0; d < b->c.n; d++) {
			const doc *dc = &b->c.d[d];
			bool ok = true;
			for (size_t i = 0; ok && i < ng; i++) {
				bool any = false;
				for (size_t j = 0; !any && j < g[i].n; j++)
					any = memmem(dc->norm, dc->norm_len, g[i].t[j], g[i].len[j]) != NULL;
				ok = g[i].neg ? !any : any;
			}
			if (ok) {
				hits++;
				if (out)
					bits_set(out, d);
			}
		}
	}
	for (size_t i = 0; i < ng; i++)
		for (size_t j = 0; j < g[i].n; j++)
			free(g[i].t[j]);
	brute_sink = hits;
	return hits;
}

/* ---- SQLite FTS5 trigram ---- */

static void tri_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die("trigram: %s: %s", sql, msg ? msg : "?");
}

static double tri_build(bench *b, const char *path)
{
	unlink(path);
	char aux[1100];
	snprintf(aux, sizeof aux, "%s-journal", path);
	unlink(aux);
	double t0 = now_ms();
	if (sqlite3_open(path, &b->tri) != SQLITE_OK)
		die("trigram: cannot create %s", path);
	tri_exec(b->tri, "CREATE VIRTUAL TABLE t USING fts5(name, summary, departments, sections,"
			 " tokenize = 'trigram')");
	tri_exec(b->tri, "BEGIN");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(b->tri, "INSERT INTO t (rowid, name, summary, departments, sections)"
				       " VALUES (?1, ?2, ?3, ?4, ?5)",
			       -1, &st, NULL) != SQLITE_OK)
		die("trigram: %s", sqlite3_errmsg(b->tri));
	for (size_t i = 0; i < b->c.n; i++) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
		for (int f = 0; f < NFIELDS; f++)
			sqlite3_bind_text(st, 2 + f, b->c.d[i].raw[f], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("trigram insert: %s", sqlite3_errmsg(b->tri));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	tri_exec(b->tri, "COMMIT");
	return now_ms() - t0;
}

/* The WHERE clause of a query: ?1 the MATCH expression (terms of 3+ characters), ?2… LIKE patterns. */
typedef struct tsql {
	char *where;
	char *match; /* NULL: no MATCH */
	char *likes[MAXGROUPS * MAXGROUPS];
	size_t nlikes;
} tsql;

static void put_fts5_string(sasae_buf *b, const char *s)
{
	sasae_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sasae_buf_putc(b, '"');
		sasae_buf_putc(b, *s);
	}
	sasae_buf_putc(b, '"');
}

static void put_like(tsql *t, sasae_buf *w, const char *term)
{
	size_t k = t->nlikes + 2;
	sasae_buf lk = SASAE_BUF_INIT;
	sasae_buf_appendf(&lk, "%%%s%%", term);
	t->likes[t->nlikes++] = sasae_buf_detach(&lk);
	sasae_buf_putc(w, '(');
	for (int f = 0; f < NFIELDS; f++)
		sasae_buf_appendf(w, "%s%s LIKE ?%zu", f ? " OR " : "", field_names[f], k);
	sasae_buf_putc(w, ')');
}

static void tsql_build(tsql *t, const bquery *q)
{
	memset(t, 0, sizeof *t);
	sasae_buf m = SASAE_BUF_INIT, neg = SASAE_BUF_INIT, w = SASAE_BUF_INIT;
	/* MATCH part: positive groups whose terms all have 3+ characters. */
	for (size_t i = 0; i < q->ng; i++) {
		const bgroup *g = &q->g[i];
		bool all_long = true;
		for (size_t j = 0; j < g->n; j++)
			all_long = all_long && cp_len(g->terms[j]) >= 3;
		if (g->neg || !all_long)
			continue;
		sasae_buf_puts(&m, m.len ? " AND (" : "(");
		for (size_t j = 0; j < g->n; j++) {
			if (j)
				sasae_buf_puts(&m, " OR ");
			put_fts5_string(&m, g->terms[j]);
		}
		sasae_buf_putc(&m, ')');
	}
	bool has_match = m.len > 0;
	for (size_t i = 0; i < q->ng; i++) {
		const bgroup *g = &q->g[i];
		if (g->neg && has_match && cp_len(g->terms[0]) >= 3) {
			if (neg.len)
				sasae_buf_puts(&neg, " OR ");
			put_fts5_string(&neg, g->terms[0]);
		}
	}
	if (has_match) {
		if (neg.len) {
			sasae_buf x = SASAE_BUF_INIT;
			sasae_buf_appendf(&x, "(%s) NOT (%s)", sasae_buf_cstr(&m), sasae_buf_cstr(&neg));
			t->match = sasae_buf_detach(&x);
		} else {
			t->match = xstrdup(sasae_buf_cstr(&m));
		}
		sasae_buf_puts(&w, "t MATCH ?1");
	}
	/* LIKE part: the other positive groups, and exclusions MATCH could not take. */
	for (size_t i = 0; i < q->ng; i++) {
		const bgroup *g = &q->g[i];
		bool all_long = true;
		for (size_t j = 0; j < g->n; j++)
			all_long = all_long && cp_len(g->terms[j]) >= 3;
		if (!g->neg && all_long)
			continue;
		if (g->neg && has_match && cp_len(g->terms[0]) >= 3)
			continue;
		sasae_buf_puts(&w, w.len ? (g->neg ? " AND NOT (" : " AND (") : (g->neg ? "NOT (" : "("));
		for (size_t j = 0; j < g->n; j++) {
			if (j)
				sasae_buf_puts(&w, " OR ");
			put_like(t, &w, g->terms[j]);
		}
		sasae_buf_putc(&w, ')');
	}
	if (w.len == 0)
		sasae_buf_puts(&w, "0");
	t->where = sasae_buf_detach(&w);
	sasae_buf_free(&m);
	sasae_buf_free(&neg);
	if (t->where == NULL)
		die("out of memory");
}

static void tsql_free(tsql *t)
{
	free(t->where);
	free(t->match);
	for (size_t i = 0; i < t->nlikes; i++)
		free(t->likes[i]);
}

static sqlite3_stmt *tri_prepare(bench *b, const tsql *t, const char *head, const char *tail)
{
	sasae_buf sql = SASAE_BUF_INIT;
	sasae_buf_appendf(&sql, "%s WHERE %s%s", head, t->where, tail);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(b->tri, sasae_buf_cstr(&sql), -1, &st, NULL) != SQLITE_OK)
		die("trigram: %s: %s", sqlite3_errmsg(b->tri), sasae_buf_cstr(&sql));
	sasae_buf_free(&sql);
	if (t->match)
		sqlite3_bind_text(st, 1, t->match, -1, SQLITE_STATIC);
	for (size_t i = 0; i < t->nlikes; i++)
		sqlite3_bind_text(st, (int)i + 2, t->likes[i], -1, SQLITE_STATIC);
	return st;
}

static double tri_run(bench *b, const tsql *t, qres *r, bool record)
{
	double t0 = now_ms();
	sqlite3_stmt *cnt = tri_prepare(b, t, "SELECT count(*) FROM t", "");
	long long total = sqlite3_step(cnt) == SQLITE_ROW ? sqlite3_column_int64(cnt, 0) : -1;
	sqlite3_finalize(cnt);
	sqlite3_stmt *top = tri_prepare(b, t, "SELECT rowid FROM t",
					t->match ? " ORDER BY bm25(t, 10.0, 1.0, 2.0, 0.5) LIMIT 20" : " LIMIT 20");
	int64_t ids[TOPN];
	size_t n = 0;
	while (sqlite3_step(top) == SQLITE_ROW && n < TOPN)
		ids[n++] = sqlite3_column_int64(top, 0);
	sqlite3_finalize(top);
	double ms = now_ms() - t0;
	if (record) {
		qres_top_clear(r);
		r->hits = total;
		for (size_t i = 0; i < n; i++)
			if (ids[i] >= 1 && (size_t)ids[i] <= b->c.n)
				r->top[r->ntop++] = xstrdup(b->c.d[ids[i] - 1].pid);
	}
	return ms;
}

static void tri_full_set(bench *b, const tsql *t, qres *r)
{
	sqlite3_stmt *st = tri_prepare(b, t, "SELECT rowid FROM t", "");
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (id >= 1 && (size_t)id <= b->c.n)
			bits_set(&r->set, (size_t)id - 1);
	}
	sqlite3_finalize(st);
	r->have_set = true;
}

/* ---- Groonga ---- */

static void groonga_start(bench *b, const char *dbpath)
{
	int in[2], out[2];
	if (pipe(in) || pipe(out))
		die("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execlp("groonga", "groonga", dbpath, (char *)NULL);
		fprintf(stderr, "search_bench: cannot run groonga: %s\n", strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	b->gpid = pid;
	b->gto = fdopen(in[1], "w");
	b->gfrom = fdopen(out[0], "r");
	if (b->gto == NULL || b->gfrom == NULL)
		die("fdopen: %s", strerror(errno));
}

/* Send one command, read its response line into b->gline.  Returns the wall time in ms. */
static double groonga_cmd(bench *b, const char *cmd)
{
	double t0 = now_ms();
	if (fputs(cmd, b->gto) == EOF || fputc('\n', b->gto) == EOF || fflush(b->gto) == EOF)
		die("groonga: write failed (did it exit?)");
	ssize_t n = getline(&b->gline, &b->gcap, b->gfrom);
	double ms = now_ms() - t0;
	if (n <= 0)
		die("groonga: no response to: %s", cmd);
	return ms;
}

static void groonga_stop(bench *b)
{
	if (b->gpid <= 0)
		return;
	fputs("quit\n", b->gto);
	fclose(b->gto);
	fclose(b->gfrom);
	int status;
	waitpid(b->gpid, &status, 0);
	free(b->gline);
	b->gpid = 0;
}

/* Quote a value for Groonga's command syntax: '…' with ' and \ escaped. */
static void put_groonga_value(sasae_buf *out, const char *s)
{
	sasae_buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			sasae_buf_putc(out, '\\');
		sasae_buf_putc(out, *s);
	}
	sasae_buf_putc(out, '\'');
}

/* The query in Groonga's --query syntax: AND by spaces, (a OR b), -term, "phrases". */
static char *groonga_query(const bquery *q)
{
	sasae_buf s = SASAE_BUF_INIT;
	for (size_t i = 0; i < q->ng; i++) {
		const bgroup *g = &q->g[i];
		if (i)
			sasae_buf_putc(&s, ' ');
		if (g->neg)
			sasae_buf_putc(&s, '-');
		if (g->n > 1)
			sasae_buf_putc(&s, '(');
		for (size_t j = 0; j < g->n; j++) {
			if (j)
				sasae_buf_puts(&s, " OR ");
			const char *t = g->terms[j];
			bool special = strpbrk(t, " \"()\\:+-~*<>=@^$!") != NULL || strcmp(t, "OR") == 0;
			if (special) {
				sasae_buf_putc(&s, '"');
				for (; *t; t++) {
					if (*t == '"' || *t == '\\')
						sasae_buf_putc(&s, '\\');
					sasae_buf_putc(&s, *t);
				}
				sasae_buf_putc(&s, '"');
			} else {
				sasae_buf_puts(&s, t);
			}
		}
		if (g->n > 1)
			sasae_buf_putc(&s, ')');
	}
	return sasae_buf_detach(&s);
}

static const char groonga_match_columns[] = "name * 10 || summary || departments || sections";

static char *groonga_select(const char *gq, bool all)
{
	sasae_buf c = SASAE_BUF_INIT;
	sasae_buf_puts(&c, "select Programs --match_columns ");
	put_groonga_value(&c, groonga_match_columns);
	sasae_buf_puts(&c, " --query ");
	put_groonga_value(&c, gq);
	if (all)
		sasae_buf_puts(&c, " --limit -1 --output_columns _key");
	else
		sasae_buf_puts(&c, " --limit 20 --output_columns '_key,_score' --sort_keys '-_score,_id'");
	return sasae_buf_detach(&c);
}

/* Parse a select response: N, Groonga's elapsed (ms), and the keys (first `max` into top, all into
   set when given).  Returns false on an error response. */
static bool groonga_parse(bench *b, const char *line, qres *r, size_t max, bool fill_set, double *inner)
{
	json_error_t jerr;
	json_t *root = json_loads(line, JSON_DECODE_ANY, &jerr);
	bool ok = false;
	if (root == NULL) {
		snprintf(r->err, sizeof r->err, "bad JSON from groonga: %s", jerr.text);
		return false;
	}
	json_t *header = json_array_get(root, 0);
	if (inner)
		*inner = json_real_value(json_array_get(header, 2)) * 1e3;
	if (json_integer_value(json_array_get(header, 0)) != 0) {
		json_t *msg = json_array_get(header, 3);
		snprintf(r->err, sizeof r->err, "groonga: %s", json_is_string(msg) ? json_string_value(msg) : "error");
		goto done;
	}
	json_t *set = json_array_get(json_array_get(root, 1), 0);
	if (!json_is_array(set))
		goto done;
	if (max) {
		qres_top_clear(r);
		r->hits = json_integer_value(json_array_get(json_array_get(set, 0), 0));
	}
	for (size_t i = 2; i < json_array_size(set); i++) {
		json_t *key = json_array_get(json_array_get(set, i), 0);
		if (!json_is_string(key))
			continue;
		if (r->ntop < max)
			r->top[r->ntop++] = xstrdup(json_string_value(key));
		if (fill_set) {
			long d = corpus_find_pid(&b->c, json_string_value(key), json_string_length(key));
			if (d >= 0)
				bits_set(&r->set, (size_t)d);
		}
	}
	if (fill_set)
		r->have_set = true;
	ok = true;
done:
	json_decref(root);
	return ok;
}

/* Write the corpus as a Groonga load command (bench/search/groonga.sh loads it). */
static void export_groonga(const corpus *c, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	fputs("load --table Programs\n[\n", f);
	for (size_t i = 0; i < c->n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "_key", c->d[i].pid, "name", c->d[i].raw[0],
				      "summary", c->d[i].raw[1], "departments", c->d[i].raw[2], "sections",
				      c->d[i].raw[3]);
		char *js = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (js == NULL)
			die("JSON export failed at %s", c->d[i].pid);
		fprintf(f, "%s%s\n", js, i + 1 < c->n ? "," : "");
		free(js);
		json_decref(o);
	}
	fputs("]\n", f);
	if (fclose(f) != 0)
		die("%s: write failed", path);
}

/* ---- report ---- */

static void md_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
	}
}

static void print_ms(FILE *f, double v)
{
	if (isnan(v))
		fputs("–", f);
	else if (v < 10)
		fprintf(f, "%.2f", v);
	else if (v < 100)
		fprintf(f, "%.1f", v);
	else
		fprintf(f, "%.0f", v);
}

static void print_hits(FILE *f, long long h)
{
	if (h < 0)
		fputs("error", f);
	else
		fprintf(f, "%lld", h);
}

static double qres_pct(const qres *r, double p)
{
	double tmp[4096];
	size_t n = r->nms < 4096 ? r->nms : 4096;
	memcpy(tmp, r->ms, n * sizeof *tmp);
	return pct(tmp, n, p);
}

/* Where a document matches the query's first matching positive term: "field: …raw text…" (the
   original spelling, so a notation variant shows as such).  Falls back to the name. */
static void print_context(FILE *out, const doc *d, const bquery *q, const sasae_variants *v)
{
	sasae_norm t = {0}, qn = {0};
	for (size_t gi = 0; gi < q->ng; gi++) {
		if (q->g[gi].neg)
			continue;
		for (size_t j = 0; j < q->g[gi].n; j++) {
			const char *term = q->g[gi].terms[j];
			if (sasae_normalize(&qn, term, strlen(term), v, SASAE_NORM_QUERY) != 0 || qn.n == 0)
				continue;
			for (int f = 0; f < NFIELDS; f++) {
				const char *raw = d->raw[f];
				if (sasae_normalize(&t, raw, strlen(raw), v, SASAE_NORM_DOCUMENT) != 0)
					continue;
				for (size_t i = 0; i + qn.n <= t.n; i++) {
					if (memcmp(t.cp + i, qn.cp, qn.n * sizeof *qn.cp) != 0)
						continue;
					size_t from = t.from[i], to = t.to[i + qn.n - 1], len = strlen(raw);
					for (int k = 0; k < 8 && from > 0; k++) /* 8 characters around */
						while (from > 0 && ((unsigned char)raw[--from] & 0xC0) == 0x80)
							;
					for (int k = 0; k < 8 && to < len; k++)
						while (++to < len && ((unsigned char)raw[to] & 0xC0) == 0x80)
							;
					fprintf(out, " %s %s:「%s", d->pid, field_names[f], from > 0 ? "…" : "");
					for (size_t c = from; c < to; c++)
						if (raw[c] == '|')
							fputs("\\|", out);
						else
							fputc(raw[c], out);
					fprintf(out, "%s」", to < len ? "…" : "");
					sasae_norm_free(&t);
					sasae_norm_free(&qn);
					return;
				}
			}
		}
	}
	sasae_norm_free(&t);
	sasae_norm_free(&qn);
	fprintf(out, " %s name:「", d->pid);
	md_escape(out, d->raw[0]);
	fputs("」", out);
}

static void usage(void)
{
	fputs("usage: search_bench --db DB [--queries FILE] [--runs N] [--slow-runs M] [--warmup W]\n"
	      "                    [--budget SECONDS] [--groonga DBPATH] [--trigram PATH [--build-trigram]]\n"
	      "                    [--skip ENGINE,…] [--build-info FILE] [--report FILE] [--tsv FILE]\n"
	      "  engines: sasae, sasae-2step, groonga, trigram (brute always runs: it is the ground truth)\n"
	      "       search_bench --db DB --export-groonga FILE\n",
	      stderr);
	exit(2);
}

/* Everything one query needs, for every engine. */
typedef struct qctx {
	const char *q;
	bquery bq;
	tsql ts;
	char *gtop, *gall;
} qctx;

/* One run of engine e on query c; returns the wall time in ms (record: keep hits and top 20). */
static double engine_run(bench *b, int e, qctx *c, qres *x, bool record, double *inner)
{
	switch (e) {
	case E_SASAE:
		return sasae_run(b, c->q, x, record);
	case E_TWO:
		return two_run(b, c->q, x, record);
	case E_GROONGA: {
		double ms = groonga_cmd(b, c->gtop);
		if (!groonga_parse(b, b->gline, x, record ? TOPN : 0, false, inner) && record)
			x->hits = -1;
		return ms;
	}
	case E_TRIGRAM:
		return tri_run(b, &c->ts, x, record);
	default: {
		double t0 = now_ms();
		size_t h = brute_run(b, &c->bq, NULL);
		if (record)
			x->hits = (long long)h;
		return now_ms() - t0;
	}
	}
}

int main(int argc, char **argv)
{
	const char *dbpath = NULL, *qpath = "bench/search/queries.txt", *gdb = NULL, *tripath = NULL;
	const char *export_path = NULL, *report_path = NULL, *tsv_path = NULL, *build_info = NULL;
	int runs = 30, slow_runs = 5, warmup = 3;
	double budget_ms = 10e3;
	bool build_trigram = false;
	const char *skip = "";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
#define ARG(name) (strcmp(a, name) == 0 && i + 1 < argc)
		if (ARG("--db"))
			dbpath = argv[++i];
		else if (ARG("--queries"))
			qpath = argv[++i];
		else if (ARG("--runs"))
			runs = atoi(argv[++i]);
		else if (ARG("--slow-runs"))
			slow_runs = atoi(argv[++i]);
		else if (ARG("--warmup"))
			warmup = atoi(argv[++i]);
		else if (ARG("--budget"))
			budget_ms = atof(argv[++i]) * 1e3;
		else if (ARG("--groonga"))
			gdb = argv[++i];
		else if (ARG("--trigram"))
			tripath = argv[++i];
		else if (strcmp(a, "--build-trigram") == 0)
			build_trigram = true;
		else if (ARG("--skip"))
			skip = argv[++i];
		else if (ARG("--export-groonga"))
			export_path = argv[++i];
		else if (ARG("--report"))
			report_path = argv[++i];
		else if (ARG("--tsv"))
			tsv_path = argv[++i];
		else if (ARG("--build-info"))
			build_info = argv[++i];
		else
			usage();
#undef ARG
	}
	if (dbpath == NULL || runs < 1 || slow_runs < 1 || warmup < 0 || !(budget_ms > 0))
		usage();
	if (slow_runs > runs)
		slow_runs = runs;
	signal(SIGPIPE, SIG_IGN);

	bench b = {0};
	sasae_error err = {0};
	if (sasae_store_open(&b.store, dbpath, SASAE_STORE_READONLY, &err) != 0)
		die("%s: %s", dbpath, err.message);
	if (sasae_store_resolve(b.store, NULL, &b.version_id, &err) != 0)
		die("%s: %s", dbpath, err.message);
	b.variants = sasae_store_variants(b.store);
	if (sqlite3_open_v2(dbpath, &b.raw, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die("%s: cannot open", dbpath);
	if (sasae_fts_register(b.raw, (const sasae_variants *const *)&b.variants) != SQLITE_OK)
		die("cannot register the sasae tokenizer");

	double load_ms, norm_ms;
	size_t mismatch;
	fprintf(stderr, "loading the searchable text of every program…\n");
	corpus_load(&b.c, b.raw, b.version_id, b.variants, &load_ms, &norm_ms, &mismatch);
	fprintf(stderr, "%zu programs, %zu bytes of text (%.1f s to read, %.1f s to normalise); %zu differ from the "
			"FTS5 content\n",
		b.c.n, b.c.raw_bytes, load_ms / 1e3, norm_ms / 1e3, mismatch);
	if (export_path) {
		double t0 = now_ms();
		export_groonga(&b.c, export_path);
		fprintf(stderr, "wrote %s (%.1f s)\n", export_path, (now_ms() - t0) / 1e3);
		return 0;
	}

	/* sasae index size (dbstat) */
	long long sz_data = 0, sz_content = 0, sz_other = 0, sz_doc = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(b.raw, "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'search_%' GROUP BY name",
			       -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			long long v = sqlite3_column_int64(st, 1);
			if (strcmp(name, "search_index_data") == 0 || strcmp(name, "search_index_idx") == 0)
				sz_data += v;
			else if (strcmp(name, "search_index_content") == 0)
				sz_content += v;
			else if (strncmp(name, "search_index", 12) == 0)
				sz_other += v;
			else if (strcmp(name, "search_doc") == 0 || strcmp(name, "sqlite_autoindex_search_doc_1") == 0)
				sz_doc += v;
		}
		sqlite3_finalize(st);
	} else {
		fprintf(stderr, "dbstat unavailable: %s\n", sqlite3_errmsg(b.raw));
	}

	/* trigram */
	double tri_build_ms = NAN;
	long long tri_size = -1, tri_data = 0, tri_content = 0;
	if (tripath) {
		if (build_trigram || file_size(tripath) <= 0) {
			fprintf(stderr, "building the trigram index %s…\n", tripath);
			tri_build_ms = tri_build(&b, tripath);
			fprintf(stderr, "trigram build %.1f s\n", tri_build_ms / 1e3);
		} else if (sqlite3_open_v2(tripath, &b.tri, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
			die("%s: cannot open", tripath);
		}
		tri_size = file_size(tripath);
		if (sqlite3_prepare_v2(b.tri, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name", -1, &st, NULL) ==
		    SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *name = (const char *)sqlite3_column_text(st, 0);
				if (strcmp(name, "t_data") == 0 || strcmp(name, "t_idx") == 0)
					tri_data += sqlite3_column_int64(st, 1);
				else if (strcmp(name, "t_content") == 0)
					tri_content += sqlite3_column_int64(st, 1);
			}
			sqlite3_finalize(st);
		}
	}

	/* groonga */
	char gversion[200] = "";
	if (gdb) {
		groonga_start(&b, gdb);
		groonga_cmd(&b, "cache_limit --max 0"); /* no query cache: every run is a real search */
		groonga_cmd(&b, "status");
		json_t *js = json_loads(b.gline, 0, NULL);
		const char *ver = json_string_value(json_object_get(json_array_get(js, 1), "version"));
		snprintf(gversion, sizeof gversion, "%s", ver ? ver : "?");
		json_decref(js);
	}

	/* queries */
	FILE *qf = fopen(qpath, "r");
	if (qf == NULL)
		die("%s: %s", qpath, strerror(errno));
	char *queries[MAXQ];
	size_t nq = 0;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, qf) > 0 && nq < MAXQ) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		queries[nq++] = xstrdup(line);
	}
	free(line);
	fclose(qf);

	qres *res = xcalloc(nq * NENGINES, sizeof *res);
#define R(q, e) (&res[(q) * NENGINES + (e)])
	bool on[NENGINES] = {true, true, gdb != NULL, tripath != NULL, true};
	for (int e = 0; e < NENGINES; e++) { /* --skip sasae,sasae-2step,…  (brute is the ground truth: always on) */
		size_t len = strlen(engine_names[e]);
		for (const char *p = strstr(skip, engine_names[e]); e != E_BRUTE && p; p = strstr(p + 1, engine_names[e]))
			if ((p == skip || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
				on[e] = false;
	}
	double *pool[NENGINES];
	size_t npool[NENGINES] = {0};
	for (int e = 0; e < NENGINES; e++)
		pool[e] = xcalloc(nq * (size_t)runs, sizeof(double));
	double *gpool_inner = xcalloc(nq * (size_t)runs, sizeof(double));
	size_t ngpool_inner = 0;
	char *gcmd_top[MAXQ] = {0};
	size_t warmups[MAXQ][NENGINES] = {{0}};
	double t_start = now_ms();

	for (size_t qi = 0; qi < nq; qi++) {
		qctx c = {queries[qi], {0}, {0}, NULL, NULL};
		fprintf(stderr, "[%zu/%zu] %s\n", qi + 1, nq, c.q);
		bquery_parse(&c.bq, c.q);
		tsql_build(&c.ts, &c.bq);
		char *gq = groonga_query(&c.bq);
		c.gtop = groonga_select(gq, false);
		c.gall = groonga_select(gq, true);
		free(gq);
		gcmd_top[qi] = xstrdup(c.gtop);
		for (int e = 0; e < NENGINES; e++)
			qres_init(R(qi, e), (size_t)runs, b.c.n);

		/* full match sets (untimed) */
		R(qi, E_BRUTE)->hits = (long long)brute_run(&b, &c.bq, &R(qi, E_BRUTE)->set);
		R(qi, E_BRUTE)->have_set = true;
		sasae_full_set(&b, c.q, R(qi, E_SASAE));
		if (on[E_TRIGRAM])
			tri_full_set(&b, &c.ts, R(qi, E_TRIGRAM));
		if (on[E_GROONGA]) {
			groonga_cmd(&b, c.gall);
			qres *g = R(qi, E_GROONGA);
			if (!groonga_parse(&b, b.gline, g, 0, true, NULL))
				fprintf(stderr, "  groonga: %s\n", g->err);
		}

		/* warm-up: up to W runs (1 for the slow baselines).  The first is a probe: when it takes more
		   than a second it is kept as the first timed run and there is no more warm-up (a query that
		   runs for seconds is CPU-bound with the database in the page cache: warming it only costs time). */
		double spent[NENGINES] = {0};
		for (int e = 0; e < NENGINES; e++) {
			int w_max = e == E_TRIGRAM || e == E_BRUTE ? (warmup > 0) : warmup;
			qres *x = R(qi, e);
			for (int w = 0; on[e] && w < (w_max > 0 ? w_max : 1); w++) {
				double inner = NAN;
				double ms = engine_run(&b, e, &c, x, true, &inner);
				if (w == 0 && (ms > 1e3 || w_max == 0)) {
					x->ms[x->nms++] = ms;
					spent[e] += ms;
					if (e == E_GROONGA)
						x->inner_ms[x->ninner++] = inner;
					break;
				}
				warmups[qi][e]++;
			}
		}
		/* timed runs, the engines interleaved run by run (load on the shared machine hits them alike);
		   an engine stops after its budget for the query once it has one run */
		for (int r = 0; r < runs; r++) {
			for (int e = 0; e < NENGINES; e++) {
				qres *x = R(qi, e);
				size_t limit = e == E_TRIGRAM || e == E_BRUTE ? (size_t)slow_runs : (size_t)runs;
				if (!on[e] || x->nms >= limit || (x->nms >= 1 && spent[e] >= budget_ms))
					continue;
				double inner = NAN;
				double ms = engine_run(&b, e, &c, x, x->nms == 0, &inner);
				x->ms[x->nms++] = ms;
				spent[e] += ms;
				if (e == E_GROONGA)
					x->inner_ms[x->ninner++] = inner;
			}
		}
		for (int e = 0; e < NENGINES; e++) {
			qres *x = R(qi, e);
			memcpy(pool[e] + npool[e], x->ms, x->nms * sizeof(double));
			npool[e] += x->nms;
		}
		memcpy(gpool_inner + ngpool_inner, R(qi, E_GROONGA)->inner_ms,
		       R(qi, E_GROONGA)->ninner * sizeof(double));
		ngpool_inner += R(qi, E_GROONGA)->ninner;
		for (int e = 0; e < NENGINES; e++)
			if (on[e])
				fprintf(stderr, "  %s %.2f ms ×%zu (%lld)", engine_names[e], qres_pct(R(qi, e), 50),
					R(qi, e)->nms, R(qi, e)->hits);
		fputc('\n', stderr);
		free(c.gtop);
		free(c.gall);
		tsql_free(&c.ts);
		bquery_free(&c.bq);
	}
	double t_total = now_ms() - t_start;
	groonga_stop(&b);

	/* ---- the report ---- */
	FILE *out = report_path ? fopen(report_path, "w") : stdout;
	if (out == NULL)
		die("%s: %s", report_path, strerror(errno));
	struct utsname un;
	uname(&un);
	double load[3] = {NAN, NAN, NAN};
	FILE *la = fopen("/proc/loadavg", "r");
	if (la) {
		if (fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
			load[0] = load[1] = load[2] = NAN;
		fclose(la);
	}
	time_t tnow = time(NULL);
	char date[64];
	strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", localtime(&tnow));
	fprintf(out, "# Search benchmark report\n\n");
	fprintf(out, "- date: %s; %s %s; %ld CPUs online; load average at the end %.2f %.2f %.2f\n", date, un.sysname,
		un.release, sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2]);
	fprintf(out, "- SQLite %s; Groonga %s\n", sqlite3_libversion(), gdb ? gversion : "(not run)");
	fprintf(out, "- database `%s`: %zu programs (search documents), %zu bytes of searchable text "
		     "(%zu normalised); text read in %.1f s, normalised for the scan in %.1f s; "
		     "rows that differ from the FTS5 content table: %zu\n",
		dbpath, b.c.n, b.c.raw_bytes, b.c.norm_bytes, load_ms / 1e3, norm_ms / 1e3, mismatch);
	fprintf(out, "- %zu queries; up to %d warm-up runs per query (trigram and brute 1; none once an engine "
		     "has had a run over 1 s); up to %d timed runs for sasae, sasae-2step and groonga, %d for trigram "
		     "and brute, and no more once an engine has spent %.0f s on the query; engines interleaved "
		     "run by run; the query phase took %.0f s\n",
		nq, warmup, runs, slow_runs, budget_ms / 1e3, t_total / 1e3);
	fprintf(out, "- times in ms, wall-clock as the client sees it; percentiles nearest-rank (with 30 runs p99 "
		     "is the slowest run; with 1 run p50 = p99 = that run)\n");
	fprintf(out, "- sasae-2step is not sasae's code: sasae's ranking and output in plain SQL with FTS5's "
		     "bm25(), the top 20 taken from the index and search_doc alone and the "
		     "listing/program/departments joined for those 20 only (no snippets, no suggestions)\n\n");

	fprintf(out, "## Index build and size\n\n| engine | build | size | notes |\n|---|---|---|---|\n");
	if (build_info) {
		FILE *bi = fopen(build_info, "r");
		char *l = NULL;
		size_t lc = 0;
		while (bi && getline(&l, &lc, bi) > 0)
			fputs(l, out);
		free(l);
		if (bi)
			fclose(bi);
	}
	fprintf(out, "| sasae index (dbstat) | | %.1f MB: inverted index %.1f MB + content copy %.1f MB + "
		     "docsize/config %.1f MB; search_doc %.1f MB | FTS5, tokenizer `sasae` |\n",
		(double)(sz_data + sz_content + sz_other + sz_doc) / 1e6, (double)sz_data / 1e6,
		(double)sz_content / 1e6, (double)sz_other / 1e6, (double)sz_doc / 1e6);
	if (tripath) {
		char bt[64] = "(reused)";
		if (!isnan(tri_build_ms))
			snprintf(bt, sizeof bt, "%.1f s", tri_build_ms / 1e3);
		fprintf(out, "| trigram | %s | %.1f MB file: inverted index %.1f MB + content copy %.1f MB | FTS5 "
			     "`trigram`, built by search_bench from the same text in one transaction |\n",
			bt, (double)tri_size / 1e6, (double)tri_data / 1e6, (double)tri_content / 1e6);
	}
	fputs("\n", out);

	/* summary */
	fprintf(out, "## Summary over the query set\n\n| engine | timed runs | pooled p50 | pooled p99 | median of "
		     "per-query p50 | median of per-query p99 | slowest per-query p50 |\n"
		     "|---|---|---|---|---|---|---|\n");
	for (int e = 0; e < NENGINES; e++) {
		if (!on[e])
			continue;
		double p50s[MAXQ], p99s[MAXQ], maxp50 = 0;
		for (size_t qi = 0; qi < nq; qi++) {
			p50s[qi] = qres_pct(R(qi, e), 50);
			p99s[qi] = qres_pct(R(qi, e), 99);
			if (p50s[qi] > maxp50)
				maxp50 = p50s[qi];
		}
		fprintf(out, "| %s | %zu | ", engine_names[e], npool[e]);
		print_ms(out, pct(pool[e], npool[e], 50));
		fputs(" | ", out);
		print_ms(out, pct(pool[e], npool[e], 99));
		fputs(" | ", out);
		print_ms(out, pct(p50s, nq, 50));
		fputs(" | ", out);
		print_ms(out, pct(p99s, nq, 50));
		fputs(" | ", out);
		print_ms(out, maxp50);
		fputs(" |\n", out);
	}
	if (on[E_GROONGA]) {
		fprintf(out, "| groonga, own elapsed time | %zu | ", ngpool_inner);
		print_ms(out, pct(gpool_inner, ngpool_inner, 50));
		fputs(" | ", out);
		print_ms(out, pct(gpool_inner, ngpool_inner, 99));
		fputs(" | | | |\n", out);
	}
	fputs("\n", out);

	/* combined table */
	fprintf(out, "## Per query\n\n| # | query | sasae p50 | p99 | hits | groonga p50 | p99 | hits | trigram "
		     "p50 | p99 | hits | brute hits |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (size_t qi = 0; qi < nq; qi++) {
		fprintf(out, "| %zu | ", qi + 1);
		md_escape(out, queries[qi]);
		static const int cols[] = {E_SASAE, E_GROONGA, E_TRIGRAM};
		for (size_t k = 0; k < 3; k++) {
			qres *x = R(qi, cols[k]);
			fputs(" | ", out);
			if (!on[cols[k]]) {
				fputs("– | – | –", out);
				continue;
			}
			print_ms(out, qres_pct(x, 50));
			fputs(" | ", out);
			print_ms(out, qres_pct(x, 99));
			fputs(" | ", out);
			print_hits(out, x->hits);
		}
		fputs(" | ", out);
		print_hits(out, R(qi, E_BRUTE)->hits);
		fputs(" |\n", out);
	}
	fputs("\n", out);

	/* per engine */
	fprintf(out, "## Per engine\n\n");
	for (int e = 0; e < NENGINES; e++) {
		if (!on[e])
			continue;
		fprintf(out, "### %s\n\n| # | query | warm-up | runs | min | p50 | p99 | hits |%s\n"
			     "|---|---|---|---|---|---|---|---|%s\n",
			engine_names[e], e == E_GROONGA ? " own elapsed p50 | own elapsed p99 |" : "",
			e == E_GROONGA ? "---|---|" : "");
		for (size_t qi = 0; qi < nq; qi++) {
			qres *x = R(qi, e);
			fprintf(out, "| %zu | ", qi + 1);
			md_escape(out, queries[qi]);
			fprintf(out, " | %zu | %zu | ", warmups[qi][e], x->nms);
			print_ms(out, qres_pct(x, 0));
			fputs(" | ", out);
			print_ms(out, qres_pct(x, 50));
			fputs(" | ", out);
			print_ms(out, qres_pct(x, 99));
			fputs(" | ", out);
			print_hits(out, x->hits);
			if (e == E_GROONGA) {
				double tmp[4096];
				memcpy(tmp, x->inner_ms, x->ninner * sizeof *tmp);
				fputs(" | ", out);
				print_ms(out, pct(tmp, x->ninner, 50));
				fputs(" | ", out);
				print_ms(out, pct(tmp, x->ninner, 99));
			}
			if (x->err[0] && x->hits < 0)
				fprintf(out, " (%s)", x->err);
			fputs(" |\n", out);
		}
		fputs("\n", out);
	}

	/* recall */
	fprintf(out, "## Recall against the brute-force scan\n\nGround truth: the programs whose normalised "
		     "text (NFKC, case, kana, notation variants — sasae's normalisation) contains every "
		     "positive term and no excluded one. *missed* = found by the scan, not by the engine; "
		     "*extra* = found by the engine, not by the scan. Full match sets (no limit), not just the "
		     "top 20; sasae's set is its index's match for the compiled query.\n\n"
		     "| # | query | brute | sasae missed | sasae extra | groonga missed | groonga extra | "
		     "trigram missed | trigram extra | groonga ∖ sasae |\n|---|---|---|---|---|---|---|---|---|---|\n");
	static const int rec[] = {E_SASAE, E_GROONGA, E_TRIGRAM};
	size_t tot_missed[NENGINES] = {0}, tot_extra[NENGINES] = {0}, tot_g_not_s = 0, tot_truth = 0;
	for (size_t qi = 0; qi < nq; qi++) {
		const bits *truth = &R(qi, E_BRUTE)->set;
		size_t nt = bits_count(truth);
		tot_truth += nt;
		fprintf(out, "| %zu | ", qi + 1);
		md_escape(out, queries[qi]);
		fprintf(out, " | %zu", nt);
		for (size_t k = 0; k < 3; k++) {
			const qres *x = R(qi, rec[k]);
			if (!x->have_set) { /* sasae's set comes from its index even when its timing is skipped */
				fputs(" | – | –", out);
				continue;
			}
			size_t m = bits_minus(truth, &x->set), ex = bits_minus(&x->set, truth);
			tot_missed[rec[k]] += m;
			tot_extra[rec[k]] += ex;
			fprintf(out, " | %zu | %zu", m, ex);
		}
		if (R(qi, E_GROONGA)->have_set && R(qi, E_SASAE)->have_set) {
			size_t gs = bits_minus(&R(qi, E_GROONGA)->set, &R(qi, E_SASAE)->set);
			tot_g_not_s += gs;
			fprintf(out, " | %zu |\n", gs);
		} else {
			fputs(" | – |\n", out);
		}
	}
	fprintf(out, "| | **total** | %zu", tot_truth);
	for (size_t k = 0; k < 3; k++)
		fprintf(out, " | %zu | %zu", tot_missed[rec[k]], tot_extra[rec[k]]);
	fprintf(out, " | %zu |\n\n", tot_g_not_s);

	fprintf(out, "### Examples of differences (up to 3 per query and engine)\n\n");
	for (size_t qi = 0; qi < nq; qi++) {
		const bits *truth = &R(qi, E_BRUTE)->set;
		for (size_t k = 0; k < 3; k++) {
			const qres *x = R(qi, rec[k]);
			if (!x->have_set)
				continue;
			for (int kind = 0; kind < 2; kind++) {
				const bits *a = kind == 0 ? truth : &x->set, *bb = kind == 0 ? &x->set : truth;
				size_t shown = 0;
				for (size_t d = 0; d < b.c.n && shown < 3; d++) {
					if (!bits_get(a, d) || bits_get(bb, d))
						continue;
					if (shown == 0) {
						fprintf(out, "- %s, 「", engine_names[rec[k]]);
						md_escape(out, queries[qi]);
						fprintf(out, "」, %s:", kind == 0 ? "missed" : "extra");
					}
					bquery bq;
					bquery_parse(&bq, queries[qi]);
					print_context(out, &b.c.d[d], &bq, b.variants);
					bquery_free(&bq);
					shown++;
				}
				if (shown)
					fputs("\n", out);
			}
		}
	}
	fputs("\n", out);

	/* top 20 */
	int ref = on[E_SASAE] ? E_SASAE : E_TWO;
	fprintf(out, "## Top 20 per query\n\n| # | query | engine | in %s's top 20 | top 20 |\n"
		     "|---|---|---|---|---|\n", engine_names[ref]);
	for (size_t qi = 0; qi < nq; qi++) {
		for (int e = E_SASAE; e <= E_TRIGRAM; e++) {
			const qres *x = R(qi, e);
			if (!on[e])
				continue;
			size_t overlap = 0;
			for (size_t i = 0; i < x->ntop; i++)
				for (size_t j = 0; j < R(qi, ref)->ntop; j++)
					overlap += strcmp(x->top[i], R(qi, ref)->top[j]) == 0;
			fprintf(out, "| %zu | ", qi + 1);
			md_escape(out, queries[qi]);
			fprintf(out, " | %s | %zu/%zu | ", engine_names[e], overlap, x->ntop);
			for (size_t i = 0; i < x->ntop; i++)
				fprintf(out, "%s%s", i ? " " : "", x->top[i]);
			fputs(" |\n", out);
		}
	}
	if (on[E_GROONGA]) {
		fputs("\n## Groonga commands (top 20; the full sets used --limit -1 --output_columns _key)\n\n```\n",
		      out);
		fputs("cache_limit --max 0\n", out);
		for (size_t qi = 0; qi < nq; qi++)
			fprintf(out, "%s\n", gcmd_top[qi]);
		fputs("```\n", out);
	}
	if (out != stdout)
		fclose(out);

	if (tsv_path) {
		FILE *t = fopen(tsv_path, "w");
		if (t == NULL)
			die("%s: %s", tsv_path, strerror(errno));
		fputs("query\tengine\truns\tp50_ms\tp99_ms\thits\tmissed\textra\n", t);
		for (size_t qi = 0; qi < nq; qi++)
			for (int e = 0; e < NENGINES; e++) {
				const qres *x = R(qi, e);
				if (!on[e])
					continue;
				long long m = -1, ex = -1;
				if (x->have_set) {
					m = (long long)bits_minus(&R(qi, E_BRUTE)->set, &x->set);
					ex = (long long)bits_minus(&x->set, &R(qi, E_BRUTE)->set);
				}
				fprintf(t, "%s\t%s\t%zu\t%.3f\t%.3f\t%lld\t%lld\t%lld\n", queries[qi], engine_names[e],
					x->nms, qres_pct(x, 50), qres_pct(x, 99), x->hits, m, ex);
			}
		fclose(t);
	}
	fprintf(stderr, "done: %.0f s of queries\n", t_total / 1e3);
	sqlite3_close(b.tri);
	sqlite3_close(b.raw);
	sasae_store_close(b.store);
	return 0;
}
