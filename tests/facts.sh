#!/usr/bin/env bash
# The facts the lessons state, checked against real CPython: tests/facts.py
# with /usr/bin/python3 and, when pyenv is here, its newest and oldest
# Python 3.8 or later (FACTS_PYTHONS="python ..." names others). Each run is
# in a session of its own and bounded; every process left is killed on exit.
# Exit 77 (SKIP) when no Python is found.
set -u
srcdir=${FORKTOP_SRCDIR:-.}
. "$(dirname "$0")/pythons-lib.sh"
trap kill_sessions EXIT

list=${FACTS_PYTHONS:-$(pythons ends)}
[ -n "$list" ] || { echo "SKIP: no Python 3"; exit 77; }
failed=0
for py in $list; do
	[ -x "$py" ] || command -v "$py" >/dev/null || continue
	echo "# $py: $("$py" -c 'import sys; print(sys.version.split()[0])')"
	setsid timeout -k 2 40 "$py" "$srcdir/tests/facts.py" 2>/dev/null &
	pid=$!
	pgids+=("$pid")
	wait "$pid" || { echo "FAIL: $py (status $?)"; failed=1; }
done
exit $failed
