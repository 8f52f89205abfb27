/*
 * http.h — the HTTP layer below the web application (src/http): the request (method, path, decoded
 * query parameters, headers, cookies, a bounded form body), the response (status, headers, body),
 * URL decoding, and a router over a static table of routes whose flags say what the router enforces
 * (caching, sign-in, roles, CSRF).  It knows nothing of plans: the web application (src/web) is a
 * table of routes and handlers over it, and the libmicrohttpd shell (src/web/server.c) only fills a
 * request and sends the response.  Tests and fuzzers call sasae_http_dispatch directly.
 *
 * A request's strings are decoded into one block allocated per request (sasae_http_request_clear
 * frees it); everything else lives in the struct (fixed arrays), so that parsing a request costs one
 * allocation.
 */
#ifndef SASAE_HTTP_H
#define SASAE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/buf.h"

enum {
	SASAE_HTTP_MAX_TARGET = 4096,    /* request target (path and query, encoded): longer → 414 */
	SASAE_HTTP_MAX_PARAMS = 36,      /* query parameters, and form fields (the finder's form: 33 boxes,
					 its text, limit, offset): more → 400 */
	SASAE_HTTP_MAX_COOKIES = 16,     /* cookies read from the Cookie header (more are ignored) */
	SASAE_HTTP_MAX_ARGS = 4,         /* {parameters} of a route pattern */
	SASAE_HTTP_MAX_ARG = 255,        /* bytes of one path parameter (longer: the route does not match) */
	SASAE_HTTP_MAX_BODY = 64 * 1024, /* request body kept: larger → 413 */
	SASAE_HTTP_MAX_HEADERS = 16,     /* response headers */
};

/* A name and a value (a header, a decoded parameter, a cookie); strings borrowed. */
typedef struct sasae_http_field {
	const char *name;
	const char *value;
} sasae_http_field;

/*
 * A request.  The caller (the server shell, a test, a fuzzer) fills the first group, zeroes the rest
 * (`sasae_http_request req = {.method = "GET", .target = "/"}`), and after sasae_http_dispatch (or
 * sasae_http_request_parse) calls sasae_http_request_clear.  Strings of the second group are
 * decoded, valid UTF-8 without NUL, and live until the clear.
 */
typedef struct sasae_http_request {
	/* given */
	const char *method;              /* "GET", "HEAD", "OPTIONS", "POST", … */
	const char *target;              /* the raw request target: path and query, percent-encoded */
	const sasae_http_field *headers; /* request headers as received (names in any case); borrowed */
	size_t nheaders;
	const char *body; /* the body received (at most SASAE_HTTP_MAX_BODY bytes), or NULL */
	size_t body_len;
	bool body_too_large;     /* the body was longer than SASAE_HTTP_MAX_BODY (→ 413) */
	const char *remote_addr; /* the client's IP address as text ("192.0.2.1", "::1"), or NULL */
	void *app_data;          /* the caller's per-request state, handed to handlers untouched (the web
				    application keeps the signed-in session there); may be NULL */

	/* filled by sasae_http_request_parse */
	const char *resource; /* target in origin-form ("/path?query", absolute-form cut), encoded */
	const char *path;     /* the decoded path ("/programs/p0001") */
	sasae_http_field query[SASAE_HTTP_MAX_PARAMS]; /* decoded query parameters, in request order */
	size_t nquery;
	sasae_http_field cookies[SASAE_HTTP_MAX_COOKIES]; /* from the Cookie header (values unquoted) */
	size_t ncookies;
	/* filled by the router */
	const struct sasae_http_route *route;  /* the route matched (its table entry), or NULL */
	const char *args[SASAE_HTTP_MAX_ARGS]; /* the route's {parameters}, decoded, in pattern order */
	size_t nargs;
	sasae_http_field form[SASAE_HTTP_MAX_PARAMS]; /* decoded form fields (routes other than GET) */
	size_t nform;

	char *block_; /* private: the one allocation the decoded strings live in */
	size_t block_len_, block_cap_;
} sasae_http_request;

