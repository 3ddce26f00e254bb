/* recorder: a session as NDJSON lines, to a stream or a (gzip) file; see
 * recorder.h. */
#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "../src/grow.h"
#include "../src/i18n.h"
#include "../src/pidns.h"
#include "../src/text.h"
#include "session.h"

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

int recorder_open(struct recorder *r, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	*r = (struct recorder){ .own_file = true };
	if (fd < 0) {
		snprintf(err, errlen, "--record %s: %s", path, strerror(errno));
		return -1;
	}
	if (ends_with(path, ".gz"))
		r->gz = gzdopen(fd, "wb6");
	else
		r->file = fdopen(fd, "w");
	if (!r->gz && !r->file) {
		snprintf(err, errlen, "--record %s: %s", path, strerror(errno ? errno : ENOMEM));
		close(fd);
		return -1;
	}
	return 0;
}

void recorder_use(struct recorder *r, FILE *stream)
{
	*r = (struct recorder){ .file = stream };
}

bool recorder_flush(struct recorder *r)
{
	if (r->gz && gzflush(r->gz, Z_SYNC_FLUSH) != Z_OK)
		r->failed = true;
	if (r->file && (fflush(r->file) != 0 || ferror(r->file)))
		r->failed = true;
	return !r->failed;
}

bool recorder_close(struct recorder *r)
{
	bool ok = !r->failed;

	if (r->own_file && r->gz)
		ok = gzclose(r->gz) == Z_OK && ok;
	if (r->own_file && r->file)
		ok = fclose(r->file) == 0 && ok;
	jsonout_free(&r->json);
	free(r->sentence);
	*r = (struct recorder){ 0 };
	return ok;
}

/* The line made, to the file. */
static bool put_line(struct recorder *r)
{
	struct jsonout *o = &r->json;

	if (r->failed)
		return false;
	if (!jsonout_finish(o))
		return true; /* dropped without memory: the recording goes on */
	if (r->gz)
		r->failed = gzwrite(r->gz, o->buf, (unsigned)o->len) != (int)o->len;
	else
		r->failed = fwrite(o->buf, 1, o->len, r->file) != o->len;
	return !r->failed;
}

