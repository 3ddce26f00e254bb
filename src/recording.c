/* recording: reads recorded NDJSON back into frames, events and markers;
 * see recording.h. Strings forktop escaped when it wrote them (names,
 * command lines, an event's texts) are turned back into their raw bytes;
 * its own sentences (notes, roles) are kept as written. */
#include "recording.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "grow.h"
#include "i18n.h"
#include "pidns.h"
#include "text.h"

#define READ_CHUNK 65536

/* ---- values ------------------------------------------------------------- */

/* Each getter: true when the key is absent (nothing set) or holds the type
 * asked for (set); false, with the key named in err, for any other type. */
struct parse {
	char *err;
	size_t errlen;
	long hz;
};

__attribute__((format(printf, 2, 3))) static bool fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return false;
}

static bool get_int(struct parse *p, json_t *o, const char *key, long long min, long long max,
		    long long *out)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		/* TRANSLATORS: what is wrong in a line of a recording (JSON); the names
		   in quotes here and in the messages like it are its keys: keep them. */
		return fail(p, _("\"%s\" is not a whole number from %lld to %lld"), key, min, max);
	*out = json_integer_value(v);
	return true;
}

static bool get_pid(struct parse *p, json_t *o, const char *key, pid_t *out)
{
	long long v = *out;

	if (!get_int(p, o, key, 0, INT32_MAX, &v))
		return false;
	*out = (pid_t)v;
	return true;
}

static bool get_int32(struct parse *p, json_t *o, const char *key, int *out)
{
	long long v = *out;

	if (!get_int(p, o, key, INT32_MIN, INT32_MAX, &v))
		return false;
	*out = (int)v;
	return true;
}

/* A number (a real or a whole one); null leaves *present false. */
static bool get_real(struct parse *p, json_t *o, const char *key, double *out, bool *present)
{
	json_t *v = json_object_get(o, key);

	*present = false;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return fail(p, _("\"%s\" is not a number"), key);
	*out = json_number_value(v);
	*present = true;
	return true;
}

static bool get_bool(struct parse *p, json_t *o, const char *key, bool *out)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return true;
	if (!json_is_boolean(v))
		return fail(p, _("\"%s\" is not true or false"), key);
	*out = json_is_true(v);
	return true;
}

/* A string's bytes (NULL for null or absent); false for another type. */
static bool get_string(struct parse *p, json_t *o, const char *key, const char **s, size_t *len)
{
	json_t *v = json_object_get(o, key);

	*s = NULL;
	*len = 0;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return fail(p, _("\"%s\" is not a string"), key);
	*s = json_string_value(v);
	*len = json_string_length(v);
	return true;
}

/* A string forktop wrote as it was (a sentence, a word) into buf. */
static bool get_word(struct parse *p, json_t *o, const char *key, char *buf, size_t cap)
{
	const char *s;
	size_t len;

	if (!get_string(p, o, key, &s, &len))
		return false;
	if (s)
		snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), s);
	return true;
}

/* A string forktop wrote as it was (a note it rendered) into *dst. */
static bool get_text(struct parse *p, json_t *o, const char *key, char **dst)
{
	const char *s;
	size_t len;

	if (!get_string(p, o, key, &s, &len))
		return false;
	return frame_set_string(dst, s, len) || fail(p, _("out of memory"));
}

/* An escaped string back to its raw bytes, into a new string (*dst). */
static bool get_raw(struct parse *p, json_t *o, const char *key, char **dst)
{
	if (!get_text(p, o, key, dst))
		return false;
	if (*dst)
		(*dst)[text_unescape(*dst, *dst, strlen(*dst))] = '\0';
	return true;
}

/* The same into a fixed array (a comm), cut to fit once its escapes are
 * undone (an escape is up to ten bytes for one character). */
static bool get_raw_into(struct parse *p, json_t *o, const char *key, char *buf, size_t cap)
{
	char *raw = NULL;

	if (!get_raw(p, o, key, &raw))
		return false;
	if (raw)
		snprintf(buf, cap, "%s", raw);
	free(raw);
	return true;
}

static struct timespec timespec_of(double seconds)
{
	double whole = floor(seconds);
	long long nsec = llround((seconds - whole) * 1e9);

