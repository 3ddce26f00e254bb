/* Lessons and the tour: every shipped text loads and is named by a rule,
 * broken texts and tours are refused with file and line, the rules pick
 * the right lesson for built events, and a real lab's events (orphans, a
 * normal exit, a refusal, a zombie, a stubborn daemon) get lessons that
 * name the real PIDs. The guide follows a real tour step by step. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/datafile.h"
#include "../src/lesson.h"
#include "../src/tour.h"
#include "../ui/guide.h"
#include "../ui/session.h"
#include "helpers.h"

static struct lesson_book book;
static struct session s;
static struct session_options opt;
static struct scenario sc;
static bool session_is_open;
static char lessons_dir[4096];

static void setup(void)
{
	snprintf(lessons_dir, sizeof lessons_dir, "%s/lessons", helper_data_dir());
}

static void teardown(void)
{
	if (session_is_open)
		session_close(&s);
	session_is_open = false;
	lesson_book_close(&book);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	helper_cleanup();
}

TestSuite(lesson, .init = setup, .fini = teardown, .timeout = 60);
/* The tests that run a real lab in this process (tests/valgrind.sh leaves
 * them out: memcheck 3.19 knows no pidfd system call). */
TestSuite(lesson_lab, .init = setup, .fini = teardown, .timeout = 60);

/* ---- the shipped texts ---------------------------------------------------- */

Test(lesson, every_lesson_a_rule_names_loads)
{
	int failed = lesson_book_open(&book, lessons_dir);

	cr_assert_geq(lesson_rule_lessons(), 30);
	for (size_t i = 0; i < book.count; i++) {
		const struct lesson *l = &book.lessons[i];

		cr_expect_str_empty(l->error, "%s: %s", l->name, l->error);
		cr_expect(l->title[0] && strlen(l->body) > 80, "%s has a title and a text", l->name);
	}
	cr_assert_eq(failed, 0);
}

static bool named_by_a_rule(const char *name)
{
	for (size_t i = 0; i < lesson_rule_lessons(); i++)
		if (!strcmp(lesson_rule_lesson(i), name))
			return true;
	return false;
}

/* The files of one folder that are lessons; a folder in it (a language's,
 * as lessons/ko) is checked the same way when top is set. */
static int lesson_files(const char *dir, bool top)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	cr_assert_not_null(d, "%s", dir);
	while ((e = readdir(d))) {
		char name[256], sub[4400];
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "tour.conf"))
			continue;
		if (e->d_type == DT_DIR) {
			cr_expect(top, "%s/%s: a folder in a language's folder", dir, e->d_name);
			snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
			if (top)
				cr_expect_gt(lesson_files(sub, false), 0, "%s: no lesson", sub);
			continue;
		}
		cr_expect(n > 4 && !strcmp(e->d_name + n - 4, ".txt"), "%s/%s: not a lesson", dir,
			  e->d_name);
		snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
		cr_expect(named_by_a_rule(name), "%s/%s: no rule shows it", dir, e->d_name);
		files++;
	}
	closedir(d);
	return files;
}

Test(lesson, every_file_in_the_folder_is_a_lesson_a_rule_names_or_the_tour)
{
	cr_assert_eq((size_t)lesson_files(lessons_dir, true), lesson_rule_lessons(),
		     "one file per lesson");
}

Test(lesson, the_shipped_tour_loads_with_its_scenarios)
{
	static struct tour tour;
	char path[4200], err[1024];

	snprintf(path, sizeof path, "%s/tour.conf", lessons_dir);
	cr_assert_eq(tour_load_file(path, &tour, err, sizeof err), 0, "%s", err);
	cr_assert_geq(tour.count, 6);
	cr_assert(tour.steps[0].loads);
	for (int i = 0; i < tour.count; i++) {
		const struct tour_step *st = &tour.steps[i];

		cr_expect(st->title[0] && st->task[0], "step %s", st->name);
		cr_expect(st->has_until || strstr(st->keys, "N"), "step %s ends on an event or names N",
			  st->name);
		cr_expect_not_null(tour_scenario_of(&tour, i));
	}
}

/* Every lesson states a fact of Python or the kernel, and names where it
 * comes from in a comment the pane does not show. */
Test(lesson, every_lesson_names_its_source)
{
	for (size_t i = 0; i < lesson_rule_lessons(); i++) {
		char path[4200], *text, err[512];

		snprintf(path, sizeof path, "%s/%s.txt", lessons_dir, lesson_rule_lesson(i));
		cr_assert_eq(datafile_read(path, 16384, &text, err, sizeof err), 0, "%s", err);
		cr_expect(!strncmp(text, "# source: ", 10) || strstr(text, "\n# source: "),
			  "%s has no '# source: ' comment line", path);
		free(text);
	}
}

/* ---- lesson files --------------------------------------------------------- */

static struct lesson parsed;

static int parse(const char *text, char *err, size_t errlen)
{
	return lesson_parse(text, "x.txt", &parsed, err, errlen);
}

Test(lesson, a_lesson_is_a_title_and_paragraphs_comments_left_out)
{
	char err[512];

	cr_assert_eq(parse("# about it\nThe title\n\nOne {pid}\nline.\n\n# aside\nTwo.\n", err,
			   sizeof err), 0, "%s", err);
	cr_assert_str_eq(parsed.title, "The title");
	cr_assert_str_eq(parsed.body, "One {pid} line.\nTwo.");
}

static void refused(const char *text, const char *want)
{
	char err[512] = "";

	cr_assert_eq(parse(text, err, sizeof err), -1, "accepted: %s", text);
	cr_assert(strstr(err, want), "error '%s' lacks '%s'", err, want);
}

Test(lesson, broken_lessons_are_refused_with_file_and_line)
{
	refused("Title\n\nText with {bogus} in it.\n", "x.txt:3: unknown placeholder {bogus} (known: pid,");
	refused("Title\n\nA {pid without end\n", "x.txt:3: a '{' without its '}'");
	refused("Title\nstray } here\n", "x.txt:2: a '}' without its '{'");
	refused("# only a comment\n\n", "x.txt:2: no title");
	refused("", "x.txt:1: no title");
	refused("Title only\n", "x.txt:1: no text after the title");
	refused("Title {pid}\ntext\n", "x.txt:1: the title is plain text");
	refused("Title\nescape \x1b[2J here\n", "x.txt:2: a control character");
	refused("Title\nbad \xff byte\n", "x.txt:2: invalid UTF-8");
	refused("Title\nbidi \xe2\x80\xae here\n", "x.txt:2: a control or bidirectional character");
}

