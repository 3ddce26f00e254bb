#!/usr/bin/env bash
# The interactive face, driven like a person would: forktop runs in a shell
# in a private tmux server; keys are sent, and the pane is polled for text
# (never a bare sleep). Every tmux server, forktop and helper this script
# starts is ended on exit, pass or fail.
set -u
CPU=' +[-0-9.]+( +[0-9]+:[0-9]{2}\.[0-9]{2})?' # CPU% and TIME+, when the width keeps them
forktop=${FORKTOP:-./forktop}
hostile=${FORKTOP_HOSTILE:-./tests/hostile}
# These tests kill terminals: tests/tmux-lib.sh turns the sanitizer build's
# leak check off for them.
sock=
. "$(dirname "$0")/tmux-lib.sh"
tmp=$(mktemp -d)
lab_pids=()
monitors=() # every forktop this script saw: ended on exit if still running

cleanup() {
	kill_servers
	for p in "${monitors[@]}"; do running "$p" && kill -KILL "$p" 2>/dev/null; done
	[ -n "${hostile_pid:-}" ] && kill "$hostile_pid" 2>/dev/null
	[ -n "${p1:-}" ] && kill -CONT "$p1" 2>/dev/null # stopped by the a test
	rm -rf "$tmp"
}
trap cleanup EXIT

# half FROM LENGTH: those columns of every pane line (characters, not bytes).
half() {
	local LC_ALL=C.UTF-8 line
	pane | while IFS= read -r line; do printf '%s\n' "${line:$1:$2}"; done
}

# left_whole COLUMNS: within 3 s, the first COLUMNS of a line end with
# '─Process-1' (its name whole in the left tree).
left_whole() {
	local i
	for ((i = 0; i < 30; i++)); do
		half 0 "$1" | grep -qE '─Process-1 *$' && return 0
		sleep 0.1
	done
	return 1
}

# new_server: a fresh 120x40 tmux server (its own socket) running a shell.
new_server() {
	[ -n "$sock" ] && note_monitor && T kill-server 2>/dev/null
	use_server "forktop-tui-$$-${#sockets[@]}"
	T new-session -d -x 120 -y 40 "bash --norc --noprofile"
}

# The forktop running in the current server, remembered for cleanup.
note_monitor() {
	local shell p
	shell=$(T list-panes -F '#{pane_pid}' 2>/dev/null | head -1)
	[ -n "$shell" ] && for p in $(pgrep -P "$shell" -x forktop); do monitors+=("$p"); done
	return 0
}

# start ARGS...: forktop in a fresh server's shell.
start() {
	new_server
	T send-keys "PS1='$ '; cd '$PWD'; $forktop $* ; echo FORKTOP-EXIT=\$?" Enter
}

# find_row TEXT: select the first row whose name holds TEXT (the / search).
find_row() {
	# its row in the tree first: the log may name it a refresh before
	wait_for "^ +[0-9]+ +[0-9]+ [A-Z] .*[ ─]$1( |\$)" 5
	T send-keys / "$1" Enter
	wait_for "found '$1'" 3
}

# The PIDs of lab rows (DAEMON column yes/no) on the pane now.
collect_lab_pids() {
	lab_pids=($(pane | awk '$4 == "yes" || $4 == "no" { print $1 }'))
}

lab_gone() {
	for p in "${lab_pids[@]}"; do
		running "$p" && return 1
	done
	return 0
}

# ---- X: kill main abruptly, every child is re-parented and marked orphan.
start
if wait_for 'Process-3:1' 5; then
	T send-keys X
	if wait_for 'Process-4 +orphan: was under [0-9]+ MainProcess' 5; then
		adopter=$(pane | awk '/adopted orphans/ { print $1; exit }')
		rows=$(wait_count "^ +[0-9]+ +$adopter S (yes|no) .*Process-[1-4] +orphan: was under" 4)
		if [ -n "$adopter" ] && [ "$rows" -eq 4 ]; then ok; else bad "X: 4 orphans under $adopter (got $rows)"; fi
		# main may show as a zombie for a refresh before its tombstone
		wait_for ' X no +-9 .*MainProcess +ended' 3 && ok || bad "X: main's tombstone shows -9"
	else
		bad "X: no orphan appeared"
	fi
else
	bad "X: the tree never appeared"
fi

# ---- g after X: left, every child under MainProcess as it was; right, now.
start
if wait_for 'Process-3:1' 5; then
	T send-keys X
	wait_for 'Process-4 +orphan' 5 && T send-keys g
	if wait_for '\(as it was(\)|: )' 3; then
		main=$(half 0 59 | awk '/MainProcess/ { print $1; exit }')
		was=$(half 0 59 | grep -cE "^ +[0-9]+ +$main S (yes|no) .*Process-[1-4]\b")
		now=$(half 61 59 | grep -cE "^ +[0-9]+ +[0-9]+ S (yes|no) .*Process-[1-4] +orphan")
		[ -n "$main" ] && [ "$was" -eq 4 ] && [ "$now" -eq 4 ] && ok ||
			bad "g: 4 children under MainProcess ($main) as it was ($was), 4 orphans now ($now)"
	else
		bad "g: no view of the tree as it was"
	fi
