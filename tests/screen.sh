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
}

# fits W H CHECK: the pane redrawn at W x H (its last line on the bottom
# row), no line wider than W, and CHECK (a command) holds; polled.
fits() {
	local w=$1 h=$2 check=$3 i
	for ((i = 0; i < 30; i++)); do
		if [ "$(T capture-pane -p -N | wc -l)" -eq "$h" ] && [ -n "$(pane | tail -n 1)" ] &&
			[ "$(pane | LC_ALL=C.UTF-8 wc -L)" -le "$w" ] && $check; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

lab_ok() { keybar_whole >/dev/null && pane | grep -q '─Process-3:1' && pane | head -1 | grep -q '^forktop'; }
help_ok() { pane | head -1 | grep -q '^ forktop: keys' && pane | tail -n 1 | grep -qE '^lines [0-9]+-[0-9]+ of'; }
ghost_ok() { lab_ok && pane | grep -q '(as it was)' && pane | grep -qE '─Process-1( |$)'; }
lesson_ok() { lab_ok && pane | grep -qE '── Lesson'; }
tour_ok() { keybar_whole >/dev/null && pane | grep -q '^ Do: ' && pane | grep -q '── Tour 1/'; }

# at NAME CHECK: CHECK at each size, from the largest down.
at() {
	local size
	for size in "${sizes[@]}"; do
		set -- $size "$1" "$2"
		T resize-window -x "$1" -y "$2"
		fits "$1" "$2" "$4" && ok || bad "$3 at $1x$2"
		shift 2
	done
	T resize-window -x 200 -y 60
}

start
if wait_for 'Process-3:1' 5; then
	at lab lab_ok
	T send-keys '?'
	wait_for '^ forktop: keys' 3 && at help help_ok
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