Test(lesson, a_lesson_longer_than_a_few_sentences_is_refused)
{
	static char text[LESSON_BODY_MAX + 256];

	strcpy(text, "Title\n");
	while (strlen(text) < LESSON_BODY_MAX + 64)
		strcat(text, "A sentence that goes on and on, line after line.\n");
	refused(text, "the text is longer than");
}

Test(lesson, a_missing_folder_or_file_is_said_with_where_it_looked)
{
	char buf[256], looked[1024];
	const struct lesson *l;

	cr_assert_eq(lesson_book_open(&book, "/nonexistent-forktop"), (int)lesson_rule_lessons());
	l = lesson_book_find(&book, "orphan-pid1");
	cr_assert_not_null(l);
	cr_assert_str_eq(l->error, "no lesson file /nonexistent-forktop/orphan-pid1.txt");

	setenv("FORKTOP_DATA", "/nonexistent-forktop-data", 1);
	cr_assert_eq(datafile_find("lessons/no-such.txt", buf, sizeof buf, looked, sizeof looked), -1);
	cr_assert(strstr(looked, "/nonexistent-forktop-data/lessons/no-such.txt, ") == looked, "%s",
		  looked);
	cr_assert(strstr(looked, " or " PKGDATADIR "/lessons/no-such.txt"), "%s", looked);
}

/* ---- rules, on built events ----------------------------------------------- */

static struct track_event built(enum event_kind kind, pid_t pid, const char *name)
{
	struct track_event ev = event_make(kind);

	ev.seq = 1;
	ev.pid = pid;
	snprintf(ev.name, sizeof ev.name, "%s", name);
	return ev;
}

static struct track_event about(enum event_kind kind, pid_t pid, const char *name, pid_t target,
				const char *target_name)
{
	struct track_event ev = built(kind, pid, name);

	ev.target = target;
	snprintf(ev.target_name, sizeof ev.target_name, "%s", target_name);
	return ev;
}

static const char *pick(const struct track_event *ev)
{
	struct lesson_context ctx = { .monitor_pid = 4000 };

	return lesson_pick(ev, &ctx);
}

Test(lesson, the_kernel_events_pick_their_lessons)
{
	struct track_event ev = built(EV_REPARENT, 4100, "worker");

	ev.old_ppid = 4050, ev.new_ppid = 1;
	cr_assert_str_eq(pick(&ev), "orphan-pid1");
	ev.new_ppid = 4000;
	cr_assert_str_eq(pick(&ev), "orphan-subreaper");
	ev.new_ppid = 777;
	cr_assert_str_eq(pick(&ev), "orphan-ancestor");
	ev = built(EV_ZOMBIE, 4100, "worker");
	cr_assert_str_eq(pick(&ev), "zombie");
	ev = built(EV_NEW, 4100, "worker");
	cr_assert_null(pick(&ev));
	ev = built(EV_GONE, 4100, "worker");
	cr_assert_null(pick(&ev));
}

Test(lesson, exit_codes_pick_by_cause)
{
	struct track_event ev = built(EV_EXITED, 4100, "app");

	ev.source = EXIT_SOURCE_MONITOR;
	ev.exit_status = SIGKILL; /* a wait status: killed by signal 9 */
	cr_assert_str_eq(pick(&ev), "killed");
	ev.exit_status = SIGINT;
	cr_assert_str_eq(pick(&ev), "sigint");
	ev.exit_status = 3 << 8;
	cr_assert_str_eq(pick(&ev), "exit-code");
	ev.source = EXIT_SOURCE_PIDFD;
	cr_assert_str_eq(pick(&ev), "reaped-by-adopter");
	ev = about(EV_JOIN_RETURNED, 4100, "MainProcess", 4101, "Process-1");
	ev.exit_status = 3 << 8; /* not an exit event: a join that returned */
	cr_assert_str_eq(pick(&ev), "join-returned");
}

Test(lesson, lab_facts_and_errors_pick_their_lessons)
{
	struct track_event ev = built(EV_DAEMONIC_CHILDREN_REFUSED, 4100, "Process-1");

	cr_assert_str_eq(pick(&ev), "daemonic-children-refused");
	ev.kind = EV_JOIN_REFUSED;
	cr_assert_str_eq(pick(&ev), "only-creator-joins");
	ev.kind = EV_IS_ALIVE_REFUSED;
	cr_assert_str_eq(pick(&ev), "only-creator-joins");
	ev.kind = EV_INTERRUPTED;
	cr_assert_str_eq(pick(&ev), "sigint-child");
	ev = about(EV_REFUSED, 0, "forktop", 4102, "Process-2");
	ev.value = REFUSAL_CREATOR_GONE_JOIN;
	cr_assert_str_eq(pick(&ev), "creator-gone");
	ev.value = REFUSAL_NO_SUCH_PROCESS;
	cr_assert_null(pick(&ev), "not every refusal has a lesson");
	ev = built(EV_RUN, 4100, "Process-1");
	cr_assert_null(pick(&ev));
	ev = built(EV_SUBREAPER_ON, 0, "forktop");
	cr_assert_str_eq(pick(&ev), "subreaper");
	ev.kind = EV_SUBREAPER_OFF;
	cr_assert_str_eq(pick(&ev), "subreaper", "the lesson speaks of R on and off");
	ev = built(EV_OUTPUT, 4100, "");
	cr_assert_null(pick(&ev));
}

/* The rules read kinds and fields: a sentence the log shows (here one
 * that says the opposite) changes nothing. */
Test(lesson, rules_never_read_the_text)
{
	struct track_event ev = built(EV_SUBREAPER_ON, 0, "forktop");

	snprintf(ev.text, sizeof ev.text, "KeyboardInterrupt: exitcode -9 (read from its zombie)");
	cr_assert_str_eq(pick(&ev), "subreaper");
	ev = built(EV_EXITED, 4100, "app");
	ev.exit_status = 3 << 8, ev.source = EXIT_SOURCE_ZOMBIE;
	snprintf(ev.text, sizeof ev.text, "(from its pidfd: reaped by another process)");
	cr_assert_str_eq(pick(&ev), "exit-code", "no lab: not lab_zombie, and not from a pidfd");
}

Test(lesson, names_are_escaped_and_every_placeholder_is_filled)
{
	struct track_event ev = built(EV_REPARENT, 4100, "evil\x1b[2J");
	struct lesson_context ctx = { .monitor_pid = 4000 };
	struct lesson_text lt;

	cr_assert_geq(lesson_book_open(&book, lessons_dir), 0);
	ev.old_ppid = 4050, ev.new_ppid = 1;
	cr_assert(lesson_explain(&book, &ev, &ctx, &lt));
	cr_assert_not(lt.error, "%s", lt.body);
	cr_assert(strstr(lt.body, "evil\\x1b[2J (pid 4100) lost its parent (pid 4050)"), "%s", lt.body);
	cr_assert_null(strchr(lt.body, '\x1b'));
	cr_assert_null(strchr(lt.body, '{'), "%s", lt.body);
}

