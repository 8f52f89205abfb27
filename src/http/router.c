/*
 * router.c — a request through the route table (see sasae_http_dispatch in include/http/sasae/http.h):
 * security headers, parsing, OPTIONS, 404 and 405 + Allow from the table, what the route's flags
 * ask (sign-in, roles and CSRF through the authorizer; the form of a write; Cache-Control), the
 * handler, then ETag and 304.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http_internal.h"
#include "sasae/http.h"

static const sasae_http_problem not_found =
	{404, "not-found", "ページが見つかりません",
	 "お探しのページはありません。URL を確かめるか、トップページや検索から探してください。"};
static const sasae_http_problem read_only = {405, "method-not-allowed", "この方法では使えません",
					     "このアドレスは GET と HEAD で読むだけです。"};
static const sasae_http_problem not_allowed = {405, "method-not-allowed", "この方法では使えません",
					       "このアドレスで使える方法は Allow ヘッダーのとおりです。"};
static const sasae_http_problem sign_in = {401, "sign-in-required", "ログインが必要です",
					   "このページを使うには、ログインしてください。"};
static const sasae_http_problem forbidden = {403, "forbidden", "この操作はできません",
					     "このページを使う権限がありません。"};

/* Match path against pattern ("/parts/{n}/sections/{m}"); on success off[i] = {start, length} of
   each {parameter} in path and *nargs their number. */
static bool match(const char *pattern, const char *path, size_t off[][2], size_t *nargs)
{
	size_t n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t len = strcspn(s, "/");
			if (close == NULL || len == 0 || len > SASAE_HTTP_MAX_ARG || n == SASAE_HTTP_MAX_ARGS)
				return false;
			off[n][0] = (size_t)(s - path);
			off[n][1] = len;
			n++;
			s += len;
			p = close + 1;
		} else if (*p == *s) {
			p++, s++;
		} else {
			return false;
		}
	}
	*nargs = n;
	return *p == '\0' && *s == '\0';
}

/* Whether a route of method serves a request of method (HEAD is the GET without its body). */
static bool method_serves(const char *route, const char *request)
{
	return strcmp(route, request) == 0 || (strcmp(route, "GET") == 0 && strcmp(request, "HEAD") == 0);
}

/* Whether any route of the table takes method (GET, HEAD and OPTIONS are always known). */
static bool method_known(const sasae_http_router *r, const char *method)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 || strcmp(method, "OPTIONS") == 0)
		return true;
	for (size_t i = 0; i < r->nroutes; i++)
		if (strcmp(r->routes[i].method, method) == 0)
			return true;
	return false;
}

/* The Allow header for path: the methods of the routes matching it (of the whole table when none
   does), in table order, HEAD after GET, OPTIONS last. */
