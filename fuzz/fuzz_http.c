/*
 * fuzz_http.c — libFuzzer target for the HTTP layer (src/http: request parsing, forms, cookies, URL
 * decoding, the router) and the web application over it (sasae_web_handle, src/web), without
 * sockets.
 *
 * The input is a request as on the wire: a request line "METHOD TARGET [HTTP/1.1]", header lines
 * "Name: value" (at most 16 kept), a blank line, and the body (the rest; none without a blank line;
 * over SASAE_HTTP_MAX_BODY it is cut and marked too large, as the server shell does).  Lines end
 * with LF or CRLF.  The request goes three ways:
 *
 *   1. sasae_http_request_parse and sasae_http_request_parse_form directly, then every accessor
 *      (sasae_http_query, _query_all, _form, _cookie, _header_get) and sasae_http_url_decode on the
 *      raw target and body: result in the documented set; every decoded string valid UTF-8 (no NUL
 *      inside: its length is the decoded length); the path absolute, no backslash, no ".." segment;
 *      cookies of RFC 6265 octets; each accessor's answer the first of its name.
 *   2. sasae_http_dispatch over a small router of this file's own (GET and POST routes with {param}
 *      segments, every SASAE_ROUTE_* flag, an authorizer that refuses some): a status in the set the
 *      router can give; Content-Security-Policy and X-Content-Type-Options on every response; no body
 *      sent on HEAD (res->head) and a body sent otherwise; Allow on 405; a refusal never reaches the
 *      handler; the authorizer asked exactly for the flagged routes; a request that does not parse is
 *      refused with the parse's own 4xx; cache headers as the route's flags say.
 *   3. sasae_web_handle on the application over the bundled plan, imported once (at the first input,
 *      so that the corpus replay without libFuzzer sets it up the same way) into a temporary database
 *      that is removed at exit: a status in the application's set (a 500 is a bug: the database is
 *      sound and memory does not run out here), the security headers, HEAD, text bodies valid UTF-8,
 *      a 303 only to a path of this site.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include "sasae/buf.h"
#include "sasae/departments.h"
#include "sasae/error.h"
#include "sasae/http.h"
#include "sasae/import.h"
#include "sasae/store.h"
#include "sasae/utf8.h"
#include "sasae/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const char sasae_data_sendai_plan[];
extern const size_t sasae_data_sendai_plan_len;

enum { MAX_IN_HEADERS = 16 };

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_http: %s\n", what);
	abort();
}

/* Replace a gzip-coded body by what it codes (the checks below read the text); false when it is not
   exactly one well-formed gzip member. */
static bool gunzip_in_place(sasae_buf *body)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return false;
	sasae_buf out = SASAE_BUF_INIT;
	unsigned char chunk[16384];
	z.next_in = (Bytef *)body->data;
	z.avail_in = (uInt)body->len;
	int rc;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		rc = inflate(&z, Z_NO_FLUSH);
		sasae_buf_append(&out, (const char *)chunk, sizeof chunk - z.avail_out);
	} while (rc == Z_OK);
	bool ok = rc == Z_STREAM_END && z.avail_in == 0 && sasae_buf_ok(&out);
	inflateEnd(&z);
	if (ok) {
		sasae_buf_free(body);
		*body = out;
		sasae_buf_cstr(body);
	} else {
		sasae_buf_free(&out);
	}
	return ok;
}

static bool valid_text(const char *s) { return s != NULL && sasae_utf8_valid(s, strlen(s), NULL); }

/* ---- the request, from the input ---- */

/* A request read from the input; every string in its own allocation of exactly its size, so that
   ASan sees a read past any of them. */
typedef struct input {
	char *method, *target;
	sasae_http_field headers[MAX_IN_HEADERS];
	char *names[MAX_IN_HEADERS], *values[MAX_IN_HEADERS];
	size_t nheaders;
	char *body; /* NULL: no body */
	size_t body_len;
	bool body_too_large;
} input;

static char *copy(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p == NULL)
		fail("out of memory in the harness");
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* The next line of s[*pos..size) (without its LF or CRLF) as [*start, *len); false at the end. */
static bool next_line(const char *s, size_t size, size_t *pos, size_t *start, size_t *len)
{
	if (*pos >= size)
		return false;
	const char *lf = memchr(s + *pos, '\n', size - *pos);
	size_t end = lf ? (size_t)(lf - s) : size;
	*start = *pos;
	*len = end - *pos;
	if (*len && s[end - 1] == '\r')
		(*len)--;
	*pos = lf ? end + 1 : size;
	return true;
}