else
	bad "g: the tree never appeared"
fi

# ---- R then X: forktop is the subreaper, the orphans come to it.
start
if wait_for 'Process-3:1' 5; then
	T send-keys R
	wait_for 'orphans -> forktop \(subreaper\)' 3 && T send-keys X
	if wait_for 'Process-4 +orphan: was under' 5; then
		monitor=$(pane | awk '/ monitor/ { print $1; exit }')
		rows=$(wait_count "^ +[0-9]+ +$monitor S (yes|no) .*Process-[1-4] +orphan: was under" 4)
		[ "$rows" -eq 4 ] && ok || bad "R: 4 orphans under forktop ($monitor), got $rows"
	else
		bad "R: no orphan appeared"
	fi
else
	bad "R: the tree never appeared"
fi

# ---- r in the past is refused (the lab runs on); live, it restarts the lab
# with a tombstone on screen: the rows are rebuilt (no pointer into the old
# lab is drawn; the sanitizer build checks it), and [ still shows the old
# lab's moments, kept as copies.
start
if wait_for 'Process-3:1' 5; then
	old_main=$(pane | awk '/─MainProcess/ { print $1; exit }')
	T send-keys X
	if wait_for ' X no +-9 .*MainProcess +ended' 5; then
		T send-keys Space r
		wait_for 'this is the past \(PAST -[0-9.]+s\): keys that act wait for live' 3 &&
			pane | grep -qE ' X no .*MainProcess +ended' && ok ||
			bad "r in the past: not refused, or the moment shown changed"
		T send-keys Space r
		if wait_for 'the lab was restarted' 5 && wait_for 'Process-3:1' 5 &&
			main=$(pane | awk '/─MainProcess/ { print $1; exit }') && [ "$main" != "$old_main" ] &&
			! pane | grep -qE ' X no .*MainProcess +ended'; then
			ok
		else
			bad "r: restart: a new MainProcess (not $old_main), no tombstone of the old one"
		fi
		for ((i = 0; i < 40; i++)); do
			T send-keys '['
			wait_for "^ +$old_main " 1 && break
		done
		pane | grep -qE "^ +$old_main " && wait_for 'PAST -' 1 && ok ||
			bad "r: [ does not go back to the old lab's moments"
	else
		bad "r: MainProcess's tombstone never appeared, so r had none to clear"
	fi
else
	bad "r: the tree never appeared"
fi

# ---- m: the lab starts again under the next start method, in its shape.
start
if wait_for 'Process-3:1' 5; then
	T send-keys m
	if wait_for '\(spawn\).*' 5 && wait_for 'Process-3:1' 5 && wait_for '─resource_tracker' 3; then
		main=$(pane | awk '/MainProcess/ { print $1; exit }')
		tracker=$(pane | awk '/─resource_tracker/ { print $1; exit }')
		rows=$(wait_count "^ +[0-9]+ +$main S (yes|no|-) .*(resource_tracker|Process-[1-4])" 5)
		[ "$rows" -eq 5 ] && ok || bad "m: spawn: the tracker and 4 children under main ($main), got $rows"
		T send-keys m
		if wait_for '\(forkserver\)' 5 && wait_for 'Process-3:1' 5 && wait_for '─forkserver' 3; then
			server=$(pane | awk '/─forkserver/ { print $1; exit }')
			rows=$(wait_count "^ +[0-9]+ +$server S (yes|no) .*Process-[1-4]" 4)
			[ "$rows" -eq 4 ] && ok || bad "m: forkserver: 4 children under the server ($server), got $rows"
			! running "$tracker" && ok || bad "m: the spawn lab's tracker $tracker still runs"
			T send-keys m
			wait_for '\(fork\)' 5 && wait_for 'Process-3:1' 5 && ! pane | grep -q '─forkserver' &&
				! running "$server" && ok || bad "m: back to fork, the fork server ended"
		else
			bad "m: no fork server"
		fi
	else
		bad "m: spawn: no tracker"
	fi
else
	bad "m: the tree never appeared"
fi

# ---- g, then m: the new lab's rows come with the tree as it was (the
# refresh is 100 s away: what fills the pane is the restart's own).
use_server "forktop-tui-$$-${#sockets[@]}"
T new-session -d -x 80 -y 24 "bash --norc --noprofile"
T send-keys "PS1='$ '; cd '$PWD'; $forktop -d 100000 ; echo FORKTOP-EXIT=\$?" Enter
if wait_for 'Process-3:1' 5; then
	T send-keys g
	if wait_for 'left: the tree as it was' 3 && half 0 39 | grep -qE '^ +1 +(0 +)?S '; then
		T send-keys m
		wait_for '\(spawn\)' 5 && wait_for 'restarted with start method spawn' 3
		half 0 39 | grep -qE '^ +1 +(0 +)?S ' && ok ||
			bad "g then m: the tree as it was is blank after the restart"
	else
		bad "g then m: no tree as it was before m"
	fi
