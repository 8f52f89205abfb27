/*
 * server.c — the libmicrohttpd shell around sasae_web_handle: a thread pool on epoll, limits on
 * connections, header and URL size, an access log line per request (no query strings unless asked:
 * queries can describe a resident's situation), a graceful stop on SIGINT/SIGTERM, and SIGHUP to
 * build the served site again (sasae_web_reload).  It only
 * fills a sasae_http_request (the raw target, the headers, the body up to SASAE_HTTP_MAX_BODY
 * through MHD's upload callbacks) and sends the sasae_http_response; everything else is the
 * router's (include/http/sasae/http.h) and the application's.
 */
#include "sasae/web.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stddef.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sasae/dynlib.h"

/* libmicrohttpd is loaded when the server starts, not linked (include/util/sasae/dynlib.h): the functions
   this file calls, through the table mhd. */
#ifndef SASAE_MHD_SONAME
#define SASAE_MHD_SONAME "libmicrohttpd.so"
#endif
#define MHD_FUNCTIONS(X)                   \
	X(MHD_start_daemon)                \
	X(MHD_quiesce_daemon)              \
	X(MHD_stop_daemon)                 \
	X(MHD_get_connection_values)       \
	X(MHD_get_connection_info)         \
	X(MHD_create_response_from_buffer) \
	X(MHD_add_response_header)         \
	X(MHD_queue_response)              \
	X(MHD_destroy_response)
#define MHD_FIELD(f) __typeof__(f) *f;
static struct mhd_api {
	MHD_FUNCTIONS(MHD_FIELD)
} mhd;
#define MHD_SYM(f) {#f, offsetof(struct mhd_api, f)},
static const sasae_dynsym mhd_syms[] = {MHD_FUNCTIONS(MHD_SYM)};
static sasae_dynlib mhd_lib = {"libmicrohttpd",
			       SASAE_MHD_SONAME,
			       "sasae serve（ウェブサーバー）",
			       mhd_syms,
			       sizeof mhd_syms / sizeof mhd_syms[0],
			       &mhd,
			       false,
			       NULL};

enum {
	MAX_REQUEST_HEADERS = 64,      /* headers handed to the application (more: ignored) */
	CONNECTION_MEMORY = 32 * 1024, /* per connection: request line + headers (MHD answers 431/414) */
	CONNECTION_TIMEOUT_SECONDS = 30,
	DRAIN_SECONDS = 10,
};

/* Per request: the raw URI (from MHD's URI log callback), when it started, and the body received
   (kept up to SASAE_HTTP_MAX_BODY bytes; body_total counts them all). */
typedef struct request_state {
	char *uri;
	struct timespec start;
	bool started;
	sasae_buf body;
	size_t body_total;
} request_state;

typedef struct server {
	sasae_web *web;
	const sasae_serve_options *opt;
	void (*log_line)(const char *line);
	atomic_size_t inflight; /* requests begun (request line read) and not yet completed */
} server;

/* MHD calls this when a request line has been read: the request is in flight from here until
   completed() (MHD calls it for every request it told us about, whether answered or aborted). */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)con;
	server *s = cls;
	request_state *r = calloc(1, sizeof *r);
	if (r) {
		r->uri = strdup(uri ? uri : "/");
		clock_gettime(CLOCK_MONOTONIC, &r->start);
		atomic_fetch_add(&s->inflight, 1);
	}
	return r;
}

static void completed(void *cls, struct MHD_Connection *con, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)con;
	(void)toe;
	server *s = cls;
	request_state *r = *con_cls;
	if (r) {
		free(r->uri);
		sasae_buf_free(&r->body);
		free(r);
		atomic_fetch_sub(&s->inflight, 1);
	}
	*con_cls = NULL;
}