/* The tour shows a start method other than fork: a step restarts the lab
 * under spawn and ends when main starts its resource tracker. */
Test(lesson, the_tour_has_a_step_under_spawn)
{
	static struct tour tour;
	char path[4200], err[1024];
	struct track_event ev = about(EV_STARTED, 100, "MainProcess", 102, "resource_tracker");
	int i;

	snprintf(path, sizeof path, "%s/tour.conf", lessons_dir);
	cr_assert_eq(tour_load_file(path, &tour, err, sizeof err), 0, "%s", err);
	for (i = 0; i < tour.count; i++)
		if (tour.steps[i].loads && tour.steps[i].scenario.start_method == SCENARIO_SPAWN)
			break;
	cr_assert_lt(i, tour.count, "no step runs the lab under spawn");
	cr_assert(tour_step_done_by(&tour.steps[i], &ev), "step %s", tour.steps[i].name);
	ev = about(EV_STARTED, 100, "MainProcess", 101, "Process-1");
	cr_assert_not(tour_step_done_by(&tour.steps[i], &ev));
}

/* ---- rules, on a lab built by hand ------------------------------------------- */

static struct lab hand;
static struct member hand_members[4];

/* MainProcess (100) under forktop (4000); Process-1 (101), forked by main or
 * by main's fork server; main's resource tracker (102) and fork server (103). */
static struct lesson_context hand_lab(bool through_server)
{
	hand_members[0] = (struct member){ .pid = 100, .name = "MainProcess", .creator = 4000,
					       .forker = 4000, .creator_name = "forktop" };
	hand_members[1] = (struct member){ .pid = 101, .name = "Process-1", .creator = 100,
					       .forker = through_server ? 103 : 100, .depth = 1,
					       .creator_name = "MainProcess" };
	hand_members[2] = (struct member){ .pid = 102, .name = "resource_tracker", .creator = 100,
					       .forker = 100, .depth = 1, .creator_name = "MainProcess" };
	hand_members[3] = (struct member){ .pid = 103, .name = "forkserver", .creator = 100,
					       .forker = 100, .depth = 1, .forkserver = true,
					       .creator_name = "MainProcess" };
	hand = (struct lab){ .members = hand_members, .count = 4, .monitor_pid = 4000 };
	return (struct lesson_context){ .lab = &hand, .monitor_pid = 4000 };
}

/* The hand-built lab in its own PID namespace: MainProcess (100) its PID 1,
 * or forktop's init (103) in front of it; Process-1 (101) a child
 * subreaper, its child Process-1:1 (102) an orphan under PID 1. */
static struct lesson_context hand_namespace(bool with_init)
{
	struct lesson_context ctx = hand_lab(false);

	hand.in_namespace = true;
	hand_members[0].nspid = with_init ? 2 : 1;
	hand_members[1].nspid = 3;
	hand_members[1].subreaper = true;
	hand_members[2] = (struct member){ .pid = 102, .name = "Process-1:1", .creator = 101,
					   .forker = 101, .ppid = with_init ? 103 : 100, .depth = 2 };
	hand_members[3] = (struct member){ .pid = 103, .name = "init", .creator = 4000, .forker = 4000,
					   .init = with_init, .nspid = with_init ? 1 : 4,
					   .creator_name = "forktop" };
	if (with_init) { /* lab_ns_init finds the init at members[1]: swap it there */
		struct member m = hand_members[1];

		hand_members[1] = hand_members[3];
		hand_members[3] = m;
	}
	return ctx;
}

Test(lesson, pid_1_of_a_namespace_has_its_lessons)
{
	struct lesson_context ctx = hand_namespace(false);
	struct track_event ev = built(EV_NAMESPACE_MADE, 100, "MainProcess");
	struct lesson_text lt;

	cr_assert_str_eq(lesson_pick(&ev, &ctx), "namespace-pid1");
	ev = built(EV_INIT_DROPPED, 100, "MainProcess");
	ev.signal = SIGTERM;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "init-signal-dropped");
	cr_assert_geq(lesson_book_open(&book, lessons_dir), 0);
	cr_assert(lesson_explain(&book, &ev, &ctx, &lt));
	cr_assert(strstr(lt.body, "forktop sent SIGTERM to MainProcess (pid 100), the PID 1"), "%s",
		  lt.body);
	ev = built(EV_REPARENT, 102, "Process-1:1");
	ev.old_ppid = 105, ev.new_ppid = 100;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "orphan-ns-init", "to the namespace's PID 1");
	ev.new_ppid = 101;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "orphan-ns-subreaper", "to a subreaper inside");
	ev = built(EV_ZOMBIE, 102, "Process-1:1");
	ev.new_ppid = 100;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "init-zombies", "a Python PID 1 never reaps it");
	ev = built(EV_EXITED, 102, "Process-1:1");
	ev.exit_status = 0, ev.source = EXIT_SOURCE_ZOMBIE;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "init-zombies");
	ev = built(EV_EXITED, 100, "MainProcess");
	ev.exit_status = (128 + SIGINT) << 8, ev.source = EXIT_SOURCE_MONITOR;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "init-sigint", "130: its re-raised SIGINT dropped");
	hand_members[2].killed_by_ns_end = true;
	ev = built(EV_EXITED, 102, "Process-1:1");
	ev.exit_status = SIGKILL, ev.source = EXIT_SOURCE_PIDFD;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "namespace-ended");
	ev = built(EV_NAMESPACE_ENDED, 100, "MainProcess");
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "namespace-ended");
}

Test(lesson, forktops_init_has_its_lessons)
{
	struct lesson_context ctx = hand_namespace(true);
	struct track_event ev = built(EV_NAMESPACE_MADE, 103, "init");

	cr_assert_str_eq(lesson_pick(&ev, &ctx), "namespace-init");
	ev = built(EV_REPARENT, 102, "Process-1:1");
	ev.old_ppid = 105, ev.new_ppid = 103;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "orphan-ns-init");
	ev = built(EV_EXITED, 102, "Process-1:1");
	ev.exit_status = 0, ev.source = EXIT_SOURCE_INIT, ev.by = 103;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "reaped-by-init");
	ev = built(EV_ZOMBIE, 102, "Process-1:1");
	ev.new_ppid = 103;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "zombie-adopted",
			 "not init-zombies: forktop's init reaps (the zombie is a moment's)");
}

