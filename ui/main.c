/* main: command-line options and the choice of face. Bad input gets one
 * clear line on stderr and exit status 2; nothing else happens before the
 * options are known to be good. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../src/datafile.h"
#include "../src/i18n.h"
#include "../src/example.h"
#include "../src/features.h"
#include "../src/labproc.h"
#include "../src/text.h"
#include "../src/tour.h"
#include "batch.h"
#include "history.h"
#include "replay.h"
#include "tui.h"

#define EXIT_USAGE 2

/* One option of --help: the option as it is typed (padded to the column of
 * the explanations), then its explanation; each line break in the
 * explanation goes on under that column. */
static void print_option(FILE *out, const char *option, const char *help)
{
	fputs(option, out);
	for (const char *p = help; *p; p++) {
		fputc(*p, out);
		if (*p == '\n')
			fputs("                        ", out);
	}
	fputc('\n', out);
}

static void print_help(FILE *out)
{
	fprintf(out, "%s\n", _("Usage: forktop [OPTION]... [-- CMD [ARG]...]"));
	fprintf(out, "%s\n\n",
		_("Watch the Unix process lifecycle: a live process forest with parents,\n"
		  "states, exit codes, and the events between frames. forktop starts a lab:\n"
		  "a family of real processes that behaves like Python's multiprocessing\n"
		  "with daemonic and non-daemonic children."));
	fprintf(out, "%s\n\n",
		_("Without --batch (or --json) forktop is interactive: press ? in it for keys."));
	/* TRANSLATORS: each option's explanation below is printed in a column that
	   starts 24 columns in, and a line break in it goes on in that column: break
	   the lines so that each ends within 80 columns (about 56 columns of text; a
	   Korean character takes two). */
	print_option(out, "  -b, --batch           ",
		     _("print frames as text, like top -b, instead"));
	print_option(out, "  -d, --delay MS        ",
		     _("milliseconds between frames (default 1000, 10..3600000)"));
	print_option(out, "  -n, --iterations N    ",
		     _("stop after N frames or refreshes (default: until\n"
		       "interrupted, or quit)"));
	print_option(out, "  -A, --all             ",
		     _("show every process on the machine (default: the lab,\n"
		       "PID 1 and forktop)"));
	print_option(out, "  -p, --pid PID         ",
		     _("show one process's family: its ancestors and descendants\n"
		       "(no lab)"));
	/* TRANSLATORS: the names in parentheses are scenario names: keep them. */
	print_option(out, "  -s, --scenario FILE   ",
		     _("the lab's scenario: a file, or the name of a shipped one\n"
		       "(default, stubborn, zombies, nested, unixdaemon,\n"
		       "threads, spawn, container, container-init;\n"
		       "without it: default)"));
	/* TRANSLATORS: fork, spawn, forkserver and start_method are names: keep them. */
	print_option(out, "  -m, --start-method M  ",
		     _("how the lab starts children: fork, spawn or forkserver\n"
		       "(default: the scenario's start_method)"));
	print_option(out, "      --pid-namespace   ",
		     _("run the lab in a new PID namespace, as in a container\n"
		       "(through a user namespace when not root)"));
	/* TRANSLATORS: none and forktop are the values of --init: keep them. */
	print_option(out, "      --init WHO        ",
		     _("the namespace's PID 1: none (MainProcess itself) or\n"
		       "forktop (a small init in front of it, as tini is);\n"
		       "implies --pid-namespace (default: the scenario's)"));
	print_option(out, "      --no-lab          ",
		     _("start no lab: a plain monitor of every process"));
	print_option(out, "      --subreaper       ",
		     _("forktop becomes a child subreaper: orphans come to it\n"
		       "(and it reaps them) instead of going to PID 1"));
	print_option(out, "      --attach PID      ",
		     _("watch an existing process and all its descendants"));
	/* TRANSLATORS: kernel, polling and auto are the values of --events: keep them. */
	print_option(out, "      --events SOURCE   ",
		     _("how a watched program's forks and exits are learned:\n"
		       "kernel (the process events connector: every process,\n"
		       "however short its life), polling (/proc at each\n"
		       "refresh) or auto (kernel where the kernel answers;\n"
		       "the default)"));
	print_option(out, "      --events-buffer BYTES  ",
		     _("the kernel events' receive buffer (default 4 MiB)"));
	print_option(out, "  -- CMD [ARG]...       ",
		     _("start CMD and watch its whole family (no lab); its\n"
		       "output goes to the event log. Its Python processes\n"
		       "load forktop's hook, which tells their names, daemon\n"
		       "flags, joins and threads"));
	print_option(out, "      --no-python-hook  ",
		     _("with -- CMD: load no hook into its Python processes"));
	print_option(out, "      --example NAME    ",
		     _("run a Python example forktop ships (as -- python3 FILE);\n"
		       "--example list lists them"));
	/* TRANSLATORS: keep the syntax in quotes and the action words (terminate, kill,
	   interrupt, join, by, timeout, poll, spawn, kill-main, exit-main, quit) as
	   they are: --script reads them. */
	print_option(out, "  -S, --script STEPS    ",
		     _("timed lab actions: '@SECONDS ACTION [TARGET]; ...' with\n"
		       "ACTION terminate, kill, interrupt (SIGINT), join\n"
		       "(TARGET [by JOINER] [timeout S]), poll (is_alive),\n"
		       "spawn (GROUP or PROCESS), kill-main, exit-main, quit"));
	print_option(out, "  -j, --json            ",
		     _("batch frames as NDJSON, one object per frame and event\n"
		       "(its first line says what wrote it: a recording)"));
	print_option(out, "      --record FILE     ",
		     _("also write the session to FILE as it goes: the\n"
		       "frames and events --json prints (gzip when FILE\n"
		       "ends in .gz)"));
	print_option(out, "      --history MIB     ",
		     _("the screen keeps up to MIB MiB of past moments for\n"
		       "time travel (default 64; 0: only the one shown)"));
	print_option(out, "      --replay FILE     ",
		     _("show a recording in the screen, read-only, with every\n"
		       "key that moves in time; or print it again as text\n"
		       "(--batch) or NDJSON (--json). FILE - reads standard\n"
		       "input as it comes (ssh HOST forktop -j | forktop --replay -)"));
	/* TRANSLATORS: "tasks" is a JSON field name: keep it. */
	print_option(out, "  -H, --threads         ",
		     /* xgettext:no-c-format */
		     _("each process's threads under it (TID, state, CPU%);\n"
		       "NDJSON process objects gain \"tasks\" (H in the screen)"));
	/* TRANSLATORS: the column names (sid, tty, ...) are what --columns reads: keep them. */
	print_option(out, "      --columns LIST    ",
		     _("more columns, e.g. sid,tty,pgid,elapsed (any of ppid,\n"
		       "pgid, sid, tty, cpu, time, elapsed, nspid; C in the\n"
		       "screen)"));
	print_option(out, "      --ascii           ",
		     _("ASCII tree glyphs, every non-ASCII byte escaped"));
	print_option(out, "      --tour[=FILE]     ",
		     _("a guided tour of the lab, step by step, in the\n"
		       "interactive screen (FILE: your own tour)"));
	print_option(out, "      --features        ",
		     _("what this kernel and account give forktop, each\n"
		       "probed: pidfds, their exit information, process\n"
		       "events, subreaper, user and PID namespaces"));
	print_option(out, "  -h, --help            ", _("show this help and exit"));
	print_option(out, "  -V, --version         ", _("show the version and exit"));
	/* TRANSLATORS: PID, PPID, S, DAEMON, EXIT, CPU%, TIME+ and NAME are the
	   column headings as the screen shows them. */
	fprintf(out, "\n%s\n",
		/* xgettext:no-c-format */
		_("Columns: PID PPID S (state) DAEMON (Python's daemon flag, lab only) EXIT\n"
		  "(Python's exitcode: N for exit(N), -N when killed by signal N; '-' while\n"
		  "unknown) CPU% (the share of one core since the previous frame: 100 is a\n"
		  "core kept busy; '-' at a process's first frame) TIME+ (CPU time used,\n"
		  "minutes:seconds.hundredths) NAME."));
	fprintf(out, "%s\n", _("See forktop(1)."));
}

