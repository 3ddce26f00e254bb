#!/usr/bin/env bash
# What a learner reads on the screen to check a lesson for themselves: the
# help's columns, states and exit codes, command lines beside names (c),
# and the keys of a program's own screen (forktop -- CMD), at 80x24 and
# 120x40. Every tmux server, forktop and process this script starts is
# ended on exit, pass or fail.
set -u
forktop=${FORKTOP:-./forktop}
sock=
. "$(dirname "$0")/tmux-lib.sh"
monitors=()
tmp=$(mktemp -d)

cleanup() {
	local p
	for p in "${monitors[@]}"; do running "$p" && kill -KILL "$p" 2>/dev/null; done
	[ -n "${attached:-}" ] && kill "$attached" 2>/dev/null
	kill_servers
	rm -rf "$tmp"
}
trap cleanup EXIT

# start W H ARGS...: forktop in a fresh W x H server's shell; its PID is
# remembered for cleanup.
start() {
	local w=$1 h=$2 p i
	shift 2
	[ -n "$sock" ] && T kill-server 2>/dev/null
	use_server "forktop-views-$$-${#sockets[@]}"
	T new-session -d -x "$w" -y "$h" "bash --norc --noprofile"
	T send-keys "PS1='$ '; cd '$PWD'; $forktop $* ; echo FORKTOP-EXIT=\$?" Enter
	for ((i = 0; i < 50; i++)); do
		p=$(pgrep -P "$(T list-panes -F '#{pane_pid}' | head -1)" -x forktop | head -1)
		[ -n "$p" ] && monitors+=("$p") && break
		sleep 0.1
	done
	[ -n "$p" ] && wait_screen
}

# The pane's lines joined into one (the help wraps its notes at words).
joined() { pane | sed 's/^ *//' | tr '\n' ' '; }

quit() {
	T send-keys q
	wait_for 'FORKTOP-EXIT=0' 10 || bad "forktop did not quit"
}

# ---- ?: the help explains the columns, the states and EXIT's signs.
for size in "80 24" "120 40"; do
	start $size
	wait_for 'MainProcess' 5 || bad "$size: the lab never showed"
	T send-keys '?'
	wait_for '^ forktop: keys' 3 || bad "$size: no help"
	T send-keys End
	if wait_for '^ *States \(S\)' 3 && joined | grep -q "DAEMON Python's daemon flag" &&
		joined | grep -q 'TIME+ the CPU time' && joined | grep -q 'Z zombie' &&
		joined | grep -q 'D in uninterruptible' && joined | grep -q -- '-N a signal N killed it'; then
		ok
	else
		bad "$size: the help's end does not explain the columns, states and EXIT"
	fi
	T send-keys Escape
	wait_for 'this system.s init' 3 && ok || bad "$size: PID 1's row does not say it is init"
	quit
done

# ---- c: each process's name before its command line.
start 120 40 -m spawn
if wait_for '─Process-3:1' 5; then
	T send-keys c
	if [ "$(wait_count 'Process-[0-9]: .*forktop --multiprocessing-fork' 4 5)" -ge 4 ]; then ok; else
		bad "c: the spawned children's rows do not show their names before their command lines"
	fi
else
	bad "c: the spawn lab never showed"
fi
quit

# ---- C and --columns: SID, TTY, PGID, ELAPSED where they fit, and the
# status line names what the width left out.
start 120 40
if wait_for '─Process-3:1' 5; then
	T send-keys C
	wait_for '^ +PID +PPID +PGID +SID TTY +S DAEMON EXIT .* ELAPSED NAME' 3 &&
		wait_for 'MainProcess' 1 && ok || bad "C: 120 columns do not show PGID, SID, TTY and ELAPSED"
	T send-keys C
	wait_for '^ +PID +PPID S DAEMON' 3 && ok || bad "C again: the usual columns do not come back"
fi
quit
start 80 24 --columns sid,tty,pgid,elapsed
if wait_for 'MainProcess' 5; then
	wait_for '^ +PID +PPID +PGID +SID' 3 && wait_for 'left out TTY ELAPSED' 3 && ok ||
		bad "--columns at 80x24: PGID and SID shown, TTY and ELAPSED said to be left out"
fi
quit

# C pressed while the screen is too small to draw the tree: once it is large
# enough, a newer answer (a search's) is not covered by the columns' message.
start 80 24
if wait_for 'MainProcess' 5; then
	T resize-window -x 30 -y 8
	wait_for 'needs 40x10' 3 && T send-keys C
	sleep 0.5 # C is read while the tree cannot be drawn
	T resize-window -x 80 -y 24
	T send-keys / nobody-has-this Enter
	if wait_for "no name contains 'nobody-has-this'" 3; then
		sleep 1.2 # a refresh or more later, the answer is still there
		pane | grep -q "no name contains 'nobody-has-this'" && ok ||
			bad "C while too small: the search's answer was covered by the columns' message"
	else
		bad "C while too small: no answer to the search"
	fi
fi
quit

