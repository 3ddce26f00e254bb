/* CPU% and threads against the real /proc: a busy process and an idle one,
 * a process with named threads, one of them busy; and the bookkeeping of
 * shares on its own. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "../src/cpu.h"
#include "../src/scan.h"
#include "helpers.h"

#define SPIN_NS 20000000000LL /* a busy body spins this long at most */
#define READ_GAP_US 500000    /* between two readings */

static struct scan *scan;
static struct scan_snapshot snap;
static struct scan_task *tasks;
static size_t ntasks, tasks_cap;

static void setup(void)
{
	char err[256];

	cr_assert(scan_open(&scan, 0, err, sizeof err) == 0, "%s", err);
}

static void teardown(void)
{
	helper_cleanup();
	scan_snapshot_free(&snap);
	scan_close(scan);
	free(tasks);
	tasks = NULL;
	ntasks = tasks_cap = 0;
}

TestSuite(cpu, .init = setup, .fini = teardown, .timeout = 30);

static void spin(void)
{
	long long end = cpu_now_ns() + SPIN_NS;

	while (cpu_now_ns() < end)
		;
}

static void spin_body(void *arg)
{
	(void)arg;
	spin();
}

static void *spinner(void *arg)
{
	(void)arg;
	spin();
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause(); /* ends with its process */
	return NULL;
}

/* Two sleeping threads and a busy one, each named, beside the main thread. */
static void named_threads(void *arg)
{
	static const char *const names[] = { "sleeper-1", "sleeper-2", "spinner" };

	(void)arg;
	for (int i = 0; i < 3; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, i == 2 ? spinner : sleeper, NULL) != 0)
			_exit(3);
		pthread_setname_np(t, names[i]);
	}
}

/* The machine's idle and total ticks so far (/proc/stat's "cpu" line). */
static void machine_ticks(unsigned long long *idle, unsigned long long *total)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	*idle = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) == 8) {
		*idle = v[3] + v[4];
		for (int i = 0; i < 8; i++)
			*total += v[i];
	}
	fclose(f);
}

/* Whether other work kept every core busy since (idle0, total0): less than
 * 5% of the machine's time was idle. A share measured then says how busy
 * the machine was, not how forktop counts. */
static bool machine_saturated_since(unsigned long long idle0, unsigned long long total0)
{
	unsigned long long idle1, total1;

	machine_ticks(&idle1, &total1);
	return total1 > total0 && (idle1 - idle0) * 20 < total1 - total0;
}

static const struct scan_proc *find(pid_t pid)
{
	for (size_t i = 0; i < snap.count; i++)
		if (snap.procs[i].pid == pid)
			return &snap.procs[i];
	return NULL;
}

static const struct scan_task *task_named(const char *name)
{
	for (size_t i = 0; i < ntasks; i++)
		if (!strcmp(tasks[i].comm, name))
			return &tasks[i];
	return NULL;
}

/* A refresh the kernel's events bring 5 ms after the last: one tick over
 * 5 ms would say 200%; the share is said over the longer window instead. */
Test(cpu, a_window_too_short_for_ticks_keeps_its_base)
{
	struct cpu_history h;

	cpu_history_init(&h, 100);
	cr_assert_eq(cpu_note(&h, 7, 1000, 50, 1000000000LL), CPU_UNKNOWN, "a first reading");
	cpu_round_end(&h);
	cr_assert_eq(cpu_note(&h, 7, 1000, 51, 1005000000LL), CPU_UNKNOWN,
		     "5 ms later: no share yet, not 200%%");
	cpu_round_end(&h);
	cr_assert_eq(cpu_note(&h, 7, 1000, 60, 2000000000LL), 100,
		     "10 ticks over the second since the first reading");
	cpu_round_end(&h);
	cr_assert_eq(cpu_note(&h, 7, 1000, 61, 2010000000LL), 100, "10 ms later: the share said then");
	cpu_round_end(&h);
	cr_assert_eq(cpu_note(&h, 7, 1000, 160, 3000000000LL), 1000, "100 ticks in the second since");
	cpu_history_free(&h);
}