static void read_input(input *in, const char *s, size_t size)
{
	memset(in, 0, sizeof *in);
	size_t pos = 0, start = 0, len = 0;
	if (!next_line(s, size, &pos, &start, &len))
		len = 0;
	const char *line = s + start;
	const char *sp = memchr(line, ' ', len);
	size_t mlen = sp ? (size_t)(sp - line) : len;
	in->method = copy(line, mlen);
	if (sp) {
		const char *t = sp + 1;
		size_t tlen = len - mlen - 1;
		const char *ver = tlen >= 9 ? t + tlen - 9 : NULL;
		if (ver && memcmp(ver, " HTTP/1.", 8) == 0)
			tlen -= 9;
		in->target = copy(t, tlen);
	} else {
		in->target = copy("/", 1);
	}
	bool blank = false;
	while (next_line(s, size, &pos, &start, &len)) {
		if (len == 0) {
			blank = true;
			break;
		}
		const char *h = s + start, *colon = memchr(h, ':', len);
		if (colon == NULL || in->nheaders == MAX_IN_HEADERS)
			continue;
		const char *v = colon + 1, *ve = h + len;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		size_t k = in->nheaders++;
		in->names[k] = copy(h, (size_t)(colon - h));
		in->values[k] = copy(v, (size_t)(ve - v));
		in->headers[k] = (sasae_http_field){in->names[k], in->values[k]};
	}
	if (blank) {
		in->body_len = size - pos;
		if (in->body_len > SASAE_HTTP_MAX_BODY) {
			in->body_len = SASAE_HTTP_MAX_BODY;
			in->body_too_large = true;
		}
		in->body = malloc(in->body_len ? in->body_len : 1);
		if (in->body == NULL)
			fail("out of memory in the harness");
		memcpy(in->body, s + pos, in->body_len);
	}
}

static void free_input(input *in)
{
	free(in->method);
	free(in->target);
	for (size_t i = 0; i < in->nheaders; i++) {
		free(in->names[i]);
		free(in->values[i]);
	}
	free(in->body);
}

/* A request with the input's given fields and the rest zero. */
static sasae_http_request request_of(const input *in)
{
	return (sasae_http_request){.method = in->method,
				    .target = in->target,
				    .headers = in->headers,
				    .nheaders = in->nheaders,
				    .body = in->body,
				    .body_len = in->body_len,
				    .body_too_large = in->body_too_large};
}

/* ---- 1. parsing and the accessors ---- */

static bool cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	       (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

/* The decoded fields f[0..n): valid UTF-8, and each accessor returning the first of a name. */
static void check_fields(const sasae_http_request *req, const sasae_http_field *f, size_t n, bool form)
{
	if (n > SASAE_HTTP_MAX_PARAMS)
		fail("more parameters than SASAE_HTTP_MAX_PARAMS");
	for (size_t i = 0; i < n; i++) {
		if (!valid_text(f[i].name) || !valid_text(f[i].value))
			fail("a decoded parameter is not valid UTF-8");
		size_t first = 0, count = 0;
		while (strcmp(f[first].name, f[i].name) != 0)
			first++;
		for (size_t j = 0; j < n; j++)
			count += strcmp(f[j].name, f[i].name) == 0;
		const char *got = form ? sasae_http_form(req, f[i].name) : sasae_http_query(req, f[i].name);
		if (got != f[first].value)
			fail("the accessor does not return the first value of the name");
		if (!form) {
			const char *all[4];
			size_t k = sasae_http_query_all(req, f[i].name, all, 4);
			if (k != count)
				fail("sasae_http_query_all miscounts");
			for (size_t j = 0, m = 0; j < n && m < 4; j++)
				if (strcmp(f[j].name, f[i].name) == 0 && all[m++] != f[j].value)
					fail("sasae_http_query_all out of request order");
		}
	}
	if ((form ? sasae_http_form(req, "\xff") : sasae_http_query(req, "\xff")) != NULL)
		fail("an accessor found a name no decoded parameter can have");
}

/* sasae_http_url_decode on s[0..n) both ways: -1, or a valid UTF-8 string of the returned length. */
static void check_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	if (out == NULL)
		fail("out of memory in the harness");
	for (int plus = 0; plus < 2; plus++) {
		long k = sasae_http_url_decode(out, s, n, plus);
		if (k < -1 || k > (long)n)
			fail("sasae_http_url_decode returned a length out of range");
		if (k >= 0 && (strlen(out) != (size_t)k || !sasae_utf8_valid(out, (size_t)k, NULL)))
			fail("sasae_http_url_decode gave a NUL or invalid UTF-8");
	}
	free(out);
}

