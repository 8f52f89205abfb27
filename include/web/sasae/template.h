/*
 * template.h — a small logic-less template engine (a subset of Mustache) that escapes by default.
 *
 *   {{name}}          the value at name (dotted paths: a.b.c), HTML-escaped (text and attributes)
 *   {{&name}}         the value unescaped — the visible marker for raw output; use only for HTML
 *                     the program itself built (never for data)
 *   {{%name}}         the value percent-encoded for a URL query or path segment
 *   {{*name}}         highlighted text: the value is an array of strings, alternately plain and
 *                     marked (["", "認知症", "カフェの推進"]), each HTML-escaped, the marked ones
 *                     in <mark>…</mark> (a value that is not an array: as {{name}})
 *   {{#name}}…{{/name}}  a section: repeated for each element of an array, entered once for a true
 *                     or non-empty value (objects become the context inside)
 *   {{^name}}…{{/name}}  an inverted section: entered when the value is missing, false, null, 0, ""
 *                     or an empty array
 *   {{> partial}}     another template of the same set, with the current context
 *   {{! comment}}
 *   {{.}}             the current value (inside a section over strings or numbers)
 *
 * The escaping itself is include/util/sasae/escape.h's (src/util), shared with the exports.
 *
 * Values are jansson json_t: strings as they are, integers and reals in decimal, true/false as
 * "true"/"false".  Lookups walk outwards through the enclosing contexts, as in Mustache.
 */
#ifndef SASAE_TEMPLATE_H
#define SASAE_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#include "sasae/buf.h"
#include "sasae/error.h"

/* A named template source (the set is usually the embedded src/web/templates/). */
typedef struct sasae_template_src {
	const char *name;
	const char *text;
	size_t len;
} sasae_template_src;

/*
 * Render template `name` of the set with ctx into out.  Returns 0, SASAE_EDATA (an unknown template
 * or partial, an unclosed tag or section — message names the template and line), SASAE_ENOMEM.
 */
int sasae_template_render(sasae_buf *out, const sasae_template_src *set, size_t nset, const char *name,
			  const json_t *ctx, sasae_error *err);

#endif