else
	bad "g then m: the tree never appeared"
fi

# ---- c: names, each with its command line; under spawn each child is a
# program of its own.
start --start-method spawn
if wait_for 'Process-3:1' 5; then
	T send-keys c
	if wait_for 'command lines' 3 && wait_for '─Process-1: /.*forktop --multiprocessing-fork' 3; then
		pane | grep -qE '─resource_tracker: /.*forktop --resource-tracker fd=4' &&
			pane | grep -qE ' no +- +└─MainProcess: .*forktop --start-method spawn' && ok ||
			bad "c: the tracker's and main's command lines"
	else
		bad "c: no spawned command line"
	fi
else
	bad "c: the tree never appeared"
fi

# ---- a, then a again: a new scope of scanning is not news (no false 'gone').
# The view of every process is known by what the lab view never shows:
# forktop under its parent (the selected MainProcess keeps it on screen),
# and the tmux server.
start
if wait_for 'Process-3:1' 5; then
	find_row MainProcess || bad "a: / found no MainProcess"
	T send-keys a
	if wait_for 'view: all' 3 && wait_for '─forktop +monitor' 3 && find_row tmux; then
		T send-keys a
		if wait_for 'view: lab' 3 && wait_gone '^ +[0-9]+ +[0-9]+ [A-Z] .*tmux' 3; then
			# One more refresh of the lab view: a stopped lab process shows T.
			p1=
			find_row Process-1 && p1=$(selected | awk '{ print $1; exit }')
			[ -n "$p1" ] && kill -STOP "$p1"
			wait_for "^ +$p1 +[0-9]+ T yes .*Process-1" 3 || bad "a: no refresh of the lab view showed Process-1 ($p1) stopped"
			[ -n "$p1" ] && kill -CONT "$p1"
			# Processes of earlier tests may really end meanwhile; a false 'gone' would
			# name a process that still runs (this shell, forktop, its lab).
			false_gone=0
			for p in $(pane | grep -oE ' gone [0-9]+ ' | awk '{ print $2 }'); do
				running "$p" && false_gone=$((false_gone + 1))
			done
			[ "$false_gone" -eq 0 ] && ok || bad "a: toggling the view made false 'gone' events"
		else
			bad "a: a again did not go back to the lab view"
		fi
	else
		bad "a: no view of every process (forktop under its parent, the tmux server)"
	fi
else
	bad "a: the tree never appeared"
fi

# ---- E: a normal exit terminates the daemons (-15) and joins the rest (0).
cat >"$tmp/short.conf" <<'CONF'
[main]
name = short
[group daemons]
count = 2
daemon = yes
[group workers]
count = 2
daemon = no
lifetime = 1.5
CONF
start --scenario "$tmp/short.conf"
if wait_for 'Process-4' 5; then
	T send-keys E
	# The ended processes stay on the tree for 5 s (tombstones): the
	# daemons, terminated first, are read while theirs are shown, on the
	# tree or in the log (a loaded machine may take longer than that to
	# join the workers).
	daemons=no
	wait_for ' X yes +-15 .*Process-1 +ended|Process-1 \(pid [0-9]+\) exitcode -15' 5 &&
		wait_for ' X yes +-15 .*Process-2 +ended|Process-2 \(pid [0-9]+\) exitcode -15' 3 &&
		daemons=yes
	if wait_for 'MainProcess \(pid [0-9]+\) exitcode 0' 8; then
		# main may show as a zombie for one refresh before its tombstone.
		wait_for ' X no +0 .*MainProcess +ended' 3
		tree=$(pane)
		[ "$daemons" = yes ] &&
			grep -qE ' X no +0 .*Process-3 +ended' <<<"$tree" &&
			grep -qE ' X no +0 .*Process-4 +ended' <<<"$tree" &&
			grep -qE ' X no +0 .*MainProcess +ended' <<<"$tree" && ok ||
			bad "E: exit codes -15 for daemons (seen: $daemons), 0 for the joined workers"
	else
		bad "E: main never finished its exit"
	fi
else
	bad "E: the tree never appeared"
fi

