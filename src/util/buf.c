/* buf.c — growable byte buffer with sticky out-of-memory (see include/util/sasae/buf.h). */
#include "sasae/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool sasae_buf_reserve(sasae_buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (extra > SIZE_MAX - b->len - 1) {
		b->oom = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (p == NULL) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void sasae_buf_append(sasae_buf *b, const void *data, size_t n)
{
	if (!sasae_buf_reserve(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sasae_buf_puts(sasae_buf *b, const char *s) { sasae_buf_append(b, s, strlen(s)); }

void sasae_buf_putc(sasae_buf *b, char c) { sasae_buf_append(b, &c, 1); }

void sasae_buf_appendf(sasae_buf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n < sizeof small) {
		sasae_buf_append(b, small, (size_t)n);
		return;
	}
	if (!sasae_buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sasae_buf_clear(sasae_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->data)
		b->data[0] = '\0';
}

const char *sasae_buf_cstr(sasae_buf *b)
{
	if (b->data == NULL)
		return "";
	return b->data;
}

char *sasae_buf_detach(sasae_buf *b)
{
	if (b->oom) {
		sasae_buf_free(b);
		return NULL;
	}
	char *s = b->data;
	if (s == NULL)
		s = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void sasae_buf_free(sasae_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}