/* Returns the status parsing refuses the request with, or 0. */
static int check_parse(const input *in)
{
	sasae_http_request req = request_of(in);
	const sasae_http_problem *p = NULL;
	int rc = sasae_http_request_parse(&req, &p);
	if (rc != 0) {
		if (p == NULL || p->status != rc || p->code == NULL || p->title == NULL || p->detail == NULL)
			fail("a refusal without its problem");
		if (rc != 400 && rc != 413 && rc != 414 && rc != 500)
			fail("sasae_http_request_parse: status not in 400, 413, 414, 500");
		if (rc == 500)
			fail("sasae_http_request_parse ran out of memory");
		sasae_http_request_clear(&req);
		return rc;
	}
	if (req.resource == NULL || req.path == NULL || req.path[0] != '/' || !valid_text(req.path))
		fail("the decoded path is missing, relative or not valid UTF-8");
	if (strchr(req.path, '\\'))
		fail("a backslash in the decoded path");
	size_t plen = strlen(req.path);
	if (strstr(req.path, "/../") || (plen >= 3 && strcmp(req.path + plen - 3, "/..") == 0))
		fail("a \"..\" segment in the decoded path");
	check_fields(&req, req.query, req.nquery, false);
	if (req.ncookies > SASAE_HTTP_MAX_COOKIES)
		fail("more cookies than SASAE_HTTP_MAX_COOKIES");
	for (size_t i = 0; i < req.ncookies; i++) {
		const sasae_http_field *c = &req.cookies[i];
		if (c->name[0] == '\0')
			fail("a cookie without a name");
		for (const char *v = c->value; *v; v++)
			if (!cookie_octet((unsigned char)*v))
				fail("a cookie value with a byte RFC 6265 does not allow");
		size_t first = 0;
		while (strcmp(req.cookies[first].name, c->name) != 0)
			first++;
		if (sasae_http_cookie(&req, c->name) != req.cookies[first].value)
			fail("sasae_http_cookie does not return the first cookie of the name");
	}
	for (size_t i = 0; i < in->nheaders; i++) {
		size_t first = 0;
		while (strcasecmp(in->headers[first].name, in->headers[i].name) != 0)
			first++;
		if (sasae_http_header_get(&req, in->headers[i].name) != in->headers[first].value)
			fail("sasae_http_header_get does not return the first header of the name");
	}
	rc = sasae_http_request_parse_form(&req, &p);
	if (rc != 0) {
		if (p == NULL || p->status != rc)
			fail("a form refusal without its problem");
		if (rc != 400 && rc != 413 && rc != 415)
			fail("sasae_http_request_parse_form: status not in 400, 413, 415");
		if (rc == 415 && (in->body == NULL || in->body_len == 0))
			fail("an empty body refused for its type");
	} else {
		check_fields(&req, req.form, req.nform, true);
	}
	sasae_http_request_clear(&req);
	sasae_http_request_clear(&req);
	return 0;
}

/* ---- 2. the router, over routes of our own ---- */

/* What the handlers and the authorizer saw of the last request. */
static struct {
	int handled;      /* handler calls */
	int authorized;   /* authorizer calls */
	int refusals;     /* error renderer calls */
	unsigned flags;   /* the flags the authorizer was asked about */
	size_t want_args; /* the {parameters} of the route handled */
} seen;

static size_t count_params(const char *pattern)
{
	size_t n = 0;
	for (const char *p = pattern; (p = strchr(p, '{')) != NULL; p++)
		n++;
	return n;
}