# ---- J on a zombie: its creator reaps it and the exit code shows.
cat >"$tmp/zombie.conf" <<'CONF'
[main]
name = zombie
[group quick]
count = 1
daemon = no
lifetime = 0.3
exit_code = 3
CONF
start --scenario "$tmp/zombie.conf"
if wait_for 'Process-1 +zombie: not joined' 6; then
	pane | grep -qE ' Z no +3 .*Process-1' && ok || bad "J: the zombie shows exit code 3"
	find_row Process-1 && T send-keys J
	wait_for 'MainProcess joins Process-1: it has ended, so join\(\) returns at once and reaps it' 3 &&
		ok || bad "J on a zombie: the status line says join() returns at once and reaps it"
	if wait_for 'join\(Process-1\) returned, exitcode 3' 5; then
		wait_for ' X no +3 .*Process-1 +ended' 3 && ok || bad "J: the reaped child's tombstone"
		# J again, on the tombstone: Python's join() of a reaped child returns at once.
		T send-keys J
		wait_for 'MainProcess joins Process-1: it was reaped already, so join\(\) returns at once' 3 &&
			[ "$(wait_count 'join\(Process-1\) returned, exitcode 3' 2 5)" -eq 2 ] && ok ||
			bad "J on a reaped child: join() returns at once"
	else
		bad "J: the join never returned"
	fi
else
	bad "J: no zombie appeared"
fi

# ---- E while MainProcess is blocked in a join J asked for: the exit waits,
# and the screen says why the daemonic child runs on; t ends the join.
cat >"$tmp/joinexit.conf" <<'CONF'
[main]
name = joinexit
[group daemons]
count = 1
daemon = yes
[group workers]
count = 1
daemon = no
lifetime = 60
CONF
start --scenario "$tmp/joinexit.conf"
if wait_for 'Process-2' 5; then
	find_row Process-2 && T send-keys J
	wait_for 'MainProcess +blocked in join\(Process-2\)' 5 && T send-keys E
	wait_for 'exit waits: MainProcess is blocked in join\(Process-2\)' 3 &&
		wait_for 'MainProcess +blocked in join\(Process-2\): its exit waits' 3 &&
		pane | grep -qE ' S yes +- .*Process-1( |$)' && ok ||
		bad "E behind J: the status line and MainProcess's note say the exit waits"
	T send-keys t
	wait_for ' X yes +-15 .*Process-1 +ended' 8 && ok || bad "E behind J: t ends the join, the exit goes on"
else
	bad "E behind J: the tree never appeared"
fi

# ---- resize to the minimum and below, and back.
start
if wait_for 'Process-3:1' 5; then
	T resize-window -x 40 -y 10
	# tmux cuts the old screen at once; forktop's redraw comes a moment later
	for ((i = 0; i < 30; i++)); do
		pane | head -1 | grep -q '^forktop' && pane | grep -q '^F1 Help' && break
		sleep 0.1
	done
	if pane | grep -q '^F1 Help' && pane | head -1 | grep -q '^forktop' &&
		[ "$(pane | LC_ALL=C.UTF-8 wc -L)" -le 40 ]; then
		ok
	else
		bad "resize: 40x10 layout"
	fi
	T resize-window -x 30 -y 8
	wait_for 'too small' 3 && ok || bad "resize: below 40x10 says too small"
	T resize-window -x 120 -y 40
	wait_for '^ +[0-9]+ +[0-9]+ S no +-'"$CPU"' +└─MainProcess' 3 && ok || bad "resize: back to 120x40"
else
	bad "resize: the tree never appeared"
fi

# ---- q: the terminal is restored and no lab process is left.
if wait_for 'Process-4' 3; then
	collect_lab_pids
	T send-keys q
	if wait_for 'FORKTOP-EXIT=0' 5; then
		T send-keys 'stty -a | grep -oE "(-)?(icanon|echo) " | tr -d "\n"; echo' Enter
		wait_for '^icanon echo' 3 && ok || bad "q: the terminal is in cooked mode again"
		[ "${#lab_pids[@]}" -ge 6 ] && lab_gone && ok || bad "q: lab processes left (of ${lab_pids[*]})"
	else
		bad "q: forktop did not exit 0"
	fi
else
	bad "q: the tree of the resize test is not on screen"
fi

# ---- The key bar at 80x24: the keys that fit, whole, most used first; the
# help's item says it lists the rest. At 120 columns every key fits.
start
if wait_for 'Process-3:1' 5; then
	wait_for '^F1 Help  l Lesson .*m Method  R Reaper  g Ghost  q Quit$' 3 && keybar_whole && ok ||
		bad "key bar at 120x40: every key, whole"
	T resize-window -x 80 -y 24
	if wait_for '^F1 Help: every key  ' 3; then
		keybar_whole && pane | tail -n 1 | grep -q 'X KillMain' && pane | tail -n 1 | grep -q 'q Quit$' && ok ||
			bad "key bar at 80x24: whole keys, X and q among them"
	else
		bad "key bar at 80x24: F1 says the help has every key"
	fi
else
	bad "key bar: the tree never appeared"
fi