/* The kernel and the account, as --features and --version name them. */
static void print_system(void)
{
	struct utsname u;

	if (uname(&u) == 0)
		/* TRANSLATORS: after "forktop VERSION ": the kernel's name, release and
		   machine ("on Linux 6.8.0 (x86_64), "); the account follows. */
		printf(_("on %s %s (%s), "), u.sysname, u.release, u.machine);
	if (geteuid() == 0)
		printf(_("as root (uid %d)\n"), (int)geteuid());
	else
		printf(_("as an unprivileged user (uid %d)\n"), (int)geteuid());
}

/* yes or no, as --features and --version answer. */
static const char *yes_no(bool yes)
{
	/* TRANSLATORS: --features pads it to 3 columns; keep it short. */
	return yes ? _("yes") : _("no");
}

/* What this kernel and this account give forktop, each probed. */
/* cols, or the display width of text when it is wider. */
static int wider(int cols, const char *text)
{
	int w = text_width(text);

	return w > cols ? w : cols;
}

static void print_features(void)
{
	/* in display columns: the words may be Korean */
	int name_cols = 24, answer_cols = wider(wider(3, yes_no(true)), yes_no(false));
	char name[256], answer[64];

	printf("forktop %s ", PACKAGE_VERSION);
	print_system();
	for (int f = 0; f < FEATURE_COUNT; f++)
		name_cols = wider(name_cols, _(feature_name((enum feature)f)));
	for (int f = 0; f < FEATURE_COUNT; f++) {
		struct feature_state st;

		feature_probe((enum feature)f, &st);
		text_fit(name, sizeof name, _(feature_name((enum feature)f)), name_cols);
		text_fit(answer, sizeof answer, yes_no(st.yes), answer_cols);
		printf("  %s %s  %s\n", name, answer, st.why);
	}
}

