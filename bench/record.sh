# The record part of bench/run.sh (sourced: it uses run.sh's helpers, bin,
# forktop, out, runs, sock, median, forest_start/stop): what recording costs
# and what the history holds.
#   - bytes a minute of the default lab recorded at a 1 s refresh, plain and
#     gzip (goal: at most 20 KB a minute gzipped), RECORD_SECONDS (60) a run;
#   - the time to open a one-hour recording (made of a real one, its frames
#     repeated a second apart) and reach its end: printed again as NDJSON, and
#     in the screen from the start to its last moment shown (goal: under 1 s);
#   - the screen's memory (VmRSS) over HISTORY_SECONDS (600) of the
#     all-processes view at HISTORY_PROCESSES (10,000) extra processes, with
#     what its help says the history holds (goal: bounded, and said).
record_seconds=${RECORD_SECONDS:-60}
history_seconds=${HISTORY_SECONDS:-600}
history_processes=${HISTORY_PROCESSES:-10000}

# record_bytes: "plain gzip" bytes a minute, medians of RUNS pairs run side by side.
record_bytes() {
	local plain=() gz=() r
	for ((r = 0; r < runs; r++)); do
		"$forktop" --batch --delay 1000 --iterations $((record_seconds + 1)) \
			--record "$out/.rec.ndjson" >/dev/null &
		"$forktop" --batch --delay 1000 --iterations $((record_seconds + 1)) \
			--record "$out/.rec.ndjson.gz" >/dev/null
		wait
		plain+=("$(($(stat -c %s "$out/.rec.ndjson") * 60 / record_seconds))")
		gz+=("$(($(stat -c %s "$out/.rec.ndjson.gz") * 60 / record_seconds))")
	done
	rm -f "$out/.rec.ndjson" "$out/.rec.ndjson.gz"
	echo "$(printf '%s\n' "${plain[@]}" | median) $(printf '%s\n' "${gz[@]}" | median)"
}

# hour_recording FILE: a one-hour recording of the default lab at 1 s: 3,600
# frames, a real ten-second run's repeated, each a second after the last.
hour_recording() {
	"$forktop" --json --delay 1000 --iterations 10 -S '@4 kill Process-1' >"$out/.ten.ndjson"
	python3 - "$out/.ten.ndjson" "$1" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
head, rest = lines[0], lines[1:]
t0 = next(l["time"] for l in rest if l["type"] == "frame")
with open(sys.argv[2], "w") as out:
    out.write(json.dumps(head, separators=(",", ":")) + "\n")
    frames = 0
    while frames < 3600:
        for l in rest:
            if l["type"] == "frame":
                if frames == 3600:
                    break
                frames += 1
            shifted = dict(l, time=l["time"] - t0 + frames)
            if l["type"] == "frame":
                shifted["frame"] = frames
            out.write(json.dumps(shifted, separators=(",", ":")) + "\n")
PY
	rm -f "$out/.ten.ndjson"
}

# seconds_of COMMAND...: wall seconds of one run.
seconds_of() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# screen_open FILE: wall seconds from starting the screen on the recording to
# its last moment shown (Space), polled every 10 ms in a 120x40 tmux pane.
screen_open() {
	local t0 t1 i
	tmux -L "$sock" kill-server 2>/dev/null
	t0=$(date +%s.%N)
	tmux -L "$sock" new-session -d -x 120 -y 40 "$forktop --replay $1"
	for ((i = 0; i < 3000; i++)); do
		tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q 'a recording of 3600 refreshes' && break
		sleep 0.01
	done
	tmux -L "$sock" send-keys ' '
	for ((i = 0; i < 3000; i++)); do
		tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q '(its end)' && break
		sleep 0.01
	done
	t1=$(date +%s.%N)
	tmux -L "$sock" kill-server 2>/dev/null
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# history_memory: VmRSS (KiB) of the screen every minute over HISTORY_SECONDS
# at HISTORY_PROCESSES extra processes, and the help's history line at the end.
history_memory() {
	local pid s rss
	forest_start "$history_processes"
	tmux -L "$sock" kill-server 2>/dev/null
	tmux -L "$sock" new-session -d -x 120 -y 40 "$forktop --no-lab --delay 1000"
	sleep 2
	pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
	for ((s = 60; s <= history_seconds; s += 60)); do
		sleep 60
		rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
		echo "| $s s | $rss |"
	done
	tmux -L "$sock" send-keys '?'
	sleep 1
	echo
	echo "Peak RSS (VmHWM) $(proc_hwm "$pid") KiB. The help said: $(tmux -L "$sock" capture-pane -p |
		grep -o 'Time travel: .*' | sed 's/ *$//')"
	tmux -L "$sock" kill-server 2>/dev/null
	forest_stop
}

record_report() {
	local bytes hour
	echo
	echo "## Recording, replay and the history"
	echo
	bytes=$(record_bytes)
	echo "Bytes a minute of the default lab recorded at a 1 s refresh (medians of $runs runs of ${record_seconds} s; goal gzipped: at most 20 KB):"
	echo
	echo "| plain | gzip (--record FILE.gz) |"
	echo "| --- | --- |"
	echo "| ${bytes% *} | ${bytes#* } |"
	hour=$out/.hour.ndjson
	hour_recording "$hour"
	echo
	echo "A one-hour recording ($(grep -c '"type":"frame"' "$hour") frames, $(stat -c %s "$hour") bytes): seconds to open it and reach its end (medians of $runs runs; goal: under 1 s):"
	echo
	echo "| what | seconds |"
	echo "| --- | --- |"
	echo "| \`forktop --replay FILE --json\` (every line read and written again) | $(for ((r = 0; r < runs; r++)); do seconds_of "$forktop" --replay "$hour" --json; done | median) |"
	echo "| \`forktop --replay FILE\`: the screen, to its last moment (Space) | $(for ((r = 0; r < runs; r++)); do screen_open "$hour"; done | median) |"
	rm -f "$hour"
	echo
	echo "The screen's memory, all processes at $history_processes extra processes, 1 s refresh, ${history_seconds} s (VmRSS KiB; the history keeps at most 64 MiB of moments):"
	echo
	echo "| after | VmRSS KiB |"
	echo "| --- | --- |"
	history_memory
}
