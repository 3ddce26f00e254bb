#!/usr/bin/env bash
# The screen at the sizes terminals open at: the lab, the tour's first step,
# the help, the tree as it was (g) and a lesson, at 80x24, 100x30, 120x40 and
# 200x60. At each: no line wider than the pane (display width), every key-bar
# item whole, the tour's "Do:" line in view; and at the 40x10 minimum the
# tree still shows. Every tmux server and forktop this script starts is
# ended on exit, pass or fail.
set -u
forktop=${FORKTOP:-./forktop}
sock=
. "$(dirname "$0")/tmux-lib.sh"
monitors=()

cleanup() {
	for p in "${monitors[@]}"; do running "$p" && kill -KILL "$p" 2>/dev/null; done
	kill_servers
}
trap cleanup EXIT

sizes=("200 60" "120 40" "100 30" "80 24")

# start ARGS...: forktop in a fresh 200x60 server's shell.
start() {
	local p i
	[ -n "$sock" ] && T kill-server 2>/dev/null
	use_server "forktop-screen-$$-${#sockets[@]}"
	T new-session -d -x 200 -y 60 "bash --norc --noprofile"
	T send-keys "PS1='$ '; cd '$PWD'; $forktop $* ; echo FORKTOP-EXIT=\$?" Enter
	for ((i = 0; i < 50; i++)); do
		p=$(pgrep -P "$(T list-panes -F '#{pane_pid}' | head -1)" -x forktop | head -1)
		[ -n "$p" ] && monitors+=("$p") && break
		sleep 0.1
	done
	[ -n "$p" ] && wait_screen
}

# fits W H CHECK: the pane redrawn at W x H (its last line on the bottom
# row), no line wider than W, and CHECK (a command) holds; polled.
fits() {
	local w=$1 h=$2 check=$3 i
	for ((i = 0; i < 30; i++)); do
		if [ "$(T capture-pane -p -N | wc -l)" -eq "$h" ] && [ -n "$(pane | tail -n 1)" ] &&
			[ "$(pane | LC_ALL=C.UTF-8 wc -L)" -le "$w" ] && eval "$check"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

lab_ok() { keybar_whole >/dev/null && pane | grep -q '─Process-3:1' && pane | head -1 | grep -q '^forktop'; }
help_ok() { pane | head -1 | grep -q '^ forktop: keys' && pane | tail -n 1 | grep -qE '^lines [0-9]+-[0-9]+ of'; }
ghost_ok() { lab_ok && pane | grep -qE '\(as it was(\)|: [0-9]+-[0-9]+ of [0-9]+\))' && pane | grep -qE '─Process-1( |$)'; }
# The header: one line at 24 rows (the column header under it); from 30
# rows, two when the facts do not fit whole in one, the counts starting the
# second; every fact whole either way.
header_ok() {
	local h=$1
	lab_ok || return 1
	if [ "$h" -lt 30 ]; then
		pane | sed -n 2p | grep -q '^ *PID ' && pane | head -1 | grep -qE ' orphaned( |$)'
	else
		{ pane | sed -n 2p | grep -q '^ *PID ' && pane | head -1 | grep -q 'every 1.0s.*\[LIVE\]$'; } ||
			{ pane | sed -n 3p | grep -q '^ *PID ' && pane | head -1 | grep -qE '^forktop [0-9.]+ .*every 1.0s$' &&
				pane | sed -n 2p | grep -qE '^lab: [0-9]+ running, .*view: lab  \[LIVE\]$'; }
	fi
}
lesson_ok() { lab_ok && pane | grep -qE '── Lesson'; }
tour_ok() { keybar_whole >/dev/null && pane | grep -q '^ Do: ' && pane | grep -q '── Tour 1/'; }

# at NAME CHECK: CHECK at each size, from the largest down (CHECK may read
# the height, $h).
at() {
	local size w h
	for size in "${sizes[@]}"; do
		read -r w h <<<"$size"
		T resize-window -x "$w" -y "$h"
		fits "$w" "$h" "$2" && ok || bad "$1 at ${w}x$h"
	done
	T resize-window -x 200 -y 60
}

start
if wait_for 'Process-3:1' 5; then
	at lab lab_ok
	at header 'header_ok $h'
	T send-keys '?'
	wait_for '^ forktop: keys' 3 && at help help_ok
	T resize-window -x 80 -y 24
	wait_for '^ forktop: keys  \(version [0-9.]+, every 1.0s, view: lab\)' 3 && ok ||
		bad "help at 80x24: the facts a short header leaves out"
	T resize-window -x 200 -y 60
	T send-keys q
	wait_for 'Process-3:1' 3 && T send-keys g
	wait_for '\(as it was\)' 3 && at ghost ghost_ok
	T send-keys g
	wait_gone "\\(as it was\\)" 3 && T send-keys l
	wait_for '── Lesson' 3 && at lesson lesson_ok
	T resize-window -x 40 -y 10
	fits 40 10 "pane | grep -qE 'MainProcess|Process-'" && ok || bad "40x10: the tree shows"
	T resize-window -x 200 -y 60
	T send-keys q
	wait_for 'FORKTOP-EXIT=0' 5 && ok || bad "the lab: forktop ends with 0"
else
	bad "the lab: the tree never appeared"
fi

# The nested lab's tree as it was (14 rows) above the tree now at 80x24:
# it scrolls with the selection, so the last member shows in both.
start --scenario nested
if wait_for 'Process-3:2:1' 5; then
	T resize-window -x 80 -y 24
	T send-keys g
	if wait_for '\(as it was: 1-[0-9]+ of 1[0-9]\)' 3; then
		T send-keys End
		wait_for '\(as it was: [0-9]+-([0-9]+) of \1\)' 3 &&
			[ "$(pane | grep -c '─Process-3:2:1')" -eq 2 ] && ok ||
			bad "nested at 80x24: the tree as it was scrolls to the last member"
		T send-keys Home
		wait_for '\(as it was: 1-[0-9]+ of' 3 && ok || bad "nested at 80x24: Home scrolls it back"
	else
		bad "nested at 80x24: the trees stacked, the tree as it was says it does not show whole"
	fi
	T send-keys q
	wait_for 'FORKTOP-EXIT=0' 5 && ok || bad "nested: forktop ends with 0"
else
	bad "nested: the tree never appeared"
fi

start --tour
if wait_for '── Tour 1/' 5; then
	at tour tour_ok
	T resize-window -x 40 -y 10
	fits 40 10 "pane | grep -qE 'MainProcess|Process-'" && ok || bad "40x10 in the tour: the tree shows"
	T send-keys q
	wait_for 'FORKTOP-EXIT=0' 5 && ok || bad "the tour: forktop ends with 0"
else
	bad "the tour: the first step never appeared"
fi

echo "screen: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
