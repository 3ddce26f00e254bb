/* script: parsing and running action scripts. Targets are checked against
 * the names the scenario will really create (Python's Process-N, N counted
 * per creator, nested as Process-2:1), including those of earlier spawns. */
#include "script.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "i18n.h"
#include "text.h"

#define NAMES_MAX 2048

/* The family a scenario will create, in creation order. */
struct predicted {
	char name[LAB_NAME_MAX];
	int group;   /* SCENARIO_TOP_LEVEL for main */
	int creator; /* index, -1 for main */
	int next;    /* this process's next child number */
};

struct prediction {
	struct predicted *p;
	int n;
};

static int predict_child(struct prediction *pr, const struct scenario *sc, int creator, int g)
{
	struct predicted *c, *parent = &pr->p[creator];

	if (pr->n == NAMES_MAX || (parent->group >= 0 && sc->groups[parent->group].daemon))
		return -1; /* a daemonic process refuses to have children */
	c = &pr->p[pr->n];
	int len = parent->group == SCENARIO_TOP_LEVEL
			  ? snprintf(c->name, sizeof c->name, "Process-%d", parent->next++)
			  : snprintf(c->name, sizeof c->name, "%s:%d", parent->name, parent->next++);
	if (len < 0 || (size_t)len >= sizeof c->name)
		return -1; /* the lab refuses a name that long: no such process */
	c->group = g;
	c->creator = creator;
	c->next = 1;
	return pr->n++;
}

/* Each process starts its subgroups when its run() begins. */
static void predict_family(struct prediction *pr, const struct scenario *sc)
{
	pr->p[0] = (struct predicted){ .name = "MainProcess", .group = SCENARIO_TOP_LEVEL,
				       .creator = -1, .next = 1 };
	pr->n = 1;
	for (int i = 0; i < pr->n; i++)
		for (int g = 0; g < sc->ngroups; g++)
			if (sc->groups[g].parent == pr->p[i].group)
				for (int k = 0; k < sc->groups[g].count; k++)
					predict_child(pr, sc, i, g);
}

static int find_predicted(const struct prediction *pr, const char *name)
{
	for (int i = 0; i < pr->n; i++)
		if (!strcmp(pr->p[i].name, name))
			return i;
	return -1;
}

/* Adds the process a spawn step will create; false when the target is unknown. */
static bool predict_spawn(struct prediction *pr, const struct scenario *sc, const char *target)
{
	int g = scenario_group_index(sc, target), creator = -1;

	if (g >= 0 && sc->groups[g].parent == SCENARIO_TOP_LEVEL) {
		creator = 0;
	} else if (g >= 0) {
		for (int i = 0; i < pr->n && creator < 0; i++)
			if (pr->p[i].group == sc->groups[g].parent)
				creator = i;
	} else {
		int like = find_predicted(pr, target);

		if (like <= 0)
			return false;
		g = pr->p[like].group;
		creator = pr->p[like].creator;
	}
	if (creator >= 0)
		predict_child(pr, sc, creator, g);
	return true;
}

/* The helpers a start method adds ("resource_tracker", "forkserver", and
 * "Process-2:forkserver" for a nested creator): named after a predicted process. */
static bool is_predicted_helper(const struct prediction *pr, const struct scenario *sc,
				const char *name)
{
	static const char *const helpers[] = { "resource_tracker", "forkserver" };

	if (sc->start_method == SCENARIO_FORK)
		return false;
	for (size_t h = 0; h < sizeof helpers / sizeof *helpers; h++) {
		size_t len = strlen(name), hlen = strlen(helpers[h]);
		char owner[LAB_NAME_MAX];

		if (h == 1 && sc->start_method != SCENARIO_FORKSERVER)
			continue;
		if (!strcmp(name, helpers[h]))
			return true;
		if (len > hlen + 1 && len - hlen - 1 < sizeof owner && name[len - hlen - 1] == ':' &&
		    !strcmp(name + len - hlen, helpers[h])) {
			snprintf(owner, sizeof owner, "%.*s", (int)(len - hlen - 1), name);
			if (find_predicted(pr, owner) > 0)
				return true;
		}
	}
	return false;
}

static bool is_predicted(const struct prediction *pr, const struct scenario *sc, const char *name)
{
	if (sc->pid_namespace && sc->init == SCENARIO_INIT_FORKTOP && !strcmp(name, "init"))
		return true; /* forktop's init, PID 1 of the lab's namespace */
	return find_predicted(pr, name) >= 0 || is_predicted_helper(pr, sc, name);
}

