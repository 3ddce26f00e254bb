/* exits: reads forktop's NDJSON (--json), each line prefixed by bench/stamp
 * with the moment it was read, and tells which processes forktop reported
 * with a given exit code, and how late.
 *
 *   exits CODE [LATENCY_FILE] < stamped.ndjson
 *
 * A process counts as reported with its exit when an "exited" event carries
 * exit CODE, or when a frame shows it (a tombstone, or a zombie) with exit
 * CODE. Sightings of one PID less than GAP_S seconds apart are one process:
 * a PID comes back only after pid_max others were handed out (some 30 s at
 * 1,000 forks a second with pid_max 32768), so a storm's PIDs that wrap are
 * still counted once each time they are used.
 *
 * Prints "key value" lines:
 *   reported N    processes reported with exit CODE, by an event or a frame
 *   by_event N    of them, those with an "exited" event
 *   exited N      "exited" events with exit CODE (one process may have more)
 *   frames N      frames; max_rows N the most processes in one frame
 *   events S      the frames' "events" field (kernel or polling; the last)
 *   lost N        "events_lost" events (the kernel dropped events)
 *   output LINE   the watched program's last line of output
 * With LATENCY_FILE, one line per "exited" event with exit CODE:
 *   SOURCE READ_MS
 * READ_MS: from the event's time (for the kernel's source, the kernel's
 * timestamp of the exit) to the moment its line was read. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAP_S 10.0

struct sighting {
	long pid;
	double time;
	int by_event;
};

static struct sighting *seen;
static size_t nseen, capseen;

static void sight(long pid, double time, int by_event)
{
	if (nseen == capseen) {
		size_t cap = capseen ? capseen * 2 : 4096;
		struct sighting *more = realloc(seen, cap * sizeof *seen);

		if (!more) {
			perror("exits");
			exit(1);
		}
		seen = more;
		capseen = cap;
	}
	seen[nseen++] = (struct sighting){ pid, time, by_event };
}

static int by_pid_time(const void *a, const void *b)
{
	const struct sighting *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->time > y->time) - (x->time < y->time);
}

static const char *text_of(json_t *obj, const char *key, const char *otherwise)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : otherwise;
}

static int has_code(json_t *obj, long code)
{
	json_t *exit = json_object_get(obj, "exit");

	return json_is_integer(exit) && json_integer_value(exit) == code;
}

int main(int argc, char **argv)
{
	long code = argc >= 2 ? atol(argv[1]) : -1;
	FILE *lat = NULL;
	char *line = NULL, output[1024] = "", events[32] = "";
	size_t cap = 0, frames = 0, max_rows = 0, exited = 0, lost = 0, reported = 0, by_event = 0;
	ssize_t n;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: exits CODE [LATENCY_FILE] < stamped.ndjson\n");
		return 2;
	}
	if (argc == 3 && !(lat = fopen(argv[2], "w"))) {
		perror(argv[2]);
		return 1;
	}
	while ((n = getline(&line, &cap, stdin)) > 0) {
		char *json_text;
		double read_at = strtod(line, &json_text);
		json_t *obj = json_loads(json_text, 0, NULL);
		const char *type = json_string_value(json_object_get(obj, "type"));
		double time = json_real_value(json_object_get(obj, "time"));

		if (!obj || !type) {
			json_decref(obj);
			continue;
		}
		if (!strcmp(type, "frame")) {
			json_t *procs = json_object_get(obj, "processes"), *p;
			size_t i;

			frames++;
			if (json_array_size(procs) > max_rows)
				max_rows = json_array_size(procs);
			snprintf(events, sizeof events, "%s",
				 text_of(obj, "events", "?"));
			json_array_foreach (procs, i, p)
				if (has_code(p, code))
					sight((long)json_integer_value(json_object_get(p, "pid")), time, 0);
		} else if (!strcmp(type, "event")) {
			const char *ev = text_of(obj, "event", "");

			if (!strcmp(ev, "exited") && has_code(obj, code)) {

				exited++;
				sight((long)json_integer_value(json_object_get(obj, "pid")), time, 1);
				if (lat)
					fprintf(lat, "%s %.3f\n", text_of(obj, "source", "?"),
						(read_at - time) * 1e3);
			} else if (!strcmp(ev, "events_lost")) {
				lost++;
			} else if (!strcmp(ev, "output")) {
				snprintf(output, sizeof output, "%s", text_of(obj, "line", ""));
			}
		}
		json_decref(obj);
	}
	qsort(seen, nseen, sizeof *seen, by_pid_time);
	for (size_t i = 0; i < nseen;) {
		size_t j = i;
		int any_event = 0;

		/* one process: the sightings of one PID, each within GAP_S of the one before */
		do
			any_event |= seen[j].by_event;
		while (++j < nseen && seen[j].pid == seen[i].pid && seen[j].time - seen[j - 1].time < GAP_S);
		reported++;
		by_event += (size_t)any_event;
		i = j;
	}
	printf("reported %zu\nby_event %zu\nexited %zu\nframes %zu\nmax_rows %zu\nevents %s\nlost %zu\n"
	       "output %s\n",
	       reported, by_event, exited, frames, max_rows, events[0] ? events : "?", lost, output);
	free(line);
	free(seen);
	if (lat && fclose(lat) != 0)
		return 1;
	return 0;
}
