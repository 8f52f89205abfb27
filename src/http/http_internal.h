/* http_internal.h — what the files of src/http share (not a public header). */
#ifndef SASAE_HTTP_INTERNAL_H
#define SASAE_HTTP_INTERNAL_H

#include "sasae/http.h"

/* Copy s[0..n) into req's block (NUL-terminated; room was reserved by sasae_http_request_parse for
   the route arguments).  Returns the copy, or NULL when the block is full. */
const char *http_request_copy(sasae_http_request *req, const char *s, size_t n);

/* Content coding (encoding.c). */
/* Whether content type t is text worth compressing (HTML, CSS, JS, JSON, CSV, SVG, plain text). */
bool http_compressible_type(const char *t);
/* Whether an Accept-Encoding value accepts gzip (q > 0, or "*" when gzip is not named). */
bool http_accepts_gzip(const char *header);
/* Whether res should go gzip-coded to req: compressible, at least 1 KiB, not coded yet, accepted. */
bool http_gzip_wanted(const sasae_http_request *req, const sasae_http_response *res);
/* Replace res's body by its gzip coding and say so (Content-Encoding); -1 (res unchanged) when
   memory runs out. */
int http_gzip_apply(sasae_http_response *res);

#endif