/* A response (the caller zero-initialises it and frees it with sasae_http_response_clear). */
typedef struct sasae_http_response {
	int status;
	const char *content_type; /* static string, or NULL */
	sasae_buf body;
	struct {
		const char *name; /* static string */
		char value[512];
	} headers[SASAE_HTTP_MAX_HEADERS];
	size_t nheaders;
	bool head; /* HEAD (or 304): send the headers of the GET, not the body */
} sasae_http_response;

/* Why a request is refused before any handler runs (static strings; Japanese title and detail). */
typedef struct sasae_http_problem {
	int status;       /* 400, 401, 403, 404, 405, 413, 414, 415, 500 */
	const char *code; /* stable code for problem+json ("bad-path", "method-not-allowed", …) */
	const char *title;
	const char *detail;
} sasae_http_problem;

/* ---- requests ---- */

/*
 * Percent-decode s[0..n) into out (room for n+1 bytes; NUL-terminated); '+' is a space when
 * plus_space.  Returns the decoded length, or -1 when an escape is malformed or the result is not
 * valid UTF-8 or holds a NUL.
 */
long sasae_http_url_decode(char *out, const char *s, size_t n, bool plus_space);

/*
 * Parse the given part of req: origin-form target, decoded path (no ".." segment, no backslash), query
 * parameters (application/x-www-form-urlencoded: percent and plus decoded, repeated keys kept, at
 * most SASAE_HTTP_MAX_PARAMS), cookies (RFC 6265 pairs; a malformed pair is skipped, a quoted value
 * unquoted).  Returns 0, or the problem to answer (*problem set: 400, 413, 414, 500 on OOM).
 */
int sasae_http_request_parse(sasae_http_request *req, const sasae_http_problem **problem);

/*
 * Parse req's body as an application/x-www-form-urlencoded form into req->form (after
 * sasae_http_request_parse).  An empty body is an empty form.  Returns 0, or the problem: 413 (over
 * the cap), 415 (another Content-Type), 400 (bad encoding, invalid UTF-8, too many fields).
 */
int sasae_http_request_parse_form(sasae_http_request *req, const sasae_http_problem **problem);

/* Free what parsing allocated (req's given fields are left as they are; NULL-safe). */
void sasae_http_request_clear(sasae_http_request *req);

/* The value of header name (case-insensitive), or NULL. */
const char *sasae_http_header_get(const sasae_http_request *req, const char *name);
/* The first value of query parameter name, or NULL. */
const char *sasae_http_query(const sasae_http_request *req, const char *name);
/* Every value of query parameter name in request order: up to cap into out (borrowed); returns how
   many there are (may be more than cap). */
size_t sasae_http_query_all(const sasae_http_request *req, const char *name, const char **out, size_t cap);
/* The first value of form field name, or NULL. */
const char *sasae_http_form(const sasae_http_request *req, const char *name);
/* The value of cookie name (the first of that name), or NULL. */
const char *sasae_http_cookie(const sasae_http_request *req, const char *name);

/* ---- responses ---- */

/* Add a header: name is a static string, the value is formatted and copied (cut at 511 bytes); a
   17th header is dropped. */
