/* batch mode end to end: the real binary, real processes, output parsed back. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define OUTCAP (4 << 20)

static char *out, err[8192];

static void setup(void)
{
	out = malloc(OUTCAP);
	cr_assert_not_null(out);
}

static void teardown(void)
{
	helper_cleanup();
	free(out);
}

TestSuite(batch, .init = setup, .fini = teardown, .timeout = 60);

static int run(char *const extra[])
{
	char *argv[32] = { (char *)helper_forktop() };
	int n = 1, status;

	for (int i = 0; extra[i] && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	status = helper_run(argv, out, OUTCAP, err, sizeof err, 20000);
	cr_assert(WIFEXITED(status), "forktop did not exit normally (status %#x)", status);
	return WEXITSTATUS(status);
}

/* The object of array whose integer field key is value, or NULL. */
static json_t *find_by(json_t *array, const char *key, json_int_t value)
{
	json_t *o;
	size_t i;

	json_array_foreach(array, i, o)
		if (json_integer_value(json_object_get(o, key)) == value)
			return o;
	return NULL;
}

/* Looks for pid in a JSON frame's processes; returns the object or NULL. */
static json_t *find_proc(json_t *frame, pid_t pid)
{
	return find_by(json_object_get(frame, "processes"), "pid", pid);
}

static void name_hostile(void *arg)
{
	prctl(PR_SET_NAME, (unsigned long)arg, 0, 0, 0);
}

Test(batch, json_frames_parse_and_hold_this_test)
{
	const char *hostile = "\x1b]0;pwn\x07\xff";
	pid_t child = helper_fork(name_hostile, (void *)hostile);
	int frames = 0;
	json_t *last = NULL;

	cr_assert_eq(run((char *[]){ "--batch", "--all", "--json", "--iterations", "2",
				     "--delay", "100", NULL }), 0, "stderr: %s", err);
	for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *obj = json_loads(line, 0, &jerr);

		cr_assert_not_null(obj, "not JSON: %s (%s)", line, jerr.text);
		if (strcmp(json_string_value(json_object_get(obj, "type")), "frame") == 0) {
			frames++;
			json_decref(last);
			last = json_incref(obj);
		}
		json_decref(obj);
	}
	cr_assert_eq(frames, 2);
	json_t *self = find_proc(last, getpid()), *kid = find_proc(last, child);
	cr_assert_not_null(self, "the test's own process is in the frame");
	cr_assert_eq(json_integer_value(json_object_get(self, "ppid")), getppid());
	cr_assert_not_null(kid);
	cr_assert_eq(json_integer_value(json_object_get(kid, "ppid")), getpid());
	cr_assert_str_eq(json_string_value(json_object_get(kid, "name")), "\\x1b]0;pwn\\x07\\xff");
	cr_assert(json_is_null(json_object_get(kid, "daemon")));
	cr_assert(json_is_null(json_object_get(kid, "exit")));
	json_decref(last);
}

Test(batch, text_frame_shows_columns_and_family)
{
	pid_t child = helper_fork(NULL, NULL);
	char pidtext[16], want[64];

	/* Its row is checked with state S: under memcheck a fork runs a while first. */
	cr_assert(helper_wait_state(child, 'S', 5000), "the child never went to sleep");
	snprintf(pidtext, sizeof pidtext, "%d", getpid());
	cr_assert_eq(run((char *[]){ "--batch", "--pid", pidtext, "--iterations", "1", "--ascii", NULL }), 0,
		     "stderr: %s", err);
	cr_assert(strstr(out, "    PID    PPID S DAEMON EXIT  CPU%     TIME+ NAME\n"), "%s", out);
	cr_assert(strstr(out, "view: family"), "%s", out);
	snprintf(want, sizeof want, "\n%7d %7d S -         - ", child, getpid());
	cr_assert(strstr(out, want), "child row missing: [%s] in\n%s", want, out);
	snprintf(want, sizeof want, "\n%7d %7d ", getppid(), helper_ppid_of(getppid()));
	cr_assert(strstr(out, want), "ancestor row missing in\n%s", out);
	cr_assert_null(strstr(out, "\n      2       0 "), "kthreadd is not in this family:\n%s", out);
}

static void exit_soon(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, (unsigned long)"exiting-child", 0, 0, 0);
	usleep(400 * 1000);
	_exit(5);
}

