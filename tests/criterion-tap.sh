#!/bin/sh
# Runs one Criterion suite for make check with its report in TAP, so that
# Automake's TAP driver counts each test: a skipped test shows as SKIP, not as
# a pass of the whole suite. Arguments: [CRITERION-OPTIONS...] SUITE (make
# check puts LOG_FLAGS, such as --filter=lab/x, before the program).
[ $# -ge 1 ] || { echo "usage: $0 [OPTIONS...] SUITE" >&2; exit 2; }
# Move the last argument, the suite, out of the list; the options stay.
left=$#
for arg; do
	left=$((left - 1))
	if [ "$left" -eq 0 ]; then
		suite=$arg
	else
		set -- "$@" "$arg"
	fi
	shift
done
exec "$suite" --tap=- "$@"