static const struct {
	const char *word;
	enum script_action action;
	bool needs_target;
} actions[] = {
	{ "terminate", SCRIPT_TERMINATE, true }, { "kill", SCRIPT_KILL, true },
	{ "interrupt", SCRIPT_INTERRUPT, true },
	{ "join", SCRIPT_JOIN, true },           { "poll", SCRIPT_POLL, true },
	{ "spawn", SCRIPT_SPAWN, true },
	{ "kill-main", SCRIPT_KILL_MAIN, false }, { "exit-main", SCRIPT_EXIT_MAIN, false },
	{ "quit", SCRIPT_QUIT, false },
};

static bool parse_time(const char *word, double *at)
{
	char *end;

	if (word[0] != '@')
		return false;
	errno = 0;
	*at = strtod(word + 1, &end);
	return !errno && end != word + 1 && !*end && isfinite(*at) && *at >= 0 && *at <= 86400;
}

#define WORDS_MAX 7 /* @T join TARGET by JOINER timeout S */

/* Splits a step into at most WORDS_MAX words; returns how many (more when too many). */
static int split_words(char *step, char **words)
{
	int n = 0;

	for (char *save = NULL, *w = strtok_r(step, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save)) {
		if (n == WORDS_MAX)
			return WORDS_MAX + 1;
		words[n++] = w;
	}
	return n;
}

/* "--script step N ('TEXT')", the place a script's error names. */
static const char *step_at(char *buf, size_t cap, size_t index, const char *text)
{
	/* TRANSLATORS: where a --script error is: the step's number and its text;
	   ": " and what is wrong follow. */
	snprintf(buf, cap, _("--script step %zu ('%.60s')"), index, text);
	return buf;
}

#define step_error(err, errlen, index, text, ...) \
	text_error(err, errlen, step_at((char[128]){ 0 }, 128, index, text), __VA_ARGS__)

/* After the target: "by JOINER" (join, poll) and "timeout SECONDS" (join). */
static int parse_options(struct script_step *step, char **w, int n, size_t index,
			 const char *copy, char *err, size_t errlen)
{
	bool asks = step->action == SCRIPT_JOIN || step->action == SCRIPT_POLL;

	if (n > WORDS_MAX || (n > 3 && (!asks || (n - 3) % 2)))
		/* TRANSLATORS: join, poll, by and timeout are words of --script: keep them. */
		return step_error(err, errlen, index, copy, "%s",
				  _("too many words (only join and poll take 'by NAME', and join "
				    "'timeout SECONDS')"));
	for (int i = 3; i + 1 < n; i += 2) {
		char *end;

		if (!strcmp(w[i], "by")) {
			snprintf(step->joiner, sizeof step->joiner, "%s", w[i + 1]);
		} else if (!strcmp(w[i], "timeout") && step->action == SCRIPT_JOIN) {
			step->timeout = strtod(w[i + 1], &end);
			if (end == w[i + 1] || *end || !(step->timeout >= 0 && step->timeout <= 86400))
				return step_error(err, errlen, index, copy,
						  _("timeout '%s' must be seconds from 0 to 86400"),
						  w[i + 1]);
		} else {
			return step_error(err, errlen, index, copy, step->action == SCRIPT_JOIN
					  ? _("'%s' is not 'by' or 'timeout'")
					  : _("'%s' is not 'by'"), w[i]);
		}
	}
	return 0;
}

static int parse_step(char *text, size_t index, struct script_step *step, char *err,
		      size_t errlen)
{
	char copy[256], *w[WORDS_MAX + 1];
	int n, a;

	snprintf(copy, sizeof copy, "%s", text);
	n = split_words(text, w);
	if (n == 0)
		return step_error(err, errlen, index, copy, "%s", _("empty step"));
	if (!parse_time(w[0], &step->at))
		return step_error(err, errlen, index, copy,
				  _("'%s' is not a time like @1.5 (seconds from 0 to 86400)"),
				  w[0]);
	if (n < 2)
		return step_error(err, errlen, index, copy, "%s", _("no action after the time"));
	for (a = 0; a < (int)(sizeof actions / sizeof actions[0]); a++)
		if (!strcmp(actions[a].word, w[1]))
			break;
	if (a == (int)(sizeof actions / sizeof actions[0]))
		/* TRANSLATORS: the words in parentheses are the actions of --script: keep
		   them. */
		return step_error(err, errlen, index, copy,
				  _("unknown action '%s' (terminate, kill, interrupt, join, poll, "
				    "spawn, kill-main, exit-main, quit)"), w[1]);
	step->action = actions[a].action;
	if (actions[a].needs_target != (n >= 3))
		return step_error(err, errlen, index, copy, actions[a].needs_target
				  ? _("'%s' needs a target") : _("'%s' takes no target"), w[1]);
	step->timeout = -1;
	if (n >= 3)
		snprintf(step->target, sizeof step->target, "%s", w[2]);
	return parse_options(step, w, n, index, copy, err, errlen);
}

