/* fuzz_languages: the list of languages forktop reads translated files in,
 * from a locale name and LANGUAGE (both come from the environment). Input:
 * the locale name, a newline, then LANGUAGE. Promises: never more than asked
 * for, each entry a non-empty NUL-terminated language without a codeset,
 * modifier or separator, no entry twice, none for the C and POSIX locales. */
#include "../src/i18n.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *language = strchr(text, '\n');
	char langs[I18N_LANGS_MAX][I18N_LANG_MAX];
	size_t max = size ? data[0] % (I18N_LANGS_MAX + 1) : I18N_LANGS_MAX, n;

	if (language)
		*language++ = '\0';
	memset(langs, 'x', sizeof langs);
	n = i18n_languages(text, language, langs, max);
	FUZZ_EXPECT(n <= max);
	if (!strcmp(text, "C") || !strcmp(text, "POSIX"))
		FUZZ_EXPECT(n == 0);
	for (size_t i = 0; i < n; i++) {
		FUZZ_EXPECT(fuzz_terminated(langs[i], I18N_LANG_MAX));
		FUZZ_EXPECT(langs[i][0] != '\0' && !strpbrk(langs[i], ".@:"));
		FUZZ_EXPECT(strcmp(langs[i], "C") && strcmp(langs[i], "POSIX"));
		for (size_t j = 0; j < i; j++)
			FUZZ_EXPECT(strcmp(langs[i], langs[j]));
	}
	free(text);
	return 0;
}
