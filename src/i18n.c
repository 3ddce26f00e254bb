/* i18n: binding the catalogs, and the languages of translated files. */
#include "i18n.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datafile.h"

/* Whether this process speaks the locale's language (i18n_init says). */
static bool translating;

#ifdef ENABLE_NLS
static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
#endif

void i18n_init(void)
{
#ifdef ENABLE_NLS
	static char dir[4096];
	const char *env = getenv("FORKTOP_LOCALEDIR");

	/* The screen and the translated files are UTF-8: in another codeset
	 * (ko_KR.EUC-KR) forktop stays English rather than mix encodings. */
	translating = !strcmp(nl_langinfo(CODESET), "UTF-8");
	if (!translating)
		setlocale(LC_MESSAGES, "C");
	if (env && *env)
		snprintf(dir, sizeof dir, "%s", env);
	else if (!datafile_beside_binary("locale", dir, sizeof dir) || !is_dir(dir))
		snprintf(dir, sizeof dir, "%s", LOCALEDIR);
	bindtextdomain(PACKAGE, dir);
	textdomain(PACKAGE);
#endif
}

/* gettext translates nothing in these (C.UTF-8 is not one: LANGUAGE counts). */
static bool is_c_locale(const char *name)
{
	return !name || !*name || !strcmp(name, "C") || !strcmp(name, "POSIX");
}

static bool known(char (*out)[I18N_LANG_MAX], size_t n, const char *lang)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(out[i], lang))
			return true;
	return false;
}

/* Adds "ll_CC" and "ll" of one locale name ("ll_CC.codeset@modifier"). */
static size_t add_language(const char *name, size_t len, char (*out)[I18N_LANG_MAX], size_t n,
			   size_t max)
{
	size_t keep = strcspn(name, ".@:");
	size_t lang_len = strcspn(name, "_.@:");
	char full[I18N_LANG_MAX], lang[I18N_LANG_MAX];

	keep = keep < len ? keep : len;
	lang_len = lang_len < keep ? lang_len : keep;
	if (!lang_len || keep >= sizeof full)
		return n;
	memcpy(full, name, keep);
	full[keep] = '\0';
	if (is_c_locale(full))
		return n;
	memcpy(lang, name, lang_len);
	lang[lang_len] = '\0';
	if (n < max && !known(out, n, full))
		snprintf(out[n++], I18N_LANG_MAX, "%s", full);
	if (n < max && !known(out, n, lang) && !is_c_locale(lang))
		snprintf(out[n++], I18N_LANG_MAX, "%s", lang);
	return n;
}

size_t i18n_languages(const char *messages_locale, const char *language,
		      char (*out)[I18N_LANG_MAX], size_t max)
{
	size_t n = 0;

	if (is_c_locale(messages_locale))
		return 0;
	if (!language || !*language)
		return add_language(messages_locale, strlen(messages_locale), out, 0, max);
	for (const char *p = language; *p;) {
		size_t len = strcspn(p, ":");

		if ((len == 1 && !strncmp(p, "C", 1)) || (len == 5 && !strncmp(p, "POSIX", 5)))
			return n; /* gettext stops there: the untranslated text */
		n = add_language(p, len, out, n, max);
		p += len + (p[len] == ':');
	}
	return n;
}

size_t i18n_user_languages(char (*out)[I18N_LANG_MAX], size_t max)
{
	if (!translating)
		return 0;
	return i18n_languages(setlocale(LC_MESSAGES, NULL), getenv("LANGUAGE"), out, max);
}

void i18n_file(const char *dir, const char *name, const char (*langs)[I18N_LANG_MAX],
	       size_t nlangs, char *path, size_t len, char *lang)
{
	lang[0] = '\0';
	for (size_t i = 0; i < nlangs; i++) {
		int n = snprintf(path, len, "%s/%s/%s", dir, langs[i], name);

		if (n > 0 && (size_t)n < len && access(path, F_OK) == 0) {
			snprintf(lang, I18N_LANG_MAX, "%s", langs[i]);
			return;
		}
	}
	snprintf(path, len, "%s/%s", dir, name);
}

void i18n_user_file(const char *dir, const char *name, char *path, size_t len, char *lang)
{
	char langs[I18N_LANGS_MAX][I18N_LANG_MAX];
	size_t n = i18n_user_languages(langs, I18N_LANGS_MAX);

	i18n_file(dir, name, (const char (*)[I18N_LANG_MAX])langs, n, path, len, lang);
}
