#!/usr/bin/env bash
# forktop on the kernels and accounts people use, without those kernels:
# each level of tests/as-kernel (this kernel, 6.14, 6.1, 5.15) as root and
# as an unprivileged user (nobody, through setpriv). At each: --features
# says what the level gives; the lab gets its exit codes from its own
# reports; a real Python program's family shows every child's code, or
# says for each that it is unknown, who reaped it and what would show it
# (never a bare "gone"); killing the lab's main orphans its children; the frames say where forks and exits come from
# (kernel events where the level allows them, else polling, with the
# reason); and the interactive screen starts, in tmux, as that account.
# Every process and tmux server it starts is ended on exit.
set -u
# The screens it ends orphan forktop's process group: see tests/tmux-lib.sh
# for why the sanitizer build's leak check is off here.
[ "${FORKTOP_SANITIZED:-no}" = yes ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
forktop=${FORKTOP:-./forktop}
as_kernel=${FORKTOP_AS_KERNEL:-./tests/as-kernel}
may_listen=${FORKTOP_MAY_LISTEN:-./tests/may-listen}
examples=$(cd "$(dirname "$0")/examples" && pwd)
python=/usr/bin/python3 # the system's: an unprivileged user may not reach another
tmp=$(mktemp -d)
chmod 755 "$tmp"
mkdir "$tmp/nobody" && chown 65534:65534 "$tmp/nobody" # its home and its tmux sockets
printf '[main]\nname = t\n[group daemons]\ncount = 1\ndaemon = yes\n[group workers]\ncount = 1\ndaemon = no\nlifetime = 0.6\n' \
	>"$tmp/short.conf"
pass=0 fail=0 skipped=()
servers=()

cleanup() {
	for s in "${servers[@]}"; do
		setpriv --reuid=65534 --regid=65534 --clear-groups env TMUX_TMPDIR="$tmp/nobody" \
			tmux -L "$s" kill-server 2>/dev/null
		TMUX_TMPDIR="$tmp" tmux -L "$s" kill-server 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 40 | sed 's/^/| /'
}

if [ ! -x "$as_kernel" ] || [ ! -x "$may_listen" ]; then
	echo "SKIP: no $as_kernel or $may_listen (built by make check)"
	exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: switching to an unprivileged account takes root (the run as this account is the suite's own)"
	exit 77
fi
if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$forktop"; then
	echo "SKIP: the unprivileged user cannot reach $forktop (a directory on its path is private)"
	exit 77
fi

# run ACCOUNT LEVEL CMD...: CMD as that account (root, nobody) under that
# level (native: none).
run() {
	local account=$1 level=$2
	shift 2
	local cmd=("$@")
	[ "$level" = native ] || cmd=("$as_kernel" "$level" "${cmd[@]}")
	if [ "$account" = nobody ]; then
		(cd "$tmp" && setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$tmp/nobody" "${cmd[@]}")
	else
		(cd "$tmp" && "${cmd[@]}")
	fi
}

# Whether this kernel lets nobody listen to process events: its own answer
# (Linux 6.6 opened them to every account, but some later kernels refuse).
nobody_listens=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$may_listen")
case $nobody_listens in
allowed | refused) ;;
*)
	echo "FAIL: may-listen as nobody answered '$nobody_listens'"
	exit 1
	;;
esac

# What each level gives, as the kernel of that level would.
expect_events() { # ACCOUNT LEVEL -> kernel or polling
	if [ "$1" = root ]; then
		echo kernel
		return
	fi
	case $2 in
	6.1 | 5.15) echo polling ;;
	*) [ "$nobody_listens" = allowed ] && echo kernel || echo polling ;;
	esac
}
expect_pidfd_exit() { [ "$1" = native ] && echo yes || echo no; }

