/* track: a merge walk over two PID-sorted record arrays per update, so the
 * cost is O(n) after an (almost always skipped) sort. The log is a ring of
 * events by value; an event's long text (a long output line) is a copy the
 * ring owns, freed when its slot is reused: at most the ring's capacity of
 * them, EVENT_LINE_MAX bytes each. */
#include "track.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "text.h"


_Static_assert(SCAN_COMM_MAX <= EVENT_NAME_MAX, "an event holds a whole comm");

struct record {
	pid_t pid, ppid;
	unsigned long long start_time;
	char state;
	int exit_status;
	char comm[SCAN_COMM_MAX];
};

/* A new process another source (the kernel's fork event, a lab report)
 * already logged, and the parent it was born under. */
struct announced {
	pid_t pid;
	pid_t born_under;      /* 0: not known */
	unsigned long updates; /* track->updates when it was announced */
};

#define ANNOUNCED_UPDATES 3 /* a snapshot that has not shown it by then never will */

#define TRACK_LONG_TEXT_BUDGET (16u << 20) /* bytes of long texts the log keeps at most */

struct track {
	size_t long_bytes;              /* of the long texts the ring owns */
	unsigned long long long_oldest; /* no long text is older than this seq */
	struct announced *announced;
	size_t nannounced, announced_cap;
	unsigned long updates;
	struct record *prev, *cur;
	size_t nprev, ncur, cap;
	bool primed;
	track_name_fn *name_of; /* whole names, or NULL */
	void *name_ctx;
	struct track_event *ring;
	size_t ring_cap;
	unsigned long long last_seq;
	struct timespec now;
};

int track_new(struct track **out, size_t log_capacity)
{
	struct track *track = calloc(1, sizeof *track);

	*out = NULL;
	if (!track || log_capacity == 0)
		goto fail;
	track->ring = calloc(log_capacity, sizeof *track->ring);
	if (!track->ring)
		goto fail;
	track->ring_cap = log_capacity;
	*out = track;
	return 0;
fail:
	free(track);
	return log_capacity ? -ENOMEM : -EINVAL;
}

/* Frees the long text ev owns (a slot of the ring). */
static void drop_long_text(struct track *track, struct track_event *ev)
{
	if (ev->long_text)
		track->long_bytes -= ev->long_len;
	free((void *)ev->long_text);
	ev->long_text = NULL;
	ev->long_len = 0;
}

void track_free(struct track *track)
{
	if (!track)
		return;
	free(track->announced);
	for (size_t i = 0; i < track->ring_cap; i++)
		drop_long_text(track, &track->ring[i]);
	free(track->prev);
	free(track->cur);
	free(track->ring);
	free(track);
}

void track_reprime(struct track *track)
{
	track->primed = false;
	track->nprev = 0;
}

unsigned long long track_last_seq(const struct track *track)
{
	return track->last_seq;
}

const struct track_event *track_event(const struct track *track, unsigned long long seq)
{
	if (seq == 0 || seq > track->last_seq || track->last_seq - seq >= track->ring_cap)
		return NULL;
	return &track->ring[seq % track->ring_cap];
}

static struct track_event *next_slot(struct track *track)
{
	struct track_event *ev = &track->ring[++track->last_seq % track->ring_cap];

	drop_long_text(track, ev);
	ev->seq = track->last_seq;
	return ev;
}

/* A change seen between two snapshots, about the process of record r. */
static struct track_event *log_change(struct track *track, enum event_kind kind,
				      const struct record *r)
{
	struct track_event *ev = next_slot(track);
	unsigned long long seq = ev->seq;
	const char *name;

	*ev = event_make(kind);
	ev->seq = seq;
	ev->when = track->now;
	ev->pid = r->pid;
	ev->old_ppid = ev->new_ppid = r->ppid;
	ev->exit_status = r->exit_status;
	name = track->name_of ? track->name_of(track->name_ctx, r->pid, r->start_time) : NULL;
	if (name)
		snprintf(ev->name, sizeof ev->name, "%s", name);
	else
		memcpy(ev->name, r->comm, sizeof r->comm);
	return ev;
}

