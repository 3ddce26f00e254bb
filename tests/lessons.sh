#!/usr/bin/env bash
# The lessons pane and the guided tour, driven like a person would: forktop
# runs in a shell in a private tmux server, keys are sent, and the pane is
# polled for text (never a bare sleep). Every tmux server and forktop this
# script starts is ended on exit, pass or fail.
set -u
forktop=${FORKTOP:-./forktop}
data=${FORKTOP_DATA:-./data}
sock=
. "$(dirname "$0")/tmux-lib.sh"
monitors=()
tmp=$(mktemp -d)
trap 'kill_monitors; kill_servers; rm -rf "$tmp"' EXIT

# The pane as one line: wrapped text can be matched across its line breaks.
flat() { pane | sed 's/^ *//' | tr '\n' ' '; }

# The forktop running in the current server's shell (empty when none).
monitor_now() {
	local shell
	shell=$(T list-panes -F '#{pane_pid}' 2>/dev/null | head -1)
	[ -n "$shell" ] && pgrep -P "$shell" -x forktop | head -1
}

# start [ENV=VALUE...] -- ARGS...: forktop in a fresh 120x40 server's shell.
start() {
	local env=()
	while [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	local p
	[ -n "$sock" ] && T kill-server 2>/dev/null
	use_server "forktop-lessons-$$-${#sockets[@]}"
	T new-session -d -x 120 -y 40 "bash --norc --noprofile"
	T send-keys "PS1='$ '; cd '$PWD'; ${env[*]} $forktop $* ; echo FORKTOP-EXIT=\$?" Enter
	for ((i = 0; i < 50; i++)); do
		p=$(monitor_now)
		[ -n "$p" ] && monitors+=("$p") && break
		sleep 0.1
	done
}

# quit: q, and forktop ends with status 0 (the sanitizer build checks its exit).
quit() {
	T send-keys q
	wait_for 'FORKTOP-EXIT=0' 5
}

# The PID in the row whose name is NAME (the first column).
pid_of() { pane | awk -v n="$1" '$0 ~ "[─ ]" n "( |$)" { print $1; exit }'; }

# ---- l, then X: the lessons explain the orphans and MainProcess's death,
# with the real PIDs. Tab, then Up, choose the events in the log (the newest
# may be either: the kernel's re-parenting or forktop's wait for main).
# up_to PATTERN: Up in the log (at most 15 times), each time until the
# highlight has moved (two keys read at once would draw only the second
# event), until the pane shows PATTERN. ups counts the keys.
up_to() {
	local k
	ups=0
	for ((k = 0; k < 15; k++)); do
		pane | grep -qE -- "$1" && return 0
		moved_by Up || return 1 # the oldest event: nothing above it
		ups=$((ups + 1))
	done
	pane | grep -qE -- "$1"
}
start -- --delay 300
if wait_for 'Process-3:1' 5; then
	T send-keys l
	wait_for '── Lesson: ' 3 && ok || bad "l: the lessons pane did not open"
	main=$(pid_of MainProcess)
	[ -n "$main" ] || bad "l: no MainProcess on screen"
	T send-keys X
	wait_for 'Process-4 +orphan' 5 || bad "X: no orphan appeared"
	T send-keys Tab
	wait_for '── Events \(.*Tab: back to the tree\)' 3 || bad "Tab: the log did not take the focus"
	if up_to '── Lesson: An orphan goes to '; then
		wait_for '── Events \(([0-9]+ (new )?below; )?the highlighted one is explained above; Tab' 2 &&
			ok || bad "Tab, Up: the log's title says the lesson above explains the highlighted event"
		chosen=$(pane | sed -n 's/^ The chosen event: re-parented \([0-9]*\) \(Process-[0-9]\): \([0-9]*\) -> \([0-9]*\).*/\1 \2 \3 \4/p')
		read -r pid name old new <<<"$chosen"
		want="$name (pid $pid) lost its parent (pid $main)"
		title=$([ "$new" = 1 ] && echo 'An orphan goes to PID 1' || echo 'An orphan goes to the nearest subreaper')
		if [ -n "$pid" ] && [ "$old" = "$main" ] && flat | grep -qF "$want" && pane | grep -qF "── Lesson: $title" &&
			pane | grep -qE "^ +$pid +$new S (yes|no) "; then
			ok
		else
			bad "X: the orphan lesson names $name (pid $pid), its old parent $main and adopter $new"
		fi
	else
		bad "X: no orphan lesson"
	fi
	# Back to the newest event (End moves the highlight if Up did), then up again.
	[ "$ups" -eq 0 ] || moved_by End || bad "End: the highlight did not go back to the newest event"
	if up_to '── Lesson: Killed: no exit routine ran' &&
		wait_for "The chosen event: MainProcess \\(pid $main\\) exitcode -9" 2 &&
		flat | grep -qF "MainProcess (pid $main) was killed by SIGKILL, exitcode -9" &&
		flat | grep -qF 'Its children (Process-1, Process-2, Process-3 and Process-4)'; then
		ok
	else
		bad "Tab, Up: the lesson of MainProcess's death"
	fi
	row=$(selected)
	[[ $row == *"MainProcess (pid $main) exitcode -9"* ]] && ok ||
		bad "Tab, Up: the chosen event is highlighted in the log, got: $row"
	# The smallest screen: the pane replaces the log, nothing wider than 40 columns.
	T resize-window -x 40 -y 10
	if wait_for '^F1 Help' 3 && wait_for '── Lesson' 3 && ! pane | grep -q '── Events' &&
		[ "$(pane | LC_ALL=C.UTF-8 wc -L)" -le 40 ]; then
		ok
	else
		bad "40x10: the lessons pane in place of the log"
	fi
	T resize-window -x 120 -y 40
	T send-keys Tab l
	wait_for 'lessons closed' 3 && ! pane | grep -q '── Lesson' && ok || bad "l: the pane closes"
	quit && ok || bad "l: forktop ends with 0"
else
	bad "l: the tree never appeared"
fi

# ---- Under forkserver, X orphans the helpers, not the children: the lesson says so.
start -- --delay 300 --start-method forkserver
if wait_for 'Process-3:1' 5; then
	T send-keys l
	wait_for '── Lesson: ' 3 && T send-keys X
	# The pane explains the newest event: main's exit may be logged after the
	# helpers' re-parenting (forktop reaps main when its pidfd says so). Then
	# the log's cursor goes up to the re-parenting, whose lesson this is.
	wait_for 're-parented [0-9]+ (forkserver|resource_tracker)' 5
	if ! wait_for '── Lesson: The helpers are orphaned, not the children' 2; then
		T send-keys Tab
		for ((i = 0; i < 12; i++)); do
			wait_for '── Lesson: The helpers are orphaned, not the children' 1 && break
			T send-keys Up
		done
	fi
	if wait_for '── Lesson: The helpers are orphaned, not the children' 2; then
		flat | grep -qF 'Under forkserver the children keep the server as their parent' && ok ||
			bad "forkserver: the helper-orphaned lesson's text"
	else
		bad "forkserver: X shows no lesson about the orphaned server and tracker"
	fi
	quit && ok || bad "forkserver: forktop ends with 0"
else
	bad "forkserver: the tree never appeared"
fi

# ---- Missing and broken lesson files: the pane says which and where; forktop runs on.
mkdir -p "$tmp/data/lessons"
cp "$data"/lessons/*.txt "$tmp/data/lessons/"
rm "$tmp/data/lessons/started.txt" "$tmp/data/lessons/started-daemonic.txt"
printf 'The lab\n\nMainProcess {bogus} started.\n' >"$tmp/data/lessons/main-started.txt"
start "FORKTOP_DATA='$tmp/data'" -- --delay 300
if wait_for 'Process-3:1' 5; then
	T send-keys l
	wait_for "no lesson file $tmp/data/lessons/started(-daemonic)?\\.txt" 5 && ok ||
		bad "missing lesson: the pane names the file it looked for"
	T send-keys Tab Home
	wait_for "$tmp/data/lessons/main-started.txt:3: unknown placeholder \\{bogus\\}" 5 && ok ||
		bad "broken lesson: the pane says file, line and what"
	quit && ok || bad "broken lesson: forktop runs on and ends with 0"
else
	bad "broken lesson: the tree never appeared"
fi

# ---- --tour: follow steps by pressing the keys they name.
keys_of_step() { pane | sed -n 's/^ Keys: //p' | head -1; }
start -- --tour --delay 300
if wait_for '── Tour 1/[0-9]+: A family of processes' 5; then
	pane | grep -qE '^N Next  P Back  F1 Help' && ok || bad "tour: N and P in the key bar"
	T send-keys l
	wait_for 'the lessons pane stays open during the tour' 3 && ok || bad "tour: l keeps the pane"
	T send-keys N
	if wait_for '── Tour 2/[0-9]+: Kill MainProcess: orphans' 3; then
		keys=$(keys_of_step)
		[ "$keys" = X ] && T send-keys "$keys"
		# Done, and it stays: the next step waits for N. The pane quotes the event.
		wait_for '── Tour 2/[0-9]+, done: Kill MainProcess: orphans' 5 &&
			wait_for 'Why: (An orphan goes to|Killed: no exit routine ran)' 3 &&
			flat | grep -qE 'Done: re-parented [0-9]+ Process-[0-9].* Press N for the next step, The tree as it was\.' &&
			pane | grep -q 'tour: step 2 of [0-9]* is done: N for the next one' &&
			ok || bad "tour: X (the step's key) made orphans and marked the step done"
		T send-keys N
		wait_for '── Tour 3/[0-9]+: The tree as it was' 3 && ok || bad "tour: N after a done step"
	else
		bad "tour: N did not move to step 2"
	fi
	T send-keys N
	# The step loads its scenario: a new lab, so no orphan of the old one is left.
	# E, then t on Process-3 at once: step 4's event and step 5's, before any N.
	if wait_for '── Tour 4/[0-9]+: A normal exit' 3 && wait_for ' 0 orphaned ' 5 && wait_for 'Process-3:1' 5; then
		main=$(pid_of MainProcess)
		keys=$(keys_of_step)
		[ "$keys" = E ] && T send-keys "$keys"
		T send-keys / P r o c e s s - 3 Enter t
		# Process-3 ended (its log line may have scrolled by: the log is short)
		wait_gone '─Process-3$' 5 &&
			wait_for '── Tour 4/[0-9]+, done: A normal exit' 5 && ok ||
			bad "tour: E and t: step 4 done, and still on screen"
		T send-keys N
		wait_for '── Tour 5/[0-9]+: Blocked in join\(\)' 3 && ! pane | grep -q 'Tour 5/[0-9]*, done' &&
			ok || bad "tour: step 5's event came before N showed it: it did not complete step 5"
	else
		bad "tour: N did not start step 4 with a new lab"
	fi
	T send-keys P
	if wait_for '── Tour 4/[0-9]+: A normal exit' 3 && wait_for 'Process-3:1' 5; then
		again=$(pid_of MainProcess)
		[ -n "$main" ] && [ -n "$again" ] && [ "$again" != "$main" ] && ok ||
			bad "tour: P restarted the step's lab ($main, then $again)"
	else
		bad "tour: P went back a step"
	fi
	quit && ok || bad "tour: forktop ends with 0"
else
	bad "tour: the first step never appeared"
fi

# ---- The tour at 80x24: a step that names a line of the log shows it,
# quoted in its "Done:" line, though the log has moved on since (step 11:
# the error a daemonic process raises when it is to start a child).
start -- --tour
if wait_for '── Tour 1/[0-9]+: A family of processes' 5; then
	T resize-window -x 80 -y 24
	# The step fills the pane: the highlighted event's lesson is not on screen.
	T send-keys Tab
	wait_for '── Events \(Tab: back to the tree\) ' 3 && ok ||
		bad "tour at 80x24: the log's title says 'explained above' with no lesson on screen"
	T send-keys Tab
	for ((n = 1; n < 11; n++)); do
		T send-keys N
		wait_for "── Tour $((n + 1))/[0-9]+" 5 || break
	done
	wait_for '── Tour 11/[0-9]+, done: Daemonic processes may not have children' 8 &&
		flat | grep -qE 'Done: .*AssertionError: daemonic processes are not allowed to have children' &&
		ok || bad "tour at 80x24: the refused step quotes the error it names"
	quit && ok || bad "tour at 80x24 (refused): forktop ends with 0"
else
	bad "tour at 80x24 (refused): the first step never appeared"
fi

# ---- The tour at 80x24: its keys stay on the bar, every item whole.
start -- --tour
if wait_for '── Tour 1/[0-9]+: A family of processes' 5; then
	T resize-window -x 80 -y 24
	wait_for '^N Next  P Back  F1 Help: every key  ' 3 && keybar_whole && pane | tail -n 1 | grep -q 'q Quit$' &&
		ok || bad "tour at 80x24: N, P, F1 and q on the key bar, every item whole"
	quit && ok || bad "tour at 80x24: forktop ends with 0"
else
	bad "tour at 80x24: the first step never appeared"
fi

# ---- The tour at 80x24: ) scrolls the pane through the whole first step,
# its "Do:" line stays in view, and L makes the pane larger (the tree and
# two lines of the log stay).
tour_pane() { pane | sed -n '/── Tour /,/── Events/p'; }
start -- --tour --delay 300
if wait_for '── Tour 1/[0-9]+: A family of processes' 5; then
	T resize-window -x 80 -y 24
	wait_for '── Tour 1/[0-9]+: A family of processes \([0-9]+ of [0-9]+ lines: \( \) scroll' 3 &&
		wait_for '^ Do: Press Tab' 3 && ok || bad "tour at 80x24: the pane says it scrolls, Do: in view"
	seen=$(tour_pane) lost=0
	for ((i = 0; i < 30; i++)); do
		before=$(tour_pane)
		T send-keys ')'
		for ((j = 0; j < 10; j++)); do [ "$(tour_pane)" != "$before" ] && break; sleep 0.1; done
		[ "$(tour_pane)" = "$before" ] && break
		seen+=$'\n'$(tour_pane)
		tour_pane | grep -q '^ Do: Press Tab' || lost=$((lost + 1))
	done
	for want in ' Look: MainProcess \(magenta\)' 'started a grandchild, Process-3:1\.$' '^ step\.$' \
		'^ Keys: Tab, Up, Down, N$' '^ N: the next step when you are ready\. P goes back one\.$'; do
		grep -qE -- "$want" <<<"$seen" || lost=$((lost + 1))
	done
	[ "$lost" -eq 0 ] && [ "$i" -gt 3 ] && [ "$i" -lt 30 ] && ok ||
		bad "tour at 80x24: ) scrolls through the whole step, Do: in view ($lost lost, $i moves)"
	before=$(tour_pane | wc -l)
	T send-keys L
	wait_for 'a larger lessons pane' 3 && [ "$(tour_pane | wc -l)" -gt "$before" ] &&
		tour_pane | grep -q '^ Do: Press Tab' && pane | grep -q 'Process-3:1' &&
		[ "$(pane | sed -n '/── Events/,$p' | grep -c '^[0-9][0-9]:')" -eq 2 ] && ok ||
		bad "tour at 80x24: L makes the pane larger, the tree stays, the log keeps two lines"
	quit && ok || bad "tour at 80x24 (scroll): forktop ends with 0"
else
	bad "tour at 80x24 (scroll): the first step never appeared"
fi

# ---- --tour refuses what it cannot do: one clear line, exit status 2.
check() { # name pattern -- args...
	local name=$1 pattern=$2 err status
	shift 3
	err=$(timeout 10 "$forktop" "$@" 2>&1 >/dev/null)
	status=$?
	if [ "$status" -eq 2 ] && grep -qE -- "$pattern" <<<"$err" && [ "$(wc -l <<<"$err")" -le 1 ]; then
		ok
	else
		fail=$((fail + 1))
		echo "FAIL $name: status $status, stderr: $err"
	fi
}
printf '[tour]\ntitle = x\n[step a]\nscenario = default\ntitle = A\ndo = x\nuntil = boom\n' >"$tmp/bad.conf"
check tour-batch "--tour walks through the interactive screen: not with --batch" -- --tour --batch
check tour-json "not with --batch or --json" -- --json --tour
check tour-scenario "--tour loads its own scenarios: not with --scenario" -- --tour --scenario default
check tour-no-lab "--tour loads its own scenarios" -- --tour --no-lab
check tour-method "not with --scenario, --script, --start-method" -- --tour --start-method spawn
check tour-file "bad.conf:7: until 'boom': 'boom' is not an event kind" -- "--tour=$tmp/bad.conf"
check tour-missing "no-such.conf: No such file" -- "--tour=$tmp/no-such.conf"

echo "lessons: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
