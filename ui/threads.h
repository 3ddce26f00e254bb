/* threads: each process's threads as lines under it (the TUI's H, batch's
 * --threads), rebuilt with the rows. Threads are read from
 * /proc/PID/task only for the processes that have more than one (the
 * others' one thread is their process's own record) and, in the
 * interactive all-processes view, only for the rows on screen: the cost
 * follows the screen. The lab's and a program's views show the threads of
 * their own processes only. The lines point into the session's latest refresh:
 * they are dropped with it. */
#ifndef FORKTOP_THREADS_H
#define FORKTOP_THREADS_H

#include <stdbool.h>
#include <stddef.h>

#include "../src/scan.h"
#include "rows.h"

struct session;

struct session_threads {
	bool wanted;
	struct scan_task *tasks;   /* tasks[k] is the task of lines[k] */
	size_t ntasks, tasks_cap;
	struct row *lines;
	size_t lines_cap;
};

/* Reads the threads of s's rows and makes their lines (each row's range
 * in first_thread and nthreads). Returns 0 or a negative errno (then no
 * row has threads). */
int threads_build(struct session_threads *th, struct session *s);
void threads_free(struct session_threads *th);

#endif
