/* text: escaping of hostile strings from /proc. Pure functions, no I/O. */
#include "text.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t text_utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned c = s[0];
	size_t need;
	unsigned min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (len < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return need;
}

/* Code points that are valid UTF-8 but must not reach a terminal raw:
 * C1 controls (some terminals act on them) and bidirectional overrides
 * (they reorder the rest of the line). */
static bool unsafe_code_point(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
	       cp == 0x061c || cp == 0xfeff;
}

const char *text_unprintable(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp;
		size_t n;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return "a control character";
			i++;
			continue;
		}
		if (!(n = text_utf8_decode((const unsigned char *)s + i, len - i, &cp)))
			return "invalid UTF-8";
		if (unsafe_code_point(cp))
			return "a control or bidirectional character";
		i += n;
	}
	return NULL;
}

/* Writes the escape for one ASCII byte into buf; returns its length. */
static size_t escape_byte(char *buf, unsigned char c)
{
	switch (c) {
	case '\\': return (size_t)snprintf(buf, 8, "\\\\");
	case '\n': return (size_t)snprintf(buf, 8, "\\n");
	case '\r': return (size_t)snprintf(buf, 8, "\\r");
	case '\t': return (size_t)snprintf(buf, 8, "\\t");
	default: return (size_t)snprintf(buf, 8, "\\x%02x", c);
	}
}

/* Appends n bytes if they fit whole (keeping room for the NUL). */
static bool put(char *dst, size_t dstsize, size_t *used, const char *p, size_t n)
{
	if (*used + n + 1 > dstsize)
		return false;
	memcpy(dst + *used, p, n);
	*used += n;
	return true;
}

size_t text_escape(char *dst, size_t dstsize, const char *src, size_t srclen,
		   unsigned flags)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t used = 0, i = 0;

	if (dstsize == 0)
		return 0;
	while (i < srclen) {
		char buf[16];
		size_t n, step = 1;
		unsigned cp;

		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			buf[0] = (char)s[i];
			n = 1;
		} else if (s[i] < 0x80) {
			n = escape_byte(buf, s[i]);
		} else if ((flags & TEXT_UTF8) &&
			   (step = text_utf8_decode(s + i, srclen - i, &cp)) > 0 &&
			   !unsafe_code_point(cp)) {
			memcpy(buf, s + i, step);
			n = step;
		} else if (step > 0 && (flags & TEXT_UTF8)) {
			n = (size_t)snprintf(buf, sizeof buf, "\\u%04X", cp);
		} else {
			step = 1;
			n = (size_t)snprintf(buf, sizeof buf, "\\x%02x", s[i]);
		}
		if (!put(dst, dstsize, &used, buf, n))
			break;
		i += step;
	}
	dst[used] = '\0';
	return used;
}

bool text_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}