Test(batch, events_between_frames)
{
	char pidtext[16], want[96];
	pid_t child;

	snprintf(pidtext, sizeof pidtext, "%d", getpid());
	child = helper_fork(exit_soon, NULL); /* a zombie 0.4 s into the run */
	cr_assert_eq(run((char *[]){ "--batch", "--pid", pidtext, "--iterations", "8", "--delay", "200",
				     "--ascii", NULL }), 0, "stderr: %s", err);
	snprintf(want, sizeof want, " zombie %d exiting-child under %d, exit code 5\n", child,
		 getpid());
	cr_assert(strstr(out, "events:\n"), "%s", out);
	cr_assert(strstr(out, want), "missing [%s] in\n%s", want, out);
}

Test(batch, text_events_hold_a_long_line_whole_and_mark_a_cut)
{
	static char want[8 * 70000];
	size_t used;

	/* 5,000 bytes, then 100,000 bytes of "x", e-acutes and "y": cut at 64 KiB */
	cr_assert_eq(run((char *[]){ "--batch", "--ascii", "--delay", "200", "--", "python3", "-c",
				     "import sys\n"
				     "sys.stdout.write('A' * 4999 + 'Z\\n')\n"
				     "sys.stdout.write('x' + '\\u00e9' * 49999 + 'y\\n')\n", NULL }),
		     0, "stderr: %s", err);
	used = (size_t)snprintf(want, sizeof want, " | ");
	memset(want + used, 'A', 4999);
	strcpy(want + used + 4999, "Z\n");
	cr_assert(strstr(out, want), "the 5,000-byte line is not whole in the events");
	used = (size_t)snprintf(want, sizeof want, " | x");
	for (int i = 0; i < 32767; i++) /* the character across the limit goes whole */
		used += (size_t)snprintf(want + used, sizeof want - used, "\\xc3\\xa9");
	snprintf(want + used, sizeof want - used, " [... 34465 bytes cut]\n");
	cr_assert(strstr(out, want), "the 100,000-byte line is not cut at 64 KiB with its mark");
}

static void *sleep_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause(); /* ends with its process */
	return NULL;
}

/* Two named threads that sleep, beside the main thread. */
static void two_named_threads(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 2; i++) {
		char name[16];
		pthread_t t;

		if (pthread_create(&t, NULL, sleep_forever, NULL) != 0)
			_exit(3);
		snprintf(name, sizeof name, "tworker-%d", i);
		pthread_setname_np(t, name);
	}
}

static bool has_threads(void *arg)
{
	char path[64], line[64];
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", *(pid_t *)arg);
	if (!(f = fopen(path, "r")))
		return false;
	while (fgets(line, sizeof line, f))
		if (!strcmp(line, "Threads:\t3\n")) {
			fclose(f);
			return true;
		}
	fclose(f);
	return false;
}

static json_t *task_of(json_t *proc, pid_t tid)
{
	return find_by(json_object_get(proc, "tasks"), "tid", tid);
}

