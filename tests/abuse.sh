#!/usr/bin/env bash
# Terminal abuse: thousands of random keys (printable, control bytes, escape
# sequences, function keys, mouse reports and mouse-like junk, stray UTF-8)
# and 200 random resizes, many below forktop's 40x10 minimum, sent to forktop
# running the lab in a private tmux server. Afterwards forktop must still
# answer a key, quit on q, give the terminal back (main screen, cooked mode)
# and leave no lab process behind. Every tmux server and process this script
# starts is ended on exit, pass or fail.
#
# Left out of the random stream, on purpose:
#   q, Q, F10            quit (the end of the test, not part of the abuse);
#   Ctrl-C Ctrl-\ Ctrl-Z the terminal's INTR, QUIT and SUSP: the kernel turns
#                        them into signals, which other tests cover;
#   Ctrl-S Ctrl-Q        flow control: the terminal would stop the output;
#   y, Y                 the only answers that signal a process outside the
#                        lab (this shell, tmux, PID 1) after t, k or F9.
# Everything else stays in, among it every key that acts on the lab itself
# (t, k, J, X, E, s, r, R, F9 with any signal of its menu, a, g, Space...).
#
# The stream is random but reproducible: the seed is printed, and
# FORKTOP_ABUSE_SEED=N replays it.
set -u
forktop=${FORKTOP:-./forktop}
seed=${FORKTOP_ABUSE_SEED:-$(($(date +%s%N) % 32768))}
nkeys=5000 nresizes=200 probe_every=10
sock="forktop-abuse-$$"
tmp=$(mktemp -d)
pass=0 fail=0

T() { tmux -L "$sock" -f /dev/null "$@"; }

cleanup() {
	local p
	[ -n "${shell_pid:-}" ] && for p in $(session_members); do kill -KILL "$p" 2>/dev/null; done
	T kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL $1 (seed $seed)"
	echo "---- pane:"
	T capture-pane -p 2>/dev/null | sed 's/^/| /'
	if [ -s "$tmp/stderr" ]; then
		echo "---- forktop's stderr:"
		sed 's/^/| /' "$tmp/stderr"
	fi
}

pane() { T capture-pane -p; }

# wait_for PATTERN [SECONDS]: poll the pane (every 0.1 s) for an extended regex.
wait_for() {
	local pattern=$1 limit=$((${2:-5} * 10)) i
	for ((i = 0; i < limit; i++)); do
		pane | grep -qE -- "$pattern" && return 0
		sleep 0.1
	done
	return 1
}

