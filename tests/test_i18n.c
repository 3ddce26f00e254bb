/* The languages forktop looks for translated files in (as gettext picks a
 * catalog), and the Korean lessons and tour: every lesson the rules name has
 * a Korean file that parses, with the English one's placeholders, English
 * stands in for a missing one, and the Korean tour has the English one's
 * steps, scenarios, keys and events. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/i18n.h"
#include "../src/lesson.h"
#include "../src/tour.h"
#include "helpers.h"

static char langs[I18N_LANGS_MAX][I18N_LANG_MAX];

/* The languages for one locale and LANGUAGE, as "a b c". */
static const char *languages(const char *locale, const char *language)
{
	static char out[I18N_LANGS_MAX * I18N_LANG_MAX];
	size_t n = i18n_languages(locale, language, langs, I18N_LANGS_MAX), used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, sizeof out - used, "%s%s", i ? " " : "", langs[i]);
	return out;
}

Test(i18n, the_c_and_posix_locales_have_no_translation_whatever_language_says)
{
	cr_expect_str_empty(languages("C", "ko"));
	cr_expect_str_empty(languages("POSIX", "ko"));
	cr_expect_str_empty(languages(NULL, NULL));
	cr_expect_str_empty(languages("C.UTF-8", NULL));
}

/* glibc's gettext reads LANGUAGE in C.UTF-8, as it does in any locale but C. */
Test(i18n, c_utf8_takes_language_as_gettext_does)
{
	cr_expect_str_eq(languages("C.UTF-8", "ko_KR"), "ko_KR ko");
}

Test(i18n, a_locale_gives_its_language_with_and_without_territory)
{
	cr_expect_str_eq(languages("ko_KR.UTF-8", NULL), "ko_KR ko");
	cr_expect_str_eq(languages("ko_KR.UTF-8", ""), "ko_KR ko");
	cr_expect_str_eq(languages("ko_KR.eucKR@euro", NULL), "ko_KR ko");
	cr_expect_str_eq(languages("ko", NULL), "ko");
}

Test(i18n, language_comes_first_in_its_own_order)
{
	cr_expect_str_eq(languages("en_US.UTF-8", "ko:en"), "ko en");
	cr_expect_str_eq(languages("de_DE.UTF-8", "ko_KR.UTF-8@x:fr_FR::ko"), "ko_KR ko fr_FR fr");
	cr_expect_str_eq(languages("de_DE.UTF-8", "C:ko"), "", "gettext stops at C: English");
	cr_expect_str_eq(languages("de_DE.UTF-8", "ko:POSIX:fr"), "ko", "and at POSIX");
	cr_expect_str_eq(languages("de_DE.UTF-8", "C.UTF-8:ko"), "ko", "but not at C.UTF-8");
	cr_expect_str_eq(languages("de_DE.UTF-8", "POSIX_Sn:C_x:ko"), "POSIX_Sn C_x ko",
			 "no C or POSIX language comes of a longer name");
}

Test(i18n, the_list_is_bounded_and_long_names_are_skipped)
{
	char many[1024] = "";
	char longname[200];

	for (int i = 0; i < 40; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "%s%c%c", i ? ":" : "",
			 'a' + i % 26, 'a' + i / 26);
	cr_expect_eq(i18n_languages("de_DE.UTF-8", many, langs, I18N_LANGS_MAX), I18N_LANGS_MAX);
	memset(longname, 'k', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	cr_expect_str_eq(languages("de_DE.UTF-8", longname), "");
	cr_expect_eq(i18n_languages("ko_KR.UTF-8", NULL, langs, 1), 1);
	cr_expect_str_eq(langs[0], "ko_KR");
}

/* ---- the Korean texts ---------------------------------------------------- */

static const char ko[][I18N_LANG_MAX] = { "ko" };

/* The placeholders of a lesson's text, sorted and joined: "{name}{pid}". */
static void placeholders(const char *text, char *out, size_t len)
{
	char found[32][48];
	size_t n = 0, used = 0;

	for (const char *p = strchr(text, '{'); p && n < 32; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');

		cr_assert(end && end - p < 47, "an unclosed placeholder in: %s", text);
		snprintf(found[n], sizeof found[n], "%.*s", (int)(end - p + 1), p);
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen |= !strcmp(found[i], found[n]);
		n += !seen;
	}
	qsort(found, n, sizeof found[0], (int (*)(const void *, const void *))strcmp);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len - used, "%s", found[i]);
}

