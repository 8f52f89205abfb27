/*
 * web.h — the web application: a function from a request to a response (sasae_web_handle), and
 * the libmicrohttpd server around it (sasae_web_serve).  Tests and fuzzers call the function
 * directly; integration tests drive the real server over a socket.
 */
#ifndef SASAE_WEB_H
#define SASAE_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/buf.h"
#include "sasae/error.h"

typedef struct sasae_web sasae_web;

/* A request as the application sees it (all strings borrowed). */
typedef struct sasae_http_request {
	const char *method;        /* "GET", "HEAD", "OPTIONS", … */
	const char *target;        /* the raw request target: path and query, still percent-encoded */
	const char *if_none_match; /* If-None-Match header, or NULL */
	const char *origin;        /* Origin header, or NULL */
	const char *host;          /* Host header, or NULL (the finder's print view: its QR code's address) */
} sasae_http_request;

enum { SASAE_MAX_HEADERS = 12 };

/* A response (owned by the caller; free with sasae_http_response_clear). */
typedef struct sasae_http_response {
	int status;
	const char *content_type;
	sasae_buf body;
	struct {
		const char *name;
		char value[512];
	} headers[SASAE_MAX_HEADERS];
	size_t nheaders;
	bool head; /* HEAD: send the headers of the GET, no body */
} sasae_http_response;

/* Server options. */
typedef struct sasae_serve_options {
	const char *bind;    /* address, default "127.0.0.1" */
	int port;            /* default 8080 */
	int threads;         /* worker threads, default: number of CPUs */
	int max_connections; /* default 256 */
	bool log_queries;    /* log query strings (off: they can describe a resident's situation) */
	bool quiet;          /* no access log */
} sasae_serve_options;

/* The application over the database at db_path (opened read-only per worker thread); plan spec
   as --plan (NULL: the plan imported last).  Returns 0, SASAE_ENOTFOUND, SASAE_EDB, SASAE_ENOMEM. */
int sasae_web_new(sasae_web **out, const char *db_path, const char *plan_spec, sasae_error *err);
void sasae_web_free(sasae_web *w);

/* The site's public address ("https://sasae.example.jp", `sasae serve --public-url`), for the absolute
   links the pages print (the QR code of /finder/print); without it they are made from the request's
   Host header.  Copied.  Returns 0, or SASAE_EUSAGE when url is not http(s)://host[:port][/path]. */
int sasae_web_set_public_url(sasae_web *w, const char *url, sasae_error *err);

/* Whether the access log may write the query string of this request target (with --log-queries):
   false for the finder's pages and API (/finder…, /api/v1/finder), whose queries describe a
   person's situation and are never logged. */
bool sasae_web_query_loggable(const char *target);

/* Handle one request (thread-safe).  res must be zero-initialised; the caller clears it. */
void sasae_web_handle(sasae_web *w, const sasae_http_request *req, sasae_http_response *res);
void sasae_http_response_clear(sasae_http_response *res);
/* Add a header (the value is copied, cut at 511 bytes). */
void sasae_http_header(sasae_http_response *res, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/*
 * Serve until SIGINT or SIGTERM (in-flight requests finish).  Prints nothing itself but the access
 * log through log_line (may be NULL) — the CLI passes a function writing to stderr.
 * Returns 0, SASAE_EIO (the address could not be bound; err says which and why), or
 * SASAE_EUNAVAILABLE (libmicrohttpd, loaded at this first call, is missing: include/sasae/dynlib.h).
 */
int sasae_web_serve(sasae_web *w, const sasae_serve_options *opt, void (*log_line)(const char *line),
		    void (*on_ready)(const char *url), sasae_error *err);

#endif
