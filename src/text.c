/* text: escaping of hostile strings from /proc. Pure functions, no I/O. */
#include "text.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "i18n.h"

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
 * C1 controls (some terminals act on them), bidirectional controls (they
 * reorder the rest of the line), and invisible characters that change how
 * their neighbours are drawn, where terminals disagree with wcwidth (a zero
 * width joiner makes one glyph of two emoji, a variation selector can widen
 * the character before it): shown raw, they would shift the columns. */
static bool unsafe_code_point(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || (cp >= 0x180b && cp <= 0x180f) ||
	       (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f) ||
	       (cp >= 0xe0100 && cp <= 0xe01ef);
}

/* Columns a code point takes (wcwidth), or -1 when it is not printable.
 * Widths come from a UTF-8 locale whatever the process's own locale is:
 * every glibc UTF-8 locale shares one width table, so the escaping is the
 * same for the screen, the text frames and the JSON. */
static int code_point_width(unsigned cp)
{
	static locale_t utf8;
	locale_t saved;
	int w;

	if (!utf8)
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!utf8)
		return wcwidth((wchar_t)cp);
	saved = uselocale(utf8);
	w = wcwidth((wchar_t)cp);
	uselocale(saved);
	return w;
}

/* Whether the character cp is shown as itself. after_base: the character
 * just before it was shown as itself (a combining mark needs one to sit on;
 * alone, it would land on a tree glyph or a column). */
static bool shown_raw(unsigned cp, bool after_base)
{
	int w;

	if (unsafe_code_point(cp))
		return false;
	w = code_point_width(cp);
	return w > 0 || (w == 0 && after_base);
}

const char *text_unprintable(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp;
		size_t n;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				/* TRANSLATORS: what is wrong with a text read from a file;
				   shown as "FILE:LINE: a control character: not lesson
				   text" or "... in the value of 'KEY'". */
				return _("a control character");
			i++;
			continue;
		}
		if (!(n = text_utf8_decode((const unsigned char *)s + i, len - i, &cp)))
			/* TRANSLATORS: what is wrong with a text read from a file. */
			return _("invalid UTF-8");
		if (unsafe_code_point(cp))
			/* TRANSLATORS: what is wrong with a text read from a file. */
			return _("a control or bidirectional character");
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

