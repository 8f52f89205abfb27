/*
 * outline.h — the optional outline file that names a plan's parts, which the document itself does
 * not print.  Format (UTF-8): one part per line, "number <TAB> title"; '#' starts a comment line;
 * blank lines are ignored.  See docs/format.md.
 */
#ifndef SASAE_OUTLINE_H
#define SASAE_OUTLINE_H

#include <stddef.h>

#include "sasae/error.h"

typedef struct sasae_outline {
	char **titles; /* titles[i] is part i+1's title, or NULL */
	size_t n;      /* number of entries in titles */
} sasae_outline;

/* Parse an outline (file names the source for messages) into *out (fields owned; free with
   sasae_outline_clear).  Returns 0, SASAE_EDATA with file:line, or SASAE_ENOMEM. */
int sasae_outline_parse(sasae_outline *out, const char *file, const char *bytes, size_t len, sasae_error *err);
/* Part n's title (1-based), borrowed, or NULL. */
const char *sasae_outline_title(const sasae_outline *o, int part);
void sasae_outline_clear(sasae_outline *o);

#endif
