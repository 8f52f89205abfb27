/* http_internal.h — what the files of src/http share (not a public header). */
#ifndef SASAE_HTTP_INTERNAL_H
#define SASAE_HTTP_INTERNAL_H

#include "sasae/http.h"

/* Copy s[0..n) into req's block (NUL-terminated; room was reserved by sasae_http_request_parse for
   the route arguments).  Returns the copy, or NULL when the block is full. */
const char *http_request_copy(sasae_http_request *req, const char *s, size_t n);

#endif