void track_set_names(struct track *track, track_name_fn *fn, void *ctx)
{
	track->name_of = fn;
	track->name_ctx = ctx;
}

/* ev keeps what its text holds of its long text (no character split), and
 * the rest counts as cut; the long text is no longer ev's. */
static void keep_short(struct track_event *ev)
{
	size_t keep = strnlen(ev->long_text, ev->long_len < sizeof ev->text ? ev->long_len
									    : sizeof ev->text - 1);

	keep = text_utf8_boundary(ev->long_text, keep);
	memcpy(ev->text, ev->long_text, keep);
	ev->text[keep] = '\0';
	ev->cut_bytes += ev->long_len - keep;
	ev->long_text = NULL;
	ev->long_len = 0;
}

/* Shortens the oldest logged long texts until len more bytes fit in the
 * budget (or none is left to shorten). */
static void make_room(struct track *track, size_t len)
{
	unsigned long long q = track->last_seq >= track->ring_cap ? track->last_seq - track->ring_cap + 1 : 1;

	if (track->long_oldest > q)
		q = track->long_oldest;
	for (; track->long_bytes + len > TRACK_LONG_TEXT_BUDGET && q <= track->last_seq; q++) {
		struct track_event *ev = &track->ring[q % track->ring_cap];
		char *owned = (char *)ev->long_text;

		if (!owned)
			continue;
		track->long_bytes -= ev->long_len;
		keep_short(ev);
		free(owned);
	}
	track->long_oldest = q;
}

/* Makes ev's borrowed long text a copy of its own, within the log's budget
 * (the oldest long texts are shortened first). Without memory for it, ev
 * keeps what its text holds: the log never holds a pointer it does not
 * own. */
static void own_long_text(struct track *track, struct track_event *ev)
{
	char *copy;

	if (!ev->long_text)
		return;
	make_room(track, ev->long_len);
	copy = track->long_bytes + ev->long_len <= TRACK_LONG_TEXT_BUDGET ? malloc(ev->long_len + 1)
									 : NULL;
	if (!copy) {
		keep_short(ev);
		return;
	}
	memcpy(copy, ev->long_text, ev->long_len);
	copy[ev->long_len] = '\0';
	ev->long_text = copy;
	track->long_bytes += ev->long_len;
}

void track_log(struct track *track, const struct track_event *ev)
{
	struct track_event copy = *ev, *slot;
	unsigned long long seq;

	own_long_text(track, &copy); /* before the slot is freed: ev may be a logged event */
	slot = next_slot(track);
	seq = slot->seq;
	*slot = copy;
	slot->seq = seq;
	if (!slot->when.tv_sec && !slot->when.tv_nsec)
		clock_gettime(CLOCK_REALTIME, &slot->when);
}

static int compare_pids(const void *a, const void *b)
{
	pid_t pa = ((const struct record *)a)->pid, pb = ((const struct record *)b)->pid;

	return (pa > pb) - (pa < pb);
}

/* Copies the snapshot into cur, sorted by PID. */
static int load_current(struct track *track, const struct scan_snapshot *snap)
{
	bool sorted = true;

	if (snap->count > track->cap) {
		/* prev and cur swap at every update: both keep the smaller room */
		size_t cap_prev = track->cap, cap_cur = track->cap;
		int rc = GROW(track->prev, cap_prev, snap->count);

		if (rc == 0)
			rc = GROW(track->cur, cap_cur, snap->count);
		track->cap = cap_prev < cap_cur ? cap_prev : cap_cur;
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < snap->count; i++) {
		const struct scan_proc *p = &snap->procs[i];
		struct record *r = &track->cur[i];

		r->pid = p->pid;
		r->ppid = p->ppid;
		r->start_time = p->start_time;
		r->state = p->state;
		r->exit_status = p->exit_status;
		memcpy(r->comm, p->comm, sizeof r->comm);
		if (i > 0 && r[-1].pid > r->pid)
			sorted = false;
	}
	track->ncur = snap->count;
	if (!sorted)
		qsort(track->cur, track->ncur, sizeof *track->cur, compare_pids);
	return 0;
}

