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
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sasae/accounts.h"
#include "sasae/error.h"
#include "sasae/http.h"
#include "sasae/model.h"
#include "sasae/store.h"
#include "sasae/web.h"

/* What is served: one plan version and what is computed from it once (immutable while serving).
   Requests hold a reference for their whole run; when the office publishes another version or
   changes what the public pages show (docs/office.md), the application builds a new site and swaps
   it in (app.c, web_reload), and the old one is freed when its last request ends. */
typedef struct web_site {
	sasae_web *web;   /* the application */
	sasae_plan *plan; /* the served version, loaded once (immutable) */
	int64_t version_id;
	struct web_download_cache *downloads; /* the files of /data/, made at their first request
						 (downloads.h) */
	const sasae_program **by_id; /* plan->programs sorted by id: the program index of web_find_program */
	const char **dept_names;     /* every department name of the programs, sorted */
	size_t ndepts;
	size_t *section_base; /* per part: index of its first section among all sections */
	size_t nsections;
	struct web_finder *finder; /* the needs finder (finder_page.c) */
	sasae_http_router router;  /* the route table of app.c with this site as its app */
	atomic_int refs;           /* the application's reference and one per request using it */
} web_site;

/* What /metrics reports (ops_pages.c): counters kept with relaxed atomics, no lock on the request
   path.  Requests are counted by route (index in app.c's table; WEB_METRIC_ROUTES - 1 for an answer
   of the router's own: 404, 405, …) and status class (1xx … 5xx). */
enum {
	WEB_METRIC_ROUTES = 128,  /* more than the route table holds (checked in app.c) */
	WEB_LATENCY_BUCKETS = 12, /* web_latency_bounds and +Inf */
};
typedef struct web_metrics {
	atomic_uint_fast64_t requests[WEB_METRIC_ROUTES][5];
	atomic_uint_fast64_t latency[WEB_LATENCY_BUCKETS]; /* per bucket (not cumulative) */
	atomic_uint_fast64_t latency_us;                   /* sum of the latencies, microseconds */
	atomic_long inflight;                              /* requests inside sasae_web_handle now */
	struct timespec started;                           /* CLOCK_MONOTONIC at sasae_web_new */
	int64_t started_unix;                              /* the same moment in Unix seconds */
} web_metrics;

/* The application: the database, settings, per-thread connections and the site served now. */
struct sasae_web {
	web_metrics metrics; /* /metrics (ops_pages.c) */
	char *metrics_from;  /* an address besides loopback that may read /metrics, or NULL */
	char *db_path;
	char *plan_spec;             /* --plan as given (NULL: the plan imported last) */
	pthread_key_t store_key;     /* per-thread read-only store connection (public pages) */
	pthread_key_t write_key;     /* per-thread read-write connection (sign-in, the workspace) */
	bool writable;               /* the database could be opened for writing at start-up */
	char *public_url;            /* --public-url, or NULL */
	char public_origin[300];     /* its scheme://host[:port] (lower case), or "" */
	bool secure;                 /* served over HTTPS (the public URL is https): Secure, __Host- cookie */
	sasae_login_policy policy;   /* session and lockout limits */
	pthread_mutex_t lock;        /* guards site */
	pthread_mutex_t reload_lock; /* one sasae_web_reload at a time */
	web_site *site;              /* the site served now (a reference held by the application) */
};

/* What the application keeps about one request (sasae_http_request.app_data, set by
   sasae_web_handle): the signed-in session once the authorizer found it, and what to answer
   instead of the router's 401/403 when the authorizer knows better. */
typedef struct web_request {
	bool signed_in;
	sasae_session session;                /* when signed_in (cleared when the request ends) */
	char sid[SASAE_SESSION_ID_LEN + 1];   /* the cookie's session id (never logged or shown) */
	bool expired;                         /* a session cookie came, but its session has ended */
	int deny_status;                      /* 0, or the status to render for a refusal (503) */
	const char *deny_code;                /* the problem code of that refusal, or NULL */
	const char *deny_title, *deny_detail; /* static Japanese text for a refusal, or NULL */
} web_request;

/* A request being answered: the HTTP layer's context, whose app is the web_site. */
typedef sasae_http_ctx web_ctx;

