/* Escaping of hostile bytes: nothing raw may reach a terminal or a JSON string. */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "../src/text.h"

static const char *esc(const char *s, size_t len, unsigned flags)
{
	static char buf[512];

	text_escape(buf, sizeof buf, s, len, flags);
	return buf;
}

Test(text, plain_ascii_is_kept)
{
	cr_assert_str_eq(esc("a) b (c) 1 2", 12, TEXT_UTF8), "a) b (c) 1 2");
}

Test(text, control_bytes_are_escaped)
{
	cr_assert_str_eq(esc("\x1b[31mred\r\n\t\x7f", 12, TEXT_UTF8), "\\x1b[31mred\\r\\n\\t\\x7f");
	cr_assert_str_eq(esc("a\\b", 3, TEXT_UTF8), "a\\\\b");
}

Test(text, embedded_nul_is_escaped)
{
	cr_assert_str_eq(esc("a\0b", 3, TEXT_UTF8), "a\\x00b");
}

Test(text, valid_utf8_is_kept_in_utf8_mode)
{
	cr_assert_str_eq(esc("caf\xc3\xa9 \xe5\xad\x90", 9, TEXT_UTF8), "caf\xc3\xa9 \xe5\xad\x90");
}

Test(text, everything_high_is_escaped_in_ascii_mode)
{
	cr_assert_str_eq(esc("caf\xc3\xa9", 5, 0), "caf\\xc3\\xa9");
}

Test(text, invalid_utf8_is_escaped_bytewise)
{
	/* a lone continuation byte, an overlong '/', a truncated sequence, a surrogate */
	cr_assert_str_eq(esc("\x80", 1, TEXT_UTF8), "\\x80");
	cr_assert_str_eq(esc("\xc0\xaf", 2, TEXT_UTF8), "\\xc0\\xaf");
	cr_assert_str_eq(esc("x\xe5\xad", 3, TEXT_UTF8), "x\\xe5\\xad");
	cr_assert_str_eq(esc("\xed\xa0\x80", 3, TEXT_UTF8), "\\xed\\xa0\\x80");
}

Test(text, c1_controls_and_bidi_overrides_are_escaped)
{
	cr_assert_str_eq(esc("\xc2\x9b" "2J", 4, TEXT_UTF8), "\\u009B2J"); /* C1 CSI */
	cr_assert_str_eq(esc("a\xe2\x80\xae" "b", 5, TEXT_UTF8), "a\\u202Eb"); /* RLO */
}

Test(text, output_is_bounded_and_never_cuts_an_escape)
{
	char buf[6];
	size_t n = text_escape(buf, sizeof buf, "ab\x1b" "cd", 5, TEXT_UTF8);

	cr_assert_eq(n, 2); /* "ab" fits, "\x1b" (4 bytes) would not */
	cr_assert_str_eq(buf, "ab");
	n = text_escape(buf, sizeof buf, "abcd\xc3\xa9", 6, TEXT_UTF8);
	cr_assert_str_eq(buf, "abcd"); /* the two-byte character is not split */
}

Test(text, double_width_characters_are_kept)
{
	/* 漢字 and 😀: two columns each, counted by wcwidth where they are shown */
	cr_assert_str_eq(esc("\xe6\xbc\xa2\xe5\xad\x97\xf0\x9f\x98\x80", 10, TEXT_UTF8),
			 "\xe6\xbc\xa2\xe5\xad\x97\xf0\x9f\x98\x80");
}

Test(text, combining_marks_are_kept_after_a_character)
{
	cr_assert_str_eq(esc("cafe\xcc\x81\xcc\x81", 8, TEXT_UTF8), "cafe\xcc\x81\xcc\x81");
}

Test(text, a_combining_mark_with_nothing_before_it_is_escaped)
{
	cr_assert_str_eq(esc("\xcc\x81lead", 6, TEXT_UTF8), "\\u0301lead");
	/* after an escape there is no character to sit on either */
	cr_assert_str_eq(esc("\x1b\xcc\x81", 3, TEXT_UTF8), "\\x1b\\u0301");
}

Test(text, joiners_and_variation_selectors_are_escaped)
{
	/* terminals draw these pairs as one glyph, wcwidth counts two */
	cr_assert_str_eq(esc("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", 11, TEXT_UTF8),
			 "\xf0\x9f\x91\xa8\\u200D\xf0\x9f\x91\xa9");
	cr_assert_str_eq(esc("\xe2\x9d\xa4\xef\xb8\x8f", 6, TEXT_UTF8), "\xe2\x9d\xa4\\uFE0F");
	cr_assert_str_eq(esc("a\xe2\x80\x8b" "b", 5, TEXT_UTF8), "a\\u200Bb");
	cr_assert_str_eq(esc("a\xf3\xa0\x84\x80", 5, TEXT_UTF8), "a\\U000E0100");
}