static void echo(sasae_http_ctx *x)
{
	seen.handled++;
	if (x->route == NULL || x->req->nargs != count_params(x->route->path))
		fail("the handler got another number of {parameters} than its pattern has");
	for (size_t i = 0; i < x->req->nargs; i++) {
		const char *a = x->req->args[i];
		if (!valid_text(a) || a[0] == '\0' || strchr(a, '/') || strlen(a) > SASAE_HTTP_MAX_ARG)
			fail("a route parameter empty, too long, not one segment or not valid UTF-8");
	}
	x->res->status = 200;
	x->res->content_type = "text/plain; charset=utf-8";
	for (size_t i = 0; i < x->req->nargs; i++)
		sasae_buf_appendf(&x->res->body, "[%s]", x->req->args[i]);
	for (size_t i = 0; i < x->req->nform; i++)
		sasae_buf_appendf(&x->res->body, "%s=%s;", x->req->form[i].name, x->req->form[i].value);
	const char *v = sasae_http_query(x->req, "v");
	if (v)
		sasae_buf_appendf(&x->res->body, "v=%s", v);
	if (strcmp(x->req->method, "GET") == 0 && x->req->nform)
		fail("a GET route was given a form");
}

/* A handler that answers 204 without a body, or a 404 of its own for id "missing". */
static void maybe(sasae_http_ctx *x)
{
	seen.handled++;
	if (x->req->nargs == 1 && strcmp(x->req->args[0], "missing") == 0) {
		x->res->status = 404;
		sasae_buf_puts(&x->res->body, "not here");
	} else {
		x->res->status = 204;
	}
}

static void on_error(sasae_http_ctx *x, const sasae_http_problem *p)
{
	seen.refusals++;
	if (p == NULL || p->code == NULL || p->title == NULL || p->detail == NULL)
		fail("the error renderer was given an incomplete problem");
	x->res->status = p->status;
	x->res->content_type = "application/problem+json";
	sasae_buf_clear(&x->res->body);
	sasae_buf_appendf(&x->res->body, "{\"code\":\"%s\",\"status\":%d}", p->code, p->status);
}

/* Signed in: the cookie session=user or session=admin; roles: admin has 0 and 1, user none; CSRF:
   the form's csrf field equals the cookie csrf. */
static int authorize(sasae_http_ctx *x, unsigned flags)
{
	seen.authorized++;
	seen.flags = flags;
	if (!(flags & (SASAE_ROUTE_SIGNED_IN | SASAE_ROUTE_ROLE_MASK | SASAE_ROUTE_CSRF)))
		fail("the authorizer asked about an open route");
	const char *session = sasae_http_cookie(x->req, "session");
	bool user = session && strcmp(session, "user") == 0, admin = session && strcmp(session, "admin") == 0;
	if ((flags & (SASAE_ROUTE_SIGNED_IN | SASAE_ROUTE_ROLE_MASK)) && !user && !admin)
		return 401;
	if ((flags & SASAE_ROUTE_ROLE_MASK) && !(admin && (flags & (SASAE_ROUTE_ROLE(0) | SASAE_ROUTE_ROLE(1)))))
		return 403;
	if (flags & SASAE_ROUTE_CSRF) {
		const char *want = sasae_http_cookie(x->req, "csrf"), *got = sasae_http_form(x->req, "csrf");
		if (want == NULL || got == NULL || strcmp(want, got) != 0)
			return 403;
	}
	return 0;
}

static const sasae_http_route routes[] = {
	{.method = "GET", .path = "/", .handler = echo, .help = "home"},
	{.method = "GET", .path = "/items/{id}", .handler = echo, .help = "an item"},
	{.method = "GET", .path = "/items/{id}/parts/{n}", .handler = echo, .help = "a part of an item"},
	{.method = "POST", .path = "/items/{id}", .handler = echo, .help = "change an item"},
	{.method = "DELETE", .path = "/items/{id}", .handler = maybe, .flags = SASAE_ROUTE_CSRF, .help = "delete"},
	{.method = "GET", .path = "/things/{id}", .handler = maybe, .help = "204, or a 404 of the handler's own"},
	{.method = "GET", .path = "/private", .handler = echo, .flags = SASAE_ROUTE_NO_STORE, .help = "private"},
	{.method = "GET",
	 .path = "/static/{file}",
	 .handler = echo,
	 .flags = SASAE_ROUTE_LONG_CACHE,
	 .help = "a file"},
	{.method = "GET", .path = "/person", .handler = echo, .flags = SASAE_ROUTE_QUERY_PRIVATE, .help = "finder"},
	{.method = "GET", .path = "/account", .handler = echo, .flags = SASAE_ROUTE_SIGNED_IN, .help = "signed in"},
	{.method = "GET",
	 .path = "/admin/{a}/{b}/{c}/{d}",
	 .handler = echo,
	 .flags = SASAE_ROUTE_ROLE(1),
	 .help = "role 1, four parameters"},
	{.method = "GET", .path = "/staff", .handler = echo, .flags = SASAE_ROUTE_ROLE(5), .help = "role 5"},
	{.method = "POST",
	 .path = "/account/name",
	 .handler = echo,
	 .flags = SASAE_ROUTE_SIGNED_IN | SASAE_ROUTE_CSRF | SASAE_ROUTE_NO_STORE,
	 .help = "a write"},
	{.method = "POST",
	 .path = "/search/{q}",
	 .handler = echo,
	 .flags = SASAE_ROUTE_QUERY_PRIVATE,
	 .help = "a private form"},
	{.method = "POST", .path = "/csrf-only", .handler = echo, .flags = SASAE_ROUTE_CSRF, .help = "csrf"},
};