	if (nsec >= 1000000000LL)
		whole += 1, nsec -= 1000000000LL;
	return (struct timespec){ .tv_sec = (time_t)whole, .tv_nsec = (long)nsec };
}

static bool get_time(struct parse *p, json_t *o, struct timespec *out)
{
	double t = 0;
	bool present;

	if (!get_real(p, o, "time", &t, &present))
		return false;
	if (present && (t < 0 || t > 1e11))
		return fail(p, _("\"time\" is no time"));
	*out = timespec_of(t);
	return true;
}

/* ---- a process ---------------------------------------------------------- */

static bool get_state(struct parse *p, json_t *o, char *state, bool required)
{
	char word[4] = "";

	if (!get_word(p, o, "state", word, sizeof word))
		return false;
	if (strlen(word) != 1 || word[0] <= ' ' || word[0] > '~')
		return required || word[0] ? fail(p, _("\"state\" is not one letter")) : true;
	*state = word[0];
	return true;
}

static bool get_daemon(struct parse *p, json_t *o, enum frame_daemon *out)
{
	json_t *v = json_object_get(o, "daemon");

	if (!v || json_is_null(v))
		*out = FRAME_DAEMON_UNKNOWN;
	else if (json_is_boolean(v))
		*out = json_is_true(v) ? FRAME_DAEMON_YES : FRAME_DAEMON_NO;
	else
		return fail(p, _("\"daemon\" is not true, false or null"));
	return true;
}

/* CPU% (a share in tenths of a percent) and CPU time (ticks). */
static bool get_cpu(struct parse *p, json_t *o, int *share, unsigned long long *ticks)
{
	double v = 0;
	bool present;

	if (!get_real(p, o, "cpu", &v, &present))
		return false;
	if (present && (v < 0 || v > 1e6))
		return fail(p, _("\"cpu\" is out of range"));
	*share = present ? (int)llround(v * 10) : -1;
	if (!get_real(p, o, "cpu_time", &v, &present))
		return false;
	if (present && (v < 0 || v > 1e12))
		return fail(p, _("\"cpu_time\" is out of range"));
	*ticks = present ? (unsigned long long)llround(v * (double)p->hz) : 0;
	return true;
}

static bool get_task(struct parse *p, json_t *o, struct frame_proc *fp)
{
	struct frame_task *t;

	if (!json_is_object(o))
		return fail(p, _("a task is not an object"));
	if (!(t = frame_add_task(fp)))
		return fail(p, _("out of memory"));
	t->task.state = '?';
	if (!get_pid(p, o, "tid", &t->task.tid) || !get_state(p, o, &t->task.state, false) ||
	    !get_daemon(p, o, &t->daemon) || !get_cpu(p, o, &t->task.cpu, &t->task.ticks) ||
	    !get_raw(p, o, "name", &t->label))
		return false;
	if (t->label)
		snprintf(t->task.comm, sizeof t->task.comm, "%s", t->label);
	return true;
}

static bool get_tasks(struct parse *p, json_t *o, struct frame_proc *fp)
{
	json_t *tasks = json_object_get(o, "tasks"), *t;
	size_t i;

	if (!tasks || json_is_null(tasks))
		return true;
	if (!json_is_array(tasks))
		return fail(p, _("\"tasks\" is not an array"));
	fp->tasks_known = true;
	json_array_foreach(tasks, i, t)
		if (!get_task(p, t, fp))
			return false;
	return true;
}

/* "nspid": [outer, inner] for a lab process, null for the others. */
static bool get_nspid(struct parse *p, json_t *o, struct frame_proc *fp)
{
	json_t *v = json_object_get(o, "nspid"), *inner;

	if (!v || json_is_null(v))
		return true;
	if (!json_is_array(v) || json_array_size(v) < 1)
		return fail(p, _("\"nspid\" is not a list of PIDs"));
	fp->lab = true;
	inner = json_array_get(v, json_array_size(v) - 1);
	if (json_array_size(v) > 1) {
		if (!json_is_integer(inner) || json_integer_value(inner) < 1 ||
		    json_integer_value(inner) > INT32_MAX)
			return fail(p, _("\"nspid\" is not a list of PIDs"));
		fp->nspid = (pid_t)json_integer_value(inner);
	}
	return true;
}

