#!/usr/bin/env bash
# forktop's benchmarks, side by side with its peers in one run on one machine:
#   bench/run.sh [SIZES...] [threads] [cpucol] [storm] [record]
# SIZES are numbers of extra processes (default 1000 10000); threads is the
# interactive all-processes view with H off and on at THREADS_PROCESSES
# (10,000) extra processes; cpucol is the CPU column against top's %CPU on
# processes of known loads; storm is the fork storm (1,000 short-lived
# children a second, STORM_SECONDS long) under forktop's two event sources
# and forkstat. Without arguments, all of them; `bench/run.sh storm` runs the
# storm alone; record is what recording costs, opening a one-hour recording,
# and the screen's history over ten minutes (bench/record.sh). Each figure is the median of RUNS
# runs (default 5). Results go to stdout as a Markdown table and to
# bench/results/latest.txt. Needs htop, ps, pstree and tmux (not for the storm
# alone); forkstat for the storm's comparison rows, which are left out with a
# note without it (FORKSTAT names another). Every process it starts is ended on exit.
set -u
cd "$(dirname "$0")/.."
bin=${BENCH_BIN:-bench}
forktop=${FORKTOP:-./forktop}
runs=${RUNS:-5}
tui_seconds=${TUI_SECONDS:-30}
storm_rate=${STORM_RATE:-1000}
storm_seconds=${STORM_SECONDS:-30}
latency_rate=${LATENCY_RATE:-100}
latency_seconds=${LATENCY_SECONDS:-10}
forkstat=${FORKSTAT:-forkstat}
sizes=() storm=no threads=no cpucol=no record=no
for arg in "$@"; do
	case $arg in
	storm) storm=yes ;;
	record) record=yes ;;
	threads) threads=yes ;;
	cpucol) cpucol=yes ;;
	*[!0-9]* | '') echo "usage: bench/run.sh [SIZES...] [threads] [cpucol] [storm] [record]"; exit 2 ;;
	*) sizes+=("$arg") ;;
	esac
done
[ $# -eq 0 ] && sizes=(1000 10000) storm=yes threads=yes cpucol=yes record=yes
hz=$(getconf CLK_TCK)
sock="forktop-bench-$$"
out=bench/results
mkdir -p "$out"
forest_pid=

if [ ${#sizes[@]} -gt 0 ]; then
	for tool in htop ps pstree tmux; do
		command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install htop procps psmisc tmux)"; exit 2; }
	done
fi
if [ "$record" = yes ]; then
	for tool in tmux python3; do
		command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install tmux python3)"; exit 2; }
	done
fi
if [ "$threads" = yes ]; then
	command -v tmux >/dev/null || { echo "bench: tmux is missing (apt-get install tmux)"; exit 2; }
fi
if [ "$cpucol" = yes ]; then
	for tool in top python3; do
		command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install procps python3)"; exit 2; }
	done
fi

cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	[ -n "$forest_pid" ] && kill "$forest_pid" 2>/dev/null
	exec 7>&- 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT
. bench/record.sh

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# forest_start N: N extra sleeping processes (fan-out 10) until forest_stop.
forest_start() {
	mkfifo "$out/.forest.$$"
	"$bin/forest" "$1" 10 <"$out/.forest.$$" >"$out/.forest.out" &
	forest_pid=$!
	exec 7>"$out/.forest.$$"
	rm -f "$out/.forest.$$"
	for ((i = 0; i < 600; i++)); do grep -q ready "$out/.forest.out" 2>/dev/null && return; sleep 0.1; done
	echo "bench: the forest of $1 never became ready"; exit 1
}
forest_stop() {
	exec 7>&-
	wait "$forest_pid" 2>/dev/null
	forest_pid=
}

# cpu_of COMMAND...: "seconds maxrss_kib" of one run, through bench/cpu.
cpu_of() { "$bin/cpu" "$@" 2>&1 >/dev/null | tail -1 | awk '{ print $1, $2 }'; }

# one_shots: the full-frame programs, run round-robin (every program once per
# round, ONE_SHOT_RUNS rounds) so that the machine's drift touches them all
# alike; prints "key cpu_median rss_median" per program.
one_shot_runs=${ONE_SHOT_RUNS:-9}
one_shots() {
	local keys=(forktop ps pstree proc2 raw) r k
	declare -A cmd=(
		[forktop]="$forktop --batch --all --no-lab --iterations 1"
		[ps]="ps -e --forest -o pid,ppid,stat,comm"
		[pstree]="pstree -p"
		[proc2]="$bin/floor_proc2"
		[raw]="$bin/floor_raw")
	for ((r = 0; r < one_shot_runs; r++)); do
		for k in "${keys[@]}"; do
			echo "$k $(cpu_of ${cmd[$k]})"
		done
	done >"$out/.shots"
	for k in "${keys[@]}"; do
		echo "$k $(awk -v k="$k" '$1 == k { print $2 }' "$out/.shots" | median)" \
			"$(awk -v k="$k" '$1 == k { print $3 }' "$out/.shots" | median)"
	done
	rm -f "$out/.shots"
}

