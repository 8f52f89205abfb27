/*
 * app.c — the web application's lifecycle and its route table: sasae_web_new loads the served plan
 * and computes what the pages need from it once (indexes, the finder; the downloads of /data/ at
 * their first request, downloads.h) into a site that a publish replaces (web_site), the routes map
 * addresses to the handlers of the page files (pages.h), and sasae_web_handle runs a request through
 * the HTTP layer's router (include/http/sasae/http.h) with this table.
 */
#include "sasae/web.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "downloads.h"
#include "pages.h"
#include "sasae/office.h"
#include "sasae/http.h"
#include "sasae/store.h"
#include "web_assets.h"

/* Route flags of the workspace: a page (private, signed in), a write (and the CSRF token), the
   roles (include/core/sasae/accounts.h numbers them as the router's role bits). */
#define WS_READ    (SASAE_ROUTE_NO_STORE | SASAE_ROUTE_SIGNED_IN)
#define WS_WRITE   (WS_READ | SASAE_ROUTE_CSRF)
#define R_ADMIN    SASAE_ROUTE_ROLE(SASAE_ROLE_ADMIN)
#define R_OFFICE   SASAE_ROUTE_ROLE(SASAE_ROLE_OFFICE)
#define R_EDITOR   SASAE_ROUTE_ROLE(SASAE_ROLE_EDITOR)
#define R_APPROVER SASAE_ROUTE_ROLE(SASAE_ROLE_APPROVER)
#define R_COUNCIL  SASAE_ROUTE_ROLE(SASAE_ROLE_COUNCIL)
#define R_COMMENT  (R_OFFICE | R_EDITOR | R_APPROVER | R_COUNCIL)
#define R_ANY      (R_ADMIN | R_COMMENT)

/* The routes (docs/web.md): GET routes answer HEAD too; OPTIONS is answered by the router.  A route
   under /api/ answers errors as problem+json (web_is_api_request). */