/* The site answering c (the plan and what is computed from it). */
static inline web_site *web_of(const web_ctx *c) { return (web_site *)c->app; }
/* The application answering c. */
static inline sasae_web *web_app(const web_ctx *c) { return ((web_site *)c->app)->web; }
/* The request's state (NULL only when the router was called without sasae_web_handle). */
static inline web_request *web_req(const web_ctx *c) { return (web_request *)c->req->app_data; }
/* The signed-in session of c, or NULL. */
static inline const sasae_session *web_session(const web_ctx *c)
{
	web_request *r = web_req(c);
	return r && r->signed_in ? &r->session : NULL;
}

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
/* The router's error renderer (sasae_http_router.error): web_fail with the problem; a page (not
   the API) that needs sign-in answers 303 to /login?next=… instead of 401, and a refusal the
   authorizer explained (web_request) is rendered with its words. */
void web_problem(sasae_http_ctx *x, const sasae_http_problem *p);
/* Answer 303 See Other to location (a local path the program built; percent-encoded). */
void web_redirect(web_ctx *c, const char *location);

/* The thread's read-only store connection (opened at its first use), or NULL (err set). */
sasae_store *web_thread_store(const web_site *site, sasae_error *err);
/* The thread's read-write store connection (opened at its first use; sign-in and the workspace),
   or NULL (err set: SASAE_EUNAVAILABLE when the database is not writable). */
sasae_store *web_write_store(sasae_web *w, sasae_error *err);

/* ---- signing in (auth.c) ---- */

/* The router's authorizer (sasae_http_router.authorize): the session of the cookie (kept in the
   request's web_request for the handler), the route's roles, and for a write the origin and the
   CSRF token.  Returns 0, 401 (no valid session: pages answer 303 to /login) or 403. */
int web_authorize(sasae_http_ctx *x, unsigned flags);
/* The router's is_private: whether the request carries a session cookie (valid or not). */
bool web_request_private(const sasae_http_request *req);
/* Whether a write comes from a page of this site: Sec-Fetch-Site, when sent, is same-origin;
   without it, Origin, when sent, is the --public-url's origin (or, without one, http(s):// and the
   Host header). */
bool web_same_origin(const web_ctx *c);
/* Who is signed in, for the layout's workspace bar (new reference). */
json_t *web_user_json(const sasae_session *s);
/* The actor of c for the audit log (the signed-in user, or nobody; the client's address). */
sasae_actor web_actor(const web_ctx *c);
/* The time now (Unix seconds). */
int64_t web_now(void);

/* ---- the workspace (workspace.c) ---- */

/* The message for ?done=CODE after a change, or NULL. */
const char *web_done_message(const web_ctx *c);
/* A workspace page's base context: {"csrf", "done"} (new reference). */
json_t *web_ws_page(const web_ctx *c);
/* After a change: 303 to path with done=code (and #anchor); path and anchor are built by the
   program (percent-encoded where they hold data). */
void web_done(web_ctx *c, const char *path, const char *code, const char *anchor);
/* Answer a core error: 403 (forbidden), 404, 400 (usage, data), 409, 503, else 500. */
void web_core_fail(web_ctx *c, int rc, const sasae_error *err);
/* The thread's read-write store, or NULL after answering 503. */
sasae_store *web_ws_store(web_ctx *c);
/* A copy of a textarea's text with CR LF and CR made LF (malloc'd), or NULL. */
char *web_text_lf(const char *text);
/* Rebuild what the public pages serve (sasae_web_reload): code, or "reload-failed". */
const char *web_reload_code(web_ctx *c, const char *code);

/* ---- the model as JSON (new references) ---- */

/* Part n (1-based) of the plan, or NULL. */
const sasae_part *web_find_part(const sasae_plan *p, long n);
/* The served plan's program with this id (binary search of w->by_id), or NULL. */
const sasae_program *web_find_program(const web_site *w, const char *id);
/* Whether program p is in department name. */
bool web_has_department(const sasae_program *p, const char *name);
/* Comparisons for qsort/bsearch: programs by id, strings. */
int web_program_id_cmp(const void *a, const void *b);
int web_str_cmp(const void *a, const void *b);

/* [{"name", "note"}] of departments. */
json_t *web_departments_json(const sasae_department *d, size_t n);
/* A listing as pages and the API show it (with where the original is, for a re-listing). */
json_t *web_listing_json(const web_site *w, const sasae_listing *l, int section_index);
/* Section j of part p: {part, number, index, title, listings}. */
json_t *web_section_summary(const sasae_part *p, size_t j);
/* Every part with its sections and counts. */
json_t *web_parts_json(const sasae_plan *plan);
/* A program: id, name, summary, departments, every place it is listed. */
json_t *web_program_json(const sasae_plan *plan, const sasae_program *p);
/* Department names with program counts, in order of first appearance. */
json_t *web_departments_index(const sasae_plan *plan);

#endif
