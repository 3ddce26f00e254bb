/* floor_raw: the kernel's cost of a process table: every /proc/PID/stat read
 * once with openat, and pid, ppid and state parsed. Nothing else.
 * usage: floor_raw [REPEAT] ; prints the number of processes. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long scan_once(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	long count = 0, sum = 0;

	if (!proc)
		return -1;
	while ((d = readdir(proc))) {
		char path[300], buf[1024], *close_paren, state;
		int fd, pid, ppid;
		ssize_t n;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "%s/stat", d->d_name);
		fd = openat(dirfd(proc), path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		close_paren = strrchr(buf, ')');
		if (!close_paren || sscanf(close_paren + 2, "%c %d", &state, &ppid) != 2)
			continue;
		pid = atoi(buf);
		sum += pid + ppid + state;
		count++;
	}
	closedir(proc);
	return sum ? count : 0;
}

int main(int argc, char **argv)
{
	int repeat = argc > 1 ? atoi(argv[1]) : 1;
	long count = 0;

	for (int i = 0; i < repeat; i++)
		count = scan_once();
	printf("%ld\n", count);
	return count > 0 ? 0 : 1;
}
