/* rows: display rows for the faces, their values and their text. Glyphs
 * follow pstree/htop: a bar for an ancestor that has later siblings, a tee
 * or an elbow for the node itself. Never reads /proc nor the lab's state:
 * it is handed what it formats. */
#include "rows.h"

#include <stdio.h>
#include <string.h>

#include "../src/i18n.h"
#include "../src/text.h"
#include "../src/track.h"

struct glyph {
	const char *text;
	size_t len;
};

#define GLYPH(s) { s, sizeof(s) - 1 }

struct glyphs {
	struct glyph bar, gap, tee, elbow, deeper;
};

static const struct glyphs utf8_glyphs = { GLYPH("\u2502 "), GLYPH("  "), GLYPH("\u251c\u2500"),
					   GLYPH("\u2514\u2500"), GLYPH("\u2026") };
static const struct glyphs ascii_glyphs = { GLYPH("| "), GLYPH("  "), GLYPH("|-"), GLYPH("`-"),
					    GLYPH("+") };

/* Appends a glyph if it fits (keeping room for the NUL). */
static size_t put_glyph(char *buf, size_t len, size_t used, const struct glyph *g)
{
	if (used + g->len + 1 > len)
		return used;
	memcpy(buf + used, g->text, g->len);
	return used + g->len;
}

void rows_prefix(const struct tree *tree, int node, const struct rows_style *style,
		 char *buf, size_t len)
{
	const struct glyphs *g = style->utf8 ? &utf8_glyphs : &ascii_glyphs;
	const struct glyph *parts[ROWS_INDENT_MAX + 1];
	int shown = 0, cur = node;
	size_t used = 0;

	if (len == 0)
		return;
	if (tree->nodes[node].depth > 0) {
		parts[shown++] = tree_is_last_child(tree, cur) ? &g->elbow : &g->tee;
		cur = tree->nodes[cur].parent;
		while (shown < ROWS_INDENT_MAX && tree->nodes[cur].depth > 0) {
			parts[shown++] = tree_is_last_child(tree, cur) ? &g->gap : &g->bar;
			cur = tree->nodes[cur].parent;
		}
		if (tree->nodes[cur].depth > 0)
			used = put_glyph(buf, len, used, &g->deeper);
		while (shown > 0)
			used = put_glyph(buf, len, used, parts[--shown]);
	}
	buf[used] = '\0';
}

/* A thread's prefix: the bars its process's children have, then a bar
 * down to those children when there are any. */
static void thread_prefix(const struct tree *tree, int node, const struct rows_style *style,
			  char *buf, size_t len)
{
	const struct glyphs *g = style->utf8 ? &utf8_glyphs : &ascii_glyphs;
	size_t used;

	rows_prefix(tree, node, style, buf, len);
	used = strlen(buf);
	if (tree->nodes[node].depth > 0) { /* its own branch becomes what is below it */
		const struct glyph *own = tree_is_last_child(tree, node) ? &g->elbow : &g->tee;

		if (used >= own->len)
			used = put_glyph(buf, len, used - own->len,
					 tree_is_last_child(tree, node) ? &g->gap : &g->bar);
	}
	used = put_glyph(buf, len, used, tree->nodes[node].first_child != TREE_NONE ? &g->bar : &g->gap);
	buf[used] = '\0';
}

void rows_text(const struct tree *tree, const struct row *r, const struct rows_style *style,
	       const char *label, struct row_text *out)
{
	const char *name = label ? label : r->task ? r->task->comm : r->proc->comm;
	unsigned flags = style->utf8 ? TEXT_UTF8 : 0;
	size_t used = 0;

	if (r->task) {
		thread_prefix(tree, r->node, style, out->prefix, sizeof out->prefix);
		out->name[used++] = '{';
	} else {
		rows_prefix(tree, r->node, style, out->prefix, sizeof out->prefix);
	}
	used += text_escape(out->name + used, sizeof out->name - used - 1, name,
			    strnlen(name, ROWS_LABEL_MAX), flags);
	if (r->task) {
		out->name[used++] = '}';
		out->name[used] = '\0';
	}
}

const char *rows_daemon_name(enum row_daemon daemon)
{
	if (daemon == ROW_DAEMON_YES)
		/* TRANSLATORS: a value in the DAEMON column: keep it short, at most 6 columns */
		return _("yes");
	if (daemon == ROW_DAEMON_NO)
		/* TRANSLATORS: a value in the DAEMON column: keep it short, at most 6 columns */
		return _("no");
	return "-";
}

const char *rows_role_name(const struct row *r)
{
	switch (r->role) {
	case ROW_ROLE_MONITOR: return "monitor";
	case ROW_ROLE_PROGRAM: return "program";
	case ROW_ROLE_DESCENDANT: return r->helper_role ? r->helper_role : "descendant";
	case ROW_ROLE_LAB: return lab_role_name(r->lab_role);
	default: return NULL;
	}
}

