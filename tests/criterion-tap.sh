#!/bin/sh
# Runs one Criterion suite for make check with its report in TAP, so that
# Automake's TAP driver counts each test: a skipped test shows as SKIP, not as
# a pass of the whole suite. Arguments: [CRITERION-OPTIONS...] SUITE (make
# check puts LOG_FLAGS, such as --filter=lab/x, before the program).
[ $# -ge 1 ] || { echo "usage: $0 [OPTIONS...] SUITE" >&2; exit 2; }
eval "suite=\${$#}"
opts=
while [ $# -gt 1 ]; do
	opts="$opts $(printf '%s' "$1" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"
	shift
done
eval "exec \"\$suite\" --tap=- --ascii $opts"