static void access_log(server *s, const char *method, const char *uri, int status, size_t bytes,
		       const struct timespec *start)
{
	if (s->opt->quiet || s->log_line == NULL)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double ms =
		(double)(now.tv_sec - start->tv_sec) * 1000.0 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
	size_t plen = strcspn(uri, "?");
	char line[1024];
	if ((s->opt->log_queries && sasae_web_query_loggable(uri)) || uri[plen] == '\0')
		snprintf(line, sizeof line, "%s %.900s %d %zu %.1fms", method, uri, status, bytes, ms);
	else /* the path only: the query may say something about a person */
		snprintf(line, sizeof line, "%s %.*s?… %d %zu %.1fms", method, (int)(plen > 900 ? 900 : plen),
			 uri, status, bytes, ms);
	s->log_line(line);
}

static enum MHD_Result send_response(struct MHD_Connection *con, const sasae_http_response *res)
{
	static char empty[1];
	struct MHD_Response *r =
		mhd.MHD_create_response_from_buffer(res->body.len, res->body.data ? res->body.data : empty,
						    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (res->content_type)
		mhd.MHD_add_response_header(r, "Content-Type", res->content_type);
	for (size_t i = 0; i < res->nheaders; i++)
		mhd.MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	enum MHD_Result ok = mhd.MHD_queue_response(con, (unsigned int)res->status, r);
	mhd.MHD_destroy_response(r);
	return ok;
}

/* The request's headers into a fixed array (MHD_KeyValueIterator). */
typedef struct header_list {
	sasae_http_field fields[MAX_REQUEST_HEADERS];
	size_t n;
} header_list;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	header_list *h = cls;
	if (h->n < MAX_REQUEST_HEADERS && key)
		h->fields[h->n++] = (sasae_http_field){key, value ? value : ""};
	return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size,
			      void **con_cls)
{
	(void)url;
	(void)version;
	server *s = cls;
	request_state *r = *con_cls;
	if (r == NULL || r->uri == NULL)
		return MHD_NO;
	if (!r->started) { /* first call: headers only */
		r->started = true;
		return MHD_YES;
	}
	if (*upload_data_size) { /* a body: kept up to the cap, counted whole */
		size_t room = r->body_total < SASAE_HTTP_MAX_BODY ? SASAE_HTTP_MAX_BODY - r->body_total : 0;
		sasae_buf_append(&r->body, upload_data, *upload_data_size < room ? *upload_data_size : room);
		r->body_total += *upload_data_size;
		*upload_data_size = 0;
		return MHD_YES;
	}
	header_list headers = {.n = 0};
	mhd.MHD_get_connection_values(con, MHD_HEADER_KIND, collect_header, &headers);
	char addr[INET6_ADDRSTRLEN + 1] = ""; /* the client's address, for the audit log and lockout */
	const union MHD_ConnectionInfo *ci =
		mhd.MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		socklen_t alen = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
									: sizeof(struct sockaddr_in);
		if (getnameinfo(ci->client_addr, alen, addr, sizeof addr, NULL, 0, NI_NUMERICHOST) != 0)
			addr[0] = '\0';
	}
	sasae_http_request req = {.method = method,
				  .target = r->uri,
				  .headers = headers.fields,
				  .nheaders = headers.n,
				  .body = r->body_total ? r->body.data : NULL,
				  .body_len = r->body.len,
				  .body_too_large =
					  r->body_total > SASAE_HTTP_MAX_BODY || !sasae_buf_ok(&r->body),
				  .remote_addr = addr[0] ? addr : NULL};
	sasae_http_response res = {0};
	sasae_web_handle(s->web, &req, &res);
	enum MHD_Result ok = send_response(con, &res);
	access_log(s, method, r->uri, res.status, res.head ? 0 : res.body.len, &r->start);
	sasae_http_response_clear(&res);
	sasae_http_request_clear(&req);
	return ok;
}

