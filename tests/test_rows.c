/* rows: glyphs, columns and escaping as the faces will print them. */
#include <criterion/criterion.h>
#include <string.h>

#include "../src/tree.h"
#include "../ui/rows.h"

static struct tree tree;
static struct scan_proc procs[8];
static const struct scan_proc *ptrs[8];
static struct row rows[8];
static struct row_text text[8];

static void teardown(void)
{
	tree_free(&tree);
}

TestSuite(rows, .fini = teardown);

static size_t build(size_t n, bool utf8)
{
	pid_t pids[8], ppids[8];
	struct rows_style style = { .utf8 = utf8 };

	for (size_t i = 0; i < n; i++) {
		pids[i] = procs[i].pid;
		ppids[i] = procs[i].ppid;
		ptrs[i] = &procs[i];
		if (!procs[i].state)
			procs[i].state = 'S';
		if (!procs[i].exit_status)
			procs[i].exit_status = SCAN_NO_STATUS;
	}
	cr_assert_eq(tree_build(&tree, pids, ppids, n), 0);
	size_t built = rows_build(rows, 8, &tree, ptrs, &style);
	for (size_t i = 0; i < built; i++)
		rows_text(&tree, &rows[i], &style, NULL, &text[i]);
	return built;
}

static void family(void)
{
	procs[0] = (struct scan_proc){ .pid = 1, .ppid = 0, .comm = "init" };
	procs[1] = (struct scan_proc){ .pid = 10, .ppid = 1, .comm = "a" };
	procs[2] = (struct scan_proc){ .pid = 11, .ppid = 10, .comm = "b" };
	procs[3] = (struct scan_proc){ .pid = 12, .ppid = 1, .comm = "c" };
	procs[4] = (struct scan_proc){ .pid = 13, .ppid = 12, .comm = "d" };
}

Test(rows, ascii_glyphs)
{
	family();
	cr_assert_eq(build(5, false), 5);
	cr_assert_str_eq(text[0].prefix, "");
	cr_assert_str_eq(text[1].prefix, "|-");
	cr_assert_str_eq(text[2].prefix, "| `-");
	cr_assert_str_eq(text[3].prefix, "`-");
	cr_assert_str_eq(text[4].prefix, "  `-");
	cr_assert_str_eq(text[2].name, "b");
	cr_assert_eq(rows[2].daemon, ROW_DAEMON_UNKNOWN);
	cr_assert_not(rows[2].exit_known);
}

Test(rows, utf8_glyphs)
{
	family();
	build(5, true);
	cr_assert_str_eq(text[1].prefix, "\u251c\u2500");
	cr_assert_str_eq(text[2].prefix, "\u2502 \u2514\u2500");
}

Test(rows, zombie_exit_code_column)
{
	family();
	procs[2].state = 'Z';
	procs[2].exit_status = 9; /* killed by SIGKILL */
	procs[4].state = 'Z';
	procs[4].exit_status = 3 << 8;
	build(5, false);
	cr_assert(rows[2].exit_known);
	cr_assert_eq(rows[2].exit_code, -9);
	cr_assert(rows[4].exit_known);
	cr_assert_eq(rows[4].exit_code, 3);
}

Test(rows, hostile_names_are_escaped)
{
	family();
	strcpy(procs[1].comm, "\x1b[2J\r\n\x9b" "x");
	strcpy(procs[2].comm, "a) b (c) 1 2");
	build(5, true);
	cr_assert_str_eq(text[1].name, "\\x1b[2J\\r\\n\\x9bx");
	cr_assert_str_eq(text[2].name, "a) b (c) 1 2");
	for (const char *c = text[1].name; *c; c++)
		cr_assert((unsigned char)*c >= 0x20 && *c != 0x7f);
}

Test(rows, deep_chains_are_bounded)
{
	enum { N = 200 };
	pid_t pids[N], ppids[N];

	for (int i = 0; i < N; i++) {
		pids[i] = i + 1;
		ppids[i] = i;
	}
	cr_assert_eq(tree_build(&tree, pids, ppids, N), 0);
	char buf[ROWS_INDENT_MAX * 12 + 8];
	struct rows_style style = { .utf8 = false };
	rows_prefix(&tree, N - 1, &style, buf, sizeof buf);
	cr_assert_eq(buf[0], '+', "a truncated indent is marked: %s", buf);
	cr_assert_leq(strlen(buf), (size_t)(1 + ROWS_INDENT_MAX * 2));
}

Test(rows, columns_format_values)
{
	family();
	build(5, false);
	rows[1].daemon = ROW_DAEMON_YES;
	rows[1].exit_known = true;
	rows[1].exit_code = -15;
	char buf[96], header[96];
	struct rows_style style = { .hz = 100 };

	procs[1].cpu = 1234; /* tenths of a percent: 123.4% */
	procs[1].ticks = 100 * 3723 + 45; /* 62 min 3.45 s */
	procs[2].cpu = CPU_UNKNOWN;
	rows_columns(&rows[1], &style, buf, sizeof buf);
	cr_assert_str_eq(buf, "     10       1 S yes     -15 123.4  62:03.45 ");
	rows_columns(&rows[2], &style, buf, sizeof buf);
	cr_assert_str_eq(buf, "     11      10 S -         -     -   0:00.00 ");
	rows_header(ROWS_COLS_ALL, header, sizeof header);
	cr_assert_str_eq(header, ROWS_HEADER);
	cr_assert_eq(strlen(ROWS_HEADER) - strlen("NAME"), (size_t)rows_columns_width(ROWS_COLS_ALL));
	rows_columns_of(&rows[1], &style, 0, buf, sizeof buf);
	cr_assert_str_eq(buf, "     10 S yes     -15 ");
	cr_assert_eq(strlen(buf), (size_t)rows_columns_width(0));
	rows_columns_of(&rows[1], &style, ROWS_COL_CPU, buf, sizeof buf);
	cr_assert_str_eq(buf, "     10 S yes     -15 123.4 ");
	rows_header(ROWS_COL_CPU, header, sizeof header);
	cr_assert_eq(strlen(buf), strlen(header) - strlen("NAME"), "%s|%s", buf, header);
}

