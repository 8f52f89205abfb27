/*
 * query_plan.c — why a search costs what it costs: the query plan and the time of each SQL statement
 * sasae_store_search runs for one query (the count, the page of hits), beside variants that let
 * the full-text index drive the join.  A diagnostic for bench/http/run.sh --perf; not part of sasae.
 *
 * The SQL is copied from src/store/store.c (sasae_store_search, 2026-11); if that changes, change
 * this too.  Build (run.sh does it):
 *   cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc bench/http/query_plan.c \
 *      BUILD/libsasae_core.a -lsqlite3 -lutf8proc -ljansson -lm -o query_plan
 * Usage: query_plan DB QUERY [RUNS]
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sasae/search.h"
#include "store/sqlite/sqlite_store.h" /* the tokenizer, and the FTS5 expression of a query */

#define FILTERS                                                                                                    \
	" AND (?3 = 0 AND ?4 = 0 OR EXISTS (SELECT 1 FROM listing lf JOIN section sf ON sf.id = lf.section_id"   \
	"  JOIN part pf ON pf.id = sf.part_id WHERE lf.version_id = d.version_id AND lf.program_id = d.program_id" \
	"  AND (?3 = 0 OR pf.number = ?3) AND (?4 = 0 OR sf.number = ?4)))"
#define WHERE " WHERE search_index MATCH ?1 AND d.version_id = ?2" FILTERS
#define HITS(join)                                                                                                 \
	"SELECT p.pid, l.name, l.summary, (SELECT group_concat(dep.name, '、') FROM listing_department ld"         \
	" JOIN department dep ON dep.id = ld.department_id WHERE ld.listing_id = l.id),"                          \
	" bm25(search_index, 10.0, 1.0, 2.0, 0.5, 0.3, 2.0) AS score FROM search_index " join " search_doc d"     \
	" ON d.id = search_index.rowid JOIN program p ON p.id = d.program_id JOIN version_program vp"              \
	" ON vp.version_id = d.version_id AND vp.program_id = d.program_id JOIN listing l ON l.id = vp.listing_id" \
	WHERE " ORDER BY (p.key = ?5) DESC, score, d.id LIMIT 20 OFFSET 0"

static const struct {
	const char *label, *sql;
	bool step; /* false: time the prepare and finalize only */
} statements[] = {
	{"count, as sasae_store_search runs it",
	 "SELECT count(*) FROM search_index JOIN search_doc d ON d.id = search_index.rowid" WHERE, true},
	{"count, CROSS JOIN (the index drives)",
	 "SELECT count(*) FROM search_index CROSS JOIN search_doc d ON d.id = search_index.rowid" WHERE, true},
	{"hits, as sasae_store_search runs it", HITS("JOIN"), true},
	{"hits: prepare + finalize only", HITS("JOIN"), false},
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void bind(sqlite3_stmt *st, const char *match, sqlite3_int64 version)
{
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_int(st, 3, 0);
	sqlite3_bind_int(st, 4, 0);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: query_plan DB QUERY [RUNS]\n");
		return 2;
	}
	int runs = argc > 3 ? atoi(argv[3]) : 500;
	sqlite3 *db;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "query_plan: %s: %s\n", argv[1], sqlite3_errmsg(db));
		return 1;
	}
	static const sasae_variants *variants = NULL; /* highlighting-only here: no notation variants */
	if (sasae_fts_register(db, &variants) != SQLITE_OK) {
		fprintf(stderr, "query_plan: cannot register the tokenizer\n");
		return 1;
	}
	sqlite3_int64 version = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT max(id) FROM version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sasae_query q;
	sasae_error err = {0};
	if (sasae_query_parse(&q, argv[2], NULL, &err) != 0 || q.match == NULL) {
		fprintf(stderr, "query_plan: %s\n", err.message);
		return 1;
	}
	bool oom = false;
	char *match = sqlb_compile_new(q.match, &oom);
	if (match == NULL) {
		fprintf(stderr, "query_plan: out of memory\n");
		return 1;
	}
	printf("query %s → MATCH %s, version %lld, %d runs each\n", argv[2], match, (long long)version, runs);
	for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
		char eqp[4096];
		snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", statements[i].sql);
		printf("\n== %s\n", statements[i].label);
		if (sqlite3_prepare_v2(db, eqp, -1, &st, NULL) != SQLITE_OK) {
			printf("  %s\n", sqlite3_errmsg(db));
			continue;
		}
		bind(st, match, version);
		while (sqlite3_step(st) == SQLITE_ROW)
			printf("  %s\n", (const char *)sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
		bool step = statements[i].step;
		long long rows = 0;
		char first[64] = "";
		double t0 = now_ms();
		for (int r = 0; r < runs; r++) {
			sqlite3_prepare_v2(db, statements[i].sql, -1, &st, NULL);
			bind(st, match, version);
			while (step && sqlite3_step(st) == SQLITE_ROW) {
				if (r == 0 && rows == 0)
					snprintf(first, sizeof first, "%.60s", (const char *)sqlite3_column_text(st, 0));
				if (r == 0)
					rows++;
			}
			sqlite3_finalize(st);
		}
		double ms = (now_ms() - t0) / runs;
		if (step)
			printf("  → %lld row(s), first value %s; %.3f ms per prepare+run\n", rows, first, ms);
		else
			printf("  → %.3f ms per prepare+finalize\n", ms);
	}
	free(match);
	sasae_query_clear(&q);
	sqlite3_close(db);
	return 0;
}