# ---- The header at 80x24 and 40x10: the facts that fit, whole, the least
# needed ones shortened or left out first; the pause is never left out.
start
if wait_for 'Process-3:1' 5; then
	T resize-window -x 80 -y 24
	head='^forktop  default \(fork\)  lab: [0-9]+ running, [0-9]+ zombie, [0-9]+ orphaned  orphans -> PID 1$'
	wait_for "$head" 3 && ok || bad "header at 80x24: whole facts, the counts and where orphans go"
	T send-keys R
	wait_for '  -> subreaper' 3 && T send-keys Space
	head='^forktop  [0-9]+ running, [0-9]+ zombie, [0-9]+ orphaned  -> subreaper  \[PAST -[0-9.]+s\]$'
	wait_for "$head" 3 && ok || bad "header at 80x24: subreaper and the past, shortened"
	T resize-window -x 40 -y 10
	wait_for '^forktop  [0-9]+ running, [0-9]+ zombie, [0-9]+ orphaned$' 3 && ok || bad "header at 40x10: the counts, whole"
else
	bad "header: the tree never appeared"
fi

# ---- Notes at 80x24 after X: an orphan's note is cut at a word with an
# ellipsis (or whole), and the selected row's note is whole in the status line.
start
if wait_for 'Process-3:1' 5; then
	T resize-window -x 80 -y 24
	T send-keys X
	if wait_for 'Process-4 +orphan: was under' 5; then
		cut=$(pane | grep -E 'Process-[1-4] +orphan:' | grep -cvE 'orphan: was under [0-9]+( MainProcess,)?…$|killed by SIGKILL$')
		[ "$cut" -eq 0 ] && ok || bad "notes at 80x24: $cut orphan notes cut without an ellipsis"
		find_row Process-2 && moved_by Down &&
			wait_for '^PID [0-9]+: orphan: was under [0-9]+ MainProcess, killed by SIGKILL$' 3 && ok ||
			bad "notes at 80x24: the selected orphan's whole note in the status line"
	else
		bad "notes at 80x24: no orphan appeared"
	fi
else
	bad "notes at 80x24: the tree never appeared"
fi

# ---- g at 80x24 and 120x40: names in the tree as it was stay whole. The
# default lab fits side by side (PPID makes room); the nested one does not
# at 80 columns, and the trees go one above the other.
start
if wait_for 'Process-3:1' 5; then
	T send-keys g
	# the status line can come a frame before both trees are drawn: poll
	wait_for 'left: the tree as it was' 3 && left_whole 59 && ok ||
		bad "g at 120x40: Process-1 whole in the tree as it was, on the left"
	T resize-window -x 80 -y 24
	wait_for 'PID S DAEMON EXIT NAME  \(as it was(\)|: ) +PID ' 3 && half 0 39 | grep -qE '─Process-1 *$' &&
		[ "$(pane | LC_ALL=C.UTF-8 wc -L)" -le 80 ] && ok ||
		bad "g at 80x24: Process-1 whole in the tree as it was, side by side"
else
	bad "g at 80x24: the tree never appeared"
fi
start --scenario nested
if wait_for 'Process-3:1:1' 5; then
	T resize-window -x 80 -y 24
	T send-keys g
	if wait_for 'above: the tree as it was' 3; then
		above=$(pane | sed -n '/(as it was/,/(now)/p')
		grep -qE '─Process-2:1 *$' <<<"$above" && ! grep -q '│.*(now)' <<<"$above" &&
			pane | grep -qE '^ +PID .*NAME  \(now\)$' && [ "$(pane | LC_ALL=C.UTF-8 wc -L)" -le 80 ] && ok ||
			bad "g at 80x24, nested: the tree as it was above (names whole), now below"
	else
		bad "g at 80x24, nested: not one above the other"
	fi
	T resize-window -x 120 -y 40
	wait_for 'PID +PPID S DAEMON EXIT NAME  \(as it was(\)|: ) +PID ' 3 && half 0 59 | grep -qE '─Process-3:1:1 *$' && ok ||
		bad "g at 120x40, nested: side by side, Process-3:1:1 whole"
else
	bad "g nested: the tree never appeared"
fi

# ---- ? at 80x24: the help wraps a long note at a word, says that it
# scrolls and where it is, and End brings its last line.
start
if wait_for 'Process-3:1' 5; then
	T resize-window -x 80 -y 24
	T send-keys '?'
	if wait_for '^ forktop: keys' 3 && wait_for '^lines 1-22 of [0-9]+, ↑↓ PgUp PgDn Home End: scroll' 3; then
		[ "$(pane | LC_ALL=C.UTF-8 wc -L)" -le 80 ] && ok || bad "help at 80x24: a line wider than 80"
		pane | grep -A1 'the one chosen after$' | tail -n 1 | grep -qE '^ {14}Tab\)$' && ok ||
			bad "help at 80x24: a long note goes on at a word, on the next line"
		! pane | grep -q 'signalled only after you confirm' && T send-keys End
		wait_for 'are signalled only after you confirm\.' 3 &&
			wait_for '^lines [0-9]+-([0-9]+) of \1, ' 1 && ok || bad "help at 80x24: End shows the last line"
		T send-keys Home
		wait_for '^lines 1-22 of' 3 && T send-keys PgDn
		wait_gone '^lines 1-22 of' 3 && T send-keys Up
		wait_for '^ forktop: keys' 1 && T send-keys Escape
		wait_for '^ +[0-9]+ +[0-9]+ S no +-'"$CPU"' +└─MainProcess' 3 && ok || bad "help at 80x24: PgDn, Up, then Escape closes it"
	else
		bad "help at 80x24: no help that says it scrolls"
	fi
