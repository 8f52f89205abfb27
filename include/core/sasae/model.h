/*
 * model.h — the plan as plain C structs: plan → part → section → listing, and program (one per
 * identity, plan-format.md "Program identity") with the places it is listed.
 *
 * Ownership: a sasae_plan owns everything reachable from it; free it with sasae_plan_free().
 * Strings are UTF-8, NUL-terminated, never NULL inside a plan built by the parser or the store
 * (empty cells are "").
 */
#ifndef SASAE_MODEL_H
#define SASAE_MODEL_H

#include <stdbool.h>
#include <stddef.h>

/* One responsible body of a listing, as printed (canonicalised through the department table). */
typedef struct sasae_department {
	char *name; /* canonical name, e.g. "市社会福祉協議会" */
	char *note; /* parenthesised note printed after it ("各区役所、総合支所"), or NULL */
	char *printed; /* the token as printed when it differs from name ("社会福祉協議会", or a
			  run-together "健康福祉局市社会福祉協議会" for each name split from it), else NULL */
} sasae_department;

/* One row of the document: a program as listed in one section. */
typedef struct sasae_listing {
	int part;                      /* 1-based part (basic goal or sub-plan) */
	int section;                   /* section number as printed in the heading */
	int section_index;             /* 1-based order of the section within its part (unique even
					  where a printed heading number repeats) */
	int position;                  /* 1-based order within its section */
	long number;                   /* the No as printed (may skip or go backwards) */
	char *name;                    /* name without 【再掲】 and without wrap spaces */
	char *summary;                 /* summary, fragments joined, trimmed */
	bool relisted;                 /* the name carried the 【再掲】 marker */
	sasae_department *departments; /* in printed order */
	size_t ndepartments;
	char *program;    /* program id ("p0001"), or NULL before identities are assigned */
	long source_line; /* 1-based line of the row in the document */
} sasae_listing;

/* A policy section "(N) title" and its listings in printed order. */
typedef struct sasae_section {
	int number;        /* as printed */
	char *title;       /* heading text after "(N)" */
	long source_line;  /* line of the heading */
	sasae_listing *listings;
	size_t nlistings;
	size_t cap;
} sasae_section;

/* A part: the sections between two restarts of the heading numbers. */
typedef struct sasae_part {
	int number;  /* 1-based order */
	char *title; /* from the outline file, or NULL */
	sasae_section *sections;
	size_t nsections;
	size_t cap;
} sasae_part;

/* Where a program is listed. */
typedef struct sasae_place {
	int part;
	int section;       /* printed number */
	int section_index; /* 1-based order within the part: unambiguous */
	int position;
} sasae_place;

/* One program: the identity shared by its listings; its text is the original listing's. */
typedef struct sasae_program {
	char *id;      /* stable id, "p0001" … */
	char *name;    /* from the original listing (the first unmarked one, else the first) */
	char *summary;
	sasae_department *departments;
	size_t ndepartments;
	sasae_place *places; /* every listing, in document order */
	size_t nplaces;
} sasae_program;

/* A parser warning kept with the plan (docs/format.md, "Warnings"), so that lint can report it
   after the import. */
typedef struct sasae_plan_warning {
	long line;     /* 1-based line of the document */
	char *kind;    /* stable short name: "doubled-char", "unknown-department", … */
	char *message; /* for people (Japanese) */
} sasae_plan_warning;

/* A plan (one version of one plan). */
typedef struct sasae_plan {
	char *slug;    /* e.g. "sendai-2024-draft" */
	char *title;   /* from the document's title lines or --title */
	char *source;  /* file name the version was imported from */
	int version;   /* 1-based version within the slug (0 when not stored) */
	char *imported_at; /* when the version was imported, ISO 8601 UTC ("2026-11-24T05:00:00Z"; NULL
			      when not stored) */
	sasae_part *parts;
	size_t nparts;
	size_t cap;
	sasae_program *programs;
	size_t nprograms;
	sasae_plan_warning *warnings; /* the parser's warnings, in document order */
	size_t nwarnings;
} sasae_plan;

/* A new empty plan, or NULL when out of memory.  Free with sasae_plan_free(). */
sasae_plan *sasae_plan_new(void);
/* Free a plan and everything it owns; NULL is a no-op. */
void sasae_plan_free(sasae_plan *plan);

/* Append an empty part / section to plan / part; returns a borrowed pointer, NULL on OOM. */
sasae_part *sasae_plan_add_part(sasae_plan *plan);
sasae_section *sasae_part_add_section(sasae_part *part);
/* Deep-copy src into a new listing appended to section; returns it (borrowed), NULL on OOM. */
sasae_listing *sasae_section_add_listing(sasae_section *section, const sasae_listing *src);

/* Deep copy of one listing's strings into dst (dst's old contents are not freed). 0 or -ENOMEM code. */
int sasae_listing_copy(sasae_listing *dst, const sasae_listing *src);
/* Free the strings owned by a listing (not the struct itself). */
void sasae_listing_clear(sasae_listing *l);
/* Free a department array of n entries. */
void sasae_departments_free(sasae_department *d, size_t n);
/* Deep-copy a department array; returns NULL on OOM (or when n == 0). */
sasae_department *sasae_departments_copy(const sasae_department *d, size_t n);

/* Append a copy of a warning to plan->warnings.  0 or SASAE_ENOMEM. */
int sasae_plan_add_warning(sasae_plan *plan, long line, const char *kind, const char *message);

/* Total number of listings in a plan. */
size_t sasae_plan_count_listings(const sasae_plan *plan);
/* Number of sections in a plan. */
size_t sasae_plan_count_sections(const sasae_plan *plan);

/*
 * Assign program identities to a parsed plan (in memory, without a store): listings whose names
 * are equal after NFKC and removal of white space share a program; ids are "p0001"… in order of
 * first appearance.  Fills plan->programs and each listing's program.  Returns 0 or SASAE_ENOMEM.
 */
int sasae_plan_assign_programs(sasae_plan *plan);

/* strdup that returns NULL for NULL. */
char *sasae_strdup(const char *s);

#endif