features() {
	local account=$1 level=$2 out
	out=$(run "$account" "$level" "$forktop" --features 2>&1)
	grep -qE "^  pidfd exit information +$(expect_pidfd_exit "$level") " <<<"$out" &&
		grep -qE "^  process events +$([ "$(expect_events "$account" "$level")" = kernel ] && echo yes || echo no) " <<<"$out" &&
		ok || bad "$account at $level: --features" "$out"
	if [ "$(expect_events "$account" "$level")" = polling ]; then
		grep -q 'not allowed to listen (this kernel takes CAP_NET_ADMIN' <<<"$out" && ok ||
			bad "$account at $level: --features says why there are no process events" "$out"
	fi
}

# The lab's codes come from its own processes' reports on every kernel.
lab() {
	local account=$1 level=$2 out
	out=$(run "$account" "$level" timeout 30 "$forktop" --json -d 200 -n 12 --scenario "$tmp/short.conf" \
		--script '@0.3 exit-main' 2>&1)
	grep -q '"event":"exited","kind":"lab","text":"Process-1 (pid [0-9]*) exitcode -15' <<<"$out" &&
		grep -q '"event":"exited","kind":"lab","text":"MainProcess (pid [0-9]*) exitcode 0' <<<"$out" &&
		ok || bad "$account at $level: the lab's exit codes" "$(grep '"exited"' <<<"$out")"
}

# Orphans: main killed, its children re-parented away from it, running on.
orphans() {
	local account=$1 level=$2 out main
	out=$(run "$account" "$level" timeout 30 "$forktop" --json -d 200 -n 8 \
		--script '@0.4 kill-main' 2>&1)
	main=$(grep -oE '"event":"lab_started".*"pid":[0-9]+' <<<"$out" | grep -oE '[0-9]+$' | head -1)
	grep -q '"text":"MainProcess (pid [0-9]*) exitcode -9' <<<"$out" &&
		[ "$(grep -cE "\"event\":\"reparent\".*\"old_ppid\":$main," <<<"$out")" -ge 4 ] && ok ||
		bad "$account at $level: kill-main orphans main's four children" "$(grep -E '"reparent"|"exited"' <<<"$out")"
}

# A real Python program: every child's code, or an honest unknown, from what
# the kernel gives (without the Python hook, whose creators would tell them).
program() {
	local account=$1 level=$2 out want gone unknown coded
	out=$(run "$account" "$level" timeout 30 "$forktop" --json -d 200 --no-python-hook -- "$python" \
		"$examples/daemons.py" 2>&1)
	want=$(expect_events "$account" "$level")
	grep -q "\"events\":\"$want\"" <<<"$out" && ok ||
		bad "$account at $level: the frames say events: $want" "$(head -c 600 <<<"$out")"
	if [ "$want" = polling ]; then
		grep -q '"event":"polling".*CAP_NET_ADMIN' <<<"$out" && ok ||
			bad "$account at $level: the log says why it polls"
	fi
	# every process of the family that left has its code or an honest unknown
	local pid missing=0
	for pid in $(grep -oE '"event":"gone","kind":"gone","text":"gone [0-9]+ python3' <<<"$out" |
		grep -oE '[0-9]+ python3$' | cut -d' ' -f1); do
		grep -qE "\"event\":\"(exited|exit_unknown)\".*\"pid\":$pid," <<<"$out" || missing=$((missing + 1))
	done
	coded=$(grep -cE '"event":"exited".*"text":"python3 \(pid [0-9]+\) exitcode (-15|0) ' <<<"$out")
	unknown=$(grep -cE '"event":"exit_unknown".*reaped by [0-9]+ before forktop saw it' <<<"$out")
	[ "$missing" -eq 0 ] && ok ||
		bad "$account at $level: $missing gone without a code or an unknown" \
			"$(grep -E '"exited"|"exit_unknown"|"gone"' <<<"$out")"
	if [ "$(expect_pidfd_exit "$level")" = yes ] || [ "$want" = kernel ]; then
		[ "$coded" -ge 3 ] && [ "$unknown" -eq 0 ] && ok ||
			bad "$account at $level: every code known ($coded codes, $unknown unknown)" \
				"$(grep -E '"exited"|"exit_unknown"|"gone"' <<<"$out")"
	else
		[ "$unknown" -ge 1 ] && [ "$coded" -ge 1 ] && ok ||
			bad "$account at $level: a child's code said unknown, with who reaped it ($coded codes, $unknown unknown)" \
				"$(grep -E '"exited"|"exit_unknown"|"gone"' <<<"$out")"
	fi
}