static const sasae_http_route routes[] = {
	{.method = "GET",
	 .path = "/",
	 .handler = web_page_home,
	 .help = "the plan: parts, sections, the search box"},
	{.method = "GET", .path = "/search", .handler = web_page_search, .help = "search results (?q=, &page=)"},
	{.method = "GET", .path = "/parts/{part}", .handler = web_page_part, .help = "a part, every section"},
	{.method = "GET",
	 .path = "/parts/{part}/sections/{index}",
	 .handler = web_page_section,
	 .help = "a section"},
	{.method = "GET", .path = "/programs/{id}", .handler = web_page_program, .help = "a program"},
	{.method = "GET", .path = "/departments", .handler = web_page_departments, .help = "the departments"},
	{.method = "GET", .path = "/departments/{name}", .handler = web_page_department, .help = "a department"},
	{.method = "GET", .path = "/data", .handler = web_page_data, .help = "downloads and the API"},
	{.method = "GET",
	 .path = "/healthz",
	 .handler = web_page_healthz,
	 .flags = SASAE_ROUTE_NO_STORE,
	 .help = "whether the database answers (200 ok, 503): for monitoring"},
	{.method = "GET",
	 .path = "/metrics",
	 .handler = web_page_metrics,
	 .flags = SASAE_ROUTE_NO_STORE,
	 .help = "counters in Prometheus text format (loopback and --metrics-from only)"},
	{.method = "GET",
	 .path = "/finder",
	 .handler = web_finder_page,
	 .flags = SASAE_ROUTE_QUERY_PRIVATE,
	 .help = "the needs finder (?who=&need=&text=)"},
	{.method = "GET",
	 .path = "/finder/print",
	 .handler = web_finder_print,
	 .flags = SASAE_ROUTE_QUERY_PRIVATE,
	 .help = "the finder's one-page handout"},
	/* sign-in (auth.c) */
	{.method = "GET",
	 .path = "/login",
	 .handler = web_page_login,
	 .flags = SASAE_ROUTE_NO_STORE,
	 .help = "the sign-in form"},
	{.method = "POST",
	 .path = "/login",
	 .handler = web_login_post,
	 .flags = SASAE_ROUTE_NO_STORE,
	 .help = "sign in"},
	{.method = "POST", .path = "/logout", .handler = web_logout, .flags = WS_WRITE, .help = "sign out"},
	{.method = "GET",
	 .path = "/office/password",
	 .handler = web_page_password,
	 .flags = WS_READ,
	 .help = "the form to change one's own password"},
	{.method = "POST",
	 .path = "/office/password",
	 .handler = web_password_post,
	 .flags = WS_WRITE,
	 .help = "change one's own password (the current one checked; every session ends)"},
	/* the plan office's workspace (docs/office.md); every write also checks in the core */
	{.method = "GET",
	 .path = "/office",
	 .handler = web_office_home,
	 .flags = WS_READ | R_ANY,
	 .help = "the workspace: plans, versions, what is public"},
	{.method = "POST",
	 .path = "/office/publish",
	 .handler = web_office_publish,
	 .flags = WS_WRITE | R_OFFICE,
	 .help = "publish a version"},
	{.method = "GET",
	 .path = "/office/lint",
	 .handler = web_office_lint,
	 .flags = WS_READ | R_OFFICE | R_COUNCIL,
	 .help = "the check, with the office's decisions"},
	{.method = "POST",
	 .path = "/office/lint/triage",
	 .handler = web_lint_triage,
	 .flags = WS_WRITE | R_OFFICE,
	 .help = "decide about a finding"},
	{.method = "GET",
	 .path = "/office/lint/decisions.csv",
	 .handler = web_lint_decisions_csv,
	 .flags = WS_READ | R_OFFICE | R_COUNCIL,
	 .help = "the decisions as CSV"},
	{.method = "GET",
	 .path = "/office/lint/accept.tsv",
	 .handler = web_lint_accept_file,
	 .flags = WS_READ | R_OFFICE | R_COUNCIL,
	 .help = "the accepted findings as a `sasae lint --accept` file"},
	{.method = "GET",
	 .path = "/office/diff",
	 .handler = web_office_diff,
	 .flags = WS_READ | R_ANY,
	 .help = "two versions side by side (?old=slug@N&new=slug@M)"},
	{.method = "GET",
	 .path = "/office/plans/{spec}",
	 .handler = web_office_version,
	 .flags = WS_READ | R_ANY,
	 .help = "a version: its parts and their titles"},
	{.method = "POST",
	 .path = "/office/plans/{spec}/parts/{part}",
	 .handler = web_part_title,
	 .flags = WS_WRITE | R_OFFICE,
	 .help = "set a part's title"},
	{.method = "GET",
	 .path = "/office/files",
	 .handler = web_office_files,
	 .flags = WS_READ | R_OFFICE,
	 .help = "the office's data files"},
	{.method = "GET",
	 .path = "/office/files/{name}",
	 .handler = web_office_file,
	 .flags = WS_READ | R_OFFICE,
	 .help = "a data file as text"},
	{.method = "POST",
	 .path = "/office/files/{name}",
	 .handler = web_office_file_post,
	 .flags = WS_WRITE | R_OFFICE,
	 .help = "replace a data file (or back to the built-in one)"},
	{.method = "GET",
	 .path = "/office/programs/{id}/tags",
	 .handler = web_program_tags_page,
	 .flags = WS_READ | R_ANY,
	 .help = "a program's tags, overrides and comments"},
	{.method = "POST",
	 .path = "/office/programs/{id}/tags",
	 .handler = web_program_tags_post,
	 .flags = WS_WRITE | R_OFFICE | R_EDITOR,
	 .help = "set a program's tag overrides (the core checks the department)"},
	{.method = "POST",
	 .path = "/office/comments",
	 .handler = web_comment_post,
	 .flags = WS_WRITE | R_COMMENT,
	 .help = "comment on a program or a finding"},
	{.method = "GET",
	 .path = "/office/progress",
	 .handler = web_office_progress,
	 .flags = WS_READ | R_COMMENT,
	 .help = "yearly progress: status by department, who has not submitted, days left"},
	{.method = "GET",
	 .path = "/office/progress/{year}",
	 .handler = web_office_progress_report,
	 .flags = WS_READ | R_OFFICE | R_COUNCIL,
	 .help = "the council's packet of a year: part summaries with charts, detail, comparison"},
	{.method = "GET",
	 .path = "/office/progress/{year}/{id}",
	 .handler = web_office_progress_sheet,
	 .flags = WS_READ | R_COMMENT,
	 .help = "a program's progress sheet (the core checks the department)"},
	{.method = "POST",
	 .path = "/office/progress/{year}/{id}",
	 .handler = web_office_progress_save,
	 .flags = WS_WRITE | R_OFFICE | R_EDITOR,
	 .help = "save a progress sheet (the core checks the department and the state)"},
	{.method = "POST",
	 .path = "/office/progress/{year}/{id}/act",
	 .handler = web_office_progress_act,
	 .flags = WS_WRITE | R_OFFICE | R_EDITOR | R_APPROVER,
	 .help = "move a sheet: submit, return, approve, accept, confirm, publish (the core checks who)"},
	{.method = "POST",
	 .path = "/office/progress/{year}/{id}/comments",
	 .handler = web_office_progress_comment,
	 .flags = WS_WRITE | R_OFFICE | R_COUNCIL,
	 .help = "a council comment on a progress sheet"},
	{.method = "GET",
	 .path = "/office/audit",
	 .handler = web_office_audit,
	 .flags = WS_READ | R_OFFICE | R_ADMIN,
	 .help = "the audit log, filtered, paged"},
	{.method = "GET",
	 .path = "/office/audit.csv",
	 .handler = web_office_audit_csv,
	 .flags = WS_READ | R_OFFICE | R_ADMIN,
	 .help = "the audit log as CSV"},
	{.method = "GET",
	 .path = "/office/audit.json",
	 .handler = web_office_audit_json,
	 .flags = WS_READ | R_OFFICE | R_ADMIN,
	 .help = "the audit log as JSON"},
	{.method = "GET",
	 .path = "/data/catalog.json",
	 .handler = web_data_catalog,
	 .help = "the downloads as a DCAT catalogue (JSON-LD)"},
	{.method = "GET",
	 .path = "/data/{file}",
	 .handler = web_data_file,
	 .help = "a download: the plan as `sasae export` writes it (plan.json, plan.csv, plan.xlsx, …)"},
	{.method = "GET",
	 .path = "/assets/{file}",
	 .handler = web_asset,
	 .flags = SASAE_ROUTE_LONG_CACHE,
	 .help = "the stylesheet, the finder's script and the site icon"},
	{.method = "GET",
	 .path = "/api/v1/openapi.json",
	 .handler = web_api_openapi,
	 .help = "the API's description"},
	{.method = "GET", .path = "/api/v1/plans", .handler = web_api_plans, .help = "the plans in the database"},
	{.method = "GET", .path = "/api/v1/parts", .handler = web_api_parts, .help = "the parts and sections"},
	{.method = "GET", .path = "/api/v1/parts/{part}", .handler = web_page_part, .help = "a part"},
	{.method = "GET",
	 .path = "/api/v1/parts/{part}/sections/{index}",
	 .handler = web_page_section,
	 .help = "a section"},
	{.method = "GET",
	 .path = "/api/v1/programs",
	 .handler = web_api_programs,
	 .help = "programs, filtered, paged"},
	{.method = "GET", .path = "/api/v1/programs/{id}", .handler = web_page_program, .help = "a program"},
	{.method = "GET", .path = "/api/v1/departments", .handler = web_page_departments, .help = "the departments"},
	{.method = "GET",
	 .path = "/api/v1/departments/{name}",
	 .handler = web_page_department,
	 .help = "a department"},
	{.method = "GET", .path = "/api/v1/search", .handler = web_page_search, .help = "search"},
	{.method = "GET",
	 .path = "/api/v1/lint",
	 .handler = web_api_lint,
	 .help = "the plan office's check as JSON"},
	{.method = "GET", .path = "/api/v1/tags", .handler = web_api_tags, .help = "the finder's vocabulary"},
	{.method = "GET",
	 .path = "/api/v1/finder",
	 .handler = web_api_finder,
	 .flags = SASAE_ROUTE_QUERY_PRIVATE,
	 .help = "the needs finder as JSON"},
};