else
	bad "help at 80x24: the tree never appeared"
fi

# ---- A resize is not a key: the help, and a question, stay open across one.
start
if wait_for 'Process-3:1' 5; then
	T send-keys '?'
	wait_for '^ forktop: keys' 3 && T resize-window -x 30 -y 8
	wait_for 'too small' 3 && T resize-window -x 120 -y 40
	wait_for '^ forktop: keys' 3 && ok || bad "resize: the help stays open"
	T send-keys Escape
	find_row forktop && T send-keys t
	wait_for 'is not part of the lab. Send SIGTERM\? \(y/N\)' 3 && T resize-window -x 30 -y 8
	wait_for 'too small' 3 && T resize-window -x 120 -y 40
	wait_for '^ +[0-9]+ +[0-9]+ S no +-'"$CPU"' +└─MainProcess' 3 && pane | grep -q 'Send SIGTERM? (y/N)' && ok ||
		bad "resize: the question stays"
	T send-keys n
	wait_for 'nothing was sent' 3 && ok || bad "resize: n answers the question"
else
	bad "resize: the tree never appeared"
fi

# ---- g, then r, in the view of every process: the restart replaces the
# snapshot the tree as it was points into; it is built again (the sanitizer
# build checks that no row is drawn from the old one).
start
if wait_for 'Process-3:1' 5; then
	T send-keys a
	wait_for 'view: all' 3 && T send-keys g
	wait_for '\(as it was(\)|: )' 3 && T send-keys r
	wait_for 'the lab was restarted' 5 && wait_for '\(as it was(\)|: )' 1 && ! pane | grep -q FORKTOP-EXIT &&
		ok || bad "g then r: the tree as it was after a restart"
else
	bad "g then r: the tree never appeared"
fi

# ---- F9: the signal menu names the selected lab process, sends the chosen
# signal to it, and opens again at SIGTERM, not at the signal sent last.
start
if wait_for 'Process-3:1' 5; then
	find_row Process-2 || bad "F9: / found no Process-2"
	pid2=$(pane | awk '/─Process-2( |$)/ { print $1; exit }')
	T send-keys F9
	if wait_for "Send a signal to Process-2 \\(pid $pid2\\)\\?" 3; then
		T send-keys Down Enter # SIGKILL, the second entry
		wait_for 'sent SIGKILL to Process-2' 3 && wait_for ' Z yes +-9 .*Process-2 +zombie: not joined' 3 &&
			ok || bad "F9: SIGKILL through the menu"
		find_row Process-1 || bad "F9: / found no Process-1"
		T send-keys F9
		wait_for 'Send a signal to Process-1 \(pid [0-9]+\)\?' 3 && T send-keys Enter
		wait_for 'sent SIGTERM to Process-1' 3 && ok || bad "F9: the menu opens again at SIGTERM"
	else
		bad "F9: the menu did not name Process-2 (pid $pid2)"
	fi
else
	bad "F9: the tree never appeared"
fi

# ---- The event log follows the newest line. Scrolled up, it stays where it
# is and its title counts the new lines below; End follows again.
start
if wait_for 'Process-3:1' 5; then
	T send-keys Tab
	wait_for '── Events \(Tab: back to the tree\)' 3 && moved_by Up && moved_by Up
	shown=$(pane | sed -n '/── Events/,$p' | grep '^[0-9][0-9]:' | head -1)
	T send-keys Tab X
	wait_for '── Events \([0-9]+ new below\) ' 5 &&
		[ "$(pane | sed -n '/── Events/,$p' | grep '^[0-9][0-9]:' | head -1)" = "$shown" ] &&
		! pane | grep -q 're-parented' && ok ||
		bad "log scrolled up: it stays, and its title counts the new lines below"
	T send-keys Tab End
	wait_for '── Events \(Tab: back to the tree\) ' 3 && wait_for 're-parented [0-9]+ Process-' 3 && ok ||
		bad "log: End follows the newest line again"
	T send-keys Tab
	wait_for '── Events ─' 3 && ok || bad "log: the title is plain at the bottom, focus on the tree"
else
	bad "log: the tree never appeared"
fi