Test(lesson, helpers_of_a_start_method_get_only_the_lessons_that_fit_them)
{
	struct lesson_context ctx = hand_lab(false);
	struct track_event ev = built(EV_REPARENT, 102, "resource_tracke");

	ev.old_ppid = 100, ev.new_ppid = 1;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "helper-orphaned",
			 "not orphan-pid1, which speaks of daemonic children");
	ev.new_ppid = 4000;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "orphan-subreaper");
	ev.pid = 103, ev.new_ppid = 1;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "helper-orphaned", "the fork server, by its flag");
	ev.pid = 101;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "orphan-pid1");
	ev = about(EV_STARTED, 100, "MainProcess", 102, "resource_tracker");
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "tracker-started");
	ev = built(EV_TRACKER_EXITS, 102, "resource_tracker");
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "tracker-exits");
}

Test(lesson, start_methods_have_lessons_of_their_own)
{
	struct lesson_context ctx = hand_lab(true);
	struct track_event ev = built(EV_LAB_STARTED, 100, "MainProcess");

	ev.value = SCENARIO_FORKSERVER;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "main-started-forkserver");
	ev.value = SCENARIO_FORK;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "main-started");
	ev = about(EV_STARTED, 100, "MainProcess", 101, "Process-1");
	ev.by = 103;
	snprintf(ev.by_name, sizeof ev.by_name, "forkserver");
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "started-through-server",
			 "its parent is the fork server, not main");
	ev = about(EV_STARTED, 100, "MainProcess", 103, "forkserver");
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "forkserver-started");
	ev = built(EV_EXITED, 101, "Process-1");
	ev.exit_status = 3 << 8, ev.source = EXIT_SOURCE_FORK_SERVER, ev.by = 103;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "reaped-by-server");
	ev = about(EV_SERVER_GONE, 100, "MainProcess", 101, "Process-1");
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "server-gone");
	ev = built(EV_TRACKER_RELAUNCHED, 100, "MainProcess");
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "tracker-relaunched");
	ev = built(EV_EXITED, 100, "MainProcess");
	ev.exit_status = SIGKILL, ev.source = EXIT_SOURCE_MONITOR;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "killed",
			 "main's child hangs under the fork server: main's death orphans none");
	ctx = hand_lab(false);
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "killed-no-exit-routine");
	ev = about(EV_STARTED, 100, "MainProcess", 101, "Process-1");
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "started");
	hand_members[1].daemon = true;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "started-daemonic");
	hand.sc.start_method = SCENARIO_SPAWN;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "started-spawn");
	ev = built(EV_LAB_STARTED, 100, "MainProcess");
	ev.value = SCENARIO_SPAWN;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "main-started-spawn");
}

/* The signal chooses the lesson: one about SIGTERM and SIGKILL is not
 * shown for SIGUSR1. */
Test(lesson, a_death_by_signal_is_explained_by_its_signal)
{
	struct lesson_context ctx = hand_lab(false);
	struct track_event ev = built(EV_EXITED, 101, "Process-1");
	struct lesson_text lt;

	ev.source = EXIT_SOURCE_MONITOR;
	ev.exit_status = SIGUSR1;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "killed-by-signal");
	cr_assert_geq(lesson_book_open(&book, lessons_dir), 0);
	cr_assert(lesson_explain(&book, &ev, &ctx, &lt));
	cr_assert(strstr(lt.body, "Process-1 (pid 101) was killed by SIGUSR1, exitcode -10"), "%s",
		  lt.body);
	cr_assert_null(strstr(lt.body, "SIGTERM"), "%s", lt.body);
	ev.exit_status = SIGTERM;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "killed");
	ev.exit_status = SIGKILL;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "killed");
	ev = built(EV_EXITED, 100, "MainProcess");
	ev.source = EXIT_SOURCE_MONITOR, ev.exit_status = SIGUSR1;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "killed-no-exit-routine");
	cr_assert(lesson_explain(&book, &ev, &ctx, &lt));
	cr_assert(strstr(lt.body, "killed by SIGUSR1, exitcode -10"), "%s", lt.body);
}

/* t or k on a process that forked children: they are orphaned. Not under
 * forkserver, where the server forked them, nor for another signal. */
Test(lesson, terminate_of_a_parent_says_its_children_are_orphaned)
{
	struct lesson_context ctx = hand_lab(false);
	struct track_event ev = about(EV_SIGNAL_SENT, 100, "MainProcess", 100, "MainProcess");
	struct lesson_text lt;

	ev.signal = SIGTERM;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "terminate-orphans");
	cr_assert_geq(lesson_book_open(&book, lessons_dir), 0);
	cr_assert(lesson_explain(&book, &ev, &ctx, &lt));
	cr_assert(strstr(lt.body, "forktop sent SIGTERM to MainProcess (pid 100)"), "%s", lt.body);
	cr_assert(strstr(lt.body, "its own children (Process-1)"), "%s", lt.body);
	ev.signal = SIGKILL;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "terminate-orphans");
	ev.signal = SIGUSR1;
	cr_assert_null(lesson_pick(&ev, &ctx));
	ev = about(EV_SIGNAL_SENT, 101, "Process-1", 101, "Process-1");
	ev.signal = SIGTERM;
	cr_assert_null(lesson_pick(&ev, &ctx), "a process without children");
	ctx = hand_lab(true);
	ev = about(EV_SIGNAL_SENT, 100, "MainProcess", 100, "MainProcess");
	ev.signal = SIGTERM;
	cr_assert_null(lesson_pick(&ev, &ctx), "under forkserver the server forked them");
}

/* A lesson is never shown with a placeholder it has no value for: no
 * "(pid ?)", no empty name. */