# proc_cpu PID: CPU seconds (utime + stime) of that process alone.
proc_cpu() { awk -v hz="$hz" '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print (f[12] + f[13]) / hz }' "/proc/$1/stat"; }
proc_hwm() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }

# tui_run NAME COMMAND: CPU seconds per refresh and peak RSS of an interactive
# monitor in tmux (120x40, 0.5 s refresh) over TUI_SECONDS.
tui_run() {
	local name=$1 cmd=$2 per=() rss=() pid
	for ((r = 0; r < runs; r++)); do
		tmux -L "$sock" kill-server 2>/dev/null
		tmux -L "$sock" new-session -d -x 120 -y 40 "$cmd"
		sleep 1
		pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
		local c0; c0=$(proc_cpu "$pid")
		sleep "$tui_seconds"
		local c1; c1=$(proc_cpu "$pid")
		per+=("$(awk -v a="$c0" -v b="$c1" -v n="$tui_seconds" 'BEGIN { printf "%.6f", (b - a) / (n * 2) }')")
		rss+=("$(proc_hwm "$pid")")
		tmux -L "$sock" kill-server
		sleep 0.5
	done
	printf '%s %s %s\n' "$name" "$(printf '%s\n' "${per[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median)"
}

# lab_refresh: CPU seconds per refresh of the lab view (batch, 10 ms delay):
# the difference of a 220- and a 20-refresh run cancels the start-up.
lab_refresh() {
	local a=() b=()
	for ((r = 0; r < runs; r++)); do
		a+=("$(cpu_of "$forktop" --batch --delay 10 --iterations 20 | cut -d' ' -f1)")
		b+=("$(cpu_of "$forktop" --batch --delay 10 --iterations 220 | cut -d' ' -f1)")
	done
	awk -v x="$(printf '%s\n' "${a[@]}" | median)" -v y="$(printf '%s\n' "${b[@]}" | median)" \
		'BEGIN { printf "%.6f\n", (y - x) / 200 }'
}

# latency KEY PATTERN: milliseconds from a key in the TUI to PATTERN on screen.
latency() {
	local key=$1 pattern=$2 ms=()
	for ((r = 0; r < runs; r++)); do
		tmux -L "$sock" kill-server 2>/dev/null
		tmux -L "$sock" new-session -d -x 120 -y 40 "$forktop --delay 1000"
		for ((i = 0; i < 100; i++)); do tmux -L "$sock" capture-pane -p | grep -q 'Process-3:1' && break; sleep 0.05; done
		[ "$key" = k ] && tmux -L "$sock" send-keys / P r o c e s s - 4 Enter && sleep 0.3
		local t0; t0=$(date +%s%N)
		tmux -L "$sock" send-keys "$key"
		for ((i = 0; i < 2000; i++)); do tmux -L "$sock" capture-pane -p | grep -qE "$pattern" && break; done
		ms+=("$(( ($(date +%s%N) - t0) / 1000000 ))")
		tmux -L "$sock" kill-server
	done
	printf '%s\n' "${ms[@]}" | median
}

# ---- threads (H) -----------------------------------------------------------
# forktop's interactive all-processes view (--no-lab --delay 500, 120x40 tmux
# pane) with THREADS_PROCESSES extra processes, with threads off and with H
# pressed. bench/threaded starts THREADED_PROCS processes of THREADED_THREADS
# threads each, siblings under one parent. The screen is brought to them
# (/threaded, then a page down and up: the parent on the first line of the
# tree, again before each block), then H toggles the threads in blocks of
# THREADS_SECONDS, off and on in turn, THREADS_PAIRS of each a run (one forktop a run, so both modes see
# the same process, screen and moment of a noisy machine: forktop's events
# count every fork and exit on it). With H pressed after the paging, the
# thread lines are on screen under the parent and read at every refresh
# (pressed first, the page keys move over thread lines and the parent may
# end above the screen); they are counted every second. A block's figure:
# forktop's own CPU (/proc/PID/task/*/schedstat, in ns: ticks are too coarse
# for 4 ms refreshes) over the block, divided by its refreshes (two a second).
threads_procs=${THREADS_PROCESSES:-10000}
threads_seconds=${THREADS_SECONDS:-4}
threads_pairs=${THREADS_PAIRS:-4}
threaded_procs=${THREADED_PROCS:-3}
threaded_threads=${THREADED_THREADS:-5}
threaded_pid=

# lifeline_start NAME FD CMD...: CMD reads its lifeline (a FIFO) on stdin, held
# open here on fd FD until lifeline_stop NAME FD; its stdout goes to
# $out/.NAME.out; waits for the "ready" it prints. Its PID is in NAME_pid.
lifeline_start() {
	local name=$1 fd=$2
	shift 2
	mkfifo "$out/.$name.$$"
	"$@" <"$out/.$name.$$" >"$out/.$name.out" 5>&- 6>&- 7>&- &
	printf -v "${name}_pid" '%s' "$!"
	eval "exec $fd>\"\$out/.$name.\$\$\""
	rm -f "$out/.$name.$$"
	for ((i = 0; i < 100; i++)); do grep -q ready "$out/.$name.out" 2>/dev/null && return; sleep 0.1; done
	echo "bench: bench/$name never became ready" >&2; exit 1
}
lifeline_stop() {
	local name=$1 fd=$2 pid_var="${1}_pid"
	eval "exec $fd>&-"
	[ -n "${!pid_var}" ] && wait "${!pid_var}" 2>/dev/null
	printf -v "$pid_var" '%s' ""
	rm -f "$out/.$name.out"
}
# the threaded processes, until threaded_stop (lifeline: fd 5)
threaded_start() { lifeline_start threaded 5 "$bin/threaded" "$threaded_procs" "$threaded_threads"; }
threaded_stop() { lifeline_stop threaded 5; }

# task_cpu PID: CPU seconds of every thread of PID, to the nanosecond.
task_cpu() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.9f\n", s / 1e9 }'; }

# pane_threads: the thread lines ({name}) in the tree part of the pane.
pane_threads() {
	tmux -L "$sock" capture-pane -p | awk '/^── Events/ { exit } /\{[^}]*\}[[:space:]]*$/ { n++ } END { print n + 0 }'
}

# pane_wait PATTERN [-v]: until the pane shows PATTERN (-v: no longer shows
# it), at most 5 s; fails otherwise.
pane_wait() {
	for ((i = 0; i < 100; i++)); do
		if tmux -L "$sock" capture-pane -p | grep -qE -- "$1"; then
			[ "${2:-}" != -v ] && return 0
		else
			[ "${2:-}" = -v ] && return 0
		fi
		sleep 0.05
	done
	return 1
}

# threads_run FIRST (off or on): one forktop, 2 * THREADS_PAIRS blocks from
# FIRST; a line a block: "mode cpu_s_per_refresh thread_lines_median
# thread_lines_fewest".
threads_run() {
	local first=$1 mode=off want pid c0 c1 b s
	tmux -L "$sock" kill-server 2>/dev/null
	tmux -L "$sock" new-session -d -x 120 -y 40 "exec $forktop --no-lab --delay 500" 5>&- 6>&- 7>&-
	pane_wait 'view: all' || { echo "bench: forktop's screen never came" >&2; return 1; }
	pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
	[ "$(cat /proc/"$pid"/comm 2>/dev/null)" = forktop ] || { echo "bench: the pane runs no forktop" >&2; return 1; }
	for ((b = 0; b < 2 * threads_pairs; b++)); do
		want=$first
		[ $((b % 2)) = 1 ] && { [ "$first" = on ] && want=off || want=on; }
		if [ "$mode" = on ]; then # the page keys without thread lines
			tmux -L "$sock" send-keys H && mode=off
			pane_wait '\{[^}]*\} *$' -v || { echo "bench: H did not hide the threads" >&2; return 1; }
		fi
		# to the threaded processes again (other processes appearing above
		# them move them down the screen)
		tmux -L "$sock" send-keys / && tmux -L "$sock" send-keys -l threaded && tmux -L "$sock" send-keys Enter
		pane_wait "found 'threaded'" || { echo "bench: /threaded found nothing" >&2; return 1; }
		tmux -L "$sock" send-keys NPage && sleep 0.2 && tmux -L "$sock" send-keys PPage && sleep 0.2
		if [ "$want" = on ]; then
			tmux -L "$sock" send-keys H && mode=on
			pane_wait '\{[^}]*\} *$' || { echo "bench: H showed no threads" >&2; return 1; }
		fi
		sleep 0.5
		c0=$(task_cpu "$pid")
		for ((s = 0; s < threads_seconds; s++)); do sleep 1; pane_threads; done >"$out/.shown.$$"
		c1=$(task_cpu "$pid")
		kill -0 "$pid" 2>/dev/null || { echo "bench: forktop ended during the run" >&2; return 1; }
		echo "$mode $(awk -v a="$c0" -v b="$c1" -v n="$threads_seconds" 'BEGIN { printf "%.6f\n", (b - a) / (n * 2) }')" \
			"$(median <"$out/.shown.$$")" "$(sort -g "$out/.shown.$$" | head -1)"
	done
	rm -f "$out/.shown.$$"
	tmux -L "$sock" kill-server
	sleep 0.3
}

threads_report() {
	local f=$out/.threads.$$ r
	: >"$f"
	forest_start "$threads_procs"
	threaded_start
	for ((r = 0; r < runs; r++)); do
		local first=off
		[ $((r % 2)) = 1 ] && first=on
		threads_run "$first" | sed "s/^/$r /" >>"$f"
	done
	local all; all=$(ls -d /proc/[0-9]* | wc -l)
	threaded_stop
	forest_stop
	tcol() { awk -v m="$1" -v c="$2" '$2 == m && NF == 5 { print $c }' "$f"; }
	local off on soff son sfew
	off=$(tcol off 3 | med) on=$(tcol on 3 | med)
	soff=$(tcol off 4 | med) son=$(tcol on 4 | med) sfew=$(tcol on 5 | sort -g | head -1)
	echo
	echo "## Threads (H) at $threads_procs extra processes ($all in all)"
	echo
	echo "\`forktop --no-lab --delay 500\` in a 120x40 tmux pane, the screen brought to $threaded_procs processes of $threaded_threads threads each (\`bench/threaded\`), H toggled in blocks of ${threads_seconds} s, $threads_pairs off and $threads_pairs on in each of $runs runs (one forktop a run); forktop's own CPU (schedstat) over a block divided by its refreshes, the median of the blocks:"
	echo
	echo "| H | CPU ms per refresh | blocks | thread lines on screen (median of the seconds; fewest) |"
	echo "| --- | --- | --- | --- |"
	awk -v a="$off" -v b="$soff" -v n="$(tcol off 3 | wc -l)" 'BEGIN { printf "| off | %.3f | %d | %s |\n", a * 1000, n, b }'
	awk -v a="$on" -v b="$son" -v c="$sfew" -v n="$(tcol on 3 | wc -l)" 'BEGIN { printf "| on | %.3f | %d | %s; %s |\n", a * 1000, n, b, c }'
	echo
	echo "H on / H off: $(awk -v a="$on" -v b="$off" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')" \
		"(each run's, of its medians: $(for ((r = 0; r < runs; r++)); do
			awk -v r="$r" '$1 == r && $2 == "off" && NF == 5 { print $3 }' "$f" | med
			awk -v r="$r" '$1 == r && $2 == "on" && NF == 5 { print $3 }' "$f" | med
		done | paste - - | awk '{ if ($1 + 0 > 0) printf "%s%.3f", (k++ ? " " : ""), $2 / $1 }')); goal: at most 1.10"
	echo
	echo "(every block: $out/threads-blocks.txt, \"run mode cpu_s_per_refresh lines_median lines_fewest\")"
	local blocks; blocks=$(awk 'NF == 5' "$f" | wc -l)
	[ "$blocks" != $((runs * 2 * threads_pairs)) ] &&
		echo && echo "$((runs * 2 * threads_pairs - blocks)) of $((runs * 2 * threads_pairs)) blocks failed (see stderr): left out."
	mv -f "$f" "$out/threads-blocks.txt"
}

