/* scan: snapshots through libproc2's pids API (items, reap, select).
 * A process that vanishes mid-scan is normal: it is simply not in the
 * snapshot. libproc2 strings may be NULL in such a race.
 *
 * libproc2 rewrites unprintable bytes of names ('?' in comm, '.' or '?' in
 * cmdline), which loses what the kernel holds. forktop escapes names itself,
 * so it wants the raw bytes: a comm that holds '?' is re-read from
 * /proc/PID/stat (rare, and checked against the start time), and command
 * lines are read from /proc/PID/cmdline directly instead of through the
 * library (the same one read per process). */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"
#include "i18n.h"

/* procps_pids_select refuses long lists (its internal limit is below 256). */
#define SELECT_CHUNK 128

enum item_index {
	I_PID, I_PPID, I_PGRP, I_SID, I_TTY, I_NLWP, I_STATE, I_BEGAN, I_CMD, I_TICS, I_COUNT,
};

static enum pids_item scan_items[] = {
	[I_PID] = PIDS_ID_PID,     [I_PPID] = PIDS_ID_PPID,  [I_PGRP] = PIDS_ID_PGRP,
	[I_SID] = PIDS_ID_SESSION, [I_TTY] = PIDS_TTY,       [I_NLWP] = PIDS_NLWP,
	[I_STATE] = PIDS_STATE,    [I_BEGAN] = PIDS_TICS_BEGAN, [I_CMD] = PIDS_CMD,
	[I_TICS] = PIDS_TICS_ALL,
};

struct scan {
	struct pids_info *info;
	unsigned flags;
	unsigned turn;          /* scan_partial's rotation counter */
	struct scan_snapshot fresh; /* scan_partial's re-read processes */
	pid_t *listed, *reread; /* scan_partial's work arrays */
	size_t listed_cap, reread_cap, reread_n;
	pid_t *want;            /* scan_partial's wanted PIDs, sorted */
	size_t want_cap;
	struct cpu_history cpu;   /* processes' readings of the previous snapshot */
	struct cpu_history tasks; /* threads' readings of the previous round of scan_tasks */
};

int scan_open(struct scan **out, unsigned flags, char *err, size_t errlen)
{
	struct scan *scan;
	int rc;

	*out = NULL;
	if (access("/proc/self/stat", R_OK) != 0) {
		snprintf(err, errlen, _("/proc is not mounted or not readable (%s)"),
			 strerror(errno));
		return -ENOENT;
	}
	scan = calloc(1, sizeof *scan);
	if (!scan) {
		snprintf(err, errlen, "%s", _("out of memory"));
		return -ENOMEM;
	}
	scan->flags = flags;
	cpu_history_init(&scan->cpu, sysconf(_SC_CLK_TCK));
	cpu_history_init(&scan->tasks, sysconf(_SC_CLK_TCK));
	rc = procps_pids_new(&scan->info, scan_items, I_COUNT);
	if (rc < 0) {
		snprintf(err, errlen, _("libproc2 could not start: %s"), strerror(-rc));
		free(scan);
		return rc;
	}
	*out = scan;
	return 0;
}

void scan_close(struct scan *scan)
{
	if (!scan)
		return;
	procps_pids_unref(&scan->info);
	scan_snapshot_free(&scan->fresh);
	free(scan->listed);
	free(scan->reread);
	free(scan->want);
	cpu_history_free(&scan->cpu);
	cpu_history_free(&scan->tasks);
	free(scan);
}

long scan_hz(const struct scan *scan)
{
	return scan->cpu.hz;
}

/* Each process's share of a core since the previous snapshot read it. */
static int note_shares(struct scan *scan, struct scan_snapshot *snap)
{
	for (size_t i = 0; i < snap->count; i++) {
		struct scan_proc *p = &snap->procs[i];

		p->cpu = cpu_note(&scan->cpu, p->pid, p->start_time, p->ticks, p->read_ns);
	}
	cpu_round_end(&scan->cpu);
	return 0;
}

void scan_snapshot_free(struct scan_snapshot *snap)
{
	free(snap->procs);
	free(snap->strings);
	memset(snap, 0, sizeof *snap);
}

