# Shared by the tmux-driven tests (sourced, not run): the private tmux
# server of the moment ($sock), the pass/fail counts, and polling the pane
# for text instead of sleeping. The sourcing script sets sock (and may
# change it to start another server); every server named in sockets is
# killed on exit, and its socket file removed.
sockets=()
pass=0 fail=0

# These tests end terminals with forktop in them, which orphans its process
# group; in the sanitizer build, LeakSanitizer's exit-time check stops the
# process to scan it, and the kernel's SIGHUP+SIGCONT to a newly orphaned
# group with a stopped member can leave it spinning for ever, a stray on the
# machine. ASan and UBSan stay on; the leak check runs in the other suites.
[ "${FORKTOP_SANITIZED:-no}" = yes ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

T() { tmux -L "$sock" "$@"; }

pane() { T capture-pane -p; }

ok() { pass=$((pass + 1)); }

# bad WHAT [DETAILS]: a failed check, with the pane as it was.
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2"
	echo "---- pane:"
	T capture-pane -p 2>/dev/null | sed 's/^/| /'
}

# wait_for PATTERN [SECONDS]: poll the pane (every 0.1 s) for an extended regex.
wait_for() {
	local pattern=$1 limit=$((${2:-5} * 10)) i
	for ((i = 0; i < limit; i++)); do
		pane | grep -qE -- "$pattern" && return 0
		sleep 0.1
	done
	return 1
}

# wait_gone PATTERN [SECONDS]: poll the pane until no line matches.
wait_gone() {
	local pattern=$1 limit=$((${2:-5} * 10)) i
	for ((i = 0; i < limit; i++)); do
		pane | grep -qE -- "$pattern" || return 0
		sleep 0.1
	done
	return 1
}

# wait_screen [SECONDS]: once forktop typed at the pane's shell is running,
# poll until its screen has replaced the shell's. The typed line names the
# command forktop runs, so a pattern waited for before could match the line.
wait_screen() { wait_gone 'PS1=' "${1:-10}"; }

# wait_count PATTERN N [SECONDS]: poll the pane until exactly N lines match
# (rows settle: a process just started may show R before S). Prints the
# last count.
wait_count() {
	local pattern=$1 want=$2 limit=$((${3:-5} * 10)) i n=0
	for ((i = 0; i < limit; i++)); do
		n=$(pane | grep -cE -- "$pattern")
		[ "$n" -eq "$want" ] && break
		sleep 0.1
	done
	echo "$n"
}

# selected: the pane's lines in reverse video (the selection), as plain text.
# tmux shows reverse video as ESC[7m or ESC[0;7m.
selected() {
	T capture-pane -p -e | grep -E $'\e\\[(0;)?7m' | sed 's/\x1b\[[0-9;]*m//g'
}

# moved_by KEY [SECONDS]: send KEY, then wait until the selection on the pane
# has moved: the key was read and the screen drawn again.
moved_by() {
	local before limit=$((${2:-3} * 10)) i
	before=$(selected)
	T send-keys "$1"
	for ((i = 0; i < limit; i++)); do
		[ "$(selected)" != "$before" ] && return 0
		sleep 0.1
	done
	return 1
}

# running PID: it exists and is not a zombie (an empty PID is not running:
# /proc//stat would be /proc/stat).
running() {
	local st
	[ -n "$1" ] || return 1
	st=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[1] }' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# use_server NAME: the next commands go to a new server of that name.
use_server() {
	sock=$1
	sockets+=("$sock")
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
}

# kill_monitors: every forktop the script recorded in monitors, SIGKILLed.
kill_monitors() {
	local p
	for p in "${monitors[@]}"; do running "$p" && kill -KILL "$p" 2>/dev/null; done
}

kill_servers() {
	local s
	for s in "${sockets[@]}"; do
		tmux -L "$s" kill-server 2>/dev/null
		rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$s" # kill-server leaves the socket file
	done
}

# keybar_whole: every item of the key bar (the pane's last line, items two
# spaces apart) is a whole label of the key table, none cut at the edge.
keybar_whole() {
	local item bar
	bar=$(pane | tail -n 1 | sed 's/ *$//')
	[ -n "$bar" ] || return 1
	while IFS= read -r item; do
		case $item in
		"N Next" | "P Back" | "F1 Help" | "F1 Help: every key" | "l Lesson" | "t Term" | \
			"k Kill" | "J Join" | "X KillMain" | "E Exit" | "m Method" | "R Reaper" | \
			"g Ghost" | "q Quit") ;;
		*) echo "key bar item cut: '$item'"; return 1 ;;
		esac
	done < <(printf '%s\n' "$bar" | sed 's/  /\n/g')
}
