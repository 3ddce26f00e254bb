/* stamp: copies standard input to standard output, each line prefixed with
 * the wall-clock time (CLOCK_REALTIME, seconds with microseconds, then a
 * space) at which the read(2) that brought the line's end returned: the
 * moment a reader of a monitor's output had that line.
 *
 * usage: COMMAND | stamp > FILE */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	struct timespec now = { 0, 0 };

	if (!buf)
		return 1;
	for (;;) {
		ssize_t n;
		size_t start = 0;

		if (len == cap) {
			char *more = realloc(buf, cap * 2);

			if (!more)
				return 1;
			buf = more;
			cap *= 2;
		}
		n = read(0, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		clock_gettime(CLOCK_REALTIME, &now);
		for (size_t i = len; i < len + (size_t)n; i++) {
			if (buf[i] != '\n')
				continue;
			printf("%lld.%06ld ", (long long)now.tv_sec, now.tv_nsec / 1000);
			fwrite(buf + start, 1, i + 1 - start, stdout);
			start = i + 1;
		}
		len += (size_t)n;
		memmove(buf, buf + start, len - start);
		len -= start;
	}
	if (len) { /* a last line without its newline */
		printf("%lld.%06ld ", (long long)now.tv_sec, now.tv_nsec / 1000);
		fwrite(buf, 1, len, stdout);
		putchar('\n');
	}
	free(buf);
	return fflush(stdout) == 0 ? 0 : 1;
}
