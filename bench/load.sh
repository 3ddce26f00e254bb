#!/usr/bin/env bash
# forktop under load: `make load`, or bench/load.sh after building forktop,
# bench/forest and bench/storm. A long run, never part of make check.
#
# bench/forest holds LOAD_PROCESSES (10000) extra sleeping processes while
# bench/storm forks LOAD_RATE (1000) children a second that exit at once,
# for LOAD_SECONDS (60). Meanwhile two forktops watch every process: the TUI
# in a 120x40 tmux pane and batch mode (text frames, counted). It passes when
# neither crashes nor writes an error, both exit 0 when asked to end, and the
# RSS of each after LOAD_SECONDS is within 10% of its RSS after LOAD_EARLY
# (10) seconds (VmRSS from /proc/PID/status, sampled every second, kept in
# bench/results/load-samples.txt). Prints the figures. Every process it
# starts is ended on exit.
set -u
cd "$(dirname "$0")/.."
bin=${BENCH_BIN:-bench}
forktop=${FORKTOP:-./forktop}
processes=${LOAD_PROCESSES:-10000}
rate=${LOAD_RATE:-1000}
seconds=${LOAD_SECONDS:-60}
early=${LOAD_EARLY:-10}
sock="forktop-load-$$"
out=$(mktemp -d)
forest_pid= storm_pid= batch_pid= counter_pid=

for tool in tmux "$bin/forest" "$bin/storm" "$forktop"; do
	command -v "$tool" >/dev/null || { echo "load: $tool is missing (make load builds it)"; exit 2; }
done

cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock" # kill-server leaves the socket file
	for p in $storm_pid $batch_pid; do kill -TERM "$p" 2>/dev/null; done
	exec 7>&- 2>/dev/null # the forest's lifeline
	wait 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT

failures=()
fail() { failures+=("$1"); echo "load: FAIL $1"; }

proc_count() { ls /proc | grep -c '^[0-9]'; }
rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
running() { [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# ---- 10,000 extra processes
mkfifo "$out/lifeline"
"$bin/forest" "$processes" 10 <"$out/lifeline" >"$out/forest" &
forest_pid=$!
exec 7>"$out/lifeline"
for ((i = 0; i < 1200; i++)); do grep -q ready "$out/forest" && break; sleep 0.1; done
grep -q "ready $processes" "$out/forest" || { echo "load: the forest never became ready: $(cat "$out/forest")"; exit 1; }
echo "load: $(proc_count) processes on the machine before the storm"

# ---- the two monitors, then the storm
tmux -L "$sock" new-session -d -x 120 -y 40 \
	"$forktop --all --delay 1000 2>$out/tui.err; echo \$? >$out/tui.status; sleep 600"
for ((i = 0; i < 50; i++)); do
	tui_pid=$(pgrep -P "$(tmux -L "$sock" list-panes -F '#{pane_pid}')" -x forktop) && break
	sleep 0.1
done
[ -n "$tui_pid" ] || { echo "load: the TUI did not start"; exit 1; }
"$forktop" --batch --all --delay 1000 2>"$out/batch.err" > >(awk '/^forktop / { n++ } END { print n }' >"$out/frames") &
batch_pid=$!
"$bin/storm" "$rate" "$seconds" >"$out/storm" 2>&1 &
storm_pid=$!

# ---- sample both RSS every second for LOAD_SECONDS
echo "t tui_rss_kib batch_rss_kib processes" >"$out/samples"
for ((t = 1; t <= seconds; t++)); do
	sleep 1
	echo "$t $(rss_of "$tui_pid") $(rss_of "$batch_pid") $(proc_count)" >>"$out/samples"
	running "$tui_pid" || { fail "the TUI ended after $t s"; break; }
	running "$batch_pid" || { fail "batch mode ended after $t s"; break; }
done
wait "$storm_pid"
storm_status=$?
storm_pid=

# ---- end both as a user would, and collect what they said
tmux -L "$sock" send-keys q
for ((i = 0; i < 100; i++)); do
	[ -s "$out/tui.status" ] && break
	sleep 0.1
done
tui_status=$(cat "$out/tui.status" 2>/dev/null)
kill -TERM "$batch_pid" 2>/dev/null
wait "$batch_pid"
batch_status=$?
batch_pid=
for ((i = 0; i < 50; i++)); do [ -s "$out/frames" ] && break; sleep 0.1; done

mkdir -p bench/results
cp "$out/samples" bench/results/load-samples.txt
sample() { awk -v t="$1" -v c="$2" '$1 == t { print $c }' "$out/samples"; }
growth() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%+.1f%%", (b - a) * 100 / a; else print "?" }'; }
flat() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > 0 && b > 0 && b <= a * 1.10) }'; }
tui_early=$(sample "$early" 2) tui_late=$(sample "$seconds" 2)
batch_early=$(sample "$early" 3) batch_late=$(sample "$seconds" 3)

[ "$tui_status" = 0 ] || fail "the TUI exited with status '$tui_status'"
[ "$batch_status" = 0 ] || fail "batch mode exited with status $batch_status"
[ "$storm_status" = 0 ] || fail "the storm could not fork every child"
[ -s "$out/tui.err" ] && fail "the TUI wrote errors: $(head -5 "$out/tui.err")"
[ -s "$out/batch.err" ] && fail "batch mode wrote errors: $(head -5 "$out/batch.err")"
flat "$tui_early" "$tui_late" || fail "the TUI's RSS grew from $tui_early to $tui_late KiB"
flat "$batch_early" "$batch_late" || fail "batch mode's RSS grew from $batch_early to $batch_late KiB"

echo
echo "## forktop under load"
echo
echo "machine: $(nproc) cores, kernel $(uname -r), pid_max $(cat /proc/sys/kernel/pid_max); $(date -u +%Y-%m-%d)"
echo "extra processes: $processes (bench/forest); processes on the machine during the run:" \
	"$(awk 'NR > 1 { print $4 }' "$out/samples" | sort -n | sed -n '1p;$p' | paste -sd- -)"
echo "$(cat "$out/storm") (bench/storm)"
echo
echo "| forktop | RSS at ${early} s (KiB) | RSS at ${seconds} s (KiB) | change | lowest..highest | frames | exit |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
range() { awk -v c="$1" 'NR > 1 && $c { if (!lo || $c < lo) lo = $c; if ($c > hi) hi = $c } END { print lo ".." hi }' "$out/samples"; }
echo "| TUI, every process, in tmux | $tui_early | $tui_late | $(growth "$tui_early" "$tui_late") | $(range 2) | | $tui_status |"
echo "| batch, every process, text | $batch_early | $batch_late | $(growth "$batch_early" "$batch_late") | $(range 3) | $(cat "$out/frames") | $batch_status |"
echo
if [ ${#failures[@]} -eq 0 ]; then
	echo "load: passed (no crash, no error, RSS flat within 10%)"
else
	echo "load: ${#failures[@]} failed"
	exit 1
fi