# ---- The selection follows its process when the rows move (X re-parents).
start
if wait_for 'Process-3:1' 5; then
	main=$(pane | awk '/─MainProcess/ { print $1; exit }')
	find_row Process-4 || bad "selection: / found no Process-4"
	T send-keys X
	if wait_for 'Process-4 +orphan: was under' 5; then
		# The row moved (Process-4 went from under main to its adopter), and
		# the selection went with it.
		row=$(selected)
		want="^ +[0-9]+ +([0-9]+) S no +- .*Process-4 +orphan: was under $main "
		[[ $row =~ $want ]] && [ "${BASH_REMATCH[1]}" != "$main" ] && ok ||
			bad "selection: follows Process-4 from under $main to its adopter, got: $row"
	else
		bad "selection: X orphaned no Process-4"
	fi
else
	bad "selection: the tree never appeared"
fi

# ---- SIGTERM and SIGHUP: the terminal is restored and the lab ends.
for sig in TERM HUP; do
	start
	# the tree's rows ('─Process-4'), not the log's lines, which come first
	if wait_for '─Process-3:1' 5 && wait_for '─Process-4' 5; then
		for ((i = 0; i < 50; i++)); do
			collect_lab_pids
			[ "${#lab_pids[@]}" -ge 6 ] && break
			sleep 0.1
		done
		monitor=$(pane | awk '/ monitor$/ { print $1; exit }')
		if [ -z "$monitor" ] || [ "${#lab_pids[@]}" -lt 6 ]; then
			bad "SIG$sig: forktop ($monitor) and 6 lab processes (${lab_pids[*]}) on screen"
			continue
		fi
		monitors+=("$monitor")
		if [ "$sig" = HUP ]; then
			T kill-server # the terminal goes away: forktop gets SIGHUP
			sock=
		else
			kill -TERM "$monitor"
		fi
		for ((i = 0; i < 50; i++)); do lab_gone && ! running "$monitor" && break; sleep 0.1; done
		lab_gone && ! running "$monitor" && ok || bad "SIG$sig: forktop or its lab still runs"
		if [ "$sig" = TERM ]; then
			wait_for 'FORKTOP-EXIT=0' 3 && T send-keys 'stty -a | grep -oE "(-)?(icanon|echo) " | tr -d "\n"; echo' Enter
			wait_for '^icanon echo' 3 && ok || bad "SIGTERM: the terminal is restored"
		fi
	else
		bad "SIG$sig: the tree never appeared"
	fi
done

# ---- A hostile name in the all-processes view: escaped, columns intact
# (hostile.sh checks every kind of hostile name in the other views).
mkfifo "$tmp/lifeline"
"$hostile" $'\e]0;PWNED\a\e[2J' <"$tmp/lifeline" &
hostile_pid=$!
exec 4>"$tmp/lifeline" # it ends when this script does, however it ends
start --no-lab
if wait_for '^forktop .*no lab' 5 && wait_for 'view: all' 2; then # forktop's header, not the command line typed
	find_row PWN || bad "hostile: / found no PWN"
	if wait_for '\\x1b\]0;PWNED\\x07\\x1b' 5; then
		raw=$(T capture-pane -p -e | grep -c $'\e]0;PWNED')
		title=$(T display-message -p '#{pane_title}')
		[ "$raw" -eq 0 ] && [ "$title" != PWNED ] && ok || bad "hostile: raw escape reached the terminal"
		line=$(pane | grep -F 'PWNED')
		want="^ +$hostile_pid +[0-9]+ S - +- "
		[[ $line =~ $want ]] && ok || bad "hostile: columns intact: $line"
		# Outside the lab: t asks first; n sends nothing, y sends through a checked pidfd.
		find_row PWN && T send-keys t
		if wait_for "PID $hostile_pid .* is not a process forktop started\\. Send SIGTERM\\? \\(y/N\\)" 3; then
			T send-keys n
			wait_for 'nothing was sent' 3 && running "$hostile_pid" && ok || bad "confirm: n sends nothing"
			T send-keys t
			wait_for 'Send SIGTERM\? \(y/N\)' 3 && T send-keys y
			for ((i = 0; i < 30; i++)); do running "$hostile_pid" || break; sleep 0.1; done
			wait_for "sent SIGTERM to PID $hostile_pid" 3 && ! running "$hostile_pid" && ok ||
				bad "confirm: y sends SIGTERM"
		else
			bad "confirm: no question before signalling a process outside the lab"
		fi
	else
		bad "hostile: the escaped name is not shown"
	fi
else
	bad "hostile: forktop --no-lab never drew its screen"
fi
kill "$hostile_pid" 2>/dev/null
hostile_pid=