# The processes of the pane's session, its shell excepted, that still run
# (zombies excluded): forktop and its lab while it runs. No lab process calls
# setsid, so even an orphan stays in this session.
session_members() {
	local f st
	for f in /proc/[0-9]*/stat; do
		{ st=$(<"$f"); } 2>/dev/null || continue
		st=${st##*) }
		set -- $st
		[ $# -ge 4 ] || continue
		# after the name: state ppid pgrp session
		[ "$4" = "$shell_pid" ] && [ "$1" != Z ] && [ "${f//[^0-9]/}" != "$shell_pid" ] &&
			echo "${f//[^0-9]/}"
	done
	return 0
}

# ---- the random stream ------------------------------------------------------
# Built in advance as tmux commands, one batch of keys per resize. A key is a
# tmux key name (send-keys NAME) or raw bytes (send-keys -H HEX...).

forbidden=" 03 11 13 1a 1c 51 59 71 79 " # ^C ^Q ^S ^Z ^\ Q Y q y
printable=() control=() high=() finals=()
for ((b = 0; b < 256; b++)); do
	printf -v h '%02x' "$b"
	[[ $forbidden == *" $h "* ]] && continue
	if ((b < 0x20 || b == 0x7f)); then
		control+=("$h")
	elif ((b < 0x7f)); then
		printable+=("$h")
		((b >= 0x40)) && finals+=("$h")
	else
		high+=("$h")
	fi
done
named=(F1 F2 F3 F4 F5 F6 F7 F8 F9 F11 F12 Up Down Left Right Home End PPage NPage IC DC
	BTab Tab Enter Escape BSpace Space S-Up S-Down C-Left C-Right M-Up M-Down S-F3 C-F5
	M-F7 S-F10 C-F10 M-a M-x M-/ M-Enter KP0 KP5 KPEnter C-a C-b C-e C-l C-r C-w)

RANDOM=$seed
# F10 as this terminal sends it: no two keys may make it up together.
read -ra f10 < <(tput -T "$(T start-server \; show -gv default-terminal 2>/dev/null)" kf10 2>/dev/null |
	od -An -tx1 | tr '\n' ' ')
kf10=" ${f10[*]}"
[ "${#f10[@]}" -gt 0 ] || kf10=" 1b 5b 32 31 7e"
private=(3f 3c)       # ESC [ ? and ESC [ <
press_release=(4d 6d) # M and m, the ends of an SGR mouse report
recent="" # the last bytes sent, as hex ("zz" for a named key other than Escape)

pick() { # pick ARRAY: one element into $h
	local -n arr=$1
	h=${arr[RANDOM % ${#arr[@]}]}
}

digits() { # 0 to 5 decimal digits, as hex bytes, appended to $bytes
	local n=$((RANDOM % 6))
	for ((d = 0; d < n; d++)); do bytes+=" 3$((RANDOM % 10))"; done
}

# One key: sets kind (key or hex) and value.
one_key() {
	local r=$((RANDOM % 100)) n
	bytes=""
	if ((r < 35)); then # printable characters, one to four
		for ((n = RANDOM % 4; n >= 0; n--)); do pick printable; bytes+=" $h"; done
	elif ((r < 45)); then
		pick control
		bytes=" $h"
	elif ((r < 65)); then
		kind=key
		value=${named[RANDOM % ${#named[@]}]}
		return
	elif ((r < 80)); then # CSI or SS3 junk: ESC [ [?<] params final, ESC O x
		if ((RANDOM % 4 == 0)); then
			pick finals
			bytes=" 1b 4f $h"
		else
			bytes=" 1b 5b"
			((RANDOM % 3 == 0)) && bytes+=" ${private[RANDOM % 2]}"
			for ((n = RANDOM % 4; n > 0; n--)); do digits; bytes+=" 3b"; done
			digits
			pick finals
			bytes+=" $h"
		fi
	elif ((r < 90)); then # mouse: X10 report (any bytes after ESC [ M), SGR report
		if ((RANDOM % 2)); then
			bytes=" 1b 5b 4d"
			for n in 1 2 3; do
				((RANDOM % 2)) && pick printable || pick high
				bytes+=" $h"
			done
		else
			bytes=" 1b 5b 3c"
			digits
			bytes+=" 3b"
			digits
			bytes+=" 3b"
			digits
			bytes+=" ${press_release[RANDOM % 2]}"
		fi
	else # stray bytes above 0x7f: broken UTF-8, or a whole double-width character
		if ((RANDOM % 3 == 0)); then
			bytes=" e6 bc a2"
		else
			for ((n = RANDOM % 3; n >= 0; n--)); do pick high; bytes+=" $h"; done
		fi
	fi
	kind=hex
	value=$bytes
}

# The batches: batch i is "send-keys ... ; resize-window -x W -y H".
batches=()
probe_sizes=()
per_batch=$((nkeys / nresizes))
for ((i = 0; i < nresizes; i++)); do
	cmd=()
	for ((k = 0; k < per_batch; k++)); do
		while :; do
			one_key
			if [ "$kind" = key ]; then
				[ "$value" = Escape ] && shadow=" 1b" || shadow=" zz"
			else
				shadow=$value
			fi
			[[ "$recent$shadow " == *"$kf10 "* ]] || break
		done
		recent="$recent$shadow"
		((${#recent} > 24)) && recent=${recent: -24} # the last eight bytes
		if [ "$kind" = key ]; then
			cmd+=(send-keys "$value" ";")
		else
			cmd+=(send-keys -H $value ";")
		fi
	done
	if (((i + 1) % probe_every == 0)); then
		# A size no other resize uses, too small but with room for forktop's
		# "WxH, needs 40x10": waiting for that line proves it still redraws.
		w=$((20 + ${#probe_sizes[@]})) h=3
		probe_sizes+=("${w}x$h")
	elif ((RANDOM % 5 < 2)); then # below the minimum, down to 1x1 (3 lines: the probes')
		w=$((1 + RANDOM % 60)) h=$((1 + RANDOM % 9))
		((RANDOM % 2)) && w=$((1 + RANDOM % 39)) h=$((1 + RANDOM % 60))
		((h == 3)) && h=2
	else
		w=$((40 + RANDOM % 161)) h=$((10 + RANDOM % 51))
	fi
	cmd+=(resize-window -x "$w" -y "$h")
	batches+=("$(printf '%q ' "${cmd[@]}")")
done

# ---- the run ----------------------------------------------------------------
echo "abuse: seed $seed, $nkeys keys, $nresizes resizes"
T new-session -d -x 120 -y 40 "bash --norc --noprofile"
shell_pid=$(T display -p '#{pane_pid}')
T send-keys "PS1='$ '; ulimit -c 0; cd '$PWD'; $forktop 2>'$tmp/stderr'; echo FORKTOP-EXIT=\$?" Enter
if ! wait_for 'Process-3:1' 10; then
	bad "the lab never appeared"
	exit 1
fi
[ "$(T display -p '#{alternate_on}')" = 1 ] && ok || bad "forktop runs on the alternate screen"

probes=0
for ((i = 0; i < nresizes; i++)); do
	eval "T ${batches[i]}"
	if (((i + 1) % probe_every == 0)); then
		size=${probe_sizes[probes]}
		probes=$((probes + 1))
		if ! wait_for "^$size, needs 40x10" 10; then
			bad "forktop stopped redrawing: no '$size' after $((i + 1)) batches of keys"
			exit 1
		fi
	fi
done
ok

# Still answering: back to a full size, out of whatever mode the keys left
# (search, help, menu, question, a prompt: Escape leaves each; the past:
# Space), a search for a name nobody has (answered only once every key
# before it was read), r starts a new lab (whatever the keys did to the old
# one), ? shows the help.
T resize-window -x 120 -y 40
T send-keys Escape Escape / "abuse-end-$seed" Enter
wait_for "no name contains 'abuse-end-$seed'" 10 && ok || bad "no answer to a search after the abuse"
# (the pattern never matches its own command line, which the view of
# every process may show)
if pane | grep -qE '\[PAST -[0-9.]+s\]'; then
	T send-keys Space
	for ((i = 0; i < 50; i++)); do
		pane | grep -qE '\[PAST -[0-9.]+s\]' || break
		sleep 0.1
	done
	[ "$i" -lt 50 ] || bad "Space did not bring the screen back to live after the abuse"
fi
before=" $(session_members | tr '\n' ' ') "
T send-keys r
for ((i = 0; i < 100; i++)); do
	new=()
	for p in $(session_members); do [[ $before == *" $p "* ]] || new+=("$p"); done
	[ "${#new[@]}" -ge 6 ] && break
	sleep 0.1
done
[ "${#new[@]}" -ge 6 ] && ok || bad "r after the abuse: a new lab of 6 processes (new: ${new[*]})"
T send-keys '?'
if wait_for '^ forktop: keys' 5 && wait_for 'other keys: back' 1; then
	T send-keys Escape
	wait_for '^forktop( [0-9]+\.[0-9]+\.[0-9]+)?  ' 5 && ok || bad "the help did not close"
else
	bad "forktop did not answer ? after the abuse"
fi

# q quits: main screen, cooked mode, and nothing of the lab is left.
T send-keys q
if wait_for 'FORKTOP-EXIT=0' 15; then
	ok
	left=
	for ((i = 0; i < 30; i++)); do
		left=$(session_members)
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] && ok || bad "processes left behind: $(for p in $left; do echo -n "$p:$(cat /proc/$p/comm 2>/dev/null) "; done)"
	[ "$(T display -p '#{alternate_on}')" = 0 ] && ok || bad "the alternate screen was left"
	T send-keys 'stty -a | grep -oE "(-)?(icanon|echo) " | tr -d "\n"; echo' Enter
	wait_for '^icanon echo' 3 && ok || bad "the terminal is in cooked mode again"
else
	bad "q did not end forktop with status 0"
fi

echo "abuse: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