/* The daemon rule: only a Python Process object has the flag. */
enum row_daemon rows_member_daemon(const struct member *m)
{
	if (m->unix_daemon || m->tracker || m->forkserver || m->init)
		return ROW_DAEMON_UNKNOWN;
	return m->daemon ? ROW_DAEMON_YES : ROW_DAEMON_NO;
}

void rows_set_member(struct row *r, const struct member *m)
{
	r->role = ROW_ROLE_LAB;
	r->lab_role = lab_member_role(m);
	r->daemon = rows_member_daemon(m);
	r->nspid = m->nspid;
	if (m->exit_source != EXIT_SOURCE_UNKNOWN)
		r->exit_known = event_exitcode(m->exit_status, &r->exit_code);
}

void rows_header(unsigned columns, char *buf, size_t len)
{
	snprintf(buf, len, "    PID %s%s%s%s%sS DAEMON EXIT %s%s%sNAME",
		 columns & ROWS_COL_NSPID ? "  NSPID " : "", columns & ROWS_COL_PPID ? "   PPID " : "",
		 columns & ROWS_COL_PGID ? "   PGID " : "",
		 columns & ROWS_COL_SID ? "    SID " : "", columns & ROWS_COL_TTY ? "TTY      " : "",
		 columns & ROWS_COL_CPU ? " CPU% " : "", columns & ROWS_COL_TIME ? "    TIME+ " : "",
		 columns & ROWS_COL_ELAPSED ? "    ELAPSED " : "");
}

int rows_columns_width(unsigned columns)
{
	char header[128];

	rows_header(columns, header, sizeof header);
	return (int)strlen(header) - (int)strlen("NAME");
}

static const struct {
	const char *name;
	enum rows_column column;
} column_names[] = {
	{ "ppid", ROWS_COL_PPID }, { "pgid", ROWS_COL_PGID }, { "sid", ROWS_COL_SID },
	{ "tty", ROWS_COL_TTY },   { "cpu", ROWS_COL_CPU },   { "time", ROWS_COL_TIME },
	{ "elapsed", ROWS_COL_ELAPSED }, { "nspid", ROWS_COL_NSPID },
};

bool rows_columns_by_names(const char *list, unsigned *out, char *err, size_t errlen)
{
	const char *at = list;

	*out = 0;
	for (;;) {
		size_t n = strcspn(at, ","), k;

		for (k = 0; k < sizeof column_names / sizeof *column_names; k++)
			if (strlen(column_names[k].name) == n && !strncmp(column_names[k].name, at, n))
				break;
		if (k == sizeof column_names / sizeof *column_names) {
			/* TRANSLATORS: the known columns' names are --columns' words: keep them */
			snprintf(err, errlen, _("unknown column '%.*s' (known: ppid, pgid, sid, tty, "
				 "cpu, time, elapsed, nspid)"), (int)(n < 32 ? n : 32), at);
			return false;
		}
		*out |= column_names[k].column;
		if (!at[n])
			return true;
		at += n + 1;
	}
}

