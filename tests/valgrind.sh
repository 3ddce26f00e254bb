#!/usr/bin/env bash
# memcheck (valgrind) over the Criterion suites and over forktop itself:
# no invalid read or write, no use of uninitialised memory, no definite leak,
# in any process. Criterion runs each test in a worker of its own (the suite
# binary started again), and the workers fork helpers: every one of them is
# followed, and each process writes its own report, all read at the end
# (Criterion keeps a test's own verdict whatever memcheck's exit status).
#
# The suites run the forktop binary they test natively: memcheck (3.19, the
# one of Debian 12) does not know the pidfd system calls (pidfd_open,
# pidfd_send_signal) and answers ENOSYS, so the lab could not signal anything,
# and the suites' timings assume a monitor at native speed. forktop and its
# lab are checked here instead, in runs that need no pidfd: the lab's life
# (start, hello, logging, zombies, join, is_alive, spawn, the Unix daemon),
# the scans of every process, a program's family, and the error paths.
#
# Skipped (77) without valgrind, and in the sanitizer build (ASan and
# memcheck do not run together).
set -u
if ! command -v valgrind >/dev/null; then
	echo "valgrind is not installed: skipped"
	exit 77
fi
if [ "${FORKTOP_SANITIZED:-no}" = yes ]; then
	echo "sanitizer build: memcheck runs in the plain build"
	exit 77
fi
forktop=${FORKTOP:-./forktop}
suites=${FORKTOP_SUITES:-$(ls tests/test_* | grep -E '/test_[a-z_]+$')}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
fail=0

memcheck=(valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite
	--errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=30
	--log-file="$logs/%p.vg")

# ---- the suites: every worker and helper, not the forktop they run nor a
# Python program (test_pyhook's: CPython is not this project's code). Four
# workers a suite, and two suites at a time (below): under memcheck a worker
# spends a second starting, and the lab's tests mostly wait (Criterion alone
# would run one at a time).
# Tests that use pidfds in the worker itself cannot run under memcheck:
# test_pidref (all of it), the lesson tests that run a lab in-process
# (suite lesson_lab), the session and ghost tests of test_session (a lab
# or a program watched in-process) and the pidfd tests of test_member. They run natively in make check, and under
# ASan in make check-sanitizers. The kernel's process events run natively
# too: their tests count every event of a burst, which a worker slowed by
# memcheck (test_procev subscribes itself) or a machine busy with four of
# them (test_kernel's forktop) does not keep up with; only their parser
# tests run here, and test_kernel's worker only reads forktop's output.
# CPU shares measured from a busy child or thread need a core it can have:
# memcheck runs only the bookkeeping of shares.
filter_of() {
	case $1 in
	*/test_pidref | */test_kernel) echo skip ;;
	*/test_procev) echo 'procev/@(parses|refuses)*' ;;
	*/test_lesson) echo 'lesson/*' ;;
	*/test_session) echo 'view/*' ;;
	*/test_member) echo 'member/an_exit_is_recorded_once' ;;
	*/test_cpu) echo 'cpu/shares*' ;;
	# a real Python program's timing against the lab's: on a machine busy with
	# four memcheck workers its output is read too late to tell the moments apart;
	# and an orphan the worker's own thread must reap at once (memcheck runs
	# one thread at a time: a refresh reads the zombie before the thread runs);
	# and the lab started inside the test itself, whose main signals its child
	# through a pidfd, which this valgrind does not pass on
	*/test_lab) echo 'lab/!(the_threads_scenario_ends_in_the_order_of_its_python_twin|orphan_exit_code_comes_from_its_pidfd|a_snapshot_does_not_judge_an_end_before_the_last_words)' ;;
	*) echo '*' ;;
	esac
}

# check_suite SUITE FILTER N: the suite under memcheck; its verdict goes to
# $logs/verdict.N, and $logs/failed.N exists when it failed.
check_suite() {
	local suite=$1 filter=$2 n=$3 start=$SECONDS
	if "${memcheck[@]}" --trace-children=yes --trace-children-skip='*/forktop,*/python3*' \
		"$suite" --short-filename --jobs 4 --filter "$filter" >"$logs/out.$n" 2>&1; then
		echo "$suite: passed under memcheck ($((SECONDS - start)) s)" >"$logs/verdict.$n"
	else
		touch "$logs/failed.$n"
		{ echo "FAIL $suite under memcheck:"; sed 's/^/| /' "$logs/out.$n"; } >"$logs/verdict.$n"
	fi
}