# ---- the CPU column against top --------------------------------------------
# bench/duty starts one process per load of CPUCOL_LOADS (percent of one
# core: 100 50 0 by default); in each run, at once, forktop --batch --json
# --delay 1000 -n CPUCOL_FRAMES --pid (their parent) and top -b -d 1 -n
# CPUCOL_FRAMES -p (their PIDs), top with its defaults (a HOME without a
# toprc: Irix mode, 100% = one core). forktop's first frame has no CPU yet
# (null) and top's first is since boot: both are left out. Per process and
# run, the median of each; then the median of the runs.
cpucol_loads=${CPUCOL_LOADS:-100 50 0}
cpucol_frames=${CPUCOL_FRAMES:-21}
duty_pid= cpucol_top= cpucol_ft= cpucol_dir="$out/.cpucol.$$"

# the loads, until duty_stop (lifeline: fd 6)
# shellcheck disable=SC2086
duty_start() { lifeline_start duty 6 "$bin/duty" $cpucol_loads; }
duty_stop() { lifeline_stop duty 6; }

# ns_of PIDS (comma-separated): "pid ns_on_cpu" a process, and "now ns" (monotonic).
ns_of() {
	local p
	for p in ${1//,/ }; do echo "$p $(cut -d' ' -f1 /proc/"$p"/schedstat)"; done
	echo "now $(awk '{ printf "%.0f\n", $1 * 1e9 }' /proc/uptime)"
}

# cpucol_run PIDS (comma-separated): one line a process, "pid forktop_median
# top_median frames_forktop frames_top actual forktop_mean top_mean", actual:
# its share of a core over the whole run (schedstat), the truth both watchers
# sample. The means of a watcher's samples telescope to its whole window, so
# they differ only by the windows' few ms; the medians also differ by where
# in each second the two sample a load that the machine's noise makes uneven.
cpucol_run() {
	rm -rf "$cpucol_dir" && mkdir -p "$cpucol_dir/home"
	ns_of "$1" >"$cpucol_dir/ns0"
	HOME=$(pwd)/$cpucol_dir/home XDG_CONFIG_HOME=$(pwd)/$cpucol_dir/home \
		top -b -d 1 -n "$cpucol_frames" -w 512 -p "$1" >"$cpucol_dir/top" 5>&- 6>&- 7>&- &
	cpucol_top=$!
	"$forktop" --batch --json --delay 1000 -n "$cpucol_frames" --pid "$duty_pid" >"$cpucol_dir/ft" 5>&- 6>&- 7>&- &
	cpucol_ft=$!
	wait "$cpucol_top" "$cpucol_ft"
	cpucol_top= cpucol_ft=
	ns_of "$1" >"$cpucol_dir/ns1"
	python3 - "$cpucol_dir/ft" "$cpucol_dir/top" "$1" "$cpucol_dir/ns0" "$cpucol_dir/ns1" <<'PY'
import json, statistics, sys
ft_path, top_path, pids = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3].split(",")]
ns0, ns1 = ({w[0]: int(w[1]) for w in (l.split() for l in open(a))} for a in sys.argv[4:6])
ft = {p: [] for p in pids}
with open(ft_path) as f:
    for line in f:
        o = json.loads(line)
        if o.get("type") != "frame":
            continue
        for p in o.get("processes", []):
            if p["pid"] in ft and p.get("cpu") is not None:
                ft[p["pid"]].append(p["cpu"])
