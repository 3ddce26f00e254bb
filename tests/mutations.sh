#!/usr/bin/env bash
# make check-mutations: each behaviour the tests guard, removed on purpose,
# must make its test fail. Every tests/mutations/NAME.patch is a small change
# that breaks one behaviour: two header lines, then a diff that `git apply`
# takes (paths from the top of the tree):
#
#   Mutation: what the change breaks, in words
#   Test: SUITE [CRITERION-FILTER]
#
# SUITE is an entry of the Makefile's TESTS; a Criterion suite may be
# narrowed to the tests a filter matches (lab/an_orphan_*). The tree is copied
# once (with uncommitted changes) into tests/mutation-build, built, and then
# for each mutation: applied, built again, its test run as make check runs it,
# and the change taken back. A mutation is caught when its test fails; it
# survived when the test still passes. Any survivor, or a mutation that no
# longer applies or builds, fails the run.
#
# Usage: tests/mutations.sh [NAME...]   (default: every mutation)
set -u
srcdir=${FORKTOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
work=${FORKTOP_MUTATION_DIR:-$srcdir/tests/mutation-build}
limit=${FORKTOP_MUTATION_TIMEOUT:-900}
jobs=${FORKTOP_MUTATION_JOBS:-2}

die() { echo "mutations: $*" >&2; exit 2; }

command -v git >/dev/null || die "git is needed (git apply)"
git -C "$srcdir" rev-parse --show-toplevel >/dev/null 2>&1 ||
	die "$srcdir is not a git checkout: the tree to mutate is what git lists"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in "$srcdir"/tests/mutations/*.patch; do
		[ -e "$f" ] && names+=("$(basename "$f" .patch)")
	done
fi
[ ${#names[@]} -gt 0 ] || die "no mutations in tests/mutations/"

# git apply outside any repository, also when the copy lies inside this
# checkout (inside one, it would skip the paths outside the copy's folder).
apply() {
	GIT_CEILING_DIRECTORIES=$(dirname "$work") git apply "$@"
}

# Whether the mutation changed each file it names in the copy.
changed() {
	local file
	for file in $(apply --numstat "$1" | cut -f3); do
		cmp -s "$work/$file" "$srcdir/$file" && return 1
	done
	return 0
}

header() { # FIELD FILE: the value of one header line
	sed -n "s/^$1: *//p; /^\$/q" "$2" | head -n 1
}

for n in "${names[@]}"; do
	f=$srcdir/tests/mutations/$n.patch
	[ -f "$f" ] || die "no mutation named $n ($f)"
	[ -n "$(header Mutation "$f")" ] || die "$f: no 'Mutation:' line"
	[ -n "$(header Test "$f")" ] || die "$f: no 'Test:' line"
done

echo "copying the tree to $work"
rm -rf "$work"
mkdir -p "$work" || die "cannot make $work"
(cd "$srcdir" && git ls-files -z --cached --others --exclude-standard |
	grep -zv '^tests/mutation-build/' | xargs -0 tar cf - --no-recursion) |
	(cd "$work" && tar xf -) || die "cannot copy the tree"
cd "$work" || exit 2
echo "configuring and building the copy (log: $work/build.log)"
{ autoreconf -fi && ./configure && make -j"$jobs"; } >build.log 2>&1 ||
	die "the unmutated copy does not build: see $work/build.log"

# Every process still running from the copy's binaries (forktop, its lab,
# the test programs): a mutation may break the very thing that ends them
# (the lifeline), and none may outlive its run.
end_strays() {
	local exe pid
	for exe in /proc/[0-9]*/exe; do
		pid=${exe#/proc/}
		pid=${pid%/exe}
		case $(readlink "$exe" 2>/dev/null) in
		"$work"/*) kill -KILL "$pid" 2>/dev/null ;;
		esac
	done
}
trap end_strays EXIT

caught=0 survived=0 broken=0
failed=()
for n in "${names[@]}"; do
	f=$srcdir/tests/mutations/$n.patch
	what=$(header Mutation "$f")
	read -r suite filter <<<"$(header Test "$f")"
	log=$work/mutation-$n.log
	if ! apply "$f" >"$log" 2>&1 || ! changed "$f"; then
		echo "BROKEN    $n: does not apply any more (see $log)"
		broken=$((broken + 1)); failed+=("$n")
		continue
	fi
	if ! { make -j"$jobs" all && make -j"$jobs" "$suite"; } >>"$log" 2>&1; then
		echo "BROKEN    $n: does not build (see $log)"
		broken=$((broken + 1)); failed+=("$n")
	else
		flags=()
		[ -n "$filter" ] && flags=("LOG_FLAGS=--filter=$filter")
		if timeout "$limit" make check TESTS="$suite" "${flags[@]}" >>"$log" 2>&1; then
			echo "SURVIVED  $n: $what ($suite${filter:+ $filter} still passes)"
			survived=$((survived + 1)); failed+=("$n")
		else
			echo "caught    $n: $what"
			caught=$((caught + 1))
		fi
	fi
	end_strays
	apply -R "$f" >>"$log" 2>&1 || die "cannot take $n back: the copy is no longer the tree"
done
# The copy is left as the tree was, built again for the next run.
make -j"$jobs" all >>build.log 2>&1

echo "${#names[@]} mutations: $caught caught, $survived survived, $broken broken"
if [ ${#failed[@]} -gt 0 ]; then
	echo "to run these again: tests/mutations.sh ${failed[*]}"
	exit 1
fi