void rows_format_tty(int tty_nr, char *buf, size_t len)
{
	unsigned major = ((unsigned)tty_nr >> 8) & 0xfff;
	unsigned minor = ((unsigned)tty_nr & 0xff) | (((unsigned)tty_nr >> 12) & 0xfff00);

	if (tty_nr == 0)
		snprintf(buf, len, "?");
	else if (major >= 136 && major <= 143)
		snprintf(buf, len, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		snprintf(buf, len, "tty%u", minor);
	else if (major == 4)
		snprintf(buf, len, "ttyS%u", minor - 64);
	else
		snprintf(buf, len, "%u:%u", major, minor);
}

void rows_format_elapsed(long long seconds, char *buf, size_t len)
{
	long long d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, sec = seconds % 60;

	if (seconds < 0)
		snprintf(buf, len, "-");
	else if (d)
		snprintf(buf, len, "%lld-%02lld:%02lld:%02lld", d, h, m, sec);
	else if (h)
		snprintf(buf, len, "%02lld:%02lld:%02lld", h, m, sec);
	else
		snprintf(buf, len, "%02lld:%02lld", m, sec);
}

long long rows_elapsed(const struct row *r, const struct rows_style *style)
{
	unsigned long long start = r->task ? r->task->start_time : r->proc->start_time;

	if (r->tombstone || r->state == 'X' || !start || style->hz <= 0 || start > style->uptime_ticks)
		return -1;
	return (long long)((style->uptime_ticks - start) / (unsigned long long)style->hz);
}

/* PGID, SID and TTY, as the columns asked for (a thread's are its process's). */
static void group_columns(const struct row *r, unsigned columns, char *buf, size_t len)
{
	char pgid[16] = "", sid[16] = "", tty[16] = "", tty_col[24] = "";

	if (columns & ROWS_COL_PGID)
		snprintf(pgid, sizeof pgid, "%7d ", r->proc->pgid);
	if (columns & ROWS_COL_SID)
		snprintf(sid, sizeof sid, "%7d ", r->proc->sid);
	if (columns & ROWS_COL_TTY) {
		rows_format_tty(r->proc->tty_nr, tty, sizeof tty);
		snprintf(tty_col, sizeof tty_col, "%-8s ", tty);
	}
	snprintf(buf, len, "%s%s%s", pgid, sid, tty_col);
}

/* CPU% and TIME+ of a process or a thread, as the columns asked for. */
static void cpu_columns(const struct row *r, const struct rows_style *style, unsigned columns,
			char *buf, size_t len)
{
	int share = r->tombstone ? CPU_UNKNOWN : r->task ? r->task->cpu : r->proc->cpu;
	unsigned long long ticks = r->task ? r->task->ticks : r->proc->ticks;
	char cpu[16], time[32], cpu_col[24] = "", time_col[40] = "";

	if (columns & ROWS_COL_CPU) {
		cpu_format_share(share, cpu, sizeof cpu);
		snprintf(cpu_col, sizeof cpu_col, "%5s ", cpu);
	}
	if (columns & ROWS_COL_TIME) {
		cpu_format_time(ticks, style->hz, time, sizeof time);
		snprintf(time_col, sizeof time_col, "%9s ", time);
	}
	snprintf(buf, len, "%s%s", cpu_col, time_col);
}

/* ELAPSED, when the columns ask for it. */
static void elapsed_column(const struct row *r, const struct rows_style *style, unsigned columns,
			   char *buf, size_t len)
{
	char elapsed[32];

	buf[0] = '\0';
	if (!(columns & ROWS_COL_ELAPSED))
		return;
	rows_format_elapsed(rows_elapsed(r, style), elapsed, sizeof elapsed);
	snprintf(buf, len, "%11s ", elapsed);
}

void rows_columns_of(const struct row *r, const struct rows_style *style, unsigned columns,
		     char *buf, size_t len)
{
	char exit[16] = "-", parent[16] = "", cpu[48], group[48], elapsed[40], nspid[16] = "";
	char daemon[32];

	if (r->task)
		exit[0] = '\0'; /* a thread has no exit code of its own */
	else if (r->exit_known)
		snprintf(exit, sizeof exit, "%d", r->exit_code);
	if ((columns & ROWS_COL_PPID) && r->task)
		snprintf(parent, sizeof parent, "%8s", "");
	else if (columns & ROWS_COL_PPID)
		snprintf(parent, sizeof parent, "%7d ", r->ppid);
	if ((columns & ROWS_COL_NSPID) && r->nspid && !r->task)
		snprintf(nspid, sizeof nspid, "%7d ", r->nspid);
	else if (columns & ROWS_COL_NSPID)
		snprintf(nspid, sizeof nspid, "%8s", "");
	group_columns(r, columns, group, sizeof group);
	cpu_columns(r, style, columns, cpu, sizeof cpu);
	elapsed_column(r, style, columns, elapsed, sizeof elapsed);
	text_fit(daemon, sizeof daemon, rows_daemon_name(r->daemon), 6);
	snprintf(buf, len, "%7d %s%s%s%c %s %4s %s%s", r->pid, nspid, parent, group, r->state,
		 daemon, exit, cpu, elapsed);
}

void rows_columns(const struct row *r, const struct rows_style *style, char *buf, size_t len)
{
	rows_columns_of(r, style, ROWS_COLS_ALL, buf, len);
}

void rows_set_thread(struct row *r, const struct row *proc_row, const struct scan_task *task,
		     enum row_daemon daemon)
{
	*r = (struct row){ .pid = task->tid, .state = task->state, .proc = proc_row->proc,
			   .node = proc_row->node, .daemon = daemon, .role = proc_row->role,
			   .lab_role = proc_row->lab_role, .helper_role = proc_row->helper_role,
			   .task = task };
}

size_t rows_build(struct row *rows, size_t cap, const struct tree *tree,
		  const struct scan_proc *const *procs, const struct rows_style *style)
{
	size_t n = tree->count < cap ? tree->count : cap;

	(void)style; /* text is made when a row is shown: rows_text() */
	for (size_t i = 0; i < n; i++) {
		const struct scan_proc *p = procs[tree->nodes[i].item];
		struct row *r = &rows[i];

		r->proc = p;
		r->node = (int)i;
		r->pid = p->pid;
		r->ppid = p->ppid;
		r->state = p->state;
		r->daemon = ROW_DAEMON_UNKNOWN;
		r->role = ROW_ROLE_NONE;
		r->helper_role = NULL;
		r->nspid = 0;
		r->orphan = r->tombstone = r->flash = false;
		r->exit_known = event_exitcode(p->exit_status, &r->exit_code);
		r->task = NULL;
		r->first_thread = r->nthreads = 0;
	}
	return n;
}

void rows_member_counts(const struct row *rows, size_t n, int *running, int *zombies, int *orphans)
{
	*running = *zombies = *orphans = 0;
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		bool member = r->role != ROW_ROLE_NONE && r->role != ROW_ROLE_MONITOR;

		if (!member || r->tombstone)
			continue;
		*zombies += r->state == 'Z';
		*running += r->state != 'Z';
		*orphans += r->orphan;
	}
}
