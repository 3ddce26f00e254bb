/* fuzz_script: libFuzzer target for the action script parser (script_parse).
 * The input is a script run against the built-in default scenario, or
 * "SCENARIO\0SCRIPT": a scenario text, a NUL byte, then the script, so that
 * the names the parser predicts come from many family shapes. Inputs whose
 * scenario part is refused are dropped from the corpus. Besides memory
 * errors and undefined behaviour it checks the parser's promises: accepted
 * steps are in time order and well formed, a refusal leaves nothing behind. */
#include "fuzz.h"

#include <stdbool.h>

#include "../src/script.h"

static bool takes_target(enum script_action action)
{
	return action != SCRIPT_KILL_MAIN && action != SCRIPT_EXIT_MAIN && action != SCRIPT_QUIT;
}

static void check_step(const struct script_step *step)
{
	FUZZ_EXPECT(step->at >= 0 && step->at <= 86400);
	FUZZ_EXPECT(step->action >= SCRIPT_TERMINATE && step->action <= SCRIPT_QUIT);
	FUZZ_EXPECT(fuzz_terminated(step->target, sizeof step->target));
	FUZZ_EXPECT(fuzz_terminated(step->joiner, sizeof step->joiner));
	FUZZ_EXPECT((step->target[0] != '\0') == takes_target(step->action));
	FUZZ_EXPECT(step->joiner[0] == '\0' || step->action == SCRIPT_JOIN ||
		    step->action == SCRIPT_POLL);
	FUZZ_EXPECT(step->timeout < 0 || (step->action == SCRIPT_JOIN && step->timeout <= 86400));
}

static void check_accepted(const struct script *script)
{
	FUZZ_EXPECT(script->count >= 1 && script->steps != NULL);
	for (size_t i = 0; i < script->count; i++) {
		check_step(&script->steps[i]);
		FUZZ_EXPECT(i == 0 || script->steps[i - 1].at <= script->steps[i].at);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	char *text = fuzz_text(data, size), err[512] = "";
	const char *script_text = text;
	struct scenario sc;
	struct script script;

	if (nul) {
		script_text = text + (nul - data) + 1;
		if (scenario_load_string(text, "fuzz", &sc, err, sizeof err) != 0) {
			free(text);
			return -1;
		}
	} else {
		scenario_default(&sc);
	}
	if (script_parse(script_text, &sc, &script, err, sizeof err) == 0) {
		check_accepted(&script);
		script_free(&script);
	} else {
		FUZZ_EXPECT(script.steps == NULL && script.count == 0);
		FUZZ_EXPECT(err[0] != '\0');
	}
	free(text);
	return 0;
}
