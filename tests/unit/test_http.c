/*
 * test_http.c — the HTTP layer (src/http, include/http/sasae/http.h) called directly, without a server:
 * route matching with parameters, 404 and 405 + Allow from the table, OPTIONS, query and form
 * parsing (percent and plus decoding, repeated keys, invalid UTF-8, the body cap, the content
 * type), cookies, Cache-Control and ETag from the route's flags, and the authorizer hook refusing
 * routes that need sign-in, a role or a CSRF token; and the web application itself as a function
 * from a request to a response (sasae_web_handle over the bundled plan), with the downloads of
 * /data: every export the CLI makes, each read back by a parser of its format (libzip for XLSX and
 * the HSDS ZIP, iconv for CP932, jansson for JSON, sasae's own parser for the plan text), the page
 * listing each with its size, licence and date, and the DCAT catalogue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <iconv.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zip.h>
#include <zlib.h>

#include "sasae/departments.h"
#include "sasae/http.h"
#include "sasae/import.h"
#include "sasae/parse.h"
#include "sasae/store.h"
#include "sasae/web.h"
#include "test_util.h"
#include "http/http_internal.h"

/* ---- a small application: handlers that echo what they were given ---- */

/* The last problem the error renderer was asked for (its code), and how many times. */
static const char *last_problem;
static int problems;

static void echo_args(sasae_http_ctx *x)
{
	x->res->status = 200;
	x->res->content_type = "text/plain";
	for (size_t i = 0; i < x->req->nargs; i++)
		sasae_buf_appendf(&x->res->body, "[%s]", x->req->args[i]);
}

static void echo_form(sasae_http_ctx *x)
{
	x->res->status = 200;
	for (size_t i = 0; i < x->req->nform; i++)
		sasae_buf_appendf(&x->res->body, "%s=%s;", x->req->form[i].name, x->req->form[i].value);
}

static void hello(sasae_http_ctx *x)
{
	x->res->status = 200;
	sasae_buf_puts(&x->res->body, "hello");
}

static void on_error(sasae_http_ctx *x, const sasae_http_problem *p)
{
	last_problem = p->code;
	problems++;
	x->res->status = p->status;
	x->res->content_type = "application/problem+json";
	sasae_buf_clear(&x->res->body);
	sasae_buf_puts(&x->res->body, p->code);
}

static const sasae_http_route routes[] = {
	{.method = "GET", .path = "/", .handler = hello, .help = "home"},
	{.method = "GET", .path = "/items/{id}", .handler = echo_args, .help = "an item"},
	{.method = "GET", .path = "/items/{id}/parts/{n}", .handler = echo_args, .help = "a part of an item"},
	{.method = "POST", .path = "/items/{id}", .handler = echo_form, .help = "change an item"},
	{.method = "GET", .path = "/private", .handler = hello, .flags = SASAE_ROUTE_NO_STORE, .help = "private"},
	{.method = "GET", .path = "/static", .handler = hello, .flags = SASAE_ROUTE_LONG_CACHE, .help = "a file"},
	{.method = "GET", .path = "/person", .handler = hello, .flags = SASAE_ROUTE_QUERY_PRIVATE, .help = "finder"},
	{.method = "GET", .path = "/account", .handler = hello, .flags = SASAE_ROUTE_SIGNED_IN, .help = "signed in"},
	{.method = "GET", .path = "/admin", .handler = hello, .flags = SASAE_ROUTE_ROLE(1), .help = "role 1"},
	{.method = "POST",
	 .path = "/account/name",
	 .handler = echo_form,
	 .flags = SASAE_ROUTE_SIGNED_IN | SASAE_ROUTE_CSRF | SASAE_ROUTE_NO_STORE,
	 .help = "a write"},
	{.method = "POST", .path = "/csrf-only", .handler = echo_form, .flags = SASAE_ROUTE_CSRF, .help = "csrf"},
};

static sasae_http_router router = {.routes = routes,
				   .nroutes = sizeof routes / sizeof routes[0],
				   .security_policy = "default-src 'self'",
				   .error = on_error};

/* One request through the router: res is filled (clear it), the request is cleared. */
static void run(sasae_http_response *res, const char *method, const char *target,
		const sasae_http_field *headers, size_t nheaders, const char *body)
{
	sasae_http_request req = {.method = method,
				  .target = target,
				  .headers = headers,
				  .nheaders = nheaders,
				  .body = body,
				  .body_len = body ? strlen(body) : 0};
	memset(res, 0, sizeof *res);
	last_problem = NULL;
	sasae_http_dispatch(&router, &req, res);
	sasae_http_request_clear(&req);
}

static const char *body_of(sasae_http_response *res) { return sasae_buf_cstr(&res->body); }

/* ---- routes ---- */

static void test_route_parameters(void **state)
{
	(void)state;
	sasae_http_response res;
	run(&res, "GET", "/items/p0001", NULL, 0, NULL);
	assert_int_equal(res.status, 200);
	assert_string_equal(body_of(&res), "[p0001]");
	sasae_http_response_clear(&res);
	run(&res, "GET", "/items/%E4%BB%8B%20x/parts/3", NULL, 0, NULL); /* decoded, with a space */
	assert_int_equal(res.status, 200);
	assert_string_equal(body_of(&res), "[介 x][3]");
	sasae_http_response_clear(&res);
	run(&res, "GET", "http://example.jp/items/a?x=1", NULL, 0, NULL); /* absolute-form */
	assert_string_equal(body_of(&res), "[a]");
	sasae_http_response_clear(&res);
	run(&res, "HEAD", "/items/a", NULL, 0, NULL); /* HEAD: the GET route, no body sent */
	assert_int_equal(res.status, 200);
	assert_true(res.head);
	sasae_http_response_clear(&res);
	/* an empty segment, an extra segment, a parameter over 255 bytes: no route */
	const char *none[] = {"/items/", "/items/a/b", "/items//parts/1", "/itemsx"};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		run(&res, "GET", none[i], NULL, 0, NULL);
		assert_int_equal(res.status, 404);
		assert_string_equal(last_problem, "not-found");
		sasae_http_response_clear(&res);
	}
	char longer[300] = "/items/";
	memset(longer + 7, 'x', 256);
	run(&res, "GET", longer, NULL, 0, NULL);
	assert_int_equal(res.status, 404);
	sasae_http_response_clear(&res);
}