Test(text, unprintable_code_points_are_escaped)
{
	cr_assert_str_eq(esc("\xcd\xb8", 2, TEXT_UTF8), "\\u0378"); /* unassigned */
}

Test(text, escaping_does_not_follow_the_process_locale)
{
	const char *before = setlocale(LC_CTYPE, NULL);
	char saved[64];

	snprintf(saved, sizeof saved, "%s", before ? before : "C");
	setlocale(LC_CTYPE, "C");
	cr_assert_str_eq(esc("\xe6\xbc\xa2\xcc\x81x\xe2\x80\x8d", 9, TEXT_UTF8),
			 "\xe6\xbc\xa2\xcc\x81x\\u200D");
	setlocale(LC_CTYPE, saved);
}

Test(text, a_cut_never_ends_inside_a_character)
{
	/* "aé" is 61 c3 a9, "€" is e2 82 ac, "😀" is f0 9f 98 80 */
	cr_assert_eq(text_utf8_boundary("a\xc3\xa9", 3), 3, "a whole character stays");
	cr_assert_eq(text_utf8_boundary("a\xc3", 2), 1, "half of one goes");
	cr_assert_eq(text_utf8_boundary("a\xe2\x82", 3), 1);
	cr_assert_eq(text_utf8_boundary("a\xf0\x9f\x98", 4), 1);
	cr_assert_eq(text_utf8_boundary("a\xf0\x9f\x98\x80", 5), 5);
	cr_assert_eq(text_utf8_boundary("ab", 2), 2);
	cr_assert_eq(text_utf8_boundary("", 0), 0);
	cr_assert_eq(text_utf8_boundary("\x80\x80", 2), 2, "no character to keep whole");
	cr_assert_eq(text_utf8_boundary("a\xff", 2), 2, "a byte that is no UTF-8 stays");
}

static bool long_value(const void *ctx, const char *name, size_t len, char *buf, size_t cap)
{
	const char *raw = ctx;

	if (len != 4 || memcmp(name, "line", 4))
		return false;
	text_escape(buf, cap, raw, strlen(raw), TEXT_UTF8);
	return true;
}

Test(text, a_value_is_kept_whole_when_the_output_has_room)
{
	static char raw[3001], out[20000];
	size_t n;

	memset(raw, 'x', 3000);
	raw[2999] = '\x1b';
	n = text_fill(out, sizeof out, "| {line} |", long_value, raw);
	cr_assert_eq(n, 2 + 2999 + 4 + 2, "%zu", n);
	cr_assert_str_eq(out + 2 + 2999, "\\x1b |");
	n = text_fill(out, 2 + 2999 + 3 + 1, "| {line} |", long_value, raw);
	cr_assert_eq(n, 2 + 2999 + 2, "%zu", n);
	cr_assert_str_eq(out + 2 + 2998, "x |", "an escape that does not fit is left out whole");
	cr_assert_eq(text_fill(out, sizeof out, "{nope} {", long_value, raw), 8);
	cr_assert_str_eq(out, "{nope} {");
}

/* Hangul is two columns: widths and padding count columns, not bytes. */
Test(text, widths_and_padding_count_display_columns)
{
	char out[64];

	cr_expect_eq(text_width("yes"), 3);
	cr_expect_eq(text_width("예"), 2);
	cr_expect_eq(text_width("아니오"), 6);
	cr_expect_eq(text_width("a\xff"), 2, "an undecodable byte is drawn as one '?'");
	cr_expect_eq(text_fit(out, sizeof out, "예", 6), strlen("예") + 4);
	cr_expect_str_eq(out, "예    ");
	cr_expect_eq(text_width(out), 6);
	text_fit(out, sizeof out, "no", 6);
	cr_expect_str_eq(out, "no    ");
	text_fit(out, sizeof out, "데몬프로세스", 5);
	cr_expect_str_eq(out, "데몬 ", "cut at a whole character, then padded");
	text_fit(out, 5, "데몬프로세스", 6);
	cr_expect_str_eq(out, "데 ", "cut to the buffer at a whole character, padded as it holds");
}
