/*
 * escape.h — the escapers of the project, one per target: HTML text and attributes, a URL's query
 * or path segment, a CSV field (RFC 4180), and JSON inside an HTML <script> element.  In src/util:
 * they know nothing of plans, and both the exports (src/export) and the template engine (src/web)
 * write through them.  Each appends to a sasae_buf (sticky out-of-memory: check once after).
 */
#ifndef SASAE_ESCAPE_H
#define SASAE_ESCAPE_H

#include <stddef.h>

#include "sasae/buf.h"

/* Append s[0..len) HTML-escaped: & < > " ' become entities (safe in text and quoted attributes). */
void sasae_html_escape(sasae_buf *out, const char *s, size_t len);

/* Append s[0..len) percent-encoded (RFC 3986: only the unreserved A-Z a-z 0-9 - . _ ~ are kept). */
void sasae_url_encode(sasae_buf *out, const char *s, size_t len);

/* Append the NUL-terminated s as one CSV field (RFC 4180): as it is, or in double quotes with its
   quotes doubled when it holds a comma, a quote or a line break. */
void sasae_csv_field(sasae_buf *out, const char *s);

/* Append s as one CSV field that a spreadsheet will show as text (CWE-1236, CSV injection): as
   sasae_csv_field, except that a value starting with = + - @ TAB or CR, which Excel and LibreOffice
   would read as a formula, is written quoted with an apostrophe in front ("'=1+1").  For files of
   what people typed (the audit log, lint triage reasons); the open-data exports keep the plan's
   bytes and use sasae_csv_field. */
void sasae_csv_cell(sasae_buf *out, const char *s);

/* Append the JSON text s[0..len) (as jansson wrote it) safe inside <script>: every < > & becomes
   \u003c \u003e \u0026 (the same JSON value; no "</script>" can end the element early). */
void sasae_json_script_escape(sasae_buf *out, const char *s, size_t len);

#endif