Test(lesson, a_lesson_with_a_placeholder_left_empty_is_not_shown)
{
	struct lesson_context ctx = hand_lab(false);
	struct track_event ev = about(EV_REFUSED, 0, "forktop", 0, "");
	struct lesson_text lt;

	cr_assert_geq(lesson_book_open(&book, lessons_dir), 0);
	ev.value = REFUSAL_CREATOR_GONE_JOIN;
	cr_assert_not(lesson_explain(&book, &ev, &ctx, &lt), "%s", lt.body);
	ev = about(EV_REFUSED, 0, "forktop", 101, "Process-1");
	ev.value = REFUSAL_CREATOR_GONE_JOIN;
	cr_assert(lesson_explain(&book, &ev, &ctx, &lt));
	cr_assert(strstr(lt.body, "Process-1 (pid 101) cannot be joined"), "%s", lt.body);
	cr_assert_null(strchr(lt.body, '?'), "%s", lt.body);
	ev = about(EV_REFUSED, 0, "forktop", 101, "");
	ev.value = REFUSAL_CREATOR_GONE_JOIN;
	cr_assert_not(lesson_explain(&book, &ev, &ctx, &lt), "an empty name: %s", lt.body);
	ev = about(EV_REFUSED, 0, "forktop", 999, "Process-9");
	ev.value = REFUSAL_CREATOR_GONE_JOIN;
	cr_assert_not(lesson_explain(&book, &ev, &ctx, &lt), "no lab process has pid 999: %s",
		      lt.body);
	ev = built(EV_EXITED, 0, "");
	ev.exit_status = 3 << 8, ev.source = EXIT_SOURCE_MONITOR;
	cr_assert_not(lesson_explain(&book, &ev, &ctx, &lt), "pid 0 and no name: %s", lt.body);
	ev = built(EV_ZOMBIE, 4100, "worker");
	ev.new_ppid = 4050;
	cr_assert(lesson_explain(&book, &ev, &ctx, &lt), "a process outside the lab has its facts");
}

/* ---- a real lab ------------------------------------------------------------ */

static struct lesson_context context(void)
{
	return (struct lesson_context){ .track = s.track, .lab = &s.lab, .monitor_pid = getpid() };
}

static void open_lab(const char *scenario_text, bool subreaper)
{
	char err[512];

	cr_assert_eq(scenario_load_string(scenario_text, "test", &sc, err, sizeof err), 0, "%s", err);
	opt = (struct session_options){ .delay_ms = 100, .scenario = &sc, .subreaper = subreaper };
	cr_assert_eq(session_open(&s, &opt, err, sizeof err), 0, "%s", err);
	session_is_open = true;
	cr_assert_geq(lesson_book_open(&book, lessons_dir), 0);
}

/* One round of the monitor's loop: lab messages for up to 50 ms, a refresh. */
static void tick(void)
{
	struct pollfd *fds;
	size_t n = session_poll_fds(&s, 0, &fds);

	if (session_poll(fds, n, 50) > 0)
		session_handle(&s, fds, n);
	cr_assert_geq(session_refresh(&s), 0);
}

/* The newest event the named lesson explains, or NULL. */
static const struct track_event *explained_by(const char *lesson)
{
	struct lesson_context ctx = context();

	for (unsigned long long q = track_last_seq(s.track); q > 0; q--) {
		const struct track_event *ev = track_event(s.track, q);
		const char *name = ev ? lesson_pick(ev, &ctx) : NULL;

		if (!ev)
			break;
		if (name && !strcmp(name, lesson))
			return ev;
	}
	return NULL;
}

/* Runs the monitor until an event the lesson explains, for at most 5 s, and
 * returns the filled lesson. */
static struct lesson_text wait_for_lesson(const char *lesson)
{
	struct lesson_context ctx = context();
	const struct track_event *ev = NULL;
	struct lesson_text lt;

	for (int i = 0; i < 100 && !(ev = explained_by(lesson)); i++)
		tick();
	cr_assert_not_null(ev, "no event was explained by %s", lesson);
	cr_assert(lesson_explain(&book, ev, &ctx, &lt));
	cr_assert_not(lt.error, "%s", lt.body);
	cr_assert_str_eq(lt.name, lesson);
	return lt;
}

/* A live member, once it has said hello (its pidfd is open). */
static const struct member *member(const char *name)
{
	const struct member *m = NULL;

	for (int i = 0; i < 100 && !((m = lab_find(&s.lab, name)) && m->pidfd >= 0); i++)
		tick();
	cr_assert(m && m->pidfd >= 0, "%s never started", name);
	return m;
}

static void body_has(const struct lesson_text *lt, const char *want)
{
	cr_assert(strstr(lt->body, want), "'%s' lacks '%s'", lt->body, want);
}

#define TWO_CHILDREN "[main]\nname = t\n[group d]\ncount = 1\ndaemon = yes\n" \
		     "[group w]\ncount = 1\ndaemon = no\n"

/* The newest event of this kind about pid, running the monitor for at most 5 s. */
static const struct track_event *event_about(enum event_kind kind, pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		for (unsigned long long q = track_last_seq(s.track); q > 0; q--) {
			const struct track_event *ev = track_event(s.track, q);

			if (!ev)
				break;
			if (ev->kind == kind && ev->pid == pid)
				return ev;
		}
		tick();
	}
	cr_assert_fail("no %s event about pid %d", event_kind_name(kind), pid);
	return NULL;
}

Test(lesson_lab, killing_main_makes_orphans_that_come_to_the_subreaper)
{
	struct lesson_context ctx;
	struct lesson_text lt;
	pid_t main_pid, daemon_pid;
	char want[256], err[256];

	open_lab(TWO_CHILDREN, true);
	main_pid = member("MainProcess")->pid;
	daemon_pid = member("Process-1")->pid;
	member("Process-2");
	cr_assert_eq(lab_kill_main(&s.lab, err, sizeof err), 0, "%s", err);

	ctx = context();
	cr_assert(lesson_explain(&book, event_about(EV_REPARENT, daemon_pid), &ctx, &lt));
	cr_assert_str_eq(lt.name, "orphan-subreaper");
	snprintf(want, sizeof want, "Process-1 (pid %d) lost its parent (pid %d). forktop (pid %d)",
		 daemon_pid, main_pid, getpid());
	body_has(&lt, want);
	lt = wait_for_lesson("killed-no-exit-routine");
	snprintf(want, sizeof want, "MainProcess (pid %d) was killed by SIGKILL, exitcode -9", main_pid);
	body_has(&lt, want);
	body_has(&lt, "Its children (Process-1 and Process-2)");
}

Test(lesson_lab, an_orphan_without_a_subreaper_goes_to_the_nearest_adopter)
{
	const struct track_event *ev = NULL;
	struct lesson_context ctx;
	char err[256];
	pid_t main_pid;

	open_lab(TWO_CHILDREN, false);
	main_pid = member("MainProcess")->pid;
	member("Process-2");
	cr_assert_eq(lab_kill_main(&s.lab, err, sizeof err), 0, "%s", err);
	for (int i = 0; i < 100 && !ev; i++) {
		tick();
		for (unsigned long long q = track_last_seq(s.track); q > 0 && !ev; q--) {
			const struct track_event *e = track_event(s.track, q);

			if (e && e->kind == EV_REPARENT && e->old_ppid == main_pid)
				ev = e;
		}
	}
	cr_assert_not_null(ev, "no orphan was re-parented");
	ctx = context();
	cr_assert_str_eq(lesson_pick(ev, &ctx), ev->new_ppid == 1 ? "orphan-pid1" : "orphan-ancestor");
}

