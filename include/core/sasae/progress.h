/*
 * progress.h — yearly progress management (進捗管理, docs/progress.md): a cycle per fiscal year (年度)
 * opened by the plan office with a deadline, one sheet per program (not per listing), the sheet's
 * fields and scales as data the office configures, the workflow from 下書き to 公開, council comments
 * kept with the year, and the roll-up per section, part and department (computed, never typed).
 *
 * The rules live here; the store keeps the rows (src/store/backend.h).  Every change is ONE
 * transaction that writes its audit row (include/core/sasae/accounts.h); a change that changes
 * nothing writes nothing.  `user` is the signed-in person (NULL: the operator at the terminal, who
 * may do everything); the department scope is checked here whatever the caller checked before.
 */
#ifndef SASAE_PROGRESS_H
#define SASAE_PROGRESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/accounts.h"
#include "sasae/buf.h"
#include "sasae/error.h"
#include "sasae/office.h"
#include "sasae/store.h"

/* ---- the workflow ---- */

/* A sheet's state.  Stored: never renumber. */
typedef enum sasae_progress_state {
	SASAE_PROGRESS_DRAFT = 0,     /* 下書き: the department's editor writes */
	SASAE_PROGRESS_SUBMITTED = 1, /* 提出: waits for the department's approver */
	SASAE_PROGRESS_RETURNED = 2,  /* 差し戻し: back to the editor, with a comment */
	SASAE_PROGRESS_APPROVED = 3,  /* 承認（担当課）: waits for the office */
	SASAE_PROGRESS_ACCEPTED = 4,  /* 承認（所管課）: the office has checked it */
	SASAE_PROGRESS_CONFIRMED = 5, /* 確定: frozen; only the office changes it (audited) */
	SASAE_PROGRESS_PUBLISHED = 6, /* 公開: on the public pages and the API */
} sasae_progress_state;
enum { SASAE_PROGRESS_NSTATES = 7 };

/* "draft", "submitted", "returned", "approved", "accepted", "confirmed", "published". */
const char *sasae_progress_state_name(sasae_progress_state st);
/* "下書き", "提出済み", "差し戻し", "担当課承認", "所管課承認", "確定", "公開". */
const char *sasae_progress_state_label(sasae_progress_state st);

/* What a person does to a sheet. */
typedef enum sasae_progress_action {
	SASAE_PROGRESS_EDIT = 0, /* change its values */
	SASAE_PROGRESS_SUBMIT,   /* draft|returned → submitted: the department's editor */
	SASAE_PROGRESS_RETURN,   /* submitted → returned (the department's approver or the office);
				       approved|accepted → returned (the office); a comment is required */
	SASAE_PROGRESS_APPROVE,  /* submitted → approved: the department's approver */
	SASAE_PROGRESS_ACCEPT,   /* approved → accepted: the office */
	SASAE_PROGRESS_CONFIRM,  /* accepted → confirmed: the office */
	SASAE_PROGRESS_PUBLISH,  /* confirmed → published: the office */
} sasae_progress_action;
enum { SASAE_PROGRESS_NACTIONS = 7 };

/* "edit", "submit", "return", "approve", "accept", "confirm", "publish". */
const char *sasae_progress_action_name(sasae_progress_action a);
/* Parse an action name: 0 or SASAE_EUSAGE (the message lists the names). */
int sasae_progress_action_parse(const char *name, sasae_progress_action *out, sasae_error *err);

/*
 * Whether user (NULL: the operator) may do action to a sheet in state st whose program belongs to
 * departments[0..n).  The whole rule (docs/progress.md, "Workflow"):
 *   edit     the department's editor in draft/returned; the office in any state but published
 *            (after 確定 every change is the office's, audited as progress.amend);
 *   submit   the department's editor or the office, from draft/returned;
 *   return   from submitted: the department's approver or the office; from approved/accepted: the
 *            office;
 *   approve  from submitted: the department's approver;
 *   accept, confirm, publish: the office, from approved, accepted, confirmed respectively.
 * The operator at the terminal acts as the office.  Admin and council hold none of these.
 * On false, err (may be NULL) says why in Japanese with SASAE_EFORBIDDEN (not allowed for this
 * person) or SASAE_ECONFLICT (not from this state).
 */
bool sasae_progress_may(const sasae_user *user, sasae_progress_action action, sasae_progress_state st,
			const char *const *departments, size_t n, sasae_error *err);

/* The state after action from st (st itself for edit); -1 when the action does not apply. */
int sasae_progress_next(sasae_progress_action action, sasae_progress_state st);

/* ---- cycles ---- */

