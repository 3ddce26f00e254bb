/* hostile: processes with hostile names, for the tests.
 *
 *   hostile COMM [ARG...]    sets its comm to COMM (bytes as given, up to 15)
 *                            and waits until stdin reaches EOF or 60 s pass;
 *                            its command line is its argv, as given.
 *   hostile --family SECONDS a leader that starts one member per hostile name
 *                            below (comm and command line both hostile), plus
 *                            one that exits with code 3 at once and stays a
 *                            zombie; it writes a hostile line to stdout, then
 *                            ends after SECONDS (at most 60) or at SIGTERM.
 *                            The members end with it: their stdin is a pipe
 *                            whose write end only the leader holds.
 *
 * Every member's argv[0] and arguments are hostile too: escape sequences,
 * empty arguments (runs of NULs in /proc/PID/cmdline), invalid UTF-8. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ZOMBIE_COMM "\x1b[31mzombie"
#define ZOMBIE_EXIT 3

struct member {
	const char *comm;
	const char *argv[6]; /* argv[0] and arguments, NULL-terminated */
};

/* The escaped forms the tests expect are listed beside each name. */
static const struct member members[] = {
	/* \x1b[2J\x1b[31mred */
	{ "\x1b[2J\x1b[31mred", { "\x1b]0;PWNED\x07", "", "\x1b[2J", "", "x" } },
	/* \x1b]0;title\x07 */
	{ "\x1b]0;title\x07", { "title", "\x1b]2;PWNED\x1b\\", "\x1b[6n" } },
	/* cr\rlf\nend */
	{ "cr\rlf\nend", { "cr\rlf", "\n", "\r\n" } },
	/* a) R 1 (b */
	{ "a) R 1 (b", { "a) R 1 (b", ") Z 0 (", "" } },
	/* bad\xff\xfe\xc0\xafutf */
	{ "bad\xff\xfe\xc0\xafutf", { "\xff\xfe", "\xc0\xaf", "\xed\xa0\x80" } },
	/* 漢字😀wide */
	{ "\xe6\xbc\xa2\xe5\xad\x97\xf0\x9f\x98\x80wide", { "\xe6\xbc\xa2\xe5\xad\x97", "\xf0\x9f\x98\x80" } },
	/* café́ (e + two combining acute accents) */
	{ "cafe\xcc\x81\xcc\x81", { "cafe\xcc\x81" } },
	/* \u0301lead (a combining accent with nothing to sit on) */
	{ "\xcc\x81lead", { "\xcc\x81", "x\xcc\x81" } },
	/* \u009B2J\u202Erlo (a C1 CSI, then a right-to-left override) */
	{ "\xc2\x9b" "2J\xe2\x80\xaerlo", { "\xc2\x9b" "2J", "\xe2\x80\xae" } },
	/* 👨\u200D👩zwj (a zero-width joiner: terminals draw the pair as one) */
	{ "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9zwj", { "\xe2\x80\x8d" } },
	/* ❤\uFE0Fvs16 (a variation selector: some terminals widen the heart) */
	{ "\xe2\x9d\xa4\xef\xb8\x8fvs16", { "\xef\xb8\x8f" } },
	/* \x1b[6ndsr (a terminal that ran it would type its cursor position) */
	{ "\x1b[6ndsr", { "\x1b[6n", "\x1b[c" } },
};
#define NMEMBERS (sizeof members / sizeof members[0])

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Waits until stdin reaches EOF or 60 s pass. */
static int wait_on_stdin(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char c;

	for (int waited = 0; waited < 60000; waited += 100)
		if (poll(&p, 1, 100) > 0 && read(0, &c, 1) <= 0)
			break;
	return 0;
}

/* A member: its stdin is the leader's lifeline; exec gives it the hostile argv. */
static pid_t start_member(const struct member *m, int lifeline)
{
	char *argv[8] = { (char *)m->argv[0], (char *)m->comm };
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	for (int i = 1; i < 6 && m->argv[i]; i++)
		argv[i + 1] = (char *)m->argv[i];
	dup2(lifeline, 0);
	execv("/proc/self/exe", argv);
	_exit(127);
}

static pid_t start_zombie(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_NAME, (unsigned long)ZOMBIE_COMM, 0, 0, 0);
		_exit(ZOMBIE_EXIT);
	}
	return pid;
}

/* Sleeps in 100 ms steps until seconds pass or SIGTERM comes. */
static void linger(int seconds)
{
	struct timespec step = { 0, 100 * 1000 * 1000 };

	for (int i = 0; i < seconds * 10 && !stop; i++)
		nanosleep(&step, NULL);
}

static int run_family(int seconds)
{
	int lifeline[2];

	if (seconds < 1 || seconds > 60 || pipe(lifeline) < 0) {
		fprintf(stderr, "hostile: --family wants 1 to 60 seconds\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	for (size_t i = 0; i < NMEMBERS; i++)
		if (start_member(&members[i], lifeline[0]) < 0)
			return 1;
	close(lifeline[0]);
	start_zombie();
	printf("out: \x1b]0;PWNED\x07\x1b[2J\x1b[31mred\r\xff\xe6\xbc\xa2\n");
	fflush(stdout);
	linger(seconds);
	close(lifeline[1]);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--family") == 0)
		return run_family(atoi(argv[2]));
	if (argc < 2) {
		fprintf(stderr, "usage: hostile COMM [ARG...] | hostile --family SECONDS\n");
		return 2;
	}
	prctl(PR_SET_NAME, (unsigned long)argv[1], 0, 0, 0);
	return wait_on_stdin();
}