Test(lesson_lab, a_normal_exit_terminates_the_daemonic_child)
{
	pid_t main_pid, daemon_pid;
	struct lesson_text lt;
	char want[256], err[256];

	open_lab("[main]\nname = t\n[group d]\ncount = 1\ndaemon = yes\n"
		 "[group w]\ncount = 1\ndaemon = no\nlifetime = 1.5\n", false);
	main_pid = member("MainProcess")->pid;
	daemon_pid = member("Process-1")->pid;
	member("Process-2");
	cr_assert_eq(lab_exit_main(&s.lab, err, sizeof err), 0, "%s", err);

	lt = wait_for_lesson("exit-routine");
	body_has(&lt, "Its daemonic children: Process-1.");
	lt = wait_for_lesson("daemon-terminated");
	snprintf(want, sizeof want, "MainProcess (pid %d) ran Python's exit routine", main_pid);
	body_has(&lt, want);
	snprintf(want, sizeof want, "Process-1 (pid %d) died of it, exitcode -15", daemon_pid);
	body_has(&lt, want);
	lt = wait_for_lesson("main-exited");
	snprintf(want, sizeof want, "MainProcess (pid %d) ended with exitcode 0", main_pid);
	body_has(&lt, want);
}

Test(lesson_lab, a_daemonic_child_refuses_to_start_children_and_exits_with_1)
{
	struct lesson_context ctx;
	struct lesson_text lt;
	char want[128];
	pid_t pid;

	open_lab("[main]\nname = t\n[group d]\ncount = 1\ndaemon = yes\n"
		 "[group kids]\nparent = d\ncount = 1\ndaemon = no\n", false);
	member("MainProcess");
	pid = member("Process-1")->pid;
	ctx = context();
	cr_assert(lesson_explain(&book, event_about(EV_DAEMONIC_CHILDREN_REFUSED, pid), &ctx, &lt));
	cr_assert_str_eq(lt.name, "daemonic-children-refused");
	snprintf(want, sizeof want, "Process-1 (pid %d) is daemonic", pid);
	body_has(&lt, want);
	body_has(&lt, "ends with exitcode 1");
	for (int i = 0; i < 100 && s.lab.members[1].exit_source == EXIT_SOURCE_UNKNOWN; i++)
		tick();
	cr_assert(lesson_explain(&book, event_about(EV_EXITED, pid), &ctx, &lt));
	cr_assert_str_eq(lt.name, "daemonic-children-refused", "its exit code 1 has the same lesson");
}

Test(lesson_lab, a_zombie_and_its_join)
{
	pid_t main_pid, pid;
	struct lesson_text lt;
	char want[256], err[256];

	open_lab("[main]\nname = t\n[group quick]\ncount = 1\ndaemon = no\nlifetime = 0.2\n"
		 "exit_code = 3\n", false);
	main_pid = member("MainProcess")->pid;
	pid = member("Process-1")->pid;
	lt = wait_for_lesson("zombie");
	snprintf(want, sizeof want, "Process-1 (pid %d) has ended with exitcode 3, but its parent "
		 "(pid %d)", pid, main_pid);
	body_has(&lt, want);
	cr_assert_eq(lab_join(&s.lab, "Process-1", NULL, -1, err, sizeof err), 0, "%s", err);
	lt = wait_for_lesson("join-returned");
	snprintf(want, sizeof want, "MainProcess (pid %d) returned from join(Process-1)", main_pid);
	body_has(&lt, want);
}

Test(lesson_lab, a_daemon_that_ignores_sigterm_hangs_the_exit)
{
	struct lesson_text lt;
	char want[256], err[256];
	pid_t pid;

	open_lab("[main]\nname = t\n[group s]\ncount = 1\ndaemon = yes\non_sigterm = ignore\n", false);
	member("MainProcess");
	pid = member("Process-1")->pid;
	cr_assert_eq(lab_terminate(&s.lab, "Process-1", err, sizeof err), 0, "%s", err);
	lt = wait_for_lesson("sigterm-ignored");
	snprintf(want, sizeof want, "forktop sent SIGTERM to Process-1 (pid %d), but Process-1 "
		 "ignores SIGTERM", pid);
	body_has(&lt, want);
	cr_assert_eq(lab_exit_main(&s.lab, err, sizeof err), 0, "%s", err);
	lt = wait_for_lesson("stubborn-daemon");
	snprintf(want, sizeof want, "daemonic child Process-1 (pid %d), which ignores SIGTERM", pid);
	body_has(&lt, want);
}

/* ---- the guide and the tour ------------------------------------------------ */

static struct guide guide;

static void guide_teardown(void)
{
	guide_close(&guide);
	teardown();
}

static const char *scenario_file(const char *text)
{
	static char path[64];

	snprintf(path, sizeof path, "%s", helper_temp_file(text));
	return path;
}

/* Whether the pane's title or its text holds want, read as one text: a
 * sentence may wrap anywhere (where depends on the PIDs and sources in it). */
static bool pane_has(const char *want)
{
	static char flat[16384];
	size_t used = 0;

	if (strstr(guide.title, want))
		return true;
	for (size_t i = 0; i < guide.nlines && used < sizeof flat - 1; i++)
		used += (size_t)snprintf(flat + used, sizeof flat - used, "%s%s", used ? " " : "",
					 guide.lines[i].text);
	flat[used < sizeof flat ? used : sizeof flat - 1] = '\0';
	return strstr(flat, want) != NULL;
}