/* "caught": signal names ("SIGTERM") or numbers as text. */
static bool get_caught(struct parse *p, json_t *o, struct frame_proc *fp)
{
	json_t *v = json_object_get(o, "caught"), *name;
	size_t i;

	if (!v)
		return true;
	if (!json_is_array(v))
		return fail(p, _("\"caught\" is not a list of signals"));
	fp->caught_known = true;
	json_array_foreach(v, i, name) {
		char known[16];
		int sig;

		if (!json_is_string(name))
			return fail(p, _("\"caught\" is not a list of signals"));
		for (sig = 1; sig <= 64; sig++) {
			pidns_signal_name(sig, known, sizeof known);
			if (!strcmp(known, json_string_value(name)))
				break;
		}
		if (sig > 64)
			return fail(p, _("\"caught\" names no signal"));
		fp->caught |= 1ULL << (sig - 1);
	}
	return true;
}

static bool get_exit(struct parse *p, json_t *o, struct frame_proc *fp)
{
	json_t *v = json_object_get(o, "exit");

	if (!v || json_is_null(v))
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < -64 || json_integer_value(v) > 255)
		return fail(p, _("\"exit\" is no exit code"));
	fp->exit_known = true;
	fp->exit_code = (int)json_integer_value(v);
	return true;
}

static bool get_times(struct parse *p, json_t *o, struct frame_proc *fp)
{
	long long start = 0, elapsed = -1;
	double lived = 0;
	bool present;
	json_t *e = json_object_get(o, "elapsed");

	if (!get_int(p, o, "start_time", 0, INT64_MAX, &start) ||
	    !get_real(p, o, "lifetime_ms", &lived, &present))
		return false;
	fp->proc.start_time = (unsigned long long)start;
	if (present && (lived < 0 || lived > 1e15))
		return fail(p, _("\"lifetime_ms\" is out of range"));
	fp->lifetime_us = present ? llround(lived * 1000.0) : -1;
	if (e && !json_is_null(e) && !get_int(p, o, "elapsed", 0, INT64_MAX, &elapsed))
		return false;
	fp->elapsed = elapsed;
	return true;
}

static bool get_ids(struct parse *p, json_t *o, struct frame_proc *fp)
{
	long long depth = 0;

	if (!json_object_get(o, "pid") || !json_object_get(o, "ppid"))
		return fail(p, _("a process without \"pid\" or \"ppid\""));
	if (!get_pid(p, o, "pid", &fp->proc.pid) || !get_pid(p, o, "ppid", &fp->proc.ppid) ||
	    !get_pid(p, o, "pgid", &fp->proc.pgid) || !get_pid(p, o, "sid", &fp->proc.sid) ||
	    !get_int32(p, o, "tty", &fp->proc.tty_nr) ||
	    !get_int32(p, o, "threads", &fp->proc.threads) ||
	    !get_int(p, o, "depth", 0, 1 << 20, &depth))
		return false;
	fp->depth = (int)depth;
	return true;
}

static bool get_proc(struct parse *p, json_t *o, struct frame *f)
{
	struct frame_proc *fp;

	if (!json_is_object(o))
		return fail(p, _("a process is not an object"));
	if (!(fp = frame_add_proc(f)))
		return fail(p, _("out of memory"));
	return get_ids(p, o, fp) && get_state(p, o, &fp->proc.state, true) &&
	       get_daemon(p, o, &fp->daemon) && get_exit(p, o, fp) && get_nspid(p, o, fp) &&
	       get_caught(p, o, fp) &&
	       get_raw_into(p, o, "name", fp->proc.comm, sizeof fp->proc.comm) &&
	       get_raw(p, o, "lab_name", &fp->label) && get_raw(p, o, "target", &fp->target) &&
	       get_raw(p, o, "cmdline", &fp->cmdline) &&
	       get_text(p, o, "role", &fp->role) && get_text(p, o, "note", &fp->note) &&
	       get_bool(p, o, "tombstone", &fp->tombstone) &&
	       get_bool(p, o, "orphan", &fp->orphan) && get_times(p, o, fp) &&
	       get_cpu(p, o, &fp->proc.cpu, &fp->proc.ticks) && get_tasks(p, o, fp);
}

