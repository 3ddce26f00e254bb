#!/usr/bin/env bash
# What watching a hooked Python program costs forktop itself:
#   bench/hookwatch.sh [N] [FORKTOP...]
# A program starts and joins N processes (default 2000) one after another
# (multiprocessing, fork), under `forktop -b -j -- python3 PROG N`. Each
# FORKTOP given (default ./forktop; give another build to compare, such as
# one from before a change) runs it with the Python hook and with
# --no-python-hook, all interleaved, RUNS times (default 5). Printed: the
# median of forktop's own CPU seconds (user + system, read from
# /proc/PID/stat until it ends: the program's time is not in it) and of
# the events it logged. PYTHON names the interpreter (default python3).
set -u
cd "$(dirname "$0")/.." || exit 2
n=${1:-2000}
shift $(($# > 0 ? 1 : 0))
builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=(./forktop)
runs=${RUNS:-5}
python=${PYTHON:-python3}
hz=$(getconf CLK_TCK)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/prog.py" <<'EOF'
import multiprocessing as mp
import sys

if __name__ == '__main__':
    mp.set_start_method('fork')
    for _ in range(int(sys.argv[1])):
        p = mp.Process(target=int)
        p.start()
        p.join()
EOF

# one FORKTOP [OPTION]: forktop's own CPU ticks and its events, one run.
one() {
	local forktop=$1 ticks=0 t pid
	shift
	"$forktop" -b -j -d 1000 "$@" -- "$python" "$tmp/prog.py" "$n" >"$tmp/out" 2>/dev/null &
	pid=$!
	pids+=("$pid")
	# its counters stay readable while it is a zombie, until this shell waits
	for ((i = 0; i < 36000; i++)); do
		t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || break
		[ -n "$t" ] && ticks=$t
		[ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
		sleep 0.05
	done
	wait "$pid"
	echo "$ticks $(grep -c '"type":"event"' "$tmp/out")"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for ((r = 0; r < runs; r++)); do
	for b in "${!builds[@]}"; do
		echo "$b hook $(one "${builds[$b]}")" >>"$tmp/runs"
		echo "$b plain $(one "${builds[$b]}" --no-python-hook)" >>"$tmp/runs"
	done
done
echo "$n processes started and joined, $runs runs, medians; $($python --version 2>&1)"
for b in "${!builds[@]}"; do
	for mode in hook plain; do
		ticks=$(awk -v b="$b" -v m="$mode" '$1 == b && $2 == m { print $3 }' "$tmp/runs" | median)
		events=$(awk -v b="$b" -v m="$mode" '$1 == b && $2 == m { print $4 }' "$tmp/runs" | median)
		awk -v f="${builds[$b]}" -v m="$mode" -v t="$ticks" -v hz="$hz" -v n="$n" -v e="$events" \
			'BEGIN { printf "%s %-5s forktop CPU %.2f s (%.0f us a process), %s events\n", f, m, t / hz, t / hz / n * 1e6, e }'
	done
done
