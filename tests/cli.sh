#!/usr/bin/env bash
# Command-line contract: bad input gets one clear line on stderr and exit 2;
# help and version work; a missing /proc is a clear error, not a crash.
set -u
forktop=${FORKTOP:-./forktop}
pass=0 fail=0

check() { # name expected-status stderr-pattern -- command...
	local name=$1 want=$2 pattern=$3 out err status
	shift 4
	err=$(timeout 10 "$@" 2>&1 >/dev/null)
	status=$?
	if [ "$status" -eq "$want" ] && grep -qE -- "$pattern" <<<"$err" &&
		{ [ "$(wc -l <<<"$err")" -le 1 ] || [ "${ALLOW_NOISE:-}" = yes ]; }; then
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
check stray-arg 2 "unexpected argument 'extra'" -- "$forktop" --batch extra
check help 0 "^$" -- "$forktop" --help
check version 0 "^$" -- "$forktop" --version

if "$forktop" --version | grep -qE '^forktop [0-9]+\.[0-9]+\.[0-9]+$'; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL version-format"
fi
if "$forktop" --help | grep -q -- '--iterations N'; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL help-text"
fi

# Without /proc (a private mount namespace, root only): exit 1 and say why.
if unshare --mount --propagation private true 2>/dev/null; then
	# Sanitizer runtimes print their own complaints without /proc.
	[ "${FORKTOP_SANITIZED:-no}" = yes ] && ALLOW_NOISE=yes
	check no-proc 1 "/proc is not mounted" -- unshare --mount --propagation private \
		sh -c 'umount -l /proc && exec "$0" --iterations 1' "$forktop"
else
	echo "SKIP no-proc: needs unshare --mount (root)"
fi

# A closed pipe ends batch mode quietly with status 0.
status=$(
	timeout 10 "$forktop" --all --delay 10 2>/tmp/forktop-cli.$$ | head -n 1 >/dev/null
	echo "${PIPESTATUS[0]}"
)
if [ "$status" -eq 0 ] && [ ! -s /tmp/forktop-cli.$$ ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL closed-pipe: status $status, stderr: $(cat /tmp/forktop-cli.$$)"
fi
rm -f /tmp/forktop-cli.$$

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
