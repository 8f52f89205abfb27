/*
 * request.c — an HTTP request read into its parts (see include/http/sasae/http.h): the target in
 * origin-form, the decoded path and query parameters, cookies, a form body, header lookups.  Every
 * decoded string goes into one block allocated per request, sized from the request's own lengths.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_internal.h"
#include "sasae/http.h"
#include "sasae/utf8.h"

/* The problems parsing can answer (the router's own are in router.c). */
static const sasae_http_problem too_large = {413, "payload-too-large", "リクエストが大きすぎます",
					     "送る内容を 64 KB 以下にしてください。"};
static const sasae_http_problem uri_too_long = {414, "uri-too-long", "URL が長すぎます",
						"URL を短くしてください。"};
static const sasae_http_problem bad_path = {400, "bad-path", "URL が正しくありません",
					    "URL のパスを読めません（文字の符号化が正しくありません）。"};
static const sasae_http_problem too_many = {400, "too-many-parameters", "パラメータが多すぎます",
					    "URL のパラメータを減らしてください。"};
static const sasae_http_problem bad_encoding =
	{400, "bad-parameter-encoding", "パラメータが正しくありません",
	 "URL のパラメータを読めません（% の後の 16 進数か、UTF-8 の文字が正しくありません）。"};
static const sasae_http_problem too_many_fields = {400, "too-many-fields", "項目が多すぎます",
						   "送る項目を減らしてください。"};
static const sasae_http_problem bad_form =
	{400, "bad-form-encoding", "送られた内容が正しくありません",
	 "フォームの内容を読めません（% の後の 16 進数か、UTF-8 の文字が正しくありません）。"};
static const sasae_http_problem bad_type = {415, "unsupported-media-type", "この形式は受け付けません",
					    "application/x-www-form-urlencoded のフォームで送ってください。"};
static const sasae_http_problem no_memory = {500, "internal", "内部エラー", "メモリが足りません。"};

static int hex_value(char h)
{
	return h >= '0' && h <= '9'   ? h - '0'
	       : h >= 'a' && h <= 'f' ? h - 'a' + 10
	       : h >= 'A' && h <= 'F' ? h - 'A' + 10
				      : -1;
}

long sasae_http_url_decode(char *out, const char *s, size_t n, bool plus_space)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int hi = i + 1 < n ? hex_value(s[i + 1]) : -1,
			    lo = hi >= 0 && i + 2 < n ? hex_value(s[i + 2]) : -1;
			if (lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		out[k++] = c;
	}
	out[k] = '\0';
	return sasae_utf8_valid(out, k, NULL) ? (long)k : -1;
}

/* n bytes of the request's block (sized by sasae_http_request_parse: never runs out). */
static char *take(sasae_http_request *req, size_t n)
{
	if (req->block_ == NULL || req->block_cap_ - req->block_len_ < n)
		return NULL;
	char *p = req->block_ + req->block_len_;
	req->block_len_ += n;
	return p;
}

/* Decode s[0..n) into the block; NULL when malformed (or, which cannot happen, the block is full). */
static const char *decode(sasae_http_request *req, const char *s, size_t n, bool plus_space)
{
	char *out = take(req, n + 1);
	if (out == NULL)
		return NULL;
	long k = sasae_http_url_decode(out, s, n, plus_space);
	if (k < 0)
		return NULL;
	req->block_len_ -= n - (size_t)k; /* give back what decoding saved */
	return out;
}

/* Parse s[0..len) ("a=1&b=2", application/x-www-form-urlencoded) into fields (at most
   SASAE_HTTP_MAX_PARAMS; empty pieces skipped).  Returns 0, 1 (too many) or 2 (malformed). */
static int parse_pairs(sasae_http_request *req, const char *s, size_t len, sasae_http_field *fields, size_t *n)
{
	const char *end = s + len;
	for (const char *q = s; q < end;) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		size_t plen = amp ? (size_t)(amp - q) : (size_t)(end - q);
		const char *eq = memchr(q, '=', plen);
		size_t nlen = eq ? (size_t)(eq - q) : plen;
		if (plen > 0) {
			if (*n == SASAE_HTTP_MAX_PARAMS)
				return 1;
			const char *name = decode(req, q, nlen, true);
			const char *value =
				name ? decode(req, eq ? eq + 1 : q + plen, eq ? plen - nlen - 1 : 0, true)
				     : NULL;
			if (value == NULL)
				return 2;
			fields[(*n)++] = (sasae_http_field){name, value};
		}
		q = amp ? amp + 1 : end;
	}
	return 0;
}

/* RFC 6265 cookie-octet and RFC 9110 tchar. */
static bool cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	       (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

static bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       strchr("!#$%&'*+-.^_`|~", c);
}

