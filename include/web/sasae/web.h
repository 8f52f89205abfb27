/*
 * web.h — the web application: a function from a request to a response (sasae_web_handle, over
 * the HTTP layer of include/http/sasae/http.h), and the libmicrohttpd server around it
 * (sasae_web_serve).  Tests and fuzzers call the function directly; integration tests drive the
 * real server over a socket.
 */
#ifndef SASAE_WEB_H
#define SASAE_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "sasae/accounts.h"
#include "sasae/error.h"
#include "sasae/http.h"

typedef struct sasae_web sasae_web;

/* Server options. */
typedef struct sasae_serve_options {
	const char *bind;       /* address, default "127.0.0.1" */
	int port;               /* default 8080 */
	int threads;            /* worker threads, default: number of CPUs */
	int max_connections;    /* default 256 */
	bool log_queries;       /* log query strings (off: they can describe a resident's situation) */
	bool quiet;             /* no access log */
	int per_ip_connections; /* connections from one address at once (0: no limit, the default) */
	int connection_timeout; /* seconds before an idle connection is closed (0: 30) */
} sasae_serve_options;

/* The application over the database at db_path: public pages read through one read-only
   connection per worker thread, sign-in and the workspace through one read-write connection per
   worker thread (opened at its first such request; docs/office.md).  The database is opened for
   writing once here, which brings its schema up to date; when that fails (a read-only file) the
   public pages are served and the workspace answers 503.  plan_spec as --plan: "slug@N" pins that
   version; "slug" or NULL (the plan imported last) serves the version the office published, else
   the latest.  Returns 0, SASAE_ENOTFOUND, SASAE_EDB, SASAE_ENOMEM. */
int sasae_web_new(sasae_web **out, const char *db_path, const char *plan_spec, sasae_error *err);
void sasae_web_free(sasae_web *w);

/* The site's public address ("https://sasae.example.jp", `sasae serve --public-url`), for the absolute
   links the pages print (the QR code of /finder/print); without it they are made from the request's
   Host header.  Copied.  Returns 0, or SASAE_EUSAGE when url is not http(s)://host[:port][/path]. */
int sasae_web_set_public_url(sasae_web *w, const char *url, sasae_error *err);

/* The limits of sessions and failed sign-ins (default sasae_login_policy_default(); `sasae serve
   --session-idle/--session-max`).  Call before serving. */
void sasae_web_set_login_policy(sasae_web *w, const sasae_login_policy *p);

/* Let the client at address addr ("192.0.2.10", as the server sees it) read /metrics besides
   loopback clients (`sasae serve --metrics-from`); copied.  Call before serving. */
int sasae_web_set_metrics_from(sasae_web *w, const char *addr, sasae_error *err);

/* Build what is served again from the database (the published version, the finder's data files)
   and swap it in; requests in flight finish with what they started with.  The workspace calls it
   after each change that the public pages show; `sasae serve` on SIGHUP (changes made by another
   process: the CLI, another server).  Returns 0 or the error of loading (the old site stays). */
int sasae_web_reload(sasae_web *w, sasae_error *err);

/* Whether the access log may write the query string of this request target (with --log-queries):
   false for the finder's pages and API (/finder…, /api/v1/finder), whose queries describe a
   person's situation and are never logged. */
bool sasae_web_query_loggable(const char *target);

/* Handle one request (thread-safe): sasae_http_dispatch with the application's route table
   (src/web/app.c).  req has its given fields filled and the rest zero; res is zero-initialised; the
   caller clears both (sasae_http_request_clear, sasae_http_response_clear). */
void sasae_web_handle(sasae_web *w, sasae_http_request *req, sasae_http_response *res);

/*
 * Serve until SIGINT or SIGTERM (in-flight requests finish); on SIGHUP, sasae_web_reload and go on.
 * Prints nothing itself but the access log and the SIGHUP outcome through log_line (may be NULL) —
 * the CLI passes a function writing to stderr.
 * Returns 0, SASAE_EIO (the address could not be bound; err says which and why), or
 * SASAE_EUNAVAILABLE (libmicrohttpd, loaded at this first call, is missing: include/util/sasae/dynlib.h).
 */
int sasae_web_serve(sasae_web *w, const sasae_serve_options *opt, void (*log_line)(const char *line),
		    void (*on_ready)(const char *url), sasae_error *err);

#endif