Test(lesson_lab, the_guide_follows_a_tour_step_by_step, .fini = guide_teardown)
{
	static struct tour tour;
	char text[1024], err[512];
	const char *file = scenario_file(TWO_CHILDREN);
	pid_t first_main;

	snprintf(text, sizeof text,
		 "[tour]\ntitle = test\n"
		 "[step kill]\nscenario = %s\ntitle = Kill it\ndo = Press X.\nkeys = X\nuntil = reparent\n"
		 "[step look]\ntitle = Look\ndo = Press g, then N.\nuntil = reparent\n"
		 "[step again]\nscenario = %s\ntitle = Again\ndo = Press E.\nuntil = exited exit=-15\n",
		 file, file);
	cr_assert_eq(tour_load_string(text, "t.conf", "/", &tour, err, sizeof err), 0, "%s", err);
	unlink(file);
	open_lab(TWO_CHILDREN, false);
	cr_assert_eq(guide_open(&guide, &tour, lessons_dir), 0);
	first_main = member("MainProcess")->pid;
	member("Process-2");
	guide_update(&guide, &s);
	guide_build(&guide, &s, 0, false, 80);
	cr_assert(pane_has("Tour 1/3: Kill it") && pane_has("Keys: X"));

	cr_assert_eq(lab_kill_main(&s.lab, err, sizeof err), 0, "%s", err);
	for (int i = 0; i < 100 && !guide.step_done; i++) {
		tick();
		guide_update(&guide, &s);
	}
	for (int i = 0; i < 10; i++) { /* both children re-parented: two events */
		tick();
		guide_update(&guide, &s);
	}
	cr_assert_eq(guide.step, 0, "a done step stays on screen until N");
	guide_build(&guide, &s, 0, false, 80);
	cr_assert(pane_has("Tour 1/3, done: Kill it") && pane_has("Press N for the next step, Look."),
		  "%s", guide.title);
	cr_assert(pane_has("Done: re-parented "), "the Done line quotes the step's event");
	cr_assert(pane_has("Why: "), "the pane explains the step's event");

	/* The reparent events came while step 1 was shown: they complete it, not step 2. */
	cr_assert_eq(guide_move(&guide, &s, true, err, sizeof err), 0, "%s", err);
	for (int i = 0; i < 10; i++) {
		tick();
		guide_update(&guide, &s);
	}
	cr_assert_eq(guide.step, 1);
	cr_assert_not(guide.step_done, "an event before N completed the step after it");
	guide_build(&guide, &s, 0, false, 80);
	cr_assert(pane_has("Tour 2/3: Look"), "%s", guide.title);

	cr_assert_eq(guide_move(&guide, &s, true, err, sizeof err), 0, "%s", err);
	cr_assert_eq(guide.step, 2);
	cr_assert_neq(member("MainProcess")->pid, first_main, "the step restarted the lab");
	member("Process-2");
	cr_assert_eq(lab_exit_main(&s.lab, err, sizeof err), 0, "%s", err);
	for (int i = 0; i < 100 && !guide.step_done; i++) {
		tick();
		guide_update(&guide, &s);
	}
	cr_assert(guide.step_done, "the exit code -15 completed the last step");
	/* The lab's last messages (the exit routine's terminate()) may come after
	 * the exit code the kernel showed: the pane is built again each round. */
	for (int i = 0; i < 200 && !pane_has("Why: A daemonic child terminated"); i++) {
		tick();
		guide_update(&guide, &s);
		guide_build(&guide, &s, 0, false, 80);
	}
	cr_assert(pane_has("That was the last step: N ends the tour."));
	cr_assert(pane_has("Why: A daemonic child terminated"), "the pane explains the step's event");
	cr_assert_eq(guide_move(&guide, &s, true, err, sizeof err), 0, "%s", err);
	guide_build(&guide, &s, 0, false, 80);
	cr_assert(pane_has("Tour: the end"));
	cr_assert_eq(guide_move(&guide, &s, true, err, sizeof err), -1);
	cr_assert(strstr(err, "the tour is over"));
}

/* ---- tour files ------------------------------------------------------------ */

static void tour_refused(const char *text, const char *want)
{
	static struct tour tour;
	char err[1024] = "";

	cr_assert_eq(tour_load_string(text, "t.conf", "/", &tour, err, sizeof err), -1, "accepted: %s",
		     text);
	cr_assert(strstr(err, want), "error '%s' lacks '%s'", err, want);
}

Test(lesson, broken_tours_are_refused_with_file_and_line)
{
	char text[1024];
	const char *file = scenario_file(TWO_CHILDREN);

	snprintf(text, sizeof text, "[step a]\nscenario = %s\ntitle = A\ndo = x\ncolour = red\n", file);
	tour_refused(text, "t.conf:5: unknown key 'colour' in [step a]");
	snprintf(text, sizeof text, "[step a]\nscenario = %s\ntitle = A\ndo = x\nuntil = explosion\n", file);
	tour_refused(text, "t.conf:5: until 'explosion': 'explosion' is not an event kind");
	snprintf(text, sizeof text, "[step a]\nscenario = %s\ndo = x\n", file);
	tour_refused(text, "t.conf:1: [step a] has no 'title'");
	snprintf(text, sizeof text, "[step a]\nscenario = %s\ntitle = A\ndo = x\n[step a]\ntitle = B\n", file);
	tour_refused(text, "t.conf:5: step 'a' is defined twice");
	snprintf(text, sizeof text, "[step a]\nscenario = %s\ntitle = A\ndo = x\n[steps]\ntitle = B\n", file);
	tour_refused(text, "t.conf:6: unknown section [steps]");
	snprintf(text, sizeof text, "[step a]\nscenario = %s\ntitle = A\ndo = x\nkeys = \x1b[2J\n", file);
	tour_refused(text, "t.conf:5: a control character in the value of 'keys'");
	unlink(file);
	tour_refused("[step a]\ntitle = A\ndo = x\n", "t.conf:1: the first step must name a scenario");
	tour_refused("[step a]\nscenario = no-such-scenario-anywhere\n",
		     "t.conf:2: scenario 'no-such-scenario-anywhere': no file and no shipped scenario");
	tour_refused("[step a]\nscenario = ./missing.conf\n", "t.conf:2: scenario './missing.conf': //./missing.conf");
	tour_refused("[tour]\ntitle = x\n", "t.conf:1: no [step NAME] section");
	tour_refused("not ini at all\n", "t.conf:1: not a 'key = value' line");
	memset(text, 'x', 300);
	memcpy(text, "[tour]\ntitle = ", 15);
	text[300] = '\0';
	tour_refused(text, "t.conf:2: longer than 198 characters");
}

Test(lesson, a_value_goes_on_over_indented_lines)
{
	static struct tour tour;
	char text[512], err[512];
	const char *file = scenario_file(TWO_CHILDREN);

	snprintf(text, sizeof text, "[step a]\nscenario = %s\ntitle = A\ndo = first part\n"
		 "  second part\nuntil = exited exit=-15\n", file);
	cr_assert_eq(tour_load_string(text, "t.conf", "/", &tour, err, sizeof err), 0, "%s", err);
	unlink(file);
	cr_assert_str_eq(tour.steps[0].task, "first part second part");
	cr_assert_eq(tour.steps[0].until_kind, EV_EXITED);
	cr_assert_eq(tour.steps[0].nuntil, 1);
	cr_assert_str_eq(tour.steps[0].until[0].field, "exit");
	cr_assert_str_eq(tour.steps[0].until[0].value, "-15");
}

static void until_refused(const char *until, const char *want)
{
	char text[512];
	const char *file = scenario_file(TWO_CHILDREN);

	snprintf(text, sizeof text, "[step a]\nscenario = %s\ntitle = A\ndo = x\nuntil = %s\n",
		 file, until);
	tour_refused(text, want);
	unlink(file);
}