typedef struct sasae_progress_cycle {
	int year;           /* fiscal year, 2000–2100 */
	int64_t version_id; /* the plan version whose programs are evaluated */
	char *deadline;     /* "YYYY-MM-DD": the last day to submit */
	char *config;       /* JSON text: the sheet's fields and scales (sasae_progress_config_check) */
	char *opened_at;
	char *opened_by; /* login ("" for the operator) */
} sasae_progress_cycle;

void sasae_progress_cycle_clear(sasae_progress_cycle *c);
void sasae_progress_cycles_free(sasae_progress_cycle *c, size_t n);

/* The default fields and scales (JSON text, static): 実施状況, 実績 (indicators: name, unit, kind
   活動|成果, baseline, target, actual or an arrow), 自己評価 A–D with 評価理由, 課題, 今後の方向性
   (拡充/継続/改善・見直し/縮小/廃止/終了), 予算/決算 (千円, optional), 改善策, and 前年度の改善策
   carried forward from last year's 改善策. */
const char *sasae_progress_config_default(void);

/* Check a configuration (JSON text): SASAE_EUSAGE naming the field and what is wrong. */
int sasae_progress_config_check(const char *config, sasae_error *err);

/*
 * Open the cycle of year (the office; SASAE_EFORBIDDEN for anyone else): the programs of plan
 * version version_id each get a draft sheet, with 前年度の改善策 carried from year-1's sheet of the
 * same program when there is one.  deadline "YYYY-MM-DD"; config NULL: the default.  SASAE_ECONFLICT
 * when the year is open already.  Audited "progress.open", target "progress:YEAR".
 */
int sasae_progress_open(sasae_store *s, const sasae_actor *who, const sasae_user *user, int year,
			int64_t version_id, const char *deadline, const char *config, sasae_error *err);

/* The cycle of year: SASAE_ENOTFOUND with a message when it is not open. */
int sasae_progress_cycle_get(sasae_store *s, int year, sasae_progress_cycle *out, sasae_error *err);
/* Every cycle, newest year first. */
int sasae_progress_cycle_list(sasae_store *s, sasae_progress_cycle **out, size_t *n, sasae_error *err);

/* ---- sheets ---- */

typedef struct sasae_progress_sheet {
	int year;
	char *program;      /* "p0012" */
	char *name;         /* the program's name */
	char **departments; /* canonical names */
	size_t ndepartments;
	sasae_progress_state state;
	char *data; /* JSON object text: the values, keyed by the configuration's field keys */
	char *note; /* the last return comment ("" when none) */
	char *updated_at;
	char *updated_by;
} sasae_progress_sheet;

void sasae_progress_sheet_clear(sasae_progress_sheet *sh);
void sasae_progress_sheets_free(sasae_progress_sheet *sh, size_t n);

/* The sheets of year, ordered by program id. */
int sasae_progress_sheets(sasae_store *s, int year, sasae_progress_sheet **out, size_t *n, sasae_error *err);
/* One sheet: SASAE_ENOTFOUND with a message when the year or the program has none. */
int sasae_progress_sheet_get(sasae_store *s, int year, const char *program, sasae_progress_sheet *out,
			     sasae_error *err);

/* One problem found in a sheet's values: the field (its key; for an indicator "indicators[2].target")
   and the message in Japanese. */
typedef struct sasae_progress_problem {
	char *field;
	char *message;
} sasae_progress_problem;

void sasae_progress_problems_free(sasae_progress_problem *p, size_t n);

/*
 * Check values (a JSON object) against config (JSON text): unknown fields, texts too long or with
 * control characters, a grade or a direction not on the list, amounts not whole numbers 0–
 * 999,999,999, indicator rows with a bad kind, numbers that are not numbers, a row with neither a
 * number nor an arrow.  complete: also every required field filled (for submit).  Appends to
 * *problems; returns how many were found.  The value given back in *canon (may be NULL) is values
 * normalised (texts trimmed, empty optional fields removed) when there were none.
 */
size_t sasae_progress_check(const char *config, json_t *values, bool complete, json_t **canon,
			    sasae_progress_problem **problems, size_t *nproblems);

/*
 * Save a sheet's values (JSON object text).  The scope and the state are checked
 * (sasae_progress_may, EDIT); the values with sasae_progress_check (incomplete allowed): on any
 * problem SASAE_EUSAGE, *problems listing them all and nothing written.  Same values: nothing
 * written, no audit row.  Audited "progress.edit" (or "progress.amend" after 確定), target
 * "progress:YEAR:PROGRAM", with the fields changed before and after.
 */
int sasae_progress_sheet_save(sasae_store *s, const sasae_actor *who, const sasae_user *user, int year,
			      const char *program, const char *values, sasae_progress_problem **problems,
			      size_t *nproblems, sasae_error *err);

/*
 * Move a sheet along the workflow (not EDIT).  return needs a comment (1–2000 characters), the
 * others take an optional one (kept as the sheet's note only for return).  submit checks the values
 * complete: SASAE_EUSAGE with *problems.  Audited "progress.ACTION", target "progress:YEAR:PROGRAM",
 * before/after {state, comment}.
 */