/* ---- lines -------------------------------------------------------------- */

static bool get_counts(struct parse *p, json_t *o, struct scan_counts *c)
{
	json_t *counts = json_object_get(o, "counts");

	if (!counts)
		return true;
	if (!json_is_object(counts))
		return fail(p, _("\"counts\" is not an object"));
	return get_int32(p, counts, "total", &c->total) &&
	       get_int32(p, counts, "running", &c->running) &&
	       get_int32(p, counts, "sleeping", &c->sleeping) &&
	       get_int32(p, counts, "stopped", &c->stopped) &&
	       get_int32(p, counts, "zombie", &c->zombie);
}

static bool get_frame_head(struct parse *p, json_t *o, struct frame *f)
{
	long long uptime = 0, columns = 0;

	if (!get_int(p, o, "frame", 0, INT64_MAX, &f->number) || !get_time(p, o, &f->taken) ||
	    !get_int(p, o, "uptime_ticks", 0, INT64_MAX, &uptime) ||
	    !get_int(p, o, "columns", 0, 0xffff, &columns) ||
	    !get_word(p, o, "view", f->view, sizeof f->view) ||
	    !get_word(p, o, "events", f->events, sizeof f->events) ||
	    !get_word(p, o, "start_method", f->start_method, sizeof f->start_method) ||
	    !get_bool(p, o, "subreaper", &f->subreaper) ||
	    !get_bool(p, o, "pid_namespace", &f->pid_namespace) ||
	    !get_bool(p, o, "threads", &f->threads) || !get_counts(p, o, &f->counts))
		return false;
	f->uptime_ticks = (unsigned long long)uptime;
	f->columns = (unsigned)columns;
	f->hz = p->hz;
	return true;
}

static bool get_procs(struct parse *p, json_t *procs, struct frame *f)
{
	json_t *proc;
	size_t i;

	json_array_foreach(procs, i, proc)
		if (!get_proc(p, proc, f))
			return false;
	return true;
}

/* "as_it_was": the tree as it was (every member under its creator). */
static bool get_ghost(struct parse *p, json_t *o, struct recording_line *out)
{
	json_t *procs = json_object_get(o, "as_it_was");

	out->has_ghost = false;
	if (!procs || json_is_null(procs) || !out->ghost)
		return true;
	if (!json_is_array(procs))
		return fail(p, _("\"as_it_was\" is not an array"));
	frame_clear(out->ghost);
	out->ghost->hz = p->hz;
	out->has_ghost = true;
	return get_procs(p, procs, out->ghost);
}

static bool get_frame(struct parse *p, json_t *o, struct recording_line *out)
{
	json_t *procs = json_object_get(o, "processes");
	struct frame *f = out->frame;

	frame_clear(f);
	if (!procs || !json_is_array(procs))
		return fail(p, _("\"processes\" is not an array"));
	return get_frame_head(p, o, f) && get_procs(p, procs, f) && get_ghost(p, o, out);
}

/* A field of an event as event_set_field takes it; a string's escapes
 * turned back into raw bytes in *bytes (the caller's to free). */
static bool field_of(json_t *v, const char *key, struct event_field *f, char **bytes)
{
	*f = (struct event_field){ .key = key };
	*bytes = NULL;
	if (json_is_integer(v)) {
		f->type = EVENT_FIELD_INT;
		f->number = (long)json_integer_value(v);
	} else if (json_is_boolean(v)) {
		f->type = EVENT_FIELD_BOOL;
		f->number = json_is_true(v);
	} else if (json_is_null(v)) {
		f->type = EVENT_FIELD_NULL;
	} else if (json_is_string(v)) {
		if (!(*bytes = malloc(json_string_length(v) + 1)))
			return false;
		f->type = EVENT_FIELD_STRING;
		f->string = *bytes;
		f->length = text_unescape(*bytes, json_string_value(v), json_string_length(v));
	} else {
		return false;
	}
	return true;
}

static bool is_envelope(const char *key)
{
	return !strcmp(key, "type") || !strcmp(key, "seq") || !strcmp(key, "time") ||
	       !strcmp(key, "event") || !strcmp(key, "kind") || !strcmp(key, "text");
}

/* Each field into the event; a text too long for the event itself stays
 * in out->text, which the event borrows. */