/* The version, and in one line what forktop can see here. */
static void print_version(void)
{
	struct feature_state exit_info, events;

	printf("forktop %s\n", PACKAGE_VERSION);
	feature_probe(FEATURE_PIDFD_EXIT, &exit_info);
	feature_probe(FEATURE_PROCESS_EVENTS, &events);
	/* TRANSLATORS: two features with yes or no: "here: pidfd exit information:
	   yes, process events: no (forktop --features says why)". */
	printf(_("here: %s: %s, %s: %s (forktop --features says why)\n"),
	       _(feature_name(FEATURE_PIDFD_EXIT)), yes_no(exit_info.yes),
	       _(feature_name(FEATURE_PROCESS_EVENTS)), yes_no(events.yes));
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("forktop: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* TRANSLATORS: appended to every error in the command line, after its message. */
	fputs(_(" (try 'forktop --help')"), stderr);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

enum { OPT_ASCII = 256, OPT_NO_LAB, OPT_SUBREAPER, OPT_ATTACH, OPT_TOUR, OPT_EVENTS, OPT_EVENTS_BUFFER,
       OPT_FEATURES, OPT_COLUMNS, OPT_NO_PYTHON_HOOK, OPT_EXAMPLE, OPT_PID_NAMESPACE, OPT_INIT,
       OPT_RECORD, OPT_REPLAY, OPT_HISTORY };

struct cli {
	struct session_options session; /* what both faces pass on to the session */
	bool json;                      /* batch: NDJSON */
	const struct tour *loaded_tour; /* the TUI: the tour --tour loaded */
	const char *scenario_path;
	const char *script_text;
	const char *start_method;
	bool pid_namespace; /* --pid-namespace */
	const char *init;   /* --init NAME */
	bool tour;
	const char *tour_path; /* NULL: the shipped tour */
	bool no_lab;
	bool batch_mode;
	const char *example; /* --example NAME */
	const char *record;  /* --record FILE */
	const char *replay;  /* --replay FILE */
	long history_mib;    /* --history MIB */
	bool history_given;
	int given;           /* options given but --replay, --batch, --json, --ascii and -n */
};

static const struct option long_options[] = {
	{ "batch", no_argument, NULL, 'b' },      { "delay", required_argument, NULL, 'd' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "all", no_argument, NULL, 'A' },        { "pid", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },       { "ascii", no_argument, NULL, OPT_ASCII },
	{ "threads", no_argument, NULL, 'H' },    { "columns", required_argument, NULL, OPT_COLUMNS },
	{ "scenario", required_argument, NULL, 's' }, { "no-lab", no_argument, NULL, OPT_NO_LAB },
	{ "start-method", required_argument, NULL, 'm' },
	{ "pid-namespace", no_argument, NULL, OPT_PID_NAMESPACE },
	{ "init", required_argument, NULL, OPT_INIT },
	{ "script", required_argument, NULL, 'S' },
	{ "subreaper", no_argument, NULL, OPT_SUBREAPER },
	{ "attach", required_argument, NULL, OPT_ATTACH },
	{ "no-python-hook", no_argument, NULL, OPT_NO_PYTHON_HOOK },
	{ "example", required_argument, NULL, OPT_EXAMPLE },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "events-buffer", required_argument, NULL, OPT_EVENTS_BUFFER },
	{ "features", no_argument, NULL, OPT_FEATURES },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "tour", optional_argument, NULL, OPT_TOUR },
	{ "help", no_argument, NULL, 'h' },       { "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Whether an option that shapes the lab was given: --scenario, --script,
 * --start-method, --pid-namespace or --init. */
static bool lab_options_given(const struct cli *cli)
{
	return cli->scenario_path || cli->script_text || cli->start_method || cli->pid_namespace ||
	       cli->init;
}

/* Returns -1 to go on, or an exit status. */
static int parse_option(int c, const char *arg, struct cli *cli)
{
	struct session_options *opt = &cli->session;
	char err[160];
	long v;

	switch (c) {
	case 'b': cli->batch_mode = true; return -1;
	case 's': cli->scenario_path = arg; return -1;
	case 'm': cli->start_method = arg; return -1;
	case OPT_PID_NAMESPACE: cli->pid_namespace = true; return -1;
	case OPT_INIT: cli->init = arg; return -1;
	case 'S': cli->script_text = arg; return -1;
	case OPT_NO_LAB: cli->no_lab = true; return -1;
	case OPT_SUBREAPER: opt->subreaper = true; return -1;
	case OPT_NO_PYTHON_HOOK: opt->no_python_hook = true; return -1;
	case OPT_EXAMPLE: cli->example = arg; return -1;
	case OPT_RECORD: cli->record = arg; return -1;
	case OPT_REPLAY: cli->replay = arg; return -1;
	case OPT_HISTORY:
		if (!text_parse_long(arg, 0, 4096, &v))
			return usage_error(_("--history wants MiB from 0 to 4096, not '%s'"), arg);
		cli->history_mib = v;
		cli->history_given = true;
		return -1;
	case OPT_TOUR: cli->tour = true; cli->tour_path = arg; return -1;
	case OPT_ATTACH:
		if (!text_parse_long(arg, 1, INT_MAX, &v))
			return usage_error(_("--attach wants a process ID, not '%s'"), arg);
		opt->attach_pid = (pid_t)v;
		cli->no_lab = true;
		return -1;
	case OPT_COLUMNS:
		if (!rows_columns_by_names(arg, &opt->columns, err, sizeof err))
			return usage_error(_("--columns: %s, in '%s'"), err, arg);
		return -1;
	case OPT_EVENTS:
		if (!session_events_by_name(arg, &opt->events))
			return usage_error(_("--events wants kernel, polling or auto, not '%s'"),
					   arg);
		return -1;
	case OPT_EVENTS_BUFFER:
		if (!text_parse_long(arg, 1, 1L << 30, &v))
			return usage_error(_("--events-buffer wants bytes from 1 to 1073741824, not '%s'"),
					   arg);
		opt->events_buffer = (int)v;
		return -1;
	case 'A': opt->all = true; return -1;
	case 'H': opt->threads = true; return -1;
	case 'j': cli->json = cli->batch_mode = true; return -1;
	case OPT_ASCII: opt->ascii = true; return -1;
	case 'd':
		if (!text_parse_long(arg, 10, 3600000, &v))
			return usage_error(_("--delay wants milliseconds from 10 to 3600000, not '%s'"),
					   arg);
		opt->delay_ms = v;
		return -1;
	case 'n':
		if (!text_parse_long(arg, 1, LONG_MAX, &v))
			return usage_error(_("--iterations wants a whole number of frames >= 1, not '%s'"),
					   arg);
		opt->iterations = v;
		return -1;
	case 'p':
		if (!text_parse_long(arg, 1, INT_MAX, &v))
			return usage_error(_("--pid wants a process ID, not '%s'"), arg);
		opt->family_pid = (pid_t)v;
		return -1;
	case 'h': print_help(stdout); return 0;
	case 'V': print_version(); return 0;
	case OPT_FEATURES: print_features(); return 0;
	default: return EXIT_USAGE; /* getopt already named the problem */
	}
}

static int check_family_pid(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	if (access(path, F_OK) == 0)
		return -1;
	fputs("forktop: ", stderr);
	fprintf(stderr, _("no process with PID %d"), (int)pid);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* The shipped tour in the user's language: lessons/LANG/tour.conf beside the
 * English one at path, when there is one. */
static void translated_tour(char *path, size_t len)
{
	char dir[4200], lang[I18N_LANG_MAX];
	char *slash = strrchr(path, '/');

	if (!slash || (size_t)(slash - path) >= sizeof dir)
		return;
	snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	i18n_user_file(dir, TOUR_NAME, path, len, lang);
}

/* The tour: its own scenarios, only in the interactive screen. */
static int prepare_tour(struct cli *cli, struct tour *tour)
{
	char err[1024], path[4200], looked[1024];
	const char *file = cli->tour_path;

	if (cli->batch_mode)
		return usage_error("%s", _("--tour walks through the interactive screen: not "
					   "with --batch or --json"));
	if (lab_options_given(cli) || cli->no_lab || cli->session.family_pid > 0)
		return usage_error("%s", _("--tour loads its own scenarios: not with --scenario, "
					   "--script, --start-method, --pid-namespace, --init, "
					   "--no-lab, --pid, --attach or a command"));
	if (!file && datafile_find(TOUR_FILE, path, sizeof path, looked, sizeof looked) < 0)
		return usage_error(_("no tour file: looked in %s"), looked);
	if (!file)
		translated_tour(path, sizeof path);
	if (tour_load_file(file ? file : path, tour, err, sizeof err) < 0)
		return usage_error("%s", err);
	cli->loaded_tour = tour;
	cli->session.scenario = tour_scenario_of(tour, 0);
	return -1;
}

/* Loads the scenario and the script; both are checked before anything starts. */
static int prepare_lab(struct cli *cli, struct scenario *sc, struct script *script)
{
	char err[512], path[4200];

	if (cli->no_lab || cli->session.family_pid > 0) {
		if (lab_options_given(cli))
			return usage_error("%s", _("--scenario, --script, --start-method, "
						   "--pid-namespace and --init need the lab (not "
						   "--no-lab or --pid)"));
		return -1;
	}
	if (cli->scenario_path) {
		const char *file = datafile_scenario(cli->scenario_path, path, sizeof path);

		if (!file)
			return usage_error(_("no file and no shipped scenario is named '%s' "
					     "(shipped: default, stubborn, zombies, nested, "
					     "unixdaemon, threads, spawn, container, "
					     "container-init)"),
					   cli->scenario_path);
		if (scenario_load_file(file, sc, err, sizeof err) < 0)
			return usage_error("%s", err);
	}
	if (!cli->scenario_path)
		scenario_default(sc);
	if (cli->start_method && !scenario_method_parse(cli->start_method, &sc->start_method))
		return usage_error(_("--start-method wants fork, spawn or forkserver, not '%s'"),
				   cli->start_method);
	if (cli->init && !scenario_init_parse(cli->init, &sc->init))
		return usage_error(_("--init wants none or forktop, not '%s'"), cli->init);
	if (cli->init || cli->pid_namespace)
		sc->pid_namespace = true;
	cli->session.scenario = sc;
	if (cli->script_text) {
		if (script_parse(cli->script_text, sc, script, err, sizeof err) < 0)
			return usage_error("%s", err);
		cli->session.script = script;
	}
	return -1;
}

/* --example list: each shipped example with what it shows. */
static int list_examples(void)
{
	struct example all[EXAMPLES_MAX];
	char err[1200];
	int n = example_list(all, EXAMPLES_MAX, err, sizeof err);

	if (n < 0) {
		fprintf(stderr, "forktop: %s\n", err);
		return EXIT_FAILURE;
	}
	printf("%s\n", _("Python examples (forktop --example NAME):"));
	for (int i = 0; i < n; i++)
		printf("  %-20s %s\n", all[i].name, all[i].summary);
	return 0;
}

/* --example NAME: python3 runs the shipped file, as -- would run it. */
static int prepare_example(struct cli *cli, char *path, size_t len, char **argv)
{
	static char label[EXAMPLE_NAME_MAX + 16];
	char err[256];

	if (cli->session.command || cli->session.attach_pid || cli->session.family_pid ||
	    lab_options_given(cli) || cli->tour)
		return usage_error("%s", _("--example runs a program instead of the lab: not with "
					   "a command, --attach, --pid, --scenario, --script, "
					   "--start-method, --pid-namespace, --init or --tour"));
	if (!strcmp(cli->example, "list"))
		return list_examples();
	if (example_find(cli->example, path, len, err, sizeof err) < 0)
		return usage_error("%s", err);
	argv[0] = "python3";
	argv[1] = path;
	argv[2] = NULL;
	cli->session.command = argv;
	/* TRANSLATORS: the screen's header names the program --example runs so. */
	snprintf(label, sizeof label, _("example %s"), cli->example);
	cli->session.command_label = label;
	cli->no_lab = true;
	return -1;
}

/* --replay: a recording again, printed; only the options of its printing. */
static int replay(const struct cli *cli, int argc)
{
	if (cli->given || argc > optind)
		return usage_error("%s", _("--replay shows a recording: with --batch, --json, "
					   "--ascii and --iterations only"));
	if (!cli->batch_mode)
		return tui_run(&(struct tui_options){ .session = { .delay_ms = 100, .all = true,
								   .ascii = cli->session.ascii },
						      .replay = cli->replay, .history_mib = cli->history_mib });
	return replay_run_batch(&(struct replay_options){ .path = cli->replay, .json = cli->json,
		.ascii = cli->session.ascii, .iterations = cli->session.iterations });
}

static int run_face(const struct cli *cli)
{
	if (cli->batch_mode)
		return batch_run(&(struct batch_options){ .session = cli->session, .json = cli->json,
							  .record = cli->record });
	return tui_run(&(struct tui_options){ .session = cli->session, .tour = cli->loaded_tour,
						.record = cli->record, .history_mib = cli->history_mib });
}

/* Descriptors 0-2 must be open before anything else gets a number (a
 * socket on 0 would be taken for stdin by whoever starts next). */
static void ensure_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
			return;
}

int main(int argc, char **argv)
{
	struct cli cli = { .session = { .delay_ms = 1000 }, .history_mib = HISTORY_DEFAULT_MIB };
	struct session_options *opt = &cli.session;
	struct scenario scenario;
	struct script script = { 0 };
	static struct tour tour; /* large */
	static char example_path[PATH_MAX];
	static char *example_argv[3];
	int c, rc;

	if (argc > 1 && labproc_is_role(argv[1]))
		return labproc_role_main(argc, argv); /* a lab process exec'd forktop */
	ensure_stdio();
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C"); /* numbers in JSON and recordings: always 1.5, never 1,5 */
	i18n_init();
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":bd:n:AHp:js:S:m:hV", long_options, NULL)) != -1) {
		char shortopt[3] = { '-', (char)optopt, '\0' };
		const char *typed = argv[optind - 1];
		const char *name = strncmp(typed, "--", 2) == 0 || !optopt ? typed : shortopt;

		if (c == '?')
			return usage_error(_("unknown option '%s'"), name);
		if (c == ':')
			return usage_error(_("option '%s' needs a value"), name);
		if ((rc = parse_option(c, optarg, &cli)) >= 0)
			return rc;
		cli.given += !strchr("bjn", c) && c != OPT_ASCII && c != OPT_REPLAY && c != OPT_HISTORY;
	}
	if (cli.history_given && cli.batch_mode)
		return usage_error("%s",
				   _("--history is the screen's: not with --batch or --json"));
	if (cli.replay)
		return replay(&cli, argc);

	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		return usage_error(_("unexpected argument '%s' (a command goes after --)"),
				   argv[optind]);
	if (optind < argc) {
		if (lab_options_given(&cli) || opt->family_pid || opt->attach_pid)
			return usage_error("%s", _("-- CMD runs a program instead of the lab: not "
						   "with --scenario, --script, --start-method, "
						   "--pid-namespace, --init, --pid or --attach"));
		opt->command = argv + optind;
		cli.no_lab = true;
	}
	if (cli.example &&
	    (rc = prepare_example(&cli, example_path, sizeof example_path, example_argv)) >= 0)
		return rc;
	if (opt->attach_pid && (lab_options_given(&cli) || opt->family_pid))
		return usage_error("%s", _("--attach watches a process instead of the lab: not "
					   "with --scenario, --script, --start-method, "
					   "--pid-namespace, --init or --pid"));
	if (opt->attach_pid && (rc = check_family_pid(opt->attach_pid)) >= 0)
		return rc;
	if (opt->no_python_hook && opt->attach_pid)
		return usage_error("%s", _("--no-python-hook: with --attach no hook is loaded "
					   "anyway (the processes already run, and a hook loads as "
					   "Python starts)"));
	if (opt->no_python_hook && !opt->command)
		return usage_error("%s",
				   _("--no-python-hook is for a program forktop starts (-- CMD)"));
	if (opt->all && opt->family_pid > 0)
		return usage_error("%s", _("--all and --pid choose different views: give one"));
	if (opt->family_pid > 0 && (rc = check_family_pid(opt->family_pid)) >= 0)
		return rc;
	if (cli.tour && (rc = prepare_tour(&cli, &tour)) >= 0)
		return rc;
	if (!cli.tour && (rc = prepare_lab(&cli, &scenario, &script)) >= 0)
		return rc;
	if (cli.no_lab && !opt->family_pid && !opt->command && !opt->attach_pid)
		opt->all = true;
	rc = run_face(&cli);
	script_free(&script);
	return rc;
}
