#!/usr/bin/env bash
# Command-line contract: bad input gets one clear line on stderr and exit 2;
# help and version work; SIGTERM and a closed pipe end batch mode cleanly.
# (A missing /proc, which needs root to arrange, is tests/noproc.sh.)
set -u
forktop=${FORKTOP:-./forktop}
pass=0 fail=0

check() { # name expected-status stderr-pattern -- command...
	local name=$1 want=$2 pattern=$3 out err status
	shift 4
	err=$(timeout 10 "$@" 2>&1 >/dev/null)
	status=$?
	if [ "$status" -eq "$want" ] && grep -qE -- "$pattern" <<<"$err" &&
		[ "$(wc -l <<<"$err")" -le 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: status $status (want $want), stderr: $err"
	fi
}

check unknown-long 2 "unknown option '--bogus'" -- "$forktop" --bogus
check unknown-short 2 "unknown option '-z'" -- "$forktop" -z
check missing-value 2 "option '--delay' needs a value" -- "$forktop" --delay
check bad-delay 2 "--delay wants milliseconds" -- "$forktop" --delay 5
check bad-delay-text 2 "--delay wants milliseconds" -- "$forktop" --delay 1x
check bad-iterations 2 "--iterations wants" -- "$forktop" -n 0
check bad-pid 2 "--pid wants a process ID" -- "$forktop" --pid -4
check absent-pid 2 "no process with PID 2147483647" -- "$forktop" --pid 2147483647
check two-views 2 "give one" -- "$forktop" --all --pid 1
check stray-arg 2 "unexpected argument 'extra' \(a command goes after --\)" -- "$forktop" --batch extra
check command-and-lab 2 "not with --scenario" -- "$forktop" --scenario default -- true
check columns-bad 2 "--columns: unknown column 'cwd' \(known: ppid, pgid, sid, tty, cpu, time, elapsed, nspid\), in 'sid,cwd'" -- "$forktop" --batch --columns sid,cwd
check columns-empty 2 "--columns: unknown column ''" -- "$forktop" --batch --columns sid,
check attach-bad 2 "--attach wants a process ID" -- "$forktop" --attach x
check attach-absent 2 "no process with PID 2147483647" -- "$forktop" --attach 2147483647
check example-unknown 2 "no example is named 'nope' \(forktop --example list lists them\)" -- "$forktop" --example nope
check example-path 2 "no example is named '../data/default'" -- "$forktop" --example ../data/default
check example-and-command 2 "--example runs a program instead of the lab: not with a command" -- "$forktop" --example daemon -- true
check example-and-lab 2 "not with a command, --attach, --pid, --scenario" -- "$forktop" --example daemon --scenario default
check no-hook-attach 2 "--no-python-hook: with --attach no hook is loaded anyway" -- "$forktop" --attach 1 --no-python-hook
check no-hook-lab 2 "--no-python-hook is for a program forktop starts" -- "$forktop" --batch --no-python-hook
check example-list 0 "^$" -- "$forktop" --example list
out=$("$forktop" --example list)
grep -qE '^  daemon +Daemon or not' <<<"$out" && grep -qE '^  orphans +A parent killed' <<<"$out" &&
	pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL example-list: $out"; }
check help 0 "^$" -- "$forktop" --help
check not-a-terminal 2 "not a terminal: use --batch" -- sh -c 'exec "$0" </dev/null >/dev/null' "$forktop"
check version 0 "^$" -- "$forktop" --version
check history-bad 2 "--history wants MiB from 0 to 4096, not 'lots'" -- "$forktop" --history lots
check history-batch 2 "--history is the screen's: not with --batch or --json" -- "$forktop" --batch --history 8

tmp=$(mktemp -d)
bpid= main= lab=()
# lab_process PID: PID still runs (is not a zombie) in the lab's process group.
lab_process() {
	local stat pgid
	read -r stat pgid < <(ps -o stat=,pgid= -p "$1" 2>/dev/null) || return 1
	[ "${stat#Z}" = "$stat" ] && [ "$pgid" = "$main" ]
}
cleanup() { # whatever this script started ends with it, pass or fail
	[ -n "$bpid" ] && kill -KILL "$bpid" 2>/dev/null
	for p in "${lab[@]}"; do lab_process "$p" && kill -KILL "$p"; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# Broken scenarios and scripts: file:line or the step, exit 2, nothing started.
printf '[main]\nname = x\n[group a]\ncount = 2\ncuont = 3\n' >"$tmp/typo.conf"
printf '[main]\nname = x\n[group a]\ndaemon = maybe\n' >"$tmp/value.conf"
printf '[main]\nname = x\n[group a]\nparent = b\n' >"$tmp/parent.conf"
printf '[main]\nname = x\nthis is not ini\n' >"$tmp/syntax.conf"
printf '[main]\nname = x\n' >"$tmp/empty.conf"
printf '[mian]\nname = x\n' >"$tmp/section.conf"
printf '[main]\n\0\n' >"$tmp/binary.conf"
printf '[main]\nname = x\nstart_method = thread\n[group a]\n' >"$tmp/method.conf"
check scenario-method 2 "method.conf:3: start_method 'thread' is not one of fork, spawn, forkserver" -- "$forktop" -s "$tmp/method.conf"
printf '[main]\nname = x\npid_namespace = perhaps\n' >"$tmp/pidns.conf"
printf '[main]\nname = x\ninit = tini\n' >"$tmp/init.conf"
printf '[main]\nname = x\n[group a]\nsubreaper = always\n' >"$tmp/subreaper.conf"
check scenario-pidns 2 "pidns.conf:3: pid_namespace 'perhaps' must be yes or no" -- "$forktop" -s "$tmp/pidns.conf"
check scenario-init 2 "init.conf:3: init 'tini' is not one of none, forktop" -- "$forktop" -s "$tmp/init.conf"
check scenario-subreaper 2 "subreaper.conf:4: subreaper 'always' must be yes or no" -- "$forktop" -s "$tmp/subreaper.conf"
check bad-init 2 "--init wants none or forktop, not 'tini'" -- "$forktop" --init tini
check init-no-lab 2 "--pid-namespace and --init need the lab" -- "$forktop" --no-lab --init forktop
check pidns-program 2 "-- CMD runs a program instead of the lab: not with .*--pid-namespace" -- "$forktop" --pid-namespace -- true
check script-init-without-init 2 "scenario 'default' never starts a process of this name" -- "$forktop" --pid-namespace --script '@1 terminate init'
check start-method 2 "--start-method wants fork, spawn or forkserver, not 'vfork'" -- "$forktop" --start-method vfork
check start-method-nolab 2 "need the lab" -- "$forktop" --no-lab -m spawn
check script-fork-helper 2 "never starts a process of this name" -- "$forktop" --script '@1 kill forkserver'
check script-spawn-helper 2 "never starts a process of this name" -- "$forktop" -m spawn --script '@1 kill forkserver'
# The roles a lab process execs forktop in are refused outside the lab.
for role in --multiprocessing-fork --resource-tracker --forkserver; do
	check "role$role" 2 "forktop: $role is a role of lab processes" -- "$forktop" "$role" fd=4
done
check role-bad-args 2 "forktop: --forkserver: bad arguments" -- python3 -c '
import os, socket, sys
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
os.dup2(a.fileno(), 3)
os.set_inheritable(3, True)
os.set_inheritable(3, True)
os.execv(sys.argv[1], [sys.argv[1], "--forkserver", "request_fd=99"])' "$forktop"
check scenario-key 2 "typo.conf:5: unknown key 'cuont' in \[group a\]" -- "$forktop" --scenario "$tmp/typo.conf"
check scenario-value 2 "value.conf:4: daemon 'maybe' must be yes or no" -- "$forktop" -s "$tmp/value.conf"
check scenario-parent 2 "parent.conf:4: parent 'b' is not a group defined above" -- "$forktop" -s "$tmp/parent.conf"
check scenario-syntax 2 "syntax.conf:3: not a 'key = value' line" -- "$forktop" -s "$tmp/syntax.conf"
check scenario-empty 2 "empty.conf:1: no \[group NAME\] section" -- "$forktop" -s "$tmp/empty.conf"
check scenario-section 2 "section.conf:2: unknown section \[mian\]" -- "$forktop" -s "$tmp/section.conf"
check scenario-binary 2 "binary.conf:1: binary data" -- "$forktop" -s "$tmp/binary.conf"
check scenario-missing 2 "no-such.conf: No such file" -- "$forktop" -s "$tmp/no-such.conf"
check scenario-unknown-name 2 "no shipped scenario is named 'nope'" -- "$forktop" -s nope
check script-action 2 "step 1 \('@1 explode'\): unknown action 'explode'" -- "$forktop" --script '@1 explode'
check script-time 2 "'soon' is not a time" -- "$forktop" --script 'soon kill Process-1'
check script-target 2 "never starts a process of this name" -- "$forktop" --script '@1 kill Process-9'
check script-group 2 "no group or process of scenario 'default' has this name" -- "$forktop" --script '@1 spawn nobody'
check script-arity 2 "'kill-main' takes no target" -- "$forktop" --script '@1 kill-main Process-1'
check script-needs 2 "'join' needs a target" -- "$forktop" --script '@1 join'
check script-timeout 2 "timeout 'soon' must be seconds" -- "$forktop" --script '@1 join Process-1 timeout soon'
check script-poll-timeout 2 "'timeout' is not 'by'" -- "$forktop" --script '@1 poll Process-1 timeout 1'
check script-nolab 2 "need the lab" -- "$forktop" --no-lab --script '@1 quit'
# A spawned name is known to later steps: the default's main starts Process-5.
if timeout 10 "$forktop" --batch --script '@0 spawn loners; @0 terminate Process-5; @0 quit' -n 1 >/dev/null 2>"$tmp/err"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL script-spawned-name: $(cat "$tmp/err")"
fi

if timeout 10 "$forktop" --version | grep -qE '^forktop [0-9]+\.[0-9]+\.[0-9]+$'; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL version-format"
fi
if timeout 10 "$forktop" --help | grep -q -- '--iterations N'; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL help-text"
fi

# Started with stdin closed, forktop still runs its lab (its channels must not
# take descriptor 0).
if timeout 10 "$forktop" --batch --delay 400 --iterations 3 <&- 2>/dev/null | grep -q 'Process-3:1'; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL stdin-closed: no lab"
fi

# SIGTERM ends batch mode at once, lab included, even with a 60 s interval.
# The lab is known by its own process group (MainProcess leads it), read
# while forktop runs: once forktop has ended, its children belong to someone
# else and no longer tell whose lab they were.
"$forktop" --batch --delay 60000 >"$tmp/term.out" 2>&1 &
bpid=$!
for ((i = 0; i < 50; i++)); do # the whole default lab: Process-3:1 starts last
	[ -n "$main" ] || main=$(pgrep -P "$bpid" -x MainProcess)
	[ -n "$main" ] && pgrep -g "$main" -x Process-3:1 >/dev/null && break
	sleep 0.1
done
[ -n "$main" ] && lab=($(pgrep -g "$main"))
if [ "${#lab[@]}" -ne 6 ]; then
	fail=$((fail + 1)); echo "FAIL sigterm-batch: the default lab's 6 processes never ran (main '$main': ${lab[*]})"
fi
start_ns=$(date +%s%N)
kill -TERM "$bpid"
wait "$bpid"
status=$?
bpid=
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
for ((i = 0; i < 20; i++)); do # any it missed end on their lifeline: 2 s at most
	left=()
	for p in "${lab[@]}"; do lab_process "$p" && left+=("$p"); done
	[ "${#left[@]}" -eq 0 ] && break
	sleep 0.1
done
if [ "${#lab[@]}" -eq 6 ] && [ "$status" -eq 0 ] && [ "$elapsed_ms" -lt 3000 ] && [ "${#left[@]}" -eq 0 ]; then
	pass=$((pass + 1))
elif [ "${#lab[@]}" -eq 6 ]; then
	fail=$((fail + 1))
	echo "FAIL sigterm-batch: status $status after ${elapsed_ms} ms, lab processes left: ${left[*]}"
	ps -o pid,ppid,pgid,stat,comm -p "$(IFS=,; echo "${left[*]:-0}")" | sed 's/^/| /'
	[ "${#left[@]}" -gt 0 ] && kill -KILL "${left[@]}"
fi

# A closed pipe ends batch mode quietly with status 0.
status=$(
	timeout 10 "$forktop" --batch --all --delay 10 2>"$tmp/pipe.err" | head -n 1 >/dev/null
	echo "${PIPESTATUS[0]}"
)
if [ "$status" -eq 0 ] && [ ! -s "$tmp/pipe.err" ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL closed-pipe: status $status, stderr: $(cat "$tmp/pipe.err")"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
