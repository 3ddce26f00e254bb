#!/usr/bin/env bash
# The lab in its own PID namespace as an unprivileged account: the pidns
# suite of tests/test_lab (which make check runs as this account too) again
# as nobody, through setpriv, where forktop makes the namespace through a
# user namespace. SKIP, with the reason, where that cannot be: not root (it
# takes root to switch accounts), the build out of nobody's reach, or a
# kernel that refuses unprivileged user namespaces (each test then skips).
set -u
suite=${FORKTOP_BUILDDIR:-.}/tests/test_lab
forktop=${FORKTOP:-./forktop}
as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: switching to an unprivileged account takes root (tests/test_lab runs the suite as this one)"
	exit 77
fi
if ! "${as_nobody[@]}" test -x "$suite" || ! "${as_nobody[@]}" test -x "$forktop"; then
	echo "SKIP: the unprivileged user cannot reach $suite or $forktop (a directory on its path is private)"
	exit 77
fi
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
chown 65534:65534 "$home"
out=$(cd "$home" && "${as_nobody[@]}" env HOME="$home" TMPDIR="$home" "$suite" --filter 'pidns/*' 2>&1)
rc=$?
printf '%s\n' "$out" | tail -n 40
synthesis=$(grep -o 'Tested: [0-9]* | Passing: [0-9]* | Failing: [0-9]* | Crashing: [0-9]*' <<<"$out")
[ "$rc" -eq 0 ] || exit 1
if grep -q '\[SKIP\]' <<<"$out" && ! grep -q 'Passing: [1-9]' <<<"$out"; then
	echo "SKIP: as nobody, every test skipped: $(grep -m1 -A1 '\[SKIP\]' <<<"$out" | tail -n 1)"
	exit 77
fi
grep -q 'Passing: [1-9]' <<<"$out" || { echo "FAIL: nothing passed ($synthesis)"; exit 1; }
echo "pidns as nobody: $synthesis"