top = {p: [] for p in pids}
iteration, col = 0, None
with open(top_path) as f:
    for line in f:
        w = line.split()
        if line.startswith("top - "):
            iteration += 1
        elif w and w[0] == "PID" and "%CPU" in w:
            col = w.index("%CPU")
        elif iteration > 1 and col is not None and w and w[0].isdigit() and int(w[0]) in top:
            top[int(w[0])].append(float(w[col].replace(",", ".")))
for p in pids:
    med = lambda v: "%.2f" % statistics.median(v) if v else "n/a"
    mean = lambda v: "%.2f" % statistics.mean(v) if v else "n/a"
    actual = 100 * (ns1[str(p)] - ns0[str(p)]) / (ns1["now"] - ns0["now"])
    print(p, med(ft[p]), med(top[p]), len(ft[p]), len(top[p]), "%.2f" % actual, mean(ft[p]), mean(top[p]))
PY
	rm -rf "$cpucol_dir"
}

parts_cleanup() {
	for p in $cpucol_top $cpucol_ft; do kill -TERM "$p" 2>/dev/null; done
	tmux -L "$sock" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	exec 5>&- 6>&- 7>&-
	wait 2>/dev/null
	rm -rf "$cpucol_dir" "$out/.threaded.out" "$out/.duty.out" "$out/.shown.$$" "$out/.threads.$$" \
		"$out/.cpucol-runs.$$"
}

