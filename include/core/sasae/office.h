/*
 * office.h — the changes the plan office's workspace makes (/office, docs/office.md), each ONE
 * transaction that writes its audit row (include/core/sasae/accounts.h) with the fields before and
 * after.  Every input is checked with the same rules and the same messages as the file loaders
 * (`sasae lint --accept`, outline files, data/departments.tsv, the finder's files), so that the web
 * and the files never disagree about what is valid.
 *
 * Authorization: the router checks the route's roles; these functions check again what only the
 * core can know — a department's scope (sasae_program_tags_set: an editor of another department gets
 * SASAE_EFORBIDDEN however the request was made).  `user` is the signed-in person (NULL: the operator
 * at the terminal, who may do everything).
 */
#ifndef SASAE_OFFICE_H
#define SASAE_OFFICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/accounts.h"
#include "sasae/departments.h"
#include "sasae/error.h"
#include "sasae/store.h"

/* ---- lint triage: what the office decided about each finding ---- */

typedef enum sasae_triage_state {
	SASAE_TRIAGE_OPEN = 0,     /* not looked at (no row) */
	SASAE_TRIAGE_CHECKED = 1,  /* 確認済み: seen; to be fixed in the next draft */
	SASAE_TRIAGE_ACCEPTED = 2, /* 許容: not a mistake (a reason is required); lint stops reporting it,
				      as the accept file of `sasae lint --accept` does */
} sasae_triage_state;

/* A decision about one finding of a plan.  finding is the key of `sasae lint --accept` files:
   "kind<TAB>part-section-position" (docs/lint.md), so that a decision survives the next draft when
   the finding is still there, and the accepted ones export as an accept file. */
typedef struct sasae_triage {
	char *finding;
	sasae_triage_state state;
	char *reason; /* "" when none */
	char *login;  /* who decided last */
	char *at;     /* when (ISO 8601 UTC) */
} sasae_triage;

/* The decisions of plan slug, ordered by finding.  Free with sasae_triages_free. */
int sasae_triage_list(sasae_store *s, const char *slug, sasae_triage **out, size_t *n, sasae_error *err);
void sasae_triages_free(sasae_triage *t, size_t n);
/* Decide (state OPEN removes the decision).  SASAE_EUSAGE: a malformed key, ACCEPTED without a
   reason, a reason over 1000 characters.  Audited "lint.triage", target "plan:SLUG"; no change, no
   row. */
int sasae_triage_set(sasae_store *s, const sasae_actor *who, const char *slug, const char *finding,
		     sasae_triage_state state, const char *reason, sasae_error *err);

/* ---- which version of a plan the public sees ---- */

/* The version of plan slug published (*version 0: none chosen, the latest is served). */
int sasae_plan_public_get(sasae_store *s, const char *slug, int *version, sasae_error *err);
/* Publish version (0: back to "the latest").  SASAE_ENOTFOUND for an unknown plan or version.
   Audited "plan.publish", target "plan:SLUG". */
int sasae_plan_public_set(sasae_store *s, const sasae_actor *who, const char *slug, int version,
			  sasae_error *err);

/* ---- the outline: part titles of a version ---- */

/* Set part `part`'s title in version version_id (the title as an outline file line would give it:
   checked by sasae_outline_parse's rules; "" removes it).  Audited "plan.part-title", target
   "plan:SLUG@N" with {"part":n,"title":…} before and after. */
int sasae_part_title_set(sasae_store *s, const sasae_actor *who, int64_t version_id, int part,
			 const char *title, sasae_error *err);

/* ---- the office's data files ---- */

/* The files the workspace edits: "departments.tsv" (the department table import uses when no
   --departments is given) and the finder's four files ("vocabulary.tsv", "tag-rules.tsv",
   "tag-overrides.tsv", "everyday-words.tsv").  The text in force: the stored copy, or the
   built-in one (out->source "built-in").  Free with sasae_store_file_clear. */
int sasae_office_file_get(sasae_store *s, const char *name, sasae_store_file *out, sasae_error *err);
/* Replace a file with text after checking it as its loader does (for the finder's files: the whole
   set with the new file, as `sasae tags --load`): SASAE_EDATA with "name:line: …" and nothing stored.
   text NULL goes back to the built-in file.  Audited "file.set" / "file.reset", target
   "file:NAME", before and after {"text":…} (the whole file; these are a few kB).  The same text
   again changes nothing and writes no row. */
int sasae_office_file_set(sasae_store *s, const sasae_actor *who, const char *name, const char *text,
			  sasae_error *err);

/* Replace the finder's files as one set (`sasae tags --load`): given[k] is the new file named
   sasae_tag_file_name(k) (source: where it was read), or text NULL to leave that file as it is; reset
   puts all four back to the built-in ones (given ignored).  The set with the new files is checked as
   a whole, as the finder loads it (SASAE_EDATA "name:line: …", nothing stored); then one transaction
   writes each file whose text changes with its audit row ("file.set" / "file.reset", as
   sasae_office_file_set).  *changed (may be NULL) gets bit k for each file that changed. */
int sasae_office_finder_files_set(sasae_store *s, const sasae_actor *who, const sasae_store_file *given,
				  bool reset, unsigned *changed, sasae_error *err);

/* The department table in force: the stored departments.tsv, else the built-in one (what
   `sasae import` uses when no --departments is given, and what a department named in a grant is
   checked against).  *out is new (sasae_dept_table_free).  Returns 0, SASAE_EDATA (a stored file that
   no longer parses: "departments.tsv:line: …"), SASAE_EDB, SASAE_ENOMEM. */
int sasae_office_departments(sasae_store *s, sasae_dept_table **out, sasae_error *err);

/* ---- department-scoped: a program's tag overrides ---- */

/* Whether user may change program `program` ("p0012") of version version_id: the operator (user
   NULL), office, or an editor of one of the program's departments.  Returns 0 (yes),
   SASAE_EFORBIDDEN, SASAE_ENOTFOUND (no such program). */
int sasae_program_may_edit(sasae_store *s, const sasae_user *user, int64_t version_id, const char *program,
			   sasae_error *err);
/* Set the finder's overrides of one program (the line of tag-overrides.tsv for its name:
   "changes" as in that file, "+need:x -who:y"; "" removes the line), after
   sasae_program_may_edit and the finder's check of the whole set.  Audited "program.tags", target
   "program:ID", before and after {"changes":…,"reason":…}. */
int sasae_program_tags_set(sasae_store *s, const sasae_actor *who, const sasae_user *user, int64_t version_id,
			   const char *program, const char *changes, const char *reason, sasae_error *err);

/* ---- comments (the council reads the workspace and comments) ---- */

typedef struct sasae_comment {
	int64_t id;
	char *target; /* "program:p0012", "finding:<key>", "plan:SLUG@N" */
	char *login;
	char *display_name;
	char *at;
	char *text;
} sasae_comment;

/* The comments on target (or every comment when target is NULL), oldest first. */
int sasae_comment_list(sasae_store *s, const char *target, sasae_comment **out, size_t *n, sasae_error *err);
void sasae_comments_free(sasae_comment *c, size_t n);
/* Add a comment (1–4000 characters, valid UTF-8).  Audited "comment.add". */
int sasae_comment_add(sasae_store *s, const sasae_actor *who, const char *target, const char *text,
		      sasae_error *err);

#endif