int sasae_web_serve(sasae_web *w, const sasae_serve_options *opt, void (*log_line)(const char *line),
		    void (*on_ready)(const char *url), sasae_error *err)
{
	if (sasae_dynlib_load(&mhd_lib, err))
		return err->code;
	const char *bind = opt->bind ? opt->bind : "127.0.0.1";
	int port = opt->port ? opt->port : 8080;
	struct addrinfo hints = {0}, *ai = NULL;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	char portstr[16];
	snprintf(portstr, sizeof portstr, "%d", port);
	if (getaddrinfo(bind, portstr, &hints, &ai) != 0 || ai == NULL)
		return sasae_error_set(err, SASAE_EUSAGE, NULL, 0,
				       "待ち受けるアドレス「%s」が正しくありません（例: 127.0.0.1、::1）",
				       bind);
	/* SIGINT and SIGTERM are waited for in this thread; the server's threads inherit the mask. */
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	signal(SIGPIPE, SIG_IGN);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int threads = (unsigned int)(opt->threads > 0 ? opt->threads : (cpus > 0 ? cpus : 2));
	server s = {.web = w, .opt = opt, .log_line = log_line};
	atomic_init(&s.inflight, 0);
	/* MHD_USE_ITC: without it MHD_quiesce_daemon refuses in this threading mode, and the server
	   would go on accepting connections while it drains. */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			     (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	struct MHD_Daemon *d =
		mhd.MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, &s, MHD_OPTION_SOCK_ADDR,
				     ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, threads,
				     MHD_OPTION_CONNECTION_LIMIT,
				     (unsigned int)(opt->max_connections > 0 ? opt->max_connections : 256),
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				     (unsigned int)(opt->per_ip_connections > 0 ? opt->per_ip_connections : 0),
				     MHD_OPTION_CONNECTION_TIMEOUT,
				     (unsigned int)(opt->connection_timeout > 0 ? opt->connection_timeout
										: CONNECTION_TIMEOUT_SECONDS),
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
				     MHD_OPTION_URI_LOG_CALLBACK, uri_logger, &s, MHD_OPTION_NOTIFY_COMPLETED,
				     completed, &s, MHD_OPTION_END);
	int family = ai->ai_family;
	freeaddrinfo(ai);
	if (d == NULL) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return sasae_error_set(err, SASAE_EIO, NULL, 0,
				       "%s のポート %d で待ち受けられません（使用中か、権限がありません）。--port で別のポートを指定してください",
				       bind, port);
	}
	if (on_ready) {
		char url[128];
		snprintf(url, sizeof url, family == AF_INET6 ? "http://[%s]:%d/" : "http://%s:%d/",
			 strcmp(bind, "0.0.0.0") == 0 ? "127.0.0.1" : bind, port);
		on_ready(url);
	}
	/* SIGHUP: build what is served again from the database (a version published or a data file
	   changed by another process: the CLI, another server), and go on serving */
	int sig = 0;
	while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP) {
		sasae_error rerr = {0};
		char line[700];
		if (sasae_web_reload(w, &rerr) == 0)
			snprintf(line, sizeof line,
				 "sasae: SIGHUP: 公開する版とデータファイルを読み込み直しました");
		else
			snprintf(line, sizeof line,
				 "sasae: SIGHUP: 読み込み直せませんでした（前の内容のまま）: %s", rerr.message);
		if (log_line)
			log_line(line);
	}
	/* Graceful stop: no new connections; in-flight requests finish (bounded; a second signal
	   stops at once).  Idle keep-alive connections are not waited for (MHD_stop_daemon closes them). */
	MHD_socket listen = mhd.MHD_quiesce_daemon(d);
	const struct timespec tick = {0, 100 * 1000 * 1000};
	sigset_t stop = sigs; /* a second SIGINT or SIGTERM stops at once; a SIGHUP now is ignored */
	sigdelset(&stop, SIGHUP);
	for (int i = 0; i < DRAIN_SECONDS * 10; i++) {
		if (atomic_load(&s.inflight) == 0 || sigtimedwait(&stop, NULL, &tick) > 0)
			break;
	}
	mhd.MHD_stop_daemon(d);
	if (listen != MHD_INVALID_SOCKET)
		close(listen);
	/* consume signals still pending, or restoring the mask would let them kill the process */
	const struct timespec none = {0, 0};
	while (sigtimedwait(&sigs, NULL, &none) > 0)
		;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}
