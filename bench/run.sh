#!/usr/bin/env bash
# forktop's benchmarks, side by side with its peers in one run on one machine:
#   bench/run.sh [SIZES...]        (default sizes: 1000 10000 extra processes)
# Each figure is the median of RUNS runs (default 5). Results go to stdout
# as a Markdown table and to bench/results/latest.txt. Needs htop, ps,
# pstree and tmux. Every process it starts is ended on exit.
set -u
cd "$(dirname "$0")/.."
bin=${BENCH_BIN:-bench}
forktop=${FORKTOP:-./forktop}
runs=${RUNS:-5}
tui_seconds=${TUI_SECONDS:-30}
sizes=("${@:-1000 10000}")
[ $# -eq 0 ] && sizes=(1000 10000)
hz=$(getconf CLK_TCK)
sock="forktop-bench-$$"
out=bench/results
mkdir -p "$out"
forest_pid=

for tool in htop ps pstree tmux; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install htop procps psmisc tmux)"; exit 2; }
done

cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	[ -n "$forest_pid" ] && kill "$forest_pid" 2>/dev/null
	exec 7>&- 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT

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

{
echo "# forktop benchmarks"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r); $(date -u +%Y-%m-%d); medians of $runs runs"
echo "base processes: $(ls -d /proc/[0-9]* | wc -l)"
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
} | tee "$out/latest.txt"