static size_t escape_code_point(char *buf, size_t len, unsigned cp)
{
	return (size_t)snprintf(buf, len, cp > 0xffff ? "\\U%08X" : "\\u%04X", cp);
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

/* The text for the character at s (len bytes left) into buf: the bytes
 * themselves or an escape. Returns its length; *step gets the bytes read
 * and *raw whether they were kept as they are. */
static size_t escape_one(char *buf, size_t buflen, const unsigned char *s, size_t len,
			 unsigned flags, bool after_base, size_t *step, bool *raw)
{
	unsigned cp;
	size_t n;

	*step = 1;
	*raw = false;
	if (s[0] >= 0x20 && s[0] < 0x7f && s[0] != '\\') {
		*raw = true;
		buf[0] = (char)s[0];
		return 1;
	}
	if (s[0] < 0x80)
		return escape_byte(buf, s[0]);
	if (!(flags & TEXT_UTF8) || (n = text_utf8_decode(s, len, &cp)) == 0)
		return (size_t)snprintf(buf, buflen, "\\x%02x", s[0]);
	*step = n;
	if (!shown_raw(cp, after_base))
		return escape_code_point(buf, buflen, cp);
	*raw = true;
	memcpy(buf, s, n);
	return n;
}

size_t text_escape(char *dst, size_t dstsize, const char *src, size_t srclen,
		   unsigned flags)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t used = 0, i = 0;
	bool after_base = false;

	if (dstsize == 0)
		return 0;
	while (i < srclen) {
		char buf[16];
		size_t step;
		size_t n = escape_one(buf, sizeof buf, s + i, srclen - i, flags, after_base, &step,
				      &after_base);

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

size_t text_utf8_boundary(const char *s, size_t len)
{
	size_t back = 0, need;
	unsigned char lead;

	while (back < 3 && back < len && ((unsigned char)s[len - 1 - back] & 0xc0) == 0x80)
		back++;
	if (back == len)
		return len; /* continuation bytes alone: no character to keep whole */
	lead = (unsigned char)s[len - 1 - back];
	need = lead >= 0xf5 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 1;
	return need > back + 1 ? len - 1 - back : len;
}

int text_char_width(const char *s, size_t len, size_t *used)
{
	unsigned cp;
	size_t n;

	if (len > 0 && (unsigned char)s[0] < 0x80) {
		*used = 1;
		return (unsigned char)s[0] >= 0x20 && s[0] != 0x7f ? 1 : -1;
	}
	n = text_utf8_decode((const unsigned char *)s, len, &cp);
	*used = n ? n : 1;
	return n ? code_point_width(cp) : -1;
}

int text_width(const char *s)
{
	size_t len = strlen(s), n;
	int cols = 0;

	for (size_t i = 0; i < len; i += n) {
		int w = text_char_width(s + i, len - i, &n);

		cols += w < 0 ? 1 : w;
	}
	return cols;
}

size_t text_fit(char *out, size_t cap, const char *s, int width)
{
	size_t len = strlen(s), i = 0, n;
	int cols = 0;

	if (!cap)
		return 0;
	while (i < len) {
		int w = text_char_width(s + i, len - i, &n);

		w = w < 0 ? 1 : w;
		if (cols + w > width || i + n >= cap)
			break;
		i += n;
		cols += w;
	}
	memcpy(out, s, i);
	for (; cols < width && i + 1 < cap; cols++)
		out[i++] = ' ';
	out[i] = '\0';
	return i;
}

size_t text_fill(char *out, size_t cap, const char *tmpl, text_fill_value value, const void *ctx)
{
	size_t used = 0;

	if (cap == 0)
		return 0;
	for (const char *p = tmpl; *p && used + 1 < cap;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;

		/* the value goes straight into the room left: it is as long as that */
		if (!close || !value(ctx, p + 1, (size_t)(close - p - 1), out + used, cap - used)) {
			out[used++] = *p++;
			continue;
		}
		used += strnlen(out + used, cap - used - 1);
		p = close + 1;
	}
	out[used] = '\0';
	return used;
}

int text_error(char *err, size_t errlen, const char *prefix, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", prefix, what);
	return -1;
}

/* n hex digits at s as a number; false when one is not hex. */
static bool hex_digits(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d = c >= '0' && c <= '9'   ? c - '0'
						 : c >= 'a' && c <= 'f' ? c - 'a' + 10
						 : c >= 'A' && c <= 'F' ? c - 'A' + 10
									: -1;
		if (d < 0)
			return false;
		v = v * 16 + (unsigned)d;
	}
	*out = v;
	return true;
}

/* cp as UTF-8 into dst (4 bytes of room); its length, 0 for no code point. */
static size_t utf8_encode(char *dst, unsigned long cp)
{
	if (cp < 0x80)
		return dst[0] = (char)cp, 1;
	if (cp < 0x800) {
		dst[0] = (char)(0xC0 | cp >> 6);
		dst[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (char)(0xE0 | cp >> 12);
		dst[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		dst[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		return 0;
	dst[0] = (char)(0xF0 | cp >> 18);
	dst[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	dst[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	dst[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The escape at s (a backslash, len bytes left) into dst; its length in
 * *used, 0 (nothing written) when it is none of text_escape's. */
static size_t unescape_one(char *dst, const char *s, size_t len, size_t *used)
{
	static const char plain[] = { ['\\'] = '\\', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t' };
	unsigned char c = len > 1 ? (unsigned char)s[1] : 0;
	size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
	unsigned long v;
	char bytes[4];
	size_t n;

	*used = 0;
	if (c < sizeof plain && plain[c]) {
		*used = 2;
		dst[0] = plain[c];
		return 1;
	}
	if (!digits || len < 2 + digits || !hex_digits(s + 2, digits, &v))
		return 0;
	if (c == 'x') {
		*used = 4;
		dst[0] = (char)v;
		return 1;
	}
	if ((n = utf8_encode(bytes, v)) == 0)
		return 0;
	*used = 2 + digits;
	memcpy(dst, bytes, n);
	return n;
}

size_t text_unescape(char *dst, const char *src, size_t len)
{
	size_t out = 0, i = 0;

	while (i < len) {
		size_t used, n = src[i] == '\\' ? unescape_one(dst + out, src + i, len - i, &used) : 0;

		if (n) {
			out += n;
			i += used;
		} else {
			dst[out++] = src[i++];
		}
	}
	return out;
}