Test(cpu, shares_are_kept_by_identity_and_a_kept_record_keeps_its_share)
{
	struct cpu_history h;
	char buf[32];

	cpu_history_init(&h, 100);
	cr_assert_eq(cpu_note(&h, 7, 1000, 50, 1000000000LL), CPU_UNKNOWN, "a first reading");
	cr_assert_eq(cpu_note(&h, 3, 1000, 0, 1000000000LL), CPU_UNKNOWN);
	cpu_round_end(&h);
	cr_assert_eq(cpu_note(&h, 7, 1000, 100, 2000000000LL), 500, "50 ticks of 100 in a second");
	cr_assert_eq(cpu_note(&h, 3, 2000, 10, 2000000000LL), CPU_UNKNOWN, "a recycled PID starts afresh");
	cpu_round_end(&h);
	cr_assert_eq(cpu_note(&h, 7, 1000, 100, 2000000000LL), 500, "a record not read again");
	cpu_round_end(&h);
	cr_assert_eq(cpu_note(&h, 7, 1000, 500, 3000000000LL), 4000, "four cores kept busy");
	cpu_round_end(&h);
	/* a round in any order finds each one's previous reading */
	cr_assert_eq(cpu_note(&h, 7, 1000, 500, 3000000000LL), 4000, "kept, not read again");
	cr_assert_eq(cpu_note(&h, 9, 1000, 0, 3000000000LL), CPU_UNKNOWN);
	cpu_round_end(&h);
	cr_assert_eq(cpu_note(&h, 9, 1000, 100, 4000000000LL), 1000, "after 7 in the past round");
	cr_assert_eq(cpu_note(&h, 7, 1000, 600, 4000000000LL), 1000, "before the id just found");
	cr_assert_eq(cpu_note(&h, 8, 1000, 600, 4000000000LL), CPU_UNKNOWN, "between two, not there");
	cpu_round_end(&h);
	cpu_format_share(4000, buf, sizeof buf);
	cr_assert_str_eq(buf, "400.0");
	cpu_format_share(CPU_UNKNOWN, buf, sizeof buf);
	cr_assert_str_eq(buf, "-");
	cpu_format_time(100 * 3723 + 45, 100, buf, sizeof buf);
	cr_assert_str_eq(buf, "62:03.45");
	cpu_history_free(&h);
}

Test(cpu, a_busy_process_and_an_idle_one_between_two_snapshots)
{
	pid_t busy = helper_fork(spin_body, NULL), idle = helper_fork(NULL, NULL);
	pid_t pids[] = { busy, idle };
	unsigned long long idle0, total0;

	cr_assert(helper_wait_state(idle, 'S', 5000), "the idle child never went to sleep");
	cr_assert_eq(scan_select(scan, pids, 2, &snap), 0);
	cr_assert(find(busy) && find(idle));
	cr_assert_eq(find(busy)->cpu, CPU_UNKNOWN, "nothing to compare a first reading with");
	machine_ticks(&idle0, &total0);
	usleep(READ_GAP_US);
	cr_assert_eq(scan_select(scan, pids, 2, &snap), 0);
	cr_assert(find(busy) && find(idle));
	if (find(busy)->cpu < 300 && machine_saturated_since(idle0, total0))
		cr_skip_test("other work kept every core busy: the busy child got %d tenths", find(busy)->cpu);
	/* a core kept busy is 100%; a shared machine may give it less */
	cr_assert_geq(find(busy)->cpu, 300, "busy: %d tenths of a percent", find(busy)->cpu);
	cr_assert_leq(find(busy)->cpu, 1100, "busy: %d tenths of a percent", find(busy)->cpu);
	cr_assert_leq(find(idle)->cpu, 50, "idle: %d tenths of a percent", find(idle)->cpu);
	cr_assert_gt(find(busy)->ticks, 0);
}

static bool named_threads_up(void *arg)
{
	pid_t pid = *(pid_t *)arg;
	struct scan_stat_line st;

	ntasks = 0;
	if (!scan_read_stat(pid, &st) || st.threads != 4 ||
	    scan_tasks(scan, pid, st.start_time, &tasks, &ntasks, &tasks_cap) != 4)
		return false;
	return task_named("spinner") && task_named("sleeper-2");
}