/* The pairs of one Cookie header value into req->cookies; a malformed pair is skipped. */
static void parse_cookies(sasae_http_request *req, const char *s)
{
	while (*s && req->ncookies < SASAE_HTTP_MAX_COOKIES) {
		size_t len = strcspn(s, ";");
		const char *p = s, *e = s + len;
		s = *e ? e + 1 : e;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		const char *eq = memchr(p, '=', (size_t)(e - p));
		if (eq == NULL || eq == p)
			continue;
		bool ok = true;
		for (const char *c = p; c < eq && ok; c++)
			ok = tchar((unsigned char)*c);
		const char *v = eq + 1, *ve = e;
		if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"')
			v++, ve--;
		for (const char *c = v; c < ve && ok; c++)
			ok = cookie_octet((unsigned char)*c);
		if (!ok)
			continue;
		char *name = take(req, (size_t)(eq - p) + 1), *value = take(req, (size_t)(ve - v) + 1);
		if (name == NULL || value == NULL)
			return;
		memcpy(name, p, (size_t)(eq - p));
		name[eq - p] = '\0';
		memcpy(value, v, (size_t)(ve - v));
		value[ve - v] = '\0';
		req->cookies[req->ncookies++] = (sasae_http_field){name, value};
	}
}

/* Whether the decoded path has a ".." segment: "/../" inside, or "/.." at the end ("/assets/%2e%2e"). */
static bool has_dot_dot(const char *path)
{
	size_t n = strlen(path);
	return strstr(path, "/../") != NULL || (n >= 3 && strcmp(path + n - 3, "/..") == 0);
}

int sasae_http_request_parse(sasae_http_request *req, const sasae_http_problem **problem)
{
	const char *target = req->target ? req->target : "/";
	/* absolute-form "http://host/path?query" (RFC 9112 §3.2.2: a server must accept it) */
	if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
		const char *slash = strchr(target + (target[4] == ':' ? 7 : 8), '/');
		target = slash ? slash : "/";
	}
	req->resource = target;
	if (req->body_too_large || req->body_len > SASAE_HTTP_MAX_BODY) {
		*problem = &too_large;
		return too_large.status;
	}
	size_t tlen = strlen(target);
	if (tlen > SASAE_HTTP_MAX_TARGET) {
		*problem = &uri_too_long;
		return uri_too_long.status;
	}
	/* one block for every decoded string: path, route arguments, query, cookies, form */
	size_t cookie_len = 0;
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, "Cookie") == 0 && req->headers[i].value)
			cookie_len += strlen(req->headers[i].value) + 2 * SASAE_HTTP_MAX_COOKIES;
	size_t cap = 2 * (tlen + 1) + SASAE_HTTP_MAX_ARGS + 2 * (SASAE_HTTP_MAX_PARAMS + 1) + cookie_len +
		     (req->body ? req->body_len + 2 * (SASAE_HTTP_MAX_PARAMS + 1) : 0);
	if ((req->block_ = malloc(cap)) == NULL) {
		*problem = &no_memory;
		return no_memory.status;
	}
	req->block_cap_ = cap;
	req->block_len_ = 0;
	const char *qmark = memchr(target, '?', tlen);
	size_t plen = qmark ? (size_t)(qmark - target) : tlen;
	if (target[0] != '/' || (req->path = decode(req, target, plen, false)) == NULL ||
	    has_dot_dot(req->path) || strchr(req->path, '\\')) {
		req->path = NULL;
		*problem = &bad_path;
		return bad_path.status;
	}
	if (qmark) {
		int rc = parse_pairs(req, qmark + 1, tlen - plen - 1, req->query, &req->nquery);
		if (rc) {
			*problem = rc == 1 ? &too_many : &bad_encoding;
			return (*problem)->status;
		}
	}
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, "Cookie") == 0 && req->headers[i].value)
			parse_cookies(req, req->headers[i].value);
	return 0;
}

int sasae_http_request_parse_form(sasae_http_request *req, const sasae_http_problem **problem)
{
	if (req->body_too_large || req->body_len > SASAE_HTTP_MAX_BODY) {
		*problem = &too_large;
		return too_large.status;
	}
	req->nform = 0;
	if (req->body == NULL || req->body_len == 0)
		return 0;
	const char *type = sasae_http_header_get(req, "Content-Type");
	size_t tl = type ? strcspn(type, "; \t") : 0;
	if (type == NULL || tl != 33 || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0) {
		*problem = &bad_type;
		return bad_type.status;
	}
	int rc = parse_pairs(req, req->body, req->body_len, req->form, &req->nform);
	if (rc) {
		*problem = rc == 1 ? &too_many_fields : &bad_form;
		return (*problem)->status;
	}
	return 0;
}

void sasae_http_request_clear(sasae_http_request *req)
{
	if (req == NULL)
		return;
	free(req->block_);
	req->block_ = NULL;
	req->block_len_ = req->block_cap_ = 0;
	req->resource = req->path = NULL;
	req->nquery = req->ncookies = req->nargs = req->nform = 0;
}

const char *http_request_copy(sasae_http_request *req, const char *s, size_t n)
{
	char *p = take(req, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

const char *sasae_http_header_get(const sasae_http_request *req, const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

static const char *field_get(const sasae_http_field *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return f[i].value;
	return NULL;
}

const char *sasae_http_query(const sasae_http_request *req, const char *name)
{
	return field_get(req->query, req->nquery, name);
}

size_t sasae_http_query_all(const sasae_http_request *req, const char *name, const char **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].name, name) == 0) {
			if (n < cap)
				out[n] = req->query[i].value;
			n++;
		}
	return n;
}

const char *sasae_http_form(const sasae_http_request *req, const char *name)
{
	return field_get(req->form, req->nform, name);
}

const char *sasae_http_cookie(const sasae_http_request *req, const char *name)
{
	return field_get(req->cookies, req->ncookies, name);
}
