#!/usr/bin/env bash
# The arrows between a lab process's layers point one way: each layer calls
# only the layers below it (src/labproc_private.h draws them). A call back up
# would show as an undefined symbol in a lower layer's object that a higher
# layer's object defines; nm reads both from the build tree. Needs nm: without
# it the check cannot run, and the script says so with status 77 (a SKIP).
# An object that is not there is an error (99), not a pass: a renamed file
# would otherwise leave its arrows unchecked.
set -u
builddir=${FORKTOP_BUILDDIR:-.}
nm=${NM:-nm}
# Top to bottom.
layers=(labinit labproc_run labstart labproc labthread)

command -v "$nm" >/dev/null || { echo "SKIP: $nm is needed to read the objects"; exit 77; }

object() { echo "$builddir/src/libengine_a-$1.o"; }

for l in "${layers[@]}"; do
	[ -f "$(object "$l")" ] || { echo "ERROR: no $(object "$l"): build first"; exit 99; }
done

failed=0
for ((lo = 1; lo < ${#layers[@]}; lo++)); do
	lower=${layers[lo]}
	undefined=$("$nm" -u "$(object "$lower")" | awk '{ print $NF }' | sort -u) || exit 99
	for ((hi = 0; hi < lo; hi++)); do
		upper=${layers[hi]}
		defined=$("$nm" -g --defined-only "$(object "$upper")" | awk '{ print $NF }' |
			sort -u) || exit 99
		back=$(comm -12 <(echo "$undefined") <(echo "$defined"))
		if [ -n "$back" ]; then
			echo "FAIL: $lower.c calls up into $upper.c:" $back
			failed=1
		fi
	done
done
[ "$failed" -eq 0 ] || exit 1
echo "layers: ${layers[*]}: every call goes down"
