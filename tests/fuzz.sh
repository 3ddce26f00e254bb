#!/usr/bin/env bash
# The libFuzzer targets of fuzz/ under make check: replays every input kept
# in tests/fuzz-regressions/TARGET, then fuzzes each target for a short while
# (FORKTOP_FUZZ_SECONDS each, default 30) from its seeds. The targets come
# from ./configure --enable-fuzzing when it was used, else this script builds
# them with clang into tests/fuzz-build. Skipped (77) when no clang can build
# a libFuzzer target, and in the sanitizer build (the targets have
# AddressSanitizer and UndefinedBehaviorSanitizer in every build, so the
# plain build's run is the same run). Everything it writes stays in
# tests/fuzz-build.
set -u
if [ "${FORKTOP_SANITIZED:-no}" = yes ]; then
	echo "sanitizer build: the fuzz targets run in the plain build"
	exit 77
fi
srcdir=${FORKTOP_SRCDIR:?run through make check}
builddir=${FORKTOP_BUILDDIR:?run through make check}
seconds=${FORKTOP_FUZZ_SECONDS:-30}
out=$builddir/tests/fuzz-build
targets="scenario script labmsg procev pyhook recording languages"
# A parser of a few lines needs less time than a file format.
short_targets="languages"
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
export UBSAN_OPTIONS=print_stacktrace=1

# A clang that links a libFuzzer target with the sanitizers, or nothing.
find_clang() {
	local cc probe=$out/probe
	for cc in ${CLANG:-} clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
		command -v "$cc" >/dev/null 2>&1 || continue
		printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
			'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d && n ? 0 : 0; }' \
			>"$probe.c"
		if "$cc" $flags -fsanitize=fuzzer "$probe.c" -o "$probe" 2>/dev/null; then
			echo "$cc"
			return
		fi
	done
}

# Builds fuzz_TARGET for every target into $out/bin with clang $1.
build_targets() {
	local cc=$1 src obj objs=() t
	mkdir -p "$out/obj" "$out/bin"
	for src in "$srcdir"/src/*.c; do
		obj=$out/obj/$(basename "$src" .c).o
		# The engine's AM_CPPFLAGS, then its libraries' flags.
		nice -n 10 "$cc" $flags -fsanitize=fuzzer-no-link -include "$builddir/config.h" \
			-DPKGDATADIR="\"${FORKTOP_PKGDATADIR-}\"" -DLOCALEDIR="\"${FORKTOP_INSTALL_LOCALEDIR-}\"" \
			${FORKTOP_ENGINE_CFLAGS-} \
			-c "$src" -o "$obj" || return 1
		objs+=("$obj")
	done
	rm -f "$out/obj/libengine.a"
	ar cr "$out/obj/libengine.a" "${objs[@]}" || return 1
	for t in $targets; do
		nice -n 10 "$cc" $flags -fsanitize=fuzzer -include "$builddir/config.h" \
			"$srcdir/fuzz/fuzz_$t.c" "$out/obj/libengine.a" ${FORKTOP_ENGINE_LIBS-} \
			-o "$out/bin/fuzz_$t" || return 1
	done
}

# Runs every kept regression input of target $1 once.
replay() {
	local t=$1 inputs=("$srcdir/tests/fuzz-regressions/$1"/*)
	[ -e "${inputs[0]}" ] || return 0
	if ! "$bin/fuzz_$t" -error_exitcode=1 "${inputs[@]}" >"$out/$t-replay.log" 2>&1; then
		echo "FAIL $t: a regression input fails again:"
		tail -n 30 "$out/$t-replay.log"
		return 1
	fi
	echo "ok $t: ${#inputs[@]} regression inputs replayed"
}

# Fuzzes target $1 for $seconds, growing the corpus in $out/corpus/$1.
fuzz() {
	local t=$1 corpus=$out/corpus/$1 dict=() log=$out/$1.log seconds=$seconds
	[[ " $short_targets " == *" $t "* ]] && seconds=$((seconds / 3 > 0 ? seconds / 3 : 1))
	mkdir -p "$corpus"
	[ "$t" = scenario ] && cp -f "$srcdir"/data/*.conf "$corpus/"
	[ -f "$srcdir/fuzz/$t.dict" ] && dict=(-dict="$srcdir/fuzz/$t.dict")
	# libFuzzer's own exit code for a finding is 77, which would read as a skip.
	if ! nice -n 10 "$bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
		-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
		-artifact_prefix="$out/$t-" "${dict[@]}" "$corpus" "$srcdir/fuzz/corpus/$t" \
		>"$log" 2>&1; then
		echo "FAIL $t: the fuzzer found an input that fails; the end of $log:"
		tail -n 40 "$log"
		echo "keep the input ($out/$t-crash-* or -leak-*, -timeout-*) in" \
			"tests/fuzz-regressions/$t/ once the bug is fixed"
		return 1
	fi
	echo "ok $t: $(grep -m1 'stat::number_of_executed_units' "$log" | tr -dc 0-9) runs" \
		"in $seconds s, $(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')"
}

mkdir -p "$out"
if [ -n "${FORKTOP_FUZZ_BUILT:-}" ]; then
	bin=$builddir/fuzz
else
	cc=$(find_clang)
	if [ -z "$cc" ]; then
		echo "SKIP: no clang that links -fsanitize=fuzzer,address,undefined" \
			"(Debian 12: apt-get install clang-14 libclang-rt-14-dev)"
		exit 77
	fi
	bin=$out/bin
	build_targets "$cc" || { echo "FAIL: the fuzz targets do not build with $cc"; exit 1; }
fi

fail=0
for t in $targets; do
	replay "$t" || fail=1
done
for t in $targets; do
	fuzz "$t" || fail=1
done
exit "$fail"