# ---- H: each process's threads under it as {name}, with their CPU%; they
# fold with their process; at 120x40 and at 80x24. A real Python program
# names two of its threads (a busy one and one that naps) in the kernel; it
# runs without forktop's hook, whose Python names would stand in for those
# (tests/pyhook.sh checks them).
cat >"$tmp/threads.py" <<'PY'
import ctypes, threading, time
libc = ctypes.CDLL(None)
def work(name, busy):
    libc.prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME: the thread's comm
    end = time.time() + 60
    while time.time() < end:
        if not busy:
            time.sleep(0.05)
for name, busy in (("spin", True), ("nap", False)):
    threading.Thread(target=work, args=(name, busy), daemon=True).start()
time.sleep(60)
PY
for size in 120x40 80x24; do
	start --no-python-hook -- /usr/bin/python3 "$tmp/threads.py"
	T resize-window -x "${size%x*}" -y "${size#*x}"
	if wait_for '└─python3( |$)' 5; then
		! pane | grep -q '{spin}' && ok || bad "H at $size: threads shown before H"
		wait_for '└─python3 +Python, not instrumented' 5 && ok ||
			bad "H at $size: a Python without the hook is not marked so"
		T send-keys H
		# the busy thread's CPU% (the column before TIME+, or before the name):
		# a real share, however busy other work keeps the machine
		if wait_for '^ +[0-9]+ +[RS] +- +[0-9]+\.[0-9]( +[0-9]+:[0-9.]+)? +\{spin\}$' 5 &&
			wait_for '^ +[0-9]+ +[SR] -'"$CPU"' +\{nap\}$' 3; then
			busy=$(pane | grep -E '\{spin\}$' | grep -oE ' [0-9]+\.[0-9] ' | head -1 | tr -d ' ')
			[ "${busy%.*}" -ge 5 ] && [ "$(pane | LC_ALL=C.UTF-8 wc -L)" -le "${size%x*}" ] && ok ||
				bad "H at $size: the busy thread's CPU% ($busy), within the width"
			find_row python3 && T send-keys -
			wait_gone '\{spin\}' 3 && T send-keys + && wait_for '\{spin\}$' 3 && ok ||
				bad "H at $size: threads fold with their process (- and +)"
			T send-keys H
			wait_for 'processes only' 3 && ! pane | grep -q '{nap}' && ok || bad "H at $size: H again hides them"
		else
			bad "H at $size: no {spin} and {nap} lines under python3"
		fi
	else
		bad "H at $size: the program never showed"
	fi
done

# ---- p: the lab again in a PID namespace of its own (MainProcess its PID 1,
# NSPID beside PID), where t on MainProcess does nothing; p again: forktop's
# init in front of it; p again: back in forktop's own namespace.
for size in 120x40 80x24; do
	start
	T resize-window -x "${size%x*}" -y "${size#*x}"
	if ! wait_for 'Process-3:1' 5; then
		bad "p at $size: the tree never appeared"
		continue
	fi
	T send-keys p
	if wait_for 'MainProcess +PID 1 of its namespace' 5 && wait_for '─Process-3:1' 5; then
		# the children's numbers inside follow the order they were forked in
		pane | grep -qE '^ +PID +NSPID ' && pane | grep -qE '^ +[0-9]+ +1 +([0-9]+ +)?S no .*─MainProcess' &&
			wait_for '^ +[0-9]+ +[2-6] +([0-9]+ +)?S no .*─Process-3:1' 3 && ok ||
			bad "p at $size: NSPID beside PID, 1 for MainProcess and 2 to 6 for Process-3:1"
		find_row MainProcess && T send-keys t
		wait_for 'SIGTERM to MainProcess \(pid [0-9]+\), PID 1 of its' 3 &&
			pane | grep -qE '^ +[0-9]+ +1 +([0-9]+ +)?S no .*─MainProcess' && ok ||
			bad "p at $size: SIGTERM to a Python PID 1 is ignored, and it runs on"
		[ "$(pane | LC_ALL=C.UTF-8 wc -L)" -le "${size%x*}" ] && ok || bad "p at $size: the screen fits its width"
		T send-keys p
		wait_for "init +forktop's init, PID 1" 5 &&
			wait_for '^ +[0-9]+ +2 +([0-9]+ +)?S no .*─MainProcess' 3 && ok ||
			bad "p at $size: forktop's init is PID 1, MainProcess PID 2"
		T send-keys p
		wait_gone 'NSPID' 5 && wait_for 'orphans -> PID 1|-> PID 1' 3 && ok ||
			bad "p at $size: the third p brings the lab back to forktop's own namespace"
	else
		bad "p at $size: MainProcess never showed as PID 1 of its namespace"
	fi
done

# ---- An unknown TERM: one line naming --batch, exit 2, nothing started.
new_server
T send-keys "TERM=no-such-terminal $forktop; echo FORKTOP-EXIT=\$?" Enter
wait_for 'FORKTOP-EXIT=2' 5 && pane | grep -q "terminal type 'no-such-terminal' is unknown: set TERM, or use --batch" &&
	ok || bad "unknown TERM"

echo "tui: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
