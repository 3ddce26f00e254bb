/* fuzz_scenario: libFuzzer target for the scenario parser
 * (scenario_load_string). Besides memory errors and undefined behaviour it
 * checks the parser's promises: an accepted scenario is one the lab can
 * start, and a refusal names the input and a line that exists. */
#include "fuzz.h"

#include <ctype.h>
#include <stdbool.h>

#include "../src/scenario.h"

#define LABEL "fuzz"

static bool valid_name(const char *s)
{
	size_t n = strnlen(s, SCENARIO_NAME_MAX);

	if (n == 0 || n == SCENARIO_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static bool valid_lifetime(double lifetime)
{
	return lifetime == SCENARIO_FOREVER || (lifetime >= 0 && lifetime <= 86400);
}

static void check_group(const struct scenario *sc, int i)
{
	const struct scenario_group *g = &sc->groups[i];

	FUZZ_EXPECT(valid_name(g->name));
	FUZZ_EXPECT(scenario_group_index(sc, g->name) == i);
	FUZZ_EXPECT(g->parent == SCENARIO_TOP_LEVEL || (g->parent >= 0 && g->parent < i));
	FUZZ_EXPECT(g->count >= 0 && g->count <= SCENARIO_COUNT_MAX);
	FUZZ_EXPECT(g->exit_code >= 0 && g->exit_code <= 255);
	FUZZ_EXPECT(valid_lifetime(g->lifetime));
}

static void check_threads(const struct scenario *sc, int i)
{
	const struct scenario_threads *t = &sc->threads[i];

	FUZZ_EXPECT(valid_name(t->name));
	FUZZ_EXPECT(fuzz_terminated(t->target, sizeof t->target) && t->target[0]);
	FUZZ_EXPECT(t->group == SCENARIO_TOP_LEVEL || (t->group >= 0 && t->group < sc->ngroups));
	FUZZ_EXPECT(t->count >= 0 && t->count <= SCENARIO_THREADS_MAX);
	FUZZ_EXPECT(valid_lifetime(t->lifetime));
	FUZZ_EXPECT(scenario_threads_of(sc, t->group) <= SCENARIO_THREADS_MAX);
}

static void check_accepted(const struct scenario *sc)
{
	FUZZ_EXPECT(valid_name(sc->name));
	FUZZ_EXPECT(fuzz_terminated(sc->description, sizeof sc->description));
	FUZZ_EXPECT((unsigned)sc->start_method < SCENARIO_METHODS);
	FUZZ_EXPECT(valid_lifetime(sc->main_lifetime));
	FUZZ_EXPECT(sc->main_exit_code >= 0 && sc->main_exit_code <= 255);
	FUZZ_EXPECT(sc->ngroups >= 1 && sc->ngroups <= SCENARIO_GROUPS_MAX);
	for (int i = 0; i < sc->ngroups; i++)
		check_group(sc, i);
	FUZZ_EXPECT(sc->nthreads >= 0 && sc->nthreads <= SCENARIO_THREAD_SETS_MAX);
	for (int i = 0; i < sc->nthreads; i++)
		check_threads(sc, i);
	FUZZ_EXPECT(scenario_process_count(sc) <= 256);
}

static long count_lines(const char *text)
{
	long lines = 1;

	for (; *text; text++)
		lines += *text == '\n';
	return lines;
}

/* "fuzz:LINE: what", LINE one of the text's lines. */
static void check_refused(const char *text, const char *err)
{
	const char *p = err + strlen(LABEL ":");
	char *end;
	long line;

	FUZZ_EXPECT(!strncmp(err, LABEL ":", strlen(LABEL ":")));
	line = strtol(p, &end, 10);
	FUZZ_EXPECT(end != p && end[0] == ':' && end[1] == ' ' && end[2] != '\0');
	FUZZ_EXPECT(line >= 1 && line <= count_lines(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct scenario sc;
	char err[512] = "";

	if (scenario_load_string(text, LABEL, &sc, err, sizeof err) == 0)
		check_accepted(&sc);
	else
		check_refused(text, err);
	free(text);
	return 0;
}
