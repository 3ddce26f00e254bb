#!/usr/bin/env bash
# forktop's benchmarks, side by side with its peers in one run on one machine:
#   bench/run.sh [SIZES...] [storm]
# SIZES are numbers of extra processes (default 1000 10000); storm is the fork
# storm (1,000 short-lived children a second, STORM_SECONDS long) under
# forktop's two event sources and forkstat. Without arguments, all of them;
# `bench/run.sh storm` runs the storm alone. Each figure is the median of RUNS
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
sizes=() storm=no
for arg in "$@"; do
	case $arg in
	storm) storm=yes ;;
	*[!0-9]* | '') echo "usage: bench/run.sh [SIZES...] [storm]"; exit 2 ;;
	*) sizes+=("$arg") ;;
	esac
done
[ $# -eq 0 ] && sizes=(1000 10000) storm=yes
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
#   status forked reported by_event cpu lost events lat_p50 lat_p95 scan_to_read_p50 of timed
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
		"$(awk '$1 == "kernel" { print $2 - $3 }' "$storm_dir/lat" | pct 50) $of" \
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

# storm_summary FILE: the runs' lines of storm_forktop: "crashes share_median share_min cpu lost events p50 p95 scan timed"
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
	read -r kc ks kmin kcpu klost kev kp50 kp95 kscan kn < <(storm_summary "$k")
	read -r pc ps pmin pcpu plost pev _ _ _ _ < <(storm_summary "$p")
	read -r lc _ _ _ _ _ lp50 lp95 lscan ln < <(storm_summary "$l")
	read -r llc _ _ _ _ _ llp50 llp95 llscan lln < <(storm_summary "$ll")
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
	echo "Latency of an exit, kernel source, \`--json\`: from the kernel's timestamp of the exit (the \`exited\` event's \`time\`) to the moment its line was read from forktop's stdout (bench/stamp), ms; and, of that, from the scan of the frame it came with (the frame's \`time\`) to the line read:"
	echo
	echo "| storm | frames every | exits timed (median) | median | 95th percentile | frame's scan to line read, median | |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	echo "| $storm_rate/s, $storm_seconds s (the runs above) | 1000 ms (default) | $kn | $kp50 | $kp95 | $kscan | $([ "$kc" != 0 ] && echo "$(storm_failures "$k"): the exits before the crash") |"
	echo "| $storm_rate/s, $latency_seconds s | 10 ms (the least) | $ln | $lp50 | $lp95 | $lscan | $([ "$lc" != 0 ] && echo "$(storm_failures "$l"): the exits before the crash") |"
	echo "| $latency_rate/s, $latency_seconds s | 10 ms (the least) | $lln | $llp50 | $llp95 | $llscan | $([ "$llc" != 0 ] && echo "$(storm_failures "$ll"): the exits before the crash") |"
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
[ "$storm" = yes ] && storm_report
} | tee "$out/latest.txt"
