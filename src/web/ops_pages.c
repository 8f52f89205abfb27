/*
 * ops_pages.c — what monitoring reads (docs/operations.md): /healthz, whether the store answers a
 * trivial query, and /metrics, counters in the Prometheus text exposition format 0.0.4: requests by
 * route pattern (the route table's path, never the URL asked for: a query can describe a
 * resident), method and status class, a latency histogram, requests in flight, uptime, the
 * database's size and the build.  The counters are relaxed atomics updated by every request
 * (web_metrics_record) without a lock.  /metrics answers loopback clients, and the one address
 * `sasae serve --metrics-from` names; anyone else gets the 404 of an unknown page.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "page.h"
#include "pages.h"
#include "sasae/buf.h"

#ifndef SASAE_VERSION
#define SASAE_VERSION "unknown"
#endif

/* Upper bounds of the latency buckets, in seconds (the last bucket is +Inf). */
static const double latency_bounds[WEB_LATENCY_BUCKETS - 1] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
							       0.5,   1.0,  2.5,   5.0,  10.0};

void web_metrics_record(web_metrics *m, size_t route, int status, const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t us = (int64_t)(now.tv_sec - start->tv_sec) * 1000000 + (now.tv_nsec - start->tv_nsec) / 1000;
	if (us < 0)
		us = 0;
	size_t b = 0;
	while (b < WEB_LATENCY_BUCKETS - 1 && (double)us / 1e6 > latency_bounds[b])
		b++;
	int cls = status / 100 - 1;
	if (cls < 0 || cls > 4)
		cls = 4;
	if (route >= WEB_METRIC_ROUTES)
		route = WEB_METRIC_ROUTES - 1;
	atomic_fetch_add_explicit(&m->requests[route][cls], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->latency[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->latency_us, (uint_fast64_t)us, memory_order_relaxed);
}

void web_page_healthz(web_ctx *c)
{
	const web_site *site = c->app;
	sasae_error err = {0};
	sasae_store *s = web_thread_store(site, &err);
	bool ok = s != NULL && sasae_store_ping(s, &err) == 0;
	c->res->status = ok ? 200 : 503;
	c->res->content_type = "text/plain; charset=utf-8";
	sasae_buf_clear(&c->res->body);
	sasae_buf_puts(&c->res->body, ok ? "ok\n" : "unavailable\n");
	/* Cache-Control: private, no-store from the route's flag */
}

/* Whether the client may read /metrics: loopback, the --metrics-from address, or an in-process
   caller (no address: tests and fuzzers). */
static bool metrics_allowed(const web_ctx *c)
{
	const char *a = c->req->remote_addr;
	const sasae_web *w = ((const web_site *)c->app)->web;
	if (a == NULL || strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0 ||
	    strncmp(a, "::ffff:127.", 11) == 0)
		return true;
	return w->metrics_from != NULL && strcmp(a, w->metrics_from) == 0;
}

/* A label value with \, " and newline escaped (the format's rules). */
static void label(sasae_buf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			sasae_buf_appendf(out, "\\%c", *v);
		else if (*v == '\n')
			sasae_buf_puts(out, "\\n");
		else
			sasae_buf_append(out, v, 1);
	}
}

/* The size of file path + suffix in bytes (0 when it does not exist). */
static long long file_size(const char *path, const char *suffix)
{
	char p[4096];
	struct stat st;
	if ((size_t)snprintf(p, sizeof p, "%s%s", path, suffix) >= sizeof p || stat(p, &st) != 0)
		return 0;
	return (long long)st.st_size;
}

