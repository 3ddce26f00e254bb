/* family: membership by identity, found through PPID links in each snapshot
 * (this works with partial scans: a new process is always read at once).
 * Exit codes come from forktop's own wait (its child, or an orphan it
 * adopted as a subreaper), a zombie's stat, or a pidfd's exit information. */
#include "family.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pidref.h"

#define DISCOVERY_PASSES 8

static struct family_member *add_member(struct family *f, pid_t pid, unsigned long long start,
					pid_t parent, int pidfd)
{
	struct family_member *m;

	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct family_member *p = realloc(f->members, cap * sizeof *p);

		if (!p) {
			if (pidfd >= 0)
				close(pidfd);
			return NULL;
		}
		f->members = p;
		f->cap = cap;
	}
	m = &f->members[f->count++];
	*m = (struct family_member){ .pid = pid, .start_time = start, .pidfd = pidfd,
				     .first_parent = parent, .ppid = parent,
				     .exit_status = SCAN_NO_STATUS };
	return m;
}

__attribute__((format(printf, 4, 5)))
static void note(struct family *f, pid_t pid, const char *name, const char *fmt, ...)
{
	char text[TRACK_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	track_note(f->track, TRACK_LAB, pid, name, SCAN_NO_STATUS, text);
}

/* Its stdio: nothing to read, output into the monitor's pipe; its own
 * process group, so the terminal's Ctrl-C reaches only forktop. */
_Noreturn static void exec_program(char *const argv[], int out)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	setpgid(0, 0);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	dup2(null, 0);
	dup2(out, 1);
	dup2(out, 2);
	execvp(argv[0], argv);
	dprintf(2, "forktop: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int family_start(struct family *f, char *const argv[], struct track *track, char *err,
		 size_t errlen)
{
	int out[2];
	pid_t pid;

	memset(f, 0, sizeof *f);
	f->track = track;
	f->output_fd = -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exec_program(argv, out[1]);
	close(out[1]);
	if (pid < 0) {
		close(out[0]);
		snprintf(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
		return -1;
	}
	setpgid(pid, pid);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	f->output_fd = out[0];
	f->started = f->active = true;
	/* our own unreaped child: its pidfd cannot name another process */
	if (!add_member(f, pid, 0, getpid(), pidfd_open(pid, 0))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	note(f, pid, argv[0], "started %s (pid %d)", argv[0], pid);
	return 0;
}

int family_attach(struct family *f, pid_t pid, struct track *track, char *err, size_t errlen)
{
	struct scan_stat_line st;
	int pidfd;

	memset(f, 0, sizeof *f);
	f->track = track;
	f->output_fd = -1;
	if (!scan_read_stat(pid, &st)) {
		snprintf(err, errlen, "no process with PID %d", (int)pid);
		return -1;
	}
	pidfd = pidref_open_checked(pid, st.start_time);
	if (pidfd < 0 || !add_member(f, pid, st.start_time, st.ppid, pidfd)) {
		snprintf(err, errlen, "cannot watch PID %d: %s", (int)pid, strerror(-pidfd));
		return -1;
	}
	f->active = true;
	note(f, pid, st.comm, "watching PID %d and its descendants", (int)pid);
	return 0;
}

/* A member that left /proc for good: its pidfd is no longer needed. */
static void mark_gone(struct family_member *m)
{
	m->gone = true;
	if (m->pidfd >= 0) {
		close(m->pidfd);
		m->pidfd = -1;
	}
}

static void record_exit(struct family *f, struct family_member *m, int status,
			enum family_exit_source source, const char *how)
{
	int code;

	if (m->exit_source != FAMILY_EXIT_UNKNOWN || !track_exitcode(status, &code))
		return;
	m->exit_status = status;
	m->exit_source = source;
	char text[TRACK_TEXT_MAX];
	snprintf(text, sizeof text, "pid %d exitcode %d (%s)", m->pid, code, how);
	track_note(f->track, TRACK_LAB, m->pid, m->comm, status, text);
}

/* Reaps a member that is forktop's own child (no other process can be). */
static void reap_if_own(struct family *f, struct family_member *m)
{
	int status;

	if (waitpid(m->pid, &status, WNOHANG) == m->pid) {
		record_exit(f, m, status, FAMILY_EXIT_OWN_WAIT, "reaped by forktop");
		m->exited = true;
		mark_gone(m);
	}
}

static const struct scan_proc *find_proc(const struct scan_snapshot *snap, pid_t pid)
{
	for (size_t i = 0; i < snap->count; i++)
		if (snap->procs[i].pid == pid)
			return &snap->procs[i];
	return NULL;
}

static bool same_process(const struct family_member *m, const struct scan_proc *p)
{
	return m->pid == p->pid && (!m->start_time || m->start_time == p->start_time);
}

const struct family_member *family_member_of(const struct family *f, const struct scan_proc *p)
{
	for (size_t i = f->count; i-- > 0;)
		if (!f->members[i].gone && same_process(&f->members[i], p))
			return &f->members[i];
	return NULL;
}

/* What a snapshot tells of one member: its parent, its zombie, its end. */
static void observe_member(struct family *f, struct family_member *m,
			   const struct scan_snapshot *snap)
{
	const struct scan_proc *p = find_proc(snap, m->pid);
	int status;

	if (p && !m->start_time)
		m->start_time = p->start_time;
	if (p && !same_process(m, p))
		p = NULL;
	if (p) {
		m->ppid = p->ppid;
		memcpy(m->comm, p->comm, sizeof m->comm);
		if (p->state == 'Z' && p->exit_status != SCAN_NO_STATUS)
			record_exit(f, m, p->exit_status, FAMILY_EXIT_ZOMBIE, "read from its zombie");
		if (p->state == 'Z' && p->ppid == getpid())
			reap_if_own(f, m); /* a zombie that came to forktop, a subreaper */
		return;
	}
	if (m->pidfd >= 0 && pidref_exit_status(m->pidfd, &status) == 0)
		record_exit(f, m, status, FAMILY_EXIT_PIDFD, "from its pidfd: reaped by another process");
	if (m->exited || m->pidfd < 0)
		mark_gone(m);
}

static bool is_member_pid(const struct family *f, pid_t pid)
{
	for (size_t i = 0; i < f->count; i++)
		if (!f->members[i].gone && f->members[i].pid == pid)
			return true;
	return false;
}

/* A child of forktop that forktop did not start: an orphan of the program it
 * adopted as a subreaper (forktop starts nothing else in this mode), whose
 * parent may have ended before any snapshot showed the link. */
static bool adopted(const struct family *f, const struct scan_proc *p)
{
	return f->started && p->ppid == getpid() && !family_member_of(f, p);
}

/* Adds the children of members found in the snapshot; true if any. The
 * parent's identity is checked only for the few whose PPID is a member's. */
static bool discover(struct family *f, const struct scan_snapshot *snap)
{
	bool found = false;

	for (size_t i = 0; i < snap->count; i++) {
		const struct scan_proc *p = &snap->procs[i], *parent;

		if (adopted(f, p)) {
			found |= add_member(f, p->pid, p->start_time, FAMILY_PARENT_UNSEEN,
					    pidref_open_checked(p->pid, p->start_time)) != NULL;
			continue;
		}
		if (!is_member_pid(f, p->ppid) || family_member_of(f, p))
			continue;
		parent = find_proc(snap, p->ppid);
		if (!parent || !family_member_of(f, parent))
			continue;
		if (add_member(f, p->pid, p->start_time, p->ppid,
			       pidref_open_checked(p->pid, p->start_time)))
			found = true;
	}
	return found;
}

void family_observe(struct family *f, const struct scan_snapshot *snap)
{
	if (!f->active)
		return;
	for (int pass = 0; pass < DISCOVERY_PASSES && discover(f, snap); pass++)
		;
	for (size_t i = 0; i < f->count; i++)
		if (!f->members[i].gone)
			observe_member(f, &f->members[i], snap);
}

size_t family_poll_fds(const struct family *f, struct pollfd *fds, size_t cap)
{
	size_t n = 0;

	if (!f->active)
		return 0;
	if (f->output_fd >= 0 && n < cap)
		fds[n++] = (struct pollfd){ .fd = f->output_fd, .events = POLLIN };
	for (size_t i = 0; i < f->count && n < cap; i++)
		if (f->members[i].pidfd >= 0 && !f->members[i].exited)
			fds[n++] = (struct pollfd){ .fd = f->members[i].pidfd, .events = POLLIN };
	return n;
}

static void emit_line(struct family *f, const char *line, size_t len)
{
	char text[TRACK_TEXT_MAX];

	snprintf(text, sizeof text, "%.*s", (int)len, line);
	track_note(f->track, TRACK_OUTPUT, f->members[0].pid, "", SCAN_NO_STATUS, text);
}

/* The program's output, line by line, into the event log. */
static void read_output(struct family *f)
{
	char buf[4096];
	ssize_t n = read(f->output_fd, buf, sizeof buf);

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			if (f->partial_len)
				emit_line(f, f->partial, f->partial_len);
			f->partial_len = 0;
			close(f->output_fd);
			f->output_fd = -1;
		}
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || f->partial_len == sizeof f->partial) {
			emit_line(f, f->partial, f->partial_len);
			f->partial_len = 0;
		}
		if (buf[i] != '\n')
			f->partial[f->partial_len++] = buf[i];
	}
}

