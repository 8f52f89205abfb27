/*
 * text.h — Unicode text handling for Japanese plan lists: NFKC normalisation,
 * program identity keys, wrap-space removal and terminal display width.
 *
 * Functions that return char * return a malloc'd string the caller frees, or NULL when out of
 * memory (or, where said, when the input is not valid UTF-8).
 */
#ifndef SASAE_TEXT_H
#define SASAE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasae/buf.h"
#include "sasae/error.h"
#include "sasae/utf8.h" /* sasae_utf8_valid, _decode, _encode (util) */

/* The 1-based line of byte offset in s (counting LF before it), and the 1-based byte column. */
long sasae_text_line_of(const char *s, size_t offset, size_t *column);

/*
 * Check that a data file (bytes of len, called file in messages) is UTF-8.  Returns 0, or
 * SASAE_EDATA with err naming the file, the line and the byte within it.
 */
int sasae_text_check_utf8(const char *file, const char *bytes, size_t len, sasae_error *err);

/*
 * The next line of bytes[0..len) from *pos (advanced past it): *line and *n, without the line end
 * (LF or CRLF).  Returns false at the end.
 */
bool sasae_text_next_line(const char *bytes, size_t len, size_t *pos, const char **line, size_t *n);

/* True for characters of Japanese running text: kanji, kana (incl. ー), CJK and full-width
   punctuation and symbols (「」（）、。・…).  Not for ASCII, full-width Latin letters or digits. */
bool sasae_text_is_japanese(int32_t cp);

/* True for the white space a plan list uses: ASCII space, TAB, U+3000 IDEOGRAPHIC SPACE, NBSP. */
bool sasae_text_is_space(int32_t cp);

/* NFKC of s (valid UTF-8, NUL-terminated); NULL on OOM or invalid input. */
char *sasae_text_nfkc(const char *s);

/* The identity key of a program name: NFKC, then every white space removed.  NULL on OOM. */
char *sasae_text_identity_key(const char *name);

/*
 * Append s to out with "wrap spaces" removed: a run of spaces between two Japanese characters
 * (sasae_text_is_japanese) is a line break left over from the PDF and is dropped; any other space
 * is kept as printed (a space next to Latin letters, digits or ASCII punctuation can be real).
 * Leading and trailing spaces are dropped too.
 */
void sasae_text_remove_wrap_spaces(sasae_buf *out, const char *s);

/* Append s to out without leading and trailing white space. */
void sasae_text_append_trimmed(sasae_buf *out, const char *s, size_t n);

/*
 * Remove a trailing 【再掲】 marker (also with spaces inside it, "【再 掲】", or before it) from the
 * NUL-terminated string in buf, in place.  Returns true when a marker was removed.
 */
bool sasae_text_strip_relist_marker(sasae_buf *buf);

/* Terminal display width of a UTF-8 string (East Asian wide characters count 2). */
size_t sasae_text_width(const char *s);

/*
 * Append s to out, cut to at most `width` columns (with "…" when cut) and padded with spaces to
 * exactly `width` columns.
 */
void sasae_text_pad(sasae_buf *out, const char *s, size_t width);

/* The last code point of the NUL-terminated s, or -1 when empty. */
int32_t sasae_text_last_cp(const char *s);
/* The first code point of the NUL-terminated s, or -1 when empty. */
int32_t sasae_text_first_cp(const char *s);

#endif