/* Stable, so that steps at the same time keep their written order. */
static void sort_by_time(struct script *s)
{
	for (size_t i = 1; i < s->count; i++) {
		struct script_step step = s->steps[i];
		size_t j = i;

		for (; j > 0 && s->steps[j - 1].at > step.at; j--)
			s->steps[j] = s->steps[j - 1];
		s->steps[j] = step;
	}
}

static int plain_error(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -1;
}

static int check_targets(struct script *out, const struct scenario *sc, char *err, size_t errlen)
{
	struct prediction pr = { .p = calloc(NAMES_MAX, sizeof *pr.p) };
	int rc = 0;

	if (!pr.p)
		return plain_error(err, errlen, _("out of memory"));
	predict_family(&pr, sc);
	for (size_t i = 0; i < out->count && rc == 0; i++) {
		struct script_step *s = &out->steps[i];

		if (s->action == SCRIPT_SPAWN && !predict_spawn(&pr, sc, s->target))
			rc = step_error(err, errlen, i + 1, s->target,
					_("no group or process of scenario '%s' has this name"),
					sc->name);
		else if (s->action != SCRIPT_SPAWN && s->target[0] && !is_predicted(&pr, sc, s->target))
			rc = step_error(err, errlen, i + 1, s->target,
					_("scenario '%s' never starts a process of this name"),
					sc->name);
		else if (s->joiner[0] && !is_predicted(&pr, sc, s->joiner))
			rc = step_error(err, errlen, i + 1, s->joiner,
					_("scenario '%s' never starts a process of this name"),
					sc->name);
	}
	free(pr.p);
	return rc;
}

int script_parse(const char *text, const struct scenario *sc, struct script *out, char *err,
		 size_t errlen)
{
	char *copy = strdup(text), *save = NULL;
	size_t cap = 0;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (!copy)
		return plain_error(err, errlen, _("out of memory"));
	for (char *step = strtok_r(copy, ";", &save); step && rc == 0;
	     step = strtok_r(NULL, ";", &save)) {
		if (GROW(out->steps, cap, out->count + 1) < 0) {
			rc = plain_error(err, errlen, _("out of memory"));
			break;
		}
		memset(&out->steps[out->count], 0, sizeof out->steps[0]);
		rc = parse_step(step, out->count + 1, &out->steps[out->count], err, errlen);
		out->count++;
	}
	free(copy);
	if (rc == 0 && out->count == 0)
		rc = plain_error(err, errlen, _("--script has no steps"));
	if (rc == 0) {
		sort_by_time(out);
		rc = check_targets(out, sc, err, errlen);
	}
	if (rc != 0)
		script_free(out);
	return rc;
}

void script_free(struct script *script)
{
	free(script->steps);
	memset(script, 0, sizeof *script);
}

int script_run(const struct script_step *step, struct lab *lab, char *err, size_t errlen)
{
	switch (step->action) {
	case SCRIPT_TERMINATE: return lab_terminate(lab, step->target, err, errlen);
	case SCRIPT_KILL: return lab_kill(lab, step->target, err, errlen);
	case SCRIPT_INTERRUPT: return lab_signal(lab, step->target, SIGINT, err, errlen);
	case SCRIPT_SIGNAL: return lab_signal(lab, step->target, step->signal, err, errlen);
	case SCRIPT_JOIN:
		return lab_join(lab, step->target, step->joiner[0] ? step->joiner : NULL,
				step->timeout < 0 ? -1 : (int)(step->timeout * 1000.0), err, errlen);
	case SCRIPT_POLL:
		return lab_is_alive(lab, step->target, step->joiner[0] ? step->joiner : NULL, err, errlen);
	case SCRIPT_SPAWN: return lab_spawn(lab, step->target, err, errlen);
	case SCRIPT_KILL_MAIN: return lab_kill_main(lab, err, errlen);
	case SCRIPT_EXIT_MAIN: return lab_exit_main(lab, err, errlen);
	case SCRIPT_QUIT: return 1;
	}
	return 0;
}
