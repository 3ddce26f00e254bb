/* jsonout: compact JSON lines written from values; see jsonout.h. */
#include "jsonout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/grow.h"
#include "../src/text.h"

/* Room for more bytes; false (and the line dropped) without memory. */
static bool room(struct jsonout *o, size_t more)
{
	if (o->failed)
		return false;
	if (more > SIZE_MAX - o->len - 1 || GROW(o->buf, o->cap, o->len + more + 1) < 0) {
		o->failed = true;
		return false;
	}
	return true;
}

static void put(struct jsonout *o, const char *s, size_t n)
{
	if (room(o, n)) {
		memcpy(o->buf + o->len, s, n);
		o->len += n;
	}
}

static void put_char(struct jsonout *o, char c)
{
	put(o, &c, 1);
}

/* The comma before a member but the first, and its key. Keys are the
 * program's own words: plain ASCII, nothing to escape. */
static void member(struct jsonout *o, const char *key)
{
	if (!o->first[o->depth])
		put_char(o, ',');
	o->first[o->depth] = false;
	if (key) {
		put_char(o, '"');
		put(o, key, strlen(key));
		put(o, "\":", 2);
	}
}

static void open_level(struct jsonout *o, char c)
{
	put_char(o, c);
	if (o->depth + 1 >= JSONOUT_DEPTH_MAX) {
		o->failed = true; /* deeper than any line forktop writes */
		return;
	}
	o->first[++o->depth] = true;
}

static void close_level(struct jsonout *o, char c)
{
	put_char(o, c);
	if (o->depth > 0)
		o->depth--;
}

void jsonout_begin(struct jsonout *o)
{
	o->len = 0;
	o->failed = false;
	o->depth = 0;
	o->first[0] = true;
	open_level(o, '{');
}

bool jsonout_finish(struct jsonout *o)
{
	close_level(o, '}');
	if (o->failed || o->depth != 0)
		return false;
	put_char(o, '\n');
	return !o->failed;
}

bool jsonout_end(struct jsonout *o, FILE *out)
{
	return jsonout_finish(o) && fwrite(o->buf, 1, o->len, out) == o->len;
}

void jsonout_free(struct jsonout *o)
{
	free(o->buf);
	free(o->scratch);
	*o = (struct jsonout){ 0 };
}

/* Decimal digits, written from the end (a frame has thousands of numbers:
 * no printf for each). */
void jsonout_int(struct jsonout *o, const char *key, long long v)
{
	char num[24], *at = num + sizeof num;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	member(o, key);
	do
		*--at = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--at = '-';
	put(o, at, (size_t)(num + sizeof num - at));
}

/* An exponent without its '+' and its leading zeros (e+05: e5); the new
 * length of num. */
static int trim_exponent(char *num)
{
	char *e = strchr(num, 'e'), *digits, *from;

	if (!e)
		return (int)strlen(num);
	digits = e[1] == '-' ? e + 2 : e + 1;
	from = e[1] == '+' ? e + 2 : digits;
	while (*from == '0' && from[1])
		from++;
	memmove(digits, from, strlen(from) + 1);
	return (int)strlen(num);
}

/* As jansson writes a real: 17 significant digits, ".0" when that looks
 * like an integer, a bare exponent. JSON has no infinity or NaN: null. */
void jsonout_real(struct jsonout *o, const char *key, double v)
{
	char num[40];
	int n;

	member(o, key);
	if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308) {
		put(o, "null", 4);
		return;
	}
	n = snprintf(num, sizeof num - 2, "%.17g", v);
	if (n < 0 || (size_t)n >= sizeof num - 2)
		n = snprintf(num, sizeof num, "0.0");
	else if (!strpbrk(num, ".eE"))
		memcpy(num + n, ".0", 3), n += 2;
	else
		n = trim_exponent(num);
	put(o, num, (size_t)n);
}

void jsonout_bool(struct jsonout *o, const char *key, bool v)
{
	member(o, key);
	put(o, v ? "true" : "false", v ? 4 : 5);
}

void jsonout_null(struct jsonout *o, const char *key)
{
	member(o, key);
	put(o, "null", 4);
}

static void put_u16(struct jsonout *o, unsigned u)
{
	char esc[8];

	put(o, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04X", u & 0xFFFF));
}

/* One code point of valid UTF-8 as ASCII JSON. */
static void put_code_point(struct jsonout *o, unsigned cp)
{
	static const char short_escape[] = { ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't' };
	char two[2] = { '\\', 0 };

	if (cp == '"' || cp == '\\') {
		two[1] = (char)cp;
		put(o, two, 2);
	} else if (cp < 0x20 && short_escape[cp]) {
		two[1] = short_escape[cp];
		put(o, two, 2);
	} else if (cp < 0x20) {
		put_u16(o, cp);
	} else if (cp < 0x80) {
		put_char(o, (char)cp);
	} else if (cp < 0x10000) {
		put_u16(o, cp);
	} else {
		put_u16(o, 0xD800 + ((cp - 0x10000) >> 10));
		put_u16(o, 0xDC00 + ((cp - 0x10000) & 0x3FF));
	}
}

/* A JSON string of n bytes of UTF-8 (a byte that is none: U+FFFD). */
static void put_quoted(struct jsonout *o, const char *s, size_t n)
{
	put_char(o, '"');
	for (size_t i = 0; i < n && !o->failed;) {
		const unsigned char *at = (const unsigned char *)s + i;
		size_t plain = 0, used;
		unsigned cp;

		while (i + plain < n && at[plain] >= 0x20 && at[plain] < 0x80 && at[plain] != '"' &&
		       at[plain] != '\\')
			plain++;
		if (plain) { /* printable ASCII goes as it is, a run at a time */
			put(o, (const char *)at, plain);
			i += plain;
			continue;
		}
		used = text_utf8_decode(at, n - i, &cp);

		if (!used) { /* never a byte that is no JSON */
			cp = 0xFFFD;
			used = 1;
		}
		put_code_point(o, cp);
		i += used;
	}
	put_char(o, '"');
}

void jsonout_string(struct jsonout *o, const char *key, const char *s, size_t len)
{
	size_t n;

	if (!s) {
		jsonout_null(o, key);
		return;
	}
	member(o, key);
	/* an escape is at most 4 bytes a byte */
	if (len > (SIZE_MAX - 1) / 4 || GROW(o->scratch, o->scratch_cap, 4 * len + 1) < 0) {
		o->failed = true;
		return;
	}
	n = text_escape(o->scratch, 4 * len + 1, s, len, TEXT_UTF8);
	put_quoted(o, o->scratch, n);
}

void jsonout_text_value(struct jsonout *o, const char *key, const char *s)
{
	if (!s) {
		jsonout_null(o, key);
		return;
	}
	member(o, key);
	put_quoted(o, s, strlen(s));
}

void jsonout_cstring(struct jsonout *o, const char *key, const char *s)
{
	jsonout_string(o, key, s, s ? strlen(s) : 0);
}

void jsonout_open_object(struct jsonout *o, const char *key)
{
	member(o, key);
	open_level(o, '{');
}

void jsonout_open_array(struct jsonout *o, const char *key)
{
	member(o, key);
	open_level(o, '[');
}

void jsonout_close_object(struct jsonout *o)
{
	close_level(o, '}');
}

void jsonout_close_array(struct jsonout *o)
{
	close_level(o, ']');
}
