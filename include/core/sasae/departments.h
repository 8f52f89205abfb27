/*
 * departments.h — the table of known departments (担当局等) and their aliases, which the plan
 * office edits as a data file (data/departments.tsv).  Used to canonicalise department names and
 * to split names printed with no space between them ("健康福祉局市社会福祉協議会").
 *
 * File format (UTF-8, one body per line, '#' starts a comment line, blank lines ignored):
 *     canonical name <TAB> aliases separated by spaces (may be empty)
 */
#ifndef SASAE_DEPARTMENTS_H
#define SASAE_DEPARTMENTS_H

#include <stddef.h>

#include "sasae/error.h"

typedef struct sasae_dept_table sasae_dept_table;

/*
 * Parse a table from bytes (file names the source for messages).  On success *out is a new table
 * the caller frees with sasae_dept_table_free().  Returns 0, SASAE_EDATA (bad line, with
 * file:line in err) or SASAE_ENOMEM.
 */
int sasae_dept_table_parse(sasae_dept_table **out, const char *file, const char *bytes, size_t len,
			   sasae_error *err);

/* The table built into the binary (data/departments.tsv at build time).  Same ownership. */
int sasae_dept_table_default(sasae_dept_table **out, sasae_error *err);

/* Free a table; NULL is a no-op. */
void sasae_dept_table_free(sasae_dept_table *t);

/* The canonical name of name (a canonical name or an alias), borrowed from the table; NULL if unknown. */
const char *sasae_dept_table_canonical(const sasae_dept_table *t, const char *name);

/*
 * Split a token printed without spaces into known names: on success (the whole token is a
 * sequence of known names or aliases) writes up to max borrowed canonical names into parts and
 * returns how many; returns 0 when the token cannot be split entirely into known names.
 */
size_t sasae_dept_table_split(const sasae_dept_table *t, const char *token, const char **parts,
			      size_t max);

/* Number of canonical entries. */
size_t sasae_dept_table_count(const sasae_dept_table *t);

#endif