Test(lesson, an_until_names_a_kind_and_fields_it_has)
{
	until_refused("lab exitcode -15", "t.conf:5: until 'lab exitcode -15': 'lab' is not an event kind");
	until_refused("exited code=-15", "t.conf:5: until 'exited code=-15': an event of kind exited has no "
		      "field 'code'");
	until_refused("join_began Process-1", "t.conf:5: until 'join_began Process-1': 'Process-1' "
		      "is not FIELD=VALUE");
	until_refused("exited =1", "is not FIELD=VALUE");
	until_refused("exited exit=1 exit=2 exit=3 exit=4 exit=5", "at most 4 conditions");
	until_refused("join_began target=*a*b*c*d*e", "at most 4 '*' in a value");
}

static void until(struct tour_step *st, enum event_kind kind, const char *field, const char *value)
{
	*st = (struct tour_step){ .has_until = true, .until_kind = kind };
	if (field) {
		snprintf(st->until[0].field, sizeof st->until[0].field, "%s", field);
		snprintf(st->until[0].value, sizeof st->until[0].value, "%s", value);
		st->nuntil = 1;
	}
}

Test(lesson, a_step_is_done_by_its_kind_of_event_with_its_fields)
{
	struct tour_step st;
	struct track_event ev = about(EV_JOIN_RETURNED, 10, "MainProcess", 13, "Process-3");

	ev.exit_status = SIGTERM;
	until(&st, EV_JOIN_RETURNED, "target", "Process-*");
	cr_assert(tour_step_done_by(&st, &ev));
	until(&st, EV_JOIN_RETURNED, "target", "Process-4");
	cr_assert_not(tour_step_done_by(&st, &ev));
	until(&st, EV_JOIN_RETURNED, "target", "Process");
	cr_assert_not(tour_step_done_by(&st, &ev), "a value matches whole");
	until(&st, EV_JOIN_RETURNED, "exit", "-15");
	cr_assert(tour_step_done_by(&st, &ev));
	until(&st, EV_JOIN_RETURNED, NULL, NULL);
	cr_assert(tour_step_done_by(&st, &ev), "no condition: any event of the kind");
	ev.kind = EV_JOIN_BEGAN;
	cr_assert_not(tour_step_done_by(&st, &ev));
	ev = built(EV_REPARENT, 10, "Process-1");
	ev.old_ppid = 9, ev.new_ppid = 1;
	until(&st, EV_REPARENT, "new_ppid", "1");
	cr_assert(tour_step_done_by(&st, &ev));
	st.has_until = false;
	cr_assert_not(tour_step_done_by(&st, &ev));
}

/* ---- wrapping -------------------------------------------------------------- */

Test(lesson, text_wraps_at_spaces_by_display_width)
{
	size_t next, n;

	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
	n = guide_wrap("one two three", 8, &next);
	cr_assert_eq(n, 7);
	cr_assert_eq(next, 8);
	n = guide_wrap("abcdefghij", 4, &next);
	cr_assert_eq(n, 4, "a word longer than the line is cut");
	cr_assert_eq(next, 4);
	n = guide_wrap("para\nnext", 20, &next);
	cr_assert_eq(n, 4);
	cr_assert_eq(next, 5);
	n = guide_wrap("\xe6\xbc\xa2\xe5\xad\x97 wide", 5, &next); /* two double-width characters */
	cr_assert_eq(n, 6);
	cr_assert_eq(next, 7);
}

/* ---- threads --------------------------------------------------------------- */

Test(lesson, thread_events_pick_their_lessons_by_whose_thread_it_is)
{
	struct lesson_context ctx = hand_lab(false);
	struct track_event ev = about(EV_THREAD_STARTED, 100, "MainProcess", 105, "Thread-1 (work)");

	cr_assert_str_eq(lesson_pick(&ev, &ctx), "thread-not-a-process");
	ev.kind = EV_THREAD_AWAITED;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "main-waits-for-threads");
	ev.pid = 101;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "child-waits-for-threads",
			 "a child waits for its threads after its exit routine");
	ev.kind = EV_THREAD_CUT_OFF, ev.value = 1;
	cr_assert_str_eq(lesson_pick(&ev, &ctx), "thread-cut-off");
	ev.kind = EV_THREAD_ENDED;
	cr_assert_null(lesson_pick(&ev, &ctx), "a thread that finished needs no lesson");
}

/* The threads scenario, run for real: main's wait names its thread and its
 * daemonic child; the cut-off daemon thread is named with its TID. */
Test(lesson_lab, main_waits_for_its_thread_and_a_daemon_thread_is_cut_off)
{
	const struct track_event *started;
	const struct member *main;
	struct lesson_context ctx;
	struct lesson_text lt;
	char want[256], path[512], err[512];
	pid_t main_pid;

	snprintf(path, sizeof path, "%s/threads.conf", helper_data_dir());
	cr_assert_eq(scenario_load_file(path, &sc, err, sizeof err), 0, "%s", err);
	opt = (struct session_options){ .delay_ms = 100, .scenario = &sc };
	cr_assert_eq(session_open(&s, &opt, err, sizeof err), 0, "%s", err);
	session_is_open = true;
	cr_assert_geq(lesson_book_open(&book, lessons_dir), 0);
	main_pid = member("MainProcess")->pid;
	started = event_about(EV_THREAD_STARTED, main_pid);
	main = lab_find(&s.lab, "MainProcess");
	cr_assert_eq(member_thread_daemon(main, started->target), started->value,
		     "the monitor knows the thread's daemon flag by its TID");
	cr_assert_str_eq(member_thread_name(main, started->target), started->target_name);
	cr_assert_str_eq(member_thread_name(main, main_pid), "MainThread");
	cr_assert_eq(member_thread_daemon(main, main_pid), 0);
	ctx = context();
	cr_assert(lesson_explain(&book, started, &ctx, &lt));
	cr_assert_str_eq(lt.name, "thread-not-a-process");
	snprintf(want, sizeof want, "listed under /proc/%d/task", main_pid);
	body_has(&lt, want);
	lt = wait_for_lesson("main-waits-for-threads");
	body_has(&lt, "its non-daemon thread Thread-1 (work) (tid ");
	body_has(&lt, "the daemonic children (Process-1) live on");
	lt = wait_for_lesson("thread-cut-off");
	snprintf(want, sizeof want, "MainProcess (pid %d) exited while its daemon thread "
		 "Thread-2 (work) (tid ", main_pid);
	body_has(&lt, want);
}
