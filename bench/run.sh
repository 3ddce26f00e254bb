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

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

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

# one_shot NAME COMMAND...: the median CPU seconds and peak RSS of RUNS runs.
one_shot() {
	local name=$1 cpu=() rss=()
	shift
	for ((r = 0; r < runs; r++)); do
		read -r c m < <(cpu_of "$@")
		cpu+=("$c"); rss+=("$m")
	done
	printf '%s %s %s\n' "$name" "$(printf '%s\n' "${cpu[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median)"
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
	echo "One full-system tree frame (CPU seconds, peak RSS KiB):"
	echo
	echo "| program | CPU s | peak RSS KiB |"
	echo "| --- | --- | --- |"
	one_shot "forktop --batch --all --no-lab -n 1" "$forktop" --batch --all --no-lab --iterations 1 | awk '{ printf "| `%s` | %s | %s |\n", $1" "$2" "$3" "$4" "$5" "$6, $7, $8 }'
	one_shot "ps" ps -e --forest -o pid,ppid,stat,comm | awk '{ printf "| `ps -e --forest -o pid,ppid,stat,comm` | %s | %s |\n", $2, $3 }'
	one_shot "pstree" pstree -p | awk '{ printf "| `pstree -p` | %s | %s |\n", $2, $3 }'
	one_shot "proc2" "$bin/floor_proc2" | awk '{ printf "| libproc2 bare reap (floor) | %s | %s |\n", $2, $3 }'
	one_shot "raw" "$bin/floor_raw" | awk '{ printf "| raw /proc/PID/stat read (floor) | %s | %s |\n", $2, $3 }'
	echo
	echo "Interactive, all processes as a tree, 0.5 s refresh, ${tui_seconds} s in tmux (CPU seconds per refresh, peak RSS KiB):"
	echo
	echo "| program | CPU s per refresh | peak RSS KiB |"
	echo "| --- | --- | --- |"
	tui_run forktop "$forktop --no-lab --delay 500" | awk '{ printf "| `forktop --no-lab --delay 500` | %s | %s |\n", $2, $3 }'
	tui_run htop "htop -t -d 5" | awk '{ printf "| `htop -t -d 5` | %s | %s |\n", $2, $3 }'
	forest_stop
done
} | tee "$out/latest.txt"
