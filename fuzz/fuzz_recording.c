/* fuzz_recording: libFuzzer target for what --replay reads. The input is
 * read as a recording file is (recording_open on a memfd: lines cut at any
 * length, a last line cut off, damage, gzip or not), and each line of it is
 * also parsed alone (recording_parse). Checks that whatever a line holds,
 * what it gives back is safe to use: names NUL-terminated within their
 * arrays, a frame's counts true, an event's sentence renderable and
 * escaped; and that the reader ends, with a reason when it stops early. */
#include "fuzz.h"

#include <sys/mman.h>
#include <unistd.h>

#include "../src/recording.h"

static void check_frame(const struct frame *f)
{
	FUZZ_EXPECT(f->nprocs <= f->procs_cap);
	for (size_t i = 0; i < f->nprocs; i++) {
		const struct frame_proc *p = &f->procs[i];

		FUZZ_EXPECT(memchr(p->proc.comm, '\0', sizeof p->proc.comm));
		FUZZ_EXPECT(p->ntasks <= p->tasks_cap);
		FUZZ_EXPECT(p->depth >= 0);
		for (size_t k = 0; k < p->ntasks; k++)
			FUZZ_EXPECT(memchr(p->tasks[k].task.comm, '\0', sizeof p->tasks[k].task.comm));
	}
	FUZZ_EXPECT(memchr(f->view, '\0', sizeof f->view) && memchr(f->events, '\0', sizeof f->events));
}

static void check_event(const struct track_event *ev)
{
	char sentence[2048];
	size_t text_len;

	FUZZ_EXPECT(ev->kind >= 0 && ev->kind < EV_KIND_COUNT);
	FUZZ_EXPECT(memchr(ev->name, '\0', sizeof ev->name));
	FUZZ_EXPECT(memchr(ev->target_name, '\0', sizeof ev->target_name));
	FUZZ_EXPECT(memchr(ev->by_name, '\0', sizeof ev->by_name));
	event_text(ev, &text_len);
	event_describe(ev, sentence, sizeof sentence, 0);
	for (const char *c = sentence; *c; c++) /* escaped: no control byte but none */
		FUZZ_EXPECT((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f);
}

/* The input as a file the reader opens. */
static void read_as_file(const uint8_t *data, size_t size, struct recording_line *line)
{
	struct recording_reader r;
	char path[64], err[512];
	int fd = memfd_create("recording", MFD_CLOEXEC);
	enum recording_status st;
	long lines = 0;

	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (recording_open(&r, path, err, sizeof err) == 0) {
		err[0] = '\0';
		while ((st = recording_next(&r, line, err, sizeof err)) == RECORDING_OK) {
			FUZZ_EXPECT(++lines <= (long)size + 1);
			if (line->kind == RECORDING_FRAME)
				check_frame(line->frame);
			else if (line->kind == RECORDING_EVENT)
				check_event(&line->event);
		}
		FUZZ_EXPECT(st != RECORDING_AGAIN); /* a file is never waited for */
		FUZZ_EXPECT(st == RECORDING_END || err[0]);
		recording_close(&r);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recording_info info = { .hz = 100 };
	struct frame frame = { 0 }, ghost = { 0 };
	struct recording_line line = { .frame = &frame, .ghost = &ghost };
	const char *at = (const char *)data, *end = at + size;
	char err[512];

	while (at < end) {
		const char *nl = memchr(at, '\n', (size_t)(end - at));
		size_t len = nl ? (size_t)(nl - at) : (size_t)(end - at);

		err[0] = '\0';
		if (recording_parse(at, len, &info, &line, err, sizeof err) < 0)
			FUZZ_EXPECT(err[0] && memchr(err, '\0', sizeof err));
		else if (line.kind == RECORDING_FRAME)
			check_frame(&frame), check_frame(&ghost);
		else if (line.kind == RECORDING_EVENT)
			check_event(&line.event);
		at += len + 1;
	}
	read_as_file(data, size, &line);
	recording_line_free(&line);
	frame_free(&frame);
	frame_free(&ghost);
	return 0;
}
