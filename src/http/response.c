/* response.c — building an HTTP response: headers, and freeing it (see include/http/sasae/http.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sasae/http.h"

void sasae_http_header(sasae_http_response *res, const char *name, const char *fmt, ...)
{
	if (res->nheaders == SASAE_HTTP_MAX_HEADERS)
		return;
	res->headers[res->nheaders].name = name;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->headers[res->nheaders].value, sizeof res->headers[res->nheaders].value, fmt, ap);
	va_end(ap);
	res->nheaders++;
}

const char *sasae_http_response_header(const sasae_http_response *res, const char *name)
{
	for (size_t i = 0; i < res->nheaders; i++)
		if (strcmp(res->headers[i].name, name) == 0)
			return res->headers[i].value;
	return NULL;
}

void sasae_http_response_clear(sasae_http_response *res)
{
	if (res == NULL)
		return;
	sasae_buf_free(&res->body);
	memset(res, 0, sizeof *res);
}