static double seconds(struct timespec ts)
{
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the first line ----------------------------------------------------- */

/* What the session watches, in a few words. */
static void describe_source(const struct session *s, char *buf, size_t len)
{
	const struct session_options *opt = s->opt;
	size_t n = 0;

	if (s->lab_on) {
		/* TRANSLATORS: what a recording watched, in its first line, shown when
		 * it is replayed ("replay of lab: default"); %s is a scenario's name */
		snprintf(buf, len, _("lab: %s"), s->scenario.name);
	} else if (opt->command) {
		/* TRANSLATORS: what a recording watched: followed by the program's
		 * command line, each word after a space */
		n = (size_t)snprintf(buf, len, "%s", _("program:"));
		for (char *const *arg = opt->command; *arg && n < len; arg++)
			n += (size_t)snprintf(buf + n, len - n, " %s", *arg);
	} else if (opt->attach_pid) {
		/* TRANSLATORS: what a recording watched: a process forktop attached to */
		snprintf(buf, len, _("attached: PID %d"), (int)opt->attach_pid);
	} else if (opt->family_pid) {
		/* TRANSLATORS: what a recording watched: a process and its family */
		snprintf(buf, len, _("family of PID %d"), (int)opt->family_pid);
	} else {
		/* TRANSLATORS: what a recording watched */
		snprintf(buf, len, "%s", _("every process"));
	}
}

void recorder_session_info(struct recording_info *info, const struct session *s)
{
	struct utsname u;

	*info = (struct recording_info){ .format = RECORDING_FORMAT, .interval_ms = s->opt->delay_ms,
					 .hz = s->style.hz, .known = true };
	snprintf(info->forktop, sizeof info->forktop, "%s", PACKAGE_VERSION);
	if (uname(&u) == 0)
		snprintf(info->kernel, sizeof info->kernel, "%.16s %.100s", u.sysname, u.release);
	describe_source(s, info->source, sizeof info->source);
}

bool recorder_header(struct recorder *r, const struct recording_info *info)
{
	struct jsonout *o = &r->json;

	jsonout_begin(o);
	jsonout_text_value(o, "type", "recording");
	jsonout_int(o, "format", info->format);
	jsonout_text_value(o, "forktop", info->forktop);
	jsonout_cstring(o, "kernel", info->kernel);
	jsonout_int(o, "interval_ms", info->interval_ms);
	jsonout_int(o, "hz", info->hz);
	jsonout_cstring(o, "source", info->source);
	return put_line(r);
}

/* ---- frames ------------------------------------------------------------- */

/* null for a daemon flag nobody knows (not a Python process) */
static void json_daemon(struct jsonout *o, enum frame_daemon d)
{
	if (d == FRAME_DAEMON_UNKNOWN)
		jsonout_null(o, "daemon");
	else
		jsonout_bool(o, "daemon", d == FRAME_DAEMON_YES);
}

/* CPU time in seconds (TIME+). */
static double cpu_seconds(const struct frame *f, unsigned long long ticks)
{
	return (double)ticks / (double)(f->hz > 0 ? f->hz : 100);
}

/* CPU%, or null at a first reading (or for an ended process). */
static void json_cpu(struct jsonout *o, int share, bool ended)
{
	if (share < 0 || ended)
		jsonout_null(o, "cpu");
	else
		jsonout_real(o, "cpu", (double)share / 10.0);
}

/* {"tid", "name", "state", "cpu", "daemon", "cpu_time"}: the name is the
 * lab's for its threads where it knows it, else the thread's comm. */
static void json_task(struct jsonout *o, const struct frame *f, const struct frame_task *t)
{
	char state[2] = { t->task.state, '\0' };

	jsonout_open_object(o, NULL);
	jsonout_int(o, "tid", t->task.tid);
	jsonout_cstring(o, "name", t->label ? t->label : t->task.comm);
	jsonout_text_value(o, "state", state);
	json_cpu(o, t->task.cpu, false);
	json_daemon(o, t->daemon);
	jsonout_real(o, "cpu_time", cpu_seconds(f, t->task.ticks));
	jsonout_close_object(o);
}

/* "nspid": the NSpid list, outermost first, for the lab's processes (the
 * lab knows where it started them); null for the others, whose status
 * forktop does not read at every frame. */
static void json_nspid(struct jsonout *o, const struct frame_proc *p)
{
	if (!p->lab) {
		jsonout_null(o, "nspid");
		return;
	}
	jsonout_open_array(o, "nspid");
	jsonout_int(o, NULL, p->proc.pid);
	if (p->nspid)
		jsonout_int(o, NULL, p->nspid);
	jsonout_close_array(o);
}

/* "caught": the signals the PID 1 of the lab's namespace has handlers for
 * (its SigCgt), which decide what a signal to it does. */
static void json_caught(struct jsonout *o, const struct frame_proc *p)
{
	if (!p->caught_known)
		return;
	jsonout_open_array(o, "caught");
	for (int sig = 1; sig <= 64; sig++) {
		char name[16];

		if (!(p->caught & (1ULL << (sig - 1))))
			continue;
		pidns_signal_name(sig, name, sizeof name);
		jsonout_text_value(o, NULL, name);
	}
	jsonout_close_array(o);
}

static void json_optional_int(struct jsonout *o, const char *key, long long v)
{
	if (v >= 0)
		jsonout_int(o, key, v);
	else
		jsonout_null(o, key);
}

static void json_names(struct jsonout *o, const struct frame_proc *p)
{
	jsonout_cstring(o, "name", p->proc.comm);
	jsonout_cstring(o, "lab_name", p->label);
	jsonout_cstring(o, "target", p->target);
	jsonout_cstring(o, "cmdline", p->cmdline);
	jsonout_text_value(o, "role", p->role);
	jsonout_text_value(o, "note", p->note);
}

static void json_proc(struct jsonout *o, const struct frame *f, const struct frame_proc *p)
{
	const struct scan_proc *sp = &p->proc;
	char state[2] = { sp->state, '\0' };

	jsonout_open_object(o, NULL);
	jsonout_int(o, "pid", sp->pid);
	json_nspid(o, p);
	jsonout_int(o, "ppid", sp->ppid);
	jsonout_text_value(o, "state", state);
	json_daemon(o, p->daemon);
	if (p->exit_known)
		jsonout_int(o, "exit", p->exit_code);
	else
		jsonout_null(o, "exit");
	json_names(o, p);
	json_caught(o, p);
	jsonout_int(o, "pgid", sp->pgid);
	jsonout_int(o, "sid", sp->sid);
	jsonout_int(o, "tty", sp->tty_nr);
	jsonout_int(o, "threads", sp->threads);
	jsonout_int(o, "start_time", (long long)sp->start_time);
	jsonout_int(o, "depth", p->depth);
	jsonout_bool(o, "tombstone", p->tombstone);
	jsonout_bool(o, "orphan", p->orphan);
	if (p->lifetime_us >= 0)
		jsonout_real(o, "lifetime_ms", (double)p->lifetime_us / 1000.0);
	else
		jsonout_null(o, "lifetime_ms");
	json_cpu(o, sp->cpu, p->tombstone);
	jsonout_real(o, "cpu_time", cpu_seconds(f, sp->ticks));
	json_optional_int(o, "elapsed", p->elapsed);
	if (f->threads) {
		jsonout_open_array(o, "tasks");
		for (size_t k = 0; k < p->ntasks; k++)
			json_task(o, f, &p->tasks[k]);
		jsonout_close_array(o);
	}
	jsonout_close_object(o);
}

static void json_frame_head(struct jsonout *o, const struct frame *f)
{
	const struct scan_counts *c = &f->counts;

	jsonout_text_value(o, "type", "frame");
	jsonout_int(o, "frame", f->number);
	jsonout_real(o, "time", seconds(f->taken));
	jsonout_text_value(o, "view", f->view);
	jsonout_text_value(o, "events", f->events);
	jsonout_bool(o, "subreaper", f->subreaper);
	jsonout_text_value(o, "start_method", f->start_method[0] ? f->start_method : NULL);
	jsonout_open_object(o, "counts");
	jsonout_int(o, "total", c->total);
	jsonout_int(o, "running", c->running);
	jsonout_int(o, "sleeping", c->sleeping);
	jsonout_int(o, "stopped", c->stopped);
	jsonout_int(o, "zombie", c->zombie);
	jsonout_close_object(o);
	jsonout_bool(o, "pid_namespace", f->pid_namespace);
	jsonout_bool(o, "threads", f->threads);
	jsonout_int(o, "columns", f->columns);
	jsonout_int(o, "uptime_ticks", (long long)f->uptime_ticks);
}

static void json_procs(struct jsonout *o, const char *key, const struct frame *f,
		       const struct frame *rows)
{
	jsonout_open_array(o, key);
	for (size_t i = 0; i < rows->nprocs; i++)
		json_proc(o, f, &rows->procs[i]);
	jsonout_close_array(o);
}

bool recorder_frame(struct recorder *r, const struct frame *f, const struct frame *ghost)
{
	struct jsonout *o = &r->json;

	jsonout_begin(o);
	json_frame_head(o, f);
	json_procs(o, "processes", f, f);
	if (ghost)
		json_procs(o, "as_it_was", f, ghost);
	return put_line(r);
}

/* ---- events and markers ------------------------------------------------- */

static void json_field(struct jsonout *o, const struct event_field *f)
{
	switch (f->type) {
	case EVENT_FIELD_INT: jsonout_int(o, f->key, f->number); break;
	case EVENT_FIELD_BOOL: jsonout_bool(o, f->key, f->number); break;
	case EVENT_FIELD_STRING: jsonout_string(o, f->key, f->string, f->length); break;
	default: jsonout_null(o, f->key); break;
	}
}

/* ev's sentence, whole: an output line of up to EVENT_LINE_MAX bytes is
 * written out in full. Without memory for that, it is cut to 1 KiB. */
static const char *sentence_of(struct recorder *r, const struct track_event *ev)
{
	static char small[1024];

	if (GROW(r->sentence, r->sentence_cap, event_room(ev)) < 0) {
		event_sentence(ev, small, sizeof small, TEXT_UTF8);
		return small;
	}
	event_sentence(ev, r->sentence, r->sentence_cap, TEXT_UTF8);
	return r->sentence;
}

/* An event from its values: its kind, its fields, and the sentence the
 * event log shows (text). */
bool recorder_event(struct recorder *r, const struct track_event *ev)
{
	struct event_field fields[EVENT_FIELDS_MAX];
	size_t n = event_fields(ev, fields);
	struct jsonout *o = &r->json;

	jsonout_begin(o);
	jsonout_text_value(o, "type", "event");
	jsonout_int(o, "seq", (long long)ev->seq);
	jsonout_real(o, "time", seconds(ev->when));
	jsonout_text_value(o, "event", event_kind_name(ev->kind));
	jsonout_text_value(o, "kind", event_class_name(event_class_of(ev->kind)));
	jsonout_text_value(o, "text", sentence_of(r, ev));
	for (size_t i = 0; i < n; i++)
		json_field(o, &fields[i]);
	return put_line(r);
}

bool recorder_marker(struct recorder *r, const struct recording_marker *m)
{
	struct jsonout *o = &r->json;

	jsonout_begin(o);
	jsonout_text_value(o, "type", "marker");
	jsonout_real(o, "time", seconds(m->when));
	jsonout_cstring(o, "note", m->note);
	return put_line(r);
}