# ---- -- CMD: the key bar and the help offer only what applies to a program
# (X and E act on its top process); a lab key says why it does nothing, and
# no message names --no-lab. X kills the top process at once.
# help_pages: every page of the help, one after the other.
help_pages() {
	local i
	T send-keys '?'
	wait_for '^ forktop: keys' 3 || return 1
	for ((i = 0; i < 8; i++)); do
		pane
		T send-keys NPage
		sleep 0.2
	done
	T send-keys Escape
}
for size in "80 24" "120 40"; do
	start $size -- sleep 300
	if wait_for '─sleep$' 5; then
		bar=$(pane | tail -n 1)
		case $bar in
		*"J Join"* | *"m Method"*) bad "$size -- CMD: lab keys on the key bar: $bar" ;;
		*"q Quit"*) ok ;;
		*) bad "$size -- CMD: no key bar" ;;
		esac
		help=$(help_pages)
		joined_help=$(sed 's/^ *//' <<<"$help" | tr '\n' ' ')
		if grep -q 'restart the lab, or run the program' <<<"$joined_help" &&
			grep -q "kill the program's top process abruptly" <<<"$joined_help" &&
			grep -q "interrupt the program's top process (SIGINT" <<<"$joined_help" &&
			grep -q "Python examples to watch: forktop --example NAME" <<<"$joined_help" &&
			grep -qE "^ +orphans +A parent killed with live children" <<<"$help" &&
			! grep -qE "^   (J|s|m) {5,}|MainProcess abruptly|start method: fork" <<<"$help"; then ok; else
			bad "$size -- CMD: the help lists lab keys, or not X and E for the program" "$help"
		fi
		T send-keys J
		wait_for 'J joins a lab process \(no lab' 3 && ok || bad "$size -- CMD: J does not say why"
		pane | grep -q -- '--no-lab' && bad "$size -- CMD: a message names --no-lab"
		pid=$(pane | awk '/─sleep$/ { print $1; exit }')
		T send-keys X
		wait_for "SIGKILL to sleep \(pid $pid\): no exit routine runs" 3 &&
			wait_for "^ *$pid .* -9 " 5 && ok || bad "$size -- CMD: X did not kill the top process"
	else
		bad "$size -- CMD: the program never showed"
	fi
	quit
done

# ---- E on a Python program: SIGINT to its top process. Python raises
# KeyboardInterrupt, its exit routine terminates the daemonic child, and it
# ends killed by SIGINT (-2), as it would at Ctrl-C.
cat >"$tmp/interrupted.py" <<'PY'
import multiprocessing as mp, time
if __name__ == '__main__':
    mp.Process(target=time.sleep, args=(300,), name='Sleeper', daemon=True).start()
    time.sleep(300)
PY
start 120 40 -- /usr/bin/python3 "$tmp/interrupted.py"
if wait_for '─Sleeper$' 8; then
	main=$(pane | awk '/─MainProcess$/ { print $1; exit }')
	sleeper=$(pane | awk '/─Sleeper$/ { print $1; exit }')
	T send-keys E
	wait_for "SIGINT to MainProcess \(pid $main\)" 3 && wait_for "^ *$sleeper .* yes +-15 " 8 &&
		wait_for "^ *$main .* no +-2 " 5 && ok ||
		bad "E on a Python program: no KeyboardInterrupt exit with its daemon terminated"
else
	bad "E on a Python program: its daemonic child never showed"
fi
quit

# ---- --example NAME: the header names the example, not python3.
start 80 24 --example threads
wait_for '^forktop +example threads ' 8 && ok || bad "--example: the header does not name the example"
quit

# ---- t on a process of the program forktop started: sent at once through
# its pidfd, no question; it ends with -15. An attached family still asks.
start 120 40 -- sh -c "'sleep 301 & sleep 302; wait'"
if wait_for 'sleep' 5 && T send-keys / sleep Enter && wait_for "found 'sleep'" 3; then
	pid=$(selected | awk '{ print $1 }')
	T send-keys t
	if wait_for "sent SIGTERM to sleep \\(pid $pid\\)" 3 && ! pane | grep -q 'y/N'; then ok; else
		bad "-- CMD: t on the program's process $pid asked, or did not say it sent SIGTERM"
	fi
	wait_for "^ *$pid .* -15 " 5 && ! running "$pid" && ok ||
		bad "-- CMD: the program's process $pid did not end with -15"
else
	bad "-- CMD t: the program's sleep never showed"
fi
quit
sleep 303 &
attached=$!
start 120 40 --attach "$attached"
if wait_for 'sleep' 5 && T send-keys / sleep Enter && wait_for "found 'sleep'" 3; then
	T send-keys t
	wait_for "PID $attached \\(sleep\\) is not a process forktop started\\. Send SIGTERM\\? \\(y/N\\)" 3 && ok ||
		bad "--attach: t did not ask before signalling"
	T send-keys n
	wait_for 'nothing was sent' 3 && running "$attached" && ok || bad "--attach: n still signalled"
	T send-keys r
	wait_for 'forktop did not start this program \(--attach\)' 3 && running "$attached" && ok ||
		bad "--attach: r did not say it cannot start the program again"
fi
quit
kill "$attached" 2>/dev/null

# ---- r under -- CMD: the old family ends as on quit, the program starts
# again (a new PID), and the log says so.
start 120 40 -- sleep 304
mon=${monitors[-1]:-}
if wait_for 'sleep' 5 && first=$(pgrep -P "$mon" -x sleep) && [ -n "$first" ]; then
	T send-keys r
	wait_for 'the program was started again' 8 && again=$(pgrep -P "$mon" -x sleep) &&
		[ -n "$again" ] && [ "$again" != "$first" ] && ! running "$first" &&
		wait_for "started sleep \\(pid $again\\)" 3 && ok ||
		bad "r: the program $first was not ended and started again (now: ${again:-none})"
else
	bad "r: the program never showed"
fi
quit

# ---- c on a zombie of the program's family: the command line kept when it
# joined, not its name in brackets (/proc has none for a zombie); read again
# after its exec (the subshell joins with sh's arguments, then execs sleep).
start 120 40 -- sh -c "'(sleep 1; exec sleep 1.2) & exec sleep 300'"
if wait_for '^ *[0-9]+ +[0-9]+ Z .*sleep' 8; then
	T send-keys c
	wait_for ' Z .*sleep: sleep 1\.2' 3 && ok ||
		bad "c: the family's zombie does not show its command line"
else
	bad "c: the family's zombie never showed"
fi
quit

echo "views: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