static bool get_event_fields(struct parse *p, json_t *o, struct recording_line *out)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		struct event_field f;
		char *bytes;
		int rc;

		if (is_envelope(key))
			continue;
		if (!field_of(v, key, &f, &bytes))
			return fail(p, _("\"%s\" is not a value an event has"), key);
		rc = event_set_field(&out->event, &f);
		if (bytes && out->event.long_text == bytes) {
			free(out->text);
			out->text = bytes;
		} else {
			free(bytes);
		}
		if (rc < 0)
			return fail(p, _("\"%s\" is not what an event of its kind holds"), key);
	}
	return true;
}

static bool get_event(struct parse *p, json_t *o, struct recording_line *out)
{
	const char *name;
	size_t len;
	long long seq = 0;

	out->event = event_make(EV_NEW);
	if (!get_string(p, o, "event", &name, &len) || !get_int(p, o, "seq", 0, INT64_MAX, &seq) ||
	    !get_time(p, o, &out->event.when))
		return false;
	if (!name)
		return fail(p, _("an event without \"event\""));
	if (!event_kind_by_name(name, len, &out->event.kind)) {
		out->kind = RECORDING_IGNORED; /* a newer forktop's kind */
		return true;
	}
	out->event.seq = (unsigned long long)seq;
	return get_event_fields(p, o, out);
}

static bool get_marker(struct parse *p, json_t *o, struct recording_marker *m)
{
	*m = (struct recording_marker){ 0 };
	return get_time(p, o, &m->when) && get_raw_into(p, o, "note", m->note, sizeof m->note);
}

/* The first line: what wrote the recording. A newer format is refused. */
static bool get_header(struct parse *p, json_t *o, struct recording_info *info)
{
	long long format = 0, interval = 0, hz = 100;

	*info = (struct recording_info){ .known = true };
	if (!get_int(p, o, "format", 1, INT32_MAX, &format) ||
	    !get_word(p, o, "forktop", info->forktop, sizeof info->forktop) ||
	    !get_word(p, o, "kernel", info->kernel, sizeof info->kernel) ||
	    !get_int(p, o, "interval_ms", 0, 3600000, &interval) ||
	    !get_int(p, o, "hz", 1, 1000000, &hz) ||
	    !get_raw_into(p, o, "source", info->source, sizeof info->source))
		return false;
	if (!format)
		return fail(p, _("its first line has no \"format\""));
	info->format = (int)format;
	info->interval_ms = (long)interval;
	info->hz = (long)hz;
	if (format > RECORDING_FORMAT)
		/* TRANSLATORS: "it" is the recording; the %s after forktop are versions. */
		return fail(p, _("it was written in recording format %lld by forktop %s; this "
				 "forktop (%s) reads format %d and older"),
			    format, info->forktop[0] ? info->forktop : "?", PACKAGE_VERSION,
			    RECORDING_FORMAT);
	return true;
}

static enum recording_kind kind_of(const char *type)
{
	if (!strcmp(type, "recording"))
		return RECORDING_HEADER;
	if (!strcmp(type, "frame"))
		return RECORDING_FRAME;
	if (!strcmp(type, "event"))
		return RECORDING_EVENT;
	if (!strcmp(type, "marker"))
		return RECORDING_MARKER;
	return RECORDING_IGNORED;
}

static bool parse_object(struct parse *p, json_t *o, struct recording_info *info,
			 struct recording_line *out)
{
	json_t *type = json_object_get(o, "type");

	if (!json_is_string(type))
		return fail(p, _("no \"type\""));
	out->kind = kind_of(json_string_value(type));
	switch (out->kind) {
	case RECORDING_HEADER: return get_header(p, o, info);
	case RECORDING_FRAME: return out->frame ? get_frame(p, o, out) : true;
	case RECORDING_EVENT: return get_event(p, o, out);
	case RECORDING_MARKER: return get_marker(p, o, &out->marker);
	default: return true;
	}
}

/* Why jansson could not read a line, in forktop's words (its own text is
 * English whatever the locale). */