void sasae_http_header(sasae_http_response *res, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* The value of the response's header name (case-sensitive, as added), or NULL. */
const char *sasae_http_response_header(const sasae_http_response *res, const char *name);
/* Free the body and zero res (NULL-safe). */
void sasae_http_response_clear(sasae_http_response *res);

/* ---- the router ---- */

/* What a route asks of the router (sasae_http_route.flags). */
enum {
	SASAE_ROUTE_NO_STORE = 1u << 0,      /* private data: `Cache-Control: private, no-store` on every
						answer, no ETag */
	SASAE_ROUTE_QUERY_PRIVATE = 1u << 1, /* the query describes a person: `Cache-Control: no-store` on
						every answer (errors too); ETag kept */
	SASAE_ROUTE_LONG_CACHE = 1u << 2,    /* a static file: `Cache-Control: public, max-age=86400` */
	SASAE_ROUTE_SIGNED_IN = 1u << 3,     /* only for a signed-in person (the authorizer says) */
	SASAE_ROUTE_CSRF = 1u << 4,          /* a write: the authorizer checks the CSRF token */
	SASAE_ROUTE_ROLE_SHIFT = 8,          /* bits 8–15: roles, any of which may use the route */
	SASAE_ROUTE_ROLE_MASK = 0xffu << 8,
};
/* The flag bit of role n (0–7). */
#define SASAE_ROUTE_ROLE(n) (1u << (SASAE_ROUTE_ROLE_SHIFT + (n)))
/* Without flags a 200 gets an ETag and `Cache-Control: public, max-age=300`. */

typedef struct sasae_http_ctx sasae_http_ctx;

/* A route handler: fills x->res (status, content type, body, headers). */
typedef void (*sasae_http_handler)(sasae_http_ctx *x);

/* A route: a static table of these, with designated initialisers. */
typedef struct sasae_http_route {
	const char *method; /* "GET" (HEAD and OPTIONS follow), "POST", … */
	const char *path;   /* "/programs/{id}": literal, or {name} for one whole segment */
	sasae_http_handler handler;
	unsigned flags;   /* SASAE_ROUTE_* */
	const char *help; /* what the route is for (docs, --help-like listings) */
} sasae_http_route;

/*
 * The router's configuration (one per application, immutable while serving).  error renders every
 * answer the router gives itself (400, 401, 403, 404, 405, 413, 414, 415) the way the application
 * answers errors.  authorize decides routes with SASAE_ROUTE_SIGNED_IN, a role or SASAE_ROUTE_CSRF:
 * it returns 0 (go on), 401 or 403; without one such routes get 401 (sign-in) or 403 (role, CSRF).
 */
typedef struct sasae_http_router {
	const sasae_http_route *routes;
	size_t nroutes;
	void *app;                   /* handed to handlers in sasae_http_ctx */
	const char *security_policy; /* Content-Security-Policy of every response */
	void (*error)(sasae_http_ctx *x, const sasae_http_problem *p);
	int (*authorize)(sasae_http_ctx *x, unsigned flags);
	bool (*is_api)(const sasae_http_request *req); /* CORS on OPTIONS (NULL: never) */
	/* Whether a request is a person's own (it carries a session cookie): when true, every route
	   answers as with SASAE_ROUTE_NO_STORE (`Cache-Control: private, no-store`, no ETag), so that
	   no shared cache keeps it and no public entry is reused for it.  NULL: never. */
	bool (*is_private)(const sasae_http_request *req);
} sasae_http_router;

/* A request being handled, as handlers, the error renderer and the authorizer see it. */
struct sasae_http_ctx {
	const sasae_http_router *router;
	void *app;                     /* router->app */
	const sasae_http_route *route; /* the route matched, or NULL (an answer of the router's own) */
	sasae_http_request *req;
	sasae_http_response *res;
};

/*
 * Handle one request (thread-safe when the handlers are): security headers, parsing (→ 400/413/414),
 * OPTIONS (204 with Allow, and CORS when router->is_api says so), the route (404; 405 with Allow),
 * the form of a route other than GET (413/415/400), sign-in/role/CSRF through the authorizer
 * (401/403; it sees the form, so it can check a CSRF token), the handler; then for a 200: ETag
 * (If-None-Match → 304) and Cache-Control from the route's flags (SASAE_ROUTE_NO_STORE for every
 * route when router->is_private says so).
 * HEAD is the GET without the body.  res must be zero-initialised; the caller clears req and res.
 */
void sasae_http_dispatch(const sasae_http_router *router, sasae_http_request *req, sasae_http_response *res);

#endif
