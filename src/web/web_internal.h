/*
 * web_internal.h — what src/web/app.c shares with the page files beside it (finder_page.c): the
 * request being handled, the helpers that answer it, and the finder's entry points.  Not a public
 * header: only src/web/ includes it.
 */
#ifndef SASAE_WEB_INTERNAL_H
#define SASAE_WEB_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sasae/error.h"
#include "sasae/model.h"
#include "sasae/web.h"

/* One request being handled (app.c's struct ctx; opaque here). */
typedef struct ctx web_ctx;

/* ---- app.c, for the page files ---- */

/* The first value of query parameter name (decoded, valid UTF-8), or NULL. */
const char *web_param(const web_ctx *c, const char *name);
/* Every value of a repeated parameter, in request order: up to cap of them into out (borrowed, valid
   during the request); returns how many there are (may be more than cap). */
size_t web_params(const web_ctx *c, const char *name, const char **out, size_t cap);
/* The decoded path of the request ("/finder"). */
const char *web_path(const web_ctx *c);
/* The request and the response being built (borrowed). */
const sasae_http_request *web_request(const web_ctx *c);
sasae_http_response *web_response(web_ctx *c);
/* True for /api/ requests (errors as problem+json). */
bool web_is_api(const web_ctx *c);
/* The served plan. */
const sasae_plan *web_plan(const web_ctx *c);
/* The application's finder (finder_page.c), set up by sasae_web_new. */
struct web_finder *web_finder_of(const web_ctx *c);
struct web_finder *web_app_finder(const sasae_web *w);

/* An error: problem+json for the API (with the stable code), else the HTML error page. */
void web_fail(web_ctx *c, int status, const char *code, const char *title, const char *detail);
/* Render template (src/web/templates/NAME.html) with page (a new reference, taken) into the
   layout, with status.  Returns 0, or -1 after a 500. */
int web_render(web_ctx *c, int status, const char *template_name, json_t *page, const char *title);
/* Answer 200 with v as JSON (takes the reference). */
void web_send_json(web_ctx *c, json_t *v);

/* ---- finder_page.c: the needs finder's pages and API (docs/web.md, "Finder pages") ---- */

typedef struct web_finder web_finder;

/* Open the database at db_path read-only (kept open: the finder borrows its variant table), load
   the finder's data files and tag plan (borrowed; must outlive it).  *out is new (free with
   web_finder_free).  Returns 0, SASAE_EDB, SASAE_EDATA, SASAE_ENOMEM. */
int web_finder_new(web_finder **out, const char *db_path, const sasae_plan *plan, sasae_error *err);
void web_finder_free(web_finder *f);

/* Route handlers: GET /finder, /finder/print, /api/v1/finder, /api/v1/tags. */
void web_finder_page(web_ctx *c, const char *const *args);
void web_finder_print(web_ctx *c, const char *const *args);
void web_api_finder(web_ctx *c, const char *const *args);
void web_api_tags(web_ctx *c, const char *const *args);

/* A program's tags for its page: [{"tag", "label", "plain", "facet"}] (new reference; an empty
   array when there is no finder). */
json_t *web_finder_program_tags(const web_ctx *c, const sasae_program *p);

#endif