_Static_assert(sizeof routes / sizeof routes[0] < WEB_METRIC_ROUTES, "WEB_METRIC_ROUTES too small");

const sasae_http_route *web_route_table(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}

/* Every response's Content-Security-Policy: no inline script, nothing from elsewhere. */
static const char security_policy[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/* ---- the site: one plan version and what is computed from it ---- */

static void site_free(web_site *site)
{
	if (site == NULL)
		return;
	web_finder_free(site->finder);
	free(site->by_id);
	free(site->section_base);
	free(site->dept_names);
	web_download_cache_free(site->downloads);
	sasae_plan_free(site->plan);
	free(site);
}

static web_site *site_acquire(sasae_web *w)
{
	pthread_mutex_lock(&w->lock);
	web_site *site = w->site;
	atomic_fetch_add(&site->refs, 1);
	pthread_mutex_unlock(&w->lock);
	return site;
}

static void site_release(web_site *site)
{
	if (site && atomic_fetch_sub(&site->refs, 1) == 1)
		site_free(site);
}

/*
 * The version to serve for spec (--plan): "slug@N" as given; otherwise ("slug", or NULL for the
 * plan imported last) the version the office published (sasae_plan_public_get), else the latest.
 * Loads it into *plan (new) and sets *version_id.
 */
static int load_served(sasae_store *s, const char *spec, sasae_plan **plan, int64_t *version_id,
		       sasae_error *err)
{
	*plan = NULL;
	int rc = sasae_store_resolve(s, spec, version_id, err);
	if (rc == 0)
		rc = sasae_store_load_plan(s, *version_id, plan, err);
	if (rc || (spec && strchr(spec, '@')))
		return rc;
	int published = 0;
	if ((rc = sasae_plan_public_get(s, (*plan)->slug, &published, err)) != 0 || published == 0 ||
	    published == (*plan)->version)
		return rc;
	char at[300];
	snprintf(at, sizeof at, "%s@%d", (*plan)->slug, published);
	sasae_plan_free(*plan);
	*plan = NULL;
	rc = sasae_store_resolve(s, at, version_id, err);
	if (rc == 0)
		rc = sasae_store_load_plan(s, *version_id, plan, err);
	return rc;
}

/* The site's public address: the finder's QR codes, the JSON-LD download's @id and url. */
static int set_site_url(web_site *site, const char *url, sasae_error *err)
{
	int rc = web_finder_set_public_url(site->finder, url, err);
	if (rc == 0) /* the address as the finder keeps it (no trailing '/') */
		rc = web_download_cache_set_base_url(site->downloads, web_finder_public_url(site->finder), err);
	return rc;
}

/* Build the site of the version w serves now (*out new, one reference). */
static int site_new(web_site **out, sasae_web *w, sasae_error *err)
{
	*out = NULL;
	web_site *site = calloc(1, sizeof *site);
	if (site == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	site->web = w;
	atomic_init(&site->refs, 1);
	sasae_store *s = NULL;
	int rc = sasae_store_open(&s, w->db_path, SASAE_STORE_READONLY, err);
	if (rc == 0)
		rc = load_served(s, w->plan_spec, &site->plan, &site->version_id, err);
	sasae_store_close(s);
	if (rc == 0) /* the downloads are made at their first request */
		rc = web_download_cache_new(&site->downloads, site->plan, err);
	if (rc == 0)
		rc = web_finder_new(&site->finder, w->db_path, site->plan, err);
	if (rc == 0 && w->public_url)
		rc = set_site_url(site, w->public_url, err);
	if (rc == 0) { /* lookups: programs by id, department names, section offsets per part */
		const sasae_plan *plan = site->plan;
		site->by_id = malloc((plan->nprograms + 1) * sizeof *site->by_id);
		site->section_base = malloc((plan->nparts + 1) * sizeof *site->section_base);
		size_t nd = 0;
		for (size_t i = 0; i < plan->nprograms; i++)
			nd += plan->programs[i].ndepartments;
		site->dept_names = malloc((nd + 1) * sizeof *site->dept_names);
		if (!site->by_id || !site->section_base || !site->dept_names) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		} else {
			for (size_t i = 0; i < plan->nprograms; i++)
				site->by_id[i] = &plan->programs[i];
			qsort(site->by_id, plan->nprograms, sizeof *site->by_id, web_program_id_cmp);
			for (size_t i = 0; i < plan->nparts; i++) {
				site->section_base[i] = site->nsections;
				site->nsections += plan->parts[i].nsections;
			}
			for (size_t i = 0; i < plan->nprograms; i++)
				for (size_t d = 0; d < plan->programs[i].ndepartments; d++)
					site->dept_names[site->ndepts++] =
						plan->programs[i].departments[d].name;
			qsort(site->dept_names, site->ndepts, sizeof *site->dept_names, web_str_cmp);
			size_t u = 0;
			for (size_t i = 0; i < site->ndepts; i++)
				if (u == 0 || strcmp(site->dept_names[u - 1], site->dept_names[i]) != 0)
					site->dept_names[u++] = site->dept_names[i];
			site->ndepts = u;
		}
	}
	site->router = (sasae_http_router){.routes = routes,
					   .nroutes = sizeof routes / sizeof routes[0],
					   .app = site,
					   .security_policy = security_policy,
					   .error = web_problem,
					   .authorize = web_authorize,
					   .is_api = web_is_api_request,
					   .is_private = web_request_private};
	if (rc) {
		site_free(site);
		return rc;
	}
	*out = site;
	return 0;
}

int sasae_web_reload(sasae_web *w, sasae_error *err)
{
	/* one reload at a time: the last one to start reads the database after every change that asked
	   for it, so the site left in place is never older than the last change */
	pthread_mutex_lock(&w->reload_lock);
	web_site *site;
	int rc = site_new(&site, w, err);
	if (rc == 0) {
		pthread_mutex_lock(&w->lock);
		web_site *old = w->site;
		w->site = site;
		pthread_mutex_unlock(&w->lock);
		site_release(old);
	}
	pthread_mutex_unlock(&w->reload_lock);
	return rc;
}

/* ---- the application ---- */

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
}

