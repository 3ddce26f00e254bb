/* floor_proc2: the library's cost: a bare libproc2 reap of the items forktop's
 * scan asks for (libproc2 adds a stat() per process to the kernel's cost).
 * usage: floor_proc2 [REPEAT] ; prints the number of processes. */
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	enum pids_item items[] = { PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_PGRP, PIDS_ID_SESSION,
				   PIDS_TTY, PIDS_NLWP, PIDS_STATE, PIDS_TICS_BEGAN, PIDS_CMD };
	int repeat = argc > 1 ? atoi(argv[1]) : 1, total = 0;
	struct pids_info *info = NULL;

	if (procps_pids_new(&info, items, (int)(sizeof items / sizeof items[0])) < 0)
		return 1;
	for (int i = 0; i < repeat; i++) {
		struct pids_fetch *f = procps_pids_reap(info, PIDS_FETCH_TASKS_ONLY);

		if (!f)
			return 1;
		total = f->counts->total;
	}
	printf("%d\n", total);
	procps_pids_unref(&info);
	return 0;
}
