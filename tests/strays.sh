#!/usr/bin/env bash
# No stray process, whatever happens to forktop: the interactive forktop is
# ended in every way (q, Ctrl-C, SIGTERM, SIGHUP, SIGKILL, a crash) after
# every kind of lab state (main alive; main killed, its orphans under PID 1;
# a stubborn daemon blocking main in join(); the forkserver shape; the lab
# in a PID namespace of its own, with MainProcess as its PID 1 or forktop's
# init in front of it), and two
# seconds later not one process of the lab's process group may still run.
# A run fails, too, when its state is not reached or its lab is not found:
# the case it names would not have been tested.
# STRAY_REPS sets the repetitions of the whole matrix (make check: 1).
set -u
forktop=${FORKTOP:-./forktop}
reps=${STRAY_REPS:-1}
sock=
. "$(dirname "$0")/tmux-lib.sh"
use_server "forktop-strays-$$"
tmp=$(mktemp -d)
runs=0 survivors=0 inits=0 # inits: runs whose init's group is checked too
pending=() # "due-ms pgid label" of ended monitors still to be checked
monitors=()
ulimit -c 0 # the crash case must not leave core files

now_ms() { date +%s%3N; }

cleanup() {
	kill_servers
	for p in "${monitors[@]}"; do running "$p" && kill -KILL "$p" 2>/dev/null; done
	for entry in "${pending[@]}"; do
		set -- $entry
		pkill -KILL -g "$2"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# The processes of process group pgid that still run (zombies are not running).
live_in_group() {
	ps -e -o pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'
}

# Checks every ended monitor whose two seconds are up.
check_due() {
	local still=() entry t
	t=$(now_ms)
	for entry in "${pending[@]}"; do
		set -- $entry
		if [ "$t" -lt "$1" ]; then
			still+=("$entry")
			continue
		fi
		left=$(live_in_group "$2" | wc -l)
		if [ "$left" -eq 0 ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			survivors=$((survivors + left))
			echo "FAIL $3: $left lab processes of group $2 still run 2 s after forktop ended:"
			ps -o pid,ppid,stat,args -g "$2" | sed 's/^/| /'
			pkill -KILL -g "$2"
		fi
	done
	pending=("${still[@]}")
}

# wait_in WINDOW PATTERN [SECONDS]: poll that window's pane for an extended
# regex, checking the ended monitors that are due meanwhile.
wait_in() {
	local limit=$((${3:-5} * 10)) i
	for ((i = 0; i < limit; i++)); do
		T capture-pane -p -t "$1" 2>/dev/null | grep -qE -- "$2" && return 0
		check_due
		sleep 0.1
	done
	return 1
}

# miss LABEL WHAT: a run that failed before its ending could be checked:
# counted, shown, and everything it started killed at once.
miss() {
	fail=$((fail + 1))
	echo "FAIL $1: $2"
	T capture-pane -p -t "$win" 2>/dev/null | sed 's/^/| /'
	[ -n "$monitor" ] && running "$monitor" && kill -KILL "$monitor"
	[ -n "$pgid" ] && pkill -KILL -g "$pgid"
	T kill-window -t "$win" 2>/dev/null
}

# One run: forktop in a new window, brought to a lab state, then ended.
run() { # state ending
	local state=$1 ending=$2 win="r$runs" args="" monitor= main= pgid= init= parent i
	runs=$((runs + 1))
	case $state in
	stubborn) args="--scenario stubborn" ;;
	forkserver) args="--start-method forkserver" ;;
	namespace) args="--pid-namespace" ;;
	nsinit) args="--init forktop" ;;
	esac
	T new-window -d -n "$win" "exec $forktop $args"
	if ! wait_in "$win" 'Process-3:1|Process-3 ' 5; then
		miss "$state/$ending" "the lab never appeared"
		return
	fi
	monitor=$(T list-panes -t "$win" -F '#{pane_pid}')
	monitors+=("$monitor")
	parent=$monitor
	if [ "$state" = nsinit ]; then # forktop's init leads a group of its own
		init=$(pgrep -P "$monitor" -x forktop-init | head -1)
		parent=${init:-none}
	fi
	main=$(pgrep -P "$parent" -x MainProcess | head -1)
	[ -n "$main" ] && pgid=$(ps -o pgid= -p "$main" | tr -d ' ')
	if [ -z "$main" ] || [ "$pgid" != "$main" ]; then # main leads the lab's group
		miss "$state/$ending" "no MainProcess under $parent leading the lab's process group ('$main', '$pgid')"
		return
	fi
	case $state in
	alive) running "$main" ;;
	orphans) T send-keys -t "$win" X && wait_in "$win" 'orphan: was under' 5 && ! running "$main" ;;
	stubborn) T send-keys -t "$win" E && wait_in "$win" 'blocked in join' 5 ;;
	forkserver) wait_in "$win" '─forkserver' 5 ;;
	namespace) wait_in "$win" 'MainProcess +PID 1 of its namespace' 5 ;;
	nsinit) wait_in "$win" "init +forktop's init, PID 1" 5 ;;
	esac || {
		miss "$state/$ending" "the state was not reached"
		return
	}
	case $ending in
	q) T send-keys -t "$win" q ;;
	ctrl-c) T send-keys -t "$win" C-c ;;
	crash) kill -SEGV "$monitor" ;;
	*) kill -"$ending" "$monitor" ;;
	esac
	for ((i = 0; i < 50; i++)); do running "$monitor" || break; sleep 0.05; done
	if running "$monitor"; then
		miss "$state/$ending" "forktop ($monitor) still runs 2.5 s after it was ended"
		return
	fi
	pending+=("$(($(now_ms) + 2000)) $pgid $state/$ending")
	if [ -n "$init" ]; then
		pending+=("$(($(now_ms) + 2000)) $init $state/$ending(init)")
		inits=$((inits + 1))
	fi
	T kill-window -t "$win" 2>/dev/null
}

T new-session -d -x 120 -y 40 -n idle "sleep 100000"
for ((rep = 0; rep < reps; rep++)); do
	for state in alive orphans stubborn forkserver namespace nsinit; do
		for ending in q ctrl-c TERM HUP KILL crash; do
			run "$state" "$ending"
		done
	done
done
for ((i = 0; i < 40 && ${#pending[@]} > 0; i++)); do check_due; sleep 0.1; done
echo "strays: $runs runs ($reps of each of 36 cases), $pass with no lab process left, $fail failed, $survivors survivors"
[ "$fail" -eq 0 ] && [ "$pass" -eq "$((runs + inits))" ]
