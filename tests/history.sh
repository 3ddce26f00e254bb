#!/usr/bin/env bash
# Time travel in the screen, driven in tmux at 120x40 and 80x24: main is
# killed, [ steps back until MainProcess is alive with its children under
# it, ] steps forward to the re-parenting; { } jump by event; keys that act
# are refused in the past while the lab runs on; a marker is dropped,
# recorded and jumped to; T goes back by seconds; Space is live again. The
# screen's recording (--record) replays. Every tmux server, forktop and lab
# process this script starts is ended on exit, pass or fail.
set -u
forktop=${FORKTOP:-./forktop}
sock=
. "$(dirname "$0")/tmux-lib.sh"
tmp=$(mktemp -d)
lab=()
started_ns=0
cleanup() {
	kill_servers
	for p in "${lab[@]}"; do running "$p" && kill -KILL "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# start COLSxLINES ARGS...: forktop in a fresh server's shell.
start() {
	local size=$1
	shift
	use_server "forktop-history-$$-${#sockets[@]}"
	T new-session -d -x "${size%x*}" -y "${size#*x}" "bash --norc --noprofile"
	T send-keys "PS1='$ '; cd '$PWD'; $forktop $* ; echo FORKTOP-EXIT=\$?" Enter
	started_ns=$(date +%s%N)
	wait_screen
}

# history_older_than MS: waits until the forktop started last has kept at
# least MS milliseconds of history (a run of quick steps can take less).
history_older_than() {
	local until_ns=$((started_ns + $1 * 1000000))
	while [ "$(date +%s%N)" -lt "$until_ns" ]; do sleep 0.1; done
}

# press KEY PATTERN [TIMES]: KEY until the pane matches PATTERN (at most TIMES).
press() {
	local key=$1 pattern=$2 times=${3:-30} i
	for ((i = 0; i < times; i++)); do
		T send-keys "$key"
		wait_for "$pattern" 1 && return 0
	done
	return 1
}

# The lab's PIDs on the pane (DAEMON yes or no), kept for cleanup.
note_lab() {
	lab+=($(pane | awk '$4 == "yes" || $4 == "no" { print $1 }'))
}

travel() { # COLSxLINES
	local size=$1 main
	start "$size" -d 250 --record "$tmp/screen-$size.ndjson"
	wait_for '─Process-4' 10 || { bad "$size: the lab did not start"; return; }
	note_lab
	main=$(pane | awk '/MainProcess/ && ($4 == "no") { print $1; exit }')
	[ -n "$main" ] && running "$main" && ok || { bad "$size: no MainProcess running"; return; }
	# at 80 columns the header leaves [LIVE] out (it says PAST whenever it is)
	[ "${size%x*}" -lt 100 ] || { wait_for '\[LIVE\]' 3 && ok || bad "$size: the header does not say LIVE"; }

	# kill main: its children go to PID 1
	T send-keys X
	if wait_for 'Process-4 +orphan: was under' 5; then ok; else
		bad "$size: no re-parenting after X"
		return
	fi
	# back until MainProcess is alive, its children under it
	if press '[' "^ +$main +[0-9]+ S no .*MainProcess *\$" 40 && wait_for "PAST -[0-9.]+s" 1; then
		ok
	else
		bad "$size: [ never showed MainProcess alive"
	fi
	pane | grep -qE "^ +[0-9]+ +$main S yes .*├─Process-1" && ok ||
		bad "$size: Process-1 is not under MainProcess in the past"
	# the log ends where the moment does: no re-parenting yet, main's start marked
	! pane | grep -q 're-parented' && pane | grep -qE 'Events up to PAST -[0-9.]+s' && ok ||
		bad "$size: the log of the past shows what came after it"
	# the acting keys wait for live, and do nothing meanwhile
	T send-keys k
	wait_for 'this is the past \(PAST -[0-9.]+s\): keys that act wait for live' 3 && ok ||
		bad "$size: k was not refused in the past"
	# forward to the re-parenting
	if press ']' 'Process-4 +orphan: was under' 40 && wait_for 'PAST -' 1; then ok; else
		bad "$size: ] never came to the re-parenting"
	fi
	# by event: Tab to the log, then { and }
	T send-keys Tab
	T send-keys '{'
	wait_for 'at an event: [0-9.]+s ago' 3 && ok || bad "$size: { did not go to an event"
	T send-keys '}'
	wait_for 'at an event: [0-9.]+s ago|no later event kept' 3 && ok || bad "$size: } did nothing"
	T send-keys Tab
	# a marker, recorded, then jumped to from live
	T send-keys M
	wait_for "Marker's note: _" 3 && T send-keys 'orphans now' Enter
	wait_for 'marker 1 dropped at refresh [0-9]+ \(and recorded\)' 3 && ok ||
		bad "$size: no marker dropped"
	T send-keys ' '
	wait_for '^live$' 3 && wait_gone 'PAST -' 2 && ok || bad "$size: Space did not go back to live"
	T send-keys '<'
	wait_for 'marker: orphans now \([0-9.]+s ago\)' 3 && wait_for 'PAST -' 1 && ok ||
		bad "$size: < did not go to the marker"
	history_older_than 1200
	T send-keys ' ' T 0.4 Enter
	wait_for 'jumped: (0\.[4-9]|1\.0)s ago' 3 && ok || bad "$size: T 0.4 did not go back 0.4 s"
	T send-keys ' '
	wait_gone 'PAST -' 3 && T send-keys q
	wait_for 'FORKTOP-EXIT=0' 10 && ok || bad "$size: forktop did not end well"
	grep -q '"type":"marker",.*"note":"orphans now"' "$tmp/screen-$size.ndjson" && ok ||
		bad "$size: the recording holds no marker"
	[ -z "$(grep -o '"type":"frame","frame":[0-9]*' "$tmp/screen-$size.ndjson" | sort | uniq -d)" ] && ok ||
		bad "$size: a frame was recorded twice (Space keeps the screen, it records nothing)"
	"$forktop" --replay "$tmp/screen-$size.ndjson" -b >"$tmp/replayed" 2>&1 &&
		grep -q 'orphan: was under' "$tmp/replayed" && ok ||
		bad "$size: the screen's recording does not replay" "$(tail -3 "$tmp/replayed")"
	for p in "${lab[@]}"; do running "$p" && bad "$size: lab process $p outlived forktop"; done
}

travel 120x40
travel 80x24

# ---- --replay FILE in the screen: read-only, every key that moves; the
# screen's own recording (with its marker) and a batch one (with the tree
# as it was).
replay_file() {
	timeout 30 "$forktop" -j -d 200 -n 10 -S '@0.6 kill-main' >"$tmp/batch.ndjson"
	start 120x40 --replay "$tmp/screen-120x40.ndjson"
	wait_for 'a recording of [0-9]+ refreshes over [0-9]+s' 5 &&
		wait_for 'replay of lab: default \(fork\)' 1 && wait_for '\[REC [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]\]' 1 &&
		ok || bad "replay: the first moment, named as a recording's"
	! pane | tail -1 | grep -qE 'k Kill|X KillMain' && ok || bad "replay: acting keys on the key bar"
	T send-keys X
	wait_for 'a replay is read-only \(REC ' 3 && ok || bad "replay: X was not refused"
	press ']' 'Process-4 +orphan: was under' 60 && ok || bad "replay: ] never came to the orphans"
	T send-keys ' ' # its end, after the moment marked
	wait_for 'the newest moment of the recording' 3 && T send-keys '<'
	wait_for 'marker: orphans now' 3 && ok || bad "replay: < found no marker"
	T send-keys q
	wait_for 'FORKTOP-EXIT=0' 10 && ok || bad "replay: forktop did not end well"

	start 120x40 --replay "$tmp/batch.ndjson"
	wait_for 'a recording of 10 refreshes' 5 && T send-keys ' ' &&
		wait_for 'the newest moment of the recording \(its end\)' 3 && ok ||
		bad "replay: Space does not go to its end"
	T send-keys g
	wait_for 'left: the tree as it was' 3 && wait_for '─Process-4' 1 &&
		half_has 0 59 '^ +[0-9]+ +[0-9]+ +X .*MainProcess' && half_has 0 59 '│? *├─Process-1' &&
		ok || bad "replay: g shows no tree as it was (main, its children under it)"
	T send-keys q
	wait_for 'FORKTOP-EXIT=0' 10 && ok || bad "replay of a batch recording did not end well"
}

# half_has FROM LENGTH PATTERN: those columns of some pane line match.
half_has() {
	local LC_ALL=C.UTF-8 line
	pane | while IFS= read -r line; do printf '%s\n' "${line:$1:$2}"; done | grep -qE -- "$3"
}

# ---- --replay - in the screen follows a stream, its keys from the terminal.
replay_stream() {
	use_server "forktop-history-$$-${#sockets[@]}"
	T new-session -d -x 120 -y 40 "bash --norc --noprofile"
	T send-keys "PS1='$ '; cd '$PWD'; $forktop -j -d 250 -n 16 -S '@1.5 kill-main' | $forktop --replay - ; echo FORKTOP-EXIT=\$?" Enter
	wait_for 'replay of lab: default' 10 && ok || bad "replay -: nothing shown"
	wait_for 'Process-4 +orphan: was under' 10 && ok || bad "replay -: the stream was not followed"
	wait_for 'the recording ended: 16 refreshes' 10 && ok || bad "replay -: its end not said"
	T send-keys '['
	wait_for 'back: [0-9.]+s before the newest' 3 && ok || bad "replay -: [ did not step back"
	T send-keys q
	wait_for 'FORKTOP-EXIT=0' 10 && ok || bad "replay -: forktop did not end well"
}

replay_file
replay_stream

# ---- --history 0: only the newest moment is kept; Space still pauses, and
# the moment shown stays (held) when the history drops it.
start 80x24 --history 0 -d 200
wait_for '─Process-4' 10 && T send-keys ' '
wait_for 'PAST -[0-9.]+s' 3 && ok || bad "--history 0: Space does not pause"
wait_for 'this moment left the history \(0 MiB\): still shown' 3 &&
	wait_for 'PAST -[1-9][0-9.]*s' 3 && ok || bad "--history 0: the paused moment did not stay"
T send-keys '['
wait_for 'the oldest moment kept' 3 && ok || bad "--history 0: [ found more than the newest moment"
T send-keys ' ' q
wait_for 'FORKTOP-EXIT=0' 10 && ok || bad "--history 0: forktop did not end well"

# ---- a paused replay of a stream keeps its moment while the stream goes on
# past a history that holds only the newest.
use_server "forktop-history-$$-${#sockets[@]}"
T new-session -d -x 120 -y 40 "bash --norc --noprofile"
T send-keys "PS1='$ '; cd '$PWD'; $forktop -j -d 200 -n 25 | $forktop --replay - --history 0 ; echo FORKTOP-EXIT=\$?" Enter
wait_for 'replay of lab: default' 10 && T send-keys ' '
wait_for 'this moment left the history' 5 && ok || bad "replay - --history 0: the paused moment left"
held=$(pane | grep -oE 'REC [0-9:.]+' | head -1)
wait_for 'the recording ended' 10
[ -n "$held" ] && pane | grep -qF "$held" && ok || bad "replay - --history 0: the moment shown changed ($held)"
T send-keys q
wait_for 'FORKTOP-EXIT=0' 10 && ok || bad "replay - --history 0: forktop did not end well"
printf 'not a recording\n' >"$tmp/plain.txt"
use_server "forktop-history-$$-${#sockets[@]}"
T new-session -d -x 200 -y 24 "bash --norc --noprofile"
T send-keys "PS1='$ '; cd '$PWD'; $forktop --replay '$tmp/plain.txt' ; echo FORKTOP-EXIT=\$?" Enter
wait_for 'plain.txt is not a forktop recording: line 1: not JSON' 5 && wait_for 'FORKTOP-EXIT=2' 3 && ok ||
	bad "replay of a file that is no recording: no message, or not status 2"

echo "history: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