Test(cpu, threads_with_their_names_states_and_shares)
{
	pid_t child = helper_fork(named_threads, NULL);
	struct scan_stat_line st;
	const struct scan_task *t;
	unsigned long long idle0, total0;

	cr_assert(helper_wait_for(named_threads_up, &child, 5000), "four named threads never showed");
	scan_tasks_done(scan);
	cr_assert(scan_read_stat(child, &st));
	cr_assert_eq(tasks[0].tid, child, "the main thread first, its TID the PID");
	cr_assert_str_eq(tasks[0].comm, st.comm);
	for (size_t i = 1; i < ntasks; i++)
		cr_assert_gt(tasks[i].tid, tasks[i - 1].tid, "by TID");
	machine_ticks(&idle0, &total0);
	usleep(READ_GAP_US);
	ntasks = 0;
	cr_assert_eq(scan_tasks(scan, child, st.start_time, &tasks, &ntasks, &tasks_cap), 4);
	scan_tasks_done(scan);
	cr_assert((t = task_named("spinner")));
	if (t->cpu < 300 && machine_saturated_since(idle0, total0))
		cr_skip_test("other work kept every core busy: the busy thread got %d tenths", t->cpu);
	cr_assert_geq(t->cpu, 300, "the busy thread: %d tenths of a percent", t->cpu);
	cr_assert((t = task_named("sleeper-1")));
	cr_assert_eq(t->state, 'S');
	cr_assert_leq(t->cpu, 50, "a sleeping thread: %d", t->cpu);
	ntasks = 0;
	cr_assert_eq(scan_tasks(scan, child, st.start_time + 1, &tasks, &ntasks, &tasks_cap), 0,
		     "another start time: another process, none of its threads");
	cr_assert_eq(ntasks, 0);
}

/* CPU% summed over a frame's process objects that ask(): a process's own
 * share, or its threads' shares. */
static double frame_cpu(json_t *frame, bool (*ask)(json_t *proc, pid_t root), pid_t root)
{
	json_t *procs = json_object_get(frame, "processes"), *p;
	double sum = 0;
	size_t i;

	json_array_foreach(procs, i, p)
		if (ask(p, root) && json_is_number(json_object_get(p, "cpu")))
			sum += json_number_value(json_object_get(p, "cpu"));
	return sum;
}

static bool is_root_with_threads(json_t *p, pid_t root)
{
	return json_integer_value(json_object_get(p, "pid")) == root &&
	       json_array_size(json_object_get(p, "tasks")) == 5;
}

static bool is_child_of_root(json_t *p, pid_t root)
{
	return json_integer_value(json_object_get(p, "ppid")) == root &&
	       !json_is_true(json_object_get(p, "tombstone"));
}

/* The shipped example: four threads of one process share one core; four
 * processes use more than one (this machine has two cores at least) where
 * the machine leaves them more: when other work kept every core busy the
 * whole time, the threads could not fill their core nor the processes
 * two, and the test says so rather than failing. */
Test(cpu, the_gil_example_shows_threads_sharing_a_core_and_processes_using_more)
{
	char path[4096];
	json_t *lines[200];
	double threads_max = 0, processes_max = 0;
	unsigned long long idle0, total0;
	pid_t root = 0;
	int n;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		cr_skip_test("one core: processes cannot use more than threads");
	snprintf(path, sizeof path, "%s/examples/gil.py", helper_data_dir());
	machine_ticks(&idle0, &total0);
	n = helper_run_ndjson((char *[]){ "--json", "--threads", "--delay", "500", "--", "/usr/bin/python3",
					  path, "3", NULL }, lines, 200, 30000);
	for (int i = 0; i < n; i++) {
		json_t *l = lines[i];

		if (!root && !strcmp(json_string_value(json_object_get(l, "event")) ?: "", "program_started"))
			root = (pid_t)json_integer_value(json_object_get(l, "pid"));
		if (!root || strcmp(json_string_value(json_object_get(l, "type")), "frame"))
			continue;
		double t = frame_cpu(l, is_root_with_threads, root), p = frame_cpu(l, is_child_of_root, root);

		threads_max = t > threads_max ? t : threads_max;
		processes_max = p > processes_max ? p : processes_max;
	}
	helper_free_lines(lines, &n);
	cr_assert_gt(root, 0, "no program_started event");
	if ((threads_max <= 50 || processes_max < 130) && machine_saturated_since(idle0, total0))
		cr_skip_test("other work kept every core busy: the four threads got %.1f%%, "
			     "the four processes %.1f%% between them", threads_max, processes_max);
	cr_assert_gt(threads_max, 50, "the threads' process was never seen busy: %.1f", threads_max);
	cr_assert_leq(threads_max, 135, "four threads of one process: one core (%.1f%%)", threads_max);
	cr_assert_geq(processes_max, 130, "four processes: more than one core (%.1f%%)", processes_max);
}
