/* The monitor's side of the Python hook with real sockets and a real
 * CPython: the hook's numbers are the monitor's, a hello names its member,
 * and a report from outside the family, or about another process, is
 * refused with an event and changes nothing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../src/datafile.h"
#include "../src/event.h"
#include "../src/family.h"
#include "../src/labmsg.h"
#include "../src/pyhook.h"
#include "helpers.h"

static struct track *track;
static struct family fam;
static struct pyhook hook;
static bool started;

static void setup(void)
{
	char err[512];

	cr_assert_eq(track_new(&track, 256), 0);
	cr_assert_eq(pyhook_open(&hook, track, err, sizeof err), 0, "%s", err);
}

static void teardown(void)
{
	if (started)
		family_close(&fam, 1000);
	started = false;
	pyhook_close(&hook);
	track_free(track);
	helper_cleanup();
}

TestSuite(pyhook, .init = setup, .fini = teardown, .timeout = 30);

/* ---- the numbers of data/python/forktop_hook/wire.py */

static char *wire_text(void)
{
	char path[PATH_MAX], looked[1024], err[512], *text = NULL;

	cr_assert_eq(datafile_find("python/forktop_hook/wire.py", path, sizeof path, looked,
				   sizeof looked), 0, "no wire.py in %s", looked);
	cr_assert_eq(datafile_read(path, 1 << 16, &text, err, sizeof err), 0, "%s", err);
	return text;
}

/* The number NAME is given on a line "NAME = NUMBER"; -1 when none. */
static long constant(const char *text, const char *name)
{
	char pattern[128];
	regex_t re;
	regmatch_t m[2];
	long v = -1;

	snprintf(pattern, sizeof pattern, "^%s = (0x[0-9A-Fa-f]+|[0-9]+)$", name);
	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE), 0);
	if (regexec(&re, text, 2, m, 0) == 0)
		v = strtol(text + m[1].rm_so, NULL, 0);
	regfree(&re);
	return v;
}

Test(pyhook, the_hooks_numbers_are_the_monitors)
{
	static const struct {
		const char *name;
		long value;
	} fixed[] = {
		{ "MAGIC", LAB_MSG_MAGIC },	  { "HELLO", LAB_HELLO },
		{ "NEW_CHILD", LAB_NEW_CHILD },	  { "REPORT", LAB_REPORT },
		{ "REAPED", LAB_REAPED },	  { "JOIN_BEGIN", LAB_JOIN_BEGIN },
		{ "JOIN_END", LAB_JOIN_END },	  { "JOIN_TIMEOUT", LAB_JOIN_TIMEOUT },
		{ "ALIVE", LAB_ALIVE },		  { "HELLO_DAEMON", LAB_HELLO_DAEMON },
		{ "HELLO_TRACKER", LAB_HELLO_TRACKER }, { "HELLO_FORKSERVER", LAB_HELLO_FORKSERVER },
		{ "HELLO_POOL_WORKER", LAB_HELLO_POOL_WORKER }, { "HELLO_MANAGER", LAB_HELLO_MANAGER },
		{ "HELLO_EXECUTOR_WORKER", LAB_HELLO_EXECUTOR_WORKER },
		{ "NAME_MAX", LAB_NAME_MAX },	  { "TEXT_MAX", LAB_TEXT_MAX },
	};
	char *text = wire_text(), upper[64];
	int kinds = 0;

	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		cr_expect_eq(constant(text, fixed[i].name), fixed[i].value, "wire.py's %s",
			     fixed[i].name);
	/* every kind a report may carry: wire.py's number for it is its kind here */
	for (int k = 0; k < EV_KIND_COUNT; k++) {
		const char *id = event_kind_name((enum event_kind)k);
		long v;
		size_t j;

		for (j = 0; id[j] && j < sizeof upper - 1; j++)
			upper[j] = (char)(id[j] >= 'a' && id[j] <= 'z' ? id[j] - 32 : id[j]);
		upper[j] = '\0';
		if ((v = constant(text, upper)) < 0)
			continue;
		kinds++;
		cr_expect_eq(v, k, "wire.py's %s is %ld, the monitor's %d", upper, v, k);
		cr_expect(event_kind_from_lab((enum event_kind)k), "%s may come in a report", id);
	}
	cr_expect_geq(kinds, 12, "wire.py names the kinds the hook reports (%d)", kinds);
	free(text);
}

/* ---- real connections */

/* Starts python3 -c code as the family's program, with the hook. */
static void start_python(const char *code)
{
	char path[PATH_MAX + 16], address[128], err[512], *env[3];
	char *argv[] = { "python3", "-c", (char *)code, NULL };

	cr_assert_eq(pyhook_environment(&hook, path, sizeof path, address, sizeof address, env), 2);
	cr_assert_eq(family_start(&fam, argv, env, track, err, sizeof err), 0, "%s", err);
	started = true;
}

/* Polls the hook's descriptors and handles them until cond holds, for at
 * most timeout_ms. */
