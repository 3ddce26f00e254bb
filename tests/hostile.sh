#!/usr/bin/env bash
# Hostile names, end to end. tests/hostile --family starts processes whose
# comm and command line hold escape sequences (clear screen, colours, window
# title, cursor report), CR and LF, runs of NULs, invalid UTF-8, C1 controls,
# bidi overrides, double-width and combining characters, joiners, and ")"
# with spaces. forktop watches them on the interactive screen (a private
# tmux server), in text frames and in NDJSON; tests/hostile-check.py checks
# each output against the escaped names data/forktop.1 documents, and that
# the columns stay where the header has them. Every tmux server, forktop and
# hostile process this script starts is ended on exit, pass or fail.
set -u
export LC_ALL=C.UTF-8 # the names below are shown as UTF-8; --ascii is checked too
forktop=${FORKTOP:-./forktop}
hostile=${FORKTOP_HOSTILE:-./tests/hostile}
checker=$(dirname "$0")/hostile-check.py
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to check the output"; exit 77; }
# Killing a terminal must not deadlock LeakSanitizer's exit check (tmux-lib.sh).
. "$(dirname "$0")/tmux-lib.sh"
use_server forktop-hostile-$$
tmp=$(mktemp -d)
started=() # hostile leaders this script started itself
monitors=()

cleanup() {
	local p
	kill_servers
	for p in "${monitors[@]}" "${started[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# check MODE LEADER [OPTIONS]: runs the checker on stdin; ok or bad with its findings.
check() {
	local found
	if found=$(python3 "$checker" "$@" 2>&1); then ok; else bad "hostile-check $*" "$found"; fi
}

# check_pane SECONDS MODE LEADER [OPTIONS]: polls the pane until the checker
# is satisfied (members set their names a moment after they start).
check_pane() {
	local limit=$(($1 * 10)) capture=(-p) found
	shift
	[ "$1" = colours ] && capture=(-p -e)
	for ((i = 0; i < limit; i++)); do
		found=$(T capture-pane "${capture[@]}" | python3 "$checker" "$@" 2>&1) && { ok; return; }
		sleep 0.1
	done
	bad "hostile-check $*" "$found"
}

# ---- The interactive screen: forktop -- hostile --family.
T new-session -d -x 120 -y 40 "bash --norc --noprofile"
T send-keys "PS1='$ '; cd '$PWD'; $forktop --delay 250 -- $hostile --family 30; echo FORKTOP-EXIT=\$?" Enter
if wait_for 'zombie: its parent has not reaped it' 10; then
	monitors+=($(pane | awk '/ monitor$/ { print $1; exit }'))
	leader=$(pane | awk '/─hostile$/ { print $1; exit }')
	members=($(pgrep -P "$leader"))
	# A cursor report (\e[6n) that reached the terminal would be answered into
	# forktop's input as keys; the status line would say so.
	if wait_for 'no action on this key|subreaper' 1; then
		bad "hostile: the terminal answered an escape sequence from a name"
	else
		ok
	fi
	check_pane 5 screen "$leader" --width 120
	check_pane 1 colours "$leader"
	title=$(T display-message -p '#{pane_title}')
	[ "$title" != PWNED ] && [ "$title" != title ] && ok || bad "hostile: a name set the title: $title"
	# The signal menu names the process it would signal, escaped (F9, then
	# Escape: nothing is sent; t would send at once, to a program forktop started).
	T send-keys / dsr Enter
	if wait_for "found 'dsr'" 3 && T send-keys F9 && wait_for 'Send a signal to .* \(pid [0-9]+\)\?' 3; then
		pane | grep -qF 'Send a signal to \x1b[6ndsr (pid' && ok || bad "hostile: the signal menu's name"
		T send-keys Escape
		wait_gone 'Send a signal to' 3 && ok || bad "hostile: Escape leaves the signal menu"
	else
		bad "hostile: no signal menu naming the member"
	fi
	# g: the tree as it was beside now, each half cut by display width.
	T send-keys g
	if wait_for '\(as it was\)' 3; then
		[ "$(pane | wc -L)" -le 120 ] && ok || bad "hostile: g is wider than the pane"
		check_pane 1 colours "$leader"
		T send-keys g
	else
		bad "hostile: no g view"
	fi
	# The narrowest screen: PPID makes room (the tree shows the parent),
	# names are cut, the other columns are not.
	T resize-window -x 40 -y 30
	if wait_for '^F1 Help' 3; then
		rows=$(wait_count "^ +[0-9]+ [SZ] -  +(-|3)   [├└]─" 13)
		[ "$(pane | wc -L)" -le 40 ] && [ "$rows" -eq 13 ] && ok ||
			bad "hostile: 40 columns: 13 rows with intact columns (got $rows), none wider"
		check_pane 1 colours "$leader"
	else
		bad "hostile: no redraw at 40 columns"
	fi
	T resize-window -x 120 -y 40
	T send-keys q
	if wait_for 'FORKTOP-EXIT=0' 5; then
		monitors=() # ended: its PID is no longer its own
		alive=0
		for p in "$leader" "${members[@]}"; do running "$p" && alive=$((alive + 1)); done
		for ((i = 0; i < 30 && alive > 0; i++)); do
			sleep 0.1
			alive=0
			for p in "$leader" "${members[@]}"; do running "$p" && alive=$((alive + 1)); done
		done
		[ "$alive" -eq 0 ] && ok || bad "hostile: $alive of the family outlived forktop"
	else
		bad "hostile: q did not end forktop"
	fi
else
	bad "hostile: the family never appeared"
fi
T kill-server 2>/dev/null

# ---- Text and NDJSON frames of a program forktop started: its rows, the
# command lines, its own output line in the events, and no other process's events.
# batch ARGS...: forktop's frames, into $tmp/out (checked by the caller)
batch() { timeout 20 "$forktop" --batch --delay 300 "$@" >"$tmp/out"; }
batch --iterations 6 -- "$hostile" --family 3
check text 0 <"$tmp/out"
batch --iterations 6 --ascii -- "$hostile" --family 3
check ascii 0 <"$tmp/out"
# An outsider ends during the run: the program view has no event of it.
"$hostile" outsider < <(sleep 1.2) &
started+=($!)
batch --iterations 6 --json -- "$hostile" --family 3
check json 0 <"$tmp/out"
wait "${started[@]}"
started=()

# ---- The same family watched with --attach.
"$hostile" --family 20 </dev/null >/dev/null &
leader=$!
started+=("$leader")
for ((i = 0; i < 50; i++)); do
	[ "$(pgrep -P "$leader" | wc -l)" -ge 13 ] && break
	sleep 0.1
done
batch --iterations 2 --attach "$leader"
check text "$leader" --attached <"$tmp/out"
batch --iterations 2 --json --attach "$leader"
check json "$leader" --attached <"$tmp/out"
kill -TERM "$leader"
wait "$leader"
started=()

echo "hostile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
