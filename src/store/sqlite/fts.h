/* fts.h — the 'sasae' FTS5 tokenizer and ranking function, registered on every store connection
   (internal to store). */
#ifndef SASAE_STORE_FTS_H
#define SASAE_STORE_FTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "sasae/normalize.h"

/*
 * Register the tokenizer 'sasae' on db.  *variants is read at every tokenisation (so the store can
 * load or replace its variant table after registering); it may be NULL.  Returns an SQLite code.
 */
int sasae_fts_register(sqlite3 *db, const sasae_variants *const *variants);

/*
 * The ranking function sasae_rank(search_index, w0, w1, …): the same values as FTS5's
 * bm25(search_index, w0, w1, …), computed faster on large result sets.  bm25 reads every matching
 * row's length with one lookup in the index's docsize table; sasae_rank reads the lengths of the
 * rows of a scope (a rowid range: the version searched) into memory once this connection has looked
 * up about an eighth of them, and uses the table from then on.  Registered on db; *out belongs to
 * the connection (freed when it closes).  Registers sasae_collect too.
 */
typedef struct sasae_fts_rank sasae_fts_rank;
/*
 * sasae_collect(search_index, COLLECTOR, w0, w1, …), in a WHERE clause: computes sasae_rank's score of
 * each row and offers it to the collector (bound with sqlite3_bind_pointer(…, "sasae_fts_collector",
 * NULL)), which keeps what it wants: a top-N without returning every row to the caller.  offer
 * returns an SQLite code.
 * sasae_pass(search_index, COLLECTOR, w0, w1, …), selected for the first match of a query over an
 * index with no row outside [lo, hi] (whole_index): when the query is one phrase, offers every match
 * with its score, as sasae_collect would, from inside FTS5 (no SQL row per match), and sets passed
 * and count; otherwise it does nothing and the caller runs sasae_collect.
 */
typedef struct sasae_fts_collector {
	int (*offer)(struct sasae_fts_collector *c, int64_t rowid, double score);
	int64_t lo, hi;   /* in: the pass is restricted to the rowids [lo, hi] */
	bool whole_index; /* in: the index has no row outside [lo, hi] */
	bool deferred;    /* out: the scores offered lack a common factor: see sasae_fts_final_score */
	int64_t nrow;     /* out, with deferred: the rows of the index */
	bool passed;      /* out: sasae_pass ranked every match (count of them: count) */
	int64_t count;
} sasae_fts_collector;
/* The score of a row offered with score `offered` by a pass that counted nhit matches: `offered`
   itself, or — a one-phrase query over the whole index (deferred) — with the phrase's idf applied
   now, as bm25 applies it (the same value).  Applying a positive factor keeps the order of the
   scores, but may make two of them equal (ties are then broken by rowid). */
double sasae_fts_final_score(const sasae_fts_collector *c, double offered, int64_t nhit);
int sasae_fts_rank_register(sqlite3 *db, sasae_fts_rank **out);
/* The rowid range whose lengths may be cached (lo > 0); a new range drops the table. */
void sasae_fts_rank_scope(sasae_fts_rank *r, int64_t lo, int64_t hi);
/* Drop the table of lengths (the index has changed). */
void sasae_fts_rank_reset(sasae_fts_rank *r);

#endif