static void test_404_405_options(void **state)
{
	(void)state;
	sasae_http_response res;
	run(&res, "DELETE", "/items/1", NULL, 0, "");
	assert_int_equal(res.status, 405);
	assert_string_equal(last_problem, "method-not-allowed");
	assert_string_equal(sasae_http_response_header(&res, "Allow"), "GET, HEAD, POST, OPTIONS");
	sasae_http_response_clear(&res);
	run(&res, "POST", "/", NULL, 0, ""); /* the path has only GET */
	assert_int_equal(res.status, 405);
	assert_string_equal(sasae_http_response_header(&res, "Allow"), "GET, HEAD, OPTIONS");
	sasae_http_response_clear(&res);
	run(&res, "PUT", "/nowhere", NULL, 0, ""); /* a method no route takes: 405, the table's methods */
	assert_int_equal(res.status, 405);
	assert_string_equal(sasae_http_response_header(&res, "Allow"), "GET, HEAD, POST, OPTIONS");
	sasae_http_response_clear(&res);
	run(&res, "POST", "/nowhere", NULL, 0, ""); /* a method the table has, on no path: 404 */
	assert_int_equal(res.status, 404);
	sasae_http_response_clear(&res);
	run(&res, "OPTIONS", "/items/1", NULL, 0, NULL);
	assert_int_equal(res.status, 204);
	assert_string_equal(sasae_http_response_header(&res, "Allow"), "GET, HEAD, POST, OPTIONS");
	assert_null(sasae_http_response_header(&res, "Access-Control-Allow-Origin"));
	assert_int_equal(res.body.len, 0);
	sasae_http_response_clear(&res);
	/* every answer carries the security headers, errors included */
	run(&res, "GET", "/nowhere", NULL, 0, NULL);
	assert_string_equal(sasae_http_response_header(&res, "Content-Security-Policy"), "default-src 'self'");
	assert_string_equal(sasae_http_response_header(&res, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(sasae_http_response_header(&res, "X-Frame-Options"), "DENY");
	sasae_http_response_clear(&res);
}

/* ---- parsing ---- */

static void test_url_decode(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(sasae_http_url_decode(out, "%41%2b+b", 8, true), 4);
	assert_string_equal(out, "A+ b");
	assert_int_equal(sasae_http_url_decode(out, "a+b", 3, false), 3);
	assert_string_equal(out, "a+b");
	const char *bad[] = {"%", "%4", "%ZZ", "%FF", "%E3%81", "%00", "%C0%AF"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(sasae_http_url_decode(out, bad[i], strlen(bad[i]), true), -1);
}

static void test_query(void **state)
{
	(void)state;
	sasae_http_request req = {.method = "GET",
				  .target = "/s?q=a+b%20c&who=x&q=%E4%BB%8B&empty=&flag&&who=y"};
	const sasae_http_problem *p = NULL;
	assert_int_equal(sasae_http_request_parse(&req, &p), 0);
	assert_string_equal(req.path, "/s");
	assert_int_equal(req.nquery, 6);
	assert_string_equal(sasae_http_query(&req, "q"), "a b c");
	const char *who[4];
	assert_int_equal(sasae_http_query_all(&req, "who", who, 4), 2);
	assert_string_equal(who[0], "x");
	assert_string_equal(who[1], "y");
	const char *q[1];
	assert_int_equal(sasae_http_query_all(&req, "q", q, 1), 2); /* more than cap: counted */
	assert_string_equal(q[0], "a b c");
	assert_string_equal(sasae_http_query(&req, "empty"), "");
	assert_string_equal(sasae_http_query(&req, "flag"), "");
	assert_null(sasae_http_query(&req, "nope"));
	sasae_http_request_clear(&req);

	struct {
		const char *target;
		int status;
		const char *code;
	} bad[] = {
		{"/s?q=%FF", 400, "bad-parameter-encoding"},
		{"/s?q=%ZZ", 400, "bad-parameter-encoding"},
		{"/s?%E3%81=x", 400, "bad-parameter-encoding"},
		{"/%FF", 400, "bad-path"},
		{"/a/../b", 400, "bad-path"},
		{"/a/..", 400, "bad-path"},
		{"/assets/%2e%2e", 400, "bad-path"},
		{"/a%5cb", 400, "bad-path"},
		{"relative", 400, "bad-path"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sasae_http_request r = {.method = "GET", .target = bad[i].target};
		assert_int_equal(sasae_http_request_parse(&r, &p), bad[i].status);
		assert_string_equal(p->code, bad[i].code);
		sasae_http_request_clear(&r);
	}
	/* at most SASAE_HTTP_MAX_PARAMS parameters */
	char many[1024] = "/s?";
	for (int i = 0; i <= SASAE_HTTP_MAX_PARAMS; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "a%d=1&", i);
	sasae_http_request r = {.method = "GET", .target = many};
	assert_int_equal(sasae_http_request_parse(&r, &p), 400);
	assert_string_equal(p->code, "too-many-parameters");
	sasae_http_request_clear(&r);
	/* a target over 4 KiB */
	char huge[SASAE_HTTP_MAX_TARGET + 16] = "/s?q=";
	memset(huge + 5, 'a', SASAE_HTTP_MAX_TARGET);
	r = (sasae_http_request){.method = "GET", .target = huge};
	assert_int_equal(sasae_http_request_parse(&r, &p), 414);
	sasae_http_request_clear(&r);
}

static void test_form(void **state)
{
	(void)state;
	const sasae_http_field form_type[] = {
		{"content-type", "application/x-www-form-urlencoded; charset=UTF-8"}};
	const sasae_http_field json_type[] = {{"Content-Type", "application/json"}};
	sasae_http_response res;
	run(&res, "POST", "/items/7", form_type, 1, "name=%E5%A4%AA%E9%83%8E&note=a+b&tag=1&tag=2");
	assert_int_equal(res.status, 200);
	assert_string_equal(body_of(&res), "name=太郎;note=a b;tag=1;tag=2;");
	sasae_http_response_clear(&res);
	run(&res, "POST", "/items/7", NULL, 0, ""); /* no body: an empty form */
	assert_int_equal(res.status, 200);
	assert_string_equal(body_of(&res), "");
	sasae_http_response_clear(&res);
	run(&res, "POST", "/items/7", json_type, 1, "{\"name\": 1}");
	assert_int_equal(res.status, 415);
	assert_string_equal(last_problem, "unsupported-media-type");
	sasae_http_response_clear(&res);
	run(&res, "POST", "/items/7", NULL, 0, "name=x"); /* a body without a type */
	assert_int_equal(res.status, 415);
	sasae_http_response_clear(&res);
	run(&res, "POST", "/items/7", form_type, 1, "name=%FF");
	assert_int_equal(res.status, 400);
	assert_string_equal(last_problem, "bad-form-encoding");
	sasae_http_response_clear(&res);
	/* a GET route ignores a body (as before: GET with a small body is answered) */
	run(&res, "GET", "/items/7", json_type, 1, "{}");
	assert_int_equal(res.status, 200);
	sasae_http_response_clear(&res);

	/* over the cap: 413, from the request parser and from the router */
	sasae_http_request req = {.method = "POST",
				  .target = "/items/7",
				  .headers = form_type,
				  .nheaders = 1,
				  .body = "x=1",
				  .body_len = 3,
				  .body_too_large = true};
	const sasae_http_problem *p = NULL;
	assert_int_equal(sasae_http_request_parse(&req, &p), 413);
	sasae_http_request_clear(&req);
	req.body_too_large = false;
	assert_int_equal(sasae_http_request_parse(&req, &p), 0);
	req.body_len = SASAE_HTTP_MAX_BODY + 1; /* a caller that did not cut it */
	assert_int_equal(sasae_http_request_parse_form(&req, &p), 413);
	sasae_http_request_clear(&req);
	req.body_len = 3;
	req.body_too_large = true;
	memset(&res, 0, sizeof res);
	problems = 0;
	sasae_http_dispatch(&router, &req, &res);
	assert_int_equal(res.status, 413);
	assert_int_equal(problems, 0); /* the HTTP layer's own plain-text answer */
	assert_string_equal(res.content_type, "text/plain; charset=utf-8");
	sasae_http_request_clear(&req);
	sasae_http_response_clear(&res);
}

static void test_cookies(void **state)
{
	(void)state;
	const sasae_http_field headers[] = {
		{"Host", "example.jp"},
		{"Cookie", "a=1; b=\"two\"; bad; =x; c=d e; sid=xyz;  empty=;x=\"unclosed"},
		{"COOKIE", "later=yes; a=second"},
	};
	sasae_http_request req = {.method = "GET", .target = "/", .headers = headers, .nheaders = 3};
	const sasae_http_problem *p = NULL;
	assert_int_equal(sasae_http_request_parse(&req, &p), 0);
	assert_string_equal(sasae_http_cookie(&req, "a"), "1"); /* the first of a name */
	assert_string_equal(sasae_http_cookie(&req, "b"), "two");
	assert_null(sasae_http_cookie(&req, "bad"));
	assert_null(sasae_http_cookie(&req, "c")); /* a space in a value: malformed, skipped */
	assert_string_equal(sasae_http_cookie(&req, "sid"), "xyz");
	assert_string_equal(sasae_http_cookie(&req, "empty"), "");
	assert_null(sasae_http_cookie(&req, "x")); /* an unclosed quote */
	assert_string_equal(sasae_http_cookie(&req, "later"), "yes");
	assert_int_equal(req.ncookies, 6);
	assert_string_equal(sasae_http_header_get(&req, "host"), "example.jp");
	assert_null(sasae_http_header_get(&req, "Origin"));
	sasae_http_request_clear(&req);
	sasae_http_request_clear(NULL);
}

/* ---- what the flags ask ---- */

static void test_cache_control(void **state)
{
	(void)state;
	sasae_http_response res;
	run(&res, "GET", "/", NULL, 0, NULL);
	assert_string_equal(sasae_http_response_header(&res, "Cache-Control"), "public, max-age=300");
	const char *etag = sasae_http_response_header(&res, "ETag");
	assert_non_null(etag);
	char saved[64];
	snprintf(saved, sizeof saved, "%s", etag);
	sasae_http_response_clear(&res);
	const sasae_http_field inm[] = {{"If-None-Match", saved}};
	run(&res, "GET", "/", inm, 1, NULL);
	assert_int_equal(res.status, 304);
	assert_true(res.head);
	sasae_http_response_clear(&res);

	run(&res, "GET", "/private", NULL, 0, NULL);
	assert_int_equal(res.status, 200);
	assert_string_equal(sasae_http_response_header(&res, "Cache-Control"), "private, no-store");
	assert_null(sasae_http_response_header(&res, "ETag"));
	sasae_http_response_clear(&res);
	run(&res, "GET", "/private", inm, 1, NULL); /* no ETag, no 304 */
	assert_int_equal(res.status, 200);
	sasae_http_response_clear(&res);

	run(&res, "GET", "/static", NULL, 0, NULL);
	assert_string_equal(sasae_http_response_header(&res, "Cache-Control"), "public, max-age=86400");
	assert_non_null(sasae_http_response_header(&res, "ETag"));
	sasae_http_response_clear(&res);

	run(&res, "GET", "/person?who=x", NULL, 0, NULL);
	assert_string_equal(sasae_http_response_header(&res, "Cache-Control"), "no-store");
	sasae_http_response_clear(&res);
	run(&res, "GET", "/person?who=%FF", NULL, 0, NULL); /* refused before the route: no route's flags */
	assert_int_equal(res.status, 400);
	sasae_http_response_clear(&res);

	run(&res, "GET", "/nowhere", NULL, 0, NULL); /* errors: no ETag, no Cache-Control */
	assert_null(sasae_http_response_header(&res, "Cache-Control"));
	assert_null(sasae_http_response_header(&res, "ETag"));
	sasae_http_response_clear(&res);
}

/* A test authorizer: the "session" cookie names the person ("admin" has role 1); a CSRF route needs
   the form's "csrf" field equal to the "csrf" cookie. */
static int authorize(sasae_http_ctx *x, unsigned flags)
{
	const char *who = sasae_http_cookie(x->req, "session");
	if ((flags & (SASAE_ROUTE_SIGNED_IN | SASAE_ROUTE_ROLE_MASK)) && who == NULL)
		return 401;
	if ((flags & SASAE_ROUTE_ROLE_MASK) && !((flags & SASAE_ROUTE_ROLE(1)) && strcmp(who, "admin") == 0))
		return 403;
	if (flags & SASAE_ROUTE_CSRF) {
		const char *sent = sasae_http_form(x->req, "csrf"),
			   *expected = sasae_http_cookie(x->req, "csrf");
		if (sent == NULL || expected == NULL || strcmp(sent, expected) != 0)
			return 403;
	}
	return 0;
}

static void test_authorizer(void **state)
{
	(void)state;
	sasae_http_response res;
	/* no authorizer (no accounts yet): sign-in and roles → 401, CSRF → 403, whatever the request */
	const char *signin[][2] = {{"GET", "/account"}, {"GET", "/admin"}, {"POST", "/account/name"}};
	for (size_t i = 0; i < 3; i++) {
		run(&res, signin[i][0], signin[i][1], NULL, 0, "");
		assert_int_equal(res.status, 401);
		assert_string_equal(last_problem, "sign-in-required");
		sasae_http_response_clear(&res);
	}
	run(&res, "POST", "/csrf-only", NULL, 0, "");
	assert_int_equal(res.status, 403);
	assert_string_equal(last_problem, "forbidden");
	sasae_http_response_clear(&res);
	/* the refusal of a NO_STORE route is not cached either */
	run(&res, "POST", "/account/name", NULL, 0, "");
	assert_string_equal(sasae_http_response_header(&res, "Cache-Control"), "private, no-store");
	sasae_http_response_clear(&res);
	/* open routes do not ask the authorizer */
	run(&res, "GET", "/", NULL, 0, NULL);
	assert_int_equal(res.status, 200);
	sasae_http_response_clear(&res);

	/* with an authorizer */
	router.authorize = authorize;
	run(&res, "GET", "/account", NULL, 0, NULL);
	assert_int_equal(res.status, 401);
	sasae_http_response_clear(&res);
	const sasae_http_field user[] = {{"Cookie", "session=user"}};
	const sasae_http_field admin[] = {{"Cookie", "session=admin"}};
	run(&res, "GET", "/account", user, 1, NULL);
	assert_int_equal(res.status, 200);
	sasae_http_response_clear(&res);
	run(&res, "GET", "/admin", user, 1, NULL);
	assert_int_equal(res.status, 403);
	assert_string_equal(last_problem, "forbidden");
	sasae_http_response_clear(&res);
	run(&res, "GET", "/admin", admin, 1, NULL);
	assert_int_equal(res.status, 200);
	sasae_http_response_clear(&res);
	/* a write: signed in, and the CSRF token of the form matches the cookie's */
	const sasae_http_field good[] = {{"Cookie", "session=user; csrf=t0k"},
					 {"Content-Type", "application/x-www-form-urlencoded"}};
	run(&res, "POST", "/account/name", good, 2, "name=a&csrf=t0k");
	assert_int_equal(res.status, 200);
	assert_string_equal(body_of(&res), "name=a;csrf=t0k;");
	assert_string_equal(sasae_http_response_header(&res, "Cache-Control"), "private, no-store");
	sasae_http_response_clear(&res);
	run(&res, "POST", "/account/name", good, 2, "name=a&csrf=other");
	assert_int_equal(res.status, 403);
	assert_string_equal(last_problem, "forbidden");
	sasae_http_response_clear(&res);
	run(&res, "POST", "/account/name", good, 2, "name=a");
	assert_int_equal(res.status, 403);
	sasae_http_response_clear(&res);
	run(&res, "POST", "/account/name", good + 1, 1, "name=a&csrf=t0k"); /* not signed in */
	assert_int_equal(res.status, 401);
	sasae_http_response_clear(&res);
	router.authorize = NULL;
}

/* ---- the web application, called directly ---- */

/* The bundled plan imported into a temporary database, and the application over it. */
static char *web_dir, *web_db;
static sasae_web *web;

static int web_setup(void **state)
{
	(void)state;
	sasae_error err = {0};
	web_dir = tu_mkdtemp();
	web_db = tu_join(web_dir, "web.db");
	sasae_dept_table *depts = NULL;
	sasae_store *w = NULL;
	char *path = tu_source_path("data/sendai-2024-draft.txt");
	sasae_import_options opt = {0};
	sasae_import_summary sum;
	int rc = sasae_dept_table_default(&depts, &err);
	if (rc == 0)
		rc = sasae_store_open(&w, web_db, SASAE_STORE_CREATE, &err);
	if (rc == 0) {
		opt.depts = depts;
		rc = sasae_import_file(w, path, &opt, &sum, &err);
	}
	sasae_store_close(w);
	sasae_dept_table_free(depts);
	free(path);
	if (rc == 0)
		rc = sasae_web_new(&web, web_db, NULL, &err);
	if (rc)
		fprintf(stderr, "web_setup: %s\n", err.message);
	return rc ? -1 : 0;
}

static int web_teardown(void **state)
{
	(void)state;
	sasae_web_free(web);
	sasae_web_free(NULL);
	free(web_db);
	tu_rmdir(web_dir);
	return 0;
}

/* One request to the application. */
static void web_run(sasae_http_response *res, const char *method, const char *target)
{
	const sasae_http_field headers[] = {{"Host", "example.jp"}};
	sasae_http_request req = {.method = method, .target = target, .headers = headers, .nheaders = 1};
	memset(res, 0, sizeof *res);
	sasae_web_handle(web, &req, res);
	sasae_http_request_clear(&req);
}

static void test_web_handle(void **state)
{
	(void)state;
	sasae_http_response res;
	web_run(&res, "GET", "/programs/p0001");
	assert_int_equal(res.status, 200);
	assert_string_equal(res.content_type, "text/html; charset=utf-8");
	assert_non_null(strstr(body_of(&res), "<h1"));
	assert_string_equal(sasae_http_response_header(&res, "Cache-Control"), "public, max-age=300");
	assert_non_null(sasae_http_response_header(&res, "ETag"));
	sasae_http_response_clear(&res);

	web_run(&res, "GET", "/api/v1/nosuch"); /* the router's 404, as problem+json */
	assert_int_equal(res.status, 404);
	assert_string_equal(res.content_type, "application/problem+json");
	assert_non_null(strstr(body_of(&res), "\"code\":\"not-found\""));
	sasae_http_response_clear(&res);

	web_run(&res, "POST", "/programs/p0001"); /* 405 as the HTML error page */
	assert_int_equal(res.status, 405);
	assert_string_equal(res.content_type, "text/html; charset=utf-8");
	assert_string_equal(sasae_http_response_header(&res, "Allow"), "GET, HEAD, OPTIONS");
	sasae_http_response_clear(&res);

	web_run(&res, "GET", "/api/v1/finder?who=elderly&limit=1"); /* the finder: no-store */
	assert_int_equal(res.status, 200);
	assert_string_equal(sasae_http_response_header(&res, "Cache-Control"), "no-store");
	sasae_http_response_clear(&res);

	web_run(&res, "GET", "/assets/style.css");
	assert_string_equal(sasae_http_response_header(&res, "Cache-Control"), "public, max-age=86400");
	sasae_http_response_clear(&res);

	/* the facets of a search are counted from the application's own program index */
	web_run(&res, "GET", "/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87");
	assert_int_equal(res.status, 200);
	assert_non_null(strstr(body_of(&res), "part%3A"));
	sasae_http_response_clear(&res);
}

/* ---- /data: the downloads ---- */

/* What the document (data/sendai-2024-draft.txt, tests/data/sendai-expected.json) holds. */
enum { SENDAI_LISTINGS = 254, SENDAI_PROGRAMS = 174 };

/* Every export of `sasae export` (docs/exports.md) and the type it must be served with. */
static const struct {
	const char *file, *type;
} DOWNLOADS[] = {
	{"plan.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"plan.csv", "text/csv; charset=utf-8"},
	{"plan-cp932.csv", "text/csv; charset=Windows-31J"},
	{"plan.tsv", "text/tab-separated-values; charset=utf-8"},
	{"plan-cp932.tsv", "text/tab-separated-values; charset=Windows-31J"},
	{"plan.json", "application/json"},
	{"plan.jsonld", "application/ld+json"},
	{"hsds.zip", "application/zip"},
	{"plan.txt", "text/plain; charset=utf-8"},
	{"plan.md", "text/markdown; charset=utf-8"},
	{"plan.html", "text/html; charset=utf-8"},
};
enum { NDOWNLOADS = sizeof DOWNLOADS / sizeof DOWNLOADS[0] };

/* A request with one extra header (hname may be NULL). */
static void web_get(sasae_http_response *res, const char *method, const char *target, const char *hname,
		    const char *hvalue)
{
	const sasae_http_field headers[] = {{"Host", "example.jp"},
					    {hname ? hname : "X-None", hvalue ? hvalue : ""}};
	sasae_http_request req = {.method = method, .target = target, .headers = headers, .nheaders = 2};
	memset(res, 0, sizeof *res);
	sasae_web_handle(web, &req, res);
	sasae_http_request_clear(&req);
}

/* Records of a CSV/TSV body (RFC 4180: a line break inside quotes does not end a record). */
static size_t count_records(const char *s, size_t len)
{
	size_t n = 0;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == '\n' && !quoted)
			n++;
	}
	return n + (len && s[len - 1] != '\n');
}

/* iconv CP932 → UTF-8 of a whole body (malloc'd, NUL-terminated); fails the test on a bad byte. */
static char *from_cp932(const char *in, size_t len, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	assert_true(cd != (iconv_t)-1);
	size_t cap = len * 2 + 16, left = cap;
	char *out = malloc(cap), *o = out;
	char *i = (char *)(uintptr_t)in;
	size_t ileft = len;
	assert_non_null(out);
	if (iconv(cd, &i, &ileft, &o, &left) == (size_t)-1)
		fail_msg("the CP932 body does not decode at byte %zu", len - ileft);
	iconv_close(cd);
	*outlen = cap - left;
	*o = '\0';
	return out;
}

/* An open ZIP over body (libzip reading from memory, consistency checked), or a test failure. */
static zip_t *open_zip(const char *body, size_t len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(body, len, 0, &ze);
	assert_non_null(src);
	zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (z == NULL)
		fail_msg("not a ZIP: %s", zip_error_strerror(&ze));
	return z;
}

/* A member of a ZIP, read whole (malloc'd, NUL-terminated). */
static char *zip_member(zip_t *z, const char *name, size_t *len)
{
	zip_stat_t st;
	if (zip_stat(z, name, 0, &st) != 0)
		fail_msg("the ZIP has no %s", name);
	char *buf = malloc(st.size + 1);
	zip_file_t *f = zip_fopen(z, name, 0);
	assert_non_null(buf);
	assert_non_null(f);
	assert_int_equal(zip_fread(f, buf, st.size), (zip_int64_t)st.size);
	zip_fclose(f);
	buf[st.size] = '\0';
	*len = st.size;
	return buf;
}

/* The import time of the served version, read from the store (not from the web). */
static char *imported_at(void)
{
	sasae_store *s = NULL;
	sasae_error err = {0};
	sasae_plan_info *infos = NULL;
	size_t n = 0;
	assert_int_equal(sasae_store_open(&s, web_db, SASAE_STORE_READONLY, &err), 0);
	assert_int_equal(sasae_store_plans(s, &infos, &n, &err), 0);
	assert_int_equal(n, 1);
	char *at = strdup(infos[0].imported_at);
	sasae_plan_infos_free(infos, n);
	sasae_store_close(s);
	return at;
}

/* "2026年11月24日": the date in Japan of an ISO 8601 UTC time, by the C library's own time zone
   rules (TZ set to UTC, then to Japan's zone, JST-9). */
static void date_in_japan(char *out, size_t n, const char *iso)
{
	struct tm tm = {0};
	assert_int_equal(sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
				&tm.tm_min, &tm.tm_sec),
			 6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = 0;
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", "UTC0", 1);
	tzset();
	time_t t = mktime(&tm);
	setenv("TZ", "JST-9", 1);
	tzset();
	struct tm jp;
	localtime_r(&t, &jp);
	if (old)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
	snprintf(out, n, "%d年%d月%d日", jp.tm_year + 1900, jp.tm_mon + 1, jp.tm_mday);
}

/* How many times needle occurs in hay. */
static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Check the body of a download with a parser of its format. */
static void check_body(const char *file, const char *b, size_t len, sasae_buf *csv_utf8, sasae_buf *tsv_utf8)
{
	if (strcmp(file, "plan.xlsx") == 0) {
		assert_memory_equal(b, "PK\x03\x04", 4);
		zip_t *z = open_zip(b, len);
		assert_true(zip_name_locate(z, "xl/workbook.xml", 0) >= 0);
		assert_true(zip_name_locate(z, "xl/worksheets/sheet6.xml", 0) >= 0); /* a sheet per part: 6 */
		zip_discard(z);
	} else if (strcmp(file, "hsds.zip") == 0) {
		zip_t *z = open_zip(b, len);
		size_t n;
		char *dp = zip_member(z, "datapackage.json", &n);
		json_error_t je;
		json_t *pkg = json_loadb(dp, n, 0, &je);
		assert_non_null(pkg);
		assert_int_equal(json_array_size(json_object_get(pkg, "resources")), 6);
		json_decref(pkg);
		free(dp);
		char *services = zip_member(z, "services.csv", &n); /* one service per program, a header */
		assert_int_equal(count_records(services, n), SENDAI_PROGRAMS + 1);
		free(services);
		zip_discard(z);
	} else if (strcmp(file, "plan.csv") == 0) {
		assert_memory_equal(b, "\xef\xbb\xbf", 3);
		assert_int_equal(count_records(b, len), SENDAI_LISTINGS + 1);
		sasae_buf_append(csv_utf8, b + 3, len - 3);
	} else if (strcmp(file, "plan.tsv") == 0) {
		assert_int_equal(count_records(b, len), SENDAI_LISTINGS + 1);
		sasae_buf_append(tsv_utf8, b, len);
	} else if (strcmp(file, "plan-cp932.csv") == 0 || strcmp(file, "plan-cp932.tsv") == 0) {
		size_t n;
		char *u = from_cp932(b, len, &n);
		assert_int_equal(count_records(u, n), SENDAI_LISTINGS + 1);
		/* the plan has no character CP932 maps one way (docs/exports.md): the same table */
		const sasae_buf *same = strcmp(file, "plan-cp932.csv") == 0 ? csv_utf8 : tsv_utf8;
		assert_int_equal(n, same->len);
		assert_memory_equal(u, same->data, n);
		free(u);
	} else if (strcmp(file, "plan.json") == 0 || strcmp(file, "plan.jsonld") == 0) {
		json_error_t je;
		json_t *v = json_loadb(b, len, 0, &je);
		if (v == NULL)
			fail_msg("%s: %s", file, je.text);
		const char *key = strcmp(file, "plan.jsonld") == 0 ? "@graph" : "programs";
		assert_int_equal(json_array_size(json_object_get(v, key)), SENDAI_PROGRAMS);
		json_decref(v);
	} else if (strcmp(file, "plan.txt") == 0) { /* the document again: sasae's parser reads it */
		sasae_dept_table *depts = NULL;
		sasae_plan *plan = NULL;
		sasae_error err = {0};
		assert_int_equal(sasae_dept_table_default(&depts, &err), 0);
		assert_int_equal(sasae_parse_document(&plan, "plan.txt", b, len, depts, NULL, NULL, &err), 0);
		assert_int_equal(sasae_plan_count_listings(plan), SENDAI_LISTINGS);
		assert_int_equal(plan->nprograms, SENDAI_PROGRAMS);
		sasae_plan_free(plan);
		sasae_dept_table_free(depts);
	} else if (strcmp(file, "plan.md") == 0) {
		char *md = strndup(b, len);
		assert_int_equal(strncmp(md, "# ", 2), 0);
		/* per section a header row and a rule, then a row per listing */
		size_t rows = occurrences(md, "\n| ");
		size_t headers = occurrences(md, "\n| No | 事業名 | 事業概要 | 担当局等 |");
		size_t rules = occurrences(md, "\n| ---: |");
		assert_true(headers > 0);
		assert_int_equal(rules, headers);
		assert_int_equal(rows - headers - rules, SENDAI_LISTINGS);
		free(md);
	} else if (strcmp(file, "plan.html") == 0) {
		char *h = strndup(b, len);
		assert_int_equal(strncmp(h, "<!DOCTYPE html>", 15), 0);
		assert_non_null(strstr(h, "<html lang=\"ja\">"));
		assert_int_equal(occurrences(h, "<th scope=\"row\">"), SENDAI_LISTINGS); /* a row per listing */
		free(h);
	} else {
		fail_msg("no check for %s", file);
	}
}

/* "48,213" */
static void grouped(char *out, size_t n)
{
	char digits[32];
	snprintf(digits, sizeof digits, "%zu", n);
	size_t g = 0, nd = strlen(digits);
	for (size_t k = 0; k < nd; k++) {
		if (k && (nd - k) % 3 == 0)
			out[g++] = ',';
		out[g++] = digits[k];
	}
	out[g] = '\0';
}

static void test_web_downloads(void **state)
{
	(void)state;
	sasae_http_response page, res;
	web_get(&page, "GET", "/data", NULL, NULL);
	assert_int_equal(page.status, 200);
	const char *html = body_of(&page);
	char *at = imported_at();
	char date[64];
	date_in_japan(date, sizeof date, at);

	/* the page links exactly these downloads; the licence is stated for all */
	assert_int_equal(occurrences(html, "\" download>"), NDOWNLOADS);
	assert_non_null(strstr(html, "https://creativecommons.org/licenses/by/4.0/deed.ja\" rel=\"license\""));

	sasae_buf csv_utf8 = SASAE_BUF_INIT, tsv_utf8 = SASAE_BUF_INIT;
	for (size_t i = 0; i < NDOWNLOADS; i++) {
		const char *file = DOWNLOADS[i].file;
		char target[64], link[128], want[192];
		snprintf(target, sizeof target, "/data/%s", file);
		snprintf(link, sizeof link, "<a href=\"%s\" download>", target);
		web_get(&res, "GET", target, NULL, NULL);
		if (res.status != 200)
			fail_msg("%s: status %d", target, res.status);
		assert_string_equal(res.content_type, DOWNLOADS[i].type);
		const char *cd = sasae_http_response_header(&res, "Content-Disposition");
		snprintf(want, sizeof want,
			 "attachment; filename=\"%s\"; filename*=UTF-8''sendai-2024-draft_", file);
		assert_non_null(cd);
		assert_int_equal(strncmp(cd, want, strlen(want)), 0);
		assert_string_equal(sasae_http_response_header(&res, "Cache-Control"), "public, max-age=300");
		assert_non_null(sasae_http_response_header(&res, "ETag"));

		/* its entry on the page: the size as served, the licence, the date of the import */
		const char *entry = strstr(html, link);
		if (entry == NULL)
			fail_msg("/data does not link %s", target);
		const char *end = strstr(entry, "</li>");
		assert_non_null(end);
		char *block = strndup(entry, (size_t)(end - entry));
		char size[64];
		grouped(size, res.body.len);
		snprintf(want, sizeof want, "（%s バイト）</dd>", size);
		if (strstr(block, want) == NULL)
			fail_msg("%s: the page does not give its size %s", file, want);
		assert_non_null(strstr(block, ">CC BY 4.0</a>"));
		snprintf(want, sizeof want, "<time datetime=\"%s\">%s</time>", at, date);
		if (strstr(block, want) == NULL)
			fail_msg("%s: no last-updated date %s", file, want);
		free(block);

		check_body(file, res.body.data, res.body.len, &csv_utf8, &tsv_utf8);

		/* the ETag answers 304; HEAD has the headers, not the body */
		char etag[128];
		snprintf(etag, sizeof etag, "%s", sasae_http_response_header(&res, "ETag"));
		sasae_http_response_clear(&res);
		web_get(&res, "GET", target, "If-None-Match", etag);
		assert_int_equal(res.status, 304);
		sasae_http_response_clear(&res);
		web_get(&res, "HEAD", target, NULL, NULL);
		assert_int_equal(res.status, 200);
		assert_true(res.head);
		sasae_http_response_clear(&res);
	}
	sasae_buf_free(&csv_utf8);
	sasae_buf_free(&tsv_utf8);

	/* an unknown file: the helpful 404 page */
	web_get(&res, "GET", "/data/plan.xls", NULL, NULL);
	assert_int_equal(res.status, 404);
	assert_string_equal(res.content_type, "text/html; charset=utf-8");
	sasae_http_response_clear(&res);

	/* the catalogue: a DCAT dataset, one distribution per download with its size as served */
	web_get(&res, "GET", "/data/catalog.json", NULL, NULL);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.content_type, "application/ld+json");
	json_error_t je;
	json_t *cat = json_loadb(res.body.data, res.body.len, 0, &je);
	assert_non_null(cat);
	assert_string_equal(json_string_value(json_object_get(cat, "@type")), "dcat:Dataset");
	assert_string_equal(json_string_value(json_object_get(cat, "dct:license")),
			    "https://creativecommons.org/licenses/by/4.0/");
	assert_string_equal(json_string_value(json_object_get(cat, "dct:modified")), at);
	json_t *dists = json_object_get(cat, "dcat:distribution");
	assert_int_equal(json_array_size(dists), NDOWNLOADS);
	for (size_t i = 0; i < NDOWNLOADS; i++) {
		json_t *d = json_array_get(dists, i);
		char url[64];
		snprintf(url, sizeof url, "/data/%s", DOWNLOADS[i].file);
		assert_string_equal(json_string_value(json_object_get(d, "dcat:downloadURL")), url);
		assert_string_equal(json_string_value(json_object_get(d, "dcat:mediaType")), DOWNLOADS[i].type);
		sasae_http_response f;
		web_get(&f, "GET", url, NULL, NULL);
		assert_int_equal(json_integer_value(json_object_get(d, "dcat:byteSize")),
				 (json_int_t)f.body.len);
		sasae_http_response_clear(&f);
	}
	json_decref(cat);
	sasae_http_response_clear(&res);
	sasae_http_response_clear(&page);
	free(at);
}

/* ---- content coding ---- */

static void test_accept_encoding(void **state)
{
	(void)state;
	static const struct {
		const char *header;
		bool gzip;
	} cases[] = {
		{NULL, false},
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"gzip, deflate, br", true},
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"deflate, br", false},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=0.001", true},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false}, /* named gzip refused, the star does not bring it back */
		{"identity", false},
		{"gzipx", false},
		{"xgzip, gzi", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (http_accepts_gzip(cases[i].header) != cases[i].gzip)
			fail_msg("Accept-Encoding \"%s\": want %s",
				 cases[i].header ? cases[i].header : "(none)",
				 cases[i].gzip ? "gzip" : "identity");
	assert_true(http_compressible_type("text/html; charset=utf-8"));
	assert_true(http_compressible_type("application/problem+json"));
	assert_true(http_compressible_type("image/svg+xml"));
	assert_false(http_compressible_type("application/zip"));
	assert_false(
		http_compressible_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
	assert_false(http_compressible_type(NULL));
}

/* gunzip body into out (a fresh buffer). */
static void gunzip(const sasae_buf *body, sasae_buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	*out = (sasae_buf)SASAE_BUF_INIT;
	assert_true(sasae_buf_reserve(out, 1 << 20));
	z.next_in = (Bytef *)body->data;
	z.avail_in = (uInt)body->len;
	z.next_out = (Bytef *)out->data;
	z.avail_out = 1 << 20;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.avail_in, 0); /* one gzip member, nothing after it */
	out->len = z.total_out;
	inflateEnd(&z);
}

static void test_web_gzip(void **state)
{
	(void)state;
	const char *pages[] = {"/", "/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87", "/api/v1/programs/p0001",
			       "/assets/style.css", "/nowhere-at-all"};
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		sasae_http_response plain, gz;
		web_get(&plain, "GET", pages[i], NULL, NULL);
		web_get(&gz, "GET", pages[i], "Accept-Encoding", "gzip, deflate, br");
		assert_int_equal(gz.status, plain.status);
		assert_string_equal(sasae_http_response_header(&plain, "Vary"), "Accept-Encoding");
		assert_string_equal(sasae_http_response_header(&gz, "Vary"), "Accept-Encoding");
		assert_null(sasae_http_response_header(&plain, "Content-Encoding"));
		if (plain.body.len < 1024) { /* too small to be worth it: sent as it is */
			assert_null(sasae_http_response_header(&gz, "Content-Encoding"));
			sasae_http_response_clear(&plain);
			sasae_http_response_clear(&gz);
			continue;
		}
		assert_string_equal(sasae_http_response_header(&gz, "Content-Encoding"), "gzip");
		assert_true(gz.body.len < plain.body.len);
		sasae_buf back;
		gunzip(&gz.body, &back);
		assert_int_equal(back.len, plain.body.len);
		assert_memory_equal(back.data, plain.body.data, plain.body.len);
		sasae_buf_free(&back);
		/* each representation has its own ETag, and each answers its own If-None-Match */
		const char *e1 = sasae_http_response_header(&plain, "ETag");
		const char *e2 = sasae_http_response_header(&gz, "ETag");
		if (plain.status == 200) {
			assert_non_null(e1);
			assert_non_null(e2);
			char want[64];
			snprintf(want, sizeof want, "%.*s-gz\"", (int)strlen(e1) - 1, e1);
			assert_string_equal(e2, want);
			const sasae_http_field h[] = {{"Accept-Encoding", "gzip"}, {"If-None-Match", e2}};
			sasae_http_request req = {.method = "GET",
						  .target = pages[i],
						  .headers = h,
						  .nheaders = 2};
			sasae_http_response r304;
			memset(&r304, 0, sizeof r304);
			sasae_web_handle(web, &req, &r304);
			sasae_http_request_clear(&req);
			assert_int_equal(r304.status, 304);
			sasae_http_response_clear(&r304);
			web_get(&r304, "GET", pages[i], "If-None-Match", e2); /* not for the identity coding */
			assert_int_equal(r304.status, 200);
			sasae_http_response_clear(&r304);
		}
		sasae_http_response_clear(&plain);
		sasae_http_response_clear(&gz);
	}
	/* a download that is compressed already goes as it is */
	sasae_http_response x;
	web_get(&x, "GET", "/data/plan.xlsx", "Accept-Encoding", "gzip");
	assert_int_equal(x.status, 200);
	assert_null(sasae_http_response_header(&x, "Content-Encoding"));
	assert_null(sasae_http_response_header(&x, "Vary"));
	sasae_http_response_clear(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_parameters),
		cmocka_unit_test(test_404_405_options),
		cmocka_unit_test(test_url_decode),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_cache_control),
		cmocka_unit_test(test_authorizer),
		cmocka_unit_test(test_accept_encoding),
	};
	const struct CMUnitTest web_tests[] = {
		cmocka_unit_test(test_web_handle),
		cmocka_unit_test(test_web_downloads),
		cmocka_unit_test(test_web_gzip),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	return failed + cmocka_run_group_tests(web_tests, web_setup, web_teardown);
}