void family_handle(struct family *f, const struct pollfd *fds, size_t n)
{
	for (size_t k = 0; k < n && f->active; k++) {
		if (!fds[k].revents)
			continue;
		if (fds[k].fd == f->output_fd) {
			read_output(f);
			continue;
		}
		for (size_t i = 0; i < f->count; i++) {
			struct family_member *m = &f->members[i];

			if (m->pidfd == fds[k].fd && !m->exited) {
				m->exited = true;
				reap_if_own(f, m);
				break;
			}
		}
	}
}

bool family_running(const struct family *f)
{
	if (f->output_fd >= 0)
		return true;
	for (size_t i = 0; i < f->count; i++)
		if (!f->members[i].exited && !f->members[i].gone)
			return true;
	return false;
}

/* Signals every live member (through its pidfd) and waits up to wait_ms. */
static void end_members(struct family *f, int sig, int wait_ms)
{
	struct timespec tick = { 0, 10 * 1000000L };

	for (size_t i = 0; i < f->count; i++)
		if (!f->members[i].exited)
			pidref_signal(f->members[i].pidfd, sig);
	for (int waited = 0; waited < wait_ms; waited += 10) {
		bool all = true;

		for (size_t i = 0; i < f->count; i++) {
			struct family_member *m = &f->members[i];
			struct pollfd p = { .fd = m->pidfd, .events = POLLIN };

			if (!m->exited && m->pidfd >= 0 && poll(&p, 1, 0) == 1) {
				m->exited = true;
				reap_if_own(f, m);
			}
			all = all && (m->exited || m->pidfd < 0);
		}
		if (all)
			return;
		nanosleep(&tick, NULL);
	}
}

void family_close(struct family *f, int wait_ms)
{
	if (f->started) {
		end_members(f, SIGTERM, wait_ms);
		end_members(f, SIGKILL, wait_ms);
	}
	for (size_t i = 0; i < f->count; i++)
		if (f->members[i].pidfd >= 0)
			close(f->members[i].pidfd);
	if (f->output_fd >= 0)
		close(f->output_fd);
	free(f->members);
	memset(f, 0, sizeof *f);
	f->output_fd = -1;
}
