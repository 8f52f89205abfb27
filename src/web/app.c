/*
 * app.c — the web application's lifecycle and its route table: sasae_web_new loads the served plan
 * and computes what the pages need from it once (indexes, the finder; the downloads of /data/ at
 * their first request, downloads.h), the routes map
 * addresses to the handlers of the page files (pages.h), and sasae_web_handle runs a request through
 * the HTTP layer's router (include/http/sasae/http.h) with this table.
 */
#include "sasae/web.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "downloads.h"
#include "pages.h"
#include "sasae/http.h"
#include "sasae/store.h"
#include "web_assets.h"

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
	 .path = "/finder",
	 .handler = web_finder_page,
	 .flags = SASAE_ROUTE_QUERY_PRIVATE,
	 .help = "the needs finder (?who=&need=&text=)"},
	{.method = "GET",
	 .path = "/finder/print",
	 .handler = web_finder_print,
	 .flags = SASAE_ROUTE_QUERY_PRIVATE,
	 .help = "the finder's one-page handout"},
	{.method = "GET", .path = "/office/lint", .handler = web_page_lint, .help = "the plan office's check"},
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
	 .help = "the stylesheet and the finder's script"},
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
	 .handler = web_page_lint,
	 .help = "the plan office's check as JSON"},
	{.method = "GET", .path = "/api/v1/tags", .handler = web_api_tags, .help = "the finder's vocabulary"},
	{.method = "GET",
	 .path = "/api/v1/finder",
	 .handler = web_api_finder,
	 .flags = SASAE_ROUTE_QUERY_PRIVATE,
	 .help = "the needs finder as JSON"},
};

/* Every response's Content-Security-Policy: no inline script, nothing from elsewhere. */
static const char security_policy[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void sasae_web_handle(sasae_web *w, sasae_http_request *req, sasae_http_response *res)
{
	sasae_http_dispatch(&w->router, req, res);
}

int sasae_web_set_public_url(sasae_web *w, const char *url, sasae_error *err)
{
	int rc = web_finder_set_public_url(w->finder, url, err);
	if (rc == 0) /* the JSON-LD download's @id and url (the address as the finder keeps it) */
		rc = web_download_cache_set_base_url(w->downloads, web_finder_public_url(w->finder), err);
	return rc;
}

static void close_store(void *s) { sasae_store_close(s); }

int sasae_web_new(sasae_web **out, const char *db_path, const char *plan_spec, sasae_error *err)
{
	*out = NULL;
	sasae_web_templates_init();
	sasae_web *w = calloc(1, sizeof *w);
	if (w == NULL || (w->db_path = sasae_strdup(db_path)) == NULL) {
		free(w);
		return sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
	}
	sasae_store *s = NULL;
	int rc = sasae_store_open(&s, db_path, SASAE_STORE_READONLY, err);
	if (rc == 0)
		rc = sasae_store_resolve(s, plan_spec, &w->version_id, err);
	if (rc == 0)
		rc = sasae_store_load_plan(s, w->version_id, &w->plan, err);
	sasae_store_close(s);
	if (rc == 0 && pthread_key_create(&w->store_key, close_store) != 0)
		rc = sasae_error_set(err, SASAE_EINTERNAL, NULL, 0, "スレッドの準備に失敗しました");
	if (rc == 0) /* the downloads are made at their first request */
		rc = web_download_cache_new(&w->downloads, w->plan, err);
	if (rc == 0)
		rc = web_finder_new(&w->finder, db_path, w->plan, err);
	if (rc == 0) { /* lookups: programs by id, department names, section offsets per part */
		const sasae_plan *plan = w->plan;
		w->by_id = malloc((plan->nprograms + 1) * sizeof *w->by_id);
		w->section_base = malloc((plan->nparts + 1) * sizeof *w->section_base);
		size_t nd = 0;
		for (size_t i = 0; i < plan->nprograms; i++)
			nd += plan->programs[i].ndepartments;
		w->dept_names = malloc((nd + 1) * sizeof *w->dept_names);
		if (!w->by_id || !w->section_base || !w->dept_names) {
			rc = sasae_error_set(err, SASAE_ENOMEM, NULL, 0, "メモリが足りません");
		} else {
			for (size_t i = 0; i < plan->nprograms; i++)
				w->by_id[i] = &plan->programs[i];
			qsort(w->by_id, plan->nprograms, sizeof *w->by_id, web_program_id_cmp);
			for (size_t i = 0; i < plan->nparts; i++) {
				w->section_base[i] = w->nsections;
				w->nsections += plan->parts[i].nsections;
			}
			for (size_t i = 0; i < plan->nprograms; i++)
				for (size_t d = 0; d < plan->programs[i].ndepartments; d++)
					w->dept_names[w->ndepts++] = plan->programs[i].departments[d].name;
			qsort(w->dept_names, w->ndepts, sizeof *w->dept_names, web_str_cmp);
			size_t u = 0;
			for (size_t i = 0; i < w->ndepts; i++)
				if (u == 0 || strcmp(w->dept_names[u - 1], w->dept_names[i]) != 0)
					w->dept_names[u++] = w->dept_names[i];
			w->ndepts = u;
		}
	}
	w->router =
		(sasae_http_router){.routes = routes,
				    .nroutes = sizeof routes / sizeof routes[0],
				    .app = w,
				    .security_policy = security_policy,
				    .error = web_problem,
				    .authorize = NULL, /* no accounts yet: routes needing sign-in are refused */
				    .is_api = web_is_api_request};
	if (rc) {
		web_finder_free(w->finder);
		free(w->by_id);
		free(w->section_base);
		free(w->dept_names);
		sasae_plan_free(w->plan);
		web_download_cache_free(w->downloads);
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
	sasae_store *s = pthread_getspecific(w->store_key);
	sasae_store_close(s);
	pthread_setspecific(w->store_key, NULL);
	pthread_key_delete(w->store_key);
	web_finder_free(w->finder);
	free(w->by_id);
	free(w->section_base);
	free(w->dept_names);
	sasae_plan_free(w->plan);
	web_download_cache_free(w->downloads);
	free(w->db_path);
	free(w);
}
