/*
 * utf8.h — UTF-8 decoding, encoding and validation.  Part of util: knows nothing of plans.
 */
#ifndef SASAE_UTF8_H
#define SASAE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Check that s[0..n) is valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF,
 * no NUL byte).  On failure returns false and sets *bad (if not NULL) to the offset of the first
 * bad byte.
 */
bool sasae_utf8_valid(const char *s, size_t n, size_t *bad);

/* Decode one code point from s (n bytes available); returns its length (1..4), or 0 when invalid. */
size_t sasae_utf8_decode(const char *s, size_t n, int32_t *cp);

/* Encode cp into out (at least 4 bytes); returns the length, or 0 for a value outside 0..U+10FFFF. */
size_t sasae_utf8_encode(int32_t cp, char *out);

#endif