static void allow_for(const sasae_http_router *r, const char *path, char *out, size_t size)
{
	size_t off[SASAE_HTTP_MAX_ARGS][2], nargs, len = 0;
	bool any = false;
	for (size_t i = 0; path && i < r->nroutes && !any; i++)
		any = match(r->routes[i].path, path, off, &nargs);
	out[0] = '\0';
	for (size_t i = 0; i < r->nroutes; i++) {
		const char *m = r->routes[i].method;
		if (any && !match(r->routes[i].path, path, off, &nargs))
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(r->routes[j].method, m) == 0 &&
			       (!any || match(r->routes[j].path, path, off, &nargs));
		if (!seen && len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s%s", len ? ", " : "", m,
						strcmp(m, "GET") == 0 ? ", HEAD" : "");
	}
	if (len < size)
		snprintf(out + len, size - len, "%sOPTIONS", len ? ", " : "");
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void security_headers(const sasae_http_router *r, sasae_http_response *res)
{
	sasae_http_header(res, "Content-Security-Policy", "%s",
			  r->security_policy ? r->security_policy
					     : "default-src 'none'; frame-ancestors 'none'");
	sasae_http_header(res, "X-Content-Type-Options", "nosniff");
	sasae_http_header(res, "Referrer-Policy", "no-referrer");
	sasae_http_header(res, "X-Frame-Options", "DENY");
}

/* Answer the problem through the application's error renderer. */
static void refuse(sasae_http_ctx *x, const sasae_http_problem *p)
{
	if (x->router->error) {
		x->router->error(x, p);
		return;
	}
	sasae_buf_clear(&x->res->body);
	x->res->status = p->status;
	x->res->content_type = "text/plain; charset=utf-8";
	sasae_buf_appendf(&x->res->body, "%d %s\n", p->status, p->title);
}

/* After the handler: ETag (and 304 on If-None-Match) and Cache-Control for a 200, from the flags.
   The gzip-coded representation has its own ETag ("…-gz"), as RFC 9110 §8.8.3 asks. */
static void cache_headers(sasae_http_ctx *x, unsigned flags)
{
	sasae_http_response *res = x->res;
	if (res->status != 200 || (flags & SASAE_ROUTE_NO_STORE))
		return;
	if (flags & SASAE_ROUTE_LONG_CACHE)
		sasae_http_header(res, "Cache-Control", "public, max-age=86400");
	char etag[48];
	snprintf(etag, sizeof etag, "\"%016llx%s\"",
		 (unsigned long long)fnv1a(res->body.data ? res->body.data : "", res->body.len),
		 http_gzip_wanted(x->req, res) ? "-gz" : "");
	sasae_http_header(res, "ETag", "%s", etag);
	if (sasae_http_response_header(res, "Cache-Control") == NULL)
		sasae_http_header(res, "Cache-Control", "public, max-age=300");
	const char *inm = sasae_http_header_get(x->req, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		/* the body stays, unsent (like HEAD), so that Content-Length is the one of the 200
		   (RFC 9110 §8.6: a 304 must not say 0 when the 200 has content) */
		res->status = 304;
		res->head = true;
	}
}

static void dispatch(const sasae_http_router *r, sasae_http_request *req, sasae_http_response *res)
{
	sasae_http_ctx x = {r, r->app, NULL, req, res};
	const char *method = req->method ? req->method : "GET";
	const sasae_http_problem *problem = NULL;
	if (req->body_too_large || req->body_len > SASAE_HTTP_MAX_BODY) {
		/* the HTTP layer's own answer, before the application sees the request (docs/api.md):
		   plain text, with the security headers that need no policy of the application */
		res->status = 413;
		res->content_type = "text/plain; charset=utf-8";
		sasae_http_header(res, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
		sasae_http_header(res, "X-Content-Type-Options", "nosniff");
		sasae_http_header(res, "Referrer-Policy", "no-referrer");
		sasae_buf_puts(&res->body, "413 リクエストが大きすぎます\n");
		return;
	}
	security_headers(r, res);
	if (sasae_http_request_parse(req, &problem)) {
		refuse(&x, problem);
		return;
	}
	/* a person's own request: private on every answer, the router's own errors included */
	bool priv = r->is_private && r->is_private(req);
	if (priv)
		sasae_http_header(res, "Cache-Control", "private, no-store");
	char allow[128];
	if (strcmp(method, "OPTIONS") == 0) {
		allow_for(r, req->path, allow, sizeof allow);
		res->status = 204;
		sasae_http_header(res, "Allow", "%s", allow);
		if (r->is_api && r->is_api(req)) {
			sasae_http_header(res, "Access-Control-Allow-Origin", "*");
			sasae_http_header(res, "Access-Control-Allow-Methods", "%s", allow);
			sasae_http_header(res, "Access-Control-Allow-Headers", "If-None-Match");
			sasae_http_header(res, "Access-Control-Max-Age", "86400");
		}
		return;
	}
	/* the route: the first of the path and method; else 405 (the path is there, or the method is
	   one no route takes) or 404 */
	size_t off[SASAE_HTTP_MAX_ARGS][2], nargs = 0;
	bool path_known = false;
	for (size_t i = 0; i < r->nroutes && x.route == NULL; i++)
		if (match(r->routes[i].path, req->path, off, &nargs)) {
			path_known = true;
			if (method_serves(r->routes[i].method, method))
				x.route = &r->routes[i];
		}
	if (x.route == NULL && (path_known || !method_known(r, method))) {
		allow_for(r, req->path, allow, sizeof allow);
		sasae_http_header(res, "Allow", "%s", allow);
		refuse(&x, strcmp(allow, "GET, HEAD, OPTIONS") == 0 ? &read_only : &not_allowed);
		return;
	}
	res->head = strcmp(method, "HEAD") == 0;
	req->route = x.route;
	if (x.route == NULL) {
		refuse(&x, &not_found);
		return;
	}
	for (size_t i = 0; i < nargs; i++)
		if ((req->args[i] = http_request_copy(req, req->path + off[i][0], off[i][1])) == NULL) {
			refuse(&x, &not_found);
			return;
		}
	req->nargs = nargs;
	unsigned flags = x.route->flags;
	if (priv)
		flags |= SASAE_ROUTE_NO_STORE; /* Cache-Control said so already */
	else if (flags & SASAE_ROUTE_NO_STORE)
		sasae_http_header(res, "Cache-Control", "private, no-store");
	else if (flags & SASAE_ROUTE_QUERY_PRIVATE)
		sasae_http_header(res, "Cache-Control", "no-store");
	/* a write's form first: the authorizer checks its CSRF token */
	if (strcmp(x.route->method, "GET") != 0 && sasae_http_request_parse_form(req, &problem)) {
		refuse(&x, problem);
		return;
	}
	if (flags & (SASAE_ROUTE_SIGNED_IN | SASAE_ROUTE_ROLE_MASK | SASAE_ROUTE_CSRF)) {
		int status = r->authorize ? r->authorize(&x, flags)
			     : (flags & (SASAE_ROUTE_SIGNED_IN | SASAE_ROUTE_ROLE_MASK)) ? 401
											 : 403;
		if (status) {
			refuse(&x, status == 401 ? &sign_in : &forbidden);
			return;
		}
	}
	x.route->handler(&x);
	cache_headers(&x, flags);
}

void sasae_http_dispatch(const sasae_http_router *r, sasae_http_request *req, sasae_http_response *res)
{
	dispatch(r, req, res);
	/* the content coding, last: the body is final (a 304 or HEAD keeps the coded length) */
	if (!http_compressible_type(res->content_type))
		return;
	sasae_http_header(res, "Vary", "Accept-Encoding");
	if (http_gzip_wanted(req, res))
		(void)http_gzip_apply(res); /* out of memory: the body goes as it is */
}
