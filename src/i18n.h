/* i18n: forktop's words in the user's language, as gettext chooses it.
 *
 * _("text") is the text in the language of LC_MESSAGES (LANGUAGE, LC_ALL,
 * LC_MESSAGES, LANG, as gettext honours them); N_("text") marks a text kept
 * in a table, translated with _() where it is shown. Identifiers (event
 * kinds, JSON field names) are never translated. */
#ifndef FORKTOP_I18N_H
#define FORKTOP_I18N_H

#include <stdbool.h>
#include <stddef.h>

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(text) gettext(text)
#else
#define _(text) ((const char *)(text))
#endif
#define N_(text) text

#define I18N_LANG_MAX 32   /* "ko_KR": a language and its territory */
#define I18N_LANGS_MAX 16  /* the languages tried, best first */

/* Binds forktop's catalogs: FORKTOP_LOCALEDIR, else the folder "locale"
 * beside the binary (a build tree), else LOCALEDIR. Call after setlocale. */
void i18n_init(void);

/* The languages to look for translated files in, best first, as gettext
 * picks a catalog: none for the C or POSIX locale (C.UTF-8 is not one); else
 * each entry of language (LANGUAGE, colon separated, up to a C or POSIX entry,
 * where gettext stops) when set, else the locale's name; each as "ll_CC" then
 * "ll" (codeset and modifier dropped). messages_locale is
 * setlocale(LC_MESSAGES, NULL). Returns how many were written to out. */
size_t i18n_languages(const char *messages_locale, const char *language,
		      char (*out)[I18N_LANG_MAX], size_t max);

/* i18n_languages for this process's locale and LANGUAGE. */
size_t i18n_user_languages(char (*out)[I18N_LANG_MAX], size_t max);

/* The translation of a file: dir/LANG/name for the first of langs that has
 * it, its path in path and its language in lang (I18N_LANG_MAX bytes); else
 * dir/name, the English, with lang "". */
void i18n_file(const char *dir, const char *name, const char (*langs)[I18N_LANG_MAX],
	       size_t nlangs, char *path, size_t len, char *lang);
/* i18n_file in the user's languages (i18n_user_languages). */
void i18n_user_file(const char *dir, const char *name, char *path, size_t len, char *lang);

#endif
