/* pidns: see pidns.h. */
#include "pidns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"

/* The first line of text that starts with key (at its start or after a
 * newline), pointing past the key; NULL when none does. */
static const char *line_value(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, klen))
			return p + klen;
	}
	return NULL;
}

int pidns_parse_nspid(const char *text, pid_t *levels, int max)
{
	const char *p = line_value(text, "NSpid:");
	int n = 0;

	while (p && *p != '\n' && *p) {
		char *end;
		long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || !*p)
			break;
		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v < -1 || v > 0x7fffffff)
			return 0;
		if (n < max)
			levels[n++] = (pid_t)v;
		p = end;
	}
	return n;
}

/* Reads a small /proc file whole (a status) into buf. */
static bool read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

bool pidns_parse_caught(const char *text, uint64_t *caught)
{
	const char *p = line_value(text, "SigCgt:");
	char *end;

	if (!p)
		return false;
	errno = 0;
	*caught = strtoull(p, &end, 16);
	return end != p && !errno && (*end == '\n' || !*end);
}

bool pidns_read_caught(pid_t pid, uint64_t *caught)
{
	char path[64], buf[4096];

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	return read_small(path, buf, sizeof buf) && pidns_parse_caught(buf, caught);
}

void pidns_signal_name(int sig, char *buf, size_t len)
{
	if (sig < SIGRTMIN && sigabbrev_np(sig))
		snprintf(buf, len, "SIG%s", sigabbrev_np(sig));
	else
		snprintf(buf, len, "%d", sig);
}

bool pidns_init_drops(uint64_t caught, int sig)
{
	if (sig <= 0 || sig > 64 || sig == SIGKILL || sig == SIGSTOP || sig == SIGCONT)
		return false;
	return !(caught & (1ULL << (sig - 1)));
}

/* The inode of pid's PID namespace, or 0. */
static unsigned long long ns_of(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

void pidns_map_open(struct pidns_map *map, pid_t init_outer)
{
	memset(map, 0, sizeof *map);
	pidns_learn(map, 1, init_outer);
	map->ns = ns_of(init_outer);
}

void pidns_map_free(struct pidns_map *map)
{
	free(map->pairs);
	memset(map, 0, sizeof *map);
}

static struct pidns_pair *pair_of_inner(const struct pidns_map *map, pid_t inner)
{
	for (size_t i = map->count; i-- > 0;) /* the newest first: a PID used again */
		if (map->pairs[i].inner == inner)
			return &map->pairs[i];
	return NULL;
}

void pidns_learn(struct pidns_map *map, pid_t inner, pid_t outer)
{
	struct pidns_pair *p = pair_of_inner(map, inner);

	if (inner <= 0 || outer <= 0)
		return;
	for (unsigned i = 0; i < PIDNS_MISSED_MAX; i++)
		if (map->missed[i] == inner)
			map->missed[i] = 0; /* found after all */
	if (p) {
		p->outer = outer;
		return;
	}
	if (GROW(map->pairs, map->cap, map->count + 1) < 0)
		return;
	map->pairs[map->count++] = (struct pidns_pair){ inner, outer };
}

/* Learns outer's namespace PID when it is one level below forktop's. */
static void learn_from_status(struct pidns_map *map, pid_t outer, const char *status_path)
{
	char buf[4096];
	pid_t levels[PIDNS_LEVELS_MAX];
	int n;

	if (!read_small(status_path, buf, sizeof buf))
		return;
	n = pidns_parse_nspid(buf, levels, PIDNS_LEVELS_MAX);
	if (n == 2 && levels[0] == outer)
		pidns_learn(map, levels[1], outer);
}

/* Lists /proc and learns every process of the namespace not yet known. */
static void search_namespace(struct pidns_map *map)
{
	DIR *dir = opendir("/proc");
	struct dirent *d;

	if (!dir)
		return;
	while ((d = readdir(dir))) {
		char path[64];
		long pid = strtol(d->d_name, NULL, 10);

		if (pid <= 0 || pidns_inner(map, (pid_t)pid) || ns_of((pid_t)pid) != map->ns)
			continue;
		snprintf(path, sizeof path, "/proc/%ld/status", pid);
		learn_from_status(map, (pid_t)pid, path);
	}
	closedir(dir);
}

pid_t pidns_known(const struct pidns_map *map, pid_t inner)
{
	const struct pidns_pair *p = inner > 0 ? pair_of_inner(map, inner) : NULL;

	return p ? p->outer : 0;
}

static bool missed_before(const struct pidns_map *map, pid_t inner)
{
	for (unsigned i = 0; i < PIDNS_MISSED_MAX; i++)
		if (map->missed[i] == inner)
			return true;
	return false;
}

pid_t pidns_outer(struct pidns_map *map, pid_t inner)
{
	pid_t outer = pidns_known(map, inner);

	if (outer || inner <= 0 || !map->ns || missed_before(map, inner))
		return outer;
	search_namespace(map);
	if (!(outer = pidns_known(map, inner))) /* reaped: it will not show again */
		map->missed[map->next_missed++ % PIDNS_MISSED_MAX] = inner;
	return outer;
}

pid_t pidns_inner(const struct pidns_map *map, pid_t outer)
{
	for (size_t i = map->count; i-- > 0;)
		if (map->pairs[i].outer == outer)
			return map->pairs[i].inner;
	return 0;
}
