#!/usr/bin/env bash
# Recycled PIDs: a lab process ends and is reaped, the kernel hands its PID
# to an unrelated process, and then forktop is asked to terminate the old lab
# process. The unrelated process must survive, and forktop must say that its
# target is gone. It runs in a PID namespace of its own, where the test hands
# out PIDs itself (/proc/sys/kernel/ns_last_pid): root only. When the
# namespace's first process ends, the kernel kills every process in it, so
# nothing this test starts can outlive it.
set -u
forktop=${FORKTOP:-./forktop}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (a PID namespace, and writing ns_last_pid)"; exit 77; }
if ! why=$(unshare --pid --fork --mount-proc true 2>&1); then
	echo "SKIP: no PID namespace here: unshare --pid --fork --mount-proc: $why"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	sed 's/^/| /' "$tmp/out"
}

printf '[main]\nname = recycle\n[group workers]\ncount = 1\ndaemon = no\nlifetime = forever\n' \
	>"$tmp/one.conf"

# Runs inside the namespace (its PID 1). Process-1 is killed at 1.5 s and its
# creator joins (reaps) it at 2 s; as soon as its PID is free, an unrelated
# `sleep` is started under that very PID; at 4.5 s the script asks forktop to
# terminate Process-1. Reports on stdout what it saw.
inside() {
	local target='' other='' i
	"$FORKTOP" --batch --delay 250 --scenario "$TMP/one.conf" \
		--script '@1.5 kill Process-1; @2 join Process-1; @4.5 terminate Process-1; @5 quit' \
		>"$TMP/out" 2>&1 &
	local monitor=$!
	for ((i = 0; i < 60; i++)); do
		target=$(pgrep -x Process-1) && break
		sleep 0.05
	done
	[ -n "$target" ] || { echo "NO-TARGET"; return; }
	for ((i = 0; i < 100; i++)); do
		[ -e "/proc/$target" ] || break
		sleep 0.05
	done
	[ -e "/proc/$target" ] && { echo "NOT-REAPED $target"; return; }
	for ((i = 0; i < 5; i++)); do
		echo $((target - 1)) 2>/dev/null >/proc/sys/kernel/ns_last_pid || { echo "NO-NS-LAST-PID"; return; }
		sleep 60 &
		other=$!
		[ "$other" -eq "$target" ] && break
		kill "$other"
	done
	echo "RECYCLED $target $other"
	wait "$monitor"
	echo "FORKTOP-EXIT $?"
	# still running: present, and not a zombie
	[ -e "/proc/$other" ] && ! grep -q '^State:.*Z' "/proc/$other/status" &&
		echo "SURVIVED $other"
}

export FORKTOP=$forktop TMP=$tmp
export -f inside
timeout 30 unshare --pid --fork --mount-proc --kill-child bash -c inside >"$tmp/report" 2>&1
if grep -q '^NO-NS-LAST-PID' "$tmp/report"; then
	echo "SKIP: /proc/sys/kernel/ns_last_pid cannot be written in a PID namespace here"
	exit 77
fi
read -r _ target other <<<"$(grep '^RECYCLED ' "$tmp/report")"
if [ -z "${target:-}" ] || [ "$target" != "$other" ]; then
	bad "the PID of Process-1 was not handed to another process: $(cat "$tmp/report")"
else
	grep -q '^FORKTOP-EXIT 0$' "$tmp/report" && ok || bad "forktop did not exit 0: $(cat "$tmp/report")"
	grep -q "^SURVIVED $other$" "$tmp/report" && ok || bad "the process now holding PID $other was hit"
	grep -qF "Process-1 (pid $target) has already ended: its PID now belongs to another process, which was not signalled" \
		"$tmp/out" && ok || bad "forktop did not say that Process-1 is gone"
	grep -q 'sent SIGTERM' "$tmp/out" && bad "forktop says it sent SIGTERM" || ok
fi

echo "recycle: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