# Two suites at a time: one alone keeps the machine's two cores about 1.3
# busy (the lab's tests mostly wait), and the suites do not share files.
# The verdicts are printed in the suites' order.
workers=0 n=0
for suite in $suites; do
	filter=$(filter_of "$suite")
	n=$((n + 1))
	if [ "$filter" = skip ]; then
		echo "$suite: not under memcheck (pidfds or timed bursts in the test itself)" >"$logs/verdict.$n"
		continue
	fi
	workers=$((workers + $("$suite" --list | awk -v want="${filter%%/*}:" '
		/: [0-9]+ tests?$/ && (want == "*:" || $1 == want) { n += $(NF - 1) }
		END { print n + 0 }')))
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
	check_suite "$suite" "$filter" "$n" &
done
wait
for ((i = 1; i <= n; i++)); do
	cat "$logs/verdict.$i"
	[ -e "$logs/failed.$i" ] && fail=1
done

# ---- forktop and its lab (forked, so followed without --trace-children)
scenario="$logs/quick.conf"
cat >"$scenario" <<'CONF'
[main]
name = quick
[group daemons]
count = 1
daemon = yes
[group quick]
count = 2
daemon = no
lifetime = 0.3
exit_code = 3
[group workers]
count = 1
daemon = no
[group helpers]
parent = workers
count = 1
daemon = no
lifetime = 0.5
CONF
# run WANT-STATUS ARGS...: forktop under memcheck, its status checked.
run() {
	local want=$1 status start=$SECONDS
	shift
	"${memcheck[@]}" "$forktop" "$@" >"$logs/out" 2>"$logs/err"
	status=$?
	if [ "$status" -eq "$want" ] && { [ "$want" -ne 0 ] || [ -s "$logs/out" ]; }; then
		echo "forktop $*: status $status under memcheck ($((SECONDS - start)) s)"
	else
		fail=1
		echo "FAIL forktop $*: status $status (want $want) under memcheck"
		sed 's/^/| /' "$logs/err"
	fi
}
run 0 --batch --json --delay 200 -n 8 --scenario "$scenario" \
	--script '@0.6 join Process-2; @0.7 poll Process-3; @0.8 spawn quick; @1 join Process-1 timeout 0.1'
run 0 --batch --delay 200 -n 4 --scenario nested
run 0 --batch --delay 200 -n 4 --scenario unixdaemon --ascii
run 0 --batch --delay 200 -n 4 --start-method forkserver
run 0 --batch --delay 200 -n 4 --start-method spawn
run 0 --batch --delay 200 -n 3 --subreaper
run 0 --batch --all --no-lab --delay 100 -n 2
run 0 --batch --json --delay 100 -n 6 -- sh -c 'sleep 0.2 & sleep 0.3; exit 3'
# a Python program's hook: its connections, records and refusals
[ -x /usr/bin/python3 ] && run 0 --batch --json --delay 100 -n 12 -- /usr/bin/python3 \
	"${FORKTOP_SRCDIR:-.}/tests/examples/hooked.py" forkserver
run 2 --scenario "$logs/no-such.conf"
run 2 --script '@1 join Process-9'

# ---- every report: errors and definite leaks, in any process (one that
# ended by a signal or by exec writes none)
reports=($(grep -l 'ERROR SUMMARY' "$logs"/*.vg))
bad=($(grep -L 'ERROR SUMMARY: 0 errors' "${reports[@]}"))
for f in "${bad[@]}"; do
	fail=1
	echo "FAIL memcheck report $(basename "$f"):"
	sed 's/^/| /' "$f"
done
lost=$(grep -h 'definitely lost:' "${reports[@]}" | grep -vc 'definitely lost: 0 bytes')
followed=$(grep -l 'Command: /.*/tests/test_[a-z_]*$' "${reports[@]}" | wc -l)
echo "memcheck: ${#reports[@]} processes reported ($followed of them test workers or their" \
	"helpers, for $workers tests), ${#bad[@]} with errors, $lost with definite leaks"
if [ "$followed" -lt "$workers" ]; then
	fail=1
	echo "FAIL fewer reports from test workers than tests: memcheck did not follow them"
fi
exit $fail
