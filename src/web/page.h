/*
 * page.h — what the page files of src/web share (page.c): the application's state (struct
 * sasae_web, set up by app.c), a request being answered (web_ctx: the HTTP layer's context), the
 * helpers that answer it (render into the layout, fail, send JSON, read parameters) and the plan's
 * model as JSON for pages and the API.  Not a public header: only src/web/ includes it.  Page files
 * call these helpers, never app.c; app.c includes the pages' declarations (pages.h).
 */
#ifndef SASAE_WEB_PAGE_H
#define SASAE_WEB_PAGE_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/error.h"
#include "sasae/http.h"
#include "sasae/model.h"
#include "sasae/store.h"
#include "sasae/web.h"

/* The application: the served plan and what is computed from it once, at start-up (immutable while
   serving; shared by every worker thread). */
struct sasae_web {
	char *db_path;
	sasae_plan *plan; /* the served version, loaded once (immutable) */
	int64_t version_id;
	pthread_key_t store_key;              /* per-thread read-only store connection */
	struct web_download_cache *downloads; /* the files of /data/, made at their first request
						 (downloads.h) */
	const sasae_program **by_id; /* plan->programs sorted by id: the program index of web_find_program */
	const char **dept_names;     /* every department name of the programs, sorted */
	size_t ndepts;
	size_t *section_base; /* per part: index of its first section among all sections */
	size_t nsections;
	struct web_finder *finder; /* the needs finder (finder_page.c) */
	sasae_http_router router;  /* the route table of app.c with this application */
};

/* A request being answered: the HTTP layer's context, whose app is the sasae_web. */
typedef sasae_http_ctx web_ctx;

/* The application answering c. */
static inline sasae_web *web_of(const web_ctx *c) { return (sasae_web *)c->app; }
/* True for /api/ requests (errors as problem+json; CORS). */
bool web_is_api_request(const sasae_http_request *req);
static inline bool web_is_api(const web_ctx *c) { return web_is_api_request(c->req); }

/* ---- parameters ---- */

/* The first value of query parameter name (decoded, valid UTF-8), or NULL. */
const char *web_param(const web_ctx *c, const char *name);
/* Every value of a repeated parameter, in request order: up to cap of them into out (borrowed, valid
   during the request); returns how many there are (may be more than cap). */
size_t web_params(const web_ctx *c, const char *name, const char **out, size_t cap);
/* Integer parameter name in [min, max] (default dflt when absent or empty) into *out; false after
   answering 400 (bad-parameter) when it is malformed or out of range. */
bool web_int_param(web_ctx *c, const char *name, int dflt, int min, int max, int *out);
/* A positive decimal path segment ("12"), or -1. */
long web_parse_num(const char *s);

/* ---- answers ---- */

/* An error: problem+json for the API (with the stable code), else the HTML error page. */
void web_fail(web_ctx *c, int status, const char *code, const char *title, const char *detail);
/* Render template (src/web/templates/NAME.html) with page (a new reference, taken) into the
   layout, with status.  Returns 0, or -1 after a 500. */
int web_render(web_ctx *c, int status, const char *template_name, json_t *page, const char *title);
/* Answer 200 with v as JSON (takes the reference). */
void web_send_json(web_ctx *c, json_t *v);
/* The router's error renderer (sasae_http_router.error): web_fail with the problem. */
void web_problem(sasae_http_ctx *x, const sasae_http_problem *p);

/* The thread's read-only store connection (opened at its first use), or NULL (err set). */
sasae_store *web_thread_store(sasae_web *w, sasae_error *err);

/* ---- the model as JSON (new references) ---- */

/* Part n (1-based) of the plan, or NULL. */
const sasae_part *web_find_part(const sasae_plan *p, long n);
/* The served plan's program with this id (binary search of w->by_id), or NULL. */
const sasae_program *web_find_program(const sasae_web *w, const char *id);
/* Whether program p is in department name. */
bool web_has_department(const sasae_program *p, const char *name);
/* Comparisons for qsort/bsearch: programs by id, strings. */
int web_program_id_cmp(const void *a, const void *b);
int web_str_cmp(const void *a, const void *b);

/* [{"name", "note"}] of departments. */
json_t *web_departments_json(const sasae_department *d, size_t n);
/* A listing as pages and the API show it (with where the original is, for a re-listing). */
json_t *web_listing_json(const sasae_web *w, const sasae_listing *l, int section_index);
/* Section j of part p: {part, number, index, title, listings}. */
json_t *web_section_summary(const sasae_part *p, size_t j);
/* Every part with its sections and counts. */
json_t *web_parts_json(const sasae_plan *plan);
/* A program: id, name, summary, departments, every place it is listed. */
json_t *web_program_json(const sasae_plan *plan, const sasae_program *p);
/* Department names with program counts, in order of first appearance. */
json_t *web_departments_index(const sasae_plan *plan);

#endif