# The interactive screen, as that account, in a tmux server of its own.
screen() {
	local account=$1 level=$2 sock="forktop-kernels-$$-${#servers[@]}" i shown=
	local cmd=("$forktop" --delay 300 -- "$python" "$examples/daemons.py")
	servers+=("$sock")
	[ "$level" = native ] || cmd=("$as_kernel" "$level" "${cmd[@]}")
	tmx() {
		if [ "$account" = nobody ]; then
			# SHELL: tmux runs the command with it, and nobody's own is nologin
			setpriv --reuid=65534 --regid=65534 --clear-groups env TMUX_TMPDIR="$tmp/nobody" \
				HOME="$tmp/nobody" SHELL=/bin/sh tmux -L "$sock" "$@"
		else
			TMUX_TMPDIR="$tmp" tmux -L "$sock" "$@"
		fi
	}
	tmx new-session -d -x 120 -y 40 "${cmd[*]}; sleep 30" || { bad "$account at $level: tmux"; return; }
	for ((i = 0; i < 80; i++)); do
		shown=$(tmx capture-pane -p 2>/dev/null)
		grep -q "events: $(expect_events "$account" "$level")" <<<"$shown" &&
			grep -q 'python3' <<<"$shown" && break
		sleep 0.1
	done
	grep -q "events: $(expect_events "$account" "$level")" <<<"$shown" && grep -q 'python3' <<<"$shown" &&
		ok || bad "$account at $level: the screen shows the program and its event source" "$shown"
	tmx send-keys q
	for ((i = 0; i < 50; i++)); do
		tmx capture-pane -p 2>/dev/null | grep -q 'forktop' || break
		sleep 0.1
	done
	tmx kill-server 2>/dev/null
}

# The lab's own PID namespace: made where the kernel and the account allow it
# (here: as root directly, as nobody through a user namespace), its end
# counted where no pidfd tells the codes of those the kernel killed (before
# 6.15), and in a container whose seccomp
# refuses namespaces, one line saying why, exit 1, and nothing started; the
# lab without a namespace still runs there.
namespace() {
	local account=$1 level=$2 out rc
	out=$(run "$account" "$level" timeout 30 "$forktop" --json -d 200 -n 8 --init forktop \
		--script '@0.5 terminate init' 2>&1)
	rc=$?
	if [ "$level" = container ]; then
		[ "$rc" -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] &&
			grep -q '^forktop: cannot make a PID namespace: .*not allowed here' <<<"$out" &&
			ok || bad "$account in a container: --init forktop says why it cannot be (status $rc)" "$out"
		out=$(run "$account" "$level" timeout 30 "$forktop" --json -d 200 -n 3 2>&1)
		grep -q '"event":"lab_started"' <<<"$out" && ok ||
			bad "$account in a container: the lab without a namespace runs" "$out"
		return
	fi
	grep -q "\"event\":\"namespace_made\",.*\"userns\":$([ "$account" = root ] && echo false || echo true)" <<<"$out" &&
		grep -q '"event":"exited",.*"name":"MainProcess",.*"exit":-15' <<<"$out" &&
		grep -q '"event":"namespace_ended",.*"killed":5' <<<"$out" &&
		ok || bad "$account at $level: forktop's init forwards SIGTERM, and the namespace ends with the five left killed (codes or no codes)" "$(grep -E 'namespace|MainProcess' <<<"$out" | head -20)"
}

for account in root nobody; do
	namespace "$account" container
	for level in native 6.14 6.1 5.15; do
		namespace "$account" "$level"
		features "$account" "$level"
		lab "$account" "$level"
		orphans "$account" "$level"
		program "$account" "$level"
		screen "$account" "$level"
	done
done
echo "kernels: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