const char *scan_cmdline(const struct scan_snapshot *snap, const struct scan_proc *p)
{
	if (p->cmdline_off == SCAN_NO_CMDLINE)
		return NULL;
	return snap->strings + p->cmdline_off;
}

static void snapshot_reset(struct scan_snapshot *snap)
{
	snap->count = 0;
	snap->strings_len = 0;
	memset(&snap->counts, 0, sizeof snap->counts);
	clock_gettime(CLOCK_REALTIME, &snap->taken);
}

static int reserve_procs(struct scan_snapshot *snap, size_t more)
{
	return GROW(snap->procs, snap->cap, snap->count + more);
}

/* Makes room for len more bytes in the string arena. */
static bool reserve_strings(struct scan_snapshot *snap, size_t len)
{
	return GROW(snap->strings, snap->strings_cap, snap->strings_len + len) == 0;
}

/* Reads at most cap - 1 bytes of a /proc file; returns the length or -1. */
static ssize_t read_proc_file(pid_t pid, const char *name, char *buf, size_t cap)
{
	char path[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, cap - 1);
	close(fd);
	return len;
}

/* The raw command line, arguments joined by spaces as ps shows them; bytes
 * stay as they are (escaping is the face's job). Empty for kernel threads. */
static ssize_t read_cmdline(pid_t pid, char *s, size_t cap)
{
	ssize_t len = read_proc_file(pid, "cmdline", s, cap);

	if (len < 0)
		return -1;
	while (len > 0 && s[len - 1] == '\0')
		len--;
	for (ssize_t i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	s[len] = '\0';
	return len;
}

static size_t store_cmdline(struct scan_snapshot *snap, pid_t pid)
{
	size_t off = snap->strings_len;
	ssize_t len;

	if (!reserve_strings(snap, SCAN_CMDLINE_MAX))
		return SCAN_NO_CMDLINE;
	len = read_cmdline(pid, snap->strings + off, SCAN_CMDLINE_MAX);
	if (len < 0)
		return SCAN_NO_CMDLINE;
	snap->strings_len += (size_t)len + 1;
	return off;
}

ssize_t scan_read_cmdline(pid_t pid, unsigned long long start_time, char *buf, size_t cap)
{
	struct scan_stat_line st;
	ssize_t len = read_cmdline(pid, buf, cap);

	/* read after: if the PID still has that start time, it had it all along */
	if (len < 0 || !scan_read_stat(pid, &st) || st.start_time != start_time)
		return -1;
	return len;
}

/* One stat line, read relative to dirfd (AT_FDCWD, or a held /proc). */
static bool read_stat_file(int dirfd, const char *path, pid_t pid, struct scan_stat_line *st)
{
	char line[1024];
	ssize_t len;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	len = read(fd, line, sizeof line - 1);
	close(fd);
	return len > 0 && scan_parse_stat(line, (size_t)len, st) && st->pid == pid;
}

bool scan_read_stat(pid_t pid, struct scan_stat_line *out)
{
	char path[32];

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	return read_stat_file(AT_FDCWD, path, pid, out);
}

/* libproc2 shows unprintable comm bytes as '?': take the kernel's own bytes. */
static void restore_raw_comm(struct scan_proc *p)
{
	struct scan_stat_line st;

	if (scan_read_stat(p->pid, &st) && st.start_time == p->start_time)
		memcpy(p->comm, st.comm, sizeof p->comm);
}

static void count_state(struct scan_counts *c, char state)
{
	c->total++;
	switch (state) {
	case 'R': c->running++; break;
	case 'S': case 'D': case 'I': c->sleeping++; break;
	case 'T': case 't': c->stopped++; break;
	case 'Z': c->zombie++; break;
	default: c->other++; break;
	}
}

static void fill_proc(struct scan *scan, struct scan_snapshot *snap,
		      struct pids_stack *s, struct scan_proc *p, long long read_ns)
{
	const char *comm = PIDS_VAL(I_CMD, str, s, scan->info);

	p->pid = PIDS_VAL(I_PID, s_int, s, scan->info);
	p->ppid = PIDS_VAL(I_PPID, s_int, s, scan->info);
	p->pgid = PIDS_VAL(I_PGRP, s_int, s, scan->info);
	p->sid = PIDS_VAL(I_SID, s_int, s, scan->info);
	p->tty_nr = PIDS_VAL(I_TTY, s_int, s, scan->info);
	p->threads = PIDS_VAL(I_NLWP, s_int, s, scan->info);
	p->state = PIDS_VAL(I_STATE, s_ch, s, scan->info);
	p->start_time = PIDS_VAL(I_BEGAN, ull_int, s, scan->info);
	p->ticks = PIDS_VAL(I_TICS, ull_int, s, scan->info);
	p->read_ns = read_ns;
	size_t len = comm ? strnlen(comm, sizeof p->comm - 1) : 0;

	memcpy(p->comm, comm ? comm : "", len); /* once per process per scan: no snprintf */
	p->comm[len] = '\0';
	if (strchr(p->comm, '?'))
		restore_raw_comm(p);
	p->cmdline_off = SCAN_NO_CMDLINE;
	if (scan->flags & SCAN_CMDLINE)
		p->cmdline_off = store_cmdline(snap, p->pid);
	p->exit_status = SCAN_NO_STATUS;
	if (p->state == 'Z')
		p->exit_status = scan_zombie_status(p->pid, p->start_time);
}

static int append_fetch(struct scan *scan, struct scan_snapshot *snap,
			struct pids_fetch *fetch)
{
	int n = fetch->counts->total;
	long long read_ns = cpu_now_ns();

	if (reserve_procs(snap, (size_t)n) < 0)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		struct scan_proc *p = &snap->procs[snap->count];

		fill_proc(scan, snap, fetch->stacks[i], p, read_ns);
		if (p->pid <= 0)
			continue;
		count_state(&snap->counts, p->state);
		snap->count++;
	}
	return 0;
}