static const char *json_reason(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_out_of_memory: return _("no memory to read it");
	case json_error_stack_overflow: return _("nested too deeply");
	case json_error_invalid_utf8: return _("not valid UTF-8");
	case json_error_premature_end_of_input: return _("it ends before its value does");
	case json_error_end_of_input_expected: return _("more text after its value");
	case json_error_null_character: return _("a NUL character");
	case json_error_numeric_overflow: return _("a number too large");
	default: return _("a syntax error");
	}
}

/* info is read (a header line sets it) as well as used. */
static int parse_line(const char *line, size_t len, struct recording_info *info,
		      struct recording_line *out, char *err, size_t errlen)
{
	struct parse p = { .err = err, .errlen = errlen, .hz = info->hz > 0 ? info->hz : 100 };
	json_error_t jerr;
	json_t *o = json_loadb(line, len, 0, &jerr);
	bool ok;

	if (!o)
		return fail(&p, _("not JSON: %s (column %d)"), json_reason(&jerr), jerr.column), -1;
	ok = json_is_object(o) ? parse_object(&p, o, info, out) : fail(&p, _("not a JSON object"));
	json_decref(o);
	return ok ? 0 : -1;
}

int recording_parse(const char *line, size_t len, const struct recording_info *info,
		    struct recording_line *out, char *err, size_t errlen)
{
	struct recording_info own = *info;

	return parse_line(line, len, &own, out, err, errlen);
}

void recording_line_free(struct recording_line *line)
{
	free(line->text);
	line->text = NULL;
}

/* ---- reading a file or a stream ----------------------------------------- */

int recording_open(struct recording_reader *r, const char *path, char *err, size_t errlen)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
	struct stat st;

	*r = (struct recording_reader){ .fd = -1, .info = { .hz = 100 } };
	snprintf(r->name, sizeof r->name, "%s", strcmp(path, "-") ? path : _("standard input"));
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", r->name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", r->name, _("is a directory"));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) { /* a stream: each line as soon as it comes */
		r->fd = fd;
		return 0;
	}
	if (!(r->gz = gzdopen(fd, "rb"))) { /* gzip or plain, told by its bytes */
		close(fd);
		snprintf(err, errlen, "%s: %s", r->name, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	return 0;
}

int recording_nonblocking(struct recording_reader *r)
{
	if (r->fd < 0)
		return -1;
	r->nonblocking = true; /* poll before each read: the descriptor's flags are the shell's too */
	return r->fd;
}

void recording_close(struct recording_reader *r)
{
	if (r->gz)
		gzclose(r->gz);
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	*r = (struct recording_reader){ .fd = -1 };
}

/* Up to n bytes from a stream: whatever has come (-EAGAIN: nothing yet, for
 * a reader that does not wait), else waiting for some. A descriptor made
 * non-blocking by whoever shares it is waited for with poll(). */
static int read_stream(struct recording_reader *r, char *buf, unsigned n)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	ssize_t got;

	for (;;) {
		if (r->nonblocking && poll(&pfd, 1, 0) == 0)
			return -EAGAIN;
		got = read(r->fd, buf, n);
		if (got >= 0)
			return (int)got;
		if (errno == EAGAIN && r->nonblocking)
			return -EAGAIN;
		if (errno == EAGAIN)
			poll(&pfd, 1, -1);
		else if (errno != EINTR)
			return -errno;
	}
}

/* Up to n bytes from the file (gzip or plain) or the stream: read()'s
 * answer, and errno's. */
static int read_some(struct recording_reader *r, char *buf, unsigned n)
{
	ssize_t got;
	int zerr;

	if (!r->gz)
		return read_stream(r, buf, n);
	got = gzread(r->gz, buf, n);
	if (got >= 0)
		return (int)got;
	gzerror(r->gz, &zerr);
	if (zerr == Z_BUF_ERROR) /* a gzip file cut short: it ends where it was cut */
		return 0;
	return zerr == Z_ERRNO ? -errno : -EIO;
}

/* More bytes into the buffer; false at the end, with a negative errno in
 * *failed when reading failed. */
