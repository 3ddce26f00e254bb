/* hostile: a process with a hostile name, for the tests. Sets its comm to
 * argv[1] (bytes as given, up to 15) and its command line to argv[2], then
 * waits until stdin reaches EOF or 60 s pass. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char c;

	if (argc < 2) {
		fprintf(stderr, "usage: hostile COMM [ARG]\n");
		return 2;
	}
	prctl(PR_SET_NAME, (unsigned long)argv[1], 0, 0, 0);
	for (int waited = 0; waited < 60000; waited += 100)
		if (poll(&p, 1, 100) > 0 && read(0, &c, 1) <= 0)
			break;
	return 0;
}