static bool serve_until(bool (*cond)(void), int timeout_ms)
{
	struct pollfd fds[64];

	for (int waited = 0; waited < timeout_ms; waited += 20) {
		size_t n = pyhook_poll_fds(&hook, fds, 64);

		if (poll(fds, n, 20) > 0)
			pyhook_handle(&hook, &fam, fds, n);
		if (cond())
			return true;
	}
	return cond();
}

/* The newest event of this kind (a refusal: with this reason), or NULL. */
static const struct track_event *newest(enum event_kind kind, int reason)
{
	for (unsigned long long seq = track_last_seq(track); seq > 0; seq--) {
		const struct track_event *ev = track_event(track, seq);

		if (ev && ev->kind == kind && (kind != EV_REFUSED || ev->value == reason))
			return ev;
	}
	return NULL;
}

static bool renamed(void)
{
	return !strcmp(fam.members[0].name, "Renamed");
}

Test(pyhook, a_hello_names_its_member_with_its_daemon_flag)
{
	start_python("import os, time\n"
		     "from forktop_hook import wire\n"
		     "link = wire.Link('\\0' + os.environ['FORKTOP_PYHOOK'])\n"
		     "link.send(wire.record(wire.HELLO, name='Renamed', value=wire.HELLO_DAEMON))\n"
		     "time.sleep(20)\n");
	cr_assert(serve_until(renamed, 10000), "the hello named the program: %s",
		  fam.members[0].name);
	cr_expect(fam.members[0].python);
	cr_expect(fam.members[0].daemon, "the hello's daemon flag");
	cr_expect_null(newest(EV_REFUSED, REFUSAL_REPORT_MALFORMED), "nothing was refused");
}

static bool refused_malformed(void)
{
	return newest(EV_REFUSED, REFUSAL_REPORT_MALFORMED) != NULL;
}

Test(pyhook, a_record_about_another_process_is_refused_and_changes_nothing)
{
	const struct member *child;

	/* a hello about its own child, a member of the family too */
	start_python("import os, subprocess, time\n"
		     "from forktop_hook import wire\n"
		     "child = subprocess.Popen(['sleep', '20'])\n"
		     "time.sleep(0.3)\n"
		     "link = wire.Link('\\0' + os.environ['FORKTOP_PYHOOK'])\n"
		     "record = bytearray(wire.record(wire.HELLO, name='Impostor'))\n"
		     "record[8:12] = child.pid.to_bytes(4, 'little')\n"
		     "link.send(bytes(record))\n"
		     "time.sleep(20)\n");
	cr_assert(serve_until(refused_malformed, 10000), "a record about its child was refused");
	cr_expect_eq(newest(EV_REFUSED, REFUSAL_REPORT_MALFORMED)->target, fam.members[0].pid,
		     "the refusal names the sender");
	cr_expect_str_eq(fam.members[0].name, "MainProcess", "the hook's own hello named it");
	for (size_t i = 0; i < fam.count; i++)
		cr_expect_str_neq(fam.members[i].name, "Impostor", "no member took the record's name");
	child = fam.count > 1 ? &fam.members[1] : NULL;
	cr_expect(!child || !child->python, "the child was not made a Python member");
}

static bool refused_stranger(void)
{
	return newest(EV_REFUSED, REFUSAL_REPORT_STRANGER) != NULL;
}

Test(pyhook, a_process_outside_the_family_is_not_believed)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct lab_msg hello = lab_msg_make(LAB_HELLO, getpid(), "Stranger", NULL);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	start_python("import time; time.sleep(20)");
	memcpy(sa.sun_path + 1, hook.address, strlen(hook.address));
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa,
			     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
					 strlen(hook.address))), 0, "%s", strerror(errno));
	cr_assert_eq(lab_msg_send(fd, &hello, -1), 0);
	cr_assert(serve_until(refused_stranger, 5000), "this test process was refused");
	cr_expect_eq(newest(EV_REFUSED, REFUSAL_REPORT_STRANGER)->target, getpid());
	cr_expect_null(family_newest(&fam, getpid()), "it did not join the family");
	for (size_t i = 0; i < hook.nconns; i++)
		cr_expect_neq(hook.conns[i].pid, getpid(), "its connection was closed");
	close(fd);
}

static bool refused_other_user(void)
{
	return newest(EV_REFUSED, REFUSAL_REPORT_OTHER_USER) != NULL;
}

static bool child_named(void)
{
	for (size_t i = 1; i < fam.count; i++)
		if (!strcmp(fam.members[i].name, "Inheritor"))
			return true;
	return false;
}

/* A forked child sends on its parent's connection: the kernel's stamp on
 * each record names the child, which is believed about itself; once it
 * runs as another user, it is not. */