int scan_all(struct scan *scan, struct scan_snapshot *snap)
{
	struct pids_fetch *fetch;

	snapshot_reset(snap);
	fetch = procps_pids_reap(scan->info, PIDS_FETCH_TASKS_ONLY);
	if (!fetch)
		return errno ? -errno : -EIO;
	if (append_fetch(scan, snap, fetch) < 0)
		return -ENOMEM;
	return note_shares(scan, snap);
}

int scan_select(struct scan *scan, const pid_t *pids, size_t npids,
		struct scan_snapshot *snap)
{
	unsigned chunk[SELECT_CHUNK];

	snapshot_reset(snap);
	for (size_t done = 0; done < npids;) {
		size_t n = npids - done < SELECT_CHUNK ? npids - done : SELECT_CHUNK;
		struct pids_fetch *fetch;
		int rc;

		for (size_t i = 0; i < n; i++)
			chunk[i] = (unsigned)pids[done + i];
		fetch = procps_pids_select(scan->info, chunk, (int)n, PIDS_SELECT_PID);
		if (!fetch)
			return errno ? -errno : -EIO;
		rc = append_fetch(scan, snap, fetch);
		if (rc < 0)
			return rc;
		done += n;
	}
	return note_shares(scan, snap);
}

/* Splits the fields after the comm; field N of stat(5) is fields[N - 3]. */
static int split_fields(char *rest, char **fields, int max)
{
	int n = 0;

	for (char *save = NULL, *tok = strtok_r(rest, " \n", &save); tok && n < max;
	     tok = strtok_r(NULL, " \n", &save))
		fields[n++] = tok;
	return n;
}

bool scan_parse_stat(const char *line, size_t len, struct scan_stat_line *out)
{
	char buf[1024], *open, *close, *fields[60];
	size_t commlen;
	int n;

	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	open = memchr(buf, '(', len);
	close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return false;
	commlen = (size_t)(close - open - 1);
	if (commlen >= sizeof out->comm)
		commlen = sizeof out->comm - 1;
	memcpy(out->comm, open + 1, commlen);
	out->comm[commlen] = '\0';
	out->pid = (pid_t)strtol(buf, NULL, 10);
	n = split_fields(close + 1, fields, 60);
	if (n < 20 || strlen(fields[0]) != 1)
		return false;
	out->state = fields[0][0];
	out->ppid = (pid_t)strtol(fields[1], NULL, 10);
	out->pgid = (pid_t)strtol(fields[2], NULL, 10);
	out->sid = (pid_t)strtol(fields[3], NULL, 10);
	out->tty_nr = (int)strtol(fields[4], NULL, 10);
	out->threads = (int)strtol(fields[17], NULL, 10);
	out->start_time = strtoull(fields[19], NULL, 10);
	out->ticks = strtoull(fields[11], NULL, 10) + strtoull(fields[12], NULL, 10);
	out->exit_status = n >= 50 ? (int)strtol(fields[49], NULL, 10) : SCAN_NO_STATUS;
	return true;
}