cpucol_report() {
	local f=$out/.cpucol-runs.$$ pids loads r
	: >"$f"
	duty_start
	pids=$(cut -d' ' -f2- "$out/.duty.out" | tr ' ' ,)
	read -ra loads <<<"$cpucol_loads"
	sleep 1
	for ((r = 0; r < runs; r++)); do cpucol_run "$pids" >>"$f"; done
	duty_stop
	echo
	echo "## The CPU column against top"
	echo
	echo "\`bench/duty $cpucol_loads\` (one process per load, percent of one core, 10 ms periods), watched at once by \`forktop --batch --json --delay 1000 -n $cpucol_frames --pid PARENT\` (\"cpu\") and \`top -b -d 1 -n $cpucol_frames -p PIDS\` (%CPU), the first frame of each left out: the median of each process's $((cpucol_frames - 1)) seconds, then the median of $runs runs (and, as a check that does not depend on where in each second the two sample, the median of the runs' means):"
	echo
	echo "| load | forktop cpu | top %CPU | forktop - top | means: forktop, top | its share of a core over the run (schedstat) |"
	echo "| --- | --- | --- | --- | --- | --- |"
	local i=0 worst=0 p
	for p in ${pids//,/ }; do
		local a b d
		a=$(awk -v p="$p" '$1 == p { print $2 }' "$f" | med)
		b=$(awk -v p="$p" '$1 == p { print $3 }' "$f" | med)
		d=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else printf "%+.2f\n", a - b }')
		worst=$(awk -v w="$worst" -v d="$d" 'BEGIN { if (d != "n/a" && d < 0) d = -d; print (d == "n/a" || d + 0 <= w) ? w : sprintf("%.2f", d) }')
		echo "| ${loads[$i]}% | $a | $b | $d | $(awk -v p="$p" '$1 == p { print $7 }' "$f" | med), $(awk -v p="$p" '$1 == p { print $8 }' "$f" | med) | $(awk -v p="$p" '$1 == p { print $6 }' "$f" | med) |"
		i=$((i + 1))
	done
	echo
	echo "Largest difference: $worst points; goal: at most 2."
	[ "$(awk 'NF == 8 && ($4 < '"$((cpucol_frames - 2))"' || $5 < '"$((cpucol_frames - 2))"')' "$f" | wc -l)" != 0 ] &&
		echo "(some runs had fewer than $((cpucol_frames - 2)) samples of a process from forktop or top)"
	rm -f "$f"
}

threads_cpucol_report() {
	trap parts_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	[ "$threads" = yes ] && threads_report
	[ "$cpucol" = yes ] && cpucol_report
	trap - EXIT
	parts_cleanup
}

# ---- the storm -------------------------------------------------------------
# bench/storm forks storm_rate children a second for storm_seconds; each exits
# at once with code 3 (storm_code), and the storm writes how many it forked
# and their PIDs when it is over, then lingers 3 s so that the watcher is
# still there to be measured. A watcher's CPU seconds are its own (utime +
# stime of /proc/PID/stat, never its children's) from just before the storm
# to 1.5 s after its last child was reaped.
storm_code=3
storm_dir="$out/.storm.$$"
storm_ft= storm_stamp= storm_fs=

storm_cleanup() {
	for p in $storm_ft $storm_fs; do kill -TERM "$p" 2>/dev/null; done
	[ -n "$storm_stamp" ] && kill -TERM "$storm_stamp" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$storm_dir"
}

