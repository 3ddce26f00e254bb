#!/usr/bin/env bash
# forktop's Python hook with real CPython (tests/pyhook.py): /usr/bin/python3
# and every pyenv Python 3.8 or later that is installed (PYHOOK_PYTHONS="python
# ..." names others). For each: the hook changes nothing the program does,
# and under forktop, with each start method, what the program says of its
# processes and threads is what forktop shows, and so are the roles of the
# helpers it starts (spawned with the first, forked with the others); with the first, so it is for
# every shipped example (forktop --example). Each Python run is bounded and
# in a session of its own; every process left is killed on exit. Exit 77
# (SKIP) when no Python is found.
set -u
srcdir=${FORKTOP_SRCDIR:-.}
forktop=${FORKTOP:-./forktop}
. "$(dirname "$0")/pythons-lib.sh"
trap kill_sessions EXIT

# check ARGS...: one run of pyhook.py, bounded, in its own session.
failed=0
check() {
	setsid timeout -k 2 120 python3 "$srcdir/tests/pyhook.py" "$@" &
	local pid=$!
	pgids+=("$pid")
	wait "$pid" || { echo "FAIL: pyhook.py $* (status $?)"; failed=1; }
}

# examples PYTHON: every shipped example but gil (20 s of CPU on purpose),
# run by forktop --example with PYTHON as the python3 PATH finds.
examples() {
	local bin name
	bin=$(mktemp -d)
	ln -s "$1" "$bin/python3"
	for name in $("$forktop" --example list | awk 'NR > 1 { print $1 }'); do
		[ "$name" = gil ] || PATH=$bin:$PATH check example "$forktop" "$name"
	done
	rm -rf "$bin"
}

command -v python3 >/dev/null || { echo "SKIP: no python3 to run the checks"; exit 77; }
list=${PYHOOK_PYTHONS:-$(pythons)}
[ -n "$list" ] || { echo "SKIP: no Python 3"; exit 77; }
export FORKTOP_SRCDIR=$srcdir
# The sanitizer build checks forktop's side with the first Python alone:
# the promises are the hook's own (no forktop code runs in them), and the
# examples take the monitor through the paths the facts do.
sanitized=${FORKTOP_SANITIZED:-no}
first=
for py in $list; do
	[ -x "$py" ] || command -v "$py" >/dev/null || continue
	[ "$sanitized" = yes ] && [ -n "$first" ] && break
	echo "# $py: $("$py" -c 'import sys; print(sys.version.split()[0])')"
	[ "$sanitized" = yes ] || check promises "$py"
	for method in fork spawn forkserver; do
		check facts "$forktop" "$py" "$method"
	done
	check roles "$forktop" "$py" "$([ -n "$first" ] && echo fork || echo spawn)"
	check uncaught "$forktop" "$py"
	[ -n "$first" ] || check facts "$forktop" "$py" fork polling
	[ -n "$first" ] || check uninstrumented "$forktop" "$py"
	[ -n "$first" ] || [ "$sanitized" = yes ] || examples "$py"
	first=$py
done
exit $failed