int sasae_progress_act(sasae_store *s, const sasae_actor *who, const sasae_user *user, int year,
		       const char *program, sasae_progress_action action, const char *comment,
		       sasae_progress_problem **problems, size_t *nproblems, sasae_error *err);

/* ---- council comments and section grades ---- */

/* Add a comment on "program:ID" or "section:PART-SECTION_INDEX" of year (the council or the office;
   1–4000 characters).  Audited "progress.comment", target "progress:YEAR:TARGET". */
int sasae_progress_comment_add(sasae_store *s, const sasae_actor *who, const sasae_user *user, int year,
			       const char *target, const char *text, sasae_error *err);
/* The comments of year on target (NULL: all), oldest first (sasae_comments_free). */
int sasae_progress_comment_list(sasae_store *s, int year, const char *target, sasae_comment **out, size_t *n,
				sasae_error *err);

/* ---- roll-up ---- */

/* Figures of a group of sheets (a section, a part, a department, or all). */
typedef struct sasae_progress_tally {
	size_t sheets;     /* sheets in the group */
	size_t graded[8];  /* by grade, in the order of the configuration's scale (at most 8) */
	size_t ungraded;   /* no grade yet */
	size_t indicators; /* indicator rows with a target and an actual number */
	size_t attained;   /* of those, attained: actual ≥ target, or ≤ when the target is below the
			      baseline (a reduction) */
	size_t arrows;     /* rows with an arrow instead of numbers */
	size_t submitted;  /* sheets past 下書き/差し戻し */
} sasae_progress_tally;

typedef struct sasae_progress_group {
	char *key;               /* "1" (part), "2-3" (part-section_index), or a department's name */
	char *title;             /* the section's or part's title; the department's name */
	int part, section_index; /* 0 when not a section */
	sasae_progress_tally tally;
	char *grade; /* the office's grade of the section, or NULL */
} sasae_progress_group;

typedef struct sasae_progress_rollup {
	int year;
	char **grades; /* the scale's codes ("A" … "D") */
	size_t ngrades;
	sasae_progress_group *sections, *parts, *departments;
	size_t nsections, nparts, ndepartments;
	sasae_progress_tally total; /* every sheet once */
} sasae_progress_rollup;

void sasae_progress_rollup_free(sasae_progress_rollup *r);

/* Compute the roll-up of year: a program listed in several sections counts in each section (and
   once in each part and department it belongs to); `total` counts every sheet once. */
int sasae_progress_rollup_compute(sasae_store *s, int year, sasae_progress_rollup **out, sasae_error *err);

/* ---- reminders ---- */

/* The sheets of year not yet submitted (draft or returned), with their departments, ordered by
   department then program; *days_left the days from today (Unix seconds now, as a date in Japan,
   UTC+9) to the
   deadline (negative: overdue). */
int sasae_progress_pending(sasae_store *s, int year, int64_t now, sasae_progress_sheet **out, size_t *n,
			   int *days_left, sasae_error *err);

/* ---- the spreadsheet round trip ---- */

/*
 * The sheets of year for department (its canonical name; NULL: every department) as CSV for the
 * department to fill (RFC 4180, CRLF, UTF-8 with a byte order mark, every cell through
 * sasae_csv_cell).  Columns: 年度, 事業ID, 事業名, 担当課, 状態 (these five are read back only to
 * find the sheet), then one column per field of the configuration by its label, then the indicator
 * columns 指標名, 単位, 種別, 基準値, 目標値, 実績値, 矢印.  A sheet takes one row per indicator
 * (at least one); its second and later rows repeat 年度 and 事業ID and carry only the indicator
 * columns besides.
 */
int sasae_progress_export_csv(sasae_store *s, int year, const char *department, sasae_buf *out,
			      sasae_error *err);

/*
 * Read such a CSV back as ONE transaction.  Every problem is found before anything is written: a
 * malformed file, an unknown column, a cell that is not what its column takes, a sheet another
 * department holds or that is past 差し戻し for an editor; each in *problems with field
 * "NAME:ROW:COLUMN" (1-based) and a Japanese message, and SASAE_EDATA returned with nothing changed.
 * Otherwise every sheet whose values differ is saved (audited "progress.edit"/"progress.amend" per
 * sheet and "progress.import" for the file); *changed counts them.  The same file again changes
 * nothing and writes no audit row.
 */
int sasae_progress_import_csv(sasae_store *s, const sasae_actor *who, const sasae_user *user,
			      const char *name, const char *bytes, size_t len, size_t *changed,
			      sasae_progress_problem **problems, size_t *nproblems, sasae_error *err);

#endif