Test(rows, a_threads_line_has_its_tid_state_and_cpu_under_its_process)
{
	family();
	build(5, true);
	struct scan_task task = { .tid = 4242, .state = 'R', .cpu = 987, .ticks = 250,
				  .comm = "worker" };
	struct rows_style style = { .utf8 = true, .hz = 100 };
	struct row line;
	struct row_text shown;
	char buf[96];

	rows_set_thread(&line, &rows[1], &task, ROW_DAEMON_YES);
	rows_columns(&line, &style, buf, sizeof buf);
	cr_assert_str_eq(buf, "   4242         R yes          98.7   0:02.50 ");
	rows_text(&tree, &line, &style, NULL, &shown);
	cr_assert_str_eq(shown.name, "{worker}");
	rows_text(&tree, &line, &style, "Thread-1 (work)", &shown);
	cr_assert_str_eq(shown.name, "{Thread-1 (work)}");
	/* a's branch goes on down to its sibling c, and a bar leads to its child b */
	cr_assert_str_eq(shown.prefix, "\u2502 \u2502 ");
	struct row_text deep;
	rows_set_thread(&line, &rows[4], &task, ROW_DAEMON_UNKNOWN); /* d: last, no children */
	rows_text(&tree, &line, &style, NULL, &deep);
	cr_assert_str_eq(deep.prefix, "      "); /* its own gap, and no bar: no children */
}

Test(rows, a_lab_helper_has_no_daemon_flag)
{
	struct member tracker = { .tracker = true, .daemon = false, .depth = 1 };
	struct member child = { .daemon = true, .depth = 1 };

	family();
	build(5, false);
	rows_set_member(&rows[1], &tracker);
	cr_assert_eq(rows[1].daemon, ROW_DAEMON_UNKNOWN, "a resource tracker is no Process object");
	cr_assert_str_eq(rows_role_name(&rows[1]), "resource-tracker");
	rows_set_member(&rows[2], &child);
	cr_assert_eq(rows[2].daemon, ROW_DAEMON_YES);
	cr_assert_str_eq(rows_role_name(&rows[2]), "child");
}

Test(rows, columns_by_name_and_their_header)
{
	unsigned columns;
	char err[128], header[128];

	cr_assert(rows_columns_by_names("sid,tty,pgid,elapsed", &columns, err, sizeof err));
	cr_assert_eq(columns, ROWS_COLS_EXTRA);
	rows_header(ROWS_COLS_ALL | columns, header, sizeof header);
	cr_assert_str_eq(header, "    PID    PPID    PGID     SID TTY      S DAEMON EXIT  CPU%     TIME+"
				 "     ELAPSED NAME");
	cr_assert_eq(rows_columns_width(ROWS_COLS_ALL | columns), (int)strlen(header) - 4);
	cr_assert_not(rows_columns_by_names("sid,,tty", &columns, err, sizeof err));
	cr_assert_not(rows_columns_by_names("SID", &columns, err, sizeof err), "names are ps's, lower case");
	cr_assert_not(rows_columns_by_names("sidx", &columns, err, sizeof err));
	cr_assert_str_eq(err, "unknown column 'sidx' (known: ppid, pgid, sid, tty, cpu, time, elapsed, nspid)");
}

Test(rows, tty_and_elapsed_as_ps_shows_them)
{
	char buf[32];

	rows_format_tty(0, buf, sizeof buf);
	cr_assert_str_eq(buf, "?");
	rows_format_tty(136 << 8 | 3, buf, sizeof buf);
	cr_assert_str_eq(buf, "pts/3");
	rows_format_tty(4 << 8 | 1, buf, sizeof buf);
	cr_assert_str_eq(buf, "tty1");
	rows_format_tty(136 << 8 | (300 & 0xff) | ((300 & ~0xff) << 12), buf, sizeof buf);
	cr_assert_str_eq(buf, "pts/300");
	rows_format_elapsed(59, buf, sizeof buf);
	cr_assert_str_eq(buf, "00:59");
	rows_format_elapsed(3 * 3600 + 61, buf, sizeof buf);
	cr_assert_str_eq(buf, "03:01:01");
	rows_format_elapsed(2 * 86400 + 5, buf, sizeof buf);
	cr_assert_str_eq(buf, "2-00:00:05");
	rows_format_elapsed(-1, buf, sizeof buf);
	cr_assert_str_eq(buf, "-");
}

Test(rows, the_extra_columns_of_a_row)
{
	struct scan_proc p = { .pid = 77, .ppid = 1, .pgid = 70, .sid = 60, .tty_nr = 136 << 8 | 2,
			       .state = 'S', .start_time = 100, .exit_status = SCAN_NO_STATUS };
	struct row r = { .pid = 77, .ppid = 1, .state = 'S', .proc = &p };
	struct rows_style st = { .hz = 100, .uptime_ticks = 100 + 100 * 3725 };
	char buf[160];

	rows_columns_of(&r, &st, ROWS_COLS_EXTRA, buf, sizeof buf);
	cr_assert_str_eq(buf, "     77      70      60 pts/2    S -         -    01:02:05 ");
	cr_assert_eq(rows_elapsed(&r, &st), 3725);
	r.tombstone = true;
	cr_assert_eq(rows_elapsed(&r, &st), -1, "an ended process's time is not counted on");
}