void sasae_web_handle(sasae_web *w, sasae_http_request *req, sasae_http_response *res)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	atomic_fetch_add_explicit(&w->metrics.inflight, 1, memory_order_relaxed);
	web_site *site = site_acquire(w);
	web_request state = {0};
	req->app_data = &state;
	sasae_http_dispatch(&site->router, req, res);
	req->app_data = NULL;
	web_metrics_record(&w->metrics, req->route ? (size_t)(req->route - routes) : WEB_METRIC_ROUTES - 1,
			   res->status, &start);
	atomic_fetch_sub_explicit(&w->metrics.inflight, 1, memory_order_relaxed);
	if (state.signed_in)
		sasae_session_clear(&state.session);
	wipe(&state, sizeof state); /* the session id and the CSRF token do not outlive the request */
	site_release(site);
}

int sasae_web_set_public_url(sasae_web *w, const char *url, sasae_error *err)
{
	int rc = web_finder_set_public_url(NULL, url, err); /* the check */
	char *copy = rc == 0 ? sasae_strdup(url) : NULL;
	if (rc == 0 && copy == NULL)
		rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	if (rc)
		return rc;
	pthread_mutex_lock(&w->lock);
	free(w->public_url);
	w->public_url = copy;
	/* the origin (scheme://host[:port], lower case) that a write's Origin header must equal */
	size_t scheme = strncmp(url, "https://", 8) == 0 ? 8 : 7;
	size_t n = scheme + strcspn(url + scheme, "/");
	if (n >= sizeof w->public_origin)
		n = sizeof w->public_origin - 1;
	for (size_t i = 0; i < n; i++)
		w->public_origin[i] = (char)(url[i] >= 'A' && url[i] <= 'Z' ? url[i] - 'A' + 'a' : url[i]);
	w->public_origin[n] = '\0';
	w->secure = scheme == 8;
	rc = set_site_url(w->site, url, err);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void sasae_web_set_login_policy(sasae_web *w, const sasae_login_policy *p) { w->policy = *p; }

static void close_store(void *s) { sasae_store_close(s); }

int sasae_web_new(sasae_web **out, const char *db_path, const char *plan_spec, sasae_error *err)
{
	*out = NULL;
	sasae_web_templates_init();
	sasae_web *w = calloc(1, sizeof *w);
	if (w == NULL || (w->db_path = sasae_strdup(db_path)) == NULL ||
	    (plan_spec && (w->plan_spec = sasae_strdup(plan_spec)) == NULL)) {
		if (w)
			free(w->db_path);
		free(w);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	w->policy = sasae_login_policy_default();
	clock_gettime(CLOCK_MONOTONIC, &w->metrics.started);
	w->metrics.started_unix = (int64_t)time(NULL);
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->reload_lock, NULL);
	int rc = 0;
	bool keys = false;
	/* Once for writing: the schema is brought up to date (accounts, the audit log), and sign-in
	   and the workspace are possible.  A database on a read-only file system still serves the
	   public pages; the workspace then answers 503 (web_write_store). */
	sasae_store *s = NULL;
	sasae_error werr = {0};
	w->writable = sasae_store_open(&s, db_path, 0, &werr) == 0;
	sasae_store_close(s);
	if (pthread_key_create(&w->store_key, close_store) != 0)
		rc = sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "スレッドの準備に失敗しました");
	else if (pthread_key_create(&w->write_key, close_store) != 0) {
		pthread_key_delete(w->store_key);
		rc = sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "スレッドの準備に失敗しました");
	} else
		keys = true;
	if (rc == 0)
		rc = site_new(&w->site, w, err);
	if (rc) {
		if (keys) {
			pthread_key_delete(w->store_key);
			pthread_key_delete(w->write_key);
		}
		pthread_mutex_destroy(&w->lock);
		pthread_mutex_destroy(&w->reload_lock);
		free(w->plan_spec);
		free(w->db_path);
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void sasae_web_free(sasae_web *w)
{
	if (w == NULL)
		return;
	sasae_store_close(pthread_getspecific(w->store_key));
	pthread_setspecific(w->store_key, NULL);
	pthread_key_delete(w->store_key);
	sasae_store_close(pthread_getspecific(w->write_key));
	pthread_setspecific(w->write_key, NULL);
	pthread_key_delete(w->write_key);
	site_release(w->site);
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->reload_lock);
	free(w->public_url);
	free(w->metrics_from);
	free(w->plan_spec);
	free(w->db_path);
	free(w);
}

int sasae_web_set_metrics_from(sasae_web *w, const char *addr, sasae_error *err)
{
	/* the address as the server prints a client's (getnameinfo, numeric) */
	unsigned char bin[sizeof(struct in6_addr)];
	char text[INET6_ADDRSTRLEN];
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, addr, bin) != 1 || inet_ntop(family, bin, text, sizeof text) == NULL)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "--metrics-from のアドレス「%s」が正しくありません（例: 192.0.2.10、2001:db8::10）",
				       addr);
	char *copy = sasae_strdup(text);
	if (copy == NULL)
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	free(w->metrics_from);
	w->metrics_from = copy;
	return 0;
}