Test(batch, threads_are_each_process_tasks_in_json_and_lines_in_text)
{
	pid_t child = helper_fork(two_named_threads, NULL), single = helper_fork(NULL, NULL);
	char pidtext[16], want[96];
	json_t *lines[64], *frame = NULL, *kid, *one, *t;
	int n;

	cr_assert(helper_wait_for(has_threads, &child, 5000), "the child's threads never started");
	cr_assert(helper_wait_state(single, 'S', 5000));
	usleep(100 * 1000); /* the names are set just after the threads start */
	snprintf(pidtext, sizeof pidtext, "%d", getpid());
	n = helper_run_ndjson((char *[]){ "--json", "--threads", "--pid", pidtext, "--iterations", "2",
					  "--delay", "300", NULL }, lines, 64, 20000);
	for (int i = 0; i < n; i++)
		if (!strcmp(json_string_value(json_object_get(lines[i], "type")), "frame"))
			frame = lines[i];
	cr_assert_not_null(frame);
	cr_assert_not_null(kid = find_proc(frame, child));
	cr_assert_eq(json_array_size(json_object_get(kid, "tasks")), 3, "main and two threads");
	cr_assert_not_null(t = task_of(kid, child), "the main thread's TID is the PID");
	cr_assert(json_is_null(json_object_get(t, "daemon")), "no lab, no hook: unknown");
	cr_assert_str_eq(json_string_value(json_object_get(t, "state")), "S");
	cr_assert(json_is_number(json_object_get(t, "cpu")), "the second frame measures it");
	json_t *named = json_array_get(json_object_get(kid, "tasks"), 2);
	cr_assert_str_eq(json_string_value(json_object_get(named, "name")), "tworker-2");
	cr_assert(json_is_number(json_object_get(kid, "cpu")) && json_is_number(json_object_get(kid, "cpu_time")));
	cr_assert(json_is_integer(json_object_get(kid, "elapsed")), "seconds since it started");
	cr_assert_lt(json_integer_value(json_object_get(kid, "elapsed")), 60, "it started just now");
	cr_assert_not_null(one = find_proc(frame, single));
	cr_assert_eq(json_array_size(json_object_get(one, "tasks")), 1, "one thread: its own record");
	cr_assert_not_null(task_of(one, single));
	helper_free_lines(lines, &n);

	cr_assert_eq(run((char *[]){ "--batch", "--threads", "--pid", pidtext, "--iterations", "1", "--ascii",
				     NULL }), 0, "stderr: %s", err);
	snprintf(want, sizeof want, "%7d%8s S -", child, " ");
	cr_assert(strstr(out, want), "the main thread's line [%s] in\n%s", want, out);
	cr_assert(strstr(out, "{tworker-1}\n") && strstr(out, "{tworker-2}\n"), "%s", out);
	snprintf(want, sizeof want, "\n%7d%8s S", single, " ");
	cr_assert_null(strstr(out, want), "one thread is no line of its own:\n%s", out);
}

/* The object of array whose string field key is name, or NULL. */
static json_t *find_named(json_t *array, const char *key, const char *name)
{
	json_t *o;
	size_t i;

	json_array_foreach(array, i, o)
		if (!strcmp(json_string_value(json_object_get(o, key)) ?: "", name))
			return o;
	return NULL;
}

static json_t *task_named(json_t *proc, const char *name)
{
	return find_named(json_object_get(proc, "tasks"), "name", name);
}

static json_t *lab_proc_named(json_t *frame, const char *name)
{
	return find_named(json_object_get(frame, "processes"), "lab_name", name);
}

/* The threads scenario: MainProcess's threads carry the names and daemon
 * flags the lab told, in NDJSON tasks and in the text's thread lines. */
Test(batch, the_labs_threads_have_their_python_names_and_daemon_flags)
{
	json_t *lines[200], *frame = NULL, *main_proc, *t;
	int n;

	n = helper_run_ndjson((char *[]){ "--json", "--threads", "--scenario", "threads", "--iterations", "3",
					  "--delay", "150", NULL }, lines, 200, 20000);
	for (int i = 0; i < n; i++) /* the last frame while main still has its three threads */
		if (!strcmp(json_string_value(json_object_get(lines[i], "type")), "frame") &&
		    (main_proc = lab_proc_named(lines[i], "MainProcess")) &&
		    json_array_size(json_object_get(main_proc, "tasks")) == 3)
			frame = lines[i];
	cr_assert_not_null(frame, "no frame showed MainProcess with its three threads");
	main_proc = lab_proc_named(frame, "MainProcess");
	cr_assert_not_null(t = task_named(main_proc, "MainThread"));
	cr_assert_eq(json_integer_value(json_object_get(t, "tid")), json_integer_value(json_object_get(main_proc, "pid")));
	cr_assert(json_is_false(json_object_get(t, "daemon")), "MainThread is no daemon thread");
	cr_assert_not_null(t = task_named(main_proc, "Thread-1 (work)"));
	cr_assert(json_is_false(json_object_get(t, "daemon")));
	cr_assert_not_null(t = task_named(main_proc, "Thread-2 (work)"));
	cr_assert(json_is_true(json_object_get(t, "daemon")));
	helper_free_lines(lines, &n);

	cr_assert_eq(run((char *[]){ "--batch", "--threads", "--scenario", "threads", "--iterations", "2",
				     "--delay", "150", "--ascii", NULL }), 0, "stderr: %s", err);
	cr_assert(strstr(out, " S no            ") && strstr(out, "{MainThread}\n"), "%s", out);
	cr_assert(strstr(out, "{Thread-2 (work)}\n"), "%s", out);
}
