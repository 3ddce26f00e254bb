/* labinit: see labinit.h. Signals are caught by handlers (so /proc's SigCgt
 * shows them, and the kernel delivers them to a PID 1) that run only inside
 * ppoll(): elsewhere they are blocked. */
#include "labinit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "labmsg.h"
#include "labproc.h"
#include "labproc_private.h"

static volatile sig_atomic_t pending[NSIG];

static void on_signal(int sig)
{
	pending[sig] = 1;
}

static void catch_signals(void)
{
	static const int caught[] = { SIGINT, SIGTERM, SIGCHLD };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t set;

	sigemptyset(&set);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof caught / sizeof *caught; i++) {
		sigaddset(&set, caught[i]);
		sigaction(caught[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void send_or_end(int conn, struct lab_msg *m, int fd)
{
	if (lab_msg_send(conn, m, fd) == -EPIPE)
		labproc_lifeline_broken(); /* PID 1 ends: the kernel ends the rest */
}

static void hello(int conn)
{
	struct lab_msg m = lab_msg_make(LAB_HELLO, getpid(), "init", NULL);
	int self = pidfd_open(getpid(), 0);

	m.value = LAB_HELLO_INIT;
	lab_msg_stamp_sender(conn);
	send_or_end(conn, &m, self);
	if (self >= 0)
		close(self);
}

static void forward(int conn, pid_t main_pid, int sig)
{
	struct lab_msg m = lab_msg_report(EV_SIGNALLED, getpid(), main_pid, "MainProcess");

	m.value = sig;
	kill(main_pid, sig);
	send_or_end(conn, &m, -1);
}

/* Reaps whatever has ended, telling each; exits once main has. */
static void reap_all(int conn, pid_t main_pid)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct lab_msg m = lab_msg_make(LAB_REAPED, getpid(), "", NULL);

		m.target = pid;
		m.value = status;
		send_or_end(conn, &m, -1);
		if (pid == main_pid)
			_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
	}
}

/* Reads the channel: nothing is asked of init, and its end is the lifeline. */
static void read_channel(int conn)
{
	struct lab_msg m;
	int fd, rc;

	while ((rc = lab_msg_recv(conn, &m, &fd)) == 1 || rc == -EBADMSG)
		if (rc == 1 && fd >= 0)
			close(fd);
	if (rc != -EAGAIN)
		labproc_lifeline_broken();
}

static void quiet_stdio(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return;
	for (int fd = 0; fd <= 2; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
}

_Noreturn void labinit_main(const struct scenario *sc, int conn, int main_conn)
{
	static const int forwarded[] = { SIGINT, SIGTERM };
	int slots[2] = { conn, main_conn };
	sigset_t unblocked;
	pid_t main_pid;

	labproc_keep_slots(slots, 2, false); /* nothing else of forktop's stays open */
	conn = CHANNEL_FD;
	main_conn = CHANNEL_FD + 1;
	labproc_reset_signals();
	quiet_stdio();
	prctl(PR_SET_NAME, (unsigned long)"forktop-init", 0, 0, 0);
	catch_signals();
	hello(conn);
	main_pid = fork();
	if (main_pid == 0) {
		close(conn);
		labproc_reset_signals();
		labproc_main(sc, main_conn);
	}
	close(main_conn);
	if (main_pid < 0)
		_exit(127);
	fcntl(conn, F_SETFL, fcntl(conn, F_GETFL) | O_NONBLOCK);
	sigemptyset(&unblocked);
	for (;;) {
		struct pollfd p = { conn, POLLIN | POLLRDHUP, 0 };

		if (ppoll(&p, 1, NULL, &unblocked) < 0 && errno != EINTR)
			labproc_lifeline_broken();
		if (p.revents)
			read_channel(conn);
		for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++)
			if (pending[forwarded[i]]) {
				pending[forwarded[i]] = 0;
				forward(conn, main_pid, forwarded[i]);
			}
		pending[SIGCHLD] = 0;
		reap_all(conn, main_pid);
	}
}