Test(pyhook, each_record_is_believed_by_the_credentials_of_its_sender)
{
	if (geteuid() != 0)
		cr_skip_test("switching a child to another user needs root");
	start_python("import os, time\n"
		     "from forktop_hook import wire\n"
		     "link = wire.Link('\\0' + os.environ['FORKTOP_PYHOOK'])\n"
		     "link.send(wire.record(wire.HELLO, name='Connector'))\n"
		     "if os.fork() == 0:\n"
		     "    link.send(wire.record(wire.HELLO, name='Inheritor'))\n"
		     "    time.sleep(0.5)\n"
		     "    os.setuid(65534)\n"
		     "    link.send(wire.record(wire.HELLO, name='Stranger'))\n"
		     "    time.sleep(20)\n"
		     "    os._exit(0)\n"
		     "time.sleep(20)\n");
	cr_assert(serve_until(child_named, 10000), "the child was named on the inherited connection");
	cr_assert(serve_until(refused_other_user, 10000), "its record as another user was refused");
	for (size_t i = 0; i < fam.count; i++)
		cr_expect_str_neq(fam.members[i].name, "Stranger", "nothing took that record's name");
}

static bool start_logged(void)
{
	return newest(EV_STARTED, 0) != NULL;
}

static bool named_main(void)
{
	return !strcmp(fam.members[0].name, "MainProcess");
}

/* Before the kernel's events are read, a member's words about itself are
 * taken, and a start it reports is not: the child it names must come
 * from the kernel's fork first (here, from the ordinary read after). */
Test(pyhook, only_a_members_words_about_itself_come_before_the_kernels_events)
{
	start_python("import os, subprocess, time\n"
		     "from forktop_hook import wire\n"
		     "import forktop_hook\n"
		     "child = subprocess.Popen(['sleep', '20'])\n"
		     "time.sleep(1)\n"
		     "link = forktop_hook._link  # the connection its hello came on\n"
		     "link.send(wire.record(wire.HELLO, name='Starter'))\n"
		     "link.send(wire.record(wire.NEW_CHILD, target=child.pid, name='Started-Child'))\n"
		     "time.sleep(20)\n");
	cr_assert(serve_until(named_main, 10000), "the hook's own hello came first");
	usleep(2500 * 1000); /* the program's two records wait on its connection */
	pyhook_read_members(&hook, &fam);
	cr_assert_str_eq(fam.members[0].name, "Starter", "its hello was taken");
	cr_expect_eq(fam.count, 1, "the child it started was not claimed from its report");
	cr_expect_null(newest(EV_STARTED, 0), "nor was its start logged");
	cr_assert(serve_until(start_logged, 10000), "the ordinary read took the start");
}

static bool named_joiner(void)
{
	return !strcmp(fam.members[0].name, "Joiner");
}

/* Whether the family's program has a child yet; its PID into *arg. */
static bool program_has_child(void *arg)
{
	char path[64];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)fam.members[0].pid,
		 (int)fam.members[0].pid);
	if ((f = fopen(path, "r"))) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	*(pid_t *)arg = (pid_t)pid;
	return pid > 0;
}

/* A forked child sends on its creator's connection, behind the creator's
 * join of it: a join naming a member does not hold back the child's last
 * words, which must be read before the kernel tells its end. */
Test(pyhook, a_join_of_a_member_does_not_hold_back_its_last_words)
{
	struct procev_event fork_ev = { .kind = PROCEV_FORK };
	pid_t child = 0;

	start_python("import os, time\n"
		     "from forktop_hook import wire\n"
		     "import forktop_hook\n"
		     "link = forktop_hook._link\n"
		     "link.send(wire.record(wire.HELLO, name='Joiner'))\n"
		     "time.sleep(1)\n"
		     "r, w = os.pipe()\n"
		     "pid = os.fork()\n"
		     "if pid == 0:\n"
		     "    os.read(r, 1)\n"
		     "    link.send(wire.record(wire.REPORT, kind=wire.RUN_RETURNED))\n"
		     "    time.sleep(20)\n"
		     "    os._exit(0)\n"
		     "link.send(wire.record(wire.JOIN_BEGIN, target=pid, name='Joined'))\n"
		     "os.write(w, b'x')\n"
		     "time.sleep(20)\n");
	cr_assert(serve_until(named_joiner, 10000), "the program's hello came first");
	cr_assert(helper_wait_for(program_has_child, &child, 5000), "the program forked");
	fork_ev.pid = fork_ev.tgid = child;
	fork_ev.parent_pid = fork_ev.parent_tgid = fam.members[0].pid;
	family_kernel_event(&fam, &fork_ev); /* as the kernel tells a fork */
	cr_assert(family_is_member(&fam, child), "the child is a member");
	usleep(1500 * 1000); /* the join and the child's words wait on the connection */
	cr_assert_null(newest(EV_RUN_RETURNED, 0), "nothing was read yet");
	pyhook_read_members(&hook, &fam);
	cr_assert_not_null(newest(EV_JOIN_BEGAN, 0), "the join of a member was taken");
	cr_assert_not_null(newest(EV_RUN_RETURNED, 0), "and the child's words behind it");
	cr_assert_eq(newest(EV_RUN_RETURNED, 0)->pid, child);
}