void web_page_metrics(web_ctx *c)
{
	if (!metrics_allowed(c)) {
		web_fail(c, 404, "not-found", "ページが見つかりません", "このアドレスのページはありません。");
		return;
	}
	const web_site *site = c->app;
	sasae_web *w = site->web;
	web_metrics *m = &w->metrics;
	sasae_buf *o = &c->res->body;
	sasae_buf_clear(o);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double uptime =
		(double)(now.tv_sec - m->started.tv_sec) + (double)(now.tv_nsec - m->started.tv_nsec) / 1e9;

	sasae_buf_puts(o, "# HELP sasae_build_info The sasae build serving (always 1).\n"
			  "# TYPE sasae_build_info gauge\n"
			  "sasae_build_info{version=\"");
	label(o, SASAE_VERSION);
	sasae_buf_puts(o, "\"} 1\n");
	sasae_buf_appendf(o,
			  "# HELP sasae_start_time_seconds When the server started (Unix time).\n"
			  "# TYPE sasae_start_time_seconds gauge\n"
			  "sasae_start_time_seconds %lld\n"
			  "# HELP sasae_uptime_seconds Seconds since the server started.\n"
			  "# TYPE sasae_uptime_seconds gauge\n"
			  "sasae_uptime_seconds %.3f\n",
			  (long long)m->started_unix, uptime);
	sasae_buf_appendf(o,
			  "# HELP sasae_http_requests_in_flight Requests being answered now (this one included).\n"
			  "# TYPE sasae_http_requests_in_flight gauge\n"
			  "sasae_http_requests_in_flight %ld\n",
			  atomic_load_explicit(&m->inflight, memory_order_relaxed));
	sasae_buf_appendf(o,
			  "# HELP sasae_database_bytes Size of the database's files (main file, write-ahead log).\n"
			  "# TYPE sasae_database_bytes gauge\n"
			  "sasae_database_bytes{file=\"main\"} %lld\n"
			  "sasae_database_bytes{file=\"wal\"} %lld\n",
			  file_size(w->db_path, ""), file_size(w->db_path, "-wal"));

	sasae_buf_puts(o, "# HELP sasae_http_requests_total Requests answered, by route pattern (the route table's "
			  "path, never the address asked for), method and status class.\n"
			  "# TYPE sasae_http_requests_total counter\n");
	size_t nroutes;
	const sasae_http_route *routes = web_route_table(&nroutes);
	static const char *const classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
	for (size_t r = 0; r < WEB_METRIC_ROUTES; r++) {
		if (r >= nroutes && r != WEB_METRIC_ROUTES - 1)
			continue;
		for (size_t k = 0; k < 5; k++) {
			uint_fast64_t n = atomic_load_explicit(&m->requests[r][k], memory_order_relaxed);
			if (n == 0)
				continue;
			sasae_buf_puts(o, "sasae_http_requests_total{route=\"");
			label(o, r < nroutes ? routes[r].path : "(none)");
			sasae_buf_puts(o, "\",method=\"");
			label(o, r < nroutes ? routes[r].method : "");
			sasae_buf_appendf(o, "\",code=\"%s\"} %llu\n", classes[k], (unsigned long long)n);
		}
	}

	sasae_buf_puts(o, "# HELP sasae_http_request_duration_seconds Time from a request reaching the application "
			  "to its answer.\n"
			  "# TYPE sasae_http_request_duration_seconds histogram\n");
	unsigned long long cumulative = 0;
	for (size_t b = 0; b < WEB_LATENCY_BUCKETS; b++) {
		cumulative += (unsigned long long)atomic_load_explicit(&m->latency[b], memory_order_relaxed);
		if (b < WEB_LATENCY_BUCKETS - 1)
			sasae_buf_appendf(o, "sasae_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
					  latency_bounds[b], cumulative);
		else
			sasae_buf_appendf(o, "sasae_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
					  cumulative);
	}
	sasae_buf_appendf(o,
			  "sasae_http_request_duration_seconds_sum %.6f\n"
			  "sasae_http_request_duration_seconds_count %llu\n",
			  (double)atomic_load_explicit(&m->latency_us, memory_order_relaxed) / 1e6, cumulative);
	if (!sasae_buf_ok(o)) {
		web_fail(c, 500, "internal", "内部エラー", "メモリが足りません。");
		return;
	}
	c->res->status = 200;
	c->res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
