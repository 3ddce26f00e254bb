/* replay: a recording printed again, as text or NDJSON; see replay.h. */
#include "replay.h"

#include <langinfo.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

#include "../src/i18n.h"
#include "../src/recording.h"
#include "batch.h"
#include "frameview.h"
#include "../src/text.h"
#include "recorder.h"

struct replay {
	const struct replay_options *opt;
	struct recording_reader reader;
	struct recording_line line;
	struct frame frame, ghost;
	struct frame_view view;
	struct recorder out;     /* NDJSON to stdout */
	struct rows_style style;
	long frames;
	bool events_header;      /* "events:" printed since the last text frame */
};

static void print_marker(const struct recording_marker *m, bool utf8)
{
	char note[4 * RECORDING_NOTE_MAX + 1];
	struct tm tm;
	char when[32];

	text_escape(note, sizeof note, m->note, strlen(m->note), utf8 ? TEXT_UTF8 : 0);
	localtime_r(&m->when.tv_sec, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	/* TRANSLATORS: a marker of a replayed recording: its time (%s.%03ld, as
	 * 12:34:56.789) and its note */
	printf(_("marker %s.%03ld: %s\n"), when, m->when.tv_nsec / 1000000, note);
}

/* One line read, printed; false once the frames asked for are out. */
static bool show_line(struct replay *rp)
{
	const struct recording_line *l = &rp->line;
	bool json = rp->opt->json;

	switch (l->kind) {
	case RECORDING_HEADER:
		if (json)
			recorder_header(&rp->out, &rp->reader.info);
		break;
	case RECORDING_FRAME:
		if (rp->opt->iterations && rp->frames >= rp->opt->iterations)
			return false;
		rp->frames++;
		if (json)
			recorder_frame(&rp->out, &rp->frame, l->has_ghost ? &rp->ghost : NULL);
		else if (frame_view_build(&rp->view, &rp->frame) == 0) {
			rp->style.hz = rp->frame.hz;
			rp->style.uptime_ticks = rp->frame.uptime_ticks;
			struct text_frame tf;

			batch_text_of_view(&rp->view, &rp->style, &tf);
			batch_text_frame(&tf, rp->frames == 1);
			rp->events_header = false;
		}
		break;
	case RECORDING_EVENT:
		if (json)
			recorder_event(&rp->out, &l->event);
		else
			batch_text_event(&l->event, rp->style.utf8, &rp->events_header);
		break;
	case RECORDING_MARKER:
		if (json)
			recorder_marker(&rp->out, &l->marker);
		else
			print_marker(&l->marker, rp->style.utf8);
		break;
	default: break;
	}
	return fflush(stdout) == 0 && !ferror(stdout) && !rp->out.failed;
}

static int finish(struct replay *rp, enum recording_status st, const char *err)
{
	if (st == RECORDING_END && rp->reader.note[0])
		fprintf(stderr, "forktop: %s\n", rp->reader.note);
	if (st < RECORDING_END)
		fprintf(stderr, "forktop: %s\n", err);
	recording_line_free(&rp->line);
	recording_close(&rp->reader);
	frame_free(&rp->frame);
	frame_free(&rp->ghost);
	frame_view_free(&rp->view);
	recorder_close(&rp->out);
	return st == RECORDING_NOT_ONE ? 2 : st < RECORDING_END ? 1 : 0;
}

int replay_run_batch(const struct replay_options *opt)
{
	static struct replay rp; /* one per process */
	enum recording_status st;
	char err[512];

	rp = (struct replay){ .opt = opt, .line = { .frame = &rp.frame, .ghost = &rp.ghost } };
	rp.style.utf8 = !opt->ascii && !strcmp(nl_langinfo(CODESET), "UTF-8");
	if (recording_open(&rp.reader, opt->path, err, sizeof err) < 0) {
		fprintf(stderr, "forktop: --replay %s\n", err);
		return 2;
	}
	recorder_use(&rp.out, stdout);
	while ((st = recording_next(&rp.reader, &rp.line, err, sizeof err)) == RECORDING_OK)
		if (!show_line(&rp))
			break;
	return finish(&rp, st == RECORDING_OK ? RECORDING_END : st, err);
}