# pct P: the P-th percentile (nearest rank) of the numbers on stdin; n/a for none.
pct() { sort -g | awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) { print "n/a"; exit } i = int(NR * p / 100); if (i < NR * p / 100) i++; if (i < 1) i = 1; print v[i] }'; }
# med: the median of the numbers on stdin, n/a when there are none (a run that crashed gives none).
med() { local v; v=$(grep -E '^-?[0-9.]+$'); if [ -n "$v" ]; then echo "$v" | median; else echo n/a; fi; }

# storm_wait_report PID SECONDS: until the storm wrote its report, or its watcher
# PID ended (the storm then ends too), or far too long; then 1.5 s more.
storm_wait_report() {
	local deadline=$((SECONDS + $2 + 60))
	while [ ! -s "$storm_dir/report" ] && [ $SECONDS -lt $deadline ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.05
	done
	for ((i = 0; i < 40; i++)); do [ -s "$storm_dir/report" ] && break; sleep 0.05; done
	sleep 1.5
}
storm_forked() { awk '{ print $2 } END { if (!NR) print 0 }' "$storm_dir/report" 2>/dev/null || echo 0; }

# storm_forktop SOURCE DELAY RATE SECONDS: one run of forktop --json --events
# SOURCE --delay DELAY -- storm RATE SECONDS; its stdout, each line stamped
# with the moment it was read, goes through bench/exits. Prints one line:
#   status forked reported by_event cpu lost events lat_p50 lat_p95 - of timed
# status: forktop's exit status (128 + N when signal N ended it); of: the
# children the share is taken of, those forked, or when forktop failed (the
# storm then ends with it), those the whole storm would have forked; timed:
# the exits the latencies are of.
storm_forktop() {
	local source=$1 delay=$2 rate=$3 seconds=$4 cpu status
	rm -rf "$storm_dir" && mkdir -p "$storm_dir" && mkfifo "$storm_dir/fifo"
	"$bin/stamp" <"$storm_dir/fifo" >"$storm_dir/out" &
	storm_stamp=$!
	"$forktop" --json --events "$source" --delay "$delay" -- "$bin/storm" -x "$storm_code" \
		-o "$(pwd)/$storm_dir/report" -p "$(pwd)/$storm_dir/pids" -l 3 "$rate" "$seconds" \
		>"$storm_dir/fifo" 2>"$storm_dir/err" &
	storm_ft=$!
	storm_wait_report "$storm_ft" "$seconds"
	cpu=$(proc_cpu "$storm_ft" 2>/dev/null)
	for ((i = 0; i < 600; i++)); do kill -0 "$storm_ft" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$storm_ft" 2>/dev/null && { echo "bench: forktop did not end with the storm" >&2; kill -TERM "$storm_ft"; }
	wait "$storm_ft"
	status=$?
	wait "$storm_stamp"
	storm_ft= storm_stamp=
	"$bin/exits" "$storm_code" "$storm_dir/lat" <"$storm_dir/out" >"$storm_dir/counts"
	c() { awk -v k="$1" '$1 == k && NF > 1 { v = $2 } END { print v == "" ? "n/a" : v }' "$storm_dir/counts"; }
	local forked of
	forked=$(storm_forked) of=$forked
	[ "$status" != 0 ] && [ "$forked" -lt $((rate * seconds)) ] && of=$((rate * seconds))
	echo "$status $forked $(c reported) $(c by_event) ${cpu:-n/a} $(c lost) $(c events)" \
		"$(awk '$1 == "kernel" { print $2 }' "$storm_dir/lat" | pct 50)" \
		"$(awk '$1 == "kernel" { print $2 }' "$storm_dir/lat" | pct 95)" \
		"- $of" \
		"$(awk '$1 == "kernel"' "$storm_dir/lat" | wc -l)"
	[ -s "$storm_dir/err" ] && sed 's/^/bench: forktop said: /' "$storm_dir/err" | head -3 >&2
	rm -rf "$storm_dir"
}

# storm_forkstat: one run of the same storm watched by forkstat -e exit. Prints
#   status forked reported cpu
# reported: exits of the storm's children (by PID, exit status 3 << 8) among
# forkstat's lines, each PID counted at most as often as the storm forked it.
storm_forkstat() {
	local cpu0 cpu1 status
	rm -rf "$storm_dir" && mkdir -p "$storm_dir"
	"$forkstat" -e exit -l -c >"$storm_dir/fs" 2>&1 &
	storm_fs=$!
	for ((i = 0; i < 200; i++)); do grep -q '^Time' "$storm_dir/fs" && break; sleep 0.05; done
	sleep 0.2
	cpu0=$(proc_cpu "$storm_fs" 2>/dev/null)
	"$bin/storm" -x "$storm_code" -o "$storm_dir/report" -p "$storm_dir/pids" "$storm_rate" "$storm_seconds" >/dev/null &
	local storm_pid=$!
	storm_wait_report "$storm_pid" "$storm_seconds"
	wait "$storm_pid"
	cpu1=$(proc_cpu "$storm_fs" 2>/dev/null)
	kill -INT "$storm_fs" 2>/dev/null
	wait "$storm_fs"
	status=$?
	storm_fs=
	echo "$status $(storm_forked)" \
		"$(awk -v st=$((storm_code * 256)) 'NR == FNR { n[$1]++; next }
			$2 == "exit" && $4 == st && ($3 in n) { m[$3]++ }
			END { for (p in m) s += m[p] < n[p] ? m[p] : n[p]; print s + 0 }' "$storm_dir/pids" "$storm_dir/fs")" \
		"$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.2f\n", b - a }')"
	rm -rf "$storm_dir"
}

