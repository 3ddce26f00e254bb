/* text: makes hostile bytes (process names, command lines) safe to show, and
 * reads numbers from hostile text. It never decides layout or touches a
 * terminal. */
#ifndef FORKTOP_TEXT_H
#define FORKTOP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

enum text_flags {
	TEXT_UTF8 = 1 << 0, /* keep valid, printable UTF-8; else escape every byte >= 0x80 */
};

/* Copies src (srclen bytes, may hold NULs) into dst as printable text.
 * Kept as they are: printable ASCII and, with TEXT_UTF8, every character
 * with a display width of its own (wcwidth 1 or 2: accents, CJK, emoji) and
 * a combining mark that follows such a character. Escaped: backslash as \\,
 * control bytes as \n, \r, \t or \xNN, invalid UTF-8 (and, without
 * TEXT_UTF8, every byte >= 0x80) as \xNN, and as \uXXXX (\UXXXXXXXX above
 * U+FFFF): C1 controls, bidirectional controls, zero-width joiners and
 * spaces, variation selectors, unprintable code points and a combining mark
 * with nothing before it. Never cuts an escape or a character in two. dst is
 * always NUL-terminated when dstsize > 0. Returns the number of bytes written
 * (without the NUL). */
size_t text_escape(char *dst, size_t dstsize, const char *src, size_t srclen,
		   unsigned flags);

/* The way back from text_escape's escapes (\\, \n, \r, \t, \xNN, \uXXXX,
 * \UXXXXXXXX) to the raw bytes, for text read back from forktop's own
 * output (a recording); anything else is copied as it is. dst may be src:
 * the bytes never grow. Returns the length written (no NUL added). */
size_t text_unescape(char *dst, const char *src, size_t len);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid;
 * *cp receives the code point. */
size_t text_utf8_decode(const unsigned char *s, size_t len, unsigned *cp);

/* Where s (len bytes, cut there from something longer) may end without
 * splitting a UTF-8 character: len, or the start of the last character when
 * its bytes run past len. Bytes that are no UTF-8 are left as they are. */
size_t text_utf8_boundary(const char *s, size_t len);

/* Display width (0, 1 or 2 columns) of the character at s (len > 0 bytes),
 * by the same table as text_escape; its length in *used. -1 when it is a
 * control or not printable (*used 1 for an invalid byte). */
int text_char_width(const char *s, size_t len, size_t *used);

/* The display width of s: Hangul and other wide characters take two columns
 * (an undecodable byte, drawn as '?', one). */
int text_width(const char *s);

/* s in exactly width display columns: cut at a whole character, then padded
 * with spaces (what "%-*s" does for ASCII). Returns the bytes written. */
size_t text_fit(char *out, size_t cap, const char *s, int width);

/* NULL when s (len bytes) is text fit to show as it is: valid UTF-8, no
 * control byte but tab, no C1 control or bidirectional override; else what
 * is wrong with it ("a control character", "invalid UTF-8", ...). */
const char *text_unprintable(const char *s, size_t len);

/* A whole decimal number in [min, max] (no trailing text): true with *out
 * set, or false. */
bool text_parse_long(const char *s, long min, long max, long *out);

/* Writes "PREFIX: " and fmt's text into err (errlen bytes). Returns -1, for
 * a parser to return as its error. */
__attribute__((format(printf, 4, 5)))
int text_error(char *err, size_t errlen, const char *prefix, const char *fmt, ...);

/* The value of placeholder {name} (len bytes, no braces) into buf (cap
 * bytes, NUL-terminated: the room left in the output, so a value is cut
 * where the output ends); false, leaving nothing to keep in buf, when name
 * is no placeholder of the caller's. */
typedef bool (*text_fill_value)(const void *ctx, const char *name, size_t len, char *buf,
				size_t cap);
/* Copies tmpl into out (cap bytes, always NUL-terminated when cap > 0) with
 * every {placeholder} that value knows replaced by its value; anything else
 * is copied as it is. Values are copied as given: escape them in value.
 * Returns the length written. */
size_t text_fill(char *out, size_t cap, const char *tmpl, text_fill_value value, const void *ctx);

#endif