Test(i18n, every_lesson_has_a_korean_text_with_the_same_placeholders)
{
	static struct lesson_book en, kr;
	char dir[4096], a[1024], b[1024];

	snprintf(dir, sizeof dir, "%s/lessons", helper_data_dir());
	cr_assert_eq(lesson_book_open_in(&en, dir, NULL, 0), 0);
	cr_assert_eq(lesson_book_open_in(&kr, dir, ko, 1), 0);
	cr_assert_eq(en.count, kr.count);
	cr_assert_geq(kr.count, 30);
	for (size_t i = 0; i < kr.count; i++) {
		const struct lesson *e = &en.lessons[i], *k = &kr.lessons[i];

		cr_expect_str_empty(e->lang);
		cr_expect_str_eq(k->lang, "ko", "%s is read in English", k->name);
		cr_expect_str_empty(k->error, "%s: %s", k->name, k->error);
		cr_expect_str_neq(k->body, e->body, "%s: the Korean text is the English one", k->name);
		placeholders(e->body, a, sizeof a);
		placeholders(k->body, b, sizeof b);
		cr_expect_str_eq(b, a, "%s: placeholders %s in Korean, %s in English", k->name, b, a);
	}
	lesson_book_close(&en);
	lesson_book_close(&kr);
}

/* dir with a link to every English lesson, and lessons/ko/zombie.txt alone
 * in ko/ (no child process: memcheck follows children). */
static void korean_zombie_only(const char *dir)
{
	char src[4200], from[4400], to[4400];
	DIR *d;
	struct dirent *e;

	snprintf(src, sizeof src, "%s/lessons", helper_data_dir());
	cr_assert_not_null(d = opendir(src));
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n < 5 || strcmp(e->d_name + n - 4, ".txt"))
			continue;
		snprintf(from, sizeof from, "%s/%s", src, e->d_name);
		snprintf(to, sizeof to, "%s/%s", dir, e->d_name);
		cr_assert_eq(symlink(from, to), 0, "%s", to);
	}
	closedir(d);
	snprintf(to, sizeof to, "%s/ko", dir);
	cr_assert_eq(mkdir(to, 0700), 0);
	snprintf(from, sizeof from, "%s/ko/zombie.txt", src);
	snprintf(to, sizeof to, "%s/ko/zombie.txt", dir);
	cr_assert_eq(symlink(from, to), 0);
}

static void remove_folder(const char *dir)
{
	char path[4400];
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			remove_folder(path);
		else
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

Test(i18n, a_lesson_missing_in_korean_is_read_in_english)
{
	static struct lesson_book book;
	char tmp[] = "/tmp/forktop-i18n-XXXXXX";
	size_t korean = 0;

	cr_assert_not_null(mkdtemp(tmp));
	korean_zombie_only(tmp);
	cr_assert_eq(lesson_book_open_in(&book, tmp, ko, 1), 0);
	for (size_t i = 0; i < book.count; i++) {
		const struct lesson *l = &book.lessons[i];

		cr_expect_str_eq(l->lang, strcmp(l->name, "zombie") ? "" : "ko", "%s", l->name);
		korean += l->lang[0] != '\0';
	}
	cr_expect_eq(korean, 1);
	lesson_book_close(&book);
	remove_folder(tmp);
}

static bool same_until(const struct tour_step *a, const struct tour_step *b)
{
	if (a->has_until != b->has_until || a->until_kind != b->until_kind || a->nuntil != b->nuntil)
		return false;
	for (int i = 0; i < a->nuntil; i++)
		if (strcmp(a->until[i].field, b->until[i].field) ||
		    strcmp(a->until[i].value, b->until[i].value))
			return false;
	return true;
}

Test(i18n, the_korean_tour_walks_the_english_steps)
{
	static struct tour en, kr;
	char path[4200], err[1024];

	snprintf(path, sizeof path, "%s/%s", helper_data_dir(), TOUR_FILE);
	cr_assert_eq(tour_load_file(path, &en, err, sizeof err), 0, "%s", err);
	snprintf(path, sizeof path, "%s/lessons/ko/%s", helper_data_dir(), TOUR_NAME);
	cr_assert_eq(tour_load_file(path, &kr, err, sizeof err), 0, "%s", err);
	cr_assert_eq(kr.count, en.count);
	cr_assert_geq(kr.count, 5);
	cr_expect_str_neq(kr.title, en.title);
	for (int i = 0; i < kr.count; i++) {
		const struct tour_step *e = &en.steps[i], *k = &kr.steps[i];

		cr_expect_str_eq(k->name, e->name);
		cr_expect_str_eq(k->keys, e->keys, "step %s", e->name);
		cr_expect_str_eq(k->scenario_name, e->scenario_name, "step %s", e->name);
		cr_expect(same_until(k, e), "step %s waits for another event", e->name);
		cr_expect_str_neq(k->title, e->title, "step %s: the title is English", e->name);
		cr_expect_str_neq(k->task, e->task, "step %s: its do is English", e->name);
		cr_expect(!e->look[0] || strcmp(k->look, e->look), "step %s: its look is English", e->name);
	}
}