/* The same process seen twice: report what changed about it. */
static void compare_same(struct track *track, const struct record *old, struct record *now)
{
	if (old->ppid != now->ppid) {
		struct track_event *ev = log_change(track, EV_REPARENT, now);

		ev->old_ppid = old->ppid;
	}
	if (now->state == 'Z' && old->state != 'Z')
		log_change(track, EV_ZOMBIE, now);
	if (now->exit_status == SCAN_NO_STATUS)
		now->exit_status = old->exit_status; /* keep a status once known */
}

void track_announce_new(struct track *track, pid_t pid, pid_t born_under)
{
	if (GROW(track->announced, track->announced_cap, track->nannounced + 1) < 0)
		return; /* the snapshot logs it again: a repeat, not a loss */
	track->announced[track->nannounced++] = (struct announced){ pid, born_under, track->updates };
}

/* Whether pid's appearance was announced already, and under which parent
 * (the announcement is used up). */
static bool was_announced(struct track *track, pid_t pid, pid_t *born_under)
{
	for (size_t i = 0; i < track->nannounced; i++)
		if (track->announced[i].pid == pid) {
			*born_under = track->announced[i].born_under;
			track->announced[i] = track->announced[--track->nannounced];
			return true;
		}
	return false;
}

/* A process no snapshot showed before: new, unless announced; a zombie
 * already; and re-parented, when it was announced under a parent that
 * ended before any snapshot showed it there (the kernel moved it between
 * two refreshes). */
static void first_sight(struct track *track, const struct record *now)
{
	pid_t born_under = 0;
	bool announced = was_announced(track, now->pid, &born_under);

	if (announced && born_under > 0 && born_under != now->ppid)
		log_change(track, EV_REPARENT, now)->old_ppid = born_under;
	if (now->state == 'Z')
		log_change(track, EV_ZOMBIE, now);
	else if (!announced)
		log_change(track, EV_NEW, now);
}

static void forget_old_announcements(struct track *track)
{
	size_t kept = 0;

	for (size_t i = 0; i < track->nannounced; i++)
		if (track->updates - track->announced[i].updates < ANNOUNCED_UPDATES)
			track->announced[kept++] = track->announced[i];
	track->nannounced = kept;
}

static void merge_walk(struct track *track)
{
	size_t i = 0, j = 0;

	while (i < track->nprev || j < track->ncur) {
		struct record *old = i < track->nprev ? &track->prev[i] : NULL;
		struct record *now = j < track->ncur ? &track->cur[j] : NULL;

		if (now && (!old || now->pid < old->pid)) {
			first_sight(track, now);
			j++;
		} else if (old && (!now || old->pid < now->pid)) {
			log_change(track, EV_GONE, old);
			i++;
		} else if (old->start_time != now->start_time) {
			log_change(track, EV_GONE, old); /* the PID was recycled */
			first_sight(track, now);
			i++, j++;
		} else {
			compare_same(track, old, now);
			i++, j++;
		}
	}
}

int track_update(struct track *track, const struct scan_snapshot *snap)
{
	struct record *swap;
	int rc = load_current(track, snap);

	if (rc < 0)
		return rc;
	track->now = snap->taken;
	track->updates++;
	if (track->primed)
		merge_walk(track);
	forget_old_announcements(track);
	track->primed = true;
	swap = track->prev;
	track->prev = track->cur;
	track->cur = swap;
	track->nprev = track->ncur;
	track->ncur = 0;
	return 0;
}