int scan_zombie_status(pid_t pid, unsigned long long start_time)
{
	struct scan_stat_line st;

	if (!scan_read_stat(pid, &st) || st.start_time != start_time || st.state != 'Z')
		return SCAN_NO_STATUS;
	return st.exit_status;
}

/* ---- partial refresh ------------------------------------------------------ */

int scan_pid_order(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Every PID /proc lists, ascending. Returns how many, or a negative errno. */
static long list_proc(struct scan *scan)
{
	DIR *dir = opendir("/proc");
	struct dirent *d;
	size_t n = 0;
	bool sorted = true;

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		long pid;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		pid = strtol(d->d_name, NULL, 10);
		if (GROW(scan->listed, scan->listed_cap, n + 1) < 0) {
			closedir(dir);
			return -ENOMEM;
		}
		if (n && scan->listed[n - 1] > pid)
			sorted = false;
		scan->listed[n++] = (pid_t)pid;
	}
	closedir(dir);
	if (!sorted)
		qsort(scan->listed, n, sizeof *scan->listed, scan_pid_order);
	return (long)n;
}

static bool in_sorted(const pid_t *arr, size_t n, pid_t pid)
{
	return bsearch(&pid, arr, n, sizeof pid, scan_pid_order) != NULL;
}

/* Whether the previous record of this process must be read again now. */
static bool must_reread(const struct scan *scan, const struct scan_proc *old,
			const pid_t *want, size_t nwant, const pid_t *gone, size_t ngone,
			unsigned rotation)
{
	if (in_sorted(want, nwant, old->pid) || in_sorted(gone, ngone, old->ppid))
		return true;
	return ((unsigned)old->pid + scan->turn) % rotation == 0;
}

/* Chooses what to read again: new PIDs, wanted ones, orphans of the gone,
 * this turn's share. The gone PIDs are collected at the end of reread. */
static int choose_rereads(struct scan *scan, const struct scan_snapshot *snap, size_t nlisted,
			  const pid_t *want, size_t nwant, unsigned rotation, size_t *nreread)
{
	size_t i = 0, j = 0, n = 0, ngone = 0;
	pid_t *gone;

	if (GROW(scan->reread, scan->reread_cap, nlisted + snap->count + 1) < 0)
		return -ENOMEM;
	gone = scan->reread + nlisted; /* the tail holds the gone PIDs, ascending */
	for (i = 0, j = 0; j < snap->count; j++) {
		while (i < nlisted && scan->listed[i] < snap->procs[j].pid)
			i++;
		if (i == nlisted || scan->listed[i] != snap->procs[j].pid)
			gone[ngone++] = snap->procs[j].pid;
	}
	for (i = 0, j = 0; i < nlisted; i++) {
		while (j < snap->count && snap->procs[j].pid < scan->listed[i])
			j++;
		if (j == snap->count || snap->procs[j].pid != scan->listed[i] ||
		    must_reread(scan, &snap->procs[j], want, nwant, gone, ngone, rotation))
			scan->reread[n++] = scan->listed[i];
	}
	*nreread = n;
	return 0;
}

/* The new snapshot: for each listed PID, its fresh record if it was read
 * again (and still exists), else its previous one. */
