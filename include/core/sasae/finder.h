/*
 * finder.h — the needs finder: from a person's situation (who, what they need, free text) to the
 * programs that fit, and why (docs/finder.md).
 *
 * The finder works on a plan in memory and the tags its data files give it; it keeps nothing about
 * a query.  Ranking (docs/finder.md, "Ranking"):
 *   - a program is a candidate when one of its who or need tags was asked for, or a search word of
 *     the free text occurs in its text;
 *   - when "who" was asked for, a program for other people only (its who tags all differ) is left
 *     out, unless a search word found it;
 *   - score: a who match 3, each need match 2, each search word 2 (3 in the name), a program for
 *     everyone (no who tag) 1 when who was asked for; then services a person can use (kind flagged
 *     "service") before the others, then the score, then plan order.
 *   - each result belongs to a group: the first need asked for that it has, else its own first need
 *     tag, else none; groups are shown in vocabulary order.
 */
#ifndef SASAE_FINDER_H
#define SASAE_FINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/error.h"
#include "sasae/model.h"
#include "sasae/store.h"
#include "sasae/tags.h"

enum {
	SASAE_FINDER_MAX_CHOICES = 32, /* who + need ids in one query */
	SASAE_FINDER_MAX_TEXT = 1000,  /* bytes of free text */
	SASAE_FINDER_DEFAULT_LIMIT = 30,
};

/*
 * Load the four data files: each from given[role] when given is not NULL and its text is set (a
 * file the office is about to load), else the copy stored in the database, else the built-in one;
 * words are normalised with the store's variant table.  *out is new (sasae_tag_data_free).
 * Returns 0, SASAE_EDATA (file:line of the file as loaded), SASAE_EDB, SASAE_ENOMEM.
 */
int sasae_finder_data_load(sasae_tag_data **out, sasae_store *s, const sasae_store_file *given,
			   sasae_error *err);

/* A finder over one plan: plan and data are borrowed and must outlive it. */
typedef struct sasae_finder sasae_finder;

/* Tag the plan's programs with data (v folds notation variants, may be NULL).  Returns 0 or
   SASAE_ENOMEM. */
int sasae_finder_new(sasae_finder **out, const sasae_plan *plan, const sasae_tag_data *data,
		     const sasae_variants *v, sasae_error *err);
void sasae_finder_free(sasae_finder *f);

const sasae_plan *sasae_finder_plan(const sasae_finder *f);
const sasae_tag_data *sasae_finder_data(const sasae_finder *f);
const sasae_plan_tags *sasae_finder_tags(const sasae_finder *f);

/* A query: ids of who and need terms ("elderly", or "who:elderly"), free text, paging. */
typedef struct sasae_finder_query {
	const char *const *who;
	size_t nwho;
	const char *const *need;
	size_t nneed;
	const char *text; /* may be NULL */
	int limit;        /* 1..1000 (0: SASAE_FINDER_DEFAULT_LIMIT) */
	int offset;       /* >= 0 */
} sasae_finder_query;

/* Why a program was shown: a tag (with the words that gave the program that tag), or a search word
   of the free text and where it was found. */
typedef struct sasae_finder_why {
	int term;                       /* vocabulary index, or -1 for a search word */
	const char *word;               /* search word (term == -1), borrowed from the results' meaning */
	const char *field;              /* where the search word was found ("name", "summary", …) */
	const sasae_tag_reason *reason; /* the program's tag (term >= 0), borrowed from the finder */
} sasae_finder_why;

typedef struct sasae_finder_result {
	size_t program; /* index into plan->programs */
	int group;      /* need term index, or -1 (その他) */
	bool service;   /* its kind is a service a person can use */
	int kind;       /* kind term index or -1 */
	int score;
	sasae_finder_why *why;
	size_t nwhy;
} sasae_finder_result;

/* One group of results as shown: a need (or -1) and the results in it, in order. */
typedef struct sasae_finder_group {
	int term;
	size_t *results; /* indexes into results[] */
	size_t nresults;
} sasae_finder_group;

enum { SASAE_FINDER_HEARD = 0, SASAE_FINDER_WORDS = 1, SASAE_FINDER_NOTHING = 2 };

/* One of the places anyone can ask first (data/first-contacts.tsv, built in). */
typedef struct sasae_first_contact {
	const char *name, *about, *phone; /* phone "" until the plan office fills it in */
} sasae_first_contact;

/* The first contacts (parsed once; borrowed, never freed); *n their number. */
const sasae_first_contact *sasae_first_contacts(size_t *n);

typedef struct sasae_finder_results {
	size_t total; /* every matching program */
	int limit, offset;
	int *who, *need; /* the terms asked for: choices and what the text meant, vocabulary order */
	size_t nwho, nneed;
	sasae_text_meaning meaning;   /* what the free text was read as */
	sasae_finder_result *results; /* the page (offset, limit), best first */
	size_t nresults;
	sasae_finder_group *groups; /* the page grouped by need, vocabulary order, -1 last */
	size_t ngroups;
	/* How the results were found (docs/finder.md, "Never a dead end"): SASAE_FINDER_HEARD (the
	   choices or the vocabulary), SASAE_FINDER_WORDS (the vocabulary heard nothing: meaning.words
	   are the sentence's content words, found in programs' names and summaries) or
	   SASAE_FINDER_NOTHING (text was given and nothing was found: show the first contacts). */
	int found_by;
	int32_t **word_cp; /* private: meaning.words normalised once for all programs */
	size_t *word_n;
} sasae_finder_results;

/*
 * Find the programs for q.  *out is new (free with sasae_finder_results_free).  Returns 0,
 * SASAE_EUSAGE (an unknown who/need id, too many choices, text too long or not UTF-8, bad
 * limit/offset: the message names the parameter), SASAE_ENOMEM.  Asking nothing is not an error:
 * total is 0.
 */
int sasae_finder_find(sasae_finder_results **out, const sasae_finder *f, const sasae_finder_query *q,
		      sasae_error *err);
void sasae_finder_results_free(sasae_finder_results *r);

/* The results as JSON: {"total", "limit", "offset", "who": [...], "need": [...], "heard": [...],
   "words": [...], "groups": [...], "results": [{"program", "name", "why", ...}]} (jansson json_t *,
   new reference; docs/finder.md). */
struct json_t;
struct json_t *sasae_finder_results_json(const sasae_finder *f, const sasae_finder_results *r);

/* The vocabulary and every program's tags with their evidence, as JSON (for /api/v1/tags and
   `sasae tags --format json`). */
struct json_t *sasae_finder_tags_json(const sasae_finder *f);

#endif