# f1: the number on stdin with one decimal (n/a stays)
f1() { awk '{ if ($1 == "n/a") print; else printf "%.1f\n", $1 }'; }

# share FORKED REPORTED: percent, one decimal
share() { awk -v f="$1" -v r="$2" 'BEGIN { if (f > 0 && r != "") printf "%.1f\n", 100 * r / f; else print "n/a" }'; }

# storm_summary FILE: the runs' lines of storm_forktop: "crashes share_median share_min cpu lost events p50 p95 - timed"
storm_summary() {
	local f=$1 col
	col() { awk -v c="$1" '{ print $c }' "$f"; }
	echo "$(awk '$1 != 0' "$f" | wc -l)" \
		"$(awk '{ print $11, $3 }' "$f" | while read -r a b; do share "$a" "$b"; done | med)" \
		"$(awk '{ print $11, $3 }' "$f" | while read -r a b; do share "$a" "$b"; done | sort -g | head -1)" \
		"$(col 5 | med | awk '{ if ($1 == "n/a") print; else printf "%.2f\n", $1 }')" "$(col 6 | med)" "$(col 7 | sort | uniq | paste -sd/)" \
		"$(col 8 | med | f1)" "$(col 9 | med | f1)" "$(col 10 | med | f1)" "$(col 12 | med)"
}

# the status of the runs that failed, as words: "forktop killed by signal 11 in 3 of 3 runs"
# (the share of such a run is taken of the whole storm it would have forked).
storm_failures() {
	awk -v n="$runs" '$1 != 0 { c[$1]++ } END { for (s in c) { printf "%sforktop %s in %d of %d runs", sep, (s > 128 ? "killed by signal " s - 128 : "ended with status " s), c[s], n; sep = "; " } }' "$1"
}

storm_report() {
	trap storm_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	local k=$out/.storm-kernel.$$ p=$out/.storm-polling.$$ s=$out/.storm-forkstat.$$ l=$out/.storm-lat.$$ ll=$out/.storm-light.$$
	: >"$k"; : >"$p"; : >"$s"; : >"$l"; : >"$ll"
	local have_forkstat=yes
	command -v "$forkstat" >/dev/null || have_forkstat=no
	for ((r = 0; r < runs; r++)); do
		storm_forktop kernel 1000 "$storm_rate" "$storm_seconds" >>"$k"
		storm_forktop polling 1000 "$storm_rate" "$storm_seconds" >>"$p"
		[ "$have_forkstat" = yes ] && storm_forkstat >>"$s"
		storm_forktop kernel 10 "$storm_rate" "$latency_seconds" >>"$l"
		storm_forktop kernel 10 "$latency_rate" "$latency_seconds" >>"$ll"
	done
	read -r kc ks kmin kcpu klost kev kp50 kp95 _ kn < <(storm_summary "$k")
	read -r pc ps pmin pcpu plost pev _ _ _ _ < <(storm_summary "$p")
	read -r lc _ _ _ _ _ lp50 lp95 _ ln < <(storm_summary "$l")
	read -r llc _ _ _ _ _ llp50 llp95 _ lln < <(storm_summary "$ll")
	echo
	echo "## Storm: $storm_rate short-lived children a second for $storm_seconds s"
	echo
	echo "\`bench/storm -x $storm_code $storm_rate $storm_seconds\`: each child exits at once with code $storm_code."
	echo "Forks achieved (median): $(awk '{ print $2 }' "$k" | med) under forktop (kernel), $(awk '{ print $2 }' "$p" | med) under forktop (polling)."
	echo
	echo "Children reported with their exit code (an \`exited\` event or a frame with exit $storm_code; median and lowest of the runs), and the watcher's own CPU seconds from the storm's start to 1.5 s after its end:"
	echo
	echo "| watcher | reported, median | lowest | CPU s | |"
	echo "| --- | --- | --- | --- | --- |"
	echo "| \`forktop --json --events kernel -- storm\` | $ks% | $kmin% | $kcpu | frames say events: $kev; events_lost: $klost$([ "$kc" != 0 ] && echo "; $(storm_failures "$k")") |"
	echo "| \`forktop --json --events polling -- storm\` | $ps% | $pmin% | $pcpu | frames say events: $pev$([ "$pc" != 0 ] && echo "; $(storm_failures "$p")") |"
	if [ "$have_forkstat" = yes ]; then
		local fs fsmin fscpu
		fs=$(awk '{ print $2, $3 }' "$s" | while read -r a b; do share "$a" "$b"; done | med)
		fsmin=$(awk '{ print $2, $3 }' "$s" | while read -r a b; do share "$a" "$b"; done | sort -g | head -1)
		fscpu=$(awk '{ print $4 }' "$s" | med)
		echo "| \`forkstat -e exit\` (every process on the machine) | $fs% | $fsmin% | $fscpu | |"
		echo
		echo "forktop (kernel) / forkstat CPU: $(awk -v a="$kcpu" -v b="$fscpu" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }')"
	else
		echo
		echo "forkstat is not installed (tools/install-deps installs it): its row and the CPU comparison are left out."
	fi
	echo
	echo "Latency of an exit, kernel source, \`--json\` (which writes each event as it comes, between frames): from the kernel's timestamp of the exit (the \`exited\` event's \`time\`) to the moment its line was read from forktop's stdout (bench/stamp), ms:"
	echo
	echo "| storm | frames every | exits timed (median) | median | 95th percentile | |"
	echo "| --- | --- | --- | --- | --- | --- |"
	echo "| $storm_rate/s, $storm_seconds s (the runs above) | 1000 ms (default) | $kn | $kp50 | $kp95 | $([ "$kc" != 0 ] && echo "$(storm_failures "$k"): the exits before the crash") |"
	echo "| $storm_rate/s, $latency_seconds s | 10 ms (the least) | $ln | $lp50 | $lp95 | $([ "$lc" != 0 ] && echo "$(storm_failures "$l"): the exits before the crash") |"
	echo "| $latency_rate/s, $latency_seconds s | 10 ms (the least) | $lln | $llp50 | $llp95 | $([ "$llc" != 0 ] && echo "$(storm_failures "$ll"): the exits before the crash") |"
	rm -f "$k" "$p" "$s" "$l" "$ll"
}