static bool read_more(struct recording_reader *r, int *failed)
{
	int n;

	if (r->start > 0) { /* keep the line begun, drop what was read */
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
	}
	if (GROW(r->buf, r->cap, r->len + READ_CHUNK + 1) < 0) {
		*failed = -ENOMEM;
		return false;
	}
	n = read_some(r, r->buf + r->len, READ_CHUNK);
	if (n > 0) {
		r->len += (size_t)n;
		return true;
	}
	if (n == -EAGAIN) { /* nothing now: the stream goes on */
		*failed = n;
		return false;
	}
	if (n < 0)
		*failed = n;
	r->eof = true;
	return false;
}

/* The next line's bytes (without its newline) in *line and *len: 1, or 0
 * at the end; *cut when the last line had no newline. */
static int next_bytes(struct recording_reader *r, const char **line, size_t *len, bool *cut,
		      int *failed)
{
	size_t scanned = r->start;

	*cut = false;
	for (;;) {
		char *nl = r->len > scanned ? memchr(r->buf + scanned, '\n', r->len - scanned) : NULL;

		if (nl) {
			*line = r->buf + r->start;
			*len = (size_t)(nl - *line);
			r->start = (size_t)(nl - r->buf) + 1;
			return 1;
		}
		if (r->len - r->start > RECORDING_LINE_MAX) {
			*failed = -E2BIG;
			return 0;
		}
		scanned = r->len - r->start; /* after read_more moves the line to 0 */
		if (!r->eof && read_more(r, failed))
			continue;
		if (*failed || r->start == r->len)
			return 0; /* a line begun waits for its end, after EAGAIN */
		*line = r->buf + r->start;
		*len = r->len - r->start;
		r->start = r->len;
		*cut = true;
		return 1;
	}
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static enum recording_status read_failed(struct recording_reader *r, int failed, char *err,
					 size_t errlen)
{
	if (failed == -E2BIG) {
		/* TRANSLATORS: the recording's name (a file, or "standard input") and a
		   line's number. */
		snprintf(err, errlen, _("%s line %ld: longer than %u MiB: damaged"), r->name,
			 r->line + 1, RECORDING_LINE_MAX >> 20);
		return r->saw_any ? RECORDING_DAMAGED : RECORDING_NOT_ONE;
	}
	snprintf(err, errlen, _("%s: reading failed after line %ld: %s"), r->name, r->line,
		 strerror(-failed));
	return RECORDING_FAILED;
}

/* A line that does not parse: the first says this is no recording; a cut
 * last one is skipped with a note; another is damage. */
static enum recording_status bad_line(struct recording_reader *r, bool cut, const char *why,
				      char *err, size_t errlen)
{
	if (!r->saw_any) {
		snprintf(err, errlen, _("%s is not a forktop recording: line %ld: %s"), r->name,
			 r->line, why);
		return RECORDING_NOT_ONE;
	}
	if (cut) {
		snprintf(r->note, sizeof r->note,
			 _("%s line %ld is cut off (the recorder stopped in the middle of it): "
			   "skipped"),
			 r->name, r->line);
		return RECORDING_END;
	}
	snprintf(err, errlen, _("%s line %ld is damaged (%s): replayed up to line %ld"), r->name,
		 r->line, why, r->line - 1);
	return RECORDING_DAMAGED;
}

enum recording_status recording_next(struct recording_reader *r, struct recording_line *out,
				     char *err, size_t errlen)
{
	const char *line;
	size_t len;
	bool cut;
	int failed = 0;
	char why[256];

	for (;;) {
		int got = next_bytes(r, &line, &len, &cut, &failed);

		if (!got && failed == -EAGAIN)
			return RECORDING_AGAIN;
		if (!got)
			return failed ? read_failed(r, failed, err, errlen) : r->saw_any ? RECORDING_END
				: (snprintf(err, errlen, _("%s is empty: not a forktop recording"),
					    r->name),
				   RECORDING_NOT_ONE);
		r->line++;
		if (blank(line, len))
			continue;
		if (parse_line(line, len, &r->info, out, why, sizeof why) < 0) {
			if (r->info.format <= RECORDING_FORMAT)
				return bad_line(r, cut, why, err, errlen);
			snprintf(err, errlen, "%s: %s", r->name, why); /* a newer format */
			return RECORDING_NOT_ONE;
		}
		if (!r->saw_any && out->kind == RECORDING_IGNORED)
			return bad_line(r, cut, _("no line of a recording"), err, errlen);
		r->saw_any = true;
		return RECORDING_OK;
	}
}
