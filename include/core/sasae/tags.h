/*
 * tags.h — the needs finder's vocabulary and the tags it gives programs (docs/finder.md).
 *
 * Four data files, which the plan office edits (built into the binary as defaults, stored in the
 * database by `sasae tags --load`):
 *   vocabulary.tsv      the terms: who a program is for, what it helps with, what kind it is
 *   tag-rules.tsv       words in a program's text that give it a tag (with the evidence kept)
 *   tag-overrides.tsv   the office's decisions, which win over the rules
 *   everyday-words.tsv  what people type ("物忘れ", "住むところがない") mapped to terms and words
 *
 * Text is compared after the search normalisation (sasae_normalize: NFKC, case, kana, notation
 * variants), so that a rule word matches every notation of itself.
 */
#ifndef SASAE_TAGS_H
#define SASAE_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/error.h"
#include "sasae/model.h"
#include "sasae/normalize.h"

/* The three facets of the vocabulary. */
enum { SASAE_FACET_WHO = 0, SASAE_FACET_NEED = 1, SASAE_FACET_KIND = 2, SASAE_NFACETS = 3 };

/* The facet's name as written in files and addresses ("who", "need", "kind"). */
const char *sasae_facet_name(int facet);

/* One term of the vocabulary. */
typedef struct sasae_term {
	int facet;         /* SASAE_FACET_… */
	char *id;          /* "elderly" */
	char *tag;         /* "who:elderly" */
	char *label;       /* 高齢者 */
	char *plain;       /* お年寄り (やさしい日本語) */
	bool service;      /* kind only: a kind of program a person can use themselves */
	bool organisation; /* who: for organisations, not residents; kind: what an organisation can use */
	long line;         /* line in vocabulary.tsv */
} sasae_term;

/* The four files, parsed. */
typedef struct sasae_tag_data sasae_tag_data;

/* The data files, by role. */
enum {
	SASAE_TAGFILE_VOCABULARY = 0,
	SASAE_TAGFILE_RULES = 1,
	SASAE_TAGFILE_OVERRIDES = 2,
	SASAE_TAGFILE_WORDS = 3,
	SASAE_NTAGFILES = 4
};

/* The file name of each role ("vocabulary.tsv", "tag-rules.tsv", "tag-overrides.tsv",
   "everyday-words.tsv"). */
const char *sasae_tag_file_name(int role);

/* The built-in copy of a file (data/…), as embedded at build time. */
void sasae_tag_file_default(int role, const char **bytes, size_t *len);

/* One file to parse: its name for messages and its bytes. */
typedef struct sasae_tag_source {
	const char *file;
	const char *bytes;
	size_t len;
} sasae_tag_source;

/*
 * Parse the four files (files[SASAE_TAGFILE_…]); words are normalised with the variant table v
 * (may be NULL).  *out is new (free with sasae_tag_data_free).  Returns 0, SASAE_EDATA with
 * file:line and the field that is wrong (an unknown tag, a bad facet, a duplicate id, …),
 * SASAE_ENOMEM.
 */
int sasae_tag_data_parse(sasae_tag_data **out, const sasae_tag_source files[SASAE_NTAGFILES],
			 const sasae_variants *v, sasae_error *err);
void sasae_tag_data_free(sasae_tag_data *d);

/* The vocabulary, in file order. */
size_t sasae_tag_data_nterms(const sasae_tag_data *d);
const sasae_term *sasae_tag_data_term(const sasae_tag_data *d, size_t i);
/* The index of a term by tag ("who:elderly") or, with facet >= 0, by id within that facet
   ("elderly"); -1 when there is none. */
int sasae_tag_data_find(const sasae_tag_data *d, int facet, const char *name);
/* Number of rules, overrides and everyday-word lines (for `sasae tags`). */
void sasae_tag_data_counts(const sasae_tag_data *d, size_t *rules, size_t *overrides, size_t *words);

/* Why a program has a tag. */
typedef struct sasae_tag_reason {
	int term;       /* index into the vocabulary */
	bool override;  /* set (or kept against the rules) by tag-overrides.tsv */
	long line;      /* the line of the rule or override that decided it */
	char *evidence; /* "name:認知症 summary:もの忘れ" (rule), or the override's reason */
} sasae_tag_reason;

/* The tags of one program (same order as plan->programs). */
typedef struct sasae_program_tags {
	sasae_tag_reason *tags; /* who and need tags, in vocabulary order */
	size_t ntags;
	int kind; /* the kind term, or -1 (no kind rule matched) */
	sasae_tag_reason kind_reason;
} sasae_program_tags;

/* The tags of a whole plan. */
typedef struct sasae_plan_tags {
	sasae_program_tags *programs; /* plan->nprograms entries */
	size_t nprograms;
	/* overrides naming a program that is not in the plan (reported by `sasae tags`) */
	long *unknown_override_lines;
	char **unknown_override_names;
	size_t nunknown;
	struct sasae_tag_texts *texts; /* private: each program's normalised text */
} sasae_plan_tags;

/* Tag every program of plan (rules, then overrides).  *out is new (free with
   sasae_plan_tags_free).  Returns 0 or SASAE_ENOMEM. */
int sasae_tags_apply(sasae_plan_tags **out, const sasae_tag_data *d, const sasae_plan *plan, sasae_error *err);
void sasae_plan_tags_free(sasae_plan_tags *t);

/* Whether program tags t carry term. */
bool sasae_program_has_tag(const sasae_program_tags *t, int term);

/* What free text means: the terms and search words its everyday words stand for. */
typedef struct sasae_text_meaning {
	int *terms; /* vocabulary indexes (who and need), no duplicates, in vocabulary order */
	size_t nterms;
	char **words; /* search words to look for in programs' text (as written in the file) */
	size_t nwords;
	char **heard; /* the everyday words found in the text, in text order (for "why") */
	size_t nheard;
	int *heard_terms; /* for each term of terms[], the index into heard[] of the word that gave it */
} sasae_text_meaning;

/* Read free text through everyday-words.tsv (only: the vocabulary's labels are too broad in a
   sentence — 子ども in 「子どもと逃げた」).  out is filled
   (free with sasae_text_meaning_clear).  Returns 0 or SASAE_ENOMEM. */
int sasae_tags_read_text(sasae_text_meaning *out, const sasae_tag_data *d, const char *text, sasae_error *err);
void sasae_text_meaning_clear(sasae_text_meaning *m);

/* Whether word w (as written in everyday-words.tsv) occurs in program's text (normalised like the
   index); *field (may be NULL) is set to "name", "summary", "departments" or "sections". */
bool sasae_plan_tags_has_word(const sasae_plan_tags *t, size_t program, const char *w,
			      const sasae_variants *v, const char **field);
/* The same for a word normalised once (sasae_tags_norm_word) and looked for in many programs. */
bool sasae_plan_tags_has_norm(const sasae_plan_tags *t, size_t program, const int32_t *cp, size_t n,
			      const char **field);
/* w normalised as the rules' words are: a new array of *n code points (NULL when out of memory). */
int32_t *sasae_tags_norm_word(const char *w, const sasae_variants *v, size_t *n);

#endif