{
echo "# forktop benchmarks"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r); $(date -u +%Y-%m-%d); medians of $runs runs"
echo "base processes: $(ls -d /proc/[0-9]* | wc -l)"
if [ ${#sizes[@]} -gt 0 ]; then
echo
echo "## Latency (default lab, 1 s refresh, in tmux)"
echo
echo "| what | ms |"
echo "| --- | --- |"
echo "| X (kill main) to the orphans under their new parent | $(latency X 'Process-4 +orphan: was under') |"
echo "| k (SIGKILL to Process-4) to its exit code on screen | $(latency k ' Z no +-9 .*Process-4') |"
echo
echo "## Lab view, CPU seconds per refresh"
echo
echo "| extra processes | forktop (lab view) |"
echo "| --- | --- |"
echo "| 0 | $(lab_refresh) |"
for n in "${sizes[@]}"; do
	forest_start "$n"
	echo "| $n | $(lab_refresh) |"
	forest_stop
done
for n in "${sizes[@]}"; do
	forest_start "$n"
	echo
	echo "## $n extra processes ($(ls -d /proc/[0-9]* | wc -l) in all)"
	echo
	echo "One full-system tree frame (CPU seconds, peak RSS KiB; medians of $one_shot_runs rounds, programs interleaved):"
	echo
	echo "| program | CPU s | peak RSS KiB | forktop / this |"
	echo "| --- | --- | --- | --- |"
	one_shots >"$out/.frame"
	val() { awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$out/.frame"; }
	ratio() { awk -v a="$(val forktop 2)" -v b="$(val "$1" 2)" 'BEGIN { printf "%.2f", a / b }'; }
	printf '| `forktop --batch --all --no-lab -n 1` | %s | %s | |\n' "$(val forktop 2)" "$(val forktop 3)"
	printf '| `ps -e --forest -o pid,ppid,stat,comm` | %s | %s | %s |\n' "$(val ps 2)" "$(val ps 3)" "$(ratio ps)"
	printf '| `pstree -p` | %s | %s | %s |\n' "$(val pstree 2)" "$(val pstree 3)" "$(ratio pstree)"
	printf '| libproc2 bare reap (floor) | %s | %s | %s |\n' "$(val proc2 2)" "$(val proc2 3)" "$(ratio proc2)"
	printf '| raw /proc/PID/stat read (floor) | %s | %s | %s |\n' "$(val raw 2)" "$(val raw 3)" "$(ratio raw)"
	rm -f "$out/.frame"
	echo
	echo "Interactive, all processes as a tree, 0.5 s refresh, ${tui_seconds} s in tmux (CPU seconds per refresh, peak RSS KiB):"
	echo
	echo "| program | CPU s per refresh | peak RSS KiB |"
	echo "| --- | --- | --- |"
	tui_run forktop "$forktop --no-lab --delay 500" >"$out/.tui"
	tui_run htop "htop -t -d 5" >>"$out/.tui"
	awk '$1 == "forktop" { f = $2; fr = $3 } $1 == "htop" { h = $2; hr = $3 }
	     END { printf "| `forktop --no-lab --delay 500` | %s | %s |\n| `htop -t -d 5` | %s | %s |\n\nforktop / htop: %.2f CPU per refresh, %.2f peak RSS\n", f, fr, h, hr, f / h, fr / hr }' "$out/.tui"
	rm -f "$out/.tui"
	forest_stop
done
fi
[ "$threads" = yes ] || [ "$cpucol" = yes ] && threads_cpucol_report
[ "$storm" = yes ] && storm_report
[ "$record" = yes ] && record_report
} | tee "$out/latest.txt"