static bool is_api(const sasae_http_request *req) { return req->path && strncmp(req->path, "/api/", 5) == 0; }

static const sasae_http_router router = {.routes = routes,
					 .nroutes = sizeof routes / sizeof routes[0],
					 .security_policy = "default-src 'self'",
					 .error = on_error,
					 .authorize = authorize,
					 .is_api = is_api};

/* What every response carries, whoever made it. */
static void check_response(const sasae_http_response *res, const char *method, const char *who)
{
	char msg[160];
	if (sasae_http_response_header(res, "Content-Security-Policy") == NULL ||
	    sasae_http_response_header(res, "X-Content-Type-Options") == NULL) {
		snprintf(msg, sizeof msg, "%s: a %d without the security headers", who, res->status);
		fail(msg);
	}
	if (res->nheaders > SASAE_HTTP_MAX_HEADERS)
		fail("more response headers than SASAE_HTTP_MAX_HEADERS");
	bool head = method && strcmp(method, "HEAD") == 0;
	if (head && (res->status == 200 || res->status == 304) && !res->head) {
		snprintf(msg, sizeof msg, "%s: a body sent on HEAD (status %d)", who, res->status);
		fail(msg);
	}
	if (res->head && !head && res->status != 304) {
		snprintf(msg, sizeof msg, "%s: no body sent on %.20s (status %d)", who, method, res->status);
		fail(msg);
	}
	if (res->status == 405 && sasae_http_response_header(res, "Allow") == NULL)
		fail("a 405 without Allow");
	if (res->status == 304 && sasae_http_response_header(res, "ETag") == NULL)
		fail("a 304 without the ETag of its 200");
}

static void check_dispatch(const input *in, int parse_status)
{
	static const int statuses[] = {200, 204, 304, 400, 401, 403, 404, 405, 413, 414, 415};
	sasae_http_request req = request_of(in);
	sasae_http_response res = {0};
	memset(&seen, 0, sizeof seen);
	sasae_http_dispatch(&router, &req, &res);
	bool known = false;
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		known |= res.status == statuses[i];
	if (!known)
		fail("the router answered a status outside its set");
	check_response(&res, in->method, "router");
	if (parse_status && res.status != parse_status)
		fail("a request that does not parse got another status than the parse's");
	if (parse_status && seen.handled)
		fail("a request that does not parse reached the handler");
	if (seen.handled + (seen.refusals > 0) > 1)
		fail("both handled and refused");
	if (seen.handled == 0 && res.status >= 400 && res.status != 413 && seen.refusals != 1)
		fail("a refusal not rendered through the error renderer");
	if (seen.handled && (res.status == 401 || res.status == 403))
		fail("a refused request reached the handler");
	if (seen.authorized > 1)
		fail("the authorizer asked twice");
	/* cache headers from the flags */
	const char *cc = sasae_http_response_header(&res, "Cache-Control");
	if (req.path && (strcmp(req.path, "/private") == 0 || strcmp(req.path, "/account/name") == 0) &&
	    seen.handled &&
	    (cc == NULL || strcmp(cc, "private, no-store") != 0 ||
	     sasae_http_response_header(&res, "ETag") != NULL))
		fail("a NO_STORE route's answer is cacheable");
	bool private_query = (req.path && strcmp(req.path, "/person") == 0 && seen.handled) ||
			     (req.path && strncmp(req.path, "/search/", 8) == 0 && res.status == 415);
	if (private_query && (cc == NULL || strcmp(cc, "no-store") != 0))
		fail("a QUERY_PRIVATE route's answer (or form refusal) without Cache-Control: no-store");
	if (res.status == 200 && cc == NULL)
		fail("a 200 without Cache-Control");
	sasae_http_request_clear(&req);
	sasae_http_response_clear(&res);
	sasae_http_response_clear(&res);
}

