/*
 * buf.h — the one growable byte buffer of sasae, with sticky out-of-memory.
 *
 * Appends never fail loudly: after an allocation failure the buffer is marked (`oom`) and further
 * appends do nothing, so a long sequence of appends is checked once at the end with sasae_buf_ok().
 * The data is always NUL-terminated (when len > 0 or after sasae_buf_cstr()).
 */
#ifndef SASAE_BUF_H
#define SASAE_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sasae_buf {
	char *data; /* owned bytes, NUL-terminated; NULL until the first append */
	size_t len; /* bytes used, without the terminating NUL */
	size_t cap; /* bytes allocated */
	bool oom;   /* an allocation failed; the contents are incomplete */
} sasae_buf;

#define SASAE_BUF_INIT {NULL, 0, 0, false}

/* Make room for at least `extra` more bytes (plus the NUL).  Returns false (and sets oom) on failure. */
bool sasae_buf_reserve(sasae_buf *b, size_t extra);
/* Append n bytes. */
void sasae_buf_append(sasae_buf *b, const void *data, size_t n);
/* Append a NUL-terminated string. */
void sasae_buf_puts(sasae_buf *b, const char *s);
/* Append one byte. */
void sasae_buf_putc(sasae_buf *b, char c);
/* Append printf-style. */
void sasae_buf_appendf(sasae_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Empty the buffer, keeping its memory (and clearing oom). */
void sasae_buf_clear(sasae_buf *b);
/* The contents as a C string ("" when empty); borrowed, valid until the next append. */
const char *sasae_buf_cstr(sasae_buf *b);
/* Move the contents out as a malloc'd C string the caller frees; the buffer is left empty.
   Returns NULL if oom was set (the buffer is then freed). */
char *sasae_buf_detach(sasae_buf *b);
/* Free the memory; the buffer is left empty and usable. */
void sasae_buf_free(sasae_buf *b);
/* True when no allocation has failed. */
static inline bool sasae_buf_ok(const sasae_buf *b) { return !b->oom; }

#endif
