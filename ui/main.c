/* main: command-line options and the choice of face. Bad input gets one
 * clear line on stderr and exit status 2; nothing else happens before the
 * options are known to be good. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "batch.h"

#define EXIT_USAGE 2

static void print_help(FILE *out)
{
	fprintf(out,
		"Usage: forktop [OPTION]...\n"
		"Watch the Unix process lifecycle: a live process forest with parents,\n"
		"states, exit codes, and the events between frames.\n"
		"\n"
		"  -b, --batch           print frames as text, like top -b (the default)\n"
		"  -d, --delay MS        milliseconds between frames (default 1000, 10..3600000)\n"
		"  -n, --iterations N    stop after N frames (default: until interrupted)\n"
		"  -A, --all             show every process on the machine\n"
		"  -p, --pid PID         show one process's family: its ancestors and descendants\n"
		"  -j, --json            write NDJSON: one object per frame and per event\n"
		"      --ascii           ASCII tree glyphs, every non-ASCII byte escaped\n"
		"  -h, --help            show this help and exit\n"
		"  -V, --version         show the version and exit\n"
		"\n"
		"Columns: PID PPID S (state) DAEMON EXIT (Python-style exit code: N for\n"
		"exit(N), -N when killed by signal N; '-' while unknown) NAME.\n"
		"See forktop(1).\n");
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("forktop: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'forktop --help')\n", stderr);
	return EXIT_USAGE;
}

/* A whole decimal number in [min, max], or false. */
static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

enum { OPT_ASCII = 256 };

static const struct option long_options[] = {
	{ "batch", no_argument, NULL, 'b' },      { "delay", required_argument, NULL, 'd' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "all", no_argument, NULL, 'A' },        { "pid", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },       { "ascii", no_argument, NULL, OPT_ASCII },
	{ "help", no_argument, NULL, 'h' },       { "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, or an exit status. */
static int parse_option(int c, const char *arg, struct batch_options *opt)
{
	long v;

	switch (c) {
	case 'b': return -1;
	case 'A': opt->all = true; return -1;
	case 'j': opt->json = true; return -1;
	case OPT_ASCII: opt->ascii = true; return -1;
	case 'd':
		if (!parse_long(arg, 10, 3600000, &v))
			return usage_error("--delay wants milliseconds from 10 to 3600000, not '%s'", arg);
		opt->delay_ms = v;
		return -1;
	case 'n':
		if (!parse_long(arg, 1, LONG_MAX, &v))
			return usage_error("--iterations wants a whole number of frames >= 1, not '%s'", arg);
		opt->iterations = v;
		return -1;
	case 'p':
		if (!parse_long(arg, 1, INT_MAX, &v))
			return usage_error("--pid wants a process ID, not '%s'", arg);
		opt->family_pid = (pid_t)v;
		return -1;
	case 'h': print_help(stdout); return 0;
	case 'V': printf("forktop %s\n", PACKAGE_VERSION); return 0;
	default: return EXIT_USAGE; /* getopt already named the problem */
	}
}

static int check_family_pid(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	if (access(path, F_OK) == 0)
		return -1;
	fprintf(stderr, "forktop: no process with PID %d\n", (int)pid);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct batch_options opt = { .delay_ms = 1000 };
	int c, rc;

	setlocale(LC_ALL, "");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":bd:n:Ap:jhV", long_options, NULL)) != -1) {
		char shortopt[3] = { '-', (char)optopt, '\0' };
		const char *typed = argv[optind - 1];
		const char *name = strncmp(typed, "--", 2) == 0 || !optopt ? typed : shortopt;

		if (c == '?')
			return usage_error("unknown option '%s'", name);
		if (c == ':')
			return usage_error("option '%s' needs a value", name);
		if ((rc = parse_option(c, optarg, &opt)) >= 0)
			return rc;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (opt.all && opt.family_pid > 0)
		return usage_error("%s", "--all and --pid choose different views: give one");
	if (opt.family_pid > 0 && (rc = check_family_pid(opt.family_pid)) >= 0)
		return rc;
	return batch_run(&opt);
}