/* ---- 3. the web application over the bundled plan ---- */

static char web_dir[] = "/tmp/sasae-fuzz-http.XXXXXX";
static sasae_web *web;

/* Free the application and remove its temporary directory (at exit). */
static void web_teardown(void)
{
	sasae_web_free(web);
	web = NULL;
	DIR *d = opendir(web_dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char path[sizeof web_dir + 300];
			snprintf(path, sizeof path, "%s/%s", web_dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(web_dir);
}

static void web_setup(void)
{
	sasae_error err = {0};
	if (mkdtemp(web_dir) == NULL)
		fail("setup: mkdtemp");
	atexit(web_teardown);
	char db[sizeof web_dir + 16];
	snprintf(db, sizeof db, "%s/web.db", web_dir);
	sasae_dept_table *depts = NULL;
	sasae_store *s = NULL;
	sasae_import_options opt = {.slug = "sendai-2024-draft"};
	sasae_import_summary sum;
	int rc = sasae_dept_table_default(&depts, &err);
	if (rc == 0)
		rc = sasae_store_open(&s, db, SASAE_STORE_CREATE, &err);
	if (rc == 0) {
		opt.depts = depts;
		rc = sasae_import_bytes(s, "sendai-2024-draft.txt", sasae_data_sendai_plan,
					sasae_data_sendai_plan_len, &opt, &sum, &err);
	}
	sasae_store_close(s);
	sasae_dept_table_free(depts);
	if (rc == 0)
		rc = sasae_web_new(&web, db, NULL, &err);
	if (rc) {
		fprintf(stderr, "fuzz_http: setup: %s\n", err.message);
		fail("setup: the bundled plan's database");
	}
}

static void check_web(const input *in)
{
	/* the router's set, and the application's own: 303 (to /login, and after a change), 429 (sign-in
	   locked) */
	static const int statuses[] = {200, 204, 303, 304, 400, 401, 403, 404, 405, 413, 414, 415, 429};
	sasae_http_request req = request_of(in);
	sasae_http_response res = {0};
	sasae_web_handle(web, &req, &res);
	bool known = false;
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		known |= res.status == statuses[i];
	if (!known) {
		fprintf(stderr, "fuzz_http: %s %s → %d\n%.300s\n", in->method, in->target, res.status,
			res.body.data ? res.body.data : "");
		fail("the application answered a status outside its set");
	}
	check_response(&res, in->method, "application");
	if (res.status == 303) { /* a redirect stays on this site: never an open redirect */
		const char *loc = sasae_http_response_header(&res, "Location");
		if (loc == NULL || loc[0] != '/' || loc[1] == '/' || loc[1] == '\\' || strpbrk(loc, "\r\n"))
			fail("a 303 whose Location is not a path of this site");
	}
	const char *type = res.content_type;
	if (res.body.len && type == NULL)
		fail("a body without a Content-Type");
	const char *coding = sasae_http_response_header(&res, "Content-Encoding");
	if (coding && (strcmp(coding, "gzip") != 0 || !gunzip_in_place(&res.body)))
		fail("a Content-Encoding other than a whole gzip member");
	if (type && (strncmp(type, "text/", 5) == 0 || strstr(type, "json")) &&
	    !sasae_utf8_valid(res.body.data ? res.body.data : "", res.body.len, NULL))
		fail("a text body that is not valid UTF-8");
	sasae_http_request_clear(&req);
	sasae_http_response_clear(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (web == NULL)
		web_setup();
	input in;
	read_input(&in, (const char *)data, size);
	check_decode(in.target, strlen(in.target));
	if (in.body)
		check_decode(in.body, in.body_len);
	int parse_status = check_parse(&in);
	check_dispatch(&in, parse_status);
	check_web(&in);
	free_input(&in);
	return 0;
}