static int merge_partial(struct scan *scan, struct scan_snapshot *snap, size_t nlisted)
{
	const struct scan_snapshot *fresh = &scan->fresh;
	struct scan_proc *out = malloc((nlisted + 1) * sizeof *out);
	size_t n = 0, j = 0, k = 0;

	if (!out)
		return -ENOMEM;
	memset(&snap->counts, 0, sizeof snap->counts);
	for (size_t i = 0; i < nlisted; i++) {
		pid_t pid = scan->listed[i];
		const struct scan_proc *src = NULL;

		while (k < fresh->count && fresh->procs[k].pid < pid)
			k++;
		while (j < snap->count && snap->procs[j].pid < pid)
			j++;
		if (k < fresh->count && fresh->procs[k].pid == pid)
			src = &fresh->procs[k];
		else if (j < snap->count && snap->procs[j].pid == pid &&
			 !in_sorted(scan->reread, scan->reread_n, pid))
			src = &snap->procs[j];
		if (!src)
			continue; /* read again and gone in between */
		out[n] = *src;
		out[n].cmdline_off = SCAN_NO_CMDLINE;
		count_state(&snap->counts, out[n].state);
		n++;
	}
	free(snap->procs);
	snap->procs = out;
	snap->count = n;
	snap->cap = nlisted + 1;
	return 0;
}

/* One process from its /proc/PID/stat, read through the held /proc
 * directory. False when it is gone (or the line is malformed). */
static bool read_stat_at(int procfd, pid_t pid, struct scan_proc *p, long long read_ns)
{
	struct scan_stat_line st;
	char path[24];

	snprintf(path, sizeof path, "%d/stat", (int)pid);
	if (!read_stat_file(procfd, path, pid, &st))
		return false;
	*p = (struct scan_proc){ .pid = st.pid, .ppid = st.ppid, .pgid = st.pgid, .sid = st.sid,
				 .tty_nr = st.tty_nr, .threads = st.threads, .state = st.state,
				 .start_time = st.start_time, .cmdline_off = SCAN_NO_CMDLINE,
				 .ticks = st.ticks, .read_ns = read_ns,
				 .exit_status = st.state == 'Z' ? st.exit_status : SCAN_NO_STATUS };
	memcpy(p->comm, st.comm, sizeof p->comm);
	return true;
}

