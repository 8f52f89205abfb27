/*
 * encoding.c — content coding of responses (RFC 9110 §8.4, §12.5.3): gzip with zlib when the client
 * accepts it and the body is text worth compressing.  The router decides once per response
 * (http_gzip_wanted), so that the ETag can name the coded representation, and codes the body last
 * (http_gzip_apply).  Compression is per response and keeps nothing: no query is cached.
 */
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "http_internal.h"

/* Bodies smaller than this are sent as they are: the gzip frame and the work are not worth it. */
enum { GZIP_MIN_BYTES = 1024 };

/* Whether content type t is text that compresses (HTML, CSS, JS, JSON, CSV, SVG, plain text). */
bool http_compressible_type(const char *t)
{
	if (t == NULL)
		return false;
	static const char *const types[] = {"text/",
					    "application/json",
					    "application/problem+json",
					    "application/ld+json",
					    "application/javascript",
					    "image/svg+xml"};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strncmp(t, types[i], strlen(types[i])) == 0)
			return true;
	return false;
}

/* The q-value of one Accept-Encoding member (";q=0.5"); 1 without one, 0 for a malformed one. */
static double qvalue(const char *p, const char *end)
{
	const char *q = p;
	while (q < end && (q = memchr(q, ';', (size_t)(end - q))) != NULL) {
		q++;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
			q += 2;
			if (q < end && *q == '1')
				return 1;
			if (q < end && *q == '0') {
				q++;
				if (q < end && *q == '.')
					for (q++; q < end && *q >= '0' && *q <= '9'; q++)
						if (*q != '0')
							return 0.5; /* some weight above zero */
				return 0;
			}
			return 0;
		}
	}
	return 1;
}

/* Whether header (an Accept-Encoding value) accepts gzip: "gzip", "x-gzip" or "*" with a q above 0,
   unless gzip itself is given q=0. */
bool http_accepts_gzip(const char *header)
{
	if (header == NULL)
		return false;
	bool star = false, gzip = false, gzip_named = false;
	const char *p = header;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *end = p + strcspn(p, ",");
		size_t n = strcspn(p, " \t;,");
		double q = qvalue(p, end);
		if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) || (n == 6 && strncasecmp(p, "x-gzip", 6) == 0)) {
			gzip_named = true;
			gzip = gzip || q > 0;
		} else if (n == 1 && *p == '*') {
			star = q > 0;
		}
		p = end;
	}
	return gzip || (!gzip_named && star);
}

bool http_gzip_wanted(const sasae_http_request *req, const sasae_http_response *res)
{
	return res->body.len >= GZIP_MIN_BYTES && http_compressible_type(res->content_type) &&
	       sasae_http_response_header(res, "Content-Encoding") == NULL &&
	       http_accepts_gzip(sasae_http_header_get(req, "Accept-Encoding"));
}

int http_gzip_apply(sasae_http_response *res)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	/* level 6 for pages; level 1 for large downloads, where time matters more than bytes */
	int level = res->body.len > 256 * 1024 ? 1 : 6;
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16 /* gzip wrapper */, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	uLong bound = deflateBound(&z, (uLong)res->body.len);
	sasae_buf out = SASAE_BUF_INIT;
	if (!sasae_buf_reserve(&out, (size_t)bound)) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)res->body.data;
	z.avail_in = (uInt)res->body.len;
	z.next_out = (Bytef *)out.data;
	z.avail_out = (uInt)bound;
	int rc = deflate(&z, Z_FINISH);
	size_t len = (size_t)z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		sasae_buf_free(&out);
		return -1;
	}
	out.len = len;
	sasae_buf_free(&res->body);
	res->body = out;
	sasae_http_header(res, "Content-Encoding", "gzip");
	return 0;
}
