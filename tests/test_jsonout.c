/* jsonout writes what jansson writes (JSON_COMPACT | JSON_ENSURE_ASCII) for
 * the same values, byte for byte: hostile strings, reals, nesting; and a
 * line is dropped whole, never cut, when it cannot be finished. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/text.h"
#include "../ui/jsonout.h"

static struct jsonout out;

static void teardown(void)
{
	jsonout_free(&out);
}

TestSuite(jsonout, .fini = teardown);

/* jansson's line for obj (taken), with the newline jsonout_end adds. */
static char *jansson_line(json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII), *line;

	cr_assert_not_null(text);
	cr_assert(asprintf(&line, "%s\n", text) > 0);
	free(text);
	json_decref(obj);
	return line;
}

/* jsonout's line, as jsonout_end writes it. */
static char *jsonout_line(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	cr_assert(jsonout_end(&out, mem), "the line was written");
	fclose(mem);
	return buf;
}

static void same(char *mine, char *theirs)
{
	cr_assert_str_eq(mine, theirs);
	free(mine);
	free(theirs);
}

/* As batch wrote names before: escaped by text_escape, then a JSON string. */
static json_t *escaped(const char *raw, size_t len)
{
	char *buf = malloc(4 * len + 1);
	size_t n = text_escape(buf, 4 * len + 1, raw, len, TEXT_UTF8);
	json_t *s = json_stringn(buf, n);

	free(buf);
	cr_assert_not_null(s);
	return s;
}

Test(jsonout, hostile_strings_are_written_as_jansson_writes_them)
{
	static const struct {
		const char *bytes;
		size_t len;
	} names[] = {
		{ "plain", 5 },
		{ "", 0 },
		{ "quote\" back\\slash /", 20 },
		{ "\x1b]0;PWNED\x07\x1b[2J", 15 },
		{ "cr\rlf\nend\ttab\b\f", 16 },
		{ "nul\0inside", 10 },
		{ "bad\xff\xfe\xc0\xaf", 7 },
		{ "\xe6\xbc\xa2\xe5\xad\x97\xf0\x9f\x98\x80wide", 11 },
		{ "cafe\xcc\x81 \xc2\x9b \xe2\x80\xae \x7f", 16 },
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		json_t *obj = json_object();

		json_object_set_new(obj, "name", escaped(names[i].bytes, names[i].len));
		json_object_set_new(obj, "none", json_null());
		jsonout_begin(&out);
		jsonout_string(&out, "name", names[i].bytes, names[i].len);
		jsonout_string(&out, "none", NULL, 0);
		same(jsonout_line(), jansson_line(obj));
	}
}

Test(jsonout, forktops_own_text_gets_only_json_escapes)
{
	const char *text = "| out: \\x1b]0 \"quoted\" \xe6\xbc\xa2 \xf0\x9f\x98\x80";

	jsonout_begin(&out);
	jsonout_text_value(&out, "text", text);
	jsonout_text_value(&out, "note", NULL);
	same(jsonout_line(), jansson_line(json_pack("{s:s, s:n}", "text", text, "note")));
}

Test(jsonout, numbers_are_written_as_jansson_writes_them)
{
	static const double reals[] = { 0.0, 1.0, -0.5, 23.07, 1796583290.8769097, 1.0 / 3.0,
					1e300, 123456789012345678.0, 0.1, 2.5e-7, 1e-300, 1e21 };

	for (size_t i = 0; i < sizeof reals / sizeof *reals; i++) {
		jsonout_begin(&out);
		jsonout_real(&out, "r", reals[i]);
		jsonout_int(&out, "i", -1234567890123LL);
		jsonout_int(&out, "zero", 0);
		jsonout_int(&out, "min", LLONG_MIN);
		jsonout_int(&out, "max", LLONG_MAX);
		jsonout_bool(&out, "t", true);
		jsonout_bool(&out, "f", false);
		same(jsonout_line(),
		     jansson_line(json_pack("{s:f, s:I, s:I, s:I, s:I, s:b, s:b}", "r", reals[i], "i",
					    (json_int_t)-1234567890123LL, "zero", (json_int_t)0, "min",
					    (json_int_t)LLONG_MIN, "max", (json_int_t)LLONG_MAX, "t", 1, "f", 0)));
	}
}

Test(jsonout, objects_and_arrays_nest_with_their_commas)
{
	jsonout_begin(&out);
	jsonout_text_value(&out, "type", "frame");
	jsonout_open_object(&out, "counts");
	jsonout_int(&out, "total", 3);
	jsonout_int(&out, "zombie", 0);
	jsonout_close_object(&out);
	jsonout_open_array(&out, "processes");
	for (int pid = 1; pid <= 2; pid++) {
		jsonout_open_object(&out, NULL);
		jsonout_int(&out, "pid", pid);
		jsonout_open_array(&out, "tasks");
		jsonout_close_array(&out);
		jsonout_close_object(&out);
	}
	jsonout_close_array(&out);
	jsonout_open_object(&out, "empty");
	jsonout_close_object(&out);
	same(jsonout_line(),
	     jansson_line(json_pack("{s:s, s:{s:i, s:i}, s:[{s:i, s:[]}, {s:i, s:[]}], s:{}}", "type", "frame",
				    "counts", "total", 3, "zombie", 0, "processes", "pid", 1, "tasks", "pid",
				    2, "tasks", "empty")));
}

Test(jsonout, a_line_too_deep_to_finish_is_dropped_whole)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	jsonout_begin(&out);
	for (int i = 0; i < JSONOUT_DEPTH_MAX + 2; i++)
		jsonout_open_array(&out, i ? NULL : "deep");
	for (int i = 0; i < JSONOUT_DEPTH_MAX + 2; i++)
		jsonout_close_array(&out);
	cr_assert_not(jsonout_end(&out, mem), "a line it could not write is refused");
	fclose(mem);
	cr_assert_eq(len, 0, "and nothing of it is written: %s", buf);
	free(buf);
	jsonout_begin(&out); /* the next line starts clean */
	jsonout_int(&out, "n", 1);
	same(jsonout_line(), strdup("{\"n\":1}\n"));
}