/* Reads the chosen PIDs (ascending) into scan->fresh. */
static int read_stats(struct scan *scan, size_t n)
{
	struct scan_snapshot *fresh = &scan->fresh;
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long long read_ns = cpu_now_ns();

	if (procfd < 0)
		return -errno;
	fresh->count = 0;
	if (reserve_procs(fresh, n) < 0) {
		close(procfd);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (read_stat_at(procfd, scan->reread[i], &fresh->procs[fresh->count], read_ns))
			fresh->count++;
	close(procfd);
	return 0;
}

static int by_proc_pid(const void *a, const void *b)
{
	return scan_pid_order(&((const struct scan_proc *)a)->pid, &((const struct scan_proc *)b)->pid);
}

static void sort_procs(struct scan_snapshot *snap)
{
	for (size_t i = 1; i < snap->count; i++)
		if (snap->procs[i - 1].pid > snap->procs[i].pid) {
			qsort(snap->procs, snap->count, sizeof *snap->procs, by_proc_pid);
			return;
		}
}

int scan_partial(struct scan *scan, struct scan_snapshot *snap, const pid_t *want,
		 size_t nwant, unsigned rotation)
{
	size_t nreread;
	long nlisted;
	int rc;

	if ((scan->flags & SCAN_CMDLINE) || snap->count == 0 || rotation <= 1)
		return scan_all(scan, snap);
	if (GROW(scan->want, scan->want_cap, nwant + 1) < 0)
		return -ENOMEM;
	if (nwant)
		memcpy(scan->want, want, nwant * sizeof *want);
	qsort(scan->want, nwant, sizeof *scan->want, scan_pid_order);
	sort_procs(snap);
	nlisted = list_proc(scan);
	if (nlisted < 0)
		return (int)nlisted;
	rc = choose_rereads(scan, snap, (size_t)nlisted, scan->want, nwant, rotation, &nreread);
	if (rc < 0)
		return rc;
	scan->reread_n = nreread;
	if ((rc = read_stats(scan, nreread)) < 0)
		return rc;
	scan->turn++;
	clock_gettime(CLOCK_REALTIME, &snap->taken);
	if ((rc = merge_partial(scan, snap, (size_t)nlisted)) < 0)
		return rc;
	return note_shares(scan, snap);
}

/* Sorts and removes repeats; returns the new length. */
static size_t sort_unique(pid_t *pids, size_t n)
{
	size_t kept = 0;

	qsort(pids, n, sizeof *pids, scan_pid_order);
	for (size_t i = 0; i < n; i++)
		if (!kept || pids[kept - 1] != pids[i])
			pids[kept++] = pids[i];
	return kept;
}

int scan_known(struct scan *scan, struct scan_snapshot *snap, const pid_t *reread, size_t n)
{
	size_t nlisted = 0, nreread = 0;
	int rc;

	if ((scan->flags & SCAN_CMDLINE) || snap->count == 0)
		return scan_all(scan, snap);
	if (GROW(scan->listed, scan->listed_cap, snap->count + n + 1) < 0 ||
	    GROW(scan->reread, scan->reread_cap, snap->count + n + 1) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < snap->count; i++) {
		scan->listed[nlisted++] = snap->procs[i].pid;
		if (snap->procs[i].state == 'Z') /* reaped without a word: read until gone */
			scan->reread[nreread++] = snap->procs[i].pid;
	}
	for (size_t i = 0; i < n; i++) {
		scan->listed[nlisted++] = reread[i];
		scan->reread[nreread++] = reread[i];
	}
	nlisted = sort_unique(scan->listed, nlisted);
	scan->reread_n = nreread = sort_unique(scan->reread, nreread);
	sort_procs(snap);
	if ((rc = read_stats(scan, nreread)) < 0)
		return rc;
	clock_gettime(CLOCK_REALTIME, &snap->taken);
	if ((rc = merge_partial(scan, snap, nlisted)) < 0)
		return rc;
	return note_shares(scan, snap);
}

const struct scan_proc *scan_find(const struct scan_snapshot *snap, pid_t pid)
{
	for (size_t i = 0; i < snap->count; i++)
		if (snap->procs[i].pid == pid)
			return &snap->procs[i];
	return NULL;
}

/* ---- threads --------------------------------------------------------------- */

/* One task's stat line, read through its process's held task directory. */
static bool read_task(int taskfd, pid_t tid, struct scan_task *t)
{
	struct scan_stat_line st;
	char path[24];

	snprintf(path, sizeof path, "%d/stat", (int)tid);
	if (!read_stat_file(taskfd, path, tid, &st))
		return false;
	*t = (struct scan_task){ .tid = tid, .state = st.state, .start_time = st.start_time,
				 .ticks = st.ticks, .cpu = CPU_UNKNOWN };
	memcpy(t->comm, st.comm, sizeof t->comm);
	return true;
}

static int by_task_tid(const void *a, const void *b)
{
	return scan_pid_order(&((const struct scan_task *)a)->tid, &((const struct scan_task *)b)->tid);
}

/* The tasks read, [first, *n): the process's own when its main thread (TID
 * = PID) has its start time; else it is gone or recycled, and none are. */
static bool tasks_are_of(const struct scan_task *tasks, size_t first, size_t n, pid_t pid,
			 unsigned long long start_time)
{
	for (size_t i = first; i < n; i++)
		if (tasks[i].tid == pid)
			return tasks[i].start_time == start_time;
	return false;
}

long scan_tasks(struct scan *scan, pid_t pid, unsigned long long start_time,
		struct scan_task **tasks, size_t *n, size_t *cap)
{
	char path[32];
	size_t first = *n;
	long long read_ns = cpu_now_ns();
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if (!(dir = opendir(path)))
		return 0; /* gone */
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		if (GROW(*tasks, *cap, *n + 1) < 0) {
			closedir(dir);
			*n = first;
			return -ENOMEM;
		}
		if (read_task(dirfd(dir), (pid_t)strtol(d->d_name, NULL, 10), &(*tasks)[*n]))
			(*n)++;
	}
	closedir(dir);
	if (!tasks_are_of(*tasks, first, *n, pid, start_time)) {
		*n = first;
		return 0;
	}
	qsort(*tasks + first, *n - first, sizeof **tasks, by_task_tid);
	for (size_t i = first; i < *n; i++) {
		struct scan_task *t = &(*tasks)[i];

		t->cpu = cpu_note(&scan->tasks, t->tid, t->start_time, t->ticks, read_ns);
	}
	return (long)(*n - first);
}

void scan_tasks_done(struct scan *scan)
{
	cpu_round_end(&scan->tasks);
}
